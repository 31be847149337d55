"""cffi build script for ``ssl_bio._openssl`` (out-of-line, API mode).

``ffibuilder.cdef`` declares exactly the OpenSSL types, constants and functions that
ssl_bio calls, grouped by the OpenSSL header that defines them.  ``set_source``
compiles them against the system's libssl/libcrypto, so every declaration is
checked by the C compiler (API mode), and macros and inline functions work.

The table of OpenSSL error-reason mnemonics (``SSL_R_CERTIFICATE_VERIFY_FAILED``
-> ``"CERTIFICATE_VERIFY_FAILED"``) is generated here, at build time, from the
``<openssl/*err.h>`` headers of the OpenSSL being compiled against, so it always
matches that OpenSSL instead of a hand-typed list.
"""

import os
import re
import shlex
import subprocess
import sysconfig

from cffi import FFI

MISSING_HEADERS = """
ssl_bio: the OpenSSL development headers (<openssl/ssl.h>) were not found.

ssl_bio compiles a small C extension against the system's OpenSSL (3.x, or 1.1.1).
Install the headers and a C compiler, then build again:

    Debian/Ubuntu:   apt-get install libssl-dev gcc
    Fedora/RHEL:     dnf install openssl-devel gcc
    Alpine:          apk add openssl-dev gcc musl-dev
    macOS (brew):    brew install openssl@3, then
                     CFLAGS=-I$(brew --prefix openssl@3)/include
                     LDFLAGS=-L$(brew --prefix openssl@3)/lib

Compiler output:
{detail}
"""

# ---------------------------------------------------------------------------
# Locating OpenSSL's headers and generating the reason-mnemonic table
# ---------------------------------------------------------------------------


def _compiler_command():
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    return shlex.split(cc)


def _user_flags():
    flags = []
    for var in ("CPPFLAGS", "CFLAGS"):
        flags += shlex.split(os.environ.get(var, ""))
    return flags


def find_openssl_include_dir():
    """Return the directory holding ``openssl/ssl.h`` as the compiler sees it.

    Asking the preprocessor (rather than guessing paths) finds exactly the
    headers the extension will be compiled with, including ``CFLAGS=-I...``.
    Exits with an explanation of what to install when they are missing.
    """
    source = "#include <openssl/ssl.h>\n#include <openssl/opensslv.h>\n"
    cmd = _compiler_command() + ["-E", "-x", "c", "-"] + _user_flags()
    try:
        proc = subprocess.run(cmd, input=source, capture_output=True, text=True)
    except OSError as exc:
        raise SystemExit(MISSING_HEADERS.format(detail=f"{cmd[0]}: {exc}")) from None
    if proc.returncode != 0:
        raise SystemExit(MISSING_HEADERS.format(detail=proc.stderr.strip()))
    for match in re.finditer(r'^# \d+ "([^"]*openssl[/\\]ssl\.h)"', proc.stdout, re.M):
        return os.path.dirname(os.path.dirname(match.group(1)))
    raise SystemExit(MISSING_HEADERS.format(detail="could not locate openssl/ssl.h"))


_LIB_RE = re.compile(r"^\s*#\s*define\s+ERR_LIB_([A-Z0-9_]+)\s+\d+", re.M)
_REASON_RE = re.compile(r"^\s*#\s*define\s+([A-Z0-9_]+?)_R_([A-Z0-9_]+)\s+", re.M)


def generate_error_tables(include_dir):
    """C source for the library-name and reason-mnemonic tables.

    Each entry names the OpenSSL macros themselves (``{ERR_LIB_SSL, SSL_R_X, "X"}``),
    so the numeric values come from the compiler, and ``#ifdef`` keeps a
    reason that a configuration compiles out from breaking the build.
    """
    header_dir = os.path.join(include_dir, "openssl")
    with open(os.path.join(header_dir, "err.h")) as f:
        libs = sorted(set(_LIB_RE.findall(f.read())))
    reasons = []
    # Every <openssl/*err.h>, so that each #ifdef below sees its header.
    lines = []
    for name in sorted(os.listdir(header_dir)):
        if not name.endswith("err.h"):
            continue
        lines.append(f"#include <openssl/{name}>")
        with open(os.path.join(header_dir, name), errors="replace") as f:
            text = f.read()
        for prefix, reason in _REASON_RE.findall(text):
            if prefix in libs:
                reasons.append((prefix, reason))
    lines.append("static const struct ssl_bio_name_entry ssl_bio_lib_table[] = {")
    for lib in libs:
        lines.append(f'  {{ERR_LIB_{lib}, 0, "{lib}"}},')
    lines.append("  {0, 0, NULL}\n};")
    lines.append("static const struct ssl_bio_name_entry ssl_bio_reason_table[] = {")
    for prefix, reason in sorted(set(reasons)):
        macro = f"{prefix}_R_{reason}"
        lines.append(f"#ifdef {macro}")
        lines.append(f'  {{ERR_LIB_{prefix}, {macro}, "{reason}"}},')
        lines.append("#endif")
    lines.append("  {0, 0, NULL}\n};")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# cdef: what ssl_bio calls, grouped by OpenSSL header
# ---------------------------------------------------------------------------

CDEF_TYPES = """
/* <openssl/types.h> and friends: opaque handles */
typedef ... SSL_CTX;
typedef ... SSL;
typedef ... SSL_CIPHER;
typedef ... SSL_SESSION;
typedef ... SSL_METHOD;
typedef ... BIO;
typedef ... BIO_METHOD;
typedef ... X509;
typedef ... X509_NAME;
typedef ... X509_NAME_ENTRY;
typedef ... X509_STORE;
typedef ... X509_VERIFY_PARAM;
typedef ... X509_STORE_CTX;
typedef int (*SSL_verify_cb)(int preverify_ok, X509_STORE_CTX *x509_ctx);
typedef ... ASN1_OBJECT;
typedef ... ASN1_TIME;
typedef ... ASN1_INTEGER;
typedef ... COMP_METHOD;
typedef ... GENERAL_NAMES;
typedef ... AUTHORITY_INFO_ACCESS;
typedef ... CRL_DIST_POINTS;
typedef ... Cryptography_STACK_OF_SSL_CIPHER;
typedef ... Cryptography_STACK_OF_X509;
typedef ... DH;
typedef int pem_password_cb(char *buf, int size, int rwflag, void *userdata);

/* <openssl/asn1.h> */
/* ASN1_OCTET_STRING and ASN1_IA5STRING are the same struct: declared as ASN1_STRING */
typedef ... ASN1_STRING;
"""

