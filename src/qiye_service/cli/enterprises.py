"""`qiye enterprise …`: the companies the office serves."""

import sys
from typing import Annotated

import typer

from qiye_service.cli.context import get_app
from qiye_service.cli.options import FormatOption, OutputFormat

app = typer.Typer(help="Add, list, show and edit enterprises (企业).", no_args_is_help=True)

LIST_FIELDS = ("name", "zone", "industry", "liaison", "contact", "phone", "issues", "open_issues")
ROW_FIELDS = ("id", "name", "credit_code", "zone", "industry", "contact", "phone", "liaison",
              "issues", "open_issues")
# `enterprise show` adds the visits (issue 22): how many, the last, and who was assigned when.
SHOW_FIELDS = (*ROW_FIELDS, "visits", "last_visited_on")
ASSIGNMENT_FIELDS = ("liaison", "assigned_at", "assigned_by")

NameArg = Annotated[str, typer.Argument(help="Enterprise name (or its credit code).", show_default=False)]
CreditOpt = Annotated[str | None, typer.Option("--credit-code", help="统一社会信用代码, 18 characters.")]
ZoneOpt = Annotated[str | None, typer.Option("--zone", help="Park zone, e.g. 南园.")]
IndustryOpt = Annotated[str | None, typer.Option("--industry", help="Industry chain.")]
ContactOpt = Annotated[str | None, typer.Option("--contact", help="Contact person.")]
PhoneOpt = Annotated[str | None, typer.Option("--phone", help="Contact phone.")]
LiaisonOpt = Annotated[str | None, typer.Option("--liaison", help="The cadre who looks after it.")]


@app.command("add")
def add(ctx: typer.Context, name: NameArg, credit_code: CreditOpt = None, zone: ZoneOpt = None,
        industry: IndustryOpt = None, contact: ContactOpt = None, phone: PhoneOpt = None,
        liaison: LiaisonOpt = None) -> None:
    """Add an enterprise.

    Example: qiye enterprise add 蓝思科技 --zone 北园 --industry 显示功能器件及电子材料 --liaison 李明
    """
    from qiye_service.services import enterprises

    app_ctx = get_app(ctx)
    with app_ctx.session() as session:
        enterprise = enterprises.add_enterprise(
            session, actor=app_ctx.actor(), name=name, credit_code=credit_code, zone=zone,
            industry=industry, contact=contact, phone=phone, liaison=liaison,
        )
    app_ctx.say("msg.enterprise_created", name=enterprise.name)


@app.command("list")
def list_(
    ctx: typer.Context,
    zone: ZoneOpt = None,
    industry: IndustryOpt = None,
    search: Annotated[str | None, typer.Option("--search", "-s", help="Text in the name.")] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List enterprises with their issue counts.

    Example: qiye enterprise list --zone 南园 --format csv
    """
    from qiye_service import render
    from qiye_service.services import enterprises

    app_ctx = get_app(ctx)
    with app_ctx.session(write=False) as session:
        rows = enterprises.list_enterprises(session, zone=zone, industry=industry, search=search)
    if fmt is OutputFormat.table:
        app_ctx.out.print(render.table(rows, LIST_FIELDS, lang=app_ctx.lang))
        app_ctx.say_rows(len(rows))
    else:
        render.write_rows(rows, ROW_FIELDS, fmt.value, sys.stdout, lang=app_ctx.lang)


@app.command("show")
def show(ctx: typer.Context, name: NameArg, fmt: FormatOption = OutputFormat.table) -> None:
    """Show an enterprise and how many of its issues are open.

    Example: qiye enterprise show 蓝思科技
    """
    from qiye_service import render
    from qiye_service.services import enterprises

    app_ctx = get_app(ctx)
    with app_ctx.session(write=False) as session:
        row = enterprises.show_enterprise(session, name)
    render.write_record(fmt.value, row, SHOW_FIELDS, out=sys.stdout, console=app_ctx.out, lang=app_ctx.lang,
                        details=[("assignments", row["assignments"], ASSIGNMENT_FIELDS)])


@app.command("assign")
def assign(ctx: typer.Context, name: NameArg,
           liaison: Annotated[str, typer.Option("--liaison", help="The cadre assigned to it (包联).",
                                                show_default=False)]) -> None:
    """Assign an enterprise its liaison cadre (包联); the history of assignments is kept.

    Example: qiye enterprise assign 蓝思科技 --liaison 李娟
    """
    from qiye_service.services import visits

    app_ctx = get_app(ctx)
    with app_ctx.session() as session:
        enterprise, changed = visits.assign_liaison(session, name, actor=app_ctx.actor(), liaison=liaison)
    app_ctx.say("msg.liaison_assigned" if changed else "msg.liaison_unchanged", name=enterprise.name,
                liaison=enterprise.liaison)


@app.command("edit")
def edit(ctx: typer.Context, name: NameArg,
         new_name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
         credit_code: CreditOpt = None, zone: ZoneOpt = None, industry: IndustryOpt = None,
         contact: ContactOpt = None, phone: PhoneOpt = None, liaison: LiaisonOpt = None) -> None:
    """Change an enterprise's details; an empty value clears an optional field.

    Example: qiye enterprise edit 蓝思科技 --phone 0731-83281234 --liaison 王芳
    """
    from qiye_service.services import enterprises

    app_ctx = get_app(ctx)
    changes = {key: value for key, value in (
        ("name", new_name), ("credit_code", credit_code), ("zone", zone), ("industry", industry),
        ("contact", contact), ("phone", phone), ("liaison", liaison)) if value is not None}
    if not changes:
        app_ctx.say("msg.no_changes")
        return
    with app_ctx.session() as session:
        enterprise = enterprises.edit_enterprise(session, name, actor=app_ctx.actor(), changes=changes)
    app_ctx.say("msg.enterprise_updated", name=enterprise.name)
