"""Certificate verification matrix: every case on the stdlib and on ssl_bio.

trustme cannot make expired, not-yet-valid, name-constrained, weak-keyed or
revoked certificates, so this module builds its PKI with ``cryptography``
(which trustme itself uses) at test time.  Each case is one handshake; the
outcome -- success, or the exception class, verify_code and message on each
side -- must be the stdlib's.
"""

import datetime
import ipaddress

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import ssl_bio
from conftest import Pair, assert_same_as_stdlib, describe_error

NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
DAY = datetime.timedelta(days=1)


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key(kind="ec"):
    if kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[3:]))


class Authority:
    """A CA (root or intermediate) that can issue leaves, children and CRLs."""

    def __init__(self, name, parent=None, permitted=None):
        self.key = _key()
        self.name = _name(name)
        builder = (
            x509.CertificateBuilder()
            .subject_name(self.name)
            .issuer_name(parent.name if parent else self.name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - 10 * DAY)
            .not_valid_after(NOW + 100 * DAY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False
            )
        )
        if parent is not None:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(parent.key.public_key()),
                critical=False,
            )
        if permitted:
            builder = builder.add_extension(
                x509.NameConstraints(
                    permitted_subtrees=[x509.DNSName(n) for n in permitted],
                    excluded_subtrees=None,
                ),
                critical=True,
            )
        signer = parent.key if parent else self.key
        self.cert = builder.sign(signer, hashes.SHA256())
        self.parent = parent
        self.revoked = []

    def issue(self, *names, key="ec", not_before=None, not_after=None, client=False):
        """A leaf for DNS names and IP addresses; returns (certificate, key)."""
        key = _key(key)
        sans = []
        for name in names:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                sans.append(x509.DNSName(name))
        usage = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(names[0] if names else "leaf"))
            .issuer_name(self.name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or NOW - DAY)
            .not_valid_after(not_after or NOW + 30 * DAY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
        )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return builder.sign(self.key, hashes.SHA256()), key

    def crl(self, revoked=()):
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.name)
            .last_update(NOW - DAY)
            .next_update(NOW + 30 * DAY)
        )
        for cert in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(cert.serial_number)
                .revocation_date(NOW - DAY)
                .build()
            )
        return builder.sign(self.key, hashes.SHA256())


def _pem(*objects):
    return b"".join(o.public_bytes(serialization.Encoding.PEM) for o in objects)


def _key_pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class Case:
    """One verification scenario, written to files in a temporary directory."""

    def __init__(
        self,
        chain,
        key,
        trust,
        hostname="server.test",
        client_flags=0,
        server_ciphers=None,
        client_cert=None,
        require_client_cert=False,
        client_trust=None,
    ):
        self.chain, self.key, self.trust = chain, key, trust
        self.hostname = hostname
        self.client_flags = client_flags
        self.server_ciphers = server_ciphers
        self.client_cert = client_cert
        self.require_client_cert = require_client_cert
        self.client_trust = client_trust


