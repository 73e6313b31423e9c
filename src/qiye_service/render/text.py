"""The text formats: csv, tsv, json, ndjson and markdown (DESIGN §4), each written once.

Rows come either as dicts of Python values (lists, reports) or as sequences of stored values in
the order of their fields (exports, streamed as services/transfer.py yields them: dates already
ISO text, tags a list); both are written by the same writers, holding one row at a time.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import chain
from typing import Any, TextIO

from qiye_service.i18n import label, translate
from qiye_service.render.document import (
    Document,
    Rows,
    Section,
    headers,
    numeric,
    recipient_title,
    seal_line,
    table_fields,
)
from qiye_service.render.values import (
    cell_text,
    display_value,
    iso,
    json_value,
    markdown_cell,
    shown,
    terminal_safe,
)

LIST_SEPARATOR = ";"


class Counter:
    """Passes rows through and counts them (csv's writerows returns nothing)."""

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self.rows:
            self.count += 1
            yield row


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
                    delimiter: str = ",", excel: bool = False, headers: Sequence[str] | None = None) -> int:
    """CSV through the csv module, or plain TSV (write_tsv); `excel` adds a BOM, CRLF and formula
    neutralisation, and quotes as a spreadsheet reads it (a spreadsheet knows no TSV escapes)."""
    iterator = iter(rows)
    first = next(iterator, None)
    counted = Counter(iterator if first is None else chain((first,), iterator))
    # Tags come as a list, unless the source already joined them for CSV.
    lists = [index for index, name in enumerate(fields)
             if name == "tags" and first is not None and not isinstance(first[index], str)]
    if delimiter == "\t" and not excel:
        return write_tsv(counted, headers or fields, out, lists)
    if excel:
        out.write("\ufeff")
        writer = csv_writer(out, delimiter=delimiter, excel=True)
        writer.writerow(headers or fields)
        cell = cell_text
        writer.writerows([cell(value, excel=True) for value in row] for row in counted)
    else:
        writer = csv_writer(out, delimiter=delimiter)
        writer.writerow(headers or fields)
        writer.writerows(_join_lists(counted, lists) if lists else counted)
    return counted.count


def write_json_rows(rows: Iterable[Sequence[Any]], fields: Sequence[str], out: TextIO) -> int:
    """A JSON array, one object per line, written as the rows come (write_json of a stream)."""
    counted = Counter(rows)
    write_json((dict(zip(fields, row, strict=True)) for row in counted), out)
    out.write("\n")
    return counted.count


def write_ndjson(rows: Iterable[Sequence[Any]], fields: Sequence[str], out: TextIO) -> int:
    count = 0
    dumps = json.dumps
    for row in rows:
        out.write(dumps(dict(zip(fields, row, strict=True)), ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


class _LineFeedRows:
    """Turns each CSV row's CRLF end into LF. The csv module quotes a cell only for the
    characters of its line terminator, so a writer ending rows with LF leaves a cell with a
    bare CR unquoted, and a reader splits the row there; writing CRLF and rewriting each
    row's end keeps such cells quoted. csv.writer writes one row per write() call."""

    def __init__(self, out: TextIO) -> None:
        self._write = out.write

    def write(self, line: str) -> int:
        return self._write(line[:-2] + "\n")


def csv_writer(out: TextIO, *, delimiter: str = ",", excel: bool = False) -> Any:
    """A csv writer ending rows with CRLF for Excel, else LF, with every line break in a cell quoted."""
    if excel:
        return csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    return csv.writer(_LineFeedRows(out), delimiter=delimiter, lineterminator="\r\n")


def _cells(rows: Iterable[dict[str, Any]], fields: Sequence[str], convert: Callable[[Any], Any]) -> Iterator[list[Any]]:
    for row in rows:
        yield [convert(row.get(f)) for f in fields]



def is_dict_rows(rows: Iterable[Any]) -> tuple[bool, Iterable[Any]]:
    """Whether the rows are dicts (Python values) rather than stored value sequences, and the rows
    again (the first one peeked at)."""
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return False, ()
    return isinstance(first, dict), chain((first,), iterator)


def write_rows(rows: Iterable[Any], fields: Sequence[str], fmt: str, out: TextIO, *, lang: str = "en",
               excel: bool = False, category_names: dict[str, tuple[str, str]] | None = None,
               headers: Sequence[str] | None = None) -> int:
    """Rows (dicts of Python values, or stored value sequences) in csv, tsv, json, ndjson or
    markdown; returns how many were written. `headers`: the csv and tsv header row, where not the
    field names (export visits --chinese-headers)."""
    dicts, rows = is_dict_rows(rows)
    if fmt == "markdown":
        if not dicts:
            rows = (dict(zip(fields, row, strict=True)) for row in rows)
        return write_markdown_rows(rows, fields, out, lang=lang, category_names=category_names)
    if dicts:
        rows = _cells(rows, fields, cell_text if fmt in ("csv", "tsv") else json_value)
    if fmt == "csv":
        return write_delimited(rows, fields, out, excel=excel, headers=headers)
    if fmt == "tsv":
        return write_delimited(rows, fields, out, delimiter="\t", excel=excel, headers=headers)
    if fmt == "json":
        return write_json_rows(rows, fields, out)
    if fmt == "ndjson":
        return write_ndjson(rows, fields, out)
    raise ValueError(f"not a text format: {fmt}")


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]], out: TextIO, *,
                   numeric: Sequence[bool] = ()) -> int:
    """A markdown table: a header row, a rule (`---:` for numeric columns), a row per line."""
    out.write("| " + " | ".join(markdown_cell(h) for h in headers) + " |\n")
    numeric = list(numeric) or [False] * len(headers)
    out.write("|" + "|".join(" ---: " if right else " --- " for right in numeric) + "|\n")
    count = 0
    for cells in rows:
        out.write("| " + " | ".join(markdown_cell(cell) for cell in cells) + " |\n")
        count += 1
    return count


