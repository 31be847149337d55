"""An SSLContext's own certificate chain and private key: from files, from memory, from PKCS#12.

``load_cert_chain(certfile, keyfile)`` reads PEM files, as the stdlib.
Beyond the stdlib (asked for since bpo-16487), ``certdata``/``keydata`` take
the same from memory -- PEM text or DER bytes, never through a temporary file
-- and ``load_pkcs12`` a ``.p12``/``.pfx`` bundle.  Every form fails the same
way: ``[SSL] PEM lib`` for what cannot be read or decrypted, the key/certificate
mismatch from OpenSSL's check, a password callback's own exception.  The caller
holds the context's lock.
"""

from __future__ import annotations

import os
from typing import Any, List, Optional

from ._args import INT_MAX, bytes_of
from ._binding import ffi, lib
from ._bio import reading_bio
from ._callbacks import PasswordState, password_bytes
from ._errors import error_from_queue

__all__ = ["load_files", "load_memory", "load_pkcs12", "memory_bytes", "password_state"]

_WHERE = "ssl_bio:load_cert_chain"
_PEM_MARK = b"-----BEGIN "


def password_state(password: Any) -> PasswordState:
    """The password callback's state, with the stdlib's checks of ``password``."""
    if password is not None and not callable(password):
        fixed = password_bytes(password, "password should be a string or callable")
        if len(fixed) > INT_MAX:
            raise ValueError(f"password cannot be longer than {INT_MAX} bytes")
        password = fixed
    return PasswordState(password)


def _failure(state: PasswordState, where: str) -> BaseException:
    """The exception for a load that failed: the password callback's, else OpenSSL's."""
    if state.error is not None:
        lib.ERR_clear_error()
        return state.error
    return error_from_queue(where)


# --- files (the stdlib's form) ------------------------------------------------------


def load_files(ctx: Any, certfile: bytes, keyfile: Optional[bytes], state: PasswordState) -> None:
    """Use the PEM chain in ``certfile`` and the key in ``keyfile`` (else in ``certfile``)."""
    handle = ffi.new_handle(state)
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
            raise _file_failure(state, certfile)
        ffi.errno = 0
        key = keyfile if keyfile is not None else certfile
        if lib.SSL_CTX_use_PrivateKey_file(ctx, key, lib.SSL_FILETYPE_PEM) != 1:
            raise _file_failure(state, key)
        if lib.SSL_CTX_check_private_key(ctx) != 1:
            raise error_from_queue(_WHERE)
    finally:
        lib.ERR_clear_error()
        lib.SSL_CTX_set_default_passwd_cb(ctx, old_callback)
        lib.SSL_CTX_set_default_passwd_cb_userdata(ctx, old_userdata)


def _file_failure(state: PasswordState, path: bytes) -> BaseException:
    """As the stdlib chooses it: the callback's exception, an OSError, or OpenSSL's error.

    The OSError names the file, as Python 3.15's.
    """
    errno = ffi.errno
    if state.error is None and errno:
        lib.ERR_clear_error()
        return OSError(errno, os.strerror(errno), os.fsdecode(path))
    return _failure(state, _WHERE)


# --- memory ---------------------------------------------------------------------------


def memory_bytes(data: Any, name: str, text: bool = True) -> bytes:
    """Memory arguments as bytes: any bytes-like object, or with ``text`` an ASCII str (PEM)."""
    if text:
        message = f"{name} should be an ASCII string or a bytes-like object"
    else:
        message = f"{name} should be a bytes-like object, not {type(data).__name__}"
    encoded = bytes_of(data, message, text)
    if not encoded:
        raise ValueError(f"{name} is empty")
    if len(encoded) > INT_MAX:
        raise OverflowError(f"{name} is too long")
    return encoded


def _owned_certificate(cert: Any) -> Any:
    return ffi.gc(cert, lib.X509_free)


