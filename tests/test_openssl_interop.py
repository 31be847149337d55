"""ssl_bio against peers nobody on this team wrote: ``openssl s_server`` and ``s_client``.

Real sockets on loopback.  ssl_bio's side moves the bytes between the socket
and its MemoryBIOs by hand (``SocketTLS``).
"""

import queue
import re
import shutil
import socket
import subprocess
import threading

import pytest

import ssl_bio
from conftest import client_context, server_context

OPENSSL = shutil.which("openssl")

pytestmark = pytest.mark.skipif(
    OPENSSL is None, reason="the openssl command-line tool is not installed"
)

VERSIONS = {"TLSv1.2": "-tls1_2", "TLSv1.3": "-tls1_3"}


class SocketTLS:
    """An SSLObject over a blocking socket, moving bytes between them by hand."""

    def __init__(self, sock, ctx, **wrap_args):
        self.sock = sock
        self.incoming, self.outgoing = ssl_bio.MemoryBIO(), ssl_bio.MemoryBIO()
        self.tls = ctx.wrap_bio(self.incoming, self.outgoing, **wrap_args)

    def call(self, operation, *args):
        while True:
            try:
                result = operation(*args)
            except ssl_bio.SSLWantReadError:
                self.sock.sendall(self.outgoing.read())
                data = self.sock.recv(65536)
                if data:
                    self.incoming.write(data)
                else:
                    self.incoming.write_eof()
                continue
            self.sock.sendall(self.outgoing.read())
            return result

    def read_until(self, terminator):
        data = b""
        while not data.endswith(terminator):
            chunk = self.call(self.tls.read, 4096)
            if not chunk:
                break
            data += chunk
        return data


