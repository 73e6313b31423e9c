"""Issue 20 points 3 and 4 through the real CLI, on every backend: extension requests and their
decision, suspension and resume across a holiday, and close-out verification (审核销号).

Working days are counted by hand from the State Council's schedule for National Day 2023:
Fri Sep 29 – Fri Oct 6 off, Sat Oct 7 and Sun Oct 8 worked.
"""

from __future__ import annotations

import json

import pytest

from conftest import Qiye


def at(day: str) -> dict[str, str]:
    return {"QIYE_NOW": f"{day}T10:00:00+08:00"}


@pytest.fixture
def office(qiye: Qiye) -> Qiye:
    qiye.ok("enterprise", "add", "蓝思科技", "--zone", "北园")
    qiye.ok("department", "add", "消防救援大队")
    return qiye


def _add(qiye: Qiye, title: str, due: str, reported: str = "2023-09-20") -> int:
    result = qiye.ok("issue", "add", title, "-e", "蓝思科技", "-c", "fire-acceptance", "--dept", "消防救援大队",
                     "--reported", reported, "--due", due, env=at(reported))
    return int(result.stdout.strip())


def _show(qiye: Qiye, issue_id: int, day: str) -> dict:
    return json.loads(qiye.ok("issue", "show", str(issue_id), "--format", "json", env=at(day)).stdout)


def _summary(qiye: Qiye, day: str) -> dict:
    return json.loads(qiye.ok("report", "summary", "--format", "json", env=at(day)).stdout)


def _ladder(qiye: Qiye, day: str) -> dict[int, tuple[str, int]]:
    data = json.loads(qiye.ok("report", "overdue", "--format", "json", env=at(day)).stdout)
    return {row["id"]: (row["level"], row["days_overdue"]) for row in data["issues"]}


def _overdue_ids(qiye: Qiye, day: str) -> list[int]:
    rows = json.loads(qiye.ok("issue", "list", "--overdue", "--format", "json", env=at(day)).stdout)
    return [row["id"] for row in rows]


# --- point 3: suspension across a holiday ------------------------------------------------------


def test_suspension_across_national_day_stops_the_clock_and_moves_the_deadline(office: Qiye) -> None:
    held = _add(office, "二期厂房消防验收", "2023-09-28")
    control = _add(office, "一期厂房消防验收", "2023-09-28")
    office.ok("issue", "suspend", str(held), "--reason", "等待企业补充消防设计文件", env=at("2023-09-28"))

    # While suspended: not overdue, on no rung of the ladder; the control issue is.
    assert _ladder(office, "2023-10-09") == {control: ("overdue", 11)}
    assert _overdue_ids(office, "2023-10-09") == [control]
    assert _summary(office, "2023-10-09")["overdue"] == 1
    assert _show(office, held, "2023-10-09")["level"] is None
    # A past week's report (National Day week, ended Sun Oct 8) as it stood then: held too.
    weekly = json.loads(office.ok("report", "weekly", "--week", "2023-W40", "--format", "json",
                                  env=at("2023-10-09")).stdout)
    assert (weekly["overdue"], weekly["level_overdue"], weekly["level_red"]) == (1, 1, 0)

    # Resumed on Mon Oct 9: held Oct 7, 8 (make-up Saturday and Sunday) and 9: 3 working days.
    result = office.ok("issue", "resume", str(held), "--on", "2023-10-09", env=at("2023-10-10"))
    assert "3 working day(s)" in result.stdout and "2023-10-09" in result.stdout
    shown = _show(office, held, "2023-10-10")
    assert shown["due_on"] == "2023-09-28"  # the original due date is kept
    assert _sql(office, "select deadline_on, suspended_days, suspended_on from issue where id = :id", id=held) == [
        ("2023-10-09", 3, None)]

    # Thu Oct 12: the control issue is 6 working days late (Oct 7, 8, 9, 10, 11, 12): red; the
    # resumed one is 3 working days past its deadline in force (Oct 10, 11, 12): yellow.
    assert _ladder(office, "2023-10-12") == {control: ("red", 14), held: ("overdue", 3)}
    summary = _summary(office, "2023-10-12")
    assert (summary["overdue"], summary["level_red"], summary["level_overdue"]) == (2, 1, 1)
    # Before its new deadline it is due soon (blue), not overdue.
    assert _ladder(office, "2023-10-09")[held] == ("due-soon", 0)
    assert office.ok("db", "check", env=at("2023-10-12")).exit_code == 0


