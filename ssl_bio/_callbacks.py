"""Callbacks from OpenSSL into Python (cffi ``extern "Python"``).

``extern "Python"`` needs no executable trampoline memory (unlike
``ffi.callback``), so it works under W^X policies and on PyPy.  A callback
never lets an exception escape into C: it records it (in the SSLObject's
``CallbackErrors``, or the password's ``PasswordState``), makes OpenSSL fail
or go on, and the Python call that triggered OpenSSL raises it.

Every callback finds its Python state through a cffi handle that OpenSSL
holds (userdata, BIO data); whoever installs the handle keeps it alive for as
long as OpenSSL may call back with it.  Each callback kind keeps its Python
side in a registration object on the SSLContext (``ContextCallbacks``), found
through typed attributes, never by name.
"""

import threading
import weakref
from typing import Any, Callable, List, Optional, Tuple

from ._args import as_c_long, wrap_c_int
from ._binding import ffi, lib
from ._constants import TLSVersion, _TLSAlertType, _TLSContentType, _TLSMessageType


class PasswordState:
    """What ``load_cert_chain`` hands the password callback through userdata.

    ``password`` is a str/bytes/bytearray, a callable returning one, or None
    (then the key must not be encrypted: ssl_bio never prompts on a terminal).
    ``error`` holds the first exception the callback raised.
    """

    __slots__ = ("password", "error")

    def __init__(self, password):
        self.password = password
        self.error = None


def password_bytes(password, bad_type_message):
    """The password as bytes, with the stdlib's type checks."""
    if isinstance(password, str):
        return password.encode("utf-8")
    if isinstance(password, (bytes, bytearray)):
        return bytes(password)
    raise TypeError(bad_type_message)


@ffi.def_extern()
def ssl_bio_password_callback(buf, size, rwflag, userdata):
    state = ffi.from_handle(userdata)
    if state.error is not None:
        # OpenSSL 3 may ask again after a failure; do not call user code twice.
        return -1
    try:
        password = state.password
        if password is None:
            return -1
        if callable(password):
            password = password_bytes(password(), "password callback must return a string")
        elif not isinstance(password, bytes):
            password = password_bytes(password, "password should be a string or callable")
        if len(password) > size:
            raise ValueError(f"password cannot be longer than {size} bytes")
        ffi.memmove(buf, password, len(password))
        return len(password)
    except BaseException as exc:  # surfaces from load_cert_chain
        state.error = exc
        return -1


# --- where a callback's exception waits ---------------------------------------


class CallbackErrors:
    """The exceptions raised inside callbacks during one SSLObject call.

    One per SSLObject (pyOpenSSL's ``_CallbackExceptionHelper`` is the model):
    every callback that runs on its ``SSL *`` records here instead of letting
    the exception into C, and ``SSLObject._finish`` -- the one exit path of
    every SSLObject call -- takes them all and decides what to raise.  A
    foreign BIO object's exception is kept apart as ``transport``: the
    transport failing is what made the call fail.
    """

    __slots__ = ("pending", "raised", "transport")

    def __init__(self) -> None:
        #: Whether any callback raised since the last take() (a plain
        #: attribute: it is read after every call that may run callbacks).
        self.pending = False
        self.raised: List[BaseException] = []
        self.transport: Optional[BaseException] = None

    def record(self, exc: BaseException) -> None:
        """Keep an exception a callback raised."""
        self.raised.append(exc)
        self.pending = True

    def record_transport(self, exc: BaseException) -> None:
        """Keep an exception a foreign BIO object raised."""
        if self.transport is None:
            self.transport = exc
        else:
            self.raised.append(exc)
        self.pending = True

    def take(self) -> Tuple[Optional[BaseException], List[BaseException]]:
        """``(transport, raised)``, leaving nothing pending."""
        taken = self.transport, self.raised
        self.transport, self.raised, self.pending = None, [], False
        return taken


def owner_of(ssl):
    """The SSLObject an ``SSL *`` belongs to (its app data: a handle to a weakref)."""
    data = lib.SSL_get_app_data(ssl)
    return None if data == ffi.NULL else ffi.from_handle(data)()


# --- what each callback kind keeps on its SSLContext ---------------------------
#
# Adding a callback kind: a registration class below, its field in
# ContextCallbacks, a setter on SSLContext that calls install(), and the
# extern "Python" declaration in csrc/cdef/ssl_bio.cdef.


