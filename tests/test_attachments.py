"""Evidence (佐证材料, issue 23 points 4-6): files kept in the ledger with their issue, given back
byte for byte, verified by `db check`, carried by backup, restore and a move between backends,
exported to a folder, and required for a close-out with `closeout.evidence required`."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Qiye, pg_schema_url

CHUNK = 1 << 20


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """A photo of 2.5 MB (three chunks), a short reply with a Chinese name, and an empty file."""
    folder = tmp_path / "evidence"
    folder.mkdir()
    photo = folder / "消防车道拓宽.jpg"
    photo.write_bytes(os.urandom(5 * CHUNK // 2))
    reply = folder / "供电公司回复函.pdf"
    reply.write_bytes(b"%PDF-1.4 reply\n" + bytes(range(256)) * 4)
    empty = folder / "empty.txt"
    empty.write_bytes(b"")
    return {"photo": photo, "reply": reply, "empty": empty}


def shown(qiye: Qiye, issue: str) -> dict:
    return json.loads(qiye.ok("issue", "show", issue, "--format", "json").stdout)


def counts(qiye: Qiye) -> tuple[int, int, int]:
    """(attachments, stored chunks, events)."""
    return (qiye.sql("SELECT COUNT(*) FROM attachment")[0][0], qiye.sql("SELECT COUNT(*) FROM attachment_chunk")[0][0],
            qiye.sql("SELECT COUNT(*) FROM event")[0][0])


def get_bytes(qiye: Qiye, attachment: str, tmp_path: Path) -> bytes:
    out = tmp_path / f"got-{attachment}-{os.urandom(4).hex()}"
    qiye.ok("attachment", "get", attachment, "--out", str(out))
    return out.read_bytes()


# --- point 4: attach, show, get ---------------------------------------------------------------


def test_attach_show_and_get_back_the_exact_bytes(filed: Qiye, files: dict[str, Path], tmp_path: Path) -> None:
    result = filed.ok("issue", "attach", "1", str(files["photo"]), str(files["reply"]), "--note", "整改后现场照片及回复函")
    assert result.stdout == "1\n2\n"  # not a terminal: the new ids, for scripts
    filed.ok("issue", "attach", "#2", str(files["empty"]))

    issue = shown(filed, "1")
    assert [(a["id"], a["name"], a["media_type"], a["size"], a["sha256"], a["note"], a["added_by"])
            for a in issue["attachments"]] == [
        (1, "消防车道拓宽.jpg", "image/jpeg", files["photo"].stat().st_size, sha(files["photo"].read_bytes()),
         "整改后现场照片及回复函", "tester"),
        (2, "供电公司回复函.pdf", "application/pdf", files["reply"].stat().st_size, sha(files["reply"].read_bytes()),
         "整改后现场照片及回复函", "tester")]
    assert issue["attachments"][0]["added_at"] == "2023-12-20T02:00:00Z"
    # Each file is an event of the issue's hash chain, naming its name, type, size and SHA-256.
    attached = [e for e in issue["events"] if e["action"] == "attached"]
    assert [json.loads(e["new"]) for e in attached] == [
        {"attachment": a["id"], "media_type": a["media_type"], "name": a["name"], "sha256": a["sha256"],
         "size": a["size"]} for a in issue["attachments"]]
    assert shown(filed, "3")["attachments"] == []

    table = filed.ok("issue", "show", "1").stdout
    assert "Attachments (evidence)" in table and "消防车道拓宽.jpg" in table and "2.5 MB" in table
    assert "attachment 2: 供电公司回复函.pdf" in table  # the timeline names the file, not its JSON
    markdown = filed.ok("issue", "show", "1", "--format", "markdown").stdout
    assert "| 1 | 消防车道拓宽.jpg | 2.5 MB | image/jpeg |" in markdown
    ndjson = json.loads(filed.ok("issue", "show", "1", "--format", "ndjson").stdout)
    assert [a["name"] for a in ndjson["attachments"]] == ["消防车道拓宽.jpg", "供电公司回复函.pdf"]
    listed = list(csv.DictReader(io.StringIO(filed.ok("attachment", "list", "--format", "csv").stdout)))
    assert [(row["id"], row["issue_id"], row["size"]) for row in listed] == [
        ("1", "1", str(files["photo"].stat().st_size)), ("2", "1", str(files["reply"].stat().st_size)), ("3", "2", "0")]

    for number, name in (("1", "photo"), ("2", "reply"), ("3", "empty")):
        assert sha(get_bytes(filed, number, tmp_path)) == sha(files[name].read_bytes())
    # Without --out the bytes go to stdout (a pipe here), exactly.
    piped = subprocess.run([sys.executable, "-m", "qiye_service", "attachment", "get", "1"], capture_output=True,
                           env={**os.environ, **filed.env}, timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == files["photo"].read_bytes()
    assert filed.ok("db", "check").exit_code == 0


def test_get_refuses_what_it_cannot_give(filed: Qiye, files: dict[str, Path], tmp_path: Path) -> None:
    filed.ok("issue", "attach", "1", str(files["reply"]))
    missing = filed("attachment", "get", "9", "--out", str(tmp_path / "x"))
    assert missing.exit_code == 1 and missing.stderr.startswith("error: no attachment 9")
    assert filed("attachment", "get", "abc").exit_code == 1
    target = tmp_path / "exists.pdf"
    target.write_bytes(b"keep me")
    refused = filed("attachment", "get", "1", "--out", str(target))
    assert refused.exit_code == 1 and "--force" in refused.stderr and target.read_bytes() == b"keep me"
    filed.ok("attachment", "get", "1", "--out", str(target), "--force")
    assert target.read_bytes() == files["reply"].read_bytes()
    if not filed.url.startswith("postgresql"):  # never over the ledger itself
        ledger = filed("attachment", "get", "1", "--out", filed.url, "--force")
        assert ledger.exit_code == 1 and "error:" in ledger.stderr


def test_the_same_file_attached_twice_is_stored_once(filed: Qiye, files: dict[str, Path]) -> None:
    filed.ok("issue", "attach", "1", str(files["photo"]))
    filed.ok("issue", "attach", "2", str(files["photo"]), str(files["photo"]))
    assert filed.sql("SELECT COUNT(*) FROM attachment") == [(3,)]
    digest = sha(files["photo"].read_bytes())
    assert filed.sql("SELECT COUNT(DISTINCT sha256) FROM attachment_chunk") == [(1,)]
    assert filed.sql("SELECT sha256, COUNT(*) FROM attachment_chunk GROUP BY sha256") == [(digest, 3)]
    assert filed.ok("db", "check").exit_code == 0


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_written(filed: Qiye, files: dict[str, Path],
                                                                      tmp_path: Path) -> None:
    big = tmp_path / "scan.tif"
    with open(big, "wb") as handle:  # 20 MB and one byte over the default, sparse: refused by its size alone
        handle.truncate(20 * CHUNK + 1)
    before = counts(filed)
    refused = filed("issue", "attach", "1", str(files["reply"]), str(big))
    assert refused.exit_code == 1
    assert refused.stderr.startswith(f"error: {big} is 20,971,521 bytes, larger than attach.max_size "
                                     "(20,971,520 bytes); nothing was attached")
    assert counts(filed) == before

    filed.ok("config", "set", "attach.max_size", "2MB")
    refused = filed("issue", "attach", "1", str(files["reply"]), str(files["photo"]))
    assert refused.exit_code == 1 and "attach.max_size (2.0 MB)" in refused.stderr
    assert counts(filed) == before
    bad = filed("config", "set", "attach.max_size", "lots")
    assert bad.exit_code == 1 and "write a size such as 20MB" in bad.stderr
    filed.ok("config", "set", "attach.max_size", "3 MB")
    filed.ok("issue", "attach", "1", str(files["photo"]))
    assert counts(filed)[0] == 1

    for wrong in (tmp_path / "nowhere.pdf", files["photo"].parent):
        result = filed("issue", "attach", "1", str(wrong))
        assert result.exit_code == 1 and result.stderr.startswith("error:") and "Traceback" not in result.output
    assert filed("issue", "attach", "99", str(files["reply"])).exit_code == 1
    assert counts(filed)[0] == 1


# --- point 5: db check, backup, restore, moves, export ----------------------------------------


def tamper_chunk(qiye: Qiye, seq: int = 1) -> None:
    """Change the first byte of one stored chunk, in SQL, as someone with the database might."""
    if qiye.url.startswith("postgresql"):
        qiye.sql("UPDATE attachment_chunk SET data = overlay(data placing '\\x00'::bytea from 1) WHERE seq = :s AND length(data) > 0", s=seq)
    else:
        qiye.sql("UPDATE attachment_chunk SET data = x'00' || substr(data, 2) WHERE seq = :s AND length(data) > 0", s=seq)


def test_db_check_names_the_issue_of_an_altered_attachment(filed: Qiye, files: dict[str, Path],
                                                           tmp_path: Path) -> None:
    filed.ok("issue", "attach", "1", str(files["reply"]))
    filed.ok("issue", "attach", "2", str(files["photo"]))
    tamper_chunk(filed, seq=1)  # only the photo has a second chunk
    result = filed("db", "check")
    assert result.exit_code == 1
    assert ("- issue #2: attachment 2 (消防车道拓宽.jpg) does not match its SHA-256 "
            f"{sha(files['photo'].read_bytes())[:12]}…: the stored file was altered") in result.stdout
    assert "issue #1" not in result.stdout
    problems = json.loads(filed("db", "check", "--format", "json").stdout)["problems"]
    assert [(p["check"], p["issue_id"]) for p in problems] == [("attachment", 2)]
    # Getting it back refuses the altered bytes and leaves no file.
    out = tmp_path / "photo.jpg"
    got = filed("attachment", "get", "2", "--out", str(out))
    assert got.exit_code == 3 and "does not match its SHA-256" in got.stderr and not out.exists()
    assert sha(get_bytes(filed, "1", tmp_path)) == sha(files["reply"].read_bytes())


def test_db_check_holds_attachments_to_the_history(filed: Qiye, files: dict[str, Path]) -> None:
    filed.ok("issue", "attach", "1", str(files["reply"]), str(files["empty"]))
    filed.sql("UPDATE attachment SET name = '别的文件.pdf' WHERE id = 1")
    filed.sql("DELETE FROM attachment WHERE id = 2")
    out = filed("db", "check").stdout
    assert "issue #1: attachment 1 (别的文件.pdf) differs from what the history recorded of it" in out
    assert "issue #1: attachment 2 (empty.txt) is in the history but no longer in the ledger" in out


def test_backup_and_restore_carry_attachments_byte_for_byte(filed: Qiye, files: dict[str, Path],
                                                            tmp_path: Path) -> None:
    filed.ok("issue", "attach", "1", str(files["photo"]), str(files["reply"]))
    copy = tmp_path / "backup.db"
    filed.ok("db", "backup", str(copy))
    filed.ok("issue", "attach", "2", str(files["empty"]))
    tamper_chunk(filed, seq=0)
    filed.ok("db", "restore", str(copy), "--yes")
    assert counts(filed)[:2] == (2, 4)
    assert get_bytes(filed, "1", tmp_path) == files["photo"].read_bytes()
    assert get_bytes(filed, "2", tmp_path) == files["reply"].read_bytes()
    assert filed.ok("db", "check").exit_code == 0


def test_a_ledger_with_attachments_moves_sqlite_to_postgresql_and_back(sqlite_qiye: Qiye, pg_schema: str,
                                                                       files: dict[str, Path],
                                                                       tmp_path: Path) -> None:
    from test_backup import tables_of

    sqlite_qiye.ok("enterprise", "add", "蓝思科技")
    sqlite_qiye.ok("issue", "add", "消防验收", "-e", "蓝思科技", "-c", "消防验收")
    sqlite_qiye.ok("issue", "attach", "1", str(files["photo"]), str(files["reply"]), str(files["empty"]))
    original = tables_of(sqlite_qiye.url)
    first = tmp_path / "from-sqlite.db"
    sqlite_qiye.ok("db", "backup", str(first))
    pg = Qiye(pg_schema_url(pg_schema), {**sqlite_qiye.env, "QIYE_DB": pg_schema_url(pg_schema)})
    pg.ok("db", "restore", str(first), "--yes")
    assert tables_of(pg.url) == original
    assert pg.ok("db", "check").exit_code == 0
    assert get_bytes(pg, "1", tmp_path) == files["photo"].read_bytes()
    pg.ok("issue", "attach", "1", str(files["photo"]))  # the sequence follows the restored rows
    assert pg.sql("SELECT MAX(id) FROM attachment") == [(4,)]

    second = tmp_path / "from-postgresql.db"
    pg.ok("db", "backup", str(second))
    back = tmp_path / "back.db"
    home = Qiye(str(back), {**sqlite_qiye.env, "QIYE_DB": str(back)})
    home.ok("db", "restore", str(second), "--yes")
    assert tables_of(str(back)) == tables_of(pg.url)
    assert home.ok("db", "check").exit_code == 0
    for number, name in (("1", "photo"), ("2", "reply"), ("3", "empty"), ("4", "photo")):
        assert get_bytes(home, number, tmp_path) == files[name].read_bytes()


def test_export_writes_the_attachments_into_a_folder(filed: Qiye, files: dict[str, Path], tmp_path: Path) -> None:
    filed.ok("issue", "attach", "1", str(files["photo"]), str(files["reply"]))
    filed.ok("issue", "attach", "3", str(files["empty"]))
    filed.ok("issue", "resolve", "3", "--note", "已修通")
    folder = tmp_path / "佐证材料"
    result = filed.ok("export", "attachments", "--out", str(folder))
    assert f"Wrote 3 attachments and attachments.csv to {folder}" in result.stderr
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) == [
        "1/1-消防车道拓宽.jpg", "1/2-供电公司回复函.pdf", "3/3-empty.txt", "attachments.csv"]
    manifest = list(csv.DictReader(io.StringIO((folder / "attachments.csv").read_text(encoding="utf-8"))))
    for row in manifest:
        assert sha((folder / row["file"]).read_bytes()) == row["sha256"]
    assert [row["name"] for row in manifest] == ["消防车道拓宽.jpg", "供电公司回复函.pdf", "empty.txt"]

    # Nothing in the folder is replaced without --force, and a refused run writes nothing.
    (folder / "1" / "1-消防车道拓宽.jpg").write_bytes(b"changed")
    refused = filed("export", "attachments", "--out", str(folder))
    assert refused.exit_code == 1 and "--force" in refused.stderr
    assert (folder / "1" / "1-消防车道拓宽.jpg").read_bytes() == b"changed"
    filed.ok("export", "attachments", "--out", str(folder), "--force")
    assert (folder / "1" / "1-消防车道拓宽.jpg").read_bytes() == files["photo"].read_bytes()

    only = tmp_path / "resolved"
    filed.ok("export", "attachments", "--status", "resolved", "--out", str(only))
    assert sorted(str(p.relative_to(only)) for p in only.rglob("*") if p.is_file()) == [
        "3/3-empty.txt", "attachments.csv"]
    # An altered file stops the export, and what it had written is removed.
    tamper_chunk(filed, seq=2)
    broken = tmp_path / "broken"
    failed = filed("export", "attachments", "--out", str(broken))
    assert failed.exit_code == 3 and not broken.exists()


# --- point 6: closeout.evidence required ------------------------------------------------------


def test_closeout_needs_evidence_when_required(filed: Qiye, files: dict[str, Path], tmp_path: Path) -> None:
    filed.ok("issue", "resolve", "3", "--note", "默认不要求佐证材料")  # optional by default
    bad = filed("config", "set", "closeout.evidence", "always")
    assert bad.exit_code == 1 and "use required or optional" in bad.stderr
    filed.ok("config", "set", "closeout.evidence", "required")
    before = counts(filed)
    refused = filed("issue", "resolve", "1", "--note", "已完成消防验收")
    assert refused.exit_code == 1
    assert refused.stderr == ("error: issue #1 has no attachment, and closeout.evidence is required: attach the "
                              "evidence first (qiye issue attach 1 FILE)\n")
    assert counts(filed) == before and shown(filed, "1")["status"] == "open"
    filed.ok("issue", "attach", "1", str(files["reply"]))
    filed.ok("issue", "resolve", "1", "--note", "已完成消防验收")
    assert shown(filed, "1")["status"] == "resolved"

    # With verification on, the supervisor's verification is a close-out too.
    filed.ok("config", "set", "closeout.verify", "on")
    filed.ok("config", "set", "closeout.evidence", "optional")
    filed.ok("issue", "resolve", "2", "--note", "已增容")
    filed.ok("config", "set", "closeout.evidence", "required")
    refused = filed("issue", "verify", "2", env={"QIYE_USER": "王督办"})
    assert refused.exit_code == 1 and "issue #2 has no attachment" in refused.stderr
    assert shown(filed, "2")["status"] == "verifying"

    # An import closing an issue out is held to the same rule: the row is named, nothing imported.
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("title,enterprise,category,status,reported_on,resolved_on,resolution\n"
                      "新问题,蓝思科技,road,open,2023-12-01,,\n"
                      "已办结的问题,蓝思科技,road,resolved,2023-12-01,2023-12-10,已办结\n", encoding="utf-8")
    before = counts(filed)
    refused = filed("import", "issues", str(ledger))
    assert refused.exit_code == 1
    assert ("row 3, column status: the row closes the issue out (resolved) without an attachment, and "
            "closeout.evidence is required") in refused.stderr
    assert counts(filed) == before
    filed.ok("config", "set", "closeout.evidence", "optional")
    filed.ok("import", "issues", str(ledger))
    assert filed.ok("db", "check").exit_code == 0


def test_in_chinese(filed: Qiye, files: dict[str, Path]) -> None:
    filed.ok("config", "set", "closeout.evidence", "required")
    refused = filed("--lang", "zh", "issue", "resolve", "1", "--note", "已办结")
    assert refused.stderr.startswith("error: 问题 #1 没有佐证材料")
    filed.ok("issue", "attach", "1", str(files["reply"]))
    table = filed.ok("--lang", "zh", "issue", "show", "1").stdout
    assert "佐证材料" in table and "上传佐证" in table


# --- who may attach (DESIGN §10) ---------------------------------------------------------------


def test_who_may_attach_is_who_may_work_the_issue(filed: Qiye, files: dict[str, Path],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A handler attaches to their department's issues only; the attached event passes db check's
    replay of the permission table (every role, on both backends: tests/test_permissions.py)."""
    from qiye_service.services import permissions
    from test_permissions import become, register

    monkeypatch.setattr(permissions, "os_login", lambda: "os-login")
    register(filed, "李经办", "handler", dept="消防救援大队")
    register(filed, "赵管理", "admin")
    become(filed, "handler")
    filed.ok("issue", "attach", "1", str(files["reply"]), env={"QIYE_USER": "", "QIYE_NOW": "2023-12-20T11:00:00+08:00"})
    before = counts(filed)
    refused = filed("issue", "attach", "2", str(files["photo"]), env={"QIYE_USER": ""})
    assert refused.exit_code == 1
    assert "a handler runs `qiye issue attach` only on their department's issues" in refused.stderr
    assert counts(filed) == before
    assert shown(filed, "1")["attachments"][0]["added_by"] == "李经办"
    assert filed.ok("db", "check").exit_code == 0
