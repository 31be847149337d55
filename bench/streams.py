"""The framework workloads of bench/run.py: TLS through asyncio streams and Trio's SSLStream.

Both frameworks create the stdlib's ``ssl.MemoryBIO`` objects and hand them to
``context.wrap_bio()``: this is the path users of an ssl_bio context take.
One process, loopback, a server echoing everything back; the same code with
the stdlib's contexts and with ssl_bio's.

  echo   64-byte echo round trips over one connection: round trips/s
  bulk   N MiB written in 64 KiB chunks and echoed back, read as it comes: MB/s each way
"""

import functools
import time

CHUNK = 64 * 1024
MESSAGE = b"m" * 64


def contexts(mod, cafile, certfile, keyfile):
    """(client, server) contexts of ``mod`` (ssl or ssl_bio), as in run.StdlibStyle."""
    client = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(cafile)
    server = mod.SSLContext(mod.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(certfile, keyfile)
    return client, server


# --- asyncio ------------------------------------------------------------------------


async def _asyncio_session(client_ctx, server_ctx, kind, count):
    import asyncio

    async def echo(reader, writer):
        while True:
            data = await reader.read(CHUNK)
            if not data:
                break
            writer.write(data)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0, ssl=server_ctx)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", port, ssl=client_ctx, server_hostname="localhost"
    )
    try:
        start = time.perf_counter()
        if kind == "echo":
            for _ in range(count):
                writer.write(MESSAGE)
                await reader.readexactly(len(MESSAGE))
            return count / (time.perf_counter() - start)
        total = count * 1024 * 1024

        async def send():
            chunk = b"x" * CHUNK
            for _ in range(total // CHUNK):
                writer.write(chunk)
                await writer.drain()

        sender = asyncio.ensure_future(send())
        received = 0
        while received < total:
            received += len(await reader.read(CHUNK))
        await sender
        return total / (time.perf_counter() - start) / 1e6
    finally:
        writer.close()
        server.close()
        await server.wait_closed()


def asyncio_run(client_ctx, server_ctx, kind, count):
    import asyncio

    return asyncio.run(_asyncio_session(client_ctx, server_ctx, kind, count))


# --- Trio -----------------------------------------------------------------------------


async def _trio_session(client_ctx, server_ctx, kind, count):
    import trio

    async def echo(stream):
        async for data in stream:
            await stream.send_all(data)

    result = []
    async with trio.open_nursery() as nursery:
        listeners = await nursery.start(
            functools.partial(trio.serve_ssl_over_tcp, echo, 0, server_ctx, host="127.0.0.1")
        )
        port = listeners[0].transport_listener.socket.getsockname()[1]
        tcp = await trio.open_tcp_stream("127.0.0.1", port)
        stream = trio.SSLStream(tcp, client_ctx, server_hostname="localhost")
        await stream.do_handshake()
        start = time.perf_counter()
        if kind == "echo":
            for _ in range(count):
                await stream.send_all(MESSAGE)
                received = 0
                while received < len(MESSAGE):
                    received += len(await stream.receive_some(CHUNK))
            result.append(count / (time.perf_counter() - start))
        else:
            total = count * 1024 * 1024

            async def send():
                chunk = b"x" * CHUNK
                for _ in range(total // CHUNK):
                    await stream.send_all(chunk)

            nursery.start_soon(send)
            received = 0
            while received < total:
                received += len(await stream.receive_some(CHUNK))
            result.append(total / (time.perf_counter() - start) / 1e6)
        await stream.aclose()
        nursery.cancel_scope.cancel()
    return result[0]


def trio_run(client_ctx, server_ctx, kind, count):
    import trio

    return trio.run(_trio_session, client_ctx, server_ctx, kind, count)
