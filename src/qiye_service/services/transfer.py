"""Import and export (DESIGN §5): validated ledger rows into the database, and the
streaming queries behind `qiye export`.

Import resolves names through dicts loaded once, creates missing enterprises and
departments, and writes each chunk of rows (multi-row INSERTs on SQLite, COPY on
PostgreSQL, on a writer thread) inside the caller's one transaction, the values already in
their stored form (SQLAlchemy's per-row bind processing would cost a third of the import);
a single bad row makes it raise BadRows, so the caller rolls everything back. Export reads
with the driver's own rows (no ORM objects, no typed result processing) and formats dates
from SQLite's stored text itself.
"""

from __future__ import annotations

import json
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import chain
from json.encoder import encode_basestring
from sqlite3 import SQLITE_LIMIT_VARIABLE_NUMBER
from typing import Any

from sqlalchemy import bindparam, case, delete, func, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from qiye_service.dates import DEFAULT_TZ, local_date, office_hour_utc
from qiye_service.db import SEARCH_INDEX_SYNC
from qiye_service.errors import InvalidValue, QiyeError
from qiye_service.importers import MAX_LISTED_ROWS, BadRows, CellError, LedgerRow
from qiye_service.models import (
    ENTERPRISE_FIELDS,
    EVENT_FIELDS,
    ISSUE_FIELDS,
    USER_FIELDS,
    VISIT_FIELDS,
    Category,
    Department,
    Dispatch,
    Enterprise,
    Event,
    Issue,
    IssueTag,
    LiaisonAssignment,
    Tag,
    User,
    Visit,
)
from qiye_service.services import workflow
from qiye_service.services.filters import ResolvedFilter, apply_filter
from qiye_service.services.history import (
    CREATION_ACTIONS,
    chain_hash,
    encode_value,
    event_hash,
    json_text,
    readable_snapshot,
)
from qiye_service.services.issues import Actor, ensure_tag, visit_source_error
from qiye_service.services.queries import issue_select, reference_names
from qiye_service.services.workflow import imported_reopens

CONFLICT_CHOICES = ("fail", "skip", "update")
CHUNK_ROWS = 2000
WRITER_SWITCH_INTERVAL = 0.001  # seconds; see _Writer.submit

# Snapshots are JSON with sorted keys (services.issues.snapshot); an update's is sorted by
# the encoder, a new issue's is written by _new_issue_snapshot.
_SORTED_SNAPSHOT = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
# A new issue's columns; the supervision columns follow only when the file has any (their
# defaults are NULL and 0): seven fewer values to bind for each row of a plain ledger.
ISSUE_COLUMNS = (
    "id", "title", "description", "enterprise_id", "project", "category_id", "kind", "source", "priority",
    "status", "department_id", "owner", "reported_on", "due_on", "resolved_on", "resolution", "created_by",
    "created_at", "updated_at", "history_hash",
)
SUPERVISION_ISSUE_COLUMNS = (
    "dispatched_at", "acknowledged_at", "acknowledge_by", "escalated_at", "callback_result", "callback_on",
    "reopen_count",
)
EVENT_COLUMNS = ("issue_id", "at", "actor", "action", "field", "old", "new", "note", "hash")
# The work-order cycle's columns (issue 20): a file with any of them writes these issue columns
# and the co-handling and returned departments' dispatch rows.
CYCLE_COLUMNS = ("co_departments", "co_dispatched_on", "co_acknowledged_on", "return_count", "transfer_count",
                 "returned_by", "transferred_from", "callback_solved", "callback_reached",
                 # extension, suspension and verification (issue 20 points 3, 4)
                 "extended_due_on", "extension_count", "deadline_on", "suspended_on", "suspended_days",
                 "closeout_by", "verified_by")
EXTEND_COLUMNS = ("extended_due_on", "extension_count", "deadline_on", "suspended_on", "suspended_days",
                  "closeout_by", "verified_by")
EXTEND_DATES = frozenset({"extended_due_on", "deadline_on", "suspended_on"})
CYCLE_ISSUE_COLUMNS = ("return_count", "transfer_count", "callback_solved", "callback_reached", *EXTEND_COLUMNS)
DISPATCH_COLUMNS = ("issue_id", "department_id", "role", "due_on", "dispatched_at", "acknowledge_by",
                    "acknowledged_at", "returned_at", "outcome", "decided_at", "active")
DISPATCH_TABLE = Dispatch.__table__  # type: ignore[attr-defined]
SUPERVISION_COLUMNS = ("dispatched_on", "acknowledged_on", "escalated", "callback_result", "callback_on")

ISSUE_TABLE = Issue.__table__  # type: ignore[attr-defined]
ISSUE_TAG_TABLE = IssueTag.__table__  # type: ignore[attr-defined]
ENTERPRISE_TABLE = Enterprise.__table__  # type: ignore[attr-defined]


@dataclass
class ImportSettings:
    """How to import: who acts, what a conflicting id does, whether to write at all."""

    actor: Actor
    source: str  # the file's name, for messages and the imported events' notes
    on_conflict: str = "fail"
    dry_run: bool = False
    timezone: str = DEFAULT_TZ
    response_deadline: Callable[[date], date] | None = None  # dispatch day -> acknowledge by
    evidence_required: bool = False  # config `closeout.evidence required` (issue 23)
    closeout_verify: bool = False  # config `closeout.verify` (on, or auto with registered users)


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run, would do)."""

    kind: str
    source: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    new_enterprises: list[str] = field(default_factory=list)
    new_departments: list[str] = field(default_factory=list)


class _Errors:
    """Bad rows collected across the whole file; the first MAX_LISTED_ROWS are kept."""

    def __init__(self) -> None:
        self.listed: list[CellError] = []
        self.listed_rows: set[int] = set()
        self.bad_rows = 0
        self.notes: dict[str, QiyeError] = {}

    def add(self, errors: list[CellError]) -> None:
        self.bad_rows += 1
        if len(self.listed_rows) < MAX_LISTED_ROWS:
            self.listed.extend(errors)
            self.listed_rows.add(errors[0].row)
        for error in errors:
            if error.error.key == "error.import_bad_date":
                self.notes.setdefault("dates", InvalidValue("error.import_date_forms"))

    def raise_if_any(self, source: str) -> None:
        if self.bad_rows:
            raise BadRows(source, self.listed, self.bad_rows, list(self.notes.values()))


def _check_conflict_choice(value: str) -> None:
    if value not in CONFLICT_CHOICES:
        raise InvalidValue("error.bad_choice", field="--on-conflict", value=value, valid=", ".join(CONFLICT_CHOICES))


def _fix_sequence(conn: Connection, table: str) -> None:
    """After rows with explicit ids, move PostgreSQL's id sequence past them."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT max(id) FROM {table}), 1))"
        ))


# --- issues ------------------------------------------------------------------------------------


IMPORT_CACHE_KIB = 32 * 1024


