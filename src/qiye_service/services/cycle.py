"""The dispatch side of the work-order cycle (DESIGN §11, issue 20): a lead department (主办)
and co-handling departments (协办), each with its own deadline and acknowledgement (签收);
returns (退单) with a reason and a note; the office's decision on a return: a transfer (the
issue re-dispatched elsewhere, counted) or upholding the dispatch (审定).

Each department's part is a Dispatch row. The lead's is mirrored on the issue (department_id,
due_on, dispatched_at, acknowledge_by, acknowledged_at), which every report reads; an issue whose
lead has no row yet (filed before migration 0006 wrote them, or imported) gets one the first
time the cycle needs it (`lead_dispatch`). Which step may follow which is services.workflow's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from qiye_service.errors import Conflict, InvalidValue
from qiye_service.models import Department, Dispatch, DispatchRole, Issue, ReturnOutcome, ReturnReason
from qiye_service.services import lookups, workflow
from qiye_service.services.history import record_event
from qiye_service.services.issues import Actor, clean_text

LEAD, CO = DispatchRole.lead.value, DispatchRole.co.value

RETURN_REASON_ALIASES = {
    "非本单位职责": "not_responsible", "非本单位职能": "not_responsible", "不属于本单位职责": "not_responsible",
    "not responsible": "not_responsible", "not-responsible": "not_responsible",
    "信息不全": "incomplete", "材料不全": "incomplete", "重复": "duplicate", "重复件": "duplicate",
    "其他": "other", "其它": "other",
}


def parse_reason(text: str) -> str:
    return lookups.choice(ReturnReason, text, "--reason", RETURN_REASON_ALIASES)


# --- reading the dispatches -------------------------------------------------------------------


def active_dispatches(session: Session, issue_id: int) -> list[Dispatch]:
    """The departments handling the issue now: the lead first, then the co-handlers in dispatch order."""
    rows = session.execute(
        select(Dispatch).where(Dispatch.issue_id == issue_id, Dispatch.active.is_(True)).order_by(Dispatch.id)
    ).scalars().all()
    return sorted(rows, key=lambda d: d.role != LEAD)


def lead_dispatch(session: Session, issue: Issue) -> Dispatch | None:
    """The lead's row, made from the issue's own columns when it has none yet; None when the
    issue has no department."""
    if issue.department_id is None:
        return None
    for found in active_dispatches(session, issue.id):  # type: ignore[arg-type]
        if found.role == LEAD and found.department_id == issue.department_id:
            return found
        if found.role == LEAD:  # the department was changed by `issue edit`: that row is history
            found.active = False
    row = Dispatch(issue_id=issue.id, department_id=issue.department_id, role=LEAD, due_on=issue.due_on,
                   dispatched_at=issue.dispatched_at or issue.created_at, acknowledge_by=issue.acknowledge_by,
                   acknowledged_at=issue.acknowledged_at, active=True)
    session.add(row)
    session.flush()
    return row


def _department_dispatch(session: Session, issue: Issue, department: str | None) -> tuple[Dispatch, str]:
    """The active dispatch of `department` (default: the lead) and the department's name."""
    if department is None:
        lead = lead_dispatch(session, issue)
        if lead is None:
            raise InvalidValue("error.cycle_no_department", id=issue.id)
        return lead, _name(session, lead.department_id)
    found = lookups.find_department(session, department)
    if found.id == issue.department_id:
        lead = lead_dispatch(session, issue)
        assert lead is not None
        return lead, found.name
    for row in active_dispatches(session, issue.id):  # type: ignore[arg-type]
        if row.department_id == found.id:
            return row, found.name
    raise InvalidValue("error.cycle_not_dispatched", id=issue.id, dept=found.name)


def _name(session: Session, department_id: int) -> str:
    return session.get(Department, department_id).name  # type: ignore[union-attr]


