"""Read declared tables back from the database (not from our in-memory objects)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

import datajoint_sa as dj


@dataclass
class Reflected:
    columns: dict[str, dict]  # name -> inspector column dict, in table order
    primary_key: list[str]
    foreign_keys: list[dict]  # inspector dicts, with "rules": (on update, on delete) as the server reports them
    indexes: list[dict]
    comment: str | None

    @property
    def names(self) -> list[str]:
        return list(self.columns)

    def fk_on(self, *columns: str) -> dict:
        found = [fk for fk in self.foreign_keys if tuple(fk["constrained_columns"]) == columns]
        assert len(found) == 1, f"no single foreign key on {columns}: {self.foreign_keys}"
        return found[0]

    def index_on(self, *columns: str) -> dict | None:
        found = [ix for ix in self.indexes if tuple(ix["column_names"]) == columns]
        return found[0] if found else None


def reflect(connection: dj.Connection, schema: str, table: str) -> Reflected:
    """The table ``schema.table`` (DataJoint names) as the database describes it."""
    sql_schema, name = connection.rules.sql_table(schema, table)
    inspector = sa.inspect(connection.engine)
    assert inspector.has_table(name, schema=sql_schema), f"{schema}.{table} is not in the database"
    columns = {c["name"]: c for c in inspector.get_columns(name, schema=sql_schema)}
    primary_key = inspector.get_pk_constraint(name, schema=sql_schema)["constrained_columns"]
    foreign_keys = inspector.get_foreign_keys(name, schema=sql_schema)
    rules = _mysql_fk_rules(connection, schema, table) if connection.dialect_name == "mysql" else {}
    for fk in foreign_keys:
        options = fk.get("options", {})
        fk["rules"] = rules.get(fk["name"]) or (options.get("onupdate"), options.get("ondelete"))
    indexes = inspector.get_indexes(name, schema=sql_schema)
    for index in indexes:
        index["unique"] = bool(index["unique"])
    comment = None
    if connection.rules.has_comments:
        comment = inspector.get_table_comment(name, schema=sql_schema)["text"]
    return Reflected(columns, primary_key, foreign_keys, indexes, comment)


def _mysql_fk_rules(connection: dj.Connection, schema: str, table: str) -> dict[str, tuple[str, str]]:
    # MariaDB's SHOW CREATE TABLE omits the default RESTRICT, so SQLAlchemy's reflection cannot
    # tell RESTRICT from "not given"; information_schema states the rules explicitly.
    rows = connection.query(
        "SELECT constraint_name, update_rule, delete_rule FROM information_schema.referential_constraints "
        "WHERE constraint_schema = %(s)s AND table_name = %(t)s", {"s": schema, "t": table},
    )
    return {name: (update, delete) for name, update, delete in rows}


def table_names(connection: dj.Connection, schema: str) -> set[str]:
    """DataJoint table names of a schema, as the database lists them (bookkeeping tables included)."""
    inspector = sa.inspect(connection.engine)
    if connection.rules.has_schemas:
        return set(inspector.get_table_names(schema=schema))
    prefix = schema + "."
    return {t[len(prefix):] for t in inspector.get_table_names() if t.startswith(prefix)}
