"""Handshake hooks beyond the stdlib (docs/hooks.md): ClientHello and verify callbacks
that can pause, OCSP stapling, TLS 1.3 early data, the key-log callback.

Over memory BIOs with trustme certificates, TLS 1.2 and 1.3 where the hook
exists there; real peers (openssl s_server/s_client) in test_hooks_interop.py.
"""

import datetime
import gc
import ssl
import weakref

import pytest

import ssl_bio
from conftest import Pair, client_context, server_context
from versions import alert_reason

VERSIONS = [ssl_bio.TLSVersion.TLSv1_2, ssl_bio.TLSVersion.TLSv1_3]
VERSION_IDS = ["TLSv1.2", "TLSv1.3"]


def pinned(ctx, version):
    ctx.minimum_version = ctx.maximum_version = version
    return ctx


def run_handshake(pair, rounds=30):
    """Drive both sides; returns {side: exception or None} once neither can move."""
    errors = {"client": None, "server": None}
    done = set()
    for _ in range(rounds):
        progress = False
        for name in ("client", "server"):
            if name in done or errors[name] is not None:
                continue
            try:
                getattr(pair, name).do_handshake()
                done.add(name)
                progress = True
            except ssl_bio.SSLWantReadError:
                pass
            except Exception as exc:  # noqa: BLE001 - returned to the test
                errors[name] = exc
        if not pair.pump() and not progress:
            break
    return errors


# --- ClientHello ------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS, ids=VERSION_IDS)
def test_client_hello_callback_sees_what_the_client_offered(certs, version):
    seen = []
    server_ctx = server_context(ssl_bio, certs)
    server_ctx.client_hello_callback = lambda conn, hello: seen.append((conn, hello))
    client_ctx = pinned(client_context(ssl_bio, certs), version)
    client_ctx.set_alpn_protocols(["h2", "http/1.1"])
    pair = Pair(ssl_bio, client_ctx, server_ctx)
    pair.handshake()
    [(conn, hello)] = seen
    assert conn is pair.server
    assert hello.server_name == "localhost"
    assert hello.alpn_protocols == ["h2", "http/1.1"]
    assert hello.ciphers and len(hello.cipher_ids) >= len(hello.ciphers)
    assert 0 in hello.extensions and 16 in hello.extensions  # server_name, ALPN
    if version == ssl_bio.TLSVersion.TLSv1_3:
        assert hello.supported_versions == [ssl_bio.TLSVersion.TLSv1_3]
        assert "TLS_AES_256_GCM_SHA384" in hello.ciphers
    else:
        assert hello.supported_versions == []  # a pinned TLS 1.2 client sends none
        assert "ECDHE-ECDSA-AES256-GCM-SHA384" in hello.ciphers
    assert hello.legacy_version == ssl_bio.TLSVersion.TLSv1_2
    assert "server_name='localhost'" in repr(hello)


@pytest.mark.parametrize("version", VERSIONS, ids=VERSION_IDS)
def test_client_hello_callback_picks_the_certificate(certs, other_name, version):
    """A certificate per name: the callback switches conn.context."""
    other_ctx = server_context(ssl_bio, other_name)
    server_ctx = server_context(ssl_bio, certs)

    def pick(conn, hello):
        if hello.server_name == "other.example":
            conn.context = other_ctx

    server_ctx.client_hello_callback = pick
    client_ctx = pinned(client_context(ssl_bio, certs), version)
    pair = Pair(ssl_bio, client_ctx, server_ctx, server_hostname="other.example")
    pair.handshake()
    assert pair.server.context is other_ctx
    assert pair.client.getpeercert()["subjectAltName"] == (("DNS", "other.example"),)


def test_client_hello_callback_picks_by_alpn(certs, other_name):
    """ACME tls-alpn-01 style: 'acme-tls/1' gets another certificate and protocol list."""
    acme_ctx = server_context(ssl_bio, other_name)
    acme_ctx.set_alpn_protocols(["acme-tls/1"])
    server_ctx = server_context(ssl_bio, certs)
    server_ctx.set_alpn_protocols(["http/1.1"])

    def pick(conn, hello):
        if "acme-tls/1" in hello.alpn_protocols:
            conn.context = acme_ctx

    server_ctx.client_hello_callback = pick
    client_ctx = client_context(ssl_bio, certs)
    client_ctx.check_hostname = False
    client_ctx.set_alpn_protocols(["acme-tls/1"])
    pair = Pair(ssl_bio, client_ctx, server_ctx)
    pair.handshake()
    assert pair.client.selected_alpn_protocol() == "acme-tls/1"
    assert pair.client.getpeercert()["subjectAltName"] == (("DNS", "other.example"),)