class ContextCallback:
    """A callback that OpenSSL calls with a handle to its SSLContext as the argument.

    ``sni_callback``, ``client_hello_callback``, ``verify_callback``: one
    registration each, told how to (un)install its ``extern "Python"`` function
    on an SSL_CTX by ``apply(ctx, handle_or_None)``.
    """

    __slots__ = ("function", "_apply")

    def __init__(self, apply: Callable[[Any, Any], None]) -> None:
        self.function: Optional[Callable[..., Any]] = None
        self._apply = apply

    def install(self, ctx: Any, function: Optional[Callable[..., Any]], handle: Any) -> None:
        """Set (or with None remove) the callback; ``handle`` finds the context again."""
        self.function = function
        self._apply(ctx, None if function is None else handle)


def _apply_servername(ctx: Any, handle: Any) -> None:
    if handle is None:
        lib.SSL_CTX_set_tlsext_servername_callback(ctx, ffi.NULL)
        return
    lib.SSL_CTX_set_tlsext_servername_arg(ctx, handle)
    lib.SSL_CTX_set_tlsext_servername_callback(ctx, lib.ssl_bio_servername_callback)


def _apply_client_hello(ctx: Any, handle: Any) -> None:
    if handle is None:
        lib.SSL_CTX_set_client_hello_cb(ctx, ffi.NULL, ffi.NULL)
    else:  # the function is in _hooks.py
        lib.SSL_CTX_set_client_hello_cb(ctx, lib.ssl_bio_client_hello_callback, handle)


def _apply_verify(ctx: Any, handle: Any) -> None:
    if handle is None:  # OpenSSL verifies alone
        lib.SSL_CTX_set_cert_verify_callback(ctx, ffi.NULL, ffi.NULL)
    else:  # the function is in _hooks.py
        lib.SSL_CTX_set_cert_verify_callback(ctx, lib.ssl_bio_cert_verify_callback, handle)


class MessageCallback:
    """``SSLContext._msg_callback``: every TLS message, for debugging.

    OpenSSL copies it into each SSL at ``SSL_new``; ``apply_to`` installs
    this context's on an SSL that switched to it (as CPython does).
    """

    __slots__ = ("function",)

    def __init__(self) -> None:
        self.function: Optional[Callable[..., Any]] = None

    def install(self, ctx: Any, function: Optional[Callable[..., Any]]) -> None:
        """Set (or with None remove) the callback for connections made from now on."""
        self.function = function
        lib.SSL_CTX_set_msg_callback(ctx, self._c_function())

    def apply_to(self, ssl: Any) -> None:
        """Make an existing SSL call this context's callback (or none)."""
        lib.SSL_set_msg_callback(ssl, self._c_function())

    def _c_function(self) -> Any:
        return ffi.NULL if self.function is None else lib.ssl_bio_msg_callback


class KeylogCallback:
    """``SSLContext.keylog_filename`` (NSS key log lines appended to a file) and
    ``keylog_callback`` (the same lines handed to a callable)."""

    __slots__ = ("filename", "file", "function", "closer")

    def __init__(self) -> None:
        self.filename: Any = None
        self.file: Any = None
        self.function: Optional[Callable[..., Any]] = None
        self.closer: Optional[weakref.finalize] = None

    def install(self, ctx: Any, filename: Any, file: Any, owner: Any = None) -> None:
        """Log to ``file`` (opened from ``filename``), or with None stop logging.

        The file is closed when it is replaced, or when ``owner`` (the
        context) is collected, as the stdlib's BIO is freed with its context:
        never left to the garbage collector's ResourceWarning.
        """
        old, self.file, self.filename = self.file, None, None
        self._apply(ctx)
        if self.closer is not None:
            self.closer.detach()
            self.closer = None
        if old is not None:
            old.close()
        if file is None:
            return
        self.file, self.filename = file, filename
        if owner is not None:
            self.closer = weakref.finalize(owner, file.close)
        self._apply(ctx)

    def set_function(self, ctx: Any, function: Optional[Callable[..., Any]]) -> None:
        """Hand the lines to ``function(conn, line)`` too (None: not any more)."""
        self.function = function
        self._apply(ctx)

    def _apply(self, ctx: Any) -> None:
        wanted = self.file is not None or self.function is not None
        lib.SSL_CTX_set_keylog_callback(ctx, lib.ssl_bio_keylog_callback if wanted else ffi.NULL)


