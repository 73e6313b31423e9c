"""Reminders (提醒, DESIGN §13, issue 23): what needs each department and person now, and the
delivery of each digest through apprise to the target configured for it, at most once a day.

A digest lists, for one recipient:

- `unacknowledged`: a dispatch (派单) the department has not acknowledged (签收) — the lead's
  (an open issue with a department, dispatched, not acknowledged) and each co-handler's
  (an active 协办 row not acknowledged); one whose return (退单) waits for the office is the
  office's move, not theirs, and is left out;
- `red`, `overdue`, `due-soon`: the issues on the escalation ladder (services.supervision, the
  same SQL as `report overdue`), with `remind.due_soon` working days (default: the ladder's
  own `escalation.due_soon`) as the horizon of due-soon. A close-out waiting for verification
  is the supervisor's to act on, and a return the office's, so neither is on the department's
  ladder here (the owner still sees the issue);
- `returned`, `extension` and `verifying`: returns (退单) waiting for the office to uphold or
  re-dispatch them, extension requests (延期申请) and close-outs (审核销号) waiting for a decision,
  for every active supervisor (but the one who asked for that extension or made that close-out:
  four eyes, DESIGN §10).

Recipients are departments (the lead and the co-handling ones of an issue) and persons: the
issue's owner (责任人) and registered supervisors. Each need is one SQL query over the matching
issues; the rows are grouped by recipient here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from qiye_service.models import Department, Dispatch, Enterprise, Issue, ReminderDelivery, Role, Status, User
from qiye_service.services import lookups, supervision
from qiye_service.services.cycle import CO, LEAD
from qiye_service.services.permissions import principal_of
from qiye_service.workdays import WorkingCalendar

DEPARTMENT, PERSON = "department", "person"
UNACKNOWLEDGED, RETURNED, EXTENSION, VERIFYING = "unacknowledged", "returned", "extension", "verifying"
NEEDS = (UNACKNOWLEDGED, supervision.RED, supervision.OVERDUE, supervision.DUE_SOON, RETURNED, EXTENSION,
         VERIFYING)
"""What a digest lists, in the order it lists them."""
ITEM_FIELDS = ("need", "id", "title", "enterprise", "department", "owner", "deadline", "days_overdue",
               "extension_to")
SENT, FAILED = "sent", "failed"
# Statuses whose work is the department's: not resolved, and not waiting for verification.
WORKING_STATUSES = (Status.open.value, Status.in_progress.value, Status.deferred.value)


@dataclass
class Digest:
    """One recipient's reminders: a department or a person, and its items (ITEM_FIELDS)."""

    kind: str  # DEPARTMENT | PERSON
    name: str
    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        found = dict.fromkeys(NEEDS, 0)
        for item in self.items:
            found[item["need"]] += 1
        return found

    def row(self) -> dict[str, Any]:
        """The digest as --format json writes it."""
        return {"kind": self.kind, "name": self.name, "counts": self.counts, "items": self.items}


@dataclass(frozen=True)
class Who:
    """Whose digests are asked for: some persons (--for), some departments (--dept) or everyone."""

    persons: tuple[str, ...] = ()
    department_ids: tuple[int, ...] = ()
    departments: tuple[str, ...] = ()

    @property
    def everyone(self) -> bool:
        return not self.persons and not self.department_ids

    def wants(self, kind: str, name: str) -> bool:
        """Whether the digest of this recipient is asked for."""
        if self.persons:
            return kind == PERSON and name in self.persons
        if self.departments:
            return kind == DEPARTMENT and name in self.departments
        return True


# --- names ------------------------------------------------------------------------------------


def known_people(session: Session) -> list[str]:
    """Every person a digest can be for: the issues' owners and the registered users."""
    users = session.execute(select(User.name)).scalars().all()
    return sorted(set(lookups.known_owners(session)) | set(users))


