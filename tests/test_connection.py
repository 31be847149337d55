"""Handshake, data and shutdown through memory BIOs, compared with the stdlib."""

import gc
import hashlib
import os
import ssl

import pytest

import ssl_bio
from conftest import (
    IMPLEMENTATIONS,
    Pair,
    assert_same_as_stdlib,
    client_context,
    describe_error,
    outcome,
    server_context,
)
from versions import REFUSES_UNCHECKABLE_HOST_NAMES

VERSIONS = ["TLSv1_2", "TLSv1_3"]


def pinned(mod, version):
    value = getattr(mod.TLSVersion, version)
    return {"minimum_version": value, "maximum_version": value}


@pytest.mark.parametrize("version", VERSIONS)
def test_handshake_10mib_both_ways_and_unwrap(make_pair, version):
    pair = make_pair(ssl_bio, client_settings=pinned(ssl_bio, version))
    pair.handshake()
    expected = {"TLSv1_2": "TLSv1.2", "TLSv1_3": "TLSv1.3"}[version]
    assert pair.client.version() == pair.server.version() == expected

    upload = os.urandom(10 * 1024 * 1024)
    download = os.urandom(10 * 1024 * 1024)
    for data, sender, receiver in (
        (upload, pair.client, pair.server),
        (download, pair.server, pair.client),
    ):
        received = bytearray()
        for offset in range(0, len(data), 256 * 1024):
            received += pair.send(sender, receiver, data[offset : offset + 256 * 1024])
        assert hashlib.sha256(received).digest() == hashlib.sha256(data).digest()

    # The client closes first: it waits for the server's close_notify.
    with pytest.raises(ssl_bio.SSLWantReadError):
        pair.client.unwrap()
    pair.pump()
    assert pair.server.read() == b""  # the server sees a clean EOF
    assert pair.server.unwrap() is None
    pair.pump()
    assert pair.client.unwrap() is None


def test_unwrap_server_first(make_pair):
    pair = make_pair(ssl_bio)
    pair.handshake()
    with pytest.raises(ssl_bio.SSLWantReadError):
        pair.server.unwrap()
    pair.pump()
    assert pair.client.read() == b""
    assert pair.client.unwrap() is None
    pair.pump()
    assert pair.server.unwrap() is None


def connection_summary(mod, certs, version, alpn_client, alpn_server):
    client = client_context(mod, certs, **pinned(mod, version))
    server = server_context(mod, certs)
    if alpn_client:
        client.set_alpn_protocols(alpn_client)
    if alpn_server:
        server.set_alpn_protocols(alpn_server)
    pair = Pair(mod, client, server)
    before = (
        pair.client.version(),
        pair.client.cipher(),
        pair.client.selected_alpn_protocol(),
        pair.client.compression(),
        pair.client.pending(),
        pair.client.get_channel_binding(),
        pair.client.server_side,
        pair.server.server_side,
        pair.client.server_hostname,
        pair.server.server_hostname,
        outcome(pair.client.getpeercert),
        pair.client.session_reused,
    )
    pair.handshake()
    after = {
        "version": (pair.client.version(), pair.server.version()),
        "cipher": (pair.client.cipher(), pair.server.cipher()),
        "shared": (pair.client.shared_ciphers(), pair.server.shared_ciphers()),
        "alpn": (pair.client.selected_alpn_protocol(), pair.server.selected_alpn_protocol()),
        "compression": (pair.client.compression(), pair.server.compression()),
        "peercert": pair.client.getpeercert(),
        "peercert_der": pair.client.getpeercert(binary_form=True),
        "server_peercert": pair.server.getpeercert(),
        "binding_agrees": pair.client.get_channel_binding() == pair.server.get_channel_binding(),
        "binding_len": len(pair.client.get_channel_binding()),
        "binding_bad": outcome(pair.client.get_channel_binding, "tls-unknown"),
        "context": pair.client.context is client,
    }
    return before, after


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "alpn_client, alpn_server",
    [
        (None, None),
        (["h2", "http/1.1"], ["http/1.1", "h2"]),
        (["h2"], ["spdy/3"]),
        (["h2"], None),
    ],
    ids=["no-alpn", "server-preference", "no-overlap", "server-silent"],
)
def test_connection_matches_stdlib(certs, version, alpn_client, alpn_server):
    # Client-side shared_ciphers() is None since gh-96931 (3.10).
    ours = assert_same_as_stdlib(
        connection_summary, certs, version, alpn_client, alpn_server, since=(3, 10)
    )
    assert ours[1]["shared"][0] is None
    assert ours[1]["peercert"]["subjectAltName"] == (
        ("DNS", "localhost"),
        ("IP Address", "127.0.0.1"),
        ("IP Address", "0:0:0:0:0:0:0:1"),
    )


