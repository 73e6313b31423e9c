"""Users (issue 19, DESIGN §10): the people registered on a shared ledger, their roles,
departments and logins; `qiye user …`, and users through import and export. On both backends."""

from __future__ import annotations

from sqlalchemy import inspect

from conftest import Qiye
from qiye_service import _schema
from qiye_service.db import make_engine, resolve_location, upgrade
from test_migrations_data import downgrade, revision_of


def test_the_users_migration_downgrades_and_upgrades_again(qiye: Qiye) -> None:
    qiye.ok("db", "upgrade")
    engine = make_engine(resolve_location(qiye.url))
    try:
        assert "app_user" in inspect(engine).get_table_names()
        downgrade(engine, "0004")
        assert revision_of(engine) == "0004"
        assert "app_user" not in inspect(engine).get_table_names()
        upgrade(engine)
        assert revision_of(engine) == _schema.HEAD_REVISION
        columns = {c["name"] for c in inspect(engine).get_columns("app_user")}
        assert columns == {"id", "name", "role", "department_id", "login", "active", "created_at"}
    finally:
        engine.dispose()
