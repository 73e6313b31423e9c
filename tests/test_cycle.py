"""The work-order cycle's dispatch side through the real CLI (issue 20, DESIGN §11): a lead
department (主办) and co-handlers (协办) each with a deadline and an acknowledgement, the
response rate per department, returns (退单) with a reason, transfers and upholding (审定),
and callbacks that record solved, satisfied and reached. On every backend."""

from __future__ import annotations

import json

import pytest

from conftest import Qiye

NOW = {"QIYE_NOW": "2023-12-04T10:00:00+08:00"}  # a Monday
NEXT_DAY = {"QIYE_NOW": "2023-12-05T10:00:00+08:00"}
LATER = {"QIYE_NOW": "2023-12-07T10:00:00+08:00"}  # Thursday: past the one-working-day limit


def _show(qiye: Qiye, issue_id: int) -> dict:
    return json.loads(qiye.ok("issue", "show", str(issue_id), "--format", "json").stdout)


def _summary_by_department(qiye: Qiye) -> dict:
    got = json.loads(qiye.ok("report", "summary", "--by", "department", "--format", "json", env=LATER).stdout)
    return {g["key"]: g for g in got["groups"]}


@pytest.fixture
def office(qiye: Qiye) -> Qiye:
    qiye.ok("enterprise", "add", "蓝思科技")
    for name in ("规划建设局", "消防救援大队", "国网浏阳供电公司", "自然资源局"):
        qiye.ok("department", "add", name)
    qiye.ok("issue", "add", "二期厂房用电增容", "-e", "蓝思科技", "-c", "water-power", "--reported", "2023-12-01",
            "--due", "2023-12-29", env=NOW)
    return qiye


def test_lead_and_co_handlers_each_have_a_deadline_and_an_acknowledgement(office: Qiye) -> None:
    office.ok("issue", "assign", "1", "--dept", "规划建设局", "--co", "消防救援大队", "--co", "国网浏阳供电公司",
              "--due", "2023-12-20", env=NOW)
    shown = _show(office, 1)
    assert shown["department"] == "规划建设局"
    assert shown["due_on"] == "2023-12-20"
    assert [(p["department"], p["part"], p["due_on"], p["dispatched_on"], p["acknowledged_on"])
            for p in shown["departments"]] == [
        ("规划建设局", "lead", "2023-12-20", "2023-12-04", None),
        ("消防救援大队", "co", "2023-12-20", "2023-12-04", None),
        ("国网浏阳供电公司", "co", "2023-12-20", "2023-12-04", None)]
    # A co-handler with a later deadline of its own.
    office.ok("issue", "assign", "1", "--co", "自然资源局", "--due", "2023-12-27", env=NOW)
    # Each acknowledges on its own: the co-handler's 签收 leaves the issue's status to the lead.
    result = office.ok("issue", "start", "1", "--dept", "消防救援大队", env=NOW)
    assert "消防救援大队" in result.stdout
    assert _show(office, 1)["status"] == "open"
    office.ok("issue", "start", "1", env=NEXT_DAY)  # the lead: open → in progress
    office.ok("issue", "start", "1", "--dept", "国网浏阳供电公司", env=LATER)  # past the limit
    shown = _show(office, 1)
    assert shown["status"] == "in_progress"
    assert [(p["department"], p["due_on"], p["acknowledged_on"]) for p in shown["departments"]] == [
        ("规划建设局", "2023-12-20", "2023-12-05"), ("消防救援大队", "2023-12-20", "2023-12-04"),
        ("国网浏阳供电公司", "2023-12-20", "2023-12-07"), ("自然资源局", "2023-12-27", None)]
    # Acknowledging twice, or for a department not dispatched, writes nothing.
    before = office.sql("select count(*) from event")
    again = office("issue", "start", "1", "--dept", "消防救援大队", env=LATER)
    assert again.exit_code == 1 and "消防救援大队" in again.stderr
    stranger = office("issue", "start", "1", "--dept", "规划建设局 ", env=LATER)
    assert stranger.exit_code == 1  # the lead is in progress already
    assert office.sql("select count(*) from event") == before
    # Response rate per department: each department's own dispatches, acknowledged in time or not.
    groups = _summary_by_department(office)
    assert groups["规划建设局"]["response_rate"] == 1.0       # lead, 签收 the next working day
    assert groups["消防救援大队"]["response_rate"] == 1.0     # co, same day
    assert groups["国网浏阳供电公司"]["response_rate"] == 0.0  # co, three days later
    assert groups["自然资源局"]["response_rate"] == 0.0        # co, not yet
    assert groups["消防救援大队"]["total"] == 0  # it leads no issue of its own
    assert office.ok("db", "check").exit_code == 0


