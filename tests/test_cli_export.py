"""`qiye export issues|enterprises|events` through the real CLI, on every backend."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest

from qiye_service.models import ISSUE_FIELDS

EVENT_HEADER = "issue_id,at,actor,action,field,old,new,note"
SUPERVISION_HEADER = ("dispatched_on", "acknowledged_on", "escalated", "callback_result", "callback_on",
                      "callback_note")


def test_export_csv_is_issue_list_csv_by_id(filed):
    exported = filed.ok("export", "issues")
    listed = filed.ok("issue", "list", "--status", "all", "--sort", "id", "--format", "csv")
    assert exported.stdout == listed.stdout
    assert exported.stdout.splitlines()[0] == ",".join(ISSUE_FIELDS)
    assert exported.stdout.splitlines()[1] == (
        "1,二期厂房消防验收未通过,消防车道宽度不足,蓝思科技,,fire-acceptance,individual,visit,normal,open,"
        "消防救援大队,王强,2023-12-01,2023-12-15,,,,tester,2023-12-20T02:00:00Z,2023-12-20T02:00:00Z")
    assert exported.stderr == ""


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
def test_export_json_formats_match_issue_list(filed, fmt):
    filed.ok("issue", "resolve", "2", "--note", "已送电", "--on", "2023-12-18")
    listed = json.loads(filed.ok("issue", "list", "--status", "all", "--sort", "id", "--format", "json").stdout)
    out = filed.ok("export", "issues", "--format", fmt).stdout
    rows = json.loads(out) if fmt == "json" else [json.loads(line) for line in out.splitlines()]
    assert rows == listed
    assert rows[1]["tags"] == ["重点项目"] and rows[1]["resolved_on"] == "2023-12-18"


def test_export_tsv(filed):
    lines = filed.ok("export", "issues", "--format", "tsv").stdout.splitlines()
    assert lines[0] == "\t".join(ISSUE_FIELDS)
    assert lines[2].split("\t")[16] == "重点项目"


def test_export_takes_the_issue_list_filters(filed):
    filed.ok("issue", "resolve", "1", "--note", "已验收", "--on", "2023-12-18")

    def ids(*args: str) -> list[str]:
        return [line.split(",")[0] for line in filed.ok("export", "issues", *args).stdout.splitlines()[1:]]

    assert ids() == ["1", "2", "3"]  # every status by default
    assert ids("--status", "resolved") == ["1"]
    assert ids("--status", "open") == ["2", "3"]
    assert ids("--category", "道路建设") == ["3"]
    assert ids("--enterprise", "九典制药") == ["2"]
    assert ids("--zone", "北园", "--kind", "common") == ["3"]
    assert ids("--since", "2023-12-01") == ["1", "2"]
    assert ids("--tag", "重点项目") == ["2"]
    assert ids("--search", "消防") == ["1"]
    assert ids("--since", "2030-01-01") == []
    assert filed.ok("export", "issues", "--since", "2030-01-01", "--format", "json").stdout == "[]\n"
    result = filed("export", "issues", "--category", "安全生产")
    assert result.exit_code == 1 and result.stderr.startswith("error: unknown category '安全生产'")


def test_excel_csv_has_bom_crlf_and_no_formulas(filed, tmp_path):
    filed.ok("issue", "add", "=HYPERLINK(\"http://evil.example\",\"点击\")", "-e", "蓝思科技", "-c", "other",
             "--desc", "+86 0731", "--owner", "@admin", "--project", "-1 期", "--reported", "2023-12-10")
    target = tmp_path / "excel.csv"
    filed.ok("export", "issues", "--excel", "--out", str(target))
    raw = target.read_bytes()  # the CLI runner folds CRLF on stdout; the file keeps it
    assert raw.startswith(b"\xef\xbb\xbfid,title,")
    assert raw.count(b"\r\n") == raw.count(b"\n") == 5
    out = raw.decode("utf-8")
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"), newline="")))
    fourth = dict(zip(rows[0], rows[4], strict=True))
    assert fourth["title"] == "'=HYPERLINK(\"http://evil.example\",\"点击\")"
    assert (fourth["description"], fourth["owner"], fourth["project"]) == ("'+86 0731", "'@admin", "'-1 期")
    assert fourth["reported_on"] == "2023-12-10"  # dates are not mistaken for formulas
    plain = filed.ok("export", "issues").stdout
    assert not plain.startswith("\ufeff") and ',"=HYPERLINK(""http' in plain


def test_excel_applies_to_csv_and_tsv_only(filed):
    result = filed("export", "issues", "--format", "json", "--excel")
    assert result.exit_code == 1
    assert result.stderr == "error: --excel applies to csv and tsv, not json\n"


def test_out_writes_the_file(filed, tmp_path):
    target = tmp_path / "台账.csv"
    result = filed.ok("export", "issues", "--out", str(target))
    assert result.stdout == ""
    assert result.stderr == f"Wrote 3 rows to {target}.\n"
    assert target.read_text(encoding="utf-8") == filed.ok("export", "issues").stdout
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_out_into_a_missing_folder_is_an_error(filed, tmp_path):
    result = filed("export", "issues", "--out", str(tmp_path / "no" / "such" / "x.csv"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot write {tmp_path / 'no' / 'such' / 'x.csv'}:")


def test_xlsx_needs_out(filed):
    result = filed("export", "issues", "--format", "xlsx")
    assert result.exit_code == 1
    assert result.stderr == "error: --format xlsx writes a file: pass --out FILE\n"


def test_xlsx_cells_and_types(filed, tmp_path):
    from openpyxl import load_workbook

    filed.ok("issue", "add", "=1+1", "-e", "九典制药", "-c", "other", "--reported", "2023-12-10", "--tag", "甲",
             "--tag", "乙")
    filed.ok("issue", "resolve", "2", "--note", "已送电", "--on", "2023-12-18")
    target = tmp_path / "issues.xlsx"
    result = filed.ok("export", "issues", "--format", "xlsx", "--out", str(target))
    assert result.stderr == f"Wrote 4 rows to {target}.\n"
    sheet = load_workbook(target).worksheets[0]
    assert sheet.title == "issues"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ISSUE_FIELDS
    second = dict(zip(ISSUE_FIELDS, rows[2], strict=True))
    assert second["id"] == 2 and isinstance(second["id"], int)
    assert second["reported_on"] == datetime(2023, 12, 5)
    assert second["resolved_on"] == datetime(2023, 12, 18)
    assert second["created_at"] == datetime(2023, 12, 20, 2, 0)
    assert second["tags"] == "重点项目"
    assert second["resolution"] == "已送电"
    assert second["project"] is None
    cells = {cell.column_letter: cell for cell in sheet[3]}
    assert cells["M"].is_date and cells["M"].number_format == "yyyy-mm-dd"  # reported_on
    assert cells["S"].is_date and cells["S"].number_format == "yyyy-mm-dd hh:mm:ss"  # created_at
    fourth = {cell.column_letter: cell for cell in sheet[5]}
    assert fourth["B"].value == "=1+1" and fourth["B"].data_type == "s"  # text, never a formula
    assert fourth["Q"].value == "乙;甲"


def test_labels_add_label_columns(filed):
    out = filed.ok("--lang", "zh", "export", "issues", "--labels").stdout
    header, first = list(csv.reader(io.StringIO(out)))[:2]
    assert header[:9] == ["id", "title", "description", "enterprise", "project", "category", "category_label",
                          "kind", "kind_label"]
    row = dict(zip(header, first, strict=True))
    assert (row["category"], row["category_label"], row["status"], row["status_label"]) == (
        "fire-acceptance", "消防验收", "open", "已登记")
    assert (row["priority_label"], row["source_label"]) == ("一般", "走访")
    rows = json.loads(filed.ok("export", "issues", "--labels", "--format", "json").stdout)
    assert rows[0]["kind_label"] == "individual" and rows[0]["tags"] == []


def test_supervision_columns_follow_the_issue_fields(filed):
    """Park-calendar days of the stored UTC instants: acknowledged at 07:30 on the 21st in
    Shanghai is 23:30 on the 20th in UTC, and is exported as the 21st."""
    filed.ok("issue", "start", "1", env={"QIYE_NOW": "2023-12-21T07:30:00+08:00"})
    filed.ok("issue", "escalate", "1", "--note", "挂牌督办", env={"QIYE_NOW": "2023-12-22T10:00:00+08:00"})
    filed.ok("issue", "resolve", "1", "--note", "已整改", "--on", "2023-12-22", env={"QIYE_NOW": "2023-12-22T10:00:00+08:00"})
    filed.ok("issue", "callback", "1", "--result", "basic", "--note", "基本满意, 望加快", "--on", "2023-12-23",
             env={"QIYE_NOW": "2023-12-23T10:00:00+08:00"})
    rows = list(csv.reader(io.StringIO(filed.ok("export", "issues", "--supervision").stdout)))
    assert tuple(rows[0]) == (*ISSUE_FIELDS, *SUPERVISION_HEADER)
    supervision = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [tuple(row[name] for name in SUPERVISION_HEADER) for row in supervision] == [
        # Back-filled with a department: dispatched on the reported date (issue 17).
        ("2023-12-01", "2023-12-21", "2023-12-22", "basic", "2023-12-23", "基本满意, 望加快"),
        ("2023-12-05", "", "", "", "", ""),
        ("", "", "", "", "", ""),  # filed with no department or owner: never dispatched
    ]
    # Without the flag, the issue row of DESIGN §4 and nothing more.
    assert filed.ok("export", "issues").stdout.splitlines()[0] == ",".join(ISSUE_FIELDS)
    first = json.loads(filed.ok("--lang", "zh", "export", "issues", "--supervision", "--labels", "--format",
                                "json").stdout)[0]
    assert (first["escalated"], first["callback_result"], first["callback_result_label"]) == (
        "2023-12-22", "basic", "基本满意")


def test_supervision_columns_in_xlsx_are_dates(filed, tmp_path):
    from openpyxl import load_workbook

    filed.ok("issue", "start", "1")
    target = tmp_path / "issues.xlsx"
    filed.ok("export", "issues", "--supervision", "--format", "xlsx", "--out", str(target))
    rows = list(load_workbook(target).worksheets[0].iter_rows(values_only=True))
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["dispatched_on"], first["acknowledged_on"], first["escalated"]) == (
        datetime(2023, 12, 1), datetime(2023, 12, 20), None)  # dispatched on the reported date (issue 17)


def test_export_enterprises(filed):
    out = filed.ok("export", "enterprises").stdout.splitlines()
    assert out == ["id,name,credit_code,zone,industry,contact,phone,liaison",
                   "1,蓝思科技,,北园,显示功能器件及电子材料,,,",
                   "2,九典制药,,南园,生物医药,,,"]
    assert filed.ok("export", "enterprises", "--zone", "南园").stdout.splitlines()[1:] == ["2,九典制药,,南园,生物医药,,,"]
    # Issue filters keep the enterprises with a matching issue.
    road = filed.ok("export", "enterprises", "--category", "road", "--format", "ndjson").stdout
    assert [json.loads(line)["name"] for line in road.splitlines()] == ["蓝思科技"]
    filed.ok("enterprise", "add", "没有问题的企业")
    assert len(filed.ok("export", "enterprises").stdout.splitlines()) == 4
    assert len(filed.ok("export", "enterprises", "--status", "all").stdout.splitlines()) == 3


def test_export_events(filed):
    filed.ok("issue", "comment", "2", "已与供电公司对接，\"下周\"现场踏勘")
    out = filed.ok("export", "events").stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert ",".join(rows[0]) == EVENT_HEADER
    assert [(r[0], r[3]) for r in rows[1:]] == [("1", "created"), ("2", "created"), ("3", "created"), ("2", "comment")]
    assert rows[4][1] == "2023-12-20T02:00:00Z" and rows[4][7] == "已与供电公司对接，\"下周\"现场踏勘"
    assert json.loads(rows[1][6])["title"] == "二期厂房消防验收未通过"
    only = json.loads(filed.ok("export", "events", "--enterprise", "九典制药", "--format", "json").stdout)
    assert [(e["issue_id"], e["action"]) for e in only] == [(2, "created"), (2, "comment")]
    labelled = filed.ok("--lang", "zh", "export", "events", "--labels").stdout.splitlines()[0]
    assert labelled == "issue_id,at,actor,action,action_label,field,old,new,note"


def test_export_of_an_empty_database(qiye):
    assert qiye.ok("export", "issues").stdout == ",".join(ISSUE_FIELDS) + "\n"
    assert qiye.ok("export", "events", "--format", "ndjson").stdout == ""
