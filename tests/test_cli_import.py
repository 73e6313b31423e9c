"""`qiye import issues|enterprises` and `qiye init --sample` through the real CLI, on every backend.

The fixture files (tests/fixtures, made by make_fixtures.py) hold the same three problems
in each encoding and layout an office's ledger comes in; XLSX workbooks are built here.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from conftest import Qiye

FIXTURES = Path(__file__).parent / "fixtures"
TABLES = ("issue", "event", "enterprise", "department", "tag", "issue_tag")

# What every fixture of the three problems imports as (issue list --format json).
EXPECTED = [
    {"id": 1, "title": "二期厂房消防验收未通过",
     "description": '消防车道宽度不足，需整改。\n企业称"已按图施工", 请求复核', "enterprise": "蓝思科技",
     "project": "蓝思科技二期厂房项目", "category": "fire-acceptance", "kind": "individual", "source": "visit",
     "priority": "high", "status": "in_progress", "department": "消防救援大队", "owner": "王强",
     "reported_on": "2023-05-12", "due_on": "2023-06-30", "resolved_on": None, "resolution": None,
     "tags": ["市级督办", "重点项目"], "created_by": "tester", "created_at": "2023-12-20T02:00:00Z",
     "updated_at": "2023-12-20T02:00:00Z"},
    {"id": 2, "title": "新建产线用电增容", "description": "需增容3150kVA", "enterprise": "英氏", "project": None,
     "category": "water-power", "kind": "individual", "source": "phone", "priority": "normal",
     "status": "resolved", "department": "国网浏阳供电公司", "owner": "李娜", "reported_on": "2023-05-20",
     "due_on": "2023-06-20", "resolved_on": "2023-06-01", "resolution": "已完成增容送电", "tags": [],
     "created_by": "tester", "created_at": "2023-12-20T02:00:00Z", "updated_at": "2023-12-20T02:00:00Z"},
    {"id": 3, "title": "园区道路破损", "description": "主干道破损，重载货车通行困难", "enterprise": "九典制药",
     "project": None, "category": "road", "kind": "common", "source": "meeting", "priority": "low",
     "status": "open", "department": None, "owner": None, "reported_on": "2023-07-03", "due_on": None,
     "resolved_on": None, "resolution": None, "tags": [], "created_by": "tester",
     "created_at": "2023-12-20T02:00:00Z", "updated_at": "2023-12-20T02:00:00Z"},
]


def counts(qiye: Qiye) -> dict[str, int]:
    qiye.ok("db", "upgrade")  # a fresh PostgreSQL schema has no tables until a command runs
    return {table: qiye.sql(f"SELECT count(*) FROM {table}")[0][0] for table in TABLES}


def all_issues(qiye: Qiye) -> list[dict]:
    rows = json.loads(qiye.ok("issue", "list", "--status", "all", "--sort", "id", "--format", "json").stdout)
    for row in rows:
        row["tags"] = sorted(row["tags"])
    return rows


def write_xlsx(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


# --- every encoding and layout -------------------------------------------------------------


@pytest.mark.parametrize("name", ["issues_utf8.csv", "issues_excel_utf8_bom.csv", "issues_gb18030.csv",
                                  "issues_tab.tsv"])
def test_each_encoding_and_layout_imports_the_same_ledger(qiye, name):
    result = qiye.ok("import", "issues", str(FIXTURES / name))
    assert result.stdout.splitlines() == [
        f"Imported {name}: 3 rows; 3 issues created, 0 updated, 0 skipped (already in the database).",
        "Created 3 enterprises: 蓝思科技, 英氏, 九典制药",
        "Created 2 departments: 消防救援大队, 国网浏阳供电公司",
    ]
    assert result.stderr == ""
    assert all_issues(qiye) == EXPECTED


def test_a_long_list_of_new_enterprises_is_cut_short(qiye, tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("enterprise,category,reported_on,title\n"
                    + "".join(f"企业{n:02d},road,2023-05-12,问题{n}\n" for n in range(25)), encoding="utf-8")
    lines = qiye.ok("import", "issues", str(path)).stdout.splitlines()
    assert lines[1] == "Created 25 enterprises: " + ", ".join(f"企业{n:02d}" for n in range(20)) + " and 5 more"
    assert qiye.sql("SELECT count(*) FROM enterprise")[0][0] == 25
    other = tmp_path / "more.csv"
    other.write_text("enterprise,category,reported_on,title\n"
                     + "".join(f"公司{n:02d},road,2023-05-12,问题{n}\n" for n in range(22)), encoding="utf-8")
    zh = qiye.ok("--lang", "zh", "import", "issues", str(other), "--dry-run").stdout.splitlines()
    assert zh[1] == "将新建企业 22 家：" + "、".join(f"公司{n:02d}" for n in range(20)) + " 等，另有 2 个"


def test_gb18030_file_is_really_gb18030_with_chinese_headers():
    raw = (FIXTURES / "issues_gb18030.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("gb18030").startswith("序号,问题标题,问题描述,企业名称")
    assert b"\r\n" in raw and (FIXTURES / "issues_excel_utf8_bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_encoding_named_explicitly(qiye):
    qiye.ok("import", "issues", str(FIXTURES / "issues_gb18030.csv"), "--encoding", "gb18030")
    assert [row["title"] for row in all_issues(qiye)] == [row["title"] for row in EXPECTED]


def test_wrong_explicit_encoding_is_a_clear_error(qiye):
    before = counts(qiye)
    result = qiye("import", "issues", str(FIXTURES / "issues_gb18030.csv"), "--encoding", "utf-8")
    assert result.exit_code == 1
    assert result.stderr == (f"error: {FIXTURES / 'issues_gb18030.csv'} is not UTF-8 text: 323 byte sequence(s) are "
                             "not UTF-8, the first on line 1 (byte offset 0); it may be GB18030 (GBK) text: try "
                             "--encoding auto or --encoding gb18030\n")
    assert "Traceback" not in result.output
    assert counts(qiye) == before


@pytest.mark.parametrize("payload", [
    "企业名称,问题类别,登记日期\n".encode("utf-16"),  # UTF-16 with its BOM
    b"enterprise,category,reported_on,title\n\xe9t\xe9 \xff\xfe\xfd,road,2023-05-12,x\n",  # neither
])
def test_file_in_no_supported_encoding_is_an_error(qiye, tmp_path, payload):
    path = tmp_path / "ledger.csv"
    path.write_bytes(payload)
    before = counts(qiye)
    result = qiye("import", "issues", str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {path} is neither UTF-8 nor GB18030 (GBK) text; save it from Excel as CSV UTF-8 or .xlsx, "
        "or name the encoding with --encoding\n")
    assert counts(qiye) == before


def test_xlsx_with_a_title_row_date_cells_and_numbers(qiye, tmp_path):
    path = write_xlsx(tmp_path / "台账.xlsx", [
        ["浏阳经开区2023年问题台账"],  # a title row above the header, as offices make them
        ["序号", "企业名称", "问题类别", "问题描述", "登记日期", "办结时限", "办理状态", "办结日期", "办理结果", "联系电话"],
        [7, "蓝思科技", "消防验收", "二期厂房消防验收未通过\n需复核消防车道", datetime(2023, 5, 12), date(2023, 6, 30),
         "已销号", "2023/6/20", "验收通过", 13800000000],
        [8.0, "英氏", "Water and power", "用电增容", "2023年5月20日", None, "暂缓", None, "待电网规划调整", None],
        [None, None, None, None, None, None, None, None, None, None],  # Excel's trailing blank row
    ])
    result = qiye.ok("import", "issues", str(path))
    assert result.stdout.startswith("Imported 台账.xlsx: 2 rows; 2 issues created, 0 updated, 0 skipped")
    assert result.stderr == "warning: 台账.xlsx: ignoring unknown columns: 联系电话\n"
    rows = all_issues(qiye)
    assert [(r["id"], r["title"], r["category"], r["status"], r["reported_on"], r["due_on"], r["resolved_on"])
            for r in rows] == [
        (7, "二期厂房消防验收未通过", "fire-acceptance", "resolved", "2023-05-12", "2023-06-30", "2023-06-20"),
        (8, "用电增容", "water-power", "deferred", "2023-05-20", None, None),
    ]
    # No title column: the title is the description's first line; the description is kept whole.
    assert rows[0]["description"] == "二期厂房消防验收未通过\n需复核消防车道"


def test_old_xls_and_corrupt_xlsx_are_clear_errors(qiye, tmp_path):
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    result = qiye("import", "issues", str(xls))
    assert result.exit_code == 1
    assert result.stderr == f"error: {xls} is an old .xls workbook; save it as .xlsx or as CSV UTF-8 and import that\n"
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    result = qiye("import", "issues", str(broken))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot read {broken} as an .xlsx workbook:")
    assert "Traceback" not in result.output


def test_missing_file(qiye, tmp_path):
    result = qiye("import", "issues", str(tmp_path / "nowhere.csv"))
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot read {tmp_path / 'nowhere.csv'}: no such file\n"


# --- bad rows: all or nothing ---------------------------------------------------------------


def test_bad_rows_are_all_listed_and_nothing_is_written(qiye):
    qiye.ok("enterprise", "add", "已有企业")
    before = counts(qiye)
    result = qiye("import", "issues", str(FIXTURES / "issues_bad_rows.csv"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: issues_bad_rows.csv: 7 bad row(s); nothing was imported. Fix these rows and import the file again:",
        "  row 3, column 登记日期: cannot read the date '2023/13/45'",
        "  row 4, column 问题类别: unknown category '安全生产'",
        "  row 5, column 办理状态: status: '搁置中' is not one of open (已登记/待办理/未办理/待办/新登记), "
        "in_progress (办理中/正在办理/推进中/处理中), resolved (已办结/已销号/办结/销号/已解决), deferred (暂缓/暂缓办理/挂起), "
        "verifying (待审核/待审核销号/待审/审核中)",
        "  row 6, column 企业名称: enterprise must not be empty",
        "  row 7, column 办结日期: a resolved issue needs its resolved_on date",
        "  row 8, column 办结时限: due_on (2023-05-01) is before reported_on (2023-05-12)",
        "  row 9, column 序号: id 7 is also used by row 8",
        "  dates may be written 2023-05-12, 2023/5/12, 2023.5.12, 20230512, 2023年5月12日 or 5月12日",
        "  valid categories: land-acquisition (征拆), site-leveling (平地), land-listing (土地摘牌), "
        "land-use-change (用地性质变更), fire-acceptance (消防验收), water-power (用水用电), road (道路建设), "
        "approval (审批手续), financing (融资), talent (人才用工), policy (政策兑现), other (其他) "
        "(add one with `qiye category add`)",
    ]
    # The good row 2 and the enterprises and departments it named were not written either.
    assert counts(qiye) == before


def test_a_nul_in_a_cell_is_a_bad_row_on_every_backend(qiye, tmp_path):
    path = tmp_path / "nul.csv"
    path.write_text("enterprise,category,reported_on,title,description,tags\n"
                    "蓝思科技,road,2023-05-12,好的一行,,\n"
                    "英氏,road,2023-05-12,标题\x00截断,,\n"
                    "九典制药,road,2023-05-12,标题,描述\x00,重点\x00项目\n", encoding="utf-8")
    before = counts(qiye)
    result = qiye("import", "issues", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        "  row 3, column title: title contains a NUL character (\\x00)",
        "  row 4, column description: description contains a NUL character (\\x00)",
        "  row 4, column tags: tags contains a NUL character (\\x00)",
    ]
    assert counts(qiye) == before


def test_a_driver_failure_on_the_writer_thread_is_a_database_error(qiye, tmp_path, monkeypatch):
    """The database failing under the import's writer thread (a full disk, say) ends the
    command as any database failure does: exit 3, one `error:` line, nothing written."""
    import sqlite3

    import psycopg

    from qiye_service.services import transfer

    failure = (psycopg.OperationalError if qiye.url.startswith("postgresql") else sqlite3.OperationalError)(
        "database or disk is full")
    written = []

    def failing(self, cursor, table, columns, rows):
        written.append(table)
        if len(written) > 2:  # the second chunk's issues
            raise failure
        return real(self, cursor, table, columns, rows)

    real = transfer.IssueImport._insert_rows
    monkeypatch.setattr(transfer.IssueImport, "_insert_rows", failing)
    path = tmp_path / "big.csv"
    path.write_text("enterprise,category,reported_on,title\n"
                    + "".join(f"企业{n % 7},road,2023-05-12,问题{n}\n" for n in range(5000)), encoding="utf-8")
    before = counts(qiye)
    result = qiye("import", "issues", str(path))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: ") and "could not be read or written: the disk is full" in result.stderr
    assert written[:3] == ["issue", "event", "issue"]
    assert counts(qiye) == before


def test_bad_rows_in_chinese(qiye):
    result = qiye("--lang", "zh", "import", "issues", str(FIXTURES / "issues_bad_rows.csv"))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "error: issues_bad_rows.csv：7 行有误，未导入任何数据。请修正以下各行后重新导入："
    assert lines[1] == "  第 3 行，登记日期 列：无法识别日期 '2023/13/45'"


def test_at_most_fifty_bad_rows_are_listed(qiye, tmp_path):
    lines = ["enterprise,category,reported_on,title"]
    lines += [f"蓝思科技,road,2023-02-{30 + i % 2},问题{i}" for i in range(60)]  # Feb 30 and 31
    lines.append("蓝思科技,road,2023-02-28,the one good row")
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = counts(qiye)
    result = qiye("import", "issues", str(path))
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert errors[0].startswith("error: many.csv: 60 bad row(s); nothing was imported.")
    listed = [line for line in errors if line.startswith("  row ")]
    assert len(listed) == 50
    assert listed[0] == "  row 2, column reported_on: cannot read the date '2023-02-30'"
    assert listed[-1] == "  row 51, column reported_on: cannot read the date '2023-02-31'"
    assert "  … and 10 more bad rows" in errors
    assert counts(qiye) == before


def test_a_bad_row_late_in_a_large_file_writes_nothing(qiye, tmp_path):
    """The import writes in chunks inside one transaction: a bad row after several chunks
    still leaves the database as it was."""
    lines = ["id,enterprise,category,reported_on,title,tags"]
    lines += [f"{i},企业{i % 7},road,2023-03-01,问题{i},标签{i % 3}" for i in range(1, 5001)]
    lines.append("5001,企业1,road,someday,the bad row,")
    path = tmp_path / "large.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = counts(qiye)
    result = qiye("import", "issues", str(path))
    assert result.exit_code == 1
    assert "row 5002, column reported_on: cannot read the date 'someday'" in result.stderr
    assert counts(qiye) == before
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    qiye.ok("import", "issues", str(path))
    after = counts(qiye)
    assert (after["issue"], after["event"], after["enterprise"], after["tag"], after["issue_tag"]) == (
        5000, 5000, 7, 3, 5000)


def test_rows_split_over_many_statements_and_chunks_arrive_whole(qiye, tmp_path, monkeypatch):
    """Each chunk goes in as several multi-row INSERTs (COPY on PostgreSQL); with 7 rows to a
    statement and 20 to a chunk, full and partial statements and chunks all occur."""
    from qiye_service.services import transfer

    monkeypatch.setattr(transfer, "CHUNK_ROWS", 20)
    monkeypatch.setattr(transfer._Writer, "rows_per_statement", lambda self, columns: 7)
    lines = ["enterprise,category,reported_on,title,tags"]
    lines += [f"企业{i % 3},road,2023-03-{1 + i % 28:02d},问题{i}号,{'标签' if i % 4 == 0 else ''}" for i in range(103)]
    path = tmp_path / "split.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    qiye.ok("import", "issues", str(path))
    issues = all_issues(qiye)
    assert [(row["id"], row["title"], row["enterprise"], row["reported_on"], row["tags"]) for row in issues] == [
        (i + 1, f"问题{i}号", f"企业{i % 3}", f"2023-03-{1 + i % 28:02d}", ["标签"] if i % 4 == 0 else [])
        for i in range(103)]
    assert qiye.sql("SELECT issue_id, count(*) FROM event GROUP BY issue_id HAVING count(*) <> 1") == []
    assert counts(qiye)["event"] == 103
    found = json.loads(qiye.ok("issue", "list", "--status", "all", "--search", "问题102号", "--format", "json").stdout)
    assert [row["id"] for row in found] == [103]
    assert qiye("db", "check").exit_code == 0


def test_missing_required_column_is_named(qiye, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("问题标题,问题类别,登记日期\n路面破损,道路建设,2023-05-12\n", encoding="utf-8")
    result = qiye("import", "issues", str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {path} lacks the required column(s) enterprise; accepted headers: "
        "enterprise: enterprise / 企业名称 / 企业 / 企业名\n")


def test_unknown_columns_are_reported_and_ignored(qiye, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("企业名称,问题类别,登记日期（必填）,问题描述,备注,督办领导\n"
                    "蓝思科技,道路建设,2023-05-12,路面破损,随便写写,张三\n", encoding="utf-8")
    result = qiye.ok("import", "issues", str(path))
    assert result.stderr == "warning: ledger.csv: ignoring unknown columns: 备注, 督办领导\n"
    assert [(r["title"], r["reported_on"]) for r in all_issues(qiye)] == [("路面破损", "2023-05-12")]


def test_unknown_category_lists_the_valid_ones(qiye, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("enterprise,category,reported_on,title\n蓝思科技,安全生产,2023-05-12,x\n", encoding="utf-8")
    result = qiye("import", "issues", str(path))
    assert result.exit_code == 1
    assert "row 2, column category: unknown category '安全生产'" in result.stderr
    assert "valid categories: land-acquisition (征拆), site-leveling (平地)" in result.stderr
    # Categories are never invented: once added, the same file imports.
    qiye.ok("category", "add", "safety", "--zh", "安全生产", "--en", "Work safety")
    qiye.ok("import", "issues", str(path))
    assert all_issues(qiye)[0]["category"] == "safety"


def test_text_longer_than_its_limit(qiye, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text(f"enterprise,category,reported_on,title\n蓝思科技,road,2023-05-12,{'长' * 501}\n",
                    encoding="utf-8")
    result = qiye("import", "issues", str(path))
    assert result.exit_code == 1
    assert "row 2, column title: title is longer than 500 characters" in result.stderr


# --- dry run and conflicts -------------------------------------------------------------------


def test_dry_run_says_what_it_would_create_and_writes_nothing(qiye):
    qiye.ok("enterprise", "add", "蓝思科技")
    before = counts(qiye)
    result = qiye.ok("import", "issues", str(FIXTURES / "issues_utf8.csv"), "--dry-run")
    assert result.stdout.splitlines() == [
        "Dry run, nothing written: issues_utf8.csv has 3 valid rows; it would create 3 issues, update 0 and skip 0.",
        "Would create 2 enterprises: 英氏, 九典制药",
        "Would create 2 departments: 消防救援大队, 国网浏阳供电公司",
    ]
    assert counts(qiye) == before


def test_a_second_ledger_numbered_from_one_is_told_what_its_serial_column_means(qiye, tmp_path):
    first, second = tmp_path / "一月.csv", tmp_path / "二月.csv"
    first.write_text("序号,企业名称,问题类别,问题描述,登记日期\n1,蓝思科技,消防验收,二期厂房消防验收,2023-01-05\n",
                     encoding="utf-8")
    second.write_text("序号,企业名称,问题类别,问题描述,登记日期\n1,九典制药,道路建设,进园道路断头,2023-02-03\n",
                      encoding="utf-8")
    qiye.ok("import", "issues", str(first))
    before = counts(qiye)
    result = qiye("import", "issues", str(second))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        "  row 2, column 序号: issue #1 already exists; use --on-conflict skip or --on-conflict update",
        "  the column 序号 is read as qiye issue numbers; a ledger that numbers its own rows 1, 2, 3 … there "
        "imports as new issues once that column is removed or renamed",
    ]
    assert counts(qiye) == before
    second.write_text("行号,企业名称,问题类别,问题描述,登记日期\n1,九典制药,道路建设,进园道路断头,2023-02-03\n",
                      encoding="utf-8")
    assert "1 issues created" in qiye.ok("import", "issues", str(second)).stdout


def test_dry_run_of_a_bad_file_lists_the_bad_rows(qiye):
    result = qiye("import", "issues", str(FIXTURES / "issues_bad_rows.csv"), "--dry-run")
    assert result.exit_code == 1
    assert "row 3, column 登记日期" in result.stderr


def test_on_conflict_fail_skip_update(qiye, tmp_path):
    qiye.ok("import", "issues", str(FIXTURES / "issues_utf8.csv"))
    before = counts(qiye)
    result = qiye("import", "issues", str(FIXTURES / "issues_utf8.csv"))
    assert result.exit_code == 1
    assert ("  row 2, column id: issue #1 already exists; use --on-conflict skip or --on-conflict update"
            in result.stderr.splitlines())
    assert counts(qiye) == before

    result = qiye.ok("import", "issues", str(FIXTURES / "issues_utf8.csv"), "--on-conflict", "skip")
    assert "0 issues created, 0 updated, 3 skipped" in result.stdout
    assert counts(qiye) == before

    edited = tmp_path / "edited.csv"
    edited.write_text("id,enterprise,category,reported_on,title,status,resolved_on,resolution,tags\n"
                      "1,蓝思科技,消防验收,2023-05-12,二期厂房消防验收已通过,已销号,2023-07-01,复核通过,复核\n"
                      "9,新企业,征拆,2023-05-13,新问题,,,,\n", encoding="utf-8")
    result = qiye.ok("import", "issues", str(edited), "--on-conflict", "update")
    assert "1 issues created, 1 updated, 0 skipped" in result.stdout
    rows = {row["id"]: row for row in all_issues(qiye)}
    assert sorted(rows) == [1, 2, 3, 9]
    first = rows[1]
    assert (first["title"], first["status"], first["resolved_on"], first["resolution"], first["tags"]) == (
        "二期厂房消防验收已通过", "resolved", "2023-07-01", "复核通过", ["复核"])
    # Columns the file does not have are left as they were.
    assert (first["owner"], first["department"], first["priority"]) == ("王强", "消防救援大队", "high")
    shown = json.loads(qiye.ok("issue", "show", "1", "--format", "json").stdout)
    assert [event["action"] for event in shown["events"]] == ["imported", "imported"]
    assert [event["note"] for event in shown["events"]] == ["issues_utf8.csv:2", "edited.csv:2"]
    # The hash chain and the replayed history agree with the rows.
    assert "Database check passed" in qiye.ok("db", "check").stdout


def test_rows_without_ids_get_fresh_ones_after_the_highest(qiye, tmp_path):
    qiye.ok("import", "issues", str(FIXTURES / "issues_utf8.csv"))
    path = tmp_path / "no-ids.csv"
    path.write_text("enterprise,category,reported_on,title\n蓝思科技,road,2023-05-12,甲\n英氏,road,2023-05-13,乙\n",
                    encoding="utf-8")
    qiye.ok("import", "issues", str(path))
    filed = qiye.ok("issue", "add", "丙", "-e", "英氏", "-c", "road").stdout.strip()
    assert [row["id"] for row in all_issues(qiye)] == [1, 2, 3, 4, 5, 6]
    assert filed == "6"


def test_rows_with_and_without_ids_in_one_file(qiye, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("id,enterprise,category,reported_on,title\n,蓝思科技,road,2023-05-12,无编号\n"
                    "1,蓝思科技,road,2023-05-12,一号\n2,蓝思科技,road,2023-05-12,二号\n", encoding="utf-8")
    qiye.ok("import", "issues", str(path))
    assert [(row["id"], row["title"]) for row in all_issues(qiye)] == [(1, "一号"), (2, "二号"), (3, "无编号")]
    # Rows are written 2000 at a time: the row without an id in the first chunk gets the id
    # after that chunk's highest (2099); the same id given later in the file is a clear error.
    late = tmp_path / "late.csv"
    late.write_text("id,enterprise,category,reported_on,title\n,蓝思科技,road,2023-05-12,甲\n"
                    + "".join(f"{100 + i},蓝思科技,road,2023-05-12,占位{i}\n" for i in range(1999))
                    + "2099,蓝思科技,road,2023-05-12,乙\n", encoding="utf-8")
    before = counts(qiye)
    result = qiye("import", "issues", str(late))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        "  row 2002, column id: id 2099 was already given to row 2, which has no id; give every row an id, or none")
    assert counts(qiye) == before


def test_imported_ids_do_not_collide_with_later_filing(qiye, tmp_path):
    """PostgreSQL's id sequence is moved past imported ids."""
    path = tmp_path / "ids.csv"
    path.write_text("id,enterprise,category,reported_on,title\n41,蓝思科技,road,2023-05-12,甲\n", encoding="utf-8")
    qiye.ok("import", "issues", str(path))
    assert qiye.ok("issue", "add", "乙", "-e", "蓝思科技", "-c", "road").stdout.strip() == "42"


