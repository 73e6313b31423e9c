"""Reports on a cold page cache (issue 24): each command against `cat` of the ledger, both cold.

    .venv/bin/python benchmarks/cold.py                                  # both 1M SQLite ledgers
    .venv/bin/python benchmarks/cold.py --ledger benchmarks/data/ledger-1m-shuffled.db --runs 3
    .venv/bin/python benchmarks/cold.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/qiye_bench_1m

Before every cold run, the command's and the baseline's alike, the ledger's pages are evicted
from the page cache: os.posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) on the database file and
its -wal and -shm (no root needed). Each round times `cat` of the ledger file cold, then the
command cold, pair by pair; a figure is the median over the rounds of each pair's ratio (a busy
disk slows a pair's two runs alike), target ≤ 2×. Warm, after one discarded round:
`report summary --year Y --by category` against `sqlite3` grouping the same rows by category
and status in a bare table (a copy of the issue table, every column, no index), target ≤ 3×,
and each cold command's warm time beside `cat` warm.

On PostgreSQL (`--pg URL`, no target): the server's shared buffers are flushed by reading a
table larger than them through an index (a sequential scan of a big table uses a small ring
and leaves the buffers alone), then the database's relation files under the data directory
get the same posix_fadvise; the baseline is `cat` of those files. The server is not restarted.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

QIYE = str(Path(sys.executable).parent / "qiye")
YEAR = 2023


def commands(year: int) -> list[tuple[str, list[str]]]:
    return [
        (f"report summary --year {year}", ["report", "summary", "--year", str(year)]),
        ("report weekly", ["report", "weekly"]),
        ("report overdue", ["report", "overdue"]),
        ("report trend", ["report", "trend"]),
        ("issue list --overdue --limit 50", ["issue", "list", "--overdue", "--limit", "50"]),
    ]


# --- eviction -------------------------------------------------------------------------------


def drop(paths: list[Path]) -> None:
    """Evict the files' pages from the page cache (clean pages only: the ledgers are checkpointed)."""
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


