"""The append-only event history of an issue, chained by SHA-256 for tamper evidence.

Each event's hash covers the previous event's hash of the same issue and a canonical
encoding of the event; the issue row keeps the head of its chain.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from qiye_service.models import Event, Issue


def encode_value(value: Any) -> str | None:
    """How a field value is written into history: ISO dates, `;`-joined lists, plain text."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    return str(value)


# One encoder for every hash: json.dumps with options builds a new encoder per call, which
# bulk imports (one hash per event, millions of events) notice.
_CANONICAL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def event_hash(previous: str | None, issue_id: int, at: datetime, actor: str, action: str,
               field: str | None, old: str | None, new: str | None, note: str | None) -> str:
    canonical = _CANONICAL(
        [previous or "", issue_id, at.isoformat(timespec="microseconds"), actor, action, field, old, new, note]
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record_event(session: Session, issue: Issue, *, actor: str, at: datetime, action: str,
                 field: str | None = None, old: Any = None, new: Any = None,
                 note: str | None = None) -> Event:
    """Append one event to the issue's history and advance its hash chain."""
    old_text, new_text = encode_value(old), encode_value(new)
    assert issue.id is not None
    digest = event_hash(issue.history_hash, issue.id, at, actor, action, field, old_text, new_text, note)
    event = Event(issue_id=issue.id, at=at, actor=actor, action=action, field=field,
                  old=old_text, new=new_text, note=note, hash=digest)
    issue.history_hash = digest
    session.add(event)
    return event
