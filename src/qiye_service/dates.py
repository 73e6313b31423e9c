"""Every date a user types, and the clock, go through here (DESIGN §3).

Policy: dates are written year first (2023-05-12, 2023/5/12, 2023年5月12日); weeks run
Monday to Sunday; "today" is always passed in, so callers and tests pin the clock. Every
date lies between 1990-01-01 and ten years after today, and a fact that already happened
(a close-out, an acknowledgement, a callback) not after today: `check_date` is that rule.

Chinese forms are read as a cadre types them (今天 后天 下周一 本月底 两周后 十二月五日), their
numerals by the `cn2an` library, imported only when a Chinese numeral is typed. A month and day
without a year is read for what the field is for (`Purpose`): a reported or close-out date is
the latest such day not after today, a due date the first such day on or after the reported date.
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
# Numbers in Chinese forms: digits (also full-width) or Chinese numerals (五, 十二, 两, 二十一).
_NUMBER = r"(\d{1,4}|[零〇一二两三四五六七八九十百]{1,6})"
_CHINESE_DATE = re.compile(r"(\d{4}|[〇零一二三四五六七八九]{4})年" + _NUMBER + "月" + _NUMBER + "[日号]?")
_CHINESE_MONTH_DAY = re.compile(_NUMBER + "月" + _NUMBER + "[日号]")
# A month and day alone, month first as cadres write it: 12-05, 12/5.
_NUMERIC_MONTH_DAY = re.compile(r"(\d{1,2})[-/](\d{1,2})")
# 3天后 两周后 3个月后 一年后 2天前 (以后 / 之后 / 以前 / 之前 too).
_CHINESE_OFFSET = re.compile(_NUMBER + "个?(天|日|周|星期|礼拜|月|年)[以之]?([后前])")
_CHINESE_OFFSET_UNITS = {"天": "days", "日": "days", "周": "weeks", "星期": "weeks", "礼拜": "weeks",
                         "月": "months", "年": "years"}
# 五个工作日后 / 5个工作日后 / 3工作日前: working days, counted by workdays.WorkingCalendar.
_CHINESE_WORKING_DAYS = re.compile(_NUMBER + "个?工作日[以之]?([后前])")
# 本周五 这周五 下周一 上周三 下下周二 周日 星期天 礼拜六 (个 allowed: 下个星期一).
_CHINESE_WEEKDAY = re.compile(r"(本|这|今|下下|下|上上|上)?个?(?:周|星期|礼拜)([一二三四五六日天1-7])")
_CHINESE_WEEKDAY_NUMBERS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_CHINESE_WEEK_SHIFT = {None: 0, "本": 0, "这": 0, "今": 0, "下": 1, "下下": 2, "上": -1, "上上": -2}
# 月初 月底 本月底 下月初 上个月底; 年初 年底 今年底 明年初 去年底.
_CHINESE_MONTH_EDGE = re.compile(r"(本|这|这个|下|下个|上|上个)?月([初底末])")
_CHINESE_MONTH_SHIFT = {None: 0, "本": 0, "这": 0, "这个": 0, "下": 1, "下个": 1, "上": -1, "上个": -1}
_CHINESE_YEAR_EDGE = re.compile(r"(今|本|明|下|去|上)?年([初底末])")
_CHINESE_YEAR_SHIFT = {None: 0, "今": 0, "本": 0, "明": 1, "下": 1, "去": -1, "上": -1}
_CHINESE_YEAR_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")

_RELATIVE = re.compile(r"([+-])(\d+)([dwmy])", re.ASCII)
_RELATIVE_UNITS = {"d": "days", "w": "weeks", "m": "months", "y": "years"}

_ISO_WEEK = re.compile(r"(\d{4})-?w(\d{1,2})", re.ASCII | re.IGNORECASE)

_DAY_OFFSETS = {
    "today": 0,
    "yesterday": -1,
    "tomorrow": 1,
    "今天": 0,
    "今日": 0,
    "昨天": -1,
    "昨日": -1,
    "前天": -2,
    "大前天": -3,
    "明天": 1,
    "明日": 1,
    "后天": 2,
    "大后天": 3,
}

# What a date is for decides the year of a month and day typed without one (DESIGN §3).
class Purpose:
    """The field a typed date fills; passed explicitly by every caller that knows it."""

    ANY = "any"  # a filter or report bound: the month and day in today's year
    REPORTED = "reported"  # a fact that happened: the latest such day not after today
    CLOSE_OUT = "close_out"  # resolved, acknowledged, called back: as REPORTED, never in the future
    DUE = "due"  # a deadline: the first such day on or after its anchor, the reported date


# Search this many years for a month and day: 2月29日 recurs within eight.
_YEAR_SEARCH = 8

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


def parse_date(text: str, *, today: date, past: bool = False, purpose: str | None = None,
               anchor: date | None = None) -> date:
    """The date `text` names, reading relative forms against `today`, within the accepted
    range (`check_date`; `past` for facts that already happened, implied by Purpose.CLOSE_OUT).

    `purpose` (a `Purpose`) decides the year of a month and day typed without one; `anchor`
    is a due date's reported date (default today). Without a purpose, `past` means CLOSE_OUT,
    else ANY.

    Raises InvalidValue("error.bad_date") listing the accepted forms, or the range's error.
    """
    if purpose is None:
        purpose = Purpose.CLOSE_OUT if past else Purpose.ANY
    past = past or purpose == Purpose.CLOSE_OUT
    value = text.strip()
    if _ISO_DATE.fullmatch(value):
        try:
            day: date | None = date.fromisoformat(value)
        except ValueError:
            raise InvalidValue("error.bad_date", value=text) from None
    else:
        try:
            day = _parse_other(value.lower(), today, purpose, anchor or today)
        except (ValueError, OverflowError):
            # Out-of-range fields (2023-02-29) or arithmetic past year 9999.
            raise InvalidValue("error.bad_date", value=text) from None
        if day is None:
            raise InvalidValue("error.bad_date", value=text)
    earliest, latest = date_range(today, past)
    if earliest <= day <= latest:  # type: ignore[operator]
        return day  # type: ignore[return-value]
    return check_date(day, today=today, past=past, text=text)  # type: ignore[arg-type]


def _parse_other(value: str, today: date, purpose: str, anchor: date) -> date | None:
    """Every form but exact ISO; None when `value` is no date form at all."""
    if not value.isascii():
        value = re.sub(r"\s+", "", value)
        found = _parse_chinese(value, today, purpose, anchor)
        if found is not None:
            return found
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
    if (match := _COMPACT_DATE.fullmatch(value)) is not None:
        year, month, day = match.groups()
        return _calendar_date(year, month, day)
    if (match := _NUMERIC_MONTH_DAY.fullmatch(value)) is not None:
        return month_day(int(match[1]), int(match[2]), today=today, purpose=purpose, anchor=anchor)
    return None


def chinese_number(text: str) -> int:
    """The value of digits or a Chinese numeral (五 十二 两 二十一); ValueError when neither."""
    if text.isdigit():
        return int(text)
    import cn2an  # noqa: PLC0415 - only a typed Chinese numeral pays for it

    try:
        return int(cn2an.cn2an(text, "normal"))
    except (ValueError, TypeError, KeyError):
        raise ValueError(text) from None


def _parse_chinese(value: str, today: date, purpose: str, anchor: date) -> date | None:
    """The Chinese forms of DESIGN §3 (whitespace removed); None for none of them."""
    if value in _DAY_OFFSETS:
        return today + relativedelta(days=_DAY_OFFSETS[value])
    if (match := _CHINESE_DATE.fullmatch(value)) is not None:
        year = int(match[1].translate(_CHINESE_YEAR_DIGITS))
        return date(year, chinese_number(match[2]), chinese_number(match[3]))
    if (match := _CHINESE_MONTH_DAY.fullmatch(value)) is not None:
        return month_day(chinese_number(match[1]), chinese_number(match[2]), today=today, purpose=purpose,
                         anchor=anchor)
    if (match := _CHINESE_OFFSET.fullmatch(value)) is not None:
        amount = chinese_number(match[1])
        step = amount if match[3] == "后" else -amount
        return today + relativedelta(**{_CHINESE_OFFSET_UNITS[match[2]]: step})
    if (match := _CHINESE_WEEKDAY.fullmatch(value)) is not None:
        shift, name = match.groups()
        weekday = int(name) - 1 if name.isdigit() else _CHINESE_WEEKDAY_NUMBERS[name]
        if shift is None:  # 周五: the next one, as `fri`
            return today + relativedelta(days=1, weekday=weekday)
        monday = week_bounds(today)[0] + relativedelta(weeks=_CHINESE_WEEK_SHIFT[shift])
        return monday + relativedelta(days=weekday)
    if (match := _CHINESE_MONTH_EDGE.fullmatch(value)) is not None:
        first = today + relativedelta(day=1, months=_CHINESE_MONTH_SHIFT[match[1]])
        return first if match[2] == "初" else first + relativedelta(day=31)
    if (match := _CHINESE_YEAR_EDGE.fullmatch(value)) is not None:
        year = today.year + _CHINESE_YEAR_SHIFT[match[1]]
        return date(year, 1, 1) if match[2] == "初" else date(year, 12, 31)
    return None


def working_day_offset(text: str) -> int | None:
    """The signed number of working days in 五个工作日后 / 5个工作日后 / 3工作日前; None for
    other text. Counted from today by workdays.WorkingCalendar (this module knows no holidays)."""
    match = _CHINESE_WORKING_DAYS.fullmatch(re.sub(r"\s+", "", text))
    if match is None:
        return None
    try:
        amount = chinese_number(match[1])
    except ValueError:
        return None
    return amount if match[2] == "后" else -amount


def month_day(month: int, day: int, *, today: date, purpose: str = Purpose.ANY, anchor: date | None = None) -> date:
    """The date of a month and day typed without a year, for what the field is for (`Purpose`):
    a reported or close-out date is the latest such day not after today; a due date the first
    such day on or after `anchor` (the reported date; default today); anything else (a filter)
    the day in today's year. ValueError when no year has that day (2月30日)."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise ValueError(f"{month}-{day}")
    if purpose == Purpose.DUE:
        start = anchor or today
        years = range(start.year, start.year + _YEAR_SEARCH + 1)
        keep = lambda found: found >= start  # noqa: E731
    elif purpose in (Purpose.REPORTED, Purpose.CLOSE_OUT):
        years = range(today.year, today.year - _YEAR_SEARCH - 1, -1)
        keep = lambda found: found <= today  # noqa: E731
    else:
        return date(today.year, month, day)
    for year in years:
        try:
            found = date(year, month, day)
        except ValueError:  # 2月29日 of a common year
            continue
        if keep(found):
            return found
    raise ValueError(f"{month}-{day}")


