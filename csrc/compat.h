/* The one place that reads OpenSSL's version and build options.

   Everything that differs between the OpenSSL versions ssl_bio supports
   (3.0, 3.5 LTS, 3.6, 4.0; each in CI) is decided here, once, as a macro per
   capability; csrc/compat.c holds the helpers whose bodies differ, and
   branches on these macros only.  Python reads the flags declared in
   csrc/cdef/compat.cdef through ssl_bio/_compat.py and nowhere else.
   tests/test_build.py::test_version_checks_live_in_compat keeps it so. */
#ifndef SSL_BIO_COMPAT_H
#define SSL_BIO_COMPAT_H

#include <openssl/opensslv.h>
#include <openssl/opensslconf.h>

/* 1.1.1 has been end-of-life since September 2023 and lacks calls ssl_bio
   is built on (SSL_set_retry_verify, SSL_get1_peer_certificate, the 3.0
   error API); LibreSSL is a different API. */
#if defined(LIBRESSL_VERSION_NUMBER)
#error "ssl_bio needs OpenSSL 3.0 or newer (CI tests 3.0 and 3.5; 3.6 and 4.0 build); LibreSSL is not supported"
#elif OPENSSL_VERSION_NUMBER < 0x30000000L
#error "ssl_bio needs OpenSSL 3.0 or newer (CI tests 3.0 and 3.5; 3.6 and 4.0 build); OpenSSL 1.1.1 is end-of-life and not supported"
#endif

/* --- Capabilities: 1 where this OpenSSL has the call ------------------- */

/* SSL_get0_group_name() (3.2); before it, compat.c derives the name. */
#if OPENSSL_VERSION_NUMBER >= 0x30200000L
#define SSL_BIO_HAS_GET0_GROUP_NAME 1
#else
#define SSL_BIO_HAS_GET0_GROUP_NAME 0
#endif

/* SSL_get0_signature_name() and SSL_get0_peer_signature_name() (3.5);
   before them, compat.c derives the names from the NIDs. */
#if OPENSSL_VERSION_NUMBER >= 0x30500000L
#define SSL_BIO_HAS_GET0_SIGNATURE_NAME 1
#else
#define SSL_BIO_HAS_GET0_SIGNATURE_NAME 0
#endif

/* SSL_get1_builtin_sigalgs() (3.4): ssl.get_sigalgs(); no way before it. */
#if OPENSSL_VERSION_NUMBER >= 0x30400000L
#define SSL_BIO_HAS_BUILTIN_SIGALGS 1
#else
#define SSL_BIO_HAS_BUILTIN_SIGALGS 0
#endif

/* SSL_CTX_get0_implemented_groups() (3.5): SSLContext.get_groups(). */
#if OPENSSL_VERSION_NUMBER >= 0x30500000L
#define SSL_BIO_HAS_IMPLEMENTED_GROUPS 1
#else
#define SSL_BIO_HAS_IMPLEMENTED_GROUPS 0
#endif

/* Compression (COMP_get_type) is compiled out of most builds. */
#if defined(OPENSSL_NO_COMP)
#define SSL_BIO_HAS_COMPRESSION 0
#else
#define SSL_BIO_HAS_COMPRESSION 1
#endif

/* --- What this OpenSSL was built with (the stdlib's HAS_*) ------------- */

#define SSL_BIO_HAS_SSLv2 0
/* OpenSSL 4.0 removed SSLv3 altogether, and with it OPENSSL_NO_SSL3. */
#if OPENSSL_VERSION_MAJOR >= 4 || defined(OPENSSL_NO_SSL3) || defined(OPENSSL_NO_SSL3_METHOD)
#define SSL_BIO_HAS_SSLv3 0
#else
#define SSL_BIO_HAS_SSLv3 1
#endif
#if defined(OPENSSL_NO_TLS1) || defined(OPENSSL_NO_TLS1_METHOD)
#define SSL_BIO_HAS_TLSv1 0
#else
#define SSL_BIO_HAS_TLSv1 1
#endif
#if defined(OPENSSL_NO_TLS1_1) || defined(OPENSSL_NO_TLS1_1_METHOD)
#define SSL_BIO_HAS_TLSv1_1 0
#else
#define SSL_BIO_HAS_TLSv1_1 1
#endif
#if defined(OPENSSL_NO_TLS1_2) || defined(OPENSSL_NO_TLS1_2_METHOD)
#define SSL_BIO_HAS_TLSv1_2 0
#else
#define SSL_BIO_HAS_TLSv1_2 1
#endif
#if defined(OPENSSL_NO_TLS1_3)
#define SSL_BIO_HAS_TLSv1_3 0
#else
#define SSL_BIO_HAS_TLSv1_3 1
#endif
/* Post-handshake authentication is TLS 1.3's (Python 3.14's HAS_PHA). */
#define SSL_BIO_HAS_PHA SSL_BIO_HAS_TLSv1_3
#if defined(OPENSSL_NO_PSK)
#define SSL_BIO_HAS_PSK 0
#else
#define SSL_BIO_HAS_PSK 1
#endif
#if defined(OPENSSL_NO_PSK) || defined(OPENSSL_NO_EXTERNAL_PSK_TLS13)
#define SSL_BIO_HAS_PSK_TLS13 0
#else
#define SSL_BIO_HAS_PSK_TLS13 1
#endif

#endif /* SSL_BIO_COMPAT_H */
