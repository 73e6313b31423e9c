"""`qiye report …`: summary, weekly, overdue, trend and scorecard (DESIGN §4, §8, §11) in every output format.

The queries live in qiye_service.reports, the document and every format in qiye_service.render;
here are only the commands and their arguments.
"""

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

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



def emit(app_ctx: AppContext, doc: Any, fmt: ReportFormat, out: Path | None, section: str | None, *,
         target: Path | None) -> None:
    """Write the report in the chosen format, the whole document or one section's rows, to stdout
    or to `target` (the checked file for --out `out`), which it replaces only when complete."""
    from qiye_service import outfiles, render

    ledger = app_ctx.location.path
    doc.park = app_ctx.config.get("park.name") or None  # the printed pack's header (html, pdf)
    if fmt in (ReportFormat.xlsx, ReportFormat.pdf):
        assert target is not None
        with outfiles.written(target, ledger=ledger, binary=True) as book:
            render.write(fmt.value, doc, path=book, lang=app_ctx.lang, section=section)
    else:
        with (outfiles.standard_output() if target is None else outfiles.written(target, ledger=ledger)) as stream:
            console = app_ctx.out if stream is sys.stdout else None
            render.write(fmt.value, doc, out=stream, lang=app_ctx.lang, section=section, console=console)
    if out is not None:
        app_ctx.say("msg.report_written", err=True, path=str(out))


# --- commands ---------------------------------------------------------------------------------


def _scope(app_ctx: AppContext, filters: Any, *, year: int | None, week: str | None, day: str | None,
           month: Any = None, quarter: Any = None) -> Any:
    """The scope from --year, --quarter, --month (their first and last days), --week, --date or
    --since/--until; the filter keeps the rest."""
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
    return reports.report_scope(today=app_ctx.today(), year=year, week=bounds, since=since, until=until,
                                month=month, quarter=quarter)


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
        from qiye_service.render.html import pdf_engine

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
    from qiye_service.render.document import summary_document
    from qiye_service.services.catalog import category_names

    app_ctx = get_app(ctx)
    target = _check_output(app_ctx, fmt, out, None, force, pack=True)
    scope = _scope(app_ctx, filters, year=year, week=week, day=day)
    with _writing(app_ctx, out), app_ctx.session(write=False) as session:
        data = reports.summary_report(session, _prepare(session, filters), scope, by=by.value,
                                      **_supervision(app_ctx))
        emit(app_ctx, summary_document(app_ctx.lang, data, category_names(session)), fmt, out, section,
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
    from qiye_service.render.document import change_section, pack_sections, seal_line, weekly_document
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
        query = {"timezone": app_ctx.timezone, **_supervision(app_ctx)}
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
        names = category_names(session)
        doc = weekly_document(app_ctx.lang, data, names, limit, seal, waited)
        if compared:
            doc.sections.insert(0, change_section(app_ctx.lang, data, doc.figures, hidden=fmt not in (
                ReportFormat.markdown, ReportFormat.html, ReportFormat.pdf)))
        if printed:
            first, last = pack.twelve_weeks_name(scope)
            trend, departments, levels = pack_sections(
                app_ctx.lang, names, first=first, last=last, weeks=pack.twelve_weeks(session, flt, scope),
                ranking=pack.department_ranking(session, flt, scope, **query),
                levels=pack.levels(session, flt, scope, **query))
            change, categories, closed, overdue_issues = doc.sections
            doc.sections = [change, trend, levels, categories, departments, closed, overdue_issues]
        # The lists are streamed from the database as they are written.
        emit(app_ctx, doc, fmt, out, section, target=target)
    footer = None if in_document else seal_line(doc, app_ctx.lang)
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
    from qiye_service.render.document import overdue_document
    from qiye_service.services.catalog import category_names

    app_ctx = get_app(ctx)
    target = _check_output(app_ctx, fmt, out, limit, force)
    scope = _scope(app_ctx, filters, year=year, week=week, day=day)
    with _writing(app_ctx, out), app_ctx.session(write=False) as session:
        data = reports.overdue_report(session, _prepare(session, filters), scope, by=by.value,
                                      limit=limit, **_supervision(app_ctx))
        emit(app_ctx, overdue_document(app_ctx.lang, data, category_names(session), limit), fmt, out, section,
             target=target)


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
    from qiye_service.render.document import trend_document

    app_ctx = get_app(ctx)
    target = _check_output(app_ctx, fmt, out, None, force)
    scope = _scope(app_ctx, filters, year=year, week=week, day=day)
    with _writing(app_ctx, out), app_ctx.session(write=False) as session:
        data = reports.trend_report(session, _prepare(session, filters), scope, by=by.value)
        emit(app_ctx, trend_document(app_ctx.lang, data), fmt, out, None, target=target)



class VisitsBy(str, Enum):
    liaison = "liaison"
    zone = "zone"
    industry = "industry"


@app.command("visits")
def visits(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option("--year", help="Visits made in this year.", show_default=False,
                                             rich_help_panel="Scope")] = None,
    week: WeekOption = None,
    day: DateOption = None,
    since: Annotated[str | None, typer.Option("--since", help="Visits on or after this day.", show_default=False,
                                              rich_help_panel="Scope")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Visits on or before this day.", show_default=False,
                                              rich_help_panel="Scope")] = None,
    by: Annotated[VisitsBy, typer.Option("--by", help="Group by the liaison cadre, the zone or the industry.")]
    = VisitsBy.liaison,
    fmt: PackFormatOption = ReportFormat.table,
    out: OutOption = None,
    force: ForceOption = False,
    section: Annotated[str | None, section_option("figures, coverage (the default for csv, tsv, ndjson) or lapsed")]
    = None,
) -> None:
    """包联 coverage: enterprises assigned, visited, visits and problems found, and those not visited lately.

    An enterprise is lapsed when its last visit is more than visit.interval days (default 30) before
    the as-of date: today, or the scope's last day when that is past.

    Example: qiye report visits --year 2023 --by zone --format html --out 走访覆盖.html
    """
    from types import SimpleNamespace

    from qiye_service import reports
    from qiye_service.config import visit_interval
    from qiye_service.render.document import visits_document

    app_ctx = get_app(ctx)
    target = _check_output(app_ctx, fmt, out, None, force, pack=True)
    bounds = SimpleNamespace(since=parse_date_option(app_ctx, since), until=parse_date_option(app_ctx, until))
    scope = _scope(app_ctx, bounds, year=year, week=week, day=day)
    with _writing(app_ctx, out), app_ctx.session(write=False) as session:
        data = reports.visits_report(session, scope, by=by.value, interval=visit_interval(app_ctx.config))
        emit(app_ctx, visits_document(app_ctx.lang, data), fmt, out, section, target=target)
class ScorecardBy(str, Enum):
    department = "department"
    owner = "owner"


MonthOption = Annotated[str | None, typer.Option("--month", help="Issues reported in this month, e.g. 2023-12.",
                                                 show_default=False, rich_help_panel="Scope")]
QuarterOption = Annotated[str | None, typer.Option("--quarter", help="Issues reported in this quarter, e.g. 2023Q4.",
                                                   show_default=False, rich_help_panel="Scope")]


@app.command("scorecard")
@with_filters
def scorecard(
    ctx: typer.Context,
    filters: Any = None,
    year: YearOption = None,
    quarter: QuarterOption = None,
    month: MonthOption = None,
    week: WeekOption = None,
    day: DateOption = None,
    by: Annotated[ScorecardBy, typer.Option("--by", help="Rank departments or owners.")] = ScorecardBy.department,
    fmt: PackFormatOption = ReportFormat.table,
    out: OutOption = None,
    force: ForceOption = False,
    section: Annotated[str | None, section_option("figures or ranking (the default for csv, tsv, ndjson)")] = None,
) -> None:
    """Rank departments (or owners) on the work-order cycle by a weighted composite score (考核排名).

    The figures: response, returns, extensions, on time, redos, solved and satisfied. Every
    rate's numerator and denominator is in the README; the weights are the scorecard.weight.*
    settings.

    Example: qiye report scorecard --month 2023-12 --by department --format html --out 考核-2023-12.html
    """
    from qiye_service import reports
    from qiye_service.config import scorecard_weights
    from qiye_service.dates import parse_month, parse_quarter
    from qiye_service.render.document import scorecard_document

    app_ctx = get_app(ctx)
    target = _check_output(app_ctx, fmt, out, None, force, pack=True)
    weights = scorecard_weights(app_ctx.config)
    scope = _scope(app_ctx, filters, year=year, week=week, day=day,
                   month=parse_month(month, today=app_ctx.today()) if month is not None else None,
                   quarter=parse_quarter(quarter, today=app_ctx.today()) if quarter is not None else None)
    with _writing(app_ctx, out), app_ctx.session(write=False) as session:
        data = reports.scorecard_report(session, _prepare(session, filters), scope, by=by.value, weights=weights)
        emit(app_ctx, scorecard_document(app_ctx.lang, data), fmt, out, section, target=target)
