"""`qiye report scorecard` (考核排名, issue 20 point 8, DESIGN §11) through the CLI, on every backend.

The figures are checked twice: by hand on a small office whose every number is worked out in the
test, and against an oracle on random ledgers made through the real commands (dispatches to a
lead and co-handlers, returns transferred or upheld, extensions approved and refused, suspensions
across the National Day holiday, close-outs verified and rejected with `closeout.verify` on,
callbacks reached and unreached). The oracle reads the stored rows back with plain SELECTs and
recomputes every count, rate, score and rank in Python, following the README's table; it shares no
code with qiye_service.reports.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import Qiye

DEPTS = ["规划建设局", "消防救援大队", "国网浏阳供电公司", "自然资源局"]
OWNERS = ["王强", "李娜", None]
WEIGHTS = {"response": 15, "return": 10, "extension": 10, "on_time": 25, "redo": 10, "solved": 15, "satisfied": 15}
PARTS = (("response", "response_rate", True), ("return", "return_rate", False),
         ("extension", "extension_rate", False), ("on_time", "on_time_rate", True), ("redo", "redo_rate", False),
         ("solved", "solved_rate", True), ("satisfied", "satisfaction_rate", True))
SUPERVISOR = {"QIYE_USER": "督办科"}  # four eyes: the approver and verifier is not the requester


def at(day: date, **extra: str) -> dict[str, str]:
    """The environment of a command run on `day` (10:00 in the park)."""
    return {"QIYE_NOW": f"{day.isoformat()}T10:00:00+08:00", **extra}


def scorecard(qiye: Qiye, *args: str, day: date = date(2023, 12, 20)) -> dict[str, Any]:
    return json.loads(qiye.ok("report", "scorecard", *args, "--format", "json", env=at(day)).stdout)


def groups_of(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {group["key"]: group for group in report["groups"]}


@pytest.fixture
def office(qiye: Qiye) -> Qiye:
    qiye.ok("enterprise", "add", "蓝思科技")
    for name in DEPTS:
        qiye.ok("department", "add", name)
    return qiye


# --- by hand --------------------------------------------------------------------------------------


def test_a_small_office_by_hand(office: Qiye) -> None:
    """Three issues; every figure of the two departments worked out by hand."""
    monday = date(2023, 12, 4)
    office.ok("config", "set", "closeout.verify", "on")
    # 1: 规划建设局 leads, 消防救援大队 co-handles. Both acknowledge the same day (in time).
    office.ok("issue", "add", "用电增容", "-e", "蓝思科技", "-c", "water-power", "--dept", "规划建设局",
              "--reported", "2023-12-04", "--due", "2023-12-15", env=at(monday))
    office.ok("issue", "assign", "1", "--co", "消防救援大队", env=at(monday))
    office.ok("issue", "start", "1", env=at(monday))
    office.ok("issue", "start", "1", "--dept", "消防救援大队", env=at(monday))
    # An extension to 12-22 approved; closed out 12-20, rejected once (重办), closed again and verified.
    office.ok("issue", "extend", "1", "--to", "2023-12-22", "--reason", "等待批复", env=at(monday))
    office.ok("issue", "extension", "approve", "1", env=at(monday, **SUPERVISOR))
    office.ok("issue", "resolve", "1", "--note", "已增容", env=at(date(2023, 12, 18)))
    office.ok("issue", "verify", "1", "--reject", "--note", "未验收", env=at(date(2023, 12, 18), **SUPERVISOR))
    office.ok("issue", "resolve", "1", "--note", "已增容并验收", env=at(date(2023, 12, 20)))
    office.ok("issue", "verify", "1", env=at(date(2023, 12, 20), **SUPERVISOR))
    office.ok("issue", "callback", "1", "--solved", "部分解决", "--satisfied", "基本满意", env=at(date(2023, 12, 20)))
    # 2: 消防救援大队 leads, returns it (退单), the office transfers it to 规划建设局, which
    # acknowledges two working days late; closed out after its deadline, verified; the
    # callback did not reach the company.
    office.ok("issue", "add", "消防验收", "-e", "蓝思科技", "-c", "fire-acceptance", "--dept", "消防救援大队",
              "--reported", "2023-12-05", "--due", "2023-12-08", env=at(date(2023, 12, 5)))
    office.ok("issue", "return", "2", "--reason", "非本单位职责", "--note", "属规划", env=at(date(2023, 12, 5)))
    office.ok("issue", "assign", "2", "--dept", "规划建设局", env=at(date(2023, 12, 6)))
    office.ok("issue", "start", "2", env=at(date(2023, 12, 11)))
    office.ok("issue", "resolve", "2", "--note", "办结", env=at(date(2023, 12, 12)))
    office.ok("issue", "verify", "2", env=at(date(2023, 12, 12), **SUPERVISOR))
    office.ok("issue", "callback", "2", "--unreached", env=at(date(2023, 12, 13)))
    # 3: 消防救援大队 leads; an extension refused; closed out but not yet verified (not resolved).
    office.ok("issue", "add", "消防通道", "-e", "蓝思科技", "-c", "fire-acceptance", "--dept", "消防救援大队",
              "--reported", "2023-12-06", "--due", "2023-12-29", env=at(date(2023, 12, 6)))
    office.ok("issue", "start", "3", env=at(date(2023, 12, 6)))
    office.ok("issue", "extend", "3", "--to", "2024-01-10", "--reason", "材料", env=at(date(2023, 12, 7)))
    office.ok("issue", "extension", "refuse", "3", env=at(date(2023, 12, 7), **SUPERVISOR))
    office.ok("issue", "resolve", "3", "--note", "办结", env=at(date(2023, 12, 8)))

    report = scorecard(office, "--month", "2023-12")
    plan, fire = groups_of(report)["规划建设局"], groups_of(report)["消防救援大队"]
    # 规划建设局: dispatches: issue 1 (lead, in time), issue 2 (lead after the transfer, late).
    assert (plan["dispatched"], plan["acknowledged_in_time"], plan["returned"]) == (2, 1, 0)
    assert (plan["response_rate"], plan["return_rate"]) == (0.5, 0.0)
    # It leads 1 and 2: one extended; both resolved with a deadline, 1 on time (12-20 ≤ 12-22),
    # 2 late (12-12 > 12-08); 1 redone; one reached callback, partly solved and basic(ally) satisfied.
    assert (plan["led"], plan["extended"], plan["extension_rate"]) == (2, 1, 0.5)
    assert (plan["resolved"], plan["resolved_with_deadline"], plan["resolved_on_time"]) == (2, 2, 1)
    assert plan["on_time_rate"] == 0.5
    assert (plan["closed_out"], plan["redone"], plan["redo_rate"]) == (2, 1, 0.5)
    assert (plan["reached"], plan["solved_answers"], plan["solved"], plan["partly_solved"]) == (1, 1, 0, 1)
    assert (plan["solved_rate"], plan["satisfaction_rate"]) == (0.5, 1.0)
    # score: (15×0.5 + 10×1 + 10×0.5 + 25×0.5 + 10×0.5 + 15×0.5 + 15×1) / 100
    assert plan["score"] == 62.5
    # 消防救援大队: dispatches: 1 (co, in time), 2 (lead, returned, never acknowledged), 3 (lead, in time).
    assert (fire["dispatched"], fire["acknowledged_in_time"], fire["returned"]) == (3, 2, 1)
    assert (fire["response_rate"], fire["return_rate"]) == (0.6667, 0.3333)
    # It leads 3 only: the refused extension does not count; its close-out awaits verification.
    assert (fire["led"], fire["extended"], fire["resolved"], fire["closed_out"]) == (1, 0, 0, 0)
    assert (fire["on_time_rate"], fire["redo_rate"], fire["solved_rate"], fire["satisfaction_rate"]) == (
        None, None, None, None)
    # score over the three rates it has: (15×0.6667 + 10×0.6667 + 10×1) / 35
    assert fire["score"] == round(100 * (15 * 0.6667 + 10 * (1 - 0.3333) + 10 * 1) / 35, 1)
    assert [(g["key"], g["rank"]) for g in report["groups"]] == [("消防救援大队", 1), ("规划建设局", 2)]
    assert report["dispatched"] == 5 and report["led"] == 3
    assert office.ok("db", "check").exit_code == 0


# --- the oracle -------------------------------------------------------------------------------------


def _day(value: Any) -> str | None:
    return None if value is None else str(value)[:10]


def read_back(qiye: Qiye) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, str]]:
    """The stored rows, with plain SELECTs: issues, dispatch rows, department names."""
    issue_columns = ("id", "department_id", "owner", "status", "reported_on", "due_on", "deadline_on", "resolved_on",
                     "dispatched_at", "acknowledged_at", "acknowledge_by", "extension_count", "reopen_count",
                     "callback_result", "callback_solved", "return_count")
    issues = [dict(zip(issue_columns, row, strict=True))
              for row in qiye.sql(f"select {', '.join(issue_columns)} from issue")]
    dispatch_columns = ("issue_id", "department_id", "role", "dispatched_at", "acknowledged_at", "acknowledge_by",
                        "returned_at", "active")
    dispatches = [dict(zip(dispatch_columns, row, strict=True))
                  for row in qiye.sql(f"select {', '.join(dispatch_columns)} from dispatch")]
    names = {row[0]: row[1] for row in qiye.sql("select id, name from department")}
    return issues, dispatches, names


def in_time(row: dict[str, Any]) -> bool:
    acknowledged, by = _day(row["acknowledged_at"]), _day(row["acknowledge_by"])
    return acknowledged is not None and by is not None and acknowledged <= by


def rate(numerator: float, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def oracle(issues: list[dict[str, Any]], dispatches: list[dict[str, Any]], names: dict[int, str], *,
           since: str, until: str, by: str, weights: dict[str, float]) -> dict[str, dict[str, Any]]:
    """Every group's figures as the README defines them, from the rows."""
    scoped = [i for i in issues if since <= _day(i["reported_on"]) <= until]  # type: ignore[operator]
    ids = {i["id"] for i in scoped}
    counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))

    def key_of(issue: dict[str, Any]) -> str | None:
        return names.get(issue["department_id"]) if by == "department" else issue["owner"]

    for issue in scoped:
        key = key_of(issue)
        if key is None:
            continue
        c = counts[key]
        c["led"] += 1
        c["extended"] += issue["extension_count"] > 0
        resolved = issue["status"] == "resolved"
        deadline = _day(issue["deadline_on"]) or _day(issue["due_on"])
        c["resolved"] += resolved
        if resolved and deadline is not None:
            c["resolved_with_deadline"] += 1
            c["resolved_on_time"] += _day(issue["resolved_on"]) <= deadline  # type: ignore[operator]
        c["closed_out"] += resolved or issue["reopen_count"] > 0
        c["redone"] += issue["reopen_count"] > 0
        reached = issue["callback_result"] is not None
        c["reached"] += reached
        c["satisfied"] += issue["callback_result"] in ("satisfied", "basic")
        if reached and issue["callback_solved"] is not None:
            c["solved_answers"] += 1
            c["solved"] += issue["callback_solved"] == "solved"
            c["partly_solved"] += issue["callback_solved"] == "partly"
        if by == "owner" and issue["dispatched_at"] is not None:
            c["dispatched"] += 1
            c["acknowledged_in_time"] += in_time(issue)
            c["returned"] += issue["return_count"] > 0
    if by == "department":
        units: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
        for row in dispatches:
            if row["issue_id"] in ids:
                units[(row["issue_id"], row["department_id"], row["role"], str(row["dispatched_at"]))].append(row)
        for (_, department, _, _), rows in units.items():
            c = counts[names[department]]
            c["dispatched"] += 1
            c["acknowledged_in_time"] += any(in_time(row) for row in rows)
            c["returned"] += any(row["returned_at"] is not None for row in rows)
        for issue in scoped:
            if issue["department_id"] is None or issue["dispatched_at"] is None:
                continue
            if not any(row["issue_id"] == issue["id"] and row["role"] == "lead" and bool(row["active"])
                       and row["department_id"] == issue["department_id"] for row in dispatches):
                c = counts[names[issue["department_id"]]]
                c["dispatched"] += 1
                c["acknowledged_in_time"] += in_time(issue)
    groups = {}
    for key, c in counts.items():
        g: dict[str, Any] = {name: int(value) for name, value in c.items()}
        g["response_rate"] = rate(c["acknowledged_in_time"], int(c["dispatched"]))
        g["return_rate"] = rate(c["returned"], int(c["dispatched"]))
        g["extension_rate"] = rate(c["extended"], int(c["led"]))
        g["on_time_rate"] = rate(c["resolved_on_time"], int(c["resolved_with_deadline"]))
        g["redo_rate"] = rate(c["redone"], int(c["closed_out"]))
        g["solved_rate"] = rate(c["solved"] + c["partly_solved"] / 2, int(c["solved_answers"]))
        g["satisfaction_rate"] = rate(c["satisfied"], int(c["reached"]))
        total = weight = 0.0
        for part, field, better in PARTS:
            if g[field] is not None and weights[part] > 0:
                total += weights[part] * (g[field] if better else 1 - g[field])
                weight += weights[part]
        g["score"] = round(100 * total / weight, 1) if weight else None
        groups[key] = g
    ordered = sorted(groups, key=lambda k: (groups[k]["score"] is None, -(groups[k]["score"] or 0), k))
    for position, key in enumerate(ordered):
        better = [k for k in ordered if groups[k]["score"] is not None and groups[key]["score"] is not None
                  and groups[k]["score"] > groups[key]["score"]]
        groups[key]["rank"] = None if groups[key]["score"] is None else len(better) + 1
        groups[key]["position"] = position
    return groups


