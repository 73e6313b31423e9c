"""Facts about the database itself: where it is, its revision, its row counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from qiye_service import _schema
from qiye_service.db import describe, stored_revision
from qiye_service.models import Category, Department, Enterprise, Event, Issue, Tag


def database_info(engine: Engine) -> dict[str, Any]:
    info: dict[str, Any] = {
        "backend": engine.url.get_backend_name(),
        "location": describe(engine),
        "revision": stored_revision(engine),
        "head_revision": _schema.HEAD_REVISION,
    }
    with engine.connect() as conn:
        for name, table in (("enterprises", Enterprise), ("categories", Category), ("departments", Department),
                            ("issues", Issue), ("events", Event), ("tags", Tag)):
            info[name] = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
    return info
