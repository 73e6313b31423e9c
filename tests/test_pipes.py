"""`qiye … | head -1` (issue 18): every command and format ends quietly with exit 0 when the
reader closes the pipe early, so a `pipefail` script does not read it as a user error.

Run through a real shell. qiye starts with its pipe narrowed to one page (F_SETPIPE_SZ) and
each output is larger than that page and what `head` reads before it leaves, so every case
meets the closed pipe, whatever the machine's pipe size. SQLite only: what is tested is the
process and its stdout, not the database.
"""

from __future__ import annotations

import csv
import fcntl
import os
import shlex
import subprocess
import sys
from datetime import date, timedelta

import pytest

from ledgers import module_database

FORMATS = ("table", "csv", "tsv", "json", "ndjson", "markdown")
MACHINE = ("csv", "tsv", "json", "ndjson")
COMMANDS = {
    "issue list": (["issue", "list", "--status", "all"], FORMATS),
    "issue show": (["issue", "show", "1"], FORMATS),  # its description is as long as qiye takes
    "enterprise list": (["enterprise", "list"], FORMATS),
    "report summary": (["report", "summary", "--by", "enterprise"], FORMATS),
    "report weekly": (["report", "weekly", "--week", "2023-W50"], ("table", "json", "markdown")),
    "report weekly --section": (["report", "weekly", "--week", "2023-W50", "--section", "overdue_issues"], FORMATS),
    "report overdue": (["report", "overdue"], FORMATS),
    "report trend": (["report", "trend", "--by", "week"], FORMATS),
    "export issues": (["export", "issues", "--status", "all"], MACHINE),
    "export events": (["export", "events"], MACHINE),
    "export enterprises": (["export", "enterprises"], MACHINE),
}
CASES = [(command, fmt) for command, (_args, formats) in COMMANDS.items() for fmt in formats]
LONGEST = "𠮷" * 20_000  # as long as a description can be, of a character UTF-8 writes in 4 bytes
CATEGORIES = ("land-acquisition", "road", "fire-acceptance", "water-power", "financing", "approval", "talent")


def big_ledger_file(path) -> None:  # type: ignore[no-untyped-def]
    """An issue a week from 2000 to the pinned today (2023-12-20), a third resolved and the
    rest long overdue, titles that take two lines of a table, 600 enterprises; #1's
    description and resolution as long as qiye takes."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["title", "description", "enterprise", "category", "department", "owner",
                         "reported_on", "due_on", "status", "resolved_on", "resolution"])
        reported, n = date(2000, 1, 3), 0
        while reported < date(2023, 11, 20):
            resolved = n % 3 == 0
            writer.writerow([
                f"第 {n} 个问题：" + "厂区道路积水，影响原料运输，" * 5, LONGEST if n == 0 else f"描述 {n}",
                f"浏阳经开区第{n % 600:03d}号新材料科技有限公司", CATEGORIES[n % len(CATEGORIES)], f"责任单位{n % 40}",
                f"干部{n % 90}", reported.isoformat(), (reported + timedelta(days=30)).isoformat(),
                "resolved" if resolved else "open", (reported + timedelta(days=20)).isoformat() if resolved else "",
                LONGEST if n == 0 else "已办结" if resolved else ""])
            reported += timedelta(weeks=1)
            n += 1


@pytest.fixture(scope="module")
def big(tmp_path_factory, sqlite_template):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("pipes")

    def build(qiye):  # type: ignore[no-untyped-def]
        ledger = folder / "ledger.csv"
        big_ledger_file(ledger)
        qiye.ok("import", "issues", str(ledger))

    yield from module_database("sqlite", folder, sqlite_template, build)


PAGE = 4096
# qiye, with the pipe it writes to narrowed to one page: then the pipe holds PAGE bytes, GNU head
# reads at most BUFSIZ (8 KiB) before it has its first line and leaves, and a longer output is
# certain to meet the closed pipe.
NARROWED = ("import fcntl, os, sys; fcntl.fcntl(1, fcntl.F_SETPIPE_SZ, {page}); "
            "os.execv(sys.executable, [sys.executable, '-m', 'qiye_service', *sys.argv[1:]])")
ENOUGH = PAGE + 16 * 1024


@pytest.mark.skipif(not hasattr(fcntl, "F_SETPIPE_SZ"), reason="needs Linux's F_SETPIPE_SZ")
@pytest.mark.parametrize(("command", "fmt"), CASES)
def test_head_closes_the_pipe_early(big, command: str, fmt: str) -> None:
    args = [*COMMANDS[command][0], "--format", fmt]
    whole = big.ok(*args).stdout.encode()
    assert len(whole) > ENOUGH, f"{command} --format {fmt}: only {len(whole)} bytes"
    qiye = f"{shlex.quote(sys.executable)} -S -c {shlex.quote(NARROWED.format(page=PAGE))}"
    script = f'set -o pipefail; {qiye} "$@" | head -1'
    # As a user runs it: Python's stdout buffered (with PYTHONUNBUFFERED a partial write to a
    # pipe loses the rest without an error, so the closed pipe would go unnoticed).
    env = {key: value for key, value in {**os.environ, **big.env}.items() if key != "PYTHONUNBUFFERED"}
    done = subprocess.run(["bash", "-c", script, "qiye", *args], capture_output=True, env=env, timeout=120)
    assert (done.returncode, done.stderr.decode()) == (0, ""), f"qiye {' '.join(args)} | head -1"
    assert done.stdout == whole.splitlines(keepends=True)[0]
