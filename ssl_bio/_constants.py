"""Constants and enums, with the stdlib ``ssl`` module's names and values.

Numeric values come from the OpenSSL that ssl_bio was compiled against (as the
stdlib's come from the one ``_ssl`` was compiled against), so ``OP_*`` and
``VERIFY_*`` flags mean the same thing to both.
"""

from collections import namedtuple
from enum import Enum, IntEnum, IntFlag
from types import SimpleNamespace
from typing import TYPE_CHECKING

from ._args import as_c_int
from ._binding import ffi, lib

__all__ = [
    "get_protocol_name",
    "OPENSSL_VERSION",
    "OPENSSL_VERSION_INFO",
    "OPENSSL_VERSION_NUMBER",
    "HAS_SNI",
    "HAS_ALPN",
    "HAS_NPN",
    "HAS_ECDH",
    "HAS_NEVER_CHECK_COMMON_NAME",
    "HAS_SSLv2",
    "HAS_SSLv3",
    "HAS_TLSv1",
    "HAS_TLSv1_1",
    "HAS_TLSv1_2",
    "HAS_TLSv1_3",
    "HAS_PSK",
    "HAS_PSK_TLS13",
    "HAS_PHA",
    "CHANNEL_BINDING_TYPES",
    "PROTOCOL_TLS",
    "PROTOCOL_SSLv23",
    "PROTOCOL_TLSv1",
    "PROTOCOL_TLSv1_1",
    "PROTOCOL_TLSv1_2",
    "PROTOCOL_TLS_CLIENT",
    "PROTOCOL_TLS_SERVER",
    "TLSVersion",
    "VerifyMode",
    "CERT_NONE",
    "CERT_OPTIONAL",
    "CERT_REQUIRED",
    "VerifyFlags",
    "VERIFY_DEFAULT",
    "VERIFY_CRL_CHECK_LEAF",
    "VERIFY_CRL_CHECK_CHAIN",
    "VERIFY_X509_STRICT",
    "VERIFY_ALLOW_PROXY_CERTS",
    "VERIFY_X509_TRUSTED_FIRST",
    "VERIFY_X509_PARTIAL_CHAIN",
    "Options",  # and every OP_* name, added below
    "SSLErrorNumber",
    "AlertDescription",  # and every ALERT_DESCRIPTION_* name, added below
    "SSL_ERROR_SSL",
    "SSL_ERROR_WANT_READ",
    "SSL_ERROR_WANT_WRITE",
    "SSL_ERROR_WANT_X509_LOOKUP",
    "SSL_ERROR_SYSCALL",
    "SSL_ERROR_ZERO_RETURN",
    "SSL_ERROR_WANT_CONNECT",
    "SSL_ERROR_EOF",
    "SSL_ERROR_INVALID_ERROR_CODE",
    "Purpose",
]

# --- OpenSSL version ---------------------------------------------------------


def _parse_version_number(number):
    """(major, minor, fix, patch, status), as the stdlib's OPENSSL_VERSION_INFO."""
    status = number & 0xF
    number >>= 4
    patch = number & 0xFF
    number >>= 8
    fix = number & 0xFF
    number >>= 8
    minor = number & 0xFF
    number >>= 8
    major = number & 0xFF
    return (major, minor, fix, patch, status)


OPENSSL_VERSION_NUMBER = lib.OpenSSL_version_num()
OPENSSL_VERSION_INFO = _parse_version_number(OPENSSL_VERSION_NUMBER)
OPENSSL_VERSION = ffi.string(lib.OpenSSL_version(lib.OPENSSL_VERSION)).decode("ascii")
# The version ssl_bio was compiled against (the stdlib's _OPENSSL_API_VERSION).
_OPENSSL_API_VERSION = _parse_version_number(lib.OPENSSL_VERSION_NUMBER)

# --- Feature flags -----------------------------------------------------------

HAS_SNI = True
HAS_ALPN = True
HAS_NPN = False
HAS_ECDH = True
HAS_NEVER_CHECK_COMMON_NAME = True
# From csrc/compat.h, through _compat (as Lib/ssl.py takes its HAS_* from _ssl);
# HAS_PSK_TLS13 is Python 3.15's: TLS 1.3 handshakes with set_psk_*_callback keys.
from ._compat import (  # noqa: E402
    HAS_PHA,
    HAS_PSK,
    HAS_PSK_TLS13,
    HAS_SSLv2,
    HAS_SSLv3,
    HAS_TLSv1,
    HAS_TLSv1_1,
    HAS_TLSv1_2,
    HAS_TLSv1_3,
)

