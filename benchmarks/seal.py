"""What the ledger seal (issue 25) costs the weekly report on a large ledger.

    .venv/bin/python benchmarks/seal.py                  # the 1,000,000-issue SQLite ledger
    .venv/bin/python benchmarks/seal.py --issues 250000  # another size generate.py built
    .venv/bin/python benchmarks/seal.py --pg             # the same in PostgreSQL

Prints, for the ledger generate.py built (which records one seal when it builds, as an office
that seals every week would have): the events it holds; the seal computed from the first event
(what `db check` does, and what a report on a ledger never sealed pays); the seal continued from
the newest recorded one (what `report weekly` and `db seal` pay); and `report weekly` itself,
whole, as a process. Each figure is the median of --runs runs, wall-clock time and CPU time
(the steadier one on a shared machine), the seal in one read transaction each, through the same
function the report calls.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

Timing = tuple[float, float]  # (wall seconds, CPU seconds)


def median(timings: list[Timing]) -> Timing:
    return statistics.median(t[0] for t in timings), statistics.median(t[1] for t in timings)


def timed_seal(target: str, *, resume: bool, runs: int) -> tuple[Timing, str, int]:
    from qiye_service.db import make_engine, resolve_location, session_scope
    from qiye_service.services.seal import ledger_seal

    engine = make_engine(resolve_location(target))
    timings, seal = [], None
    try:
        for _ in range(runs):
            with session_scope(engine, write=False) as session:
                started, cpu = time.perf_counter(), time.process_time()
                seal = ledger_seal(session, wait_seconds=60, resume=resume)
                timings.append((time.perf_counter() - started, time.process_time() - cpu))
    finally:
        engine.dispose()
    assert seal is not None
    return median(timings), seal.text, seal.events


def timed_report(target: str, *, runs: int, env: dict[str, str]) -> Timing:
    import os

    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "qiye_service", "--db", target, "report", "weekly"],
                                   env=env, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        assert status == 0
        timings.append((time.perf_counter() - started, usage.ru_utime + usage.ru_stime))
    return median(timings)


def shown(part: Timing, whole: Timing) -> str:
    return (f"{part[0]:7.3f} s wall, {part[1]:7.3f} s CPU  "
            f"({part[0] / whole[0]:.1%} and {part[1] / whole[1]:.1%} of the report's)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=1_000_000)
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    note = generate.build(args.issues, pg=args.pg)
    target = generate.pg_url(args.issues) if args.pg else str(generate.sqlite_path(args.issues))
    env = generate.qiye_env(generate.DATA / "seal-bench")
    import os

    os.environ.update(env)
    scratch, seal, events = timed_seal(target, resume=False, runs=args.runs)
    resumed, again, _ = timed_seal(target, resume=True, runs=args.runs)
    assert seal == again, (seal, again)
    report = timed_report(target, runs=args.runs, env=env)
    print(f"{'PostgreSQL' if args.pg else 'SQLite'}, {note['issues']:,} issues, {events:,} events, seal {seal}")
    print(f"  seal from the first event:         {shown(scratch, report)}")
    print(f"  seal from the newest recorded one: {shown(resumed, report)}")
    print(f"  report weekly, whole process:      {report[0]:7.3f} s wall, {report[1]:7.3f} s CPU (median of {args.runs})")
    print(f"  per event: {scratch[1] / max(events, 1) * 1e6:.2f} µs CPU")


if __name__ == "__main__":
    main()