CDEF = """
/* <openssl/crypto.h> */
unsigned long OpenSSL_version_num(void);
const char *OpenSSL_version(int type);
#define OPENSSL_VERSION ...
void OPENSSL_free(void *);

/* <openssl/rand.h> */
int RAND_bytes(unsigned char *buf, int num);
int RAND_status(void);
void RAND_add(const void *buf, int num, double randomness);

/* <openssl/opensslv.h> */
#define OPENSSL_VERSION_NUMBER ...

/* <openssl/err.h> */
#define ERR_LIB_SSL ...
#define ERR_LIB_X509 ...
#define ERR_LIB_PEM ...
#define ERR_LIB_SYS ...
unsigned long ERR_peek_last_error(void);
void ERR_clear_error(void);
int ERR_GET_LIB(unsigned long e);
int ERR_GET_REASON(unsigned long e);
const char *ERR_reason_error_string(unsigned long e);
const char *ERR_lib_error_string(unsigned long e);

/* <openssl/bio.h> */
const BIO_METHOD *BIO_s_mem(void);
BIO *BIO_new(const BIO_METHOD *type);
BIO *BIO_new_mem_buf(const void *buf, int len);
int BIO_free(BIO *a);
int BIO_up_ref(BIO *a);
int BIO_read(BIO *b, void *data, int dlen);
int BIO_write(BIO *b, const void *data, int dlen);
int BIO_gets(BIO *bp, char *buf, int size);
size_t BIO_ctrl_pending(BIO *b);
long BIO_set_mem_eof_return(BIO *b, int v);
void BIO_set_retry_read(BIO *b);
int BIO_reset(BIO *b);
int BIO_eof(BIO *b);
/* custom BIO_METHOD for BIO objects implemented in Python (foreign BIOs) */
#define BIO_TYPE_SOURCE_SINK ...
#define BIO_CTRL_EOF ...
#define BIO_CTRL_PENDING ...
#define BIO_CTRL_WPENDING ...
#define BIO_CTRL_FLUSH ...
int BIO_get_new_index(void);
BIO_METHOD *BIO_meth_new(int type, const char *name);
int BIO_meth_set_write(BIO_METHOD *biom, int (*write)(BIO *, const char *, int));
int BIO_meth_set_read(BIO_METHOD *biom, int (*read)(BIO *, char *, int));
int BIO_meth_set_ctrl(BIO_METHOD *biom, long (*ctrl)(BIO *, int, long, void *));
void BIO_set_data(BIO *a, void *ptr);
void *BIO_get_data(BIO *a);
void BIO_set_init(BIO *a, int init);
void BIO_clear_retry_flags(BIO *b);

/* <openssl/objects.h> */
#define NID_undef ...
#define NID_subject_alt_name ...
#define NID_info_access ...
#define NID_crl_distribution_points ...
#define NID_ad_OCSP ...
#define NID_ad_ca_issuers ...
int OBJ_obj2txt(char *buf, int buf_len, const ASN1_OBJECT *a, int no_name);
int OBJ_obj2nid(const ASN1_OBJECT *o);
int OBJ_txt2nid(const char *s);
int OBJ_sn2nid(const char *s);
ASN1_OBJECT *OBJ_txt2obj(const char *s, int no_name);
const char *OBJ_nid2sn(int n);
const char *OBJ_nid2ln(int n);
ASN1_OBJECT *OBJ_nid2obj(int n);
void ASN1_OBJECT_free(ASN1_OBJECT *a);

/* <openssl/asn1.h> */
int ASN1_STRING_to_UTF8(unsigned char **out, const ASN1_STRING *in);
int ASN1_STRING_length(const ASN1_STRING *x);
const unsigned char *ASN1_STRING_get0_data(const ASN1_STRING *x);
void ASN1_OCTET_STRING_free(ASN1_STRING *a);
int ASN1_TIME_print(BIO *fp, const ASN1_TIME *a);
int i2a_ASN1_INTEGER(BIO *bp, const ASN1_INTEGER *a);

/* <openssl/x509.h> */
#define X509_FILETYPE_PEM ...
#define X509_FILETYPE_ASN1 ...
#define X509_R_CERT_ALREADY_IN_HASH_TABLE ...
#define X509_V_OK ...
#define X509_V_ERR_HOSTNAME_MISMATCH ...
#define X509_V_ERR_IP_ADDRESS_MISMATCH ...
void X509_free(X509 *a);
int i2d_X509(X509 *a, unsigned char **out);
X509 *d2i_X509_bio(BIO *bp, X509 **x509);
X509_NAME *X509_get_subject_name(const X509 *x);
X509_NAME *X509_get_issuer_name(const X509 *x);
long X509_get_version(const X509 *x);
ASN1_INTEGER *X509_get_serialNumber(X509 *x);
const ASN1_TIME *X509_get0_notBefore(const X509 *x);
const ASN1_TIME *X509_get0_notAfter(const X509 *x);
void *X509_get_ext_d2i(const X509 *x, int nid, int *crit, int *idx);
int X509_NAME_entry_count(const X509_NAME *name);
X509_NAME_ENTRY *X509_NAME_get_entry(const X509_NAME *name, int loc);
int X509_NAME_ENTRY_set(const X509_NAME_ENTRY *ne);
ASN1_OBJECT *X509_NAME_ENTRY_get_object(const X509_NAME_ENTRY *ne);
ASN1_STRING *X509_NAME_ENTRY_get_data(const X509_NAME_ENTRY *ne);
int X509_STORE_add_cert(X509_STORE *ctx, X509 *x);
const char *X509_verify_cert_error_string(long n);
const char *X509_get_default_cert_file_env(void);
const char *X509_get_default_cert_file(void);
const char *X509_get_default_cert_dir_env(void);
const char *X509_get_default_cert_dir(void);
int X509_check_ca(X509 *x);
int sk_X509_num(const Cryptography_STACK_OF_X509 *sk);
X509 *sk_X509_value(const Cryptography_STACK_OF_X509 *sk, int i);

/* <openssl/x509_vfy.h> */
#define X509_V_FLAG_CRL_CHECK ...
#define X509_V_FLAG_CRL_CHECK_ALL ...
#define X509_V_FLAG_X509_STRICT ...
#define X509_V_FLAG_ALLOW_PROXY_CERTS ...
#define X509_V_FLAG_TRUSTED_FIRST ...
#define X509_V_FLAG_PARTIAL_CHAIN ...
#define X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS ...
#define X509_CHECK_FLAG_NEVER_CHECK_SUBJECT ...
int X509_VERIFY_PARAM_set_flags(X509_VERIFY_PARAM *param, unsigned long flags);
int X509_VERIFY_PARAM_clear_flags(X509_VERIFY_PARAM *param, unsigned long flags);
unsigned long X509_VERIFY_PARAM_get_flags(const X509_VERIFY_PARAM *param);
void X509_VERIFY_PARAM_set_hostflags(X509_VERIFY_PARAM *param, unsigned int flags);
int X509_VERIFY_PARAM_set1_host(X509_VERIFY_PARAM *param, const char *name, size_t namelen);
int X509_VERIFY_PARAM_set1_ip(X509_VERIFY_PARAM *param, const unsigned char *ip, size_t iplen);

/* <openssl/x509v3.h> */
#define GEN_OTHERNAME ...
#define GEN_EMAIL ...
#define GEN_DNS ...
#define GEN_X400 ...
#define GEN_DIRNAME ...
#define GEN_EDIPARTY ...
#define GEN_URI ...
#define GEN_IPADD ...
#define GEN_RID ...
typedef ... GENERAL_NAME;
typedef struct {
    ASN1_OBJECT *method;
    GENERAL_NAME *location;
} ACCESS_DESCRIPTION;
typedef ... DIST_POINT;
void *GENERAL_NAME_get0_value(const GENERAL_NAME *a, int *ptype);
int sk_GENERAL_NAME_num(const GENERAL_NAMES *sk);
GENERAL_NAME *sk_GENERAL_NAME_value(const GENERAL_NAMES *sk, int i);
void GENERAL_NAMES_free(GENERAL_NAMES *a);
int GENERAL_NAME_print(BIO *out, GENERAL_NAME *gen);
int sk_ACCESS_DESCRIPTION_num(const AUTHORITY_INFO_ACCESS *sk);
ACCESS_DESCRIPTION *sk_ACCESS_DESCRIPTION_value(const AUTHORITY_INFO_ACCESS *sk, int i);
void AUTHORITY_INFO_ACCESS_free(AUTHORITY_INFO_ACCESS *a);
int sk_DIST_POINT_num(const CRL_DIST_POINTS *sk);
DIST_POINT *sk_DIST_POINT_value(const CRL_DIST_POINTS *sk, int i);
void CRL_DIST_POINTS_free(CRL_DIST_POINTS *a);
ASN1_STRING *a2i_IPADDRESS(const char *ipasc);
int i2t_ASN1_OBJECT(char *buf, int buf_len, const ASN1_OBJECT *a);

/* <openssl/pem.h> */
#define PEM_R_NO_START_LINE ...
X509 *PEM_read_bio_X509(BIO *bp, X509 **x, pem_password_cb *cb, void *u);
DH *PEM_read_bio_DHparams(BIO *bp, DH **x, pem_password_cb *cb, void *u);

/* <openssl/dh.h> */
void DH_free(DH *dh);

/* <openssl/tls1.h> and <openssl/ssl3.h>: protocol versions */
#define SSL3_VERSION ...
#define TLS1_VERSION ...
#define TLS1_1_VERSION ...
#define TLS1_2_VERSION ...
#define TLS1_3_VERSION ...
#define TLSEXT_NAMETYPE_host_name ...

/* <openssl/ssl.h> */
#define SSL_ERROR_NONE ...
#define SSL_ERROR_SSL ...
#define SSL_ERROR_WANT_READ ...
#define SSL_ERROR_WANT_WRITE ...
#define SSL_ERROR_WANT_X509_LOOKUP ...
#define SSL_ERROR_SYSCALL ...
#define SSL_ERROR_ZERO_RETURN ...
#define SSL_ERROR_WANT_CONNECT ...
#define SSL_R_CERTIFICATE_VERIFY_FAILED ...
#define SSL_R_UNEXPECTED_EOF_WHILE_READING ...
#define SSL_VERIFY_NONE ...
#define SSL_VERIFY_PEER ...
#define SSL_VERIFY_FAIL_IF_NO_PEER_CERT ...
#define SSL_VERIFY_CLIENT_ONCE ...
#define SSL_VERIFY_POST_HANDSHAKE ...
#define SSL_RECEIVED_SHUTDOWN ...
#define SSL_SENT_SHUTDOWN ...
#define SSL_FILETYPE_PEM ...
#define SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER ...
#define SSL_MODE_AUTO_RETRY ...
#define SSL_MODE_RELEASE_BUFFERS ...
#define SSL_TLSEXT_ERR_OK ...
#define SSL_TLSEXT_ERR_NOACK ...
#define SSL_TLSEXT_ERR_ALERT_FATAL ...
/* TLS alert descriptions (AlertDescription) */
#define SSL_AD_CLOSE_NOTIFY ...
#define SSL_AD_UNEXPECTED_MESSAGE ...
#define SSL_AD_BAD_RECORD_MAC ...
#define SSL_AD_RECORD_OVERFLOW ...
#define SSL_AD_DECOMPRESSION_FAILURE ...
#define SSL_AD_HANDSHAKE_FAILURE ...
#define SSL_AD_BAD_CERTIFICATE ...
#define SSL_AD_UNSUPPORTED_CERTIFICATE ...
#define SSL_AD_CERTIFICATE_REVOKED ...
#define SSL_AD_CERTIFICATE_EXPIRED ...
#define SSL_AD_CERTIFICATE_UNKNOWN ...
#define SSL_AD_ILLEGAL_PARAMETER ...
#define SSL_AD_UNKNOWN_CA ...
#define SSL_AD_ACCESS_DENIED ...
#define SSL_AD_DECODE_ERROR ...
#define SSL_AD_DECRYPT_ERROR ...
#define SSL_AD_PROTOCOL_VERSION ...
#define SSL_AD_INSUFFICIENT_SECURITY ...
#define SSL_AD_INTERNAL_ERROR ...
#define SSL_AD_USER_CANCELLED ...
#define SSL_AD_NO_RENEGOTIATION ...
#define SSL_AD_UNSUPPORTED_EXTENSION ...
#define SSL_AD_CERTIFICATE_UNOBTAINABLE ...
#define SSL_AD_UNRECOGNIZED_NAME ...
#define SSL_AD_BAD_CERTIFICATE_STATUS_RESPONSE ...
#define SSL_AD_BAD_CERTIFICATE_HASH_VALUE ...
#define SSL_AD_UNKNOWN_PSK_IDENTITY ...
#define OPENSSL_NPN_NEGOTIATED ...
/* record content types and the handshake header (SSLContext._msg_callback) */
#define SSL3_RT_CHANGE_CIPHER_SPEC ...
#define SSL3_RT_ALERT ...
#define SSL3_RT_HANDSHAKE ...
#define SSL3_RT_HEADER ...
#define SSL3_RT_INNER_CONTENT_TYPE ...
#define PSK_MAX_IDENTITY_LEN ...
#define PSK_MAX_PSK_LEN ...

static const uint64_t SSL_OP_ALL;
static const uint64_t SSL_OP_NO_SSLv2;
static const uint64_t SSL_OP_NO_SSLv3;
static const uint64_t SSL_OP_NO_TLSv1;
static const uint64_t SSL_OP_NO_TLSv1_1;
static const uint64_t SSL_OP_NO_TLSv1_2;
static const uint64_t SSL_OP_NO_TLSv1_3;
static const uint64_t SSL_OP_CIPHER_SERVER_PREFERENCE;
static const uint64_t SSL_OP_SINGLE_DH_USE;
static const uint64_t SSL_OP_SINGLE_ECDH_USE;
static const uint64_t SSL_OP_NO_COMPRESSION;
static const uint64_t SSL_OP_NO_TICKET;
static const uint64_t SSL_OP_NO_RENEGOTIATION;
static const uint64_t SSL_OP_ENABLE_MIDDLEBOX_COMPAT;
static const uint64_t SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS;
static const uint64_t SSL_OP_LEGACY_SERVER_CONNECT;
/* OpenSSL 3.0 only; 0 where the OpenSSL we build against lacks them */
static const uint64_t SSL_OP_IGNORE_UNEXPECTED_EOF;
static const uint64_t SSL_OP_ENABLE_KTLS;

const SSL_METHOD *TLS_method(void);
const SSL_METHOD *TLS_client_method(void);
const SSL_METHOD *TLS_server_method(void);

SSL_CTX *SSL_CTX_new(const SSL_METHOD *method);
void SSL_CTX_free(SSL_CTX *ctx);
uint64_t SSL_CTX_get_options(const SSL_CTX *ctx);
uint64_t SSL_CTX_set_options(SSL_CTX *ctx, uint64_t op);
uint64_t SSL_CTX_clear_options(SSL_CTX *ctx, uint64_t op);
long SSL_CTX_set_mode(SSL_CTX *ctx, long mode);
int SSL_CTX_get_verify_mode(const SSL_CTX *ctx);
void SSL_CTX_set_verify(SSL_CTX *ctx, int mode, SSL_verify_cb verify_callback);
SSL_verify_cb SSL_CTX_get_verify_callback(const SSL_CTX *ctx);
int SSL_CTX_set_cipher_list(SSL_CTX *ctx, const char *str);
int SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version);
int SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version);
int SSL_CTX_get_min_proto_version(SSL_CTX *ctx);
int SSL_CTX_get_max_proto_version(SSL_CTX *ctx);
int SSL_CTX_set_session_id_context(SSL_CTX *ctx, const unsigned char *sid_ctx,
                                   unsigned int sid_ctx_len);
X509_VERIFY_PARAM *SSL_CTX_get0_param(SSL_CTX *ctx);
X509_STORE *SSL_CTX_get_cert_store(const SSL_CTX *ctx);
int SSL_CTX_use_certificate_chain_file(SSL_CTX *ctx, const char *file);
int SSL_CTX_use_PrivateKey_file(SSL_CTX *ctx, const char *file, int type);
int SSL_CTX_check_private_key(const SSL_CTX *ctx);
void SSL_CTX_set_default_passwd_cb(SSL_CTX *ctx, pem_password_cb *cb);
void SSL_CTX_set_default_passwd_cb_userdata(SSL_CTX *ctx, void *u);
pem_password_cb *SSL_CTX_get_default_passwd_cb(SSL_CTX *ctx);
void *SSL_CTX_get_default_passwd_cb_userdata(SSL_CTX *ctx);
int SSL_CTX_load_verify_locations(SSL_CTX *ctx, const char *CAfile, const char *CApath);
int SSL_CTX_set_default_verify_paths(SSL_CTX *ctx);
int SSL_CTX_set_alpn_protos(SSL_CTX *ctx, const unsigned char *protos,
                            unsigned int protos_len);
void SSL_CTX_set_post_handshake_auth(SSL_CTX *ctx, int val);
int SSL_CTX_set_num_tickets(SSL_CTX *ctx, size_t num_tickets);
size_t SSL_CTX_get_num_tickets(const SSL_CTX *ctx);
int SSL_CTX_get_security_level(const SSL_CTX *ctx);
int SSL_CTX_set1_groups(SSL_CTX *ctx, int *glist, int glistlen);
long SSL_CTX_set_tmp_dh(SSL_CTX *ctx, DH *dh);
void SSL_CTX_set_keylog_callback(SSL_CTX *ctx, void (*cb)(const SSL *ssl, const char *line));
void SSL_CTX_set_msg_callback(SSL_CTX *ctx,
                              void (*cb)(int write_p, int version, int content_type,
                                         const void *buf, size_t len, SSL *ssl, void *arg));
/* session cache counters (macros over SSL_CTX_ctrl) */
long SSL_CTX_sess_number(SSL_CTX *ctx);
long SSL_CTX_sess_connect(SSL_CTX *ctx);
long SSL_CTX_sess_connect_good(SSL_CTX *ctx);
long SSL_CTX_sess_connect_renegotiate(SSL_CTX *ctx);
long SSL_CTX_sess_accept(SSL_CTX *ctx);
long SSL_CTX_sess_accept_good(SSL_CTX *ctx);
long SSL_CTX_sess_accept_renegotiate(SSL_CTX *ctx);
long SSL_CTX_sess_hits(SSL_CTX *ctx);
long SSL_CTX_sess_misses(SSL_CTX *ctx);
long SSL_CTX_sess_timeouts(SSL_CTX *ctx);
long SSL_CTX_sess_cache_full(SSL_CTX *ctx);

SSL *SSL_new(SSL_CTX *ctx);
void SSL_free(SSL *ssl);
void SSL_set_bio(SSL *ssl, BIO *rbio, BIO *wbio);
long SSL_set_mode(SSL *ssl, long mode);
void SSL_set_connect_state(SSL *ssl);
void SSL_set_accept_state(SSL *ssl);
SSL_CTX *SSL_get_SSL_CTX(const SSL *ssl);
SSL_CTX *SSL_set_SSL_CTX(SSL *ssl, SSL_CTX *ctx);
X509_VERIFY_PARAM *SSL_get0_param(SSL *ssl);
long SSL_set_tlsext_host_name(SSL *s, const char *name);
const char *SSL_get_servername(const SSL *s, const int type);
long SSL_CTX_set_tlsext_servername_callback(SSL_CTX *ctx, int (*cb)(SSL *, int *, void *));
long SSL_CTX_set_tlsext_servername_arg(SSL_CTX *ctx, void *arg);
int SSL_set_app_data(SSL *ssl, void *arg);
void *SSL_get_app_data(const SSL *ssl);
int SSL_do_handshake(SSL *ssl);
int SSL_read_ex(SSL *ssl, void *buf, size_t num, size_t *readbytes);
int SSL_write_ex(SSL *s, const void *buf, size_t num, size_t *written);
int SSL_pending(const SSL *ssl);
int SSL_free_buffers(SSL *ssl);
int SSL_shutdown(SSL *ssl);
int SSL_get_shutdown(const SSL *ssl);
void SSL_set_read_ahead(SSL *s, int yes);
int SSL_get_error(const SSL *ssl, int ret);
int SSL_is_init_finished(const SSL *s);
long SSL_get_verify_result(const SSL *ssl);
const char *SSL_get_version(const SSL *ssl);
const SSL_CIPHER *SSL_get_current_cipher(const SSL *ssl);
Cryptography_STACK_OF_SSL_CIPHER *SSL_get_ciphers(const SSL *ssl);
Cryptography_STACK_OF_SSL_CIPHER *SSL_get_client_ciphers(const SSL *ssl);
int sk_SSL_CIPHER_num(const Cryptography_STACK_OF_SSL_CIPHER *sk);
const SSL_CIPHER *sk_SSL_CIPHER_value(const Cryptography_STACK_OF_SSL_CIPHER *sk, int i);
const char *SSL_CIPHER_get_name(const SSL_CIPHER *c);
const char *SSL_CIPHER_get_version(const SSL_CIPHER *c);
int SSL_CIPHER_get_bits(const SSL_CIPHER *c, int *alg_bits);
uint32_t SSL_CIPHER_get_id(const SSL_CIPHER *c);
char *SSL_CIPHER_description(const SSL_CIPHER *c, char *buf, int size);
int SSL_CIPHER_is_aead(const SSL_CIPHER *c);
int SSL_CIPHER_get_cipher_nid(const SSL_CIPHER *c);
int SSL_CIPHER_get_digest_nid(const SSL_CIPHER *c);
int SSL_CIPHER_get_kx_nid(const SSL_CIPHER *c);
int SSL_CIPHER_get_auth_nid(const SSL_CIPHER *c);
void SSL_get0_alpn_selected(const SSL *ssl, const unsigned char **data, unsigned int *len);
size_t SSL_get_finished(const SSL *ssl, void *buf, size_t count);
size_t SSL_get_peer_finished(const SSL *ssl, void *buf, size_t count);
int SSL_session_reused(const SSL *s);
void SSL_set_post_handshake_auth(SSL *s, int val);
int SSL_set_session_id_context(SSL *ssl, const unsigned char *sid_ctx, unsigned int sid_ctx_len);
int SSL_verify_client_post_handshake(SSL *s);
Cryptography_STACK_OF_X509 *SSL_get_peer_cert_chain(const SSL *s);
Cryptography_STACK_OF_X509 *SSL_get0_verified_chain(const SSL *s);
int SSL_get_verify_mode(const SSL *s);
void SSL_set_verify(SSL *s, int mode, SSL_verify_cb verify_callback);
SSL_verify_cb SSL_get_verify_callback(const SSL *s);
SSL_SESSION *SSL_get1_session(SSL *ssl);
int SSL_set_session(SSL *ssl, SSL_SESSION *session);
void SSL_SESSION_free(SSL_SESSION *session);
long SSL_SESSION_get_time(const SSL_SESSION *s);
long SSL_SESSION_get_timeout(const SSL_SESSION *s);
unsigned long SSL_SESSION_get_ticket_lifetime_hint(const SSL_SESSION *s);
const unsigned char *SSL_SESSION_get_id(const SSL_SESSION *s, unsigned int *len);
int SSL_SESSION_has_ticket(const SSL_SESSION *s);
/* SSL_get_peer_certificate on OpenSSL 1.1.1, aliased in set_source */
X509 *SSL_get1_peer_certificate(const SSL *ssl);

/* ssl_bio's own helpers, defined in set_source below */
struct ssl_bio_name_entry { int lib; int reason; const char *name; };
const struct ssl_bio_name_entry *ssl_bio_lib_names(void);
const struct ssl_bio_name_entry *ssl_bio_reason_names(void);
int ssl_bio_compression_nid(const SSL *ssl);
int ssl_bio_may_handshake(const SSL *ssl);
void ssl_bio_free_ssl(SSL *ssl);

/* ssl_bio's locks, and the MemoryBIO and SSLObject calls that take them */
typedef struct ssl_bio_lock ssl_bio_lock;
ssl_bio_lock *ssl_bio_lock_new(void);
void ssl_bio_lock_free(ssl_bio_lock *lock);
typedef struct { BIO *bio; ssl_bio_lock *lock; } ssl_bio_memory;
int ssl_bio_memory_pending(const ssl_bio_memory *memory);
int ssl_bio_memory_read(const ssl_bio_memory *memory, char *buf, int size, int capacity);
int ssl_bio_memory_write(const ssl_bio_memory *memory, const char *data, int len);
void ssl_bio_memory_write_eof(const ssl_bio_memory *memory);
typedef struct { SSL *ssl; ssl_bio_lock *first; ssl_bio_lock *second; } ssl_bio_connection;
void ssl_bio_connection_lock(const ssl_bio_connection *connection);
void ssl_bio_connection_unlock(const ssl_bio_connection *connection);
long ssl_bio_connection_read(const ssl_bio_connection *connection, char *buf, size_t num);
long ssl_bio_connection_write(const ssl_bio_connection *connection, const char *buf, size_t num);
int ssl_bio_handshake(SSL *ssl);
int ssl_bio_shutdown(SSL *ssl);
GENERAL_NAMES *ssl_bio_dist_point_full_name(DIST_POINT *dp);
int ssl_bio_select_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                        const unsigned char *in, unsigned int inlen, void *arg);
void ssl_bio_set_alpn_select(SSL_CTX *ctx, const unsigned char *protos);
int ssl_bio_store_stats(X509_STORE *store, int *x509, int *crl, int *x509_ca);
Cryptography_STACK_OF_X509 *ssl_bio_store_ca_certs(X509_STORE *store);
void ssl_bio_free_x509_stack(Cryptography_STACK_OF_X509 *certs);
int ssl_bio_set_psk_client_callback(SSL_CTX *ctx, int enable);
int ssl_bio_set_psk_server_callback(SSL_CTX *ctx, int enable, const char *identity_hint);
static const int SSL_BIO_HAS_SSLv2;
static const int SSL_BIO_HAS_SSLv3;
static const int SSL_BIO_HAS_TLSv1;
static const int SSL_BIO_HAS_TLSv1_1;
static const int SSL_BIO_HAS_TLSv1_2;
static const int SSL_BIO_HAS_TLSv1_3;
static const int SSL_BIO_HAS_PSK;
static const int SSL_BIO_HAS_PHA;

/* Callbacks into Python: see ssl_bio/_callbacks.py */
extern "Python" int ssl_bio_password_callback(char *buf, int size, int rwflag, void *userdata);
extern "Python" int ssl_bio_servername_callback(SSL *ssl, int *alert, void *arg);
extern "Python" void ssl_bio_keylog_callback(const SSL *ssl, const char *line);
extern "Python" void ssl_bio_msg_callback(int write_p, int version, int content_type,
                                          const void *buf, size_t len, SSL *ssl, void *arg);
extern "Python" unsigned int ssl_bio_psk_client_callback(
    SSL *ssl, const char *hint, char *identity, unsigned int max_identity_len,
    unsigned char *psk, unsigned int max_psk_len);
extern "Python" unsigned int ssl_bio_psk_server_callback(
    SSL *ssl, const char *identity, unsigned char *psk, unsigned int max_psk_len);
extern "Python" int ssl_bio_foreign_read(BIO *bio, char *buf, int size);
extern "Python" int ssl_bio_foreign_write(BIO *bio, const char *buf, int size);
extern "Python" long ssl_bio_foreign_ctrl(BIO *bio, int cmd, long num, void *ptr);
"""

