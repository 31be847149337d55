"""ssl_bio against peers nobody on this team wrote: ``openssl s_server`` and ``s_client``.

Real sockets on loopback; ssl_bio's side is an ``SSLSocket`` (``wrap_socket``).
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


def read_line(tls):
    """Read from an SSLSocket up to and including a newline (or to the end)."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = tls.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def read_until_match(process, pattern, what, timeout=30):
    """The first match of ``pattern`` in the process's output lines, read in a
    thread so that a process that never prints it (or hangs) fails the test
    after ``timeout`` seconds instead of hanging it.  The thread stops at the
    match: the lines after it stay for communicate()."""
    found = queue.Queue()

    def read():
        for line in process.stdout:
            match = re.search(pattern, line)
            if match:
                found.put(match)
                return
        found.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        match = found.get(timeout=timeout)
    except queue.Empty:
        match = None
    if match is None:
        process.kill()
        process.wait(30)
        raise AssertionError(f"{what} within {timeout} s")
    return match


def start_s_server(certs, version, *extra, reverse=True):
    """``openssl s_server`` for one connection: with ``reverse`` it answers
    each line reversed (-rev); without, it prints the connection's details
    (keying material among them) and waits on its standard input."""
    process = subprocess.Popen(
        [OPENSSL, "s_server", "-accept", "127.0.0.1:0", "-naccept", "1"]
        + (["-rev"] if reverse else [])
        + ["-cert", certs.certfile, "-key", certs.keyfile, VERSIONS[version], *extra],
        stdin=None if reverse else subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    match = read_until_match(process, r"^ACCEPT 127\.0\.0\.1:(\d+)", "s_server did not start")
    return process, int(match.group(1))


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
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        with ctx.wrap_socket(sock, server_hostname="localhost") as tls:
            assert tls.version() == version
            assert tls.selected_alpn_protocol() == "echo/1"
            assert tls.getpeercert()["subjectAltName"][0] == ("DNS", "localhost")
            tls.sendall(b"hello from ssl_bio\n")
            reversed_line = b"hello from ssl_bio"[::-1] + b"\n"  # -rev reverses lines
            assert read_line(tls) == reversed_line
            try:
                tls.unwrap()
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
            ctx = client_context(ssl_bio, certs)
            with pytest.raises(ssl_bio.SSLCertVerificationError) as info:
                ctx.wrap_socket(sock, server_hostname="localhost")
    finally:
        process.kill()
        process.communicate()
    assert info.value.verify_code == 20  # unable to get local issuer certificate


def serve_one(listener, ctx, result):
    """Accept one client on a TLS listener, echo one line, close with close_notify."""
    try:
        listener.settimeout(30)  # accepted sockets inherit it
        tls_listener = ctx.wrap_socket(listener, server_side=True)
        tls, _ = tls_listener.accept()
        with tls:
            result["version"] = tls.version()
            result["alpn"] = tls.selected_alpn_protocol()
            result["peercert"] = tls.getpeercert()
            tls.sendall(read_line(tls))
            try:
                tls.unwrap()
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


KEYING_MATERIAL = r"Keying material: ([0-9A-F]+)"


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_keying_material_equals_s_servers(certs, version):
    """``s_server -keymatexport`` against an ssl_bio client: the same bytes."""
    label = "EXPERIMENTAL-ssl-bio-interop"
    process, port = start_s_server(
        certs, version, "-keymatexport", label, "-keymatexportlen", "48", reverse=False
    )
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        with client_context(ssl_bio, certs).wrap_socket(sock, server_hostname="localhost") as tls:
            assert tls.version() == version
            ours = tls.export_keying_material(label, 48)
            theirs = read_until_match(process, KEYING_MATERIAL, "s_server printed no key")
    finally:
        process.kill()
        process.communicate()
    assert ours.hex().upper() == theirs.group(1)


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_keying_material_and_tls_exporter_equal_s_clients(certs, version):
    """``s_client -keymatexport`` against an ssl_bio server, with the label and
    length of 'tls-exporter' (RFC 9266; s_client exports without a context,
    which TLS 1.3 does not tell from an empty one) and with others."""
    bindings = []

    def serve(listener, result):
        try:
            sock, _ = listener.accept()
            sock.settimeout(30)
            with server_context(ssl_bio, certs).wrap_socket(sock, server_side=True) as tls:
                result["export"] = tls.export_keying_material(label, 32)
                bindings.append(tls.get_channel_binding("tls-exporter"))
                tls.sendall(read_line(tls))
        except Exception as exc:  # noqa: BLE001 - reported by the test
            result["error"] = exc

    materials = {}
    for label in ("EXPORTER-Channel-Binding", "EXPERIMENTAL-ssl-bio-interop"):
        result = {}
        with socket.create_server(("127.0.0.1", 0)) as listener:
            port = listener.getsockname()[1]
            thread = threading.Thread(target=serve, args=(listener, result))
            thread.start()
            completed = subprocess.run(
                [OPENSSL, "s_client", "-connect", f"127.0.0.1:{port}", VERSIONS[version]]
                + ["-CAfile", certs.cafile, "-servername", "localhost", "-verify_return_error"]
                + ["-keymatexport", label, "-keymatexportlen", "32"],
                input="line\n",
                capture_output=True,
                text=True,
                timeout=60,
            )
            thread.join(30)
        assert "error" not in result, result.get("error")
        theirs = re.search(KEYING_MATERIAL, completed.stdout)
        assert theirs, completed.stdout + completed.stderr
        materials[label] = bytes.fromhex(theirs.group(1))
        assert result["export"] == materials[label]
    # 'tls-exporter' exports with an empty context (RFC 9266), s_client with
    # none: the same on TLS 1.3 (RFC 8446 7.5), not on TLS 1.2 (RFC 5705).
    assert (bindings[0] == materials["EXPORTER-Channel-Binding"]) == (version == "TLSv1.3")
