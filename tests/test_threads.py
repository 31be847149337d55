"""Threads: cffi releases the GIL in every OpenSSL call, so ssl_bio locks.

One SSLObject or one MemoryBIO used by several threads at once must neither
crash nor corrupt the stream; independent objects must not wait for each other.
"""

import re
import threading
import time

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
    # taken in one global order, so the threads cannot deadlock, and every
    # message arrives whole and in order.
    from conftest import client_context, server_context

    x, y = ssl_bio.MemoryBIO(), ssl_bio.MemoryBIO()
    client = client_context(ssl_bio, certs).wrap_bio(y, x, server_hostname="localhost")
    server = server_context(ssl_bio, certs).wrap_bio(x, y, server_side=True)
    progress = threading.Condition()
    steps = [0]  # calls made by either side: the other waits for a change
    expected = {
        name: b"".join(b"%s %d;" % (name, i) for i in range(MESSAGES))
        for name in (b"client", b"server")
    }
    received = {b"client": [], b"server": []}

    def step(call):
        with progress:
            seen = steps[0]
        try:
            return call()
        except ssl_bio.SSLWantReadError:
            with progress:  # wait for the peer to do something
                progress.wait_for(lambda: steps[0] != seen, timeout=30)
            return None
        finally:
            with progress:
                steps[0] += 1
                progress.notify_all()

    def drive(name, obj, peer):
        def run():
            while step(obj.do_handshake) is None and not obj.version():
                pass
            for i in range(MESSAGES):
                obj.write(b"%s %d;" % (name, i))
                data = step(lambda: obj.read(1024))
                if data:
                    received[name].append(data)
            while sum(map(len, received[name])) < len(expected[peer]):
                data = step(lambda: obj.read(1024))
                if data:
                    received[name].append(data)

        return run

    run_threads([drive(b"client", client, b"server"), drive(b"server", server, b"client")])
    assert client.version() == server.version() == "TLSv1.3"
    assert b"".join(received[b"client"]) == expected[b"server"]
    assert b"".join(received[b"server"]) == expected[b"client"]


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
            obj = ctx.wrap_bio(
                ssl_bio.MemoryBIO(), ssl_bio.MemoryBIO(), server_hostname="x.example"
            )
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


def test_context_lock_waiting_writer_keeps_new_sharers_out():
    """A thread waiting to change the context holds back threads that want to
    start a handshake, but not one already inside a handshake (reentrant), and
    the held-back sharers get in before any next writer."""
    from ssl_bio._locking import ContextLock

    lock = ContextLock()
    events = []
    lock.acquire_shared()  # this thread: inside a handshake

    writer_starts = threading.Event()

    def writer():
        writer_starts.set()
        with lock:
            events.append("writer")

    def sharer():
        lock.acquire_shared()
        events.append("sharer")
        lock.release_shared()

    writing = threading.Thread(target=writer)
    writing.start()
    deadline = time.monotonic() + 10
    sharing = threading.Thread(target=sharer)
    # Give the writer time to start waiting, then start the sharer behind it.
    assert writer_starts.wait(10)
    time.sleep(0.5)
    sharing.start()
    time.sleep(0.5)
    lock.acquire_shared()  # reentrant: not held back by the waiting writer
    events.append("reentered")
    lock.release_shared()
    assert events == ["reentered"]
    lock.release_shared()
    writing.join(max(0, deadline - time.monotonic()))
    sharing.join(max(0, deadline - time.monotonic()))
    assert events == ["reentered", "writer", "sharer"]


def test_context_lock_two_upgraders_and_misuse_raise():
    """Two threads holding the lock shared that both want it exclusive would
    wait for each other: the second gets RuntimeError.  Releasing what the
    thread does not hold is RuntimeError too, not a corrupted count."""
    from ssl_bio._locking import ContextLock

    lock = ContextLock()
    with pytest.raises(RuntimeError):
        lock.release_shared()
    with pytest.raises(RuntimeError):
        lock.release_exclusive()

    other_holds = threading.Event()
    upgraded = threading.Event()
    go_on = threading.Event()

    def first_upgrader():
        lock.acquire_shared()
        other_holds.set()
        go_on.wait(10)
        with lock:  # waits until the main thread's shared hold is gone
            upgraded.set()
        lock.release_shared()

    lock.acquire_shared()
    thread = threading.Thread(target=first_upgrader)
    thread.start()
    assert other_holds.wait(10)
    go_on.set()
    time.sleep(0.5)  # the thread now waits to upgrade
    assert not upgraded.is_set()
    with pytest.raises(RuntimeError, match="at once"):
        lock.acquire_exclusive()
    lock.release_shared()
    assert upgraded.wait(10)
    thread.join(10)
    with lock:  # free again, and reentrant
        with lock:
            pass