@pytest.mark.parametrize("version", VERSIONS, ids=VERSION_IDS)
def test_client_hello_callback_pauses_and_resumes(certs, other_name, version):
    other_ctx = server_context(ssl_bio, other_name)
    server_ctx = server_context(ssl_bio, certs)
    calls = []

    def lookup_later(conn, hello):
        calls.append(hello.server_name)
        return ssl_bio.PAUSE_HANDSHAKE

    server_ctx.client_hello_callback = lookup_later
    client_ctx = pinned(client_context(ssl_bio, certs), version)
    pair = Pair(ssl_bio, client_ctx, server_ctx, server_hostname="other.example")
    with pytest.raises(ssl_bio.SSLWantReadError):
        pair.client.do_handshake()
    pair.pump()
    with pytest.raises(ssl_bio.SSLWantCallbackError) as info:
        pair.server.do_handshake()
    assert info.value.hook == "client_hello" and pair.server.paused == "client_hello"
    assert isinstance(info.value, ssl.SSLError)
    assert not isinstance(info.value, ssl.SSLWantReadError)
    # Paused again when asked again without an answer, and nothing was lost.
    with pytest.raises(ssl_bio.SSLWantCallbackError):
        pair.server.do_handshake()
    assert calls == ["other.example", "other.example"]
    # The answer: another certificate, then go on.
    pair.server.context = other_ctx
    pair.server.resume_handshake(None)
    assert pair.server.paused is None
    with pytest.raises(ValueError, match="not paused"):
        pair.server.resume_handshake(None)  # answering twice
    assert run_handshake(pair) == {"client": None, "server": None}
    assert calls == ["other.example", "other.example"]  # the stored answer, not a third call
    assert pair.client.getpeercert()["subjectAltName"] == (("DNS", "other.example"),)
    assert pair.send(pair.client, pair.server, b"after a pause") == b"after a pause"


def test_client_hello_callback_rejects_with_an_alert(certs):
    server_ctx = server_context(ssl_bio, certs)
    server_ctx.client_hello_callback = lambda conn, hello: ssl_bio.ALERT_DESCRIPTION_ACCESS_DENIED
    errors = run_handshake(Pair(ssl_bio, client_context(ssl_bio, certs), server_ctx))
    assert errors["client"].reason == "TLSV1_ALERT_ACCESS_DENIED"
    assert isinstance(errors["server"], ssl_bio.SSLError)


def test_a_paused_client_hello_answered_with_an_alert(certs):
    server_ctx = server_context(ssl_bio, certs)
    server_ctx.client_hello_callback = lambda conn, hello: ssl_bio.PAUSE_HANDSHAKE
    pair = Pair(ssl_bio, client_context(ssl_bio, certs), server_ctx)
    errors = run_handshake(pair)
    assert isinstance(errors["server"], ssl_bio.SSLWantCallbackError)
    pair.server.resume_handshake(ssl_bio.ALERT_DESCRIPTION_UNRECOGNIZED_NAME)
    with pytest.raises(ssl_bio.SSLError):
        pair.server.do_handshake()
    pair.pump()
    with pytest.raises(ssl_bio.SSLError) as info:
        pair.client.do_handshake()
    assert info.value.reason == "TLSV1_UNRECOGNIZED_NAME"


@pytest.mark.parametrize(
    "result, cause, alert",
    [
        (ZeroDivisionError, ZeroDivisionError, alert_reason("HANDSHAKE_FAILURE")),
        ("not an alert", TypeError, "TLSV1_ALERT_INTERNAL_ERROR"),
    ],
)
def test_client_hello_callback_failing(certs, result, cause, alert):
    def callback(conn, hello):
        if result is ZeroDivisionError:
            return 1 / 0
        return result

    server_ctx = server_context(ssl_bio, certs)
    server_ctx.client_hello_callback = callback
    errors = run_handshake(Pair(ssl_bio, client_context(ssl_bio, certs), server_ctx))
    assert isinstance(errors["server"], ssl_bio.SSLError)
    assert isinstance(errors["server"].__cause__, cause)
    assert errors["client"].reason == alert


