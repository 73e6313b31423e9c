"""`qiye import …` and `qiye export …`: ledgers in and out (DESIGN §5), and the sample ledger."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from qiye_service.cli.context import AppContext, get_app
from qiye_service.cli.options import ExportFormat, ForceOption, LabelsOption, output_target, with_filters
from qiye_service.cli.visits import (
    EnterprisesOpt,
    IndustriesOpt,
    KindsOpt,
    LiaisonsOpt,
    SinceOpt,
    UntilOpt,
    ZonesOpt,
)
from qiye_service.i18n import Listed

if TYPE_CHECKING:
    from sqlmodel import Session

    from qiye_service.importers import LedgerRow
    from qiye_service.services.progress import Progress
    from qiye_service.services.transfer import ImportSummary

import_app = typer.Typer(help="Import a ledger (台账) of issues, enterprises or users from CSV or XLSX.",
                         no_args_is_help=True)
export_app = typer.Typer(help="Export issues, enterprises, events or users as csv, tsv, json, ndjson or xlsx.",
                         no_args_is_help=True)

# The last day of the campaign the sample ledger records (sample_data/ledger.csv).
SAMPLE_AS_OF = date(2023, 12, 31)


class Encoding(str, Enum):
    auto = "auto"
    utf_8 = "utf-8"
    gb18030 = "gb18030"


class OnConflict(str, Enum):
    fail = "fail"
    skip = "skip"
    update = "update"


FileArgument = Annotated[Path, typer.Argument(help="A CSV (UTF-8 or GB18030, comma or tab) or XLSX file.",
                                              show_default=False)]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Check the file and say what would be imported; "
                                            "write nothing.")]
EncodingOption = Annotated[Encoding, typer.Option("--encoding", help="Text encoding of a CSV file: auto "
                                                  "(tries UTF-8, then GB18030), utf-8 or gb18030.")]
ConflictOption = Annotated[OnConflict, typer.Option("--on-conflict", help="What a row whose id already exists "
                                                    "does: fail (the default), skip it, or update the record.")]
ExportFormatOption = Annotated[ExportFormat, typer.Option("--format", "-f", help="csv, tsv, json, ndjson or xlsx "
                                                          "(xlsx needs --out).")]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.",
                                                show_default=False)]
ExcelOption = Annotated[bool, typer.Option("--excel", help="CSV for Excel: UTF-8 BOM, CRLF, and cells starting "
                                           "with = + - @ made text.")]


# --- import -----------------------------------------------------------------------------------


def _reading(ledger: Any, rows: Iterable["LedgerRow"], progress: "Progress") -> Iterable["LedgerRow"]:
    """The rows, reporting the share of the file read and the rows passed every 1,000 rows;
    then the last stage, the writing, once the file is read."""
    from qiye_service.cli.progress import batched
    from qiye_service.services.progress import NO_PROGRESS

    if progress is NO_PROGRESS:
        return rows
    name = ledger.path.name
    progress.step("progress.import", ledger.progress()[1], path=name)

    def report(count: int) -> None:
        done, total = ledger.progress()
        progress(done, total, count=count)

    return batched(rows, report, end=lambda: progress.step("progress.import_commit", None, path=name))


def _settings(app_ctx: AppContext, session: "Session", path: Path, *, on_conflict: str, dry_run: bool) -> Any:
    from qiye_service.services.extensions import verification_required
    from qiye_service.services.supervision import acknowledge_deadline, thresholds_from_config
    from qiye_service.services.transfer import ImportSettings
    from qiye_service.services.workflow import evidence_required
    from qiye_service.workdays import WorkingCalendar

    thresholds = thresholds_from_config(app_ctx.config)
    calendar = WorkingCalendar(warn=app_ctx.warn, lang=app_ctx.lang)
    return ImportSettings(
        actor=app_ctx.actor(), source=path.name, on_conflict=on_conflict, dry_run=dry_run,
        timezone=app_ctx.timezone,
        response_deadline=lambda day: acknowledge_deadline(day, calendar, thresholds),
        evidence_required=evidence_required(app_ctx.config.get("closeout.evidence")),
        closeout_verify=verification_required(session, app_ctx.config.get("closeout.verify")),
    )


def run_import(app_ctx: AppContext, session: "Session", kind: str, path: Path, *, encoding: str,
               on_conflict: str, dry_run: bool, today: date | None = None,
               progress: "Progress | None" = None) -> "ImportSummary":
    """Read, check and import one file inside the caller's transaction; its dates are read
    (and checked against the accepted range) as of `today`, the clock's unless given."""
    from qiye_service.importers import LedgerFile, ledger_rows
    from qiye_service.services import transfer

    service = {"issues": transfer.import_issues, "users": transfer.import_users,
               "visits": transfer.import_visits}.get(kind, transfer.import_enterprises)
    with LedgerFile(path, kind, encoding=encoding) as ledger:
        if ledger.unknown_columns:
            app_ctx.warn(app_ctx.t("warn.import_unknown_columns", path=path.name,
                                   columns=Listed(ledger.unknown_columns)))
        settings = _settings(app_ctx, session, path, on_conflict=on_conflict, dry_run=dry_run)
        rows = ledger_rows(ledger, today=today or app_ctx.today())
        if progress is not None:
            rows = _reading(ledger, rows, progress)
        return service(session, rows, settings=settings, columns=ledger.column_names)