# 'tls-exporter' (RFC 9266) and 'tls-server-end-point' (RFC 5929) are
# ssl_bio's additions (_keying.py); the stdlib knows only 'tls-unique'.
CHANNEL_BINDING_TYPES = ["tls-unique", "tls-exporter", "tls-server-end-point"]

# --- Enums -------------------------------------------------------------------


class _SSLMethod(IntEnum):
    """The protocol argument of SSLContext (the stdlib's values)."""

    PROTOCOL_TLS = 2
    PROTOCOL_TLSv1 = 3
    PROTOCOL_TLSv1_1 = 4
    PROTOCOL_TLSv1_2 = 5
    PROTOCOL_TLS_CLIENT = 16
    PROTOCOL_TLS_SERVER = 17


PROTOCOL_TLS = PROTOCOL_SSLv23 = _SSLMethod.PROTOCOL_TLS
PROTOCOL_TLSv1 = _SSLMethod.PROTOCOL_TLSv1
PROTOCOL_TLSv1_1 = _SSLMethod.PROTOCOL_TLSv1_1
PROTOCOL_TLSv1_2 = _SSLMethod.PROTOCOL_TLSv1_2
PROTOCOL_TLS_CLIENT = _SSLMethod.PROTOCOL_TLS_CLIENT
PROTOCOL_TLS_SERVER = _SSLMethod.PROTOCOL_TLS_SERVER
_PROTOCOL_NAMES = {method.value: method.name[len("PROTOCOL_") :] for method in _SSLMethod}


def get_protocol_name(protocol_code: int) -> str:
    """The name of a PROTOCOL_* value ('TLS_CLIENT', ...), or '<unknown>'."""
    return _PROTOCOL_NAMES.get(protocol_code, "<unknown>")


class TLSVersion(IntEnum):
    """TLS protocol versions for SSLContext.minimum_version/maximum_version."""

    MINIMUM_SUPPORTED = -2
    SSLv3 = lib.SSL3_VERSION
    TLSv1 = lib.TLS1_VERSION
    TLSv1_1 = lib.TLS1_1_VERSION
    TLSv1_2 = lib.TLS1_2_VERSION
    TLSv1_3 = lib.TLS1_3_VERSION
    MAXIMUM_SUPPORTED = -1


class VerifyMode(IntEnum):
    """How the peer's certificate is checked (SSLContext.verify_mode)."""

    CERT_NONE = 0
    CERT_OPTIONAL = 1
    CERT_REQUIRED = 2


CERT_NONE = VerifyMode.CERT_NONE
CERT_OPTIONAL = VerifyMode.CERT_OPTIONAL
CERT_REQUIRED = VerifyMode.CERT_REQUIRED


class VerifyFlags(IntFlag):
    """X509 verification flags (SSLContext.verify_flags)."""

    VERIFY_DEFAULT = 0
    VERIFY_CRL_CHECK_LEAF = lib.X509_V_FLAG_CRL_CHECK
    VERIFY_CRL_CHECK_CHAIN = lib.X509_V_FLAG_CRL_CHECK | lib.X509_V_FLAG_CRL_CHECK_ALL
    VERIFY_X509_STRICT = lib.X509_V_FLAG_X509_STRICT
    VERIFY_ALLOW_PROXY_CERTS = lib.X509_V_FLAG_ALLOW_PROXY_CERTS
    VERIFY_X509_TRUSTED_FIRST = lib.X509_V_FLAG_TRUSTED_FIRST
    VERIFY_X509_PARTIAL_CHAIN = lib.X509_V_FLAG_PARTIAL_CHAIN


