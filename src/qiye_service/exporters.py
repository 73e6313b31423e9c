"""Rows → csv, tsv, json, ndjson or xlsx, streaming (DESIGN §4, §5).

Rows are tuples in the order of their field list, as services/transfer.py yields them:
dates already ISO text, tags a list. Nothing here holds more than one row at a time,
except openpyxl's own buffer for xlsx.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import chain
from pathlib import Path
from typing import IO, Any, TextIO

from qiye_service import render

FORMATS = ("csv", "tsv", "json", "ndjson", "xlsx")
LIST_SEPARATOR = ";"
# Stored text that is a date or a UTC timestamp; xlsx gets real dates for these.
DATE_FIELDS = frozenset({"reported_on", "due_on", "resolved_on", "extended_due_on", "deadline_on", "suspended_on", "dispatched_on", "acknowledged_on", "escalated",
                         "callback_on"})
TIMESTAMP_FIELDS = frozenset({"created_at", "updated_at", "at"})
XLSX_WIDTHS = {"title": 40, "description": 60, "resolution": 50, "enterprise": 24, "department": 20,
               "name": 24, "credit_code": 22, "old": 30, "new": 50, "note": 40}


# How often a writer reports the rows written so far (`progress`, for a progress bar).
PROGRESS_EVERY = 1000
Progress = Callable[[int], Any]


class Counter:
    """Passes rows through and counts them (csv's writerows returns nothing), telling `progress`
    every PROGRESS_EVERY rows."""

    def __init__(self, rows: Iterable[Sequence[Any]], progress: Progress | None = None) -> None:
        self.rows = rows
        self.count = 0
        self.progress = progress

    def __iter__(self) -> Iterator[Sequence[Any]]:
        progress = self.progress
        if progress is None:
            for row in self.rows:
                self.count += 1
                yield row
            return
        for row in self.rows:
            self.count += 1
            if not self.count % PROGRESS_EVERY:
                progress(self.count)
            yield row
        progress(self.count)


def _join_lists(rows: Iterable[Sequence[Any]], indexes: list[int]) -> Iterator[Sequence[Any]]:
    """Rows with list cells (tags) joined by `;`, unless the source joined them already."""
    for row in rows:
        cells = list(row)
        for index in indexes:
            value = cells[index]
            if value is not None and not isinstance(value, str):
                cells[index] = LIST_SEPARATOR.join(value)
        yield cells


# Plain TSV (DESIGN §4), as sqlite3 and PostgreSQL's text format write it: no quoting; a tab,
# newline, carriage return or backslash inside a cell as \t, \n, \r, \\, so every line is a
# row and `cut -f` works. importers.tsv_records reads it back.
_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def tsv_cell(value: Any) -> str:
    """One plain-TSV cell: empty for None, the rest as text with its tabs, line breaks and
    backslashes escaped."""
    return "" if value is None else str(value).translate(_TSV_ESCAPES)


def write_tsv(rows: Iterable[Sequence[Any]], fields: Sequence[str], out: TextIO, lists: Sequence[int] = ()) -> int:
    write = out.write
    write("\t".join(map(tsv_cell, fields)) + "\n")
    count = 0
    for row in _join_lists(rows, list(lists)) if lists else rows:
        write("\t".join(map(tsv_cell, row)) + "\n")
        count += 1
    return count


def write_delimited(rows: Iterable[Sequence[Any]], fields: Sequence[str], out: TextIO, *,
                    delimiter: str = ",", excel: bool = False, progress: Progress | None = None) -> int:
    """CSV through the csv module, or plain TSV (write_tsv); `excel` adds a BOM, CRLF and formula
    neutralisation, and quotes as a spreadsheet reads it (a spreadsheet knows no TSV escapes)."""
    iterator = iter(rows)
    first = next(iterator, None)
    counted = Counter(iterator if first is None else chain((first,), iterator), progress)
    # Tags come as a list, unless the source already joined them for CSV.
    lists = [index for index, name in enumerate(fields)
             if name == "tags" and first is not None and not isinstance(first[index], str)]
    if delimiter == "\t" and not excel:
        return write_tsv(counted, fields, out, lists)
    if excel:
        out.write("\ufeff")
        writer = render.csv_writer(out, delimiter=delimiter, excel=True)
        writer.writerow(fields)
        cell = render.cell_text
        writer.writerows([cell(value, excel=True) for value in row] for row in counted)
    else:
        writer = render.csv_writer(out, delimiter=delimiter)
        writer.writerow(fields)
        writer.writerows(_join_lists(counted, lists) if lists else counted)
    return counted.count


def write_json(rows: Iterable[Sequence[Any]], fields: Sequence[str], out: TextIO,
               progress: Progress | None = None) -> int:
    """A JSON array, one object per line, written as the rows come."""
    count = 0
    out.write("[")
    dumps = json.dumps
    for row in Counter(rows, progress) if progress is not None else rows:
        out.write(",\n  " if count else "\n  ")
        out.write(dumps(dict(zip(fields, row, strict=True)), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_ndjson(rows: Iterable[Sequence[Any]], fields: Sequence[str], out: TextIO,
                 progress: Progress | None = None) -> int:
    count = 0
    dumps = json.dumps
    for row in Counter(rows, progress) if progress is not None else rows:
        out.write(dumps(dict(zip(fields, row, strict=True)), ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


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


def xlsx_cell(sheet: Any, value: Any, *, number_format: str | None = None, bold: bool = False) -> Any:
    """One value of a write-only sheet's row, as every workbook qiye writes (exports and reports)
    holds it: text cleaned (xlsx_text) and never read as a formula, dates and timestamps shown as
    such, numbers and dates typed. A plain value where no cell object is needed (the common case)."""
    formula = False
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


def write_xlsx(rows: Iterable[Sequence[Any]], fields: Sequence[str], path: Path | IO[bytes], *, sheet: str,
               progress: Progress | None = None) -> int:
    """A workbook in openpyxl's write-only mode, to a file or a binary handle: a bold header row,
    dates as dates, text never read as a formula."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet_title(sheet, set()))
    for index, name in enumerate(fields, start=1):
        width = XLSX_WIDTHS.get(name) or (12 if name in DATE_FIELDS else 20 if name in TIMESTAMP_FIELDS else 14)
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    worksheet.append([xlsx_cell(worksheet, name, bold=True) for name in fields])
    count = 0
    for row in Counter(rows, progress) if progress is not None else rows:
        worksheet.append([xlsx_cell(worksheet, _xlsx_value(name, raw)) for name, raw in zip(fields, row, strict=True)])
        count += 1
    workbook.save(path)
    return count


def with_labels(rows: Iterable[Sequence[Any]], fields: Sequence[str], lang: str,
                category_names: dict[str, tuple[str, str]]) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """The fields and rows with a `<field>_label` column after each coded field (--labels)."""
    from qiye_service.i18n import value_label

    labelled = render.labelled_fields(fields, category_names)
    plan: list[tuple[int, str | None]] = []
    for index, name in enumerate(fields):
        plan.append((index, None))
        if name in render.LABELLED:
            plan.append((index, render.LABELLED[name]))
        elif name == "category":
            plan.append((index, "category"))
    cache: dict[tuple[str, Any], str] = {}

    def label(kind: str, value: Any) -> Any:
        key = (kind, value)
        found = cache.get(key)
        if found is None:
            if kind == "category":
                names = category_names.get(value or "")
                found = (names[0] if lang == "zh" else names[1]) if names else (value or "")
            else:
                found = value_label(kind, value, lang)
            cache[key] = found
        return found

    def generate() -> Iterator[tuple[Any, ...]]:
        for row in rows:
            yield tuple(row[index] if kind is None else label(kind, row[index]) for index, kind in plan)

    return labelled, generate()


def write(fmt: str, rows: Iterable[Sequence[Any]], fields: Sequence[str], *, out: TextIO | None = None,
          path: Path | IO[bytes] | None = None, excel: bool = False, sheet: str = "export",
          progress: Progress | None = None) -> int:
    """Write rows in `fmt` to `out` (text formats) or `path` (xlsx: a file or a binary handle);
    returns the row count. `progress(rows so far)` is called every PROGRESS_EVERY rows."""
    if fmt == "xlsx":
        assert path is not None
        return write_xlsx(rows, fields, path, sheet=sheet, progress=progress)
    assert out is not None
    if fmt == "csv":
        return write_delimited(rows, fields, out, excel=excel, progress=progress)
    if fmt == "tsv":
        return write_delimited(rows, fields, out, delimiter="\t", excel=excel, progress=progress)
    if fmt == "json":
        return write_json(rows, fields, out, progress)
    if fmt == "ndjson":
        return write_ndjson(rows, fields, out, progress)
    raise ValueError(f"not an export format: {fmt}")
