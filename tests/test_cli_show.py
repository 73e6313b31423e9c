"""Issue 18 point 6 through the real CLI: `issue show`'s supervision state and previous
close-out, history JSON with codes and names, list footers, `issue tag`'s report, and
`report trend` over the data's range.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from qiye_service.models import ISSUE_FIELDS

STATE_KEYS = ["level", "days_overdue", "dispatched_on", "acknowledged_on", "escalated", "callback_result",
              "callback_on", "callback_note"]


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


@pytest.mark.parametrize(("lang", "wording"), [("en", "{count} of {total} rows"), ("zh", "共 {total} 条，显示 {count} 条")])
def test_report_lists_cut_by_limit_say_of_how_many(sample, lang, wording):
    total = json.loads(sample.ok("report", "overdue", "--format", "json").stdout)["total"]
    assert total > 3
    out = sample.ok("--lang", lang, "report", "overdue", "--limit", "3").stdout
    assert wording.format(count=3, total=total) in out
    weekly = json.loads(sample.ok("report", "weekly", "--week", "2023-W50", "--format", "json").stdout)
    out = sample.ok("--lang", lang, "report", "weekly", "--week", "2023-W50", "--limit", "1").stdout
    assert wording.format(count=1, total=weekly["overdue"]) in out
    # Not cut: no such line.
    out = sample.ok("--lang", lang, "report", "overdue", "--limit", str(total)).stdout
    assert wording.format(count=total, total=total) not in out


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


# --- issue show: the supervision state (a) ------------------------------------------------------


def _shown(qiye, issue_id, *args):
    return json.loads(qiye.ok("issue", "show", str(issue_id), "--format", "json", *args).stdout)


def test_show_json_adds_the_supervision_record_after_the_issue_row(filed):
    filed.ok("issue", "start", "1", "--note", "已签收")
    filed.ok("issue", "escalate", "2", "--note", "列入挂牌督办")
    filed.ok("issue", "resolve", "3", "--note", "道路已修通", "--on", "2023-12-19")
    filed.ok("issue", "callback", "3", "--result", "满意", "--note", "企业认可")
    one, two, three = (_shown(filed, n) for n in (1, 2, 3))
    assert list(one) == [*ISSUE_FIELDS, "visit_id", *STATE_KEYS, "previous_resolution", "attachments",
                         "events"]  # issue 23; the visit that found it
    # #1: back-filled, so dispatched on its reported date 2023-12-01; due 2023-12-15, today Wednesday
    # 2023-12-20: 3 working days late (yellow), 5 days overdue.
    assert {k: one[k] for k in STATE_KEYS} == {
        "level": "overdue", "days_overdue": 5, "dispatched_on": "2023-12-01", "acknowledged_on": "2023-12-20",
        "escalated": None, "callback_result": None, "callback_on": None, "callback_note": None}
    assert {k: two[k] for k in ("level", "days_overdue", "escalated", "acknowledged_on")} == {
        "level": "red", "days_overdue": 0, "escalated": "2023-12-20", "acknowledged_on": None}
    assert {k: three[k] for k in STATE_KEYS} == {
        "level": None, "days_overdue": None, "dispatched_on": None, "acknowledged_on": None,
        "escalated": None, "callback_result": "satisfied", "callback_on": "2023-12-20", "callback_note": "企业认可"}
    assert (three["resolved_on"], three["resolution"], three["previous_resolution"]) == (
        "2023-12-19", "道路已修通", None)


def test_show_json_labels_the_level_and_callback(filed):
    filed.ok("issue", "escalate", "1", "--note", "列入挂牌督办")
    shown = json.loads(filed.ok("--lang", "zh", "issue", "show", "1", "--format", "json", "--labels").stdout)
    assert (shown["level"], shown["level_label"], shown["callback_result_label"]) == ("red", "红色", None)
    assert shown["status_label"] == "已登记"


@pytest.mark.parametrize(("lang", "heading", "lines"), [
    ("en", "Supervision", [("Level", "overdue"), ("Days overdue", "5"), ("Dispatched", "2023-12-01")]),
    ("zh", "督办情况", [("督办等级", "黄色"), ("逾期天数", "5"), ("派单日期", "2023-12-01")]),
])
def test_show_table_has_a_supervision_section(filed, lang, heading, lines):
    out = filed.ok("--lang", lang, "issue", "show", "1").stdout
    section = out.split(f"\n{heading}\n")[1]
    for label, value in lines:
        assert re.search(rf"^{label} +{value} *$", section, re.MULTILINE), label
    # An issue with nothing to supervise has no such section.
    filed.ok("issue", "add", "人才公寓配套", "-e", "九典制药", "-c", "talent", "--due", "none")
    assert heading not in filed.ok("--lang", lang, "issue", "show", "4").stdout


def test_show_agrees_with_the_supervision_list(filed):
    filed.ok("issue", "edit", "2", "--due", "2023-12-08")
    filed.ok("issue", "edit", "3", "--due", "2023-12-21")
    listed = json.loads(filed.ok("report", "overdue", "--format", "json").stdout)["issues"]
    assert {row["id"] for row in listed} == {1, 2, 3}
    for row in listed:
        shown = _shown(filed, row["id"])
        assert (shown["level"], shown["days_overdue"]) == (row["level"], row["days_overdue"]), row["id"]


# --- issue show: an issue being redone (b) -----------------------------------------------------


def _redo(qiye, how: str) -> None:
    qiye.ok("issue", "start", "3")
    qiye.ok("issue", "resolve", "3", "--note", "道路已修通", "--on", "2023-12-18")
    if how == "callback":
        qiye.ok("issue", "callback", "3", "--result", "unsatisfied", "--note", "仍有积水")
    else:
        qiye.ok("issue", "reopen", "3", "--note", "企业反映仍有积水")


@pytest.mark.parametrize("how", ["callback", "reopen"])
def test_show_gives_the_previous_close_out_of_an_issue_being_redone(filed, how):
    _redo(filed, how)
    shown = _shown(filed, 3)
    assert (shown["status"], shown["resolved_on"], shown["resolution"]) == ("in_progress", None, None)
    assert shown["previous_resolution"] == {"resolved_on": "2023-12-18", "resolution": "道路已修通",
                                            "reopened_on": "2023-12-20"}
    assert shown["callback_result"] == ("unsatisfied" if how == "callback" else None)
    out = filed.ok("issue", "show", "3").stdout
    assert "Previous close-out  2023-12-18: 道路已修通 (sent back 2023-12-20)" in out
    resolution_line = next(line for line in out.splitlines() if line.startswith("Resolution"))
    assert resolution_line.strip() == "Resolution"
    zh = filed.ok("--lang", "zh", "issue", "show", "3").stdout
    assert "前次办结  2023-12-18：道路已修通（2023-12-20 退回重办）" in zh
    # Machine rows of `issue show` agree: no current close-out.
    assert "道路已修通" not in filed.ok("issue", "show", "3", "--format", "csv").stdout
    assert json.loads(filed.ok("issue", "show", "3", "--format", "ndjson").stdout)["previous_resolution"][
        "resolution"] == "道路已修通"


def test_a_second_close_out_is_current_again(filed):
    _redo(filed, "callback")
    filed.ok("issue", "resolve", "3", "--note", "排水管网已改造")
    shown = _shown(filed, 3)
    assert (shown["resolved_on"], shown["resolution"], shown["previous_resolution"]) == (
        "2023-12-20", "排水管网已改造", None)
    assert "Previous close-out" not in filed.ok("issue", "show", "3").stdout


def test_a_redone_issue_deferred_keeps_its_previous_close_out(filed):
    _redo(filed, "reopen")
    filed.ok("issue", "defer", "3", "--note", "待汛期后施工")
    shown = _shown(filed, 3)
    assert (shown["status"], shown["resolution"]) == ("deferred", None)
    assert shown["previous_resolution"]["resolution"] == "道路已修通"


def test_a_deferred_issue_never_closed_has_no_previous_close_out(filed):
    filed.ok("issue", "defer", "2", "--note", "待汛期后施工")
    filed.ok("issue", "reopen", "2")
    assert _shown(filed, 2)["previous_resolution"] is None


# --- issue show: history with codes and names (c) -----------------------------------------------


def test_created_event_names_what_it_refers_to(filed):
    (created,) = _shown(filed, 1)["events"]
    snapshot = json.loads(created["new"])
    assert (snapshot["category"], snapshot["enterprise"], snapshot["department"]) == (
        "fire-acceptance", "蓝思科技", "消防救援大队")
    assert not [key for key in snapshot if key.endswith("_id")]
    assert json.loads(_shown(filed, 3)["events"][0]["new"])["department"] is None
    # The stored event is untouched, so its hash chain and the ledger's seals still hold.
    (stored,) = filed.sql("select new from event where issue_id = 1")
    assert '"category_id": ' in stored[0]
    assert filed.ok("db", "check").exit_code == 0


def test_exported_events_name_what_they_refer_to_too(filed):
    events = json.loads(filed.ok("export", "events", "--format", "json").stdout)
    created = [json.loads(e["new"]) for e in events if e["action"] == "created"]
    assert [(s["category"], s["enterprise"], s["department"]) for s in created] == [
        ("fire-acceptance", "蓝思科技", "消防救援大队"), ("water-power", "九典制药", "国网浏阳供电公司"),
        ("road", "蓝思科技", None)]
    assert "_id" not in filed.ok("export", "events", "--format", "csv").stdout.splitlines()[1]


# --- the sample ledger ---------------------------------------------------------------------------


def test_sample_issue_sent_back_and_escalated(sample):
    shown = _shown(sample, 40)
    assert {k: shown[k] for k in ("status", "level", "dispatched_on", "acknowledged_on", "escalated",
                                  "callback_result", "callback_on")} == {
        "status": "in_progress", "level": "red", "dispatched_on": "2023-04-04", "acknowledged_on": "2023-04-06",
        "escalated": "2023-05-20", "callback_result": "unsatisfied", "callback_on": "2023-04-28"}
    assert shown["days_overdue"] == (date(2023, 12, 20) - date(2023, 5, 19)).days
    assert shown["callback_note"].startswith("回访不满意")
    imported = json.loads(shown["events"][0]["new"])
    assert (imported["category"], imported["enterprise"], imported["department"]) == (
        "fire-acceptance", "依诺生物", "规划建设局")
    zh = sample.ok("--lang", "zh", "issue", "show", "40").stdout
    for label, value in (("督办等级", "红色"), ("挂牌督办日期", "2023-05-20"), ("回访结果", "不满意")):
        assert re.search(rf"^{label} +{value} *$", zh, re.MULTILINE), label


def test_sample_history_carries_no_row_ids_and_agrees_with_the_overdue_list(sample):
    listed = json.loads(sample.ok("report", "overdue", "--format", "json").stdout)["issues"]
    assert len(listed) > 5
    for row in listed:
        shown = _shown(sample, row["id"])
        assert (shown["level"], shown["days_overdue"]) == (row["level"], row["days_overdue"]), row["id"]
        assert not [e for e in shown["events"] if '_id":' in (e["new"] or "") + (e["old"] or "")], row["id"]


@pytest.mark.parametrize(("lang", "dispatched", "acknowledged"), [
    ("en", "Dispatched at: — → 2023-02-21 09:00", "Acknowledged at: — → 2023-02-21 09:00"),
    ("zh", "派单时间: — → 2023-02-21 09:00", "签收时间: — → 2023-02-21 09:00"),
])
def test_history_says_dispatch_and_acknowledgement_times_in_the_language_and_the_parks_time(
        sample, lang, dispatched, acknowledged):
    """The sample's #13 was dispatched and acknowledged at 09:00 in the park (01:00 UTC, as stored)."""
    shown = sample.ok("--lang", lang, "issue", "show", "13").stdout
    assert dispatched in shown and acknowledged in shown
    assert "_at:" not in shown and "T01:00" not in shown
    sample.ok("issue", "start", "150", "--on", "2023-12-18")
    assert "Acknowledged at: — → 2023-12-18 09:00" in sample.ok("issue", "show", "150").stdout


