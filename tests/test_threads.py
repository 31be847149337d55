"""Threads: cffi releases the GIL in every OpenSSL call, so ssl_bio locks.

One SSLObject or one MemoryBIO used by several threads at once must neither
crash nor corrupt the stream; independent objects must not wait for each other.
"""

import re
import threading

import pytest

import ssl_bio

WRITERS = 4
MESSAGES = 300
MESSAGE = re.compile(rb"<(\d+):(\d+):(x*)>")


def message(writer, number):
    # Variable length, so that messages straddle records and BIO reads.
    return b"<%d:%d:%s>" % (writer, number, b"x" * (number * 37 % 700))


def check_stream(stream):
    """Every writer's messages arrive whole, each exactly once and in order."""
    seen = {writer: [] for writer in range(WRITERS)}
    position = 0
    for match in MESSAGE.finditer(stream):
        assert match.start() == position, f"garbage at byte {position}"
        position = match.end()
        writer, number = int(match.group(1)), int(match.group(2))
        assert match.group(3) == b"x" * (number * 37 % 700)
        seen[writer].append(number)
    assert position == len(stream)
    for writer, numbers in seen.items():
        assert numbers == list(range(MESSAGES)), f"writer {writer}"


def run_threads(targets):
    errors = []

    def guarded(target):
        try:
            target()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
        assert not thread.is_alive(), "a thread hung"
    if errors:
        raise errors[0]


def test_one_memory_bio_many_writers_one_reader():
    bio = ssl_bio.MemoryBIO()
    done = threading.Event()
    received = []

    def writer(number):
        def run():
            for i in range(MESSAGES):
                assert bio.write(message(number, i)) == len(message(number, i))

        return run

    def reader():
        while True:
            finished = done.is_set()
            chunk = bio.read(1 + len(received) % 5000)
            received.append(chunk)
            if finished and not chunk and bio.pending == 0:
                return

    writers = [writer(n) for n in range(WRITERS)]
    reader_thread = threading.Thread(target=reader)
    reader_thread.start()
    run_threads(writers)
    done.set()
    reader_thread.join(60)
    assert not reader_thread.is_alive()
    check_stream(b"".join(received))


def test_one_sslobject_many_threads(make_pair):
    pair = make_pair(ssl_bio)
    pair.handshake()
    stop = threading.Event()
    received = []

    def writer(number):
        def run():
            for i in range(MESSAGES):
                assert pair.client.write(message(number, i)) == len(message(number, i))

        return run

    def pump():
        # Moves bytes while the writers encrypt into the same BIO.
        while not stop.is_set():
            data = pair.c_out.read(3000)
            if data:
                pair.s_in.write(data)

    def reader():
        # Meanwhile other threads poke at the same SSLObject.
        while not stop.is_set() or pair.s_in.pending or pair.server.pending():
            try:
                received.append(pair.server.read(1 + len(received) % 20000))
            except ssl_bio.SSLWantReadError:
                pass

    def bystander():
        while not stop.is_set():
            assert pair.server.version() == pair.client.version()
            pair.client.cipher()
            pair.client.getpeercert()
            pair.client.pending()

    background = [threading.Thread(target=t) for t in (pump, reader, bystander)]
    for thread in background:
        thread.start()
    try:
        run_threads([writer(n) for n in range(WRITERS)])
    finally:
        while pair.c_out.pending:  # let the pump finish
            threading.Event().wait(0.01)
        stop.set()
        for thread in background:
            thread.join(60)
    assert not any(thread.is_alive() for thread in background)
    while True:  # whatever the reader left
        try:
            received.append(pair.server.read(65536))
        except ssl_bio.SSLWantReadError:
            break
    check_stream(b"".join(received))


def test_two_sslobjects_sharing_bios_both_ways(certs):
    # A writes to X and reads Y while B writes to Y and reads X: the locks are
    # taken in one global order, so the threads cannot deadlock.
    from conftest import client_context, server_context

    x, y = ssl_bio.MemoryBIO(), ssl_bio.MemoryBIO()
    client = client_context(ssl_bio, certs).wrap_bio(y, x, server_hostname="localhost")
    server = server_context(ssl_bio, certs).wrap_bio(x, y, server_side=True)
    handshake_done = {}

    def drive(name, obj, peer_first):
        def run():
            for _ in range(10000):
                try:
                    obj.do_handshake()
                    handshake_done[name] = True
                    break
                except ssl_bio.SSLWantReadError:
                    threading.Event().wait(0.0005)
            for i in range(MESSAGES):
                obj.write(b"%s %d;" % (name.encode(), i))
                try:
                    obj.read(1024)
                except ssl_bio.SSLWantReadError:
                    pass

        return run

    run_threads([drive("client", client, False), drive("server", server, True)])
    assert handshake_done == {"client": True, "server": True}