def test_suspend_and_resume_refusals_write_nothing(office: Qiye) -> None:
    issue = _add(office, "用电报装", "2023-10-20")
    events = office.sql("select count(*) from event")[0][0]
    missing = office("issue", "suspend", str(issue), env=at("2023-09-28"))
    assert missing.exit_code == 1 and "--reason" in missing.stderr
    not_held = office("issue", "resume", str(issue), env=at("2023-09-28"))
    assert not_held.exit_code == 1 and "not suspended" in not_held.stderr
    office.ok("issue", "suspend", str(issue), "--reason", "等待供电公司", env=at("2023-09-28"))
    twice = office("issue", "suspend", str(issue), "--reason", "again", env=at("2023-09-28"))
    assert twice.exit_code == 1 and "already suspended" in twice.stderr
    closing = office("issue", "resolve", str(issue), "--note", "done", env=at("2023-09-28"))
    assert closing.exit_code == 1 and "resume it first" in closing.stderr
    assert office.sql("select count(*) from event")[0][0] == events + 1


# --- point 3: extension request and decision ------------------------------------------------------


def test_approved_extension_keeps_due_on_and_overdue_figures_use_the_approved_date(office: Qiye) -> None:
    issue = _add(office, "消防验收整改", "2023-10-09")
    office.ok("issue", "extend", str(issue), "--to", "2023-10-20", "--reason", "等待检测报告",
              env={**at("2023-10-09"), "QIYE_USER": "消防大队经办"})
    # A pending request changes no deadline: overdue on Oct 12 as before.
    assert _ladder(office, "2023-10-12") == {issue: ("overdue", 3)}
    again = office("issue", "extend", str(issue), "--to", "2023-10-25", "--reason", "x", env=at("2023-10-10"))
    assert again.exit_code == 1 and "waiting" in again.stderr

    # Four eyes: the person who asked may not decide.
    own = office("issue", "extension", "approve", str(issue), env={**at("2023-10-12"), "QIYE_USER": "消防大队经办"})
    assert own.exit_code == 1 and "may not approve it" in own.stderr
    assert _sql(office, "select extended_due_on from issue where id = :id", id=issue) == [(None,)]

    office.ok("issue", "extension", "approve", str(issue), "--note", "同意", env={**at("2023-10-12"), "QIYE_USER": "督办科"})
    shown = _show(office, issue, "2023-10-12")
    assert shown["due_on"] == "2023-10-09" and shown["level"] is None  # due Oct 20: beyond 3 working days
    assert _overdue_ids(office, "2023-10-12") == []
    assert _summary(office, "2023-10-12")["overdue"] == 0
    assert _ladder(office, "2023-10-23") == {issue: ("overdue", 3)}
    actions = [event["action"] for event in shown["events"]]
    assert actions[-3:] == ["extension_requested", "extension_approved", "deadline"]
    assert _sql(office, "select extension_count, extension_to from issue where id = :id", id=issue) == [(1, None)]
    assert office.ok("db", "check", env=at("2023-10-12")).exit_code == 0


