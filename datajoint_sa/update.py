"""update1: change secondary attributes of one row, identified by its full primary key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from .codecs import encoder_for
from .errors import DataJointError, UnknownAttributeError
from .heading import Attribute
from .types import value_coercer

__all__ = ["update_one"]

_SQL_CONSTANTS = {"CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME"}


def _default_expression(attr: Attribute) -> Any:
    """What None means for ``attr``: its declared default, else NULL."""
    if attr.default is None or attr.nullable:
        if not attr.nullable:
            raise DataJointError(f"Attribute {attr.name!r} is not nullable and has no default; it cannot be set to None.")
        return None
    text = attr.default.strip()
    if text.upper() in _SQL_CONSTANTS:
        return sa.text(text.upper())
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return _coerced(attr, text)


def _coerced(attr: Attribute, value: Any, table: Any = None, key: dict[str, Any] | None = None) -> Any:
    """``value`` as the column stores it; codecs writing to stores get the table's context and the row's key."""
    context = None if table is None else {**table._codec_context(), "field": attr.name}
    encode = encoder_for(attr.type, context)
    coerce = value_coercer(attr.type)
    try:
        if encode is not None:
            return encode(value, key)
        return coerce(value) if coerce is not None else value
    except (ValueError, TypeError, ArithmeticError) as err:
        raise DataJointError(f"Invalid value {value!r} for attribute {attr.name!r} of type {attr.type.text}: {err}.") from None


def update_one(table: Any, row: Any) -> None:
    if not isinstance(row, Mapping):
        raise DataJointError(f"update1 takes a dict with the primary key and the attributes to change; got {type(row).__name__}.")
    heading = table.heading
    unknown = [name for name in row if name not in heading]
    if unknown:
        raise UnknownAttributeError(f"Attribute {unknown[0]!r} is not in the heading; available: {', '.join(heading.names)}.")
    missing = [k for k in table.primary_key if k not in row]
    if missing:
        raise DataJointError(f"update1 needs the full primary key; missing: {', '.join(missing)}.")
    changes = {n: v for n, v in row.items() if n not in table.primary_key}
    if not changes:
        raise DataJointError("update1 was given no secondary attributes to change.")
    sql_table = table.sql_table
    key = sa.and_(*(sql_table.c[k] == sa.bindparam(None, _coerced(heading[k], row[k]), type_=sql_table.c[k].type)
                    for k in table.primary_key))
    pk = {k: row[k] for k in table.primary_key}
    values = {n: (_default_expression(heading[n]) if v is None else _coerced(heading[n], v, table, pk))
              for n, v in changes.items()}
    with table.connection.transaction:
        result = table.connection.execute(sa.update(sql_table).where(key).values(values))
        if result.rowcount == 0:
            found = table.connection.execute(sa.select(sa.func.count()).select_from(sql_table).where(key)).scalar()
            if not found:
                raise DataJointError(f"update1: no row of {table.full_table_name} has the key "
                                     f"{ {k: row[k] for k in table.primary_key} }.")
