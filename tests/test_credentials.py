"""Certificates and keys from memory, and PKCS#12: beyond the stdlib (bpo-16487).

``load_cert_chain(certdata=..., keydata=...)`` must do what the file form does
-- the same chain on the wire, the same errors for the same mistakes -- and
never touch the filesystem.
"""

import builtins
import io
import os
import tempfile

import pytest
import trustme
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import load_pem_x509_certificate

import ssl_bio
from conftest import Pair, outcome


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """A leaf under an intermediate CA: the certificates as PEM and DER, the key in every form."""
    root = trustme.CA()
    intermediate = root.create_child_ca()
    leaf = intermediate.issue_cert("localhost")
    directory = tmp_path_factory.mktemp("chain")
    root.cert_pem.write_to_path(str(directory / "root.pem"))
    pems = [blob.bytes() for blob in leaf.cert_chain_pems]
    key = serialization.load_pem_private_key(leaf.private_key_pem.bytes(), None)
    files = {
        "cafile": directory / "root.pem",
        "certfile": directory / "chain.pem",
        "keyfile": directory / "key.pem",
        "encrypted_keyfile": directory / "encrypted.pem",
    }
    files["certfile"].write_bytes(b"".join(pems))
    files["keyfile"].write_bytes(leaf.private_key_pem.bytes())
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    files["encrypted_keyfile"].write_bytes(encrypted)
    return {
        "files": {name: str(path) for name, path in files.items()},
        "pem": b"".join(pems),
        "der": b"".join(
            load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER) for pem in pems
        ),
        "key_pem": leaf.private_key_pem.bytes(),
        "key_der": key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        "key_der_encrypted": key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        ),
        "key_pem_encrypted": encrypted,
        "key": key,
        "certificates": [load_pem_x509_certificate(pem) for pem in pems],
    }


def served(server_ctx, cafile):
    """What a client sees of a server with this context: its chain, as DER."""
    client_ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
    client_ctx.load_verify_locations(cafile)
    pair = Pair(ssl_bio, client_ctx, server_ctx)
    pair.handshake()
    return (
        pair.client.getpeercert(binary_form=True),
        pair.client.get_verified_chain(),
        pair.client.get_unverified_chain(),
    )


@pytest.mark.parametrize(
    "certdata, keydata, password",
    [
        ("pem", "key_pem", None),
        ("pem_str", "key_pem", None),
        ("pem_with_key", None, None),
        ("der", "key_der", None),
        ("der", "key_pem_encrypted", "secret"),
        ("pem", "key_der_encrypted", b"secret"),
        ("pem", "key_pem_encrypted", lambda: "secret"),
        ("pem_bytearray", "key_der", None),
    ],
)
def test_a_server_from_memory_serves_what_the_files_serve(chain, certdata, keydata, password):
    files = chain["files"]
    from_files = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    from_files.load_cert_chain(files["certfile"], files["keyfile"])
    data = {
        "pem": chain["pem"],
        "pem_str": chain["pem"].decode("ascii"),
        "pem_with_key": chain["pem"] + chain["key_pem"],
        "pem_bytearray": bytearray(chain["pem"]),
        "der": chain["der"],
    }[certdata]
    from_memory = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    from_memory.load_cert_chain(
        certdata=data,
        keydata=None if keydata is None else chain[keydata],
        password=password,
    )
    expected = served(from_files, files["cafile"])
    assert len(expected[1]) == 3  # leaf, intermediate, root
    assert served(from_memory, files["cafile"]) == expected


def test_a_client_certificate_from_memory_passes_a_server_that_requires_one(chain):
    files = chain["files"]
    server_ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(files["certfile"], files["keyfile"])
    server_ctx.verify_mode = ssl_bio.CERT_REQUIRED
    server_ctx.load_verify_locations(files["cafile"])
    client_ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
    client_ctx.load_verify_locations(files["cafile"])
    client_ctx.load_cert_chain(certdata=chain["der"], keydata=chain["key_der"])
    pair = Pair(ssl_bio, client_ctx, server_ctx)
    pair.handshake()
    assert pair.server.getpeercert(binary_form=True) == _leaf_der(chain)
    assert len(pair.server.get_verified_chain()) == 3


def _leaf_der(chain):
    return chain["certificates"][0].public_bytes(serialization.Encoding.DER)


def _file_and_memory(chain, tmp_path, cert, key, password):
    """outcome() of load_cert_chain from files and from memory with the same bytes."""
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    certfile.write_bytes(cert)
    keyfile.write_bytes(key)
    results = []
    for form in ("files", "memory"):
        ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
        if form == "files":
            results.append(outcome(ctx.load_cert_chain, str(certfile), str(keyfile), password))
        else:
            results.append(
                outcome(ctx.load_cert_chain, certdata=cert, keydata=key, password=password)
            )
    return results


