"""Under zh everything a person reads is Chinese; under en, English (issue 17 point 3, DESIGN §3).

Walks every command and group of the click tree with --help in both languages, and a set of
typical errors and outputs, and fails on an English sentence in zh output (two or more English
words in a row that are neither codes, command and option names, nor the technical words of the
allow-list) or a Chinese sentence in en output (Chinese punctuation outside quoted values and
example lines). Machine formats are not checked here: they stay English (DESIGN §4).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from enum import Enum
from typing import get_args

import pytest
from typer.testing import CliRunner

from conftest import BACKENDS, command_tree
from ledgers import add_ledger_issues, file_three, module_database
from qiye_service.cli import app
from qiye_service.config import KNOWN_KEYS

EVERYTHING = command_tree()


def _choice_words() -> set[str]:
    words: set[str] = set()
    for _, command in EVERYTHING:
        for param in command.params:
            annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
            while annotation is not None and not isinstance(annotation, type):
                args = [arg for arg in get_args(annotation) if arg is not type(None)]
                annotation = args[0] if args else None
            if isinstance(annotation, type) and issubclass(annotation, Enum):
                words.update(str(member.value) for member in annotation)
    return words


# Words that may stand in Chinese output: codes (choice values, statuses, levels, roles, report
# sections, config keys, words a date or week is typed as) and the technical names a Chinese cadre
# reads as they are (file formats, products, standards, units). A word holding a digit or an
# underscore is a code too (GB18030, in_progress, reported_on).
CODES = {word.lower() for word in _choice_words() | {
    "qiye", "zh", "en", "none", "all", "auto", "today", "yesterday", "tomorrow", "this", "last", "error", "warning",
    "CSV", "XLSX", "UTF-8", "GB", "ISO", "URL", "SQLite", "PostgreSQL", "Excel", "BOM", "CRLF", "IANA", "README",
    "SHA-256", "SHA", "Tab", "shell", "python", "trust", "peer", "MB", "KB",
    "open", "resolved", "deferred", "verifying", "individual", "common", "urgent", "high", "normal",
    "low", "due-soon", "overdue", "red", "visit", "meeting", "phone", "online", "other", "satisfied", "basic",
    "unsatisfied", "cadre", "handler", "supervisor", "admin",
    "figures", "groups", "categories", "closed", "coverage", "lapsed", "ranking", "issues", "safety-check",
    "land-acquisition", "site-leveling", "land-listing", "land-use-change", "fire-acceptance", "water-power",
    "road", "approval", "financing", "talent", "policy",  # the seeded category codes
} | {part for key in KNOWN_KEYS for part in key.split(".")}}
# A value's placeholder in capitals, as click writes one (`--note TEXT`, `qiye issue attach ID FILE`).
PLACEHOLDERS = {"TEXT", "FILE", "DIR", "SEAL", "ID", "ISSUE", "CODE", "NAME", "KEY", "VALUE", "OPERATIONS", "TITLE",
                "URL", "LOGIN", "TOKEN"}
# Words of the domain that are also codes or command names: said in English inside a Chinese
# sentence they are the gap this test is for (`enterprise '蓝思科技' 已存在`), so they pass only
# where they stand as a command, a choice or an option's value (see CODE_CONTEXTS), and in help,
# where the command and choice columns name them.
NOUNS = {"enterprise", "department", "category", "user", "issue", "visit", "owner", "title", "status", "kind",
         "priority", "id", "name", "file", "text", "key", "value", "code", "login", "report", "attachment",
         "zone", "industry", "source", "month", "week", "level", "liaison"}
ALLOWED = CODES - NOUNS
HELP_ALLOWED = ALLOWED | {name for path, _ in EVERYTHING for name in path} | _choice_words()
_PATHS = sorted((" ".join(path) for path, _ in EVERYTHING if len(path) > 1), key=len, reverse=True)
CODE_CONTEXTS = re.compile("|".join([
    r"qiye(?: [a-z][\w-]*){1,3}",                       # a command line
    *(rf"(?<![\w-]){re.escape(path)}(?![\w-])" for path in _PATHS),  # a command named without qiye
    r"：[A-Za-z0-9_.<>\-]+(?:(?:, |、)[A-Za-z0-9_.<>\-]+)+",  # a list of codes (可选：…, 可用配置项：…)
    r"[\w-]+(?: / [^\s/;；]+)+",                           # headers a column may have (enterprise / 企业名称)
    r"(?<![\w-])--[\w-]+ [a-z][\w-]*",                   # an option with its value
]))

WORD = re.compile(r"(?<![\w-])[A-Za-z][\w'-]*(?<!-)")
QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`|<[^>\n]*>|\S*[/._=@~$]\S*|(?<![\w-])--?[\w-]+")
EXAMPLE = re.compile(r"(示例：|Example:).*$", re.MULTILINE)
CHINESE_PUNCTUATION = re.compile(r"[，。；：！？、（）]")
CJK = re.compile(r"[\u4e00-\u9fff]")


def english_sentences(text: str, allowed: set[str] = ALLOWED) -> list[str]:
    """English words (outside quoted values, codes, names and examples) that are not on the
    allow-list: one is enough (`enterprise '蓝思科技' 已存在`)."""
    bare = QUOTED.sub(" ", CODE_CONTEXTS.sub(" ", EXAMPLE.sub(" ", text)))
    return [word for word in WORD.findall(bare)
            if word.lower() not in allowed and word not in PLACEHOLDERS and not re.search(r"[\d_]", word)]


def english_in_help(text: str) -> list[str]:
    return english_sentences(text, HELP_ALLOWED)


def chinese_sentences(text: str) -> list[str]:
    """Lines with Chinese punctuation outside quoted values and example lines."""
    bare = QUOTED.sub(" ", EXAMPLE.sub(" ", text))
    return [line.strip() for line in bare.splitlines() if CHINESE_PUNCTUATION.search(line) and CJK.search(line)]


def test_the_checks_would_notice():
    assert english_sentences("错误：没有这个选项 Did you mean --format？")
    assert english_sentences("error: enterprise '蓝思科技' 已存在")  # one word is enough
    assert english_sentences("用法：qiye db backup [选项] {file}")
    assert not english_sentences("督办等级：due-soon（蓝色）、overdue（黄色）；编码 GB18030、UTF-8、in_progress")
    assert english_sentences("╭─ Options ─╮ │ --sort <str> Field to sort by │")
    assert not english_sentences("error: --format 的值 'xml' 无效，可选：table, csv, tsv, json")
    assert not english_sentences("用法：qiye issue list [选项]\n示例：qiye category add x --en \"Road works\"")
    assert chinese_sentences("error: 没有这个选项：--bogus")
    assert not chinese_sentences("File, list, show and work issues (问题).")


IDS = [" ".join(path) or "qiye" for path, _ in EVERYTHING]


def qiye_runner(*args: str, env: dict[str, str] | None = None):
    """`qiye` in-process without a database: help needs none."""
    return CliRunner().invoke(app, list(args), env=env)


@pytest.mark.parametrize(("path", "command"), EVERYTHING, ids=IDS)
def test_help_of_every_command_speaks_the_language(path, command):
    zh = qiye_runner("--lang", "zh", *path, "--help")
    assert zh.exit_code == 0, zh.output
    assert "用法：qiye" in zh.stdout
    assert english_in_help(zh.stdout) == [], zh.stdout
    en = qiye_runner("--lang", "en", *path, "--help")
    assert en.exit_code == 0, en.output
    assert "Usage: qiye" in en.stdout
    assert chinese_sentences(en.stdout) == [], en.stdout
    assert "<bool>" not in zh.stdout + en.stdout  # a flag takes no value
    assert "<list[" not in zh.stdout + en.stdout  # a repeatable option shows one value's type


def test_help_in_chinese_by_qiye_lang_and_at_sixty_columns():
    result = qiye_runner("issue", "list", "--help", env={"QIYE_LANG": "zh", "COLUMNS": "60"})
    assert "用法：qiye issue list [选项]" in result.stdout
    assert "筛选条件" in result.stdout and "…" not in result.stdout  # nothing cut off
    assert english_in_help(result.stdout) == [], result.stdout


@pytest.mark.parametrize("args", [("--lang", "zh", "--help"), ("issue",), ("report", "weekly", "-h")])
def test_help_in_chinese_as_a_process(args):
    """The console script draws help with typer's help module loaded late (cli.main): its words
    are Chinese too, for the root's help, a group's help shown for want of a command, a command's."""
    env = {**os.environ, "QIYE_LANG": "zh", "COLUMNS": "80"}
    result = subprocess.run([sys.executable, "-m", "qiye_service", *args], capture_output=True, text=True,
                            env=env, timeout=60)
    assert "用法：" in result.stdout and "╭─ 选项 ─" in result.stdout, result.stdout
    assert english_in_help(result.stdout) == [], result.stdout


