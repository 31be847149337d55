"""CPython's own test_ssl, run against ssl_bio.

The running interpreter's installed ``test.test_ssl`` is imported -- nothing
of it is copied here -- and its memory-BIO-relevant test classes run with a
stand-in for the ``ssl`` module in which ssl_bio's classes, functions,
constants and enums replace the stdlib's.  The socket half of ``ssl``
(``SSLSocket``, ``wrap_socket``...) stays the stdlib's, so a test that needs
it cannot test ssl_bio: those tests are listed below by name, each with its
reason, and run as skips.  Anything else that fails is a difference from
the stdlib.

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

_SOCKET = "needs SSLSocket (socket I/O), which ssl_bio does not provide"

# Tests of the selected classes that cannot test ssl_bio, with the reason.
NEEDS_SSLSOCKET = {
    "BasicSocketTests": {
        "test_wrapped_unconnected": _SOCKET,
        "test_timeout": _SOCKET,
        "test_openssl111_deprecations": _SOCKET,
        "test_errors_sslwrap": _SOCKET,
        "test_unsupported_dtls": _SOCKET,
        "test_server_side": _SOCKET,
        "test_connect_ex_error": _SOCKET,
        "test_read_write_zero": _SOCKET,
        "test_private_init": "checks SSLSocket's private constructor",
        "test_get_server_certificate_fail": _SOCKET,
        "test_dealloc_warn": "checks SSLSocket's ResourceWarning",
        "test_refcycle": "checks that an SSLSocket is freed",
        "test_tls_unique_channel_binding": "checks SSLSocket.get_channel_binding",
        "test_unknown_channel_binding": "checks SSLSocket.get_channel_binding",
    },
    "SSLErrorTests": {
        "test_subclass": "checks the error of a non-blocking SSLSocket's accept",
    },
    "ContextTests": {
        "test_context_client_server": "wraps sockets to compare with SSLSocket.server_side",
        "test_context_custom_class": "checks sslsocket_class, SSLSocket's counterpart",
        "test_create_connection_ssl": _SOCKET,
    },
}

_SERVER = "needs SSLSocket: connects a stdlib socket client to the server"
NEEDS_SSLSOCKET["SimpleBackgroundTests"] = {
    name: _SERVER
    for name in (
        "test_connect",
        "test_connect_fail",
        "test_connect_ex",
        "test_non_blocking_connect_ex",
        "test_connect_with_context",
        "test_connect_with_context_fail",
        "test_connect_capath",
        "test_connect_cadata",
        "test_makefile_close",
        "test_non_blocking_handshake",
        "test_get_server_certificate",
        "test_get_server_certificate_sni",
        "test_get_server_certificate_fail",
        "test_get_server_certificate_timeout",
        "test_ciphers",
        "test_get_ca_certs_capath",
        "test_context_setget",
    )
}
NEEDS_SSLSOCKET["TestSSLDebug"] = {
    "test_keylog_filename": _SERVER,
    "test_msg_callback_tls12": _SERVER,
    "test_msg_callback_deadlock_bpo43577": _SERVER,
}
NEEDS_SSLSOCKET["TestPostHandshakeAuth"] = {
    name: _SERVER
    for name in (
        "test_pha_required",
        "test_pha_required_nocert",
        "test_pha_optional",
        "test_pha_optional_nocert",
        "test_pha_no_pha_client",
        "test_pha_no_pha_server",
        "test_pha_not_tls13",
        "test_bpo37428_pha_cert_none",
        "test_internal_chain_client",
        "test_certificate_chain",
        "test_internal_chain_server",
    )
}

# Tests that assert how CPython builds its own objects, not what they do.
CPYTHON_INTERNALS = {
    "SimpleBackgroundTests": {
        "test_bio_handshake": "asserts CPython's private layering (sslobj._sslobj.owner) "
        "first; ssl_bio has no _sslobj",
    },
}

# Tests whose expectations differ by interpreter version: {name: (since, why)}.
VERSION_SPECIFIC = {
    "BasicSocketTests": {
        "test_match_hostname": ((3, 12), "ssl.match_hostname(), removed in 3.12"),
    },
    "ContextTests": {
        "test__create_stdlib_context": ((3, 10), "PROTOCOL_TLS as its default protocol"),
        "test_create_default_context": ((3, 10), "PROTOCOL_TLS as its default protocol"),
        "test_options": ((3, 10), "OP_IGNORE_UNEXPECTED_EOF set by default (ragged EOFs hidden)"),
    },
    "TestEnumerations": {
        "test_options": ((3, 12), "no OP_LEGACY_SERVER_CONNECT and OP_ENABLE_KTLS (3.12)"),
    },
}


def _adapted(cls, **overrides):
    """``cls`` with its socket-only tests turned into skips that say why."""
    skips = dict(NEEDS_SSLSOCKET.get(cls.__name__, {}))
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