def test_client_certificate(impl, certs, client_certs):
    client = client_context(impl, certs)
    client.load_cert_chain(client_certs.certfile, client_certs.keyfile)
    server = server_context(impl, certs, verify_mode=impl.CERT_REQUIRED)
    server.load_verify_locations(client_certs.cafile)
    pair = Pair(impl, client, server)
    pair.handshake()
    pair.send(pair.client, pair.server, b"ping")  # TLS 1.3 delivers the verdict late
    subject = dict(rdn[0] for rdn in pair.server.getpeercert()["subject"])
    assert subject["commonName"] == "client"


def test_client_certificate_required_but_absent_matches_stdlib(certs):
    def scenario(mod):
        server = server_context(mod, certs, verify_mode=mod.CERT_REQUIRED)
        server.load_verify_locations(certs.cafile)
        pair = Pair(mod, client_context(mod, certs), server)
        try:
            pair.handshake()
            pair.send(pair.client, pair.server, b"ping")
        except mod.SSLError as exc:
            return ("error", describe_error(exc))
        return ("ok", None)

    assert assert_same_as_stdlib(scenario)[0] == "error"


def test_getpeercert_is_empty_dict_when_not_verifying(make_pair):
    pair = make_pair(ssl_bio)
    pair.handshake()
    assert pair.server.getpeercert() is None  # the client sent none
    # A client that does not verify still receives the certificate.
    client = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
    client.check_hostname = False
    client.verify_mode = ssl_bio.CERT_NONE
    pair = Pair(ssl_bio, client, pair.server.context)
    pair.handshake()
    assert pair.client.getpeercert() == {}
    assert pair.client.getpeercert(binary_form=True)[:1] == b"\x30"


@pytest.mark.parametrize("version", VERSIONS)
def test_session_resumption(certs, version):
    client = client_context(ssl_bio, certs, **pinned(ssl_bio, version))
    server = server_context(ssl_bio, certs)
    first = Pair(ssl_bio, client, server)
    first.handshake()
    # TLS 1.3 tickets arrive after the handshake: read to process them.
    first.send(first.server, first.client, b"x")
    session = first.client.session
    assert isinstance(session, ssl_bio.SSLSession)
    assert session.has_ticket
    assert session.timeout > 0 and session.time > 0
    assert session == first.client.session
    second = Pair(ssl_bio, client, server, session=session)
    assert second.client.session == session
    second.handshake()
    assert second.client.session_reused and second.server.session_reused
    assert second.client.get_channel_binding() == second.server.get_channel_binding()


@pytest.mark.parametrize("version", VERSIONS)
def test_session_outlives_its_connection(certs, version):
    """Resumption still works after the first connection was dropped without unwrap()."""

    def scenario(mod):
        client = client_context(mod, certs, **pinned(mod, version))
        server = server_context(mod, certs)
        first = Pair(mod, client, server)
        first.handshake()
        first.send(first.server, first.client, b"x")
        session = first.client.session
        del first
        gc.collect()
        resumed = []
        for _ in range(3):
            pair = Pair(mod, client, server, session=session)
            pair.handshake()
            resumed.append(pair.client.session_reused)
            del pair
            gc.collect()
        return resumed

    assert assert_same_as_stdlib(scenario) == [True, True, True]


