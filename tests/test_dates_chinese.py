"""Dates as a cadre types them (DESIGN §3, issue 17 point 2): the Chinese forms with Chinese
numerals, named weeks, and a month and day read for what the field is for. Every case pins
today; the table crosses a year end, a holiday and a leap day."""

from __future__ import annotations

from datetime import date

import pytest

from qiye_service.dates import Purpose, month_day, parse_date, parse_iso_week, working_day_offset
from qiye_service.errors import InvalidValue
from qiye_service.workdays import WorkingCalendar, parse_due

YEAR_END = date(2026, 12, 30)  # a Wednesday, two days before the year turns
LEAP_DAY = date(2024, 2, 29)  # a Thursday


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # days
        ("今天", YEAR_END, date(2026, 12, 30)),
        ("明天", YEAR_END, date(2026, 12, 31)),
        ("后天", YEAR_END, date(2027, 1, 1)),
        ("大后天", YEAR_END, date(2027, 1, 2)),
        ("昨天", date(2027, 1, 1), date(2026, 12, 31)),
        ("前天", date(2027, 1, 1), date(2026, 12, 30)),
        ("明天", LEAP_DAY, date(2024, 3, 1)),
        ("昨天", date(2024, 3, 1), LEAP_DAY),
        # weeks: Monday to Sunday
        ("本周五", YEAR_END, date(2027, 1, 1)),
        ("这周一", YEAR_END, date(2026, 12, 28)),
        ("下周一", YEAR_END, date(2027, 1, 4)),
        ("下个星期一", YEAR_END, date(2027, 1, 4)),
        ("上周三", YEAR_END, date(2026, 12, 23)),
        ("上礼拜天", YEAR_END, date(2026, 12, 27)),
        ("本周日", YEAR_END, date(2027, 1, 3)),
        ("星期天", YEAR_END, date(2027, 1, 3)),
        ("周三", YEAR_END, date(2027, 1, 6)),  # a bare weekday is the next one, as `wed`
        ("下周四", LEAP_DAY, date(2024, 3, 7)),
        ("上周四", date(2024, 3, 7), LEAP_DAY),
        # month and year edges
        ("月初", YEAR_END, date(2026, 12, 1)),
        ("月底", YEAR_END, date(2026, 12, 31)),
        ("本月底", YEAR_END, date(2026, 12, 31)),
        ("本月初", YEAR_END, date(2026, 12, 1)),
        ("下月初", YEAR_END, date(2027, 1, 1)),
        ("下月底", YEAR_END, date(2027, 1, 31)),
        ("下个月底", date(2024, 1, 15), LEAP_DAY),
        ("上月底", date(2024, 3, 10), LEAP_DAY),
        ("本月底", date(2024, 2, 3), LEAP_DAY),
        ("月底", date(2023, 2, 3), date(2023, 2, 28)),
        ("年初", YEAR_END, date(2026, 1, 1)),
        ("年底", YEAR_END, date(2026, 12, 31)),
        ("明年初", YEAR_END, date(2027, 1, 1)),
        ("去年底", date(2027, 1, 4), date(2026, 12, 31)),
        # offsets, Arabic and Chinese numerals
        ("3天后", YEAR_END, date(2027, 1, 2)),
        ("三天后", YEAR_END, date(2027, 1, 2)),
        ("3 天后", YEAR_END, date(2027, 1, 2)),
        ("十天以后", YEAR_END, date(2027, 1, 9)),
        ("两周后", YEAR_END, date(2027, 1, 13)),
        ("2周后", YEAR_END, date(2027, 1, 13)),
        ("两个星期后", YEAR_END, date(2027, 1, 13)),
        ("3个月后", YEAR_END, date(2027, 3, 30)),
        ("十一个月后", date(2023, 3, 29), LEAP_DAY),
        ("二十天后", YEAR_END, date(2027, 1, 19)),
        ("一年后", LEAP_DAY, date(2025, 2, 28)),
        ("一年前", date(2025, 2, 28), date(2024, 2, 28)),
        ("2天前", date(2024, 3, 2), LEAP_DAY),
        ("十二天之前", date(2027, 1, 5), date(2026, 12, 24)),
        # month and day with Chinese numerals; a full date with Chinese year digits
        ("十二月五日", YEAR_END, date(2026, 12, 5)),
        ("十二月五号", YEAR_END, date(2026, 12, 5)),
        ("12月5日", YEAR_END, date(2026, 12, 5)),
        ("十二月三十一日", YEAR_END, date(2026, 12, 31)),
        ("12-05", YEAR_END, date(2026, 12, 5)),
        ("12/5", YEAR_END, date(2026, 12, 5)),
        ("二〇二四年二月二十九日", YEAR_END, LEAP_DAY),
        ("2024年二月二十九日", YEAR_END, LEAP_DAY),
        ("二月二十九日", LEAP_DAY, LEAP_DAY),
    ],
)
def test_chinese_forms(text: str, today: date, expected: date) -> None:
    assert parse_date(text, today=today) == expected


