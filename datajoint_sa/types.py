"""DataJoint attribute types and their SQLAlchemy column types.

A type written in a definition (``int32``, ``decimal(6,2)``, ``enum('a','b')``,
``<blob>``, or a native SQL type such as ``smallint unsigned``) is parsed once into
an :class:`AttributeType`.  Core types map to one column type per backend, chosen
to match the layout DataJoint 2.x creates, so either library opens the other's
tables.  Core and codec types are recorded in the column comment as ``:type:``.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.ext.compiler import compiles

from .errors import DataJointError

__all__ = ["AttributeType", "parse_type", "column_type", "NativeType", "enum_type_name", "value_coercer",
           "PORTABLE_NATIVE", "portable_spelling", "native_comment_tag"]

CORE_PATTERNS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.I)
    for name, pattern in {
        "int8": r"int8",
        "int16": r"int16",
        "int32": r"int32",
        "int64": r"int64",
        "float32": r"float32",
        "float64": r"float64",
        "bool": r"bool(ean)?",
        "uuid": r"uuid",
        "json": r"jsonb?",
        "bytes": r"bytes",
        "date": r"date",
        "datetime": r"datetime(\s*\(\s*(?P<precision>\d+)\s*\))?",
        "char": r"char\s*\(\s*(?P<length>\d+)\s*\)",
        "varchar": r"varchar\s*\(\s*(?P<length>\d+)\s*\)",
        "enum": r"enum\s*\((?P<values>.+)\)",
        "decimal": r"decimal\s*\(\s*(?P<precision>\d+)\s*,\s*(?P<scale>\d+)\s*\)",
    }.items()
}

# Native SQL types passed through as written, by category; the first that matches wins.
NATIVE_CATEGORIES: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.I)
    for name, pattern in {
        "integer": r"(((tiny|small|medium|big)?int|integer)(\s*\(\d+\))?(\s+unsigned)?(\s+auto_increment)?"
                   r"|serial|bigserial)",
        "numeric": r"(decimal|numeric|dec|fixed)(\s*\(\s*\d+\s*(,\s*\d+\s*)?\))?(\s+unsigned)?(\s+zerofill)?",
        "float": r"(double(\s+precision)?|float|real)(\s*\(.+\))?(\s+unsigned)?",
        "string": r"(var)?char\s*\(.+\)|(var)?binary\s*\(\d+\)|character\s+varying\s*\(\d+\)",
        "temporal": r"(time|timestamp|year)(\s*\(\d+\))?|timestamptz|interval",
        "native_blob": r"(tiny|small|medium|long)?blob|bytea",
        "native_text": r"(tiny|small|medium|long)?text",
        "bit": r"bit(\s*\(\d+\))?|boolean",
    }.items()
}
NATIVE_PATTERNS = list(NATIVE_CATEGORIES.values())

CODEC_PATTERN = re.compile(r"<\s*(?P<name>[a-z_][a-z0-9_]*)\s*(@\s*(?P<store>[a-z0-9_\-]*)\s*)?>", re.I)

# A single-quoted ('it''s') or, as DataJoint 0.14 code writes them, double-quoted ("Present") enum value.
ENUM_VALUE = re.compile(r"""\s*(?:'(?P<single>(?:[^'\\]|\\.|'')*)'|"(?P<double>(?:[^"\\]|\\.|"")*)")\s*(,|$)""")


@dataclass(frozen=True)
class AttributeType:
    """A parsed attribute type.

    ``kind`` is the core type name (``int32``, ``varchar``, ``enum`` ...), ``"codec"``
    for ``<name>`` types, or ``"native"`` for SQL types passed through as written.
    """

    text: str
    kind: str
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    values: tuple[str, ...] = ()
    codec: str | None = None
    store: str | None = None

    @property
    def is_core(self) -> bool:
        return self.kind not in ("native", "codec")

    @property
    def comment_tag(self) -> str | None:
        """What DataJoint 2.x writes between colons at the start of the column comment."""
        return None if self.kind == "native" else self.text

    @property
    def is_numeric(self) -> bool:
        return self.kind.startswith(("int", "float")) or self.kind in ("decimal", "bool")