def test_client_hello_callback_settings(certs):
    with pytest.raises(ValueError, match="TLS_CLIENT"):
        client_context(ssl_bio, certs).client_hello_callback = print
    ctx = server_context(ssl_bio, certs)
    with pytest.raises(TypeError, match="not a callable"):
        ctx.client_hello_callback = 42
    ctx.client_hello_callback = print
    assert ctx.client_hello_callback is print
    ctx.client_hello_callback = None
    assert ctx.client_hello_callback is None
    pair = Pair(ssl_bio, client_context(ssl_bio, certs), ctx)
    pair.handshake()  # removed: nothing called


# --- verification -----------------------------------------------------------------


def leaf_der(certs):
    return ssl.PEM_cert_to_DER_cert(certs.leaf.cert_chain_pems[0].bytes().decode())


@pytest.mark.parametrize("version", VERSIONS, ids=VERSION_IDS)
def test_verify_callback_sees_the_chain_and_openssls_verdict(certs, version):
    seen = []

    def callback(conn, chain, verified, code):
        seen.append((conn, chain, verified, code))
        return verified

    client_ctx = pinned(client_context(ssl_bio, certs), version)
    client_ctx.verify_callback = callback
    pair = Pair(ssl_bio, client_ctx, server_context(ssl_bio, certs))
    pair.handshake()
    [(conn, chain, verified, code)] = seen
    assert conn is pair.client
    assert chain[0] == leaf_der(certs)
    assert (verified, code) == (True, 0)


def test_verify_callback_sees_a_host_name_mismatch(certs):
    seen = []
    client_ctx = client_context(ssl_bio, certs)
    client_ctx.verify_callback = lambda conn, chain, ok, code: seen.append((ok, code)) or ok
    pair = Pair(
        ssl_bio, client_ctx, server_context(ssl_bio, certs), server_hostname="wrong.example"
    )
    errors = run_handshake(pair)
    assert seen == [(False, 62)]
    assert isinstance(errors["client"], ssl.SSLCertVerificationError)
    assert errors["client"].verify_code == 62


@pytest.mark.parametrize("version", VERSIONS, ids=VERSION_IDS)
def test_verify_callback_rejects(certs, version):
    client_ctx = pinned(client_context(ssl_bio, certs), version)
    client_ctx.verify_callback = lambda conn, chain, verified, code: False
    errors = run_handshake(Pair(ssl_bio, client_ctx, server_context(ssl_bio, certs)))
    error = errors["client"]
    assert isinstance(error, ssl.SSLCertVerificationError)
    assert error.verify_code == 50  # X509_V_ERR_APPLICATION_VERIFICATION
    assert error.reason == "CERTIFICATE_VERIFY_FAILED"
    # OpenSSL sends handshake_failure for an application's rejection.
    assert errors["server"].reason == alert_reason("HANDSHAKE_FAILURE")


def test_verify_callback_accepts_what_openssl_refused(certs, other_ca_certs):
    """An application's own trust decision (an OS trust store, a pinned key)."""
    pinned_leaf = leaf_der(other_ca_certs)
    client_ctx = client_context(ssl_bio, certs)
    client_ctx.verify_callback = lambda conn, chain, ok, code: ok or chain[0] == pinned_leaf
    pair = Pair(ssl_bio, client_ctx, server_context(ssl_bio, other_ca_certs))
    pair.handshake()
    assert pair.client.getpeercert(True) == pinned_leaf


@pytest.mark.parametrize("version", VERSIONS, ids=VERSION_IDS)
@pytest.mark.parametrize("answer", [True, False])
def test_verify_callback_pauses_and_resumes(certs, version, answer):
    calls = []

    def ask_later(conn, chain, verified, code):
        calls.append(verified)
        return ssl_bio.PAUSE_HANDSHAKE

    client_ctx = pinned(client_context(ssl_bio, certs), version)
    client_ctx.verify_callback = ask_later
    pair = Pair(ssl_bio, client_ctx, server_context(ssl_bio, certs))
    errors = run_handshake(pair)
    assert isinstance(errors["client"], ssl_bio.SSLWantCallbackError)
    assert errors["client"].hook == "verify" and pair.client.paused == "verify"
    pair.client.resume_handshake(answer)
    if answer:
        assert run_handshake(pair) == {"client": None, "server": None}
        assert pair.send(pair.server, pair.client, b"verified later") == b"verified later"
    else:
        errors = run_handshake(pair)
        assert errors["client"].verify_code == 50
    assert calls == [True]


