"""SSLContext configuration, compared with the stdlib's."""

import ssl
import warnings

import pytest
from cryptography.hazmat.primitives import serialization

import ssl_bio
from conftest import Pair, assert_same_as_stdlib, outcome, stdlib_is_reference
from versions import DEFAULT_MINIMUM_VERSION, STDLIB_OPENSSL_DIFFERS

PROTOCOLS = ["PROTOCOL_TLS_CLIENT", "PROTOCOL_TLS_SERVER", "PROTOCOL_TLS"]


def test_protocol_constants_are_sslmethod_members_as_the_stdlib():
    """PROTOCOL_* are members of the IntEnum _SSLMethod: name, repr, value, and
    what SSLContext.protocol gives back (CPython's test_sslmethod and
    test_constructor check the same)."""

    def scenario(mod):
        described = []
        for name in PROTOCOLS + ["PROTOCOL_SSLv23", "PROTOCOL_TLSv1_2"]:
            value = getattr(mod, name)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                protocol = mod.SSLContext(value).protocol
            described.append(
                (name, type(value).__name__, value.name, int(value), repr(value), protocol is value)
            )
        return described

    described = assert_same_as_stdlib(scenario)
    assert ("PROTOCOL_TLS_CLIENT", "_SSLMethod", "PROTOCOL_TLS_CLIENT", 16) == described[0][:4]


def defaults(mod, protocol):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ctx = mod.SSLContext(getattr(mod, protocol))
    return {
        "warnings": [(w.category, str(w.message)) for w in caught],
        "protocol": (int(ctx.protocol), type(ctx.protocol).__name__),
        "verify_mode": (ctx.verify_mode, repr(ctx.verify_mode)),
        "check_hostname": ctx.check_hostname,
        "options": (int(ctx.options), repr(ctx.options)),
        "minimum_version": repr(ctx.minimum_version),
        "maximum_version": repr(ctx.maximum_version),
        "verify_flags": (int(ctx.verify_flags), repr(ctx.verify_flags)),
        "hostname_checks_common_name": ctx.hostname_checks_common_name,
    }


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_defaults_match_stdlib(protocol):
    # 3.10 raised the minimum version to TLS 1.2 and changed the default options.
    result = assert_same_as_stdlib(defaults, protocol, since=(3, 10))
    assert result["minimum_version"] == DEFAULT_MINIMUM_VERSION


def test_context_without_protocol_warns_like_stdlib():
    # The deprecation warnings are new in 3.10.
    messages, protocol = assert_same_as_stdlib(defaults_no_protocol, since=(3, 10))
    assert len(messages) == 2 and protocol == ssl_bio.PROTOCOL_TLS


def defaults_no_protocol(mod):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ctx = mod.SSLContext()
    return [str(w.message) for w in caught], int(ctx.protocol)


@pytest.mark.parametrize("value", [99, -1, "x", 2.0, None])
def test_bad_protocol_matches_stdlib(value):
    def scenario(mod):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            result = outcome(mod.SSLContext, value)
        return result if result[0] == "error" else int(result[1].protocol)

    assert_same_as_stdlib(scenario, since=(3, 10))  # error wording changed in 3.10


def coupling(mod):
    ctx = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
    steps = [outcome(setattr, ctx, "verify_mode", mod.CERT_NONE)]
    ctx.check_hostname = False
    steps.append(outcome(setattr, ctx, "verify_mode", mod.CERT_NONE))
    steps.append((ctx.verify_mode, ctx.check_hostname))
    ctx.check_hostname = True  # raises verification back to CERT_REQUIRED
    steps.append((ctx.verify_mode, ctx.check_hostname))
    ctx.check_hostname = False
    ctx.verify_mode = mod.CERT_OPTIONAL
    ctx.check_hostname = 1  # stays CERT_OPTIONAL
    steps.append((ctx.verify_mode, ctx.check_hostname))
    for value in (5, -1, "x", 2.0, None):
        steps.append(outcome(setattr, ctx, "verify_mode", value))
    steps.append(outcome(setattr, ctx, "check_hostname", []))
    steps.append((ctx.verify_mode, ctx.check_hostname))
    return steps


def test_verify_mode_and_check_hostname_coupling_matches_stdlib():
    # The argument-parsing TypeError wording is 3.10's.
    steps = assert_same_as_stdlib(coupling, since=(3, 10))
    assert steps[0][1][0] == "ValueError"