def co_departments_by_issue(session: Session) -> dict[int, list[str]]:
    """Every issue's current co-handling departments, sorted (db check compares them with the
    history's)."""
    found: dict[int, list[str]] = {}
    for issue_id, name in session.execute(
        select(Dispatch.issue_id, Department.name).join(Department, Department.id == Dispatch.department_id)
        .where(Dispatch.role == CO, Dispatch.active.is_(True))
    ):
        found.setdefault(issue_id, []).append(name)
    return {issue_id: sorted(names) for issue_id, names in found.items()}  # by code point, on either backend


# --- dispatching --------------------------------------------------------------------------------


def dispatch_lead(session: Session, issue: Issue, *, actor: Actor, previous_department: int | None,
                  due_on: date | None, note: str | None) -> None:
    """After the issue's department changed to a new lead: close the old lead's row (a transfer
    when it had returned the issue) and open the new one's, mirroring the issue's dispatch."""
    old_lead = None
    if previous_department is not None:
        old_lead = next((row for row in active_dispatches(session, issue.id)  # type: ignore[arg-type]
                         if row.role == LEAD), None)
        if old_lead is None and previous_department is not None:
            old_lead = Dispatch(issue_id=issue.id, department_id=previous_department, role=LEAD, due_on=issue.due_on,
                                dispatched_at=issue.dispatched_at or issue.created_at, active=True)
            session.add(old_lead)
    if old_lead is not None:
        old_lead.active = False
        if old_lead.returned_at is not None and old_lead.outcome is None:
            _transferred(session, issue, old_lead, actor=actor, to=issue.department_id, note=note)
    if issue.department_id is None:
        return
    # A co-handler promoted to lead leaves its co row.
    for row in active_dispatches(session, issue.id):  # type: ignore[arg-type]
        if row.role == CO and row.department_id == issue.department_id:
            _end_co(session, issue, row, actor=actor, note=note)
    session.add(Dispatch(issue_id=issue.id, department_id=issue.department_id, role=LEAD,
                         due_on=due_on if due_on is not None else issue.due_on,
                         dispatched_at=issue.dispatched_at or actor.now, acknowledge_by=issue.acknowledge_by,
                         acknowledged_at=issue.acknowledged_at, active=True))
    session.flush()


def _end_co(session: Session, issue: Issue, row: Dispatch, *, actor: Actor, note: str | None) -> None:
    """A co-handler's part ends (promoted to lead, or transferred away): recorded, so the history
    says who co-handles the issue (db check replays it)."""
    row.active = False
    record_event(session, issue, actor=actor.name, at=actor.now, action="assigned", field="co_department",
                 old=_name(session, row.department_id), new=None, note=note)


def _transferred(session: Session, issue: Issue, row: Dispatch, *, actor: Actor, to: int | None,
                 note: str | None) -> None:
    """A returned dispatch re-dispatched elsewhere: a transfer (转办), counted on the issue."""
    row.outcome = ReturnOutcome.transferred.value
    row.decided_at = actor.now
    row.active = False
    count = (issue.transfer_count or 0) + 1
    target = _name(session, to) if to is not None else "-"
    record_event(session, issue, actor=actor.name, at=actor.now, action="transferred", field="transfer_count",
                 old=issue.transfer_count or 0, new=count,
                 note=f"{_name(session, row.department_id)} → {target}" + (f": {note}" if note else ""))
    issue.transfer_count = count
    if row.role == CO:
        _end_co(session, issue, row, actor=actor, note=note)