@contextmanager
def _import_cache(conn: Connection) -> Iterator[None]:
    """A larger SQLite page cache while importing. With the default 2 MB, inserting into
    the issue table's ten indexes spills pages to the WAL over and over; 32 MB more than
    halves the time of a 100,000-row import. The connection's own setting comes back after."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    if before is not None and before < 0 and -before >= IMPORT_CACHE_KIB:
        yield
        return
    conn.exec_driver_sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before) if before is not None else -2000}")


class TransactionLost(RuntimeError):
    """The database ended the import's transaction under the writer (SQLite does so itself on
    SQLITE_FULL and SQLITE_IOERR): nothing more may be written, or it would commit on its own."""


class _Writer:
    """Runs each chunk's bulk INSERTs on a thread of its own while the next chunk is read,
    checked and built: the driver releases the GIL while SQLite (or PostgreSQL) inserts rows
    and maintains indexes, so the database's share of an import overlaps Python's.

    The connection is used by one thread at a time: jobs run in order, at most two are
    queued, and the importer calls `idle()` before any statement of its own.

    All-or-nothing (issue 25): SQLite rolls the whole transaction back when a write fails
    with a full disk or an I/O error, and every statement after that would commit on its
    own. So the writer stops at its first failure (the jobs queued behind it never run), the
    importer stops it on any failure of its own, and on SQLite each statement first checks
    that the transaction is still open (`statement_allowed`)."""

    def __init__(self, conn: Connection) -> None:
        self.driver = conn.connection.dbapi_connection
        self._dialect = conn.dialect
        self._sqlite = conn.dialect.name == "sqlite"
        self._pool: ThreadPoolExecutor | None = None
        self._pending: deque[Future[None]] = deque()
        self._switch_interval = sys.getswitchinterval()
        # Set by the writer's thread at a job's failure, or by the importer to stop it; read
        # by the writer's thread before each job and statement.
        self._stopped = False

    def rows_per_statement(self, columns: int) -> int:
        """As many rows as one SQLite statement may bind (32,766 variables since SQLite 3.32,
        999 before): every statement is a time the writer takes the GIL back."""
        return max(1, self.driver.getlimit(SQLITE_LIMIT_VARIABLE_NUMBER) // columns)

    def submit(self, job: Callable[..., None], *args: Any) -> None:
        while len(self._pending) >= 2:
            self._wait(self._pending.popleft())
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qiye-import")
            # The writer takes the GIL back between statements (to bind the next one's values)
            # while the importing thread runs Python: at the default 5 ms switch interval it
            # waits that long every time, a second and more of a 100,000-row import.
            sys.setswitchinterval(WRITER_SWITCH_INTERVAL)
        self._pending.append(self._pool.submit(self._run, job, *args))

    def _run(self, job: Callable[..., None], *args: Any) -> None:
        """One job on the writer's thread; none after a failure or once stopped."""
        if self._stopped:  # a job before it failed (and is being reported), or the importer gave up
            raise TransactionLost("an earlier write of the import failed")
        try:
            job(*args)
        except BaseException:
            self._stopped = True
            raise

    def statement_allowed(self) -> None:
        """Before each statement on the writer's thread: stop when told to, and never write
        outside the import's transaction."""
        if self._stopped:
            raise TransactionLost("the import was stopped")
        if self._sqlite and not self.driver.in_transaction:
            raise TransactionLost("the database ended the import's transaction")

    def idle(self) -> None:
        """Wait for every queued job; the first failure is raised here."""
        while self._pending:
            self._wait(self._pending.popleft())

    def _wait(self, job: Future[None]) -> None:
        """A job's driver error comes back as SQLAlchemy's, as a statement run through the
        session would raise it, so the CLI tells a full disk or a lost server (exit 3) and a
        refused value (exit 1) as it does for any other command."""
        error_type = self._dialect.loaded_dbapi.Error
        try:
            job.result()
        except error_type as exc:
            raise DBAPIError.instance(None, None, exc, error_type, dialect=self._dialect) from exc

    def close(self) -> None:
        """Stop: queued jobs are dropped, and a running one ends at its next statement. This
        returns only once the writer's thread has let go of the connection, so the rollback
        that follows never races a statement of the writer (a second Ctrl-C waits too)."""
        self._stopped = True
        for future in self._pending:
            future.cancel()
        interrupted: BaseException | None = None
        while self._pending:
            try:
                self._pending[0].exception()
            except KeyboardInterrupt as exc:
                interrupted = exc
                continue
            except CancelledError:
                pass
            self._pending.popleft()
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
            sys.setswitchinterval(self._switch_interval)
        if interrupted is not None:
            raise interrupted


