"""SSLContext.wrap_socket and SSLSocket, compared with the stdlib's.

Most scenarios run on real loopback sockets twice, once with ``ssl`` on both
ends and once with ``ssl_bio``, and the two results must be equal.
"""

import copy
import pickle
import platform
import select
import socket
import ssl
import threading
import time

import pytest

import ssl_bio
from conftest import (
    assert_same_as_stdlib,
    client_context,
    describe_error,
    outcome,
    server_context,
)
from versions import alert_reason

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB
ON_CPYTHON = platform.python_implementation() == "CPython"


class EchoServer:
    """A thread serving TLS connections on loopback with ``handler(tls_socket)``."""

    def __init__(self, ctx, handler=None, wrap=True):
        self.ctx = ctx
        self.handler = handler or echo
        self.wrap = wrap
        self.errors = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        try:
            sock, _ = self.listener.accept()
            sock.settimeout(30)
            if self.wrap:
                sock = self.ctx.wrap_socket(sock, server_side=True)
            with sock:
                self.handler(sock)
        except Exception as exc:  # noqa: BLE001 - reported by __exit__
            self.errors.append(exc)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.thread.join(30)
        self.listener.close()
        assert not self.thread.is_alive(), "the server thread hung"

    def connect(self, timeout=30):
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)


def leaf_der(certs):
    return ssl.PEM_cert_to_DER_cert(certs.leaf.cert_chain_pems[0].bytes().decode())


def echo(tls):
    """Echo until the peer's close_notify, then answer it."""
    while True:
        data = tls.recv(65536)
        if not data:
            tls.unwrap()
            return
        tls.sendall(data)


def recv_exactly(tls, count):
    data = bytearray()
    while len(data) < count:
        chunk = tls.recv(count - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data)


# --- the stdlib's type checks ------------------------------------------------


def test_contexts_and_sockets_pass_the_stdlibs_isinstance_checks(certs):
    ctx = client_context(ssl_bio, certs)
    assert isinstance(ctx, ssl.SSLContext)
    assert ctx.__class__ is ssl.SSLContext
    assert type(ctx) is ssl_bio.SSLContext
    assert isinstance(ctx, ssl_bio.SSLContext)
    with EchoServer(server_context(ssl_bio, certs)) as server:
        with ctx.wrap_socket(server.connect(), server_hostname="localhost") as tls:
            assert isinstance(tls, ssl.SSLSocket)
            assert isinstance(tls, socket.socket)
            assert type(tls) is ssl_bio.SSLSocket
            assert tls.__class__ is ssl.SSLSocket


def test_stdlib_code_refuses_an_ssl_bio_context(certs):
    """No stdlib SSL_CTX stands behind the context: its methods fail, never run."""
    ctx = client_context(ssl_bio, certs)
    # CPython's C methods check the real type (TypeError); PyPy's Python
    # ones find none of their attributes (AttributeError).
    refusal = TypeError if ON_CPYTHON else (TypeError, AttributeError)
    with pytest.raises(refusal):
        ssl.SSLContext.load_verify_locations(ctx, cafile=certs.cafile)
    with pytest.raises(refusal):
        ssl.SSLContext.options.__set__(ctx, 0)
    with pytest.raises(refusal):
        ssl.SSLContext.verify_mode.__get__(ctx)
    assert ctx.verify_mode == ssl_bio.CERT_REQUIRED and ctx.check_hostname


def copy_outcomes(mod):
    ctx = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
    return [outcome(copy.copy, ctx), outcome(copy.deepcopy, ctx), outcome(pickle.dumps, ctx)]


def test_a_context_cannot_be_copied_or_pickled():
    # Without its own refusal, PyPy's copy.copy would build a default (not
    # verifying) stdlib context from __class__.
    results = assert_same_as_stdlib(copy_outcomes)
    assert all(kind == "error" and error[0] == "TypeError" for kind, error in results)


# --- connections, both ends the same implementation ----------------------------


