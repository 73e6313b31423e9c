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

from qiye_service.models import Enterprise, Issue, IssueTag, Kind, Priority, Status, Tag
from qiye_service.services import lookups

if TYPE_CHECKING:
    from qiye_service.services.supervision import Thresholds
    from qiye_service.workdays import WorkingCalendar


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
    search_plan: SearchPlan | None = None  # how the search index narrows `search` (plan_search)


def resolve_filter(session: Session, raw: IssueFilter, *, default_statuses: list[str] | None) -> ResolvedFilter:
    """Check every name; unknown enterprises, categories, departments are errors."""
    if not raw.statuses:
        statuses = default_statuses
    elif any(s.strip().lower() == "all" for s in raw.statuses):
        statuses = None
    else:
        statuses = lookups.choices(Status, raw.statuses, "--status", lookups.STATUS_ALIASES, also=("all",))
    from qiye_service.services.issues import clean_text
    from qiye_service.services.supervision import parse_levels

    search = clean_text(raw.search, "search", limit=200)
    return ResolvedFilter(
        statuses=statuses,
        category_ids=[lookups.find_category(session, c).id for c in raw.categories],  # type: ignore[misc]
        enterprise_ids=[lookups.find_enterprise(session, e).id for e in raw.enterprises],  # type: ignore[misc]
        zones=[z.strip() for z in raw.zones],
        industries=[i.strip() for i in raw.industries],
        department_ids=[lookups.find_department(session, d).id for d in raw.departments],  # type: ignore[misc]
        owners=[lookups.find_owner(session, o) for o in raw.owners],
        tags=[t.strip() for t in raw.tags],
        kinds=lookups.choices(Kind, raw.kinds, "--kind", lookups.KIND_ALIASES),
        priorities=lookups.choices(Priority, raw.priorities, "--priority", lookups.PRIORITY_ALIASES),
        overdue=raw.overdue,
        since=raw.since,
        until=raw.until,
        resolved_since=raw.resolved_since,
        resolved_until=raw.resolved_until,
        search=search,
        search_plan=plan_search(session, search) if search else None,
        levels=parse_levels(raw.levels),
        thresholds=raw.thresholds,
        calendar=raw.calendar,
    )


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --- The search index (benchmarks, issue 7) -------------------------------------------------
# On SQLite, `issue_search` (migration 0002) is a contentless FTS5 trigram index over title,
# description, resolution and the enterprise's name. It only names candidate rows: every
# candidate is still checked with the same ILIKE that runs without the index, so results are
# the same with or without it. Issues changed since the index was last brought up to date
# (db.sync_search_index) are candidates too. A string of 3+ characters is the AND of its trigrams. A 1- or
# 2-character string (消防 is two characters; FTS5's trigram MATCH returns nothing for it) is
# the prefix of indexed trigrams, which the fts5vocab table `issue_search_terms` lists in a
# range scan: the candidates are the rows holding any of them. Only a string whose trigrams
# are too many to OR (a common single character), or that has non-ASCII cased letters the index
# folds differently from Python, or a NUL, falls back to the ILIKE alone, a scan of the table.
# On PostgreSQL the GIN trigram indexes serve the ILIKE itself (pg_trgm cannot use them for
# strings under 3 characters, so `--search 消防` scans there), once the enterprise-name arm is
# `enterprise_id = ANY(ARRAY(…))`: as an EXISTS or IN it turns the whole OR into a filter, and
# the planner walks the sort index through every issue for a rare name.
SEARCH_TERMS_LIMIT = 400
SELECTIVE_CANDIDATES = 20_000


@dataclass(frozen=True)
class SearchPlan:
    """The index's answer to a search: a MATCH expression (None: nothing can match)."""

    match: str | None
    # Few candidates: look them up by id. Many: keep the query's own access path (the sort
    # index of `issue list`) and test membership, so a LIMIT stops early.
    selective: bool
    postgresql: bool = False  # no candidates: the ILIKE in the shape the GIN indexes serve


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _prefix_bound(prefix: str) -> str | None:
    """The smallest string above every string that starts with `prefix` (UTF-8 order = code points)."""
    last = ord(prefix[-1]) + 1
    if last == 0xD800:
        last = 0xE000
    if last > 0x10FFFF:
        return None
    return prefix[:-1] + chr(last)


