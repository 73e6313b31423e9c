"""Shared fixtures: every test gets its own database (SQLite always, PostgreSQL when
QIYE_TEST_PG_URL is set), its own config dir, a pinned clock and a CLI runner.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from qiye_service.cli import app

PG_URL = os.environ.get("QIYE_TEST_PG_URL")
PINNED_NOW = "2023-12-20T10:00:00+08:00"  # a Wednesday; week 2023-W51
BACKENDS = ["sqlite", "postgresql"]


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class Qiye:
    """Runs `qiye` in-process against one test database."""

    def __init__(self, url: str, env: dict[str, str]) -> None:
        self.url = url
        self.env = env
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        merged = {**self.env, **(env or {})}
        result = self.runner.invoke(app, list(args), input=input, env=merged, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    def ok(self, *args: str, **kwargs: Any) -> Result:
        result = self(*args, **kwargs)
        assert result.exit_code == 0, f"qiye {' '.join(args)} failed ({result.exit_code}):\n{result.output}"
        return result

    def run_process(self, *args: str, env: dict[str, str] | None = None, input: str | None = None,
                    timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """`qiye` as a real subprocess, for what only a process shows (exit codes, imports, signals)."""
        merged = {**os.environ, **self.env, **(env or {})}
        return subprocess.run([sys.executable, "-m", "qiye_service", *args], capture_output=True, text=True,
                              env=merged, input=input, timeout=timeout)

    def engine(self):  # type: ignore[no-untyped-def]
        from qiye_service.db import make_engine, resolve_location

        return make_engine(resolve_location(self.url))

    def sql(self, statement: str, **params: Any) -> list[tuple]:
        from sqlalchemy import text

        engine = self.engine()
        try:
            with engine.begin() as conn:
                result = conn.execute(text(statement), params)
                return [tuple(row) for row in result] if result.returns_rows else []
        finally:
            engine.dispose()


# What the tester's terminal, locale, clock and qiye settings must not change (issue 18): the
# whole session, in-process runs and the processes tests start, sees this environment. A test
# about one of these sets it itself (`env={"TERM": "dumb"}`). None: not set.
KNOWN_ENVIRONMENT: dict[str, str | None] = {
    "TERM": "xterm-256color", "COLORTERM": None, "NO_COLOR": "1", "FORCE_COLOR": None, "CLICOLOR": None,
    "CLICOLOR_FORCE": None, "TTY_COMPATIBLE": None, "TTY_INTERACTIVE": None, "COLUMNS": "200", "LINES": "50",
    "LANG": "C.UTF-8", "LC_ALL": None, "LC_CTYPE": None, "LC_MESSAGES": None, "LANGUAGE": None,
    "TZ": "UTC",
    "QIYE_LANG": "en", "QIYE_TZ": None, "QIYE_DEBUG": None, "QIYE_CACHE_DIR": None,
    "QIYE_BUSY_TIMEOUT": None, "QIYE_CONNECT_TIMEOUT": None,
}


def command_tree() -> list[tuple[tuple[str, ...], Any]]:
    """Every group and command of `qiye` with its path (`("issue", "list")`; `()` for the root)."""
    import typer.main

    def walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
        yield path, command
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, (*path, name))

    return list(walk(typer.main.get_command(app), ()))


@pytest.fixture(scope="session", autouse=True)
def known_environment() -> Iterator[None]:
    """KNOWN_ENVIRONMENT for the session, before any module builds its ledger."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in KNOWN_ENVIRONMENT.items():
            if value is None:
                patch.delenv(name, raising=False)
            else:
                patch.setenv(name, value)
        time.tzset()
        yield
    time.tzset()


