"""A TLS client and server talking purely in memory through ssl_bio.

    python examples/memory_demo.py [--tls 1.2|1.3] [--size BYTES]

It makes a throwaway CA and server certificate with trustme, runs a verified
handshake between two SSLObjects joined only by MemoryBIOs (no sockets), echoes
data both ways, closes cleanly with unwrap(), and prints what was negotiated.
The same code runs on the stdlib with ``--stdlib`` (``import ssl``).
"""

import argparse
import hashlib
import os
import sys
import tempfile
import time


def pump(source, destination):
    """Move everything the sender wrote to the receiver's incoming BIO."""
    data = source.read()
    if data:
        destination.write(data)
    return len(data)


def run(ssl, tls_version, size):
    import trustme

    ca = trustme.CA()
    leaf = ca.issue_cert("localhost")
    with tempfile.TemporaryDirectory() as tmp:
        chain = os.path.join(tmp, "server.pem")
        leaf.private_key_and_cert_chain_pem.write_to_path(chain)
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(chain)
    client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies cert + host name
    client_ctx.load_verify_locations(cadata=ca.cert_pem.bytes().decode("ascii"))
    version = getattr(ssl.TLSVersion, "TLSv" + tls_version.replace(".", "_"))
    client_ctx.minimum_version = client_ctx.maximum_version = version
    for ctx in (client_ctx, server_ctx):
        ctx.set_alpn_protocols(["echo/1", "http/1.1"])

    c_in, c_out, s_in, s_out = (ssl.MemoryBIO() for _ in range(4))
    client = client_ctx.wrap_bio(c_in, c_out, server_hostname="localhost")
    server = server_ctx.wrap_bio(s_in, s_out, server_side=True)

    start = time.perf_counter()
    client_done = server_done = False
    while not (client_done and server_done):
        for side in ("client", "server"):
            obj = client if side == "client" else server
            try:
                obj.do_handshake()
                if side == "client":
                    client_done = True
                else:
                    server_done = True
            except ssl.SSLWantReadError:
                pass
        pump(c_out, s_in)
        pump(s_out, c_in)
    handshake_ms = (time.perf_counter() - start) * 1000

    payload = os.urandom(size)
    start = time.perf_counter()
    echoed = bytearray()
    for offset in range(0, size, 16384):
        client.write(payload[offset : offset + 16384])
        pump(c_out, s_in)
        while True:  # the server echoes every record it can decrypt
            try:
                server.write(server.read(16384))
            except ssl.SSLWantReadError:
                break
        pump(s_out, c_in)
        while True:
            try:
                echoed += client.read(16384)
            except ssl.SSLWantReadError:
                break
    elapsed = time.perf_counter() - start
    assert hashlib.sha256(echoed).digest() == hashlib.sha256(payload).digest()

    try:
        client.unwrap()
    except ssl.SSLWantReadError:
        pass  # waiting for the server's close_notify
    pump(c_out, s_in)
    assert server.read() == b""  # the client closed cleanly
    server.unwrap()
    pump(s_out, c_in)
    client.unwrap()

    subject = dict(rdn[0] for rdn in client.getpeercert()["subject"])
    print(f"implementation : {ssl.__name__} ({ssl.OPENSSL_VERSION})")
    print(f"protocol       : {client.version()}")
    print(f"cipher         : {client.cipher()[0]} ({client.cipher()[2]} bits)")
    print(f"ALPN           : {client.selected_alpn_protocol()}")
    print(f"peer subject   : {subject}")
    print(f"peer SAN       : {client.getpeercert()['subjectAltName']}")
    print(f"handshake      : {handshake_ms:.2f} ms")
    print(f"echoed         : {size} bytes intact, {2 * size / elapsed / 1e6:.1f} MB/s both ways")
    print("shutdown       : clean (close_notify both ways)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tls", choices=["1.2", "1.3"], default="1.3")
    parser.add_argument("--size", type=int, default=4 * 1024 * 1024)
    parser.add_argument("--stdlib", action="store_true", help="run on the stdlib ssl module")
    args = parser.parse_args()
    if args.stdlib:
        import ssl
    else:
        import ssl_bio as ssl
    run(ssl, args.tls, args.size)


if __name__ == "__main__":
    sys.exit(main())
