"""`qiye db backup` and `qiye db restore`: consistent copies, checked restores that keep the
replaced database, and a ledger moved SQLite -> PostgreSQL -> SQLite with every row intact."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import Qiye, pg_schema_url
from qiye_service import _schema

DRIVER = Path(__file__).with_name("qiye_driver.py")


def tables_of(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every qiye table, in primary-key order."""
    from sqlalchemy import select
    from sqlmodel import SQLModel

    from qiye_service.db import make_engine, resolve_location

    engine = make_engine(resolve_location(url))
    try:
        with engine.connect() as conn:
            return {
                table.name: [tuple(row) for row in conn.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in SQLModel.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ledger(qiye: Qiye) -> Qiye:
    """Three issues worked through the usual steps, with tags and a department."""
    qiye.ok("issue", "start", "1", "--note", "已签收")
    qiye.ok("issue", "resolve", "1", "--note", "已完成消防验收", "--on", "2023-12-18")
    qiye.ok("issue", "comment", "2", "已与供电公司现场对接")
    qiye.ok("issue", "tag", "3", "+道路", "+共性问题")
    qiye.ok("issue", "defer", "3", "--note", "待规划调整")
    return qiye


def file_revision(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("select version_num from alembic_version").fetchone()[0]
    finally:
        conn.close()


# --- backup ---------------------------------------------------------------------------------


def test_backup_then_restore_brings_the_ledger_back(filed: Qiye, tmp_path: Path) -> None:
    ledger(filed)
    before = tables_of(filed.url)
    copy = tmp_path / "backups" / "qiye-1220.db"
    result = filed.ok("db", "backup", str(copy))
    assert f"to {copy}: 3 issues" in result.stdout
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert file_revision(copy) == _schema.HEAD_REVISION
    conn = sqlite3.connect(copy)
    assert conn.execute("pragma journal_mode").fetchone()[0] == "delete"  # one self-contained file
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert not Path(f"{copy}-wal").exists()
    assert tables_of(str(copy)) == before

    filed.ok("issue", "add", "备份之后登记的问题", "-e", "蓝思科技", "-c", "road")
    filed.ok("issue", "resolve", "2", "--note", "已增容")
    changed = tables_of(filed.url)
    restored = filed.ok("db", "restore", str(copy), "--yes")
    assert "3 issues" in restored.stdout
    assert tables_of(filed.url) == before
    assert filed.ok("db", "check").exit_code == 0
    assert "备份之后登记的问题" not in filed.ok("issue", "list", "--status", "all", "--format", "csv").stdout
    if filed.url.startswith("postgresql"):
        kept = sorted(copy.parent.glob("qiye-postgresql.replaced-*.db"))
    else:
        kept = sorted(Path(filed.url).parent.glob("qiye.replaced-*.db"))
    assert len(kept) == 1 and f"kept at {kept[0]}" in restored.stdout
    assert tables_of(str(kept[0])) == changed
    # The next id follows the restored rows on both backends (PostgreSQL's sequences reset).
    assert filed.ok("issue", "add", "恢复之后", "-e", "蓝思科技", "-c", "road").stdout.strip() == "4"


def test_backup_refuses_to_overwrite_without_force(filed: Qiye, tmp_path: Path) -> None:
    target = tmp_path / "b.db"
    target.write_text("yesterday's backup")
    result = filed("db", "backup", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"error: {target} already exists; pass --force to replace it, or choose another name\n"
    assert target.read_text() == "yesterday's backup"
    filed.ok("db", "backup", str(target), "--force")
    assert tables_of(str(target))["issue"] == tables_of(filed.url)["issue"]


def test_backup_into_a_directory_writes_a_dated_file(filed: Qiye, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    filed.ok("db", "backup", str(folder))
    assert [p.name for p in folder.iterdir()] == ["qiye-20231220-020000.db"]


def test_backup_into_a_folder_typed_with_a_slash_makes_the_folder(filed: Qiye, tmp_path: Path) -> None:
    """`qiye db backup ~/qiye-backups/` (its --help example) on a machine without that folder yet."""
    folder = tmp_path / "qiye-backups"
    filed.ok("db", "backup", f"{folder}/")
    assert folder.is_dir() and [p.name for p in folder.iterdir()] == ["qiye-20231220-020000.db"]
    assert tables_of(str(folder / "qiye-20231220-020000.db"))["issue"] == tables_of(filed.url)["issue"]


def test_backup_refuses_the_database_itself(sqlite_qiye: Qiye) -> None:
    before = digest(Path(sqlite_qiye.url))
    result = sqlite_qiye("db", "backup", sqlite_qiye.url, "--force")
    assert result.exit_code == 1 and "is the database itself" in result.stderr
    result = sqlite_qiye("db", "restore", sqlite_qiye.url, "--yes")
    assert result.exit_code == 1 and "is the database itself" in result.stderr
    assert digest(Path(sqlite_qiye.url)) == before
    assert sorted(p.name for p in Path(sqlite_qiye.url).parent.iterdir()) == ["qiye.db"]


def test_backup_is_consistent_while_others_write(sqlite_qiye: Qiye, tmp_path: Path) -> None:
    """Backups taken while a process files issues as fast as it can: every copy is whole."""
    sqlite_qiye.ok("enterprise", "add", "蓝思科技")
    env = {**os.environ, **sqlite_qiye.env}
    writer = subprocess.Popen([sys.executable, str(DRIVER), "write", "w", "40", "0", "0"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    counts = []
    try:
        while writer.poll() is None or not counts:
            target = tmp_path / f"live-{len(counts)}.db"
            sqlite_qiye.ok("db", "backup", str(target))
            conn = sqlite3.connect(target)
            assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
            counts.append(conn.execute("select count(*) from issue").fetchone()[0])
            conn.close()
            check = Qiye(str(target), {**sqlite_qiye.env, "QIYE_DB": str(target)})("db", "check")
            assert check.exit_code == 0, check.output  # every chain head matches: a whole snapshot
    finally:
        out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert counts == sorted(counts) and len(counts) >= 2
    assert sqlite_qiye.sql("select count(*) from issue")[0][0] == 40


# --- restore refuses what will not do, changing nothing -------------------------------------


def _bad_files(tmp_path: Path, good: Path) -> dict[str, tuple[Path, str]]:
    text_file = tmp_path / "notes.db"
    text_file.write_text("这不是数据库\n")
    other = tmp_path / "other-app.db"
    conn = sqlite3.connect(other)
    conn.execute("create table customer (id integer primary key, name text)")
    conn.commit()
    conn.close()
    newer = tmp_path / "newer.db"
    newer.write_bytes(good.read_bytes())
    conn = sqlite3.connect(newer)
    conn.execute("update alembic_version set version_num = '9999'")
    conn.commit()
    conn.close()
    corrupt = tmp_path / "corrupt.db"
    data = bytearray(good.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for n in range(3, len(data) // page):
        data[n * page + 8: n * page + 40] = b"\xff" * 32
    corrupt.write_bytes(bytes(data))
    return {
        "missing": (tmp_path / "no-such-file.db", "cannot restore from {p}: No such file or directory"),
        "text": (text_file, "cannot restore from {p}: it is not an SQLite file"),
        "foreign": (other, "cannot restore from {p}: it is not a qiye database (no alembic_version table)"),
        "newer": (newer, f"cannot restore from {{p}}: it is at schema revision 9999, newer than this qiye "
                         f"knows ({_schema.HEAD_REVISION}); upgrade qiye"),
        "corrupt": (corrupt, "cannot restore from {p}:"),
    }


@pytest.mark.parametrize("kind", ["missing", "text", "foreign", "newer", "corrupt"])
def test_restore_checks_the_file_before_touching_anything(filed: Qiye, tmp_path: Path, kind: str) -> None:
    good = tmp_path / "good.db"
    filed.ok("db", "backup", str(good))
    path, message = _bad_files(tmp_path, good)[kind]
    before_rows = tables_of(filed.url)
    before_file = digest(path) if path.exists() else None
    listing = sorted(os.listdir(tmp_path))
    result = filed("db", "restore", str(path), "--yes")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: " + message.format(p=path)), result.stderr
    assert "Traceback" not in result.output
    assert tables_of(filed.url) == before_rows
    assert (digest(path) if path.exists() else None) == before_file
    assert sorted(os.listdir(tmp_path)) == listing  # no kept copy, no temporary left behind


def test_restore_asks_first_and_without_a_terminal_needs_yes(filed: Qiye, tmp_path: Path) -> None:
    good = tmp_path / "good.db"
    filed.ok("db", "backup", str(good))
    filed.ok("issue", "add", "之后", "-e", "蓝思科技", "-c", "road")
    before = tables_of(filed.url)
    result = filed("db", "restore", str(good))
    assert result.exit_code == 1
    assert "pass --yes to confirm" in result.stderr
    assert tables_of(filed.url) == before


def test_restore_mends_a_corrupt_database(sqlite_qiye: Qiye, tmp_path: Path) -> None:
    sqlite_qiye.ok("enterprise", "add", "蓝思科技")
    sqlite_qiye.ok("issue", "add", "消防验收", "-e", "蓝思科技", "-c", "fire-acceptance")
    good = tmp_path / "good.db"
    sqlite_qiye.ok("db", "backup", str(good))
    live = Path(sqlite_qiye.url)
    live.write_bytes(b"\0" * 4096)  # the disk ate it
    broken = sqlite_qiye("issue", "list")
    assert broken.exit_code == 3 and "is not a qiye database (not an SQLite file)" in broken.stderr
    sqlite_qiye.ok("db", "restore", str(good), "--yes")
    assert "消防验收" in sqlite_qiye.ok("issue", "list", "--format", "csv").stdout
    kept = list(live.parent.glob("qiye.replaced-*.db"))
    assert len(kept) == 1 and kept[0].read_bytes() == b"\0" * 4096


def test_restore_will_not_replace_another_programs_database(tmp_path: Path, base_env: dict[str, str],
                                                            sqlite_template: Path) -> None:
    other = tmp_path / "crm.db"
    conn = sqlite3.connect(other)
    conn.execute("create table customer (id integer primary key, name text)")
    conn.commit()
    conn.close()
    good = tmp_path / "good.db"
    good.write_bytes(sqlite_template.read_bytes())
    before = digest(other)
    qiye = Qiye(str(other), {**base_env, "QIYE_DB": str(other)})
    result = qiye("db", "restore", str(good), "--yes")
    assert result.exit_code == 3 and result.stderr == f"error: {other} is not a qiye database\n"
    assert digest(other) == before


def test_restore_waits_for_other_users_then_says_so(sqlite_qiye: Qiye, tmp_path: Path) -> None:
    good = tmp_path / "good.db"
    sqlite_qiye.ok("db", "backup", str(good))
    holder = sqlite3.connect(sqlite_qiye.url)
    holder.execute("begin")
    holder.execute("select count(*) from issue").fetchone()  # a reader in the middle of a command
    try:
        started = time.monotonic()
        result = sqlite_qiye.run_process("db", "restore", str(good), "--yes", env={"QIYE_BUSY_TIMEOUT": "1"})
        assert result.returncode == 3, result.stderr
        assert "is in use by another program" in result.stderr and "Traceback" not in result.stderr
        assert time.monotonic() - started < 20
    finally:
        holder.close()
    assert sqlite_qiye.run_process("db", "restore", str(good), "--yes").returncode == 0


def test_restore_upgrades_an_older_backup(sqlite_qiye: Qiye, tmp_path: Path) -> None:
    if len(_schema.REVISIONS) < 2:
        pytest.skip("only one schema revision so far")
    from qiye_service.db import make_engine, resolve_location, upgrade

    old = tmp_path / "old.db"
    engine = make_engine(resolve_location(str(old)))
    upgrade(engine, _schema.REVISIONS[0])
    engine.dispose()
    with sqlite3.connect(old) as conn:
        conn.execute("insert into department (name) values ('消防救援大队')")
    sqlite_qiye.ok("db", "restore", str(old), "--yes")
    assert file_revision(old) == _schema.REVISIONS[0]  # the file itself is left as it was
    assert file_revision(Path(sqlite_qiye.url)) == _schema.HEAD_REVISION
    assert "消防救援大队" in sqlite_qiye.ok("department", "list", "--format", "csv").stdout


# --- PostgreSQL ------------------------------------------------------------------------------


def test_a_ledger_moves_sqlite_to_postgresql_and_back(sqlite_qiye: Qiye, pg_schema: str, tmp_path: Path) -> None:
    """Every row and event, ids and hashes included, survives the trip both ways."""
    sqlite_qiye.ok("init", "--sample")
    pending = [str(row[0]) for row in sqlite_qiye.sql("select id from issue where status in ('open', 'in_progress') order by id")]
    for issue_id in pending[:2]:
        sqlite_qiye.ok("issue", "comment", issue_id, "周调度：请加快办理")
    sqlite_qiye.ok("issue", "resolve", pending[1], "--note", "已办结")
    original = tables_of(sqlite_qiye.url)
    assert len(original["issue"]) >= 170 and len(original["event"]) > len(original["issue"])

    first = tmp_path / "from-sqlite.db"
    sqlite_qiye.ok("db", "backup", str(first))
    pg = Qiye(pg_schema_url(pg_schema), {**sqlite_qiye.env, "QIYE_DB": pg_schema_url(pg_schema)})
    pg.ok("db", "restore", str(first), "--yes")
    assert tables_of(pg.url) == original
    assert pg.ok("db", "check").exit_code == 0

    second = tmp_path / "from-postgresql.db"
    pg.ok("db", "backup", str(second))
    back = tmp_path / "back.db"
    home = Qiye(str(back), {**sqlite_qiye.env, "QIYE_DB": str(back)})
    home.ok("db", "restore", str(second), "--yes")
    assert tables_of(str(back)) == original
    assert home.ok("db", "check").exit_code == 0
    for args in (("issue", "list", "--status", "all", "--format", "json"),
                 ("issue", "list", "--search", "消防", "--format", "json"),
                 ("issue", "show", pending[1], "--format", "json")):
        assert home.ok(*args).stdout == sqlite_qiye.ok(*args).stdout == pg.ok(*args).stdout


def test_restore_into_postgresql_checks_the_file_first(pg_schema: str, base_env: dict[str, str],
                                                       tmp_path: Path) -> None:
    url = pg_schema_url(pg_schema)
    pg = Qiye(url, {**base_env, "QIYE_DB": url})
    pg.ok("enterprise", "add", "蓝思科技")
    before = tables_of(url)
    text_file = tmp_path / "ledger.db"
    text_file.write_text("企业名称,问题描述\n")
    result = pg("db", "restore", str(text_file), "--yes")
    assert result.exit_code == 1 and "it is not an SQLite file" in result.stderr
    assert tables_of(url) == before
    assert list(tmp_path.iterdir()) == [text_file]


def test_a_command_caught_mid_restore_stops_rather_than_write_into_the_old_file(
        sqlite_qiye: Qiye, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A qiye that opened the old file just before the swap, and waited for the restore's
    lock, must not go on to write into a file nobody will read again."""
    import threading

    from qiye_service.services import backup as backups

    sqlite_qiye.ok("enterprise", "add", "蓝思科技")
    good = tmp_path / "good.db"
    sqlite_qiye.ok("db", "backup", str(good))
    sqlite_qiye.ok("issue", "add", "备份之后", "-e", "蓝思科技", "-c", "road")
    live = Path(sqlite_qiye.url)
    locked = threading.Event()
    keep = backups._keep

    def slow_keep(path: Path, stamp: Any) -> Path:
        locked.set()  # the old file is locked exclusively from here until the swap
        time.sleep(0.5)
        return keep(path, stamp)

    monkeypatch.setattr(backups, "_keep", slow_keep)
    outcome: dict[str, Any] = {}

    def late_writer() -> None:
        locked.wait(10)
        conn = sqlite3.connect(live, timeout=10)  # opens the old file, then waits for the lock
        try:
            conn.execute("insert into department (name) values ('迟到的写入')")
            conn.commit()
            outcome["wrote"] = True
        except sqlite3.DatabaseError as exc:
            outcome["error"] = str(exc)
        finally:
            conn.close()

    writer = threading.Thread(target=late_writer)
    writer.start()
    from qiye_service.db import make_engine, resolve_location

    engine = make_engine(resolve_location(str(live)))
    prepared = backups.prepare_restore(good, ledger=live)
    try:
        backups.restore_database(engine, prepared, stamp=datetime(2023, 12, 20, 2, 0))
    finally:
        prepared.discard()
        engine.dispose()
    writer.join(20)
    assert outcome == {"error": "file is not a database"}
    assert sqlite_qiye.sql("select count(*) from issue") == [(0,)]  # the restored file, untouched
    assert sqlite_qiye.sql("select count(*) from department") == [(0,)]
    kept = next(live.parent.glob("qiye.replaced-*.db"))
    with sqlite3.connect(kept) as conn:
        assert conn.execute("select count(*) from issue").fetchone() == (1,)