def test_a_server_cannot_pause_verification(certs, client_certs):
    server_ctx = server_context(ssl_bio, certs)
    server_ctx.verify_mode = ssl_bio.CERT_REQUIRED
    server_ctx.load_verify_locations(client_certs.cafile)
    server_ctx.verify_callback = lambda conn, chain, ok, code: ssl_bio.PAUSE_HANDSHAKE
    client_ctx = client_context(ssl_bio, certs)
    client_ctx.load_cert_chain(client_certs.certfile, client_certs.keyfile)
    pair = Pair(ssl_bio, client_ctx, server_ctx)
    errors = run_handshake(pair)
    assert isinstance(errors["server"], ssl.SSLCertVerificationError)
    assert isinstance(errors["server"].__cause__, ValueError)
    assert pair.server.paused is None


@pytest.mark.parametrize(
    "result, cause", [(ZeroDivisionError, ZeroDivisionError), ("yes", TypeError)]
)
def test_verify_callback_failing(certs, result, cause):
    def callback(conn, chain, ok, code):
        if result is ZeroDivisionError:
            return 1 / 0
        return result

    client_ctx = client_context(ssl_bio, certs)
    client_ctx.verify_callback = callback
    errors = run_handshake(Pair(ssl_bio, client_ctx, server_context(ssl_bio, certs)))
    assert isinstance(errors["client"], ssl.SSLCertVerificationError)
    assert isinstance(errors["client"].__cause__, cause)


def test_client_certificates_through_the_verify_callback(certs, client_certs):
    seen = []
    server_ctx = server_context(ssl_bio, certs)
    server_ctx.verify_mode = ssl_bio.CERT_REQUIRED
    server_ctx.load_verify_locations(client_certs.cafile)
    server_ctx.verify_callback = lambda conn, chain, ok, code: seen.append(chain[0]) or ok
    client_ctx = client_context(ssl_bio, certs)
    client_ctx.load_cert_chain(client_certs.certfile, client_certs.keyfile)
    Pair(ssl_bio, client_ctx, server_ctx).handshake()
    assert seen == [leaf_der(client_certs)]


# --- lifetimes of paused handshakes ---------------------------------------------------


def test_a_paused_object_dropped_frees_everything(certs):
    server_ctx = server_context(ssl_bio, certs)
    server_ctx.client_hello_callback = lambda conn, hello: ssl_bio.PAUSE_HANDSHAKE
    pair = Pair(ssl_bio, client_context(ssl_bio, certs), server_ctx)
    run_handshake(pair)
    assert pair.server.paused == "client_hello"
    ref = weakref.ref(pair.server)
    del pair
    gc.collect()
    assert ref() is None


def test_the_context_changes_while_paused(certs, other_name):
    server_ctx = server_context(ssl_bio, certs)
    server_ctx.set_alpn_protocols(["one"])
    server_ctx.client_hello_callback = lambda conn, hello: ssl_bio.PAUSE_HANDSHAKE
    client_ctx = client_context(ssl_bio, certs)
    client_ctx.set_alpn_protocols(["two"])
    pair = Pair(ssl_bio, client_ctx, server_ctx)
    run_handshake(pair)
    # While paused: the context is reconfigured (the lock is not held by a pause).
    server_ctx.set_alpn_protocols(["two"])
    server_ctx.load_cert_chain(other_name.certfile, other_name.keyfile)
    pair.server.resume_handshake(None)
    errors = run_handshake(pair)
    assert errors == {"client": None, "server": None}
    # The ALPN choice reads the context when it happens; the certificate was
    # copied into the connection when it was made (switch conn.context instead).
    assert pair.server.selected_alpn_protocol() == "two"
    assert pair.client.getpeercert()["subjectAltName"][0] == ("DNS", "localhost")


