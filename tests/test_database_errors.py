"""A database qiye cannot use is an exit-3 error naming it, never a traceback, and is never
changed: a file that is not a qiye database, a corrupt one, a read-only one, one from a
newer qiye; an unreachable server, a refused password, a missing database. No password
is ever printed."""

from __future__ import annotations

import ctypes
import hashlib
import os
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import PG_URL, Qiye, pg_schema_url
from qiye_service import _schema

COMMANDS = [
    ("issue", "list"),
    ("issue", "add", "消防验收", "-e", "蓝思科技", "-c", "road"),
    ("enterprise", "add", "蓝思科技"),
    ("db", "info"),
    ("db", "check"),
    ("report", "summary"),
    ("init",),
]


def run(env: dict[str, str], *args: str, drop_privileges: bool = False,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`qiye` as a real process (exit codes and tracebacks as a user sees them)."""
    return subprocess.run([sys.executable, "-m", "qiye_service", *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=timeout,
                          preexec_fn=_as_ordinary_user if drop_privileges else None)


def _as_ordinary_user() -> None:
    """root ignores file modes; drop the capabilities that let it, so 0444 means read-only."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop = 24
    for capability in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def state(path: Path) -> tuple[str, list[str]]:
    """The file's bytes (as a digest) and what lies beside it."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), sorted(p.name for p in path.parent.iterdir())


def refused(env: dict[str, str], path: Path, message: str) -> None:
    """Every command gives exit 3 and `message`, and leaves the file and its folder as they were.

    In-process for each command (an exception would fail the test), and once as a real process.
    """
    before = state(path)
    qiye = Qiye(str(path), {**env, "QIYE_DB": str(path)})
    for args in COMMANDS:
        result = qiye(*args)
        assert result.exit_code == 3, (args, result.stdout, result.stderr)
        assert result.stderr.startswith(f"error: {message}"), (args, result.stderr)
        assert result.stdout == ""
        assert state(path) == before, args
    process = run(env, "--db", str(path), "issue", "list")
    assert process.returncode == 3 and process.stderr.startswith(f"error: {message}")
    assert "Traceback" not in process.stderr
    assert state(path) == before


@pytest.fixture
def env(base_env: dict[str, str]) -> dict[str, str]:
    return dict(base_env)


@pytest.fixture
def qiye_file(sqlite_qiye: Qiye) -> Path:
    sqlite_qiye.ok("enterprise", "add", "蓝思科技")
    sqlite_qiye.ok("issue", "add", "消防验收", "-e", "蓝思科技", "-c", "fire-acceptance")
    return Path(sqlite_qiye.url)


# --- SQLite files ---------------------------------------------------------------------------


def test_a_text_file_is_not_a_qiye_database(tmp_path: Path, env: dict[str, str]) -> None:
    path = tmp_path / "台账.db"
    path.write_text("企业名称,问题描述\n蓝思科技,消防验收\n", encoding="utf-8")
    refused(env, path, f"{path} is not a qiye database (not an SQLite file); point --db or QIYE_DB")


def test_another_programs_sqlite_database_is_left_alone(tmp_path: Path, env: dict[str, str]) -> None:
    path = tmp_path / "crm.db"
    conn = sqlite3.connect(path)
    conn.execute("create table customer (id integer primary key, name text)")
    conn.execute("insert into customer (name) values ('蓝思科技')")
    conn.commit()
    conn.close()
    refused(env, path, f"{path} is not a qiye database\n")
    conn = sqlite3.connect(path)
    # No qiye tables, no switch to WAL: the file is exactly the other program's.
    assert conn.execute("pragma journal_mode").fetchone()[0] == "delete"
    assert [r[0] for r in conn.execute("select name from sqlite_master")] == ["customer"]
    conn.close()


def test_a_database_from_a_newer_qiye_is_left_alone(qiye_file: Path, env: dict[str, str]) -> None:
    conn = sqlite3.connect(qiye_file)
    conn.execute("update alembic_version set version_num = '0099'")
    conn.commit()
    conn.close()
    refused(env, qiye_file, f"the database {qiye_file} is at schema revision 0099, newer than this qiye "
                            f"knows ({_schema.HEAD_REVISION}); upgrade qiye")


def test_a_corrupt_schema_page_is_reported(qiye_file: Path, env: dict[str, str]) -> None:
    conn = sqlite3.connect(qiye_file)
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()
    data = bytearray(qiye_file.read_bytes())
    data[100:1500] = os.urandom(1400)  # the schema table's page, after the file header
    qiye_file.write_bytes(bytes(data))
    refused(env, qiye_file, f"the database {qiye_file} is corrupt: ")


def test_a_wiped_header_is_reported(qiye_file: Path, env: dict[str, str]) -> None:
    data = bytearray(qiye_file.read_bytes())
    data[:100] = b"\0" * 100
    qiye_file.write_bytes(bytes(data))
    refused(env, qiye_file, f"{qiye_file} is not a qiye database (not an SQLite file)")


def test_a_truncated_database_is_reported(qiye_file: Path, env: dict[str, str]) -> None:
    conn = sqlite3.connect(qiye_file)
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()
    data = qiye_file.read_bytes()
    qiye_file.write_bytes(data[: len(data) // 3])
    before = state(qiye_file)
    qiye = Qiye(str(qiye_file), {**env, "QIYE_DB": str(qiye_file)})
    for args in COMMANDS:
        result = qiye(*args)
        # Some commands never touch the missing pages; none may crash or change the file.
        assert result.exit_code in (0, 3), (args, result.stderr)
        if result.exit_code == 3:
            assert result.stderr.startswith(f"error: the database {qiye_file} is corrupt"), result.stderr
    check = run(env, "--db", str(qiye_file), "db", "check")
    assert check.returncode in (1, 3) and check.stderr.startswith("error:")
    assert "Traceback" not in check.stderr
    assert state(qiye_file)[0] == before[0]


def test_an_empty_file_becomes_a_new_database(tmp_path: Path, env: dict[str, str]) -> None:
    path = tmp_path / "new.db"
    path.touch()
    result = run(env, "--db", str(path), "db", "info", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert f'"revision": "{_schema.HEAD_REVISION}"' in result.stdout


def test_a_directory_is_not_a_database(tmp_path: Path, env: dict[str, str]) -> None:
    result = run(env, "--db", str(tmp_path), "issue", "list")
    assert result.returncode == 3
    assert result.stderr == f"error: {tmp_path} is a directory, not a database file; point --db at a file\n"


def test_a_database_where_no_file_can_be_made(env: dict[str, str]) -> None:
    result = run(env, "--db", "/proc/qiye/台账.db", "enterprise", "add", "蓝思科技")
    assert result.returncode == 3
    assert result.stderr.startswith("error: cannot open the database /proc/qiye/台账.db: ")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_a_read_only_database_reads_but_refuses_writes(qiye_file: Path, env: dict[str, str], journal: str,
                                                       tmp_path: Path) -> None:
    if journal == "delete":
        archived = tmp_path / "archive" / "2023.db"
        assert run(env, "--db", str(qiye_file), "db", "backup", str(archived)).returncode == 0
        qiye_file = archived  # a backup file: rollback journal, as archived
    os.chmod(qiye_file, 0o444)
    before = hashlib.sha256(qiye_file.read_bytes()).hexdigest()
    listed = run(env, "--db", str(qiye_file), "issue", "list", "--format", "csv", drop_privileges=True)
    assert listed.returncode == 0, listed.stderr
    assert "消防验收" in listed.stdout
    for args in (("issue", "resolve", "1", "--note", "已办结"),):
        result = run(env, "--db", str(qiye_file), *args, drop_privileges=True)
        assert result.returncode == 3, (args, result.stderr)
        assert result.stderr.startswith(f"error: the database {qiye_file} is read-only: "), result.stderr
        assert "Traceback" not in result.stderr
    assert hashlib.sha256(qiye_file.read_bytes()).hexdigest() == before


# --- PostgreSQL servers ---------------------------------------------------------------------


def test_an_unreachable_server_names_the_host(env: dict[str, str]) -> None:
    url = "postgresql+psycopg://postgres:secret@127.0.0.1:1/x"
    for args in (("issue", "list"), ("db", "info"), ("db", "backup", "/tmp/never-written.db")):
        result = run(env, "--db", url, *args)
        assert result.returncode == 3, result.stderr
        assert result.stderr.startswith("error: cannot open the database postgresql+psycopg://postgres:***@127.0.0.1:1/x")
        assert 'connection to server at "127.0.0.1", port 1 failed: Connection refused' in result.stderr
        assert "secret" not in result.stderr + result.stdout and "Traceback" not in result.stderr
    assert not Path("/tmp/never-written.db").exists()


def test_an_unknown_host_is_named(env: dict[str, str]) -> None:
    result = run(env, "--db", "postgresql://cadre:secret@qiye-server.invalid:5432/ledger", "issue", "list")
    assert result.returncode == 3
    assert "qiye-server.invalid" in result.stderr and "secret" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()
    for conn in held:
        conn.close()


def test_a_server_that_never_answers_fails_within_the_connect_timeout(silent_server: int,
                                                                      env: dict[str, str]) -> None:
    started = time.monotonic()
    result = run({**env, "QIYE_CONNECT_TIMEOUT": "2"}, "--db",
                 f"postgresql+psycopg://postgres:secret@127.0.0.1:{silent_server}/x", "issue", "list")
    elapsed = time.monotonic() - started
    assert result.returncode == 3
    assert result.stderr.startswith(f"error: cannot open the database postgresql+psycopg://postgres:***@127.0.0.1:"
                                    f"{silent_server}/x: ")
    assert "timeout" in result.stderr and "secret" not in result.stderr
    # The server never answers: without the timeout this would hang for good. The bound leaves room
    # for libpq's second attempt (sslmode=prefer) and a slow Python start on a busy machine.
    assert elapsed < 2 * 2 + 20


@pytest.fixture
def password_refusing_server() -> Iterator[int]:
    """Speaks just enough of the PostgreSQL protocol to ask for a password and refuse it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def read(conn: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = conn.recv(size - len(data))
            if not chunk:
                raise ConnectionError
            data += chunk
        return data

    def serve(conn: socket.socket) -> None:
        with conn:
            try:
                while True:  # SSL and GSS encryption requests: say no; then the startup message
                    length, code = struct.unpack("!ii", read(conn, 8))
                    if code in (80877103, 80877104):
                        conn.sendall(b"N")
                        continue
                    read(conn, length - 8)
                    break
                conn.sendall(b"R" + struct.pack("!ii", 8, 3))  # cleartext password, please
                kind, length = struct.unpack("!ci", read(conn, 5))
                read(conn, length - 4)
                fields = b"".join(tag + text + b"\0" for tag, text in (
                    (b"S", b"FATAL"), (b"V", b"FATAL"), (b"C", b"28P01"),
                    (b"M", b'password authentication failed for user "postgres"')))
                conn.sendall(b"E" + struct.pack("!i", len(fields) + 5) + fields + b"\0")
            except (ConnectionError, OSError):
                return

    def accept() -> None:
        while True:
            try:
                conn = listener.accept()[0]
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()


def test_a_refused_password_is_named_and_never_printed(password_refusing_server: int,
                                                       env: dict[str, str]) -> None:
    url = f"postgresql+psycopg://postgres:s3cr%40t-pw@127.0.0.1:{password_refusing_server}/ledger"
    result = run(env, "--db", url, "issue", "list")
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith(f"error: cannot open the database postgresql+psycopg://postgres:***@127.0.0.1:"
                                    f"{password_refusing_server}/ledger: ")
    assert 'password authentication failed for user "postgres"' in result.stderr
    assert "s3cr" not in result.stderr + result.stdout and "Traceback" not in result.stderr


@pytest.mark.skipif(not PG_URL, reason="needs QIYE_TEST_PG_URL (a real PostgreSQL server)")
def test_a_missing_database_on_a_real_server_is_named(env: dict[str, str]) -> None:
    from sqlalchemy.engine import make_url

    server = make_url(PG_URL)
    url = server.set(password="secret", database="qiye_no_such_ledger").render_as_string(hide_password=False)
    result = run(env, "--db", url, "issue", "list")
    assert result.returncode == 3, result.stderr
    assert f"{server.host}" in result.stderr
    assert 'database "qiye_no_such_ledger" does not exist' in result.stderr
    assert "secret" not in result.stderr and "Traceback" not in result.stderr


def test_db_info_never_prints_the_password(pg_schema: str, env: dict[str, str]) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(pg_schema_url(pg_schema)).set(password="secret").render_as_string(hide_password=False)
    result = run(env, "--db", url, "db", "info", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "secret" not in result.stdout + result.stderr
    assert "postgres:***@" in result.stdout


@pytest.mark.skipif(not PG_URL, reason="needs QIYE_TEST_PG_URL (a real PostgreSQL server)")
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # SQLite stores a NUL
def test_a_value_postgresql_refuses_is_a_user_error(qiye: Qiye) -> None:
    """A NUL cannot reach qiye through a real command line, but a caller handing strings over
    directly can send one; PostgreSQL refuses it, and that is the input's fault (exit 1), not
    an unavailable database (exit 3)."""
    result = qiye("department", "add", "台账\x00")
    assert result.exit_code == 1
    assert result.stderr == ("error: the database refused a value: PostgreSQL text fields cannot contain NUL "
                             "(0x00) bytes\n")
    assert qiye.sql("select count(*) from department")[0][0] == 0
