"""SSLContext: settings, certificates and keys shared by many connections."""

from __future__ import annotations

import functools
import os
import warnings
import weakref
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional, TypeVar, Union, cast

from . import _callbacks  # noqa: F401  (registers the extern "Python" callbacks)
from ._args import INT_MAX, as_c_int, as_c_long, as_parsed_int, type_name, wrap_c_int
from ._binding import ffi, lib
from ._callbacks import PasswordState, password_bytes
from ._constants import (
    CERT_NONE,
    CERT_REQUIRED,
    PROTOCOL_TLS,
    PROTOCOL_TLS_CLIENT,
    PROTOCOL_TLS_SERVER,
    Options,
    PROTOCOL_TLSv1,
    PROTOCOL_TLSv1_1,
    PROTOCOL_TLSv1_2,
    Purpose,
    TLSVersion,
    VerifyFlags,
    VerifyMode,
    _ASN1Object,
    _SSLMethod,
)
from ._errors import SSLError, error_from_queue, message_error
from ._locking import ContextLock
from ._object import SSLObject

try:
    import ssl as _stdlib_ssl
except ImportError:
    _stdlib_ssl = None  # type: ignore[assignment]

__all__ = ["SSLContext", "create_default_context"]

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, StrOrBytesPath

    from ._bio import BIOLike
    from ._session import SSLSession

    _PasswordType = Union[Callable[[], Union[str, bytes, bytearray]], str, bytes, bytearray]
    _Context = TypeVar("_Context", bound="SSLContext")

# CPython 3.13's default cipher string (PY_SSL_DEFAULT_CIPHER_STRING).
_DEFAULT_CIPHERS = (
    "@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM"
)
_SESSION_ID_CONTEXT = b"Python\0"  # as the stdlib, so sessions are compatible
_PASSWORD_MAX = 1024  # OpenSSL's PEM_BUFSIZE
# ffi.gc size hint: an SSL_CTX with its certificate store and cipher lists.
_CTX_SIZE_HINT = 64 * 1024

# Version-pinned protocols, deprecated in the stdlib: a TLS_method() context
# pinned to one version (what OpenSSL does for TLSv1_2_method() too).
_PINNED_VERSIONS = {
    PROTOCOL_TLSv1: lib.TLS1_VERSION,
    PROTOCOL_TLSv1_1: lib.TLS1_1_VERSION,
    PROTOCOL_TLSv1_2: lib.TLS1_2_VERSION,
}
_OPT_NO_VERSIONS = (
    lib.SSL_OP_NO_SSLv2
    | lib.SSL_OP_NO_SSLv3
    | lib.SSL_OP_NO_TLSv1
    | lib.SSL_OP_NO_TLSv1_1
    | lib.SSL_OP_NO_TLSv1_2
    | lib.SSL_OP_NO_TLSv1_3
)
_DEPRECATED_VERSIONS = {
    TLSVersion.SSLv3: "ssl.TLSVersion.SSLv3 is deprecated",
    TLSVersion.TLSv1: "ssl.TLSVersion.TLSv1 is deprecated",
    TLSVersion.TLSv1_1: "ssl.TLSVersion.TLSv1_1 is deprecated",
}


_Method = TypeVar("_Method", bound=Callable[..., Any])


