"""Declaration: definition text -> syntax tree -> SQLAlchemy Table.  No database access."""

from .build import DeclaredTable, Parent, build_table
from .categories import CORE_TYPE_SQL, CORE_TYPES, NATIVE_TYPES, SPECIAL_TYPES, TYPE_PATTERN, match_type
from .ddl import declare, split_full_name
from .grammar import AttributeLine, Definition, ForeignKeyLine, IndexLine, parse_definition
from .references import parent_of, resolve_reference

__all__ = [
    "AttributeLine", "Definition", "ForeignKeyLine", "IndexLine", "parse_definition",
    "DeclaredTable", "Parent", "build_table", "parent_of", "resolve_reference", "declare", "split_full_name",
    "CORE_TYPES", "CORE_TYPE_SQL", "TYPE_PATTERN", "SPECIAL_TYPES", "NATIVE_TYPES", "match_type",
]
