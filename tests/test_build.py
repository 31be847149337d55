"""The build script: its error for missing OpenSSL headers and its generated tables."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BUILD_SCRIPT = Path(__file__).resolve().parent.parent / "build_ffi.py"

pytestmark = pytest.mark.skipif(
    not BUILD_SCRIPT.exists(), reason="build_ffi.py is not beside the tests (installed tests only)"
)


def test_missing_openssl_headers_say_what_to_install():
    # -nostdinc hides every system header, as on a machine without libssl-dev.
    env = dict(os.environ, CC="cc -nostdinc")
    result = subprocess.run(
        [sys.executable, "-c", "import build_ffi"],
        cwd=BUILD_SCRIPT.parent,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "OpenSSL development headers" in result.stderr
    assert "apt-get install libssl-dev" in result.stderr


def test_error_tables_are_generated_from_headers():
    sys.path.insert(0, str(BUILD_SCRIPT.parent))
    try:
        import build_ffi
    finally:
        sys.path.pop(0)
    source = build_ffi.generate_error_tables(build_ffi.find_openssl_include_dir())
    assert '{ERR_LIB_SSL, SSL_R_CERTIFICATE_VERIFY_FAILED, "CERTIFICATE_VERIFY_FAILED"}' in source
    assert '{ERR_LIB_PEM, 0, "PEM"}' in source
    assert "#include <openssl/sslerr.h>" in source


def _build_module():
    sys.path.insert(0, str(BUILD_SCRIPT.parent))
    try:
        import build_ffi
    finally:
        sys.path.pop(0)
    return build_ffi


def test_cdef_declares_exactly_what_ssl_bio_uses():
    """Every name in csrc/cdef/*.cdef is used by ssl_bio's Python code, and no more.

    Functions, macros, constants and variables must appear as ``lib.NAME``;
    an extern "Python" callback must be defined with ``@ffi.def_extern()``
    (a "Python+C" one is installed from C instead of ``lib.NAME``); a type
    must be used by another declaration or named in a cffi string.
    """
    from cffi import FFI

    build_ffi = _build_module()
    cdef = build_ffi.read_cdef()
    parser_ffi = FFI()
    parser_ffi.cdef(cdef)
    package = BUILD_SCRIPT.parent / "ssl_bio"
    python = "\n".join(path.read_text() for path in sorted(package.glob("*.py")))
    used = set(re.findall(r"\blib\.(\w+)", python))
    defined_callbacks = set(re.findall(r"@ffi\.def_extern\(\)\s*\ndef (\w+)", python))
    cdef_code = re.sub(r"/\*.*?\*/", "", cdef, flags=re.S)

    unused = []
    for key in parser_ffi._parser._declarations:
        kind, _, name = key.partition(" ")
        if kind in ("function", "macro", "constant", "variable", "extern_python"):
            if name not in used and not (kind == "extern_python" and name in defined_callbacks):
                unused.append(key)
        elif kind == "extern_python_plus_c":
            if name not in defined_callbacks:
                unused.append(key)
        elif kind == "typedef":
            elsewhere = len(re.findall(rf"\b{name}\b", cdef_code)) > 1
            if not elsewhere and not re.search(rf"[\"']{name}\b", python):
                unused.append(key)
    assert unused == []
    # And the other way: nothing the Python code calls is missing.
    declared = {key.partition(" ")[2] for key in parser_ffi._parser._declarations}
    assert sorted(used - declared) == []


def test_c_helpers_live_in_c_files():
    """build_ffi.py carries no hand-written C; the helpers are csrc's files."""
    build_ffi = _build_module()
    text = BUILD_SCRIPT.read_text()
    for c_only in ("pthread_mutex", "SSL_read_ex", "static int", "#ifdef OPENSSL_NO"):
        assert c_only not in text
    for name in build_ffi.C_SOURCES + ["ssl_bio.h"]:
        assert (Path(build_ffi.C_DIR) / name).is_file()
    assert "-Wconversion" in build_ffi.WARNINGS


def test_version_checks_live_in_compat():
    """Version differences are decided in one place (docs/internals.md, "Compatibility").

    C: only csrc/compat.h and compat.c read OPENSSL_VERSION_NUMBER or
    OPENSSL_NO_*.  Python: only ssl_bio/_compat.py reads lib.SSL_BIO_HAS_*,
    imports the stdlib ssl or asks which interpreter runs; tests compare
    OpenSSL versions only in tests/versions.py.
    """
    root = BUILD_SCRIPT.parent
    offenders = []
    for path in sorted((root / "csrc").glob("*.[ch]")):
        if path.name.startswith("compat."):
            continue
        text = path.read_text()
        if re.search(r"OPENSSL_VERSION_NUMBER|OPENSSL_NO_|LIBRESSL_VERSION", text):
            offenders.append(path.name)
    python_rules = [
        r"lib\.SSL_BIO_HAS_",
        r"^\s*import ssl\b",
        r"OPENSSL_VERSION_INFO\S*\s*(?:[<>]=?|==)",
        r"python_implementation|sys\.implementation|Py_GIL_DISABLED",
    ]
    for path in sorted((root / "ssl_bio").glob("*.py")):
        if path.name == "_compat.py":
            continue
        text = path.read_text()
        offenders += [
            f"{path.name}: {rule}" for rule in python_rules if re.search(rule, text, re.M)
        ]
    for path in sorted((root / "tests").glob("*.py")):
        if path.name == "versions.py":
            continue
        if re.search(
            r"OPENSSL_VERSION_INFO[^\n]*[<>]=?\s*\(|OPENSSL_VERSION_NUMBER\s*[<>]", path.read_text()
        ):
            offenders.append(path.name)
    assert offenders == []


def test_an_unloadable_binding_says_why():
    """A binding that exists but does not load reports the loader's words and the loaded OpenSSL."""
    from ssl_bio import _binding

    error = ImportError(
        "/usr/lib/x86_64-linux-gnu/libssl.so.3: version `OPENSSL_3.4.0' not found "
        "(required by _openssl.so)"
    )
    message = _binding._missing_message(error)
    assert "could not be loaded" in message
    assert "OPENSSL_3.4.0" in message
    assert "built against another OpenSSL" in message
    assert "libssl" in message  # the library this process has mapped, or the loader's
    assert "install the package" not in message
