"""Exported keying material and channel bindings: beyond the stdlib (RFC 5705, 5929, 8446, 9266).

Both ends must agree; the values are recomputed independently -- the
server's certificate hashed with hashlib, 'tls-exporter' derived from the key
log with HKDF (TLS 1.3) or the TLS 1.2 PRF -- and ``tests/test_openssl_interop.py``
compares them with ``openssl s_client``/``s_server -keymatexport``.
"""

import hashlib
import hmac

import pytest
import trio
import trio.testing
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

import ssl_bio
from conftest import Pair, client_context, outcome, self_signed_files, server_context

VERSIONS = ["TLSv1_2", "TLSv1_3"]
# OpenSSL 3.0's SSL_OP_NO_EXTENDED_MASTER_SECRET (ssl_bio has no name for it).
NO_EXTENDED_MASTER_SECRET = 0x1


def make_pair(certs, version, client_settings=None, server_settings=None):
    client_ctx = client_context(ssl_bio, certs, **(client_settings or {}))
    client_ctx.maximum_version = getattr(ssl_bio.TLSVersion, version)
    return Pair(ssl_bio, client_ctx, server_context(ssl_bio, certs, **(server_settings or {})))


@pytest.mark.parametrize("version", VERSIONS)
def test_both_ends_agree(certs, version):
    pair = make_pair(certs, version)
    for cb_type in ssl_bio.CHANNEL_BINDING_TYPES:
        assert pair.client.get_channel_binding(cb_type) is None  # before the handshake
    pair.handshake()
    assert pair.client.version() == version.replace("_", ".")
    for cb_type in ssl_bio.CHANNEL_BINDING_TYPES:
        binding = pair.client.get_channel_binding(cb_type)
        assert binding and binding == pair.server.get_channel_binding(cb_type)
    assert len(pair.client.get_channel_binding("tls-exporter")) == 32
    for label in ("EXPERIMENTAL-ssl-bio", b"EXPERIMENTAL-ssl-bio"):
        for context in (None, b"", b"context"):
            for length in (1, 32, 1000):
                ours = pair.client.export_keying_material(label, length, context)
                assert len(ours) == length
                assert ours == pair.server.export_keying_material(label, length, context)
    # RFC 5705: on TLS 1.2 "no context" and an empty one differ; RFC 8446 7.5: not on 1.3.
    no_context = pair.client.export_keying_material("EXPERIMENTAL-x", 32)
    empty_context = pair.client.export_keying_material("EXPERIMENTAL-x", 32, b"")
    assert (no_context == empty_context) == (version == "TLSv1_3")
    assert no_context != pair.client.export_keying_material("EXPERIMENTAL-y", 32)


def test_a_new_connection_gets_new_bindings(certs):
    first, second = make_pair(certs, "TLSv1_3"), make_pair(certs, "TLSv1_3")
    first.handshake()
    second.handshake()
    assert first.client.get_channel_binding("tls-exporter") != second.client.get_channel_binding(
        "tls-exporter"
    )
    # ...but the same server certificate.
    assert first.client.get_channel_binding(
        "tls-server-end-point"
    ) == second.client.get_channel_binding("tls-server-end-point")


def test_tls_exporter_needs_the_extended_master_secret_on_tls12(certs):
    server_options = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER).options
    pair = make_pair(
        certs, "TLSv1_2", server_settings={"options": server_options | NO_EXTENDED_MASTER_SECRET}
    )
    pair.handshake()
    for side in (pair.client, pair.server):
        with pytest.raises(ValueError, match="extended master secret"):
            side.get_channel_binding("tls-exporter")
    # The other bindings and the exporter itself still work.
    assert pair.client.get_channel_binding("tls-unique")
    assert pair.client.export_keying_material("EXPERIMENTAL-x", 8)


