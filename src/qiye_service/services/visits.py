"""Visits (走访) and 包联 assignments (DESIGN §12, issue 22): who looks after which enterprise since
when, and the visit log the campaign's coverage is counted from.

Every change of an enterprise's liaison, by `enterprise assign`, `enterprise add|edit --liaison`
or an import, goes through `set_liaison`, which keeps the history row beside the current value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from qiye_service.errors import InvalidValue, NotFound
from qiye_service.models import VISIT_FIELDS, Enterprise, Issue, LiaisonAssignment, User, Visit, VisitKind
from qiye_service.services import lookups
from qiye_service.services.issues import NAME_LIMIT, Actor, clean_text

NOTE_LIMIT = 20000
VISIT_KINDS = tuple(kind.value for kind in VisitKind)
# The words a campaign's visit log uses for how a visit was made.
VISIT_KIND_ALIASES = {"走访": "visit", "实地走访": "visit", "上门": "visit", "实地": "visit", "座谈": "meeting",
                      "座谈会": "meeting", "会议": "meeting", "电话": "phone", "电话联系": "phone", "线上": "online",
                      "网上": "online", "视频": "online"}
LIST_EXTRA_FIELDS = ("zone", "industry", "liaison", "issues")
ASSIGNMENT_FIELDS = ("enterprise", "liaison", "assigned_at", "assigned_by")


# --- 包联: who looks after an enterprise -------------------------------------------------------


def known_people(session: Session) -> list[str]:
    """Everyone the ledger knows as a cadre: registered users, liaisons, and who visited."""
    names: set[str] = set(session.execute(select(User.name)).scalars())
    names |= set(session.execute(select(Enterprise.liaison).where(Enterprise.liaison.is_not(None))  # type: ignore[union-attr]
                                 .distinct()).scalars())
    names |= set(session.execute(select(Visit.visited_by).distinct()).scalars())
    return sorted(names)


def cadre_to_store(session: Session, name: str | None, *, kind: str = "liaison") -> str | None:
    """A cadre being named (a liaison, a visitor): as `lookups.person_to_store` says, against
    everyone the ledger knows; a new name is a new person, kept as typed."""
    stored = lookups.person_to_store(name, lambda: known_people(session), kind=kind)
    return clean_text(stored, kind, limit=NAME_LIMIT)


def set_liaison(session: Session, enterprise: Enterprise, liaison: str | None, *, actor: Actor) -> bool:
    """Make `liaison` (already cleaned; None: nobody) the enterprise's current one, keeping the
    history. Returns whether it changed."""
    if liaison == enterprise.liaison and (liaison is None or _has_history(session, enterprise.id)):
        return False
    enterprise.liaison = liaison
    enterprise.updated_at = actor.now
    session.flush()
    session.add(LiaisonAssignment(enterprise_id=enterprise.id, liaison=liaison, assigned_at=actor.now,
                                  assigned_by=actor.name))
    session.flush()
    return True


def _has_history(session: Session, enterprise_id: int) -> bool:
    return session.execute(select(LiaisonAssignment.id).where(LiaisonAssignment.enterprise_id == enterprise_id)
                           .limit(1)).first() is not None


def assign_liaison(session: Session, name: str, *, actor: Actor, liaison: str) -> tuple[Enterprise, bool]:
    """`enterprise assign NAME --liaison CADRE`: the enterprise's 包联 cadre from now on."""
    enterprise = lookups.find_enterprise(session, name)
    cadre = cadre_to_store(session, liaison)
    if cadre is None:
        raise InvalidValue("error.empty", field="--liaison")
    return enterprise, set_liaison(session, enterprise, cadre, actor=actor)


def visit_figures(session: Session, enterprise_id: int) -> dict[str, Any]:
    """How often the enterprise was visited, and when last (enterprise show)."""
    count, last = session.execute(select(func.count(Visit.id), func.max(Visit.visited_on))
                                  .where(Visit.enterprise_id == enterprise_id)).one()
    return {"visits": int(count), "last_visited_on": last}


def assignment_history(session: Session, enterprise_id: int) -> list[dict[str, Any]]:
    """Who was assigned to the enterprise, oldest first."""
    stmt = (select(Enterprise.name, LiaisonAssignment.liaison, LiaisonAssignment.assigned_at,
                   LiaisonAssignment.assigned_by)
            .join(Enterprise, Enterprise.id == LiaisonAssignment.enterprise_id)
            .where(LiaisonAssignment.enterprise_id == enterprise_id).order_by(LiaisonAssignment.id))
    return [dict(zip(ASSIGNMENT_FIELDS, row, strict=True)) for row in session.execute(stmt)]


# --- visits ----------------------------------------------------------------------------------


def check_visit_day(day: date, today: date) -> date:
    """A visit already happened: never after today (DESIGN §3)."""
    if day > today:
        raise InvalidValue("error.visit_future", value=day.isoformat(), today=today.isoformat())
    return day


def visit_kind(value: str | None) -> str:
    return lookups.choice(VisitKind, value or VisitKind.visit.value, "--kind", VISIT_KIND_ALIASES)


