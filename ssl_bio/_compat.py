"""What differs between the OpenSSL versions and interpreters ssl_bio runs on, read in one place.

OpenSSL's differences are decided once in C (``csrc/compat.h``, one flag per
capability; ``csrc/compat.c``, the helpers whose bodies differ); this module
is the only Python that reads those flags, and the only one that asks which
interpreter it runs on, whether the GIL is disabled, whether the CPython
accelerator is wanted, and whether the stdlib ``ssl`` module exists.  Python
compares no versions: the behaviour followed is CPython 3.15's everywhere, and
only capabilities differ.  ``tests/test_build.py`` keeps it so.
"""

from __future__ import annotations

import functools
import os
import sys
import sysconfig
from typing import Any, Callable, Optional, TypeVar

from ._binding import lib

try:
    import ssl as stdlib_ssl
except ImportError:  # pragma: no cover - an interpreter built without _ssl
    stdlib_ssl = None  # type: ignore[assignment]

__all__ = [
    "ACCELERATOR_WANTED",
    "CPYTHON",
    "DEFAULT_CIPHERS",
    "DEFAULT_MINIMUM_TLS1_2",
    "FREE_THREADED",
    "HAS_BUILTIN_SIGALGS",
    "HAS_IMPLEMENTED_GROUPS",
    "HAS_PHA",
    "HAS_PSK",
    "HAS_PSK_TLS13",
    "HAS_SSLv2",
    "HAS_SSLv3",
    "HAS_TLSv1",
    "HAS_TLSv1_1",
    "HAS_TLSv1_2",
    "HAS_TLSv1_3",
    "requires",
    "stdlib_ssl",
]

# --- OpenSSL ---------------------------------------------------------------

# The protocol versions and features this OpenSSL was built with.
HAS_SSLv2 = bool(lib.SSL_BIO_HAS_SSLv2)
HAS_SSLv3 = bool(lib.SSL_BIO_HAS_SSLv3)  # 0 on 4.0, which removed SSLv3
HAS_TLSv1 = bool(lib.SSL_BIO_HAS_TLSv1)
HAS_TLSv1_1 = bool(lib.SSL_BIO_HAS_TLSv1_1)
HAS_TLSv1_2 = bool(lib.SSL_BIO_HAS_TLSv1_2)
HAS_TLSv1_3 = bool(lib.SSL_BIO_HAS_TLSv1_3)
HAS_PHA = bool(lib.SSL_BIO_HAS_PHA)  # Python 3.14's: post-handshake authentication
HAS_PSK = bool(lib.SSL_BIO_HAS_PSK)
HAS_PSK_TLS13 = bool(lib.SSL_BIO_HAS_PSK_TLS13)
# Queries with no equivalent before their OpenSSL version (csrc/compat.c
# derives the others): get_sigalgs() needs 3.4, get_groups() 3.5.
HAS_BUILTIN_SIGALGS = bool(lib.SSL_BIO_HAS_BUILTIN_SIGALGS)
HAS_IMPLEMENTED_GROUPS = bool(lib.SSL_BIO_HAS_IMPLEMENTED_GROUPS)

# --- the interpreter -----------------------------------------------------------

CPYTHON = sys.implementation.name == "cpython"
#: A free-threaded CPython (3.13t, 3.14t): the accelerator relies on the GIL.
FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
#: Whether the user left the CPython accelerator on (SSL_BIO_ACCELERATOR=0 turns it off).
ACCELERATOR_WANTED = os.environ.get("SSL_BIO_ACCELERATOR", "1") != "0"


def _default_suites() -> "tuple[Optional[str], bool]":
    """The default cipher string, and whether TLS 1.2 is the minimum, as this interpreter's ssl.

    CPython's ``configure --with-ssl-default-suites`` (``PY_SSL_DEFAULT_CIPHERS``
    in its build configuration) decides them: ``python`` (1, the default:
    CPython's string, minimum TLS 1.2), a custom string (0: that string,
    minimum TLS 1.2), or ``openssl`` (2, what Debian and Fedora build: OpenSSL's
    default list, and no minimum of Python's own, so that the system's
    OpenSSL configuration and crypto policy decide).  None for the string
    means OpenSSL's default list.  An interpreter without the setting (PyPy)
    gets CPython's default.
    """
    suites = sysconfig.get_config_var("PY_SSL_DEFAULT_CIPHERS")
    if suites == 2:
        return None, False
    if suites == 0:
        custom = sysconfig.get_config_var("PY_SSL_DEFAULT_CIPHER_STRING")
        if isinstance(custom, str) and custom.strip('"'):
            return custom.strip('"'), True
    return _PYTHON_CIPHERS, True


# CPython's own default cipher string (PY_SSL_DEFAULT_CIPHER_STRING, 3.10+).
_PYTHON_CIPHERS = (
    "@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM"
)
#: The cipher string a new SSLContext gets (None: OpenSSL's default list), and
#: whether it gets TLS 1.2 as its minimum version, as this interpreter's ssl.
DEFAULT_CIPHERS, DEFAULT_MINIMUM_TLS1_2 = _default_suites()

_F = TypeVar("_F", bound=Callable[..., Any])


def requires(flag: bool, message: str) -> Callable[[_F], _F]:
    """Make a function raise ``NotImplementedError(message)`` where ``flag`` is false.

    For the queries OpenSSL has no call for before a version (pyOpenSSL's
    ``_make_requires``): the function is never entered there, so the C helper
    behind it, a stub on that OpenSSL, is never called.
    """

    def decorate(function: _F) -> _F:
        if flag:
            return function

        @functools.wraps(function)
        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError(message)

        return refuse  # type: ignore[return-value]

    return decorate
