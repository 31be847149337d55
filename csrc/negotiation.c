/* What a handshake negotiated beyond the cipher: the key exchange group and
   the signature schemes (Python 3.15's SSLSocket.group(), client_sigalg(),
   server_sigalg()), and the lists OpenSSL can offer (get_groups(),
   get_sigalgs()).

   CPython 3.15 answers these only with OpenSSL 3.2 (group), 3.4 (built-in
   signature schemes) and 3.5 (signature names, implemented groups).  Where
   an older OpenSSL has calls from which the same answer follows exactly,
   these helpers derive it; where it has none, they say so and Python raises
   NotImplementedError, as CPython does. */
#include "ssl_bio.h"

#include <string.h>

/* --- the key exchange group --------------------------------------------- */

/* The TLS name of the group the handshake used ("x25519", "secp384r1",
   "ffdhe2048"...), or NULL before the handshake or without one (TLS 1.2 RSA
   key exchange).  OpenSSL 3.0/3.1: SSL_group_to_name() of the negotiated
   group, the same name table SSL_get0_group_name() reads in 3.2.
   *supported is 0 where this OpenSSL cannot tell (1.1.1). */
const char *ssl_bio_group_name(SSL *ssl, int *supported)
{
    *supported = 1;
#if OPENSSL_VERSION_NUMBER >= 0x30200000L
    return SSL_get0_group_name(ssl);
#elif OPENSSL_VERSION_NUMBER >= 0x30000000L
    long nid;
    /* Before 3.2, asking without a session dereferences NULL. */
    if (SSL_get_session(ssl) == NULL)
        return NULL;
    nid = SSL_get_negotiated_group(ssl);
    if (nid <= 0 || nid > INT32_MAX)
        return NULL;
    return SSL_group_to_name(ssl, (int)nid);
#else
    (void)ssl;
    *supported = 0;
    return NULL;
#endif
}

/* --- signature schemes -------------------------------------------------- */

#if OPENSSL_VERSION_NUMBER >= 0x30000000L && OPENSSL_VERSION_NUMBER < 0x30500000L
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
   certificate, PSK, TLS 1.2 RSA key exchange) or before the handshake.
   *supported is 0 where this OpenSSL cannot tell (1.1.1). */
const char *ssl_bio_signature_name(SSL *ssl, int peer, int *supported)
{
    *supported = 1;
#if OPENSSL_VERSION_NUMBER >= 0x30500000L
    const char *name = NULL;
    int found = peer ? SSL_get0_peer_signature_name(ssl, &name)
                     : SSL_get0_signature_name(ssl, &name);
    return found ? name : NULL;
#elif OPENSSL_VERSION_NUMBER >= 0x30000000L
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
#else
    (void)ssl;
    (void)peer;
    *supported = 0;
    return NULL;
#endif
}

/* --- what OpenSSL can offer --------------------------------------------- */

/* OpenSSL's built-in signature schemes, colon-separated, for OPENSSL_free();
   NULL with *supported 0 before OpenSSL 3.4, which has no call for it. */
char *ssl_bio_builtin_sigalgs(int *supported)
{
#if OPENSSL_VERSION_NUMBER >= 0x30400000L
    *supported = 1;
    return SSL_get1_builtin_sigalgs(NULL);
#else
    *supported = 0;
    return NULL;
#endif
}

/* The groups this context implements for its protocol versions,
   colon-separated, for OPENSSL_free(); NULL with *supported 0 before
   OpenSSL 3.5, which has no call for it; NULL with *supported 1 on failure. */
char *ssl_bio_implemented_groups(SSL_CTX *ctx, int include_aliases, int *supported)
{
#if OPENSSL_VERSION_NUMBER >= 0x30500000L
    STACK_OF(OPENSSL_CSTRING) *groups = sk_OPENSSL_CSTRING_new_null();
    char *joined = NULL;
    size_t length = 1;
    int i;
    *supported = 1;
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
    *supported = 0;
    return NULL;
#endif
}
