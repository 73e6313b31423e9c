"""Dates as a cadre types them, through the real CLI on every backend (DESIGN §3, issue 17
point 2): Chinese forms in every date option, the month-day year rule by field, no future
close-out dates, corrections of a close-out or dispatch date, and a back-filled issue
dispatched on its reported date. Each test pins today with QIYE_NOW."""

from __future__ import annotations

import json

import pytest

YEAR_END = {"QIYE_NOW": "2026-12-30T10:00:00+08:00"}  # a Wednesday
ISSUE_DAY = {"QIYE_NOW": "2026-12-07T10:00:00+08:00"}  # a Monday
LEAP_DAY = {"QIYE_NOW": "2024-02-29T10:00:00+08:00"}
BEFORE_NATIONAL_DAY = {"QIYE_NOW": "2023-09-27T10:00:00+08:00"}


@pytest.fixture
def office(qiye):
    qiye.ok("enterprise", "add", "蓝思科技", "--zone", "北园")
    qiye.ok("department", "add", "消防救援大队")
    return qiye


def _add(qiye, *args: str, env: dict[str, str] | None = None) -> int:
    result = qiye.ok("issue", "add", "二期厂房消防验收", "-e", "蓝思科技", "-c", "fire-acceptance", *args, env=env)
    return int(result.stdout.strip())


def _issue(qiye, issue_id: int, env: dict[str, str] | None = None) -> dict:
    return json.loads(qiye.ok("issue", "show", str(issue_id), "--format", "json", env=env).stdout)


def _ledger(qiye) -> list[tuple]:
    """Everything a failed command must leave as it was."""
    return qiye.sql("select id, status, reported_on, due_on, resolved_on, dispatched_at, acknowledged_at, "
                    "acknowledge_by, callback_on, history_hash from issue order by id") + \
        qiye.sql("select count(*) from event")


@pytest.mark.parametrize(
    ("env", "option", "typed", "field", "expected"),
    [
        (YEAR_END, "--due", "下周一", "due_on", "2027-01-04"),
        (YEAR_END, "--due", "两周后", "due_on", "2027-01-13"),
        (YEAR_END, "--due", "下月初", "due_on", "2027-01-01"),
        (YEAR_END, "--due", "下月底", "due_on", "2027-01-31"),
        (YEAR_END, "--due", "本周五", "due_on", "2027-01-01"),
        (YEAR_END, "--due", "后天", "due_on", "2027-01-01"),
        (YEAR_END, "--due", "3个月后", "due_on", "2027-03-30"),
        (YEAR_END, "--due", "年底", "due_on", "2026-12-31"),
        (YEAR_END, "--due", "一月五日", "due_on", "2027-01-05"),  # the first 1月5日 on or after today
        (YEAR_END, "--due", "01-05", "due_on", "2027-01-05"),
        (YEAR_END, "--reported", "前天", "reported_on", "2026-12-28"),
        (YEAR_END, "--reported", "上周三", "reported_on", "2026-12-23"),
        (YEAR_END, "--reported", "十二月五日", "reported_on", "2026-12-05"),
        (YEAR_END, "--reported", "12-05", "reported_on", "2026-12-05"),
        (YEAR_END, "--reported", "月初", "reported_on", "2026-12-01"),
        (BEFORE_NATIONAL_DAY, "--due", "五个工作日后", "due_on", "2023-10-10"),
        (BEFORE_NATIONAL_DAY, "--due", "+5wd", "due_on", "2023-10-10"),
        (LEAP_DAY, "--due", "明天", "due_on", "2024-03-01"),
        (LEAP_DAY, "--due", "一年后", "due_on", "2025-02-28"),
        (LEAP_DAY, "--reported", "昨天", "reported_on", "2024-02-28"),
        (LEAP_DAY, "--reported", "今天", "reported_on", "2024-02-29"),
        ({"QIYE_NOW": "2025-06-01T10:00:00+08:00"}, "--reported", "2月29日", "reported_on", "2024-02-29"),
        ({"QIYE_NOW": "2024-03-10T10:00:00+08:00"}, "--reported", "上月底", "reported_on", "2024-02-29"),
    ],
)
def test_add_reads_every_form(office, env, option: str, typed: str, field: str, expected: str) -> None:
    issue = _add(office, option, typed, env=env)
    assert _issue(office, issue, env=env)[field] == expected


