"""Filing and working issues: add, edit, the status workflow, comments, assignment, tags.

Every change appends Events (services.history) in the same transaction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session

from qiye_service.dates import DEFAULT_TZ, check_date, local_date, office_hour_utc
from qiye_service.errors import InvalidTransition, InvalidValue
from qiye_service.i18n import Msg
from qiye_service.models import Issue, IssueTag, Kind, Priority, Source, Status, Tag, Visit
from qiye_service.services import lookups, workflow
from qiye_service.services.history import encode_value, record_event

TITLE_LIMIT = 500
TEXT_LIMIT = 20000
NAME_LIMIT = 100
TAG_LIMIT = 100


@dataclass(frozen=True)
class Actor:
    """Who is acting and when: passed in so tests pin the clock."""

    name: str
    now: datetime  # naive UTC
    today: date  # in the park's time zone
    timezone: str = DEFAULT_TZ  # the park's, for dated facts given as dates


def clean_text(value: str | None, field: str, *, limit: int = TEXT_LIMIT, required: bool = False) -> str | None:
    """Strip surrounding blanks; empty means absent (or an error when required)."""
    if value is None:
        if required:
            raise InvalidValue("error.empty", field=field)
        return None
    text = value.strip()
    if not text:
        if required:
            raise InvalidValue("error.empty", field=field)
        return None
    if len(text) > limit:
        raise InvalidValue("error.too_long", field=field, limit=limit)
    return text


def clean_tags(values: list[str] | tuple[str, ...]) -> list[str]:
    tags: list[str] = []
    for raw in values:
        for part in raw.replace("；", ";").replace(",", ";").replace("，", ";").split(";"):
            tag = clean_text(part, "tag", limit=TAG_LIMIT)
            if tag and tag not in tags:
                tags.append(tag)
    return tags


def check_dates(reported_on: date, due_on: date | None, resolved_on: date | None) -> None:
    if due_on is not None and due_on < reported_on:
        raise InvalidValue("error.date_order", later="due_on", later_value=due_on.isoformat(),
                           earlier="reported_on", earlier_value=reported_on.isoformat())
    if resolved_on is not None and resolved_on < reported_on:
        raise InvalidValue("error.date_order", later="resolved_on", later_value=resolved_on.isoformat(),
                           earlier="reported_on", earlier_value=reported_on.isoformat())


def ensure_tag(db: Any, name: str) -> int:
    """The id of the named tag, creating it when missing; `db` is a session or a connection.

    A new tag is inserted with ON CONFLICT DO NOTHING: on PostgreSQL two cadres filing with
    the same new tag at the same moment must both succeed, not one of them hit the unique key.
    """
    tag_id = db.execute(select(Tag.id).where(Tag.name == name)).scalar_one_or_none()
    if tag_id is None:
        dialect = getattr(db, "dialect", None) or db.get_bind().dialect
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        db.execute(insert(Tag).values(name=name).on_conflict_do_nothing(index_elements=["name"]))
        tag_id = db.execute(select(Tag.id).where(Tag.name == name)).scalar_one()
    return int(tag_id)


def tag_ids(session: Session, names: list[str]) -> list[int]:
    """Ids of the named tags, creating the missing ones."""
    return [ensure_tag(session, name) for name in names]


def issue_tags(session: Session, issue_id: int) -> list[str]:
    return list(session.execute(
        select(Tag.name).join(IssueTag, IssueTag.tag_id == Tag.id)
        .where(IssueTag.issue_id == issue_id).order_by(Tag.name)
    ).scalars())


def set_tags(session: Session, issue_id: int, names: list[str]) -> None:
    session.execute(delete(IssueTag).where(IssueTag.issue_id == issue_id))
    for tag_id in tag_ids(session, names):
        session.add(IssueTag(issue_id=issue_id, tag_id=tag_id))


def snapshot(issue: Issue, tags: list[str]) -> str:
    """The fields of a new issue as JSON, stored in its created/imported event."""
    fields = {
        "title": issue.title, "description": issue.description, "enterprise_id": issue.enterprise_id,
        "project": issue.project, "category_id": issue.category_id, "kind": issue.kind,
        "source": issue.source, "priority": issue.priority, "status": issue.status,
        "department_id": issue.department_id, "owner": issue.owner,
        "reported_on": encode_value(issue.reported_on), "due_on": encode_value(issue.due_on),
        "resolved_on": encode_value(issue.resolved_on), "resolution": issue.resolution, "tags": tags,
    }
    if issue.visit_id is not None:  # the visit that found it (issue 22): only then, so older chains read as before
        fields["visit_id"] = issue.visit_id
    return json.dumps(fields, ensure_ascii=False, sort_keys=True)


def visit_source_error(visit_id: int | None, visit_kind: str, given: str | None, *,
                       imported: bool = False) -> InvalidValue | None:
    """The refusal of `given` (a source code) as the source of a problem found on visit
    `visit_id` made as `visit_kind` (DESIGN §12): the visit decides it (`visit` for an on-site
    visit, else how it was made), so any other is refused; None when `given` is None or agrees.
    `issue add --visit`, `issue edit --source` and an import row that names a visit ask here."""
    if given is None or given == visit_kind:
        return None
    return InvalidValue("error.import_visit_source" if imported else "error.visit_source", id=visit_id,
                        visit_kind=Msg(f"visit_kind.{visit_kind}"), expected=Msg(f"source.{visit_kind}"),
                        given=Msg(f"source.{given}"))


def check_found_on(session: Session, visit: Visit, enterprise_id: int | None, reported_on: date) -> None:
    """A problem found on a visit is the visited enterprise's and reported on or after the visit
    (DESIGN §12): `issue add --visit` and `issue edit` of such a problem ask here."""
    from qiye_service.models import Enterprise

    if visit.enterprise_id != enterprise_id:
        raise InvalidValue("error.visit_other_enterprise", id=visit.id,
                           visited=session.get_one(Enterprise, visit.enterprise_id).name,
                           enterprise=session.get_one(Enterprise, enterprise_id).name)
    if reported_on < visit.visited_on:
        raise InvalidValue("error.date_order", later="reported_on", later_value=reported_on.isoformat(),
                           earlier="visit", earlier_value=visit.visited_on.isoformat())


def require_visit_source(visit_id: int | None, visit_kind: str, given: str | None) -> None:
    error = visit_source_error(visit_id, visit_kind, given)
    if error is not None:
        raise error


def add_issue(
    session: Session,
    *,
    actor: Actor,
    title: str,
    enterprise: str,
    category: str,
    kind: str = "individual",
    source: str | None = None,
    priority: str = "normal",
    department: str | None = None,
    owner: str | None = None,
    reported_on: date | None = None,
    due_on: date | None = None,
    tags: list[str] | tuple[str, ...] = (),
    project: str | None = None,
    description: str | None = None,
    deadline: Callable[[str, str, date], date | None] | None = None,
    response_deadline: Callable[[date], date] | None = None,
    dispatched_on: date | None = None,
    visit: int | None = None,
) -> Issue:
    """File a new issue; returns it with its id.

    Without `due_on`, `deadline(priority, category_code, reported_on)` gives the default.
    Filing with a department or owner dispatches it; `response_deadline(dispatch_day)`
    gives the date it must be acknowledged by (DESIGN §8). The dispatch happens on
    `dispatched_on`, else on the reported date: a back-filled issue was dispatched when it
    was reported, not today (issue 17).

    `visit`: the id of the visit (走访) that found the problem (issue 22). The problem is the
    visited enterprise's, reported on or after the visit (on the visit's day unless given), and
    its source is how the visit was made (`visit` for an on-site visit, DESIGN §12): a `source`
    that says otherwise is refused.
    """
    clean_title = clean_text(title, "title", limit=TITLE_LIMIT, required=True)
    found_enterprise = lookups.find_enterprise(session, enterprise)
    found_category = lookups.find_category(session, category)
    found_department = lookups.find_department(session, department) if department else None
    found_visit = None
    if visit is not None:
        from qiye_service.services.visits import get_visit

        found_visit = get_visit(session, visit)
        reported_on = reported_on or found_visit.visited_on
        check_found_on(session, found_visit, found_enterprise.id, reported_on)
    if found_visit is not None:
        given = lookups.choice(Source, source, "--source", lookups.SOURCE_ALIASES) if source is not None else None
        require_visit_source(found_visit.id, found_visit.kind, given)
        source = found_visit.kind
    elif source is None:
        source = Source.visit.value
    reported = reported_on or actor.today
    clean_priority = lookups.choice(Priority, priority, "--priority", lookups.PRIORITY_ALIASES)
    if due_on is None and deadline is not None:
        due_on = deadline(clean_priority, found_category.code, reported)
    check_dates(reported, due_on, None)
    dispatched = found_department is not None or bool(clean_text(owner, "owner", limit=NAME_LIMIT))
    dispatch_day = _dispatch_day(reported, dispatched_on, dispatched, actor)
    issue = Issue(
        title=clean_title,
        description=clean_text(description, "description"),
        enterprise_id=found_enterprise.id,
        project=clean_text(project, "project", limit=TITLE_LIMIT),
        category_id=found_category.id,
        kind=lookups.choice(Kind, kind, "--kind", lookups.KIND_ALIASES),
        source=lookups.choice(Source, source, "--source", lookups.SOURCE_ALIASES),
        priority=clean_priority,
        status=Status.open.value,
        department_id=found_department.id if found_department else None,
        owner=clean_text(lookups.owner_to_store(session, owner), "owner", limit=NAME_LIMIT),
        reported_on=reported,
        due_on=due_on,
        created_by=actor.name,
        created_at=actor.now,
        updated_at=actor.now,
        dispatched_at=_dispatched_at(dispatch_day, actor) if dispatch_day else None,
        reopen_count=0,
        visit_id=found_visit.id if found_visit is not None else None,
    )
    if dispatch_day is not None and response_deadline is not None:
        issue.acknowledge_by = response_deadline(dispatch_day)
    session.add(issue)
    session.flush()
    assert issue.id is not None
    clean = clean_tags(list(tags))
    set_tags(session, issue.id, clean)
    record_event(session, issue, actor=actor.name, at=actor.now, action="created", new=snapshot(issue, clean))
    if issue.department_id is not None:
        from qiye_service.services import cycle

        cycle.lead_dispatch(session, issue)
    session.flush()
    return issue


def _dispatch_day(reported: date, dispatched_on: date | None, dispatched: bool, actor: Actor) -> date | None:
    """The day a new issue is dispatched: `dispatched_on`, else its reported date (a
    back-filled issue was dispatched when it was reported); None when it goes to no one."""
    if not dispatched:
        if dispatched_on is not None:
            raise InvalidValue("error.dispatched_without_dept")
        return None
    day = dispatched_on or min(reported, actor.today)
    _check_dispatched_on(day, reported, actor)
    return day


def _check_dispatched_on(day: date, reported: date, actor: Actor) -> None:
    """A dispatch happened: not after today, not before the issue was reported."""
    check_date(day, today=actor.today, past=True)
    if day < reported:
        raise InvalidValue("error.date_order", later="dispatched_on", later_value=day.isoformat(),
                           earlier="reported_on", earlier_value=reported.isoformat())


def _dispatched_at(day: date, actor: Actor) -> datetime:
    """The stored instant of a dispatch on `day`: now when that is today, else that office day's start."""
    return actor.now if day == actor.today else office_hour_utc(day, actor.timezone)


