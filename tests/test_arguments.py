"""Bad arguments to every public function and method, against the stdlib.

Each bad value -- a wrong type, a negative or huge number, a non-contiguous
or read-only buffer, None -- goes into each parameter of each public
callable and setter, on fresh, handshaken and closed objects.  ssl_bio must
raise what the stdlib raises: the same class everywhere (no crash, no
SystemError), the same message where CPython 3.13 is the reference.
"""

import array
import re
import ssl
import sys

import pytest

import ssl_bio
from conftest import (
    Pair,
    client_context,
    describe_error,
    server_context,
    stdlib_is_reference,
)

BAD_VALUES = {
    "None": None,
    "str": "text",
    "bytes": b"bytes",
    "float": 1.5,
    "negative": -1,
    "minus-huge": -(2**64),
    "int-max": sys.maxsize,
    "huge": 2**64,
    "list": [b"x"],
    "object": object(),
    "non-contiguous": memoryview(b"abcdefgh")[::2],
    "read-only": memoryview(b"abcdefgh"),
    "multi-dimensional": memoryview(array.array("i", range(8))).cast("B").cast("i", (2, 4)),
}

# Some bad values are also deprecated options or versions: test_context checks
# those warnings.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# Values that would make an implementation allocate what they ask for (the
# stdlib allocates a read buffer of the requested length up front).
NO_HUGE_ALLOCATION = {"int-max"}


# Python's own wording for calls and attributes differs between a C type and
# a Python class ("takes no arguments (1 given)" / "takes 1 positional
# argument but 2 were given"); only the class of these errors is compared.
_INTERPRETER_WORDING = re.compile(
    r"takes (no|\d+) (positional )?arguments?|unexpected keyword|not writable|"
    r"has no setter|object attribute .* is read-only|cannot create '.*' instances|"
    r"no constructor defined|required positional argument|"
    # Integer conversion: 3.14 moved these setters to Argument Clinic, whose
    # wording is the interpreter's ("signed integer is greater than maximum").
    r"cannot be interpreted as an integer|argument must be int, not|"
    r"signed integer is (greater|less) than|Option is too long|Python int too large|"
    r"can't convert negative int to unsigned"
)

# ssl_bio accepts any object with the MemoryBIO methods as a BIO (README:
# foreign BIOs), so its TypeError names those methods instead of _ssl.MemoryBIO.
_FOREIGN_BIO_WORDING = re.compile(r"argument '(incoming|outgoing)' must be")


def describe(exc_or_result):
    """What must agree: the exception's class and message, or the result's type."""
    if isinstance(exc_or_result, BaseException):
        described = describe_error(exc_or_result)
        message = described[-1]
        if _INTERPRETER_WORDING.search(message) or _FOREIGN_BIO_WORDING.search(message):
            message = "(wording of the interpreter or of foreign BIOs)"
        return ("error", described[0], message)
    return ("ok", type(exc_or_result).__name__)


def run(call):
    try:
        return describe(call())
    except Exception as exc:  # noqa: BLE001 - compared below
        return describe(exc)


def assert_matches_stdlib(scenario, deliberate=None, since=(3, 9)):
    """scenario(mod) -> {case: outcome}; classes must match, messages where 3.13 is the oracle.

    ``deliberate`` maps a case to ssl_bio's own outcome where the README lists
    a deliberate difference; those cases are checked against it instead.
    ``since``: the first stdlib that behaves as 3.13 in this scenario.
    """
    ours = scenario(ssl_bio)
    for case, (kind, *rest) in ours.items():
        assert kind == "ok" or rest[0] not in ("SystemError", "MemoryError"), (case, rest)
    for case, expected in (deliberate or {}).items():
        assert ours.pop(case) == expected, case
    if not stdlib_is_reference(since):
        return
    theirs = scenario(ssl)
    for case in deliberate or {}:
        del theirs[case]
    if stdlib_is_reference(since=(3, 13)):
        assert ours == theirs
    else:  # older stdlibs word some messages differently
        assert {k: v[:2] for k, v in ours.items()} == {k: v[:2] for k, v in theirs.items()}


# --- the objects, in each state ----------------------------------------------


def fresh_pair(mod, certs):
    return Pair(mod, client_context(mod, certs), server_context(mod, certs))


def handshaken_pair(mod, certs):
    pair = fresh_pair(mod, certs)
    pair.handshake()
    return pair


def closed_pair(mod, certs):
    pair = handshaken_pair(mod, certs)
    pair.unwrap_both()
    return pair


PAIR_STATES = {"fresh": fresh_pair, "handshaken": handshaken_pair, "closed": closed_pair}