def build_ledger(qiye: Qiye, seed: int, count: int) -> None:
    """A random office's issues, each taken through the cycle by the real commands, its clock
    moving on day by day."""
    rng = random.Random(seed)
    verify = rng.random() < 0.7
    if verify:
        qiye.ok("config", "set", "closeout.verify", "on")
    first = date(2023, 9, 18)
    for number in range(1, count + 1):
        reported = first + timedelta(days=rng.randrange(0, 100))
        lead = rng.choice(DEPTS) if rng.random() < 0.85 else None
        owner = rng.choice(OWNERS)
        due = reported + timedelta(days=rng.randrange(3, 25)) if rng.random() < 0.9 else None
        args = ["issue", "add", f"问题{number}", "-e", "蓝思科技", "-c", "water-power", "--reported",
                reported.isoformat()]
        args += ["--dept", lead] if lead else []
        args += ["--owner", owner] if owner else []
        args += ["--due", due.isoformat()] if due else ["--due", "none"]
        qiye.ok(*args, env=at(reported))
        day = reported
        n = str(number)

        def later(most: int = 2) -> date:
            nonlocal day
            day = day + timedelta(days=rng.randrange(0, most + 1))
            return day

        co: list[str] = []
        if lead and rng.random() < 0.35:
            co = [rng.choice([d for d in DEPTS if d != lead])]
            qiye.ok("issue", "assign", n, "--co", co[0], env=at(later(1)))
        if lead and rng.random() < 0.25:  # the lead returns it: transferred elsewhere, or upheld
            qiye.ok("issue", "return", n, "--reason", rng.choice(["非本单位职责", "信息不全", "重复", "其他"]),
                    "--note", "退回", env=at(later(2)))
            others = [d for d in DEPTS if d != lead and d not in co]
            if rng.random() < 0.6:
                lead = rng.choice(others)
                qiye.ok("issue", "assign", n, "--dept", lead, env=at(later(2)))
            else:
                qiye.ok("issue", "uphold", n, "--note", "审定", env=at(later(2)))
        if co and rng.random() < 0.3:  # the co-handler returns its part
            qiye.ok("issue", "return", n, "--dept", co[0], "--reason", "重复", "--note", "重复件", env=at(later(1)))
            if rng.random() < 0.5:
                qiye.ok("issue", "uphold", n, "--dept", co[0], env=at(later(1)))
            else:
                replacement = rng.choice([d for d in DEPTS if d not in (lead, co[0])])
                qiye.ok("issue", "assign", n, "--co", replacement, env=at(later(1)))
                co = [replacement]
        if co and rng.random() < 0.7:
            qiye.ok("issue", "start", n, "--dept", co[0], env=at(later(3)))
        if (lead or owner) and rng.random() < 0.2:
            continue  # never acknowledged
        qiye.ok("issue", "start", n, env=at(later(3)))
        if due is not None and rng.random() < 0.3:
            asked = max(due, day) + timedelta(days=rng.randrange(3, 20))
            qiye.ok("issue", "extend", n, "--to", asked.isoformat(), "--reason", "等待批复", env=at(later(2)))
            decision = "approve" if rng.random() < 0.65 else "refuse"
            qiye.ok("issue", "extension", decision, n, env=at(later(2), **SUPERVISOR))
        if rng.random() < 0.25:  # suspended, sometimes over the National Day holiday
            start = max(day, date(2023, 9, 28)) if rng.random() < 0.5 and day <= date(2023, 9, 28) else day
            day = start
            qiye.ok("issue", "suspend", n, "--reason", "等待企业补充材料", env=at(day))
            qiye.ok("issue", "resume", n, env=at(later(12)))
        if rng.random() < 0.3:
            continue  # still in progress
        qiye.ok("issue", "resolve", n, "--note", "办结", env=at(later(20)))
        if verify:
            if rng.random() < 0.3:
                qiye.ok("issue", "verify", n, "--reject", "--note", "重办", env=at(later(2), **SUPERVISOR))
                if rng.random() < 0.4:
                    continue
                qiye.ok("issue", "resolve", n, "--note", "重新办结", env=at(later(5)))
            if rng.random() < 0.15:
                continue  # awaiting verification
            qiye.ok("issue", "verify", n, env=at(later(2), **SUPERVISOR))
        if rng.random() < 0.7:
            if rng.random() < 0.25:
                qiye.ok("issue", "callback", n, "--unreached", env=at(later(3)))
            else:
                result = rng.choice(["满意", "满意", "基本满意", "不满意"])
                solved = rng.choice([["--solved", "解决"], ["--solved", "部分解决"], ["--solved", "未解决"], []])
                qiye.ok("issue", "callback", n, "--satisfied", result, *solved, env=at(later(3)))


