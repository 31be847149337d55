"""A TLS echo server on ``selectors``: one thread, many clients, I/O it controls.

    python examples/echo_server.py --demo                 # throwaway certificate
    python examples/echo_server.py --cert chain.pem --key key.pem [--cafile clients-ca.pem]

Every connection is a non-blocking socket plus an ``SSLObject`` over two
``MemoryBIO`` objects: bytes from the socket go into the incoming BIO, TLS
output is taken from the outgoing BIO and sent when the socket can take it.
That is the use case the memory-BIO API exists for.  Ctrl-C stops it.
"""

import selectors
import signal
import socket
import sys
import threading

import demo_support

import ssl_bio


class Connection:
    """One client: a socket, its two BIOs and its TLS state machine."""

    def __init__(self, sock, address, ctx, log, on_handshake):
        self.sock = sock
        self.address = address
        self.log = log
        self.on_handshake = on_handshake
        self.incoming = ssl_bio.MemoryBIO()
        self.outgoing = ssl_bio.MemoryBIO()
        self.tls = ctx.wrap_bio(self.incoming, self.outgoing, server_side=True)
        self.handshake_done = False
        self.unsent = bytearray()
        self.finished = False  # nothing more will be read or sent
        self.bytes_echoed = 0

    def on_readable(self):
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self.log(f"{self.address}: {exc}")
            self.finished = True
            return
        if data:
            self.incoming.write(data)
        else:
            self.incoming.write_eof()  # TLS decides if that was a clean close
        self.process()

    def process(self):
        """Advance the handshake and echo whatever plaintext arrived."""
        try:
            if not self.handshake_done:
                self.tls.do_handshake()
                self.handshake_done = True
                self.on_handshake()
                self.log(f"{self.address}: {demo_support.describe(self.tls)}")
            while True:
                data = self.tls.read(16384)
                if not data:  # the client's close_notify: answer it, then close
                    self.log(f"{self.address}: closed cleanly, {self.bytes_echoed} bytes echoed")
                    self.tls.unwrap()
                    self.finished = True
                    break
                self.tls.write(data)
                self.bytes_echoed += len(data)
        except ssl_bio.SSLWantReadError:
            pass  # wait for more bytes from the client
        except ssl_bio.SSLError as exc:
            self.log(f"{self.address}: TLS error: {exc}")
            self.finished = True
        self.unsent += self.outgoing.read()
        self.send()

    def send(self):
        while self.unsent:
            try:
                sent = self.sock.send(self.unsent)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                self.unsent.clear()
                self.finished = True
                return
            del self.unsent[:sent]

    @property
    def done(self):
        return self.finished and not self.unsent


class EchoServer:
    """Accepts clients on ``host:port`` and echoes their data until stopped."""

    def __init__(self, ctx, host="127.0.0.1", port=0, log=print):
        self.ctx = ctx
        self.log = log
        self.listener = socket.create_server((host, port))
        self.listener.setblocking(False)
        self.address = self.listener.getsockname()[:2]
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ)
        self.connections = {}
        self.handshakes = 0
        self._stop = threading.Event()

    def stop(self):
        """Ask serve_forever() to return (from another thread)."""
        self._stop.set()

    def serve_forever(self):
        try:
            while not self._stop.is_set():
                for key, events in self.selector.select(timeout=0.2):
                    if key.fileobj is self.listener:
                        self._accept()
                        continue
                    connection = key.data
                    if events & selectors.EVENT_READ:
                        connection.on_readable()
                    if events & selectors.EVENT_WRITE:
                        connection.send()
                    self._update(connection)
        finally:
            for connection in list(self.connections.values()):
                self._close(connection)
            self.selector.unregister(self.listener)
            self.listener.close()
            self.selector.close()

    def _accept(self):
        try:
            sock, address = self.listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        sock.setblocking(False)
        connection = Connection(
            sock, f"{address[0]}:{address[1]}", self.ctx, self.log, self._count_handshake
        )
        self.connections[sock] = connection
        self.selector.register(sock, selectors.EVENT_READ, connection)

    def _count_handshake(self):
        self.handshakes += 1

    def _update(self, connection):
        if connection.done:
            self._close(connection)
            return
        events = selectors.EVENT_READ
        if connection.unsent:
            events |= selectors.EVENT_WRITE
        self.selector.modify(connection.sock, events, connection)

    def _close(self, connection):
        self.connections.pop(connection.sock, None)
        self.selector.unregister(connection.sock)
        connection.sock.close()


def main(argv=None):
    args, ctx, demo = demo_support.parse_server_arguments(__doc__.split("\n")[0], argv)
    server = EchoServer(ctx, args.host, args.port)
    host, port = server.address
    print(f"ssl_bio echo server on {host}:{port} ({ssl_bio.OPENSSL_VERSION})", flush=True)
    if demo:
        print(
            "connect with:  python examples/echo_client.py "
            f"--host {host} --port {port} --cafile {demo.cafile}",
            flush=True,
        )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut cleanup
        print("stopped", flush=True)
    finally:
        if demo:
            demo.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
