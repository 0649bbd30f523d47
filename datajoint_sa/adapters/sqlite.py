"""The SQLite adapter."""

from .base import Adapter

__all__ = ["SQLiteAdapter"]


class SQLiteAdapter(Adapter):
    """DDL for SQLite, where every DataJoint schema lives in one file (tables named ``"schema.table"``)."""

    backend = "sqlite"
    dialect_name = "sqlite"
