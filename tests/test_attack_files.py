"""Issue 25, points 2, 3, 4 and the full disks of 12, each attack performed through the real CLI:
no output replaces the ledger, its -wal/-shm/-journal or a backup (not even with --force), and
another file only with --force or a yes at the terminal; a restore through a symlinked --db swaps
the real ledger and keeps the link; no temporary follows a planted symlink, and qiye deletes only
what it can prove it made; a full disk is one `error:` line naming the file, leaving nothing."""

from __future__ import annotations

import hashlib
import os
import resource
import select
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from conftest import Qiye, pg_schema_url

# Every command that writes a file the user names; "{}" is the file.
WRITERS = {
    "export csv": ("export", "issues", "--out", "{}"),
    "export xlsx": ("export", "issues", "--format", "xlsx", "--out", "{}"),
    "report csv": ("report", "summary", "--format", "csv", "--out", "{}"),
    "report xlsx": ("report", "weekly", "--format", "xlsx", "--out", "{}"),
    "db backup": ("db", "backup", "{}"),
}


def command(kind: str, target: Path | str, *extra: str) -> list[str]:
    return [str(target) if arg == "{}" else arg for arg in WRITERS[kind]] + list(extra)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def identities(*paths: Path) -> dict[str, tuple[int, int, int]]:
    """Inode, mode and size of each file that exists: a replaced file gets a new inode."""
    found = {}
    for path in paths:
        if path.exists():
            st = os.stat(path)
            found[path.name] = (st.st_ino, stat.S_IMODE(st.st_mode), st.st_size)
    return found


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def unfinished_notes(qiye: Qiye) -> list[str]:
    folder = Path(qiye.env["QIYE_CONFIG_DIR"]) / "unfinished"
    return listing(folder) if folder.exists() else []


