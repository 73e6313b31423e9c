"""The ledger seal (issue 25, point 5): an insider who can write SQL forges history that every
per-issue check accepts; a seal printed before the forgery exposes it.

The forger here uses qiye's own hash functions and tables, as an insider with the database
password would: appended events correctly hashed, the last event deleted and the head moved
back, a creation record rewritten and its chain rehashed, a whole issue deleted, events
reordered, a time moved back. Each passes `db check` (a backwards time aside, which the
time-order check now names) and fails `db check --seal` with the seal taken before. The
insider also empties the seal history kept in the ledger; a forger who forgets to is caught
by plain `db check` too. Seals taken while cadres write, on both backends, all hold.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from conftest import Qiye
from qiye_service.models import Event, Issue
from qiye_service.services.history import event_hash

EARLY = "2023-12-01T10:00:00+08:00"  # when #1 and #2 were filed; the rest happens at the pinned 12-20


def worked(qiye: Qiye) -> Qiye:
    """Three issues, the first two filed on 12-01, then worked on 12-20; #1's last event is a comment."""
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("department", "add", "消防救援大队")
    early = {"QIYE_NOW": EARLY}
    qiye.ok("issue", "add", "二期厂房消防验收", "-e", "蓝思科技", "-c", "fire-acceptance", "--dept", "消防救援大队",
            "--owner", "王强", "--reported", "2023-12-01", env=early)
    qiye.ok("issue", "add", "新建产线用电增容", "-e", "蓝思科技", "-c", "water-power", "--reported", "2023-12-01",
            env=early)
    qiye.ok("issue", "add", "园区道路破损", "-e", "蓝思科技", "-c", "road", "--reported", "2023-12-15")
    qiye.ok("issue", "start", "1", "--note", "已签收")
    qiye.ok("issue", "comment", "1", "已与消防大队现场对接")
    qiye.ok("issue", "resolve", "3", "--note", "道路已修复", "--on", "2023-12-19")
    qiye.ok("issue", "comment", "1", "约定下周复验")
    return qiye


def take_seal(qiye: Qiye) -> str:
    result = qiye.ok("db", "seal")
    return result.stdout.strip()


def check(qiye: Qiye, *args: str) -> tuple[int, dict]:
    result = qiye("db", "check", "--format", "json", *args)
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def problems(report: dict, kind: str | None = None) -> list[str]:
    return [p["message"] for p in report["problems"] if kind is None or p["check"] == kind]


# --- the forger's tools: qiye's own tables and hash functions --------------------------------


@contextmanager
def forging(qiye: Qiye, *, erase_seals: bool = True) -> Iterator[Session]:
    """A session straight on the database, committed at the end. The insider also empties the
    seal history the ledger keeps (unless told not to): only a seal kept elsewhere is left."""
    engine = qiye.engine()
    try:
        with Session(engine) as session:
            yield session
            if erase_seals:
                session.connection().exec_driver_sql("DELETE FROM seal")
            session.commit()
    finally:
        engine.dispose()


def rehash(session: Session, issue_id: int) -> None:
    """Recompute an issue's chain from its stored events and set its head: what makes a forged
    history pass the chain check."""
    session.flush()
    previous = None
    for event in session.exec(select(Event).where(Event.issue_id == issue_id).order_by(Event.id)):
        event.hash = event_hash(previous, issue_id, event.at, event.actor, event.action, event.field,
                                event.old, event.new, event.note)
        previous = event.hash
    issue = session.get(Issue, issue_id)
    assert issue is not None
    issue.history_hash = previous


