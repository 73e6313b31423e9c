"""An import is all-or-nothing under any error (issue 25, point 1): a full disk, an I/O
error, a failure on either of the importer's threads, an interrupt.

The attack: `(ulimit -f 4000; qiye import issues big.csv)` failed with "disk I/O error" and
yet left a chunk of issues committed, some with no history. SQLite rolls the whole
transaction back on SQLITE_FULL/SQLITE_IOERR; the writer thread then ran the chunk already
queued with no transaction open, each INSERT committing itself.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Qiye

TABLES = ("issue", "event", "enterprise", "department", "tag", "issue_tag")
ENTERPRISES = 50


def counts(qiye: Qiye) -> dict[str, int]:
    qiye.ok("db", "upgrade")  # a fresh PostgreSQL schema has no tables until a command runs
    return {table: qiye.sql(f"SELECT count(*) FROM {table}")[0][0] for table in TABLES}


def write_ledger(path: Path, rows: int, *, start: int = 0) -> Path:
    """A ledger of `rows` issues naming ENTERPRISES enterprises, ten departments and tags."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write("enterprise,category,reported_on,title,description,department,owner,tags\n")
        for n in range(start, start + rows):
            handle.write(f"企业{n % ENTERPRISES},road,2023-{1 + n % 12:02d}-{1 + n % 28:02d},问题标题{n} 二期厂房消防验收,"
                         f"消防车道宽度不足，需整改；企业称已按图施工，请求复核 {n},部门{n % 10},负责人{n % 40},"
                         f"标签{n % 5}\n")
    return path


@pytest.fixture
def ledger_with_names(sqlite_qiye: Qiye, tmp_path: Path) -> Qiye:
    """A ledger that already knows every enterprise, department and tag the big file names, so
    a chunk that ran outside the transaction would have nothing to trip over."""
    sqlite_qiye.ok("import", "issues", str(write_ledger(tmp_path / "known.csv", 100)))
    return sqlite_qiye


def assert_failed_cleanly(result: subprocess.CompletedProcess[str], qiye: Qiye, before: dict[str, int]) -> None:
    assert result.returncode == 3, result.stderr
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr
    assert counts(qiye) == before
    check = qiye("db", "check")
    assert check.exit_code == 0, check.output


def test_import_on_a_file_size_limit_writes_nothing(ledger_with_names, tmp_path):
    """`ulimit -f`: SQLite's writes fail with EFBIG ("disk I/O error") in the middle of the
    import; nothing of it may stay. Works for any user."""
    qiye = ledger_with_names
    big = write_ledger(tmp_path / "big.csv", 30_000, start=100)
    before = counts(qiye)
    database = Path(qiye.url)
    # Room for the ledger and a chunk or two of the import, not for all of it.
    limit = database.stat().st_size + 2_000_000

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    for lang, said in (("en", "could not be read or written: a disk I/O error"), ("zh", "读写失败：磁盘读写错误")):
        result = subprocess.run([sys.executable, "-m", "qiye_service", "--lang", lang, "import", "issues", str(big)],
                                capture_output=True, text=True, env={**os.environ, **qiye.env},
                                preexec_fn=limited, timeout=300)
        assert said in result.stderr, result.stderr
        assert_failed_cleanly(result, qiye, before)
    assert "disk I/O error" not in result.stderr  # under zh, the reason in Chinese only


def _can_mount_tmpfs(target: Path) -> str | None:
    """Why a tmpfs cannot be mounted here, or None when it can."""
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root"
    if shutil.which("mount") is None:
        return "no mount command"
    probe = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(target)], capture_output=True)
    if probe.returncode != 0:
        return f"mount -t tmpfs failed: {probe.stderr.decode(errors='replace').strip()}"
    subprocess.run(["umount", str(target)], check=True)
    return None


@pytest.mark.parametrize("megabytes", [3, 5, 8])
def test_import_onto_a_full_tmpfs_writes_nothing(ledger_with_names, tmp_path, megabytes):
    """The same on a small disk that fills up ("database or disk is full"); root only."""
    mount_point = tmp_path / "tmpfs"
    mount_point.mkdir()
    reason = _can_mount_tmpfs(mount_point)
    if reason:
        pytest.skip(reason)
    big = write_ledger(tmp_path / "big.csv", 40_000, start=100)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m,mode=0700", "tmpfs", str(mount_point)],
                   check=True)
    try:
        database = mount_point / "qiye.db"
        shutil.copyfile(ledger_with_names.url, database)
        qiye = Qiye(str(database), {**ledger_with_names.env, "QIYE_DB": str(database)})
        before = counts(qiye)
        result = qiye.run_process("import", "issues", str(big), timeout=300)
        assert "full" in result.stderr or "disk I/O error" in result.stderr
        assert_failed_cleanly(result, qiye, before)
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.fixture
def named(qiye: Qiye, tmp_path: Path) -> Qiye:
    qiye.ok("import", "issues", str(write_ledger(tmp_path / "known.csv", 100)))
    return qiye