def test_a_ledger_without_co_handlers_reports_as_before(office: Qiye) -> None:
    office.ok("issue", "assign", "1", "--dept", "规划建设局", env=NOW)
    office.ok("issue", "start", "1", env=NEXT_DAY)
    shown = _show(office, 1)
    assert "departments" not in shown and "return_count" not in shown
    groups = _summary_by_department(office)
    assert list(groups) == ["规划建设局"]
    assert (groups["规划建设局"]["response_rate"], groups["规划建设局"]["returns"]) == (1.0, 0)


def test_return_then_transfer_is_counted_per_issue_and_department(office: Qiye) -> None:
    office.ok("issue", "assign", "1", "--dept", "规划建设局", env=NOW)
    office.ok("issue", "start", "1", env=NOW)
    # No note, a reason outside the list, or a department not dispatched: refused, nothing written.
    before = office.sql("select count(*) from event")
    assert office("issue", "return", "1", "--reason", "非本单位职责", env=NOW).exit_code == 1
    bad = office("issue", "return", "1", "--reason", "太忙", "--note", "x", env=NOW)
    assert bad.exit_code == 1 and "not_responsible" in bad.stderr
    assert office("issue", "return", "1", "--reason", "重复", "--note", "x", "--dept", "自然资源局",
                  env=NOW).exit_code == 1
    assert office.sql("select count(*) from event") == before

    returned = office.ok("issue", "return", "1", "--reason", "非本单位职责", "--note", "属供电公司职责", env=NEXT_DAY)
    assert "1" in returned.stdout
    shown = _show(office, 1)
    assert shown["status"] == "open"  # back with the office until it decides
    assert (shown["return_count"], shown["transfer_count"]) == (1, 0)
    assert shown["departments"][0]["return_reason"] == "not_responsible"
    assert shown["departments"][0]["return_note"] == "属供电公司职责"
    # A second return while the first waits for a decision is refused.
    assert office("issue", "return", "1", "--reason", "其他", "--note", "再退", env=NEXT_DAY).exit_code == 1
    # …and so is its acknowledgement: the office decides first.
    waiting = office("issue", "start", "1", env=NEXT_DAY)
    assert waiting.exit_code == 1 and "uphold" in waiting.stderr

    office.ok("issue", "assign", "1", "--dept", "国网浏阳供电公司", env=NEXT_DAY)  # a transfer (转办)
    shown = _show(office, 1)
    assert shown["department"] == "国网浏阳供电公司"
    assert (shown["return_count"], shown["transfer_count"]) == (1, 1)
    assert [(p["department"], p["part"], p["outcome"]) for p in shown["departments"]] == [
        ("国网浏阳供电公司", "lead", None), ("规划建设局", "lead", "transferred")]
    assert [e["action"] for e in shown["events"]][-3:] == ["status", "assigned", "transferred"]
    office.ok("issue", "start", "1", env=NEXT_DAY)  # the new lead acknowledges

    groups = _summary_by_department(office)
    assert (groups["规划建设局"]["returns"], groups["规划建设局"]["transfers"], groups["规划建设局"]["total"]) == (1, 1, 0)
    assert (groups["国网浏阳供电公司"]["returns"], groups["国网浏阳供电公司"]["transfers"]) == (0, 0)
    table = office.ok("report", "summary", "--by", "department", env=LATER).stdout
    assert "Returns" in table and "Transfers" in table
    zh = office.ok("--lang", "zh", "report", "summary", "--by", "department", env=LATER).stdout
    assert "退单次数" in zh and "转办次数" in zh
    assert office.ok("db", "check").exit_code == 0


