"""Turning what a user typed (a name, a code, `#12`) into stored rows, with helpful errors."""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlmodel import Session

from qiye_service.errors import InvalidValue, NotFound
from qiye_service.i18n import Listed
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
    """An enterprise by its name or credit code, else as DESIGN §3 "Names" says."""
    wanted = name.strip()
    found = session.execute(select(Enterprise).where(Enterprise.name == wanted)).scalar_one_or_none()
    if found is None and wanted:
        # A credit code names an enterprise as well as its name does.
        found = session.execute(
            select(Enterprise).where(Enterprise.credit_code == wanted.upper())
        ).scalar_one_or_none()
    if found is not None:
        return found
    rows = session.execute(select(Enterprise.id, Enterprise.name)).all()
    match = resolve_name(wanted, [Named(row.id, row.name, (row.name,)) for row in rows], kind="enterprise",
                         typed=name)
    return session.get_one(Enterprise, match.key)


def find_department(session: Session, name: str) -> Department:
    """A department by its name, else as DESIGN §3 "Names" says (`供电公司` → 国网浏阳供电公司)."""
    wanted = name.strip()
    found = session.execute(select(Department).where(Department.name == wanted)).scalar_one_or_none()
    if found is not None:
        return found
    rows = session.execute(select(Department.id, Department.name)).all()
    match = resolve_name(wanted, [Named(row.id, row.name, (row.name,)) for row in rows], kind="department",
                         typed=name)
    return session.get_one(Department, match.key)


def find_category(session: Session, text: str) -> Category:
    """A category by its code, Chinese name or English name (case-insensitive), else as
    DESIGN §3 "Names" says (`消防` → fire-acceptance, `xfys` → fire-acceptance)."""
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
    if found is not None:
        return found
    rows = session.execute(select(Category.id, Category.code, Category.name_zh, Category.name_en)
                           .order_by(Category.id)).all()
    valid = ", ".join(f"{row.code} ({row.name_zh})" for row in rows)
    match = resolve_name(
        wanted,
        [Named(row.id, f"{row.code} ({row.name_zh})", (row.name_zh, row.code, row.name_en)) for row in rows],
        kind="category", typed=text, valid=valid,
    )
    return session.get_one(Category, match.key)


def category_setting_key(session: Session, key: str) -> str:
    """`deadline.category.<category>` with the category as typed (消防验收, fire, xfys) turned
    into its code, the only form the deadline lookup reads; an unknown category is refused."""
    from qiye_service.config import CATEGORY_DEADLINE_PREFIX

    if not key.startswith(CATEGORY_DEADLINE_PREFIX):
        return key
    return CATEGORY_DEADLINE_PREFIX + find_category(session, key[len(CATEGORY_DEADLINE_PREFIX):]).code


def find_owner(session: Session, name: str) -> str:
    """An owner named in a filter: one some issue has, found as DESIGN §3 "Names" says."""
    wanted = name.strip()
    if session.execute(select(Issue.id).where(Issue.owner == wanted).limit(1)).first() is not None:
        return wanted
    return resolve_name(wanted, [Named(o, o, (o,)) for o in known_owners(session)], kind="owner", typed=name).key


def known_owners(session: Session) -> list[str]:
    """Every owner some issue has, found by stepping through the owner index from one name to
    the next (a loose index scan: one probe per person, not a read of a million issues)."""
    step = text(
        "WITH RECURSIVE owners(name) AS ("
        " SELECT MIN(owner) FROM issue"
        " UNION ALL SELECT (SELECT MIN(owner) FROM issue WHERE owner > owners.name) FROM owners"
        " WHERE owners.name IS NOT NULL)"
        " SELECT name FROM owners WHERE name IS NOT NULL"
    )
    return list(session.execute(step).scalars())


def owner_to_store(session: Session, name: str | None) -> str | None:
    """An owner being set (issue add, edit, assign): see `person_to_store`."""
    return person_to_store(name, lambda: known_owners(session), kind="owner")


def liaison_to_store(session: Session, name: str | None) -> str | None:
    """An enterprise's liaison cadre being set (enterprise add, edit): see `person_to_store`."""
    def liaisons() -> list[str]:
        stmt = select(Enterprise.liaison).where(Enterprise.liaison.is_not(None)).distinct()  # type: ignore[union-attr]
        return list(session.execute(stmt).scalars())

    return person_to_store(name, liaisons, kind="liaison")


