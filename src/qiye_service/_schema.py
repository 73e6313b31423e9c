"""The schema revisions this build knows, recorded so start-up need not import alembic.

tests/test_migrations.py checks these against the scripts in migrations/.
"""

REVISIONS = ("0001", "0002")
HEAD_REVISION = REVISIONS[-1]