def test_a_due_month_day_counts_from_the_reported_date(office) -> None:
    backfilled = _add(office, "--reported", "2023年4月20日", "--due", "5月12日", env=ISSUE_DAY)
    shown = _issue(office, backfilled, env=ISSUE_DAY)
    assert (shown["reported_on"], shown["due_on"]) == ("2023-04-20", "2023-05-12")
    today = _add(office, "--due", "5月12日", env=ISSUE_DAY)
    assert _issue(office, today, env=ISSUE_DAY)["due_on"] == "2027-05-12"
    # A reported month and day is the latest one not after today.
    recent = _add(office, "--reported", "5月12日", "--due", "none", env=ISSUE_DAY)
    assert _issue(office, recent, env=ISSUE_DAY)["reported_on"] == "2026-05-12"
    # edit: the due month and day follows the new reported date, else the stored one.
    office.ok("issue", "edit", str(recent), "--due", "五月二十日", env=ISSUE_DAY)
    assert _issue(office, recent, env=ISSUE_DAY)["due_on"] == "2026-05-20"
    office.ok("issue", "edit", str(recent), "--reported", "2025年3月1日", "--due", "3-10", env=ISSUE_DAY)
    assert _issue(office, recent, env=ISSUE_DAY)["due_on"] == "2025-03-10"


def test_close_out_month_day_is_the_latest_one_not_after_today(office) -> None:
    issue = _add(office, "--reported", "2026-12-01", env=YEAR_END)
    after_new_year = {"QIYE_NOW": "2027-01-02T10:00:00+08:00"}
    office.ok("issue", "start", str(issue), "--on", "12月2日", env=after_new_year)
    office.ok("issue", "resolve", str(issue), "--note", "已验收", "--on", "十二月三十一日", env=after_new_year)
    office.ok("issue", "callback", str(issue), "--result", "满意", "--on", "1-02", env=after_new_year)
    stored = office.sql("select acknowledged_at, resolved_on, callback_on from issue")[0]
    assert [str(value)[:10] for value in stored] == ["2026-12-02", "2026-12-31", "2027-01-02"]


@pytest.mark.parametrize(
    "command",
    [
        ("issue", "resolve", "1", "--note", "已验收", "--on", "明天"),
        ("issue", "resolve", "1", "--note", "已验收", "--on", "下周一"),
        ("issue", "resolve", "1", "--note", "已验收", "--on", "3天后"),
        ("issue", "resolve", "1", "--note", "已验收", "--on", "2027-01-04"),
        ("issue", "start", "1", "--on", "后天"),
        ("issue", "start", "1", "--on", "下月初"),
    ],
)
def test_a_future_close_out_or_acknowledgement_is_refused_and_writes_nothing(office, command) -> None:
    _add(office, "--reported", "2026-12-01", "--dept", "消防救援大队", env=YEAR_END)
    before = _ledger(office)
    result = office(*command, env=YEAR_END)
    assert result.exit_code == 1
    assert result.stderr.startswith("error:") and "future" in result.stderr
    assert _ledger(office) == before


@pytest.mark.parametrize(
    "command",
    [
        ("issue", "callback", "1", "--result", "满意", "--on", "明天"),
        ("issue", "callback", "1", "--result", "满意", "--on", "下周一"),
        ("issue", "edit", "1", "--resolved", "明天"),
        ("issue", "edit", "1", "--dispatched", "后天"),
    ],
)
def test_a_future_callback_or_correction_is_refused_and_writes_nothing(office, command) -> None:
    _add(office, "--reported", "2026-12-01", "--dept", "消防救援大队", env=YEAR_END)
    office.ok("issue", "resolve", "1", "--note", "已验收", "--on", "2026-12-28", env=YEAR_END)
    before = _ledger(office)
    result = office(*command, env=YEAR_END)
    assert result.exit_code == 1
    assert result.stderr.startswith("error:") and "future" in result.stderr
    assert _ledger(office) == before


def test_a_future_close_out_is_refused_in_chinese_too(office) -> None:
    _add(office, env=YEAR_END)
    before = _ledger(office)
    result = office("--lang", "zh", "issue", "resolve", "1", "--note", "已验收", "--on", "明天", env=YEAR_END)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: 日期 '明天' (2026-12-31) 晚于今天"), result.stderr
    assert _ledger(office) == before