def test_uphold_makes_the_department_take_it_and_a_later_return_counts_again(office: Qiye) -> None:
    office.ok("issue", "assign", "1", "--dept", "规划建设局", "--co", "消防救援大队", env=NOW)
    office.ok("issue", "start", "1", "--dept", "消防救援大队", env=NOW)
    office.ok("issue", "return", "1", "--dept", "消防救援大队", "--reason", "信息不全", "--note", "缺少图纸", env=NOW)
    assert _show(office, 1)["status"] == "open"  # a co-handler's return leaves the lead's status
    lead = office("issue", "uphold", "1", "--dept", "规划建设局", env=NOW)  # the lead returned nothing
    assert lead.exit_code == 1 and "规划建设局" in lead.stderr
    upheld = office.ok("issue", "uphold", "1", "--note", "经审定属本单位协办", env=NEXT_DAY)
    assert "消防救援大队" in upheld.stdout
    shown = _show(office, 1)
    co = shown["departments"][1]
    assert (co["department"], co["outcome"], co["acknowledged_on"]) == ("消防救援大队", "upheld", None)
    assert office("issue", "uphold", "1", env=NEXT_DAY).exit_code == 1  # nothing left to decide
    office.ok("issue", "start", "1", "--dept", "消防救援大队", env=NEXT_DAY)  # it takes the issue
    office.ok("issue", "return", "1", "--dept", "消防救援大队", "--reason", "other", "--note", "仍非本单位", env=LATER)
    shown = _show(office, 1)
    assert (shown["return_count"], shown["transfer_count"]) == (2, 0)
    # The co-handler's return settled by dispatching another co-handler: a transfer.
    office.ok("issue", "assign", "1", "--co", "自然资源局", env=LATER)
    shown = _show(office, 1)
    assert (shown["return_count"], shown["transfer_count"]) == (2, 1)
    assert [(p["department"], p["part"], p["outcome"]) for p in shown["departments"]] == [
        ("规划建设局", "lead", None), ("自然资源局", "co", None),
        ("消防救援大队", "co", "upheld"), ("消防救援大队", "co", "transferred")]
    groups = _summary_by_department(office)
    assert (groups["消防救援大队"]["returns"], groups["消防救援大队"]["transfers"]) == (2, 1)
    zh = office.ok("--lang", "zh", "issue", "show", "1").stdout
    assert "承办单位" in zh and "协办" in zh and "退单次数" in zh
    assert office.ok("db", "check").exit_code == 0


