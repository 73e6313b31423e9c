"""Terminal output: tables fitted to the terminal, records, timelines and report documents,
drawn with rich (imported on first use, so `qiye --help` never loads it for a table)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from qiye_service.i18n import CATALOGUE, label, translate, value_label
from qiye_service.linebreak import HAS_WIDE, units
from qiye_service.render.document import Document, Section, headers, numeric, seal_line, table_fields
from qiye_service.render.values import LABELLED, display_value, level_style, shown, terminal_safe

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
            "resolution_rate": 78, "resolution_rate_to_date": 78, "days_overdue": 78, "enterprise": 81,
            "resolved_on": 72, "overdue": 72, "pending": 70, "phone": 68, "open_issues": 66, "issues": 65,
            "name_zh": 64, "name_en": 63, "contact": 60, "category": 58, "owner": 55, "liaison": 50,
            "note": 50, "actor": 50, "priority": 45, "zone": 45, "reported_on": 42, "department": 40,
            "industry": 40}
DEFAULT_PRIORITY = 60
KEY_PRIORITY = 100  # a column that names the row in a table where it is the key (issue show's departments)
# How narrow a text column may get before a less important column is left out instead
# (a text column narrower than this reads as a few characters a line).
COMFORT = {"title": 20, "description": 20, "change": 20, "name": 10, "label": 10, "enterprise": 8, "message": 20}
DEFAULT_COMFORT = 6
# Columns of names (an enterprise, a department, a person, a zone, a report's group): a name of up
# to NAME_WIDTH cells is one word, kept whole while a less important column can be left out
# instead; a longer one still folds.
NAME_FIELDS = frozenset({"name", "label", "enterprise", "department", "owner", "liaison", "zone", "industry",
                         "category"})
NAME_WIDTH = 24


@cache
def _cell_type() -> type:
    """The class of a table cell, built on first use so rich is imported only for tables."""
    from rich.cells import cell_len, chop_cells, set_cell_size
    from rich.control import strip_control_codes
    from rich.measure import Measurement
    from rich.padding import Padding
    from rich.segment import Segment
    from rich.text import Text

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
            elif printable and " " not in text and not HAS_WIDE.search(text):
                self.least = self.most  # one word
            elif not HAS_WIDE.search(text):
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
                 comfort: Sequence[int], whole: Sequence[int] | None = None, title: str | None = None,
                 **options: Any) -> None:
        self.headers = headers
        self.body = body
        self.priorities = priorities
        self.comfort = comfort
        self.whole = whole or [0] * len(headers)
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

        wanted = [max(min(most[i], max(least[i], self.comfort[i] + 2, self.whole[i] + 2)),
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
                 title: str | None = None, right: Sequence[str] = (), key: Sequence[str] = (),
                 **options: Any) -> FittedTable:
    """A terminal table of display texts: each row a (text, style) per field. Text columns
    (TEXT_FIELDS) wrap at legal breaks; the others keep every token whole; `right` columns
    are right-aligned; `key` columns name the row, and are the last a narrow terminal leaves
    out. Stored text is made terminal-safe and never read as markup."""
    cell = _cell_type()
    kinds = [(field in TEXT_FIELDS, "right" if field in right else "left") for field in fields]
    rows = [[cell(terminal_safe(text), style, wrap=wrap, justify=justify)
             for (text, style), (wrap, justify) in zip(row, kinds, strict=True)] for row in body]
    return FittedTable([terminal_safe(h) for h in headers], rows, title=title,
                       priorities=[KEY_PRIORITY if field in key else PRIORITY.get(field, DEFAULT_PRIORITY)
                                   for field in fields],
                       comfort=[COMFORT.get(field, DEFAULT_COMFORT) if field in TEXT_FIELDS else 0 for field in fields],
                       whole=[_longest_name(rows, index) if field in NAME_FIELDS else 0
                              for index, field in enumerate(fields)], **options)


def _longest_name(rows: list[list[Any]], index: int) -> int:
    """The width of the column's longest name without a space, if no wider than NAME_WIDTH (a
    longer one, or text with spaces, may fold)."""
    widths = [cell.cells for row in rows if " " not in (cell := row[index]).text and "\n" not in cell.text]
    longest = max(widths, default=0)
    return longest if longest <= NAME_WIDTH else 0


def table(rows: Iterable[dict[str, Any]], fields: Sequence[str], *, lang: str, title: str | None = None,
          category_names: dict[str, tuple[str, str]] | None = None,
          styles: dict[str, Callable[[Any], str]] | None = None, key: Sequence[str] = ()) -> FittedTable:
    """A terminal table of the rows, fitted to the terminal (see FittedTable); `key` as fitted_table's.
    Columns of numbers (ids, counts) are right-aligned, as in the reports' tables."""
    rows = list(rows)
    body = ([(display_value(field, row.get(field), lang, category_names),
              styles[field](row.get(field)) if styles and field in styles else "") for field in fields]
            for row in rows)
    return fitted_table([label(field, lang) for field in fields], body, fields, title=title, key=key,
                        right=[field for field in fields if _numbers(rows, field)])


