"""Evidence (佐证材料, DESIGN §14, issue 23): files kept in the ledger with the issue they prove.

A file's bytes are stored once per content, keyed by their SHA-256, in chunks of CHUNK_SIZE
(attachment_chunk); each attaching is an `attachment` row and an `attached` event in the issue's
hash chain naming the file's name, media type, size and SHA-256. Files go in and come out a
chunk at a time on both backends, so a large one never sits whole in memory: attaching reads the
file twice (once to hash it, once to store it when its content is new), and reading back checks
the bytes against the SHA-256 as they stream.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import LargeBinary, cast, func, insert, select
from sqlmodel import Session

from qiye_service.errors import BadFile, InvalidValue, NotFound, QiyeError
from qiye_service.i18n import os_reason
from qiye_service.models import ATTACHMENT_FIELDS, Attachment, AttachmentChunk
from qiye_service.services import lookups
from qiye_service.services.history import record_event

CHUNK_SIZE = 1 << 20  # 1 MiB: one row of attachment_chunk
DEFAULT_MAX_SIZE = "20MB"  # config `attach.max_size`
NAME_LIMIT = 255
ATTACHED = "attached"  # the event's action
# What the `attached` event records, as JSON with sorted keys (db check compares it with the row).
EVENT_KEYS = ("attachment", "media_type", "name", "sha256", "size")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


class ContentAltered(QiyeError):
    """A stored file whose bytes no longer match its SHA-256 (exit 3: the ledger is damaged)."""

    exit_code = 3


# --- settings ---------------------------------------------------------------------------------


def parse_size(text: str) -> int | None:
    """Bytes in `20MB`, `100 MB`, `500KB`, `1.5GB`, `20MiB` or `1048576`; the units count in 1024s,
    as file managers show sizes. None when the text is no size."""
    match = _SIZE.match(text or "")
    if match is None:
        return None
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def max_size(config: dict[str, str]) -> int:
    """The largest file `issue attach` takes (config `attach.max_size`, default 20 MB)."""
    return parse_size(config.get("attach.max_size") or DEFAULT_MAX_SIZE) or parse_size(DEFAULT_MAX_SIZE) or 0


def shown_size(size: int) -> str:
    """A size as people read it: 812 B, 12.5 KB, 3.4 MB, 1.2 GB (units of 1024)."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            return f"{value:.1f} {unit}"
    return f"{size} B"


# --- attaching --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncomingFile:
    """A file named on the command line, checked before anything is written."""

    path: Path
    name: str
    size: int
    media_type: str


def check_files(paths: list[Path], *, limit: int) -> list[IncomingFile]:
    """Each path as a readable regular file within `limit` bytes; the first that is not is an
    error, before anything is written."""
    files = []
    for path in paths:
        shown = str(path)
        try:
            found = os.stat(path)
            if stat.S_ISDIR(found.st_mode):
                raise BadFile("error.attach_not_file", path=shown)
            if not stat.S_ISREG(found.st_mode):
                raise BadFile("error.attach_not_file", path=shown)
            with open(path, "rb"):
                pass
        except OSError as exc:
            raise BadFile("error.attach_unreadable", path=shown, detail=os_reason(exc)) from None
        if found.st_size > limit:
            raise too_large(shown, found.st_size, limit)
        name = file_name(path)
        files.append(IncomingFile(path, name, found.st_size, media_type(name)))
    return files


def too_large(path: str, size: int, limit: int) -> InvalidValue:
    """The refusal of a file over the limit; in bytes when the rounded sizes would read the same."""
    shown, most = shown_size(size), shown_size(limit)
    if shown == most:
        shown, most = f"{size:,} bytes", f"{limit:,} bytes"
    return InvalidValue("error.attach_too_large", path=path, size=shown, limit=most)


def file_name(path: Path) -> str:
    """The name a file is kept under: its base name, as text (bytes no encoding reads become �)."""
    name = path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if len(name) > NAME_LIMIT:
        raise InvalidValue("error.too_long", field="name", limit=NAME_LIMIT)
    return name


def media_type(name: str) -> str:
    """The media type its name says (mimetypes), else application/octet-stream."""
    guessed, _encoding = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


