"""Values for shell completion, read from the ledger without the ORM (issue 17, point 6).

A completion runs on every Tab: it must answer about as fast as `python -c "import typer"`,
so it reads the ledger with the driver alone (the stdlib's sqlite3; psycopg for PostgreSQL)
and never imports SQLAlchemy or sqlmodel. It never writes and never creates the ledger: an
SQLite file is opened as read-only commands open it (db.sqlite_read_uri) with writes refused
(PRAGMA query_only), and a ledger that is missing, locked, unreachable or not qiye's offers
nothing rather than an error: a shell cannot show one.

The static values (statuses, priorities …) are the models' enums, written out here because
importing models imports sqlmodel; tests/test_completion.py checks that the two agree.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from qiye_service.db import Location

# models.Status, Kind, Source, Priority, CallbackResult, Role; supervision's level codes; --status all.
STATUSES = ("open", "in_progress", "resolved", "deferred", "verifying")
UNRESOLVED = ("open", "in_progress", "deferred", "verifying")
KINDS = ("individual", "common")
SOURCES = ("visit", "meeting", "phone", "online", "other")
PRIORITIES = ("urgent", "high", "normal", "low")
CALLBACK_RESULTS = ("satisfied", "basic", "unsatisfied")
CALLBACK_SOLVED = ("solved", "partly", "unsolved")  # models.CallbackSolved
RETURN_REASONS = ("not_responsible", "incomplete", "duplicate", "other")  # models.ReturnReason
LEVELS = ("due-soon", "overdue", "red")
ROLES = ("cadre", "handler", "supervisor", "admin")  # models.Role

LIMIT = 100  # more candidates than a shell can usefully show
SQLITE_TIMEOUT_SECONDS = 0.5
PG_TIMEOUT_SECONDS = 2

Row = tuple[str, str | None]  # a value and its description (zsh and fish show it)


def _printable(text: str | None) -> str | None:
    """One line of printable text: a stored title cannot drive the terminal or break the shell's list."""
    if text is None:
        return None
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split()) or None


@contextmanager
def _connect(location: Location) -> Iterator[Any]:
    """A read-only DB-API connection to the ledger, or None where there is none to read."""
    if location.path is not None:
        import sqlite3

        from qiye_service.db import sqlite_read_uri

        if not location.path.is_file():
            yield None
            return
        connection = sqlite3.connect(sqlite_read_uri(location.path), uri=True, timeout=SQLITE_TIMEOUT_SECONDS)
        try:
            connection.execute("PRAGMA query_only = ON")
            yield connection
        finally:
            connection.close()
        return
    import psycopg

    url = location.url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url, connect_timeout=PG_TIMEOUT_SECONDS, autocommit=True) as connection:
        connection.execute("SET default_transaction_read_only = on")
        connection.execute(f"SET statement_timeout = {PG_TIMEOUT_SECONDS * 1000}")
        yield connection