@pytest.mark.parametrize(
    "cert, key, password",
    [
        ("junk", "key_pem", None),
        ("pem", "junk", None),
        ("pem", "key_pem_encrypted", "wrong"),
        ("pem", "key_pem_encrypted", None),
        ("pem", "other_key", None),
        ("pem", "key_pem_encrypted", lambda: 5),
        ("empty_pem", "key_pem", None),
    ],
    ids=[
        "junk-cert",
        "junk-key",
        "wrong-password",
        "no-password",
        "mismatch",
        "bad-callback",
        "no-cert",
    ],
)
def test_the_same_errors_as_the_file_form(chain, tmp_path, cert, key, password):
    other = trustme.CA().issue_cert("localhost").private_key_pem.bytes()
    values = {
        "junk": b"not a certificate at all\n",
        "empty_pem": b"-----BEGIN NOTHING-----\n-----END NOTHING-----\n",
        "other_key": other,
    }
    from_files, from_memory = _file_and_memory(
        chain,
        tmp_path,
        values.get(cert, chain.get(cert)),
        values.get(key, chain.get(key)),
        password,
    )
    assert from_files[0] == "error"
    assert from_memory == from_files


def test_a_password_callback_exception_surfaces(chain):
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)

    def password():
        raise ZeroDivisionError("no password today")

    with pytest.raises(ZeroDivisionError, match="no password today"):
        ctx.load_cert_chain(
            certdata=chain["pem"], keydata=chain["key_pem_encrypted"], password=password
        )


def test_mixed_file_and_memory(chain):
    files = chain["files"]
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(files["certfile"], keydata=chain["key_der"])
    assert served(ctx, files["cafile"])[0] == _leaf_der(chain)
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certdata=chain["pem"], keyfile=files["keyfile"])
    assert len(served(ctx, files["cafile"])[1]) == 3
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    with pytest.raises(FileNotFoundError):
        ctx.load_cert_chain(files["certfile"] + ".missing", keydata=chain["key_der"])


def test_bad_arguments(chain):
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    files = chain["files"]
    cases = [
        ((files["certfile"],), {"certdata": chain["pem"]}, "TypeError"),
        ((), {"certdata": chain["pem"], "keyfile": files["keyfile"], "keydata": b"x"}, "TypeError"),
        ((), {"certdata": "caf\u00e9"}, "TypeError"),
        ((), {"certdata": 5}, "TypeError"),
        ((), {"certdata": b""}, "ValueError"),
        ((), {"certdata": chain["pem"], "keydata": 5}, "TypeError"),
        ((), {"certdata": chain["pem"], "keydata": chain["key_pem"], "password": 5}, "TypeError"),
        ((), {}, "TypeError"),  # no certificate at all: the stdlib's certfile error
    ]
    for args, kwargs, expected in cases:
        result = outcome(ctx.load_cert_chain, *args, **kwargs)
        assert result[0] == "error" and result[1][0] == expected, (args, kwargs, result)


def test_no_file_is_ever_opened(chain, monkeypatch):
    """Memory means memory: no open(), no os.open(), no temporary file."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"touched the filesystem: {args}")

    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    bundle = _bundle(chain, b"secret")  # made before: cryptography may read /dev/urandom
    with monkeypatch.context() as patched:
        for module, name in [
            (builtins, "open"),
            (io, "open"),
            (os, "open"),
            (tempfile, "mkstemp"),
            (tempfile, "mkdtemp"),
            (tempfile, "NamedTemporaryFile"),
            (tempfile, "TemporaryFile"),
            (tempfile, "SpooledTemporaryFile"),
        ]:
            patched.setattr(module, name, refuse)
        ctx.load_cert_chain(
            certdata=chain["pem"], keydata=chain["key_pem_encrypted"], password="secret"
        )
        ctx.load_cert_chain(
            certdata=chain["der"], keydata=chain["key_der_encrypted"], password="secret"
        )
        ctx.load_pkcs12(bundle, "secret")
    assert len(served(ctx, chain["files"]["cafile"])[1]) == 3


# --- PKCS#12 -----------------------------------------------------------------------------


def _bundle(chain, password):
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    leaf, *cas = chain["certificates"]
    return pkcs12.serialize_key_and_certificates(b"leaf", chain["key"], leaf, cas, encryption)


@pytest.mark.parametrize("password", [b"secret", None], ids=["with-password", "without"])
def test_load_pkcs12(chain, password):
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    ctx.load_pkcs12(_bundle(chain, password), None if password is None else password.decode())
    from_files = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    from_files.load_cert_chain(chain["files"]["certfile"], chain["files"]["keyfile"])
    cafile = chain["files"]["cafile"]
    assert served(ctx, cafile) == served(from_files, cafile)


def test_load_pkcs12_errors(chain):
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    bundle = _bundle(chain, b"secret")
    wrong = outcome(ctx.load_pkcs12, bundle, "wrong")
    assert wrong[0] == "error" and wrong[1][0] == "SSLError" and wrong[1][2] == "PKCS12", wrong
    assert outcome(ctx.load_pkcs12, bundle)[1][0] == "SSLError"  # the password is needed
    assert outcome(ctx.load_pkcs12, b"junk")[1][0] == "SSLError"
    assert outcome(ctx.load_pkcs12, "text")[1][0] == "TypeError"
    assert outcome(ctx.load_pkcs12, None)[1][0] == "TypeError"
    assert outcome(ctx.load_pkcs12, bundle, 5)[1][0] == "TypeError"
    assert outcome(ctx.load_pkcs12, bundle, "a\0b")[1][0] == "ValueError"
    # Nothing was loaded by the failures: a server with this context cannot serve.
    assert outcome(served, ctx, chain["files"]["cafile"])[0] == "error"