def attach_files(session: Session, issue_id: int, files: list[IncomingFile], *, actor: Any,
                 note: str | None = None, limit: int) -> list[dict[str, Any]]:
    """Keep `files` with the issue: each an attachment row and an `attached` event; content
    already in the ledger is not stored again. Returns the attachments as rows."""
    from qiye_service.services.issues import clean_text

    issue = lookups.get_issue(session, issue_id, for_update=True)
    clean_note = clean_text(note, "note")
    conn = session.connection()
    added = []
    for incoming in files:
        digest, size = _hash_file(incoming.path)
        if size > limit:  # grown since it was checked
            raise too_large(str(incoming.path), size, limit)
        if not content_stored(conn, digest):
            _store(conn, incoming.path, digest)
        attachment = Attachment(issue_id=issue_id, name=incoming.name, media_type=incoming.media_type, size=size,
                                sha256=digest, note=clean_note, added_at=actor.now, added_by=actor.name)
        session.add(attachment)
        session.flush()
        record_event(session, issue, actor=actor.name, at=actor.now, action=ATTACHED,
                     new=event_text(attachment), note=clean_note)
        added.append(attachment_row(attachment))
    issue.updated_at = actor.now
    session.flush()
    return added


def event_text(attachment: Any) -> str:
    """What the `attached` event records of an attachment: JSON with sorted keys."""
    return json.dumps({"attachment": attachment.id, "media_type": attachment.media_type, "name": attachment.name,
                       "sha256": attachment.sha256, "size": attachment.size}, ensure_ascii=False, sort_keys=True)


def _chunks_of(path: Path) -> Iterator[bytes]:
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK_SIZE):
                yield chunk
    except OSError as exc:
        raise BadFile("error.attach_unreadable", path=str(path), detail=os_reason(exc)) from None


def _hash_file(path: Path) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    for chunk in _chunks_of(path):
        sha.update(chunk)
        size += len(chunk)
    return sha.hexdigest(), size


def content_stored(conn: Any, digest: str) -> bool:
    return conn.execute(select(AttachmentChunk.seq).where(
        AttachmentChunk.sha256 == digest, AttachmentChunk.seq == 0)).first() is not None


def _store(conn: Any, path: Path, digest: str) -> None:
    """Insert the file's chunks, one statement each, hashing them again on the way: a file that
    changed since it was hashed is refused (the transaction then writes nothing)."""
    table = AttachmentChunk.__table__  # type: ignore[attr-defined]
    sha = hashlib.sha256()
    seq = -1
    for seq, chunk in enumerate(_chunks_of(path)):
        sha.update(chunk)
        conn.execute(insert(table), {"sha256": digest, "seq": seq, "data": chunk})
    if seq < 0:  # an empty file is one empty chunk: every stored content has a chunk 0
        conn.execute(insert(table), {"sha256": digest, "seq": 0, "data": b""})
    if sha.hexdigest() != digest:
        raise BadFile("error.attach_changed", path=str(path))


# --- reading ----------------------------------------------------------------------------------


def attachment_row(attachment: Any) -> dict[str, Any]:
    return {name: getattr(attachment, name) for name in ATTACHMENT_FIELDS}


def attachments_of(session: Session, issue_id: int) -> list[dict[str, Any]]:
    """The issue's attachments, oldest first, as rows of ATTACHMENT_FIELDS."""
    columns = [getattr(Attachment, name) for name in ATTACHMENT_FIELDS]
    return [dict(row._mapping) for row in session.execute(
        select(*columns).where(Attachment.issue_id == issue_id).order_by(Attachment.id))]


def count_attachments(session: Any, issue_id: int) -> int:
    return int(session.execute(select(func.count()).select_from(Attachment)
                               .where(Attachment.issue_id == issue_id)).scalar_one())


def get_attachment(session: Session, attachment_id: int) -> dict[str, Any]:
    columns = [getattr(Attachment, name) for name in ATTACHMENT_FIELDS]
    row = session.execute(select(*columns).where(Attachment.id == attachment_id)).first() \
        if attachment_id <= lookups.MAX_STORED_ID else None
    if row is None:
        raise NotFound("error.attachment_not_found", id=attachment_id)
    return dict(row._mapping)