# --- report trend over the data's range (f) -----------------------------------------------------


def _trend(qiye, *args):
    data = json.loads(qiye.ok("report", "trend", "--format", "json", *args).stdout)
    return [(p["period"], p["filed"], p["resolved"]) for p in data["periods"]]


def test_trend_runs_from_the_first_to_the_last_period_with_data(filed):
    # Filed 2023-11 and 2023-12; one resolved in 2024-02, with January empty in between.
    filed.ok("issue", "resolve", "2", "--note", "已增容", "--on", "2024-02-06", env={"QIYE_NOW": "2024-02-07T10:00:00+08:00"})
    assert _trend(filed) == [("2023-11", 1, 0), ("2023-12", 2, 0), ("2024-01", 0, 0), ("2024-02", 0, 1)]
    # A scope wider than the data is clipped to it; a scope narrower clips the data.
    assert _trend(filed, "--since", "2020-01-01", "--until", "2030-12-31") == _trend(filed)
    assert _trend(filed, "--year", "2023") == [("2023-11", 1, 0), ("2023-12", 2, 0)]
    assert _trend(filed, "--year", "2024") == [("2024-02", 0, 1)]
    assert _trend(filed, "--since", "2023-12-01", "--until", "2023-12-31") == [("2023-12", 2, 0)]
    weeks = _trend(filed, "--by", "week", "--year", "2023")
    assert (weeks[0], weeks[-1], len(weeks)) == (("2023-W47", 1, 0), ("2023-W49", 1, 0), 3)


@pytest.mark.parametrize(("lang", "empty"), [("en", "Periods: none"), ("zh", "各时段: 无")])
def test_trend_of_a_scope_without_data_has_no_periods(filed, lang, empty):
    assert _trend(filed, "--year", "2021") == []
    table = filed.ok("--lang", lang, "report", "trend", "--year", "2021").stdout
    assert empty in table and "2021-01" not in table


def test_trend_of_the_sample_year_has_only_its_months(sample):
    months = _trend(sample, "--year", "2023")
    assert [p for p, _, _ in months] == [f"2023-{m:02d}" for m in range(1, 13)]
    table = sample.ok("report", "trend", "--since", "2020-01-01").stdout
    periods = [line.split()[0] for line in table.splitlines() if line[:4].strip().isdigit()]
    assert periods == [f"2023-{m:02d}" for m in range(1, 13)]
