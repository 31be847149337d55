"""Python 3.15's TLS controls, on every Python: groups, TLS 1.3 cipher suites, signature schemes.

``SSLContext.set_groups``/``get_groups``/``set_ciphersuites``/
``set_client_sigalgs``/``set_server_sigalgs``, ``SSLObject.group``/
``client_sigalg``/``server_sigalg`` and ``get_sigalgs``, with CPython 3.15's
names, arguments and errors (gh-136306, gh-137197, gh-138252).  CPython 3.15
answers the queries only with OpenSSL 3.2 (``group``), 3.4 (``get_sigalgs``)
and 3.5 (``get_groups``, the ``*_sigalg`` methods); ssl_bio derives
``group`` and the signature names on OpenSSL 3.0 too (``csrc/compat.c``),
and raises CPython's NotImplementedError where OpenSSL has no call to ask
(``_compat.requires``).
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional

from ._args import type_name
from ._binding import ffi, lib
from ._compat import HAS_BUILTIN_SIGALGS, HAS_IMPLEMENTED_GROUPS, requires
from ._errors import error_from_queue

__all__ = ["configure", "get_sigalgs", "group_name", "implemented_groups", "signature_name"]


def _list_text(value: Any, function: str) -> bytes:
    """A clinic ``str`` argument: str without NUL, as bytes."""
    if not isinstance(value, str):
        raise TypeError(f"{function}() argument must be str, not {type_name(value)}")
    if "\0" in value:
        raise ValueError("embedded null character")
    return value.encode("utf-8")


def configure(ctx: Any, setter: Callable[[Any, bytes], int], value: Any, function: str, error: str):
    """Call an OpenSSL list setter; SSLError(``error``) as 3.15's ``_setSSLError`` when it fails."""
    encoded = _list_text(value, function)
    lib.ERR_clear_error()
    if not setter(ctx, encoded):
        raise error_from_queue(f"ssl_bio:{function}", error)


def _split(joined: Any) -> List[str]:
    try:
        text = ffi.string(joined).decode("ascii")
    finally:
        lib.OPENSSL_free(joined)
    return text.split(":") if text else []


@requires(HAS_IMPLEMENTED_GROUPS, "Getting implemented groups requires OpenSSL 3.5 or later.")
def implemented_groups(ctx: Any, include_aliases: bool) -> List[str]:
    """The groups the context implements (OpenSSL 3.5), or CPython 3.15's NotImplementedError."""
    joined = lib.ssl_bio_implemented_groups(ctx, bool(include_aliases))
    if joined == ffi.NULL:
        raise error_from_queue("ssl_bio:get_groups", "Can't get groups")
    return _split(joined)


@requires(HAS_BUILTIN_SIGALGS, "Getting signature algorithms requires OpenSSL 3.4 or later.")
def get_sigalgs() -> List[str]:
    """The names of the signature algorithms OpenSSL implements, as ``ssl.get_sigalgs()`` (3.15).

    Needs OpenSSL 3.4 or later (NotImplementedError otherwise, as CPython).
    """
    joined = lib.ssl_bio_builtin_sigalgs()
    if joined == ffi.NULL:
        raise MemoryError()
    return _split(joined)


def group_name(ssl: Any) -> Optional[str]:
    """The negotiated key exchange group's TLS name, or None."""
    name = lib.ssl_bio_group_name(ssl)
    return None if name == ffi.NULL else ffi.string(name).decode("ascii")


def signature_name(ssl: Any, server_side: bool, of_server: bool) -> Optional[str]:
    """The signature scheme the server (``of_server``) or the client signed with, or None."""
    peer = server_side != of_server
    name = lib.ssl_bio_signature_name(ssl, peer)
    return None if name == ffi.NULL else ffi.string(name).decode("ascii")
