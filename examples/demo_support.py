"""What the echo examples share: command-line TLS options, throwaway demo certificates,
and a one-line description of a negotiated connection.

Not an example itself: ``echo_server.py``, ``echo_client.py``, their asyncio
twins and ``echo_demo.py`` import it from this directory.
"""

import argparse
import os
import tempfile

import ssl_bio

ALPN_PROTOCOLS = ["echo/1", "http/1.1"]


def parse_server_arguments(description, argv=None):
    """The servers' command line: returns (args, SSLContext, DemoCertificates or None)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8443, help="0 picks a free port")
    add_tls_arguments(parser, server=True)
    args = parser.parse_args(argv)
    demo = None
    if args.demo:
        demo = DemoCertificates()
        args.cert, args.key = demo.certfile, None
    elif not args.cert:
        parser.error("give --cert (and --key), or --demo")
    return args, server_context(args.cert, args.key, args.cafile), demo


def parse_client_arguments(description, argv=None):
    """The clients' command line."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--server-hostname", help="name to verify (default: --host)")
    parser.add_argument("--count", type=int, help="send this many messages and measure")
    parser.add_argument("--size", type=int, default=1024, help="bytes per message (--count)")
    add_tls_arguments(parser, server=False)
    return parser.parse_args(argv)


def add_tls_arguments(parser, server):
    """--cert/--key/--cafile/--demo, the options every example takes."""
    role = "this server's" if server else "a client"
    parser.add_argument("--cert", help=f"PEM certificate chain ({role} certificate)")
    parser.add_argument("--key", help="PEM private key for --cert (default: inside --cert)")
    parser.add_argument(
        "--cafile",
        help="CA certificates to verify client certificates with"
        if server
        else "CA certificates to verify the server with (default: the system's)",
    )
    if server:
        parser.add_argument(
            "--demo",
            action="store_true",
            help="make a throwaway CA and localhost certificate with trustme",
        )


class DemoCertificates:
    """A trustme CA and a certificate for localhost/127.0.0.1/::1, as files.

    The files live in a temporary directory until ``cleanup()``: the client
    command the server prints refers to the CA file.
    """

    def __init__(self):
        try:
            import trustme
        except ImportError:
            raise SystemExit("--demo needs trustme: pip install trustme") from None
        self._directory = tempfile.TemporaryDirectory(prefix="ssl_bio-demo-")
        ca = trustme.CA(organization_name="ssl_bio demo CA")
        leaf = ca.issue_cert("localhost", "127.0.0.1", "::1")
        self.cafile = os.path.join(self._directory.name, "demo-ca.pem")
        self.certfile = os.path.join(self._directory.name, "demo-server.pem")
        ca.cert_pem.write_to_path(self.cafile)
        leaf.private_key_and_cert_chain_pem.write_to_path(self.certfile)

    def cleanup(self):
        self._directory.cleanup()


def server_context(certfile, keyfile=None, cafile=None):
    """An ssl_bio server context; with ``cafile``, client certificates are required."""
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certfile, keyfile)
    if cafile:
        ctx.load_verify_locations(cafile)
        ctx.verify_mode = ssl_bio.CERT_REQUIRED
    ctx.set_alpn_protocols(ALPN_PROTOCOLS)
    return ctx


def client_context(cafile=None, certfile=None, keyfile=None):
    """An ssl_bio client context that verifies the server's certificate and name."""
    ctx = ssl_bio.create_default_context(cafile=cafile)
    if certfile:
        ctx.load_cert_chain(certfile, keyfile)
    ctx.set_alpn_protocols(ALPN_PROTOCOLS)
    return ctx


def describe(tls):
    """Version, cipher, ALPN and peer subject of a handshaken SSLObject."""
    cipher = tls.cipher()
    cert = tls.getpeercert()
    subject = "no certificate"
    if cert:
        names = [value for rdn in cert.get("subject", ()) for _, value in rdn]
        alt = [value for _, value in cert.get("subjectAltName", ())]
        subject = ", ".join(names) or "(empty subject)"
        if alt:
            subject += f" [{', '.join(alt)}]"
    return (
        f"{tls.version()} {cipher[0]} ({cipher[2]} bits), "
        f"ALPN {tls.selected_alpn_protocol()}, peer: {subject}"
    )