def version_bounds(mod):
    ctx = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
    steps = []
    values = [
        mod.TLSVersion.TLSv1_3,
        mod.TLSVersion.TLSv1_2,
        mod.TLSVersion.MINIMUM_SUPPORTED,
        mod.TLSVersion.MAXIMUM_SUPPORTED,
        mod.TLSVersion.TLSv1_1,
        0x305,
        "x",
        2**40,
    ]
    for attribute in ("minimum_version", "maximum_version"):
        for value in values:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = outcome(setattr, ctx, attribute, value)
            if result[0] == "error" and result[1][0] == "OverflowError":
                # The interpreter's conversion wording (3.14: Argument Clinic's).
                result = ("error", "OverflowError")
            steps.append(
                (attribute, result, repr(getattr(ctx, attribute)), [str(w.message) for w in caught])
            )
    return steps


def test_version_bounds_match_stdlib():
    # The TLSVersion deprecation warnings are new in 3.10.
    assert_same_as_stdlib(version_bounds, since=(3, 10))


def options_changes(mod):
    ctx = mod.SSLContext(mod.PROTOCOL_TLS_SERVER)
    steps = []
    for change in (
        lambda o: o | mod.OP_NO_TICKET,
        lambda o: o & ~mod.OP_NO_COMPRESSION,
        lambda o: o | mod.OP_NO_TLSv1_1,
        lambda o: o,
    ):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = outcome(setattr, ctx, "options", change(ctx.options))
        steps.append((result, int(ctx.options), [str(w.message) for w in caught]))
    ctx.verify_flags |= mod.VERIFY_X509_STRICT
    steps.append(repr(ctx.verify_flags))
    ctx.verify_flags &= ~mod.VERIFY_X509_TRUSTED_FIRST
    steps.append(repr(ctx.verify_flags))
    steps.append(outcome(setattr, ctx, "verify_flags", "x"))
    ctx.verify_flags = -1  # wraps to an unsigned long, as the stdlib's "k"
    steps.append(int(ctx.verify_flags))
    ctx.verify_flags = 0
    steps.append(int(ctx.verify_flags))
    ctx.hostname_checks_common_name = True
    steps.append(ctx.hostname_checks_common_name)
    ctx.hostname_checks_common_name = False
    steps.append(ctx.hostname_checks_common_name)
    return steps


def test_options_and_flags_match_stdlib():
    # 3.10 changed the default options and added the deprecation warnings.
    assert_same_as_stdlib(options_changes, since=(3, 10))


@pytest.mark.parametrize(
    "value, error",
    [
        (-1, ValueError("Cannot convert negative int")),
        (2**64, OverflowError("Python int too large for C unsigned long long")),
        ("x", TypeError("argument must be int, not str")),
    ],
)
def test_options_argument_checks_are_315s(value, error):
    # 3.9-3.12 parse options as a C long; 3.13 as unsigned 64 bits (negative:
    # OverflowError); 3.14 and ssl_bio as a uint64_t (negative: ValueError).
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    with pytest.raises(type(error), match=str(error)):
        ctx.options = value
    ctx.options = 2**63
    assert ctx.options & 2**63


@pytest.mark.parametrize(
    "ciphers",
    ["ECDHE+AESGCM", "no-such-cipher", "", b"ECDHE", 5, "a\0b"],
)
def test_set_ciphers_matches_stdlib(ciphers):
    def scenario(mod):
        return outcome(mod.SSLContext(mod.PROTOCOL_TLS_CLIENT).set_ciphers, ciphers)

    assert_same_as_stdlib(scenario)


@pytest.mark.parametrize(
    "protocols",
    [["h2", "http/1.1"], [], [""], ["x" * 256], ["x" * 255], [b"h2"], 5, ["é"]],
)
def test_set_alpn_protocols_matches_stdlib(protocols):
    def scenario(mod):
        return outcome(mod.SSLContext(mod.PROTOCOL_TLS_CLIENT).set_alpn_protocols, protocols)

    assert_same_as_stdlib(scenario)


def test_load_verify_locations_matches_stdlib(certs, tmp_path):
    junk = tmp_path / "junk.pem"
    junk.write_text("junk")
    pem = open(certs.cafile).read()
    der = ssl.PEM_cert_to_DER_cert(pem)
    cases = [
        {},
        {"cafile": certs.cafile},
        {"cafile": str(tmp_path / "missing.pem")},
        {"cafile": str(junk)},
        {"cafile": 5},
        {"cafile": "a\0b"},
        {"capath": str(tmp_path)},
        {"capath": 5},
        {"cadata": pem},
        {"cadata": pem + pem},
        {"cadata": der},
        {"cadata": bytearray(der + der)},
        {"cadata": memoryview(der)},
        {"cadata": "junk"},
        {"cadata": b"junk"},
        {"cadata": ""},
        {"cadata": b""},
        {"cadata": "é"},
        {"cadata": 5},
        {"cadata": pem + "junk"},
        {"cadata": der + b"junk"},
        {"cadata": memoryview(b"ab" * 10).cast("B", (2, 10))},
    ]

    def scenario(mod):
        ctx = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
        return [outcome(ctx.load_verify_locations, **case) for case in cases]

    assert_same_as_stdlib(scenario)


