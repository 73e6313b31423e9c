"""Supervision (督办), acknowledgement and callbacks (回访) of DESIGN §8, in one place.

The escalation ladder, the response rule and the callback/satisfaction rates are defined
here once, as SQL expressions over Issue, so `issue list`, filters and every report agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import Session

from qiye_service.dates import check_date
from qiye_service.errors import Conflict, InvalidTransition, InvalidValue
from qiye_service.models import UNRESOLVED_STATUSES, CallbackResult, CallbackSolved, Issue, Status
from qiye_service.services import lookups, workflow
from qiye_service.services.history import record_event
from qiye_service.services.issues import Actor, clean_text, reopen_issue
from qiye_service.workdays import WorkingCalendar, parse_working_days

# --- thresholds -------------------------------------------------------------------------

RED = "red"
OVERDUE = "overdue"
DUE_SOON = "due-soon"
LEVELS = (RED, OVERDUE, DUE_SOON)
"""Escalation levels, most severe first: red 红色, overdue 黄色 (yellow), due-soon 蓝色 (blue)."""

LEVEL_ALIASES = {
    "red": RED, "红": RED, "红色": RED, "挂牌督办": RED,
    "overdue": OVERDUE, "yellow": OVERDUE, "黄": OVERDUE, "黄色": OVERDUE, "逾期": OVERDUE, "超期": OVERDUE,
    "due-soon": DUE_SOON, "due_soon": DUE_SOON, "duesoon": DUE_SOON, "due soon": DUE_SOON, "soon": DUE_SOON,
    "blue": DUE_SOON, "蓝": DUE_SOON, "蓝色": DUE_SOON, "临期": DUE_SOON, "即将到期": DUE_SOON,
}


@dataclass(frozen=True)
class Thresholds:
    """The working-day limits of the ladder and of acknowledgement (config `escalation.*`,
    `response.limit`)."""

    due_soon_wd: int = 3  # due within this many working days: blue
    red_wd: int = 5  # more than this many working days late: red
    response_wd: int = 1  # working days allowed to acknowledge a dispatch


def _working_days_setting(config: dict[str, str], key: str, default: int) -> int:
    raw = (config.get(key) or "").strip()
    if not raw:
        return default
    value = int(raw) if raw.isascii() and raw.isdigit() else parse_working_days(raw)
    if value is None or value < 0:
        raise InvalidValue("error.config_value", key=key, value=raw, reason="working_days")
    return value


def thresholds_from_config(config: dict[str, str]) -> Thresholds:
    """Thresholds from flat config keys; `3` and `3wd` both mean three working days."""
    defaults = Thresholds()
    return Thresholds(
        due_soon_wd=_working_days_setting(config, "escalation.due_soon", defaults.due_soon_wd),
        red_wd=_working_days_setting(config, "escalation.red", defaults.red_wd),
        response_wd=_working_days_setting(config, "response.limit", defaults.response_wd),
    )


def parse_level(text: str) -> str:
    """A level as typed (`red`, `黄色`, `blue`, `due-soon` …) as its code."""
    raw = text.strip()
    found = LEVEL_ALIASES.get(raw.lower()) or LEVEL_ALIASES.get(raw)
    if found is None:
        raise InvalidValue("error.bad_choice", field="--level", value=text,
                           valid="due-soon (blue/蓝色), overdue (yellow/黄色), red (红色)")
    return found


def parse_levels(texts: list[str]) -> list[str]:
    levels: list[str] = []
    for text in texts:
        level = parse_level(text)
        if level not in levels:
            levels.append(level)
    return levels


# --- the escalation ladder ----------------------------------------------------------------


@dataclass(frozen=True)
class LevelCutoffs:
    """The ladder for one as-of date as plain dates, so a level is a CASE on due_on.

    Working days late = working days after due_on up to and including as_of
    (WorkingCalendar.working_days_between). That exceeds `red_wd` exactly when due_on is
    before `red_before`, the (red_wd + 1)-th working day on or before as_of.
    """

    as_of: date
    red_before: date  # unresolved and due before this: red
    due_soon_until: date  # unresolved and due from as_of up to this day: due-soon (blue)
    # The end of as_of as a stored (UTC) instant when the ladder is measured as it stood then
    # (a past week's report); None: as the issues stand now.
    ends_at: datetime | None = None


def level_cutoffs(as_of: date, calendar: WorkingCalendar, thresholds: Thresholds, *,
                  ends_at: datetime | None = None) -> LevelCutoffs:
    """Precompute the ladder for `as_of` (today, or a report's week end)."""
    # Counting back from the day after as_of makes as_of itself the first working day
    # when it is one.
    red_before = calendar.add_working_days(as_of + timedelta(days=1), -(thresholds.red_wd + 1))
    due_soon_until = calendar.add_working_days(as_of, thresholds.due_soon_wd)
    return LevelCutoffs(as_of=as_of, red_before=red_before, due_soon_until=due_soon_until, ends_at=ends_at)


def unresolved_now() -> Any:
    """Not resolved, as the issues stand now, in the form a WHERE clause wants: the statuses
    named, which the (status, …) indexes read as three ranges, where `!= 'resolved'` reads all."""
    return Issue.status.in_(UNRESOLVED_STATUSES)


def unresolved_clause(cutoffs: LevelCutoffs) -> Any:
    """Not resolved: now, by status; at the end of a past day, also resolved only after it.
    An issue reopened since has lost its resolved_on and counts as unresolved then too: the
    ledger keeps only its latest close-out.

    Now, `status != 'resolved'`: the ladder's CASE tests it on every row of a report, where
    it costs a third less than the IN list of unresolved_now()."""
    if cutoffs.ends_at is None:
        return Issue.status != Status.resolved.value
    return or_(Issue.status != Status.resolved.value, Issue.resolved_on > cutoffs.as_of)


def _escalated(cutoffs: LevelCutoffs) -> Any:
    if cutoffs.ends_at is None:
        return Issue.escalated_at.is_not(None)
    return and_(Issue.escalated_at.is_not(None), Issue.escalated_at < cutoffs.ends_at)


def _not_escalated(cutoffs: LevelCutoffs) -> Any:
    if cutoffs.ends_at is None:
        return Issue.escalated_at.is_(None)
    return or_(Issue.escalated_at.is_(None), Issue.escalated_at >= cutoffs.ends_at)


def deadline_expression() -> Any:
    """The deadline in force (issue 20), as SQL: the approved extension moved on by the working
    days the issue was suspended, stored as deadline_on when it differs from the original
    due_on; else due_on. Every overdue figure, level and on-time count compares against it."""
    return func.coalesce(Issue.deadline_on, Issue.due_on)


def deadline_compare(op: str, day: date) -> Any:
    """`deadline in force <op> day` written as plain comparisons on the columns themselves
    (deadline_on when set, else due_on), which the (status, due_on) index can serve, rather
    than a function around a column; `op` is one of < <= >= >."""
    compare = {"<": lambda c: c < day, "<=": lambda c: c <= day, ">=": lambda c: c >= day,
               ">": lambda c: c > day}[op]
    return or_(and_(Issue.deadline_on.is_(None), compare(Issue.due_on)), compare(Issue.deadline_on))


def running_clause(cutoffs: LevelCutoffs) -> Any:
    """The clock is running: the issue is not suspended (挂起) on the as-of date. A suspended
    issue is on no rung of the ladder but an explicit escalation (挂牌督办), and not overdue."""
    if cutoffs.ends_at is None:
        return Issue.suspended_on.is_(None)
    return or_(Issue.suspended_on.is_(None), Issue.suspended_on > cutoffs.as_of)


def red_clause(cutoffs: LevelCutoffs) -> Any:
    """红色: escalated (挂牌督办), or more than red_wd working days late."""
    late = and_(running_clause(cutoffs), deadline_compare("<", cutoffs.red_before))
    return and_(unresolved_clause(cutoffs), or_(_escalated(cutoffs), late))


def overdue_clause(cutoffs: LevelCutoffs) -> Any:
    """黄色: due before as_of, at most red_wd working days late, not escalated."""
    return and_(unresolved_clause(cutoffs), _not_escalated(cutoffs), running_clause(cutoffs),
                deadline_compare(">=", cutoffs.red_before), deadline_compare("<", cutoffs.as_of))


def due_soon_clause(cutoffs: LevelCutoffs) -> Any:
    """蓝色: due from as_of through due_soon_wd working days ahead, not escalated."""
    return and_(unresolved_clause(cutoffs), _not_escalated(cutoffs), running_clause(cutoffs),
                deadline_compare(">=", cutoffs.as_of), deadline_compare("<=", cutoffs.due_soon_until))


_CLAUSES = {RED: red_clause, OVERDUE: overdue_clause, DUE_SOON: due_soon_clause}


def level_expression(cutoffs: LevelCutoffs) -> Any:
    """'red' | 'overdue' | 'due-soon' | NULL for each issue, as one SQL CASE.

    Resolved issues have no level. Deferred (暂缓) issues are treated like any other
    unresolved issue: a deferral stops the work, not the clock, and a supervisor wants
    a deferred problem that has run past its deadline on the list. Issues without a
    due date have a level only when escalated.
    """
    return case(
        (red_clause(cutoffs), RED),
        (overdue_clause(cutoffs), OVERDUE),
        (due_soon_clause(cutoffs), DUE_SOON),
        else_=None,
    )


def level_clause(levels: list[str], cutoffs: LevelCutoffs) -> Any:
    """A WHERE clause matching issues at any of `levels` (codes or aliases)."""
    return or_(*(_CLAUSES[level](cutoffs) for level in parse_levels(levels)))


def level_count(level: str, cutoffs: LevelCutoffs) -> Any:
    """SUM aggregate: how many of the selected issues are at `level`."""
    return func.coalesce(func.sum(case((_CLAUSES[parse_level(level)](cutoffs), 1), else_=0)), 0)


def levels_by_issue(session: Session, ids: list[int], cutoffs: LevelCutoffs) -> dict[int, str | None]:
    """The level of each listed issue, computed in SQL."""
    found: dict[int, str | None] = {}
    expression = level_expression(cutoffs)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for issue_id, level in session.execute(select(Issue.id, expression).where(Issue.id.in_(chunk))):
            found[issue_id] = level
    return found


# --- dispatch and acknowledgement (response rate) -----------------------------------------


def acknowledge_deadline(dispatch_day: date, calendar: WorkingCalendar, thresholds: Thresholds) -> date:
    """The date by which a dispatch made on `dispatch_day` (in the park's time zone) must be
    acknowledged: that day plus the response limit in working days."""
    return calendar.add_working_days(dispatch_day, thresholds.response_wd)


def response_counted_expression() -> Any:
    """The response rate's denominator: issues that were dispatched (派单)."""
    return Issue.dispatched_at.is_not(None)


def response_ok_expression() -> Any:
    """Acknowledged within the response limit, as an SQL boolean.

    DESIGN §8: "`issue assign` dispatches (派单) to a department and owner; `issue start`
    is the acknowledgement (签收). Response time is start − dispatch (or creation).
    `response_rate` = share acknowledged within the response limit (1 working day by
    default, configurable)."

    - Denominator (`response_counted_expression`): dispatched_at is set — the issue was
      filed with a department or owner, or assigned later. An issue re-dispatched counts
      once, against its latest dispatch.
    - Numerator: acknowledged_at is set and its date is on or before acknowledge_by, the
      park-calendar date fixed at dispatch (dispatch date + response limit in working
      days). A dispatched issue still waiting for acknowledgement counts as not (yet)
      acknowledged in time, and so does one with no recorded acknowledge_by.
    - Approximation: acknowledged_at is stored in UTC and compared by its UTC date, which
      is portable SQL (`date()` in SQLite and PostgreSQL). In Asia/Shanghai (UTC+8) the
      UTC date is never later than the local one, so nothing on time is counted late;
      an acknowledgement between 00:00 and 08:00 local time on the day after the limit
      is counted on time.
    """
    return and_(
        Issue.dispatched_at.is_not(None),
        Issue.acknowledged_at.is_not(None),
        Issue.acknowledge_by.is_not(None),
        func.date(Issue.acknowledged_at) <= Issue.acknowledge_by,
    )


def dispatched_count() -> Any:
    """SUM aggregate: the response rate's denominator."""
    return _count_where(response_counted_expression())


def acknowledged_in_time_count() -> Any:
    """SUM aggregate: the response rate's numerator."""
    return _count_where(response_ok_expression())


# --- callbacks (回访) ------------------------------------------------------------------------

CALLBACK_ALIASES = {
    "满意": "satisfied", "非常满意": "satisfied",
    "基本满意": "basic", "basically satisfied": "basic", "basically_satisfied": "basic",
    "不满意": "unsatisfied", "not satisfied": "unsatisfied", "dissatisfied": "unsatisfied",
}
SATISFIED_RESULTS = (CallbackResult.satisfied.value, CallbackResult.basic.value)


def has_current_callback_expression() -> Any:
    """A resolved issue's close-out has been called back: a callback on or after resolved_on.

    An issue reopened by an unsatisfied callback keeps that verdict; once it is resolved
    again, the old callback (dated before the new close-out) no longer counts for it.
    """
    return and_(Issue.status == Status.resolved.value, Issue.callback_result.is_not(None),
                Issue.callback_on.is_not(None), Issue.callback_on >= Issue.resolved_on)


def resolved_count() -> Any:
    """SUM aggregate: the callback rate's denominator, resolved issues."""
    return _count_where(Issue.status == Status.resolved.value)


def called_back_count() -> Any:
    """SUM aggregate: the callback rate's numerator.

    DESIGN §8: "`callback_rate` = resolved issues with a callback / resolved".
    """
    return _count_where(has_current_callback_expression())


def callback_count() -> Any:
    """SUM aggregate: the satisfaction rate's denominator, issues with a callback verdict.

    Each issue counts once, with its latest verdict, whatever its status now: an issue an
    unsatisfied callback sent back to work still counts as unsatisfied until called back
    again.
    """
    return _count_where(Issue.callback_result.is_not(None))


def satisfied_count() -> Any:
    """SUM aggregate: the satisfaction rate's numerator.

    DESIGN §8: "`satisfaction_rate` = (satisfied + basic) / callbacks".
    """
    return _count_where(Issue.callback_result.in_(SATISFIED_RESULTS))


def _count_where(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def rate(numerator: int | None, denominator: int | None) -> float | None:
    """numerator / denominator, or None when there is nothing to divide by."""
    if not denominator:
        return None
    return (numerator or 0) / denominator


# --- the services ---------------------------------------------------------------------------


def escalate_issue(session: Session, issue_id: int, *, actor: Actor, note: str | None) -> Issue:
    """Raise an unresolved issue to red (挂牌督办); the note (督办事由) is required.

    The escalation lasts until the issue is resolved; if it is reopened it is red again.
    """
    issue = lookups.get_issue(session, issue_id, for_update=True)
    workflow.step(issue, "escalate")
    reason = clean_text(note, "note")
    if reason is None:
        raise InvalidValue("error.escalate_note", id=issue.id)
    if issue.escalated_at is not None:
        raise Conflict("error.already_escalated", id=issue.id, since=issue.escalated_at.strftime("%Y-%m-%d"))
    record_event(session, issue, actor=actor.name, at=actor.now, action="escalated", field="level",
                 new=RED, note=reason)
    issue.escalated_at = actor.now
    issue.updated_at = actor.now
    session.flush()
    return issue


SOLVED_ALIASES = {
    "解决": "solved", "已解决": "solved", "部分解决": "partly", "partly solved": "partly",
    "partly_solved": "partly", "未解决": "unsolved", "not solved": "unsolved",
}


def record_callback(session: Session, issue_id: int, *, actor: Actor, result: str | None = None,
                    solved: str | None = None, reached: bool = True, note: str | None = None,
                    on: date | None = None, result_option: str = "--result") -> Issue:
    """Record a callback (回访) on a resolved issue (DESIGN §8, §11).

    A callback that reached the company records whether it is satisfied (`result`: satisfied,
    basic, unsatisfied; required) and, optionally, whether the problem was solved (`solved`:
    solved, partly, unsolved). One that did not reach it (`reached=False`) records only that it
    was tried: it has no verdict, so it counts in neither the callback nor the satisfaction rate
    (only reached callbacks, 有效回访, do). The latest callback is the issue's.

    `unsatisfied` sends the issue back to in_progress (重办) through the reopen workflow,
    which counts a reopen and clears resolved_on; the note goes into both events.
    """
    issue = lookups.get_issue(session, issue_id, for_update=True)
    if reached:
        if result is None:
            raise InvalidValue("error.callback_needs_satisfied", id=issue_id)
        verdict: str | None = lookups.choice(CallbackResult, result, result_option, CALLBACK_ALIASES)
        answer = None if solved is None else lookups.choice(CallbackSolved, solved, "--solved", SOLVED_ALIASES)
    elif result is not None or solved is not None:
        raise InvalidValue("error.callback_unreached_answer")
    else:
        verdict = answer = None
    if not workflow.allows("callback", issue.status):
        raise InvalidTransition("error.callback_unresolved", id=issue.id, status=issue.status)
    called_on = check_date(on or actor.today, today=actor.today, past=True)
    if issue.resolved_on is not None and called_on < issue.resolved_on:
        raise InvalidValue("error.date_order", later="callback_on", later_value=called_on.isoformat(),
                           earlier="resolved_on", earlier_value=issue.resolved_on.isoformat())
    remark = clean_text(note, "note")
    if not reached:
        record_event(session, issue, actor=actor.name, at=actor.now, action="callback", field="callback_reached",
                     old=issue.callback_reached, new=False, note=remark)
    else:
        record_event(session, issue, actor=actor.name, at=actor.now, action="callback", field="callback_result",
                     old=issue.callback_result, new=verdict, note=None if answer else remark)
        if answer is not None:
            record_event(session, issue, actor=actor.name, at=actor.now, action="callback", field="callback_solved",
                         old=issue.callback_solved, new=answer, note=remark)
    issue.callback_result = verdict
    issue.callback_solved = answer
    issue.callback_reached = reached
    issue.callback_on = called_on
    issue.updated_at = actor.now
    session.flush()
    if verdict == CallbackResult.unsatisfied.value:
        assert issue.id is not None
        reopen_issue(session, issue.id, actor=actor, note=remark)
    return issue


# --- one issue's supervision state (issue show) --------------------------------------------------

STATE_FIELDS = ("level", "days_overdue", "dispatched_on", "acknowledged_on", "escalated", "callback_result",
                "callback_on", "callback_note")
"""`issue show`'s supervision record, named as `export issues --supervision` names its columns,
after `level` and `days_overdue` as the supervision list (`report overdue`) counts them."""


def days_overdue(due_on: date | None, as_of: date) -> int:
    """Days past the due date at `as_of`, 0 when not late: the supervision list's `days_overdue`."""
    return (as_of - due_on).days if due_on is not None and due_on < as_of else 0


def issue_state(session: Session, issue: Issue, cutoffs: LevelCutoffs, *, timezone: str,
                callback_note: str | None) -> dict[str, Any]:
    """The supervision state of one issue as DESIGN §8 defines it, by STATE_FIELDS: its level
    now (the same SQL as `issue list` and the reports), days overdue (None when resolved or
    without a deadline), the dispatch, acknowledgement and escalation days in the park's
    calendar, and the latest callback (`callback_note` is its remark, from the history)."""
    from qiye_service.dates import local_date

    assert issue.id is not None
    resolved = issue.status == Status.resolved.value
    deadline = issue.deadline_on or issue.due_on

    def day(instant: datetime | None) -> date | None:
        return None if instant is None else local_date(instant, timezone)

    return {
        "level": levels_by_issue(session, [issue.id], cutoffs).get(issue.id),
        "days_overdue": (None if resolved or deadline is None
                         else 0 if issue.suspended_on is not None else days_overdue(deadline, cutoffs.as_of)),
        "dispatched_on": day(issue.dispatched_at),
        "acknowledged_on": day(issue.acknowledged_at),
        "escalated": day(issue.escalated_at),
        "callback_result": issue.callback_result,
        "callback_on": issue.callback_on,
        "callback_note": (callback_note if issue.callback_result is not None or issue.callback_reached is False
                          else None),
    }
