"""Callbacks from OpenSSL: SNI, key log, message trace, PSK; their errors surface.

Where the stdlib only prints a callback's exception (sys.unraisablehook) and
fails the handshake, ssl_bio fails it the same way -- the peer sees the same
alert, the SSLObject call raises the same SSLError -- and chains the
callback's exception to that SSLError as its ``__cause__`` (README,
deliberate differences).
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
from versions import alert_reason


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
        (RuntimeError("boom"), alert_reason("HANDSHAKE_FAILURE"), RuntimeError),
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
    assert isinstance(server_error, ssl_bio.SSLError)
    assert isinstance(server_error.__cause__, exception)  # chained, not printed
    assert unraisable == []
    if stdlib_is_reference():
        stdlib_client, stdlib_server, stdlib_unraisable = results["ssl"]
        assert client_error == stdlib_client  # the peer sees the same alert
        assert describe_error(server_error) == describe_error(stdlib_server)
        assert stdlib_unraisable == [exception.__name__]


def test_keyboard_interrupt_in_a_callback_is_raised_as_it_is(sni_setup):
    def interrupted(sslobj, server_name, ctx, other_ctx):
        raise KeyboardInterrupt

    # Not wrapped in an SSLError (handshake_errors() lets it through).
    with pytest.raises(KeyboardInterrupt):
        sni_setup(ssl_bio, interrupted)


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


# --- key log ---------------------------------------------------------------------


def _keylog_labels(path):
    lines = path.read_text().splitlines()
    assert lines[0] == "# TLS secrets log file, generated by OpenSSL / Python"
    return sorted(line.split()[0] for line in lines[1:])


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_keylog_writes_the_same_lines_as_the_stdlib(certs, tmp_path, version):
    def scenario(mod):
        path = tmp_path / f"{mod.__name__}-{version}.log"
        client_ctx = client_context(mod, certs)
        client_ctx.maximum_version = getattr(mod.TLSVersion, version)
        server_ctx = server_context(mod, certs)
        client_ctx.keylog_filename = str(path)
        server_ctx.keylog_filename = str(path)
        pair = Pair(mod, client_ctx, server_ctx)
        pair.handshake()
        client_random = None
        labels = _keylog_labels(path)
        for line in path.read_text().splitlines()[1:]:
            label, client_random, secret = line.split()
            assert len(bytes.fromhex(client_random)) == 32 and bytes.fromhex(secret)
        return labels

    labels = assert_same_as_stdlib(scenario)
    if version == "TLSv1_3":  # both sides log their five secrets
        assert labels.count("CLIENT_TRAFFIC_SECRET_0") == 2 and len(labels) == 10
    else:
        assert labels == ["CLIENT_RANDOM", "CLIENT_RANDOM"]


def test_keylog_write_error_surfaces(certs, tmp_path):
    path = tmp_path / "keys.log"
    client_ctx = client_context(ssl_bio, certs)
    client_ctx.keylog_filename = str(path)
    client_ctx._callbacks.keylog.file.close()  # every write now fails
    pair = Pair(ssl_bio, client_ctx, server_context(ssl_bio, certs))
    client_error, _ = pair.handshake_errors()
    assert isinstance(client_error, ValueError)  # the handshake itself went on


# --- message trace -----------------------------------------------------------------


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_msg_callback_sees_the_same_messages_as_the_stdlib(certs, version):
    def scenario(mod):
        seen = []

        def trace(conn, direction, tls_version, content_type, msg_type, data):
            assert isinstance(conn, mod.SSLObject) and isinstance(data, bytes)
            seen.append((direction, repr(tls_version), repr(content_type), repr(msg_type)))

        client_ctx = client_context(mod, certs)
        client_ctx.maximum_version = getattr(mod.TLSVersion, version)
        client_ctx._msg_callback = trace
        pair = Pair(mod, client_ctx, server_context(mod, certs))
        pair.handshake()
        pair.send(pair.client, pair.server, b"ping")
        pair.send(pair.server, pair.client, b"pong")
        pair.unwrap_both()
        # enum reprs name the module: compare across implementations by name.
        return [tuple(item.replace(mod.__name__ + ".", "") for item in entry) for entry in seen]

    seen = assert_same_as_stdlib(scenario)
    if version == "TLSv1_2":
        assert (
            "read",
            "<TLSVersion.TLSv1_2: 771>",
            "<_TLSContentType.HANDSHAKE: 22>",
            "<_TLSMessageType.SERVER_KEY_EXCHANGE: 12>",
        ) in seen
    assert any("CLOSE_NOTIFY" in entry[3] for entry in seen)


def test_msg_callback_runs_on_reads_after_the_handshake_and_its_errors_surface(certs):
    def trace(conn, direction, version, content_type, msg_type, data):
        # TLS 1.3 reports each record's inner content type: fail on data.
        if direction == "read" and content_type == ssl_bio._TLSContentType.INNER_CONTENT_TYPE:
            if msg_type == ssl_bio._TLSContentType.APPLICATION_DATA:
                raise ZeroDivisionError("from the trace")

    server_ctx = server_context(ssl_bio, certs)
    server_ctx._msg_callback = trace
    pair = Pair(ssl_bio, client_context(ssl_bio, certs), server_ctx)
    pair.handshake()
    pair.client.write(b"data")
    pair.pump()
    # The read itself succeeded: the callback's exception replaces its
    # result, as the stdlib's would (the record is consumed).
    with pytest.raises(ZeroDivisionError, match="from the trace"):
        pair.server.read()
    with pytest.raises(ssl_bio.SSLWantReadError):
        pair.server.read()


def test_msg_callback_follows_a_context_switch(certs, other_ca_certs):
    """Assigning ``sslobject.context`` installs the new context's message
    callback on the connection, as CPython does (28 calls on 3.11 and 3.13)."""

    def scenario(mod):
        seen = []
        other = server_context(mod, other_ca_certs)
        other._msg_callback = lambda conn, direction, *rest: seen.append(direction)
        server_ctx = server_context(mod, certs)
        server_ctx.sni_callback = lambda sslobj, name, ctx: setattr(sslobj, "context", other)
        client_ctx = client_context(mod, certs)
        client_ctx.load_verify_locations(other_ca_certs.cafile)
        pair = Pair(mod, client_ctx, server_ctx)
        pair.handshake()
        switched = len(seen)
        assert pair.send(pair.client, pair.server, b"after") == b"after"
        return switched, len(seen) - switched, seen.count("read") > 0, seen.count("write") > 0

    switched, afterwards, reads, writes = assert_same_as_stdlib(scenario, since=(3, 11))
    assert switched > 10 and afterwards > 0 and reads and writes


def test_msg_callback_of_a_context_switched_away_from_stops(certs, other_ca_certs):
    """The other way: switching to a context without a message callback
    removes it, and reads go back to the fast path (no Python in SSL_read)."""
    seen = []
    server_ctx = server_context(ssl_bio, certs)
    server_ctx._msg_callback = lambda conn, direction, *rest: seen.append(direction)
    other = server_context(ssl_bio, other_ca_certs)
    server_ctx.sni_callback = lambda sslobj, name, ctx: setattr(sslobj, "context", other)
    client_ctx = client_context(ssl_bio, certs)
    client_ctx.load_verify_locations(other_ca_certs.cafile)
    pair = Pair(ssl_bio, client_ctx, server_ctx)
    pair.handshake()
    before = len(seen)
    assert before > 0  # the ClientHello, traced before the switch
    assert not pair.server._io_may_call_back
    assert pair.send(pair.client, pair.server, b"quiet") == b"quiet"
    assert len(seen) == before


class _RecordingTransport:
    """A foreign BIO whose writes fail once ``fail`` is set."""

    def __init__(self):
        self.inner = ssl.MemoryBIO()
        self.fail = False

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def write(self, data):
        if self.fail:
            raise ConnectionResetError("transport is gone")
        return self.inner.write(data)


def test_a_transport_error_does_not_drop_a_callback_error(certs):
    """One call, two failures: a message callback raises, then the foreign
    BIO the SSLObject writes to.  The transport's error is raised, and the
    callback's is attached to it (``__context__``), not lost."""

    def trace(conn, direction, version, content_type, msg_type, data):
        if direction == "write":
            transport.fail = True
            raise ZeroDivisionError("from the trace")

    transport = _RecordingTransport()
    client_ctx = client_context(ssl_bio, certs)
    client_ctx._msg_callback = trace
    obj = client_ctx.wrap_bio(ssl.MemoryBIO(), transport, server_hostname="localhost")
    with pytest.raises(ConnectionResetError) as info:
        obj.do_handshake()
    assert isinstance(info.value.__context__, ZeroDivisionError)
    # Nothing stays pending for the next call.
    assert obj._errors is None or not obj._errors.pending


