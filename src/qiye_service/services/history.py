"""The append-only event history of an issue, chained by SHA-256 for tamper evidence.

Each event's hash covers the previous event's hash of the same issue and a canonical
encoding of the event; the issue row keeps the head of its chain.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from json.encoder import encode_basestring
from typing import Any

from sqlmodel import Session

from qiye_service.dates import local_date
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


# --- reading the history back -------------------------------------------------------------------

CREATION_ACTIONS = ("created", "imported")
# A close-out: resolved, or waiting for verification (issue 20); a rejected one is sent back.
CLOSE_OUTS = ("resolved", "verifying")
# A creation snapshot names what the issue refers to by row id (so a rename is not a change of
# the history); people and scripts read the code or the name. Stored events stay as they are:
# their text is hashed into the chain and the seals.
SNAPSHOT_REFERENCES = {"enterprise_id": "enterprise", "category_id": "category", "department_id": "department"}


def snapshot_references(events: list[dict[str, Any]]) -> dict[str, set[int]]:
    """The row ids the creation snapshots of `events` refer to, by what they refer to."""
    wanted: dict[str, set[int]] = {kind: set() for kind in SNAPSHOT_REFERENCES.values()}
    for snapshot in _snapshots(events):
        for key, kind in SNAPSHOT_REFERENCES.items():
            if isinstance(snapshot.get(key), int):
                wanted[kind].add(snapshot[key])
    return wanted


def readable_events(events: list[dict[str, Any]], names: dict[str, dict[int, str]]) -> list[dict[str, Any]]:
    """The events with each creation snapshot's row ids replaced by codes and names
    (`category_id: 3` → `category: fire-acceptance`); `names` maps enterprise, category (its
    code) and department ids to what is shown."""
    shown = []
    for event in events:
        if event.get("action") in CREATION_ACTIONS and event.get("field") is None:
            event = {**event, "new": readable_snapshot(event.get("new"), names)}
        shown.append(event)
    return shown


def readable_snapshot(text: str | None, names: dict[str, dict[int, str]]) -> str | None:
    """A creation snapshot's JSON with its row ids as codes and names, keys sorted as stored;
    any other text unchanged. An id `names` does not know stays as it was."""
    if not text or '_id"' not in text:
        return text
    try:
        snapshot = json.loads(text)
    except ValueError:
        return text
    if not isinstance(snapshot, dict) or not any(key in snapshot for key in SNAPSHOT_REFERENCES):
        return text
    for key, kind in SNAPSHOT_REFERENCES.items():
        if key in snapshot:
            value = snapshot[key]
            known = names.get(kind, {})
            if value is None or value in known:
                del snapshot[key]
                snapshot[kind] = None if value is None else known[value]
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True)


def previous_close_out(events: list[dict[str, Any]], *, status: str, timezone: str) -> dict[str, Any] | None:
    """The latest close-out (销号) of an issue that is not resolved now, as its history tells it:
    `resolved_on`, `resolution` and the day it was sent back (`reopened_on`, in the park's
    calendar), or None when the issue is resolved or was never closed out.

    A reopen (or an unsatisfied callback, which reopens) clears resolved_on but leaves the
    close-out note on the row; that is the previous close-out, not the current one.
    """
    if status in CLOSE_OUTS:
        return None
    closed = False
    resolved_on: str | None = None
    resolution: str | None = None
    reopened_at: datetime | None = None
    for event in events:
        action, field, new = event.get("action"), event.get("field"), event.get("new")
        if action in CREATION_ACTIONS:
            snapshot = _snapshot(event) or {}
            if "status" in snapshot:  # a fresh snapshot, at creation or a re-import
                closed = snapshot["status"] in CLOSE_OUTS
                resolved_on, resolution, reopened_at = snapshot.get("resolved_on"), snapshot.get("resolution"), None
        elif action == "status" and new in CLOSE_OUTS:
            closed, resolved_on, resolution, reopened_at = True, None, event.get("note"), None
        elif action in ("status", "rejected") and event.get("old") in CLOSE_OUTS:
            reopened_at = event.get("at")
        elif field == "resolved_on" and new:
            resolved_on = new
        elif field == "resolution" and new:
            resolution = new
    if not closed or reopened_at is None:
        return None
    return {"resolved_on": resolved_on, "resolution": resolution,
            "reopened_on": local_date(_instant(reopened_at), timezone).isoformat()}


def _instant(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _snapshot(event: dict[str, Any]) -> dict[str, Any] | None:
    if event.get("action") not in CREATION_ACTIONS or event.get("field") is not None:
        return None
    try:
        snapshot = json.loads(event.get("new") or "")
    except ValueError:
        return None
    return snapshot if isinstance(snapshot, dict) else None


def _snapshots(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in (_snapshot(e) for e in events) if s is not None]
