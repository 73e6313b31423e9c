"""`qiye remind`: what needs each department and person now (DESIGN §13, issue 23), printed, or
delivered with --send to each one's target through apprise, at most once a day.

The queries and the delivery are services.reminders'; the document and the digest text are the
output layer's (render.remind_document, render.digest_text).
"""

from enum import Enum
from typing import Annotated, Any

import typer

from qiye_service.cli.context import AppContext, error_line, get_app
from qiye_service.i18n import Listed


class RemindFormat(str, Enum):
    table = "table"
    markdown = "markdown"
    json = "json"


def remind(
    ctx: typer.Context,
    person: Annotated[list[str] | None, typer.Option(
        "--for", help="Only this person's reminders (an owner or a user; repeatable).", show_default=False)] = None,
    dept: Annotated[list[str] | None, typer.Option(
        "--dept", help="Only this department's reminders (repeatable).", show_default=False)] = None,
    everyone: Annotated[bool, typer.Option("--all", help="Every department and person (the default).")] = False,
    fmt: Annotated[RemindFormat, typer.Option("--format", "-f", help="table, markdown or json.")]
    = RemindFormat.table,
    send: Annotated[bool, typer.Option("--send", help="Deliver each digest to its notify.* target instead of "
                                                      "printing it; at most once a recipient a day.")] = False,
    force: Annotated[bool, typer.Option("--force", help="With --send: send again to recipients already sent "
                                                        "today.")] = False,
) -> None:
    """What needs each department and person today; --send delivers it to their chat or mail.

    Dispatches not acknowledged, issues due soon, overdue or red, and extension requests and
    close-outs awaiting a supervisor.

    Example: qiye remind --all --send
    """
    from qiye_service import config as qiye_config
    from qiye_service.cli.options import supervision_thresholds
    from qiye_service.errors import InvalidValue
    from qiye_service.services import reminders

    app_ctx = get_app(ctx)
    chosen = [name for name, given in (("--for", bool(person)), ("--dept", bool(dept)), ("--all", everyone))
              if given]
    if len(chosen) > 1:
        raise InvalidValue("error.remind_one_of", options=Listed(chosen))
    if force and not send:
        raise InvalidValue("error.remind_force_send")
    timeout = qiye_config.remind_timeout(app_ctx.config.get("remind.timeout"))
    if send and timeout is None:
        raise InvalidValue("error.config_value", key="remind.timeout", value=app_ctx.config["remind.timeout"],
                           reason="timeout_seconds")
    thresholds = reminders.due_soon_setting(app_ctx.config, supervision_thresholds(app_ctx))
    today = app_ctx.today()
    with app_ctx.session(write=False) as session:
        if send:
            app_ctx.authorize(session)  # who may send (services.permissions), before anything is sent
        who = reminders.select_who(session, persons=person or (), departments=dept or ())
        found = reminders.digests(session, who, as_of=today, calendar=app_ctx.calendar, thresholds=thresholds)
        already = reminders.sent_today(session, today) if send and not force else set()
    data = {"as_of": today, "due_soon": thresholds.due_soon_wd, "recipients": [d.row() for d in found]}
    if send:
        _send(app_ctx, found, data, already, timeout or qiye_config.REMIND_TIMEOUT_DEFAULT)
        return
    _print(app_ctx, data, fmt)
    if not found:
        app_ctx.say("msg.remind_nothing", err=True)


def _print(app_ctx: AppContext, data: dict[str, Any], fmt: RemindFormat) -> None:
    import sys

    from qiye_service import outfiles, render
    from qiye_service.render.document import remind_document

    with outfiles.standard_output() as stream:
        console = app_ctx.out if stream is sys.stdout else None
        render.write(fmt.value, remind_document(app_ctx.lang, data), out=stream, lang=app_ctx.lang, console=console)


def _send(app_ctx: AppContext, found: list[Any], data: dict[str, Any], already: set[tuple[str, str]],
          timeout: float) -> None:
    """Deliver each digest to its target: one line on stderr per recipient, an `error:` line per
    target that failed (the others are still sent), and exit 1 when any failed."""
    from qiye_service.render import digest_text
    from qiye_service.render.document import recipient_title
    from qiye_service.services import reminders

    rows = {(row["kind"], row["name"]): row for row in data["recipients"]}
    pending, unset = [], []
    for digest in found:
        url = reminders.target_url(app_ctx.config, digest)
        if url is None:
            unset.append(digest.name)
        elif (digest.kind, digest.name) in already:
            app_ctx.say("msg.remind_already", err=True, name=digest.name)
        else:
            pending.append((digest, url))

    def message(digest: Any) -> tuple[str, str]:
        row = rows[(digest.kind, digest.name)]
        title = app_ctx.t("remind.message_title", recipient=recipient_title(app_ctx.lang, row), date=data["as_of"])
        return title, digest_text(row, app_ctx.lang)

    def record(delivery: Any) -> None:
        actor = app_ctx.actor()
        with app_ctx.session() as session:
            reminders.record_delivery(session, delivery, day=data["as_of"], at=actor.now, actor=actor.name)
        if delivery.outcome == reminders.SENT:
            app_ctx.say("msg.remind_sent", err=True, name=delivery.digest.name, count=len(delivery.digest.items),
                        target=delivery.target)
        else:
            error_line(app_ctx.t("error.remind_failed", name=delivery.digest.name, target=delivery.target,
                                 detail=_failure_text(app_ctx, delivery)))

    done = reminders.send_all(pending, message=message, timeout=timeout, record=record)
    if unset:
        app_ctx.say("msg.remind_no_target", err=True, names=Listed(unset))
    if not found:
        app_ctx.say("msg.remind_nothing", err=True)
    if any(delivery.outcome != reminders.SENT for delivery in done):
        raise typer.Exit(1)


def _failure_text(app_ctx: AppContext, delivery: Any) -> str:
    """Why a delivery failed, for people: apprise's own (English) words under en; under zh the
    reason in Chinese (the HTTP status the target answered, or that it could not be reached),
    with apprise's words after it only under QIYE_DEBUG=1."""
    import os

    if app_ctx.lang != "zh" and delivery.detail:
        return str(delivery.detail)
    said = app_ctx.t(f"remind.failure.{delivery.reason or 'other'}", status=delivery.status)
    if os.environ.get("QIYE_DEBUG") == "1" and delivery.detail:
        said = app_ctx.t("remind.failure.debug", reason=said, detail=delivery.detail)
    return said
