"""SQLModel tables and the enums of DESIGN §2.

Enums are stored as short strings (no database enum types) so SQLite and PostgreSQL
share one migration; the services validate them. Timestamps are naive UTC.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from pydantic import ConfigDict
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    true,
)
from sqlmodel import Field, SQLModel


class Status(str, enum.Enum):
    open = "open"
    in_progress = "in_progress"
    resolved = "resolved"
    deferred = "deferred"
    # Closed out by the department, waiting for a supervisor's verification (审核销号, issue 20;
    # only with `closeout.verify` on). Not resolved in any report until verified.
    verifying = "verifying"


UNRESOLVED_STATUSES = (Status.open.value, Status.in_progress.value, Status.deferred.value, Status.verifying.value)
"""Every status but resolved: `issue list`'s default, and what "not resolved" means now."""


class Kind(str, enum.Enum):
    individual = "individual"
    common = "common"


class Source(str, enum.Enum):
    visit = "visit"
    meeting = "meeting"
    phone = "phone"
    online = "online"
    other = "other"


class Priority(str, enum.Enum):
    urgent = "urgent"
    high = "high"
    normal = "normal"
    low = "low"


class CallbackResult(str, enum.Enum):
    satisfied = "satisfied"
    basic = "basic"
    unsatisfied = "unsatisfied"


class CallbackSolved(str, enum.Enum):
    """Whether the company says the problem was solved (DESIGN §11, issue 20)."""

    solved = "solved"          # 解决
    partly = "partly"          # 部分解决
    unsolved = "unsolved"      # 未解决


class DispatchRole(str, enum.Enum):
    """A department's part in an issue (DESIGN §11): the lead 主办 or a co-handler 协办."""

    lead = "lead"
    co = "co"


class ReturnReason(str, enum.Enum):
    """Why a department sent an issue back (退单, DESIGN §11)."""

    not_responsible = "not_responsible"  # 非本单位职责
    incomplete = "incomplete"            # 信息不全
    duplicate = "duplicate"              # 重复
    other = "other"                      # 其他


class ReturnOutcome(str, enum.Enum):
    """What the office decided on a return: re-dispatched elsewhere (a transfer) or upheld (审定)."""

    transferred = "transferred"
    upheld = "upheld"


class Role(str, enum.Enum):
    """What a registered user may do (DESIGN §10)."""

    cadre = "cadre"            # 联企干部
    handler = "handler"        # 责任单位经办人: acts for their department
    supervisor = "supervisor"  # 督办
    admin = "admin"            # 管理员


# Table models are never validated by pydantic (SQLModel constructs them without it); building
# their validators at import cost every command a third of its own start-up (issue 7).
DEFERRED = ConfigDict(defer_build=True)


class Enterprise(SQLModel, table=True):
    model_config = DEFERRED  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    credit_code: str | None = Field(default=None, sa_column=Column(String(18), unique=True))
    zone: str | None = Field(default=None, sa_column=Column(String(100), index=True))
    industry: str | None = Field(default=None, sa_column=Column(String(100), index=True))
    contact: str | None = Field(default=None, sa_column=Column(String(100)))
    phone: str | None = Field(default=None, sa_column=Column(String(50)))
    liaison: str | None = Field(default=None, sa_column=Column(String(100)))
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime, nullable=False))


class Category(SQLModel, table=True):
    model_config = DEFERRED  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    name_zh: str = Field(sa_column=Column(String(100), nullable=False, unique=True))
    name_en: str = Field(sa_column=Column(String(100), nullable=False, unique=True))


class Department(SQLModel, table=True):
    model_config = DEFERRED  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))


class User(SQLModel, table=True):
    """A person registered on a shared ledger (DESIGN §10, issue 19). `name` is the name events
    record as actor; `login` is the PostgreSQL or OS login the person is known by. Users are
    never deleted (history names them): `user disable` clears `active`."""

    model_config = DEFERRED  # type: ignore[assignment]
    __tablename__ = "app_user"  # `user` is reserved in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(100), nullable=False, unique=True))
    role: str = Field(sa_column=Column(String(16), nullable=False))
    department_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("department.id"), index=True)
    )
    login: str | None = Field(default=None, sa_column=Column(String(100), unique=True))
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))


class Tag(SQLModel, table=True):
    model_config = DEFERRED  # type: ignore[assignment]
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(100), nullable=False, unique=True))