def echo_session(mod, certs):
    server_ctx = server_context(mod, certs)
    server_ctx.set_alpn_protocols(["echo/1"])
    client_ctx = client_context(mod, certs)
    client_ctx.set_alpn_protocols(["echo/1", "h2"])
    with EchoServer(server_ctx) as server:
        with client_ctx.wrap_socket(server.connect(), server_hostname="localhost") as tls:
            result = {
                "version": tls.version(),
                "cipher": tls.cipher(),
                "alpn": tls.selected_alpn_protocol(),
                "subject": tls.getpeercert()["subject"],
                "binary": tls.getpeercert(True) == leaf_der(certs),
                "server_side": tls.server_side,
                "server_hostname": tls.server_hostname,
                "pending": tls.pending(),
                "session_reused": tls.session_reused,
                "compression": tls.compression(),
                "fileno_valid": tls.fileno() > 0,
            }
            tls.sendall(PAYLOAD)
            result["echoed"] = recv_exactly(tls, len(PAYLOAD)) == PAYLOAD
            tls.send(b"abc")
            buffer = bytearray(10)
            result["recv_into"] = (tls.recv_into(buffer), bytes(buffer[:3]))
            tls.write(b"defg")
            result["read"] = bytes(recv_exactly(tls, 4))
            with tls.makefile("rwb") as stream:
                stream.write(b"a line\n")
                stream.flush()
                result["makefile"] = stream.readline()
            result["unwrap"] = outcome(tls.unwrap) == ("ok", tls)
            result["after_unwrap"] = (tls.version(), tls.cipher(), tls.pending())
    assert not server.errors, server.errors
    return result


def test_echo_over_sockets_as_the_stdlib(certs):
    result = assert_same_as_stdlib(echo_session, certs)
    assert result["unwrap"] and result["after_unwrap"] == (None, None, 0)
    assert result["version"] == "TLSv1.3"
    assert result["alpn"] == "echo/1"
    assert result["echoed"] and result["binary"]
    assert result["makefile"] == b"a line\n"


def test_sendfile_and_recv_into_a_memoryview(certs, tmp_path):
    path = tmp_path / "payload"
    path.write_bytes(PAYLOAD)
    with EchoServer(server_context(ssl_bio, certs)) as server:
        ctx = client_context(ssl_bio, certs)
        with ctx.wrap_socket(server.connect(), server_hostname="localhost") as tls:
            received = bytearray(len(PAYLOAD))

            def receive():
                view = memoryview(received)
                while view:
                    view = view[tls.recv_into(view) :]

            reader = threading.Thread(target=receive)
            reader.start()
            with open(path, "rb") as file:
                assert tls.sendfile(file) == len(PAYLOAD)
            reader.join(30)
            assert received == PAYLOAD


def test_one_thread_sends_while_another_waits_in_recv(certs):
    """The SSLObject's locks are not held while a thread waits on the network."""
    with EchoServer(server_context(ssl_bio, certs)) as server:
        ctx = client_context(ssl_bio, certs)
        with ctx.wrap_socket(server.connect(), server_hostname="localhost") as tls:
            received = []

            def receive():
                received.append(recv_exactly(tls, len(PAYLOAD)))

            reader = threading.Thread(target=receive)
            reader.start()
            time.sleep(0.2)  # the reader is blocked in recv() now
            for offset in range(0, len(PAYLOAD), 4096):
                tls.sendall(PAYLOAD[offset : offset + 4096])
            reader.join(30)
            assert not reader.is_alive()
            assert received == [PAYLOAD]