@pytest.mark.parametrize(
    ("text", "today", "purpose", "anchor", "expected"),
    [
        # reported and close-out dates: the latest such day not after today
        ("5月12日", date(2026, 12, 7), Purpose.REPORTED, None, date(2026, 5, 12)),
        ("12月31日", date(2027, 1, 2), Purpose.REPORTED, None, date(2026, 12, 31)),
        ("12-31", date(2027, 1, 2), Purpose.CLOSE_OUT, None, date(2026, 12, 31)),
        ("十二月三十一日", date(2027, 1, 2), Purpose.CLOSE_OUT, None, date(2026, 12, 31)),
        ("1月2日", date(2027, 1, 2), Purpose.CLOSE_OUT, None, date(2027, 1, 2)),  # today itself
        ("2月29日", date(2025, 6, 1), Purpose.REPORTED, None, LEAP_DAY),
        ("二月二十九日", date(2028, 2, 28), Purpose.CLOSE_OUT, None, LEAP_DAY),
        # due dates: the first such day on or after the reported date (the anchor)
        ("5月12日", date(2026, 12, 7), Purpose.DUE, date(2023, 4, 20), date(2023, 5, 12)),
        ("5月12日", date(2026, 12, 7), Purpose.DUE, None, date(2027, 5, 12)),
        ("5月12日", date(2026, 12, 7), Purpose.DUE, date(2026, 12, 7), date(2027, 5, 12)),
        ("1-05", YEAR_END, Purpose.DUE, YEAR_END, date(2027, 1, 5)),
        ("一月五日", YEAR_END, Purpose.DUE, YEAR_END, date(2027, 1, 5)),
        ("12月30日", YEAR_END, Purpose.DUE, YEAR_END, YEAR_END),  # the reported day itself
        ("2月29日", date(2025, 3, 1), Purpose.DUE, date(2025, 3, 1), date(2028, 2, 29)),
        ("2月29日", date(2024, 1, 10), Purpose.DUE, date(2024, 1, 10), LEAP_DAY),
        # filters and report bounds: today's year
        ("5月12日", date(2026, 12, 7), Purpose.ANY, None, date(2026, 5, 12)),
        ("12-05", date(2027, 1, 2), Purpose.ANY, None, date(2027, 12, 5)),
    ],
)
def test_month_day_year_follows_the_field(text: str, today: date, purpose: str, anchor: date | None,
                                          expected: date) -> None:
    assert parse_date(text, today=today, purpose=purpose, anchor=anchor) == expected


def test_past_means_close_out_for_a_month_and_day() -> None:
    assert parse_date("12月31日", today=date(2027, 1, 2), past=True) == date(2026, 12, 31)


