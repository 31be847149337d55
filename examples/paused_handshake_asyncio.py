"""A TLS handshake that pauses for asynchronous work, on asyncio.

    python examples/paused_handshake_asyncio.py

The server's ClientHello callback and the client's verify callback each return
``ssl_bio.PAUSE_HANDSHAKE``; ``do_handshake()`` then raises
``SSLWantCallbackError``, the coroutine awaits the answer (a certificate from a
database, a remote policy's verdict: ``pause_support.py``), gives it with
``resume_handshake(answer)``, and goes on.  asyncio's own TLS transport knows
nothing of pauses, so each side drives its SSLObject over two MemoryBIOs on a
plain stream here -- the pattern to copy into a protocol or transport.
"""

import asyncio
import sys

import demo_support
import pause_support


class StreamTLS(pause_support.TLSConnection):
    """TLS over an asyncio stream (reader, writer)."""

    def __init__(self, reader, writer, context, **wrap_args):
        super().__init__(context, **wrap_args)
        self.reader, self.writer = reader, writer

    async def send_bytes(self, data):
        self.writer.write(data)
        await self.writer.drain()

    async def receive_bytes(self):
        return await self.reader.read(65536)


async def main():
    certificates = demo_support.DemoCertificates()
    demo = pause_support.Demo(certificates, asyncio.sleep)
    served = asyncio.get_running_loop().create_future()

    async def serve(reader, writer):
        stream = StreamTLS(reader, writer, demo.server_context, server_side=True)
        try:
            await stream.handshake(demo.answer)
            await stream.send(b"echo: " + await stream.receive())
            served.set_result(None)
        except Exception as exc:  # reported by the client's side below
            served.set_exception(exc)
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        stream = StreamTLS(reader, writer, demo.client_context, server_hostname="localhost")
        await stream.handshake(demo.answer)
        await stream.send(pause_support.MESSAGE)
        reply = await stream.receive()
        await served
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
        certificates.cleanup()
    return demo.report(stream.tls, reply)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
