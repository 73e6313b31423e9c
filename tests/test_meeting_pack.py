"""The meeting pack (issue 21, DESIGN §15): `report weekly|summary --format html|pdf`, printed on
A4 by a real browser (headless Chromium) and by the pdf engine, read back as text; the park's
name; the week-over-week change in json and markdown too."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Qiye

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture
def ledger(sample: Qiye) -> Qiye:
    return sample


def test_park_name_is_a_checked_setting(qiye: Qiye) -> None:
    qiye.ok("config", "set", "park.name", "浏阳经济技术开发区")
    assert "浏阳经济技术开发区" in qiye.ok("config", "get", "park.name").stdout
    for bad in (" 前导空格", "两行\n名称", "长" * 61):
        result = qiye("config", "set", "park.name", bad)
        assert result.exit_code == 1 and "error:" in result.stderr and "park.name" in result.stderr
    assert "浏阳经济技术开发区" in qiye.ok("config", "get", "park.name").stdout
    result = qiye("--lang", "zh", "config", "set", "park.name", " x")
    assert "首尾不留空格" in result.stderr
