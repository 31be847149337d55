"""Misuses of ssl_bio that mypy must report: one error on each line marked '# E'."""

import ssl_bio

ctx = ssl_bio.SSLContext(ssl_bio.PROTOCOL_TLS_CLIENT)
bio = ssl_bio.MemoryBIO()
obj = ctx.wrap_bio(bio, bio, server_hostname="example.org")

bio.write("text, not bytes")  # E
ctx.wrap_bio(b"incoming", b"outgoing")  # E
count: int = obj.read(10)  # E
ctx.set_ciphers(b"ECDHE")  # E
ctx.verify_mode = "required"  # E
ssl_bio.create_default_context(cafile=5)  # E
ctx.load_cert_chain("cert.pem", password=42)  # E
version: str = obj.version()  # E
ctx.set_alpn_protocols("h2", "http/1.1")  # E
