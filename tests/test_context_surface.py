"""The rest of SSLContext: the CA store, session counters, ciphers, curves, DH,
tickets, security level, post-handshake auth and the debugging settings.

Each scenario runs on ssl_bio and the stdlib and must agree (results,
exception classes and messages, without the ``(_ssl.c:N)`` location).
"""

import shutil
import ssl
import subprocess

import pytest

import ssl_bio
from conftest import (
    Pair,
    assert_same_as_stdlib,
    client_context,
    outcome,
    server_context,
    stdlib_is_reference,
)


@pytest.fixture(scope="module")
def dh_params(tmp_path_factory):
    """RFC 7919 ffdhe2048 as a PEM 'DH PARAMETERS' file (no prime search: instant)."""
    if shutil.which("openssl") is None:
        pytest.fail("the openssl command is needed (.ci/run installs it)")
    path = tmp_path_factory.mktemp("dh") / "ffdhe2048.pem"
    subprocess.run(
        ["openssl", "genpkey", "-genparam", "-algorithm", "DH"]
        + ["-pkeyopt", "group:ffdhe2048", "-out", str(path)],
        check=True,
    )
    return str(path)


def test_ca_store_views_match_stdlib(certs, client_certs, other_ca_certs):
    def scenario(mod):
        ctx = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
        empty = (ctx.get_ca_certs(), ctx.cert_store_stats())
        ctx.load_verify_locations(certs.cafile)
        ctx.load_verify_locations(other_ca_certs.cafile)
        # A leaf certificate is counted but is not a CA.
        ctx.load_verify_locations(cadata=client_certs.leaf.cert_chain_pems[0].bytes().decode())
        return (
            empty,
            ctx.cert_store_stats(),
            ctx.get_ca_certs(),
            ctx.get_ca_certs(True),
            ctx.get_ca_certs(binary_form=[]),  # any truth value, as the stdlib
        )

    empty, stats, dicts, ders, falsy = assert_same_as_stdlib(scenario)
    assert empty == ([], {"x509": 0, "crl": 0, "x509_ca": 0})
    assert stats == {"x509": 3, "crl": 0, "x509_ca": 2}
    assert len(dicts) == len(ders) == 2 and falsy == dicts
    assert {ssl_bio.DER_cert_to_PEM_cert(der) for der in ders} == {
        open(certs.cafile).read(),
        open(other_ca_certs.cafile).read(),
    }


def test_session_stats_count_like_stdlib(certs):
    def scenario(mod):
        client_ctx = client_context(mod, certs, maximum_version=mod.TLSVersion.TLSv1_2)
        server_ctx = server_context(mod, certs)
        before = (client_ctx.session_stats(), server_ctx.session_stats())
        first = Pair(mod, client_ctx, server_ctx)
        first.handshake()
        resumed = Pair(mod, client_ctx, server_ctx, session=first.client.session)
        resumed.handshake()
        return before, client_ctx.session_stats(), server_ctx.session_stats()

    before, client, server = assert_same_as_stdlib(scenario)
    assert list(before[0]) == [
        "number",
        "connect",
        "connect_good",
        "connect_renegotiate",
        "accept",
        "accept_good",
        "accept_renegotiate",
        "hits",
        "misses",
        "timeouts",
        "cache_full",
    ]
    assert client["connect_good"] == 2 and server["accept_good"] == 2 and server["hits"] == 1


@pytest.mark.parametrize(
    "protocol, ciphers",
    [
        ("PROTOCOL_TLS_CLIENT", None),
        ("PROTOCOL_TLS_SERVER", None),
        ("PROTOCOL_TLS_CLIENT", "ECDHE-ECDSA-AES128-GCM-SHA256:AES256-SHA"),
        ("PROTOCOL_TLS_SERVER", "ECDHE+CHACHA20"),
    ],
)
def test_get_ciphers_matches_stdlib(protocol, ciphers):
    def scenario(mod):
        ctx = mod.SSLContext(getattr(mod, protocol))
        if ciphers:
            ctx.set_ciphers(ciphers)
        return ctx.get_ciphers()

    # The stdlib is the oracle from there on (3.9: another default cipher string).
    result = assert_same_as_stdlib(scenario, since=(3, 10))
    assert result and all(len(entry) == 11 for entry in result)