class IssueTag(SQLModel, table=True):
    model_config = DEFERRED  # type: ignore[assignment]
    __tablename__ = "issue_tag"
    issue_id: int = Field(
        sa_column=Column(Integer, ForeignKey("issue.id", ondelete="CASCADE"), primary_key=True)
    )
    tag_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class Issue(SQLModel, table=True):
    model_config = DEFERRED  # type: ignore[assignment]
    __table_args__ = (
        # Migration 0011 (issue 24): the report aggregates read these columns and no others, so
        # they never fetch a row from the table (random reads on a cold cache when ids do not
        # follow the dates); resolved_on lets the median's histogram and the trend read
        # ix_issue_status_reported alone.
        Index("ix_issue_report", "reported_on", "status", "kind", "category_id", "department_id", "due_on",
              "deadline_on", "suspended_on", "escalated_at", "resolved_on", "dispatched_at", "acknowledged_at",
              "acknowledge_by", "callback_result", "callback_on"),
        Index("ix_issue_status_reported", "status", "reported_on", "resolved_on"),
        Index("ix_issue_category_status_reported", "category_id", "status", "reported_on"),
        Index("ix_issue_status_due", "status", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_column=Column(String(500), nullable=False))
    description: str | None = Field(default=None, sa_column=Column(Text))
    enterprise_id: int = Field(
        sa_column=Column(Integer, ForeignKey("enterprise.id"), nullable=False, index=True)
    )
    project: str | None = Field(default=None, sa_column=Column(String(500)))
    category_id: int = Field(sa_column=Column(Integer, ForeignKey("category.id"), nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    source: str = Field(sa_column=Column(String(16), nullable=False))
    priority: str = Field(sa_column=Column(String(16), nullable=False))
    status: str = Field(sa_column=Column(String(16), nullable=False))
    department_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("department.id"), index=True)
    )
    owner: str | None = Field(default=None, sa_column=Column(String(100), index=True))
    reported_on: date = Field()  # indexed first in ix_issue_report
    due_on: date | None = Field(default=None)
    resolved_on: date | None = Field(default=None, index=True)
    resolution: str | None = Field(default=None, sa_column=Column(Text))
    created_by: str = Field(sa_column=Column(String(100), nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    # Supervision (DESIGN §8): kept on the row so reports aggregate them in SQL.
    dispatched_at: datetime | None = Field(default=None, sa_column=Column(DateTime))
    acknowledged_at: datetime | None = Field(default=None, sa_column=Column(DateTime))
    # The date by which a dispatch must be acknowledged, fixed at dispatch time from the
    # working-day calendar so the response rate is a plain SQL comparison.
    acknowledge_by: date | None = Field(default=None)
    escalated_at: datetime | None = Field(default=None, sa_column=Column(DateTime))
    callback_result: str | None = Field(default=None, sa_column=Column(String(16)))
    callback_on: date | None = Field(default=None)
    reopen_count: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    # Extension and suspension (延期/挂起, issue 20). due_on stays the original deadline;
    # deadline_on is the deadline in force when it differs from due_on: the approved
    # extension (extended_due_on, else due_on) moved on by the working days the issue was
    # suspended (suspended_days). Reports compare against COALESCE(deadline_on, due_on).
    extended_due_on: date | None = Field(default=None)
    deadline_on: date | None = Field(default=None)
    extension_to: date | None = Field(default=None)  # a pending extension request's date
    extension_by: str | None = Field(default=None, sa_column=Column(String(100)))  # who asked
    extension_count: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    suspended_on: date | None = Field(default=None)  # suspended (挂起) since; None when running
    suspended_days: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    # Close-out verification (审核销号, issue 20): who closed out and who verified it.
    closeout_by: str | None = Field(default=None, sa_column=Column(String(100)))
    verified_by: str | None = Field(default=None, sa_column=Column(String(100)))
    verified_at: datetime | None = Field(default=None, sa_column=Column(DateTime))
    # The work-order cycle (DESIGN §11, issue 20). callback_solved: solved|partly|unsolved;
    # callback_reached: whether the latest callback reached the company (None: no callback).
    callback_solved: str | None = Field(default=None, sa_column=Column(String(16)))
    callback_reached: bool | None = Field(default=None, sa_column=Column(Boolean))
    # Returns (退单) of this issue by any department and re-dispatches after one (transfers).
    return_count: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    transfer_count: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    # The visit (走访) that found this problem (issue 22), if it was found on one.
    visit_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("visit.id"), index=True))
    # Head of this issue's event hash chain (tamper evidence).
    history_hash: str | None = Field(default=None, sa_column=Column(String(64)))


class VisitKind(str, enum.Enum):
    """How a visit (走访) was made (DESIGN §12)."""

    visit = "visit"      # 实地走访
    meeting = "meeting"  # 座谈
    phone = "phone"      # 电话
    online = "online"    # 线上


class Visit(SQLModel, table=True):
    """One visit of an enterprise by a cadre (走访, DESIGN §12, issue 22): when, by whom, how, and
    what was found. Problems it found name it (issue.visit_id)."""

    model_config = DEFERRED  # type: ignore[assignment]
    __table_args__ = (Index("ix_visit_enterprise_id_visited_on", "enterprise_id", "visited_on"),)

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(sa_column=Column(Integer, ForeignKey("enterprise.id"), nullable=False))
    visited_on: date = Field(index=True)
    visited_by: str = Field(sa_column=Column(String(100), nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))  # VisitKind
    note: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    created_by: str = Field(sa_column=Column(String(100), nullable=False))


class LiaisonAssignment(SQLModel, table=True):
    """Who was assigned (包联) to an enterprise from when, and by whom (issue 22): one row per
    change of enterprise.liaison, which stays the current one. `liaison` None: unassigned."""

    model_config = DEFERRED  # type: ignore[assignment]
    __tablename__ = "liaison_assignment"

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(sa_column=Column(Integer, ForeignKey("enterprise.id"), nullable=False, index=True))
    liaison: str | None = Field(default=None, sa_column=Column(String(100)))
    assigned_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    assigned_by: str = Field(sa_column=Column(String(100), nullable=False))


class Dispatch(SQLModel, table=True):
    """One department's part in an issue (DESIGN §11): the lead (主办, mirrored on the issue's
    department_id, due_on, dispatched_at, acknowledge_by and acknowledged_at so the reports stay
    plain aggregates over Issue) or a co-handler (协办), each with its own deadline and
    acknowledgement (签收). A return (退单) sets returned_at, its reason and note; the office's
    decision sets outcome: `transferred` (re-dispatched elsewhere; the row goes inactive) or
    `upheld` (审定: the department must take it). Rows are never deleted: an inactive row is a
    department that no longer handles the issue, kept for the per-department counts."""

    model_config = DEFERRED  # type: ignore[assignment]
    __table_args__ = (Index("ix_dispatch_issue_id_active", "issue_id", "active"),)

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(
        sa_column=Column(Integer, ForeignKey("issue.id", ondelete="CASCADE"), nullable=False)
    )
    department_id: int = Field(
        sa_column=Column(Integer, ForeignKey("department.id"), nullable=False, index=True)
    )
    role: str = Field(sa_column=Column(String(8), nullable=False))  # DispatchRole
    due_on: date | None = Field(default=None)
    dispatched_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    acknowledge_by: date | None = Field(default=None)
    acknowledged_at: datetime | None = Field(default=None, sa_column=Column(DateTime))
    returned_at: datetime | None = Field(default=None, sa_column=Column(DateTime))
    return_reason: str | None = Field(default=None, sa_column=Column(String(16)))  # ReturnReason
    return_note: str | None = Field(default=None, sa_column=Column(Text))
    outcome: str | None = Field(default=None, sa_column=Column(String(16)))  # ReturnOutcome
    decided_at: datetime | None = Field(default=None, sa_column=Column(DateTime))
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))


