"""The reports against an independent oracle: random ledgers, every figure recomputed in plain
Python from the rows and compared with `qiye report … --format json` (DESIGN §4, §8).

The oracle works from the stored rows only; it shares no code with qiye_service.reports or
the SQL of services.supervision. Working days come from the calendar library (via
WorkingCalendar), counted day by day here.
"""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Qiye
from qiye_service.workdays import WorkingCalendar

TODAY = date(2023, 12, 20)  # conftest's QIYE_NOW
CALENDAR = WorkingCalendar()
DUE_SOON_WD, RED_WD = 3, 5  # the default thresholds of DESIGN §8

ENTERPRISES = [("蓝思科技", "北园", "显示功能器件及电子材料"), ("九典制药", "南园", "生物医药"), ("Acme Tools", None, None)]
DEPARTMENTS = ["消防救援大队", "国网浏阳供电公司", "规划建设局"]
CATEGORIES = ["land-acquisition", "fire-acceptance", "water-power", "road"]
OWNERS = ["王强", "李娜", "Zhang Wei"]
FIRST_DAY, LAST_DAY = date(2023, 10, 2), date(2023, 12, 31)


@dataclass
class Row:
    """One issue as stored, with the columns the reports read."""

    id: int
    enterprise: int  # index into ENTERPRISES
    category: str
    kind: str
    source: str
    status: str
    department: int | None  # index into DEPARTMENTS
    owner: str | None
    reported_on: date
    due_on: date | None
    resolved_on: date | None
    dispatched_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledge_by: date | None = None
    escalated_at: datetime | None = None
    callback_result: str | None = None
    callback_on: date | None = None
    reopen_count: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


# --- building ledgers ----------------------------------------------------------------------


def _day(offset: int) -> date:
    return FIRST_DAY + timedelta(days=offset)


SPAN = (LAST_DAY - FIRST_DAY).days


@st.composite
def issue_rows(draw: Any, issue_id: int, week: tuple[date, date]) -> Row:
    monday, sunday = week
    reported = _day(draw(st.integers(0, SPAN)))
    shape = draw(st.sampled_from(["open", "in_progress", "resolved", "resolved", "deferred", "reopened"]))
    status = "in_progress" if shape == "reopened" else shape
    # Deadlines: none, or some days after reporting; a few fall on the boundary days.
    due = draw(st.one_of(st.none(), st.integers(0, 40).map(lambda d: reported + timedelta(days=d)),
                         st.sampled_from([monday, sunday, TODAY, TODAY - timedelta(days=1)])))
    if due is not None and due < reported:
        due = reported
    resolved_on = None
    if status == "resolved":
        # Often on the chosen week's Monday or Sunday, or the days either side of them.
        candidates = [d for d in (monday - timedelta(days=1), monday, sunday, sunday + timedelta(days=1))
                      if d >= reported]
        resolved_on = draw(st.one_of(st.integers(0, 50).map(lambda d: reported + timedelta(days=d)),
                                     st.sampled_from(candidates) if candidates else st.just(reported)))
    department = draw(st.one_of(st.none(), st.integers(0, len(DEPARTMENTS) - 1)))
    owner = draw(st.one_of(st.none(), st.sampled_from(OWNERS)))
    row = Row(id=issue_id, enterprise=draw(st.integers(0, len(ENTERPRISES) - 1)),
              category=draw(st.sampled_from(CATEGORIES)), kind=draw(st.sampled_from(["individual", "common"])),
              source=draw(st.sampled_from(["visit", "meeting", "phone"])), status=status,
              department=department, owner=owner, reported_on=reported, due_on=due, resolved_on=resolved_on)
    if department is not None or owner is not None:
        dispatched = datetime.combine(reported, datetime.min.time()) + timedelta(hours=draw(st.integers(1, 30)))
        row.dispatched_at = dispatched
        row.acknowledge_by = draw(st.one_of(st.none(), st.just(CALENDAR.add_working_days(dispatched.date(), 1))))
        if status != "open":
            row.acknowledged_at = dispatched + timedelta(hours=draw(st.integers(0, 120)))
    if status != "resolved" and draw(st.booleans()) and draw(st.booleans()):
        row.escalated_at = datetime.combine(reported, datetime.min.time()) + timedelta(days=2)
    if status == "resolved" and draw(st.booleans()):
        assert resolved_on is not None
        row.callback_result = draw(st.sampled_from(["satisfied", "satisfied", "basic", "unsatisfied"]))
        # A callback before the close-out is the old verdict of an issue redone and closed again.
        row.callback_on = resolved_on + timedelta(days=draw(st.integers(-3, 10)))
        if row.callback_result == "unsatisfied" and row.callback_on >= resolved_on:
            row.callback_on = resolved_on - timedelta(days=1)
        row.reopen_count = 1 if row.callback_on < resolved_on else 0
    if shape == "reopened":
        # Resolved once, then reopened (by hand or by an unsatisfied callback): no resolved_on.
        row.reopen_count = 1
        if draw(st.booleans()):
            row.callback_result, row.callback_on = "unsatisfied", reported + timedelta(days=draw(st.integers(1, 20)))
    return row


