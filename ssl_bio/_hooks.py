"""Handshake hooks beyond the stdlib: ClientHello and verification callbacks that
can pause the handshake, OCSP stapling, TLS 1.3 early data.

One design for every hook (docs/hooks.md): a callable set on the SSLContext,
called with the connection (SSLObject, or SSLSocket) during the handshake.  A
callback that needs time -- a certificate from a database, a verdict from a
remote policy -- returns ``PAUSE_HANDSHAKE``: the SSLObject call that ran it
raises ``SSLWantCallbackError`` (``.hook`` names it) having consumed nothing,
and the application answers with ``resume_handshake(answer)`` and calls
``do_handshake()`` again; OpenSSL then asks the same question once more and
gets that answer.  (Calling ``do_handshake()`` without answering calls the
callback again.)  Exceptions in callbacks fail the handshake and surface from
the SSLObject call, chained, as for every ssl_bio callback.

The ``extern "Python"`` functions here are what OpenSSL calls; the
registrations they read live with the others in ``_callbacks.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Union

from ._args import type_name
from ._binding import ffi, lib
from ._bio import buffer_for_reading
from ._callbacks import owner_of, set_alert
from ._cert import certificate_to_der
from ._constants import PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, TLSVersion

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["PAUSE_HANDSHAKE", "ClientHello"]


class _Pause:
    """The type of ``PAUSE_HANDSHAKE``: one instance."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ssl_bio.PAUSE_HANDSHAKE"

    def __reduce__(self) -> str:
        return "PAUSE_HANDSHAKE"


#: What a pausable callback returns to pause the handshake.
PAUSE_HANDSHAKE = _Pause()


def _answer(owner, hook, ask):
    """A pausable callback's answer: the one given to resume_handshake(), else ``ask()``."""
    stored = owner._answer
    if stored is not None and stored[0] == hook:
        owner._answer = None
        return stored[1]
    owner._paused = None
    result = ask()
    if result is PAUSE_HANDSHAKE:
        owner._paused = hook
    return result


# --- the ClientHello ------------------------------------------------------------

_SERVER_NAME, _ALPN, _SUPPORTED_VERSIONS = 0, 16, 43


def _as_version(number: int) -> Union[TLSVersion, int]:
    try:
        return TLSVersion(number)
    except ValueError:
        return number  # GREASE (RFC 8701) or unknown


class ClientHello:
    """What a client offered, as ``SSLContext.client_hello_callback`` sees it.

    Read from the raw ClientHello before OpenSSL acts on any of it; values a
    client sent malformed are left out (None or empty), never raised.
    """

    __slots__ = (
        "server_name",
        "alpn_protocols",
        "supported_versions",
        "ciphers",
        "cipher_ids",
        "extensions",
        "legacy_version",
    )

    def __init__(
        self,
        server_name: Optional[str],
        alpn_protocols: List[str],
        supported_versions: List[Union[TLSVersion, int]],
        ciphers: List[str],
        cipher_ids: List[int],
        extensions: List[int],
        legacy_version: Union[TLSVersion, int],
    ) -> None:
        #: The SNI host name (an A-label), or None.
        self.server_name = server_name
        #: The ALPN protocols offered, in the client's order.
        self.alpn_protocols = alpn_protocols
        #: TLS 1.3's supported_versions (TLSVersion members; unknown ones as ints).
        self.supported_versions = supported_versions
        #: OpenSSL's names of the offered cipher suites this OpenSSL knows.
        self.ciphers = ciphers
        #: Every offered cipher suite's number, in order (GREASE included).
        self.cipher_ids = cipher_ids
        #: The extension types present, in order.
        self.extensions = extensions
        #: The ClientHello's legacy_version (TLS 1.2 for TLS 1.3 clients).
        self.legacy_version = legacy_version

    def __repr__(self) -> str:
        return (
            f"ClientHello(server_name={self.server_name!r}, "
            f"alpn_protocols={self.alpn_protocols!r}, "
            f"supported_versions={self.supported_versions!r}, ciphers={self.ciphers!r})"
        )


def _extension(ssl, kind):
    out = ffi.new("const unsigned char **")
    length = ffi.new("size_t *")
    if not lib.SSL_client_hello_get0_ext(ssl, kind, out, length):
        return None
    return ffi.buffer(out[0], length[0])[:]


def _vector(data, offset, length_size):
    """The bytes of a length-prefixed vector at ``offset``, and the offset after it."""
    end = offset + length_size
    if end > len(data):
        raise ValueError("truncated")
    size = int.from_bytes(data[offset:end], "big")
    if end + size > len(data):
        raise ValueError("truncated")
    return data[end : end + size], end + size


