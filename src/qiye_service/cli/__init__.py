"""The root `qiye` app: global options, the per-run context, and the command groups."""

import gc
import os
import sys
from enum import Enum
from typing import Annotated, Any

import typer

from qiye_service import __version__
from qiye_service.cli.context import HELP_FLAGS, AppContext, QiyeGroup, echo
from qiye_service.i18n import default_lang

app = typer.Typer(
    cls=QiyeGroup,
    name="qiye",
    help="qiye: log, work and close out the problems enterprises raise (走找想促问题台账).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Lang(str, Enum):
    """The interface languages (an unknown one is refused as any value outside its choices)."""

    zh = "zh"
    en = "en"


def _version(value: bool) -> None:
    if value:
        echo(f"qiye {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", help="Database file or URL (env QIYE_DB).",
                                           show_default=False)] = None,
    actor: Annotated[str | None, typer.Option("--as", help="Who is acting, for the history (env QIYE_USER).",
                                              show_default=False)] = None,
    lang: Annotated[Lang | None, typer.Option("--lang", help="zh or en (env QIYE_LANG).",
                                              show_default=False)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="Show no progress on stderr for long work.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """qiye: log, work and close out the problems enterprises raise (走找想促问题台账)."""
    context = AppContext(db_option=db, actor_option=actor, lang=lang.value if lang else "en",
                         quiet=quiet)
    if lang is None:  # --lang, else QIYE_LANG, else the config, else the locale
        context.lang = default_lang(context.config.get("lang"))
    ctx.obj = context
    ctx.call_on_close(context.close)
    from qiye_service import render

    render.show_times_in(context.timezone)


def _register() -> None:
    from qiye_service.cli import catalog, db, enterprises, issues, people, settings

    app.add_typer(issues.app, name="issue")
    app.add_typer(enterprises.app, name="enterprise")
    app.add_typer(catalog.category_app, name="category")
    app.add_typer(catalog.department_app, name="department")
    app.add_typer(people.app, name="user")
    app.add_typer(db.app, name="db")
    app.add_typer(settings.app, name="config")
    app.command("init")(db.init)

    from qiye_service.cli import transfer

    app.add_typer(transfer.import_app, name="import")
    app.add_typer(transfer.export_app, name="export")

    from qiye_service.cli import attachments  # evidence (issue 23)

    issues.app.command("attach")(attachments.attach)
    transfer.export_app.command("attachments")(attachments.export_attachments)
    app.add_typer(attachments.app, name="attachment")

    from qiye_service.cli import reports

    app.add_typer(reports.app, name="report")

    from qiye_service.cli import remind

    app.command("remind")(remind.remind)

    from qiye_service.cli import visits

    app.add_typer(visits.app, name="visit")


_register()


# --- start-up (benchmarks, issue 7) ---------------------------------------------------------
# typer builds the click command of every registered command on each run, which costs more
# than anything else qiye adds to a short command. The console script builds only the group
# it runs: for `qiye issue list` the issue group; for `qiye --help`, help-only stand-ins of
# the groups (their names and one-line help, no commands). `app` itself stays whole, for
# tests and for anything else that invokes it.

def _global_options() -> dict[str, bool]:
    """The root's options (--db, --as, --lang, --quiet, --version), each with whether it takes a value,
    read from its signature."""
    import inspect
    from typing import get_args

    from typer.models import OptionInfo

    names: dict[str, bool] = {}
    for parameter in inspect.signature(root).parameters.values():
        kind, *extras = get_args(parameter.annotation) or (parameter.annotation,)
        for extra in extras:
            if isinstance(extra, OptionInfo):
                # In the Annotated form typer keeps the first name in `default`.
                declared = (extra.default, *extra.param_decls)
                names.update((name, kind is not bool) for name in declared
                             if isinstance(name, str) and name.startswith("-"))
    return names


def _command_words(args: list[str]) -> list[str]:
    """The group and command `args` run (`["issue", "list"]`), as far as they are named before
    any help flag; empty for the root's own help (or no command). Global options may stand
    anywhere (`qiye issue --lang zh list`), as QiyeGroup reads them."""
    global_options = _global_options()
    words: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in HELP_FLAGS or arg == "--":
            break
        elif arg.split("=", 1)[0] in global_options:
            skip = "=" not in arg and global_options[arg]
        elif arg.startswith("-"):
            if words:
                break  # the group's or command's own options: its name is known by now
        else:
            words.append(arg)
            if len(words) == 2:
                break
    return words


def _first_word(args: list[str]) -> str | None:
    words = _command_words(args)
    return words[0] if words else None


def _help_only(group: Any) -> Any:
    """The group without its commands: enough for the root's help to name and describe it."""
    return _with_commands(group, None)


def _with_commands(group: Any, name: str | None) -> Any:
    """The group with only the command (or nested group) called `name`; with none for None."""
    import copy

    def called(info: Any) -> str:
        return info.name or info.callback.__name__.lower().replace("_", "-")

    stand_in = copy.copy(group)
    stand_in.typer_instance = copy.copy(group.typer_instance)
    stand_in.typer_instance.registered_commands = [
        info for info in group.typer_instance.registered_commands if name is not None and called(info) == name]
    stand_in.typer_instance.registered_groups = [
        info for info in group.typer_instance.registered_groups if name is not None and info.name == name]
    return stand_in


def _groups_for(words: list[str] | str | None, groups: list[Any]) -> list[Any]:
    words = [words] if isinstance(words, str) else list(words or [])
    if not words:
        return [_help_only(group) for group in groups]
    chosen = [group for group in groups if group.name == words[0]]
    if not chosen:
        return groups  # a root command, or a typo click should answer with suggestions
    group = chosen[0]
    if len(words) == 2:
        narrowed = _with_commands(group, words[1])
        instance = narrowed.typer_instance
        if instance.registered_commands or instance.registered_groups:
            return [narrowed]
    return [group]  # the group's help, or an unknown command for click to report


class _NotLoaded:
    """Stands in for rich's Markdown and Traceback in typer.rich_utils (see _light_help)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("qiye loads typer's help without rich.markdown and rich.traceback")


def _light_help() -> None:
    """Import typer.rich_utils, which draws help, without rich.markdown (markdown-it) and
    rich.traceback (pygments): a third of `qiye --help`, for features qiye never uses, help
    written in Markdown and typer's pretty tracebacks (pretty_exceptions_enable=False). The
    real modules stay importable: the stand-ins leave sys.modules once rich_utils holds them."""
    if "typer.rich_utils" in sys.modules:
        return
    import types

    stand_ins = {}
    for name, attribute in (("rich.markdown", "Markdown"), ("rich.traceback", "Traceback")):
        if name not in sys.modules:
            module = types.ModuleType(name)
            setattr(module, attribute, type(attribute, (_NotLoaded,), {}))
            stand_ins[name] = sys.modules[name] = module
    try:
        import typer.rich_utils  # noqa: F401
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


COMPLETE_VAR = "_QIYE_COMPLETE"  # what typer's completion scripts set (complete_bash, complete_zsh …)


def _completed_words() -> list[str]:
    """The words before the one a shell completes, read as typer's completion class for that shell
    reads them (COMP_WORDS for bash, _TYPER_COMPLETE_ARGS for zsh and fish)."""
    from typer._click.shell_completion import get_completion_class
    from typer.completion import completion_init

    completion_init()
    shell = os.environ.get(COMPLETE_VAR, "").partition("_")[2]
    found = get_completion_class(shell)
    if found is None:
        return []
    try:
        args, _ = found(None, {}, "qiye", COMPLETE_VAR).get_completion_args()  # type: ignore[arg-type]
    except (KeyError, ValueError):
        return []  # typer reports what is missing
    return list(args)


def main() -> None:
    """The console script."""
    # Start-up makes a few hundred thousand objects that live as long as the process (typer,
    # SQLAlchemy, pydantic, rich), and every full collection on the way walks them all again:
    # about a tenth of a short command's time. The collector waits until the engine is built
    # (AppContext.engine), which freezes what start-up made out of its reach and resumes it.
    gc.disable()
    args = sys.argv[1:]
    if COMPLETE_VAR in os.environ:  # a Tab in the shell: the words typed so far name the group
        args = _completed_words()
    elif not args or any(arg in HELP_FLAGS for arg in args):
        _light_help()
    groups = app.registered_groups
    app.registered_groups = _groups_for(_command_words(args), groups)
    try:
        app()
    finally:
        app.registered_groups = groups
        # The command is done and the process is about to end: freezing what it made keeps the
        # interpreter's exit-time garbage collection from walking every SQLAlchemy, pydantic
        # and rich object, a tenth to a third of a short command's time. Nothing is lost: the
        # engine is disposed and files closed by now, and atexit handlers still run.
        gc.freeze()