def test_a_close_out_date_is_corrected_as_an_edit(office) -> None:
    issue = _add(office, "--reported", "2026-12-01", env=YEAR_END)
    office.ok("issue", "resolve", str(issue), "--note", "已验收", "--on", "2026-12-28", env=YEAR_END)
    result = office.ok("issue", "edit", str(issue), "--resolved", "上周三", env=YEAR_END)
    assert "Updated issue #1" in result.stdout
    shown = _issue(office, issue, env=YEAR_END)
    assert shown["resolved_on"] == "2026-12-23"
    event = shown["events"][-1]
    assert (event["action"], event["field"], event["old"], event["new"]) == (
        "edited", "resolved_on", "2026-12-28", "2026-12-23")
    check = office("db", "check", env=YEAR_END)
    assert check.exit_code == 0, check.output
    # The report counts the corrected date: resolved in W52, not W53.
    weekly = json.loads(office.ok("report", "weekly", "--week", "上周", "--format", "json",
                                  env={"QIYE_NOW": "2027-01-05T10:00:00+08:00"}).stdout)
    assert weekly["scope"]["name"] == "2026-W53"
    assert weekly["resolved"] == 0
    weekly = json.loads(office.ok("report", "weekly", "--week", "本周", "--format", "json", env=YEAR_END).stdout)
    assert weekly["scope"]["name"] == "2026-W53"
    assert weekly["resolved"] == 0
    weekly = json.loads(office.ok("report", "weekly", "--week", "last", "--format", "json", env=YEAR_END).stdout)
    assert weekly["scope"]["name"] == "2026-W52"
    assert weekly["resolved"] == 1


@pytest.mark.parametrize(
    ("typed", "message"),
    [("2026-11-30", "before reported_on"), ("12月27日", "before resolved_on")],
)
def test_an_impossible_close_out_correction_writes_nothing(office, typed: str, message: str) -> None:
    issue = _add(office, "--reported", "2026-12-01", env=YEAR_END)
    office.ok("issue", "resolve", str(issue), "--note", "已验收", "--on", "2026-12-28", env=YEAR_END)
    office.ok("issue", "callback", str(issue), "--result", "满意", "--on", "2026-12-28", env=YEAR_END)
    if message == "before resolved_on":
        office.ok("issue", "edit", str(issue), "--resolved", "12月20日", env=YEAR_END)
        office.ok("issue", "edit", str(issue), "--resolved", "12-28", env=YEAR_END)
        typed = "12月29日"  # after the callback on the 28th
        message = "callback_on (2026-12-28) is before resolved_on (2026-12-29)"
    before = _ledger(office)
    result = office("issue", "edit", str(issue), "--resolved", typed, env=YEAR_END)
    assert result.exit_code == 1
    assert result.stderr.startswith("error:") and message in result.stderr
    assert _ledger(office) == before


def test_an_unresolved_issue_has_no_close_out_date_to_correct(office) -> None:
    issue = _add(office, env=YEAR_END)
    before = _ledger(office)
    result = office("issue", "edit", str(issue), "--resolved", "昨天", env=YEAR_END)
    assert result.exit_code == 1
    assert "not resolved" in result.stderr
    assert _ledger(office) == before


def test_a_backfilled_issue_is_dispatched_on_its_reported_date(office) -> None:
    issue = _add(office, "--reported", "2023年4月20日", "--dept", "消防救援大队", env=ISSUE_DAY)
    # 09:00 in the park on the reported date is 01:00 UTC; acknowledge within one working day.
    assert str(office.sql("select dispatched_at from issue")[0][0])[:19] == "2023-04-20 01:00:00"
    assert str(office.sql("select acknowledge_by from issue")[0][0]) == "2023-04-21"
    office.ok("issue", "start", str(issue), "--on", "2023-04-21", env=ISSUE_DAY)
    summary = json.loads(office.ok("report", "summary", "--format", "json", env=ISSUE_DAY).stdout)
    assert summary["response_rate"] == 1.0
    assert office("db", "check", env=ISSUE_DAY).exit_code == 0


def test_an_issue_filed_today_is_dispatched_now(office) -> None:
    _add(office, "--dept", "消防救援大队", env=ISSUE_DAY)
    assert str(office.sql("select dispatched_at from issue")[0][0])[:19] == "2026-12-07 02:00:00"


def test_dispatched_names_another_dispatch_date(office) -> None:
    issue = _add(office, "--reported", "2023年4月20日", "--dept", "消防救援大队", "--dispatched", "2023-04-24",
                 env=ISSUE_DAY)
    assert str(office.sql("select acknowledge_by from issue")[0][0]) == "2023-04-25"
    before = _ledger(office)
    result = office("issue", "start", str(issue), "--on", "2023-04-21", env=ISSUE_DAY)
    assert result.exit_code == 1 and "dispatched_on" in result.stderr
    assert _ledger(office) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--reported", "2023-04-20", "--dept", "消防救援大队", "--dispatched", "明天"), "future"),
        (("--reported", "2023-04-20", "--dept", "消防救援大队", "--dispatched", "2023-04-19"), "before reported_on"),
        (("--reported", "2023-04-20", "--dispatched", "2023-04-21"), "--dept or --owner"),
    ],
)
def test_a_bad_dispatch_date_files_nothing(office, args, message: str) -> None:
    result = office("issue", "add", "派单日期错", "-e", "蓝思科技", "-c", "fire-acceptance", *args, env=ISSUE_DAY)
    assert result.exit_code == 1
    assert result.stderr.startswith("error:") and message in result.stderr
    assert office.sql("select count(*) from issue") == [(0,)]