def test_resume_handshake_refuses_pause_as_an_answer(certs):
    server_ctx = server_context(ssl_bio, certs)
    server_ctx.client_hello_callback = lambda conn, hello: ssl_bio.PAUSE_HANDSHAKE
    pair = Pair(ssl_bio, client_context(ssl_bio, certs), server_ctx)
    run_handshake(pair)
    with pytest.raises(ValueError, match="needs an answer"):
        pair.server.resume_handshake(ssl_bio.PAUSE_HANDSHAKE)
    assert repr(ssl_bio.PAUSE_HANDSHAKE) == "ssl_bio.PAUSE_HANDSHAKE"


# --- OCSP stapling ------------------------------------------------------------------


def ocsp_response(certs, status="good"):
    """A DER OCSP response for certs' leaf, signed by its CA (cryptography)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509 import ocsp

    leaf = x509.load_pem_x509_certificate(certs.leaf.cert_chain_pems[0].bytes())
    issuer = x509.load_pem_x509_certificate(certs.ca.cert_pem.bytes())
    key = serialization.load_pem_private_key(certs.ca.private_key_pem.bytes(), None)
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    revoked = status == "revoked"
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=leaf,
            issuer=issuer,
            algorithm=hashes.SHA1(),
            cert_status=ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD,
            this_update=now - datetime.timedelta(minutes=1),
            next_update=now + datetime.timedelta(days=1),
            revocation_time=now - datetime.timedelta(days=1) if revoked else None,
            revocation_reason=None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, issuer)
    )
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def ocsp_status(response):
    from cryptography.x509 import ocsp

    return ocsp.load_der_ocsp_response(response).certificate_status.name


@pytest.mark.parametrize("version", VERSIONS, ids=VERSION_IDS)
def test_ocsp_staple_reaches_the_client(certs, version):
    staple = ocsp_response(certs)
    asked, seen = [], []
    server_ctx = server_context(ssl_bio, certs)
    server_ctx.ocsp_server_callback = lambda conn: asked.append(conn) or staple
    client_ctx = pinned(client_context(ssl_bio, certs), version)
    client_ctx.ocsp_client_callback = lambda conn, response: (
        seen.append(response) or ocsp_status(response) == "GOOD"
    )
    pair = Pair(ssl_bio, client_ctx, server_ctx)
    pair.handshake()
    assert asked == [pair.server]
    assert seen == [staple]
    assert pair.client.ocsp_response() == staple


def test_no_staple_without_a_request_or_a_response(certs):
    staple = ocsp_response(certs)
    asked = []
    server_ctx = server_context(ssl_bio, certs)
    server_ctx.ocsp_server_callback = lambda conn: asked.append(conn) or staple
    pair = Pair(ssl_bio, client_context(ssl_bio, certs), server_ctx)
    pair.handshake()  # the client did not ask
    assert asked == [] and pair.client.ocsp_response() is None

    seen = []
    server_ctx.ocsp_server_callback = lambda conn: None
    client_ctx = client_context(ssl_bio, certs)
    client_ctx.ocsp_client_callback = lambda conn, response: seen.append(response) or True
    pair = Pair(ssl_bio, client_ctx, server_ctx)
    pair.handshake()
    assert seen == [None] and pair.client.ocsp_response() is None


def test_the_client_callback_fails_the_handshake(certs):
    server_ctx = server_context(ssl_bio, certs)
    server_ctx.ocsp_server_callback = lambda conn: ocsp_response(certs, "revoked")
    client_ctx = client_context(ssl_bio, certs)
    client_ctx.ocsp_client_callback = lambda conn, response: ocsp_status(response) == "GOOD"
    errors = run_handshake(Pair(ssl_bio, client_ctx, server_ctx))
    assert errors["client"].reason == "INVALID_STATUS_RESPONSE"
    assert errors["server"].reason == "TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE"


def test_a_staple_is_not_sent_on_resumption(certs):
    """OpenSSL 3.0 sends no status on a resumed session (docs/hooks.md)."""
    server_ctx = server_context(ssl_bio, certs)
    server_ctx.ocsp_server_callback = lambda conn: ocsp_response(certs)
    seen = []
    client_ctx = client_context(ssl_bio, certs)
    client_ctx.ocsp_client_callback = lambda conn, response: seen.append(response) or True
    first = Pair(ssl_bio, client_ctx, server_ctx)
    first.handshake()
    first.send(first.server, first.client, b"x")  # the ticket arrives
    second = Pair(ssl_bio, client_ctx, server_ctx, session=first.client.session)
    second.handshake()
    assert second.client.session_reused
    assert seen[0] is not None and second.client.ocsp_response() is None


@pytest.mark.parametrize(
    "side, bad, cause",
    [
        ("server", ZeroDivisionError, ZeroDivisionError),
        ("server", "a str", TypeError),
        ("client", ZeroDivisionError, ZeroDivisionError),
        ("client", "yes", TypeError),
    ],
)
def test_ocsp_callbacks_failing(certs, side, bad, cause):
    def fail(*args):
        if bad is ZeroDivisionError:
            return 1 / 0
        return bad

    server_ctx = server_context(ssl_bio, certs)
    server_ctx.ocsp_server_callback = fail if side == "server" else lambda conn: b"\x30\x03"
    client_ctx = client_context(ssl_bio, certs)
    client_ctx.ocsp_client_callback = fail if side == "client" else lambda conn, r: True
    errors = run_handshake(Pair(ssl_bio, client_ctx, server_ctx))
    assert isinstance(errors[side], ssl_bio.SSLError)
    assert isinstance(errors[side].__cause__, cause)


def test_ocsp_callback_settings(certs):
    with pytest.raises(ValueError, match="TLS_CLIENT"):
        client_context(ssl_bio, certs).ocsp_server_callback = print
    with pytest.raises(ValueError, match="TLS_SERVER"):
        server_context(ssl_bio, certs).ocsp_client_callback = print
    with pytest.raises(TypeError):
        client_context(ssl_bio, certs).ocsp_client_callback = "no"


# --- TLS 1.3 early data -------------------------------------------------------------


def early_data_contexts(certs, max_early_data=16384):
    server_ctx = server_context(ssl_bio, certs)
    server_ctx.max_early_data = max_early_data
    client_ctx = client_context(ssl_bio, certs)
    return client_ctx, server_ctx


def a_session(client_ctx, server_ctx):
    first = Pair(ssl_bio, client_ctx, server_ctx)
    first.handshake()
    first.send(first.server, first.client, b"x")  # the tickets arrive
    return first.client.session


def read_all_early_data(pair):
    """The server's early data, moving the flights until it says there is no more."""
    data = b""
    for _ in range(20):
        try:
            chunk = pair.server.read_early_data(1024)
        except ssl_bio.SSLWantReadError:
            # The server's flight out; the client's end of early data back.
            pair.pump()
            try:
                pair.client.do_handshake()
            except ssl_bio.SSLWantReadError:
                pass
            pair.pump()
            continue
        if not chunk:
            return data
        data += chunk
    raise AssertionError("no end of early data")


