"""China working days (DESIGN §8): pinned against the published 2023–2026 schedules."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest
from dateutil.relativedelta import MO, relativedelta
from hypothesis import given
from hypothesis import strategies as st

import qiye_service
from qiye_service.errors import InvalidValue
from qiye_service.workdays import WorkingCalendar, parse_due, parse_working_days


def _no_warning(message: str) -> None:
    raise AssertionError(f"unexpected warning: {message}")


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    """A calendar that fails the test if it ever falls back to Monday–Friday."""
    return WorkingCalendar(warn=_no_warning)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# --- is_working_day ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        date(2023, 10, 7),  # Saturday, make-up day for National Day 2023
        date(2023, 10, 8),  # Sunday, make-up day
        date(2024, 2, 4),  # Sunday, make-up day for Spring Festival 2024
        date(2024, 2, 18),  # Sunday, make-up day
        date(2025, 1, 26),  # Sunday, make-up day for Spring Festival 2025
        date(2025, 9, 28),  # Sunday, make-up day for National Day 2025
        date(2025, 10, 11),  # Saturday, make-up day
        date(2026, 1, 4),  # Sunday, make-up day for New Year 2026
        date(2026, 2, 14),  # Saturday, make-up day for Spring Festival 2026
        date(2026, 9, 20),  # Sunday, make-up day for National Day 2026
        date(2026, 10, 10),  # Saturday, make-up day
        date(2024, 2, 9),  # Friday, New Year's Eve 2024: a working day that year
        date(2023, 9, 27),  # a plain Wednesday
    ],
)
def test_working_days(calendar: WorkingCalendar, day: date) -> None:
    assert calendar.is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2023, 9, 29),  # Mid-Autumn Festival, Friday
        date(2023, 10, 2),  # National Day week, Monday
        date(2023, 10, 6),  # Friday, holiday by substitution
        date(2023, 9, 30),  # an ordinary Saturday
        date(2025, 1, 28),  # New Year's Eve 2025, a statutory holiday since the 2024 revision
        date(2026, 1, 2),  # Friday after New Year 2026
        date(2026, 9, 25),  # Friday, Mid-Autumn Festival 2026
        date(2026, 10, 7),  # Wednesday, National Day week 2026
    ],
)
def test_days_off(calendar: WorkingCalendar, day: date) -> None:
    assert not calendar.is_working_day(day)


def test_spring_festival_2024(calendar: WorkingCalendar) -> None:
    assert [d for d in _days(date(2024, 2, 3), date(2024, 2, 19)) if not calendar.is_working_day(d)] == [
        date(2024, 2, 3),  # an ordinary Saturday
        *_days(date(2024, 2, 10), date(2024, 2, 17)),
    ]


def test_national_day_2025(calendar: WorkingCalendar) -> None:
    # Oct 1–8 off (National Day and Mid-Autumn together); Sun Sep 28 and Sat Oct 11 worked.
    off = [d for d in _days(date(2025, 9, 27), date(2025, 10, 12)) if not calendar.is_working_day(d)]
    assert off == [date(2025, 9, 27), *_days(date(2025, 10, 1), date(2025, 10, 8)), date(2025, 10, 12)]


def test_national_day_2026(calendar: WorkingCalendar) -> None:
    # Mid-Autumn Sep 25–27 off; National Day Oct 1–7 off; Sun Sep 20 and Sat Oct 10 worked.
    off = [d for d in _days(date(2026, 9, 19), date(2026, 10, 11)) if not calendar.is_working_day(d)]
    assert off == [
        date(2026, 9, 19),
        *_days(date(2026, 9, 25), date(2026, 9, 27)),
        *_days(date(2026, 10, 1), date(2026, 10, 7)),
        date(2026, 10, 11),
    ]


def test_scheduled_years_cover_2023_to_2026(calendar: WorkingCalendar) -> None:
    assert {2023, 2024, 2025, 2026} <= calendar.scheduled_years


# --- add_working_days and working_days_between -------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2023, 9, 27), 5, date(2023, 10, 10)),  # the DESIGN §8 example
        (date(2023, 9, 27), 1, date(2023, 9, 28)),
        (date(2023, 9, 28), 1, date(2023, 10, 7)),  # make-up Saturday
        (date(2024, 2, 8), 1, date(2024, 2, 9)),
        (date(2024, 2, 9), 1, date(2024, 2, 18)),  # make-up Sunday after Spring Festival
        (date(2024, 2, 2), 1, date(2024, 2, 4)),  # make-up Sunday before it
        (date(2025, 9, 26), 1, date(2025, 9, 28)),
        (date(2025, 9, 30), 1, date(2025, 10, 9)),
        (date(2025, 12, 31), 1, date(2026, 1, 4)),  # across a year, onto a make-up Sunday
        (date(2026, 9, 18), 5, date(2026, 9, 24)),  # Friday; Sun Sep 20 counts
        (date(2026, 9, 25), 5, date(2026, 10, 9)),  # a holiday Friday; over National Day
        (date(2026, 9, 30), 1, date(2026, 10, 8)),
        (date(2023, 10, 10), -5, date(2023, 9, 27)),
        (date(2024, 2, 18), -1, date(2024, 2, 9)),
        (date(2023, 9, 27), 0, date(2023, 9, 27)),
        (date(2023, 10, 1), 0, date(2023, 10, 1)),  # 0 keeps even a holiday
    ],
)
def test_add_working_days(calendar: WorkingCalendar, start: date, n: int, expected: date) -> None:
    assert calendar.add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2023, 9, 27), date(2023, 10, 10), 5),
        (date(2023, 9, 27), date(2023, 9, 27), 0),
        (date(2023, 9, 28), date(2023, 10, 6), 0),  # the whole break
        (date(2023, 9, 28), date(2023, 10, 8), 2),  # the make-up weekend
        (date(2024, 2, 1), date(2024, 2, 29), 17),
        (date(2025, 9, 30), date(2025, 10, 9), 1),
        (date(2023, 10, 10), date(2023, 9, 27), -5),
        (date(2023, 10, 8), date(2023, 9, 28), -2),  # Sep 28 and Sat Oct 7; not Oct 8 itself
    ],
)
def test_working_days_between(calendar: WorkingCalendar, start: date, end: date, expected: int) -> None:
    assert calendar.working_days_between(start, end) == expected


_SHARED = WorkingCalendar(warn=_no_warning)
_LIBRARY = holidays.China()


@given(
    st.dates(min_value=date(2002, 3, 1), max_value=date(2026, 10, 31)),
    st.integers(min_value=-25, max_value=25),
)
def test_between_inverts_add(start: date, n: int) -> None:
    end = _SHARED.add_working_days(start, n)
    assert _SHARED.working_days_between(start, end) == n
    assert end == start or _SHARED.is_working_day(end)


@given(
    st.dates(min_value=date(2002, 3, 1), max_value=date(2026, 10, 31)),
    st.integers(min_value=1, max_value=25),
    st.sampled_from([1, -1]),
)
def test_add_agrees_with_the_library(start: date, n: int, direction: int) -> None:
    assert _SHARED.add_working_days(start, direction * n) == _LIBRARY.get_nth_working_day(
        start, direction * n
    )


# --- years without a schedule --------------------------------------------------------------


def test_unscheduled_year_counts_weekdays_and_warns_once() -> None:
    warnings: list[str] = []
    calendar = WorkingCalendar(warn=warnings.append)
    assert 2035 not in calendar.scheduled_years
    assert calendar.is_working_day(date(2035, 10, 1))  # a Monday; no schedule, so worked
    assert not calendar.is_working_day(date(2035, 10, 6))  # Saturday
    assert calendar.add_working_days(date(2035, 9, 28), 5) == date(2035, 10, 5)
    assert calendar.working_days_between(date(2035, 1, 1), date(2035, 12, 31)) == 260
    assert warnings == ["no official holiday schedule for 2035 yet; counting Monday–Friday as working days"]


def test_crossing_into_an_unscheduled_year_warns_for_that_year() -> None:
    warnings: list[str] = []
    calendar = WorkingCalendar(warn=warnings.append)
    last = max(calendar.scheduled_years)
    new_year = date(last + 1, 1, 1)
    first_weekday = new_year if new_year.weekday() < 5 else new_year + relativedelta(weekday=MO)
    assert calendar.add_working_days(date(last, 12, 31), 1) == first_weekday
    assert len(warnings) == 1
    assert str(last + 1) in warnings[0]


def test_past_unscheduled_year_warns_without_yet() -> None:
    warnings: list[str] = []
    calendar = WorkingCalendar(warn=warnings.append)
    assert calendar.is_working_day(date(1999, 10, 1))  # Friday
    assert warnings == ["no official holiday schedule for 1999; counting Monday–Friday as working days"]


def test_warn_is_optional() -> None:
    assert WorkingCalendar().add_working_days(date(2040, 1, 2), 1) == date(2040, 1, 3)


def test_holidays_object_is_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    real = holidays.China
    built: list[object] = []

    def counting_china(*args: object, **kwargs: object) -> object:
        built.append(None)
        return real(*args, **kwargs)

    monkeypatch.setattr(holidays, "China", counting_china)
    calendar = WorkingCalendar(warn=lambda message: None)
    assert built == []  # lazily: nothing until the first question
    calendar.add_working_days(date(2023, 9, 27), 5)
    calendar.working_days_between(date(2023, 1, 1), date(2035, 1, 1))
    assert len(built) == 1


def test_importing_does_not_import_holidays() -> None:
    code = (
        "import sys\n"
        "from qiye_service.workdays import WorkingCalendar\n"
        "WorkingCalendar()\n"
        "print('holidays' in sys.modules)\n"
    )
    src = str(Path(qiye_service.__file__).parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert result.stdout.split() == ["False"]


# --- parse_working_days and parse_due ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+5wd", 5),
        ("5wd", 5),
        ("15wd", 15),
        ("-3wd", -3),
        ("+0wd", 0),
        (" +5WD ", 5),
        ("5 wd", 5),
        ("5d", None),
        ("wd", None),
        ("+wd", None),
        ("5.5wd", None),
        ("5w", None),
        ("2023-10-10", None),
        ("", None),
    ],
)
def test_parse_working_days(text: str, expected: int | None) -> None:
    assert parse_working_days(text) == expected


def test_signed_working_days_count_from_today(calendar: WorkingCalendar) -> None:
    due = parse_due("+5wd", today=date(2023, 9, 27), base=date(2023, 1, 3), calendar=calendar)
    assert due == date(2023, 10, 10)
    assert parse_due("-5wd", today=date(2023, 10, 10), base=None, calendar=calendar) == date(2023, 9, 27)


def test_bare_working_days_count_from_the_reported_date(calendar: WorkingCalendar) -> None:
    assert parse_due("5wd", today=date(2024, 6, 3), base=date(2023, 9, 27), calendar=calendar) == date(
        2023, 10, 10
    )
    assert parse_due("15wd", today=date(2023, 9, 27), base=None, calendar=calendar) == date(2023, 10, 24)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-10-10", date(2023, 10, 10)),
        ("2023年10月10日", date(2023, 10, 10)),
        ("+3d", date(2023, 9, 30)),  # calendar days, not working days
        ("eom", date(2023, 9, 30)),
        ("fri", date(2023, 9, 29)),
    ],
)
def test_due_takes_every_date_form(calendar: WorkingCalendar, text: str, expected: date) -> None:
    assert parse_due(text, today=date(2023, 9, 27), base=date(2023, 1, 3), calendar=calendar) == expected


@pytest.mark.parametrize("text", ["5w d", "+wd", "5.5wd", "soon", "+99999999wd", "wd5"])
def test_bad_due(calendar: WorkingCalendar, text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_due(text, today=date(2023, 9, 27), base=None, calendar=calendar)
    assert caught.value.key == "error.bad_due"