@pytest.mark.parametrize(
    "name", ["prime256v1", b"secp384r1", "X25519", "foo", "sha256", "RSA", 1, "a\0b", None]
)
def test_set_ecdh_curve_matches_stdlib(name):
    def scenario(mod):
        return outcome(mod.SSLContext(mod.PROTOCOL_TLS_SERVER).set_ecdh_curve, name)

    if name == "RSA":
        # A name OpenSSL knows but cannot use queues no reason: the stdlib says
        # "unknown error" (3.14: "unknown error (0x0)"), ssl_bio names the
        # argument (docs/differences.md).  Class and errno as the stdlib's.
        result = scenario(ssl_bio)
        assert result[1][:2] == ("SSLError", 0)
        assert "'RSA' is not an elliptic curve" in result[1][-1]
        if stdlib_is_reference(since=(3, 11)):
            assert scenario(ssl)[1][:2] == result[1][:2]
        return
    # The stdlib is the oracle from there on (3.10: the EC_KEY calls, other errors).
    assert_same_as_stdlib(scenario, since=(3, 11))


def test_set_ecdh_curve_decides_the_key_exchange(certs):
    def scenario(mod):
        server_ctx = server_context(mod, certs)
        server_ctx.set_ecdh_curve("secp384r1")
        client_ctx = client_context(mod, certs, maximum_version=mod.TLSVersion.TLSv1_2)
        pair = Pair(mod, client_ctx, server_ctx)
        pair.handshake()
        return pair.client.cipher()

    assert assert_same_as_stdlib(scenario)[0].startswith("ECDHE-")


def test_load_dh_params_matches_stdlib(dh_params, certs, tmp_path):
    empty = tmp_path / "empty.pem"
    empty.write_bytes(b"")

    def scenario(mod):
        ctx = mod.SSLContext(mod.PROTOCOL_TLS_SERVER)
        results = [
            outcome(ctx.load_dh_params, path)
            for path in (dh_params, str(empty), certs.cafile, str(tmp_path / "missing"))
        ]
        results += [outcome(ctx.load_dh_params, bad) for bad in (1, None, "a\0b", str(tmp_path))]
        return results

    results = assert_same_as_stdlib(scenario)
    assert results[0] == ("ok", None)


def test_dh_params_give_a_dhe_handshake(dh_params, certs):
    def scenario(mod):
        server_ctx = server_context(mod, certs)
        server_ctx.load_dh_params(dh_params)
        server_ctx.set_ciphers("DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384")
        client_ctx = client_context(mod, certs, maximum_version=mod.TLSVersion.TLSv1_2)
        pair = Pair(mod, client_ctx, server_ctx)
        return outcome(pair.handshake), pair.client.cipher()

    # trustme's key is ECDSA: a DHE-RSA cipher cannot be chosen either way.
    assert assert_same_as_stdlib(scenario)[0][0] == "error"


@pytest.mark.parametrize("value", [0, 1, 5, -1, "x", 2.0, 2**64, True, None])
def test_num_tickets_matches_stdlib(value):
    def scenario(mod):
        results = []
        for protocol in (mod.PROTOCOL_TLS_SERVER, mod.PROTOCOL_TLS_CLIENT):
            ctx = mod.SSLContext(protocol)
            results.append((outcome(setattr, ctx, "num_tickets", value), ctx.num_tickets))
        return results

    # The stdlib is the oracle from there on (3.9: other TypeError messages).
    assert_same_as_stdlib(scenario, since=(3, 10))