def _sqlite_stamp(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(sep=" ", timespec="microseconds")


def _same(value: Any) -> Any:
    return value


class _IsoDays(dict[date | None, str | None]):
    """date -> its ISO text (None -> None), kept: a ledger repeats a few thousand days."""

    def __missing__(self, day: date | None) -> str | None:
        text = self[day] = None if day is None else day.isoformat()
        return text


def _json_int(value: int | None) -> str:
    return "null" if value is None else f"{value:d}"


def _new_issue_snapshot(title: str, description: str | None, enterprise_id: int, project: str | None,
                        category_id: int, kind: str, source: str, priority: str, status: str,
                        department_id: int | None, owner: str | None, reported_on: str, due_on: str | None,
                        resolved_on: str | None, resolution: str | None, tags: Iterable[str],
                        supervision: dict[str, Any]) -> str:
    """A new issue's imported event text: services.issues.snapshot()'s fields and the
    supervision columns (dates already ISO text), as json.dumps(..., ensure_ascii=False,
    sort_keys=True) writes them (tests/test_cli_import.py compares the two). Written out key
    by key: the json encoder takes twice as long for these 23 values, a second of a
    100,000-row import."""
    quote, text = encode_basestring, json_text
    if supervision:
        sup = supervision.get
        acknowledge_by, acknowledged_at, callback_on, callback_result, dispatched_at, escalated_at = (
            text(encode_value(sup(name))) for name in (
                "acknowledge_by", "acknowledged_at", "callback_on", "callback_result", "dispatched_at", "escalated_at"))
        reopen_count = sup("reopen_count", 0)
    else:
        acknowledge_by = acknowledged_at = callback_on = callback_result = dispatched_at = escalated_at = "null"
        reopen_count = 0
    return (
        f'{{"acknowledge_by": {acknowledge_by}, "acknowledged_at": {acknowledged_at}, "callback_on": {callback_on}, '
        f'"callback_result": {callback_result}, "category_id": {category_id:d}, '
        f'"department_id": {_json_int(department_id)}, "description": {text(description)}, '
        f'"dispatched_at": {dispatched_at}, "due_on": {text(due_on)}, "enterprise_id": {enterprise_id:d}, '
        f'"escalated_at": {escalated_at}, "kind": {quote(kind)}, "owner": {text(owner)}, '
        f'"priority": {quote(priority)}, "project": {text(project)}, "reopen_count": {reopen_count:d}, '
        f'"reported_on": {quote(reported_on)}, "resolution": {text(resolution)}, "resolved_on": {text(resolved_on)}, '
        f'"source": {quote(source)}, "status": {quote(status)}, "tags": [{", ".join(map(quote, tags))}], '
        f'"title": {quote(title)}}}'
    )


@dataclass(slots=True)
class _Prepared:
    row: LedgerRow
    enterprise_id: int
    category_id: int
    department_id: int | None


@dataclass(frozen=True, slots=True)
class _Stored:
    """What an update needs to know of an issue already in the database."""
    head: str | None  # its history_hash
    status: str
    closeout_by: str | None
    verified_by: str | None
    visit_id: int | None  # the visit that found it (issue 22), and how that visit was made
    visit_kind: str | None


class IssueImport:
    """One import of an issue ledger into one transaction."""

    def __init__(self, session: Session, *, settings: ImportSettings, columns: dict[str, str]) -> None:
        _check_conflict_choice(settings.on_conflict)
        self.conn = session.connection()
        self.settings = settings
        self.actor = settings.actor
        self.columns = columns  # field -> header as written
        self.summary = ImportSummary("issues", settings.source, settings.dry_run)
        self.errors = _Errors()
        self.seen_ids: dict[int, int] = {}  # id -> the row that has it
        self.allocated: dict[int, int] = {}  # id given to a row without one -> that row
        self.sqlite = self.conn.dialect.name == "sqlite"
        self._load_lookups()
        # On SQLite this transaction holds the write lock from its first statement, so an id
        # above the highest one now cannot exist unless this import wrote it: such rows need
        # no lookup, and new ids are handed out from here.
        self.next_id: int | None = None
        self.highest_existing: int | None = None
        if self.sqlite:
            self.highest_existing = int(self.conn.execute(
                select(func.coalesce(func.max(Issue.id), 0))).scalar_one())
            self.next_id = self.highest_existing + 1
        self.writer = _Writer(self.conn)
        self._lookups: Connection | None = None
        self.ids_given = False
        self._placeholder = 0
        self._deadline_cache: dict[date, date] = {}
        # Driver rows skip SQLAlchemy's per-row type processing: on SQLite, write dates and
        # timestamps in the text form SQLAlchemy itself stores and reads back.
        self._iso_day: Callable[[date | None], str | None] = _IsoDays().__getitem__
        if self.conn.dialect.name == "sqlite":
            self._day: Callable[[Any], Any] = self._iso_day
            self._stamp: Callable[[Any], Any] = _sqlite_stamp
        else:
            self._day = self._stamp = _same
        # Every imported event has the same time: its texts are made once.
        self._now_stored = self._stamp(self.actor.now)
        self._now_iso = self.actor.now.isoformat(timespec="microseconds")

    @property
    def writing(self) -> bool:
        return not self.settings.dry_run and not self.errors.bad_rows

    def _load_lookups(self) -> None:
        conn = self.conn
        self.enterprises: dict[str, int] = {}
        self.credit_codes: dict[str, int] = {}  # a credit code names an enterprise as well as its name does
        for ent_id, name, code in conn.execute(select(Enterprise.id, Enterprise.name, Enterprise.credit_code)):
            self.enterprises[name] = ent_id
            if code:
                self.credit_codes[code] = ent_id
        self.categories: dict[str, int] = {}
        self.category_list: list[str] = []
        for cat_id, code, name_zh, name_en in conn.execute(
            select(Category.id, Category.code, Category.name_zh, Category.name_en).order_by(Category.id)
        ):
            self.categories[code.lower()] = cat_id
            self.categories[name_zh] = cat_id
            self.categories[name_en.lower()] = cat_id
            self.category_list.append(f"{code} ({name_zh})")
        self.departments: dict[str, int] = dict(
            (name, dep_id) for dep_id, name in conn.execute(select(Department.id, Department.name))
        )
        self.tags: dict[str, int] = dict((name, tag_id) for tag_id, name in conn.execute(select(Tag.id, Tag.name)))

    # -- references --

    def _placeholder_id(self) -> int:
        self._placeholder -= 1
        return self._placeholder

    def _enterprise_id(self, name: str) -> int:
        found = self.enterprises.get(name)
        if found is None and len(name) == 18:
            found = self.credit_codes.get(name.upper())
        if found is not None:
            return found
        if self.writing:
            now = self.actor.now
            self.writer.idle()
            found = self.conn.execute(
                insert(ENTERPRISE_TABLE).values(name=name, created_at=now, updated_at=now)
            ).inserted_primary_key[0]
        else:
            found = self._placeholder_id()
        self.enterprises[name] = found
        self.summary.new_enterprises.append(name)
        return found

    def _department_id(self, name: str | None) -> int | None:
        if name is None:
            return None
        found = self.departments.get(name)
        if found is not None:
            return found
        if self.writing:
            self.writer.idle()
            found = self.conn.execute(insert(Department.__table__).values(name=name)).inserted_primary_key[0]  # type: ignore[attr-defined]
        else:
            found = self._placeholder_id()
        self.departments[name] = found
        self.summary.new_departments.append(name)
        return found

    def _tag_ids(self, names: list[str]) -> list[int]:
        ids = []
        for name in names:
            found = self.tags.get(name)
            if found is None:
                self.writer.idle()
                found = self.tags[name] = ensure_tag(self.conn, name)
            ids.append(found)
        return ids

    def _error(self, row: LedgerRow, name: str, error: QiyeError) -> None:
        row.errors.append(CellError(row.number, self.columns.get(name, name), error))

    # -- the run --

    def run(self, rows: Iterable[LedgerRow]) -> ImportSummary:
        with _import_cache(self.conn):
            try:
                chunk: list[LedgerRow] = []
                for row in rows:
                    chunk.append(row)
                    if len(chunk) >= CHUNK_ROWS:
                        self._chunk(chunk)
                        chunk = []
                if chunk:
                    self._chunk(chunk)
                self.writer.idle()
                if self.ids_given:
                    _fix_sequence(self.conn, "issue")
            finally:
                self.writer.close()
                if self._lookups is not None:
                    self._lookups.close()
        self.errors.raise_if_any(self.settings.source)
        return self.summary

    def _chunk(self, chunk: list[LedgerRow]) -> None:
        valid: list[tuple[LedgerRow, int]] = []
        for row in chunk:
            self.summary.rows += 1
            if row.errors:
                if row.values.get("id") is not None:
                    self.seen_ids.setdefault(row.values["id"], row.number)
                self.errors.add(row.errors)
                continue
            name = row.values["category"]
            category_id = self.categories.get(name) or self.categories.get(name.lower())
            if category_id is None:
                self._error(row, "category", InvalidValue("error.import_unknown_category", value=name))
                self.errors.notes.setdefault("categories", InvalidValue(
                    "error.import_valid_categories", valid=", ".join(self.category_list)))
                if row.values.get("id") is not None:
                    self.seen_ids.setdefault(row.values["id"], row.number)
                self.errors.add(row.errors)
                continue
            valid.append((row, category_id))

        existing = self._existing([row.values["id"] for row, _ in valid if row.values.get("id") is not None])
        evidenced = self._evidenced(valid, existing) if self.settings.evidence_required else None
        creates: list[_Prepared] = []
        updates: list[tuple[_Prepared, str | None]] = []
        enterprises, departments = self.enterprises, self.departments
        for row, category_id in valid:
            values = row.values
            issue_id = values.get("id")
            head: str | None = None
            if issue_id is not None:
                other = self.seen_ids.get(issue_id)
                if other is not None:
                    self._error(row, "id", InvalidValue("error.import_duplicate_id", id=issue_id, other=other))
                elif issue_id in self.allocated:
                    self._error(row, "id", InvalidValue("error.import_id_taken", id=issue_id,
                                                        other=self.allocated[issue_id]))
                elif issue_id in existing and self.settings.on_conflict == "fail":
                    self._error(row, "id", InvalidValue("error.import_issue_exists", id=issue_id))
                    self.errors.notes.setdefault("ids", InvalidValue(
                        "error.import_ids_are_issue_ids", column=self.columns.get("id", "id")))
                if row.errors:
                    self.errors.add(row.errors)
                    continue
                self.seen_ids[issue_id] = row.number
                if issue_id in existing and self.settings.on_conflict == "skip":
                    self.summary.skipped += 1
                    continue
                stored = existing.get(issue_id)
                if stored is not None:
                    # An update is checked against the issue as it is (services.workflow decides).
                    for name, error in workflow.imported_update_errors(
                            values, issue_id=issue_id, status=stored.status, closeout_by=stored.closeout_by,
                            verified_by=stored.verified_by, verify=self.settings.closeout_verify):
                        self._error(row, name, error)
                    if values.get("visit") is None and stored.visit_kind is not None and "source" in self.columns:
                        # The visit that found it stays linked: it decides the source (DESIGN §12).
                        _visit_source(row, stored.visit_id, stored.visit_kind, self.columns)
                    if row.errors:
                        self.errors.add(row.errors)
                        continue
                    head = stored.head
            if evidenced is not None and values.get("status") in workflow.CLOSED_OUT and issue_id not in evidenced:
                # A row closing an issue out (销号) without an attachment, as `issue resolve` would refuse.
                self._error(row, "status", workflow.evidence_error(  # type: ignore[arg-type]
                    issue_id, 0, True, imported_status=values["status"]))
                self.errors.add(row.errors)
                continue
            # Only rows that will be written name enterprises and departments to create.
            enterprise, department = values["enterprise"], values.get("department")
            item = _Prepared(row, enterprises.get(enterprise) or self._enterprise_id(enterprise), category_id,
                             departments.get(department) or self._department_id(department))
            if issue_id is not None and issue_id in existing:
                updates.append((item, head))
                self.summary.updated += 1
            else:
                creates.append(item)
                self.summary.created += 1
        if self.writing:
            if creates:
                self._insert(creates)
            if updates:
                self._update(updates)

    def _evidenced(self, valid: list[tuple[LedgerRow, int]], existing: dict[int, _Stored]) -> set[int]:
        """The ids of existing issues a closed-out row may name with `closeout.evidence required`:
        those with an attachment, or already closed out (the row closes nothing out now)."""
        from qiye_service.models import Attachment

        ids = [row.values["id"] for row, _ in valid if row.values.get("id") in existing
               and row.values.get("status") in workflow.CLOSED_OUT]
        found: set[int] = set()
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            conn = self._lookup_connection()
            found.update(conn.execute(select(Issue.id).where(
                Issue.id.in_(part), Issue.status.in_(tuple(workflow.CLOSED_OUT)))).scalars())
            found.update(conn.execute(select(Attachment.issue_id).where(Attachment.issue_id.in_(part))).scalars())
        return found

    def _existing(self, ids: list[int]) -> dict[int, _Stored]:
        """id -> what an update needs to know, of the listed ids already in the database."""
        if self.highest_existing is not None:
            ids = [issue_id for issue_id in ids if issue_id <= self.highest_existing]
        if not ids:
            return {}
        found: dict[int, _Stored] = {}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            for issue_id, *stored in self._lookup_connection().execute(
                select(Issue.id, Issue.history_hash, Issue.status, Issue.closeout_by, Issue.verified_by,
                       Issue.visit_id, Visit.kind)
                .outerjoin(Visit, Visit.id == Issue.visit_id)
                .where(Issue.id.in_(part))
            ):
                found[issue_id] = _Stored(*stored)
        return found

    def _lookup_connection(self) -> Connection:
        """Where `_existing` asks. On SQLite, this import's own connection once the writer is
        idle. On PostgreSQL, a second connection, so the lookups of the next chunk need not
        wait for the server to finish this one's COPY: it sees the rows other transactions
        committed, as this one's would, and not this import's own, which `seen_ids` tracks."""
        if self.sqlite:
            self.writer.idle()
            return self.conn
        if self._lookups is None:
            self._lookups = self.conn.engine.connect()
        return self._lookups

    def _allocate(self, count: int, above: int) -> list[int]:
        """Ids for rows that have none, all greater than `above` (the highest id given in the
        same chunk): the sequence on PostgreSQL; after the highest id on SQLite (this
        transaction holds the write lock, so nobody else takes them)."""
        if count == 0:
            return []
        if not self.sqlite:
            self.writer.idle()
            if above:
                self.conn.execute(text(
                    "SELECT setval(pg_get_serial_sequence('issue', 'id'), "
                    "GREATEST((SELECT max(id) FROM issue), :above))"
                ), {"above": above})
            return sorted(self.conn.execute(text(
                "SELECT nextval(pg_get_serial_sequence('issue', 'id')) FROM generate_series(1, :n)"
            ), {"n": count}).scalars())
        assert self.next_id is not None
        first = max(self.next_id, above + 1)
        self.next_id = first + count
        return list(range(first, first + count))

    # -- building rows and events --

    def _at_office_hour(self, day: date) -> datetime:
        return office_hour_utc(day, self.settings.timezone)

    def _acknowledge_by(self, dispatched: date) -> date | None:
        if self.settings.response_deadline is None:
            return None
        found = self._deadline_cache.get(dispatched)
        if found is None:
            found = self._deadline_cache[dispatched] = self.settings.response_deadline(dispatched)
        return found

    def _escalated_at(self, values: dict[str, Any]) -> datetime | None:
        """When the issue was raised to 挂牌督办: the date in the cell, or for a bare 是 the day
        after its deadline (when an issue becomes overdue), else its dispatch or report date,
        never after its close-out or today."""
        mark = values.get("escalated")
        if mark is None:
            return None
        if isinstance(mark, date):
            return self._at_office_hour(mark)
        due = values.get("due_on")
        day = due + timedelta(days=1) if due else (values.get("dispatched_on") or values["reported_on"])
        resolved = values.get("resolved_on")
        if resolved is not None and day > resolved:
            day = resolved
        return self._at_office_hour(min(day, self.actor.today))

    def _supervision(self, values: dict[str, Any], status: str | None) -> dict[str, Any]:
        """The supervision columns (DESIGN §8) the file gives, as Issue columns."""
        fields: dict[str, Any] = {}
        columns = self.columns
        if "dispatched_on" in columns:
            dispatched = values.get("dispatched_on")
            fields["dispatched_at"] = self._at_office_hour(dispatched) if dispatched else None
            fields["acknowledge_by"] = self._acknowledge_by(dispatched) if dispatched else None
        if "acknowledged_on" in columns:
            acknowledged = values.get("acknowledged_on")
            fields["acknowledged_at"] = self._at_office_hour(acknowledged) if acknowledged else None
        if "escalated" in columns:
            fields["escalated_at"] = self._escalated_at(values)
        if "callback_result" in columns or "callback_on" in columns:
            result, called_on = values.get("callback_result"), values.get("callback_on")
            fields["callback_result"] = result
            fields["callback_on"] = called_on
            # 不满意 sends an issue back to work (重办): services.workflow says how many times.
            fields["reopen_count"] = imported_reopens(values, status or "open")
        return fields

    def _cycle(self, values: dict[str, Any]) -> dict[str, Any]:
        """The cycle's issue columns a row gives (services.workflow has checked and completed
        the counts): a callback with a verdict reached the company unless the file says not."""
        reached = values.get("callback_reached")
        if reached is None and values.get("callback_result") is not None:
            reached = True
        return {"return_count": values.get("return_count") or 0, "transfer_count": values.get("transfer_count") or 0,
                "callback_solved": values.get("callback_solved"), "callback_reached": reached,
                **{name: values.get(name) for name in EXTEND_COLUMNS},
                "extension_count": values.get("extension_count") or 0,
                "suspended_days": values.get("suspended_days") or 0}

    def _dispatch_rows(self, issue_id: int, values: dict[str, Any], dispatched_at: datetime | None, *,
                       stored: bool = True) -> list[tuple[Any, ...]]:
        """DISPATCH_COLUMNS rows: each co-handling department (active), and each return as a
        decided dispatch of the department that returned it (transferred away, as many times as
        the row says, else upheld), dated at the dispatch (or the reported day)."""
        at = dispatched_at or self._at_office_hour(values["reported_on"])
        day, stamp = (self._day, self._stamp) if stored else (_same, _same)
        rows: list[tuple[Any, ...]] = []
        dispatched_days = values.get("co_dispatched_on") or ()
        acknowledged_days = values.get("co_acknowledged_on") or ()
        for n, name in enumerate(values.get("co_departments") or ()):
            sent = dispatched_days[n] if n < len(dispatched_days) else None
            sent_at = self._at_office_hour(sent) if sent is not None else at
            acknowledged = acknowledged_days[n] if n < len(acknowledged_days) else None
            rows.append((issue_id, self._department_id(name), "co", day(values.get("due_on")), stamp(sent_at),
                         day(self._acknowledge_by(sent or local_date(at, self.settings.timezone))),
                         stamp(self._at_office_hour(acknowledged)) if acknowledged is not None else None,
                         None, None, None, True))
        transferred = list(values.get("transferred_from") or ())
        for name in values.get("returned_by") or ():
            outcome = "upheld"
            if name in transferred:
                transferred.remove(name)
                outcome = "transferred"
            rows.append((issue_id, self._department_id(name), "lead", day(values.get("due_on")), stamp(at),
                         None, None, stamp(at), outcome, stamp(at), False))
        return rows

    def _events(self, issue_id: int, previous: str | None, new: str, values: dict[str, Any],
                supervision: dict[str, Any], number: int) -> list[tuple[Any, ...]]:
        """The imported event, then one event per dated supervision fact, oldest first, as
        driver rows of EVENT_COLUMNS."""
        actor, stamp = self.actor.name, self._stamp
        note = f"{self.settings.source}:{number}"
        digest = chain_hash(previous, issue_id, self._now_iso, actor, "imported", None, None, new, note)
        events = [(issue_id, self._now_stored, actor, "imported", None, None, new, note, digest)]
        if not supervision:
            return events
        specs: list[tuple[datetime, str, str | None, str | None, str | None]] = []
        if supervision.get("dispatched_at") is not None:
            specs.append((supervision["dispatched_at"], "assigned", "dispatched_at",
                          encode_value(supervision["dispatched_at"]), None))
        if supervision.get("acknowledged_at") is not None:
            specs.append((supervision["acknowledged_at"], "acknowledged", "acknowledged_at",
                          encode_value(supervision["acknowledged_at"]), None))
        if supervision.get("escalated_at") is not None:
            specs.append((supervision["escalated_at"], "escalated", "level", "red", None))
        called_on = supervision.get("callback_on")
        if called_on is not None and supervision.get("callback_result") is not None:
            specs.append((self._at_office_hour(called_on), "callback", "callback_result",
                          supervision["callback_result"], values.get("callback_note")))
        elif called_on is not None and values.get("callback_reached") is False:
            specs.append((self._at_office_hour(called_on), "callback", "callback_reached",
                          encode_value(False), values.get("callback_note")))
        specs.sort(key=lambda spec: spec[0])
        for at, action, field_name, value, remark in specs:
            digest = event_hash(digest, issue_id, at, actor, action, field_name, None, value, remark)
            events.append((issue_id, stamp(at), actor, action, field_name, None, value, remark, digest))
        return events

    def _columns(self, item: _Prepared) -> dict[str, Any]:
        """The Issue columns an update sets: those the file has."""
        values = item.row.values
        columns = self.columns
        record: dict[str, Any] = {}
        if "title" in columns or "description" in columns:
            record["title"] = values["title"]
        simple = {"description": "description", "project": "project", "owner": "owner",
                  "reported_on": "reported_on", "due_on": "due_on", "resolved_on": "resolved_on",
                  "resolution": "resolution"}
        for name, column in simple.items():
            if name in columns:
                record[column] = values.get(name)
        record["enterprise_id"] = item.enterprise_id
        record["category_id"] = item.category_id
        if "department" in columns:
            record["department_id"] = item.department_id
        for name, default in (("kind", "individual"), ("source", "visit"), ("priority", "normal"),
                              ("status", "open")):
            # A row naming the visit that found it has the visit's source (_visit_source).
            if name in columns or (name == "source" and values.get("visit") is not None):
                record[name] = values.get(name) or default
        if "created_by" in columns:
            record["created_by"] = values.get("created_by") or self.actor.name
        if "created_at" in columns:
            record["created_at"] = values.get("created_at") or self.actor.now
        record["updated_at"] = values.get("updated_at") or self.actor.now
        return record

    @staticmethod
    def _snapshot(record: dict[str, Any], tags: list[str] | None) -> dict[str, Any]:
        """The imported event's `new` for an update: the fields it sets."""
        snap: dict[str, Any] = {}
        for name in ("title", "description", "enterprise_id", "project", "category_id", "kind", "source",
                     "priority", "status", "department_id", "owner", "resolution", "callback_result",
                     "reopen_count"):
            if name in record:
                snap[name] = record[name]
        for name in ("reported_on", "due_on", "resolved_on", "dispatched_at", "acknowledged_at", "acknowledge_by",
                     "escalated_at", "callback_on"):
            if name in record:
                snap[name] = encode_value(record[name])
        if tags is not None:
            snap["tags"] = tags
        return snap

    def _insert(self, creates: list[_Prepared]) -> None:
        """New issues, their tags and events, built as driver rows and handed to the writer."""
        given = [item.row.values["id"] for item in creates if item.row.values.get("id") is not None]
        fresh = iter(self._allocate(len(creates) - len(given), max(given, default=0)))
        issues: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        links: list[tuple[int, int]] = []
        now, actor_name = self.actor.now, self.actor.name
        day, stamp, iso = self._day, self._stamp, self._iso_day
        supervised = any(name in self.columns for name in SUPERVISION_COLUMNS)
        cycled = any(name in self.columns for name in CYCLE_COLUMNS)
        dispatches: list[tuple[Any, ...]] = []
        highest = 0
        for item in creates:
            values = item.row.values
            get = values.get
            issue_id = get("id")
            if issue_id is None:
                issue_id = next(fresh)
                self.allocated[issue_id] = item.row.number
            elif issue_id > highest:
                highest = issue_id
            status = get("status") or "open"
            created_at = get("created_at") or now
            updated_at = get("updated_at") or created_at
            reported_on, due_on, resolved_on = values["reported_on"], get("due_on"), get("resolved_on")
            supervision = self._supervision(values, status) if supervised else {}
            sup = supervision.get
            tags = get("tags") or []
            kind, source, priority = get("kind") or "individual", get("source") or "visit", get("priority") or "normal"
            reported_text, due_text, resolved_text = iso(reported_on), iso(due_on), iso(resolved_on)
            description, project, owner, resolution = get("description"), get("project"), get("owner"), get("resolution")
            snapshot = _new_issue_snapshot(
                values["title"], description, item.enterprise_id, project, item.category_id, kind, source, priority,
                status, item.department_id, owner, reported_text, due_text, resolved_text, resolution, tags, supervision)
            if cycled:
                cycle = self._cycle(values)
                snapshot = _SORTED_SNAPSHOT({**json.loads(snapshot), **_snapshot_values(cycle),
                                             "co_departments": list(get("co_departments") or ())})
                dispatches.extend(self._dispatch_rows(issue_id, values, sup("dispatched_at")))
            record_events = self._events(issue_id, None, snapshot, values, supervision, item.row.number)
            row = (
                issue_id, values["title"], description, item.enterprise_id, project, item.category_id,
                kind, source, priority, status, item.department_id, owner, day(reported_on), day(due_on),
                day(resolved_on), resolution, get("created_by") or actor_name, stamp(created_at), stamp(updated_at),
                record_events[-1][8],
            )
            if supervised:
                row += (stamp(sup("dispatched_at")), stamp(sup("acknowledged_at")), day(sup("acknowledge_by")),
                        stamp(sup("escalated_at")), sup("callback_result"), day(sup("callback_on")),
                        sup("reopen_count", 0))
            if cycled:
                row += tuple(day(cycle[name]) if name in EXTEND_DATES else cycle[name] for name in CYCLE_ISSUE_COLUMNS)
            issues.append(row)
            events.extend(record_events)
            if tags:
                links.extend((issue_id, tag_id) for tag_id in self._tag_ids(tags))
        columns = ISSUE_COLUMNS + (SUPERVISION_ISSUE_COLUMNS if supervised else ()) + (
            CYCLE_ISSUE_COLUMNS if cycled else ())
        self.writer.submit(self._write_rows, issues, links, events, columns, dispatches)
        if highest:
            self.ids_given = True
            if self.next_id is not None:
                self.next_id = max(self.next_id, highest + 1)

    def _write_rows(self, issues: list[tuple[Any, ...]], links: list[tuple[int, int]],
                    events: list[tuple[Any, ...]], issue_columns: tuple[str, ...] = ISSUE_COLUMNS,
                    dispatches: list[tuple[Any, ...]] | None = None) -> None:
        """The writer's job: a chunk's issues, tag links, dispatches and events through a driver cursor."""
        cursor = self.writer.driver.cursor()
        try:
            if issues:
                self._insert_rows(cursor, "issue", issue_columns, issues)
            if dispatches:
                self._insert_rows(cursor, "dispatch", DISPATCH_COLUMNS, dispatches)
            if links:
                self._insert_rows(cursor, "issue_tag", ("issue_id", "tag_id"), links)
            self._insert_rows(cursor, "event", EVENT_COLUMNS, events)
            if self.sqlite:
                # Index the chunk for search here, overlapping the next chunk, rather than
                # all at once when the transaction commits.
                for statement in SEARCH_INDEX_SYNC:
                    self.writer.statement_allowed()
                    cursor.execute(statement)
        finally:
            cursor.close()

    def _insert_rows(self, cursor: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """COPY on PostgreSQL: its bulk path, one statement streaming every row.

        On SQLite, many rows per INSERT. The driver gives up the GIL for each statement it
        steps: one statement per row would hand it back and forth with the importing thread for
        every row. And a statement that fires triggers (the search index's log, migration 0002)
        journals each page it changes, so one per row would journal the same index pages again
        for every row (benchmarks, issue 7)."""
        allowed = self.writer.statement_allowed
        if not self.sqlite:
            allowed()
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        one = f"({', '.join(['?'] * len(columns))})"
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        per_statement = self.writer.rows_per_statement(len(columns))
        full = head + ", ".join([one] * per_statement)
        for start in range(0, len(rows), per_statement):
            part = rows[start:start + per_statement]
            statement = full if len(part) == per_statement else head + ", ".join([one] * len(part))
            allowed()
            cursor.execute(statement, tuple(chain.from_iterable(part)))

    def _update(self, updates: list[tuple[_Prepared, str | None]]) -> None:
        self.writer.idle()
        rows: list[dict[str, Any]] = []
        events: list[tuple[Any, ...]] = []
        links: list[dict[str, int]] = []
        with_tags = "tags" in self.columns
        cycled = any(name in self.columns for name in CYCLE_COLUMNS)
        renewed: list[int] = []
        dispatches: list[tuple[Any, ...]] = []
        for item, head in updates:
            values = item.row.values
            issue_id = values["id"]
            record = self._columns(item)
            supervision = self._supervision(values, record.get("status"))
            record.update(supervision)
            tags = (values.get("tags") or []) if with_tags else None
            snap = self._snapshot(record, tags)
            if cycled:
                # Who requested and who verified a close-out stay as recorded unless the file
                # names them (services.workflow has checked it names them unchanged).
                cycle = {name: value for name, value in self._cycle(values).items()
                         if name not in ("closeout_by", "verified_by") or name in self.columns}
                record.update(cycle)
                snap.update(_snapshot_values(cycle), co_departments=list(values.get("co_departments") or ()))
                renewed.append(issue_id)
                dispatches.extend(self._dispatch_rows(issue_id, values, record.get("dispatched_at"), stored=False))
            record_events = self._events(issue_id, head, _SORTED_SNAPSHOT(snap), values, supervision,
                                         item.row.number)
            record["history_hash"] = record_events[-1][8]
            rows.append({f"p_{name}": value for name, value in record.items()} | {"p_id": issue_id})
            events.extend(record_events)
            if tags is not None:
                links.extend({"issue_id": issue_id, "tag_id": tag_id} for tag_id in self._tag_ids(tags))
        names = [name.removeprefix("p_") for name in rows[0] if name != "p_id"]
        statement = (
            update(ISSUE_TABLE)
            .where(ISSUE_TABLE.c.id == bindparam("p_id"))
            .values({name: bindparam(f"p_{name}") for name in names})
        )
        self.conn.execute(statement, rows)
        if renewed:  # the file says who co-handles and who returned it: those rows are replaced
            self.conn.execute(delete(DISPATCH_TABLE).where(
                DISPATCH_TABLE.c.issue_id.in_(renewed),
                (DISPATCH_TABLE.c.role == "co") | DISPATCH_TABLE.c.returned_at.is_not(None)))
            if dispatches:
                self.conn.execute(insert(DISPATCH_TABLE), [dict(zip(DISPATCH_COLUMNS, row, strict=True))
                                                           for row in dispatches])
        if with_tags:
            ids = [row["p_id"] for row in rows]
            self.conn.execute(delete(ISSUE_TAG_TABLE).where(ISSUE_TAG_TABLE.c.issue_id.in_(ids)))
            if links:
                self.conn.execute(insert(ISSUE_TAG_TABLE), links)
        self.writer.submit(self._write_rows, [], [], events)


def import_issues(session: Session, rows: Iterable[LedgerRow], *, settings: ImportSettings,
                  columns: dict[str, str]) -> ImportSummary:
    """Import validated issue rows; all-or-nothing (raises BadRows listing the bad ones)."""
    if "visit" not in columns:
        return IssueImport(session, settings=settings, columns=columns).run(rows)
    links: dict[int, int] = {}
    # A skipped row is left as it is, its visit too: the ids already there, known before the import.
    kept = set(session.execute(select(Issue.id)).scalars()) if settings.on_conflict == "skip" else set()
    summary = IssueImport(session, settings=settings, columns=columns).run(
        _visit_links(session, rows, columns, links))
    links = {issue_id: visit_id for issue_id, visit_id in links.items() if issue_id not in kept}
    if links and not settings.dry_run:
        session.connection().execute(
            update(ISSUE_TABLE).where(ISSUE_TABLE.c.id == bindparam("p_id")).values(visit_id=bindparam("p_visit")),
            [{"p_id": issue_id, "p_visit": visit_id} for issue_id, visit_id in links.items()])
    return summary


def _visit_links(session: Session, rows: Iterable[LedgerRow], columns: dict[str, str],
                 links: dict[int, int]) -> Iterator[LedgerRow]:
    """The rows, each naming a visit (走访编号, issue 22) checked: the visit exists and is of the
    row's enterprise, and the row has its id (序号), by which the link is written after the
    import. A bad link is the row's error, so the import writes nothing."""
    visits: dict[int, str] = {}
    kinds: dict[int, str] = {}
    for visit_id, name, kind in session.execute(
            select(Visit.id, Enterprise.name, Visit.kind).join(Enterprise, Enterprise.id == Visit.enterprise_id)):
        visits[visit_id], kinds[visit_id] = name, kind
    credit = dict(session.execute(select(Enterprise.credit_code, Enterprise.name)
                                  .where(Enterprise.credit_code.is_not(None))).all())  # type: ignore[union-attr]
    for row in rows:
        visit_id = row.values.get("visit")
        if visit_id is not None and not row.errors:
            header = columns.get("visit", "visit")
            enterprise = row.values.get("enterprise")
            if visit_id not in visits:
                row.errors.append(CellError(row.number, header, InvalidValue("error.visit_not_found", id=visit_id)))
            elif enterprise is not None and credit.get(enterprise.upper(), enterprise) != visits[visit_id]:
                row.errors.append(CellError(row.number, header, InvalidValue(
                    "error.visit_other_enterprise", id=visit_id, visited=visits[visit_id], enterprise=enterprise)))
            elif row.values.get("id") is None:
                row.errors.append(CellError(row.number, header, InvalidValue("error.import_visit_needs_id")))
            elif not _visit_source(row, visit_id, kinds[visit_id], columns):
                links[row.values["id"]] = visit_id
        yield row


def _visit_source(row: LedgerRow, visit_id: int | None, kind: str, columns: dict[str, str]) -> bool:
    """Whether the row's source contradicts the visit that found the problem (DESIGN §12), as
    `issue add --visit` refuses: then the row has the error at its source column. A row without
    a source takes the visit's, as `issue add --visit` does."""
    given = row.values.get("source")
    if given is None:
        row.values["source"] = kind
        return False
    error = visit_source_error(visit_id, kind, given, imported=True)
    if error is not None:
        row.errors.append(CellError(row.number, columns.get("source", "source"), error))
    return error is not None


# --- enterprises -------------------------------------------------------------------------------

ENTERPRISE_COLUMNS = ("name", "credit_code", "zone", "industry", "contact", "phone", "liaison")


def import_enterprises(session: Session, rows: Iterable[LedgerRow], *, settings: ImportSettings,
                       columns: dict[str, str]) -> ImportSummary:
    """Import validated enterprise rows; an existing id, else an existing name, is a conflict."""
    _check_conflict_choice(settings.on_conflict)
    conn = session.connection()
    summary = ImportSummary("enterprises", settings.source, settings.dry_run)
    errors = _Errors()
    by_id: dict[int, str] = {}
    by_name: dict[str, int] = {}
    by_code: dict[str, int] = {}
    liaisons: dict[int, str | None] = {}  # the current 包联 cadre, for the assignment history (issue 22)
    assigned: list[dict[str, Any]] = []
    for ent_id, name, code, liaison in conn.execute(select(Enterprise.id, Enterprise.name, Enterprise.credit_code,
                                                           Enterprise.liaison)):
        liaisons[ent_id] = liaison
        by_id[ent_id] = name
        by_name[name] = ent_id
        if code:
            by_code[code] = ent_id
    seen_names: dict[str, int] = {}
    seen_codes: dict[str, int] = {}
    seen_ids: dict[int, int] = {}
    explicit = False
    placeholder = 0
    now = settings.actor.now

    def fail(row: LedgerRow, name: str, error: QiyeError) -> None:
        row.errors.append(CellError(row.number, columns.get(name, name), error))

    for row in rows:
        summary.rows += 1
        if row.errors:
            errors.add(row.errors)
            continue
        values = row.values
        name, code, ent_id = values["name"], values.get("credit_code"), values.get("id")
        for key, seen, shown in ((name, seen_names, "name"), (code, seen_codes, "credit_code"),
                                 (ent_id, seen_ids, "id")):
            if key is not None and key in seen:
                fail(row, shown, InvalidValue("error.import_duplicate_value", value=str(key), other=seen[key]))
        if row.errors:
            errors.add(row.errors)
            continue
        target = ent_id if ent_id is not None and ent_id in by_id else by_name.get(name)
        if target is not None and by_name.get(name, target) != target:
            fail(row, "name", InvalidValue("error.duplicate", what="enterprise", value=name))
        if code is not None and by_code.get(code, target) != target:
            fail(row, "credit_code", InvalidValue("error.duplicate", what="credit_code", value=code))
        if target is not None and settings.on_conflict == "fail":
            fail(row, "id" if ent_id in by_id else "name",
                 InvalidValue("error.import_enterprise_exists", name=by_id[target]))
        if row.errors:
            errors.add(row.errors)
            continue
        seen_names[name] = row.number
        if code is not None:
            seen_codes[code] = row.number
        if ent_id is not None:
            seen_ids[ent_id] = row.number
        present = {key: values.get(key) for key in ENTERPRISE_COLUMNS if key in columns}
        if target is not None and settings.on_conflict == "skip":
            summary.skipped += 1
            continue
        writing = not settings.dry_run and not errors.bad_rows
        if target is not None:
            summary.updated += 1
            if writing:
                conn.execute(update(ENTERPRISE_TABLE).where(ENTERPRISE_TABLE.c.id == target)
                             .values(**present, updated_at=now))
            new_id = target
            del by_name[by_id[target]]
        else:
            summary.created += 1
            if writing:
                record = {key: values.get(key) for key in ENTERPRISE_COLUMNS} | {"created_at": now, "updated_at": now}
                if ent_id is not None:
                    record["id"] = ent_id
                    explicit = True
                new_id = conn.execute(insert(ENTERPRISE_TABLE).values(**record)).inserted_primary_key[0]
            else:
                placeholder -= 1
                new_id = ent_id if ent_id is not None else placeholder
        if writing and "liaison" in present and present["liaison"] != liaisons.get(new_id):
            assigned.append({"enterprise_id": new_id, "liaison": present["liaison"], "assigned_at": now,
                             "assigned_by": settings.actor.name})
            liaisons[new_id] = present["liaison"]
        by_id[new_id] = name
        by_name[name] = new_id
        if code is not None:
            by_code[code] = new_id
    errors.raise_if_any(settings.source)
    if explicit:
        _fix_sequence(conn, "enterprise")
    if assigned:
        conn.execute(insert(LiaisonAssignment.__table__), assigned)  # type: ignore[attr-defined]
    return summary


# --- users (issue 19) -----------------------------------------------------------------------------

USER_TABLE = User.__table__  # type: ignore[attr-defined]


def import_users(session: Session, rows: Iterable[LedgerRow], *, settings: ImportSettings,
                 columns: dict[str, str]) -> ImportSummary:
    """Import validated user rows; an existing name is a conflict. Departments must exist
    (exactly as named: a near match never goes into a new record); logins stay unique; a
    handler needs a department. All-or-nothing, as every import."""
    from qiye_service.services.people import ACTIVE, DISABLED, check_department

    _check_conflict_choice(settings.on_conflict)
    conn = session.connection()
    summary = ImportSummary("users", settings.source, settings.dry_run)
    errors = _Errors()
    departments = {name: dept_id for dept_id, name in conn.execute(select(Department.id, Department.name))}
    by_name: dict[str, tuple[int, int | None]] = {}  # name -> (id, department id)
    by_login: dict[str, str] = {}  # login -> the name holding it
    for user_id, name, login, dept_id in conn.execute(select(User.id, User.name, User.login, User.department_id)):
        by_name[name] = (user_id, dept_id)
        if login is not None:
            by_login[login] = name
    seen_names: dict[str, int] = {}
    seen_logins: dict[str, int] = {}
    now = settings.actor.now

    def fail(row: LedgerRow, name: str, error: QiyeError) -> None:
        row.errors.append(CellError(row.number, columns.get(name, name), error))

    for row in rows:
        summary.rows += 1
        if row.errors:
            errors.add(row.errors)
            continue
        values = row.values
        name, login, department = values["name"], values.get("login"), values.get("department")
        for key, seen, shown in ((name, seen_names, "name"), (login, seen_logins, "login")):
            if key is not None and key in seen:
                fail(row, shown, InvalidValue("error.import_duplicate_value", value=str(key), other=seen[key]))
        target = by_name.get(name)
        if target is not None and settings.on_conflict == "fail":
            fail(row, "name", InvalidValue("error.import_user_exists", name=name))
        dept_id = target[1] if target is not None and "department" not in columns else None
        if department is not None:
            dept_id = departments.get(department)
            if dept_id is None:
                fail(row, "department", InvalidValue("error.import_user_department", name=department))
        if login is not None and by_login.get(login, name) != name:
            fail(row, "login", InvalidValue("error.user_login_taken", login=login, name=by_login[login]))
        if not row.errors and (department is None or dept_id is not None):
            try:
                check_department(values["role"], dept_id, name)
            except QiyeError:
                fail(row, "department" if "department" in columns else "role",
                     InvalidValue("error.import_user_handler_dept", name=name))
        if row.errors:
            errors.add(row.errors)
            continue
        seen_names[name] = row.number
        if login is not None:
            seen_logins[login] = row.number
        if target is not None and settings.on_conflict == "skip":
            summary.skipped += 1
            continue
        record: dict[str, Any] = {"role": values["role"]}
        if "department" in columns:
            record["department_id"] = dept_id
        if "login" in columns:
            record["login"] = login
        if "state" in columns or target is None:
            record["active"] = (values.get("state") or ACTIVE) != DISABLED
        writing = not settings.dry_run and not errors.bad_rows
        if target is not None:
            summary.updated += 1
            if writing:
                conn.execute(update(USER_TABLE).where(USER_TABLE.c.id == target[0]).values(**record))
            for held, holder in list(by_login.items()):
                if holder == name and "login" in columns:
                    del by_login[held]
        else:
            summary.created += 1
            if writing:
                record |= {"name": name, "department_id": dept_id, "login": login, "created_at": now}
                conn.execute(insert(USER_TABLE).values(**record))
        by_name[name] = (target[0] if target is not None else 0, dept_id)
        if login is not None:
            by_login[login] = name
    errors.raise_if_any(settings.source)
    return summary


# --- visits (issue 22) ---------------------------------------------------------------------------

VISIT_TABLE = Visit.__table__  # type: ignore[attr-defined]


def import_visits(session: Session, rows: Iterable[LedgerRow], *, settings: ImportSettings,
                  columns: dict[str, str]) -> ImportSummary:
    """Import a visit log (走访记录): every enterprise must exist (exactly as named, or by its
    credit code: a near match never goes into a record), no visit lies in the future. A row
    whose id exists is a conflict (fail, skip or update). All-or-nothing, as every import."""
    from qiye_service.services.visits import VISIT_KINDS

    _check_conflict_choice(settings.on_conflict)
    conn = session.connection()
    summary = ImportSummary("visits", settings.source, settings.dry_run)
    errors = _Errors()
    enterprises: dict[str, int] = {}
    for ent_id, name, code in conn.execute(select(Enterprise.id, Enterprise.name, Enterprise.credit_code)):
        enterprises[name] = ent_id
        if code:
            enterprises.setdefault(code, ent_id)
    existing = set(conn.execute(select(Visit.id)).scalars())
    seen_ids: dict[int, int] = {}
    explicit = False
    # A visit in the future was refused as its cell was read (importers.visit_cleaners).
    now = settings.actor.now
    fresh: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []

    def fail(row: LedgerRow, name: str, error: QiyeError) -> None:
        row.errors.append(CellError(row.number, columns.get(name, name), error))

    for row in rows:
        summary.rows += 1
        values = row.values
        if not row.errors:
            visit_id = values.get("id")
            if visit_id is not None and visit_id in seen_ids:
                fail(row, "id", InvalidValue("error.import_duplicate_value", value=str(visit_id),
                                             other=seen_ids[visit_id]))
            enterprise_id = enterprises.get(values["enterprise"], enterprises.get(values["enterprise"].upper()))
            if enterprise_id is None:
                fail(row, "enterprise", InvalidValue("error.import_visit_enterprise", name=values["enterprise"]))
            if visit_id is not None and visit_id in existing and settings.on_conflict == "fail":
                fail(row, "id", InvalidValue("error.import_visit_exists", id=visit_id))
        if row.errors:
            errors.add(row.errors)
            continue
        if visit_id is not None:
            seen_ids[visit_id] = row.number
        if visit_id is not None and visit_id in existing and settings.on_conflict == "skip":
            summary.skipped += 1
            continue
        record = {"enterprise_id": enterprise_id, "visited_on": values["visited_on"],
                  "visited_by": values["visited_by"], "kind": values.get("kind") or VISIT_KINDS[0],
                  "note": values["note"], "created_by": values.get("created_by") or settings.actor.name,
                  "created_at": values.get("created_at") or now}
        if visit_id is not None and visit_id in existing:
            summary.updated += 1
            changed.append({"p_id": visit_id, **{f"p_{k}": v for k, v in record.items()}})
        else:
            summary.created += 1
            if visit_id is not None:
                record["id"] = visit_id
                explicit = True
            fresh.append(record)
    errors.raise_if_any(settings.source)
    if settings.dry_run:
        return summary
    if changed:
        names = [key.removeprefix("p_") for key in changed[0] if key != "p_id"]
        conn.execute(update(VISIT_TABLE).where(VISIT_TABLE.c.id == bindparam("p_id"))
                     .values({name: bindparam(f"p_{name}") for name in names}), changed)
    with_ids = [record for record in fresh if "id" in record]
    without = [record for record in fresh if "id" not in record]
    if with_ids:
        conn.execute(insert(VISIT_TABLE), with_ids)
    if explicit:
        _fix_sequence(conn, "visit")
    for record in without:  # one by one, in file order, so ids follow the file
        conn.execute(insert(VISIT_TABLE).values(**record))
    return summary


def export_visits(session: Session, flt: Any) -> Iterator[tuple[Any, ...]]:
    """Visits in VISIT_FIELDS order by id (a services.visits.VisitFilter keeps some), which
    import visits reads back into an empty ledger as they were."""
    from qiye_service.services.visits import visits_query

    statement = visits_query(session, flt).order_by(Visit.id)
    day, stamp = _day_text, _timestamp_text  # ISO text, as the issue and event exports write them
    for row in session.execute(statement):
        yield (row[0], day(row[1]), *row[2:7], stamp(row[7]))


def export_users(session: Session) -> Iterator[tuple[Any, ...]]:
    """Users in USER_FIELDS order (state: active or disabled), in the order they were registered,
    so an import into an empty ledger registers them in the same order."""
    statement = (select(User.name, User.role, Department.name, User.login, User.active)
                 .outerjoin(Department, Department.id == User.department_id).order_by(User.id))
    for name, role, department, login, active in session.execute(statement):
        yield (name, role, department, login, "active" if active else "disabled")


# --- export --------------------------------------------------------------------------------------

EXPORT_EVENT_FIELDS = ("issue_id", *EVENT_FIELDS)
# `export issues --supervision`: the supervision record (DESIGN §8) in the columns `import issues`
# reads back, as park-calendar dates, so a ledger moved by export and import keeps its rates.
SUPERVISION_EXPORT_FIELDS = (*SUPERVISION_COLUMNS, "callback_note")


def _day_text(value: Any) -> Any:
    """A stored date as YYYY-MM-DD: SQLite already holds that text."""
    if value is None or value.__class__ is str:
        return value
    return value.isoformat()


def _timestamp_text(value: Any) -> Any:
    """A stored UTC timestamp as YYYY-MM-DDTHH:MM:SSZ (render.iso's form), from SQLite's
    `YYYY-MM-DD HH:MM:SS.ffffff` text or a driver datetime."""
    if value is None:
        return None
    if value.__class__ is str:
        return f"{value[:10]}T{value[11:19]}Z"
    return value.isoformat(timespec="seconds") + "Z"


def _driver_value(value: Any, sqlite: bool) -> Any:
    if sqlite and isinstance(value, date):
        return value.isoformat() if not isinstance(value, datetime) else value.isoformat(sep=" ")
    return value


_cursor_names = iter(range(1, 1 << 62))


def stream(conn: Connection, statement: Any, batch: int = 5000) -> Iterator[tuple[Any, ...]]:
    """Rows of a select as the driver's own tuples, fetched `batch` at a time: no Row objects,
    no typed result processing. On PostgreSQL a named (server-side) cursor keeps memory flat."""
    dialect = conn.dialect
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    sqlite = dialect.name == "sqlite"
    params: Any
    if compiled.positiontup is not None:
        params = tuple(_driver_value(compiled.params[name], sqlite) for name in compiled.positiontup)
    else:
        params = {name: _driver_value(value, sqlite) for name, value in compiled.params.items()}
    driver = conn.connection.dbapi_connection
    assert driver is not None
    if dialect.name == "postgresql":
        cursor = driver.cursor(name=f"qiye_export_{next(_cursor_names)}")
        cursor.itersize = batch
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(str(compiled), params)
        fetch = cursor.fetchmany
        while rows := fetch(batch):
            yield from rows
    finally:
        cursor.close()


def _filtered_ids(flt: ResolvedFilter, today: date) -> Any:
    """A select of the matching issue ids, or None when the filter matches every issue."""
    ids = apply_filter(select(Issue.id), flt, today=today)
    return ids if ids.whereclause is not None else None


def _park_day_text(tz_name: str) -> Callable[[Any], str | None]:
    """A stored UTC timestamp (SQLite's text or a driver datetime) as its YYYY-MM-DD in the
    park's time zone; the date depends on the minute only, so a small memo serves an export."""
    @lru_cache(maxsize=4096)
    def of_minute(minute: str) -> str:
        return local_date(datetime.fromisoformat(minute), tz_name).isoformat()

    def day(value: Any) -> str | None:
        return None if value is None else of_minute(str(value)[:16])

    return day


def _supervision_columns(cycle: bool) -> tuple[Any, ...]:
    """The stored supervision facts behind SUPERVISION_EXPORT_FIELDS; the callback's remark
    lives in its event, read only for the issues that had a callback (with `cycle`, one that
    did not reach the company too: only the cycle's columns say so)."""
    remark = (select(Event.note).where(Event.issue_id == Issue.id, Event.action == "callback")
              .order_by(Event.id.desc()).limit(1).correlate(Issue).scalar_subquery())
    had_callback = Issue.callback_result.is_not(None)
    if cycle:
        had_callback = had_callback | Issue.callback_reached.is_(False)
    return (Issue.dispatched_at, Issue.acknowledged_at, Issue.escalated_at, Issue.callback_result,
            Issue.callback_on, case((had_callback, remark)))


def _snapshot_values(cycle: dict[str, Any]) -> dict[str, Any]:
    """The cycle's values as the imported snapshot (JSON) holds them: dates as ISO text."""
    return {name: value.isoformat() if name in EXTEND_DATES and value is not None else value
            for name, value in cycle.items()}


def _cycle_parts(session: Session) -> dict[int, tuple[list[Any], list[str], list[str]]]:
    """Per issue with any: its active co-handling departments (name, dispatched, acknowledged), the departments that returned it
    (one per return) and those it was transferred away from, in the order they happened."""
    parts: dict[int, tuple[list[Any], list[str], list[str]]] = {}
    statement = (select(Dispatch.issue_id, Department.name, Dispatch.role, Dispatch.active, Dispatch.returned_at,
                        Dispatch.outcome, Dispatch.dispatched_at, Dispatch.acknowledged_at)
                 .join(Department, Department.id == Dispatch.department_id)
                 .where(((Dispatch.role == "co") & Dispatch.active.is_(True)) | Dispatch.returned_at.is_not(None))
                 .order_by(Dispatch.issue_id, Dispatch.id))
    for issue_id, name, role, active, returned_at, outcome, dispatched_at, acknowledged_at in session.execute(statement):
        co, returned, transferred = parts.setdefault(issue_id, ([], [], []))
        if role == "co" and active:
            co.append((name, dispatched_at, acknowledged_at))
        if returned_at is not None:
            returned.append(name)
            if outcome == "transferred":
                transferred.append(name)
    return parts


def export_issues(session: Session, flt: ResolvedFilter, *, today: date, tags_separator: str | None = None,
                  supervision_timezone: str | None = None, cycle: bool = False) -> Iterator[tuple[Any, ...]]:
    """Issue rows in ISSUE_FIELDS order, by id, dates as ISO text; tags a sorted list, or
    one string joined with `tags_separator` (CSV). With `supervision_timezone`, each row goes
    on with SUPERVISION_EXPORT_FIELDS, their days in that time zone; with `cycle` too, then
    with CYCLE_COLUMNS (the work-order cycle, issue 20)."""
    conn = session.connection()
    statement = apply_filter(issue_select(), flt, today=today).order_by(Issue.id)
    if supervision_timezone is not None:
        statement = statement.add_columns(*_supervision_columns(cycle))
        park_day = _park_day_text(supervision_timezone)
    if cycle:
        assert supervision_timezone is not None
        statement = statement.add_columns(Issue.return_count, Issue.transfer_count, Issue.callback_solved,
                                          Issue.callback_reached, *(getattr(Issue, n) for n in EXTEND_COLUMNS))
        parts = _cycle_parts(session)
        nothing: tuple[list[Any], list[str], list[str]] = ([], [], [])

        def listed_names(listed: list[str]) -> Any:
            return tags_separator.join(listed) if tags_separator is not None else listed
    tags_statement = (
        select(IssueTag.issue_id, Tag.name).join(Tag, Tag.id == IssueTag.tag_id).order_by(IssueTag.issue_id)
    )
    ids = _filtered_ids(flt, today)
    if ids is not None:
        tags_statement = tags_statement.where(IssueTag.issue_id.in_(ids))
    # Both streams are ordered by issue id: merge them instead of a query per issue.
    tags = stream(conn, tags_statement)
    pending = next(tags, None)
    day, stamp = _day_text, _timestamp_text
    empty: Any = "" if tags_separator is not None else []
    for row in stream(conn, statement):
        issue_id = row[0]
        names: Any = empty
        if pending is not None:
            while pending is not None and pending[0] < issue_id:
                pending = next(tags, None)
            if pending is not None and pending[0] == issue_id:
                names = []
                while pending is not None and pending[0] == issue_id:
                    names.append(pending[1])
                    pending = next(tags, None)
                names.sort()
                if tags_separator is not None:
                    names = tags_separator.join(names)
        issue = (*row[:12], day(row[12]), day(row[13]), day(row[14]), row[15], names, row[16],
                 stamp(row[17]), stamp(row[18]))
        if supervision_timezone is not None:
            # Without the cycle's callback_reached, a callback that did not reach the company (a
            # date and no verdict) cannot be written so that import reads it back: its date is left out.
            called_on = day(row[23]) if cycle or row[22] is not None else None
            issue += (park_day(row[19]), park_day(row[20]), park_day(row[21]), row[22], called_on, row[24])
        if cycle:
            co, returned, transferred = parts.get(issue_id, nothing)
            reached = row[28]
            issue += (listed_names([c[0] for c in co]), ";".join(park_day(c[1]) or "" for c in co) or None,
                      ";".join(park_day(c[2]) or "" for c in co) or None, row[25] or 0, row[26] or 0,
                      listed_names(returned), listed_names(transferred), row[27],
                      None if reached is None else ("yes" if reached else "no"),
                      day(row[29]), row[30] or 0, day(row[31]), day(row[32]), row[33] or 0, row[34], row[35])
        yield issue


def export_events(session: Session, flt: ResolvedFilter, *, today: date) -> Iterator[tuple[Any, ...]]:
    """Events of the matching issues in EXPORT_EVENT_FIELDS order, oldest first."""
    statement = select(Event.issue_id, Event.at, Event.actor, Event.action, Event.field, Event.old, Event.new,
                       Event.note).order_by(Event.id)
    ids = _filtered_ids(flt, today)
    if ids is not None:
        statement = statement.where(Event.issue_id.in_(ids))
    stamp = _timestamp_text
    # A creation snapshot refers to rows by id; the export names them, as issue show does.
    names = reference_names(session)
    for row in stream(session.connection(), statement):
        if row[3] in CREATION_ACTIONS and row[4] is None:
            yield (row[0], stamp(row[1]), row[2], row[3], row[4], row[5], readable_snapshot(row[6], names), row[7])
        else:
            yield (row[0], stamp(row[1]), *row[2:])


def export_enterprises(session: Session, flt: ResolvedFilter, *, today: date,
                       by_issues: bool) -> Iterator[tuple[Any, ...]]:
    """Enterprises in ENTERPRISE_FIELDS order by id. Zone, industry and enterprise filters
    apply to the enterprise; with `by_issues`, the other filters keep the enterprises that
    have a matching issue."""
    columns = [getattr(Enterprise, name) for name in ENTERPRISE_FIELDS]
    statement = select(*columns).order_by(Enterprise.id)
    if flt.zones:
        statement = statement.where(Enterprise.zone.in_(flt.zones))
    if flt.industries:
        statement = statement.where(Enterprise.industry.in_(flt.industries))
    if flt.enterprise_ids:
        statement = statement.where(Enterprise.id.in_(flt.enterprise_ids))
    if by_issues:
        from dataclasses import replace

        issue_filter = replace(flt, zones=[], industries=[], enterprise_ids=[])
        matching = apply_filter(select(Issue.enterprise_id), issue_filter, today=today)
        statement = statement.where(Enterprise.id.in_(matching))
    yield from (tuple(row) for row in stream(session.connection(), statement))


EXPORT_FIELDS = {"issues": ISSUE_FIELDS, "enterprises": ENTERPRISE_FIELDS, "events": EXPORT_EVENT_FIELDS,
                 "users": USER_FIELDS, "visits": VISIT_FIELDS}
