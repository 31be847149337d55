"""The CPython accelerator (ssl_bio/_accel.py, csrc/accel.c).

The whole suite runs with it on (the default on CPython) and off
(``SSL_BIO_ACCELERATOR=0``: tox's ``py311-noaccel``).  Here: where it is on,
that both paths give the same results for the calls it takes over (in two
child processes), and that a call finding a lock held waits for it without
holding the GIL.
"""

import os
import ssl
import subprocess
import sys
import threading
import types

import pytest

import ssl_bio
from conftest import Pair, client_context, describe_error, server_context
from ssl_bio import _accel
from versions import CPYTHON  # free-threaded builds leave it out, as PyPy does (csrc/accel.c)

NO_ACCELERATOR = "the accelerator is CPython-only (not PyPy, not free-threaded): nothing to compare"
ACCELERATED = ("memory_pending", "stdlib_bio_new", "accelerate_memory_bio", "accelerate_sslobject")


def test_on_exactly_on_cpython_unless_turned_off():
    expected = CPYTHON and os.environ.get("SSL_BIO_ACCELERATOR", "1") != "0"
    assert _accel.ENABLED is expected
    for name in ACCELERATED:
        assert (getattr(_accel, name) is not None) is expected, name
    # read and write: C methods (method descriptors) with it, Python functions without.
    for cls in (ssl_bio.MemoryBIO, ssl_bio.SSLObject):
        for name in ("read", "write"):
            method = cls.__dict__[name]
            assert (not isinstance(method, types.FunctionType)) is expected, (cls, name)


@pytest.mark.skipif(not CPYTHON, reason=NO_ACCELERATOR)
@pytest.mark.parametrize("setting, enabled", [("0", False), ("1", True), (None, True)])
def test_the_environment_variable(setting, enabled, tmp_path):
    env = dict(os.environ)
    env.pop("SSL_BIO_ACCELERATOR", None)
    if setting is not None:
        env["SSL_BIO_ACCELERATOR"] = setting
    code = "from ssl_bio import _accel; print(_accel.ENABLED, _accel.stdlib_bio_new is None)"
    # From an empty directory: "-c" puts the working directory first on sys.path,
    # and a checkout's uncompiled ssl_bio/ must not shadow the installed one.
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == [str(enabled), str(not enabled)]


def _outcome(function, *args):
    try:
        result = function(*args)
    except Exception as exc:  # noqa: BLE001 - compared between the two paths
        return describe_error(exc)
    if isinstance(result, (bytes, bytearray)) and len(result) > 64:
        return ("bytes", len(result), bytes(result[:8]), bytes(result[-8:]))
    return repr(result)


def scenario(certfile, keyfile, cafile):
    """Every call the accelerator takes over, with good and bad arguments: a list of outcomes."""

    class Files:
        pass

    certs = Files()
    certs.certfile, certs.keyfile, certs.cafile = certfile, keyfile, cafile
    seen = []
    for bio_class in (ssl_bio.MemoryBIO, ssl.MemoryBIO):
        pair = Pair(
            ssl_bio,
            client_context(ssl_bio, certs),
            server_context(ssl_bio, certs),
            bio_class=bio_class,
        )
        pair.handshake()
        client, server = pair.client, pair.server
        seen.append(_outcome(pair.send, client, server, bytes(range(256)) * 400))
        client.write(b"0123456789" * 3)
        client.write(b"second record")
        pair.pump()
        seen += [_outcome(server.read, 5), _outcome(server.read, 0), _outcome(server.read, -1)]
        seen += [_outcome(server.read, 1.5), _outcome(server.read, 2**70)]
        seen.append(_outcome(server.pending))
        seen.append(pair.s_in.pending)  # the second record, not read yet
        buffer = bytearray(8)
        seen += [_outcome(server.read, 100, buffer), bytes(buffer)]
        view = memoryview(bytearray(100))[10:50]
        seen += [_outcome(server.read, 0, view), bytes(view[:20])]
        seen += [_outcome(server.read, 5, b"read-only"), _outcome(server.read, 5, "str")]
        seen += [_outcome(server.read, 2**70, bytearray(4)), _outcome(server.read, 100)]
        for data in (b"", bytearray(b"ba"), memoryview(b"mv"), "str", 5):
            seen.append(_outcome(client.write, data))
        pair.pump()
        for _ in range(4):  # what is left, then SSLWantReadError
            seen.append(_outcome(server.read, 100))
        pair.unwrap_both()
        seen += [_outcome(server.read, 10), _outcome(client.read, 10, bytearray(4))]
        seen += [_outcome(client.write, b"after close")]

    bio = ssl_bio.MemoryBIO()
    seen += [bio.pending, _outcome(bio.write, b"abcdef"), bio.pending]
    seen += [_outcome(bio.read, 2), _outcome(bio.read, 0), _outcome(bio.read, -1), bio.eof]
    for size in (2**31, -(2**31) - 1, 1.5, True, -(2**31)):
        seen.append(_outcome(bio.read, size))
    for data in (b"", bytearray(b"ba"), memoryview(b"mv"), "str"):
        seen.append(_outcome(bio.write, data))
    bio.write_eof()
    seen += [_outcome(bio.write, b"late"), _outcome(bio.read), bio.eof]
    return seen


def _run_scenario(certs, setting):
    env = dict(os.environ, SSL_BIO_ACCELERATOR=setting)
    args = [sys.executable, __file__, certs.certfile, certs.keyfile, certs.cafile]
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    return proc.stdout.splitlines()


@pytest.mark.skipif(not CPYTHON, reason=NO_ACCELERATOR)
def test_both_paths_give_the_same_results(certs):
    accelerated = _run_scenario(certs, "1")
    plain = _run_scenario(certs, "0")
    assert accelerated == plain
    assert len(accelerated) == 75
    assert sum("PROTOCOL_IS_SHUTDOWN" in line for line in accelerated) == 2  # writes after close


def test_a_call_finding_a_lock_held_waits_without_the_gil(certs):
    """A call that finds a BIO's lock held by a thread stopped inside another
    call (here a message callback) waits for it, letting the other threads
    run: with the GIL held it would deadlock."""
    pair = Pair(ssl_bio, client_context(ssl_bio, certs), server_context(ssl_bio, certs))
    pair.handshake()
    entered, release = threading.Event(), threading.Event()

    def stop_inside(*args):
        entered.set()
        release.wait(60)

    # Another connection whose incoming BIO is the client's outgoing one:
    # its handshake holds that BIO's lock while the callback waits.
    holder = client_context(ssl_bio, certs, _msg_callback=stop_inside).wrap_bio(
        pair.c_out, ssl_bio.MemoryBIO(), server_hostname="localhost"
    )
    blocked = []
    blocker = threading.Thread(target=lambda: blocked.append(_outcome(holder.do_handshake)))
    blocker.start()
    assert entered.wait(60)
    results = []
    callers = [
        threading.Thread(target=lambda: results.append(pair.client.write(b"through"))),
        threading.Thread(target=lambda: results.append(pair.c_out.pending)),
    ]
    for caller in callers:
        caller.start()
    # This thread runs while both callers wait on the lock.
    for caller in callers:
        caller.join(0.3)
        assert caller.is_alive()
    release.set()
    for thread in callers + [blocker]:
        thread.join(60)
        assert not thread.is_alive()
    assert blocked[0][0] == "SSLWantReadError"  # it found nothing to read
    assert 7 in results
    pair.pump()
    assert pair.server.read(100) == b"through"


if __name__ == "__main__":  # the child process of test_both_paths_give_the_same_results
    for line in scenario(*sys.argv[1:4]):
        print(line)
