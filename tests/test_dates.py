"""Date parsing, weeks and the pinned clock (DESIGN §3): every test pins today."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qiye_service
from qiye_service.dates import (
    DEFAULT_TZ,
    now_utc,
    parse_date,
    parse_iso_week,
    today_in,
    week_bounds,
)
from qiye_service.errors import InvalidValue

# A Wednesday in the middle of a quarter.
TODAY = date(2023, 5, 17)


@pytest.mark.parametrize(
    "text",
    [
        "2023-05-12",
        "2023/5/12",
        "2023/05/12",
        "2023.5.12",
        "2023-5-12",
        "20230512",
        "2023年5月12日",
        "2023年05月12日",
        "2023 年 5 月 12 日",
        "2023年5月12号",
        "5月12日",
        "  2023-05-12\n",
        "２０２３年５月１２日",
    ],
)
def test_absolute_forms(text: str) -> None:
    assert parse_date(text, today=TODAY) == date(2023, 5, 12)


def test_month_day_takes_todays_year() -> None:
    assert parse_date("5月12日", today=date(2031, 1, 2)) == date(2031, 5, 12)
    assert parse_date("12月31日", today=date(2024, 1, 1)) == date(2024, 12, 31)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", date(2023, 5, 17)),
        ("yesterday", date(2023, 5, 16)),
        ("tomorrow", date(2023, 5, 18)),
        ("TODAY", date(2023, 5, 17)),
        (" Tomorrow ", date(2023, 5, 18)),
        ("今天", date(2023, 5, 17)),
        ("昨天", date(2023, 5, 16)),
        ("明天", date(2023, 5, 18)),
    ],
)
def test_day_words(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+3d", date(2023, 5, 20)),
        ("-3d", date(2023, 5, 14)),
        ("+0d", date(2023, 5, 17)),
        ("+30d", date(2023, 6, 16)),
        ("-2w", date(2023, 5, 3)),
        ("+1w", date(2023, 5, 24)),
        ("+1m", date(2023, 6, 17)),
        ("-5m", date(2022, 12, 17)),
        ("+1y", date(2024, 5, 17)),
        ("-10y", date(2013, 5, 17)),
        ("+3D", date(2023, 5, 20)),
        ("+12M", date(2024, 5, 17)),
    ],
)
def test_relative_forms(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # +1m from a month's last day lands on the next month's last day, not beyond.
        ("+1m", date(2023, 1, 31), date(2023, 2, 28)),
        ("+1m", date(2024, 1, 31), date(2024, 2, 29)),
        ("-1m", date(2023, 3, 31), date(2023, 2, 28)),
        ("+1m", date(2023, 8, 31), date(2023, 9, 30)),
        ("+1m", date(2023, 12, 15), date(2024, 1, 15)),
        # Leap day: a year later there is no Feb 29.
        ("+1y", date(2024, 2, 29), date(2025, 2, 28)),
        ("-1y", date(2024, 2, 29), date(2023, 2, 28)),
        ("+4y", date(2024, 2, 29), date(2028, 2, 29)),
        ("+1d", date(2024, 2, 28), date(2024, 2, 29)),
        ("+1d", date(2023, 2, 28), date(2023, 3, 1)),
        ("+1d", date(2023, 12, 31), date(2024, 1, 1)),
    ],
)
def test_relative_forms_at_month_and_year_ends(text: str, today: date, expected: date) -> None:
    assert parse_date(text, today=today) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # Weeks run Monday to Sunday.
        ("sow", date(2023, 5, 17), date(2023, 5, 15)),
        ("eow", date(2023, 5, 17), date(2023, 5, 21)),
        ("sow", date(2023, 5, 21), date(2023, 5, 15)),  # Sunday: the Monday before
        ("eow", date(2023, 5, 21), date(2023, 5, 21)),  # Sunday: itself
        ("sow", date(2023, 5, 15), date(2023, 5, 15)),  # Monday: itself
        ("eow", date(2023, 5, 15), date(2023, 5, 21)),  # Monday: the coming Sunday
        ("sow", date(2024, 1, 3), date(2024, 1, 1)),
        ("eow", date(2023, 12, 28), date(2023, 12, 31)),
        ("sow", date(2023, 1, 1), date(2022, 12, 26)),  # across a year end
        # Months.
        ("som", date(2023, 5, 17), date(2023, 5, 1)),
        ("eom", date(2023, 5, 17), date(2023, 5, 31)),
        ("eom", date(2023, 1, 31), date(2023, 1, 31)),
        ("eom", date(2023, 2, 1), date(2023, 2, 28)),
        ("eom", date(2024, 2, 1), date(2024, 2, 29)),
        ("eom", date(2023, 4, 30), date(2023, 4, 30)),
        ("eom", date(2023, 4, 1), date(2023, 4, 30)),
        # Quarters.
        ("soq", date(2023, 5, 17), date(2023, 4, 1)),
        ("eoq", date(2023, 5, 17), date(2023, 6, 30)),
        ("soq", date(2023, 1, 1), date(2023, 1, 1)),
        ("eoq", date(2023, 1, 1), date(2023, 3, 31)),
        ("eoq", date(2024, 2, 29), date(2024, 3, 31)),
        ("soq", date(2023, 9, 30), date(2023, 7, 1)),
        ("eoq", date(2023, 8, 15), date(2023, 9, 30)),
        ("soq", date(2023, 12, 31), date(2023, 10, 1)),
        ("eoq", date(2023, 10, 1), date(2023, 12, 31)),
        # Years.
        ("soy", date(2023, 5, 17), date(2023, 1, 1)),
        ("eoy", date(2023, 5, 17), date(2023, 12, 31)),
        ("soy", date(2024, 12, 31), date(2024, 1, 1)),
        ("eoy", date(2024, 1, 1), date(2024, 12, 31)),
        ("EOM", date(2023, 5, 17), date(2023, 5, 31)),
    ],
)
def test_anchors(text: str, today: date, expected: date) -> None:
    assert parse_date(text, today=today) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # TODAY is Wednesday 2023-05-17: every name means the next one strictly after it.
        ("thu", date(2023, 5, 18)),
        ("fri", date(2023, 5, 19)),
        ("sat", date(2023, 5, 20)),
        ("sun", date(2023, 5, 21)),
        ("mon", date(2023, 5, 22)),
        ("tue", date(2023, 5, 23)),
        ("wed", date(2023, 5, 24)),  # today is Wednesday: a week ahead, not today
        ("Monday", date(2023, 5, 22)),
        ("WEDNESDAY", date(2023, 5, 24)),
        ("friday", date(2023, 5, 19)),
        (" Sun ", date(2023, 5, 21)),
    ],
)
def test_weekday_names(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected


def test_weekday_name_crosses_month_and_year() -> None:
    assert parse_date("mon", today=date(2023, 12, 31)) == date(2024, 1, 1)
    assert parse_date("sun", today=date(2023, 12, 31)) == date(2024, 1, 7)


def test_leap_days() -> None:
    assert parse_date("2024-02-29", today=TODAY) == date(2024, 2, 29)
    assert parse_date("2024/2/29", today=TODAY) == date(2024, 2, 29)
    assert parse_date("20000229", today=TODAY) == date(2000, 2, 29)
    assert parse_date("2月29日", today=date(2024, 6, 1)) == date(2024, 2, 29)
    for text in ("2023-02-29", "2023/2/29", "2023.2.29", "20230229", "2023年2月29日", "19000229"):
        with pytest.raises(InvalidValue):
            parse_date(text, today=TODAY)
    with pytest.raises(InvalidValue):
        parse_date("2月29日", today=date(2023, 6, 1))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hello",
        "12",
        "2023",
        "202305",
        "2023051",
        "202305121",
        "2023-13-45",
        "2023-13-01",
        "2023-00-10",
        "2023-04-31",
        "2023-05-00",
        "0000-01-01",
        "2023/5-12",  # mixed separators
        "2023-05-12T10:00",
        "12/5/2023",  # day first is not our policy
        "5/12/2023",
        "13月1日",
        "2023年13月1日",
        "3d",  # relative forms need a sign
        "+3",
        "+d",
        "+3x",
        "+ 3d",
        "+1.5d",
        "++3d",
        "next monday",
        "mo",
        "tues",
        "sow2",
        "+99999999y",  # past year 9999
        "+99999999999999999999d",
        "-9999y",
    ],
)
def test_garbage_is_rejected(text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_date(text, today=TODAY)
    assert caught.value.key == "error.bad_date"
    assert caught.value.params == {"value": text}


def test_error_message_lists_the_forms() -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_date("2023-13-45", today=TODAY)
    message = str(caught.value)
    assert "2023-13-45" in message
    for form in (
        "2023-05-12",
        "2023/5/12",
        "20230512",
        "2023年5月12日",
        "5月12日",
        "today",
        "+3d",
        "sow/eow",
        "mon..sun",
    ):
        assert form in message
    assert "2023年5月12日" in caught.value.message("zh")


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2033, 5, 17)))  # the accepted range on TODAY
def test_every_absolute_form_round_trips(day: date) -> None:
    for text in (
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month}.{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        day.strftime("%Y%m%d"),
    ):
        assert parse_date(text, today=TODAY) == day


@given(st.dates(min_value=date(1991, 1, 1), max_value=date(2100, 12, 31)))  # its day before stays in range
def test_anchors_bracket_the_day(day: date) -> None:
    for start, end in (("sow", "eow"), ("som", "eom"), ("soq", "eoq"), ("soy", "eoy")):
        first, last = parse_date(start, today=day), parse_date(end, today=day)
        assert first <= day <= last
        # The day before the start and the day after the end belong to other periods.
        assert parse_date(start, today=parse_date("-1d", today=first)) != first
        assert parse_date(end, today=parse_date("+1d", today=last)) != last
    assert parse_date("sow", today=day).weekday() == 0
    assert parse_date("eow", today=day).weekday() == 6
    assert (parse_date("eow", today=day) - parse_date("sow", today=day)).days == 6
    assert parse_date("+1d", today=parse_date("eom", today=day)).day == 1


def test_iso_fast_path_does_not_import_the_parser() -> None:
    code = (
        "import sys, datetime\n"
        "from qiye_service.dates import parse_date\n"
        "parse_date('2023-05-12', today=datetime.date(2023, 1, 1))\n"
        "print('dateutil.parser' in sys.modules, 'holidays' in sys.modules)\n"
    )
    src = str(Path(qiye_service.__file__).parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert result.stdout.split() == ["False", "False"]


# --- ISO weeks -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2023-W50", "2023W50", "2023-w50", "2023w50", " 2023-W50 "])
def test_iso_week(text: str) -> None:
    assert parse_iso_week(text, today=TODAY) == (date(2023, 12, 11), date(2023, 12, 17))


def test_iso_week_across_years() -> None:
    assert parse_iso_week("2020-W53", today=TODAY) == (date(2020, 12, 28), date(2021, 1, 3))
    assert parse_iso_week("2021-W01", today=TODAY) == (date(2021, 1, 4), date(2021, 1, 10))
    assert parse_iso_week("2025-W01", today=TODAY) == (date(2024, 12, 30), date(2025, 1, 5))
    assert parse_iso_week("2023-W1", today=TODAY) == (date(2023, 1, 2), date(2023, 1, 8))


@pytest.mark.parametrize(
    "text",
    ["", "2023", "2023-50", "2023-W", "2023-W00", "2023-W53", "2023-W54", "W50", "2023-W50-1", "hello"],
)
def test_bad_iso_week(text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_iso_week(text, today=TODAY)
    assert caught.value.key == "error.bad_week"
    assert "2023-W50" in str(caught.value)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2023, 12, 11), (date(2023, 12, 11), date(2023, 12, 17))),  # Monday
        (date(2023, 12, 14), (date(2023, 12, 11), date(2023, 12, 17))),
        (date(2023, 12, 17), (date(2023, 12, 11), date(2023, 12, 17))),  # Sunday
        (date(2024, 1, 1), (date(2024, 1, 1), date(2024, 1, 7))),
        (date(2023, 1, 1), (date(2022, 12, 26), date(2023, 1, 1))),
    ],
)
def test_week_bounds(day: date, expected: tuple[date, date]) -> None:
    assert week_bounds(day) == expected


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_week_bounds_match_iso_weeks(day: date) -> None:
    year, week, _ = day.isocalendar()
    assert week_bounds(day) == parse_iso_week(f"{year}-W{week:02d}", today=day)


# --- the clock ---------------------------------------------------------------------------


def test_default_tz() -> None:
    assert DEFAULT_TZ == "Asia/Shanghai"


def test_pinned_instant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QIYE_NOW", "2023-12-31T01:30:00.250000+08:00")
    assert today_in("Asia/Shanghai") == date(2023, 12, 31)
    assert today_in("UTC") == date(2023, 12, 30)
    assert now_utc() == datetime(2023, 12, 30, 17, 30, 0, 250000)
    assert now_utc().tzinfo is None


def test_pinned_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QIYE_NOW", "2023-12-31")
    assert today_in("Asia/Shanghai") == date(2023, 12, 31)
    assert today_in("America/New_York") == date(2023, 12, 31)
    assert now_utc() == datetime(2023, 12, 31)


def test_pinned_utc_instant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QIYE_NOW", "2023-12-31T20:00:00Z")
    assert today_in("Asia/Shanghai") == date(2024, 1, 1)
    assert now_utc() == datetime(2023, 12, 31, 20)


def test_free_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QIYE_NOW", raising=False)
    before = datetime.now(UTC).replace(tzinfo=None)
    now = now_utc()
    assert now.tzinfo is None
    assert before <= now <= datetime.now(UTC).replace(tzinfo=None)
    assert isinstance(today_in(DEFAULT_TZ), date)


def test_bad_pin_and_bad_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QIYE_NOW", "yesterday-ish")
    with pytest.raises(InvalidValue) as caught:
        now_utc()
    assert "QIYE_NOW" in str(caught.value)
    monkeypatch.delenv("QIYE_NOW")
    with pytest.raises(InvalidValue) as caught:
        today_in("Mars/Olympus_Mons")
    assert "Mars/Olympus_Mons" in str(caught.value)