def find_person(session: Session, name: str) -> str:
    """A person as typed (`王强`, `wq`): an owner of some issue or a registered user, else an
    error listing the nearest names."""
    wanted = name.strip()
    people = known_people(session)
    if wanted in people:
        return wanted
    match = lookups.resolve_name(wanted, [lookups.Named(p, p, (p,)) for p in people], kind="person", typed=name)
    return str(match.key)


def select_who(session: Session, *, persons: Iterable[str] = (), departments: Iterable[str] = ()) -> Who:
    """The persons or departments as typed (each repeatable, like the issue filters), or everyone."""
    people = tuple(dict.fromkeys(find_person(session, person) for person in persons))
    found = list({department.id: department for department in
                  (lookups.find_department(session, name) for name in departments)}.values())
    return Who(persons=people, department_ids=tuple(d.id for d in found), departments=tuple(d.name for d in found))


# --- the queries --------------------------------------------------------------------------------


def _items(session: Session, stmt: Any, need: str | None, as_of: date) -> list[dict[str, Any]]:
    """Rows of a query selecting the item columns (and `level` when `need` is None)."""
    found = []
    for row in session.execute(stmt).mappings():
        deadline = row["deadline"]
        what = need or row["level"]
        late = what in (supervision.RED, supervision.OVERDUE) and deadline is not None
        item = {"need": what, "id": row["id"], "title": row["title"], "enterprise": row["enterprise"],
                "department": row["department"], "owner": row["owner"], "deadline": deadline,
                # calendar days past the deadline in force, as `report overdue` counts them
                "days_overdue": supervision.days_overdue(deadline, as_of) if late else None,
                "extension_to": row["extension_to"]}
        # Who asked for the extension or the close-out: not the one to decide it (four eyes).
        asked = row["extension_by"] if need == EXTENSION else row["closeout_by"] if need == VERIFYING else None
        # The lead department sent the issue back (退单) and waits for the office: not its ladder.
        found.append({**item, "_asked": asked, "_lead_returned": bool(row.get("lead_returned"))})
    return found


def _columns(department: Any = Department) -> tuple[Any, ...]:
    return (Issue.id, Issue.title, Enterprise.name.label("enterprise"), department.name.label("department"),
            Issue.owner, supervision.deadline_expression().label("deadline"), Issue.extension_to,
            Issue.extension_by, Issue.closeout_by)


def _from_issue(stmt: Any) -> Any:
    return (stmt.select_from(Issue).join(Enterprise, Enterprise.id == Issue.enterprise_id)
            .outerjoin(Department, Department.id == Issue.department_id))


def _pending_lead_return() -> Any:
    return exists().where(Dispatch.issue_id == Issue.id, Dispatch.role == LEAD, Dispatch.active.is_(True),
                          Dispatch.returned_at.is_not(None), Dispatch.outcome.is_(None))


def _co_handled_by(department_ids: tuple[int, ...]) -> Any:
    """The issue has one of `department_ids` among its active co-handlers."""
    return exists().where(Dispatch.issue_id == Issue.id, Dispatch.role == CO, Dispatch.active.is_(True),
                          Dispatch.department_id.in_(department_ids))


def _scope(who: Who, *, co: bool = True) -> list[Any]:
    """WHERE clauses keeping the issues `who` is concerned with (nothing for everyone)."""
    if who.persons:
        return [Issue.owner.in_(who.persons)]
    if who.department_ids:
        lead = Issue.department_id.in_(who.department_ids)
        return [or_(lead, _co_handled_by(who.department_ids)) if co else lead]
    return []


def lead_unacknowledged(session: Session, who: Who, as_of: date) -> list[dict[str, Any]]:
    stmt = _from_issue(select(*_columns())).where(
        Issue.status == Status.open.value, Issue.department_id.is_not(None), Issue.dispatched_at.is_not(None),
        Issue.acknowledged_at.is_(None), ~_pending_lead_return(), *_scope(who, co=False)).order_by(Issue.id)
    return _items(session, stmt, UNACKNOWLEDGED, as_of)


