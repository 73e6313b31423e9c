"""Global options (--db, --as, --lang, --version) before or after the subcommand (DESIGN §3):
`qiye report weekly --lang zh` is `qiye --lang zh report weekly`; a command's own option keeps
a value that looks like a global option, and `--` ends the options.
"""

from __future__ import annotations

import json
import shutil

from qiye_service import __version__


def test_lang_after_the_command_is_the_same_as_before(filed) -> None:
    before = filed.ok("--lang", "zh", "issue", "list")
    for args in (["issue", "list", "--lang", "zh"], ["issue", "list", "--lang=zh"], ["issue", "--lang", "zh", "list"]):
        after = filed.ok(*args)
        assert (after.stdout, after.stderr) == (before.stdout, before.stderr), args
    assert "问题标题" in before.stdout
    summary = filed.ok("report", "summary", "--year", "2023", "--lang", "zh", "--format", "table").stdout
    assert summary.startswith("问题办理情况汇总")


def test_the_last_global_option_wins_wherever_it_stands(filed) -> None:
    assert "问题标题" in filed.ok("--lang", "en", "issue", "list", "--lang", "zh").stdout
    assert "Title" in filed.ok("--lang", "zh", "issue", "list", "--lang", "en").stdout


def test_db_and_as_after_the_command(filed, tmp_path) -> None:
    if filed.url.startswith("postgresql"):
        other = filed.url  # the same ledger, named after the command
    else:
        other = str(tmp_path / "other.db")
        shutil.copyfile(filed.url, other)
    filed.ok("issue", "comment", "1", "现场已复核", "--as", "李明", "--db", other)
    history = json.loads(filed.ok("issue", "show", "1", "--format", "json", "--db", other).stdout)["events"]
    assert (history[-1]["actor"], history[-1]["note"]) == ("李明", "现场已复核")
    if not filed.url.startswith("postgresql"):  # the default ledger was not touched
        mine = json.loads(filed.ok("issue", "show", "1", "--format", "json").stdout)["events"]
        assert len(mine) == len(history) - 1


def test_version_after_the_command(filed) -> None:
    assert filed.ok("issue", "list", "--version").stdout == f"qiye {__version__}\n"


def test_a_commands_own_value_that_looks_like_a_global_option(filed) -> None:
    number = filed.ok("issue", "add", "看似全局选项的描述", "-e", "蓝思科技", "-c", "road", "--desc", "--lang").stdout.strip()
    shown = json.loads(filed.ok("issue", "show", number, "--format", "json").stdout)
    assert shown["description"] == "--lang"
    filed.ok("issue", "comment", number, "--", "--as")  # after `--` every word is an argument
    events = json.loads(filed.ok("issue", "show", number, "--format", "json").stdout)["events"]
    assert (events[-1]["actor"], events[-1]["note"]) == ("tester", "--as")


def test_a_global_option_without_its_value_is_a_usage_error(filed) -> None:
    result = filed("issue", "list", "--lang")
    assert result.exit_code == 2
    assert "error: Option '--lang' requires a value." in result.stderr
    assert result.stdout == ""
    bad = filed("issue", "list", "--lang", "fr")  # a value outside the choices: an invalid value (DESIGN §7)
    assert bad.exit_code == 1 and "error: --lang: 'fr' is not one of zh, en" in bad.stderr


def test_the_console_script_reads_global_options_anywhere(filed) -> None:
    done = filed.run_process("issue", "--lang", "zh", "list", "--as", "李明", "--limit", "1")
    assert done.returncode == 0, done.stderr
    assert "问题标题" in done.stdout and done.stderr == "共 3 条，显示 1 条\n"


def test_completion_leaves_an_unfinished_global_option_where_it_is() -> None:
    """Shell completion parses resiliently: `qiye issue list --lang <TAB>` must not fail."""
    import typer.main

    from qiye_service.cli import app
    from qiye_service.cli.context import hoist_global_options

    root = typer.main.get_command(app)
    ctx = root.context_class(root, info_name="qiye", resilient_parsing=True)
    assert hoist_global_options(root, ctx, ["issue", "list", "--as", "李明", "--lang"]) == [
        "--as", "李明", "issue", "list", "--lang"]
    assert hoist_global_options(root, ctx, ["--db", "x.db", "report", "weekly", "--db=y.db", "-f", "--lang"]) == [
        "--db", "x.db", "--db=y.db", "report", "weekly", "-f", "--lang"]
