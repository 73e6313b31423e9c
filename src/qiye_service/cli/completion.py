"""Shell completion (issue 17, point 6): typer's own, for bash, zsh and fish.

`qiye --install-completion` (or `--show-completion SHELL`) installs typer's script; on each Tab
the shell runs `qiye` with _QIYE_COMPLETE set, and typer asks each parameter for its values.
Commands, options and the choices of Enum options come from typer itself; this module gives the
parameters that name things their values, by parameter name, in one place:

- issue ids (`issue show 1<Tab>`): the unresolved issues; the resolved ones for reopen and callback;
- enterprise, department, category (code and Chinese name), owner, tag, zone, industry, user: the ledger,
  by prefix, else the one name holding what was typed (`-e 思科<Tab>` gives 蓝思科技 in bash);
- status, kind, source, priority, level, callback result, role, --lang, config keys: fixed values.

The values come from services.completion, which reads the ledger without the ORM; the ledger is
the one the command line being completed names (--db), else QIYE_DB, else the config's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qiye_service.services import completion as values

Values = Callable[[Any, str], list[tuple[str, str | None]]]  # (the click context, what is typed)


def _fixed(*choices: str) -> Values:
    return lambda ctx, incomplete: [(choice, None) for choice in choices if choice.startswith(incomplete)]


def _ledger(reader: Callable[..., list[tuple[str, str | None]]], **options: Any) -> Values:
    def read(ctx: Any, incomplete: str) -> list[tuple[str, str | None]]:
        location = values.ledger_location(ctx.find_root().params.get("db"))
        return [] if location is None else reader(location, incomplete, **options)

    return read


def _config_keys(ctx: Any, incomplete: str) -> list[tuple[str, str | None]]:
    from qiye_service.config import CATEGORY_DEADLINE_PREFIX, KNOWN_KEYS

    keys: list[tuple[str, str | None]] = [(key, about) for key, about in KNOWN_KEYS.items()]
    if incomplete.startswith(CATEGORY_DEADLINE_PREFIX[:len(incomplete)]):
        location = values.ledger_location(ctx.find_root().params.get("db"))
        codes = [] if location is None else values.category_codes(location)
        keys += [(CATEGORY_DEADLINE_PREFIX + code, None) for code in codes]
    return [(key, about) for key, about in keys if key.startswith(incomplete)]


ISSUE_IDS = _ledger(values.issue_ids)
RESOLVED_IDS = _ledger(values.issue_ids, statuses=("resolved",))
ENTERPRISES = _ledger(values.enterprises)
USERS = _ledger(values.users)

# Parameter name -> its values; (command, parameter name) where one command means another thing.
BY_NAME: dict[str, Values] = {
    "issue_id": ISSUE_IDS,
    "enterprise": ENTERPRISES,
    "category": _ledger(values.categories),
    "dept": _ledger(values.departments),
    "co": _ledger(values.departments),
    "reason": _fixed(*values.RETURN_REASONS),
    "satisfied": _fixed(*values.CALLBACK_RESULTS),
    "solved": _fixed(*values.CALLBACK_SOLVED),
    "owner": _ledger(values.owners),
    "tag": _ledger(values.tags),
    "zone": _ledger(values.zones),
    "industry": _ledger(values.industries),
    "status": _fixed(*values.STATUSES, "all"),
    "kind": _fixed(*values.KINDS),
    "source": _fixed(*values.SOURCES),
    "priority": _fixed(*values.PRIORITIES),
    "level": _fixed(*values.LEVELS),
    "result": _fixed(*values.CALLBACK_RESULTS),
    "role": _fixed(*values.ROLES),
    "lang": _fixed("zh", "en"),
}
BY_COMMAND: dict[tuple[str, str], Values] = {
    ("issue reopen", "issue_id"): RESOLVED_IDS,
    ("issue callback", "issue_id"): RESOLVED_IDS,
    # issue 20 (extend): close-outs waiting for verification; a free-text --reason has no values.
    ("issue verify", "issue_id"): _ledger(values.issue_ids, statuses=("verifying",)),
    ("issue extend", "reason"): _fixed(),
    ("issue suspend", "reason"): _fixed(),
    ("enterprise show", "name"): ENTERPRISES,
    ("enterprise edit", "name"): ENTERPRISES,
    **{(f"user {command}", "name"): USERS for command in ("show", "edit", "disable", "enable")},
    ("config get", "key"): _config_keys,
    ("config set", "key"): _config_keys,
}


def _completion_item() -> Any:
    try:  # typer >= 0.23 carries its own click
        from typer._click.shell_completion import CompletionItem
    except ImportError:  # pragma: no cover - an older typer on the real click
        from click.shell_completion import CompletionItem  # type: ignore[no-redef]
    return CompletionItem


def _completer(found: Values) -> Callable[[Any, str], list[Any]]:
    item = _completion_item()

    def shell_complete(ctx: Any, incomplete: str) -> list[Any]:
        # Each source matches for itself: a prefix, or a name's unique substring (services.completion).
        return [item(value, help=about) for value, about in found(ctx, incomplete)]

    return shell_complete


class _AsTyped:
    """A parameter's value as typed. typer checks each value with a pydantic TypeAdapter, which
    costs a completion more than all the rest (pydantic's import); click parses a completion
    resiliently and wants no checks, and a completer wants --db as typed."""

    @staticmethod
    def coerce(value: Any, param: Any = None, ctx: Any = None) -> Any:
        return value


def _as_typed(param: Any) -> Any:
    if param is not None and hasattr(param, "_runtime_param"):  # typer's coercion, built on first use
        param._runtime_param = _AsTyped()
    return param


def attach(command: Any, path: str = "") -> None:
    """Give every parameter of `command` (a click command or group, and what it holds) that names
    something its values, and take values as typed. Called on the command a completion runs
    through, before typer asks (QiyeGroup._main_shell_completion)."""
    for param in getattr(command, "params", []):
        _as_typed(param)
        found = BY_COMMAND.get((path, param.name or "")) or BY_NAME.get(param.name or "")
        if found is not None:
            param.shell_complete = _completer(found)  # what click asks a parameter for its values
    if hasattr(command, "get_help_option"):  # -h/--help, made when a context is
        made = command.get_help_option
        command.get_help_option = lambda ctx, made=made: _as_typed(made(ctx))
    for name, sub in (getattr(command, "commands", None) or {}).items():
        attach(sub, f"{path} {name}".strip())


def prepare(root: Any) -> None:
    """Ready the root command for a completion: values attached (above), and descriptions (the
    help zsh and fish show beside each candidate) passed as they are. typer renders them as rich
    markup, which costs a completion half again (rich's import), and would read a stored title
    such as "[紧急] 停电" as markup: qiye's help has none, and a title is shown as stored."""
    import typer._completion_classes as classes

    classes._sanitize_help_text = _as_written
    attach(root)


def _as_written(text: str) -> str:
    return text


SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")  # typer's completion scripts


def completion_option(ctx: Any, param: Any, value: Any) -> Any:
    """--install-completion [SHELL] and --show-completion [SHELL] (typer's options and scripts):
    the shell named, else the one detected, checked first, so an unknown shell is an `error:`
    line (exit 1), and installing says where, in the user's language."""
    if not value or ctx.resilient_parsing:
        return value
    from typer._completion_shared import _get_shell_name, install

    from qiye_service.cli.context import echo, error_line, run_lang
    from qiye_service.i18n import translate

    shell = str(getattr(value, "value", value)) if not isinstance(value, bool) else _get_shell_name()
    lang = run_lang()
    if shell not in SHELLS:
        error_line(translate("error.completion_shell", lang, shell=shell or "?", valid=", ".join(SHELLS)))
        raise SystemExit(1)
    if param.name == "show_completion":
        return param.typer_callback(ctx, param, shell)  # prints the script and exits
    installed, path = install(shell=shell)
    echo(translate("msg.completion_installed", lang, shell=installed, path=path))
    raise SystemExit(0)