def test_a_dispatch_date_is_corrected_as_an_edit(office) -> None:
    # Filed before issue 17 by the old rule: dispatched "today", long after it was reported.
    issue = _add(office, "--reported", "2023-04-20", "--dept", "消防救援大队", "--dispatched", "2026-12-07",
                 env=ISSUE_DAY)
    office.ok("issue", "start", str(issue), "--on", "2026-12-07", env=ISSUE_DAY)
    office.ok("issue", "edit", str(issue), "--dispatched", "2023年4月20日", env=ISSUE_DAY)
    assert str(office.sql("select dispatched_at from issue")[0][0])[:19] == "2023-04-20 01:00:00"
    assert str(office.sql("select acknowledge_by from issue")[0][0]) == "2023-04-21"
    event = _issue(office, issue, env=ISSUE_DAY)["events"][-1]
    assert (event["action"], event["field"], event["old"], event["new"]) == (
        "edited", "dispatched_on", "2026-12-07", "2023-04-20")
    assert office("db", "check", env=ISSUE_DAY).exit_code == 0
    zh = office.ok("--lang", "zh", "issue", "show", str(issue), env=ISSUE_DAY).stdout
    assert "派单日期" in zh


def test_a_dispatch_date_after_the_acknowledgement_is_refused(office) -> None:
    issue = _add(office, "--reported", "2023-04-20", "--dept", "消防救援大队", env=ISSUE_DAY)
    office.ok("issue", "start", str(issue), "--on", "2023-04-21", env=ISSUE_DAY)
    before = _ledger(office)
    result = office("issue", "edit", str(issue), "--dispatched", "2023-04-24", env=ISSUE_DAY)
    assert result.exit_code == 1 and "acknowledged_on" in result.stderr
    assert _ledger(office) == before
    undispatched = _add(office, env=ISSUE_DAY)
    before = _ledger(office)
    result = office("issue", "edit", str(undispatched), "--dispatched", "今天", env=ISSUE_DAY)
    assert result.exit_code == 1 and "--dept or --owner" in result.stderr
    assert _ledger(office) == before


@pytest.mark.parametrize("week", ["上周", "last"])
def test_weekly_last_week_is_the_iso_week_before(office, week: str) -> None:
    named = office.ok("report", "weekly", "--week", week, "--format", "json", env=YEAR_END).stdout
    explicit = office.ok("report", "weekly", "--week", "2026-W52", "--format", "json", env=YEAR_END).stdout
    assert named == explicit
    assert json.loads(named)["scope"]["name"] == "2026-W52"


@pytest.mark.parametrize("week", ["本周", "this"])
def test_weekly_this_week(office, week: str) -> None:
    named = office.ok("report", "weekly", "--week", week, "--format", "json", env=YEAR_END).stdout
    assert json.loads(named)["scope"]["name"] == "2026-W53"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "cannot read the date '下下周'; use one of:"), ("zh", "无法识别日期 '下下周'；可用格式：")],
)
def test_an_unreadable_date_lists_the_forms_in_the_interface_language(office, lang: str, expected: str) -> None:
    result = office("--lang", lang, "issue", "add", "日期写错", "-e", "蓝思科技", "-c", "fire-acceptance",
                    "--reported", "下下周", env=YEAR_END)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {expected}")
    for form in ("十二月五日", "下周一", "本月底", "两周后", "后天", "12-05"):
        assert form in result.stderr
    assert office.sql("select count(*) from issue") == [(0,)]


@pytest.mark.parametrize(("lang", "expected"), [("en", "cannot read the week '下下周'"), ("zh", "无法识别周 '下下周'")])
def test_an_unreadable_week_names_this_and_last(office, lang: str, expected: str) -> None:
    result = office("--lang", lang, "report", "weekly", "--week", "下下周", env=YEAR_END)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {expected}")
    for form in ("2023-W50", "本周", "上周", "this", "last"):
        assert form in result.stderr