def session_setter_errors(mod, certs):
    client = client_context(mod, certs)
    server = server_context(mod, certs)
    pair = Pair(mod, client, server)
    pair.handshake()
    pair.send(pair.server, pair.client, b"x")
    session = pair.client.session
    fresh = Pair(mod, client_context(mod, certs), server)
    results = [outcome(setattr, fresh.client, "session", "nope")]
    results.append(outcome(setattr, fresh.client, "session", session))
    results.append(outcome(setattr, pair.client, "session", session))
    results.append(outcome(setattr, pair.server, "session", session))
    results.append(outcome(setattr, Pair(mod, client, server).client, "session", session))
    return results


def test_session_setter_checks_match_stdlib(certs):
    results = assert_same_as_stdlib(session_setter_errors, certs)
    assert [result[0] for result in results] == ["error"] * 4 + ["ok"]


def read_variants(mod, make_pair):
    pair = make_pair(mod)
    pair.handshake()
    results = []
    pair.client.write(b"0123456789")
    pair.pump()
    results.append(outcome(pair.server.read, -1))
    results.append(pair.server.read(0))
    results.append(pair.server.read(3))
    results.append(pair.server.pending())
    buf = bytearray(4)
    results.append((pair.server.read(100, buf), bytes(buf)))
    view = memoryview(bytearray(10))
    results.append((pair.server.read(0, view[2:]), bytes(view)))
    results.append(outcome(pair.server.read, 5, b"read-only"))
    results.append(outcome(pair.server.read))
    results.append(pair.client.write(b""))
    results.append(outcome(pair.client.write, "text"))
    return results


def test_read_and_write_arguments_match_stdlib(make_pair):
    # Before bpo-42854 (3.10), write(b'') raised SSLEOFError.
    results = assert_same_as_stdlib(read_variants, make_pair, since=(3, 10))
    assert results[8] == 0  # write(b'')


def test_read_returns_one_record_at_most(make_pair):
    pair = make_pair(ssl_bio)
    pair.handshake()
    pair.client.write(b"a" * 40000)
    pair.pump()
    sizes = []
    while True:
        try:
            sizes.append(len(pair.server.read(100000)))
        except ssl_bio.SSLWantReadError:
            break
    assert sum(sizes) == 40000 and max(sizes) <= 16384


def test_write_before_handshake_starts_it(impl, make_pair):
    pair = make_pair(impl)
    with pytest.raises(impl.SSLWantReadError):
        pair.client.write(b"early")
    assert pair.c_out.pending > 0  # the ClientHello is out


def test_ssl_object_has_no_public_constructor(impl):
    with pytest.raises(TypeError, match="does not have a public constructor"):
        impl.SSLObject()


def test_wrap_bio_role_mismatch_matches_stdlib(certs):
    def scenario(mod):
        client = client_context(mod, certs)
        # (With check_hostname, 3.14 refuses a server-side object for the
        # missing host name first: test_arguments' wrap_bio(server_side).)
        client.check_hostname = False
        server = server_context(mod, certs)
        return [
            outcome(client.wrap_bio, mod.MemoryBIO(), mod.MemoryBIO(), server_side=True),
            outcome(server.wrap_bio, mod.MemoryBIO(), mod.MemoryBIO(), server_side=False),
        ]

    # wrap_bio checks the context's role since 3.10.
    results = assert_same_as_stdlib(scenario, since=(3, 10))
    assert [result[1][0] for result in results] == ["SSLError", "SSLError"]


@pytest.mark.parametrize(
    "hostname",
    ["", "a\0b", b"a\0b", 5, "LOCALHOST", b"localhost", "straße.de", "127.0.0.1", "::1"],
)
def test_server_hostname_handling_matches_stdlib(certs, hostname):
    def scenario(mod):
        ctx = client_context(mod, certs)
        result = outcome(ctx.wrap_bio, mod.MemoryBIO(), mod.MemoryBIO(), server_hostname=hostname)
        if result[0] == "ok":
            return ("ok", result[1].server_hostname)
        return result

    # 3.14 refuses "" for the missing host name first (check_hostname), before
    # _ssl's "cannot be an empty string".
    assert_same_as_stdlib(scenario, since=(3, 14) if hostname == "" else (3, 9))