def content_chunks(session: Any, digest: str) -> Iterator[bytes]:
    """The stored bytes of `digest`, a chunk at a time (a server-side cursor on PostgreSQL)."""
    result = session.execute(select(_bytes()).where(AttachmentChunk.sha256 == digest)
                             .order_by(AttachmentChunk.seq).execution_options(yield_per=2))
    try:
        for (data,) in result:
            yield bytes(data)
    finally:
        result.close()


def _bytes() -> Any:
    """The chunk's data as bytes even when a hand edit on SQLite stored text there (`x'00' || …`
    makes TEXT), so that edit is found by its hash rather than failing the read."""
    return cast(AttachmentChunk.data, LargeBinary)


def write_content(session: Session, attachment: dict[str, Any], out: IO[bytes]) -> int:
    """Write the attachment's bytes to `out`, checking them against its SHA-256 and size as they
    go; ContentAltered (after the bytes were written: a file output is then not published)."""
    sha = hashlib.sha256()
    size = 0
    for chunk in content_chunks(session, attachment["sha256"]):
        sha.update(chunk)
        size += len(chunk)
        out.write(chunk)
    if sha.hexdigest() != attachment["sha256"] or size != attachment["size"]:
        raise ContentAltered("error.attachment_altered", id=attachment["id"], issue=attachment["issue_id"],
                             name=attachment["name"])
    return size


# --- db check ---------------------------------------------------------------------------------


def rows_by_issue(session: Any) -> dict[int, list[Any]]:
    """Every attachment's recorded facts, by issue (a few per issue: metadata only)."""
    found: dict[int, list[Any]] = {}
    for row in session.execute(select(Attachment.id, Attachment.issue_id, Attachment.name, Attachment.media_type,
                                      Attachment.size, Attachment.sha256).order_by(Attachment.id)):
        found.setdefault(row.issue_id, []).append(row)
    return found


def history_mismatches(events: list[Any], rows: list[Any] | None) -> list[tuple[str, dict[str, Any]]]:
    """(catalogue key, params) for each attachment of one issue that disagrees with its history:
    a row no `attached` event records, a row differing from its event, an event whose row is gone."""
    recorded: dict[int, dict[str, Any]] = {}
    for event in events:
        if event.action != ATTACHED:
            continue
        try:
            facts = json.loads(event.new or "")
            recorded[int(facts["attachment"])] = facts
        except (ValueError, KeyError, TypeError):
            continue  # an altered event: the chain check names it
    problems = []
    for row in rows or ():
        facts = recorded.pop(row.id, None)
        if facts is None:
            problems.append(("check.attachment_unrecorded", {"attachment": row.id, "name": row.name}))
            continue
        stored = {"attachment": row.id, "media_type": row.media_type, "name": row.name, "sha256": row.sha256,
                  "size": row.size}
        if any(facts.get(key) != stored[key] for key in EVENT_KEYS):
            problems.append(("check.attachment_mismatch", {"attachment": row.id, "name": row.name}))
    for attachment_id, facts in sorted(recorded.items()):
        problems.append(("check.attachment_missing", {"attachment": attachment_id, "name": facts.get("name")}))
    return problems


def content_problems(session: Any) -> Iterator[tuple[str, list[Any]]]:
    """(SHA-256, the attachments that use it) for each stored content whose chunks do not hash to
    it, do not add up to the size recorded, skip a number, or are missing: read a chunk at a time."""
    users: dict[str, list[Any]] = {}
    for row in session.execute(select(Attachment.id, Attachment.issue_id, Attachment.name, Attachment.size,
                                      Attachment.sha256).order_by(Attachment.id)):
        users.setdefault(row.sha256, []).append(row)
    for digest in sorted(users):
        sha = hashlib.sha256()
        size = 0
        expected_seq = 0
        gap = False
        for seq, data in session.execute(
                select(AttachmentChunk.seq, _bytes()).where(AttachmentChunk.sha256 == digest)
                .order_by(AttachmentChunk.seq).execution_options(yield_per=2)):
            gap = gap or seq != expected_seq
            expected_seq = seq + 1
            sha.update(data)
            size += len(data)
        if gap or expected_seq == 0 or sha.hexdigest() != digest or any(row.size != size for row in users[digest]):
            yield digest, users[digest]