EDITABLE = ("title", "description", "enterprise", "project", "category", "kind", "source", "priority",
            "department", "owner", "reported_on", "due_on", "resolved_on", "dispatched_on")


def edit_issue(session: Session, issue_id: int, *, actor: Actor, changes: dict[str, Any],
               tags: list[str] | None = None,
               response_deadline: Callable[[date], date] | None = None,
               calendar: Any = None) -> list[str]:
    """Apply field changes; returns the names of the fields that really changed.

    `resolved_on` and `dispatched_on` correct the date of a close-out or a dispatch the user
    got wrong (DESIGN §3), recorded as an edit like any other; `response_deadline` gives the
    corrected dispatch's acknowledgement deadline."""
    issue = lookups.get_issue(session, issue_id, for_update=True)
    changes = dict(changes)
    dispatched_on = changes.pop("dispatched_on", None)
    new_values: dict[str, tuple[str, Any, Any]] = {}  # field -> (column, stored value, shown value)
    for field, value in changes.items():
        if field not in EDITABLE:
            raise InvalidValue("error.bad_choice", field="field", value=field, valid=", ".join(EDITABLE))
        if field == "title":
            new_values[field] = ("title", clean_text(value, "title", limit=TITLE_LIMIT, required=True), None)
        elif field in ("description",):
            new_values[field] = (field, clean_text(value, field), None)
        elif field == "project":
            new_values[field] = (field, clean_text(value, field, limit=TITLE_LIMIT), None)
        elif field == "owner":
            new_values[field] = (field, clean_text(lookups.owner_to_store(session, value), field, limit=NAME_LIMIT), None)
        elif field == "enterprise":
            found = lookups.find_enterprise(session, value)
            new_values[field] = ("enterprise_id", found.id, found.name)
        elif field == "category":
            found_category = lookups.find_category(session, value)
            new_values[field] = ("category_id", found_category.id, found_category.code)
        elif field == "department":
            if value is None or not str(value).strip():
                new_values[field] = ("department_id", None, None)
            else:
                found_department = lookups.find_department(session, value)
                new_values[field] = ("department_id", found_department.id, found_department.name)
        elif field == "kind":
            new_values[field] = (field, lookups.choice(Kind, value, f"--{field}", lookups.KIND_ALIASES), None)
        elif field == "source":
            given = lookups.choice(Source, value, f"--{field}", lookups.SOURCE_ALIASES)
            if issue.visit_id is not None:  # a problem found on a visit has the visit's source (DESIGN §12)
                require_visit_source(issue.visit_id, session.get_one(Visit, issue.visit_id).kind, given)
            new_values[field] = (field, given, None)
        elif field == "priority":
            new_values[field] = (field, lookups.choice(Priority, value, f"--{field}", lookups.PRIORITY_ALIASES), None)
        elif field == "resolved_on":
            if issue.status not in (Status.resolved.value, Status.verifying.value):
                raise InvalidValue("error.not_resolved_date", id=issue.id, status=issue.status)
            new_values[field] = (field, check_date(value, today=actor.today, past=True), None)
        else:  # reported_on, due_on: already dates
            new_values[field] = (field, value, None)

    reported = new_values.get("reported_on", (None, issue.reported_on))[1]
    if reported is None:
        raise InvalidValue("error.empty", field="reported_on")
    due = new_values["due_on"][1] if "due_on" in new_values else issue.due_on
    resolved = new_values["resolved_on"][1] if "resolved_on" in new_values else issue.resolved_on
    check_dates(reported, due, resolved)
    _check_after_resolved(issue, resolved)
    if issue.visit_id is not None and ("enterprise" in new_values or "reported_on" in new_values):
        enterprise_id = new_values["enterprise"][1] if "enterprise" in new_values else issue.enterprise_id
        check_found_on(session, session.get_one(Visit, issue.visit_id), enterprise_id, reported)
    dispatch = _corrected_dispatch(issue, dispatched_on, reported, actor) if dispatched_on else None

    changed: list[str] = []
    shown_old = row_labels(session, issue)
    for field, (column, stored, shown) in new_values.items():
        if getattr(issue, column) == stored:
            continue
        setattr(issue, column, stored)
        old = shown_old.get(field, getattr(issue, column))
        record_event(session, issue, actor=actor.name, at=actor.now, action="edited", field=field,
                     old=old, new=shown if shown is not None else stored)
        changed.append(field)
    if dispatch is not None:
        old_day, new_day = dispatch
        record_event(session, issue, actor=actor.name, at=actor.now, action="edited", field="dispatched_on",
                     old=old_day, new=new_day)
        issue.dispatched_at = _dispatched_at(new_day, actor)
        if response_deadline is not None:
            issue.acknowledge_by = response_deadline(new_day)
        changed.append("dispatched_on")
    if tags is not None:
        assert issue.id is not None
        before = issue_tags(session, issue.id)
        after = clean_tags(tags)
        if sorted(before) != sorted(after):
            set_tags(session, issue.id, after)
            record_event(session, issue, actor=actor.name, at=actor.now, action="tagged", field="tags",
                         old=before, new=sorted(after))
            changed.append("tags")
    if "due_on" in changed and calendar is not None:
        # The deadline in force follows a corrected due date unless an extension replaced it.
        from qiye_service.services.extensions import refresh_deadline

        refresh_deadline(session, issue, actor, calendar)
    if changed:
        issue.updated_at = actor.now
    session.flush()
    return changed


