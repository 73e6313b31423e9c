"""`qiye issue …`: file, list, show and work issues."""

import sys
from typing import Annotated, Any

import typer

from qiye_service.cli.context import AppContext, echo, get_app
from qiye_service.cli.options import (
    FormatOption,
    IssueIdArgument,
    LabelsOption,
    NoteOption,
    OutputFormat,
    parse_date_option,
    with_filters,
)
from qiye_service.i18n import Listed

app = typer.Typer(help="File, list, show and work issues (问题).", no_args_is_help=True)

LIST_FIELDS = ("id", "title", "enterprise", "category", "status", "priority", "department", "owner",
               "reported_on", "due_on")
# The table adds the escalation level marker (DESIGN §8); machine formats keep the §4 row.
LIST_TABLE_FIELDS = (*LIST_FIELDS, "level")
SHOW_FIELDS = ("id", "title", "description", "enterprise", "project", "category", "kind", "source",
               "priority", "status", "department", "owner", "reported_on", "due_on", "resolved_on",
               "resolution", "tags", "created_by", "created_at", "updated_at")

TitleOpt = Annotated[str | None, typer.Option("--title", help="Short title.")]
DescOpt = Annotated[str | None, typer.Option("--desc", help="Description.")]
EnterpriseOpt = Annotated[str | None, typer.Option("--enterprise", "-e", help="Enterprise name.")]
ProjectOpt = Annotated[str | None, typer.Option("--project", help="The industrial project it blocks.")]
CategoryOpt = Annotated[str | None, typer.Option("--category", "-c", help="Category code, Chinese or English name.")]
KindOpt = Annotated[str | None, typer.Option("--kind", help="individual (个性) or common (共性).")]
SourceOpt = Annotated[str | None, typer.Option("--source", help="visit, meeting, phone, online or other.")]
PriorityOpt = Annotated[str | None, typer.Option("--priority", help="urgent, high, normal or low.")]
DeptOpt = Annotated[str | None, typer.Option("--dept", help="Accountable department.")]
OwnerOpt = Annotated[str | None, typer.Option("--owner", help="Accountable owner (揭榜挂帅).")]
ReportedOpt = Annotated[str | None, typer.Option("--reported", help="Date reported (default today).")]
DueOpt = Annotated[str | None, typer.Option("--due", help="Deadline: a date, +3d, +5wd (working days), or none.")]
TagOpt = Annotated[list[str] | None, typer.Option("--tag", help="Tag (repeatable).")]
DispatchedOpt = Annotated[str | None, typer.Option(
    "--dispatched", help="Date dispatched (派单) to --dept/--owner (default the reported date).")]


def render_issue_rows(app_ctx: AppContext, rows: list[dict[str, Any]], fmt: OutputFormat, *,
                      labels: bool, category_names: dict[str, tuple[str, str]], table_fields=LIST_FIELDS,
                      styles: dict[str, Any] | None = None, total: int | None = None) -> None:
    from qiye_service import render
    from qiye_service.models import ISSUE_FIELDS

    if fmt is OutputFormat.table:
        if not rows:
            app_ctx.say("msg.none_found", err=True)
            return
        app_ctx.out.print(render.table(rows, table_fields, lang=app_ctx.lang, category_names=category_names,
                                       styles=styles))
        app_ctx.say_rows(len(rows), total)
        return
    fields: list[str] = list(ISSUE_FIELDS)
    if labels and fmt.value in render.MACHINE_FORMATS:
        rows = [render.add_labels(r, fields, app_ctx.lang, category_names) for r in rows]
        fields = render.labelled_fields(fields, category_names)
    render.write_rows(rows, fields, fmt.value, sys.stdout, lang=app_ctx.lang, category_names=category_names)


def _visit_id(text: str | None) -> int | None:
    if text is None:
        return None
    from qiye_service.services.visits import parse_visit_id

    return parse_visit_id(text)


def _due(app_ctx: AppContext, text: str | None, base: Any) -> Any:
    from qiye_service.services.deadlines import parse_due

    if text is None or text.strip().lower() == "none":
        return None
    return parse_due(text, today=app_ctx.today(), base=base, calendar=app_ctx.calendar)


def _response_deadline(app_ctx: AppContext) -> Any:
    """The acknowledgement deadline of a dispatch made on a given day (DESIGN §8)."""
    from qiye_service.cli.options import supervision_thresholds
    from qiye_service.services.supervision import acknowledge_deadline

    thresholds = supervision_thresholds(app_ctx)
    return lambda dispatch_day: acknowledge_deadline(dispatch_day, app_ctx.calendar, thresholds)


