"""The PostgreSQL adapter."""

from .base import Adapter

__all__ = ["PostgreSQLAdapter"]


class PostgreSQLAdapter(Adapter):
    """DDL for PostgreSQL."""

    backend = "postgresql"
    dialect_name = "postgresql"