def _abandoning_transaction(qiye: Qiye):  # type: ignore[no-untyped-def]
    """What SQLite does on SQLITE_FULL and SQLITE_IOERR: the whole transaction is rolled back,
    then the statement fails. (PostgreSQL aborts it and refuses everything after.)"""
    import sqlite3

    import psycopg

    if qiye.url.startswith("postgresql"):
        def fail(cursor):  # type: ignore[no-untyped-def]
            cursor.execute("SELECT 1 / 0")  # a real error: the transaction is aborted
    else:
        def fail(cursor):  # type: ignore[no-untyped-def]
            cursor.execute("ROLLBACK")
            raise sqlite3.OperationalError("database or disk is full")
    return fail, (psycopg.Error, sqlite3.Error)


def test_a_transaction_lost_on_the_writer_thread_runs_nothing_after_it(named, tmp_path, monkeypatch):
    """The writer's chunk fails after the database dropped the transaction, with the next chunk
    already queued: that chunk must not run, neither inside nor outside a transaction."""
    from qiye_service.services import transfer

    fail, _ = _abandoning_transaction(named)
    calls = []
    real = transfer.IssueImport._insert_rows

    def failing(self, cursor, table, columns, rows):  # type: ignore[no-untyped-def]
        calls.append(table)
        if len(calls) == 4:  # the second chunk's issues
            fail(cursor)
        return real(self, cursor, table, columns, rows)

    monkeypatch.setattr(transfer.IssueImport, "_insert_rows", failing)
    big = write_ledger(tmp_path / "big.csv", 12_000, start=100)
    before = counts(named)
    result = named("import", "issues", str(big))
    assert result.exit_code in (1, 3), result.output
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1, result.stderr
    # The failed job was the last: nothing queued behind it reached the database.
    assert calls[:4] == ["issue", "issue_tag", "event", "issue"]
    assert len(calls) == 4
    assert counts(named) == before
    assert named("db", "check").exit_code == 0


@pytest.mark.parametrize("where", ["writer", "importer"])
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_any_exception_on_either_thread_writes_nothing(named, tmp_path, monkeypatch, where, error):
    """An exception (a bug, Ctrl-C) on the writer thread or on the importing thread, with chunks
    written and queued: nothing is committed, and the queued chunks never run."""
    from qiye_service.services import transfer

    calls = []
    real_rows, real_chunk = transfer.IssueImport._insert_rows, transfer.IssueImport._chunk

    def rows(self, cursor, table, columns, values):  # type: ignore[no-untyped-def]
        calls.append(table)
        if where == "writer" and len(calls) == 4:
            raise error("boom")
        return real_rows(self, cursor, table, columns, values)

    chunks = []

    def chunk(self, items):  # type: ignore[no-untyped-def]
        chunks.append(len(items))
        if where == "importer" and len(chunks) == 4:
            raise error("boom")
        return real_chunk(self, items)

    monkeypatch.setattr(transfer.IssueImport, "_insert_rows", rows)
    monkeypatch.setattr(transfer.IssueImport, "_chunk", chunk)
    big = write_ledger(tmp_path / "big.csv", 12_000, start=100)
    before = counts(named)
    result = named("import", "issues", str(big))
    assert result.exit_code == (130 if error is KeyboardInterrupt else 1), result.output
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1, result.stderr
    if where == "writer":
        assert len(calls) == 4  # the queued chunk behind the failed one never ran
    assert counts(named) == before
    assert named("db", "check").exit_code == 0


def test_a_transaction_the_database_ended_is_no_success(sqlite_qiye, monkeypatch):
    """SQLite ends a transaction itself on SQLITE_FULL or SQLITE_IOERR; a step that tolerates an
    error after that (the statistics refresh does) must not let the command report success for
    what was rolled back, nor commit what ran after in autocommit."""
    from qiye_service import db

    qiye = sqlite_qiye  # PostgreSQL aborts a failed transaction and refuses its commit itself
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("issue", "add", "二期厂房消防验收", "-e", "蓝思科技", "-c", "fire-acceptance")
    before = qiye.sql("SELECT count(*) FROM event")
    real = db.refresh_statistics

    def ended_by_the_database(connection):  # type: ignore[no-untyped-def]
        connection.connection.dbapi_connection.execute("ROLLBACK")  # as SQLite does on a full disk
        return real(connection)

    monkeypatch.setattr(db, "refresh_statistics", ended_by_the_database)
    result = qiye("issue", "comment", "1", "已与消防大队现场对接")
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("error: the database ended this command's transaction"), result.stderr
    monkeypatch.setattr(db, "refresh_statistics", real)
    assert qiye.sql("SELECT count(*) FROM event") == before
