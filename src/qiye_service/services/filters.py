"""The issue filters of DESIGN §3, shared by `issue list`, `export` and the reports.

IssueFilter holds what the user typed; `resolve_filter` checks names against the database
and `apply_filter` turns the result into WHERE clauses on a select over Issue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from qiye_service.models import Department, Enterprise, Issue, IssueTag, Kind, Priority, Status, Tag
from qiye_service.services import lookups

if TYPE_CHECKING:
    from qiye_service.services.supervision import Thresholds
    from qiye_service.workdays import WorkingCalendar

OPEN_STATUSES = (Status.open.value, Status.in_progress.value, Status.deferred.value)


@dataclass
class IssueFilter:
    """Filters as typed; None or empty means no constraint."""

    statuses: list[str] = field(default_factory=list)  # empty: the command's default; ["all"]: any
    categories: list[str] = field(default_factory=list)
    enterprises: list[str] = field(default_factory=list)
    zones: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    overdue: bool = False
    since: date | None = None
    until: date | None = None
    resolved_since: date | None = None
    resolved_until: date | None = None
    search: str | None = None
    levels: list[str] = field(default_factory=list)
    # What `levels` are measured with (config thresholds, a calendar that warns); the
    # defaults when None.
    thresholds: Thresholds | None = None
    calendar: WorkingCalendar | None = None


@dataclass
class ResolvedFilter:
    """Filters checked against the database: ids and codes, ready for SQL."""

    statuses: list[str] | None
    category_ids: list[int]
    enterprise_ids: list[int]
    zones: list[str]
    industries: list[str]
    department_ids: list[int]
    owners: list[str]
    tags: list[str]
    kinds: list[str]
    priorities: list[str]
    overdue: bool
    since: date | None
    until: date | None
    resolved_since: date | None
    resolved_until: date | None
    search: str | None
    levels: list[str]  # escalation level codes (services.supervision.LEVELS)
    thresholds: Thresholds | None = None
    calendar: WorkingCalendar | None = None


def resolve_filter(session: Session, raw: IssueFilter, *, default_statuses: list[str] | None) -> ResolvedFilter:
    """Check every name; unknown enterprises, categories, departments are errors."""
    if not raw.statuses:
        statuses = default_statuses
    elif any(s.strip().lower() == "all" for s in raw.statuses):
        statuses = None
    else:
        statuses = lookups.choices(Status, raw.statuses, "status", lookups.STATUS_ALIASES)
    from qiye_service.services.issues import clean_text
    from qiye_service.services.supervision import parse_levels

    return ResolvedFilter(
        statuses=statuses,
        category_ids=[lookups.find_category(session, c).id for c in raw.categories],  # type: ignore[misc]
        enterprise_ids=[lookups.find_enterprise(session, e).id for e in raw.enterprises],  # type: ignore[misc]
        zones=[z.strip() for z in raw.zones],
        industries=[i.strip() for i in raw.industries],
        department_ids=[lookups.find_department(session, d).id for d in raw.departments],  # type: ignore[misc]
        owners=[o.strip() for o in raw.owners],
        tags=[t.strip() for t in raw.tags],
        kinds=lookups.choices(Kind, raw.kinds, "kind", lookups.KIND_ALIASES),
        priorities=lookups.choices(Priority, raw.priorities, "priority", lookups.PRIORITY_ALIASES),
        overdue=raw.overdue,
        since=raw.since,
        until=raw.until,
        resolved_since=raw.resolved_since,
        resolved_until=raw.resolved_until,
        search=clean_text(raw.search, "search", limit=200),
        levels=parse_levels(raw.levels),
        thresholds=raw.thresholds,
        calendar=raw.calendar,
    )


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_clause(text: str) -> Any:
    """Substring match over title, description, resolution and the enterprise's name.

    Case-insensitive on both backends (SQLite's LIKE is, PostgreSQL's is not).
    """
    pattern = like_pattern(text)
    # An alias, so the subquery never correlates away when the outer select joins Enterprise.
    named = aliased(Enterprise)
    enterprise_match = select(named.id).where(
        named.id == Issue.enterprise_id, named.name.ilike(pattern, escape="\\")
    )
    return or_(
        Issue.title.ilike(pattern, escape="\\"),
        Issue.description.ilike(pattern, escape="\\"),
        Issue.resolution.ilike(pattern, escape="\\"),
        exists(enterprise_match),
    )


def apply_filter(stmt: Any, flt: ResolvedFilter, *, today: date) -> Any:
    """Add the filter's WHERE clauses to a select that includes Issue."""
    clauses: list[Any] = []
    if flt.statuses is not None:
        clauses.append(Issue.status.in_(flt.statuses))
    if flt.category_ids:
        clauses.append(Issue.category_id.in_(flt.category_ids))
    if flt.enterprise_ids:
        clauses.append(Issue.enterprise_id.in_(flt.enterprise_ids))
    if flt.zones or flt.industries:
        located = aliased(Enterprise)
        conditions = [located.id == Issue.enterprise_id]
        if flt.zones:
            conditions.append(located.zone.in_(flt.zones))
        if flt.industries:
            conditions.append(located.industry.in_(flt.industries))
        clauses.append(exists(select(located.id).where(and_(*conditions))))
    if flt.department_ids:
        clauses.append(Issue.department_id.in_(flt.department_ids))
    if flt.owners:
        clauses.append(Issue.owner.in_(flt.owners))
    for tag in flt.tags:
        clauses.append(exists(
            select(IssueTag.issue_id).join(Tag, Tag.id == IssueTag.tag_id)
            .where(IssueTag.issue_id == Issue.id, Tag.name == tag)
        ))
    if flt.kinds:
        clauses.append(Issue.kind.in_(flt.kinds))
    if flt.priorities:
        clauses.append(Issue.priority.in_(flt.priorities))
    if flt.overdue:
        clauses.append(overdue_clause(today))
    if flt.since is not None:
        clauses.append(Issue.reported_on >= flt.since)
    if flt.until is not None:
        clauses.append(Issue.reported_on <= flt.until)
    if flt.resolved_since is not None:
        clauses.append(Issue.resolved_on >= flt.resolved_since)
    if flt.resolved_until is not None:
        clauses.append(Issue.resolved_on <= flt.resolved_until)
    if flt.search:
        clauses.append(search_clause(flt.search))
    if flt.levels:
        clauses.append(level_filter_clause(flt, today))
    return stmt.where(*clauses) if clauses else stmt


def level_filter_clause(flt: ResolvedFilter, as_of: date) -> Any:
    """`--level`: issues at any of the levels on the as-of date (DESIGN §8)."""
    from qiye_service.services.supervision import Thresholds, level_clause, level_cutoffs
    from qiye_service.workdays import WorkingCalendar

    cutoffs = level_cutoffs(as_of, flt.calendar or WorkingCalendar(), flt.thresholds or Thresholds())
    return level_clause(flt.levels, cutoffs)


def overdue_clause(as_of: date) -> Any:
    """Not resolved and due before the as-of date (DESIGN §4)."""
    return and_(Issue.status != Status.resolved.value, Issue.due_on.is_not(None), Issue.due_on < as_of)


def department_name_column() -> Any:
    return select(Department.name).where(Department.id == Issue.department_id).scalar_subquery()


def count_matching(session: Session, flt: ResolvedFilter, *, today: date) -> int:
    stmt = apply_filter(select(func.count()).select_from(Issue), flt, today=today)
    return int(session.execute(stmt).scalar_one())
