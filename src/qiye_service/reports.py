"""The report queries of DESIGN §4 and §8: SQL aggregates over issues, returned as plain dicts.

Every figure is counted by the database (COUNT/SUM/AVG with GROUP BY); Python only names,
sorts and rounds the few aggregate rows. Scopes are plain ranges on reported_on, resolved_on
and due_on so the indexes serve them, and the SQL is what SQLite and PostgreSQL both compile
(CASE, EXTRACT, CAST, integer division).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, Date, and_, case, cast, extract, func, or_, select, type_coerce
from sqlmodel import Session

from qiye_service.dates import DEFAULT_TZ, check_year, day_end_utc, month_name, quarter_name, week_name
from qiye_service.errors import InvalidValue
from qiye_service.models import (
    CallbackSolved,
    Category,
    Department,
    Dispatch,
    DispatchRole,
    Enterprise,
    Issue,
    Status,
)
from qiye_service.services import supervision
from qiye_service.services.filters import ResolvedFilter, apply_filter

if TYPE_CHECKING:
    from qiye_service.workdays import WorkingCalendar

RESOLVED = Status.resolved.value
DEFERRED = Status.deferred.value

SUMMARY_DIMENSIONS = ("category", "kind", "department", "zone", "industry", "enterprise", "owner", "source", "month")
OVERDUE_DIMENSIONS = ("level", "department", "owner")
TREND_PERIODS = ("month", "week")

# The figure names of DESIGN §4 and §8, in the order every format shows them.
GROUP_FIELDS = ("key", "label", "total", "resolved", "pending", "overdue", "resolution_rate")
CYCLE_GROUP_FIELDS = ("returns", "transfers")  # summary --by department only (issue 20)
SUPERVISION_FIELDS = ("response_rate", "callback_rate", "satisfaction_rate",
                      "level_due_soon", "level_overdue", "level_red")
SUMMARY_FIELDS = ("total", "resolved", "pending", "deferred", "overdue", "resolution_rate",
                  "avg_days_to_resolve", "median_days_to_resolve", *SUPERVISION_FIELDS)
WEEKLY_FIELDS = ("filed", "resolved", "total_to_date", "resolved_to_date", "resolution_rate_to_date",
                 "overdue", "due_next_7_days", *SUPERVISION_FIELDS)
WEEKLY_CATEGORY_FIELDS = ("key", "label", "filed", "resolved", "total_to_date", "resolved_to_date",
                          "resolution_rate_to_date", "overdue", "due_next_7_days")
CLOSED_FIELDS = ("id", "title", "enterprise", "category", "department", "owner", "reported_on", "resolved_on",
                 "days_to_resolve")
OVERDUE_ISSUE_FIELDS = ("id", "title", "enterprise", "category", "status", "department", "owner",
                        "reported_on", "due_on", "days_overdue", "level")
OVERDUE_GROUP_FIELDS = ("key", "label", "total", "level_red", "level_overdue", "level_due_soon", "max_days_overdue")
TREND_FIELDS = ("period", "since", "until", "filed", "resolved")

LEVEL_FIELD = {supervision.DUE_SOON: "level_due_soon", supervision.OVERDUE: "level_overdue",
               supervision.RED: "level_red"}
LEVEL_RANK = {supervision.RED: 0, supervision.OVERDUE: 1, supervision.DUE_SOON: 2}

# Week buckets count whole weeks from this Monday; months use EXTRACT(YEAR/MONTH).
WEEK_ORIGIN = date(1900, 1, 1)
_ORIGIN_EPOCH_DAY = (WEEK_ORIGIN - date(1970, 1, 1)).days


# --- scope -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which issues a report covers (by reported date) and the date it is measured at.

    `as_of` is today, or the end of the scope when that is in the past: overdue and the
    escalation levels are measured on that day.
    """

    kind: str  # all | year | quarter | month | week | range
    since: date | None
    until: date | None
    as_of: date
    name: str | None = None  # "2023", "2023Q4", "2023-12", "2023-W50"

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "as_of": self.as_of.isoformat(),
        }


def report_scope(*, today: date, year: int | None = None, week: tuple[date, date] | None = None,
                 since: date | None = None, until: date | None = None, month: tuple[date, date] | None = None,
                 quarter: tuple[date, date] | None = None) -> Scope:
    """The scope of --year, --quarter, --month, --week/--date or --since/--until (at most one of
    them), else all time. A month or quarter comes as its first and last day (dates.parse_month,
    dates.parse_quarter)."""
    chosen = [name for name, given in (("--year", year is not None), ("--quarter", quarter is not None),
                                       ("--month", month is not None), ("--week/--date", week is not None),
                                       ("--since/--until", since is not None or until is not None)) if given]
    if len(chosen) > 1:
        raise InvalidValue("error.report_scope", options=", ".join(chosen))
    kind, name = "all", None
    if year is not None:
        check_year(year, today=today)
        kind, name, since, until = "year", str(year), date(year, 1, 1), date(year, 12, 31)
    elif quarter is not None:
        since, until = quarter
        kind, name = "quarter", quarter_name(since)
    elif month is not None:
        since, until = month
        kind, name = "month", month_name(since)
    elif week is not None:
        since, until = week
        kind, name = "week", week_name(since)
    elif since is not None or until is not None:
        kind = "range"
        if since is not None and until is not None and until < since:
            raise InvalidValue("error.date_order", later="--until", later_value=until.isoformat(),
                               earlier="--since", earlier_value=since.isoformat())
    as_of = until if until is not None and until < today else today
    return Scope(kind=kind, since=since, until=until, as_of=as_of, name=name)


# --- SQL building blocks -------------------------------------------------------------------


