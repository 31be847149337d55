"""Every version-dependent expectation of the tests, in one place.

As CPython's ``test_ssl.py`` keeps ``CAN_GET_SELECTED_OPENSSL_GROUP`` at its
top: the tests import these names and compare no versions themselves
(``tests/test_build.py::test_version_checks_live_in_compat``).  Where a
capability can be asked of OpenSSL, it is asked, not derived from a version.
"""

import platform
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
