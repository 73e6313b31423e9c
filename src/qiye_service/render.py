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
            "callback_result": "callback_result", "role": "role", "state": "user_state"}

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


# Columns of free text, which wrap between words (and between CJK characters); every other
# column holds tokens (ids, dates, numbers, codes, phones, labels) that are never broken.
TEXT_FIELDS = frozenset({"title", "description", "enterprise", "project", "category", "department", "owner",
                         "resolution", "tags", "name", "name_zh", "name_en", "label", "zone", "industry",
                         "liaison", "contact", "change", "note", "message", "actor", "created_by",
                         "sealed_by", "callback_note"})
# How much a column matters when the terminal is too narrow for all of them: the lowest goes
# first (the rightmost of equals). A field not named here has DEFAULT_PRIORITY.
PRIORITY = {"id": 100, "seal": 100, "code": 100, "period": 100, "label": 99, "name": 99, "check": 98,
            "title": 95, "at": 95, "change": 92, "action": 90, "message": 90,
            "status": 85, "level": 84, "due_on": 80, "total": 80, "filed": 80, "resolved": 79,
            "resolution_rate": 78, "resolution_rate_to_date": 78, "days_overdue": 78, "enterprise": 75,
            "resolved_on": 72, "overdue": 72, "pending": 70, "phone": 68, "open_issues": 66, "issues": 65,
            "name_zh": 64, "name_en": 63, "contact": 60, "category": 58, "owner": 55, "liaison": 50,
            "note": 50, "actor": 50, "priority": 45, "zone": 45, "reported_on": 42, "department": 40,
            "industry": 40}
DEFAULT_PRIORITY = 60
# How narrow a text column may get before a less important column is left out instead
# (a text column narrower than this reads as a few characters a line).
COMFORT = {"title": 20, "description": 20, "change": 20, "name": 10, "label": 10, "enterprise": 8, "message": 20}
DEFAULT_COMFORT = 6

# A run of characters that has no line-break opportunity inside: a word, number, date or id
# (anything up to a space that is not CJK), or one CJK character; with the punctuation that may
# not begin a line after it and any opening bracket before it. Chinese breaks between
# characters; English between words.
_WIDE = "\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3" \
        "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd"
_NO_LINE_START = "、。，．：；！？）］｝〕〉》」』】〙〗〟｠％»’”%‰,.:;!?)\\]}"
_NO_LINE_END = "（［｛〔〈《「『【〘〖〝｟“‘"
_UNIT = re.compile(f"[{_NO_LINE_END}]*(?:[^\\s{_WIDE}]+|[{_WIDE}])[{_NO_LINE_START}]*|\\S")
_HAS_WIDE = re.compile(f"[{_WIDE}]")


