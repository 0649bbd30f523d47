"""Type categories: which kind of type a definition's type string is.

DataJoint 2.x sorts every attribute type into a category: a core type (``INT32``,
``VARCHAR``, ``ENUM`` ...; recorded in the column comment as ``:type:``), a codec
(``CODEC``: ``<blob>``, ``<attach@store>``) or a native SQL type passed through as
written (``INTEGER``, ``NUMERIC``, ``FLOAT``, ``STRING``, ``TEMPORAL``,
``NATIVE_BLOB``, ``NATIVE_TEXT``, ``BIT``).  The patterns are those of
:mod:`datajoint_sa.types`, which parses the same strings.
"""

from __future__ import annotations

import re
from types import MappingProxyType

from ..errors import DataJointError
from ..types import CODEC_PATTERN, CORE_PATTERNS, NATIVE_CATEGORIES

__all__ = ["CORE_TYPES", "CORE_TYPE_SQL", "TYPE_PATTERN", "SPECIAL_TYPES", "NATIVE_TYPES", "match_type"]

#: Core type name -> the pattern its spellings match (``datetime(3)``, ``varchar(32)`` ...).
CORE_TYPES: MappingProxyType[str, re.Pattern[str]] = MappingProxyType(dict(CORE_PATTERNS))

#: Core type name -> the MySQL column type that stores it; None where the SQL type is spelled as the core type.
CORE_TYPE_SQL: MappingProxyType[str, str | None] = MappingProxyType({
    "int8": "tinyint", "int16": "smallint", "int32": "int", "int64": "bigint",
    "float32": "float", "float64": "double", "bool": "tinyint", "uuid": "binary(16)", "bytes": "longblob",
    "json": None, "date": None, "datetime": None, "char": None, "varchar": None, "enum": None, "decimal": None,
})

#: Category name -> pattern, core types first (so ``date`` is DATE, not TEMPORAL), then codecs, then natives.
TYPE_PATTERN: MappingProxyType[str, re.Pattern[str]] = MappingProxyType({
    **{name.upper(): pattern for name, pattern in CORE_PATTERNS.items()},
    "CODEC": CODEC_PATTERN,
    **{name.upper(): pattern for name, pattern in NATIVE_CATEGORIES.items()},
})

#: Categories recorded in the column comment as ``:type:`` (core types and codecs).
SPECIAL_TYPES: frozenset[str] = frozenset({name.upper() for name in CORE_PATTERNS} | {"CODEC"})

#: Categories of native SQL types, passed to the server as written.
NATIVE_TYPES: frozenset[str] = frozenset(TYPE_PATTERN) - SPECIAL_TYPES


def match_type(attribute_type: str) -> str:
    """The category of a type string (``"int32"`` -> ``"INT32"``, ``"int unsigned"`` -> ``"INTEGER"``).

    The whole string must match, so a misspelling (``int24``, ``serialize``) is refused
    here with DataJointError rather than reaching the server as SQL.
    """
    if not isinstance(attribute_type, str):
        raise DataJointError(f"An attribute type must be a string, not {type(attribute_type).__name__}.")
    text = attribute_type.strip()
    for category, pattern in TYPE_PATTERN.items():
        if pattern.fullmatch(text):
            return category
    raise DataJointError(f"Unsupported attribute type {attribute_type}")
