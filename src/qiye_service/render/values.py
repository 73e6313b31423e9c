"""Values as each format shows them: ISO dates, codes and their labels, stored text made safe
for a terminal, rates as percentages. Shared by every writer of the output layer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from qiye_service.i18n import CATALOGUE, label, translate, value_label

# Fields whose values are codes with a catalogue label.
LABELLED = {"status": "status", "kind": "kind", "priority": "priority", "source": "source", "action": "action",
            "callback_result": "callback_result", "role": "role", "state": "user_state",
            "visit_kind": "visit_kind"}

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


def with_labels(rows: Iterable[Sequence[Any]], fields: Sequence[str], lang: str,
                category_names: dict[str, tuple[str, str]]) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """The fields and rows with a `<field>_label` column after each coded field (--labels)."""
    labelled = labelled_fields(fields, category_names)
    plan: list[tuple[int, str | None]] = []
    for index, name in enumerate(fields):
        plan.append((index, None))
        if name in LABELLED:
            plan.append((index, LABELLED[name]))
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



# Report figures: rates shown as percentages, day counts with one decimal.
RATE_FIELDS = ("resolution_rate", "resolution_rate_to_date", "response_rate", "callback_rate", "satisfaction_rate",
               "coverage_rate",
               # the scorecard's (issue 20)
               "return_rate", "extension_rate", "on_time_rate", "redo_rate", "solved_rate")
# Figures shown with one decimal: days, and the scorecard's composite score (0-100).
DAY_FIGURES = ("avg_days_to_resolve", "median_days_to_resolve", "score")
PER_FIGURES = ("visits_per_enterprise", "problems_per_visit")  # means to two places (report visits, issue 22)
# The escalation levels' colours, once for every table (issue list, reports): colour only, never
# bold, so NO_COLOR leaves plain words; the words carry the meaning. Workbooks fill cells in the
# same hues (LEVEL_FILLS).
LEVEL_STYLES = {"red": "red", "overdue": "yellow", "due-soon": "blue"}
LEVEL_FILLS = {"red": "FFC7CE", "overdue": "FFEB9C", "due-soon": "BDD7EE"}


def level_style(name: str, value: Any) -> str:
    """The terminal style of a cell: a level's colour in the `level` column, else none."""
    return LEVEL_STYLES.get(value or "", "") if name == "level" else ""


def header(name: str, lang: str) -> str:
    """The column header of a report field: the report's own label, else the issue field's."""
    key = f"report.field.{name}"
    return translate(key, lang) if key in CATALOGUE else label(name, lang)


def shown(name: str, value: Any, lang: str, category_names: dict[str, tuple[str, str]]) -> str:
    """A value as people read it: rates as 74.7%, labels for codes, ISO dates."""
    if value is None:
        if name == "last_visited_on":  # an enterprise never visited (report visits): say so
            return translate("visit.never", lang)
        return "—" if name in RATE_FIELDS or name in DAY_FIGURES or name in PER_FIGURES else ""
    if name in RATE_FIELDS:
        return f"{value * 100:.1f}%"
    if name in PER_FIGURES:
        return f"{value:.2f}"
    if name in DAY_FIGURES:
        return f"{value:.1f}"
    if name in ("status", "level"):
        return value_label(name, value, lang)
    if name == "category" and value in category_names:
        names = category_names[value]
        return names[0] if lang == "zh" else names[1]
    return terminal_safe(str(iso(value)))
