"""Hostile text through the real CLI (issue 25, points 7 and 8).

7. Stored, typed and file-borne text reaches a terminal only through the sanitiser tables use:
   confirmations, the import summary, `issue tag`, warnings and every `error:` line, in zh and
   en; machine formats keep the text exactly as stored.
8. Text openpyxl or the xlsx format refuses (C0 controls, U+FFFE, lone surrogates, a NUL where
   the backend stores one) is removed from every cell, header and sheet title of a report or
   export workbook, instead of failing the whole report; `=…` stays text.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import re
from pathlib import Path

import pytest

from conftest import Qiye

OSC = "\x1b]0;pwned\x07"  # sets the terminal's title
CSI = "\x1b[2J"  # clears the screen


def hostile(text: str) -> str:
    """`text` with an OSC and a CSI sequence, BEL, a C1 CSI, a bidi override, a joiner that joins
    nothing and a line separator in it (inside, so that stripping blanks keeps them all)."""
    return f"{text}{OSC}甲{CSI}乙\x07丙\x9b31m丁\u202e戊 \u200d己\u2028庚"


# ESC and every other C0 control but tab and newline, DEL, C1 controls, bidi overrides and
# isolates, line and paragraph separators, and a joiner that joins nothing.
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
                    r"|(?:^|(?<=[\s\u200d]))\u200d", re.MULTILINE)
LANGS = ["zh", "en"]


def assert_clean(result, *visible: str) -> None:  # type: ignore[no-untyped-def]
    """Nothing in stdout or stderr can drive the terminal; the readable text is still there."""
    for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        found = UNSAFE.search(text)
        assert found is None, (name, repr(found.group()) if found else None, text)
    assert "Traceback" not in result.output
    for text in visible:
        assert text in result.output, (text, result.output)


# --- 7: messages ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_enterprise_and_department_confirmations(qiye: Qiye, lang: str) -> None:
    first, second, department = hostile("恶意企业"), hostile("改名企业"), hostile("恶意单位")
    added = qiye.ok("--lang", lang, "enterprise", "add", first)
    assert_clean(added, "恶意企业", "己")
    renamed = qiye.ok("--lang", lang, "enterprise", "edit", first, "--name", second)
    assert_clean(renamed, "改名企业")
    edited = qiye.ok("--lang", lang, "enterprise", "edit", second, "--zone", hostile("南园"))
    assert_clean(edited, "改名企业")
    assert_clean(qiye.ok("--lang", lang, "department", "add", department), "恶意单位")
    # Machine formats keep the text as stored.
    stored = json.loads(qiye.ok("export", "enterprises", "--format", "json").stdout)
    assert (stored[0]["name"], stored[0]["zone"]) == (second, hostile("南园"))
    rows = list(csv.DictReader(io.StringIO(qiye.ok("department", "list", "--format", "csv").stdout)))
    assert [row["name"] for row in rows] == [department]


@pytest.mark.parametrize("lang", LANGS)
def test_issue_tag_prints_tags_safely(qiye: Qiye, lang: str) -> None:
    tag = f"督办{OSC}标{CSI}签\x07\x9b\u202e \u200d点\u2028名"
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("issue", "add", "二期厂房消防验收", "-e", "蓝思科技", "-c", "road")
    tagged = qiye.ok("--lang", lang, "issue", "tag", "1", "+" + tag, "+重点项目")
    assert_clean(tagged, "督办", "重点项目")
    assert json.loads(qiye.ok("issue", "show", "1", "--format", "json").stdout)["tags"] == sorted([tag, "重点项目"])


@pytest.mark.parametrize("lang", LANGS)
def test_import_summary_and_warnings(qiye: Qiye, lang: str, tmp_path: Path) -> None:
    enterprise, department, owner = hostile("Evil"), hostile("恶意单位"), hostile("王强")
    path = tmp_path / "ledger.csv"
    path.write_text("enterprise,category,title,department,owner,reported_on,备注" + OSC + "\n"
                    f'"{enterprise}",road,"{hostile("标题")}","{department}","{owner}",2023-12-01,x\n',
                    encoding="utf-8")
    dry = qiye.ok("--lang", lang, "import", "issues", str(path), "--dry-run")
    assert_clean(dry, "Evil", "恶意单位", "备注")
    done = qiye.ok("--lang", lang, "import", "issues", str(path))
    assert_clean(done, "Evil", "恶意单位")
    row = json.loads(qiye.ok("export", "issues", "--format", "json").stdout)[0]
    assert (row["enterprise"], row["department"], row["owner"], row["title"]) == (
        enterprise, department, owner, hostile("标题"))
    exported = list(csv.DictReader(io.StringIO(qiye.ok("export", "issues").stdout)))[0]
    assert (exported["enterprise"], exported["department"]) == (enterprise, department)


@pytest.mark.parametrize("lang", LANGS)
def test_error_lines_quote_values_safely(qiye: Qiye, lang: str, tmp_path: Path) -> None:
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("category", "add", "evil", "--zh", hostile("恶意类别"), "--en", hostile("Evil"))
    bad_file = tmp_path / "bad.csv"
    bad_file.write_text(f"enterprise,category（{OSC}{CSI}\u202e说明）,title,reported_on\n蓝思科技,nosuch,标题,2023-12-01\n",
                        encoding="utf-8")
    hostile_name = hostile("报表")
    cases = [
        # A stored category name in the list of valid ones.
        (("issue", "add", "标题", "-e", "蓝思科技", "-c", "nosuch"), 1, "恶意类别"),
        # A column name from a file in an import row error.
        (("import", "issues", str(bad_file)), 1, "nosuch"),
        # File names typed by the user.
        (("report", "summary", "--format", "csv", "--out", str(tmp_path / "none" / f"{hostile_name}.csv")), 1,
         "报表"),
        (("export", "issues", "--out", str(tmp_path / "none" / f"{hostile_name}.csv")), 1, "报表"),
        # Names and values typed by the user.
        (("issue", "add", "标题", "-e", hostile("没有的企业"), "-c", "road"), 1, "没有的企业"),
        (("issue", "list", "--dept", hostile("没有的单位")), 1, "没有的单位"),
        (("issue", "add", "标题", "-e", "蓝思科技", "-c", "road", "--due", hostile("明天")), 1, "明天"),
        (("department", "add", "重复单位"), 0, ""),
        (("department", "add", "重复单位"), 1, "重复单位"),
        (("issue", "list", "--format", hostile("表格")), 1, "表格"),  # an invalid value: exit 1 (DESIGN §7)
    ]
    for args, code, visible in cases:
        result = qiye("--lang", lang, *args)
        assert result.exit_code == code, (args, result.output)
        if code:
            assert result.stderr.startswith("error: ") or "\nerror: " in result.stderr, (args, result.stderr)
        assert_clean(result, visible)


def test_messages_leave_only_through_the_sanitiser() -> None:
    """Text for people reaches the terminal only through cli/context.py (`echo`, `say`, `warn`,
    the `error:` line), which sanitises every line: a command never calls typer.echo, click.echo
    or print itself, except to write a JSON document (machine output, kept exactly as stored)."""
    cli = Path(__file__).parent.parent / "src" / "qiye_service" / "cli"
    bypasses = []
    for source in sorted(cli.glob("*.py")):
        if source.name == "context.py":
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func)
            if name not in ("typer.echo", "typer.secho", "click.echo", "click.secho", "print"):
                continue
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Call) and ast.unparse(first.func) == "json.dumps":
                continue
            bypasses.append(f"{source.name}:{node.lineno}: {ast.unparse(node)}")
    assert bypasses == []


# --- 8: workbooks -----------------------------------------------------------------------------

# What no xlsx cell may hold: C0 controls but tab, newline and CR, surrogates, U+FFFE and U+FFFF.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
TITLE = "标题\x1b]0;pwned\x07中\x0b间\ufffe尾"
OWNER = "王\x1b[2J\x07强"
DEPARTMENT = "消防\x0b救援\x1b大队"
ENTERPRISE = "蓝思\x07科技\x1b"
RESOLUTION = "已办结\x1b[31m\x0b\x07"


@pytest.fixture
def control_ledger(qiye: Qiye) -> Qiye:
    """Issues whose title, owner, department, enterprise and resolution hold control characters
    and U+FFFE, one titled `=cmd…`; on SQLite one more whose title, owner and department hold a NUL
    (PostgreSQL refuses a NUL: test_database_errors.py::test_a_value_postgresql_refuses_is_a_user_error;
    no backend stores a lone surrogate: the command line refuses one, see test_hostile.py)."""
    qiye.ok("enterprise", "add", ENTERPRISE)
    qiye.ok("department", "add", DEPARTMENT)
    common = ("-e", ENTERPRISE, "-c", "road", "--dept", DEPARTMENT, "--owner", OWNER, "--reported", "2023-11-01")
    qiye.ok("issue", "add", *common, "--due", "2023-11-10", "--", TITLE)
    qiye.ok("issue", "add", *common, "--due", "2023-12-01", "--", "=cmd|' /C calc'!A0")
    qiye.ok("issue", "add", *common, "--due", "2023-12-31", "--", "-1 期 " + TITLE)
    qiye.ok("issue", "resolve", "3", "--note", RESOLUTION, "--on", "2023-12-18")
    if qiye.url.startswith("postgresql"):
        return qiye
    qiye.ok("department", "add", "供电\x00公司")
    qiye.ok("issue", "add", "用电\x00增容", "-e", ENTERPRISE, "-c", "water-power", "--dept", "供电\x00公司",
            "--owner", "李\x00娜", "--reported", "2023-12-18", "--due", "2023-12-19")
    return qiye


def _cells(path: Path) -> dict[str, list]:
    from openpyxl import load_workbook

    book = load_workbook(path)
    return {sheet.title: [cell for row in sheet.iter_rows() for cell in row] for sheet in book.worksheets}


def _shown(text: str) -> str:
    """What a workbook shows of a stored text."""
    return NOT_XML.sub("", text)


REPORTS = [("weekly",), ("overdue",), ("overdue", "--by", "department"), ("overdue", "--by", "owner"),
           ("summary", "--by", "enterprise"), ("summary", "--by", "department"), ("summary", "--by", "owner"),
           ("trend",)]


def test_report_workbooks_drop_what_xlsx_refuses(control_ledger: Qiye, tmp_path: Path) -> None:
    for index, report in enumerate(REPORTS):
        for lang in LANGS:
            out = tmp_path / f"report-{index}-{lang}.xlsx"
            result = control_ledger("--lang", lang, "report", *report, "--format", "xlsx", "--out", str(out))
            assert result.exit_code == 0, (report, result.output)
            assert_clean(result)
            cells = [cell for cells in _cells(out).values() for cell in cells]
            assert not [c.value for c in cells if isinstance(c.value, str) and NOT_XML.search(c.value)], report
            texts = {c.value for c in cells if isinstance(c.value, str)}
            if report[0] in ("weekly", "overdue"):
                assert _shown(TITLE) in texts and _shown(OWNER) in texts, report
                formula = [c for c in cells if c.value == "=cmd|' /C calc'!A0"]
                assert formula and all(c.data_type == "s" for c in formula), report  # text, never a formula
            if report[-1] in ("enterprise", "department", "owner"):
                wanted = {"enterprise": ENTERPRISE, "department": DEPARTMENT, "owner": OWNER}[report[-1]]
                assert _shown(wanted) in texts, report
            if report[0] == "weekly":
                assert "-1 期 " + _shown(TITLE) in texts  # closed this week; a leading minus is no formula
    # The ledger and its machine formats are untouched.
    rows = json.loads(control_ledger.ok("export", "issues", "--format", "json").stdout)
    assert (rows[0]["title"], rows[0]["owner"], rows[2]["resolution"]) == (TITLE, OWNER, RESOLUTION)


def test_export_workbook_drops_what_xlsx_refuses(control_ledger: Qiye, tmp_path: Path) -> None:
    for kind in ("issues", "enterprises", "events"):
        out = tmp_path / f"{kind}.xlsx"
        result = control_ledger("export", kind, "--format", "xlsx", "--out", str(out))
        assert result.exit_code == 0, result.output
        cells = [cell for cells in _cells(out).values() for cell in cells]
        assert not [c.value for c in cells if isinstance(c.value, str) and NOT_XML.search(c.value)]
        texts = {c.value for c in cells if isinstance(c.value, str)}
        if kind == "issues":
            assert {_shown(TITLE), _shown(OWNER), _shown(DEPARTMENT), _shown(RESOLUTION)} <= texts
            formula = [c for c in cells if c.value == "=cmd|' /C calc'!A0"]
            assert formula and formula[0].data_type == "s"


def test_workbook_titles_headers_and_cells_are_cleaned(tmp_path: Path) -> None:
    """Sheet titles and headers go through the same cleaning as cells; a lone surrogate (which no
    backend stores, but a caller can hand over) is dropped too."""
    from openpyxl import load_workbook

    from qiye_service.render.document import Document, Section
    from qiye_service.render.xlsx import write_workbook

    section = Section("closed", "本周\x07办结\x1b[2J", ("title", "owner"),
                      [{"title": "x\ud800y\ufffe", "owner": "=SUM(A1)"}], headers={"title": "标题\x0b"})
    doc = Document("周报\x1b", "截至\x00今天", [("filed", "登记\x07", 1)], [section])
    path = tmp_path / "doc.xlsx"
    write_workbook(doc, str(path), "zh")
    book = load_workbook(path)
    assert book.sheetnames[1] == "本周办结 2J"  # `[` is not allowed in a sheet title
    closed = book.worksheets[1]
    # Row 1 is the report's title line (issue 21 point 5), cleaned too; headers in row 2.
    assert not NOT_XML.search(closed["A1"].value) and "\x1b" not in closed["A1"].value
    assert [c.value for c in closed[2]] == ["标题", "责任人"]
    assert [c.value for c in closed[3]] == ["xy", "=SUM(A1)"] and closed["B3"].data_type == "s"
    assert book.worksheets[0]["A3"].value == "登记"