def test_wrap_bio_rejects_other_objects():
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    with pytest.raises(TypeError, match="incoming"):
        ctx.wrap_bio(object(), ssl_bio.MemoryBIO(), server_side=True)
    with pytest.raises(TypeError, match="outgoing"):
        ctx.wrap_bio(ssl_bio.MemoryBIO(), b"", server_side=True)


def test_client_without_server_hostname_is_refused():
    # As 3.14's stdlib; until 3.13 the stdlib skipped the check silently.
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
    with pytest.raises(ValueError, match="check_hostname requires server_hostname"):
        ctx.wrap_bio(ssl_bio.MemoryBIO(), ssl_bio.MemoryBIO())
    ctx.check_hostname = False
    obj = ctx.wrap_bio(ssl_bio.MemoryBIO(), ssl_bio.MemoryBIO())
    assert obj.server_hostname is None


def test_one_bio_for_both_directions_is_not_freed_twice():
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    bio = ssl_bio.MemoryBIO()
    for _ in range(100):
        ctx.wrap_bio(bio, bio, server_side=True)
    bio.write(b"still alive")
    assert bio.read() == b"still alive"


def test_objects_outlive_their_bios_and_context(certs):
    pair = Pair(ssl_bio, client_context(ssl_bio, certs), server_context(ssl_bio, certs))
    client = pair.client
    c_in, c_out = pair.c_in, pair.c_out
    del pair
    with pytest.raises(ssl_bio.SSLWantReadError):
        client.do_handshake()
    assert c_out.pending > 0
    del c_in, c_out
    import gc

    gc.collect()
    with pytest.raises(ssl_bio.SSLWantReadError):
        client.do_handshake()


@pytest.mark.parametrize("name", sorted(IMPLEMENTATIONS))
def test_context_switch(certs, other_ca_certs, name):
    mod = IMPLEMENTATIONS[name]
    pair = Pair(mod, client_context(mod, certs), server_context(mod, certs))
    other = server_context(mod, other_ca_certs)
    pair.server.context = other
    assert pair.server.context is other
    with pytest.raises(TypeError):
        pair.server.context = "not a context"
    # The client no longer trusts the server's (switched) certificate.
    with pytest.raises(ssl.SSLCertVerificationError):
        pair.handshake()


def test_buffers_are_released_after_each_call(make_pair):
    """No buffer export outlives a call, so a bytearray can be resized (PyPy too)."""
    pair = make_pair(ssl_bio)
    pair.handshake()
    data = bytearray(b"resizable")
    pair.client.write(data)
    pair.c_in.write(data)
    data.extend(b" and resized")
    pair.pump()
    target = bytearray(100)
    count = pair.server.read(100, target)
    del target[count:]
    assert target == b"resizable"


@pytest.mark.parametrize(
    "buffer",
    [memoryview(bytearray(20))[::2], memoryview(bytearray(8)).toreadonly(), b"12345678", "text"],
    ids=["non-contiguous", "read-only-view", "bytes", "str"],
)
def test_read_into_unusable_buffer_is_a_type_error(make_pair, buffer):
    pair = make_pair(ssl_bio)
    pair.handshake()
    pair.client.write(b"data")
    pair.pump()
    with pytest.raises(TypeError, match="read-write bytes-like object"):
        pair.server.read(4, buffer)
    assert pair.server.read(4) == b"data"  # nothing was consumed


@pytest.mark.parametrize("hostname", ["x", "example.com."])
def test_a_host_name_openssl_refuses_is_named(hostname):
    """OpenSSL 4.0 refuses these with an empty error queue: the message says what, not "unknown"."""
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
    result = outcome(
        ctx.wrap_bio, ssl_bio.MemoryBIO(), ssl_bio.MemoryBIO(), server_hostname=hostname
    )
    if not REFUSES_UNCHECKABLE_HOST_NAMES:
        assert result[0] == "ok"
        return
    assert result[1][0] == "SSLError"
    assert f"server_hostname {hostname!r}" in result[1][-1]
    assert "unknown error" not in result[1][-1]