def test_due_month_day_reaches_the_first_leap_year() -> None:
    assert month_day(2, 29, today=date(2025, 3, 1), purpose=Purpose.DUE) == date(2028, 2, 29)
    with pytest.raises(ValueError):
        month_day(2, 30, today=date(2025, 3, 1), purpose=Purpose.DUE)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("this", YEAR_END, (date(2026, 12, 28), date(2027, 1, 3))),
        ("本周", YEAR_END, (date(2026, 12, 28), date(2027, 1, 3))),
        ("last", date(2027, 1, 5), (date(2026, 12, 28), date(2027, 1, 3))),
        ("上周", date(2027, 1, 5), (date(2026, 12, 28), date(2027, 1, 3))),
        ("上周", date(2024, 3, 7), (date(2024, 2, 26), date(2024, 3, 3))),
        ("2023-W50", YEAR_END, (date(2023, 12, 11), date(2023, 12, 17))),
    ],
)
def test_named_weeks(text: str, today: date, expected: tuple[date, date]) -> None:
    assert parse_iso_week(text, today=today) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("五个工作日后", 5), ("5个工作日后", 5), ("十个工作日以后", 10), ("3工作日前", -3), ("两个工作日后", 2),
     ("+5wd", None), ("五天后", None), ("工作日后", None)],
)
def test_working_day_offsets(text: str, expected: int | None) -> None:
    assert working_day_offset(text) == expected


@pytest.mark.parametrize(
    ("text", "today", "base", "expected"),
    [
        # National Day 2023: 9-29 to 10-6 off, 10-7 and 10-8 make-up working days
        ("五个工作日后", date(2023, 9, 27), None, date(2023, 10, 10)),
        ("5个工作日后", date(2023, 9, 27), date(2023, 9, 1), date(2023, 10, 10)),  # from today, not base
        ("+5wd", date(2023, 9, 27), None, date(2023, 10, 10)),
        ("一个工作日后", date(2023, 9, 28), None, date(2023, 10, 7)),  # a make-up Saturday
        ("5月12日", date(2026, 12, 7), date(2023, 4, 20), date(2023, 5, 12)),
        ("5月12日", date(2026, 12, 7), None, date(2027, 5, 12)),
        ("两周后", YEAR_END, date(2026, 1, 1), date(2027, 1, 13)),
        ("下月初", YEAR_END, None, date(2027, 1, 1)),
    ],
)
def test_due_forms(text: str, today: date, base: date | None, expected: date) -> None:
    assert parse_due(text, today=today, base=base, calendar=WorkingCalendar()) == expected


@pytest.mark.parametrize(
    "text",
    ["下周", "周八", "下下下", "十三月一日", "二月三十日", "2月30日", "13-01", "00-05", "百天后后", "三天", "工作日后",
     "月中", "明年", "百月五日"],
)
def test_unreadable_chinese_lists_the_forms(text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_date(text, today=YEAR_END)
    assert caught.value.key == "error.bad_date"


def test_a_leap_day_due_month_day_in_a_common_year_is_unreadable_for_a_filter() -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_date("2月29日", today=date(2025, 6, 1))
    assert caught.value.key == "error.bad_date"


@pytest.mark.parametrize("text", ["明天", "下周一", "3天后", "下月初", "年底"])
def test_a_future_close_out_is_refused(text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_date(text, today=date(2026, 12, 7), purpose=Purpose.CLOSE_OUT)
    assert caught.value.key == "error.date_future"


def test_error_lists_the_chinese_forms_in_both_languages() -> None:
    from qiye_service.i18n import translate

    for lang in ("en", "zh"):
        shown = translate("error.bad_date", lang, value="下周")
        for form in ("十二月五日", "12-05", "后天", "下周一", "本月底", "下月初", "两周后", "3天后"):
            assert form in shown
        due = translate("error.bad_due", lang, value="下周")
        assert "五个工作日后" in due and "+5wd" in due
    assert "用格式" in translate("error.bad_date", "zh", value="x")