def _serialized(method: _Method) -> _Method:
    """Run a method that changes the SSL_CTX with the context's lock held exclusive.

    cffi releases the GIL in every call, and OpenSSL does not allow changing
    an SSL_CTX from two threads at once, nor while a handshake reads it.
    """

    @functools.wraps(method)
    def serialized(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return cast("_Method", serialized)


def _fspath_bytes(path, what):
    """A filesystem path as bytes, with the stdlib's errors."""
    try:
        encoded = os.fsencode(path)
    except TypeError:
        raise TypeError(f"{what} should be a valid filesystem path") from None
    if b"\0" in encoded:
        raise ValueError("embedded null byte")
    return encoded


def _is_asn1_object(value):
    if isinstance(value, _ASN1Object):
        return True
    return _stdlib_ssl is not None and isinstance(value, _stdlib_ssl._ASN1Object)


class SSLContext:
    """TLS settings, certificates and keys, from which SSLObjects are made.

    ``SSLContext(PROTOCOL_TLS_CLIENT)`` verifies certificates and host names,
    as the stdlib.  ``wrap_bio()`` makes a connection over two MemoryBIOs.
    """

    #: The class wrap_bio() instantiates (a subclass of SSLObject).
    sslobject_class: type[SSLObject] = SSLObject

    # The work happens in __new__, as in the stdlib, so that a subclass with
    # its own __init__ signature still gets a working context.
    def __new__(
        cls: type[_Context], protocol: Optional[int] = None, *args: Any, **kwargs: Any
    ) -> _Context:
        self = super().__new__(cls)
        self._setup(protocol)
        return self

    def _setup(self, protocol):
        if protocol is None:
            warnings.warn(
                "ssl.SSLContext() without protocol argument is deprecated.",
                category=DeprecationWarning,
                stacklevel=3,
            )
            protocol = PROTOCOL_TLS
        protocol = as_c_int(protocol)
        if protocol == PROTOCOL_TLS_CLIENT:
            method = lib.TLS_client_method()
        elif protocol == PROTOCOL_TLS_SERVER:
            method = lib.TLS_server_method()
        elif protocol == PROTOCOL_TLS or protocol in _PINNED_VERSIONS:
            name = _SSLMethod(protocol).name
            warnings.warn(f"ssl.{name} is deprecated", DeprecationWarning, stacklevel=3)
            method = lib.TLS_method()
        else:
            raise ValueError(f"invalid or unsupported protocol version {protocol}")
        ctx = lib.SSL_CTX_new(method)
        if ctx == ffi.NULL:
            raise error_from_queue("ssl_bio:SSLContext")
        self._ctx = ffi.gc(ctx, lib.SSL_CTX_free, size=_CTX_SIZE_HINT)
        # Held shared by handshakes, exclusive by the methods that change it.
        self._lock = ContextLock()
        self._protocol = _SSLMethod(protocol)
        self._alpn_protocols = None
        self._sni_callback = None
        # What the SNI callback's arg points to; weak, so no cycle through C.
        self._callback_handle = ffi.new_handle(weakref.ref(self))
        self._host_flags = lib.X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS

        if protocol == PROTOCOL_TLS_CLIENT:
            self._check_hostname = True
            self._set_verify_mode(CERT_REQUIRED)
        else:
            self._check_hostname = False
            self._set_verify_mode(CERT_NONE)
        options = (lib.SSL_OP_ALL & ~lib.SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS) | (
            lib.SSL_OP_NO_SSLv2
            | lib.SSL_OP_NO_SSLv3
            | lib.SSL_OP_NO_COMPRESSION
            | lib.SSL_OP_CIPHER_SERVER_PREFERENCE
            | lib.SSL_OP_SINGLE_DH_USE
            | lib.SSL_OP_SINGLE_ECDH_USE
        )
        lib.SSL_CTX_set_options(ctx, options)
        if not lib.SSL_CTX_set_cipher_list(ctx, _DEFAULT_CIPHERS.encode("ascii")):
            raise message_error("No cipher can be selected.")
        if protocol in _PINNED_VERSIONS:
            version = _PINNED_VERSIONS[protocol]
            lib.SSL_CTX_set_min_proto_version(ctx, version)
            lib.SSL_CTX_set_max_proto_version(ctx, version)
        elif not lib.SSL_CTX_set_min_proto_version(ctx, lib.TLS1_2_VERSION):
            raise ValueError(f"Failed to set minimum protocol 0x{lib.TLS1_2_VERSION:x}")
        # Freed record buffers on idle connections: much less memory per connection.
        lib.SSL_CTX_set_mode(ctx, lib.SSL_MODE_RELEASE_BUFFERS)
        lib.SSL_CTX_set_session_id_context(ctx, _SESSION_ID_CONTEXT, len(_SESSION_ID_CONTEXT))
        params = lib.SSL_CTX_get0_param(ctx)
        # Better chain building when cross-signed intermediates are present.
        lib.X509_VERIFY_PARAM_set_flags(params, lib.X509_V_FLAG_TRUSTED_FIRST)
        lib.X509_VERIFY_PARAM_set_hostflags(params, self._host_flags)
        lib.ERR_clear_error()

    # --- properties ----------------------------------------------------------

    @property
    def protocol(self) -> _SSLMethod:
        """The protocol this context was made for (an _SSLMethod)."""
        return self._protocol

    @property
    def verify_mode(self) -> VerifyMode:
        """Whether to verify the peer's certificate (VerifyMode)."""
        mask = lib.SSL_VERIFY_NONE | lib.SSL_VERIFY_PEER | lib.SSL_VERIFY_FAIL_IF_NO_PEER_CERT
        mode = lib.SSL_CTX_get_verify_mode(self._ctx) & mask
        if mode == lib.SSL_VERIFY_NONE:
            return VerifyMode.CERT_NONE
        if mode == lib.SSL_VERIFY_PEER:
            return VerifyMode.CERT_OPTIONAL
        if mode == lib.SSL_VERIFY_PEER | lib.SSL_VERIFY_FAIL_IF_NO_PEER_CERT:
            return VerifyMode.CERT_REQUIRED
        raise SSLError("invalid return value from SSL_CTX_get_verify_mode")

    @verify_mode.setter
    @_serialized
    def verify_mode(self, value: int) -> None:
        value = as_parsed_int(value)
        if value == CERT_NONE and self._check_hostname:
            raise ValueError("Cannot set verify_mode to CERT_NONE when check_hostname is enabled.")
        self._set_verify_mode(value)

    def _set_verify_mode(self, value):
        if value == VerifyMode.CERT_NONE:
            mode = lib.SSL_VERIFY_NONE
        elif value == VerifyMode.CERT_OPTIONAL:
            mode = lib.SSL_VERIFY_PEER
        elif value == VerifyMode.CERT_REQUIRED:
            mode = lib.SSL_VERIFY_PEER | lib.SSL_VERIFY_FAIL_IF_NO_PEER_CERT
        else:
            raise ValueError("invalid value for verify_mode")
        callback = lib.SSL_CTX_get_verify_callback(self._ctx)
        lib.SSL_CTX_set_verify(self._ctx, mode, callback)

    @property
    def check_hostname(self) -> bool:
        """Whether wrap_bio() checks the peer's host name (needs CERT_REQUIRED/OPTIONAL)."""
        return self._check_hostname

    @check_hostname.setter
    @_serialized
    def check_hostname(self, value: bool) -> None:
        value = bool(value)
        if value and lib.SSL_CTX_get_verify_mode(self._ctx) == lib.SSL_VERIFY_NONE:
            # As the stdlib: turning host name checks on turns verification on.
            self._set_verify_mode(CERT_REQUIRED)
        self._check_hostname = value

    @property
    def options(self) -> Options:
        """SSL_OP_* option flags (Options)."""
        return Options(lib.SSL_CTX_get_options(self._ctx))

    @options.setter
    @_serialized
    def options(self, value: int) -> None:
        if not isinstance(value, int):
            raise TypeError(f"argument must be int, not {type_name(value)}")
        if value < 0:
            raise OverflowError("can't convert negative int to unsigned")
        if value >= 2**64:
            raise OverflowError("int too big to convert")
        current = lib.SSL_CTX_get_options(self._ctx)
        clear = current & ~value
        set_ = ~current & value
        if set_ & _OPT_NO_VERSIONS:
            warnings.warn(
                "ssl.OP_NO_SSL*/ssl.OP_NO_TLS* options are deprecated",
                DeprecationWarning,
                stacklevel=2,
            )
        if clear:
            lib.SSL_CTX_clear_options(self._ctx, clear)
        if set_:
            lib.SSL_CTX_set_options(self._ctx, set_)

    @property
    def verify_flags(self) -> VerifyFlags:
        """X509 verification flags (VerifyFlags)."""
        params = lib.SSL_CTX_get0_param(self._ctx)
        return VerifyFlags(lib.X509_VERIFY_PARAM_get_flags(params))

    @verify_flags.setter
    @_serialized
    def verify_flags(self, value: int) -> None:
        if not isinstance(value, int):
            raise TypeError(f"argument must be int, not {type_name(value)}")
        value &= 2**64 - 1  # an unsigned long, wrapping as the stdlib's "k"
        params = lib.SSL_CTX_get0_param(self._ctx)
        current = lib.X509_VERIFY_PARAM_get_flags(params)
        clear = current & ~value
        set_ = ~current & value
        if clear and not lib.X509_VERIFY_PARAM_clear_flags(params, clear):
            raise error_from_queue("ssl_bio:verify_flags")
        if set_ and not lib.X509_VERIFY_PARAM_set_flags(params, set_):
            raise error_from_queue("ssl_bio:verify_flags")

    @property
    def hostname_checks_common_name(self) -> bool:
        """Whether the host name check falls back to the subject's commonName."""
        never = lib.X509_CHECK_FLAG_NEVER_CHECK_SUBJECT
        return self._host_flags & never != never

    @hostname_checks_common_name.setter
    @_serialized
    def hostname_checks_common_name(self, value: bool) -> None:
        if value:
            flags = self._host_flags & ~lib.X509_CHECK_FLAG_NEVER_CHECK_SUBJECT
        else:
            flags = self._host_flags | lib.X509_CHECK_FLAG_NEVER_CHECK_SUBJECT
        self._host_flags = flags
        lib.X509_VERIFY_PARAM_set_hostflags(lib.SSL_CTX_get0_param(self._ctx), flags)

    @property
    def minimum_version(self) -> TLSVersion:
        """The lowest TLS version to negotiate (TLSVersion)."""
        version = lib.SSL_CTX_get_min_proto_version(self._ctx)
        return TLSVersion(version) if version else TLSVersion.MINIMUM_SUPPORTED

    @minimum_version.setter
    @_serialized
    def minimum_version(self, value: TLSVersion) -> None:
        if value == TLSVersion.SSLv3:
            self.options &= ~Options.OP_NO_SSLv3
        self._set_version_bound(value, minimum=True)

    @property
    def maximum_version(self) -> TLSVersion:
        """The highest TLS version to negotiate (TLSVersion)."""
        version = lib.SSL_CTX_get_max_proto_version(self._ctx)
        return TLSVersion(version) if version else TLSVersion.MAXIMUM_SUPPORTED

    @maximum_version.setter
    @_serialized
    def maximum_version(self, value: TLSVersion) -> None:
        self._set_version_bound(value, minimum=False)

    def _set_version_bound(self, value, minimum):
        # As the stdlib: a C long, refused above INT_MAX, then cast to int.
        value = as_c_long(value)
        if value > INT_MAX:
            raise OverflowError("Option is too long")
        value = wrap_c_int(value)
        if self._protocol not in (PROTOCOL_TLS, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER):
            raise ValueError(
                "The context's protocol doesn't support modification of highest and lowest version."
            )
        if value in _DEPRECATED_VERSIONS:
            warnings.warn(_DEPRECATED_VERSIONS[value], DeprecationWarning, stacklevel=3)
        elif value not in (
            TLSVersion.MINIMUM_SUPPORTED,
            TLSVersion.MAXIMUM_SUPPORTED,
            TLSVersion.TLSv1_2,
            TLSVersion.TLSv1_3,
        ):
            raise ValueError(f"Unsupported TLS/SSL version 0x{value & 0xFFFFFFFF:x}")
        # OpenSSL's 0 means "no bound"; the other extreme is the far version.
        if minimum:
            version = {
                TLSVersion.MINIMUM_SUPPORTED: 0,
                TLSVersion.MAXIMUM_SUPPORTED: lib.TLS1_3_VERSION,
            }.get(value, value)
            ok = lib.SSL_CTX_set_min_proto_version(self._ctx, version)
        else:
            version = {
                TLSVersion.MAXIMUM_SUPPORTED: 0,
                TLSVersion.MINIMUM_SUPPORTED: lib.SSL3_VERSION
                if lib.SSL_BIO_HAS_SSLv3
                else lib.TLS1_VERSION,
            }.get(value, value)
            ok = lib.SSL_CTX_set_max_proto_version(self._ctx, version)
        if not ok:
            lib.ERR_clear_error()
            raise ValueError(f"Unsupported protocol version 0x{version:x}")

    # --- certificates and keys -----------------------------------------------

    @_serialized
    def load_cert_chain(
        self,
        certfile: StrOrBytesPath,
        keyfile: Optional[StrOrBytesPath] = None,
        password: Optional[_PasswordType] = None,
    ) -> None:
        """Load a PEM certificate chain and its private key.

        ``password`` (str, bytes, bytearray, or a callable returning one)
        decrypts an encrypted key.
        """
        certfile = _fspath_bytes(certfile, "certfile")
        if keyfile is not None:
            keyfile = _fspath_bytes(keyfile, "keyfile")
        if password is not None and not callable(password):
            fixed = password_bytes(password, "password should be a string or callable")
            if len(fixed) > INT_MAX:
                raise ValueError(f"password cannot be longer than {INT_MAX} bytes")
            password = fixed
        state = PasswordState(password)
        handle = ffi.new_handle(state)
        ctx = self._ctx
        old_callback = lib.SSL_CTX_get_default_passwd_cb(ctx)
        old_userdata = lib.SSL_CTX_get_default_passwd_cb_userdata(ctx)
        # Always our callback: with no password it fails instead of letting
        # OpenSSL prompt on the terminal, as the stdlib does.
        lib.SSL_CTX_set_default_passwd_cb(ctx, lib.ssl_bio_password_callback)
        lib.SSL_CTX_set_default_passwd_cb_userdata(ctx, handle)
        try:
            lib.ERR_clear_error()
            ffi.errno = 0
            if lib.SSL_CTX_use_certificate_chain_file(ctx, certfile) != 1:
                raise self._load_error(state, "ssl_bio:load_cert_chain")
            ffi.errno = 0
            key = keyfile if keyfile is not None else certfile
            if lib.SSL_CTX_use_PrivateKey_file(ctx, key, lib.SSL_FILETYPE_PEM) != 1:
                raise self._load_error(state, "ssl_bio:load_cert_chain")
            if lib.SSL_CTX_check_private_key(ctx) != 1:
                raise error_from_queue("ssl_bio:load_cert_chain")
        finally:
            lib.ERR_clear_error()
            lib.SSL_CTX_set_default_passwd_cb(ctx, old_callback)
            lib.SSL_CTX_set_default_passwd_cb_userdata(ctx, old_userdata)

    @staticmethod
    def _load_error(state, where):
        """The exception for a failed file load, as the stdlib chooses it."""
        errno = ffi.errno
        if state.error is not None:
            lib.ERR_clear_error()
            return state.error
        if errno:
            lib.ERR_clear_error()
            return OSError(errno, os.strerror(errno))
        return error_from_queue(where)

    @_serialized
    def load_verify_locations(
        self,
        cafile: Optional[StrOrBytesPath] = None,
        capath: Optional[StrOrBytesPath] = None,
        cadata: Union[str, ReadableBuffer, None] = None,
    ) -> None:
        """Load CA certificates to verify peers with.

        ``cafile``/``capath`` are PEM files; ``cadata`` is PEM text (str) or
        DER bytes.
        """
        if cafile is None and capath is None and cadata is None:
            raise TypeError("cafile, capath and cadata cannot be all omitted")
        if cafile is not None:
            cafile = _fspath_bytes(cafile, "cafile")
        if capath is not None:
            capath = _fspath_bytes(capath, "capath")
        if cadata is not None:
            if isinstance(cadata, str):
                try:
                    data = cadata.encode("ascii")
                except UnicodeEncodeError:
                    raise TypeError(
                        "cadata should be an ASCII string or a bytes-like object"
                    ) from None
                self._add_ca_certs(data, pem=True)
            else:
                try:
                    view = memoryview(cadata)
                except TypeError:
                    raise TypeError(
                        "cadata should be an ASCII string or a bytes-like object"
                    ) from None
                with view:
                    if not view.c_contiguous:
                        raise BufferError("memoryview: underlying buffer is not C-contiguous")
                    data = view.tobytes()  # small; a copy keeps no export open
                self._add_ca_certs(data, pem=False)
        if cafile is not None or capath is not None:
            lib.ERR_clear_error()
            ffi.errno = 0
            ok = lib.SSL_CTX_load_verify_locations(
                self._ctx,
                cafile if cafile is not None else ffi.NULL,
                capath if capath is not None else ffi.NULL,
            )
            if ok != 1:
                errno = ffi.errno
                if errno:
                    lib.ERR_clear_error()
                    raise OSError(errno, os.strerror(errno))
                raise error_from_queue("ssl_bio:load_verify_locations")
        lib.ERR_clear_error()

    def _add_ca_certs(self, data, pem):
        """Add every certificate in PEM or DER ``data`` to the trust store."""
        length = len(data)
        if length <= 0:
            raise ValueError("Empty certificate data")
        if length > INT_MAX:
            raise OverflowError("Certificate data is too long.")
        source = ffi.from_buffer(data)
        bio = lib.BIO_new_mem_buf(source, length)
        if bio == ffi.NULL:
            raise error_from_queue("ssl_bio:load_verify_locations", "Can't allocate buffer")
        bio = ffi.gc(bio, lib.BIO_free)
        store = lib.SSL_CTX_get_cert_store(self._ctx)
        loaded = 0
        reached_end = False
        lib.ERR_clear_error()
        while True:
            if pem:
                cert = lib.PEM_read_bio_X509(bio, ffi.NULL, ffi.NULL, ffi.NULL)
            else:
                if lib.BIO_eof(bio):
                    reached_end = True
                    break
                cert = lib.d2i_X509_bio(bio, ffi.NULL)
            if cert == ffi.NULL:
                break
            added = lib.X509_STORE_add_cert(store, cert)
            lib.X509_free(cert)
            if not added:
                err = lib.ERR_peek_last_error()
                if (
                    lib.ERR_GET_LIB(err) == lib.ERR_LIB_X509
                    and lib.ERR_GET_REASON(err) == lib.X509_R_CERT_ALREADY_IN_HASH_TABLE
                ):
                    lib.ERR_clear_error()  # a duplicate is not an error
                else:
                    break
            loaded += 1
        err = lib.ERR_peek_last_error()
        if loaded == 0:
            if pem:
                msg = "no start line: cadata does not contain a certificate"
            else:
                msg = "not enough data: cadata does not contain a certificate"
            raise error_from_queue("ssl_bio:load_verify_locations", msg)
        if not pem and reached_end:
            lib.ERR_clear_error()
        elif (
            pem
            and lib.ERR_GET_LIB(err) == lib.ERR_LIB_PEM
            and lib.ERR_GET_REASON(err) == lib.PEM_R_NO_START_LINE
        ):
            lib.ERR_clear_error()  # the end of the PEM text
        elif err:
            raise error_from_queue("ssl_bio:load_verify_locations")

    @_serialized
    def load_default_certs(self, purpose: Purpose = Purpose.SERVER_AUTH) -> None:
        """Load the system's default CA certificates."""
        if not _is_asn1_object(purpose):
            raise TypeError(purpose)
        self.set_default_verify_paths()

    @_serialized
    def set_default_verify_paths(self) -> None:
        """Use OpenSSL's default CA file and directory (SSL_CERT_FILE/SSL_CERT_DIR)."""
        lib.ERR_clear_error()
        if not lib.SSL_CTX_set_default_verify_paths(self._ctx):
            raise error_from_queue("ssl_bio:set_default_verify_paths")
        lib.ERR_clear_error()  # missing default locations are not an error

    # --- negotiation -----------------------------------------------------------

    @_serialized
    def set_ciphers(self, ciphers: str) -> None:
        """Set the TLS 1.2 cipher list (OpenSSL cipher list format)."""
        if not isinstance(ciphers, str):
            raise TypeError(f"set_ciphers() argument must be str, not {type_name(ciphers)}")
        if "\0" in ciphers:
            raise ValueError("embedded null character")
        lib.ERR_clear_error()
        if not lib.SSL_CTX_set_cipher_list(self._ctx, ciphers.encode("utf-8")):
            raise message_error("No cipher can be selected.")

    @_serialized
    def set_alpn_protocols(self, alpn_protocols: Iterable[str]) -> None:
        """Offer (client) or accept (server, in this preference order) ALPN protocols."""
        protocols = bytearray()
        for protocol in alpn_protocols:
            encoded = bytes(protocol, "ascii")
            if len(encoded) == 0 or len(encoded) > 255:
                raise SSLError("ALPN protocols must be 1 to 255 in length")
            protocols.append(len(encoded))
            protocols.extend(encoded)
        wire = bytes(protocols)
        if lib.SSL_CTX_set_alpn_protos(self._ctx, wire, len(wire)):
            raise MemoryError()
        # The server-side selection callback reads this buffer: a native
        # length prefix, then the list.  Kept alive while it is installed.
        selection = ffi.new("unsigned char[]", ffi.sizeof("unsigned int") + len(wire))
        ffi.cast("unsigned int *", selection)[0] = len(wire)
        ffi.memmove(selection + ffi.sizeof("unsigned int"), wire, len(wire))
        lib.ssl_bio_set_alpn_select(self._ctx, selection)
        self._alpn_protocols = selection

    # --- callbacks -------------------------------------------------------------

    @property
    def sni_callback(self) -> Optional[Callable[[SSLObject, Optional[str], SSLContext], Any]]:
        """Called as ``callback(sslobject, server_name, context)`` when a client says hello.

        ``server_name`` is the A-label the client sent in SNI, or None.  The
        callback may switch ``sslobject.context`` to serve another certificate;
        it returns None, or an ALERT_DESCRIPTION_* number to refuse the
        connection.  An exception it raises fails the handshake and is raised
        by the SSLObject call that ran it.
        """
        return self._sni_callback

    @sni_callback.setter
    @_serialized
    def sni_callback(
        self, callback: Optional[Callable[[SSLObject, Optional[str], SSLContext], Any]]
    ) -> None:
        if self._protocol == PROTOCOL_TLS_CLIENT:
            raise ValueError("sni_callback cannot be set on TLS_CLIENT context")
        self._sni_callback = None
        lib.SSL_CTX_set_tlsext_servername_callback(self._ctx, ffi.NULL)
        if callback is None:
            return
        if not callable(callback):
            raise TypeError("not a callable object")
        self._sni_callback = callback
        lib.SSL_CTX_set_tlsext_servername_arg(self._ctx, self._callback_handle)
        lib.SSL_CTX_set_tlsext_servername_callback(self._ctx, lib.ssl_bio_servername_callback)

    def set_servername_callback(
        self, server_name_callback: Optional[Callable[[SSLObject, Optional[str], SSLContext], Any]]
    ) -> None:
        """Older spelling of ``sni_callback``; the name passes through IDNA encoding."""
        if server_name_callback is None:
            self.sni_callback = None
            return
        if not callable(server_name_callback):
            raise TypeError("not a callable object")

        def encoding_callback(sslobj, servername, sslctx):
            return server_name_callback(sslobj, self._encode_hostname(servername), sslctx)

        self.sni_callback = encoding_callback

    # --- connections -----------------------------------------------------------

    def wrap_bio(
        self,
        incoming: BIOLike,
        outgoing: BIOLike,
        server_side: bool = False,
        server_hostname: Union[str, bytes, None] = None,
        session: Optional[SSLSession] = None,
    ) -> SSLObject:
        """Make an SSLObject that reads from ``incoming`` and writes to ``outgoing``.

        A client context that checks host names needs ``server_hostname``
        (ValueError otherwise, unlike the stdlib, which skips the check).
        """
        return self.sslobject_class._create(
            incoming,
            outgoing,
            server_side=server_side,
            server_hostname=self._encode_hostname(server_hostname),
            session=session,
            context=self,
        )

    @staticmethod
    def _encode_hostname(hostname):
        """A host name as the ASCII (IDNA A-label) str OpenSSL is given."""
        if hostname is None:
            return None
        if isinstance(hostname, str):
            return hostname.encode("idna").decode("ascii")
        return hostname.decode("ascii")


def create_default_context(
    purpose: Purpose = Purpose.SERVER_AUTH,
    *,
    cafile: Optional[StrOrBytesPath] = None,
    capath: Optional[StrOrBytesPath] = None,
    cadata: Union[str, ReadableBuffer, None] = None,
) -> SSLContext:
    """An SSLContext with secure defaults for ``purpose``, as the stdlib's.

    For ``Purpose.SERVER_AUTH`` (a client): certificates and host names are
    verified against ``cafile``/``capath``/``cadata`` or the system CAs.
    """
    if not _is_asn1_object(purpose):
        raise TypeError(purpose)
    if purpose == Purpose.SERVER_AUTH:
        context = SSLContext(PROTOCOL_TLS_CLIENT)
        context.verify_mode = CERT_REQUIRED
        context.check_hostname = True
    elif purpose == Purpose.CLIENT_AUTH:
        context = SSLContext(PROTOCOL_TLS_SERVER)
    else:
        raise ValueError(purpose)
    # As CPython 3.13: chain building stops at the first trust anchor, and
    # OpenSSL's workarounds for broken certificates are off.
    context.verify_flags |= VerifyFlags.VERIFY_X509_PARTIAL_CHAIN | VerifyFlags.VERIFY_X509_STRICT
    if cafile or capath or cadata:
        context.load_verify_locations(cafile, capath, cadata)
    elif context.verify_mode != CERT_NONE:
        context.load_default_certs(purpose)
    return context