def _enum_parts(text: str) -> tuple[tuple[str, ...], bool]:
    """The values of an enum's value list, and whether any was written in double quotes."""
    values, pos, double_quoted = [], 0, False
    while pos < len(text):
        match = ENUM_VALUE.match(text, pos)
        if not match:
            raise DataJointError(f"Malformed enum values: {text!r}; write enum('a', 'b').")
        if match["single"] is not None:
            values.append(match["single"].replace("''", "'").replace("\\'", "'"))
        else:
            values.append(match["double"].replace('""', '"').replace('\\"', '"'))
            double_quoted = True
        pos = match.end()
    if not values:
        raise DataJointError("An enum needs at least one value.")
    return tuple(values), double_quoted


def _enum_values(text: str) -> tuple[str, ...]:
    return _enum_parts(text)[0]


def parse_type(text: str) -> AttributeType:
    """Parse the type part of an attribute line; raise DataJointError if unsupported."""
    text = text.strip()
    for kind, pattern in CORE_PATTERNS.items():
        match = pattern.fullmatch(text)
        if not match:
            continue
        groups = match.groupdict()
        if kind == "enum":
            values, double_quoted = _enum_parts(groups["values"])
            if double_quoted:  # written the 0.14 way: recorded in the single-quoted form 2.x writes
                text = "enum(" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + ")"
            return AttributeType(text, kind, values=values)
        return AttributeType(
            text if kind not in ("bool", "json") else kind,
            kind,
            length=int(groups["length"]) if groups.get("length") else None,
            precision=int(groups["precision"]) if groups.get("precision") else None,
            scale=int(groups["scale"]) if groups.get("scale") else None,
        )
    match = CODEC_PATTERN.fullmatch(text)
    if match:
        return AttributeType(text, "codec", codec=match["name"], store=match["store"])
    if any(p.fullmatch(text) for p in NATIVE_PATTERNS):
        return AttributeType(text, "native")
    raise DataJointError(f"Unsupported attribute type {text}")


def enum_type_name(values: tuple[str, ...]) -> str:
    """Name of the PostgreSQL enum type for these values, as DataJoint 2.x names it."""
    return "enum_" + hashlib.md5("_".join(sorted(values)).encode()).hexdigest()[:8]


class NativeType(sa.types.UserDefinedType):
    """A SQL type passed through to DDL exactly as the user wrote it."""

    cache_ok = True

    def __init__(self, spec: str) -> None:
        self.spec = spec

    def get_col_spec(self, **kw: Any) -> str:
        return self.spec


class Bool(sa.types.TypeDecorator):
    """Boolean stored as BOOLEAN, or as TINYINT on MySQL (DataJoint 2.x layout); read as bool."""

    impl = sa.Boolean
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.TINYINT())
        return dialect.type_descriptor(sa.Boolean(create_constraint=False))

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        return int(bool(value)) if dialect.name in ("mysql", "mariadb") else bool(value)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Any:
        return None if value is None else bool(value)


class BinaryUuid(sa.types.TypeDecorator):
    """UUID as native ``uuid`` on PostgreSQL and as 16 raw bytes elsewhere (DataJoint 2.x layout)."""

    impl = sa.LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.UUID(as_uuid=True))
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.BINARY(16))
        return dialect.type_descriptor(sa.BINARY(16))

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        value = to_uuid(value)
        return value if dialect.name == "postgresql" else value.bytes

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Any:
        if value is None or isinstance(value, uuid.UUID):
            return value
        return uuid.UUID(bytes=bytes(value))


class TextJSON(sa.JSON):
    """JSON whose SQLite column is declared ``JSON_TEXT``, a name with TEXT affinity.

    A column declared ``JSON`` has NUMERIC affinity in SQLite, which turns the stored
    text ``1.0`` into the integer 1 and ``12345678901234567890123`` into a float
    (https://www.sqlite.org/datatype3.html#determination_of_column_affinity).
    """

    cache_ok = True


@compiles(TextJSON, "sqlite")
def _sqlite_json_text(type_: TextJSON, compiler: Any, **kw: Any) -> str:
    return "JSON_TEXT"


def _enum_column_type(attr: AttributeType, dialect: str, schema: str | None) -> sa.types.TypeEngine:
    if dialect == "postgresql":
        return postgresql.ENUM(*attr.values, name=enum_type_name(attr.values), schema=schema, create_type=False)
    if dialect in ("mysql", "mariadb"):
        return mysql.ENUM(*attr.values)
    return sa.Enum(*attr.values, native_enum=False, create_constraint=True, validate_strings=False,
                   length=max(len(v) for v in attr.values))


def _datetime_type(attr: AttributeType, dialect: str) -> sa.types.TypeEngine:
    if dialect == "postgresql":
        return postgresql.TIMESTAMP(precision=attr.precision)
    if dialect in ("mysql", "mariadb"):
        return mysql.DATETIME(fsp=attr.precision)
    return sa.DateTime()


_FIXED: dict[str, dict[str, Callable[[], sa.types.TypeEngine]]] = {
    # core type -> {dialect or "*": factory}
    "int8": {"mysql": mysql.TINYINT, "*": sa.SmallInteger},
    "int16": {"*": sa.SmallInteger},
    "int32": {"mysql": mysql.INTEGER, "*": sa.Integer},
    "int64": {"*": sa.BigInteger},
    "float32": {"mysql": mysql.FLOAT, "*": sa.REAL},
    "float64": {"*": sa.Double},
    "bool": {"*": Bool},
    "uuid": {"*": BinaryUuid},
    "json": {"postgresql": lambda: postgresql.JSONB(none_as_null=True), "mysql": lambda: mysql.JSON(none_as_null=True),
             "*": lambda: TextJSON(none_as_null=True)},
    "bytes": {"mysql": mysql.LONGBLOB, "*": sa.LargeBinary},
    "date": {"*": sa.Date},
}


class WideUnsigned(sa.types.TypeDecorator):
    """``bigint unsigned`` off MySQL: NUMERIC(20,0) on PostgreSQL (no wider integer), BIGINT on SQLite; read as int."""

    impl = sa.Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(sa.Numeric(20, 0, asdecimal=True))
        return dialect.type_descriptor(sa.BigInteger())

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite" and int(value) >= 1 << 63:
            raise DataJointError(f"bigint unsigned value {value} is out of range on SQLite, whose integers "
                                 "are 64-bit signed (largest 2^63 - 1).")
        return int(value)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Any:
        return None if value is None else int(value)