def _level_markers(app_ctx: AppContext, session: Any, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Put each row's escalation level, as a localised word, in `level`; returns the cell styles."""
    from qiye_service.cli.options import supervision_thresholds
    from qiye_service.i18n import value_label
    from qiye_service.render import LEVEL_STYLES
    from qiye_service.services.supervision import level_cutoffs, levels_by_issue

    cutoffs = level_cutoffs(app_ctx.today(), app_ctx.calendar, supervision_thresholds(app_ctx))
    levels = levels_by_issue(session, [row["id"] for row in rows], cutoffs)
    style_of_word: dict[str, str] = {}
    for row in rows:
        level = levels.get(row["id"])
        row["level"] = value_label("level", level, app_ctx.lang) if level else None
        if level:
            style_of_word[row["level"]] = LEVEL_STYLES[level]
    return {"level": lambda word: style_of_word.get(word, "")}


def stdin_is_terminal() -> bool:
    """Whether someone is there to answer a prompt (tests monkeypatch this)."""
    return sys.stdin.isatty()


def _prompt_missing(app_ctx: AppContext, enterprise: str | None, category: str | None) -> tuple[str, str]:
    """Ask for the required fields in a terminal; without one, list what is missing."""
    from qiye_service.errors import InvalidValue
    from qiye_service.services import lookups

    missing = [name for name, value in (("--enterprise", enterprise), ("--category", category)) if not value]
    if missing and not stdin_is_terminal():
        raise InvalidValue("error.missing_required", fields=Listed(missing))
    if not enterprise:
        enterprise = _ask(app_ctx, "prompt.enterprise", lambda session, text: lookups.find_enterprise(session, text).name)
    if not category:
        category = _ask(app_ctx, "prompt.category", lambda session, text: lookups.find_category(session, text).code)
    return enterprise, category  # type: ignore[return-value]


def _ask(app_ctx: AppContext, key: str, find: Any) -> str:
    """Ask until the answer names one record (DESIGN §3 "Names"); a wrong answer says why and
    offers the candidates. Ctrl-C (or end of input) at the prompt writes nothing: exit 130."""
    from qiye_service.errors import QiyeError

    while True:
        try:
            answer = typer.prompt(app_ctx.t(key), prompt_suffix=app_ctx.t("prompt.suffix"))
        except typer.Abort:
            echo("", err=True)  # end the prompt's line before the one error line
            raise KeyboardInterrupt from None
        try:
            with app_ctx.session(write=False) as session:
                return str(find(session, answer))
        except QiyeError as exc:
            if exc.exit_code != 1:
                raise  # the ledger cannot be read: asking again will not help
            echo(exc.message(app_ctx.lang), err=True)


@app.command("add")
def add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="Short title of the problem.", show_default=False)],
    enterprise: EnterpriseOpt = None,
    category: CategoryOpt = None,
    kind: Annotated[str, typer.Option("--kind", help="individual (个性) or common (共性).")] = "individual",
    dept: DeptOpt = None,
    owner: OwnerOpt = None,
    due: DueOpt = None,
    reported: ReportedOpt = None,
    priority: Annotated[str, typer.Option("--priority", help="urgent, high, normal or low.")] = "normal",
    source: Annotated[str | None, typer.Option("--source", help="visit, meeting, phone, online or other (default: "
                                               "visit, or how the --visit was made).", show_default=False)] = None,
    tag: TagOpt = None,
    project: ProjectOpt = None,
    desc: DescOpt = None,
    fmt: FormatOption = OutputFormat.table,
    dispatched: DispatchedOpt = None,
    visit: Annotated[str | None, typer.Option("--visit", help="The visit (走访) that found it: its id, as visit list "
                                              "shows.", show_default=False)] = None,
) -> None:
    """File a problem an enterprise raised; prints its id.

    Example: qiye issue add "二期厂房消防验收未通过" -e 蓝思科技 -c 消防验收 --dept 消防救援大队 --due +10wd
    """
    from qiye_service.services import issues, queries
    from qiye_service.services.deadlines import default_due

    app_ctx = get_app(ctx)
    enterprise, category = _prompt_missing(app_ctx, enterprise, category)
    reported_on = parse_date_option(app_ctx, reported, purpose="reported")
    dispatched_on = parse_date_option(app_ctx, dispatched, past=True)
    explicit_none = due is not None and due.strip().lower() == "none"
    due_on = _due(app_ctx, due, reported_on)

    def deadline(priority_code: str, category_code: str, reported_day: Any) -> Any:
        if explicit_none:
            return None
        return default_due(app_ctx.config, priority=priority_code, category_code=category_code,
                           reported_on=reported_day, today=app_ctx.today(), calendar=app_ctx.calendar)

    with app_ctx.session() as session:
        issue = issues.add_issue(
            session, actor=app_ctx.actor(), title=title, enterprise=enterprise, category=category, kind=kind,
            source=source, priority=priority, department=dept, owner=owner, reported_on=reported_on,
            due_on=due_on, tags=tag or [], project=project, description=desc, deadline=deadline,
            response_deadline=_response_deadline(app_ctx) if dept or owner else None, dispatched_on=dispatched_on,
            visit=_visit_id(visit),
        )
        row = queries.issue_row(session, issue.id) if fmt is not OutputFormat.table else None
        duplicates = issues.near_duplicates(session, issue)
    if duplicates:  # filed all the same: a script reading the id is unaffected
        listed = Listed(f"#{dup_id} {dup_title}" for dup_id, dup_title in duplicates)
        app_ctx.warn(app_ctx.t("warn.duplicate_title", issues=listed, id=issue.id))
    if row is not None:
        from qiye_service import render
        from qiye_service.models import ISSUE_FIELDS

        if fmt is OutputFormat.json:
            import json

            typer.echo(json.dumps({f: render.json_value(row[f]) for f in ISSUE_FIELDS}, ensure_ascii=False))
        else:
            render.write_rows([row], ISSUE_FIELDS, fmt.value, sys.stdout, lang=app_ctx.lang)
    elif sys.stdout.isatty():
        app_ctx.say("msg.issue_created", id=issue.id)
    else:
        echo(str(issue.id))


