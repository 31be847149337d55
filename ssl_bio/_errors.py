"""Exception classes and the one place that turns OpenSSL failures into them.

Every class subclasses the stdlib ``ssl`` class of the same name when the stdlib
``ssl`` module imports, so ``except ssl.SSLError`` (as asyncio and Trio write it)
catches ssl_bio's errors.  Messages follow CPython's ``_ssl.c``:
``[LIB: REASON] reason string (where)``, with ``(ssl_bio:<operation>)`` in place
of CPython's ``(_ssl.c:<line>)``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ._binding import ffi, lib
from ._compat import stdlib_ssl as _stdlib_ssl
from ._constants import SSLErrorNumber

__all__ = [
    "SSLError",
    "SSLZeroReturnError",
    "SSLWantReadError",
    "SSLWantWriteError",
    "SSLSyscallError",
    "SSLEOFError",
    "SSLCertVerificationError",
    "CertificateError",
    "SSLWantCallbackError",
]

# The errno of errors raised by read/write/do_handshake/unwrap (plain ints, as the stdlib's).
SSL_ERROR_SSL = SSLErrorNumber.SSL_ERROR_SSL.value
SSL_ERROR_WANT_READ = SSLErrorNumber.SSL_ERROR_WANT_READ.value
SSL_ERROR_WANT_WRITE = SSLErrorNumber.SSL_ERROR_WANT_WRITE.value
SSL_ERROR_WANT_X509_LOOKUP = SSLErrorNumber.SSL_ERROR_WANT_X509_LOOKUP.value
SSL_ERROR_SYSCALL = SSLErrorNumber.SSL_ERROR_SYSCALL.value
SSL_ERROR_ZERO_RETURN = SSLErrorNumber.SSL_ERROR_ZERO_RETURN.value
SSL_ERROR_WANT_CONNECT = SSLErrorNumber.SSL_ERROR_WANT_CONNECT.value
SSL_ERROR_EOF = SSLErrorNumber.SSL_ERROR_EOF.value
SSL_ERROR_INVALID_ERROR_CODE = SSLErrorNumber.SSL_ERROR_INVALID_ERROR_CODE.value

if TYPE_CHECKING or _stdlib_ssl is not None:
    from ssl import SSLCertVerificationError as _StdlibCertVerificationError
    from ssl import SSLEOFError as _StdlibEOFError
    from ssl import SSLError as _StdlibSSLError
    from ssl import SSLSyscallError as _StdlibSyscallError
    from ssl import SSLWantReadError as _StdlibWantReadError
    from ssl import SSLWantWriteError as _StdlibWantWriteError
    from ssl import SSLZeroReturnError as _StdlibZeroReturnError
else:
    # Without the stdlib ssl module: stand-ins with its hierarchy and __str__.
    class _StdlibSSLError(OSError):
        """Stand-in for ssl.SSLError."""

        def __str__(self):
            # As _ssl.c's SSLError_str: the message, or the args tuple.
            if isinstance(self.strerror, str):
                return self.strerror
            return str(self.args)

    class _StdlibZeroReturnError(_StdlibSSLError):
        """Stand-in for ssl.SSLZeroReturnError."""

    class _StdlibWantReadError(_StdlibSSLError):
        """Stand-in for ssl.SSLWantReadError."""

    class _StdlibWantWriteError(_StdlibSSLError):
        """Stand-in for ssl.SSLWantWriteError."""

    class _StdlibSyscallError(_StdlibSSLError):
        """Stand-in for ssl.SSLSyscallError."""

    class _StdlibEOFError(_StdlibSSLError):
        """Stand-in for ssl.SSLEOFError."""

    class _StdlibCertVerificationError(_StdlibSSLError, ValueError):
        """Stand-in for ssl.SSLCertVerificationError."""


class SSLError(_StdlibSSLError):
    """An error from the TLS layer (subclass of the stdlib's ``ssl.SSLError``).

    ``library`` and ``reason`` name OpenSSL's library and reason mnemonic
    (e.g. ``'SSL'`` and ``'CERTIFICATE_VERIFY_FAILED'``), or are None.
    """

    # str, or None where OpenSSL names none (typeshed says str for the stdlib's).
    library = None  # type: ignore[assignment]
    reason = None  # type: ignore[assignment]


class SSLZeroReturnError(SSLError, _StdlibZeroReturnError):
    """The TLS connection was closed cleanly (close_notify) where data was expected."""


class SSLWantReadError(SSLError, _StdlibWantReadError):
    """The operation needs more bytes in the incoming BIO before it can finish."""


class SSLWantWriteError(SSLError, _StdlibWantWriteError):
    """The operation could not write; never raised with memory BIOs in practice."""


class SSLSyscallError(SSLError, _StdlibSyscallError):
    """A low-level I/O error inside OpenSSL."""


class SSLEOFError(SSLError, _StdlibEOFError):
    """The peer's data ended in violation of the protocol (truncation attack or bug)."""


class SSLCertVerificationError(SSLError, _StdlibCertVerificationError):
    """The peer's certificate failed verification.

    ``verify_code`` is OpenSSL's X509_V_ERR_* number and ``verify_message``
    its description (for host name and IP mismatches, the stdlib's wording).
    """

    verify_code = None  # type: ignore[assignment]
    verify_message = None  # type: ignore[assignment]


CertificateError = SSLCertVerificationError


class SSLWantCallbackError(SSLError):
    """The handshake is paused: a callback returned ``PAUSE_HANDSHAKE`` (ssl_bio's own).

    ``hook`` names the callback: ``'client_hello'`` or ``'verify'``.  Nothing
    was lost; once the application has its answer, ``resume_handshake(answer)``
    and ``do_handshake()`` go on (or ``do_handshake()`` alone calls the
    callback again).  Not a subclass of SSLWantReadError: no bytes are awaited.
    """

    hook = None  # 'client_hello' or 'verify'


# What SSL_get_error says when a callback paused the handshake: (hook, message).
_PAUSES = {
    lib.SSL_ERROR_WANT_CLIENT_HELLO_CB: ("client_hello", "The handshake is paused (client hello)"),
    lib.SSL_ERROR_WANT_RETRY_VERIFY: ("verify", "The handshake is paused (verify)"),
}


def _table_entries(table):
    """The entries of a generated name table, up to its NULL-named end."""
    i = 0
    while table[i].name != ffi.NULL:
        yield table[i]
        i += 1


def _load_name_tables():
    libs = {
        entry.lib: ffi.string(entry.name).decode("ascii")
        for entry in _table_entries(lib.ssl_bio_lib_table)
    }
    reasons = {
        (entry.lib, entry.reason): ffi.string(entry.name).decode("ascii")
        for entry in _table_entries(lib.ssl_bio_reason_table)
    }
    return libs, reasons


# (lib) -> "SSL", (lib, reason) -> "CERTIFICATE_VERIFY_FAILED"; generated from
# OpenSSL's own headers by build_ffi.py.
LIB_NAMES, REASON_NAMES = _load_name_tables()


def _c_string(ptr):
    return None if ptr == ffi.NULL else ffi.string(ptr).decode("utf-8", "replace")


def build_error(cls, errno, errstr, errcode, where, verify_code=None, server_hostname=None):
    """Make an exception the way _ssl.c's fill_and_set_sslerror does.

    ``errcode`` is an OpenSSL packed error code (0 for none); it supplies
    ``library``, ``reason`` and, when ``errstr`` is None, the reason string.
    """
    library = reason = None
    if errcode:
        lib_number = lib.ERR_GET_LIB(errcode)
        reason_number = lib.ERR_GET_REASON(errcode)
        library = LIB_NAMES.get(lib_number)
        reason = REASON_NAMES.get((lib_number, reason_number))
        if errstr is None:
            errstr = _c_string(lib.ERR_reason_error_string(errcode))
    if errstr is None:
        errstr = "unknown error"
    verify_message = None
    if verify_code is not None:
        if verify_code == lib.X509_V_ERR_HOSTNAME_MISMATCH:
            verify_message = f"Hostname mismatch, certificate is not valid for '{server_hostname}'."
        elif verify_code == lib.X509_V_ERR_IP_ADDRESS_MISMATCH:
            verify_message = (
                f"IP address mismatch, certificate is not valid for '{server_hostname}'."
            )
        else:
            verify_message = _c_string(lib.X509_verify_cert_error_string(verify_code))
    if verify_message and reason and library:
        msg = f"[{library}: {reason}] {errstr}: {verify_message} ({where})"
    elif reason and library:
        msg = f"[{library}: {reason}] {errstr} ({where})"
    elif library:
        msg = f"[{library}] {errstr} ({where})"
    else:
        msg = f"{errstr} ({where})"
    exc = cls(errno, msg)
    exc.library = library
    exc.reason = reason
    if verify_code is not None:
        exc.verify_code = verify_code
        exc.verify_message = verify_message
    return exc


def error_from_queue(where, errstr=None, if_empty=None):
    """An SSLError from the top of OpenSSL's error queue (``_setSSLError``).

    Used by the context's configuration calls.  Clears the queue.  The errno is
    the packed reason, as the stdlib (e.g. 524297 for ``[SSL] PEM lib``).
    ``errstr`` replaces what the queue says; ``if_empty`` is the message when
    OpenSSL failed without queueing a reason (4.0's X509_VERIFY_PARAM_set1_host),
    where the stdlib says "unknown error".
    """
    errcode = 0 if errstr is not None else lib.ERR_peek_last_error()
    if errcode == 0 and errstr is None:
        errstr = if_empty
    exc = build_error(SSLError, lib.ERR_GET_REASON(errcode), errstr, errcode, where)
    lib.ERR_clear_error()
    return exc


def message_error(message):
    """An SSLError carrying only a message, as _ssl.c's PyErr_SetString paths."""
    lib.ERR_clear_error()
    return SSLError(message)


_SSL_ERROR_WANT_READ = lib.SSL_ERROR_WANT_READ
_want_read_messages: dict = {}


def want_read_message(where):
    """SSLWantReadError's message for a call made at ``where`` (one string per place)."""
    try:
        return _want_read_messages[where]
    except KeyError:
        message = _want_read_messages[where] = f"The operation did not complete (read) ({where})"
        return message


def error_from_io(ssl, result, where, server_hostname=None, ssl_error=None, got_eof=False):
    """The exception for a failed SSL_do_handshake/read/write/shutdown call.

    Mirrors _ssl.c's PySSL_SetError: the class comes from ``SSL_get_error`` and
    the last queued OpenSSL error.  Clears the error queue.  ``ssl_error`` is
    SSL_get_error's answer when the caller already asked for it.  ``got_eof``:
    the connection already raised SSLEOFError, so a bare SSL_ERROR_SSL (OpenSSL
    4.0's state after it) is that EOF again, as CPython 3.15 reports it.
    """
    if ssl_error is None:
        ssl_error = lib.SSL_get_error(ssl, result)
    if ssl_error == _SSL_ERROR_WANT_READ:
        # The everyday case of non-blocking I/O: no OpenSSL error to decode
        # (SSL_get_error reports WANT_READ only with an empty queue).
        return SSLWantReadError(SSL_ERROR_WANT_READ, want_read_message(where))
    errcode = lib.ERR_peek_last_error()
    cls = SSLError
    errstr = None
    verify_code = None
    if ssl_error == lib.SSL_ERROR_ZERO_RETURN:
        cls, errno = SSLZeroReturnError, SSL_ERROR_ZERO_RETURN
        errstr = "TLS/SSL connection has been closed (EOF)"
    elif ssl_error == lib.SSL_ERROR_WANT_READ:
        cls, errno = SSLWantReadError, SSL_ERROR_WANT_READ
        errstr = "The operation did not complete (read)"
    elif ssl_error == lib.SSL_ERROR_WANT_WRITE:
        cls, errno = SSLWantWriteError, SSL_ERROR_WANT_WRITE
        errstr = "The operation did not complete (write)"
    elif ssl_error == lib.SSL_ERROR_WANT_X509_LOOKUP:
        errno = SSL_ERROR_WANT_X509_LOOKUP
        errstr = "The operation did not complete (X509 lookup)"
    elif ssl_error in _PAUSES:
        hook, errstr = _PAUSES[ssl_error]
        exc = build_error(SSLWantCallbackError, ssl_error, errstr, 0, where)
        exc.hook = hook
        lib.ERR_clear_error()
        return exc
    elif ssl_error == lib.SSL_ERROR_WANT_CONNECT:
        errno = SSL_ERROR_WANT_CONNECT
        errstr = "The operation did not complete (connect)"
    elif ssl_error == lib.SSL_ERROR_SYSCALL:
        if errcode == 0:
            # No socket below a memory BIO: a bare SYSCALL means the input ended.
            cls, errno = SSLEOFError, SSL_ERROR_EOF
            errstr = "EOF occurred in violation of protocol"
        elif lib.ERR_GET_LIB(errcode) == lib.ERR_LIB_SYS:
            lib.ERR_clear_error()
            code = lib.ERR_GET_REASON(errcode)
            return OSError(code, os.strerror(code))
        else:
            cls, errno = SSLSyscallError, SSL_ERROR_SYSCALL
            errstr = "Some I/O error occurred"
    elif ssl_error == lib.SSL_ERROR_SSL:
        errno = SSL_ERROR_SSL
        if errcode == 0 and got_eof:
            cls, errno = SSLEOFError, SSL_ERROR_EOF
            errstr = "EOF occurred in violation of protocol"
        elif errcode == 0:
            errstr = "A failure in the SSL library occurred"
        elif lib.ERR_GET_LIB(errcode) == lib.ERR_LIB_SSL:
            reason = lib.ERR_GET_REASON(errcode)
            if reason == lib.SSL_R_CERTIFICATE_VERIFY_FAILED:
                cls = SSLCertVerificationError
                verify_code = lib.SSL_get_verify_result(ssl)
            elif reason == lib.SSL_R_UNEXPECTED_EOF_WHILE_READING:
                cls, errno = SSLEOFError, SSL_ERROR_EOF
                errstr = "EOF occurred in violation of protocol"
    else:
        errno = SSL_ERROR_INVALID_ERROR_CODE
        errstr = "Invalid error code"
    exc = build_error(cls, errno, errstr, errcode, where, verify_code, server_hostname)
    lib.ERR_clear_error()
    return exc
