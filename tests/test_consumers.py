"""Code that takes an SSLContext, given ssl_bio's: real clients and servers on loopback.

asyncio's ``start_tls`` (a STARTTLS exchange), uvloop, http.client and
urllib.request against an HTTPS server, smtplib's STARTTLS against aiosmtpd,
urllib3 and requests.  ssl_bio's contexts are on both ends; a CA or host name
failure must reach each of them as ``ssl.SSLCertVerificationError``.
"""

import asyncio
import http.client
import http.server
import platform
import smtplib
import socket
import ssl
import threading
import urllib.error
import urllib.request

import pytest

import ssl_bio
from conftest import client_context, server_context

# --- asyncio and uvloop: STARTTLS with loop.start_tls ---------------------------


class LineProtocol(asyncio.Protocol):
    """Lines in, through whatever transport start_tls last handed over."""

    def __init__(self, on_line=None):
        self.buffer = b""
        self.lines = asyncio.Queue()
        self.on_line = on_line
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.buffer += data
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            if self.on_line:
                self.on_line(self, line)
            else:
                self.lines.put_nowait(line)

    def connection_lost(self, exc):
        self.lines.put_nowait(None)


async def starttls_exchange(server_ctx, client_ctx, hostname="localhost"):
    """Plain text, STARTTLS, then an echo over TLS; returns what the client saw."""
    loop = asyncio.get_running_loop()
    server_errors = []

    def serve_line(protocol, line):
        if line == b"STARTTLS":
            protocol.transport.write(b"GO\n")
            protocol.transport.pause_reading()  # nothing more in plain text

            async def upgrade():
                try:
                    protocol.transport = await loop.start_tls(
                        protocol.transport, protocol, server_ctx, server_side=True
                    )
                except Exception as exc:  # noqa: BLE001 - reported below
                    server_errors.append(exc)

            loop.create_task(upgrade())
        else:
            protocol.transport.write(b"echo: " + line + b"\n")

    server = await loop.create_server(lambda: LineProtocol(serve_line), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        transport, protocol = await loop.create_connection(LineProtocol, "127.0.0.1", port)
        transport.write(b"STARTTLS\n")
        assert await protocol.lines.get() == b"GO"
        try:
            tls = await loop.start_tls(transport, protocol, client_ctx, server_hostname=hostname)
        finally:
            await asyncio.sleep(0.05)  # the server's side of a failure lands
        tls.write(b"over TLS\n")
        reply = await asyncio.wait_for(protocol.lines.get(), 30)
        result = {
            "reply": reply,
            "version": tls.get_extra_info("ssl_object").version(),
            "cipher": tls.get_extra_info("cipher")[1],
        }
        tls.close()
        return result, server_errors
    finally:
        server.close()
        await server.wait_closed()


def run_on(loop_factory, coroutine):
    loop = loop_factory()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def event_loops():
    loops = [pytest.param(asyncio.new_event_loop, id="asyncio")]
    try:
        import uvloop
    except ImportError:
        loops.append(pytest.param(None, id="uvloop", marks=pytest.mark.skip("no uvloop here")))
    else:
        loops.append(pytest.param(uvloop.new_event_loop, id="uvloop"))
    return loops


@pytest.mark.parametrize("loop_factory", event_loops())
def test_start_tls_in_a_starttls_exchange(certs, loop_factory):
    result, server_errors = run_on(
        loop_factory,
        starttls_exchange(server_context(ssl_bio, certs), client_context(ssl_bio, certs)),
    )
    assert not server_errors
    assert result == {"reply": b"echo: over TLS", "version": "TLSv1.3", "cipher": "TLSv1.3"}


@pytest.mark.parametrize("loop_factory", event_loops())
def test_start_tls_with_a_wrong_host_name(certs, loop_factory):
    with pytest.raises(ssl.SSLCertVerificationError) as info:
        run_on(
            loop_factory,
            starttls_exchange(
                server_context(ssl_bio, certs), client_context(ssl_bio, certs), "wrong.example"
            ),
        )
    assert info.value.verify_code == 62


@pytest.mark.skipif(
    platform.python_implementation() != "CPython", reason="uvloop runs on CPython only"
)
def test_uvloop_create_server_and_connection(certs):
    uvloop = pytest.importorskip("uvloop")

    async def main():
        async def handle(reader, writer):
            writer.write(await reader.readline())
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(
            handle, "127.0.0.1", 0, ssl=server_context(ssl_bio, certs)
        )
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, ssl=client_context(ssl_bio, certs), server_hostname="localhost"
        )
        writer.write(b"through uvloop\n")
        line = await reader.readline()
        version = writer.get_extra_info("ssl_object").version()
        writer.close()
        server.close()
        await server.wait_closed()
        return line, version

    assert run_on(uvloop.new_event_loop, main()) == (b"through uvloop\n", "TLSv1.3")


# --- http.client and urllib.request against an HTTPS server ----------------------


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one TLS connection, many requests

    def do_GET(self):
        self._reply(b"GET " + self.path.encode())

    def do_POST(self):
        self._reply(b"POST " + self.rfile.read(int(self.headers["Content-Length"])))

    def _reply(self, body):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class HTTPSServer:
    """http.server on a listening socket wrapped by an ssl_bio server context."""

    def __init__(self, ctx):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(30)


@pytest.fixture
def https_server(certs):
    with HTTPSServer(server_context(ssl_bio, certs)) as server:
        yield server


