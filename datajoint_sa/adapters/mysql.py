"""The MySQL / MariaDB adapter."""

from .base import Adapter

__all__ = ["MySQLAdapter"]


class MySQLAdapter(Adapter):
    """DDL for MySQL and MariaDB (one DataJoint backend; a MariaDB connection's dialect is accepted)."""

    backend = "mysql"
    dialect_name = "mysql"
