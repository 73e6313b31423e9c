"""Evidence (佐证材料, DESIGN §14, issue 23): `qiye issue attach`, `qiye attachment get|list` and
`qiye export attachments`."""

from pathlib import Path
from typing import Annotated, Any

import typer

from qiye_service.cli.context import echo, get_app
from qiye_service.cli.options import ForceOption, FormatOption, IssueIdArgument, OutputFormat, with_filters

app = typer.Typer(help="Get back the files kept as evidence (佐证材料), or list them.", no_args_is_help=True)

# What `attachment list` and a terminal's `issue show` give of each file (the machine formats
# give every field of models.ATTACHMENT_FIELDS).
TABLE_FIELDS = ("id", "issue_id", "name", "size", "media_type", "added_at", "added_by", "note")
SHOW_FIELDS = ("id", "name", "size", "media_type", "added_at", "added_by", "note", "sha256")


def attach(
    ctx: typer.Context,
    issue_id: IssueIdArgument,
    files: Annotated[list[Path], typer.Argument(help="The files to keep with the issue (photos, scans, certificates).",
                                                show_default=False)],
    note: Annotated[str | None, typer.Option("--note", "-n", help="What the files show, for the history.")] = None,
) -> None:
    """Keep files with an issue as evidence (佐证材料), each with its SHA-256 in the issue's history.

    A file larger than `attach.max_size` (default 20MB) is refused and nothing is kept. The same
    content attached again is stored once. Prints each new attachment's id.

    Example: qiye issue attach 12 消防验收意见书.pdf 现场照片.jpg --note "验收合格"
    """
    import sys

    from qiye_service.services import attachments, lookups

    app_ctx = get_app(ctx)
    wanted = lookups.parse_issue_id(issue_id)
    limit = attachments.max_size(app_ctx.config)
    incoming = attachments.check_files(list(files), limit=limit)
    with app_ctx.session() as session:
        added = attachments.attach_files(session, wanted, incoming, actor=app_ctx.actor(), note=note, limit=limit)
    for row in added:
        if sys.stdout.isatty():
            app_ctx.say("msg.attached", id=wanted, attachment=row["id"], name=row["name"],
                        size=attachments.shown_size(row["size"]), sha256=row["sha256"][:12])
        else:
            echo(str(row["id"]))


@app.command("get")
def get(
    ctx: typer.Context,
    attachment_id: Annotated[str, typer.Argument(help="Attachment id, as `issue show` lists it.", show_default=False)],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the file here instead of to stdout.",
                                             show_default=False)] = None,
    force: ForceOption = False,
) -> None:
    """Give back a file kept as evidence, byte for byte, checked against its SHA-256.

    Without --out the bytes go to stdout, which must not be a terminal (redirect it, or pipe it).

    Example: qiye attachment get 3 --out 消防验收意见书.pdf
    """
    import sys

    from qiye_service import outfiles
    from qiye_service.cli.options import output_target
    from qiye_service.errors import InvalidValue
    from qiye_service.services import attachments

    app_ctx = get_app(ctx)
    wanted = _attachment_id(attachment_id)
    target = output_target(app_ctx, out, force)
    if target is None and sys.stdout.isatty():
        raise InvalidValue("error.attachment_terminal", id=wanted)
    with app_ctx.session(write=False) as session:
        row = attachments.get_attachment(session, wanted)
        if target is None:
            try:
                attachments.write_content(session, row, sys.stdout.buffer)
                sys.stdout.buffer.flush()
            except BrokenPipeError:
                raise
            except OSError as exc:
                raise outfiles.stdout_failed(exc) from None
            return
        app_ctx.interrupted = ("error.interrupted_out", {"path": str(out)})
        with outfiles.written(target, ledger=app_ctx.location.path, binary=True) as handle:
            attachments.write_content(session, row, handle)
    app_ctx.say("msg.attachment_written", err=True, id=wanted, name=row["name"], path=str(out),
                size=attachments.shown_size(row["size"]))


@app.command("list")
def list_(
    ctx: typer.Context,
    issue_id: Annotated[str | None, typer.Option("--issue", help="Only this issue's files.", show_default=False)] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List the files kept as evidence, oldest first, with their size and SHA-256.

    Example: qiye attachment list --issue 12 --format csv
    """
    from qiye_service.services import attachments, lookups

    app_ctx = get_app(ctx)
    wanted = lookups.parse_issue_id(issue_id) if issue_id is not None else None
    with app_ctx.session(write=False) as session:
        if wanted is not None:
            lookups.get_issue(session, wanted)
        rows = attachments.list_attachments(session, wanted)
    write_attachment_rows(app_ctx, rows, fmt, TABLE_FIELDS)


def write_attachment_rows(app_ctx: Any, rows: list[dict[str, Any]], fmt: OutputFormat, table_fields: tuple[str, ...],
                          *, title: str | None = None) -> None:
    """Attachments as a terminal table (sizes as people read them) or in a machine format."""
    import sys

    from qiye_service import render
    from qiye_service.models import ATTACHMENT_FIELDS
    from qiye_service.services.attachments import shown_size

    if fmt is OutputFormat.table:
        if not rows:
            if title is None:
                app_ctx.say("msg.none_found", err=True)
            return
        shown = [{**row, "size": shown_size(row["size"])} for row in rows]
        app_ctx.out.print(render.table(shown, table_fields, lang=app_ctx.lang, title=title))
        return
    if fmt is OutputFormat.markdown:
        rows = [{**row, "size": shown_size(row["size"])} for row in rows]
        render.write_rows(rows, table_fields, "markdown", sys.stdout, lang=app_ctx.lang)
        return
    render.write_rows(rows, ATTACHMENT_FIELDS, fmt.value, sys.stdout, lang=app_ctx.lang)


def _attachment_id(text: str) -> int:
    from qiye_service.errors import InvalidValue
    from qiye_service.services.lookups import MAX_ID

    raw = text.strip()
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise InvalidValue("error.bad_attachment_id", value=text)
    return int(raw)


@with_filters
def export_attachments(
    ctx: typer.Context,
    filters: Any = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The folder to write the files into (made if missing).",
                                      show_default=False)] = ...,  # type: ignore[assignment]
    force: Annotated[bool, typer.Option("--force", help="Replace files already in the folder.")] = False,
) -> None:
    """Write the files kept with the matching issues into a folder, with attachments.csv listing them.

    Every status unless --status is given. The files go to DIR/<issue id>/<attachment id>-<name>.
    Each file is checked against its SHA-256 as it is written. Nothing in the folder is replaced
    without --force; when a file cannot be written, those this run wrote are removed.

    Example: qiye export attachments --status resolved --since 2023-01-01 --out 佐证材料/
    """
    from qiye_service.services import attachments
    from qiye_service.services.filters import resolve_filter

    app_ctx = get_app(ctx)
    app_ctx.require_ledger()
    with app_ctx.session(write=False) as session:
        flt = resolve_filter(session, filters, default_statuses=None)
        rows = attachments.list_attachments(session, None, flt=flt, today=app_ctx.today())
        app_ctx.interrupted = ("error.interrupted_out", {"path": str(out)})
        written = attachments.export_files(session, rows, out.expanduser().absolute(),
                                           ledger=app_ctx.location.path, overwrite=force)
    app_ctx.say("msg.attachments_exported", err=True, count=written, path=str(out))