def test_cadata_der_and_pem_both_verify(certs):
    pem = open(certs.cafile).read()
    for cadata in (pem, ssl.PEM_cert_to_DER_cert(pem)):
        client = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
        client.load_verify_locations(cadata=cadata)
        server = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
        server.load_cert_chain(certs.certfile, certs.keyfile)
        Pair(ssl_bio, client, server).handshake()


@pytest.fixture(scope="module")
def encrypted_key(tmp_path_factory, certs):
    """The server key, encrypted with the password 'secret'."""
    key = serialization.load_pem_private_key(certs.leaf.private_key_pem.bytes(), None)
    path = tmp_path_factory.mktemp("keys") / "encrypted.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    return str(path)


def failing_callback():
    raise ZeroDivisionError("from the password callback")


PASSWORDS = {
    "str": "secret",
    "bytes": b"secret",
    "bytearray": bytearray(b"secret"),
    "callable-str": lambda: "secret",
    "callable-bytes": lambda: b"secret",
    "wrong": "wrong",
    "callable-wrong-type": lambda: 42,
    "wrong-type": 42,
    "too-long": "x" * 2000,
    "callable-too-long": lambda: "x" * 2000,
    "callable-raises": failing_callback,
}


@pytest.mark.parametrize("name", sorted(PASSWORDS))
def test_load_cert_chain_passwords_match_stdlib(certs, encrypted_key, name):
    password = PASSWORDS[name]

    def scenario(mod):
        ctx = mod.SSLContext(mod.PROTOCOL_TLS_SERVER)
        return outcome(ctx.load_cert_chain, certs.certfile, encrypted_key, password=password)

    result = assert_same_as_stdlib(scenario)
    correct = ("str", "bytes", "bytearray", "callable-str", "callable-bytes")
    assert (result[0] == "ok") == (name in correct)


def test_password_callback_exception_is_raised_not_lost(certs, encrypted_key):
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    with pytest.raises(ZeroDivisionError, match="from the password callback"):
        ctx.load_cert_chain(certs.certfile, encrypted_key, password=failing_callback)
    # The context still works afterwards.
    ctx.load_cert_chain(certs.certfile, encrypted_key, password="secret")


def test_encrypted_key_without_password_never_prompts(certs, encrypted_key):
    # The stdlib lets OpenSSL prompt on the terminal here; ssl_bio fails instead.
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    with pytest.raises(ssl_bio.SSLError):
        ctx.load_cert_chain(certs.certfile, encrypted_key)


def test_load_cert_chain_errors_match_stdlib(certs, other_ca_certs, tmp_path):
    junk = tmp_path / "junk.pem"
    junk.write_text("junk")
    cases = [
        (certs.certfile, certs.keyfile),
        (certs.combined, None),
        (str(tmp_path / "missing.pem"), None),
        (certs.certfile, str(tmp_path / "missing.pem")),
        (str(junk), None),
        (certs.certfile, str(junk)),
        (certs.certfile, other_ca_certs.keyfile),  # key does not match
        (5, None),
        (certs.certfile, 5),
        ("a\0b", None),
    ]

    def scenario(mod):
        ctx = mod.SSLContext(mod.PROTOCOL_TLS_SERVER)
        return [outcome(ctx.load_cert_chain, cert, key) for cert, key in cases]

    # 3.15's FileNotFoundError names the file; before it, compare all but messages.
    results = assert_same_as_stdlib(scenario, since=(3, 15))
    if not stdlib_is_reference(since=(3, 15)) and stdlib_is_reference():

        def classes(outcomes):
            return [(kind, value[:2] if kind == "error" else value) for kind, value in outcomes]

        assert classes(results) == classes(scenario(ssl))
    assert [result[0] for result in results[:2]] == ["ok", "ok"]


def test_pathlike_paths(certs):
    import pathlib

    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pathlib.Path(certs.certfile), pathlib.Path(certs.keyfile))
    ctx.load_verify_locations(pathlib.Path(certs.cafile))
    ctx.load_verify_locations(certs.cafile.encode())


def create_default_summary(mod, purpose_name, **kw):
    ctx = mod.create_default_context(getattr(mod.Purpose, purpose_name), **kw)
    return (
        int(ctx.protocol),
        ctx.verify_mode,
        ctx.check_hostname,
        int(ctx.options),
        int(ctx.verify_flags),
        ctx.minimum_version,
    )