def each_bad_value(call, skip=()):
    """{value name: outcome of call(value)} for every bad value."""
    return {
        name: run(lambda value=value: call(value))
        for name, value in BAD_VALUES.items()
        if name not in skip
    }


# --- MemoryBIO ---------------------------------------------------------------


@pytest.mark.parametrize("closed", [False, True], ids=["open", "after-write_eof"])
def test_memorybio_arguments(closed):
    def scenario(mod):
        def bio():
            fresh = mod.MemoryBIO()
            fresh.write(b"pending data")
            if closed:
                fresh.write_eof()
            return fresh

        results = {}
        for name, outcome in each_bad_value(lambda v: bio().read(v)).items():
            results[f"read({name})"] = outcome
        for name, outcome in each_bad_value(lambda v: bio().write(v)).items():
            results[f"write({name})"] = outcome
        results["write_eof(extra)"] = run(lambda: bio().write_eof(1))
        results["pending=1"] = run(lambda: setattr(bio(), "pending", 1))
        results["eof=True"] = run(lambda: setattr(bio(), "eof", True))
        results["MemoryBIO(1)"] = run(lambda: mod.MemoryBIO(1))
        return results

    assert_matches_stdlib(scenario)


# --- SSLContext --------------------------------------------------------------

CONTEXT_METHODS = {
    "load_cert_chain(certfile)": lambda ctx, v: ctx.load_cert_chain(v),
    "load_verify_locations(cafile)": lambda ctx, v: ctx.load_verify_locations(v),
    "load_verify_locations(capath)": lambda ctx, v: ctx.load_verify_locations(capath=v),
    "load_verify_locations(cadata)": lambda ctx, v: ctx.load_verify_locations(cadata=v),
    "set_ciphers": lambda ctx, v: ctx.set_ciphers(v),
    "set_alpn_protocols": lambda ctx, v: ctx.set_alpn_protocols(v),
    "load_default_certs": lambda ctx, v: ctx.load_default_certs(v),
    "set_servername_callback": lambda ctx, v: ctx.set_servername_callback(v),
    "wrap_bio(incoming)": lambda ctx, v: ctx.wrap_bio(v, ctx._test_bio()),
    "wrap_bio(outgoing)": lambda ctx, v: ctx.wrap_bio(ctx._test_bio(), v),
    "wrap_bio(server_hostname)": lambda ctx, v: ctx.wrap_bio(
        ctx._test_bio(), ctx._test_bio(), server_hostname=v
    ),
    "wrap_bio(server_side)": lambda ctx, v: ctx.wrap_bio(
        ctx._test_bio(), ctx._test_bio(), server_side=v, server_hostname="localhost"
    ),
    "wrap_bio(session)": lambda ctx, v: ctx.wrap_bio(
        ctx._test_bio(), ctx._test_bio(), server_hostname="localhost", session=v
    ),
}

# Where older stdlibs convert differently (ssl_bio behaves as 3.15 everywhere).
VERSION_SPECIFIC = {
    # Negative options wrapped silently before 3.12; OverflowError, not 3.14's
    # ValueError, in 3.12 and 3.13.
    "options": (3, 14),
    # 3.14's wrap_bio checks server_side, server_hostname and check_hostname
    # first (ssl._check_sslobject_params), before the BIOs' types.
    "wrap_bio(incoming)": (3, 14),
    # 3.15's FileNotFoundError names the file.
    "load_cert_chain(certfile)": (3, 15),
    "wrap_bio(outgoing)": (3, 14),
    "wrap_bio(server_side)": (3, 14),
    # 3.9 wrapped a client-side object on a PROTOCOL_TLS_SERVER context.
    "wrap_bio(server_hostname)": (3, 10),
    "wrap_bio(session)": (3, 10),
}

CONTEXT_SETTERS = [
    "options",
    "verify_mode",
    "verify_flags",
    "check_hostname",
    "minimum_version",
    "maximum_version",
    "hostname_checks_common_name",
    "sni_callback",
    "protocol",
    "sslobject_class",
]


def _context(mod, protocol):
    ctx = mod.SSLContext(getattr(mod, protocol))
    if protocol == "PROTOCOL_TLS_SERVER":
        ctx.check_hostname = False
    return ctx


class _ContextProxy:
    """A context that also hands out its own module's MemoryBIO, the good argument."""

    def __init__(self, mod, ctx):
        self._mod, self._ctx = mod, ctx

    def _test_bio(self):
        return self._mod.MemoryBIO()

    def __getattr__(self, name):
        return getattr(self._ctx, name)


