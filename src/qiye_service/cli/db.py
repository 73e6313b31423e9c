"""`qiye init` and `qiye db …`: create, upgrade and describe the database."""

from typing import Annotated

import typer

from qiye_service.cli.context import database_errors, get_app
from qiye_service.cli.options import FormatOption, OutputFormat

app = typer.Typer(help="Create, upgrade, inspect, back up and restore the database.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Create the database or bring its schema to this version's revision.

    Example: qiye db upgrade
    """
    app_ctx = get_app(ctx)
    engine = app_ctx.engine()
    from qiye_service.db import stored_revision

    with database_errors(engine):
        revision = stored_revision(engine)
    typer.echo(app_ctx.t("msg.db_ready", where=app_ctx.location.display, revision=revision), err=True)


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
    import json

    from qiye_service.services.database import database_info

    app_ctx = get_app(ctx)
    engine = app_ctx.engine()
    with database_errors(engine):
        facts = database_info(engine)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(facts, ensure_ascii=False, indent=2))
        return
    if fmt is OutputFormat.table:
        for key, value in facts.items():
            typer.echo(f"{key:>14}: {value}")
        return
    import sys

    from qiye_service import render

    render.write_rows([facts], list(facts), fmt.value, sys.stdout, lang=app_ctx.lang)
