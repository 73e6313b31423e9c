"""Issue 18 point 4: terminal tables fit 60, 80, 120 and 200 columns without breaking a token.

Every table command runs on the sample ledger in both languages at each width. A word, number,
date, id or phone that a table broke across lines leaves fragments (``individ`` + ``ual``,
``100.0`` + ``%``) that the same table printed 1000 columns wide never holds; the tokens that
matter (each id, each phone, each rate) are found whole; and no line is wider than the terminal.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from rich.cells import cell_len

from conftest import PINNED_NOW, Qiye

WIDTHS = (60, 80, 120, 200)
LANGS = ("en", "zh")
# A token is a run of printable ASCII: English words, numbers, dates, ids, phones, rates.
# (Chinese may break between any two characters, so it is not checked.)
TOKEN = re.compile(r"[!-~]+")

COMMANDS = {
    "issue list": ("issue", "list", "--limit", "40"),
    "issue show": ("issue", "show", "2"),
    "enterprise list": ("enterprise", "list"),
    "category list": ("category", "list"),
    "department list": ("department", "list"),
    "report summary": ("report", "summary"),
    "report summary --by enterprise": ("report", "summary", "--by", "enterprise"),
    "report weekly": ("report", "weekly", "--week", "2023-W50"),
    "report overdue": ("report", "overdue"),
    "report trend": ("report", "trend", "--year", "2023"),
    "db info": ("db", "info"),
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Qiye:
    folder = tmp_path_factory.mktemp("sample")
    env = {"QIYE_CONFIG_DIR": str(folder / "config"), "QIYE_NOW": PINNED_NOW, "QIYE_USER": "tester",
           "QIYE_LANG": "en", "NO_COLOR": "1", "LANG": "C.UTF-8", "TERM": "dumb",
           "QIYE_DB": str(folder / "sample.db")}
    qiye = Qiye(str(folder / "sample.db"), env)
    qiye.ok("init", "--sample")
    return qiye


def shown(qiye: Qiye, args: tuple[str, ...], lang: str, width: int) -> str:
    return qiye.ok("--lang", lang, *args, env={"COLUMNS": str(width)}).stdout


def tokens(text: str) -> set[str]:
    return set(TOKEN.findall(text))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_table_never_breaks_a_token_and_fits_the_terminal(sample: Qiye, command: str, lang: str) -> None:
    args = COMMANDS[command]
    whole = tokens(shown(sample, args, lang, 1000))
    for width in WIDTHS:
        text = shown(sample, args, lang, width)
        assert text.strip()
        wide = [line for line in text.splitlines() if cell_len(line) > width]
        assert not wide, f"{command} --lang {lang} at {width} columns: lines wider than the terminal: {wide[:3]}"
        # A token too long to fit beside its label at all (the ledger's path in `db info`) folds.
        broken = {part for part in tokens(text) - whole if not any(part in token for token in whole
                                                                     if len(token) > width - 20)}
        assert not broken, f"{command} --lang {lang} at {width} columns broke tokens into {sorted(broken)}:\n{text}"


def test_the_tokens_that_matter_stay_whole_at_every_width(sample: Qiye) -> None:
    """Ids in `issue list`, phones in `enterprise list`, rates in `report summary`: each whole on a line."""
    ids = [row["id"] for row in csv.DictReader(io.StringIO(
        sample.ok("issue", "list", "--limit", "40", "--format", "csv").stdout))]
    phones = [row["phone"] for row in csv.DictReader(io.StringIO(
        sample.ok("enterprise", "list", "--format", "csv").stdout)) if row["phone"]]
    summary = json.loads(sample.ok("report", "summary", "--format", "json").stdout)
    rates = [f"{group['resolution_rate'] * 100:.1f}%" for group in summary["groups"]]
    assert len(ids) == 40 and phones and rates
    for lang in LANGS:
        for width in WIDTHS:
            listed = tokens(shown(sample, COMMANDS["issue list"], lang, width))
            assert set(ids) <= listed, (lang, width)
            assert set(phones) <= tokens(shown(sample, COMMANDS["enterprise list"], lang, width)), (lang, width)
            assert set(rates) <= tokens(shown(sample, COMMANDS["report summary"], lang, width)), (lang, width)


def test_english_headers_and_labels_are_whole_words_at_80_columns(sample: Qiye) -> None:
    """The words issue 18 found broken: "Report/ed", "individ/ual", "100.0/%", "Unresol/ved"."""
    summary = tokens(shown(sample, COMMANDS["report summary"], "en", 80))
    assert {"Reported", "individual", "Resolved"} <= summary
    assert "100.0%" in tokens(shown(sample, ("report", "summary", "--by", "department"), "en", 80)) | summary
    assert "Unresolved" in tokens(shown(sample, COMMANDS["enterprise list"], "en", 80))


def test_a_narrow_terminal_leaves_out_the_least_important_columns(sample: Qiye) -> None:
    """At 60 columns `issue list` keeps the id, title and status and leaves out department and
    reported date; at 200 it shows them all."""
    narrow = shown(sample, COMMANDS["issue list"], "en", 60)
    wide = shown(sample, COMMANDS["issue list"], "en", 200)
    for heading in ("ID", "Title", "Status"):
        assert heading in narrow
    assert "Department" not in narrow and "Reported" not in narrow
    for heading in ("ID", "Title", "Enterprise", "Category", "Status", "Priority", "Department", "Owner",
                    "Reported", "Due", "Level"):
        assert heading in tokens(wide) or heading in wide


@pytest.mark.parametrize(("lang", "heading"), [("en", "Department"), ("zh", "责任单位")])
def test_issue_shows_departments_keep_the_department_at_every_width(sample: Qiye, lang: str, heading: str) -> None:
    """The department names the row of issue show's departments table (#13: dispatched to one,
    returned, transferred to another): a narrow terminal leaves out a date, never the department."""
    for width in WIDTHS:
        part = shown(sample, ("issue", "show", "13"), lang, width).split("\n\n")
        table = next(block for block in part if heading in block and ("lead" in block or "主办" in block))
        assert "规划建设局" in table, (width, table)


def test_a_long_english_title_wraps_between_words_and_chinese_between_characters(qiye: Qiye) -> None:
    qiye.ok("enterprise", "add", "蓝思科技")
    title = "Temporary construction access road blocked by unfinished municipal drainage works"
    chinese = "园区主干道破损严重，影响企业原材料运输和成品发货（需尽快修复），涉及《条例》第12条，占比35.5%。"
    qiye.ok("issue", "add", title, "-e", "蓝思科技", "-c", "road")
    qiye.ok("issue", "add", chinese, "-e", "蓝思科技", "-c", "road")
    for width in WIDTHS:
        text = qiye.ok("issue", "list", env={"COLUMNS": str(width)}).stdout
        assert set(title.split()) <= tokens(text)
        assert {"12", "35.5%"} <= tokens(text)
        assert all(cell_len(line) <= width for line in text.splitlines())
        # The title column (the second) folds between Chinese characters, never before closing
        # punctuation or after an opening bracket, and loses nothing.
        cells = [line.split("│")[2].strip() for line in text.splitlines() if line.startswith("│")]
        assert not [cell for cell in cells if cell.startswith(("，", "）", "》", "。", "%"))]
        assert not [cell for cell in cells if cell.endswith(("（", "《"))]
        assert chinese in "".join(cells)


@pytest.mark.parametrize("width", [80, 100, 120])
def test_a_narrow_table_keeps_chinese_names_whole_and_leaves_out_columns_instead(sample: Qiye, width: int) -> None:
    """DESIGN §4: a narrow table drops the least important columns rather than break a word; a
    department or an industry is one word (at 100 columns the scorecard printed 生态环境分 / 局)."""
    ranking = json.loads(sample.ok("report", "scorecard", "--year", "2023", "--format", "json").stdout)["groups"]
    names = [row["label"] for row in ranking]
    assert "自然资源局经开区分局" in names
    text = shown(sample, ("report", "scorecard", "--year", "2023"), "zh", width)
    for name in names:
        assert any(name in line for line in text.splitlines()), (name, text)
    assert all(cell_len(line) <= width for line in text.splitlines())
    lapsed = json.loads(sample.ok("report", "visits", "--year", "2023", "--format", "json").stdout)
    industries = {row["industry"] for row in lapsed["lapsed_enterprises"]}
    assert "显示功能器件及电子材料" in industries
    text = shown(sample, ("report", "visits", "--year", "2023", "--section", "lapsed"), "zh", width)
    if "所属产业" in text:
        for industry in industries:
            assert any(industry in line for line in text.splitlines()), (industry, text)



def broken_names(text: str, names: set[str]) -> list[str]:
    """The names that a cell of the table ends part-way through (the rest folded to the next line)."""
    lines = text.splitlines()
    return sorted({name for name in names for k in range(1, len(name))
                   if any(f"  {name[:k]} " in line and name not in line for line in lines)})


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", [60, 80, 100, 120])
def test_a_narrow_table_keeps_enterprise_names_whole(sample: Qiye, lang: str, width: int) -> None:
    """DESIGN §4, as for departments: an enterprise is one word. `qiye remind` at 80 columns printed
    长沙惠科光 / 电 and the weekly report's closed list at 60 printed 金阳智能物流装 / 备; a narrow
    terminal leaves out a less important column (a date) instead, or at the narrowest the
    enterprise column itself."""
    digests = json.loads(sample.ok("remind", "--format", "json").stdout)["recipients"]
    names = {item["enterprise"] for digest in digests for item in digest["items"]}
    assert "长沙惠科光电" in names
    text = shown(sample, ("remind",), lang, width)
    assert not broken_names(text, names), (width, text)
    assert any("长沙惠科光电" in line for line in text.splitlines()), (width, text)
    assert all(cell_len(line) <= width for line in text.splitlines())
    weekly = json.loads(sample.ok("report", "weekly", "--format", "json").stdout)
    closed = {row["enterprise"] for row in weekly["closed"]}
    assert "金阳智能物流装备" in closed
    text = shown(sample, ("report", "weekly", "--section", "closed"), lang, width)
    assert not broken_names(text, closed), (width, text)
    for name in closed:
        assert any(name in line for line in text.splitlines()), (name, width, text)


@pytest.mark.parametrize(("lang", "heading"), [("en", "Enterprise"), ("zh", "企业名称")])
def test_the_issue_list_keeps_the_enterprise_at_80_columns(sample: Qiye, lang: str, heading: str) -> None:
    """A cadre's list names whose problem each one is: at 80 columns, with every issue of the
    sample (some enterprise names 10 characters long, kept whole), a date column goes first."""
    text = shown(sample, ("issue", "list", "--status", "all", "--limit", "200"), lang, 80)
    assert heading in text and "金阳智能物流装备" in text, text
    assert all(cell_len(line) <= 80 for line in text.splitlines())


@pytest.mark.parametrize("lang", LANGS)
def test_number_columns_are_right_aligned_in_every_list(sample: Qiye, lang: str) -> None:
    """`visit list` left-aligned its ids and problem counts; numbers are right-aligned, as in the
    reports' tables, in every list (the id and counts of visit, issue, enterprise and category list)."""
    for args, headings in ((("visit", "list"), {"en": ("ID", "Issues"), "zh": ("编号", "问题数")}),
                           (("issue", "list", "--limit", "30"), {"en": ("ID",), "zh": ("编号",)}),
                           (("enterprise", "list"), {"en": ("Issues", "Unresolved"), "zh": ("问题数", "未办结")}),
                           (("category", "list"), {"en": ("Issues",), "zh": ("问题数",)})):
        lines = shown(sample, args, lang, 250).splitlines()
        header = next(line for line in lines if line.startswith("┃"))
        names = [cell.strip() for cell in header.split("┃")[1:-1]]
        rows = [line.split("│")[1:-1] for line in lines if line.startswith("│")]
        assert len(rows) > 3
        for heading in headings[lang]:
            column = [row[names.index(heading)] for row in rows if row[names.index(heading)].strip()]
            assert {cell.strip().isdigit() for cell in column} == {True}, (args, heading)
            assert any(len(cell) - 2 > len(cell.strip()) for cell in column), (args, heading)  # alignment shows
            assert all(cell == " " + cell.strip().rjust(len(cell) - 2) + " " for cell in column), (args, heading, column)