def dispatch_co(session: Session, issue: Issue, departments: list[str], *, actor: Actor, due_on: date | None,
                note: str | None, response_deadline: Callable[[date], date] | None) -> list[str]:
    """Dispatch to co-handling departments (协办), each with its own deadline (default: the
    issue's) and acknowledgement deadline; returns the names newly dispatched. A department
    already handling the issue is left as it is; one whose return was pending is re-dispatched
    elsewhere by this (a transfer) only through `issue assign --dept`."""
    if issue.department_id is None:
        raise InvalidValue("error.cycle_no_department", id=issue.id)
    current = {row.department_id for row in active_dispatches(session, issue.id)}  # type: ignore[arg-type]
    current.add(issue.department_id)
    added: list[str] = []
    for name in departments:
        found = lookups.find_department(session, name)
        if found.id in current:
            continue
        current.add(found.id)
        record_event(session, issue, actor=actor.name, at=actor.now, action="assigned", field="co_department",
                     old=None, new=found.name, note=note)
        session.add(Dispatch(issue_id=issue.id, department_id=found.id, role=CO,  # type: ignore[arg-type]
                             due_on=due_on if due_on is not None else issue.due_on, dispatched_at=actor.now,
                             acknowledge_by=response_deadline(actor.today) if response_deadline else None,
                             active=True))
        added.append(found.name)
    if added:
        issue.updated_at = actor.now
    session.flush()
    return added


def transfer_returned_co(session: Session, issue: Issue, *, actor: Actor, to: list[str], note: str | None) -> None:
    """Co-handlers re-dispatched with `--co` after a co-handler's pending return: the return is
    settled as a transfer to the first new one."""
    pending = [row for row in active_dispatches(session, issue.id)  # type: ignore[arg-type]
               if row.role == CO and row.returned_at is not None and row.outcome is None]
    if not pending or not to:
        return
    target = lookups.find_department(session, to[0])
    for row in pending:
        _transferred(session, issue, row, actor=actor, to=target.id, note=note)


def acknowledge_co(session: Session, issue_id: int, department: str, *, actor: Actor, note: str | None) -> Issue:
    """A co-handling department's acknowledgement (签收); the issue's status is the lead's business."""
    issue = lookups.get_issue(session, issue_id, for_update=True)
    workflow.step(issue, "acknowledge")
    row, name = _department_dispatch(session, issue, department)
    _refuse_pending(row, issue, name)
    if row.acknowledged_at is not None:
        raise Conflict("error.cycle_already_acknowledged", id=issue.id, dept=name)
    record_event(session, issue, actor=actor.name, at=actor.now, action="acknowledged", field=None,
                 new=name, note=clean_text(note, "note"))
    row.acknowledged_at = actor.now
    issue.updated_at = actor.now
    session.flush()
    return issue


def _refuse_pending(row: Dispatch, issue: Issue, name: str) -> None:
    """A department that returned the issue acknowledges it only after the office decided."""
    if row.returned_at is not None and row.outcome is None:
        raise Conflict("error.cycle_return_pending", id=issue.id, dept=name)


def check_lead_may_acknowledge(session: Session, issue: Issue) -> None:
    """The lead's 签收 waits for the office's decision on its pending return, if any."""
    if issue.department_id is None or not pending_return(session, issue.id):  # type: ignore[arg-type]
        return
    lead = lead_dispatch(session, issue)
    assert lead is not None
    _refuse_pending(lead, issue, _name(session, lead.department_id))


def acknowledge_lead(session: Session, issue: Issue) -> None:
    """Mirror the lead's acknowledgement (issue start) on its dispatch row."""
    lead = lead_dispatch(session, issue)
    if lead is not None:
        lead.acknowledged_at = issue.acknowledged_at


def is_lead(session: Session, issue: Issue, department: str | None) -> bool:
    if department is None:
        return True
    return lookups.find_department(session, department).id == issue.department_id


# --- returns (退单) and their outcome -------------------------------------------------------------


