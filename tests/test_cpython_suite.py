"""CPython's own test_ssl, run against ssl_bio.

The running interpreter's installed ``test.test_ssl`` is imported -- nothing
of it is copied here -- and its test classes run with a stand-in for the
``ssl`` module in which ssl_bio's classes, functions, constants and enums
replace the stdlib's: its memory-BIO tests test SSLObject, and its socket
tests (ThreadedTests, TestPreHandshakeClose, ...) test ssl_bio's SSLSocket on
both ends of each connection, the suite's servers included.  A test that
cannot test ssl_bio is listed below by name with its reason, and runs as a
skip.  Anything else that fails is a difference from the stdlib.

Where an older interpreter's suite expects its own (pre-3.13) behaviour, the
test is listed in VERSION_SPECIFIC with the version that changed it.
"""

import platform
import sys
import types
import unittest

import pytest

import ssl_bio

if platform.python_implementation() != "CPython":
    pytest.skip(
        "CPython's test_ssl tests CPython's _ssl internals; PyPy ships its own suite",
        allow_module_level=True,
    )
try:
    from test import test_ssl as cpython_suite
except ImportError as exc:  # e.g. Debian's python3 without python3-test
    pytest.skip(f"this interpreter ships without its test package: {exc}", allow_module_level=True)

_stdlib_ssl = cpython_suite.ssl

# The private names of the stdlib that the suite (or code) uses as ssl._name.
_PRIVATE_NAMES = [
    "_ASN1Object",
    "_TLSContentType",
    "_TLSAlertType",
    "_TLSMessageType",
    "_create_unverified_context",
    "_create_stdlib_context",
    "_create_default_https_context",
]


def _ssl_with_ssl_bio():
    """The stdlib's ssl module as a fresh module, ssl_bio's API put in place."""
    module = types.ModuleType("ssl", ssl_bio.__doc__)
    module.__dict__.update(vars(_stdlib_ssl))
    for name in ssl_bio.__all__ + _PRIVATE_NAMES:
        setattr(module, name, getattr(ssl_bio, name))
    return module


SSL_WITH_SSL_BIO = _ssl_with_ssl_bio()
# The suite's module globals: `ssl` and the names it imported from it.
cpython_suite.ssl = SSL_WITH_SSL_BIO
for _name in ("Purpose", "TLSVersion", "_TLSContentType", "_TLSMessageType", "_TLSAlertType"):
    setattr(cpython_suite, _name, getattr(ssl_bio, _name))

_UNRAISABLE = (
    "expects the SNI callback's exception on sys.unraisablehook; ssl_bio chains "
    "it to the server handshake's SSLError instead (docs/differences.md); the "
    "client's alert is checked in tests/test_socket.py"
)
# Where ssl_bio differs from the stdlib on purpose (README, docs/differences.md).
DELIBERATE = {
    "SSLObjectTests": {
        "test_sni_callback_context_released_and_callback_raises": _UNRAISABLE,
        "test_sni_callback_context_released_before_second_client_hello": (
            "expects the context that carried the SNI callback to be collectable once the "
            "callback switched away from it; an ssl_bio SSLObject keeps its first context "
            "alive as long as itself, because OpenSSL goes on using that SSL_CTX (sessions, "
            "callbacks whose arguments the Python context owns)"
        ),
        "test_distrusted_spki": (
            "3.14.10's _ssl rejects chains through keys on a distrust list compiled into it "
            "(gh-160040); ssl_bio does not carry that list yet (docs/differences.md)"
        ),
    },
    "ThreadedTests": {
        "test_sni_callback_raising": _UNRAISABLE,
        "test_sni_callback_wrong_return_type": _UNRAISABLE,
    },
}

# Tests that assert how CPython builds its own objects, not what they do.
CPYTHON_INTERNALS = {
    "ContextTests": {
        "test_delete_sslobject_attributes": "deletes attributes of CPython's private "
        "_ssl._SSLSocket (sslobj._sslobj); ssl_bio has no _sslobj",
        "test_sni_callback_on_dead_references": "drives CPython's private _ssl object "
        "(server._sslobj) after its owner is gone; ssl_bio has no _sslobj, and an "
        "SSLObject's SSL lives exactly as long as the object (tests/test_lifetimes.py)",
    },
    "SimpleBackgroundTests": {
        "test_bio_handshake": "asserts CPython's private layering (sslobj._sslobj.owner) "
        "first; ssl_bio has no _sslobj",
    },
    "TestPostHandshakeAuth": {
        "test_internal_chain_client": "calls CPython's private SSLSocket._sslobj, whose "
        "chains hold _ssl.Certificate objects",
        "test_internal_chain_server": "calls CPython's private SSLSocket._sslobj, whose "
        "chains hold _ssl.Certificate objects",
    },
}

