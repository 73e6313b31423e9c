"""Crash safety: SIGKILL `qiye import issues` and `qiye db restore` in the middle of their work.
Afterwards the database passes its integrity check and holds either none or all of the
file's rows (the old database or the new one, whole), and qiye carries on using it."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from conftest import Qiye, pg_schema_url

ROWS = 4000


def ledger_csv(path: Path, rows: int = ROWS) -> Path:
    """A large ledger as a cadre's spreadsheet would export it (Chinese headers and values)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["企业名称", "问题标题", "问题描述", "问题类别", "责任单位", "责任人", "登记日期", "办理状态",
                         "办结日期", "办理结果", "标签"])
        for n in range(rows):
            resolved = n % 3 == 0
            writer.writerow([f"企业{n % 250}", f"第 {n} 号问题", "企业反映的问题描述，" * 8,
                             ["道路建设", "消防验收", "融资", "用水用电"][n % 4], f"责任单位{n % 9}", f"干部{n % 30}",
                             f"2023-{n % 12 + 1:02d}-{n % 28 + 1:02d}", "已办结" if resolved else "办理中",
                             f"2023-{n % 12 + 1:02d}-28" if resolved else "", "已解决" if resolved else "",
                             f"批次{n % 20};台账导入"])
    return path


def spawn(qiye: Qiye, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "qiye_service", *args], env={**os.environ, **qiye.env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill_when(process: subprocess.Popen[str], ready: Callable[[], bool], timeout: float = 120) -> bool:
    """SIGKILL the process as soon as `ready()`; True if it was still at work when killed."""
    deadline = time.monotonic() + timeout
    while process.poll() is None and not ready():
        assert time.monotonic() < deadline, "the command never reached the point to kill it at"
        time.sleep(0.002)
    running = process.poll() is None
    if running:
        os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    return running and process.returncode == -signal.SIGKILL


def count_issues(qiye: Qiye) -> int:
    if qiye.url.startswith("postgresql"):
        return qiye.sql("select count(*) from issue")[0][0]
    conn = sqlite3.connect(qiye.url)
    try:
        assert conn.execute("pragma integrity_check").fetchall() == [("ok",)]
        assert conn.execute("pragma foreign_key_check").fetchall() == []
        return conn.execute("select count(*) from issue").fetchone()[0]
    finally:
        conn.close()


def still_usable(qiye: Qiye) -> None:
    """qiye opens it, reads it, writes it, and finds every history whole."""
    qiye.ok("issue", "list", "--limit", "1", "--format", "json")
    check = qiye("db", "check")
    assert check.exit_code == 0, check.output


def writing(qiye: Qiye) -> Callable[[], bool]:
    """True once a transaction is writing rows into this test's database."""
    if qiye.url.startswith("postgresql"):
        schema = qiye.url.rsplit("%3D", 1)[1]

        def pg_writing() -> bool:
            return bool(qiye.sql(
                "select count(*) from pg_locks l join pg_class c on c.oid = l.relation "
                "join pg_namespace n on n.oid = c.relnamespace "
                "where n.nspname = :s and c.relname = 'issue' and l.mode = 'RowExclusiveLock' and l.granted",
                s=schema)[0][0])

        return pg_writing
    wal = Path(f"{qiye.url}-wal")

    def sqlite_writing() -> bool:
        # The transaction's pages spill into the WAL long before it commits. The WAL may vanish
        # between two looks (the last connection of an earlier run checkpoints and removes it).
        try:
            return wal.stat().st_size > 512 * 1024
        except FileNotFoundError:
            return False

    return sqlite_writing


def test_a_killed_import_leaves_none_or_all_of_the_file(qiye: Qiye, tmp_path: Path) -> None:
    # Large enough that the import is still at work well after the first kill (40,000 rows take
    # 1.7 s on a two-core machine where 12,000 took 0.8 s and finished before it).
    rows_in_file = 10 * ROWS
    ledger = ledger_csv(tmp_path / "问题台账.csv", rows_in_file)
    qiye.ok("db", "upgrade")
    killed_mid_way = []
    for when in ("reading", "writing"):
        process = spawn(qiye, "import", "issues", str(ledger))
        if when == "reading":
            ready = lambda started=time.monotonic(): time.monotonic() - started > 0.5  # noqa: E731 - parsing
        else:
            ready = writing(qiye)
        was_running = kill_when(process, ready)
        rows = count_issues(qiye)
        assert rows in (0, rows_in_file)
        if rows == rows_in_file:
            break  # it finished first; nothing more to kill
        killed_mid_way.append((when, was_running))
        still_usable(qiye)
    assert ("writing", True) in killed_mid_way, killed_mid_way

    # Whatever was killed, the whole file goes in afterwards, once.
    result = qiye.run_process("import", "issues", str(ledger), timeout=300)
    assert result.returncode == 0, result.stderr
    assert count_issues(qiye) == rows_in_file
    assert qiye.sql("select count(*) from event where action = 'imported'")[0][0] == rows_in_file
    still_usable(qiye)


def test_a_killed_sqlite_restore_leaves_the_old_or_the_new_database(sqlite_qiye: Qiye, tmp_path: Path) -> None:
    qiye = sqlite_qiye
    assert qiye.run_process("import", "issues", str(ledger_csv(tmp_path / "ledger.csv")), timeout=300).returncode == 0
    backup = tmp_path / "backup.db"
    qiye.ok("db", "backup", str(backup))
    for n in range(5):
        qiye.ok("issue", "add", f"备份之后 {n}", "-e", "企业1", "-c", "road")
    old, new = ROWS + 5, ROWS
    live = Path(qiye.url)

    def appears(pattern: str) -> Callable[[], bool]:
        return lambda: any(tmp_path.glob(pattern)) or any(live.parent.glob(pattern))

    outcomes = []
    # Checking and copying the file; then holding the old database locked while keeping a copy.
    for pattern in (".qiye.db.*.qiye-tmp", ".qiye.replaced-*.qiye-tmp"):
        process = spawn(qiye, "db", "restore", str(backup), "--yes")
        was_running = kill_when(process, appears(pattern))
        rows = count_issues(qiye)
        outcomes.append((pattern, was_running, rows))
        assert rows in (old, new)
        still_usable(qiye)
        if rows == new:
            break
    assert outcomes[0][1:] == (True, old), outcomes

    process = spawn(qiye, "db", "restore", str(backup), "--yes")
    out, err = process.communicate(timeout=300)
    if outcomes[-1][2] == old:
        assert process.returncode == 0, err
    assert count_issues(qiye) == new
    still_usable(qiye)
    # No temporaries of the killed runs (nor their -journal) are left beside the database: the
    # next restore removed them, as qiye's notes prove they were its own.
    assert [p.name for p in live.parent.iterdir() if ".qiye-tmp" in p.name] == []


def test_a_killed_postgresql_restore_leaves_the_old_or_the_new_rows(pg_schema: str, base_env: dict[str, str],
                                                                   tmp_path: Path) -> None:
    url = pg_schema_url(pg_schema)
    qiye = Qiye(url, {**base_env, "QIYE_DB": url})
    home = tmp_path / "home.db"
    sqlite_home = Qiye(str(home), {**base_env, "QIYE_DB": str(home)})
    assert sqlite_home.run_process("import", "issues", str(ledger_csv(tmp_path / "l.csv")), timeout=300).returncode == 0
    backup = tmp_path / "backup.db"
    sqlite_home.ok("db", "backup", str(backup))
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("issue", "add", "服务器上原有的问题", "-e", "蓝思科技", "-c", "road")
    schema = pg_schema

    def copying() -> bool:
        return bool(qiye.sql(
            "select count(*) from pg_locks l join pg_class c on c.oid = l.relation "
            "join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = :s and c.relname = 'issue' and l.mode = 'AccessExclusiveLock' and l.granted",
            s=schema)[0][0])

    process = spawn(qiye, "db", "restore", str(backup), "--yes")
    was_running = kill_when(process, copying)
    time.sleep(0.5)  # the server rolls the dead client's transaction back
    rows = qiye.sql("select count(*) from issue")[0][0]
    assert rows in (1, ROWS)
    if was_running:
        assert rows == 1
    still_usable(qiye)
    result = qiye.run_process("db", "restore", str(backup), "--yes", timeout=300)
    assert result.returncode == 0, result.stderr
    assert qiye.sql("select count(*) from issue")[0][0] == ROWS
    still_usable(qiye)
