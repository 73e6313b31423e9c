"""`qiye report …`: summary, weekly, overdue and trend (DESIGN §4, §8) in every output format.

The queries live in qiye_service.reports; here a report becomes a document (figures and
sections) shown as a table, markdown or a workbook, or its rows in a machine format.
"""

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, BinaryIO, TextIO

import typer

from qiye_service.cli.context import AppContext, echo, get_app
from qiye_service.cli.options import (
    ForceOption,
    ReportFormat,
    output_target,
    parse_date_option,
    supervision_thresholds,
    with_filters,
)

app = typer.Typer(help="Reports for the weekly close-out meeting (周调度) and for scripts.", no_args_is_help=True)


class SummaryBy(str, Enum):
    category = "category"
    kind = "kind"
    department = "department"
    zone = "zone"
    industry = "industry"
    enterprise = "enterprise"
    owner = "owner"
    source = "source"
    month = "month"


class OverdueBy(str, Enum):
    level = "level"
    department = "department"
    owner = "owner"


class TrendBy(str, Enum):
    month = "month"
    week = "week"


YearOption = Annotated[int | None, typer.Option("--year", help="Issues reported in this year.", show_default=False,
                                                rich_help_panel="Scope")]
WeekOption = Annotated[str | None, typer.Option("--week", help="An ISO week, e.g. 2023-W50; or this, last, 本周, 上周.", show_default=False,
                                                rich_help_panel="Scope")]
DateOption = Annotated[str | None, typer.Option("--date", help="The week containing this date.", show_default=False,
                                                rich_help_panel="Scope")]
ReportFormatOption = Annotated[ReportFormat, typer.Option(
    "--format", "-f", help="table, csv, tsv, json, ndjson, markdown or xlsx (xlsx needs --out).")]
PackFormatOption = Annotated[ReportFormat, typer.Option(
    "--format", "-f", help="table, csv, tsv, json, ndjson, markdown, xlsx, or the printable meeting pack: html or pdf "
    "(xlsx and pdf need --out).")]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.",
                                                show_default=False, dir_okay=False)]
def section_option(parts: str) -> Any:
    return typer.Option("--section", help=f"Print only this part of the report: {parts}.", show_default=False)


LimitOption = Annotated[int | None, typer.Option("--limit", "-n", help="At most this many issues per list.",
                                                 show_default=False)]

# The part csv, tsv and ndjson print when --section is not given.
DEFAULT_SECTION = {"summary": "groups", "weekly": "categories", "overdue": "issues", "trend": "periods"}
RATE_FIELDS = ("resolution_rate", "resolution_rate_to_date", "response_rate", "callback_rate", "satisfaction_rate")
DAY_FIGURES = ("avg_days_to_resolve", "median_days_to_resolve")
# The columns people see in tables and markdown; machine formats and workbooks get every field.
SUMMARY_SHOWN = ("label", "total", "resolved", "pending", "overdue", "resolution_rate", "response_rate",
                 "callback_rate", "satisfaction_rate")
WEEKLY_SHOWN = ("label", "filed", "resolved", "total_to_date", "resolved_to_date", "resolution_rate_to_date",
                "overdue", "due_next_7_days")
CLOSED_SHOWN = ("id", "title", "enterprise", "department", "owner", "resolved_on", "days_to_resolve")
LADDER_SHOWN = ("id", "title", "enterprise", "department", "owner", "due_on", "days_overdue", "level")
# Headers of a dimension's name column.
DIMENSION_LABELS = {"month": "report.field.month", "week": "report.field.week", "level": "field.level"}


# --- documents --------------------------------------------------------------------------------


class Rows:
    """A section's rows, read once: a list, or a stream of which the first few are kept to peek at
    (for column widths and alignment) before the whole is written out."""

    def __init__(self, source: Iterable[dict[str, Any]]) -> None:
        self._rest = iter(source)
        self._head: list[dict[str, Any]] = []

    def head(self, count: int) -> list[dict[str, Any]]:
        while len(self._head) < count:
            try:
                self._head.append(next(self._rest))
            except StopIteration:
                break
        return self._head[:count]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        yield from self._head
        yield from self._rest

    def __bool__(self) -> bool:
        return bool(self.head(1))


@dataclass
class Section:
    """One table of a report: its machine name, its title, its columns and rows."""

    name: str
    title: str
    fields: tuple[str, ...]
    rows: Iterable[dict[str, Any]]
    headers: dict[str, str] = field(default_factory=dict)  # field -> header, where not the usual one
    shown_fields: tuple[str, ...] | None = None  # the columns people see (table, markdown); default all
    hidden: bool = False  # only for --section (it repeats another section)
    # How many rows `rows` holds, when a figure of the report already says: a table then says how
    # many it leaves out without reading them all (a quarter of a million on a city ledger).
    count: int | None = None
    # How many rows the list had before --limit cut it (a figure of the report), for "5 of 58 rows".
    total: int | None = None

    def __post_init__(self) -> None:
        self.rows = self.rows if isinstance(self.rows, Rows) else Rows(self.rows)