def test_imported_event_snapshot(qiye):
    qiye.ok("import", "issues", str(FIXTURES / "issues_utf8.csv"))
    (new, note, actor, at), = qiye.sql("SELECT new, note, actor, at FROM event WHERE issue_id = 1")
    snapshot = json.loads(new)
    assert (note, actor) == ("issues_utf8.csv:2", "tester")
    assert str(at).startswith("2023-12-20 02:00:00")
    assert snapshot["title"] == "二期厂房消防验收未通过"
    assert snapshot["status"] == "in_progress"
    assert snapshot["tags"] == ["重点项目", "市级督办"]
    assert snapshot["reported_on"] == "2023-05-12"
    assert {"dispatched_at", "acknowledged_at", "acknowledge_by", "escalated_at", "callback_result",
            "callback_on", "reopen_count"} <= set(snapshot)
    assert new == json.dumps(snapshot, ensure_ascii=False, sort_keys=True)


AWKWARD_TEXT = ['引号"和\\反斜杠', "制表\t符", "换行\n第二行", "\u2028行分隔\u2029段", "😀 emoji", "\x7f\x01控制",
                "</script>", "'单引号'", "\u00e9\u0301", "\\u0041 不是转义"]


def test_imported_snapshots_are_the_json_modules_text(qiye, tmp_path):
    """The imported event's text is written without the json encoder: it must still be
    exactly what json.dumps(..., ensure_ascii=False, sort_keys=True) gives, whatever the cells
    hold, with or without the supervision columns."""
    import csv

    for supervised in (False, True):
        path = tmp_path / f"awkward-{supervised}.csv"
        header = ["title", "description", "enterprise", "project", "category", "owner", "reported_on", "due_on",
                  "status", "resolved_on", "resolution", "tags", "department"]
        if supervised:
            header += ["dispatched_on", "acknowledged_on", "escalated", "callback_result", "callback_on"]
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            for number, text in enumerate(AWKWARD_TEXT):
                resolved = number % 2 == 0
                row = [f"{text} {supervised}", text, f"企业{text}", text if number % 3 else "", "road", text,
                       "2023-05-12", "2023-06-30" if number % 4 else "", "resolved" if resolved else "open",
                       "2023-06-01" if resolved else "", text if resolved else "", f"{text};标签{number}", f"单位{number}"]
                if supervised:
                    row += ["2023-05-13", "2023-05-14", "是", "satisfied" if resolved else "", "2023-06-02" if resolved else ""]
                writer.writerow(row)
        qiye.ok("import", "issues", str(path))
    rows = qiye.sql("SELECT new FROM event WHERE action = 'imported' ORDER BY id")
    assert len(rows) == 2 * len(AWKWARD_TEXT)
    for (new,) in rows:
        assert new == json.dumps(json.loads(new), ensure_ascii=False, sort_keys=True)
    snapshots = [json.loads(new) for (new,) in rows]
    assert [s["description"] for s in snapshots] == [text.strip() for text in AWKWARD_TEXT] * 2
    assert snapshots[-1]["dispatched_at"] is not None and snapshots[0]["dispatched_at"] is None
    qiye.ok("db", "check")


