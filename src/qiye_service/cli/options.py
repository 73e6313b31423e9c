"""Options shared by many commands, declared once: formats, filters, dates, ids."""

import functools
import inspect
from collections.abc import Callable
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from qiye_service.cli.context import AppContext, get_app


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    ndjson = "ndjson"
    markdown = "markdown"


class ReportFormat(str, Enum):
    """What reports write: the listing formats plus a workbook."""

    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    ndjson = "ndjson"
    markdown = "markdown"
    xlsx = "xlsx"
    html = "html"  # the meeting pack (weekly and summary)
    pdf = "pdf"


class ExportFormat(str, Enum):
    """What exports write: machine formats and a workbook."""

    csv = "csv"
    tsv = "tsv"
    json = "json"
    ndjson = "ndjson"
    xlsx = "xlsx"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="table, csv, tsv, json, ndjson or markdown.")
]
LabelsOption = Annotated[
    bool, typer.Option("--labels", help="Add a *_label column beside coded fields in machine formats.")
]
IssueIdArgument = Annotated[str, typer.Argument(help="Issue id, e.g. 12 or #12.", show_default=False)]
NoteOption = Annotated[str | None, typer.Option("--note", "-n", help="A note for the history.")]


def parse_date_option(app: AppContext, value: str | None, *, past: bool = False,
                      purpose: str | None = None) -> date | None:
    """A typed date within the accepted range; `past` for a close-out, acknowledgement or
    callback; `purpose` (dates.Purpose) for what the field is for."""
    if value is None:
        return None
    from qiye_service.dates import parse_date

    return parse_date(value, today=app.today(), past=past, purpose=purpose)


FILTER_PARAMETERS: dict[str, Any] = {
    "status": Annotated[list[str] | None, typer.Option(
        "--status", help="Status (repeatable): open, in_progress, resolved, deferred, verifying, or all.",
        rich_help_panel="Filters")],
    "category": Annotated[list[str] | None, typer.Option(
        "--category", "-c", help="Category code, Chinese or English name (repeatable).", rich_help_panel="Filters")],
    "enterprise": Annotated[list[str] | None, typer.Option(
        "--enterprise", "-e", help="Enterprise name (repeatable).", rich_help_panel="Filters")],
    "zone": Annotated[list[str] | None, typer.Option("--zone", help="Park zone, e.g. 南园.", rich_help_panel="Filters")],
    "industry": Annotated[list[str] | None, typer.Option("--industry", help="Industry chain.", rich_help_panel="Filters")],
    "dept": Annotated[list[str] | None, typer.Option("--dept", help="Accountable department.", rich_help_panel="Filters")],
    "owner": Annotated[list[str] | None, typer.Option("--owner", help="Accountable owner.", rich_help_panel="Filters")],
    "tag": Annotated[list[str] | None, typer.Option("--tag", help="Tag (repeatable; all must match).",
                                                    rich_help_panel="Filters")],
    "kind": Annotated[list[str] | None, typer.Option("--kind", help="individual or common.", rich_help_panel="Filters")],
    "priority": Annotated[list[str] | None, typer.Option("--priority", help="urgent, high, normal or low.",
                                                         rich_help_panel="Filters")],
    "overdue": Annotated[bool, typer.Option("--overdue", help="Only unresolved issues past their due date.",
                                            rich_help_panel="Filters")],
    "since": Annotated[str | None, typer.Option("--since", help="Reported on or after this date.",
                                                rich_help_panel="Filters")],
    "until": Annotated[str | None, typer.Option("--until", help="Reported on or before this date.",
                                                rich_help_panel="Filters")],
    "resolved_since": Annotated[str | None, typer.Option("--resolved-since", help="Resolved on or after this date.",
                                                         rich_help_panel="Filters")],
    "resolved_until": Annotated[str | None, typer.Option("--resolved-until", help="Resolved on or before this date.",
                                                         rich_help_panel="Filters")],
    "search": Annotated[str | None, typer.Option("--search", "-s", help="Text in title, description, resolution "
                                                 "or enterprise name.", rich_help_panel="Filters")],
    "level": Annotated[list[str] | None, typer.Option(
        "--level", help="Escalation level (repeatable): due-soon (blue 蓝色), overdue (yellow 黄色), red (红色).",
        rich_help_panel="Filters")],
}
_FILTER_DEFAULTS: dict[str, Any] = {name: None for name in FILTER_PARAMETERS} | {"overdue": False}


