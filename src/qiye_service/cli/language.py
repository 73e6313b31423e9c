"""The interface language of a run, known before anything is printed, and the one place that
puts typer's and click's own words into it: help panels and usage lines, usage errors, a value
outside an option's choices, and every command's and option's help text (DESIGN §3, §7).

Help texts stay written in English beside their commands; the catalogue (i18n.py, the `help.cmd.*` and
`help.opt.*` entries) gives each its Chinese, found by the English text as gettext finds a msgid. A help text
without its entry stays English, and tests/test_lang_everywhere.py fails on it.
"""

from __future__ import annotations

import inspect
import os
from enum import Enum
from functools import cache
from typing import Any, get_args

from qiye_service.i18n import CATALOGUE, LANGS, Listed, default_lang, translate

LANG_OPTION = "--lang"


def lang_from_args(args: list[str]) -> str:
    """`--lang zh|en` anywhere on the command line (global options may follow the subcommand),
    else QIYE_LANG, the config's `lang`, the locale. An unknown --lang is reported later, as any
    bad value; its message is in the language the rest would give."""
    for position, arg in enumerate(args):
        if arg == "--":
            break
        if arg == LANG_OPTION and position + 1 < len(args):
            value = args[position + 1]
        elif arg.startswith(LANG_OPTION + "="):
            value = arg[len(LANG_OPTION) + 1:]
        else:
            continue
        if value in LANGS:
            return value
        break
    if os.environ.get("QIYE_LANG") in LANGS:
        return default_lang()  # the config is not read for nothing
    return default_lang(_configured_lang())


def _configured_lang() -> str | None:
    from qiye_service import config
    from qiye_service.errors import QiyeError

    try:
        return config.load_config().get("lang")
    except (QiyeError, OSError):
        return None  # an unreadable config is reported by the command that reads it


# --- help: every command's and option's text, typer's panel titles and usage line -------------

def _help_key(text: str) -> str:
    """A help text as the catalogue holds it: dedented, each paragraph on one line."""
    return "\n\n".join(" ".join(part.split()) for part in inspect.cleandoc(text).split("\n\n"))


_HELP_INDEX: dict[str, str] | None = None
_HELP_PREFIXES = ("help.cmd.", "help.opt.")  # the help texts; other `help.*` are typer's words


def help_text(text: str | None, lang: str) -> str | None:
    """The help text in `lang`: the catalogue's Chinese for its English, else the text itself;
    each paragraph on one line either way, for the help to wrap to the terminal (a docstring's
    line breaks are where its source was wrapped, not where a reader's line ends)."""
    global _HELP_INDEX
    if not text:
        return text
    key = _help_key(text)
    if lang != "zh":
        return key
    if _HELP_INDEX is None:
        _HELP_INDEX = {_help_key(en): zh for key, (en, zh) in CATALOGUE.items() if key.startswith(_HELP_PREFIXES)}
    return _HELP_INDEX.get(key, key)


# Panel names given with rich_help_panel= in the commands.
_PANELS = {"Filters": "help.panel.filters", "Scope": "help.panel.scope"}


def localize(command: Any, lang: str) -> None:
    """Put the help of `command` and everything under it into `lang`; typer's own words too.

    Runs once per run on the command tree typer has just built (QiyeGroup.main), before any
    help or usage line is drawn. The English is kept, so a second run may switch back."""
    _localize_typer(lang)
    for item in _walk(command):
        for attribute in ("help", "short_help"):
            original = _original(item, attribute)
            if original is not None:
                setattr(item, attribute, help_text(original, lang))
        if hasattr(item, "options_metavar") and item.options_metavar:
            item.options_metavar = translate("usage.options_metavar", lang)
        if hasattr(item, "subcommand_metavar"):
            item.subcommand_metavar = translate("usage.command_metavar", lang)
        help_option = getattr(item, "_help_option", None)  # made by click on first use, then kept
        if help_option is not None:
            help_option.help = translate("help.show_help", lang)
        for param in getattr(item, "params", []):
            original = _original(param, "help")
            if original is not None:
                param.help = help_text(original, lang)
            if getattr(param, "param_type_name", "") == "argument":  # its name in the usage line and the help
                shown = _original(param, "metavar")
                if lang == "zh" and shown is None and f"arg.{param.name}" in CATALOGUE:
                    shown = translate(f"arg.{param.name}", lang)
                param.metavar = shown
            panel = _original(param, "rich_help_panel")
            if panel in _PANELS:
                param.rich_help_panel = translate(_PANELS[panel], lang)


