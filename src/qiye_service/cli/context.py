"""The per-run context (database, actor, clock, language, consoles), the one place that
turns an error into an `error:` line and an exit code, and the one way a message for people
reaches the terminal (`echo`).
"""

from __future__ import annotations

import gc
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from typer.core import TyperGroup

from qiye_service import config as qiye_config
from qiye_service.errors import QiyeError
from qiye_service.i18n import default_lang, os_reason, translate

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from qiye_service.db import Location
    from qiye_service.services.issues import Actor
    from qiye_service.services.permissions import Identity
    from qiye_service.workdays import WorkingCalendar


@dataclass
class AppContext:
    """Everything a command needs, built once in the root callback."""

    db_option: str | None = None
    actor_option: str | None = None
    lang: str = field(default_factory=default_lang)
    quiet: bool = False  # --quiet: no progress on stderr (issue 26)
    # What the one line after Ctrl-C says was and was not written: a catalogue key and its values.
    interrupted: tuple[str, dict[str, Any]] = ("error.interrupted", {})
    # One engine per way of opening: read-write, and (SQLite) read-only for commands that only read.
    _engines: dict[bool, Engine] = field(default_factory=dict)
    # Who is writing (services.permissions), once known, and whether this run's command was allowed.
    _identity: Identity | None = None
    _authorized: bool = False

    @cached_property
    def config(self) -> dict[str, str]:
        return qiye_config.load_config()

    @cached_property
    def location(self) -> Location:
        from qiye_service.db import resolve_location

        return resolve_location(self.db_option, self.config.get("db"))

    def require_ledger(self) -> None:
        """Commands that only read need a ledger to read: a missing SQLite file (a mistyped
        --db, or no `qiye init` yet) is an error, where it used to become a new empty ledger
        that a script would list or export without a word."""
        path = self.location.path
        if path is not None and not path.exists():
            from qiye_service.errors import DatabaseUnavailable

            raise DatabaseUnavailable("error.db_missing", where=str(path))

    def engine(self, *, migrate: bool = True, read_only: bool = False) -> Engine:
        """The engine, with the schema created or upgraded on first use.

        `read_only` (for commands that only read) opens an SQLite ledger so that nothing is
        written to it: it reads a read-only ledger, and never checkpoints a -wal beside it.
        """
        read_only = read_only and self.location.is_sqlite
        if read_only not in self._engines:
            from qiye_service.db import ensure_schema, make_engine

            engine = make_engine(self.location, read_only=read_only)
            if migrate:
                with database_errors(engine):
                    ensure_schema(engine, read_only=read_only)
            self._engines[read_only] = engine
            if not gc.isenabled():  # paused for start-up by the console script (cli.main)
                gc.freeze()
                gc.enable()
        return self._engines[read_only]

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        from qiye_service.db import session_scope

        if not write:
            self.require_ledger()
        engine = self.engine(read_only=not write)
        with database_errors(engine), session_scope(engine, write=write) as session:
            if write:
                self.authorize(session)
            yield session

    def database_error(self, exc: Exception) -> QiyeError | None:
        """A driver error raised outside `database_errors`, as it would have been reported inside."""
        engine = next(iter(self._engines.values()), None)
        return None if engine is None else as_database_error(exc, engine)

    def close(self) -> None:
        for engine in self._engines.values():
            engine.dispose()

    @cached_property
    def timezone(self) -> str:
        from qiye_service.dates import DEFAULT_TZ

        return os.environ.get("QIYE_TZ") or self.config.get("timezone") or DEFAULT_TZ

    def today(self) -> date:
        from qiye_service.dates import today_in

        return today_in(self.timezone)

    @cached_property
    def calendar(self) -> WorkingCalendar:
        """One working-day calendar per run, so each uncovered year is warned about once."""
        from qiye_service.workdays import WorkingCalendar

        return WorkingCalendar(warn=self.warn, lang=self.lang)

    @cached_property
    def unregistered_actor_name(self) -> str:
        """The actor of a ledger with no registered users (DESIGN §3): --as, QIYE_USER, the
        config, the OS login."""
        name = self.actor_option or os.environ.get("QIYE_USER") or self.config.get("user")
        if not name:
            try:
                name = getpass.getuser()
            except Exception:  # noqa: BLE001 - no login name in some containers
                name = "unknown"
        return name.strip()[:100] or "unknown"

    def identity(self, session: Any = None) -> Identity:
        """Who is writing (DESIGN §10), read from the ledger once per run: through `session`
        when given, else a session of its own. Raises Forbidden for a login that may not write."""
        if self._identity is None:
            from qiye_service.services.permissions import resolve_identity

            requested = self.actor_option or os.environ.get("QIYE_USER")
            if session is not None:
                self._identity = resolve_identity(session, requested=requested,
                                                  unregistered_name=self.unregistered_actor_name)
            else:
                from sqlmodel import Session

                engine = self.engine()
                with database_errors(engine), Session(engine) as own:
                    self._identity = resolve_identity(own, requested=requested,
                                                      unregistered_name=self.unregistered_actor_name)
        return self._identity

    @property
    def actor_name(self) -> str:
        from qiye_service.services.permissions import Forbidden

        try:
            return self.identity().name
        except Forbidden:  # said when the command opens its write (authorize); a dry run may go on
            return self.unregistered_actor_name

    def authorize(self, session: Any = None, *, before_schema: bool = False) -> None:
        """The permission check of this run's writing command (services.permissions), once: every
        write session passes here first. `before_schema`: for the commands that create, upgrade
        or replace the ledger (init, db upgrade, db restore) and config set, which check on a
        session of their own, before any migration, a missing or unreadable ledger having no
        users to enforce."""
        if self._authorized:
            return
        from qiye_service.services import permissions

        command, issue_id, options, department = _current_command()
        if session is not None:
            permissions.authorize(session, self.identity(session), command, issue_id, options, department)
        else:
            assert before_schema, "a write is authorized in its session, or before_schema"
            self._authorize_before_schema(command)
        self._authorized = True

    def _authorize_before_schema(self, command: str) -> None:
        from sqlmodel import Session

        from qiye_service.db import make_engine
        from qiye_service.services import permissions

        path = self.location.path
        if path is not None and not path.exists():
            return  # a new ledger: no users yet
        engine = make_engine(self.location, read_only=True)  # SQLite: nothing written to the file
        try:
            with database_errors(engine), Session(engine) as own:
                if not permissions.user_table_exists(own):
                    return
                permissions.authorize(own, self.identity(own), command)
        except permissions.Forbidden:
            raise
        except QiyeError:
            if not self.location.is_sqlite and command != "config set":
                raise
            # A broken SQLite file (what restores are for): it names no users to enforce, and
            # whoever can write the file could replace it anyway. The settings file is the
            # user's own: a ledger out of reach does not stop them changing it.
        finally:
            engine.dispose()
        self._identity = None  # the ledger may change under the command (upgrade, restore)

    def actor(self) -> Actor:
        from qiye_service.dates import now_utc
        from qiye_service.services.issues import Actor

        now: datetime = now_utc()
        return Actor(name=self.actor_name, now=now, today=self.today(), timezone=self.timezone)

    @cached_property
    def out(self) -> Console:
        return _stdout_console()

    @cached_property
    def err(self) -> Console:
        from rich.console import Console

        return Console(stderr=True, highlight=False)

    def progress(self, key: str | None = None, total: int | None = None, **params: Any) -> Any:
        """Progress of long work on stderr, when it is a terminal (cli/progress.py): a context
        manager giving the services' Progress callback."""
        from qiye_service.cli.progress import shown

        return shown(self.lang, quiet=self.quiet, key=key, total=total, **params)

    def t(self, key: str, **params: Any) -> str:
        return translate(key, self.lang, **params)

    def say(self, key: str, /, *, err: bool = False, **params: Any) -> None:
        """A message for people: a confirmation on stdout, or a note (`err`) on stderr."""
        echo(self.t(key, **params), err=err)

    def say_rows(self, count: int, total: int | None = None) -> None:
        """A table's footer on stderr: "1 row", "3 rows", or "20 of 58 rows" when a --limit
        cut the list (`total`: how many matched)."""
        if total is not None and total > count:
            self.say("msg.rows_of", err=True, count=count, total=total)
        else:
            self.say("msg.row_one" if count == 1 else "msg.rows", err=True, count=count)

    def warn(self, text: str) -> None:
        echo(f"warning: {text}", err=True)

    def confirm(self, key: str, /, **params: Any) -> bool:
        """A yes/no question on stderr in the interface language (click's own asks `[y/N]` and
        answers `Error: invalid input` in English); no unless answered yes, asked again on an
        answer that is neither. The end of input is a no; Ctrl-C is the group's interruption."""
        question = f"{self.t(key, **params)}{self.t('prompt.yes_no')}"
        while True:
            echo(question, err=True, nl=False)
            answer = sys.stdin.readline()
            if not answer:
                echo("", err=True)
                return False
            word = answer.strip().lower()
            if word in YES_WORDS:
                return True
            if not word or word in NO_WORDS:
                return False
            echo(self.t("prompt.yes_no_again"), err=True)