SCOPES = {"--year": ("2023", "2023-01-01", "2023-12-31"), "--quarter": ("2023Q4", "2023-10-01", "2023-12-31"),
          "--month": ("2023-10", "2023-10-01", "2023-10-31")}
COMPARED = ("dispatched", "acknowledged_in_time", "returned", "led", "extended", "resolved", "resolved_with_deadline",
            "resolved_on_time", "closed_out", "redone", "solved_answers", "solved", "partly_solved", "reached",
            "satisfied", "response_rate", "return_rate", "extension_rate", "on_time_rate", "redo_rate", "solved_rate",
            "satisfaction_rate", "score", "rank")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_figure_against_the_oracle(office: Qiye, seed: int) -> None:
    build_ledger(office, seed, 14)
    weights = dict(WEIGHTS)
    if seed == 3:  # configured weights, one of them off
        office.ok("config", "set", "scorecard.weight.on_time", "40")
        office.ok("config", "set", "scorecard.weight.extension", "0")
        weights.update(on_time=40, extension=0)
    issues, dispatches, names = read_back(office)
    assert dispatches, "the ledger should have dispatch rows"
    for option, (value, since, until) in SCOPES.items():
        for by in ("department", "owner"):
            got = scorecard(office, option, value, "--by", by)
            want = oracle(issues, dispatches, names, since=since, until=until, by=by, weights=weights)
            assert set(groups_of(got)) == set(want), (option, by)
            for key, group in groups_of(got).items():
                for name in COMPARED:
                    assert group[name] == want[key].get(name, 0), (option, by, key, name)
            # Best first, ties by name.
            assert [g["key"] for g in got["groups"]] == sorted(want, key=lambda k: want[k]["position"])
            for name in ("dispatched", "led", "resolved", "reached"):
                assert got[name] == sum(g[name] for g in want.values())
    assert office.ok("db", "check").exit_code == 0


