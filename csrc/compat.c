/* Every helper whose body differs between the OpenSSL versions ssl_bio
   supports; each branches on csrc/compat.h's capability macros only and has
   one signature on every version.

   Derive or refuse: where an older OpenSSL has calls from which the same
   answer follows exactly (the negotiated group on 3.0/3.1, the signature
   scheme names before 3.5), the helper derives it.  Where it has none
   (get_sigalgs() before 3.4, get_groups() before 3.5), the compat.h flag is
   0, the helper returns its documented failure value, and Python never
   calls it (ssl_bio/_compat.py's requires()). */
#include "ssl_bio.h"

#include <string.h>

/* --- the key exchange group --------------------------------------------- */

/* The TLS name of the group the handshake used ("x25519", "secp384r1",
   "ffdhe2048"...), or NULL before the handshake or without one (TLS 1.2 RSA
   key exchange).  OpenSSL 3.0/3.1: SSL_group_to_name() of the negotiated
   group, the same name table SSL_get0_group_name() reads in 3.2. */
const char *ssl_bio_group_name(SSL *ssl)
{
    /* Every version reads the session's group: asked before there is a
       session (before the handshake, or paused in it) both calls
       dereference NULL (SIGSEGV on 3.2 .. 4.0 as on 3.0). */
    if (SSL_get_session(ssl) == NULL)
        return NULL;
#if SSL_BIO_HAS_GET0_GROUP_NAME
    return SSL_get0_group_name(ssl);
#else
    long nid = SSL_get_negotiated_group(ssl);
    if (nid <= 0 || nid > INT32_MAX)
        return NULL;
    return SSL_group_to_name(ssl, (int)nid); /* in int range: checked above */
#endif
}

/* --- signature schemes -------------------------------------------------- */

#if !SSL_BIO_HAS_GET0_SIGNATURE_NAME
/* The TLS 1.3 name of the scheme for a signature type and hash (the names of
   OpenSSL's own sigalg table, which 3.5's SSL_get0_signature_name()
   returns).  RSA-PSS is "rsae" with an rsaEncryption key and "pss" with an
   RSASSA-PSS key. */
struct scheme {
    int type;
    int hash;
    int pss_key;
    const char *name;
};

static const struct scheme schemes[] = {
    {EVP_PKEY_EC, NID_sha256, 0, "ecdsa_secp256r1_sha256"},
    {EVP_PKEY_EC, NID_sha384, 0, "ecdsa_secp384r1_sha384"},
    {EVP_PKEY_EC, NID_sha512, 0, "ecdsa_secp521r1_sha512"},
    {EVP_PKEY_EC, NID_sha224, 0, "ecdsa_sha224"},
    {EVP_PKEY_EC, NID_sha1, 0, "ecdsa_sha1"},
    {EVP_PKEY_RSA_PSS, NID_sha256, 0, "rsa_pss_rsae_sha256"},
    {EVP_PKEY_RSA_PSS, NID_sha384, 0, "rsa_pss_rsae_sha384"},
    {EVP_PKEY_RSA_PSS, NID_sha512, 0, "rsa_pss_rsae_sha512"},
    {EVP_PKEY_RSA_PSS, NID_sha256, 1, "rsa_pss_pss_sha256"},
    {EVP_PKEY_RSA_PSS, NID_sha384, 1, "rsa_pss_pss_sha384"},
    {EVP_PKEY_RSA_PSS, NID_sha512, 1, "rsa_pss_pss_sha512"},
    {EVP_PKEY_RSA, NID_sha256, 0, "rsa_pkcs1_sha256"},
    {EVP_PKEY_RSA, NID_sha384, 0, "rsa_pkcs1_sha384"},
    {EVP_PKEY_RSA, NID_sha512, 0, "rsa_pkcs1_sha512"},
    {EVP_PKEY_RSA, NID_sha224, 0, "rsa_pkcs1_sha224"},
    {EVP_PKEY_RSA, NID_sha1, 0, "rsa_pkcs1_sha1"},
    {EVP_PKEY_ED25519, NID_undef, 0, "ed25519"},
    {EVP_PKEY_ED448, NID_undef, 0, "ed448"},
    {EVP_PKEY_DSA, NID_sha256, 0, "dsa_sha256"},
    {EVP_PKEY_DSA, NID_sha384, 0, "dsa_sha384"},
    {EVP_PKEY_DSA, NID_sha512, 0, "dsa_sha512"},
    {EVP_PKEY_DSA, NID_sha224, 0, "dsa_sha224"},
    {EVP_PKEY_DSA, NID_sha1, 0, "dsa_sha1"},
};

/* Whether the certificate that signed has an RSASSA-PSS key. */
static int signed_with_pss_key(SSL *ssl, int peer)
{
    int pss = 0;
    X509 *cert = peer ? SSL_get1_peer_certificate(ssl) : SSL_get_certificate(ssl);
    if (cert != NULL) {
        EVP_PKEY *key = X509_get0_pubkey(cert);
        pss = key != NULL && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA_PSS;
        if (peer)
            X509_free(cert);
    }
    return pss;
}
#endif