def _calendar_date(year: str, month: str, day: str) -> date:
    """A year-first date whose parts the patterns above found, checked by dateutil's parser.

    The patterns decide what counts as a date (dateutil alone would read "12" or "May" too);
    the parser, imported only here so ISO dates never load it, rejects 2023-02-29.
    """
    from dateutil import parser

    return parser.parse(f"{year}-{month}-{day}", yearfirst=True, dayfirst=False).date()


_NAMED_WEEKS = {"this": 0, "本周": 0, "这周": 0, "last": -1, "上周": -1}


def parse_iso_week(text: str, *, today: date) -> tuple[date, date]:
    """Monday and Sunday of the ISO week `text` names: 2023-W50, 2023W50 or 2023-w50, or
    this / last / 本周 / 上周 (today's week, the one before); its Monday within the accepted
    range (`check_date`)."""
    named = _NAMED_WEEKS.get(text.strip().lower())
    if named is not None:
        return week_bounds(today + relativedelta(weeks=named))
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


_MONTH = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)
_QUARTER = re.compile(r"(\d{4})-?q([1-4])", re.ASCII | re.IGNORECASE)
_CHINESE_MONTH = re.compile(r"(\d{4})年(\d{1,2})月")
_CHINESE_QUARTER = re.compile(r"(\d{4})年(?:第)?([1-4一二三四])季度?")