def append_backdated_close_out(session: Session) -> None:
    """#2 (filed 12-01, never worked) closed out 'on 12-10': three correctly hashed events appended
    to its chain, dated before the seal, and the row set to match."""
    issue = session.get(Issue, 2)
    assert issue is not None
    at = datetime(2023, 12, 10, 2, 0)
    for action, field, old, new, note in (("status", "status", "open", "resolved", "已增容"),
                                          ("edited", "resolved_on", None, "2023-12-10", None),
                                          ("edited", "resolution", None, "已增容", None)):
        digest = event_hash(issue.history_hash, 2, at, "王强", action, field, old, new, note)
        session.add(Event(issue_id=2, at=at, actor="王强", action=action, field=field, old=old, new=new,
                          note=note, hash=digest))
        issue.history_hash = digest
    issue.status, issue.resolution = "resolved", "已增容"
    issue.resolved_on = datetime(2023, 12, 10).date()


def delete_last_event(session: Session) -> None:
    """#1's last follow-up deleted and its head moved back to the event before."""
    events = session.exec(select(Event).where(Event.issue_id == 1).order_by(Event.id)).all()
    assert events[-1].action == "comment"
    session.delete(events[-1])
    issue = session.get(Issue, 1)
    assert issue is not None
    issue.history_hash = events[-2].hash


def rewrite_creation(session: Session) -> None:
    """#3's creation record says another title (what the company reported), the row agrees, the
    chain is rehashed."""
    created = session.exec(select(Event).where(Event.issue_id == 3, Event.action == "created")).one()
    snapshot = json.loads(created.new or "{}")
    snapshot["title"] = "园区道路轻微破损"
    created.new = json.dumps(snapshot, ensure_ascii=False)
    issue = session.get(Issue, 3)
    assert issue is not None
    issue.title = "园区道路轻微破损"
    rehash(session, 3)


def delete_issue(session: Session) -> None:
    """#3 gone, with its events and tags: no orphan is left for the storage check."""
    conn = session.connection()
    for statement in ("DELETE FROM issue_tag WHERE issue_id = 3", "DELETE FROM event WHERE issue_id = 3",
                      "DELETE FROM issue WHERE id = 3"):
        conn.exec_driver_sql(statement)


def swap_across_issues(session: Session) -> None:
    """The first two events (#1's and #2's creation) trade ids: each issue's own order is
    unchanged, so no chain notices; only the ledger's order changed."""
    conn = session.connection()
    assert [row[0] for row in conn.exec_driver_sql("SELECT issue_id FROM event WHERE id IN (1, 2) ORDER BY id")] \
        == [1, 2]
    for statement in ("UPDATE event SET id = -1 WHERE id = 1", "UPDATE event SET id = 1 WHERE id = 2",
                      "UPDATE event SET id = 2 WHERE id = -1"):
        conn.exec_driver_sql(statement)


def reorder_within_issue(session: Session) -> None:
    """#1's acknowledgement and its first follow-up (recorded the same minute) trade places; the
    chain is rehashed."""
    events = session.exec(select(Event).where(Event.issue_id == 1).order_by(Event.id)).all()
    status, comment = events[1], events[2]
    assert (status.action, comment.action) == ("status", "comment")
    for name in ("at", "actor", "action", "field", "old", "new", "note"):
        first, second = getattr(status, name), getattr(comment, name)
        setattr(status, name, second)
        setattr(comment, name, first)
    rehash(session, 1)


def backdate(session: Session) -> None:
    """#3's close-out moved five days back, its chain rehashed."""
    closed = session.exec(select(Event).where(Event.issue_id == 3, Event.action == "status")).one()
    closed.at = closed.at - timedelta(days=5)
    rehash(session, 3)


FORGERIES = {
    "append": (append_backdated_close_out, "was added after seal"),
    "delete-last-event": (delete_last_event, "1 of the 9 events it sealed up to event #9 are gone (8 left)"),
    "rewrite-creation": (rewrite_creation, "no longer give its digest"),
    "delete-issue": (delete_issue, "4 of the 9 events it sealed up to event #9 are gone (5 left)"),
    "reorder-across-issues": (swap_across_issues, "no longer give its digest"),
    "reorder-within-issue": (reorder_within_issue, "no longer give its digest"),
    "backdate": (backdate, "no longer give its digest"),
}