def count_if(condition: Any) -> Any:
    """SUM aggregate: how many selected rows meet `condition` (0, never NULL)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def epoch_day(column: Any) -> Any:
    """Days since 1970-01-01 of a date column; EXTRACT(EPOCH) compiles on SQLite and PostgreSQL."""
    return cast(extract("epoch", column), BigInteger) // 86400


def days_between(start: Any, end: Any) -> Any:
    return epoch_day(end) - epoch_day(start)


def is_unresolved(cutoffs: supervision.LevelCutoffs) -> Any:
    """Not resolved at the as-of date; now, in the form the status indexes serve."""
    if cutoffs.ends_at is None:
        return supervision.unresolved_now()
    return supervision.unresolved_clause(cutoffs)


def is_overdue(cutoffs: supervision.LevelCutoffs) -> Any:
    """DESIGN §4: not resolved and due before the as-of date; the deadline in force, while the
    clock runs (issue 20: an approved extension, suspended working days added)."""
    return and_(is_unresolved(cutoffs), supervision.running_clause(cutoffs),
                supervision.deadline_compare("<", cutoffs.as_of))


def is_resolved() -> Any:
    return Issue.status == RESOLVED


def has_days_to_resolve() -> Any:
    return and_(Issue.status == RESOLVED, Issue.resolved_on.is_not(None))


def days_to_resolve() -> Any:
    return days_between(Issue.reported_on, Issue.resolved_on)


def in_range(column: Any, since: date | None, until: date | None) -> list[Any]:
    clauses = []
    if since is not None:
        clauses.append(column >= since)
    if until is not None:
        clauses.append(column <= until)
    return clauses


def supervision_columns(cutoffs: supervision.LevelCutoffs) -> list[Any]:
    """The aggregates behind the §8 figures, defined once in services.supervision."""
    return [
        supervision.dispatched_count().label("dispatched"),
        supervision.acknowledged_in_time_count().label("acknowledged_in_time"),
        supervision.resolved_count().label("resolved_for_callback"),
        supervision.called_back_count().label("called_back"),
        supervision.callback_count().label("callbacks"),
        supervision.satisfied_count().label("satisfied"),
        *(supervision.level_count(level, cutoffs).label(field) for level, field in LEVEL_FIELD.items()),
    ]


def ratio(numerator: Any, denominator: Any) -> float | None:
    """A rate rounded to 4 decimals; None when there is nothing to divide by."""
    value = supervision.rate(int(numerator or 0), int(denominator or 0))
    return None if value is None else round(value, 4)


def supervision_figures(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "response_rate": ratio(row["acknowledged_in_time"], row["dispatched"]),
        "callback_rate": ratio(row["called_back"], row["resolved_for_callback"]),
        "satisfaction_rate": ratio(row["satisfied"], row["callbacks"]),
        **{field: int(row[field]) for field in LEVEL_FIELD.values()},
    }


def _scoped(stmt: Any, flt: ResolvedFilter, scope: Scope) -> Any:
    """The filters plus the scope's range on reported_on."""
    return apply_filter(stmt, flt, today=scope.as_of).where(*in_range(Issue.reported_on, scope.since, scope.until))


def _unscoped(flt: ResolvedFilter) -> ResolvedFilter:
    """The filters without their reported-on range (a trend applies the scope to each series)."""
    return replace(flt, since=None, until=None)


# --- grouping -------------------------------------------------------------------------------


def _summary_columns(cutoffs: supervision.LevelCutoffs) -> list[Any]:
    return [
        func.count().label("total"),
        count_if(is_resolved()).label("resolved"),
        count_if(Issue.status == DEFERRED).label("deferred"),
        count_if(is_overdue(cutoffs)).label("overdue"),
        # Sum and count rather than AVG, so groups add up to the whole.
        count_if(has_days_to_resolve()).label("days_count"),
        func.coalesce(func.sum(case((has_days_to_resolve(), days_to_resolve()))), 0).label("days_sum"),
        *supervision_columns(cutoffs),
    ]


def _group_row(key: Any, row: dict[str, Any]) -> dict[str, Any]:
    total, resolved = int(row["total"]), int(row["resolved"])
    return {
        "key": key, "total": total, "resolved": resolved, "pending": total - resolved,
        "overdue": int(row["overdue"]), "resolution_rate": ratio(resolved, total), **supervision_figures(row),
    }


@dataclass(frozen=True)
class Dimension:
    """A grouping: the key columns, the joins it needs and how a group's key is made of them.
    Groups carry codes and names as stored; the output layer (render.document) labels them."""

    columns: list[Any]
    join: Callable[[Any], Any]
    key: Callable[[tuple[Any, ...]], Any]
    chronological: bool = False


def _plain(values: tuple[Any, ...]) -> Any:
    return values[0]


def _month_key(values: tuple[Any, ...]) -> str:
    return f"{int(values[0]):04d}-{int(values[1]):02d}"


def _same(stmt: Any) -> Any:
    return stmt


def dimension(by: str) -> Dimension:
    """The grouping for `--by`; an unknown name is an error listing the valid ones."""
    if by == "category":
        return Dimension([Category.code], lambda stmt: stmt.join(Category, Category.id == Issue.category_id), _plain)
    if by in ("kind", "source"):
        return Dimension([getattr(Issue, by)], _same, _plain)
    if by == "department":
        return Dimension([Department.name], lambda stmt: stmt.outerjoin(Department, Department.id == Issue.department_id),
                         _plain)
    if by in ("zone", "industry", "enterprise"):
        column = Enterprise.name if by == "enterprise" else getattr(Enterprise, by)
        return Dimension([column], lambda stmt: stmt.join(Enterprise, Enterprise.id == Issue.enterprise_id), _plain)
    if by == "owner":
        return Dimension([Issue.owner], _same, _plain)
    if by == "month":
        return Dimension([extract("year", Issue.reported_on), extract("month", Issue.reported_on)], _same,
                         _month_key, chronological=True)
    raise InvalidValue("error.bad_choice", field="--by", value=by, valid=", ".join(SUMMARY_DIMENSIONS))


def _sort_groups(rows: list[dict[str, Any]], chronological: bool) -> list[dict[str, Any]]:
    if chronological:
        return sorted(rows, key=lambda row: str(row["key"]))
    # Largest first; the unnamed group (no department, no owner) last among equals. Sorted
    # here, not in SQL, so both backends give the same order whatever their collation.
    size = "total" if rows and "total" in rows[0] else "total_to_date"
    return sorted(rows, key=lambda row: (-row[size], row["key"] is None, str(row["key"] or "")))


@dataclass
class Grouped:
    """The rows of one GROUP BY query, and its aggregates added up over every group."""

    groups: list[dict[str, Any]]
    totals: dict[str, Any]


