/* Helpers for SSL and SSL_CTX that Python cannot write: macros compiled
   out of some builds, and callbacks that need no Python. */
#include "ssl_bio.h"

#include <limits.h>
#include <string.h>

/* The destructor of every SSL ssl_bio makes.  A Python object is dropped,
   not shut down; without the shutdown flags SSL_free would remove the
   session from the cache and mark it not resumable, and ssl_bio shares
   sessions with SSLSession objects instead of copying them. */
void ssl_bio_free_ssl(SSL *ssl)
{
    SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(ssl);
}

/* SSLContext._new_ssl(): SSL_new holding the context shared (it copies from
   the SSL_CTX), in one crossing.  NULL if either fails (the reason, if any,
   in the error queue). */
SSL *ssl_bio_ssl_new(SSL_CTX *ctx, ssl_bio_context_lock *context_lock)
{
    SSL *ssl;
    if (ssl_bio_context_lock_acquire_shared(context_lock) != 0)
        return NULL;
    ssl = SSL_new(ctx);
    (void)ssl_bio_context_lock_release_shared(context_lock);
    return ssl;
}

/* The settings every SSLObject's SSL gets (wrap_bio), in one crossing: the
   handle callbacks find it by, modes, and its role.  Clients, as the
   stdlib's, use sessions without a session ID context: a TLS 1.3 PSK from
   set_psk_client_callback() is such a session, and OpenSSL refuses to
   resume it in an SSL that has one. */
void ssl_bio_ssl_prepare(SSL *ssl, void *app_data, int server_side)
{
    SSL_set_app_data(ssl, app_data);
    SSL_set_mode(ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_AUTO_RETRY);
    if (server_side) {
        SSL_set_accept_state(ssl);
    } else {
        (void)SSL_set_session_id_context(ssl, (const unsigned char *)"", 0);
        SSL_set_connect_state(ssl);
    }
}

/* wrap_bio's server_hostname (an A-label, no NUL): SNI for a name, and if
   check_hostname, OpenSSL's own check of the peer's certificate against the
   name or IP address.  1, or 0 with the reason in the error queue. */
int ssl_bio_set_server_hostname(SSL *ssl, const char *hostname, int check_hostname)
{
    ASN1_OCTET_STRING *ip = a2i_IPADDRESS(hostname);
    int ok;
    if (ip == NULL) {
        ssl_bio_clear_errors(); /* not an IP address: a name */
        ok = SSL_set_tlsext_host_name(ssl, hostname)
             && (!check_hostname
                 || X509_VERIFY_PARAM_set1_host(SSL_get0_param(ssl), hostname, strlen(hostname)));
    } else {
        ok = !check_hostname
             || X509_VERIFY_PARAM_set1_ip(SSL_get0_param(ssl), ASN1_STRING_get0_data(ip),
                                          (size_t)ASN1_STRING_length(ip));
        ASN1_OCTET_STRING_free(ip);
    }
    return ok;
}

/* Whether a read or write on this connection can still run handshake code
   (which reads the SSL_CTX): before the handshake has finished, and after it
   for renegotiation -- TLS 1.2 and older only, a client unless
   OP_NO_RENEGOTIATION, a server only if it allows client renegotiation. */
int ssl_bio_may_handshake(const SSL *ssl)
{
    uint64_t options = SSL_get_options(ssl);
    if (!SSL_is_init_finished(ssl))
        return 1;
    if (SSL_version(ssl) >= TLS1_3_VERSION || (options & SSL_OP_NO_RENEGOTIATION))
        return 0;
    if (SSL_is_server(ssl))
        return (options & SSL_OP_ALLOW_CLIENT_RENEGOTIATION) != 0;
    return 1;
}

/* ALPN selection needs no Python: server preference order, as the stdlib.
   `arg` is the wire-format list of the context that OpenSSL calls this for
   (after an SNI switch, the new one), behind a 4-byte native unsigned int
   length, kept alive by the Python SSLContext while it is installed. */
static int select_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg)
{
    const unsigned char *server = (const unsigned char *)arg;
    unsigned int server_len = 0;
    (void)ssl;
    if (server != NULL) {
        memcpy(&server_len, server, sizeof(server_len));
        server += sizeof(server_len);
    }
    if (in == NULL) {
        in = (const unsigned char *)"";
        inlen = 0;
    }
    /* SSL_select_next_proto points *out into one of the two lists; it
       writes through neither. */
    if (SSL_select_next_proto((unsigned char **)out, outlen, server, server_len, in, inlen)
        != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    return SSL_TLSEXT_ERR_OK;
}

void ssl_bio_set_alpn_select(SSL_CTX *ctx, const unsigned char *protos)
{
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, (void *)protos);
}

/* Staple an OCSP response: OpenSSL takes over a copy it can OPENSSL_free
   (OPENSSL_malloc is a macro Python cannot call).  1 done, 0 no memory. */
int ssl_bio_set_ocsp_response(SSL *ssl, const unsigned char *der, size_t len)
{
    unsigned char *copy;
    if (len > LONG_MAX)
        return 0;
    copy = OPENSSL_malloc(len > 0 ? len : 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, der, len);
    if (SSL_set_tlsext_status_ocsp_resp(ssl, copy, (long)len) <= 0) {
        OPENSSL_free(copy);
        return 0;
    }
    return 1;
}
