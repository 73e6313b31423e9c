"""The console script builds only the command group it runs (benchmarks, issue 7), and the
result is indistinguishable from building them all: same help, same errors, same commands.
"""

from __future__ import annotations

import contextlib
import io

import pytest
import typer.main

from qiye_service.cli import _command_words, _first_word, app, main


def run_main(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> tuple[int | None, str, list[str]]:
    """main() with argv; returns its exit code, its output, and the commands typer built."""
    built: list[str] = []
    real = typer.main.get_command_from_info

    def counting(command_info, **kwargs):  # type: ignore[no-untyped-def]
        command = real(command_info, **kwargs)
        built.append(command.name)
        return command

    monkeypatch.setattr(typer.main, "get_command_from_info", counting)
    monkeypatch.setattr("sys.argv", ["qiye", *args])
    out = io.StringIO()
    code: int | None = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            main()
        except SystemExit as exc:
            code = exc.code  # type: ignore[assignment]
    return code, out.getvalue(), built


def run_app(args: list[str]) -> tuple[int | None, str]:
    out = io.StringIO()
    code: int | None = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            app(args, prog_name="qiye")
        except SystemExit as exc:
            code = exc.code  # type: ignore[assignment]
    return code, out.getvalue()


@pytest.mark.parametrize("args", [["--help"], ["-h"], [], ["--db", "x.db", "--help"], ["--help", "issue"],
                                  ["issue", "--help"], ["issue", "list", "--help"], ["--lang", "zh", "report", "--help"],
                                  ["isue", "list"], ["report", "nonsense"], ["issue", "show", "--help"],
                                  ["issue", "--help", "list"], ["issue", "lst"], ["export", "issues", "--help"],
                                  ["issue", "--lang", "zh", "list", "--help"], ["report", "weekly", "--lang"]])
def test_same_output_as_the_whole_app(monkeypatch, args):
    groups = list(app.registered_groups)
    code, output, _built = run_main(monkeypatch, args)
    assert app.registered_groups == groups  # put back whole
    assert (code, output) == run_app(args)


def test_root_help_builds_no_group_commands(monkeypatch):
    code, output, built = run_main(monkeypatch, ["--help"])
    assert code == 0 and "report" in output and "issue" in output
    assert built == ["init", "remind"]  # the root's own commands only


def test_a_group_builds_its_own_commands_only(monkeypatch):
    code, _output, built = run_main(monkeypatch, ["--as", "tester", "issue", "--help"])
    assert code == 0
    assert "list" in built and "add" in built
    assert not {"summary", "weekly", "backup", "issues"} & set(built)  # report, db, export commands


def test_a_command_builds_alone(monkeypatch):
    code, output, built = run_main(monkeypatch, ["issue", "show", "--help"])
    assert code == 0 and "Usage: qiye issue show" in output
    assert sorted(built) == ["init", "remind", "show"]


def test_first_word_skips_global_options_and_their_values():
    assert _first_word(["--db", "report", "issue", "list"]) == "issue"
    assert _first_word(["--db=ledger.db", "--lang", "zh", "report", "summary"]) == "report"
    assert _first_word(["--version", "issue"]) == "issue"
    assert _first_word(["--help", "issue"]) is None
    assert _first_word([]) is None
    assert _command_words(["--db", "x", "issue", "list", "--limit", "5"]) == ["issue", "list"]
    assert _command_words(["issue", "--help", "list"]) == ["issue"]
    assert _command_words(["report", "summary", "--year", "2023", "extra"]) == ["report", "summary"]
    # Global options may stand anywhere (DESIGN §3), with their values.
    assert _command_words(["issue", "--lang", "zh", "list"]) == ["issue", "list"]
    assert _command_words(["issue", "--db=x", "--version", "--as", "issue", "show", "1"]) == ["issue", "show"]
    assert _command_words(["report", "--lang=zh", "--help", "weekly"]) == ["report"]


def test_main_leaves_its_objects_to_the_process_exit(monkeypatch):
    import gc

    gc.unfreeze()
    try:
        code, output, _built = run_main(monkeypatch, ["--version"])
        assert code == 0 and output.startswith("qiye ")
        assert gc.get_freeze_count() > 0  # the exit-time collection will not walk them
    finally:
        gc.unfreeze()