def _server_name(data):
    if data is None:
        return None
    try:
        names, _ = _vector(data, 0, 2)
        offset = 0
        while offset < len(names):
            kind = names[offset]
            name, offset = _vector(names, offset + 1, 2)
            if kind == 0:  # host_name
                return name.decode("ascii")
    except (ValueError, UnicodeDecodeError):
        pass
    return None


def _alpn_protocols(data: Optional[bytes]) -> List[str]:
    protocols: List[str] = []
    if data is None:
        return protocols
    try:
        entries, _ = _vector(data, 0, 2)
        offset = 0
        while offset < len(entries):
            protocol, offset = _vector(entries, offset, 1)
            protocols.append(protocol.decode("ascii", "backslashreplace"))
    except ValueError:
        pass
    return protocols


def _supported_versions(data):
    if data is None:
        return []
    try:
        versions, _ = _vector(data, 0, 1)
    except ValueError:
        return []
    return [
        _as_version(int.from_bytes(versions[i : i + 2], "big"))
        for i in range(0, len(versions) - 1, 2)
    ]


def read_client_hello(ssl) -> ClientHello:
    """Parse the ClientHello OpenSSL holds during the client hello callback."""
    out = ffi.new("const unsigned char **")
    count = lib.SSL_client_hello_get0_ciphers(ssl, out) // 2
    ciphers, cipher_ids = [], []
    for i in range(count):
        cipher_ids.append(out[0][2 * i] << 8 | out[0][2 * i + 1])
        cipher = lib.SSL_CIPHER_find(ssl, out[0] + 2 * i)
        if cipher != ffi.NULL:
            ciphers.append(ffi.string(lib.SSL_CIPHER_get_name(cipher)).decode("ascii"))
    present = ffi.new("int **")
    length = ffi.new("size_t *")
    extensions: List[int] = []
    if lib.SSL_client_hello_get1_extensions_present(ssl, present, length):
        try:
            extensions = [present[0][i] for i in range(length[0])]
        finally:
            lib.OPENSSL_free(present[0])
    return ClientHello(
        server_name=_server_name(_extension(ssl, _SERVER_NAME)),
        alpn_protocols=_alpn_protocols(_extension(ssl, _ALPN)),
        supported_versions=_supported_versions(_extension(ssl, _SUPPORTED_VERSIONS)),
        ciphers=ciphers,
        cipher_ids=cipher_ids,
        extensions=extensions,
        legacy_version=_as_version(lib.SSL_client_hello_get0_legacy_version(ssl)),
    )


# --- what OpenSSL calls ---------------------------------------------------------


@ffi.def_extern()
def ssl_bio_client_hello_callback(ssl, alert, arg):
    """``client_hello_callback(conn, hello)``: None goes on, an alert number refuses,
    PAUSE_HANDSHAKE pauses (SSL_CLIENT_HELLO_RETRY)."""
    context = ffi.from_handle(arg)()
    callback = None if context is None else context._callbacks.client_hello.function
    if callback is None:
        return lib.SSL_CLIENT_HELLO_SUCCESS
    owner = owner_of(ssl)
    if owner is None:  # not an SSLObject's SSL: nobody to ask
        alert[0] = lib.SSL_AD_INTERNAL_ERROR
        return lib.SSL_CLIENT_HELLO_ERROR
    try:
        result = _answer(
            owner,
            "client_hello",
            lambda: callback(owner._callback_subject(), read_client_hello(ssl)),
        )
    except BaseException as exc:  # surfaces from the SSLObject call
        owner._callback_errors().record(exc)
        alert[0] = lib.SSL_AD_HANDSHAKE_FAILURE
        return lib.SSL_CLIENT_HELLO_ERROR
    if result is None:
        return lib.SSL_CLIENT_HELLO_SUCCESS
    if result is PAUSE_HANDSHAKE:
        return lib.SSL_CLIENT_HELLO_RETRY
    set_alert(owner, result, alert)
    return lib.SSL_CLIENT_HELLO_ERROR


def _peer_chain(store):
    """The certificates the peer sent, leaf first, as DER."""
    chain = lib.X509_STORE_CTX_get0_untrusted(store)
    if chain == ffi.NULL:
        return []
    return [certificate_to_der(lib.sk_X509_value(chain, i)) for i in range(lib.sk_X509_num(chain))]


