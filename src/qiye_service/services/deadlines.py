"""Deadlines (DESIGN §8): `--due` in any date form or in working days, and the default
deadline from the config by category, then priority, then `deadline.default` (15wd).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from qiye_service.config import CATEGORY_DEADLINE_PREFIX

DEFAULT_DEADLINE = "15wd"


def deadline_setting(config: dict[str, str], *, priority: str, category_code: str) -> str:
    return (
        config.get(f"{CATEGORY_DEADLINE_PREFIX}{category_code}")
        or config.get(f"deadline.{priority}")
        or config.get("deadline.default")
        or DEFAULT_DEADLINE
    )


def parse_due(text: str, *, today: date, base: date | None, warn: Callable[[str], None]) -> date:
    """A `--due` value: a date, a relative form, or N working days (`+5wd`, `15wd`)."""
    from qiye_service import workdays

    return workdays.parse_due(text, today=today, base=base, calendar=workdays.WorkingCalendar(warn=warn))


def default_due(config: dict[str, str], *, priority: str, category_code: str, reported_on: date,
                today: date, warn: Callable[[str], None]) -> date | None:
    """The deadline an issue gets when none is given; None when the config says `none`."""
    setting = deadline_setting(config, priority=priority, category_code=category_code)
    if setting.strip().lower() in ("none", "off", ""):
        return None
    return parse_due(setting, today=today, base=reported_on, warn=warn)