# --- enterprises ---------------------------------------------------------------------------------


def test_import_enterprises_gb18030(qiye):
    result = qiye.ok("import", "enterprises", str(FIXTURES / "enterprises_gb18030.csv"))
    assert result.stdout == ("Imported enterprises_gb18030.csv: 2 rows; 2 enterprises created, 0 updated, "
                             "0 skipped (already in the database).\n")
    shown = json.loads(qiye.ok("enterprise", "show", "蓝思科技", "--format", "json").stdout)
    assert (shown["credit_code"], shown["zone"], shown["industry"], shown["phone"], shown["liaison"]) == (
        "91430100MA4N225W5B", "北园", "显示功能器件及电子材料", "18085493148", "李娟")


def test_import_enterprises_conflicts_and_bad_credit_code(qiye, tmp_path):
    qiye.ok("enterprise", "add", "蓝思科技", "--zone", "南园")
    result = qiye("import", "enterprises", str(FIXTURES / "enterprises_gb18030.csv"))
    assert result.exit_code == 1
    assert ("  row 2, column 企业名称: enterprise '蓝思科技' already exists; use --on-conflict skip or "
            "--on-conflict update") in result.stderr.splitlines()
    assert qiye.sql("SELECT count(*) FROM enterprise")[0][0] == 1
    qiye.ok("import", "enterprises", str(FIXTURES / "enterprises_gb18030.csv"), "--on-conflict", "update")
    assert qiye.sql("SELECT zone FROM enterprise WHERE name = '蓝思科技'") == [("北园",)]

    bad = tmp_path / "bad.csv"
    bad.write_text("企业名称,统一社会信用代码\n甲公司,91430100MA4N225W5X\n乙公司,\n乙公司,\n", encoding="utf-8")
    result = qiye("import", "enterprises", str(bad))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        "  row 2, column 统一社会信用代码: invalid credit code '91430100MA4N225W5X': "
        "the check character (the 18th) does not match",
        "  row 4, column 企业名称: '乙公司' is also in row 3",
    ]
    assert qiye.sql("SELECT count(*) FROM enterprise")[0][0] == 2


