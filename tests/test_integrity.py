"""`qiye db check`: tamper with the database in raw SQL, each way a faked close-out could be
made, and see the check fail naming the issue; a database worked only through qiye passes."""

from __future__ import annotations

import json

import pytest

from conftest import Qiye


def worked(qiye: Qiye) -> Qiye:
    """The `filed` ledger put through every kind of change qiye records."""
    qiye.ok("issue", "start", "1", "--note", "已签收")
    qiye.ok("issue", "comment", "1", "已与消防大队现场对接")
    qiye.ok("issue", "resolve", "1", "--note", "已完成消防验收", "--on", "2023-12-18")
    qiye.ok("issue", "edit", "2", "--title", "新建产线用电增容（二期）", "--due", "2024-01-20", "--priority", "urgent")
    qiye.ok("issue", "assign", "2", "--owner", "赵敏", "--dept", "消防救援大队")
    qiye.ok("issue", "tag", "2", "+重点项目", "+电力")
    qiye.ok("issue", "defer", "3", "--note", "待规划调整")
    qiye.ok("issue", "reopen", "3", "--note", "规划已批复")
    qiye.ok("issue", "resolve", "3", "--note", "道路已打通")
    qiye.ok("issue", "reopen", "3")
    qiye.ok("issue", "resolve", "3", "--note", "道路已通车", "--on", "2023-12-19")
    qiye.ok("issue", "escalate", "2", "--note", "逾期未办")
    qiye.ok("issue", "callback", "1", "--result", "unsatisfied", "--note", "验收后仍有问题")
    qiye.ok("issue", "resolve", "1", "--note", "已整改完毕")
    qiye.ok("issue", "callback", "1", "--result", "satisfied")
    return qiye


def lightly_worked(qiye: Qiye) -> Qiye:
    """Just the changes the tampering tests below undo."""
    qiye.ok("issue", "comment", "1", "已与消防大队现场对接")
    qiye.ok("issue", "resolve", "1", "--note", "已完成消防验收", "--on", "2023-12-18")
    qiye.ok("issue", "defer", "3", "--note", "待规划调整")
    qiye.ok("issue", "reopen", "3", "--note", "规划已批复")
    qiye.ok("issue", "resolve", "3", "--note", "道路已通车", "--on", "2023-12-19")
    return qiye


def check(qiye: Qiye) -> tuple[int, dict]:
    result = qiye("db", "check", "--format", "json")
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def named(report: dict) -> set[int]:
    return {p["issue_id"] for p in report["problems"]}


def test_a_ledger_worked_through_qiye_passes(filed: Qiye) -> None:
    worked(filed)
    result = filed("db", "check")
    assert result.exit_code == 0, result.output
    assert "Database check passed: 3 issues" in result.stdout
    code, report = check(filed)
    assert code == 0 and report["ok"] and report["problems"] == []
    assert report["issues"] == 3 and report["events"] == filed.sql("select count(*) from event")[0][0] > 20


def test_an_empty_database_passes(qiye: Qiye) -> None:
    code, report = check(qiye)
    assert (code, report["issues"], report["events"]) == (0, 0, 0)


def _tamper_then_check(qiye: Qiye, statement: str) -> tuple[int, dict, str]:
    lightly_worked(qiye)
    assert check(qiye)[0] == 0
    qiye.sql(statement)
    result = qiye("db", "check")
    code, report = check(qiye)
    assert code == result.exit_code == 1
    assert result.stderr.startswith("error: the database check found")
    return code, report, result.stdout


def test_an_altered_event_note_is_reported(filed: Qiye) -> None:
    _, report, text = _tamper_then_check(
        filed, "update event set note = '已完成消防验收（补）' where issue_id = 1 and action = 'comment'")
    assert named(report) == {1}
    event_id = filed.sql("select id from event where issue_id = 1 and action = 'comment'")[0][0]
    assert [p["event_id"] for p in report["problems"]] == [event_id]
    assert f"issue #1: event {event_id} (comment at" in text and "does not match its hash" in text


def test_an_altered_close_out_date_in_history_is_reported(filed: Qiye) -> None:
    # The history rewritten to agree with a faked date: the chain breaks.
    _, report, _ = _tamper_then_check(
        filed, "update event set new = '2023-12-01' where issue_id = 3 and field = 'resolved_on' "
               "and new = '2023-12-19'")
    assert named(report) == {3}
    assert {p["check"] for p in report["problems"]} == {"chain", "replay"}


def test_a_deleted_event_is_reported(filed: Qiye) -> None:
    _, report, text = _tamper_then_check(
        filed, "delete from event where issue_id = 3 and action = 'status' and note = '待规划调整'")
    assert named(report) == {3}
    assert "issue #3: event" in text and "an event before it was deleted" in text


def test_a_deleted_last_event_is_reported(filed: Qiye) -> None:
    _, report, text = _tamper_then_check(
        filed, "delete from event where id = (select max(id) from event where issue_id = 1)")
    assert named(report) == {1}
    assert "issue #1: its history ends at a different event" in text