def test_num_tickets_is_what_the_server_sends(certs):
    def scenario(mod):
        counts = []
        for tickets in (0, 1, 3):
            server_ctx = server_context(mod, certs, num_tickets=tickets)
            seen = []

            def trace(conn, direction, version, content_type, msg_type, data, seen=seen):
                seen.append((direction, msg_type))

            client_ctx = client_context(mod, certs)
            client_ctx._msg_callback = trace
            pair = Pair(mod, client_ctx, server_ctx)
            pair.handshake()
            pair.send(pair.server, pair.client, b"x")
            counts.append(seen.count(("read", mod._TLSMessageType.NEWSESSION_TICKET)))
        return counts

    assert assert_same_as_stdlib(scenario) == [0, 1, 3]


def test_security_level_follows_the_cipher_string():
    def scenario(mod):
        ctx = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
        levels = [ctx.security_level]
        for ciphers in ("DEFAULT:@SECLEVEL=1", "DEFAULT:@SECLEVEL=3"):
            ctx.set_ciphers(ciphers)
            levels.append(ctx.security_level)
        return levels, outcome(setattr, ctx, "security_level", 1)[0]

    # The stdlib is the oracle from there on (3.9: another default cipher string).
    assert assert_same_as_stdlib(scenario, since=(3, 10)) == ([2, 1, 3], "error")


@pytest.mark.parametrize("value", [True, False, 1, 0, "x", "", None])
def test_post_handshake_auth_setting_matches_stdlib(value):
    def scenario(mod):
        ctx = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
        default = ctx.post_handshake_auth
        ctx.post_handshake_auth = value
        return default, ctx.post_handshake_auth, outcome(delattr, ctx, "post_handshake_auth")

    assert_same_as_stdlib(scenario)


def test_keylog_filename_setting_matches_stdlib(tmp_path):
    def scenario(mod):
        path = tmp_path / f"{mod.__name__}.log"
        ctx = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
        results = [ctx.keylog_filename]
        ctx.keylog_filename = str(path)
        results.append(ctx.keylog_filename == str(path))
        ctx.keylog_filename = path  # the object itself is kept, as the stdlib
        results.append(ctx.keylog_filename is path)
        ctx.keylog_filename = None
        results.append(ctx.keylog_filename)
        for bad in (1, str(tmp_path), "a\0b"):
            results.append(outcome(setattr, ctx, "keylog_filename", bad))
            results.append(ctx.keylog_filename)
        # One header, however often the file is opened.
        results.append(path.read_text())
        return results

    results = assert_same_as_stdlib(scenario)
    assert results[-1] == "# TLS secrets log file, generated by OpenSSL / Python\n"


def test_keylog_filename_cannot_be_deleted():
    # The stdlib crashes on `del ctx.keylog_filename` (3.13); 3.14 refuses, as ssl_bio.
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
    with pytest.raises(
        AttributeError, match="keylog_filename' of 'SSLContext' objects cannot be deleted"
    ):
        del ctx.keylog_filename


def test_create_default_context_reads_sslkeylogfile(monkeypatch, tmp_path):
    path = str(tmp_path / "keys.log")

    def scenario(mod):
        monkeypatch.delenv("SSLKEYLOGFILE", raising=False)
        unset = [
            mod.create_default_context().keylog_filename,
            mod._create_unverified_context().keylog_filename,
        ]
        monkeypatch.setenv("SSLKEYLOGFILE", path)
        return unset, [
            mod.create_default_context().keylog_filename,
            mod._create_stdlib_context().keylog_filename,
            mod.SSLContext(mod.PROTOCOL_TLS_CLIENT).keylog_filename,
        ]

    assert assert_same_as_stdlib(scenario) == ([None, None], [path, path, None])


def test_msg_callback_setting_matches_stdlib():
    def callback(*args):
        pass

    def scenario(mod):
        ctx = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
        results = [ctx._msg_callback]
        ctx._msg_callback = callback
        results.append(ctx._msg_callback is callback)
        results.append(outcome(setattr, ctx, "_msg_callback", 1))
        results.append(ctx._msg_callback is callback)
        ctx._msg_callback = None
        results.append(ctx._msg_callback)
        results.append(outcome(delattr, ctx, "_msg_callback")[0])
        return results

    assert assert_same_as_stdlib(scenario) == [
        None,
        True,
        ("error", ("TypeError", None, None, None, None, None, "1 is not callable.")),
        True,
        None,
        "error",
    ]


