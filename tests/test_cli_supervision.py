"""Supervision through the real CLI (DESIGN §8): working-day deadlines, escalation levels,
`issue escalate`, `issue callback`, dispatch and acknowledgement, on every backend.

Expected dates are counted by hand from the State Council's published holiday schedules.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

ON_THURSDAY_BEFORE_NATIONAL_DAY = {"QIYE_NOW": "2023-09-28T10:00:00+08:00"}


def _ids(result) -> list[int]:
    return [int(row["id"]) for row in csv.DictReader(io.StringIO(result.stdout))]


def _issue(qiye, issue_id: int) -> dict:
    return json.loads(qiye.ok("issue", "show", str(issue_id), "--format", "json").stdout)


@pytest.fixture
def office(qiye):
    qiye.ok("enterprise", "add", "蓝思科技", "--zone", "北园")
    qiye.ok("enterprise", "add", "九典制药", "--zone", "南园")
    qiye.ok("department", "add", "消防救援大队")
    return qiye


def _add(qiye, title: str, *args: str, env: dict[str, str] | None = None) -> int:
    result = qiye.ok("issue", "add", title, "-e", "蓝思科技", "-c", "fire-acceptance", *args, env=env)
    return int(result.stdout.strip())


def _due(qiye, issue_id: int) -> str:
    return _issue(qiye, issue_id)["due_on"]


# --- working-day deadlines --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Thursday before National Day 2023: Sep 29–Oct 6 off, Sat Oct 7 and Sun Oct 8 worked.
        ("2023-09-28T10:00:00+08:00", "2023-10-11"),
        # The Friday a week before: four working days, then the make-up Saturday.
        ("2023-09-22T10:00:00+08:00", "2023-10-07"),
        # Friday before National Day 2025: Sun Sep 28 worked, Oct 1–8 off.
        ("2025-09-26T10:00:00+08:00", "2025-10-10"),
        # Thursday before Spring Festival 2024: Fri Feb 9 worked, Feb 10–17 off, Sun Feb 18 worked.
        ("2024-02-08T10:00:00+08:00", "2024-02-21"),
    ],
)
def test_due_in_working_days_follows_the_holiday_schedule(office, now: str, expected: str) -> None:
    issue = _add(office, "二期厂房消防验收", "--reported", now[:10], "--due", "+5wd", env={"QIYE_NOW": now})
    assert _due(office, issue) == expected


def test_relative_working_days_count_from_today_not_the_reported_date(office) -> None:
    issue = _add(office, "补录问题", "--reported", "2023-09-01", "--due", "+5wd", env=ON_THURSDAY_BEFORE_NATIONAL_DAY)
    assert _due(office, issue) == "2023-10-11"


def test_default_deadline_is_fifteen_working_days_from_reported(office) -> None:
    # From Thursday 2024-02-01: Feb 2, 4 (make-up Sunday), 5–9, 18 (make-up Sunday), 19–23, 26, 27.
    issue = _add(office, "春节前登记", "--reported", "2024-02-01")
    assert _due(office, issue) == "2024-02-27"


def test_config_deadlines_by_priority_and_category(office) -> None:
    office.ok("config", "set", "deadline.urgent", "3wd")
    office.ok("config", "set", "deadline.category.fire-acceptance", "10wd")
    office.ok("config", "set", "deadline.default", "20wd")
    # Friday 2023-12-15: urgent, 3 working days → Wednesday the 20th.
    urgent = office.ok("issue", "add", "停电抢修", "-e", "九典制药", "-c", "water-power", "--priority", "urgent",
                       "--reported", "2023-12-15")
    assert _due(office, int(urgent.stdout)) == "2023-12-20"
    # The category's deadline wins over the priority's: 10 working days from Friday 2023-12-01.
    fire = _add(office, "消防验收", "--priority", "urgent", "--reported", "2023-12-01")
    assert _due(office, fire) == "2023-12-15"
    # Neither set: deadline.default, 20 working days from Friday 2023-12-01.
    other = office.ok("issue", "add", "道路", "-e", "九典制药", "-c", "road", "--reported", "2023-12-01")
    assert _due(office, int(other.stdout)) == "2023-12-29"
    # An explicit --due beats the config; `none` means no deadline.
    assert _due(office, _add(office, "定期限", "--due", "2024-01-05")) == "2024-01-05"
    assert _due(office, _add(office, "不定期限", "--due", "none")) is None


def test_signed_config_deadline_still_counts_from_the_reported_date(office) -> None:
    office.ok("config", "set", "deadline.default", "+10wd")
    assert _due(office, _add(office, "补录", "--reported", "2023-12-01")) == "2023-12-15"


def test_edit_counts_bare_working_days_from_the_stored_reported_date(office) -> None:
    issue = _add(office, "改期限", "--reported", "2023-12-01")
    office.ok("issue", "edit", str(issue), "--due", "10wd")
    assert _due(office, issue) == "2023-12-15"
    office.ok("issue", "edit", str(issue), "--due", "+2wd")  # from today, Wednesday Dec 20
    assert _due(office, issue) == "2023-12-22"
    office.ok("issue", "edit", str(issue), "--reported", "2023-12-04", "--due", "1wd")
    assert _due(office, issue) == "2023-12-05"


def test_a_year_past_the_library_falls_back_to_weekdays_with_one_warning(office) -> None:
    # No schedule for 2099: Friday Sep 25 + 5 weekdays is Friday Oct 2, National Day or not.
    result = office("issue", "add", "远期问题", "-e", "蓝思科技", "-c", "fire-acceptance", "--due", "+5wd",
                    "--dept", "消防救援大队", env={"QIYE_NOW": "2099-09-25T10:00:00+08:00"})
    assert result.exit_code == 0, result.output
    assert result.stderr.count("warning:") == 1
    assert "no official holiday schedule for 2099" in result.stderr
    issue = _issue(office, int(result.stdout))
    assert issue["due_on"] == "2099-10-02"
    assert _acknowledge_by(office, issue["id"]) == "2099-09-28"


def test_a_covered_year_does_not_warn(office) -> None:
    result = office("issue", "add", "当年问题", "-e", "蓝思科技", "-c", "fire-acceptance", "--dept", "消防救援大队")
    assert result.exit_code == 0 and result.stderr == ""


# --- escalation levels ------------------------------------------------------------------------

# On the pinned Wednesday 2023-12-20.
LADDER = [
    ("4 late", "2023-12-14", "overdue"),
    ("6 late", "2023-12-12", "red"),
    ("2 ahead", "2023-12-22", "due-soon"),
    ("4 ahead", "2023-12-26", None),
    ("escalated", "2024-01-31", "red"),
]


@pytest.fixture
def ladder(office):
    for title, due, _ in LADDER:
        _add(office, title, "--reported", "2023-11-01", "--due", due)
    office.ok("issue", "escalate", "5", "--note", "列入挂牌督办")
    return office


def _listed(qiye, *levels: str) -> list[int]:
    args = [arg for level in levels for arg in ("--level", level)]
    return _ids(qiye.ok("issue", "list", *args, "--format", "csv", "--sort", "id"))


def test_list_by_level(ladder) -> None:
    assert _listed(ladder, "red") == [2, 5]
    assert _listed(ladder, "overdue") == [1]
    assert _listed(ladder, "due-soon") == [3]
    assert _listed(ladder, "red", "overdue") == [1, 2, 5]


@pytest.mark.parametrize(("word", "expected"), [("红色", [2, 5]), ("黄色", [1]), ("蓝色", [3]), ("yellow", [1]),
                                                 ("blue", [3]), ("RED", [2, 5])])
def test_list_by_level_in_other_words(ladder, word: str, expected: list[int]) -> None:
    assert _listed(ladder, word) == expected


def test_unknown_level_is_an_error(ladder) -> None:
    result = ladder("issue", "list", "--level", "purple")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --level: 'purple' is not one of")
    assert result.stdout == ""


def test_levels_move_with_the_holidays(office) -> None:
    # On Monday 2023-10-09, Sep 27 is 12 calendar days but 4 working days ago (Sep 28, Oct 7, 8, 9).
    after_break = {"QIYE_NOW": "2023-10-09T10:00:00+08:00"}
    for due in ("2023-09-27", "2023-09-25"):
        _add(office, f"due {due}", "--reported", "2023-09-01", "--due", due, env=after_break)
    assert _ids(office.ok("issue", "list", "--level", "overdue", "--format", "csv", env=after_break)) == [1]
    assert _ids(office.ok("issue", "list", "--level", "red", "--format", "csv", env=after_break)) == [2]
    # Three working days ahead of Thursday Sep 28 reach Monday Oct 9.
    _add(office, "due 2023-10-09", "--reported", "2023-09-01", "--due", "2023-10-09")
    _add(office, "due 2023-10-10", "--reported", "2023-09-01", "--due", "2023-10-10")
    soon = office.ok("issue", "list", "--level", "due-soon", "--format", "csv", env=ON_THURSDAY_BEFORE_NATIONAL_DAY)
    assert _ids(soon) == [3]


def test_thresholds_come_from_the_config(ladder) -> None:
    ladder.ok("config", "set", "escalation.red", "3")
    ladder.ok("config", "set", "escalation.due_soon", "4wd")
    assert _listed(ladder, "red") == [1, 2, 5]
    assert _listed(ladder, "due-soon") == [3, 4]


def test_table_shows_a_level_marker_in_plain_text_under_no_color(ladder) -> None:
    table = ladder.ok("issue", "list", "--sort", "id").stdout
    assert "\x1b[" not in table
    lines = {line.split("│")[1].strip(): line for line in table.splitlines() if line.startswith("│")}
    assert "Level" in table.splitlines()[1]
    assert lines["1"].rstrip("│ ").endswith("overdue")
    assert lines["2"].rstrip("│ ").endswith("red")
    assert lines["3"].rstrip("│ ").endswith("due soon")
    assert lines["4"].rstrip("│ ").endswith("2023-12-26")
    zh = ladder.ok("--lang", "zh", "issue", "list", "--sort", "id").stdout
    assert "督办等级" in zh and "红色" in zh and "黄色" in zh and "蓝色" in zh


def test_table_colours_the_marker_on_a_colour_terminal(ladder) -> None:
    colour_terminal = {"TERM": "xterm-256color", "FORCE_COLOR": "1", "COLUMNS": "200"}
    coloured = ladder.ok("issue", "list", "--level", "red", env={**colour_terminal, "NO_COLOR": None}).stdout
    assert re.search(r"\x1b\[31mred\s*\x1b\[0m", coloured)
    plain = ladder.ok("issue", "list", "--level", "red", env={**colour_terminal, "NO_COLOR": "1"}).stdout
    assert not re.search(r"\x1b\[3\dm", plain)


def test_machine_formats_keep_the_issue_row(ladder) -> None:
    rows = json.loads(ladder.ok("issue", "list", "--format", "json").stdout)
    assert "level" not in rows[0]


# --- escalate -----------------------------------------------------------------------------------


def test_escalate_records_the_reason(ladder) -> None:
    events = _issue(ladder, 5)["events"]
    assert [(e["action"], e["field"], e["new"], e["note"]) for e in events[-1:]] == [
        ("escalated", "level", "red", "列入挂牌督办")]
    assert ladder.sql("select id from issue where escalated_at is not null") == [(5,)]


def test_escalate_without_a_note_fails_and_writes_nothing(office) -> None:
    issue = _add(office, "未说明理由", "--due", "2023-12-01", "--reported", "2023-11-01")
    before = office.sql("select count(*) from event")
    for args in ([], ["--note", "  "]):
        result = office("issue", "escalate", str(issue), *args)
        assert result.exit_code == 1
        assert result.stderr == f"error: escalating issue #{issue} needs the reason for supervision: pass --note TEXT\n"
    assert office.sql("select count(*) from event") == before
    assert office.sql("select escalated_at from issue") == [(None,)]


def test_escalate_twice_or_a_resolved_issue_is_refused(ladder) -> None:
    again = ladder("issue", "escalate", "5", "--note", "再次督办")
    assert again.exit_code == 1 and "already escalated" in again.stderr
    ladder.ok("issue", "resolve", "1", "--note", "已验收")
    closed = ladder("issue", "escalate", "1", "--note", "督办")
    assert closed.exit_code == 1 and closed.stderr.startswith("error: cannot escalate issue #1: it is resolved")


def test_escalated_issue_leaves_the_red_list_when_resolved(ladder) -> None:
    ladder.ok("issue", "resolve", "5", "--note", "已办结")
    assert _listed(ladder, "red") == [2]


# --- callbacks ----------------------------------------------------------------------------------


@pytest.fixture
def closed(office):
    issue = _add(office, "消防验收", "--reported", "2023-12-01", "--due", "2023-12-15")
    office.ok("issue", "resolve", str(issue), "--note", "已通过验收", "--on", "2023-12-18")
    return office


def test_callback_records_the_verdict(closed) -> None:
    result = closed.ok("issue", "callback", "1", "--result", "基本满意", "--note", "企业认可", "--on", "2023-12-19")
    assert result.stdout == "Callback recorded for #1: basically satisfied.\n"
    assert closed.sql("select status, callback_result, callback_on, reopen_count from issue")[0][:2] == (
        "resolved", "basic")
    assert str(closed.sql("select callback_on from issue")[0][0]) == "2023-12-19"
    event = _issue(closed, 1)["events"][-1]
    assert (event["action"], event["field"], event["new"], event["note"]) == (
        "callback", "callback_result", "basic", "企业认可")


def test_unsatisfied_callback_reopens_the_issue_with_the_note(closed) -> None:
    result = closed.ok("issue", "callback", "1", "--result", "unsatisfied", "--note", "消防车道仍未整改")
    assert "back in progress" in result.stdout
    issue = _issue(closed, 1)
    assert issue["status"] == "in_progress" and issue["resolved_on"] is None
    assert closed.sql("select reopen_count, callback_result from issue") == [(1, "unsatisfied")]
    callback, status, cleared = issue["events"][-3:]
    assert (callback["action"], callback["new"], callback["note"]) == ("callback", "unsatisfied", "消防车道仍未整改")
    assert (status["action"], status["old"], status["new"], status["note"]) == (
        "status", "resolved", "in_progress", "消防车道仍未整改")
    assert (cleared["field"], cleared["old"], cleared["new"]) == ("resolved_on", "2023-12-18", None)


def test_chinese_unsatisfied_reopens_too(closed) -> None:
    closed.ok("--lang", "zh", "issue", "callback", "#1", "-r", "不满意")
    assert closed.sql("select status from issue") == [("in_progress",)]


def test_callback_on_an_unresolved_issue_fails_and_writes_nothing(office) -> None:
    issue = _add(office, "办理中")
    office.ok("issue", "start", str(issue))
    before = office.sql("select count(*) from event")
    result = office("issue", "callback", str(issue), "--result", "satisfied")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot record a callback on issue #{issue}: it is in progress")
    assert office.sql("select count(*) from event") == before
    assert office.sql("select callback_result from issue") == [(None,)]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--result", "great"], 1, "error: --result: 'great' is not one of satisfied, basic, unsatisfied"),
        (["--result", "satisfied", "--on", "2023-12-17"], 1,
         "error: callback_on (2023-12-17) is before resolved_on (2023-12-18)"),
        (["--result", "satisfied", "--on", "someday"], 1, "error: cannot read the date 'someday'"),
        ([], 2, "Missing option '--result'"),
    ],
)
def test_bad_callbacks_write_nothing(closed, args: list[str], code: int, message: str) -> None:
    before = closed.sql("select count(*) from event")
    result = closed("issue", "callback", "1", *args)
    assert result.exit_code == code
    assert message in result.stderr
    assert closed.sql("select count(*) from event") == before


# --- dispatch and acknowledgement ---------------------------------------------------------------


def _acknowledge_by(qiye, issue_id: int) -> str | None:
    value = qiye.sql("select acknowledge_by from issue where id = :id", id=issue_id)[0][0]
    return None if value is None else str(value)


def test_dispatch_fixes_the_acknowledgement_date_in_working_days(office) -> None:
    # Filed with a department on Thursday Sep 28: one working day later is the make-up Saturday.
    filed = _add(office, "派单", "--dept", "消防救援大队", env=ON_THURSDAY_BEFORE_NATIONAL_DAY)
    assert _acknowledge_by(office, filed) == "2023-10-07"
    # Filed without anyone: not dispatched, no deadline to acknowledge.
    undispatched = _add(office, "未派单", env=ON_THURSDAY_BEFORE_NATIONAL_DAY)
    assert _acknowledge_by(office, undispatched) is None
    assert office.sql("select dispatched_at from issue where id = :id", id=undispatched) == [(None,)]
    # Assigned at 01:00 in the park on Wednesday Dec 20 (still Dec 19 in UTC): due Thursday the 21st.
    office.ok("issue", "assign", str(undispatched), "--owner", "王强", env={"QIYE_NOW": "2023-12-20T01:00:00+08:00"})
    assert _acknowledge_by(office, undispatched) == "2023-12-21"


def test_response_limit_comes_from_the_config(office) -> None:
    office.ok("config", "set", "response.limit", "2wd")
    issue = _add(office, "派单", "--owner", "王强")  # Wednesday Dec 20
    assert _acknowledge_by(office, issue) == "2023-12-22"
    # Re-dispatched on Friday Dec 22: two working days later is Tuesday Dec 26.
    office.ok("issue", "assign", str(issue), "--owner", "李娜", env={"QIYE_NOW": "2023-12-22T10:00:00+08:00"})
    assert _acknowledge_by(office, issue) == "2023-12-26"


def _acknowledged_at(qiye, issue_id: int) -> str | None:
    value = qiye.sql("select acknowledged_at from issue where id = :id", id=issue_id)[0][0]
    return None if value is None else str(value)[:19]


def test_start_on_an_earlier_day_backdates_the_acknowledgement(office) -> None:
    # Dispatched on Wednesday Dec 13, acknowledged on Thursday the 14th, logged on the 20th.
    issue = _add(office, "补录签收", "--dept", "消防救援大队", "--reported", "2023-12-13",
                 env={"QIYE_NOW": "2023-12-13T10:00:00+08:00"})
    assert _acknowledge_by(office, issue) == "2023-12-14"
    office.ok("issue", "start", str(issue), "--on", "2023-12-14")
    # 09:00 in the park is 01:00 UTC.
    assert _acknowledged_at(office, issue) == "2023-12-14 01:00:00"
    shown = _issue(office, issue)
    assert shown["status"] == "in_progress"
    backdated = [event for event in shown["events"] if event["field"] == "acknowledged_at"]
    assert [(event["old"], event["new"]) for event in backdated] == [(None, "2023-12-14T01:00:00.000000")]
    summary = json.loads(office.ok("report", "summary", "--format", "json").stdout)
    assert summary["response_rate"] == 1.0


def test_start_on_a_day_late_misses_the_response_limit(office) -> None:
    issue = _add(office, "迟签收", "--dept", "消防救援大队", "--reported", "2023-12-13",
                 env={"QIYE_NOW": "2023-12-13T10:00:00+08:00"})
    office.ok("issue", "start", str(issue), "--on", "2023-12-18")
    summary = json.loads(office.ok("report", "summary", "--format", "json").stdout)
    assert summary["response_rate"] == 0.0


def test_start_on_today_is_a_plain_start(office) -> None:
    issue = _add(office, "当天签收", "--dept", "消防救援大队")
    office.ok("issue", "start", str(issue), "--on", "today")
    assert _acknowledged_at(office, issue) == "2023-12-20 02:00:00"  # the pinned clock, 10:00 in the park
    assert not [event for event in _issue(office, issue)["events"] if event["field"] == "acknowledged_at"]


@pytest.mark.parametrize(
    ("on", "earlier"),
    [("2023-12-12", "reported_on"), ("2023-12-14", "dispatched_on"), ("2023-12-21", "in the future")],
)
def test_start_on_an_impossible_day_is_refused_and_changes_nothing(office, on: str, earlier: str) -> None:
    issue = _add(office, "错日期", "--reported", "2023-12-13", env={"QIYE_NOW": "2023-12-13T10:00:00+08:00"})
    office.ok("issue", "assign", str(issue), "--dept", "消防救援大队",
              env={"QIYE_NOW": "2023-12-15T10:00:00+08:00"})
    before = _issue(office, issue)
    result = office("issue", "start", str(issue), "--on", on)
    assert result.exit_code == 1
    assert result.stderr.startswith("error:")
    assert earlier in result.stderr and on in result.stderr
    assert _issue(office, issue) == before


def test_an_unreadable_deadline_lists_every_form_it_takes(office) -> None:
    result = office("issue", "add", "时限写错", "-e", "蓝思科技", "-c", "fire-acceptance", "--due", "下周")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot read the deadline '下周'")
    for form in ("2023-05-12", "5月12日", "+3d", "mon..sun", "+5wd", "15wd", "none"):
        assert form in result.stderr
    assert office.sql("select count(*) from issue") == [(0,)]
