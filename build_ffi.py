"""cffi build script for ``ssl_bio._openssl`` (out-of-line, API mode).

Nothing here is C: the cdef (``csrc/cdef/*.cdef``, one file per OpenSSL
header) declares exactly the OpenSSL types, constants and functions that
ssl_bio's Python code uses (``tests/test_build.py`` keeps it so), and the C
helpers live in ``csrc/*.c`` behind ``csrc/ssl_bio.h`` -- among them, on
CPython, the accelerator (``csrc/accel.c``: C-API functions for the hot calls,
installed by ``ssl_bio/_accel.py``).  ``set_source``
compiles the generated module and those files against the system's
libssl/libcrypto with ``-Wall -Wextra -Wconversion`` (``SSL_BIO_WERROR=1``
makes warnings errors, as CI builds), so every declaration is checked by the
C compiler (API mode), and macros and inline functions work.

The table of OpenSSL error-reason mnemonics (``SSL_R_CERTIFICATE_VERIFY_FAILED``
-> ``"CERTIFICATE_VERIFY_FAILED"``) is generated here, at build time, from the
``<openssl/*err.h>`` headers of the OpenSSL being compiled against, so it always
matches that OpenSSL instead of a hand-typed list.
"""

import os
import re
import shlex
import subprocess
import sysconfig

from cffi import FFI

MISSING_HEADERS = """
ssl_bio: the OpenSSL development headers (<openssl/ssl.h>) were not found.

ssl_bio compiles a small C extension against the system's OpenSSL (3.0 or newer).
Install the headers and a C compiler, then build again:

    Debian/Ubuntu:   apt-get install libssl-dev gcc
    Fedora/RHEL:     dnf install openssl-devel gcc
    Alpine:          apk add openssl-dev gcc musl-dev
    macOS (brew):    brew install openssl@3, then
                     CFLAGS=-I$(brew --prefix openssl@3)/include
                     LDFLAGS=-L$(brew --prefix openssl@3)/lib

Compiler output:
{detail}
"""

# ---------------------------------------------------------------------------
# Locating OpenSSL's headers and generating the reason-mnemonic table
# ---------------------------------------------------------------------------


def _compiler_command():
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    return shlex.split(cc)


def _user_flags():
    flags = []
    for var in ("CPPFLAGS", "CFLAGS"):
        flags += shlex.split(os.environ.get(var, ""))
    return flags


def find_openssl_include_dir():
    """Return the directory holding ``openssl/ssl.h`` as the compiler sees it.

    Asking the preprocessor (rather than guessing paths) finds exactly the
    headers the extension will be compiled with, including ``CFLAGS=-I...``.
    Exits with an explanation of what to install when they are missing.
    """
    source = "#include <openssl/ssl.h>\n#include <openssl/opensslv.h>\n"
    cmd = _compiler_command() + ["-E", "-x", "c", "-"] + _user_flags()
    try:
        proc = subprocess.run(cmd, input=source, capture_output=True, text=True)
    except OSError as exc:
        raise SystemExit(MISSING_HEADERS.format(detail=f"{cmd[0]}: {exc}")) from None
    if proc.returncode != 0:
        raise SystemExit(MISSING_HEADERS.format(detail=proc.stderr.strip()))
    for match in re.finditer(r'^# \d+ "([^"]*openssl[/\\]ssl\.h)"', proc.stdout, re.M):
        return os.path.dirname(os.path.dirname(match.group(1)))
    raise SystemExit(MISSING_HEADERS.format(detail="could not locate openssl/ssl.h"))


_LIB_RE = re.compile(r"^\s*#\s*define\s+ERR_LIB_([A-Z0-9_]+)\s+\d+", re.M)
_REASON_RE = re.compile(r"^\s*#\s*define\s+([A-Z0-9_]+?)_R_([A-Z0-9_]+)\s+", re.M)


