"""Exported keying material and channel bindings (RFC 5705, RFC 8446 7.5, RFC 5929, RFC 9266).

Beyond the stdlib, which offers only 'tls-unique' (undefined for TLS 1.3):
``SSLObject.export_keying_material()`` and the channel bindings
'tls-exporter' and 'tls-server-end-point' that SASL's ``-PLUS`` mechanisms
(SCRAM, as PostgreSQL and XMPP use them) need.  The caller holds the
connection's locks.
"""

from __future__ import annotations

import operator
from typing import Any, Optional, Union

from ._args import INT_MAX, type_name
from ._binding import ffi, lib
from ._errors import error_from_queue

__all__ = ["channel_binding", "export_keying_material"]

# Longest Finished message (tls-unique); CPython's PySSL_CB_MAXLEN.
_FINISHED_MAXLEN = 128
# RFC 9266, 2: the exporter's label and length for 'tls-exporter'.
_TLS_EXPORTER_LABEL = b"EXPORTER-Channel-Binding"
_TLS_EXPORTER_LENGTH = 32


def _label_bytes(label: Any) -> bytes:
    if isinstance(label, str):
        try:
            return label.encode("ascii")
        except UnicodeEncodeError:
            raise ValueError("label must be ASCII") from None
    if isinstance(label, (bytes, bytearray, memoryview)):
        return bytes(label)
    raise TypeError(
        f"export_keying_material() argument 'label' must be str or bytes, not {type_name(label)}"
    )


def _context_bytes(context: Any) -> Optional[bytes]:
    if context is None:
        return None
    message = (
        "export_keying_material() argument 'context' must be bytes or None, "
        f"not {type_name(context)}"
    )
    if isinstance(context, str):
        raise TypeError(message)
    try:
        with memoryview(context) as view:
            if not view.c_contiguous:
                raise BufferError("memoryview: underlying buffer is not C-contiguous")
            return view.tobytes()
    except TypeError:
        raise TypeError(message) from None


def export_keying_material(
    ssl: Any, label: Union[str, bytes], length: int, context: Optional[bytes]
) -> bytes:
    """``length`` bytes of keying material for ``label`` and ``context`` (RFC 5705 / 8446 7.5)."""
    encoded_label = _label_bytes(label)
    if length.__class__ is not int:
        try:
            length = operator.index(length)
        except TypeError:
            raise TypeError(
                f"export_keying_material() argument 'length' must be int, not {type_name(length)}"
            ) from None
    if length <= 0:
        raise ValueError("length must be positive")
    if length > INT_MAX:
        raise OverflowError("length is too large")
    encoded_context = _context_bytes(context)
    if not lib.SSL_is_init_finished(ssl):
        raise ValueError("handshake not done yet")
    return _export(ssl, encoded_label, length, encoded_context)


def _export(ssl: Any, label: bytes, length: int, context: Optional[bytes]) -> bytes:
    out = ffi.new("unsigned char[]", length)
    lib.ERR_clear_error()
    if context is None:
        ok = lib.SSL_export_keying_material(ssl, out, length, label, len(label), ffi.NULL, 0, 0)
    else:
        ok = lib.SSL_export_keying_material(
            ssl, out, length, label, len(label), context, len(context), 1
        )
    if ok != 1:
        raise error_from_queue("ssl_bio:export_keying_material")
    return ffi.unpack(ffi.cast("char *", out), length)


def channel_binding(ssl: Any, server_side: bool, cb_type: str) -> Optional[bytes]:
    """The channel binding of ``cb_type`` for a connection, None before the handshake."""
    if cb_type == "tls-unique":
        return _tls_unique(ssl, server_side)
    if not lib.SSL_is_init_finished(ssl):
        return None
    if cb_type == "tls-exporter":
        return _tls_exporter(ssl)
    return _tls_server_end_point(ssl, server_side)


def _tls_unique(ssl: Any, server_side: bool) -> Optional[bytes]:
    """RFC 5929 3: the first Finished message of the handshake (TLS 1.2 and older).

    Ours when we are the client of a full handshake or the server of a
    resumed one.  None before the handshake.
    """
    buf = ffi.new("char[]", _FINISHED_MAXLEN)
    if bool(lib.SSL_session_reused(ssl)) != (not server_side):
        length = lib.SSL_get_finished(ssl, buf, _FINISHED_MAXLEN)
    else:
        length = lib.SSL_get_peer_finished(ssl, buf, _FINISHED_MAXLEN)
    return ffi.unpack(buf, length) if length else None


def _tls_exporter(ssl: Any) -> bytes:
    """RFC 9266: 32 bytes exported with 'EXPORTER-Channel-Binding' and an empty context.

    On TLS 1.2 only with the extended master secret (RFC 7627), without
    which the exporter does not identify the connection (RFC 9266 4.2).
    """
    if lib.SSL_version(ssl) <= lib.TLS1_2_VERSION and lib.SSL_get_extms_support(ssl) != 1:
        raise ValueError(
            "'tls-exporter' channel binding needs the extended master secret on TLS 1.2 "
            "(RFC 9266, 4.2), and the peer did not negotiate it"
        )
    return _export(ssl, _TLS_EXPORTER_LABEL, _TLS_EXPORTER_LENGTH, b"")


def _tls_server_end_point(ssl: Any, server_side: bool) -> Optional[bytes]:
    """RFC 5929 4.1: the hash of the server's certificate.

    With the hash function of the certificate's signature, MD5 and SHA-1
    replaced by SHA-256; the server hashes its own certificate, the client
    the server's.  None without a server certificate (PSK); ValueError for a
    signature without one hash function (Ed25519), for which RFC 5929 leaves
    the binding undefined.
    """
    if server_side:
        cert = lib.SSL_get_certificate(ssl)  # the SSL's own: not to be freed
        if cert == ffi.NULL:
            return None
        return _certificate_hash(cert)
    cert = lib.SSL_get1_peer_certificate(ssl)
    if cert == ffi.NULL:
        return None
    try:
        return _certificate_hash(cert)
    finally:
        lib.X509_free(cert)


def _certificate_hash(cert: Any) -> bytes:
    md_nid = ffi.new("int *")
    if not lib.X509_get_signature_info(cert, md_nid, ffi.NULL, ffi.NULL, ffi.NULL):
        lib.ERR_clear_error()
        raise ValueError("'tls-server-end-point' channel binding: unknown certificate signature")
    if md_nid[0] in (lib.NID_md5, lib.NID_sha1):
        md = lib.EVP_sha256()
    elif md_nid[0] == lib.NID_undef:
        raise ValueError(
            "'tls-server-end-point' channel binding is undefined for a certificate signed "
            "without a single hash function (RFC 5929, 4.1)"
        )
    else:
        md = lib.EVP_get_digestbynid(md_nid[0])
        if md == ffi.NULL:
            lib.ERR_clear_error()
            raise ValueError("'tls-server-end-point' channel binding: unknown signature hash")
    out = ffi.new("unsigned char[]", lib.EVP_MAX_MD_SIZE)
    length = ffi.new("unsigned int *")
    if not lib.X509_digest(cert, md, out, length):
        raise error_from_queue("ssl_bio:get_channel_binding")
    return ffi.unpack(ffi.cast("char *", out), length[0])