def stdlib_313_default_summary(purpose, **kw):
    """The stdlib's create_default_context as 3.13 makes it, on any Python."""
    summary = list(create_default_summary(ssl, purpose, **kw))
    # 3.13 added VERIFY_X509_PARTIAL_CHAIN | VERIFY_X509_STRICT.
    summary[4] |= int(ssl_bio.VERIFY_X509_PARTIAL_CHAIN | ssl_bio.VERIFY_X509_STRICT)
    return tuple(summary)


@pytest.mark.parametrize("purpose", ["SERVER_AUTH", "CLIENT_AUTH"])
@pytest.mark.parametrize("cafile", [False, True])
def test_create_default_context_matches_stdlib(purpose, cafile, certs, monkeypatch):
    monkeypatch.delenv("SSLKEYLOGFILE", raising=False)
    kw = {"cafile": certs.cafile} if cafile else {}
    ours = create_default_summary(ssl_bio, purpose, **kw)
    assert ours[4] & ssl_bio.VERIFY_X509_STRICT
    # 3.10 changed the default options and minimum version.
    if stdlib_is_reference(since=(3, 10)):
        assert ours == stdlib_313_default_summary(purpose, **kw)


def test_create_default_context_argument_errors():
    result = assert_same_as_stdlib(lambda mod: outcome(mod.create_default_context, "x"))
    assert result[1][0] == "TypeError"
    # A stdlib Purpose works too, for code that mixes the two modules.
    ctx = ssl_bio.create_default_context(ssl.Purpose.CLIENT_AUTH)
    assert ctx.protocol == ssl_bio.PROTOCOL_TLS_SERVER


def test_create_default_context_verifies_with_cadata(certs):
    client = ssl_bio.create_default_context(cadata=open(certs.cafile).read())
    server = ssl_bio.create_default_context(ssl_bio.Purpose.CLIENT_AUTH)
    server.load_cert_chain(certs.certfile, certs.keyfile)
    pair = Pair(ssl_bio, client, server)
    pair.handshake()
    assert pair.client.version() == "TLSv1.3"


def test_default_paths_and_certs():
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
    ctx.set_default_verify_paths()
    ctx.load_default_certs()
    ctx.load_default_certs(ssl_bio.Purpose.CLIENT_AUTH)
    with pytest.raises(TypeError):
        ctx.load_default_certs("server")


def test_purpose_matches_stdlib():
    for name in ("SERVER_AUTH", "CLIENT_AUTH"):
        assert tuple(getattr(ssl_bio.Purpose, name)) == tuple(getattr(ssl.Purpose, name))


@pytest.mark.parametrize(
    "name",
    ["Options", "VerifyFlags", "VerifyMode", "TLSVersion", "SSLErrorNumber"],
)
def test_enums_match_stdlib(name):
    if not stdlib_is_reference():
        pytest.skip("PyPy's ssl module defines its own set of enum members")
    ours = {k: int(v) for k, v in getattr(ssl_bio, name).__members__.items()}
    theirs = {k: int(v) for k, v in getattr(ssl, name).__members__.items()}
    # Python 3.12 added OP_LEGACY_SERVER_CONNECT and OP_ENABLE_KTLS to the stdlib.
    assert {k: v for k, v in ours.items() if k in theirs} == theirs


def test_module_constants_match_stdlib():
    if not stdlib_is_reference():
        pytest.skip("PyPy's ssl module defines its own set of constants")
    for name in dir(ssl):
        if name.startswith(("PROTOCOL_", "CERT_", "OP_", "VERIFY_", "SSL_ERROR_")) or name in (
            "OPENSSL_VERSION",
            "OPENSSL_VERSION_INFO",
            "OPENSSL_VERSION_NUMBER",
            "HAS_SNI",
            "HAS_ALPN",
            "HAS_NPN",
            "HAS_ECDH",
            "HAS_SSLv2",
            "HAS_SSLv3",
            "HAS_TLSv1",
            "HAS_TLSv1_1",
            "HAS_TLSv1_2",
            "HAS_TLSv1_3",
        ):
            if STDLIB_OPENSSL_DIFFERS and name.startswith("OPENSSL_VERSION"):
                continue  # two OpenSSL versions in one process: each names its own
            assert getattr(ssl_bio, name) == getattr(ssl, name), name
    # Beyond the stdlib: the same list, then 'tls-exporter' and 'tls-server-end-point'.
    assert ssl_bio.CHANNEL_BINDING_TYPES[: len(ssl.CHANNEL_BINDING_TYPES)] == (
        ssl.CHANNEL_BINDING_TYPES
    )
    assert ssl_bio.CHANNEL_BINDING_TYPES[-2:] == ["tls-exporter", "tls-server-end-point"]


def test_every_option_is_exported():
    from ssl_bio import _constants

    assert set(_constants._option_values()) <= set(ssl_bio.__all__)
    for name in _constants._option_values():
        assert isinstance(getattr(ssl_bio, name), ssl_bio.Options)