def _query(location: Location, reader: Callable[[Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]], str],
                                              list[Row]]) -> list[Row]:
    """`reader`'s rows, given a function that runs one statement; [] when the ledger cannot say."""
    with suppress(Exception), _connect(location) as connection:
        if connection is None:
            return []
        sqlite = location.path is not None

        def run(statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
            if not sqlite:
                statement = statement.replace("?", "%s")
            return list(connection.execute(statement, params).fetchall())

        return reader(run, "sqlite" if sqlite else "postgresql")
    return []


def _prefix_bounds(prefix: str) -> tuple[str, str] | None:
    """`value >= low AND value < high` selects the values starting with `prefix` (an index range
    scan, where LIKE would not use the index); None for no prefix."""
    if not prefix:
        return None
    last = ord(prefix[-1])
    return (prefix, prefix[:-1] + chr(last + 1)) if last < 0x10FFFF else (prefix, prefix + "\U0010ffff")


def _names(table: str, column: str, prefix: str, *, inside: bool = True) -> Callable[..., list[Row]]:
    """The values of `column` starting with `prefix`; with none, and `inside`, the one value that
    holds it (DESIGN §3 Names: a unique substring names it; bash puts it in place of what was
    typed). `inside` only for small tables: it reads them whole."""

    def reader(run: Callable[..., list[tuple[Any, ...]]], dialect: str) -> list[Row]:
        bounds = _prefix_bounds(prefix)
        clauses = [f"{column} IS NOT NULL"]
        params: tuple[Any, ...] = ()
        if bounds:
            collate = ' COLLATE "C"' if dialect == "postgresql" else ""
            clauses.append(f"{column}{collate} >= ? AND {column}{collate} < ?")
            params = bounds
        rows = run(f"SELECT DISTINCT {column} FROM {table} WHERE {' AND '.join(clauses)} "
                   f"ORDER BY {column} LIMIT {LIMIT}", params)
        if not rows and prefix and inside:
            found = "strpos" if dialect == "postgresql" else "instr"
            rows = run(f"SELECT DISTINCT {column} FROM {table} WHERE {found}({column}, ?) > 0 LIMIT 2", (prefix,))
            rows = rows if len(rows) == 1 else []
        return [(str(value), None) for (value,) in rows]

    return reader


def enterprises(location: Location, prefix: str) -> list[Row]:
    return _query(location, _names("enterprise", "name", prefix))


def departments(location: Location, prefix: str) -> list[Row]:
    return _query(location, _names("department", "name", prefix))


def users(location: Location, prefix: str) -> list[Row]:
    return _query(location, _names("app_user", "name", prefix))


def tags(location: Location, prefix: str) -> list[Row]:
    return _query(location, _names("tag", "name", prefix))


def zones(location: Location, prefix: str) -> list[Row]:
    return _query(location, _names("enterprise", "zone", prefix))


def industries(location: Location, prefix: str) -> list[Row]:
    return _query(location, _names("enterprise", "industry", prefix))


def owners(location: Location, prefix: str) -> list[Row]:
    return _query(location, _names("issue", "owner", prefix, inside=False))  # ix_issue_owner; a million rows


def categories(location: Location, prefix: str) -> list[Row]:
    """Codes (described by their Chinese name) and Chinese names (described by their code)."""

    def reader(run: Callable[..., list[tuple[Any, ...]]], dialect: str) -> list[Row]:
        rows = run("SELECT code, name_zh FROM category ORDER BY code", ())
        found = [(code, name) for code, name in rows if code.startswith(prefix)]
        found += [(name, code) for code, name in rows if name.startswith(prefix)]
        if not found:  # the one category whose Chinese name holds what was typed
            found = [(name, code) for code, name in rows if prefix in name]
            found = found if len(found) == 1 else []
        return [(value, _printable(about)) for value, about in found[:LIMIT]]

    return _query(location, reader)


def issue_ids(location: Location, prefix: str, statuses: tuple[str, ...] = UNRESOLVED) -> list[Row]:
    """Ids of issues in `statuses` that start with `prefix` (digits, `#` allowed), described by their title.

    The ids starting with 12 are 12, 120–129, 1200–1299 …: one range of the primary key per
    length, read shortest first until LIMIT are found, so a million issues cost a few index
    seeks. With no prefix, the newest issues.
    """
    hash_mark = "#" if prefix.startswith("#") else ""
    digits = prefix.removeprefix("#")
    if digits and not digits.isdigit():
        return []

    def reader(run: Callable[..., list[tuple[Any, ...]]], dialect: str) -> list[Row]:
        marks = ", ".join("?" for _ in statuses)
        # SQLite: walk the primary key, not the status index (which would sort 250,000 ids).
        status = "+status" if dialect == "sqlite" else "status"
        select = f"SELECT id, title FROM issue WHERE {status} IN ({marks})"
        if not digits or int(digits) == 0:
            rows = run(f"{select} ORDER BY id DESC LIMIT {LIMIT}", statuses) if not digits else []
        else:
            (top,) = run("SELECT max(id) FROM issue", ())[0]
            rows, start, width = [], int(digits), 1
            while top is not None and start <= top and len(rows) < LIMIT:
                rows += run(f"{select} AND id >= ? AND id < ? ORDER BY id LIMIT {LIMIT - len(rows)}",
                            (*statuses, start, start + width))
                start, width = start * 10, width * 10
        return [(f"{hash_mark}{issue_id}", _printable(title)) for issue_id, title in rows]

    return _query(location, reader)


def category_codes(location: Location) -> list[str]:
    """Every category's code (for `deadline.category.<code>` config keys)."""
    return [code for code, _ in _query(location, _names("category", "code", "", inside=False))]


def ledger_location(db_option: str | None) -> Location | None:
    """The ledger a command line with `--db db_option` would use (--db, QIYE_DB, the config, the
    default file), resolved as every command resolves it; None when it cannot be."""
    from qiye_service import config
    from qiye_service.db import resolve_location

    try:
        configured = config.load_config().get("db") if not (db_option or os.environ.get("QIYE_DB")) else None
        return resolve_location(db_option, configured)
    except Exception:  # noqa: BLE001 - a bad URL or config file: nothing to offer
        return None
