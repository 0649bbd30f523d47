"""Database access: connections, error translation, schemas and bookkeeping tables."""

from .connection import Connection, create_engine, url_from_config

__all__ = ["Connection", "create_engine", "url_from_config"]