def generate_error_tables(include_dir):
    """C source for the library-name and reason-mnemonic tables.

    Each entry names the OpenSSL macros themselves (``{ERR_LIB_SSL, SSL_R_X, "X"}``),
    so the numeric values come from the compiler, and ``#ifdef`` keeps a
    reason that a configuration compiles out from breaking the build.
    """
    header_dir = os.path.join(include_dir, "openssl")
    with open(os.path.join(header_dir, "err.h")) as f:
        libs = sorted(set(_LIB_RE.findall(f.read())))
    reasons = []
    # Every <openssl/*err.h>, so that each #ifdef below sees its header.
    lines = []
    for name in sorted(os.listdir(header_dir)):
        if not name.endswith("err.h"):
            continue
        lines.append(f"#include <openssl/{name}>")
        with open(os.path.join(header_dir, name), errors="replace") as f:
            text = f.read()
        for prefix, reason in _REASON_RE.findall(text):
            if prefix in libs:
                reasons.append((prefix, reason))
    lines.append("const struct ssl_bio_name_entry ssl_bio_lib_table[] = {")
    for lib in libs:
        lines.append(f'  {{ERR_LIB_{lib}, 0, "{lib}"}},')
    lines.append("  {0, 0, NULL}\n};")
    lines.append("const struct ssl_bio_name_entry ssl_bio_reason_table[] = {")
    for prefix, reason in sorted(set(reasons)):
        macro = f"{prefix}_R_{reason}"
        lines.append(f"#ifdef {macro}")
        lines.append(f'  {{ERR_LIB_{prefix}, {macro}, "{reason}"}},')
        lines.append("#endif")
    lines.append("  {0, 0, NULL}\n};")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# The cdef (csrc/cdef/*.cdef) and the C (csrc/*.c, csrc/ssl_bio.h)
# ---------------------------------------------------------------------------

HERE = os.path.dirname(os.path.abspath(__file__))
C_DIR = os.path.join(HERE, "csrc")
# One file per OpenSSL header, as pyca/cryptography's old _cffi_src; types
# first, ssl_bio's own helpers and callbacks last.
CDEF_FILES = [
    "types",
    "crypto",
    "rand",
    "err",
    "bio",
    "objects",
    "asn1",
    "x509",
    "x509_vfy",
    "x509v3",
    "evp",
    "pem",
    "pkcs12",
    "ssl",
    "compat",
    "ssl_bio",
]
C_SOURCES = ["io.c", "context_lock.c", "ssl.c", "compat.c", "x509.c", "accel.c"]
# -Wconversion also checks the cdef: cffi's generated wrappers convert each
# declared type to the real one, so a declaration narrower than OpenSSL's
# (an int for a long macro) warns.  SSL_BIO_WERROR=1 (CI) makes them errors.
WARNINGS = ["-Wall", "-Wextra", "-Wconversion"]


def read_cdef():
    """The cdef: every csrc/cdef/*.cdef file, in CDEF_FILES order."""
    parts = []
    for name in CDEF_FILES:
        with open(os.path.join(C_DIR, "cdef", name + ".cdef")) as f:
            parts.append(f.read())
    return "\n".join(parts)


def compile_args():
    """The warning flags, and -Werror when SSL_BIO_WERROR=1."""
    if os.environ.get("SSL_BIO_WERROR") == "1":
        return WARNINGS + ["-Werror"]
    return list(WARNINGS)


def _relative(path):
    # setuptools wants sources relative to the directory it builds in.
    return os.path.relpath(path)


def build_ffi():
    include_dir = find_openssl_include_dir()
    builder = FFI()
    builder.cdef(read_cdef())
    builder.set_source(
        "ssl_bio._openssl",
        '#include "ssl_bio.h"\n' + generate_error_tables(include_dir),
        sources=[_relative(os.path.join(C_DIR, name)) for name in C_SOURCES],
        include_dirs=[_relative(C_DIR)],
        depends=[_relative(path) for path in _c_inputs()],
        libraries=["ssl", "crypto"],
        extra_compile_args=compile_args(),
        # csrc/accel.c, the CPython accelerator, uses the full C API
        # (METH_FASTCALL, the buffer protocol): one build per Python version,
        # as the wheels are anyway (docs/internals.md, "The accelerator").
        py_limited_api=False,
    )
    return builder


def _c_inputs():
    """Every file the extension is built from, so that a change rebuilds it."""
    paths = [os.path.join(C_DIR, "ssl_bio.h"), os.path.join(C_DIR, "compat.h")]
    paths += [os.path.join(C_DIR, name) for name in C_SOURCES]
    paths += [os.path.join(C_DIR, "cdef", name + ".cdef") for name in CDEF_FILES]
    return paths


ffibuilder = build_ffi()

if __name__ == "__main__":
    # Build in place for development: python build_ffi.py
    ffibuilder.compile(tmpdir=HERE, verbose=True)