class PSKClientCallback:
    """``set_psk_client_callback``: ``callback(hint) -> (identity, psk)``."""

    __slots__ = ("function",)

    def __init__(self) -> None:
        self.function: Optional[Callable[..., Any]] = None

    def install(self, ctx: Any, function: Optional[Callable[..., Any]]) -> bool:
        """Set (or remove) the callback; False where OpenSSL has no PSK."""
        if not lib.ssl_bio_set_psk_client_callback(ctx, function is not None):
            return False
        self.function = function
        return True


class PSKServerCallback:
    """``set_psk_server_callback``: ``callback(identity) -> psk``, and the hint sent."""

    __slots__ = ("function",)

    def __init__(self) -> None:
        self.function: Optional[Callable[..., Any]] = None

    def install(self, ctx: Any, function: Optional[Callable[..., Any]], hint: Any) -> int:
        """Set (or remove) the callback: 1 done, 0 no PSK in OpenSSL, -1 hint refused."""
        done = lib.ssl_bio_set_psk_server_callback(ctx, function is not None, hint)
        if done == 1:
            self.function = function
        return int(done)


class OCSPCallbacks:
    """``ocsp_server_callback`` and ``ocsp_client_callback``: one OpenSSL status callback."""

    __slots__ = ("server", "client")

    def __init__(self) -> None:
        self.server: Optional[Callable[..., Any]] = None
        self.client: Optional[Callable[..., Any]] = None

    def install(self, ctx: Any, handle: Any) -> None:
        """Apply ``server``/``client``: clients with a callback ask for the status."""
        active = self.server is not None or self.client is not None
        lib.SSL_CTX_set_tlsext_status_arg(ctx, handle if active else ffi.NULL)
        lib.SSL_CTX_set_tlsext_status_cb(
            ctx, lib.ssl_bio_ocsp_status_callback if active else ffi.NULL
        )
        lib.SSL_CTX_set_tlsext_status_type(
            ctx, lib.TLSEXT_STATUSTYPE_ocsp if self.client is not None else -1
        )


class ContextCallbacks:
    """An SSLContext's callback registrations, one typed field per kind."""

    __slots__ = (
        "server_name",
        "message",
        "keylog",
        "psk_client",
        "psk_server",
        "client_hello",
        "verify",
        "ocsp",
    )

    def __init__(self) -> None:
        self.server_name = ContextCallback(_apply_servername)
        self.message = MessageCallback()
        self.keylog = KeylogCallback()
        self.psk_client = PSKClientCallback()
        self.psk_server = PSKServerCallback()
        self.client_hello = ContextCallback(_apply_client_hello)
        self.verify = ContextCallback(_apply_verify)
        self.ocsp = OCSPCallbacks()


def _callbacks_of(ssl):
    """The SSLObject of an ``SSL *`` and its current context's registrations.

    (None, None) when the object is gone.
    """
    owner = owner_of(ssl)
    if owner is None:
        return None, None
    return owner, owner._context._callbacks


# --- SNI (SSLContext.sni_callback) ---------------------------------------------


def _alert_number(result):
    """The alert a callback's return value asks for, as CPython's PyLong_AsLong reads it."""
    return wrap_c_int(as_c_long(result))


def set_alert(owner, result, alert):
    """Put the alert ``result`` asks for in ``alert[0]``; a non-number is INTERNAL_ERROR
    (and its TypeError/OverflowError surfaces from the SSLObject call)."""
    try:
        alert[0] = _alert_number(result)
    except (TypeError, OverflowError) as exc:
        owner._callback_errors().record(exc)
        alert[0] = lib.SSL_AD_INTERNAL_ERROR