def test_refused_extension_leaves_the_deadline(office: Qiye) -> None:
    issue = _add(office, "道路接驳", "2023-10-09")
    office.ok("issue", "extend", str(issue), "--to", "+5wd", "--reason", "施工期", env=at("2023-10-09"))
    office.ok("issue", "extension", "refuse", str(issue), "--note", "理由不充分",
              env={**at("2023-10-10"), "QIYE_USER": "督办科"})
    assert _ladder(office, "2023-10-12") == {issue: ("overdue", 3)}
    none_waiting = office("issue", "extension", "approve", str(issue), env={**at("2023-10-12"), "QIYE_USER": "督办科"})
    assert none_waiting.exit_code == 1 and "no extension request" in none_waiting.stderr
    missing = office("issue", "extend", str(issue), "--to", "2023-10-30", env=at("2023-10-12"))
    assert missing.exit_code == 1 and "--reason" in missing.stderr


def test_extension_then_suspension_add_up(office: Qiye) -> None:
    issue = _add(office, "土地摘牌", "2023-09-27")
    office.ok("issue", "extend", str(issue), "--to", "2023-09-28", "--reason", "材料", env=at("2023-09-26"))
    office.ok("issue", "extension", "approve", str(issue), env={**at("2023-09-26"), "QIYE_USER": "督办科"})
    office.ok("issue", "suspend", str(issue), "--reason", "等待企业", env=at("2023-09-28"))
    office.ok("issue", "resume", str(issue), env=at("2023-10-09"))
    # 2023-09-28 + 3 working days (Oct 7, 8, 9) = Oct 9.
    assert _sql(office, "select due_on, extended_due_on, deadline_on from issue where id = :id", id=issue) == [
        ("2023-09-27", "2023-09-28", "2023-10-09")]
    shown = _show(office, issue, "2023-10-09")
    assert {k: shown[k] for k in ("due_on", "deadline_on", "extended_due_on", "extension_count", "suspended_days",
                                  "suspended_on")} == {
        "due_on": "2023-09-27", "deadline_on": "2023-10-09", "extended_due_on": "2023-09-28", "extension_count": 1,
        "suspended_days": 3, "suspended_on": None}
    table = office.ok("issue", "show", str(issue), "--lang", "zh", env=at("2023-10-09")).stdout
    assert "执行时限" in table and "挂起工作日数" in table
    office.ok("issue", "edit", str(issue), "--due", "2023-09-29", env=at("2023-10-09"))  # the original only
    assert _sql(office, "select deadline_on from issue where id = :id", id=issue) == [("2023-10-09",)]
    assert office.ok("db", "check", env=at("2023-10-09")).exit_code == 0


# --- point 4: close-out verification -----------------------------------------------------------


def test_with_verification_on_a_close_out_waits_and_counts_only_when_verified(office: Qiye) -> None:
    office.ok("config", "set", "closeout.verify", "on")
    issue = _add(office, "消防验收", "2023-10-20")
    office.ok("issue", "start", str(issue), env=at("2023-09-21"))
    result = office.ok("issue", "resolve", str(issue), "--note", "已通过验收",
                       env={**at("2023-09-25"), "QIYE_USER": "经办人"})
    assert "verification" in result.stdout
    assert _show(office, issue, "2023-09-25")["status"] == "verifying"
    summary = _summary(office, "2023-09-25")
    assert (summary["resolved"], summary["pending"]) == (0, 1)
    assert [row["id"] for row in json.loads(office.ok("issue", "list", "--format", "json", env=at("2023-09-25")).stdout)] == [issue]
    own = office("issue", "verify", str(issue), env={**at("2023-09-26"), "QIYE_USER": "经办人"})
    assert own.exit_code == 1 and "may not verify it" in own.stderr
    callback = office("issue", "callback", str(issue), "--result", "满意", env=at("2023-09-26"))
    assert callback.exit_code == 1

    office.ok("issue", "verify", str(issue), env={**at("2023-09-26"), "QIYE_USER": "督办科"})
    shown = _show(office, issue, "2023-09-26")
    assert (shown["status"], shown["resolved_on"]) == ("resolved", "2023-09-25")
    summary = _summary(office, "2023-09-26")
    assert (summary["resolved"], summary["pending"], summary["avg_days_to_resolve"]) == (1, 0, 5.0)
    assert office.sql("select verified_by, closeout_by from issue where id = :id", id=issue) == [("督办科", "经办人")]
    assert office.ok("db", "check", env=at("2023-09-26")).exit_code == 0


