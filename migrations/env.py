"""Alembic environment for both backends: metadata from the models, the URL from qiye."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from qiye_service import models  # noqa: F401 - registers the tables on SQLModel.metadata
from qiye_service._schema import include_in_autogenerate

target_metadata = SQLModel.metadata


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=True,
        include_object=include_in_autogenerate,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    from qiye_service import config as qiye_config
    from qiye_service.db import make_engine, resolve_location

    url = context.config.get_main_option("sqlalchemy.url")
    location = resolve_location(url, qiye_config.load_config().get("db"))
    engine = make_engine(location)
    with engine.connect() as conn:
        _configure(conn)
        conn.commit()


def run_migrations_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
