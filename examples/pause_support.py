"""What the two paused-handshake examples share: the contexts and their pausing callbacks.

Not an example itself: ``paused_handshake_asyncio.py`` and
``paused_handshake_trio.py`` import it.  Everything here is sans-I/O; each
example supplies its framework's sleep and how bytes go out and come in
(``TLSConnection``'s two methods).

- The server's ClientHello callback pauses: the certificate for the name the
  client asked for comes from a (pretend) database, looked up asynchronously.
- The client's verify callback pauses: whether to trust the server comes from a
  (pretend) remote policy service, asked asynchronously, given OpenSSL's verdict
  and the certificate's SHA-256 fingerprint.
"""

import hashlib

import demo_support

import ssl_bio

MESSAGE = b"hello after two pauses"


def _fingerprint_of_first_certificate(path):
    with open(path) as file:
        pem = file.read()
    start = pem.index(ssl_bio.PEM_HEADER)
    end = pem.index(ssl_bio.PEM_FOOTER, start) + len(ssl_bio.PEM_FOOTER)
    return hashlib.sha256(ssl_bio.PEM_cert_to_DER_cert(pem[start:end])).hexdigest()


class Demo:
    """The two contexts, and the questions their callbacks left to answer."""

    def __init__(self, certificates, sleep):
        self.sleep = sleep  # the framework's: asyncio.sleep or trio.sleep
        self.log = []
        self.questions = {}  # connection -> what its paused callback asked
        # The "database": one context per server name.
        self.contexts = {"localhost": demo_support.server_context(certificates.certfile)}
        self.server_context = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_SERVER)
        self.server_context.client_hello_callback = self._on_client_hello
        self.client_context = demo_support.client_context(certificates.cafile)
        self.client_context.verify_callback = self._on_verify
        # The "policy service": the fingerprints it allows.
        self.trusted = {_fingerprint_of_first_certificate(certificates.certfile)}

    def _on_client_hello(self, conn, hello):
        self.questions[conn] = hello.server_name
        self.log.append(f"server: ClientHello for {hello.server_name!r}: looking up a certificate")
        return ssl_bio.PAUSE_HANDSHAKE

    def _on_verify(self, conn, chain, verified, verify_code):
        fingerprint = hashlib.sha256(chain[0]).hexdigest()
        self.questions[conn] = (fingerprint, verified)
        self.log.append(f"client: OpenSSL says verified={verified}; asking the policy service")
        return ssl_bio.PAUSE_HANDSHAKE

    def report(self, tls, reply):
        """Print what happened; the exit status (0 when the echo came back)."""
        for line in self.log:
            print(line)
        print(f"client: {demo_support.describe(tls)}")
        print(f"client: got {reply!r}")
        ok = reply == b"echo: " + MESSAGE
        print(f"result: {'OK' if ok else 'FAILED'}")
        return 0 if ok else 1

    async def answer(self, conn, hook):
        """The answer to the callback that paused ``conn``: the asynchronous part."""
        question = self.questions.pop(conn)
        await self.sleep(0.05)  # a database or a remote service
        if hook == "client_hello":
            context = self.contexts.get(question)
            if context is None:
                self.log.append(f"server: no certificate for {question!r}")
                return ssl_bio.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
            conn.context = context
            self.log.append(f"server: certificate for {question!r} found; handshake resumed")
            return None
        fingerprint, verified = question
        allowed = verified and fingerprint in self.trusted
        self.log.append(f"client: policy says {'accept' if allowed else 'reject'}")
        return allowed


class TLSConnection:
    """An SSLObject over two MemoryBIOs whose handshake answers its pauses.

    A subclass says how bytes travel: ``send_bytes(data)`` and
    ``receive_bytes()`` (``b''`` at the end), both awaitable.
    """

    def __init__(self, context, **wrap_args):
        self.incoming, self.outgoing = ssl_bio.MemoryBIO(), ssl_bio.MemoryBIO()
        self.tls = context.wrap_bio(self.incoming, self.outgoing, **wrap_args)

    async def send_bytes(self, data):
        raise NotImplementedError

    async def receive_bytes(self):
        raise NotImplementedError

    async def _flush(self):
        data = self.outgoing.read()
        if data:
            await self.send_bytes(data)

    async def _fill(self):
        data = await self.receive_bytes()
        if data:
            self.incoming.write(data)
        else:
            self.incoming.write_eof()

    async def handshake(self, answer):
        """Run the handshake; ``answer(tls, hook)`` is awaited when a callback paused it."""
        while True:
            try:
                self.tls.do_handshake()
            except ssl_bio.SSLWantReadError:
                await self._flush()
                await self._fill()
            except ssl_bio.SSLWantCallbackError as paused:
                # Nothing was lost: answer, and the next do_handshake() goes on.
                self.tls.resume_handshake(await answer(self.tls, paused.hook))
            except ssl_bio.SSLError:
                await self._flush()  # the alert, for the peer
                raise
            else:
                await self._flush()
                return

    async def send(self, data):
        self.tls.write(data)
        await self._flush()

    async def receive(self):
        while True:
            try:
                return self.tls.read(65536)
            except ssl_bio.SSLWantReadError:
                await self._flush()
                await self._fill()