def test_rejected_close_out_is_redone_and_counted(office: Qiye) -> None:
    office.ok("config", "set", "closeout.verify", "on")
    issue = _add(office, "用水报装", "2023-10-20")
    office.ok("issue", "resolve", str(issue), "--note", "已接通", env={**at("2023-09-25"), "QIYE_USER": "经办人"})
    no_note = office("issue", "verify", str(issue), "--reject", env={**at("2023-09-26"), "QIYE_USER": "督办科"})
    assert no_note.exit_code == 1 and "--note" in no_note.stderr
    office.ok("issue", "verify", str(issue), "--reject", "--note", "现场未接通",
              env={**at("2023-09-26"), "QIYE_USER": "督办科"})
    shown = _show(office, issue, "2023-09-26")
    assert (shown["status"], shown["resolved_on"]) == ("in_progress", None)
    assert office.sql("select reopen_count from issue where id = :id", id=issue) == [(1,)]
    assert [e["action"] for e in shown["events"]][-2:] == ["rejected", "edited"]
    assert (shown["resolution"], shown["previous_resolution"]) == (None, {
        "resolved_on": "2023-09-25", "resolution": "已接通", "reopened_on": "2023-09-26"})
    not_waiting = office("issue", "verify", str(issue), env={**at("2023-09-26"), "QIYE_USER": "督办科"})
    assert not_waiting.exit_code == 1
    assert office.ok("db", "check", env=at("2023-09-26")).exit_code == 0


def test_verification_defaults_on_once_users_are_registered_and_off_before(office: Qiye, monkeypatch) -> None:
    from qiye_service.services import permissions

    first = _add(office, "单人台账", "2023-10-20")
    office.ok("issue", "resolve", str(first), "--note", "done", env=at("2023-09-25"))
    assert _show(office, first, "2023-09-25")["status"] == "resolved"  # a single cadre's ledger: as before
    # Register an admin known by this test's login (the OS login on SQLite, session_user on PostgreSQL).
    monkeypatch.setattr(permissions, "os_login", lambda: "os-login")
    login = str(office.sql("SELECT session_user")[0][0]) if office.url.startswith("postgresql") else "os-login"
    office.ok("user", "add", "管理员", "--role", "admin", "--login", login)
    as_admin = {**at("2023-09-25"), "QIYE_USER": ""}
    second = int(office.ok("issue", "add", "共享台账", "-e", "蓝思科技", "-c", "fire-acceptance", "--dept", "消防救援大队",
                           "--reported", "2023-09-20", "--due", "2023-10-20", env=as_admin).stdout.strip())
    office.ok("issue", "resolve", str(second), "--note", "done", env=as_admin)
    assert _show(office, second, "2023-09-25")["status"] == "verifying"
    own = office("issue", "verify", str(second), env=as_admin)
    assert own.exit_code == 1  # four eyes, with roles enforced too
    office.ok("config", "set", "closeout.verify", "off", env=as_admin)
    third = int(office.ok("issue", "add", "关闭审核", "-e", "蓝思科技", "-c", "fire-acceptance",
                          "--reported", "2023-09-20", "--due", "2023-10-20", env=as_admin).stdout.strip())
    office.ok("issue", "resolve", str(third), "--note", "done", env=as_admin)
    assert _show(office, third, "2023-09-25")["status"] == "resolved"
    bad = office("config", "set", "closeout.verify", "maybe", env=as_admin)
    assert bad.exit_code == 1 and "on, off or auto" in bad.stderr


def test_messages_in_chinese(office: Qiye) -> None:
    issue = _add(office, "消防验收", "2023-10-20")
    result = office.ok("issue", "suspend", str(issue), "--reason", "等待企业", "--lang", "zh", env=at("2023-09-28"))
    assert "挂起" in result.stdout
    refused = office("issue", "extension", "approve", str(issue), "--lang", "zh", env=at("2023-09-28"))
    assert refused.exit_code == 1 and "没有待审批的延期申请" in refused.stderr


