"""Issue 25, point 6: a database password is never shown, and the config file that may hold
one is readable by its owner alone.

Each attack of the issue, through the real CLI: every way a password can sit in a URL or a
libpq connection string, through `config set/get/list`, `db info` and the error of a server
that cannot be reached (127.0.0.1 on a closed port: nothing leaves the machine).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import PG_URL, Qiye, pg_schema_url

CLOSED = "127.0.0.1:1"  # nothing listens on port 1: refused at once, on this machine
# Each password is made of two marks, so a tail shown after a wrong split is caught too.
FORMS = {
    "userinfo": f"postgresql+psycopg://postgres:Zq7x-s3cr9t@{CLOSED}/ledger",
    "at sign": f"postgresql://postgres:Zq7x@s3cr9t@{CLOSED}/ledger",  # `postgres:p@ss@host` showed `@ss`
    "percent-encoded": f"postgresql://postgres:Zq7x%40s3cr9t@{CLOSED}/ledger",
    "slash and question mark": f"postgresql://postgres:Zq7x/?s3cr9t@{CLOSED}/ledger",
    "space": f"postgresql://postgres:Zq7x s3cr9t@{CLOSED}/ledger",
    "query": f"postgresql://postgres@{CLOSED}/ledger?sslmode=disable&password=Zq7x-s3cr9t",
    "sslpassword": f"postgresql://postgres@{CLOSED}/ledger?sslpassword=Zq7x-s3cr9t&sslmode=disable",
    "user with an at sign": f"postgresql://cadre@park:Zq7x@s3cr9t@{CLOSED}/ledger",
}
MARKS = ("Zq7x", "s3cr9t")


def leaks(text: str) -> list[str]:
    return [mark for mark in MARKS if mark in text]


@pytest.fixture
def cli(base_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Qiye:
    """qiye with no --db of its own: the database comes from the config or the command line."""
    monkeypatch.delenv("QIYE_DB")
    return Qiye("", dict(base_env))


@pytest.mark.parametrize("form", list(FORMS))
def test_a_password_in_the_config_is_never_printed(cli: Qiye, form: str) -> None:
    url = FORMS[form]
    set_ = cli("config", "set", "db", url)
    assert set_.exit_code == 0, set_.output
    assert "***" in set_.stderr and not leaks(set_.output), set_.output
    assert "~/.pgpass" in set_.stderr  # the better place for it
    for args in (("config", "get", "db"), ("config", "list")):
        shown = cli(*args)
        assert shown.exit_code == 0 and "***" in shown.stdout, shown.output
        assert not leaks(shown.output), (args, shown.output)
    # The ledger from the config: a server that cannot be reached is exit 3, naming it masked.
    for args in (("issue", "list"), ("db", "info"), ("db", "backup", str(Path(cli.env["QIYE_CONFIG_DIR"]) / "b.db"))):
        failed = cli(*args)
        assert failed.exit_code == 3, (args, failed.output)
        assert failed.stderr.startswith("error: cannot open the database postgresql+psycopg://"), failed.stderr
        assert "***" in failed.stderr and not leaks(failed.output), (args, failed.output)


@pytest.mark.parametrize("form", list(FORMS))
def test_a_password_on_the_command_line_is_never_printed(cli: Qiye, form: str) -> None:
    """--db and QIYE_DB, as a real process: stdout, stderr, exit code."""
    for how in ("--db", "QIYE_DB"):
        args, env = (["--db", FORMS[form]], None) if how == "--db" else ([], {"QIYE_DB": FORMS[form]})
        result = cli.run_process(*args, "db", "info", "--format", "json", env=env)
        assert result.returncode == 3, result.stderr
        assert result.stderr.startswith("error: cannot open the database postgresql+psycopg://")
        assert "Connection refused" in result.stderr and "Traceback" not in result.stderr
        assert not leaks(result.stdout + result.stderr), result.stderr


def test_the_at_sign_splits_at_the_last_one(cli: Qiye) -> None:
    """`postgres:p@ss@host` is the user postgres with the password p@ss at the host: qiye connects
    there (SQLAlchemy alone would look for a host `ss@host` and quote it in the error)."""
    result = cli("--db", FORMS["at sign"], "issue", "list")
    assert result.exit_code == 3
    assert result.stderr.startswith(f"error: cannot open the database postgresql+psycopg://postgres:***@{CLOSED}/"
                                    "ledger: ")
    assert 'connection to server at "127.0.0.1", port 1 failed' in result.stderr


@pytest.mark.parametrize("conninfo", ["host=127.0.0.1 port=1 password=Zq7x-s3cr9t dbname=ledger",
                                      "host=127.0.0.1 password = 'Zq7x s3cr9t' dbname=ledger"])
def test_a_libpq_keyword_string_is_masked(cli: Qiye, conninfo: str) -> None:
    """qiye takes URLs, not keyword strings; one given anyway must not be echoed."""
    result = cli("--db", conninfo, "issue", "list")
    assert result.exit_code == 3 and result.stderr.startswith("error: there is no ledger at "), result.output
    assert "password=***" in result.stderr or "password = ***" in result.stderr, result.stderr
    assert not leaks(result.output), result.output


@pytest.fixture
def driver_quoting_the_dsn(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """psycopg failing with a message that quotes the whole connection string, as drivers do."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    def connect(conninfo: str = "", **kwargs: object) -> None:
        libpq = {key: value for key, value in kwargs.items() if isinstance(value, (str, int)) and key != "context"}
        raise psycopg.OperationalError(f"could not connect with [{make_conninfo(conninfo, **libpq)}]")

    monkeypatch.setattr(psycopg, "connect", connect)
    yield


