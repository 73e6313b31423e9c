"""People registered on a shared ledger (DESIGN §10, issue 19): add, edit, disable, list, show.

A user has a name (the name events record as actor), a role (models.Role), a department (a
handler must have one) and optionally the login (PostgreSQL or OS) they are known by. Users
are never deleted: history names them, so `disable` only clears `active`. Identity and the
permission table build on the lookups here (find_user_by_login, has_users).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, select
from sqlmodel import Session

from qiye_service.errors import Conflict, InvalidValue
from qiye_service.models import Department, Event, Role, User
from qiye_service.services import lookups
from qiye_service.services.issues import NAME_LIMIT, Actor, clean_text

ROLES = tuple(role.value for role in Role)
# The Chinese words for each role, as cadres say them (the first is the label, i18n `role.*`).
ROLE_ALIASES = {
    "联企干部": "cadre", "干部": "cadre", "包联干部": "cadre",
    "责任单位经办人": "handler", "经办人": "handler", "经办": "handler",
    "督办": "supervisor", "督办人员": "supervisor", "督办员": "supervisor",
    "管理员": "admin", "系统管理员": "admin",
}
ROLES_SHOWN = ", ".join(f"{role} ({zh})" for role, zh in (
    ("cadre", "联企干部"), ("handler", "责任单位经办人"), ("supervisor", "督办"), ("admin", "管理员")))

ACTIVE, DISABLED = "active", "disabled"
STATES = (ACTIVE, DISABLED)
STATE_ALIASES = {"在用": ACTIVE, "启用": ACTIVE, "正常": ACTIVE, "有效": ACTIVE, "是": ACTIVE,
                 "停用": DISABLED, "已停用": DISABLED, "禁用": DISABLED, "已禁用": DISABLED, "否": DISABLED,
                 "true": ACTIVE, "false": DISABLED, "yes": ACTIVE, "no": DISABLED, "enabled": ACTIVE}
LOGIN_LIMIT = 100


def parse_role(text: str, field: str = "--role") -> str:
    """A role by its code (any case) or its Chinese name; otherwise the usual bad-choice error,
    listing the codes with their Chinese names."""
    raw = text.strip()
    if raw.lower() in ROLES:
        return raw.lower()
    if raw in ROLE_ALIASES:
        return ROLE_ALIASES[raw]
    raise InvalidValue("error.bad_choice", field=field, value=text, valid=ROLES_SHOWN)


def state_of(user: User) -> str:
    return ACTIVE if user.active else DISABLED


# --- lookups other modules build on ------------------------------------------------------------

def has_users(session: Session) -> bool:
    """Whether any user is registered (active or not): a ledger without users behaves as a
    single cadre's ledger (DESIGN §10)."""
    return bool(session.execute(select(exists().where(User.id.is_not(None)))).scalar())  # type: ignore[union-attr]


def find_user_by_login(session: Session, login: str, *, include_disabled: bool = False) -> User | None:
    """The user mapped to a login (exact, as PostgreSQL and the OS spell it), or None. A disabled
    user is not found unless asked for."""
    stmt = select(User).where(User.login == login)
    if not include_disabled:
        stmt = stmt.where(User.active.is_(True))  # type: ignore[attr-defined]
    return session.execute(stmt).scalar_one_or_none()


def find_user_by_name(session: Session, name: str, *, include_disabled: bool = False) -> User | None:
    """The user with exactly this name (the name events record as actor), or None."""
    stmt = select(User).where(User.name == name.strip())
    if not include_disabled:
        stmt = stmt.where(User.active.is_(True))  # type: ignore[attr-defined]
    return session.execute(stmt).scalar_one_or_none()


def find_user(session: Session, name: str) -> User:
    """A user (active or disabled) by name or login, else as DESIGN §3 "Names" says (`wq` → 王强);
    none or several is an error listing the nearest."""
    wanted = name.strip()
    found = session.execute(select(User).where(User.name == wanted)).scalar_one_or_none()
    if found is None and wanted:
        found = session.execute(select(User).where(User.login == wanted)).scalar_one_or_none()
    if found is not None:
        return found
    rows = session.execute(select(User.id, User.name)).all()
    match = lookups.resolve_name(wanted, [lookups.Named(row.id, row.name, (row.name,)) for row in rows],
                                 kind="user", typed=name)
    return session.get_one(User, match.key)


def department_names(session: Session) -> dict[int, str]:
    return {row.id: row.name for row in session.execute(select(Department.id, Department.name))}


def user_row(user: User, departments: dict[int, str]) -> dict[str, Any]:
    """A user in USER_FIELDS, plus created_at (for `user show`)."""
    return {"name": user.name, "role": user.role,
            "department": departments.get(user.department_id) if user.department_id is not None else None,
            "login": user.login, "state": state_of(user), "created_at": user.created_at}


