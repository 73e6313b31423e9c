"""Who may do what on a shared ledger (DESIGN §10, issue 19): the one permission table.

A ledger with no registered users is a single cadre's ledger: everything is allowed and the
actor is whoever `--as`, `QIYE_USER`, the config or the OS login says (DESIGN §3). Once one
user is registered, roles are enforced:

- identity comes from what the system already authenticates: on PostgreSQL the database
  login (`session_user`), on SQLite the OS login, mapped to a user by `user.login`. On SQLite
  anyone who can write the file can change anything with another tool, so the OS login is an
  honest label rather than a guard; the guard is PostgreSQL with `qiye db grant`.
- `--as NAME` / `QIYE_USER` are honoured only for an admin, and recorded as the actor text
  `ADMIN（代 NAME）` ("admin on behalf of NAME"): one text column, hashed into the chain like
  any other actor, from which `principal_of` reads NAME back.
- a login mapped to no (active) user may read but not write.
- every writing command is in PERMISSIONS; a command missing from it is refused (fail closed).

The CLI calls `authorize` once per run where it opens the run's first write (cli/context.py),
so no command checks roles by itself. The check reads the user table once (an EXISTS, then the
mapped login's row), and nothing at all for commands that only read.
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from qiye_service.errors import QiyeError
from qiye_service.i18n import Msg
from qiye_service.models import Role

ROLES = tuple(role.value for role in Role)
CADRE, HANDLER, SUPERVISOR, ADMIN = Role.cadre.value, Role.handler.value, Role.supervisor.value, Role.admin.value
EVERYONE = ROLES
OFFICE = (SUPERVISOR, ADMIN)
# The roles whose reach over issues is limited: a handler to their department's issues, a
# cadre to the issues they filed or own. A supervisor and an admin reach every issue.
SCOPED_ROLES = (CADRE, HANDLER)


@dataclass(frozen=True)
class Rule:
    """Which roles may run a command; `on_issue`: the command names one issue, which a cadre or
    a handler may touch only within their scope."""

    roles: tuple[str, ...]
    on_issue: bool = False
    note: str | None = None  # a catalogue key limiting the row (config set: the office's settings)


# The table (README "Who may do what" is generated from it; tests/test_permissions.py checks
# that the two agree and that every writing command of the CLI is here).
PERMISSIONS: dict[str, Rule] = {
    "init": Rule((ADMIN,)),
    "db upgrade": Rule((ADMIN,)),
    "db restore": Rule((ADMIN,)),
    "db seal": Rule(OFFICE),
    "config set": Rule((ADMIN,), note="perm.office_settings"),
    "user add": Rule((ADMIN,)),
    "user edit": Rule((ADMIN,)),
    "user disable": Rule((ADMIN,)),
    "user enable": Rule((ADMIN,)),
    "import users": Rule((ADMIN,)),
    "import issues": Rule(OFFICE),
    "import enterprises": Rule(OFFICE),
    "category add": Rule(OFFICE),
    "department add": Rule(OFFICE),
    "enterprise add": Rule((CADRE, SUPERVISOR, ADMIN)),
    "enterprise edit": Rule((CADRE, SUPERVISOR, ADMIN)),
    "issue add": Rule((CADRE, SUPERVISOR, ADMIN)),
    # Naming the department is dispatching it (派单), which is a supervisor's: by `issue add
    # --dept` or `issue edit --dept/--owner` as much as by `issue assign`.
    "issue add --dept": Rule(OFFICE),
    "issue edit": Rule(EVERYONE, on_issue=True),
    "issue edit --dept": Rule(OFFICE, on_issue=True),
    "issue edit --owner": Rule(OFFICE, on_issue=True),
    "issue comment": Rule(EVERYONE, on_issue=True),
    "issue tag": Rule(EVERYONE, on_issue=True),
    "issue start": Rule(EVERYONE, on_issue=True),
    "issue resolve": Rule(EVERYONE, on_issue=True),
    "issue defer": Rule(EVERYONE, on_issue=True),
    "issue reopen": Rule(OFFICE, on_issue=True),
    "issue assign": Rule(OFFICE, on_issue=True),
    "issue escalate": Rule(OFFICE, on_issue=True),
    "issue callback": Rule(OFFICE, on_issue=True),
    # issue 20 (extend), DESIGN §10/§11: a department asks for more time and stops the clock for
    # the issues it works; a supervisor decides the extension and verifies the close-out.
    "issue extend": Rule(EVERYONE, on_issue=True),
    "issue extension approve": Rule(OFFICE, on_issue=True),
    "issue extension refuse": Rule(OFFICE, on_issue=True),
    "issue suspend": Rule(EVERYONE, on_issue=True),
    "issue resume": Rule(EVERYONE, on_issue=True),
    "issue verify": Rule(OFFICE, on_issue=True),
    # The cycle's (issue 20, branch cycle): a department sends an issue back (退单); the office
    # upholds the dispatch (审定) or re-dispatches it with `issue assign`.
    "issue return": Rule((HANDLER, SUPERVISOR, ADMIN), on_issue=True),
    "issue uphold": Rule(OFFICE, on_issue=True),
    # Evidence (佐证材料, issue 23): whoever may work an issue may attach files to it.
    "issue attach": Rule(EVERYONE, on_issue=True),
    # issue 23: `qiye remind` only reads; --send speaks for the office to every department and
    # person, and writes the delivery log.
    "remind --send": Rule(OFFICE),
    # Visits and 包联 (issue 22, DESIGN §10/§12): the office assigns each enterprise its liaison
    # cadre, however it is done; a cadre records the visits they made (`visit add --by` naming
    # someone else is the office's), a supervisor or an admin any visit, and imports a visit log.
    "enterprise assign": Rule(OFFICE),
    "enterprise edit --liaison": Rule(OFFICE),
    "visit add": Rule((CADRE, SUPERVISOR, ADMIN)),
    "import visits": Rule(OFFICE),
}
# Commands that only read unless given an option that writes (`remind --send`): the option's row
# is their only one. Every other writing command must have a row of its own (fail closed).
READING_UNLESS = ("remind",)

# `config set` of these changes only how the person's own qiye runs (which ledger, the language,
# the name of a ledger without users): open to everyone. The office's settings (time zone,
# deadlines, response and escalation limits) are the admin's.
PERSONAL_SETTINGS = ("db", "lang", "user")

# What each history action is the trace of, for `db check`'s replay of the table (point 6).
# A status event maps by the status it reached.
ACTION_COMMANDS: dict[str, str] = {
    "created": "issue add", "imported": "import issues", "edited": "issue edit", "comment": "issue comment",
    "tagged": "issue tag", "assigned": "issue assign", "escalated": "issue escalate",
    "callback": "issue callback", "acknowledged": "issue start",
    "extension_requested": "issue extend", "extension_approved": "issue extension approve",
    "extension_refused": "issue extension refuse", "suspended": "issue suspend", "resumed": "issue resume",
    "verified": "issue verify", "rejected": "issue verify", "attached": "issue attach",
    "returned": "issue return", "upheld": "issue uphold", "transferred": "issue assign",
}
# The commands by which a department acts for itself on an issue it was dispatched (签收, 退单):
# `--dept` names the department acting, the lead by default. A handler acts only for their own
# department, lead (主办) or co-handler (协办), whatever the issue's lead.
ACTING_DEPARTMENT = ("issue start", "issue return")
STATUS_COMMANDS: dict[str, str] = {"in_progress": "issue start", "resolved": "issue resolve",
                                   "deferred": "issue defer", "verifying": "issue resolve"}


class Forbidden(QiyeError):
    """A writing command this person may not run: exit 1, nothing written."""


@dataclass(frozen=True)
class Person:
    """A registered user, as the permission check needs them."""

    name: str
    role: str
    department_id: int | None = None
    active: bool = True
    login: str | None = None


@dataclass(frozen=True)
class Identity:
    """Who is writing. `enforced` is False on a ledger with no registered users."""

    enforced: bool
    name: str  # the actor text events record
    login: str | None = None
    user: Person | None = None  # the mapped login's user
    principal: Person | None = None  # whom an admin acts for (--as)


ON_BEHALF = re.compile(r"^(?P<admin>.+)（代 (?P<name>.+)）$")


def on_behalf(admin: str, name: str) -> str:
    """The actor text of admin `admin` acting for `name` (DESIGN §10)."""
    return f"{admin}（代 {name}）"


def principal_of(actor: str | None) -> str | None:
    """The person an actor text stands for: NAME in `ADMIN（代 NAME）`, else the text itself."""
    if actor is None:
        return None
    match = ON_BEHALF.match(actor)
    return match.group("name") if match else actor


def acting_admin(actor: str) -> str | None:
    """ADMIN in `ADMIN（代 NAME）`; None for an actor acting for themselves."""
    match = ON_BEHALF.match(actor)
    return match.group("admin") if match else None


def os_login() -> str | None:
    """The OS login, the identity of an SQLite ledger's writer (tests monkeypatch this)."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return None


