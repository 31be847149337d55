"""OpenSSL's random generator: RAND_bytes, RAND_status, RAND_add."""

from typing import Union

from ._args import as_c_double, as_c_int
from ._binding import ffi, lib
from ._bio import buffer_for_reading
from ._errors import error_from_queue

__all__ = ["RAND_bytes", "RAND_status", "RAND_add"]


def RAND_bytes(n: int, /) -> bytes:
    """``n`` cryptographically strong random bytes (SSLError if OpenSSL cannot)."""
    n = as_c_int(n)
    if n < 0:
        raise ValueError("num must be positive")
    buf = ffi.new("unsigned char[]", n)
    lib.ERR_clear_error()
    if lib.RAND_bytes(buf, n) != 1:
        raise error_from_queue("ssl_bio:RAND_bytes")
    return ffi.unpack(ffi.cast("char *", buf), n)


def RAND_status() -> bool:
    """True when the generator is seeded well enough."""
    return bool(lib.RAND_status())


def RAND_add(string: Union[str, bytes, bytearray, memoryview], entropy: float, /) -> None:
    """Mix ``string`` (str or bytes-like) into the generator, estimating ``entropy`` bytes."""
    if isinstance(string, str):
        string = string.encode("utf-8")
    entropy = as_c_double(entropy)
    with buffer_for_reading(string) as data:
        remaining = ffi.sizeof(data)
        offset = 0
        # RAND_add takes an int length: feed larger buffers in pieces.
        while True:
            piece = min(remaining, 2**31 - 1)
            lib.RAND_add(data + offset, piece, entropy)
            offset += piece
            remaining -= piece
            if remaining <= 0:
                break