def return_issue(session: Session, issue_id: int, *, actor: Actor, reason: str, note: str | None,
                 department: str | None = None) -> Issue:
    """A department sends the issue back (退单) with a reason and a note; default the lead. The
    lead's return takes in-progress work back to open until the office transfers it (`issue
    assign --dept`) or upholds the dispatch (`issue uphold`)."""
    issue = lookups.get_issue(session, issue_id, for_update=True)
    target = workflow.step(issue, "return")
    code = parse_reason(reason)
    remark = clean_text(note, "note")
    if remark is None:
        raise InvalidValue("error.note_required", action="return", id=issue.id)
    row, name = _department_dispatch(session, issue, department)
    if row.returned_at is not None and row.outcome is None:
        raise Conflict("error.cycle_return_pending", id=issue.id, dept=name)
    if row.returned_at is not None:  # returned before and upheld: this return is a new one, on a row of its own
        row.active = False
        row = Dispatch(issue_id=row.issue_id, department_id=row.department_id, role=row.role, due_on=row.due_on,
                       dispatched_at=row.dispatched_at, acknowledge_by=row.acknowledge_by,
                       acknowledged_at=row.acknowledged_at, active=True)
        session.add(row)
    count = (issue.return_count or 0) + 1
    record_event(session, issue, actor=actor.name, at=actor.now, action="returned", field="return_count",
                 old=issue.return_count or 0, new=count, note=f"{name} · {code}: {remark}")
    issue.return_count = count
    row.returned_at, row.return_reason, row.return_note = actor.now, code, remark
    if row.role == LEAD and issue.status != target and target is not None:
        record_event(session, issue, actor=actor.name, at=actor.now, action="status", field="status",
                     old=issue.status, new=target, note=remark)
        issue.status = target
    issue.updated_at = actor.now
    session.flush()
    return issue


def uphold_return(session: Session, issue_id: int, *, actor: Actor, note: str | None,
                  department: str | None = None) -> tuple[Issue, str]:
    """审定: the office upholds the dispatch of a department that returned the issue (default:
    the only one with a return pending); the department must take it and acknowledge it again."""
    issue = lookups.get_issue(session, issue_id, for_update=True)
    workflow.step(issue, "uphold")
    if department is not None:
        row, name = _department_dispatch(session, issue, department)
    else:
        pending = [r for r in active_dispatches(session, issue.id) if r.returned_at is not None  # type: ignore[arg-type]
                   and r.outcome is None]
        if len(pending) != 1:
            raise InvalidValue("error.cycle_uphold_which" if pending else "error.cycle_no_return", id=issue.id)
        row, name = pending[0], _name(session, pending[0].department_id)
    if row.returned_at is None or row.outcome is not None:
        raise InvalidValue("error.cycle_no_return_by", id=issue.id, dept=name)
    record_event(session, issue, actor=actor.name, at=actor.now, action="upheld", field=None, new=name,
                 note=clean_text(note, "note"))
    row.outcome, row.decided_at = ReturnOutcome.upheld.value, actor.now
    row.acknowledged_at = None  # it must acknowledge (签收) again
    if row.role == LEAD:
        issue.acknowledged_at = None
    issue.updated_at = actor.now
    session.flush()
    return issue, name


# --- counts and figures ---------------------------------------------------------------------------


def issue_parts(session: Session, issue: Issue) -> list[dict[str, Any]]:
    """Every department's part in the issue, active ones first (lead, then co-handlers), then
    those that returned it and were transferred away."""
    rows = session.execute(
        select(Dispatch, Department.name).join(Department, Department.id == Dispatch.department_id)
        .where(Dispatch.issue_id == issue.id).order_by(Dispatch.id)
    ).all()
    parts = [{"department": name, "role": row.role, "active": bool(row.active), "due_on": row.due_on,
              "dispatched_at": row.dispatched_at, "acknowledged_at": row.acknowledged_at,
              "returned_at": row.returned_at, "return_reason": row.return_reason, "return_note": row.return_note,
              "outcome": row.outcome} for row, name in rows]
    if issue.department_id is not None and not any(p["active"] and p["role"] == LEAD for p in parts):
        # The lead's row is made when the cycle first needs it; until then the issue says it all.
        parts.append({"department": _name(session, issue.department_id), "role": LEAD, "active": True,
                      "due_on": issue.due_on, "dispatched_at": issue.dispatched_at or issue.created_at,
                      "acknowledged_at": issue.acknowledged_at, "returned_at": None, "return_reason": None,
                      "return_note": None, "outcome": None})
    return sorted(parts, key=lambda p: (not p["active"], p["role"] != LEAD))