def co_unacknowledged(session: Session, who: Who, as_of: date) -> list[dict[str, Any]]:
    """Co-handling departments' dispatches not acknowledged; the item names the co-handler."""
    if who.persons:
        return []
    co_department = aliased(Department)
    stmt = (select(*_columns(co_department))
            .select_from(Dispatch).join(Issue, Issue.id == Dispatch.issue_id)
            .join(Enterprise, Enterprise.id == Issue.enterprise_id)
            .join(co_department, co_department.id == Dispatch.department_id)
            .where(Dispatch.role == CO, Dispatch.active.is_(True), Dispatch.acknowledged_at.is_(None),
                   or_(Dispatch.returned_at.is_(None), Dispatch.outcome.is_not(None)),
                   Issue.status.in_(WORKING_STATUSES))
            .order_by(Issue.id, co_department.name))
    if who.department_ids:
        stmt = stmt.where(Dispatch.department_id.in_(who.department_ids))
    return _items(session, stmt, UNACKNOWLEDGED, as_of)


def ladder(session: Session, who: Who, cutoffs: supervision.LevelCutoffs) -> list[dict[str, Any]]:
    """The issues at red, overdue or due-soon, most severe first, then by deadline."""
    level = supervision.level_expression(cutoffs).label("level")
    stmt = _from_issue(select(*_columns(), level, _pending_lead_return().label("lead_returned"))).where(
        Issue.status.in_(WORKING_STATUSES),
        supervision.level_clause([supervision.RED, supervision.OVERDUE, supervision.DUE_SOON], cutoffs),
        *_scope(who)).order_by(supervision.deadline_expression(), Issue.id)
    rows = _items(session, stmt, None, cutoffs.as_of)
    rank = {need: index for index, need in enumerate(NEEDS)}
    return sorted(rows, key=lambda item: rank[item["need"]])


def awaiting_decision(session: Session, as_of: date) -> list[dict[str, Any]]:
    """Returns, extension requests and close-outs waiting for a supervisor; a return's item names
    the department that sent the issue back."""
    returning = aliased(Department)
    returned = (select(*_columns(returning))
                .select_from(Dispatch).join(Issue, Issue.id == Dispatch.issue_id)
                .join(Enterprise, Enterprise.id == Issue.enterprise_id)
                .join(returning, returning.id == Dispatch.department_id)
                .where(Dispatch.active.is_(True), Dispatch.returned_at.is_not(None), Dispatch.outcome.is_(None),
                       Issue.status != Status.resolved.value)
                .order_by(Issue.id, returning.name))
    extension = _from_issue(select(*_columns())).where(
        Issue.extension_to.is_not(None), Issue.status != Status.resolved.value).order_by(Issue.id)
    verifying = _from_issue(select(*_columns())).where(Issue.status == Status.verifying.value).order_by(Issue.id)
    return (_items(session, returned, RETURNED, as_of) + _items(session, extension, EXTENSION, as_of)
            + _items(session, verifying, VERIFYING, as_of))


def co_departments(session: Session, issue_ids: list[int]) -> dict[int, list[str]]:
    """The active co-handling departments of these issues (a return pending left out)."""
    found: dict[int, list[str]] = {}
    for start in range(0, len(issue_ids), 500):
        chunk = issue_ids[start:start + 500]
        for issue_id, name in session.execute(
                select(Dispatch.issue_id, Department.name).join(Department, Department.id == Dispatch.department_id)
                .where(Dispatch.issue_id.in_(chunk), Dispatch.role == CO, Dispatch.active.is_(True),
                       or_(Dispatch.returned_at.is_(None), Dispatch.outcome.is_not(None)))
                .order_by(Department.name)):
            found.setdefault(issue_id, []).append(name)
    return found


def supervisors(session: Session) -> list[str]:
    return list(session.execute(select(User.name).where(User.role == Role.supervisor.value, User.active.is_(True))
                                .order_by(User.name)).scalars())


