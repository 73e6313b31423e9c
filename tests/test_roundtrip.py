"""Round trip (DESIGN §5): export → import into an empty database → export gives the same bytes.

On the sample ledger for every backend and across backends, and as a hypothesis property on
generated ledgers (Chinese text, commas, quotes, line breaks, empty optional fields), built
through the services the CLI uses.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, reject, settings
from hypothesis import strategies as st

from conftest import PG_URL, Qiye, pg_schema_url


@pytest.fixture
def empty_database(backend: str, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A second empty database on the same backend as `qiye`."""
    if backend == "sqlite":
        path = tmp_path / "second.db"
        shutil.copyfile(sqlite_template, path)
        os.chmod(path, 0o600)
        yield str(path)
        return
    yield from _pg_database()


def _pg_database() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("PostgreSQL tests need QIYE_TEST_PG_URL")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield pg_schema_url(schema)
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


# The sample's close-outs run to 2023-12-31, after the tests' pinned today: a ledger that
# holds them imports only on a later day (no close-out may lie in the future).
AFTER_THE_CAMPAIGN = "2024-03-01T09:00:00+08:00"


def export_bytes(qiye: Qiye, path: Path) -> bytes:
    qiye.ok("export", "issues", "--out", str(path))
    return path.read_bytes()


def test_sample_ledger_round_trip(qiye, empty_database, tmp_path):
    qiye.ok("init", "--sample")
    first = export_bytes(qiye, tmp_path / "first.csv")
    assert first.count(b"\n") > 174  # some cells hold line breaks
    other = Qiye(empty_database, {**qiye.env, "QIYE_DB": empty_database, "QIYE_USER": "someone-else",
                                  "QIYE_NOW": AFTER_THE_CAMPAIGN})
    other.ok("import", "issues", str(tmp_path / "first.csv"))
    assert export_bytes(other, tmp_path / "second.csv") == first


def test_sample_ledger_round_trip_with_its_supervision_record(qiye, empty_database, tmp_path):
    """`export issues --supervision` carries dispatch, acknowledgement, escalation and callback
    (the sample ledger has each, and one more callback sends an issue back to work): the same
    bytes again, and every report figure of DESIGN §8 the same."""
    qiye.env["QIYE_NOW"] = AFTER_THE_CAMPAIGN  # both ledgers read and report as of the same later day
    qiye.ok("init", "--sample")
    def first_id(*filters: str) -> str:
        return qiye.ok("issue", "list", *filters, "--limit", "1", "--format", "csv").stdout.splitlines()[1].split(",")[0]

    qiye.ok("issue", "callback", first_id("--status", "resolved"), "--result", "unsatisfied", "--note", "仍有积水, 需复查")
    first = tmp_path / "first.csv"
    qiye.ok("export", "issues", "--supervision", "--out", str(first))
    other = Qiye(empty_database, {**qiye.env, "QIYE_DB": empty_database, "QIYE_USER": "someone-else"})
    other.ok("import", "issues", str(first))
    second = tmp_path / "second.csv"
    other.ok("export", "issues", "--supervision", "--out", str(second))
    assert second.read_bytes() == first.read_bytes()
    for report in (("summary",), ("summary", "--by", "department"), ("weekly",), ("overdue",)):
        imported, original = (json.loads(ledger.ok("report", *report, "--format", "json").stdout)
                              for ledger in (other, qiye))
        # The weekly report's seal is a digest of each ledger's own history, which an import does not copy.
        imported.pop("seal", None)
        original.pop("seal", None)
        if "--by" in report:
            # A department's returns, transfers and co-handling acknowledgements (which its response
            # rate counts) are the work-order cycle's (DESIGN §11), carried by --cycle, not by
            # --supervision: test_sample_cycle.py round-trips them with every report figure.
            for groups in (imported["groups"], original["groups"]):
                for group in groups:
                    for name in ("returns", "transfers", "response_rate"):
                        group.pop(name)
        assert imported == original
    summary = json.loads(other.ok("report", "summary", "--format", "json").stdout)
    assert summary["level_red"] >= 1 and 0 < summary["response_rate"] < 1 and 0 < summary["satisfaction_rate"] < 1