@dataclass
class Document:
    """A report as people read it: a title, a line on the scope, figures and sections."""

    title: str
    subtitle: str
    figures: list[tuple[str, str, Any]]  # (field, header, value)
    sections: list[Section]
    category_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    # The ledger seal in the footer (weekly, issue 25): a services.seal.Seal, or when writers kept
    # it waiting, how many seconds it waited.
    seal: Any = None
    seal_waited: int | None = None

    @property
    def shown_sections(self) -> list[Section]:
        return [section for section in self.sections if not section.hidden]

    def section(self, name: str, lang: str) -> Section:
        if name == "figures":
            row = {name: value for name, _, value in self.figures}
            return Section("figures", self.title, tuple(row), [row])
        for section in self.sections:
            if section.name == name:
                return section
        from qiye_service.errors import InvalidValue

        valid = ", ".join(["figures", *(s.name for s in self.sections)] if self.figures else [s.name for s in self.sections])
        raise InvalidValue("error.bad_choice", field="--section", value=name, valid=valid)


def header(name: str, lang: str) -> str:
    """The column header of a report field: the report's own label, else the issue field's."""
    from qiye_service.i18n import CATALOGUE, label, translate

    key = f"report.field.{name}"
    return translate(key, lang) if key in CATALOGUE else label(name, lang)


def shown(name: str, value: Any, lang: str, category_names: dict[str, tuple[str, str]]) -> str:
    """A value as people read it: rates as 74.7%, labels for codes, ISO dates."""
    from qiye_service.i18n import value_label
    from qiye_service.render import iso, terminal_safe

    if value is None:
        return "—" if name in RATE_FIELDS or name in DAY_FIGURES else ""
    if name in RATE_FIELDS:
        return f"{value * 100:.1f}%"
    if name in DAY_FIGURES:
        return f"{value:.1f}"
    if name in ("status", "level"):
        return value_label(name, value, lang)
    if name == "category" and value in category_names:
        names = category_names[value]
        return names[0] if lang == "zh" else names[1]
    return terminal_safe(str(iso(value)))


def _t(app_ctx: AppContext, key: str, **params: Any) -> str:
    return app_ctx.t(key, **params)


def scope_line(app_ctx: AppContext, scope: dict[str, Any]) -> str:
    if scope["kind"] in ("year", "week"):
        what = scope["name"]
    elif scope["kind"] == "range":
        what = _t(app_ctx, "report.scope.range", since=scope["since"] or "…", until=scope["until"] or "…")
    else:
        what = _t(app_ctx, "report.scope.all")
    return _t(app_ctx, "report.scope.line", scope=what, as_of=scope["as_of"])


def _figures(app_ctx: AppContext, data: dict[str, Any], names: tuple[str, ...],
             labels: dict[str, str] | None = None) -> list[tuple[str, str, Any]]:
    labels = labels or {}
    return [(name, app_ctx.t(labels[name]) if name in labels else header(name, app_ctx.lang), data[name])
            for name in names]


def summary_document(app_ctx: AppContext, data: dict[str, Any], names: dict[str, tuple[str, str]]) -> Document:
    from qiye_service import reports

    by_header = _dimension_header(app_ctx, data["by"])
    # By department, each department's returns (退单) and transfers away (转办), issue 20.
    cycle_fields = reports.CYCLE_GROUP_FIELDS if data["by"] == "department" else ()
    return Document(
        title=_t(app_ctx, "report.title.summary"),
        subtitle=scope_line(app_ctx, data["scope"]),
        figures=_figures(app_ctx, data, reports.SUMMARY_FIELDS),
        sections=[
            Section("by_kind", _t(app_ctx, "report.section.by", by=header("kind", app_ctx.lang)),
                    reports.GROUP_FIELDS + reports.SUPERVISION_FIELDS, data["by_kind"],
                    {"label": header("kind", app_ctx.lang)}, SUMMARY_SHOWN, hidden=data["by"] == "kind"),
            Section("groups", _t(app_ctx, "report.section.by", by=by_header),
                    reports.GROUP_FIELDS + reports.SUPERVISION_FIELDS + cycle_fields, data["groups"],
                    {"label": by_header}, SUMMARY_SHOWN + cycle_fields),
        ],
        category_names=names,
    )


def _listed(figure: int, limit: int | None) -> int:
    """How many rows a list holds whose length is a figure of the report, under --limit."""
    return figure if limit is None else min(figure, limit)