class Event(SQLModel, table=True):
    model_config = DEFERRED  # type: ignore[assignment]
    __table_args__ = (Index("ix_event_issue_id_id", "issue_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(
        sa_column=Column(Integer, ForeignKey("issue.id", ondelete="CASCADE"), nullable=False)
    )
    at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    actor: str = Field(sa_column=Column(String(100), nullable=False))
    action: str = Field(sa_column=Column(String(32), nullable=False))
    field: str | None = Field(default=None, sa_column=Column(String(32)))
    old: str | None = Field(default=None, sa_column=Column(Text))
    new: str | None = Field(default=None, sa_column=Column(Text))
    note: str | None = Field(default=None, sa_column=Column(Text))
    hash: str = Field(sa_column=Column(String(64), nullable=False))


class Seal(SQLModel, table=True):
    """A ledger seal that `qiye db seal` printed (issue 25): who took it and when, and the
    running digest over every event up to `event_id`, so later seals continue from here
    instead of reading the whole history again. `db check` recomputes each one."""

    model_config = DEFERRED  # type: ignore[assignment]

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(sa_column=Column(Integer, nullable=False, index=True))  # the highest event id covered
    events: int = Field(sa_column=Column(Integer, nullable=False))  # how many events have id <= event_id
    digest: str = Field(sa_column=Column(String(64), nullable=False))  # the full SHA-256, hex
    sealed_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    sealed_by: str = Field(sa_column=Column(String(100), nullable=False))


# --- evidence (佐证材料, DESIGN §14, issue 23) ---------------------------------------------------


class Attachment(SQLModel, table=True):
    """A file kept with an issue as evidence: its name, media type, size and SHA-256 (also in the
    `attached` event of the issue's hash chain). The bytes are in attachment_chunk, keyed by the
    SHA-256, so the same file attached twice is stored once. Attachments are never deleted."""

    model_config = DEFERRED  # type: ignore[assignment]

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(
        sa_column=Column(Integer, ForeignKey("issue.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    name: str = Field(sa_column=Column(String(255), nullable=False))
    media_type: str = Field(sa_column=Column(String(127), nullable=False))
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    sha256: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    note: str | None = Field(default=None, sa_column=Column(Text))
    added_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    added_by: str = Field(sa_column=Column(String(100), nullable=False))


class AttachmentChunk(SQLModel, table=True):
    """A piece (at most CHUNK_SIZE bytes, services.attachments) of a stored file's bytes: the file
    is its chunks in `seq` order. Chunks let both backends stream a large file in and out without
    holding it in memory. An empty file is one empty chunk, so every stored file has a chunk 0."""

    model_config = DEFERRED  # type: ignore[assignment]
    __tablename__ = "attachment_chunk"

    sha256: str = Field(sa_column=Column(String(64), primary_key=True))
    seq: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
class ReminderDelivery(SQLModel, table=True):
    """One delivery of a reminder digest by `qiye remind --send` (DESIGN §13, issue 23): to whom
    (a department or a person), on which day of the park's calendar, where to (the target URL as
    apprise prints it with its secrets masked), and whether it arrived. A recipient whose digest
    arrived today is not sent another one today (unless --force); a failed delivery is logged and
    tried again by the next run. Rows are only ever added."""

    model_config = DEFERRED  # type: ignore[assignment]
    __tablename__ = "reminder_delivery"
    __table_args__ = (Index("ix_reminder_delivery_day_recipient", "day", "recipient_kind", "recipient"),)

    id: int | None = Field(default=None, primary_key=True)
    recipient_kind: str = Field(sa_column=Column(String(16), nullable=False))  # department | person
    recipient: str = Field(sa_column=Column(String(200), nullable=False))
    day: date = Field(sa_column=Column(Date, nullable=False))
    sent_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    sent_by: str = Field(sa_column=Column(String(100), nullable=False))
    target: str = Field(sa_column=Column(Text, nullable=False))
    outcome: str = Field(sa_column=Column(String(16), nullable=False))  # sent | failed
    items: int = Field(sa_column=Column(Integer, nullable=False))
    detail: str | None = Field(default=None, sa_column=Column(Text))  # why it failed


ISSUE_FIELDS = (
    "id", "title", "description", "enterprise", "project", "category", "kind", "source",
    "priority", "status", "department", "owner", "reported_on", "due_on", "resolved_on",
    "resolution", "tags", "created_by", "created_at", "updated_at",
)
EVENT_FIELDS = ("at", "actor", "action", "field", "old", "new", "note")
USER_FIELDS = ("name", "role", "department", "login", "state")  # state: active | disabled
VISIT_FIELDS = ("id", "visited_on", "enterprise", "visited_by", "visit_kind", "note", "created_by", "created_at")
"""A visit as export visits writes it and import visits reads it back (list and show add more)."""
ENTERPRISE_FIELDS = ("id", "name", "credit_code", "zone", "industry", "contact", "phone", "liaison")
# An attachment as `issue show` and `export attachments` give it (issue 23).
ATTACHMENT_FIELDS = ("id", "issue_id", "name", "media_type", "size", "sha256", "note", "added_at", "added_by")
