"""Declaration: definition text -> syntax tree -> SQLAlchemy Table.  No database access.

``prepare_declare`` and ``compile_attribute`` give the DDL of a definition or an
attribute line for one backend, without a database (the programmatic view).
"""

from .build import DeclaredTable, Parent, attribute_column, build_table
from .categories import CORE_TYPE_SQL, CORE_TYPES, NATIVE_TYPES, SPECIAL_TYPES, TYPE_PATTERN, match_type
from .ddl import declare, split_full_name
from .grammar import (
                      AttributeLine,
                      AttributeParser,
                      Definition,
                      ForeignKeyLine,
                      IndexLine,
                      attribute_line,
                      attribute_parser,
                      parse_definition,
)
from .preview import PreparedDeclaration, compile_attribute, platform_attribute_lines, prepare_declare
from .references import parent_of, resolve_reference

__all__ = [
    "AttributeLine", "Definition", "ForeignKeyLine", "IndexLine", "parse_definition",
    "attribute_line", "AttributeParser", "attribute_parser", "attribute_column",
    "PreparedDeclaration", "prepare_declare", "compile_attribute", "platform_attribute_lines",
    "DeclaredTable", "Parent", "build_table", "parent_of", "resolve_reference", "declare", "split_full_name",
    "CORE_TYPES", "CORE_TYPE_SQL", "TYPE_PATTERN", "SPECIAL_TYPES", "NATIVE_TYPES", "match_type",
]
