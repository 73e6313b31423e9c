"""Supervision rules (DESIGN §8): the escalation ladder in working days, the response and
callback rules as SQL, on both backends. Expected dates are counted by hand from the
State Council's published schedules, not from the code under test.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import Session

from qiye_service.errors import InvalidValue
from qiye_service.models import Issue
from qiye_service.services import supervision
from qiye_service.services.supervision import LevelCutoffs, Thresholds, level_cutoffs, thresholds_from_config
from qiye_service.workdays import WorkingCalendar


def _no_warning(message: str) -> None:
    raise AssertionError(f"unexpected warning: {message}")


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar(warn=_no_warning)


# --- thresholds ------------------------------------------------------------------------------


def test_thresholds_default_to_design() -> None:
    assert thresholds_from_config({}) == Thresholds(due_soon_wd=3, red_wd=5, response_wd=1)


def test_thresholds_read_numbers_and_working_days() -> None:
    config = {"escalation.due_soon": "2", "escalation.red": "10wd", "response.limit": "+2wd"}
    assert thresholds_from_config(config) == Thresholds(due_soon_wd=2, red_wd=10, response_wd=2)


@pytest.mark.parametrize("value", ["-1", "-2wd", "soon", "3 days"])
def test_thresholds_refuse_nonsense(value: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        thresholds_from_config({"escalation.red": value})
    assert "escalation.red" in str(caught.value)


# --- the ladder as dates ---------------------------------------------------------------------


def _level(due: date | None, cutoffs: LevelCutoffs, *, escalated: bool = False, resolved: bool = False) -> str | None:
    """The ladder of DESIGN §8 evaluated by hand from the cutoffs, mirroring the SQL CASE."""
    if resolved:
        return None
    if escalated or (due is not None and due < cutoffs.red_before):
        return "red"
    if due is None:
        return None
    if due < cutoffs.as_of:
        return "overdue"
    if due <= cutoffs.due_soon_until:
        return "due-soon"
    return None


@pytest.mark.parametrize(
    ("as_of", "due", "expected"),
    [
        # 2023-12-20 is a Wednesday in an ordinary fortnight.
        (date(2023, 12, 20), date(2023, 12, 14), "overdue"),  # 4 working days late
        (date(2023, 12, 20), date(2023, 12, 13), "overdue"),  # 5: still yellow
        (date(2023, 12, 20), date(2023, 12, 12), "red"),  # 6
        (date(2023, 12, 20), date(2023, 12, 19), "overdue"),  # 1
        (date(2023, 12, 20), date(2023, 12, 20), "due-soon"),  # due today
        (date(2023, 12, 20), date(2023, 12, 22), "due-soon"),  # 2 working days ahead
        (date(2023, 12, 20), date(2023, 12, 25), "due-soon"),  # 3, over a weekend
        (date(2023, 12, 20), date(2023, 12, 26), None),  # 4
        # Monday after National Day 2023: Sep 29–Oct 6 off, Sat Oct 7 and Sun Oct 8 worked.
        (date(2023, 10, 9), date(2023, 9, 27), "overdue"),  # 12 days but 4 working days late
        (date(2023, 10, 9), date(2023, 9, 26), "overdue"),  # 5
        (date(2023, 10, 9), date(2023, 9, 25), "red"),  # 6
        # Thursday before it: three working days ahead reach past the break.
        (date(2023, 9, 28), date(2023, 10, 9), "due-soon"),  # Oct 7, 8, 9
        (date(2023, 9, 28), date(2023, 10, 10), None),
        (date(2023, 9, 28), date(2023, 10, 3), "due-soon"),  # a holiday within the window
        # Spring Festival 2024: Feb 10–17 off; Fri Feb 9 and Sun Feb 18 worked.
        (date(2024, 2, 19), date(2024, 2, 8), "overdue"),  # Feb 9, 18, 19: 3 late
        (date(2024, 2, 19), date(2024, 2, 5), "red"),  # Feb 6, 7, 8, 9, 18, 19: 6 late
        # A weekend as-of date: Saturday 2023-12-23, last working day Friday the 22nd.
        (date(2023, 12, 23), date(2023, 12, 15), "overdue"),  # 18–22: 5 late
        (date(2023, 12, 23), date(2023, 12, 14), "red"),
    ],
)
def test_ladder(calendar: WorkingCalendar, as_of: date, due: date, expected: str | None) -> None:
    cutoffs = level_cutoffs(as_of, calendar, Thresholds())
    assert _level(due, cutoffs) == expected
    # The cutoffs agree with counting the working days late one by one.
    late = calendar.working_days_between(due, as_of)
    if due < as_of:
        assert (expected == "red") == (late > 5)


def test_cutoffs_follow_thresholds(calendar: WorkingCalendar) -> None:
    cutoffs = level_cutoffs(date(2023, 12, 20), calendar, Thresholds(due_soon_wd=1, red_wd=2))
    assert cutoffs == LevelCutoffs(as_of=date(2023, 12, 20), red_before=date(2023, 12, 18),
                                   due_soon_until=date(2023, 12, 21))


@pytest.mark.parametrize("text", ["red", "RED", "红色", "红", "overdue", "yellow", "黄色", "due-soon", "due_soon",
                                  "blue", "蓝色"])
def test_level_aliases(text: str) -> None:
    assert supervision.parse_level(text) in supervision.LEVELS


def test_unknown_level_lists_the_choices() -> None:
    with pytest.raises(InvalidValue) as caught:
        supervision.parse_level("purple")
    assert "due-soon" in str(caught.value) and "红色" in str(caught.value)


# --- the same rules as SQL on both backends --------------------------------------------------

LADDER = [  # (title, due, expected level on 2023-12-20)
    ("four late", "2023-12-14", "overdue"),
    ("five late", "2023-12-13", "overdue"),
    ("six late", "2023-12-12", "red"),
    ("due today", "2023-12-20", "due-soon"),
    ("two ahead", "2023-12-22", "due-soon"),
    ("three ahead", "2023-12-25", "due-soon"),
    ("four ahead", "2023-12-26", None),
    ("no deadline", "none", None),
]


@pytest.fixture
def ladder(qiye):
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("department", "add", "消防救援大队")
    for title, due, _ in LADDER:
        qiye.ok("issue", "add", title, "-e", "蓝思科技", "-c", "fire-acceptance", "--reported", "2023-11-01",
                "--due", due)
    return qiye


def _levels(qiye, cutoffs: LevelCutoffs) -> dict[str, str | None]:
    engine = qiye.engine()
    try:
        with Session(engine) as session:
            rows = session.execute(select(Issue.title, supervision.level_expression(cutoffs))).all()
    finally:
        engine.dispose()
    return dict(rows)


def test_level_expression_in_sql(ladder, calendar: WorkingCalendar) -> None:
    cutoffs = level_cutoffs(date(2023, 12, 20), calendar, Thresholds())
    assert _levels(ladder, cutoffs) == {title: level for title, _, level in LADDER}


def test_escalated_resolved_and_deferred_in_sql(ladder, calendar: WorkingCalendar) -> None:
    ladder.ok("issue", "escalate", "7", "--note", "列入挂牌督办")  # four ahead → red
    ladder.ok("issue", "escalate", "8", "--note", "列入挂牌督办")  # no deadline → red
    ladder.ok("issue", "resolve", "3", "--note", "已验收")  # six late, resolved → none
    ladder.ok("issue", "defer", "1", "--note", "待政策明确")  # deferred keeps its level
    levels = _levels(ladder, level_cutoffs(date(2023, 12, 20), calendar, Thresholds()))
    assert levels["four ahead"] == "red"
    assert levels["no deadline"] == "red"
    assert levels["six late"] is None
    assert levels["four late"] == "overdue"


def test_level_counts_in_sql(ladder, calendar: WorkingCalendar) -> None:
    cutoffs = level_cutoffs(date(2023, 12, 20), calendar, Thresholds())
    engine = ladder.engine()
    try:
        with Session(engine) as session:
            counts = session.execute(select(*(supervision.level_count(level, cutoffs) for level in supervision.LEVELS)))
            red, overdue, due_soon = counts.one()
            empty = session.execute(
                select(supervision.level_count("red", cutoffs)).where(Issue.id < 0)
            ).scalar_one()
    finally:
        engine.dispose()
    assert (red, overdue, due_soon) == (1, 2, 3)
    assert empty == 0


# --- response and callback rates as SQL ------------------------------------------------------


def _rates(qiye) -> dict[str, int]:
    engine = qiye.engine()
    try:
        with Session(engine) as session:
            row = session.execute(select(
                supervision.dispatched_count().label("dispatched"),
                supervision.acknowledged_in_time_count().label("in_time"),
                supervision.resolved_count().label("resolved"),
                supervision.called_back_count().label("called_back"),
                supervision.callback_count().label("callbacks"),
                supervision.satisfied_count().label("satisfied"),
            )).one()
    finally:
        engine.dispose()
    return {key: int(value) for key, value in row._mapping.items()}


def test_response_rate_counts_acknowledgements_within_the_limit(qiye) -> None:
    qiye.ok("enterprise", "add", "九典制药")
    qiye.ok("department", "add", "国网浏阳供电公司")
    thursday = {"QIYE_NOW": "2023-09-28T10:00:00+08:00"}
    for title in ("on time", "late", "never", "not dispatched"):
        dept = [] if title == "not dispatched" else ["--dept", "国网浏阳供电公司"]
        qiye.ok("issue", "add", title, "-e", "九典制药", "-c", "water-power", *dept, env=thursday)
    # One working day after Thursday Sep 28 is the make-up Saturday Oct 7.
    assert qiye.sql("select distinct acknowledge_by from issue where dispatched_at is not null") in (
        [("2023-10-07",)], [(date(2023, 10, 7),)])
    qiye.ok("issue", "start", "1", env={"QIYE_NOW": "2023-10-07T17:30:00+08:00"})
    qiye.ok("issue", "start", "2", env={"QIYE_NOW": "2023-10-09T09:00:00+08:00"})
    qiye.ok("issue", "start", "4", env={"QIYE_NOW": "2023-09-28T11:00:00+08:00"})
    rates = _rates(qiye)
    assert (rates["dispatched"], rates["in_time"]) == (3, 1)
    assert supervision.rate(rates["in_time"], rates["dispatched"]) == pytest.approx(1 / 3)


def test_callback_and_satisfaction_rates(qiye) -> None:
    qiye.ok("enterprise", "add", "蓝思科技")
    for n in range(5):
        qiye.ok("issue", "add", f"问题{n + 1}", "-e", "蓝思科技", "-c", "approval", "--reported", "2023-12-01")
    for n in range(1, 5):
        qiye.ok("issue", "resolve", str(n), "--note", "已办结", "--on", "2023-12-10")
    qiye.ok("issue", "callback", "1", "--result", "satisfied")
    qiye.ok("issue", "callback", "2", "--result", "基本满意")
    qiye.ok("issue", "callback", "3", "--result", "unsatisfied", "--note", "仍未解决")  # back to work
    rates = _rates(qiye)
    # Resolved: 1, 2 and 4 (3 was reopened); called back: 1 and 2. Verdicts: 1, 2, 3.
    assert rates["resolved"] == 3 and rates["called_back"] == 2
    assert rates["callbacks"] == 3 and rates["satisfied"] == 2
    # Redone and closed again: the old verdict no longer covers the new close-out.
    qiye.ok("issue", "resolve", "3", "--note", "已重新办结", "--on", "2023-12-22",
            env={"QIYE_NOW": "2023-12-22T10:00:00+08:00"})
    rates = _rates(qiye)
    assert (rates["resolved"], rates["called_back"]) == (4, 2)
    qiye.ok("issue", "callback", "3", "--result", "满意", env={"QIYE_NOW": "2023-12-25T10:00:00+08:00"})
    rates = _rates(qiye)
    assert (rates["resolved"], rates["called_back"], rates["callbacks"], rates["satisfied"]) == (4, 3, 3, 3)


def test_rate_of_nothing_is_none() -> None:
    assert supervision.rate(0, 0) is None
    assert supervision.rate(3, 4) == 0.75