VERIFY_DEFAULT = VerifyFlags.VERIFY_DEFAULT
VERIFY_CRL_CHECK_LEAF = VerifyFlags.VERIFY_CRL_CHECK_LEAF
VERIFY_CRL_CHECK_CHAIN = VerifyFlags.VERIFY_CRL_CHECK_CHAIN
VERIFY_X509_STRICT = VerifyFlags.VERIFY_X509_STRICT
VERIFY_ALLOW_PROXY_CERTS = VerifyFlags.VERIFY_ALLOW_PROXY_CERTS
VERIFY_X509_TRUSTED_FIRST = VerifyFlags.VERIFY_X509_TRUSTED_FIRST
VERIFY_X509_PARTIAL_CHAIN = VerifyFlags.VERIFY_X509_PARTIAL_CHAIN


def _option_values():
    values = {
        # As the stdlib: OP_ALL keeps the CBC empty-fragment countermeasure on.
        "OP_ALL": lib.SSL_OP_ALL & ~lib.SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS,
        "OP_NO_SSLv2": lib.SSL_OP_NO_SSLv2,
        "OP_NO_SSLv3": lib.SSL_OP_NO_SSLv3,
        "OP_NO_TLSv1": lib.SSL_OP_NO_TLSv1,
        "OP_NO_TLSv1_1": lib.SSL_OP_NO_TLSv1_1,
        "OP_NO_TLSv1_2": lib.SSL_OP_NO_TLSv1_2,
        "OP_NO_TLSv1_3": lib.SSL_OP_NO_TLSv1_3,
        "OP_CIPHER_SERVER_PREFERENCE": lib.SSL_OP_CIPHER_SERVER_PREFERENCE,
        "OP_SINGLE_DH_USE": lib.SSL_OP_SINGLE_DH_USE,
        "OP_SINGLE_ECDH_USE": lib.SSL_OP_SINGLE_ECDH_USE,
        "OP_NO_COMPRESSION": lib.SSL_OP_NO_COMPRESSION,
        "OP_NO_TICKET": lib.SSL_OP_NO_TICKET,
        "OP_NO_RENEGOTIATION": lib.SSL_OP_NO_RENEGOTIATION,
        "OP_ENABLE_MIDDLEBOX_COMPAT": lib.SSL_OP_ENABLE_MIDDLEBOX_COMPAT,
        "OP_LEGACY_SERVER_CONNECT": lib.SSL_OP_LEGACY_SERVER_CONNECT,
    }
    # OpenSSL 3.0 options: only where the OpenSSL we were built with has them.
    if lib.SSL_OP_IGNORE_UNEXPECTED_EOF:
        values["OP_IGNORE_UNEXPECTED_EOF"] = lib.SSL_OP_IGNORE_UNEXPECTED_EOF
    if lib.SSL_OP_ENABLE_KTLS:
        values["OP_ENABLE_KTLS"] = lib.SSL_OP_ENABLE_KTLS
    return values


if TYPE_CHECKING:
    # What type checkers see; the values come from OpenSSL at run time.
    class Options(IntFlag):
        """SSL_OP_* flags for SSLContext.options."""

        OP_ALL = 0
        OP_NO_SSLv2 = 0
        OP_NO_SSLv3 = 0
        OP_NO_TLSv1 = 0
        OP_NO_TLSv1_1 = 0
        OP_NO_TLSv1_2 = 0
        OP_NO_TLSv1_3 = 0
        OP_CIPHER_SERVER_PREFERENCE = 0
        OP_SINGLE_DH_USE = 0
        OP_SINGLE_ECDH_USE = 0
        OP_NO_COMPRESSION = 0
        OP_NO_TICKET = 0
        OP_NO_RENEGOTIATION = 0
        OP_ENABLE_MIDDLEBOX_COMPAT = 0
        OP_LEGACY_SERVER_CONNECT = 0
        OP_IGNORE_UNEXPECTED_EOF = 0
        OP_ENABLE_KTLS = 0

    OP_ALL = Options.OP_ALL
    OP_NO_SSLv2 = Options.OP_NO_SSLv2
    OP_NO_SSLv3 = Options.OP_NO_SSLv3
    OP_NO_TLSv1 = Options.OP_NO_TLSv1
    OP_NO_TLSv1_1 = Options.OP_NO_TLSv1_1
    OP_NO_TLSv1_2 = Options.OP_NO_TLSv1_2
    OP_NO_TLSv1_3 = Options.OP_NO_TLSv1_3
    OP_CIPHER_SERVER_PREFERENCE = Options.OP_CIPHER_SERVER_PREFERENCE
    OP_SINGLE_DH_USE = Options.OP_SINGLE_DH_USE
    OP_SINGLE_ECDH_USE = Options.OP_SINGLE_ECDH_USE
    OP_NO_COMPRESSION = Options.OP_NO_COMPRESSION
    OP_NO_TICKET = Options.OP_NO_TICKET
    OP_NO_RENEGOTIATION = Options.OP_NO_RENEGOTIATION
    OP_ENABLE_MIDDLEBOX_COMPAT = Options.OP_ENABLE_MIDDLEBOX_COMPAT
    OP_LEGACY_SERVER_CONNECT = Options.OP_LEGACY_SERVER_CONNECT
    OP_IGNORE_UNEXPECTED_EOF = Options.OP_IGNORE_UNEXPECTED_EOF
    OP_ENABLE_KTLS = Options.OP_ENABLE_KTLS
