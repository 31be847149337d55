"""ssl_bio's locks: C locks for connections and BIOs, and the SSL_CTX lock.

cffi releases the GIL in every OpenSSL call, so OpenSSL objects that are not
thread-safe need locks of their own:

- A memory BIO, and the ``SSL *`` reading and writing it: each MemoryBIO has
  a lock (``new_lock``), and an SSLObject holds the locks of both its BIOs
  around every call.  These are C locks, taken by the C helpers in the same
  crossing as the OpenSSL call they protect (``ssl_bio_memory_*``,
  ``ssl_bio_connection_*`` in csrc/io.c): a Python lock would cost more
  than the call itself on a small message.  ``ConnectionLocks`` holds them
  from Python around calls that have no such helper.
- The SSL_CTX: a handshake reads its SSL_CTX (cipher lists, certificate
  store, ALPN, callbacks) and ``set_ciphers()`` or ``load_verify_locations()``
  in another thread frees what it reads: the stdlib crashes on that too.
  Here handshakes hold the context *shared* -- any number at once, so
  handshakes on one context still run in parallel -- and the methods that
  change the context hold it *exclusive* (``ContextLock``).
"""

from __future__ import annotations

from typing import Any

from ._binding import ffi, lib

__all__ = ["ContextLock", "ConnectionLocks", "new_lock", "own_lock"]

# ffi.gc size hint: a pthread mutex.
_LOCK_SIZE_HINT = 64


def new_lock() -> Any:
    """A recursive C lock (``ssl_bio_lock *``), freed with its last reference.

    Recursive because Python callbacks run inside the calls that hold it and
    may use the same objects again on the same thread.
    """
    return own_lock(lib.ssl_bio_lock_new())


def own_lock(lock: Any) -> Any:
    """``lock``, a new ``ssl_bio_lock *``, freed with the returned object's last
    reference (MemoryError if it is NULL)."""
    if lock == ffi.NULL:
        raise MemoryError()
    return ffi.gc(lock, lib.ssl_bio_lock_free, size=_LOCK_SIZE_HINT)


class ConnectionLocks:
    """``with`` it to hold both locks of an ``ssl_bio_connection`` from Python.

    For the SSLObject calls that have no locking C helper.  Blocking happens
    in C, without the GIL, so a thread waiting here lets the holder finish.
    """

    __slots__ = ("_connection",)

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def __enter__(self) -> None:
        lib.ssl_bio_connection_lock(self._connection)

    def __exit__(self, *exc_info: object) -> None:
        lib.ssl_bio_connection_unlock(self._connection)


# ffi.gc size hint: a mutex, a condition variable and the counts.
_CONTEXT_LOCK_SIZE_HINT = 160


class ContextLock:
    """A reentrant shared/exclusive lock that starves neither side.

    A thread wanting it exclusive keeps new sharers out until it had its turn;
    when it releases, every thread that waited to share gets in before the
    next exclusive holder.

    Reentrant both ways, because Python callbacks run inside handshakes: a
    thread holding the lock shared (an SNI callback inside a handshake) may
    take it exclusive once no other thread holds it; two threads that both
    try that at once would wait for each other for ever, so the second gets
    RuntimeError instead.

    The lock is C (csrc/context_lock.c): every handshake step takes it, and a
    Python lock cost more than the rest of the step's Python.  Waiting
    happens there, without the GIL.
    """

    __slots__ = ("c_lock",)

    c_lock: Any
    """The ``ssl_bio_context_lock *``, for the C helpers that take it themselves."""

    def __init__(self) -> None:
        lock = lib.ssl_bio_context_lock_new()
        if lock == ffi.NULL:
            raise MemoryError()
        self.c_lock = ffi.gc(lock, lib.ssl_bio_context_lock_free, size=_CONTEXT_LOCK_SIZE_HINT)

    def acquire_shared(self) -> None:
        """Hold the lock shared (many threads may)."""
        if lib.ssl_bio_context_lock_acquire_shared(self.c_lock):
            raise MemoryError()

    def release_shared(self) -> None:
        """Release one shared hold."""
        if lib.ssl_bio_context_lock_release_shared(self.c_lock):
            raise RuntimeError("cannot release a context lock this thread does not hold shared")

    def acquire_exclusive(self) -> None:
        """Hold the lock alone (reentrant)."""
        if lib.ssl_bio_context_lock_acquire_exclusive(self.c_lock):
            raise RuntimeError(
                "two threads changed one SSLContext from inside its own "
                "connections' callbacks at once"
            )

    def release_exclusive(self) -> None:
        """Release one exclusive hold."""
        if lib.ssl_bio_context_lock_release_exclusive(self.c_lock):
            raise RuntimeError("cannot release a context lock this thread does not hold exclusive")

    def __enter__(self) -> ContextLock:
        self.acquire_exclusive()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release_exclusive()