@app.command("list")
@with_filters
def list_(
    ctx: typer.Context,
    filters: Any = None,
    sort: Annotated[str | None, typer.Option("--sort", help="Field to sort by; -field for descending "
                                             "(default reported_on).")] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="At most this many rows.")] = None,
    fmt: FormatOption = OutputFormat.table,
    labels: LabelsOption = False,
) -> None:
    """List issues; by default everything not yet resolved.

    Example: qiye issue list --category 消防验收 --overdue --sort due_on
    """
    from qiye_service.models import UNRESOLVED_STATUSES
    from qiye_service.services import catalog, queries
    from qiye_service.services.filters import resolve_filter

    app_ctx = get_app(ctx)
    with app_ctx.session(write=False) as session:
        flt = resolve_filter(session, filters, default_statuses=list(UNRESOLVED_STATUSES))
        rows = queries.list_issues(session, flt, today=app_ctx.today(), sort=sort, limit=limit)
        names = catalog.category_names(session)
        styles = _level_markers(app_ctx, session, rows) if fmt is OutputFormat.table and rows else None
        # The footer says "20 of 58" when the limit cut the list: a COUNT only then, never a second scan.
        cut = fmt is OutputFormat.table and limit is not None and len(rows) == limit
        total = queries.count_issues(session, flt, today=app_ctx.today()) if cut else None
    render_issue_rows(app_ctx, rows, fmt, labels=labels, category_names=names, table_fields=LIST_TABLE_FIELDS,
                      styles=styles, total=total)


@app.command("show")
def show(ctx: typer.Context, issue_id: IssueIdArgument, fmt: FormatOption = OutputFormat.table,
         labels: LabelsOption = False) -> None:
    """Show one issue, its supervision state and its history.

    Example: qiye issue show 12 --format json
    """
    from qiye_service import render
    from qiye_service.cli.options import supervision_thresholds
    from qiye_service.models import EVENT_FIELDS, ISSUE_FIELDS
    from qiye_service.services import catalog, lookups, queries
    from qiye_service.services.supervision import STATE_FIELDS, level_cutoffs

    app_ctx = get_app(ctx)
    wanted = lookups.parse_issue_id(issue_id)
    cutoffs = level_cutoffs(app_ctx.today(), app_ctx.calendar, supervision_thresholds(app_ctx))
    from qiye_service.cli.attachments import SHOW_FIELDS as ATTACHMENT_SHOW_FIELDS
    from qiye_service.cli.attachments import write_attachment_rows
    from qiye_service.services.attachments import attachments_of

    with app_ctx.session(write=False) as session:
        detail = queries.issue_view(session, wanted, cutoffs=cutoffs, timezone=app_ctx.timezone)
        names = catalog.category_names(session)
        files = attachments_of(session, wanted)  # evidence (issue 23)
    events = detail.pop("events")
    if fmt is OutputFormat.json:

        payload = {f: render.json_value(detail[f]) for f in ISSUE_FIELDS}
        if labels:
            payload = {k: render.json_value(v) for k, v in render.add_labels(detail, ISSUE_FIELDS, app_ctx.lang, names).items()}
        payload["visit_id"] = detail["visit_id"]  # the visit (走访) that found it, or null
        # The supervision record and the previous close-out go after the §4 row, the events last.
        payload.update(_state_payload(app_ctx, detail, labels=labels))
        if detail["cycle"] is not None:  # the work-order cycle (issue 20), when the issue went through it
            payload.update({k: render.json_value(v) if k != "departments" else
                            [{f: render.json_value(x) for f, x in part.items()} for part in v]
                            for k, v in detail["cycle"].items()})
        if detail["deadline"] is not None:  # extension, suspension, verification (issue 20)
            payload.update({k: render.json_value(v) for k, v in detail["deadline"].items()})
        payload["attachments"] = _attachment_payload(files)
        payload["events"] = [{f: render.json_value(e[f]) for f in EVENT_FIELDS} for e in events]
        render.write("json", payload, out=sys.stdout)
    elif fmt is OutputFormat.ndjson:
        render.write("ndjson", [{**detail, **_state_payload(app_ctx, detail, labels=False),
                                 "attachments": _attachment_payload(files)}],
                     (*ISSUE_FIELDS, "visit_id", *STATE_FIELDS, "previous_resolution", "attachments"), out=sys.stdout)
    elif fmt is OutputFormat.table:
        shown, fields = _shown_detail(app_ctx, detail)
        app_ctx.out.print(render.record(shown, fields, lang=app_ctx.lang, category_names=names))
        state = [f for f in STATE_FIELDS if shown.get(f) not in (None, "", 0)]
        if state:
            app_ctx.out.print()
            app_ctx.out.print(app_ctx.t("heading.supervision"), style="bold")
            app_ctx.out.print(render.record(shown, state, lang=app_ctx.lang, category_names=names))
        if detail["cycle"] is not None:
            _print_cycle(app_ctx, detail["cycle"])
        if detail["deadline"] is not None:
            app_ctx.out.print()
            app_ctx.out.print(app_ctx.t("heading.deadline"), style="bold")
            app_ctx.out.print(render.record(detail["deadline"], [k for k, v in detail["deadline"].items()
                                                                 if v not in (None, "", 0)], lang=app_ctx.lang))
        if files:
            app_ctx.out.print()
            write_attachment_rows(app_ctx, files, fmt, ATTACHMENT_SHOW_FIELDS, title=app_ctx.t("heading.attachments"))
        app_ctx.out.print()
        app_ctx.out.print(render.table(render.timeline_rows(events, app_ctx.lang, names), render.TIMELINE_FIELDS,
                                       lang=app_ctx.lang, title=app_ctx.t("heading.timeline")))
    elif fmt is OutputFormat.markdown:
        shown, fields = _shown_detail(app_ctx, detail)
        render.write_rows([shown], (*fields, *STATE_FIELDS), "markdown", sys.stdout, lang=app_ctx.lang,
                          category_names=names)
        sys.stdout.write("\n")
        if files:
            write_attachment_rows(app_ctx, files, fmt, ATTACHMENT_SHOW_FIELDS)
            sys.stdout.write("\n")
        render.write_rows(render.timeline_rows(events, app_ctx.lang, names), render.TIMELINE_FIELDS, "markdown",
                          sys.stdout, lang=app_ctx.lang)
    else:
        render_issue_rows(app_ctx, [detail], fmt, labels=labels, category_names=names)


