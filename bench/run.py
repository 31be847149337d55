"""ssl_bio's benchmark: memory-BIO TLS costs side by side (run by hand, never in CI).

    python bench/run.py                 # full run, about 10 minutes on CPython
    python bench/run.py --quick         # under a minute
    python bench/run.py --instructions  # instruction counts under callgrind

Implementations, each a row: ssl_bio; ssl_bio driven through the stdlib's
``ssl.MemoryBIO`` objects (``ssl_bio+stdbio``: the path asyncio, Trio and
uvloop take); the stdlib ``ssl`` on the same interpreter; pyOpenSSL in
memory-BIO mode (where it imports) and a C floor (``bench/floor.c``, compiled
here) doing the same work on OpenSSL's own memory BIOs.  W1-W5 are all in
memory, no sockets; same certificates (trustme ECDSA P-256 and RSA-2048), TLS
version and cipher for all; the client verifies the certificate and the host
name.

Workloads:
  W1 bulk       the client writes N MiB in 16 KiB writes, the server reads it all: MB/s
  W2 small      64-byte echo round trips, reading with read(64) and read(16384): round trips/s
  W3 handshake  full handshakes on fresh pairs: TLS 1.3 ECDSA, TLS 1.3 RSA, TLS 1.2 ECDHE-ECDSA
  W4 resume     TLS 1.3 resumptions from a saved session, each checked: handshakes/s
  W5 memory     RSS per live, idle, handshaken pair: bytes
  A1, A2        asyncio streams over loopback: 64-byte echo round trips/s, bulk MB/s each way
  T1, T2        the same through Trio's SSLStream (bench/streams.py); ssl_bio and stdlib only

Every measurement runs in a fresh child process after an unmeasured warm-up
(at least a tenth of the count and WARMUP_SECONDS, so that PyPy's JIT has
compiled the loop: measured, ssl_bio's handshakes reach their steady speed
on PyPy after about 600); implementations are interleaved (each repetition
runs every implementation in turn) and the median of the repetitions is
reported, with its ratio to the C floor (for W5, to the stdlib).  Results go
to bench/RESULTS.md, one section per interpreter.

``--instructions`` counts instructions instead of time, under valgrind's
callgrind: the same binary and input give the same count whatever else the
machine is doing, which wall-clock medians on a shared 2-core machine do not.
Each measurement runs twice with different counts after the same warm-up;
the difference divided by the extra operations is the cost of one operation
without the start-up, the warm-up and the JIT's compilation.  On PyPy the
handshake rows need a longer warm-up than the default, which suits CPython
(handshakes reach their steady speed on PyPy after about 600, above), and
more handshakes per count (PyPy's garbage collector runs every few hundred):

    python bench/run.py --instructions --only handshake13,handshake12,resume13 \
        --impl ssl_bio,c --warmup 1500 --scale 5
"""

import argparse
import datetime
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# (workload, child argument, unit, full count, quick count)
WORKLOADS = [
    ("W1 bulk", "bulk", "MB/s", 256, 16),
    ("W1 bulk, read(n, buffer)", "bulkinto", "MB/s", 256, 16),
    ("W2 small, read(64)", "small64", "round trips/s", 100_000, 10_000),
    ("W2 small, read(16384)", "small16k", "round trips/s", 100_000, 10_000),
    ("W3 TLS 1.3 ECDSA", "handshake13", "handshakes/s", 1000, 100),
    ("W3 TLS 1.3 RSA", "handshake13-rsa", "handshakes/s", 600, 60),
    ("W3 TLS 1.2 ECDHE-ECDSA", "handshake12", "handshakes/s", 1000, 100),
    ("W4 TLS 1.3 resumption", "resume13", "handshakes/s", 1000, 100),
    ("W5 memory per pair", "memory", "bytes", 10_000, 1000),
    ("A1 asyncio echo, 64 B", "asyncio-echo", "round trips/s", 20_000, 2000),
    ("A2 asyncio bulk, each way", "asyncio-bulk", "MB/s", 64, 8),
    ("T1 Trio echo, 64 B", "trio-echo", "round trips/s", 10_000, 1000),
    ("T2 Trio bulk, each way", "trio-bulk", "MB/s", 32, 4),
]
# Over sockets, through a framework: ssl_bio's and the stdlib's contexts only,
# each compared with the stdlib.
STREAM_WORKLOADS = {"asyncio-echo", "asyncio-bulk", "trio-echo", "trio-bulk"}
STREAM_IMPLS = {"ssl_bio", "stdlib"}


