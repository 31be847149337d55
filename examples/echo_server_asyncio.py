"""The echo server on asyncio: ``asyncio.start_server(ssl=ssl_bio_context)``.

    python examples/echo_server_asyncio.py --demo
    python examples/echo_server_asyncio.py --cert chain.pem --key key.pem

asyncio builds the stdlib's ``ssl.MemoryBIO`` objects itself and hands them to
``ctx.wrap_bio()``; an ``ssl_bio.SSLContext`` takes them as they are.  (Only
``loop.start_tls()`` insists on a stdlib ``ssl.SSLContext``.)  Ctrl-C stops it.
"""

import asyncio
import sys

import demo_support

import ssl_bio


async def handle(reader, writer):
    peer = "%s:%s" % writer.get_extra_info("peername")[:2]
    print(f"{peer}: {demo_support.describe(writer.get_extra_info('ssl_object'))}", flush=True)
    echoed = 0
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
            echoed += len(data)
        print(f"{peer}: closed, {echoed} bytes echoed", flush=True)
    except (ConnectionError, ssl_bio.SSLError) as exc:
        print(f"{peer}: {exc!r}", flush=True)
    finally:
        writer.close()


async def serve(ctx, host, port, demo):
    server = await asyncio.start_server(handle, host, port, ssl=ctx)
    host, port = server.sockets[0].getsockname()[:2]
    print(f"ssl_bio asyncio echo server on {host}:{port} ({ssl_bio.OPENSSL_VERSION})", flush=True)
    if demo:
        print(
            "connect with:  python examples/echo_client_asyncio.py "
            f"--host {host} --port {port} --cafile {demo.cafile}",
            flush=True,
        )
    async with server:
        await server.serve_forever()


def main(argv=None):
    args, ctx, demo = demo_support.parse_server_arguments(__doc__.split("\n")[0], argv)
    try:
        asyncio.run(serve(ctx, args.host, args.port, demo))
    except KeyboardInterrupt:
        print("stopped", flush=True)
    finally:
        if demo:
            demo.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