def _check_after_resolved(issue: Issue, resolved: date | None) -> None:
    """A corrected close-out date cannot come after the callback made on it."""
    callback_on = getattr(issue, "callback_on", None)
    if resolved is not None and callback_on is not None and callback_on < resolved:
        raise InvalidValue("error.date_order", later="callback_on", later_value=callback_on.isoformat(),
                           earlier="resolved_on", earlier_value=resolved.isoformat())


def _corrected_dispatch(issue: Issue, day: date, reported: date, actor: Actor) -> tuple[date, date] | None:
    """(old, new) dispatch day when `day` corrects it; None when it already is that day.

    Only a dispatched issue has a dispatch date, and it lies between the reported date and
    today, not after the acknowledgement."""
    if issue.dispatched_at is None:
        raise InvalidValue("error.dispatched_without_dept")
    _check_dispatched_on(day, reported, actor)
    if issue.acknowledged_at is not None:
        acknowledged_on = local_date(issue.acknowledged_at, actor.timezone)
        if acknowledged_on < day:
            raise InvalidValue("error.date_order", later="acknowledged_on", later_value=acknowledged_on.isoformat(),
                               earlier="dispatched_on", earlier_value=day.isoformat())
    old_day = local_date(issue.dispatched_at, actor.timezone)
    return None if old_day == day else (old_day, day)


