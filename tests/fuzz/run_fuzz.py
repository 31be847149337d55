"""Long fuzz runs of the harness, outside the test suite.

Seeded random inputs, several worker processes (one per core), a watchdog per
input, and a summary of outcomes::

    python tests/fuzz/run_fuzz.py --inputs 1000000 --jobs 2
    python tests/fuzz/run_fuzz.py --replay 123456 --seed 0   # rerun one input

Input ``i`` of seed ``s`` is ``random.Random(s * 2**32 + i).randbytes(size)``,
so any failure reproduces from its number.  A worker that crashes (signal) or
hangs (no input finishes within ``--timeout`` seconds; faulthandler prints
every thread's stack and exits) is reported with the range it was in.

Coverage-guided, with atheris (CPython; ``pip install atheris``)::

    python tests/fuzz/run_fuzz.py --atheris -- -runs=1000000 -jobs=2
"""

import argparse
import collections
import faulthandler
import json
import os
import random
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import FuzzFailure, run_one  # noqa: E402

PROGRESS_EVERY = 10000


def input_bytes(seed, index, size):
    """The fuzz input number ``index`` of ``seed``."""
    return random.Random(seed * 2**32 + index).randbytes(size)


def worker(seed, start, count, size, timeout):
    """Run inputs start..start+count; print one JSON summary line at the end."""
    outcomes = collections.Counter()
    failures = []
    for index in range(start, start + count):
        faulthandler.dump_traceback_later(timeout, exit=True)
        try:
            state, error = run_one(input_bytes(seed, index, size))
            outcomes[f"{state}/{error}"] += 1
        except FuzzFailure:
            failures.append({"index": index, "traceback": traceback.format_exc()})
        if (index - start + 1) % PROGRESS_EVERY == 0:
            print(f"# worker {start}: {index - start + 1}/{count}", file=sys.stderr, flush=True)
    faulthandler.cancel_dump_traceback_later()
    print(json.dumps({"outcomes": outcomes, "failures": failures}), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=100000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", type=int, default=64, help="bytes per input")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per input")
    parser.add_argument("--replay", type=int, help="run input number REPLAY and show its outcome")
    parser.add_argument("--atheris", action="store_true", help="coverage-guided, with atheris")
    parser.add_argument(
        "--worker", nargs=2, type=int, metavar=("START", "COUNT"), help=argparse.SUPPRESS
    )
    args, rest = parser.parse_known_args()

    if args.worker:
        worker(args.seed, args.worker[0], args.worker[1], args.size, args.timeout)
        return 0
    if args.replay is not None:
        print(run_one(input_bytes(args.seed, args.replay, args.size)))
        return 0
    if args.atheris:
        import atheris

        atheris.instrument_all()  # coverage of ssl_bio's Python code; OpenSSL is not instrumented
        atheris.Setup([sys.argv[0], *[a for a in rest if a != "--"]], run_one)
        atheris.Fuzz()
        return 0
    return supervise(args)


def supervise(args):
    started = time.monotonic()
    share, extra = divmod(args.inputs, args.jobs)
    workers = []
    start = 0
    for job in range(args.jobs):
        count = share + (job < extra)
        command = [sys.executable, os.path.abspath(__file__), "--worker", str(start), str(count)]
        command += ["--seed", str(args.seed), "--size", str(args.size)]
        command += ["--timeout", str(args.timeout)]
        workers.append((start, count, subprocess.Popen(command, stdout=subprocess.PIPE, text=True)))
        start += count

    outcomes = collections.Counter()
    failures = []
    broken = []
    for start, count, process in workers:
        output, _ = process.communicate()
        if process.returncode != 0:
            broken.append(f"inputs {start}..{start + count - 1}: exit status {process.returncode}")
            continue
        summary = json.loads(output.strip().splitlines()[-1])
        outcomes.update(summary["outcomes"])
        failures.extend(summary["failures"])
    elapsed = time.monotonic() - started

    ran = sum(outcomes.values()) + len(failures)
    print(f"python: {sys.implementation.name} {sys.version.split()[0]}")
    print(f"inputs: {ran} of {args.inputs} (seed {args.seed}, {args.size} bytes each)")
    print(f"time: {elapsed:.0f} s with {args.jobs} workers ({ran / elapsed:.0f} inputs/s)")
    print("outcomes (victim's last state / error that ended the conversation):")
    for name, number in sorted(outcomes.items(), key=lambda item: -item[1]):
        print(f"  {number:9d}  {name}")
    for failure in failures[:10]:
        print(f"FAILURE at input {failure['index']}:\n{failure['traceback']}")
    for line in broken:
        print(f"CRASH OR HANG in {line}")
    print(f"failures: {len(failures)}, crashed or hung workers: {len(broken)}")
    return 1 if failures or broken else 0


if __name__ == "__main__":
    sys.exit(main())
