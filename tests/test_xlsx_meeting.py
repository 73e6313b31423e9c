"""The report workbook is meeting-ready (DESIGN §15, issue 21 point 5), read back with openpyxl:
a title row with the week and as-of date, bold shaded frozen headers repeated on every printed
page, level colours, an autofilter, A4 landscape fitted to the width, a totals row, a chart,
and every header in the interface language."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Qiye
from qiye_service.i18n import CATALOGUE


def weekly_book(sample: Qiye, tmp_path: Path, lang: str):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    out = tmp_path / f"weekly-{lang}.xlsx"
    sample.ok("--lang", lang, "report", "weekly", "--format", "xlsx", "--out", str(out))
    return load_workbook(out)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_sheet_has_a_title_row_with_week_and_as_of_date_and_prints_on_a4_landscape(
        sample: Qiye, tmp_path: Path, lang: str) -> None:
    book = weekly_book(sample, tmp_path, lang)
    assert len(book.worksheets) == 4
    for sheet in book.worksheets:
        title = sheet["A1"].value
        assert "2023-W51" in title and "2023-12-20" in title, title  # the week, and the as-of date
        assert sheet["A1"].font.b and sheet["A1"].font.sz >= 12
        assert sheet.freeze_panes == "A3"  # title and headers stay in view
        assert sheet.print_title_rows == "$2:$2"  # headers repeated on each printed page
        assert sheet.page_setup.orientation == "landscape" and str(sheet.page_setup.paperSize) == "9"  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
        assert sheet.page_setup.fitToHeight == 0
        headers = [cell for cell in sheet[2] if cell.value is not None]
        assert headers and all(cell.font.b and cell.fill.fill_type == "solid" for cell in headers)
        assert sheet.auto_filter.ref.startswith("A2:")


def test_headers_are_in_the_interface_language(sample: Qiye, tmp_path: Path) -> None:
    english = {text for text, _ in CATALOGUE.values()}
    book = weekly_book(sample, tmp_path, "zh")
    for sheet in book.worksheets:
        for cell in sheet[2]:
            if cell.value is not None:
                assert any("\u4e00" <= ch <= "\u9fff" for ch in cell.value), (sheet.title, cell.value)
                assert cell.value not in english


def test_the_category_sheet_has_totals_and_a_chart(sample: Qiye, tmp_path: Path) -> None:
    book = weekly_book(sample, tmp_path, "zh")
    categories = book["分类情况"]
    rows = list(categories.iter_rows(values_only=True))
    headers, body, totals = rows[1], rows[2:-1], rows[-1]
    assert totals[0] == "合计" and all(cell.font.b for cell in categories[categories.max_row] if cell.value is not None)
    for name in ("累计登记", "累计办结", "逾期未办结"):
        column = headers.index(name)
        assert totals[column] == sum(row[column] for row in body)
    assert totals[headers.index("累计登记")] == 172  # the headline figure of the sample week
    assert categories.auto_filter.ref == f"A2:N{2 + len(body)}"  # the totals row stays out of the filter
    (chart,) = categories._charts
    assert len(chart.series) == 3


def test_levels_are_filled_in_their_colours(sample: Qiye, tmp_path: Path) -> None:
    from qiye_service.render.values import LEVEL_FILLS

    book = weekly_book(sample, tmp_path, "en")
    overdue = book["Overdue"]
    level = [cell.value for cell in overdue[2]].index("Level") + 1
    fills = {}
    for row in overdue.iter_rows(min_row=3):
        cell = row[level - 1]
        fills[cell.value] = cell.fill.fgColor.rgb[-6:]
    assert fills["red"] == LEVEL_FILLS["red"] and fills["overdue"] == LEVEL_FILLS["overdue"]


def test_exports_keep_their_plain_workbook(sample: Qiye, tmp_path: Path) -> None:
    """An export is data for import, not a meeting page: no title row, headers in row 1."""
    from openpyxl import load_workbook

    out = tmp_path / "issues.xlsx"
    sample.ok("export", "issues", "--format", "xlsx", "--out", str(out))
    sheet = load_workbook(out).worksheets[0]
    assert sheet["A1"].value == "id" and sheet.freeze_panes == "A2" and not sheet._charts


def test_libreoffice_opens_the_workbook_and_reads_its_figures(sample: Qiye, tmp_path: Path) -> None:
    """A real spreadsheet opens the report workbook: LibreOffice (headless) converts its category
    sheet to CSV with the title row, the headers and the totals in place. Skipped where
    LibreOffice is not installed (.ci/run installs libreoffice-calc-nogui)."""
    import csv
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    out = tmp_path / "weekly.xlsx"
    sample.ok("--lang", "zh", "report", "weekly", "--format", "xlsx", "--out", str(out), "--section", "categories")
    profile = tmp_path / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=180)
    rows = list(csv.reader((tmp_path / "weekly.csv").open(encoding="utf-8")))
    assert "2023-W51" in rows[0][0] and "2023-12-20" in rows[0][0]
    assert rows[1][:2] == ["问题类别", "本周登记"] and "代码" not in rows[1]
    assert rows[-1][0] == "合计" and rows[-1][rows[1].index("累计登记")] == "172"


@pytest.mark.parametrize(("lang", "sheet", "heading", "names"), [
    ("zh", "分类情况", "问题类别", {"征拆", "用水用电", "道路建设"}),
    ("en", "By category", "Category", {"Land acquisition", "Water and power", "Road construction"})])
def test_a_category_is_named_in_the_interface_language_without_a_code_column(
        sample: Qiye, tmp_path: Path, lang: str, sheet: str, heading: str, names: set[str]) -> None:
    """Issue 21: the meeting-ready workbook had an English 代码 column (land-acquisition) under zh.
    A category (and any group) is its name in the interface language, first; the codes stay in
    the machine formats (`key` in csv and json)."""
    import json

    codes = {row["key"] for row in json.loads(sample.ok("report", "weekly", "--format", "json").stdout)["categories"]}
    assert {"land-acquisition", "water-power", "road"} <= codes
    assert sample.ok("report", "weekly", "--format", "csv").stdout.startswith("key,")
    book = weekly_book(sample, tmp_path, lang)
    rows = list(book[sheet].iter_rows(values_only=True))
    assert rows[1][0] == heading and "代码" not in rows[1] and "Key" not in rows[1]
    shown = {row[0] for row in rows[2:-1]}
    assert names <= shown and not shown & codes
    summary = tmp_path / f"summary-{lang}.xlsx"
    sample.ok("--lang", lang, "report", "summary", "--format", "xlsx", "--out", str(summary))
    from openpyxl import load_workbook

    for page in load_workbook(summary).worksheets:
        cells = {cell for row in page.iter_rows(min_row=2, values_only=True) for cell in row}
        assert not cells & codes and "代码" not in cells and "Key" not in cells, page.title