@pytest.fixture(scope="module", params=BACKENDS)
def ledger(request, tmp_path_factory, sqlite_template):
    def build(qiye):
        file_three(qiye)
        add_ledger_issues(qiye)

    yield from module_database(request.param, tmp_path_factory.mktemp("everywhere"), sqlite_template, build)


ERRORS = [
    (("issue", "list", "--bogus"), 2),
    (("issue", "list", "--formt", "csv"), 2),
    (("issue", "show"), 2),
    (("issue", "show", "1", "2"), 2),
    (("issue", "lst"), 2),
    (("issue", "list", "--format"), 2),
    (("category", "add", "safety"), 2),
    (("issue", "list", "--format", "xml"), 1),
    (("issue", "list", "--limit", "ten"), 1),
    (("issue", "list", "--status", "nope"), 1),
    (("issue", "list", "--sort", "nope"), 1),
    (("issue", "list", "--kind", "nope"), 1),
    (("issue", "list", "--level", "nope"), 1),
    (("report", "summary", "--by", "nope"), 1),
    (("report", "summary", "--section", "nope"), 1),
    (("import", "issues", "x.csv", "--on-conflict", "nope"), 1),
    (("issue", "show", "9999"), 1),
    (("issue", "assign", "1"), 1),
    (("issue", "comment", "1", "  "), 1),
    (("issue", "add", "新问题", "-e", "蓝思科技", "-c", "road", "--reported", "2023-05-12", "--due", "2023-05-01"), 1),
    (("issue", "add", "新问题", "-e", "没有这家企业", "-c", "road"), 1),
    (("issue", "list", "--since", "someday"), 1),
    (("config", "set", "deadline.default", "soon"), 1),
    (("config", "set", "lang", "fr"), 1),
    (("config", "set", "nosuch", "1"), 1),
    (("db", "restore", "/nonexistent/qiye-backup.db", "--yes"), 1),
    (("import", "issues", "/nonexistent/台账.csv"), 1),
    (("export", "issues", "--format", "xlsx"), 1),
    (("enterprise", "add", "蓝思科技"), 1),
    (("department", "add", "消防救援大队"), 1),
    (("enterprise", "show", "蓝思制药"), 1),
    (("enterprise", "show", "没有这家"), 1),
    (("enterprise", "edit", "蓝思科技", "--credit-code", "123"), 1),
    (("enterprise", "edit", "蓝思科技", "--credit-code", "91430181MA4L2X3B5C"), 1),
    (("issue", "add", "新问题"), 1),
    (("issue", "add", "新问题", "-e", "蓝思科技", "-c", "nosuch"), 1),
    (("issue", "list", "--dept", "消防大队x"), 1),
    (("issue", "resolve", "1", "--note", "已解决", "--on", "2023-05-01"), 1),
    (("issue", "tag", "1", "foo"), 1),
    (("user", "add", "张三", "--role", "boss"), 1),
    (("user", "show", "nobody"), 1),
    (("config", "get", "nosuch"), 1),
    (("visit", "show", "99999"), 1),
    (("attachment", "get", "9999"), 1),
    (("import", "issues", "/etc/hostname"), 1),
]