@ffi.def_extern()
def ssl_bio_servername_callback(ssl, alert, arg):
    """Call ``sni_callback(sslobject, server_name, context)`` during a server handshake.

    None lets the handshake go on; an int is sent as a fatal alert.  An
    exception (HANDSHAKE_FAILURE alert) or a return value that is not an int
    (INTERNAL_ERROR alert) fails the handshake, and the SSLObject call that
    was running it raises that exception -- where the stdlib only prints it.
    """
    context = ffi.from_handle(arg)()
    callback = None if context is None else context._callbacks.server_name.function
    if callback is None:
        return lib.SSL_TLSEXT_ERR_OK
    owner = owner_of(ssl)
    if owner is None:  # not an SSLObject's SSL: nobody to call or to tell
        alert[0] = lib.SSL_AD_INTERNAL_ERROR
        return lib.SSL_TLSEXT_ERR_ALERT_FATAL
    try:
        name = lib.SSL_get_servername(ssl, lib.TLSEXT_NAMETYPE_host_name)
        # An A-label, as the client sent it (the stdlib's bpo-28414 choice).
        server_name = None if name == ffi.NULL else ffi.string(name).decode("ascii")
        result = callback(owner._callback_subject(), server_name, context)
    except BaseException as exc:  # surfaces from the SSLObject call
        owner._callback_errors().record(exc)
        alert[0] = lib.SSL_AD_HANDSHAKE_FAILURE
        return lib.SSL_TLSEXT_ERR_ALERT_FATAL
    if result is None:
        return lib.SSL_TLSEXT_ERR_OK
    set_alert(owner, result, alert)
    return lib.SSL_TLSEXT_ERR_ALERT_FATAL


# --- key log (SSLContext.keylog_filename) -------------------------------------

# One lock for every key log file, as the stdlib: lines stay whole when many
# handshakes log at once.
_keylog_lock = threading.Lock()


@ffi.def_extern()
def ssl_bio_keylog_callback(ssl, line):
    """One NSS key log line: appended to the context's file, handed to its callable."""
    owner, callbacks = _callbacks_of(ssl)
    if callbacks is None:
        return
    registration = callbacks.keylog
    text = ffi.string(line)
    try:
        if registration.file is not None:
            with _keylog_lock:
                registration.file.write(text + b"\n")
        if registration.function is not None:
            registration.function(owner._callback_subject(), text.decode("ascii"))
    except BaseException as exc:  # surfaces from the SSLObject call
        owner._callback_errors().record(exc)


# --- message trace (SSLContext._msg_callback) ---------------------------------


def _as_enum(enum, value):
    try:
        return enum(value)
    except ValueError:
        return value


@ffi.def_extern()
def ssl_bio_msg_callback(write_p, version, content_type, buf, length, ssl, arg):
    """Call ``_msg_callback(sslobject, direction, version, content_type, msg_type, data)``."""
    owner, callbacks = _callbacks_of(ssl)
    callback = None if callbacks is None else callbacks.message.function
    if callback is None:
        return
    data = ffi.unpack(ffi.cast("char *", buf), length)
    # Which message it is, read from its first bytes as the stdlib does.
    msg_type = -1
    if content_type == lib.SSL3_RT_CHANGE_CIPHER_SPEC:
        msg_type = _TLSMessageType.CHANGE_CIPHER_SPEC
    elif content_type == lib.SSL3_RT_ALERT and length >= 2:
        msg_type = _as_enum(_TLSAlertType, data[1])
    elif content_type in (lib.SSL3_RT_HANDSHAKE, lib.SSL3_RT_INNER_CONTENT_TYPE) and length >= 1:
        msg_type = _as_enum(_TLSMessageType, data[0])
    elif content_type == lib.SSL3_RT_HEADER and length >= 3:
        # A record header: its type, then the version it carries.
        version = data[1] << 8 | data[2]
        msg_type = _as_enum(_TLSContentType, data[0])
    try:
        callback(
            owner._callback_subject(),
            "write" if write_p else "read",
            _as_enum(TLSVersion, version),
            _as_enum(_TLSContentType, content_type),
            msg_type,
            data,
        )
    except BaseException as exc:  # surfaces from the SSLObject call
        owner._callback_errors().record(exc)


# --- pre-shared keys (set_psk_client_callback, set_psk_server_callback) -------


def _psk_name(text):
    """A hint or identity OpenSSL received: str, None if empty; UnicodeDecodeError if not UTF-8."""
    if text == ffi.NULL or text[0] == b"\0":
        return None
    return ffi.string(text).decode("utf-8")


def _read_only_bytes(value, position, also=""):
    """The bytes of a read-only buffer (PyArg_ParseTuple's ``y#``/``z#``)."""
    if not isinstance(value, str):
        try:
            with memoryview(value) as view:
                if view.readonly:
                    return view.tobytes()
        except TypeError:
            pass  # not a buffer: the TypeError below
    raise TypeError(
        f"argument {position} must be {also}read-only bytes-like object, not {type(value).__name__}"
    )


