"""Dates outside 1990-01-01 … ten years after today are user errors everywhere (issue 25,
point 9), and close-out, acknowledgement and callback dates never lie in the future.

The attack: `issue resolve --on 9999-12-31` was accepted and then `report trend` crashed
("year 10000 is out of range"); `issue add --reported 9999-12-31` and `report weekly --week
0001-W01` ended in "unexpected failure: OverflowError"; an import took resolved_on=9999-12-31.
The clock is pinned (conftest): today is 2023-12-20, so the range ends on 2033-12-20.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from conftest import Qiye

RANGE_EN = "dates must lie between 1990-01-01 and 2033-12-20"
RANGE_ZH = "日期须在 1990-01-01 至 2033-12-20（今天起十年内）之间"
FUTURE_EN = "must lie between 1990-01-01 and today (2023-12-20)"
FUTURE_ZH = "办结、签收和回访日期须在 1990-01-01 至今天（2023-12-20）之间"
TABLES = ("issue", "event", "enterprise")


def counts(qiye: Qiye) -> dict[str, int]:
    return {table: qiye.sql(f"SELECT count(*) FROM {table}")[0][0] for table in TABLES}


@pytest.fixture
def ledger(qiye: Qiye) -> Qiye:
    """Two issues: #1 open, #2 resolved (for callbacks)."""
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("issue", "add", "二期厂房消防验收", "-e", "蓝思科技", "-c", "消防验收", "--reported", "2023-12-01")
    qiye.ok("issue", "add", "用电增容", "-e", "蓝思科技", "-c", "water-power", "--reported", "2023-12-01")
    qiye.ok("issue", "resolve", "2", "--note", "已送电", "--on", "2023-12-10")
    return qiye


def refused(qiye: Qiye, *args: str, expected: str) -> str:
    """The command fails as a user error naming `expected`, and writes nothing."""
    before = counts(qiye)
    result = qiye(*args)
    assert result.exit_code == 1, (args, result.output)
    assert result.stdout == ""
    # One `error:` line, last (a far deadline may first warn of years without a holiday schedule).
    errors = [line for line in result.stderr.splitlines() if not line.startswith("warning: ")]
    assert len(errors) == 1 and errors[0].startswith("error: "), result.stderr
    assert expected in errors[0], result.stderr
    assert "unexpected failure" not in result.stderr and "Traceback" not in result.stderr
    assert counts(qiye) == before
    return result.stderr


@pytest.mark.parametrize("args", [
    ["issue", "add", "远期", "-e", "蓝思科技", "-c", "road", "--reported", "9999-12-31"],
    ["issue", "add", "远古", "-e", "蓝思科技", "-c", "road", "--reported", "1989-12-31"],
    ["issue", "add", "远期", "-e", "蓝思科技", "-c", "road", "--due", "2099-01-01"],
    ["issue", "add", "远期", "-e", "蓝思科技", "-c", "road", "--due", "+11y"],
    ["issue", "add", "远期", "-e", "蓝思科技", "-c", "road", "--due", "+3000wd"],
    ["issue", "edit", "1", "--reported", "0001-01-01"],
    ["issue", "edit", "1", "--due", "20991231"],
    ["issue", "list", "--since", "1900-01-01"],
    ["issue", "list", "--resolved-until", "9999-12-31"],
    ["export", "issues", "--until", "2100年1月1日"],
    ["report", "summary", "--since", "0001-01-01"],
    ["report", "weekly", "--date", "9999-12-31"],
])
def test_a_date_out_of_range_is_a_user_error(ledger, args):
    refused(ledger, *args, expected=RANGE_EN)


@pytest.mark.parametrize("week", ["0001-W01", "1989-W52", "9999-W52", "2034-W10"])
def test_a_week_out_of_range_is_a_user_error(ledger, week):
    refused(ledger, "report", "weekly", "--week", week, expected="weeks must lie between 1990-W01 and 2033-W51")


@pytest.mark.parametrize("year", ["9999", "1989", "2034"])
def test_a_year_out_of_range_is_a_user_error(ledger, year):
    refused(ledger, "report", "summary", "--year", year, expected="--year must be between 1990 and 2033")


@pytest.mark.parametrize("args", [
    ["issue", "resolve", "1", "--note", "已办结", "--on", "9999-12-31"],
    ["issue", "resolve", "1", "--note", "已办结", "--on", "2099-01-01"],
    ["issue", "resolve", "1", "--note", "已办结", "--on", "2023-12-21"],
    ["issue", "resolve", "1", "--note", "已办结", "--on", "tomorrow"],
    ["issue", "start", "1", "--on", "2099-01-01"],
    ["issue", "start", "1", "--on", "+1d"],
    ["issue", "callback", "2", "--result", "满意", "--on", "2024-01-05"],
])
def test_a_close_out_acknowledgement_or_callback_in_the_future_is_refused(ledger, args):
    refused(ledger, *args, expected=FUTURE_EN)