def applies(impl, workload):
    """Whether an implementation has a row for a workload."""
    return workload not in STREAM_WORKLOADS or impl in STREAM_IMPLS


TLS12_CIPHER = "ECDHE-ECDSA-AES256-GCM-SHA384"
WARMUP_SECONDS = 3.0

# --instructions: (warm-up, first count, second count) per workload, and what
# one operation is.  W5 (memory) is left out: it counts bytes, not work.
INSTRUCTION_COUNTS = {
    "bulk": ((4, 2, 6), "16 KiB write", 64),  # counts in MiB, 64 writes each
    "bulkinto": ((4, 2, 6), "16 KiB write", 64),
    "small64": ((5000, 1000, 4000), "round trip", 1),
    "small16k": ((5000, 1000, 4000), "round trip", 1),
    "handshake13": ((100, 20, 80), "handshake", 1),
    "handshake13-rsa": ((50, 10, 40), "handshake", 1),
    "handshake12": ((100, 20, 80), "handshake", 1),
    "resume13": ((100, 20, 80), "handshake", 1),
    "asyncio-echo": ((1000, 500, 2500), "round trip", 1),
    "asyncio-bulk": ((2, 1, 3), "64 KiB each way", 16),  # counts in MiB
    "trio-echo": ((1000, 500, 2500), "round trip", 1),
    "trio-bulk": ((2, 1, 3), "64 KiB each way", 16),
}


# --- the Python side of each measurement (runs in a child process) -------------


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class StdlibStyle:
    """ssl_bio and the stdlib: the same code, as a user of either writes it."""

    def __init__(self, mod, cafile, certfile, keyfile, tls12=False, bio_class=None):
        self.mod = mod
        self.bio_class = bio_class or mod.MemoryBIO
        self.client_ctx = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
        self.client_ctx.load_verify_locations(cafile)
        if tls12:
            self.client_ctx.maximum_version = mod.TLSVersion.TLSv1_2
            self.client_ctx.set_ciphers(TLS12_CIPHER)
        self.server_ctx = mod.SSLContext(mod.PROTOCOL_TLS_SERVER)
        self.server_ctx.load_cert_chain(certfile, keyfile)

    def pair(self, session=None):
        mod = self.mod
        c_in, c_out = self.bio_class(), self.bio_class()
        s_in, s_out = self.bio_class(), self.bio_class()
        client = self.client_ctx.wrap_bio(c_in, c_out, server_hostname="localhost", session=session)
        server = self.server_ctx.wrap_bio(s_in, s_out, server_side=True)
        want_read = mod.SSLWantReadError
        client_done = server_done = False
        while not (client_done and server_done):
            if not client_done:
                try:
                    client.do_handshake()
                    client_done = True
                except want_read:
                    pass
            if not server_done:
                try:
                    server.do_handshake()
                    server_done = True
                except want_read:
                    pass
            s_in.write(c_out.read())
            c_in.write(s_out.read())
        return client, server, c_in, c_out, s_in, s_out

    def bulk(self, mib, into=False):
        client, server, c_in, c_out, s_in, s_out = self.pair()
        data = b"x" * 16384
        buffer = bytearray(16384)
        start = time.perf_counter()
        for _ in range(mib * 64):
            client.write(data)
            s_in.write(c_out.read())
            received = 0
            while received < 16384:
                if into:  # as asyncio reads: into a buffer of its own
                    received += server.read(16384, buffer)
                else:
                    received += len(server.read(16384))
        return mib * 64 * 16384 / (time.perf_counter() - start) / 1e6

    def small(self, count, read_size):
        client, server, c_in, c_out, s_in, s_out = self.pair()
        try:
            client.read(16384)  # TLS 1.3 session tickets
        except self.mod.SSLWantReadError:
            pass
        message = b"m" * 64
        start = time.perf_counter()
        for _ in range(count):
            client.write(message)
            s_in.write(c_out.read())
            server.write(server.read(read_size))
            c_in.write(s_out.read())
            if len(client.read(read_size)) != 64:
                raise AssertionError("echo")
        return count / (time.perf_counter() - start)

    def handshakes(self, count):
        start = time.perf_counter()
        for _ in range(count):
            self.pair()  # dropped without unwrap(), as real servers drop them
        return count / (time.perf_counter() - start)

    def resumptions(self, count):
        client = self.pair()[0]
        try:
            client.read(16384)  # process the TLS 1.3 tickets
        except self.mod.SSLWantReadError:
            pass
        session = client.session
        start = time.perf_counter()
        for _ in range(count):
            client = self.pair(session)[0]
            if not client.session_reused:
                raise AssertionError("not resumed")
        return count / (time.perf_counter() - start)

    def memory(self, count):
        before = rss()
        pairs = []
        for _ in range(count):
            pair = self.pair()
            try:
                pair[0].read(16384)
            except self.mod.SSLWantReadError:
                pass
            pairs.append(pair)
        return (rss() - before) / count


