"""What showing progress costs (issue 26, point 4): import, export and db check, each run with
its progress drawn on a terminal and with --quiet, side by side.

    .venv/bin/python benchmarks/progress_cost.py                      # the 1,000,000-issue ledger
    .venv/bin/python benchmarks/progress_cost.py --ledger PATH --rounds 3 --import-rows 100000

Both runs have stderr on the same pseudo-terminal (read and thrown away as a terminal would
draw it) and stdout on /dev/null; the only difference is --quiet. The ledger is only read
(export and db check open it read-only); the import goes into a fresh copy of an empty ledger,
from a CSV of --import-rows issues built by generate.py's model. Rounds alternate on and off,
after a warm-up of each; the figures are medians of wall-clock seconds and of the child's CPU
seconds (user + system, from os.wait4), and the ratio on/off of each. On a shared machine the
CPU ratio is the steadier one.
"""

from __future__ import annotations

import argparse
import os
import pty
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import ledger_model  # noqa: E402

QIYE = str(Path(sys.executable).parent / "qiye")


def environment(workdir: Path) -> dict[str, str]:
    env = generate.qiye_env(workdir)
    env.pop("NO_COLOR", None)  # rich's bar, as most terminals get it
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
    return env


def run_on_a_terminal(args: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of `qiye ARGS` with stderr a pseudo-terminal; `ok`: the exit
    codes that mean the work was done (db check exits 1 when it lists problems)."""
    master, slave = pty.openpty()
    drained = threading.Thread(target=_drain, args=(master,), daemon=True)
    drained.start()
    started = time.perf_counter()
    with open(os.devnull, "wb") as null:
        process = subprocess.Popen([QIYE, *args], stdin=subprocess.DEVNULL, stdout=null, stderr=slave, env=env)
    os.close(slave)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    drained.join(timeout=5)
    os.close(master)
    if process.returncode not in ok:
        raise SystemExit(f"qiye {' '.join(args)} failed ({process.returncode})")
    return wall, usage.ru_utime + usage.ru_stime


def _drain(fd: int) -> None:
    while True:
        try:
            if not os.read(fd, 65536):
                return
        except OSError:
            return


def measure(name: str, args: list[str], env: dict[str, str], rounds: int, before=None,  # type: ignore[no-untyped-def]
            ok: tuple[int, ...] = (0,), warm_up: bool = True) -> dict:
    """Medians of `rounds` alternating runs, with progress and with --quiet, after a warm-up of
    each (unless `warm_up` is false: the page cache is warm already)."""
    figures: dict[str, list[tuple[float, float]]] = {"on": [], "off": []}
    for number in range(0 if warm_up else 1, rounds + 1):
        for mode in (("on", "off") if number % 2 == 0 else ("off", "on")):
            if before is not None:
                before()
            taken = run_on_a_terminal(args if mode == "on" else ["--quiet", *args], env, ok)
            if number:  # round 0 warms the page cache for both
                figures[mode].append(taken)
            print(f"  {name} {mode:3} wall {taken[0]:7.2f} s  cpu {taken[1]:7.2f} s", file=sys.stderr, flush=True)
    row: dict = {"command": name, "rounds": len(figures["on"])}
    for mode in ("on", "off"):
        row[f"{mode}_wall"] = statistics.median(wall for wall, _ in figures[mode])
        row[f"{mode}_cpu"] = statistics.median(cpu for _, cpu in figures[mode])
    row["wall_ratio"] = row["on_wall"] / row["off_wall"]
    row["cpu_ratio"] = row["on_cpu"] / row["off_cpu"]
    return row


def import_csv(folder: Path, rows: int) -> Path:
    """--import-rows issues of the benchmark ledger's model, as a CSV."""
    ledger = ledger_model.Ledger(max(rows, 1000), ledger_model.Ledger.seed)
    return generate.write_csv(folder / "import.csv", ledger_model.ISSUE_HEADER,
                              ledger_model.issue_rows(ledger, 1, rows + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ledger", type=Path, default=generate.sqlite_path(1_000_000),
                        help="the ledger export and db check read (default: the 1,000,000-issue one)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--check-rounds", type=int, help="rounds of db check (default --rounds: minutes each)")
    parser.add_argument("--no-warm-up", dest="warm_up", action="store_false",
                        help="no warm-up run of each (the ledger is in the page cache already)")
    parser.add_argument("--only", choices=("import", "export", "check"), action="append")
    options = parser.parse_args()
    load_before = os.getloadavg()
    chosen = options.only or ["import", "export", "check"]
    with tempfile.TemporaryDirectory(prefix="qiye-progress-cost-") as scratch:
        folder = Path(scratch)
        env = environment(folder)
        results = []
        if "import" in chosen:
            source = import_csv(folder, options.import_rows)
            empty, ledger = folder / "empty.db", folder / "import.db"
            subprocess.run([QIYE, "--db", str(empty), "init"], env=env, check=True, capture_output=True)

            def fresh() -> None:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{ledger}{suffix}").unlink(missing_ok=True)
                shutil.copyfile(empty, ledger)

            results.append(measure(f"import issues ({options.import_rows:,} rows)",
                                   ["--db", str(ledger), "import", "issues", str(source)], env, options.rounds, fresh,
                                   warm_up=options.warm_up))
        if "export" in chosen:
            out = folder / "export.csv"
            results.append(measure("export issues --out", ["--db", str(options.ledger), "export", "issues", "--out",
                                                           str(out), "--force"], env, options.rounds,
                                   warm_up=options.warm_up))
        if "check" in chosen:
            # The benchmark model dates some follow-ups before the history they follow: the check
            # lists them and exits 1, having done all of its work.
            results.append(measure("db check", ["--db", str(options.ledger), "db", "check"], env,
                                   options.check_rounds or options.rounds, ok=(0, 1), warm_up=options.warm_up))
    load_after = os.getloadavg()
    print(f"\nProgress on (a terminal) vs off (--quiet), {options.ledger.name}, medians of the rounds; "
          f"{os.cpu_count()} cores, load average {load_before[0]:.1f} before, {load_after[0]:.1f} after:\n")
    print("| command | rounds | on, wall s | off, wall s | on/off | on, CPU s | off, CPU s | on/off |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in results:
        print(f"| {row['command']} | {row['rounds']} | {row['on_wall']:.2f} | {row['off_wall']:.2f} | {row['wall_ratio']:.3f} "
              f"| {row['on_cpu']:.2f} | {row['off_cpu']:.2f} | {row['cpu_ratio']:.3f} |")


if __name__ == "__main__":
    main()
