"""Every registered command and group has help (DESIGN §9): `--help` exits 0 and shows a one-line
summary; every command's help has an `Example:` line that runs that command.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter

import pytest
from typer.testing import CliRunner

from conftest import command_tree
from qiye_service.cli import app
from qiye_service.cli.language import _choices, help_text

EVERYTHING = command_tree()
COMMANDS = [(path, command) for path, command in EVERYTHING if not hasattr(command, "commands")]


def test_the_walk_finds_the_core_commands():
    paths = {" ".join(path) for path, _ in EVERYTHING}
    for expected in ("issue add", "issue list", "issue show", "issue edit", "issue start", "issue resolve",
                     "issue defer", "issue reopen", "issue comment", "issue assign", "issue tag",
                     "enterprise add", "enterprise list", "enterprise show", "enterprise edit",
                     "category add", "category list", "department add", "department list",
                     "db upgrade", "db info", "init", "config get"):
        assert expected in paths


def summary(command) -> str:
    return (command.help or "").strip().splitlines()[0] if (command.help or "").strip() else ""


@pytest.mark.parametrize(("path", "command"), EVERYTHING, ids=[" ".join(p) or "qiye" for p, _ in EVERYTHING])
def test_help_has_a_one_line_summary(path, command):
    line = summary(command)
    assert line, f"qiye {' '.join(path)} has no help"
    assert len(line) <= 120 and line.endswith((".", ")", "。")), line
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1", "QIYE_LANG": "en"})
    assert result.exit_code == 0, result.output
    assert "Usage: qiye" in result.output
    assert line in " ".join(result.output.split()), line  # rich may re-wrap; compare the words


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_help_has_an_example(path, command):
    examples = [line.strip() for line in (command.help or "").splitlines() if line.strip().startswith("Example:")]
    assert examples, f"qiye {' '.join(path)} has no Example: line"
    assert examples[0].startswith(f"Example: qiye {' '.join(path)}"), examples[0]
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1", "QIYE_LANG": "en"})
    assert "Example: qiye" in result.output


def test_short_help_works_too():
    result = CliRunner().invoke(app, ["issue", "add", "-h"], env={"QIYE_LANG": "en"})
    assert result.exit_code == 0 and "Example: qiye issue add" in result.output


# --- help never cuts a word, number, date, code or option name (zh and en, any width) -------------

LATIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-/:+@#'|*]*")
WIDTHS = (60, 80, 120)
UNWRAPPED = 1000  # wide enough that no line of any help wraps


def latin_tokens(text: str) -> Counter:
    """The Latin tokens (words, numbers, dates, codes, option names) of each line of `text`."""
    return Counter(token.rstrip(".:-/'|") for line in text.splitlines() for token in LATIN.findall(line))


def shown_help(path: tuple[str, ...], lang: str, width: int) -> str:
    result = CliRunner().invoke(app, ["--lang", lang, *path, "--help"], env={"COLUMNS": str(width), "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_token_check_would_notice():
    assert latin_tokens("│ 输出格式：table、csv、tsv、j │\n│ son、ndjson │") != latin_tokens("输出格式：table、csv、tsv、json、ndjson")
    assert latin_tokens("<table|csv|m\narkdown>") != latin_tokens("<table|csv|markdown>")
    assert latin_tokens("--install-complet…") != latin_tokens("--install-completion")
    assert latin_tokens("a (default\nreported_on).") == latin_tokens("a (default reported_on).")


@pytest.mark.parametrize(("path", "command"), EVERYTHING, ids=[" ".join(p) or "qiye" for p, _ in EVERYTHING])
def test_help_never_cuts_a_latin_token(path, command):
    """At 60, 80 and 120 columns, in zh and en, every Latin token of the help is shown whole as
    often as on a terminal too wide to wrap anything; and that one shows every token of the help
    texts themselves (the command's and its options', in the language)."""
    shown_help(path, "en", UNWRAPPED)  # puts the English help back on the shared command tree
    texts = [command.help, *(param.help for param in command.params)]
    for lang in ("en", "zh"):
        whole = shown_help(path, lang, UNWRAPPED)
        expected = latin_tokens(whole)
        for text in texts:
            missing = set(latin_tokens(help_text(text, lang) or "")) - set(expected)
            assert not missing, (lang, missing, whole)
        for width in WIDTHS:
            output = shown_help(path, lang, width)
            found = latin_tokens(output)
            assert found == expected, (lang, width, "cut:", sorted((expected - found).elements()),
                                       "pieces:", sorted((found - expected).elements()), output)


@pytest.mark.parametrize("args", [("issue", "list", "--help"), ("--help",), ("report", "summary", "-h")])
def test_help_as_a_process_never_cuts_a_latin_token(args):
    """The console script builds only the commands it shows (cli.main) and loads typer's help module
    late: the same wrapping holds there."""
    outputs = {}
    for width in (60, UNWRAPPED):
        env = {**os.environ, "QIYE_LANG": "zh", "COLUMNS": str(width), "NO_COLOR": "1"}
        done = subprocess.run([sys.executable, "-m", "qiye_service", *args], capture_output=True, text=True,
                              env=env, timeout=60)
        assert done.returncode == 0, done.stderr
        outputs[width] = done.stdout
    assert latin_tokens(outputs[60]) == latin_tokens(outputs[UNWRAPPED]), outputs[60]


def _choice_options():
    for path, command in EVERYTHING:
        for param in command.params:
            choices = _choices(param)
            if choices is not None and getattr(param, "param_type_name", "") == "option":
                yield path, param, choices


# The report formats a report without a printed pack refuses (trend, overdue): not listed in their help.
REFUSED = {("report", "trend"): {"html", "pdf"}, ("report", "overdue"): {"html", "pdf"}}


@pytest.mark.parametrize(("path", "param", "choices"), list(_choice_options()),
                         ids=[f"{' '.join(p) or 'qiye'} {o.opts[0]}" for p, o, _ in _choice_options()])
def test_a_choice_option_lists_its_values_in_its_help(path, param, choices):
    """The type column shows `<choice>` (a list of values would not fit it); the help names them."""
    shown_help(path, "en", 200)  # puts the English help back on the shared command tree
    for lang in ("en", "zh"):
        shown = help_text(param.help, lang) or ""
        missing = set(choices) - REFUSED.get(path, set()) - {value for value in choices if value in shown}
        assert not missing, (lang, shown)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_a_values_type_is_said_in_the_interface_language(path, command):
    """`<文本>`, `<整数>`, `<路径>` beside an option under zh, as `<可选值>` is; en keeps `<str>`."""
    zh = shown_help(path, "zh", UNWRAPPED)
    assert not re.search(r"<(str|int|path|file|Path|choice)>", zh), zh
    en = shown_help(path, "en", UNWRAPPED)
    assert not re.search(r"<(文本|整数|路径|文件|可选值)>", en), en
