"""Extension (延期申请) and suspension (挂起) of an issue's deadline, and close-out verification
(审核销号): DESIGN §11, issue 20 points 3 and 4.

The original due_on is never changed here. The deadline in force is kept on the row as
deadline_on (None when it is due_on), so every report compares against
COALESCE(deadline_on, due_on) in SQL (supervision.deadline_expression):

    deadline in force = (approved extension, else due_on) + suspended working days

A currently suspended issue has no rung on the escalation ladder (but an explicit escalation)
and is not overdue: its clock is stopped. On resume the working days it was held (the working
days after the suspension day up to and including the resume day, by the Chinese calendar of
workdays.py) are added to suspended_days and the deadline in force moves on by them.

Every step is an event in the hash chain; the fields the row keeps (extended_due_on,
suspended_on, deadline_on) are set by events that name them, so `db check` replays them.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlmodel import Session

from qiye_service.config import VERIFY_OFF, VERIFY_ON
from qiye_service.dates import check_date
from qiye_service.errors import Conflict, InvalidTransition, InvalidValue
from qiye_service.models import Issue
from qiye_service.services import lookups, workflow
from qiye_service.services.history import record_event
from qiye_service.services.issues import Actor, clean_text

if TYPE_CHECKING:
    from qiye_service.workdays import WorkingCalendar

def require_four_eyes(actor: str, requested_by: str | None, action: str) -> None:
    """Nobody approves an extension they asked for or verifies a close-out they made (DESIGN
    §10): services.permissions' rule, enforced on every ledger, with or without registered
    users, since the person who asked is named on the issue's row."""
    from qiye_service.services.permissions import require_four_eyes as rule

    rule(actor, requested_by, action)


# --- close-out verification (审核销号) -------------------------------------------------------------

def verification_required(session: Session, setting: str | None) -> bool:
    """Whether a close-out waits for a supervisor: config `closeout.verify` on or off; unset
    (or `auto`), on once a user is registered (a shared office ledger, DESIGN §10/§11), off for
    a single cadre's ledger, which then behaves as before issue 20."""
    value = (setting or "").strip().lower()
    if value in VERIFY_ON:
        return True
    if value in VERIFY_OFF:
        return False
    from qiye_service.services.people import has_users

    return has_users(session)


# --- the deadline in force -------------------------------------------------------------------


def deadline_in_force(issue: Issue, calendar: WorkingCalendar) -> date | None:
    """(approved extension, else due_on) moved on by the suspended working days."""
    base = issue.extended_due_on or issue.due_on
    if base is None or not issue.suspended_days:
        return base
    return calendar.add_working_days(base, issue.suspended_days)


def refresh_deadline(session: Session, issue: Issue, actor: Actor, calendar: WorkingCalendar) -> None:
    """Store the deadline in force as deadline_on (None when it is due_on), with an event when
    it changes, so the history replays it."""
    force = deadline_in_force(issue, calendar)
    stored = None if force == issue.due_on else force
    if stored == issue.deadline_on:
        return
    record_event(session, issue, actor=actor.name, at=actor.now, action="deadline", field="deadline_on",
                 old=issue.deadline_on, new=stored)
    issue.deadline_on = stored


# --- extension (延期申请 → 批准/不予批准) -------------------------------------------------------------


def request_extension(session: Session, issue_id: int, *, actor: Actor, to: date, reason: str | None) -> Issue:
    """A department asks for a new due date `to` with a reason; it waits for a supervisor."""
    issue = lookups.get_issue(session, issue_id, for_update=True)
    workflow.step(issue, "extend")
    why = clean_text(reason, "reason")
    if why is None:
        raise InvalidValue("error.extend_reason", id=issue.id)
    if issue.extension_to is not None:
        raise Conflict("error.extension_pending", id=issue.id, to=issue.extension_to.isoformat(),
                       by=issue.extension_by or "")
    current = issue.extended_due_on or issue.due_on
    if current is not None and to <= current:
        raise InvalidValue("error.date_order", later="--to", later_value=to.isoformat(),
                           earlier="due_on", earlier_value=current.isoformat())
    if to < actor.today:
        raise InvalidValue("error.date_order", later="--to", later_value=to.isoformat(),
                           earlier="today", earlier_value=actor.today.isoformat())
    record_event(session, issue, actor=actor.name, at=actor.now, action="extension_requested",
                 field="extension_to", old=None, new=to, note=why)
    issue.extension_to = to
    issue.extension_by = actor.name
    issue.updated_at = actor.now
    session.flush()
    return issue


