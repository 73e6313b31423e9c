"""China working-day arithmetic for deadlines and escalation (DESIGN §8).

Weekends, public holidays and make-up working days (调休) come from the `holidays` package's
China calendar; years it has no official schedule for count Monday to Friday, with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from qiye_service.dates import parse_date
from qiye_service.errors import InvalidValue

if TYPE_CHECKING:
    from holidays import HolidayBase

_WORKING_DAYS = re.compile(r"([+-]?)(\d+)\s*wd", re.ASCII | re.IGNORECASE)

# A deadline further out than this is a typo; it also bounds the day-by-day walk.
MAX_WORKING_DAYS = 10_000

_ONE_DAY = timedelta(days=1)


class WorkingCalendar:
    """Working days in mainland China, built lazily from the `holidays` package.

    `warn` hears, once per year, about each year counted Monday to Friday because the
    library has no official schedule (the State Council publishes each November).
    """

    def __init__(self, warn: Callable[[str], None] | None = None) -> None:
        self._warn = warn
        self._holidays: HolidayBase | None = None
        self._scheduled_years: frozenset[int] = frozenset()
        self._warned_years: set[int] = set()

    def _china(self) -> HolidayBase:
        if self._holidays is None:
            import holidays  # slow to import; only commands that count working days pay

            china = holidays.China()
            # A year has an official schedule when the library carries its State Council
            # notice: the substituted days (调休) kept in `special_public_holidays`. Other
            # years it still fills with estimated festivals but no make-up days.
            self._scheduled_years = frozenset(
                year
                for year in getattr(china, "special_public_holidays", {})
                if china.start_year <= year <= china.end_year
            )
            self._holidays = china
        return self._holidays

    @property
    def scheduled_years(self) -> frozenset[int]:
        """The years whose official holiday schedule the library knows."""
        self._china()
        return self._scheduled_years

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is a working day: a weekday that is no holiday, or a make-up day."""
        china = self._china()
        if day.year in self._scheduled_years:
            return china.is_working_day(day)
        self._warn_unscheduled(day.year)
        return day.weekday() < 5

    def _warn_unscheduled(self, year: int) -> None:
        if year in self._warned_years:
            return
        self._warned_years.add(year)
        if self._warn is None:
            return
        pending = " yet" if not self._scheduled_years or year > max(self._scheduled_years) else ""
        self._warn(
            f"no official holiday schedule for {year}{pending}; counting Monday–Friday as working days"
        )

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (before it when n < 0); `start` itself when n == 0.

        Whether `start` is a working day does not matter: counting begins the day after.
        """
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        day = start
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; 0 when they are equal.

        When `end` is earlier, minus the working days from `end` up to but not including
        `start`, so that working_days_between(s, add_working_days(s, n)) == n for every n.
        """
        if end >= start:
            first, last, sign = start + _ONE_DAY, end, 1
        else:
            first, last, sign = end, start - _ONE_DAY, -1
        count = 0
        day = first
        while day <= last:
            count += self.is_working_day(day)
            day += _ONE_DAY
        return sign * count


def parse_working_days(text: str) -> int | None:
    """The signed number of working days in `+5wd`, `-2wd` or `15wd`; None for other text."""
    match = _WORKING_DAYS.fullmatch(text.strip())
    if match is None:
        return None
    amount = int(match[2])
    return -amount if match[1] == "-" else amount


def parse_due(text: str, *, today: date, base: date | None = None, calendar: WorkingCalendar) -> date:
    """A due date: any form parse_date reads, or N working days.

    `+5wd` counts from today, like every relative form; a bare `15wd` (the config's
    default deadlines) counts from `base`, the reported date, or from today without one.
    """
    working_days = parse_working_days(text)
    if working_days is None:
        return parse_date(text, today=today)
    if abs(working_days) > MAX_WORKING_DAYS:
        raise InvalidValue("error.bad_date", value=text)
    signed = text.strip().startswith(("+", "-"))
    start = today if signed or base is None else base
    return calendar.add_working_days(start, working_days)