def row_labels(session: Session, issue: Issue) -> dict[str, Any]:
    """The shown values of an issue's reference fields, for history's old values."""
    from qiye_service.models import Category, Department, Enterprise

    labels: dict[str, Any] = {
        "enterprise": session.get(Enterprise, issue.enterprise_id).name,  # type: ignore[union-attr]
        "category": session.get(Category, issue.category_id).code,  # type: ignore[union-attr]
        "department": None,
    }
    if issue.department_id is not None:
        labels["department"] = session.get(Department, issue.department_id).name  # type: ignore[union-attr]
    for column in ("title", "description", "project", "owner", "kind", "source", "priority",
                   "reported_on", "due_on", "resolved_on"):
        labels[column] = getattr(issue, column)
    return labels


def _set_status(session: Session, issue: Issue, actor: Actor, new_status: str, note: str | None) -> None:
    record_event(session, issue, actor=actor.name, at=actor.now, action="status", field="status",
                 old=issue.status, new=new_status, note=note)
    issue.status = new_status
    issue.updated_at = actor.now


def _set_field(session: Session, issue: Issue, actor: Actor, field: str, value: Any) -> None:
    if getattr(issue, field) == value:
        return
    record_event(session, issue, actor=actor.name, at=actor.now, action="edited", field=field,
                 old=getattr(issue, field), new=value)
    setattr(issue, field, value)


