"""Hostile bytes, bounded: the fuzz harness under hypothesis.

Each example is one client/server conversation with one flight towards the
victim corrupted (tests/fuzz/harness.py).  Only SSLError subclasses may come
out; the long runs (a million inputs and more) are tests/fuzz/run_fuzz.py.
"""

import faulthandler

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz.harness import run_one


@pytest.fixture(autouse=True)
def watchdog():
    """A hang inside OpenSSL would stall the suite: dump stacks and exit instead."""
    faulthandler.dump_traceback_later(600, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(min_size=1, max_size=64))
def test_corrupted_conversation_raises_only_ssl_errors(data):
    state, error = run_one(data)
    assert state in {"handshake", "send", "receive", "closing", "done"}
    assert error is None or error.startswith("SSL")


@pytest.mark.parametrize("config", range(32))
def test_every_configuration_completes_when_nothing_is_corrupted(config):
    # Flight 4 towards the victim does not exist: the conversation runs clean.
    assert run_one(bytes([config, 0, 4])) == ("done", None)