def person_to_store(name: str | None, people: Callable[[], list[str]], *, kind: str) -> str | None:
    """A person being set. People are free text, so a name nobody has yet is a new person, kept
    as typed, and never swapped for a similar one (李明 is not 李明华). Typed as the whole pinyin
    or initials of someone the ledger knows (`wangqiang`, `wq`), it is that person; two such
    people is an error naming both."""
    if name is None:
        return None
    wanted = name.strip()
    key = _ascii_key(wanted)
    if len(key) < MIN_PINYIN or key != wanted.lower().replace(" ", ""):
        return name  # Chinese characters or punctuation: the name itself
    known = people()
    if wanted in known:
        return name
    named = [Named(person, person, (person,)) for person in known]
    whole = [n for n in named if any(_whole(key, form) for form in _pinyin_forms(n))]
    if len(whole) == 1:
        return whole[0].key
    if len(whole) > 1:
        raise _ambiguous(kind, name, _nearest(wanted, whole, limit=None))
    return name


# --- Names (DESIGN §3 "Names") ----------------------------------------------------------------
# Exact, then a unique name containing what was typed, then a unique pinyin match (full or
# initials), else an error listing the nearest candidates. Callers try the exact match in SQL
# first and load one table's names (id and name, no more) only when it fails.

SHOWN_CANDIDATES = 5
SUGGEST_CUTOFF = 65.0  # rapidfuzz ratio (0-100) a name must reach to be suggested
MIN_PINYIN = 2  # letters typed before pinyin is tried: `l` alone names nothing


@dataclass(frozen=True)
class Named:
    """A stored record as the user may type it: its key, the name shown in messages, and the
    texts it answers to (a category: its Chinese name, code and English name)."""

    key: Any
    shown: str
    texts: tuple[str, ...]


@dataclass(frozen=True)
class PinyinForm:
    full: str  # `lansikeji`
    initials: str  # `lskj`
    starts: frozenset[int]  # where each syllable of `full` starts


def resolve_name(wanted: str, candidates: list[Named], *, kind: str, typed: str | None = None,
                 valid: str | None = None) -> Named:
    """The one candidate `wanted` names, or a NotFound listing the nearest ones (nearest first)."""
    typed = wanted if typed is None else typed
    folded = wanted.casefold()
    if folded:
        exact = [c for c in candidates if any(t.casefold() == folded for t in c.texts)]
        if len(exact) == 1:
            return exact[0]
        containing = exact or [c for c in candidates if any(folded in t.casefold() for t in c.texts)]
        if len(containing) == 1:
            return containing[0]
        if containing:
            raise _ambiguous(kind, typed, _nearest(wanted, containing, limit=None))
        key = _ascii_key(wanted)
        if len(key) >= MIN_PINYIN and key == folded.replace(" ", "").replace("'", ""):
            for tier in (_whole, _prefix, _inside):
                matched = [c for c in candidates if any(tier(key, form) for form in _pinyin_forms(c))]
                if len(matched) == 1:
                    return matched[0]
                if matched:
                    raise _ambiguous(kind, typed, _nearest(wanted, matched, limit=None))
    nearest = _nearest(wanted, candidates, limit=SHOWN_CANDIDATES, cutoff=SUGGEST_CUTOFF)
    if not nearest:
        if kind == "category":
            raise NotFound("error.category_not_found", value=typed, valid=valid or "")
        raise NotFound(f"error.{kind}_not_found", name=typed)
    params = {"valid": valid} if kind == "category" else {}
    raise NotFound(f"error.{kind}_suggest", name=typed, candidates=_join(nearest), **params)


def _ambiguous(kind: str, typed: str, matched: list[Named]) -> NotFound:
    more = ["…"] if len(matched) > SHOWN_CANDIDATES else []
    return NotFound(f"error.{kind}_ambiguous", name=typed, candidates=_join(matched[:SHOWN_CANDIDATES], *more),
                    count=len(matched))


def _join(named: list[Named], *more: str) -> Listed:
    """The candidates' names as a list, joined as the message's language joins one (、 in Chinese)."""
    return Listed([*(n.shown for n in named), *more])