def test_callbacks_inside_a_call_use_the_same_objects(make_pair):
    """The locks are recursive: a callback running inside a call that holds them
    (here the message callback, inside handshake, read and write) may use the
    same SSLObject and MemoryBIOs on the same thread without deadlocking, and
    sees them as they are at that moment."""
    seen = []

    def trace(conn, direction, version, content_type, msg_type, data):
        seen.append(
            (direction, content_type, msg_type, pair.c_in.pending, conn.pending(), conn.version())
        )

    pair = make_pair(ssl_bio, client_settings={"_msg_callback": trace})
    pair.handshake()
    handshake_calls = len(seen)
    assert pair.send(pair.client, pair.server, b"ping") == b"ping"
    assert pair.send(pair.server, pair.client, b"pong") == b"pong"
    assert handshake_calls > 10
    # During the handshake the callback sees no version yet, then TLS 1.3.
    assert seen[0][-1] is None
    assert seen[-1][-1] == "TLSv1.3"
    # The application data records, "ping" written and "pong" read, traced
    # from inside write() and read().
    data_records = [
        entry[0] for entry in seen[handshake_calls:] if entry[1] == 256 and entry[2] == 23
    ]
    assert "write" in data_records and "read" in data_records
    assert all(c_in >= 0 and pending >= 0 for _, _, _, c_in, pending, _ in seen)
    assert pair.c_in.pending == 0 and pair.client.pending() == 0


def test_context_switched_to_in_a_handshake_stays_guarded_until_it_returns(certs):
    """After an SNI callback switches ``sslobject.context``, the rest of that
    SSL_do_handshake reads the new SSL_CTX (its ALPN list, certificates):
    another thread changing the new context must wait until the call returns."""
    from conftest import Pair, client_context, server_context

    other = server_context(ssl_bio, certs)
    events = []
    changers = []

    def change_other():
        other.set_alpn_protocols(["h2"])
        events.append("changed")

    def switch(sslobj, server_name, ctx):
        sslobj.context = other
        changer = threading.Thread(target=change_other)
        changers.append(changer)
        changer.start()
        changer.join(0.5)  # long enough to change it, were it not held
        events.append("callback returns")

    server_ctx = server_context(ssl_bio, certs)
    server_ctx.sni_callback = switch
    pair = Pair(ssl_bio, client_context(ssl_bio, certs), server_ctx)
    with pytest.raises(ssl_bio.SSLWantReadError):
        pair.client.do_handshake()
    pair.pump()
    with pytest.raises(ssl_bio.SSLWantReadError):
        pair.server.do_handshake()  # the callback runs in here
    changers[0].join(30)
    # Not changed while the callback waited: only once the call let go.
    assert events == ["callback returns", "changed"]
    pair.handshake()
    assert pair.server.context is other


def test_handshakes_switching_to_a_context_other_threads_change(certs):
    """Hammer: handshakes whose SNI callback switches to a context that other
    threads keep reconfiguring (ALPN list, ciphers, CA store) meanwhile; every
    handshake completes with one of the ALPN lists the context had."""
    from conftest import Pair, client_context, server_context

    other = server_context(ssl_bio, certs)
    other.set_alpn_protocols(["h2", "http/1.1"])
    stop = threading.Event()

    def reconfigure():
        lists = [["h2", "http/1.1"], ["http/1.1"], ["h2"]]
        i = 0
        while not stop.is_set():
            other.set_alpn_protocols(lists[i % 3])
            other.set_ciphers(["ECDHE+AESGCM", "ECDHE+CHACHA20"][i % 2])
            other.load_verify_locations(certs.cafile)
            i += 1

    def handshakes():
        server_ctx = server_context(ssl_bio, certs)
        server_ctx.sni_callback = lambda sslobj, name, ctx: setattr(sslobj, "context", other)
        client_ctx = client_context(ssl_bio, certs)
        client_ctx.set_alpn_protocols(["h2", "http/1.1"])
        for _ in range(150):
            pair = Pair(ssl_bio, client_ctx, server_ctx)
            pair.handshake()
            assert pair.server.context is other
            assert pair.server.selected_alpn_protocol() in ("h2", "http/1.1")
            assert pair.send(pair.client, pair.server, b"x") == b"x"

    changers = [threading.Thread(target=reconfigure) for _ in range(2)]
    for changer in changers:
        changer.start()
    try:
        run_threads([handshakes, handshakes])
    finally:
        stop.set()
        for changer in changers:
            changer.join(60)
    assert not any(changer.is_alive() for changer in changers)


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