def test_early_data_accepted(certs):
    client_ctx, server_ctx = early_data_contexts(certs)
    assert server_ctx.max_early_data == 16384
    session = a_session(client_ctx, server_ctx)
    assert session.max_early_data == 16384
    pair = Pair(ssl_bio, client_ctx, server_ctx, session=session)
    assert pair.client.write_early_data(b"GET / 0-RTT\n") == 12
    pair.pump()
    assert read_all_early_data(pair) == b"GET / 0-RTT\n"
    pair.handshake()
    assert pair.client.session_reused
    assert pair.client.early_data_status == "accepted"
    assert pair.server.early_data_status == "accepted"
    assert pair.client.rejected_early_data == b""
    assert pair.send(pair.server, pair.client, b"reply") == b"reply"


def test_early_data_rejected_leaves_the_connection_usable(certs):
    """The server allows none any more: the client learns what to send again."""
    client_ctx, server_ctx = early_data_contexts(certs)
    session = a_session(client_ctx, server_ctx)
    server_ctx.max_early_data = 0
    pair = Pair(ssl_bio, client_ctx, server_ctx, session=session)
    pair.client.write_early_data(b"early")
    pair.pump()
    assert read_all_early_data(pair) == b""
    pair.handshake()
    assert pair.client.early_data_status == "rejected"
    assert pair.client.rejected_early_data == b"early"
    assert pair.send(pair.client, pair.server, pair.client.rejected_early_data) == b"early"


