"""The one xlsx writer (DESIGN §4, §5): rows or a report document as a workbook, in openpyxl's
write-only mode, streaming; text cleaned and never read as a formula, dates and numbers typed.
openpyxl is imported only when a workbook is written."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, NamedTuple

from qiye_service.i18n import translate
from qiye_service.render.values import RATE_FIELDS, header, shown

if TYPE_CHECKING:
    from qiye_service.render.document import Document, Section

LIST_SEPARATOR = ";"
# Stored text that is a date or a UTC timestamp; xlsx gets real dates for these.
DATE_FIELDS = frozenset({"reported_on", "due_on", "resolved_on", "extended_due_on", "deadline_on", "suspended_on", "dispatched_on", "acknowledged_on", "escalated",
                         "callback_on"})
TIMESTAMP_FIELDS = frozenset({"created_at", "updated_at", "at"})
XLSX_WIDTHS = {"title": 40, "description": 60, "resolution": 50, "enterprise": 24, "department": 20,
               "name": 24, "credit_code": 22, "old": 30, "new": 50, "note": 40}


def _xlsx_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in DATE_FIELDS and isinstance(value, str):
        return date.fromisoformat(value)
    if name in TIMESTAMP_FIELDS and isinstance(value, str):
        return datetime.fromisoformat(value.removesuffix("Z"))
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(value)
    return value


# What an xlsx file cannot hold: XML 1.0 allows tab, newline, carriage return and every
# character from U+0020 but the surrogates, U+FFFE and U+FFFF. openpyxl refuses the other C0
# controls (IllegalCharacterError, which failed a whole report over one title) and writes the
# rest into a file that no spreadsheet, openpyxl included, opens again.
_NOT_XLSX_TEXT = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SHEET_TITLE_REFUSED = "[]:*?/\\"
SHEET_TITLE_LIMIT = 31


def xlsx_text(text: str) -> str:
    """Text as a workbook can hold it: the characters xlsx cannot carry removed."""
    return _NOT_XLSX_TEXT.sub("", text)


# A carriage return in a cell's XML text reads back as a line feed (XML's end-of-line
# handling turns CR LF and a lone CR into LF), so a workbook carries it as the OOXML escape
# _x000D_, which Excel and importers.xlsx_cell_text read as CR; text that itself looks like an
# escape has its underscore escaped (_x005F_), as Excel does, so it reads back as written.
_OOXML_ESCAPE_LIKE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def ooxml_escaped(text: str) -> str:
    """Cell text for the XML of a workbook: CR as _x000D_, escape-like text escaped."""
    if "_x" in text:
        text = _OOXML_ESCAPE_LIKE.sub("_x005F_", text)
    return text.replace("\r", "_x000D_") if "\r" in text else text


class Formatted(NamedTuple):
    """A value with the number format its cell shows it in (a rate as 0.0%)."""

    value: Any
    number_format: str


def xlsx_cell(sheet: Any, value: Any, *, number_format: str | None = None, bold: bool = False) -> Any:
    """One value of a write-only sheet's row, as every workbook qiye writes (exports and reports)
    holds it: text cleaned (xlsx_text) and never read as a formula, dates and timestamps shown as
    such, numbers and dates typed. A plain value where no cell object is needed (the common case)."""
    formula = False
    if isinstance(value, Formatted):
        value, number_format = value
    if isinstance(value, str):
        value = ooxml_escaped(xlsx_text(value))
        formula = value.startswith("=")  # openpyxl would store it as a formula
    elif number_format is None and isinstance(value, datetime):
        number_format = "yyyy-mm-dd hh:mm:ss"
    elif number_format is None and isinstance(value, date):
        number_format = "yyyy-mm-dd"
    if not (formula or number_format or bold):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if formula:
        cell.data_type = "s"  # text, as typed
    if number_format:
        cell.number_format = number_format
    if bold:
        from openpyxl.styles import Font

        cell.font = Font(bold=True)
    return cell


def sheet_title(title: str, used: set[str]) -> str:
    """A sheet title xlsx accepts, unique among `used` (which it joins): cleaned as cell text,
    without the characters Excel refuses in a title, at most 31 characters."""
    name = "".join(" " if ch in _SHEET_TITLE_REFUSED else ch for ch in xlsx_text(title)).strip()
    name = name[:SHEET_TITLE_LIMIT] or "Sheet"
    base, counter = name, 2
    while name in used:
        suffix = f" {counter}"
        name, counter = base[:SHEET_TITLE_LIMIT - len(suffix)] + suffix, counter + 1
    used.add(name)
    return name


def add_sheet(workbook: Any, used: set[str], title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
              widths: Sequence[float], *, bold_header: bool = False) -> int:
    """A sheet of the workbook: column widths, a frozen header row, then the rows (a cell may be
    Formatted); returns how many rows."""
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(sheet_title(title, used))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([xlsx_cell(sheet, head, bold=bold_header) for head in headers])
    count = 0
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
        count += 1
    return count


def write_xlsx(rows: Iterable[Sequence[Any]], fields: Sequence[str], path: Path | IO[bytes], *, sheet: str,
               headers: Sequence[str] | None = None) -> int:
    """Rows of stored values as a one-sheet workbook, to a file or a binary handle: a bold header
    row of field names, dates as dates."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    widths = [XLSX_WIDTHS.get(name) or (12 if name in DATE_FIELDS else 20 if name in TIMESTAMP_FIELDS else 14)
              for name in fields]
    count = add_sheet(workbook, set(), sheet, headers or fields,
                      ([_xlsx_value(name, raw) for name, raw in zip(fields, row, strict=True)] for row in rows),
                      widths, bold_header=True)
    workbook.save(path)
    return count


