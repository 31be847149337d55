"""Object lifetimes: whatever is dropped or misused, a clear result, never a crash.

Each OpenSSL object is owned by exactly one Python object (ffi.gc) and OpenSSL
holds its own references where it shares them (SSL_CTX by the SSL, BIOs by the
SSL), so dropping Python objects in any order is safe.
"""

import gc
import platform
import weakref

import pytest

import ssl_bio
from conftest import (
    Pair,
    assert_same_as_stdlib,
    client_context,
    describe_error,
    outcome,
    server_context,
)
from versions import AFTER_A_FAILED_HANDSHAKE


def collect():
    for _ in range(3):
        gc.collect()


def test_contexts_dropped_while_objects_live(certs):
    pair = Pair(ssl_bio, client_context(ssl_bio, certs), server_context(ssl_bio, certs))
    collect()  # the only references to both contexts are the objects'
    pair.handshake()
    assert pair.send(pair.client, pair.server, b"after the contexts went") == (
        b"after the contexts went"
    )
    assert pair.client.context.protocol == ssl_bio.PROTOCOL_TLS_CLIENT


def test_bios_dropped_while_the_object_lives(certs):
    ctx = client_context(ssl_bio, certs)
    obj = ctx.wrap_bio(ssl_bio.MemoryBIO(), ssl_bio.MemoryBIO(), server_hostname="localhost")
    collect()  # nobody can feed or drain the BIOs any more; OpenSSL still holds them
    for _ in range(3):
        with pytest.raises(ssl_bio.SSLWantReadError):
            obj.do_handshake()
    del obj
    collect()


def test_object_dropped_while_bios_live(make_pair):
    pair = make_pair(ssl_bio)
    pair.handshake()
    pair.client.write(b"in flight")
    pair.c_in.read()  # session tickets
    del pair.client, pair.server
    collect()
    assert pair.c_out.pending > 0
    assert pair.c_out.read() and pair.c_out.pending == 0
    pair.c_in.write(b"still a working BIO")
    assert pair.c_in.read() == b"still a working BIO"


def test_one_memory_bio_shared_by_two_objects(certs):
    def scenario(mod):
        shared_out = mod.MemoryBIO()
        ctx = client_context(mod, certs)
        first = ctx.wrap_bio(mod.MemoryBIO(), shared_out, server_hostname="localhost")
        second = ctx.wrap_bio(mod.MemoryBIO(), shared_out, server_hostname="localhost")
        results = [outcome(first.do_handshake), outcome(second.do_handshake)]
        both_hellos = shared_out.read()
        # The two ClientHellos, one after the other, go to one server.
        server = server_context(mod, certs).wrap_bio(
            incoming := mod.MemoryBIO(), mod.MemoryBIO(), server_side=True
        )
        incoming.write(both_hellos)
        results.append(outcome(server.do_handshake))
        results.append(outcome(server.do_handshake))
        return results, both_hellos[:3]

    # 3.12 and older report a failed object's next call as SSLSyscallError.
    results, head = assert_same_as_stdlib(scenario, since=(3, 13), openssl_state=True)
    assert head == b"\x16\x03\x01"


def test_one_bio_as_both_directions(certs):
    def scenario(mod):
        bio = mod.MemoryBIO()
        obj = client_context(mod, certs).wrap_bio(bio, bio, server_hostname="localhost")
        # The ClientHello lands in the BIO the object reads: it reads it back.
        return [outcome(obj.do_handshake) for _ in range(3)]

    results = assert_same_as_stdlib(scenario, since=(3, 13), openssl_state=True)
    assert results[0][1][3] == "UNEXPECTED_MESSAGE"


@pytest.mark.parametrize("call", ["do_handshake", "read", "write", "unwrap", "getpeercert"])
def test_object_used_after_failed_handshake(certs, other_ca_certs, call):
    def scenario(mod):
        pair = Pair(mod, client_context(mod, other_ca_certs), server_context(mod, certs))
        results = []
        for _ in range(3):
            results.append(outcome(pair.client.do_handshake))
            outcome(pair.server.do_handshake)
            pair.pump()
        args = (b"x",) if call == "write" else ()
        results.append(outcome(getattr(pair.client, call), *args))
        results.append(outcome(getattr(pair.client, call), *args))
        return results

    results = assert_same_as_stdlib(scenario, since=(3, 13), openssl_state=True)
    assert results[-3][1][0] == "SSLCertVerificationError"
    if call in ("do_handshake", "read", "write"):
        assert results[-1][1][0] == AFTER_A_FAILED_HANDSHAKE


