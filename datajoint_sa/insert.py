"""Insert: rows in any accepted shape -> checked columns -> INSERT (or COPY) statements.

An insert runs as a pipeline over chunks of at most :data:`CHUNK_ROWS` rows, so a
huge input (a generator, a large DataFrame) is never held twice in memory:

1. **shape** -- the input (dicts, tuples, numpy records or a structured array, a
   pandas DataFrame, or any iterable of rows) is cut into chunks, and each chunk into
   *batches*: rows sharing one set of attribute names, held column by column.
2. **check** -- every column is checked and converted against its attribute's type
   (:func:`check_column`).  A column whose values are all plain Python values of the
   expected kind is checked with C-speed builtins (``set(map(type, ...))``,
   ``min``/``max`` for integer ranges, ``max(map(len, ...))`` for string lengths);
   anything else goes value by value through :func:`datajoint_sa.types.value_coercer`
   or the codec's encoder, which also accepts numpy scalars.  A bad value raises
   DataJointError naming the attribute.
3. **send** -- :class:`InsertPlan` applies each SQLAlchemy column type's own bind
   processor column-wise and hands the rows to the DB-API cursor's ``executemany``
   through ``Connection.exec_driver_sql``, with the statement text compiled once by
   SQLAlchemy from ``sa.insert`` (the dialect's upsert construct for
   ``skip_duplicates``/``replace``).  sqlite3 and psycopg run one statement per row
   (psycopg pipelines them); pymysql rewrites ``INSERT ... VALUES (%s, ...)`` into
   multi-row statements under its ``max_stmt_length`` (1 MB, below MySQL's
   ``max_allowed_packet``), so no statement comes near a parameter limit.  On
   PostgreSQL a plain insert of at least :data:`COPY_THRESHOLD` rows in a batch uses
   ``COPY ... FROM STDIN`` instead.

The caller (``Table.insert``) sends every batch of one call in one transaction, so a
bad row anywhere -- even in the last chunk -- leaves nothing inserted.

NaN: a DataFrame's NaN/NA/NaT mean "missing" (pandas' convention) and are stored as
NULL.  In other inputs a float NaN in a float column is a value, kept on PostgreSQL;
MySQL has no NaN and SQLite turns a bound NaN into NULL, so there it is stored as NULL
(an error for an attribute that is neither nullable nor defaulted).  NaN in any other
column is missing, i.e. NULL or the attribute's default.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import functools
import itertools
import logging
import os
import pathlib
import sys
import uuid
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter, itemgetter, methodcaller
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine.processors import to_float

from . import errors
from .codecs import encoder_for
from .engine.direct import on_cursor, positional_dialect
from .errors import DataJointError, MissingAttributeError
from .heading import Attribute, Heading
from .types import FLOAT32_MAX, INT_RANGES, value_coercer

__all__ = ["Batch", "RowView", "InsertPlan", "iter_batches", "iter_chunks", "check_column", "insert_statement", "CHUNK_ROWS", "COPY_THRESHOLD"]

logger = logging.getLogger("datajoint_sa")

#: Rows shaped, checked and sent at a time; bounds the memory an insert holds beyond its input.
CHUNK_ROWS = 10_000
#: PostgreSQL: a plain insert (no skip_duplicates/replace) of at least this many rows in one
#: batch uses COPY ... FROM STDIN.  None turns COPY off; tests set it low to exercise COPY.
COPY_THRESHOLD: int | None = 1_000


@dataclass
class Batch:
    """Checked rows sharing one set of attribute names, held column-wise.

    ``rows`` holds the same values row-wise when they are at hand without rebuilding
    them (the input's own tuples when no value needed converting), else None.
    """

    names: tuple[str, ...]
    columns: list[Sequence[Any]]
    rows: Sequence[Sequence[Any]] | None = None

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else len(self.rows or ())

    def tuples(self) -> Sequence[Sequence[Any]]:
        """The rows, as the input's own rows or as a lazy view over the columns."""
        return self.rows if self.rows is not None else RowView(self.columns)


class RowView(Sequence[tuple[Any, ...]]):
    """Rows over columns, each tuple made only when the driver reaches it.

    The drivers' ``executemany`` and COPY iterate their rows once; making the tuples
    one at a time keeps memory flat and keeps the count of live container objects --
    which triggers Python's cyclic garbage collector, a full pass over every object of
    the process -- from growing with the insert.
    """

    __slots__ = ("_columns",)

    def __init__(self, columns: Sequence[Sequence[Any]]) -> None:
        self._columns = columns

    def __len__(self) -> int:
        return len(self._columns[0]) if self._columns else 0

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return list(zip(*(column[index] for column in self._columns)))
        return tuple(column[index] for column in self._columns)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return zip(*self._columns)


# --------------------------------------------------------------------------------------
# 1. shape: input -> chunks -> (names, columns) groups
# --------------------------------------------------------------------------------------

@dataclass
class _Shaped:
    names: tuple[str, ...]
    columns: list[Sequence[Any]]
    rows: Sequence[Sequence[Any]] | None


def _is_frame(rows: Any) -> bool:
    """A pandas DataFrame (polars frames are columnar inputs, see _is_columnar)."""
    return type(rows).__name__ == "DataFrame" and hasattr(rows, "iloc")


def _is_columnar(rows: Any) -> bool:
    """A pyarrow Table or RecordBatch, or a polars DataFrame: named columns, read column by column."""
    module = type(rows).__module__.split(".")[0]
    return (module == "pyarrow" and hasattr(rows, "column_names")) or (module == "polars" and hasattr(rows, "to_arrow"))


def _columnar_groups(table: Any, size: int) -> Iterator[_Shaped]:
    """A pyarrow or polars table, ``size`` rows at a time, as Python values (nulls as None)."""
    if type(table).__module__.split(".")[0] == "polars":
        table = table.to_arrow()
    names = tuple(str(n) for n in table.column_names)
    for start in range(0, table.num_rows, size):
        part = table.slice(start, size)
        yield _Shaped(names, [part.column(i).to_pylist() for i in range(len(names))], None)


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _user_stacklevel() -> int:
    """The warnings stacklevel of the first caller outside datajoint_sa (the user's insert call)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level


def _csv_rows(path: pathlib.PurePath) -> Iterator[dict[str, str | None]]:
    """The rows of a CSV file with a header line, as dicts of text, read as they are consumed.

    An empty field is a missing value (None: NULL or the attribute's default), as pandas
    reads CSV; the text of the other fields is converted like any string value.
    """
    try:
        with open(path, newline="", encoding="utf-8") as file:
            for row in csv.DictReader(file, delimiter=","):
                yield {name: (value if value != "" else None) for name, value in row.items()}
    except FileNotFoundError:
        raise DataJointError(f"Cannot insert from {str(path)!r}: no such file.") from None


def _warn_positional() -> None:
    warnings.warn("Positional inserts (tuples/lists) are deprecated and will be removed in a future version; "
                  "give each row as a dict of attribute names to values: table.insert1({'attribute': value, ...}).",
                  DeprecationWarning, stacklevel=_user_stacklevel())


def _frame_index_is_key(frame: Any, heading: Heading) -> bool:
    return any(n in heading for n in frame.index.names if n)


def _datetime_array_values(array: Any) -> list[Any]:
    # datetime64[ns] .tolist() gives integers; microseconds give datetime.datetime (NaT -> None).
    return array.astype("datetime64[us]").tolist()


def _series_values(series: Any) -> list[Any]:
    """A pandas column as Python values, missing ones (NaN, NA, NaT, None) as None."""
    if getattr(series.dtype, "kind", "O") == "M" and getattr(series.dtype, "tz", None) is None:
        return _datetime_array_values(series.to_numpy())
    values = series.tolist()
    missing = series.isna().to_numpy()
    if missing.any():
        for position in missing.nonzero()[0].tolist():
            values[position] = None
    return values


def _array_values(array: Any) -> list[Any]:
    if array.dtype.kind == "M":
        return _datetime_array_values(array)
    return array.tolist()


def _frame_groups(frame: Any, heading: Heading, size: int) -> Iterator[_Shaped]:
    if _frame_index_is_key(frame, heading):
        frame = frame.reset_index()
    names = tuple(str(c) for c in frame.columns)
    for start in range(0, len(frame), size):
        part = frame.iloc[start:start + size]
        yield _Shaped(names, [_series_values(part.iloc[:, i]) for i in range(len(names))], None)


def _array_groups(array: Any, size: int) -> Iterator[_Shaped]:
    names = tuple(array.dtype.names)
    flat = array.reshape(-1)
    for start in range(0, len(flat), size):
        part = flat[start:start + size]
        yield _Shaped(names, [_array_values(part[n]) for n in names], None)


def _row_chunks(rows: Any, size: int) -> Iterator[Sequence[Any]]:
    if isinstance(rows, (list, tuple)):
        for start in range(0, len(rows), size):
            yield rows[start:start + size]
        return
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _wrong_length(length: int, heading_names: tuple[str, ...]) -> DataJointError:
    return DataJointError(
        f"Invalid insert argument. Incorrect number of attributes: {length} given; "
        f"{len(heading_names)} expected ({', '.join(heading_names)})."
    )


def _row_values(row: Any, heading_names: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """(names, values) of one row of any accepted kind."""
    if isinstance(row, Mapping):
        return tuple(row.keys()), tuple(row.values())
    if getattr(getattr(row, "dtype", None), "names", None):  # numpy record
        return tuple(row.dtype.names), tuple(row.tolist())
    if isinstance(row, (tuple, list)) or (hasattr(row, "__len__") and not isinstance(row, (str, bytes))):
        values = tuple(row)  # positional: the caller warns (names is heading_names tells it)
        if len(values) != len(heading_names):
            raise _wrong_length(len(values), heading_names)
        return heading_names, values
    raise DataJointError(f"Invalid row {row!r}: expected a dict, a tuple or a numpy record.")


def _raw_rows(rows: Any, heading: Heading) -> Iterator[tuple[tuple[str, ...], tuple[Any, ...]]]:
    """Yield (names, values) per row from any accepted input shape (used by validate())."""
    _refuse_non_rows(rows)
    if isinstance(rows, pathlib.PurePath):
        rows = _csv_rows(rows)
    if _is_frame(rows):
        frame = rows.reset_index() if _frame_index_is_key(rows, heading) else rows
        names = tuple(str(c) for c in frame.columns)
        for values in frame.itertuples(index=False, name=None):
            yield names, tuple(None if _is_missing(v) else v for v in values)
        return
    if _is_columnar(rows):
        for shaped in _columnar_groups(rows, CHUNK_ROWS):
            for values in zip(*shaped.columns):
                yield shaped.names, values
        return
    if getattr(getattr(rows, "dtype", None), "names", None):
        names = tuple(rows.dtype.names)
        for values in rows.reshape(-1).tolist():
            yield names, tuple(values)
        return
    heading_names = tuple(heading.names)
    warned = False
    for row in rows:
        names, values = _row_values(row, heading_names)
        if names is heading_names and not warned:
            _warn_positional()
            warned = True
        yield names, values


def _fast_row_group(chunk: Sequence[Any], heading_names: tuple[str, ...]) -> _Shaped | None:
    """The whole chunk as one group when every row has the same shape, else None."""
    kinds = set(map(type, chunk))
    if kinds == {dict}:
        names = tuple(chunk[0])
        if not names or set(map(len, chunk)) != {len(names)}:
            return None
        try:  # column by column: no tuple per row (fewer allocations, no garbage-collector passes)
            columns: list[Sequence[Any]] = [list(map(itemgetter(n), chunk)) for n in names]
        except KeyError:  # same size, other keys: group row by row
            return None
        return _Shaped(names, columns, None)
    if kinds and kinds <= {tuple, list}:
        _warn_positional()
        lengths = set(map(len, chunk))
        if lengths != {len(heading_names)}:
            raise _wrong_length(min(lengths - {len(heading_names)}), heading_names)
        return _Shaped(heading_names, [list(map(itemgetter(i), chunk)) for i in range(len(heading_names))], chunk)
    return None


def _row_groups(chunk: Sequence[Any], heading_names: tuple[str, ...]) -> Iterator[_Shaped]:
    fast = _fast_row_group(chunk, heading_names)
    if fast is not None:
        yield fast
        return
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for row in chunk:
        names, values = _row_values(row, heading_names)
        groups.setdefault(names, []).append(values)
    if any(names is heading_names for names in groups):  # positional rows (once per chunk)
        _warn_positional()
    _check_same_fields(list(groups), heading_names)
    for names, rows in groups.items():
        yield _Shaped(names, list(zip(*rows)) if names else [], rows)


def _check_same_fields(names: Sequence[tuple[str, ...]], heading_names: tuple[str, ...]) -> None:
    """All rows of one insert name the same attributes (in any order), as DataJoint requires.

    Names the table does not have are left out here: they raise, or are ignored, later.
    """
    first = set(names[0]).intersection(heading_names) if names else set()
    for other in names[1:]:
        if set(other).intersection(heading_names) != first:
            raise DataJointError(f"All rows of an insert must have the same attributes: rows with "
                                 f"({', '.join(names[0])}) and with ({', '.join(other)}).")


def _refuse_non_rows(rows: Any) -> None:
    if isinstance(rows, Mapping):
        raise DataJointError("insert takes a collection of rows; use insert1 for a single row.")
    if isinstance(rows, (str, bytes)):
        raise DataJointError(f"Invalid insert argument {rows!r}: expected rows (dicts, tuples, a DataFrame or a record array).")


def _shaped_groups(rows: Any, heading: Heading, size: int) -> Iterator[_Shaped]:
    _refuse_non_rows(rows)
    if isinstance(rows, pathlib.PurePath):  # a CSV file with a header line (values are text)
        rows = _csv_rows(rows)
    if _is_frame(rows):
        yield from _frame_groups(rows, heading, size)
        return
    if _is_columnar(rows):
        yield from _columnar_groups(rows, size)
        return
    if getattr(getattr(rows, "dtype", None), "names", None):
        yield from _array_groups(rows, size)
        return
    heading_names = tuple(heading.names)
    first: tuple[str, ...] | None = None
    for chunk in _row_chunks(rows, size):
        for shaped in _row_groups(chunk, heading_names):
            first = shaped.names if first is None else first
            _check_same_fields([first, shaped.names], heading_names)
            yield shaped


# --------------------------------------------------------------------------------------
# 2. check: one column of values against one attribute
# --------------------------------------------------------------------------------------

_NUMPY_NAN_TYPES = frozenset({"float64", "float32", "float16", "longdouble", "datetime64", "timedelta64"})
_FLOAT_KINDS = frozenset({"float32", "float64"})
_NUMBERS = frozenset({int, float, type(None)})
_FLOAT_NAMES = frozenset({"float", "float64", "float32", "float16"})
_NATIVE_FLOAT = ("double", "float", "real")
_PLAIN = frozenset({int, float, str, bytes, bool, decimal.Decimal, uuid.UUID, datetime.date, datetime.datetime,
                    datetime.time, datetime.timedelta})
#: kind -> the value types its fast path accepts as they are
_FAST_TYPES: dict[str, frozenset[type]] = {
    **{kind: frozenset({int}) for kind in INT_RANGES},
    "float32": frozenset({float, int}), "float64": frozenset({float, int}),
    "char": frozenset({str}), "varchar": frozenset({str}), "enum": frozenset({str}),
    "date": frozenset({datetime.date}), "datetime": frozenset({datetime.datetime}), "bool": frozenset({bool}),
    "uuid": frozenset({uuid.UUID}), "bytes": frozenset({bytes}),
    "native": _PLAIN,
}


def _is_missing(value: Any) -> bool:
    """None, NaN (Python or numpy), NaT or pandas NA; safe for arrays and other objects."""
    if value is None:
        return True
    kind = type(value)
    if kind is float or (kind.__module__ == "numpy" and kind.__name__ in _NUMPY_NAN_TYPES):
        return bool(value != value)
    return kind.__name__ in ("NAType", "NaTType")


def _nan_is_value(attr: Attribute, dialect: str) -> bool:
    """Whether a float NaN is stored as NaN rather than as NULL: in PostgreSQL float columns only.

    MySQL and MariaDB have no NaN (they reject it); SQLite binds a NaN as NULL
    (sqlite3VdbeMemSetDouble leaves the value NULL for NaN), so a non-nullable column
    would fail with a NOT NULL error -- here it fails the check, naming the attribute.
    """
    if dialect != "postgresql":
        return False
    kind = attr.type.kind
    return kind in _FLOAT_KINDS or (kind == "native" and attr.type.text.lower().startswith(_NATIVE_FLOAT))


def _python_value(value: Any) -> Any:
    """A numpy scalar as the equivalent Python value; anything else unchanged."""
    # numpy scalars only: ndarray.item() would turn a one-element array into a scalar
    # and fail for others with numpy's own message
    kind = type(value)
    if kind.__module__ == "numpy" and kind.__name__ != "ndarray" and hasattr(value, "item"):
        if kind.__name__ == "datetime64":
            return value.astype("datetime64[us]").item()
        return value.item()
    return value


def _missing_error(attr: Attribute) -> MissingAttributeError:
    return MissingAttributeError(f"Attribute {attr.name!r} is not nullable and has no default; got a missing value.")


def _slow_column(attr: Attribute, values: Sequence[Any], dialect: str, encode: Any = None,
                 keys: Sequence[Mapping[str, Any]] | None = None) -> list[Any]:
    """Check and convert value by value: the general path, and the one that words the errors."""
    encode = encode or encoder_for(attr.type)
    coerce = value_coercer(attr.type)
    keep_nan = _nan_is_value(attr, dialect)
    required = not attr.nullable and attr.default is None
    out = []
    for row, value in enumerate(values):
        # a codec encodes NaN like any value (a <blob> of NaN is not NULL); only None is missing there
        if value is None or (attr.type.kind != "codec" and _is_missing(value)
                             and not (keep_nan and type(value).__name__ in _FLOAT_NAMES)):
            if required:
                raise _missing_error(attr)
            out.append(None)
            continue
        try:
            if encode is not None:
                # codecs see numpy values as they are (a blob keeps their type); stored codecs get the row's key
                value = encode(value) if keys is None else encode(value, keys[row])
            else:
                value = _python_value(value)
                if coerce is not None:
                    value = coerce(value)
        except (ValueError, TypeError, ArithmeticError, OverflowError) as err:
            raise DataJointError(f"Invalid value {value!r} for attribute {attr.name!r} of type {attr.type.text}: {err}.") from None
        out.append(value)
    return out


def _nan_free(present: Sequence[Any], types: set[type], attr: Attribute, dialect: str) -> bool:
    """Whether the float values need no NaN handling: none is NaN, or NaN is a value here."""
    if not types <= _NUMBERS:
        return False
    try:
        total = sum(present)  # a NaN makes the sum NaN (inf - inf too: then the slow path decides)
    except OverflowError:  # an int too large for a float
        return False
    return total == total or _nan_is_value(attr, dialect)


def _in_int_range(attr: Attribute, present: Sequence[Any], types: set[type]) -> bool:
    bound = INT_RANGES[attr.type.kind]
    return -bound <= min(present) and max(present) < bound


def _float_ok(attr: Attribute, present: Sequence[Any], types: set[type]) -> bool:
    # ints in a float column go the slow path: converted (and overflow-checked) one by one
    return int not in types and (attr.type.kind != "float32" or max(map(abs, present)) <= FLOAT32_MAX)


#: kind -> whether the present (non-None) values, all of the fast types, are valid as they are
_FAST_CHECKS: dict[str, Any] = {
    **{kind: _in_int_range for kind in INT_RANGES},
    "float32": _float_ok, "float64": _float_ok,
    "char": lambda attr, present, types: attr.type.length is None or max(map(len, present)) <= attr.type.length,
    "enum": lambda attr, present, types: set(present) <= set(attr.type.values),
}
_FAST_CHECKS["varchar"] = _FAST_CHECKS["char"]


def _fast_column(attr: Attribute, values: Sequence[Any], types: set[type], dialect: str) -> Sequence[Any] | None:
    """``values`` checked with builtins when their types allow it; None sends them down the slow path."""
    kind = attr.type.kind
    allowed = _FAST_TYPES.get(kind, frozenset())
    if kind == "native" and value_coercer(attr.type) is not None:
        allowed = frozenset({bytes})  # native binary columns: bytes only (types.value_coercer checks the rest)
    if not types <= allowed | {type(None)}:
        return None
    has_none = type(None) in types
    present = [v for v in values if v is not None] if has_none else values
    if has_none and not attr.nullable and attr.default is None:
        raise _missing_error(attr)
    if not present:
        return values
    if float in types and not _nan_free(present, types, attr, dialect):
        return None
    check = _FAST_CHECKS.get(kind)
    return values if check is None or check(attr, present, types) else None


def check_column(attr: Attribute, values: Sequence[Any], dialect: str, encode: Any = None,
                 keys: Sequence[Mapping[str, Any]] | None = None) -> Sequence[Any]:
    """The values of one column, checked and converted for ``attr`` on ``dialect``.

    Returns ``values`` itself when nothing needed converting.  Missing values come
    back as None; a missing value for an attribute that is neither nullable nor
    defaulted raises MissingAttributeError, a value of the wrong type DataJointError.
    ``encode`` (a codec column's encoder) is called with each row's key from ``keys``.
    """
    types = set(map(type, values))
    checked = _fast_column(attr, values, types, dialect)
    return checked if checked is not None else _slow_column(attr, values, dialect, encode, keys)


def _codec_options(names: tuple[str, ...], columns: Sequence[Sequence[Any]], heading: Heading,
                   context: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Per codec column: its encoder bound to ``context`` (schema, table, field) and the rows' keys."""
    codec_names = [n for n in names if heading[n].type.kind == "codec"]
    if context is None or not codec_names:
        return {}
    key_columns = [(n, c) for n, c in zip(names, columns) if heading[n].in_key]
    keys = [dict(zip([n for n, _ in key_columns], row)) for row in zip(*[c for _, c in key_columns])]
    if not key_columns:
        keys = [{} for _ in range(len(columns[0]) if columns else 0)]
    return {n: {"encode": encoder_for(heading[n].type, {**context, "field": n}), "keys": keys} for n in codec_names}


# --------------------------------------------------------------------------------------
# shape + check -> batches
# --------------------------------------------------------------------------------------

def _checked_names(names: tuple[str, ...], heading: Heading, ignore_extra_fields: bool) -> list[int]:
    """Positions of the attributes to keep; unknown names raise unless ignored."""
    keep = []
    for position, name in enumerate(names):
        if name in heading:
            keep.append(position)
        elif not ignore_extra_fields:  # a KeyError, as DataJoint raises it, and a DataJointError
            raise errors.KeyError(
                f"Attribute {name!r} is not in the heading of the table; available: {', '.join(heading.names)}. "
                "Pass ignore_extra_fields=True to skip attributes the table does not have."
            )
    if len(set(names[p] for p in keep)) != len(keep):
        raise DataJointError(f"Attribute names repeat in the inserted rows: {', '.join(names)}.")
    return keep


def auto_increments(attr: Attribute) -> bool:
    """Whether the database numbers the attribute itself (native ``auto_increment``, ``serial``)."""
    text = attr.type.text.lower()
    return attr.type.kind == "native" and ("auto_increment" in text or "serial" in text)


def requires_value(attr: Attribute) -> bool:
    """Whether a row must give the attribute: not nullable, no default, not numbered by the database."""
    return not attr.nullable and attr.default is None and not auto_increments(attr)


def _check_required(names: Sequence[str], heading: Heading) -> None:
    present = set(names)
    if not present:
        required = [a.name for a in heading.attributes.values() if requires_value(a)]
        if required:
            raise MissingAttributeError(f"Cannot insert empty row. The following attributes require values: "
                                        f"{', '.join(required)}.")
    for attr in heading.attributes.values():
        if attr.name not in present and requires_value(attr):
            raise MissingAttributeError(f"Missing value for required attribute {attr.name!r}.")


def _split_defaults(batch: Batch, heading: Heading) -> list[Batch]:
    """Rows whose defaulted, non-nullable attributes are None take the default: omit the attribute there."""
    defaulted = [i for i, name in enumerate(batch.names)
                 if heading[name].default is not None and not heading[name].nullable and None in batch.columns[i]]
    if not defaulted:
        return [batch]
    groups: dict[tuple[bool, ...], list[int]] = {}
    for row in range(len(batch)):
        groups.setdefault(tuple(batch.columns[i][row] is None for i in defaulted), []).append(row)
    out = []
    for pattern, rows in groups.items():
        dropped = {i for i, is_none in zip(defaulted, pattern) if is_none}
        keep = [i for i in range(len(batch.names)) if i not in dropped]
        pick = itemgetter(*rows) if len(rows) > 1 else (lambda column, r=rows[0]: (column[r],))
        out.append(Batch(tuple(batch.names[i] for i in keep), [list(pick(batch.columns[i])) for i in keep]))
    return out


def _batches_of(shaped: _Shaped, heading: Heading, dialect: str, ignore_extra_fields: bool,
                context: Mapping[str, Any] | None = None) -> list[Batch]:
    keep = _checked_names(shaped.names, heading, ignore_extra_fields)
    all_kept = len(keep) == len(shaped.names)
    names = shaped.names if all_kept else tuple(shaped.names[p] for p in keep)
    columns = shaped.columns if all_kept else [shaped.columns[p] for p in keep]
    _check_required(names, heading)
    codecs = _codec_options(names, columns, heading, context)
    checked = [check_column(heading[n], column, dialect, **codecs.get(n, {})) for n, column in zip(names, columns)]
    unchanged = all_kept and all(c is o for c, o in zip(checked, columns))
    return _split_defaults(Batch(names, checked, shaped.rows if unchanged else None), heading)


def iter_batches(rows: Any, heading: Heading, dialect: str, *, ignore_extra_fields: bool = False,
                 chunk_rows: int | None = None, context: Mapping[str, Any] | None = None) -> Iterator[Batch]:
    """Checked batches of ``rows`` (any accepted shape), produced one chunk at a time.

    ``context`` (``schema``, ``table``, ``config``) is what codecs that write to stores
    build their paths from.
    """
    for batches in iter_chunks(rows, heading, dialect, ignore_extra_fields=ignore_extra_fields,
                               chunk_rows=chunk_rows, context=context):
        yield from batches


def iter_chunks(rows: Any, heading: Heading, dialect: str, *, ignore_extra_fields: bool = False,
                chunk_rows: int | None = None, context: Mapping[str, Any] | None = None) -> Iterator[list[Batch]]:
    """The checked batches of ``rows``, grouped by chunk: each group holds at most ``chunk_rows`` rows.

    A chunk whose rows come in several shapes (other attribute names) gives one group per shape.
    """
    size = chunk_rows or CHUNK_ROWS
    for shaped in _shaped_groups(rows, heading, size):
        if shaped.columns or shaped.rows:
            yield _batches_of(shaped, heading, dialect, ignore_extra_fields, context)


# --------------------------------------------------------------------------------------
# 3. send: batches -> statements
# --------------------------------------------------------------------------------------

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
    # Only a primary-key conflict is a duplicate to skip: a row violating a secondary unique
    # index still raises DuplicateError (MySQL's ON DUPLICATE KEY cannot tell them apart).
    return statement.on_conflict_do_nothing(index_elements=list(primary_key) or None)


@functools.lru_cache(maxsize=16)
@functools.lru_cache(maxsize=512)
def _compiled_insert(dialect: sa.Dialect, table: sa.Table, names: tuple[str, ...], primary_key: tuple[str, ...],
                     skip_duplicates: bool, replace: bool) -> tuple[str, tuple[int, ...]]:
    """SQL text of the INSERT for ``names`` and the position in ``names`` of each placeholder."""
    statement = insert_statement(table, names, primary_key, dialect.name if dialect.name != "mariadb" else "mysql",
                                 skip_duplicates=skip_duplicates, replace=replace)
    compiled = statement.compile(dialect=positional_dialect(dialect), column_keys=list(names), for_executemany=True)
    keys = [compiled.binds[b].key for b in compiled.positiontup or ()]
    if sorted(keys) != sorted(names):
        raise DataJointError(f"Internal error: INSERT placeholders {keys} do not match the attributes {list(names)}.")
    return compiled.string, tuple(names.index(k) for k in keys)


def _sqlite_default_format(impl: Any, process: Any, kind: type) -> bool:
    """Whether ``process`` is SQLite ``kind``'s own processor with SQLAlchemy's default storage format."""
    return (isinstance(impl, kind) and getattr(impl, "_reg", None) is None
            and impl._storage_format == kind._storage_format
            and process.__qualname__ == f"{kind.__name__}.bind_processor.<locals>.process")


def _map_repeating(function: Any, values: Sequence[Any]) -> list[Any]:
    """``[function(v) for v in values]``, calling ``function`` once per distinct value when values repeat.

    Dates and times in a column repeat often (a session date on every trial); a dict
    lookup is several times cheaper than formatting the same date again.
    """
    distinct = set(values)
    if 2 * len(distinct) > len(values):
        return list(map(function, values))
    formatted = dict(zip(distinct, map(function, distinct)))
    return list(map(formatted.__getitem__, values))


def column_binder(column_type: sa.types.TypeEngine, dialect: sa.Dialect) -> Any:
    """``values -> values`` applying the column type's bind processor, or None when it has none.

    Where the processor provably returns its input, or equals a C-implemented method,
    for every value of the column, that shortcut is taken (checked per column by the
    values' types):

    * SQLAlchemy's ``to_float`` is ``float()``: Python floats pass unchanged;
    * SQLite ``DATE``/``DATETIME`` with SQLAlchemy's default storage format write
      ``%04d-%02d-%02d`` and ``%04d-%02d-%02d %02d:%02d:%02d.%06d``: exactly
      ``date.isoformat()`` and, for naive datetimes, ``isoformat(" ", "microseconds")``.
    """
    impl = column_type.dialect_impl(dialect)
    process = impl.bind_processor(dialect)
    if process is None:
        return None
    shortcut: tuple[type, Any] | None = None
    if process is to_float:
        shortcut = (float, None)
    elif dialect.name == "sqlite" and _sqlite_default_format(impl, process, sqlite.DATE):
        shortcut = (datetime.date, datetime.date.isoformat)
    elif dialect.name == "sqlite" and _sqlite_default_format(impl, process, sqlite.DATETIME):
        shortcut = (datetime.datetime, methodcaller("isoformat", " ", "microseconds"))

    def bind(values: Sequence[Any]) -> Sequence[Any]:
        if shortcut is not None and set(map(type, values)) == {shortcut[0]}:
            if shortcut[1] is None:
                return values
            if shortcut[0] is not datetime.datetime or set(map(attrgetter("tzinfo"), values)) == {None}:
                return _map_repeating(shortcut[1], values)
        return list(map(process, values))

    return bind


class InsertPlan:
    """Sends batches into one table: bind processing, statement choice, execution."""

    def __init__(self, table: sa.Table, primary_key: Sequence[str], dialect: sa.Dialect, *,
                 skip_duplicates: bool = False, replace: bool = False) -> None:
        self.table = table
        self.primary_key = tuple(primary_key)
        self.dialect = dialect
        self.dialect_name = "mysql" if dialect.name == "mariadb" else dialect.name
        self.skip_duplicates = skip_duplicates
        self.replace = replace
        self._binders: dict[str, Any] = {}

    def _binder(self, name: str) -> Any:
        if name not in self._binders:
            self._binders[name] = column_binder(self.table.c[name].type, self.dialect)
        return self._binders[name]

    def uses_copy(self, batch: Batch) -> bool:
        threshold = COPY_THRESHOLD
        return (self.dialect_name == "postgresql" and threshold is not None and len(batch) >= threshold
                and not (self.skip_duplicates or self.replace))

    def bound_rows(self, batch: Batch, order: Sequence[int]) -> Sequence[Sequence[Any]]:
        """Rows as the driver takes them: bind processors applied, columns in ``order``."""
        columns = list(batch.columns)
        changed = False
        for i, name in enumerate(batch.names):
            bind = self._binder(name)
            if bind is not None:
                columns[i] = bind(columns[i])
                changed = changed or columns[i] is not batch.columns[i]
        if not changed and tuple(order) == tuple(range(len(batch.names))):
            return batch.tuples()
        return RowView([columns[i] for i in order])

    def send(self, conn: sa.Connection, batch: Batch) -> None:
        """Insert one batch on ``conn`` (inside the caller's transaction)."""
        if not batch.names:  # rows of defaults only (checked: every attribute has one), one statement each
            statement = self.defaults_sql()
            for _ in range(len(batch)):
                conn.exec_driver_sql(statement)
            return
        if self.uses_copy(batch):
            rows = self.bound_rows(batch, range(len(batch.names)))
            statement = self.copy_sql(batch.names)

            def work(cursor: Any) -> None:
                with cursor.copy(statement) as copy:
                    write = copy.write_row
                    for row in rows:
                        write(row)
        else:
            statement, order = _compiled_insert(self.dialect, self.table, batch.names, self.primary_key,
                                                self.skip_duplicates, self.replace)
            rows = self.bound_rows(batch, order)

            def work(cursor: Any) -> None:
                if len(rows) == 1:  # one row (as make() often inserts): execute is one round trip, no batching
                    cursor.execute(statement, rows[0])
                else:
                    cursor.executemany(statement, rows)
        self._on_cursor(conn, statement, work)

    def defaults_sql(self) -> str:
        """An INSERT of one row of default values: ``DEFAULT VALUES``, on MySQL ``() VALUES ()``.

        Composed as text like copy_sql: SQLAlchemy's own empty INSERT warns about a key
        column it does not know the database numbers (``auto_increment``).
        """
        table = self.dialect.identifier_preparer.format_table(self.table)
        return f"INSERT INTO {table} () VALUES ()" if self.dialect_name == "mysql" else f"INSERT INTO {table} DEFAULT VALUES"

    def copy_sql(self, names: Sequence[str]) -> str:
        """``COPY table (columns) FROM STDIN``.

        SQLAlchemy has no COPY construct, so this one statement is composed as text --
        from the dialect's identifier preparer, which quotes the table and column names
        exactly as SQLAlchemy's own INSERT would.  No value is ever part of the text.
        """
        preparer = self.dialect.identifier_preparer
        columns = ", ".join(preparer.quote(n) for n in names)
        return f"COPY {preparer.format_table(self.table)} ({columns}) FROM STDIN"

    def _on_cursor(self, conn: sa.Connection, statement: str, work: Any) -> None:
        on_cursor(conn, self.dialect, statement, work)

