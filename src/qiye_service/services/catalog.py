"""Categories (问题类别) and departments (责任单位): the short lists issues point at."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, or_, select
from sqlmodel import Session

from qiye_service.errors import Conflict, InvalidValue
from qiye_service.models import Category, Department, Issue, Status
from qiye_service.services.issues import clean_text

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def add_category(session: Session, *, code: str, name_zh: str, name_en: str) -> Category:
    clean_code = clean_text(code, "code", limit=64, required=True)
    assert clean_code is not None
    if not SLUG.match(clean_code):
        raise InvalidValue("error.bad_slug", value=code)
    zh = clean_text(name_zh, "name_zh", limit=100, required=True)
    en = clean_text(name_en, "name_en", limit=100, required=True)
    clash = session.execute(select(Category).where(or_(
        Category.code == clean_code, Category.name_zh == zh, func.lower(Category.name_en) == en.lower(),  # type: ignore[union-attr]
    ))).scalars().first()
    if clash is not None:
        raise Conflict("error.duplicate", what="category", value=clash.code)
    category = Category(code=clean_code, name_zh=zh, name_en=en)
    session.add(category)
    session.flush()
    return category


def _counts(session: Session, column: Any) -> dict[int, tuple[int, int]]:
    rows = session.execute(select(column, Issue.status, func.count()).group_by(column, Issue.status))
    counts: dict[int, list[int]] = {}
    for key, status, count in rows:
        entry = counts.setdefault(key, [0, 0])
        entry[0] += count
        if status != Status.resolved.value:
            entry[1] += count
    return {key: (total, open_) for key, (total, open_) in counts.items()}


def list_categories(session: Session) -> list[dict[str, Any]]:
    counts = _counts(session, Issue.category_id)
    return [
        {"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en,
         "issues": counts.get(c.id, (0, 0))[0], "open_issues": counts.get(c.id, (0, 0))[1]}  # type: ignore[arg-type]
        for c in session.execute(select(Category).order_by(Category.id)).scalars()
    ]


def add_department(session: Session, *, name: str) -> Department:
    clean_name = clean_text(name, "name", limit=200, required=True)
    if session.execute(select(Department).where(Department.name == clean_name)).first() is not None:
        raise Conflict("error.duplicate", what="department", value=clean_name)
    department = Department(name=clean_name)
    session.add(department)
    session.flush()
    return department


def list_departments(session: Session) -> list[dict[str, Any]]:
    counts = _counts(session, Issue.department_id)
    return [
        {"name": d.name, "issues": counts.get(d.id, (0, 0))[0], "open_issues": counts.get(d.id, (0, 0))[1]}  # type: ignore[arg-type]
        for d in session.execute(select(Department).order_by(Department.name)).scalars()
    ]


def category_names(session: Session) -> dict[str, tuple[str, str]]:
    """code -> (Chinese name, English name), for labels in tables and reports."""
    return {code: (zh, en) for code, zh, en in session.execute(
        select(Category.code, Category.name_zh, Category.name_en))}
