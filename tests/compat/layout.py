"""A schema's layout as the database catalog describes it, in a form two schemas can be compared by.

Everything comes from the server (SQLAlchemy's inspector, and information_schema
where the inspector loses detail), never from either library's objects.  Schema
names are replaced by placeholders, so a layout does not depend on where it lives.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa


def _normalise(value: Any, names: Mapping[str, str]) -> Any:
    """Replace the schema names in ``value`` (strings, tuples, lists, dicts) by their placeholders."""
    if isinstance(value, str):
        for name, placeholder in names.items():
            value = value.replace(name, placeholder)
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(_normalise(v, names) for v in value)
    if isinstance(value, (set, frozenset)):
        return {_normalise(v, names) for v in value}
    if isinstance(value, dict):
        return {_normalise(k, names): _normalise(v, names) for k, v in value.items()}
    return value


def _mysql_columns(conn: sa.Connection, schema: str, table: str) -> dict[str, dict[str, Any]]:
    rows = conn.execute(sa.text(
        "SELECT column_name, column_type, is_nullable, column_default, column_comment, extra, "
        "character_set_name, collation_name FROM information_schema.columns "
        "WHERE table_schema = :s AND table_name = :t ORDER BY ordinal_position"), {"s": schema, "t": table})
    return {r[0]: {"type": r[1], "nullable": r[2] == "YES", "default": r[3], "comment": r[4] or None,
                   "extra": r[5] or None, "charset": r[6], "collation": r[7]} for r in rows}


def _postgresql_columns(conn: sa.Connection, schema: str, table: str) -> dict[str, dict[str, Any]]:
    rows = conn.execute(sa.text(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, "
        "pg_get_expr(d.adbin, d.adrelid), col_description(a.attrelid, a.attnum), "
        "(SELECT n.nspname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = a.atttypid) "
        "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = CAST(:qualified AS regclass) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"),
        {"qualified": f'"{schema}"."{table}"'})
    return {r[0]: {"type": r[1], "nullable": r[2], "default": r[3], "comment": r[4], "type_schema": r[5]}
            for r in rows}


def _enum_values(conn: sa.Connection, schema: str) -> dict[str, list[str]]:
    """PostgreSQL enum types of a schema: name -> labels in order."""
    rows = conn.execute(sa.text(
        "SELECT t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid "
        "JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = :s ORDER BY t.typname, e.enumsortorder"),
        {"s": schema})
    found: dict[str, list[str]] = {}
    for name, label in rows:
        found.setdefault(name, []).append(label)
    return found


def _foreign_keys(conn: sa.Connection, inspector: sa.Inspector, schema: str, table: str) -> list[dict[str, Any]]:
    # information_schema states ON UPDATE/ON DELETE explicitly; MariaDB's SHOW CREATE TABLE,
    # which the inspector reads, omits the default RESTRICT.
    rules = dict(
        ((name, (update, delete)) for name, update, delete in conn.execute(sa.text(
            "SELECT constraint_name, update_rule, delete_rule FROM information_schema.referential_constraints "
            "WHERE constraint_schema = :s"), {"s": schema}))
    )
    keys = []
    for fk in inspector.get_foreign_keys(table, schema=schema):
        keys.append({
            "name": fk["name"], "columns": tuple(fk["constrained_columns"]),
            "referred": (fk["referred_schema"] or schema, fk["referred_table"], tuple(fk["referred_columns"])),
            "rules": rules.get(fk["name"]),
        })
    return sorted(keys, key=lambda k: k["columns"])


def _indexes(inspector: sa.Inspector, schema: str, table: str) -> list[dict[str, Any]]:
    found = [{"name": ix["name"], "columns": tuple(ix["column_names"]), "unique": bool(ix["unique"])}
             for ix in inspector.get_indexes(table, schema=schema)]
    for constraint in inspector.get_unique_constraints(table, schema=schema):  # PostgreSQL lists them apart
        entry = {"name": constraint["name"], "columns": tuple(constraint["column_names"]), "unique": True}
        if entry not in found:
            found.append(entry)
    return sorted(found, key=lambda ix: (ix["columns"], ix["name"]))


def _table_options(conn: sa.Connection, schema: str, table: str) -> dict[str, Any]:
    row = conn.execute(sa.text(
        "SELECT engine, table_collation FROM information_schema.tables WHERE table_schema = :s AND table_name = :t"),
        {"s": schema, "t": table}).one()
    return {"engine": row[0], "collation": row[1]}


def describe_table(conn: sa.Connection, backend: str, schema: str, table: str) -> dict[str, Any]:
    inspector = sa.inspect(conn)
    columns = (_mysql_columns if backend == "mysql" else _postgresql_columns)(conn, schema, table)
    primary_key = inspector.get_pk_constraint(table, schema=schema)
    checks = sorted((c["name"], c["sqltext"]) for c in inspector.get_check_constraints(table, schema=schema))
    return {
        "options": _table_options(conn, schema, table) if backend == "mysql" else {},
        "checks": checks,
        "column_order": list(columns),
        "columns": columns,
        "primary_key": tuple(primary_key["constrained_columns"]),
        "primary_key_name": primary_key.get("name"),
        "foreign_keys": _foreign_keys(conn, inspector, schema, table),
        "indexes": _indexes(inspector, schema, table),
        "comment": inspector.get_table_comment(table, schema=schema)["text"],
    }


def lineage_rows(conn: sa.Connection, schema: str) -> set[tuple[str, str, str]]:
    table = sa.table("~lineage", sa.column("table_name"), sa.column("attribute_name"), sa.column("lineage"),
                     schema=schema)
    return {tuple(row) for row in conn.execute(sa.select(table.c.table_name, table.c.attribute_name, table.c.lineage))}


def describe_schema(engine: sa.Engine, backend: str, schema: str, placeholders: Mapping[str, str],
                    tables: list[str] | None = None) -> dict[str, Any]:
    """Tables, their layout, enum types and ~lineage rows of ``schema``, with schema names replaced.

    ``tables`` limits the layout to those tables (default: all of the schema).
    """
    with engine.connect() as conn:
        present = sorted(sa.inspect(conn).get_table_names(schema=schema))
        described = {
            "tables": present,
            "layout": {t: describe_table(conn, backend, schema, t) for t in (present if tables is None else tables)},
            "enum_types": _enum_values(conn, schema) if backend == "postgresql" else {},
            "lineage": lineage_rows(conn, schema) if "~lineage" in present else set(),
        }
    # the longest names first, so that one schema name inside another is not half-replaced
    ordered = dict(sorted(placeholders.items(), key=lambda item: -len(item[0])))
    return _normalise(described, ordered)