def write_workbook(doc: Document, path: str | BinaryIO, lang: str, *, only: Section | None = None) -> None:
    """A report as a workbook: a sheet for the figures and one per section, headers per --lang,
    column widths from the first rows, dates as dates, rates as percentages; rows are streamed."""
    from openpyxl import Workbook

    from qiye_service.render.document import Section

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    if only is None and doc.figures:
        rows = [{"figure": label, "value": value, "name": name} for name, label, value in doc.figures]
        if doc.seal is not None or doc.seal_waited is not None:
            # The seal closes the figures: a text cell, copied as it is into `db check --seal`.
            rows.append({"figure": translate("report.seal_label", lang), "name": "seal",
                         "value": doc.seal.text if doc.seal is not None else "—"})
        figures = Section("figures", translate("report.section.figures", lang), ("figure", "value"), rows)
        _report_sheet(workbook, used, figures, doc, lang, kind_of=lambda row, f: row["name"] if f == "value" else f)
    for section in [only] if only is not None else doc.shown_sections:
        _report_sheet(workbook, used, section, doc, lang)
    workbook.save(path)


# How a report's workbook looks (DESIGN §15): a title row, bold shaded headers, level fills.
TITLE_FONT_SIZE = 14
HEADER_FILL = "D9D9D9"
TITLE_ROWS = 1  # rows above the header row
CHART_ROWS = 30  # a chart shows at most this many groups


