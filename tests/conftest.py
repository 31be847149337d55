"""Shared fixtures: trustme certificates, both implementations, an in-memory pair.

Every certificate is made at test time by trustme; nothing is read from the
repository.  Differential tests take the ``impl`` fixture, which runs them once
with the stdlib ``ssl`` module and once with ``ssl_bio``.
"""

import platform
import re
import ssl
import sys

import pytest
import trustme

import ssl_bio
from versions import STDLIB_OPENSSL_DIFFERS

IMPLEMENTATIONS = {"ssl": ssl, "ssl_bio": ssl_bio}


def stdlib_is_reference(since=(3, 9), openssl_state=False):
    """Whether this interpreter's stdlib ssl behaves as ssl_bio should for a test.

    ssl_bio follows the newest CPython on every Python.  An older CPython's
    stdlib is no oracle for what changed after ``since``, and PyPy's ssl
    module (lib_pypy/_cffi_ssl) is a different implementation altogether.
    ``openssl_state``: the outcome is OpenSSL's own behaviour (what a failed
    connection reports next), so a stdlib on another OpenSSL than ssl_bio's
    (tests/versions.py, STDLIB_OPENSSL_DIFFERS) is no oracle either.
    """
    if openssl_state and STDLIB_OPENSSL_DIFFERS:
        return False
    return platform.python_implementation() == "CPython" and sys.version_info >= since


def assert_same_as_stdlib(scenario, *args, since=(3, 9), openssl_state=False, **kwargs):
    """Run ``scenario(module, ...)`` on ssl_bio and, where it is an oracle, the stdlib.

    The ssl_bio run happens on every interpreter (it must not fail anywhere);
    the comparison where the stdlib is a reference.  Returns ssl_bio's result.
    """
    ours = scenario(ssl_bio, *args, **kwargs)
    if stdlib_is_reference(since, openssl_state):
        assert ours == scenario(ssl, *args, **kwargs)
    return ours


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def impl(request):
    """The module under test: ``ssl`` or ``ssl_bio``."""
    return IMPLEMENTATIONS[request.param]


class CertFiles:
    """A trustme CA and a leaf certificate, written to PEM files."""

    def __init__(self, directory, ca, leaf, name):
        self.ca = ca
        self.leaf = leaf
        self.cafile = str(directory / f"{name}-ca.pem")
        self.certfile = str(directory / f"{name}-chain.pem")
        self.keyfile = str(directory / f"{name}-key.pem")
        self.combined = str(directory / f"{name}-combined.pem")
        ca.cert_pem.write_to_path(self.cafile)
        with open(self.certfile, "wb") as f:
            for blob in leaf.cert_chain_pems:
                f.write(blob.bytes())
        leaf.private_key_pem.write_to_path(self.keyfile)
        leaf.private_key_and_cert_chain_pem.write_to_path(self.combined)


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    """CA plus a server certificate for localhost, 127.0.0.1 and ::1."""
    directory = tmp_path_factory.mktemp("certs")
    ca = trustme.CA()
    leaf = ca.issue_cert("localhost", "127.0.0.1", "::1")
    return CertFiles(directory, ca, leaf, "server")


@pytest.fixture(scope="session")
def client_certs(tmp_path_factory, certs):
    """A client certificate from the same CA."""
    directory = tmp_path_factory.mktemp("client-certs")
    leaf = certs.ca.issue_cert("client@example.org", common_name="client")
    return CertFiles(directory, certs.ca, leaf, "client")


@pytest.fixture(scope="session")
def other_ca_certs(tmp_path_factory):
    """A certificate from a CA nobody trusts."""
    directory = tmp_path_factory.mktemp("other-certs")
    ca = trustme.CA()
    return CertFiles(directory, ca, ca.issue_cert("localhost"), "other")


@pytest.fixture(scope="session")
def other_name(tmp_path_factory, certs):
    """A second server certificate from the same CA, for other.example."""
    directory = tmp_path_factory.mktemp("other-name")
    return CertFiles(directory, certs.ca, certs.ca.issue_cert("other.example"), "other")


