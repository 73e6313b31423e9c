"""Start-up stays light: `qiye --help` and `qiye --version` (and every group's help) never
import SQLAlchemy or the other heavy libraries; they load only when a command needs the database.
"""

from __future__ import annotations

import json
import subprocess
import sys

from qiye_service import __version__

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "psycopg", "openpyxl")

# Calls the CLI's main in-process with each argument list and reports, after each, which heavy
# modules are loaded and how main exited. argv[1]: the argument lists; argv[2]: the module names.
RUNNER = """
import contextlib, gc, io, json, sys
from qiye_service.cli import main
arg_lists, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
report = []
for args in arg_lists:
    sys.argv = ["qiye", *args]
    out = io.StringIO()
    code = None
    with contextlib.redirect_stdout(out):
        try:
            main()
        except SystemExit as exc:
            code = exc.code
    loaded = [name for name in heavy if name in sys.modules]
    report.append({"args": args, "code": code, "loaded": loaded, "out": out.getvalue(), "gc": gc.isenabled()})
print(json.dumps(report))
"""


def run_in_process(*arg_lists: list[str]) -> list[dict]:
    done = subprocess.run([sys.executable, "-c", RUNNER, json.dumps(arg_lists), json.dumps(HEAVY)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_help_and_version_do_not_import_sqlalchemy():
    help_report, version_report = run_in_process(["--help"], ["--version"])
    assert help_report["code"] == 0 and "Usage" in help_report["out"]
    assert help_report["loaded"] == []
    assert version_report["code"] == 0 and version_report["out"] == f"qiye {__version__}\n"
    assert version_report["loaded"] == []


def test_group_and_command_help_do_not_import_sqlalchemy():
    arg_lists = [["issue", "--help"], ["issue", "list", "--help"], ["issue", "add", "--help"],
                 ["enterprise", "--help"], ["db", "--help"], ["db", "info", "--help"], ["category", "--help"]]
    for entry in run_in_process(*arg_lists):
        assert entry["code"] == 0, entry
        assert entry["loaded"] == [], entry  # cumulative: the first entry that loads one is named


def test_the_runner_would_notice():
    # A command that opens the database (the test's own, see conftest) does load SQLAlchemy,
    # so the checks above can fail.
    created, listed = run_in_process(["init"], ["category", "list", "--format", "csv"])
    assert created["code"] == 0 and "sqlalchemy" in created["loaded"]
    assert listed["code"] == 0 and listed["out"].startswith("code,name_zh")


def test_the_collector_waits_for_the_engine():
    """main() keeps the cyclic garbage collector off while start-up loads its modules; building
    the engine freezes what start-up made and turns it back on, so the work (a long import, an
    export) runs with it."""
    version, created, listed = run_in_process(["--version"], ["init"], ["category", "list"])
    assert (version["code"], version["gc"]) == (0, False)
    assert (created["code"], created["gc"]) == (0, True)
    assert (listed["code"], listed["gc"]) == (0, True)


def test_python_dash_m_version_as_a_process():
    done = subprocess.run([sys.executable, "-m", "qiye_service", "--version"], capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"qiye {__version__}\n", "")