def _whole(key: str, form: PinyinForm) -> bool:
    return key in (form.full, form.initials)


def _prefix(key: str, form: PinyinForm) -> bool:
    return form.full.startswith(key) or form.initials.startswith(key)


def _inside(key: str, form: PinyinForm) -> bool:
    """`keji` in 蓝思科技 (from a syllable's start, not `sike`'s middle), `kj` in its initials."""
    return key in form.initials or any(form.full.startswith(key, start) for start in form.starts)


def _ascii_key(text: str) -> str:
    """What was typed as pinyin: ASCII letters and digits, lower case (`Lan Si` → `lansi`)."""
    return "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())


def _pinyin_forms(named: Named) -> tuple[PinyinForm, ...]:
    return tuple(form for text in named.texts for form in pinyin_of(text))


@functools.lru_cache(maxsize=65536)
def pinyin_of(name: str) -> tuple[PinyinForm, ...]:
    """A name's pinyin (pypinyin, phrase-aware: 长沙 → changsha), once per name per run; ü is
    written both `v` (as pypinyin does) and `u`. Runs of Latin letters or digits (`TCL`) stay
    whole words."""
    from pypinyin import lazy_pinyin

    words: list[str] = []
    initials: list[str] = []
    for chinese, run in _runs(name):
        if chinese:
            syllables = [s for s in lazy_pinyin(run) if s]
            words.extend(syllables)
            initials.extend(s[0] for s in syllables)
        else:
            for word in re.findall(r"[0-9a-z]+", run.lower()):
                words.append(word)
                initials.append(word)
    if not words:
        return ()
    starts, offset = [], 0
    for word in words:
        starts.append(offset)
        offset += len(word)
    full, first = "".join(words), "".join(initials)
    forms = [PinyinForm(full, first, frozenset(starts))]
    if "v" in full:
        forms.append(PinyinForm(full.replace("v", "u"), first, frozenset(starts)))
    return tuple(forms)


def _runs(name: str) -> list[tuple[bool, str]]:
    """The name cut into runs of Chinese characters and of anything else."""
    runs: list[tuple[bool, str]] = []
    for ch in name:
        chinese = "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"
        if runs and runs[-1][0] == chinese:
            runs[-1] = (chinese, runs[-1][1] + ch)
        else:
            runs.append((chinese, ch))
    return runs


def _nearest(wanted: str, candidates: list[Named], *, limit: int | None, cutoff: float = 0.0) -> list[Named]:
    """Candidates by likeness to what was typed (rapidfuzz), nearest first: as characters
    (兰思科技 ~ 蓝思科技), and as pinyin, so a homophone typed with the wrong character, or a
    misspelt pinyin, still finds the name."""
    from rapidfuzz import fuzz

    folded = wanted.casefold()
    typed_pinyin = {form.full for form in pinyin_of(wanted)} | {_ascii_key(wanted)}
    typed_pinyin.discard("")
    scored: list[tuple[float, str, Named]] = []
    for named in candidates:
        score = max((fuzz.ratio(folded, text.casefold()) for text in named.texts), default=0.0)
        for form in _pinyin_forms(named):
            for key in typed_pinyin:
                score = max(score, fuzz.ratio(key, form.full), fuzz.ratio(key, form.initials) if len(key) >= 3 else 0)
        if score >= cutoff:
            scored.append((score, named.shown, named))
    scored.sort(key=lambda item: (-item[0], item[1]))
    chosen = [named for _, _, named in scored]
    return chosen if limit is None else chosen[:limit]


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
    "待审核": "verifying", "待审核销号": "verifying", "待审": "verifying", "审核中": "verifying",
}
KIND_ALIASES = {"个性": "individual", "个性问题": "individual", "共性": "common", "共性问题": "common"}
SOURCE_ALIASES = {"走访": "visit", "座谈": "meeting", "座谈会": "meeting", "电话": "phone",
                  "线上": "online", "网上": "online", "其他": "other", "其它": "other"}
PRIORITY_ALIASES = {"特急": "urgent", "紧急": "high", "急": "high", "高": "high", "一般": "normal",
                    "普通": "normal", "中": "normal", "低": "low", "不急": "low"}