@contextmanager
def another_reader(path: Path) -> Iterator[None]:
    """Another cadre's qiye holding the SQLite ledger open, so its -wal and -shm exist. In a process
    of its own: a file this process opened and closed would drop that connection's locks."""
    code = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('select count(*) from issue')"
            ".fetchall(); print('ready', flush=True); sys.stdin.read()")
    process = subprocess.Popen([sys.executable, "-c", code, str(path)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        yield
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=60)


@pytest.fixture
def ledger(sqlite_qiye: Qiye) -> Qiye:
    """An SQLite ledger with two issues."""
    sqlite_qiye.ok("enterprise", "add", "蓝思科技")
    sqlite_qiye.ok("issue", "add", "二期厂房消防验收", "-e", "蓝思科技", "-c", "fire-acceptance")
    sqlite_qiye.ok("issue", "add", "道路建设", "-e", "蓝思科技", "-c", "road")
    return sqlite_qiye


# --- point 2: the ledger, its companions and backups are never replaced -------------------------


@pytest.mark.parametrize("kind", WRITERS)
@pytest.mark.parametrize("spelling", ["itself", "dot-slash", "symlink", "hard link", "-wal", "-shm", "-journal"])
def test_no_output_replaces_the_ledger_or_its_companions(ledger: Qiye, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         kind: str, spelling: str) -> None:
    live = Path(ledger.url)
    monkeypatch.chdir(tmp_path)
    target = {"itself": live, "dot-slash": Path("./qiye.db"), "symlink": tmp_path / "link.db",
              "hard link": tmp_path / "hard.db", "-wal": Path(f"{live}-wal"), "-shm": Path(f"{live}-shm"),
              "-journal": Path(f"{live}-journal")}[spelling]
    if spelling == "symlink":
        target.symlink_to(live)
    if spelling == "hard link":
        os.link(live, target)
    with another_reader(live):
        files = [live, *(Path(f"{live}{suffix}") for suffix in ("-wal", "-shm", "-journal"))]
        before, names, data = identities(*files), listing(tmp_path), digest(live)
        assert {"qiye.db", "qiye.db-wal", "qiye.db-shm"} <= set(before)
        result = ledger(*command(kind, target, "--force"))
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
        assert (f"{target.name} is the database itself or one of its -wal, -shm, -journal files ({live}); qiye "
                "never writes over them, even with --force: choose another file") in result.stderr
        assert identities(*files) == before and digest(live) == data
        assert listing(tmp_path) == names
    assert stat.S_IMODE(live.stat().st_mode) == 0o600
    assert ledger.ok("db", "check").exit_code == 0


@pytest.mark.parametrize("kind", WRITERS)
def test_no_output_replaces_a_backup(filed: Qiye, tmp_path: Path, kind: str) -> None:
    backup = tmp_path / "friday.db"
    filed.ok("db", "backup", str(backup))
    kept = digest(backup)
    result = filed(*command(kind, backup, "--force"))
    assert result.exit_code == 1, result.output
    assert result.stderr == (f"error: {backup} is an SQLite database (a ledger or a backup); qiye never writes "
                             "over one, even with --force: choose another name\n")
    assert digest(backup) == kept
    assert not [name for name in listing(tmp_path) if "qiye-tmp" in name]


# --- point 2: another existing file: --force, a prompt at a terminal, or an error ----------------


@pytest.mark.parametrize("kind", WRITERS)
def test_an_existing_file_is_replaced_only_with_force(filed: Qiye, tmp_path: Path, kind: str) -> None:
    target = tmp_path / "周调度.out"
    target.write_text("last week's notes\n", encoding="utf-8")
    target.chmod(0o640)
    result = filed(*command(kind, target))  # the test runner is no terminal
    assert result.exit_code == 1
    assert result.stderr == f"error: {target} already exists; pass --force to replace it, or choose another name\n"
    assert target.read_text(encoding="utf-8") == "last week's notes\n"

    filed.ok(*command(kind, target, "--force"))
    assert target.read_bytes() != b"last week's notes\n"
    # A replaced output keeps the file's mode; a backup is always private.
    assert stat.S_IMODE(target.stat().st_mode) == (0o600 if kind == "db backup" else 0o640)
    assert not [name for name in listing(tmp_path) if "qiye-tmp" in name]


def run_in_terminal(qiye: Qiye, args: list[str], answer: str, asked: bytes = b"Replace it?") -> tuple[int, str]:
    """`qiye` with a pseudo-terminal as stdin, stdout and stderr; `answer` goes to its question."""
    master, slave = os.openpty()
    process = subprocess.Popen([sys.executable, "-m", "qiye_service", *args], stdin=slave, stdout=slave,
                               stderr=slave, env={**os.environ, **qiye.env}, close_fds=True)
    os.close(slave)
    seen, answered = b"", False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: the process closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
                if not answered and asked in seen:
                    os.write(master, answer.encode() + b"\n")
                    answered = True
            elif process.poll() is not None:
                break
        process.wait(timeout=60)
    finally:
        os.close(master)
    return process.returncode, seen.decode("utf-8", "replace")


@pytest.mark.parametrize("kind", ["export csv", "report xlsx"])
def test_a_terminal_is_asked_before_a_file_is_replaced(sqlite_qiye: Qiye, tmp_path: Path, kind: str) -> None:
    target = tmp_path / "台账.out"
    target.write_text("keep me\n", encoding="utf-8")
    code, screen = run_in_terminal(sqlite_qiye, command(kind, target), "n")
    assert f"{target} already exists. Replace it? [y/N]:" in screen
    assert code == 1 and f"error: {target} was not replaced; nothing was written" in screen
    assert target.read_text(encoding="utf-8") == "keep me\n"
    code, screen = run_in_terminal(sqlite_qiye, command(kind, target), "y")
    assert code == 0, screen
    assert target.read_bytes() != b"keep me\n"
    assert "Traceback" not in screen


def test_the_question_is_asked_and_answered_in_chinese(sqlite_qiye: Qiye, tmp_path: Path) -> None:
    target = tmp_path / "台账.out"
    target.write_text("keep me\n", encoding="utf-8")
    asked = "是否覆盖？".encode()
    code, screen = run_in_terminal(sqlite_qiye, ["--lang", "zh", *command("export csv", target)], "否", asked)
    assert f"{target} 已存在，是否覆盖？ [是/否，默认否]：" in screen
    assert code == 1 and target.read_text(encoding="utf-8") == "keep me\n"
    # An answer that is neither is asked again, in Chinese; 是 replaces the file.
    code, screen = run_in_terminal(sqlite_qiye, ["--lang", "zh", *command("export csv", target)], "也许\n是", asked)
    assert code == 0, screen
    assert "请回答“是”或“否”（y/n）。" in screen and "invalid input" not in screen and "[y/N]" not in screen
    assert target.read_bytes() != b"keep me\n"


# --- point 3: restore and backup through a symlinked --db ----------------------------------------


@pytest.fixture
def linked(tmp_path: Path, sqlite_template: Path, base_env: dict[str, str]) -> tuple[Qiye, Path, Path]:
    """A ledger in data/ledger.db used through the symlink qiye.db -> data/ledger.db."""
    real = tmp_path / "data" / "ledger.db"
    real.parent.mkdir()
    shutil.copyfile(sqlite_template, real)
    real.chmod(0o600)
    link = tmp_path / "qiye.db"
    link.symlink_to(real)
    qiye = Qiye(str(link), {**base_env, "QIYE_DB": str(link)})
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("issue", "add", "备份之前登记", "-e", "蓝思科技", "-c", "road")
    return qiye, link, real


def titles(qiye: Qiye) -> list[str]:
    return qiye.ok("issue", "list", "--status", "all", "--format", "csv").stdout.splitlines()[1:]


def test_restore_through_a_symlinked_db_swaps_the_real_ledger(linked: tuple[Qiye, Path, Path],
                                                              tmp_path: Path) -> None:
    qiye, link, real = linked
    backup = tmp_path / "backup.db"
    qiye.ok("db", "backup", str(backup))
    qiye.ok("issue", "add", "备份之后登记", "-e", "蓝思科技", "-c", "road")
    before = titles(qiye)
    qiye.ok("db", "restore", str(backup), "--yes")
    assert link.is_symlink() and os.readlink(link) == str(real)  # the link stays a link, to the same file
    assert real.read_bytes()[:16] == b"SQLite format 3\x00" and stat.S_IMODE(real.stat().st_mode) == 0o600
    after = titles(qiye)
    assert len(after) == 1 and "备份之前登记" in after[0] and len(before) == 2
    assert qiye.ok("db", "check").exit_code == 0
    direct = Qiye(str(real), {**qiye.env, "QIYE_DB": str(real)})
    assert titles(direct) == after
    kept = list(real.parent.glob("ledger.replaced-*.db"))  # the replaced ledger, beside the real file
    assert len(kept) == 1
    with sqlite3.connect(kept[0]) as conn:
        assert conn.execute("select count(*) from issue").fetchone() == (2,)
    assert not [p for p in (tmp_path, real.parent) for name in listing(p) if "qiye-tmp" in name]


def test_backup_through_a_symlinked_db_copies_the_real_ledger_and_never_its_files(
        linked: tuple[Qiye, Path, Path], tmp_path: Path) -> None:
    qiye, link, real = linked
    copy = tmp_path / "copy.db"
    qiye.ok("db", "backup", str(copy))
    with sqlite3.connect(copy) as conn:
        assert conn.execute("select title from issue").fetchall() == [("备份之前登记",)]
    data = digest(real)
    for target in (link, real, Path(f"{real}-wal"), Path(f"{real}-journal"), Path(f"{link}-shm")):
        result = qiye("db", "backup", str(target), "--force")
        assert result.exit_code == 1 and "is the database itself" in result.stderr, (target, result.output)
    assert digest(real) == data and link.is_symlink()
    assert listing(real.parent) == ["ledger.db"]


def test_restore_refuses_a_ledger_with_other_hard_links(ledger: Qiye, tmp_path: Path) -> None:
    backup = tmp_path / "backup.db"
    ledger.ok("db", "backup", str(backup))
    live = Path(ledger.url)
    other = tmp_path / "also.db"
    os.link(live, other)
    data = digest(live)
    result = ledger("db", "restore", str(backup), "--yes")
    assert result.exit_code == 1
    assert result.stderr == (f"error: {live} has 2 hard links; a restore replaces the file, and the other names "
                             "would keep the old ledger: remove the other links first\n")
    assert digest(live) == digest(other) == data


# --- point 4: temporaries: never a planted name, never someone else's file -------------------


def test_a_planted_part_file_symlink_is_not_followed(ledger: Qiye, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("my thesis\n", encoding="utf-8")
    planted = tmp_path / ".out.csv.part"
    planted.symlink_to(victim)
    out = tmp_path / "out.csv"
    ledger.ok("export", "issues", "--out", str(out))
    assert victim.read_text(encoding="utf-8") == "my thesis\n"
    assert out.read_text(encoding="utf-8") == ledger.ok("export", "issues").stdout
    assert planted.is_symlink()  # not qiye's: left where it was


def test_planted_backup_and_restore_temporaries_are_neither_followed_nor_deleted(ledger: Qiye,
                                                                                 tmp_path: Path) -> None:
    """The names the old temporaries had (`.NAME.PURPOSE-PID.tmp`) are guessable: this process's
    pid is the one an in-process qiye runs with."""
    victim = tmp_path / "victim.txt"
    victim.write_text("my thesis\n", encoding="utf-8")
    pid = os.getpid()
    folder = tmp_path / "backups"
    folder.mkdir()
    planted = [folder / f".b.db.backup-{pid}.tmp", tmp_path / f".qiye.db.restore-{pid}.tmp",
               tmp_path / f".qiye.replaced-x.db.keep-{pid}.tmp"]
    for link in planted:
        link.symlink_to(victim)
    ledger.ok("db", "backup", str(folder / "b.db"))
    ledger.ok("issue", "add", "备份之后", "-e", "蓝思科技", "-c", "road")
    ledger.ok("db", "restore", str(folder / "b.db"), "--yes")
    assert len(titles(ledger)) == 2
    assert victim.read_text(encoding="utf-8") == "my thesis\n"
    assert all(link.is_symlink() for link in planted)


def test_files_named_like_old_temporaries_survive(ledger: Qiye, tmp_path: Path) -> None:
    folder = tmp_path / "thesis"
    folder.mkdir()
    foreign = [folder / ".thesis.backup-999999.tmp", tmp_path / ".qiye.db.restore-999999.tmp",
               tmp_path / ".notes.keep-999999.tmp"]
    for path in foreign:
        path.write_text("mine, not qiye's\n", encoding="utf-8")
    ledger.ok("db", "backup", str(folder / "b.db"))
    ledger.ok("db", "restore", str(folder / "b.db"), "--yes")
    assert all(path.read_text(encoding="utf-8") == "mine, not qiye's\n" for path in foreign)


KILLED_MID_BACKUP = textwrap.dedent("""
    import os, signal, sqlite3, sys
    from pathlib import Path
    from qiye_service import outfiles

    temp = outfiles.Temporary(Path(sys.argv[1]))
    conn = sqlite3.connect(temp.path)
    conn.execute("create table page (n)")
    conn.execute("begin")
    conn.execute("insert into page values (1)")  # a write under way: its -journal exists
    print(temp.path, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_what_a_killed_qiye_left_is_cleaned_up_and_nothing_else(ledger: Qiye, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    killed = subprocess.run([sys.executable, "-c", KILLED_MID_BACKUP, str(folder / "b.db")], capture_output=True,
                            text=True, env={**os.environ, **ledger.env}, timeout=60)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left = Path(killed.stdout.strip())
    assert left.exists() and Path(f"{left}-journal").exists()
    assert len(unfinished_notes(ledger)) == 1
    # A user's files that merely look like qiye's: no note proves they are qiye's.
    lookalikes = [folder / ".b.db.AbC123xy.qiye-tmp", folder / ".b.db.AbC123xy.qiye-tmp-journal",
                  folder / ".thesis.backup-999999.tmp"]
    for path in lookalikes:
        path.write_text("mine\n", encoding="utf-8")
    ledger.ok("db", "backup", str(folder / "b.db"))
    assert listing(folder) == sorted(["b.db", *(p.name for p in lookalikes)])
    assert unfinished_notes(ledger) == []


def test_ctrl_c_mid_restore_leaves_no_temporary_or_journal(ledger: Qiye, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from qiye_service.services import backup as backups

    good = tmp_path / "backups" / "good.db"
    ledger.ok("db", "backup", str(good))
    validate = backups._validate_copy

    def interrupted(source: Path, copy: Path) -> object:
        validate(source, copy)
        conn = sqlite3.connect(copy)  # mid-way through writing the copy: its -journal exists
        conn.execute("begin immediate")
        conn.execute("insert into department (name) values ('半途')")
        assert Path(f"{copy}-journal").exists()
        raise KeyboardInterrupt

    monkeypatch.setattr(backups, "_validate_copy", interrupted)
    names, data = listing(tmp_path), digest(Path(ledger.url))
    result = ledger("db", "restore", str(good), "--yes")
    assert result.exit_code == 130 and result.stderr == "error: interrupted; the ledger was not restored: it is as it was\n"
    assert listing(tmp_path) == names and digest(Path(ledger.url)) == data
    assert unfinished_notes(ledger) == []


# --- point 12: full disks -------------------------------------------------------------------------


@pytest.fixture
def sample(backend: str, tmp_path: Path, sample_file: Path, base_env: dict[str, str],
           request: pytest.FixtureRequest) -> Iterator[Qiye]:
    """The sample ledger on this test's backend. On SQLite another reader holds it open, so its
    -shm exists and a qiye under a small file size limit can still open it."""
    if backend == "sqlite":
        path = tmp_path / "qiye.db"
        shutil.copyfile(sample_file, path)
        path.chmod(0o600)
        with another_reader(path):
            yield Qiye(str(path), {**base_env, "QIYE_DB": str(path)})
        return
    url = pg_schema_url(request.getfixturevalue("pg_schema"))
    qiye = Qiye(url, {**base_env, "QIYE_DB": url})
    qiye.ok("db", "restore", str(sample_file), "--yes")
    yield qiye


def file_size_limit(limit: int) -> Callable[[], None]:
    """For preexec_fn: writes past `limit` bytes fail with EFBIG (SIGXFSZ ignored), as `ulimit -f`."""
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def run_limited(qiye: Qiye, args: list[str], limit: int, stdout: Any = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qiye_service", *args], env={**os.environ, **qiye.env},
                          preexec_fn=file_size_limit(limit), stdout=stdout, stderr=subprocess.PIPE, text=True,
                          timeout=300)


def ledger_state(qiye: Qiye) -> object:
    if qiye.url.startswith("postgresql"):
        return qiye.ok("export", "events", "--format", "json").stdout
    return digest(Path(qiye.url))


def assert_one_error_line(stderr: str, start: str) -> None:
    assert stderr.startswith(start) and stderr.count("\n") == 1 and stderr.endswith("\n"), stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr


FULL_DISK_WRITERS = {
    "export csv": ("export", "issues", "--out", "{}"),
    "export json": ("export", "events", "--format", "json", "--out", "{}"),
    "export xlsx": ("export", "issues", "--format", "xlsx", "--out", "{}"),
    "report json": ("report", "overdue", "--format", "json", "--out", "{}"),
    "report markdown": ("report", "weekly", "--week", "2023-W50", "--format", "markdown", "--out", "{}"),
    "report xlsx": ("report", "weekly", "--week", "2023-W50", "--format", "xlsx", "--out", "{}"),
    "db backup": ("db", "backup", "{}"),
}


def full_disk_command(kind: str, target: Path) -> list[str]:
    return [str(target) if arg == "{}" else arg for arg in FULL_DISK_WRITERS[kind]]


@pytest.mark.parametrize("kind", FULL_DISK_WRITERS)
def test_an_output_past_the_file_size_limit_is_one_error_and_leaves_nothing(sample: Qiye, tmp_path: Path,
                                                                            kind: str) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "周报.out"
    before = ledger_state(sample)
    result = run_limited(sample, full_disk_command(kind, target), 4096)
    assert result.returncode == 1, result.stderr
    # An xlsx may fail first in openpyxl's working files, which the message then names.
    assert_one_error_line(result.stderr, f"error: cannot write {target}: ")
    assert result.stderr.endswith("; nothing was written\n")
    assert listing(folder) == []
    assert ledger_state(sample) == before
    assert unfinished_notes(sample) == []


def test_the_full_disk_message_is_chinese_under_zh(sample: Qiye, tmp_path: Path) -> None:
    target = tmp_path / "台账.csv"
    result = run_limited(sample, ["--lang", "zh", "export", "issues", "--out", str(target)], 4096)
    assert result.returncode == 1
    assert result.stderr == f"error: 无法写入 {target}：文件超出大小限制（ulimit -f）；未写入任何内容\n"


def test_stdout_past_the_file_size_limit_is_one_error(sample: Qiye, tmp_path: Path) -> None:
    redirected = tmp_path / "out.csv"
    with open(redirected, "w") as stdout:
        result = run_limited(sample, ["export", "issues"], 4096, stdout=stdout)
    assert result.returncode == 1
    assert result.stderr == "error: cannot write to standard output: the file would pass the file size limit " \
                            "(ulimit -f)\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("command", [("issue", "list"), ("issue", "show", "3"), ("report", "weekly"),
                                     ("report", "summary", "--format", "json"), ("enterprise", "list"),
                                     ("db", "info")])
def test_every_listing_to_a_full_disk_is_one_error(sample: Qiye, command: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "qiye_service", *command], stdout=full, stderr=subprocess.PIPE,
                                text=True, env={**os.environ, **sample.env}, timeout=120)
    assert (result.returncode, result.stderr) == (1, "error: cannot write to standard output: the disk is full\n")


def test_a_restore_past_the_file_size_limit_blames_the_ledgers_disk(sample: Qiye, tmp_path: Path,
                                                                    backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("a PostgreSQL restore writes no file beside the ledger")
    backup = tmp_path / "backup.db"
    sample.ok("db", "backup", str(backup))
    before, names = ledger_state(sample), listing(tmp_path)
    result = run_limited(sample, ["db", "restore", str(backup), "--yes"], 4096)
    assert result.returncode == 3, result.stderr
    assert_one_error_line(result.stderr, f"error: cannot restore {sample.url}: writing in {tmp_path} failed: ")
    assert "the database was not changed" in result.stderr and str(backup) not in result.stderr
    assert ledger_state(sample) == before and listing(tmp_path) == names
    assert unfinished_notes(sample) == []


# On a real full disk (a tiny tmpfs), where SQLite says SQLITE_FULL and the zip file's own close
# fails too: needs root and a kernel that lets this container mount.


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Callable[[int], Path]]:
    """mount(size) gives a new tmpfs of that size."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; the file size limit tests cover the rest")
    mounted: list[Path] = []

    def mount(size: int) -> Path:
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(point)
        return point

    try:
        yield mount
    finally:
        for point in mounted:
            subprocess.run(["umount", "-l", str(point)], capture_output=True)


def fill(folder: Path, leave: int) -> Path:
    """Fill the disk of `folder`, then free `leave` bytes."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


@pytest.mark.parametrize("kind", FULL_DISK_WRITERS)
def test_an_output_to_a_full_disk_is_one_error_and_leaves_nothing(sample: Qiye, tiny_disk: Callable[[int], Path],
                                                                  kind: str) -> None:
    disk = tiny_disk(1 << 20)
    fill(disk, 4096)
    target = disk / "周报.out"
    before, names = ledger_state(sample), listing(disk)
    result = sample.run_process(*full_disk_command(kind, target))
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"error: cannot write {target}: the disk is full; nothing was written\n"
    assert listing(disk) == names
    assert ledger_state(sample) == before


def test_a_restore_onto_a_full_disk_blames_the_disk_not_the_backup(tiny_disk: Callable[[int], Path],
                                                                   sample_file: Path, base_env: dict[str, str],
                                                                   tmp_path: Path) -> None:
    disk = tiny_disk(2 << 20)
    live = disk / "qiye.db"
    shutil.copyfile(sample_file, live)
    live.chmod(0o600)
    qiye = Qiye(str(live), {**base_env, "QIYE_DB": str(live)})
    backup = tmp_path / "backup.db"
    qiye.ok("db", "backup", str(backup))
    fill(disk, 64 * 1024)
    before, names = digest(live), listing(disk)
    result = qiye.run_process("db", "restore", str(backup), "--yes")
    assert result.returncode == 3, result.stderr
    assert result.stderr == (f"error: cannot restore {live}: writing in {disk} failed: the disk is full; "
                             "the database was not changed\n")
    assert digest(live) == before and listing(disk) == names
    assert qiye.ok("db", "check").exit_code == 0
