"""Every version-dependent expectation of the tests, in one place.

As CPython's ``test_ssl.py`` keeps ``CAN_GET_SELECTED_OPENSSL_GROUP`` at its
top: the tests import these names and compare no versions themselves
(``tests/test_build.py::test_version_checks_live_in_compat``).  Where a
capability can be asked of OpenSSL, it is asked, not derived from a version.
"""

import platform
import ssl
import sysconfig

import ssl_bio

OPENSSL_VERSION = ssl_bio.OPENSSL_VERSION_INFO[:3]

# OpenSSL 3.3 ignores unknown names in a group or sigalg list marked with "?".
CAN_IGNORE_UNKNOWN_OPENSSL_GROUPS = OPENSSL_VERSION >= (3, 3, 0)
CAN_IGNORE_UNKNOWN_OPENSSL_SIGALGS = OPENSSL_VERSION >= (3, 3, 0)
# The calls behind SSLContext.get_groups() (3.5) and ssl.get_sigalgs() (3.4).
CAN_GET_AVAILABLE_OPENSSL_GROUPS = OPENSSL_VERSION >= (3, 5, 0)
CAN_GET_AVAILABLE_OPENSSL_SIGALGS = OPENSSL_VERSION >= (3, 4, 0)

# The CPython accelerator exists on a CPython with a GIL.
CPYTHON = platform.python_implementation() == "CPython" and not sysconfig.get_config_var(
    "Py_GIL_DISABLED"
)


def has_group(name):
    """Whether this OpenSSL implements the key exchange group ``name`` (asked of OpenSSL)."""
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
    try:
        ctx.set_groups(name)
    except ssl_bio.SSLError:
        return False
    return True


# ML-KEM hybrids (OpenSSL 3.5): the post-quantum key exchange.
HAS_X25519MLKEM768 = has_group("X25519MLKEM768")

# How this interpreter's ssl chooses its defaults (configure
# --with-ssl-default-suites): "openssl" (2; Debian, Fedora) sets no minimum
# version of Python's own, so OpenSSL's configuration decides it.
DEFERS_TO_OPENSSL_DEFAULTS = sysconfig.get_config_var("PY_SSL_DEFAULT_CIPHERS") == 2
DEFAULT_MINIMUM_VERSION = (
    "<TLSVersion.MINIMUM_SUPPORTED: -2>"
    if DEFERS_TO_OPENSSL_DEFAULTS
    else "<TLSVersion.TLSv1_2: 771>"
)

# OpenSSL 4.0 renamed the alert reasons SSL_R_SSLV3_ALERT_* to SSL_R_TLS_ALERT_*
# (the old names stay only in sslerr_legacy.h).
ALERT_REASON_PREFIX = "TLS_ALERT_" if OPENSSL_VERSION >= (4, 0, 0) else "SSLV3_ALERT_"


def alert_reason(name):
    """A received alert's reason mnemonic on this OpenSSL: alert_reason("HANDSHAKE_FAILURE")."""
    return ALERT_REASON_PREFIX + name


# Whether the stdlib of this interpreter runs on another OpenSSL than ssl_bio
# (Debian experimental: its python3.15's _ssl on libssl.so.3, ssl_bio on 4.0's
# libssl.so.4).  The differential tests then compare what two OpenSSL versions
# name differently in OpenSSL's own terms (conftest.describe_error).
STDLIB_OPENSSL_DIFFERS = ssl.OPENSSL_VERSION_INFO[:2] != ssl_bio.OPENSSL_VERSION_INFO[:2]

# OpenSSL 4.0's X509_VERIFY_PARAM_set1_host refuses host names it could never
# match ("x", "example.com."), queueing no reason.
REFUSES_UNCHECKABLE_HOST_NAMES = OPENSSL_VERSION >= (4, 0, 0)

# What the next I/O call on a connection whose handshake failed raises: 3.x
# reports a bare EOF (SSLEOFError), 4.0 keeps the connection in its error state
# (SSLError "A failure in the SSL library occurred", as the stdlib reports it).
AFTER_A_FAILED_HANDSHAKE = "SSLError" if OPENSSL_VERSION >= (4, 0, 0) else "SSLEOFError"
