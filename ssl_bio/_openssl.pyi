# Type stub for the cffi-compiled module that build_ffi.py generates.
from typing import Any

ffi: Any
lib: Any
