"""search index: FTS5 trigram on SQLite, pg_trgm GIN on PostgreSQL, for `--search`

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 09:00:00

SQLite: `issue_search`, a contentless FTS5 table with the trigram tokenizer (detail=none: it
only has to name candidate rows; services.filters checks each candidate with the same ILIKE
that runs without the index). One row per issue, rowid = issue.id, whose text is

    title \n description \n resolution \n enterprise name \n \n

The two newlines at the end make every character the first of some trigram, so a 1- or
2-character string is the prefix of indexed trigrams, which `issue_search_terms` (an
fts5vocab view of the index) lists; see services.filters.

Triggers on issue and enterprise record every change in `issue_search_pending` (the issue's
id and, when the index holds the issue, the text it indexed, which a contentless table needs
in order to delete it); db.sync_search_index applies the pending rows in two set-based
statements before each qiye write transaction commits. Writing the index from the triggers
directly would flush FTS5's in-memory buffer at every statement (FTS5 flushes on each
statement savepoint, and a trigger makes every INSERT one), which made a 100,000-row import
spend five times as long in the index as in everything else. Rows written by other programs
stay pending until the next qiye write, and searches read the pending ids as candidates too.

PostgreSQL: GIN trigram indexes (pg_trgm) on issue.title, description, resolution and
enterprise.name serve the same ILIKE. pg_trgm ships with PostgreSQL and is a trusted
extension (13+), so a role with CREATE on the database may install it; if the role cannot,
the migration leaves the indexes out and says so, searches still work as sequential scans,
and an administrator can add them later with the statements in benchmarks/README.md.
"""

from __future__ import annotations

import logging

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def _body(row: str, enterprise_name: str) -> str:
    return (
        f"coalesce({row}.title, '') || char(10) || coalesce({row}.description, '') || char(10) || "
        f"coalesce({row}.resolution, '') || char(10) || coalesce({enterprise_name}, '') || char(10) || char(10)"
    )


def _name_of(row: str) -> str:
    return f"(SELECT name FROM enterprise WHERE enterprise.id = {row}.enterprise_id)"


PENDING = "INSERT OR IGNORE INTO issue_search_pending(id, old_body)"

SQLITE_UPGRADE = [
    "CREATE VIRTUAL TABLE issue_search USING fts5(body, tokenize = 'trigram', detail = 'none', content = '')",
    "CREATE VIRTUAL TABLE issue_search_terms USING fts5vocab(issue_search, 'row')",
    "CREATE TABLE issue_search_pending (id INTEGER PRIMARY KEY, old_body TEXT)",
    # What the index holds for each issue; db.sync_search_index reads it, so the text is
    # spelled once, here, for the triggers and the sync alike.
    f"CREATE VIEW issue_search_source AS SELECT issue.id AS id, {_body('issue', 'enterprise.name')} AS body "
    "FROM issue LEFT JOIN enterprise ON enterprise.id = issue.enterprise_id",
    "INSERT INTO issue_search(rowid, body) SELECT id, body FROM issue_search_source ORDER BY id",
    # A pending row keeps the first old text it is given: the one the index holds. A new
    # issue's row has none (nothing to delete), and keeps none through later edits.
    f"""CREATE TRIGGER issue_search_insert AFTER INSERT ON issue BEGIN
        {PENDING} VALUES (NEW.id, NULL);
    END""",
    f"""CREATE TRIGGER issue_search_delete AFTER DELETE ON issue BEGIN
        {PENDING} VALUES (OLD.id, {_body('OLD', _name_of('OLD'))});
    END""",
    f"""CREATE TRIGGER issue_search_update AFTER UPDATE OF id, title, description, resolution, enterprise_id ON issue
    WHEN OLD.id IS NOT NEW.id OR OLD.title IS NOT NEW.title OR OLD.description IS NOT NEW.description
         OR OLD.resolution IS NOT NEW.resolution OR OLD.enterprise_id IS NOT NEW.enterprise_id
    BEGIN
        {PENDING} VALUES (OLD.id, {_body('OLD', _name_of('OLD'))});
        {PENDING} VALUES (NEW.id, NULL);
    END""",
    f"""CREATE TRIGGER enterprise_search_update AFTER UPDATE OF name ON enterprise
    WHEN OLD.name IS NOT NEW.name
    BEGIN
        {PENDING} SELECT issue.id, {_body('issue', 'OLD.name')} FROM issue WHERE issue.enterprise_id = OLD.id;
    END""",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS enterprise_search_update",
    "DROP TRIGGER IF EXISTS issue_search_update",
    "DROP TRIGGER IF EXISTS issue_search_delete",
    "DROP TRIGGER IF EXISTS issue_search_insert",
    "DROP TABLE IF EXISTS issue_search_pending",
    "DROP VIEW IF EXISTS issue_search_source",
    "DROP TABLE IF EXISTS issue_search_terms",
    "DROP TABLE IF EXISTS issue_search",
]

PG_INDEXES = (
    ("ix_issue_title_trgm", "issue", "title"),
    ("ix_issue_description_trgm", "issue", "description"),
    ("ix_issue_resolution_trgm", "issue", "resolution"),
    ("ix_enterprise_name_trgm", "enterprise", "name"),
)


def _pg_trgm_schema() -> str | None:
    """The schema holding pg_trgm, installing it first when this role may; None if it cannot."""
    conn = op.get_bind()
    find = "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
    schema = conn.exec_driver_sql(find).scalar()
    if schema is not None:
        return str(schema)
    # Prefer `public`, shared by every schema on the search path, over the current schema.
    has_public = conn.exec_driver_sql("SELECT 1 FROM pg_namespace WHERE nspname = 'public'").scalar()
    savepoint = conn.begin_nested()
    try:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm" + (" SCHEMA public" if has_public else ""))
    except Exception as exc:  # noqa: BLE001 - no privilege: search still works, without the index
        savepoint.rollback()
        log.warning("pg_trgm is not installed and this role cannot install it (%s); --search will scan. "
                    "See benchmarks/README.md to add the indexes later.", str(exc).splitlines()[0])
        return None
    savepoint.commit()
    return conn.exec_driver_sql(find).scalar()


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_UPGRADE:
            op.execute(statement)
    elif dialect == "postgresql":
        schema = _pg_trgm_schema()
        if schema is None:
            return
        for name, table, column in PG_INDEXES:
            op.execute(f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} "{schema}".gin_trgm_ops)')


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_DOWNGRADE:
            op.execute(statement)
    elif dialect == "postgresql":
        # The extension stays: other databases objects may use it, and it costs nothing idle.
        for name, _table, _column in PG_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