def _stdout_console() -> Console:
    from rich.console import Console

    return _pipe_left_to_cli(Console(highlight=False, soft_wrap=False))


def _pipe_left_to_cli(console: Any) -> Any:
    """A rich console that leaves a closed pipe to the CLI's one answer (`reader_left`): rich's
    own ends the process with exit 1, which a `pipefail` script reads as a user error."""

    def closed() -> None:
        raise BrokenPipeError

    console.on_broken_pipe = closed
    return console


def _help_pipe_left_to_cli() -> None:
    """The same for the consoles typer draws help with (`qiye --help | head -1`)."""
    import typer.rich_utils as rich_utils

    made = getattr(rich_utils, "_get_rich_console", None)
    if made is None or getattr(made, "qiye", False):
        return

    def console(stderr: bool = False) -> Any:
        return _pipe_left_to_cli(made(stderr=stderr))

    console.qiye = True  # type: ignore[attr-defined]
    rich_utils._get_rich_console = console


def reader_left() -> NoReturn:
    """`qiye report weekly | head -1`: the reader closed the pipe before the output ended.
    Nothing is wrong: the rest of stdout goes to /dev/null and the command ends with 0."""
    from qiye_service.outfiles import silence_stdout

    silence_stdout()
    raise typer.Exit(0)


