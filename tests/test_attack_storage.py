"""Issue 25, point 12 (its database parts): a ledger with damaged pages, a read-only ledger and a
-wal that does not belong beside a ledger, each attacked through the real CLI.

- Damaged pages are exit 3 "corrupt" for every command that meets them (export and backup gave
  "unexpected failure", exit 1), and a write that touches a page SQLite can tell is damaged fails
  and writes nothing.
- A ledger on a read-only file system (or in a read-only folder) reads as any other, and a
  write is an exit-3 error saying it is read-only.
- A command that only reads never writes the ledger file: a -wal copied beside it from another
  ledger is not checkpointed into it, and `db check` names such a -wal.
"""

from __future__ import annotations

import csv
import ctypes
import hashlib
import os
import random
import shutil
import sqlite3
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import PG_URL, PINNED_NOW, Qiye, pg_schema_url
from ledgers import file_three

ISSUES = 3000  # a few hundred pages of the issue table


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def checkpoint(path: Path) -> None:
    """Everything in the file itself, and no -wal or -shm beside it."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def env_in(folder: Path) -> dict[str, str]:
    return {"QIYE_CONFIG_DIR": str(folder / "config"), "QIYE_NOW": PINNED_NOW, "QIYE_USER": "tester",
            "QIYE_LANG": "en", "NO_COLOR": "1", "COLUMNS": "200", "LANG": "C.UTF-8"}


@pytest.fixture(scope="module")
def big_ledger(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """A ledger of ISSUES issues with long descriptions, built once through `import issues`."""
    folder = tmp_path_factory.mktemp("big")
    path = folder / "ledger.db"
    shutil.copyfile(sqlite_template, path)
    os.chmod(path, 0o600)
    source = folder / "issues.csv"
    with open(source, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "description", "enterprise", "category", "reported_on"])
        for n in range(ISSUES):
            writer.writerow([f"问题 {n + 1}", "消防车道宽度不足，需整改。" * 12, f"企业{n % 20}", "road", "2023-05-12"])
    Qiye(str(path), {**env_in(folder), "QIYE_DB": str(path)}).ok("import", "issues", str(source))
    checkpoint(path)
    return path


@pytest.fixture
def ledger(big_ledger: Path, tmp_path: Path, base_env: dict[str, str]) -> Qiye:
    path = tmp_path / "ledger.db"
    shutil.copyfile(big_ledger, path)
    return Qiye(str(path), {**base_env, "QIYE_DB": str(path)})


# --- SQLite's file format, as much of it as the attacks need ----------------------------------


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = 0
    for i in range(9):
        byte = data[at + i]
        if i == 8:
            return (value << 8) | byte, at + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    raise AssertionError("unreachable")


def issue_leaves(path: Path) -> list[tuple[int, list[int]]]:
    """The issue table's leaf pages in key order, each with the issue ids its cells hold."""
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'issue'").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = path.read_bytes()

    def walk(number: int) -> Iterator[tuple[int, list[int]]]:
        page = data[(number - 1) * page_size:number * page_size]
        header = 100 if number == 1 else 0
        kind, cells = page[header], struct.unpack(">H", page[header + 3:header + 5])[0]
        pointers = header + (12 if kind == 0x05 else 8)
        offsets = [struct.unpack(">H", page[pointers + 2 * i:pointers + 2 * i + 2])[0] for i in range(cells)]
        if kind == 0x05:  # interior: a left child in each cell, and the right-most child
            for offset in offsets:
                yield from walk(struct.unpack(">I", page[offset:offset + 4])[0])
            yield from walk(struct.unpack(">I", page[header + 8:header + 12])[0])
        else:
            assert kind == 0x0D, kind
            yield number, [_varint(page, _varint(page, offset)[1])[0] for offset in offsets]

    return list(walk(root))