def add_visit(session: Session, *, actor: Actor, enterprise: str, on: date, by: str | None = None,
              kind: str | None = None, note: str | None) -> Visit:
    """Log a visit of `enterprise` on `on` by cadre `by` (default: whoever records it)."""
    from qiye_service.services.permissions import principal_of

    found = lookups.find_enterprise(session, enterprise)
    clean_note = clean_text(note, "--note", limit=NOTE_LIMIT, required=True)
    chosen_kind = visit_kind(kind)
    check_visit_day(on, actor.today)
    visitor = cadre_to_store(session, by, kind="visitor") if by is not None else principal_of(actor.name)
    if visitor is None:
        raise InvalidValue("error.empty", field="--by")
    visit = Visit(enterprise_id=found.id, visited_on=on, visited_by=visitor, kind=chosen_kind,
                  note=clean_note, created_at=actor.now, created_by=actor.name)
    session.add(visit)
    session.flush()
    return visit


MAX_STORED_ID = lookups.MAX_STORED_ID


def get_visit(session: Session, visit_id: int) -> Visit:
    found = session.get(Visit, visit_id) if visit_id <= MAX_STORED_ID else None
    if found is None:
        raise NotFound("error.visit_not_found", id=visit_id)
    return found


def parse_visit_id(text: str | int) -> int:
    """`12` or `#12`, as issue ids are typed."""
    try:
        return lookups.parse_issue_id(text)
    except InvalidValue:
        raise InvalidValue("error.bad_visit_id", value=str(text)) from None


@dataclass
class VisitFilter:
    """What `visit list` and `export visits` keep: every field optional."""

    enterprises: list[str] | None = None
    liaisons: list[str] | None = None
    zones: list[str] | None = None
    industries: list[str] | None = None
    kinds: list[str] | None = None
    since: date | None = None
    until: date | None = None


def _issue_counts() -> Any:
    return (select(Issue.visit_id, func.count(Issue.id).label("issues"))
            .where(Issue.visit_id.is_not(None)).group_by(Issue.visit_id).subquery())  # type: ignore[union-attr]


def visits_query(session: Session, flt: VisitFilter) -> Any:
    """The matching visits as rows of VISIT_FIELDS + LIST_EXTRA_FIELDS, most recent first."""
    counts = _issue_counts()
    stmt = (select(Visit.id, Visit.visited_on, Enterprise.name, Visit.visited_by, Visit.kind, Visit.note,
                   Visit.created_by, Visit.created_at, Enterprise.zone, Enterprise.industry, Enterprise.liaison,
                   func.coalesce(counts.c.issues, 0))
            .join(Enterprise, Enterprise.id == Visit.enterprise_id)
            .outerjoin(counts, counts.c.visit_id == Visit.id))
    if flt.enterprises:
        stmt = stmt.where(Visit.enterprise_id.in_([lookups.find_enterprise(session, e).id for e in flt.enterprises]))
    if flt.liaisons:
        stmt = stmt.where(Enterprise.liaison.in_([find_liaison(session, name) for name in flt.liaisons]))  # type: ignore[union-attr]
    if flt.zones:
        stmt = stmt.where(Enterprise.zone.in_(flt.zones))  # type: ignore[union-attr]
    if flt.industries:
        stmt = stmt.where(Enterprise.industry.in_(flt.industries))  # type: ignore[union-attr]
    if flt.kinds:
        stmt = stmt.where(Visit.kind.in_([visit_kind(k) for k in flt.kinds]))
    if flt.since is not None:
        stmt = stmt.where(Visit.visited_on >= flt.since)
    if flt.until is not None:
        stmt = stmt.where(Visit.visited_on <= flt.until)
    if flt.since is not None and flt.until is not None and flt.until < flt.since:
        raise InvalidValue("error.date_order", later="--until", later_value=flt.until.isoformat(),
                           earlier="--since", earlier_value=flt.since.isoformat())
    return stmt


def list_visits(session: Session, flt: VisitFilter, *, limit: int | None = None) -> tuple[list[dict[str, Any]], int]:
    """The matching visits (most recent first, at most `limit`) and how many matched."""
    stmt = visits_query(session, flt)
    total = int(session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())
    stmt = stmt.order_by(Visit.visited_on.desc(), Visit.id.desc())  # type: ignore[attr-defined]
    if limit is not None:
        stmt = stmt.limit(limit)
    fields = (*VISIT_FIELDS, *LIST_EXTRA_FIELDS)
    return [dict(zip(fields, row, strict=True)) for row in session.execute(stmt)], total


def find_liaison(session: Session, name: str) -> str:
    """A liaison named in a filter: one some enterprise has, found as DESIGN §3 "Names" says."""
    wanted = name.strip()
    known = sorted(set(session.execute(select(Enterprise.liaison).where(Enterprise.liaison.is_not(None))  # type: ignore[union-attr]
                                       ).scalars()))
    if wanted in known:
        return wanted
    return lookups.resolve_name(wanted, [lookups.Named(n, n, (n,)) for n in known], kind="liaison", typed=name).key


def show_visit(session: Session, visit_id: int) -> dict[str, Any]:
    """One visit, with the problems it found."""
    visit = get_visit(session, visit_id)
    stmt = visits_query(session, VisitFilter()).where(Visit.id == visit.id)
    fields = (*VISIT_FIELDS, *LIST_EXTRA_FIELDS)
    row = dict(zip(fields, session.execute(stmt).one(), strict=True))
    rows = session.execute(select(Issue.id, Issue.title, Issue.status).where(Issue.visit_id == visit.id)
                           .order_by(Issue.id)).all()
    row["found"] = [{"id": issue_id, "title": title, "status": status} for issue_id, title, status in rows]
    return row
