"""Many cadres at once: eight real `qiye` processes file and close issues against one
database while supervisors read reports; nothing is lost and nobody sees an error.

Each process is a driver (tests/qiye_driver.py) that runs its commands through the real
CLI, each with its own engine and transaction, so eight interpreters start instead of
five hundred while the database sees five hundred separate commands.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from conftest import Qiye

DRIVER = Path(__file__).with_name("qiye_driver.py")
ISSUES, RESOLVED, SHARED_COMMENTS = 50, 10, 5  # per cadre, as issue 5 asks


def start(qiye: Qiye, go: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(DRIVER), *args],
                            env={**os.environ, **qiye.env, "QIYE_DRIVER_GO": str(go)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(processes: list[subprocess.Popen[str]], go: Path) -> list[dict[str, Any]]:
    """Let every driver go at once (they wait, loaded, for the go file), then collect them."""
    deadline = time.monotonic() + 120
    while len(list(go.parent.glob(f"{go.name}.*.ready"))) < len(processes) and time.monotonic() < deadline:
        assert all(p.poll() is None for p in processes), [p.communicate() for p in processes if p.poll() is not None]
        time.sleep(0.02)
    go.touch()
    logs = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert err == "", err
        logs.append(json.loads(out))
    for log in logs:
        assert log["failures"] == [], json.dumps(log["failures"][:3], ensure_ascii=False, indent=1)
    print(f"\n{len(logs)} processes, {sum(log['commands'] for log in logs)} commands, all exit 0; "
          f"slowest first command {max(log['first'] for log in logs):.2f}s, "
          f"slowest later command {max(log['slowest'] for log in logs):.2f}s")
    return logs


def prepare(qiye: Qiye) -> None:
    qiye.ok("enterprise", "add", "蓝思科技")
    # Issue #1 is worked by everyone at once: its hash chain is contended.
    qiye.ok("issue", "add", "各处室共同跟进的问题", "-e", "蓝思科技", "-c", "road")


def check_writers(qiye: Qiye, logs: list[dict[str, Any]], *, issues: int = ISSUES, resolved: int = RESOLVED,
                  comments: int = SHARED_COMMENTS, existing: int = 1) -> None:
    writers = len(logs)
    ids = [i for log in logs for i in log["ids"]]
    assert all(len(log["ids"]) == issues and len(log["resolved"]) == resolved for log in logs)
    assert len(set(ids)) == writers * issues
    assert qiye.sql("select count(*) from issue")[0][0] == existing + writers * issues
    assert qiye.sql("select count(*) from issue where status = 'resolved'")[0][0] == writers * resolved
    # created, then status + resolved_on + resolution for each close-out, and the comments.
    per_cadre = dict(qiye.sql("select actor, count(*) from event group by actor"))
    for log in logs:
        assert per_cadre[log["name"]] == issues + 3 * resolved + comments
        titles = {row[0] for row in qiye.sql("select title from issue where created_by = :n", n=log["name"])}
        assert titles == {f"{log['name']} 登记的问题 {n}" for n in range(issues)}
    assert qiye.sql("select count(*) from event where issue_id = 1 and action = 'comment'")[0][0] \
        == writers * comments
    tagged = qiye.sql("select count(*) from issue_tag join tag on tag.id = issue_tag.tag_id where tag.name = '并发'")
    assert tagged[0][0] == writers * issues
    check = qiye("db", "check", "--format", "json")
    assert check.exit_code == 0, check.stdout  # every hash chain intact, every row agrees with its history


def test_eight_cadres_file_and_close_at_once(qiye: Qiye, tmp_path: Path) -> None:
    prepare(qiye)
    go = tmp_path / "go"
    logs = finish([start(qiye, go, "write", f"干部{n}", str(ISSUES), str(RESOLVED), str(SHARED_COMMENTS))
                   for n in range(8)], go)
    assert sum(log["commands"] for log in logs) == 8 * (ISSUES + RESOLVED + SHARED_COMMENTS)
    check_writers(qiye, logs)


def test_writers_and_report_readers_at_once(qiye: Qiye, tmp_path: Path) -> None:
    prepare(qiye)
    go = tmp_path / "go"
    issues, resolved, comments, reads = 25, 5, 3, 20
    readers = [start(qiye, go, "read", f"supervisor{n}", str(reads), "report", "summary", "--format", "json")
               for n in range(3)]
    readers += [start(qiye, go, "read", "lister", str(reads), "issue", "list", "--status", "all", "--format", "json")]
    writers = [start(qiye, go, "write", f"干部{n}", str(issues), str(resolved), str(comments)) for n in range(4)]
    logs = finish(writers + readers, go)
    check_writers(qiye, logs[:4], issues=issues, resolved=resolved, comments=comments)
    for log in logs[4:]:
        assert log["reads"] == reads
        # Each read sees a whole state: totals never go back, and stay within what was filed.
        assert log["totals"] == sorted(log["totals"])
        assert 1 <= log["totals"][0] and log["totals"][-1] <= 1 + 4 * issues
