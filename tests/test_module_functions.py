"""Module-level functions against the stdlib: certificate helpers, RAND_*, alerts."""

import ssl

import pytest
from test_arguments import BAD_VALUES, assert_matches_stdlib, run

import ssl_bio
from conftest import assert_same_as_stdlib, outcome

CERT_TIMES = [
    "Jan  5 09:34:43 2018 GMT",
    "jan  5 09:34:43 2018 GMT",  # any case
    "Dec 31 23:59:60 2016 GMT",  # a leap second
    "May  9 00:00:00 2007 GMT",
    "Feb 29 12:00:00 2024 GMT",
    "Feb 30 12:00:00 2023 GMT",
    "Foo  5 09:34:43 2018 GMT",
    "Jan  5 09:34:43 2018",
    "Jan 35 09:34:43 2018 GMT",
    "Jan  5 09:34:43 2018 UTC",
    "",
    b"Jan  5 09:34:43 2018 GMT",
    5,
    None,
]


@pytest.mark.parametrize("cert_time", CERT_TIMES, ids=repr)
def test_cert_time_to_seconds(cert_time):
    def scenario(mod):
        return run(lambda: mod.cert_time_to_seconds(cert_time))

    assert_same_as_stdlib(scenario)
    if cert_time == CERT_TIMES[0]:
        assert ssl_bio.cert_time_to_seconds(cert_time) == 1515144883


def test_cert_time_to_seconds_ignores_the_locale(monkeypatch):
    import locale

    for name in ("de_DE.UTF-8", "fr_FR.UTF-8", "C.UTF-8"):
        try:
            previous = locale.setlocale(locale.LC_TIME, name)
        except locale.Error:
            continue
        try:
            assert ssl_bio.cert_time_to_seconds("Mar  1 00:00:00 2020 GMT") == 1583020800
        finally:
            locale.setlocale(locale.LC_TIME, previous)


def test_pem_and_der_round_trip(certs):
    with open(certs.cafile) as f:
        pem = f.read()

    def scenario(mod):
        der = mod.PEM_cert_to_DER_cert(pem)
        again = mod.DER_cert_to_PEM_cert(der)
        return der, again, mod.PEM_cert_to_DER_cert(again) == der

    der, again, same = assert_same_as_stdlib(scenario)
    assert same and der[:1] == b"\x30"  # a DER SEQUENCE
    assert again.startswith(ssl_bio.PEM_HEADER + "\n")
    assert again.endswith(ssl_bio.PEM_FOOTER + "\n")
    assert max(len(line) for line in again.splitlines()) == 64


PEM_INPUTS = {
    "not-pem": "abc",
    "bytes": b"-----BEGIN CERTIFICATE-----",
    "no-footer": "-----BEGIN CERTIFICATE-----\nAAA=\n",
    "short": "-----BEGIN CERTIFICATE-----\nAAA=\n-----END CERTIFICATE-----\n",
    "spaces-around": "-----BEGIN CERTIFICATE-----\nAAA=\n-----END CERTIFICATE-----  \n\n",
    "leading-space": " -----BEGIN CERTIFICATE-----\nAAA=\n-----END CERTIFICATE-----\n",
    "non-ascii": "-----BEGIN CERTIFICATE-----\nAA\u00e9A=\n-----END CERTIFICATE-----\n",
    "bad-padding": "-----BEGIN CERTIFICATE-----\nAAAAA\n-----END CERTIFICATE-----\n",
    "None": None,
}


@pytest.mark.parametrize("name", sorted(PEM_INPUTS))
def test_pem_cert_to_der_cert_errors(name):
    def scenario(mod):
        return run(lambda: mod.PEM_cert_to_DER_cert(PEM_INPUTS[name]))

    assert_same_as_stdlib(scenario)


def test_der_cert_to_pem_cert_inputs():
    inputs = {"empty": b"", "long": b"x" * 100, "memoryview": memoryview(b"xyz"), **BAD_VALUES}

    def scenario(mod):
        return {name: outcome(mod.DER_cert_to_PEM_cert, value) for name, value in inputs.items()}

    # An empty certificate: 3.15's (base64 wrapcol) leaves an empty line between the markers.
    ours = assert_same_as_stdlib(scenario, since=(3, 15))
    assert ours["empty"] == ("ok", f"{ssl_bio.PEM_HEADER}\n\n{ssl_bio.PEM_FOOTER}\n")


@pytest.mark.parametrize(
    "environment",
    [
        {},
        {"SSL_CERT_FILE": "CAFILE"},
        {"SSL_CERT_DIR": "CAPATH"},
        {"SSL_CERT_FILE": "/nonexistent"},
    ],
    ids=["defaults", "cafile-env", "capath-env", "missing-file"],
)
def test_get_default_verify_paths(monkeypatch, tmp_path, certs, environment):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    for name, value in environment.items():
        value = {"CAFILE": certs.cafile, "CAPATH": str(tmp_path)}.get(value, value)
        monkeypatch.setenv(name, value)

    paths = assert_same_as_stdlib(lambda mod: tuple(mod.get_default_verify_paths()))
    assert ssl_bio.get_default_verify_paths()._fields == ssl.DefaultVerifyPaths._fields
    if "SSL_CERT_FILE" in environment:
        expected = None if environment["SSL_CERT_FILE"] == "/nonexistent" else certs.cafile
        assert paths[0] == expected


@pytest.mark.parametrize("n", [0, 1, 16, 65536])
def test_rand_bytes(n):
    data = ssl_bio.RAND_bytes(n)
    assert type(data) is bytes and len(data) == n
    if n >= 16:
        assert data != ssl_bio.RAND_bytes(n)


def test_rand_arguments():
    def scenario(mod):
        results = {
            f"RAND_bytes({k})": run(lambda v=v: mod.RAND_bytes(v)) for k, v in BAD_VALUES.items()
        }
        results["RAND_bytes(2**31)"] = run(lambda: mod.RAND_bytes(2**31))
        for k, v in BAD_VALUES.items():
            results[f"RAND_add({k}, 1.0)"] = run(lambda v=v: mod.RAND_add(v, 1.0))
            results[f"RAND_add(b'x', {k})"] = run(lambda v=v: mod.RAND_add(b"x", v))
        results["RAND_add(str)"] = run(lambda: mod.RAND_add("text \u00e9", 0.5))
        results["RAND_add(bytearray)"] = run(lambda: mod.RAND_add(bytearray(100), 75.0))
        results["RAND_add(empty)"] = run(lambda: mod.RAND_add(b"", 0))
        results["RAND_add(huge entropy)"] = run(lambda: mod.RAND_add(b"x", 2**2000))
        return results

    assert_matches_stdlib(scenario)  # messages as 3.13's, classes on every Python
    assert ssl_bio.RAND_status() is True  # a bool since 3.10 (an int before)


def test_alert_descriptions_match_stdlib():
    ours = {m.name: int(m) for m in ssl_bio.AlertDescription}
    theirs = {m.name: int(m) for m in ssl.AlertDescription}
    assert ours == theirs
    for name, value in ours.items():
        assert getattr(ssl_bio, name) is ssl_bio.AlertDescription[name]
        assert getattr(ssl_bio, name) == getattr(ssl, name) == value
        assert name in ssl_bio.__all__
