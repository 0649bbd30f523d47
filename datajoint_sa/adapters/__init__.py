"""Per-backend DDL facades: what a DataJoint declaration becomes on MySQL, PostgreSQL or SQLite.

``get_adapter("postgresql")`` (or a SQLAlchemy dialect, engine or Connection) gives
the backend's adapter; ``Connection.adapter`` the one of a live connection.
``datajoint_sa.declare.prepare_declare`` compiles definitions with them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..errors import DataJointError
from .base import Adapter
from .mysql import MySQLAdapter
from .postgres import PostgreSQLAdapter
from .sqlite import SQLiteAdapter

__all__ = ["Adapter", "MySQLAdapter", "PostgreSQLAdapter", "SQLiteAdapter", "ADAPTERS", "get_adapter"]

#: Backend names (and their aliases) -> adapter classes.
ADAPTERS: dict[str, type[Adapter]] = {
    "mysql": MySQLAdapter, "mariadb": MySQLAdapter,
    "postgresql": PostgreSQLAdapter, "postgres": PostgreSQLAdapter,
    "sqlite": SQLiteAdapter,
}


def get_adapter(backend: Any) -> Adapter:
    """The adapter of ``backend``: a name (``"mysql"``, ``"postgresql"``/``"postgres"``, ``"sqlite"``),
    a SQLAlchemy dialect or engine, or a Connection (its engine's dialect is kept)."""
    if isinstance(backend, Adapter):
        return backend
    if isinstance(backend, str):
        cls = ADAPTERS.get(backend.lower())
        if cls is None:
            raise DataJointError(f"Unknown backend {backend!r}; use one of {', '.join(sorted(ADAPTERS))}.")
        return cls()
    engine = getattr(backend, "engine", backend)
    dialect = engine if isinstance(engine, sa.engine.Dialect) else getattr(engine, "dialect", None)
    if not isinstance(dialect, sa.engine.Dialect) or dialect.name not in ADAPTERS:
        raise DataJointError(f"No adapter for {backend!r}; give a backend name, a SQLAlchemy dialect or engine, "
                             "or a Connection.")
    return ADAPTERS[dialect.name](dialect)
