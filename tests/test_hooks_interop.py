"""The handshake hooks against real peers: ``openssl s_server`` and ``s_client``.

OCSP stapling both ways, TLS 1.3 early data both ways, and a certificate chosen
by SNI and ALPN in the ClientHello callback; ssl_bio's side is an SSLSocket.
"""

import socket
import subprocess
import threading

import pytest
from test_hooks import ocsp_response, ocsp_status
from test_openssl_interop import OPENSSL, read_line, start_s_server

import ssl_bio
from conftest import client_context, server_context

pytestmark = pytest.mark.skipif(
    OPENSSL is None, reason="the openssl command-line tool is not installed"
)


class OneShotServer:
    """An ssl_bio server thread: ``handler(listener)`` on a loopback listener."""

    def __init__(self, handler):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(30)
        self.port = self.listener.getsockname()[1]
        self.result = {}
        self.thread = threading.Thread(target=self._run, args=(handler,), daemon=True)

    def _run(self, handler):
        try:
            handler(self.listener, self.result)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.result["error"] = exc

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.thread.join(30)
        self.listener.close()


def s_client(port, *args, stdin=""):
    return subprocess.run(
        [OPENSSL, "s_client", "-connect", f"127.0.0.1:{port}", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


# --- OCSP ---------------------------------------------------------------------------


def test_ssl_bio_client_gets_s_servers_staple(certs, tmp_path):
    staple = ocsp_response(certs)
    (tmp_path / "ocsp.der").write_bytes(staple)
    process, port = start_s_server(certs, "TLSv1.3", "-status_file", str(tmp_path / "ocsp.der"))
    seen = []
    try:
        ctx = client_context(ssl_bio, certs)
        ctx.ocsp_client_callback = lambda conn, response: seen.append(response) or True
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        with ctx.wrap_socket(sock, server_hostname="localhost") as tls:
            assert tls.ocsp_response() == staple
            tls.sendall(b"stapled\n")
            assert read_line(tls) == b"delpats\n"
    finally:
        process.kill()
        process.communicate()
    assert seen == [staple]


@pytest.mark.parametrize("version", ["-tls1_2", "-tls1_3"])
def test_s_client_status_gets_ssl_bios_staple(certs, version):
    staple = ocsp_response(certs)

    def serve(listener, result):
        ctx = server_context(ssl_bio, certs)
        ctx.ocsp_server_callback = lambda conn: result.setdefault("asked", True) and staple
        tls, _ = ctx.wrap_socket(listener, server_side=True).accept()
        with tls:
            tls.sendall(b"hello\n")
            tls.unwrap()

    with OneShotServer(serve) as server:
        completed = s_client(server.port, "-status", version, "-CAfile", certs.cafile)
    assert "error" not in server.result, server.result.get("error")
    assert server.result["asked"]
    assert "OCSP Response Status: successful" in completed.stdout, completed.stdout
    assert "Cert Status: good" in completed.stdout
    assert ocsp_status(staple) == "GOOD"


# --- early data ---------------------------------------------------------------------


def test_early_data_to_s_server(certs):
    process, port = start_s_server(certs, "TLSv1.3", "-early_data", "-naccept", "2", reverse=False)
    try:
        ctx = client_context(ssl_bio, certs)
        first = ctx.wrap_socket(
            socket.create_connection(("127.0.0.1", port), timeout=30), server_hostname="localhost"
        )
        with first:
            first.settimeout(0.5)
            try:
                first.recv(1)  # the session tickets arrive
            except socket.timeout:
                pass
            session = first.session
            first.settimeout(30)
            first.unwrap()  # a clean close keeps the session resumable
        assert session.max_early_data > 0
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        second = ctx.wrap_socket(
            sock, server_hostname="localhost", session=session, do_handshake_on_connect=False
        )
        with second:
            assert second.write_early_data(b"hello early\n") == 12
            second.do_handshake()
            assert second.session_reused
            assert second.early_data_status == "accepted"
        output, _ = process.communicate(timeout=30)  # it exits after two connections
    finally:
        process.kill()
    assert "Early data received:" in output
    assert "hello early" in output.splitlines()


def test_s_client_early_data_to_ssl_bio_server(certs, tmp_path):
    (tmp_path / "early.txt").write_text("early from s_client\n")

    def serve(listener, result):
        ctx = server_context(ssl_bio, certs)
        ctx.max_early_data = 16384
        tls_listener = ctx.wrap_socket(listener, server_side=True, do_handshake_on_connect=False)
        for index in range(2):
            tls, _ = tls_listener.accept()
            with tls:
                early = b""
                while True:
                    chunk = tls.read_early_data(1024)
                    if not chunk:
                        break
                    early += chunk
                tls.do_handshake()
                result[index] = (early, tls.early_data_status, tls.session_reused)
                tls.sendall(b"hello\n")
                tls.unwrap()

    session_file = str(tmp_path / "session.pem")
    # -ign_eof: s_client stays until the server closes, so the ticket arrives.
    args = ["-CAfile", certs.cafile, "-servername", "localhost", "-tls1_3", "-ign_eof"]
    with OneShotServer(serve) as server:
        s_client(server.port, *args, "-sess_out", session_file)
        completed = s_client(
            server.port, *args, "-sess_in", session_file, "-early_data", str(tmp_path / "early.txt")
        )
    assert "error" not in server.result, server.result.get("error")
    assert server.result[0] == (b"", "not sent", False)
    assert server.result[1] == (b"early from s_client\n", "accepted", True), completed.stdout


# --- a certificate chosen in the ClientHello callback --------------------------------


@pytest.mark.parametrize(
    "servername, alpn, expected_name",
    [("other.example", "h2", "other.example"), ("localhost", "acme-tls/1", "other.example")],
)
def test_s_client_gets_the_certificate_sni_or_alpn_chose(
    certs,
    other_name,
    servername,
    alpn,
    expected_name,  # noqa: F811
):
    def serve(listener, result):
        other_ctx = server_context(ssl_bio, other_name)
        other_ctx.set_alpn_protocols(["acme-tls/1", "h2"])
        ctx = server_context(ssl_bio, certs)
        ctx.set_alpn_protocols(["h2"])

        def pick(conn, hello):
            result["hello"] = (hello.server_name, hello.alpn_protocols)
            if hello.server_name == "other.example" or "acme-tls/1" in hello.alpn_protocols:
                conn.context = other_ctx

        ctx.client_hello_callback = pick
        tls, _ = ctx.wrap_socket(listener, server_side=True).accept()
        with tls:
            tls.sendall(b"hello\n")
            tls.unwrap()

    with OneShotServer(serve) as server:
        completed = s_client(
            server.port,
            "-servername",
            servername,
            "-alpn",
            alpn,
            "-CAfile",
            certs.cafile,
            "-verify_hostname",
            expected_name,
            "-verify_return_error",
        )
    assert "error" not in server.result, server.result.get("error")
    assert server.result["hello"] == (servername, [alpn])
    assert f"ALPN protocol: {alpn}" in completed.stdout
    assert "Verify return code: 0 (ok)" in completed.stdout, completed.stdout + completed.stderr
