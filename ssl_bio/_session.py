"""SSLSession: a TLS session an SSLObject can resume."""

from __future__ import annotations

from typing import Any

from ._binding import ffi, lib

# ffi.gc size hint: an SSL_SESSION with its ticket and peer certificate.
_SESSION_SIZE_HINT = 2048


class SSLSession:
    """A TLS session, from ``SSLObject.session``, to resume with ``wrap_bio(session=)``.

    The OpenSSL session is shared (reference-counted), not copied.
    """

    __slots__ = ("_session", "_context")
    _session: Any  # SSL_SESSION *
    _context: Any  # the SSLContext it came from

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("cannot create 'ssl_bio.SSLSession' instances")

    @classmethod
    def _from_ssl(cls, ssl, context):
        """The session of an ``SSL *``, or None when it has none."""
        session = lib.SSL_get1_session(ssl)
        if session == ffi.NULL:
            return None
        self = cls.__new__(cls)
        self._session = ffi.gc(session, lib.SSL_SESSION_free, size=_SESSION_SIZE_HINT)
        self._context = context
        return self

    @property
    def id(self) -> bytes:
        """The session id, as bytes."""
        length = ffi.new("unsigned int *")
        data = lib.SSL_SESSION_get_id(self._session, length)
        return ffi.unpack(ffi.cast("char *", data), length[0])

    @property
    def time(self) -> int:
        """Session creation time (seconds since the epoch)."""
        return lib.SSL_SESSION_get_time(self._session)

    @property
    def timeout(self) -> int:
        """Session lifetime in seconds."""
        return lib.SSL_SESSION_get_timeout(self._session)

    @property
    def ticket_lifetime_hint(self) -> int:
        """The server's ticket lifetime hint, in seconds."""
        return lib.SSL_SESSION_get_ticket_lifetime_hint(self._session)

    @property
    def has_ticket(self) -> bool:
        """True if the session has a session ticket."""
        return bool(lib.SSL_SESSION_has_ticket(self._session))

    @property
    def max_early_data(self) -> int:
        """How many bytes of TLS 1.3 early data the server allows on resuming it (ssl_bio's)."""
        return int(lib.SSL_SESSION_get_max_early_data(self._session))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SSLSession):
            return NotImplemented
        return self is other or self.id == other.id

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, SSLSession):
            return NotImplemented
        return not self == other

    __hash__ = None  # type: ignore[assignment]
