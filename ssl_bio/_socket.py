"""SSLSocket: the stdlib's socket API (``SSLContext.wrap_socket``) on ssl_bio.

An ``SSLSocket`` is a ``socket.socket`` whose TLS runs in an SSLObject over two
ssl_bio MemoryBIOs.  ``SocketSSLObject`` moves the records between those BIOs
and the socket: it is to ``SSLSocket`` what the stdlib's C ``_ssl._SSLSocket``
is to ``ssl.SSLSocket``.

Why memory BIOs and not OpenSSL's socket BIO: the SSLObject's locks are then
held for one OpenSSL call at a time and never while a thread waits on the
network, so one thread can send while another waits in ``recv()`` -- as
stdlib users do -- and every SSLObject behaviour (errors, callbacks, thread
safety) is the one the rest of the suite tests.  Two plain locks keep the
records in order on the wire: one for sending, one for receiving.

Blocking follows the socket's timeout, as the stdlib's: ``None`` waits,
``0.0`` raises SSLWantReadError/SSLWantWriteError, a number is a deadline for
the whole call (``socket.timeout``: "The read operation timed out").
"""

from __future__ import annotations

import _socket
import errno
import math
import select
import socket
import threading
import weakref
from time import monotonic
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Union, overload

from ._bio import MemoryBIO
from ._compat import stdlib_ssl as _stdlib_ssl
from ._constants import (
    CHANNEL_BINDING_TYPES,
    PROTOCOL_TLS_CLIENT,
    SSL_ERROR_EOF,
    SSL_ERROR_SSL,
    SSL_ERROR_WANT_WRITE,
)
from ._errors import SSLError, SSLWantReadError, SSLWantWriteError
from ._object import SSLObject, check_sslobject_params

__all__ = ["SSLSocket", "get_server_certificate"]

if TYPE_CHECKING:
    from typing import Literal

    from _typeshed import ReadableBuffer, WriteableBuffer

    from ._context import SSLContext
    from ._session import SSLSession

# The socket's own calls, past SSLSocket's overrides of them.
_raw_recv = _socket.socket.recv
_raw_send = _socket.socket.send
# At most this much is read from the socket at once: two full TLS records.
_RECEIVE_SIZE = 2 * (16384 + 256 + 5)


def _wait(sock: socket.socket, event: int, deadline: float, operation: str) -> None:
    """Wait until ``sock`` is ready for ``event`` (POLLIN/POLLOUT) or the deadline passes."""
    remaining = deadline - monotonic()
    if remaining > 0:
        poller = select.poll()
        poller.register(sock, event)
        if poller.poll(math.ceil(remaining * 1000)):
            return
    raise socket.timeout(f"The {operation} operation timed out")


def _when_ready(sock, call, argument, event, timeout, deadline, operation):
    """``call(sock, argument)`` once the socket is ready for ``event``.

    None instead when the socket is non-blocking and not ready; with a
    deadline, socket.timeout when it passes.
    """
    while True:
        if deadline is not None:
            _wait(sock, event, deadline, operation)
        try:
            return call(sock, argument)
        except BlockingIOError:
            if timeout == 0:
                return None
            # A false wake-up: wait again.


def _acquire(lock: Any, deadline: Optional[float], operation: str) -> None:
    """Take ``lock``, giving up (socket.timeout) at the deadline."""
    if deadline is None:
        lock.acquire()
    elif not lock.acquire(timeout=max(deadline - monotonic(), 0)):
        raise socket.timeout(f"The {operation} operation timed out")


class SocketSSLObject(SSLObject):
    """An SSLObject that moves its own records over its SSLSocket's socket.

    ``do_handshake``, ``read``, ``write`` and ``unwrap`` block, time out or
    raise SSLWant*Error as the socket's timeout says; everything else is the
    SSLObject's.  It holds its socket weakly (the socket holds it).
    """

    __slots__ = (
        "_owner",
        "_incoming",
        "_outgoing",
        "_send_lock",
        "_receive_lock",
        "_received",
        "_unsent",
        "_written",
    )

    _owner: Any  # weakref.ref to the SSLSocket
    _incoming: MemoryBIO
    _outgoing: MemoryBIO
    _send_lock: threading.Lock  # one sender at a time: records stay in order
    _receive_lock: threading.Lock
    _received: int  # how many times bytes (or EOF) came in: see _pull
    _unsent: Any  # records taken from _outgoing that the socket has not taken yet
    _written: Optional[int]  # a write's count, while its records are still going out

    def uses_ktls_for_send(self) -> bool:
        """Whether the kernel encrypts what is sent (CPython 3.15's private ``_SSLSocket``).

        Never: records are made in memory BIOs and written to the socket.
        """
        return False

    def uses_ktls_for_recv(self) -> bool:
        """Whether the kernel decrypts what is received: never, as ``uses_ktls_for_send``."""
        return False

    @classmethod
    def _for_socket(
        cls,
        owner: SSLSocket,
        context: SSLContext,
        server_side: bool,
        server_hostname: Optional[str],
        session: Optional[SSLSession],
    ) -> SocketSSLObject:
        incoming, outgoing = MemoryBIO(), MemoryBIO()
        self = cls._create(
            incoming,
            outgoing,
            server_side=server_side,
            server_hostname=server_hostname,
            session=session,
            context=context,
        )
        assert isinstance(self, SocketSSLObject)
        self._owner = weakref.ref(owner)
        self._incoming = incoming
        self._outgoing = outgoing
        self._send_lock = threading.Lock()
        self._receive_lock = threading.Lock()
        self._received = 0
        self._unsent = b""
        self._written = None
        return self

    # --- the socket side -----------------------------------------------------

    def _socket(self) -> SSLSocket:
        owner = self._owner()
        if owner is None:
            raise SSLError("Underlying socket connection gone")
        return owner

    def _callback_subject(self) -> Any:
        """Callbacks (SNI, message) see the SSLSocket, as with the stdlib."""
        owner = self._owner()
        return self if owner is None else owner

    @staticmethod
    def _deadline(timeout: Optional[float]) -> Optional[float]:
        return None if not timeout else monotonic() + timeout

    def _push(self, sock, timeout, deadline, operation):
        """Send every record OpenSSL has written so far.

        Non-blocking: SSLWantWriteError when the socket takes no more (the rest
        waits in ``_unsent``); with a timeout: socket.timeout at the deadline.
        """
        if not self._unsent and not self._outgoing.pending:
            return
        _acquire(self._send_lock, deadline, operation)
        try:
            if self._outgoing.pending:
                records = self._outgoing.read()
                self._unsent = bytes(self._unsent) + records if self._unsent else records
            unsent = self._unsent
            while unsent:
                sent = _when_ready(
                    sock, _raw_send, unsent, select.POLLOUT, timeout, deadline, operation
                )
                if sent is None:
                    raise SSLWantWriteError(
                        SSL_ERROR_WANT_WRITE,
                        f"The operation did not complete (write) ({operation})",
                    )
                unsent = self._unsent = memoryview(unsent)[sent:] if sent < len(unsent) else b""
        finally:
            self._send_lock.release()

    def _push_quietly(self, sock):
        """Send what the socket takes without waiting (an alert after a failure).

        Never raises: the failure being reported matters more.
        """
        try:
            self._push(sock, 0, None, "write")
        except OSError:
            pass

    def _pull(self, sock, timeout, deadline, operation, seen):
        """Feed the incoming BIO from the socket; False if nothing came (non-blocking).

        ``seen`` is ``_received`` before the OpenSSL call that wanted bytes:
        if another thread has fed the BIO since, that call is retried first.
        """
        _acquire(self._receive_lock, deadline, operation)
        try:
            if self._received != seen:
                return True
            data = _when_ready(
                sock, _raw_recv, _RECEIVE_SIZE, select.POLLIN, timeout, deadline, operation
            )
            if data is None:
                return False
            if data:
                self._incoming.write(data)
            else:
                self._incoming.write_eof()
            self._received += 1
            return True
        finally:
            self._receive_lock.release()

    def _run(self, sock, timeout, deadline, operation, function, *args):
        """``function(*args)``, fetching the bytes it wants from the socket."""
        while True:
            seen = self._received
            try:
                return function(*args)
            except SSLWantReadError:
                # What OpenSSL wrote (a handshake flight) goes out before we wait.
                self._push(sock, timeout, deadline, operation)
                if not self._pull(sock, timeout, deadline, operation, seen):
                    raise
            except Exception:
                self._push_quietly(sock)  # the alert OpenSSL queued for the peer
                raise

    def _start(self):
        """The socket, its timeout, and this call's deadline."""
        sock = self._socket()
        timeout = sock.gettimeout()
        return sock, timeout, self._deadline(timeout)

    def _run_and_send(self, operation, sending, function, *args):
        """``_run`` the SSLObject call, then send all it wrote (``sending`` names that part)."""
        sock, timeout, deadline = self._start()
        result = self._run(sock, timeout, deadline, operation, function, self, *args)
        self._push(sock, timeout, deadline, sending)
        return result

    # --- the SSLObject calls, over the socket --------------------------------

    def do_handshake(self) -> None:
        """Run the handshake over the socket."""
        self._run_and_send("handshake", "handshake", SSLObject.do_handshake)

    @overload
    def read(self, len: int = 1024, buffer: None = None) -> bytes: ...

    @overload
    def read(self, len: int, buffer: WriteableBuffer) -> int: ...

    def read(self, len: int = 1024, buffer: Optional[WriteableBuffer] = None) -> Union[bytes, int]:
        """Read up to ``len`` bytes of plaintext from the socket."""
        sock, timeout, deadline = self._start()
        result = self._run(sock, timeout, deadline, "read", SSLObject.read, self, len, buffer)
        if self._outgoing.pending:
            # A reply OpenSSL wrote while reading (a KeyUpdate): sent now if
            # the socket takes it, else before this connection next waits.
            try:
                self._push(sock, timeout, deadline, "read")
            except (SSLWantWriteError, socket.timeout):
                pass
        return result

    def write(self, data: ReadableBuffer) -> int:
        """Encrypt ``data`` and send it; returns its length.

        When the socket cannot take all of the records (non-blocking, or at the
        deadline), this raises and the records wait: the retried call -- with
        the same data, as OpenSSL requires -- sends them and returns the count.
        """
        sock, timeout, deadline = self._start()
        count = self._written
        if count is None:
            count = self._run(sock, timeout, deadline, "write", SSLObject.write, self, data)
        elif len(memoryview(data)) < count:
            # OpenSSL's rule for a retried SSL_write, and its error.
            error = SSLError(
                SSL_ERROR_SSL, "[SSL: BAD_WRITE_RETRY] bad write retry (ssl_bio:write)"
            )
            error.library = "SSL"  # type: ignore[assignment]
            error.reason = "BAD_WRITE_RETRY"  # type: ignore[assignment]
            raise error
        self._written = count
        self._push(sock, timeout, deadline, "write")
        self._written = None
        return count

    def unwrap(self) -> None:
        """Send close_notify and wait for the peer's over the socket."""
        self._run_and_send("read", "write", SSLObject.unwrap)

    def write_early_data(self, data: ReadableBuffer) -> int:
        """Send TLS 1.3 early data with the ClientHello (see SSLObject)."""
        return self._run_and_send("write", "write", SSLObject.write_early_data, data)

    def read_early_data(self, len: int = 1024) -> bytes:
        """The client's early data from the socket, ``b''`` when there is no more."""
        sock, timeout, deadline = self._start()
        return self._run(sock, timeout, deadline, "read", SSLObject.read_early_data, self, len)

    def _take_unread(self) -> bytes:
        """What came after the peer's close_notify (plaintext, after unwrap)."""
        return self._incoming.read()