def test_sqlite_to_postgresql_and_back(sqlite_qiye, tmp_path, sqlite_template):
    """Moving a ledger between backends through the export format keeps every issue field."""
    sqlite_qiye.ok("init", "--sample")
    first = export_bytes(sqlite_qiye, tmp_path / "first.csv")
    for url in _pg_database():
        on_pg = Qiye(url, {**sqlite_qiye.env, "QIYE_DB": url, "QIYE_NOW": AFTER_THE_CAMPAIGN})
        on_pg.ok("import", "issues", str(tmp_path / "first.csv"))
        assert export_bytes(on_pg, tmp_path / "pg.csv") == first
    back = tmp_path / "back.db"
    shutil.copyfile(sqlite_template, back)
    again = Qiye(str(back), {**sqlite_qiye.env, "QIYE_DB": str(back), "QIYE_NOW": AFTER_THE_CAMPAIGN})
    again.ok("import", "issues", str(tmp_path / "pg.csv"))
    assert export_bytes(again, tmp_path / "back.csv") == first


# --- the property ------------------------------------------------------------------------------

CATEGORIES = ["land-acquisition", "消防验收", "Water and power", "road", "其他", "approval"]
# Characters that stress CSV: separators, quotes of both kinds, line breaks, formula starts.
AWKWARD = [",", '"', "'", "\n", "\r", "\t", ";", "，", "“", "”", "=", "+", "-", "@", " ", "#", "\\"]
characters = st.one_of(
    st.sampled_from(AWKWARD),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),  # common CJK
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
)
text = st.text(characters, min_size=1, max_size=40).filter(lambda s: s.strip() != "")
optional_text = st.none() | st.just("") | text
name = st.text(st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
                         st.sampled_from(list("abcXYZ 0-9,\"'"))), min_size=1, max_size=12)
tag = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x4EFF), min_size=1, max_size=4)


@dataclass
class IssueSpec:
    title: str
    description: str | None
    enterprise: int
    project: str | None
    category: str
    kind: str
    source: str
    priority: str
    department: int | None
    owner: str | None
    reported: date
    due_days: int | None
    tags: list[str]
    actor: str
    seconds: int
    workflow: str  # none | start | resolve | defer | reopen
    note: str


issue_specs = st.builds(
    IssueSpec,
    title=text,
    description=optional_text,
    enterprise=st.integers(0, 2),
    project=optional_text,
    category=st.sampled_from(CATEGORIES),
    kind=st.sampled_from(["individual", "common", "个性", "共性"]),
    source=st.sampled_from(["visit", "meeting", "phone", "online", "other"]),
    priority=st.sampled_from(["urgent", "high", "normal", "low"]),
    department=st.none() | st.integers(0, 1),
    owner=st.none() | name,
    reported=st.dates(date(2023, 1, 1), date(2023, 12, 20)),
    due_days=st.none() | st.integers(0, 90),
    tags=st.lists(tag, max_size=3),
    actor=name.filter(lambda s: s.strip() != ""),
    seconds=st.integers(0, 10**8),
    workflow=st.sampled_from(["none", "start", "resolve", "defer", "reopen"]),
    note=text,
)
ledgers = st.fixed_dictionaries({
    "enterprises": st.lists(name.filter(lambda s: s.strip() != ""), min_size=3, max_size=3,
                            unique_by=lambda s: s.strip()),
    "departments": st.lists(name.filter(lambda s: s.strip() != ""), min_size=2, max_size=2,
                            unique_by=lambda s: s.strip()),
    "issues": st.lists(issue_specs, max_size=6),
})