def test_psk_setters_match_stdlib():
    def callback(value):
        return b"key"

    def scenario(mod):
        client = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
        server = mod.SSLContext(mod.PROTOCOL_TLS_SERVER)
        return [
            outcome(client.set_psk_client_callback, callback),
            outcome(client.set_psk_client_callback, None),
            outcome(client.set_psk_client_callback, 1),
            outcome(server.set_psk_client_callback, callback),
            outcome(server.set_psk_server_callback, callback),
            outcome(server.set_psk_server_callback, callback, "hint"),
            outcome(server.set_psk_server_callback, None, "ignored"),
            outcome(server.set_psk_server_callback, callback, "x" * 300),
            outcome(server.set_psk_server_callback, callback, 1),
            outcome(server.set_psk_server_callback, callback, "a\0b"),
            outcome(server.set_psk_server_callback, 1),
            outcome(client.set_psk_server_callback, callback),
        ]

    assert_same_as_stdlib(scenario, since=(3, 13))


# What the stdlib has that ssl_bio leaves out, and why.
# CPython's private layering under SSLSocket, and the socket module's names ssl imports.
_NOT_API = {
    "SSLContext": {"_wrap_socket"},
    "module": {"socket", "create_connection", "socket_error"},
}


@pytest.mark.parametrize(
    "name", ["SSLContext", "SSLObject", "MemoryBIO", "SSLSession", "SSLSocket"]
)
def test_every_stdlib_member_is_there(name):
    if not stdlib_is_reference():
        pytest.skip("PyPy's ssl classes are another implementation's")
    stdlib_class = getattr(ssl, name)
    ours = getattr(ssl_bio, name)
    expected = {
        member
        for member in dir(stdlib_class)
        if not member.startswith("__")
        and (not member.startswith("_") or member in ("_msg_callback",))
    } - _NOT_API.get(name, set())
    assert expected - set(dir(ours)) == set()


def test_every_public_module_name_is_there():
    if not stdlib_is_reference(since=(3, 12)):
        pytest.skip("until 3.12 the stdlib also had match_hostname, wrap_socket, RAND_pseudo_bytes")
    public = {name for name in dir(ssl) if not name.startswith("_")}
    # The stdlib's own imports (os, socket, namedtuple...), not its API.
    imported = {name for name in public if type(getattr(ssl, name)).__name__ == "module"}
    imported |= {"namedtuple", "SOCK_STREAM", "SOL_SOCKET", "SO_TYPE"}
    missing = public - imported - _NOT_API["module"] - set(dir(ssl_bio))
    assert missing == set()
    for name in ("get_protocol_name", "_PROTOCOL_NAMES", "_create_default_https_context"):
        assert hasattr(ssl_bio, name)
    assert ssl_bio.get_protocol_name(ssl_bio.PROTOCOL_TLS_CLIENT) == "TLS_CLIENT"
    assert ssl_bio.get_protocol_name(99) == "<unknown>"


def test_set_npn_protocols_checks_then_ignores():
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
    with pytest.warns(DeprecationWarning, match="NPN is deprecated"):
        ctx.set_npn_protocols(["http/1.1"])
    with pytest.warns(DeprecationWarning), pytest.raises(ssl_bio.SSLError, match="1 to 255"):
        ctx.set_npn_protocols([""])


def test_keylog_file_closes_with_its_context(tmp_path):
    """The key log file is closed when its context goes, not by the GC (ResourceWarning)."""
    import gc
    import warnings

    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
    ctx.keylog_filename = str(tmp_path / "first.log")
    first = ctx._callbacks.keylog.file
    ctx.keylog_filename = str(tmp_path / "second.log")
    assert first.closed  # replaced: closed at once
    second = ctx._callbacks.keylog.file
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del ctx
        gc.collect()
    assert second.closed
    # (Only this file's: on PyPy the collection also finds other tests' garbage.)
    ours = [w for w in caught if "first.log" in str(w.message) or "second.log" in str(w.message)]
    assert ours == []