@cache
def _cell_type() -> type:
    """The class of a table cell, built on first use so rich is imported only for tables."""
    from rich.cells import cell_len, chop_cells, set_cell_size
    from rich.control import strip_control_codes
    from rich.measure import Measurement
    from rich.padding import Padding
    from rich.segment import Segment
    from rich.text import Text

    def units(line: str) -> list[tuple[str, str]]:
        """The line as (space before, unbreakable run) pairs."""
        pairs, end = [], 0
        for match in _UNIT.finditer(line):
            pairs.append((line[end:match.start()], match.group()))
            end = match.end()
        return pairs

    class Cell:
        """A table cell with one space of padding either side that never breaks a token.

        A text cell (wrap) folds only where a line may break: at a space, or between CJK
        characters; its narrowest width is its widest unbreakable run. A token cell keeps
        each line whole: its narrowest width is its widest line, and a column that must
        still be narrower shortens it with an ellipsis. Lines are drawn straight as
        segments (rich's generic Padding/Text path spends most of a table's time per cell);
        a cell with a tab, or with joiners whose width rich would correct, goes through
        Padding and Text.
        """

        __slots__ = ("text", "style", "wrap", "justify", "cells", "joined", "least", "most")

        def __init__(self, text: str, style: str = "", *, wrap: bool = True, justify: str = "left") -> None:
            printable = text.isprintable()  # then it holds no control code either
            if not printable:
                text = strip_control_codes(text)  # as Text() does
            self.text = text
            self.style = style
            self.wrap = wrap
            self.justify = justify
            self.cells = cell_len(text)
            self.joined = "\u200d" in text or "\ufe0f" in text
            lines = text.splitlines() if not printable else [text]
            self.most = max(map(cell_len, lines)) if lines else 0
            if not wrap:
                self.least = self.most
            elif printable and " " not in text and not _HAS_WIDE.search(text):
                self.least = self.most  # one word
            elif not _HAS_WIDE.search(text):
                self.least = max((cell_len(word) for word in text.split()), default=self.most)
            else:
                self.least = max((cell_len(unit) for line in lines for _, unit in units(line)), default=self.most)

        def __rich_measure__(self, console: Any, options: Any) -> Any:
            max_width = options.max_width
            if max_width < 3:
                return Measurement(max_width, max_width)
            return Measurement(min(self.least + 2, max_width), min(self.most + 2, max_width))

        def lines(self, width: int) -> list[str]:
            """The cell's lines in `width` cells, unpadded."""
            result: list[str] = []
            for line in self.text.splitlines() or [""]:
                if cell_len(line) <= width:
                    result.append(line)
                elif not self.wrap:
                    result.append(set_cell_size(line, width - 1) + "…" if width > 1 else set_cell_size(line, width))
                else:
                    current, used = "", 0
                    for space, unit in units(line):
                        size = cell_len(unit)
                        if current and used + cell_len(space) + size <= width:
                            current += space + unit
                            used += cell_len(space) + size
                            continue
                        if current:
                            result.append(current)
                        if size > width:  # only when the column cannot get its narrowest width
                            *full, current = chop_cells(unit, width)
                            result.extend(full)
                        else:
                            current = unit
                        used = cell_len(current)
                    result.append(current)
            return result

        def __rich_console__(self, console: Any, options: Any) -> list[Any]:
            width = options.max_width - 2
            text = self.text
            if width < 1 or "\t" in text:
                return [Padding(Text(text, style=self.style, justify=self.justify), (0, 1))]
            lines = []
            for line in self.lines(width):
                gap = width - cell_len(line)
                if self.justify == "right":
                    line = " " * gap + line
                elif self.justify == "center":
                    line = " " * (gap // 2) + line + " " * (gap - gap // 2)
                else:
                    line = line + " " * gap
                lines.append(line)
            if not self.style and not self.joined:
                return [Segment(" " + " \n ".join(lines) + " ")]
            if self.joined and any(cell_len(line) != width for line in lines):
                return [Padding(Text(text, style=self.style, justify=self.justify), (0, 1))]
            style = console.get_style(self.style) if self.style else None
            segments = []
            for line in lines:
                segments += (Segment(" "), Segment(line, style), Segment(" \n"))
            return segments

    return Cell


def _allot(least: list[int], most: list[int], room: int) -> list[int]:
    """Column widths within `room`: each column as wide as its widest cell, then the widest of
    those that can still give narrowed a cell at a time, never below its narrowest."""
    widths = list(most)
    excess = sum(widths) - room
    while excess > 0:
        shrinkable = [index for index, width in enumerate(widths) if width > least[index]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda index: widths[index])
        widths[widest] -= 1
        excess -= 1
    return widths


class FittedTable:
    """A table that fits the width it is drawn in: while the columns' narrowest widths (each
    cell measured as rich measures it) add up to more than that width, the least important
    column is left out; the rest share the width, text columns wrapping between words."""

    def __init__(self, headers: Sequence[str], body: list[list[Any]], *, priorities: Sequence[int],
                 comfort: Sequence[int], title: str | None = None, **options: Any) -> None:
        self.headers = headers
        self.body = body
        self.priorities = priorities
        self.comfort = comfort
        self.title = title
        self.options = options

    def _grid(self, widths: dict[int, int] | None, kept: Sequence[int]) -> Any:
        from rich.table import Table

        cell = _cell_type()
        grid = Table(title=self.title, header_style="bold", padding=0, **self.options)
        for index in kept:
            justify = self.body[0][index].justify if self.body else "left"
            grid.add_column(cell(self.headers[index], justify=justify),
                            width=None if widths is None else widths[index])
        return grid

    def fit(self, console: Any, width: int) -> Any:
        from rich.measure import Measurement

        options = console.options.update_width(max(width, 1))
        cell = _cell_type()
        columns = range(len(self.headers))
        least, most = [], []
        for index in columns:
            sizes = [Measurement.get(console, options, cell(self.headers[index]))]
            sizes += [Measurement.get(console, options, row[index]) for row in self.body]
            least.append(max(size.minimum for size in sizes))
            most.append(max(size.maximum for size in sizes))

        def borders(kept: Sequence[int]) -> int:
            # rich's measure of a table whose columns are 1 cell wide, less those cells.
            return Measurement.get(console, options, self._grid({i: 1 for i in kept}, kept)).minimum - len(kept)

        # A text column counts as at least its comfortable width (or all of its text, if less).
        # and a heading's words (a Chinese heading is one) as wholes.
        from rich.cells import cell_len

        wanted = [max(min(most[i], max(least[i], self.comfort[i] + 2)),
                      max(map(cell_len, self.headers[i].split()), default=0) + 2) for i in columns]
        kept = list(columns)
        while len(kept) > 1 and sum(wanted[i] for i in kept) + borders(kept) > width:
            lowest = min(self.priorities[i] for i in kept)
            kept.remove(max(i for i in kept if self.priorities[i] == lowest))
        room = width - borders(kept)
        widths = _allot([wanted[i] for i in kept], [most[i] for i in kept], room)
        widths = _allot([least[i] for i in kept], widths, room)
        grid = self._grid(dict(zip(kept, widths, strict=True)), kept)
        for row in self.body:
            grid.add_row(*(row[i] for i in kept))
        return grid

    def __rich_console__(self, console: Any, options: Any) -> Any:
        yield self.fit(console, options.max_width)


def fitted_table(headers: Sequence[str], body: Iterable[Sequence[tuple[str, str]]], fields: Sequence[str], *,
                 title: str | None = None, right: Sequence[str] = (), **options: Any) -> FittedTable:
    """A terminal table of display texts: each row a (text, style) per field. Text columns
    (TEXT_FIELDS) wrap at legal breaks; the others keep every token whole; `right` columns
    are right-aligned. Stored text is made terminal-safe and never read as markup."""
    cell = _cell_type()
    kinds = [(field in TEXT_FIELDS, "right" if field in right else "left") for field in fields]
    rows = [[cell(terminal_safe(text), style, wrap=wrap, justify=justify)
             for (text, style), (wrap, justify) in zip(row, kinds, strict=True)] for row in body]
    return FittedTable([terminal_safe(h) for h in headers], rows, title=title,
                       priorities=[PRIORITY.get(field, DEFAULT_PRIORITY) for field in fields],
                       comfort=[COMFORT.get(field, DEFAULT_COMFORT) if field in TEXT_FIELDS else 0 for field in fields],
                       **options)


def table(rows: Iterable[dict[str, Any]], fields: Sequence[str], *, lang: str, title: str | None = None,
          category_names: dict[str, tuple[str, str]] | None = None,
          styles: dict[str, Callable[[Any], str]] | None = None) -> FittedTable:
    """A terminal table of the rows, fitted to the terminal (see FittedTable)."""
    body = ([(display_value(field, row.get(field), lang, category_names),
              styles[field](row.get(field)) if styles and field in styles else "") for field in fields]
            for row in rows)
    return fitted_table([label(field, lang) for field in fields], body, fields, title=title)


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
        elif event.get("new"):  # a step that names who took it (签收, 审定 by a department)
            change = str(event.get("new"))
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