LISTED_NEW_NAMES = 20


def say_summary(app_ctx: AppContext, summary: "ImportSummary") -> None:
    prefix = "msg.import_dry_" if summary.dry_run else "msg.import_done_"
    app_ctx.say(prefix + summary.kind, path=summary.source, rows=summary.rows, created=summary.created,
                updated=summary.updated, skipped=summary.skipped)
    for key, names in (("enterprises", summary.new_enterprises), ("departments", summary.new_departments)):
        if names:
            # A city's ledger can name thousands: the first few say what happened.
            shown: Any = Listed(names[:LISTED_NEW_NAMES])
            if len(names) > LISTED_NEW_NAMES:
                shown = app_ctx.t("msg.import_names_more", names=shown, count=len(names) - LISTED_NEW_NAMES)
            app_ctx.say(f"msg.import_new_{key}" + ("_dry" if summary.dry_run else ""), count=len(names),
                        names=shown)


def _import(ctx: typer.Context, kind: str, path: Path, *, dry_run: bool, encoding: Encoding,
            on_conflict: OnConflict) -> None:
    app_ctx = get_app(ctx)
    app_ctx.interrupted = ("error.interrupted_import", {})  # one transaction: all or nothing
    with app_ctx.progress() as progress, app_ctx.session(write=not dry_run) as session:
        summary = run_import(app_ctx, session, kind, path, encoding=encoding.value,
                             on_conflict=on_conflict.value, dry_run=dry_run, progress=progress)
        if dry_run:
            # Nothing was written; leave nothing to commit either.
            session.rollback()
    say_summary(app_ctx, summary)


@import_app.command("issues")
def import_issues(ctx: typer.Context, file: FileArgument, dry_run: DryRunOption = False,
                  encoding: EncodingOption = Encoding.auto, on_conflict: ConflictOption = OnConflict.fail) -> None:
    """Import a problem ledger (问题台账); one bad row imports nothing.

    Example: qiye import issues 问题台账.xlsx --dry-run
    """
    _import(ctx, "issues", file, dry_run=dry_run, encoding=encoding, on_conflict=on_conflict)


