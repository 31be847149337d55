"""getpeercert() decoding, compared field by field with the stdlib's decoder."""

import datetime
import ipaddress
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from conftest import stdlib_is_reference
from ssl_bio._cert import _test_decode_cert


def make_certificate(subject, extensions, serial=0x1234ABCD):
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Issuer CA")]))
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(datetime.datetime(2020, 2, 3, 4, 5, 6))
        .not_valid_after(datetime.datetime(2049, 12, 31, 23, 59, 59))
    )
    for extension in extensions:
        builder = builder.add_extension(extension, critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


RICH_SUBJECT = x509.Name(
    [
        x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COUNTRY_NAME, "DE")]),
        x509.RelativeDistinguishedName(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Grüße GmbH"),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Multi-valued RDN"),
            ]
        ),
        x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COMMON_NAME, "例え.jp")]),
        x509.RelativeDistinguishedName(
            [x509.NameAttribute(NameOID.EMAIL_ADDRESS, "admin@example.org")]
        ),
        x509.RelativeDistinguishedName(
            [x509.NameAttribute(x509.ObjectIdentifier("1.2.3.4.5.6"), "private attribute")]
        ),
    ]
)

RICH_EXTENSIONS = [
    x509.SubjectAlternativeName(
        [
            x509.DNSName("example.org"),
            x509.DNSName("*.example.org"),
            x509.IPAddress(ipaddress.ip_address("192.0.2.1")),
            x509.IPAddress(ipaddress.ip_address("2001:db8::1")),
            x509.RFC822Name("user@example.org"),
            x509.UniformResourceIdentifier("https://example.org/path"),
            x509.DirectoryName(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dir name")])),
            x509.RegisteredID(x509.ObjectIdentifier("1.2.3.4")),
            x509.OtherName(x509.ObjectIdentifier("1.2.3.5"), b"\x0c\x05hello"),
        ]
    ),
    x509.AuthorityInformationAccess(
        [
            x509.AccessDescription(
                AuthorityInformationAccessOID.OCSP,
                x509.UniformResourceIdentifier("http://ocsp.example.org/"),
            ),
            x509.AccessDescription(
                AuthorityInformationAccessOID.OCSP,
                x509.UniformResourceIdentifier("http://ocsp2.example.org/"),
            ),
            x509.AccessDescription(
                AuthorityInformationAccessOID.CA_ISSUERS,
                x509.UniformResourceIdentifier("http://ca.example.org/ca.der"),
            ),
        ]
    ),
    x509.CRLDistributionPoints(
        [
            x509.DistributionPoint(
                full_name=[
                    x509.UniformResourceIdentifier("http://crl.example.org/a.crl"),
                    x509.DNSName("not-a-uri.example.org"),
                ],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            ),
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier("ldap://crl.example.org/b")],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            ),
        ]
    ),
]

CASES = {
    "rich": (RICH_SUBJECT, RICH_EXTENSIONS),
    "bare": (x509.Name([]), []),
    "empty-san-list-free": (
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "only a name")]),
        [x509.SubjectAlternativeName([x509.DNSName("one.example")])],
    ),
    "aia-without-ocsp": (
        RICH_SUBJECT,
        [
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier("http://ca.example.org/only"),
                    )
                ]
            )
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_decode_matches_stdlib(tmp_path, name):
    subject, extensions = CASES[name]
    path = tmp_path / "cert.pem"
    path.write_bytes(make_certificate(subject, extensions))
    ours = _test_decode_cert(str(path))
    assert ours["issuer"] == ((("commonName", "Issuer CA"),),)
    if stdlib_is_reference():
        assert ours == ssl._ssl._test_decode_cert(str(path))
    if name == "rich":
        assert ours["subject"][1] == (
            ("organizationName", "Grüße GmbH"),
            ("organizationalUnitName", "Multi-valued RDN"),
        )
        assert ("IP Address", "2001:DB8:0:0:0:0:0:1") in ours["subjectAltName"]
        assert ours["OCSP"] == ("http://ocsp.example.org/", "http://ocsp2.example.org/")
        assert ours["crlDistributionPoints"] == (
            "http://crl.example.org/a.crl",
            "ldap://crl.example.org/b",
        )
        assert ours["notBefore"] == "Feb  3 04:05:06 2020 GMT"


def test_decode_bad_file(tmp_path):
    path = tmp_path / "junk.pem"
    path.write_text("junk")
    with pytest.raises(ssl.SSLError):
        _test_decode_cert(str(path))


class _LibWithoutMemory:
    """``lib`` as ``ssl_bio._cert`` sees it, but every BIO allocation fails."""

    def __init__(self, lib):
        self._lib = lib

    def __getattr__(self, name):
        if name in ("BIO_new", "BIO_new_mem_buf"):
            from ssl_bio._binding import ffi

            return lambda *args: ffi.NULL
        return getattr(self._lib, name)


def test_bio_allocation_failure_is_a_memory_error(certs, monkeypatch):
    """A BIO that OpenSSL cannot allocate is MemoryError, never a NULL for OpenSSL."""
    import ssl_bio
    import ssl_bio._cert
    from conftest import Pair, client_context, server_context

    pair = Pair(ssl_bio, client_context(ssl_bio, certs), server_context(ssl_bio, certs))
    pair.handshake()
    import ssl_bio._bio

    for module in (ssl_bio._cert, ssl_bio._bio):  # the BIOs it makes, and reading_bio()
        monkeypatch.setattr(module, "lib", _LibWithoutMemory(module.lib))
    with pytest.raises(MemoryError):
        pair.client.getpeercert()
    with pytest.raises(MemoryError):
        _test_decode_cert(certs.certfile)
    assert pair.client.getpeercert(binary_form=True)  # needs no BIO
