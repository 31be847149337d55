"""SNI and password callbacks: the stdlib's contract, and errors that surface.

Where the stdlib only prints a callback's exception (sys.unraisablehook) and
fails the handshake, ssl_bio fails it the same way -- the peer sees the same
alert -- and raises the exception from the SSLObject call that ran the
callback (README, deliberate differences).
"""

import gc
import ssl
import sys
import weakref

import pytest

import ssl_bio
from conftest import (
    Pair,
    assert_same_as_stdlib,
    client_context,
    describe_error,
    server_context,
    stdlib_is_reference,
)


@pytest.fixture
def sni_setup(certs, other_ca_certs):
    """sni(mod, callback, server_hostname) -> (calls, pair outcome, client peercert)."""

    def run(mod, callback, server_hostname="localhost", unraisable=None):
        calls = []
        server_ctx = server_context(mod, certs)
        other_ctx = server_context(mod, other_ca_certs)

        def recording(sslobj, server_name, ctx):
            calls.append((type(sslobj).__name__, server_name, ctx is server_ctx))
            return callback(sslobj, server_name, ctx, other_ctx)

        server_ctx.sni_callback = recording
        client_ctx = client_context(mod, certs)
        client_ctx.load_verify_locations(other_ca_certs.cafile)
        if server_hostname is None:
            client_ctx.check_hostname = False
        pair = Pair(mod, client_ctx, server_ctx, server_hostname=server_hostname)
        seen = []
        previous = sys.unraisablehook
        sys.unraisablehook = seen.append
        try:
            client_error, server_error = pair.handshake_errors()
        finally:
            sys.unraisablehook = previous
        if unraisable is not None:
            unraisable.extend(type(u.exc_value).__name__ for u in seen)
        issuer = None
        if client_error is None:
            issuer = dict(x[0] for x in pair.client.getpeercert()["issuer"])
        return calls, describe_error(client_error), server_error, issuer

    return run


def test_sni_callback_sees_the_name_and_can_switch_certificates(sni_setup):
    def switch(sslobj, server_name, ctx, other_ctx):
        sslobj.context = other_ctx
        assert sslobj.context is other_ctx

    def keep(sslobj, server_name, ctx, other_ctx):
        pass

    def scenario(mod):
        switched = sni_setup(mod, switch)
        kept = sni_setup(mod, keep)
        return switched[:3], kept[:3], switched[3] == kept[3]

    switched, kept, same_issuer = assert_same_as_stdlib(scenario)
    assert switched == kept == ([("SSLObject", "localhost", True)], None, None)
    assert not same_issuer  # the other context's certificate was served


def test_sni_callback_without_a_name(sni_setup):
    def keep(sslobj, server_name, ctx, other_ctx):
        return None

    def scenario(mod):
        calls, client_error, server_error, _ = sni_setup(mod, keep, server_hostname=None)
        return calls, client_error, server_error

    assert assert_same_as_stdlib(scenario) == ([("SSLObject", None, True)], None, None)


def test_sni_callback_alert_reaches_the_client(sni_setup):
    def refuse(sslobj, server_name, ctx, other_ctx):
        return ssl.ALERT_DESCRIPTION_ACCESS_DENIED

    def scenario(mod):
        calls, client_error, server_error, _ = sni_setup(mod, refuse)
        return client_error, describe_error(server_error)

    client_error, server_error = assert_same_as_stdlib(scenario)
    assert client_error[3] == "TLSV1_ALERT_ACCESS_DENIED"
    assert server_error[0] == "SSLError"


@pytest.mark.parametrize(
    "returned, alert, exception",
    [
        (RuntimeError("boom"), "SSLV3_ALERT_HANDSHAKE_FAILURE", RuntimeError),
        ("not a number", "TLSV1_ALERT_INTERNAL_ERROR", TypeError),
        (2**70, "TLSV1_ALERT_INTERNAL_ERROR", OverflowError),
    ],
)
def test_sni_callback_failures_alert_the_client_and_surface(sni_setup, returned, alert, exception):
    def failing(sslobj, server_name, ctx, other_ctx):
        if isinstance(returned, BaseException):
            raise returned
        return returned

    results = {}
    for mod in (ssl_bio, ssl):
        unraisable = []
        _, client_error, server_error, _ = sni_setup(mod, failing, unraisable=unraisable)
        results[mod.__name__] = (client_error, server_error, unraisable)

    client_error, server_error, unraisable = results["ssl_bio"]
    assert client_error[3] == alert
    assert isinstance(server_error, exception)  # raised, not printed
    assert unraisable == []
    if stdlib_is_reference():
        stdlib_client, stdlib_server, stdlib_unraisable = results["ssl"]
        assert client_error == stdlib_client  # the peer sees the same alert
        assert isinstance(stdlib_server, ssl.SSLError)
        assert stdlib_unraisable == [exception.__name__]


def test_sni_callback_may_drop_every_other_reference(certs):
    holder = {}

    def callback(sslobj, server_name, ctx):
        # The last outside references to the object, both contexts and the
        # callback itself go away while the handshake runs.
        holder.clear()
        ctx.sni_callback = None
        gc.collect()

    server_ctx = server_context(ssl_bio, certs)
    server_ctx.sni_callback = callback
    pair = Pair(ssl_bio, client_context(ssl_bio, certs), server_context(ssl_bio, certs))
    pair.server = server_ctx.wrap_bio(pair.s_in, pair.s_out, server_side=True)
    holder.update(ctx=server_ctx, server=pair.server)
    del server_ctx
    pair.handshake()
    assert pair.send(pair.client, pair.server, b"alive") == b"alive"


def test_sni_callback_cycle_is_collected():
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)

    def callback(sslobj, server_name, context, cycle=ctx):
        pass

    ctx.set_servername_callback(callback)
    ref = weakref.ref(ctx)
    del ctx, callback
    gc.collect()
    assert ref() is None


def test_sni_callback_setters_check_like_the_stdlib():
    def scenario(mod):
        results = []
        server = mod.SSLContext(mod.PROTOCOL_TLS_SERVER)
        client = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
        for target, value in [
            (server, 4),
            (server, ""),
            (server, server),
            (server, None),
            (server, print),
            (client, print),
            (client, None),
        ]:
            for setter in ("sni_callback", "set_servername_callback"):
                try:
                    if setter == "sni_callback":
                        target.sni_callback = value
                    else:
                        target.set_servername_callback(value)
                    results.append(("ok", target.sni_callback is None))
                except Exception as exc:  # noqa: BLE001 - compared
                    results.append(describe_error(exc))
        try:
            server.set_servername_callback()
        except TypeError:
            results.append("TypeError without argument")
        return results

    assert_same_as_stdlib(scenario)
