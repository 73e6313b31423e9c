"""Long work shows its progress (issue 26), through a pseudo-terminal: on stderr only when it is
a terminal, never on stdout (which stays byte for byte what a script gets), plain under
NO_COLOR, none with --quiet, in the interface language; Ctrl-C says what was not written."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
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
    assert result.stderr == f"error: interrupted; nothing was written to {target}: the unfinished file was removed\n"
    assert not target.exists() and list(tmp_path.glob("*.csv")) == []


def _counts(path: Path) -> tuple:
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


# Ctrl-C in the middle of each long command, deterministically: tests/stall_launcher.py holds the
# work still at a chosen point (after the progress there is drawn) until the terminal's Ctrl-C.
# For each: the command (OUT: a folder of the test's own; BACKUP: a backup of an empty ledger),
# where it is held, what the terminal shows first, and the one line it ends with, in English and
# in Chinese.
LAUNCHER = Path(__file__).parent / "stall_launcher.py"
CTRL_C = {
    "export csv": ("export issues --out OUT/issues.csv", "progress.export figures", ("exporting to ", "正在导出到 "),
                   ("interrupted; nothing was written to OUT/issues.csv: the unfinished file was removed",
                    "已中断；未向 OUT/issues.csv 写入任何内容：未完成的文件已删除")),
    "export xlsx": ("export events --format xlsx --out OUT/events.xlsx", "progress.export figures",
                    ("exporting to ", "正在导出到 "),
                    ("interrupted; nothing was written to OUT/events.xlsx: the unfinished file was removed",
                     "已中断；未向 OUT/events.xlsx 写入任何内容：未完成的文件已删除")),
    # Held when the whole workbook is written, just before it would be put in place.
    "report xlsx": ("report weekly --format xlsx --out OUT/weekly.xlsx", "qiye_service.outfiles:Temporary.publish",
                    ("writing the report to ", "正在写入报表 "),
                    ("interrupted; nothing was written to OUT/weekly.xlsx: the unfinished file was removed",
                     "已中断；未向 OUT/weekly.xlsx 写入任何内容：未完成的文件已删除")),
    "db check": ("db check", "progress.check_history figures", ("checking each issue against its history", "正在逐个核对问题与办理过程"),
                 ("interrupted; the check did not finish: nothing was written, the ledger is as it was",
                  "已中断；检查未完成：未写入任何内容，台账保持原样")),
    # Held when the copy is made, before it is checked and put in place.
    "db backup": ("db backup OUT/copy.db", "progress.backup_check", ("checking the copy", "正在检查副本"),
                  ("interrupted; no backup was made at OUT/copy.db: the unfinished copy was removed",
                   "已中断；未在 OUT/copy.db 生成备份：未完成的副本已删除")),
    # Held when the backup has been copied beside the ledger, before it is checked.
    "db restore, checking": ("db restore --yes BACKUP", "qiye_service.services.backup:_validate_copy",
                             ("checking the backup ", "正在检查备份 "),
                             ("interrupted; the ledger was not restored: it is as it was",
                              "已中断；台账未恢复：保持原样")),
    # Held when the ledger is about to be replaced (on SQLite its copy is kept already).
    # (On PostgreSQL: the rows are copied in, the transaction not yet committed.)
    "db restore, replacing": ("db restore --yes BACKUP", {"sqlite": "qiye_service.services.backup:_swap_file",
                                                         "postgresql": "qiye_service.services.backup:_reset_sequence"},
                              ("replacing the ledger", "正在替换台账"),
                              ("interrupted; the ledger was not restored: it is as it was",
                               "已中断；台账未恢复：保持原样")),
    "db seal": ("db seal", "progress.seal figures", ("sealing the ledger: reading every event", "正在生成台账封签"),
                ("interrupted; no seal was taken: the ledger is as it was", "已中断；未生成封签：台账保持原样")),
}
LEDGER_TABLES = ("issue", "event", "enterprise", "department", "tag", "seal", "app_user")


def ledger_state(qiye) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {table: qiye.sql(f"select count(*) from {table}")[0][0] for table in LEDGER_TABLES}


def interrupt_held(qiye, args: list[str], stall: str, shown: str, folder: Path,  # type: ignore[no-untyped-def]
                   **env: str) -> tuple[int, list[str], str]:
    """Run `qiye ARGS` in a pseudo-terminal held at `stall`, see `shown`, press Ctrl-C: the exit
    status, the lines the terminal shows (escape sequences taken out) and all it showed."""
    stalled = folder / "stalled"
    child = pexpect.spawn(sys.executable, [str(LAUNCHER), *args], encoding="utf-8", timeout=120, dimensions=(40, 200),
                          env={**os.environ, **qiye.env, "TERM": "xterm-256color", "QIYE_TEST_STALL": stall,
                               "QIYE_TEST_STALLED": str(stalled), **env})
    child.expect_exact(shown)
    for _ in range(1200):  # held (the progress is drawn before the hold)
        if stalled.exists() or not child.isalive():
            break
        time.sleep(0.05)
    assert stalled.exists(), child.read_nonblocking(100_000, timeout=1)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    shown_all = child.before
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown_all)
    lines = [line.strip() for line in re.split(r"[\r\n]+", plain) if line.strip()]
    return child.exitstatus, lines, shown_all


# Each case in English, and each message once in Chinese.
IN_CHINESE = ("export csv", "report xlsx", "db check", "db backup", "db restore, replacing", "db seal")


@pytest.mark.parametrize(("case", "lang"), [(case, "en") for case in CTRL_C] + [(case, "zh") for case in IN_CHINESE])
def test_ctrl_c_mid_work_says_what_was_not_written_and_changes_nothing(sample, sqlite_template, tmp_path, case, lang):
    command, stall, shown, said = CTRL_C[case]
    stall = stall if isinstance(stall, str) else stall["postgresql" if "://" in sample.url else "sqlite"]
    out = tmp_path / "out"
    out.mkdir()
    backup = tmp_path / "backups" / "empty.db"  # a ledger that differs from the live one
    backup.parent.mkdir()
    shutil.copyfile(sqlite_template, backup)
    with sqlite3.connect(backup) as conn:  # as `db backup` leaves its files
        conn.execute("pragma journal_mode = delete")
    words = [word.replace("OUT", str(out)).replace("BACKUP", str(backup)) for word in command.split()]
    before = ledger_state(sample)
    ledger = None if "://" in sample.url else Path(sample.url)

    def beside_the_ledger() -> list[str]:  # a kept copy, a temporary (the -wal and -shm come and go)
        assert ledger is not None
        return sorted(p.name for p in ledger.parent.iterdir()
                      if p.name.startswith((".", "qiye")) and not p.name.startswith(ledger.name + "-"))

    folder_before = beside_the_ledger() if ledger else None
    index = 0 if lang == "en" else 1
    # The bar (rich) in English, the plain line (NO_COLOR) in Chinese.
    env = {"QIYE_LANG": lang, **({"NO_COLOR": ""} if lang == "en" else {})}
    status, lines, everything = interrupt_held(sample, words, stall, shown[index], tmp_path, **env)
    expected = "error: " + said[index].replace("OUT", str(out))
    assert lines[-1] == expected, repr(everything)
    assert [line for line in lines if "error" in line or "错误" in line] == [expected], repr(everything)
    assert status == 130, repr(everything)
    assert ledger_state(sample) == before
    check = subprocess.run([QIYE, "db", "check"], capture_output=True, env={**os.environ, **sample.env}, timeout=300)
    assert check.returncode == 0, check.stderr
    assert list(out.iterdir()) == []  # no part of a file, not even a hidden one
    assert sorted(p.name for p in backup.parent.iterdir()) == ["empty.db"]  # no kept copy beside it (PostgreSQL)
    if ledger is not None:
        assert beside_the_ledger() == folder_before


def test_ctrl_c_while_the_restored_ledger_is_swapped_in_finishes_the_swap_and_says_so(sqlite_qiye, sample_file,
                                                                                        tmp_path, monkeypatch):
    """The swap is not cut in two: a Ctrl-C during it is raised once the ledger is restored."""
    import signal

    from qiye_service import outfiles

    live = Path(sqlite_qiye.url)
    real = outfiles.Temporary.rename_over

    def pressed_during_the_swap(self, target):  # type: ignore[no-untyped-def]
        if target == live.resolve():
            os.kill(os.getpid(), signal.SIGINT)
        return real(self, target)

    monkeypatch.setattr(outfiles.Temporary, "rename_over", pressed_during_the_swap)
    sqlite_qiye.ok("issue", "list")  # the empty ledger, made before the restore
    result = sqlite_qiye("db", "restore", "--yes", str(sample_file))
    kept = next(live.parent.glob("qiye.replaced-*.db"))
    assert result.stderr == f"error: interrupted after the ledger was restored from {sample_file}; " \
                            f"the replaced one is kept as {kept}\n"
    assert result.exit_code == 130
    assert sqlite_qiye.sql("select count(*) from issue") == [(174,)]
