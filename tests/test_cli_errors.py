"""DESIGN §7 for every command: bad input exits 1 (2 for usage, 3 for the database) with one
`error:` line on stderr that says what was wrong, never a traceback, and writes nothing.
"""

from __future__ import annotations

import pytest

from conftest import BACKENDS
from ledgers import add_ledger_issues, dump, file_three, module_database

DATE_FORMS = ("use one of: 2023-05-12, 2023/5/12, 2023.5.12, 20230512, 2023年5月12日, 5月12日, today, yesterday, "
              "tomorrow, +3d, -2w, +1m, +1y, sow/eow, som/eom, soq/eoq, soy/eoy, mon..sun")


@pytest.fixture(scope="module", params=BACKENDS)
def ledger(request, tmp_path_factory, sqlite_template):
    """Five issues (see ledgers.add_ledger_issues) with #2 in progress; every test here leaves it as it was."""
    def build(qiye):
        file_three(qiye)
        add_ledger_issues(qiye)
        qiye.ok("issue", "start", "2")

    yield from module_database(request.param, tmp_path_factory.mktemp("errors"), sqlite_template, build)


def fails(qiye, args: tuple[str, ...], exit_code: int, message: str) -> str:
    """Run `qiye args`; check DESIGN §7 and that the database is unchanged; return stderr."""
    before = dump(qiye)
    result = qiye(*args)
    after = dump(qiye)
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(error_lines) == 1, result.stderr
    assert message in error_lines[0], error_lines[0]
    assert result.stdout == ""
    assert after == before
    return error_lines[0]


# Every command that takes an issue id: (options, positionals after the id), otherwise valid.
ID_COMMANDS = {
    "show": ((), ()),
    "edit": (("--title", "新标题"), ()),
    "start": ((), ()),
    "resolve": (("--note", "已办结"), ()),
    "defer": (("--note", "暂缓"), ()),
    "reopen": ((), ()),
    "comment": ((), ("跟进",)),
    "assign": (("--owner", "赵敏"), ()),
    "tag": ((), ("+督办",)),
}
BAD_IDS = [
    ("99", "issue #99 does not exist; see `qiye issue list`"),
    ("#99", "issue #99 does not exist"),
    ("9223372036854775807", "issue #9223372036854775807 does not exist"),
    ("#0", "'#0' is not an issue id; use a number such as 12 or #12"),
    ("0", "'0' is not an issue id"),
    ("abc", "'abc' is not an issue id"),
    ("1.5", "'1.5' is not an issue id"),
    ("-1", "'-1' is not an issue id"),
    ("99999999999999999999999", "'99999999999999999999999' is not an issue id"),
    ("１", "'１' is not an issue id"),
]


@pytest.mark.parametrize("command", sorted(ID_COMMANDS))
@pytest.mark.parametrize(("bad_id", "message"), BAD_IDS)
def test_bad_issue_ids(ledger, command, bad_id, message):
    options, positionals = ID_COMMANDS[command]
    separator = ("--",) if bad_id.startswith("-") else ()  # so -1 is read as the id, not a flag
    fails(ledger, ("issue", command, *options, *separator, bad_id, *positionals), 1, message)