def _add_up(raws: list[dict[str, Any]], names: list[str]) -> dict[str, Any]:
    totals: dict[str, Any] = {}
    for name in names:
        values = [raw[name] for raw in raws]
        if name.startswith("earliest"):
            present = [value for value in values if value is not None]
            totals[name] = min(present) if present else None
        else:
            totals[name] = sum(int(value or 0) for value in values)
    return totals


def grouped_figures(session: Session, flt: ResolvedFilter, scope: Scope, by: str | Dimension, *,
                    columns: list[Any], build: Callable[[Any, dict[str, Any]], dict[str, Any]],
                    base: Callable[[Any], Any] | None = None) -> Grouped:
    """One GROUP BY query: `columns` per value of the `by` dimension.

    Every column is a COUNT or SUM (or a MIN named earliest_*), so the whole is the sum of the
    groups: the headline figures need no second pass over the issues.
    """
    dim = by if isinstance(by, Dimension) else dimension(by)
    stmt = dim.join(select(*dim.columns, *columns).select_from(Issue))
    stmt = (base(stmt) if base is not None else _scoped(stmt, flt, scope)).group_by(*dim.columns)
    width = len(dim.columns)
    raws, rows = [], []
    for row in session.execute(stmt):
        values = tuple(row[:width])
        raw = dict(row._mapping)
        raws.append(raw)
        rows.append(build(dim.key(values), raw))
    return Grouped(_sort_groups(rows, dim.chronological), _add_up(raws, [column.name for column in columns]))


# --- summary -------------------------------------------------------------------------------


