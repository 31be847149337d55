"""ssl_bio contexts handed to asyncio and Trio, which build stdlib MemoryBIOs themselves.

Each test runs its event loop with asyncio.run()/trio.run(): no plugin needed.
"""

import asyncio
import ssl
import warnings

import pytest
import trio
import trio.testing

import ssl_bio
from conftest import assert_same_as_stdlib, client_context, server_context

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB
IMPLEMENTATIONS = {"ssl": ssl, "ssl_bio": ssl_bio}


async def asyncio_echo_server(ctx):
    async def handle(reader, writer):
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx)


async def asyncio_echo_round(port, ctx, payload, hostname="localhost"):
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", port, ssl=ctx, server_hostname=hostname
    )
    ssl_object = writer.get_extra_info("ssl_object")
    details = {
        "ssl_object": type(ssl_object).__module__.split(".")[0],
        "version": ssl_object.version(),
        "peercert_subject": writer.get_extra_info("peercert")["subject"],
        "cipher": writer.get_extra_info("cipher"),
        "compression": writer.get_extra_info("compression"),
    }
    writer.write(payload)
    await writer.drain()
    received = await reader.readexactly(len(payload))
    writer.close()
    await writer.wait_closed()
    return received, details


@pytest.mark.parametrize(
    "server_impl, client_impl",
    [("ssl_bio", "ssl_bio"), ("ssl_bio", "ssl"), ("ssl", "ssl_bio")],
)
def test_asyncio_streams_echo_1mib(certs, server_impl, client_impl):
    server_mod, client_mod = IMPLEMENTATIONS[server_impl], IMPLEMENTATIONS[client_impl]

    async def main():
        server = await asyncio_echo_server(server_context(server_mod, certs))
        port = server.sockets[0].getsockname()[1]
        async with server:
            return await asyncio_echo_round(port, client_context(client_mod, certs), PAYLOAD)

    received, details = asyncio.run(main())
    assert received == PAYLOAD
    assert details["ssl_object"] == client_impl
    assert details["version"] == "TLSv1.3"
    assert details["cipher"][1] == "TLSv1.3"
    assert details["compression"] is None


def test_asyncio_host_name_failure_is_a_stdlib_cert_error(certs):
    async def main():
        server = await asyncio_echo_server(server_context(ssl_bio, certs))
        port = server.sockets[0].getsockname()[1]
        async with server:
            try:
                await asyncio_echo_round(
                    port, client_context(ssl_bio, certs), b"x", hostname="wrong.example"
                )
            except ssl.SSLCertVerificationError as exc:  # the stdlib's class
                return exc
        return None

    exc = asyncio.run(main())
    assert isinstance(exc, ssl_bio.SSLCertVerificationError)
    assert exc.verify_code == 62


def test_asyncio_clean_close_reaches_the_server(certs):
    async def main():
        closed = asyncio.get_running_loop().create_future()

        async def handle(reader, writer):
            data = await reader.read()  # until the client's close
            closed.set_result(data)
            writer.close()

        server = await asyncio.start_server(
            handle, "127.0.0.1", 0, ssl=server_context(ssl_bio, certs)
        )
        port = server.sockets[0].getsockname()[1]
        async with server:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, ssl=client_context(ssl_bio, certs), server_hostname="localhost"
            )
            writer.write(b"goodbye")
            await writer.drain()
            writer.close()
            await writer.wait_closed()
            return await asyncio.wait_for(closed, 10)

    assert asyncio.run(main()) == b"goodbye"


def test_asyncio_many_concurrent_connections(certs):
    async def main():
        server = await asyncio_echo_server(server_context(ssl_bio, certs))
        port = server.sockets[0].getsockname()[1]
        ctx = client_context(ssl_bio, certs)
        async with server:
            rounds = [
                asyncio_echo_round(port, ctx, bytes([i]) * (1000 + i * 97)) for i in range(40)
            ]
            return await asyncio.gather(*rounds)

    results = asyncio.run(main())
    assert [received for received, _ in results] == [
        bytes([i]) * (1000 + i * 97) for i in range(40)
    ]


async def trio_pair(certs, client_alpn=None, server_alpn=None):
    client_ctx = client_context(ssl_bio, certs)
    server_ctx = server_context(ssl_bio, certs)
    if client_alpn:
        client_ctx.set_alpn_protocols(client_alpn)
    if server_alpn:
        server_ctx.set_alpn_protocols(server_alpn)
    client_transport, server_transport = trio.testing.memory_stream_pair()
    client = trio.SSLStream(client_transport, client_ctx, server_hostname="localhost")
    server = trio.SSLStream(server_transport, server_ctx, server_side=True)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(client.do_handshake)
        nursery.start_soon(server.do_handshake)
    return client, server


async def trio_receive_exactly(stream, size):
    data = bytearray()
    while len(data) < size:
        chunk = await stream.receive_some(65536)
        assert chunk, "unexpected EOF"
        data += chunk
    return bytes(data)


