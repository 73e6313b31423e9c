"""Hostile text through the real CLI (issue 25, point 7).

7. Stored, typed and file-borne text reaches a terminal only through the sanitiser tables use:
   confirmations, the import summary, `issue tag`, warnings and every `error:` line, in zh and
   en; machine formats keep the text exactly as stored.
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
        (("issue", "list", "--format", hostile("表格")), 2, "表格"),
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