def _styled(sheet: Any, value: Any, *, bold: bool = False, size: float | None = None, fill: str | None = None,
            number_format: str | None = None) -> Any:
    """A cell as xlsx_cell writes it, with a font and a solid fill."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font, PatternFill

    cell = xlsx_cell(sheet, value, number_format=number_format)
    if not isinstance(cell, Cell):
        cell = WriteOnlyCell(sheet, value=cell)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"
    if bold or size:
        cell.font = Font(bold=bold, size=size)
    if fill:
        cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
    return cell


def _report_sheet(workbook: Any, used: set[str], section: Section, doc: Document, lang: str,
                  kind_of: Callable[[dict[str, Any], str], str] | None = None) -> None:
    """One sheet of a report, ready for a meeting: the report's title, week and as-of date in the
    first row; bold, shaded, frozen headers repeated on every printed page; level colours;
    an autofilter; a totals row for group sections; a bar chart of the groups; A4 landscape,
    fitted to the page width. A group's name (`label`, in the interface language) is its column,
    not its code (`key`, the machine formats' column: issue 21 found land-acquisition under zh)."""
    from openpyxl.utils import get_column_letter
    from rich.cells import cell_len

    from qiye_service.render.values import LEVEL_FILLS

    groups = "key" in section.fields
    fields = tuple(f for f in section.fields if f != "key") if "label" in section.fields else section.fields
    headers = [section.headers.get(f) or header(f, lang) for f in fields]
    sample = section.rows.head(500)
    widths = []
    for name, head in zip(fields, headers, strict=True):
        width = max([cell_len(head)] + [cell_len(_width_text(_sheet_value(name, row.get(name), lang, doc.category_names)))
                                        for row in sample])
        widths.append(min(max(width + 2, 8), 60))
    sheet = workbook.create_sheet(sheet_title(section.title, used))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header_row = TITLE_ROWS + 1
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    title = translate("report.title_line", lang, title=doc.title, subtitle=doc.subtitle)
    sheet.append([_styled(sheet, title, bold=True, size=TITLE_FONT_SIZE)])
    sheet.append([_styled(sheet, head, bold=True, fill=HEADER_FILL) for head in headers])
    by_level = doc.kind == "overdue" and section.name == "groups" and (doc.data or {}).get("by") == "level"
    count = 0
    for row in section.rows:
        cells = []
        for name in fields:
            value = _sheet_value(name, row.get(name), lang, doc.category_names)
            kind = kind_of(row, name) if kind_of else name
            rate = "0.0%" if kind in RATE_FIELDS and isinstance(value, float) else None
            level = row.get("level") if name == "level" else row.get("key") if by_level and name == "label" else None
            fill = LEVEL_FILLS.get(level) if isinstance(level, str) else None
            cells.append(_styled(sheet, value, number_format=rate, fill=fill) if fill else
                         xlsx_cell(sheet, value, number_format=rate))
        sheet.append(cells)
        count += 1
    last = get_column_letter(len(fields))
    sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + count}"
    if groups and doc.data is not None and count:
        sheet.append(_totals(sheet, fields, doc, lang))
        _group_chart(sheet, section, fields, header_row, count)


def _totals(sheet: Any, fields: Sequence[str], doc: Document, lang: str) -> list[Any]:
    """The totals row of a group section: the report's own headline figure for each column that
    has one (the groups add up to it), bold."""
    data = doc.data or {}
    cells = []
    for index, name in enumerate(fields):
        value = data.get(name) if name not in ("key", "label") else None
        if index == 0:
            value = translate("report.totals", lang)
        elif not isinstance(value, (int, float)) or isinstance(value, bool):
            value = None
        rate = "0.0%" if name in RATE_FIELDS and isinstance(value, float) else None
        cells.append(_styled(sheet, value, bold=True, number_format=rate))
    return cells


# The columns a group section's chart compares, by report: counts that share one scale.
CHART_SERIES = {"categories": ("total_to_date", "resolved_to_date", "overdue"),
                "groups": ("total", "resolved", "overdue", "level_red", "level_overdue", "level_due_soon"),
                "by_kind": ("total", "resolved", "overdue"),
                "coverage": ("assigned", "visited", "lapsed"),
                "ranking": ("score",)}  # the scorecard (issue 20): each group's composite score


def _group_chart(sheet: Any, section: Section, shown: Sequence[str], header_row: int, count: int) -> None:
    """A clustered bar chart of the first CHART_ROWS groups, right of the table (of `shown` columns)."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.utils import get_column_letter

    fields = list(shown)
    wanted = [name for name in CHART_SERIES.get(section.name, ()) if name in fields]
    if not wanted or "label" not in fields:
        return
    last_row = header_row + min(count, CHART_ROWS)
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = section.title
    chart.y_axis.majorGridlines = None
    for name in wanted:
        column = fields.index(name) + 1
        chart.add_data(Reference(sheet, min_col=column, min_row=header_row, max_row=last_row), titles_from_data=True)
    label = fields.index("label") + 1
    chart.set_categories(Reference(sheet, min_col=label, min_row=header_row + 1, max_row=last_row))
    chart.height = max(7.5, 0.6 * min(count, CHART_ROWS) + 3)
    chart.width = 18
    sheet.add_chart(chart, f"{get_column_letter(len(fields) + 2)}{header_row}")


def _sheet_value(name: str, value: Any, lang: str, category_names: dict[str, tuple[str, str]]) -> Any:
    """Codes become labels; the rest as it is (xlsx_cell cleans text and keeps it from being a formula)."""
    if (value is not None and name in ("status", "level", "category")) or (value is None and name == "last_visited_on"):
        return shown(name, value, lang, category_names)
    return value


def _width_text(value: Any) -> str:
    """A value's text for measuring its column (a date as wide as any date, a rate as 0.1234)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return "2023-12-31"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)