@pytest.mark.parametrize("name", list(FORGERIES))
def test_a_forgery_that_passes_the_check_fails_the_seal_taken_before(qiye: Qiye, name: str) -> None:
    forge, expected = FORGERIES[name]
    worked(qiye)
    seal = take_seal(qiye)
    assert seal.startswith("9-9-")
    assert check(qiye, "--seal", seal)[0] == 0
    with forging(qiye) as session:
        forge(session)
    code, report = check(qiye)
    if name == "backdate":
        # The one forgery the per-issue checks now see: a history whose times run backwards.
        assert code == 1 and {p["check"] for p in report["problems"]} == {"time"}
        assert problems(report)[0].startswith("issue #3: event ") and "is dated before an earlier event" in problems(report)[0]
    else:
        assert (code, report["problems"]) == (0, []), report  # the forgery passes every per-issue check
    code, report = check(qiye, "--seal", seal)
    assert code == 1 and report["seal"] == {"seal": seal, "ok": False}
    sealed = problems(report, "seal")
    assert sealed and all(expected in message for message in sealed), sealed
    result = qiye("db", "check", "--seal", seal)
    assert result.exit_code == 1 and result.stderr.startswith("error: the database check found")
    assert "holds" not in result.stdout


def test_each_kind_of_seal_failure_is_said_precisely(qiye: Qiye) -> None:
    worked(qiye)
    seal = take_seal(qiye)
    with forging(qiye) as session:
        delete_issue(session)
    message = problems(check(qiye, "--seal", seal)[1])[0]
    assert message == (f"seal {seal}: 4 of the 9 events it sealed up to event #9 are gone (5 left): events, "
                       "or whole issues, were deleted")
    # An event slipped in below the seal's end (into the gap #3 left, after #2's creation): one more.
    again = take_seal(qiye)
    assert again.startswith("9-5-")
    qiye.ok("issue", "comment", "2", "补记的跟进")
    qiye.sql("UPDATE event SET id = 3 WHERE id = (SELECT max(id) FROM event)")
    message = next(m for m in problems(check(qiye, "--seal", again)[1]) if m.startswith(f"seal {again}"))
    assert message == (f"seal {again}: there are 6 events up to event #9, 1 more than the 5 it sealed: events "
                       "were inserted into the sealed history")


def test_the_appended_close_out_is_named_by_issue_and_event(qiye: Qiye) -> None:
    worked(qiye)
    seal = take_seal(qiye)
    with forging(qiye) as session:
        append_backdated_close_out(session)
    code, report = check(qiye, "--seal", seal)
    assert code == 1
    found = [p for p in report["problems"] if p["check"] == "seal"]
    assert [(p["issue_id"], p["event_id"]) for p in found] == [(2, 10), (2, 11), (2, 12)]
    assert found[0]["message"] == (
        f"issue #2: event 10 (status at 2023-12-10 02:00:00) was added after seal {seal} but is dated before "
        "the newest event it sealed (2023-12-20 02:00:00): it was written into the past")


def test_a_forger_who_leaves_the_seal_history_is_caught_by_the_plain_check(qiye: Qiye) -> None:
    worked(qiye)
    seal = take_seal(qiye)
    with forging(qiye, erase_seals=False) as session:
        rewrite_creation(session)
    code, report = check(qiye)
    assert code == 1 and report["recorded_seals"] == 1
    assert problems(report) == [
        f"the seal {seal} recorded on 2023-12-20 02:00:00 by tester: the 9 events up to event #9 are all there "
        "but no longer give its digest: a sealed event was changed, replaced or reordered"]


