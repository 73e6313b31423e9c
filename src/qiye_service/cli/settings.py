"""`qiye config …`: read and write the user's settings file."""

from typing import Annotated

import typer

from qiye_service import config as qiye_config
from qiye_service.cli.context import echo, get_app

app = typer.Typer(help="Read and change settings (config.toml).", no_args_is_help=True)

KeyArg = Annotated[str, typer.Argument(help="Setting name, e.g. deadline.default.", show_default=False)]


@app.command("get")
def get(ctx: typer.Context, key: KeyArg) -> None:
    """Print one setting (nothing when unset); a password in it shows as ***.

    Example: qiye config get timezone
    """
    qiye_config.check_key(key)
    value = qiye_config.load_config().get(key)
    if value is not None:
        echo(qiye_config.shown(value))


@app.command("set")
def set_(ctx: typer.Context, key: KeyArg,
         value: Annotated[str, typer.Argument(help="New value; empty to unset.", show_default=False)]) -> None:
    """Change one setting.

    Example: qiye config set deadline.urgent 3wd
    """
    qiye_config.check_key(key)
    qiye_config.validate(key, value)
    values = qiye_config.load_config()
    if value == "":
        values.pop(key, None)
    else:
        values[key] = value
    path = qiye_config.save_config(values)
    echo(f"{key} = {qiye_config.shown(value)}  ({path})", err=True)
    if qiye_config.shown(value) != value:
        get_app(ctx).say("msg.config_password", err=True, path=path)


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Print every setting that is set, as key = value; a password shows as ***.

    Example: qiye config list
    """
    for key, value in sorted(qiye_config.load_config().items()):
        echo(f"{key} = {qiye_config.shown(value)}")


@app.command("path")
def path(ctx: typer.Context) -> None:
    """Print where the settings file is.

    Example: qiye config path
    """
    get_app(ctx)
    echo(str(qiye_config.config_path()))