else:
    # Built as the stdlib builds its own (IntFlag._convert_), so that combined
    # values print the same way; this also puts every OP_* name in this module.
    Options = IntFlag._convert_(
        "Options",
        __name__,
        lambda name: name.startswith("OP_"),
        source=SimpleNamespace(**_option_values()),
    )
    Options.__doc__ = "SSL_OP_* flags for SSLContext.options."
__all__ += [
    "OP_ALL",
    "OP_NO_SSLv2",
    "OP_NO_SSLv3",
    "OP_NO_TLSv1",
    "OP_NO_TLSv1_1",
    "OP_NO_TLSv1_2",
    "OP_NO_TLSv1_3",
    "OP_CIPHER_SERVER_PREFERENCE",
    "OP_SINGLE_DH_USE",
    "OP_SINGLE_ECDH_USE",
    "OP_NO_COMPRESSION",
    "OP_NO_TICKET",
    "OP_NO_RENEGOTIATION",
    "OP_ENABLE_MIDDLEBOX_COMPAT",
    "OP_LEGACY_SERVER_CONNECT",
]
if lib.SSL_OP_IGNORE_UNEXPECTED_EOF:
    __all__.append("OP_IGNORE_UNEXPECTED_EOF")
if lib.SSL_OP_ENABLE_KTLS:
    __all__.append("OP_ENABLE_KTLS")


class SSLErrorNumber(IntEnum):
    """The errno values of errors from handshake, read, write and unwrap."""

    SSL_ERROR_SSL = 1
    SSL_ERROR_WANT_READ = 2
    SSL_ERROR_WANT_WRITE = 3
    SSL_ERROR_WANT_X509_LOOKUP = 4
    SSL_ERROR_SYSCALL = 5
    SSL_ERROR_ZERO_RETURN = 6
    SSL_ERROR_WANT_CONNECT = 7
    SSL_ERROR_EOF = 8
    SSL_ERROR_INVALID_ERROR_CODE = 10


SSL_ERROR_SSL = SSLErrorNumber.SSL_ERROR_SSL
SSL_ERROR_WANT_READ = SSLErrorNumber.SSL_ERROR_WANT_READ
SSL_ERROR_WANT_WRITE = SSLErrorNumber.SSL_ERROR_WANT_WRITE
SSL_ERROR_WANT_X509_LOOKUP = SSLErrorNumber.SSL_ERROR_WANT_X509_LOOKUP
SSL_ERROR_SYSCALL = SSLErrorNumber.SSL_ERROR_SYSCALL
SSL_ERROR_ZERO_RETURN = SSLErrorNumber.SSL_ERROR_ZERO_RETURN
SSL_ERROR_WANT_CONNECT = SSLErrorNumber.SSL_ERROR_WANT_CONNECT
SSL_ERROR_EOF = SSLErrorNumber.SSL_ERROR_EOF
SSL_ERROR_INVALID_ERROR_CODE = SSLErrorNumber.SSL_ERROR_INVALID_ERROR_CODE

# --- TLS alerts ----------------------------------------------------------------


