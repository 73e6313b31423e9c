"""Reading issues as plain rows: the issue row of DESIGN §4, lists, and one issue with its history."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlmodel import Session

from qiye_service.errors import InvalidValue
from qiye_service.models import ISSUE_FIELDS, Category, Department, Enterprise, Event, Issue, IssueTag, Tag
from qiye_service.services import lookups
from qiye_service.services.filters import ResolvedFilter, apply_filter

PRIORITY_RANK = case(
    {"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=Issue.priority, else_=4
)
SORT_COLUMNS: dict[str, Any] = {
    "id": Issue.id,
    "title": Issue.title,
    "reported_on": Issue.reported_on,
    "due_on": Issue.due_on,
    "resolved_on": Issue.resolved_on,
    "priority": PRIORITY_RANK,
    "status": Issue.status,
    "kind": Issue.kind,
    "owner": Issue.owner,
    "enterprise": Enterprise.name,
    "category": Category.code,
    "department": Department.name,
    "created_at": Issue.created_at,
    "updated_at": Issue.updated_at,
}
DEFAULT_SORT = "reported_on"


def issue_select() -> Any:
    """Issue columns with the names of what they reference, in the order of ISSUE_FIELDS."""
    return (
        select(
            Issue.id, Issue.title, Issue.description, Enterprise.name.label("enterprise"), Issue.project,
            Category.code.label("category"), Issue.kind, Issue.source, Issue.priority, Issue.status,
            Department.name.label("department"), Issue.owner, Issue.reported_on, Issue.due_on,
            Issue.resolved_on, Issue.resolution, Issue.created_by, Issue.created_at, Issue.updated_at,
        )
        .join(Enterprise, Enterprise.id == Issue.enterprise_id)
        .join(Category, Category.id == Issue.category_id)
        .outerjoin(Department, Department.id == Issue.department_id)
    )


def order_clauses(sort: str | None) -> list[Any]:
    """`reported_on`, `-due_on`, or a comma list of them; id breaks ties."""
    clauses: list[Any] = []
    for part in (sort or DEFAULT_SORT).split(","):
        name = part.strip()
        descending = name.startswith("-")
        name = name.lstrip("-+")
        column = SORT_COLUMNS.get(name)
        if column is None:
            raise InvalidValue("error.bad_sort", value=part.strip(), valid=", ".join(SORT_COLUMNS))
        if name in ("due_on", "resolved_on", "owner", "department"):
            # Empty values last whichever the direction.
            clauses.append(column.is_(None))
        clauses.append(column.desc() if descending else column.asc())
    clauses.append(Issue.id.desc() if (sort or "").startswith("-") else Issue.id.asc())
    return clauses


def tags_by_issue(session: Session, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for issue_id, name in session.execute(
            select(IssueTag.issue_id, Tag.name).join(Tag, Tag.id == IssueTag.tag_id)
            .where(IssueTag.issue_id.in_(chunk)).order_by(IssueTag.issue_id, Tag.name)
        ):
            found[issue_id].append(name)
    return found


def rows_with_tags(session: Session, result: Any) -> list[dict[str, Any]]:
    rows = [dict(row._mapping) for row in result]
    tags = tags_by_issue(session, [row["id"] for row in rows])
    for row in rows:
        # Sorted here, not by the database's collation, so machine output is the same on every backend.
        row["tags"] = sorted(tags.get(row["id"], []))
    return [{name: row[name] for name in ISSUE_FIELDS} for row in rows]


def list_issues(session: Session, flt: ResolvedFilter, *, today: date, sort: str | None = None,
                limit: int | None = None) -> list[dict[str, Any]]:
    if limit is not None and limit < 1:
        raise InvalidValue("error.bad_limit", value=limit)
    stmt = apply_filter(issue_select(), flt, today=today).order_by(*order_clauses(sort))
    if limit is not None:
        stmt = stmt.limit(limit)
    return rows_with_tags(session, session.execute(stmt))


def count_issues(session: Session, flt: ResolvedFilter, *, today: date) -> int:
    """How many issues match the filter: one SQL COUNT, for the footer of a list a --limit cut."""
    stmt = apply_filter(select(func.count()).select_from(Issue), flt, today=today)
    return int(session.execute(stmt).scalar_one())


def issue_row(session: Session, issue_id: int) -> dict[str, Any]:
    lookups.get_issue(session, issue_id)
    return rows_with_tags(session, session.execute(issue_select().where(Issue.id == issue_id)))[0]


def issue_events(session: Session, issue_id: int) -> list[dict[str, Any]]:
    result = session.execute(
        select(Event.at, Event.actor, Event.action, Event.field, Event.old, Event.new, Event.note)
        .where(Event.issue_id == issue_id).order_by(Event.id)
    )
    return [dict(row._mapping) for row in result]


def issue_view(session: Session, issue_id: int, *, cutoffs: Any, timezone: str) -> dict[str, Any]:
    """What `issue show` prints: the issue row, its supervision state (supervision.STATE_FIELDS),
    `previous_resolution` and `events`, its history oldest first with codes and names.

    An issue being redone (reopened, or sent back by an unsatisfied callback) shows its last
    close-out as `previous_resolution` ({resolved_on, resolution, reopened_on}), and its current
    resolved_on and resolution empty; otherwise `previous_resolution` is None.
    """
    from qiye_service.services import cycle, history, supervision

    row = issue_row(session, issue_id)
    issue = lookups.get_issue(session, issue_id)
    events = issue_events(session, issue_id)
    previous = history.previous_close_out(events, status=row["status"], timezone=timezone)
    if previous is not None:
        row["resolved_on"] = row["resolution"] = None
    callbacks = [e["note"] for e in events if e["action"] == "callback"]
    row.update(supervision.issue_state(session, issue, cutoffs, timezone=timezone,
                                       callback_note=callbacks[-1] if callbacks else None))
    row["previous_resolution"] = previous
    from qiye_service.services import extensions

    row["deadline"] = extensions.issue_state(issue)
    row["cycle"] = cycle.issue_cycle(session, issue, timezone=timezone)
    row["visit_id"] = issue.visit_id
    row["visit"] = _visit_summary(session, issue.visit_id)
    row["events"] = history.readable_events(events, reference_names(session, history.snapshot_references(events)))
    return row


def _visit_summary(session: Session, visit_id: int | None) -> dict[str, Any] | None:
    """The visit (走访) that found the issue (`issue add --visit`): its id, day, cadre and kind."""
    if visit_id is None:
        return None
    from qiye_service.models import Visit

    visit = session.get_one(Visit, visit_id)
    return {"id": visit.id, "visited_on": visit.visited_on, "visited_by": visit.visited_by, "kind": visit.kind}


def reference_names(session: Session, wanted: dict[str, set[int]] | None = None) -> dict[str, dict[int, str]]:
    """What the row ids of creation snapshots show as (history.readable_snapshot): enterprise
    and department names, category codes; the rows `wanted`, or all of them."""
    columns = {"enterprise": (Enterprise.id, Enterprise.name), "category": (Category.id, Category.code),
               "department": (Department.id, Department.name)}
    names: dict[str, dict[int, str]] = {}
    for kind, (key, shown) in columns.items():
        if wanted is None:
            names[kind] = {int(k): v for k, v in session.execute(select(key, shown))}
        elif wanted.get(kind):
            names[kind] = {int(k): v for k, v in session.execute(select(key, shown).where(key.in_(sorted(wanted[kind]))))}
        else:
            names[kind] = {}
    return names