def page_size_of(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA page_size").fetchone()[0])
    finally:
        conn.close()


def wreck(path: Path, pages: list[int]) -> None:
    """Overwrite whole pages with garbage, as a failing disk or a stray write would."""
    size = page_size_of(path)
    garbage = random.Random(25).randbytes(size)
    with open(path, "r+b") as handle:
        for number in pages:
            handle.seek((number - 1) * size)
            handle.write(b"\xff" + garbage[1:])


def misplace_last_cell(path: Path, page: int) -> None:
    """Point the page's last cell past the end of the page: a damage plain SQLite reads around
    (that row silently vanishes) and that its cell-size check reports as malformed."""
    size = page_size_of(path)
    with open(path, "r+b") as handle:
        handle.seek((page - 1) * size)
        data = bytearray(handle.read(size))
        cells = struct.unpack(">H", data[3:5])[0]
        data[8 + 2 * (cells - 1):10 + 2 * (cells - 1)] = struct.pack(">H", size - 2)
        handle.seek((page - 1) * size)
        handle.write(bytes(data))


def count(path: Path, sql: str) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


# --- (a) damaged pages: exit 3 for every command ------------------------------------------------


def test_a_ledger_with_damaged_pages_is_exit_3_for_every_command(ledger: Qiye, tmp_path: Path) -> None:
    path = Path(ledger.url)
    leaves = issue_leaves(path)
    middle = len(leaves) // 2
    wreck(path, [number for number, _ids in leaves[middle:middle + 4]])
    damaged_id = leaves[middle][1][0]
    before = digest(path)
    corrupt = f"error: the database {path} is corrupt: database disk image is malformed\n"
    out = tmp_path / "out"
    out.mkdir()
    for args, expected in [
        (("export", "issues"), 3),
        (("export", "issues", "--format", "csv", "--out", str(out / "台账.csv")), 3),
        (("export", "issues", "--format", "json", "--out", str(out / "台账.json")), 3),
        (("db", "backup", str(out / "backup.db")), 3),
        (("issue", "list", "--status", "all"), 3),
        (("issue", "show", str(damaged_id)), 3),
        # The summary and this week's report read only the report index, whose pages are sound
        # (issue 24): their figures are still right.
        (("report", "summary"), 0),
        (("report", "weekly", "--week", "2023-W19"), 0),
        (("db", "check"), 3),
        (("export", "events"), 0),  # the events' pages are sound
        (("db", "info"), 0),
    ]:
        result = ledger(*args)
        assert result.exit_code == expected, (args, result.output)
        if expected == 3:
            assert result.stderr == corrupt, (args, result.stderr)
            assert result.stdout == "", args
    assert sorted(p.name for p in out.iterdir()) == []  # no export, no backup, no temporary
    assert digest(path) == before
    for args in (("export", "issues", "--format", "csv"),
                 ("export", "issues", "--format", "xlsx", "--out", str(out / "台账.xlsx")),
                 ("export", "issues", "--format", "ndjson", "--out", str(out / "台账.ndjson"))):
        process = ledger.run_process(*args)  # a process: what the interpreter prints as it exits counts too
        assert (process.returncode, process.stdout, process.stderr) == (3, "", corrupt), args
    assert sorted(p.name for p in out.iterdir()) == []


@pytest.mark.skipif(not PG_URL, reason="needs QIYE_TEST_PG_URL (a real PostgreSQL server)")
def test_a_driver_error_while_streaming_an_export_is_exit_3_on_postgresql(pg_schema: str,
                                                                        base_env: dict[str, str]) -> None:
    """The export streams rows through the driver's own cursor: its errors were 'unexpected
    failure' (exit 1). Here a lock held elsewhere outlasts the lock timeout mid-export."""
    import psycopg

    url = pg_schema_url(pg_schema)
    qiye = Qiye(url, {**base_env, "QIYE_DB": url})
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("issue", "add", "消防验收", "-e", "蓝思科技", "-c", "fire-acceptance", "--tag", "重点项目")
    impatient = url.replace(f"search_path%3D{pg_schema}", f"search_path%3D{pg_schema}%20-clock_timeout%3D300")
    plain = str(PG_URL).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as holder:
        holder.execute(f'LOCK TABLE "{pg_schema}".issue_tag IN ACCESS EXCLUSIVE MODE')
        result = qiye("--db", impatient, "export", "issues")
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("error: cannot open the database postgresql+psycopg://"), result.stderr
    assert "lock timeout" in result.stderr and result.stdout == ""


# --- (b) a write to a damaged page --------------------------------------------------------------


@pytest.mark.parametrize("damage", ["garbage", "misplaced cell"])
def test_a_write_that_touches_a_damaged_page_fails_and_writes_nothing(ledger: Qiye, damage: str) -> None:
    path = Path(ledger.url)
    leaves = issue_leaves(path)
    number, ids = leaves[len(leaves) // 2]
    if damage == "garbage":
        wreck(path, [number])
    else:
        misplace_last_cell(path, number)
    target = ids[0]  # a sound cell, on the damaged page
    events = count(path, "SELECT count(*) FROM event")
    result = ledger("issue", "comment", str(target), "已与企业对接")
    assert result.exit_code == 3, result.output
    assert result.stderr == f"error: the database {path} is corrupt: database disk image is malformed\n"
    assert count(path, "SELECT count(*) FROM event") == events
    # A write whose pages are all sound is kept: qiye cannot know of damage elsewhere without
    # reading the whole ledger, which `db check` does, and which reports this damage.
    first = leaves[0][1][0]
    ledger.ok("issue", "comment", str(first), "已与企业对接")
    assert count(path, f"SELECT count(*) FROM event WHERE issue_id = {first} AND action = 'comment'") == 1
    check = ledger("db", "check")
    assert check.exit_code in (1, 3) and check.stderr.startswith("error:"), check.output


# --- (c) a read-only ledger ---------------------------------------------------------------------


@pytest.fixture
def read_only_mount(tmp_path: Path) -> Iterator[tuple[Path, Callable[[], None]]]:
    """A folder, and a function that makes it read-only once the ledger is in it: a tmpfs
    remounted read-only when running as root (root ignores file modes), chmod otherwise."""
    folder = tmp_path / "archive"
    folder.mkdir()
    if os.geteuid() != 0:
        yield folder, lambda: seal_by_mode(folder)
        os.chmod(folder, 0o755)
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"running as root and cannot mount a tmpfs to make read-only: {mounted.stderr.strip()}")
    try:
        yield folder, lambda: subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def seal_by_mode(folder: Path) -> None:
    for path in folder.iterdir():
        os.chmod(path, 0o444)
    os.chmod(folder, 0o555)


def as_ordinary_user() -> None:
    """In a child process: root ignores file modes; drop the capabilities that let it."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


READS = [
    ("issue", "list", "--status", "all", "--format", "csv"),
    ("issue", "show", "1", "--format", "json"),
    ("enterprise", "list", "--format", "csv"),
    ("report", "summary", "--format", "json"),
    ("report", "weekly", "--week", "2023-W50", "--format", "json"),
    ("report", "overdue", "--format", "csv"),
    ("report", "trend", "--format", "csv"),
    ("export", "issues", "--format", "ndjson"),
    ("export", "events"),
    ("db", "check", "--format", "json"),
]
WRITES = [
    ("issue", "comment", "1", "已与企业对接"),
    ("issue", "add", "新问题", "-e", "蓝思科技", "-c", "road"),
    ("enterprise", "add", "九典制药"),
    ("init",),
    ("db", "upgrade"),
]
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def filed(sqlite_qiye: Qiye) -> Qiye:
    file_three(sqlite_qiye)
    sqlite_qiye.ok("issue", "resolve", "1", "--note", "已办结", "--on", "2023-12-18")
    checkpoint(Path(sqlite_qiye.url))
    return sqlite_qiye


def reads_and_refuses_writes(filed: Qiye, path: Path, run: Run, why: str, tmp_path: Path) -> None:
    """Every read gives what the same ledger gives where it can be written; every write is an
    exit-3 error saying why the ledger is read-only; nothing in its folder changes."""
    before, beside = digest(path), sorted(p.name for p in path.parent.iterdir())
    for args in READS:
        expected = filed(*args)
        assert expected.exit_code == 0, (args, expected.output)
        assert run(*args) == (0, expected.stdout, expected.stderr), args
    code, out, err = run("db", "info", "--format", "json")
    assert code == 0 and f'"location": "{path}"' in out, err
    assert run("db", "backup", str(tmp_path / "copy.db"))[0] == 0
    for args in WRITES:
        code, out, err = run(*args)
        assert (code, out) == (3, ""), (args, err)
        assert err.startswith(f"error: the database {path} is read-only: {why}"), (args, err)
    code, _out, err = run("--lang", "zh", *WRITES[0])
    assert code == 3 and err.startswith(f"error: 数据库 {path} 为只读："), err
    assert digest(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == beside


def test_a_ledger_on_a_read_only_file_system_reads_and_refuses_writes(
        filed: Qiye, read_only_mount: tuple[Path, Callable[[], None]], base_env: dict[str, str],
        tmp_path: Path) -> None:
    folder, seal = read_only_mount
    path = folder / "2023.db"
    shutil.copyfile(filed.url, path)
    seal()
    archive = Qiye(str(path), {**base_env, "QIYE_DB": str(path)})

    def run(*args: str) -> tuple[int, str, str]:
        result = archive(*args)
        return result.exit_code, result.stdout, result.stderr

    why = "it lies on a read-only file system" if os.geteuid() == 0 else f"its folder {folder} is not writable"
    reads_and_refuses_writes(filed, path, run, why, tmp_path)


def test_a_ledger_in_a_read_only_folder_reads_and_refuses_writes(filed: Qiye, base_env: dict[str, str],
                                                                 tmp_path: Path) -> None:
    """chmod 0555 on the folder, 0444 on the file; as root, each command runs as a process
    without the capabilities that let root ignore them."""
    folder = tmp_path / "archive"
    folder.mkdir()
    path = folder / "2023.db"
    shutil.copyfile(filed.url, path)
    seal_by_mode(folder)
    env = {**os.environ, **base_env, "QIYE_DB": str(path)}

    def run(*args: str) -> tuple[int, str, str]:
        done = subprocess.run([sys.executable, "-m", "qiye_service", *args], capture_output=True, text=True,
                              env=env, preexec_fn=as_ordinary_user, timeout=120)
        return done.returncode, done.stdout, done.stderr

    try:
        try:
            probe = subprocess.run([sys.executable, "-c", f"open({str(folder / 'probe')!r}, 'w')"],
                                   capture_output=True, preexec_fn=as_ordinary_user, timeout=60)
        except subprocess.SubprocessError:
            probe = None
        if probe is None or probe.returncode == 0:
            pytest.skip("a process here can write a folder whose mode forbids it (root's capabilities not dropped)")
        reads_and_refuses_writes(filed, path, run, f"its folder {folder} is not writable", tmp_path)
    finally:
        os.chmod(folder, 0o755)


# --- (d) a -wal that does not belong ------------------------------------------------------------


def foreign_wal(source: Path, *, page_size: int | None = None) -> Path:
    """A -wal holding committed pages of another ledger (copied from `source`'s own, or from a new
    database of another page size), left beside nothing yet: returns the -wal file."""
    other = source.with_name("other.db")
    if page_size is None:
        shutil.copyfile(source, other)
    conn = sqlite3.connect(other)
    if page_size is not None:
        conn.execute(f"PRAGMA page_size = {page_size}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    if page_size is None:
        conn.execute("UPDATE issue SET title = '伪造的标题' WHERE id <= 2")
    else:
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (randomblob(20000))")
    conn.commit()
    wal = source.with_name("stray.db-wal")
    shutil.copyfile(f"{other}-wal", wal)  # while the other ledger still has it open
    conn.close()
    return wal


@pytest.mark.parametrize("origin", ["another ledger", "another page size", "another ledger, --db a symlink"])
def test_a_foreign_wal_is_never_written_into_the_ledger(filed: Qiye, origin: str, tmp_path: Path) -> None:
    path = Path(filed.url)
    checkpoint(path)
    wal = foreign_wal(path, page_size=8192 if origin == "another page size" else None)
    os.replace(wal, f"{path}-wal")  # SQLite looks for it beside the real file
    if origin.endswith("symlink"):
        (tmp_path / "links").mkdir()
        link = tmp_path / "links" / "台账.db"
        link.symlink_to(path)
        filed = Qiye(str(link), {**filed.env, "QIYE_DB": str(link)})
    before = digest(path)
    check = filed("db", "check")
    assert digest(path) == before  # the check wrote nothing (it used to checkpoint the WAL)
    if origin == "another page size":
        # SQLite reads the other database through it: not a qiye database, and the -wal is why.
        assert check.exit_code == 3, check.output
        assert check.stderr.startswith(f"warning: {path}-wal was written for a database with 8192-byte pages, "
                                       "not for this ledger (4096-byte pages): move it and qiye.db-shm away"), check.output
        assert check.stderr.endswith(f"error: {path} is not a qiye database\n")
    else:
        assert check.exit_code == 1, check.output
        assert check.stdout.startswith(f"- {path}-wal holds "), check.output
        assert "but has no qiye.db-shm beside it" in check.stdout
        assert "- issue #1: title is '伪造的标题' but its history says '二期厂房消防验收未通过'" in check.stdout
    for args in (("issue", "list"), ("issue", "show", "1"), ("export", "issues"), ("report", "summary"),
                 ("db", "info"), ("db", "backup", str(tmp_path / "copy.db")), ("db", "check")):
        result = filed(*args)
        assert "Traceback" not in result.output
        assert digest(path) == before, args