def test_early_data_rejected_after_a_hello_retry_request(certs):
    client_ctx, server_ctx = early_data_contexts(certs)
    session = a_session(client_ctx, server_ctx)
    server_ctx.set_groups("P-384")  # the client's key share was for X25519
    client_ctx.set_groups("X25519:P-384")
    pair = Pair(ssl_bio, client_ctx, server_ctx, session=session)
    pair.client.write_early_data(b"early")
    pair.pump()
    read_all_early_data(pair)
    assert run_handshake(pair) == {"client": None, "server": None}
    assert pair.client.early_data_status == "rejected"
    assert pair.client.rejected_early_data == b"early"


def test_early_data_is_not_replayed(certs):
    """The same ClientHello and early data, captured and sent again: refused."""
    client_ctx, server_ctx = early_data_contexts(certs)
    session = a_session(client_ctx, server_ctx)
    pair = Pair(ssl_bio, client_ctx, server_ctx, session=session)
    pair.client.write_early_data(b"pay once")
    flight = pair.c_out.read()
    pair.s_in.write(flight)
    assert read_all_early_data(pair) == b"pay once"
    assert pair.server.early_data_status == "accepted"
    replay_in = ssl_bio.MemoryBIO()
    replay = server_ctx.wrap_bio(replay_in, ssl_bio.MemoryBIO(), server_side=True)
    replay_in.write(flight)
    try:
        assert replay.read_early_data() == b""
    except ssl_bio.SSLWantReadError:
        pass  # a full handshake: the client's Finished would be next
    assert replay.early_data_status == "rejected"
    assert not replay.session_reused


def test_early_data_errors(certs):
    client_ctx, server_ctx = early_data_contexts(certs, max_early_data=0)
    pair = Pair(ssl_bio, client_ctx, server_ctx)
    with pytest.raises(ValueError, match="session"):
        pair.client.write_early_data(b"no session")
    with pytest.raises(ValueError, match="server side"):
        pair.client.read_early_data()
    with pytest.raises(ValueError, match="client side"):
        pair.server.write_early_data(b"x")
    with pytest.raises(ValueError):
        pair.server.read_early_data(0)
    for bad in (-1, 2**32):
        with pytest.raises(ValueError):
            server_ctx.max_early_data = bad
    with pytest.raises(TypeError):
        server_ctx.max_early_data = "16384"
    session = a_session(client_ctx, server_ctx)
    assert session.max_early_data == 0
    with pytest.raises(ValueError, match="allows"):
        Pair(ssl_bio, client_ctx, server_ctx, session=session).client.write_early_data(b"x")


# --- the key-log callback --------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS, ids=VERSION_IDS)
def test_keylog_callback_gets_the_lines_the_file_gets(certs, tmp_path, version):
    lines = []
    client_ctx = pinned(client_context(ssl_bio, certs), version)
    client_ctx.keylog_callback = lambda conn, line: lines.append((conn, line))
    client_ctx.keylog_filename = tmp_path / "keys.log"
    pair = Pair(ssl_bio, client_ctx, server_context(ssl_bio, certs))
    pair.handshake()
    written = (tmp_path / "keys.log").read_text().splitlines()[1:]  # after the header
    assert [line for _, line in lines] == written
    assert all(conn is pair.client for conn, _ in lines)
    labels = {line.split()[0] for _, line in lines}
    if version == ssl_bio.TLSVersion.TLSv1_3:
        assert "CLIENT_TRAFFIC_SECRET_0" in labels
    else:
        assert labels == {"CLIENT_RANDOM"}
    client_ctx.keylog_callback = None
    client_ctx.keylog_filename = None
    Pair(ssl_bio, client_ctx, server_context(ssl_bio, certs)).handshake()
    assert len(lines) == len(written)


def test_keylog_callback_raising_surfaces(certs):
    server_ctx = server_context(ssl_bio, certs)
    server_ctx.keylog_callback = lambda conn, line: 1 / 0
    pair = Pair(ssl_bio, client_context(ssl_bio, certs), server_ctx)
    errors = run_handshake(pair)
    assert isinstance(errors["server"], ZeroDivisionError)
    with pytest.raises(TypeError):
        server_ctx.keylog_callback = "not callable"