class TextDateTime(sa.types.TypeDecorator):
    """DATETIME that also binds ISO strings (``'2024-05-06 07:08:09'``), as servers do; SQLite's DateTime takes datetimes only."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        return None if value is None else _to_datetime(value)


@dataclass(frozen=True)
class NativeSpelling:
    """How one MySQL spelling (as DataJoint 0.14 code writes it) is stored where MySQL's types do not exist.

    ``factory`` makes the portable column type from the spelling's match; ``bounds`` is the
    half-open range of an integer type's values (checked on insert on every backend, as
    MySQL's strict mode checks it), None for non-integers.
    """

    pattern: re.Pattern[str]
    factory: Callable[[re.Match[str]], sa.types.TypeEngine]
    bounds: tuple[int, int] | None = None
    native_on: frozenset[str] = frozenset({"mysql"})  # backends that take the spelling as written


def _spelling(pattern: str, factory: Callable[[re.Match[str]], sa.types.TypeEngine],
              bounds: tuple[int, int] | None = None, also_native_on: tuple[str, ...] = ()) -> NativeSpelling:
    return NativeSpelling(re.compile(pattern, re.I), factory, bounds, frozenset({"mysql", *also_native_on}))


_WIDTH = r"(\s*\(\s*\d+\s*\))?"  # an integer display width, int(11): ignored, as MySQL 8 ignores it
_UNSIGNED = _WIDTH + r"\s+unsigned"

#: MySQL spellings -> portable column types on SQLite and PostgreSQL; on MySQL every native type stays as written.
#: Unsigned integers take the next wider signed integer (no CHECK constraint: the range is checked on insert).
#: The first pattern that matches the whole type wins.
PORTABLE_NATIVE: tuple[NativeSpelling, ...] = (
    _spelling(r"tinyint" + _UNSIGNED, lambda m: sa.SmallInteger(), (0, 1 << 8)),
    _spelling(r"tinyint" + _WIDTH, lambda m: sa.SmallInteger(), (-(1 << 7), 1 << 7)),
    _spelling(r"smallint" + _UNSIGNED, lambda m: sa.Integer(), (0, 1 << 16)),
    _spelling(r"mediumint" + _UNSIGNED, lambda m: sa.Integer(), (0, 1 << 24)),
    _spelling(r"mediumint" + _WIDTH, lambda m: sa.Integer(), (-(1 << 23), 1 << 23)),
    _spelling(r"(int|integer)" + _UNSIGNED, lambda m: sa.BigInteger(), (0, 1 << 32)),
    _spelling(r"bigint" + _UNSIGNED, lambda m: WideUnsigned(), (0, 1 << 64)),
    # signed types PostgreSQL knows, but not with a display width: int(11)
    _spelling(r"smallint\s*\(\s*\d+\s*\)", lambda m: sa.SmallInteger(), (-(1 << 15), 1 << 15)),
    _spelling(r"(int|integer)\s*\(\s*\d+\s*\)", lambda m: sa.Integer(), (-(1 << 31), 1 << 31)),
    _spelling(r"bigint\s*\(\s*\d+\s*\)", lambda m: sa.BigInteger(), (-(1 << 63), 1 << 63)),
    _spelling(r"double", lambda m: sa.Double()),
    # PostgreSQL takes double precision, float (as double precision), text and timestamp as written, as for 2.x code
    _spelling(r"double\s+precision", lambda m: sa.Double(), also_native_on=("postgresql",)),
    _spelling(r"float", lambda m: sa.Float(), also_native_on=("postgresql",)),
    _spelling(r"(tiny|medium|long)?blob", lambda m: sa.LargeBinary()),
    _spelling(r"(tiny|medium|long)text", lambda m: sa.Text()),
    _spelling(r"text", lambda m: sa.Text(), also_native_on=("postgresql",)),
    _spelling(r"timestamp(\s*\(\s*\d\s*\))?", lambda m: TextDateTime(), also_native_on=("postgresql",)),
    _spelling(r"(decimal|numeric)\s*\(\s*(?P<p>\d+)\s*,\s*(?P<s>\d+)\s*\)\s+unsigned",
              lambda m: sa.Numeric(int(m["p"]), int(m["s"]), asdecimal=True)),
)


def portable_spelling(attr: AttributeType, dialect: str | None = None) -> tuple[NativeSpelling, re.Match[str]] | None:
    """The entry of :data:`PORTABLE_NATIVE` a native type matches, with its match; None for other types.

    With ``dialect``, None also where that backend takes the spelling as written.
    """
    if attr.kind != "native":
        return None
    text = attr.text.strip()
    dialect = "mysql" if dialect == "mariadb" else dialect
    for entry in PORTABLE_NATIVE:
        match = entry.pattern.fullmatch(text)
        if match:
            return None if dialect in entry.native_on else (entry, match)
    return None


def native_comment_tag(attr: AttributeType, dialect: str) -> str | None:
    """The ``:type:`` tag of an attribute on ``dialect``.

    A MySQL spelling stored as a portable type (off MySQL) is tagged with its spelling, so
    the table read back describes itself as declared; elsewhere this is ``attr.comment_tag``.
    """
    if portable_spelling(attr, dialect) is not None:
        return attr.text.strip()
    return attr.comment_tag


def column_type(attr: AttributeType, dialect: str, schema: str | None = None,
                storage: AttributeType | None = None) -> sa.types.TypeEngine:
    """The SQLAlchemy column type of ``attr`` on ``dialect`` (``sqlite``, ``postgresql``, ``mysql``).

    ``storage`` is the resolved storage type for codec attributes.
    """
    dialect = "mysql" if dialect == "mariadb" else dialect
    kind = attr.kind
    if kind == "codec":
        if storage is None:
            raise DataJointError(f"Codec type {attr.text} has no storage type.")
        return column_type(storage, dialect, schema)
    if kind == "native":
        portable = portable_spelling(attr, dialect)
        return portable[0].factory(portable[1]) if portable else NativeType(attr.text)
    if kind in _FIXED:
        factories = _FIXED[kind]
        return factories.get(dialect, factories["*"])()
    if kind == "decimal":
        return sa.Numeric(attr.precision, attr.scale, asdecimal=True)
    if kind == "char":
        return sa.CHAR(attr.length)
    if kind == "varchar":
        return sa.String(attr.length)
    if kind == "enum":
        return _enum_column_type(attr, dialect, schema)
    if kind == "datetime":
        return _datetime_type(attr, dialect)
    raise DataJointError(f"No column type for {attr.text}")  # pragma: no cover - parse_type guards this


# --------------------------------------------------------------------------------------
# Value coercion: what insert accepts for each type, checked before anything is sent.
# --------------------------------------------------------------------------------------

def to_uuid(value: Any) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)) and len(value) == 16:
        return uuid.UUID(bytes=bytes(value))
    return uuid.UUID(str(value))


def _to_int(value: Any) -> int:
    if isinstance(value, str):
        return int(value.strip())
    if isinstance(value, (float, decimal.Decimal)) or type(value).__name__.startswith("float"):
        if not float(value).is_integer():
            raise ValueError("not a whole number")
    return int(value)  # numpy integers, bools and whole floats convert exactly


def _to_float(value: Any) -> float:
    return float(value)


def _to_decimal(value: Any) -> decimal.Decimal:
    if isinstance(value, decimal.Decimal):
        return value
    if isinstance(value, float):
        return decimal.Decimal(repr(value))
    return decimal.Decimal(str(value).strip())


def _to_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date()
    if type(value).__name__ == "datetime64":
        return datetime.date.fromisoformat(str(value)[:10])
    return datetime.date.fromisoformat(str(value).strip()[:10])


def _to_datetime(value: Any) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day)
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    if type(value).__name__ == "datetime64":
        return datetime.datetime.fromisoformat(str(value)[:26])
    return datetime.datetime.fromisoformat(str(value).strip())


def _to_bool(value: Any) -> bool:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise ValueError("not a boolean")
    if isinstance(value, (int, float)) or type(value).__name__.startswith(("bool", "int", "float")):
        if value in (0, 1):
            return bool(value)
        raise ValueError("not 0 or 1")
    raise ValueError("not a boolean")


def _to_bytes(value: Any) -> bytes:
    """Raw bytes as they are; anything else is refused, naming the codec that would serialize it.

    ``bytes`` and the native binary types (``longblob``, ``bytea`` ...) store raw bytes only
    (spec type-system.md); an array or other object is not serialized silently.
    """
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"bytes and any native binary type store raw bytes only, got {type(value).__name__}; declare the attribute "
                    "as <blob> to store arrays and other Python objects, or pass bytes")


_NATIVE_BINARY = re.compile(r"((tiny|small|medium|long)?blob|bytea|(var)?binary\s*\(\d+\))", re.I)


def _to_json(value: Any) -> Any:
    json.dumps(value)  # raises TypeError for values JSON cannot hold
    return value


def _string_coercer(attr: AttributeType) -> Callable[[Any], Any]:
    limit = attr.length

    def coerce(value: Any) -> str:
        if not isinstance(value, str):
            if isinstance(value, (bytes, bytearray)) or value is ... or isinstance(value, (dict, list)):
                raise ValueError("not a string")
            value = str(value)
        if limit is not None and len(value) > limit:
            raise ValueError(f"longer than {limit} characters")
        return value

    return coerce


def _enum_coercer(attr: AttributeType) -> Callable[[Any], Any]:
    allowed = set(attr.values)

    def coerce(value: Any) -> str:
        value = str(value)
        if value not in allowed:
            raise ValueError(f"not one of {', '.join(map(repr, attr.values))}")
        return value

    return coerce


_COERCERS: dict[str, Callable[[Any], Any]] = {
    "int8": _to_int, "int16": _to_int, "int32": _to_int, "int64": _to_int,
    "float32": _to_float, "float64": _to_float,
    "decimal": _to_decimal, "bool": _to_bool, "uuid": to_uuid, "json": _to_json,
    "bytes": _to_bytes, "date": _to_date, "datetime": _to_datetime,
}

INT_RANGES = {"int8": 1 << 7, "int16": 1 << 15, "int32": 1 << 31, "int64": 1 << 63}


def _ranged(kind: str, convert: Callable[[Any], int]) -> Callable[[Any], int]:
    bound = INT_RANGES[kind]

    def coerce(value: Any) -> int:
        number = convert(value)
        if not -bound <= number < bound:
            raise ValueError(f"out of range for {kind}")
        return number

    return coerce


FLOAT32_MAX = 3.4028234663852886e38


def _float32(value: Any) -> float:
    number = _to_float(value)
    if abs(number) > FLOAT32_MAX and number not in (float("inf"), float("-inf")):
        raise ValueError("out of range for float32")
    return number


def _decimal_coercer(attr: AttributeType) -> Callable[[Any], decimal.Decimal]:
    # The servers round to the scale, then refuse values with too many whole digits
    # (PostgreSQL "numeric field overflow", MySQL error 1264); SQLite would store them as given.
    whole_digits = (attr.precision or 10) - (attr.scale or 0)
    step = decimal.Decimal(1).scaleb(-(attr.scale or 0))

    def coerce(value: Any) -> decimal.Decimal:
        number = _to_decimal(value)
        if not number.is_finite():
            raise ValueError("not a finite number")
        if number.adjusted() > whole_digits:  # far too large: no need to round (nor the digits to do it)
            raise ValueError(f"out of range for {attr.text}")
        context = decimal.Context(prec=whole_digits + (attr.scale or 0) + 2)
        rounded = number.quantize(step, rounding=decimal.ROUND_HALF_UP, context=context)
        if rounded.adjusted() >= whole_digits and rounded != 0:
            raise ValueError(f"out of range for {attr.text}")
        return number

    return coerce


def value_coercer(attr: AttributeType) -> Callable[[Any], Any] | None:
    """A function that checks and converts one non-null value for ``attr``, or None to pass it as is.

    The function raises ValueError/TypeError for a value of the wrong type; the
    caller turns that into a DataJointError naming the attribute.
    """
    if attr.kind in INT_RANGES:
        return _ranged(attr.kind, _to_int)
    if attr.kind == "decimal":
        return _decimal_coercer(attr)
    if attr.kind == "float32":
        return _float32
    if attr.kind in _COERCERS:
        return _COERCERS[attr.kind]
    if attr.kind in ("char", "varchar"):
        return _string_coercer(attr)
    if attr.kind == "enum":
        return _enum_coercer(attr)
    if attr.kind == "native" and _NATIVE_BINARY.fullmatch(attr.text.strip()):
        return _to_bytes
    portable = portable_spelling(attr)
    if portable is not None and portable[0].bounds is not None:
        return _bounded(attr.text.strip(), portable[0].bounds)
    if portable is not None and portable[1].groupdict().get("p"):  # decimal(m,n) unsigned
        return _unsigned_decimal(_decimal_coercer(AttributeType(attr.text, "decimal", precision=int(portable[1]["p"]),
                                                                scale=int(portable[1]["s"]))))
    return None


def _bounded(spelling: str, bounds: tuple[int, int]) -> Callable[[Any], int]:
    low, high = bounds

    def coerce(value: Any) -> int:
        number = _to_int(value)
        if not low <= number < high:
            raise ValueError(f"out of range for {spelling} ({low} to {high - 1})")
        return number

    return coerce


def _unsigned_decimal(convert: Callable[[Any], decimal.Decimal]) -> Callable[[Any], decimal.Decimal]:
    def coerce(value: Any) -> decimal.Decimal:
        number = convert(value)
        if number < 0:
            raise ValueError("negative, for an unsigned decimal")
        return number

    return coerce