def start_issue(session: Session, issue_id: int, *, actor: Actor, note: str | None = None,
                on: date | None = None, department: str | None = None) -> Issue:
    """open → in_progress; the acknowledgement (签收) of a dispatch, now or on an earlier
    day `on` (taken as the start of that office day, and recorded in the history).

    With `department` a co-handling department (协办) acknowledges its own dispatch instead
    (services.cycle); the lead's acknowledgement is this one."""
    from qiye_service.services import cycle

    issue = lookups.get_issue(session, issue_id, for_update=True)
    if not cycle.is_lead(session, issue, department):
        if on is not None and on != actor.today:
            raise InvalidValue("error.cycle_co_backdated")
        return cycle.acknowledge_co(session, issue_id, department or "", actor=actor, note=note)
    cycle.check_lead_may_acknowledge(session, issue)
    target = workflow.step(issue, "start")
    backdated = on is not None and on != actor.today
    if backdated:
        _check_acknowledged_on(issue, on, actor)
    _set_status(session, issue, actor, target, clean_text(note, "note"))
    if backdated:
        _set_field(session, issue, actor, "acknowledged_at", office_hour_utc(on, actor.timezone))
    elif issue.acknowledged_at is None:
        issue.acknowledged_at = actor.now
    cycle.acknowledge_lead(session, issue)
    session.flush()
    return issue


