"""The models and the migrations agree (alembic's autogenerate compare finds nothing) on both
backends, and _schema's revision list matches the scripts in migrations/.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from qiye_service import _schema, models  # noqa: F401 - models registers the tables
from qiye_service.db import alembic_config, migrations_dir


def differences(qiye) -> list:
    """What `alembic revision --autogenerate` would put in a new migration (env.py's options)."""
    qiye.ok("db", "upgrade")
    engine = qiye.engine()
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True, "include_object": _schema.include_in_autogenerate})
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


def test_models_and_migrations_agree(qiye):
    assert differences(qiye) == []


def test_the_compare_would_see_a_difference(qiye):
    # The check is not vacuous: a column the models do not have is reported.
    qiye.ok("db", "upgrade")
    qiye.sql("ALTER TABLE enterprise ADD COLUMN fax VARCHAR(50)")
    qiye.sql("CREATE INDEX ix_enterprise_contact_extra ON enterprise (contact)")
    found = differences(qiye)
    kinds = sorted(diff[0] if isinstance(diff, tuple) else diff[0][0] for diff in found)
    assert kinds == ["remove_column", "remove_index"]


def test_search_objects_are_the_only_ones_left_out(qiye):
    qiye.ok("db", "upgrade")
    engine = qiye.engine()
    try:
        with engine.connect() as conn:
            everything = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                          SQLModel.metadata)
    finally:
        engine.dispose()
    for diff in everything:
        kind, obj = diff[0], diff[1]
        assert kind in ("remove_table", "remove_index"), diff
        assert obj.name.startswith(_schema.SEARCH_TABLE_PREFIX) or obj.name.endswith(_schema.SEARCH_INDEX_SUFFIX)


def test_schema_revisions_match_the_scripts():
    from sqlalchemy import create_engine

    engine = create_engine("sqlite://")
    try:
        scripts = ScriptDirectory.from_config(alembic_config(engine))
    finally:
        engine.dispose()
    assert scripts.dir == str(migrations_dir())
    assert scripts.get_heads() == [_schema.HEAD_REVISION]
    oldest_first = [script.revision for script in reversed(list(scripts.walk_revisions()))]
    assert tuple(oldest_first) == _schema.REVISIONS
    assert _schema.HEAD_REVISION == _schema.REVISIONS[-1]
    # One straight line of revisions, each on the one before.
    for earlier, later in zip(oldest_first, oldest_first[1:], strict=False):
        assert scripts.get_revision(later).down_revision == earlier
    assert scripts.get_revision(oldest_first[0]).down_revision is None


def test_migrated_database_is_at_head(qiye):
    qiye.ok("db", "upgrade")
    assert qiye.sql("select version_num from alembic_version") == [(_schema.HEAD_REVISION,)]
