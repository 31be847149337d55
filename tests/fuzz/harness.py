"""One fuzz input: a real client/server conversation with one flight corrupted.

``run_one(data)`` reads its choices from ``data`` (any bytes are a valid
input, so a coverage-guided fuzzer, hypothesis and a seeded random driver can
all feed it): which side is the victim, TLS 1.2 or 1.3, client certificates
or not, handshakes paused by the ClientHello and verify callbacks or not,
which flight towards the victim to corrupt -- handshake flights, session
tickets, application data, close_notify -- and how: random bytes,
truncation, duplication, bit flips, special bytes, record-level surgery,
replay of an earlier flight, delivery in two pieces.  Then both sides run as
far as the bytes let them, and the victim finally sees EOF.

The contract checked: only ``ssl.SSLError`` subclasses come out of ssl_bio.
Anything else -- TypeError, SystemError, an unraisable exception in a
callback -- propagates (or is raised) as a failure; a crash kills the process
and a hang trips the driver's watchdog.
"""

import os
import ssl
import sys
import tempfile

import trustme

import ssl_bio

__all__ = ["run_one", "FuzzFailure"]

# The flights towards the victim that can be chosen for corruption; more than
# any conversation has, so that some inputs leave every flight intact.
MAX_TARGET_FLIGHT = 5
# Upper bound on pump rounds; a conversation needs about ten.
MAX_ROUNDS = 40
PAYLOAD = b"fuzz payload " * 40


class FuzzFailure(AssertionError):
    """ssl_bio broke the contract on this input (see the message)."""


