"""`qiye db check`: is the database sound, and does every issue agree with its history?

The checks: the storage (SQLite's integrity and foreign-key checks; on PostgreSQL, orphan
rows and invalid indexes), the hash chain of every issue's events (an altered or deleted
event breaks it), the order of each history's times, a replay of every issue's history
against its row (a close-out typed into the table by hand disagrees with the events), and
the ledger seals (issue 25): every seal recorded in the ledger, and one printed elsewhere
when given, recomputed from scratch; and the evidence (issue 23): every attachment against the
`attached` event of its issue's history, and every stored file against its SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlmodel import Session, SQLModel

from qiye_service.models import Event, Issue
from qiye_service.services.history import CREATION_ACTIONS, encode_value, event_hash
from qiye_service.services.permissions import HistoryReplay, history_replay
from qiye_service.services.progress import NO_PROGRESS, Progress
from qiye_service.services.seal import GENESIS, LINK, Seal, recorded_seals

# The issue fields whose every change is an event, compared with what the history says.
# Reference fields (enterprise, category, department) are left out: their events name the
# row, and a rename of an enterprise is not an event of its issues.
REPLAYED_FIELDS = ("status", "resolved_on", "resolution", "title", "priority", "owner", "reported_on", "due_on",
                   "return_count", "transfer_count", "callback_solved",
                   # issue 20 (extend): extension and suspension
                   "extended_due_on", "suspended_on", "suspended_days", "deadline_on")
# What a field is before any event names it: the cycle's counts (issue 20) start at nothing, and
# snapshots written before them do not name them.
REPLAY_DEFAULTS = {"return_count": "0", "transfer_count": "0", "suspended_days": "0"}
CO_DEPARTMENTS = "co_departments"  # replayed too: compared with the dispatch rows, not an issue column
# What an import records after an issue's `imported` snapshot: one event per dated supervision
# fact of the file, at that fact's own (earlier) time. These are the only events qiye writes
# with a time of the past; every other event is stamped with the clock when it is recorded.
IMPORTED_FACTS = frozenset({("assigned", "dispatched_at"), ("acknowledged", "acknowledged_at"),
                            ("escalated", "level"), ("callback", "callback_result"),
                            ("callback", "callback_reached")})
# How far an event recorded later may be stamped earlier: a command reads the clock before it
# waits for the write lock (up to the busy timeout, 60 s by default), and the cadres sharing a
# PostgreSQL ledger stamp events with their own computers' clocks.
CLOCK_ALLOWANCE = timedelta(minutes=10)
PROGRESS_EVERY = 1000  # issues between two reports of progress


@dataclass(frozen=True)
class Finding:
    """One thing wrong, as a catalogue key and its parameters."""

    check: str  # storage | chain | time | replay | seal | people | attachment
    key: str
    params: dict[str, Any]
    issue_id: int | None = None
    event_id: int | None = None


@dataclass
class CheckReport:
    issues: int = 0
    events: int = 0
    findings: list[Finding] = field(default_factory=list)
    recorded_seals: int = 0  # seals recorded in the ledger, each recomputed
    seal: Seal | None = None  # the seal given to check against, if any
    seal_holds: bool | None = None  # whether it holds

    @property
    def ok(self) -> bool:
        return not self.findings


def check_database(*, session: Session, seal: Seal | None = None, progress: Progress = NO_PROGRESS) -> CheckReport:
    """Run every check; a report with no findings means the database is sound.

    `seal` is a seal printed earlier: the check then also proves that none of the events it
    sealed was changed, reordered or deleted, and that none was added among them since.
    """
    if session.get_bind().dialect.name == "postgresql":
        # One snapshot for every query, so a command finishing meanwhile is not a mismatch.
        session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
    report = CheckReport(seal=seal)
    progress.step("progress.check_storage")
    report.findings.extend(storage_findings(session=session))
    report.findings.extend(history_findings(session=session, report=report, progress=progress))
    report.findings.extend(seal_findings(session=session, printed=seal, report=report, progress=progress))
    progress.step("progress.check_attachments")
    report.findings.extend(attachment_content_findings(session=session))
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


def history_findings(*, session: Session, report: CheckReport | None = None,
                     progress: Progress = NO_PROGRESS) -> list[Finding]:
    """Walk every issue's events in order: the hash chain, then the replayed fields."""
    issues = {row.id: row for row in session.execute(
        select(Issue.id, Issue.history_hash, *(getattr(Issue, f) for f in REPLAYED_FIELDS))
    )}
    from qiye_service.services.attachments import rows_by_issue
    from qiye_service.services.cycle import co_departments_by_issue

    co_handlers = co_departments_by_issue(session)
    attachments = rows_by_issue(session)
    findings: list[Finding] = []
    seen: set[int] = set()
    event_count = 0
    people = history_replay(session)  # None: no registered users, no one to hold to the table
    progress.step("progress.check_history", len(issues))
    for walked, (issue_id, events) in enumerate(_events_by_issue(session), start=1):
        if walked % PROGRESS_EVERY == 0:
            progress(walked)
        event_count += len(events)
        row = issues.get(issue_id)
        if row is None:
            continue  # an orphan event: the storage check names it
        seen.add(issue_id)
        findings.extend(chain_findings(issue_id, row.history_hash, events))
        findings.extend(time_order_findings(issue_id, events))
        findings.extend(replay_findings(issue_id, row, events, co_handlers.get(issue_id)))
        if attachments:
            findings.extend(attachment_history_findings(issue_id, events, attachments.get(issue_id)))
        if people is not None:
            findings.extend(people_findings(issue_id, events, people))
    progress(len(issues))
    for issue_id in sorted(set(issues) - seen):
        findings.append(Finding("chain", "check.no_events", {"id": issue_id}, issue_id))
    if report is not None:
        report.issues = len(issues)
        report.events = event_count
    return findings


