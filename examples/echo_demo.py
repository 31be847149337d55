"""The whole thing in one command: a TLS echo server and several clients, verified.

    python examples/echo_demo.py [--clients 8] [--messages 50] [--size 16384]

It starts the selectors echo server (``echo_server.py``) on a free loopback
port with a throwaway trustme certificate, runs several ``echo_client.py``
clients against it at once (each verifying the certificate and host name),
checks every echoed byte, and prints a short report.
"""

import argparse
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import demo_support
from echo_client import TLSClient
from echo_server import EchoServer

import ssl_bio


def run_client(port, ctx, messages, size):
    client = TLSClient.connect("127.0.0.1", port, ctx, server_hostname="localhost")
    try:
        details = demo_support.describe(client.tls)
        for _ in range(messages):
            message = os.urandom(size)
            client.send(message)
            if client.recv_exactly(size) != message:
                raise AssertionError("echo mismatch")
    finally:
        client.close()
    return details


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--messages", type=int, default=50, help="messages per client")
    parser.add_argument("--size", type=int, default=16384, help="bytes per message")
    args = parser.parse_args(argv)

    demo = demo_support.DemoCertificates()
    server_log = []
    server = EchoServer(demo_support.server_context(demo.certfile), log=server_log.append)
    port = server.address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    ctx = demo_support.client_context(demo.cafile)
    print(f"ssl_bio {ssl_bio.__version__} on {ssl_bio.OPENSSL_VERSION}")
    print(f"echo server (selectors, one thread) on 127.0.0.1:{port}")
    print(f"{args.clients} clients at once, {args.messages} messages of {args.size} bytes each")
    start = time.perf_counter()
    try:
        with ThreadPoolExecutor(args.clients) as pool:
            futures = [
                pool.submit(run_client, port, ctx, args.messages, args.size)
                for _ in range(args.clients)
            ]
            details = [future.result() for future in futures]
    finally:
        server.stop()
        thread.join()
        demo.cleanup()
    elapsed = time.perf_counter() - start
    total = args.clients * args.messages * args.size
    print(f"handshakes      : {server.handshakes} (server side), all verified by the clients")
    print(f"negotiated      : {details[0]}")
    print(f"bytes echoed    : {total} each way, every one checked")
    print(f"throughput      : {2 * total / elapsed / 1e6:.1f} MB/s both ways in {elapsed:.2f} s")
    print("result          : OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