def test_the_messages_in_chinese(ledger):
    message = refused(ledger, "--lang", "zh", "issue", "resolve", "1", "--note", "已办结", "--on", "2099-01-01",
                      expected=FUTURE_ZH)
    assert message == f"error: 日期 2099-01-01 晚于今天：{FUTURE_ZH}\n"
    message = refused(ledger, "--lang", "zh", "issue", "add", "远期", "-e", "蓝思科技", "-c", "road",
                      "--reported", "+20y", expected=RANGE_ZH)
    assert message == f"error: 日期 '+20y' (2043-12-20) 超出允许范围：{RANGE_ZH}\n"
    message = refused(ledger, "--lang", "zh", "report", "weekly", "--week", "0001-W01",
                      expected="周 0001-W01 超出允许范围：须在 1990-W01 至 2033-W51 之间")
    refused(ledger, "--lang", "zh", "report", "summary", "--year", "9999",
            expected="--year 必须在 1990 到 2033 之间，而不是 9999")


def test_the_bounds_themselves_are_accepted_and_reports_still_work(ledger):
    ledger.ok("issue", "add", "最早", "-e", "蓝思科技", "-c", "road", "--reported", "1990-01-01",
              "--due", "2033-12-20")
    ledger.ok("issue", "resolve", "1", "--note", "当天办结", "--on", "today")
    ledger.ok("report", "weekly", "--week", "1990-W01")
    ledger.ok("report", "weekly", "--week", "2033-W51")
    ledger.ok("report", "summary", "--year", "1990")
    for by in ("month", "week"):
        ledger.ok("report", "trend", "--by", by)


# --- imports -----------------------------------------------------------------------------


def test_an_import_refuses_out_of_range_and_future_dates_by_row_and_column(ledger, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text(
        "enterprise,category,reported_on,title,status,resolved_on,due_on,created_at,acknowledged_on,"
        "dispatched_on,callback_result,callback_on\n"
        "蓝思科技,road,2023-05-12,好的一行,resolved,2023-06-01,,,,,,\n"
        "蓝思科技,road,2023-05-12,远期办结,resolved,9999-12-31,,,,,,\n"
        "蓝思科技,road,2023-05-12,未来办结,resolved,2023-12-21,,,,,,\n"
        "蓝思科技,road,1989-12-31,远古登记,open,,,,,,,\n"
        "蓝思科技,road,2023-05-12,远期时限,open,,2099-01-01,,,,,\n"
        "蓝思科技,road,2023-05-12,远期时间,open,,,9999-12-31T00:00:00Z,,,,\n"
        "蓝思科技,road,2023-05-12,未来签收,in_progress,,,,2024-01-02,2023-05-13,,\n"
        "蓝思科技,road,2023-05-12,未来回访,resolved,2023-06-01,,,,,satisfied,2024/1/2\n",
        encoding="utf-8")
    before = counts(ledger)
    result = ledger("import", "issues", str(path))
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == "error: ledger.csv: 7 bad row(s); nothing was imported. Fix these rows and import the file again:"
    assert lines[1:8] == [
        f"  row 3, column resolved_on: the date 9999-12-31 lies in the future: a close-out, acknowledgement or "
        f"callback date {FUTURE_EN}",
        f"  row 4, column resolved_on: the date 2023-12-21 lies in the future: a close-out, acknowledgement or "
        f"callback date {FUTURE_EN}",
        f"  row 5, column reported_on: the date 1989-12-31 is out of range: {RANGE_EN} (ten years from today)",
        f"  row 6, column due_on: the date 2099-01-01 is out of range: {RANGE_EN} (ten years from today)",
        f"  row 7, column created_at: the date 9999-12-31 is out of range: {RANGE_EN} (ten years from today)",
        f"  row 8, column acknowledged_on: the date 2024-01-02 lies in the future: a close-out, acknowledgement or "
        f"callback date {FUTURE_EN}",
        f"  row 9, column callback_on: the date '2024/1/2' (2024-01-02) lies in the future: a close-out, "
        f"acknowledgement or callback date {FUTURE_EN}",
    ]
    assert counts(ledger) == before
    zh = ledger("--lang", "zh", "import", "issues", str(path))
    assert f"  第 5 行，reported_on 列：日期 1989-12-31 超出允许范围：{RANGE_ZH}" in zh.stderr.splitlines()
    assert f"  第 3 行，resolved_on 列：日期 9999-12-31 晚于今天：{FUTURE_ZH}" in zh.stderr.splitlines()


def test_an_xlsx_date_cell_out_of_range_is_refused(ledger, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["企业名称", "问题类别", "登记日期", "问题标题", "办理状态", "办结日期"])
    sheet.append(["蓝思科技", "道路建设", datetime(2023, 5, 12), "好的一行", "已办结", datetime(2023, 6, 1)])
    sheet.append(["蓝思科技", "道路建设", datetime(2023, 5, 12), "远期办结", "已办结", datetime(9999, 12, 31)])
    path = Path(tmp_path / "台账.xlsx")
    workbook.save(path)
    before = counts(ledger)
    result = ledger("import", "issues", str(path))
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[1] == (
        f"  row 3, column 办结日期: the date 9999-12-31 lies in the future: a close-out, acknowledgement or "
        f"callback date {FUTURE_EN}")
    assert counts(ledger) == before