def test_the_ledger_has_the_whole_cycle(office: Qiye) -> None:
    """The random ledgers above do go through every part of the cycle the figures count."""
    build_ledger(office, 11, 30)
    events = {row[0] for row in office.sql("select distinct action from event")}
    assert {"returned", "transferred", "upheld", "extension_approved", "extension_refused", "suspended",
            "resumed", "rejected", "verified", "callback"} <= events
    assert office.sql("select count(*) from issue where callback_reached = false")[0][0] > 0
    assert office.sql("select count(*) from dispatch where role = 'co'")[0][0] > 0
    issues, dispatches, names = read_back(office)
    got = scorecard(office, "--year", "2023")
    want = oracle(issues, dispatches, names, since="2023-01-01", until="2023-12-31", by="department",
                  weights=WEIGHTS)
    assert {k: {n: g[n] for n in COMPARED} for k, g in groups_of(got).items()} == {
        k: {n: w.get(n, 0) for n in COMPARED} for k, w in want.items()}


# --- scopes, weights, languages, formats ------------------------------------------------------------


def test_scopes(office: Qiye) -> None:
    office.ok("issue", "add", "九月", "-e", "蓝思科技", "-c", "water-power", "--dept", "规划建设局",
              "--reported", "2023-09-29", env=at(date(2023, 9, 29)))
    office.ok("issue", "add", "十月", "-e", "蓝思科技", "-c", "water-power", "--dept", "规划建设局",
              "--reported", "2023-10-09", env=at(date(2023, 10, 9)))
    led = {scope: groups_of(scorecard(office, *scope)).get("规划建设局", {}).get("led", 0)
           for scope in [("--month", "2023-09"), ("--month", "2023年10月"), ("--quarter", "2023Q3"),
                         ("--quarter", "2023-q4"), ("--quarter", "2023年第四季度"), ("--year", "2023"),
                         ("--week", "2023-W41"), ("--since", "2023-09-30"), ()]}
    assert list(led.values()) == [1, 1, 1, 1, 1, 2, 1, 1, 2]
    report = scorecard(office, "--quarter", "2023Q4")
    assert report["scope"] == {"kind": "quarter", "name": "2023Q4", "since": "2023-10-01", "until": "2023-12-31",
                               "as_of": "2023-12-20"}
    assert scorecard(office, "--month", "2023-12")["scope"]["name"] == "2023-12"


