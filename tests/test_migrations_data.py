"""Migrations keep data: a ledger written at the first revision (issues, events with their
hash chain, tags) comes through every upgrade row for row, and the latest revision can be
downgraded and upgraded again without losing anything. On both backends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import MetaData, inspect, select
from sqlalchemy.engine import Connection, Engine

from conftest import Qiye
from qiye_service import _schema
from qiye_service.db import alembic_config, make_engine, resolve_location, upgrade
from qiye_service.services.history import encode_value, event_hash

FIRST = _schema.REVISIONS[0]
QIYE_TABLES = ("category", "department", "enterprise", "tag", "issue", "event", "issue_tag")


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def revision_of(engine: Engine) -> str:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()


def rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the first revision's tables, through the columns that revision had."""
    metadata = MetaData()
    with engine.connect() as conn:
        metadata.reflect(conn, only=list(QIYE_TABLES))
        found = {}
        for name in QIYE_TABLES:
            table = metadata.tables[name]
            columns = [table.c[column] for column in FIRST_COLUMNS[name]]
            found[name] = [tuple(r) for r in conn.execute(select(*columns).order_by(*table.primary_key.columns))]
        return found


FIRST_COLUMNS: dict[str, list[str]] = {}


def write_first_revision_ledger(conn: Connection) -> None:
    """A small ledger written straight into the first revision's tables, as that build did."""
    metadata = MetaData()
    metadata.reflect(conn, only=list(QIYE_TABLES))
    for name in QIYE_TABLES:
        FIRST_COLUMNS[name] = [c.name for c in metadata.tables[name].columns]
    t = metadata.tables
    at = datetime(2023, 3, 1, 2, 30, 15, 123456)
    conn.execute(t["category"].insert(), [{"code": "environment", "name_zh": "环评手续", "name_en": "Environmental approval"}])
    conn.execute(t["department"].insert(), [{"name": "消防救援大队"}, {"name": "国网浏阳供电公司"}])
    conn.execute(t["enterprise"].insert(), [
        {"name": "蓝思科技", "credit_code": "91430100MA4L16JQ9B", "zone": "北园", "industry": "电子信息",
         "contact": "张三", "phone": "0731-83281234", "liaison": "李明", "created_at": at, "updated_at": at},
        {"name": "O'Brien 精密; DROP TABLE issue;--", "credit_code": None, "zone": "南园", "industry": None,
         "contact": None, "phone": None, "liaison": None, "created_at": at, "updated_at": at},
    ])
    conn.execute(t["tag"].insert(), [{"name": "重点项目"}, {"name": "市级督办"}])
    road = conn.execute(select(t["category"].c.id).where(t["category"].c.code == "road")).scalar_one()
    fire = conn.execute(select(t["category"].c.id).where(t["category"].c.code == "fire-acceptance")).scalar_one()

    issues = [
        # id, title, enterprise, category, department, owner, reported, due, status, resolved_on, resolution, tags
        (1, "二期厂房消防验收未通过", 1, fire, 1, "王强", date(2023, 3, 1), date(2023, 3, 22), "resolved",
         date(2023, 3, 20), "已完成消防验收", ["重点项目"]),
        (2, "园区主干道破损严重\n多家企业反映", 2, road, None, None, date(2023, 3, 2), None, "deferred", None, None,
         ["市级督办", "重点项目"]),
        (3, "新建产线用电增容", 1, road, 2, "李娜", date(2023, 3, 3), date(2023, 4, 14), "open", None, None, []),
    ]
    for (issue_id, title, enterprise, category, department, owner, reported, due, status, resolved_on,
         resolution, tags) in issues:
        created = {"title": title, "description": "企业反映 '引号' \"双引号\"", "enterprise_id": enterprise,
                   "project": None, "category_id": category, "kind": "individual", "source": "visit",
                   "priority": "normal", "status": "open", "department_id": department, "owner": owner,
                   "reported_on": encode_value(reported), "due_on": encode_value(due), "resolved_on": None,
                   "resolution": None, "tags": tags}
        history: list[tuple[str, str | None, str | None, str | None, str | None]] = [
            ("created", None, None, json.dumps(created, ensure_ascii=False, sort_keys=True), None)]
        if status == "resolved":
            history += [("status", "status", "open", "resolved", resolution),
                        ("edited", "resolved_on", None, encode_value(resolved_on), None),
                        ("edited", "resolution", None, resolution, None)]
        elif status == "deferred":
            history += [("comment", None, None, None, "已与规划局对接"), ("status", "status", "open", "deferred", "待规划调整")]
        head = None
        events = []
        for n, (action, field, old, new, note) in enumerate(history):
            when = at.replace(minute=n)
            head = event_hash(head, issue_id, when, "李明", action, field, old, new, note)
            events.append({"issue_id": issue_id, "at": when, "actor": "李明", "action": action,
                           "field": field, "old": old, "new": new, "note": note, "hash": head})
        conn.execute(t["issue"].insert(), [{
            "title": title, "description": created["description"], "enterprise_id": enterprise,
            "project": None, "category_id": category, "kind": "individual", "source": "visit",
            "priority": "normal", "status": status, "department_id": department, "owner": owner,
            "reported_on": reported, "due_on": due, "resolved_on": resolved_on, "resolution": resolution,
            "created_by": "李明", "created_at": at, "updated_at": at, "dispatched_at": at if department else None,
            "acknowledged_at": None, "acknowledge_by": None, "escalated_at": None, "callback_result": None,
            "callback_on": None, "reopen_count": 0, "history_hash": head}])
        conn.execute(t["event"].insert(), events)
        for tag in tags:
            conn.execute(t["issue_tag"].insert(), [{"issue_id": issue_id, "tag_id": 1 if tag == "重点项目" else 2}])