def median_days_to_resolve(session: Session, flt: ResolvedFilter, scope: Scope, count: int) -> float | None:
    """The median of resolved_on − reported_on, from a GROUP BY of the day counts in SQL.

    The database returns one row per distinct number of days (a few hundred at most), with how
    many issues took it; the middle one or two are found by adding those counts up. `count` is
    how many resolved issues have both dates.
    """
    if count == 0:
        return None
    days = days_to_resolve()
    histogram = (_scoped(select(days.label("days"), func.count()).select_from(Issue), flt, scope)
                 .where(has_days_to_resolve()).group_by(days).order_by(days))
    wanted = [(count - 1) // 2, count // 2]  # 0-based positions of the middle row(s)
    found: list[int] = []
    seen = 0
    for value, how_many in session.execute(histogram):
        seen += int(how_many)
        while wanted and wanted[0] < seen:
            found.append(int(value))
            wanted.pop(0)
        if not wanted:
            break
    return round(sum(found) / len(found), 2)


def summary_report(session: Session, flt: ResolvedFilter, scope: Scope, *, by: str = "category",
                   calendar: WorkingCalendar, thresholds: supervision.Thresholds) -> dict[str, Any]:
    """DESIGN §4 `summary`: the scope's figures, by kind, and per group of `by`.

    One GROUP BY kind and `by` gives both lists: each kind's figures are the sums over its
    groups, each group's the sums over the kinds, and the headline the sum of everything.
    """
    dim = dimension(by)
    cutoffs = supervision.level_cutoffs(scope.as_of, calendar, thresholds)
    columns = _summary_columns(cutoffs)
    names = [column.name for column in columns]
    stmt = dim.join(select(Issue.kind, *dim.columns, *columns).select_from(Issue))
    stmt = _scoped(stmt, flt, scope).group_by(Issue.kind, *dim.columns)
    width = len(dim.columns)
    kinds: dict[str, list[dict[str, Any]]] = {}
    keys: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in session.execute(stmt):
        raw = {name: row._mapping[name] for name in names}
        kinds.setdefault(row[0], []).append(raw)
        keys.setdefault(tuple(row[1:1 + width]), []).append(raw)
    by_kind = _sort_groups([_group_row(kind, _add_up(raws, names)) for kind, raws in kinds.items()], False)
    group_raws = {values: _add_up(raws, names) for values, raws in keys.items()}
    cycle_counts = _add_co_dispatches(session, flt, scope, group_raws, names) if by == "department" else None
    groups = _sort_groups([_group_row(dim.key(values), raw) for values, raw in group_raws.items()],
                          dim.chronological)
    if cycle_counts is not None:  # per department: its returns (退单) and the transfers away from it
        for group in groups:
            counts = cycle_counts.get(group["key"], {})
            group["returns"], group["transfers"] = counts.get("returns", 0), counts.get("transfers", 0)
    totals = _add_up([raw for raws in kinds.values() for raw in raws], names)
    head = _group_row(None, totals)
    days_count = int(totals["days_count"])
    return {
        "scope": scope.as_json(),
        "total": head["total"], "resolved": head["resolved"], "pending": head["pending"],
        "deferred": int(totals["deferred"]), "overdue": head["overdue"], "resolution_rate": head["resolution_rate"],
        "avg_days_to_resolve": round(int(totals["days_sum"]) / days_count, 2) if days_count else None,
        "median_days_to_resolve": median_days_to_resolve(session, flt, scope, days_count),
        **{field: head[field] for field in SUPERVISION_FIELDS},
        "by": by,
        "by_kind": by_kind,
        "groups": groups,
    }


def _add_co_dispatches(session: Session, flt: ResolvedFilter, scope: Scope,
                       group_raws: dict[tuple[Any, ...], dict[str, Any]], names: list[str]) -> dict[Any, dict[str, int]]:
    """Per department, the response rate counts its co-handling dispatches (协办) of the scope's
    issues beside the issues it leads (DESIGN §11): each dispatch is acknowledged on its own.
    A department that only co-handles or returned an issue gets a group of its own, with no
    issues of its own. Returns each department's return and transfer counts."""
    from qiye_service.services.cycle import co_response_figures, department_counts

    scoped_ids = _scoped(select(Issue.id), flt, scope)
    co = co_response_figures(session, scoped_ids)
    for name, (dispatched, in_time) in co.items():
        raw = group_raws.setdefault((name,), dict.fromkeys(names, 0))
        raw["dispatched"] = int(raw["dispatched"] or 0) + dispatched
        raw["acknowledged_in_time"] = int(raw["acknowledged_in_time"] or 0) + in_time
    counts = department_counts(session, scoped_ids)
    for name, figures in counts.items():
        if figures["returns"] or figures["transfers"]:
            group_raws.setdefault((name,), dict.fromkeys(names, 0))
    return counts  # type: ignore[return-value]


# --- issue lists ---------------------------------------------------------------------------


def issue_columns() -> list[Any]:
    return [Issue.id, Issue.title, Enterprise.name.label("enterprise"), Category.code.label("category"),
            Issue.status, Department.name.label("department"), Issue.owner, Issue.reported_on, Issue.due_on,
            Issue.resolved_on, supervision.deadline_expression().label("deadline"), Issue.suspended_on]


def _with_names(stmt: Any) -> Any:
    return (stmt.join(Enterprise, Enterprise.id == Issue.enterprise_id)
            .join(Category, Category.id == Issue.category_id)
            .outerjoin(Department, Department.id == Issue.department_id))


def stream(session: Session, stmt: Any) -> Iterator[Any]:
    """The rows of `stmt` a few hundred at a time (a server-side cursor on PostgreSQL), so a long
    list is written as it is read and never held in memory."""
    yield from session.execute(stmt.execution_options(yield_per=500))


# A list ordered from the indexes (in_order): its ids a page at a time, the first page
# covering the terminal's 200 rows and each next one 8 times larger; its rows by id.
IDS_FIRST_PAGE, IDS_GROWTH, ROWS_BY_ID = 1000, 8, 250


def in_order(session: Session, ids: Any, rows: Any, limit: int | None = None) -> Iterator[Any]:
    """The rows of `rows` (a select of issues with their names, the list's filters and no order)
    in the order of `ids` (the same list as a select of issue ids, ordered by columns of
    ix_issue_report), at most `limit` of them.

    The ids and the columns they are sorted on come from the index alone, a page at a time, and
    only the rows a reader takes are fetched, ROWS_BY_ID at a time. Sorting the whole list's rows
    instead read every issue on the list from the table before the first line was out: a quarter
    of a million random reads on a cold page cache when the ids do not follow the dates, for a
    terminal that shows 200 (issue 24). A row that left the list between two statements (another
    writer, PostgreSQL) is left out.
    """
    offset, page = 0, IDS_FIRST_PAGE
    while limit is None or offset < limit:
        size = page if limit is None else min(page, limit - offset)
        chunk_ids = list(session.execute(ids.limit(size).offset(offset)).scalars())
        for start in range(0, len(chunk_ids), ROWS_BY_ID):
            chunk = chunk_ids[start:start + ROWS_BY_ID]
            found = {row.id: row for row in session.execute(rows.where(Issue.id.in_(chunk)))}
            yield from (found[issue_id] for issue_id in chunk if issue_id in found)
        if len(chunk_ids) < size:
            return
        offset, page = offset + size, page * IDS_GROWTH


def _closed_row(row: Any) -> dict[str, Any]:
    found = row._asdict()
    found["days_to_resolve"] = (row.resolved_on - row.reported_on).days
    return {field: found.get(field) for field in CLOSED_FIELDS}


def _ladder_row(row: Any, as_of: date) -> dict[str, Any]:
    found = row._asdict()
    found["days_overdue"] = 0 if row.suspended_on is not None else supervision.days_overdue(row.deadline, as_of)
    return {field: found.get(field) for field in OVERDUE_ISSUE_FIELDS}


def _limited(rows: Iterator[dict[str, Any]], limit: int | None) -> Iterator[dict[str, Any]]:
    for count, row in enumerate(rows):
        if limit is not None and count >= limit:
            return
        yield row


# --- weekly --------------------------------------------------------------------------------


def _weekly_columns(scope: Scope, cutoffs: supervision.LevelCutoffs) -> list[Any]:
    monday, sunday, as_of = scope.since, scope.until, cutoffs.as_of
    assert monday is not None and sunday is not None
    return [
        count_if(Issue.reported_on >= monday).label("filed"),
        count_if(and_(is_resolved(), Issue.resolved_on >= monday, Issue.resolved_on <= sunday)).label("resolved"),
        func.count().label("total_to_date"),
        count_if(and_(is_resolved(), Issue.resolved_on <= sunday)).label("resolved_to_date"),
        count_if(is_overdue(cutoffs)).label("overdue"),
        count_if(and_(is_unresolved(cutoffs), supervision.running_clause(cutoffs),
                      supervision.deadline_compare(">=", as_of),
                      supervision.deadline_compare("<=", as_of + timedelta(days=6)))).label("due_next_7_days"),
        *supervision_columns(cutoffs),
    ]


def _weekly_row(key: Any, row: dict[str, Any]) -> dict[str, Any]:
    counts = {field: int(row[field]) for field in ("filed", "resolved", "total_to_date", "resolved_to_date",
                                                    "overdue", "due_next_7_days")}
    figures = {"key": key, **counts, **supervision_figures(row),
               "resolution_rate_to_date": ratio(counts["resolved_to_date"], counts["total_to_date"])}
    return {field: figures[field] for field in WEEKLY_CATEGORY_FIELDS + SUPERVISION_FIELDS if field != "label"}


def week_ended(scope: Scope, timezone: str = DEFAULT_TZ) -> datetime | None:
    """The instant a week's scope ended (its Sunday's end in the park's time zone) when the
    week is over, so its figures count the issues as they stood then; None while it runs."""
    assert scope.until is not None
    return day_end_utc(scope.until, timezone) if scope.as_of == scope.until else None


def weekly_groups(session: Session, flt: ResolvedFilter, scope: Scope, by: str, *,
                  calendar: WorkingCalendar, thresholds: supervision.Thresholds,
                  timezone: str = DEFAULT_TZ) -> list[dict[str, Any]]:
    """The weekly report's per-category figures grouped by another dimension (the meeting pack's
    department ranking): counted as the week's own figures are, as the issues stood at its end."""
    cutoffs = supervision.level_cutoffs(scope.as_of, calendar, thresholds, ends_at=week_ended(scope, timezone))
    return grouped_figures(session, flt, replace(scope, since=None), by, columns=_weekly_columns(scope, cutoffs),
                           build=_weekly_row).groups


def weekly_report(session: Session, flt: ResolvedFilter, scope: Scope, *,
                  calendar: WorkingCalendar, thresholds: supervision.Thresholds,
                  limit: int | None = None, timezone: str = DEFAULT_TZ) -> dict[str, Any]:
    """DESIGN §4 `weekly`: the week's figures, the figures to date, per category, and two lists.

    Everything counts issues reported up to the week's end (Sunday); overdue, the levels and
    `due_next_7_days` are measured at the scope's as-of date (today while the week is still
    running), and for a week that has ended, as the issues stood at its end, as the figures
    to date are: an issue closed or escalated (in `timezone`, the park's) after that Sunday
    was still open, and not yet escalated, then. `closed` and `overdue_issues` are streams:
    read them while the session is open.
    """
    monday, sunday, as_of = scope.since, scope.until, scope.as_of
    assert monday is not None and sunday is not None
    cutoffs = supervision.level_cutoffs(as_of, calendar, thresholds, ends_at=week_ended(scope, timezone))
    to_date = replace(scope, since=None)
    categories = grouped_figures(session, flt, to_date, "category", columns=_weekly_columns(scope, cutoffs),
                                 build=_weekly_row)
    head = _weekly_row(None, categories.totals)
    closed = (_scoped(_with_names(select(*issue_columns()).select_from(Issue)), flt, to_date)
              .where(is_resolved(), Issue.resolved_on >= monday, Issue.resolved_on <= sunday)
              .order_by(Issue.resolved_on, Issue.id))
    level = supervision.level_expression(cutoffs).label("level")
    late = _scoped(select(Issue.id), flt, to_date).where(is_overdue(cutoffs)).order_by(
        supervision.deadline_expression(), Issue.id)
    late_rows = _scoped(_with_names(select(*issue_columns(), level).select_from(Issue)), flt, to_date).where(
        is_overdue(cutoffs))
    if limit is not None:
        closed = closed.limit(limit)
    return {
        "scope": scope.as_json(),
        **{field: head[field] for field in WEEKLY_FIELDS},
        "categories": categories.groups,
        "closed": (_closed_row(row) for row in stream(session, closed)),
        "overdue_issues": (_ladder_row(row, as_of) for row in in_order(session, late, late_rows, limit)),
    }


# --- overdue (督办清单) -------------------------------------------------------------------------


def overdue_report(session: Session, flt: ResolvedFilter, scope: Scope, *, by: str = "level",
                   calendar: WorkingCalendar, thresholds: supervision.Thresholds,
                   limit: int | None = None, ends_at: datetime | None = None) -> dict[str, Any]:
    """The supervision list: every issue on the escalation ladder at the as-of date (with
    `ends_at`, as the issues stood at that instant, as a past week's report counts them).

    That is each unresolved issue past its due date (red when more than the red threshold
    of working days late, else overdue/yellow), each escalated one (red), and each due within
    the due-soon threshold (blue). Rows come red first, then yellow, then blue, the most
    overdue first within each; with `by` department or owner, group by group. `issues` is a
    stream: read it while the session is open.
    """
    if by not in OVERDUE_DIMENSIONS:
        raise InvalidValue("error.bad_choice", field="--by", value=by, valid=", ".join(OVERDUE_DIMENSIONS))
    as_of = scope.as_of
    cutoffs = supervision.level_cutoffs(as_of, calendar, thresholds, ends_at=ends_at)
    level = supervision.level_expression(cutoffs)
    on_ladder = supervision.level_clause(list(supervision.LEVELS), cutoffs)
    columns = [
        func.count().label("total"),
        count_if(is_overdue(cutoffs)).label("overdue"),
        *(supervision.level_count(lvl, cutoffs).label(field) for lvl, field in LEVEL_FIELD.items()),
        # The earliest due date among the late ones gives the group's worst delay.
        type_coerce(func.min(case((is_overdue(cutoffs), supervision.deadline_expression()))),
                    Date).label("earliest_late"),
    ]

    def ladder(stmt: Any) -> Any:
        return _scoped(stmt, flt, scope).where(on_ladder)

    def build(key: Any, row: dict[str, Any]) -> dict[str, Any]:
        earliest = row["earliest_late"]
        return {"key": key, "total": int(row["total"]),
                **{field: int(row[field]) for field in ("level_red", "level_overdue", "level_due_soon")},
                "max_days_overdue": (as_of - earliest).days if earliest is not None else 0,
                "overdue": int(row["overdue"])}

    if by == "level":
        grouped = grouped_figures(session, flt, scope, Dimension([level], _same, _plain), columns=columns, build=build,
                                  base=ladder)
        found = {group["key"]: group for group in grouped.groups}
        empty = {column.name: None if column.name.startswith("earliest") else 0 for column in columns}
        groups = [found.get(lvl) or build(lvl, empty) for lvl in supervision.LEVELS]
    else:
        grouped = grouped_figures(session, flt, scope, by, columns=columns, build=build, base=ladder)
        groups = sorted(grouped.groups, key=lambda g: (-g["level_red"], -g["total"], g["key"] is None,
                                                       str(g["key"] or "")))
    head = build(None, grouped.totals)
    for group in groups:
        group.pop("overdue")
    return {
        "scope": scope.as_json(),
        "by": by,
        "total": head["total"],
        "overdue": head["overdue"],
        **{field: head[field] for field in LEVEL_FIELD.values()},
        "groups": groups,
        "issues": _limited(_ladder_rows(session, ladder, level, as_of, by, [g["key"] for g in groups]), limit),
    }


def _ladder_rows(session: Session, ladder: Callable[[Any], Any], level: Any, as_of: date, by: str,
                 keys: list[Any]) -> Iterator[dict[str, Any]]:
    """The supervision list in order: red, yellow, blue; within a level the earliest deadline
    (most overdue) first, escalated issues without a deadline after those with one. Grouped by
    department or owner, one indexed query per group in the groups' order."""
    rank = case({supervision.RED: 0, supervision.OVERDUE: 1}, value=level, else_=2)
    stmt = (ladder(select(Issue.id))
            .order_by(rank, supervision.deadline_expression().is_(None), supervision.deadline_expression(), Issue.id))
    rows = ladder(_with_names(select(*issue_columns(), level.label("level")).select_from(Issue)))
    if by == "level":
        for row in in_order(session, stmt, rows):
            yield _ladder_row(row, as_of)
        return
    for key in keys:
        if by == "department":
            named = select(Department.id).where(Department.name == key).scalar_subquery()
            match = Issue.department_id.is_(None) if key is None else Issue.department_id == named
        else:
            match = Issue.owner.is_(None) if key is None else Issue.owner == key
        for row in in_order(session, stmt.where(match), rows.where(match)):
            yield _ladder_row(row, as_of)


# --- trend ---------------------------------------------------------------------------------


def _bucket(by: str, column: Any) -> list[Any]:
    if by == "month":
        return [extract("year", column), extract("month", column)]
    return [(epoch_day(column) - _ORIGIN_EPOCH_DAY) // 7]


def _period_row(by: str, period: tuple[int, ...]) -> dict[str, Any]:
    if by == "month":
        year, month = period
        first = date(year, month, 1)
        last = (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)
        return {"period": f"{year:04d}-{month:02d}", "since": first, "until": last}
    monday = WEEK_ORIGIN + timedelta(days=7 * period[0])
    return {"period": week_name(monday), "since": monday, "until": monday + timedelta(days=6)}


def _next_period(by: str, period: tuple[int, ...]) -> tuple[int, ...]:
    if by == "month":
        year, month = period
        return (year + month // 12, month % 12 + 1)
    return (period[0] + 1,)


def trend_report(session: Session, flt: ResolvedFilter, scope: Scope, *, by: str = "month") -> dict[str, Any]:
    """Filed (by reported_on) and resolved (by resolved_on) per month or ISO week, in the scope.

    The scope's range applies to each series' own date. The periods run from the first to the
    last one with any issue filed or resolved in the scope; empty periods between them show 0.
    """
    if by not in TREND_PERIODS:
        raise InvalidValue("error.bad_choice", field="--by", value=by, valid=", ".join(TREND_PERIODS))
    plain = _unscoped(flt)
    filed_bucket = _bucket(by, Issue.reported_on)
    filed_stmt = (apply_filter(select(*filed_bucket, func.count()).select_from(Issue), plain, today=scope.as_of)
                  .where(*in_range(Issue.reported_on, scope.since, scope.until)).group_by(*filed_bucket))
    resolved_bucket = _bucket(by, Issue.resolved_on)
    resolved_stmt = (apply_filter(select(*resolved_bucket, func.count()).select_from(Issue), plain, today=scope.as_of)
                     .where(is_resolved(), Issue.resolved_on.is_not(None),
                            *in_range(Issue.resolved_on, scope.since, scope.until))
                     .group_by(*resolved_bucket))
    width = len(filed_bucket)
    filed = {tuple(int(v) for v in row[:width]): int(row[width]) for row in session.execute(filed_stmt)}
    resolved = {tuple(int(v) for v in row[:width]): int(row[width]) for row in session.execute(resolved_stmt)}
    # From the first to the last period with anything filed or resolved in the scope (both
    # series are already within it): a year or all time is not drawn as rows of empty months.
    seen = sorted(set(filed) | set(resolved))
    periods = []
    if seen:
        period, last = seen[0], seen[-1]
        while period <= last:
            periods.append({**_period_row(by, period), "filed": filed.get(period, 0),
                            "resolved": resolved.get(period, 0)})
            period = _next_period(by, period)
    return {
        "scope": scope.as_json(),
        "by": by,
        "filed": sum(filed.values()),
        "resolved": sum(resolved.values()),
        "periods": periods,
    }


# --- visits and 包联 coverage (DESIGN §12, issue 22) --------------------------------------------

VISIT_DIMENSIONS = ("liaison", "zone", "industry")
# The pack's headline cards show the first eight.
VISIT_FIGURES = ("assigned", "visited", "coverage_rate", "visits", "visits_per_enterprise", "problems",
                 "problems_per_visit", "lapsed", "unassigned", "interval_days")
VISIT_GROUP_FIELDS = ("key", "label", "assigned", "visited", "coverage_rate", "visits", "visits_per_enterprise",
                      "problems", "problems_per_visit", "lapsed")
LAPSED_FIELDS = ("enterprise", "liaison", "zone", "industry", "last_visited_on", "days_since_visit")


def _per(numerator: int, denominator: int) -> float | None:
    """A mean per unit, to two places (visits per enterprise, problems per visit)."""
    return round(numerator / denominator, 2) if denominator else None


def visits_report(session: Session, scope: Scope, *, by: str = "liaison", interval: int = 30) -> dict[str, Any]:
    """Coverage of the enterprises assigned a liaison (包联): how many were visited in the scope,
    how often, how many problems the visits found, and which have gone more than `interval` days
    without a visit as of the scope's as-of date (never visited first, then longest first).

    Figures count the enterprises that have a liaison now and their visits in the scope (by
    visited_on); problems are the issues linked to those visits (issue.visit_id). The lapsed
    list looks at every visit up to the as-of date, whatever the scope."""
    from qiye_service.models import Visit

    if by not in VISIT_DIMENSIONS:
        raise InvalidValue("error.bad_choice", field="--by", value=by, valid=", ".join(VISIT_DIMENSIONS))
    in_scope = [Visit.visited_on <= scope.as_of, *in_range(Visit.visited_on, scope.since, scope.until)]
    visits = (select(Visit.enterprise_id, func.count(Visit.id).label("visits")).where(*in_scope)
              .group_by(Visit.enterprise_id).subquery("scoped_visits"))
    problems = (select(Visit.enterprise_id, func.count(Issue.id).label("problems"))
                .join(Issue, Issue.visit_id == Visit.id).where(*in_scope)
                .group_by(Visit.enterprise_id).subquery("found_problems"))
    last = (select(Visit.enterprise_id, func.max(Visit.visited_on).label("last_on"))
            .where(Visit.visited_on <= scope.as_of).group_by(Visit.enterprise_id).subquery("last_visits"))
    cutoff = scope.as_of - timedelta(days=interval)
    lapsed = or_(last.c.last_on.is_(None), last.c.last_on < cutoff)
    group = getattr(Enterprise, by)
    assigned = Enterprise.liaison.is_not(None)  # type: ignore[union-attr]
    stmt = (select(group.label("key"), func.count(Enterprise.id).label("assigned"),
                   count_if(visits.c.visits > 0).label("visited"),
                   func.coalesce(func.sum(visits.c.visits), 0).label("visits"),
                   func.coalesce(func.sum(problems.c.problems), 0).label("problems"),
                   count_if(lapsed).label("lapsed"))
            .select_from(Enterprise)
            .outerjoin(visits, visits.c.enterprise_id == Enterprise.id)
            .outerjoin(problems, problems.c.enterprise_id == Enterprise.id)
            .outerjoin(last, last.c.enterprise_id == Enterprise.id)
            .where(assigned).group_by(group))
    groups = [_coverage_row(row._mapping["key"], dict(row._mapping)) for row in session.execute(stmt)]
    groups.sort(key=lambda row: (row["key"] is None, -(row["coverage_rate"] or 0.0), str(row["key"] or "")))
    totals = _coverage_row(None, {name: sum(row[name] for row in groups)
                                  for name in ("assigned", "visited", "visits", "problems", "lapsed")})
    unassigned = session.execute(select(func.count(Enterprise.id)).where(Enterprise.liaison.is_(None))).scalar_one()  # type: ignore[union-attr]
    listed = (select(Enterprise.name, Enterprise.liaison, Enterprise.zone, Enterprise.industry, last.c.last_on)
              .outerjoin(last, last.c.enterprise_id == Enterprise.id).where(assigned, lapsed)
              .order_by(case((last.c.last_on.is_(None), 0), else_=1), last.c.last_on, Enterprise.name))
    lapsed_rows = [{"enterprise": name, "liaison": liaison, "zone": zone, "industry": industry,
                    "last_visited_on": _as_date(last_on),
                    "days_since_visit": (scope.as_of - _as_date(last_on)).days if last_on is not None else None}
                   for name, liaison, zone, industry, last_on in session.execute(listed)]
    figures = {name: totals[name] for name in VISIT_GROUP_FIELDS if name not in ("key", "label")}
    return {"scope": scope.as_json(), "by": by, **figures, "unassigned": int(unassigned), "interval_days": interval,
            "groups": groups, "lapsed_enterprises": lapsed_rows}


def _as_date(value: Any) -> Any:
    """A MAX(date) as a date (SQLite hands back its text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _coverage_row(key: Any, row: dict[str, Any]) -> dict[str, Any]:
    assigned, visited, visits, problems = (int(row[name]) for name in ("assigned", "visited", "visits", "problems"))
    return {"key": key, "assigned": assigned, "visited": visited, "coverage_rate": ratio(visited, assigned),
            "visits": visits, "visits_per_enterprise": _per(visits, assigned), "problems": problems,
            "problems_per_visit": _per(problems, visits), "lapsed": int(row["lapsed"])}
# --- scorecard (考核排名, DESIGN §11, issue 20) ----------------------------------------------------

SCORECARD_DIMENSIONS = ("department", "owner")
# The figures of the composite score: each a rate, and whether a higher rate is better.
SCORE_PARTS = (("response", "response_rate", True), ("return", "return_rate", False),
               ("extension", "extension_rate", False), ("on_time", "on_time_rate", True),
               ("redo", "redo_rate", False), ("solved", "solved_rate", True),
               ("satisfied", "satisfaction_rate", True))
# Default weights (`scorecard.weight.<part>`), adding up to 100.
DEFAULT_WEIGHTS = {"response": 15.0, "return": 10.0, "extension": 10.0, "on_time": 25.0, "redo": 10.0,
                   "solved": 15.0, "satisfied": 15.0}
SCORECARD_FIELDS = ("rank", "key", "label", "score", "dispatched", "acknowledged_in_time", "response_rate",
                    "returned", "return_rate", "led", "extended", "extension_rate", "resolved",
                    "resolved_with_deadline", "resolved_on_time", "on_time_rate", "closed_out", "redone",
                    "redo_rate", "solved_answers", "solved", "partly_solved", "solved_rate", "reached",
                    "satisfied", "satisfaction_rate")
SCORECARD_COUNTS = ("dispatched", "acknowledged_in_time", "returned", "led", "extended", "resolved",
                    "resolved_with_deadline", "resolved_on_time", "closed_out", "redone", "solved_answers",
                    "solved", "partly_solved", "reached", "satisfied")
SCORECARD_TOTAL_FIELDS = ("score", *(name for name in SCORECARD_FIELDS
                                     if name not in ("rank", "key", "label", "score")))


def _scorecard_issue_columns() -> list[Any]:
    """Per group, the issue figures of the scorecard: over the issues the group leads (the lead
    department, or the owner), reported in the scope. The numerators and denominators the
    README's scorecard table names, one SUM each."""
    resolved = is_resolved()
    deadline = supervision.deadline_expression()
    with_deadline = and_(resolved, deadline.is_not(None), Issue.resolved_on.is_not(None))
    reached = Issue.callback_result.is_not(None)  # a callback that reached the company has a verdict
    answered = and_(reached, Issue.callback_solved.is_not(None))
    return [
        func.count().label("led"),
        count_if(Issue.extension_count > 0).label("extended"),
        count_if(resolved).label("resolved"),
        count_if(with_deadline).label("resolved_with_deadline"),
        count_if(and_(with_deadline, Issue.resolved_on <= deadline)).label("resolved_on_time"),
        count_if(or_(resolved, Issue.reopen_count > 0)).label("closed_out"),
        count_if(Issue.reopen_count > 0).label("redone"),
        count_if(answered).label("solved_answers"),
        count_if(and_(answered, Issue.callback_solved == CallbackSolved.solved.value)).label("solved"),
        count_if(and_(answered, Issue.callback_solved == CallbackSolved.partly.value)).label("partly_solved"),
        count_if(reached).label("reached"),
        count_if(Issue.callback_result.in_(supervision.SATISFIED_RESULTS)).label("satisfied"),
    ]


def _department_dispatches(session: Session, flt: ResolvedFilter, scope: Scope) -> dict[str, dict[str, int]]:
    """Per department, its dispatches (派单) of the scope's issues, as lead (主办) or co-handler
    (协办), and how many it acknowledged in time and returned (退单).

    A dispatch is one department's part in one issue from the day it was dispatched: the
    dispatch rows of one (issue, department, part, dispatch time), which a second return after
    an upheld one splits in two. An issue whose lead has no dispatch row (imported, or filed
    before the cycle) is its lead's dispatch, acknowledged as the issue says.
    """
    from sqlalchemy import exists, literal, union_all

    scoped_ids = _scoped(select(Issue.id), flt, scope)
    row_in_time = and_(Dispatch.acknowledged_at.is_not(None), Dispatch.acknowledge_by.is_not(None),
                       func.date(Dispatch.acknowledged_at) <= Dispatch.acknowledge_by)
    rows = (select(Dispatch.department_id.label("department_id"),
                   func.max(case((row_in_time, 1), else_=0)).label("ok"),
                   func.max(case((Dispatch.returned_at.is_not(None), 1), else_=0)).label("returned"))
            .where(Dispatch.issue_id.in_(scoped_ids))
            .group_by(Dispatch.issue_id, Dispatch.department_id, Dispatch.role, Dispatch.dispatched_at))
    lead_row = exists().where(Dispatch.issue_id == Issue.id, Dispatch.role == DispatchRole.lead.value,
                              Dispatch.active.is_(True), Dispatch.department_id == Issue.department_id)
    leads = (_scoped(select(Issue.department_id.label("department_id"),
                            case((supervision.response_ok_expression(), 1), else_=0).label("ok"),
                            literal(0).label("returned")).select_from(Issue), flt, scope)
             .where(Issue.department_id.is_not(None), Issue.dispatched_at.is_not(None), ~lead_row))
    units = union_all(rows, leads).subquery()
    stmt = (select(Department.name, func.count(), func.coalesce(func.sum(units.c.ok), 0),
                   func.coalesce(func.sum(units.c.returned), 0))
            .select_from(units).join(Department, Department.id == units.c.department_id).group_by(Department.name))
    return {name: {"dispatched": int(n), "acknowledged_in_time": int(ok), "returned": int(back)}
            for name, n, ok, back in session.execute(stmt)}


def _score(figures: dict[str, Any], weights: dict[str, float]) -> float | None:
    """The composite score, 0-100: the weighted mean of the rates that have a denominator, each
    turned so that higher is better (1 − rate for returns, extensions and redos)."""
    total = weight_sum = 0.0
    for part, field, higher_better in SCORE_PARTS:
        value, weight = figures[field], weights.get(part, 0.0)
        if value is None or weight <= 0:
            continue
        total += weight * (value if higher_better else 1 - value)
        weight_sum += weight
    return round(100 * total / weight_sum, 1) if weight_sum else None


def _scorecard_row(key: Any, counts: dict[str, Any], weights: dict[str, float]) -> dict[str, Any]:
    c = {name: int(counts.get(name) or 0) for name in SCORECARD_COUNTS}
    solved_rate = (None if not c["solved_answers"]
                   else round((c["solved"] + c["partly_solved"] / 2) / c["solved_answers"], 4))
    row: dict[str, Any] = {
        "rank": None, "key": key, **c,
        "response_rate": ratio(c["acknowledged_in_time"], c["dispatched"]),
        "return_rate": ratio(c["returned"], c["dispatched"]),
        "extension_rate": ratio(c["extended"], c["led"]),
        "on_time_rate": ratio(c["resolved_on_time"], c["resolved_with_deadline"]),
        "redo_rate": ratio(c["redone"], c["closed_out"]),
        "solved_rate": solved_rate,
        "satisfaction_rate": ratio(c["satisfied"], c["reached"]),
    }
    row["score"] = _score(row, weights)
    return {name: row[name] for name in SCORECARD_FIELDS if name != "label"}


def rank_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Best score first. Equal scores share a rank (1, 2, 2, 4), listed by name; a group with
    no score (nothing to rate) has no rank and comes last, by name."""
    ordered = sorted(rows, key=lambda row: (row["score"] is None, -(row["score"] or 0), str(row["key"])))
    for position, row in enumerate(ordered):
        if row["score"] is None:
            row["rank"] = None
        elif position and ordered[position - 1]["score"] == row["score"]:
            row["rank"] = ordered[position - 1]["rank"]
        else:
            row["rank"] = position + 1
    return ordered


def scorecard_report(session: Session, flt: ResolvedFilter, scope: Scope, *, by: str = "department",
                     weights: dict[str, float] | None = None) -> dict[str, Any]:
    """The scorecard (考核排名, DESIGN §11): per department (or owner), over the issues reported
    in the scope, the cycle's figures, their rates and the composite score, ranked.

    By department the dispatch figures (dispatched, acknowledged in time, returned) count
    every dispatch a department received, as lead or co-handler (services.cycle's rows), and
    the issue figures the issues it leads now; by owner both count the owner's issues (an
    issue's dispatch, acknowledgement and returns are the owner's). Issues with no department
    (no owner) belong to no group. Two GROUP BY queries; Python only divides and ranks.
    """
    if by not in SCORECARD_DIMENSIONS:
        raise InvalidValue("error.bad_choice", field="--by", value=by, valid=", ".join(SCORECARD_DIMENSIONS))
    weights = {**DEFAULT_WEIGHTS, **(weights or {})}
    dim = dimension(by)
    columns = _scorecard_issue_columns()
    if by == "owner":
        dispatched = Issue.dispatched_at.is_not(None)
        columns += [count_if(dispatched).label("dispatched"),
                    count_if(supervision.response_ok_expression()).label("acknowledged_in_time"),
                    count_if(and_(dispatched, Issue.return_count > 0)).label("returned")]
    stmt = _scoped(dim.join(select(*dim.columns, *columns).select_from(Issue)), flt, scope)
    stmt = stmt.where(dim.columns[0].is_not(None)).group_by(*dim.columns)
    counts: dict[Any, dict[str, Any]] = {row[0]: dict(row._mapping) for row in session.execute(stmt)}
    if by == "department":
        for name, figures in _department_dispatches(session, flt, scope).items():
            counts.setdefault(name, {}).update(figures)
    groups = rank_rows([_scorecard_row(key, raw, weights) for key, raw in counts.items()])
    totals = _scorecard_row(None, {name: sum(int(raw.get(name) or 0) for raw in counts.values())
                                   for name in SCORECARD_COUNTS}, weights)
    return {
        "scope": scope.as_json(),
        "by": by,
        "weights": {part: weights[part] for part, _, _ in SCORE_PARTS},
        **{name: totals[name] for name in SCORECARD_TOTAL_FIELDS},
        "groups": groups,
    }