@pytest.mark.parametrize(("args", "code", "says"), [
    (["--month", "2023-13"], 1, "2023-13"),
    (["--month", "December"], 1, "December"),
    (["--quarter", "2023Q5"], 1, "2023Q5"),
    (["--quarter", "1900Q1"], 1, "1900"),
    (["--month", "2023-12", "--quarter", "2023Q4"], 1, "--quarter, --month"),
    (["--year", "2023", "--month", "2023-12"], 1, "--year"),
    (["--by", "category"], 1, "category"),  # a bad choice is a user error, as for every --by
    (["--month"], 2, "--month"),
])
def test_bad_scopes(office: Qiye, args: list[str], code: int, says: str) -> None:
    result = office("report", "scorecard", *args)
    assert result.exit_code == code, result.output
    assert says in result.stderr
    if code == 1:
        assert result.stderr.startswith("error: ") and result.stdout == ""


def test_weights_are_settings(office: Qiye) -> None:
    for bad in ("-1", "101", "lots", "nan"):
        result = office("config", "set", "--", "scorecard.weight.response", bad)
        assert result.exit_code == 1 and result.stderr.startswith("error: "), bad
    assert office("config", "set", "scorecard.weight.speed", "5").exit_code == 1
    office.ok("config", "set", "scorecard.weight.response", "50")
    office.ok("config", "set", "scorecard.weight.satisfied", "0.5")
    weights = scorecard(office)["weights"]
    assert weights == {**{k: float(v) for k, v in WEIGHTS.items()}, "response": 50.0, "satisfied": 0.5}