def accept_session(mod, certs):
    """A wrapped listening socket's accept() wraps each connection, server side."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(30)
    with server_context(mod, certs).wrap_socket(listener, server_side=True) as tls_listener:
        port = tls_listener.getsockname()[1]
        client_ctx = client_context(mod, certs)
        done = {}

        def client():
            with client_ctx.wrap_socket(
                socket.create_connection(("127.0.0.1", port), timeout=30),
                server_hostname="localhost",
            ) as tls:
                tls.sendall(b"ping")
                done["reply"] = tls.recv(4)

        thread = threading.Thread(target=client)
        thread.start()
        conn, _ = tls_listener.accept()
        with conn:
            result = [type(conn).__name__, conn.server_side, conn.version(), conn.recv(4)]
            conn.sendall(b"pong")
        thread.join(30)
    return result + [done["reply"]]


def test_accept_on_a_wrapped_listener(certs):
    assert assert_same_as_stdlib(accept_session, certs) == [
        "SSLSocket",
        True,
        "TLSv1.3",
        b"ping",
        b"pong",
    ]


def connect_session(mod, certs):
    """A socket wrapped before connect(): connect/connect_ex run the handshake."""
    results = []
    with EchoServer(server_context(mod, certs)) as server:
        tls = client_context(mod, certs).wrap_socket(socket.socket(), server_hostname="localhost")
        with tls:
            results.append(outcome(tls.getpeercert))
            results.append((tls.version(), tls.cipher(), tls.session))
            tls.settimeout(30)
            results.append(tls.connect_ex(("127.0.0.1", server.port)))
            results.append(tls.version())
            results.append(outcome(tls.connect, ("127.0.0.1", server.port)))
            tls.sendall(b"x")
            results.append(tls.recv(1))
    server_side = server_context(mod, certs).wrap_socket(socket.socket(), server_side=True)
    with server_side:
        results.append(outcome(server_side.connect, ("127.0.0.1", 9)))
    return results


def test_connect_and_connect_ex_after_wrapping(certs):
    results = assert_same_as_stdlib(connect_session, certs)
    assert results[2] == 0 and results[3] == "TLSv1.3"


def refused_calls(mod, certs):
    with EchoServer(server_context(mod, certs)) as server:
        ctx = client_context(mod, certs)
        tls = ctx.wrap_socket(server.connect(), server_hostname="localhost")
        with tls:
            results = [
                outcome(tls.recvfrom, 10),
                outcome(tls.recvfrom_into, bytearray(10)),
                outcome(tls.sendto, b"x", ("127.0.0.1", 9)),
                outcome(tls.sendmsg, [b"x"]),
                outcome(tls.recvmsg, 10),
                outcome(tls.recvmsg_into, [bytearray(10)]),
                outcome(tls.send, b"x", socket.MSG_OOB),
                outcome(tls.sendall, b"x", socket.MSG_OOB),
                outcome(tls.recv, 10, socket.MSG_PEEK),
                outcome(tls.recv_into, bytearray(10), 10, socket.MSG_PEEK),
                outcome(tls.dup),
                outcome(tls.read, -1),
            ]
        results += [
            outcome(tls.read),
            outcome(tls.write, b"x"),
            outcome(tls.recv, 1),
            outcome(tls.send, b"x"),
            outcome(tls.unwrap),
            outcome(tls.verify_client_post_handshake),
            (tls.version(), tls.cipher(), tls.pending(), tls.selected_alpn_protocol()),
            outcome(tls.get_channel_binding),
            outcome(tls.get_channel_binding, "nonsense"),
        ]
    return [_without_addresses(result) for result in results]


def _without_addresses(result):
    """Messages that print the socket (its address, descriptor) differ by port only."""
    if result[0] == "error" and "No SSL wrapper around" in str(result[1][-1]):
        return ("error", result[1][:-1] + ("No SSL wrapper around <socket>",))
    return result


def test_calls_refused_as_the_stdlib_refuses_them(certs):
    results = assert_same_as_stdlib(refused_calls, certs)
    assert results[0] == (
        "error",
        (
            "ValueError",
            None,
            None,
            None,
            None,
            None,
            "recvfrom not allowed on instances of <class 'ssl.SSLSocket'>",
        ),
    )


def wrap_argument_errors(mod, certs):
    client_ctx = client_context(mod, certs)
    server_ctx = server_context(mod, certs)
    results = []
    for ctx, kwargs in [
        (client_ctx, {}),  # check_hostname without a name
        (server_ctx, {"server_side": True, "server_hostname": "localhost"}),
        (server_ctx, {"server_side": True, "session": object()}),
        (client_ctx, {"server_hostname": ".example.org"}),
    ]:
        sock = socket.socket()
        results.append(outcome(ctx.wrap_socket, sock, **kwargs))
        results.append(sock.fileno() == -1)  # taken over (and closed), or left alone
        sock.close()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with udp:
        results.append(outcome(client_ctx.wrap_socket, udp, server_hostname="localhost"))
    return results


def test_wrap_socket_argument_errors(certs):
    assert_same_as_stdlib(wrap_argument_errors, certs)


# --- blocking with a timeout, and non-blocking ---------------------------------


def silent_server_timeouts(mod, certs):
    """A server that accepts but never answers: each call times out."""
    results = []
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        sock = socket.create_connection(("127.0.0.1", port), timeout=0.3)
        ctx = client_context(mod, certs)
        started = time.monotonic()
        error = outcome(ctx.wrap_socket, sock, server_hostname="localhost")
        results.append(error[1][0] if error[0] == "error" else error)
        results.append("handshake operation timed out" in str(error[1][-1]))
        results.append(0.25 < time.monotonic() - started < 10)
        results.append(sock.fileno())  # detached: the SSLSocket owned (and closed) it
    return results


def test_a_timeout_ends_a_blocked_handshake_as_the_stdlibs(certs):
    results = assert_same_as_stdlib(silent_server_timeouts, certs)
    assert results[0] in ("TimeoutError", "timeout")
    assert results[1] and results[2]


def read_timeout(mod, certs):
    def quiet(tls):
        tls.recv(1)  # waits for the client's byte, sends nothing

    with EchoServer(server_context(mod, certs), handler=quiet) as server:
        ctx = client_context(mod, certs)
        with ctx.wrap_socket(server.connect(timeout=0.3), server_hostname="localhost") as tls:
            result = outcome(tls.recv, 10)
            tls.sendall(b"x")
    return result[0], result[1][0], "read operation timed out" in result[1][-1]


def test_a_read_times_out_as_the_stdlibs(certs):
    assert assert_same_as_stdlib(read_timeout, certs)[2]


def nonblocking_session(mod, certs):
    """Handshake, reads and writes on a non-blocking socket, driven by select()."""
    events = []

    server_ctx = server_context(mod, certs)

    def slow_server(sock):
        time.sleep(0.3)  # the client's first do_handshake() finds nothing to read
        with server_ctx.wrap_socket(sock, server_side=True) as tls:
            time.sleep(0.5)  # lets the client's writes fill the socket buffers
            data = recv_exactly(tls, 8 * len(PAYLOAD))
            tls.sendall(len(data).to_bytes(8, "big") + data[-16:])

    with EchoServer(server_ctx, handler=slow_server, wrap=False) as server:
        sock = server.connect()
        sock.setblocking(False)
        ctx = client_context(mod, certs)
        events.append(
            outcome(ctx.wrap_socket, sock.dup(), server_hostname="localhost")[1][0]
        )  # do_handshake_on_connect on a non-blocking socket: ValueError
        tls = ctx.wrap_socket(sock, server_hostname="localhost", do_handshake_on_connect=False)
        with tls:
            while True:
                try:
                    tls.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    events.append("handshake-wants-read")
                    select.select([tls], [], [], 10)
                except ssl.SSLWantWriteError:
                    select.select([], [tls], [], 10)
            try:
                tls.recv(10)
            except ssl.SSLWantReadError as exc:
                events.append(("recv-wants-read", type(exc).__name__))
            data = PAYLOAD * 8
            sent = 0
            want_write = 0
            while sent < len(data):
                chunk = data[sent : sent + 65536]
                try:
                    sent += tls.send(chunk)
                except ssl.SSLWantWriteError:
                    want_write += 1
                    select.select([], [tls], [], 10)  # and retry the same chunk
            events.append(("some-writes-waited", want_write > 0))
            reply = b""
            while len(reply) < 24:
                try:
                    reply += tls.recv(24 - len(reply))
                except ssl.SSLWantReadError:
                    select.select([tls], [], [], 10)
            events.append(int.from_bytes(reply[:8], "big") == len(data))
            events.append(reply[8:] == data[-16:])
    assert not server.errors, server.errors
    return events


@pytest.mark.parametrize("mod", [ssl_bio, ssl], ids=["ssl_bio", "ssl"])
def test_nonblocking_sockets_raise_want_read_and_want_write(certs, mod):
    # The number of SSLWant*Errors depends on timing, not only on the
    # implementation: both are held to the same checks instead.
    events = nonblocking_session(mod, certs)
    assert events[0] == "ValueError"
    assert "handshake-wants-read" in events
    assert ("recv-wants-read", "SSLWantReadError") in events
    assert ("some-writes-waited", True) in events
    assert events[-2:] == [True, True]


# --- closing -------------------------------------------------------------------


def unwrap_to_plain_text(mod, certs):
    """STARTTLS's end: both sides unwrap, then talk plain text on the socket."""

    def server_side(tls):
        assert tls.recv(4) == b"STOP"
        plain = tls.unwrap()
        plain.sendall(b"plain text after TLS")
        plain.recv(1)

    with EchoServer(server_context(mod, certs), handler=server_side) as server:
        ctx = client_context(mod, certs)
        with ctx.wrap_socket(server.connect(), server_hostname="localhost") as tls:
            tls.sendall(b"STOP")
            plain = tls.unwrap()
            result = [plain is tls, tls.version(), recv_exactly(plain, 20)]
            plain.sendall(b"!")
    assert not server.errors, server.errors
    return result