YES_WORDS = ("y", "yes", "是", "是的", "好", "确定", "对")
NO_WORDS = ("n", "no", "否", "不", "不是", "取消")


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """A line for people on stdout or stderr. Every message leaves through here, through the
    sanitiser tables use (render.terminal_safe): the whole line, so a name, value, path or file
    header quoted in it, stored, typed or read from a file, cannot drive the terminal, whatever
    the message. Parameters quoted with !r keep their visible escapes (`'a\\x1b[2J'`), which
    say what was typed. Machine formats do not come here: they keep text exactly as stored."""
    from qiye_service.render import terminal_safe  # loaded by the root callback; not for --help

    progress = sys.modules.get("qiye_service.cli.progress")
    if progress is not None:
        progress.make_room()
    typer.echo(terminal_safe(text), err=err, nl=nl)


def error_line(text: str) -> None:
    """The `error:` line, with any password in it masked (a URL, a connection string, a driver
    message quoting either): every error qiye reports passes here."""
    from qiye_service.db import mask_url

    echo(f"error: {mask_url(text)}", err=True)


def report_error(ctx: typer.Context, exc: QiyeError) -> None:
    """The error's line in the user's language, and its exit code."""
    lang = ctx.obj.lang if isinstance(ctx.obj, AppContext) else run_lang()
    error_line(exc.message(lang))
    raise typer.Exit(exc.exit_code) from None


@contextmanager
def database_errors(engine: Engine) -> Iterator[None]:
    """Driver failures (unreachable, locked, corrupt) become exit-3 errors."""
    try:
        yield
    except Exception as exc:
        error = as_database_error(exc, engine)
        if error is None:
            raise
        raise error from None


def as_database_error(exc: Exception, engine: Engine) -> QiyeError | None:
    """The error of DESIGN §7 for a driver failure, whether SQLAlchemy wrapped it or a driver
    cursor used directly raised it (export's streams, backup's sqlite3); None for anything else."""
    from sqlalchemy.exc import DatabaseError, DataError, DBAPIError, IntegrityError, OperationalError

    from qiye_service.db import translate_db_error
    from qiye_service.errors import Conflict, InvalidValue

    driver_error = engine.dialect.loaded_dbapi.Error
    if isinstance(exc, driver_error):
        exc = DBAPIError.instance(None, None, exc, driver_error, dialect=engine.dialect)
    if isinstance(exc, IntegrityError):
        return Conflict("error.integrity", detail=str(exc.orig).splitlines()[0])
    if isinstance(exc, DataError):
        # A value the database will not store (PostgreSQL refuses a NUL in text, say): the
        # user's input, not an unavailable database.
        return InvalidValue("error.db_refused_value", detail=str(exc.orig).splitlines()[0])
    if isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) == "42501":
        # PostgreSQL refused this login (issue 19: `qiye db grant` gives only what commands need).
        return QiyeError("error.db_denied", detail=str(exc.orig).splitlines()[0],
                         login=engine.url.username or "?")
    if isinstance(exc, DBAPIError) and (exc.connection_invalidated or isinstance(exc, (OperationalError, DatabaseError))):
        return translate_db_error(exc, engine)
    return None


