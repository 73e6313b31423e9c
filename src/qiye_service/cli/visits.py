"""`qiye visit …`: the campaign's visit log (走访记录, DESIGN §12): add, list and show visits."""

import sys
from typing import Annotated, Any

import typer

from qiye_service.cli.context import echo, get_app
from qiye_service.cli.options import FormatOption, OutputFormat, parse_date_option

app = typer.Typer(help="Log, list and show visits to enterprises (走访).", no_args_is_help=True)

LIST_TABLE_FIELDS = ("id", "visited_on", "enterprise", "visited_by", "visit_kind", "issues", "note")
LIST_FIELDS = ("id", "visited_on", "enterprise", "visited_by", "visit_kind", "note", "zone", "industry", "liaison",
               "issues", "created_by", "created_at")
SHOW_FIELDS = LIST_FIELDS
FOUND_FIELDS = ("id", "title", "status")

KindOpt = Annotated[str | None, typer.Option("--kind", help="visit, meeting, phone or online (default visit).",
                                             show_default=False)]


@app.command("add")
def add(
    ctx: typer.Context,
    enterprise: Annotated[str, typer.Argument(help="The enterprise visited.", show_default=False)],
    on: Annotated[str, typer.Option("--on", help="The day of the visit (today, 昨天, 2023-05-12 …); never in "
                                    "the future.", show_default=False)],
    note: Annotated[str, typer.Option("--note", help="What was seen and heard (走访情况).", show_default=False)],
    by: Annotated[str | None, typer.Option("--by", help="The cadre who visited (default: you).",
                                           show_default=False)] = None,
    kind: KindOpt = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Log a visit to an enterprise; prints its id, which issue add --visit takes.

    Example: qiye visit add 蓝思科技 --on 昨天 --note "二期厂房消防验收待复查"
    """
    from qiye_service import render
    from qiye_service.services import permissions, visits

    app_ctx = get_app(ctx)
    day = parse_date_option(app_ctx, on, purpose="reported")
    assert day is not None
    with app_ctx.session() as session:
        permissions.check_visit_by(app_ctx.identity(session), by)
        visit = visits.add_visit(session, actor=app_ctx.actor(), enterprise=enterprise, on=day, by=by, kind=kind,
                                 note=note)
        row = visits.show_visit(session, visit.id) if fmt is not OutputFormat.table else None
    if row is None:
        echo(str(visit.id))
    elif fmt is OutputFormat.json:
        render.write("json", {f: render.json_value(row[f]) for f in LIST_FIELDS}, out=sys.stdout)
    else:
        render.write(fmt.value, [row], LIST_FIELDS, out=sys.stdout, lang=app_ctx.lang)


EnterprisesOpt = Annotated[list[str] | None, typer.Option("--enterprise", "-e", help="Enterprise name (repeatable).",
                                                         show_default=False)]
LiaisonsOpt = Annotated[list[str] | None, typer.Option("--liaison", help="The enterprises' liaison cadre (repeatable).",
                                                       show_default=False)]
ZonesOpt = Annotated[list[str] | None, typer.Option("--zone", help="Park zone, e.g. 南园.", show_default=False)]
IndustriesOpt = Annotated[list[str] | None, typer.Option("--industry", help="Industry chain.", show_default=False)]
KindsOpt = Annotated[list[str] | None, typer.Option("--kind", help="visit, meeting, phone or online (repeatable).",
                                                    show_default=False)]
SinceOpt = Annotated[str | None, typer.Option("--since", help="Visits on or after this day.", show_default=False)]
UntilOpt = Annotated[str | None, typer.Option("--until", help="Visits on or before this day.", show_default=False)]


def visit_filter(app_ctx: Any, *, enterprise: list[str] | None, liaison: list[str] | None, zone: list[str] | None,
                 industry: list[str] | None, kind: list[str] | None, since: str | None, until: str | None) -> Any:
    """The filter of visit list and export visits."""
    from qiye_service.services.visits import VisitFilter

    return VisitFilter(enterprises=enterprise, liaisons=liaison, zones=zone, industries=industry, kinds=kind,
                       since=parse_date_option(app_ctx, since), until=parse_date_option(app_ctx, until))


@app.command("list")
def list_(
    ctx: typer.Context,
    enterprise: EnterprisesOpt = None,
    liaison: LiaisonsOpt = None,
    zone: ZonesOpt = None,
    industry: IndustriesOpt = None,
    kind: KindsOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="At most this many rows.",
                                              show_default=False)] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List visits, most recent first, with how many problems each found.

    Example: qiye visit list --liaison 李娟 --since 2023-11-01 --format csv
    """
    from qiye_service import render
    from qiye_service.errors import InvalidValue
    from qiye_service.services import visits

    app_ctx = get_app(ctx)
    if limit is not None and limit < 1:
        raise InvalidValue("error.bad_limit", value=limit)
    flt = visit_filter(app_ctx, enterprise=enterprise, liaison=liaison, zone=zone, industry=industry, kind=kind,
                       since=since, until=until)
    with app_ctx.session(write=False) as session:
        rows, total = visits.list_visits(session, flt, limit=limit)
    if fmt is OutputFormat.table:
        if not rows:
            app_ctx.say("msg.none_found", err=True)
            return
        app_ctx.out.print(render.table(rows, LIST_TABLE_FIELDS, lang=app_ctx.lang))
        app_ctx.say_rows(len(rows), total)
    else:
        render.write(fmt.value, rows, LIST_FIELDS, out=sys.stdout, lang=app_ctx.lang)


@app.command("show")
def show(ctx: typer.Context,
         visit_id: Annotated[str, typer.Argument(help="The visit's id (12 or #12).", show_default=False)],
         fmt: FormatOption = OutputFormat.table) -> None:
    """Show one visit and the problems it found.

    Example: qiye visit show 12
    """
    from qiye_service import render
    from qiye_service.services import visits

    app_ctx = get_app(ctx)
    wanted = visits.parse_visit_id(visit_id)
    with app_ctx.session(write=False) as session:
        row = visits.show_visit(session, wanted)
    render.write_record(fmt.value, row, SHOW_FIELDS, out=sys.stdout, console=app_ctx.out, lang=app_ctx.lang,
                        details=[("found", row["found"], FOUND_FIELDS)])