class AlertDescription(IntEnum):
    """TLS alert descriptions (RFC 8446, 6.2): what an sni_callback may return."""

    ALERT_DESCRIPTION_CLOSE_NOTIFY = lib.SSL_AD_CLOSE_NOTIFY
    ALERT_DESCRIPTION_UNEXPECTED_MESSAGE = lib.SSL_AD_UNEXPECTED_MESSAGE
    ALERT_DESCRIPTION_BAD_RECORD_MAC = lib.SSL_AD_BAD_RECORD_MAC
    ALERT_DESCRIPTION_RECORD_OVERFLOW = lib.SSL_AD_RECORD_OVERFLOW
    ALERT_DESCRIPTION_DECOMPRESSION_FAILURE = lib.SSL_AD_DECOMPRESSION_FAILURE
    ALERT_DESCRIPTION_HANDSHAKE_FAILURE = lib.SSL_AD_HANDSHAKE_FAILURE
    ALERT_DESCRIPTION_BAD_CERTIFICATE = lib.SSL_AD_BAD_CERTIFICATE
    ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE = lib.SSL_AD_UNSUPPORTED_CERTIFICATE
    ALERT_DESCRIPTION_CERTIFICATE_REVOKED = lib.SSL_AD_CERTIFICATE_REVOKED
    ALERT_DESCRIPTION_CERTIFICATE_EXPIRED = lib.SSL_AD_CERTIFICATE_EXPIRED
    ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN = lib.SSL_AD_CERTIFICATE_UNKNOWN
    ALERT_DESCRIPTION_ILLEGAL_PARAMETER = lib.SSL_AD_ILLEGAL_PARAMETER
    ALERT_DESCRIPTION_UNKNOWN_CA = lib.SSL_AD_UNKNOWN_CA
    ALERT_DESCRIPTION_ACCESS_DENIED = lib.SSL_AD_ACCESS_DENIED
    ALERT_DESCRIPTION_DECODE_ERROR = lib.SSL_AD_DECODE_ERROR
    ALERT_DESCRIPTION_DECRYPT_ERROR = lib.SSL_AD_DECRYPT_ERROR
    ALERT_DESCRIPTION_PROTOCOL_VERSION = lib.SSL_AD_PROTOCOL_VERSION
    ALERT_DESCRIPTION_INSUFFICIENT_SECURITY = lib.SSL_AD_INSUFFICIENT_SECURITY
    ALERT_DESCRIPTION_INTERNAL_ERROR = lib.SSL_AD_INTERNAL_ERROR
    ALERT_DESCRIPTION_USER_CANCELLED = lib.SSL_AD_USER_CANCELLED
    ALERT_DESCRIPTION_NO_RENEGOTIATION = lib.SSL_AD_NO_RENEGOTIATION
    ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION = lib.SSL_AD_UNSUPPORTED_EXTENSION
    ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE = lib.SSL_AD_CERTIFICATE_UNOBTAINABLE
    ALERT_DESCRIPTION_UNRECOGNIZED_NAME = lib.SSL_AD_UNRECOGNIZED_NAME
    ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE = lib.SSL_AD_BAD_CERTIFICATE_STATUS_RESPONSE
    ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE = lib.SSL_AD_BAD_CERTIFICATE_HASH_VALUE
    ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY = lib.SSL_AD_UNKNOWN_PSK_IDENTITY