def _current_command() -> tuple[str, int | None, tuple[str, ...], str | None]:
    """The running command's words below the root (`issue resolve`), the issue it names, the
    options given a value (`--dept`) and the `--dept` value: what the permission table is read by."""
    from typer._click.globals import get_current_context

    ctx = get_current_context(silent=True)
    params = dict(ctx.params) if ctx is not None else {}
    given = tuple(param.opts[0] for param in (ctx.command.params if ctx is not None else ())
                  if getattr(param, "param_type_name", "") == "option" and params.get(param.name) not in (None, False))
    words: list[str] = []
    while ctx is not None and ctx.parent is not None:
        words.append(ctx.command.name or ctx.info_name or "")
        ctx = ctx.parent
    issue_id = None
    if params.get("issue_id") is not None:
        from qiye_service.services.lookups import parse_issue_id

        try:
            issue_id = parse_issue_id(params["issue_id"])
        except QiyeError:
            issue_id = None  # the command says why
    department = params.get("dept") if isinstance(params.get("dept"), str) else None
    return " ".join(reversed(words)), issue_id, given, department


def get_app(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    if not isinstance(obj, AppContext):
        obj = AppContext()
        ctx.find_root().obj = obj
    return obj


def report_usage_error(exc: typer.TyperException) -> None:
    """A usage error as DESIGN §7 wants it, in the interface language: a wrong flag, a missing
    argument or command is an `error:` line after the usage line, exit 2; a value outside an
    option's choices (or not a number) is an invalid value, exit 1, listing the choices."""
    if type(exc).__name__ == "NoArgsIsHelpError":
        raise exc  # `qiye issue` alone: the help text is the answer
    from qiye_service.cli.language import usage_error

    lang = run_lang()
    message, exit_code = usage_error(exc, lang)
    command_ctx = getattr(exc, "ctx", None)
    if command_ctx is not None:
        if exit_code == 2:
            echo(command_ctx.get_usage(), err=True)
        message = translate("usage.with_help", lang, message=message, command=command_ctx.command_path)
    error_line(message)
    raise typer.Exit(exit_code) from None


_RUN_LANG: list[str] = []


def run_lang() -> str:
    """The interface language of this run, as QiyeGroup.main found it before parsing."""
    return _RUN_LANG[-1] if _RUN_LANG else default_lang()


HELP_FLAGS = ("--help", "-h")


def _has_surrogates(text: str) -> bool:
    """True for an argument the OS handed over as bytes that were not valid UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _completion_option(ctx: typer.Context, param: Any, value: Any) -> Any:
    """--install-completion and --show-completion: typer's, saying what they did in the user's language."""
    from qiye_service.cli.completion import completion_option

    return completion_option(ctx, param, value)
def _arities(command: Any) -> dict[str, int]:
    """Each option name of `command` (`--db`, `-e`) and how many values it takes (0: a flag)."""
    arities: dict[str, int] = {}
    for param in getattr(command, "params", ()):
        if getattr(param, "param_type_name", "") != "option":
            continue
        takes = 0 if param.is_flag or param.count else param.nargs
        for name in (*param.opts, *param.secondary_opts):
            arities[name] = takes
    return arities


def hoist_global_options(root: Any, ctx: Any, args: list[str]) -> list[str]:
    """`args` with the root's options (--db, --as, --lang, --quiet, --version) that follow the command
    moved before it, so `qiye report weekly --lang zh` is `qiye --lang zh report weekly`
    (DESIGN §3). The words are walked as click will read them: a command's own option keeps
    its value (`--desc --lang` is a description), and `--` ends the options."""
    globals_ = _arities(root)
    at = 0
    while at < len(args) and args[at].startswith("-") and args[at] not in ("-", "--"):
        at += 1 + (0 if "=" in args[at] else globals_.get(args[at], 0))
    if at >= len(args) or args[at] == "--":
        return args
    command = root.get_command(ctx, args[at])
    own = _arities(command)
    moved: list[str] = []
    kept = [args[at]]
    index = at + 1
    while index < len(args):
        arg = args[index]
        if arg == "--":
            kept.extend(args[index:])
            break
        name, inline = (arg.split("=", 1)[0], True) if arg.startswith("--") and "=" in arg else (arg, False)
        if arg.startswith("-") and name in globals_ and name not in own:
            takes = 0 if inline else globals_[name]
            if index + takes < len(args):
                moved.extend(args[index:index + 1 + takes])
                index += 1 + takes
                continue
            if not ctx.resilient_parsing:  # `qiye issue list --lang`: as click says it at the front
                from typer._click.exceptions import BadOptionUsage

                raise BadOptionUsage(name, f"Option {name!r} requires an argument.", ctx=ctx)
        elif arg.startswith("-") and name in own:
            takes = 0 if inline else own[name]
            kept.extend(args[index:index + 1 + takes])
            index += 1 + takes
            continue
        elif not arg.startswith("-") and hasattr(command, "get_command"):
            sub = command.get_command(ctx, arg)  # a nested group's command (`issue list`)
            if sub is not None:
                command, own = sub, _arities(sub)
        kept.append(arg)
        index += 1
    return [*args[:at], *moved, *kept]


class QiyeGroup(TyperGroup):
    """The root group: every error a command raises is reported here, once."""

    def main(self, args: Any = None, *rest: Any, **extra: Any) -> Any:
        """Learn the interface language from the command line (or the environment, the config,
        the locale) before anything is parsed or printed, and put every help text, typer's and
        click's words with them, into it."""
        from qiye_service.cli.language import lang_from_args, localize

        lang = lang_from_args(list(sys.argv[1:] if args is None else args))
        localize(self, lang)
        _RUN_LANG.append(lang)
        try:
            return super().main(args, *rest, **extra)
        finally:
            _RUN_LANG.pop()
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(self, ctx, args))

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        undecodable = next((arg for arg in args if _has_surrogates(arg)), None)
        if undecodable is not None:
            # Bytes that are not UTF-8 (a GBK terminal or script): say so rather than fail later.
            try:
                raw = undecodable.encode("utf-8", "surrogateescape")  # the bytes as typed
            except UnicodeEncodeError:
                raw = undecodable.encode("utf-8", "backslashreplace")
            shown = raw.decode("utf-8", "backslashreplace")
            error_line(translate("error.not_utf8", run_lang(), value=shown[:80]))
            raise typer.Exit(1)
        for param in self.params:  # typer adds them after building the group
            if param.name in ("install_completion", "show_completion") and not hasattr(param, "typer_callback"):
                param.typer_callback = param.callback  # type: ignore[attr-defined]
                param.callback = _completion_option
        if any(arg in HELP_FLAGS for arg in args):
            _help_pipe_left_to_cli()
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except typer.TyperException as exc:  # a bad global option
            report_usage_error(exc)
            raise
        except BrokenPipeError:  # `qiye --help | head -1`
            reader_left()

    def _main_shell_completion(self, ctx_args: Any, prog_name: str, complete_var: str | None = None) -> None:
        """A Tab in the shell (typer's completion, _QIYE_COMPLETE set): the parameters that name
        things get their values from the ledger first (cli/completion.py)."""
        if os.environ.get(complete_var or f"_{prog_name}_COMPLETE".replace("-", "_").upper()):
            from qiye_service.cli.completion import prepare

            prepare(self)
        super()._main_shell_completion(ctx_args, prog_name, complete_var)

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except typer.Exit:
            raise
        except typer.Abort:  # a question left unanswered: typer says `Aborted.`, in the run's language
            from qiye_service.cli.language import aborting

            aborting()
            raise
        except typer.TyperException as exc:
            report_usage_error(exc)
            raise
        except QiyeError as exc:
            report_error(ctx, exc)
        except BrokenPipeError:
            reader_left()
        except KeyboardInterrupt:
            key, params = ctx.obj.interrupted if isinstance(ctx.obj, AppContext) else ("error.interrupted", {})
            error_line(translate(key, run_lang(), **params))
            raise typer.Exit(130) from None
        except OSError as exc:
            if exc.filename is None:  # no file named: a write to stdout failed (`> /dev/full`)
                from qiye_service.outfiles import stdout_failed

                report_error(ctx, stdout_failed(exc))
            # A file named on the command line that cannot be read or written (missing, a
            # directory, no permission, a name too long): a user error, not a crash.
            lang = ctx.obj.lang if isinstance(ctx.obj, AppContext) else run_lang()
            name = str(exc.filename) if exc.filename is not None else ""
            shown = name if len(name) <= 80 else name[:77] + "..."
            reason = os_reason(exc)
            error_line(translate("error.file", lang, path=shown, reason=reason))
            raise typer.Exit(1) from None
        except Exception as exc:
            routed = ctx.obj.database_error(exc) if isinstance(ctx.obj, AppContext) else None
            if routed is not None:
                report_error(ctx, routed)
            if os.environ.get("QIYE_DEBUG") == "1":
                raise
            lang = ctx.obj.lang if isinstance(ctx.obj, AppContext) else run_lang()
            detail = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            error_line(translate("error.internal", lang, detail=detail))
            raise typer.Exit(1) from None
