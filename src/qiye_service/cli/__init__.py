"""The root `qiye` app: global options, the per-run context, and the command groups."""

from typing import Annotated

import typer

from qiye_service import __version__
from qiye_service.cli.context import AppContext, QiyeGroup
from qiye_service.i18n import default_lang

app = typer.Typer(
    cls=QiyeGroup,
    name="qiye",
    help="qiye: log, work and close out the problems enterprises raise (走找想促问题台账).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qiye {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", help="Database file or URL (env QIYE_DB).",
                                           show_default=False)] = None,
    actor: Annotated[str | None, typer.Option("--as", help="Who is acting, for the history (env QIYE_USER).",
                                              show_default=False)] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="zh or en (env QIYE_LANG).",
                                             show_default=False)] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """qiye: log, work and close out the problems enterprises raise (走找想促问题台账)."""
    if lang is not None and lang not in ("zh", "en"):
        raise typer.BadParameter(f"{lang!r} is not one of 'zh', 'en'", param_hint="--lang")
    context = AppContext(db_option=db, actor_option=actor, lang=lang or "en")
    if lang is None:  # --lang, else QIYE_LANG, else the config, else the locale
        context.lang = default_lang(context.config.get("lang"))
    ctx.obj = context
    ctx.call_on_close(context.close)


def _register() -> None:
    from qiye_service.cli import catalog, db, enterprises, issues, settings

    app.add_typer(issues.app, name="issue")
    app.add_typer(enterprises.app, name="enterprise")
    app.add_typer(catalog.category_app, name="category")
    app.add_typer(catalog.department_app, name="department")
    app.add_typer(db.app, name="db")
    app.add_typer(settings.app, name="config")
    app.command("init")(db.init)

    from qiye_service.cli import transfer

    app.add_typer(transfer.import_app, name="import")
    app.add_typer(transfer.export_app, name="export")

    from qiye_service.cli import reports

    app.add_typer(reports.app, name="report")


_register()


def main() -> None:
    """The console script."""
    app()
