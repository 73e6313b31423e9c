"""Enterprises (企业): add, edit, list and show, with the credit code checked (GB 32100-2015)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from qiye_service.errors import Conflict, InvalidValue
from qiye_service.models import ENTERPRISE_FIELDS, Enterprise, Issue, Status
from qiye_service.services import lookups
from qiye_service.services.issues import NAME_LIMIT, Actor, clean_text

ENTERPRISE_TEXT_FIELDS = ("zone", "industry", "contact", "phone", "liaison")


def check_credit_code(value: str | None) -> str | None:
    """The normalised 18-character code, or an error naming what is wrong with it."""
    from stdnum import exceptions
    from stdnum.cn import uscc

    code = clean_text(value, "credit_code", limit=64)
    if code is None:
        return None
    try:
        return str(uscc.validate(code))
    except exceptions.InvalidLength:
        reason = "it must have 18 characters"
    except exceptions.InvalidChecksum:
        reason = "the check character (the 18th) does not match"
    except exceptions.ValidationError:
        reason = "it has characters a credit code cannot contain"
    raise InvalidValue("error.bad_credit_code", value=value, reason=reason)


def _unique(session: Session, column: Any, value: str | None, what: str, exclude_id: int | None = None) -> None:
    if value is None:
        return
    stmt = select(Enterprise.id).where(column == value)
    if exclude_id is not None:
        stmt = stmt.where(Enterprise.id != exclude_id)
    if session.execute(stmt).first() is not None:
        raise Conflict("error.duplicate", what=what, value=value)


def add_enterprise(session: Session, *, actor: Actor, name: str, credit_code: str | None = None,
                   **fields: str | None) -> Enterprise:
    clean_name = clean_text(name, "name", limit=200, required=True)
    code = check_credit_code(credit_code)
    _unique(session, Enterprise.name, clean_name, "enterprise")
    _unique(session, Enterprise.credit_code, code, "credit_code")
    enterprise = Enterprise(
        name=clean_name, credit_code=code, created_at=actor.now, updated_at=actor.now,
        **{key: clean_text(fields.get(key), key, limit=NAME_LIMIT) for key in ENTERPRISE_TEXT_FIELDS
           if key != "liaison"},
    )
    session.add(enterprise)
    session.flush()
    liaison = clean_text(lookups.liaison_to_store(session, fields.get("liaison")), "liaison", limit=NAME_LIMIT)
    if liaison is not None:
        from qiye_service.services.visits import set_liaison

        set_liaison(session, enterprise, liaison, actor=actor)  # the 包联 history starts here (issue 22)
    return enterprise


def edit_enterprise(session: Session, name: str, *, actor: Actor, changes: dict[str, str | None]) -> Enterprise:
    enterprise = lookups.find_enterprise(session, name)
    for key, value in changes.items():
        if key == "name":
            new_name = clean_text(value, "name", limit=200, required=True)
            _unique(session, Enterprise.name, new_name, "enterprise", enterprise.id)
            enterprise.name = new_name  # type: ignore[assignment]
        elif key == "credit_code":
            code = check_credit_code(value)
            _unique(session, Enterprise.credit_code, code, "credit_code", enterprise.id)
            enterprise.credit_code = code
        elif key == "liaison":
            from qiye_service.services.visits import set_liaison

            set_liaison(session, enterprise, clean_text(lookups.liaison_to_store(session, value), key,
                                                        limit=NAME_LIMIT), actor=actor)
        elif key in ENTERPRISE_TEXT_FIELDS:
            setattr(enterprise, key, clean_text(value, key, limit=NAME_LIMIT))
        else:
            raise InvalidValue("error.bad_choice", field="field", value=key,
                               valid=", ".join(("name", "credit_code", *ENTERPRISE_TEXT_FIELDS)))
    enterprise.updated_at = actor.now
    session.flush()
    return enterprise


def enterprise_row(enterprise: Enterprise) -> dict[str, Any]:
    return {name: getattr(enterprise, name) for name in ENTERPRISE_FIELDS}


def list_enterprises(session: Session, *, zone: str | None = None, industry: str | None = None,
                     search: str | None = None) -> list[dict[str, Any]]:
    """Enterprises with their issue counts (all, and not yet resolved)."""
    from sqlalchemy import case

    stmt = (
        select(
            Enterprise,
            func.count(Issue.id).label("issues"),
            func.coalesce(func.sum(case((Issue.status != Status.resolved.value, 1), else_=0)), 0)
            .label("open_issues"),
        )
        .outerjoin(Issue, Issue.enterprise_id == Enterprise.id)
        .group_by(Enterprise.id)
        .order_by(Enterprise.name)
    )
    if zone:
        stmt = stmt.where(Enterprise.zone == zone)
    if industry:
        stmt = stmt.where(Enterprise.industry == industry)
    if search:
        from qiye_service.services.filters import like_pattern

        stmt = stmt.where(Enterprise.name.like(like_pattern(search), escape="\\"))
    rows = []
    for enterprise, issues, open_issues in session.execute(stmt):
        row = enterprise_row(enterprise)
        row["issues"] = int(issues)
        row["open_issues"] = int(open_issues)
        rows.append(row)
    return rows


def show_enterprise(session: Session, name: str) -> dict[str, Any]:
    enterprise = lookups.find_enterprise(session, name)
    row = enterprise_row(enterprise)
    counts = dict(session.execute(
        select(Issue.status, func.count()).where(Issue.enterprise_id == enterprise.id).group_by(Issue.status)
    ).all())
    row["issues"] = sum(counts.values())
    row["open_issues"] = row["issues"] - counts.get(Status.resolved.value, 0)
    from qiye_service.services.visits import assignment_history, visit_figures

    row.update(visit_figures(session, enterprise.id))
    row["assignments"] = assignment_history(session, enterprise.id)
    return row