def parse_month(text: str, *, today: date) -> tuple[date, date]:
    """The first and last day of the month `text` names: 2023-12, 2023-1 or 2023年12月; its
    year within the accepted range (`check_year`)."""
    value = text.strip()
    match = _MONTH.fullmatch(value) or _CHINESE_MONTH.fullmatch(value)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise InvalidValue("error.bad_month", value=text)
    year, month = check_year(int(match[1]), today=today), int(match[2])
    first = date(year, month, 1)
    return first, first + relativedelta(months=1, days=-1)


def parse_quarter(text: str, *, today: date) -> tuple[date, date]:
    """The first and last day of the quarter `text` names: 2023Q4, 2023-Q4, 2023q4 or
    2023年第四季度 / 2023年4季度; its year within the accepted range (`check_year`)."""
    value = text.strip()
    match = _QUARTER.fullmatch(value) or _CHINESE_QUARTER.fullmatch(value)
    if match is None:
        raise InvalidValue("error.bad_quarter", value=text)
    year = check_year(int(match[1]), today=today)
    quarter = int(match[2]) if match[2].isdigit() else "一二三四".index(match[2]) + 1
    first = date(year, 3 * quarter - 2, 1)
    return first, first + relativedelta(months=3, days=-1)


def month_name(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def quarter_name(day: date) -> str:
    return f"{day.year:04d}Q{(day.month - 1) // 3 + 1}"


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
