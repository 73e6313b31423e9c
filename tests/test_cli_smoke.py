"""The cadre's basic loop through the real CLI, on every backend."""

import json


def test_file_work_and_close(filed):
    listed = filed.ok("issue", "list", "--format", "json")
    assert [row["id"] for row in json.loads(listed.stdout)] == [3, 1, 2]
    filed.ok("issue", "start", "1")
    filed.ok("issue", "resolve", "#1", "--note", "已完成验收", "--on", "2023-12-18")
    shown = json.loads(filed.ok("issue", "show", "1", "--format", "json").stdout)
    assert shown["status"] == "resolved"
    assert shown["resolved_on"] == "2023-12-18"
    assert [e["action"] for e in shown["events"]] == ["created", "status", "status", "edited", "edited"]
    assert all(e["actor"] == "tester" for e in shown["events"])