def _original(item: Any, attribute: str) -> Any:
    """The attribute as the command was written (English), remembered on first use."""
    saved = f"_qiye_en_{attribute}"
    if not hasattr(item, saved):
        setattr(item, saved, getattr(item, attribute, None))
    return getattr(item, saved)


def _walk(command: Any) -> Any:
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from _walk(sub)


_TYPER_WORDS = {
    "ARGUMENTS_PANEL_TITLE": "help.panel.arguments",
    "OPTIONS_PANEL_TITLE": "help.panel.options",
    "COMMANDS_PANEL_TITLE": "help.panel.commands",
    "DEFAULT_STRING": "help.default",
    "REQUIRED_LONG_STRING": "help.required",
    "ENVVAR_STRING": "help.env_var",
    "DEPRECATED_STRING": "help.deprecated",
    "ABORTED_TEXT": "help.aborted",
}


_LANG: list[str] = ["en"]  # of the help being drawn


def _localize_rich_utils() -> None:
    """typer's fixed words in typer.rich_utils, which draws help: loaded only for that, so it is
    put into the run's language when help is drawn (see _drawing_help)."""
    import sys

    lang = _LANG[0]
    rich_utils = sys.modules.get("typer.rich_utils")
    if rich_utils is None:
        return
    for name, key in _TYPER_WORDS.items():
        setattr(rich_utils, name, translate(key, lang))
    _wrap_help_texts(rich_utils)


def _drawing_help(format_help: Any) -> Any:
    def drawn(self: Any, ctx: Any, formatter: Any) -> Any:
        from qiye_service.cli import _light_help

        _light_help()
        _localize_rich_utils()
        return format_help(self, ctx, formatter)

    drawn._qiye_original = format_help  # type: ignore[attr-defined]
    return drawn


def aborting() -> None:
    """typer is about to say `Aborted.` (with typer.rich_utils, loaded now if not yet): in the run's language."""
    import typer.rich_utils  # noqa: F401

    _localize_rich_utils()


def _localize_typer(lang: str) -> None:
    """typer's fixed words (typer.rich_utils, typer.core), click's `Usage:` prefix and help option."""
    import typer.core
    from typer._click import formatting

    _LANG[0] = lang
    _localize_rich_utils()
    for cls in (typer.core.TyperCommand, typer.core.TyperGroup):
        if not hasattr(cls.format_help, "_qiye_original"):
            cls.format_help = _drawing_help(cls.format_help)  # type: ignore[method-assign]
    typer.core._ = _msgid_translator(lang)  # type: ignore[attr-defined]
    for cls in (typer.core.TyperOption, typer.core.TyperArgument):
        if "_qiye_display_type_rich" not in vars(cls):
            cls._qiye_display_type_rich = cls.display_type_rich  # type: ignore[attr-defined]
            cls.display_type_rich = _flag_has_no_metavar  # type: ignore[method-assign]
    # write_usage(self, prog, args="", prefix=None): click's `Usage: ` is the prefix's default.
    formatting.HelpFormatter.write_usage.__defaults__ = ("", translate("usage.prefix", lang))
    _help_option_text(lang)


def _wrap_help_texts(rich_utils: Any) -> None:
    """typer draws every help text as rich Text, which breaks a line only at a space and cuts a
    longer run wherever the column ends: Chinese, with no spaces, had its Latin words cut (`j` /
    `son`), and an option's help sat beside its default as rich Columns, which cut a line of it
    with an ellipsis. Every help text (a command's, a command's line in its group, an option's
    with its default and `[required]`) is drawn as one HelpText instead, which wraps only where
    qiye_service.linebreak allows. Once per process, in both languages."""
    if getattr(rich_utils, "_qiye_wrapping", False):
        return
    make_rich_text, parameter_help = rich_utils._make_rich_text, rich_utils._get_parameter_help

    def help_text(**kwargs: Any) -> Any:
        return _breaking(make_rich_text(**kwargs))

    def option_help(**kwargs: Any) -> Any:
        from rich.text import Text

        columns = parameter_help(**kwargs)
        parts = list(getattr(columns, "renderables", []))
        if not all(isinstance(part, Text) for part in parts):
            return columns
        return _breaking(Text(" ").join(parts))

    rich_utils._make_rich_text = help_text
    rich_utils._get_parameter_help = option_help
    rich_utils.Table = _help_table_class()
    rich_utils._qiye_wrapping = True