def _run_psk_callback(owner, callback, received, fill):
    """Call a PSK callback on the hint/identity OpenSSL received.

    ``fill(result)`` writes what it returned into OpenSSL's buffers and
    returns the key length; 0 refuses the key.
    """
    if callback is None:
        return 0
    try:
        try:
            name = _psk_name(received)
        except UnicodeDecodeError:
            return 0  # the peer broke the standard: fail without blaming the callback
        return fill(callback(name))
    except BaseException as exc:  # surfaces from the SSLObject call
        owner._callback_errors().record(exc)
        return 0


def _copy_key(key, psk, max_psk_len):
    if len(key) > max_psk_len:
        raise ValueError(f"PSK is longer than {max_psk_len} bytes")
    ffi.memmove(psk, key, len(key))
    return len(key)


@ffi.def_extern()
def ssl_bio_psk_client_callback(ssl, hint, identity, max_identity_len, psk, max_psk_len):
    """Fill in the identity and key ``psk_client_callback(hint)`` returns; 0 refuses."""

    def fill(result):
        if not isinstance(result, tuple) or len(result) != 2:
            raise TypeError("PSK client callback must return a tuple (identity, psk)")
        name, key = result
        if name is None:
            name = b""
        elif isinstance(name, str):
            name = name.encode("utf-8")
        else:
            name = _read_only_bytes(name, 1, "str, ")
        key = _read_only_bytes(key, 2)
        if len(name) + 1 > max_identity_len:
            raise ValueError(f"PSK identity is longer than {max_identity_len - 1} bytes")
        ffi.memmove(identity, name, len(name))
        identity[len(name)] = b"\0"
        return _copy_key(key, psk, max_psk_len)

    owner, callbacks = _callbacks_of(ssl)
    if callbacks is None:
        return 0
    return _run_psk_callback(owner, callbacks.psk_client.function, hint, fill)


@ffi.def_extern()
def ssl_bio_psk_server_callback(ssl, identity, psk, max_psk_len):
    """Fill in the key ``psk_server_callback(identity)`` returns; 0 refuses."""

    def fill(key):
        if not isinstance(key, bytes):
            raise TypeError(f"expected bytes, {type(key).__name__} found")
        return _copy_key(key, psk, max_psk_len)

    owner, callbacks = _callbacks_of(ssl)
    if callbacks is None:
        return 0
    return _run_psk_callback(owner, callbacks.psk_server.function, identity, fill)


# --- foreign BIOs (see _bio.bio_endpoint) ------------------------------------

_FOREIGN_RETRY = lib.SSL_BIO_FOREIGN_RETRY
_BIO_CTRL_PENDING = lib.BIO_CTRL_PENDING


@ffi.def_extern()
def ssl_bio_foreign_read(handle, buf, size):
    # csrc/io.c's foreign_read sets the retry flag on FOREIGN_RETRY.
    adapter = ffi.from_handle(handle)
    try:
        data = adapter.target.read(size)
        if data:
            count = len(data)
            if count > size:
                raise ValueError("read() returned more bytes than asked for")
            ffi.memmove(buf, data, count)
            return count
        if adapter.target.eof:
            return 0  # end of stream: OpenSSL decides whether that was allowed
    except BaseException as exc:  # surfaces from the SSLObject call
        adapter.errors.record_transport(exc)
        return -1
    # Nothing yet, but more may come: OpenSSL retries (SSLWantReadError).
    return _FOREIGN_RETRY


@ffi.def_extern()
def ssl_bio_foreign_write(handle, buf, size):
    adapter = ffi.from_handle(handle)
    try:
        adapter.target.write(ffi.buffer(buf, size))
    except BaseException as exc:  # surfaces from the SSLObject call
        adapter.errors.record_transport(exc)
        return -1
    return size


@ffi.def_extern()
def ssl_bio_foreign_ctrl(handle, cmd):
    # Only BIO_CTRL_PENDING and BIO_CTRL_EOF get here (csrc/io.c).
    adapter = ffi.from_handle(handle)
    try:
        if cmd == _BIO_CTRL_PENDING:
            return adapter.target.pending
        # Without this OpenSSL reports a bare SYSCALL error at EOF instead
        # of UNEXPECTED_EOF_WHILE_READING.
        return 1 if adapter.target.eof else 0
    except BaseException as exc:  # surfaces from the SSLObject call
        adapter.errors.record_transport(exc)
    return 0
