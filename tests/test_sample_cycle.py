"""The sample ledger's work-order cycle (issue 20 point 9): `qiye init --sample` loads co-handling
departments, returns with transfers and upheld ones, approved extensions, suspensions (resumed
across the 2023 holidays, and two still suspended), verified close-outs and unreached callbacks,
while its headline stays 174 reported, 130 resolved, 127 individual resolved (README.md,
sample_data/README.md). On SQLite and PostgreSQL, each loading the sample through the CLI.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from conftest import Qiye
from qiye_service.workdays import WorkingCalendar
from test_roundtrip import AFTER_THE_CAMPAIGN, empty_database  # noqa: F401 - a fixture

# The README's clock: a day after the campaign, as a cadre trying the sample today.
README_NOW = "2024-06-12T10:00:00+08:00"


@pytest.fixture
def loaded(qiye: Qiye) -> Qiye:
    """The sample ledger, loaded by `qiye init --sample` on this test's backend, read as of
    the README's day."""
    qiye.ok("init", "--sample")
    qiye.env["QIYE_NOW"] = README_NOW
    return qiye


def shown(qiye: Qiye, issue_id: int) -> dict:
    return json.loads(qiye.ok("issue", "show", str(issue_id), "--format", "json").stdout)


def parts(qiye: Qiye, issue_id: int) -> list[tuple]:
    return [(d["department"], d["part"], d["acknowledged_on"], d["outcome"])
            for d in shown(qiye, issue_id)["departments"]]


def test_the_headline_stays_with_the_cycle_loaded(loaded):
    summary = json.loads(loaded.ok("report", "summary", "--year", "2023", "--format", "json").stdout)
    individual, = (row for row in summary["by_kind"] if row["key"] == "individual")
    assert (summary["total"], summary["resolved"], individual["resolved"]) == (174, 130, 127)
    # The rest of the README's first output: no cycle value moved a figure it shows.
    assert {key: summary[key] for key in ("pending", "deferred", "overdue", "response_rate", "callback_rate",
                                          "satisfaction_rate", "level_due_soon", "level_overdue", "level_red")} == {
        "pending": 44, "deferred": 4, "overdue": 33, "response_rate": 0.9226, "callback_rate": 0.7538,
        "satisfaction_rate": 0.9515, "level_due_soon": 1, "level_overdue": 2, "level_red": 31}
    assert "Database check passed" in loaded.ok("db", "check").stdout


def test_returns_and_transfers_per_department(loaded):
    data = json.loads(loaded.ok("report", "summary", "--by", "department", "--format", "json").stdout)
    counted = {group["key"]: (group["returns"], group["transfers"]) for group in data["groups"]
               if group["returns"] or group["transfers"]}
    assert counted == {"规划建设局": (3, 2), "园区建设公司": (1, 1), "企业服务中心": (1, 1), "水务公司": (1, 0)}
    # Transferred away: the department now on the row leads; the one that returned it is history.
    assert parts(loaded, 13) == [("自然资源局经开区分局", "lead", "2023-02-21", None),
                                 ("规划建设局", "lead", None, "transferred")]
    # Upheld (审定): the department that returned it leads still.
    assert parts(loaded, 73) == [("规划建设局", "lead", "2023-05-22", None), ("规划建设局", "lead", None, "upheld")]
    assert {key: shown(loaded, 151)[key] for key in ("status", "department", "return_count", "transfer_count")} == {
        "status": "open", "department": "园区建设公司", "return_count": 1, "transfer_count": 1}


def test_co_handling_departments_acknowledge_on_their_own(loaded):
    assert parts(loaded, 1) == [("经开区征拆办", "lead", "2023-01-05", None),
                                ("国网浏阳供电公司", "co", "2023-01-06", None)]
    assert parts(loaded, 155)[1] == ("行政审批服务局", "co", None, None)  # 待办理: not yet signed
    co = loaded.sql("SELECT count(*), count(acknowledged_at) FROM dispatch WHERE role = 'co' AND active")
    assert tuple(co[0]) == (13, 12)


def test_an_approved_extension_keeps_the_original_due_date(loaded):
    issue = shown(loaded, 9)
    assert {key: issue[key] for key in ("due_on", "extended_due_on", "extension_count", "deadline_on",
                                        "resolved_on")} == {
        "due_on": "2023-02-24", "extended_due_on": "2023-03-24", "extension_count": 1,
        "deadline_on": "2023-03-24", "resolved_on": "2023-03-22"}
    zh = loaded.ok("--lang", "zh", "issue", "show", "9").stdout
    assert re.search(r"^批准延期至 +2023-03-24", zh, re.M) and re.search(r"^办结时限 +2023-02-24", zh, re.M)
    assert loaded.sql("SELECT count(*) FROM issue WHERE extension_count > 0") == [(5,)]