@pytest.mark.parametrize(("args", "exit_code"), ERRORS, ids=[" ".join(a) for a, _ in ERRORS])
def test_errors_speak_the_language(ledger, args, exit_code):
    zh = ledger("--lang", "zh", *args)
    assert zh.exit_code == exit_code, zh.output
    assert "error: " in zh.stderr and CJK.search(zh.stderr), zh.stderr
    assert english_sentences(zh.stderr) == [], zh.stderr
    en = ledger("--lang", "en", *args)
    assert en.exit_code == exit_code, en.output
    assert chinese_sentences(en.stderr) == [], en.stderr


def test_the_holiday_calendar_warning_speaks_the_language(ledger):
    result = ledger("--lang", "zh", "issue", "add", "远期问题", "-e", "蓝思科技", "-c", "road",
                    "--reported", "2033-03-01", "--due", "15wd", env={"QIYE_NOW": "2033-03-01T10:00:00+08:00"})
    assert result.exit_code == 0, result.output
    assert "warning: 2033 年" in result.stderr, result.stderr
    assert english_sentences(result.stderr) == [], result.stderr


OUTPUTS = [
    ("issue", "list"),
    ("issue", "list", "--limit", "2"),
    ("issue", "show", "1"),
    ("enterprise", "list"),
    ("department", "list"),
    ("report", "summary"),
    ("report", "weekly"),
    ("report", "overdue"),
    ("report", "trend"),
    ("db", "info"),
]


# What the ledger holds is the users' text, in whatever language they wrote it.
LEDGER_TEXT = ("Road access for phase two", "Acme Robotics", "tester")


@pytest.mark.parametrize("args", OUTPUTS, ids=[" ".join(a) for a in OUTPUTS])
def test_tables_titles_and_footers_speak_the_language(ledger, args):
    zh = ledger("--lang", "zh", *args)
    assert zh.exit_code == 0, zh.output
    shown = zh.output
    for text in LEDGER_TEXT:
        shown = shown.replace(text, "")
    assert english_sentences(shown) == [], zh.output