def digests(session: Session, who: Who, *, as_of: date, calendar: WorkingCalendar,
            thresholds: supervision.Thresholds) -> list[Digest]:
    """The digests of `who` (everyone: every department and person something needs), each with
    at least one item: departments first, then persons, by name."""
    cutoffs = supervision.level_cutoffs(as_of, calendar, thresholds)
    found: dict[tuple[str, str], Digest] = {}

    def add(kind: str, name: str | None, item: dict[str, Any]) -> None:
        if name is None or not who.wants(kind, name):
            return
        digest = found.setdefault((kind, name), Digest(kind, name))
        digest.items.append({key: value for key, value in item.items() if not key.startswith("_")})

    for item in lead_unacknowledged(session, who, as_of):
        add(DEPARTMENT, item["department"], item)
        add(PERSON, item["owner"], item)
    for item in co_unacknowledged(session, who, as_of):
        add(DEPARTMENT, item["department"], item)
    on_ladder = ladder(session, who, cutoffs)
    co = co_departments(session, [item["id"] for item in on_ladder]) if not who.persons else {}
    for item in on_ladder:
        if not item["_lead_returned"]:
            add(DEPARTMENT, item["department"], item)
        for name in co.get(item["id"], ()):
            add(DEPARTMENT, name, item)
        add(PERSON, item["owner"], item)
    people = supervisors(session)
    if not who.departments and (who.everyone or set(who.persons) & set(people)):
        for item in awaiting_decision(session, as_of):
            for name in people:
                if name != principal_of(item["_asked"]):
                    add(PERSON, name, item)
    order = {need: index for index, need in enumerate(NEEDS)}
    result = sorted(found.values(), key=lambda d: (d.kind != DEPARTMENT, d.name))
    for digest in result:
        digest.items.sort(key=lambda item: order[item["need"]])  # stable: each need keeps its order
    return result


def due_soon_setting(config: dict[str, str], thresholds: supervision.Thresholds) -> supervision.Thresholds:
    """The ladder with `remind.due_soon` (when set) as the due-soon horizon."""
    from dataclasses import replace

    days = supervision._working_days_setting(config, "remind.due_soon", thresholds.due_soon_wd)
    return replace(thresholds, due_soon_wd=days)


# --- targets and delivery --------------------------------------------------------------------


def notify_target(url: str) -> Any:
    """The apprise plugin for `url`, or None when apprise does not understand it."""
    import apprise

    if not url or not url.strip():
        return None
    try:
        return apprise.Apprise.instantiate(url.strip(), suppress_exceptions=True) or None
    except Exception:  # noqa: BLE001 - apprise refuses what it cannot parse in many ways
        return None


def target_url(config: dict[str, str], digest: Digest) -> str | None:
    """The configured target of a recipient: `notify.dept.<name>` or `notify.user.<name>`, else
    `notify.default`; None when there is neither."""
    from qiye_service.config import NOTIFY_DEPT_PREFIX, NOTIFY_USER_PREFIX

    prefix = NOTIFY_DEPT_PREFIX if digest.kind == DEPARTMENT else NOTIFY_USER_PREFIX
    return config.get(prefix + digest.name) or config.get("notify.default") or None


def sent_today(session: Session, day: date) -> set[tuple[str, str]]:
    """The recipients whose digest arrived on `day`."""
    rows = session.execute(select(ReminderDelivery.recipient_kind, ReminderDelivery.recipient)
                           .where(ReminderDelivery.day == day, ReminderDelivery.outcome == SENT).distinct())
    return {(kind, name) for kind, name in rows}


# Why a delivery failed, as a code the output layer says in the interface language (apprise's own
# words are English): the target answered an HTTP error, did not answer in time, could not be
# reached, is not a URL apprise understands, or failed otherwise.
HTTP_ERROR, TIMED_OUT, UNREACHABLE, BAD_URL, OTHER = "http", "timeout", "unreachable", "bad_url", "other"
_HTTP_STATUS = re.compile(r"\berror=(\d{3})\b")


