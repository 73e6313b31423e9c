"""Every registered command and group has help (DESIGN §9): `--help` exits 0 and shows a one-line
summary; every command's help has an `Example:` line that runs that command.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from conftest import command_tree
from qiye_service.cli import app

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
