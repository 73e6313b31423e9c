"""Issue 18 point 6 through the real CLI: `issue show`'s supervision state and previous
close-out, history JSON with codes and names, list footers, `issue tag`'s report, and
`report trend` over the data's range.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine


@pytest.fixture
def statements():
    """Every SQL statement the command runs (in-process), to see what it asked the database."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        seen.append(statement.lower())

    event.listen(Engine, "before_cursor_execute", record)
    yield seen
    event.remove(Engine, "before_cursor_execute", record)


def _counts(seen: list[str]) -> int:
    return sum(1 for s in seen if "count(*)" in s and "from issue" in s)


# --- footers (d) --------------------------------------------------------------------------------


def test_footer_says_how_many_matched_when_the_limit_cut_the_list(filed, statements):
    assert filed.ok("issue", "list", "--status", "all", "--limit", "2").stderr == "2 of 3 rows\n"
    assert _counts(statements) == 1
    assert filed.ok("issue", "list", "--status", "all", "-n", "1").stderr == "1 of 3 rows\n"
    assert filed.ok("--lang", "zh", "issue", "list", "--status", "all", "--limit", "2").stderr == "共 3 条，显示 2 条\n"


def test_footer_counts_only_when_the_limit_was_reached(filed, statements):
    assert filed.ok("issue", "list", "--status", "all", "--limit", "5").stderr == "3 rows\n"
    assert filed.ok("issue", "list", "--status", "all").stderr == "3 rows\n"
    assert _counts(statements) == 0  # no second scan when nothing was cut
    # Exactly the limit: one COUNT finds nothing more was there.
    assert filed.ok("issue", "list", "--status", "all", "--limit", "3").stderr == "3 rows\n"
    assert _counts(statements) == 1
    # Machine formats have no footer and never count.
    filed.ok("issue", "list", "--status", "all", "--limit", "1", "--format", "csv")
    assert _counts(statements) == 1


def test_footer_counts_with_the_same_filters(filed):
    assert filed.ok("issue", "list", "--status", "all", "-e", "蓝思科技", "--limit", "1").stderr == "1 of 2 rows\n"
    assert filed.ok("issue", "list", "--kind", "common", "--limit", "1").stderr == "1 row\n"


@pytest.mark.parametrize(("lang", "one", "two"), [("en", "1 row\n", "2 rows\n"), ("zh", "共 1 条\n", "共 2 条\n")])
def test_one_row_is_singular(filed, lang, one, two):
    assert filed.ok("--lang", lang, "issue", "list", "--search", "用电增容").stderr == one
    assert filed.ok("--lang", lang, "enterprise", "list", "--search", "蓝思").stderr == one
    assert filed.ok("--lang", lang, "enterprise", "list").stderr == two


def test_export_of_one_row_says_row(filed, tmp_path):
    target = tmp_path / "one.csv"
    result = filed.ok("export", "issues", "--search", "用电增容", "--out", str(target))
    assert result.stderr == f"Wrote 1 row to {target}.\n"


# --- issue tag (e) ------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "Issue #2: added 省重点; removed 重点项目; already had 督办; did not have 待核实; tags now: 省重点, 督办.\n"),
    ("zh", "问题 #2：已添加 省重点；已移除 重点项目；原已有 督办；原本没有 待核实；现有标签：省重点、督办。\n"),
])
def test_tag_says_what_changed(filed, lang, expected):
    filed.ok("issue", "tag", "2", "+督办")
    result = filed.ok("--lang", lang, "issue", "tag", "2", "+省重点", "-重点项目", "+督办", "-待核实")
    assert result.stdout == expected


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "Issue #1: no change; tags now: none.\n"), ("zh", "问题 #1：无变化；现有标签：无。\n")])
def test_tag_that_changes_nothing_says_so(filed, lang, expected):
    before = filed.sql("select count(*) from event where issue_id = 1")
    assert filed.ok("--lang", lang, "issue", "tag", "1", "+临时", "-临时").stdout == expected
    assert filed.sql("select count(*) from event where issue_id = 1") == before
