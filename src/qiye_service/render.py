"""The output formats of DESIGN §4 and the one place that writes rows in them.

Machine formats (csv, tsv, json, ndjson) use snake_case keys, codes, ISO dates and no
colour; `table` and `markdown` are for people and use the catalogue's labels.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any, TextIO

from qiye_service.i18n import label, translate, value_label

FORMATS = ("table", "csv", "tsv", "json", "ndjson", "markdown")
MACHINE_FORMATS = ("csv", "tsv", "json", "ndjson")
# Fields whose values are codes with a catalogue label.
LABELLED = {"status": "status", "kind": "kind", "priority": "priority", "source": "source", "action": "action",
            "callback_result": "callback_result"}

# Timestamps are stored in UTC; people read them in the park's time zone (set per run).
_display_zone: Any = None


def show_times_in(zone_name: str) -> None:
    """Show timestamps in tables, records and timelines in this IANA time zone."""
    global _display_zone
    from zoneinfo import ZoneInfo

    try:
        _display_zone = ZoneInfo(zone_name)
    except (ValueError, KeyError, OSError):  # an unknown zone: the clock reports it; show UTC
        _display_zone = None


def local_time(value: datetime) -> datetime:
    """A stored naive-UTC timestamp in the display zone."""
    if _display_zone is None:
        return value
    from datetime import UTC

    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return aware.astimezone(_display_zone)


_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A zero-width joiner that joins nothing (first on a line, after a space or another joiner)
# draws nothing, and rich 15 miscounts the width of text that holds one and fails to fold it.
_ORPHAN_JOINERS = re.compile(r"(?:^|(?<=[\s\u200d]))\u200d+", re.MULTILINE)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def terminal_safe(text: str) -> str:
    """Stored text for a terminal: escape sequences, control characters and joiners that join
    nothing removed, line and paragraph separators as line breaks."""
    if text.isprintable():  # no escape, control, bidi or joining character: nothing to remove
        return text
    # U+2028 and U+2029 end a line as Python and a spreadsheet read them; rich would count
    # each as one cell of text and misalign the table.
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    return _ORPHAN_JOINERS.sub("", _CONTROLS.sub("", _ESCAPES.sub("", text)))


def iso(value: Any) -> Any:
    """Dates as YYYY-MM-DD, UTC timestamps as YYYY-MM-DDTHH:MM:SSZ; others unchanged."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def json_value(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return iso(value)


def cell_text(value: Any, *, excel: bool = False) -> str:
    """A value as one CSV cell: empty for None, `;`-joined lists, ISO dates."""
    if value is None:
        text = ""
    elif isinstance(value, (list, tuple)):
        text = ";".join(str(v) for v in value)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(iso(value))
    if excel and text.startswith(_FORMULA_START):
        # A spreadsheet would run it as a formula; a leading quote makes it text.
        text = "'" + text
    return text


def add_labels(row: dict[str, Any], fields: Sequence[str], lang: str,
               category_names: dict[str, tuple[str, str]] | None = None) -> dict[str, Any]:
    """The row with a `<field>_label` beside each coded field (for --labels)."""
    out: dict[str, Any] = {}
    for field in fields:
        out[field] = row.get(field)
        if field in LABELLED:
            out[f"{field}_label"] = value_label(LABELLED[field], row.get(field), lang)
        elif field == "category" and category_names is not None:
            names = category_names.get(row.get(field) or "")
            out["category_label"] = (names[0] if lang == "zh" else names[1]) if names else row.get(field)
    return out


def labelled_fields(fields: Sequence[str], category_names: dict[str, tuple[str, str]] | None) -> list[str]:
    result: list[str] = []
    for field in fields:
        result.append(field)
        if field in LABELLED or (field == "category" and category_names is not None):
            result.append(f"{field}_label")
    return result


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


# The machine formats are written by qiye_service.exporters, which streams plain value
# rows; these take dict rows of Python values and hand their cells over in stored form.
def write_delimited(rows: Iterable[dict[str, Any]], fields: Sequence[str], out: TextIO, *,
                    delimiter: str = ",", excel: bool = False) -> int:
    from qiye_service import exporters

    return exporters.write_delimited(_cells(rows, fields, cell_text), fields, out, delimiter=delimiter, excel=excel)


def write_json(rows: Iterable[dict[str, Any]], fields: Sequence[str], out: TextIO) -> int:
    """A JSON array, written row by row so a long list never sits in memory as text."""
    from qiye_service import exporters

    return exporters.write_json(_cells(rows, fields, json_value), fields, out)


def write_ndjson(rows: Iterable[dict[str, Any]], fields: Sequence[str], out: TextIO) -> int:
    from qiye_service import exporters

    return exporters.write_ndjson(_cells(rows, fields, json_value), fields, out)