def test_urllib_request_get_and_post(certs, https_server):
    ctx = client_context(ssl_bio, certs)
    url = f"https://localhost:{https_server.port}/path?q=1"
    with urllib.request.urlopen(url, context=ctx, timeout=30) as response:
        assert response.read() == b"GET /path?q=1"
    with urllib.request.urlopen(url, data=b"a body", context=ctx, timeout=30) as response:
        assert response.read() == b"POST a body"


def test_http_client_keeps_one_connection(certs, https_server):
    ctx = client_context(ssl_bio, certs)
    conn = http.client.HTTPSConnection("localhost", https_server.port, context=ctx, timeout=30)
    try:
        sockets = []
        for path in ("/one", "/two"):
            conn.request("GET", path)
            assert conn.getresponse().read() == b"GET " + path.encode()
            sockets.append(conn.sock)
        assert sockets[0] is sockets[1]
        assert type(sockets[0]) is ssl_bio.SSLSocket
        assert sockets[0].version() == "TLSv1.3"
    finally:
        conn.close()


def test_urllib_and_http_client_see_stdlib_verification_errors(certs, other_ca_certs):
    with HTTPSServer(server_context(ssl_bio, other_ca_certs)) as server:
        ctx = client_context(ssl_bio, certs)
        url = f"https://localhost:{server.port}/"
        with pytest.raises(urllib.error.URLError) as info:
            urllib.request.urlopen(url, context=ctx, timeout=30)
        assert isinstance(info.value.reason, ssl.SSLCertVerificationError)
        assert info.value.reason.verify_code == 20
        conn = http.client.HTTPSConnection("localhost", server.port, context=ctx, timeout=30)
        with pytest.raises(ssl.SSLCertVerificationError):
            conn.request("GET", "/")
        conn.close()


def test_http_client_host_name_mismatch(certs, other_name):
    with HTTPSServer(server_context(ssl_bio, other_name)) as server:
        ctx = client_context(ssl_bio, certs)
        conn = http.client.HTTPSConnection("localhost", server.port, context=ctx, timeout=30)
        with pytest.raises(ssl.SSLCertVerificationError) as info:
            conn.request("GET", "/")
        conn.close()
    assert info.value.verify_code == 62


# --- smtplib's STARTTLS against aiosmtpd -----------------------------------------


def free_port():
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(certs):
    controller_module = pytest.importorskip("aiosmtpd.controller")
    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((session.ssl is not None, envelope.content))
            return "250 OK"

    controller = controller_module.Controller(
        Handler(),
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_context(ssl_bio, certs),
        require_starttls=True,
    )
    controller.start()
    try:
        yield controller, received
    finally:
        controller.stop()


def test_smtplib_starttls_to_aiosmtpd(certs, smtp_server):
    controller, received = smtp_server
    with smtplib.SMTP(controller.hostname, controller.port, timeout=30) as smtp:
        smtp.starttls(context=client_context(ssl_bio, certs))
        assert type(smtp.sock) is ssl_bio.SSLSocket
        smtp.sendmail("a@example.org", ["b@example.org"], b"Subject: hi\r\n\r\nover TLS\r\n")
    assert received == [(True, b"Subject: hi\r\n\r\nover TLS\r\n")]


def test_smtplib_starttls_with_an_untrusted_server(certs, other_ca_certs, smtp_server):
    controller, received = smtp_server
    with smtplib.SMTP(controller.hostname, controller.port, timeout=30) as smtp:
        with pytest.raises(ssl.SSLCertVerificationError):
            smtp.starttls(context=client_context(ssl_bio, other_ca_certs))
    assert received == []


# --- urllib3 and requests ----------------------------------------------------------


def test_urllib3_with_an_ssl_bio_context(certs, https_server):
    urllib3 = pytest.importorskip("urllib3")
    with urllib3.PoolManager(ssl_context=client_context(ssl_bio, certs)) as pool:
        response = pool.request("GET", f"https://localhost:{https_server.port}/u3", timeout=30)
        assert response.data == b"GET /u3"
        response = pool.request(
            "POST", f"https://localhost:{https_server.port}/", body=b"posted", timeout=30
        )
        assert response.data == b"POST posted"


def test_urllib3_verification_failure(certs, other_ca_certs, https_server):
    urllib3 = pytest.importorskip("urllib3")
    with urllib3.PoolManager(
        ssl_context=client_context(ssl_bio, other_ca_certs), retries=False
    ) as pool:
        with pytest.raises(urllib3.exceptions.SSLError) as info:
            pool.request("GET", f"https://localhost:{https_server.port}/", timeout=30)
    assert isinstance(info.value.__context__, ssl.SSLCertVerificationError)


def test_requests_through_an_adapter_with_an_ssl_bio_context(certs, https_server):
    requests = pytest.importorskip("requests")

    class ContextAdapter(requests.adapters.HTTPAdapter):
        def __init__(self, ctx):
            self.ctx = ctx
            super().__init__()

        def init_poolmanager(self, *args, **kwargs):
            kwargs["ssl_context"] = self.ctx
            return super().init_poolmanager(*args, **kwargs)

    with requests.Session() as session:
        session.mount("https://", ContextAdapter(client_context(ssl_bio, certs)))
        url = f"https://localhost:{https_server.port}/req"
        assert session.get(url, timeout=30).content == b"GET /req"
        assert session.post(url, data=b"form", timeout=30).content == b"POST form"