def test_unwrap_twice_and_io_after_unwrap(make_pair):
    def scenario(mod):
        pair = make_pair(mod)
        pair.handshake()
        results = [outcome(pair.client.unwrap)]
        pair.pump()
        results.append(outcome(pair.server.unwrap))
        pair.pump()
        for obj in (pair.client, pair.server):
            results.append(outcome(obj.unwrap))
            results.append(outcome(obj.unwrap))
            results.append(outcome(obj.read))
            results.append(outcome(obj.write, b"after close"))
            results.append(outcome(obj.do_handshake))
            results.append(outcome(obj.pending))
        return results

    results = assert_same_as_stdlib(scenario)
    assert results[0][1][0] == "SSLWantReadError"


def test_context_switch_to_a_dropped_context(certs):
    pair = Pair(ssl_bio, client_context(ssl_bio, certs), server_context(ssl_bio, certs))
    pair.server.context = server_context(ssl_bio, certs)  # only the object holds it
    collect()
    pair.handshake()
    assert pair.send(pair.server, pair.client, b"ok") == b"ok"


def test_wrong_context_type_is_refused():
    def scenario(mod):
        ctx = mod.SSLContext(mod.PROTOCOL_TLS_SERVER)
        obj = ctx.wrap_bio(mod.MemoryBIO(), mod.MemoryBIO(), server_side=True)
        results = []
        for value in (None, "ctx", ssl_bio.SSLContext if mod is not ssl_bio else object()):
            try:
                obj.context = value
                results.append("accepted")
            except Exception as exc:  # noqa: BLE001 - compared
                results.append(describe_error(exc))
        return results

    assert_same_as_stdlib(scenario)


def _rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def test_wrap_bio_failing_partway_frees_what_it_made(certs, monkeypatch):
    """A wrap_bio() that fails after SSL_new -- here the outgoing BIO cannot be
    made, after the incoming foreign one was -- frees the SSL and that BIO:
    10,000 failures leaked ~80 MiB when the SSL was owned only at the end."""
    import ssl

    import ssl_bio._object

    make_endpoint = ssl_bio._object.bio_endpoint

    def outgoing_fails(bio, argument, *rest):
        if argument == "outgoing":
            raise MemoryError("no BIO for you")
        return make_endpoint(bio, argument, *rest)

    monkeypatch.setattr(ssl_bio._object, "bio_endpoint", outgoing_fails)
    ctx = client_context(ssl_bio, certs)

    def fail(times):
        for _ in range(times):
            with pytest.raises(MemoryError, match="no BIO for you"):
                ctx.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="localhost")
        collect()

    fail(2000)  # allocator and GC warm-up
    before = _rss_mib()
    fail(10000)
    assert _rss_mib() - before < 20


@pytest.mark.skipif(
    platform.python_implementation() != "CPython",
    reason="reference counting frees at once only on CPython; PyPy's GC frees everything",
)
def test_objects_are_freed_without_the_cyclic_gc(make_pair, certs):
    """No reference cycles: failed calls (SSLWantReadError on every handshake
    step, a failed verification, a callback's error) leave nothing for the
    cyclic GC, so an SSLObject is freed the moment it is dropped."""

    def sni(sslobj, name, ctx):
        raise LookupError("no such name")

    gc.collect()
    gc.disable()
    try:
        made = []
        pair = make_pair(ssl_bio)
        pair.handshake()
        assert pair.send(pair.client, pair.server, b"x") == b"x"
        with pytest.raises(ssl_bio.SSLWantReadError):
            pair.server.read()
        made += [pair.client, pair.server, pair.c_in, pair.c_out, pair.s_in, pair.s_out]
        failing = Pair(ssl_bio, client_context(ssl_bio, certs), server_context(ssl_bio, certs))
        failing.server.context.sni_callback = sni
        with pytest.raises(ssl_bio.SSLWantReadError):
            failing.client.do_handshake()
        failing.pump()
        with pytest.raises(ssl_bio.SSLError) as info:
            failing.server.do_handshake()
        assert isinstance(info.value.__cause__, LookupError)
        failing.pump()
        with pytest.raises(ssl_bio.SSLError):
            failing.client.do_handshake()  # the alert
        made += [failing.client, failing.server]
        refs = [weakref.ref(obj) for obj in made]
        del pair, failing, made, info
        assert [ref() for ref in refs] == [None] * len(refs)
    finally:
        gc.enable()