# --- reading the users (services.people's lookups) -------------------------------------------


def users_registered(session: Any) -> bool:
    """Whether the ledger has any registered user: one EXISTS on the user table's primary key."""
    from qiye_service.services.people import has_users

    return has_users(session)


def _person(user: Any) -> Person | None:
    if user is None:
        return None
    return Person(name=user.name, role=user.role, department_id=user.department_id, active=bool(user.active),
                  login=user.login)


def user_by_login(session: Any, login: str) -> Person | None:
    """The user mapped to `login`, disabled or not (a disabled one is told so)."""
    from qiye_service.services.people import find_user_by_login

    return _person(find_user_by_login(session, login, include_disabled=True))


def user_by_name(session: Any, name: str) -> Person | None:
    """The active user with exactly this name."""
    from qiye_service.services.people import find_user_by_name

    return _person(find_user_by_name(session, name))


def database_login(session: Any) -> str | None:
    """The login this session authenticated as: PostgreSQL's session_user, else the OS login."""
    if session.get_bind().dialect.name == "postgresql":
        return str(session.execute(text("SELECT session_user")).scalar())
    return os_login()


def resolve_identity(session: Any, *, requested: str | None, unregistered_name: str) -> Identity:
    """Who is writing through `session`.

    `requested` is what `--as` or `QIYE_USER` asked for; `unregistered_name` the actor of a
    ledger with no users (DESIGN §3's order). Raises Forbidden for an unmapped or disabled
    login, and for `--as` from anyone but an admin.
    """
    if not users_registered(session):
        return Identity(enforced=False, name=unregistered_name)
    login = database_login(session)
    user = user_by_login(session, login) if login else None
    if user is None:
        raise Forbidden("error.perm.unmapped", login=login or "?")
    if not user.active:
        raise Forbidden("error.perm.disabled", name=user.name, login=login)
    requested = (requested or "").strip()
    if not requested or requested == user.name:
        return Identity(enforced=True, name=user.name, login=login, user=user)
    if user.role != ADMIN:
        raise Forbidden("error.perm.as_admin_only", name=user.name, wanted=requested, role=role_word(user.role))
    principal = user_by_name(session, requested)
    if principal is None or not principal.active:
        raise Forbidden("error.perm.as_unknown", wanted=requested)
    return Identity(enforced=True, name=on_behalf(user.name, principal.name), login=login, user=user,
                    principal=principal)