def test_enterprises_with_ids_round_trip(qiye, tmp_path):
    qiye.ok("import", "enterprises", str(FIXTURES / "enterprises_gb18030.csv"))
    exported = qiye.ok("export", "enterprises").stdout
    path = tmp_path / "enterprises.csv"
    path.write_text(exported, encoding="utf-8")
    result = qiye.ok("import", "enterprises", str(path), "--on-conflict", "skip")
    assert "0 enterprises created, 0 updated, 2 skipped" in result.stdout
    assert qiye.ok("export", "enterprises").stdout == exported


# --- the sample ledger -----------------------------------------------------------------------------


def sample_counts(qiye: Qiye) -> tuple[int, int, int, int]:
    rows = json.loads(qiye.ok("issue", "list", "--status", "all", "--format", "json").stdout)
    return (len(rows), sum(r["status"] == "resolved" for r in rows),
            sum(r["status"] == "resolved" and r["kind"] == "individual" for r in rows),
            sum(r["reported_on"].startswith("2023-") for r in rows))


@pytest.mark.parametrize("clock", ["pinned", "today"])
def test_init_sample_loads_the_campaign_and_twice_changes_nothing(qiye, clock):
    env = {"QIYE_NOW": ""} if clock == "today" else {}
    result = qiye.ok("init", "--sample", env=env)
    assert result.stdout.splitlines() == [
        "Loading the sample ledger with --on-conflict skip: rows already in the database are kept as they are.",
        "Imported enterprises.csv: 40 rows; 40 enterprises created, 0 updated, 0 skipped (already in the database).",
        "Imported visits.csv: 247 rows; 247 visits created, 0 updated, 0 skipped (already in the database).",
        "Imported ledger.csv: 174 rows; 174 issues created, 0 updated, 0 skipped (already in the database).",
        "Created 13 departments: 经开区征拆办, 园区建设公司, 财政金融局, 行政审批服务局, 水务公司, 国网浏阳供电公司, "
        "规划建设局, 经济发展局, 自然资源局经开区分局, 人社局, 消防救援大队, 企业服务中心, 生态环境分局",
    ]
    assert sample_counts(qiye) == (174, 130, 127, 174)
    before = counts(qiye)
    again = qiye.ok("init", "--sample", env=env)
    assert "0 issues created, 0 updated, 174 skipped" in again.stdout
    assert "0 enterprises created, 0 updated, 40 skipped" in again.stdout
    assert "0 visits created, 0 updated, 247 skipped" in again.stdout  # issue 22
    assert counts(qiye) == before
    assert sample_counts(qiye) == (174, 130, 127, 174)


