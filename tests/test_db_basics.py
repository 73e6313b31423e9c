"""Where the database lives and how it is opened (DESIGN §6): the platform's user data dir by
default, mode 0600, WAL, foreign keys, a busy timeout; any command creates a missing database;
`qiye db upgrade` and `qiye db info`.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PG_URL, Qiye, pg_schema_url
from qiye_service import _schema
from qiye_service.db import make_engine, resolve_location, upgrade

COUNT_KEYS = ["enterprises", "categories", "departments", "issues", "events", "tags"]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run_without_db_setting(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`qiye args` in a process that has neither --db nor QIYE_DB, under umask 0 (so 0600 is our doing)."""
    clean = {k: v for k, v in os.environ.items() if k not in ("QIYE_DB", "XDG_DATA_HOME", "XDG_CONFIG_HOME")}
    clean.update({"QIYE_CONFIG_DIR": str(tmp_path / "config"), "QIYE_LANG": "en"}, **env)
    return subprocess.run([sys.executable, "-m", "qiye_service", *args], capture_output=True, text=True,
                          env=clean, timeout=120, preexec_fn=lambda: os.umask(0))


@pytest.mark.parametrize("use_xdg", [True, False], ids=["XDG_DATA_HOME", "HOME"])
def test_default_database_is_in_the_user_data_dir_with_mode_0600(tmp_path, use_xdg):
    home = tmp_path / "home"
    env = {"HOME": str(home)}
    if use_xdg:
        env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    expected = (tmp_path / "xdg" if use_xdg else home / ".local" / "share") / "qiye" / "qiye.db"
    done = run_without_db_setting(tmp_path, env, "enterprise", "add", "蓝思科技")
    assert done.returncode == 0, done.stderr
    assert expected.is_file()
    assert mode(expected) == 0o600
    for companion in (expected.with_name("qiye.db-wal"), expected.with_name("qiye.db-shm")):
        if companion.exists():
            assert mode(companion) & 0o077 == 0, companion
    assert Qiye(str(expected), {}).sql("select name from enterprise") == [("蓝思科技",)]


def test_db_option_beats_qiye_db_beats_config(tmp_path, sqlite_qiye):
    qiye = sqlite_qiye
    by_option, by_env, by_config = tmp_path / "option.db", tmp_path / "env.db", tmp_path / "config.db"
    config = {"QIYE_CONFIG_DIR": str(tmp_path / "cfg")}
    qiye.ok("config", "set", "db", str(by_config), env=config)
    qiye.ok("--db", str(by_option), "enterprise", "add", "甲", env={**config, "QIYE_DB": str(by_env)})
    assert by_option.exists() and not by_env.exists() and not by_config.exists()
    qiye.ok("enterprise", "add", "乙", env={**config, "QIYE_DB": str(by_env)})
    assert by_env.exists() and not by_config.exists()
    qiye.ok("enterprise", "add", "丙", env={**config, "QIYE_DB": None})
    assert by_config.exists()
    for path, name in ((by_option, "甲"), (by_env, "乙"), (by_config, "丙")):
        assert Qiye(str(path), {}).sql("select name from enterprise") == [(name,)]


@pytest.mark.parametrize("command", [
    ("init",), ("db", "upgrade"), ("enterprise", "add", "蓝思科技"), ("department", "add", "消防救援大队"),
])
def test_a_command_that_writes_creates_a_missing_database(sqlite_qiye, tmp_path, command):
    path = tmp_path / "new" / "nested" / "qiye.db"
    sqlite_qiye.ok("--db", str(path), *command)
    assert path.is_file() and mode(path) == 0o600
    db = Qiye(str(path), {})
    assert db.sql("select version_num from alembic_version") == [(_schema.HEAD_REVISION,)]
    assert db.sql("select count(*) from category") == [(12,)]


@pytest.mark.parametrize("command", [
    ("issue", "list"), ("issue", "show", "1"), ("enterprise", "list"), ("category", "list"),
    ("department", "list"), ("report", "summary"), ("report", "weekly"), ("export", "issues", "--format", "csv"),
    ("db", "info"), ("db", "check"), ("db", "backup", "{copy}"),
])
def test_a_command_that_only_reads_refuses_a_missing_database(sqlite_qiye, tmp_path, command):
    """A mistyped --db must not become a new empty ledger that a script lists or exports."""
    path = tmp_path / "typo" / "qiye.db"
    result = sqlite_qiye("--db", str(path), *(arg.format(copy=tmp_path / "copy.db") for arg in command))
    assert result.exit_code == 3
    assert result.stderr == (f"error: there is no ledger at {path}; create one with `qiye init` (`qiye init "
                             "--sample` for the sample ledger), or point --db or QIYE_DB at an existing one\n")
    assert result.stdout == ""
    assert not path.parent.exists() and not (tmp_path / "copy.db").exists()


def test_a_sqlite_url_works_too(sqlite_qiye, tmp_path):
    path = tmp_path / "by-url.db"
    sqlite_qiye.ok("--db", f"sqlite:///{path}", "enterprise", "add", "蓝思科技")
    assert mode(path) == 0o600