def _check_acknowledged_on(issue: Issue, on: date, actor: Actor) -> None:
    """An acknowledgement cannot come before the issue was reported or dispatched, nor after today."""
    check_date(on, today=actor.today, past=True)
    if on < issue.reported_on:
        raise InvalidValue("error.date_order", later="acknowledged_on", later_value=on.isoformat(),
                           earlier="reported_on", earlier_value=issue.reported_on.isoformat())
    if issue.dispatched_at is not None:
        dispatched_on = local_date(issue.dispatched_at, actor.timezone)
        if on < dispatched_on:
            raise InvalidValue("error.date_order", later="acknowledged_on", later_value=on.isoformat(),
                               earlier="dispatched_on", earlier_value=dispatched_on.isoformat())


def resolve_issue(session: Session, issue_id: int, *, actor: Actor, note: str | None,
                  on: date | None = None, verify: bool = False, evidence: bool = False) -> Issue:
    """open or in_progress → resolved (销号); needs a close-out note.

    With `verify` (config `closeout.verify`, issue 20) the close-out waits for a supervisor:
    → verifying, with its date and note, until `verify_closeout` or `reject_closeout`. With
    `evidence` (config `closeout.evidence required`, issue 23) it needs an attachment."""
    issue = lookups.get_issue(session, issue_id, for_update=True)
    target = workflow.step(issue, "resolve")
    _refuse_suspended(issue)
    _require_evidence(session, issue, evidence)
    resolution = clean_text(note, "note")
    if resolution is None:
        raise InvalidValue("error.note_required", action="resolve", id=issue.id)
    resolved_on = check_date(on or actor.today, today=actor.today, past=True)
    check_dates(issue.reported_on, None, resolved_on)
    _set_status(session, issue, actor, Status.verifying.value if verify else target, resolution)
    _set_field(session, issue, actor, "resolved_on", resolved_on)
    _set_field(session, issue, actor, "resolution", resolution)
    if verify:
        issue.closeout_by = actor.name
    session.flush()
    return issue


def _require_evidence(session: Session, issue: Issue, required: bool) -> None:
    if required:
        from qiye_service.services.attachments import count_attachments

        assert issue.id is not None
        workflow.require_evidence(issue, count_attachments(session, issue.id), required)


def _refuse_suspended(issue: Issue) -> None:
    """A suspended issue's clock is stopped: it is resumed (`issue resume`) before it is closed
    out or deferred, so the held working days are recorded."""
    if issue.suspended_on is not None:
        raise InvalidTransition("error.suspended", id=issue.id, since=issue.suspended_on.isoformat())


def verify_closeout(session: Session, issue_id: int, *, actor: Actor, note: str | None = None,
                    evidence: bool = False) -> Issue:
    """verifying → resolved (审核销号): a supervisor accepts the close-out; not its author. With
    `evidence` (issue 23) the issue must have an attachment by then."""
    from qiye_service.services.extensions import require_four_eyes

    issue = lookups.get_issue(session, issue_id, for_update=True)
    target = workflow.step(issue, "verify")
    require_four_eyes(actor.name, issue.closeout_by, "verify")
    _require_evidence(session, issue, evidence)
    record_event(session, issue, actor=actor.name, at=actor.now, action="verified", field="status",
                 old=issue.status, new=target, note=clean_text(note, "note"))
    issue.status = target
    issue.verified_by = actor.name
    issue.verified_at = actor.now
    issue.updated_at = actor.now
    session.flush()
    return issue


