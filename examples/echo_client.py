"""A TLS echo client: lines from stdin, or a measured burst of messages.

    python examples/echo_client.py --port 8443 --cafile demo-ca.pem            # type lines
    python examples/echo_client.py --port 8443 --cafile demo-ca.pem --count 100 --size 16384

The socket is an ordinary blocking one; TLS is an ``SSLObject`` over two
``MemoryBIO`` objects, with this file moving the bytes (``TLSClient``).  It
verifies the server's certificate and host name, prints what was negotiated,
and closes with close_notify both ways.
"""

import os
import socket
import sys
import time

import demo_support

import ssl_bio


class TLSClient:
    """A blocking TLS connection built by hand from a socket and two MemoryBIOs."""

    def __init__(self, sock, ctx, server_hostname):
        self.sock = sock
        self.incoming = ssl_bio.MemoryBIO()
        self.outgoing = ssl_bio.MemoryBIO()
        self.tls = ctx.wrap_bio(self.incoming, self.outgoing, server_hostname=server_hostname)

    @classmethod
    def connect(cls, host, port, ctx, server_hostname=None, timeout=30):
        sock = socket.create_connection((host, port), timeout=timeout)
        client = cls(sock, ctx, server_hostname or host)
        try:
            client._retry(client.tls.do_handshake)
        except BaseException:
            sock.close()
            raise
        return client

    def _flush(self):
        data = self.outgoing.read()
        if data:
            self.sock.sendall(data)

    def _fill(self):
        data = self.sock.recv(65536)
        if data:
            self.incoming.write(data)
        else:
            self.incoming.write_eof()

    def _retry(self, operation, *args):
        """Run a TLS operation, moving bytes until it stops wanting more."""
        while True:
            try:
                result = operation(*args)
            except ssl_bio.SSLWantReadError:
                self._flush()
                self._fill()
                continue
            self._flush()
            return result

    def send(self, data):
        self._retry(self.tls.write, data)

    def recv(self, size=16384):
        """Up to ``size`` bytes of plaintext; b'' once the server has closed."""
        return self._retry(self.tls.read, size)

    def recv_exactly(self, size):
        data = bytearray()
        while len(data) < size:
            chunk = self.recv(min(size - len(data), 16384))
            if not chunk:
                raise ConnectionError("the server closed the connection early")
            data += chunk
        return bytes(data)

    def close(self):
        """close_notify, wait for the server's, then close the socket."""
        try:
            self._retry(self.tls.unwrap)
        except (ssl_bio.SSLError, OSError):
            pass  # the peer vanished; nothing left to protect
        finally:
            self.sock.close()


def run_burst(client, count, size):
    """Send ``count`` messages of ``size`` random bytes; check every echo."""
    start = time.perf_counter()
    for _ in range(count):
        message = os.urandom(size)
        client.send(message)
        if client.recv_exactly(size) != message:
            raise SystemExit("echo mismatch")
    elapsed = time.perf_counter() - start
    total = count * size
    print(
        f"{count} messages of {size} bytes echoed and verified in {elapsed:.3f} s: "
        f"{2 * total / elapsed / 1e6:.1f} MB/s both ways, {count / elapsed:.0f} round trips/s"
    )


def run_interactive(client):
    print("type lines; Ctrl-D or Ctrl-C to quit")
    for line in sys.stdin:
        data = line.encode()
        client.send(data)
        print(client.recv_exactly(len(data)).decode(errors="replace"), end="", flush=True)


def main(argv=None):
    args = demo_support.parse_client_arguments(__doc__.split("\n")[0], argv)

    ctx = demo_support.client_context(args.cafile, args.cert, args.key)
    try:
        client = TLSClient.connect(args.host, args.port, ctx, args.server_hostname)
    except ssl_bio.SSLError as exc:
        print(f"TLS handshake failed: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"cannot connect to {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"connected: {demo_support.describe(client.tls)}", flush=True)
    try:
        if args.count:
            run_burst(client, args.count, args.size)
        else:
            run_interactive(client)
    except KeyboardInterrupt:
        pass
    finally:
        client.close()
    print("closed cleanly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
