"""Typed code using ssl_bio as the stdlib's ssl is used: mypy --strict must accept it."""

import ssl
from typing import Optional

import ssl_bio


def client(cafile: str) -> ssl_bio.SSLObject:
    ctx: ssl_bio.SSLContext = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=cafile)
    ctx.minimum_version = ssl_bio.TLSVersion.TLSv1_2
    ctx.options |= ssl_bio.OP_NO_TICKET
    ctx.verify_flags |= ssl_bio.VERIFY_X509_STRICT
    ctx.verify_mode = ssl_bio.CERT_REQUIRED
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    incoming, outgoing = ssl_bio.MemoryBIO(), ssl_bio.MemoryBIO()
    return ctx.wrap_bio(incoming, outgoing, server_hostname="example.org")


def server(certfile: str, password: bytes) -> ssl_bio.SSLObject:
    ctx = ssl_bio.create_default_context(ssl_bio.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(certfile, password=lambda: password)
    # The stdlib's own MemoryBIO works too (what asyncio and Trio pass).
    return ctx.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_side=True)


def pump(obj: ssl_bio.SSLObject, outgoing: ssl_bio.MemoryBIO) -> bytes:
    try:
        obj.do_handshake()
    except ssl_bio.SSLWantReadError:
        pass
    except ssl.SSLCertVerificationError as exc:  # catches ssl_bio's too
        print(exc.verify_code, exc.verify_message)
    data: bytes = outgoing.read()
    buffer = bytearray(100)
    count: int = obj.read(100, buffer)
    text: bytes = obj.read(100)
    return data + buffer[:count] + text


def details(obj: ssl_bio.SSLObject) -> Optional[str]:
    cert = obj.getpeercert()
    der: Optional[bytes] = obj.getpeercert(binary_form=True)
    cipher = obj.cipher()
    if cert is not None and der is not None and cipher is not None:
        print(cert["subject"], len(der), cipher[0], obj.selected_alpn_protocol())
    session: Optional[ssl_bio.SSLSession] = obj.session
    if session is not None:
        print(session.id.hex(), session.has_ticket)
    error: ssl.SSLError = ssl_bio.SSLEOFError(8, "EOF")
    print(error.errno, obj.pending(), obj.get_channel_binding())
    return obj.version()
