"""ssl_bio: the stdlib ssl module's memory-BIO TLS API, as a cffi binding to OpenSSL.

Code written for ``ssl.MemoryBIO``, ``ssl.SSLObject`` and
``ssl.SSLContext.wrap_bio`` runs unchanged with ``import ssl_bio as ssl``.
"""

from . import _cert_helpers, _constants, _errors, _rand
from ._bio import MemoryBIO
from ._cert_helpers import *  # noqa: F403  (PEM/DER, cert_time_to_seconds, verify paths)
from ._constants import *  # noqa: F403  (PROTOCOL_*, OP_*, CERT_*, enums...: see _constants.__all__)
from ._constants import (  # noqa: F401
    _PROTOCOL_NAMES,
    _ASN1Object,
    _TLSAlertType,
    _TLSContentType,
    _TLSMessageType,
)
from ._context import (  # noqa: F401
    SSLContext,
    _create_default_https_context,
    _create_stdlib_context,
    _create_unverified_context,
    create_default_context,
)
from ._errors import *  # noqa: F403  (SSLError and its subclasses: see _errors.__all__)
from ._hooks import PAUSE_HANDSHAKE, ClientHello
from ._negotiation import get_sigalgs
from ._object import SSLObject
from ._rand import *  # noqa: F403  (RAND_bytes, RAND_status, RAND_add)
from ._session import SSLSession
from ._socket import SSLSocket, get_server_certificate

# The underscored imports above are private in the stdlib too, but code and
# CPython's tests use them as ``ssl._name``; they stay out of __all__.

__version__ = "0.1.0"

__all__ = [
    "ClientHello",
    "MemoryBIO",
    "PAUSE_HANDSHAKE",
    "SSLContext",
    "SSLObject",
    "SSLSession",
    "SSLSocket",
    "create_default_context",
    "get_server_certificate",
    "get_sigalgs",
    *_errors.__all__,
    *_constants.__all__,
    *_cert_helpers.__all__,
    *_rand.__all__,
]