def _choice_options():
    """Every option whose values are a fixed set (an Enum), with the command it belongs to."""
    for path, command in EVERYTHING:
        for param in command.params:
            annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
            while annotation is not None and not isinstance(annotation, type):
                args = [arg for arg in get_args(annotation) if arg is not type(None)]
                annotation = args[0] if args else None
            if getattr(param, "param_type_name", "") == "option" and isinstance(annotation, type) \
                    and issubclass(annotation, Enum):
                yield path, command, param, [str(member.value) for member in annotation]


CHOICE_OPTIONS = list(_choice_options())


def test_the_choice_walk_finds_the_formats_and_dimensions():
    found = {(" ".join(path), param.opts[0]) for path, _, param, _ in CHOICE_OPTIONS}
    for expected in (("issue list", "--format"), ("report summary", "--by"), ("report trend", "--by"),
                     ("import issues", "--on-conflict"), ("import issues", "--encoding"), ("", "--lang"),
                     ("export issues", "--format")):
        assert expected in found


def _required_values(command) -> list[str]:
    """Values for the command's required arguments and options, so only the bad choice is wrong."""
    args: list[str] = []
    for param in command.params:
        if param.required and getattr(param, "param_type_name", "") == "argument":
            args.append("1")
        elif param.required:
            args.extend([param.opts[0], "x"])
    return args


@pytest.mark.parametrize(("path", "command", "param", "choices"), CHOICE_OPTIONS,
                         ids=[f"{' '.join(p) or 'qiye'} {o.opts[0]}" for p, _, o, _ in CHOICE_OPTIONS])
def test_every_value_outside_its_choices_is_one_invalid_value_error(path, command, param, choices, tmp_path):
    """Issue 18 point 5: exit 1 (DESIGN §7), one wording listing the choices, in the interface
    language, no pydantic or click wording, nothing written."""
    option = param.opts[0]
    where = [option, "nope"] if not path else [*path, *_required_values(command), option, "nope"]
    ledger = tmp_path / "untouched.db"
    listed = ", ".join(choices)
    for lang, expected in (("en", f"error: {option}: 'nope' is not one of {listed}"),
                           ("zh", f"error: {option} 的值 'nope' 无效，可选：{listed}")):
        result = qiye_runner("--db", str(ledger), *where, env={"QIYE_LANG": lang})
        assert result.exit_code == 1, result.output
        assert result.stdout == ""
        assert result.stderr.startswith(expected), result.stderr
        assert "Value error" not in result.stderr and "Invalid value" not in result.stderr
    assert not ledger.exists()


# Choices the services check (they accept Chinese aliases too, so they are not Enum options).
SERVICE_CHOICES = [
    (("issue", "list", "--status", "nope"), "--status", "open, in_progress, resolved, deferred, verifying, all"),
    (("issue", "list", "--kind", "nope"), "--kind", "individual, common"),
    (("issue", "list", "--priority", "nope"), "--priority", "urgent, high, normal, low"),
    (("issue", "list", "--level", "nope"), "--level", "due-soon"),
    (("issue", "list", "--sort", "nope"), "--sort", "id, title, reported_on"),
    (("issue", "add", "新问题", "-e", "蓝思科技", "-c", "road", "--source", "nope"), "--source",
     "visit, meeting, phone, online, other"),
    (("issue", "edit", "1", "--kind", "nope"), "--kind", "individual, common"),
    (("issue", "callback", "4", "--result", "nope"), "--result", "satisfied, basic, unsatisfied"),
    (("report", "summary", "--section", "nope"), "--section", "figures, by_kind, groups"),
]


@pytest.mark.parametrize(("args", "option", "listed"), SERVICE_CHOICES, ids=[" ".join(a) for a, _, _ in SERVICE_CHOICES])
def test_service_checked_choices_have_the_same_wording(ledger, args, option, listed):
    en = ledger("--lang", "en", *args)
    assert en.exit_code == 1 and en.stderr.startswith(f"error: {option}: 'nope' is not one of {listed}"), en.stderr
    zh = ledger("--lang", "zh", *args)
    assert zh.exit_code == 1 and zh.stderr.startswith(f"error: {option} 的值 'nope' 无效，可选：{listed}"), zh.stderr


def test_an_unanswered_question_is_abandoned_in_the_language(ledger, tmp_path, monkeypatch):
    from qiye_service.cli import options

    monkeypatch.setattr(options, "terminal_attached", lambda: True)
    existing = tmp_path / "台账.xlsx"
    existing.write_bytes(b"kept")
    # The end of input answers no: the file is not replaced, said in the interface language.
    for lang, said in (("zh", f"error: 未覆盖 {existing}；未写入任何内容"),
                       ("en", f"error: {existing} was not replaced; nothing was written")):
        result = ledger("--lang", lang, "export", "issues", "--format", "xlsx", "--out", str(existing), input="")
        assert result.exit_code == 1 and said in result.stderr, result.stderr
    assert existing.read_bytes() == b"kept"
