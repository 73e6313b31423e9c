"""Ledgers shared by the CLI test modules: the issues they file, and a database built once
per module and backend for tests that only read it (building one costs a dozen commands).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import PG_URL, PINNED_NOW, Qiye, pg_schema_url


def file_three(qiye: Qiye) -> None:
    """The same two enterprises, two departments and three issues as conftest's `filed`."""
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


def add_ledger_issues(qiye: Qiye) -> None:
    """To the three issues, add a resolved one (#4) of a third enterprise and a deferred one (#5).

    #1 蓝思科技 fire-acceptance normal open, 消防救援大队/王强, reported 12-01, due 12-15 (overdue)
    #2 九典制药 water-power high open, 国网浏阳供电公司/李娜, reported 12-05, due 2024-01-10, tag 重点项目
    #3 蓝思科技 road common normal open, reported 11-20, due 12-11 (15 working days; overdue)
    #4 Acme Robotics road urgent resolved 11-02, owner 王强, reported 10-09, due 10-31, tags 防汛 重点项目 VIP
    #5 九典制药 financing common low deferred, reported 12-18, due 2024-03-31
    """
    qiye.ok("enterprise", "add", "Acme Robotics", "--zone", "北园", "--industry", "智能装备")
    qiye.ok("issue", "add", "厂区道路积水", "-e", "Acme Robotics", "-c", "road", "--reported", "2023-10-09",
            "--due", "2023-10-31", "--priority", "urgent", "--owner", "王强", "--tag", "防汛", "--tag", "重点项目",
            "--tag", "VIP")
    qiye.ok("issue", "resolve", "4", "--note", "已完成排水管网改造", "--on", "2023-11-02")
    qiye.ok("issue", "add", "融资担保额度不足", "-e", "九典制药", "-c", "financing", "--reported", "2023-12-18",
            "--due", "2024-03-31", "--priority", "low", "--kind", "common")
    qiye.ok("issue", "defer", "5", "--note", "待省级政策出台")


def _admin_url() -> str:
    assert PG_URL
    return PG_URL.replace("postgresql+psycopg://", "postgresql://")


def module_database(backend: str, folder: Path, sqlite_template: Path,
                    build: Callable[[Qiye], None]) -> Iterator[Qiye]:
    """A Qiye on a new database of `backend` in `folder`, filled by `build`; dropped afterwards."""
    schema = None
    if backend == "sqlite":
        url = str(folder / "qiye.db")
        shutil.copyfile(sqlite_template, url)
        os.chmod(url, 0o600)
    else:
        if not PG_URL:
            pytest.skip("PostgreSQL tests need QIYE_TEST_PG_URL")
        import psycopg

        schema = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(_admin_url(), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        url = pg_schema_url(schema)
    env = {"QIYE_CONFIG_DIR": str(folder / "config"), "QIYE_NOW": PINNED_NOW, "QIYE_USER": "tester",
           "QIYE_LANG": "en", "NO_COLOR": "1", "COLUMNS": "200", "LANG": "C.UTF-8", "QIYE_DB": url}
    qiye = Qiye(url, env)
    try:
        build(qiye)
        yield qiye
    finally:
        if schema is not None:
            import psycopg

            with psycopg.connect(_admin_url(), autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def table_names(qiye: Qiye) -> list[str]:
    if qiye.url.startswith("postgresql"):
        rows = qiye.sql("select tablename from pg_tables where schemaname = current_schema() order by 1")
    else:
        rows = qiye.sql("select name from sqlite_master where type = 'table' order by 1")
    return [name for (name,) in rows]


def dump(qiye: Qiye) -> dict[str, list[tuple]]:
    """Every row of every table, to show that a failed command wrote nothing."""
    from sqlalchemy import text

    engine = qiye.engine()
    try:
        with engine.connect() as conn:
            return {
                name: sorted((tuple(row) for row in conn.execute(text(f'SELECT * FROM "{name}"'))), key=repr)
                for name in table_names(qiye)
            }
    finally:
        engine.dispose()