@pytest.fixture(scope="session", autouse=True)
def command_built_once() -> Iterator[None]:
    """typer rebuilds the click command tree on every invoke (about half of a short command's
    time in-process); the tree never changes during a run, so build it once.
    """
    import typer.testing

    original = typer.testing._get_command
    built = original(app)
    typer.testing._get_command = lambda typer_app: built if typer_app is app else original(typer_app)
    yield
    typer.testing._get_command = original


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated empty SQLite database, copied for each test (migrating each time is slow)."""
    from qiye_service.db import ensure_schema, make_engine, resolve_location

    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(resolve_location(str(path)))
    ensure_schema(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def pg_schema_url(schema: str) -> str:
    assert PG_URL
    separator = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def pg_trgm_installed() -> None:
    """pg_trgm in `public`, once: migrations on parallel test schemas must not race to create it."""
    import psycopg

    plain = str(PG_URL).replace("postgresql+psycopg://", "postgresql://")
    for _ in range(5):
        try:
            with psycopg.connect(plain, autocommit=True) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
            return
        except psycopg.errors.UniqueViolation:  # another worker created it a moment ago
            continue


@pytest.fixture
def pg_schema(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh PostgreSQL schema, dropped afterwards."""
    if not PG_URL:
        pytest.skip("PostgreSQL tests need QIYE_TEST_PG_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    import psycopg

    request.getfixturevalue("pg_trgm_installed")

    schema = f"t_{uuid.uuid4().hex[:12]}"
    plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield schema
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, sqlite_template: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        path = tmp_path / "qiye.db"
        shutil.copyfile(sqlite_template, path)
        os.chmod(path, 0o600)
        return str(path)
    schema = request.getfixturevalue("pg_schema")
    return pg_schema_url(schema)


@pytest.fixture
def base_env(tmp_path: Path) -> dict[str, str]:
    config_dir = tmp_path / "config"
    return {
        "QIYE_CONFIG_DIR": str(config_dir),
        "QIYE_NOW": PINNED_NOW,
        "QIYE_USER": "tester",
        "QIYE_LANG": "en",
        "NO_COLOR": "1",
        "COLUMNS": "200",
        "LANG": "C.UTF-8",
    }


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, base_env: dict[str, str], tmp_path: Path) -> None:
    """Nothing a test does can reach the user's real database or config."""
    monkeypatch.setenv("QIYE_DB", str(tmp_path / "default-unused.db"))
    for key, value in base_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("QIYE_DEBUG", raising=False)


@pytest.fixture
def qiye(database_url: str, base_env: dict[str, str]) -> Qiye:
    return Qiye(database_url, {**base_env, "QIYE_DB": database_url})


@pytest.fixture
def sqlite_qiye(tmp_path: Path, sqlite_template: Path, base_env: dict[str, str]) -> Qiye:
    """For tests about SQLite itself (files, modes, pragmas)."""
    path = tmp_path / "qiye.db"
    shutil.copyfile(sqlite_template, path)
    os.chmod(path, 0o600)
    return Qiye(str(path), {**base_env, "QIYE_DB": str(path)})


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """The bundled sample ledger (`qiye init --sample`, 174 issues), built once per module."""
    import sqlite3

    folder = tmp_path_factory.mktemp("sample")
    path = folder / "sample.db"
    shutil.copyfile(sqlite_template, path)
    env = {**os.environ, "QIYE_DB": str(path), "QIYE_CONFIG_DIR": str(folder / "config"), "QIYE_NOW": PINNED_NOW,
           "QIYE_USER": "tester", "QIYE_LANG": "en"}
    subprocess.run([sys.executable, "-m", "qiye_service", "init", "--sample"], env=env, check=True,
                   capture_output=True, timeout=300)
    with sqlite3.connect(path) as conn:
        conn.execute("pragma wal_checkpoint(truncate)")
    return path


@pytest.fixture
def sample(backend: str, tmp_path: Path, sample_file: Path, base_env: dict[str, str],
           request: pytest.FixtureRequest) -> Qiye:
    """The sample ledger on this test's backend, a copy of its own."""
    if backend == "sqlite":
        path = tmp_path / "qiye.db"
        shutil.copyfile(sample_file, path)
        path.chmod(0o600)
        return Qiye(str(path), {**base_env, "QIYE_DB": str(path)})
    url = pg_schema_url(request.getfixturevalue("pg_schema"))
    qiye = Qiye(url, {**base_env, "QIYE_DB": url})
    qiye.ok("db", "restore", str(sample_file), "--yes")
    return qiye


@pytest.fixture
def filed(qiye: Qiye) -> Qiye:
    """A database with two enterprises, two departments and three issues."""
    qiye.ok("enterprise", "add", "蓝思科技", "--zone", "北园", "--industry", "显示功能器件及电子材料")
    qiye.ok("enterprise", "add", "九典制药", "--zone", "南园", "--industry", "生物医药")
    qiye.ok("department", "add", "消防救援大队")
    qiye.ok("department", "add", "国网浏阳供电公司")
    qiye.ok("issue", "add", "二期厂房消防验收未通过", "-e", "蓝思科技", "-c", "消防验收", "--dept", "消防救援大队",
            "--owner", "王强", "--reported", "2023-12-01", "--due", "2023-12-15", "--desc", "消防车道宽度不足")
    qiye.ok("issue", "add", "新建产线用电增容", "-e", "九典制药", "-c", "water-power", "--dept", "国网浏阳供电公司",
            "--owner", "李娜", "--reported", "2023-12-05", "--due", "2024-01-10", "--priority", "high",
            "--tag", "重点项目")
    qiye.ok("issue", "add", "Road access for phase two", "-e", "蓝思科技", "-c", "Road construction",
            "--reported", "2023-11-20", "--kind", "common")
    return qiye
