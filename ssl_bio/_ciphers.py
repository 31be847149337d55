"""Cipher decoding: ``SSLObject.cipher()``'s tuples and ``SSLContext.get_ciphers()``'s dicts."""

from typing import Any, Dict, Optional, Tuple

from ._binding import ffi, lib

__all__ = ["cipher_tuple", "cipher_dict"]


def _text(pointer: Any) -> Optional[str]:
    return None if pointer == ffi.NULL else ffi.string(pointer).decode("ascii")


def cipher_tuple(cipher: Any) -> Tuple[Any, Any, int]:
    """(name, protocol, secret bits) of an ``SSL_CIPHER *``, as ``SSLObject.cipher()``."""
    return (
        _text(lib.SSL_CIPHER_get_name(cipher)),
        _text(lib.SSL_CIPHER_get_version(cipher)),
        lib.SSL_CIPHER_get_bits(cipher, ffi.NULL),
    )


def _nid_long_name(nid: int) -> Optional[str]:
    """OpenSSL's long name for a NID, or None for NID_undef."""
    if nid == lib.NID_undef:
        return None
    return _text(lib.OBJ_nid2ln(nid))


def cipher_dict(cipher: Any) -> Dict[str, Any]:
    """One ``get_ciphers()`` entry for an ``SSL_CIPHER *``, with the stdlib's keys."""
    description = ffi.new("char[512]")
    lib.SSL_CIPHER_description(cipher, description, 511)
    alg_bits = ffi.new("int *")
    strength_bits = lib.SSL_CIPHER_get_bits(cipher, alg_bits)
    return {
        "id": lib.SSL_CIPHER_get_id(cipher),
        "name": _text(lib.SSL_CIPHER_get_name(cipher)),
        "protocol": _text(lib.SSL_CIPHER_get_version(cipher)),
        "description": ffi.string(description).decode("ascii").rstrip("\n"),
        "strength_bits": strength_bits,
        "alg_bits": alg_bits[0],
        "aead": bool(lib.SSL_CIPHER_is_aead(cipher)),
        "symmetric": _nid_long_name(lib.SSL_CIPHER_get_cipher_nid(cipher)),
        "digest": _nid_long_name(lib.SSL_CIPHER_get_digest_nid(cipher)),
        "kea": _nid_long_name(lib.SSL_CIPHER_get_kx_nid(cipher)),
        "auth": _nid_long_name(lib.SSL_CIPHER_get_auth_nid(cipher)),
    }
