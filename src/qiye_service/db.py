"""Where the database is (--db > QIYE_DB > config > platformdirs), how to connect, and
session_scope(): the one place a transaction commits.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from qiye_service import _schema
from qiye_service.errors import DatabaseUnavailable, InvalidValue
from qiye_service.i18n import os_reason

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.orm import Session

BUSY_TIMEOUT_SECONDS = float(os.environ.get("QIYE_BUSY_TIMEOUT", "60"))
PG_CONNECT_TIMEOUT_SECONDS = int(os.environ.get("QIYE_CONNECT_TIMEOUT", "5"))


@dataclass(frozen=True)
class Location:
    """A resolved database: its SQLAlchemy URL and, for SQLite, its file."""

    url: str
    path: Path | None

    @property
    def is_sqlite(self) -> bool:
        return self.path is not None

    @property
    def display(self) -> str:
        return str(self.path) if self.path is not None else mask_url(self.url)


def default_sqlite_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("qiye", appauthor=False)) / "qiye.db"


def resolve_location(cli_value: str | None, config_value: str | None = None) -> Location:
    """The database named by --db, else QIYE_DB, else the config, else the default file."""
    raw = cli_value or os.environ.get("QIYE_DB") or config_value
    if not raw:
        path = default_sqlite_path()
        return Location(f"sqlite:///{path}", path)
    if raw.startswith("sqlite:///"):
        path = Path(raw.removeprefix("sqlite:///")).expanduser()
        return Location(f"sqlite:///{path}", path)
    if "://" in raw:
        scheme, _, rest = raw.partition("://")
        if scheme.partition("+")[0] not in ("postgresql", "postgres"):
            raise InvalidValue("error.db_scheme", value=mask_url(raw))
        # psycopg (3) is the PostgreSQL driver qiye installs, whichever one the URL names.
        return Location("postgresql+psycopg://" + _quote_userinfo(rest), None)
    path = Path(raw).expanduser().absolute()
    return Location(f"sqlite:///{path}", path)


# Secrets in database URLs and libpq connection strings (issue 25, point 6). A URL's userinfo
# ends at the last '@' of its authority: the first '@' after which the host holds no '@', so
# `postgres:p@ss@host` is the user postgres with the password p@ss (SQLAlchemy alone would take
# `ss@host` for the host). libpq marks two keywords secret: password and sslpassword.
_HOST_AFTER = r"(?=[^\s@/?#'\"]*(?:[\s/?#'\"]|$))"
_URL_USERINFO = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*:/+)(?P<user>[^\s:/]*):(?P<password>.*?)@" + _HOST_AFTER)
_MASKED = r"(?!\*\*\*(?:[\s&#:'\"]|$))"  # masking twice leaves a masked value as it is
_QUERY_SECRET = re.compile(r"(?P<key>[?&](?:ssl)?password=)" + _MASKED + r"[^&#\s]*", re.IGNORECASE)
_KEYWORD_SECRET = re.compile(
    r"(?P<key>(?<![\w?&])(?:ssl)?password\s*=\s*)" + _MASKED + r"(?:'(?:[^'\\]|\\.)*'?|\S*)", re.IGNORECASE)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_USERINFO = re.compile(r"(?P<user>[^:/]*):(?P<password>.*?)@(?=[^@/?#]*(?:[/?#]|$))", re.DOTALL)


def mask_url(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with every password in it replaced by ***: the URL's (userinfo, and password= or
    sslpassword= in its query), libpq's keyword form (password=… or password='…'), and any of
    `secrets` quoted verbatim (a driver error echoing the conninfo). The one place qiye masks:
    every URL, setting and error line goes through here before it is shown."""
    from urllib.parse import quote

    for secret in secrets:
        if secret:
            text = text.replace(secret, "***").replace(quote(secret, safe=""), "***")
    scheme, sep, rest = text.partition("://")
    if sep and _SCHEME.fullmatch(scheme):
        # The text is one URL (a setting, --db): its userinfo read as qiye connects with it,
        # a space or an '@' in the password included.
        text = f"{scheme}://{_quote_userinfo(rest)}"
    text = _URL_USERINFO.sub(r"\g<head>\g<user>:***@", text)
    text = _QUERY_SECRET.sub(r"\g<key>***", text)
    return _KEYWORD_SECRET.sub(r"\g<key>***", text)