def test_every_error_of_one_call_is_raised_or_attached(certs, other_ca_certs):
    """An SNI callback fails the handshake and the message callback raises
    during the same call: the SSLError is raised from the SNI callback's
    exception, and the trace's exception hangs at the end of that chain."""

    def trace(conn, direction, version, content_type, msg_type, data):
        if direction == "write":
            raise KeyError("from the trace")

    def sni(sslobj, name, ctx):
        raise LookupError("from the SNI callback")

    server_ctx = server_context(ssl_bio, certs)
    server_ctx.sni_callback = sni
    server_ctx._msg_callback = trace
    pair = Pair(ssl_bio, client_context(ssl_bio, certs), server_context(ssl_bio, certs))
    pair.server = server_ctx.wrap_bio(pair.s_in, pair.s_out, server_side=True)
    client_error, server_error = pair.handshake_errors()
    assert isinstance(server_error, ssl_bio.SSLError)
    cause = server_error.__cause__
    assert isinstance(cause, LookupError) and str(cause) == "from the SNI callback"
    assert isinstance(cause.__context__, KeyError)


# --- pre-shared keys -----------------------------------------------------------------


def _psk_pair(mod, version, client_callback, server_callback, hint=None):
    client_ctx = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
    client_ctx.check_hostname = False
    client_ctx.verify_mode = mod.CERT_NONE
    client_ctx.maximum_version = getattr(mod.TLSVersion, version)
    client_ctx.set_ciphers("PSK")
    server_ctx = mod.SSLContext(mod.PROTOCOL_TLS_SERVER)
    server_ctx.maximum_version = getattr(mod.TLSVersion, version)
    server_ctx.set_ciphers("PSK")
    client_ctx.set_psk_client_callback(client_callback)
    server_ctx.set_psk_server_callback(server_callback, hint)
    return Pair(mod, client_ctx, server_ctx, server_hostname=None)


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
@pytest.mark.parametrize(
    "identity, hint, client_key, server_key",
    [
        ("client", "hint", b"\xde\xad\xbe\xef", b"\xde\xad\xbe\xef"),
        (None, None, b"\xde\xad\xbe\xef", b"\xde\xad\xbe\xef"),
        (b"bytes-id", None, b"0123456789abcdef", b"0123456789abcdef"),
        ("client", "hint", b"\xde\xad\xbe\xef", b"\xca\xfe\xba\xbe"),  # wrong key
    ],
)
def test_psk_handshakes_match_stdlib(version, identity, hint, client_key, server_key):
    def scenario(mod):
        seen = []

        def client_callback(server_hint):
            seen.append(("hint", server_hint))
            return identity, client_key

        def server_callback(client_identity):
            seen.append(("identity", client_identity))
            return server_key

        pair = _psk_pair(mod, version, client_callback, server_callback, hint)
        client_error, server_error = pair.handshake_errors()
        data = None
        if client_error is None and server_error is None:
            data = pair.send(pair.client, pair.server, b"over psk")
        return seen, describe_error(client_error), describe_error(server_error), data

    seen, client_error, server_error, data = assert_same_as_stdlib(scenario, since=(3, 13))
    # OpenSSL's TLS 1.3 needs an identity (else "[SSL] internal error", as the stdlib).
    if client_key == server_key and (identity or version == "TLSv1_2"):
        assert (client_error, server_error, data) == (None, None, b"over psk")
    else:
        assert client_error is not None or server_error is not None
    if version == "TLSv1_2":  # TLS 1.3 has no identity hint
        assert ("hint", hint) in seen


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
@pytest.mark.parametrize(
    "returned, exception",
    [
        (RuntimeError("boom"), RuntimeError),
        ("not a tuple", TypeError),
        (("id", "str key"), TypeError),
        (("id", bytearray(b"key")), TypeError),  # y#: read-only buffers only
        (("x" * 300, b"key"), ValueError),
    ],
)
def test_psk_client_callback_failures_surface(version, returned, exception):
    def client_callback(hint):
        if isinstance(returned, BaseException):
            raise returned
        return returned

    pair = _psk_pair(ssl_bio, version, client_callback, lambda identity: b"key")
    client_error, server_error = pair.handshake_errors()
    if version == "TLSv1_2":
        # No PSK, no TLS 1.2 PSK cipher: the handshake fails there and then.
        assert isinstance(client_error, ssl_bio.SSLError)
        assert isinstance(client_error.__cause__, exception)
    else:
        # TLS 1.3 goes on without the PSK, so the call that ran the callback
        # only wanted more bytes: the callback's exception is raised as it is.
        assert isinstance(client_error, exception)


@pytest.mark.parametrize("returned", ["a str", None, RuntimeError("boom")])
def test_psk_server_callback_failures_surface(returned):
    def server_callback(identity):
        if isinstance(returned, BaseException):
            raise returned
        return returned

    pair = _psk_pair(ssl_bio, "TLSv1_2", lambda hint: ("id", b"key"), server_callback)
    client_error, server_error = pair.handshake_errors()
    assert isinstance(server_error, ssl_bio.SSLError)
    expected = RuntimeError if isinstance(returned, BaseException) else TypeError
    assert isinstance(server_error.__cause__, expected)
