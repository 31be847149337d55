"""Argument conversion with the stdlib's C-level checks, exceptions and messages.

The stdlib's ``_ssl`` converts Python ints to C types with Argument Clinic
or ``PyArg_Parse``; each way has its own OverflowError message, and code (and
CPython's tests) can tell them apart.  These helpers give the same errors
for the same values.
"""

import operator
import os

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1


def type_name(value):
    """How Argument Clinic names a wrong argument's type ("None", not "NoneType", in 3.13)."""
    return "None" if value is None else type(value).__name__


def as_c_int(value):
    """A clinic ``int`` parameter: the index, or OverflowError beyond a C int."""
    value = operator.index(value)
    if not INT_MIN <= value <= INT_MAX:
        raise OverflowError("Python int too large to convert to C int")
    return int(value)


def as_c_long(value):
    """PyLong_AsLong: the index, or OverflowError beyond a C long."""
    value = operator.index(value)
    if not LONG_MIN <= value <= LONG_MAX:
        raise OverflowError("Python int too large to convert to C long")
    return int(value)


def as_c_double(value):
    """A clinic ``double``: a float, or an object with ``__float__`` or ``__index__``.

    Unlike ``float()``, strings and bytes are not parsed.
    """
    if isinstance(value, float):
        return value
    cls = type(value)
    if hasattr(cls, "__float__"):
        return float(value)
    if hasattr(cls, "__index__"):
        return float(operator.index(value))  # OverflowError past a double
    raise TypeError(f"must be real number, not {cls.__name__}")


def as_parsed_int(value):
    """``PyArg_Parse(arg, "i")``: a C long first, then the C int range."""
    value = as_c_long(value)
    if value > INT_MAX:
        raise OverflowError("signed integer is greater than maximum")
    if value < INT_MIN:
        raise OverflowError("signed integer is less than minimum")
    return value


def check_ssize_t(value):
    """OverflowError for an int beyond a C Py_ssize_t (a clinic ``Py_ssize_t``)."""
    if not LONG_MIN <= value <= LONG_MAX:
        raise OverflowError("Python int too large to convert to C ssize_t")


def wrap_c_int(value):
    """What a C ``(int)`` cast makes of a C long (two's complement)."""
    return (value - INT_MIN) % 2**32 + INT_MIN


def fspath_bytes(path, what):
    """A filesystem path as bytes, with the stdlib's errors.

    ``what`` names the argument in the TypeError; None keeps os.fsencode's own.
    """
    try:
        encoded = os.fsencode(path)
    except TypeError:
        if what is None:
            raise
        raise TypeError(f"{what} should be a valid filesystem path") from None
    if b"\0" in encoded:
        raise ValueError("embedded null byte")
    return encoded


def bytes_of(value, type_error, text=True):
    """The bytes of a contiguous bytes-like object, or with ``text`` of an ASCII str.

    TypeError(``type_error``) for anything else (a non-ASCII str among it);
    BufferError for a non-contiguous buffer.  A copy: no buffer export stays open.
    """
    if isinstance(value, str):
        if not text:
            raise TypeError(type_error)
        try:
            return value.encode("ascii")
        except UnicodeEncodeError:
            raise TypeError(type_error) from None
    try:
        view = memoryview(value)
    except TypeError:
        raise TypeError(type_error) from None
    with view:
        if not view.c_contiguous:
            raise BufferError("memoryview: underlying buffer is not C-contiguous")
        return view.tobytes()