def client_context(mod, certs, **settings):
    ctx = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(certs.cafile)
    for name, value in settings.items():
        setattr(ctx, name, value)
    return ctx


def server_context(mod, certs, **settings):
    ctx = mod.SSLContext(mod.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certs.certfile, certs.keyfile)
    for name, value in settings.items():
        setattr(ctx, name, value)
    return ctx


class Pair:
    """A client and a server SSLObject joined by memory BIOs, pumped by hand."""

    def __init__(
        self, mod, client_ctx, server_ctx, server_hostname="localhost", bio_class=None, **kw
    ):
        self.mod = mod
        bio_class = bio_class or mod.MemoryBIO
        self.c_in, self.c_out = bio_class(), bio_class()
        self.s_in, self.s_out = bio_class(), bio_class()
        self.client = client_ctx.wrap_bio(
            self.c_in, self.c_out, server_hostname=server_hostname, **kw
        )
        self.server = server_ctx.wrap_bio(self.s_in, self.s_out, server_side=True)

    def pump(self):
        """Move every pending byte to the other side; return how many moved."""
        moved = 0
        data = self.c_out.read()
        if data:
            self.s_in.write(data)
            moved += len(data)
        data = self.s_out.read()
        if data:
            self.c_in.write(data)
            moved += len(data)
        return moved

    def handshake(self):
        """Drive both handshakes to completion (or raise the first error)."""
        done = {"client": False, "server": False}
        for _ in range(20):
            for name in ("client", "server"):
                if not done[name]:
                    try:
                        getattr(self, name).do_handshake()
                        done[name] = True
                    except self.mod.SSLWantReadError:
                        pass
            if not self.pump() and all(done.values()):
                return
        raise AssertionError("handshake did not finish")

    def handshake_errors(self, rounds=20):
        """Run both handshakes as far as they go: (client error, server error), None for success."""
        errors = {"client": None, "server": None}
        done = set()
        for _ in range(rounds):
            for name in ("client", "server"):
                if name in done or errors[name] is not None:
                    continue
                try:
                    getattr(self, name).do_handshake()
                    done.add(name)
                except self.mod.SSLWantReadError:
                    pass
                except Exception as exc:  # noqa: BLE001 - returned to the caller
                    errors[name] = exc
            if not self.pump():
                break
        return errors["client"], errors["server"]

    def unwrap_both(self):
        """An orderly close: the client's close_notify, the server's reply, both done."""
        try:
            self.client.unwrap()
        except self.mod.SSLWantReadError:
            pass
        self.pump()
        self.server.unwrap()
        self.pump()
        self.client.unwrap()

    def send(self, sender, receiver, data):
        """Write ``data`` on one side and read it all on the other."""
        sender.write(data)
        self.pump()
        chunks = []
        received = 0
        while received < len(data):
            try:
                chunk = receiver.read(65536)
            except self.mod.SSLWantReadError:
                if not self.pump():
                    raise
                continue
            chunks.append(chunk)
            received += len(chunk)
        return b"".join(chunks)


@pytest.fixture
def make_pair(certs):
    """make_pair(mod, **client_settings) -> a Pair over trustme certificates."""

    def factory(mod, client_settings=None, server_settings=None, **kw):
        return Pair(
            mod,
            client_context(mod, certs, **(client_settings or {})),
            server_context(mod, certs, **(server_settings or {})),
            **kw,
        )

    return factory


_LOCATION = re.compile(r" \((?:_ssl\.c:\d+|ssl_bio:[\w.]+)\)")


