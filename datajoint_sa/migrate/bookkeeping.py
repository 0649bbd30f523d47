"""Migrations of datajoint_sa's own bookkeeping tables (``~lineage``, jobs tables) in a schema.

The revisions live in ``migrations/`` at the top of the repository (installed as the
package ``datajoint_sa.bookkeeping_migrations``), one alembic environment for every
schema; a schema's revision is kept in its own ``~datajoint_sa_version`` table, apart
from the user's ``~migration_version``.
A schema without that table is at the first revision, whose layout every schema
made by datajoint_sa 0.1 has.
"""

from __future__ import annotations

import pathlib
from typing import Any

from alembic import command, op
from alembic.config import Config

from ..errors import DataJointError
from .environment import make_config

__all__ = ["BOOKKEEPING_VERSION_TABLE", "address", "migrations_folder", "bookkeeping_config", "upgrade_bookkeeping",
           "downgrade_bookkeeping"]

BOOKKEEPING_VERSION_TABLE = "~datajoint_sa_version"
SOURCE_MIGRATIONS = pathlib.Path(__file__).resolve().parents[2] / "migrations"
INSTALLED_MIGRATIONS = pathlib.Path(__file__).resolve().parents[1] / "bookkeeping_migrations"  # from a wheel


def migrations_folder() -> pathlib.Path:
    """The folder of the bookkeeping revisions: the installed package's, else the source tree's."""
    for folder in (INSTALLED_MIGRATIONS, SOURCE_MIGRATIONS):
        if (folder / "env.py").exists():
            return folder
    raise DataJointError("The bookkeeping migrations are missing: neither the package "
                         "datajoint_sa.bookkeeping_migrations nor migrations/ in the source tree is there. "
                         "Reinstall datajoint_sa.")


def bookkeeping_config(connection: Any, schema: str) -> Config:
    """The alembic Config running the bookkeeping revisions on one schema."""
    return make_config(connection, schema, versions=None, script_location=migrations_folder(),
                       version_table=BOOKKEEPING_VERSION_TABLE)


def upgrade_bookkeeping(connection: Any, schema: str, revision: str = "head") -> None:
    """Bring the bookkeeping tables of ``schema`` to ``revision`` (default: this release's layout)."""
    command.upgrade(bookkeeping_config(connection, schema), revision)


def downgrade_bookkeeping(connection: Any, schema: str, revision: str) -> None:
    command.downgrade(bookkeeping_config(connection, schema), revision)


def address(table: str) -> tuple[str | None, str]:
    """(SQL schema, SQL name) of a bookkeeping table of the schema being migrated (for use in revisions)."""
    attributes = op.get_context().config.attributes
    return attributes["connection"].rules.sql_table(attributes["schema"], table)