SOURCE_PRELUDE = r"""
/* load_dh_params() keeps the stdlib's DH calls, deprecated in OpenSSL 3 */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/opensslv.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/asn1.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/tls1.h>
#include <openssl/comp.h>
#include <openssl/dh.h>
#include <pthread.h>
#include <stdlib.h>

#if OPENSSL_VERSION_NUMBER < 0x10101000L
#error "ssl_bio needs OpenSSL 1.1.1 or newer"
#endif

#if OPENSSL_VERSION_NUMBER < 0x30000000L
/* OpenSSL 1.1.1: the 3.0 name of this call, and options that do not exist */
#define SSL_get1_peer_certificate SSL_get_peer_certificate
#endif
#ifndef SSL_OP_IGNORE_UNEXPECTED_EOF
#define SSL_OP_IGNORE_UNEXPECTED_EOF 0
#endif
#ifndef SSL_OP_ENABLE_KTLS
#define SSL_OP_ENABLE_KTLS 0
#endif
#ifndef SSL_R_UNEXPECTED_EOF_WHILE_READING
#define SSL_R_UNEXPECTED_EOF_WHILE_READING -1
#endif

typedef STACK_OF(SSL_CIPHER) Cryptography_STACK_OF_SSL_CIPHER;
typedef STACK_OF(X509) Cryptography_STACK_OF_X509;
#ifndef SSL3_RT_HEADER
#define SSL3_RT_HEADER 0x100
#endif
#ifndef SSL3_RT_INNER_CONTENT_TYPE
#define SSL3_RT_INNER_CONTENT_TYPE 0x101
#endif
#ifndef PSK_MAX_IDENTITY_LEN
#define PSK_MAX_IDENTITY_LEN 256
#endif
#ifndef PSK_MAX_PSK_LEN
#define PSK_MAX_PSK_LEN 512
#endif

static const int SSL_BIO_HAS_SSLv2 = 0;
#if defined(OPENSSL_NO_SSL3) || defined(OPENSSL_NO_SSL3_METHOD)
static const int SSL_BIO_HAS_SSLv3 = 0;
#else
static const int SSL_BIO_HAS_SSLv3 = 1;
#endif
#if defined(OPENSSL_NO_TLS1) || defined(OPENSSL_NO_TLS1_METHOD)
static const int SSL_BIO_HAS_TLSv1 = 0;
#else
static const int SSL_BIO_HAS_TLSv1 = 1;
#endif
#if defined(OPENSSL_NO_TLS1_1) || defined(OPENSSL_NO_TLS1_1_METHOD)
static const int SSL_BIO_HAS_TLSv1_1 = 0;
#else
static const int SSL_BIO_HAS_TLSv1_1 = 1;
#endif
#if defined(OPENSSL_NO_TLS1_2) || defined(OPENSSL_NO_TLS1_2_METHOD)
static const int SSL_BIO_HAS_TLSv1_2 = 0;
#else
static const int SSL_BIO_HAS_TLSv1_2 = 1;
#endif
#if defined(OPENSSL_NO_TLS1_3)
static const int SSL_BIO_HAS_TLSv1_3 = 0;
#else
static const int SSL_BIO_HAS_TLSv1_3 = 1;
#endif
#if defined(OPENSSL_NO_PSK)
static const int SSL_BIO_HAS_PSK = 0;
#else
static const int SSL_BIO_HAS_PSK = 1;
#endif
static const int SSL_BIO_HAS_PHA = SSL_BIO_HAS_TLSv1_3;

struct ssl_bio_name_entry { int lib; int reason; const char *name; };
"""

