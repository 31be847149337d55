"""Client certificates: the peer's chains, and TLS 1.3 post-handshake auth."""

import pytest

import ssl_bio
from conftest import Pair, assert_same_as_stdlib, client_context, describe_error, server_context


def _client_auth_pair(mod, certs, client_certs, *, with_cert=True, **server_settings):
    client_ctx = client_context(mod, certs)
    if with_cert:
        client_ctx.load_cert_chain(client_certs.certfile, client_certs.keyfile)
    server_ctx = server_context(mod, certs, **server_settings)
    server_ctx.load_verify_locations(client_certs.cafile)
    return Pair(mod, client_ctx, server_ctx)


@pytest.mark.parametrize("server_verify", ["CERT_REQUIRED", "CERT_NONE"])
def test_peer_chains_match_stdlib(certs, client_certs, server_verify):
    def scenario(mod):
        pair = _client_auth_pair(mod, certs, client_certs, verify_mode=getattr(mod, server_verify))
        before = (pair.client.get_verified_chain(), pair.client.get_unverified_chain())
        pair.handshake()
        return (
            before,
            pair.client.get_verified_chain(),
            pair.client.get_unverified_chain(),
            pair.server.get_verified_chain(),
            pair.server.get_unverified_chain(),
        )

    before, client_verified, client_sent, server_verified, server_sent = assert_same_as_stdlib(
        scenario, since=(3, 13)
    )
    assert before == ([], [])
    leaf = ssl_bio.PEM_cert_to_DER_cert(certs.leaf.cert_chain_pems[0].bytes().decode())
    ca = ssl_bio.PEM_cert_to_DER_cert(open(certs.cafile).read())
    assert client_verified == [leaf, ca]  # the chain as built, up to the trust anchor
    assert client_sent[0] == leaf
    if server_verify == "CERT_REQUIRED":
        client_leaf = client_certs.leaf.cert_chain_pems[0].bytes().decode()
        assert server_sent[0] == ssl_bio.PEM_cert_to_DER_cert(client_leaf)
        assert server_verified[-1] == ca
    else:
        assert server_sent == server_verified == []


def _pha_exchange(mod, pair):
    """Server asks for the certificate after the handshake; the client answers."""
    results = [describe_error(_error_of(pair.server.verify_client_post_handshake))]
    pair.server.write(b"request")  # carries the CertificateRequest
    pair.pump()
    results.append(pair.client.read())  # answers it
    pair.client.write(b"answer")
    pair.pump()
    results.append(_error_of(pair.server.read))
    peer = _error_of(pair.server.getpeercert)
    results.append(dict(x[0] for x in peer["subject"]) if isinstance(peer, dict) and peer else peer)
    return results


def _error_of(function):
    try:
        return function()
    except Exception as exc:  # noqa: BLE001 - compared
        return describe_error(exc)


@pytest.mark.parametrize(
    "client_pha, server_pha, verify_mode, with_cert",
    [
        (True, True, "CERT_REQUIRED", True),
        (True, True, "CERT_OPTIONAL", True),
        (True, True, "CERT_REQUIRED", False),  # the client has no certificate to give
        (False, True, "CERT_REQUIRED", True),  # the client did not offer PHA
        (True, False, "CERT_REQUIRED", True),  # the server did not enable it
        (True, True, "CERT_NONE", True),  # no SSL_VERIFY_POST_HANDSHAKE (bpo-37428)
    ],
)
def test_post_handshake_auth_matches_stdlib(
    certs, client_certs, client_pha, server_pha, verify_mode, with_cert
):
    def scenario(mod):
        pair = _client_auth_pair(mod, certs, client_certs, with_cert=with_cert)
        pair.client.context.post_handshake_auth = client_pha
        pair.server.context.post_handshake_auth = server_pha
        pair.server.context.verify_mode = getattr(mod, verify_mode)
        # The settings apply to objects made after them: make the pair again.
        pair = Pair(mod, pair.client.context, pair.server.context)
        pair.handshake()
        during_handshake = pair.server.getpeercert()
        return bool(during_handshake), _pha_exchange(mod, pair)

    during_handshake, results = assert_same_as_stdlib(scenario)
    # With PHA on the server, no certificate is asked for during the handshake.
    assert during_handshake == (not server_pha and verify_mode != "CERT_NONE" and with_cert)
    if client_pha and server_pha and verify_mode != "CERT_NONE" and with_cert:
        assert results[0] is None and results[1] == b"request"
        assert results[2] == b"answer" and results[3]["commonName"] == "client"


def test_verify_client_post_handshake_on_a_client_fails_like_stdlib(make_pair):
    def scenario(mod):
        pair = make_pair(mod, client_settings={"post_handshake_auth": True})
        pair.handshake()
        return _error_of(pair.client.verify_client_post_handshake)

    assert assert_same_as_stdlib(scenario)[0] == "SSLError"
