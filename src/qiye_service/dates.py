"""Every date a user types, and the clock, go through here (DESIGN §3).

Policy: dates are written year first (2023-05-12, 2023/5/12, 2023年5月12日); weeks run
Monday to Sunday; "today" is always passed in, so callers and tests pin the clock. Every
date lies between 1990-01-01 and ten years after today, and a fact that already happened
(a close-out, an acknowledgement, a callback) not after today: `check_date` is that rule.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

from qiye_service.errors import InvalidValue

DEFAULT_TZ = "Asia/Shanghai"
"""The park's time zone unless the config names another."""

# The accepted range (issue 25, point 9). Out-of-range years were stored and later broke the
# reports ("year 10000 is out of range"); no park ledger predates 1990, and no deadline or
# plan reaches ten years ahead.
EARLIEST_DATE = date(1990, 1, 1)
YEARS_AHEAD = 10

NOW_ENV = "QIYE_NOW"
"""Pins the clock: an ISO date or datetime, e.g. 2023-12-31T10:00:00+08:00 or 2023-12-31."""

# The exact ISO form; imports call parse_date for every cell, so it skips everything else.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)

# Year-first absolute forms. The regexes capture every field, so the stdlib `date()`
# constructor both builds and validates the date (2023-02-29 fails, 2024-02-29 passes).
# `\d` also takes full-width digits, which Chinese input methods produce.
_NUMERIC_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_CHINESE_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_CHINESE_MONTH_DAY = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")

_RELATIVE = re.compile(r"([+-])(\d+)([dwmy])", re.ASCII)
_RELATIVE_UNITS = {"d": "days", "w": "weeks", "m": "months", "y": "years"}

_ISO_WEEK = re.compile(r"(\d{4})-?w(\d{1,2})", re.ASCII | re.IGNORECASE)

_DAY_OFFSETS = {
    "today": 0,
    "yesterday": -1,
    "tomorrow": 1,
    "今天": 0,
    "昨天": -1,
    "明天": 1,
}

_WEEKDAYS = {
    name: weekday
    for weekday, names in (
        (MO, ("mon", "monday")),
        (TU, ("tue", "tuesday")),
        (WE, ("wed", "wednesday")),
        (TH, ("thu", "thursday")),
        (FR, ("fri", "friday")),
        (SA, ("sat", "saturday")),
        (SU, ("sun", "sunday")),
    )
    for name in names
}


def _quarter_first_month(day: date) -> int:
    return (day.month - 1) // 3 * 3 + 1


# Anchors within today's week, month, quarter and year. relativedelta's absolute fields
# (month=, day=31 clamps to the month's last day) and weekday objects do the calendar work.
_ANCHORS = {
    "sow": lambda today: relativedelta(weekday=MO(-1)),
    "eow": lambda today: relativedelta(weekday=SU(+1)),
    "som": lambda today: relativedelta(day=1),
    "eom": lambda today: relativedelta(day=31),
    "soq": lambda today: relativedelta(month=_quarter_first_month(today), day=1),
    "eoq": lambda today: relativedelta(month=_quarter_first_month(today) + 2, day=31),
    "soy": lambda today: relativedelta(month=1, day=1),
    "eoy": lambda today: relativedelta(month=12, day=31),
}


@lru_cache(maxsize=16)
def date_range(today: date, past: bool = False) -> tuple[date, date]:
    """The first and last date accepted on `today`: 1990-01-01 to ten years ahead, or to
    today itself for a fact that already happened (`past`)."""
    return EARLIEST_DATE, today if past else today + relativedelta(years=YEARS_AHEAD)


def check_date(day: date, *, today: date, past: bool = False, text: str | None = None) -> date:
    """`day` if it lies in the accepted range, else InvalidValue naming the range.

    `past`: a close-out, acknowledgement or callback date (DESIGN §3: never in the future).
    `text`: what the user typed, shown beside the date it named when they differ."""
    earliest, latest = date_range(today, past)
    if earliest <= day <= latest:
        return day
    shown = day.isoformat()
    if text is not None and text.strip() != shown:
        shown = f"{text.strip()!r} ({shown})"
    if past and day > today:
        raise InvalidValue("error.date_future", value=shown, earliest=earliest.isoformat(), today=today.isoformat())
    _, latest = date_range(today)
    raise InvalidValue("error.date_range", value=shown, earliest=earliest.isoformat(), latest=latest.isoformat())


def parse_date(text: str, *, today: date, past: bool = False) -> date:
    """The date `text` names, reading relative forms against `today`, within the accepted
    range (`check_date`; `past` for facts that already happened).

    Raises InvalidValue("error.bad_date") listing the accepted forms, or the range's error.
    """
    value = text.strip()
    if _ISO_DATE.fullmatch(value):
        try:
            day: date | None = date.fromisoformat(value)
        except ValueError:
            raise InvalidValue("error.bad_date", value=text) from None
    else:
        try:
            day = _parse_other(value.lower(), today)
        except (ValueError, OverflowError):
            # Out-of-range fields (2023-02-29) or arithmetic past year 9999.
            raise InvalidValue("error.bad_date", value=text) from None
        if day is None:
            raise InvalidValue("error.bad_date", value=text)
    earliest, latest = date_range(today, past)
    if earliest <= day <= latest:  # type: ignore[operator]
        return day  # type: ignore[return-value]
    return check_date(day, today=today, past=past, text=text)  # type: ignore[arg-type]


