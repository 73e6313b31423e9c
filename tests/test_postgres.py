"""PostgreSQL as the shared office server (issue 6): libpq settings, masking, migrations,
and identical answers from both backends on the sample ledger.
"""

from __future__ import annotations

import json

import pytest

from conftest import PG_URL, Qiye, pg_schema_url

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL tests need QIYE_TEST_PG_URL")


def test_init_runs_the_same_migrations(pg_schema: str, base_env: dict[str, str]) -> None:
    qiye = Qiye(pg_schema_url(pg_schema), {**base_env, "QIYE_DB": pg_schema_url(pg_schema)})
    qiye.ok("init")
    from qiye_service import _schema

    assert qiye.sql("select version_num from alembic_version") == [(_schema.HEAD_REVISION,)]
    assert qiye.sql("select count(*) from category") == [(12,)]
    info = json.loads(qiye.ok("db", "info", "--format", "json").stdout)
    assert info["backend"] == "postgresql"
    assert info["revision"] == _schema.HEAD_REVISION


def test_credentials_from_the_libpq_environment(pg_schema: str, base_env: dict[str, str]) -> None:
    """A URL without host or user takes them from PGHOST/PGUSER/PGPORT, as psql does."""
    url = f"postgresql+psycopg:///test?options=-csearch_path%3D{pg_schema}"
    env = {**base_env, "QIYE_DB": url, "PGHOST": "127.0.0.1", "PGPORT": "5432", "PGUSER": "postgres"}
    qiye = Qiye(url, env)
    qiye.ok("enterprise", "add", "蓝思科技", env=env)
    listed = json.loads(qiye.ok("enterprise", "list", "--format", "json", env=env).stdout)
    assert [row["name"] for row in listed] == ["蓝思科技"]


def test_a_password_is_never_printed(pg_schema: str, base_env: dict[str, str]) -> None:
    url = pg_schema_url(pg_schema).replace("postgres@", "postgres:s3cret-pw@")
    qiye = Qiye(url, {**base_env, "QIYE_DB": url})
    shown = qiye.ok("db", "info")
    assert "s3cret-pw" not in shown.output
    assert "***" in shown.output
    failed = qiye("--db", url.replace("/test?", "/no_such_database_here?"), "issue", "list")
    assert failed.exit_code == 3
    assert failed.stderr.startswith("error:")
    assert "s3cret-pw" not in failed.output
    assert "Traceback" not in failed.output


def _load_sample(qiye: Qiye) -> None:
    qiye.ok("init", "--sample")


REPORTS = [
    ("report", "summary", "--year", "2023", "--format", "json"),
    ("report", "summary", "--year", "2023", "--by", "kind", "--format", "json"),
    ("report", "summary", "--year", "2023", "--by", "department", "--format", "json"),
    ("report", "summary", "--by", "zone", "--format", "json"),
    ("report", "summary", "--by", "industry", "--format", "json"),
    ("report", "summary", "--by", "enterprise", "--format", "json"),
    ("report", "summary", "--by", "owner", "--format", "json"),
    ("report", "summary", "--by", "source", "--format", "json"),
    ("report", "summary", "--by", "month", "--format", "json"),
    ("report", "summary", "--category", "消防验收", "--format", "json"),
    ("report", "weekly", "--week", "2023-W50", "--format", "json"),
    ("report", "weekly", "--date", "2023-06-14", "--format", "json"),
    ("report", "overdue", "--format", "json"),
    ("report", "overdue", "--by", "department", "--format", "json"),
    ("report", "trend", "--format", "json"),
    ("report", "trend", "--by", "week", "--format", "json"),
    ("issue", "list", "--status", "all", "--format", "json"),
    ("issue", "list", "--search", "消防", "--status", "all", "--format", "json"),
    ("issue", "list", "--search", "用电", "--overdue", "--format", "json"),
    ("issue", "list", "--zone", "南园", "--kind", "common", "--status", "all", "--format", "json"),
    ("issue", "list", "--level", "red", "--format", "json"),
    ("issue", "list", "--sort", "-due_on", "--limit", "20", "--format", "json"),
    ("export", "issues", "--status", "all", "--format", "csv"),
    ("enterprise", "list", "--format", "json"),
    ("category", "list", "--format", "json"),
]


def test_sample_ledger_reports_are_identical_on_both_backends(
    sqlite_qiye: Qiye, pg_schema: str, base_env: dict[str, str]
) -> None:
    pg = Qiye(pg_schema_url(pg_schema), {**base_env, "QIYE_DB": pg_schema_url(pg_schema)})
    _load_sample(sqlite_qiye)
    _load_sample(pg)
    for command in REPORTS:
        on_sqlite = sqlite_qiye.ok(*command).stdout
        on_pg = pg.ok(*command).stdout
        if "json" in command:
            assert json.loads(on_sqlite) == json.loads(on_pg), command
        else:
            assert on_sqlite == on_pg, command
