"""The schema revisions this build knows, recorded so start-up need not import alembic.

tests/test_migrations.py checks these against the scripts in migrations/.
"""

REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011")
HEAD_REVISION = REVISIONS[-1]

# What migrations create beside the models (0002's search index: the FTS5 tables on SQLite,
# the pg_trgm indexes on PostgreSQL). Autogenerate must neither drop nor re-create them.
SEARCH_TABLE_PREFIX = "issue_search"
SEARCH_INDEX_SUFFIX = "_trgm"


def include_in_autogenerate(obj: object, name: str | None, type_: str, reflected: bool,
                            compare_to: object) -> bool:
    """alembic's include_object hook (env.py and tests/test_migrations.py use it)."""
    if not reflected or compare_to is not None or name is None:
        return True
    if type_ == "table" and name.startswith(SEARCH_TABLE_PREFIX):
        return False
    return not (type_ == "index" and name.endswith(SEARCH_INDEX_SUFFIX))
