"""Python 3.15's TLS controls on every Python: groups, TLS 1.3 cipher suites, signature schemes.

The ContextTests of CPython 3.15's test_ssl for these methods, ported; then
handshakes that show each setting takes effect, and ``openssl s_client``
agreeing with what ssl_bio reports.  CPython 3.15 answers ``group()`` only
with OpenSSL 3.2 and the ``*_sigalg()`` methods only with 3.5: ssl_bio derives
both on 3.0, and the tests check the names against OpenSSL's own.
"""

import re
import shutil
import socket
import subprocess
import threading

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

import ssl_bio
from conftest import Pair, client_context, outcome, self_signed_files, server_context
from versions import (
    CAN_GET_AVAILABLE_OPENSSL_GROUPS,
    CAN_GET_AVAILABLE_OPENSSL_SIGALGS,
    CAN_IGNORE_UNKNOWN_OPENSSL_GROUPS,
    CAN_IGNORE_UNKNOWN_OPENSSL_SIGALGS,
    HAS_X25519MLKEM768,
)

OPENSSL = shutil.which("openssl")


# --- CPython 3.15's ContextTests for these methods, ported -------------------------


def test_set_groups():
    ctx = ssl_bio.create_default_context()
    assert ctx.set_groups("P-256:P-384") is None
    with pytest.raises(ssl_bio.SSLError):
        ctx.set_groups("P-256:foo")
    if CAN_IGNORE_UNKNOWN_OPENSSL_GROUPS:
        assert ctx.set_groups("P-256:?foo") is None


def test_get_groups():
    ctx = ssl_bio.create_default_context()
    if CAN_GET_AVAILABLE_OPENSSL_GROUPS:
        # By default, only return official IANA names.
        assert "P-256" not in ctx.get_groups()
        assert "P-256" in ctx.get_groups(include_aliases=True)
    else:  # CPython 3.15 has no way either
        with pytest.raises(NotImplementedError, match="requires OpenSSL 3.5"):
            ctx.get_groups()
    with pytest.raises(TypeError):
        ctx.get_groups(True)  # keyword-only


def test_get_sigalgs():
    if CAN_GET_AVAILABLE_OPENSSL_SIGALGS:
        assert "rsa_pss_rsae_sha256" in ssl_bio.get_sigalgs()
    else:
        with pytest.raises(NotImplementedError, match="requires OpenSSL 3.4"):
            ssl_bio.get_sigalgs()


@pytest.mark.parametrize("method", ["set_client_sigalgs", "set_server_sigalgs"])
def test_set_sigalgs(method):
    ctx = ssl_bio.create_default_context()
    setter = getattr(ctx, method)
    assert setter("rsa_pss_rsae_sha256") is None
    with pytest.raises(ssl_bio.SSLError):
        setter("rsa_pss_rsae_sha256:foo")
    if CAN_IGNORE_UNKNOWN_OPENSSL_SIGALGS:
        assert setter("rsa_pss_rsae_sha256:?foo") is None


def test_errors_as_cpython_315():
    """_setSSLError(msg): errno 0, the message and the location, no library."""
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
    cases = [
        (ctx.set_groups, "foo", "unrecognized group"),
        (ctx.set_ciphersuites, "TLS_NOPE", "No cipher suite can be selected."),
        (ctx.set_server_sigalgs, "foo", "unrecognized signature algorithm"),
        (ctx.set_client_sigalgs, "foo", "unrecognized signature algorithm"),
    ]
    for setter, value, message in cases:
        with pytest.raises(ssl_bio.SSLError) as info:
            setter(value)
        assert info.value.errno == 0
        assert info.value.library is None
        assert str(info.value).startswith(message + " (")
    for setter in (ctx.set_groups, ctx.set_ciphersuites, ctx.set_server_sigalgs):
        assert outcome(setter, 5)[1][0] == "TypeError"
        assert outcome(setter, b"X25519")[1][0] == "TypeError"
        assert outcome(setter, "X25519\0")[1][0] == "ValueError"
    assert isinstance(ssl_bio.HAS_PSK_TLS13, bool) and ssl_bio.HAS_PSK_TLS13 == ssl_bio.HAS_PSK


# --- the settings take effect ----------------------------------------------------------


