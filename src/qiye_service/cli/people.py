"""`qiye user …`: the people registered on a shared ledger, their roles and logins (DESIGN §10)."""

import sys
from typing import Annotated

import typer

from qiye_service.cli.context import get_app
from qiye_service.cli.options import FormatOption, OutputFormat

app = typer.Typer(help="Register and manage the people of a shared ledger (用户): roles, departments, logins.",
                  no_args_is_help=True)

LIST_FIELDS = ("name", "role", "department", "login", "state")
SHOW_FIELDS = (*LIST_FIELDS, "created_at")

NameArg = Annotated[str, typer.Argument(help="The user's name, as the history records it.", show_default=False)]
RoleHelp = "cadre (联企干部), handler (责任单位经办人), supervisor (督办) or admin (管理员)."
DeptOpt = Annotated[str | None, typer.Option("--dept", help="The department the user belongs to (a handler must).",
                                             show_default=False)]
LoginOpt = Annotated[str | None, typer.Option("--login", help="The PostgreSQL or OS login the user is known by.",
                                              show_default=False)]


@app.command("add")
def add(ctx: typer.Context, name: NameArg,
        role: Annotated[str, typer.Option("--role", help=RoleHelp, show_default=False)],
        dept: DeptOpt = None, login: LoginOpt = None) -> None:
    """Register a user with a role, a department and a login.

    Example: qiye user add 王强 --role handler --dept 消防救援大队 --login wangqiang
    """
    from qiye_service.services import people

    app_ctx = get_app(ctx)
    with app_ctx.session() as session:
        user = people.add_user(session, actor=app_ctx.actor(), name=name, role=role, department=dept, login=login)
        shown = {"name": user.name, "role": user.role}
    app_ctx.say("msg.user_created", **shown)


@app.command("list")
def list_(
    ctx: typer.Context,
    role: Annotated[str | None, typer.Option("--role", help="Only users with this role.", show_default=False)] = None,
    dept: Annotated[str | None, typer.Option("--dept", help="Only users of this department.",
                                             show_default=False)] = None,
    include_disabled: Annotated[bool, typer.Option("--all", help="Include disabled users.")] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List the registered users (the active ones unless --all).

    Example: qiye user list --role handler --format csv
    """
    from qiye_service import render
    from qiye_service.services import people

    app_ctx = get_app(ctx)
    with app_ctx.session(write=False) as session:
        rows = people.list_users(session, role=role, department=dept, include_disabled=include_disabled)
    if fmt is OutputFormat.table:
        app_ctx.out.print(render.table(rows, LIST_FIELDS, lang=app_ctx.lang))
        app_ctx.say_rows(len(rows))
    else:
        render.write_rows(rows, LIST_FIELDS, fmt.value, sys.stdout, lang=app_ctx.lang)


@app.command("show")
def show(ctx: typer.Context, name: NameArg, fmt: FormatOption = OutputFormat.table) -> None:
    """Show a user: role, department, login and whether they are active.

    Example: qiye user show 王强 --format json
    """
    from qiye_service import render
    from qiye_service.services import people

    app_ctx = get_app(ctx)
    with app_ctx.session(write=False) as session:
        row = people.show_user(session, name)
    render.write_record(fmt.value, row, SHOW_FIELDS, out=sys.stdout, console=app_ctx.out, lang=app_ctx.lang)


@app.command("edit")
def edit(ctx: typer.Context, name: NameArg,
         new_name: Annotated[str | None, typer.Option("--name", help="New name (only while the history does "
                                                       "not name the user yet).", show_default=False)] = None,
         role: Annotated[str | None, typer.Option("--role", help=RoleHelp, show_default=False)] = None,
         dept: Annotated[str | None, typer.Option("--dept", help="New department; an empty value clears it.",
                                                  show_default=False)] = None,
         login: Annotated[str | None, typer.Option("--login", help="New login; an empty value clears it.",
                                                   show_default=False)] = None) -> None:
    """Change a user's role, department, login or name.

    Example: qiye user edit 王强 --role supervisor --dept ""
    """
    from qiye_service.services import people

    app_ctx = get_app(ctx)
    changes = {key: value for key, value in (("name", new_name), ("role", role), ("department", dept),
                                             ("login", login)) if value is not None}
    if not changes:
        app_ctx.say("msg.no_changes")
        return
    with app_ctx.session() as session:
        user, changed = people.edit_user(session, name, changes=changes)
        shown = user.name
    if changed:
        app_ctx.say("msg.user_updated", name=shown)
    else:
        app_ctx.say("msg.no_changes")


@app.command("disable")
def disable(ctx: typer.Context, name: NameArg) -> None:
    """Disable a user: they can no longer act; the history keeps their name.

    Example: qiye user disable 王强
    """
    _set_active(ctx, name, False)


@app.command("enable")
def enable(ctx: typer.Context, name: NameArg) -> None:
    """Enable a disabled user again.

    Example: qiye user enable 王强
    """
    _set_active(ctx, name, True)


def _set_active(ctx: typer.Context, name: str, active: bool) -> None:
    from qiye_service.services import people

    app_ctx = get_app(ctx)
    with app_ctx.session() as session:
        user, changed = people.set_active(session, name, active)
        shown = user.name
    if active:
        app_ctx.say("msg.user_enabled" if changed else "msg.user_already_enabled", name=shown)
    else:
        app_ctx.say("msg.user_disabled" if changed else "msg.user_already_disabled", name=shown)