def _breaking(text: Any) -> Any:
    """`text` (a rich Text, with its styles) as a HelpText; anything else as it is."""
    from rich.text import Text

    if not isinstance(text, Text):
        return text
    return _help_text_class()(text.plain, style=text.style, justify=text.justify, overflow=text.overflow,
                              no_wrap=text.no_wrap, end=text.end, tab_size=text.tab_size, spans=list(text.spans))


@cache
def _help_table_class() -> type:
    """The table of a help panel, in which only the help texts wrap: rich narrows the widest
    wrapping columns alike, which at 60 columns cut the option names (`--install-complet…`) as
    much as their help; the names, short names and types are kept whole and the help gives way."""
    from rich.table import Table

    help_text_class = _help_text_class()

    class HelpTable(Table):
        def add_row(self, *renderables: Any, **kwargs: Any) -> None:
            super().add_row(*renderables, **kwargs)
            for column, renderable in zip(self.columns, renderables, strict=False):
                if renderable is not None and not isinstance(renderable, help_text_class):
                    column.no_wrap = True

    return HelpTable


@cache
def _help_text_class() -> type:
    """A rich Text that wraps where a line may break (a space, between CJK characters; see
    qiye_service.linebreak) and measures its narrowest width as its widest unbreakable run."""
    from rich.cells import cell_len
    from rich.measure import Measurement
    from rich.text import Lines, Text

    from qiye_service.linebreak import line_starts, widest_unit

    class HelpText(Text):
        def wrap(self, console: Any, width: int, *, justify: Any = None, overflow: Any = None,
                 tab_size: int = 8, no_wrap: bool | None = None) -> Lines:
            justify = justify or self.justify or "default"
            overflow = overflow or self.overflow or "fold"
            lines = Lines()
            for line in self.split(allow_blank=True):
                if "\t" in line.plain:
                    line.expand_tabs(tab_size)
                if no_wrap or self.no_wrap:
                    divided = Lines([line])
                else:
                    divided = line.divide(line_starts(line.plain, width, cell_len))
                    for part in divided:
                        part.rstrip()
                divided.justify(console, width, justify=justify, overflow=overflow)
                lines.extend(divided)
            return lines

        def __rich_measure__(self, console: Any, options: Any) -> Measurement:
            # As wide as it is given, as typer's Columns were: the help column takes the room
            # the option names and types leave, and gives it back first when there is too little.
            return Measurement(widest_unit(self.plain, cell_len), options.max_width)

    return HelpText


def _flag_has_no_metavar(self: Any, ctx: Any) -> str | None:
    """A flag takes no value: no `<bool>` beside it in the help; a repeatable option shows the
    type of one value, `<str>...`, not Python's `<list[str]>`; an option with a fixed set of
    values shows `<choice>`, not `<table|csv|tsv|json|ndjson|markdown>`, which no help column
    holds whole: its help lists the values (tests/test_help.py checks it does)."""
    if getattr(self, "is_flag", False):
        return None
    shown = self._qiye_display_type_rich(ctx)
    if _choices(self) is not None and isinstance(shown, str):
        return translate("help.choice_metavar", _LANG[0]) + ("..." if shown.endswith("...") else "")
    if isinstance(shown, str) and shown.startswith("<list[") and shown.endswith("]>"):
        shown = f"<{shown[6:-2]}>..."
    return _value_type(shown)


def _value_type(shown: Any) -> Any:
    """A value's type in the interface language (`<文本>`, `<整数>`), as `<可选值>` is."""
    if not isinstance(shown, str) or not shown.startswith("<"):
        return shown
    name, _, more = shown[1:].partition(">")
    key = f"help.metavar.{name.lower()}"
    return translate(key, _LANG[0]) + more if key in CATALOGUE else shown


_TYPER_MSGIDS = {
    "(dynamic)": "help.dynamic",
    "Aborted!": "help.aborted",
    "default: {default}": "help.default_plain",
    "required": "help.required_plain",
    "env var: {var}": "help.env_var_plain",
    "Arguments": "help.panel.arguments",
    "Options": "help.panel.options",
    "Commands": "help.panel.commands",
    "Missing command.": "usage.missing_command",
    "No such command {name!r}.": "usage.no_such_command_msgid",
}