class PyOpenSSLStyle:
    """pyOpenSSL's Connection in memory-BIO mode (bio_read/bio_write)."""

    def __init__(self, cafile, certfile, keyfile, tls12=False):
        from OpenSSL import SSL

        self.SSL = SSL
        self.client_ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
        self.client_ctx.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT)
        self.client_ctx.load_verify_locations(cafile)
        self.client_ctx.set_min_proto_version(SSL.TLS1_2_VERSION)
        self.client_ctx.set_cipher_list(CIPHERS)
        if tls12:
            self.client_ctx.set_max_proto_version(SSL.TLS1_2_VERSION)
            self.client_ctx.set_cipher_list(TLS12_CIPHER.encode())
        self.server_ctx = SSL.Context(SSL.TLS_SERVER_METHOD)
        self.server_ctx.use_certificate_chain_file(certfile)
        self.server_ctx.use_privatekey_file(keyfile)
        self.server_ctx.set_cipher_list(CIPHERS)
        self.server_ctx.set_session_id(b"Python")

    def pair(self, session=None):
        SSL = self.SSL
        from OpenSSL._util import lib as _lib  # host name pinning has no public API

        client = SSL.Connection(self.client_ctx, None)
        client.set_connect_state()
        client.set_tlsext_host_name(b"localhost")
        _lib.X509_VERIFY_PARAM_set1_host(_lib.SSL_get0_param(client._ssl), b"localhost", 9)
        if session is not None:
            client.set_session(session)
        server = SSL.Connection(self.server_ctx, None)
        server.set_accept_state()
        client_done = server_done = False
        while not (client_done and server_done):
            if not client_done:
                try:
                    client.do_handshake()
                    client_done = True
                except SSL.WantReadError:
                    pass
            if not server_done:
                try:
                    server.do_handshake()
                    server_done = True
                except SSL.WantReadError:
                    pass
            self.move(client, server)
            self.move(server, client)
        return client, server

    def move(self, source, destination):
        # bio_read allocates a buffer of the size asked for: ask for what one
        # TLS record (plus framing) needs, and loop.
        while True:
            try:
                data = source.bio_read(17 * 1024)
            except self.SSL.WantReadError:
                return
            destination.bio_write(data)

    def recv(self, conn, size):
        try:
            return conn.recv(size)
        except self.SSL.WantReadError:
            return b""

    def bulk(self, mib, into=False):
        client, server = self.pair()
        data = b"x" * 16384
        buffer = bytearray(16384)
        start = time.perf_counter()
        for _ in range(mib * 64):
            client.send(data)
            self.move(client, server)
            received = 0
            while received < 16384:
                if into:
                    try:
                        received += server.recv_into(buffer, 16384)
                    except self.SSL.WantReadError:
                        pass
                else:
                    received += len(self.recv(server, 16384))
        return mib * 64 * 16384 / (time.perf_counter() - start) / 1e6

    def small(self, count, read_size):
        client, server = self.pair()
        self.recv(client, 16384)
        message = b"m" * 64
        start = time.perf_counter()
        for _ in range(count):
            client.send(message)
            self.move(client, server)
            server.send(server.recv(read_size))
            self.move(server, client)
            if len(client.recv(read_size)) != 64:
                raise AssertionError("echo")
        return count / (time.perf_counter() - start)

    def handshakes(self, count):
        start = time.perf_counter()
        for _ in range(count):
            self.pair()
        return count / (time.perf_counter() - start)

    def resumptions(self, count):
        # pyOpenSSL shares the session object and frees a dropped connection
        # without marking it shut down, which makes OpenSSL retire the session:
        # mark each one shut down before dropping it, as its users must.
        from OpenSSL._util import lib as _lib

        done = self.SSL.SENT_SHUTDOWN | self.SSL.RECEIVED_SHUTDOWN
        client = self.pair()[0]
        self.recv(client, 16384)
        session = client.get_session()
        client.set_shutdown(done)
        start = time.perf_counter()
        for _ in range(count):
            client = self.pair(session)[0]
            if not _lib.SSL_session_reused(client._ssl):  # no public API for it
                raise AssertionError("not resumed")
            client.set_shutdown(done)
        return count / (time.perf_counter() - start)

    def memory(self, count):
        before = rss()
        pairs = []
        for _ in range(count):
            pair = self.pair()
            self.recv(pair[0], 16384)
            pairs.append(pair)
        return (rss() - before) / count


