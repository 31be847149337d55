"""Module-level certificate helpers: PEM/DER conversion, certificate times, CA paths.

The stdlib's pure-Python helpers, with its results and its errors: code that
calls ``ssl.DER_cert_to_PEM_cert`` or ``ssl.get_default_verify_paths`` gets
the same from ssl_bio.
"""

import base64
import calendar
import os
import time
from typing import NamedTuple, Optional, Union

from ._binding import ffi, lib

__all__ = [
    "PEM_HEADER",
    "PEM_FOOTER",
    "DER_cert_to_PEM_cert",
    "PEM_cert_to_DER_cert",
    "cert_time_to_seconds",
    "DefaultVerifyPaths",
    "get_default_verify_paths",
]

PEM_HEADER = "-----BEGIN CERTIFICATE-----"
PEM_FOOTER = "-----END CERTIFICATE-----"
_PEM_LINE = 64

# English month abbreviations whatever the locale: certificates are not localised.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CERT_TIME_REST = " %d %H:%M:%S %Y GMT"


def DER_cert_to_PEM_cert(der_cert_bytes: Union[bytes, bytearray, memoryview]) -> str:
    """A DER certificate (bytes) as a PEM string."""
    text = base64.standard_b64encode(der_cert_bytes).decode("ascii")
    body = "\n".join(text[start : start + _PEM_LINE] for start in range(0, len(text), _PEM_LINE))
    # As 3.15's (base64 wrapcol): an empty certificate leaves an empty line.
    return f"{PEM_HEADER}\n{body}\n{PEM_FOOTER}\n"


def PEM_cert_to_DER_cert(pem_cert_string: str) -> bytes:
    """A PEM certificate string as DER bytes."""
    if not pem_cert_string.startswith(PEM_HEADER):
        raise ValueError(f"Invalid PEM encoding; must start with {PEM_HEADER}")
    stripped = pem_cert_string.strip()
    if not stripped.endswith(PEM_FOOTER):
        raise ValueError(f"Invalid PEM encoding; must end with {PEM_FOOTER}")
    body = stripped[len(PEM_HEADER) : -len(PEM_FOOTER)]
    return base64.decodebytes(body.encode("ASCII", "strict"))


def cert_time_to_seconds(cert_time: str) -> int:
    """Seconds since the epoch for a certificate time ("May  9 00:00:00 2007 GMT")."""
    month = cert_time[:3].title()
    if month not in _MONTHS:
        raise ValueError(f'time data {cert_time!r} does not match format "%b{_CERT_TIME_REST}"')
    parsed = time.strptime(cert_time[3:], _CERT_TIME_REST)
    year, _, day, hour, minute, second = parsed[:6]
    return calendar.timegm((year, _MONTHS.index(month) + 1, day, hour, minute, second))


class DefaultVerifyPaths(NamedTuple):
    """Where OpenSSL looks for CA certificates by default."""

    cafile: Optional[str]
    capath: Optional[str]
    openssl_cafile_env: str
    openssl_cafile: str
    openssl_capath_env: str
    openssl_capath: str


def _text(pointer: object) -> str:
    return ffi.string(pointer).decode("utf-8", "surrogateescape")


def get_default_verify_paths() -> DefaultVerifyPaths:
    """OpenSSL's default CA file and directory, after SSL_CERT_FILE/SSL_CERT_DIR.

    ``cafile``/``capath`` are None where the file or directory does not exist.
    """
    cafile_env = _text(lib.X509_get_default_cert_file_env())
    cafile_default = _text(lib.X509_get_default_cert_file())
    capath_env = _text(lib.X509_get_default_cert_dir_env())
    capath_default = _text(lib.X509_get_default_cert_dir())
    cafile = os.environ.get(cafile_env, cafile_default)
    capath = os.environ.get(capath_env, capath_default)
    return DefaultVerifyPaths(
        cafile if os.path.isfile(cafile) else None,
        capath if os.path.isdir(capath) else None,
        cafile_env,
        cafile_default,
        capath_env,
        capath_default,
    )
