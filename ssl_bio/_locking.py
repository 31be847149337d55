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

import threading
from typing import Any, Dict, Optional, Set

from ._binding import ffi, lib

__all__ = ["ContextLock", "ConnectionLocks", "new_lock"]

# ffi.gc size hint: a pthread mutex.
_LOCK_SIZE_HINT = 64


def new_lock() -> Any:
    """A recursive C lock (``ssl_bio_lock *``), freed with its last reference.

    Recursive because Python callbacks run inside the calls that hold it and
    may use the same objects again on the same thread.
    """
    lock = lib.ssl_bio_lock_new()
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


_get_ident = threading.get_ident


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
    """

    __slots__ = (
        "_mutex",
        "_condition",
        "_owner",
        "_depth",
        "_sharers",
        "_writers_waiting",
        "_readers_waiting",
        "_readers_turn",
        "_upgrading",
    )

    def __init__(self) -> None:
        # Shared holds on the fast path only take the mutex (a C-level
        # `with`); the condition is for waiting.
        self._mutex = threading.Lock()
        self._condition = threading.Condition(self._mutex)
        self._owner: Optional[int] = None  # the thread holding it exclusive
        self._depth = 0
        self._sharers: Dict[int, int] = {}  # thread -> how many times it holds it shared
        self._writers_waiting = 0
        self._readers_waiting = 0
        self._readers_turn = False  # after an exclusive hold: the waiting sharers first
        self._upgrading: Set[int] = set()

    def acquire_shared(self) -> None:
        """Hold the lock shared (many threads may)."""
        me = _get_ident()
        with self._mutex:
            if self._owner != me and me not in self._sharers:
                if self._owner is not None or self._writers_waiting:
                    self._readers_waiting += 1
                    try:
                        while self._owner is not None or (
                            self._writers_waiting and not self._readers_turn
                        ):
                            self._condition.wait()
                    finally:
                        self._readers_waiting -= 1
                        if not self._readers_waiting and self._readers_turn:
                            self._readers_turn = False
                            self._condition.notify_all()
            self._sharers[me] = self._sharers.get(me, 0) + 1

    def release_shared(self) -> None:
        """Release one shared hold."""
        me = _get_ident()
        with self._mutex:
            count = self._sharers[me] - 1
            if count:
                self._sharers[me] = count
            else:
                del self._sharers[me]
                if self._writers_waiting:
                    self._condition.notify_all()

    def acquire_exclusive(self) -> None:
        """Hold the lock alone (reentrant)."""
        me = _get_ident()
        with self._condition:
            if self._owner == me:
                self._depth += 1
                return
            upgrading = me in self._sharers
            if upgrading:
                if self._upgrading:
                    raise RuntimeError(
                        "two threads changed one SSLContext from inside its own "
                        "connections' callbacks at once"
                    )
                self._upgrading.add(me)
            self._writers_waiting += 1
            try:
                while (
                    self._owner is not None
                    or self._readers_turn
                    or any(t != me for t in self._sharers)
                ):
                    self._condition.wait()
            finally:
                self._writers_waiting -= 1
                self._upgrading.discard(me)
            self._owner = me
            self._depth = 1

    def release_exclusive(self) -> None:
        """Release one exclusive hold."""
        with self._condition:
            self._depth -= 1
            if not self._depth:
                self._owner = None
                if self._readers_waiting:
                    self._readers_turn = True
                self._condition.notify_all()

    def __enter__(self) -> ContextLock:
        self.acquire_exclusive()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release_exclusive()
