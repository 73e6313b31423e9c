"""The README can no longer drift from the product (issue 18): every `qiye …` line of its code
blocks runs, in order, as written, against the ledger its first command makes (`qiye init
--sample`, in a fresh home folder: the default ledger and config of a new user), and exits 0.
A line meant to fail says so with a trailing `# exits N` comment and must exit N; a comment
line of a number under a command (`# 175`) is what the command prints.

Lines with shell syntax (`> 周调度.md`, `~`) run through a real shell; the others in-process,
as the rest of the suite runs `qiye`. Both in one scratch folder, so files a line writes are
there for the lines after it. The README's office server (`postgresql+psycopg://qiye@
ledger.park.local:5432/qiye`) stands for this run's office ledger: a new SQLite file, or a
new schema of the test PostgreSQL (QIYE_TEST_PG_URL). The installation line's pip steps are
not run: the suite runs inside that installation.

The lines of the section "An office with several people" need PostgreSQL logins (`qiye db
grant`, `--db postgresql+psycopg://LOGIN@ledger.park.local…`): they run on PostgreSQL only,
each README login standing for a login of this run's own (`qiye`, the owner, is the test
server's login; the others get unique names, dropped afterwards).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import pg_schema_url
from qiye_service.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"
OFFICE_SERVER = "postgresql+psycopg://qiye@ledger.park.local:5432/qiye"
EXITS = re.compile(r"#\s*exits\s+(\d+)\b")
SHELL_SYNTAX = re.compile(r"[<>|&;$`~*?(){}]")
# A day after the sample ledger's campaign (2023), as for a cadre trying it today.
README_NOW = "2024-06-12T10:00:00+08:00"
POSTGRESQL_SECTION = "An office with several people"  # its lines run on PostgreSQL only
OFFICE_LOGIN_URL = re.compile(r"postgresql\+psycopg://([\w.-]+)@ledger\.park\.local:5432/qiye")
LOGIN_WORDS = re.compile(r"(?<=db grant )[\w.-]+|(?<=--login )[\w.-]+")


@dataclass(frozen=True)
class Line:
    number: int  # in README.md
    command: str  # `qiye …`, with any trailing comment
    expected: int
    prints: str | None = None  # what the README says it prints (`# 175` on the next line)
    section: str = ""  # the `## ` heading it is under

    def __str__(self) -> str:
        return f"README.md:{self.number}: {self.command}"


def readme_lines(text: str) -> list[Line]:
    """Every `qiye …` command in the fenced code blocks, in order. A line of commands joined by
    `&&` (the installation line) gives each of its `qiye` commands (`.venv/bin/qiye` too)."""
    lines: list[Line] = []
    fenced = False
    section = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("## ") and not fenced:
            section = raw[3:].strip()
        if raw.startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            continue
        shown = re.fullmatch(r"#\s*(\d+)\s*", raw)
        if shown and lines and lines[-1].number == number - 1:
            lines[-1] = Line(lines[-1].number, lines[-1].command, lines[-1].expected, shown[1], section)
            continue
        expected = EXITS.search(raw)
        for part in raw.split("&&"):
            words = part.split()
            if words and (words[0] == "qiye" or words[0].endswith("/qiye")):
                command = "qiye" + part.strip()[len(words[0]):]
                lines.append(Line(number, command, int(expected.group(1)) if expected else 0, section=section))
    return lines


def shown_output(text: str, first: str) -> list[str]:
    """The lines of the README's output block that starts with `first`, up to its first `…`."""
    block = text.split(f"```\n{first}\n", 1)[1].split("```", 1)[0]
    return [first, *block.split(" …", 1)[0].splitlines()]


def run_line(line: Line, folder: Path, shim: Path) -> tuple[int, str, str]:
    """The line's exit code and what it printed on stdout and on stderr."""
    if SHELL_SYNTAX.search(line.command.split(" #", 1)[0]):
        env = {**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}"}
        done = subprocess.run(["bash", "-c", line.command], cwd=folder, env=env, capture_output=True,
                              text=True, timeout=120)
        return done.returncode, done.stdout, done.stderr
    result = CliRunner().invoke(app, shlex.split(line.command, comments=True)[1:], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def office(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return str(tmp_path / "office.db")
    return pg_schema_url(request.getfixturevalue("pg_schema"))


def test_the_readme_lists_its_commands() -> None:
    lines = readme_lines(README.read_text(encoding="utf-8"))
    assert [line.command for line in lines[:2]] == ["qiye init --sample", "qiye report summary --year 2023"]
    assert len(lines) >= 25
    assert any(line.expected != 0 for line in lines)  # the marker is in use, and read
    # the quick starts' new issues, and the office's first dispatched issue
    assert [line.prints for line in lines if line.prints] == ["175", "176", "178"]
    office = [line for line in lines if line.section == POSTGRESQL_SECTION]
    assert any(" db grant " in line.command for line in office)
    assert any(OFFICE_LOGIN_URL.search(line.command) for line in office)


@pytest.fixture
def office_logins(backend: str) -> Iterator[dict[str, str]]:
    """The README's logins as this run's (PostgreSQL): `qiye`, the owner, is the test server's
    login; each other login gets a unique name, dropped afterwards with what it was granted."""
    logins: dict[str, str] = {}
    yield logins
    if backend != "postgresql":
        return
    import psycopg
    from psycopg import sql

    from conftest import PG_URL

    with psycopg.connect(str(PG_URL).replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        for login in logins.values():
            if login != _owner_login() and conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                                                        (login,)).fetchone():
                conn.execute(sql.SQL("DROP OWNED BY {} CASCADE").format(sql.Identifier(login)))
                conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(login)))


