"""MemoryBIO, and the adapter that lets OpenSSL use any other BIO-like object.

``MemoryBIO`` wraps an OpenSSL ``BIO_s_mem`` directly, so an SSLObject built
on two of them moves bytes with no Python in between (the fast path).

Any other object with the MemoryBIO interface (``read``, ``write``,
``write_eof``, ``pending``, ``eof``) -- above all the stdlib's own
``ssl.MemoryBIO``, which asyncio and Trio create and pass to ``wrap_bio`` -- is
reached through a custom ``BIO_METHOD`` whose read, write and ctrl call back
into Python (``_callbacks.py``).  OpenSSL then pulls exactly the bytes it needs
from the foreign object, so whatever it has not consumed stays there, visible
in its ``pending``.
"""

from __future__ import annotations

import operator
import threading
from typing import TYPE_CHECKING, Any, Protocol

from . import (
    _accel,
    _callbacks,  # noqa: F401  (defines the foreign BIO's callbacks)
)
from ._args import INT_MAX, INT_MIN
from ._binding import ffi, lib
from ._compat import stdlib_ssl as _stdlib_ssl
from ._errors import SSLError, error_from_queue
from ._locking import new_lock, own_lock

__all__ = ["MemoryBIO", "BIOLike", "OutgoingMirror", "reading_bio"]

# The stdlib's MemoryBIO type, which OutgoingMirror serves (None without _ssl).
_STDLIB_MEMORY_BIO: Any = None if _stdlib_ssl is None else _stdlib_ssl.MemoryBIO

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer


class BIOLike(Protocol):
    """What wrap_bio() needs of a BIO object: the MemoryBIO interface.

    ssl_bio's MemoryBIO and the stdlib's ssl.MemoryBIO both have it.
    """

    @property
    def pending(self) -> int: ...

    @property
    def eof(self) -> bool: ...

    def read(self, size: int = -1, /) -> bytes: ...

    def write(self, b: ReadableBuffer, /) -> int: ...

    def write_eof(self) -> None: ...


# ffi.gc size hint for a BIO_s_mem with its small control block, so that
# PyPy's GC accounts for the native memory it keeps alive.
_BIO_SIZE_HINT = 256
# read() fills the whole buffer it allocates, so skip zero-filling it.
_new_uncleared = ffi.new_allocator(should_clear_after_alloc=False)
SCRATCH_SIZE = 64 * 1024
per_thread = threading.local()
# The calls on every MemoryBIO I/O path, looked up once.
_memory_pending = lib.ssl_bio_memory_pending
_memory_read = lib.ssl_bio_memory_read
_memory_write = lib.ssl_bio_memory_write
_unpack = ffi.unpack
# The same, through the CPython accelerator (None on PyPy or when it is off;
# with it, read and write are C methods, below the class).
_accel_pending = _accel.memory_pending
_accel_stdlib_bio_new = _accel.stdlib_bio_new
# C types realized once, at import: PyPy's cffi can mix up two type strings
# that threads parse for the first time at once (seen as "expected integer,
# got tuple object" from ffi.new in a thread); a ctype is never parsed again.
MEMORY_PTR = ffi.typeof("ssl_bio_memory *")
CONNECTION_PTR = ffi.typeof("ssl_bio_connection *")
UINTPTR = ffi.typeof("uintptr_t")


def address_for_accelerator(pointer):
    """The address of ``pointer`` as an int for the accelerator, or 0 without it."""
    return int(ffi.cast(UINTPTR, pointer)) if _accel.ENABLED else 0


def scratch_buffer():
    """This thread's 64 KiB buffer for reads that copy straight into bytes.

    Per thread because cffi releases the GIL around every C call.  Only for
    C calls that run no Python code while they fill it.
    """
    try:
        return per_thread.scratch
    except AttributeError:
        buf = per_thread.scratch = _new_uncleared("char[]", SCRATCH_SIZE)
        return buf


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


def reading_bio(data):
    """A read-only OpenSSL memory BIO over bytes-like ``data``, freed with its last reference.

    OpenSSL reads ``data`` in place for as long as the BIO lives, so the BIO
    keeps it pinned (``ffi.from_buffer``): bytes passed straight to C are,
    on PyPy, a copy valid only for the call.
    """
    source = ffi.from_buffer(data)
    bio = lib.BIO_new_mem_buf(source, len(source))
    if bio == ffi.NULL:
        lib.ERR_clear_error()
        raise MemoryError()
    return ffi.gc(bio, lambda pointer, _source=source: lib.BIO_free(pointer))


class MemoryBIO:
    """A memory buffer usable as the incoming or outgoing side of an SSLObject.

    Same API as the stdlib's ``ssl.MemoryBIO``: ``write()`` appends bytes,
    ``read()`` removes them, ``write_eof()`` marks the end of the stream.
    """

    __slots__ = ("_bio", "_lock", "_memory", "_address", "_eof_written", "__weakref__")

    def __init__(self) -> None:
        # Its BIO_s_mem and its lock, made in one call (csrc/io.c).  A
        # BIO_s_mem is not thread-safe and cffi releases the GIL in every
        # call: each call here holds the lock (taken in C, _locking.py), and
        # so does every SSLObject call that reads or writes this BIO.
        memory = ffi.new(MEMORY_PTR)
        if not lib.ssl_bio_memory_init(memory):
            raise MemoryError()
        self._bio = ffi.gc(memory.bio, lib.BIO_free, size=_BIO_SIZE_HINT)
        self._lock = own_lock(memory.lock)
        self._memory = memory
        self._eof_written = False
        # How the accelerator finds it; self._memory keeps it alive.
        self._address = address_for_accelerator(self._memory)

    @property
    def pending(self) -> int:
        """The number of bytes currently in the buffer."""
        if _accel_pending is not None:
            return _accel_pending(self._address)
        return _memory_pending(self._memory)

    @property
    def eof(self) -> bool:
        """True once ``write_eof()`` was called and every byte was read."""
        return self._eof_written and _memory_pending(self._memory) == 0

    def read(self, size: int = -1, /) -> bytes:
        """Read up to ``size`` bytes (all of them if ``size`` is negative)."""
        if size.__class__ is not int:
            size = operator.index(size)
        if size < 0 or size > INT_MAX:  # the stdlib's C int, -1 meaning all
            if size < INT_MIN or size > INT_MAX:
                raise OverflowError("Python int too large to convert to C int")
            size = INT_MAX
        # Sized by what is pending, never zero-filled, and for the usual
        # sizes no allocation at all: this thread's scratch buffer (BIO_read
        # runs no Python, so nothing else can use it meanwhile).
        try:
            buf = per_thread.scratch
        except AttributeError:
            buf = scratch_buffer()
        count = _memory_read(self._memory, buf, size, SCRATCH_SIZE)
        if count > 0:
            return _unpack(buf, count)
        if count < -1:  # more than the scratch buffer holds
            buf = _new_uncleared("char[]", -count)
            count = _memory_read(self._memory, buf, -count, -count)
            if count >= 0:
                return _unpack(buf, count)
        if count == 0:
            return b""
        raise error_from_queue("ssl_bio:MemoryBIO.read")

    def write(self, buf: ReadableBuffer, /) -> int:
        """Append the bytes of a buffer-protocol object; return how many."""
        if buf.__class__ is bytes:  # the common case: cffi passes bytes as they are
            length = len(buf)
            if self._eof_written:
                raise SSLError("cannot write() after write_eof()")
            if length == 0:
                return 0
            if length > INT_MAX:
                raise OverflowError(f"string longer than {INT_MAX} bytes")
            count = _memory_write(self._memory, buf, length)
        else:
            with buffer_for_reading(buf) as view:
                length = ffi.sizeof(view)
                if length > INT_MAX:
                    raise OverflowError(f"string longer than {INT_MAX} bytes")
                if self._eof_written:
                    raise SSLError("cannot write() after write_eof()")
                if length == 0:
                    return 0
                count = _memory_write(self._memory, view, length)
        if count < 0:
            raise error_from_queue("ssl_bio:MemoryBIO.write")
        return count

    def write_eof(self) -> None:
        """Mark the end of the stream: once drained, reads see EOF."""
        self._eof_written = True
        lib.ssl_bio_memory_write_eof(self._memory)


if _accel.accelerate_memory_bio is not None:
    # read() and write() as C methods; the Python ones above stay the
    # definition, and take every call the C ones do not.
    _accel.accelerate_memory_bio(MemoryBIO)


class ForeignBIO:
    """What a foreign BIO's OpenSSL side knows: the object, and where to report.

    An exception the object raises inside a callback goes to ``errors``, the
    ``CallbackErrors`` of the SSLObject using the BIO, which raises it from
    the call that made OpenSSL use the BIO.
    """

    __slots__ = ("target", "errors")

    def __init__(self, target, errors):
        self.target = target
        self.errors = errors


# One method for the whole process; OpenSSL never frees it.  Its read,
# write and ctrl (csrc/io.c) call _callbacks.ssl_bio_foreign_*.
_FOREIGN_BIO_METHOD = lib.ssl_bio_foreign_method()
if _FOREIGN_BIO_METHOD == ffi.NULL:  # pragma: no cover - out of memory at import
    raise MemoryError()