# --- the check --------------------------------------------------------------------------------


def role_word(role: str) -> Msg:
    return Msg(f"role.{role}")


def roles_words(roles: tuple[str, ...]) -> Msg:
    """The roles as words of the interface language, joined ("supervisor or admin")."""
    return Msg(f"perm.roles.{'+'.join(roles)}")


def issue_scope(session: Any, issue_id: int) -> tuple[int | None, str | None, str | None] | None:
    """The issue's department id, owner and filer; None when there is no such issue."""
    from sqlalchemy import select

    from qiye_service.models import Issue

    row = session.execute(select(Issue.department_id, Issue.owner, Issue.created_by)
                          .where(Issue.id == issue_id)).first()  # type: ignore[arg-type]
    return None if row is None else (row[0], row[1], row[2])


def within_scope(person: Person, scope: tuple[int | None, str | None, str | None]) -> bool:
    """Whether `person` may act on an issue with this department, owner and filer."""
    department_id, owner, created_by = scope
    if person.role == HANDLER:
        return department_id is not None and department_id == person.department_id
    if person.role == CADRE:
        return person.name in (owner, principal_of(created_by))
    return True


def check(person: Person, command: str, scope: tuple[int | None, str | None, str | None] | None = None,
          *, issue_id: int | None = None) -> None:
    """Raise Forbidden unless `person` may run `command` (on an issue with `scope`)."""
    rule = PERMISSIONS.get(command)
    if rule is None:
        raise Forbidden("error.perm.unlisted", command=command)
    if person.role not in rule.roles:
        raise Forbidden("error.perm.role", command=command, role=role_word(person.role), name=person.name,
                        roles=roles_words(rule.roles))
    if rule.on_issue and scope is not None and person.role in SCOPED_ROLES and not within_scope(person, scope):
        key = "error.perm.scope_handler" if person.role == HANDLER else "error.perm.scope_cadre"
        raise Forbidden(key, command=command, id=issue_id, name=person.name, roles=roles_words(OFFICE))