def describe_error(exc):
    """What two implementations must agree on for an exception."""
    if exc is None:
        return None
    # The stdlib's classes by identity: PyPy 3.11 defines them in _cffi_ssl.
    stdlib_classes = [c for c in type(exc).__mro__ if getattr(ssl, c.__name__, None) is c]
    reason, message = getattr(exc, "reason", None), _LOCATION.sub("", str(exc))
    if STDLIB_OPENSSL_DIFFERS and reason:
        # The stdlib on OpenSSL 3.x and ssl_bio on 4.0 name one alert two ways.
        reason = reason.replace("SSLV3_ALERT_", "TLS_ALERT_")
        message = re.sub(r"SSLV3_ALERT_", "TLS_ALERT_", message)
        message = re.sub(r"(sslv3|ssl/tls) alert", "tls alert", message)
    return (
        (stdlib_classes[0] if stdlib_classes else type(exc)).__name__,
        exc.args[0] if isinstance(exc, OSError) and len(exc.args) > 1 else None,
        getattr(exc, "library", None),
        reason,
        getattr(exc, "verify_code", None),
        getattr(exc, "verify_message", None),
        message,
    )


def outcome(func, *args, **kwargs):
    """("ok", result) or ("error", described exception)."""
    try:
        return ("ok", func(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - compared, not swallowed
        return ("error", describe_error(exc))


def eof_scenarios(mod, certs, bio_class=None):
    results = {}

    # EOF before the server received anything.
    pair = Pair(mod, client_context(mod, certs), server_context(mod, certs), bio_class=bio_class)
    pair.s_in.write_eof()
    results["server-eof-at-start"] = _first_error(pair.server.do_handshake)

    # EOF after the ClientHello, before the ServerHello.
    pair = Pair(mod, client_context(mod, certs), server_context(mod, certs), bio_class=bio_class)
    _first_error(pair.client.do_handshake)
    pair.c_in.write_eof()
    results["client-eof-in-handshake"] = _first_error(pair.client.do_handshake)

    # A ragged EOF after data: the peer vanished without close_notify.
    pair = Pair(mod, client_context(mod, certs), server_context(mod, certs), bio_class=bio_class)
    pair.handshake()
    pair.client.write(b"data")
    pair.pump()
    pair.s_in.write_eof()
    results["ragged-eof"] = [
        pair.server.read(),
        _first_error(pair.server.read),
        _first_error(pair.server.read),
    ]

    # A clean close: close_notify, then EOF.
    pair = Pair(mod, client_context(mod, certs), server_context(mod, certs), bio_class=bio_class)
    pair.handshake()
    _first_error(pair.client.unwrap)
    pair.pump()
    pair.s_in.write_eof()
    results["clean-close"] = [pair.server.read(), pair.server.read(), bytearray(3)]
    results["clean-close"].append(pair.server.read(3, results["clean-close"][-1]))
    results["write-after-peer-close"] = pair.server.write(b"still allowed")
    pair.server.unwrap()
    results["read-after-own-close"] = _first_error(pair.server.read)
    results["write-after-own-close"] = _first_error(pair.server.write, b"x")
    results["unwrap-again"] = _first_error(pair.server.unwrap)

    # Bytes that are not TLS at all.
    pair = Pair(mod, client_context(mod, certs), server_context(mod, certs), bio_class=bio_class)
    pair.s_in.write(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
    results["garbage"] = _first_error(pair.server.do_handshake)

    # unwrap before the handshake.
    pair = Pair(mod, client_context(mod, certs), server_context(mod, certs), bio_class=bio_class)
    results["unwrap-before-handshake"] = _first_error(pair.client.unwrap)
    return results


def _first_error(func, *args):
    try:
        return ("ok", func(*args))
    except ssl.SSLError as exc:
        return describe_error(exc)


def self_signed_files(directory, key, hash_algorithm, name="self-signed"):
    """A self-signed certificate for localhost with ``key``, signed with
    ``hash_algorithm`` (None for Ed25519), written as PEM files:
    ``(certificate, certfile, keyfile)``."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import NameOID

    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hash_algorithm)
    )
    certfile, keyfile = directory / f"{name}-cert.pem", directory / f"{name}-key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, str(certfile), str(keyfile)