def start_s_server(certs, version, *extra):
    process = subprocess.Popen(
        [OPENSSL, "s_server", "-accept", "127.0.0.1:0", "-naccept", "1", "-rev"]
        + ["-cert", certs.certfile, "-key", certs.keyfile, VERSIONS[version], *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Read its output in a thread up to the ACCEPT line, so that a server that
    # never says it (or hangs) fails the test after 30 s instead of hanging it.
    # The thread stops there: communicate() reads the rest.
    port = queue.Queue()

    def find_port():
        for line in process.stdout:
            match = re.match(r"ACCEPT 127\.0\.0\.1:(\d+)", line)
            if match:
                port.put(int(match.group(1)))
                return
        port.put(None)

    threading.Thread(target=find_port, daemon=True).start()
    try:
        number = port.get(timeout=30)
    except queue.Empty:
        number = None
    if number is None:
        process.kill()
        process.wait(30)
        raise AssertionError("s_server did not start within 30 s")
    return process, number


@pytest.mark.parametrize("version", sorted(VERSIONS))
@pytest.mark.parametrize("with_client_cert", [False, True], ids=["anonymous", "client-cert"])
def test_ssl_bio_client_to_s_server(certs, client_certs, version, with_client_cert):
    extra = ["-alpn", "h2,echo/1"]
    ctx = client_context(ssl_bio, certs)
    ctx.set_alpn_protocols(["echo/1", "http/1.1"])
    if with_client_cert:
        extra += ["-Verify", "1", "-verifyCAfile", client_certs.cafile, "-verify_return_error"]
        ctx.load_cert_chain(client_certs.certfile, client_certs.keyfile)
    process, port = start_s_server(certs, version, *extra)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            conn = SocketTLS(sock, ctx, server_hostname="localhost")
            conn.call(conn.tls.do_handshake)
            assert conn.tls.version() == version
            assert conn.tls.selected_alpn_protocol() == "echo/1"
            assert conn.tls.getpeercert()["subjectAltName"][0] == ("DNS", "localhost")
            conn.call(conn.tls.write, b"hello from ssl_bio\n")
            reversed_line = b"hello from ssl_bio"[::-1] + b"\n"  # -rev reverses lines
            assert conn.read_until(b"\n") == reversed_line
            try:
                conn.call(conn.tls.unwrap)
            except (ssl_bio.SSLError, OSError):
                pass  # s_server may drop the socket right after its close_notify
        out, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert "CONNECTION CLOSED" in out or "DONE" in out
    if with_client_cert:
        assert "client" in out  # s_server printed the verified client certificate


def test_s_server_with_an_untrusted_certificate(certs, other_ca_certs):
    process, port = start_s_server(other_ca_certs, "TLSv1.3")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            conn = SocketTLS(sock, client_context(ssl_bio, certs), server_hostname="localhost")
            with pytest.raises(ssl_bio.SSLCertVerificationError) as info:
                conn.call(conn.tls.do_handshake)
    finally:
        process.kill()
        process.communicate()
    assert info.value.verify_code == 20  # unable to get local issuer certificate


def serve_one(listener, ctx, result):
    """Accept one client, echo one line, close with close_notify."""
    try:
        sock, _ = listener.accept()
        with sock:
            sock.settimeout(30)
            conn = SocketTLS(sock, ctx, server_side=True)
            conn.call(conn.tls.do_handshake)
            result["version"] = conn.tls.version()
            result["alpn"] = conn.tls.selected_alpn_protocol()
            result["peercert"] = conn.tls.getpeercert()
            line = conn.read_until(b"\n")
            conn.call(conn.tls.write, line)
            try:
                conn.call(conn.tls.unwrap)
            except (ssl_bio.SSLError, OSError):
                pass  # s_client exits at our close_notify without answering
    except Exception as exc:  # noqa: BLE001 - reported by the test
        result["error"] = exc


@pytest.mark.parametrize("version", sorted(VERSIONS))
@pytest.mark.parametrize("with_client_cert", [False, True], ids=["anonymous", "client-cert"])
def test_s_client_to_ssl_bio_server(certs, client_certs, version, with_client_cert):
    ctx = server_context(ssl_bio, certs)
    ctx.set_alpn_protocols(["echo/1"])
    args = [OPENSSL, "s_client", "-quiet", "-verify_return_error", VERSIONS[version]]
    args += ["-CAfile", certs.cafile, "-servername", "localhost", "-alpn", "h2,echo/1"]
    if with_client_cert:
        ctx.verify_mode = ssl_bio.CERT_REQUIRED
        ctx.load_verify_locations(client_certs.cafile)
        args += ["-cert", client_certs.certfile, "-key", client_certs.keyfile]
    result = {}
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        thread = threading.Thread(target=serve_one, args=(listener, ctx, result))
        thread.start()
        completed = subprocess.run(
            args + ["-connect", f"127.0.0.1:{port}"],
            input="echo me\n",
            capture_output=True,
            text=True,
            timeout=60,
        )
        thread.join(30)
    assert "error" not in result, result.get("error")
    assert completed.stdout == "echo me\n", completed.stderr
    assert result["version"] == version
    assert result["alpn"] == "echo/1"
    if with_client_cert:
        assert ("commonName", "client") in [rdn[0] for rdn in result["peercert"]["subject"]]
    else:
        assert result["peercert"] is None


def test_s_client_rejects_a_wrong_name(certs):
    ctx = server_context(ssl_bio, certs)
    result = {}
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        thread = threading.Thread(target=serve_one, args=(listener, ctx, result))
        thread.start()
        completed = subprocess.run(
            [OPENSSL, "s_client", "-quiet", "-verify_return_error", "-CAfile", certs.cafile]
            + ["-verify_hostname", "wrong.example", "-connect", f"127.0.0.1:{port}"],
            input="x\n",
            capture_output=True,
            text=True,
            timeout=60,
        )
        thread.join(30)
    assert completed.returncode != 0
    assert "verify error" in completed.stderr
    assert isinstance(result.get("error"), ssl_bio.SSLError)  # the client's alert
