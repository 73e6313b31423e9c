"""The supervision lists come in pages of ids from the index and rows fetched by id (issue 24,
reports.in_order): whatever the page sizes, the lists are the same, in the same order, and
--limit cuts them at the same row."""

from __future__ import annotations

import pytest

from conftest import Qiye
from test_reports import build_ledger

COMMANDS = (
    ("report", "overdue", "--format", "csv"),
    ("report", "overdue", "--by", "department", "--format", "csv"),
    ("report", "overdue", "--by", "owner", "--limit", "3", "--format", "csv"),
    ("report", "weekly", "--week", "2023-W51", "--format", "json"),
    ("report", "weekly", "--week", "2023-W51", "--limit", "2", "--format", "json"),
    ("report", "overdue"),
)


def test_pages_of_any_size_give_the_same_lists(qiye: Qiye, monkeypatch: pytest.MonkeyPatch) -> None:
    from qiye_service import reports

    build_ledger(qiye)
    whole = {args: qiye.ok(*args).stdout for args in COMMANDS}
    assert len(whole[COMMANDS[0]].splitlines()) - 1 > 3  # more rows than the first page of 2 ids
    # Pages of 2, 4, 8 … ids, rows fetched 2 at a time: every list crosses several pages.
    monkeypatch.setattr(reports, "IDS_FIRST_PAGE", 2)
    monkeypatch.setattr(reports, "IDS_GROWTH", 2)
    monkeypatch.setattr(reports, "ROWS_BY_ID", 2)
    for args in COMMANDS:
        assert qiye.ok(*args).stdout == whole[args], args
