"""Every example, run end to end as a new user would run it."""

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_consumers import HTTPSServer

import ssl_bio
from conftest import server_context

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

pytestmark = pytest.mark.skipif(
    not EXAMPLES.is_dir(), reason="the examples directory is not beside the tests"
)


def run(script, *args, stdin=None, timeout=60):
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_echo_demo():
    out = run("echo_demo.py", "--clients", "4", "--messages", "5", "--size", "3000")
    assert "handshakes      : 4 (server side)" in out
    assert "bytes echoed    : 60000 each way" in out
    assert out.rstrip().endswith("result          : OK")


@pytest.mark.parametrize("tls", ["1.2", "1.3"])
def test_memory_demo(tls):
    out = run("memory_demo.py", "--tls", tls, "--size", "200000")
    assert f"protocol       : TLSv{tls}" in out
    assert "echoed         : 200000 bytes intact" in out
    assert "shutdown       : clean" in out


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class DemoServer:
    """An example server started with --demo --port 0, stopped with Ctrl-C."""

    def __init__(self, script):
        self.process = subprocess.Popen(
            [sys.executable, "-u", str(EXAMPLES / script), "--demo", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            # Ctrl-C stops it: a run started in the background has SIGINT
            # ignored, which the child would inherit (and Python keeps).
            preexec_fn=_default_sigint,
        )
        self.lines = []
        for line in self.process.stdout:
            self.lines.append(line)
            if line.startswith("connect with:"):
                self.client_command = line.split(":", 1)[1].split()
                break
        else:
            raise AssertionError("no client command printed:\n" + "".join(self.lines))

    def client_args(self):
        """--host/--port/--cafile from the printed command."""
        return self.client_command[2:]

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        out, _ = self.process.communicate(timeout=30)
        self.lines.append(out)
        return self.process.returncode, "".join(self.lines)


@pytest.mark.parametrize(
    "server, client",
    [
        ("echo_server.py", "echo_client.py"),
        ("echo_server_asyncio.py", "echo_client_asyncio.py"),
        ("echo_server.py", "echo_client_asyncio.py"),
        ("echo_server_asyncio.py", "echo_client.py"),
    ],
)
def test_server_and_client(server, client):
    demo = DemoServer(server)
    try:
        assert Path(demo.client_command[1]).name == (
            "echo_client.py" if server == "echo_server.py" else "echo_client_asyncio.py"
        )
        burst = run(client, *demo.client_args(), "--count", "20", "--size", "5000")
        assert "20 messages of 5000 bytes echoed and verified" in burst
        assert "connected: TLSv1.3" in burst and "ALPN echo/1" in burst
        assert "localhost" in burst  # the peer certificate's names
        lines = run(client, *demo.client_args(), stdin="hello\nworld\n")
        assert "hello\nworld\n" in lines
        assert lines.rstrip().endswith("closed cleanly")
    finally:
        returncode, log = demo.stop()
    assert returncode == 0, log
    assert "stopped" in log
    assert "100000 bytes echoed" in log  # the burst, closed cleanly


def test_client_rejects_an_untrusted_server():
    demo = DemoServer("echo_server.py")
    try:
        host_port = demo.client_args()[:4]
        result = subprocess.run(
            [sys.executable, str(EXAMPLES / "echo_client.py"), *host_port, "--count", "1"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        demo.stop()
    assert result.returncode == 1
    assert "CERTIFICATE_VERIFY_FAILED" in result.stderr


def test_https_get_demo():
    out = run("https_get.py", "--demo")
    assert "status : 200 OK" in out
    assert "body   : hello from ssl_bio over HTTPS" in out
    assert "tls    : TLSv1.3" in out


def test_https_get_against_a_local_server(certs, other_ca_certs):
    with HTTPSServer(server_context(ssl_bio, certs)) as server:
        url = f"https://localhost:{server.port}/some/path"
        out = run("https_get.py", url, "--cafile", certs.cafile)
        assert "body   : GET /some/path" in out
        out = run("https_get.py", url, "--cafile", certs.cafile, "--data", "a=1")
        assert "body   : POST a=1" in out
        result = subprocess.run(
            [sys.executable, str(EXAMPLES / "https_get.py"), url]
            + ["--cafile", other_ca_certs.cafile],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert "CERTIFICATE_VERIFY_FAILED" in result.stderr


@pytest.mark.parametrize("framework", ["asyncio", "trio"])
def test_paused_handshake_examples(framework):
    out = run(f"paused_handshake_{framework}.py")
    lines = out.splitlines()
    assert lines[:4] == [
        "server: ClientHello for 'localhost': looking up a certificate",
        "server: certificate for 'localhost' found; handshake resumed",
        "client: OpenSSL says verified=True; asking the policy service",
        "client: policy says accept",
    ]
    assert "client: got b'echo: hello after two pauses'" in lines
    assert lines[-1] == "result: OK"
