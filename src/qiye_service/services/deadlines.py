"""Deadlines (DESIGN §8): `--due` in any date form or in working days, and the default
deadline from the config by category, then priority, then `deadline.default` (15wd).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from qiye_service.config import CATEGORY_DEADLINE_PREFIX

if TYPE_CHECKING:
    from qiye_service.workdays import WorkingCalendar

DEFAULT_DEADLINE = "15wd"


def deadline_setting(config: dict[str, str], *, priority: str, category_code: str) -> str:
    return (
        config.get(f"{CATEGORY_DEADLINE_PREFIX}{category_code}")
        or config.get(f"deadline.{priority}")
        or config.get("deadline.default")
        or DEFAULT_DEADLINE
    )


def _calendar(warn: Callable[[str], None] | None, calendar: WorkingCalendar | None) -> WorkingCalendar:
    from qiye_service.workdays import WorkingCalendar

    return calendar if calendar is not None else WorkingCalendar(warn=warn)


def parse_due(text: str, *, today: date, base: date | None, warn: Callable[[str], None] | None = None,
              calendar: WorkingCalendar | None = None) -> date:
    """A `--due` value: a date, a relative form, or N working days (`+5wd`, `15wd`)."""
    from qiye_service import workdays

    return workdays.parse_due(text, today=today, base=base, calendar=_calendar(warn, calendar))


def default_due(config: dict[str, str], *, priority: str, category_code: str, reported_on: date,
                today: date, warn: Callable[[str], None] | None = None,
                calendar: WorkingCalendar | None = None) -> date | None:
    """The deadline an issue gets when none is given; None when the config says `none`.

    A configured deadline always counts from the reported date, even written `+15wd`.
    """
    setting = deadline_setting(config, priority=priority, category_code=category_code).strip()
    if setting.lower() in ("none", "off", ""):
        return None
    return parse_due(setting.lstrip("+"), today=today, base=reported_on, warn=warn, calendar=calendar)