class SqliteLedger:
    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self.target = str(self.path)
        self.name = self.path.name

    def files(self) -> list[Path]:
        return [self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")]

    def evict(self) -> None:
        drop(self.files())

    def cat(self) -> list[str]:
        return ["cat", str(self.path)]

    def bare(self, year: int) -> list[str]:
        """sqlite3 grouping the year's rows by category and status in a bare table: a copy of the
        issue table, every column, no index, in id order, built once beside the ledger."""
        bare = self.path.with_name(self.path.stem + "-issue-copy.db")
        if not bare.exists():
            subprocess.run(["sqlite3", str(bare), f"ATTACH '{self.path}' AS l; CREATE TABLE bare AS "
                            "SELECT * FROM l.issue ORDER BY id;"], check=True)
        return ["sqlite3", str(bare), "SELECT category_id, status, count(*) FROM bare WHERE reported_on BETWEEN "
                f"'{year}-01-01' AND '{year}-12-31' GROUP BY category_id, status;"]


class PgLedger:
    def __init__(self, url: str) -> None:
        self.url = url
        self.target = url
        self.name = url.rpartition("/")[2]
        self.dsn = url.replace("postgresql+psycopg://", "postgresql://")
        self.paths = self._relation_files()

    def _query(self, sql: str, dsn: str | None = None) -> list[tuple]:
        import psycopg

        with psycopg.connect(dsn or self.dsn, autocommit=True) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description is not None else []

    def _relation_files(self) -> list[Path]:
        (data,), = self._query("SHOW data_directory")
        rows = self._query("SELECT pg_relation_filepath(oid) FROM pg_class WHERE pg_relation_filepath(oid) IS NOT NULL "
                           "AND relkind IN ('r', 'i', 't', 'm') AND relname NOT LIKE 'qiye_cold%'")
        files = []
        for (relative,) in rows:
            base = Path(data) / relative
            files += [p for p in base.parent.glob(base.name + "*") if p.name.split(".")[0].split("_")[0] == base.name]
        return sorted(set(files))

    def _flush_shared_buffers(self) -> None:
        """Fill shared_buffers with another table's pages, read through an index (normal buffer
        strategy); made once, 1.5× shared_buffers, in the postgres database."""
        server = self.dsn.rpartition("/")[0] + "/postgres"
        (blocks,), = self._query("SELECT setting::bigint FROM pg_settings WHERE name = 'shared_buffers'", server)
        rows = int(blocks) * 8192 * 3 // 2 // 1000  # about 1 KB a row with its padding
        import psycopg

        with psycopg.connect(server, autocommit=True) as conn:
            have = conn.execute("SELECT to_regclass('qiye_cold_flush') IS NOT NULL").fetchone()[0]
            if not have:
                conn.execute("CREATE TABLE qiye_cold_flush(id int PRIMARY KEY, pad text)")
                conn.execute(f"INSERT INTO qiye_cold_flush SELECT g, repeat('x', 900) FROM generate_series(1, {rows}) g")
            conn.execute("SET enable_seqscan = off; SET enable_bitmapscan = off")
            conn.execute("SELECT sum(length(pad)) FROM qiye_cold_flush WHERE id > 0").fetchone()

    def evict(self) -> None:
        self._flush_shared_buffers()
        drop(self.paths)

    def cat(self) -> list[str]:
        return ["cat", *map(str, self.paths)]

    def bare(self, year: int) -> list[str]:
        have = self._query("SELECT to_regclass('qiye_cold_issue_copy') IS NOT NULL")[0][0]
        if not have:
            self._query("CREATE TABLE qiye_cold_issue_copy AS SELECT * FROM issue ORDER BY id")
            self._query("ANALYZE qiye_cold_issue_copy")
        return ["psql", "-X", "-q", "-d", self.dsn, "-c",
                "SELECT category_id, status, count(*) FROM qiye_cold_issue_copy WHERE reported_on BETWEEN "
                f"'{year}-01-01' AND '{year}-12-31' GROUP BY category_id, status"]


# --- timing ---------------------------------------------------------------------------------


CPU: dict[str, list[float]] = {}  # warm rounds' CPU seconds (user + system), by figure


def timed(argv: list[str], env: dict[str, str], cpu: str | None = None) -> float:
    """Wall-clock seconds; with `cpu`, the child's CPU seconds are kept under that name (on a
    machine whose cores are shared, the steadier of the two for warm runs)."""
    started = time.perf_counter()
    with subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as process:
        errors = process.stderr.read() if process.stderr else b""
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {process.returncode}:\n{errors.decode()[-2000:]}")
    if cpu is not None:
        CPU.setdefault(cpu, []).append(usage.ru_utime + usage.ru_stime)
    return elapsed


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def measure(ledger: SqliteLedger | PgLedger, *, runs: int, year: int, env: dict[str, str], cold_only: bool,
            warm_only: bool, program: list[str], warm_commands: bool = True) -> list[str]:
    lines = []
    cases = commands(year)
    qiye = [[*program, "--db", ledger.target, *args] for _, args in cases]
    if not warm_only:
        pairs: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in cases}
        for round_ in range(runs):
            for (name, _), argv in zip(cases, qiye, strict=True):
                ledger.evict()
                base = timed(ledger.cat(), env)
                ledger.evict()
                took = timed(argv, env)
                pairs[name].append((took, base))
                print(f"  [{ledger.name} round {round_ + 1}] {name}: {took:.2f}s cold, cat {base:.2f}s "
                      f"({took / base:.2f}×)", file=sys.stderr, flush=True)
        for name, _ in cases:
            took = statistics.median(t for t, _ in pairs[name])
            base = statistics.median(b for _, b in pairs[name])
            ratio = statistics.median(t / b for t, b in pairs[name])
            target = "" if isinstance(ledger, PgLedger) else (" ✔" if ratio <= 2 else " ✘")
            lines.append(f"| {ledger.name} | {name}, cold | {took:.2f} s | {base:.2f} s: `cat` cold | "
                         f"{ratio:.2f}×{'' if isinstance(ledger, PgLedger) else ' (≤ 2×)'}{target} |")
    if not cold_only:
        by_category = [*program, "--db", ledger.target, "report", "summary", "--year", str(year), "--by", "category"]
        bare = ledger.bare(year)
        warm = {"by": [], "bare": [], "cat": [], **{name: [] for name, _ in cases if warm_commands}}
        CPU.clear()
        for round_ in range(runs + 1):  # the first round warms the cache and is discarded
            keep = "" if round_ else "discarded "
            samples = {"by": timed(by_category, env, keep + "by"), "bare": timed(bare, env, keep + "bare"),
                       "cat": timed(ledger.cat(), env)}
            for (name, _), argv in zip(cases, qiye, strict=True):
                if warm_commands:
                    samples[name] = timed(argv, env)
            if round_:
                for key, value in samples.items():
                    warm[key].append(value)
        med = {key: statistics.median(values) for key, values in warm.items()}
        ratio = statistics.median(a / b for a, b in zip(warm["by"], warm["bare"], strict=True))
        cpu = statistics.median(CPU["by"]) / statistics.median(CPU["bare"])
        target = "" if isinstance(ledger, PgLedger) else (" ✔" if ratio <= 3 else " ✘")
        shell = "psql" if isinstance(ledger, PgLedger) else "sqlite3"
        # psql's CPU time is the client's; the server's work is out of its sight.
        cpu_note = "" if isinstance(ledger, PgLedger) else (
            f"; CPU {statistics.median(CPU['by']):.2f} s against {statistics.median(CPU['bare']):.2f} s, {cpu:.2f}×")
        lines.append(f"| {ledger.name} | report summary --year {year} --by category, warm | {med['by']:.2f} s | "
                     f"{med['bare']:.2f} s: {shell} grouping the rows by category and status in a bare table | "
                     f"{ratio:.2f}×{'' if isinstance(ledger, PgLedger) else ' (≤ 3×)'}{target}{cpu_note} |")
        for name, _ in cases if warm_commands else []:
            lines.append(f"| {ledger.name} | {name}, warm | {med[name]:.2f} s | {med['cat']:.2f} s: `cat` warm | "
                         f"{med[name] / med['cat']:.2f}× |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ledger", action="append", help="a SQLite ledger (default: ledger-1m.db and "
                        "ledger-1m-shuffled.db in benchmarks/data)")
    parser.add_argument("--pg", action="append", default=[], help="a PostgreSQL ledger's URL")
    parser.add_argument("--runs", type=int, default=3, help="rounds (medians; default 3)")
    parser.add_argument("--year", type=int, default=YEAR)
    parser.add_argument("--cold-only", action="store_true")
    parser.add_argument("--warm-only", action="store_true")
    parser.add_argument("--no-warm-commands", action="store_true",
                        help="warm, only the summary against the bare table (not the five commands beside cat)")
    parser.add_argument("--qiye", default=QIYE, help="the command that runs qiye (default: this venv's "
                        "console script; e.g. another checkout's: 'env PYTHONPATH=…/src python -m qiye_service')")
    args = parser.parse_args()
    ledgers: list[SqliteLedger | PgLedger] = []
    paths = args.ledger if args.ledger is not None else ([] if args.pg else [
        str(generate.sqlite_path(1_000_000)), str(generate.sqlite_path(1_000_000, shuffled=True))])
    ledgers += [SqliteLedger(path) for path in paths]
    ledgers += [PgLedger(url) for url in args.pg]
    work = generate.DATA / "build-cold"
    work.mkdir(parents=True, exist_ok=True)
    env = generate.qiye_env(work)
    started = time.perf_counter()
    print(f"load average at start: {load()}", file=sys.stderr, flush=True)
    lines = ["| ledger | figure | qiye | baseline | ratio |", "|---|---|---|---|---|"]
    for ledger in ledgers:
        lines += measure(ledger, runs=args.runs, year=args.year, env=env, cold_only=args.cold_only,
                         warm_only=args.warm_only, program=shlex.split(args.qiye),
                         warm_commands=not args.no_warm_commands)
    print(f"{date.today()}: median of {args.runs} rounds, {time.perf_counter() - started:.0f} s in all; "
          f"load average {load()} at the end\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
