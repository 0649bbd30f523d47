"""Foreign keys and primary keys of the whole database, read in one catalog query each.

The rows feed :class:`datajoint_sa.dependencies.DependencyGraph`.  Only tables
this connection may read are listed: MySQL's ``information_schema`` shows no
others, and the PostgreSQL queries leave out what ``has_table_privilege`` denies
(``pg_catalog`` itself is readable by everyone).  A cascade thus never plans a
statement on a table the user cannot touch; a row there that blocks a delete
surfaces as a foreign-key error from the database.  The queries
read the system catalogs directly (PostgreSQL ``pg_constraint``, MySQL
``information_schema.KEY_COLUMN_USAGE``, SQLite's ``pragma_foreign_key_list``
table function), so the graph of a database with hundreds of tables loads in a
few round trips rather than one reflection per table.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from .catalog import SYSTEM_SCHEMAS
from .connection import Connection

__all__ = ["ForeignKey", "read_foreign_keys", "read_primary_keys"]


@dataclass(frozen=True)
class ForeignKey:
    child: tuple[str, str]  # (schema, table) in DataJoint terms
    parent: tuple[str, str]
    columns: tuple[tuple[str, str], ...]  # (child column, parent column), in constraint order


_PG_FOREIGN_KEYS = sa.text("""
    SELECT cn.nspname, c.relname, pn.nspname, p.relname, con.conname, a.attname, pa.attname, k.ord
    FROM pg_constraint con
    JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
    JOIN pg_class p ON p.oid = con.confrelid JOIN pg_namespace pn ON pn.oid = p.relnamespace
    CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(child_num, parent_num, ord)
    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.child_num
    JOIN pg_attribute pa ON pa.attrelid = con.confrelid AND pa.attnum = k.parent_num
    WHERE con.contype = 'f' AND cn.nspname NOT LIKE 'pg\\_%' AND cn.nspname <> 'information_schema'
      AND has_schema_privilege(cn.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')
      AND has_schema_privilege(pn.oid, 'USAGE') AND has_table_privilege(p.oid, 'SELECT')
""")
_PG_PRIMARY_KEYS = sa.text("""
    SELECT n.nspname, c.relname, a.attname, k.ord
    FROM pg_constraint con
    JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(num, ord)
    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
    WHERE con.contype = 'p' AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
      AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')
""")
_MYSQL_FOREIGN_KEYS = sa.text("""
    SELECT TABLE_SCHEMA, TABLE_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, CONSTRAINT_NAME,
           COLUMN_NAME, REFERENCED_COLUMN_NAME, ORDINAL_POSITION
    FROM information_schema.KEY_COLUMN_USAGE
    WHERE REFERENCED_TABLE_NAME IS NOT NULL
      AND TABLE_SCHEMA NOT IN ('mysql', 'sys', 'information_schema', 'performance_schema')
""")
_MYSQL_PRIMARY_KEYS = sa.text("""
    SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION
    FROM information_schema.KEY_COLUMN_USAGE
    WHERE CONSTRAINT_NAME = 'PRIMARY'
      AND TABLE_SCHEMA NOT IN ('mysql', 'sys', 'information_schema', 'performance_schema')
""")
# SQLite: one statement over every table through the pragma table-valued functions (SQLite >= 3.16).
_SQLITE_FOREIGN_KEYS = sa.text("""
    SELECT m.name, f."table", f.id, f."from", f."to", f.seq
    FROM sqlite_master AS m JOIN pragma_foreign_key_list(m.name) AS f
    WHERE m.type = 'table'
""")
_SQLITE_PRIMARY_KEYS = sa.text("""
    SELECT m.name, p.name, p.pk
    FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p
    WHERE m.type = 'table' AND p.pk > 0
""")


def _split_sqlite(name: str) -> tuple[str, str]:
    schema, _, table = name.partition(".")
    return schema, table


def read_foreign_keys(connection: Connection) -> list[ForeignKey]:
    """Every foreign key in the database (system schemas left out)."""
    grouped: dict[tuple, list[tuple[int, str, str]]] = defaultdict(list)
    with connection.session(write=False) as conn:
        if connection.dialect_name == "sqlite":
            for child, parent, fk_id, column, parent_column, seq in conn.execute(_SQLITE_FOREIGN_KEYS):
                grouped[(_split_sqlite(child), _split_sqlite(parent), fk_id)].append((seq, column, parent_column))
        else:
            query = _PG_FOREIGN_KEYS if connection.dialect_name == "postgresql" else _MYSQL_FOREIGN_KEYS
            for cs, ct, ps, pt, name, column, parent_column, position in conn.execute(query):
                grouped[((cs, ct), (ps, pt), name)].append((position, column, parent_column))
    return [
        ForeignKey(child, parent, tuple((c, p) for _, c, p in sorted(columns)))
        for (child, parent, _), columns in grouped.items()
        if child[0] not in SYSTEM_SCHEMAS or connection.dialect_name == "sqlite"
    ]


def read_primary_keys(connection: Connection) -> dict[tuple[str, str], list[str]]:
    """{(schema, table): primary-key columns in order} for every table in the database."""
    keys: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    with connection.session(write=False) as conn:
        if connection.dialect_name == "sqlite":
            for table, column, position in conn.execute(_SQLITE_PRIMARY_KEYS):
                if "." in table:
                    keys[_split_sqlite(table)].append((position, column))
        else:
            query = _PG_PRIMARY_KEYS if connection.dialect_name == "postgresql" else _MYSQL_PRIMARY_KEYS
            for schema, table, column, position in conn.execute(query):
                keys[(schema, table)].append((position, column))
    return {table: [c for _, c in sorted(columns)] for table, columns in keys.items()}