def test_a_seal_recorded_twice_or_given_again_is_judged_once(qiye: Qiye) -> None:
    worked(qiye)
    seal = take_seal(qiye)
    assert take_seal(qiye) == seal  # nothing changed in between: the same seal, recorded again
    with forging(qiye, erase_seals=False) as session:
        delete_last_event(session)
    code, report = check(qiye, "--seal", seal)
    assert code == 1 and report["recorded_seals"] == 2 and report["seal"] == {"seal": seal, "ok": False}
    assert [message for message in problems(report, "seal") if seal in message] == [
        f"seal {seal}: 1 of the 9 events it sealed up to event #9 are gone (8 left): events, or whole issues, "
        "were deleted"]


# --- what a seal is ------------------------------------------------------------------------


def test_db_seal_prints_the_seal_alone_and_records_who_took_it(qiye: Qiye) -> None:
    empty = take_seal(qiye)
    assert empty.split("-")[:2] == ["0", "0"] and len(empty.split("-")[2]) == 24
    worked(qiye)
    result = qiye.ok("db", "seal")
    seal = result.stdout.strip()
    assert result.stdout == seal + "\n"
    assert "Sealed 9 events, up to event #9." in result.stderr and f"db check --seal {seal}" in result.stderr
    record = json.loads(qiye.ok("--as", "李娜", "db", "seal", "--format", "json").stdout)
    assert record["seal"] == seal and (record["last_event"], record["events"]) == (9, 9)
    assert len(record["digest"]) == 64 and record["digest"].startswith(seal.split("-")[2])
    assert (record["sealed_at"], record["sealed_by"]) == ("2023-12-20T02:00:00Z", "李娜")
    assert "已封存截至第 9 条的 9 条记录" in qiye.ok("--lang", "zh", "--as", "李娜", "db", "seal").stderr
    history = json.loads(qiye.ok("db", "seal", "--history", "--format", "json").stdout)
    assert [(row["seal"], row["sealed_by"]) for row in history] == [(empty, "tester"), (seal, "tester"),
                                                                    (seal, "李娜"), (seal, "李娜")]
    table = qiye.ok("--lang", "zh", "db", "seal", "--history").stdout
    assert "封签" in table and "封存人" in table and "李娜" in table
    ok = qiye.ok("db", "check", "--seal", seal)
    assert "The 4 seal(s) recorded in the ledger hold." in ok.stdout
    assert (f"Seal {seal} holds: none of the 9 events up to event #9 was changed, reordered or deleted, and none "
            "was added among them.") in ok.stdout
    assert "核验通过" in qiye.ok("--lang", "zh", "db", "check", "--seal", seal).stdout


def test_a_seal_keeps_holding_as_the_ledger_grows(qiye: Qiye) -> None:
    worked(qiye)
    seal = take_seal(qiye)
    qiye.ok("issue", "comment", "2", "企业已提交增容申请")
    qiye.ok("issue", "resolve", "1", "--note", "验收通过")
    code, report = check(qiye, "--seal", seal)
    assert code == 0 and report["seal"] == {"seal": seal, "ok": True}


def test_later_seals_continue_from_the_recorded_one_and_agree_with_a_fresh_start(qiye: Qiye) -> None:
    worked(qiye)
    take_seal(qiye)
    qiye.ok("issue", "comment", "2", "企业已提交增容申请")
    continued = take_seal(qiye)
    qiye.sql("DELETE FROM seal")
    assert take_seal(qiye) == continued
    assert check(qiye, "--seal", continued)[0] == 0