def reject_closeout(session: Session, issue_id: int, *, actor: Actor, note: str | None) -> Issue:
    """verifying → in_progress: the close-out is rejected and the issue is redone (重办),
    counted as a reopen; the note (why) is required."""
    from qiye_service.services.extensions import require_four_eyes

    issue = lookups.get_issue(session, issue_id, for_update=True)
    target = workflow.step(issue, "reject")
    require_four_eyes(actor.name, issue.closeout_by, "verify")
    why = clean_text(note, "note")
    if why is None:
        raise InvalidValue("error.note_required", action="verify", id=issue.id)
    record_event(session, issue, actor=actor.name, at=actor.now, action="rejected", field="status",
                 old=issue.status, new=target, note=why)
    issue.status = target
    issue.reopen_count = (issue.reopen_count or 0) + 1
    issue.updated_at = actor.now
    _set_field(session, issue, actor, "resolved_on", None)
    session.flush()
    return issue


def defer_issue(session: Session, issue_id: int, *, actor: Actor, note: str | None) -> Issue:
    """open or in_progress → deferred (暂缓); needs a reason."""
    issue = lookups.get_issue(session, issue_id, for_update=True)
    target = workflow.step(issue, "defer")
    _refuse_suspended(issue)
    reason = clean_text(note, "note")
    if reason is None:
        raise InvalidValue("error.note_required", action="defer", id=issue.id)
    _set_status(session, issue, actor, target, reason)
    session.flush()
    return issue


def reopen_issue(session: Session, issue_id: int, *, actor: Actor, note: str | None = None) -> Issue:
    """resolved or deferred → in_progress; clears resolved_on."""
    issue = lookups.get_issue(session, issue_id, for_update=True)
    target = workflow.step(issue, "reopen")
    if issue.status == Status.resolved.value:
        issue.reopen_count = (issue.reopen_count or 0) + 1
    _set_status(session, issue, actor, target, clean_text(note, "note"))
    _set_field(session, issue, actor, "resolved_on", None)
    session.flush()
    return issue


def comment_issue(session: Session, issue_id: int, *, actor: Actor, text: str) -> Issue:
    """A follow-up note (跟进) in the issue's history."""
    issue = lookups.get_issue(session, issue_id, for_update=True)
    note = clean_text(text, "comment", required=True)
    record_event(session, issue, actor=actor.name, at=actor.now, action="comment", note=note)
    issue.updated_at = actor.now
    session.flush()
    return issue


def assign_issue(session: Session, issue_id: int, *, actor: Actor, owner: str | None = None,
                 department: str | None = None, note: str | None = None,
                 response_deadline: Callable[[date], date] | None = None,
                 co: list[str] | tuple[str, ...] = (), due_on: date | None = None) -> list[str]:
    """Dispatch (派单) to a lead department and/or owner, and to co-handling departments (协办,
    `co`); returns the fields that changed. `due_on` is the deadline of the departments this
    dispatch names (the lead's is the issue's own).

    `response_deadline(dispatch_day)` gives the date the dispatch must be acknowledged by.
    Re-dispatching the lead after it returned the issue (退单) is a transfer (services.cycle).
    """
    from qiye_service.services import cycle

    if owner is None and department is None and not co:
        raise InvalidValue("error.assign_needs_one")
    issue = lookups.get_issue(session, issue_id, for_update=True)
    workflow.step(issue, "assign")
    labels = row_labels(session, issue)
    changed: list[str] = []
    previous_department = issue.department_id
    if department is not None:
        found = lookups.find_department(session, department)
        if issue.department_id != found.id:
            record_event(session, issue, actor=actor.name, at=actor.now, action="assigned",
                         field="department", old=labels["department"], new=found.name, note=note)
            issue.department_id = found.id
            changed.append("department")
            if due_on is not None and due_on != issue.due_on:
                check_dates(issue.reported_on, due_on, None)
                _set_field(session, issue, actor, "due_on", due_on)
    if owner is not None:
        clean_owner = clean_text(lookups.owner_to_store(session, owner), "owner", limit=NAME_LIMIT, required=True)
        if issue.owner != clean_owner:
            record_event(session, issue, actor=actor.name, at=actor.now, action="assigned",
                         field="owner", old=issue.owner, new=clean_owner, note=note)
            issue.owner = clean_owner
            changed.append("owner")
    if changed:
        issue.dispatched_at = actor.now
        issue.acknowledge_by = response_deadline(actor.today) if response_deadline is not None else None
        issue.acknowledged_at = None if issue.status == Status.open.value else issue.acknowledged_at
        issue.updated_at = actor.now
    if "department" in changed:
        cycle.dispatch_lead(session, issue, actor=actor, previous_department=previous_department, due_on=due_on,
                            note=note)
    if co:
        if due_on is not None:
            check_dates(issue.reported_on, due_on, None)
        added = cycle.dispatch_co(session, issue, list(co), actor=actor, due_on=due_on, note=note,
                                  response_deadline=response_deadline)
        if added:
            cycle.transfer_returned_co(session, issue, actor=actor, to=added, note=note)
            changed.append("co_departments")
    session.flush()
    return changed