def display_value(field: str, value: Any, lang: str,
                  category_names: dict[str, tuple[str, str]] | None = None) -> str:
    """A value as a person reads it: labels for codes, names for categories, ISO dates."""
    if value is None:
        return ""
    if field in LABELLED:
        return value_label(LABELLED[field], value, lang)
    if field == "category" and category_names and value in category_names:
        names = category_names[value]
        return names[0] if lang == "zh" else names[1]
    if isinstance(value, datetime):
        return local_time(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(iso(value))


def markdown_cell(text: str) -> str:
    return terminal_safe(text).replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")


def write_markdown(rows: Iterable[dict[str, Any]], fields: Sequence[str], out: TextIO, *, lang: str,
                   category_names: dict[str, tuple[str, str]] | None = None) -> int:
    out.write("| " + " | ".join(markdown_cell(label(f, lang)) for f in fields) + " |\n")
    out.write("|" + "|".join(" --- " for _ in fields) + "|\n")
    count = 0
    for row in rows:
        cells = [markdown_cell(display_value(f, row.get(f), lang, category_names)) for f in fields]
        out.write("| " + " | ".join(cells) + " |\n")
        count += 1
    return count


# Short values that read badly when folded; the text columns fold instead.
NO_WRAP_FIELDS = ("id", "reported_on", "due_on", "resolved_on", "status", "priority", "kind", "source", "level",
                  "at", "action")
# About how many terminal cells a column needs (3 more for its padding and rule), for fit_columns.
TABLE_WIDTHS = {"id": 4, "title": 20, "enterprise": 12, "category": 12, "status": 11, "priority": 8,
                "department": 12, "owner": 8, "reported_on": 10, "due_on": 10, "level": 8}
# What a narrow table gives up first.
DROP_ORDER = ("department", "reported_on", "priority", "owner", "category", "level")


def fit_columns(fields: Sequence[str], width: int) -> tuple[str, ...]:
    """The fields of a list table that fit a terminal `width` cells wide, dropping DROP_ORDER first."""
    kept = list(fields)

    def needed() -> int:
        return sum(TABLE_WIDTHS.get(field, 10) + 3 for field in kept) + 1

    for field in DROP_ORDER:
        if needed() <= width:
            break
        if field in kept:
            kept.remove(field)
    return tuple(kept)


@cache
def _cell_type() -> type:
    """The class of a table cell, built on first use so rich is imported only for tables."""
    from rich.cells import cell_len
    from rich.control import strip_control_codes
    from rich.measure import Measurement
    from rich.padding import Padding
    from rich.segment import Segment
    from rich.text import Text

    class Cell:
        """What `Padding(Text(text, style=style), (0, 1))` draws in a table, the same bytes for
        the text tables hold (a zero-width joiner inside a folded word may be cropped differently).

        rich spends most of a table's time per cell in the generic Padding and Text path:
        measure, wrap, justify, join, render, then split into lines twice. Here a cell that
        fits its column on one line is drawn straight as the same segments, and one that
        folds takes its lines from Text.wrap, the step Text itself uses; a cell with a tab,
        a column too narrow for its padding, or a line whose width rich would correct goes
        through Padding and Text as before.
        """

        __slots__ = ("text", "style", "cells", "one_line", "joined", "least", "most")

        def __init__(self, text: str, style: str = "") -> None:
            printable = text.isprintable()  # then it holds no control code either
            if not printable:
                text = strip_control_codes(text)  # as Text() does
            self.text = text
            self.style = style
            self.cells = cell_len(text)
            self.one_line = "\n" not in text
            self.joined = "\u200d" in text or "\ufe0f" in text
            # Text.__rich_measure__ (widest word, widest line) after Measurement.normalize;
            # printable text without a space is one word on one line.
            if printable and " " not in text:
                widest_word = widest_line = self.cells
            else:
                lines = text.splitlines()
                widest_line = max(map(cell_len, lines)) if lines else 0
                words = text.split()
                widest_word = max(map(cell_len, words)) if words else widest_line
            self.most = max(0, widest_line)
            self.least = max(0, min(max(0, widest_word), widest_line))

        def __rich_measure__(self, console: Any, options: Any) -> Any:
            """Padding.__rich_measure__ of the Text, in plain integers."""
            max_width = options.max_width
            if max_width < 3:
                return Measurement(max_width, max_width)
            return Measurement(min(self.least + 2, max_width), min(self.most + 2, max_width))

        def __rich_console__(self, console: Any, options: Any) -> list[Any]:
            width = options.max_width - 2
            text = self.text
            if width >= 1 and options.justify == "left" and "\t" not in text:
                if self.one_line and self.cells <= width:
                    lines = [text + " " * (width - self.cells)]  # as Text.truncate(pad=True)
                else:
                    # Text.__rich_console__'s own wrap; its lines come back padded to the width.
                    lines = [line.plain for line in Text(text, style=self.style).wrap(
                        console, width, justify="left", overflow=options.overflow or "fold",
                        tab_size=console.tab_size or 8, no_wrap=bool(options.no_wrap))]
                if not self.style and not self.joined:
                    # Unstyled and measured additively: one segment draws the same.
                    return [Segment(" " + " \n ".join(lines) + " ")]
                if not self.joined or all(cell_len(line) == width for line in lines):
                    # Padding's segments, each line measuring the width so rich leaves it be.
                    style = console.get_style(self.style) if self.style else None
                    segments = []
                    for line in lines:
                        segments += (Segment(" "), Segment(line, style), Segment(" \n"))
                    return segments
            return [Padding(Text(text, style=self.style), (0, 1))]

    return Cell


def table(rows: Iterable[dict[str, Any]], fields: Sequence[str], *, lang: str, title: str | None = None,
          category_names: dict[str, tuple[str, str]] | None = None,
          styles: dict[str, Callable[[Any], str]] | None = None) -> Any:
    """A rich Table of the rows; stored text is made terminal-safe and never read as markup."""
    from rich.cells import cell_len
    from rich.padding import Padding
    from rich.table import Table

    # The cells carry their own one-space padding (see _cell_type), so the table adds none.
    cell = _cell_type()
    body = []
    for row in rows:
        cells = []
        for field in fields:
            value = row.get(field)
            style = styles[field](value) if styles and field in styles else ""
            cells.append(cell(terminal_safe(display_value(field, value, lang, category_names)), style))
        body.append(cells)
    grid = Table(title=title, show_lines=False, header_style="bold", padding=0)
    for index, field in enumerate(fields):
        heading = label(field, lang)
        no_wrap = field in NO_WRAP_FIELDS
        # A column that never folds is as wide as its widest cell, which rich would otherwise
        # measure cell by cell, and again when the table is too wide for the terminal. (Text
        # with zero-width characters is left to rich, which crops it its own way.)
        width = None
        if no_wrap and all(cells[index].cells >= len(cells[index].text) for cells in body):
            width = max([cell_len(heading), *(cells[index].most for cells in body)]) + 2
        grid.add_column(Padding(heading, (0, 1)), overflow="fold", no_wrap=no_wrap, width=width)
    for cells in body:
        grid.add_row(*cells)
    return grid


TIMELINE_FIELDS = ("at", "actor", "action", "change", "note")
_SNAPSHOT_ACTIONS = {"created": "timeline.filed", "imported": "timeline.imported"}


def _history_value(field: str, value: str | None, lang: str,
                   category_names: dict[str, tuple[str, str]] | None) -> str:
    if value is None or value == "":
        return "—"
    if field == "tags":
        return ", ".join(value.split(";"))
    if field in LABELLED or field == "category":
        return display_value(field, value, lang, category_names)
    return value_label(field, value, lang)


def timeline_rows(events: Iterable[dict[str, Any]], lang: str,
                  category_names: dict[str, tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """An issue's events as people read them: one `change` line per event instead of raw old/new.

    A created or imported event stores a JSON snapshot of the new issue; the timeline names
    only its title (the JSON formats keep the snapshot).
    """
    rows = []
    for event in events:
        action, field = event.get("action"), event.get("field")
        change = ""
        if action in _SNAPSHOT_ACTIONS:
            try:
                title = json.loads(event.get("new") or "{}").get("title") or ""
            except (ValueError, AttributeError):
                title = ""
            change = translate(_SNAPSHOT_ACTIONS[action], lang, title=title)
        elif field:
            old = _history_value(field, event.get("old"), lang, category_names)
            new = _history_value(field, event.get("new"), lang, category_names)
            change = f"{label(field, lang)}: {old} → {new}"
        rows.append({"at": event.get("at"), "actor": event.get("actor"), "action": action,
                     "change": change, "note": event.get("note")})
    return rows


def record(row: dict[str, Any], fields: Sequence[str], *, lang: str,
           category_names: dict[str, tuple[str, str]] | None = None) -> Any:
    """One record as a two-column label/value grid."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for field in fields:
        grid.add_row(label(field, lang), Text(terminal_safe(display_value(field, row.get(field), lang, category_names))))
    return grid


def write_rows(rows: Iterable[dict[str, Any]], fields: Sequence[str], fmt: str, out: TextIO, *,
               lang: str, excel: bool = False,
               category_names: dict[str, tuple[str, str]] | None = None) -> int:
    """Write rows in a machine format or markdown; returns how many were written."""
    if fmt == "csv":
        return write_delimited(rows, fields, out, excel=excel)
    if fmt == "tsv":
        return write_delimited(rows, fields, out, delimiter="\t", excel=excel)
    if fmt == "json":
        return write_json(rows, fields, out)
    if fmt == "ndjson":
        return write_ndjson(rows, fields, out)
    if fmt == "markdown":
        return write_markdown(rows, fields, out, lang=lang, category_names=category_names)
    raise ValueError(f"not a text format: {fmt}")
