"""Every change to an issue writes an Event (DESIGN §2): who (--as, QIYE_USER, config `user`,
the OS user, in that order), when (UTC), what; `issue show` prints the timeline.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

# Imported here, not in the property: its first example would time a cold import of the models
# (435 ms under load) against Hypothesis's 200 ms deadline, and fail as "unreliable timings".
from qiye_service.services.history import event_hash

EVENT_KEYS = ["at", "actor", "action", "field", "old", "new", "note"]


def as_datetime(value) -> datetime:
    """A timestamp as the driver returns it (SQLite gives text) as a naive datetime."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def events(qiye, issue_id: int = 1, **kwargs) -> list[dict]:
    shown = json.loads(qiye.ok("issue", "show", str(issue_id), "--format", "json", **kwargs).stdout)
    return shown["events"]


def test_every_change_writes_an_event(filed):
    steps = [
        (("issue", "edit", "3", "--priority", "high", "--due", "2024-01-05"),
         [("edited", "priority", "normal", "high", None), ("edited", "due_on", "2023-12-11", "2024-01-05", None)]),
        (("issue", "assign", "3", "--dept", "消防救援大队", "--owner", "王强"),
         [("assigned", "department", None, "消防救援大队", None), ("assigned", "owner", None, "王强", None)]),
        (("issue", "start", "3", "--note", "已签收"), [("status", "status", "open", "in_progress", "已签收")]),
        (("issue", "comment", "3", "已与交通局对接"), [("comment", None, None, None, "已与交通局对接")]),
        (("issue", "tag", "3", "+督办"), [("tagged", "tags", "", "督办", None)]),
        (("issue", "resolve", "3", "--note", "道路已修通", "--on", "2023-12-19"),
         [("status", "status", "in_progress", "resolved", "道路已修通"),
          ("edited", "resolved_on", None, "2023-12-19", None), ("edited", "resolution", None, "道路已修通", None)]),
        (("issue", "reopen", "3", "--note", "企业反映仍有积水"),
         [("status", "status", "resolved", "in_progress", "企业反映仍有积水"),
          ("edited", "resolved_on", "2023-12-19", None, None)]),
        (("issue", "defer", "3", "--note", "待汛期后施工"),
         [("status", "status", "in_progress", "deferred", "待汛期后施工")]),
    ]
    seen = len(events(filed, 3))
    assert seen == 1
    for args, expected in steps:
        filed.ok(*args)
        now = events(filed, 3)
        assert [(e["action"], e["field"], e["old"], e["new"], e["note"]) for e in now[seen:]] == expected, args
        seen = len(now)
    assert filed.sql("select count(*) from event where issue_id = 3") == [(seen,)]


def test_created_event_holds_the_new_issue(filed):
    (created,) = events(filed, 2)
    assert (created["action"], created["field"], created["old"], created["note"]) == ("created", None, None, None)
    snapshot = json.loads(created["new"])
    assert snapshot["title"] == "新建产线用电增容"
    assert (snapshot["status"], snapshot["priority"], snapshot["tags"]) == ("open", "high", ["重点项目"])


def test_events_have_exactly_the_design_keys(filed):
    shown = json.loads(filed.ok("issue", "show", "1", "--format", "json").stdout)
    assert list(shown)[-1] == "events"
    assert [list(e) for e in shown["events"]] == [EVENT_KEYS]
    assert shown["events"][0] == {
        "at": "2023-12-20T02:00:00Z", "actor": "tester", "action": "created", "field": None, "old": None,
        "new": shown["events"][0]["new"], "note": None,
    }


def test_timestamps_are_utc(filed):
    # 10:00 in Shanghai is 02:00 UTC; stored naive, shown with Z.
    filed.ok("issue", "comment", "1", "中午跟进", env={"QIYE_NOW": "2023-12-21T12:30:45+08:00"})
    last = events(filed)[-1]
    assert last["at"] == "2023-12-21T04:30:45Z"
    (stored,) = filed.sql("select at from event where note = '中午跟进'")
    assert as_datetime(stored[0]) == datetime(2023, 12, 21, 4, 30, 45)
    (updated,) = filed.sql("select updated_at from issue where id = 1")
    assert as_datetime(updated[0]) == datetime(2023, 12, 21, 4, 30, 45)