@dataclass(frozen=True)
class TagChanges:
    """What `issue tag` did: the tags added and removed, the ones asked for that were already
    there (+) or not there (-), and the tags the issue has now."""

    added: list[str]
    removed: list[str]
    already: list[str]
    absent: list[str]
    tags: list[str]


def tag_issue(session: Session, issue_id: int, *, actor: Actor, operations: list[str]) -> TagChanges:
    """Apply `+TAG` / `-TAG` operations; returns what changed and the resulting tags."""
    issue = lookups.get_issue(session, issue_id, for_update=True)
    assert issue.id is not None
    before = issue_tags(session, issue.id)
    after = list(before)
    if not operations:
        raise InvalidValue("error.bad_tag_op", value="")
    added: list[str] = []
    removed: list[str] = []
    already: list[str] = []
    absent: list[str] = []
    for op in operations:
        sign, name = op[:1], op[1:]
        tag = clean_text(name, "tag", limit=TAG_LIMIT)
        if sign not in ("+", "-") or tag is None:
            raise InvalidValue("error.bad_tag_op", value=op)
        if sign == "+":
            if tag not in after:
                after.append(tag)
                added.append(tag)
            elif tag not in added and tag not in already:
                already.append(tag)
        elif tag in after:
            after.remove(tag)
            if tag in added:  # +A -A: nothing happened to A
                added.remove(tag)
            else:
                removed.append(tag)
        elif tag not in removed and tag not in absent:
            absent.append(tag)
    after.sort()
    if after != before:
        set_tags(session, issue.id, after)
        record_event(session, issue, actor=actor.name, at=actor.now, action="tagged", field="tags",
                     old=before, new=after)
        issue.updated_at = actor.now
    session.flush()
    return TagChanges(added=added, removed=removed, already=already, absent=absent, tags=after)


DUPLICATE_CUTOFF = 90.0  # rapidfuzz ratio (0-100) of two titles that say the same thing


def _title_key(title: str) -> str:
    """A title as compared: letters and digits only, case folded (spaces and punctuation differ freely)."""
    return "".join(ch for ch in title.casefold() if ch.isalnum())


def near_duplicates(session: Session, issue: Issue) -> list[tuple[int, str]]:
    """The same enterprise's other unresolved issues whose title is near-identical to this one's
    (`二期厂房消防验收未通过` and `二期厂房消防验收未通过。`), as (id, title), most alike first;
    titles whose numbers differ (3号楼, 5号楼) are not near-identical.

    Only that enterprise's unresolved titles are read (the enterprise_id index), never the ledger.
    """
    from rapidfuzz import fuzz, process

    from qiye_service.models import UNRESOLVED_STATUSES

    rows = session.execute(
        select(Issue.id, Issue.title).where(
            Issue.enterprise_id == issue.enterprise_id, Issue.status.in_(UNRESOLVED_STATUSES),  # type: ignore[attr-defined]
            Issue.id != issue.id,
        )
    ).all()
    titles = {row.id: row.title for row in rows}
    found = process.extract(issue.title, titles, scorer=fuzz.ratio, processor=_title_key,
                            score_cutoff=DUPLICATE_CUTOFF, limit=None)
    # Titles that differ in a number (3号楼 and 5号楼, 批次1 and 批次2) are different problems.
    numbers = re.findall(r"\d+", issue.title)
    found = [match for match in found if re.findall(r"\d+", match[0]) == numbers]
    found.sort(key=lambda match: (-match[1], match[2]))
    return [(issue_id, title) for title, _, issue_id in found]