def rows_for(command: str, options: tuple[str, ...] = ()) -> list[str]:
    """The table's rows a run of `command` with these options given must pass: the command's,
    then one per option the table lists for it (`issue edit --dept`). A command that only reads
    unless given an option that writes (READING_UNLESS) has only the option's row."""
    own = [] if command in READING_UNLESS else [command]
    return [*own, *(f"{command} {option}" for option in options if f"{command} {option}" in PERMISSIONS)]


def authorize(session: Any, identity: Identity, command: str, issue_id: int | None = None,
              options: tuple[str, ...] = (), department: str | None = None) -> None:
    """The one choke point: may `identity` run the writing `command` (on issue `issue_id`, with
    `options` given; `department`: the `--dept` a command of ACTING_DEPARTMENT acts for)?

    An admin acting for someone (`--as`) is checked as the admin, who may run every command;
    the four-eyes rule then looks at whom they act for (`require_four_eyes`)."""
    if not identity.enforced:
        return
    assert identity.user is not None
    scope = None
    if issue_id is not None and identity.user.role in SCOPED_ROLES:
        scope = issue_scope(session, issue_id)
        if scope is not None and department is not None and command in ACTING_DEPARTMENT \
                and identity.user.role == HANDLER:
            scope = _acting_for(session, identity.user, command, department, scope)
    for row in rows_for(command, options):
        check(identity.user, row, scope, issue_id=issue_id)


def _acting_for(session: Any, person: Person, command: str, department: str,
                scope: tuple[int | None, str | None, str | None]) -> tuple[int | None, str | None, str | None]:
    """The scope of a handler's `command --dept DEPARTMENT`: the department acting, which must be
    their own (a co-handler's part is its own department's business, not the lead's)."""
    from qiye_service.services.lookups import find_department

    found = find_department(session, department)
    if found.id != person.department_id:
        raise Forbidden("error.perm.other_department", name=person.name, command=command, dept=found.name,
                        roles=roles_words(OFFICE))
    return found.id, scope[1], scope[2]


def check_visit_by(identity: Identity, by: str | None) -> None:
    """A cadre logs their own visits: `visit add --by` naming another cadre is the office's."""
    if not identity.enforced or identity.user is None or identity.user.role != CADRE or by is None:
        return
    if by.strip() != identity.user.name:
        raise Forbidden("error.perm.visit_by_other", name=identity.user.name, by=by.strip(),
                        roles=roles_words(OFFICE))


def require_four_eyes(actor: str, requested_by: str | None, action: str) -> None:
    """Nobody verifies a close-out they requested or approves an extension they asked for
    (DESIGN §10): `action` ("verify" | "approve") by `actor` of what `requested_by` asked.
    Acting for someone else (`ADMIN（代 NAME）`) counts as both the admin and NAME."""
    if requested_by is None:
        return
    asked = {principal_of(requested_by), acting_admin(requested_by)} - {None}
    acting = {principal_of(actor), acting_admin(actor)} - {None}
    if asked & acting:
        raise Forbidden(f"error.perm.four_eyes_{action}", name=principal_of(actor), roles=roles_words(OFFICE))


def permission_rows(lang: str) -> list[dict[str, str]]:
    """The table as rows for the README and `qiye user roles`: one per command, a mark per role."""
    from qiye_service.i18n import translate

    rows = []
    for command, rule in PERMISSIONS.items():
        row = {"command": command}
        for role in ROLES:
            if role not in rule.roles:
                row[role] = ""
            elif rule.on_issue and role in SCOPED_ROLES:
                row[role] = translate(f"perm.scope.{role}", lang)
            else:
                row[role] = translate("perm.yes", lang)
        rows.append(row)
    return rows