@pytest.mark.parametrize(("flags", "env", "config_user", "expected"), [
    (("--as", "张科长"), {"QIYE_USER": "李干部"}, "王主任", "张科长"),
    ((), {"QIYE_USER": "李干部"}, "王主任", "李干部"),
    ((), {"QIYE_USER": None}, "王主任", "王主任"),
    ((), {"QIYE_USER": None}, None, "osuser"),
    (("--as", "  赵敏  "), {}, None, "赵敏"),
])
def test_actor_precedence(filed, flags, env, config_user, expected):
    os_user = {"USER": "osuser", "LOGNAME": "osuser", "LNAME": None, "USERNAME": None}
    if config_user:
        filed.ok("config", "set", "user", config_user)
    filed.ok(*flags, "issue", "comment", "1", "跟进", env={**os_user, **env})
    assert events(filed)[-1]["actor"] == expected
    filed.ok(*flags, "issue", "add", "新问题", "-e", "蓝思科技", "-c", "road", env={**os_user, **env})
    assert json.loads(filed.ok("issue", "show", "4", "--format", "json").stdout)["created_by"] == expected
    assert events(filed, 4)[0]["actor"] == expected


def test_show_prints_record_and_timeline(filed):
    filed.ok("--as", "张科长", "issue", "start", "1")
    filed.ok("issue", "comment", "1", "现场核查消防车道")
    out = filed.ok("issue", "show", "1").stdout
    record, _, timeline = out.partition("History")
    assert "二期厂房消防验收未通过" in record and "消防车道宽度不足" in record and "王强" in record
    # Stored as 02:00 UTC, shown in the park's time (Asia/Shanghai).
    lines = [line for line in timeline.splitlines() if "2023-12-20 10:00" in line]
    assert len(lines) == 3
    assert "tester" in lines[0] and "created" in lines[0] and "filed: 二期厂房消防验收未通过" in lines[0]
    assert "张科长" in lines[1] and "Status: open → in progress" in lines[1]
    assert "comment" in lines[2] and "现场核查消防车道" in lines[2]


def test_history_chain_links_every_event(filed):
    filed.ok("issue", "start", "1")
    filed.ok("issue", "resolve", "1", "--note", "已验收")
    rows = filed.sql("select issue_id, at, actor, action, field, old, new, note, hash from event "
                     "where issue_id = 1 order by id")
    previous = None
    for issue_id, at, actor, action, field, old, new, note, digest in rows:
        assert digest == event_hash(previous, issue_id, as_datetime(at), actor, action, field, old, new, note)
        previous = digest
    assert filed.sql("select history_hash from issue where id = 1") == [(previous,)]


def test_changes_that_change_nothing_write_no_event(filed):
    before = filed.sql("select count(*) from event")
    filed.ok("issue", "edit", "1", "--title", "二期厂房消防验收未通过")
    filed.ok("issue", "assign", "1", "--owner", "王强")
    filed.ok("issue", "tag", "2", "+重点项目")
    assert filed.sql("select count(*) from event") == before


def test_timeline_times_follow_the_park_time_zone(filed):
    """JSON keeps UTC; tables show the park's local time, whichever zone it is set to."""
    in_utc = filed.ok("issue", "show", "1", env={"QIYE_TZ": "UTC"}).stdout
    in_urumqi = filed.ok("issue", "show", "1", env={"QIYE_TZ": "Asia/Urumqi"}).stdout
    assert "2023-12-20 02:00" in in_utc and "2023-12-20 10:00" not in in_utc
    assert "2023-12-20 08:00" in in_urumqi
    shown = json.loads(filed.ok("issue", "show", "1", "--format", "json", env={"QIYE_TZ": "Asia/Urumqi"}).stdout)
    assert shown["created_at"] == "2023-12-20T02:00:00Z"


@given(previous=st.none() | st.text(max_size=70), issue_id=st.integers(1, 2**62), at=st.datetimes(),
       texts=st.lists(st.none() | st.text(), min_size=6, max_size=6))
def test_event_hash_is_sha256_of_the_canonical_json(previous, issue_id, at, texts):
    """The canonical text is built without the json encoder; it must be json.dumps's,
    byte for byte, or every stored chain stops verifying."""
    actor, action = texts[0] or "", texts[1] or ""
    field, old, new, note = texts[2:]
    canonical = json.dumps([previous or "", issue_id, at.isoformat(timespec="microseconds"), actor, action, field, old,
                            new, note], ensure_ascii=False, separators=(",", ":"))
    expected = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert event_hash(previous, issue_id, at, actor, action, field, old, new, note) == expected