class Choices:
    """Reads decisions from the fuzz input; an exhausted input reads as zeros."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def byte(self):
        if self.pos >= len(self.data):
            return 0
        value = self.data[self.pos]
        self.pos += 1
        return value

    def below(self, limit):
        """An integer in range(limit) (limit <= 65536)."""
        if limit <= 1:
            return 0
        value = self.byte() << 8 | self.byte()
        return value % limit

    def raw(self, count):
        chunk = self.data[self.pos : self.pos + count]
        self.pos += len(chunk)
        return chunk.ljust(count, b"\0")


class _Certificates:
    def __init__(self):
        directory = tempfile.mkdtemp(prefix="ssl_bio_fuzz_")
        ca = trustme.CA()
        server = ca.issue_cert("fuzz.example")
        client = ca.issue_cert("client@fuzz.example")
        self.cafile = os.path.join(directory, "ca.pem")
        self.server = os.path.join(directory, "server.pem")
        self.client = os.path.join(directory, "client.pem")
        ca.cert_pem.write_to_path(self.cafile)
        server.private_key_and_cert_chain_pem.write_to_path(self.server)
        client.private_key_and_cert_chain_pem.write_to_path(self.client)


_contexts = {}
_certificates = None


def _pause(*args):
    return ssl_bio.PAUSE_HANDSHAKE


def _context_pair(tls13, mutual, pausing):
    """Client and server contexts for one configuration, made once per process.

    With ``pausing``, the server's ClientHello callback and the client's
    verify callback pause every handshake (the sides answer: _Side.advance).
    """
    global _certificates
    key = (tls13, mutual, pausing)
    if key not in _contexts:
        if _certificates is None:
            _certificates = _Certificates()
        certs = _certificates
        version = ssl_bio.TLSVersion.TLSv1_3 if tls13 else ssl_bio.TLSVersion.TLSv1_2
        client = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
        client.load_verify_locations(certs.cafile)
        server = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
        server.load_cert_chain(certs.server)
        for ctx in (client, server):
            ctx.minimum_version = ctx.maximum_version = version
        if mutual:
            client.load_cert_chain(certs.client)
            server.load_verify_locations(certs.cafile)
            server.verify_mode = ssl_bio.CERT_REQUIRED
        if pausing:
            server.client_hello_callback = _pause
            client.verify_callback = _pause
        _contexts[key] = (client, server)
    return _contexts[key]


def _records(flight):
    """Split bytes at TLS record boundaries (the tail may be a partial record)."""
    records = []
    pos = 0
    while pos + 5 <= len(flight):
        end = pos + 5 + int.from_bytes(flight[pos + 3 : pos + 5], "big")
        records.append(flight[pos:end])
        pos = end
    if pos < len(flight):
        records.append(flight[pos:])
    return records


def _mutate_records(flight, choices):
    records = _records(flight)
    if not records:
        return flight
    index = choices.below(len(records))
    action = choices.below(6)
    record = bytearray(records[index])
    if action == 0:
        del records[index]
    elif action == 1:
        records.insert(index, records[index])
    elif action == 2 and len(record) >= 5:  # a lying length field
        record[3:5] = choices.raw(2)
        records[index] = bytes(record)
    elif action == 3 and record:  # another content type
        record[0] = choices.byte()
        records[index] = bytes(record)
    elif action == 4 and len(record) >= 3:  # another version
        record[1:3] = choices.raw(2)
        records[index] = bytes(record)
    else:  # swap with a neighbour
        other = (index + 1) % len(records)
        records[index], records[other] = records[other], records[index]
    return b"".join(records)


def _mutate(flight, earlier, choices):
    """Apply one to three mutations chosen by the input."""
    data = bytearray(flight)
    for _ in range(1 + choices.below(3)):
        kind = choices.below(8)
        size = len(data)
        if kind == 0:  # random bytes instead
            data = bytearray(choices.raw(choices.below(2 * size + 64)))
        elif kind == 1:  # truncated
            del data[choices.below(size + 1) :]
        elif kind == 2 and size:  # a slice duplicated elsewhere
            start = choices.below(size)
            end = start + choices.below(size - start + 1)
            at = choices.below(size + 1)
            data[at:at] = data[start:end]
        elif kind == 3 and size:  # bit flips
            for _ in range(1 + choices.below(8)):
                data[choices.below(size)] ^= 1 << choices.below(8)
        elif kind == 4 and size:  # boundary values
            data[choices.below(size)] = (0x00, 0xFF, 0x7F, 0x80)[choices.below(4)]
        elif kind == 5:
            data = bytearray(_mutate_records(bytes(data), choices))
        elif kind == 6:  # random bytes inserted
            at = choices.below(size + 1)
            data[at:at] = choices.raw(choices.below(64))
        elif kind == 7 and earlier:  # an earlier flight replayed
            data[0:0] = earlier[choices.below(len(earlier))]
    return bytes(data)


class _Side:
    """One end of the conversation and the little state machine that drives it."""

    def __init__(self, name, obj, incoming, outgoing):
        self.name = name
        self.obj = obj
        self.incoming = incoming
        self.outgoing = outgoing
        self.state = "handshake"
        self.sent = False
        self.received = 0

    def advance(self, initiates_close):
        """Take this side's next step; return whether its state changed.

        Each step makes at most one flight (handshake, data, close_notify),
        so that every stage of the conversation is a flight of its own for
        the driver to corrupt.  SSLWantReadError just means wait for bytes.
        """
        obj = self.obj
        before = self.state
        try:
            if self.state == "handshake":
                obj.do_handshake()
                self.state = "send"
            elif self.state == "send":
                obj.write(PAYLOAD)
                self.state = "receive"
            elif self.state == "receive":
                while self.received < len(PAYLOAD):
                    chunk = obj.read(4096)
                    if not chunk:  # close_notify from the peer
                        obj.unwrap()
                        self.state = "done"
                        return True
                    self.received += len(chunk)
                if initiates_close:
                    self.state = "closing"
                else:
                    obj.read()  # the peer's close_notify, or SSLWantReadError
                    obj.unwrap()
                    self.state = "done"
            elif self.state == "closing":
                obj.unwrap()
                self.state = "done"
        except ssl_bio.SSLWantReadError:
            pass
        except ssl_bio.SSLWantCallbackError as paused:
            # A paused hook: answer as the callback would have (go on; accept).
            obj.resume_handshake(None if paused.hook == "client_hello" else True)
            return True
        except ssl_bio.SSLZeroReturnError:
            self.state = "done"
        return self.state != before


def _check(error):
    """Only SSLError subclasses may come out of ssl_bio."""
    if not isinstance(error, ssl.SSLError) or not isinstance(error, ssl_bio.SSLError):
        raise FuzzFailure(f"ssl_bio raised {type(error).__name__}: {error!r}") from error


def run_one(data):
    """Run one conversation shaped and corrupted by ``data``; see the module docstring.

    Returns ``(victim's last state, name of the SSLError that ended it or None)``.
    """
    choices = Choices(data)
    config = choices.byte()
    victim_is_server = bool(config & 1)
    tls13 = not config & 2
    mutual = bool(config & 4)
    split_delivery = bool(config & 8)
    pausing = bool(config & 16)
    target = choices.below(MAX_TARGET_FLIGHT)
    client_ctx, server_ctx = _context_pair(tls13, mutual, pausing)

    unraisable = []
    previous_hook = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    try:
        return _converse(choices, client_ctx, server_ctx, victim_is_server, split_delivery, target)
    finally:
        sys.unraisablehook = previous_hook
        if unraisable:
            raise FuzzFailure(f"unraisable exception: {unraisable[0].exc_value!r}")


def _converse(choices, client_ctx, server_ctx, victim_is_server, split_delivery, target):
    c_in, c_out, s_in, s_out = (ssl_bio.MemoryBIO() for _ in range(4))
    client = _Side(
        "client", client_ctx.wrap_bio(c_in, c_out, server_hostname="fuzz.example"), c_in, c_out
    )
    server = _Side("server", server_ctx.wrap_bio(s_in, s_out, server_side=True), s_in, s_out)
    victim, peer = (server, client) if victim_is_server else (client, server)
    flights_to_victim = []
    try:
        for _ in range(MAX_ROUNDS):
            progress = False
            for sender, receiver in ((client, server), (server, client)):
                progress |= sender.advance(initiates_close=sender is peer)
                flight = sender.outgoing.read()
                if not flight:
                    continue
                progress = True
                if receiver is victim:
                    if len(flights_to_victim) == target:
                        flight = _mutate(flight, flights_to_victim, choices)
                    flights_to_victim.append(flight)
                if split_delivery and len(flight) > 1:
                    cut = 1 + choices.below(len(flight) - 1)
                    receiver.incoming.write(flight[:cut])
                    receiver.advance(initiates_close=receiver is peer)
                    flight = flight[cut:]
                receiver.incoming.write(flight)
            if not progress:
                break  # finished, or stalled: waiting for bytes that never come
        # The transport ends: the victim sees EOF wherever it stands.
        victim.incoming.write_eof()
        victim.advance(initiates_close=False)
        victim.obj.pending()
        victim.obj.version()
        victim.obj.cipher()
        if victim.state != "handshake":
            victim.obj.getpeercert()
    except Exception as error:  # noqa: BLE001 - every exception is judged
        _check(error)
        return victim.state, type(error).__name__
    return victim.state, None
