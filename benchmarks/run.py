"""Measure every figure of issue 7 beside its baseline, each the median of several runs.

    .venv/bin/python benchmarks/run.py               # SQLite, 1,000,000 issues (builds missing ledgers)
    .venv/bin/python benchmarks/run.py --quick       # SQLite, 100,000 issues
    .venv/bin/python benchmarks/run.py --pg          # PostgreSQL on this machine (no targets yet)
    .venv/bin/python benchmarks/run.py --readme      # ... and write the tables into benchmarks/README.md
                                                     # and (SQLite, 1,000,000 issues) README.md
    .venv/bin/python benchmarks/run.py --summary     # README.md's table again from benchmarks/README.md's

Only public tools: each command runs as a subprocess, timed with time.perf_counter() and
its peak memory read from os.wait4()'s rusage (ru_maxrss, the child's own high-water mark).
A command and its baseline are measured in the same run, interleaved round by round (with a
discarded warm-up round first), so that a busy machine slows both alike; the figure is the
median of the rounds (for point 2's differences between two ledgers, the median of each
round's difference).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import equivalent_sql as sql  # noqa: E402
import generate  # noqa: E402

ROOT = HERE.parent
OUT = HERE / "out"
BIN = Path(sys.executable).parent
QIYE = str(BIN / "qiye")  # the console script a user runs
PYTHON = sys.executable
TODAY = date(2026, 11, 27)  # generate.NOW
YEAR = 2025
CATEGORY = "fire-acceptance"
# Rounds for `issue list` and `issue show`: their data-dependent time is a few milliseconds,
# the difference of two half-second processes whose run-to-run spread is ±15 ms here.
FAST_ROUNDS = 101
SEARCH = "消防"


# --- running and timing ---------------------------------------------------------------------


@dataclass
class Sample:
    seconds: float  # wall clock
    cpu: float  # the child's user + system time: far less disturbed by other work on the machine
    peak_mb: float


@dataclass
class Case:
    """One command line to time; `setup` runs before each run, outside the timing."""

    name: str
    argv: list[str]
    env: dict[str, str] | None = None
    setup: Callable[[], None] | None = None
    stdin: str | None = None
    samples: list[Sample] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def peak_mb(self) -> float:
        return statistics.median(s.peak_mb for s in self.samples)


# Linux starts a child's peak-memory count at its parent's size when it forks, so the child's
# own ru_maxrss from wait4() is only right for a small parent; /usr/bin/time (a small parent
# itself) reports the command's own peak.
TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run_once(case: Case, env: dict[str, str]) -> Sample:
    if case.setup is not None:
        case.setup()
    with tempfile.TemporaryFile() as errors, tempfile.NamedTemporaryFile("r") as peak, \
            open(case.stdin or os.devnull, "rb") as stdin:
        argv = [TIME, "-f", "%M", "-o", peak.name, *case.argv] if TIME else case.argv
        started = time.perf_counter()
        process = subprocess.Popen(argv, env=case.env or env, stdin=stdin, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{case.name}: {' '.join(case.argv)} exited {process.returncode}:\n"
                             f"{errors.read().decode(errors='replace')[-2000:]}")
        peak_kb = int(peak.read().split()[-1]) if TIME else usage.ru_maxrss
    return Sample(elapsed, usage.ru_utime + usage.ru_stime, peak_kb / 1024)


def paired_difference(a: Case, b: Case, value: str = "seconds") -> float:
    """The median of the rounds' differences a − b. Every round runs both within a second or two,
    so whatever slows the machine for a while slows both: for a difference of a few milliseconds
    between two half-second commands it is steadier than the difference of the two medians."""
    return statistics.median(getattr(x, value) - getattr(y, value) for x, y in zip(a.samples, b.samples, strict=True))


def fresh_copy(template: str, path: Path) -> Callable[[], None]:
    """A setup that puts a copy of the SQLite ledger `template` at `path`, with no WAL left over
    from the last run to be replayed into it."""

    def setup() -> None:
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, path)

    return setup


def measure(cases: list[Case], runs: int, env: dict[str, str]) -> None:
    """Warm up once, then `runs` rounds of every case, each round starting at another case."""
    for case in cases:
        run_once(case, env)
    for round_ in range(runs):
        for index in range(len(cases)):
            case = cases[(index + round_) % len(cases)]
            case.samples.append(run_once(case, env))


# --- the figures ----------------------------------------------------------------------------


@dataclass
class Figure:
    point: str  # issue 7's point
    name: str
    value: float
    baseline: float
    baseline_name: str
    unit: str = "s"
    limit: float | None = None  # the target on value/baseline
    note: str = ""
    cpu_value: float | None = None  # the same figure in CPU seconds, where it is a time
    cpu_baseline: float | None = None

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("inf")

    @property
    def cpu_ratio(self) -> float | None:
        if self.cpu_value is None or not self.cpu_baseline:
            return None
        return self.cpu_value / self.cpu_baseline

    @property
    def ok(self) -> bool | None:
        return None if self.limit is None else self.ratio <= self.limit


def shell(backend: str, target: str, script: str, workdir: Path, name: str, *, csv: bool = False) -> list[str]:
    """The sqlite3 or psql command line that runs `script` on the ledger."""
    path = workdir / f"{name}.sql"
    path.write_text(script)
    if backend == "sqlite":
        return ["sqlite3", *(["-csv", "-header"] if csv else []), "-bail", target, f".read {path}"]
    return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", *(["--csv"] if csv else []), "-d", psql_url(target),
            "-f", str(path)]


def psql_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def ladder(as_of: date) -> sql.Ladder:
    """The escalation cut-offs the reports use for `as_of` (the default thresholds)."""
    from qiye_service.services.supervision import Thresholds, level_cutoffs
    from qiye_service.workdays import WorkingCalendar

    cutoffs = level_cutoffs(as_of, WorkingCalendar(), Thresholds())
    return sql.Ladder(cutoffs.as_of, cutoffs.red_before, cutoffs.due_soon_until)


class Bench:
    def __init__(self, *, backend: str, large: int, small: int, flat: int, runs: int, work: Path) -> None:
        self.backend = backend
        self.dialect = sql.Dialect(backend)
        self.large, self.small, self.flat = large, small, flat
        self.runs = runs
        self.work = work
        self.env = generate.qiye_env(work)
        self.figures: list[Figure] = []
        self.commands: list[str] = []  # --command: only the point-2 commands whose name has one of these
        pg = backend == "postgresql"
        for issues in sorted({large, small, flat}):
            # In a process of its own: the runner stays small (see TIME above).
            subprocess.run([PYTHON, str(HERE / "generate.py"), "--issues", str(issues), *(["--pg"] if pg else [])],
                           check=True, stdout=subprocess.DEVNULL)
        self.ledgers = {n: generate.pg_url(n) if pg else str(generate.sqlite_path(n))
                        for n in sorted({large, small, flat})}

    def db(self, issues: int) -> str:
        return self.ledgers[issues]

    def qiye(self, issues: int | str, *args: str) -> list[str]:
        target = self.db(issues) if isinstance(issues, int) else issues
        return [QIYE, "--db", target, *args]

    def label(self, issues: int) -> str:
        return generate.label(issues)

    def add(self, figure: Figure) -> None:
        if self.backend == "postgresql" and self.shell_name in figure.baseline_name:
            # The server does psql's work, out of sight of a client's rusage: no CPU ratio.
            figure.cpu_value = figure.cpu_baseline = None
        self.figures.append(figure)
        ok = {True: "ok", False: "MISSED", None: ""}[figure.ok]
        cpu = f" (cpu {figure.cpu_ratio:.2f}x)" if figure.cpu_ratio is not None else ""
        print(f"  {figure.name}: {figure.value:.3f}{figure.unit} vs {figure.baseline:.3f}{figure.unit} "
              f"({figure.baseline_name}) = {figure.ratio:.2f}x{cpu} {ok}", file=sys.stderr, flush=True)

    # point 2 ---------------------------------------------------------------------------------

    def data_dependent(self) -> None:
        """Time on the large ledger minus time on the small one, against the shell on the large one."""
        d, big, small = self.dialect, self.large, self.small
        year_end = date(YEAR, 12, 31)
        monday = TODAY - timedelta(days=TODAY.weekday())
        commands = [
            ("report summary --year Y --by category",
             ["report", "summary", "--year", str(YEAR), "--by", "category"],
             sql.summary(d, since=date(YEAR, 1, 1), until=year_end, ladder=ladder(year_end))),
            ("report weekly", ["report", "weekly"],
             sql.weekly(d, monday=monday, sunday=monday + timedelta(days=6), ladder=ladder(TODAY))),
            ("report overdue", ["report", "overdue"], sql.overdue(d, ladder=ladder(TODAY))),
            ("report scorecard --year Y", ["report", "scorecard", "--year", str(YEAR)],
             sql.scorecard(d, since=date(YEAR, 1, 1), until=year_end)),
            ("issue list --status open --category C --limit 50",
             ["issue", "list", "--status", "open", "--category", CATEGORY, "--limit", "50"],
             sql.issue_list(d, status="open", category=CATEGORY, limit=50)),
            ("issue show ID", ["issue", "show", "{id}"], sql.issue_show(d, issue_id=self.comparable_issue(big))),
        ]
        for index, (name, args, script) in enumerate(commands):
            if self.commands and not any(wanted in name for wanted in self.commands):
                continue

            def on(issues: int, args: list[str] = args) -> list[str]:
                return self.qiye(issues, *(a.replace("{id}", str(self.comparable_issue(issues))) for a in args))

            cases = [Case("large", on(big)), Case("small", on(small)),
                     Case("shell", shell(self.backend, self.db(big), script, self.work, f"p2-{index}"))]
            # A list the small ledger cannot fill prints fewer rows there: the large ledger
            # listing as many rows as the small one prints tells the size of the data apart
            # from the size of the table printed.
            shown = self.rows_listed(small, args) if "--limit" in args else None
            if shown is not None:
                limit = args.index("--limit") + 1
                cases.append(Case("large, as many rows", on(big, [*args[:limit], str(shown), *args[limit + 1:]])))
            # A command that reads a handful of rows differs between the ledgers by milliseconds,
            # well inside the start-up's noise: it takes more rounds to find its median.
            fast = args[0] == "issue"
            measure(cases, max(self.runs, FAST_ROUNDS) if fast else self.runs, self.env)
            large, small_, base = cases[:3]
            self.add(Figure("2", f"{name}: time({self.label(big)}) − time({self.label(small)})",
                            paired_difference(large, small_), base.seconds,
                            f"{self.shell_name} on {self.label(big)}", limit=1.5 if self.targets else None,
                            note=f"{self.label(big)} {large.seconds:.3f}s, {self.label(small)} {small_.seconds:.3f}s",
                            cpu_value=paired_difference(large, small_, "cpu"), cpu_baseline=base.cpu))
            if shown is not None:
                same = cases[3]
                self.add(Figure("2", f"the same with --limit {shown} on {self.label(big)}, the {shown} rows "
                                     f"{self.label(small)} has: time({self.label(big)}) − time({self.label(small)})",
                                paired_difference(same, small_), base.seconds, f"{self.shell_name} on {self.label(big)}",
                                note=f"no target: the data's share without the table's; {self.label(big)} "
                                     f"{same.seconds:.3f}s",
                                cpu_value=paired_difference(same, small_, "cpu"), cpu_baseline=base.cpu))

    def rows_listed(self, issues: int, args: list[str]) -> int:
        """How many rows `qiye issue list …` prints on a ledger."""
        listed = subprocess.run(self.qiye(issues, *args, "--format", "csv"), env=self.env, check=True,
                                capture_output=True, text=True).stdout
        return sum(1 for _ in csv.reader(io.StringIO(listed))) - 1

    @property
    def shell_name(self) -> str:
        return "sqlite3" if self.backend == "sqlite" else "psql"

    @property
    def targets(self) -> bool:
        return self.backend == "sqlite"

    # point 3 ---------------------------------------------------------------------------------

    def search(self) -> None:
        listing = ["issue", "list", "--limit", "50"]
        cases = [Case("search", self.qiye(self.large, *listing, "--search", SEARCH)),
                 Case("plain", self.qiye(self.large, *listing))]
        measure(cases, max(self.runs, 9), self.env)
        self.add(Figure("3", f"issue list --search {SEARCH} --limit 50 ({self.label(self.large)})",
                        cases[0].seconds, cases[1].seconds, "the same listing without --search",
                        limit=2.0 if self.targets else None, cpu_value=cases[0].cpu, cpu_baseline=cases[1].cpu))

    # point 4 ---------------------------------------------------------------------------------

    def add_issue(self) -> None:
        empty = self.empty_ledger()
        enterprise = self.first_enterprise()
        qiye_cli = [QIYE, "--db", empty, "enterprise", "add", enterprise]
        subprocess.run(qiye_cli, env=self.env, check=True, capture_output=True)
        args = ["issue", "add", "二期厂房消防验收未通过", "-e", enterprise, "-c", "消防验收", "--dept", "消防救援大队",
                "--owner", "王强", "--due", "+10wd", "--desc", "消防车道宽度不足，需调整总平面布置"]
        subprocess.run([QIYE, "--db", empty, "department", "add", "消防救援大队"], env=self.env, capture_output=True)
        before = self.max_issue_id()
        cases = [Case("large", self.qiye(self.large, *args)), Case("empty", self.qiye(empty, *args))]
        try:
            measure(cases, max(self.runs, 9), self.env)
        finally:
            self.remove_issues_after(before)
        self.add(Figure("4", f"issue add ({self.label(self.large)})", cases[0].seconds, cases[1].seconds,
                        "issue add on an empty ledger", limit=1.1 if self.targets else None,
                        cpu_value=cases[0].cpu, cpu_baseline=cases[1].cpu))

    def empty_ledger(self) -> str:
        if self.backend == "sqlite":
            path = self.work / "empty.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            subprocess.run([QIYE, "--db", str(path), "init"], env=self.env, check=True, capture_output=True)
            return str(path)
        url = f"{generate.PG_SERVER}/qiye_bench_empty"
        generate.prepare_pg(url)
        subprocess.run([QIYE, "--db", url, "init"], env=self.env, check=True, capture_output=True)
        return url

    def query(self, statement: str, target: str | None = None) -> list[tuple]:
        target = target or self.db(self.large)
        if self.backend == "sqlite":
            import sqlite3

            # Closed here, not whenever the collector gets to it: closing the last connection
            # checkpoints the WAL under an exclusive lock, and a shell timed meanwhile would find
            # the ledger locked.
            with closing(sqlite3.connect(target)) as conn:
                return conn.execute(statement).fetchall()
        import psycopg

        with psycopg.connect(psql_url(target)) as conn:
            return conn.execute(statement).fetchall()

    def comparable_issue(self, issues: int) -> int:
        """An issue that looks the same on every ledger size, for `issue show`: resolved, five
        events, no tags, from the second half of the ids (the ledgers differ in their dates)."""
        found = self.query(
            "SELECT i.id FROM issue i WHERE i.id >= "
            f"{issues // 2} AND i.status = 'resolved' "
            "AND (SELECT count(*) FROM event e WHERE e.issue_id = i.id) = 5 "
            "AND NOT EXISTS (SELECT 1 FROM issue_tag t WHERE t.issue_id = i.id) ORDER BY i.id LIMIT 1",
            self.db(issues))
        return int(found[0][0])

    def first_enterprise(self) -> str:
        return self.query("SELECT name FROM enterprise ORDER BY id LIMIT 1")[0][0]

    def max_issue_id(self) -> int:
        return self.query("SELECT max(id) FROM issue")[0][0]

    def remove_issues_after(self, last: int) -> None:
        """Put the large ledger back as it was: the benchmark's own issues go again."""
        statements = [f"DELETE FROM {table} WHERE issue_id > {last}" for table in ("event", "issue_tag")]
        statements.append(f"DELETE FROM issue WHERE id > {last}")
        if self.backend == "sqlite":
            import sqlite3

            with closing(sqlite3.connect(self.db(self.large))) as conn, conn:
                for statement in statements:
                    conn.execute(statement)
        else:
            import psycopg

            with psycopg.connect(psql_url(self.db(self.large))) as conn:
                for statement in statements:
                    conn.execute(statement)

    # point 5 ---------------------------------------------------------------------------------

    def export(self) -> None:
        script = sql.export_issues(self.dialect)
        if self.backend == "sqlite":
            baseline = ["sqlite3", "-csv", "-header", self.db(self.large), script]
        else:
            baseline = ["psql", "-X", "-q", "-d", psql_url(self.db(self.large)), "-c",
                        f"\\copy ({script}) TO STDOUT WITH (FORMAT csv, HEADER)"]
        cases = [Case("large", self.qiye(self.large, "export", "issues", "--format", "csv")),
                 Case("shell", baseline),
                 Case("flat", self.qiye(self.flat, "export", "issues", "--format", "csv"))]
        measure(cases, self.runs, self.env)
        large, base, flat = cases
        self.add(Figure("5", f"export issues --format csv ({self.label(self.large)})", large.seconds, base.seconds,
                        f"{self.shell_name} csv of the same join", limit=4.0 if self.targets else None,
                        cpu_value=large.cpu, cpu_baseline=base.cpu))
        self.add(Figure("5", f"export peak memory ({self.label(self.large)})", large.peak_mb, 100.0,
                        "the 100 MB budget", unit=" MB", limit=1.0 if self.targets else None))
        self.add(Figure("5", f"export peak memory, {self.label(self.large)} vs {self.label(self.flat)}",
                        large.peak_mb, flat.peak_mb, f"the same export of {self.label(self.flat)}", unit=" MB",
                        limit=1.1 if self.targets else None, note="streaming: flat as the ledger grows"))

    # point 6 ---------------------------------------------------------------------------------

    def import_(self) -> None:
        source = self.work / "import.csv"
        if not source.exists():
            with source.open("wb") as out:
                subprocess.run(self.qiye(self.flat, "export", "issues", "--format", "csv"), env=self.env,
                               check=True, stdout=out)
        rows = sum(1 for _ in open(source, encoding="utf-8")) - 1  # noqa: SIM115 - a rough count is fine
        if self.backend == "sqlite":
            template = self.empty_ledger()
            target = self.work / "import-target.db"
            bare = self.work / "bare.db"

            fresh_target = fresh_copy(template, target)

            def fresh_bare() -> None:
                bare.unlink(missing_ok=True)

            cases = [Case("qiye", [QIYE, "--db", str(target), "import", "issues", str(source)], setup=fresh_target),
                     Case("shell", ["sqlite3", str(bare), f".import --csv {source} issues_raw"], setup=fresh_bare)]
        else:
            template = self.empty_ledger()
            target = f"{generate.PG_SERVER}/qiye_bench_import"
            bare = f"{generate.PG_SERVER}/qiye_bench_bare"
            header = source.open(encoding="utf-8").readline().strip().split(",")
            columns = ", ".join(f'"{name}" text' for name in header)

            def fresh_target() -> None:
                recreate(target, template=template.rpartition("/")[2])

            def fresh_bare() -> None:
                recreate(bare)
                subprocess.run(["psql", "-X", "-q", "-d", psql_url(bare), "-c", f"CREATE TABLE issues_raw ({columns})"],
                               check=True)

            cases = [Case("qiye", [QIYE, "--db", target, "import", "issues", str(source)], setup=fresh_target),
                     Case("shell", ["psql", "-X", "-q", "-d", psql_url(bare), "-c",
                                    f"\\copy issues_raw FROM '{source}' WITH (FORMAT csv, HEADER)"], setup=fresh_bare)]
        if self.backend == "sqlite":
            cases.append(self.storage_floor(template, target))
        measure(cases, self.runs, self.env)
        self.add(Figure("6", f"import issues, {self.label(self.flat)}-row CSV", cases[0].seconds, cases[1].seconds,
                        f"{self.shell_name} {'.import' if self.backend == 'sqlite' else chr(92) + 'copy'} "
                        "into a bare table", note=f"{rows} lines; no target: the 5× .import target is retired",
                        cpu_value=cases[0].cpu, cpu_baseline=cases[1].cpu))
        if len(cases) > 2:
            floor = cases[2]
            # The import target: at most 2× the storage floor (the product decision that retired 5× .import).
            self.add(Figure("6", "import issues, beside the storage work alone", cases[0].seconds, floor.seconds,
                            "sqlite3 writing the same rows into qiye's schema", limit=2.0 if self.targets else None,
                            cpu_value=cases[0].cpu, cpu_baseline=floor.cpu))
            self.add(Figure("6", "the storage work alone, beside the bare-table load", floor.seconds,
                            cases[1].seconds, "sqlite3 .import into a bare table",
                            note="no target: the floor under point 6 set by the schema",
                            cpu_value=floor.cpu, cpu_baseline=cases[1].cpu))
        self.add(Figure("6", "import peak memory", cases[0].peak_mb, 300.0, "the 300 MB budget", unit=" MB",
                        limit=1.0 if self.targets else None))

    def storage_floor(self, template: str, target: Path) -> Case:
        """sqlite3 copying what qiye's import wrote (issues, events, tags, enterprises) into a
        fresh ledger in one transaction, the search index filled as qiye fills it: what the
        schema's indexes, history and search index cost with no Python at all."""
        from qiye_service.db import SEARCH_INDEX_SYNC

        source = self.work / "import-source.db"
        if not source.exists():
            fresh_copy(template, target)()
            subprocess.run(self.qiye(str(target), "import", "issues", str(self.work / "import.csv")), env=self.env,
                           check=True, capture_output=True)
            subprocess.run(["sqlite3", str(target), "VACUUM INTO '" + str(source) + "'"], check=True)
        floor = self.work / "floor-target.db"
        tables = ("enterprise", "department", "tag", "issue", "issue_tag", "event")
        script = "\n".join([
            "PRAGMA foreign_keys = ON;", "PRAGMA cache_size = -32768;", f"ATTACH '{source}' AS source;",
            "BEGIN IMMEDIATE;", *(f"INSERT INTO main.{t} SELECT * FROM source.{t};" for t in tables),
            *(f"{statement};" for statement in SEARCH_INDEX_SYNC), "COMMIT;", ""])
        return Case("floor", shell("sqlite", str(floor), script, self.work, "p6-floor"),
                    setup=fresh_copy(template, floor))

    # point 7 ---------------------------------------------------------------------------------

    def report_memory(self) -> None:
        reports = [["report", "summary"], ["report", "summary", "--year", str(YEAR), "--by", "month"],
                   ["report", "weekly"], ["report", "overdue"], ["report", "trend"],
                   ["report", "overdue", "--format", "csv"], ["report", "weekly", "--format", "json"]]
        cases = [Case(" ".join(args), self.qiye(self.large, *args)) for args in reports]
        measure(cases, max(1, self.runs // 2), self.env)
        for case in cases:
            self.add(Figure("7", f"{case.name} peak memory ({self.label(self.large)})", case.peak_mb, 150.0,
                            "the 150 MB budget", unit=" MB", limit=1.0 if self.targets else None,
                            note=f"{case.seconds:.2f}s"))

    # point 8 ---------------------------------------------------------------------------------

    def startup(self) -> None:
        sample = self.sample_ledger()
        cases = [Case("help", [QIYE, "--help"]),
                 Case("floor-help", [PYTHON, "-c", "import typer, rich.table"]),
                 Case("list", [QIYE, "--db", sample, "issue", "list", "--limit", "20"]),
                 Case("floor-list", [PYTHON, "-c", "import typer, rich.table, sqlmodel"])]
        measure(cases, max(self.runs, 15), self.env)
        help_, floor_help, list_, floor_list = cases
        self.add(Figure("8", "qiye --help", help_.seconds, floor_help.seconds, 'python -c "import typer, rich.table"',
                        limit=1.5, cpu_value=help_.cpu, cpu_baseline=floor_help.cpu))
        self.add(Figure("8", "qiye issue list --limit 20 (sample ledger)", list_.seconds, floor_list.seconds,
                        'python -c "import typer, rich.table, sqlmodel"', limit=1.25,
                        cpu_value=list_.cpu, cpu_baseline=floor_list.cpu))
        self.heavy_modules(sample)

    def sample_ledger(self) -> str:
        path = generate.DATA / "sample.db"
        if not path.exists():
            subprocess.run([QIYE, "--db", str(path), "init", "--sample"], env=self.env, check=True,
                           capture_output=True)
        return str(path)

    def heavy_modules(self, sample: str) -> None:
        """Which heavy modules each hot command imports (python -X importtime)."""
        heavy = ("openpyxl", "alembic", "qiye_service.reports", "qiye_service.importers", "qiye_service.render.xlsx",
                 "qiye_service.services.transfer", "holidays", "sqlalchemy", "dateutil", "rich.progress")
        for args in (["--help"], ["--db", sample, "issue", "list", "--limit", "20"],
                     ["--db", sample, "issue", "show", "1"]):
            result = subprocess.run([PYTHON, "-X", "importtime", "-m", "qiye_service", *args], env=self.env,
                                    capture_output=True, text=True)
            loaded = set(re.findall(r"\|\s+([\w.]+)$", result.stderr, re.MULTILINE))
            found = [name for name in heavy if name in loaded]
            print(f"  qiye {' '.join(a for a in args if a != sample and a != '--db')}: loads "
                  f"{', '.join(found) or 'none of them'}", file=sys.stderr)
            self.imports = getattr(self, "imports", {})
            self.imports[" ".join(a for a in args if a not in (sample, "--db"))] = found


def recreate(url: str, template: str | None = None) -> None:
    import psycopg

    server, _, name = psql_url(url).rpartition("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


# --- output ---------------------------------------------------------------------------------


def table(figures: list[Figure]) -> str:
    lines = ["| Point | Figure | qiye | Baseline | Ratio | CPU ratio | Target |", "|---|---|---|---|---|---|---|"]
    for f in figures:
        target = "" if f.limit is None else f"≤ {f.limit:g}×" + (" ✔" if f.ok else " ✘")
        value = f"{f.value * 1000:.0f} ms" if f.unit == "s" else f"{f.value:.0f}{f.unit}"
        base = f"{f.baseline * 1000:.0f} ms" if f.unit == "s" else f"{f.baseline:.0f}{f.unit}"
        note = f" ({f.note})" if f.note else ""
        cpu = "" if f.cpu_ratio is None else f"{f.cpu_ratio:.2f}×"
        lines.append(f"| {f.point} | {f.name}{note} | {value} | {base}: {f.baseline_name} | {f.ratio:.2f}× | {cpu} "
                     f"| {target} |")
    return "\n".join(lines)


def write_readme(mode: str, text: str) -> None:
    readme = HERE / "README.md"
    content = readme.read_text()
    start, end = f"<!-- figures:{mode}:start -->", f"<!-- figures:{mode}:end -->"
    if start not in content:
        content += f"\n{start}\n{end}\n"
    before, rest = content.split(start, 1)
    _, after = rest.split(end, 1)
    readme.write_text(f"{before}{start}\n{text}\n{end}{after}")


# README.md's Benchmarks table: benchmarks/README.md's latest SQLite figures in a user's words
# (what you run, how long it takes, against what), without the work item's point numbers.
SUMMARY_MODE = "sqlite"
SUMMARY_START, SUMMARY_END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"
_DIFFERENCE = re.compile(r"(?P<command>.+?): time\((?P<big>\w+)\) − time\((?P<small>\w+)\) \((?P<note>.*)\)$")
_ANALYSIS = re.compile(r"the (same with|storage work alone)")  # where the time goes: benchmarks/README.md


def summary(stamp: str, detailed: str) -> str:
    """The user's table, from the detailed one `table()` writes (so a fresh run and the figures
    already in benchmarks/README.md give it alike)."""
    mode, _, when = stamp.partition(": ")
    lines = [f"{'SQLite' if mode.startswith('sqlite') else 'PostgreSQL'}, {_plain_sizes(when)}:", "",
             "| You run | qiye | Against | Ratio | Target |", "|---|---|---|---|---|"]
    for row in detailed.splitlines()[2:]:
        _point, figure, value, baseline, ratio, _cpu, target = (cell.strip() for cell in row.strip("|").split(" | "))
        if _ANALYSIS.match(figure):
            continue
        difference = _DIFFERENCE.match(figure)
        if difference:
            total = re.search(rf"{difference['big']} ([\d.]+)s", difference["note"])
            figure = (f"`qiye {difference['command']}`: its time beyond the same on {difference['small']} issues"
                      + (f" ({float(total[1]):.2f} s in all)" if total else ""))
        elif figure.startswith(("report ", "issue ", "export ", "import ")):
            figure = f"qiye {figure}"
        lines.append(f"| {_plain_sizes(figure)} | {value} | {_plain_sizes(baseline)} | {ratio} | {target} |")
    return "\n".join(lines)


def _plain_sizes(text: str) -> str:
    """`1m` and `100k` (ledger sizes, as generate.label writes them) as 1,000,000 and 100,000."""
    return re.sub(r"\b(\d+)([mk])\b", lambda m: f"{int(m[1]) * (1_000_000 if m[2] == 'm' else 1000):,}", text)


def write_summary(text: str) -> None:
    readme = ROOT / "README.md"
    before, rest = readme.read_text().split(SUMMARY_START, 1)
    _, after = rest.split(SUMMARY_END, 1)
    readme.write_text(f"{before}{SUMMARY_START}\n{text}\n{SUMMARY_END}{after}")


def latest(mode: str) -> tuple[str, str]:
    """The stamp and table `--readme` last wrote into benchmarks/README.md for `mode`."""
    content = (HERE / "README.md").read_text()
    block = content.split(f"<!-- figures:{mode}:start -->", 1)[1].split(f"<!-- figures:{mode}:end -->", 1)[0]
    stamp, detailed = block.strip().split("\n\n", 1)
    return stamp, detailed


POINTS = {"2": "data_dependent", "3": "search", "4": "add_issue", "5": "export", "6": "import_",
          "7": "report_memory", "8": "startup"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 issues instead of 1,000,000")
    parser.add_argument("--pg", action="store_true", help="PostgreSQL instead of SQLite (issue 7 point 9)")
    parser.add_argument("--issues", type=int, help="another size of the large ledger (a trial run)")
    parser.add_argument("--runs", type=int, default=5, help="measured runs per command (default 5)")
    parser.add_argument("--only", action="append", choices=sorted(POINTS), help="only these points of issue 7")
    parser.add_argument("--command", action="append", default=[],
                        help="point 2: only the commands whose name contains this (e.g. scorecard)")
    parser.add_argument("--readme", action="store_true", help="write the table into benchmarks/README.md")
    parser.add_argument("--summary", action="store_true",
                        help="measure nothing: write README.md's table from benchmarks/README.md's latest figures")
    args = parser.parse_args()
    if args.summary:
        write_summary(summary(*latest(SUMMARY_MODE)))
        return
    if args.runs < 5:
        print("note: fewer than 5 runs; the README's figures are medians of 5 or more", file=sys.stderr)
    large = args.issues or (100_000 if args.quick else 1_000_000)
    backend = "postgresql" if args.pg else "sqlite"
    mode = ("pg" if args.pg else "sqlite") + ("-quick" if args.quick else "") + (
        f"-{generate.label(args.issues)}" if args.issues else "")
    OUT.mkdir(exist_ok=True)
    work = OUT / f"work-{mode}"
    work.mkdir(exist_ok=True)
    started = time.perf_counter()
    # As pip leaves an installed wheel: every module byte-compiled (outside the timings).
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "src" / "qiye_service")], check=True,
                   env=generate.qiye_env(work), stdout=subprocess.DEVNULL)
    bench = Bench(backend=backend, large=large, small=1000, flat=max(1000, large // 10), runs=args.runs, work=work)
    bench.commands = args.command
    for point in args.only or sorted(POINTS):
        if point == "8" and args.pg:
            continue  # start-up does not touch the database
        print(f"point {point}:", file=sys.stderr, flush=True)
        getattr(bench, POINTS[point])()
    text = table(bench.figures)
    stamp = (f"{mode}: {generate.label(large)} issues, median of {args.runs} runs, "
             f"{time.strftime('%Y-%m-%d %H:%M')} ({time.perf_counter() - started:.0f}s in all)")
    print(f"\n{stamp}\n\n{text}")
    results = {"mode": mode, "stamp": stamp, "figures": [asdict(f) | {"ratio": f.ratio, "cpu_ratio": f.cpu_ratio,
                                                                      "ok": f.ok}
                                                         for f in bench.figures],
               "imports": getattr(bench, "imports", {})}
    (OUT / f"results-{mode}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    if args.readme:
        write_readme(mode, f"{stamp}\n\n{text}")
        if mode == SUMMARY_MODE:
            write_summary(summary(stamp, text))


if __name__ == "__main__":
    main()
