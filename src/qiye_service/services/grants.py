"""`qiye db grant LOGIN`: a PostgreSQL login that may run qiye's commands and no more (issue 19,
DESIGN §10).

The login reads every table of the ledger and writes only what the commands write. The history
is append-only: on `event` (and `seal`, the recorded seals) it may INSERT and SELECT, never
UPDATE, DELETE or TRUNCATE, so a cadre's login cannot rewrite what happened, in the database
itself; only the owner of the tables can. It gets nothing on `alembic_version` but reading (only
the owner upgrades), no CREATE on the schema (objects planted there would run as whoever uses
them, the owner included), and write access to the users (`app_user`) only with `admin`: a login
that could edit that table could make itself an admin.

Run again, it resets the login's privileges on the ledger to exactly these (after `qiye db
upgrade` has added tables, say). It refuses the owner of the tables, a member of the owner's
role and a superuser: nothing can be taken from them. A password, when given, is sent as a
SCRAM verifier computed here (libpq's PQencryptPasswordConn), so it is never in a statement the
server could log; without one the login has none, for trust or peer authentication.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from qiye_service.errors import Conflict, InvalidValue, QiyeError

# What a granted login may do to each table of the ledger besides reading it (SELECT on all of
# them). Each write is there because a command does it (services/): grep before adding one.
WRITES: dict[str, tuple[str, ...]] = {
    "alembic_version": (),              # the schema's revision: only the owner upgrades
    "category": ("INSERT",),            # category add, issue add/import naming a new one
    "department": ("INSERT",),          # department add, issue add/import naming a new one
    "enterprise": ("INSERT", "UPDATE"),  # enterprise add/edit, import enterprises --on-conflict update
    "tag": ("INSERT",),                 # issue add/tag with a new tag
    "issue": ("INSERT", "UPDATE"),      # every issue command; issues are never deleted
    "issue_tag": ("INSERT", "DELETE"),  # issue tag -T, edit --tag, import --on-conflict update
    # the work-order cycle: dispatch, acknowledge, return, uphold; an import --on-conflict update
    # replaces the co-handling and returned rows the file names
    "dispatch": ("INSERT", "UPDATE", "DELETE"),
    "event": ("INSERT",),               # the history: append-only
    "seal": ("INSERT",),                # recorded seals (db seal): append-only
    "reminder_delivery": ("INSERT",),   # remind --send: the delivery log, only ever added to
    "app_user": (),                     # users: written only by a login granted with admin
    # evidence (issue 23): issue attach adds files and their bytes; both are never changed or
    # deleted (db check verifies them against the hashes in the history)
    "attachment": ("INSERT",),
    "attachment_chunk": ("INSERT",),
    # issue 22: visits are logged (visit add) and re-imported (import visits --on-conflict update);
    # each change of an enterprise's liaison appends its assignment row
    "visit": ("INSERT", "UPDATE"),
    "liaison_assignment": ("INSERT",),
}
ADMIN_WRITES: dict[str, tuple[str, ...]] = {
    "app_user": ("INSERT", "UPDATE"),   # user add/edit/disable/import; users are never deleted
}
# INSERT and SELECT only, for every login but the owner (evidence, issue 23, is never changed either)
APPEND_ONLY_TABLES = ("event", "seal", "reminder_delivery", "attachment", "attachment_chunk")
MAX_LOGIN_BYTES = 63  # NAMEDATALEN - 1
_SCHEMA_OID = "(SELECT oid FROM pg_namespace WHERE nspname = %s)"


@dataclass
class Grant:
    """What `grant_login` did."""

    login: str
    database: str
    schema: str
    owner: str
    created: bool = False
    login_enabled: bool = False  # an existing role that could not log in now can
    password_set: bool = False
    connect_granted: bool = False  # CONNECT granted to the login itself (PUBLIC did not give it)
    public_create_revoked: bool = False
    privileges: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sequences: list[str] = field(default_factory=list)
    leftovers: list[tuple[str, str]] = field(default_factory=list)  # (object, privilege) it still has

    def rows(self) -> list[dict[str, Any]]:
        return [{"table": table, "privileges": ", ".join(privileges)} for table, privileges in self.privileges.items()]


def check_login_name(login: str) -> str:
    """A login name as PostgreSQL takes it: not empty, at most 63 bytes, no NUL, not `pg_…`."""
    if not login or not login.strip() or "\x00" in login or len(login.encode("utf-8")) > MAX_LOGIN_BYTES \
            or login.lower().startswith("pg_") or login.lower() in ("public", "none", "current_user", "session_user",
                                                                    "current_role"):
        raise InvalidValue("error.grant_bad_login", login=login.replace("\x00", "\\0")[:80])
    return login


def grant_login(engine: Engine, login: str, *, password: str | None = None, admin: bool = False) -> Grant:
    """Create `login` if missing and give it exactly what qiye's commands need on this ledger,
    in one transaction: a failure grants nothing."""
    from psycopg import errors, sql

    check_login_name(login)
    if password is not None and (not password or "\x00" in password):
        raise InvalidValue("error.grant_bad_password")
    try:
        with engine.begin() as conn:
            raw = conn.connection.driver_connection
            cursor = conn.connection.cursor()
            return _grant(raw, cursor, sql, login, password=password, admin=admin)
    except errors.InsufficientPrivilege as exc:
        raise QiyeError("error.grant_denied", login=login, detail=_first_line(exc)) from None


def _grant(raw: Any, cursor: Any, sql: Any, login: str, *, password: str | None, admin: bool) -> Grant:
    cursor.execute(
        "SELECT n.nspname, pg_get_userbyid(c.relowner), current_database() FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass('event')")
    found = cursor.fetchone()
    if found is None:
        raise QiyeError("error.grant_no_ledger")
    schema, owner, database = found
    result = Grant(login=login, database=database, schema=schema, owner=owner)
    # Only the owner can grant on its tables; anyone else's GRANT and REVOKE would only warn.
    cursor.execute("SELECT current_user, pg_has_role(current_user, %s, 'USAGE')", (owner,))
    runner, owns = cursor.fetchone()
    if not owns:
        raise QiyeError("error.grant_denied", login=login,
                        detail=f"{runner} does not own the ledger (schema {schema}, owner {owner})")

    cursor.execute("SELECT rolsuper, rolcanlogin FROM pg_roles WHERE rolname = %s", (login,))
    role = cursor.fetchone()
    who = sql.Identifier(login)
    verifier = None
    if password is not None:
        verifier = raw.pgconn.encrypt_password(password.encode("utf-8"), login.encode("utf-8")).decode("ascii")
    if role is None:
        statement = sql.SQL("CREATE ROLE {} LOGIN").format(who)
        if verifier is not None:
            statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(verifier))
        cursor.execute(statement)
        result.created = True
    else:
        superuser, can_login = role
        if login == owner:
            raise Conflict("error.grant_owner", login=login, schema=schema)
        if superuser:
            raise Conflict("error.grant_superuser", login=login)
        cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", (login, owner))
        if cursor.fetchone()[0]:
            raise Conflict("error.grant_member", login=login, owner=owner)
        if not can_login or verifier is not None:
            statement = sql.SQL("ALTER ROLE {} LOGIN").format(who)
            if verifier is not None:
                statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(verifier))
            cursor.execute(statement)
            result.login_enabled = not can_login
    result.password_set = verifier is not None

    space = sql.Identifier(schema)
    # Start from nothing on this ledger, so a second run also takes away what the first (or a
    # hand-typed GRANT) gave beyond what qiye needs.
    cursor.execute(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(space, who))
    cursor.execute(sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {} FROM {}").format(space, who))
    cursor.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(space, who))
    # No one but the owner creates objects beside the ledger (PostgreSQL before 15 let PUBLIC
    # create in `public`).
    cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_namespace n, aclexplode(n.nspacl) a "
                   "WHERE n.nspname = %s AND a.grantee = 0 AND a.privilege_type = 'CREATE')", (schema,))
    if cursor.fetchone()[0]:
        cursor.execute(sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC").format(space))
        result.public_create_revoked = True

    # CONNECT: granted to the login only when PUBLIC does not already give it (the default does).
    cursor.execute("SELECT has_database_privilege(%s, current_database(), 'CONNECT')", (login,))
    if not cursor.fetchone()[0]:
        cursor.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), who))
        result.connect_granted = True
    cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(space, who))

    cursor.execute(f"SELECT c.relname FROM pg_class c WHERE c.relnamespace = {_SCHEMA_OID} AND c.relkind IN ('r', 'p')",
                   (schema,))
    present = {row[0] for row in cursor.fetchall()}
    for table, writes in WRITES.items():
        if table not in present:
            continue  # a table of a later revision (this ledger is upgraded before granting)
        writes = writes + (ADMIN_WRITES.get(table, ()) if admin else ())
        privileges = ("SELECT", *writes)
        cursor.execute(sql.SQL("GRANT {} ON TABLE {} TO {}").format(
            sql.SQL(", ").join(sql.SQL(name) for name in privileges), sql.Identifier(schema, table), who))
        result.privileges[table] = privileges
        if "INSERT" in writes:
            for sequence in _sequences(cursor, schema, table):
                cursor.execute(sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(sql.Identifier(schema, sequence), who))
                result.sequences.append(sequence)

    result.leftovers = _leftovers(cursor, login, schema, result.privileges)
    return result


def _sequences(cursor: Any, schema: str, table: str) -> list[str]:
    """The sequences that number a table's rows (serial or identity columns)."""
    cursor.execute(
        "SELECT s.relname FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
        "JOIN pg_class t ON t.oid = d.refobjid WHERE d.classid = 'pg_class'::regclass "
        f"AND d.refclassid = 'pg_class'::regclass AND t.relnamespace = {_SCHEMA_OID} AND t.relname = %s "
        "ORDER BY s.relname", (schema, table))
    return [row[0] for row in cursor.fetchall()]


def _leftovers(cursor: Any, login: str, schema: str, granted: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """Privileges the login still has beyond `granted`, through PUBLIC or a role it belongs to."""
    found: list[tuple[str, str]] = []
    cursor.execute("SELECT has_schema_privilege(%s, %s, 'CREATE')", (login, schema))
    if cursor.fetchone()[0]:
        found.append((schema, "CREATE"))
    for table, privileges in granted.items():
        for privilege in ("INSERT", "UPDATE", "DELETE", "TRUNCATE"):
            if privilege in privileges:
                continue
            cursor.execute(f"SELECT has_table_privilege(%s, c.oid, %s) FROM pg_class c "
                           f"WHERE c.relnamespace = {_SCHEMA_OID} AND c.relname = %s", (login, privilege, schema, table))
            if cursor.fetchone()[0]:
                found.append((table, privilege))
    return found


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