def weekly_document(app_ctx: AppContext, data: dict[str, Any], names: dict[str, tuple[str, str]],
                    limit: int | None = None, seal: Any = None, seal_waited: int | None = None) -> Document:
    from qiye_service import reports

    scope = data["scope"]
    week_labels = {"resolved": "report.field.resolved_this_week", "overdue": "report.field.overdue_at"}
    return Document(
        title=_t(app_ctx, "report.title.weekly", week=scope["name"], since=scope["since"], until=scope["until"]),
        subtitle=_t(app_ctx, "report.as_of", date=scope["as_of"]),
        figures=_figures(app_ctx, data, reports.WEEKLY_FIELDS, week_labels),
        sections=[
            Section("categories", _t(app_ctx, "report.section.categories"),
                    reports.WEEKLY_CATEGORY_FIELDS + reports.SUPERVISION_FIELDS, data["categories"],
                    {"label": header("category", app_ctx.lang), "resolved": _t(app_ctx, week_labels["resolved"]),
                     "overdue": _t(app_ctx, week_labels["overdue"])}, WEEKLY_SHOWN),
            Section("closed", _t(app_ctx, "report.section.closed"), reports.CLOSED_FIELDS, data["closed"],
                    shown_fields=CLOSED_SHOWN, count=_listed(data["resolved"], limit), total=data["resolved"]),
            Section("overdue_issues", _t(app_ctx, "report.section.overdue_issues"), reports.OVERDUE_ISSUE_FIELDS,
                    data["overdue_issues"], shown_fields=LADDER_SHOWN, count=_listed(data["overdue"], limit),
                    total=data["overdue"]),
        ],
        category_names=names,
        seal=seal,
        seal_waited=seal_waited,
    )


def seal_line(doc: Document, app_ctx: AppContext, *, markdown: bool = False) -> str | None:
    """The footer line of a sealed report: the seal and what it covers, or why there is none."""
    if doc.seal is not None:
        text = f"`{doc.seal.text}`" if markdown else doc.seal.text
        return app_ctx.t("report.seal", seal=text, events=doc.seal.events, event=doc.seal.event_id)
    if doc.seal_waited is not None:
        return app_ctx.t("report.seal_unavailable", seconds=doc.seal_waited)
    return None


def overdue_document(app_ctx: AppContext, data: dict[str, Any], names: dict[str, tuple[str, str]],
                     limit: int | None = None) -> Document:
    from qiye_service import reports

    by_header = _dimension_header(app_ctx, data["by"])
    return Document(
        title=_t(app_ctx, "report.title.overdue"),
        subtitle=scope_line(app_ctx, data["scope"]),
        figures=_figures(app_ctx, data, ("total", "overdue", "level_red", "level_overdue", "level_due_soon"),
                         {"total": "report.field.on_ladder"}),
        sections=[
            Section("groups", _t(app_ctx, "report.section.by", by=by_header), reports.OVERDUE_GROUP_FIELDS,
                    data["groups"], {"label": by_header, "total": _t(app_ctx, "report.field.on_ladder")},
                    ("label", "total", "max_days_overdue") if data["by"] == "level" else None),
            Section("issues", _t(app_ctx, "report.section.issues"), reports.OVERDUE_ISSUE_FIELDS, data["issues"],
                    shown_fields=LADDER_SHOWN, count=_listed(data["total"], limit), total=data["total"]),
        ],
        category_names=names,
    )


def trend_document(app_ctx: AppContext, data: dict[str, Any]) -> Document:
    from qiye_service import reports

    period = _dimension_header(app_ctx, data["by"])
    return Document(
        title=_t(app_ctx, "report.title.trend", period=period),
        subtitle=scope_line(app_ctx, data["scope"]),
        figures=_figures(app_ctx, data, ("filed", "resolved"), {"filed": "report.field.filed_total",
                                                                "resolved": "report.field.resolved_total"}),
        sections=[Section("periods", _t(app_ctx, "report.section.periods"), reports.TREND_FIELDS, data["periods"],
                          {"period": period, "filed": _t(app_ctx, "report.field.filed_total"),
                           "resolved": _t(app_ctx, "report.field.resolved_total")})],
    )


def _dimension_header(app_ctx: AppContext, by: str) -> str:
    return app_ctx.t(DIMENSION_LABELS[by]) if by in DIMENSION_LABELS else header(by, app_ctx.lang)


# --- writing ---------------------------------------------------------------------------------


def write_json(value: Any, out: TextIO, level: int = 0) -> None:
    """JSON laid out like json.dumps(indent=2), writing lists and streams item by item."""
    import json

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


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple, Rows, Iterator))


