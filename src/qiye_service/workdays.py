"""China working-day arithmetic for deadlines and escalation (DESIGN §8).

Weekends, public holidays and make-up working days (调休) come from the `holidays` package's
China calendar; years it has no official schedule for count Monday to Friday, with a warning.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qiye_service.dates import Purpose, check_date, parse_date, working_day_offset
from qiye_service.errors import InvalidValue

if TYPE_CHECKING:
    from holidays import HolidayBase

_WORKING_DAYS = re.compile(r"([+-]?)(\d+)\s*wd", re.ASCII | re.IGNORECASE)

# A deadline further out than this is a typo; it also bounds the day-by-day walk.
MAX_WORKING_DAYS = 10_000

_ONE_DAY = timedelta(days=1)


# The library's answers for its scheduled years, kept on disk: importing `holidays` and
# building its China calendar costs more than the rest of `qiye issue list` together, and
# the answers change only when the library does (benchmarks, issue 7).
CALENDAR_CACHE = "china-working-days.json"


def _cache_file() -> Path:
    """Beside the config when QIYE_CONFIG_DIR names one (tests), else the user's cache dir."""
    override = os.environ.get("QIYE_CACHE_DIR")
    if override:
        return Path(override) / CALENDAR_CACHE
    if os.environ.get("QIYE_CONFIG_DIR"):
        return Path(os.environ["QIYE_CONFIG_DIR"]) / "cache" / CALENDAR_CACHE
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("qiye", appauthor=False)) / CALENDAR_CACHE


def _library_stamp() -> str | None:
    """Which `holidays` is installed (its China module's size and mtime), without importing it."""
    spec = importlib.util.find_spec("holidays")
    if spec is None or spec.origin is None:
        return None
    try:
        found = (Path(spec.origin).parent / "countries" / "china.py").stat()
    except OSError:
        return None
    return f"{found.st_size}:{found.st_mtime_ns}"


class WorkingCalendar:
    """Working days in mainland China, from the `holidays` package's China calendar.

    For the years the library has an official schedule for, the days whose status differs
    from Monday-to-Friday are read from the library once and cached on disk (keyed by the
    installed library), so most runs never import it. `warn` hears, once per year, about
    each year counted Monday to Friday because the library has no official schedule (the
    State Council publishes each November), in `lang`.
    """

    def __init__(self, warn: Callable[[str], None] | None = None, lang: str = "en") -> None:
        self._warn = warn
        self._lang = lang  # of the warning
        self._holidays: HolidayBase | None = None
        self._scheduled_years: frozenset[int] = frozenset()
        self._exceptions: frozenset[date] = frozenset()  # weekdays off and weekend days worked
        self._loaded = False
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

    def _load(self) -> None:
        """The scheduled years and their exceptions: from the cache, else from the library."""
        if self._loaded:
            return
        stamp = _library_stamp()
        path = _cache_file()
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
            if stamp is None or cached.get("library") != stamp:
                raise ValueError("stale")
            self._scheduled_years = frozenset(int(year) for year in cached["scheduled_years"])
            self._exceptions = frozenset(date.fromisoformat(day) for day in cached["exceptions"])
        except (OSError, ValueError, KeyError, TypeError):
            china = self._china()
            self._exceptions = frozenset(
                day
                for year in self._scheduled_years
                for day in (date(year, 1, 1) + timedelta(days=n) for n in range(366))
                if day.year == year and china.is_working_day(day) != (day.weekday() < 5)
            )
            if stamp is not None:
                _write_atomically(path, {
                    "library": stamp,
                    "scheduled_years": sorted(self._scheduled_years),
                    "exceptions": sorted(day.isoformat() for day in self._exceptions),
                })
        self._loaded = True

    @property
    def scheduled_years(self) -> frozenset[int]:
        """The years whose official holiday schedule the library knows."""
        self._load()
        return self._scheduled_years

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is a working day: a weekday that is no holiday, or a make-up day."""
        self._load()
        if day.year in self._scheduled_years:
            return (day.weekday() < 5) != (day in self._exceptions)
        self._warn_unscheduled(day.year)
        return day.weekday() < 5

    def _warn_unscheduled(self, year: int) -> None:
        if year in self._warned_years:
            return
        self._warned_years.add(year)
        if self._warn is None:
            return
        from qiye_service.i18n import translate

        pending = not self._scheduled_years or year > max(self._scheduled_years)
        self._warn(translate("warn.no_schedule_yet" if pending else "warn.no_schedule", self._lang, year=year))

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
    """The signed number of working days in `+5wd`, `-2wd`, `15wd` or 五个工作日后; None for other text."""
    match = _WORKING_DAYS.fullmatch(text.strip())
    if match is None:
        return working_day_offset(text)
    amount = int(match[2])
    return -amount if match[1] == "-" else amount


def parse_due(text: str, *, today: date, base: date | None = None, calendar: WorkingCalendar) -> date:
    """A due date: any form parse_date reads, or N working days.

    `+5wd` and 五个工作日后 count from today, like every relative form; a bare `15wd` (the
    config's default deadlines) counts from `base`, the reported date, or from today without
    one. A month and day without a year (5月12日) is the first such day on or after `base`.
    """
    working_days = parse_working_days(text)
    if working_days is None:
        try:
            return parse_date(text, today=today, purpose=Purpose.DUE, anchor=base)
        except InvalidValue as error:
            if error.key != "error.bad_date":
                raise
            raise InvalidValue("error.bad_due", value=text) from None
    if abs(working_days) > MAX_WORKING_DAYS:
        raise InvalidValue("error.bad_due", value=text)
    signed = text.strip().startswith(("+", "-")) or not text.strip().isascii()
    start = today if signed or base is None else base
    return check_date(calendar.add_working_days(start, working_days), today=today, text=text)


def _write_atomically(path: Path, content: dict[str, Any]) -> None:
    """Write the cache whole or not at all; a cache that cannot be written is no error."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(content))
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