def test_trio_sslstream_echo_unwrap_and_alpn(certs):
    async def main():
        client, server = await trio_pair(certs, ["h2", "http/1.1"], ["http/1.1"])
        assert client.selected_alpn_protocol() == server.selected_alpn_protocol() == "http/1.1"
        assert client.version() == "TLSv1.3"
        assert isinstance(client._ssl_object, ssl_bio.SSLObject)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(client.send_all, PAYLOAD)
            echoed = await trio_receive_exactly(server, len(PAYLOAD))
        assert echoed == PAYLOAD

        # unwrap(): back to the raw transport, plaintext afterwards.
        async with trio.open_nursery() as nursery:
            nursery.start_soon(client.unwrap)
            nursery.start_soon(server.unwrap)
        return True

    assert trio.run(main)


def test_trio_sslstream_aclose(certs):
    async def main():
        client, server = await trio_pair(certs)
        await client.send_all(b"last words")
        assert await trio_receive_exactly(server, 10) == b"last words"
        async with trio.open_nursery() as nursery:
            nursery.start_soon(client.aclose)
            # The server sees the client's close_notify as a clean EOF.
            assert await server.receive_some(100) == b""
        await server.aclose()
        return True

    assert trio.run(main)


def test_trio_host_name_failure(certs):
    async def main():
        client_transport, server_transport = trio.testing.memory_stream_pair()
        client = trio.SSLStream(
            client_transport, client_context(ssl_bio, certs), server_hostname="wrong.example"
        )
        server = trio.SSLStream(server_transport, server_context(ssl_bio, certs), server_side=True)
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(client.do_handshake)
                nursery.start_soon(server.do_handshake)
        except BaseException as exc:  # noqa: BLE001 - an ExceptionGroup, inspected below
            return exc
        return None

    error = trio.run(main)
    failures = []
    pending = [error]
    while pending:  # Trio wraps the failures in an ExceptionGroup
        exc = pending.pop()
        failures.append(exc)
        pending.extend(getattr(exc, "exceptions", ()))
    client_failure = [
        exc.__cause__
        for exc in failures
        if isinstance(exc, trio.BrokenResourceError)
        and isinstance(exc.__cause__, ssl.SSLCertVerificationError)
    ]
    assert client_failure and client_failure[0].verify_code == 62


TRIO_FORWARDED = [
    "context",
    "server_side",
    "server_hostname",
    "session",
    "session_reused",
    "getpeercert",
    "selected_npn_protocol",
    "cipher",
    "shared_ciphers",
    "compression",
    "pending",
    "get_channel_binding",
    "selected_alpn_protocol",
    "version",
]


def test_trio_forwarded_attributes_match_the_stdlib(certs):
    """Everything SSLStream forwards to the SSLObject, with ssl_bio and stdlib contexts."""

    def summary(mod):
        async def main():
            client_transport, server_transport = trio.testing.memory_stream_pair()
            client = trio.SSLStream(
                client_transport, client_context(mod, certs), server_hostname="localhost"
            )
            server = trio.SSLStream(server_transport, server_context(mod, certs), server_side=True)
            async with trio.open_nursery() as nursery:
                nursery.start_soon(client.do_handshake)
                nursery.start_soon(server.do_handshake)
            values = {}
            for name in TRIO_FORWARDED:
                value = getattr(client, name)
                if callable(value):
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always")
                        value = value()
                    if caught:
                        values[name + " warns"] = [str(w.message) for w in caught]
                if name == "context":
                    value = type(value).__module__.split(".")[0]
                elif name == "session":
                    value = type(value).__name__
                elif name == "get_channel_binding":
                    value = len(value)  # random per connection
                values[name] = value
            values["server shared_ciphers"] = server.shared_ciphers()
            return values

        return trio.run(main)

    def scenario(mod):
        values = summary(mod)
        assert values.pop("context") == mod.__name__
        return values

    # Client-side shared_ciphers() is None since gh-96931 (3.10).
    ours = assert_same_as_stdlib(scenario, since=(3, 10))
    assert ours["version"] == "TLSv1.3"


def test_trio_many_concurrent_connections(certs):
    client_ctx = client_context(ssl_bio, certs)
    server_ctx = server_context(ssl_bio, certs)

    async def one(index):
        client_transport, server_transport = trio.testing.memory_stream_pair()
        client = trio.SSLStream(client_transport, client_ctx, server_hostname="localhost")
        server = trio.SSLStream(server_transport, server_ctx, server_side=True)
        message = bytes([index]) * (5000 + index)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(client.send_all, message)
            received = await trio_receive_exactly(server, len(message))
        return received == message

    async def main():
        results = []

        async def record(index):
            results.append(await one(index))

        async with trio.open_nursery() as nursery:
            for index in range(30):
                nursery.start_soon(record, index)
        return results

    assert trio.run(main) == [True] * 30