if sys.version_info >= (3, 14):
    # 3.14's version of the test also drives the C type's descriptor.
    CPYTHON_INTERNALS["TestSSLDebug"] = {
        "test_msg_callback": "applies _ssl._SSLContext's own _msg_callback descriptor to the "
        "context (3.14); the rest of it is tests/test_callbacks.py's _msg_callback tests",
    }

# Tests whose expectations differ by interpreter version: {name: (since, why)}.
VERSION_SPECIFIC = {
    "BasicSocketTests": {
        "test_match_hostname": ((3, 12), "ssl.match_hostname(), removed in 3.12"),
    },
    "ContextTests": {
        "test__create_stdlib_context": ((3, 10), "PROTOCOL_TLS as its default protocol"),
        "test_create_default_context": ((3, 10), "PROTOCOL_TLS as its default protocol"),
        "test_options": (
            (3, 14),
            "OverflowError for negative options (3.14: ValueError, as a uint64_t); before "
            "3.10 also OP_IGNORE_UNEXPECTED_EOF set by default (ragged EOFs hidden)",
        ),
        "test_context_custom_class": (
            (3, 10),
            "a client SSLObject from a PROTOCOL_TLS_SERVER context (refused since 3.10)",
        ),
    },
    "TestSSLDebug": {
        "test_msg_callback_deadlock_bpo43577": (
            (3, 13),
            "two connections to one echo server whose handler stops the whole server on "
            "ConnectionResetError (3.13's handler closes just that connection): a client "
            "that closes while the server's session tickets are in flight makes that reset; "
            "ssl_bio's Python client closes a little later than _ssl.c's, often after they "
            "arrive. 3.13's suite runs it",
        ),
    },
    "ThreadedTests": {
        "test_echo": ((3, 10), "OpenSSL's message for a client of a server context (3.10's own)"),
        "test_socketserver": (
            (3, 13),
            "certificates without critical basic constraints, which "
            "create_default_context()'s VERIFY_X509_STRICT (3.13) refuses",
        ),
    },
    "TestEnumerations": {
        "test_options": ((3, 12), "no OP_LEGACY_SERVER_CONNECT and OP_ENABLE_KTLS (3.12)"),
    },
}


def _adapted(cls, **overrides):
    """``cls`` with the tests listed above turned into skips that say why."""
    skips = dict(DELIBERATE.get(cls.__name__, {}))
    skips.update(CPYTHON_INTERNALS.get(cls.__name__, {}))
    for name, (since, why) in VERSION_SPECIFIC.get(cls.__name__, {}).items():
        if sys.version_info < since:
            skips[name] = f"this interpreter's suite expects its own behaviour: {why}"
    namespace = {"__module__": __name__, "__qualname__": cls.__name__, **overrides}
    for name, reason in skips.items():
        if hasattr(cls, name):
            namespace[name] = unittest.skip(reason)(getattr(cls, name))
    return type(cls.__name__, (cls,), namespace)


BasicSocketTests = _adapted(cpython_suite.BasicSocketTests)
ContextTests = _adapted(cpython_suite.ContextTests)
SSLErrorTests = _adapted(cpython_suite.SSLErrorTests)
MemoryBIOTests = _adapted(cpython_suite.MemoryBIOTests)
SSLObjectTests = _adapted(cpython_suite.SSLObjectTests)
TestSSLDebug = _adapted(cpython_suite.TestSSLDebug)
TestPostHandshakeAuth = _adapted(cpython_suite.TestPostHandshakeAuth)
ThreadedTests = _adapted(cpython_suite.ThreadedTests)
TestPreHandshakeClose = _adapted(cpython_suite.TestPreHandshakeClose)
if hasattr(cpython_suite, "TestEnumerations"):
    TestEnumerations = _adapted(cpython_suite.TestEnumerations)


def _stdlib_echo_server(self):
    """SimpleBackgroundTests.setUp with the stdlib: its server runs on sockets.

    The ssl_io_loop tests then drive an ssl_bio client over memory BIOs
    against it, moving the bytes over a plain socket.
    """
    self.server_context = _stdlib_ssl.SSLContext(_stdlib_ssl.PROTOCOL_TLS_SERVER)
    self.server_context.load_cert_chain(cpython_suite.SIGNED_CERTFILE)
    server = cpython_suite.ThreadedEchoServer(context=self.server_context)
    server.__enter__()  # TestCase.enterContext is 3.11+
    self.addCleanup(server.__exit__, None, None, None)
    self.server_addr = (cpython_suite.HOST, server.port)


SimpleBackgroundTests = _adapted(cpython_suite.SimpleBackgroundTests, setUp=_stdlib_echo_server)