def test_sample_supervision_columns_and_history(qiye):
    qiye.ok("init", "--sample")
    (dispatched, acknowledged, in_time, escalated, callbacks, reopened), = qiye.sql(
        "SELECT count(dispatched_at), count(acknowledged_at), "
        "sum(CASE WHEN date(acknowledged_at) <= acknowledge_by THEN 1 ELSE 0 END), "
        "count(escalated_at), count(callback_result), sum(reopen_count) FROM issue")
    # sample_data/README.md: 162 acknowledged, 155 within one working day; 6 escalated;
    # five 不满意 callbacks, every one of them a reopening (two still being redone).
    assert (dispatched, acknowledged, in_time, escalated, callbacks, reopened) == (168, 162, 155, 6, 103, 5)
    # Row 40 of the ledger (依诺生物): dispatched 4/4, acknowledged 4/6, 不满意 on 4/28, escalated.
    shown = json.loads(qiye.ok("issue", "show", "40", "--format", "json").stdout)
    assert [(e["action"], e["field"], e["at"]) for e in shown["events"]] == [
        ("imported", None, "2023-12-20T02:00:00Z"),
        ("assigned", "dispatched_at", "2023-04-04T01:00:00Z"),
        ("acknowledged", "acknowledged_at", "2023-04-06T01:00:00Z"),
        ("callback", "callback_result", "2023-04-28T01:00:00Z"),
        ("escalated", "level", "2023-05-20T01:00:00Z"),
    ]
    assert shown["events"][3]["note"].startswith("回访不满意")
    assert (shown["status"], shown["resolved_on"]) == ("in_progress", None)
    assert qiye.sql("SELECT CAST(acknowledge_by AS VARCHAR(10)), callback_result, callback_on, reopen_count "
                    "FROM issue WHERE id = 40")[0][:2] == ("2023-04-06", "unsatisfied")
    assert qiye.sql("SELECT reopen_count FROM issue WHERE id = 40") == [(1,)]
    assert "Database check passed" in qiye.ok("db", "check").stdout


def test_no_progress_bar_without_a_terminal(qiye, tmp_path, monkeypatch):
    result = qiye.ok("import", "issues", str(FIXTURES / "issues_utf8.csv"))
    assert result.stderr == ""
    assert "\x1b" not in result.stdout