def test_connections_use_wal_foreign_keys_and_busy_timeout(sqlite_qiye):
    from sqlalchemy.exc import IntegrityError

    engine = make_engine(resolve_location(sqlite_qiye.url))
    try:
        for _ in range(2):  # every connection, not just the first
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
            engine.dispose()
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO issue (title, enterprise_id, category_id, kind, source, priority, status, "
                "reported_on, created_by, created_at, updated_at, reopen_count) VALUES ('x', 999, 1, "
                "'individual', 'visit', 'normal', 'open', '2023-12-20', 't', '2023-12-20', '2023-12-20', 0)")
    finally:
        engine.dispose()


@pytest.mark.parametrize("command", [("issue", "list"), ("enterprise", "add", "蓝思科技")])
def test_the_command_line_engine_has_the_pragmas(sqlite_qiye, monkeypatch, command):
    from qiye_service.cli import context

    seen = {}
    original = context.AppContext.close

    def close(self):
        for engine in self._engines.values():
            with engine.connect() as conn:
                for pragma in ("journal_mode", "foreign_keys", "busy_timeout", "cell_size_check"):
                    seen[pragma] = conn.exec_driver_sql(f"PRAGMA {pragma}").scalar()
        original(self)

    monkeypatch.setattr(context.AppContext, "close", close)
    sqlite_qiye.ok(*command)
    assert seen["journal_mode"] == "wal" and seen["foreign_keys"] == 1 and seen["busy_timeout"] >= 5000
    # Writers check each page's cells as they load it (issue 25, point 12); readers need not.
    assert seen["cell_size_check"] == (command[0] == "enterprise")


def test_db_upgrade_brings_an_older_database_to_head(sqlite_qiye, tmp_path):
    path = tmp_path / "old.db"
    engine = make_engine(resolve_location(str(path)))
    try:
        upgrade(engine, _schema.REVISIONS[0])
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO enterprise (name, created_at, updated_at) "
                                 "VALUES ('蓝思科技', '2023-12-20', '2023-12-20')")
    finally:
        engine.dispose()
    result = sqlite_qiye.ok("--db", str(path), "db", "upgrade")
    assert result.stderr == f"Database ready at {path} (revision {_schema.HEAD_REVISION}).\n"
    db = Qiye(str(path), {})
    assert db.sql("select version_num from alembic_version") == [(_schema.HEAD_REVISION,)]
    assert db.sql("select name from enterprise") == [("蓝思科技",)]
    again = sqlite_qiye.ok("--db", str(path), "db", "upgrade")  # idempotent
    assert again.stderr == result.stderr


def test_db_info_shows_location_revision_and_counts(filed):
    facts = json.loads(filed.ok("db", "info", "--format", "json").stdout)
    assert list(facts) == ["backend", "location", "revision", "head_revision", *COUNT_KEYS]
    assert facts["location"] == filed.url
    assert (facts["revision"], facts["head_revision"]) == (_schema.HEAD_REVISION, _schema.HEAD_REVISION)
    assert [facts[key] for key in COUNT_KEYS] == [2, 12, 2, 3, 3, 1]
    table = filed.ok("db", "info").stdout
    for text in ("Location", "Schema revision", _schema.HEAD_REVISION, "Issues"):
        assert text in table
    assert "架构版本" in filed.ok("--lang", "zh", "db", "info").stdout


def test_db_info_masks_the_password(pg_schema):
    from sqlalchemy.engine import make_url

    assert PG_URL
    url = make_url(pg_schema_url(pg_schema)).set(password="s3cret").render_as_string(hide_password=False)
    qiye = Qiye(url, {"QIYE_CONFIG_DIR": "/nonexistent-config", "QIYE_LANG": "en", "QIYE_DB": url})
    for args in (("db", "info"), ("db", "info", "--format", "json"), ("db", "upgrade")):
        result = qiye.ok(*args)
        assert "s3cret" not in result.output
        assert ":***@" in result.output
    facts = json.loads(qiye.ok("db", "info", "--format", "json").stdout)
    assert facts["backend"] == "postgresql"
    assert facts["location"] == url.replace(":s3cret@", ":***@")
    assert facts["revision"] == _schema.HEAD_REVISION


def test_first_command_on_an_empty_postgresql_schema_creates_it(pg_schema):
    url = pg_schema_url(pg_schema)
    qiye = Qiye(url, {"QIYE_CONFIG_DIR": "/nonexistent-config", "QIYE_LANG": "en", "QIYE_DB": url})
    assert qiye.sql("select count(*) from information_schema.tables where table_schema = current_schema()") == [(0,)]
    assert qiye.ok("issue", "list", "--format", "json").stdout == "[]\n"
    assert qiye.sql("select version_num from alembic_version") == [(_schema.HEAD_REVISION,)]
    assert qiye.sql("select count(*) from category") == [(12,)]