def _owner_login() -> str:
    from sqlalchemy.engine import make_url

    from conftest import PG_URL

    return str(make_url(str(PG_URL)).username)


def as_office_login(command: str, office: str, logins: dict[str, str]) -> str:
    """A line of the PostgreSQL section with the README's logins made this run's."""
    from sqlalchemy.engine import make_url

    def mapped(name: str) -> str:
        if name not in logins:
            logins[name] = _owner_login() if name == "qiye" else f"{name}_{uuid.uuid4().hex[:8]}"
        return logins[name]

    def url(found: re.Match[str]) -> str:
        login_url = make_url(office).set(username=mapped(found[1]), password=None)
        return shlex.quote(login_url.render_as_string(hide_password=False))

    return LOGIN_WORDS.sub(lambda found: mapped(found[0]), OFFICE_LOGIN_URL.sub(url, command))


def test_every_readme_line_runs_in_order(office: str, backend: str, office_logins: dict[str, str], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    text = README.read_text(encoding="utf-8")
    home, folder, shim = tmp_path / "home", tmp_path / "work", tmp_path / "bin"
    for made in (home, folder, shim):
        made.mkdir()
    (shim / "qiye").write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m qiye_service "$@"\n')
    (shim / "qiye").chmod(0o755)
    # A new user's machine: no QIYE_DB, the platform's own data and config folders.
    for name in ("QIYE_DB", "QIYE_CONFIG_DIR", "QIYE_USER", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("QIYE_NOW", README_NOW)
    monkeypatch.chdir(folder)

    ran = []
    for line in readme_lines(text):
        command = line.command
        if line.section == POSTGRESQL_SECTION:
            if backend != "postgresql":
                continue
            command = as_office_login(command, office, office_logins)
        line = Line(line.number, command.replace(OFFICE_SERVER, office), line.expected, line.prints, line.section)
        code, stdout, stderr = run_line(line, folder, shim)
        output = stdout + stderr
        assert code == line.expected, f"{line}\nexited {code}, not {line.expected}:\n{output}"
        assert "Traceback" not in output, f"{line}\n{output}"
        if line.prints is not None:
            assert stdout.strip() == line.prints, f"{line}\nprinted {stdout.strip()!r}, not {line.prints!r}"
        ran.append(line)
        if line.command == "qiye report summary --year 2023":  # the README shows what it prints
            shown = shown_output(text, "Summary of problems and their resolution")
            printed = [row.rstrip() for row in output.splitlines()]
            assert printed[:len(shown) - 1] == shown[:-1], f"{line}: the README shows other figures"
    assert (home / ".local" / "share" / "qiye" / "qiye.db").exists()  # the first line's ledger
    assert (folder / "周调度.md").read_text(encoding="utf-8").startswith("#")


def test_the_benchmarks_section_speaks_to_a_user() -> None:
    """README.md's benchmark table is benchmarks/README.md's latest SQLite figures as
    `benchmarks/run.py --readme` (or `--summary`) writes them, without the old work item's points."""
    import importlib.util

    path = README.parent / "benchmarks" / "run.py"
    spec = importlib.util.spec_from_file_location("benchmarks_run", path)
    assert spec is not None and spec.loader is not None
    run = importlib.util.module_from_spec(spec)
    saved = list(sys.path)
    sys.modules[spec.name] = run  # its dataclasses look their module up
    try:
        spec.loader.exec_module(run)
    finally:
        sys.path[:] = saved
        del sys.modules[spec.name]
    text = README.read_text(encoding="utf-8")
    section = text.split("## Benchmarks", 1)[1].split("\n## ", 1)[0]
    table = section.split(run.SUMMARY_START, 1)[1].split(run.SUMMARY_END, 1)[0].strip()
    assert table == run.summary(*run.latest(run.SUMMARY_MODE))
    assert "1,000,000 issues" in section and "| You run |" in table
    assert not re.search(r"\b[Pp]oints? \d|\b[Ii]ssues? \d|\| Point \|", section)
