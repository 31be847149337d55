"""The CPython accelerator: the hot calls as C-API functions (``csrc/accel.c``).

Every cffi call releases and retakes the GIL, and every ``extern "Python"``
callback takes it again and runs a Python frame; on a small message those
crossings cost more than the TLS work.  On CPython the cffi module also holds
C-API functions for the calls on every record -- MemoryBIO read/write/pending,
SSLObject read/write, and a BIO that reads and writes the stdlib's
``ssl.MemoryBIO`` (what asyncio, uvloop and Trio hand ``wrap_bio``) -- which
keep the GIL and release it only to wait for a lock another thread holds.
Importing this module installs them: ``MemoryBIO.read``/``write`` and
``SSLObject.read``/``write`` become C methods (no Python frame on the
everyday call; anything else goes to the Python method they replace, which
takes the cffi path), and ``memory_pending`` and ``stdlib_bio_new`` are put
here for ``_bio`` to take when they are not None.

They are None on PyPy (where cffi calls are cheap and the JIT sees through
the Python path), on a free-threaded CPython (they rely on the GIL), and
when the environment variable ``SSL_BIO_ACCELERATOR`` is ``0`` at import:
the cffi path does the same work, and the test suite runs both ways
(``tox -e py311-noaccel``).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from ._binding import lib
from ._compat import ACCELERATOR_WANTED

__all__ = ["ENABLED"]

_Function = Optional[Callable[..., Any]]

# Set by ssl_bio_accel_install(); the signatures are in csrc/accel.c.
memory_pending: _Function = None
stdlib_bio_new: _Function = None
# Replace MemoryBIO's and SSLObject's read and write with C methods that fall
# back to the Python ones for anything but the everyday call.
accelerate_memory_bio: _Function = None
accelerate_sslobject: _Function = None


def _install() -> bool:
    if not ACCELERATOR_WANTED:
        return False
    installed = lib.ssl_bio_accel_install(__name__.encode())
    if installed < 0:  # pragma: no cover - the C side printed why
        raise ImportError("ssl_bio: the CPython accelerator could not be installed")
    return installed == 1


#: Whether the accelerator is in use (CPython, unless SSL_BIO_ACCELERATOR=0).
ENABLED = _install()
