"""The build script: its error for missing OpenSSL headers and its generated tables."""

import os
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