CIPHERS = (
    b"@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM"
)


def child(impl, workload, count, warmup, cafile, certfile, keyfile):
    """Run one measurement in this (fresh) process and print the value.

    ``warmup`` is a count of unmeasured operations first, or "auto": a tenth
    of ``count``, repeated until WARMUP_SECONDS have passed.
    """
    tls12 = workload == "handshake12"
    if workload in STREAM_WORKLOADS:
        import streams

        if impl == "ssl_bio":
            import ssl_bio as mod
        else:
            import ssl as mod
        client_ctx, server_ctx = streams.contexts(mod, cafile, certfile, keyfile)
        framework, kind = workload.split("-")
        session = streams.asyncio_run if framework == "asyncio" else streams.trio_run

        def run(n):
            return session(client_ctx, server_ctx, kind, n)

    elif impl == "pyopenssl":
        runner = PyOpenSSLStyle(cafile, certfile, keyfile, tls12)
    elif impl == "ssl_bio+stdbio":
        import ssl

        import ssl_bio

        runner = StdlibStyle(ssl_bio, cafile, certfile, keyfile, tls12, bio_class=ssl.MemoryBIO)
    else:
        if impl == "ssl_bio":
            import ssl_bio as mod
        else:
            import ssl as mod
        runner = StdlibStyle(mod, cafile, certfile, keyfile, tls12)
    if workload in STREAM_WORKLOADS:
        pass  # run is set above
    elif workload == "bulk":
        run = runner.bulk
    elif workload == "bulkinto":

        def run(n):
            return runner.bulk(n, into=True)

    elif workload in ("small64", "small16k"):
        size = 64 if workload == "small64" else 16384

        def run(n):
            return runner.small(n, size)

    elif workload.startswith("handshake"):
        run = runner.handshakes
    elif workload == "resume13":
        run = runner.resumptions
    elif workload == "memory":
        print(runner.memory(count))
        return
    else:
        raise SystemExit(f"unknown workload {workload}")
    if warmup == "auto":
        chunk = max(1, count // (16 if workload.startswith("bulk") else 10))
        started = time.perf_counter()
        run(chunk)
        while time.perf_counter() - started < WARMUP_SECONDS:
            run(chunk)
    elif int(warmup):
        run(int(warmup))
    print(run(count))


# --- the parent: certificates, the C floor, interleaving, the report ---------------


def make_certificates(directory):
    import trustme

    files = {}
    for label, key_type in (("ecdsa", trustme.KeyType.ECDSA), ("rsa", trustme.KeyType.RSA)):
        ca = trustme.CA(key_type=key_type)
        leaf = ca.issue_cert("localhost", key_type=key_type)
        paths = [os.path.join(directory, f"{label}-{name}.pem") for name in ("ca", "chain", "key")]
        ca.cert_pem.write_to_path(paths[0])
        with open(paths[1], "wb") as f:
            for blob in leaf.cert_chain_pems:
                f.write(blob.bytes())
        leaf.private_key_pem.write_to_path(paths[2])
        files[label] = paths
    return files


def build_floor(directory):
    binary = os.path.join(directory, "floor")
    cc = os.environ.get("CC", "cc")
    subprocess.run(
        shlex.split(cc) + ["-O2", "-o", binary, os.path.join(HERE, "floor.c"), "-lssl", "-lcrypto"],
        check=True,
    )
    return binary


def openssl_of(impl):
    """The OpenSSL version an implementation runs on (pyOpenSSL may bring its own)."""
    if impl == "c":
        import ssl_bio

        return ssl_bio.OPENSSL_VERSION  # linked by build_floor() as ssl_bio is
    if impl == "pyopenssl":
        code = "from OpenSSL import SSL; print(SSL.SSLeay_version(SSL.SSLEAY_VERSION).decode())"
    else:
        module = "ssl" if impl == "stdlib" else "ssl_bio"
        code = f"import {module}; print({module}.OPENSSL_VERSION)"
    # From bench/, so that a checkout's uncompiled ssl_bio/ is not the one imported.
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=HERE)
    return result.stdout.strip() or "?"


def available_implementations(requested):
    found = []
    for impl in requested:
        if impl == "pyopenssl":
            try:
                import OpenSSL.SSL  # noqa: F401
            except ImportError:
                print("pyOpenSSL does not import here: its row is left out", file=sys.stderr)
                continue
        found.append(impl)
    return found


def command_for(impl, workload, count, warmup, certs, floor):
    key = "rsa" if workload.endswith("-rsa") else "ecdsa"
    workload = workload.replace("-rsa", "")
    files = certs[key]
    if impl == "c":
        return [floor, workload, str(count)] + files
    return [sys.executable, __file__, "--child", impl, workload, str(count), str(warmup)] + files


def measure(impl, workload, count, certs, floor):
    command = command_for(impl, workload, count, "auto", certs, floor)
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"{impl} {workload} failed:\n{result.stderr[-2000:]}", file=sys.stderr)
        return float("nan")
    return float(result.stdout.split()[0])


def count_instructions(impl, workload, certs, floor, warmup=None, scale=1):
    """Instructions per operation under callgrind (see the module docstring).

    ``warmup`` replaces the workload's own count of unmeasured operations and
    ``scale`` multiplies the two counts (``--warmup``, ``--scale``: PyPy needs
    more of both for its handshakes; module docstring).
    """
    (default_warmup, first, second), _, per_count = INSTRUCTION_COUNTS[workload]
    warmup = default_warmup if warmup is None else warmup
    first, second = first * scale, second * scale
    totals = []
    for count in (first, second):
        if impl == "c":  # the C floor has no JIT to warm up
            command = command_for(impl, workload, count, 0, certs, floor)
        else:
            command = command_for(impl, workload, count, warmup, certs, floor)
        result = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + command,
            capture_output=True,
            text=True,
        )
        found = re.search(r"Collected : (\d+)", result.stderr)
        if result.returncode != 0 or not found:
            print(f"{impl} {workload} failed:\n{result.stderr[-2000:]}", file=sys.stderr)
            return float("nan")
        totals.append(int(found.group(1)))
    return (totals[1] - totals[0]) / ((second - first) * per_count)


def format_value(value, unit):
    if value != value:  # NaN: the measurement failed
        return "failed"
    if unit == "instructions":
        return f"{value / 1000:,.1f}k"
    if unit == "bytes":
        return f"{value / 1024:,.1f} KiB"
    if unit == "MB/s":
        return f"{value:,.0f}"
    return f"{value:,.0f}"


def interpreter_label():
    impl = platform.python_implementation()
    version = platform.python_version()
    if impl == "PyPy":
        pypy = ".".join(map(str, sys.pypy_version_info[:3]))
        return f"PyPy {pypy} (Python {version})"
    from ssl_bio import _accel

    # SSL_BIO_ACCELERATOR=0 (inherited by every child) measures the cffi path.
    return f"CPython {version}" + ("" if _accel.ENABLED else ", accelerator off")


