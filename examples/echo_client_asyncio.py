"""The echo client on asyncio: ``asyncio.open_connection(ssl=ssl_bio_context)``.

python examples/echo_client_asyncio.py --port 8443 --cafile demo-ca.pem
python examples/echo_client_asyncio.py --port 8443 --cafile demo-ca.pem --count 100 --size 16384
"""

import asyncio
import os
import sys
import time

import demo_support

import ssl_bio


async def burst(reader, writer, count, size):
    start = time.perf_counter()
    for _ in range(count):
        message = os.urandom(size)
        writer.write(message)
        await writer.drain()
        if await reader.readexactly(size) != message:
            raise SystemExit("echo mismatch")
    elapsed = time.perf_counter() - start
    print(
        f"{count} messages of {size} bytes echoed and verified in {elapsed:.3f} s: "
        f"{2 * count * size / elapsed / 1e6:.1f} MB/s both ways"
    )


async def interactive(reader, writer):
    print("type lines; Ctrl-D or Ctrl-C to quit", flush=True)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        writer.write(line.encode())
        await writer.drain()
        echo = await reader.readexactly(len(line.encode()))
        print(echo.decode(errors="replace"), end="", flush=True)


async def run(args):
    ctx = demo_support.client_context(args.cafile, args.cert, args.key)
    reader, writer = await asyncio.open_connection(
        args.host, args.port, ssl=ctx, server_hostname=args.server_hostname or args.host
    )
    print(f"connected: {demo_support.describe(writer.get_extra_info('ssl_object'))}", flush=True)
    try:
        if args.count:
            await burst(reader, writer, args.count, args.size)
        else:
            await interactive(reader, writer)
    finally:
        writer.close()
        await writer.wait_closed()
    print("closed cleanly")


def main(argv=None):
    args = demo_support.parse_client_arguments(__doc__.split("\n")[0], argv)
    try:
        asyncio.run(run(args))
    except KeyboardInterrupt:
        pass
    except ssl_bio.SSLError as exc:
        print(f"TLS failed: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"connection failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
