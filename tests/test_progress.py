"""Long work shows its progress (issue 26), through a pseudo-terminal: on stderr only when it is
a terminal, never on stdout (which stays byte for byte what a script gets), plain under
NO_COLOR, none with --quiet, in the interface language; Ctrl-C says what was not written."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

QIYE = str(Path(sys.executable).parent / "qiye")  # the venv's console script
ROWS = 3000  # enough for the import's figures (reported every 1,000 rows)


@pytest.fixture(autouse=True)
def needs_the_console_script() -> None:
    if not Path(QIYE).exists():
        pytest.skip("the qiye console script is not installed beside this interpreter")


def write_ledger(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("enterprise,category,reported_on,title,description,department,owner,tags\n")
        for n in range(rows):
            handle.write(f"企业{n % 50},road,2023-{1 + n % 12:02d}-{1 + n % 28:02d},问题标题{n} 二期厂房消防验收,"
                         f"消防车道宽度不足，需整改；企业称已按图施工，请求复核 {n},部门{n % 10},负责人{n % 40},标签{n % 5}\n")
    return path


class Workspace:
    """The sample ledger in a folder of its own, set back to the same state before every run,
    so a run in a terminal and a run in a pipe can be compared byte for byte."""

    def __init__(self, tmp_path: Path, sample_file: Path, env: dict[str, str]) -> None:
        self.root = tmp_path / "work"
        self.sample_file = sample_file
        self.ledger_csv = write_ledger(tmp_path / "ledger.csv", ROWS)
        self.env = {**os.environ, **env, "QIYE_DB": str(self.root / "qiye.db"), "TERM": "xterm-256color",
                    "COLUMNS": "200"}
        self.env.pop("NO_COLOR", None)

    def reset(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir()
        shutil.copyfile(self.sample_file, self.root / "qiye.db")
        shutil.copyfile(self.sample_file, self.root / "backup.db")
        (self.root / "qiye.db").chmod(0o600)

    def args(self, command: str) -> list[str]:
        return [word.replace("WORK", str(self.root)).replace("CSV", str(self.ledger_csv)) for word in command.split()]

    def in_a_pipe(self, command: str, **env: str) -> subprocess.CompletedProcess[bytes]:
        self.reset()
        return subprocess.run([QIYE, *self.args(command)], capture_output=True, env={**self.env, **env}, timeout=300)

    def in_a_terminal(self, command: str, **env: str) -> tuple[int, str, bytes]:
        """stderr (and stdin) a terminal, stdout a file: (exit status, what the terminal showed, stdout)."""
        self.reset()
        out = self.root.parent / "stdout"
        child = pexpect.spawn("/bin/sh", ["-c", 'exec "$0" "$@" > "$QIYE_TEST_STDOUT"', QIYE, *self.args(command)],
                              env={**self.env, **env, "QIYE_TEST_STDOUT": str(out)}, encoding="utf-8",
                              timeout=300, dimensions=(40, 200))
        child.expect(pexpect.EOF)
        child.close()
        return child.exitstatus, child.before, out.read_bytes()


@pytest.fixture
def work(tmp_path: Path, sample_file: Path, base_env: dict[str, str]) -> Workspace:
    return Workspace(tmp_path, sample_file, base_env)


# Each long command, and what its progress says.
COMMANDS = {
    "import issues CSV": "importing ledger.csv: reading and checking",
    "export issues --out WORK/issues.csv": "exporting to ",
    "export events --format xlsx --out WORK/events.xlsx": "exporting to ",
    "report weekly --format csv --out WORK/weekly.csv": "writing the report to ",
    "db check": "checking each issue against its history",
    "db backup WORK/copy.db": "copying the ledger to ",
    "db restore --yes WORK/backup.db": "checking the backup ",
    "db seal": "sealing the ledger: reading every event",
}


@pytest.mark.parametrize("command", COMMANDS)
def test_a_terminal_sees_the_progress_and_stdout_is_what_a_script_gets(work, command):
    piped = work.in_a_pipe(command)
    assert piped.returncode == 0, piped.stderr
    assert COMMANDS[command].encode() not in piped.stderr and b"\r" not in piped.stderr  # no terminal: none
    status, shown, stdout = work.in_a_terminal(command)
    assert status == 0, shown
    assert COMMANDS[command] in shown, shown
    assert "\x1b[" in shown  # rich's bar, drawn and then cleared
    assert stdout == piped.stdout  # byte for byte


def test_the_import_counts_rows_and_shows_how_far_it_is(work):
    status, shown, _ = work.in_a_terminal("import issues CSV")
    assert status == 0, shown
    assert re.search(r"[1-9],000 rows  \d+%", shown), shown  # rich draws five times a second: some thousand
    assert "writing to the ledger" in shown, shown


def test_the_check_names_each_stage_with_its_figures(work):
    status, shown, _ = work.in_a_terminal("db check", NO_COLOR="1")
    assert status == 0, shown
    assert "checking the storage" in shown
    assert "checking each issue against its history  174 / 174  100%" in shown, shown


@pytest.mark.parametrize("command", ["import issues CSV", "db check", "export issues --out WORK/issues.csv"])
def test_no_color_gives_one_plain_line_and_no_escape_sequence(work, command):
    status, shown, _ = work.in_a_terminal(command, NO_COLOR="1")
    assert status == 0, shown
    assert COMMANDS[command] in shown, shown
    assert "\x1b" not in shown, repr(shown)


def test_a_terminal_that_cannot_move_its_cursor_gets_the_plain_line(work):
    status, shown, _ = work.in_a_terminal("db check", TERM="dumb")
    assert status == 0 and COMMANDS["db check"] in shown and "\x1b" not in shown, repr(shown)


@pytest.mark.parametrize("command", ["--quiet import issues CSV", "db check --quiet",
                                     "export issues --out WORK/issues.csv --quiet"])
def test_quiet_shows_none(work, command):
    status, shown, _ = work.in_a_terminal(command)
    assert status == 0, shown
    assert not any(text in shown for text in COMMANDS.values()), shown
    assert "\x1b" not in shown and "\r" not in shown.replace("\r\n", "\n"), repr(shown)


def test_the_progress_speaks_the_interface_language(work):
    status, shown, _ = work.in_a_terminal("--lang zh export issues --out WORK/issues.csv", NO_COLOR="1")
    assert status == 0, shown
    assert "正在导出到 " in shown and "exporting" not in shown, shown
    status, shown, _ = work.in_a_terminal("db check", QIYE_LANG="zh")
    assert status == 0 and "正在逐个核对问题与办理过程" in shown, shown


def test_quiet_has_chinese_help(qiye):
    shown = qiye.ok("--lang", "zh", "--help").stdout
    assert "长时间操作时不在标准错误上显示进度" in shown


def test_ctrl_c_mid_import_writes_nothing_and_says_so(work, tmp_path):
    big = write_ledger(tmp_path / "big.csv", 200_000)
    work.reset()
    ledger = work.root / "qiye.db"
    before = _counts(ledger)
    child = pexpect.spawn(QIYE, ["import", "issues", str(big)], env={**work.env, "NO_COLOR": "1"},
                          encoding="utf-8", timeout=300, dimensions=(40, 200))
    # The import is under way once it has counted rows (the first figures come after 1,000).
    child.expect(r"importing big\.csv: reading and checking  [1-9][\d,]* rows")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    lines = [line.strip() for line in re.split(r"[\r\n]+", child.before) if line.strip()]
    assert lines[-1] == "error: interrupted; nothing was imported: the ledger is as it was", repr(child.before)
    assert child.exitstatus == 130
    assert _counts(ledger) == before
    check = subprocess.run([QIYE, "db", "check"], capture_output=True, env=work.env, timeout=300)
    assert check.returncode == 0, check.stderr


def test_ctrl_c_mid_export_leaves_no_part_of_the_file(sample, tmp_path, monkeypatch):
    from qiye_service.render import text

    target = tmp_path / "issues.csv"
    real = text.write_delimited

    def interrupted(rows, fields, out, **kwargs):  # type: ignore[no-untyped-def]
        def some():  # type: ignore[no-untyped-def]
            for number, row in enumerate(rows):
                if number == 50:
                    raise KeyboardInterrupt
                yield row
        return real(some(), fields, out, **kwargs)

    monkeypatch.setattr(text, "write_delimited", interrupted)
    result = sample("export", "issues", "--out", str(target))
    assert result.exit_code == 130
    assert result.stderr == f"error: interrupted; nothing was written: the unfinished {target} was removed\n"
    assert not target.exists() and list(tmp_path.glob("*.csv")) == []


def _counts(path: Path) -> tuple:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return tuple(conn.execute(f"select count(*) from {table}").fetchone()[0]
                     for table in ("issue", "event", "enterprise", "tag"))


@pytest.mark.parametrize("command", ["db check", "db seal", "export issues --out OUT", "import issues CSV"])
def test_on_either_backend(sample, tmp_path, command):
    """The same progress on PostgreSQL (the seal and the check read it through their own cursors)."""
    csv = write_ledger(tmp_path / "ledger.csv", ROWS)
    args = [word.replace("OUT", str(tmp_path / "out.csv")).replace("CSV", str(csv)) for word in command.split()]
    env = {**os.environ, **sample.env, "TERM": "xterm-256color"}
    child = pexpect.spawn(QIYE, args, env=env, encoding="utf-8", timeout=300, dimensions=(40, 200))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    expected = {"db check": "checking each issue against its history  174 / 174  100%",
                "db seal": "sealing the ledger: reading every event", "export issues --out OUT": "exporting to ",
                "import issues CSV": "importing ledger.csv: reading and checking  3,000 rows  100%"}[command]
    assert expected in child.before, repr(child.before)
