"""A hostile .xlsx is refused fast and cleanly (issue 25, point 11).

The attack: a 4.7 KB workbook declaring the dimension A1:XFD1048576 ran for minutes (every
row padded to 16,384 cells, a million rows); a 1.9 MB zip expanding to 958 MB hit a 300 s
timeout. The archive's uncompressed size and compression ratios are now checked before
anything is parsed, the declared dimension is ignored, and rows and columns are bounded while
reading. Each file is built here; a generous subprocess timeout is the guard, not a timing.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import Qiye

GUARD_SECONDS = 120  # far above what a refusal takes; the attack ran for minutes
TABLES = ("issue", "event", "enterprise")
HEADER = ["企业名称", "问题类别", "登记日期", "问题标题"]


def counts(qiye: Qiye) -> dict[str, int]:
    qiye.ok("db", "upgrade")
    return {table: qiye.sql(f"SELECT count(*) FROM {table}")[0][0] for table in TABLES}


def workbook(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    book.save(path)
    return path


def rewrite_sheet(path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    """Copy the workbook with its first sheet's XML passed through `change` (bytes -> bytes, or
    an iterator of byte chunks, written as they come)."""
    source = path.with_suffix(".orig.xlsx")
    shutil.move(path, source)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename != "xl/worksheets/sheet1.xml":
                new.writestr(item, data)
                continue
            changed = change(data)
            if isinstance(changed, bytes):
                new.writestr(item.filename, changed)
            else:
                with new.open(item.filename, "w", force_zip64=True) as member:
                    for chunk in changed:
                        member.write(chunk)
    source.unlink()
    return path


def refused(qiye: Qiye, path: Path, expected: str) -> str:
    before = counts(qiye)
    result = qiye.run_process("import", "issues", str(path), timeout=GUARD_SECONDS)
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr
    assert counts(qiye) == before
    return result.stderr


def test_the_attack_file_declaring_the_whole_sheet_is_refused_at_once(qiye, tmp_path):
    """The 4.7 KB attack file: a few real rows, the dimension A1:XFD1048576 and a row element at
    the bottom of the sheet. Every row up to it came back as 16,384 empty cells: minutes."""
    path = workbook(tmp_path / "台账.xlsx", [["蓝思科技", "道路建设", "2023-05-12", f"问题{n}"] for n in range(3)])

    def hostile(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml)
        return xml.replace(b"</sheetData>", b'<row r="1048576"/></sheetData>')

    rewrite_sheet(path, hostile)
    assert path.stat().st_size < 10_000
    refused(qiye, path, "has more than 200000 rows (row 200001)")


@pytest.mark.parametrize("declared", ["A1:XFD1048576", "A1:A1"])
def test_the_declared_dimension_is_not_trusted(qiye, tmp_path, declared):
    """Rows and columns are read as they are, whatever the sheet claims: too large a dimension
    padded every row, too small a one dropped columns and rows without a word."""
    path = workbook(tmp_path / "台账.xlsx", [["蓝思科技", "道路建设", "2023-05-12", f"问题{n}"] for n in range(3)])
    rewrite_sheet(path, lambda xml: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{declared}"'.encode(), xml))
    with zipfile.ZipFile(path) as archive:
        assert f'<dimension ref="{declared}"'.encode() in archive.read("xl/worksheets/sheet1.xml")
    result = qiye.run_process("import", "issues", str(path), timeout=GUARD_SECONDS)
    assert result.returncode == 0, result.stderr
    assert "3 issues created" in result.stdout
    assert counts(qiye)["issue"] == 3


def test_a_zip_bomb_is_refused_before_it_is_unzipped(qiye, tmp_path):
    """A sheet padded with 150 MB of blanks: a small file, far more than the import reads."""
    path = workbook(tmp_path / "bomb.xlsx", [["蓝思科技", "道路建设", "2023-05-12", "问题"]])

    def padded(xml: bytes):  # type: ignore[no-untyped-def]
        head, tail = xml.split(b"</sheetData>")
        yield head
        blank = b" " * (1 << 20)
        for _ in range(150):
            yield blank
        yield b"</sheetData>" + tail

    rewrite_sheet(path, padded)
    assert path.stat().st_size < 1_000_000
    refused(qiye, path, "more than the 100 MB an .xlsx import reads")


def test_a_part_that_expands_too_many_fold_is_refused(qiye, tmp_path):
    """20 MB of blanks in one part: within the size limit, but no spreadsheet compresses so."""
    path = workbook(tmp_path / "ratio.xlsx", [["蓝思科技", "道路建设", "2023-05-12", "问题"]])
    rewrite_sheet(path, lambda xml: xml.replace(b"</sheetData>", b" " * (20 << 20) + b"</sheetData>"))
    message = refused(qiye, path, "-fold when unzipped, more than the 100-fold")
    assert "'xl/worksheets/sheet1.xml'" in message


def test_a_cell_far_to_the_right_is_refused(qiye, tmp_path):
    """One cell in column XFD makes a row of 16,384 cells; in every row, minutes."""
    path = workbook(tmp_path / "wide.xlsx", [["蓝思科技", "道路建设", "2023-05-12", "问题"]])
    far = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c>'
                  f'<c r="XFD{n}" t="inlineStr"><is><t>x</t></is></c></row>' for n in range(3, 20_000))
    rewrite_sheet(path, lambda xml: xml.replace(b"</sheetData>", far.encode() + b"</sheetData>"))
    refused(qiye, path, "row 3 reaches column XFD (16384 columns), more than the 256")


LAUGHS = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">' + b"".join(
    f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">'.encode() for n in range(8)) + b"]>"


@pytest.mark.parametrize("change", [
    pytest.param(lambda xml: xml[: len(xml) // 2], id="truncated"),
    pytest.param(lambda xml: LAUGHS + xml.replace(b"<t>", b"<t>&i;", 1), id="billion-laughs"),
])
def test_a_broken_sheet_is_a_clear_error(qiye, tmp_path, change):
    """Malformed XML, or entities that expand a billion-fold (expat stops them): an `error:`
    naming the file, not an unexpected failure."""
    path = workbook(tmp_path / "broken.xlsx", [["蓝思科技", "道路建设", "2023-05-12", "问题"]])
    rewrite_sheet(path, change)
    refused(qiye, path, f"cannot read {path} as an .xlsx workbook: ")


def test_the_limits_in_chinese(qiye, tmp_path):
    path = workbook(tmp_path / "tall.xlsx", [["蓝思科技", "道路建设", "2023-05-12", "问题"]])
    last = b'<row r="300000"><c r="A300000" t="inlineStr"><is><t>x</t></is></c></row>'
    rewrite_sheet(path, lambda xml: xml.replace(b"</sheetData>", last + b"</sheetData>"))
    result = qiye.run_process("--lang", "zh", "import", "issues", str(path), timeout=GUARD_SECONDS)
    assert result.returncode == 1
    assert result.stderr == (f"error: {path} 超过 200000 行（第 200001 行）；.xlsx 导入最多读取 200000 行，"
                             "更大的台账请另存为“CSV UTF-8”后导入（CSV 没有此限制），或删除台账下方多余的行\n")


@pytest.mark.parametrize("rows", [1, 2_000])
def test_an_ordinary_workbook_still_imports(qiye, tmp_path, rows):
    path = workbook(tmp_path / "台账.xlsx", [[f"企业{n % 7}", "道路建设", "2023-05-12", f"问题{n}"]
                                             for n in range(rows)])
    result = qiye.ok("import", "issues", str(path))
    assert f"{rows} issues created" in result.stdout