def test_unwrap_returns_the_socket_in_plain_text(certs):
    assert assert_same_as_stdlib(unwrap_to_plain_text, certs) == [
        True,
        None,
        b"plain text after TLS",
    ]


def ragged_eof(mod, certs, suppress):
    def vanish(tls):
        tls.recv(1)
        tls.shutdown(socket.SHUT_RDWR)  # no close_notify

    with EchoServer(server_context(mod, certs), handler=vanish) as server:
        ctx = client_context(mod, certs)
        tls = ctx.wrap_socket(
            server.connect(), server_hostname="localhost", suppress_ragged_eofs=suppress
        )
        with tls:
            tls.sendall(b"x")
            return [outcome(tls.recv, 10), outcome(tls.read, 10, bytearray(10))]


@pytest.mark.parametrize("suppress", [True, False])
def test_ragged_eofs_as_the_stdlib(certs, suppress):
    # Before 3.10 the stdlib set OP_IGNORE_UNEXPECTED_EOF, hiding them.
    results = assert_same_as_stdlib(ragged_eof, certs, suppress, since=(3, 10))
    if suppress:
        assert results == [("ok", b""), ("ok", 0)]
    else:
        assert results[0][1][0] == "SSLEOFError"


# --- failures reach the caller as the stdlib's exceptions -------------------------