def _build_cases():
    root = Authority("Matrix Root")
    intermediate = Authority("Matrix Intermediate", parent=root)
    stranger = Authority("Stranger Root")
    constrained = Authority("Constrained Root", permitted=["allowed.test"])

    leaf, leaf_key = root.issue("server.test")
    via_intermediate, via_key = intermediate.issue("server.test")
    wildcard, wildcard_key = root.issue("*.wild.test")
    partial, partial_key = root.issue("f*.wild.test")
    ips, ips_key = root.issue("192.0.2.7", "2001:db8::7")
    idna, idna_key = root.issue("xn--bcher-kva.test")
    expired, expired_key = root.issue("server.test", not_before=NOW - 40 * DAY, not_after=NOW - DAY)
    future, future_key = root.issue("server.test", not_before=NOW + DAY, not_after=NOW + 40 * DAY)
    weak, weak_key = root.issue("server.test", key="rsa1024")
    allowed, allowed_key = constrained.issue("www.allowed.test")
    forbidden, forbidden_key = constrained.issue("www.forbidden.test")
    revoked, revoked_key = root.issue("server.test")
    client, client_key = root.issue("client.test", client=True)
    self_signed_key = _key()
    self_signed = (
        x509.CertificateBuilder()
        .subject_name(_name("server.test"))
        .issuer_name(_name("server.test"))
        .public_key(self_signed_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + 30 * DAY)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("server.test")]), False)
        .sign(self_signed_key, hashes.SHA256())
    )
    crl_with_leaf = _pem(root.cert) + _pem(root.crl([revoked]))
    crl_without_leaf = _pem(root.cert) + _pem(root.crl())
    trusted = _pem(root.cert)

    return {
        "valid": Case(_pem(leaf), leaf_key, trusted),
        "wrong-host": Case(_pem(leaf), leaf_key, trusted, hostname="other.test"),
        "wildcard-match": Case(_pem(wildcard), wildcard_key, trusted, hostname="a.wild.test"),
        "wildcard-bare-domain": Case(_pem(wildcard), wildcard_key, trusted, hostname="wild.test"),
        "wildcard-two-labels": Case(
            _pem(wildcard), wildcard_key, trusted, hostname="a.b.wild.test"
        ),
        "partial-wildcard": Case(_pem(partial), partial_key, trusted, hostname="foo.wild.test"),
        "ipv4-match": Case(_pem(ips), ips_key, trusted, hostname="192.0.2.7"),
        "ipv4-mismatch": Case(_pem(ips), ips_key, trusted, hostname="192.0.2.8"),
        "ipv6-match": Case(_pem(ips), ips_key, trusted, hostname="2001:db8:0:0::7"),
        "ipv6-mismatch": Case(_pem(ips), ips_key, trusted, hostname="2001:db8::8"),
        "ip-as-dns-name": Case(_pem(leaf), leaf_key, trusted, hostname="192.0.2.7"),
        "idna-u-label": Case(_pem(idna), idna_key, trusted, hostname="bücher.test"),
        "idna-a-label": Case(_pem(idna), idna_key, trusted, hostname="xn--bcher-kva.test"),
        "unknown-ca": Case(_pem(leaf), leaf_key, _pem(stranger.cert)),
        "self-signed": Case(_pem(self_signed), self_signed_key, trusted),
        "expired": Case(_pem(expired), expired_key, trusted),
        "not-yet-valid": Case(_pem(future), future_key, trusted),
        "intermediate-sent": Case(_pem(via_intermediate, intermediate.cert), via_key, trusted),
        "intermediate-missing": Case(_pem(via_intermediate), via_key, trusted),
        "chain-wrong-order": Case(
            _pem(via_intermediate, root.cert, intermediate.cert), via_key, trusted
        ),
        "intermediate-trusted-only": Case(_pem(via_intermediate), via_key, _pem(intermediate.cert)),
        "intermediate-trusted-partial-chain": Case(
            _pem(via_intermediate),
            via_key,
            _pem(intermediate.cert),
            client_flags=ssl_bio.VERIFY_X509_PARTIAL_CHAIN,
        ),
        "name-constraints-permitted": Case(
            _pem(allowed), allowed_key, _pem(constrained.cert), hostname="www.allowed.test"
        ),
        "name-constraints-violated": Case(
            _pem(forbidden), forbidden_key, _pem(constrained.cert), hostname="www.forbidden.test"
        ),
        "crl-revokes-leaf": Case(
            _pem(revoked), revoked_key, crl_with_leaf, client_flags=ssl_bio.VERIFY_CRL_CHECK_LEAF
        ),
        "crl-other-leaf": Case(
            _pem(leaf), leaf_key, crl_with_leaf, client_flags=ssl_bio.VERIFY_CRL_CHECK_LEAF
        ),
        "crl-empty": Case(
            _pem(revoked), revoked_key, crl_without_leaf, client_flags=ssl_bio.VERIFY_CRL_CHECK_LEAF
        ),
        "crl-missing": Case(
            _pem(leaf), leaf_key, trusted, client_flags=ssl_bio.VERIFY_CRL_CHECK_LEAF
        ),
        "crl-not-checked": Case(_pem(revoked), revoked_key, crl_with_leaf),
        "weak-key-at-seclevel-0-server": Case(
            _pem(weak), weak_key, trusted, server_ciphers="DEFAULT:@SECLEVEL=0"
        ),
        "client-cert-required-absent": Case(
            _pem(leaf), leaf_key, trusted, require_client_cert=True, client_trust=trusted
        ),
        "client-cert-required-present": Case(
            _pem(leaf),
            leaf_key,
            trusted,
            require_client_cert=True,
            client_trust=trusted,
            client_cert=(_pem(client), client_key),
        ),
        "client-cert-untrusted": Case(
            _pem(leaf),
            leaf_key,
            trusted,
            require_client_cert=True,
            client_trust=_pem(stranger.cert),
            client_cert=(_pem(client), client_key),
        ),
    }, (_pem(weak), weak_key)


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    cases, weak = _build_cases()
    directory = tmp_path_factory.mktemp("matrix")
    for name, case in list(cases.items()) + [("weak", None)]:
        chain, key = (case.chain, case.key) if case else weak
        (directory / f"{name}-chain.pem").write_bytes(chain)
        (directory / f"{name}-key.pem").write_bytes(_key_pem(key))
        if case:
            (directory / f"{name}-trust.pem").write_bytes(case.trust)
            if case.client_trust:
                (directory / f"{name}-client-trust.pem").write_bytes(case.client_trust)
            if case.client_cert:
                cert, client_key = case.client_cert
                (directory / f"{name}-client.pem").write_bytes(cert + _key_pem(client_key))
    return cases, directory