def test_bad_arguments(certs):
    pair = make_pair(certs, "TLSv1_3")
    with pytest.raises(ValueError, match="handshake not done yet"):
        pair.client.export_keying_material("EXPERIMENTAL-x", 8)
    pair.handshake()
    export = pair.client.export_keying_material
    assert outcome(export, "EXPERIMENTAL-x", 0)[1][0] == "ValueError"
    assert outcome(export, "EXPERIMENTAL-x", -1)[1][0] == "ValueError"
    assert outcome(export, "EXPERIMENTAL-x", "8")[1][0] == "TypeError"
    assert outcome(export, "EXPERIMENTAL-x", 8.0)[1][0] == "TypeError"
    assert outcome(export, "EXPERIMENTAL-x", 2**31)[1][0] == "OverflowError"
    assert outcome(export, 5, 8)[1][0] == "TypeError"
    assert outcome(export, None, 8)[1][0] == "TypeError"
    assert outcome(export, "EXPERIMENTAL-\u00e9", 8)[1][0] == "ValueError"
    assert outcome(export, "EXPERIMENTAL-x", 8, "context")[1][0] == "TypeError"
    assert outcome(export, "EXPERIMENTAL-x", 8, 5)[1][0] == "TypeError"
    assert export("EXPERIMENTAL-x", 8, bytearray(b"c")) == export("EXPERIMENTAL-x", 8, b"c")
    assert export(bytearray(b"EXPERIMENTAL-x"), 8) == export("EXPERIMENTAL-x", 8)
    # TLS 1.3 exporters are HKDF-Expand: at most 255 hash lengths.
    error = outcome(export, "EXPERIMENTAL-x", 255 * 48 + 1)[1]
    assert error[0] == "SSLError"
    for bad in ("tls-unknown", "TLS-EXPORTER", ""):
        assert outcome(pair.client.get_channel_binding, bad)[1][0] == "ValueError"
    assert outcome(pair.client.get_channel_binding, b"tls-exporter")[1][0] == "TypeError"


# --- 'tls-exporter' recomputed from the key log -----------------------------------------


def _hkdf_expand_label(hash_name, secret, label, context, length):
    """RFC 8446 7.1."""
    full_label = b"tls13 " + label
    info = (
        length.to_bytes(2, "big")
        + bytes([len(full_label)])
        + full_label
        + bytes([len(context)])
        + context
    )
    output, block, counter = b"", b"", 1
    while len(output) < length:
        block = hmac.new(secret, block + info + bytes([counter]), hash_name).digest()
        output += block
        counter += 1
    return output[:length]


def _tls13_exporter(hash_name, exporter_secret, label, context, length):
    """RFC 8446 7.5.

    HKDF-Expand-Label(Derive-Secret(secret, label, ""), "exporter", Hash(context), length)
    """
    empty_hash = hashlib.new(hash_name, b"").digest()
    derived = _hkdf_expand_label(hash_name, exporter_secret, label, empty_hash, len(empty_hash))
    return _hkdf_expand_label(
        hash_name, derived, b"exporter", hashlib.new(hash_name, context).digest(), length
    )


def _tls12_prf(hash_name, secret, label, seed, length):
    """RFC 5246 5: P_hash(secret, label + seed)."""
    seed = label + seed
    output, a = b"", seed
    while len(output) < length:
        a = hmac.new(secret, a, hash_name).digest()
        output += hmac.new(secret, a + seed, hash_name).digest()
    return output[:length]


def _keylog(path):
    secrets = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            name, client_random, secret = line.split()
            secrets[name] = (bytes.fromhex(client_random), bytes.fromhex(secret))
    return secrets


@pytest.mark.parametrize("version", VERSIONS)
def test_tls_exporter_recomputed_from_the_key_log(certs, tmp_path, version):
    server_hello = []

    def trace(conn, direction, tls_version, content_type, msg_type, data):
        if msg_type == ssl_bio._TLSMessageType.SERVER_HELLO and direction == "read":
            server_hello.append(data)

    pair = make_pair(
        certs,
        version,
        client_settings={"keylog_filename": str(tmp_path / "keys.log"), "_msg_callback": trace},
    )
    pair.handshake()
    binding = pair.client.get_channel_binding("tls-exporter")
    cipher = pair.client.cipher()[0]
    hash_name = "sha384" if cipher.endswith("SHA384") else "sha256"
    secrets = _keylog(tmp_path / "keys.log")
    label = b"EXPERIMENTAL-recomputed"
    if version == "TLSv1_3":
        exporter_secret = secrets["EXPORTER_SECRET"][1]
        expected = _tls13_exporter(hash_name, exporter_secret, b"EXPORTER-Channel-Binding", b"", 32)
        other = _tls13_exporter(hash_name, exporter_secret, label, b"ctx", 40)
        assert other == pair.server.export_keying_material(label, 40, b"ctx")
    else:
        client_random, master_secret = secrets["CLIENT_RANDOM"]
        server_random = server_hello[0][6:38]  # type, 3-byte length, version, random
        seed = client_random + server_random
        context_part = (0).to_bytes(2, "big")  # an empty context, given (RFC 5705 4)
        expected = _tls12_prf(
            hash_name, master_secret, b"EXPORTER-Channel-Binding", seed + context_part, 32
        )
        no_context = _tls12_prf(hash_name, master_secret, label, seed, 40)
        assert no_context == pair.server.export_keying_material(label, 40)
    assert binding == expected


