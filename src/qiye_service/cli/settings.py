"""`qiye config …`: read and write the user's settings file."""

from typing import Annotated

import typer

from qiye_service import config as qiye_config
from qiye_service.cli.context import echo, get_app

app = typer.Typer(help="Read and change settings (config.toml).", no_args_is_help=True)

KeyArg = Annotated[str, typer.Argument(help="Setting name, e.g. deadline.default.", show_default=False)]


def _setting_key(ctx: typer.Context, key: str) -> str:
    """The key as stored: a category in `deadline.category.<category>` typed as the ledger
    knows it (消防验收, fire, xfys) becomes its code, and a department in `notify.dept.<department>`
    its full name (消防 → 消防救援大队); an unknown one is refused. A person in
    `notify.user.<name>` typed in pinyin is the person the ledger knows by it."""
    qiye_config.check_key(key)
    if key.startswith(qiye_config.CATEGORY_DEADLINE_PREFIX):
        from qiye_service.services.lookups import category_setting_key

        with get_app(ctx).session(write=False) as session:
            return category_setting_key(session, key)
    if key.startswith(qiye_config.NOTIFY_DEPT_PREFIX):
        from qiye_service.services.lookups import find_department

        with get_app(ctx).session(write=False) as session:
            name = find_department(session, key[len(qiye_config.NOTIFY_DEPT_PREFIX):]).name
        return qiye_config.NOTIFY_DEPT_PREFIX + name
    if key.startswith(qiye_config.NOTIFY_USER_PREFIX):
        # A person the ledger knows, typed in pinyin (`wq`), is that person; anyone else as typed.
        from qiye_service.services.lookups import person_to_store
        from qiye_service.services.reminders import known_people

        typed = key[len(qiye_config.NOTIFY_USER_PREFIX):]
        with get_app(ctx).session(write=False) as session:
            name = person_to_store(typed, lambda: known_people(session), kind="owner")
        return qiye_config.NOTIFY_USER_PREFIX + (name or typed)
    return key


@app.command("get")
def get(ctx: typer.Context, key: KeyArg) -> None:
    """Print one setting (nothing when unset); a password in it shows as ***.

    Example: qiye config get timezone
    """
    key = _setting_key(ctx, key)
    value = qiye_config.load_config().get(key)
    if value is not None:
        echo(qiye_config.shown(value))


@app.command("set")
def set_(ctx: typer.Context, key: KeyArg,
         value: Annotated[str, typer.Argument(help="New value; empty to unset.", show_default=False)]) -> None:
    """Change one setting.

    Example: qiye config set deadline.urgent 3wd
    """
    key = _setting_key(ctx, key)
    qiye_config.validate(key, value)
    from qiye_service.services.permissions import PERSONAL_SETTINGS

    if key not in PERSONAL_SETTINGS:  # the office's settings: who may (services.permissions)
        get_app(ctx).authorize(before_schema=True)
    values = qiye_config.load_config()
    if value == "":
        values.pop(key, None)
    else:
        values[key] = value
    path = qiye_config.save_config(values)
    echo(f"{key} = {qiye_config.shown(value)}  ({path})", err=True)
    if qiye_config.shown(value) != value and key == "db":  # a notify URL's password has no ~/.pgpass
        get_app(ctx).say("msg.config_password", err=True, path=path)


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Print every setting that is set, as key = value; a password shows as ***.

    With none set, stdout stays empty and stderr says that every setting has its default.

    Example: qiye config list
    """
    values = qiye_config.load_config()
    if not values:  # an empty answer would look like a failure to a person; a script sees no lines
        get_app(ctx).say("msg.config_none", err=True, path=qiye_config.config_path())
    for key, value in sorted(values.items()):
        echo(f"{key} = {qiye_config.shown(value)}")


@app.command("path")
def path(ctx: typer.Context) -> None:
    """Print where the settings file is.

    Example: qiye config path
    """
    get_app(ctx)
    echo(str(qiye_config.config_path()))