@ffi.def_extern()
def ssl_bio_cert_verify_callback(store, arg):
    """OpenSSL's verification, then ``verify_callback(conn, chain, verified, verify_code)``.

    True accepts, False rejects (X509_V_ERR_APPLICATION_VERIFICATION when
    OpenSSL had accepted), PAUSE_HANDSHAKE pauses (clients: SSL_set_retry_verify).
    """
    ssl = ffi.cast(
        "SSL *", lib.X509_STORE_CTX_get_ex_data(store, lib.SSL_get_ex_data_X509_STORE_CTX_idx())
    )
    # OpenSSL's own verdict first: the chain, the host name, the flags.
    verified = lib.X509_verify_cert(store) > 0
    code = lib.X509_STORE_CTX_get_error(store)
    context = ffi.from_handle(arg)()
    callback = None if context is None else context._callbacks.verify.function
    owner = owner_of(ssl)
    if callback is None or owner is None:
        return 1 if verified else 0
    try:
        result = _answer(
            owner,
            "verify",
            lambda: callback(owner._callback_subject(), _peer_chain(store), verified, code),
        )
        if result is PAUSE_HANDSHAKE:
            if owner._server_side:
                owner._paused = None
                raise ValueError("only a client can pause certificate verification (OpenSSL)")
            return lib.SSL_set_retry_verify(ssl)
        if result is not True and result is not False:
            raise TypeError(
                "verify callback must return True, False or ssl_bio.PAUSE_HANDSHAKE, "
                f"not {type_name(result)}"
            )
    except BaseException as exc:  # surfaces from the SSLObject call
        owner._callback_errors().record(exc)
        result = False
    if result:
        lib.X509_STORE_CTX_set_error(store, lib.X509_V_OK)
        return 1
    if code == lib.X509_V_OK:
        lib.X509_STORE_CTX_set_error(store, lib.X509_V_ERR_APPLICATION_VERIFICATION)
    return 0


@ffi.def_extern()
def ssl_bio_ocsp_status_callback(ssl, arg):
    """Servers: staple ``ocsp_server_callback(conn)``'s DER response (None: none).
    Clients: ``ocsp_client_callback(conn, response)`` accepts (True) or fails the handshake."""
    context = ffi.from_handle(arg)()
    owner = owner_of(ssl)
    registration = None if context is None else context._callbacks.ocsp
    if owner is None or registration is None:
        return lib.SSL_TLSEXT_ERR_NOACK if owner is None or owner._server_side else 1
    if owner._server_side:
        if registration.server is None:
            return lib.SSL_TLSEXT_ERR_NOACK
        try:
            response = registration.server(owner._callback_subject())
            if response is None:
                return lib.SSL_TLSEXT_ERR_NOACK
            if isinstance(response, str):
                raise TypeError("the OCSP response must be bytes (DER), not str")
            with buffer_for_reading(response) as der:
                if not lib.ssl_bio_set_ocsp_response(ssl, der, ffi.sizeof(der)):
                    raise MemoryError
            return lib.SSL_TLSEXT_ERR_OK
        except BaseException as exc:  # surfaces from the SSLObject call
            owner._callback_errors().record(exc)
            return lib.SSL_TLSEXT_ERR_ALERT_FATAL
    if registration.client is None:
        return 1
    try:
        result = registration.client(owner._callback_subject(), stapled_response(ssl))
        if result is not True and result is not False:
            raise TypeError(
                f"OCSP client callback must return True or False, not {type_name(result)}"
            )
    except BaseException as exc:  # surfaces from the SSLObject call
        owner._callback_errors().record(exc)
        return 0
    return 1 if result else 0


def stapled_response(ssl) -> Optional[bytes]:
    """The DER OCSP response the server stapled, or None."""
    out = ffi.new("const unsigned char **")
    length = lib.SSL_get_tlsext_status_ocsp_resp(ssl, out)
    if length < 0 or out[0] == ffi.NULL:
        return None
    return ffi.buffer(out[0], length)[:]


# --- the context's side ---------------------------------------------------------

_EARLY_DATA_STATUS: Dict[int, str] = {}


def _early_data_names():
    if not _EARLY_DATA_STATUS:
        _EARLY_DATA_STATUS.update(
            {
                lib.SSL_EARLY_DATA_NOT_SENT: "not sent",
                lib.SSL_EARLY_DATA_REJECTED: "rejected",
                lib.SSL_EARLY_DATA_ACCEPTED: "accepted",
            }
        )
    return _EARLY_DATA_STATUS


_RECORD = 16384  # SSL3_RT_MAX_PLAIN_LENGTH


def _check_callable(callback):
    if callback is not None and not callable(callback):
        raise TypeError("not a callable object")