@pytest.mark.parametrize("form", ["at sign", "query", "sslpassword", "space"])
def test_a_driver_error_quoting_the_connection_string_is_masked(cli: Qiye, driver_quoting_the_dsn: None,
                                                                form: str) -> None:
    result = cli("--db", FORMS[form], "issue", "list")
    assert result.exit_code == 3, result.output
    assert "could not connect with [host=127.0.0.1 dbname=ledger " in result.stderr, result.stderr
    assert "password=***" in result.stderr and not leaks(result.output), result.stderr


def test_an_unexpected_failure_quoting_the_url_is_masked(cli: Qiye, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a library raises with the URL in its message, the error line masks it."""
    from qiye_service import db

    def broken(location: db.Location, **_: object) -> None:
        raise ValueError(f"cannot use {location.url} or host=x password=Zq7x-s3cr9t")

    monkeypatch.setattr(db, "make_engine", broken)
    result = cli("--db", FORMS["userinfo"], "issue", "list")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: unexpected failure: ValueError: cannot use postgresql+psycopg://"
                                    f"postgres:***@{CLOSED}/ledger or host=x password=*** ")
    assert not leaks(result.output)


def test_the_pgpass_advice_speaks_chinese(cli: Qiye) -> None:
    result = cli("--lang", "zh", "config", "set", "db", FORMS["userinfo"])
    assert result.exit_code == 0
    advice = result.stderr.splitlines()[1]
    assert advice.startswith("提示：数据库密码已保存在 ") and "~/.pgpass" in advice and "PGPASSWORD" in advice
    assert not leaks(result.output)
    # A URL without a password is not a reason for advice.
    plain = cli("--lang", "zh", "config", "set", "db", f"postgresql://postgres@{CLOSED}/ledger")
    assert plain.stderr.count("\n") == 1 and "~/.pgpass" not in plain.stderr


# --- the config file ----------------------------------------------------------------------


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask, whatever the test runner's is: 0644 files and 0755 folders by default."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_config_file_is_readable_by_its_owner_alone(cli: Qiye, umask_022: None,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = Path(cli.env["QIYE_CONFIG_DIR"])
    assert not folder.exists()
    # Seen at the moment the file gets its name: it was never world-readable under any name.
    modes: list[int] = []
    replace = os.replace

    def watched(source: str | Path, target: str | Path) -> None:
        modes.append(mode(Path(source)))
        replace(source, target)

    monkeypatch.setattr(os, "replace", watched)
    assert cli("config", "set", "db", FORMS["userinfo"]).exit_code == 0
    path = Path(cli("config", "path").stdout.strip())
    assert modes == [0o600]
    assert mode(path) == 0o600 and mode(folder) == 0o700
    assert sorted(p.name for p in folder.iterdir()) == ["config.toml"]  # no temporary left behind


def test_a_world_readable_config_file_is_mended_when_rewritten(cli: Qiye, umask_022: None) -> None:
    folder = Path(cli.env["QIYE_CONFIG_DIR"])
    folder.mkdir(mode=0o755)
    path = folder / "config.toml"
    path.write_text('db = "postgresql://postgres:Zq7x-s3cr9t@127.0.0.1:1/ledger"\n', encoding="utf-8")
    os.chmod(path, 0o644)
    assert cli("config", "set", "timezone", "Asia/Shanghai").exit_code == 0
    assert mode(path) == 0o600
    assert mode(folder) == 0o755  # a folder qiye did not make keeps its mode
    listed = cli("config", "list")
    assert listed.stdout == ("db = postgresql://postgres:***@127.0.0.1:1/ledger\n"
                             "timezone = Asia/Shanghai\n")


def test_a_url_qiye_cannot_use_is_refused_by_config_set(cli: Qiye) -> None:
    result = cli("config", "set", "db", "mysql://root:Zq7x-s3cr9t@127.0.0.1:1/ledger")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: qiye cannot use the database mysql://root:***@127.0.0.1:1/ledger;")
    assert not leaks(result.output)
    assert not Path(cli.env["QIYE_CONFIG_DIR"], "config.toml").exists()


# --- a real server --------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["query", "at sign"])
def test_db_info_on_a_real_server_masks_every_form(pg_schema: str, base_env: dict[str, str], form: str) -> None:
    """The test server trusts local logins, so any password connects; none is shown."""
    from sqlalchemy.engine import make_url

    assert PG_URL
    url = make_url(pg_schema_url(pg_schema))
    server = f"postgresql+psycopg://{url.username}@{url.host}:{url.port}/{url.database}"
    schema = f"options=-csearch_path%3D{pg_schema}"
    if form == "query":
        given = f"{server}?{schema}&password=Zq7x-s3cr9t"
    else:
        given = server.replace(f"{url.username}@", f"{url.username}:Zq7x@s3cr9t@") + f"?{schema}"
    qiye = Qiye(given, {**base_env, "QIYE_DB": given})
    qiye.ok("init")
    info = qiye.ok("db", "info", "--format", "json")
    assert '"location": "postgresql+psycopg://' in info.stdout and "***" in info.stdout
    assert not leaks(info.output), info.stdout
