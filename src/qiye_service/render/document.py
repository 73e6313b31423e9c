"""The report document: what a report says (a title, a line on its scope, figures and sections of
rows), built from a report query's data in the interface language, for every format to write.

The queries (qiye_service.reports) return data with codes; the labels people read are put on
here and by the writers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from qiye_service.i18n import translate, value_label
from qiye_service.render.values import RATE_FIELDS, header

DEFAULT_SECTION = {"summary": "groups", "weekly": "categories", "overdue": "issues", "trend": "periods",
                   "visits": "coverage", "scorecard": "ranking"}
# The columns people see in tables and markdown; machine formats and workbooks get every field.
SUMMARY_SHOWN = ("label", "total", "resolved", "pending", "overdue", "resolution_rate", "response_rate",
                 "callback_rate", "satisfaction_rate")
WEEKLY_SHOWN = ("label", "filed", "resolved", "total_to_date", "resolved_to_date", "resolution_rate_to_date",
                "overdue", "due_next_7_days")
CLOSED_SHOWN = ("id", "title", "enterprise", "department", "owner", "resolved_on", "days_to_resolve")
LADDER_SHOWN = ("id", "title", "enterprise", "department", "owner", "due_on", "days_overdue", "level")
# Headers of a dimension's name column.
DIMENSION_LABELS = {"month": "report.field.month", "week": "report.field.week", "level": "field.level"}
# The scorecard's columns people see: the rank, the name, the score and the rates (issue 20).
SCORECARD_SHOWN = ("rank", "label", "score", "dispatched", "response_rate", "return_rate", "extension_rate",
                   "on_time_rate", "redo_rate", "solved_rate", "satisfaction_rate")
SCORECARD_FIGURES = ("score", "response_rate", "return_rate", "extension_rate", "on_time_rate", "redo_rate",
                     "solved_rate", "satisfaction_rate", "dispatched")



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
    # The report's data as its query returned it: what --format json writes.
    data: dict[str, Any] | None = None
    # Which report: summary, weekly, overdue or trend (its default section, the trend's bars).
    kind: str = ""
    # The ledger seal in the footer (weekly, issue 25): a services.seal.Seal, or when writers kept
    # it waiting, how many seconds it waited.
    seal: Any = None
    seal_waited: int | None = None
    # The park's name (`qiye config set park.name`), in the printed pack's header (html, pdf).
    park: str | None = None

    @property
    def shown_sections(self) -> list[Section]:
        return [section for section in self.sections if not section.hidden]

    def default_section(self) -> Section:
        """The part csv, tsv and ndjson print when --section is not given."""
        return self.section(DEFAULT_SECTION[self.kind])

    def section(self, name: str, lang: str = "en") -> Section:
        if name == "figures":
            row = {name: value for name, _, value in self.figures}
            return Section("figures", self.title, tuple(row), [row])
        for section in self.sections:
            if section.name == name:
                return section
        from qiye_service.errors import InvalidValue

        valid = ", ".join(["figures", *(s.name for s in self.sections)] if self.figures else [s.name for s in self.sections])
        raise InvalidValue("error.bad_choice", field="--section", value=name, valid=valid)



def _t(lang: str, key: str, **params: Any) -> str:
    return translate(key, lang, **params)


def scope_line(lang: str, scope: dict[str, Any]) -> str:
    if scope["kind"] in ("year", "quarter", "month", "week"):
        what = scope["name"]
    elif scope["kind"] == "range":
        what = _t(lang, "report.scope.range", since=scope["since"] or "…", until=scope["until"] or "…")
    else:
        what = _t(lang, "report.scope.all")
    return _t(lang, "report.scope.line", scope=what, as_of=scope["as_of"])


def _figures(lang: str, data: dict[str, Any], names: tuple[str, ...],
             labels: dict[str, str] | None = None) -> list[tuple[str, str, Any]]:
    labels = labels or {}
    return [(name, _t(lang, labels[name]) if name in labels else header(name, lang), data[name])
            for name in names]


def summary_document(lang: str, data: dict[str, Any], names: dict[str, tuple[str, str]]) -> Document:
    from qiye_service import reports

    data["by_kind"] = labelled(data["by_kind"], "kind", lang, names)
    data["groups"] = labelled(data["groups"], data["by"], lang, names)
    by_header = _dimension_header(lang, data["by"])
    # By department, each department's returns (退单) and transfers away (转办), issue 20.
    cycle_fields = reports.CYCLE_GROUP_FIELDS if data["by"] == "department" else ()
    return Document(
        data=data,
        kind="summary",
        title=_t(lang, "report.title.summary"),
        subtitle=scope_line(lang, data["scope"]),
        figures=_figures(lang, data, reports.SUMMARY_FIELDS),
        sections=[
            Section("by_kind", _t(lang, "report.section.by", by=header("kind", lang)),
                    reports.GROUP_FIELDS + reports.SUPERVISION_FIELDS, data["by_kind"],
                    {"label": header("kind", lang)}, SUMMARY_SHOWN, hidden=data["by"] == "kind"),
            Section("groups", _t(lang, "report.section.by", by=by_header),
                    reports.GROUP_FIELDS + reports.SUPERVISION_FIELDS + cycle_fields, data["groups"],
                    {"label": by_header}, SUMMARY_SHOWN + cycle_fields),
        ],
        category_names=names,
    )


def _listed(figure: int, limit: int | None) -> int:
    """How many rows a list holds whose length is a figure of the report, under --limit."""
    return figure if limit is None else min(figure, limit)


def weekly_document(lang: str, data: dict[str, Any], names: dict[str, tuple[str, str]],
                    limit: int | None = None, seal: Any = None, seal_waited: int | None = None) -> Document:
    from qiye_service import reports

    data["categories"] = labelled(data["categories"], "category", lang, names)
    scope = data["scope"]
    week_labels = {"resolved": "report.field.resolved_this_week", "overdue": "report.field.overdue_at"}
    return Document(
        data=data,
        kind="weekly",
        title=_t(lang, "report.title.weekly", week=scope["name"], since=scope["since"], until=scope["until"]),
        subtitle=_t(lang, "report.as_of", date=scope["as_of"]),
        figures=_figures(lang, data, reports.WEEKLY_FIELDS, week_labels),
        sections=[
            Section("categories", _t(lang, "report.section.categories"),
                    reports.WEEKLY_CATEGORY_FIELDS + reports.SUPERVISION_FIELDS, data["categories"],
                    {"label": header("category", lang), "resolved": _t(lang, week_labels["resolved"]),
                     "overdue": _t(lang, week_labels["overdue"])}, WEEKLY_SHOWN),
            Section("closed", _t(lang, "report.section.closed"), reports.CLOSED_FIELDS, data["closed"],
                    shown_fields=CLOSED_SHOWN, count=_listed(data["resolved"], limit), total=data["resolved"]),
            Section("overdue_issues", _t(lang, "report.section.overdue_issues"), reports.OVERDUE_ISSUE_FIELDS,
                    data["overdue_issues"], shown_fields=LADDER_SHOWN, count=_listed(data["overdue"], limit),
                    total=data["overdue"]),
        ],
        category_names=names,
        seal=seal,
        seal_waited=seal_waited,
    )


def change_section(lang: str, data: dict[str, Any], figures: list[tuple[str, str, Any]], *,
                   hidden: bool) -> Section:
    """The week's figures beside the previous week's, and the change, as people read them
    (issue 21: `data` holds `previous` and a `<figure>_change` per compared figure)."""
    from qiye_service.pack import CHANGE_FIELDS
    from qiye_service.render.values import shown

    labels = {name: label for name, label, _ in figures}
    rows = []
    for name in CHANGE_FIELDS:
        delta = data[f"{name}_change"]
        if delta is None:
            text = "—"
        elif name in RATE_FIELDS:
            text = _t(lang, "report.change.points", value=f"{delta * 100:+.1f}")
        else:
            text = f"{delta:+d}" if delta else "0"
        rows.append({"figure": name, "label": labels[name], "current": shown(name, data[name], lang, {}),
                     "previous": shown(name, data["previous"][name], lang, {}), "change": text,
                     "direction": "" if not delta else ("up" if delta > 0 else "down")})
    week = data["previous"]["scope"]["name"]
    return Section("change", _t(lang, "report.section.change"), ("label", "current", "previous", "change"), rows,
                   {"label": _t(lang, "report.field.figure"), "current": _t(lang, "report.field.current"),
                    "previous": _t(lang, "report.field.previous_week", week=week),
                    "change": _t(lang, "report.field.change")}, hidden=hidden)


def pack_sections(lang: str, names: dict[str, tuple[str, str]], *, first: str, last: str,
                  weeks: list[dict[str, Any]], ranking: list[dict[str, Any]],
                  levels: list[dict[str, Any]]) -> list[Section]:
    """What the printed weekly pack shows beside the weekly report (qiye_service.pack's figures):
    twelve weeks of filed vs resolved, the department ranking, the supervision levels."""
    from qiye_service import pack, reports

    department = header("department", lang)
    return [
        Section("trend", _t(lang, "report.section.trend12", first=first, last=last), reports.TREND_FIELDS, weeks,
                {"period": _t(lang, "report.field.week"), "filed": _t(lang, "report.field.filed_total"),
                 "resolved": _t(lang, "report.field.resolved_total")}),
        Section("departments", _t(lang, "report.section.departments"), pack.RANKING_FIELDS,
                labelled(ranking, "department", lang, names), {"label": department},
                ("label", "total", "resolved", "pending", "overdue", "resolution_rate")),
        Section("levels", _t(lang, "report.section.levels"), pack.LEVEL_FIELDS,
                labelled(levels, "level", lang, names),
                {"label": _t(lang, "field.level"), "total": _t(lang, "report.field.on_ladder")},
                ("label", "total", "max_days_overdue")),
    ]


def seal_line(doc: Document, lang: str, *, markdown: bool = False) -> str | None:
    """The footer line of a sealed report: the seal and what it covers, or why there is none."""
    if doc.seal is not None:
        text = f"`{doc.seal.text}`" if markdown else doc.seal.text
        return _t(lang, "report.seal", seal=text, events=doc.seal.events, event=doc.seal.event_id)
    if doc.seal_waited is not None:
        return _t(lang, "report.seal_unavailable", seconds=doc.seal_waited)
    return None


def overdue_document(lang: str, data: dict[str, Any], names: dict[str, tuple[str, str]],
                     limit: int | None = None) -> Document:
    from qiye_service import reports

    data["groups"] = labelled(data["groups"], data["by"], lang, names)
    by_header = _dimension_header(lang, data["by"])
    return Document(
        data=data,
        kind="overdue",
        title=_t(lang, "report.title.overdue"),
        subtitle=scope_line(lang, data["scope"]),
        figures=_figures(lang, data, ("total", "overdue", "level_red", "level_overdue", "level_due_soon"),
                         {"total": "report.field.on_ladder"}),
        sections=[
            Section("groups", _t(lang, "report.section.by", by=by_header), reports.OVERDUE_GROUP_FIELDS,
                    data["groups"], {"label": by_header, "total": _t(lang, "report.field.on_ladder")},
                    ("label", "total", "max_days_overdue") if data["by"] == "level" else None),
            Section("issues", _t(lang, "report.section.issues"), reports.OVERDUE_ISSUE_FIELDS, data["issues"],
                    shown_fields=LADDER_SHOWN, count=_listed(data["total"], limit), total=data["total"]),
        ],
        category_names=names,
    )


def trend_document(lang: str, data: dict[str, Any]) -> Document:
    from qiye_service import reports

    period = _dimension_header(lang, data["by"])
    return Document(
        data=data,
        kind="trend",
        title=_t(lang, "report.title.trend", period=period),
        subtitle=scope_line(lang, data["scope"]),
        figures=_figures(lang, data, ("filed", "resolved"), {"filed": "report.field.filed_total",
                                                                "resolved": "report.field.resolved_total"}),
        sections=[Section("periods", _t(lang, "report.section.periods"), reports.TREND_FIELDS, data["periods"],
                          {"period": period, "filed": _t(lang, "report.field.filed_total"),
                           "resolved": _t(lang, "report.field.resolved_total")})],
    )


def visits_document(lang: str, data: dict[str, Any]) -> Document:
    """`report visits` (issue 22): 包联 coverage by liaison, zone or industry, and the enterprises
    not visited within the interval."""
    from qiye_service import reports

    data["groups"] = labelled(data["groups"], data["by"], lang, {})
    by_header = _dimension_header(lang, data["by"])
    return Document(
        data=data,
        kind="visits",
        title=_t(lang, "report.title.visits"),
        subtitle=scope_line(lang, data["scope"]),
        figures=_figures(lang, data, reports.VISIT_FIGURES),
        sections=[
            Section("coverage", _t(lang, "report.section.by", by=by_header), reports.VISIT_GROUP_FIELDS,
                    data["groups"], {"label": by_header}),
            Section("lapsed", _t(lang, "report.section.lapsed", days=data["interval_days"]), reports.LAPSED_FIELDS,
                    data["lapsed_enterprises"], count=data["lapsed"], total=data["lapsed"]),
        ],
    )


def scorecard_document(lang: str, data: dict[str, Any]) -> Document:
    """The scorecard (考核排名, issue 20): the figures over every ranked group, the weights, and
    the ranking, best score first."""
    from qiye_service import reports

    data["groups"] = labelled(data["groups"], data["by"], lang, {})
    by_header = _dimension_header(lang, data["by"])
    sep = "；" if lang == "zh" else "; "
    weights = sep.join(f"{_t(lang, 'scorecard.part.' + part)} {data['weights'][part]:g}"
                       for part, _, _ in reports.SCORE_PARTS)
    return Document(
        data=data,
        kind="scorecard",
        title=_t(lang, f"report.title.scorecard.{data['by']}"),
        subtitle=scope_line(lang, data["scope"]) + ("　" if lang == "zh" else " · ")
        + _t(lang, "report.scorecard.weights", weights=weights),
        figures=_figures(lang, data, SCORECARD_FIGURES),
        sections=[Section("ranking", _t(lang, "report.section.ranking"), reports.SCORECARD_FIELDS, data["groups"],
                          {"label": by_header}, SCORECARD_SHOWN)],
    )


def group_label(by: str, key: Any, lang: str, category_names: dict[str, tuple[str, str]]) -> Any:
    """The name people read for a report group's key: a category's name, a code's label, a
    month or week as it is, a name as stored (the unnamed group as 无/none)."""
    if by == "category":
        names = category_names.get(key)
        return (names[0] if lang == "zh" else names[1]) if names else key
    if by in ("kind", "source", "level"):
        return value_label(by, key, lang)
    if by in ("month", "week"):
        return key
    return key if key is not None else translate("report.none", lang)


def labelled(rows: list[dict[str, Any]], by: str, lang: str,
             category_names: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    """Group rows with their `label` (in the interface language) after their `key`: the report
    queries return codes only, and every format, JSON too, shows the label beside the key."""
    return [{"key": row["key"], "label": group_label(by, row["key"], lang, category_names),
             **{name: value for name, value in row.items() if name != "key"}} for row in rows]


def _dimension_header(lang: str, by: str) -> str:
    return _t(lang, DIMENSION_LABELS[by]) if by in DIMENSION_LABELS else header(by, lang)



def table_fields(section: Section) -> tuple[str, ...]:
    """The columns people see (table, markdown): a group's name, not its code."""
    return section.shown_fields or tuple(f for f in section.fields if f != "key")


def headers(section: Section, lang: str) -> list[str]:
    return [section.headers.get(f) or header(f, lang) for f in table_fields(section)]


def numeric(section: Section, name: str) -> bool:
    """Whether a column holds numbers (right-aligned): a rate, or numbers in its first rows."""
    if name in RATE_FIELDS:
        return True
    return any(isinstance(row.get(name), (int, float)) and not isinstance(row.get(name), bool)
               for row in section.rows.head(20))


# --- reminders (issue 23) -------------------------------------------------------------------------

REMIND_SHOWN = ("need", "id", "title", "enterprise", "department", "owner", "deadline", "days_overdue",
                "extension_to")


def remind_document(lang: str, data: dict[str, Any]) -> Document:
    """`qiye remind`: one section per recipient (a department or a person), an item per row with
    what it needs as a word; --format json writes `data` (the codes) as it is."""
    sections = []
    for digest in data["recipients"]:
        rows = [{**item, "need": _t(lang, f"remind.need.{item['need']}")} for item in digest["items"]]
        sections.append(Section(f"{digest['kind']}:{digest['name']}", recipient_title(lang, digest),
                                REMIND_SHOWN, rows, {"need": _t(lang, "report.field.need")}))
    return Document(data=data, kind="remind", title=_t(lang, "remind.title", date=data["as_of"]),
                    subtitle=_t(lang, "remind.subtitle", days=data["due_soon"], count=len(data["recipients"])),
                    figures=[], sections=sections)


def recipient_title(lang: str, digest: dict[str, Any]) -> str:
    """`消防救援大队（责任单位，3 项）`: who a digest is for and how many items it holds."""
    return _t(lang, f"remind.recipient.{digest['kind']}", name=digest["name"], count=len(digest["items"]))