def _numbers(rows: list[dict[str, Any]], field: str) -> bool:
    """Whether the column holds numbers: in its first rows, a number and nothing but numbers or blanks."""
    values = [row.get(field) for row in rows[:20] if row.get(field) not in (None, "")]
    return bool(values) and all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in values)


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
    if field.endswith("_at"):  # a stored UTC timestamp (dispatched_at, acknowledged_at): the park's time
        try:
            return display_value(field, datetime.fromisoformat(value.removesuffix("Z")), lang)
        except ValueError:
            return value
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
        elif action == "attached":  # evidence (issue 23): the file's name, size and digest, not its JSON
            change = _attached_change(event.get("new"), lang)
        elif field:
            old = _history_value(field, event.get("old"), lang, category_names)
            new = _history_value(field, event.get("new"), lang, category_names)
            change = f"{label(field, lang)}: {old} → {new}"
        elif event.get("new"):  # a step that names who took it (签收, 审定 by a department)
            change = str(event.get("new"))
        note = event.get("note")
        if action == "returned" and note:
            note = _return_note(note, lang)
        rows.append({"at": event.get("at"), "actor": event.get("actor"), "action": action,
                     "change": change, "note": note})
    return rows


_RETURN_NOTE = re.compile(r"(?P<department>.*) · (?P<code>[a-z_]+): (?P<remark>.*)", re.S)


def _return_note(note: str, lang: str) -> str:
    """A return's note (`规划建设局 · not_responsible: 不属本局`, as services.cycle records it)
    with the reason's code said in words (非本单位职责)."""
    found = _RETURN_NOTE.fullmatch(note)
    key = f"return_reason.{found['code']}" if found else ""
    if found is None or key not in CATALOGUE:
        return note
    return f"{found['department']} · {translate(key, lang)}: {found['remark']}"


def _attached_change(text: str | None, lang: str) -> str:
    from qiye_service.services.attachments import shown_size

    try:
        facts = json.loads(text or "")
        return translate("timeline.attached", lang, id=facts["attachment"], name=facts["name"],
                         size=shown_size(int(facts["size"])), sha256=str(facts["sha256"])[:12])
    except (ValueError, KeyError, TypeError):
        return str(text or "")


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



def print_document(doc: Document, lang: str, console: Any, *, only: Section | None = None,
                   trend: bool = False) -> None:
    """A report on a terminal (or the rich console given): title, scope, figures in a grid, a
    fitted table per section (the trend with bars), the seal in the footer."""
    from rich.table import Table
    from rich.text import Text

    console.print(Text(doc.title, style="bold"))
    console.print(Text(doc.subtitle))
    if trend:
        console.print(Text(translate("report.trend.legend", lang)))
    if only is None and doc.figures:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(justify="right", no_wrap=True)
        for name, label, value in doc.figures:
            grid.add_row(label, shown(name, value, lang, {}))
        console.print(grid)
    for section in [only] if only is not None else doc.shown_sections:
        if not section.rows:
            console.print(Text(f"{section.title}: {translate('report.empty', lang)}"))
            continue
        console.print(trend_table(section, lang, console) if trend else section_table(section, doc, lang))
        # A terminal table holds its rows in memory; a longer list is for --limit or a file format.
        total = section.count if section.count is not None else sum(1 for _ in section.rows)
        more = total - len(section.rows.head(TABLE_ROWS))
        if more:
            console.print(Text(translate("report.more_rows", lang, count=more)))
        elif section.total is not None and section.total > total:  # --limit cut the list
            console.print(Text(translate("msg.rows_of", lang, count=total, total=section.total)))
    footer = seal_line(doc, lang)
    if footer is not None:
        console.print(Text(footer))


def section_table(section: Section, doc: Document, lang: str) -> Any:
    """A section as a terminal table fitted to the terminal (render.fitted_table): numbers
    right-aligned, names wrapping between words, no number, date or id ever broken."""
    from rich import box

    fields = table_fields(section)
    body = ([(shown(name, row.get(name), lang, doc.category_names), level_style(name, row.get(name)))
             for name in fields] for row in section.rows.head(TABLE_ROWS))
    return fitted_table(headers(section, lang), body, fields, title=section.title,
                        right=[name for name in fields if numeric(section, name)],
                        title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)


BAR_WIDTH = 40
TABLE_ROWS = 200


def trend_table(section: Section, lang: str, console: Any = None) -> Any:
    """Filed and resolved per period, with a bar of each: █ filed, ▒ resolved (distinct without colour).

    The bars take the room the numbers leave in the console (at most BAR_WIDTH cells), so the
    period and the counts are never cut."""
    from rich import box
    from rich.measure import Measurement
    from rich.table import Table
    from rich.text import Text

    rows = section.rows.head(TABLE_ROWS)
    peak = max([max(row["filed"], row["resolved"]) for row in rows] + [1])
    heads = dict(zip(table_fields(section), headers(section, lang), strict=True))

    def grid_of(bar_width: int | None) -> Any:
        grid = Table(title=section.title, title_justify="left", header_style="bold", box=box.SIMPLE_HEAD,
                     pad_edge=False)
        grid.add_column(heads["period"], no_wrap=True)
        grid.add_column(heads["filed"], justify="right", no_wrap=True)
        grid.add_column(heads["resolved"], justify="right", no_wrap=True)
        if bar_width is not None:
            grid.add_column("", no_wrap=True)
        for row in rows:
            cells = [row["period"], str(row["filed"]), str(row["resolved"])]
            if bar_width is not None:
                bars = Text()
                bars.append(_bar(row["filed"], peak, "█", bar_width), style="cyan")
                bars.append("\n")
                bars.append(_bar(row["resolved"], peak, "▒", bar_width), style="green")
                cells.append(bars)
            grid.add_row(*cells)
        return grid

    bar_width = BAR_WIDTH
    if console is not None:
        numbers = Measurement.get(console, console.options, grid_of(None)).maximum
        bar_width = max(1, min(BAR_WIDTH, console.width - numbers - 3))  # a column rule and padding
    return grid_of(bar_width)


def _bar(count: int, peak: int, glyph: str, width: int = BAR_WIDTH) -> str:
    if count <= 0:
        return ""
    return glyph * max(1, round(count * width / peak))

