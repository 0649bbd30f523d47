"""Foreign-key failures explained: which tables and attributes are involved.

The database reports a failed foreign key in its own words (SQLite does not
even name the table).  When an insert, update or delete fails on one, these
functions look at the foreign keys involved and build a message naming the
tables and attributes, keeping the database's error as the cause.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from .errors import IntegrityError

__all__ = ["explain_missing_parent", "explain_blocked_delete", "missing_parents"]


def _quoted(connection: Any, table: sa.Table) -> str:
    preparer = connection.engine.dialect.identifier_preparer
    if table.schema:
        return f"{preparer.quote_identifier(table.schema)}.{preparer.quote_identifier(table.name)}"
    return preparer.quote_identifier(table.name)


def missing_parents(connection: Any, table: sa.Table, rows: list[Mapping[str, Any]]) -> list[str]:
    """'parent (child attrs -> parent attrs), e.g. {...}' for each foreign key some row has no parent for."""
    found = []
    for constraint in table.foreign_key_constraints:
        columns = [c.name for c in constraint.columns]
        parent = constraint.referred_table
        parent_columns = [e.column.name for e in constraint.elements]
        wanted = {tuple(row[c] for c in columns) for row in rows if all(c in row for c in columns)}
        wanted = {w for w in wanted if None not in w}
        if not wanted:
            continue
        keys = [parent.c[c] for c in parent_columns]
        match = keys[0].in_([w[0] for w in wanted]) if len(keys) == 1 else sa.tuple_(*keys).in_(list(wanted))
        with connection.session(write=False) as conn:  # after a failed insert: a fresh connection
            present = {tuple(r) for r in conn.execute(sa.select(*keys).where(match))}
        if wanted - present:
            example = dict(zip(columns, sorted(wanted - present, key=repr)[0]))
            found.append(f"{_quoted(connection, parent)} for foreign key ({', '.join(columns)}) -> "
                         f"({', '.join(parent_columns)}), e.g. {example}")
    return found


def _foreign_keys(connection: Any, table: sa.Table) -> list[str]:
    return [f"{_quoted(connection, c.referred_table)} for foreign key ({', '.join(col.name for col in c.columns)}) "
            f"-> ({', '.join(e.column.name for e in c.elements)})" for c in table.foreign_key_constraints]


def explain_missing_parent(connection: Any, table: sa.Table, rows: Iterable[Mapping[str, Any]], verb: str,
                           err: IntegrityError) -> IntegrityError:
    """An IntegrityError naming the parent table and attributes a written row has no match in.

    Inside an open transaction the rows cannot be checked (the failed statement may have
    aborted it, and another connection would wait for its locks), so every foreign key is named.
    """
    if connection.in_transaction:
        candidates = _foreign_keys(connection, table)
        if not candidates:
            return err
        return IntegrityError(f"Cannot {verb} {_quoted(connection, table)}: no matching row in one of the parent "
                              f"tables {'; '.join(candidates)}. Insert the parent row first.", *err.args)
    missing = missing_parents(connection, table, list(rows))
    if not missing:
        return err
    return IntegrityError(f"Cannot {verb} {_quoted(connection, table)}: no matching row in parent table "
                          f"{'; '.join(missing)}. Insert the parent row first.", *err.args)


def explain_blocked_delete(expr: Any, err: IntegrityError) -> IntegrityError:
    """An IntegrityError naming the child tables (and attributes) whose rows reference rows being deleted."""
    from .delete import graph_with

    connection, node = expr.connection, expr._node
    graph = graph_with(connection, node)
    blocking = []
    for child, edge in graph.edges_from(node):
        pairs = ", ".join(c if c == p else f"{c} -> {p}" for c, p in edge.attr_map.items())
        if connection.in_transaction:  # cannot look at the rows (see explain_missing_parent): name every child
            blocking.append(f"{connection.full_name(child)} ({pairs})")
            continue
        sql_schema, sql_name = connection.rules.sql_table(*child)
        child_table = sa.table(sql_name, *(sa.column(c) for c in edge.attr_map), schema=sql_schema)
        columns = [child_table.c[c] for c in edge.attr_map]
        keys = expr.make_select(list(edge.attr_map.values())).subquery()
        referenced = sa.select(*keys.c)
        test = columns[0].in_(referenced) if len(columns) == 1 else sa.tuple_(*columns).in_(referenced)
        probe = sa.select(sa.exists(sa.select(sa.literal(1)).select_from(child_table).where(test)))
        with connection.engine.connect() as conn:
            if conn.execute(probe).scalar():
                blocking.append(f"{connection.full_name(child)} ({pairs})")
    if not blocking:
        return err
    which = "rows of one of" if connection.in_transaction else "rows of"
    return IntegrityError(f"Cannot delete from {connection.full_name(node)} without cascading: {which} "
                          f"{', '.join(blocking)} reference the rows to delete. Use delete() to remove them too.",
                          *err.args)