@pytest.mark.parametrize("method", sorted(CONTEXT_METHODS))
@pytest.mark.parametrize("protocol", ["PROTOCOL_TLS_CLIENT", "PROTOCOL_TLS_SERVER"])
def test_context_method_arguments(method, protocol):
    call = CONTEXT_METHODS[method]

    def scenario(mod):
        return each_bad_value(lambda v: call(_ContextProxy(mod, _context(mod, protocol)), v))

    deliberate = {}
    if method == "wrap_bio(server_hostname)" and protocol == "PROTOCOL_TLS_CLIENT":
        # A client context that checks host names refuses to wrap without one:
        # 3.14's stdlib too (until 3.13 it skipped the check silently).
        message = "check_hostname requires server_hostname"
        deliberate["None"] = ("error", "ValueError", message)
    assert_matches_stdlib(scenario, deliberate, since=VERSION_SPECIFIC.get(method, (3, 9)))


@pytest.mark.parametrize("name", CONTEXT_SETTERS)
def test_context_setter_arguments(name):
    def scenario(mod):
        def assign(value):
            ctx = _context(mod, "PROTOCOL_TLS_CLIENT")
            setattr(ctx, name, value)
            return getattr(ctx, name)

        return each_bad_value(assign)

    assert_matches_stdlib(scenario, since=VERSION_SPECIFIC.get(name, (3, 9)))


def test_context_constructor_arguments():
    def scenario(mod):
        results = each_bad_value(lambda v: mod.SSLContext(v), skip={"None"})
        results["extra"] = run(lambda: mod.SSLContext(mod.PROTOCOL_TLS_CLIENT, 1))
        results["keyword"] = run(lambda: mod.SSLContext(protocol=mod.PROTOCOL_TLS_CLIENT))
        results["create_default_context(purpose)"] = each_bad_value(
            lambda v: mod.create_default_context(v), skip={"None"}
        )
        for parameter in ("cafile", "capath", "cadata"):
            results[f"create_default_context({parameter})"] = each_bad_value(
                lambda v, parameter=parameter: mod.create_default_context(**{parameter: v}),
                skip={"None"},
            )
        return {
            k: v if isinstance(v, tuple) else tuple(sorted(v.items())) for k, v in results.items()
        }

    ours = scenario(ssl_bio)
    if stdlib_is_reference():
        theirs = scenario(ssl)
        if stdlib_is_reference(since=(3, 13)):
            assert ours == theirs
        else:
            assert set(ours) == set(theirs)


# --- SSLObject ---------------------------------------------------------------

OBJECT_METHODS = {
    "read(len)": (lambda obj, v: obj.read(v), NO_HUGE_ALLOCATION),
    "read(len, buffer)": (lambda obj, v: obj.read(4, v), ()),
    "read(buffer)": (lambda obj, v: obj.read(buffer=v), ()),
    "write": (lambda obj, v: obj.write(v), ()),
    "getpeercert": (lambda obj, v: obj.getpeercert(v), ()),
    "get_channel_binding": (lambda obj, v: obj.get_channel_binding(v), ()),
    "context=": (lambda obj, v: setattr(obj, "context", v), ()),
    "session=": (lambda obj, v: setattr(obj, "session", v), ()),
    "server_hostname=": (lambda obj, v: setattr(obj, "server_hostname", v), ()),
    "server_side=": (lambda obj, v: setattr(obj, "server_side", v), ()),
}


@pytest.mark.parametrize("state", sorted(PAIR_STATES))
@pytest.mark.parametrize("method", sorted(OBJECT_METHODS))
def test_sslobject_arguments(certs, state, method):
    call, skip = OBJECT_METHODS[method]

    def scenario(mod):
        results = {}
        for side in ("client", "server"):

            def one(value, side=side):
                pair = PAIR_STATES[state](mod, certs)
                return call(getattr(pair, side), value)

            for name, outcome in each_bad_value(one, skip).items():
                results[f"{side}:{name}"] = outcome
        return results

    assert_matches_stdlib(scenario)


@pytest.mark.parametrize("state", sorted(PAIR_STATES))
def test_sslobject_methods_without_arguments_take_none(certs, state):
    names = [
        "do_handshake",
        "unwrap",
        "version",
        "cipher",
        "shared_ciphers",
        "compression",
        "pending",
        "selected_alpn_protocol",
        "selected_npn_protocol",
    ]

    def scenario(mod):
        pair = PAIR_STATES[state](mod, certs)
        return {name: run(lambda name=name: getattr(pair.client, name)(1)) for name in names}

    assert_matches_stdlib(scenario)


def test_sslobject_cannot_be_made_directly():
    def scenario(mod):
        return {
            "SSLObject()": run(lambda: mod.SSLObject()),
            "SSLObject(bio, bio)": run(lambda: mod.SSLObject(mod.MemoryBIO(), mod.MemoryBIO())),
        }

    assert_matches_stdlib(scenario)
