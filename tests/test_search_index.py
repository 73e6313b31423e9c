"""`--search` through the search index (migration 0002) finds exactly what a plain scan finds.

The oracle is Python's own substring test over every issue's title, description, resolution
and enterprise name (ASCII case folded, as ILIKE does on both backends for these strings);
the index must agree with it after edits, close-outs, reopens and enterprise renames, for
Chinese strings of 1, 2 and 3+ characters. On SQLite the plan must read the FTS5 table; on
PostgreSQL the GIN trigram indexes must give the same rows as a sequential scan.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

SEARCHES = (
    # 1 character
    "消", "防", "园", "制", "x", "%", "_",
    # 2 characters (FTS5 trigram MATCH cannot take these; the index answers through its terms)
    "消防", "验收", "通过", "蓝思", "技术", "药业", "国际", "防火", "Ro", "ac", "科技",
    # 3+ characters
    "消防验收", "防验收", "二期厂房消防验收未通过", "车道宽度", "蓝思科技", "九典制药", "星沙国际科技",
    "road access", "ACCESS", "for phase", "已完成整改", "宽度不足请", "不存在的词语",
)


def file_ledger(qiye) -> None:  # type: ignore[no-untyped-def]
    qiye.ok("enterprise", "add", "蓝思科技", "--zone", "北园")
    qiye.ok("enterprise", "add", "九典制药", "--zone", "南园")
    qiye.ok("enterprise", "add", "星沙药业")
    qiye.ok("department", "add", "消防救援大队")
    rows = [
        ("二期厂房消防验收未通过", "蓝思科技", "消防验收", "消防车道宽度不足请协调"),
        ("消防", "九典制药", "fire-acceptance", None),  # the whole title is the 2-character string
        ("新建产线用电增容", "九典制药", "water-power", "变压器容量不足，影响投产；不涉及消"),
        ("Road ACCESS for phase two", "蓝思科技", "road", "road access blocked"),
        ("技术人才子女入学", "星沙药业", "talent", "人才公寓不足"),
        ("防火门等级不符合设计要求", "星沙药业", "fire-acceptance", "50%_done \\ 100%"),
    ]
    for title, enterprise, category, desc in rows:
        args = ["issue", "add", title, "-e", enterprise, "-c", category, "--reported", "2023-12-01"]
        if desc:
            args += ["--desc", desc]
        qiye.ok(*args)
    # Every write path that touches the searched text: edits, close-out, reopen, rename.
    qiye.ok("issue", "edit", "3", "--title", "新建产线用电增容（二期）", "--desc", "供电专线排期长")
    qiye.ok("issue", "start", "1")
    qiye.ok("issue", "resolve", "1", "--note", "已完成整改，通过复验", "--on", "2023-12-10")
    qiye.ok("issue", "resolve", "5", "--note", "协调教育局解决学位", "--on", "2023-12-11")
    qiye.ok("issue", "reopen", "5", "--note", "企业反映仍未落实")
    qiye.ok("issue", "edit", "6", "--enterprise", "蓝思科技")
    qiye.ok("enterprise", "edit", "星沙药业", "--name", "星沙国际科技")


def expected_ids(qiye, needle: str) -> list[int]:  # type: ignore[no-untyped-def]
    rows = qiye.sql(
        "SELECT issue.id, issue.title, issue.description, issue.resolution, enterprise.name "
        "FROM issue JOIN enterprise ON enterprise.id = issue.enterprise_id ORDER BY issue.id"
    )
    wanted = needle.lower()
    return [row[0] for row in rows if any(wanted in (text or "").lower() for text in row[1:])]


def listed_ids(qiye, needle: str) -> list[int]:  # type: ignore[no-untyped-def]
    out = qiye.ok("issue", "list", "--status", "all", "--search", needle, "--sort", "id", "--format", "json")
    return [row["id"] for row in json.loads(out.stdout)]


def test_search_matches_a_scan_for_1_2_and_3_plus_characters(qiye):
    file_ledger(qiye)
    for needle in SEARCHES:
        assert listed_ids(qiye, needle) == expected_ids(qiye, needle), needle
    # The rename reached the index: the old name is gone, the new one found.
    assert listed_ids(qiye, "星沙药业") == []
    assert listed_ids(qiye, "星沙国际") == expected_ids(qiye, "星沙国际") == [5]


def test_search_matches_a_scan_after_deletes(sqlite_qiye):
    # No command deletes issues; the trigger must still keep the index right when SQL does.
    file_ledger(sqlite_qiye)
    sqlite_qiye.sql("DELETE FROM event WHERE issue_id IN (2, 4)")
    sqlite_qiye.sql("DELETE FROM issue WHERE id = 2")
    sqlite_qiye.sql("UPDATE issue SET id = 20 WHERE id = 4")
    for needle in ("消防", "消", "消防验收", "road", "access"):
        assert listed_ids(sqlite_qiye, needle) == expected_ids(sqlite_qiye, needle), needle
    sqlite_qiye.ok("issue", "comment", "1", "跟进")  # applies the pending changes
    for needle in ("消防", "消", "消防验收", "road", "access"):
        assert listed_ids(sqlite_qiye, needle) == expected_ids(sqlite_qiye, needle), needle
    assert sqlite_qiye.sql("INSERT INTO issue_search(issue_search) VALUES ('integrity-check')") == []


def _plan(qiye, needle: str) -> str:  # type: ignore[no-untyped-def]
    """EXPLAIN QUERY PLAN of the statement `issue list --search` runs, through the real services."""
    from datetime import date

    from sqlmodel import Session

    from qiye_service.models import UNRESOLVED_STATUSES
    from qiye_service.services import queries
    from qiye_service.services.filters import IssueFilter, apply_filter, resolve_filter

    engine = qiye.engine()
    try:
        with Session(engine) as session:
            flt = resolve_filter(session, IssueFilter(search=needle), default_statuses=list(UNRESOLVED_STATUSES))
            stmt = apply_filter(queries.issue_select(), flt, today=date(2023, 12, 20))
            stmt = stmt.order_by(*queries.order_clauses(None)).limit(50)
            compiled = stmt.compile(engine, compile_kwargs={"literal_binds": True})
            rows = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
            return "\n".join(str(row[-1]) for row in rows)
    finally:
        engine.dispose()


@pytest.mark.parametrize("needle", ["消防", "消防验收", "蓝思科技", "消"])
def test_sqlite_search_reads_the_fts_index(sqlite_qiye, needle):
    file_ledger(sqlite_qiye)
    plan = _plan(sqlite_qiye, needle)
    assert "issue_search VIRTUAL TABLE INDEX" in plan, plan
    # No unindexed pass over the issue table: either the candidates by id, or a sort index.
    assert not any(line.strip() in ("SCAN issue", "SCAN issue_1") for line in plan.splitlines()), plan


def test_sqlite_string_with_no_indexed_terms_is_answered_without_a_scan(sqlite_qiye):
    file_ledger(sqlite_qiye)
    plan = _plan(sqlite_qiye, "鑫")  # no trigram starts with 鑫: only the (empty) pending list to read
    assert "issue_search VIRTUAL TABLE" not in plan and "issue_search_pending" in plan, plan
    assert listed_ids(sqlite_qiye, "鑫") == []


def test_sqlite_changes_by_other_programs_are_found_before_and_after_the_next_sync(sqlite_qiye):
    file_ledger(sqlite_qiye)
    assert sqlite_qiye.sql("SELECT count(*) FROM issue_search_pending") == [(0,)]  # every command synced
    sqlite_qiye.sql("UPDATE issue SET title = '外部程序改的标题' WHERE id = 3")
    sqlite_qiye.sql("UPDATE enterprise SET name = '九典制药集团' WHERE name = '九典制药'")
    for needle in ("外部程序", "外部", "新建产线", "九典制药集团", "集团", "九典制药"):
        assert listed_ids(sqlite_qiye, needle) == expected_ids(sqlite_qiye, needle), needle
    sqlite_qiye.ok("issue", "comment", "1", "跟进")  # any qiye write brings the index up to date
    assert sqlite_qiye.sql("SELECT count(*) FROM issue_search_pending") == [(0,)]
    for needle in ("外部程序", "外部", "新建产线", "九典制药集团", "集团", "九典制药"):
        assert listed_ids(sqlite_qiye, needle) == expected_ids(sqlite_qiye, needle), needle


def test_postgresql_trigram_indexes_give_the_scan_result(qiye, backend):
    if backend != "postgresql":
        pytest.skip("PostgreSQL's GIN trigram indexes")
    file_ledger(qiye)
    names = {row[0] for row in qiye.sql(
        "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND right(indexname, 5) = '_trgm'")}
    assert names >= {"ix_issue_title_trgm", "ix_issue_description_trgm", "ix_issue_resolution_trgm",
                     "ix_enterprise_name_trgm"}
    engine = qiye.engine()
    try:
        with engine.connect() as conn:
            def titles(needle: str, *, index: bool) -> list[int]:
                conn.exec_driver_sql(f"SET enable_seqscan = {'off' if index else 'on'}")
                conn.exec_driver_sql(f"SET enable_bitmapscan = {'on' if index else 'off'}")
                statement = "SELECT id FROM issue WHERE title ILIKE %(p)s OR description ILIKE %(p)s " \
                            "OR resolution ILIKE %(p)s ORDER BY id"
                return [row[0] for row in conn.exec_driver_sql(statement, {"p": f"%{needle}%"})]

            for needle in ("消防验收", "车道宽度", "road access", "已完成整改"):
                assert titles(needle, index=True) == titles(needle, index=False), needle
            conn.exec_driver_sql("SET enable_seqscan = off")
            conn.exec_driver_sql("SET enable_bitmapscan = on")
            plan = "\n".join(row[0] for row in conn.exec_driver_sql(
                "EXPLAIN SELECT id FROM issue WHERE title ILIKE %(p)s", {"p": "%消防验收%"}))
            assert "ix_issue_title_trgm" in plan, plan
    finally:
        engine.dispose()


def test_postgresql_search_is_answered_by_the_trigram_indexes(qiye, backend):
    if backend != "postgresql":
        pytest.skip("PostgreSQL's GIN trigram indexes")
    from sqlmodel import Session

    from qiye_service.models import Issue
    from qiye_service.services.filters import IssueFilter, apply_filter, resolve_filter

    file_ledger(qiye)
    engine = qiye.engine()
    try:
        with Session(engine) as session:
            flt = resolve_filter(session, IssueFilter(search="消防验收"), default_statuses=None)
            stmt = apply_filter(select(func.count()).select_from(Issue), flt, today=date(2023, 12, 20))
            compiled = stmt.compile(engine, compile_kwargs={"literal_binds": True})
            conn = session.connection()
            conn.exec_driver_sql("SET enable_seqscan = off")
            plan = "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {compiled}".replace("%", "%%")))
    finally:
        engine.dispose()
    # Every arm of the OR from an index: a rare string costs a few index pages, not a pass over the table.
    assert "BitmapOr" in plan and "ix_issue_title_trgm" in plan and "ix_issue_enterprise_id" in plan, plan
