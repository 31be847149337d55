"""A short run of test_memory's connection mix, for valgrind or LeakSanitizer.

    PYTHONMALLOC=malloc valgrind --leak-check=full --show-leak-kinds=definite,indirect \\
        python tests/valgrind_run.py 40

Makes its own trustme certificates, runs N connections (transfers,
resumptions, failed verifications, unwraps), drops everything and collects,
so that whatever valgrind still reports as lost was never freed.
"""

import gc
import os
import pathlib
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import trustme  # noqa: E402
from test_memory import Connections  # noqa: E402

from conftest import CertFiles  # noqa: E402


def main(count):
    ca = trustme.CA()
    with tempfile.TemporaryDirectory() as directory:
        certs = CertFiles(pathlib.Path(directory), ca, ca.issue_cert("localhost"), "server")
        connections = Connections(certs)
        for _ in range(count):
            connections.run_one()
        del connections
    gc.collect()
    print(f"{count} connections")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