def with_filters(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command the filter options of DESIGN §3; it receives them as `filters: IssueFilter`."""
    signature = inspect.signature(command)
    own = [p for p in signature.parameters.values() if p.name != "filters"]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
                          default=_FILTER_DEFAULTS[name])
        for name, annotation in FILTER_PARAMETERS.items()
    ]
    positional = [p for p in own if p.kind is not inspect.Parameter.KEYWORD_ONLY]
    keyword = [p for p in own if p.kind is inspect.Parameter.KEYWORD_ONLY]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        raw = {name: kwargs.pop(name) for name in FILTER_PARAMETERS}
        kwargs["filters"] = build_filter(get_app(kwargs["ctx"]), raw)
        return command(*args, **kwargs)

    del wrapper.__wrapped__  # typer must read the new signature, not the original's
    wrapper.__signature__ = signature.replace(parameters=[*positional, *keyword, *added])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in wrapper.__signature__.parameters.values()}  # type: ignore[attr-defined]
    return wrapper


def build_filter(app: AppContext, raw: dict[str, Any]) -> Any:
    from qiye_service.services.filters import IssueFilter

    return IssueFilter(
        statuses=list(raw["status"] or []),
        categories=list(raw["category"] or []),
        enterprises=list(raw["enterprise"] or []),
        zones=list(raw["zone"] or []),
        industries=list(raw["industry"] or []),
        departments=list(raw["dept"] or []),
        owners=list(raw["owner"] or []),
        tags=list(raw["tag"] or []),
        kinds=list(raw["kind"] or []),
        priorities=list(raw["priority"] or []),
        overdue=bool(raw["overdue"]),
        since=parse_date_option(app, raw["since"]),
        until=parse_date_option(app, raw["until"]),
        resolved_since=parse_date_option(app, raw["resolved_since"]),
        resolved_until=parse_date_option(app, raw["resolved_until"]),
        search=raw["search"],
        levels=list(raw["level"] or []),
        # Levels are measured in working days with the configured thresholds.
        thresholds=supervision_thresholds(app) if raw["level"] else None,
        calendar=app.calendar if raw["level"] else None,
    )


def supervision_thresholds(app: AppContext) -> Any:
    """The escalation and response thresholds of the config (DESIGN §8)."""
    from qiye_service.services.supervision import thresholds_from_config

    return thresholds_from_config(app.config)


# --- files the user names (export and report --out, db backup FILE) --------------------------

ForceOption = Annotated[bool, typer.Option(
    "--force", help="Replace the file if it exists (never the database, its -wal/-shm/-journal, or an SQLite "
    "file such as a backup).")]


def terminal_attached() -> bool:
    """Whether someone is there to answer a question: stdin and stderr are terminals."""
    import sys

    return sys.stdin.isatty() and sys.stderr.isatty()


def output_target(app: AppContext, path: Path | None, force: bool) -> Path | None:
    """The real file to write for `path` (or None for stdout), once it may be written: an existing
    file is replaced with --force, or after a yes at the terminal's prompt (default no); without a
    terminal, an error says to pass --force. The ledger and SQLite files are never replaced."""
    if path is None:
        return None
    app.require_ledger()  # a missing ledger is the error to report, before any question about the file
    from qiye_service import outfiles

    def ask(shown: Path) -> bool:
        return app.confirm("prompt.output_replace", path=shown)

    overwrite: outfiles.Overwrite = True if force else ask if terminal_attached() else False
    return outfiles.check_target(path, ledger=app.location.path, overwrite=overwrite)