/* The name of the signature scheme this end (peer == 0) or the peer signed
   the handshake with, or NULL when it did not sign (a client without a
   certificate, PSK, TLS 1.2 RSA key exchange) or before the handshake. */
const char *ssl_bio_signature_name(SSL *ssl, int peer)
{
#if SSL_BIO_HAS_GET0_SIGNATURE_NAME
    const char *name = NULL;
    /* SSL_ctrl() macros: a long on some versions, an int on others. */
    long found = peer ? SSL_get0_peer_signature_name(ssl, &name)
                      : SSL_get0_signature_name(ssl, &name);
    return found > 0 ? name : NULL;
#else
    int type = NID_undef, hash = NID_undef, pss_key;
    size_t i;
    if (!(peer ? SSL_get_peer_signature_type_nid(ssl, &type)
               : SSL_get_signature_type_nid(ssl, &type)))
        return NULL;
    /* Ed25519 and Ed448 sign without a separate hash: no hash to ask for. */
    if (type != EVP_PKEY_ED25519 && type != EVP_PKEY_ED448
        && !(peer ? SSL_get_peer_signature_nid(ssl, &hash) : SSL_get_signature_nid(ssl, &hash)))
        return NULL;
    pss_key = type == EVP_PKEY_RSA_PSS ? signed_with_pss_key(ssl, peer) : 0;
    for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
        if (schemes[i].type == type && schemes[i].hash == hash && schemes[i].pss_key == pss_key)
            return schemes[i].name;
    }
    return NULL;
#endif
}

/* --- what OpenSSL can offer --------------------------------------------- */

/* OpenSSL's built-in signature schemes, colon-separated, for OPENSSL_free();
   NULL on failure, and always where !SSL_BIO_HAS_BUILTIN_SIGALGS. */
char *ssl_bio_builtin_sigalgs(void)
{
#if SSL_BIO_HAS_BUILTIN_SIGALGS
    return SSL_get1_builtin_sigalgs(NULL);
#else
    return NULL;
#endif
}

/* The groups this context implements for its protocol versions,
   colon-separated, for OPENSSL_free(); NULL on failure, and always where
   !SSL_BIO_HAS_IMPLEMENTED_GROUPS. */
char *ssl_bio_implemented_groups(SSL_CTX *ctx, int include_aliases)
{
#if SSL_BIO_HAS_IMPLEMENTED_GROUPS
    STACK_OF(OPENSSL_CSTRING) *groups = sk_OPENSSL_CSTRING_new_null();
    char *joined = NULL;
    size_t length = 1;
    int i;
    if (groups == NULL || !SSL_CTX_get0_implemented_groups(ctx, include_aliases, groups))
        goto done;
    for (i = 0; i < sk_OPENSSL_CSTRING_num(groups); i++)
        length += strlen(sk_OPENSSL_CSTRING_value(groups, i)) + 1;
    if ((joined = OPENSSL_zalloc(length)) == NULL)
        goto done;
    for (i = 0; i < sk_OPENSSL_CSTRING_num(groups); i++) {
        if (i > 0)
            OPENSSL_strlcat(joined, ":", length);
        OPENSSL_strlcat(joined, sk_OPENSSL_CSTRING_value(groups, i), length);
    }
done:
    sk_OPENSSL_CSTRING_free(groups);
    return joined;
#else
    (void)ctx;
    (void)include_aliases;
    return NULL;
#endif
}

/* --- build options ------------------------------------------------------ */

/* The NID of the connection's compression method, NID_undef without one;
   COMP_get_type is compiled out of OpenSSL builds without compression. */
int ssl_bio_compression_nid(const SSL *ssl)
{
#if SSL_BIO_HAS_COMPRESSION
    const COMP_METHOD *method = SSL_get_current_compression((SSL *)ssl);
    return method == NULL ? NID_undef : COMP_get_type(method);
#else
    (void)ssl;
    return NID_undef;
#endif
}

/* Install or remove the PSK callbacks; 0 where OpenSSL was built without
   PSK, -1 if the identity hint was refused. */
int ssl_bio_set_psk_client_callback(SSL_CTX *ctx, int enable)
{
#if SSL_BIO_HAS_PSK
    SSL_CTX_set_psk_client_callback(ctx, enable ? ssl_bio_psk_client_callback : NULL);
    return 1;
#else
    (void)ctx;
    (void)enable;
    return 0;
#endif
}

int ssl_bio_set_psk_server_callback(SSL_CTX *ctx, int enable, const char *identity_hint)
{
#if SSL_BIO_HAS_PSK
    if (SSL_CTX_use_psk_identity_hint(ctx, identity_hint) != 1)
        return -1;
    SSL_CTX_set_psk_server_callback(ctx, enable ? ssl_bio_psk_server_callback : NULL);
    return 1;
#else
    (void)ctx;
    (void)enable;
    (void)identity_hint;
    return 0;
#endif
}