def _sql(qiye: Qiye, statement: str, **params: object) -> list[tuple]:
    """Rows with dates as ISO text, as either backend returns them."""
    return [tuple(v if v is None or isinstance(v, int) else str(v) for v in row)
            for row in qiye.sql(statement, **params)]


def test_export_import_export_keeps_extensions_suspensions_and_verification(office: Qiye, tmp_path) -> None:
    """`export issues --cycle` carries 延期至, 挂起天数, 执行时限, 审核人 …; an empty ledger that imports
    the file exports it again byte for byte, with the same overdue figures and levels."""
    office.ok("config", "set", "closeout.verify", "on")
    ids = [_add(office, f"问题{n}", "2023-09-28") for n in range(4)]
    office.ok("issue", "suspend", str(ids[0]), "--reason", "等待企业", env=at("2023-09-28"))
    office.ok("issue", "suspend", str(ids[1]), "--reason", "等待第三方", env=at("2023-09-28"))
    office.ok("issue", "extend", str(ids[2]), "--to", "2023-10-20", "--reason", "等待批复", env=at("2023-09-28"))
    office.ok("issue", "extension", "approve", str(ids[2]), env={**at("2023-09-28"), "QIYE_USER": "督办科"})
    office.ok("issue", "resolve", str(ids[3]), "--note", "已办结", env={**at("2023-09-28"), "QIYE_USER": "经办人"})
    office.ok("issue", "resume", str(ids[1]), env=at("2023-10-12"))
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    office.ok("export", "issues", "--cycle", "--format", "csv", "--out", str(first), env=at("2023-10-12"))
    other = Qiye(str(tmp_path / "other.db"), {**office.env, "QIYE_DB": str(tmp_path / "other.db")})
    other.ok("init")
    other.ok("import", "issues", str(first), env=at("2023-10-12"))
    other.ok("export", "issues", "--cycle", "--format", "csv", "--out", str(second), env=at("2023-10-12"))
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
    header = first.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert {"extended_due_on", "deadline_on", "suspended_on", "suspended_days", "closeout_by", "verified_by"} <= set(header)
    assert _ladder(other, "2023-10-12") == _ladder(office, "2023-10-12")
    assert _summary(other, "2023-10-12")["overdue"] == _summary(office, "2023-10-12")["overdue"]
    assert other.ok("db", "check", env=at("2023-10-12")).exit_code == 0
    mine = other("issue", "verify", str(ids[3]), env={**at("2023-10-12"), "QIYE_USER": "经办人"})
    assert mine.exit_code == 1 and "may not verify it" in mine.stderr  # the close-out's author came along


def test_import_refuses_a_state_no_command_reaches(office: Qiye, tmp_path) -> None:
    """An imported row suspended while resolved, or extended to before its due date, is refused
    as the commands refuse it (services/workflow.py), naming row and column; nothing is written."""
    ledger = tmp_path / "台账.csv"
    ledger.write_text(
        "企业名称,问题类别,标题,登记日期,办结时限,办理状态,办结日期,办理结果,挂起日期,延期至\n"
        "蓝思科技,消防验收,已办结却挂起,2023-09-01,2023-09-20,已办结,2023-09-10,好,2023-09-05,\n"
        "蓝思科技,消防验收,延期早于时限,2023-09-01,2023-09-20,办理中,,,,2023-09-15\n"
        "蓝思科技,消防验收,正常挂起,2023-09-01,2023-09-20,办理中,,,2023-09-05,2023-09-25\n", encoding="utf-8")
    result = office("import", "issues", str(ledger), env=at("2023-09-28"))
    assert result.exit_code == 1
    assert "row 2, column 挂起日期" in result.stderr and "row 3, column 延期至" in result.stderr
    assert "row 4" not in result.stderr
    assert office.sql("select count(*) from issue") == [(0,)]
