"""Declaration: definition text -> syntax tree -> SQLAlchemy Table.  No database access."""

from .build import DeclaredTable, Parent, build_table
from .grammar import AttributeLine, Definition, ForeignKeyLine, IndexLine, parse_definition

__all__ = [
    "AttributeLine", "Definition", "ForeignKeyLine", "IndexLine", "parse_definition",
    "DeclaredTable", "Parent", "build_table",
]