def _attachment_payload(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's attachments as JSON objects (issue 23), without the issue id they share."""
    from qiye_service import render
    from qiye_service.models import ATTACHMENT_FIELDS

    return [{f: render.json_value(row[f]) for f in ATTACHMENT_FIELDS if f != "issue_id"} for row in files]


def _print_cycle(app_ctx: AppContext, cycle: dict[str, Any]) -> None:
    """The departments' parts in the issue (主办/协办, 签收, 退单) and its cycle counts."""
    from qiye_service import render
    from qiye_service.i18n import value_label
    from qiye_service.services.cycle import PART_FIELDS

    rows = [{**part, "part": value_label("dispatch_role", part["part"], app_ctx.lang),
             "return_reason": value_label("return_reason", part["return_reason"], app_ctx.lang) or None,
             "outcome": value_label("return_outcome", part["outcome"], app_ctx.lang) or None}
            for part in cycle["departments"]]
    fields = [f for f in PART_FIELDS if f in ("department", "part") or any(r.get(f) for r in rows)]
    app_ctx.out.print()
    app_ctx.out.print(render.table(rows, fields, lang=app_ctx.lang, title=app_ctx.t("heading.cycle"),
                                   key=("department", "part")))
    shown = {**cycle, "callback_solved": value_label("callback_solved", cycle["callback_solved"], app_ctx.lang) or None,
             "callback_reached": None if cycle["callback_reached"] is None else
             app_ctx.t("word.yes" if cycle["callback_reached"] else "word.no")}
    app_ctx.out.print(render.record(shown, [f for f in ("return_count", "transfer_count", "callback_solved",
                                                        "callback_reached") if shown.get(f) not in (None, "")],
                                    lang=app_ctx.lang))


def _state_payload(app_ctx: AppContext, detail: dict[str, Any], *, labels: bool) -> dict[str, Any]:
    """`issue show`'s supervision keys and `previous_resolution`, as JSON values; with --labels,
    `level_label` and `callback_result_label` beside their codes."""
    from qiye_service import render
    from qiye_service.i18n import value_label
    from qiye_service.services.supervision import STATE_FIELDS

    payload: dict[str, Any] = {}
    for field in STATE_FIELDS:
        payload[field] = render.json_value(detail[field])
        if labels and field in ("level", "callback_result"):
            payload[f"{field}_label"] = value_label(field, detail[field], app_ctx.lang) or None
    payload["previous_resolution"] = detail["previous_resolution"]
    return payload


def _shown_detail(app_ctx: AppContext, detail: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The detail for people: the level as its localised word, the visit that found it after
    the source (when it was found on one), the previous close-out as one line after the (empty)
    current one; and the record's fields."""
    from qiye_service.i18n import value_label

    shown = dict(detail)
    shown["level"] = value_label("level", detail["level"], app_ctx.lang) or None
    fields = SHOW_FIELDS
    visit = detail["visit"]
    if visit is not None:
        shown["visit"] = app_ctx.t("show.visit", id=visit["id"], visited_on=visit["visited_on"].isoformat(),
                                   visited_by=visit["visited_by"],
                                   kind=value_label("visit_kind", visit["kind"], app_ctx.lang))
        at = fields.index("source") + 1
        fields = (*fields[:at], "visit", *fields[at:])
    previous = detail["previous_resolution"]
    if previous is None:
        return shown, fields
    unknown = app_ctx.t("show.unknown")
    shown["previous_resolution"] = app_ctx.t(
        "show.previous_resolution", resolved_on=previous["resolved_on"] or unknown,
        resolution=previous["resolution"] or unknown, reopened_on=previous["reopened_on"])
    at = fields.index("resolution") + 1
    return shown, (*fields[:at], "previous_resolution", *fields[at:])


@app.command("edit")
def edit(
    ctx: typer.Context,
    issue_id: IssueIdArgument,
    title: TitleOpt = None,
    desc: DescOpt = None,
    enterprise: EnterpriseOpt = None,
    project: ProjectOpt = None,
    category: CategoryOpt = None,
    kind: KindOpt = None,
    source: SourceOpt = None,
    priority: PriorityOpt = None,
    dept: DeptOpt = None,
    owner: OwnerOpt = None,
    reported: ReportedOpt = None,
    due: DueOpt = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Replace the tags with these (repeatable).")] = None,
    resolved: Annotated[str | None, typer.Option("--resolved", help="Correct the close-out date.")] = None,
    dispatched: Annotated[str | None, typer.Option("--dispatched", help="Correct the dispatch date.")] = None,
) -> None:
    """Change fields of an issue; each change is recorded in its history.

    Example: qiye issue edit 12 --due 2023-06-30 --priority high
    """
    from qiye_service.services import issues, lookups

    app_ctx = get_app(ctx)
    wanted = lookups.parse_issue_id(issue_id)
    changes: dict[str, Any] = {
        name: value for name, value in (
            ("title", title), ("description", desc), ("enterprise", enterprise), ("project", project),
            ("category", category), ("kind", kind), ("source", source), ("priority", priority),
            ("department", dept), ("owner", owner),
        ) if value is not None
    }
    if reported is not None:
        changes["reported_on"] = parse_date_option(app_ctx, reported, purpose="reported")
    if resolved is not None:
        changes["resolved_on"] = parse_date_option(app_ctx, resolved, past=True)
    if dispatched is not None:
        changes["dispatched_on"] = parse_date_option(app_ctx, dispatched, past=True)
    with app_ctx.session() as session:
        if due is not None:
            # A bare `15wd` counts from the reported date: the new one, else the stored one.
            base = changes.get("reported_on") or lookups.get_issue(session, wanted).reported_on
            changes["due_on"] = _due(app_ctx, due, base)
        changed = issues.edit_issue(session, wanted, actor=app_ctx.actor(), changes=changes, tags=tag,
                                    response_deadline=_response_deadline(app_ctx) if dispatched else None,
                                    calendar=app_ctx.calendar if "due_on" in changes else None)
    app_ctx.say("msg.issue_updated" if changed else "msg.no_changes", id=wanted)


def _transition(ctx: typer.Context, issue_id: str, action: str, **kwargs: Any) -> None:
    from qiye_service.i18n import value_label
    from qiye_service.services import issues, lookups

    app_ctx = get_app(ctx)
    wanted = lookups.parse_issue_id(issue_id)
    service = {"start": issues.start_issue, "resolve": issues.resolve_issue,
               "defer": issues.defer_issue, "reopen": issues.reopen_issue}[action]
    with app_ctx.session() as session:
        if action == "resolve":
            from qiye_service.services.extensions import verification_required
            from qiye_service.services.workflow import evidence_required

            kwargs["verify"] = verification_required(session, app_ctx.config.get("closeout.verify"))
            kwargs["evidence"] = evidence_required(app_ctx.config.get("closeout.evidence"))
        issue = service(session, wanted, actor=app_ctx.actor(), **kwargs)
        status = issue.status
    if status == "verifying":
        app_ctx.say("msg.closeout_waiting", id=wanted)
        return
    app_ctx.say("msg.issue_status", id=wanted, status=value_label("status", status, app_ctx.lang))


@app.command("start")
def start(
    ctx: typer.Context,
    issue_id: IssueIdArgument,
    note: NoteOption = None,
    on: Annotated[str | None, typer.Option("--on", help="Date acknowledged (签收; default today).")] = None,
    dept: Annotated[str | None, typer.Option(
        "--dept", help="The department acknowledging (default the lead); a co-handler (协办) acknowledges its part.")] = None,
) -> None:
    """Acknowledge (签收) an open issue and start working it.

    Example: qiye issue start 12 --on yesterday
    """
    app_ctx = get_app(ctx)
    if dept is None:
        _transition(ctx, issue_id, "start", note=note, on=parse_date_option(app_ctx, on, past=True))
        return
    from qiye_service.services import issues, lookups

    wanted = lookups.parse_issue_id(issue_id)
    with app_ctx.session() as session:
        issues.start_issue(session, wanted, actor=app_ctx.actor(), note=note,
                           on=parse_date_option(app_ctx, on, past=True), department=dept)
    app_ctx.say("msg.cycle_acknowledged", id=wanted, dept=dept)


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    issue_id: IssueIdArgument,
    note: Annotated[str | None, typer.Option("--note", "-n", help="Close-out note (办理结果), required.")] = None,
    on: Annotated[str | None, typer.Option("--on", help="Date resolved (default today).")] = None,
) -> None:
    """Close out (销号) an issue with a note on how it was solved.

    Example: qiye issue resolve 12 --note "已完成消防验收" --on yesterday
    """
    _transition(ctx, issue_id, "resolve", note=note, on=parse_date_option(get_app(ctx), on, past=True))


@app.command("defer")
def defer(
    ctx: typer.Context,
    issue_id: IssueIdArgument,
    note: Annotated[str | None, typer.Option("--note", "-n", help="Why it cannot be solved now, required.")] = None,
) -> None:
    """Defer (暂缓) an issue that cannot be solved now.

    Example: qiye issue defer 12 --note "待上级政策明确"
    """
    _transition(ctx, issue_id, "defer", note=note)


@app.command("reopen")
def reopen(ctx: typer.Context, issue_id: IssueIdArgument, note: NoteOption = None) -> None:
    """Take a resolved or deferred issue back to in progress.

    Example: qiye issue reopen 12 --note "企业反映问题仍存在"
    """
    _transition(ctx, issue_id, "reopen", note=note)


@app.command("comment")
def comment(ctx: typer.Context, issue_id: IssueIdArgument,
            text: Annotated[str, typer.Argument(help="The follow-up note.", show_default=False)]) -> None:
    """Add a follow-up note (跟进记录) to an issue's history.

    Example: qiye issue comment 12 "已与供电公司现场对接"
    """
    from qiye_service.services import issues, lookups

    app_ctx = get_app(ctx)
    wanted = lookups.parse_issue_id(issue_id)
    with app_ctx.session() as session:
        issues.comment_issue(session, wanted, actor=app_ctx.actor(), text=text)
    app_ctx.say("msg.comment_added", id=wanted)


@app.command("assign")
def assign(ctx: typer.Context, issue_id: IssueIdArgument, owner: OwnerOpt = None, dept: DeptOpt = None,
           note: NoteOption = None,
           co: Annotated[list[str] | None, typer.Option(
               "--co", help="A co-handling department (协办; repeatable).")] = None,
           due: Annotated[str | None, typer.Option(
               "--due", help="Deadline of the departments dispatched now: a date, +3d or +5wd.")] = None) -> None:
    """Dispatch (派单) an issue to a lead department, co-handling departments and an owner.

    Example: qiye issue assign 12 --dept 规划建设局 --co 消防救援大队 --owner 王强
    """
    from qiye_service.services import issues, lookups

    app_ctx = get_app(ctx)
    wanted = lookups.parse_issue_id(issue_id)
    with app_ctx.session() as session:
        due_on = _due(app_ctx, due, app_ctx.today()) if due is not None else None
        changed = issues.assign_issue(session, wanted, actor=app_ctx.actor(), owner=owner, department=dept,
                                      note=note, response_deadline=_response_deadline(app_ctx), co=co or (),
                                      due_on=due_on)
    app_ctx.say("msg.issue_updated" if changed else "msg.no_changes", id=wanted)


@app.command("return")
def return_(
    ctx: typer.Context,
    issue_id: IssueIdArgument,
    reason: Annotated[str, typer.Option(
        "--reason", show_default=False,
        help="Why: 非本单位职责 (not_responsible), 信息不全 (incomplete), 重复 (duplicate) or 其他 (other).")],
    note: Annotated[str | None, typer.Option("--note", "-n", help="The department's explanation, required.")] = None,
    dept: Annotated[str | None, typer.Option(
        "--dept", help="The department returning it (default the lead).")] = None,
) -> None:
    """Send an issue back (退单) as not the department's to handle.

    Example: qiye issue return 12 --reason 非本单位职责 --note "属供电公司职责"
    """
    from qiye_service.i18n import value_label
    from qiye_service.services import cycle, lookups

    app_ctx = get_app(ctx)
    wanted = lookups.parse_issue_id(issue_id)
    with app_ctx.session() as session:
        issue = cycle.return_issue(session, wanted, actor=app_ctx.actor(), reason=reason, note=note, department=dept)
        code, count = cycle.parse_reason(reason), issue.return_count
    app_ctx.say("msg.cycle_returned", id=wanted, reason=value_label("return_reason", code, app_ctx.lang), count=count)


@app.command("uphold")
def uphold(
    ctx: typer.Context,
    issue_id: IssueIdArgument,
    note: NoteOption = None,
    dept: Annotated[str | None, typer.Option(
        "--dept", help="The department whose return is overruled (default the only one pending).")] = None,
) -> None:
    """Uphold a dispatch a department returned (审定): it must take the issue.

    Example: qiye issue uphold 12 --note "经审定属规划建设局职责"
    """
    from qiye_service.services import cycle, lookups

    app_ctx = get_app(ctx)
    wanted = lookups.parse_issue_id(issue_id)
    with app_ctx.session() as session:
        _issue, name = cycle.uphold_return(session, wanted, actor=app_ctx.actor(), note=note, department=dept)
    app_ctx.say("msg.cycle_upheld", id=wanted, dept=name)


@app.command("escalate")
def escalate(
    ctx: typer.Context,
    issue_id: IssueIdArgument,
    note: Annotated[str | None, typer.Option("--note", "-n", help="Why it is escalated (督办事由), required.")] = None,
) -> None:
    """Escalate an issue to red for supervision (挂牌督办).

    Example: qiye issue escalate 12 --note "超期未办结，列入挂牌督办"
    """
    from qiye_service.services import lookups, supervision

    app_ctx = get_app(ctx)
    wanted = lookups.parse_issue_id(issue_id)
    with app_ctx.session() as session:
        supervision.escalate_issue(session, wanted, actor=app_ctx.actor(), note=note)
    app_ctx.say("msg.issue_escalated", id=wanted)


@app.command("callback")
def callback(
    ctx: typer.Context,
    issue_id: IssueIdArgument,
    result: Annotated[str | None, typer.Option("--result", "-r", show_default=False,
                                               help="The company's verdict: satisfied (满意), basic (基本满意) "
                                                    "or unsatisfied (不满意, sends the issue back to work).")] = None,
    note: NoteOption = None,
    on: Annotated[str | None, typer.Option("--on", help="Date of the callback (default today).")] = None,
    satisfied: Annotated[str | None, typer.Option(
        "--satisfied", show_default=False,
        help="Whether the company is satisfied: 满意, 基本满意 or 不满意 (the same as --result).")] = None,
    solved: Annotated[str | None, typer.Option(
        "--solved", show_default=False, help="Whether the problem was solved: 解决, 部分解决 or 未解决.")] = None,
    unreached: Annotated[bool, typer.Option(
        "--unreached", help="The company could not be reached: no verdict, and the callback does not count.")] = False,
) -> None:
    """Record the company's verdict on a resolved issue (回访).

    Example: qiye issue callback 12 --result 满意 --note "企业对办理结果满意"
    """
    from qiye_service.errors import InvalidValue
    from qiye_service.i18n import value_label
    from qiye_service.services import lookups, supervision

    app_ctx = get_app(ctx)
    wanted = lookups.parse_issue_id(issue_id)
    if result is None and satisfied is None and not unreached:
        from typer._click.exceptions import MissingParameter

        # The verdict is required unless the company was not reached: typer's own usage error.
        raise MissingParameter(ctx=ctx, param=next(p for p in ctx.command.params if p.name == "result"))
    if result is not None and satisfied is not None and result != satisfied:
        raise InvalidValue("error.callback_result_twice")
    called_on = parse_date_option(app_ctx, on, past=True)
    with app_ctx.session() as session:
        issue = supervision.record_callback(session, wanted, actor=app_ctx.actor(), result=satisfied or result,
                                            solved=solved, reached=not unreached, note=note, on=called_on,
                                            result_option="--satisfied" if satisfied is not None else "--result")
        verdict, reopened = issue.callback_result, issue.status != "resolved"
    if unreached:
        app_ctx.say("msg.callback_unreached", id=wanted)
        return
    app_ctx.say("msg.callback_reopened" if reopened else "msg.callback_recorded", id=wanted,
                result=value_label("callback_result", verdict, app_ctx.lang))


@app.command("tag", context_settings={"ignore_unknown_options": True})
def tag(ctx: typer.Context, issue_id: IssueIdArgument,
        operations: Annotated[list[str], typer.Argument(help="+TAG to add, -TAG to remove.",
                                                        show_default=False)]) -> None:
    """Add (+TAG) or remove (-TAG) tags.

    Example: qiye issue tag 12 +重点项目 -待核实
    """
    from qiye_service.services import issues, lookups

    app_ctx = get_app(ctx)
    wanted = lookups.parse_issue_id(issue_id)
    with app_ctx.session() as session:
        done = issues.tag_issue(session, wanted, actor=app_ctx.actor(), operations=operations)
    sep = "、" if app_ctx.lang == "zh" else ", "
    changes = [app_ctx.t(key, tags=sep.join(names)) for key, names in (
        ("msg.tags_added", done.added), ("msg.tags_removed", done.removed),
        ("msg.tags_already", done.already), ("msg.tags_not_there", done.absent)) if names]
    app_ctx.say("msg.tags_now", id=wanted,
                changes=("；" if app_ctx.lang == "zh" else "; ").join(changes) or app_ctx.t("msg.tags_unchanged"),
                tags=sep.join(done.tags) or app_ctx.t("msg.tags_none"))


# --- issue 20: extension, suspension, close-out verification --------------------------------------

ReasonOpt = Annotated[str | None, typer.Option("--reason", help="Why (required).")]
OnOpt = Annotated[str | None, typer.Option("--on", help="Date it happened (default today).")]
extension_app = typer.Typer(help="Decide an extension request (延期审批).", no_args_is_help=True)
app.add_typer(extension_app, name="extension")


@app.command("extend")
def extend(
    ctx: typer.Context,
    issue_id: IssueIdArgument,
    to: Annotated[str, typer.Option("--to", show_default=False,
                                    help="The due date asked for: a date, +10d or +5wd.")],
    reason: ReasonOpt = None,
) -> None:
    """Ask for more time (延期申请); a supervisor approves or refuses it.

    Example: qiye issue extend 12 --to 2023-12-29 --reason "等待省厅批复"
    """
    from qiye_service.services import extensions, lookups

    app_ctx = get_app(ctx)
    wanted = lookups.parse_issue_id(issue_id)
    asked = _due(app_ctx, to, None)
    if asked is None:
        from qiye_service.errors import InvalidValue

        raise InvalidValue("error.empty", field="--to")
    with app_ctx.session() as session:
        extensions.request_extension(session, wanted, actor=app_ctx.actor(), to=asked, reason=reason)
    app_ctx.say("msg.extension_requested", id=wanted, to=asked.isoformat())


def _decide(ctx: typer.Context, issue_id: str, approve: bool, note: str | None) -> None:
    from qiye_service.services import extensions, lookups

    app_ctx = get_app(ctx)
    wanted = lookups.parse_issue_id(issue_id)
    with app_ctx.session() as session:
        issue = extensions.decide_extension(session, wanted, actor=app_ctx.actor(), approve=approve, note=note,
                                            calendar=app_ctx.calendar)
        deadline = issue.deadline_on or issue.due_on
    if approve:
        app_ctx.say("msg.extension_approved", id=wanted, deadline=deadline.isoformat() if deadline else "-")
    else:
        app_ctx.say("msg.extension_refused", id=wanted)


@extension_app.command("approve")
def extension_approve(ctx: typer.Context, issue_id: IssueIdArgument, note: NoteOption = None) -> None:
    """Approve an issue's pending extension request (批准延期).

    Example: qiye issue extension approve 12 --note "同意延期"
    """
    _decide(ctx, issue_id, True, note)


@extension_app.command("refuse")
def extension_refuse(ctx: typer.Context, issue_id: IssueIdArgument, note: NoteOption = None) -> None:
    """Refuse an issue's pending extension request (不予延期).

    Example: qiye issue extension refuse 12 --note "理由不充分"
    """
    _decide(ctx, issue_id, False, note)


@app.command("suspend")
def suspend(ctx: typer.Context, issue_id: IssueIdArgument, reason: ReasonOpt = None, on: OnOpt = None) -> None:
    """Suspend (挂起) an issue while the enterprise or a third party is awaited; the clock stops.

    Example: qiye issue suspend 12 --reason "等待企业补充材料"
    """
    from qiye_service.services import extensions, lookups

    app_ctx = get_app(ctx)
    wanted = lookups.parse_issue_id(issue_id)
    day = parse_date_option(app_ctx, on, past=True)
    with app_ctx.session() as session:
        issue = extensions.suspend_issue(session, wanted, actor=app_ctx.actor(), reason=reason, on=day)
        since = issue.suspended_on
    app_ctx.say("msg.suspended", id=wanted, since=since.isoformat() if since else "-")


@app.command("resume")
def resume(ctx: typer.Context, issue_id: IssueIdArgument, note: NoteOption = None, on: OnOpt = None) -> None:
    """Resume a suspended issue; the working days it was held move its deadline on.

    Example: qiye issue resume 12 --note "企业已补充材料"
    """
    from qiye_service.services import extensions, lookups

    app_ctx = get_app(ctx)
    wanted = lookups.parse_issue_id(issue_id)
    day = parse_date_option(app_ctx, on, past=True)
    with app_ctx.session() as session:
        issue, held = extensions.resume_issue(session, wanted, actor=app_ctx.actor(), calendar=app_ctx.calendar,
                                              note=note, on=day)
        deadline = issue.deadline_on or issue.due_on
    app_ctx.say("msg.resumed", id=wanted, days=held, deadline=deadline.isoformat() if deadline else "-")


@app.command("verify")
def verify(
    ctx: typer.Context,
    issue_id: IssueIdArgument,
    reject: Annotated[bool, typer.Option("--reject", help="Send the close-out back to be redone (重办).")] = False,
    note: NoteOption = None,
) -> None:
    """Verify a close-out (审核销号), or reject it with --reject --note.

    Example: qiye issue verify 12 --reject --note "现场核查未整改到位"
    """
    from qiye_service.services import issues, lookups
    from qiye_service.services.workflow import evidence_required

    app_ctx = get_app(ctx)
    wanted = lookups.parse_issue_id(issue_id)
    with app_ctx.session() as session:
        if reject:
            issues.reject_closeout(session, wanted, actor=app_ctx.actor(), note=note)
        else:
            issues.verify_closeout(session, wanted, actor=app_ctx.actor(), note=note,
                                   evidence=evidence_required(app_ctx.config.get("closeout.evidence")))
    app_ctx.say("msg.closeout_rejected" if reject else "msg.closeout_verified", id=wanted)