class ContextHooks:
    """The hook settings of SSLContext (a mixin: SSLContext's own state)."""

    __slots__ = ()

    # Provided by SSLContext.
    _ctx: Any
    _callbacks: Any
    _handle: Any
    _protocol: Any
    _lock: Any

    @property
    def client_hello_callback(self) -> Optional[Callable[..., Any]]:
        """Servers: ``callback(conn, hello)`` with what the client offered (ClientHello).

        Runs before anything else in the handshake.  It may switch
        ``conn.context`` (a certificate per name, or per ALPN protocol), return
        None to go on, an ALERT_DESCRIPTION_* number to refuse, or
        ``PAUSE_HANDSHAKE`` to answer later (``resume_handshake(answer)``).
        """
        return self._callbacks.client_hello.function

    @client_hello_callback.setter
    def client_hello_callback(self, callback: Optional[Callable[..., Any]]) -> None:
        if self._protocol == PROTOCOL_TLS_CLIENT:
            raise ValueError("client_hello_callback cannot be set on TLS_CLIENT context")
        _check_callable(callback)
        with self._lock:
            self._callbacks.client_hello.install(self._ctx, callback, self._handle)

    @property
    def verify_callback(self) -> Optional[Callable[..., Any]]:
        """``callback(conn, chain, verified, verify_code)`` after OpenSSL verified the peer.

        ``chain`` is the peer's certificates as sent (DER, leaf first);
        ``verified`` and ``verify_code`` are OpenSSL's verdict (host name
        included).  True accepts, False rejects (an ``SSLCertVerificationError``,
        ``verify_code`` 50 where OpenSSL had accepted), ``PAUSE_HANDSHAKE``
        answers later (clients only: OpenSSL cannot pause a server here).
        Called only when there is a peer certificate; with ``CERT_NONE``
        OpenSSL ignores the answer.
        """
        return self._callbacks.verify.function

    @verify_callback.setter
    def verify_callback(self, callback: Optional[Callable[..., Any]]) -> None:
        _check_callable(callback)
        with self._lock:
            self._callbacks.verify.install(self._ctx, callback, self._handle)

    @property
    def ocsp_server_callback(self) -> Optional[Callable[..., Any]]:
        """Servers: ``callback(conn)`` returns a DER OCSP response to staple, or None.

        Called when a client asks for the certificate status.  Only the leaf's
        status is stapled; a resumed session gets none (OpenSSL 3.0).
        """
        return self._callbacks.ocsp.server

    @ocsp_server_callback.setter
    def ocsp_server_callback(self, callback: Optional[Callable[..., Any]]) -> None:
        if self._protocol == PROTOCOL_TLS_CLIENT:
            raise ValueError("ocsp_server_callback cannot be set on TLS_CLIENT context")
        _check_callable(callback)
        with self._lock:
            self._callbacks.ocsp.server = callback
            self._callbacks.ocsp.install(self._ctx, self._handle)

    @property
    def ocsp_client_callback(self) -> Optional[Callable[..., Any]]:
        """Clients: ``callback(conn, response)`` with the stapled DER response or None.

        Setting it makes connections ask for the server's certificate status.
        True accepts; False fails the handshake (the server gets
        ``bad_certificate_status_response``).
        """
        return self._callbacks.ocsp.client

    @ocsp_client_callback.setter
    def ocsp_client_callback(self, callback: Optional[Callable[..., Any]]) -> None:
        if self._protocol == PROTOCOL_TLS_SERVER:
            raise ValueError("ocsp_client_callback cannot be set on TLS_SERVER context")
        _check_callable(callback)
        with self._lock:
            self._callbacks.ocsp.client = callback
            self._callbacks.ocsp.install(self._ctx, self._handle)

    @property
    def keylog_callback(self) -> Optional[Callable[..., Any]]:
        """``callback(conn, line)`` with each NSS key log line (str, no newline).

        What ``keylog_filename`` writes, delivered to a callable instead (both
        may be set).  For debugging and in-process capture tools only.
        """
        return self._callbacks.keylog.function

    @keylog_callback.setter
    def keylog_callback(self, callback: Optional[Callable[..., Any]]) -> None:
        _check_callable(callback)
        with self._lock:
            self._callbacks.keylog.set_function(self._ctx, callback)

    @property
    def max_early_data(self) -> int:
        """Servers: the most TLS 1.3 early data (0-RTT) bytes accepted; 0 (default) is none.

        Tickets issued from now on allow clients this much.  Early data can be
        replayed by an attacker: OpenSSL's protection holds for one context's
        session cache in one process (docs/hooks.md).
        """
        return int(lib.SSL_CTX_get_max_early_data(self._ctx))

    @max_early_data.setter
    def max_early_data(self, value: int) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"an integer is required, not {type_name(value)}")
        if not 0 <= value <= 0xFFFFFFFF:
            raise ValueError("max_early_data must be between 0 and 4294967295")
        with self._lock:
            lib.SSL_CTX_set_max_early_data(self._ctx, value)
            # What arrives may be more than is accepted: rejected early data is
            # skipped, up to this much (OpenSSL's default is one record).
            lib.SSL_CTX_set_recv_max_early_data(self._ctx, max(value, _RECORD))