ALERT_DESCRIPTION_CLOSE_NOTIFY = AlertDescription.ALERT_DESCRIPTION_CLOSE_NOTIFY
ALERT_DESCRIPTION_UNEXPECTED_MESSAGE = AlertDescription.ALERT_DESCRIPTION_UNEXPECTED_MESSAGE
ALERT_DESCRIPTION_BAD_RECORD_MAC = AlertDescription.ALERT_DESCRIPTION_BAD_RECORD_MAC
ALERT_DESCRIPTION_RECORD_OVERFLOW = AlertDescription.ALERT_DESCRIPTION_RECORD_OVERFLOW
ALERT_DESCRIPTION_DECOMPRESSION_FAILURE = AlertDescription.ALERT_DESCRIPTION_DECOMPRESSION_FAILURE
ALERT_DESCRIPTION_HANDSHAKE_FAILURE = AlertDescription.ALERT_DESCRIPTION_HANDSHAKE_FAILURE
ALERT_DESCRIPTION_BAD_CERTIFICATE = AlertDescription.ALERT_DESCRIPTION_BAD_CERTIFICATE
ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE = (
    AlertDescription.ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE
)
ALERT_DESCRIPTION_CERTIFICATE_REVOKED = AlertDescription.ALERT_DESCRIPTION_CERTIFICATE_REVOKED
ALERT_DESCRIPTION_CERTIFICATE_EXPIRED = AlertDescription.ALERT_DESCRIPTION_CERTIFICATE_EXPIRED
ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN = AlertDescription.ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN
ALERT_DESCRIPTION_ILLEGAL_PARAMETER = AlertDescription.ALERT_DESCRIPTION_ILLEGAL_PARAMETER
ALERT_DESCRIPTION_UNKNOWN_CA = AlertDescription.ALERT_DESCRIPTION_UNKNOWN_CA
ALERT_DESCRIPTION_ACCESS_DENIED = AlertDescription.ALERT_DESCRIPTION_ACCESS_DENIED
ALERT_DESCRIPTION_DECODE_ERROR = AlertDescription.ALERT_DESCRIPTION_DECODE_ERROR
ALERT_DESCRIPTION_DECRYPT_ERROR = AlertDescription.ALERT_DESCRIPTION_DECRYPT_ERROR
ALERT_DESCRIPTION_PROTOCOL_VERSION = AlertDescription.ALERT_DESCRIPTION_PROTOCOL_VERSION
ALERT_DESCRIPTION_INSUFFICIENT_SECURITY = AlertDescription.ALERT_DESCRIPTION_INSUFFICIENT_SECURITY
ALERT_DESCRIPTION_INTERNAL_ERROR = AlertDescription.ALERT_DESCRIPTION_INTERNAL_ERROR
ALERT_DESCRIPTION_USER_CANCELLED = AlertDescription.ALERT_DESCRIPTION_USER_CANCELLED
ALERT_DESCRIPTION_NO_RENEGOTIATION = AlertDescription.ALERT_DESCRIPTION_NO_RENEGOTIATION
ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION = AlertDescription.ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION
ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE = (
    AlertDescription.ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE
)
ALERT_DESCRIPTION_UNRECOGNIZED_NAME = AlertDescription.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE = (
    AlertDescription.ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE
)
ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE = (
    AlertDescription.ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE
)
ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY = AlertDescription.ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY
__all__ += [member.name for member in AlertDescription]


# --- what SSLContext._msg_callback reports (private in the stdlib too) -------


class _TLSContentType(IntEnum):
    """Content types of TLS records, and OpenSSL's pseudo types for headers."""

    CHANGE_CIPHER_SPEC = lib.SSL3_RT_CHANGE_CIPHER_SPEC
    ALERT = lib.SSL3_RT_ALERT
    HANDSHAKE = lib.SSL3_RT_HANDSHAKE
    APPLICATION_DATA = 23
    # OpenSSL's callback-only types: a record header, the inner content type
    HEADER = lib.SSL3_RT_HEADER
    INNER_CONTENT_TYPE = lib.SSL3_RT_INNER_CONTENT_TYPE


class _TLSAlertType(IntEnum):
    """Alert descriptions by their RFC names, as msg_callback reports alerts."""

    CLOSE_NOTIFY = 0
    UNEXPECTED_MESSAGE = 10
    BAD_RECORD_MAC = 20
    DECRYPTION_FAILED = 21
    RECORD_OVERFLOW = 22
    DECOMPRESSION_FAILURE = 30
    HANDSHAKE_FAILURE = 40
    NO_CERTIFICATE = 41
    BAD_CERTIFICATE = 42
    UNSUPPORTED_CERTIFICATE = 43
    CERTIFICATE_REVOKED = 44
    CERTIFICATE_EXPIRED = 45
    CERTIFICATE_UNKNOWN = 46
    ILLEGAL_PARAMETER = 47
    UNKNOWN_CA = 48
    ACCESS_DENIED = 49
    DECODE_ERROR = 50
    DECRYPT_ERROR = 51
    EXPORT_RESTRICTION = 60
    PROTOCOL_VERSION = 70
    INSUFFICIENT_SECURITY = 71
    INTERNAL_ERROR = 80
    INAPPROPRIATE_FALLBACK = 86
    USER_CANCELED = 90
    NO_RENEGOTIATION = 100
    MISSING_EXTENSION = 109
    UNSUPPORTED_EXTENSION = 110
    CERTIFICATE_UNOBTAINABLE = 111
    UNRECOGNIZED_NAME = 112
    BAD_CERTIFICATE_STATUS_RESPONSE = 113
    BAD_CERTIFICATE_HASH_VALUE = 114
    UNKNOWN_PSK_IDENTITY = 115
    CERTIFICATE_REQUIRED = 116
    NO_APPLICATION_PROTOCOL = 120