def people_findings(issue_id: int, events: list[Any], people: HistoryReplay) -> list[Finding]:
    """Events recorded since users were registered by someone unregistered, or by a role that
    could not have done it (the permission table replayed over the history, issue 19)."""
    return [Finding("people", key, {"id": issue_id, "event": event.id, "at": _shown_time(event.at),
                                    "since": _shown_time(people.since), **params}, issue_id, event.id)
            for event, key, params in people.problems(events)]


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


def time_order_findings(issue_id: int, events: list[Any]) -> list[Finding]:
    """Each event must not be dated before an earlier event of its history (beyond the clock
    allowance), except the dated facts an import records right after its snapshot."""
    findings = []
    latest: datetime | None = None
    after_import = False
    for event in events:
        if event.action == "imported":
            after_import = True
        elif after_import and event.old is None and (event.action, event.field) in IMPORTED_FACTS:
            continue
        else:
            after_import = False
        if latest is not None and event.at < latest - CLOCK_ALLOWANCE:
            findings.append(Finding("time", "check.time_backwards", {
                "id": issue_id, "event": event.id, "action": event.action, "at": _shown_time(event.at),
                "latest": _shown_time(latest)}, issue_id, event.id))
        if latest is None or event.at > latest:
            latest = event.at
    return findings


def _shown_time(value: datetime) -> str:
    return value.isoformat(sep=" ", timespec="seconds")


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
    state = {name: _replayed(snapshot.get(name), name) for name in REPLAYED_FIELDS}
    co = list(snapshot.get("co_departments") or ())  # the co-handling departments (协办, issue 20)
    for event in events[1:]:
        if event.field == "co_department":
            if event.new is not None:
                co.append(event.new)
            elif event.old in co:
                co.remove(event.old)
        elif event.field is not None:
            state[event.field] = event.new
        elif event.action in CREATION_ACTIONS and event.new:
            # A re-import records a fresh snapshot.
            try:
                again = json.loads(event.new)
            except ValueError:
                continue
            if isinstance(again, dict):
                state.update({name: _replayed(again[name], name) for name in REPLAYED_FIELDS if name in again})
                if "co_departments" in again:
                    co = list(again["co_departments"] or ())
    state[CO_DEPARTMENTS] = sorted(co)
    return state


def _replayed(value: Any, name: str) -> Any:
    """A snapshot's value as an event would write it (a count as its text), or the field's default."""
    if value is None:
        return REPLAY_DEFAULTS.get(name)
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def replay_findings(issue_id: int, row: Any, events: list[Any], co: list[str] | None = None) -> list[Finding]:
    try:
        state = replayed_state(events)
    except ValueError as exc:
        return [Finding("replay", "check.replay_unreadable", {"id": issue_id, "detail": str(exc)}, issue_id)]
    findings = []
    if state[CO_DEPARTMENTS] != (co or []):
        findings.append(Finding("replay", "check.replay_mismatch", {
            "id": issue_id, "field": CO_DEPARTMENTS, "actual": ";".join(co or []) or None,
            "expected": ";".join(state[CO_DEPARTMENTS]) or None}, issue_id))
    for name in REPLAYED_FIELDS:
        actual = encode_value(getattr(row, name))
        expected = state.get(name)
        if actual != expected:
            findings.append(Finding("replay", "check.replay_mismatch", {
                "id": issue_id, "field": name, "actual": actual, "expected": expected}, issue_id))
    return findings


# --- evidence (issue 23) -------------------------------------------------------------------


def attachment_history_findings(issue_id: int, events: list[Any], rows: list[Any] | None) -> list[Finding]:
    """The issue's attachments against the `attached` events of its history."""
    from qiye_service.services.attachments import history_mismatches

    return [Finding("attachment", key, {"id": issue_id, **params}, issue_id)
            for key, params in history_mismatches(events, rows)]


def attachment_content_findings(*, session: Session) -> list[Finding]:
    """Every stored file against its SHA-256: one finding per attachment whose bytes were altered,
    naming its issue."""
    from qiye_service.services.attachments import content_problems

    return [Finding("attachment", "check.attachment_altered", {
                "id": row.issue_id, "attachment": row.id, "name": row.name, "sha256": digest[:12]}, row.issue_id)
            for digest, rows in content_problems(session) for row in rows]


# --- seals ----------------------------------------------------------------------------------


