"""SSLObject: one TLS connection whose bytes move through two memory BIOs.

Every I/O method is non-blocking: when OpenSSL needs bytes that are not in the
incoming BIO yet it raises SSLWantReadError, and whatever it has to send is
already in the outgoing BIO.  The caller moves the bytes.

cffi releases the GIL around each OpenSSL call, and OpenSSL forbids two threads
inside one ``SSL *`` at once, so each object serialises its operations with the
locks of its two BIOs (``io_locks``): that also keeps another thread from
writing a MemoryBIO while OpenSSL reads it.  read() and write() take them in C,
in the same crossing as the OpenSSL call (``ssl_bio_connection_*``); other
calls hold them from Python (``ConnectionLocks``).  Memory BIOs never block, so
the locks are held only for one OpenSSL call sequence; they are taken in one
global order and are reentrant (callbacks run inside the calls), so they cannot
deadlock.
"""

from __future__ import annotations

import operator
import warnings
import weakref
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Union, overload

from . import _accel
from ._args import INT_MAX, check_ssize_t, type_name
from ._binding import ffi, lib
from ._bio import (
    CONNECTION_PTR,
    MemoryBIO,
    OutgoingMirror,
    address_for_accelerator,
    bio_endpoint,
    buffer_for_reading,
    buffer_for_writing,
    check_bio,
    io_locks,
    is_stdlib_bio,
    scratch_buffer,
)
from ._bio import per_thread as _scratch_per_thread
from ._callbacks import CallbackErrors
from ._cert import certificate_to_der, decode_certificate
from ._ciphers import cipher_tuple
from ._constants import CHANNEL_BINDING_TYPES, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER
from ._errors import (
    SSL_ERROR_WANT_READ,
    SSLEOFError,
    SSLWantReadError,
    SSLWantWriteError,
    error_from_io,
    error_from_queue,
    want_read_message,
)
from ._hooks import ConnectionHooks
from ._keying import channel_binding, export_keying_material
from ._locking import ConnectionLocks
from ._negotiation import group_name, signature_name
from ._session import SSLSession

__all__ = ["SSLObject"]

if TYPE_CHECKING:
    from typing import Literal

    from _typeshed import ReadableBuffer, WriteableBuffer

    from ._bio import BIOLike
    from ._context import SSLContext

    _Cipher = Tuple[str, str, int]

# The most plaintext one TLS record carries; SSL_read_ex returns one record's
# worth at most, so a read never needs a larger scratch buffer.
_MAX_RECORD_PLAINTEXT = 16384
# ffi.gc size hint: an SSL with its record buffers, so PyPy's GC sees it.
_SSL_SIZE_HINT = 40 * 1024

_new_uncleared = ffi.new_allocator(should_clear_after_alloc=False)
# The calls on every read and write, looked up once.
_connection_read = lib.ssl_bio_connection_read
_connection_write = lib.ssl_bio_connection_write
_handshake_locked = lib.ssl_bio_handshake_locked
_connection_lock = lib.ssl_bio_connection_lock
_connection_unlock = lib.ssl_bio_connection_unlock
_SSL_ERROR_WANT_READ = lib.SSL_ERROR_WANT_READ
_HANDSHAKE_WANT_READ = want_read_message("ssl_bio:do_handshake")
_unpack = ffi.unpack


def _attach_context(error: BaseException, later: BaseException) -> None:
    """Attach ``later`` at the end of ``error``'s chain of causes and contexts."""
    seen = {id(error)}
    last = error
    while True:
        following = last.__cause__ or last.__context__
        if following is None or id(following) in seen:
            break
        seen.add(id(following))
        last = following
    if later is not last:
        last.__context__ = later


def check_sslobject_params(
    server_side: Any, context: Any, server_hostname: Any, session: Any
) -> None:
    """ValueError for arguments wrap_bio() and wrap_socket() refuse, as Python 3.14's ssl.

    3.14 checks these in ``wrap_bio`` too (``ssl._check_sslobject_params``),
    before anything else; until 3.13 only ``wrap_socket`` did, and
    ``wrap_bio`` skipped the host name check of a client without
    ``server_hostname`` silently.
    """
    if server_side:
        if server_hostname:
            raise ValueError("server_hostname can only be specified in client mode")
        if session is not None:
            raise ValueError("session can only be specified in client mode")
    if context.check_hostname and not server_hostname:
        raise ValueError("check_hostname requires server_hostname")