@pytest.mark.parametrize("typed, accepted", [
    ("{seal}", True), ("  {seal}\n", True), ("{upper}", True), ("{full}", True),
    ("{short}", False), ("9-10-{digits}", False), ("seal", False), ("9-9", False), ("", False),
    ("-1-0-{digits}", False), ("9-9-{digits}zz", False),
])
def test_a_malformed_seal_is_a_user_error_that_touches_nothing(qiye: Qiye, typed: str, accepted: bool) -> None:
    worked(qiye)
    record = json.loads(qiye.ok("db", "seal", "--format", "json").stdout)
    seal, digits = record["seal"], record["seal"].split("-")[2]
    text = typed.format(seal=seal, upper=seal.upper(), full=f"9-9-{record['digest']}", short=seal[:-1],
                        digits=digits)
    before = qiye.sql("SELECT count(*) FROM seal")
    result = qiye("db", "check", "--seal", text)
    if accepted:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith("error: ") and "is not a seal: a seal reads N-COUNT-DIGEST" in result.stderr
    assert qiye.sql("SELECT count(*) FROM seal") == before
    zh = qiye("--lang", "zh", "db", "check", "--seal", text)
    assert zh.exit_code == 1 and "不是账本封签" in zh.stderr


def test_the_seal_survives_backup_and_restore(qiye: Qiye, tmp_path: Path) -> None:
    worked(qiye)
    seal = take_seal(qiye)
    copy = tmp_path / "copy.db"
    qiye.ok("db", "backup", str(copy))
    with forging(qiye) as session:
        delete_issue(session)
    assert check(qiye, "--seal", seal)[0] == 1
    qiye.ok("db", "restore", str(copy), "--yes")
    code, report = check(qiye, "--seal", seal)
    assert code == 0 and report["recorded_seals"] == 1, report


# --- the weekly report's footer ------------------------------------------------------------