@st.composite
def ledgers(draw: Any) -> tuple[list[Row], tuple[date, date]]:
    week_start = draw(st.sampled_from([d for d in (_day(i) for i in range(SPAN)) if d.weekday() == 0]))
    week = (week_start, week_start + timedelta(days=6))
    count = draw(st.integers(0, 24))
    return [draw(issue_rows(i + 1, week)) for i in range(count)], week


def insert_ledger(url: str, rows: list[Row]) -> None:
    """Write the rows straight into the tables (no history needed for reports)."""
    from sqlalchemy import insert, select

    from qiye_service.db import ensure_schema, make_engine, resolve_location
    from qiye_service.models import Category, Department, Enterprise, Issue

    now = datetime(2023, 12, 20, 2, 0)
    engine = make_engine(resolve_location(url))
    try:
        ensure_schema(engine)
        with engine.begin() as conn:
            enterprise_ids = [conn.execute(insert(Enterprise.__table__).values(
                name=name, zone=zone, industry=industry, created_at=now, updated_at=now)).inserted_primary_key[0]
                for name, zone, industry in ENTERPRISES]
            department_ids = [conn.execute(insert(Department.__table__).values(name=name)).inserted_primary_key[0]
                              for name in DEPARTMENTS]
            category_ids = dict(conn.execute(select(Category.code, Category.id)).all())
            if rows:
                conn.execute(insert(Issue.__table__), [{
                    "id": row.id, "title": f"issue {row.id}", "enterprise_id": enterprise_ids[row.enterprise],
                    "category_id": category_ids[row.category], "kind": row.kind, "source": row.source,
                    "priority": "normal", "status": row.status,
                    "department_id": department_ids[row.department] if row.department is not None else None,
                    "owner": row.owner, "reported_on": row.reported_on, "due_on": row.due_on,
                    "resolved_on": row.resolved_on, "created_by": "oracle", "created_at": now, "updated_at": now,
                    "dispatched_at": row.dispatched_at, "acknowledged_at": row.acknowledged_at,
                    "acknowledge_by": row.acknowledge_by, "escalated_at": row.escalated_at,
                    "callback_result": row.callback_result, "callback_on": row.callback_on,
                    "reopen_count": row.reopen_count,
                } for row in rows])
    finally:
        engine.dispose()


# --- the oracle ----------------------------------------------------------------------------


def rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def working_days_after(start: date, end: date) -> int:
    """Working days d with start < d <= end, counted one day at a time."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += CALENDAR.is_working_day(day)
    return count


def nth_working_day_after(start: date, n: int) -> date:
    day = start
    while n:
        day += timedelta(days=1)
        n -= CALENDAR.is_working_day(day)
    return day


def ended(as_of: date) -> datetime:
    """The end of `as_of` in Asia/Shanghai (UTC+8 all year) as a stored UTC instant."""
    return datetime.combine(as_of, time(16, 0))


def unresolved(row: Row, as_of: date, then: bool) -> bool:
    """Not resolved now, or (`then`: as things stood at the end of as_of) resolved only after it."""
    return row.status != "resolved" or (then and row.resolved_on is not None and row.resolved_on > as_of)


def level(row: Row, as_of: date, then: bool = False) -> str | None:
    """The escalation ladder of DESIGN §8 on `as_of`."""
    if not unresolved(row, as_of, then):
        return None
    if row.escalated_at is not None and (not then or row.escalated_at < ended(as_of)):
        return "red"
    if row.due_on is None:
        return None
    if row.due_on < as_of:
        return "red" if working_days_after(row.due_on, as_of) > RED_WD else "overdue"
    if row.due_on <= nth_working_day_after(as_of, DUE_SOON_WD):
        return "due-soon"
    return None


def overdue(row: Row, as_of: date, then: bool = False) -> bool:
    return unresolved(row, as_of, then) and row.due_on is not None and row.due_on < as_of


def supervision_figures(rows: list[Row], as_of: date, then: bool = False) -> dict[str, Any]:
    dispatched = [r for r in rows if r.dispatched_at is not None]
    in_time = [r for r in dispatched if r.acknowledged_at is not None and r.acknowledge_by is not None
               and r.acknowledged_at.date() <= r.acknowledge_by]
    resolved = [r for r in rows if r.status == "resolved"]
    called_back = [r for r in resolved if r.callback_result is not None and r.callback_on is not None
                   and r.callback_on >= r.resolved_on]
    callbacks = [r for r in rows if r.callback_result is not None]
    satisfied = [r for r in callbacks if r.callback_result in ("satisfied", "basic")]
    levels = [level(r, as_of, then) for r in rows]
    return {
        "response_rate": rate(len(in_time), len(dispatched)),
        "callback_rate": rate(len(called_back), len(resolved)),
        "satisfaction_rate": rate(len(satisfied), len(callbacks)),
        "level_due_soon": levels.count("due-soon"),
        "level_overdue": levels.count("overdue"),
        "level_red": levels.count("red"),
    }


def group_figures(rows: list[Row], as_of: date) -> dict[str, Any]:
    total = len(rows)
    resolved = sum(r.status == "resolved" for r in rows)
    return {"total": total, "resolved": resolved, "pending": total - resolved,
            "overdue": sum(overdue(r, as_of) for r in rows), "resolution_rate": rate(resolved, total),
            **supervision_figures(rows, as_of)}


def key_of(row: Row, by: str) -> Any:
    if by == "department":
        return DEPARTMENTS[row.department] if row.department is not None else None
    if by in ("zone", "industry", "enterprise"):
        name, zone, industry = ENTERPRISES[row.enterprise]
        return {"zone": zone, "industry": industry, "enterprise": name}[by]
    if by == "month":
        return row.reported_on.strftime("%Y-%m")
    return getattr(row, by)


def grouped(rows: list[Row], by: str, figures: Any) -> list[dict[str, Any]]:
    keys: dict[Any, list[Row]] = {}
    for row in rows:
        keys.setdefault(key_of(row, by), []).append(row)
    result = [{"key": key, **figures(members)} for key, members in keys.items()]
    if by == "month":
        return sorted(result, key=lambda g: g["key"])
    size = "total" if "total" in (result[0] if result else {}) else "total_to_date"
    return sorted(result, key=lambda g: (-g[size], g["key"] is None, str(g["key"] or "")))


def expected_summary(rows: list[Row], since: date | None, until: date | None, by: str) -> dict[str, Any]:
    as_of = until if until is not None and until < TODAY else TODAY
    scoped = [r for r in rows if (since is None or r.reported_on >= since) and (until is None or r.reported_on <= until)]
    days = [(r.resolved_on - r.reported_on).days for r in scoped if r.status == "resolved" and r.resolved_on]
    head = group_figures(scoped, as_of)
    return {
        **{k: head[k] for k in ("total", "resolved", "pending", "overdue", "resolution_rate")},
        "deferred": sum(r.status == "deferred" for r in scoped),
        "avg_days_to_resolve": round(statistics.mean(days), 2) if days else None,
        "median_days_to_resolve": round(float(statistics.median(days)), 2) if days else None,
        **supervision_figures(scoped, as_of),
        "by_kind": grouped(scoped, "kind", lambda members: group_figures(members, as_of)),
        "groups": [{**g, "returns": 0, "transfers": 0} if by == "department" else g  # no returns here (issue 20)
                   for g in grouped(scoped, by, lambda members: group_figures(members, as_of))],
    }


def weekly_figures(rows: list[Row], monday: date, sunday: date, as_of: date, then: bool) -> dict[str, Any]:
    resolved_to_date = sum(r.status == "resolved" and r.resolved_on <= sunday for r in rows)
    return {
        "filed": sum(monday <= r.reported_on <= sunday for r in rows),
        "resolved": sum(r.status == "resolved" and monday <= r.resolved_on <= sunday for r in rows),
        "total_to_date": len(rows),
        "resolved_to_date": resolved_to_date,
        "resolution_rate_to_date": rate(resolved_to_date, len(rows)),
        "overdue": sum(overdue(r, as_of, then) for r in rows),
        "due_next_7_days": sum(unresolved(r, as_of, then) and r.due_on is not None
                               and as_of <= r.due_on <= as_of + timedelta(days=6) for r in rows),
        **supervision_figures(rows, as_of, then),
    }


def expected_weekly(rows: list[Row], monday: date, sunday: date) -> dict[str, Any]:
    as_of = sunday if sunday < TODAY else TODAY
    then = as_of == sunday  # a week that has ended is measured as it stood at its end
    to_date = [r for r in rows if r.reported_on <= sunday]
    closed = sorted((r for r in to_date if r.status == "resolved" and monday <= r.resolved_on <= sunday),
                    key=lambda r: (r.resolved_on, r.id))
    late = sorted((r for r in to_date if overdue(r, as_of, then)), key=lambda r: (r.due_on, r.id))
    return {
        **weekly_figures(to_date, monday, sunday, as_of, then),
        "categories": grouped(to_date, "category",
                              lambda members: weekly_figures(members, monday, sunday, as_of, then)),
        "closed": [(r.id, (r.resolved_on - r.reported_on).days) for r in closed],
        "overdue_issues": [(r.id, (as_of - r.due_on).days, level(r, as_of, then)) for r in late],
    }


def expected_overdue(rows: list[Row], since: date | None, until: date | None) -> dict[str, Any]:
    as_of = until if until is not None and until < TODAY else TODAY
    scoped = [r for r in rows if (since is None or r.reported_on >= since) and (until is None or r.reported_on <= until)]
    ladder = [r for r in scoped if level(r, as_of) is not None]
    rank = {"red": 0, "overdue": 1, "due-soon": 2}
    ordered = sorted(ladder, key=lambda r: (rank[level(r, as_of)], r.due_on is None, r.due_on or TODAY, r.id))
    return {
        "total": len(ladder),
        "overdue": sum(overdue(r, as_of) for r in ladder),
        **{k: v for k, v in supervision_figures(ladder, as_of).items() if k.startswith("level_")},
        "issues": [(r.id, max((as_of - r.due_on).days, 0) if r.due_on else 0, level(r, as_of)) for r in ordered],
    }


# --- comparing -----------------------------------------------------------------------------


def strip_group(group: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in group.items() if k != "label"}


def check_summary(qiye: Qiye, rows: list[Row], scope_args: list[str], since: date | None, until: date | None,
                  by: str) -> None:
    got = json.loads(qiye.ok("report", "summary", *scope_args, "--by", by, "--format", "json").stdout)
    want = expected_summary(rows, since, until, by)
    for name, value in want.items():
        if name in ("by_kind", "groups"):
            assert [strip_group(g) for g in got[name]] == value, name
        else:
            assert got[name] == value, name


def check_weekly(qiye: Qiye, rows: list[Row], week: tuple[date, date], args: list[str]) -> None:
    got = json.loads(qiye.ok("report", "weekly", *args, "--format", "json").stdout)
    want = expected_weekly(rows, *week)
    assert got["scope"]["since"] == week[0].isoformat() and got["scope"]["until"] == week[1].isoformat()
    for name, value in want.items():
        if name == "categories":
            assert [strip_group(g) for g in got[name]] == value, name
        elif name == "closed":
            assert [(r["id"], r["days_to_resolve"]) for r in got[name]] == value, name
        elif name == "overdue_issues":
            assert [(r["id"], r["days_overdue"], r["level"]) for r in got[name]] == value, name
        else:
            assert got[name] == value, name


def check_overdue(qiye: Qiye, rows: list[Row], scope_args: list[str], since: date | None,
                  until: date | None) -> None:
    got = json.loads(qiye.ok("report", "overdue", *scope_args, "--format", "json").stdout)
    want = expected_overdue(rows, since, until)
    for name, value in want.items():
        if name == "issues":
            assert [(r["id"], r["days_overdue"], r["level"]) for r in got[name]] == value, name
        else:
            assert got[name] == value, name
    by_level = {g["key"]: g for g in got["groups"]}
    for lvl, name in (("red", "level_red"), ("overdue", "level_overdue"), ("due-soon", "level_due_soon")):
        assert by_level[lvl]["total"] == want[name]
        late = [days for _, days, found in want["issues"] if found == lvl]
        assert by_level[lvl]["max_days_overdue"] == max(late, default=0)


SCOPES = st.sampled_from(["all", "year", "week", "range", "since"])
# A filter of `issue list` and the rows it keeps.
FILTERS: list[tuple[list[str], Any]] = [
    ([], lambda row: True),
    (["--kind", "common"], lambda row: row.kind == "common"),
    (["--dept", DEPARTMENTS[0]], lambda row: row.department == 0),
    (["--owner", OWNERS[1]], lambda row: row.owner == OWNERS[1]),
    (["--status", "open", "--status", "deferred"], lambda row: row.status in ("open", "deferred")),
    (["--category", "road", "--zone", "北园"], lambda row: row.category == "road" and row.enterprise == 0),
]


def scope_for(kind: str, week: tuple[date, date]) -> tuple[list[str], date | None, date | None]:
    monday, sunday = week
    if kind == "year":
        return ["--year", "2023"], date(2023, 1, 1), date(2023, 12, 31)
    if kind == "week":
        iso_year, number, _ = monday.isocalendar()
        return ["--week", f"{iso_year}-W{number:02d}"], monday, sunday
    if kind == "range":
        return ["--since", (monday - timedelta(days=20)).isoformat(), "--until", sunday.isoformat()], \
            monday - timedelta(days=20), sunday
    if kind == "since":
        return ["--since", monday.isoformat()], monday, None
    return [], None, None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=ledgers(), scope_kind=SCOPES,
       by=st.sampled_from(["category", "kind", "department", "zone", "industry", "enterprise", "owner", "source",
                           "month"]),
       use_date=st.booleans(), chosen_filter=st.sampled_from(FILTERS))
def test_reports_match_the_oracle(sqlite_template: Path, base_env: dict[str, str], data: Any, scope_kind: str,
                                  by: str, use_date: bool, chosen_filter: tuple[list[str], Any]) -> None:
    rows, week = data
    filter_args, keep = chosen_filter
    kept = [row for row in rows if keep(row)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "qiye.db"
        shutil.copyfile(sqlite_template, path)
        insert_ledger(str(path), rows)
        qiye = Qiye(str(path), {**base_env, "QIYE_DB": str(path)})
        if filter_args[:1] == ["--owner"] and not any(row.owner == filter_args[1] for row in rows):
            # Names (DESIGN §3): an owner no issue has is an error naming the nearest, not an empty report.
            refused = qiye("report", "summary", *filter_args)
            assert (refused.exit_code, refused.stdout) == (1, "") and refused.stderr.startswith("error:")
            return
        scope_args, since, until = scope_for(scope_kind, week)
        check_summary(qiye, kept, scope_args + filter_args, since, until, by)
        # --date names the week by any of its days: its Sunday here, a boundary.
        week_args = ["--date", week[1].isoformat()] if use_date else scope_for("week", week)[0]
        check_weekly(qiye, kept, week, week_args + filter_args)
        check_overdue(qiye, kept, scope_args + filter_args, since, until)


# --- one fixed ledger on both backends -----------------------------------------------------


def fixed_ledger() -> list[Row]:
    """Hand-picked edge cases: boundary days of week 2023-W50 (Mon 12-11, Sun 12-17), a reopened
    issue, an unsatisfied callback redone, deferred issues, no due date, an escalation."""
    d = date
    rows = [
        Row(1, 0, "fire-acceptance", "individual", "visit", "resolved", 0, "王强", d(2023, 12, 1), d(2023, 12, 15),
            d(2023, 12, 11)),  # resolved on the Monday of W50
        Row(2, 1, "water-power", "individual", "visit", "resolved", 1, "李娜", d(2023, 11, 20), d(2023, 12, 1),
            d(2023, 12, 17)),  # resolved on the Sunday of W50
        Row(3, 0, "road", "common", "meeting", "resolved", None, None, d(2023, 12, 4), None,
            d(2023, 12, 10)),  # resolved the Sunday before W50
        Row(4, 2, "road", "common", "meeting", "resolved", 2, "王强", d(2023, 12, 12), d(2023, 12, 30),
            d(2023, 12, 18)),  # resolved the Monday after W50
        Row(5, 1, "land-acquisition", "individual", "phone", "in_progress", 0, "王强", d(2023, 10, 9),
            d(2023, 11, 1), None, reopen_count=1),  # reopened, far overdue: red
        Row(6, 1, "land-acquisition", "individual", "visit", "deferred", 0, None, d(2023, 11, 1), d(2023, 12, 14),
            None),  # deferred past its deadline
        Row(7, 0, "water-power", "individual", "visit", "deferred", None, None, d(2023, 12, 13), None, None),
        Row(8, 2, "fire-acceptance", "individual", "visit", "open", 1, "李娜", d(2023, 12, 17), d(2023, 12, 21),
            None),  # due soon
        Row(9, 0, "road", "individual", "online", "open", None, None, d(2023, 12, 11), None, None,
            escalated_at=datetime(2023, 12, 12, 3)),  # escalated, no deadline: red
        Row(10, 1, "water-power", "individual", "visit", "in_progress", 1, "李娜", d(2023, 11, 27), d(2023, 12, 19),
            None, reopen_count=1, callback_result="unsatisfied", callback_on=d(2023, 12, 8)),  # redone
        Row(11, 0, "fire-acceptance", "individual", "visit", "resolved", 0, "王强", d(2023, 11, 13),
            d(2023, 12, 8), d(2023, 12, 14), callback_result="satisfied", callback_on=d(2023, 12, 16)),
        Row(12, 2, "land-acquisition", "common", "visit", "resolved", 2, None, d(2023, 10, 16), d(2023, 11, 20),
            d(2023, 12, 13), reopen_count=1, callback_result="unsatisfied",
            callback_on=d(2023, 11, 30)),  # redone and closed again
        Row(13, 2, "road", "individual", "visit", "open", 2, "Zhang Wei", d(2023, 10, 2), d(2023, 10, 20),
            None),  # the most overdue, though not the lowest id
        Row(14, 1, "water-power", "individual", "visit", "in_progress", None, "李娜", d(2023, 12, 18),
            d(2023, 12, 27), None),  # due 7 days after today: not "in the next 7 days"
        Row(15, 0, "road", "individual", "visit", "open", None, None, d(2023, 12, 18), d(2023, 12, 26),
            None),  # due 6 days after today: in the next 7 days, not yet due soon
    ]
    for row in rows:
        if row.department is not None or row.owner is not None:
            row.dispatched_at = datetime.combine(row.reported_on, datetime.min.time()) + timedelta(hours=2)
            row.acknowledge_by = CALENDAR.add_working_days(row.reported_on, 1)
            if row.status != "open":
                late = row.id % 3 == 0
                row.acknowledged_at = row.dispatched_at + timedelta(days=5 if late else 0, hours=1)
    return rows


@pytest.mark.parametrize("by", ["category", "department", "owner", "month"])
def test_fixed_ledger_on_both_backends(qiye: Qiye, by: str) -> None:
    rows = fixed_ledger()
    insert_ledger(qiye.url, rows)
    week = (date(2023, 12, 11), date(2023, 12, 17))
    for kind in ("all", "year", "week", "range"):
        scope_args, since, until = scope_for(kind, week)
        check_summary(qiye, rows, scope_args, since, until, by)
        check_overdue(qiye, rows, scope_args, since, until)
    check_weekly(qiye, rows, week, ["--week", "2023-W50"])
    check_weekly(qiye, rows, (date(2023, 12, 18), date(2023, 12, 24)), [])  # this week, as of today


def test_fixed_ledger_figures_by_hand(qiye: Qiye) -> None:
    """A few of the oracle's own answers, worked out by hand, so the oracle is checked too."""
    rows = fixed_ledger()
    insert_ledger(qiye.url, rows)
    summary = json.loads(qiye.ok("report", "summary", "--format", "json").stdout)
    assert (summary["total"], summary["resolved"], summary["pending"], summary["deferred"]) == (15, 6, 9, 2)
    # Overdue on 2023-12-20: #5 (due 11-01), #6 (12-14, deferred), #10 (12-19), #13 (10-20);
    # #8 is due 12-21 and #9 has no due date.
    assert summary["overdue"] == 4
    assert summary["resolution_rate"] == 0.4
    # Days to resolve: 10, 27, 6, 6, 31, 58 -> mean 23.0, median (10 + 27) / 2 = 18.5.
    assert summary["avg_days_to_resolve"] == 23.0
    assert summary["median_days_to_resolve"] == 18.5
    # Callbacks: #11 satisfied after close-out; #12's unsatisfied one predates its second close-out.
    assert summary["callback_rate"] == round(1 / 6, 4)
    assert summary["satisfaction_rate"] == round(1 / 3, 4)
    # Red: #5, #13 (late), #9 (escalated); yellow: #6, #10; blue: #8 (12-21 is within 3 working
    # days of Wednesday 12-20, #15's 12-26 is not).
    assert (summary["level_red"], summary["level_overdue"], summary["level_due_soon"]) == (3, 2, 1)
    # Dispatched: 1, 2, 4, 5, 6, 8, 10, 11, 12, 13, 14; #8 and #13 are not acknowledged, #6 and #12
    # were acknowledged five days late.
    assert summary["response_rate"] == round(7 / 11, 4)
    ladder = json.loads(qiye.ok("report", "overdue", "--format", "json").stdout)
    assert [(row["id"], row["level"]) for row in ladder["issues"]] == [
        (13, "red"), (5, "red"), (9, "red"), (6, "overdue"), (10, "overdue"), (8, "due-soon")]
    this_week = json.loads(qiye.ok("report", "weekly", "--format", "json").stdout)
    assert this_week["due_next_7_days"] == 2  # #8 and #15; #14 is due a day later
    weekly = json.loads(qiye.ok("report", "weekly", "--week", "2023-W50", "--format", "json").stdout)
    assert weekly["scope"]["as_of"] == "2023-12-17"  # a past week is measured at its Sunday
    # Filed Mon 12-11 .. Sun 12-17: #4 (12-12), #7 (12-13), #8 (12-17, the Sunday), #9 (12-11, the Monday).
    assert weekly["filed"] == 4
    # Resolved in the week: #1 (Mon), #12 (12-13), #11 (12-14), #2 (Sun); not #3 (the Sunday before)
    # nor #4 (the Monday after).
    assert weekly["resolved"] == 4
    assert [row["id"] for row in weekly["closed"]] == [1, 12, 11, 2]
    # Overdue on Sunday 12-17, most overdue first: #13 (due 10-20), #5 (11-01), #6 (12-14, deferred);
    # #10 is due 12-19.
    assert [row["id"] for row in weekly["overdue_issues"]] == [13, 5, 6]
    assert [row["days_overdue"] for row in weekly["overdue_issues"]] == [58, 46, 3]
    # #14 and #15 are filed after the week; #4 closes on the Monday after.
    assert (weekly["total_to_date"], weekly["resolved_to_date"]) == (13, 5)