def _iso(value: Any) -> Any:
    from qiye_service.render import iso

    if isinstance(value, (date, datetime)):
        return iso(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _json_ready(value: Any) -> Any:
    from qiye_service.render import iso

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


def emit(app_ctx: AppContext, report: str, data: dict[str, Any], doc: Document, fmt: ReportFormat,
         out: Path | None, section: str | None, *, target: Path | None) -> None:
    """Write the report in the chosen format, the whole document or one section's rows, to stdout
    or to `target` (the checked file for --out `out`), which it replaces only when complete."""
    from qiye_service import outfiles, render

    chosen = doc.section(section, app_ctx.lang) if section else None
    ledger = app_ctx.location.path
    if fmt is ReportFormat.xlsx:
        assert target is not None
        with outfiles.written(target, ledger=ledger, binary=True) as book:
            write_workbook(doc, book, app_ctx.lang, only=chosen)
    elif fmt is ReportFormat.pdf:
        from qiye_service.render_html import write_pdf

        assert target is not None
        html = pack_html(doc, app_ctx)
        with outfiles.written(target, ledger=ledger, binary=True) as book:
            write_pdf(html, book)
    else:
        with (outfiles.standard_output() if target is None else outfiles.written(target, ledger=ledger)) as stream:
            handle: Any = ChunkedWriter(stream) if fmt is not ReportFormat.table else stream
            if fmt is ReportFormat.json:
                write_json(data if chosen is None else chosen.rows, handle)
                handle.write("\n")
            elif fmt.value in render.MACHINE_FORMATS:
                part = chosen or doc.section(DEFAULT_SECTION[report], app_ctx.lang)
                render.write_rows(part.rows, part.fields, fmt.value, handle, lang=app_ctx.lang)
            elif fmt is ReportFormat.markdown:
                write_markdown(doc, app_ctx, handle, only=chosen)
            elif fmt is ReportFormat.html:
                handle.write(pack_html(doc, app_ctx))
            else:
                print_document(doc, app_ctx, handle, only=chosen, trend=report == "trend")
            handle.flush()
    if out is not None:
        app_ctx.say("msg.report_written", err=True, path=str(out))


def pack_html(doc: Document, app_ctx: AppContext) -> str:
    """The meeting pack (DESIGN §15) of a document: render_html's template, cells as elsewhere."""
    from qiye_service.render_html import html_document

    lang = app_ctx.lang
    return html_document(doc, lang=lang, t=app_ctx.t, cell=lambda name, value: shown(name, value, lang,
                                                                                       doc.category_names),
                         fields_of=_table_fields, headers_of=lambda section: _headers(section, lang),
                         numeric=_numeric, park=app_ctx.config.get("park.name") or None,
                         seal=seal_line(doc, app_ctx))


def change_section(app_ctx: AppContext, data: dict[str, Any], labels: dict[str, str], *, hidden: bool) -> Section:
    """The week's figures beside the previous week's, and the change, as people read them."""
    from qiye_service import pack

    lang = app_ctx.lang
    rows = []
    for row in pack.change_rows(data, labels):
        name, delta = row["figure"], row["change"]
        if delta is None:
            text = "—"
        elif name in RATE_FIELDS:
            text = app_ctx.t("report.change.points", value=f"{delta * 100:+.1f}")
        else:
            text = f"{delta:+d}" if delta else "0"
        rows.append({"figure": name, "label": row["label"], "current": shown(name, row["current"], lang, {}),
                     "previous": shown(name, row["previous"], lang, {}), "change": text,
                     "direction": "" if not delta else ("up" if delta > 0 else "down")})
    week = data["previous"]["scope"]["name"]
    return Section("change", _t(app_ctx, "report.section.change"), ("label", "current", "previous", "change"), rows,
                   {"label": _t(app_ctx, "report.field.figure"), "current": _t(app_ctx, "report.field.current"),
                    "previous": _t(app_ctx, "report.field.previous_week", week=week),
                    "change": _t(app_ctx, "report.field.change")}, hidden=hidden)


def pack_sections(app_ctx: AppContext, session: Any, flt: Any, scope: Any) -> list[Section]:
    """What the printed weekly pack shows beside the weekly report: twelve weeks of filed vs
    resolved, the department ranking, the supervision levels."""
    from qiye_service import pack, reports

    query = {"lang": app_ctx.lang, **_supervision(app_ctx)}
    first, last = pack.twelve_weeks_name(scope)
    department = header("department", app_ctx.lang)
    return [
        Section("trend", _t(app_ctx, "report.section.trend12", first=first, last=last), reports.TREND_FIELDS,
                pack.twelve_weeks(session, flt, scope),
                {"period": _t(app_ctx, "report.field.week"), "filed": _t(app_ctx, "report.field.filed_total"),
                 "resolved": _t(app_ctx, "report.field.resolved_total")}),
        Section("departments", _t(app_ctx, "report.section.departments"), pack.RANKING_FIELDS,
                pack.department_ranking(session, flt, scope, **query), {"label": department},
                ("label", "total", "resolved", "pending", "overdue", "resolution_rate")),
        Section("levels", _t(app_ctx, "report.section.levels"), pack.LEVEL_FIELDS,
                pack.levels(session, flt, scope, **query),
                {"label": _t(app_ctx, "field.level"), "total": _t(app_ctx, "report.field.on_ladder")},
                ("label", "total", "max_days_overdue")),
    ]


def _table_fields(section: Section) -> tuple[str, ...]:
    # People read the name, not the code, of a group.
    return section.shown_fields or tuple(f for f in section.fields if f != "key")


def _headers(section: Section, lang: str) -> list[str]:
    return [section.headers.get(f) or header(f, lang) for f in _table_fields(section)]


def write_markdown(doc: Document, app_ctx: AppContext, out: TextIO, *, only: Section | None = None) -> None:
    """A document to paste into a message: a heading, the figures as a list, a table per section."""
    from qiye_service.render import markdown_cell

    lang = app_ctx.lang
    out.write(f"# {markdown_cell(doc.title)}\n\n{markdown_cell(doc.subtitle)}\n\n")
    if only is None and doc.figures:
        separator = "：" if lang == "zh" else ": "
        for name, label, value in doc.figures:
            out.write(f"- {markdown_cell(label)}{separator}{markdown_cell(shown(name, value, lang, {}))}\n")
        out.write("\n")
    for section in [only] if only is not None else doc.shown_sections:
        fields = _table_fields(section)
        out.write(f"## {markdown_cell(section.title)}\n\n")
        if not section.rows:
            out.write(app_ctx.t("report.empty") + "\n\n")
            continue
        out.write("| " + " | ".join(markdown_cell(h) for h in _headers(section, lang)) + " |\n")
        out.write("|" + "|".join(" ---: " if _numeric(section, f) else " --- " for f in fields) + "|\n")
        for row in section.rows:
            cells = [markdown_cell(shown(f, row.get(f), lang, doc.category_names)) for f in fields]
            out.write("| " + " | ".join(cells) + " |\n")
        out.write("\n")
    footer = seal_line(doc, app_ctx, markdown=True)
    if footer is not None:
        out.write(f"---\n\n{footer}\n")


def _numeric(section: Section, name: str) -> bool:
    if name in RATE_FIELDS:
        return True
    return any(isinstance(row.get(name), (int, float)) and not isinstance(row.get(name), bool)
               for row in section.rows.head(20))


def print_document(doc: Document, app_ctx: AppContext, handle: TextIO, *, only: Section | None = None,
                   trend: bool = False) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    lang = app_ctx.lang
    console = app_ctx.out if handle is sys.stdout else Console(file=handle, no_color=True, width=160,
                                                               highlight=False, soft_wrap=False)
    console.print(Text(doc.title, style="bold"))
    console.print(Text(doc.subtitle))
    if trend:
        console.print(Text(app_ctx.t("report.trend.legend")))
    if only is None and doc.figures:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(justify="right", no_wrap=True)
        for name, label, value in doc.figures:
            grid.add_row(label, shown(name, value, lang, {}))
        console.print(grid)
    for section in [only] if only is not None else doc.shown_sections:
        if not section.rows:
            console.print(Text(f"{section.title}: {app_ctx.t('report.empty')}"))
            continue
        console.print(trend_table(section, lang, console) if trend else section_table(section, doc, lang))
        # A terminal table holds its rows in memory; a longer list is for --limit or a file format.
        total = section.count if section.count is not None else sum(1 for _ in section.rows)
        more = total - len(section.rows.head(TABLE_ROWS))
        if more:
            console.print(Text(app_ctx.t("report.more_rows", count=more)))
        elif section.total is not None and section.total > total:  # --limit cut the list
            console.print(Text(app_ctx.t("msg.rows_of", count=total, total=section.total)))
    footer = seal_line(doc, app_ctx)
    if footer is not None:
        console.print(Text(footer))


def section_table(section: Section, doc: Document, lang: str) -> Any:
    """A section as a terminal table fitted to the terminal (render.fitted_table): numbers
    right-aligned, names wrapping between words, no number, date or id ever broken."""
    from rich import box

    from qiye_service.render import fitted_table

    fields = _table_fields(section)
    body = ([(shown(name, row.get(name), lang, doc.category_names), _level_style(name, row.get(name)))
             for name in fields] for row in section.rows.head(TABLE_ROWS))
    return fitted_table(_headers(section, lang), body, fields, title=section.title,
                        right=[name for name in fields if _numeric(section, name)],
                        title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)


def _level_style(name: str, value: Any) -> str:
    if name != "level":
        return ""
    return {"red": "bold red", "overdue": "yellow", "due-soon": "blue"}.get(value or "", "")


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
    headers = dict(zip(_table_fields(section), _headers(section, lang), strict=True))

    def grid_of(bar_width: int | None) -> Any:
        grid = Table(title=section.title, title_justify="left", header_style="bold", box=box.SIMPLE_HEAD,
                     pad_edge=False)
        grid.add_column(headers["period"], no_wrap=True)
        grid.add_column(headers["filed"], justify="right", no_wrap=True)
        grid.add_column(headers["resolved"], justify="right", no_wrap=True)
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


def write_workbook(doc: Document, path: str | BinaryIO, lang: str, *, only: Section | None = None) -> None:
    """An .xlsx with a sheet for the figures and one per section: headers per --lang, column
    widths set (from the first rows), dates as dates, rates as percentages, text cleaned and
    never a formula as the export writes it (exporters.xlsx_cell); rows are streamed."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    if only is None and doc.figures:
        rows = [{"figure": label, "value": value, "name": name} for name, label, value in doc.figures]
        if doc.seal is not None or doc.seal_waited is not None:
            # The seal closes the figures: a text cell, copied as it is into `db check --seal`.
            rows.append({"figure": translate_key(lang, "report.seal_label"), "name": "seal",
                         "value": doc.seal.text if doc.seal is not None else "—"})
        figures = Section("figures", translate_key(lang, "report.section.figures"), ("figure", "value"), rows)
        _write_sheet(workbook, used, figures, doc, lang, value_field=lambda row, f: row["name"] if f == "value" else f)
    for section in [only] if only is not None else doc.shown_sections:
        _write_sheet(workbook, used, section, doc, lang)
    workbook.save(path)


def _write_sheet(workbook: Any, used: set[str], section: Section, doc: Document, lang: str,
                 value_field: Any = None) -> None:
    from openpyxl.utils import get_column_letter

    from qiye_service.exporters import sheet_title, xlsx_cell

    sheet = workbook.create_sheet(sheet_title(section.title, used))
    headers = [section.headers.get(f) or header(f, lang) for f in section.fields]
    sample = section.rows.head(500)
    for index, (name, head) in enumerate(zip(section.fields, headers, strict=True), start=1):
        width = max([_text_width(head)] + [_text_width(_cell_text(_sheet_value(name, row.get(name), lang,
                                                                               doc.category_names)))
                                           for row in sample])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    sheet.append([xlsx_cell(sheet, head) for head in headers])
    for row in section.rows:
        cells = []
        for name in section.fields:
            value = _sheet_value(name, row.get(name), lang, doc.category_names)
            kind = value_field(row, name) if value_field else name
            rate = kind in RATE_FIELDS and isinstance(value, float)
            cells.append(xlsx_cell(sheet, value, number_format="0.0%" if rate else None))
        sheet.append(cells)


def translate_key(lang: str, key: str) -> str:
    from qiye_service.i18n import translate

    return translate(key, lang)


def _sheet_value(name: str, value: Any, lang: str, category_names: dict[str, tuple[str, str]]) -> Any:
    """Codes become labels; the rest as it is (xlsx_cell cleans text and keeps it from being a formula)."""
    if value is not None and name in ("status", "level", "category"):
        return shown(name, value, lang, category_names)
    return value


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return "2023-12-31"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _text_width(text: str) -> int:
    """How many terminal cells (about how many narrow spreadsheet characters) the text takes."""
    from rich.cells import cell_len

    return cell_len(text)


# --- commands ---------------------------------------------------------------------------------


def _scope(app_ctx: AppContext, filters: Any, *, year: int | None, week: str | None, day: str | None) -> Any:
    """The scope from --year, --week, --date or --since/--until; the filter keeps the rest."""
    from qiye_service import reports
    from qiye_service.dates import parse_iso_week, week_bounds
    from qiye_service.errors import InvalidValue

    if week is not None and day is not None:
        raise InvalidValue("error.report_scope", options="--week, --date")
    bounds = parse_iso_week(week, today=app_ctx.today()) if week is not None else None
    if day is not None:
        bounds = week_bounds(parse_date_option(app_ctx, day))
    since, until = filters.since, filters.until
    filters.since = filters.until = None
    return reports.report_scope(today=app_ctx.today(), year=year, week=bounds, since=since, until=until)


def _writing(app_ctx: AppContext, out: Path | None) -> Any:
    """A spinner on stderr while a report is made and written to --out (a large ledger takes
    seconds); nothing for stdout, where the report is the answer. Ctrl-C leaves no part of the file."""
    from contextlib import nullcontext

    if out is None:
        return nullcontext()
    app_ctx.interrupted = ("error.interrupted_out", {"path": str(out)})
    return app_ctx.progress("progress.report", path=str(out))


def _check_output(app_ctx: AppContext, fmt: ReportFormat, out: Path | None, limit: int | None,
                  force: bool, *, pack: bool = False) -> Path | None:
    """The checked file to write for --out (None: stdout), before any work is done."""
    from qiye_service.errors import InvalidValue

    if fmt in (ReportFormat.html, ReportFormat.pdf) and not pack:
        raise InvalidValue("error.pack_format", format=fmt.value)
    if fmt in (ReportFormat.xlsx, ReportFormat.pdf) and out is None:
        raise InvalidValue("error.out_required", format=fmt.value)
    if fmt is ReportFormat.pdf:
        from qiye_service.render_html import pdf_engine

        pdf_engine()  # says what to install before any work is done
    if limit is not None and limit < 1:
        raise InvalidValue("error.bad_limit", value=limit)
    return output_target(app_ctx, out, force)


def _prepare(session: Any, filters: Any) -> Any:
    from qiye_service.services.filters import resolve_filter

    # Reports count every status unless --status says otherwise.
    return resolve_filter(session, filters, default_statuses=None)


def _supervision(app_ctx: AppContext) -> dict[str, Any]:
    return {"calendar": app_ctx.calendar, "thresholds": supervision_thresholds(app_ctx)}


@app.command("summary")
@with_filters
def summary(
    ctx: typer.Context,
    filters: Any = None,
    year: YearOption = None,
    week: WeekOption = None,
    day: DateOption = None,
    by: Annotated[SummaryBy, typer.Option("--by", help="Group rows by this field.")] = SummaryBy.category,
    fmt: PackFormatOption = ReportFormat.table,
    out: OutOption = None,
    force: ForceOption = False,
    section: Annotated[str | None, section_option("figures, by_kind or groups (the default for csv, tsv, ndjson)")]
    = None,
) -> None:
    """Totals, resolution, response, callback and satisfaction rates, by kind and by --by.

    Figures count issues reported in the scope; overdue and escalation levels are measured
    today, or on the scope's last day when that is past.

    Example: qiye report summary --year 2023 --by department --format csv
    """
    from qiye_service import reports
    from qiye_service.services.catalog import category_names

    app_ctx = get_app(ctx)
    target = _check_output(app_ctx, fmt, out, None, force, pack=True)
    scope = _scope(app_ctx, filters, year=year, week=week, day=day)
    with _writing(app_ctx, out), app_ctx.session(write=False) as session:
        data = reports.summary_report(session, _prepare(session, filters), scope, by=by.value, lang=app_ctx.lang,
                                      **_supervision(app_ctx))
        emit(app_ctx, "summary", data, summary_document(app_ctx, data, category_names(session)), fmt, out, section,
             target=target)


@app.command("weekly")
@with_filters
def weekly(
    ctx: typer.Context,
    filters: Any = None,
    week: WeekOption = None,
    day: DateOption = None,
    fmt: PackFormatOption = ReportFormat.table,
    out: OutOption = None,
    force: ForceOption = False,
    section: Annotated[str | None, section_option(
        "figures, categories (the default for csv, tsv, ndjson), closed or overdue_issues")] = None,
    limit: LimitOption = None,
) -> None:
    """The week's close-out report (周调度): filed, closed, overdue, due soon; this week by default.

    Example: qiye report weekly --week 2023-W50 --format xlsx --out 周调度-W50.xlsx
    """
    from qiye_service import pack, reports
    from qiye_service.dates import week_bounds
    from qiye_service.errors import InvalidValue
    from qiye_service.services.catalog import category_names

    app_ctx = get_app(ctx)
    target = _check_output(app_ctx, fmt, out, limit, force, pack=True)
    if filters.since is not None or filters.until is not None:
        raise InvalidValue("error.report_weekly_scope")
    scope = _scope(app_ctx, filters, year=None, week=week, day=day)
    if scope.kind != "week":
        scope = reports.report_scope(today=app_ctx.today(), week=week_bounds(app_ctx.today()))
    printed = fmt in (ReportFormat.html, ReportFormat.pdf)
    with _writing(app_ctx, out), app_ctx.session(write=False) as session:
        flt = _prepare(session, filters)
        query = {"lang": app_ctx.lang, "timezone": app_ctx.timezone, **_supervision(app_ctx)}
        data = reports.weekly_report(session, flt, scope, limit=limit, **query)
        # The previous week through the same query: the week-over-week change (issue 21), in the
        # formats that show it (the terminal table and csv rows need not pay for a second query).
        compared = section == "change" or fmt in (ReportFormat.json, ReportFormat.markdown, ReportFormat.html,
                                                  ReportFormat.pdf)
        if compared:
            data = pack.with_week_over_week(data, pack.week_over_week(session, flt, scope,
                                                                      today=app_ctx.today(), **query))
        seal, waited = _ledger_seal(app_ctx, session)
        in_document = _shows_seal(fmt, section)
        if in_document:
            data["seal"] = seal.text if seal is not None else None
        doc = weekly_document(app_ctx, data, category_names(session), limit, seal, waited)
        labels = {name: label for name, label, _ in doc.figures}
        if compared:
            doc.sections.insert(0, change_section(app_ctx, data, labels, hidden=fmt not in (
                ReportFormat.markdown, ReportFormat.html, ReportFormat.pdf)))
        if printed:
            trend, departments, levels = pack_sections(app_ctx, session, flt, scope)
            change, categories, closed, overdue_issues = doc.sections
            doc.sections = [change, trend, levels, categories, departments, closed, overdue_issues]
        # The lists are streamed from the database as they are written.
        emit(app_ctx, "weekly", data, doc, fmt, out, section, target=target)
    footer = None if in_document else seal_line(doc, app_ctx)
    if footer is not None:
        echo(footer, err=True)


def _shows_seal(fmt: ReportFormat, section: str | None) -> bool:
    """Whether the output has a footer for the seal: the documents (table, markdown; json and
    xlsx unless one --section is asked for). csv, tsv and ndjson print one section's rows, whose
    shape a footer line would break: their seal goes to stderr, after the rows."""
    if fmt in (ReportFormat.table, ReportFormat.markdown):
        return True
    return fmt in (ReportFormat.json, ReportFormat.xlsx) and section is None


def _ledger_seal(app_ctx: AppContext, session: Any) -> tuple[Any, int | None]:
    """The seal as of this report (on SQLite, of the very snapshot it reports), or how long it waited."""
    from qiye_service.db import BUSY_TIMEOUT_SECONDS
    from qiye_service.services.seal import SealBusy, ledger_seal

    try:
        return ledger_seal(session, wait_seconds=BUSY_TIMEOUT_SECONDS), None
    except SealBusy:
        waited = int(BUSY_TIMEOUT_SECONDS)
        app_ctx.warn(app_ctx.t("report.seal_unavailable", seconds=waited))
        return None, waited


@app.command("overdue")
@with_filters
def overdue(
    ctx: typer.Context,
    filters: Any = None,
    year: YearOption = None,
    week: WeekOption = None,
    day: DateOption = None,
    by: Annotated[OverdueBy, typer.Option("--by", help="Group by escalation level, department or owner.")]
    = OverdueBy.level,
    fmt: ReportFormatOption = ReportFormat.table,
    out: OutOption = None,
    force: ForceOption = False,
    section: Annotated[str | None, section_option("figures, groups or issues (the default for csv, tsv, ndjson)")]
    = None,
    limit: LimitOption = None,
) -> None:
    """The supervision list (督办清单): red, overdue and due-soon issues, most overdue first.

    Example: qiye report overdue --by department --format markdown
    """
    from qiye_service import reports
    from qiye_service.services.catalog import category_names

    app_ctx = get_app(ctx)
    target = _check_output(app_ctx, fmt, out, limit, force)
    scope = _scope(app_ctx, filters, year=year, week=week, day=day)
    with _writing(app_ctx, out), app_ctx.session(write=False) as session:
        data = reports.overdue_report(session, _prepare(session, filters), scope, by=by.value, lang=app_ctx.lang,
                                      limit=limit, **_supervision(app_ctx))
        emit(app_ctx, "overdue", data, overdue_document(app_ctx, data, category_names(session), limit), fmt, out,
             section, target=target)


@app.command("trend")
@with_filters
def trend(
    ctx: typer.Context,
    filters: Any = None,
    year: YearOption = None,
    week: WeekOption = None,
    day: DateOption = None,
    by: Annotated[TrendBy, typer.Option("--by", help="One bar per month or per ISO week.")] = TrendBy.month,
    fmt: ReportFormatOption = ReportFormat.table,
    out: OutOption = None,
    force: ForceOption = False,
) -> None:
    """Filed vs resolved per month (or --by week), with bars in the terminal.

    Example: qiye report trend --year 2023 --by week
    """
    from qiye_service import reports

    app_ctx = get_app(ctx)
    target = _check_output(app_ctx, fmt, out, None, force)
    scope = _scope(app_ctx, filters, year=year, week=week, day=day)
    with _writing(app_ctx, out), app_ctx.session(write=False) as session:
        data = reports.trend_report(session, _prepare(session, filters), scope, by=by.value)
        emit(app_ctx, "trend", data, trend_document(app_ctx, data), fmt, out, None, target=target)
