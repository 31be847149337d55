"""Fetch an HTTPS URL with urllib.request, on an ssl_bio context.

    python examples/https_get.py --demo          # serves HTTPS locally and fetches it
    python examples/https_get.py https://localhost:8443/ --cafile demo-ca.pem
    python examples/https_get.py https://localhost:8443/form --cafile demo-ca.pem --data 'a=1'

urllib.request takes an ssl_bio context exactly as it takes the stdlib's: it
calls ``ctx.wrap_socket()``, which returns an ``ssl_bio.SSLSocket``.  The
server's certificate and host name are verified (against ``--cafile``, or the
system's CAs without it).  ``--demo`` serves HTTPS from ``http.server`` on an
ssl_bio server context with throwaway certificates, and fetches from it.
"""

import argparse
import http.server
import sys
import threading
import urllib.error
import urllib.request

import demo_support

import ssl_bio


class NotingSSLSocket(ssl_bio.SSLSocket):
    """Remembers what the last handshake negotiated (``sslsocket_class`` at work)."""

    last = None

    def do_handshake(self, block=False):
        super().do_handshake(block)
        NotingSSLSocket.last = demo_support.describe(self)


class DemoHandler(http.server.BaseHTTPRequestHandler):
    """Answers GET with a greeting and POST with what was posted."""

    def do_GET(self):
        self._reply(b"hello from ssl_bio over HTTPS\n")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self._reply(b"you posted: " + self.rfile.read(length) + b"\n")

    def _reply(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def start_demo_server(certificates):
    """http.server on 127.0.0.1, its listening socket wrapped by an ssl_bio context."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), DemoHandler)
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certificates.certfile)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def fetch(url, cafile=None, data=None, timeout=30):
    """(status, reason, body) of one request through urllib.request."""
    ctx = ssl_bio.create_default_context(cafile=cafile)
    ctx.sslsocket_class = NotingSSLSocket
    with urllib.request.urlopen(url, data=data, context=ctx, timeout=timeout) as response:
        return response.status, response.reason, response.read()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", help="an https:// URL")
    parser.add_argument("--cafile", help="trust this CA (PEM) instead of the system's")
    parser.add_argument("--data", help="POST this text instead of a GET")
    parser.add_argument("--demo", action="store_true", help="serve HTTPS locally and fetch it")
    args = parser.parse_args(argv)
    certificates = server = None
    if args.demo:
        certificates = demo_support.DemoCertificates()
        server = start_demo_server(certificates)
        args.url = args.url or f"https://localhost:{server.server_address[1]}/"
        args.cafile = args.cafile or certificates.cafile
    elif not args.url:
        parser.error("give a URL, or --demo")
    try:
        status, reason, body = fetch(
            args.url, args.cafile, None if args.data is None else args.data.encode()
        )
    except urllib.error.URLError as exc:
        print(f"{args.url}: {exc.reason}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
            certificates.cleanup()
    print(f"url    : {args.url}")
    print(f"tls    : {NotingSSLSocket.last}")
    print(f"status : {status} {reason}")
    print(f"body   : {body.decode('utf-8', 'replace').rstrip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