_BIO_INTERFACE = ("read", "write", "write_eof", "pending", "eof")


def check_bio(bio, argument):
    """TypeError unless ``bio`` is a MemoryBIO or has the MemoryBIO interface."""
    if not isinstance(bio, MemoryBIO) and not all(hasattr(bio, n) for n in _BIO_INTERFACE):
        raise TypeError(
            f"wrap_bio() argument '{argument}' must be a MemoryBIO "
            f"(read, write, write_eof, pending, eof), not {type(bio).__name__}"
        )


def io_locks(incoming, outgoing):
    """The two locks an SSLObject on these BIOs holds around every operation.

    The locks of its MemoryBIOs, so that no thread touches a BIO while OpenSSL
    uses it, in one global order (by address) so that two objects sharing
    BIOs cannot deadlock; a fresh lock fills each place a MemoryBIO does not
    (a foreign BIO, or one BIO for both directions).  Either lock alone also
    keeps two threads out of one ``SSL *``.
    """
    locks = [bio._lock for bio in (incoming, outgoing) if isinstance(bio, MemoryBIO)]
    if len(locks) == 2 and locks[0] == locks[1]:
        del locks[1]
    while len(locks) < 2:
        locks.append(new_lock())
    locks.sort(key=lambda lock: int(ffi.cast(UINTPTR, lock)))
    return locks[0], locks[1]


def is_stdlib_bio(bio):
    """Whether ``bio`` is exactly the stdlib's ``ssl.MemoryBIO``: C code, no Python.

    Such a BIO runs no Python code of anyone's inside an OpenSSL call, so an
    SSLObject on it may take the same fast paths as on ssl_bio's own.
    """
    return _STDLIB_MEMORY_BIO is not None and type(bio) is _STDLIB_MEMORY_BIO


class OutgoingMirror:
    """The stdlib's own ``ssl.MemoryBIO`` as the outgoing side, served through one of ours.

    What asyncio, uvloop and Trio hand ``wrap_bio()``.  On the cffi path (PyPy,
    or the accelerator off; the accelerator's C BIO writes to it directly)
    every BIO_write and BIO_ctrl OpenSSL makes through the foreign BIO method
    would be a Python callback; instead OpenSSL writes into an ssl_bio
    MemoryBIO and ``push()`` moves the bytes to the stdlib's after each
    SSLObject call (``_handshaking_call``, and read/write's fast path).  The
    incoming side stays a foreign BIO: OpenSSL then reads exactly what it
    needs, and what it has not read stays visible in the stdlib BIO (Trio's
    ``unwrap()`` reads it).
    """

    __slots__ = ("outgoing", "inner")

    def __init__(self, outgoing):
        self.outgoing = outgoing
        self.inner = MemoryBIO()

    @staticmethod
    def serves(incoming, outgoing):
        """Whether ``outgoing`` is exactly a stdlib MemoryBIO (and not also ``incoming``)."""
        return is_stdlib_bio(outgoing) and outgoing is not incoming

    def push(self):
        """After an OpenSSL call: what it wrote, to the stdlib outgoing BIO."""
        inner = self.inner
        if inner.pending:
            self.outgoing.write(inner.read())


def bio_endpoint(bio, argument, errors):
    """The ``BIO *`` for an object passed to ``wrap_bio``, for ``SSL_set_bio``.

    Returns ``(pointer, keepalive)``.  For a MemoryBIO the pointer is its own
    BIO and ``keepalive`` None: the caller adds the reference SSL_set_bio takes
    over.  For any other object with the MemoryBIO interface a new BIO of the
    foreign method is made, reporting what the object raises to ``errors``;
    ``keepalive`` -- the objects it uses -- must live as long as the BIO.
    The new BIO is the caller's to free until SSL_set0_rbio/wbio takes it over.
    """
    if isinstance(bio, MemoryBIO):
        return bio._bio, None
    check_bio(bio, argument)
    if _accel_stdlib_bio_new is not None and is_stdlib_bio(bio):
        # The accelerator's BIO calls the stdlib's C methods with no Python
        # frame; it borrows both objects, so they live as long as it.
        pointer = ffi.cast("BIO *", _accel_stdlib_bio_new(bio, errors))
        return pointer, (bio, errors)
    adapter = ForeignBIO(bio, errors)
    handle = ffi.new_handle(adapter)
    pointer = lib.BIO_new(_FOREIGN_BIO_METHOD)
    if pointer == ffi.NULL:
        raise MemoryError()
    lib.BIO_set_data(pointer, handle)
    lib.BIO_set_init(pointer, 1)
    return pointer, (adapter, handle)