def write_results(path, label, section):
    """Replace this interpreter's section of RESULTS.md, keeping the others."""
    header = (
        "# ssl_bio benchmark results\n\n"
        "Written by `bench/run.py`; one section per interpreter. The analysis below is\n"
        "written by hand and kept by the runner.\n"
    )
    sections = {}
    if os.path.exists(path):
        text = open(path).read()
        for chunk in text.split("\n## ")[1:]:
            title = chunk.split("\n", 1)[0]
            sections[title] = "## " + chunk.rstrip() + "\n"
    sections[label] = section
    with open(path, "w") as f:
        f.write(header)
        for title in sorted(sections):
            f.write("\n" + sections[title])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts, one repetition")
    parser.add_argument("--repeat", type=int, help="repetitions (default 3, or 1 with --quick)")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions per operation under callgrind (default --impl ssl_bio,stdlib,c)",
    )
    parser.add_argument("--impl", help="default ssl_bio,stdlib,pyopenssl,c")
    parser.add_argument("--only", help="comma-separated workload names (bulk, small64, ...)")
    parser.add_argument(
        "--warmup",
        type=int,
        help="with --instructions: unmeasured operations before each count (default per workload)",
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=1,
        help="with --instructions: multiply both counts (steadier on PyPy)",
    )
    parser.add_argument("--output", default=os.path.join(HERE, "RESULTS.md"))
    parser.add_argument("--child", nargs=7, metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        impl, workload, count, warmup, cafile, certfile, keyfile = args.child
        child(impl, workload, int(count), warmup, cafile, certfile, keyfile)
        return 0

    # pyOpenSSL brings its own OpenSSL (cryptography's): its instruction
    # counts would compare two OpenSSLs, so --instructions leaves it out.
    default_impls = (
        "ssl_bio,ssl_bio+stdbio,stdlib,c"
        if args.instructions
        else "ssl_bio,ssl_bio+stdbio,stdlib,pyopenssl,c"
    )
    impls = available_implementations((args.impl or default_impls).split(","))
    workloads = [w for w in WORKLOADS if not args.only or w[1] in args.only.split(",")]
    if args.instructions:
        workloads = [w for w in workloads if w[1] in INSTRUCTION_COUNTS]
        repeat = 1
    else:
        repeat = args.repeat or (1 if args.quick else 3)
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="ssl_bio-bench-") as tmp:
        certs = make_certificates(tmp)
        floor = build_floor(tmp) if "c" in impls else None
        results = {}
        for name, workload, unit, full, quick in workloads:
            count = quick if args.quick else full
            for _ in range(repeat):
                for impl in impls:  # interleaved: every implementation, then again
                    if not applies(impl, workload):
                        continue
                    if args.instructions:
                        value = count_instructions(
                            impl, workload, certs, floor, args.warmup, args.scale
                        )
                    else:
                        value = measure(impl, workload, count, certs, floor)
                    results.setdefault((workload, impl), []).append(value)
            medians = {
                impl: statistics.median(results[(workload, impl)])
                for impl in impls
                if applies(impl, workload)
            }
            unit = "instructions" if args.instructions else unit
            cells = "".join(f"{i}={format_value(v, unit):>12} " for i, v in medians.items())
            print(f"{name:26}{cells}", flush=True)
    elapsed = time.time() - started

    import ssl_bio

    label = interpreter_label()
    versions = {impl: openssl_of(impl) for impl in impls}
    others = [f"{impl} on {v}" for impl, v in versions.items() if v != ssl_bio.OPENSSL_VERSION]
    if args.instructions:
        label += ": instructions (callgrind)"
        command = "python bench/run.py --instructions" + "".join(
            f" --{name} {value}"
            for name, value in (
                ("only", args.only),
                ("impl", args.impl),
                ("warmup", args.warmup),
                ("scale", args.scale if args.scale != 1 else None),
            )
            if value is not None
        )
        how = "instructions per operation, callgrind, the difference of two counts"
        ratio_note = (
            "Ratios: the C floor's count over the row's (as for rates, higher is better);"
            " A and T rows: the stdlib's count over the row's."
        )
    else:
        command = "python bench/run.py" + (" --quick" if args.quick else "")
        how = f"{repeat} interleaved repetition(s), medians"
        ratio_note = (
            "Ratios are to the C floor (W5: to the stdlib, lower is better;"
            " A and T rows: to the stdlib)."
        )
    lines = [
        f"## {label}",
        "",
        f"`{command}` on {datetime.date.today()}, {ssl_bio.OPENSSL_VERSION}"
        + (f" ({'; '.join(others)})" if others else "")
        + f", {os.cpu_count()} cores, {how}, {elapsed:.0f} s.",
        ratio_note,
        "",
        "| workload | unit | " + " | ".join(impls) + " |",
        "|---|---|" + "---|" * len(impls),
    ]
    for name, workload, unit, _, _ in workloads:
        medians = {
            impl: statistics.median(results[(workload, impl)])
            for impl in impls
            if applies(impl, workload)
        }
        if args.instructions:
            unit = "instructions per " + INSTRUCTION_COUNTS[workload][1]
        by_stdlib = unit == "bytes" or workload in STREAM_WORKLOADS
        reference = medians.get("stdlib") if by_stdlib else medians.get("c")
        cells = []
        for impl in impls:
            if impl not in medians:
                cells.append("--")
                continue
            value = medians[impl]
            cell = format_value(value, "instructions" if args.instructions else unit)
            if reference and value == value:  # not NaN
                ratio = reference / value if args.instructions else value / reference
                cell += f" ({ratio:.2f})"
            cells.append(cell)
        lines.append(f"| {name} | {unit} | " + " | ".join(cells) + " |")
    section = "\n".join(lines) + "\n"
    write_results(args.output, label, section)
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
