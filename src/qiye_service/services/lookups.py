"""Turning what a user typed (a name, a code, `#12`) into stored rows, with helpful errors."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from sqlalchemy import func, or_, select
from sqlmodel import Session

from qiye_service.errors import InvalidValue, NotFound
from qiye_service.models import Category, Department, Enterprise, Issue

MAX_ID = 2**63 - 1
MAX_STORED_ID = 2**31 - 1  # issue.id is an INTEGER column (32 bits on PostgreSQL)


def parse_issue_id(text: str | int) -> int:
    """`12` or `#12` as an integer id."""
    if isinstance(text, int):
        value = text
    else:
        raw = text.strip().removeprefix("#").strip()
        if not raw.isascii() or not raw.isdigit():
            raise InvalidValue("error.bad_id", value=text)
        value = int(raw)
    if value < 1 or value > MAX_ID:
        raise InvalidValue("error.bad_id", value=str(text))
    return value


def get_issue(session: Session, issue_id: int, *, for_update: bool = False) -> Issue:
    if issue_id > MAX_STORED_ID:
        # Beyond the column's range no issue can have it; PostgreSQL would refuse the query.
        raise NotFound("error.issue_not_found", id=issue_id)
    stmt = select(Issue).where(Issue.id == issue_id)
    if for_update:
        stmt = stmt.with_for_update()
    issue = session.execute(stmt).scalar_one_or_none()
    if issue is None:
        raise NotFound("error.issue_not_found", id=issue_id)
    return issue


def find_enterprise(session: Session, name: str) -> Enterprise:
    wanted = name.strip()
    found = session.execute(select(Enterprise).where(Enterprise.name == wanted)).scalar_one_or_none()
    if found is None and wanted:
        # A credit code names an enterprise as well as its name does.
        found = session.execute(
            select(Enterprise).where(Enterprise.credit_code == wanted.upper())
        ).scalar_one_or_none()
    if found is None:
        raise NotFound("error.enterprise_not_found", name=name)
    return found


def find_department(session: Session, name: str) -> Department:
    found = session.execute(select(Department).where(Department.name == name.strip())).scalar_one_or_none()
    if found is None:
        raise NotFound("error.department_not_found", name=name)
    return found


def find_category(session: Session, text: str) -> Category:
    """A category by its code, Chinese name or English name (case-insensitive)."""
    wanted = text.strip()
    lowered = wanted.lower()
    found = session.execute(
        select(Category).where(
            or_(
                func.lower(Category.code) == lowered,
                Category.name_zh == wanted,
                func.lower(Category.name_en) == lowered,
            )
        )
    ).scalars().first()
    if found is None:
        valid = ", ".join(
            f"{c.code} ({c.name_zh})" for c in session.execute(select(Category).order_by(Category.id)).scalars()
        )
        raise NotFound("error.category_not_found", value=text, valid=valid)
    return found


def choice(enum_type: type[enum.Enum], value: str, field: str, aliases: dict[str, str] | None = None,
           also: tuple[str, ...] = ()) -> str:
    """Validate an enum value given by its code or one of its (Chinese) aliases; the error lists
    the codes, and `also` (other words the caller accepts, such as `all`)."""
    raw = value.strip()
    key = raw.lower().replace("-", "_").replace(" ", "_")
    valid = [member.value for member in enum_type]
    if key in valid:
        return key
    if aliases and raw in aliases:
        return aliases[raw]
    raise InvalidValue("error.bad_choice", field=field, value=value, valid=", ".join([*valid, *also]))


def choices(enum_type: type[enum.Enum], values: Iterable[str], field: str,
            aliases: dict[str, str] | None = None, also: tuple[str, ...] = ()) -> list[str]:
    return [choice(enum_type, v, field, aliases, also) for v in values]


# Chinese words found in ledgers and typed by cadres, for each enum value.
STATUS_ALIASES = {
    "已登记": "open", "待办理": "open", "未办理": "open", "待办": "open", "新登记": "open",
    "办理中": "in_progress", "正在办理": "in_progress", "推进中": "in_progress", "处理中": "in_progress",
    "已办结": "resolved", "已销号": "resolved", "办结": "resolved", "销号": "resolved", "已解决": "resolved",
    "暂缓": "deferred", "暂缓办理": "deferred", "挂起": "deferred",
}
KIND_ALIASES = {"个性": "individual", "个性问题": "individual", "共性": "common", "共性问题": "common"}
SOURCE_ALIASES = {"走访": "visit", "座谈": "meeting", "座谈会": "meeting", "电话": "phone",
                  "线上": "online", "网上": "online", "其他": "other", "其它": "other"}
PRIORITY_ALIASES = {"特急": "urgent", "紧急": "high", "急": "high", "高": "high", "一般": "normal",
                    "普通": "normal", "中": "normal", "低": "low", "不急": "low"}
