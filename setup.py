__import__("setuptools").setup(cffi_modules=["build_ffi.py:ffibuilder"])  # no pyproject hook
