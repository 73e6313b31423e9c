"""`qiye category …` and `qiye department …`: the lists issues point at."""

import sys
from typing import Annotated

import typer

from qiye_service.cli.context import get_app
from qiye_service.cli.options import FormatOption, OutputFormat

category_app = typer.Typer(help="Add and list problem categories (问题类别).", no_args_is_help=True)
department_app = typer.Typer(help="Add and list accountable departments (责任单位).", no_args_is_help=True)

CATEGORY_FIELDS = ("code", "name_zh", "name_en", "issues", "open_issues")
DEPARTMENT_FIELDS = ("name", "issues", "open_issues")


def _show(ctx: typer.Context, rows: list[dict], fields: tuple[str, ...], fmt: OutputFormat) -> None:
    from qiye_service import render

    app_ctx = get_app(ctx)
    if fmt is OutputFormat.table:
        app_ctx.out.print(render.table(rows, fields, lang=app_ctx.lang))
    else:
        render.write_rows(rows, fields, fmt.value, sys.stdout, lang=app_ctx.lang)


@category_app.command("add")
def add_category(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Slug code, e.g. safety-check.", show_default=False)],
    name_zh: Annotated[str, typer.Option("--zh", help="Chinese name.")],
    name_en: Annotated[str, typer.Option("--en", help="English name.")],
) -> None:
    """Add a category.

    Example: qiye category add environment --zh 环评手续 --en "Environmental approval"
    """
    from qiye_service.services import catalog

    app_ctx = get_app(ctx)
    with app_ctx.session() as session:
        category = catalog.add_category(session, code=code, name_zh=name_zh, name_en=name_en)
    app_ctx.say("msg.category_created", code=category.code)


@category_app.command("list")
def list_categories(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """List categories with their issue counts.

    Example: qiye category list --format json
    """
    from qiye_service.services import catalog

    with get_app(ctx).session(write=False) as session:
        rows = catalog.list_categories(session)
    _show(ctx, rows, CATEGORY_FIELDS, fmt)


@department_app.command("add")
def add_department(ctx: typer.Context,
                   name: Annotated[str, typer.Argument(help="Department name.", show_default=False)]) -> None:
    """Add a department.

    Example: qiye department add 消防救援大队
    """
    from qiye_service.services import catalog

    app_ctx = get_app(ctx)
    with app_ctx.session() as session:
        department = catalog.add_department(session, name=name)
    app_ctx.say("msg.department_created", name=department.name)


@department_app.command("list")
def list_departments(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """List departments with their issue counts.

    Example: qiye department list
    """
    from qiye_service.services import catalog

    with get_app(ctx).session(write=False) as session:
        rows = catalog.list_departments(session)
    _show(ctx, rows, DEPARTMENT_FIELDS, fmt)