CYCLE_FIELDS = ("departments", "return_count", "transfer_count", "callback_solved", "callback_reached")
"""`issue show`'s work-order cycle keys, shown for an issue that has been through the cycle."""
PART_FIELDS = ("department", "part", "due_on", "dispatched_on", "acknowledged_on", "returned_on", "return_reason",
               "return_note", "outcome")


def issue_cycle(session: Session, issue: Issue, *, timezone: str) -> dict[str, Any] | None:
    """The issue's cycle (CYCLE_FIELDS): every department's part (PART_FIELDS, days in the
    park's calendar), its returns and transfers, and its callback's other answers; None for an
    issue that never used the cycle (one lead or none, no returns, a plain callback), which
    `issue show` prints as before."""
    from qiye_service.dates import local_date

    parts = issue_parts(session, issue)
    plain = (all(p["role"] == LEAD and p["returned_at"] is None for p in parts)
             and not issue.return_count and not issue.transfer_count
             and issue.callback_solved is None and issue.callback_reached is not False)
    if plain:
        return None

    def day(instant: Any) -> date | None:
        return None if instant is None else local_date(instant, timezone)

    return {
        "departments": [{"department": p["department"], "part": p["role"], "due_on": p["due_on"],
                         "dispatched_on": day(p["dispatched_at"]), "acknowledged_on": day(p["acknowledged_at"]),
                         "returned_on": day(p["returned_at"]), "return_reason": p["return_reason"],
                         "return_note": p["return_note"], "outcome": p["outcome"]}
                        for p in parts if p["active"] or p["returned_at"] is not None],
        "return_count": issue.return_count or 0,
        "transfer_count": issue.transfer_count or 0,
        "callback_solved": issue.callback_solved,
        "callback_reached": issue.callback_reached,
    }


def department_counts(session: Session, issue_ids: Any = None) -> dict[str | None, dict[str, int]]:
    """Per department: dispatches (as lead or co-handler), returns and transfers away, from the
    dispatch rows (of the issues `issue_ids` selects, or all)."""
    stmt = (select(Department.name,
                   func.count(Dispatch.id),
                   func.coalesce(func.sum(case((Dispatch.returned_at.is_not(None), 1), else_=0)), 0),
                   func.coalesce(func.sum(case((Dispatch.outcome == ReturnOutcome.transferred.value, 1), else_=0)), 0))
            .join(Department, Department.id == Dispatch.department_id).group_by(Department.name))
    if issue_ids is not None:
        stmt = stmt.where(Dispatch.issue_id.in_(issue_ids))
    return {name: {"dispatches": int(n), "returns": int(r), "transfers": int(t)} for name, n, r, t in session.execute(stmt)}


def co_response_figures(session: Session, issue_ids: Any) -> dict[str, tuple[int, int]]:
    """Per department, its co-handling dispatches of the selected issues and how many it
    acknowledged within the response limit: (dispatched, acknowledged in time). Only the
    current co-handlers count, as the lead counts once against its latest dispatch: a
    co-handler transferred away or promoted to lead no longer does. The lead's part is the
    issue's own (services.supervision); the two add up to the department's response rate."""
    in_time = and_(Dispatch.acknowledged_at.is_not(None), Dispatch.acknowledge_by.is_not(None),
                   func.date(Dispatch.acknowledged_at) <= Dispatch.acknowledge_by)
    stmt = (select(Department.name, func.count(Dispatch.id),
                   func.coalesce(func.sum(case((in_time, 1), else_=0)), 0))
            .join(Department, Department.id == Dispatch.department_id)
            .where(Dispatch.role == CO, Dispatch.active.is_(True), Dispatch.issue_id.in_(issue_ids))
            .group_by(Department.name))
    return {name: (int(n), int(ok)) for name, n, ok in session.execute(stmt)}


def pending_return(session: Session, issue_id: int) -> bool:
    return session.execute(select(func.count(Dispatch.id)).where(
        Dispatch.issue_id == issue_id, Dispatch.active.is_(True), Dispatch.returned_at.is_not(None),
        Dispatch.outcome.is_(None))).scalar_one() > 0