def _read_certificates(data: bytes, state: PasswordState) -> List[Any]:
    """Every certificate in ``data`` (PEM text or concatenated DER), leaf first."""
    bio = reading_bio(data)
    certs = []
    lib.ERR_clear_error()
    if _PEM_MARK in data:
        handle = ffi.new_handle(state)
        # As SSL_CTX_use_certificate_chain_file: the leaf with its trust
        # settings, then the chain.
        cert = lib.PEM_read_bio_X509_AUX(bio, ffi.NULL, lib.ssl_bio_password_callback, handle)
        while cert != ffi.NULL:
            certs.append(_owned_certificate(cert))
            cert = lib.PEM_read_bio_X509(bio, ffi.NULL, lib.ssl_bio_password_callback, handle)
        error = lib.ERR_peek_last_error()
        if certs and lib.ERR_GET_LIB(error) == lib.ERR_LIB_PEM:
            if lib.ERR_GET_REASON(error) == lib.PEM_R_NO_START_LINE:
                lib.ERR_clear_error()  # the end of the text
    else:
        while not lib.BIO_eof(bio):
            cert = lib.d2i_X509_bio(bio, ffi.NULL)
            if cert == ffi.NULL:
                certs = []
                break
            certs.append(_owned_certificate(cert))
    if not certs or lib.ERR_peek_last_error():
        lib.ssl_bio_push_pem_lib_error()
        raise _failure(state, _WHERE)
    return certs


def _read_key(data: bytes, state: PasswordState) -> Any:
    """The private key in ``data``: PEM (encrypted or not), DER, or encrypted PKCS#8 DER."""
    bio = reading_bio(data)
    handle = ffi.new_handle(state)
    lib.ERR_clear_error()
    if _PEM_MARK in data:
        key = lib.PEM_read_bio_PrivateKey(bio, ffi.NULL, lib.ssl_bio_password_callback, handle)
    else:
        key = lib.d2i_PrivateKey_bio(bio, ffi.NULL)
        if key == ffi.NULL and state.error is None:
            bio = reading_bio(data)
            lib.ERR_clear_error()
            key = lib.d2i_PKCS8PrivateKey_bio(bio, ffi.NULL, lib.ssl_bio_password_callback, handle)
    if key == ffi.NULL:
        lib.ssl_bio_push_pem_lib_error()
        raise _failure(state, _WHERE)
    return ffi.gc(key, lib.EVP_PKEY_free)


def _use(ctx: Any, certs: List[Any], key: Any, where: str) -> None:
    """Make ``certs`` (leaf first) and ``key`` the context's own."""
    lib.ERR_clear_error()
    if lib.SSL_CTX_use_certificate(ctx, certs[0]) != 1:
        raise error_from_queue(where)
    if lib.SSL_CTX_clear_chain_certs(ctx) != 1:
        raise error_from_queue(where)
    for cert in certs[1:]:
        if lib.SSL_CTX_add1_chain_cert(ctx, cert) != 1:
            raise error_from_queue(where)
    if lib.SSL_CTX_use_PrivateKey(ctx, key) != 1 or lib.SSL_CTX_check_private_key(ctx) != 1:
        raise error_from_queue(where)
    lib.ERR_clear_error()


def load_memory(ctx: Any, certdata: bytes, keydata: Optional[bytes], state: PasswordState) -> None:
    """Use the chain in ``certdata`` and the key in ``keydata`` (else in ``certdata``)."""
    certs = _read_certificates(certdata, state)
    key = _read_key(keydata if keydata is not None else certdata, state)
    _use(ctx, certs, key, _WHERE)


# --- PKCS#12 ------------------------------------------------------------------------


def load_pkcs12(ctx: Any, data: bytes, password: Optional[bytes]) -> None:
    """Use the key, certificate and chain of a PKCS#12 bundle."""
    where = "ssl_bio:load_pkcs12"
    bio = reading_bio(data)
    lib.ERR_clear_error()
    p12 = lib.d2i_PKCS12_bio(bio, ffi.NULL)
    if p12 == ffi.NULL:
        raise error_from_queue(where)
    p12 = ffi.gc(p12, lib.PKCS12_free)
    key = ffi.new("EVP_PKEY **")
    cert = ffi.new("X509 **")
    chain = ffi.new("ssl_bio_x509_stack **")
    if not lib.PKCS12_parse(p12, ffi.NULL if password is None else password, key, cert, chain):
        raise error_from_queue(where)
    # Owned from here on, whatever fails below.
    owned_key = ffi.gc(key[0], lib.EVP_PKEY_free) if key[0] != ffi.NULL else None
    owned_cert = _owned_certificate(cert[0]) if cert[0] != ffi.NULL else None
    owned_chain = ffi.gc(chain[0], lib.ssl_bio_free_x509_stack) if chain[0] != ffi.NULL else None
    if owned_key is None or owned_cert is None:
        raise ValueError("the PKCS#12 data holds no private key and certificate")
    certs = [owned_cert]
    if owned_chain is not None:
        certs += [lib.sk_X509_value(owned_chain, i) for i in range(lib.sk_X509_num(owned_chain))]
    _use(ctx, certs, owned_key, where)
