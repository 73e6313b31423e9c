"""`qiye db backup` and `qiye db restore`: a consistent copy of a live ledger, and putting
one back, never leaving a half-replaced database.

The portable file is always an SQLite qiye database. On SQLite a backup is SQLite's online
backup API (one read snapshot; writers carry on under WAL). On PostgreSQL a backup builds
such a file with the same migrations and copies every row from one REPEATABLE READ
snapshot, and a restore copies every row back in one transaction, so a ledger moves
SQLite -> PostgreSQL -> SQLite with its ids and event hashes intact.

These work on whole databases, not on a session: a restore is its own single transaction
(PostgreSQL) or a single os.replace (SQLite).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Table, create_engine, func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from qiye_service import _schema
from qiye_service.db import (
    BUSY_TIMEOUT_SECONDS,
    QIYE_TABLES,
    SQLITE_MAGIC,
    sqlite_uri,
    sync_search_index,
    upgrade,
)
from qiye_service.errors import BadFile, DatabaseUnavailable, InvalidValue
from qiye_service.models import Department, Enterprise

SIDECARS = ("-wal", "-shm", "-journal")
COPY_BATCH = 2000


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
    copy: Path
    facts: LedgerFacts

    def discard(self) -> None:
        with suppress(FileNotFoundError):
            self.copy.unlink()


# --- backup ---------------------------------------------------------------------------------


def backup_target(target: Path, *, stamp: datetime) -> Path:
    """The file a backup goes to: the path given, or a dated file inside a directory given."""
    if target.is_dir():
        return target / f"qiye-{stamp:%Y%m%d-%H%M%S}.db"
    return target


def backup_database(engine: Engine, target: Path, *, force: bool = False) -> LedgerFacts:
    """Write a consistent copy of the database to `target` (an SQLite qiye file)."""
    target = target.expanduser().absolute()
    _refuse_self(engine, target)
    if target.exists() and not force:
        raise InvalidValue("error.backup_exists", path=str(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidValue("error.backup_write", path=str(target), detail=exc.strerror or str(exc)) from None
    with _temporary_beside(target, "backup") as temp:
        if engine.url.get_backend_name() == "sqlite":
            _sqlite_online_backup(Path(str(engine.url.database)), temp)
        else:
            _postgresql_to_file(engine, temp)
        facts = _finish_file(temp)
        _publish(temp, target)
    return facts


def _refuse_self(engine: Engine, target: Path) -> None:
    if engine.url.get_backend_name() != "sqlite":
        return
    live = Path(str(engine.url.database)).absolute()
    if target == live or (target.exists() and live.exists() and os.path.samefile(target, live)):
        raise InvalidValue("error.backup_same_file", path=str(target))


def _sqlite_online_backup(source: Path, temp: Path) -> None:
    """SQLite's backup API in one step: one read snapshot, so the copy is consistent while
    other processes write (a stepwise copy would restart on every write)."""
    src = sqlite3.connect(sqlite_uri(source), uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        _copy_with_backup_api(src, temp)
    except sqlite3.Error as exc:
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
        result = source.execute(
            select(*columns).order_by(*table.primary_key.columns).execution_options(yield_per=COPY_BATCH))
        counts[table.name] = 0
        for chunk in result.partitions(COPY_BATCH):
            target.execute(table.insert(), [dict(row._mapping) for row in chunk])
            counts[table.name] += len(chunk)
    return counts


def _finish_file(path: Path) -> LedgerFacts:
    """Make a written file self-contained (no WAL), check it, and say what it holds."""
    conn = sqlite3.connect(path)
    try:
        conn.isolation_level = None
        conn.execute("PRAGMA journal_mode = DELETE")
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise DatabaseUnavailable("error.db_corrupt", where=str(path), detail="; ".join(problems[:5]))
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


def staging_path(engine: Engine) -> Path:
    """Where a restore file's checked copy is made: beside an SQLite database (so it can be
    swapped in atomically), in the temporary directory for PostgreSQL."""
    if engine.url.get_backend_name() == "sqlite":
        return Path(str(engine.url.database)).absolute()
    return Path(tempfile.gettempdir()) / "qiye-restore.db"


def prepare_restore(source: Path, beside: Path) -> PreparedRestore:
    """Check `source` is a sound qiye database and copy it next to `beside`, at this build's
    revision. Nothing of the live database is touched; BadFile when the file will not do."""
    source = source.expanduser().absolute()
    where = str(source)
    try:
        with open(source, "rb") as handle:
            magic = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BadFile("error.restore_unreadable", path=where, detail=exc.strerror or str(exc)) from None
    if magic != SQLITE_MAGIC:
        raise BadFile("error.restore_not_sqlite", path=where)
    if beside.exists() and os.path.samefile(source, beside):
        raise InvalidValue("error.backup_same_file", path=where)
    beside.parent.mkdir(parents=True, exist_ok=True)
    copy = _temp_name(beside, "restore")
    try:
        _copy_for_restore(source, copy)
        facts = _validate_copy(source, copy)
        if facts.revision != _schema.HEAD_REVISION:
            _upgrade_file(copy)
            facts = _finish_file(copy)
    except BaseException:
        with suppress(FileNotFoundError):
            copy.unlink()
        raise
    return PreparedRestore(source, copy, facts)


def _copy_for_restore(source: Path, copy: Path) -> None:
    # Read-only, so the user's file is never changed; the API also takes in a -wal beside it.
    try:
        src = sqlite3.connect(sqlite_uri(source, "ro"), uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    except sqlite3.Error as exc:
        raise BadFile("error.restore_unreadable", path=str(source), detail=str(exc)) from None
    try:
        _copy_with_backup_api(src, copy)
    except sqlite3.DatabaseError as exc:
        raise BadFile("error.restore_corrupt", path=str(source), detail=str(exc)) from None
    finally:
        src.close()
    os.chmod(copy, 0o600)


def _validate_copy(source: Path, copy: Path) -> LedgerFacts:
    where = str(source)
    conn = sqlite3.connect(copy)
    try:
        conn.isolation_level = None
        conn.execute("PRAGMA journal_mode = DELETE")
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "alembic_version" not in names:
            raise BadFile("error.restore_not_qiye", path=where, reason="no alembic_version table")
        missing = sorted(QIYE_TABLES - names)
        if missing:
            raise BadFile("error.restore_not_qiye", path=where, reason="no table " + ", ".join(missing))
        revisions = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
        if len(revisions) != 1:
            raise BadFile("error.restore_not_qiye", path=where, reason=f"{len(revisions)} schema revisions")
        if revisions[0] not in _schema.REVISIONS:
            raise BadFile("error.restore_newer", path=where, revision=revisions[0], head=_schema.HEAD_REVISION)
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BadFile("error.restore_corrupt", path=where, detail="; ".join(problems[:5]))
        return _facts(conn)
    except sqlite3.DatabaseError as exc:
        raise BadFile("error.restore_corrupt", path=where, detail=str(exc)) from None
    finally:
        conn.close()


def _upgrade_file(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def restore_database(engine: Engine, prepared: PreparedRestore, *, stamp: datetime) -> Path | None:
    """Replace the live database with the prepared copy; returns where the replaced one is kept."""
    if engine.url.get_backend_name() == "sqlite":
        return _restore_sqlite(Path(str(engine.url.database)).absolute(), prepared, stamp)
    return _restore_postgresql(engine, prepared, stamp)


def _restore_sqlite(live: Path, prepared: PreparedRestore, stamp: datetime) -> Path | None:
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
        for suffix in SIDECARS:
            with suppress(FileNotFoundError):
                os.unlink(f"{live}{suffix}")
        try:
            os.replace(prepared.copy, live)
            _sync_directory(live.parent)
        except OSError as exc:
            raise DatabaseUnavailable("error.db_unavailable", where=str(live), detail=exc.strerror or str(exc)) from None
        if old_fd is not None:
            # A qiye command that opened the old file and is waiting for our lock must not
            # go on writing into a file nobody will read again: spoil its header so it
            # stops with a clear error instead.
            os.lseek(old_fd, 0, os.SEEK_SET)
            os.write(old_fd, b"\0" * len(SQLITE_MAGIC))
            os.fsync(old_fd)
    finally:
        if old_fd is not None:
            os.close(old_fd)
        if holder is not None:
            holder.close()
    return kept


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
    with _temporary_beside(kept, "keep") as temp:
        shutil.copyfile(live, temp)
        _publish(temp, kept)
    return kept


def _restore_postgresql(engine: Engine, prepared: PreparedRestore, stamp: datetime) -> Path | None:
    """Keep the current rows as a file beside the restore file, then copy the file's rows in,
    in one transaction, and move the id sequences past them."""
    kept: Path | None = None
    current = database_facts(engine)
    if current is not None and (current.issues or _has_rows(engine)):
        kept = _unused(prepared.source.parent / f"qiye-postgresql.replaced-{stamp:%Y%m%dT%H%M%SZ}.db")
        with _temporary_beside(kept, "keep") as temp:
            _postgresql_to_file(engine, temp)
            _finish_file(temp)
            _publish(temp, kept)
    source = create_engine(f"sqlite:///{prepared.copy}")
    try:
        with source.connect() as src, engine.begin() as pg:
            names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
            pg.execute(text(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE"))
            copy_rows(src, pg)
            for table in SQLModel.metadata.sorted_tables:
                _reset_sequence(pg, table)
    finally:
        source.dispose()
    return kept


def _has_rows(engine: Engine) -> bool:
    with engine.connect() as conn:
        return any(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in (Enterprise, Department))


def _reset_sequence(pg: Connection, table: Table) -> None:
    if "id" not in table.columns or len(table.primary_key.columns) != 1:
        return
    sequence = pg.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}).scalar()
    if sequence:
        pg.execute(text(f'SELECT setval(:s, COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'),
                   {"s": sequence})


# --- files ----------------------------------------------------------------------------------


def _temp_name(beside: Path, purpose: str) -> Path:
    _clear_stale_temporaries(beside.parent)
    return beside.parent / f".{beside.name}.{purpose}-{os.getpid()}.tmp"


@contextmanager
def _temporary_beside(target: Path, purpose: str) -> Iterator[Path]:
    """A temporary file in the target's directory (so os.replace is atomic), removed on failure."""
    temp = _temp_name(target, purpose)
    with suppress(FileNotFoundError):
        temp.unlink()
    fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        yield temp
    finally:
        for path in (temp, *(Path(f"{temp}{s}") for s in SIDECARS)):
            with suppress(FileNotFoundError):
                path.unlink()


_TEMP_PATTERN = re.compile(r"^\..+\.(?:backup|restore|keep)-(\d+)\.tmp$")


def _clear_stale_temporaries(directory: Path) -> None:
    """Remove temporaries left by a qiye that was killed mid-way (its process is gone)."""
    try:
        entries = list(directory.iterdir())
    except OSError:
        return
    for entry in entries:
        match = _TEMP_PATTERN.match(entry.name)
        if match is None or int(match.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(match.group(1)), 0)
        except ProcessLookupError:
            with suppress(OSError):
                entry.unlink()
        except OSError:
            continue


def _publish(temp: Path, target: Path) -> None:
    """Flush the finished file and move it into place in one step."""
    try:
        fd = os.open(temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(temp, 0o600)
        os.replace(temp, target)
        _sync_directory(target.parent)
    except OSError as exc:
        raise InvalidValue("error.backup_write", path=str(target), detail=exc.strerror or str(exc)) from None


def _sync_directory(directory: Path) -> None:
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _unused(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate
