"""Error classes, messages, EOF handling and certificate verification failures."""

import ssl

import pytest

import ssl_bio
from conftest import (
    Pair,
    assert_same_as_stdlib,
    client_context,
    describe_error,
    eof_scenarios,
    server_context,
)
from ssl_bio._binding import lib

ERROR_CLASSES = [
    "SSLError",
    "SSLZeroReturnError",
    "SSLWantReadError",
    "SSLWantWriteError",
    "SSLSyscallError",
    "SSLEOFError",
    "SSLCertVerificationError",
]


@pytest.mark.parametrize("name", ERROR_CLASSES)
def test_every_error_class_is_a_stdlib_subclass(name):
    ours = getattr(ssl_bio, name)
    assert issubclass(ours, getattr(ssl, name))
    assert issubclass(ours, ssl_bio.SSLError)
    assert issubclass(ours, ssl.SSLError)


def test_certificate_error_alias():
    assert ssl_bio.CertificateError is ssl_bio.SSLCertVerificationError
    assert issubclass(ssl_bio.CertificateError, ssl.CertificateError)
    assert issubclass(ssl_bio.CertificateError, ValueError)


def test_reason_table_comes_from_openssl_headers():
    from ssl_bio._errors import LIB_NAMES, REASON_NAMES

    assert LIB_NAMES[lib.ERR_LIB_SSL] == "SSL"
    assert LIB_NAMES[lib.ERR_LIB_PEM] == "PEM"
    key = (lib.ERR_LIB_SSL, lib.SSL_R_CERTIFICATE_VERIFY_FAILED)
    assert REASON_NAMES[key] == "CERTIFICATE_VERIFY_FAILED"
    # Names the upper-cased reason strings get wrong are right here.
    assert "MISSING_SRP_PARAM" in REASON_NAMES.values()
    assert len(REASON_NAMES) > 1000


def handshake_failure(mod, client_ctx, server_ctx, hostname):
    pair = Pair(mod, client_ctx, server_ctx, server_hostname=hostname)
    try:
        pair.handshake()
    except ssl.SSLError as exc:
        return exc
    return None


@pytest.mark.parametrize(
    "case, hostname, expected_code",
    [
        ("unknown-ca", "localhost", 20),
        ("wrong-host", "example.org", 62),
        ("wrong-ip", "10.0.0.1", 64),
        ("wrong-ipv6", "::2", 64),
        ("good-ip", "127.0.0.1", None),
        ("good-ipv6", "::1", None),
        ("upper-case-host", "LOCALHOST", None),
    ],
)
def test_verification_matches_stdlib(certs, other_ca_certs, case, hostname, expected_code):
    server_certs = other_ca_certs if case == "unknown-ca" else certs

    def scenario(mod):
        exc = handshake_failure(
            mod, client_context(mod, certs), server_context(mod, server_certs), hostname
        )
        if expected_code is None:
            assert exc is None
        else:
            assert isinstance(exc, ssl.SSLCertVerificationError)
            assert exc.verify_code == expected_code
        return describe_error(exc)

    assert_same_as_stdlib(scenario)


def test_verification_error_message_form(certs):
    exc = handshake_failure(
        ssl_bio, client_context(ssl_bio, certs), server_context(ssl_bio, certs), "example.org"
    )
    assert isinstance(exc, ssl_bio.SSLCertVerificationError)
    assert exc.errno == 1
    assert exc.library == "SSL" and exc.reason == "CERTIFICATE_VERIFY_FAILED"
    assert exc.verify_message == ("Hostname mismatch, certificate is not valid for 'example.org'.")
    assert str(exc) == (
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname "
        "mismatch, certificate is not valid for 'example.org'. (ssl_bio:do_handshake)"
    )


def test_server_sees_the_client_alert(certs, other_ca_certs):
    def scenario(mod):
        pair = Pair(mod, client_context(mod, certs), server_context(mod, other_ca_certs))
        with pytest.raises(ssl.SSLCertVerificationError):
            pair.handshake()
        pair.pump()
        with pytest.raises(ssl.SSLError) as info:
            pair.server.do_handshake()
        return describe_error(info.value)

    assert assert_same_as_stdlib(scenario)[0] == "SSLError"


def test_eof_and_close_semantics_match_stdlib(certs):
    # Before gh-95494 (3.11) the stdlib read a ragged EOF as b''.
    assert_same_as_stdlib(eof_scenarios, certs, since=(3, 11))


def test_eof_semantics_are_313s(certs):
    results = eof_scenarios(ssl_bio, certs)
    eof = "EOF occurred in violation of protocol"
    assert results["server-eof-at-start"][:4] == (
        "SSLEOFError",
        8,
        "SSL",
        "UNEXPECTED_EOF_WHILE_READING",
    )
    assert results["ragged-eof"][0] == b"data"
    assert results["ragged-eof"][1] == (
        "SSLEOFError",
        8,
        "SSL",
        "UNEXPECTED_EOF_WHILE_READING",
        None,
        None,
        f"[SSL: UNEXPECTED_EOF_WHILE_READING] {eof}",
    )
    assert results["ragged-eof"][2] == ("SSLEOFError", 8, None, None, None, None, eof)
    assert results["clean-close"][:2] == [b"", b""]
    assert results["clean-close"][3] == 0
    assert results["read-after-own-close"][:2] == ("SSLZeroReturnError", 6)
    assert results["write-after-own-close"][3] == "PROTOCOL_IS_SHUTDOWN"
    assert results["unwrap-before-handshake"][3] == "SHUTDOWN_WHILE_IN_INIT"
    assert results["garbage"][0] == "SSLError"


def test_error_queue_is_clean_after_every_failure(certs, other_ca_certs):
    pair = Pair(ssl_bio, client_context(ssl_bio, certs), server_context(ssl_bio, other_ca_certs))
    with pytest.raises(ssl_bio.SSLCertVerificationError):
        pair.handshake()
    assert lib.ERR_peek_last_error() == 0
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    with pytest.raises(ssl_bio.SSLError):
        ctx.set_ciphers("no-such-cipher")
    assert lib.ERR_peek_last_error() == 0
    with pytest.raises(ssl_bio.SSLError):
        ctx.load_cert_chain(other_ca_certs.cafile)  # a certificate without its key
    assert lib.ERR_peek_last_error() == 0
    with pytest.raises(ssl_bio.SSLError):
        ctx.load_verify_locations(cadata="junk")
    assert lib.ERR_peek_last_error() == 0


def test_every_raised_ssl_error_is_a_stdlib_ssl_error(certs, other_ca_certs):
    """Collect the errors the scenarios above raise and check their classes."""
    raised = []
    for scenario in eof_scenarios(ssl_bio, certs).values():
        raised.append(scenario)
    pair = Pair(ssl_bio, client_context(ssl_bio, certs), server_context(ssl_bio, other_ca_certs))
    try:
        pair.handshake()
    except Exception as exc:  # noqa: BLE001 - the class is what is checked
        assert isinstance(exc, ssl.SSLError)
    else:
        raise AssertionError("handshake should fail")
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
    for call in (
        lambda: ctx.set_ciphers("nope"),
        lambda: ctx.set_alpn_protocols([""]),
        lambda: ctx.load_verify_locations(cadata=b"junk"),
        lambda: ssl_bio.MemoryBIO().write_eof() or _written_after_eof(),
    ):
        with pytest.raises(ssl.SSLError):
            call()


def _written_after_eof():
    bio = ssl_bio.MemoryBIO()
    bio.write_eof()
    bio.write(b"x")


def test_error_queue_is_clean_after_successful_calls(certs, tmp_path):
    """A call that succeeds leaves nothing behind for the next OpenSSL user."""
    checks = []

    def check(label):
        checks.append((label, lib.ERR_peek_last_error()))

    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
    check("new context")
    ctx.set_default_verify_paths()  # may probe missing default locations
    check("set_default_verify_paths")
    ctx.load_default_certs()
    check("load_default_certs")
    ctx.load_verify_locations(certs.cafile)
    check("load_verify_locations(cafile)")
    ctx.load_verify_locations(cadata=open(certs.cafile).read() * 2)  # duplicates
    check("load_verify_locations(cadata)")
    ctx.load_verify_locations(capath=str(tmp_path))
    check("load_verify_locations(capath)")
    server = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(certs.certfile, certs.keyfile)
    check("load_cert_chain")
    server.set_ciphers("ECDHE+AESGCM")
    check("set_ciphers")
    pair = Pair(ssl_bio, ctx, server, server_hostname="127.0.0.1")
    check("wrap_bio with an IP address")
    pair.handshake()
    check("handshake")
    pair.send(pair.client, pair.server, b"x" * 100000)
    check("transfer")
    pair.client.getpeercert()
    check("getpeercert")
    assert [label for label, code in checks if code] == []
