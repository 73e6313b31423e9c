"""A report table says how many list rows it leaves out from the report's own figures, without
reading the rest of the list (benchmarks, issue 7): the number must be the list's true length.
"""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def late(filed):  # type: ignore[no-untyped-def]
    """Five issues overdue on 2023-12-20 (the pinned clock), two of them closed this week."""
    for number, due in enumerate(("2023-12-04", "2023-12-08", "2023-12-12", "2023-12-18"), start=1):
        filed.ok("issue", "add", f"逾期问题{number}", "-e", "蓝思科技", "-c", "road", "--reported", "2023-12-01",
                 "--due", due, "--dept", "消防救援大队" if number % 2 else "国网浏阳供电公司")
    for issue_id in ("2", "4"):
        filed.ok("issue", "resolve", issue_id, "--note", "已解决", "--on", "2023-12-19")
    return filed


def listed(qiye, *args: str) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(qiye.ok("report", *args, "--format", "json").stdout)


def note(count: int) -> str:
    return f"… and {count} more not shown here"


@pytest.mark.parametrize("args", [["overdue"], ["overdue", "--by", "department"], ["overdue", "--by", "owner"],
                                  ["overdue", "--limit", "3"], ["weekly"], ["weekly", "--limit", "1"]])
def test_the_note_counts_what_the_list_holds(late, monkeypatch, args):
    from qiye_service.render import terminal

    monkeypatch.setattr(terminal, "TABLE_ROWS", 1)
    data = listed(late, *args)
    table = late.ok("report", *args).stdout
    for name in ("issues", "closed", "overdue_issues"):
        if name in data and len(data[name]) > 1:
            assert note(len(data[name]) - 1) in table, (name, table)
    if args == ["weekly"]:
        assert len(data["overdue_issues"]) == data["overdue"] >= 3 and len(data["closed"]) == data["resolved"] == 2
