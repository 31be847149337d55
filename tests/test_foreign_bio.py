"""wrap_bio() with BIO objects ssl_bio did not make: the stdlib's ssl.MemoryBIO and others.

asyncio and Trio create stdlib MemoryBIOs themselves; OpenSSL reaches them
through ssl_bio's custom BIO_METHOD.  Everything must behave exactly as with
ssl_bio's own MemoryBIO.
"""

import gc
import ssl

import pytest

import ssl_bio
from conftest import Pair, client_context, eof_scenarios, server_context
from ssl_bio import _accel


class ListBIO:
    """A pure-Python BIO with the MemoryBIO interface (what a framework might write)."""

    def __init__(self):
        self._data = bytearray()
        self._eof_written = False

    @property
    def pending(self):
        return len(self._data)

    @property
    def eof(self):
        return self._eof_written and not self._data

    def read(self, size=-1):
        if size < 0 or size > len(self._data):
            size = len(self._data)
        data = bytes(self._data[:size])
        del self._data[:size]
        return data

    def write(self, data):
        self._data += data
        return len(data)

    def write_eof(self):
        self._eof_written = True


BIO_CLASSES = {"stdlib": ssl.MemoryBIO, "python": ListBIO}


@pytest.fixture(params=sorted(BIO_CLASSES))
def bio_class(request):
    return BIO_CLASSES[request.param]


def make_pair(certs, bio_class, client_settings=None, **kw):
    return Pair(
        ssl_bio,
        client_context(ssl_bio, certs, **(client_settings or {})),
        server_context(ssl_bio, certs),
        bio_class=bio_class,
        **kw,
    )


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_handshake_and_transfer(certs, bio_class, version):
    bound = getattr(ssl_bio.TLSVersion, version)
    pair = make_pair(certs, bio_class, client_settings={"maximum_version": bound})
    pair.handshake()
    assert pair.client.version() == version.replace("_", ".")
    data = bytes(range(256)) * 4096  # 1 MiB
    assert pair.send(pair.client, pair.server, data) == data
    assert pair.send(pair.server, pair.client, data[::-1]) == data[::-1]
    with pytest.raises(ssl.SSLWantReadError):
        pair.client.unwrap()
    pair.pump()
    assert pair.server.read() == b""
    assert pair.server.unwrap() is None
    pair.pump()
    assert pair.client.unwrap() is None


def test_mixed_bios(certs):
    client = client_context(ssl_bio, certs)
    server = server_context(ssl_bio, certs)
    c_in, c_out = ssl.MemoryBIO(), ssl_bio.MemoryBIO()
    s_in, s_out = ssl_bio.MemoryBIO(), ListBIO()
    client_obj = client.wrap_bio(c_in, c_out, server_hostname="localhost")
    server_obj = server.wrap_bio(s_in, s_out, server_side=True)
    for _ in range(10):
        for obj in (client_obj, server_obj):
            try:
                obj.do_handshake()
            except ssl.SSLWantReadError:
                pass
        s_in.write(c_out.read())
        c_in.write(s_out.read())
    assert client_obj.version() == server_obj.version() == "TLSv1.3"


def test_eof_and_close_semantics_equal_memorybio(certs, bio_class):
    assert eof_scenarios(ssl_bio, certs, bio_class=bio_class) == eof_scenarios(ssl_bio, certs)


def test_unconsumed_bytes_stay_in_the_foreign_bio(certs, bio_class):
    pair = make_pair(certs, bio_class)
    pair.handshake()
    pair.client.write(b"first record")
    first = pair.c_out.read()
    pair.client.write(b"second record")
    second = pair.c_out.read()
    pair.s_in.write(first + second)
    assert pair.server.read(100) == b"first record"
    # OpenSSL pulled one record; the second is still in the foreign BIO.
    assert pair.s_in.pending == len(second)
    assert pair.server.read(100) == b"second record"
    assert pair.s_in.pending == 0


def test_plaintext_after_close_notify_stays_in_incoming(certs, bio_class):
    """Trio's unwrap() returns incoming.read(): bytes after close_notify must stay."""
    pair = make_pair(certs, bio_class)
    pair.handshake()
    pair.send(pair.server, pair.client, b"x")  # let TLS 1.3 tickets arrive
    with pytest.raises(ssl.SSLWantReadError):
        pair.server.unwrap()
    close_notify = pair.s_out.read()
    pair.c_in.write(close_notify + b"PLAINTEXT AFTER TLS")
    assert pair.client.read() == b""
    pair.client.unwrap()
    assert pair.c_in.read() == b"PLAINTEXT AFTER TLS"