def decide_extension(session: Session, issue_id: int, *, actor: Actor, approve: bool, note: str | None,
                     calendar: WorkingCalendar) -> Issue:
    """A supervisor approves (the deadline in force moves to the requested date, plus any
    suspended working days) or refuses the pending request; not the person who asked."""
    issue = lookups.get_issue(session, issue_id, for_update=True)
    workflow.step(issue, "decide_extension")
    if issue.extension_to is None:
        raise InvalidTransition("error.no_extension_request", id=issue.id)
    require_four_eyes(actor.name, issue.extension_by, "approve")
    remark = clean_text(note, "note")
    asked = issue.extension_to
    if approve:
        record_event(session, issue, actor=actor.name, at=actor.now, action="extension_approved",
                     field="extended_due_on", old=issue.extended_due_on, new=asked, note=remark)
        issue.extended_due_on = asked
        issue.extension_count = (issue.extension_count or 0) + 1
    else:
        record_event(session, issue, actor=actor.name, at=actor.now, action="extension_refused",
                     new=asked, note=remark)
    issue.extension_to = None
    issue.extension_by = None
    refresh_deadline(session, issue, actor, calendar)
    issue.updated_at = actor.now
    session.flush()
    return issue


# --- suspension (挂起 → 恢复) ----------------------------------------------------------------------


def suspend_issue(session: Session, issue_id: int, *, actor: Actor, reason: str | None,
                  on: date | None = None) -> Issue:
    """Stop the clock while the enterprise or a third party is awaited; a reason is required."""
    issue = lookups.get_issue(session, issue_id, for_update=True)
    workflow.step(issue, "suspend")
    if issue.suspended_on is not None:
        raise Conflict("error.already_suspended", id=issue.id, since=issue.suspended_on.isoformat())
    why = clean_text(reason, "reason")
    if why is None:
        raise InvalidValue("error.suspend_reason", id=issue.id)
    day = check_date(on or actor.today, today=actor.today, past=True)
    if day < issue.reported_on:
        raise InvalidValue("error.date_order", later="suspended_on", later_value=day.isoformat(),
                           earlier="reported_on", earlier_value=issue.reported_on.isoformat())
    record_event(session, issue, actor=actor.name, at=actor.now, action="suspended", field="suspended_on",
                 old=None, new=day, note=why)
    issue.suspended_on = day
    issue.updated_at = actor.now
    session.flush()
    return issue


def resume_issue(session: Session, issue_id: int, *, actor: Actor, calendar: WorkingCalendar,
                 note: str | None = None, on: date | None = None) -> tuple[Issue, int]:
    """Restart the clock; returns the issue and the working days it was held, which move the
    deadline in force on."""
    issue = lookups.get_issue(session, issue_id, for_update=True)
    if issue.suspended_on is None:
        raise InvalidTransition("error.not_suspended", id=issue.id)
    workflow.step(issue, "resume")
    day = check_date(on or actor.today, today=actor.today, past=True)
    if day < issue.suspended_on:
        raise InvalidValue("error.date_order", later="resumed_on", later_value=day.isoformat(),
                           earlier="suspended_on", earlier_value=issue.suspended_on.isoformat())
    held = calendar.working_days_between(issue.suspended_on, day)
    record_event(session, issue, actor=actor.name, at=actor.now, action="resumed", field="suspended_on",
                 old=issue.suspended_on, new=None, note=clean_text(note, "note"))
    record_event(session, issue, actor=actor.name, at=actor.now, action="resumed", field="suspended_days",
                 old=issue.suspended_days or 0, new=(issue.suspended_days or 0) + held)
    issue.suspended_on = None
    issue.suspended_days = (issue.suspended_days or 0) + held
    refresh_deadline(session, issue, actor, calendar)
    issue.updated_at = actor.now
    session.flush()
    return issue, held


# --- issue show ------------------------------------------------------------------------------------

STATE_FIELDS = ("deadline_on", "extended_due_on", "extension_count", "extension_to", "extension_by",
                "suspended_on", "suspended_days", "closeout_by", "verified_by", "verified_at")
"""`issue show`'s record of the deadline in force and the close-out verification (issue 20)."""


def issue_state(issue: Issue) -> dict[str, object] | None:
    """The extension, suspension and verification record of an issue (STATE_FIELDS; deadline_on
    the deadline in force, due_on when nothing moved it), or None when it never had any."""
    touched = (issue.extended_due_on, issue.extension_to, issue.suspended_on, issue.closeout_by,
               issue.verified_by, issue.suspended_days or None, issue.extension_count or None)
    if all(value is None for value in touched):
        return None
    state = {name: getattr(issue, name) for name in STATE_FIELDS}
    state["deadline_on"] = issue.deadline_on or issue.due_on
    return state
