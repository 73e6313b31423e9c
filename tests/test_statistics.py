"""SQLite planner statistics (benchmarks, issue 7): written when the issue table has none or has
doubled since, so the planner finds `resolved this week` through resolved_on, not status.
"""

from __future__ import annotations

from qiye_service import db


def stat_rows(qiye) -> int | None:  # type: ignore[no-untyped-def]
    found = qiye.sql("SELECT stat FROM sqlite_stat1 WHERE tbl = 'issue' AND idx = 'ix_issue_status_due'")
    return int(found[0][0].split()[0]) if found else None


def file_issues(qiye, count: int) -> None:  # type: ignore[no-untyped-def]
    for number in range(count):
        qiye.ok("issue", "add", f"问题{number}", "-e", "蓝思科技", "-c", "消防验收", "--reported", "2023-12-01")


def test_statistics_follow_the_ledger_as_it_doubles(sqlite_qiye, monkeypatch):
    monkeypatch.setattr(db, "STATISTICS_FROM_ROWS", 3)
    sqlite_qiye.ok("enterprise", "add", "蓝思科技")
    file_issues(sqlite_qiye, 2)
    assert sqlite_qiye.sql("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'") == [(0,)]
    file_issues(sqlite_qiye, 1)
    assert stat_rows(sqlite_qiye) == 3  # the first time the table is large enough
    file_issues(sqlite_qiye, 3)
    assert stat_rows(sqlite_qiye) == 3  # 6 is not more than twice 3
    file_issues(sqlite_qiye, 1)
    assert stat_rows(sqlite_qiye) == 7


def test_the_weekly_closed_list_uses_resolved_on_once_analyzed(sqlite_qiye):
    engine = sqlite_qiye.engine()
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO enterprise(id, name, created_at, updated_at) VALUES (1, 'e', '2023-01-01', '2023-01-01')")
            conn.exec_driver_sql(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
                "INSERT INTO issue(id, title, enterprise_id, category_id, kind, source, priority, status, reported_on,"
                " resolved_on, due_on, created_by, created_at, updated_at, reopen_count) "
                "SELECT i, 't', 1, 1 + i % 12, 'individual', 'visit', 'normal',"
                " CASE WHEN i % 4 THEN 'resolved' ELSE 'open' END, date('2019-01-01', '+' || (i % 2900) || ' days'),"
                " CASE WHEN i % 4 THEN date('2019-01-02', '+' || (i % 2900) || ' days') END,"
                " date('2019-02-01', '+' || (i % 2900) || ' days'), 'x', '2023-01-01', '2023-01-01', 0 FROM n")
            plan = "SELECT id FROM issue WHERE status = 'resolved' AND resolved_on >= '2023-11-20' " \
                   "AND resolved_on <= '2023-11-26'"
            before = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {plan}"))
            db.refresh_statistics(conn)
            after = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {plan}"))
    finally:
        engine.dispose()
    assert "ix_issue_resolved_on" not in before  # the status index, walking 15,000 rows
    assert "ix_issue_resolved_on" in after