def verification_failures(mod, certs, other_ca_certs):
    results = []
    for server_certs, hostname in [(other_ca_certs, "localhost"), (certs, "wrong.example")]:

        def expect_alert(tls):
            pass

        with EchoServer(server_context(mod, server_certs), handler=expect_alert) as server:
            with server.connect() as sock:
                ctx = client_context(mod, certs)
                results.append(outcome(ctx.wrap_socket, sock, server_hostname=hostname))
        # The server saw the client's alert.
        results.append([describe_error(e)[3] for e in server.errors])
    return results


def test_verification_failures_are_stdlib_cert_errors(certs, other_ca_certs):
    results = assert_same_as_stdlib(verification_failures, certs, other_ca_certs)
    assert results[0][1][0] == "SSLCertVerificationError"
    assert results[0][1][4] == 20
    assert results[2][1][4] == 62  # hostname mismatch
    assert results[1] == ["TLSV1_ALERT_UNKNOWN_CA"]
    assert results[3] == [alert_reason("BAD_CERTIFICATE")]


def test_sni_callback_sees_the_socket_and_its_exception_reaches_the_server(certs):
    """ssl_bio chains a callback's exception to the server handshake's SSLError
    (the stdlib prints it); the client gets the HANDSHAKE_FAILURE alert either way."""
    seen = []

    def callback(conn, server_name, ctx):
        seen.append((type(conn), server_name))
        raise ZeroDivisionError("from the callback")

    server_ctx = server_context(ssl_bio, certs)
    server_ctx.sni_callback = callback
    with EchoServer(server_ctx) as server:
        with server.connect() as sock:
            with pytest.raises(ssl.SSLError) as info:
                client_context(ssl_bio, certs).wrap_socket(sock, server_hostname="localhost")
    assert info.value.reason == alert_reason("HANDSHAKE_FAILURE")
    assert seen == [(ssl_bio.SSLSocket, "localhost")]
    [error] = server.errors
    assert isinstance(error, ssl.SSLError)
    assert isinstance(error.__cause__, ZeroDivisionError)


def test_get_server_certificate(certs, other_ca_certs):
    with EchoServer(server_context(ssl_bio, certs), handler=lambda tls: None) as server:
        pem = ssl_bio.get_server_certificate(("127.0.0.1", server.port), ca_certs=certs.cafile)
    assert ssl.PEM_cert_to_DER_cert(pem) == leaf_der(certs)
    with EchoServer(server_context(ssl, other_ca_certs), handler=lambda tls: None) as server:
        pem = ssl_bio.get_server_certificate(("127.0.0.1", server.port))  # not verified
        assert ssl.PEM_cert_to_DER_cert(pem) == leaf_der(other_ca_certs)
    with EchoServer(server_context(ssl, other_ca_certs), handler=lambda tls: None) as server:
        with pytest.raises(ssl.SSLCertVerificationError):
            ssl_bio.get_server_certificate(("127.0.0.1", server.port), ca_certs=certs.cafile)
