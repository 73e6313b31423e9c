"""The working-day calendar's disk cache (benchmarks, issue 7): the same answers as the
`holidays` library, without importing it once the cache is written, and never a stale answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import holidays

import qiye_service
from qiye_service.workdays import CALENDAR_CACHE, WorkingCalendar

SRC = str(Path(qiye_service.__file__).parent.parent)


def cache_file() -> Path:
    return Path(os.environ["QIYE_CONFIG_DIR"]) / "cache" / CALENDAR_CACHE


def every_day(years: range) -> list[date]:
    first, last = date(years.start, 1, 1), date(years.stop - 1, 12, 31)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_cached_answers_are_the_librarys_for_every_scheduled_day():
    library = holidays.China()
    built = WorkingCalendar(warn=lambda message: None)
    built.is_working_day(date(2024, 1, 1))
    assert cache_file().exists()
    cached = WorkingCalendar(warn=lambda message: None)
    assert cached.scheduled_years == built.scheduled_years
    assert {2023, 2024, 2025, 2026} <= cached.scheduled_years
    years = range(min(cached.scheduled_years), max(cached.scheduled_years) + 1)
    for day in every_day(years):
        expected = library.is_working_day(day) if day.year in cached.scheduled_years else day.weekday() < 5
        assert cached.is_working_day(day) == expected, day


def test_a_written_cache_spares_the_import():
    WorkingCalendar().is_working_day(date(2023, 10, 7))
    code = (
        "import sys\n"
        "from datetime import date\n"
        "from qiye_service.workdays import WorkingCalendar\n"
        "calendar = WorkingCalendar()\n"
        "print(calendar.add_working_days(date(2023, 9, 27), 5), 'holidays' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert result.stdout.split() == ["2023-10-10", "False"]  # across National Day, from the cache


def test_a_cache_from_another_library_or_a_broken_one_is_rebuilt():
    WorkingCalendar().is_working_day(date(2023, 10, 7))
    path = cache_file()
    content = json.loads(path.read_text())
    # Claim 2023-10-07 (a make-up Saturday) is a plain weekend day, under another library's stamp.
    wrong = {**content, "library": "0:0", "exceptions": [d for d in content["exceptions"] if d != "2023-10-07"]}
    path.write_text(json.dumps(wrong))
    assert WorkingCalendar().is_working_day(date(2023, 10, 7))
    assert json.loads(path.read_text())["library"] == content["library"]
    path.write_text("{not json")
    assert WorkingCalendar().is_working_day(date(2023, 10, 7))
    assert json.loads(path.read_text()) == content


def test_an_unwritable_cache_is_no_error(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("QIYE_CACHE_DIR", str(blocker))
    assert WorkingCalendar().add_working_days(date(2023, 9, 27), 5) == date(2023, 10, 10)