class _TLSMessageType(IntEnum):
    """Handshake message types (RFC 8446, 4), and ChangeCipherSpec as OpenSSL reports it."""

    HELLO_REQUEST = 0
    CLIENT_HELLO = 1
    SERVER_HELLO = 2
    HELLO_VERIFY_REQUEST = 3
    NEWSESSION_TICKET = 4
    END_OF_EARLY_DATA = 5
    HELLO_RETRY_REQUEST = 6
    ENCRYPTED_EXTENSIONS = 8
    CERTIFICATE = 11
    SERVER_KEY_EXCHANGE = 12
    CERTIFICATE_REQUEST = 13
    SERVER_DONE = 14
    CERTIFICATE_VERIFY = 15
    CLIENT_KEY_EXCHANGE = 16
    FINISHED = 20
    CERTIFICATE_URL = 21
    CERTIFICATE_STATUS = 22
    SUPPLEMENTAL_DATA = 23
    KEY_UPDATE = 24
    NEXT_PROTO = 67
    MESSAGE_HASH = 254
    CHANGE_CIPHER_SPEC = 0x0101


# --- ASN.1 objects and Purpose -----------------------------------------------


def _txt2obj(txt, name=False):
    """Look up an ASN.1 object by OID (or by name when ``name``) in OpenSSL."""
    obj = lib.OBJ_txt2obj(txt.encode("ascii"), 0 if name else 1)
    if obj == ffi.NULL:
        lib.ERR_clear_error()
        raise ValueError(f"unknown object '{txt}'")
    try:
        nid = lib.OBJ_obj2nid(obj)
        if nid == lib.NID_undef:  # a well-formed OID OpenSSL does not know
            raise ValueError("Unknown object")
        buf = ffi.new("char[]", 256)
        length = lib.OBJ_obj2txt(buf, 256, obj, 1)
        oid = ffi.string(buf, length).decode("ascii")
    finally:
        lib.ASN1_OBJECT_free(obj)
    return nid, oid


def _nid_names(nid):
    sn, ln = lib.OBJ_nid2sn(nid), lib.OBJ_nid2ln(nid)
    return (
        ffi.string(sn).decode("ascii") if sn != ffi.NULL else None,
        ffi.string(ln).decode("ascii") if ln != ffi.NULL else None,
    )


class _ASN1Object(namedtuple("_ASN1Object", "nid shortname longname oid")):
    """An ASN.1 object identifier: (nid, shortname, longname, oid)."""

    __slots__ = ()

    def __new__(cls, oid):
        nid, oid = _txt2obj(oid)
        return super().__new__(cls, nid, *_nid_names(nid), oid)

    @classmethod
    def fromnid(cls, nid):
        """Create an _ASN1Object from an OpenSSL NID."""
        nid = as_c_int(nid)
        if nid < lib.NID_undef:
            raise ValueError("NID must be positive.")
        obj = lib.OBJ_nid2obj(nid)
        if obj == ffi.NULL:
            lib.ERR_clear_error()
            raise ValueError(f"unknown NID {nid}")
        if nid == lib.NID_undef:
            raise ValueError("Unknown object")
        buf = ffi.new("char[]", 256)
        length = lib.OBJ_obj2txt(buf, 256, obj, 1)
        return super().__new__(cls, nid, *_nid_names(nid), ffi.string(buf, length).decode())

    @classmethod
    def fromname(cls, name):
        """Create an _ASN1Object from a short or long name."""
        nid, oid = _txt2obj(name, name=True)
        return super().__new__(cls, nid, *_nid_names(nid), oid)


class Purpose(_ASN1Object, Enum):
    """SSLContext purpose flags with X509v3 Extended Key Usage objects."""

    SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
    CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"
