"""The PostgreSQL adapter under the backend's full name (``datajoint_sa.adapters.postgres`` defines it)."""

from .postgres import PostgreSQLAdapter

__all__ = ["PostgreSQLAdapter"]