@import_app.command("enterprises")
def import_enterprises(ctx: typer.Context, file: FileArgument, dry_run: DryRunOption = False,
                       encoding: EncodingOption = Encoding.auto,
                       on_conflict: ConflictOption = OnConflict.fail) -> None:
    """Import an enterprise register (企业名册); one bad row imports nothing.

    Example: qiye import enterprises 企业名册.csv --on-conflict update
    """
    _import(ctx, "enterprises", file, dry_run=dry_run, encoding=encoding, on_conflict=on_conflict)


@import_app.command("users")
def import_users(ctx: typer.Context, file: FileArgument, dry_run: DryRunOption = False,
                 encoding: EncodingOption = Encoding.auto,
                 on_conflict: Annotated[OnConflict, typer.Option(
                     "--on-conflict", help="What a row whose name is already registered does: fail (the default), "
                     "skip it, or update the user.")] = OnConflict.fail) -> None:
    """Import users (姓名, 角色, 所属单位, 登录名, 状态); one bad row imports nothing.

    Example: qiye import users 用户名单.xlsx --dry-run
    """
    _import(ctx, "users", file, dry_run=dry_run, encoding=encoding, on_conflict=on_conflict)


@import_app.command("visits")
def import_visits(ctx: typer.Context, file: FileArgument, dry_run: DryRunOption = False,
                  encoding: EncodingOption = Encoding.auto,
                  on_conflict: Annotated[OnConflict, typer.Option(
                      "--on-conflict", help="What a row whose 走访编号 (id) already exists does: fail (the default), "
                      "skip it, or update the visit.")] = OnConflict.fail) -> None:
    """Import a visit log (走访日期, 走访企业, 走访人, 走访方式, 走访情况); one bad row imports nothing.

    Example: qiye import visits 走访记录.xlsx --dry-run
    """
    _import(ctx, "visits", file, dry_run=dry_run, encoding=encoding, on_conflict=on_conflict)


def load_sample(ctx: typer.Context) -> None:
    """Load the bundled sample ledger (enterprises.csv, visits.csv, then ledger.csv) through the import
    path, in one transaction. Rows already in the database are skipped, so loading it
    twice changes nothing."""
    from qiye_service.db import sample_data_dir

    app_ctx = get_app(ctx)
    folder = sample_data_dir()
    app_ctx.say("msg.sample_loading")
    summaries = []
    # The sample is a record of a campaign as of its last day: read as of then at the latest,
    # so a clock pinned inside the campaign (the tests') does not find its close-outs in the future.
    as_of = max(app_ctx.today(), SAMPLE_AS_OF)
    with app_ctx.session() as session:
        # The visit log (issue 22) before the ledger, whose 走访编号 name its visits.
        for kind, name in (("enterprises", "enterprises.csv"), ("visits", "visits.csv"), ("issues", "ledger.csv")):
            summaries.append(run_import(app_ctx, session, kind, folder / name, encoding="auto",
                                        on_conflict="skip", dry_run=False, today=as_of))
    for summary in summaries:
        say_summary(app_ctx, summary)


# --- export -----------------------------------------------------------------------------------


@contextmanager
def _destination(fmt: ExportFormat, target: Path | None, ledger: Path | None) -> Iterator[dict[str, Any]]:
    """Where render.write writes: stdout, or a handle whose file replaces --out only when complete."""
    from qiye_service import outfiles

    if target is None:
        with outfiles.standard_output() as out:
            yield {"out": out}
    else:
        with outfiles.written(target, ledger=ledger, binary=fmt is ExportFormat.xlsx) as handle:
            yield {"path": handle} if fmt is ExportFormat.xlsx else {"out": handle}