def test_independent_objects_do_not_wait_for_each_other(make_pair):
    """Per-object locks, no global one: a pair completes while another's locks are held."""
    busy = make_pair(ssl_bio)
    busy.handshake()
    with busy.client._locked, busy.server._locked:
        result = []

        def other_connection():
            pair = make_pair(ssl_bio)
            pair.handshake()
            result.append(pair.send(pair.client, pair.server, b"independent"))

        thread = threading.Thread(target=other_connection)
        thread.start()
        thread.join(60)
        assert not thread.is_alive()
    assert result == [b"independent"]


def test_context_reconfigured_while_other_threads_wrap(certs):
    from conftest import client_context

    ctx = client_context(ssl_bio, certs)
    stop = threading.Event()

    def reconfigure():
        ciphers = ["ECDHE+AESGCM", "ECDHE+CHACHA20", "DEFAULT"]
        i = 0
        while not stop.is_set():
            ctx.set_ciphers(ciphers[i % 3])
            ctx.set_alpn_protocols(["h2", "http/1.1"][: 1 + i % 2])
            ctx.load_verify_locations(certs.cafile)
            i += 1

    def wrap():
        for _ in range(2000):
            obj = ctx.wrap_bio(ssl_bio.MemoryBIO(), ssl_bio.MemoryBIO(), server_hostname="x")
            with pytest.raises(ssl_bio.SSLWantReadError):
                obj.do_handshake()

    changer = threading.Thread(target=reconfigure)
    changer.start()
    try:
        run_threads([wrap, wrap])
    finally:
        stop.set()
        changer.join(60)


def test_context_lock_upgrades_and_excludes():
    from ssl_bio._locking import ContextLock

    lock = ContextLock()
    lock.acquire_shared()  # a handshake...
    with lock:  # ...whose callback changes the context: allowed while alone
        lock.acquire_shared()  # and reading inside that change too
        lock.release_shared()
    lock.release_shared()

    events = []
    entered = threading.Event()
    with lock:

        def sharer():
            lock.acquire_shared()
            events.append("shared")
            lock.release_shared()
            entered.set()

        thread = threading.Thread(target=sharer)
        thread.start()
        assert not entered.wait(0.2), "a sharer got in during an exclusive hold"
        events.append("released")
    assert entered.wait(10)
    thread.join(10)
    assert events == ["released", "shared"]


def test_callbacks_inside_a_call_use_the_same_objects(make_pair):
    """The locks are recursive: a callback running inside a call that holds them
    (here the message callback, inside handshake, read and write) may use the
    same SSLObject and MemoryBIOs on the same thread without deadlocking."""
    seen = []

    def trace(conn, direction, version, content_type, msg_type, data):
        seen.append((pair.c_in.pending, pair.c_out.pending, conn.pending(), conn.version()))

    pair = make_pair(ssl_bio, client_settings={"_msg_callback": trace})
    pair.handshake()
    assert pair.send(pair.client, pair.server, b"ping") == b"ping"
    assert pair.send(pair.server, pair.client, b"pong") == b"pong"
    assert len(seen) > 10
    assert all(isinstance(c_in, int) and isinstance(c_out, int) for c_in, c_out, _, _ in seen)


def test_threads_wait_on_a_lock_held_by_a_callback(make_pair):
    """A thread blocked on a connection's lock in C holds no GIL, so the callback
    running under that lock in another thread gets the GIL and finishes."""
    traced = []

    def trace(conn, direction, version, content_type, msg_type, data):
        traced.append(len(data))
        threading.Event().wait(0.0001)  # give the other threads the GIL here

    pair = make_pair(ssl_bio, client_settings={"_msg_callback": trace})
    pair.handshake()
    stop = threading.Event()
    received = []

    def writer(number):
        def run():
            for i in range(MESSAGES // 3):
                pair.client.write(message(number, i))

        return run

    def pump():
        while not stop.is_set():
            data = pair.c_out.read()
            if data:
                pair.s_in.write(data)

    def reader():
        while not stop.is_set() or pair.s_in.pending or pair.server.pending():
            try:
                received.append(pair.server.read(65536))
            except ssl_bio.SSLWantReadError:
                pass

    background = [threading.Thread(target=t) for t in (pump, reader)]
    for thread in background:
        thread.start()
    try:
        run_threads([writer(n) for n in range(WRITERS)])
    finally:
        while pair.c_out.pending:
            threading.Event().wait(0.01)
        stop.set()
        for thread in background:
            thread.join(60)
    assert not any(thread.is_alive() for thread in background)
    while True:  # whatever the pump moved after the reader stopped
        try:
            received.append(pair.server.read(65536))
        except ssl_bio.SSLWantReadError:
            break
    stream = b"".join(received)
    for number in range(WRITERS):
        numbers = [int(m.group(2)) for m in MESSAGE.finditer(stream) if int(m.group(1)) == number]
        assert numbers == list(range(MESSAGES // 3))
    assert len(traced) >= WRITERS * MESSAGES // 3
