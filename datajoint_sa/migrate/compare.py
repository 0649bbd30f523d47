"""Whether a reflected column already has a declared column's type and default.

Each database reports types and defaults in its own spelling (display widths,
casts, synonyms, SQLite's type-affinity guesses); these functions compare them
as values, so that a table right after declaration differs in nothing.
"""

from __future__ import annotations

import decimal
import re

import sqlalchemy as sa

#: Key of ``Column.info`` holding the type as the database wrote it (SQLite, whose reflected types are guesses).
SQL_TYPE = "datajoint_sql_type"

__all__ = ["SQL_TYPE", "type_text", "same_type", "same_default", "normal_default", "enum_check_column"]


_DISPLAY_WIDTH = re.compile(r"^((?:TINY|SMALL|MEDIUM|BIG)?INT(?:EGER)?)\(\d+\)")
_MYSQL_ALIASES = {"JSON": "LONGTEXT"}  # MariaDB's JSON is LONGTEXT with a json_valid() check
_SYNONYMS = {"INT": "INTEGER", "DOUBLE": "DOUBLE PRECISION", "FLOAT8": "DOUBLE PRECISION", "BOOL": "BOOLEAN",
             "NUMERIC": "DECIMAL", "TIMESTAMP WITHOUT TIME ZONE": "TIMESTAMP", "CHARACTER VARYING": "VARCHAR"}


def type_text(type_: sa.types.TypeEngine, dialect: sa.Dialect, written: str | None = None) -> str:
    """The SQL type in a normal form for comparison; ``written`` is the type as the database records it."""
    if written is not None:
        text = written
    else:
        try:
            text = type_.compile(dialect=dialect)
        except sa.exc.CompileError:  # a type SQLAlchemy did not recognise when reflecting
            return type(type_).__name__.upper()
    text = re.sub(r"\s+", " ", text.upper().strip())
    text = re.sub(r" COLLATE .*$| CHARACTER SET \S+", "", text)
    text = _DISPLAY_WIDTH.sub(r"\1", text)
    text = re.sub(r"\(\s*(\d+)\s*,\s*(\d+)\s*\)", r"(\1,\2)", text)
    if dialect.name in ("mysql", "mariadb"):
        text = _MYSQL_ALIASES.get(text, text)
    head, paren, rest = text.partition("(")
    return _SYNONYMS.get(head.strip(), head.strip()) + paren + rest


def same_type(reflected: sa.Column, declared: sa.Column, dialect: sa.Dialect) -> bool:
    """Whether the database column already has the declared column's SQL type."""
    if isinstance(declared.type, sa.Enum) or isinstance(reflected.type, sa.Enum):
        if _enum_values(reflected) != _enum_values(declared):
            return False
        if dialect.name == "postgresql":
            return getattr(reflected.type, "name", None) == getattr(declared.type, "name", None)
        if dialect.name != "sqlite":
            return True
    written = reflected.info.get(SQL_TYPE)
    return type_text(reflected.type, dialect, written) == type_text(declared.type, dialect)


_QUOTED = re.compile(r"'((?:[^']|'')*)'")


def _enum_values(column: sa.Column) -> tuple[str, ...]:
    """The values of an enum column: from its type, or (SQLite) from the CHECK constraint on it."""
    values = getattr(column.type, "enums", None)
    if values:
        return tuple(values)
    for constraint in getattr(column.table, "constraints", ()):
        if enum_check_column(constraint) == column.name:
            return tuple(v.replace("''", "'") for v in _QUOTED.findall(str(constraint.sqltext)))
    return ()


_ENUM_CHECK = re.compile(r"^\W*(?P<name>\w+)\W*\s+IN\s*\(", re.I)


def enum_check_column(constraint: object) -> str | None:
    """The column whose enum values a CHECK constraint lists (``x IN ('a', 'b')``, as SQLite enums are made)."""
    if not isinstance(constraint, sa.CheckConstraint):
        return None
    match = _ENUM_CHECK.match(str(constraint.sqltext))
    return match["name"] if match else None


_CAST = re.compile(r"::[\w\s\".\[\]]+$")


def _default_text(default: object, dialect: sa.Dialect) -> str | None:
    if default is None:
        return None
    arg = getattr(default, "arg", default)
    if isinstance(arg, str):
        text = arg
        literal = True
    else:
        text = str(arg.compile(dialect=dialect)) if isinstance(arg, sa.sql.ClauseElement) else str(arg)
        literal = False
    text = normal_default(text, quoted=literal)
    # DEFAULT NULL is what a column without a default holds; databases differ in recording it
    return None if not literal and text.lower() == "null" else text


def normal_default(text: str, *, quoted: bool) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    text = _CAST.sub("", text).strip()
    if not quoted and len(text) >= 2 and text[0] == text[-1] == "'":
        text = text[1:-1].replace("''", "'")
    lowered = text.lower()
    if lowered in ("true", "false"):
        return "1" if lowered == "true" else "0"
    if lowered.startswith(("current_timestamp", "now()", "localtimestamp", "strftime")):
        lowered = lowered.replace("now()", "current_timestamp").replace("localtimestamp", "current_timestamp")
        return re.sub(r"\s+|(?<=current_timestamp)\(\)", "", lowered)
    try:
        return str(decimal.Decimal(text).normalize())
    except decimal.InvalidOperation:
        return text


def same_default(reflected: sa.Column, declared: sa.Column, dialect: sa.Dialect) -> bool:
    """Whether the database column's default equals the declared one (as values, not as text).

    ``DEFAULT NULL`` is no default: PostgreSQL does not record it.
    """
    def text(column: sa.Column) -> str | None:
        found = _default_text(column.server_default, dialect)
        return None if found is not None and found.lower() == "null" else found

    return text(reflected) == text(declared)