# --- listing and export -----------------------------------------------------------------------


def list_attachments(session: Session, issue_id: int | None, *, flt: Any = None, today: Any = None
                     ) -> list[dict[str, Any]]:
    """Attachments, oldest first: of one issue, of the issues `flt` matches, or all."""
    columns = [getattr(Attachment, name) for name in ATTACHMENT_FIELDS]
    stmt = select(*columns).order_by(Attachment.id)
    if issue_id is not None:
        stmt = stmt.where(Attachment.issue_id == issue_id)
    if flt is not None:
        from qiye_service.models import Issue
        from qiye_service.services.filters import apply_filter

        ids = apply_filter(select(Issue.id), flt, today=today)
        if ids.whereclause is not None:
            stmt = stmt.where(Attachment.issue_id.in_(ids))
    return [dict(row._mapping) for row in session.execute(stmt)]


EXPORT_MANIFEST = "attachments.csv"
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")
NAME_BYTES = 180  # of a written file's name after its `<id>-`: well inside the 255 most file systems allow


def export_name(row: dict[str, Any]) -> str:
    """Where an exported attachment goes inside the folder: `<issue id>/<attachment id>-<name>`, the
    name made safe (no separators, control characters or leading dots) and short enough."""
    name = _UNSAFE_NAME.sub("_", row["name"]).strip().lstrip(".") or "file"
    if len(name.encode("utf-8")) > NAME_BYTES:
        stem, dot, suffix = name.rpartition(".")
        suffix = dot + suffix if dot and len(suffix) <= 16 else ""
        stem = name[: len(name) - len(suffix)]
        keep = stem.encode("utf-8")[: NAME_BYTES - len(suffix.encode("utf-8"))].decode("utf-8", "ignore")
        name = keep + suffix
    return f"{row['issue_id']}/{row['id']}-{name}"


def export_files(session: Session, rows: list[dict[str, Any]], folder: Path, *, ledger: Path | None,
                 overwrite: bool = False) -> int:
    """Write each attachment's bytes (checked against its SHA-256) into `folder`, and the manifest
    attachments.csv listing them with their `file`. Every target is checked before the first is
    written (nothing is replaced without `overwrite`, never the ledger); a failure removes what
    this run wrote. Returns how many files were written."""
    from qiye_service import outfiles
    from qiye_service.render import write_rows

    if folder.exists() and not folder.is_dir():
        raise InvalidValue("error.output_not_dir", path=str(folder))
    placed = [(row, folder / export_name(row)) for row in rows]
    manifest = folder / EXPORT_MANIFEST
    targets = [outfiles.check_target(path, ledger=ledger, overwrite=overwrite) for _row, path in placed]
    manifest_target = outfiles.check_target(manifest, ledger=ledger, overwrite=overwrite)
    made: list[Path] = []  # folders and files this run created, removed again on failure
    done = False
    try:
        for path in (folder, *sorted({target.parent for target in targets})):
            if not path.exists():
                try:
                    path.mkdir(parents=True)
                except OSError as exc:
                    raise outfiles.write_failed(path, exc) from None
                made.append(path)
        for (row, _path), target in zip(placed, targets, strict=True):
            existed = target.exists()
            with outfiles.written(target, ledger=ledger, binary=True) as handle:
                write_content(session, row, handle)
            if not existed:
                made.append(target)
        listed = [{**row, "file": export_name(row)} for row in rows]
        with outfiles.written(manifest_target, ledger=ledger) as text:
            write_rows(listed, (*ATTACHMENT_FIELDS, "file"), "csv", text)
        done = True
    finally:
        if not done:
            for path in reversed(made):
                with _quietly():
                    path.rmdir() if path.is_dir() else path.unlink()
    return len(rows)


def _quietly() -> Any:
    from contextlib import suppress

    return suppress(OSError)