# --- changes ---------------------------------------------------------------------------------

def _clean_name(name: str | None) -> str:
    clean = clean_text(name, "name", limit=NAME_LIMIT, required=True)
    assert clean is not None
    return clean


def _clean_login(login: str | None) -> str | None:
    return clean_text(login, "login", limit=LOGIN_LIMIT)


def _check_name_free(session: Session, name: str, exclude_id: int | None = None) -> None:
    stmt = select(User.id).where(User.name == name)
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    if session.execute(stmt).first() is not None:
        raise Conflict("error.user_exists", name=name)


def _check_login_free(session: Session, login: str | None, exclude_id: int | None = None) -> None:
    if login is None:
        return
    stmt = select(User.name).where(User.login == login)
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    holder = session.execute(stmt).scalar_one_or_none()
    if holder is not None:
        raise Conflict("error.user_login_taken", login=login, name=holder)


def check_department(role: str, department_id: int | None, name: str) -> None:
    """A handler acts for a department: one without is refused."""
    if role == Role.handler.value and department_id is None:
        raise InvalidValue("error.user_handler_needs_dept", name=name)


def add_user(session: Session, *, actor: Actor, name: str, role: str, department: str | None = None,
             login: str | None = None) -> User:
    """Register a user; duplicate names or logins, an unknown role or department, and a handler
    without a department are refused before anything is written."""
    clean_name = _clean_name(name)
    clean_role = parse_role(role)
    department_id = lookups.find_department(session, department).id if clean_text(department, "dept") else None
    clean_login = _clean_login(login)
    check_department(clean_role, department_id, clean_name)
    _check_name_free(session, clean_name)
    _check_login_free(session, clean_login)
    user = User(name=clean_name, role=clean_role, department_id=department_id, login=clean_login, active=True,
                created_at=actor.now)
    session.add(user)
    session.flush()
    return user


def _named_in_history(session: Session, name: str) -> bool:
    return session.execute(select(Event.id).where(Event.actor == name).limit(1)).first() is not None


def edit_user(session: Session, name: str, *, changes: dict[str, str | None]) -> tuple[User, list[str]]:
    """Change a user's name, role, department or login (an empty department or login clears it).
    Returns the user and the fields that changed. A user the history already names keeps their
    name: the events would no longer name a registered user (add a new user and disable this one)."""
    user = find_user(session, name)
    role, department_id, login, new_name = user.role, user.department_id, user.login, user.name
    for key, value in changes.items():
        if key == "name":
            new_name = _clean_name(value)
        elif key == "role":
            role = parse_role(value or "")
        elif key == "department":
            department_id = lookups.find_department(session, value).id if clean_text(value, "dept") else None
        elif key == "login":
            login = _clean_login(value)
        else:
            raise InvalidValue("error.bad_choice", field="field", value=key,
                               valid="name, role, department, login")
    if new_name != user.name:
        _check_name_free(session, new_name, user.id)
        if _named_in_history(session, user.name):
            raise Conflict("error.user_rename_history", name=user.name)
    check_department(role, department_id, new_name)
    _check_login_free(session, login, user.id)
    changed = [field for field, old, new in (
        ("name", user.name, new_name), ("role", user.role, role), ("department", user.department_id, department_id),
        ("login", user.login, login)) if old != new]
    user.name, user.role, user.department_id, user.login = new_name, role, department_id, login
    session.flush()
    return user, changed


def set_active(session: Session, name: str, active: bool) -> tuple[User, bool]:
    """Disable (or enable again) a user; returns the user and whether anything changed."""
    user = find_user(session, name)
    if user.active == active:
        return user, False
    user.active = active
    session.flush()
    return user, True


# --- reading ---------------------------------------------------------------------------------

def list_users(session: Session, *, role: str | None = None, department: str | None = None,
               include_disabled: bool = False) -> list[dict[str, Any]]:
    """Users by name, the active ones unless `include_disabled`."""
    stmt = select(User).order_by(User.name)
    if role is not None:
        stmt = stmt.where(User.role == parse_role(role))
    if department is not None:
        stmt = stmt.where(User.department_id == lookups.find_department(session, department).id)
    if not include_disabled:
        stmt = stmt.where(User.active.is_(True))  # type: ignore[attr-defined]
    departments = department_names(session)
    return [user_row(user, departments) for user in session.execute(stmt).scalars()]


def show_user(session: Session, name: str) -> dict[str, Any]:
    user = find_user(session, name)
    return user_row(user, department_names(session))


def count_users(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(User)).scalar_one())