def _quote_userinfo(rest: str) -> str:
    """The part of a URL after `scheme://` with its user and password percent-encoded, so that a
    password typed with '@', '/', '?' or a space reaches the server whole (and its tail is not
    taken for the host, to be quoted in a connection error)."""
    from urllib.parse import quote, unquote

    found = _USERINFO.match(rest)
    if found is None:
        return rest
    user, password = (quote(unquote(found[name]), safe="") for name in ("user", "password"))
    return f"{user}:{password}@{rest[found.end():]}"


def _prepare_sqlite_file(path: Path) -> None:
    """Create the file with mode 0600 before SQLite does, so it is never world-readable."""
    if path.exists():
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise DatabaseUnavailable("error.db_unavailable", where=str(path), detail=os_reason(exc)) from None
    os.close(fd)


SQLITE_MAGIC = b"SQLite format 3\x00"
# The tables every qiye database has had since the first revision.
QIYE_TABLES = frozenset({"enterprise", "category", "department", "tag", "issue", "event", "issue_tag"})


def sqlite_uri(path: Path, mode: str = "rw") -> str:
    """An SQLite URI for the file that never creates it (the path quoted: ?, # and % are legal in names)."""
    if os.name == "nt":
        from urllib.request import pathname2url

        return f"file:{pathname2url(str(path))}?mode={mode}"
    # What pathname2url does on POSIX, without importing urllib.request (http.client, email:
    # a tenth of a short command's own start-up).
    from urllib.parse import quote

    return f"file:{quote(str(path))}?mode={mode}"


def read_only_reason(path: Path) -> str | None:
    """Why the SQLite ledger at `path` cannot be written, as a catalogue key; None when it can.

    SQLite writes the file and makes its -wal and -shm (or -journal) in the folder beside it
    (beside the real file, when `path` is a symlink).
    """
    path = Path(os.path.realpath(path))
    folder = path.parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "error.db_readonly_fs"
    except (OSError, AttributeError):  # no statvfs on Windows; a missing folder is not read-only
        pass
    if folder.exists() and not os.access(folder, os.W_OK) and not (
            Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists()):
        return "error.db_readonly_folder"
    if path.exists() and not os.access(path, os.W_OK):
        return "error.db_readonly_file"
    return None


def sqlite_read_uri(path: Path) -> str:
    """How a command that only reads opens the ledger, so that it never writes the file.

    With a -wal beside it: mode=ro, since a read-write connection that closes last checkpoints the
    WAL into the file, even a WAL copied there from another database. Where no -wal can be made
    (a read-only file system or folder): immutable=1, since no one can be writing and SQLite then
    needs no -shm. Otherwise the plain open, which removes the -wal/-shm it made when it closes.
    """
    if Path(f"{os.path.realpath(path)}-wal").exists():  # SQLite keeps it beside the real file
        return sqlite_uri(path, "ro")
    if read_only_reason(path) in ("error.db_readonly_fs", "error.db_readonly_folder"):
        return sqlite_uri(path, "ro") + "&immutable=1"
    return sqlite_uri(path)


def probe_sqlite_file(path: Path, *, read_only: bool = False) -> str | None:
    """Look at an SQLite file before anything writes to it; its revision, or None when it is new.

    A missing or empty file is a new database. Anything else must be an SQLite file holding
    the qiye tables at a revision this build knows; otherwise DatabaseUnavailable (exit 3)
    and the file is left exactly as it was (no tables, no WAL switch).
    """
    import sqlite3

    where = str(path)
    try:
        if path.is_dir():
            raise DatabaseUnavailable("error.db_is_directory", where=where)
        size = path.stat().st_size
        if size == 0:
            return None
        with open(path, "rb") as handle:
            magic = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DatabaseUnavailable("error.db_unavailable", where=where, detail=os_reason(exc)) from None
    if magic != SQLITE_MAGIC:
        raise DatabaseUnavailable("error.db_not_sqlite", where=where)
    try:
        # For a writer a plain read-write open (read-only when the file is): unlike mode=ro it
        # cleans up the -wal/-shm it opens on close; a reader opens as its engine will.
        uri = sqlite_read_uri(path) if read_only else sqlite_uri(path)
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    except sqlite3.Error as exc:
        raise DatabaseUnavailable("error.db_unavailable", where=where, detail=str(exc)) from None
    try:
        conn.isolation_level = None
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall() if "alembic_version" in names else []
    except sqlite3.Error as exc:
        raise _classify_error(str(exc), where) from None
    finally:
        conn.close()
    if not names - {"sqlite_sequence", "alembic_version"} and not rows:
        return None  # new, or every revision downgraded away
    if "alembic_version" not in names or not QIYE_TABLES <= names or len(rows) != 1:
        raise DatabaseUnavailable("error.db_not_qiye", where=where)
    revision = str(rows[0][0])
    if revision not in _schema.REVISIONS:
        raise DatabaseUnavailable("error.db_newer", where=where, revision=revision, head=_schema.HEAD_REVISION)
    return revision


