"""`qiye db grant LOGIN` (issue 19 point 5, DESIGN §10): a PostgreSQL login gets what qiye's
commands need and no more. Its commands work; the history is append-only in the database itself
(UPDATE, DELETE and TRUNCATE on `event` fail for it, tried with psycopg directly); it cannot
change the schema or its revision. On SQLite the command is an error.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import PG_URL, Qiye, pg_schema_url

ODD = 'Qiye "odd" 登录'


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _as_login(url: str, login: str) -> str:
    """`url` (the owner's, with its search_path) connecting as `login` instead (trust auth)."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(username=login, password=None).render_as_string(hide_password=False)


def _superuser_sql(statement: str, *params: object) -> list[tuple]:
    import psycopg

    with psycopg.connect(_plain(str(PG_URL)), autocommit=True) as conn:
        cursor = conn.execute(statement, params or None)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def owner(pg_schema: str, base_env: dict[str, str]) -> Qiye:
    """The ledger's owner (the tests' PostgreSQL login) on a fresh, migrated schema."""
    url = pg_schema_url(pg_schema)
    qiye = Qiye(url, {**base_env, "QIYE_DB": url})
    qiye.ok("db", "upgrade")
    return qiye


@pytest.fixture
def new_login() -> Iterator[list[str]]:
    """Unique login names for a test (append to the list); each dropped afterwards."""
    names: list[str] = []
    yield names
    for name in names:
        from psycopg import sql

        if _superuser_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", name):
            with __import__("psycopg").connect(_plain(str(PG_URL)), autocommit=True) as conn:
                conn.execute(sql.SQL("DROP OWNED BY {} CASCADE").format(sql.Identifier(name)))
                conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def _name(names: list[str], stem: str = "qiye_t_") -> str:
    name = f"{stem}{uuid.uuid4().hex[:10]}"
    names.append(name)
    return name


def _privileges(login: str, schema: str, table: str) -> set[str]:
    rows = _superuser_sql(
        "SELECT p FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE']) p "
        "WHERE has_table_privilege(%s, format('%%I.%%I', %s::text, %s::text), p)", login, schema, table)
    return {row[0] for row in rows}


def test_a_granted_login_works_the_ledger_but_cannot_rewrite_history(
        owner: Qiye, pg_schema: str, new_login: list[str], base_env: dict[str, str], tmp_path: Path) -> None:
    import psycopg

    login = _name(new_login)
    granted = owner.ok("db", "grant", login)
    assert f"Created the login {login}." in granted.stdout
    url = _as_login(owner.url, login)
    cadre = Qiye(url, {**base_env, "QIYE_DB": url})

    # Every kind of write a command makes, as the granted login.
    cadre.ok("enterprise", "add", "蓝思科技", "--zone", "北园")
    cadre.ok("enterprise", "edit", "蓝思科技", "--zone", "南园")
    cadre.ok("department", "add", "消防救援大队")
    cadre.ok("category", "add", "night-market", "--zh", "夜市经营", "--en", "Night market")
    assert cadre.ok("issue", "add", "二期厂房消防验收未通过", "-e", "蓝思科技", "-c", "消防验收",
                    "--tag", "重点项目", "--reported", "2023-12-01").stdout.strip() == "1"
    cadre.ok("issue", "assign", "1", "--dept", "消防救援大队", "--owner", "王强")
    cadre.ok("issue", "start", "1")
    cadre.ok("issue", "tag", "1", "-重点项目", "+复工复产")
    cadre.ok("issue", "comment", "1", "已约企业现场核查")
    cadre.ok("issue", "edit", "1", "--title", "二期厂房消防验收")
    cadre.ok("issue", "escalate", "1", "--note", "挂牌")
    cadre.ok("issue", "resolve", "1", "--note", "已整改")
    cadre.ok("issue", "callback", "1", "--result", "satisfied")
    cadre.ok("issue", "reopen", "1")
    source = tmp_path / "issues.csv"
    source.write_text("title,enterprise,category,reported_on,tags\n用电增容,九典制药,用水用电,2023-12-05,新标签\n",
                      encoding="utf-8")
    cadre.ok("import", "issues", str(source))
    # Visits and 包联 (issue 22): an assignment, a visit, a problem it found, a visit log imported again.
    cadre.ok("enterprise", "assign", "蓝思科技", "--liaison", "李娟")
    cadre.ok("visit", "add", "蓝思科技", "--on", "2023-12-01", "--note", "走访")
    cadre.ok("issue", "add", "道路破损", "-e", "蓝思科技", "-c", "road", "--visit", "1")
    visits = tmp_path / "visits.csv"
    visits.write_text(cadre.ok("export", "visits").stdout, encoding="utf-8")
    cadre.ok("import", "visits", str(visits), "--on-conflict", "update")
    cadre.ok("db", "seal")
    cadre.ok("db", "check")
    cadre.ok("report", "summary")
    cadre.ok("export", "events", "--format", "csv")
    events = owner.sql("SELECT count(*) FROM event")[0][0]
    assert events >= 12

    # The history is append-only for the login, in the database itself.
    with psycopg.connect(_plain(url), autocommit=True) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == login
        assert conn.execute("SELECT count(*) FROM event").fetchone()[0] == events
        for statement in ("UPDATE event SET note = 'rewritten'", "DELETE FROM event", "TRUNCATE event",
                          "UPDATE seal SET digest = 'x'", "DELETE FROM seal", "TRUNCATE seal",
                          "UPDATE alembic_version SET version_num = '0001'", "DELETE FROM alembic_version",
                          "DELETE FROM issue", "TRUNCATE issue", "CREATE TABLE planted (a int)",
                          "SELECT setval('event_id_seq', 1)", "ALTER TABLE event DISABLE TRIGGER ALL"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    assert owner.sql("SELECT count(*) FROM event")[0][0] == events
    assert owner.sql("SELECT count(*) FROM event WHERE note = 'rewritten'")[0][0] == 0
    owner.ok("db", "check")
    assert _privileges(login, pg_schema, "event") == {"SELECT", "INSERT"}


def test_a_command_the_login_was_not_granted_says_who_may(
        owner: Qiye, new_login: list[str], base_env: dict[str, str], tmp_path: Path) -> None:
    login = _name(new_login)
    owner.ok("db", "grant", login)
    owner.ok("enterprise", "add", "蓝思科技")
    owner.ok("issue", "add", "问题", "-e", "蓝思科技", "-c", "消防验收")
    backup = tmp_path / "copy.db"
    owner.ok("db", "backup", str(backup))
    url = _as_login(owner.url, login)
    cadre = Qiye(url, {**base_env, "QIYE_DB": url})
    refused = cadre("db", "restore", str(backup), "--yes")
    assert refused.exit_code == 1, refused.output
    assert "refused this login" in refused.stderr and f"qiye db grant {login}" in refused.stderr
    assert "Traceback" not in refused.output
    assert owner.sql("SELECT count(*) FROM issue")[0][0] == 1


def test_granting_again_takes_back_what_qiye_does_not_need(
        owner: Qiye, pg_schema: str, new_login: list[str]) -> None:
    from psycopg import sql

    login = _name(new_login)
    owner.ok("db", "grant", login)
    import psycopg

    with psycopg.connect(_plain(str(PG_URL)), autocommit=True) as conn:
        who, space = sql.Identifier(login), sql.Identifier(pg_schema)
        conn.execute(sql.SQL("GRANT UPDATE, DELETE, TRUNCATE ON {}.event TO {}").format(space, who))
        conn.execute(sql.SQL("GRANT ALL ON {}.alembic_version TO {}").format(space, who))
        conn.execute(sql.SQL("GRANT CREATE ON SCHEMA {} TO {}").format(space, who))
    assert _privileges(login, pg_schema, "event") == {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"}

    again = owner.ok("db", "grant", login)
    assert f"The login {login} exists" in again.stdout
    assert _privileges(login, pg_schema, "event") == {"SELECT", "INSERT"}
    assert _privileges(login, pg_schema, "seal") == {"SELECT", "INSERT"}
    assert _privileges(login, pg_schema, "alembic_version") == {"SELECT"}
    assert _privileges(login, pg_schema, "issue") == {"SELECT", "INSERT", "UPDATE"}
    assert _superuser_sql("SELECT has_schema_privilege(%s, %s, 'CREATE'), has_schema_privilege(%s, %s, 'USAGE')",
                          login, pg_schema, login, pg_schema) == [(False, True)]
    assert len(_superuser_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", login)) == 1


def test_the_owner_a_superuser_and_the_owners_members_are_refused(
        owner: Qiye, new_login: list[str]) -> None:
    from psycopg import sql

    current_owner = owner.sql("SELECT current_user")[0][0]
    refused = owner("db", "grant", current_owner)
    assert refused.exit_code == 1 and "owns the ledger" in refused.stderr, refused.output

    member = _name(new_login)
    import psycopg

    with psycopg.connect(_plain(str(PG_URL)), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(member)))
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(current_owner), sql.Identifier(member)))
    refused = owner("db", "grant", member)
    assert refused.exit_code == 1 and f"member of {current_owner}" in refused.stderr, refused.output

    superuser = _name(new_login)
    _superuser_sql(f'CREATE ROLE "{superuser}" SUPERUSER LOGIN')
    refused = owner("db", "grant", superuser)
    assert refused.exit_code == 1 and "superuser" in refused.stderr, refused.output


def test_a_password_is_read_from_stdin_stored_hashed_and_never_printed(
        owner: Qiye, new_login: list[str]) -> None:
    login = _name(new_login, stem=ODD)
    secret = "Tr0ub4dor&3-口令"
    done = owner.ok("db", "grant", login, "--password-stdin", input=secret + "\n")
    assert secret not in done.output
    assert "Set the password" in done.stdout
    stored = _superuser_sql("SELECT rolcanlogin, rolpassword FROM pg_authid WHERE rolname = %s", login)
    assert stored[0][0] is True
    assert stored[0][1].startswith("SCRAM-SHA-256$") and secret not in stored[0][1]

    empty = owner("db", "grant", _name(new_login), "--password-stdin", input="\n")
    assert empty.exit_code == 1 and "no password" in empty.stderr
    assert not _superuser_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", new_login[-1])


def test_without_a_password_the_login_has_none_and_json_lists_the_grants(
        owner: Qiye, new_login: list[str]) -> None:
    import json

    login = _name(new_login)
    done = json.loads(owner.ok("db", "grant", login, "--format", "json").stdout)
    assert done["login"] == login and done["created"] is True and done["password_set"] is False
    assert done["privileges"]["event"] == ["SELECT", "INSERT"]
    assert done["privileges"]["alembic_version"] == ["SELECT"]
    assert "event_id_seq" in done["sequences"]
    assert done["still_allowed"] == []
    assert _superuser_sql("SELECT rolpassword FROM pg_authid WHERE rolname = %s", login) == [(None,)]


def test_every_table_of_the_ledger_has_a_grant_policy(owner: Qiye, pg_schema: str) -> None:
    """A table a later migration adds must be placed in services/grants.py, or no login could use it."""
    from qiye_service.services.grants import WRITES

    tables = {row[0] for row in owner.sql(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = "
        "(SELECT oid FROM pg_namespace WHERE nspname = :schema)", schema=pg_schema)}
    assert tables <= set(WRITES), f"tables without a grant policy: {sorted(tables - set(WRITES))}"


def test_the_policy_names_every_table_of_the_models() -> None:
    from sqlmodel import SQLModel

    import qiye_service.models  # noqa: F401 - registers the tables
    from qiye_service.services.grants import APPEND_ONLY_TABLES, WRITES

    assert set(SQLModel.metadata.tables) <= set(WRITES)
    for table in APPEND_ONLY_TABLES:
        assert WRITES[table] == ("INSERT",)


def test_db_grant_on_sqlite_is_an_error(sqlite_qiye: Qiye) -> None:
    result = sqlite_qiye("db", "grant", "wangqiang")
    assert result.exit_code == 1
    assert "error: db grant is for a ledger on PostgreSQL" in result.stderr
    zh = sqlite_qiye("db", "grant", "wangqiang", "--lang", "zh")
    assert zh.exit_code == 1 and "PostgreSQL" in zh.stderr and "只适用于" in zh.stderr


@pytest.mark.parametrize("login", ["", "pg_monitor", "x" * 64, "public"])
def test_a_login_name_postgresql_would_not_take_is_refused(sqlite_qiye: Qiye, login: str) -> None:
    # Checked before the database is opened: the same on either backend.
    result = Qiye("postgresql+psycopg://nobody@127.0.0.1:1/none", sqlite_qiye.env | {
        "QIYE_DB": "postgresql+psycopg://nobody@127.0.0.1:1/none"})("db", "grant", login)
    assert result.exit_code == 1, result.output
    assert "is not a login name" in result.stderr


def test_only_a_login_granted_admin_may_write_the_users(
        owner: Qiye, pg_schema: str, new_login: list[str], base_env: dict[str, str]) -> None:
    """A login that could edit app_user could make itself an admin: it gets that only with --admin."""
    import psycopg

    login = _name(new_login)
    owner.ok("db", "grant", login)
    url = _as_login(owner.url, login)
    cadre = Qiye(url, {**base_env, "QIYE_DB": url})
    refused = cadre("user", "add", "王强", "--role", "admin", "--login", login)
    assert refused.exit_code == 1 and "refused this login" in refused.stderr, refused.output
    assert owner.sql("SELECT count(*) FROM app_user")[0][0] == 0
    owner.ok("user", "add", "王强", "--role", "cadre", "--login", login)
    with psycopg.connect(_plain(url), autocommit=True) as conn:
        assert conn.execute("SELECT role FROM app_user WHERE login = %s", (login,)).fetchone()[0] == "cadre"
        for statement in ("UPDATE app_user SET role = 'admin'", "INSERT INTO app_user (name, role, login, active, "
                          "created_at) VALUES ('x', 'admin', 'x', true, now())", "DELETE FROM app_user"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)

    admin = _name(new_login)
    done = owner.ok("db", "grant", admin, "--admin")
    assert "app_user" in done.stdout
    assert _privileges(admin, pg_schema, "app_user") == {"SELECT", "INSERT", "UPDATE"}
    assert _privileges(login, pg_schema, "app_user") == {"SELECT"}


def test_only_the_owner_can_grant(owner: Qiye, new_login: list[str], base_env: dict[str, str]) -> None:
    """A granted login running `db grant` is told to run it as the owner, and changes nothing."""
    login, other = _name(new_login), _name(new_login)
    owner.ok("db", "grant", login)
    owner.ok("db", "grant", other)
    url = _as_login(owner.url, login)
    cadre = Qiye(url, {**base_env, "QIYE_DB": url})
    for target in (other, _name(new_login), login):
        refused = cadre("db", "grant", target, "--admin")
        assert refused.exit_code == 1, refused.output
        assert "does not own the ledger" in refused.stderr and "as the login that owns the ledger" in refused.stderr
    assert not _superuser_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", new_login[-1])
    assert _privileges(other, owner.sql("SELECT current_schema()")[0][0], "app_user") == {"SELECT"}