SOURCE_HELPERS = r"""
static const struct ssl_bio_name_entry *ssl_bio_lib_names(void)
{
    return ssl_bio_lib_table;
}

static const struct ssl_bio_name_entry *ssl_bio_reason_names(void)
{
    return ssl_bio_reason_table;
}

/* The destructor of every SSL ssl_bio makes.  A Python object is dropped,
   not shut down; without the shutdown flags SSL_free would remove the
   session from the cache and mark it not resumable, and ssl_bio shares
   sessions with SSLSession objects instead of copying them. */
static void ssl_bio_free_ssl(SSL *ssl)
{
    SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(ssl);
}

/* The handshake and shutdown calls of SSLObject: ERR_clear_error() and the
   call in one crossing, as every call into C costs the Python side a GIL
   release and reacquire.  (read and write: ssl_bio_connection_*.) */
static int ssl_bio_handshake(SSL *ssl)
{
    ERR_clear_error();
    return SSL_do_handshake(ssl);
}

static int ssl_bio_shutdown(SSL *ssl)
{
    ERR_clear_error();
    return SSL_shutdown(ssl);
}

/* Locks taken in C.  cffi releases the GIL in every call, and neither a
   memory BIO nor an SSL may be used by two threads at once, so a MemoryBIO
   holds its lock around each call, and an SSLObject the locks of both its
   BIOs around each of its own.  Taken here, in the same crossing as the
   call, a lock costs a few dozen instructions; a Python lock costs a
   with-block (about 2,000 instructions on CPython 3.11), and an echo round
   trip takes twelve (bench/RESULTS.md).  Blocking here holds no GIL.
   Recursive, because Python callbacks that run inside a call (a foreign
   BIO, a message callback) may use the same objects on the same thread. */
typedef struct ssl_bio_lock {
    pthread_mutex_t mutex;
} ssl_bio_lock;

typedef struct { BIO *bio; ssl_bio_lock *lock; } ssl_bio_memory;
typedef struct { SSL *ssl; ssl_bio_lock *first; ssl_bio_lock *second; } ssl_bio_connection;

static ssl_bio_lock *ssl_bio_lock_new(void)
{
    pthread_mutexattr_t attributes;
    ssl_bio_lock *lock = malloc(sizeof(*lock));
    if (lock == NULL)
        return NULL;
    if (pthread_mutexattr_init(&attributes) != 0) {
        free(lock);
        return NULL;
    }
    if (pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_RECURSIVE) != 0
        || pthread_mutex_init(&lock->mutex, &attributes) != 0) {
        pthread_mutexattr_destroy(&attributes);
        free(lock);
        return NULL;
    }
    pthread_mutexattr_destroy(&attributes);
    return lock;
}

static void ssl_bio_lock_free(ssl_bio_lock *lock)
{
    pthread_mutex_destroy(&lock->mutex);
    free(lock);
}

static int ssl_bio_memory_pending(const ssl_bio_memory *memory)
{
    size_t pending;
    pthread_mutex_lock(&memory->lock->mutex);
    pending = BIO_ctrl_pending(memory->bio);
    pthread_mutex_unlock(&memory->lock->mutex);
    return (int)pending;
}

/* MemoryBIO.read(): at most size bytes, never more than are pending, into
   buf.  Returns the count; or, when more than capacity bytes are to be read,
   reads nothing and returns minus that number (below -1: the caller gets a
   buffer that large and asks again); -1 if BIO_read failed. */
static int ssl_bio_memory_read(const ssl_bio_memory *memory, char *buf, int size, int capacity)
{
    int result;
    size_t pending;
    pthread_mutex_lock(&memory->lock->mutex);
    pending = BIO_ctrl_pending(memory->bio);
    if ((size_t)size > pending)
        size = (int)pending;
    if (size == 0)
        result = 0;
    else if (size > capacity)
        result = -size;
    else if ((result = BIO_read(memory->bio, buf, size)) <= 0)
        result = -1;
    pthread_mutex_unlock(&memory->lock->mutex);
    return result;
}

static int ssl_bio_memory_write(const ssl_bio_memory *memory, const char *data, int len)
{
    int result;
    pthread_mutex_lock(&memory->lock->mutex);
    result = BIO_write(memory->bio, data, len);
    pthread_mutex_unlock(&memory->lock->mutex);
    return result;
}

/* MemoryBIO.write_eof(): from now on an empty BIO reports EOF (0) instead
   of "retry" (-1). */
static void ssl_bio_memory_write_eof(const ssl_bio_memory *memory)
{
    pthread_mutex_lock(&memory->lock->mutex);
    BIO_set_mem_eof_return(memory->bio, 0);
    pthread_mutex_unlock(&memory->lock->mutex);
}

/* first and second are ordered by address (SSLObject._create), one order
   for every thread; they may be the same lock. */
static void ssl_bio_connection_lock(const ssl_bio_connection *connection)
{
    pthread_mutex_lock(&connection->first->mutex);
    if (connection->second != connection->first)
        pthread_mutex_lock(&connection->second->mutex);
}

static void ssl_bio_connection_unlock(const ssl_bio_connection *connection)
{
    if (connection->second != connection->first)
        pthread_mutex_unlock(&connection->second->mutex);
    pthread_mutex_unlock(&connection->first->mutex);
}

/* SSLObject.read() and write() under the connection's locks.  Return the
   byte count, or minus SSL_get_error()'s answer.  read() returns 0 for a
   clean EOF (the peer's close_notify, ours not sent yet), and gives the
   record buffers back when it runs out of input: an idle connection keeps
   no 16 KiB buffer (SSL_MODE_RELEASE_BUFFERS misses a read that processed
   only handshake messages, such as TLS 1.3 session tickets; bench W5). */
static long ssl_bio_connection_read(const ssl_bio_connection *connection, char *buf, size_t num)
{
    size_t count = 0;
    long result;
    SSL *ssl = connection->ssl;
    ssl_bio_connection_lock(connection);
    ERR_clear_error();
    if (SSL_read_ex(ssl, buf, num, &count)) {
        result = (long)count;
    } else {
        int error = SSL_get_error(ssl, 0);
        if (error == SSL_ERROR_WANT_READ)
            SSL_free_buffers(ssl);
        if (error == SSL_ERROR_ZERO_RETURN && SSL_get_shutdown(ssl) == SSL_RECEIVED_SHUTDOWN) {
            ERR_clear_error();
            result = 0;
        } else {
            result = -(long)error;
        }
    }
    ssl_bio_connection_unlock(connection);
    return result;
}

static long ssl_bio_connection_write(const ssl_bio_connection *connection, const char *buf,
                                     size_t num)
{
    size_t count = 0;
    long result;
    ssl_bio_connection_lock(connection);
    ERR_clear_error();
    if (SSL_write_ex(connection->ssl, buf, num, &count))
        result = (long)count;
    else
        result = -(long)SSL_get_error(connection->ssl, 0);
    ssl_bio_connection_unlock(connection);
    return result;
}

/* COMP_get_type is compiled out of OpenSSL builds without compression. */
static int ssl_bio_compression_nid(const SSL *ssl)
{
#ifdef OPENSSL_NO_COMP
    (void)ssl;
    return NID_undef;
#else
    const COMP_METHOD *method = SSL_get_current_compression((SSL *)ssl);
    return method == NULL ? NID_undef : COMP_get_type(method);
#endif
}

/* Whether a read or write on this connection can still run handshake code
   (which reads the SSL_CTX): before the handshake has finished, and after it
   for renegotiation -- TLS 1.2 and older only, a client unless
   OP_NO_RENEGOTIATION, a server only if it allows client renegotiation. */
static int ssl_bio_may_handshake(const SSL *ssl)
{
    uint64_t options = SSL_get_options(ssl);
    if (!SSL_is_init_finished(ssl))
        return 1;
    if (SSL_version(ssl) >= TLS1_3_VERSION || (options & SSL_OP_NO_RENEGOTIATION))
        return 0;
    if (SSL_is_server(ssl)) {
#ifdef SSL_OP_ALLOW_CLIENT_RENEGOTIATION
        return (options & SSL_OP_ALLOW_CLIENT_RENEGOTIATION) != 0;
#else
        return 1;
#endif
    }
    return 1;
}

/* The URIs of a CRL distribution point live in an anonymous union that
   cffi cannot declare partially; NULL for an empty or relative name
   (CVE-2019-5010). */
static GENERAL_NAMES *ssl_bio_dist_point_full_name(DIST_POINT *dp)
{
    if (dp->distpoint == NULL || dp->distpoint->type != 0)
        return NULL;
    return dp->distpoint->name.fullname;
}

/* ALPN selection needs no Python: server preference order, as the stdlib.
   `arg` is the context's wire-format list, a length-prefixed buffer
   (4-byte native unsigned int, then the protocols) kept alive by the
   Python SSLContext for as long as it is installed. */
static int ssl_bio_select_alpn(SSL *ssl, const unsigned char **out,
                               unsigned char *outlen, const unsigned char *in,
                               unsigned int inlen, void *arg)
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
    if (SSL_select_next_proto((unsigned char **)out, outlen, server, server_len,
                              in, inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    return SSL_TLSEXT_ERR_OK;
}

static void ssl_bio_set_alpn_select(SSL_CTX *ctx, const unsigned char *protos)
{
    SSL_CTX_set_alpn_select_cb(ctx, ssl_bio_select_alpn, (void *)protos);
}

/* cert_store_stats(): counted with the store locked, as OpenSSL's own
   lookups may add to it from another thread. */
static int ssl_bio_store_stats(X509_STORE *store, int *x509, int *crl, int *x509_ca)
{
    STACK_OF(X509_OBJECT) *objects;
    int i;
    *x509 = *crl = *x509_ca = 0;
    if (!X509_STORE_lock(store))
        return 0;
    objects = X509_STORE_get0_objects(store);
    for (i = 0; i < sk_X509_OBJECT_num(objects); i++) {
        X509_OBJECT *object = sk_X509_OBJECT_value(objects, i);
        switch (X509_OBJECT_get_type(object)) {
        case X509_LU_X509:
            (*x509)++;
            if (X509_check_ca(X509_OBJECT_get0_X509(object)))
                (*x509_ca)++;
            break;
        case X509_LU_CRL:
            (*crl)++;
            break;
        default:
            break;
        }
    }
    X509_STORE_unlock(store);
    return 1;
}

/* get_ca_certs(): a new stack holding a reference to each CA certificate of
   the store, so the caller can decode them after the lock is released.
   NULL on allocation failure. */
static STACK_OF(X509) *ssl_bio_store_ca_certs(X509_STORE *store)
{
    STACK_OF(X509_OBJECT) *objects;
    STACK_OF(X509) *certs = sk_X509_new_null();
    int i;
    if (certs == NULL || !X509_STORE_lock(store)) {
        sk_X509_free(certs);
        return NULL;
    }
    objects = X509_STORE_get0_objects(store);
    for (i = 0; i < sk_X509_OBJECT_num(objects); i++) {
        X509_OBJECT *object = sk_X509_OBJECT_value(objects, i);
        X509 *cert;
        if (X509_OBJECT_get_type(object) != X509_LU_X509)
            continue;
        cert = X509_OBJECT_get0_X509(object);
        if (!X509_check_ca(cert))
            continue;
        if (!X509_up_ref(cert))
            break;
        if (!sk_X509_push(certs, cert)) {
            X509_free(cert);
            break;
        }
    }
    X509_STORE_unlock(store);
    if (i < sk_X509_OBJECT_num(objects)) {
        sk_X509_pop_free(certs, X509_free);
        return NULL;
    }
    return certs;
}

static void ssl_bio_free_x509_stack(STACK_OF(X509) *certs)
{
    sk_X509_pop_free(certs, X509_free);
}

/* PSK callbacks, or 0 where OpenSSL was built without PSK.  cffi defines
   the extern "Python" functions after this code: declared here first. */
static unsigned int ssl_bio_psk_client_callback(
    SSL *ssl, const char *hint, char *identity, unsigned int max_identity_len,
    unsigned char *psk, unsigned int max_psk_len);
static unsigned int ssl_bio_psk_server_callback(
    SSL *ssl, const char *identity, unsigned char *psk, unsigned int max_psk_len);

static int ssl_bio_set_psk_client_callback(SSL_CTX *ctx, int enable)
{
#ifdef OPENSSL_NO_PSK
    (void)ctx; (void)enable;
    return 0;
#else
    SSL_CTX_set_psk_client_callback(ctx, enable ? ssl_bio_psk_client_callback : NULL);
    return 1;
#endif
}

static int ssl_bio_set_psk_server_callback(SSL_CTX *ctx, int enable, const char *identity_hint)
{
#ifdef OPENSSL_NO_PSK
    (void)ctx; (void)enable; (void)identity_hint;
    return 0;
#else
    if (SSL_CTX_use_psk_identity_hint(ctx, identity_hint) != 1)
        return -1;
    SSL_CTX_set_psk_server_callback(ctx, enable ? ssl_bio_psk_server_callback : NULL);
    return 1;
#endif
}
"""


def build_ffi():
    include_dir = find_openssl_include_dir()
    builder = FFI()
    builder.cdef(CDEF_TYPES + CDEF)
    builder.set_source(
        "ssl_bio._openssl",
        SOURCE_PRELUDE + generate_error_tables(include_dir) + SOURCE_HELPERS,
        libraries=["ssl", "crypto"],
    )
    return builder


ffibuilder = build_ffi()

if __name__ == "__main__":
    # Build in place for development: python build_ffi.py
    ffibuilder.compile(tmpdir=os.path.dirname(os.path.abspath(__file__)), verbose=True)