def test_a_history_deleted_whole_is_reported(filed: Qiye) -> None:
    _, report, text = _tamper_then_check(filed, "delete from event where issue_id = 2")
    assert named(report) == {2}
    assert "issue #2: it has no history at all" in text


def test_an_issue_resolved_by_hand_is_reported(filed: Qiye) -> None:
    _, report, text = _tamper_then_check(
        filed, "update issue set status = 'resolved', resolved_on = '2023-12-20', resolution = '已解决' where id = 2")
    assert named(report) == {2}
    assert {p["check"] for p in report["problems"]} == {"replay"}
    assert "issue #2: status is 'resolved' but its history says 'in_progress'" not in text  # it was never started
    assert "issue #2: status is 'resolved' but its history says 'open'" in text
    assert "issue #2: resolved_on is '2023-12-20' but its history says empty" in text
    assert "issue #2: resolution is '已解决' but its history says empty" in text


def test_a_resolution_changed_by_hand_is_reported(filed: Qiye) -> None:
    _, report, text = _tamper_then_check(filed, "update issue set resolution = '已全部整改' where id = 3")
    assert named(report) == {3}
    assert "issue #3: resolution is '已全部整改' but its history says '道路已通车'" in text


def test_a_close_out_date_moved_by_hand_is_reported(filed: Qiye) -> None:
    _, report, text = _tamper_then_check(filed, "update issue set resolved_on = '2023-12-02' where id = 3")
    assert named(report) == {3}
    assert "issue #3: resolved_on is '2023-12-02' but its history says '2023-12-19'" in text


def test_a_reopened_issue_set_back_to_resolved_by_hand_is_reported(filed: Qiye) -> None:
    filed.ok("issue", "resolve", "2", "--note", "已增容")
    filed.ok("issue", "reopen", "2", "--note", "企业反映仍未通电")
    filed.sql("update issue set status = 'resolved', resolved_on = '2023-12-20' where id = 2")
    code, report = check(filed)
    assert code == 1 and named(report) == {2}


def test_a_changed_history_head_is_reported(filed: Qiye) -> None:
    _, report, _ = _tamper_then_check(filed, "update issue set history_hash = null where id = 1")
    assert named(report) == {1}


def test_an_orphan_row_is_reported_on_sqlite(sqlite_qiye: Qiye) -> None:
    import sqlite3

    sqlite_qiye.ok("enterprise", "add", "蓝思科技")
    sqlite_qiye.ok("issue", "add", "t", "-e", "蓝思科技", "-c", "road")
    conn = sqlite3.connect(sqlite_qiye.url)  # foreign keys are off in a plain connection
    conn.execute("delete from enterprise")
    conn.commit()
    conn.close()
    result = sqlite_qiye("db", "check")
    assert result.exit_code == 1
    assert "issue row 1 points at a enterprise row that does not exist" in result.stdout


def test_an_orphan_row_is_reported_on_postgresql(pg_schema: str, base_env: dict[str, str]) -> None:
    from conftest import pg_schema_url

    url = pg_schema_url(pg_schema)
    qiye = Qiye(url, {**base_env, "QIYE_DB": url})
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("issue", "add", "t", "-e", "蓝思科技", "-c", "road")
    # What a restore with triggers off can leave behind.
    qiye.sql("set session_replication_role = replica; delete from enterprise; set session_replication_role = origin")
    result = qiye("db", "check")
    assert result.exit_code == 1
    assert "issue row 1 points at a enterprise row that does not exist" in result.stdout


def test_a_corrupt_page_fails_the_sqlite_integrity_check(sqlite_qiye: Qiye) -> None:
    import sqlite3

    sqlite_qiye.ok("enterprise", "add", "蓝思科技")
    for n in range(60):
        sqlite_qiye.ok("issue", "add", f"问题 {n} " + "很长的描述" * 40, "-e", "蓝思科技", "-c", "road")
    conn = sqlite3.connect(sqlite_qiye.url)
    conn.execute("pragma wal_checkpoint(truncate)")
    # Scramble a page of the issue title index: the rows still read, the index disagrees.
    root = conn.execute("select rootpage from sqlite_master where name = 'ix_issue_status_reported'").fetchone()[0]
    page_size = conn.execute("pragma page_size").fetchone()[0]
    conn.close()
    with open(sqlite_qiye.url, "r+b") as handle:
        handle.seek((root - 1) * page_size + 8)
        handle.write(bytes(range(200)))
    result = sqlite_qiye("db", "check")
    assert result.exit_code in (1, 3), result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error:")
    if result.exit_code == 1:
        assert "integrity check:" in result.stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_check_speaks_the_users_language(filed: Qiye, lang: str) -> None:
    filed.sql("update issue set resolution = '假的' where id = 1")
    result = filed("--lang", lang, "db", "check")
    assert result.exit_code == 1
    expected = "问题 #1：办理结果 为 '假的'" if lang == "zh" else "issue #1: resolution is '假的'"
    assert expected in result.stdout
