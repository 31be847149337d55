"""The compiled cffi module (``ssl_bio._openssl``), with an error that says why it did not load.

``build_ffi.py`` generates and compiles ``_openssl`` at install time.  Running
from a source checkout that was never built gives an ImportError that says
so; a module that exists but cannot be loaded (built against another
OpenSSL, or another ``libssl.so.3`` already loaded by this process, as the
stdlib ``ssl`` does when imported first) gives the loader's own words and the
OpenSSL libraries this process has mapped.
"""

import glob
import os

__all__ = ["ffi", "lib"]


def _loaded_openssl():
    """The libssl/libcrypto files this process has mapped (Linux), for the message."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "/lib" in line}
    except OSError:
        return []
    return sorted(p for p in paths if os.path.basename(p).startswith(("libssl.", "libcrypto.")))


def _missing_message(exc):
    here = os.path.dirname(os.path.abspath(__file__))
    built = glob.glob(os.path.join(here, "_openssl*.so")) + glob.glob(
        os.path.join(here, "_openssl*.pyd")
    )
    if not built:
        return (
            "ssl_bio's compiled OpenSSL binding (ssl_bio._openssl) is missing: "
            "install the package with 'pip install .' (or 'pip install -e .' in a "
            "checkout), which compiles it; it needs a C compiler and the OpenSSL "
            "headers (Debian: apt-get install gcc libssl-dev)."
        )
    message = f"ssl_bio's compiled OpenSSL binding ({built[0]}) could not be loaded: {exc}."
    if any(word in str(exc) for word in ("OPENSSL_", "libssl", "libcrypto")):
        message += " It was built against another OpenSSL than the one the loader found."
        loaded = _loaded_openssl()
        if loaded:
            message += (
                f" This process already has {', '.join(loaded)} loaded (the stdlib ssl module,"
                " imported first, loads its own), and a library of the same soname is not"
                " loaded twice."
            )
        message += (
            " Rebuild ssl_bio against the OpenSSL it runs with, or run it with the one it was"
            " built for (LD_LIBRARY_PATH)."
        )
    return message


try:
    from ._openssl import ffi, lib
except ImportError as exc:  # pragma: no cover - depends on how ssl_bio was installed
    raise ImportError(_missing_message(exc)) from exc