def write_markdown_rows(rows: Iterable[dict[str, Any]], fields: Sequence[str], out: TextIO, *, lang: str,
                        category_names: dict[str, tuple[str, str]] | None = None) -> int:
    return markdown_table([label(f, lang) for f in fields],
                          ([display_value(f, row.get(f), lang, category_names) for f in fields] for row in rows), out)


def write_json(value: Any, out: TextIO, level: int = 0) -> None:
    """The one JSON writer: laid out like json.dumps(indent=2), writing lists and streams item by
    item; a stream (a row list) one compact object a line."""
    inner = "  " * (level + 1)
    if isinstance(value, dict) and any(_is_list(item) for item in value.values()):
        for index, (key, item) in enumerate(value.items()):
            out.write(("," if index else "{") + "\n" + inner + json.dumps(key, ensure_ascii=False) + ": ")
            write_json(item, out, level + 1)
        out.write("\n" + "  " * level + "}")
    elif _is_list(value):
        # Streamed issue lists one item a line: compact for long lists, and the C encoder does the work.
        compact = not isinstance(value, (list, tuple))
        count = 0
        for item in value:
            text = (json.dumps(item, ensure_ascii=False, default=_iso) if compact else
                    json.dumps(_json_ready(item), ensure_ascii=False, indent=2).replace("\n", "\n" + inner))
            out.write(("," if count else "[") + "\n" + inner + text)
            count += 1
        out.write("\n" + "  " * level + "]" if count else "[]")
    else:
        out.write(json.dumps(_json_ready(value), ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level))


def json_text(value: Any) -> str:
    """A value (a record, a small report) as write_json lays it out, without the final newline."""
    from io import StringIO

    buffer = StringIO()
    write_json(value, buffer)
    return buffer.getvalue()


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple, Rows, Iterator))


def _iso(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return iso(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(item) for item in value]
    return iso(value)


class ChunkedWriter:
    """Collects small writes and passes them on in large pieces (stdout may flush every line)."""

    def __init__(self, out: TextIO, size: int = 1 << 16) -> None:
        self._out, self._size, self._parts, self._length = out, size, [], 0

    def write(self, text: str) -> int:
        self._parts.append(text)
        self._length += len(text)
        if self._length >= self._size:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self._parts:
            self._out.write("".join(self._parts))
            self._parts, self._length = [], 0


def write_markdown_document(doc: Document, lang: str, out: TextIO, *, only: Section | None = None) -> None:
    """A document to paste into a message: a heading, the figures as a list, a table per section."""
    out.write(f"# {markdown_cell(doc.title)}\n\n{markdown_cell(doc.subtitle)}\n\n")
    if only is None and doc.figures:
        separator = "：" if lang == "zh" else ": "
        for name, label, value in doc.figures:
            out.write(f"- {markdown_cell(label)}{separator}{markdown_cell(shown(name, value, lang, {}))}\n")
        out.write("\n")
    for section in [only] if only is not None else doc.shown_sections:
        fields = table_fields(section)
        out.write(f"## {markdown_cell(section.title)}\n\n")
        if not section.rows:
            out.write(translate("report.empty", lang) + "\n\n")
            continue
        markdown_table(headers(section, lang),
                       ([shown(f, row.get(f), lang, doc.category_names) for f in fields] for row in section.rows),
                       out, numeric=[numeric(section, f) for f in fields])
        out.write("\n")
    footer = seal_line(doc, lang, markdown=True)
    if footer is not None:
        out.write(f"---\n\n{footer}\n")



def digest_text(digest: dict[str, Any], lang: str) -> str:
    """One recipient's reminders as plain lines that read the same in a chat robot, an e-mail and
    Markdown: per need, a heading with its count and one `- #id title (enterprise) …` line per
    issue. A department's lines name the owner; a person's, the department. This is the body
    `qiye remind --send` delivers and what `--format markdown` prints under each recipient."""
    lines: list[str] = []
    need = None
    counts = digest["counts"]
    for item in digest["items"]:
        if item["need"] != need:
            need = item["need"]
            lines.append(translate("remind.heading", lang, need=translate(f"remind.need.{need}", lang),
                                   count=counts[need]))
        text = translate("remind.line", lang, id=item["id"], title=terminal_safe(item["title"]),
                         enterprise=terminal_safe(item["enterprise"]))
        who = item["owner"] if digest["kind"] == "department" else item["department"]
        if who:
            text += translate("remind.who", lang, who=terminal_safe(who))
        if item["deadline"] is not None and need != "unacknowledged":
            text += translate("remind.due", lang, date=iso(item["deadline"]))
        if item["days_overdue"]:
            text += translate("remind.late", lang, days=item["days_overdue"])
        if item["extension_to"] is not None and need == "extension":
            text += translate("remind.asked_to", lang, date=iso(item["extension_to"]))
        lines.append(f"- {text}")
    return "\n".join(lines) + "\n"


def write_remind_markdown(doc: Document, lang: str, out: TextIO) -> None:
    """`qiye remind --format markdown`: the title, then each recipient's digest under its name."""
    out.write(f"# {markdown_cell(doc.title)}\n\n{markdown_cell(doc.subtitle)}\n")
    for digest in (doc.data or {}).get("recipients", []):
        out.write(f"\n## {markdown_cell(recipient_title(lang, digest))}\n\n{digest_text(digest, lang)}")