class FailingBIO(ListBIO):
    def write(self, data):
        raise RuntimeError("transport is gone")


def test_exception_in_foreign_bio_surfaces(certs):
    ctx = client_context(ssl_bio, certs)
    obj = ctx.wrap_bio(ListBIO(), FailingBIO(), server_hostname="localhost")
    with pytest.raises(RuntimeError, match="transport is gone"):
        obj.do_handshake()
    from ssl_bio._binding import lib

    assert lib.ERR_peek_last_error() == 0


class ReadFailingBIO(ListBIO):
    def read(self, size=-1):
        raise ValueError("cannot read")


def test_exception_in_foreign_read_surfaces(certs):
    pair = make_pair(certs, ListBIO)
    pair.handshake()
    pair.server.write(b"data")
    failing = ReadFailingBIO()
    failing.write(pair.s_out.read())
    ctx = client_context(ssl_bio, certs)
    obj = ctx.wrap_bio(failing, ListBIO(), server_hostname="localhost")
    with pytest.raises(ValueError, match="cannot read"):
        obj.do_handshake()


@pytest.mark.parametrize("bad", [object(), b"bytes", None, 5])
def test_non_bio_objects_are_refused(bad):
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
    with pytest.raises(TypeError, match="incoming"):
        ctx.wrap_bio(bad, ssl.MemoryBIO(), server_side=True)
    with pytest.raises(TypeError, match="outgoing"):
        ctx.wrap_bio(ssl.MemoryBIO(), bad, server_side=True)


def test_one_foreign_bio_for_both_directions():
    ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl_bio.CERT_NONE
    bio = ListBIO()
    obj = ctx.wrap_bio(bio, bio)
    with pytest.raises(ssl.SSLError):
        # It reads its own ClientHello back: a protocol error, never a crash.
        obj.do_handshake()
        obj.do_handshake()


def test_objects_and_bios_dropped_in_any_order(certs, bio_class):
    for order in range(3):
        pair = make_pair(certs, bio_class)
        pair.handshake()
        client, c_in = pair.client, pair.c_in
        if order == 0:
            del pair
            gc.collect()
            del client
        elif order == 1:
            del client, pair
        else:
            pair.client = pair.c_out = None
            del client
            gc.collect()
            del pair
        gc.collect()
        # The BIO outlives its SSLObject and still works.
        c_in.read()
        c_in.write(b"still usable")
        assert c_in.read() == b"still usable"


# --- the stdlib's outgoing MemoryBIO: served through ssl_bio's own (OutgoingMirror) ---
# on the cffi path; the CPython accelerator's C BIO writes to it directly.


@pytest.mark.parametrize(
    "incoming, outgoing, mirrored",
    [
        (ssl.MemoryBIO, ssl.MemoryBIO, True),
        (ssl_bio.MemoryBIO, ssl.MemoryBIO, True),
        (ssl.MemoryBIO, ssl_bio.MemoryBIO, False),  # ours: OpenSSL writes it directly
        (ListBIO, ListBIO, False),
    ],
)
def test_which_outgoing_bios_are_mirrored(certs, incoming, outgoing, mirrored):
    obj = client_context(ssl_bio, certs).wrap_bio(
        incoming(), outgoing(), server_hostname="x.example"
    )
    assert (obj._mirror is not None) == (mirrored and not _accel.ENABLED)


def test_a_mirrored_outgoing_bio_gets_every_flight(certs):
    pair = make_pair(certs, ssl.MemoryBIO)
    with pytest.raises(ssl.SSLWantReadError):
        pair.client.do_handshake()
    client_hello = pair.c_out.read()
    assert client_hello[:1] == b"\x16" and pair.c_out.pending == 0
    pair.s_in.write(client_hello)
    with pytest.raises(ssl.SSLWantReadError):
        pair.server.do_handshake()
    assert pair.s_out.pending > 0 and pair.s_in.pending == 0
    pair.pump()
    pair.handshake()
    assert pair.send(pair.client, pair.server, b"mirrored") == b"mirrored"
    assert pair.send(pair.server, pair.client, b"and back") == b"and back"


def test_an_outgoing_bio_closed_by_the_application_surfaces(certs):
    pair = make_pair(certs, ssl.MemoryBIO)
    pair.c_out.write_eof()
    with pytest.raises(ssl.SSLError, match="write_eof"):
        pair.client.do_handshake()