def _run_case(mod, case, name, directory):
    server_ctx = mod.SSLContext(mod.PROTOCOL_TLS_SERVER)
    if case.server_ciphers:
        server_ctx.set_ciphers(case.server_ciphers)
    server_ctx.load_cert_chain(directory / f"{name}-chain.pem", directory / f"{name}-key.pem")
    if case.require_client_cert:
        server_ctx.verify_mode = mod.CERT_REQUIRED
        server_ctx.load_verify_locations(directory / f"{name}-client-trust.pem")
    client_ctx = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
    client_ctx.load_verify_locations(directory / f"{name}-trust.pem")
    client_ctx.verify_flags |= case.client_flags
    if case.client_cert:
        client_ctx.load_cert_chain(directory / f"{name}-client.pem")
    pair = Pair(mod, client_ctx, server_ctx, server_hostname=case.hostname)
    client_error, server_error = pair.handshake_errors()
    after = None
    if client_error is None and server_error is None:
        # TLS 1.3 clients learn of a refused client certificate on their
        # first read; a successful connection carries data both ways.
        try:
            after = pair.send(pair.client, pair.server, b"ping")
            after = pair.send(pair.server, pair.client, b"pong")
        except Exception as exc:  # noqa: BLE001 - compared
            after = describe_error(exc)
    elif server_error is not None and client_error is None:
        try:
            pair.client.read()
        except Exception as exc:  # noqa: BLE001 - compared
            after = describe_error(exc)
    return describe_error(client_error), describe_error(server_error), after


EXPECTED_VERIFY_CODES = {
    "valid": None,
    "wrong-host": 62,
    "wildcard-match": None,
    "wildcard-bare-domain": 62,
    "wildcard-two-labels": 62,
    "partial-wildcard": 62,
    "ipv4-match": None,
    "ipv4-mismatch": 64,
    "ipv6-match": None,
    "ipv6-mismatch": 64,
    "ip-as-dns-name": 64,
    "idna-u-label": None,
    "idna-a-label": None,
    "unknown-ca": 20,
    "self-signed": 18,
    "expired": 10,
    "not-yet-valid": 9,
    "intermediate-sent": None,
    "intermediate-missing": 20,
    "chain-wrong-order": None,
    "intermediate-trusted-only": 2,
    "intermediate-trusted-partial-chain": None,
    "name-constraints-permitted": None,
    "name-constraints-violated": 47,
    "crl-revokes-leaf": 23,
    "crl-other-leaf": None,
    "crl-empty": None,
    "crl-missing": 3,
    "crl-not-checked": None,
    "weak-key-at-seclevel-0-server": 66,
    "client-cert-required-absent": None,
    "client-cert-required-present": None,
    "client-cert-untrusted": None,
}


@pytest.mark.parametrize("name", sorted(EXPECTED_VERIFY_CODES))
def test_verification_case_matches_stdlib(matrix, name):
    cases, directory = matrix
    case = cases[name]
    client, server, after = assert_same_as_stdlib(_run_case, case, name, directory)
    expected = EXPECTED_VERIFY_CODES[name]
    if expected is None and not name.startswith("client-cert"):
        assert (client, server, after) == (None, None, b"pong")
    elif expected is not None:
        assert client[0] == "SSLCertVerificationError"
        assert client[4] == expected, client
    elif name == "client-cert-required-present":
        assert (client, server, after) == (None, None, b"pong")
    else:  # the server refuses: the client certificate is absent or untrusted
        assert server is not None and server[0].startswith("SSL")


def test_weak_key_refused_at_the_default_security_level(matrix):
    _, directory = matrix

    def scenario(mod):
        ctx = mod.SSLContext(mod.PROTOCOL_TLS_SERVER)
        try:
            ctx.load_cert_chain(directory / "weak-chain.pem", directory / "weak-key.pem")
        except Exception as exc:  # noqa: BLE001 - compared
            return describe_error(exc)
        return None

    error = assert_same_as_stdlib(scenario)
    assert error[3] == "EE_KEY_TOO_SMALL"