def _classify_error(text: str, where: str) -> DatabaseUnavailable:
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return DatabaseUnavailable("error.db_locked", where=where, seconds=int(BUSY_TIMEOUT_SECONDS))
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return DatabaseUnavailable("error.db_corrupt", where=where, detail=text)
    if "readonly" in lowered or "read-only" in lowered:
        return DatabaseUnavailable("error.db_readonly", where=where, detail=text)
    if "disk is full" in lowered or "disk i/o error" in lowered:
        from qiye_service.i18n import Msg

        cause = Msg("cause.disk_full" if "full" in lowered else "cause.io")
        return DatabaseUnavailable("error.db_io", where=where, cause=cause)
    return DatabaseUnavailable("error.db_unavailable", where=where, detail=text)


def make_engine(location: Location, *, read_only: bool = False) -> Engine:
    """An engine with the connection settings of DESIGN §6; with `read_only`, one that never
    writes an SQLite file (see sqlite_read_uri). A ledger that cannot be written is refused
    for writing here, before anything is tried, with the reason (DatabaseUnavailable)."""
    from sqlalchemy import create_engine, event

    if location.path is not None:
        import sqlite3

        path = location.path
        if read_only:
            def connect() -> sqlite3.Connection:
                return sqlite3.connect(sqlite_read_uri(path), uri=True, timeout=BUSY_TIMEOUT_SECONDS,
                                       check_same_thread=False)

            engine = create_engine(location.url, creator=connect)
        else:
            _prepare_sqlite_file(path)
            reason = read_only_reason(path)
            if reason is not None:
                real = Path(os.path.realpath(path))
                raise DatabaseUnavailable(reason, where=str(path), folder=str(real.parent), name=real.name)
            engine = create_engine(
                location.url,
                connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            # Let us issue BEGIN ourselves (pysqlite's implicit BEGIN is DEFERRED).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            if not read_only:
                try:
                    cursor.execute("PRAGMA journal_mode = WAL")
                except sqlite3.OperationalError as exc:
                    # A read-only file keeps its journal mode: reading it still works, and
                    # a write fails with the read-only error of DESIGN §7.
                    if "readonly" not in str(exc).lower():
                        raise
                # A writer checks every cell of each page it loads (issue 25, point 12): a page
                # SQLite can tell is damaged fails the write as malformed (exit 3) instead of
                # being written back around the damage. Readers leave it off: a report reads
                # most of the ledger, and `db check` reads all of it.
                cursor.execute("PRAGMA cell_size_check = ON")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
            # A writer takes the write lock up front: a deferred transaction that
            # upgrades from read to write fails at once with SQLITE_BUSY under WAL.
            write = conn.get_execution_options().get("qiye_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(
        location.url,
        connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_SECONDS, "application_name": "qiye"},
        pool_pre_ping=False,
    )


# The search index (migration 0002): triggers record changed issues in issue_search_pending;
# these apply them in bulk, so FTS5 buffers one transaction's changes instead of flushing per row.
SEARCH_INDEX_SYNC = (
    "INSERT INTO issue_search(issue_search, rowid, body) "
    "SELECT 'delete', id, old_body FROM issue_search_pending WHERE old_body IS NOT NULL ORDER BY id",
    "INSERT INTO issue_search(rowid, body) SELECT id, body FROM issue_search_source "
    "WHERE id IN (SELECT id FROM issue_search_pending) ORDER BY id",
    "DELETE FROM issue_search_pending",
)


def sync_search_index(connection: Connection) -> None:
    """Bring SQLite's search index up to date within the caller's transaction."""
    from sqlalchemy.exc import OperationalError

    if connection.dialect.name != "sqlite":
        return
    try:
        if connection.exec_driver_sql("SELECT 1 FROM issue_search_pending LIMIT 1").first() is None:
            return
    except OperationalError:  # a database before migration 0002
        return
    for statement in SEARCH_INDEX_SYNC:
        connection.exec_driver_sql(statement)


# SQLite plans without statistics assume an equality beats a range: it walks all resolved
# issues by status to find the ones resolved this week, instead of the resolved_on index.
# With sqlite_stat1 it knows a status matches a quarter of the issues. ANALYZE runs when
# the issue table has none yet or has doubled since (a few times in a ledger's life; about
# a second at a million issues); a sample (analysis_limit) misjudges the status columns.
STATISTICS_FROM_ROWS = 10_000


