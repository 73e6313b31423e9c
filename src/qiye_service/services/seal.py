"""The ledger seal (issue 25): one short digest over every event so far, in id order.

h_0 = SHA-256("qiye ledger seal v1"); for each event by id, h = SHA-256(h ‖ "id,issue_id,hash").
A seal reads `N-COUNT-DIGEST`: the highest event id it covers, how many events have an id up to
N, and the first 24 hex digits (96 bits) of h. Each event's hash covers its content and the
hash of its issue's event before it (services.history), and `db check` verifies every hash
against its content, so a seal pins the content of every sealed event, their order (the ids)
and their number, whole issues included.

A seal is consistent with concurrent writers: every event with an id up to N is committed
before the digest is read, and no event can later appear below N (see ledger_seal).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session

from qiye_service.errors import DatabaseUnavailable, InvalidValue
from qiye_service.services.progress import NO_PROGRESS, Progress

GENESIS = hashlib.sha256(b"qiye ledger seal v1").digest()
SHOWN_DIGITS = 24  # 96 bits: short enough to read aloud, far beyond forging by trial
PAGE = 20_000
LINK = b"%b%d,%d,%b"  # previous state, event id, issue id, event hash
_FORM = re.compile(r"^(\d{1,18})-(\d{1,18})-([0-9a-f]{24,64})$")


@dataclass(frozen=True)
class Seal:
    """A seal: `digest` is the full hex digest, or only its printed digits for a typed seal."""

    event_id: int
    events: int
    digest: str

    @property
    def text(self) -> str:
        return f"{self.event_id}-{self.events}-{self.digest[:SHOWN_DIGITS]}"

    def matches(self, digest: str) -> bool:
        return digest.startswith(self.digest)


@dataclass(frozen=True)
class RecordedSeal:
    """A seal `db seal` printed and kept in the ledger."""

    seal: Seal
    sealed_at: datetime
    sealed_by: str


class SealBusy(DatabaseUnavailable):
    """Writers kept adding events for longer than a seal may wait for them (PostgreSQL)."""


def parse_seal(text: str) -> Seal:
    """A seal as typed: `N-COUNT-DIGEST`, at least 24 hex digits, any case, spaces around ignored."""
    found = _FORM.match(text.strip().lower())
    if found is None:
        raise InvalidValue("error.seal_form", value=text[:80])
    event_id, events, digest = int(found[1]), int(found[2]), found[3]
    if events > event_id:
        raise InvalidValue("error.seal_form", value=text[:80])
    return Seal(event_id, events, digest)


def fold(state: bytes, rows: Iterable[tuple[int, int, str]]) -> tuple[bytes, int]:
    """The running digest carried over events (id, issue_id, hash), oldest id first, and how
    many there were."""
    sha = hashlib.sha256
    count = 0
    for event_id, issue_id, digest in rows:
        state = sha(LINK % (state, event_id, issue_id, digest.encode("utf-8"))).digest()
        count += 1
    return state, count


def ledger_seal(session: Session, *, wait_seconds: float, resume: bool = True,
                progress: Progress = NO_PROGRESS) -> Seal:
    """The seal of every event committed now, continued from the newest recorded seal (or with
    `resume` off, from the first event).

    SQLite: the session's one read transaction sees a snapshot, and writers take the write lock
    before an event gets its id (max(id) + 1), so events commit in id order and the snapshot
    holds every event up to its highest id.

    PostgreSQL: a sequence hands out ids at insert time, so a writer can commit id 101 while
    100 is still in flight, and a snapshot taken then misses 100 for good. So the highest id
    is read first, then the seal waits (up to `wait_seconds`, else SealBusy) for every
    transaction that held a write lock on `event` at that moment (an INSERT takes it before it
    draws an id): any event up to that id is then committed or gone, and an id handed out
    later is higher (the sequence only grows; its CACHE is 1, the default). The digest is read
    in later statements, fresh snapshots under READ COMMITTED, on a connection of its own. New
    writers are never blocked, and no privilege beyond reading is needed (pg_locks is public).
    """
    if session.get_bind().dialect.name == "postgresql":
        # Its own connection: the waiting needs READ COMMITTED (a fresh snapshot for the digest
        # once the writers are done), whatever the session's isolation.
        with session.get_bind().connect() as own:
            own = own.execution_options(isolation_level="READ COMMITTED")
            with own.begin():
                return _seal_on(own, wait_seconds=wait_seconds, resume=resume, progress=progress)
    return _seal_on(session.connection(), wait_seconds=wait_seconds, resume=resume, progress=progress)


def _seal_on(conn: Connection, *, wait_seconds: float, resume: bool, progress: Progress = NO_PROGRESS) -> Seal:
    cursor = conn.connection.cursor()
    try:
        postgres = conn.dialect.name == "postgresql"
        cursor.execute("SELECT coalesce(max(id), 0) FROM event")
        upto = int(cursor.fetchone()[0])
        if postgres:
            _wait_for_writers(cursor, wait_seconds)
        start = _newest_recorded(cursor, upto, postgres) if resume else Seal(0, 0, GENESIS.hex())
        progress.step("progress.seal", upto - start.event_id)  # ids, a bound on the events to read
        pages = _event_pages(cursor, start.event_id, upto, postgres, progress)
        state, added = fold(bytes.fromhex(start.digest), pages)
    finally:
        cursor.close()
    return Seal(upto, start.events + added, state.hex())


# Transactions that can be inserting events: a write lock on the table is taken before an id is drawn.
_WRITERS_SQL = (
    "SELECT DISTINCT virtualtransaction FROM pg_locks WHERE locktype = 'relation' AND granted "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND relation = to_regclass('event') AND pid <> pg_backend_pid() "
    "AND mode IN ('RowExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')"
)
_STILL_RUNNING_SQL = "SELECT DISTINCT virtualtransaction FROM pg_locks WHERE virtualtransaction = ANY(%s)"


def _wait_for_writers(cursor: Any, wait_seconds: float) -> None:
    cursor.execute(_WRITERS_SQL)
    waiting = [row[0] for row in cursor.fetchall()]
    deadline = time.monotonic() + wait_seconds
    pause = 0.002
    while waiting:
        if time.monotonic() > deadline:
            raise SealBusy("error.seal_busy", seconds=int(wait_seconds), count=len(waiting))
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
        cursor.execute(_STILL_RUNNING_SQL, (waiting,))
        waiting = [row[0] for row in cursor.fetchall()]


def _newest_recorded(cursor: Any, upto: int, postgres: bool) -> Seal:
    """The recorded seal to continue from: the newest one within `upto`, else the start."""
    sql = "SELECT event_id, events, digest FROM seal WHERE event_id <= ? ORDER BY event_id DESC, id DESC LIMIT 5"
    cursor.execute(sql.replace("?", "%s") if postgres else sql, (upto,))
    for event_id, events, digest in cursor.fetchall():
        if _is_full_digest(digest) and 0 <= events <= event_id:
            return Seal(int(event_id), int(events), digest)
    return Seal(0, 0, GENESIS.hex())


def _is_full_digest(text: Any) -> bool:
    return isinstance(text, str) and len(text) == 64 and all(ch in "0123456789abcdef" for ch in text)


def _event_pages(cursor: Any, after: int, upto: int, postgres: bool,
                 progress: Progress = NO_PROGRESS) -> Iterator[tuple[int, int, str]]:
    """Events after `after` up to `upto`, by id, a page at a time (the memory stays flat);
    `progress` hears of each page, in ids passed."""
    sql = f"SELECT id, issue_id, hash FROM event WHERE id > ? AND id <= ? ORDER BY id LIMIT {PAGE}"
    if postgres:
        sql = sql.replace("?", "%s")
    first = after
    while after < upto:
        cursor.execute(sql, (after, upto))
        rows = cursor.fetchall()
        if not rows:
            return
        yield from rows
        progress(rows[-1][0] - first)
        after = rows[-1][0]


def record_seal(session: Session, seal: Seal, *, actor: str, at: datetime) -> RecordedSeal:
    """Keep a printed seal in the ledger: the seal history, and where later seals continue from."""
    from qiye_service.models import Seal as SealRow

    session.add(SealRow(event_id=seal.event_id, events=seal.events, digest=seal.digest, sealed_at=at,
                        sealed_by=actor))
    session.flush()
    return RecordedSeal(seal, at, actor)


def recorded_seals(connection: Connection) -> list[RecordedSeal]:
    """Every recorded seal, oldest first, as stored (db check recomputes each one)."""
    from sqlalchemy import select

    from qiye_service.models import Seal as SealRow

    rows = connection.execute(select(SealRow.event_id, SealRow.events, SealRow.digest, SealRow.sealed_at,
                                     SealRow.sealed_by).order_by(SealRow.id))
    return [RecordedSeal(Seal(event_id, events, digest.lower()), sealed_at, sealed_by)
            for event_id, events, digest, sealed_at, sealed_by in rows]


SEAL_FIELDS = ("seal", "last_event", "events", "digest", "sealed_at", "sealed_by")
SEAL_TABLE_FIELDS = ("seal", "last_event", "events", "sealed_at", "sealed_by")  # the seal holds the digest's digits


def seal_row(recorded: RecordedSeal) -> dict[str, Any]:
    """A recorded seal as a row of SEAL_FIELDS."""
    seal = recorded.seal
    return {"seal": seal.text, "last_event": seal.event_id, "events": seal.events, "digest": seal.digest,
            "sealed_at": recorded.sealed_at, "sealed_by": recorded.sealed_by}
