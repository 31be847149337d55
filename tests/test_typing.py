"""The package's type information, as mypy sees it from user code."""

import platform
import re
import subprocess
import sys
from pathlib import Path

import pytest

if platform.python_implementation() == "PyPy":
    pytest.skip(
        "mypy does not run on PyPy (its current releases import librt, which has no PyPy "
        "build); the type information is the same for every interpreter and checked on CPython",
        allow_module_level=True,
    )

ROOT = Path(__file__).resolve().parent.parent
TYPING = Path(__file__).resolve().parent / "typing"


def mypy(path):
    # From the checkout root, mypy reads ssl_bio's sources and its py.typed;
    # --follow-imports=silent reports only what the usage file does wrong.
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent"]
        + ["--no-incremental", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


NO_SOURCES = pytest.mark.skipif(
    not (ROOT / "ssl_bio" / "_openssl.pyi").is_file(),
    reason="mypy reads ssl_bio's sources and stubs from a checkout or sdist beside these tests",
)


@NO_SOURCES
def test_typed_usage_is_accepted():
    result = mypy(TYPING / "accepted.py")
    assert result.returncode == 0, result.stdout + result.stderr


@NO_SOURCES
def test_misuse_is_rejected_line_by_line():
    source = (TYPING / "rejected.py").read_text().splitlines()
    expected = {number for number, line in enumerate(source, 1) if line.endswith("# E")}
    result = mypy(TYPING / "rejected.py")
    reported = {
        int(match.group(1)) for match in re.finditer(r"rejected\.py:(\d+): error", result.stdout)
    }
    assert reported == expected, result.stdout