def test_lang_zh_headers_and_every_format(office: Qiye, tmp_path: Path) -> None:
    office.ok("issue", "add", "用电", "-e", "蓝思科技", "-c", "water-power", "--dept", "规划建设局", "--owner", "王强",
              "--reported", "2023-12-04", "--due", "2023-12-15", env=at(date(2023, 12, 4)))
    office.ok("issue", "start", "1", env=at(date(2023, 12, 4)))
    zh = office.ok("--lang", "zh", "report", "scorecard", "--month", "2023-12").stdout
    for word in ("部门考核排名", "名次", "综合得分", "响应率", "退单率", "延期率", "按时办结率", "重办率", "解决率", "满意率",
                 "规划建设局"):
        assert word in zh, word
    markdown = office.ok("--lang", "zh", "report", "scorecard", "--format", "markdown").stdout
    assert "| 名次 | 责任单位 | 综合得分 |" in markdown
    rows = list(csv.DictReader(io.StringIO(office.ok("report", "scorecard", "--by", "owner", "--format", "csv").stdout)))
    assert [(r["rank"], r["key"], r["dispatched"], r["response_rate"]) for r in rows] == [("1", "王强", "1", "1.0")]
    tsv = office.ok("report", "scorecard", "--format", "tsv").stdout.splitlines()
    assert tsv[0].split("\t")[:4] == ["rank", "key", "label", "score"]
    ndjson = [json.loads(line) for line in office.ok("report", "scorecard", "--format", "ndjson").stdout.splitlines()]
    assert ndjson[0]["key"] == "规划建设局" and ndjson[0]["rank"] == 1
    figures = json.loads(office.ok("report", "scorecard", "--format", "json", "--section", "figures").stdout)
    assert figures[0]["dispatched"] == 1
    out = tmp_path / "考核.xlsx"
    office.ok("--lang", "zh", "report", "scorecard", "--format", "xlsx", "--out", str(out))
    from openpyxl import load_workbook

    sheet = load_workbook(out).worksheets[-1]
    assert "部门考核排名" in sheet["A1"].value
    assert [cell.value for cell in sheet[2]][:4] == ["名次", "责任单位", "综合得分", "派单数"]
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref and sheet._charts
    assert [cell.value for cell in sheet[sheet.max_row]][0] == "合计"
    html = tmp_path / "考核.html"
    office.ok("config", "set", "park.name", "浏阳经开区")
    office.ok("--lang", "zh", "report", "scorecard", "--format", "html", "--out", str(html))
    text = html.read_text()
    assert "浏阳经开区" in text and "综合得分排名" in text and "<svg" in text and "http" not in text.replace(
        "http://www.w3.org/2000/svg", "")
    # xlsx and pdf need --out; the pack formats are the scorecard's too.
    assert office("report", "scorecard", "--format", "xlsx").exit_code == 1


