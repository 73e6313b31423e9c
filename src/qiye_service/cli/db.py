"""`qiye init` and `qiye db …`: create, upgrade and describe the database."""

from typing import Annotated

import typer

from qiye_service.cli.context import database_errors, echo, get_app
from qiye_service.cli.options import ForceOption, FormatOption, OutputFormat, output_target

app = typer.Typer(help="Create, upgrade, inspect, check, seal, back up and restore the database; grant logins.",
                  no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Create the database or bring its schema to this version's revision.

    Example: qiye db upgrade
    """
    app_ctx = get_app(ctx)
    app_ctx.authorize(before_schema=True)
    engine = app_ctx.engine()
    from qiye_service.db import stored_revision

    with database_errors(engine):
        revision = stored_revision(engine)
    app_ctx.say("msg.db_ready", err=True, where=app_ctx.location.display, revision=revision)


def init(
    ctx: typer.Context,
    sample: Annotated[bool, typer.Option("--sample", help="Load the bundled sample ledger (174 problems of 2023).")] = False,
) -> None:
    """Create the database, or upgrade it; --sample loads the bundled sample ledger.

    Example: qiye init --sample
    """
    upgrade(ctx)
    if sample:
        from qiye_service.cli.transfer import load_sample

        load_sample(ctx)


@app.command("info")
def info(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """Show where the database is, its schema revision and its row counts.

    Example: qiye db info --format json
    """
    import sys

    from qiye_service import render
    from qiye_service.services.database import database_info

    app_ctx = get_app(ctx)
    app_ctx.require_ledger()
    engine = app_ctx.engine(read_only=True)
    with database_errors(engine):
        facts = database_info(engine)
    render.write_record(fmt.value, facts, list(facts), out=sys.stdout, console=app_ctx.out, lang=app_ctx.lang)


CHECK_FIELDS = ("check", "issue_id", "event_id", "message")


@app.command("backup")
def backup(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="The copy to write (a directory gets a dated file).", show_default=False)],
    force: ForceOption = False,
) -> None:
    """Copy the live database to FILE, consistently, while others keep working.

    On PostgreSQL the copy is a portable SQLite file that `db restore` takes on either backend.
    An existing FILE is replaced only with --force (or a yes at the terminal), and never when
    it is an SQLite file, such as an earlier backup: give each backup its own name, or a folder.

    Example: qiye db backup ~/qiye-backups/
    """
    from qiye_service.dates import now_utc
    from qiye_service.services import backup as backups

    app_ctx = get_app(ctx)
    app_ctx.require_ledger()
    import os

    folder = file.endswith(("/", os.sep))  # `~/qiye-backups/`: a folder, even one not made yet
    target = backups.backup_target(_path(file), stamp=now_utc(), folder=folder)
    checked = output_target(app_ctx, target, force)
    assert checked is not None
    engine = app_ctx.engine(read_only=True)
    app_ctx.interrupted = ("error.interrupted_backup", {"path": str(target)})
    with database_errors(engine), app_ctx.progress() as progress:
        facts = backups.backup_database(engine, checked, progress)
    app_ctx.say("msg.backup_done", where=app_ctx.location.display, path=target, issues=facts.issues,
                events=facts.events, revision=facts.revision)


@app.command("restore")
def restore(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A file made by `qiye db backup`.", show_default=False)],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Replace without asking.")] = False,
) -> None:
    """Replace the database with a backup, after checking the backup; the replaced one is kept.

    Example: qiye db restore ~/qiye-backups/qiye-20231220-100000.db --yes
    """
    import sys
    from pathlib import Path

    from qiye_service.dates import now_utc
    from qiye_service.services import backup as backups

    app_ctx = get_app(ctx)
    location = app_ctx.location
    if location.is_sqlite:
        _refuse_foreign(location)
    app_ctx.authorize(before_schema=True)  # who may replace the ledger (services.permissions)
    # The live SQLite file may be broken: that is what restores are for.
    engine = app_ctx.engine(migrate=False) if location.is_sqlite else app_ctx.engine()
    app_ctx.interrupted = ("error.interrupted_restore", {})
    with database_errors(engine):
        source = _path(file)
        with app_ctx.progress("progress.restore_check", path=str(source)):
            prepared = backups.prepare_restore(source, ledger=location.path)
        try:
            if not yes:
                if not sys.stdin.isatty():
                    from qiye_service.errors import InvalidValue

                    raise InvalidValue("error.restore_confirm", where=location.display)
                current = backups.database_facts(engine)
                if not app_ctx.confirm("prompt.restore", where=location.display, path=prepared.source,
                                       issues=current.issues if current else "?",
                                       new_issues=prepared.facts.issues):
                    app_ctx.say("msg.restore_aborted", err=True)
                    raise typer.Exit(1)
            engine.dispose()  # our own pooled connections would hold the old file open
            def restored(kept: Path | None) -> None:
                app_ctx.interrupted = ("error.interrupted_restored", {"path": str(prepared.source)}) if kept is None \
                    else ("error.interrupted_restored_kept", {"path": str(prepared.source), "kept": str(kept)})

            with app_ctx.progress("progress.restore"):
                kept = backups.restore_database(engine, prepared, stamp=now_utc(), restored=restored)
        finally:
            prepared.discard()
    app_ctx.say("msg.restore_done", where=location.display, path=prepared.source,
                issues=prepared.facts.issues, events=prepared.facts.events)
    if kept is not None:
        app_ctx.say("msg.restore_kept", path=kept)


@app.command("check")
def check(
    ctx: typer.Context,
    fmt: FormatOption = OutputFormat.table,
    seal: Annotated[str | None, typer.Option(
        "--seal", help="A seal printed earlier (`qiye db seal`, the weekly report): prove nothing it sealed changed.",
        show_default=False)] = None,
) -> None:
    """Check the database: storage, every issue against its history, and the ledger seals.

    Exits 1 and lists what is wrong when anything is: an altered or deleted event, an event
    dated before the history it follows, an issue whose status, close-out date or note differs
    from what its history says, or a seal (given with --seal, or recorded by `db seal`) that no
    longer holds: a sealed event changed, reordered or deleted, whole issues included.

    Example: qiye db check --seal 2050-2041-9f3a1c2b7d4e5f60a1b2c3d4
    """
    import sys

    from qiye_service import render
    from qiye_service.errors import QiyeError
    from qiye_service.services.integrity import check_database, wal_findings
    from qiye_service.services.seal import parse_seal

    app_ctx = get_app(ctx)
    printed = parse_seal(seal) if seal is not None else None
    # Before anything opens the ledger: opening it indexes a stray -wal as if it were its own.
    stray = wal_findings(app_ctx.location.path) if app_ctx.location.path is not None else []
    try:
        app_ctx.interrupted = ("error.interrupted_check", {})
        with app_ctx.progress() as progress, app_ctx.session(write=False) as session:
            report = check_database(session=session, seal=printed, progress=progress)
    except QiyeError:
        for finding in stray:  # what SQLite read as the ledger may be that -wal's database
            app_ctx.warn(app_ctx.t(finding.key, **finding.params))
        raise
    report.findings[:0] = stray
    rows = [{"check": f.check, "issue_id": f.issue_id, "event_id": f.event_id,
             "message": app_ctx.t(f.key, **_shown_values(app_ctx, f.params))} for f in report.findings]
    if fmt is OutputFormat.json:
        render.write("json", {"ok": report.ok, "issues": report.issues, "events": report.events,
                              "recorded_seals": report.recorded_seals,
                              "seal": None if printed is None else {"seal": printed.text, "ok": report.seal_holds},
                              "problems": rows}, out=sys.stdout)
    elif fmt is OutputFormat.table:
        for row in rows:
            echo(f"- {row['message']}")
        if report.ok:
            app_ctx.say("msg.check_ok", issues=report.issues, events=report.events)
            if report.recorded_seals:
                app_ctx.say("msg.check_recorded_seals_ok", count=report.recorded_seals)
        if printed is not None and report.seal_holds:
            app_ctx.say("msg.check_seal_ok", seal=printed.text, events=printed.events, event=printed.event_id)
    else:
        render.write_rows(rows, CHECK_FIELDS, fmt.value, sys.stdout, lang=app_ctx.lang)
    if not report.ok:
        raise QiyeError("error.check_failed", count=len(rows))


@app.command("seal")
def seal(
    ctx: typer.Context,
    history: Annotated[bool, typer.Option("--history", help="List the seals recorded so far instead.")] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Print the ledger seal, a short digest over every event so far, and record it in the ledger.

    Keep the seal where those who can edit the database cannot reach it (the meeting minutes, a
    message); `qiye db check --seal SEAL` then proves that none of the events it sealed was
    changed, reordered or deleted. The seal goes to stdout alone, for scripts.

    Example: qiye db seal >> ~/seals.txt
    """
    from qiye_service.db import BUSY_TIMEOUT_SECONDS
    from qiye_service.services import seal as seals

    app_ctx = get_app(ctx)
    if history:
        with app_ctx.session(write=False) as session:
            rows = [seals.seal_row(recorded) for recorded in seals.recorded_seals(session.connection())]
        _write_records(app_ctx, rows, seals.SEAL_TABLE_FIELDS if fmt is OutputFormat.table else seals.SEAL_FIELDS,
                       fmt)
        return
    app_ctx.interrupted = ("error.interrupted_seal", {})  # recorded in one short transaction, at the end
    with app_ctx.progress() as progress, app_ctx.session(write=False) as session:
        current = seals.ledger_seal(session, wait_seconds=BUSY_TIMEOUT_SECONDS, progress=progress)
    actor = app_ctx.actor()
    with app_ctx.session() as session:
        recorded = seals.record_seal(session, current, actor=actor.name, at=actor.now)
    app_ctx.interrupted = ("error.interrupted_sealed", {"seal": current.text})
    if fmt is OutputFormat.table:
        echo(current.text)
        app_ctx.say("msg.seal_taken", err=True, events=current.events, event=current.event_id, seal=current.text)
        return
    _write_records(app_ctx, [seals.seal_row(recorded)], seals.SEAL_FIELDS, fmt, one=True)


@app.command("grant")
def grant(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(help="The PostgreSQL login (created if missing).", show_default=False)],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Set the login's password, read from standard input (never printed).")] = False,
    admin: Annotated[bool, typer.Option(
        "--admin", help="Also let it manage users (qiye user add/edit/disable): for a qiye admin's login.")] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Let a PostgreSQL login use this ledger, with what qiye's commands need and no more.

    Creates the login if missing (with no password unless --password-stdin, for trust or peer
    authentication), or resets its privileges on the ledger. It may read every table and write
    what the commands write; the history is append-only (events and seals: no UPDATE, DELETE or
    TRUNCATE), the schema and its revision are the owner's. Run it as the login that owns the
    ledger (the one that ran `qiye init`), again after `qiye db upgrade`. Then map the login to a
    person with `qiye user add NAME --role ROLE --login LOGIN`.

    Example: qiye db grant wangqiang --password-stdin < wangqiang.pw
    """
    import json

    from qiye_service import render
    from qiye_service.errors import InvalidValue
    from qiye_service.services import grants

    app_ctx = get_app(ctx)
    if app_ctx.location.is_sqlite:
        raise InvalidValue("error.grant_sqlite")
    grants.check_login_name(login)
    password = _read_password(app_ctx) if password_stdin else None
    engine = app_ctx.engine()
    with database_errors(engine):
        done = grants.grant_login(engine, login, password=password, admin=admin)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps({"login": done.login, "database": done.database, "schema": done.schema,
                               "created": done.created, "password_set": done.password_set,
                               "privileges": {table: list(privileges) for table, privileges in done.privileges.items()},
                               "sequences": done.sequences,
                               "still_allowed": [list(pair) for pair in done.leftovers]},
                              ensure_ascii=False, indent=2))
    elif fmt is OutputFormat.table:
        app_ctx.say("msg.grant_created" if done.created else "msg.grant_existing", login=done.login)
        if done.login_enabled:
            app_ctx.say("msg.grant_login_enabled", login=done.login)
        if done.password_set:
            app_ctx.say("msg.grant_password", login=done.login)
        if done.public_create_revoked:
            app_ctx.say("msg.grant_public_create", schema=done.schema)
        app_ctx.out.print(render.table(done.rows(), ("table", "privileges"), lang=app_ctx.lang))
        app_ctx.say("msg.grant_done", login=done.login, database=done.database, schema=done.schema)
    else:
        import sys

        render.write_rows(done.rows(), ("table", "privileges"), fmt.value, sys.stdout, lang=app_ctx.lang)
    for thing, privilege in done.leftovers:
        app_ctx.warn(app_ctx.t("warn.grant_leftover", login=done.login, privilege=privilege, thing=thing))


def _read_password(app_ctx) -> str:  # type: ignore[no-untyped-def]
    """The password from standard input: its first line (a prompt without echo at a terminal)."""
    import sys

    from qiye_service.errors import InvalidValue

    if sys.stdin.isatty():
        import getpass

        text = getpass.getpass(app_ctx.t("prompt.grant_password"))
    else:
        text = sys.stdin.readline()
    text = text.rstrip("\r\n")
    if not text:
        raise InvalidValue("error.grant_bad_password")
    return text


def _write_records(app_ctx, rows: list[dict], fields: tuple[str, ...], fmt: OutputFormat,  # type: ignore[no-untyped-def]
                   one: bool = False) -> None:
    """Rows as a table, or in a machine format (`one`: a JSON object rather than an array)."""
    import sys

    from qiye_service import render

    if fmt is OutputFormat.table:
        if rows:
            app_ctx.out.print(render.table(rows, fields, lang=app_ctx.lang))
        app_ctx.say_rows(len(rows))
    elif fmt is OutputFormat.json and one:
        render.write("json", {name: render.json_value(rows[0][name]) for name in fields}, out=sys.stdout)
    else:
        render.write_rows(rows, fields, fmt.value, sys.stdout, lang=app_ctx.lang)


def _shown_values(app_ctx, params: dict) -> dict:  # type: ignore[no-untyped-def]
    """Field values in a finding as a person reads them: quoted, shortened, or `empty`."""
    shown = dict(params)
    for key in ("actual", "expected"):
        if key in shown:
            value = shown[key]
            shown[key] = app_ctx.t("check.empty") if value is None else repr(
                value if len(value) <= 60 else value[:57] + "...")
    return shown


def _path(text: str):  # type: ignore[no-untyped-def]
    """A typed path, with the error of DESIGN §7 for one no file system accepts."""
    from pathlib import Path

    from qiye_service.errors import InvalidValue

    if not text.strip() or "\x00" in text:
        raise InvalidValue("error.bad_path", value=text)
    return Path(text).expanduser().absolute()


def _refuse_foreign(location) -> None:  # type: ignore[no-untyped-def]
    """Restoring may replace a broken qiye database, but never another program's database."""
    from qiye_service.db import probe_sqlite_file
    from qiye_service.errors import DatabaseUnavailable

    try:
        probe_sqlite_file(location.path)
    except DatabaseUnavailable as exc:
        if exc.key == "error.db_not_qiye":
            raise