def markdown_table(lang: str = "en") -> str:
    """The permission table as the README shows it."""
    from qiye_service.i18n import translate

    header = [translate("perm.command", lang), *(translate(f"role.{role}", lang) for role in ROLES)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in permission_rows(lang):
        note = PERMISSIONS[row["command"]].note
        command = f"`{row['command']}`" + (f" ({translate(note, lang)})" if note else "")
        lines.append("| " + " | ".join([command, *(row[role] for role in ROLES)]) + " |")
    return "\n".join(lines)


def user_table_exists(session: Any) -> bool:
    """Whether the ledger has a user table yet (a ledger before migration 0005 has none)."""
    if session.get_bind().dialect.name == "postgresql":
        return session.execute(text("SELECT to_regclass('app_user') IS NOT NULL")).scalar() is True
    return session.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'app_user'")).first() is not None


# --- the table replayed over the history (`db check`, point 6) --------------------------------


def command_of(action: str, field: str | None, old: str | None, new: str | None) -> str | None:
    """The table's row an event is the trace of; None for one no command of the table records."""
    if action == "status":
        if new == "in_progress" and old in ("resolved", "deferred"):
            return "issue reopen"
        return STATUS_COMMANDS.get(new or "")
    if action == "edited" and field in ("department", "owner"):
        return "issue edit --dept" if field == "department" else "issue edit --owner"
    return ACTION_COMMANDS.get(action)


@dataclass
class HistoryReplay:
    """What `db check` needs to replay the table: the users (by name), when the first was
    registered, and department ids by name (assignments record the name)."""

    users: dict[str, Person]
    since: Any  # naive UTC datetime
    departments: dict[str, int]

    def problems(self, events: list[Any]) -> list[tuple[Any, str, dict[str, Any]]]:
        """(event, catalogue key, params) for each event of one issue (oldest first) recorded
        since users were registered by someone who is no registered user, or who could not
        have run the command it is the trace of, on the issue as it stood just before."""
        import json

        found: list[tuple[Any, str, dict[str, Any]]] = []
        department_id: int | None = None
        owner: str | None = None
        created_by: str | None = None
        for event in events:
            if event.action in ("created", "imported") and event.field is None:
                try:
                    snapshot = json.loads(event.new or "")
                except ValueError:
                    snapshot = None
                if isinstance(snapshot, dict):
                    department_id, owner = snapshot.get("department_id"), snapshot.get("owner")
                    created_by = created_by or event.actor
            if event.at >= self.since:
                acting = self._acting_department(event)
                problem = self._problem(event, (department_id if acting is None else acting, owner, created_by))
                if problem is not None:
                    found.append((event, *problem))
            if event.field == "department":
                department_id = self.departments.get(event.new) if event.new else None
            elif event.field == "owner":
                owner = event.new
        return found

    def _acting_department(self, event: Any) -> int | None:
        """The department a 签收 or 退单 was recorded for (a co-handler's own, or the lead's):
        `acknowledged` names it, `returned` starts its note with it (services.cycle)."""
        if event.action == "acknowledged" and event.new:
            return self.departments.get(event.new)
        if event.action == "returned" and event.note and " · " in event.note:
            return self.departments.get(event.note.split(" · ", 1)[0])
        return None

    def _problem(self, event: Any, scope: tuple[int | None, str | None, str | None]
                 ) -> tuple[str, dict[str, Any]] | None:
        acting = acting_admin(event.actor) or event.actor
        for name in dict.fromkeys((acting, principal_of(event.actor))):
            if name not in self.users:
                return "check.unregistered_actor", {"actor": name}
        person = self.users[acting]
        command = command_of(event.action, event.field, event.old, event.new)
        if command == "issue add" and scope[0] is not None:
            command = "issue add --dept"  # filed straight to a department: a dispatch
        if command is None:
            return None
        try:
            check(person, command, scope)
        except Forbidden as refused:
            rule = PERMISSIONS[command]
            key = "check.role_not_allowed" if refused.key == "error.perm.role" else "check.scope_not_allowed"
            return key, {"actor": acting, "role": role_word(person.role), "command": command,
                         "roles": roles_words(rule.roles)}
        return None


def history_replay(session: Any) -> HistoryReplay | None:
    """The replay's facts, or None on a ledger without registered users (nothing to check)."""
    from sqlalchemy import select

    from qiye_service.models import Department, User

    rows = session.execute(select(User.name, User.role, User.department_id, User.active, User.login,
                                  User.created_at)).all()
    if not rows:
        return None
    users = {row[0]: Person(row[0], row[1], row[2], bool(row[3]), row[4]) for row in rows}
    departments = {name: dept_id for dept_id, name in session.execute(select(Department.id, Department.name))}
    return HistoryReplay(users=users, since=min(row[5] for row in rows), departments=departments)