def test_the_weekly_report_carries_the_seal_in_every_document_format(qiye: Qiye, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    worked(qiye)
    seal = take_seal(qiye)  # the report's seal is the same: nothing was written since
    table = qiye.ok("report", "weekly").stdout
    assert table.rstrip().splitlines()[-1] == f"Ledger seal: {seal} (9 events up to event #9)"
    zh = qiye.ok("--lang", "zh", "report", "weekly").stdout
    assert zh.rstrip().splitlines()[-1] == f"账本封签：{seal}（截至第 9 条，共 9 条记录）"
    markdown = qiye.ok("report", "weekly", "--format", "markdown").stdout
    assert markdown.endswith(f"\n---\n\nLedger seal: `{seal}` (9 events up to event #9)\n")
    document = json.loads(qiye.ok("report", "weekly", "--format", "json").stdout)
    assert document["seal"] == seal and list(document)[-1] == "seal"
    out = tmp_path / "weekly.xlsx"
    qiye.ok("--lang", "zh", "report", "weekly", "--format", "xlsx", "--out", str(out))
    figures = load_workbook(out).worksheets[0]
    assert [cell.value for cell in figures[figures.max_row]] == ["账本封签", seal]
    assert check(qiye, "--seal", document["seal"])[0] == 0


def test_the_weekly_reports_rows_for_scripts_keep_their_shape(qiye: Qiye, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    worked(qiye)
    seal = take_seal(qiye)
    footer = f"Ledger seal: {seal} (9 events up to event #9)\n"
    for fmt in ("csv", "tsv", "ndjson"):
        result = qiye.ok("report", "weekly", "--format", fmt)
        text = result.stdout
        assert "seal" not in text.lower()
        assert result.stderr == footer  # the rows keep their shape; the seal follows them on stderr
        rows = text.splitlines()
        if fmt == "ndjson":
            assert all(set(json.loads(row)) == set(json.loads(rows[0])) for row in rows)
        else:
            assert len({row.count("," if fmt == "csv" else "\t") for row in rows}) == 1
    result = qiye.ok("report", "weekly", "--format", "json", "--section", "closed")
    assert isinstance(json.loads(result.stdout), list) and result.stderr == footer
    out = tmp_path / "closed.xlsx"
    result = qiye.ok("report", "weekly", "--format", "xlsx", "--section", "closed", "--out", str(out))
    assert result.stderr.endswith(footer)
    assert "账本封签" not in str([[c.value for c in row] for row in load_workbook(out).worksheets[0].iter_rows()])
    # Other reports have no seal.
    assert "seal" not in json.loads(qiye.ok("report", "summary", "--format", "json").stdout)


# --- time order ----------------------------------------------------------------------------


def test_times_the_tool_writes_pass_the_time_order_check(qiye: Qiye, tmp_path: Path) -> None:
    """A backdated acknowledgement, an import of a historic ledger with its dated supervision
    facts, a re-import of it, and a clock a few minutes behind are all the tool's own doing."""
    worked(qiye)
    qiye.ok("issue", "start", "2", "--on", "2023-12-04")
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(
        "title,enterprise,category,reported_on,status,resolved_on,resolution,department,owner,"
        "dispatched_on,acknowledged_on,escalated,callback_result,callback_on\n"
        "旧账问题,蓝思科技,road,2023-03-01,resolved,2023-04-20,已办结,消防救援大队,王强,"
        "2023-03-02,2023-03-03,2023-04-01,satisfied,2023-04-25\n", encoding="utf-8")
    qiye.ok("import", "issues", str(ledger))
    imported = qiye.sql("SELECT max(issue_id) FROM event")[0][0]
    exported = tmp_path / "again.csv"
    qiye.ok("export", "issues", "--supervision", "--format", "csv", "--out", str(exported))
    qiye.ok("import", "issues", str(exported), "--on-conflict", "update")
    qiye.ok("issue", "comment", "3", "钟慢了五分钟", env={"QIYE_NOW": "2023-12-20T09:55:00+08:00"})
    times = [row[0] for row in qiye.sql("SELECT at FROM event WHERE issue_id = :i ORDER BY id", i=imported)]
    assert times != sorted(times)  # the dated facts follow the `imported` snapshot, earlier than it
    code, report = check(qiye)
    assert (code, report["problems"]) == (0, []), report


def test_an_event_dated_back_is_named(qiye: Qiye) -> None:
    worked(qiye)
    with forging(qiye) as session:
        backdate(session)
    result = qiye("db", "check")
    assert result.exit_code == 1
    event = qiye.sql("SELECT id FROM event WHERE issue_id = 3 AND action = 'status'")[0][0]
    assert (f"issue #3: event {event + 1} (edited at 2023-12-20 02:00:00)" not in result.stdout)
    assert (f"- issue #3: event {event} (status at 2023-12-15 02:00:00) is dated before an earlier event of its "
            "history (2023-12-20 02:00:00): its time was changed, or it was written in later") in result.stdout
    zh = qiye("--lang", "zh", "db", "check")
    assert f"问题 #3：第 {event} 条记录（status，2023-12-15 02:00:00）的时间早于此前的记录" in zh.stdout


def test_the_sample_ledger_passes_every_check(qiye: Qiye) -> None:
    qiye.ok("init", "--sample")
    seal = take_seal(qiye)
    code, report = check(qiye, "--seal", seal)
    assert (code, report["problems"], report["issues"]) == (0, [], 174), report


# --- seals and concurrent writers ----------------------------------------------------------


@contextmanager
def writer_in_flight(qiye: Qiye) -> Iterator[tuple[int, object]]:
    """A cadre's command paused between writing its event (a comment on #1) and committing:
    yields the event's id and a function that commits it."""
    from qiye_service.services.history import record_event

    engine = qiye.engine()
    conn = engine.connect()
    try:
        transaction = conn.begin()
        session = Session(bind=conn)
        issue = session.get(Issue, 1)
        assert issue is not None
        event = record_event(session, issue, actor="慢吞吞", at=datetime(2023, 12, 20, 2, 0), action="comment",
                             note="提交前停顿")
        session.flush()
        assert event.id is not None
        yield event.id, transaction.commit
    finally:
        conn.close()
        engine.dispose()


def seal_process(qiye: Qiye, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    import os

    return subprocess.Popen([sys.executable, "-m", "qiye_service", *args], env={**os.environ, **qiye.env, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def seal_is_waiting(qiye: Qiye) -> bool:
    """Whether a `qiye` connection is watching pg_locks for writers to finish (services.seal)."""
    return bool(qiye.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'qiye' "
                         "AND datname = current_database() AND query LIKE '%virtualtransaction = ANY%' "
                         "AND pid <> pg_backend_pid()")[0][0])


def test_a_seal_covers_no_event_still_in_flight(qiye: Qiye, backend: str) -> None:
    """PostgreSQL hands out ids as events are written: with #n in flight and #n+1 committed, a
    snapshot misses #n for good. The seal waits for the writer; on SQLite the writer holds the
    write lock, and the seal is of the snapshot before it."""
    worked(qiye)
    with writer_in_flight(qiye) as (held, commit):
        if backend == "postgresql":
            qiye.ok("issue", "comment", "2", "另一位干部的跟进")  # committed with the next id
            assert qiye.sql("SELECT max(id) FROM event")[0][0] == held + 1
        sealing = seal_process(qiye, "db", "seal")
        if backend == "postgresql":
            # Commit only once the seal has read the highest id and is waiting for the writer (a seal
            # that did not wait would have finished by then, without the event in flight).
            deadline = time.monotonic() + 60
            while sealing.poll() is None and not seal_is_waiting(qiye) and time.monotonic() < deadline:
                time.sleep(0.05)
        else:
            time.sleep(1.5)
            assert sealing.poll() is None  # waiting to record the seal: the writer holds the write lock
        commit()  # type: ignore[operator]
        out, err = sealing.communicate(timeout=60)
    assert sealing.returncode == 0, err
    seal = out.strip()
    last = int(seal.split("-")[0])
    # PostgreSQL: the seal waited and covers both. SQLite: the snapshot before the writer (or after
    # it, when this busy machine was slow to start the process): whole either way.
    assert last == held + 1 if backend == "postgresql" else last in (held - 1, held)
    code, report = check(qiye, "--seal", seal)
    assert code == 0, report


def test_a_writer_that_never_finishes_makes_the_seal_wait_then_give_up(qiye: Qiye, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("on SQLite a seal never waits for writers: its snapshot is whole")
    worked(qiye)
    short = {"QIYE_BUSY_TIMEOUT": "1"}
    with writer_in_flight(qiye):
        result = qiye.run_process("db", "seal", env=short)
        assert result.returncode == 3, result.stderr
        assert result.stderr.startswith("error: a seal waits until every event below its end is written, but 1 "
                                        "writer(s) have been adding events for more than 1 s")
        assert "Traceback" not in result.stderr
        report = qiye.run_process("report", "weekly", "--format", "json", env=short)
        assert report.returncode == 0 and json.loads(report.stdout)["seal"] is None
        assert "warning: Ledger seal: not available" in report.stderr
        table = qiye.run_process("report", "weekly", env=short)
        assert table.returncode == 0 and "Ledger seal: not available, writers were busy for more than 1 s" in table.stdout
    assert qiye.sql("SELECT count(*) FROM seal") == [(0,)]  # the failed `db seal` recorded nothing


def test_seals_taken_while_cadres_write_all_hold(qiye: Qiye, tmp_path: Path) -> None:
    from test_concurrency import finish, prepare, start

    prepare(qiye)
    go = tmp_path / "go"
    writers = [start(qiye, go, "write", f"干部{n}", "12", "3", "3") for n in range(6)]
    sealers = [start(qiye, go, "seal", f"督办{n}", "12") for n in range(2)]
    logs = finish(writers + sealers, go)
    seals = [seal for log in logs[6:] for seal in log["seals"]]
    assert len(seals) == 24 and all(seal for seal in seals)
    assert len({seal.split("-")[0] for seal in seals}) > 1  # taken at different moments
    for seal in seals:
        code, report = check(qiye, "--seal", seal)
        assert code == 0, (seal, problems(report))