# --- the printed pack (issue 21 point 2 for the scorecard) -----------------------------------------

PRINTED = {"zh": ["浏阳经济技术开发区", "部门考核排名", "统计范围：2023", "权重：响应 15", "综合得分排名", "名次", "按时办结率"],
           "en": ["Department scorecard", "Scope: 2023", "Weights: response 15", "Ranking by composite score", "Rank",
                  "On-time rate"]}


def printed_text(pdf: Path, lang: str, ledger: Qiye) -> str:
    """The printed scorecard: A4, its words as text, page numbers that count the pages."""
    import re

    from pypdf import PdfReader

    from test_meeting_pack import first_page_png, pdf_text

    reader = PdfReader(pdf)
    pages = len(reader.pages)
    assert 1 <= pages <= 3, pages
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    text = re.sub(r"\s+", "", pdf_text(pdf))
    best = scorecard(ledger, "--year", "2023")["groups"][0]  # the sample's best department and its score
    for words in [*PRINTED[lang], best["key"], f"{best['score']:.1f}"]:
        assert re.sub(r"\s+", "", words) in text, words
    page_word = "页码" if lang == "zh" else "Page"
    assert f"{page_word}1/{pages}" in text
    first_page_png(pdf, f"scorecard-2023-{lang}-{pdf.stem}")
    return text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chromium_prints_the_scorecard(sample: Qiye, tmp_path: Path, lang: str) -> None:
    import shutil
    import subprocess

    from test_meeting_pack import tool

    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or tool("chromium")
    tool("pdftotext")
    sample.ok("config", "set", "park.name", "浏阳经济技术开发区")
    html = tmp_path / f"scorecard-{lang}.html"
    sample.ok("--lang", lang, "report", "scorecard", "--year", "2023", "--format", "html", "--out", str(html))
    text = html.read_text(encoding="utf-8")
    assert text.count("<svg") == 1 and "<script" not in text and "counter(pages)" in text
    pdf = tmp_path / f"chromium-{lang}.pdf"
    result = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                             f"--user-data-dir={tmp_path / 'chromium-profile'}", f"--print-to-pdf={pdf}",
                             html.as_uri()], capture_output=True, text=True, timeout=120)
    assert pdf.exists(), result.stderr
    printed_text(pdf, lang, sample)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_format_prints_the_scorecard(sample: Qiye, tmp_path: Path, lang: str) -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        pytest.skip(f"WeasyPrint cannot run here ({exc}): pip install 'qiye-service[pdf]'")
    sample.ok("config", "set", "park.name", "浏阳经济技术开发区")
    pdf = tmp_path / f"weasyprint-{lang}.pdf"
    sample.ok("--lang", lang, "report", "scorecard", "--year", "2023", "--format", "pdf", "--out", str(pdf))
    assert pdf.read_bytes()[:5] == b"%PDF-"
    printed_text(pdf, lang, sample)
