"""`qiye db check`: is the database sound, and does every issue agree with its history?

Three checks: the storage (SQLite's integrity and foreign-key checks; on PostgreSQL, orphan
rows and invalid indexes), the hash chain of every issue's events (an altered or deleted
event breaks it), and a replay of every issue's history against its row (a close-out typed
into the table by hand disagrees with the events).
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlmodel import Session, SQLModel

from qiye_service.models import Event, Issue
from qiye_service.services.history import encode_value, event_hash

# The issue fields whose every change is an event, compared with what the history says.
# Reference fields (enterprise, category, department) are left out: their events name the
# row, and a rename of an enterprise is not an event of its issues.
REPLAYED_FIELDS = ("status", "resolved_on", "resolution", "title", "priority", "owner", "reported_on", "due_on")
CREATION_ACTIONS = ("created", "imported")


@dataclass(frozen=True)
class Finding:
    """One thing wrong, as a catalogue key and its parameters."""

    check: str  # storage | chain | replay
    key: str
    params: dict[str, Any]
    issue_id: int | None = None
    event_id: int | None = None


@dataclass
class CheckReport:
    issues: int = 0
    events: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def check_database(*, session: Session) -> CheckReport:
    """Run every check; a report with no findings means the database is sound."""
    if session.get_bind().dialect.name == "postgresql":
        # One snapshot for every query, so a command finishing meanwhile is not a mismatch.
        session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
    report = CheckReport()
    report.findings.extend(storage_findings(session=session))
    report.findings.extend(history_findings(session=session, report=report))
    return report


# --- storage --------------------------------------------------------------------------------


def storage_findings(*, session: Session) -> list[Finding]:
    if session.get_bind().dialect.name == "sqlite":
        return _sqlite_findings(session)
    return _orphan_findings(session) + _invalid_index_findings(session)


def _sqlite_findings(session: Session) -> list[Finding]:
    findings = []
    for (detail,) in session.execute(text("PRAGMA integrity_check")):
        if detail != "ok":
            findings.append(Finding("storage", "check.integrity", {"detail": detail}))
    for table, rowid, parent, _fkid in session.execute(text("PRAGMA foreign_key_check")):
        findings.append(Finding("storage", "check.foreign_key", {"table": table, "row": rowid, "parent": parent}))
    return findings


# A -wal beside an SQLite ledger (issue 25, point 12). SQLite cannot tell a WAL that belongs
# to the ledger from one copied there from another database: it reads either, and the next
# writer copies its pages into the ledger. Two signs are cheap to read from the files' headers.
WAL_MAGIC = (0x377F0682, 0x377F0683)
WAL_HEADER, WAL_FRAME_HEADER = 32, 24


def wal_findings(path: Path) -> list[Finding]:
    """A -wal beside the ledger at `path` that does not look like its own; read before anything
    opens the ledger (which would index the WAL as the ledger's).

    Its page size differs from the ledger's: it belongs to another database. It holds pages but
    has no -shm beside it: a WAL copied there (SQLite makes the -shm before the first page it
    writes, and a crash leaves it behind). A foreign WAL with a -shm of its own goes unnoticed.
    """
    path = Path(os.path.realpath(path))  # SQLite keeps them beside the real file
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    try:
        shm_before = shm.exists()
        with open(wal, "rb") as handle:
            header = handle.read(WAL_HEADER)
            size = os.fstat(handle.fileno()).st_size
        with open(path, "rb") as handle:
            ledger_header = handle.read(100)
    except OSError:
        return []
    if len(header) < WAL_HEADER or len(ledger_header) < 100:
        return []
    magic, _version, wal_page_size = struct.unpack(">III", header[:12])
    if magic not in WAL_MAGIC or not wal_page_size:
        return []  # SQLite ignores a WAL without a valid header
    page_size = struct.unpack(">H", ledger_header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    frames = (size - WAL_HEADER) // (WAL_FRAME_HEADER + wal_page_size)
    params = {"wal": str(wal), "shm": shm.name, "frames": frames}
    if wal_page_size != page_size:
        return [Finding("storage", "check.wal_foreign", {**params, "wal_page": wal_page_size, "page": page_size})]
    # Looked at twice: a qiye command that starts meanwhile makes the -shm before it writes a page.
    if frames and not shm_before and not shm.exists():
        return [Finding("storage", "check.wal_unindexed", params)]
    return []


def _orphan_findings(session: Session) -> list[Finding]:
    """Rows whose foreign key names no row: what foreign_key_check finds on SQLite.

    PostgreSQL enforces the keys, but a restore with triggers disabled or
    session_replication_role = replica can slip orphans in.
    """
    findings = []
    for table in SQLModel.metadata.sorted_tables:
        for key in table.foreign_keys:
            parent = key.column.table
            child_column = key.parent
            stmt = (
                select(*table.primary_key.columns)
                .select_from(table.outerjoin(parent, child_column == key.column))
                .where(child_column.is_not(None), key.column.is_(None))
                .limit(100)
            )
            for row in session.execute(stmt):
                findings.append(Finding("storage", "check.foreign_key", {
                    "table": table.name, "row": "/".join(str(v) for v in row), "parent": parent.name}))
    return findings


def _invalid_index_findings(session: Session) -> list[Finding]:
    """Indexes PostgreSQL marked invalid (a failed CREATE INDEX CONCURRENTLY, say)."""
    rows = session.execute(text(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE NOT i.indisvalid AND n.nspname = current_schema()"
    ))
    return [Finding("storage", "check.invalid_index", {"index": name}) for (name,) in rows]


# --- history --------------------------------------------------------------------------------


def history_findings(*, session: Session, report: CheckReport | None = None) -> list[Finding]:
    """Walk every issue's events in order: the hash chain, then the replayed fields."""
    issues = {row.id: row for row in session.execute(
        select(Issue.id, Issue.history_hash, *(getattr(Issue, f) for f in REPLAYED_FIELDS))
    )}
    findings: list[Finding] = []
    seen: set[int] = set()
    event_count = 0
    for issue_id, events in _events_by_issue(session):
        event_count += len(events)
        row = issues.get(issue_id)
        if row is None:
            continue  # an orphan event: the storage check names it
        seen.add(issue_id)
        findings.extend(chain_findings(issue_id, row.history_hash, events))
        findings.extend(replay_findings(issue_id, row, events))
    for issue_id in sorted(set(issues) - seen):
        findings.append(Finding("chain", "check.no_events", {"id": issue_id}, issue_id))
    if report is not None:
        report.issues = len(issues)
        report.events = event_count
    return findings


def _events_by_issue(session: Session) -> Iterator[tuple[int, list[Any]]]:
    """Each issue's events, oldest first, streamed issue by issue."""
    stmt = (
        select(Event.id, Event.issue_id, Event.at, Event.actor, Event.action, Event.field,
               Event.old, Event.new, Event.note, Event.hash)
        .order_by(Event.issue_id, Event.id)
        .execution_options(yield_per=2000)
    )
    current: int | None = None
    batch: list[Any] = []
    for event in session.execute(stmt):
        if event.issue_id != current:
            if current is not None:
                yield current, batch
            current, batch = event.issue_id, []
        batch.append(event)
    if current is not None:
        yield current, batch


def chain_findings(issue_id: int, head: str | None, events: list[Any]) -> list[Finding]:
    """Each event's hash must follow from the one before it, and the last must be the head."""
    findings = []
    previous: str | None = None
    for event in events:
        expected = event_hash(previous, issue_id, event.at, event.actor, event.action, event.field,
                              event.old, event.new, event.note)
        if expected != event.hash:
            findings.append(Finding("chain", "check.event_altered", {
                "id": issue_id, "event": event.id, "action": event.action,
                "at": event.at.isoformat(sep=" ", timespec="seconds")}, issue_id, event.id))
        # Go on from the stored hash, so one bad event is one finding, not a cascade.
        previous = event.hash
    if previous != head:
        findings.append(Finding("chain", "check.head_mismatch", {"id": issue_id}, issue_id))
    return findings


def replayed_state(events: list[Any]) -> dict[str, Any]:
    """The fields as the history says they are: the creation snapshot, then each change.

    Raises ValueError when the first event is not a readable creation snapshot.
    """
    first = events[0]
    if first.action not in CREATION_ACTIONS or first.field is not None:
        raise ValueError(f"the first event is {first.action!r}, not a creation")
    snapshot = json.loads(first.new or "")
    if not isinstance(snapshot, dict):
        raise ValueError("the creation snapshot is not a JSON object")
    state = {name: snapshot.get(name) for name in REPLAYED_FIELDS}
    for event in events[1:]:
        if event.field is not None:
            state[event.field] = event.new
        elif event.action in CREATION_ACTIONS and event.new:
            # A re-import records a fresh snapshot.
            try:
                again = json.loads(event.new)
            except ValueError:
                continue
            if isinstance(again, dict):
                state.update({name: again[name] for name in REPLAYED_FIELDS if name in again})
    return state


def replay_findings(issue_id: int, row: Any, events: list[Any]) -> list[Finding]:
    try:
        state = replayed_state(events)
    except ValueError as exc:
        return [Finding("replay", "check.replay_unreadable", {"id": issue_id, "detail": str(exc)}, issue_id)]
    findings = []
    for name in REPLAYED_FIELDS:
        actual = encode_value(getattr(row, name))
        expected = state.get(name)
        if actual != expected:
            findings.append(Finding("replay", "check.replay_mismatch", {
                "id": issue_id, "field": name, "actual": actual, "expected": expected}, issue_id))
    return findings