def _export(ctx: typer.Context, kind: str, filters: Any, fmt: ExportFormat, out: Path | None, excel: bool,
            labels: bool, force: bool, supervision: bool = False, cycle: bool = False,
            chinese_headers: bool = False) -> None:
    from qiye_service import render
    from qiye_service.errors import InvalidValue
    from qiye_service.services import catalog, transfer
    from qiye_service.services.filters import resolve_filter
    from qiye_service.services.progress import NO_PROGRESS

    app_ctx = get_app(ctx)
    if fmt is ExportFormat.xlsx and out is None:
        raise InvalidValue("error.out_required", format="xlsx")
    if excel and fmt not in (ExportFormat.csv, ExportFormat.tsv):
        raise InvalidValue("error.export_excel_format", format=fmt.value)
    target = output_target(app_ctx, out, force)
    today = app_ctx.today()
    with app_ctx.session(write=False) as session:
        flt = (resolve_filter(session, filters, default_statuses=None)
               if filters is not None and kind != "visits" else None)
        if kind == "users":
            rows: Iterable[Any] = transfer.export_users(session)
        elif kind == "visits":
            rows = transfer.export_visits(session, filters)
        elif kind == "issues":
            # CSV wants tags as one `;`-joined cell; join them while streaming.
            joined = render.LIST_SEPARATOR if fmt in (ExportFormat.csv, ExportFormat.tsv) and not excel else None
            rows = transfer.export_issues(
                session, flt, today=today, tags_separator=joined,
                supervision_timezone=app_ctx.timezone if supervision or cycle else None, cycle=cycle)
        elif kind == "events":
            rows = transfer.export_events(session, flt, today=today)
        else:
            rows = transfer.export_enterprises(session, flt, today=today, by_issues=_filters_issues(filters))
        fields: list[str] = list(transfer.EXPORT_FIELDS[kind])
        if supervision or cycle:
            fields += transfer.SUPERVISION_EXPORT_FIELDS
        if cycle:
            fields += transfer.CYCLE_COLUMNS
        if labels:
            fields, rows = render.with_labels(rows, fields, app_ctx.lang, catalog.category_names(session))
        headers = _chinese_headers(kind, fields) if chinese_headers else None
        try:
            with _shown(app_ctx, out) as progress, _destination(fmt, target, app_ctx.location.path) as where:
                count = render.write(fmt.value, rows, fields, excel=excel, sheet=kind, **where,
                                     progress=None if progress is NO_PROGRESS else progress, headers=headers)
        finally:
            # A failed write leaves the row streams half read: end them while their connection is
            # open, not when the collector finds them after the session has closed.
            close = getattr(rows, "close", None)
            if close is not None:
                close()
    if out is not None:
        app_ctx.say("msg.export_written_one" if count == 1 else "msg.export_written", err=True, count=count,
                    path=str(out))


def _chinese_headers(kind: str, fields: list[str]) -> list[str]:
    """The ledger's Chinese header of each field (the first Chinese one import accepts for it), so
    the file reads as the office's Excel ledger and imports back as it was."""
    from qiye_service.importers import ACCEPTED_HEADERS

    accepted = ACCEPTED_HEADERS[kind]
    aliases = {"visit_kind": "kind"}

    def chinese(field: str) -> str:
        names = accepted.get(aliases.get(field, field), ())
        return next((name for name in names if not name.isascii()), field)

    return [chinese(field) for field in fields]


def _shown(app_ctx: AppContext, out: Path | None) -> Any:
    """Progress of an export to a file (a count: what matches is not counted beforehand); none
    for stdout, where the rows themselves are the answer. Ctrl-C leaves no part of the file."""
    from contextlib import nullcontext

    from qiye_service.services.progress import NO_PROGRESS

    if out is None:
        return nullcontext(NO_PROGRESS)
    app_ctx.interrupted = ("error.interrupted_out", {"path": str(out)})
    return app_ctx.progress("progress.export", path=str(out))


def _filters_issues(filters: Any) -> bool:
    """Whether any filter beyond zone, industry and enterprise names was given."""
    return bool(
        filters.statuses or filters.categories or filters.departments or filters.owners or filters.tags
        or filters.kinds or filters.priorities or filters.overdue or filters.since or filters.until
        or filters.resolved_since or filters.resolved_until or filters.search or filters.levels
    )


@export_app.command("issues")
@with_filters
def export_issues(
    ctx: typer.Context, filters: Any = None, fmt: ExportFormatOption = ExportFormat.csv,
    out: OutOption = None, excel: ExcelOption = False, labels: LabelsOption = False, force: ForceOption = False,
    supervision: Annotated[bool, typer.Option(
        "--supervision", help="Add the supervision record (dispatched_on, acknowledged_on, escalated, "
        "callback_result, callback_on, callback_note), which import issues reads back.")] = False,
    cycle: Annotated[bool, typer.Option(
        "--cycle", help="Add the supervision record and the work-order cycle (co_departments, return_count, "
        "transfer_count, returned_by, transferred_from, callback_solved, callback_reached), which import issues "
        "reads back.")] = False,
) -> None:
    """Export issues (every status unless --status is given), with the fields of `issue show`.

    Example: qiye export issues --since 2023-01-01 --format xlsx --out 台账.xlsx
    """
    _export(ctx, "issues", filters, fmt, out, excel, labels, force, supervision, cycle)


@export_app.command("enterprises")
@with_filters
def export_enterprises(ctx: typer.Context, filters: Any = None, fmt: ExportFormatOption = ExportFormat.csv,
                       out: OutOption = None, excel: ExcelOption = False, labels: LabelsOption = False,
                       force: ForceOption = False) -> None:
    """Export enterprises; issue filters keep those with a matching issue.

    Example: qiye export enterprises --zone 南园 --out 企业名册.csv --excel
    """
    _export(ctx, "enterprises", filters, fmt, out, excel, labels, force)


@export_app.command("events")
@with_filters
def export_events(ctx: typer.Context, filters: Any = None, fmt: ExportFormatOption = ExportFormat.csv,
                  out: OutOption = None, excel: ExcelOption = False, labels: LabelsOption = False,
                  force: ForceOption = False) -> None:
    """Export the history (events) of the matching issues, oldest first.

    Example: qiye export events --category 消防验收 --format ndjson
    """
    _export(ctx, "events", filters, fmt, out, excel, labels, force)


@export_app.command("users")
def export_users(ctx: typer.Context, fmt: ExportFormatOption = ExportFormat.csv, out: OutOption = None,
                 excel: ExcelOption = False, labels: LabelsOption = False, force: ForceOption = False) -> None:
    """Export the registered users (disabled ones too), which import users reads back.

    Example: qiye export users --format xlsx --out 用户名单.xlsx
    """
    _export(ctx, "users", None, fmt, out, excel, labels, force)


@export_app.command("visits")
def export_visits(ctx: typer.Context, enterprise: EnterprisesOpt = None, liaison: LiaisonsOpt = None,
                  zone: ZonesOpt = None, industry: IndustriesOpt = None, kind: KindsOpt = None,
                  since: SinceOpt = None, until: UntilOpt = None, fmt: ExportFormatOption = ExportFormat.csv,
                  out: OutOption = None, excel: ExcelOption = False, labels: LabelsOption = False,
                  force: ForceOption = False,
                  chinese_headers: Annotated[bool, typer.Option(
                      "--chinese-headers", help="Write the ledger's Chinese headers (走访编号, 走访日期, 走访企业, "
                      "走访人, 走访方式, 走访情况 …) instead of field names, in csv, tsv and xlsx.")] = False) -> None:
    """Export the visit log with each visit's id, which import visits (and issues' 走访编号) read back.

    Example: qiye export visits --since 2023-01-01 --format xlsx --out 走访记录.xlsx
    """
    from qiye_service.cli.visits import visit_filter

    flt = visit_filter(get_app(ctx), enterprise=enterprise, liaison=liaison, zone=zone, industry=industry, kind=kind,
                       since=since, until=until)
    _export(ctx, "visits", flt, fmt, out, excel, labels, force, chinese_headers=chinese_headers)