@pytest.fixture
def first_revision(qiye: Qiye) -> Iterator[Engine]:
    """The test database at the first revision, holding the ledger above."""
    engine = make_engine(resolve_location(qiye.url))
    if qiye.url.startswith("postgresql"):
        upgrade(engine, FIRST)
    else:  # the template is at head: start over at the first revision
        downgrade(engine, "base")
        upgrade(engine, FIRST)
    assert revision_of(engine) == FIRST
    with engine.begin() as conn:
        write_first_revision_ledger(conn)
    yield engine
    engine.dispose()


def test_a_first_revision_ledger_upgrades_row_for_row(qiye: Qiye, first_revision: Engine) -> None:
    before = rows(first_revision)
    assert [len(before[t]) for t in ("issue", "event", "tag", "issue_tag")] == [3, 8, 2, 3]
    # Any command brings the database to head first.
    listed = json.loads(qiye.ok("issue", "list", "--status", "all", "--format", "json").stdout)
    assert [r["id"] for r in listed] == [1, 2, 3]
    assert revision_of(first_revision) == _schema.HEAD_REVISION
    assert rows(first_revision) == before
    assert qiye.ok("db", "check").exit_code == 0  # the hash chains and histories came through whole
    shown = json.loads(qiye.ok("issue", "show", "2", "--format", "json").stdout)
    assert shown["title"] == "园区主干道破损严重\n多家企业反映"
    assert shown["enterprise"] == "O'Brien 精密; DROP TABLE issue;--"
    assert shown["tags"] == ["市级督办", "重点项目"]
    assert [e["action"] for e in shown["events"]] == ["created", "comment", "status"]
    # Search covers rows written before its index existed.
    found = json.loads(qiye.ok("issue", "list", "--status", "all", "--search", "消防验收", "--format", "json").stdout)
    assert [r["id"] for r in found] == [1]
    qiye.ok("issue", "add", "升级之后登记", "-e", "蓝思科技", "-c", "环评手续", "--tag", "重点项目")
    assert qiye.sql("select max(id) from issue")[0][0] == 4


WRITE_ONLY_INDEXES = {"ix_issue_kind", "ix_issue_priority", "ix_event_at"}  # dropped by 0003


def write_only_indexes(engine: Engine) -> set[str]:
    found = {i["name"] for table in ("issue", "event") for i in inspect(engine).get_indexes(table)}
    return found & WRITE_ONLY_INDEXES


def has_search_index(engine: Engine, url: str) -> bool:
    if url.startswith("postgresql"):
        return any(i["name"].endswith("_trgm") for i in inspect(engine).get_indexes("issue"))
    return any(name.startswith("issue_search") for name in inspect(engine).get_table_names())


def test_each_revision_downgrades_and_upgrades_again_keeping_every_row(qiye: Qiye, first_revision: Engine) -> None:
    upgrade(first_revision)
    qiye.ok("issue", "comment", "3", "已派单")
    qiye.ok("issue", "resolve", "3", "--note", "已增容", "--on", "2023-04-01")
    at_head = rows(first_revision)
    assert write_only_indexes(first_revision) == set()
    assert has_search_index(first_revision, qiye.url)

    downgrade(first_revision, "0002")
    assert revision_of(first_revision) == "0002"
    assert rows(first_revision) == at_head
    assert write_only_indexes(first_revision) == WRITE_ONLY_INDEXES
    downgrade(first_revision, "0001")
    assert revision_of(first_revision) == "0001"
    assert rows(first_revision) == at_head
    assert not has_search_index(first_revision, qiye.url)

    upgrade(first_revision)
    assert revision_of(first_revision) == _schema.HEAD_REVISION
    assert rows(first_revision) == at_head
    assert write_only_indexes(first_revision) == set()
    assert qiye.ok("db", "check").exit_code == 0
    found = json.loads(qiye.ok("issue", "list", "--status", "all", "--search", "已增容", "--format", "json").stdout)
    assert [r["id"] for r in found] == [3]


def test_the_first_revision_downgrades_to_nothing_and_back(qiye: Qiye, first_revision: Engine) -> None:
    downgrade(first_revision, "base")
    assert not set(QIYE_TABLES) & set(inspect(first_revision).get_table_names())
    upgrade(first_revision)
    categories = qiye.ok("category", "list", "--format", "csv").stdout.splitlines()
    assert len(categories) == 1 + 12 and categories[1].startswith("land-acquisition,征拆,")