class SSLSocket(socket.socket):
    """A socket with TLS, as the stdlib's ``ssl.SSLSocket``.

    Instances come from ``SSLContext.wrap_socket()``.  Reads and writes go
    through TLS; ``unwrap()`` returns to plain text.  ``isinstance(s,
    ssl.SSLSocket)`` is true (``__class__``), so code that refuses TLS sockets
    where it needs plain ones (asyncio's ``sock_*`` calls) refuses these too.
    """

    _sslobj: Optional[SocketSSLObject]
    _context: SSLContext
    _session: Optional[SSLSession]
    _connected: bool
    _unread: bytes
    server_side: bool
    server_hostname: Optional[str]
    do_handshake_on_connect: bool
    suppress_ragged_eofs: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(
            f"{self.__class__.__name__} does not have a public "
            f"constructor. Instances are returned by SSLContext.wrap_socket()."
        )

    if _stdlib_ssl is not None:

        @property  # type: ignore[misc]
        def __class__(self) -> type:  # noqa: F811  (the isinstance() rule)
            """``ssl.SSLSocket``, for isinstance() checks; ``type()`` stays ssl_bio's."""
            return _stdlib_ssl.SSLSocket

    @classmethod
    def _create(
        cls,
        sock: socket.socket,
        server_side: bool = False,
        do_handshake_on_connect: bool = True,
        suppress_ragged_eofs: bool = True,
        server_hostname: Union[str, bytes, None] = None,
        context: Optional[SSLContext] = None,
        session: Optional[SSLSession] = None,
    ) -> SSLSocket:
        """Take over ``sock``'s file descriptor (``sock`` is detached)."""
        if context is None:
            raise TypeError("SSLSocket._create() needs the SSLContext (context=)")
        if sock.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) != socket.SOCK_STREAM:
            raise NotImplementedError("only stream sockets are supported")
        # Before the descriptor is taken over, so a refused call leaves ``sock``
        # as it was (SSLObject._create checks again for wrap_bio's callers).
        check_sslobject_params(server_side, context, server_hostname, session)
        timeout = sock.gettimeout()
        fields = {"family": sock.family, "type": sock.type, "proto": sock.proto}
        self = cls.__new__(cls, fileno=sock.fileno(), **fields)  # type: ignore[call-arg]
        socket.socket.__init__(self, fileno=sock.fileno(), **fields)
        sock.detach()
        # The descriptor is this socket's now: whatever fails closes it.
        try:
            self._setup(
                context,
                session,
                server_side,
                server_hostname,
                do_handshake_on_connect,
                suppress_ragged_eofs,
                timeout,
            )
        except BaseException:
            self._close_quietly()
            raise
        return self

    def _setup(
        self,
        context,
        session,
        server_side,
        server_hostname,
        do_handshake_on_connect,
        suppress_ragged_eofs,
        timeout,
    ):
        self._context = context
        self._session = session
        self._sslobj = None
        self._unread = b""
        self.server_side = bool(server_side)
        self.server_hostname = context._encode_hostname(server_hostname)
        self.do_handshake_on_connect = do_handshake_on_connect
        self.suppress_ragged_eofs = suppress_ragged_eofs
        try:
            self.getpeername()
        except OSError as exc:
            if exc.errno != errno.ENOTCONN:
                raise
            self._connected = False
            self._refuse_early_data()
        else:
            self._connected = True
        self.settimeout(timeout)  # after _refuse_early_data's setblocking()
        if self._connected:
            self._sslobj = self._new_sslobj(self.server_side)
            if do_handshake_on_connect:
                if self.gettimeout() == 0.0:
                    raise ValueError(
                        "do_handshake_on_connect should not be specified for non-blocking sockets"
                    )
                self.do_handshake()

    def _refuse_early_data(self):
        """Fail if an unconnected socket has bytes waiting (as CPython 3.13).

        A peer that sent and closed before the handshake must not have its
        bytes read as if they had come through TLS.
        """
        blocking = self.getblocking()
        self.setblocking(False)
        try:
            early = socket.socket.recv(self, 1)
        except OSError as exc:
            # EINVAL: recv() on an unconnected Unix socket.
            if exc.errno not in (errno.ENOTCONN, errno.EINVAL):
                raise
            early = b""
        self.setblocking(blocking)
        if early:
            reason = "Closed before TLS handshake with data in recv buffer."
            error = SSLError(errno.ENOTCONN, reason)
            error.reason = reason  # as _ssl.c's errors
            error.library = None
            raise error

    def _close_quietly(self):
        try:
            self.close()
        except OSError:
            pass

    def _new_sslobj(self, server_side):
        return SocketSSLObject._for_socket(
            self, self._context, server_side, self.server_hostname, self._session
        )

    # --- attributes ----------------------------------------------------------

    @property
    def context(self) -> SSLContext:
        """The SSLContext; assigning switches the connection to another."""
        return self._context

    @context.setter
    def context(self, ctx: SSLContext) -> None:
        if self._sslobj is not None:
            self._sslobj.context = ctx
        self._context = ctx

    @property
    def session(self) -> Optional[SSLSession]:
        """The TLS session (SSLSession), or None; settable before the handshake."""
        if self._sslobj is not None:
            return self._sslobj.session
        return None

    @session.setter
    def session(self, session: Optional[SSLSession]) -> None:
        self._session = session
        if self._sslobj is not None and session is not None:
            self._sslobj.session = session

    @property
    def session_reused(self) -> Optional[bool]:
        """True if the handshake resumed a session; None before the connection."""
        if self._sslobj is not None:
            return self._sslobj.session_reused
        return None

    def dup(self) -> SSLSocket:
        """Not possible: one TLS connection cannot be shared by two sockets."""
        raise NotImplementedError(f"Can't dup() {self.__class__.__name__} instances")

    def _check_connected(self):
        if not self._connected:
            # Raises ENOTCONN unless connect() finished after an EAGAIN.
            self.getpeername()

    # --- TLS I/O -------------------------------------------------------------

    def do_handshake(self, block: bool = False) -> None:
        """Run the TLS handshake (``block=True``: even on a non-blocking socket)."""
        self._check_connected()
        timeout = self.gettimeout()
        try:
            if timeout == 0.0 and block:
                self.settimeout(None)
            if self._sslobj is None:
                raise ValueError("do_handshake on closed or unwrapped SSL socket.")
            self._sslobj.do_handshake()
        finally:
            self.settimeout(timeout)

    @overload
    def read(self, len: int = 1024, buffer: None = None) -> bytes: ...

    @overload
    def read(self, len: int, buffer: WriteableBuffer) -> int: ...

    def read(self, len: int = 1024, buffer: Optional[WriteableBuffer] = None) -> Union[bytes, int]:
        """Read up to ``len`` bytes (into ``buffer`` if given); ``b''`` at the end."""
        if self._sslobj is None:
            raise ValueError("Read on closed or unwrapped SSL socket.")
        try:
            return self._sslobj.read(len, buffer)
        except SSLError as exc:
            if exc.args[0] == SSL_ERROR_EOF and self.suppress_ragged_eofs:
                return b"" if buffer is None else 0
            raise

    def write(self, data: ReadableBuffer) -> int:
        """Send ``data`` through TLS; returns the number of bytes sent."""
        if self._sslobj is None:
            raise ValueError("Write on closed or unwrapped SSL socket.")
        return self._sslobj.write(data)

    def send(self, data: ReadableBuffer, flags: int = 0) -> int:
        """As ``write()``; ``flags`` must be 0 while TLS is on."""
        if self._sslobj is None:
            return super().send(data, flags)
        if flags != 0:
            raise ValueError(f"non-zero flags not allowed in calls to send() on {self.__class__}")
        return self._sslobj.write(data)

    def sendall(self, data: ReadableBuffer, flags: int = 0) -> None:
        """Send all of ``data``."""
        if self._sslobj is None:
            return super().sendall(data, flags)
        if flags != 0:
            raise ValueError(
                f"non-zero flags not allowed in calls to sendall() on {self.__class__}"
            )
        with memoryview(data) as view, view.cast("B") as octets:
            done = 0
            while done < len(octets):
                done += self.send(octets[done:])
        return None

    def sendfile(self, file: Any, offset: int = 0, count: Optional[int] = None) -> int:
        """Send a file; through TLS with send(), in plain text with os.sendfile()."""
        if self._sslobj is not None:
            return self._sendfile_use_send(file, offset, count)  # type: ignore[attr-defined]
        return super().sendfile(file, offset, count)

    def recv(self, buflen: int = 1024, flags: int = 0) -> bytes:
        """As ``read()``; ``flags`` must be 0 while TLS is on."""
        if self._sslobj is None:
            return self._plain_recv(buflen, flags)
        if flags != 0:
            raise ValueError(f"non-zero flags not allowed in calls to recv() on {self.__class__}")
        return self.read(buflen)  # type: ignore[return-value]

    def recv_into(
        self, buffer: WriteableBuffer, nbytes: Optional[int] = None, flags: int = 0
    ) -> int:
        """Read into ``buffer``; ``nbytes`` defaults to its size."""
        if nbytes is None:
            nbytes = 0
            if buffer is not None:
                with memoryview(buffer) as view:
                    nbytes = view.nbytes
            nbytes = nbytes or 1024
        if self._sslobj is None:
            if self._unread:
                data = self._plain_recv(nbytes, flags)
                with memoryview(buffer) as view:
                    view[: len(data)] = data
                return len(data)
            return super().recv_into(buffer, nbytes, flags)
        if flags != 0:
            raise ValueError(
                f"non-zero flags not allowed in calls to recv_into() on {self.__class__}"
            )
        return self.read(nbytes, buffer)  # type: ignore[return-value]

    def _plain_recv(self, buflen, flags):
        """recv() after unwrap(): first what came after the peer's close_notify."""
        if self._unread and buflen > 0 and not flags:
            data, self._unread = self._unread[:buflen], self._unread[buflen:]
            return data
        return super().recv(buflen, flags)

    def recvfrom(self, buflen: int = 1024, flags: int = 0) -> Tuple[bytes, Any]:
        """Refused while TLS is on (no datagrams in TLS)."""
        if self._sslobj is not None:
            raise ValueError(f"recvfrom not allowed on instances of {self.__class__}")
        return super().recvfrom(buflen, flags)

    def recvfrom_into(
        self, buffer: WriteableBuffer, nbytes: Optional[int] = None, flags: int = 0
    ) -> Tuple[int, Any]:
        """Refused while TLS is on (no datagrams in TLS)."""
        if self._sslobj is not None:
            raise ValueError(f"recvfrom_into not allowed on instances of {self.__class__}")
        return super().recvfrom_into(buffer, nbytes or 0, flags)

    def sendto(self, data: ReadableBuffer, flags_or_addr: Any, addr: Any = None) -> int:
        """Refused while TLS is on (no datagrams in TLS)."""
        if self._sslobj is not None:
            raise ValueError(f"sendto not allowed on instances of {self.__class__}")
        if addr is None:
            return super().sendto(data, flags_or_addr)
        return super().sendto(data, flags_or_addr, addr)

    def sendmsg(self, *args: Any, **kwargs: Any) -> int:
        """Refused: it would send plain text past TLS."""
        raise NotImplementedError(f"sendmsg not allowed on instances of {self.__class__}")

    def recvmsg(self, *args: Any, **kwargs: Any) -> Any:
        """Refused: it would read past TLS."""
        raise NotImplementedError(f"recvmsg not allowed on instances of {self.__class__}")

    def recvmsg_into(self, *args: Any, **kwargs: Any) -> Any:
        """Refused: it would read past TLS."""
        raise NotImplementedError(f"recvmsg_into not allowed on instances of {self.__class__}")

    def pending(self) -> int:
        """Decrypted bytes readable without waiting on the socket."""
        if self._sslobj is not None:
            return self._sslobj.pending()
        return 0

    def shutdown(self, how: int) -> None:
        """Shut the socket down (no close_notify: ``unwrap()`` sends that)."""
        self._sslobj = None
        super().shutdown(how)

    def unwrap(self) -> SSLSocket:
        """Close TLS (close_notify both ways) and return this socket, now plain."""
        sslobj = self._sslobj
        if not sslobj:
            raise ValueError(f"No SSL wrapper around {self}")
        sslobj.unwrap()
        self._unread = sslobj._take_unread()
        self._sslobj = None
        return self

    # --- handshake hooks (ssl_bio's; see SSLObject) ----------------------------

    @property
    def paused(self) -> Optional[str]:
        """The hook that paused the handshake, or None."""
        return None if self._sslobj is None else self._sslobj.paused

    def resume_handshake(self, answer: Any = None) -> None:
        """Answer the callback that paused the handshake; then call do_handshake()."""
        if self._sslobj is None:
            raise ValueError("the handshake is not paused")
        self._sslobj.resume_handshake(answer)

    def ocsp_response(self) -> Optional[bytes]:
        """Clients: the DER OCSP response the server stapled, or None."""
        return None if self._sslobj is None else self._sslobj.ocsp_response()

    def write_early_data(self, data: ReadableBuffer) -> int:
        """Clients (wrapped with do_handshake_on_connect=False): TLS 1.3 early data."""
        if self._sslobj is None:
            raise ValueError("write_early_data on closed or unwrapped SSL socket.")
        return self._sslobj.write_early_data(data)

    def read_early_data(self, len: int = 1024) -> bytes:
        """Servers (wrapped with do_handshake_on_connect=False): the client's early data."""
        if self._sslobj is None:
            raise ValueError("read_early_data on closed or unwrapped SSL socket.")
        return self._sslobj.read_early_data(len)

    @property
    def early_data_status(self) -> Optional[str]:
        """'not sent', 'rejected' or 'accepted'; None without a connection."""
        return None if self._sslobj is None else self._sslobj.early_data_status

    @property
    def rejected_early_data(self) -> bytes:
        """Clients: the early data to send again, if the server rejected it."""
        return b"" if self._sslobj is None else self._sslobj.rejected_early_data

    def verify_client_post_handshake(self) -> None:
        """Ask the TLS 1.3 client for its certificate (sent with the next I/O)."""
        if not self._sslobj:
            raise ValueError(f"No SSL wrapper around {self}")
        self._sslobj.verify_client_post_handshake()

    def _real_close(self) -> None:  # type: ignore[override]
        self._sslobj = None
        super()._real_close()  # type: ignore[misc]

    # --- connecting ----------------------------------------------------------

    def _real_connect(self, addr, connect_ex):
        if self.server_side:
            raise ValueError("can't connect in server-side mode")
        if self._connected or self._sslobj is not None:
            raise ValueError("attempt to connect already-connected SSLSocket!")
        self._sslobj = self._new_sslobj(False)
        try:
            if connect_ex:
                result = super().connect_ex(addr)
            else:
                result = None
                super().connect(addr)
            if not result:
                self._connected = True
                if self.do_handshake_on_connect:
                    self.do_handshake()
            return result
        except (OSError, ValueError):
            self._sslobj = None
            raise

    def connect(self, addr: Any) -> None:
        """Connect to ``addr``, then run the handshake (do_handshake_on_connect)."""
        self._real_connect(addr, False)

    def connect_ex(self, addr: Any) -> int:
        """As ``connect()``, but returns an errno instead of raising OSError."""
        return self._real_connect(addr, True)

    def accept(self) -> Tuple[SSLSocket, Any]:
        """Accept a connection and wrap it, server side, with this socket's context."""
        sock, addr = super().accept()
        wrapped = self._context.wrap_socket(
            sock,
            do_handshake_on_connect=self.do_handshake_on_connect,
            suppress_ragged_eofs=self.suppress_ragged_eofs,
            server_side=True,
        )
        return wrapped, addr

    # --- connection details (the SSLObject's) --------------------------------

    @overload
    def getpeercert(self, binary_form: Literal[False] = False) -> Optional[Dict[str, Any]]: ...

    @overload
    def getpeercert(self, binary_form: Literal[True]) -> Optional[bytes]: ...

    def getpeercert(self, binary_form: bool = False) -> Union[Dict[str, Any], bytes, None]:
        """The peer's certificate (see SSLObject.getpeercert)."""
        self._check_connected()
        if self._sslobj is None:
            raise ValueError("getpeercert on closed or unwrapped SSL socket.")
        return self._sslobj.getpeercert(binary_form)

    def get_verified_chain(self) -> List[bytes]:
        """The verified chain, DER, leaf first ([] without a connection)."""
        return [] if self._sslobj is None else self._sslobj.get_verified_chain()

    def get_unverified_chain(self) -> List[bytes]:
        """The chain the peer sent, DER, leaf first ([] without a connection)."""
        return [] if self._sslobj is None else self._sslobj.get_unverified_chain()

    def selected_npn_protocol(self) -> None:
        """Always None (NPN is deprecated; use ALPN)."""
        import warnings

        warnings.warn("ssl NPN is deprecated, use ALPN instead", DeprecationWarning, stacklevel=2)
        return None

    def selected_alpn_protocol(self) -> Optional[str]:
        """The ALPN protocol agreed on, or None."""
        return None if self._sslobj is None else self._sslobj.selected_alpn_protocol()

    def cipher(self) -> Optional[Tuple[str, str, int]]:
        """(name, protocol, secret bits) of the cipher in use, or None."""
        return None if self._sslobj is None else self._sslobj.cipher()

    def shared_ciphers(self) -> Optional[List[Tuple[str, str, int]]]:
        """The ciphers both ends offered (server side), or None."""
        return None if self._sslobj is None else self._sslobj.shared_ciphers()

    def compression(self) -> Optional[str]:
        """Always None: TLS compression is off."""
        return None if self._sslobj is None else self._sslobj.compression()

    def version(self) -> Optional[str]:
        """The protocol version agreed on ('TLSv1.3'...), or None."""
        return None if self._sslobj is None else self._sslobj.version()

    def group(self) -> Optional[str]:
        """The key-exchange group (3.15's SSLSocket.group), or None."""
        return None if self._sslobj is None else self._sslobj.group()

    def client_sigalg(self) -> Optional[str]:
        """The client's signature scheme (3.15), or None."""
        return None if self._sslobj is None else self._sslobj.client_sigalg()

    def server_sigalg(self) -> Optional[str]:
        """The server's signature scheme (3.15), or None."""
        return None if self._sslobj is None else self._sslobj.server_sigalg()

    def get_channel_binding(self, cb_type: str = "tls-unique") -> Optional[bytes]:
        """Channel binding data (``tls-unique``, ``tls-exporter``, ``tls-server-end-point``)."""
        if self._sslobj is not None:
            return self._sslobj.get_channel_binding(cb_type)
        if cb_type not in CHANNEL_BINDING_TYPES:
            raise ValueError(f"{cb_type} channel binding type not implemented")
        return None

    def export_keying_material(
        self, label: Union[str, bytes], length: int, context: Optional[bytes] = None
    ) -> bytes:
        """RFC 5705 / 8446 exported keying material (see SSLObject)."""
        if self._sslobj is None:
            raise ValueError("export_keying_material on closed or unwrapped SSL socket.")
        return self._sslobj.export_keying_material(label, length, context)


def get_server_certificate(
    addr: Tuple[str, int],
    ssl_version: int = PROTOCOL_TLS_CLIENT,
    ca_certs: Optional[str] = None,
    timeout: Optional[float] = socket._GLOBAL_DEFAULT_TIMEOUT,  # type: ignore[attr-defined]
) -> str:
    """The PEM certificate of the server at ``addr`` (verified against ``ca_certs`` if given)."""
    from ._cert_helpers import DER_cert_to_PEM_cert
    from ._constants import CERT_NONE, CERT_REQUIRED
    from ._context import _create_unverified_context

    host, _ = addr
    context = _create_unverified_context(
        ssl_version, cert_reqs=CERT_REQUIRED if ca_certs is not None else CERT_NONE, cafile=ca_certs
    )
    with socket.create_connection(addr, timeout=timeout) as sock:
        with context.wrap_socket(sock, server_hostname=host) as sslsock:
            der = sslsock.getpeercert(True)
    assert der is not None
    return DER_cert_to_PEM_cert(der)
