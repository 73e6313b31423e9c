"""A cadre (or a supervisor) at work: runs many `qiye` commands in one process, each through
the real CLI with its own engine and transaction, and prints what happened as JSON.

    python tests/qiye_driver.py write NAME ISSUES RESOLVE SHARED_COMMENTS
    python tests/qiye_driver.py read NAME TIMES COMMAND...
    python tests/qiye_driver.py seal NAME TIMES

Used by the concurrency and backup tests to start eight of these at once cheaply (one
interpreter start per cadre, not one per command). The database is QIYE_DB.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import typer.testing
from typer.testing import CliRunner

from qiye_service.cli import app

# typer rebuilds the click command tree on every invoke; build it once (as conftest does).
COMMAND = typer.testing._get_command(app)
typer.testing._get_command = lambda typer_app: COMMAND if typer_app is app else None
RUNNER = CliRunner()


def run(log: dict[str, Any], *args: str) -> str:
    started = time.monotonic()
    result = RUNNER.invoke(app, list(args), catch_exceptions=True)
    log["commands"] += 1
    took = round(time.monotonic() - started, 3)
    if log["commands"] == 1:
        log["first"] = took  # includes loading the modules the command needs, once per process
    else:
        log["slowest"] = max(log.get("slowest", 0.0), took)
    stderr = result.stderr
    if result.exit_code != 0 or "error" in stderr.lower() or "traceback" in (result.stdout + stderr).lower():
        detail = repr(result.exception) if result.exception and not isinstance(result.exception, SystemExit) else ""
        log["failures"].append({"args": list(args), "exit_code": result.exit_code,
                                "stdout": result.stdout[-500:], "stderr": stderr[-500:], "exception": detail})
    return result.stdout


def write(name: str, issues: int, resolve: int, shared_comments: int) -> dict[str, Any]:
    """File `issues` issues, resolving `resolve` of them as it goes and commenting on #1."""
    log: dict[str, Any] = {"name": name, "commands": 0, "failures": [], "ids": [], "resolved": []}
    every = max(issues // max(resolve, 1), 1)
    comment_every = max(issues // max(shared_comments, 1), 1)
    for n in range(issues):
        # Every cadre's first issue creates the same new tag at the same moment.
        out = run(log, "--as", name, "issue", "add", f"{name} 登记的问题 {n}", "-e", "蓝思科技", "-c", "road",
                  "--tag", "并发", "--tag", f"批次{n // 10}", "--desc", f"第 {n} 个问题；'引号' \"双引号\"")
        if out.strip().isdigit():
            log["ids"].append(int(out.strip()))
        if (n + 1) % every == 0 and len(log["resolved"]) < resolve and log["ids"]:
            target = str(log["ids"][-1])
            run(log, "--as", name, "issue", "resolve", target, "--note", f"{name} 已办结", "--on", "2023-12-20")
            log["resolved"].append(int(target))
        if shared_comments and (n + 1) % comment_every == 0 and log.get("comments", 0) < shared_comments:
            run(log, "--as", name, "issue", "comment", "1", f"{name} 跟进 {n}")
            log["comments"] = log.get("comments", 0) + 1
    return log


def read(name: str, times: int, command: list[str]) -> dict[str, Any]:
    """Run a read command `times` times; each output must be whole JSON."""
    log: dict[str, Any] = {"name": name, "commands": 0, "failures": [], "reads": 0, "totals": []}
    for _ in range(times):
        out = run(log, *command)
        try:
            data = json.loads(out)
            log["reads"] += 1
            log["totals"].append(data["total"] if isinstance(data, dict) else len(data))
        except ValueError:
            log["failures"].append({"args": command, "exit_code": 0, "stdout": out[-500:], "stderr": "not JSON"})
    return log


def seal(name: str, times: int) -> dict[str, Any]:
    """Take `times` ledger seals (issue 25), by turns with `db seal` and from the weekly report."""
    log: dict[str, Any] = {"name": name, "commands": 0, "failures": [], "seals": []}
    for n in range(times):
        if n % 2 == 0:
            log["seals"].append(run(log, "db", "seal").strip())
            continue
        out = run(log, "report", "weekly", "--format", "json")
        try:
            log["seals"].append(json.loads(out)["seal"])
        except (ValueError, KeyError):
            log["failures"].append({"args": ["report", "weekly"], "exit_code": 0, "stdout": out[-500:],
                                    "stderr": "no seal"})
    return log


def wait_for_start(name: str) -> None:
    """Say ready, then hold until the test says go (QIYE_DRIVER_GO names a file), so that
    every driver starts its first command at the same moment."""
    import os
    import time

    go = os.environ.get("QIYE_DRIVER_GO")
    if go:
        with open(f"{go}.{name}.ready", "w"):
            pass
    deadline = time.monotonic() + 60
    while go and not os.path.exists(go) and time.monotonic() < deadline:
        time.sleep(0.005)


def main(argv: list[str]) -> None:
    mode, name = argv[0], argv[1]
    wait_for_start(name)
    if mode == "write":
        log = write(name, int(argv[2]), int(argv[3]), int(argv[4]))
    elif mode == "seal":
        log = seal(name, int(argv[2]))
    else:
        log = read(name, int(argv[2]), argv[3:])
    sys.stdout.write(json.dumps(log, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