def _msgid_translator(lang: str) -> Any:
    def gettext(message: str) -> str:
        key = _TYPER_MSGIDS.get(message)
        return translate(key, lang) if key else message

    return gettext


def _help_option_text(lang: str) -> None:
    """`-h, --help`'s own line, written by click's help_option decorator."""
    from typer._click import decorators

    original = getattr(decorators, "_qiye_en_option", None)
    if original is None:
        original = decorators._qiye_en_option = decorators.option  # type: ignore[attr-defined]
    if lang == "en":
        decorators.option = original  # type: ignore[assignment]
        return
    shown = translate("help.show_help", lang)

    def option(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("help") == "Show this message and exit.":
            kwargs["help"] = shown
        return original(*args, **kwargs)

    decorators.option = option  # type: ignore[assignment]


# --- usage errors and values outside their choices --------------------------------------------

def _choices(param: Any) -> list[str] | None:
    """The values an option takes, when its type is an Enum (or a list of one)."""
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    while annotation is not None and not isinstance(annotation, type):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        annotation = args[0] if args else None
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [str(member.value) for member in annotation]
    return None


def _typed_value(exc: Any) -> Any:
    """The value a pydantic-checked option was given, from the validation error typer wraps."""
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        try:
            found = errors()
        except Exception:  # noqa: BLE001 - any other error shape: no value to quote
            return None
        if found:
            return found[0].get("input")
    return None


def _option_name(param: Any) -> str:
    opts = [opt for opt in getattr(param, "opts", []) if opt.startswith("--")] or list(getattr(param, "opts", []))
    if getattr(param, "param_type_name", "") == "argument" or not opts:
        return (getattr(param, "metavar", None) or getattr(param, "name", "") or "").upper()
    return opts[0]


def usage_error(exc: Any, lang: str) -> tuple[str, int]:
    """The message and exit code of DESIGN §7 for one of click's usage errors: a value outside
    an option's choices or of the wrong type is an invalid value (exit 1) and lists the choices;
    a wrong flag, a missing argument, an unknown command is usage (exit 2)."""
    from typer._click import exceptions as click

    if isinstance(exc, click.BadParameter) and not isinstance(exc, click.MissingParameter):
        param = exc.param
        name = _option_name(param) if param is not None else (exc.param_hint or "")
        value = _typed_value(exc)
        choices = _choices(param)
        if choices is not None:
            return translate("error.bad_choice", lang, field=name, value=value, valid=", ".join(choices)), 1
        annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
        if value is not None and annotation in (int, list[int], int | None):
            return translate("usage.bad_number", lang, name=name, value=value), 1
        if value is not None:
            return translate("usage.bad_value", lang, name=name, value=value), 1
        return translate("usage.bad_value_plain", lang, name=name), 1
    if isinstance(exc, click.NoSuchOption):
        message = translate("usage.no_such_option", lang, name=exc.option_name)
        if exc.possibilities:
            message = _suggest(message, Listed(sorted(exc.possibilities)).text(lang), lang)
        return message, 2
    if isinstance(exc, click.MissingParameter):
        param = exc.param
        name = _option_name(param) if param is not None else ""
        key = "usage.missing_argument" if getattr(param, "param_type_name", "") == "argument" else "usage.missing_option"
        return translate(key, lang, name=f"'{name}'"), 2
    if isinstance(exc, click.BadOptionUsage):
        option = exc.option_name
        if "does not take a value" in exc.message:
            return translate("usage.takes_no_value", lang, name=option), 2
        return translate("usage.requires_value", lang, name=option), 2
    message = exc.format_message()
    if ". Did you mean " in message:  # typer's suggestion after `No such command 'lst'`
        message, _, names = message.partition(". Did you mean ")
        names = Listed(names.rstrip("?").split(", ")).text(lang)
        return _suggest(message.rstrip("。."), names, lang), exc.exit_code
    if message.startswith("Got unexpected extra argument"):
        extra = message.rpartition(" (")[2].rstrip(".").removesuffix(")")
        return translate("usage.extra_arguments", lang, args=extra), 2
    return message, getattr(exc, "exit_code", 2)


def _suggest(message: str, names: str, lang: str) -> str:
    return translate("usage.suggest", lang, message=message, suggestion=translate("usage.did_you_mean", lang, names=names))