def test_callbacks_record_solved_satisfied_and_reached(office: Qiye) -> None:
    for title in ("二号", "三号", "四号"):
        office.ok("issue", "add", title, "-e", "蓝思科技", "-c", "road", "--reported", "2023-12-01", env=NOW)
    for issue_id in (1, 2, 3, 4):
        office.ok("issue", "resolve", str(issue_id), "--note", "已办结", "--on", "2023-12-04", env=NOW)
    office.ok("issue", "callback", "1", "--solved", "解决", "--satisfied", "满意", env=NEXT_DAY)
    office.ok("issue", "callback", "2", "--result", "基本满意", env=NEXT_DAY)  # the old form still works
    unreached = office.ok("issue", "callback", "3", "--unreached", "--note", "电话无人接听", env=NEXT_DAY)
    assert "3" in unreached.stdout
    one, two, three = _show(office, 1), _show(office, 2), _show(office, 3)
    assert (one["callback_result"], one["callback_solved"], one["callback_reached"]) == ("satisfied", "solved", True)
    assert "callback_solved" not in two and two["callback_result"] == "basic"
    assert (three["callback_result"], three["callback_reached"]) == (None, False)
    # Rates count reached callbacks only: 2 of 4 resolved called back, both satisfied.
    got = json.loads(office.ok("report", "summary", "--format", "json", env=LATER).stdout)
    assert (got["callback_rate"], got["satisfaction_rate"]) == (0.5, 1.0)
    # 部分解决 and 不满意 sends it back to work (重办) as before.
    office.ok("issue", "callback", "4", "--solved", "部分解决", "--satisfied", "不满意", env=NEXT_DAY)
    four = _show(office, 4)
    assert (four["status"], four["callback_solved"], four["callback_result"]) == ("in_progress", "partly", "unsatisfied")
    got = json.loads(office.ok("report", "summary", "--format", "json", env=LATER).stdout)
    assert (got["callback_rate"], got["satisfaction_rate"]) == (0.6667, 0.6667)
    # Bad combinations write nothing.
    before = office.sql("select count(*) from event")
    both = office("issue", "callback", "2", "--unreached", "--satisfied", "满意", env=LATER)
    assert both.exit_code == 1 and "--unreached" in both.stderr
    assert office("issue", "callback", "2", "--solved", "很好", "--satisfied", "满意", env=LATER).exit_code == 1
    missing = office("issue", "callback", "2", "--solved", "解决", env=LATER)
    assert missing.exit_code == 2 and "--result" in missing.stderr
    assert office.sql("select count(*) from event") == before
    zh = office.ok("--lang", "zh", "issue", "show", "1").stdout
    assert "解决情况" in zh and "是否联系上" in zh
    assert office.ok("db", "check").exit_code == 0


# --- point 6: one place decides every transition, for commands and imports alike ---------------

IMPORT_HEADER = ("title,enterprise,category,reported_on,status,department,dispatched_on,acknowledged_on,"
                 "resolved_on,resolution,callback_result,callback_on,co_departments,returned_by,transferred_from,"
                 "callback_solved,callback_reached")
REACHABLE = {  # every step's columns, as the commands leave them
    "filed": "登记,蓝思科技,road,2023-11-01,open,,,,,,,,,,,,",
    "dispatched": "派单,蓝思科技,road,2023-11-01,open,规划建设局,2023-11-01,,,,,,,,,,",
    "acknowledged": "签收,蓝思科技,road,2023-11-01,in_progress,规划建设局,2023-11-01,2023-11-02,,,,,,,,,",
    "co-handled": "协办,蓝思科技,road,2023-11-01,in_progress,规划建设局,2023-11-01,2023-11-02,,,,,消防救援大队,,,,",
    "returned, upheld": "审定,蓝思科技,road,2023-11-01,open,规划建设局,2023-11-01,,,,,,,规划建设局,,,",
    "returned, transferred": "转办,蓝思科技,road,2023-11-01,open,自然资源局,2023-11-03,,,,,,,规划建设局,规划建设局,,",
    "deferred": "暂缓,蓝思科技,road,2023-11-01,deferred,规划建设局,2023-11-01,2023-11-02,,,,,,,,,",
    "resolved": "办结,蓝思科技,road,2023-11-01,resolved,规划建设局,2023-11-01,2023-11-02,2023-11-20,已办结,,,,,,,",
    "called back": "回访,蓝思科技,road,2023-11-01,resolved,规划建设局,2023-11-01,2023-11-02,2023-11-20,已办结,满意,"
                   "2023-11-21,,,,解决,是",
    "unreached": "未联系上,蓝思科技,road,2023-11-01,resolved,规划建设局,2023-11-01,,2023-11-20,已办结,,2023-11-21,,,,,否",
    "redone": "重办,蓝思科技,road,2023-11-01,in_progress,规划建设局,2023-11-01,,,,不满意,2023-11-21,,,,未解决,是",
}
UNREACHABLE = {  # column: what no sequence of commands leaves behind
    "resolved_on": "无销号日期,蓝思科技,road,2023-11-01,resolved,,,,,,,,,,,,",
    "resolved_on ": "未办结却有销号日期,蓝思科技,road,2023-11-01,open,,,,2023-11-20,,,,,,,,",
    "callback_result": "未办结就回访,蓝思科技,road,2023-11-01,open,,,,,,满意,2023-11-21,,,,,",
    "acknowledged_on": "先签收后派单,蓝思科技,road,2023-11-01,in_progress,规划建设局,2023-11-05,2023-11-02,,,,,,,,,",
    "co_departments": "无主办的协办,蓝思科技,road,2023-11-01,open,,,,,,,,消防救援大队,,,,",
    "transferred_from": "未退单就转办,蓝思科技,road,2023-11-01,open,自然资源局,2023-11-01,,,,,,,规划建设局,消防救援大队,,",
    "transfer_count": "转办多于退单,蓝思科技,road,2023-11-01,open,自然资源局,2023-11-01,,,,,,,,消防救援大队,,",
    "callback_reached": "未联系上却有评价,蓝思科技,road,2023-11-01,resolved,,,,2023-11-20,已办结,满意,2023-11-21,,,,,否",
}


