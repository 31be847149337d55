"""The compiled cffi module (``ssl_bio._openssl``), with a clear error when it is missing.

``build_ffi.py`` generates and compiles ``_openssl`` at install time; running
from a source checkout that was never built gives an ImportError that says so.
"""

try:
    from ._openssl import ffi, lib
except ImportError as exc:  # pragma: no cover - depends on how ssl_bio was installed
    raise ImportError(
        "ssl_bio's compiled OpenSSL binding (ssl_bio._openssl) is missing: "
        "install the package with 'pip install .' (or 'pip install -e .' in a "
        "checkout), which compiles it; it needs a C compiler and the OpenSSL "
        "headers (Debian: apt-get install gcc libssl-dev)."
    ) from exc

__all__ = ["ffi", "lib"]