class SSLObject(ConnectionHooks):
    """A TLS connection over memory BIOs, as the stdlib's ``ssl.SSLObject``.

    Instances come from ``SSLContext.wrap_bio()``; there is no public constructor.
    """

    _ssl: Any  # SSL *
    _context: SSLContext
    _initial_context: SSLContext
    _server_side: bool
    _server_hostname: Optional[str]
    _connection: Any  # ssl_bio_connection *: the SSL and its two locks, for C
    _address: int  # its address, for the accelerator
    _locks: Tuple[Any, Any]  # keeps those two locks alive
    _locked: ConnectionLocks
    _shutdown_seen_zero: bool
    _may_handshake: bool
    _io_may_call_back: bool
    _fast: bool  # neither: read() and write() make one C call
    _post_handshake_auth: bool
    _errors: Optional[CallbackErrors]  # made when first needed
    _got_eof: bool  # an SSLEOFError was raised: later failures are EOF too (3.15)
    _switched_to: Optional[Tuple[SSLContext, ...]]
    _app_data: Any  # cffi handle to a weakref to self, for callbacks
    _foreign: bool
    _python_bio: bool  # a foreign BIO whose methods may be Python code
    _mirror: Optional[OutgoingMirror]  # a stdlib outgoing MemoryBIO, served through ours

    __slots__ = (
        "_ssl",
        "_context",
        "_initial_context",
        "_server_side",
        "_server_hostname",
        "_connection",
        "_address",
        "_locks",
        "_locked",
        "_shutdown_seen_zero",
        "_may_handshake",
        "_io_may_call_back",
        "_fast",
        "_post_handshake_auth",
        "_errors",
        "_got_eof",
        "_switched_to",
        "_app_data",
        "_foreign",
        "_python_bio",
        "_mirror",
        "__weakref__",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(
            f"{self.__class__.__name__} does not have a public "
            f"constructor. Instances are returned by SSLContext.wrap_bio()."
        )

    @classmethod
    def _create(
        cls,
        incoming: BIOLike,
        outgoing: BIOLike,
        server_side: bool = False,
        server_hostname: Optional[str] = None,
        session: Optional[SSLSession] = None,
        context: Optional[SSLContext] = None,
    ) -> SSLObject:
        """Build the object for ``SSLContext.wrap_bio`` (hostname already encoded)."""
        if context is None:
            raise TypeError("SSLObject._create() needs the SSLContext (context=)")
        check_sslobject_params(server_side, context, server_hostname, session)
        check_bio(incoming, "incoming")
        check_bio(outgoing, "outgoing")
        server_side = bool(server_side)
        protocol = context._protocol
        if server_side and protocol == PROTOCOL_TLS_CLIENT:
            raise error_from_queue(
                "ssl_bio:wrap_bio",
                "Cannot create a server socket with a PROTOCOL_TLS_CLIENT context",
            )
        if not server_side and protocol == PROTOCOL_TLS_SERVER:
            raise error_from_queue(
                "ssl_bio:wrap_bio",
                "Cannot create a client socket with a PROTOCOL_TLS_SERVER context",
            )
        if server_hostname is not None:
            if "\0" in server_hostname:
                raise TypeError("argument must be encoded string without null bytes, not str")
            if server_hostname == "" or server_hostname.startswith("."):
                raise ValueError(
                    "server_hostname cannot be an empty string or start with a leading dot."
                )

        self = cls.__new__(cls)
        self._mirror = None
        if _accel.stdlib_bio_new is None and OutgoingMirror.serves(incoming, outgoing):
            # (The accelerator's BIO writes to the stdlib's directly, from C.)
            self._mirror = OutgoingMirror(outgoing)
            outgoing = self._mirror.inner
        self._errors = None
        self._got_eof = False
        self._paused = None
        self._answer = None
        self._early_data = None
        self._switched_to = None
        self._foreign = not (isinstance(incoming, MemoryBIO) and isinstance(outgoing, MemoryBIO))
        self._python_bio = any(
            not (isinstance(bio, MemoryBIO) or is_stdlib_bio(bio)) for bio in (incoming, outgoing)
        )
        ssl = context._new_ssl("ssl_bio:wrap_bio")
        # Owned from here on: whatever fails below frees it with this object.
        keepalive: Optional[List[Any]] = None
        if self._foreign:
            # A foreign BIO calls back through a handle for as long as it
            # lives, and it lives until SSL_free: the handles live as long.
            keepalive = []

            def free(pointer, _keepalive=keepalive):
                lib.ssl_bio_free_ssl(pointer)

            self._ssl = ffi.gc(ssl, free, size=_SSL_SIZE_HINT)
        else:
            self._ssl = ffi.gc(ssl, lib.ssl_bio_free_ssl, size=_SSL_SIZE_HINT)
        # Each BIO goes to the SSL as soon as it exists (SSL_set0_*bio take
        # over one reference each; ssl_bio's MemoryBIOs keep their own).
        in_bio = self._attach_bio(incoming, "incoming", keepalive)
        lib.SSL_set0_rbio(ssl, in_bio)
        if outgoing is incoming:
            lib.BIO_up_ref(in_bio)
            lib.SSL_set0_wbio(ssl, in_bio)
        else:
            lib.SSL_set0_wbio(ssl, self._attach_bio(outgoing, "outgoing", keepalive))
        self._context = context
        # OpenSSL keeps using the first SSL_CTX (sessions) after a switch: keep it alive.
        self._initial_context = context
        self._server_side = server_side
        self._server_hostname = None
        self._locks = io_locks(incoming, outgoing)
        self._connection = ffi.new(CONNECTION_PTR, (ssl,) + self._locks)
        self._address = address_for_accelerator(self._connection)
        self._locked = ConnectionLocks(self._connection)
        self._shutdown_seen_zero = False
        self._may_handshake = True
        # Set on the SSL by SSL_new or below, and not changed by a context switch.
        self._post_handshake_auth = bool(context._post_handshake_auth)
        self._update_io_may_call_back()
        # How callbacks find this object from the SSL *; a weak reference, so
        # that OpenSSL's pointer makes no cycle.  Lives as long as the SSL.
        self._app_data = ffi.new_handle(weakref.ref(self))
        # The handle, modes and role (as the stdlib's clients: sessions
        # without a session ID context), in one call.
        lib.ssl_bio_ssl_prepare(ssl, self._app_data, server_side)
        if server_hostname is not None:
            self._configure_hostname(server_hostname)
        if self._post_handshake_auth:
            self._enable_post_handshake_auth()
        if session is not None:
            self.session = session
        return self

    def _attach_bio(self, bio, argument, keepalive):
        """The ``BIO *`` for one side, with a reference for the SSL to take over.

        A foreign object gets a new BIO whose handles go into ``keepalive``.
        """
        pointer, handles = bio_endpoint(bio, argument, self._callback_errors())
        if handles is None:
            lib.BIO_up_ref(pointer)  # the MemoryBIO keeps its own reference
        else:
            keepalive.append(handles)
        return pointer

    def _update_io_may_call_back(self):
        """Whether reads and writes after the handshake may still run Python.

        A foreign BIO written in Python, the message callback of the current
        context, or handshake code (post-handshake authentication) all may:
        then they take the context lock, collect callback errors and decrypt
        into a buffer of their own instead of the per-thread scratch buffer.
        The stdlib's ``ssl.MemoryBIO`` is C code: calls on it run no Python
        of anyone's, and take the fast path (an outgoing one is written by
        the accelerator's C BIO, or on the cffi path by ``OutgoingMirror.push``
        after each call).
        """
        self._io_may_call_back = bool(
            self._python_bio
            or self._post_handshake_auth
            or self._context._callbacks.message.function is not None
        )
        self._fast = not (self._may_handshake or self._io_may_call_back)

    def _update_may_handshake(self, may_handshake=None):
        """After a call that may have run handshake code: ``ssl_bio_may_handshake``
        (or its answer, if the call gave it)."""
        if may_handshake is None:
            may_handshake = lib.ssl_bio_may_handshake(self._ssl)
        self._may_handshake = bool(may_handshake)
        self._fast = not (self._may_handshake or self._io_may_call_back)

    def _enable_post_handshake_auth(self):
        """As the stdlib (bpo-37428): a client offers PHA; a server that
        verifies clients may request it."""
        if not self._server_side:
            lib.SSL_set_post_handshake_auth(self._ssl, 1)
            return
        mode = lib.SSL_get_verify_mode(self._ssl)
        if mode & lib.SSL_VERIFY_PEER:
            callback = lib.SSL_get_verify_callback(self._ssl)
            lib.SSL_set_verify(self._ssl, mode | lib.SSL_VERIFY_POST_HANDSHAKE, callback)

    def _configure_hostname(self, hostname):
        """SNI for names, and OpenSSL's own host or IP check if check_hostname."""
        encoded = hostname.encode("ascii")
        self._server_hostname = hostname
        if not lib.ssl_bio_set_server_hostname(self._ssl, encoded, self._context.check_hostname):
            raise error_from_queue(
                "ssl_bio:wrap_bio",
                if_empty=f"server_hostname {hostname!r} is not a host name OpenSSL can check "
                "the certificate against",
            )

    @overload
    def _finish(
        self, failed: Literal[True], where: str, result: int = 0, ssl_error: Optional[int] = None
    ) -> BaseException: ...

    @overload
    def _finish(
        self, failed: bool, where: str, result: int = 0, ssl_error: Optional[int] = None
    ) -> Optional[BaseException]: ...

    def _finish(self, failed, where, result=0, ssl_error=None):
        """What an OpenSSL call ends with: the one exit path of every SSLObject call.

        Returns the exception to raise, or None.  ``failed`` says whether the
        call failed (``result`` is its return value, ``ssl_error``
        SSL_get_error's answer if already known).  What callbacks raised
        meanwhile (``CallbackErrors``) decides, in this order:

        - a foreign BIO object raised: that, itself (the transport failed;
          OpenSSL's view of it adds nothing);
        - the call failed and a callback raised: OpenSSL's SSLError with the
          callback's exception as ``__cause__``, as the stdlib chains them --
          but where OpenSSL only wants more bytes, or the callback raised
          something other than an Exception (KeyboardInterrupt,
          SystemExit), the callback's exception itself;
        - the call succeeded and a callback raised: that exception;
        - the call failed: OpenSSL's error.

        Any further exception recorded in the same call is attached at the
        end of the raised one's ``__context__`` chain: none is lost.
        """
        errors = self._errors
        if errors is None or not errors.pending:
            if not failed:
                return None
            return self._io_error(result, where, ssl_error)
        transport, raised = errors.take()
        if transport is not None:
            lib.ERR_clear_error()
            error = transport
        elif not failed:
            error = raised.pop(0)
        else:
            error = self._io_error(result, where, ssl_error)
            if isinstance(error, (SSLWantReadError, SSLWantWriteError)) or not isinstance(
                raised[0], Exception
            ):
                error = raised.pop(0)
            else:
                error.__cause__ = raised.pop(0)
        for later in raised:
            _attach_context(error, later)
        return error

    def _io_error(self, result, where, ssl_error):
        """OpenSSL's error for a failed call, remembering an EOF (Python 3.15, gh-148292).

        Once the peer's transport ended without close_notify, every later
        failing call raises SSLEOFError on every OpenSSL: 4.0 keeps the
        connection in its error state and reports a bare SSL_ERROR_SSL
        where 3.x reports the EOF again.
        """
        error = error_from_io(
            self._ssl, result, where, self._server_hostname, ssl_error, got_eof=self._got_eof
        )
        if isinstance(error, SSLEOFError):
            self._got_eof = True
        return error

    def _raise_if_failed(self, failed, where, result=0, ssl_error=None):
        """Raise what ``_finish`` decides, if anything.

        The exception is never left in a local of a frame its traceback
        holds: that would make a reference cycle, and every failed call
        (SSLWantReadError, the everyday case) would leave its SSLObject to
        the cyclic GC instead of freeing it at once.
        """
        if not failed and (self._errors is None or not self._errors.pending):
            return  # the everyday case, without another call
        error = self._finish(failed, where, result, ssl_error)
        if error is not None:
            try:
                raise error
            finally:
                del error

    def _callback_subject(self) -> Any:
        """The connection as user callbacks see it: this object (an SSLSocket's is the socket)."""
        return self

    def _callback_errors(self) -> CallbackErrors:
        """Where callbacks record their exceptions for ``_finish`` (made on first use)."""
        errors = self._errors
        if errors is None:
            errors = self._errors = CallbackErrors()
        return errors

    def _handshaking_call(self, function, *args):
        """``function(*args)`` holding its context shared: it may run a handshake.

        The caller holds the connection's locks.  Once the handshake has
        finished, read/write skip this unless the connection can renegotiate
        (ssl_bio_may_handshake) or may call back into Python.
        """
        context = self._context
        context._lock.acquire_shared()
        try:
            result = self._switching_call(function, *args)
        finally:
            context._lock.release_shared()
        self._update_may_handshake()
        return result

    def _switching_call(self, function, *args):
        """``function(*args)``, a call that may run a handshake, with what
        must follow it.

        The caller holds the connection's locks and the current context
        shared.  Every context an SNI callback switches to stays held too
        until the call returns (the context setter adds it to
        ``_switched_to``, which is a tuple only during such a call), since
        the rest of the handshake reads the new SSL_CTX.  With the stdlib's
        outgoing MemoryBIO on the cffi path, what OpenSSL wrote moves there
        after the call (``OutgoingMirror``).
        """
        mirror = self._mirror
        self._switched_to = ()
        try:
            return function(*args)
        finally:
            switched, self._switched_to = self._switched_to, None
            if switched:
                for other in reversed(switched):
                    other._lock.release_shared()
            if mirror is not None:
                mirror.push()

    # --- attributes ----------------------------------------------------------

    @property
    def context(self) -> SSLContext:
        """The SSLContext this object uses; assigning switches it (SNI)."""
        return self._context

    @context.setter
    def context(self, ctx: SSLContext) -> None:
        from ._context import SSLContext

        if not isinstance(ctx, SSLContext):
            raise TypeError("The value must be a SSLContext")
        with self._locked:
            ctx._lock.acquire_shared()
            switched = self._switched_to
            try:
                lib.SSL_set_SSL_CTX(self._ssl, ctx._ctx)
                # As CPython: the new context's message callback (or none).
                ctx._callbacks.message.apply_to(self._ssl)
            finally:
                if switched is None:
                    ctx._lock.release_shared()
                else:
                    # Switched inside a handshake (an SNI callback): the rest
                    # of it reads this SSL_CTX, so it stays held until the
                    # call returns (_switching_call releases it).
                    self._switched_to = switched + (ctx,)
            self._context = ctx
            self._update_io_may_call_back()
            self._update_may_handshake()

    @property
    def server_side(self) -> bool:
        """True for the server end of the connection."""
        return self._server_side

    @property
    def server_hostname(self) -> Optional[str]:
        """The host name given to wrap_bio (A-label str), or None."""
        return self._server_hostname

    @property
    def session(self) -> Optional[SSLSession]:
        """The TLS session (SSLSession), or None; settable before the handshake."""
        return SSLSession._from_ssl(self._ssl, self._context)

    @session.setter
    def session(self, session: SSLSession) -> None:
        if not isinstance(session, SSLSession):
            raise TypeError("Value is not a SSLSession.")
        if session._context._ctx != self._context._ctx:
            raise ValueError("Session refers to a different SSLContext.")
        if self._server_side:
            raise ValueError("Cannot set session for server-side SSLSocket.")
        with self._locked:
            if lib.SSL_is_init_finished(self._ssl):
                raise ValueError("Cannot set session after handshake.")
            if not lib.SSL_set_session(self._ssl, session._session):
                raise error_from_queue("ssl_bio:session")

    @property
    def session_reused(self) -> bool:
        """True if the handshake resumed a previous session."""
        return bool(lib.SSL_session_reused(self._ssl))

    # --- I/O -----------------------------------------------------------------

    def do_handshake(self) -> None:
        """Run the handshake as far as the bytes in the incoming BIO allow."""
        # A handshake takes several steps, each one call: the connection's
        # locks without ConnectionLocks' frames, the context's lock and what
        # follows the step in the C call, and SSLWantReadError (the everyday
        # answer) made here; each saves a few thousand instructions a step.
        connection = self._connection
        _connection_lock(connection)
        try:
            status = self._switching_call(_handshake_locked, self._ssl, self._context._lock.c_lock)
            if status < 0:
                raise MemoryError()
            self._update_may_handshake(status & 1)
            ssl_error = status >> 1  # SSL_ERROR_NONE (0) once done
            errors = self._errors
            if ssl_error == _SSL_ERROR_WANT_READ and (errors is None or not errors.pending):
                raise SSLWantReadError(SSL_ERROR_WANT_READ, _HANDSHAKE_WANT_READ)
            self._raise_if_failed(ssl_error != 0, "ssl_bio:do_handshake", ssl_error=ssl_error)
        finally:
            _connection_unlock(connection)

    @overload
    def read(self, len: int = 1024, buffer: None = None) -> bytes: ...

    @overload
    def read(self, len: int, buffer: WriteableBuffer) -> int: ...

    def read(self, len: int = 1024, buffer: Optional[WriteableBuffer] = None) -> Union[bytes, int]:
        """Read up to ``len`` bytes of plaintext.

        Returns bytes, or with ``buffer`` the number of bytes read into it.
        ``b''``/0 means the peer closed the connection cleanly (close_notify).
        """
        if buffer is None:
            length = len if len.__class__ is int else operator.index(len)
            if length <= 0:
                if length < 0:
                    check_ssize_t(length)
                    raise ValueError("size should not be negative")
                return b""
            if length > _MAX_RECORD_PLAINTEXT:
                # Never more than one record: no allocation of what was asked.
                check_ssize_t(length)
                length = _MAX_RECORD_PLAINTEXT
            if not self._fast:
                # Python BIOs and message callbacks run Python inside
                # SSL_read (which may read another SSLObject): a buffer of
                # its own, not this thread's scratch buffer.
                target = _new_uncleared("char[]", length)
                return _unpack(target, self._read_slowly(target, length))
            # Decrypt into this thread's scratch buffer and copy out once:
            # no Python runs inside SSL_read, so nothing can reuse the
            # buffer meanwhile.
            try:
                target = _scratch_per_thread.scratch
            except AttributeError:
                target = scratch_buffer()
            count = _connection_read(self._connection, target, length)
            if self._mirror is not None:
                self._mirror.push()
            if count > 0:
                return _unpack(target, count)
            if count == 0:
                return b""
            raise self._finish(True, "ssl_bio:read", 0, -count)
        with buffer_for_writing(buffer, "read") as target:
            capacity = ffi.sizeof(target)
            length = operator.index(len)
            check_ssize_t(length)
            if length <= 0 or length > capacity:
                length = capacity
            if length == 0:
                return 0
            if not self._fast:
                return self._read_slowly(target, length)
            count = _connection_read(self._connection, target, length)
            if self._mirror is not None:
                self._mirror.push()
            if count >= 0:
                return count
            raise self._finish(True, "ssl_bio:read", 0, -count)

    def _read_slowly(self, target, length):
        """read() where it may run handshake code or call back into Python.

        Holds the locks from Python around everything that looks at the
        connection afterwards; takes the context lock for the handshake.
        """
        with self._locked:
            count = self._handshaking_call(_connection_read, self._connection, target, length)
            self._raise_if_failed(count < 0, "ssl_bio:read", 0, -count)
            return count

    def write(self, data: ReadableBuffer) -> int:
        """Encrypt ``data`` into the outgoing BIO; returns ``len(data)``."""
        if data.__class__ is not bytes:  # bytes go to C as they are
            with buffer_for_reading(data) as view:
                return self._write_slowly(view, ffi.sizeof(view))
        return self._write_slowly(data, len(data))

    def _write_slowly(self, data, length):
        """write() through cffi: for other buffers, without the accelerator,
        or where it may run handshake code or call back into Python (as
        _read_slowly)."""
        if length > INT_MAX:
            raise OverflowError(f"string longer than {INT_MAX} bytes")
        if self._fast:
            count = _connection_write(self._connection, data, length)
            if self._mirror is not None:
                self._mirror.push()
            if count >= 0:
                return count
            raise self._finish(True, "ssl_bio:write", 0, -count)
        with self._locked:
            count = self._handshaking_call(_connection_write, self._connection, data, length)
            self._raise_if_failed(count < 0, "ssl_bio:write", 0, -count)
            return count

    def _raise_read_error(self, code: int) -> None:
        """Raise what a read failing with SSL_get_error() ``-code`` raises (the accelerator's)."""
        raise self._finish(True, "ssl_bio:read", 0, -code)

    def _raise_write_error(self, code: int) -> None:
        """Raise what a write failing with SSL_get_error() ``-code`` raises (the accelerator's)."""
        raise self._finish(True, "ssl_bio:write", 0, -code)

    def pending(self) -> int:
        """Decrypted bytes that read() can return without more input."""
        with self._locked:
            return lib.SSL_pending(self._ssl)

    def unwrap(self) -> None:
        """Send close_notify and wait for the peer's (SSLWantReadError until then).

        Returns None once both sides have closed.
        """
        with self._locked:
            zeros = 0
            while True:
                if self._shutdown_seen_zero:
                    # Do not let OpenSSL read past the close_notify: bytes
                    # after it are plaintext for the caller.
                    lib.SSL_set_read_ahead(self._ssl, 0)
                result = self._handshaking_call(lib.ssl_bio_shutdown, self._ssl)
                if result == 0 and not zeros:
                    # close_notify sent: once more, to see whether the
                    # peer's has arrived.
                    zeros += 1
                    self._shutdown_seen_zero = True
                    continue
                self._raise_if_failed(result < 0, "ssl_bio:unwrap", result)
                return None

    # --- connection details --------------------------------------------------

    @overload
    def getpeercert(self, binary_form: Literal[False] = False) -> Optional[Dict[str, Any]]: ...

    @overload
    def getpeercert(self, binary_form: Literal[True]) -> Optional[bytes]: ...

    @overload
    def getpeercert(self, binary_form: bool) -> Union[Dict[str, Any], bytes, None]: ...

    def getpeercert(self, binary_form: bool = False) -> Union[Dict[str, Any], bytes, None]:
        """The peer's certificate: a dict, DER bytes, {} if unverified, or None."""
        with self._locked:
            if not lib.SSL_is_init_finished(self._ssl):
                raise ValueError("handshake not done yet")
            cert = lib.SSL_get1_peer_certificate(self._ssl)
            if cert == ffi.NULL:
                return None
            try:
                if binary_form:
                    return certificate_to_der(cert)
                ctx = lib.SSL_get_SSL_CTX(self._ssl)
                if not lib.SSL_CTX_get_verify_mode(ctx) & lib.SSL_VERIFY_PEER:
                    return {}
                return decode_certificate(cert)
            finally:
                lib.X509_free(cert)

    def get_verified_chain(self) -> List[bytes]:
        """The peer's chain as verified, leaf first, as DER bytes ([] if none).

        Without verification (CERT_NONE) OpenSSL has built no chain; this is
        then the chain as the peer sent it, as the stdlib documents.
        """
        with self._locked:
            return self._der_chain(lib.SSL_get0_verified_chain(self._ssl), leaf=False)

    def get_unverified_chain(self) -> List[bytes]:
        """The certificates the peer sent, leaf first, as DER bytes ([] if none)."""
        with self._locked:
            # A server's OpenSSL keeps the client's leaf outside this stack.
            return self._der_chain(lib.SSL_get_peer_cert_chain(self._ssl), self._server_side)

    def _der_chain(self, chain, leaf):
        """DER of each certificate of an OpenSSL stack it keeps, ``leaf`` first if asked.

        A server's resumed session keeps the client's leaf but no chain: the
        leaf alone then, as 3.14's stdlib.
        """
        ders = []
        if chain != ffi.NULL:
            ders = [
                certificate_to_der(lib.sk_X509_value(chain, i))
                for i in range(lib.sk_X509_num(chain))
            ]
        if leaf:
            cert = lib.SSL_get1_peer_certificate(self._ssl)
            if cert != ffi.NULL:
                try:
                    ders.insert(0, certificate_to_der(cert))
                finally:
                    lib.X509_free(cert)
        return ders

    def verify_client_post_handshake(self) -> None:
        """Ask the client for a certificate after a TLS 1.3 handshake (server side).

        Needs ``post_handshake_auth`` on both contexts and a server
        ``verify_mode`` other than CERT_NONE; the request goes out with the
        next write() or do_handshake(), the client's answer is checked by
        the read() that receives it.
        """
        with self._locked:
            lib.ERR_clear_error()
            if not lib.SSL_verify_client_post_handshake(self._ssl):
                raise error_from_queue("ssl_bio:verify_client_post_handshake")

    def cipher(self) -> Optional[_Cipher]:
        """(name, protocol, secret bits) of the negotiated cipher, or None."""
        with self._locked:
            cipher = lib.SSL_get_current_cipher(self._ssl)
            return None if cipher == ffi.NULL else cipher_tuple(cipher)

    def shared_ciphers(self) -> Optional[List[_Cipher]]:
        """Ciphers both sides offered (server side), or None."""
        with self._locked:
            server = lib.SSL_get_ciphers(self._ssl)
            client = lib.SSL_get_client_ciphers(self._ssl)
            if server == ffi.NULL or client == ffi.NULL:
                return None
            offered = {
                lib.SSL_CIPHER_get_id(lib.sk_SSL_CIPHER_value(client, i))
                for i in range(lib.sk_SSL_CIPHER_num(client))
            }
            shared = []
            for i in range(lib.sk_SSL_CIPHER_num(server)):
                cipher = lib.sk_SSL_CIPHER_value(server, i)
                if lib.SSL_CIPHER_get_id(cipher) in offered:
                    shared.append(cipher_tuple(cipher))
            return shared

    def group(self) -> Optional[str]:
        """The key exchange group the handshake used ('x25519', 'secp384r1', ...), or None.

        As Python 3.15 (which needs OpenSSL 3.2 for it; ssl_bio answers on 3.0).
        """
        with self._locked:
            return group_name(self._ssl)

    def client_sigalg(self) -> Optional[str]:
        """The signature scheme the client authenticated with, or None (no client certificate).

        As Python 3.15 (which needs OpenSSL 3.5 for it; ssl_bio answers on 3.0).
        """
        with self._locked:
            return signature_name(self._ssl, self._server_side, of_server=False)

    def server_sigalg(self) -> Optional[str]:
        """The signature scheme the server authenticated with ('rsa_pss_rsae_sha256', ...), or None.

        As Python 3.15 (which needs OpenSSL 3.5 for it; ssl_bio answers on 3.0).
        """
        with self._locked:
            return signature_name(self._ssl, self._server_side, of_server=True)

    def version(self) -> Optional[str]:
        """The negotiated protocol ('TLSv1.3', ...), or None before the handshake."""
        with self._locked:
            if not lib.SSL_is_init_finished(self._ssl):
                return None
            version = ffi.string(lib.SSL_get_version(self._ssl)).decode("ascii")
            return None if version == "unknown" else version

    def compression(self) -> Optional[str]:
        """The compression algorithm in use, or None."""
        with self._locked:
            nid = lib.ssl_bio_compression_nid(self._ssl)
        if nid == lib.NID_undef:
            return None
        name = lib.OBJ_nid2sn(nid)
        return None if name == ffi.NULL else ffi.string(name).decode()

    def selected_alpn_protocol(self) -> Optional[str]:
        """The ALPN protocol both sides agreed on, or None."""
        data = ffi.new("const unsigned char **")
        length = ffi.new("unsigned int *")
        with self._locked:
            lib.SSL_get0_alpn_selected(self._ssl, data, length)
            if data[0] == ffi.NULL:
                return None
            return ffi.unpack(ffi.cast("char *", data[0]), length[0]).decode()

    def selected_npn_protocol(self) -> None:
        """Always None: NPN is deprecated and not supported (as the stdlib since 3.10)."""
        warnings.warn("ssl NPN is deprecated, use ALPN instead", DeprecationWarning, stacklevel=2)
        return None

    def get_channel_binding(self, cb_type: str = "tls-unique") -> Optional[bytes]:
        """Channel binding data of type ``cb_type``, or None before the handshake.

        'tls-unique' (RFC 5929, TLS 1.2 and older) as the stdlib; beyond it,
        'tls-exporter' (RFC 9266: TLS 1.3, or TLS 1.2 with the extended
        master secret, else ValueError) and 'tls-server-end-point' (RFC 5929
        4.1: the hash of the server's certificate, on both sides).
        """
        if not isinstance(cb_type, str):
            raise TypeError(
                f"get_channel_binding() argument 'cb_type' must be str, not {type_name(cb_type)}"
            )
        if cb_type not in CHANNEL_BINDING_TYPES:
            raise ValueError(f"'{cb_type}' channel binding type not implemented")
        with self._locked:
            return channel_binding(self._ssl, self._server_side, cb_type)

    def export_keying_material(
        self, label: Union[str, bytes], length: int, context: Optional[bytes] = None
    ) -> bytes:
        """``length`` bytes of keying material exported from the session (RFC 5705, RFC 8446 7.5).

        Beyond the stdlib.  ``label`` is an ASCII str or bytes; ``context``
        bytes or None -- on TLS 1.2 no context and an empty one give
        different keys, on TLS 1.3 the same.  Both ends get the same bytes.
        ValueError before the handshake has completed or for a ``length``
        that is not positive.
        """
        with self._locked:
            return export_keying_material(self._ssl, label, length, context)


if _accel.accelerate_sslobject is not None:
    # read() and write() as C methods; the Python ones above stay the
    # definition, and take every call the C ones do not.
    _accel.accelerate_sslobject(SSLObject)