def plan_search(session: Session, text: str) -> SearchPlan | None:
    """Ask the SQLite search index for candidates; None means the ILIKE alone (a scan)."""
    from sqlalchemy import text as sql
    from sqlalchemy.exc import OperationalError

    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return SearchPlan(None, True, postgresql=True)
    if dialect != "sqlite" or "\x00" in text:
        return None
    try:
        if len(text) >= 3:
            # The tokenizer folds each quoted trigram as it folded the indexed text.
            trigrams = dict.fromkeys(text[i:i + 3] for i in range(len(text) - 2))
            match = " AND ".join(_fts_string(t) for t in trigrams)
            found = session.execute(sql(
                "SELECT count(*) FROM (SELECT 1 FROM issue_search WHERE issue_search MATCH :match LIMIT :limit)"
            ), {"match": match, "limit": SELECTIVE_CANDIDATES + 1}).scalar_one()
            return SearchPlan(match if found else None, found <= SELECTIVE_CANDIDATES)
        # Here the range bounds are compared with stored (folded) terms as they are: fold
        # ASCII as the index does, and leave other cased letters to the ILIKE alone.
        if any(not ch.isascii() and ch.lower() != ch.upper() for ch in text):
            return None
        folded = text.lower()
        upper = _prefix_bound(folded)
        if upper is None:
            return None
        terms = session.execute(sql(
            "SELECT term, doc FROM issue_search_terms WHERE term >= :low AND term < :high LIMIT :limit"
        ), {"low": folded, "high": upper, "limit": SEARCH_TERMS_LIMIT + 1}).all()
    except OperationalError:  # an index-less database (before migration 0002)
        return None
    if len(terms) > SEARCH_TERMS_LIMIT:
        return None
    if not terms:
        return SearchPlan(None, True)
    match = " OR ".join(_fts_string(term) for term, _docs in terms)
    return SearchPlan(match, sum(docs for _term, docs in terms) <= SELECTIVE_CANDIDATES)


def search_candidates(plan: SearchPlan) -> Any:
    """`issue.id IN (the index's candidates)`, in the form that lets SQLite pick the better plan."""
    from sqlalchemy import Integer, column
    from sqlalchemy import text as sql

    pending = "SELECT id FROM issue_search_pending"
    if plan.match is None:
        candidates = sql(pending).columns(column("id", Integer))
    else:
        candidates = sql(f"SELECT rowid FROM issue_search WHERE issue_search MATCH :search_match UNION ALL {pending}"
                         ).bindparams(search_match=plan.match).columns(column("rowid", Integer))
    # `+ 0` hides issue.id from the planner, so it keeps the sort index and probes the list.
    ids = Issue.id if plan.selective else Issue.id + 0
    return ids.in_(candidates)


def search_clause(text: str, plan: SearchPlan | None = None) -> Any:
    """Substring match over title, description, resolution and the enterprise's name.

    Case-insensitive on both backends (SQLite's LIKE is, PostgreSQL's is not). With a plan
    from `plan_search`, only the index's candidates are tested.
    """
    if plan is not None and plan.postgresql:
        return _indexed_search(text)
    if plan is not None:
        return and_(search_candidates(plan), search_clause(text))
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


def _indexed_search(text: str) -> Any:
    """search_clause's match for PostgreSQL: each arm a GIN or b-tree index can answer alone."""
    from sqlalchemy import any_

    pattern = like_pattern(text)
    named = aliased(Enterprise)
    names = select(named.id).where(named.name.ilike(pattern, escape="\\")).scalar_subquery()
    return or_(
        Issue.title.ilike(pattern, escape="\\"),
        Issue.description.ilike(pattern, escape="\\"),
        Issue.resolution.ilike(pattern, escape="\\"),
        Issue.enterprise_id == any_(func.ARRAY(names)),
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
        clauses.append(search_clause(flt.search, flt.search_plan))
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
    """Not resolved and due before the as-of date (DESIGN §4): the deadline in force (an
    approved extension, suspended days added), the clock running (issue 20)."""
    from qiye_service.services.supervision import deadline_compare, unresolved_now

    return and_(unresolved_now(), Issue.suspended_on.is_(None), deadline_compare("<", as_of))