BAD_INPUT = [
    # unknown enterprise, category, department
    (("issue", "add", "新问题", "-e", "不存在的企业", "-c", "road"),
     "no enterprise named '不存在的企业'; add it with `qiye enterprise add` or see `qiye enterprise list`"),
    (("issue", "add", "新问题", "-e", "蓝思科技", "-c", "nope"),
     "unknown category 'nope'; valid categories: land-acquisition (征拆), site-leveling (平地)"),
    (("issue", "add", "新问题", "-e", "蓝思科技", "-c", "road", "--dept", "规划局"),
     "no department named '规划局'; add it with `qiye department add`"),
    (("issue", "edit", "1", "--enterprise", "不存在的企业"), "no enterprise named '不存在的企业'"),
    (("issue", "edit", "1", "--category", "消防严收"),
     "unknown category '消防严收'; did you mean fire-acceptance (消防验收)?"),
    (("issue", "edit", "1", "--dept", "规划局"), "no department named '规划局'"),
    (("issue", "assign", "1", "--dept", "规划局", "--owner", "赵敏"), "no department named '规划局'"),
    (("issue", "list", "--enterprise", "不存在的企业"), "no enterprise named '不存在的企业'"),
    (("issue", "list", "--category", "nope"), "unknown category 'nope'"),
    (("issue", "list", "--dept", "规划局"), "no department named '规划局'"),
    (("enterprise", "show", "不存在的企业"), "no enterprise named '不存在的企业'"),
    (("enterprise", "edit", "不存在的企业", "--zone", "南园"), "no enterprise named '不存在的企业'"),
    # bad dates: the error lists the accepted forms
    (("issue", "add", "新问题", "-e", "蓝思科技", "-c", "road", "--due", "2023-02-30"),
     f"cannot read the deadline '2023-02-30'; {DATE_FORMS}, +5wd"),
    (("issue", "add", "新问题", "-e", "蓝思科技", "-c", "road", "--reported", "someday"),
     f"cannot read the date 'someday'; {DATE_FORMS}"),
    (("issue", "edit", "1", "--due", "下周"), "cannot read the deadline '下周'; use one of: 2023-05-12"),
    (("issue", "edit", "1", "--reported", "2023-13-01"), "cannot read the date '2023-13-01'"),
    (("issue", "resolve", "1", "--note", "已办结", "--on", "12/20/2023"), "cannot read the date '12/20/2023'"),
    (("issue", "list", "--since", "last week"), "cannot read the date 'last week'"),
    (("issue", "list", "--until", "2023-12-32"), "cannot read the date '2023-12-32'"),
    (("issue", "list", "--resolved-since", "2月30日"), "cannot read the date '2月30日'"),
    (("issue", "list", "--resolved-until", "+3x"), "cannot read the date '+3x'"),
    # dates out of order
    (("issue", "add", "新问题", "-e", "蓝思科技", "-c", "road", "--reported", "2023-12-10", "--due", "2023-12-01"),
     "due_on (2023-12-01) is before reported_on (2023-12-10)"),
    (("issue", "edit", "1", "--reported", "2024-01-01"), "due_on (2023-12-15) is before reported_on (2024-01-01)"),
    (("issue", "resolve", "1", "--note", "已办结", "--on", "2023-11-30"),
     "resolved_on (2023-11-30) is before reported_on (2023-12-01)"),
    # empty text
    (("issue", "add", "", "-e", "蓝思科技", "-c", "road"), "title must not be empty"),
    (("issue", "add", "   ", "-e", "蓝思科技", "-c", "road"), "title must not be empty"),
    (("issue", "edit", "1", "--title", " "), "title must not be empty"),
    (("issue", "comment", "1", "  "), "comment must not be empty"),
    (("enterprise", "add", " "), "name must not be empty"),
    (("enterprise", "edit", "蓝思科技", "--name", ""), "name must not be empty"),
    (("department", "add", ""), "name must not be empty"),
    (("issue", "add", "x" * 501, "-e", "蓝思科技", "-c", "road"), "title is longer than 500 characters"),
    # bad credit codes
    (("enterprise", "add", "新企业", "--credit-code", "91110000600037341X"),
     "invalid credit code '91110000600037341X': the check character (the 18th) does not match"),
    (("enterprise", "add", "新企业", "--credit-code", "9111000060003734"),
     "invalid credit code '9111000060003734': it must have 18 characters"),
    (("enterprise", "add", "新企业", "--credit-code", "9111000060003734IL"),
     "invalid credit code '9111000060003734IL': it has characters a credit code cannot contain"),
    (("enterprise", "edit", "蓝思科技", "--credit-code", "91110000600037341X"), "invalid credit code"),
    # duplicates
    (("enterprise", "add", "蓝思科技"), "enterprise '蓝思科技' already exists"),
    (("department", "add", "消防救援大队"), "department '消防救援大队' already exists"),
    (("category", "add", "road", "--zh", "道路", "--en", "Roads"), "category 'road' already exists"),
    (("category", "add", "Bad Code", "--zh", "坏", "--en", "Bad"), "'Bad Code' is not a valid code"),
    # bad choices
    (("issue", "add", "新问题", "-e", "蓝思科技", "-c", "road", "--kind", "special"),
     "--kind: 'special' is not one of individual, common"),
    (("issue", "add", "新问题", "-e", "蓝思科技", "-c", "road", "--priority", "asap"),
     "--priority: 'asap' is not one of urgent, high, normal, low"),
    (("issue", "add", "新问题", "-e", "蓝思科技", "-c", "road", "--source", "email"),
     "--source: 'email' is not one of visit, meeting, phone, online, other"),
    (("issue", "edit", "1", "--priority", "asap"), "--priority: 'asap' is not one of urgent"),
    (("issue", "list", "--status", "closed"), "--status: 'closed' is not one of open, in_progress, resolved, deferred, verifying, all"),
    (("issue", "list", "--kind", "special"), "--kind: 'special' is not one of individual, common"),
    (("issue", "list", "--priority", "asap"), "--priority: 'asap' is not one of urgent"),
    (("issue", "list", "--sort", "colour"), "--sort: 'colour' is not one of id, title"),
    (("issue", "list", "--limit", "0"), "--limit must be a positive number, not 0"),
    # invalid transitions
    (("issue", "resolve", "4", "--note", "再次办结"), "cannot resolve issue #4: it is resolved"),
    (("issue", "resolve", "1"), "resolve issue #1 needs a note: pass --note TEXT"),
    (("issue", "resolve", "1", "--note", "  "), "resolve issue #1 needs a note: pass --note TEXT"),
    (("issue", "defer", "1"), "defer issue #1 needs a note: pass --note TEXT"),
    (("issue", "defer", "4", "--note", "暂缓"), "cannot defer issue #4: it is resolved"),
    (("issue", "defer", "5", "--note", "暂缓"), "cannot defer issue #5: it is deferred"),
    (("issue", "start", "2"), "cannot start issue #2: it is in progress"),
    (("issue", "start", "4"), "cannot start issue #4: it is resolved"),
    (("issue", "start", "5"), "cannot start issue #5: it is deferred"),
    (("issue", "reopen", "1"), "cannot reopen issue #1: it is open"),
    (("issue", "reopen", "2"), "cannot reopen issue #2: it is in progress"),
    # other bad values
    (("issue", "tag", "1", "督办"), "'督办': tag changes are written +TAG or -TAG"),
    (("issue", "tag", "1", "+"), "'+': tag changes are written +TAG or -TAG"),
    (("issue", "assign", "1"), "issue assign needs --owner NAME or --dept DEPARTMENT (or both)"),
    # values outside an option's choices, or of the wrong type: invalid values, exit 1 (DESIGN §7)
    (("issue", "show", "1", "--format", "xml"), "--format: 'xml' is not one of table, csv, tsv, json, ndjson, markdown"),
    (("issue", "list", "--limit", "ten"), "--limit: 'ten' is not a whole number"),
    (("department", "list", "--format", "yaml"), "--format: 'yaml' is not one of table, csv"),
    (("--lang", "fr", "issue", "list"), "--lang: 'fr' is not one of zh, en"),
    (("report", "summary", "--by", "nope"), "--by: 'nope' is not one of category, kind, department"),
    (("report", "trend", "--by", "nope"), "--by: 'nope' is not one of month, week"),
    (("export", "issues", "--format", "xml"), "--format: 'xml' is not one of csv, tsv, json, ndjson, xlsx"),
    (("import", "issues", "x.csv", "--on-conflict", "merge"), "--on-conflict: 'merge' is not one of fail, skip, update"),
    (("import", "issues", "x.csv", "--encoding", "latin1"), "--encoding: 'latin1' is not one of auto, utf-8, gb18030"),
    (("issue", "list", "--level", "purple"), "--level: 'purple' is not one of due-soon"),
    (("issue", "callback", "4", "--result", "great"), "--result: 'great' is not one of satisfied, basic, unsatisfied"),
    (("issue", "add", "新问题"), "missing required option(s): --enterprise, --category"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT, ids=[" ".join(a)[:60] for a, _ in BAD_INPUT])
def test_bad_input(ledger, args, message):
    fails(ledger, args, 1, message)


USAGE = [
    (("issue", "add", "新问题", "-e", "蓝思科技", "-c", "road", "--colour", "red"), "No such option: --colour"),
    (("issue", "list", "--bogus"), "No such option: --bogus"),
    (("issue", "show", "-1"), "No such option: -1"),
    (("issue", "show"), "Missing argument"),
    (("issue", "tag", "1"), "Missing argument"),
    (("issue", "frobnicate"), "No such command 'frobnicate'"),
    (("enterprise", "add", "新企业", "--bogus"), "No such option: --bogus"),
    (("category", "add", "safety"), "Missing option '--zh'"),
    (("db", "info", "--bogus"), "No such option: --bogus"),
    (("--bogus", "issue", "list"), "No such option: --bogus"),
]


@pytest.mark.parametrize(("args", "message"), USAGE, ids=[" ".join(a) for a, _ in USAGE])
def test_usage_errors_exit_2(ledger, args, message):
    line = fails(ledger, args, 2, message)
    assert "--help" in line  # says where to look


def test_unreachable_database_exits_3_and_masks_the_password(ledger):
    args = ("--db", "postgresql+psycopg://cadre:s3cret@127.0.0.1:1/qiye", "issue", "list")
    line = fails(ledger, args, 3, "cannot open the database postgresql+psycopg://cadre:***@127.0.0.1:1/qiye")
    assert "s3cret" not in line


@pytest.mark.parametrize("url", ["mysql://root:secret@127.0.0.1/qiye", "mongodb://127.0.0.1/qiye", "sqlite://"])
def test_a_database_kind_qiye_cannot_use_is_a_user_error(ledger, url):
    result = ledger("--db", url, "issue", "list")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: qiye cannot use the database ")
    assert "postgresql://USER@HOST:PORT/DATABASE" in result.stderr
    assert "secret" not in result.output and "Traceback" not in result.output


def test_errors_speak_chinese(ledger):
    result = ledger("--lang", "zh", "issue", "resolve", "4", "--note", "再次办结")
    assert (result.exit_code, result.stderr) == (1, "error: 无法对问题 #4 执行销号：当前状态为 已办结\n")
    result = ledger("--lang", "zh", "issue", "start", "2")
    assert result.stderr == "error: 无法对问题 #2 执行签收：当前状态为 办理中\n"
    result = ledger("--lang", "zh", "issue", "defer", "1")
    assert result.stderr == "error: 暂缓问题 #1 需要说明：请使用 --note TEXT\n"


@pytest.mark.parametrize(("args", "message"), [
    (("enterprise", "add", "蓝思科技"), "企业 '蓝思科技' 已存在"),
    (("department", "add", "消防救援大队"), "责任单位 '消防救援大队' 已存在"),
    (("category", "add", "road", "--zh", "道路", "--en", "Roads"), "问题类别 'road' 已存在"),
])
def test_a_duplicate_is_named_in_chinese(ledger, args, message):
    before = ledger.sql("select count(*) from enterprise"), ledger.sql("select count(*) from department")
    result = ledger("--lang", "zh", *args)
    assert (result.exit_code, result.stderr) == (1, f"error: {message}\n")
    assert (ledger.sql("select count(*) from enterprise"), ledger.sql("select count(*) from department")) == before


def test_debug_shows_the_traceback_only_when_asked(ledger, monkeypatch):
    # An unexpected failure (not a user error) is one line, unless QIYE_DEBUG=1.
    from qiye_service.services import queries

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(queries, "list_issues", broken)
    result = ledger("issue", "list")
    assert result.exit_code == 1
    assert result.stderr == ("error: unexpected failure: RuntimeError: disk on fire "
                             "(rerun with QIYE_DEBUG=1 for details)\n")
    with pytest.raises(RuntimeError, match="disk on fire"):
        ledger("issue", "list", env={"QIYE_DEBUG": "1"})