def refresh_statistics(connection: Connection, *, force: bool = False) -> None:
    """Give SQLite's planner fresh statistics when the issue table has outgrown them."""
    from sqlalchemy.exc import OperationalError

    if connection.dialect.name != "sqlite":
        return
    rows = connection.exec_driver_sql("SELECT max(id) FROM issue").scalar() or 0
    if rows < STATISTICS_FROM_ROWS and not force:
        return
    try:
        stat = connection.exec_driver_sql("SELECT stat FROM sqlite_stat1 WHERE tbl = 'issue' LIMIT 1").scalar()
    except OperationalError:  # never analyzed: no sqlite_stat1 table yet
        stat = None
    known = int(str(stat).split()[0]) if stat else 0
    if force or rows > 2 * known:
        connection.exec_driver_sql("PRAGMA analysis_limit = 0")
        connection.exec_driver_sql("ANALYZE issue")
        connection.exec_driver_sql("ANALYZE enterprise")


@contextmanager
def session_scope(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """Begin, commit on success, roll back on any exception."""
    from sqlmodel import Session

    bind = engine.execution_options(qiye_write=True) if write else engine
    session = Session(bind=bind, expire_on_commit=False, autoflush=True)
    try:
        yield session
        if write:
            session.flush()
            sync_search_index(session.connection())
            refresh_statistics(session.connection())
            _require_transaction(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _require_transaction(session: Session) -> None:
    """SQLite rolls a transaction back by itself on SQLITE_FULL or SQLITE_IOERR; a statement
    whose error was handled after that (the statistics refresh tolerates some) would leave the
    command to commit nothing, or what ran after in autocommit, and report success."""
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        from qiye_service.errors import DatabaseUnavailable

        raise DatabaseUnavailable("error.transaction_lost")


def migrations_dir() -> Path:
    """The alembic scripts: shipped inside the wheel, or the checkout's migrations/."""
    shipped = resources.files("qiye_service") / "_migrations"
    if shipped.is_dir():
        return Path(str(shipped))
    return Path(__file__).resolve().parents[2] / "migrations"


def sample_data_dir() -> Path:
    shipped = resources.files("qiye_service") / "_sample_data"
    if shipped.is_dir():
        return Path(str(shipped))
    return Path(__file__).resolve().parents[2] / "sample_data"


def alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def stored_revision(engine: Engine) -> str | None:
    """The alembic revision stored in the database; None if it has no qiye schema yet.

    Raises DatabaseUnavailable for a database with tables but no revision (not ours).
    """
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        try:
            # Every run asks; one plain query answers for a qiye database (start-up, issue 7).
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        except Exception:  # noqa: BLE001 - no such table, or worse: the catalogue below tells
            conn.rollback()
        try:
            names = set(inspect(conn).get_table_names())
        except Exception as exc:  # noqa: BLE001 - any driver failure means unusable
            raise translate_db_error(exc, engine) from None
        if "alembic_version" not in names:
            if names:
                raise DatabaseUnavailable("error.db_not_qiye", where=describe(engine))
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def ensure_schema(engine: Engine, *, read_only: bool = False) -> str:
    """Bring a new or older database to the head revision; refuse a newer one.

    An SQLite file is probed first, so a file that is not ours is refused untouched. For a
    `read_only` engine a new or older file is brought up to date by a writer of its own, as
    on any first use.
    """
    if engine.url.get_backend_name() == "sqlite" and engine.url.database:
        path = Path(engine.url.database)
        if probe_sqlite_file(path, read_only=read_only) == _schema.HEAD_REVISION:
            return _schema.HEAD_REVISION
        if read_only:
            writer = make_engine(Location(f"sqlite:///{path}", path))
            try:
                return ensure_schema(writer)
            finally:
                writer.dispose()
    revision = stored_revision(engine)
    if revision == _schema.HEAD_REVISION:
        return revision
    if revision is not None and revision not in _schema.REVISIONS:
        raise DatabaseUnavailable(
            "error.db_newer", where=describe(engine), revision=revision, head=_schema.HEAD_REVISION
        )
    upgrade(engine)
    return _schema.HEAD_REVISION


def describe(engine: Engine) -> str:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return mask_url(url.render_as_string(hide_password=True))


def translate_db_error(exc: BaseException, engine: Engine) -> DatabaseUnavailable:
    """Turn a driver error into the exit-3 error of DESIGN §7."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    # libpq never echoes a password, but a message quoting the conninfo or the URL would.
    password = engine.url.password
    return _classify_error(mask_url(text, [str(password) if password else None]), describe(engine))
