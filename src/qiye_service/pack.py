"""The meeting pack's figures (周调度材料, DESIGN §15, issue 21): what the printed weekly report
shows beside the week's own figures — the previous week's figures and the change, filed vs
resolved over the last twelve weeks, the department ranking and the supervision levels; data with codes, as the queries
return it (qiye_service.render.document labels it).

Every figure comes from the report queries of qiye_service.reports run with another scope
(the previous week, the last twelve weeks, everything up to the week's end), so the pack
never counts differently from `report weekly|summary|trend|overdue`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from qiye_service import reports
from qiye_service.dates import week_name

# The weekly figures compared with the previous week, in the order the report shows them.
CHANGE_FIELDS = ("filed", "resolved", "total_to_date", "resolved_to_date", "resolution_rate_to_date",
                 "overdue", "due_next_7_days")
CHANGE_SECTION_FIELDS = ("figure", "label", "current", "previous", "change")
TREND_WEEKS = 12
RANKING_FIELDS = ("key", "label", "total", "resolved", "pending", "overdue", "resolution_rate")
LEVEL_FIELDS = ("key", "label", "total", "max_days_overdue")


def previous_week(scope: reports.Scope, *, today: Any) -> reports.Scope:
    """The week before a week's scope, measured as that week's own report would be."""
    assert scope.since is not None and scope.until is not None
    week = (scope.since - timedelta(days=7), scope.until - timedelta(days=7))
    return reports.report_scope(today=today, week=week)


def change(current: Any, previous: Any) -> Any:
    """This week's figure less the previous week's (a rate's change in its own unit, 0.05 for five
    points); None when either is unknown."""
    if current is None or previous is None:
        return None
    if isinstance(current, float) or isinstance(previous, float):
        return round(current - previous, 4)
    return current - previous


def week_over_week(session: Any, flt: Any, scope: reports.Scope, *, today: Any, **query: Any) -> dict[str, Any]:
    """The previous week's figures (its report run through the same query) and the changes."""
    before = previous_week(scope, today=today)
    data = reports.weekly_report(session, flt, before, limit=0, **query)
    for name in ("closed", "overdue_issues"):
        data[name].close()  # the lists are not wanted: never run their queries
    previous = {"scope": data["scope"], **{name: data[name] for name in reports.WEEKLY_FIELDS}}
    return {"previous": previous}


def with_week_over_week(data: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """The weekly report's data with `previous` and a `<figure>_change` per compared figure,
    placed after the figures (the existing keys keep their order and values)."""
    previous = extra["previous"]
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "categories":
            out.update({f"{name}_change": change(data[name], previous[name]) for name in CHANGE_FIELDS})
            out["previous"] = previous
        out[key] = value
    return out


def change_rows(data: dict[str, Any], labels: dict[str, str]) -> list[dict[str, Any]]:
    """The compared figures as rows: this week, the previous week, the change."""
    return [{"figure": name, "label": labels[name], "current": data[name], "previous": data["previous"][name],
             "change": data[f"{name}_change"]} for name in CHANGE_FIELDS]


def twelve_weeks(session: Any, flt: Any, scope: reports.Scope) -> list[dict[str, Any]]:
    """Filed and resolved in each of the twelve weeks up to the scope's week, empty weeks as 0."""
    assert scope.since is not None and scope.until is not None
    first = scope.since - timedelta(weeks=TREND_WEEKS - 1)
    window = replace(scope, kind="range", since=first, name=None)
    found = {row["period"]: row for row in reports.trend_report(session, flt, window, by="week")["periods"]}
    weeks = []
    for index in range(TREND_WEEKS):
        monday = first + timedelta(weeks=index)
        name = week_name(monday)
        row = found.get(name, {})
        weeks.append({"period": name, "since": monday, "until": monday + timedelta(days=6),
                      "filed": row.get("filed", 0), "resolved": row.get("resolved", 0)})
    return weeks


def department_ranking(session: Any, flt: Any, scope: reports.Scope, **query: Any) -> list[dict[str, Any]]:
    """Every department's figures to the week's end, counted as the week's own figures are (an
    issue closed after that Sunday was still open then), the best resolution rate first (then
    the most issues); a department with no issues has no rate and comes last."""
    groups = [{"key": row["key"], "label": row["key"], "total": row["total_to_date"],
               "resolved": row["resolved_to_date"], "pending": row["total_to_date"] - row["resolved_to_date"],
               "overdue": row["overdue"], "resolution_rate": row["resolution_rate_to_date"]}
              for row in reports.weekly_groups(session, flt, scope, "department", **query)]
    return sorted(groups, key=lambda row: (row["resolution_rate"] is None, -(row["resolution_rate"] or 0),
                                           -row["total"], row["key"] is None, str(row["key"] or "")))


def levels(session: Any, flt: Any, scope: reports.Scope, *, timezone: str, **query: Any) -> list[dict[str, Any]]:
    """The supervision ladder at the week's as-of date, red, yellow (overdue), blue (due soon); for
    a week that has ended, as the issues stood at its end, as the week's own figures count them."""
    to_date = replace(scope, kind="range", since=None, name=None)
    return reports.overdue_report(session, flt, to_date, by="level", limit=0,
                                  ends_at=reports.week_ended(scope, timezone), **query)["groups"]


def twelve_weeks_name(scope: reports.Scope) -> tuple[str, str]:
    """The first and last week of the twelve-week chart."""
    assert scope.since is not None
    return week_name(scope.since - timedelta(weeks=TREND_WEEKS - 1)), week_name(scope.since)