def test_an_import_reaches_every_state_a_command_can_and_no_other(office: Qiye, tmp_path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("\n".join([IMPORT_HEADER, *REACHABLE.values()]) + "\n", encoding="utf-8")
    office.ok("import", "issues", str(good), env=NOW)
    assert office.ok("db", "check").exit_code == 0
    listed = json.loads(office.ok("issue", "list", "--status", "all", "--format", "json").stdout)
    assert len(listed) == 1 + len(REACHABLE)
    by_title = {row["title"]: row["id"] for row in listed}
    transferred = _show(office, by_title["转办"])
    assert (transferred["return_count"], transferred["transfer_count"]) == (1, 1)
    assert _show(office, by_title["协办"])["departments"][1]["department"] == "消防救援大队"
    assert _show(office, by_title["重办"])["status"] == "in_progress"
    # The imported states go on through the commands like any other.
    office.ok("issue", "start", str(by_title["审定"]), env=NOW)
    office.ok("issue", "return", str(by_title["协办"]), "--dept", "消防救援大队", "--reason", "重复", "--note", "重复件",
              env=NOW)
    office.ok("issue", "uphold", str(by_title["协办"]), env=NOW)

    for column, line in UNREACHABLE.items():
        bad = tmp_path / "bad.csv"
        bad.write_text("\n".join([IMPORT_HEADER, line]) + "\n", encoding="utf-8")
        before = office.sql("select count(*) from issue")
        result = office("import", "issues", str(bad), env=NOW)
        assert result.exit_code == 1, column
        assert column.strip() in result.stderr or "status" in result.stderr, (column, result.stderr)
        assert office.sql("select count(*) from issue") == before
    # …and the commands refuse the same steps: a callback before the close-out, a return or a
    # co-handler without a lead department, an upholding with no return.
    plain = str(by_title["登记"])
    assert office("issue", "callback", plain, "--satisfied", "满意", env=NOW).exit_code == 1
    assert office("issue", "return", plain, "--reason", "重复", "--note", "x", env=NOW).exit_code == 1
    assert office("issue", "assign", plain, "--co", "消防救援大队", env=NOW).exit_code == 1
    assert office("issue", "uphold", str(by_title["派单"]), env=NOW).exit_code == 1


def test_an_import_cannot_verify_a_close_out_by_its_own_author(office: Qiye, tmp_path) -> None:
    """Four eyes (DESIGN §10) holds for imports too: `issue verify` refuses the close-out's author,
    so no row may say the same person closed the issue out and verified it, directly or through
    an admin's --as, whether it creates an issue or updates one (audit2)."""
    office.ok("config", "set", "closeout.verify", "on")
    office.ok("issue", "resolve", "1", "--note", "已增容", env={**NOW, "QIYE_USER": "王督办"})
    header = "id,title,enterprise,category,reported_on,status,resolved_on,resolution,closeout_by,verified_by"
    rows = {"update": "1,二期厂房用电增容,蓝思科技,water-power,2023-12-01,resolved,2023-12-04,已增容,王督办,王督办",
            "create": ",新问题,蓝思科技,road,2023-12-01,resolved,2023-12-04,已办结,李经办,赵管理（代 李经办）"}
    for lang, words in (("en", "王督办 requested this close-out and may not verify it too"),
                        ("zh", "该办结由 王督办 申请，不能由本人审核销号")):
        path = tmp_path / "self.csv"
        path.write_text(f"{header}\n{rows['update']}\n", encoding="utf-8")
        result = office("import", "issues", str(path), "--on-conflict", "update", "--lang", lang, env=NOW)
        assert result.exit_code == 1 and "verified_by" in result.stderr and words in result.stderr, result.stderr
    path.write_text(f"{header}\n{rows['create']}\n", encoding="utf-8")
    assert office("import", "issues", str(path), env=NOW).exit_code == 1
    assert office.sql("SELECT status, verified_by FROM issue ORDER BY id") == [("verifying", None)]
    # Nor another's: an update verifies nothing, `issue verify` does (tests/test_import_rules.py).
    path.write_text(f"{header}\n{rows['update'].removesuffix('王督办')}钱督办\n", encoding="utf-8")
    result = office("import", "issues", str(path), "--on-conflict", "update", env=NOW)
    assert result.exit_code == 1 and "qiye issue verify 1" in result.stderr, result.stderr
    assert office.sql("SELECT status, verified_by FROM issue") == [("verifying", None)]


# --- point 7: export and import carry the cycle both ways -----------------------------------------


def test_export_import_export_keeps_the_cycle_and_every_figure(office: Qiye, tmp_path, qiye_factory=None) -> None:
    office.ok("issue", "assign", "1", "--dept", "规划建设局", "--co", "消防救援大队", "--co", "自然资源局", env=NOW)
    office.ok("issue", "start", "1", "--dept", "消防救援大队", env=NOW)
    office.ok("issue", "return", "1", "--reason", "非本单位职责", "--note", "不属本局", env=NOW)
    office.ok("issue", "assign", "1", "--dept", "国网浏阳供电公司", env=NEXT_DAY)
    office.ok("issue", "start", "1", env=NEXT_DAY)
    office.ok("issue", "resolve", "1", "--note", "已增容", env=NEXT_DAY)
    office.ok("issue", "callback", "1", "--solved", "部分解决", "--satisfied", "基本满意", env=LATER)
    office.ok("issue", "add", "二号", "-e", "蓝思科技", "-c", "road", "--dept", "规划建设局", env=NOW)
    office.ok("issue", "resolve", "2", "--note", "已办", env=NOW)
    office.ok("issue", "callback", "2", "--unreached", "--note", "电话无人接听", env=NEXT_DAY)
    first = tmp_path / "first.csv"
    first.write_text(office.ok("export", "issues", "--cycle", env=LATER).stdout, encoding="utf-8")
    header = first.read_text(encoding="utf-8").splitlines()[0]
    assert "co_departments" in header and "returned_by" in header and "callback_reached" in header
    figures = {by: json.loads(office.ok("report", "summary", "--by", by, "--format", "json", env=LATER).stdout)
               for by in ("department", "category")}

    # A second ledger reading the export back: the same cycle, the same figures, the same export.
    office.sql("delete from dispatch")
    office.sql("delete from event")
    office.sql("delete from issue_tag")
    office.sql("delete from issue")
    office.ok("import", "issues", str(first), env=LATER)
    assert office.ok("db", "check").exit_code == 0
    again = office.ok("export", "issues", "--cycle", env=LATER).stdout
    assert again == first.read_text(encoding="utf-8")
    for by, before in figures.items():
        after = json.loads(office.ok("report", "summary", "--by", by, "--format", "json", env=LATER).stdout)
        assert after == before, by
    shown = _show(office, 1)
    assert (shown["return_count"], shown["transfer_count"], shown["callback_solved"]) == (1, 1, "partly")
    unreached = _show(office, 2)
    assert unreached["callback_reached"] is False and unreached["callback_note"] == "电话无人接听"
    assert [(e["action"], e["field"], e["note"]) for e in unreached["events"]][-1] == (
        "callback", "callback_reached", "电话无人接听")
    # Chinese headers read back too.
    zh = office.ok("--lang", "zh", "export", "issues", "--cycle", "--labels", env=LATER).stdout.splitlines()[0]
    assert zh


def test_db_check_replays_the_cycle_from_the_history(office: Qiye) -> None:
    office.ok("issue", "assign", "1", "--dept", "规划建设局", env=NOW)
    office.ok("issue", "return", "1", "--reason", "重复", "--note", "与 #3 重复", env=NOW)
    office.ok("issue", "assign", "1", "--dept", "自然资源局", env=NOW)
    office.ok("issue", "resolve", "1", "--note", "已办结", env=NEXT_DAY)
    office.ok("issue", "callback", "1", "--solved", "解决", "--satisfied", "满意", env=LATER)
    actions = [e["action"] for e in _show(office, 1)["events"]]
    assert actions == ["created", "assigned", "returned", "assigned", "transferred", "status", "edited", "edited",
                       "callback", "callback"]
    assert office.ok("db", "check").exit_code == 0
    for column, value in (("return_count", "0"), ("transfer_count", "3"), ("callback_solved", "'unsolved'")):
        office.sql(f"update issue set {column} = {value} where id = 1")
        found = office("db", "check")
        assert found.exit_code != 0 and column in found.stdout + found.stderr, column
    office.sql("update issue set return_count = 1, transfer_count = 1, callback_solved = 'solved' where id = 1")
    assert office.ok("db", "check").exit_code == 0



def test_db_check_replays_who_co_handles(office: Qiye) -> None:
    office.ok("issue", "assign", "1", "--dept", "规划建设局", "--co", "消防救援大队", "--co", "自然资源局", env=NOW)
    office.ok("issue", "assign", "1", "--dept", "自然资源局", env=NOW)  # a co-handler promoted to lead
    office.ok("issue", "return", "1", "--dept", "消防救援大队", "--reason", "重复", "--note", "x", env=NOW)
    office.ok("issue", "assign", "1", "--co", "国网浏阳供电公司", env=NEXT_DAY)  # it is transferred away
    assert [p["department"] for p in _show(office, 1)["departments"] if p["part"] == "co" and not p["outcome"]] == [
        "国网浏阳供电公司"]
    assert office.ok("db", "check").exit_code == 0
    office.sql("update dispatch set active = true where role = 'co'")  # an edit the history does not tell
    found = office("db", "check")
    assert found.exit_code != 0 and "co_departments" in found.stdout + found.stderr


def test_a_returns_reason_reads_in_words_in_the_history(office: Qiye) -> None:
    office.ok("issue", "assign", "1", "--dept", "规划建设局", env=NOW)
    office.ok("issue", "return", "1", "--reason", "非本单位职责", "--note", "不属本局", env=NOW)
    zh = office.ok("--lang", "zh", "issue", "show", "1", "--format", "markdown", env=NOW).stdout
    assert "规划建设局 · 非本单位职责: 不属本局" in zh and "not_responsible" not in zh
    en = office.ok("--lang", "en", "issue", "show", "1", "--format", "markdown", env=NOW).stdout
    assert "规划建设局 · not responsible: 不属本局" in en
    # The history keeps what was recorded: the reason's code.
    assert _show(office, 1)["events"][-1]["note"] == "规划建设局 · not_responsible: 不属本局"