def _parse_other(value: str, today: date) -> date | None:
    """Every form but exact ISO; None when `value` is no date form at all."""
    if value in _DAY_OFFSETS:
        return today + relativedelta(days=_DAY_OFFSETS[value])
    if match := _RELATIVE.fullmatch(value):
        sign, amount, unit = match.groups()
        step = int(amount) if sign == "+" else -int(amount)
        return today + relativedelta(**{_RELATIVE_UNITS[unit]: step})
    if value in _ANCHORS:
        return today + _ANCHORS[value](today)
    if value in _WEEKDAYS:
        # Strictly after today: step one day, then to the next such weekday on or after it.
        return today + relativedelta(days=1, weekday=_WEEKDAYS[value](+1))
    if (match := _NUMERIC_DATE.fullmatch(value)) is not None:
        year, _, month, day = match.groups()
        return _calendar_date(year, month, day)
    for pattern in (_COMPACT_DATE, _CHINESE_DATE):
        if (match := pattern.fullmatch(value)) is not None:
            year, month, day = match.groups()
            return _calendar_date(year, month, day)
    if (match := _CHINESE_MONTH_DAY.fullmatch(value)) is not None:
        month, day = match.groups()
        return _calendar_date(str(today.year), month, day)
    return None


def _calendar_date(year: str, month: str, day: str) -> date:
    """A year-first date whose parts the patterns above found, checked by dateutil's parser.

    The patterns decide what counts as a date (dateutil alone would read "12" or "May" too);
    the parser, imported only here so ISO dates never load it, rejects 2023-02-29.
    """
    from dateutil import parser

    return parser.parse(f"{year}-{month}-{day}", yearfirst=True, dayfirst=False).date()


def parse_iso_week(text: str, *, today: date) -> tuple[date, date]:
    """Monday and Sunday of the ISO week `text` names: 2023-W50, 2023W50 or 2023-w50; its
    Monday within the accepted range (`check_date`)."""
    match = _ISO_WEEK.fullmatch(text.strip())
    if match is None:
        raise InvalidValue("error.bad_week", value=text)
    year, week = int(match[1]), int(match[2])
    earliest, latest = date_range(today)
    out_of_range = InvalidValue("error.week_range", value=text.strip(), earliest=week_name(earliest),
                                latest=week_name(latest))
    if not earliest.year - 1 <= year <= latest.year + 1:
        raise out_of_range  # before the calendar arithmetic, which ends at year 9999
    try:
        monday, sunday = date.fromisocalendar(year, week, 1), date.fromisocalendar(year, week, 7)
    except ValueError:
        # Week 0, week 53 of a 52-week year.
        raise InvalidValue("error.bad_week", value=text) from None
    if not week_bounds(earliest)[0] <= monday <= latest:
        raise out_of_range
    return monday, sunday


def week_name(day: date) -> str:
    """The ISO week of `day`, as 2023-W50."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def check_year(year: int, *, today: date) -> int:
    """`year` if the accepted range reaches into it, else InvalidValue naming the range."""
    earliest, latest = date_range(today)
    if not earliest.year <= year <= latest.year:
        raise InvalidValue("error.report_year", value=year, earliest=earliest.year, latest=latest.year)
    return year


def week_bounds(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week containing `day`."""
    return day + relativedelta(weekday=MO(-1)), day + relativedelta(weekday=SU(+1))


def _pinned_now() -> datetime | None:
    """The instant QIYE_NOW pins, or None when the clock runs free."""
    value = os.environ.get(NOW_ENV, "").strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        # Not "error.config_value": its {key} parameter clashes with QiyeError's own `key`.
        raise InvalidValue("error.bad_date", value=f"{NOW_ENV}={value}") from None


def _zone(tz_name: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValue("error.bad_timezone", value=tz_name, example=DEFAULT_TZ) from None


# Ledgers and backdated commands record dates, not times: a dated fact (dispatch,
# acknowledgement, callback) is taken to have happened at 09:00 in the park's time zone,
# the start of the office day.
OFFICE_HOUR = time(9, 0)


def _stored_instant(day: date, at: time, tz_name: str) -> datetime:
    """`at` o'clock on `day` in the park's time zone, as the naive UTC datetime a timestamp is stored as."""
    return datetime.combine(day, at, tzinfo=_zone(tz_name)).astimezone(UTC).replace(tzinfo=None)


def office_hour_utc(day: date, tz_name: str = DEFAULT_TZ) -> datetime:
    """09:00 of `day` in the park's time zone, as stored."""
    return _stored_instant(day, OFFICE_HOUR, tz_name)


def day_end_utc(day: date, tz_name: str = DEFAULT_TZ) -> datetime:
    """The instant `day` ends in the park's time zone (the midnight after it), as stored."""
    return _stored_instant(day + timedelta(days=1), time(0), tz_name)


def local_date(instant: datetime, tz_name: str = DEFAULT_TZ) -> date:
    """The park's calendar date of a stored (naive UTC) timestamp."""
    return instant.replace(tzinfo=UTC).astimezone(_zone(tz_name)).date()


def today_in(tz_name: str = DEFAULT_TZ) -> date:
    """Today's date in the time zone `tz_name`.

    A QIYE_NOW with an offset is an instant, seen from `tz_name`; one without an offset
    (2023-12-31, 2023-12-31T10:00) is a wall-clock reading, so its date is today anywhere.
    """
    zone = _zone(tz_name)
    pinned = _pinned_now()
    if pinned is None:
        return datetime.now(zone).date()
    if pinned.tzinfo is None:
        return pinned.date()
    return pinned.astimezone(zone).date()


def now_utc() -> datetime:
    """The current instant as a naive UTC datetime, microseconds kept, for stored timestamps.

    A QIYE_NOW without an offset is read as UTC.
    """
    pinned = _pinned_now()
    if pinned is None:
        return datetime.now(UTC).replace(tzinfo=None)
    if pinned.tzinfo is None:
        return pinned
    return pinned.astimezone(UTC).replace(tzinfo=None)
