"""MemoryBIO: an in-memory byte queue between the application and OpenSSL.

It wraps an OpenSSL ``BIO_s_mem`` directly, so an SSLObject built on two of
them moves bytes with no Python in between (the fast path).  ``bio_pointer``
is the one place that turns a BIO-like Python object into the ``BIO *`` that
``SSL_set_bio`` needs; accepting foreign BIO objects (such as the stdlib's
``ssl.MemoryBIO``) means adding an adapter there, behind a custom BIO_METHOD.
"""

import operator

from ._binding import ffi, lib
from ._errors import SSLError, error_from_queue

__all__ = ["MemoryBIO"]

_INT_MAX = 2**31 - 1
# ffi.gc size hint for a BIO_s_mem with its small control block, so that
# PyPy's GC accounts for the native memory it keeps alive.
_BIO_SIZE_HINT = 256
# read() fills the whole buffer it allocates, so skip zero-filling it.
_new_uncleared = ffi.new_allocator(should_clear_after_alloc=False)


def buffer_for_reading(data):
    """A cffi view of a contiguous buffer-protocol object, without copying.

    Use it in a ``with`` block so that the buffer export ends with the call
    (on PyPy it would otherwise last until the next GC, and a bytearray could
    not be resized).  Raises the stdlib's TypeError for str and other
    non-buffers and BufferError for non-contiguous buffers, which cffi would
    accept on PyPy, exposing the wrong bytes.
    """
    if type(data) is not bytes and type(data) is not bytearray:
        try:
            with memoryview(data) as view:
                contiguous = view.c_contiguous
        except TypeError:
            raise TypeError(
                f"a bytes-like object is required, not '{type(data).__name__}'"
            ) from None
        if not contiguous:
            raise BufferError("memoryview: underlying buffer is not C-contiguous")
    return ffi.from_buffer(data)


def buffer_for_writing(buffer, function):
    """A writable cffi view of a contiguous buffer (``with`` it, as above).

    ``bytes`` and other read-only or non-contiguous buffers raise the stdlib's
    TypeError (PyPy's cffi would hand out a pointer into them).
    """
    if type(buffer) is not bytearray:
        try:
            with memoryview(buffer) as view:
                usable = view.c_contiguous and not view.readonly
        except TypeError:
            usable = False
        if not usable:
            raise TypeError(
                f"{function}() argument 2 must be read-write bytes-like object, "
                f"not {type(buffer).__name__}"
            )
    return ffi.from_buffer(buffer, require_writable=True)


class MemoryBIO:
    """A memory buffer usable as the incoming or outgoing side of an SSLObject.

    Same API as the stdlib's ``ssl.MemoryBIO``: ``write()`` appends bytes,
    ``read()`` removes them, ``write_eof()`` marks the end of the stream.
    """

    __slots__ = ("_bio", "_eof_written", "__weakref__")

    def __init__(self):
        bio = lib.BIO_new(lib.BIO_s_mem())
        if bio == ffi.NULL:
            raise MemoryError()
        # An empty memory BIO means "no data yet", not EOF: OpenSSL should
        # ask again (retry) until write_eof() changes the EOF return to 0.
        lib.BIO_set_retry_read(bio)
        lib.BIO_set_mem_eof_return(bio, -1)
        self._bio = ffi.gc(bio, lib.BIO_free, size=_BIO_SIZE_HINT)
        self._eof_written = False

    @property
    def pending(self):
        """The number of bytes currently in the buffer."""
        return lib.BIO_ctrl_pending(self._bio)

    @property
    def eof(self):
        """True once ``write_eof()`` was called and every byte was read."""
        return self._eof_written and lib.BIO_ctrl_pending(self._bio) == 0

    def read(self, size=-1, /):
        """Read up to ``size`` bytes (all of them if ``size`` is negative)."""
        size = operator.index(size)
        available = min(lib.BIO_ctrl_pending(self._bio), _INT_MAX)
        if size < 0 or size > available:
            size = available
        if size == 0:
            return b""
        buf = _new_uncleared("char[]", size)
        count = lib.BIO_read(self._bio, buf, size)
        if count < 0:
            raise error_from_queue("ssl_bio:MemoryBIO.read")
        return ffi.unpack(buf, count)

    def write(self, buf, /):
        """Append the bytes of a buffer-protocol object; return how many."""
        with buffer_for_reading(buf) as view:
            length = ffi.sizeof(view)
            if length > _INT_MAX:
                raise OverflowError(f"string longer than {_INT_MAX} bytes")
            if self._eof_written:
                raise SSLError("cannot write() after write_eof()")
            if length == 0:
                return 0
            count = lib.BIO_write(self._bio, view, length)
        if count < 0:
            raise error_from_queue("ssl_bio:MemoryBIO.write")
        return count

    def write_eof(self):
        """Mark the end of the stream: once drained, reads see EOF."""
        self._eof_written = True
        # From now on an empty BIO reports EOF (0) instead of "retry" (-1).
        lib.BIO_set_mem_eof_return(self._bio, 0)


def bio_pointer(bio, argument):
    """The ``BIO *`` behind a BIO object passed to ``wrap_bio``."""
    if isinstance(bio, MemoryBIO):
        return bio._bio
    raise TypeError(
        f"wrap_bio() argument '{argument}' must be ssl_bio.MemoryBIO, not {type(bio).__name__}"
    )
