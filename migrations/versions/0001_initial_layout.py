"""The bookkeeping layout of datajoint_sa 0.1: the ~lineage table of a schema.

A schema made by datajoint_sa 0.1 already has this layout, and a database without a
version table counts as being here: upgrading it records the revision and creates
nothing.  Jobs tables (``~~<table>``, see datajoint_sa/populate/jobs.py) are made on
first use, one per auto-populated table, with that table's key; a later revision
that changes their layout alters every ``~~`` table of the schema.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from datajoint_sa.migrate.bookkeeping import address

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MYSQL_COMMENTS = {"table_name": "table name within the schema", "attribute_name": "attribute name",
                   "lineage": "origin: schema.table.attribute"}


def upgrade() -> None:
    schema, name = address("~lineage")
    if sa.inspect(op.get_bind()).has_table(name, schema=schema):
        return

    def comment(column: str) -> str | None:
        return _MYSQL_COMMENTS[column] if op.get_bind().dialect.name in ("mysql", "mariadb") else None

    op.create_table(
        name,
        sa.Column("table_name", sa.String(64), primary_key=True, comment=comment("table_name")),
        sa.Column("attribute_name", sa.String(64), primary_key=True, comment=comment("attribute_name")),
        sa.Column("lineage", sa.String(255), nullable=False, comment=comment("lineage")),
        schema=schema, mysql_engine="InnoDB",
    )


def downgrade() -> None:
    schema, name = address("~lineage")
    op.drop_table(name, schema=schema)