@dataclass
class _SealCheck:
    seal: Seal
    recorded_at: datetime | None = None
    recorded_by: str | None = None
    holds: bool = True

    def params(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"seal": self.seal.text, "event": self.seal.event_id, "sealed": self.seal.events}
        if self.recorded_at is not None:
            shown.update(sealed_at=_shown_time(self.recorded_at), by=self.recorded_by)
        return shown


def seal_findings(*, session: Session, printed: Seal | None = None,
                  report: CheckReport | None = None, progress: Progress = NO_PROGRESS) -> list[Finding]:
    """Recompute every recorded seal, and `printed`, in one pass over the events by id.

    A seal holds when the events up to its id are as many as it says and fold to its digest.
    Events added after a seal must not be dated before the newest event it sealed (beyond the
    clock allowance; an import's dated facts aside): that is how a backdated event appended
    after the seal shows.
    """
    recorded = recorded_seals(session.connection())
    # One verdict per seal: a seal recorded again while nothing changed, or the one given, is said once.
    distinct: dict[tuple[int, int, str], _SealCheck] = {}
    for r in recorded:
        distinct.setdefault(_seal_key(r.seal), _SealCheck(r.seal, r.sealed_at, r.sealed_by))
    given = _SealCheck(printed) if printed is not None else None
    if given is not None:
        distinct[_seal_key(printed)] = given
    checks = list(distinct.values())
    if not checks:
        return []
    checks.sort(key=lambda check: check.seal.event_id)
    findings: list[Finding] = []
    state, count, waiting = GENESIS, 0, 0
    latest: datetime | None = None  # the newest clock-stamped event so far
    anchor: tuple[_SealCheck, datetime] | None = None  # the last seal passed, and its newest event's time
    sha = hashlib.sha256
    progress.step("progress.check_seals", report.events if report is not None and report.events else None)
    for event_id, issue_id, digest, at, action, field_name in _events_by_id(session, progress):
        while waiting < len(checks) and checks[waiting].seal.event_id < event_id:
            findings.extend(_settle(checks[waiting], count, state))
            if latest is not None:
                anchor = (checks[waiting], latest)
            waiting += 1
        state = sha(LINK % (state, event_id, issue_id, digest.encode("utf-8"))).digest()
        count += 1
        if (action, field_name) in IMPORTED_FACTS:
            continue  # may be an import's dated fact: neither checked nor counted as the clock
        if anchor is not None and at < anchor[1] - CLOCK_ALLOWANCE:
            check, newest = anchor
            check.holds = False
            findings.append(Finding("seal", "check.seal_backdated" if check.recorded_at is None
                                    else "check.recorded_seal_backdated", {
                **check.params(), "id": issue_id, "event": event_id, "action": action,
                "at": _shown_time(at), "latest": _shown_time(newest)}, issue_id, event_id))
        if latest is None or at > latest:
            latest = at
    for check in checks[waiting:]:
        findings.extend(_settle(check, count, state))
    if report is not None:
        report.recorded_seals = len(recorded)
        report.seal_holds = None if given is None else given.holds
    return findings


def _seal_key(seal: Seal) -> tuple[int, int, str]:
    """What tells two seals apart (a printed seal may carry fewer digits than a recorded one)."""
    return seal.event_id, seal.events, seal.digest[:24].lower()


def _settle(check: _SealCheck, count: int, state: bytes) -> list[Finding]:
    """Compare a seal with the events up to its id: their number, then their digest."""
    seal = check.seal
    prefix = "check.recorded_seal_" if check.recorded_at is not None else "check.seal_"
    check.holds = count == seal.events and seal.matches(state.hex())
    if count < seal.events:
        return [Finding("seal", prefix + "fewer", {**check.params(), "missing": seal.events - count, "now": count})]
    if count > seal.events:
        return [Finding("seal", prefix + "more", {**check.params(), "extra": count - seal.events, "now": count})]
    if not seal.matches(state.hex()):
        return [Finding("seal", prefix + "changed", check.params())]
    return []


def _events_by_id(session: Session, progress: Progress = NO_PROGRESS
                  ) -> Iterator[tuple[int, int, str, datetime, str, str | None]]:
    """(id, issue_id, hash, at, action, field) of every event by id, a page at a time through the
    driver's cursor (millions of rows: no ORM rows); `progress` hears of each page."""
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    sql = "SELECT id, issue_id, hash, at, action, field FROM event WHERE id > ? ORDER BY id LIMIT 20000"
    if postgres:
        sql = sql.replace("?", "%s")
    cursor = conn.connection.cursor()
    try:
        after = fetched = 0
        while True:
            cursor.execute(sql, (after,))
            rows = cursor.fetchall()
            if not rows:
                progress(fetched)
                return
            fetched += len(rows)
            progress(fetched)
            for event_id, issue_id, digest, at, action, field_name in rows:
                # SQLite hands the time back as its stored text.
                yield event_id, issue_id, digest, at if isinstance(at, datetime) else _parse_time(at), action, field_name
            after = rows[-1][0]
    finally:
        cursor.close()


def _parse_time(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return datetime.min  # unreadable: the chain check already names its event