def _pair(certs, client=None, server=None, **kw):
    client_ctx = client_context(ssl_bio, certs)
    server_ctx = server_context(ssl_bio, certs)
    for ctx, settings in ((client_ctx, client or {}), (server_ctx, server or {})):
        for name, value in settings.items():
            if name.startswith("set_"):
                getattr(ctx, name)(value)
            else:
                setattr(ctx, name, value)
    return Pair(ssl_bio, client_ctx, server_ctx, **kw)


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_group_set_on_the_client_is_what_both_ends_report(certs, version):
    maximum = getattr(ssl_bio.TLSVersion, version)
    if version == "TLSv1_3":
        choices = [("X25519", "x25519"), ("P-256", "secp256r1"), ("P-521", "secp521r1")]
    else:
        # TLS 1.2 also takes the groups as the curves an ECDSA certificate
        # may use, and the test certificate is P-256: it must be offered.
        choices = [("X25519:P-256", "x25519"), ("P-256", "secp256r1")]
    for groups, expected in choices:
        pair = _pair(certs, client={"set_groups": groups, "maximum_version": maximum})
        assert pair.client.group() is None and pair.server.group() is None
        pair.handshake()
        assert pair.client.group() == pair.server.group() == expected


def test_a_server_restricted_to_p384_gets_it_through_hello_retry_request(certs):
    hellos = []

    def trace(conn, direction, version, content_type, msg_type, data):
        if msg_type == ssl_bio._TLSMessageType.CLIENT_HELLO:
            hellos.append(direction)

    pair = _pair(
        certs,
        client={"set_groups": "X25519:P-384", "_msg_callback": trace},
        server={"set_groups": "P-384"},
    )
    pair.handshake()
    assert pair.client.group() == pair.server.group() == "secp384r1"
    assert hellos == ["write", "write"]  # the key share for X25519 was refused


# test_s_client_agrees: whatever the openssl command chooses by default.
DEFAULT = "default"
MLKEM = pytest.mark.skipif(
    not HAS_X25519MLKEM768, reason="this OpenSSL implements no ML-KEM group (3.5 added them)"
)


@MLKEM
def test_post_quantum_hybrid_group_is_negotiated_named_and_listed(certs):
    pair = _pair(certs, client={"set_groups": "X25519MLKEM768"})
    pair.handshake()
    assert pair.client.group() == pair.server.group() == "X25519MLKEM768"
    assert pair.client.version() == "TLSv1.3"
    assert "X25519MLKEM768" in pair.client.context.get_groups()


def test_default_groups_are_this_openssls_defaults(certs):
    """Two default contexts agree on the group OpenSSL itself prefers by default.

    ssl_bio sets no group list of its own, so on OpenSSL 3.5 and later
    (whose default list starts with X25519MLKEM768) users get the
    post-quantum hybrid; test_s_client_agrees[...DEFAULT...] checks the
    choice against the openssl command's own defaults.
    """
    pair = _pair(certs)
    pair.handshake()
    assert pair.client.group() == pair.server.group()
    if CAN_GET_AVAILABLE_OPENSSL_GROUPS:
        assert pair.client.group() in pair.client.context.get_groups()


def test_no_common_group_fails_the_handshake(certs):
    pair = _pair(certs, client={"set_groups": "X25519"}, server={"set_groups": "P-384"})
    client_error, server_error = pair.handshake_errors()
    assert isinstance(server_error, ssl_bio.SSLError)
    assert server_error.reason == "NO_SUITABLE_KEY_SHARE"
    assert isinstance(client_error, ssl_bio.SSLError)


@pytest.mark.parametrize(
    "suite", ["TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"]
)
def test_set_ciphersuites(certs, suite):
    pair = _pair(certs, server={"set_ciphersuites": suite})
    pair.handshake()
    assert pair.client.cipher()[0] == pair.server.cipher()[0] == suite
    # set_ciphers() does not touch TLS 1.3 suites, set_ciphersuites() not TLS 1.2 ciphers.
    pair = _pair(
        certs,
        client={"set_ciphersuites": suite, "set_ciphers": "ECDHE-ECDSA-AES128-GCM-SHA256"},
    )
    pair.handshake()
    assert pair.client.cipher()[0] == suite


# --- signature schemes -----------------------------------------------------------------


KEYS = {
    "ecdsa-p256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "ecdsa-p384": lambda: ec.generate_private_key(ec.SECP384R1()),
    "rsa": lambda: rsa.generate_private_key(65537, 2048),
    "ed25519": lambda: ed25519.Ed25519PrivateKey.generate(),
}


@pytest.mark.parametrize(
    "key, version, server_sigalgs, expected",
    [
        ("ecdsa-p256", "TLSv1_3", None, "ecdsa_secp256r1_sha256"),
        ("ecdsa-p384", "TLSv1_3", None, "ecdsa_secp384r1_sha384"),
        ("rsa", "TLSv1_3", None, "rsa_pss_rsae_sha256"),
        ("rsa", "TLSv1_3", "rsa_pss_rsae_sha512", "rsa_pss_rsae_sha512"),
        ("rsa", "TLSv1_2", "RSA+SHA384", "rsa_pkcs1_sha384"),
        ("ed25519", "TLSv1_3", None, "ed25519"),
        ("ecdsa-p256", "TLSv1_2", "ECDSA+SHA512", "ecdsa_secp521r1_sha512"),
    ],
)
def test_server_sigalg(tmp_path, key, version, server_sigalgs, expected):
    signing_key = KEYS[key]()
    signing_hash = None if isinstance(signing_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    _, certfile, keyfile = self_signed_files(tmp_path, signing_key, signing_hash, key)
    server_ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(certfile, keyfile)
    if server_sigalgs:
        server_ctx.set_server_sigalgs(server_sigalgs)
    client_ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
    client_ctx.load_verify_locations(certfile)
    client_ctx.maximum_version = getattr(ssl_bio.TLSVersion, version)
    pair = Pair(ssl_bio, client_ctx, server_ctx)
    assert pair.client.server_sigalg() is None
    pair.handshake()
    assert pair.client.server_sigalg() == pair.server.server_sigalg() == expected
    # No client certificate: no client signature.
    assert pair.client.client_sigalg() is None and pair.server.client_sigalg() is None


def test_rsa_pss_key_certificate_is_rsa_pss_pss(tmp_path):
    """A certificate with an RSASSA-PSS key signs with rsa_pss_pss_* (made by openssl req)."""
    if OPENSSL is None:
        pytest.skip("the openssl command-line tool is not installed")
    certfile, keyfile = tmp_path / "pss.pem", tmp_path / "pss-key.pem"
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "rsa-pss", "-pkeyopt", "rsa_keygen_bits:2048"]
        + ["-nodes", "-days", "1", "-subj", "/CN=localhost"]
        + [
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(keyfile),
            "-out",
            str(certfile),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    server_ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(str(certfile), str(keyfile))
    client_ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
    client_ctx.load_verify_locations(str(certfile))
    pair = Pair(ssl_bio, client_ctx, server_ctx)
    pair.handshake()
    assert pair.client.server_sigalg() == pair.server.server_sigalg() == "rsa_pss_pss_sha256"


def test_client_sigalg(certs, client_certs):
    client_ctx = client_context(ssl_bio, certs)
    client_ctx.load_cert_chain(client_certs.certfile, client_certs.keyfile)
    client_ctx.set_client_sigalgs("ecdsa_secp256r1_sha256")
    server_ctx = server_context(ssl_bio, certs, verify_mode=ssl_bio.CERT_REQUIRED)
    server_ctx.load_verify_locations(client_certs.cafile)
    pair = Pair(ssl_bio, client_ctx, server_ctx)
    pair.handshake()
    assert pair.client.client_sigalg() == pair.server.client_sigalg() == "ecdsa_secp256r1_sha256"


def test_an_impossible_sigalg_fails_the_handshake(certs):
    """An ECDSA certificate cannot sign with RSA-PSS only: the handshake fails."""
    pair = _pair(certs, server={"set_server_sigalgs": "rsa_pss_rsae_sha256"})
    client_error, server_error = pair.handshake_errors()
    assert isinstance(server_error, ssl_bio.SSLError)
    assert server_error.library == "SSL"
    assert isinstance(client_error, ssl_bio.SSLError)


# --- openssl s_client agrees ------------------------------------------------------------


@pytest.mark.skipif(OPENSSL is None, reason="the openssl command-line tool is not installed")
@pytest.mark.parametrize(
    "args, group, cipher",
    [
        (["-groups", "P-384"], "secp384r1", None),
        (["-groups", "X25519"], "x25519", None),
        pytest.param(["-groups", "X25519MLKEM768"], "X25519MLKEM768", None, marks=MLKEM),
        # s_client's default groups: ssl_bio's server ends where OpenSSL's client does.
        ([], DEFAULT, None),
        (["-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"], None, "TLS_CHACHA20_POLY1305_SHA256"),
        (["-sigalgs", "ecdsa_secp256r1_sha256"], None, None),
    ],
)
def test_s_client_agrees(certs, args, group, cipher):
    result = {}

    def serve(listener):
        try:
            sock, _ = listener.accept()
            sock.settimeout(30)
            with server_context(ssl_bio, certs).wrap_socket(sock, server_side=True) as tls:
                result.update(group=tls.group(), cipher=tls.cipher()[0], sigalg=tls.server_sigalg())
        except Exception as exc:  # noqa: BLE001 - reported by the test
            result["error"] = exc

    with socket.create_server(("127.0.0.1", 0)) as listener:
        thread = threading.Thread(target=serve, args=(listener,))
        thread.start()
        completed = subprocess.run(
            [OPENSSL, "s_client", "-connect", f"127.0.0.1:{listener.getsockname()[1]}", *args]
            + ["-CAfile", certs.cafile, "-servername", "localhost", "-verify_return_error"],
            input="",
            capture_output=True,
            text=True,
            timeout=60,
        )
        thread.join(30)
    assert "error" not in result, result.get("error")
    out = completed.stdout
    if group is DEFAULT:
        assert result["group"].lower() in _s_client_group(out)
    elif group is not None:
        assert result["group"] == group
        assert group.lower() in _s_client_group(out)
    if cipher is not None:
        assert result["cipher"] == cipher
        assert re.search(r"Cipher is (\S+)", out).group(1) == cipher
    # "Peer signing digest: SHA256", and the type as OpenSSL 3.0 ("ECDSA") or
    # 3.5 and later (the scheme's name, as ssl_bio names it) print it.
    assert result["sigalg"] == "ecdsa_secp256r1_sha256"
    assert re.search(r"Peer signing digest: (\S+)", out).group(1) == "SHA256"
    assert re.search(r"Peer signature type: (\S+)", out).group(1) in (
        "ECDSA",
        "ecdsa_secp256r1_sha256",
    )


def _s_client_group(out):
    """The group names in s_client's report of the key exchange, lower-cased.

    OpenSSL 3.0: "Server Temp Key: X25519, 253 bits" / "ECDH, secp384r1, 384
    bits"; 3.5 and later: "Peer Temp Key: ..." for classic groups and
    "Negotiated TLS1.3 group: X25519MLKEM768" for the others.
    """
    match = re.search(r"(?:Server|Peer) Temp Key: ([^\n]+)", out) or re.search(
        r"Negotiated TLS1.3 group: ([^\n]+)", out
    )
    assert match is not None, out
    return match.group(1).lower().replace(" ", "").split(",")


# --- CPython 3.15's ThreadedTests for these methods, ported to memory BIOs -------------
# (RSA certificates, as CPython's SIGNED_CERTFILE; where CPython checks the
# negotiated values only with OpenSSL 3.2/3.5, ssl_bio always can.)


@pytest.fixture(scope="module")
def rsa_certs(tmp_path_factory):
    import trustme

    from conftest import CertFiles

    directory = tmp_path_factory.mktemp("rsa")
    ca = trustme.CA(key_type=trustme.KeyType.RSA)
    server = CertFiles(directory, ca, ca.issue_cert("localhost", key_type=trustme.KeyType.RSA), "s")
    client = CertFiles(
        directory, ca, ca.issue_cert("client@example.org", key_type=trustme.KeyType.RSA), "c"
    )
    return server, client


def _server_params_test(client_ctx, server_ctx):
    """What CPython's server_params_test reports, from both ends of a memory-BIO handshake."""
    pair = Pair(ssl_bio, client_ctx, server_ctx)
    pair.handshake()
    for name in ("group", "client_sigalg", "server_sigalg"):
        assert getattr(pair.client, name)() == getattr(pair.server, name)(), name
    return {
        "group": pair.client.group(),
        "client_sigalg": pair.client.client_sigalg(),
        "server_sigalg": pair.client.server_sigalg(),
    }


def _testing_context(rsa_certs, client_cert=False):
    server, client = rsa_certs
    client_ctx = client_context(ssl_bio, server)
    server_ctx = server_context(ssl_bio, server)
    if client_cert:
        client_ctx.load_cert_chain(client.certfile, client.keyfile)
        server_ctx.verify_mode = ssl_bio.CERT_REQUIRED
        server_ctx.load_verify_locations(client.cafile)
    return client_ctx, server_ctx


def test_threaded_groups(rsa_certs):
    client_ctx, server_ctx = _testing_context(rsa_certs)
    server_ctx.set_groups("secp384r1")
    server_ctx.minimum_version = ssl_bio.TLSVersion.TLSv1_3
    assert _server_params_test(client_ctx, server_ctx)["group"] == "secp384r1"

    client_ctx, server_ctx = _testing_context(rsa_certs)
    client_ctx.set_groups("secp384r1")
    server_ctx.minimum_version = ssl_bio.TLSVersion.TLSv1_3
    assert _server_params_test(client_ctx, server_ctx)["group"] == "secp384r1"

    client_ctx, server_ctx = _testing_context(rsa_certs)
    client_ctx.set_groups("prime256v1")
    server_ctx.set_groups("secp384r1")
    server_ctx.minimum_version = ssl_bio.TLSVersion.TLSv1_3
    with pytest.raises(ssl_bio.SSLError):
        _server_params_test(client_ctx, server_ctx)


def test_threaded_client_sigalgs(rsa_certs):
    client_ctx, server_ctx = _testing_context(rsa_certs)
    assert _server_params_test(client_ctx, server_ctx)["client_sigalg"] is None

    sigalg = "rsa_pss_rsae_sha384"
    client_ctx, server_ctx = _testing_context(rsa_certs, client_cert=True)
    client_ctx.set_client_sigalgs(sigalg)
    assert _server_params_test(client_ctx, server_ctx)["client_sigalg"] == sigalg


def test_threaded_client_sigalgs_mismatch(rsa_certs):
    client_ctx, server_ctx = _testing_context(rsa_certs, client_cert=True)
    client_ctx.set_client_sigalgs("rsa_pss_rsae_sha256")
    server_ctx.set_client_sigalgs("rsa_pss_rsae_sha384")
    with pytest.raises(ssl_bio.SSLError):
        _server_params_test(client_ctx, server_ctx)


def test_threaded_server_sigalgs(rsa_certs):
    sigalg = "rsa_pss_rsae_sha384"
    client_ctx, server_ctx = _testing_context(rsa_certs)
    server_ctx.set_server_sigalgs(sigalg)
    assert _server_params_test(client_ctx, server_ctx)["server_sigalg"] == sigalg

    client_ctx, server_ctx = _testing_context(rsa_certs)
    client_ctx.set_server_sigalgs(sigalg)
    assert _server_params_test(client_ctx, server_ctx)["server_sigalg"] == sigalg


def test_threaded_server_sigalgs_mismatch(rsa_certs):
    client_ctx, server_ctx = _testing_context(rsa_certs)
    client_ctx.set_server_sigalgs("rsa_pss_rsae_sha256")
    server_ctx.set_server_sigalgs("rsa_pss_rsae_sha384")
    with pytest.raises(ssl_bio.SSLError):
        _server_params_test(client_ctx, server_ctx)


# --- queries of negotiated state never crash ------------------------------------------
# SSL_get0_group_name() dereferenced the missing session before a handshake on
# every OpenSSL from 3.2 on (SIGSEGV); each query is asked in every state here.

QUERIES = (
    "group",
    "client_sigalg",
    "server_sigalg",
    "cipher",
    "shared_ciphers",
    "version",
    "compression",
    "selected_alpn_protocol",
    "session_reused",
    "pending",
)


def _ask_everything(conn):
    answers = {name: outcome(getattr(conn, name)) for name in QUERIES}
    for kind in ssl_bio.CHANNEL_BINDING_TYPES:
        answers[kind] = outcome(conn.get_channel_binding, kind)
    answers["peercert"] = outcome(conn.getpeercert)
    return answers


def test_queries_before_during_and_after_a_handshake_never_crash(certs):
    pair = _pair(certs)
    for conn in (pair.client, pair.server):
        before = _ask_everything(conn)
        assert before["group"] == ("ok", None)
        assert before["cipher"] == ("ok", None)
    # During: the client has sent its ClientHello, the server has not answered.
    with pytest.raises(ssl_bio.SSLWantReadError):
        pair.client.do_handshake()
    pair.pump()
    with pytest.raises(ssl_bio.SSLWantReadError):
        pair.server.do_handshake()
    for conn in (pair.client, pair.server):
        _ask_everything(conn)
    pair.handshake()
    for conn in (pair.client, pair.server):
        assert _ask_everything(conn)["group"][0] == "ok"
    pair.unwrap_both()
    for conn in (pair.client, pair.server):
        _ask_everything(conn)


def test_queries_after_a_failed_handshake_never_crash(certs):
    pair = _pair(certs, client={"set_groups": "P-384"}, server={"set_groups": "P-256"})
    client_error, server_error = pair.handshake_errors()
    assert client_error is not None or server_error is not None
    for conn in (pair.client, pair.server):
        answers = _ask_everything(conn)
        assert answers["group"][0] == "ok"
