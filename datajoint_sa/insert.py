"""Insert: rows in any accepted shape -> checked columns -> INSERT statements.

Rows are normalized column-wise and every value is checked against its
attribute's type before anything is sent, so a bad value is reported with the
attribute's name and nothing is half-inserted.  Duplicate handling
(``skip_duplicates``, ``replace``) uses each dialect's upsert construct.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from .codecs import encoder_for
from .errors import DataJointError, MissingAttributeError, UnknownAttributeError
from .heading import Heading
from .types import value_coercer

__all__ = ["RowBatch", "normalize_rows", "insert_statement", "CHUNK_ROWS"]

CHUNK_ROWS = 10_000


@dataclass
class RowBatch:
    """Rows sharing one set of attribute names, as Python values ready to bind."""

    names: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def _is_frame(rows: Any) -> bool:
    return type(rows).__name__ == "DataFrame" and hasattr(rows, "columns")


def _raw_rows(rows: Any, heading: Heading) -> Iterator[tuple[tuple[str, ...], tuple[Any, ...]]]:
    """Yield (names, values) per row from any accepted input shape."""
    if _is_frame(rows):
        frame = rows.reset_index() if any(n in heading for n in rows.index.names if n) else rows
        names = tuple(str(c) for c in frame.columns)
        for values in frame.itertuples(index=False, name=None):
            yield names, tuple(None if _is_na(v) else v for v in values)
        return
    dtype_names = getattr(getattr(rows, "dtype", None), "names", None)
    if dtype_names:
        for values in rows.tolist():
            yield tuple(dtype_names), tuple(values)
        return
    if isinstance(rows, Mapping):
        raise DataJointError("insert takes a collection of rows; use insert1 for a single row.")
    if isinstance(rows, (str, bytes)):
        raise DataJointError(f"Invalid insert argument {rows!r}: expected rows (dicts, tuples, a DataFrame or a record array).")
    heading_names = tuple(heading.names)
    for row in rows:
        if isinstance(row, Mapping):
            yield tuple(row.keys()), tuple(row.values())
        elif getattr(getattr(row, "dtype", None), "names", None):  # numpy record
            yield tuple(row.dtype.names), tuple(row.tolist())
        elif isinstance(row, (tuple, list)) or (hasattr(row, "__len__") and not isinstance(row, (str, bytes))):
            values = tuple(row)
            if len(values) != len(heading_names):
                raise DataJointError(
                    f"Invalid insert argument. Incorrect number of attributes: {len(values)} given; "
                    f"{len(heading_names)} expected ({', '.join(heading_names)})."
                )
            yield heading_names, values
        else:
            raise DataJointError(f"Invalid row {row!r}: expected a dict, a tuple or a numpy record.")


def _is_na(value: Any) -> bool:
    try:
        return value is None or (value != value and isinstance(value, float)) or type(value).__name__ in ("NAType", "NaTType")
    except (TypeError, ValueError):
        return False


def _checked_names(names: tuple[str, ...], heading: Heading, ignore_extra_fields: bool) -> tuple[list[int], tuple[str, ...]]:
    """Positions and names of the attributes to keep; unknown names raise unless ignored."""
    keep = []
    for position, name in enumerate(names):
        if name in heading:
            keep.append(position)
        elif not ignore_extra_fields:
            raise UnknownAttributeError(
                f"Attribute {name!r} is not in the heading of the table; available: {', '.join(heading.names)}. "
                "Pass ignore_extra_fields=True to skip attributes the table does not have."
            )
    return keep, tuple(names[p] for p in keep)


def _check_required(names: tuple[str, ...], heading: Heading) -> None:
    present = set(names)
    for attr in heading.attributes.values():
        if attr.name not in present and not attr.nullable and attr.default is None:
            raise MissingAttributeError(f"Missing value for required attribute {attr.name!r}.")


def _convert_column(heading: Heading, name: str, values: list[Any]) -> list[Any]:
    attr = heading[name]
    coerce = value_coercer(attr.type)
    encode = encoder_for(attr.type)
    out = []
    for value in values:
        if value is None or _is_na(value):
            if not attr.nullable and attr.default is None:
                raise MissingAttributeError(f"Attribute {name!r} is not nullable and has no default; got a missing value.")
            out.append(None)
            continue
        try:
            if encode is not None:
                value = encode(value)
            elif coerce is not None:
                value = coerce(value)
        except (ValueError, TypeError, ArithmeticError, OverflowError) as err:
            raise DataJointError(f"Invalid value {value!r} for attribute {name!r} of type {attr.type.text}: {err}.") from None
        out.append(value)
    return out


def normalize_rows(rows: Any, heading: Heading, *, ignore_extra_fields: bool = False) -> list[RowBatch]:
    """Group rows by their attribute names and check and convert every value, column by column."""
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    plans: dict[tuple[str, ...], tuple[list[int], tuple[str, ...]]] = {}
    for names, values in _raw_rows(rows, heading):
        plan = plans.get(names)
        if plan is None:
            plan = plans[names] = _checked_names(names, heading, ignore_extra_fields)
        keep, kept_names = plan
        # Attributes left as None with a default take the default: drop them from this row.
        row = tuple(values[p] for p in keep)
        if any(v is None and heading[n].default is not None and not heading[n].nullable for n, v in zip(kept_names, row)):
            pairs = [(n, v) for n, v in zip(kept_names, row) if not (v is None and heading[n].default is not None)]
            kept_names, row = tuple(n for n, _ in pairs), tuple(v for _, v in pairs)
        groups.setdefault(kept_names, []).append(row)
    batches = []
    for names, group in groups.items():
        _check_required(names, heading)
        columns = [_convert_column(heading, n, list(c)) for n, c in zip(names, zip(*group))]
        batches.append(RowBatch(names, list(zip(*columns))))
    return batches


def chunks(rows: Sequence[tuple[Any, ...]], size: int = CHUNK_ROWS) -> Iterable[Sequence[tuple[Any, ...]]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def insert_statement(table: sa.Table, names: Sequence[str], primary_key: Sequence[str], dialect: str, *,
                     skip_duplicates: bool = False, replace: bool = False) -> sa.Insert:
    """The INSERT for ``names``, with the dialect's upsert clause for duplicates."""
    if not (skip_duplicates or replace):
        return sa.insert(table)
    secondary = [n for n in names if n not in primary_key]
    if dialect == "mysql":
        statement = mysql.insert(table)
        if replace and secondary:
            return statement.on_duplicate_key_update({n: statement.inserted[n] for n in secondary})
        return statement.on_duplicate_key_update({primary_key[0]: table.c[primary_key[0]]})
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    if replace and secondary:
        return statement.on_conflict_do_update(index_elements=list(primary_key),
                                               set_={n: statement.excluded[n] for n in secondary})
    if replace:
        return statement.on_conflict_do_nothing(index_elements=list(primary_key))
    return statement.on_conflict_do_nothing()
