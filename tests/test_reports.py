"""`qiye report …` through the real CLI on every backend: the figures of a ledger built with
the real workflow, the JSON and CSV shapes of DESIGN §4, scopes, filters, every format, and
the sample ledger's headline figures.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from conftest import BACKENDS, Qiye
from ledgers import module_database

SUMMARY_KEYS = ["scope", "total", "resolved", "pending", "deferred", "overdue", "resolution_rate",
                "avg_days_to_resolve", "median_days_to_resolve", "response_rate", "callback_rate",
                "satisfaction_rate", "level_due_soon", "level_overdue", "level_red", "by", "by_kind", "groups"]
GROUP_KEYS = ["key", "label", "total", "resolved", "pending", "overdue", "resolution_rate", "response_rate",
              "callback_rate", "satisfaction_rate", "level_due_soon", "level_overdue", "level_red"]
CSV_HEADER = ",".join(GROUP_KEYS)


def build_ledger(qiye: Qiye) -> None:
    """Ten issues worked through the real commands on 2023-12-20 (a Wednesday).

    Week 2023-W50 runs Monday 12-11 to Sunday 12-17.
    """
    qiye.ok("enterprise", "add", "蓝思科技", "--zone", "北园", "--industry", "电子信息")
    qiye.ok("enterprise", "add", "九典制药", "--zone", "南园", "--industry", "生物医药")
    qiye.ok("department", "add", "消防救援大队")
    qiye.ok("department", "add", "国网浏阳供电公司")

    def add(title: str, *args: str) -> None:
        # Back-filled issues are dispatched on their reported date unless told otherwise
        # (issue 17); this ledger's were dispatched on the day it was built.
        dispatched = ("--dispatched", "today") if "--dept" in args or "--owner" in args else ()
        qiye.ok("issue", "add", title, *args, *dispatched)

    add("二期厂房消防验收", "-e", "蓝思科技", "-c", "fire-acceptance", "--dept", "消防救援大队", "--owner", "王强",
        "--reported", "2023-12-01", "--due", "2023-12-15")  # 1
    add("新建产线用电增容", "-e", "九典制药", "-c", "water-power", "--dept", "国网浏阳供电公司", "--owner", "李娜",
        "--reported", "2023-11-20", "--due", "2023-12-01")  # 2
    add("园区主干道破损", "-e", "蓝思科技", "-c", "road", "--kind", "common", "--source", "meeting",
        "--reported", "2023-12-04", "--due", "none")  # 3
    add("道路照明不足", "-e", "九典制药", "-c", "road", "--reported", "2023-12-12", "--due", "2023-12-30")  # 4
    add("线塔迁改滞后", "-e", "九典制药", "-c", "征拆", "--dept", "消防救援大队", "--owner", "王强",
        "--reported", "2023-10-09", "--due", "2023-11-01")  # 5
    add("地块征收补偿争议", "-e", "九典制药", "-c", "征拆", "--reported", "2023-11-01", "--due", "2023-12-14")  # 6
    add("供水管网接入", "-e", "蓝思科技", "-c", "water-power", "--reported", "2023-12-13", "--due", "none")  # 7
    add("消防通道改造", "-e", "九典制药", "-c", "消防验收", "--dept", "国网浏阳供电公司", "--owner", "李娜",
        "--reported", "2023-12-17", "--due", "2023-12-21")  # 8
    add("进园道路断头", "-e", "蓝思科技", "-c", "road", "--reported", "2023-12-11", "--due", "none")  # 9
    add("双回路供电", "-e", "蓝思科技", "-c", "water-power", "--owner", "李娜", "--reported", "2023-11-27",
        "--due", "2023-12-19")  # 10
    for issue_id in ("1", "2", "5", "10"):
        qiye.ok("issue", "start", issue_id)
    qiye.ok("issue", "resolve", "1", "--note", "验收通过", "--on", "2023-12-11")  # Monday of W50
    qiye.ok("issue", "resolve", "2", "--note", "增容完成", "--on", "2023-12-17")  # Sunday of W50
    qiye.ok("issue", "callback", "2", "--result", "满意", "--on", "2023-12-18")
    qiye.ok("issue", "resolve", "3", "--note", "已修复", "--on", "2023-12-10")  # the Sunday before
    qiye.ok("issue", "resolve", "4", "--note", "已安装路灯", "--on", "2023-12-18")  # the Monday after
    qiye.ok("issue", "resolve", "5", "--note", "已迁改", "--on", "2023-11-20")
    qiye.ok("issue", "reopen", "5", "--note", "企业反映仍未交地")
    qiye.ok("issue", "defer", "6", "--note", "待上级政策明确")
    qiye.ok("issue", "defer", "7", "--note", "管网规划调整")
    qiye.ok("issue", "escalate", "9", "--note", "列入挂牌督办")
    qiye.ok("issue", "resolve", "10", "--note", "已接入", "--on", "2023-12-05")
    qiye.ok("issue", "callback", "10", "--result", "不满意", "--on", "2023-12-08", "--note", "仍频繁停电")


@pytest.fixture(scope="module", params=BACKENDS)
def ledger(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           sqlite_template: Path) -> Iterator[Qiye]:
    """The ledger built once per backend; tests only read it."""
    yield from module_database(request.param, tmp_path_factory.mktemp("reports"), sqlite_template, build_ledger)


def report(qiye: Qiye, *args: str) -> dict:
    return json.loads(qiye.ok("report", *args, "--format", "json").stdout)


# --- summary -----------------------------------------------------------------------------------


def test_summary_figures_and_json_shape(ledger: Qiye) -> None:
    got = report(ledger, "summary")
    assert list(got) == SUMMARY_KEYS
    assert got["scope"] == {"kind": "all", "name": None, "since": None, "until": None, "as_of": "2023-12-20"}
    # Resolved: #1-#4; #5 was reopened and #10 sent back by an unsatisfied callback.
    assert {k: got[k] for k in ("total", "resolved", "pending", "deferred", "overdue", "resolution_rate")} == {
        "total": 10, "resolved": 4, "pending": 6, "deferred": 2, "overdue": 3, "resolution_rate": 0.4}
    # Days to resolve: 10, 27, 6, 6.
    assert (got["avg_days_to_resolve"], got["median_days_to_resolve"]) == (12.25, 8.0)
    # Dispatched #1, #2, #5, #8, #10, acknowledged on the day but #8; #2's callback follows its
    # close-out, #10's verdict was unsatisfied.
    assert (got["response_rate"], got["callback_rate"], got["satisfaction_rate"]) == (0.8, 0.25, 0.5)
    # Red: #5 (due 11-01), #9 (escalated); yellow: #6 (12-14), #10 (12-19); blue: #8 (12-21).
    assert (got["level_red"], got["level_overdue"], got["level_due_soon"]) == (2, 2, 1)
    assert [list(group) for group in got["groups"]] == [GROUP_KEYS] * 4
    assert [(g["key"], g["label"], g["total"], g["resolved"], g["overdue"]) for g in got["groups"]] == [
        ("road", "Road construction", 3, 2, 0),
        ("water-power", "Water and power", 3, 1, 1),
        ("fire-acceptance", "Fire-safety acceptance", 2, 1, 0),
        ("land-acquisition", "Land acquisition", 2, 0, 2),
    ]
    assert [(g["key"], g["total"], g["resolved"], g["resolution_rate"]) for g in got["by_kind"]] == [
        ("individual", 9, 3, 0.3333), ("common", 1, 1, 1.0)]


def test_summary_csv_is_the_group_rows(ledger: Qiye) -> None:
    assert ledger.ok("report", "summary", "--format", "csv").stdout == "\n".join([
        CSV_HEADER,
        "road,Road construction,3,2,1,0,0.6667,,0.0,,0,0,1",
        "water-power,Water and power,3,1,2,1,0.3333,1.0,1.0,0.5,0,1,0",
        "fire-acceptance,Fire-safety acceptance,2,1,1,0,0.5,0.5,0.0,,1,0,0",
        "land-acquisition,Land acquisition,2,0,2,2,0.0,1.0,,,0,1,1",
    ]) + "\n"
    tsv = ledger.ok("report", "summary", "--format", "tsv", "--by", "kind").stdout.splitlines()
    assert tsv[0] == CSV_HEADER.replace(",", "\t")
    ndjson = [json.loads(line) for line in ledger.ok("report", "summary", "--format", "ndjson").stdout.splitlines()]
    assert [row["key"] for row in ndjson] == ["road", "water-power", "fire-acceptance", "land-acquisition"]


@pytest.mark.parametrize("by, keys", [
    ("kind", ["individual", "common"]),
    ("department", [None, "国网浏阳供电公司", "消防救援大队"]),
    ("zone", ["北园", "南园"]),
    ("industry", ["生物医药", "电子信息"]),
    ("enterprise", ["九典制药", "蓝思科技"]),
    ("owner", [None, "李娜", "王强"]),
    ("source", ["visit", "meeting"]),
    ("month", ["2023-10", "2023-11", "2023-12"]),
])
def test_summary_by_every_dimension(ledger: Qiye, by: str, keys: list) -> None:
    got = report(ledger, "summary", "--by", by)
    assert got["by"] == by
    assert [group["key"] for group in got["groups"]] == keys
    assert sum(group["total"] for group in got["groups"]) == got["total"] == 10
    assert sum(group["resolved"] for group in got["groups"]) == got["resolved"]
    assert sum(group["level_red"] for group in got["groups"]) == got["level_red"]


def test_summary_groups_are_counted_right(ledger: Qiye) -> None:
    by_owner = {g["key"]: g for g in report(ledger, "summary", "--by", "owner")["groups"]}
    # 王强: #1 resolved, #5 reopened and red; 李娜: #2 resolved, #8 due soon, #10 redone.
    assert (by_owner["王强"]["total"], by_owner["王强"]["resolved"], by_owner["王强"]["level_red"]) == (2, 1, 1)
    assert (by_owner["李娜"]["total"], by_owner["李娜"]["overdue"], by_owner["李娜"]["level_due_soon"]) == (3, 1, 1)
    assert by_owner[None]["label"] == "(none)"
    months = {g["key"]: g["total"] for g in report(ledger, "summary", "--by", "month")["groups"]}
    assert months == {"2023-10": 1, "2023-11": 3, "2023-12": 6}


def test_summary_table_and_markdown_for_people(ledger: Qiye) -> None:
    table = ledger.ok("report", "summary").stdout
    assert "Scope: all time; as of 2023-12-20" in table
    assert "Resolution rate" in table and "40.0%" in table and "66.7%" in table
    assert "Road construction" in table and "road," not in table
    assert ledger.ok("report", "summary", "--by", "kind").stdout.count("By Kind") == 1
    zh = ledger.ok("--lang", "zh", "report", "summary", "--year", "2023").stdout
    assert "统计范围：2023；截至 2023-12-20" in zh
    assert "办结率" in zh and "道路建设" in zh and "红色督办" in zh
    markdown = ledger.ok("--lang", "zh", "report", "summary", "--format", "markdown").stdout
    assert markdown.startswith("# 问题办理情况汇总\n\n统计范围：全部；截至 2023-12-20\n\n- 登记数：10\n- 已办结：4\n")
    assert "| 问题类别 | 登记数 | 已办结 | 未办结 | 逾期 | 办结率 | 响应率 | 回访率 | 满意率 |" in markdown
    assert "| 道路建设 | 3 | 2 | 1 | 0 | 66.7% | — | 0.0% | — |" in markdown


# --- scopes and filters ----------------------------------------------------------------------------


def test_scopes(ledger: Qiye) -> None:
    assert report(ledger, "summary", "--year", "2023")["total"] == 10
    empty = report(ledger, "summary", "--year", "2022")
    assert (empty["total"], empty["resolution_rate"], empty["avg_days_to_resolve"], empty["groups"]) == (0, None, None, [])
    # A past year is measured at its last day: nothing was due before 2022-12-31.
    assert empty["scope"] == {"kind": "year", "name": "2022", "since": "2022-01-01", "until": "2022-12-31",
                              "as_of": "2022-12-31"}
    week = report(ledger, "summary", "--week", "2023-W50")
    assert week["scope"]["since"] == "2023-12-11" and week["scope"]["as_of"] == "2023-12-17"
    assert week["total"] == 4  # #4, #7, #8 (the Sunday) and #9 (the Monday)
    assert report(ledger, "summary", "--date", "2023-12-13") == week
    assert report(ledger, "summary", "--date", "2023年12月17日") == week
    ranged = report(ledger, "summary", "--since", "2023-11-01", "--until", "2023-11-30")
    assert ranged["total"] == 3  # #2, #6, #10
    # Measured on 11-30: #2 (due 12-01) was not yet late, #6 and #10 were not due.
    assert (ranged["scope"]["as_of"], ranged["overdue"]) == ("2023-11-30", 0)
    assert report(ledger, "summary", "--since", "2023-12-01")["total"] == 6


@pytest.mark.parametrize("args, message", [
    (["--year", "2023", "--week", "2023-W50"], "choose one scope"),
    (["--year", "2023", "--since", "2023-01-01"], "choose one scope"),
    (["--week", "2023-W50", "--date", "2023-12-13"], "choose one scope"),
    (["--week", "2023-W54"], "cannot read the week"),
    (["--date", "someday"], "cannot read the date"),
    (["--since", "2023-12-01", "--until", "2023-11-01"], "is before"),
    (["--year", "0"], "--year must be between 1990 and 2033"),
    (["--category", "nothing-like-this"], "unknown category"),
    (["--format", "xlsx"], "--format xlsx writes a file: pass --out FILE"),
    (["--section", "nope"], "--section: 'nope' is not one of figures, by_kind, groups"),
])
def test_bad_report_input_is_an_error(ledger: Qiye, args: list[str], message: str) -> None:
    result = ledger("report", "summary", *args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and message in result.stderr


def test_weekly_refuses_a_date_range(ledger: Qiye) -> None:
    result = ledger("report", "weekly", "--since", "2023-12-01")
    assert result.exit_code == 1 and "the weekly report covers one week" in result.stderr


def test_bad_choice_is_an_invalid_value(ledger: Qiye) -> None:
    # DESIGN §7: a value outside an option's choices is an invalid value (exit 1), listing them.
    result = ledger("report", "summary", "--by", "colour")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --by: 'colour' is not one of category, kind, department")


def test_every_filter_of_issue_list_applies(ledger: Qiye) -> None:
    def total(*args: str) -> int:
        return report(ledger, "summary", *args)["total"]

    assert total("--dept", "消防救援大队") == 2
    assert total("--status", "resolved") == 4
    assert total("--status", "open", "--status", "deferred") == 4
    assert total("--kind", "common") == 1
    assert total("--zone", "南园") == 5
    assert total("--industry", "电子信息") == 5
    assert total("--enterprise", "九典制药", "--category", "征拆") == 2
    assert total("--owner", "李娜") == 3
    assert total("--priority", "normal") == 10
    assert total("--search", "道路") == 2
    assert total("--overdue") == 3
    assert total("--level", "red") == 2
    assert total("--resolved-since", "2023-12-11", "--resolved-until", "2023-12-17") == 2
    assert total("--tag", "nothing") == 0
    filtered = report(ledger, "summary", "--dept", "消防救援大队", "--by", "department")
    assert [(g["key"], g["total"]) for g in filtered["groups"]] == [("消防救援大队", 2)]


# --- weekly --------------------------------------------------------------------------------------


def test_weekly_figures(ledger: Qiye) -> None:
    got = report(ledger, "weekly", "--week", "2023-W50")
    assert got["scope"] == {"kind": "week", "name": "2023-W50", "since": "2023-12-11", "until": "2023-12-17",
                            "as_of": "2023-12-17"}
    assert {k: got[k] for k in ("filed", "resolved", "total_to_date", "resolved_to_date", "resolution_rate_to_date",
                                "overdue", "due_next_7_days")} == {
        "filed": 4, "resolved": 2, "total_to_date": 10, "resolved_to_date": 3, "resolution_rate_to_date": 0.3,
        "overdue": 2, "due_next_7_days": 2}
    assert [(r["id"], r["resolved_on"], r["days_to_resolve"]) for r in got["closed"]] == [
        (1, "2023-12-11", 10), (2, "2023-12-17", 27)]
    assert [(r["id"], r["owner"], r["department"], r["days_overdue"], r["level"]) for r in got["overdue_issues"]] == [
        (5, "王强", "消防救援大队", 46, "red"), (6, None, None, 3, "overdue")]
    assert [(c["key"], c["filed"], c["resolved"], c["total_to_date"]) for c in got["categories"]] == [
        ("road", 2, 0, 3), ("water-power", 1, 1, 3), ("fire-acceptance", 1, 1, 2), ("land-acquisition", 0, 0, 2)]
    for name in ("response_rate", "callback_rate", "satisfaction_rate", "level_due_soon", "level_overdue",
                 "level_red"):
        assert name in got and all(name in row for row in got["categories"])
    # At the week's end: red #5 (due 11-01); #9 was escalated only on 12-20. Yellow #6 (12-14).
    # Blue #10 (due 12-19, sent back to work by its callback of 12-08).
    assert (got["level_red"], got["level_overdue"], got["level_due_soon"]) == (1, 1, 1)


def test_a_past_week_is_measured_as_it_stood_at_its_end(qiye: Qiye) -> None:
    """Overdue, due-soon and the levels of a week that has ended count what was open and
    escalated at its end, as its figures to date do (DESIGN §4: "overdue at week end")."""
    qiye.ok("enterprise", "add", "蓝思科技")

    def add(title: str, due: str) -> str:
        return qiye.ok("issue", "add", title, "-e", "蓝思科技", "-c", "road", "--reported", "2023-12-01",
                       "--due", due).stdout.strip()

    late_then = add("周末时已逾期", "2023-12-08")
    qiye.ok("issue", "resolve", late_then, "--note", "已办结", "--on", "2023-12-18")  # the Monday after W50
    due_soon_then = add("周末时即将到期", "2023-12-19")
    qiye.ok("issue", "resolve", due_soon_then, "--note", "已办结", "--on", "2023-12-18")
    escalated_later = add("周末后挂牌", "2023-12-29")
    qiye.ok("issue", "escalate", escalated_later, "--note", "挂牌督办")  # on 2023-12-20, in W51

    ended = report(qiye, "weekly", "--week", "2023-W50")
    assert {k: ended[k] for k in ("resolved", "resolved_to_date", "overdue", "due_next_7_days", "level_red",
                                  "level_overdue", "level_due_soon")} == {
        "resolved": 0, "resolved_to_date": 0, "overdue": 1, "due_next_7_days": 1, "level_red": 0,
        "level_overdue": 1, "level_due_soon": 1}
    assert [(str(r["id"]), r["days_overdue"], r["level"]) for r in ended["overdue_issues"]] == [
        (late_then, 9, "overdue")]
    running = report(qiye, "weekly", "--week", "2023-W51")  # as of today: as things stand now
    assert {k: running[k] for k in ("resolved", "overdue", "due_next_7_days", "level_red", "level_overdue",
                                    "level_due_soon")} == {
        "resolved": 2, "overdue": 0, "due_next_7_days": 0, "level_red": 1, "level_overdue": 0, "level_due_soon": 0}
    assert running["overdue_issues"] == []


def test_weekly_defaults_to_this_week(ledger: Qiye) -> None:
    got = report(ledger, "weekly")
    assert got["scope"]["name"] == "2023-W51" and got["scope"]["as_of"] == "2023-12-20"
    assert report(ledger, "weekly", "--date", "2023-12-24") == got
    assert (got["filed"], got["resolved"], got["overdue"]) == (0, 1, 3)  # #4 closed on Monday 12-18


def test_weekly_markdown_is_a_message(ledger: Qiye) -> None:
    text = ledger.ok("--lang", "zh", "report", "weekly", "--week", "2023-W50", "--format", "markdown").stdout
    assert text.startswith("# 周调度报告 2023-W50（2023-12-11 至 2023-12-17）\n\n截至 2023-12-17\n\n- 本周登记：4\n"
                           "- 本周办结：2\n- 累计登记：10\n- 累计办结：3\n- 累计办结率：30.0%\n- 逾期未办结：2\n")
    assert "## 分类情况\n" in text and "## 本周办结问题\n" in text and "## 逾期问题\n" in text
    assert "| 1 | 二期厂房消防验收 | 蓝思科技 | 消防救援大队 | 王强 | 2023-12-11 | 10 |" in text
    assert "| 5 | 线塔迁改滞后 | 九典制药 | 消防救援大队 | 王强 | 2023-11-01 | 46 | 红色 |" in text
    english = ledger.ok("report", "weekly", "--week", "2023-W50", "--format", "markdown").stdout
    assert "## Closed this week" in english and "- Filed this week: 4" in english


@pytest.mark.parametrize("lang, sheets, header, road", [
    ("zh", ["总体情况", "分类情况", "本周办结问题", "逾期问题"], "问题类别", "道路建设"),
    ("en", ["Figures", "By category", "Closed this week", "Overdue"], "Category", "Road construction"),
])
def test_weekly_workbook(ledger: Qiye, tmp_path: Path, lang: str, sheets: list[str], header: str, road: str) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "weekly.xlsx"
    result = ledger.ok("--lang", lang, "report", "weekly", "--week", "2023-W50", "--format", "xlsx", "--out", str(out))
    assert result.stdout == "" and str(out) in result.stderr
    book = load_workbook(out)
    assert book.sheetnames == sheets
    # Row 1 is the report's title line (issue 21 point 5); headers are in row 2, data from row 3.
    categories = book[sheets[1]]
    assert categories["A2"].value == header and categories["A3"].value == road  # its name, no code column
    assert all(categories.column_dimensions[c].width and categories.column_dimensions[c].width >= 8 for c in "ABCD")
    rate = [cell for cell in categories[3] if cell.number_format == "0.0%"]
    assert rate and rate[0].value == pytest.approx(0.3333)  # road: #3 of #3, #4, #9 resolved by Sunday
    closed = book[sheets[2]]
    assert closed["A3"].value == 1 and isinstance(closed["H3"].value, datetime)
    assert closed["H3"].value.date() == date(2023, 12, 11) and closed["H3"].number_format == "yyyy-mm-dd"
    figures = book[sheets[0]]
    assert [figures.cell(row=r, column=2).value for r in range(3, 6)] == [4, 2, 10]


def test_text_formats_write_to_out(ledger: Qiye, tmp_path: Path) -> None:
    out = tmp_path / "summary.csv"
    ledger.ok("report", "summary", "--format", "csv", "--out", str(out))
    assert out.read_text(encoding="utf-8") == ledger.ok("report", "summary", "--format", "csv").stdout
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".qiye-")]  # no temporary file left
    missing = tmp_path / "no-such-folder" / "x.csv"
    result = ledger("report", "summary", "--format", "csv", "--out", str(missing))
    assert result.exit_code == 1 and result.stderr.startswith("error: cannot write") and not missing.exists()


def test_sections_for_scripts(ledger: Qiye) -> None:
    figures = ledger.ok("report", "weekly", "--week", "2023-W50", "--format", "csv", "--section", "figures").stdout
    header, row = figures.splitlines()
    assert header.split(",")[:7] == ["filed", "resolved", "total_to_date", "resolved_to_date",
                                     "resolution_rate_to_date", "overdue", "due_next_7_days"]
    assert row.split(",")[:7] == ["4", "2", "10", "3", "0.3", "2", "2"]
    closed = ledger.ok("report", "weekly", "--week", "2023-W50", "--format", "csv", "--section", "closed").stdout
    assert closed.splitlines()[0] == "id,title,enterprise,category,department,owner,reported_on,resolved_on,days_to_resolve"
    by_kind = json.loads(ledger.ok("report", "summary", "--format", "json", "--section", "by_kind").stdout)
    assert [row["key"] for row in by_kind] == ["individual", "common"]


# --- overdue -----------------------------------------------------------------------------------------


def test_overdue_is_the_supervision_ladder(ledger: Qiye) -> None:
    got = report(ledger, "overdue")
    assert (got["total"], got["overdue"], got["level_red"], got["level_overdue"], got["level_due_soon"]) == (5, 3, 2, 2, 1)
    # Red first (most overdue first, the escalated one without a deadline after), then yellow, then blue.
    assert [(r["id"], r["level"], r["days_overdue"]) for r in got["issues"]] == [
        (5, "red", 49), (9, "red", 0), (6, "overdue", 6), (10, "overdue", 1), (8, "due-soon", 0)]
    assert [(g["key"], g["total"], g["max_days_overdue"]) for g in got["groups"]] == [
        ("red", 2, 49), ("overdue", 2, 6), ("due-soon", 1, 0)]
    csv = ledger.ok("report", "overdue", "--format", "csv").stdout.splitlines()
    assert csv[0] == "id,title,enterprise,category,status,department,owner,reported_on,due_on,days_overdue,level"
    assert csv[1] == "5,线塔迁改滞后,九典制药,land-acquisition,in_progress,消防救援大队,王强,2023-10-09,2023-11-01,49,red"


def test_overdue_by_department_and_owner(ledger: Qiye) -> None:
    by_dept = report(ledger, "overdue", "--by", "department")
    assert [(g["key"], g["total"], g["level_red"]) for g in by_dept["groups"]] == [
        (None, 3, 1), ("消防救援大队", 1, 1), ("国网浏阳供电公司", 1, 0)]
    assert [r["id"] for r in by_dept["issues"]] == [9, 6, 10, 5, 8]
    by_owner = report(ledger, "overdue", "--by", "owner")
    assert [(g["key"], g["total"]) for g in by_owner["groups"]] == [(None, 2), ("王强", 1), ("李娜", 2)]
    assert [r["id"] for r in by_owner["issues"]] == [9, 6, 5, 10, 8]
    assert [r["id"] for r in report(ledger, "overdue", "--level", "red")["issues"]] == [5, 9]
    assert len(report(ledger, "overdue", "--limit", "2")["issues"]) == 2
    table = ledger.ok("--lang", "zh", "report", "overdue", "--by", "department").stdout
    assert "督办清单" in table and "（未指定）" in table and "红色" in table


def test_long_lists_in_a_table_are_cut_with_a_note(ledger: Qiye, monkeypatch: pytest.MonkeyPatch) -> None:
    from qiye_service.render import terminal

    monkeypatch.setattr(terminal, "TABLE_ROWS", 2)
    table = ledger.ok("report", "overdue").stdout
    assert "… and 3 more not shown here" in table
    assert "线塔迁改滞后" in table and "消防通道改造" not in table
    # Machine formats and --limit are never cut by the table's limit.
    assert len(report(ledger, "overdue")["issues"]) == 5
    limited = report(ledger, "weekly", "--week", "2023-W50", "--limit", "1")
    assert [row["id"] for row in limited["closed"]] == [1] and [row["id"] for row in limited["overdue_issues"]] == [5]
    assert limited["overdue"] == 2  # the figures still count everything


def test_overdue_of_a_past_week(ledger: Qiye) -> None:
    got = report(ledger, "overdue", "--week", "2023-W50")
    # Issues reported that week, measured on its Sunday: #9 is escalated; #8, due Thursday 12-21, is
    # four working days on, not yet due soon; #7 has no deadline.
    assert got["scope"]["as_of"] == "2023-12-17"
    assert [(r["id"], r["level"]) for r in got["issues"]] == [(9, "red")]


# --- trend -----------------------------------------------------------------------------------------


def test_trend_per_month_and_week(ledger: Qiye) -> None:
    got = report(ledger, "trend")
    assert [(p["period"], p["filed"], p["resolved"]) for p in got["periods"]] == [
        ("2023-10", 1, 0), ("2023-11", 3, 0), ("2023-12", 6, 4)]
    assert (got["filed"], got["resolved"]) == (10, 4)
    # A year is drawn from its first to its last month with data, not as twelve rows (issue 18).
    year = report(ledger, "trend", "--year", "2023")
    assert [p["period"] for p in year["periods"]] == ["2023-10", "2023-11", "2023-12"]
    assert year["periods"][0] == {
        "period": "2023-10", "since": "2023-10-01", "until": "2023-10-31", "filed": 1, "resolved": 0}
    weeks = report(ledger, "trend", "--by", "week", "--since", "2023-12-04", "--until", "2023-12-24")
    assert [(p["period"], p["since"], p["filed"], p["resolved"]) for p in weeks["periods"]] == [
        ("2023-W49", "2023-12-04", 1, 1), ("2023-W50", "2023-12-11", 4, 2), ("2023-W51", "2023-12-18", 0, 1)]
    assert ledger.ok("report", "trend", "--by", "week", "--since", "2023-12-04", "--until", "2023-12-24",
                     "--format", "csv").stdout == (
        "period,since,until,filed,resolved\n2023-W49,2023-12-04,2023-12-10,1,1\n"
        "2023-W50,2023-12-11,2023-12-17,4,2\n2023-W51,2023-12-18,2023-12-24,0,1\n")


def test_trend_draws_bars(ledger: Qiye) -> None:
    table = ledger.ok("report", "trend").stdout
    assert "█ filed   ▒ resolved" in table
    december = [line for line in table.splitlines() if line.lstrip().startswith("2023-12")][0]
    assert "█" * 40 in december  # the longest bar fills the width
    assert "▒" * 27 in table  # 4 of 6 resolved: two thirds of it


# --- the sample ledger (DESIGN §1) ------------------------------------------------------------------


def test_sample_ledger_headline_figures(qiye: Qiye) -> None:
    """DESIGN §1: 174 problems logged in 2023, 130 resolved (74.7%), 127 of them individual."""
    qiye.ok("init", "--sample")
    got = report(qiye, "summary", "--year", "2023")
    assert (got["total"], got["resolved"], got["resolution_rate"]) == (174, 130, 0.7471)
    assert {g["key"]: g["resolved"] for g in got["by_kind"]} == {"individual": 127, "common": 3}
    assert (got["avg_days_to_resolve"], got["median_days_to_resolve"]) == (24.25, 21.0)
    assert all(got[name] is not None for name in ("response_rate", "callback_rate", "satisfaction_rate"))
    table = qiye.ok("report", "summary", "--year", "2023").stdout
    assert "174" in table and "130" in table and "74.7%" in table


# --- the queries aggregate in the database ----------------------------------------------------------


def test_reports_never_fetch_every_issue(sqlite_qiye: Qiye) -> None:
    """Every SELECT on the issue table is an aggregate or a bounded list, and date ranges are plain
    comparisons on the indexed columns (no function around a column in WHERE)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    build_ledger(sqlite_qiye)
    statements: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "FROM issue" in statement:
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", capture)
    try:
        for args in (["summary", "--year", "2023"], ["summary", "--by", "month"], ["trend", "--by", "week"],
                     ["weekly"], ["overdue", "--by", "owner"]):
            sqlite_qiye.ok("report", *args, "--format", "json")
    finally:
        event.remove(Engine, "before_cursor_execute", capture)
    assert statements
    for statement in statements:
        head = statement.split("FROM issue", 1)[0]
        where = statement.split("WHERE", 1)[1] if "WHERE" in statement else ""
        lists_issues = "issue.title" in head
        aggregates = any(word in head for word in ("count(", "sum(", "avg(", "min("))
        assert aggregates or lists_issues or "LIMIT" in statement, statement
        if lists_issues:
            # Only the week's closed issues and the supervision list are listed, each bounded by a range.
            assert "issue.resolved_on >=" in where or "issue.due_on <" in where or "escalated_at" in where, statement
        condition = where.upper().split("GROUP BY")[0].split("ORDER BY")[0]
        assert "STRFTIME" not in condition and "EXTRACT" not in condition, statement