# --- the connection's side ------------------------------------------------------


class ConnectionHooks:
    """The hook methods of SSLObject (a mixin: SSLObject's own state)."""

    # The pause and early data state every connection carries.
    __slots__ = ("_paused", "_answer", "_early_data")

    _paused: Optional[str]  # the hook that paused the handshake
    _answer: Any  # (hook, answer) from resume_handshake(), until OpenSSL asks again
    _early_data: Optional[bytes]  # what write_early_data() sent

    # Provided by SSLObject.
    _ssl: Any
    _server_side: bool
    _locked: Any

    @property
    def paused(self) -> Optional[str]:
        """The hook that paused the handshake (``'client_hello'``, ``'verify'``), or None."""
        return self._paused

    def resume_handshake(self, answer: Any = None) -> None:
        """Give the paused callback's answer; the next ``do_handshake()`` goes on with it.

        ``answer`` is what the callback would have returned: for the
        ClientHello callback None or an alert number, for the verify callback
        True or False.  ValueError if the handshake is not paused (or was
        answered already).
        """
        if answer is PAUSE_HANDSHAKE:
            raise ValueError("resume_handshake() needs an answer, not PAUSE_HANDSHAKE")
        with self._locked:  # not while another thread's handshake call runs
            if self._paused is None:
                raise ValueError("the handshake is not paused")
            self._answer = (self._paused, answer)
            self._paused = None

    def ocsp_response(self) -> Optional[bytes]:
        """Clients: the DER OCSP response the server stapled, or None."""
        with self._locked:
            return stapled_response(self._ssl)

    def write_early_data(self, data: ReadableBuffer) -> int:
        """Clients, before the handshake: send ``data`` as TLS 1.3 early data (0-RTT).

        Needs a session to resume that allows early data
        (``session.max_early_data``).  Returns the number of bytes written.
        If the server rejects it (``early_data_status`` 'rejected' after the
        handshake), ``rejected_early_data`` is what to send again.
        """
        if self._server_side:
            raise ValueError("write_early_data() is for the client side")
        session = self.session  # type: ignore[attr-defined]
        if session is None or session.max_early_data == 0:
            raise ValueError("early data needs a session to resume that allows it")
        with buffer_for_reading(data) as view:
            length = ffi.sizeof(view)
            written = ffi.new("size_t *")
            with self._locked:
                result = self._handshaking_call(  # type: ignore[attr-defined]
                    lib.SSL_write_early_data, self._ssl, view, length, written
                )
                self._raise_if_failed(  # type: ignore[attr-defined]
                    result <= 0, "ssl_bio:write_early_data", result
                )
            count = int(written[0])
            self._early_data = (self._early_data or b"") + ffi.buffer(view, count)[:]
        return count

    def read_early_data(self, len: int = 1024) -> bytes:
        """Servers, before ``do_handshake()``: the client's early data.

        Returns up to ``len`` bytes, or ``b''`` once there is no (more) early
        data -- then ``do_handshake()`` goes on.  SSLWantReadError while bytes
        are missing, as ``read()``: the server's first flight is then in the
        outgoing BIO, and the end of the early data arrives only after the
        client has read it.
        """
        if not self._server_side:
            raise ValueError("read_early_data() is for the server side")
        if len <= 0:
            raise ValueError("size should be positive")
        target = ffi.new("char[]", len)
        count = ffi.new("size_t *")
        with self._locked:
            result = self._handshaking_call(  # type: ignore[attr-defined]
                lib.SSL_read_early_data, self._ssl, target, len, count
            )
            self._raise_if_failed(  # type: ignore[attr-defined]
                result == lib.SSL_READ_EARLY_DATA_ERROR, "ssl_bio:read_early_data", 0
            )
        return ffi.buffer(target, count[0])[:]

    @property
    def early_data_status(self) -> str:
        """'not sent', 'rejected' or 'accepted' (TLS 1.3 early data, after the handshake)."""
        with self._locked:
            return _early_data_names()[lib.SSL_get_early_data_status(self._ssl)]

    @property
    def rejected_early_data(self) -> bytes:
        """Clients: the early data to send again with ``write()``, if the server rejected it."""
        if self._early_data and self.early_data_status == "rejected":
            return self._early_data
        return b""
