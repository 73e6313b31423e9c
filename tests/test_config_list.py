"""`qiye config list` (DESIGN §3): the settings that are set, as key = value on stdout; with none
set, stdout stays empty for scripts and a person is told on stderr, in the interface language,
that every setting has its default and how to set one."""

from __future__ import annotations

from conftest import Qiye


def test_with_no_setting_made_config_list_says_so(sqlite_qiye: Qiye) -> None:
    zh = sqlite_qiye("--lang", "zh", "config", "list")
    assert zh.exit_code == 0 and zh.stdout == ""
    assert zh.stderr.startswith("尚未做任何设置，各项均使用默认值。可用 qiye config set 设置项 值 设置一项"), zh.stderr
    assert "config.toml" in zh.stderr
    en = sqlite_qiye("--lang", "en", "config", "list")
    assert en.exit_code == 0 and en.stdout == ""
    assert en.stderr.startswith("No setting is made: every setting has its default. Set one with "
                                "qiye config set KEY VALUE"), en.stderr


def test_config_list_prints_what_is_set_and_nothing_else(sqlite_qiye: Qiye) -> None:
    sqlite_qiye.ok("config", "set", "park.name", "浏阳经济技术开发区")
    sqlite_qiye.ok("config", "set", "visit.interval", "45")
    result = sqlite_qiye("--lang", "zh", "config", "list")
    assert result.exit_code == 0
    assert result.stdout == "park.name = 浏阳经济技术开发区\nvisit.interval = 45\n"
    assert result.stderr == ""
