"""Callbacks from OpenSSL into Python (cffi ``extern "Python"``).

``extern "Python"`` needs no executable trampoline memory (unlike
``ffi.callback``), so it works under W^X policies and on PyPy.  A callback
never lets an exception escape into C: it stores it on its state object, makes
OpenSSL fail, and the Python call that triggered OpenSSL re-raises it.

Every callback finds its Python state through a cffi handle that OpenSSL
holds (userdata, BIO data); whoever installs the handle keeps it alive for as
long as OpenSSL may call back with it.
"""

from ._args import as_c_long, wrap_c_int
from ._binding import ffi, lib


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


# --- SNI (SSLContext.sni_callback) ---------------------------------------------


def owner_of(ssl):
    """The SSLObject an ``SSL *`` belongs to (its app data: a handle to a weakref)."""
    data = lib.SSL_get_app_data(ssl)
    return None if data == ffi.NULL else ffi.from_handle(data)()


def _alert_number(result):
    """The alert a callback's return value asks for, as CPython's PyLong_AsLong reads it."""
    return wrap_c_int(as_c_long(result))


@ffi.def_extern()
def ssl_bio_servername_callback(ssl, alert, arg):
    """Call ``sni_callback(sslobject, server_name, context)`` during a server handshake.

    None lets the handshake go on; an int is sent as a fatal alert.  An
    exception (HANDSHAKE_FAILURE alert) or a return value that is not an int
    (INTERNAL_ERROR alert) fails the handshake, and the SSLObject call that
    was running it raises that exception -- where the stdlib only prints it.
    """
    context = ffi.from_handle(arg)()
    callback = None if context is None else context._sni_callback
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
        result = callback(owner, server_name, context)
    except BaseException as exc:  # surfaces from the SSLObject call
        owner._callback_error = exc
        alert[0] = lib.SSL_AD_HANDSHAKE_FAILURE
        return lib.SSL_TLSEXT_ERR_ALERT_FATAL
    if result is None:
        return lib.SSL_TLSEXT_ERR_OK
    try:
        alert[0] = _alert_number(result)
    except (TypeError, OverflowError) as exc:
        owner._callback_error = exc
        alert[0] = lib.SSL_AD_INTERNAL_ERROR
    return lib.SSL_TLSEXT_ERR_ALERT_FATAL


# --- foreign BIOs (see _bio.bio_endpoint) ------------------------------------


@ffi.def_extern()
def ssl_bio_foreign_read(bio, buf, size):
    adapter = ffi.from_handle(lib.BIO_get_data(bio))
    lib.BIO_clear_retry_flags(bio)
    try:
        data = adapter.target.read(size)
        if data:
            count = len(data)
            ffi.memmove(buf, data, count)
            return count
        if adapter.target.eof:
            return 0  # end of stream: OpenSSL decides whether that was allowed
    except BaseException as exc:  # surfaces from the SSLObject call
        adapter.error = exc
        return -1
    # Nothing yet, but more may come: ask OpenSSL to retry (SSLWantReadError).
    lib.BIO_set_retry_read(bio)
    return -1


@ffi.def_extern()
def ssl_bio_foreign_write(bio, buf, size):
    adapter = ffi.from_handle(lib.BIO_get_data(bio))
    lib.BIO_clear_retry_flags(bio)
    try:
        adapter.target.write(ffi.buffer(buf, size))
    except BaseException as exc:  # surfaces from the SSLObject call
        adapter.error = exc
        return -1
    return size


@ffi.def_extern()
def ssl_bio_foreign_ctrl(bio, cmd, num, ptr):
    adapter = ffi.from_handle(lib.BIO_get_data(bio))
    try:
        if cmd == lib.BIO_CTRL_PENDING:
            return adapter.target.pending
        if cmd == lib.BIO_CTRL_EOF:
            # Without this OpenSSL reports a bare SYSCALL error at EOF instead
            # of UNEXPECTED_EOF_WHILE_READING.
            return 1 if adapter.target.eof else 0
        if cmd == lib.BIO_CTRL_FLUSH:
            return 1
    except BaseException as exc:  # surfaces from the SSLObject call
        adapter.error = exc
    return 0