@pytest.mark.parametrize(("issue_id", "held_from", "held_to", "held", "due", "deadline"), [
    (4, date(2023, 1, 19), date(2023, 1, 28), 2, "2023-03-03", "2023-03-07"),      # across the Spring Festival
    (52, date(2023, 4, 20), date(2023, 5, 8), 11, "2023-04-25", "2023-05-12"),     # across May Day
    (125, date(2023, 9, 27), date(2023, 10, 9), 4, "2023-10-25", "2023-10-31"),    # across National Day
])
def test_a_resumed_suspension_holds_the_working_days_of_the_chinese_calendar(loaded, issue_id, held_from, held_to,
                                                                              held, due, deadline):
    calendar = WorkingCalendar()
    assert calendar.working_days_between(held_from, held_to) == held  # make-up days count, holidays do not
    issue = shown(loaded, issue_id)
    assert (issue["suspended_on"], issue["suspended_days"], issue["due_on"], issue["deadline_on"]) == (
        None, held, due, deadline)
    assert calendar.add_working_days(date.fromisoformat(due), held).isoformat() == deadline


def test_the_suspended_issue_is_held_until_resumed(loaded):
    issue = shown(loaded, 132)
    assert (issue["status"], issue["suspended_on"], issue["suspended_days"], issue["due_on"], issue["level"]) == (
        "in_progress", "2023-11-20", 0, None, None)
    refused = loaded("issue", "resolve", "132", "--note", "法院已判决")
    assert refused.exit_code == 1 and "suspended" in refused.stderr  # the clock is stopped: resume first
    loaded.ok("issue", "resume", "132", "--on", "2023-12-29")
    held = WorkingCalendar().working_days_between(date(2023, 11, 20), date(2023, 12, 29))
    issue = shown(loaded, 132)
    assert (issue["suspended_on"], issue["suspended_days"]) == (None, held)
    assert "Database check passed" in loaded.ok("db", "check").stdout


def test_verified_close_outs(loaded):
    assert loaded.sql("SELECT count(*), count(DISTINCT verified_by) FROM issue WHERE verified_by IS NOT NULL "
                      "AND status = 'resolved' AND closeout_by IS NOT NULL AND closeout_by <> verified_by") == [(50, 2)]
    assert loaded.sql("SELECT count(*) FROM issue WHERE verified_by IS NOT NULL") == [(50,)]
    issue = shown(loaded, 13)
    assert (issue["closeout_by"], issue["verified_by"]) == ("谭晓峰", "张敏")


def test_callbacks_solved_satisfied_and_unreached(loaded):
    issue = shown(loaded, 57)
    assert {key: issue[key] for key in ("status", "callback_on", "callback_result", "callback_solved",
                                        "callback_reached")} == {
        "status": "resolved", "callback_on": "2023-05-22", "callback_result": None, "callback_solved": None,
        "callback_reached": False}
    found = loaded.sql("SELECT callback_solved, callback_reached, count(*) FROM issue "
                       "WHERE callback_reached IS NOT NULL GROUP BY callback_solved, callback_reached")
    assert sorted((solved or "", reached, n) for solved, reached, n in found) == [
        ("", False, 4), ("partly", True, 2), ("solved", True, 96), ("unsolved", True, 5)]


def test_the_cycle_export_round_trips_byte_for_byte(loaded, empty_database, tmp_path: Path):  # noqa: F811
    first = tmp_path / "first.csv"
    loaded.ok("export", "issues", "--cycle", "--out", str(first))
    header = first.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert {"co_departments", "returned_by", "transferred_from", "extended_due_on", "suspended_days",
            "verified_by", "callback_reached"} <= set(header)
    other = Qiye(empty_database, {**loaded.env, "QIYE_DB": empty_database, "QIYE_USER": "someone-else"})
    other.ok("import", "issues", str(first))
    second = tmp_path / "second.csv"
    other.ok("export", "issues", "--cycle", "--out", str(second))
    assert second.read_bytes() == first.read_bytes()
    for report in (("summary", "--year", "2023"), ("summary", "--by", "department"), ("weekly", "--week", "2023-W50"),
                   ("overdue",), ("trend", "--by", "week", "--year", "2023")):
        imported, original = (json.loads(ledger.ok("report", *report, "--format", "json").stdout)
                              for ledger in (other, loaded))
        imported.pop("seal", None)  # a digest of each ledger's own history, which an import does not copy
        original.pop("seal", None)
        assert imported == original, report


def test_an_unreached_callback_is_left_out_of_the_supervision_export(loaded, empty_database, tmp_path: Path):  # noqa: F811
    """`export issues --supervision` has no column saying a callback did not reach the company:
    such a callback's date is left out (import would read a date with no verdict as a callback
    missing its result), and the file moves to another ledger. `--cycle` carries it."""
    rows = {row["id"]: row for row in json.loads(loaded.ok("export", "issues", "--supervision", "--format",
                                                           "json").stdout)}
    assert (rows[57]["callback_on"], rows[57]["callback_result"]) == (None, None)
    assert (rows[3]["callback_on"], rows[3]["callback_result"]) == ("2023-02-20", "satisfied")
    cycled = {row["id"]: row for row in json.loads(loaded.ok("export", "issues", "--cycle", "--format",
                                                             "json").stdout)}
    assert (cycled[57]["callback_on"], cycled[57]["callback_reached"]) == ("2023-05-22", "no")
    exported = tmp_path / "supervision.csv"
    loaded.ok("export", "issues", "--supervision", "--out", str(exported))
    other = Qiye(empty_database, {**loaded.env, "QIYE_DB": empty_database, "QIYE_NOW": AFTER_THE_CAMPAIGN})
    assert "174 issues created" in other.ok("import", "issues", str(exported)).stdout
