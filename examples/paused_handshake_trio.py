"""A TLS handshake that pauses for asynchronous work, on Trio.

    python examples/paused_handshake_trio.py

The Trio twin of ``paused_handshake_asyncio.py``: the server's ClientHello
callback and the client's verify callback return ``ssl_bio.PAUSE_HANDSHAKE``,
``do_handshake()`` raises ``SSLWantCallbackError``, the task awaits the answer
(``pause_support.py``) and hands it to ``resume_handshake()``.  trio.SSLStream
knows nothing of pauses, so each side drives its SSLObject over two MemoryBIOs
on a plain ``trio.SocketStream`` here.
"""

import sys

import demo_support
import pause_support
import trio


class StreamTLS(pause_support.TLSConnection):
    """TLS over a trio.SocketStream."""

    def __init__(self, stream, context, **wrap_args):
        super().__init__(context, **wrap_args)
        self.stream = stream

    async def send_bytes(self, data):
        await self.stream.send_all(data)

    async def receive_bytes(self):
        return await self.stream.receive_some(65536)


async def main():
    certificates = demo_support.DemoCertificates()
    demo = pause_support.Demo(certificates, trio.sleep)
    listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
    port = listeners[0].socket.getsockname()[1]

    async def serve_one():
        stream = StreamTLS(await listeners[0].accept(), demo.server_context, server_side=True)
        async with stream.stream:
            await stream.handshake(demo.answer)
            await stream.send(b"echo: " + await stream.receive())

    try:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(serve_one)
            client = StreamTLS(
                await trio.open_tcp_stream("127.0.0.1", port),
                demo.client_context,
                server_hostname="localhost",
            )
            async with client.stream:
                await client.handshake(demo.answer)
                await client.send(pause_support.MESSAGE)
                reply = await client.receive()
    finally:
        for listener in listeners:
            await listener.aclose()
        certificates.cleanup()
    return demo.report(client.tls, reply)


if __name__ == "__main__":
    sys.exit(trio.run(main))
