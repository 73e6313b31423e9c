"""The append-only event history of an issue, chained by SHA-256 for tamper evidence.

Each event's hash covers the previous event's hash of the same issue and a canonical
encoding of the event; the issue row keeps the head of its chain.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from json.encoder import encode_basestring
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


def json_text(value: str | None) -> str:
    """A string or None as JSON, byte for byte as the json module writes it (ensure_ascii
    off): the C string escaper alone, without the encoder's per-call set-up, which a bulk
    import pays for every event."""
    return "null" if value is None else encode_basestring(value)


def event_hash(previous: str | None, issue_id: int, at: datetime, actor: str, action: str,
               field: str | None, old: str | None, new: str | None, note: str | None) -> str:
    return chain_hash(previous, issue_id, at.isoformat(timespec="microseconds"), actor, action, field, old, new, note)


def chain_hash(previous: str | None, issue_id: int, at: str, actor: str, action: str,
               field: str | None, old: str | None, new: str | None, note: str | None) -> str:
    """event_hash with the time already in its ISO text. The canonical form is the JSON array
    `[previous or "", issue_id, at, actor, action, field, old, new, note]` without spaces
    (tests/test_history.py checks it against json.dumps), built directly: the json
    encoder's set-up is most of its cost for nine values."""
    canonical = (f"[{encode_basestring(previous or '')},{issue_id:d},{encode_basestring(at)},"
                 f"{encode_basestring(actor)},{encode_basestring(action)},{json_text(field)},{json_text(old)},"
                 f"{json_text(new)},{json_text(note)}]")
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