def build_ledger(path: Path, ledger: dict) -> None:
    """File and work the generated issues through the services, as the CLI would."""
    from qiye_service.db import make_engine, resolve_location, session_scope
    from qiye_service.errors import NotFound
    from qiye_service.services import catalog, enterprises, issues
    from qiye_service.services.issues import Actor

    start = datetime(2023, 1, 1, 1, 0, 0)
    engine = make_engine(resolve_location(str(path)))
    try:
        with session_scope(engine) as session:
            setup = Actor(name="tester", now=start, today=date(2023, 12, 20))
            for enterprise in ledger["enterprises"]:
                enterprises.add_enterprise(session, actor=setup, name=enterprise)
            for department in ledger["departments"]:
                catalog.add_department(session, name=department)
            for spec in ledger["issues"]:
                filed_at = start + timedelta(seconds=spec.seconds, microseconds=123456)
                # As AppContext.actor_name gives it: stripped.
                actor = Actor(name=spec.actor.strip(), now=filed_at, today=date(2023, 12, 20))
                later = Actor(name="tester", now=filed_at + timedelta(hours=5), today=date(2023, 12, 20))
                try:
                    issue = issues.add_issue(
                        session, actor=actor, title=spec.title, description=spec.description,
                        enterprise=ledger["enterprises"][spec.enterprise].strip(), project=spec.project,
                        category=spec.category, kind=spec.kind, source=spec.source, priority=spec.priority,
                        department=None if spec.department is None else ledger["departments"][spec.department].strip(),
                        owner=spec.owner if spec.owner and spec.owner.strip() else None, reported_on=spec.reported,
                        due_on=None if spec.due_days is None else spec.reported + timedelta(days=spec.due_days),
                        tags=spec.tags,
                    )
                except NotFound as refused:
                    # An owner typed as the pinyin of two people already filed (`ab` after `a-b` and
                    # `a,b`) is refused, as DESIGN §3 "Names" says; a cadre would type more of the
                    # name. No ledger can be filed that way, so this one is not a case to test.
                    if refused.key == "error.owner_ambiguous":
                        reject()
                    raise
                assert issue.id is not None
                resolved_on = min(spec.reported + timedelta(days=3), date(2023, 12, 20))  # never after today
                if spec.workflow == "start":
                    issues.start_issue(session, issue.id, actor=later)
                elif spec.workflow == "resolve":
                    issues.resolve_issue(session, issue.id, actor=later, note=spec.note, on=resolved_on)
                elif spec.workflow == "defer":
                    issues.defer_issue(session, issue.id, actor=later, note=spec.note)
                elif spec.workflow == "reopen":
                    issues.resolve_issue(session, issue.id, actor=later, note=spec.note, on=resolved_on)
                    issues.reopen_issue(session, issue.id, actor=later, note="企业反映问题仍存在")
    finally:
        engine.dispose()


def _owned_by(owner: str) -> IssueSpec:
    return IssueSpec(title="标题", description=None, enterprise=0, project=None, category="road", kind="individual",
                     source="visit", priority="normal", department=None, owner=owner, reported=date(2023, 5, 12),
                     due_days=None, tags=[], actor="tester", seconds=0, workflow="none", note="办结")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@example(ledger={"enterprises": ["甲", "乙", "丙"], "departments": ["丁", "戊"],
                 "issues": [_owned_by("a-b"), _owned_by("a,b"), _owned_by("ab")]})  # `ab` names both
@given(ledger=ledgers)
def test_generated_ledgers_round_trip(ledger, sqlite_template, tmp_path, base_env):
    work = tmp_path / uuid.uuid4().hex
    work.mkdir()
    source, target = work / "source.db", work / "target.db"
    for path in (source, target):
        shutil.copyfile(sqlite_template, path)
    build_ledger(source, ledger)
    exported = export_bytes(Qiye(str(source), {**base_env, "QIYE_DB": str(source)}), work / "first.csv")
    assert exported.count(b"\n") >= len(ledger["issues"]) + 1
    importer = Qiye(str(target), {**base_env, "QIYE_DB": str(target), "QIYE_USER": "importer"})
    importer.ok("import", "issues", str(work / "first.csv"))
    assert export_bytes(importer, work / "second.csv") == exported