# --- 'tls-server-end-point': the hash of the server's certificate ---------------------


def _handshaken_with(certfile, keyfile):
    """A handshaken pair whose server uses this self-signed certificate, trusted by the client.

    At security level 0: a SHA-1 signature falls below the default one.
    """
    server_ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    server_ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    server_ctx.load_cert_chain(str(certfile), str(keyfile))
    client_ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
    client_ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    client_ctx.load_verify_locations(str(certfile))
    pair = Pair(ssl_bio, client_ctx, server_ctx)
    pair.handshake()
    return pair


@pytest.mark.parametrize(
    "make_key, hash_algorithm, expected_hash",
    [
        (lambda: ec.generate_private_key(ec.SECP256R1()), hashes.SHA256(), "sha256"),
        (lambda: ec.generate_private_key(ec.SECP384R1()), hashes.SHA384(), "sha384"),
        (lambda: rsa.generate_private_key(65537, 2048), hashes.SHA512(), "sha512"),
        (lambda: ed25519.Ed25519PrivateKey.generate(), None, None),
    ],
    ids=["ecdsa-sha256", "ecdsa-sha384", "rsa-sha512", "ed25519"],
)
def test_tls_server_end_point_hashes_the_server_certificate(
    tmp_path, make_key, hash_algorithm, expected_hash
):
    cert, certfile, keyfile = self_signed_files(tmp_path, make_key(), hash_algorithm)
    pair = _handshaken_with(certfile, keyfile)
    der = cert.public_bytes(serialization.Encoding.DER)
    assert pair.client.getpeercert(binary_form=True) == der
    if expected_hash is None:
        for side in (pair.client, pair.server):
            with pytest.raises(ValueError, match="undefined"):
                side.get_channel_binding("tls-server-end-point")
        return
    expected = hashlib.new(expected_hash, der).digest()
    assert pair.client.get_channel_binding("tls-server-end-point") == expected
    assert pair.server.get_channel_binding("tls-server-end-point") == expected


def test_tls_server_end_point_without_a_certificate():
    """PSK: no server certificate, no binding (None), as before a handshake."""

    def client_callback(hint):
        return ("client", b"\x01" * 32)

    client_ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
    client_ctx.check_hostname = False
    client_ctx.verify_mode = ssl_bio.CERT_NONE
    client_ctx.maximum_version = ssl_bio.TLSVersion.TLSv1_2
    client_ctx.set_ciphers("PSK")
    client_ctx.set_psk_client_callback(client_callback)
    server_ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    server_ctx.maximum_version = ssl_bio.TLSVersion.TLSv1_2
    server_ctx.set_ciphers("PSK")
    server_ctx.set_psk_server_callback(lambda identity: b"\x01" * 32)
    pair = Pair(ssl_bio, client_ctx, server_ctx, server_hostname=None)
    pair.handshake()
    assert pair.client.get_channel_binding("tls-server-end-point") is None
    assert pair.server.get_channel_binding("tls-server-end-point") is None
    assert pair.client.get_channel_binding("tls-exporter") == pair.server.get_channel_binding(
        "tls-exporter"
    )


def test_trio_forwards_the_new_binding_types(certs):
    """Trio's SSLStream.get_channel_binding passes the type to the SSLObject unchanged."""

    async def main():
        client_sock, server_sock = trio.testing.memory_stream_pair()
        client = trio.SSLStream(
            client_sock, client_context(ssl_bio, certs), server_hostname="localhost"
        )
        server = trio.SSLStream(server_sock, server_context(ssl_bio, certs), server_side=True)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(client.do_handshake)
            nursery.start_soon(server.do_handshake)
        return [
            (client.get_channel_binding(t), server.get_channel_binding(t))
            for t in ("tls-exporter", "tls-server-end-point")
        ]

    for client_binding, server_binding in trio.run(main):
        assert client_binding and client_binding == server_binding


def test_tls_server_end_point_of_a_sha1_certificate_is_sha256(tmp_path):
    """RFC 5929 4.1: MD5 and SHA-1 become SHA-256 (cryptography no longer signs with
    SHA-1: the certificate comes from ``openssl req``)."""
    import shutil
    import subprocess

    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command-line tool is not installed")
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-sha1", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"]
        + ["-keyout", str(keyfile), "-out", str(certfile)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    der = x509.load_pem_x509_certificate(certfile.read_bytes()).public_bytes(
        serialization.Encoding.DER
    )
    pair = _handshaken_with(certfile, keyfile)
    expected = hashlib.sha256(der).digest()
    assert pair.client.get_channel_binding("tls-server-end-point") == expected
    assert pair.server.get_channel_binding("tls-server-end-point") == expected