@dataclass(frozen=True)
class Delivery:
    """What happened to one digest: sent, or failed with why (`reason`, a code above, with the
    HTTP `status` when the target answered one; `detail`, apprise's English words); `target` is
    the URL masked."""

    digest: Digest
    target: str
    outcome: str
    detail: str | None = None
    reason: str | None = None
    status: int | None = None


def _failure(lines: list[tuple[int, str]]) -> tuple[str | None, str, int | None]:
    """apprise's log of a failed notification as (its last warning, reason code, HTTP status)."""
    import logging

    warnings = [message for level, message in lines if level >= logging.WARNING]
    detail = warnings[-1] if warnings else None
    for message in reversed(warnings):
        found = _HTTP_STATUS.search(message)
        if found:
            return detail, HTTP_ERROR, int(found.group(1))
    text = " ".join(message for _, message in lines).lower()
    if "timed out" in text or "timeout" in text:
        return detail, TIMED_OUT, None
    if "connection" in text:
        return detail, UNREACHABLE, None
    return detail, OTHER, None


def deliver(digest: Digest, url: str, *, title: str, body: str, timeout: float) -> Delivery:
    """Send one digest to `url` through apprise, waiting at most `timeout` seconds to connect and
    as long for an answer (unless the URL sets its own cto/rto). Never raises for the target's
    failure: the Delivery says it."""
    import logging

    import apprise

    plugin = notify_target(url)
    if plugin is None:
        return Delivery(digest, url, FAILED, "apprise does not understand this URL", BAD_URL)
    query = url.partition("?")[2]
    params = {part.partition("=")[0].lower() for part in query.split("&")}
    if "cto" not in params:
        plugin.socket_connect_timeout = timeout
    if "rto" not in params:
        plugin.socket_read_timeout = timeout
    # As apprise prints it with its secrets masked, without the query of settings it adds.
    masked = plugin.url(privacy=True).partition("?")[0]
    # Debug lines too: a timeout is told from a refused connection only by apprise's debug line.
    with apprise.LogCapture(level=logging.DEBUG, fmt="%(levelno)d|%(message)s") as logs:
        try:
            ok = plugin.notify(body=body, title=title, body_format=apprise.NotifyFormat.TEXT)
        except Exception as exc:  # noqa: BLE001 - a plugin's own failure is this target's failure
            ok = False
            logging.getLogger("apprise").warning("%s: %s", type(exc).__name__, exc)
    if ok:
        return Delivery(digest, masked, SENT)
    lines = [(int(level), message.strip()) for level, _, message in
             (line.partition("|") for line in logs.getvalue().splitlines()) if level.isdigit() and message.strip()]
    detail, reason, status = _failure(lines)
    return Delivery(digest, masked, FAILED, detail, reason, status)


def record_delivery(session: Session, delivery: Delivery, *, day: date, at: datetime, actor: str) -> None:
    session.add(ReminderDelivery(recipient_kind=delivery.digest.kind, recipient=delivery.digest.name, day=day,
                                 sent_at=at, sent_by=actor, target=delivery.target, outcome=delivery.outcome,
                                 items=len(delivery.digest.items), detail=delivery.detail))
    session.flush()


def send_all(pending: Iterable[tuple[Digest, str]], *, message: Callable[[Digest], tuple[str, str]],
             timeout: float, record: Callable[[Delivery], None]) -> list[Delivery]:
    """Deliver each (digest, url) in turn, recording each outcome as it comes (a run stopped half
    way keeps what it sent); a target that fails does not stop the others."""
    done = []
    for digest, url in pending:
        title, body = message(digest)
        delivery = deliver(digest, url, title=title, body=body, timeout=timeout)
        record(delivery)
        done.append(delivery)
    return done
