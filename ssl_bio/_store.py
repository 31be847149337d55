"""An SSLContext's certificate store: loading CA certificates, and what it holds.

``load_verify_locations``, ``get_ca_certs`` and ``cert_store_stats`` of
SSLContext, on its ``SSL_CTX *``; the caller holds the context's lock where it
changes the store.
"""

import os
from typing import Any, Dict, List, Optional

from ._args import INT_MAX, bytes_of
from ._binding import ffi, lib
from ._bio import reading_bio
from ._cert import certificate_to_der, decode_certificate
from ._errors import error_from_queue

__all__ = ["load_verify_locations", "ca_certs", "store_stats"]

_CADATA_TYPE_ERROR = "cadata should be an ASCII string or a bytes-like object"


def load_verify_locations(
    ctx: Any, cafile: Optional[bytes], capath: Optional[bytes], cadata: Any
) -> None:
    """Add CA certificates from PEM text (str), DER bytes, a file and/or a directory."""
    if cadata is not None:
        # PEM text as str, DER as bytes (as the stdlib).
        _add_ca_certs(ctx, bytes_of(cadata, _CADATA_TYPE_ERROR), pem=isinstance(cadata, str))
    if cafile is not None or capath is not None:
        lib.ERR_clear_error()
        ffi.errno = 0
        ok = lib.SSL_CTX_load_verify_locations(
            ctx,
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


def _is_error(err: int, library: int, reason: int) -> bool:
    return bool(lib.ERR_GET_LIB(err) == library and lib.ERR_GET_REASON(err) == reason)


def _add_ca_certs(ctx: Any, data: bytes, pem: bool) -> None:
    """Add every certificate in PEM or DER ``data`` to the trust store."""
    length = len(data)
    if length <= 0:
        raise ValueError("Empty certificate data")
    if length > INT_MAX:
        raise OverflowError("Certificate data is too long.")
    try:
        bio = reading_bio(data)
    except MemoryError:
        raise error_from_queue("ssl_bio:load_verify_locations", "Can't allocate buffer") from None
    store = lib.SSL_CTX_get_cert_store(ctx)
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
            if _is_error(err, lib.ERR_LIB_X509, lib.X509_R_CERT_ALREADY_IN_HASH_TABLE):
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
    elif pem and _is_error(err, lib.ERR_LIB_PEM, lib.PEM_R_NO_START_LINE):
        lib.ERR_clear_error()  # the end of the PEM text
    elif err:
        raise error_from_queue("ssl_bio:load_verify_locations")


def ca_certs(ctx: Any, binary_form: bool) -> List[Any]:
    """The store's CA certificates: getpeercert() dicts, or DER bytes."""
    certs = lib.ssl_bio_store_ca_certs(lib.SSL_CTX_get_cert_store(ctx))
    if certs == ffi.NULL:
        raise MemoryError()
    certs = ffi.gc(certs, lib.ssl_bio_free_x509_stack)
    convert = certificate_to_der if binary_form else decode_certificate
    return [convert(lib.sk_X509_value(certs, i)) for i in range(lib.sk_X509_num(certs))]


def store_stats(ctx: Any) -> Dict[str, int]:
    """How many certificates ('x509', of which CAs 'x509_ca') and CRLs ('crl') are loaded."""
    counts = ffi.new("int[3]")
    if not lib.ssl_bio_store_stats(lib.SSL_CTX_get_cert_store(ctx), counts, counts + 1, counts + 2):
        raise error_from_queue("ssl_bio:cert_store_stats")
    return {"x509": counts[0], "crl": counts[1], "x509_ca": counts[2]}
