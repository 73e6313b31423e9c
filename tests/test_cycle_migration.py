"""Migration 0006 (issue 20): an existing ledger's issues with a department become one active
lead dispatch carrying the issue's dispatch and acknowledgement, and existing callbacks count as
reached. On both backends."""

from __future__ import annotations

import json

from sqlalchemy.engine import Engine

from conftest import Qiye
from qiye_service.db import upgrade
from test_migrations_data import downgrade, first_revision, revision_of  # noqa: F401 (the fixture)


def test_existing_issues_migrate_as_one_lead_dispatch_and_callbacks_as_reached(
        qiye: Qiye, first_revision: Engine) -> None:  # noqa: F811
    upgrade(first_revision, "0005")
    with first_revision.begin() as conn:
        conn.exec_driver_sql("UPDATE issue SET callback_result = 'basic', callback_on = '2023-03-21', "
                             "acknowledged_at = dispatched_at WHERE id = 1")
    upgrade(first_revision)
    assert revision_of(first_revision) >= "0006"  # head: 0007 (issue 20 extend) follows
    rows = qiye.sql("select issue_id, department_id, role, active, due_on, acknowledged_at is not null, "
                    "returned_at from dispatch order by issue_id")
    assert [(r[0], r[1], r[2], bool(r[3]), str(r[4]), bool(r[5]), r[6]) for r in rows] == [
        (1, 1, "lead", True, "2023-03-22", True, None), (3, 2, "lead", True, "2023-04-14", False, None)]
    reached = qiye.sql("select id, callback_reached, return_count, transfer_count from issue order by id")
    assert [(r[0], None if r[1] is None else bool(r[1]), r[2], r[3]) for r in reached] == [
        (1, True, 0, 0), (2, None, 0, 0), (3, None, 0, 0)]
    assert qiye.ok("db", "check").exit_code == 0
    summary = json.loads(qiye.ok("report", "summary", "--format", "json").stdout)
    assert summary  # the reports read the migrated ledger as before

    downgrade(first_revision, "0005")
    assert revision_of(first_revision) == "0005"
    assert "dispatch" not in {r[0] for r in qiye.sql(
        "select table_name from information_schema.tables where table_schema = current_schema()"
        if qiye.url.startswith("postgresql") else "select name from sqlite_master where type = 'table'")}
    upgrade(first_revision)
    assert len(qiye.sql("select id from dispatch")) == 2
