"""MemoryBIO, run against the stdlib's ssl.MemoryBIO scenario by scenario."""

import array
import ssl

import pytest

import ssl_bio
from conftest import assert_same_as_stdlib, outcome


def bio_scenario(mod):
    bio = mod.MemoryBIO()
    steps = [("new", bio.pending, bio.eof)]
    steps.append(("write", bio.write(b"hello "), bio.pending))
    steps.append(("write bytearray", bio.write(bytearray(b"wor")), bio.pending))
    steps.append(("write memoryview", bio.write(memoryview(b"xxld!")[2:]), bio.pending))
    steps.append(("write array", bio.write(array.array("B", b"??")), bio.pending))
    steps.append(("write empty", bio.write(b""), bio.pending))
    steps.append(("read 3", bio.read(3), bio.pending))
    steps.append(("read 0", bio.read(0), bio.pending))
    steps.append(("read all", bio.read(), bio.pending, bio.eof))
    steps.append(("read empty", bio.read(), bio.read(-5), bio.eof))
    bio.write(b"tail")
    bio.write_eof()
    steps.append(("after eof", bio.pending, bio.eof))
    steps.append(("write after eof", outcome(bio.write, b"x"), outcome(bio.write, b"")))
    steps.append(("read tail", bio.read(2), bio.eof, bio.read(100), bio.eof))
    bio.write_eof()
    steps.append(("eof twice", bio.eof, bio.read()))
    return steps


def test_memorybio_matches_stdlib():
    assert_same_as_stdlib(bio_scenario)


@pytest.mark.parametrize(
    "value",
    ["text", 5, None, 1.5, [1, 2], memoryview(b"abcdef")[::2]],
    ids=["str", "int", "None", "float", "list", "non-contiguous"],
)
def test_write_rejects_what_stdlib_rejects(value):
    result = assert_same_as_stdlib(lambda mod: outcome(mod.MemoryBIO().write, value))
    assert result[0] == "error"


@pytest.mark.parametrize("value", ["1", 1.0, None])
def test_read_size_type_errors_match_stdlib(value):
    # The TypeError wording is 3.10's argument parsing.
    result = assert_same_as_stdlib(lambda mod: outcome(mod.MemoryBIO().read, value), since=(3, 10))
    assert result[1][0] == "TypeError"


def test_write_after_eof_is_an_sslerror():
    bio = ssl_bio.MemoryBIO()
    bio.write_eof()
    with pytest.raises(ssl.SSLError) as info:
        bio.write(b"data")
    assert isinstance(info.value, ssl_bio.SSLError)
    assert str(info.value) == "('cannot write() after write_eof()',)"


def test_large_write_and_partial_reads():
    bio = ssl_bio.MemoryBIO()
    data = bytes(range(256)) * 8192  # 2 MiB
    assert bio.write(data) == len(data)
    out = bytearray()
    while bio.pending:
        out += bio.read(100_000)
    assert bytes(out) == data


def large_read_scenario(mod):
    # Around ssl_bio's 64 KiB scratch buffer: reads that fit in it, and reads
    # that need a buffer of their own.
    bio = mod.MemoryBIO()
    data = bytes(range(256)) * 1024  # 256 KiB
    bio.write(data)
    sizes = [65535, 1, 65536, 65537, -1]
    chunks = [bio.read(size) for size in sizes]
    bio.write(data[:70000])
    chunks.append(bio.read())
    return [len(chunk) for chunk in chunks], b"".join(chunks) == data + data[:70000]


def test_reads_around_the_scratch_buffer_match_stdlib():
    assert assert_same_as_stdlib(large_read_scenario) == (
        [65535, 1, 65536, 65537, 65535, 70000],
        True,
    )


def test_eof_only_after_everything_was_read():
    bio = ssl_bio.MemoryBIO()
    bio.write(b"abc")
    bio.write_eof()
    assert not bio.eof
    bio.read(2)
    assert not bio.eof
    bio.read()
    assert bio.eof


def test_no_public_attributes_beyond_stdlib():
    public = {name for name in dir(ssl.MemoryBIO) if not name.startswith("_")}
    assert public <= {name for name in dir(ssl_bio.MemoryBIO) if not name.startswith("_")}
