"""Build a realistic ledger of N issues through qiye's own import, for the benchmarks.

    .venv/bin/python benchmarks/generate.py                    # 1,000,000 issues, SQLite
    .venv/bin/python benchmarks/generate.py --issues 100000    # 100k
    .venv/bin/python benchmarks/generate.py --pg               # the same into PostgreSQL
    .venv/bin/python benchmarks/generate.py --shuffled         # ids shuffled against the dates

About 1 enterprise per 100 issues; issues reported 2019-01-01 to 2026-11-27, 75% resolved
(older ones more often); dispatches, acknowledgements, escalations and callbacks as an office
records them; 3–6 events per issue. The rows come from ledger_model (deterministic for a
seed) and are written as CSV files of CHUNK rows in the export format, each loaded by
`qiye import issues` in its own process and transaction, while the next file is written.
The import writes the `imported` event and one per supervision fact; follow-up notes
(comments) then bring each issue to its 3–6 events, chained with the project's own
services.history.event_hash in one bulk insert. Last, `qiye db seal` records a ledger seal.

A built ledger is kept (benchmarks/data/, git-ignored) with a .json note of its size and
build time, and reused until --force.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import ledger_model  # noqa: E402

DATA = HERE / "data"
CHUNK = 100_000
PG_SERVER = os.environ.get("QIYE_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
# The clock the ledger was generated for: every benchmark runs at this moment.
NOW = "2026-11-27T10:00:00+08:00"


def label(issues: int) -> str:
    if issues % 1_000_000 == 0:
        return f"{issues // 1_000_000}m"
    if issues % 1000 == 0:
        return f"{issues // 1000}k"
    return str(issues)


def sqlite_path(issues: int, shuffled: bool = False) -> Path:
    return DATA / f"ledger-{label(issues)}{'-shuffled' if shuffled else ''}.db"


def pg_url(issues: int, shuffled: bool = False) -> str:
    return f"{PG_SERVER}/qiye_bench_{label(issues)}{'_shuffled' if shuffled else ''}"


def qiye_env(workdir: Path) -> dict[str, str]:
    """A pinned clock and a config dir of our own: nobody's settings change the figures.

    Python may write byte code, as it has for a wheel pip installed: a shell that forbids it
    would have every run compile qiye's modules again.
    """
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("QIYE_") and key != "PYTHONDONTWRITEBYTECODE"}
    env.update(QIYE_NOW=NOW, QIYE_USER="benchmark", QIYE_LANG="en", QIYE_CONFIG_DIR=str(workdir / "config"),
               NO_COLOR="1", LANG="C.UTF-8")
    return env


def qiye(db: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "qiye_service", "--db", db, *args], env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"qiye {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result


def write_csv(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]] | object) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)  # type: ignore[arg-type]
    return path


def write_issue_chunk(issues: int, seed: int, start: int, stop: int, path: str) -> str:
    ledger = ledger_model.Ledger(issues, seed)
    write_csv(Path(path), ledger_model.ISSUE_HEADER, ledger_model.issue_rows(ledger, start, stop))
    return path


def write_shuffled_chunk(issues: int, seed: int, start: int, stop: int, path: str) -> str:
    """Ids `start`..`stop - 1` of a ledger whose ids are shuffled against the dates (issue 24): id k
    is the model's issue number perm[k - 1] under its new id, as when `qiye import` reads a CSV
    whose rows are not in date order (districts' ledgers merged, years of sheets back-filled).
    The rows are the same as the ordered ledger's, so every count matches it."""
    import random

    ledger = ledger_model.Ledger(issues, seed)
    perm = list(range(1, issues + 1))
    random.Random(seed + 24).shuffle(perm)
    rows = ledger_model.issue_rows(ledger, numbers=perm[start - 1:stop - 1])
    write_csv(Path(path), ledger_model.ISSUE_HEADER,
              ((str(new_id), *row[1:]) for new_id, row in zip(range(start, stop), rows, strict=True)))
    return path


def follow_up_rows(ledger: ledger_model.Ledger, issues: list[tuple]) -> list[tuple]:
    """Comment events for (id, head hash, events so far, reported_on, resolved_on, department)."""
    from qiye_service.services.history import event_hash

    rows = []
    for issue_id, head, count, reported_on, resolved_on, department in issues:
        for at, actor, note in ledger_model.follow_ups(ledger, issue_id, count, str(reported_on)[:10],
                                                       str(resolved_on)[:10] if resolved_on else None, department):
            head = event_hash(head, issue_id, at, actor, "comment", None, None, None, note)
            rows.append((issue_id, at, actor, "comment", note, head))
    return rows


FOLLOW_UP_SELECT = (
    "SELECT issue.id, issue.history_hash, (SELECT count(*) FROM event WHERE event.issue_id = issue.id), "
    "issue.reported_on, issue.resolved_on, department.name FROM issue "
    "LEFT JOIN department ON department.id = issue.department_id WHERE issue.id BETWEEN ? AND ? ORDER BY issue.id"
)


def add_follow_ups_sqlite(path: Path, ledger: ledger_model.Ledger) -> int:
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 60000")
    added = 0
    for start in range(1, ledger.issues + 1, CHUNK):
        conn.execute("BEGIN IMMEDIATE")
        issues = conn.execute(FOLLOW_UP_SELECT, (start, start + CHUNK - 1)).fetchall()
        rows = follow_up_rows(ledger, issues)
        conn.executemany(
            "INSERT INTO event(issue_id, at, actor, action, note, hash) VALUES (?, ?, ?, ?, ?, ?)",
            [(i, at.isoformat(sep=" ", timespec="microseconds"), actor, action, note, digest)
             for i, at, actor, action, note, digest in rows])
        heads: dict[int, str] = {row[0]: row[5] for row in rows}
        conn.executemany("UPDATE issue SET history_hash = ? WHERE id = ?", [(h, i) for i, h in heads.items()])
        conn.execute("COMMIT")
        added += len(rows)
    conn.close()
    analyze_sqlite(path)
    return added


def analyze_sqlite(path: Path) -> None:
    """Fresh planner statistics, as qiye's own write path keeps them (db.refresh_statistics)."""
    from qiye_service.db import make_engine, refresh_statistics, resolve_location

    engine = make_engine(resolve_location(str(path)))
    with engine.begin() as conn:
        refresh_statistics(conn, force=True)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def add_follow_ups_pg(url: str, ledger: ledger_model.Ledger) -> int:
    import psycopg

    added = 0
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        for start in range(1, ledger.issues + 1, CHUNK):
            issues = conn.execute(FOLLOW_UP_SELECT.replace("?", "%s"), (start, start + CHUNK - 1)).fetchall()
            rows = follow_up_rows(ledger, issues)
            with conn.cursor() as cursor:
                with cursor.copy("COPY event(issue_id, at, actor, action, note, hash) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                heads = {row[0]: row[5] for row in rows}
                cursor.executemany("UPDATE issue SET history_hash = %s WHERE id = %s",
                                   [(h, i) for i, h in heads.items()])
            conn.commit()
            added += len(rows)
        conn.execute("ANALYZE")
    return added


def prepare_pg(url: str) -> None:
    """A fresh database for this ledger (dropped first if it exists)."""
    import psycopg

    server, _, name = url.replace("postgresql+psycopg://", "postgresql://").rpartition("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def note_path(target: str, issues: int, pg: bool) -> Path:
    return DATA / f"{target.rpartition('/')[2].replace('qiye_bench_', 'ledger-')}.pg.json" if pg \
        else Path(target + ".json")


def built(target: str, issues: int, pg: bool) -> dict | None:
    """The build note of an existing complete ledger of this size, or None."""
    path = note_path(target, issues, pg)
    if not path.exists() or (not pg and not Path(target).exists()):
        return None
    note = json.loads(path.read_text())
    return note if note.get("issues") == issues and note.get("complete") else None


def build(issues: int, *, pg: bool = False, seed: int = ledger_model.Ledger.seed, force: bool = False,
          quiet: bool = False, shuffled: bool = False) -> dict:
    """Build (or reuse) the ledger; returns its note: target, issues, events, seconds."""
    DATA.mkdir(parents=True, exist_ok=True)
    target = pg_url(issues, shuffled) if pg else str(sqlite_path(issues, shuffled))
    existing = None if force else built(target, issues, pg)
    if existing is not None:
        return sealed(existing, target, issues, pg)
    from qiye_service.cli.progress import make_room, shown
    from qiye_service.i18n import default_lang

    def say(*words: object) -> None:
        if not quiet:
            make_room()  # the progress line, if plain, leaves the terminal first
            print(*words, file=sys.stderr, flush=True)

    with shown(default_lang(), quiet=quiet, key="progress.bench_build", total=issues, issues=f"{issues:,}") as progress:
        return _build(issues, target=target, pg=pg, seed=seed, say=say, progress=progress, shuffled=shuffled)


def _build(issues: int, *, target: str, pg: bool, seed: int, say: Any, progress: Any, shuffled: bool = False) -> dict:
    """The build itself, saying how far it has got (issues imported, then the follow-ups)."""
    ledger = ledger_model.Ledger(issues, seed)
    work = DATA / f"build-{label(issues)}{'-pg' if pg else ''}{'-shuffled' if shuffled else ''}"
    work.mkdir(exist_ok=True)
    env = qiye_env(work)
    started = time.perf_counter()
    if pg:
        prepare_pg(target)
    else:
        for suffix in ("", "-wal", "-shm", ".json"):
            Path(target + suffix).unlink(missing_ok=True)
    qiye(target, "init", env=env)
    enterprises = write_csv(work / "enterprises.csv", ledger_model.ENTERPRISE_HEADER,
                            ledger_model.enterprise_rows(ledger))
    qiye(target, "import", "enterprises", str(enterprises), env=env)
    say(f"{ledger.enterprises} enterprises imported ({time.perf_counter() - started:.0f}s)")

    bounds = [(start, min(start + CHUNK, issues + 1)) for start in range(1, issues + 1, CHUNK)]
    import_seconds = 0.0
    with ProcessPoolExecutor(max_workers=1) as writer:
        pending: list[Future[str]] = [
            writer.submit(write_shuffled_chunk if shuffled else write_issue_chunk, issues, seed, start, stop,
                          str(work / f"issues-{start:08d}.csv"))
            for start, stop in bounds
        ]
        for number, future in enumerate(pending, start=1):
            chunk = future.result()
            begun = time.perf_counter()
            qiye(target, "import", "issues", chunk, env=env)
            import_seconds += time.perf_counter() - begun
            Path(chunk).unlink()
            say(f"issues: chunk {number}/{len(bounds)} imported ({time.perf_counter() - started:.0f}s)")
            progress(min(number * CHUNK, issues))
    progress.step("progress.bench_follow_ups")
    comments = add_follow_ups_pg(target, ledger) if pg else add_follow_ups_sqlite(Path(target), ledger)
    say(f"{comments} follow-up notes added ({time.perf_counter() - started:.0f}s)")
    note = {
        "target": target if not pg else target.rpartition("/")[2], "issues": issues,
        "enterprises": ledger.enterprises, "seed": seed, "complete": True,
        "seconds": round(time.perf_counter() - started, 1), "import_seconds": round(import_seconds, 1),
        "follow_ups": comments, "now": NOW, **({"shuffled": True} if shuffled else {}),
    }
    note_path(target, issues, pg).write_text(json.dumps(note, indent=2) + "\n")
    for leftover in work.glob("*.csv"):
        leftover.unlink()
    return sealed(note, target, issues, pg)


def sealed(note: dict, target: str, issues: int, pg: bool) -> dict:
    """Seal the built ledger once (`qiye db seal`), as an office that prints a seal every week
    has a recent one recorded: the weekly report's seal continues from it (issue 25). A ledger
    built before seals existed is sealed the first time it is reused."""
    if note.get("sealed"):
        return note
    work = DATA / f"build-{label(issues)}{'-pg' if pg else ''}"
    work.mkdir(parents=True, exist_ok=True)
    note = {**note, "sealed": qiye(target, "db", "seal", env=qiye_env(work)).stdout.strip()}
    note_path(target, issues, pg).write_text(json.dumps(note, indent=2) + "\n")
    return note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=1_000_000, help="how many issues (default 1,000,000)")
    parser.add_argument("--pg", action="store_true", help=f"build in PostgreSQL ({PG_SERVER}/qiye_bench_<size>)")
    parser.add_argument("--seed", type=int, default=ledger_model.Ledger.seed)
    parser.add_argument("--force", action="store_true", help="rebuild even if a complete ledger exists")
    parser.add_argument("--shuffled", action="store_true",
                        help="ids shuffled against the reported dates (ledger-<size>-shuffled; issue 24)")
    args = parser.parse_args()
    note = build(args.issues, pg=args.pg, seed=args.seed, force=args.force, shuffled=args.shuffled)
    print(json.dumps(note, indent=2))


if __name__ == "__main__":
    main()
