"""`qiye db backup` and `qiye db restore`: a consistent copy of a live ledger, and putting
one back, never leaving a half-replaced database.

The portable file is always an SQLite qiye database. On SQLite a backup is SQLite's online
backup API (one read snapshot; writers carry on under WAL). On PostgreSQL a backup builds
such a file with the same migrations and copies every row from one REPEATABLE READ
snapshot, and a restore copies every row back in one transaction, so a ledger moves
SQLite -> PostgreSQL -> SQLite with its ids and event hashes intact.

These work on whole databases, not on a session: a restore is its own single transaction
(PostgreSQL) or a single os.replace (SQLite). Every file they make starts as an
outfiles.Temporary beside its final name; a failed write blames the file being written.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Table, create_engine, func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from qiye_service import _schema, outfiles
from qiye_service.db import (
    BUSY_TIMEOUT_SECONDS,
    QIYE_TABLES,
    SQLITE_MAGIC,
    sqlite_read_uri,
    sqlite_uri,
    sync_search_index,
    upgrade,
)
from qiye_service.errors import BadFile, DatabaseUnavailable, InvalidValue, OutputFailed, QiyeError
from qiye_service.i18n import Msg, os_reason
from qiye_service.models import Department, Enterprise, User
from qiye_service.services.progress import NO_PROGRESS, Progress

SIDECARS = outfiles.SIDECARS
COPY_BATCH = 2000
# Rows per batch where a row is large: a stored file's chunks (issue 23) are up to 1 MiB each, so
# a 100 MB attachment crosses over a few megabytes at a time, never whole.
COPY_BATCH_OF = {"attachment_chunk": 2}
# SQLite's result codes for a failed write, and how they are said (i18n cause.*): in a copy,
# the file being written is at fault, not the database being read.
WRITE_FAILURES = {"SQLITE_FULL": "disk_full", "SQLITE_IOERR_WRITE": "io_write", "SQLITE_IOERR_FSYNC": "io_write",
                  "SQLITE_IOERR_TRUNCATE": "io_write", "SQLITE_IOERR_DIR_FSYNC": "io_write"}


@dataclass(frozen=True)
class LedgerFacts:
    """What a database or backup file holds, for messages and checks."""

    revision: str | None
    issues: int
    events: int


@dataclass
class PreparedRestore:
    """A restore file checked and copied (upgraded to this build's revision) beside its target."""

    source: Path
    copy: outfiles.Temporary
    facts: LedgerFacts

    def discard(self) -> None:
        self.copy.remove()


@contextmanager
def _writes_into(failure: Callable[[str], QiyeError]) -> Iterator[None]:
    """A failed write of the file being made (a full disk, a size limit, no permission) becomes
    `failure(cause)`, so the message names where the file was going, not the database read."""
    try:
        yield
    except OSError as exc:
        raise failure(outfiles.cause(exc)) from None
    except sqlite3.Error as exc:
        found = WRITE_FAILURES.get(getattr(exc, "sqlite_errorname", ""))
        if found is None:
            raise
        raise failure(found) from None
    except DBAPIError as exc:  # the same, through SQLAlchemy (a PostgreSQL copy, an upgrade)
        found = WRITE_FAILURES.get(getattr(exc.orig, "sqlite_errorname", ""))
        if found is None:
            raise
        raise failure(found) from None


def _is_write_failure(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorname", "") in WRITE_FAILURES


def _ledger_file(engine: Engine) -> Path | None:
    """The SQLite database's file (as named: it may be a symlink); None on PostgreSQL."""
    return Path(str(engine.url.database)).absolute() if engine.url.get_backend_name() == "sqlite" else None


# --- backup ---------------------------------------------------------------------------------


def backup_target(target: Path, *, stamp: datetime, folder: bool = False) -> Path:
    """The file a backup goes to: the path given, or a dated file inside a directory given
    (`folder`: typed as one, `~/qiye-backups/`, made on first use by backup_database)."""
    if folder or target.is_dir():
        return target / f"qiye-{stamp:%Y%m%d-%H%M%S}.db"
    return target


def backup_database(engine: Engine, target: Path, progress: Progress = NO_PROGRESS) -> LedgerFacts:
    """Write a consistent copy of the database to `target`, an SQLite qiye file of mode 0600.

    `target` is a real path that outfiles.check_target allowed (the publish step refuses the
    ledger and SQLite files again); a missing folder is made. A target that cannot be written
    (a full disk, a size limit) is an OutputFailed naming it, and nothing is left behind.
    """
    live = _ledger_file(engine)

    def failure(found: str) -> OutputFailed:
        return OutputFailed("error.output_write", path=str(target), cause=found)

    with _writes_into(failure):
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = outfiles.Temporary(target)
    with temp, _writes_into(failure):
        # One step (one snapshot): no figures to give while it copies, only that it does.
        progress.step("progress.backup", path=str(target))
        if live is not None:
            _sqlite_online_backup(live, temp.path)
        else:
            _postgresql_to_file(engine, temp.path)
        # The API copies pages as they are: a copy that fails the check is the ledger's damage.
        progress.step("progress.backup_check")
        facts = _finish_file(temp.path, blame=live)
        temp.publish(target, ledger=live, private=True)
    return facts


def _sqlite_online_backup(source: Path, temp: Path) -> None:
    """SQLite's backup API in one step: one read snapshot, so the copy is consistent while
    other processes write (a stepwise copy would restart on every write). The ledger is opened
    as every command that only reads opens it, so a backup never writes to it."""
    src = sqlite3.connect(sqlite_read_uri(source), uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        _copy_with_backup_api(src, temp)
    except sqlite3.Error as exc:
        if _is_write_failure(exc):
            raise  # the copy's disk: the caller names it
        raise DatabaseUnavailable("error.db_unavailable", where=str(source), detail=str(exc)) from None
    finally:
        src.close()


def _copy_with_backup_api(src: sqlite3.Connection, target: Path) -> None:
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()


def _postgresql_to_file(engine: Engine, temp: Path) -> None:
    """Every row of the PostgreSQL ledger, from one snapshot, into a fresh SQLite qiye file."""
    target = create_engine(f"sqlite:///{temp}")
    try:
        with engine.connect() as pg:
            pg = pg.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with pg.begin():
                revision = pg.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
                upgrade(target, revision)
                with target.begin() as out:
                    copy_rows(pg, out)
                    sync_search_index(out)
    finally:
        target.dispose()


def copy_rows(source: Connection, target: Connection) -> dict[str, int]:
    """Replace every qiye table's rows in `target` with those of `source` (same revision)."""
    tables = SQLModel.metadata.sorted_tables
    for table in reversed(tables):
        target.execute(table.delete())
    counts: dict[str, int] = {}
    for table in tables:
        columns = [c for c in table.columns if c.computed is None]
        batch = COPY_BATCH_OF.get(table.name, COPY_BATCH)
        result = source.execute(
            select(*columns).order_by(*table.primary_key.columns).execution_options(yield_per=batch))
        counts[table.name] = 0
        for chunk in result.partitions(batch):
            target.execute(table.insert(), [dict(row._mapping) for row in chunk])
            counts[table.name] += len(chunk)
    return counts


def _finish_file(path: Path, blame: Path | None = None) -> LedgerFacts:
    """Make a written file self-contained (no WAL), check it, and say what it holds; a copy
    that fails the check is reported as `blame` (the ledger it was copied from) when given."""
    conn = sqlite3.connect(path)
    try:
        conn.isolation_level = None
        conn.execute("PRAGMA journal_mode = DELETE")
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise DatabaseUnavailable("error.db_corrupt", where=str(blame or path), detail="; ".join(problems[:5]))
        return _facts(conn)
    finally:
        conn.close()


def _facts(conn: sqlite3.Connection) -> LedgerFacts:
    revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    issues = conn.execute("SELECT count(*) FROM issue").fetchone()[0]
    events = conn.execute("SELECT count(*) FROM event").fetchone()[0]
    return LedgerFacts(revision[0] if revision else None, int(issues), int(events))


def database_facts(engine: Engine) -> LedgerFacts | None:
    """What the live database holds; None when it cannot be read (a restore may mend that)."""
    try:
        with engine.connect() as conn:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            issues = conn.execute(text("SELECT count(*) FROM issue")).scalar_one()
            events = conn.execute(text("SELECT count(*) FROM event")).scalar_one()
    except Exception:  # noqa: BLE001 - missing tables, a corrupt file: nothing to report
        return None
    return LedgerFacts(revision, int(issues), int(events))


# --- restore --------------------------------------------------------------------------------


def prepare_restore(source: Path, *, ledger: Path | None) -> PreparedRestore:
    """Check `source` is a sound qiye database and copy it, at this build's revision, beside the
    SQLite `ledger`'s real file (so it can be swapped in atomically), or for PostgreSQL (None)
    into a private temporary folder. Nothing of the live database is touched; BadFile when the
    file will not do; a failed write of the copy names the folder (exit 3 beside a ledger)."""
    source = source.expanduser().absolute()
    where = str(source)
    try:
        with open(source, "rb") as handle:
            magic = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BadFile("error.restore_unreadable", path=where, detail=os_reason(exc)) from None
    if magic != SQLITE_MAGIC:
        raise BadFile("error.restore_not_sqlite", path=where)
    if ledger is not None:
        live = Path(os.path.realpath(ledger))
        if live.exists() and os.path.samefile(source, live):
            raise InvalidValue("error.backup_same_file", path=where)
        _refuse_hard_links(live)
        beside, folder = live, live.parent

        def failure(found: str) -> QiyeError:
            return DatabaseUnavailable("error.restore_write", where=str(ledger), folder=str(folder), cause=found)
    else:
        folder = Path(tempfile.gettempdir())
        beside = folder / "qiye-restore.db"

        def failure(found: str) -> QiyeError:
            return OutputFailed("error.restore_write", where="PostgreSQL", folder=str(folder), cause=found)
    with _writes_into(failure):
        folder.mkdir(parents=True, exist_ok=True)
        # For PostgreSQL in a private folder: in the shared temporary folder, the name of the
        # copy's -journal would be there for anyone to see coming.
        copy = outfiles.Temporary(beside, private_folder=ledger is None)
    prepared = PreparedRestore(source, copy, LedgerFacts(None, 0, 0))
    try:
        with _writes_into(failure):
            _copy_for_restore(source, copy.path)
            prepared.facts = _validate_copy(source, copy.path)
            if prepared.facts.revision != _schema.HEAD_REVISION:
                _upgrade_file(copy.path)
                prepared.facts = _finish_file(copy.path)
    except BaseException:
        prepared.discard()
        raise
    return prepared


def _refuse_hard_links(live: Path) -> None:
    """A restore replaces the ledger's file: another hard link would go on naming the old one."""
    try:
        links = live.stat().st_nlink
    except FileNotFoundError:
        return
    if links > 1:
        raise InvalidValue("error.restore_hard_links", where=str(live), count=links)


def _copy_for_restore(source: Path, copy: Path) -> None:
    # Read-only, so the user's file is never changed; the API also takes in a -wal beside it.
    try:
        src = sqlite3.connect(sqlite_uri(source, "ro"), uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    except sqlite3.Error as exc:
        raise BadFile("error.restore_unreadable", path=str(source), detail=str(exc)) from None
    try:
        _copy_with_backup_api(src, copy)
    except sqlite3.DatabaseError as exc:
        if _is_write_failure(exc):
            raise  # the copy's disk, not the backup: the caller names it
        raise BadFile("error.restore_corrupt", path=str(source), detail=str(exc)) from None
    finally:
        src.close()


def _validate_copy(source: Path, copy: Path) -> LedgerFacts:
    where = str(source)
    conn = sqlite3.connect(copy)
    try:
        conn.isolation_level = None
        conn.execute("PRAGMA journal_mode = DELETE")
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "alembic_version" not in names:
            raise BadFile("error.restore_not_qiye", path=where, reason=Msg("reason.no_version_table"))
        missing = sorted(QIYE_TABLES - names)
        if missing:
            raise BadFile("error.restore_not_qiye", path=where, reason=Msg("reason.no_tables", tables=", ".join(missing)))
        revisions = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
        if len(revisions) != 1:
            raise BadFile("error.restore_not_qiye", path=where, reason=Msg("reason.revisions", count=len(revisions)))
        if revisions[0] not in _schema.REVISIONS:
            raise BadFile("error.restore_newer", path=where, revision=revisions[0], head=_schema.HEAD_REVISION)
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BadFile("error.restore_corrupt", path=where, detail="; ".join(problems[:5]))
        return _facts(conn)
    except sqlite3.DatabaseError as exc:
        if _is_write_failure(exc):
            raise  # the copy's disk, not the backup: the caller names it
        raise BadFile("error.restore_corrupt", path=where, detail=str(exc)) from None
    finally:
        conn.close()


def _upgrade_file(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def restore_database(engine: Engine, prepared: PreparedRestore, *, stamp: datetime,
                     restored: Callable[[Path | None], None] = lambda kept: None) -> Path | None:
    """Replace the live database with the prepared copy; returns where the replaced one is kept.

    Until the replacement, a failure or Ctrl-C leaves the ledger as it was and no kept copy
    behind; the replacement itself is not cut short (a Ctrl-C during it is raised once it is
    done), and `restored(kept)` is called the moment it has happened, before that Ctrl-C."""
    live = _ledger_file(engine)
    if live is not None:
        # Through a symlinked --db the real file is swapped: the link stays, naming the restored ledger.
        return _restore_sqlite(Path(os.path.realpath(live)), prepared, stamp, restored)
    return _restore_postgresql(engine, prepared, stamp, restored)


@contextmanager
def _held_off() -> Iterator[None]:
    """Ctrl-C (SIGINT) during the block is raised when the block ends: for a step that must not
    stop halfway (a file swapped in and the old one spoiled, a commit), short by nature."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught and callable(previous):
        previous(signal.SIGINT, None)  # Python's own handler: KeyboardInterrupt


def _forget_kept(kept: Path | None) -> None:
    """The copy of a ledger that was not replaced after all: it would only mislead."""
    if kept is not None:
        with suppress(FileNotFoundError):
            kept.unlink()


def _restore_sqlite(live: Path, prepared: PreparedRestore, stamp: datetime,
                    restored: Callable[[Path | None], None]) -> Path | None:
    """Swap the file in with os.replace while holding the old one's exclusive lock.

    The old database goes to WAL-free rollback mode first (which SQLite allows only when no
    one else has it open), so its -wal is checkpointed and gone, and no stale -wal or -shm
    can be read against the new file. A crash at any point leaves either the old file or
    the new one, whole.
    """
    kept: Path | None = None
    replacing = live.exists() and live.stat().st_size > 0
    holder = _lock_exclusively(live) if replacing else None
    old_fd: int | None = None
    try:
        if replacing:
            kept = _keep(live, stamp)
            old_fd = os.open(live, os.O_RDWR)
        _swap_file(live, prepared, old_fd, lambda: restored(kept))
    except BaseException:
        if not prepared.copy.renamed:
            _forget_kept(kept)
        raise
    finally:
        if old_fd is not None:
            os.close(old_fd)
        if holder is not None:
            holder.close()
    return kept


def _swap_file(live: Path, prepared: PreparedRestore, old_fd: int | None, restored: Callable[[], None]) -> None:
    """Put the prepared copy in the ledger's place and spoil the old file, never one without the other."""
    with _held_off():
        for suffix in SIDECARS:
            with suppress(FileNotFoundError):
                os.unlink(f"{live}{suffix}")
        try:
            prepared.copy.rename_over(live)
        except OSError as exc:
            raise DatabaseUnavailable("error.db_unavailable", where=str(live), detail=os_reason(exc)) from None
        if old_fd is not None:
            # A qiye command that opened the old file and is waiting for our lock must not
            # go on writing into a file nobody will read again: spoil its header so it
            # stops with a clear error instead.
            os.lseek(old_fd, 0, os.SEEK_SET)
            os.write(old_fd, b"\0" * len(SQLITE_MAGIC))
            os.fsync(old_fd)
        restored()


def _lock_exclusively(live: Path) -> sqlite3.Connection | None:
    """A connection holding the old database's exclusive lock in rollback-journal mode.

    None when the file is not a readable SQLite database (a restore may replace a corrupt one).
    """
    import time

    conn = sqlite3.connect(sqlite_uri(live), uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    conn.isolation_level = None
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    try:
        while True:
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc).lower() and "busy" not in str(exc).lower():
                    raise
                mode = "wal"
            if mode == "delete":
                break
            if time.monotonic() > deadline:
                raise DatabaseUnavailable("error.db_in_use", where=str(live))
            time.sleep(0.05)
        conn.execute("BEGIN EXCLUSIVE")
        return conn
    except sqlite3.DatabaseError as exc:
        conn.close()
        text_ = str(exc).lower()
        if "not a database" in text_ or "malformed" in text_ or "corrupt" in text_:
            return None
        raise DatabaseUnavailable("error.db_unavailable", where=str(live), detail=str(exc)) from None
    except BaseException:
        conn.close()
        raise


def _keep(live: Path, stamp: datetime) -> Path:
    """Copy the database about to be replaced to <name>.replaced-<UTC time>.db beside it."""
    kept = _unused(live.parent / f"{live.stem}.replaced-{stamp:%Y%m%dT%H%M%SZ}{live.suffix or '.db'}")
    try:
        with outfiles.Temporary(kept) as temp:
            shutil.copyfile(live, temp.path)
            temp.rename_over(kept)
    except OSError as exc:
        raise DatabaseUnavailable("error.restore_write", where=str(live), folder=str(live.parent),
                                  cause=outfiles.cause(exc)) from None
    return kept


def _restore_postgresql(engine: Engine, prepared: PreparedRestore, stamp: datetime,
                        restored: Callable[[Path | None], None]) -> Path | None:
    """Keep the current rows as a file beside the restore file, then copy the file's rows in,
    in one transaction, and move the id sequences past them."""
    kept: Path | None = None
    current = database_facts(engine)
    if current is not None and (current.issues or _has_rows(engine)):
        kept = _unused(prepared.source.parent / f"qiye-postgresql.replaced-{stamp:%Y%m%dT%H%M%SZ}.db")

        def failure(found: str) -> OutputFailed:
            return OutputFailed("error.output_write", path=str(kept), cause=found)

        with _writes_into(failure):
            temp = outfiles.Temporary(kept)
        with temp, _writes_into(failure):
            _postgresql_to_file(engine, temp.path)
            _finish_file(temp.path)
            temp.publish(kept, ledger=None, private=True)
    source = create_engine(f"sqlite:///{prepared.copy.path}")
    committed = False
    try:
        with source.connect() as src, engine.connect() as pg:
            transaction = pg.begin()  # rolled back, unless committed, when the connection closes
            names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
            pg.execute(text(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE"))
            copy_rows(src, pg)
            for table in SQLModel.metadata.sorted_tables:
                _reset_sequence(pg, table)
            with _held_off():
                transaction.commit()
                committed = True
                restored(kept)
    except BaseException:
        if not committed:
            _forget_kept(kept)
        raise
    finally:
        source.dispose()
    return kept


def _has_rows(engine: Engine) -> bool:
    with engine.connect() as conn:
        return any(conn.execute(select(func.count()).select_from(t)).scalar_one()
                   for t in (Enterprise, Department, User))


def _reset_sequence(pg: Connection, table: Table) -> None:
    if "id" not in table.columns or len(table.primary_key.columns) != 1:
        return
    sequence = pg.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}).scalar()
    if sequence:
        pg.execute(text(f'SELECT setval(:s, COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'),
                   {"s": sequence})


# --- files ----------------------------------------------------------------------------------


def _unused(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate
