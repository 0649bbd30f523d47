"""Syntax tree -> SQLAlchemy ``Table``, heading and lineage.

The builder turns a parsed :class:`~.grammar.Definition` into SQLAlchemy schema
objects (Column, PrimaryKeyConstraint, ForeignKeyConstraint, Index) laid out as
DataJoint 2.x lays them out, so that the two libraries share databases.  Foreign
keys are resolved through a caller-supplied function; no database is touched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ..codecs import storage_type
from ..dialects import DialectRules
from ..errors import DataJointError, DeclarationError
from ..heading import Attribute, Heading
from ..types import AttributeType, column_type, native_comment_tag, parse_type
from .grammar import AttributeLine, Definition, ForeignKeyLine, IndexLine

__all__ = ["Parent", "DeclaredTable", "build_table", "attribute_column"]

#: The hidden key of a table declared without primary-key attributes: it holds at most one row.
SINGLETON = AttributeLine(name="_singleton", type=parse_type("bool"), default="true", nullable=False,
                          comment="singleton primary key", in_key=True, line_no=0, text="_singleton = true : bool")

_SQL_CONSTANTS = {"CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "NOW()"}
_BINARY_NATIVE = re.compile(r"blob|bytea", re.I)
_FRACTIONAL_NOW = re.compile(r"^CURRENT_TIMESTAMP\s*\(\s*(\d)\s*\)$", re.I)


@dataclass(frozen=True)
class Parent:
    """What a foreign key needs to know of the table it references."""

    full_name: str
    heading: Heading
    sql_table: sa.Table


@dataclass(frozen=True)
class DeclaredTable:
    table: sa.Table
    heading: Heading
    parents: tuple[tuple[str, tuple[tuple[str, str], ...], bool], ...]  # (parent, ((attr, parent attr)...), in key)
    enum_types: tuple[postgresql.ENUM, ...] = field(default_factory=tuple)


def _server_default(line: AttributeLine, rules: DialectRules) -> sa.sql.ClauseElement | str | None:
    """The column's DEFAULT clause, written as DataJoint 2.x writes it.

    Nullable attributes get an explicit ``DEFAULT NULL``; numbers are string
    literals (``DEFAULT '7'``), which every server converts to the column's type, so
    PostgreSQL records them with the column's own cast (``'2.5'::double precision``).
    """
    if line.nullable:
        return sa.null()
    text = line.default
    if text is None:
        return None
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        # a single-quoted default is an SQL literal, where a doubled quote stands for one: 'it''s'
        return text[1:-1].replace("''", "'") if text[0] == "'" else text[1:-1]
    if text.upper() in _SQL_CONSTANTS:
        return sa.text(text.upper())
    fractional = _FRACTIONAL_NOW.match(text)
    if fractional:
        # SQLite's CURRENT_TIMESTAMP has whole seconds and no precision argument
        # (https://www.sqlite.org/lang_createtable.html#the_default_clause).
        if rules.name == "sqlite":
            return sa.text("(strftime('%Y-%m-%d %H:%M:%f', 'now'))")
        return sa.text(f"CURRENT_TIMESTAMP({fractional[1]})")
    if line.type.kind == "bool":
        truth = {"true": True, "1": True, "false": False, "0": False}.get(text.lower())
        if truth is None:
            raise DeclarationError(f"Line {line.line_no}: default {text!r} of bool attribute {line.name!r} is not true or false.")
        return sa.true() if truth else sa.false()
    return text  # a number or a bare word: a string literal, as DataJoint 2.x writes it


def _is_binary(attr_type: AttributeType) -> bool:
    """Bytes, and native blob types: DataJoint 2.x allows them no default but null."""
    return attr_type.kind == "bytes" or (attr_type.kind == "native" and _BINARY_NATIVE.search(attr_type.text) is not None)


def _comment(attr_type: AttributeType, comment: str, dialect: str) -> str | None:
    tag = native_comment_tag(attr_type, dialect)
    return f":{tag}:{comment}" if tag is not None else (comment or None)


def _inherited_comment(source: Attribute) -> str | None:
    """The comment of a foreign-key column on MySQL, as DataJoint 2.x writes it.

    It copies the parent's comment text without its ``:type:`` tag, except that a
    uuid keeps its ``:uuid:`` tag: a ``binary(16)`` column is read back as a uuid only by it.
    """
    tag = ":uuid:" if source.type.kind == "uuid" else ""
    return (tag + (source.comment or "")) or None


class _Builder:
    """Accumulates columns, constraints and heading attributes for one table."""

    def __init__(self, schema: str, table: str, rules: DialectRules, resolve: Callable[[str], Parent]) -> None:
        self.schema, self.table, self.rules, self.resolve = schema, table, rules, resolve
        self.sql_schema, self.sql_name = rules.sql_table(schema, table)
        self.columns: dict[str, sa.Column] = {}
        self.attributes: dict[str, Attribute] = {}
        self.constraints: list[sa.schema.SchemaItem] = []
        self.parents: list[tuple[str, tuple[tuple[str, str], ...], bool]] = []
        self.fk_column_sets: list[tuple[tuple[str, ...], bool]] = []
        self.enum_types: list[postgresql.ENUM] = []

    def add_attribute(self, line: AttributeLine) -> None:
        attr_type = line.type
        try:
            stored = storage_type(attr_type) if attr_type.kind == "codec" else attr_type
        except DataJointError as err:
            raise DeclarationError(f"Line {line.line_no} of the definition, {line.text!r}: {err}") from None
        if line.default is not None and _is_binary(stored):
            raise DeclarationError(
                f"Line {line.line_no} of the definition, {line.text!r}: a binary attribute "
                f"({attr_type.text}) can only default to null."
            )
        sql_type = column_type(attr_type, self.rules.name, self.sql_schema, storage=stored)
        if isinstance(sql_type, postgresql.ENUM):
            self.enum_types.append(sql_type)
        self.columns[line.name] = sa.Column(
            line.name, sql_type, nullable=line.nullable, server_default=_server_default(line, self.rules),
            comment=_comment(attr_type, line.comment, self.rules.name), autoincrement=False,
        )
        lineage = f"{self.schema}.{self.table}.{line.name}" if line.in_key else None
        self.attributes[line.name] = Attribute(
            line.name, attr_type, in_key=line.in_key, nullable=line.nullable,
            default="null" if line.nullable else line.default, comment=line.comment, lineage=lineage,
            original_type=attr_type.text,
        )

    def add_foreign_key(self, line: ForeignKeyLine) -> None:
        try:
            parent = self.resolve(line.ref)
        except DataJointError as err:
            raise DeclarationError(f"Line {line.line_no} of the definition, {line.text!r}: {err}") from None
        renames = dict(line.renames)  # new name -> parent's name
        key = parent.heading.primary_key
        unknown = [old for old in renames.values() if old not in key]
        if unknown:
            raise DeclarationError(
                f"Line {line.line_no}: {', '.join(unknown)} not in the primary key of {parent.full_name} "
                f"({', '.join(key)}); .proj() in a foreign key renames primary-key attributes only."
            )
        to_new = {old: new for new, old in renames.items()}
        pairs = tuple((to_new.get(name, name), name) for name in key)
        for new_name, old_name in pairs:
            self._add_inherited(new_name, parent, old_name, line)
        self.constraints.append(sa.ForeignKeyConstraint(
            [new for new, _ in pairs], [parent.sql_table.c[old] for _, old in pairs],
            onupdate="CASCADE", ondelete="RESTRICT",
        ))
        self.parents.append((parent.full_name, pairs, line.in_key))
        self.fk_column_sets.append((tuple(new for new, _ in pairs), line.unique))

    def _add_inherited(self, name: str, parent: Parent, parent_name: str, line: ForeignKeyLine) -> None:
        if name in self.attributes:
            existing = self.attributes[name]
            source = parent.heading[parent_name]
            if existing.lineage != source.lineage:
                raise DeclarationError(
                    f"Line {line.line_no}: attribute {name!r} from {parent.full_name} collides with an attribute "
                    f"of the same name and another origin ({existing.lineage}); rename it with .proj()."
                )
            return
        source = parent.heading[parent_name]
        parent_column = parent.sql_table.c[parent_name]
        comment = _inherited_comment(source) if self.rules.fk_columns_inherit_comment else None
        self.columns[name] = sa.Column(
            name, parent_column.type, nullable=line.nullable, comment=comment, autoincrement=False
        )
        self.attributes[name] = Attribute(
            name, source.type, in_key=line.in_key, nullable=line.nullable,
            default="null" if line.nullable else None, comment=source.comment, lineage=source.lineage,
        )

    def add_indexes(self, lines: tuple[IndexLine, ...]) -> list[sa.Index]:
        indexes: list[sa.Index] = []
        taken: set[str] = set()
        covered: list[tuple[str, ...]] = [tuple(a for a, attr in self.attributes.items() if attr.in_key)]
        for line in lines:
            missing = [c for c in line.columns if c not in self.columns]
            if missing:
                raise DeclarationError(
                    f"Line {line.line_no}: index on unknown attribute(s) {', '.join(missing)}; "
                    f"available: {', '.join(self.columns)}."
                )
            name = self.rules.index_name(self.schema, self.table, line.columns, taken)
            indexes.append(sa.Index(name, *line.columns, unique=line.unique))
            covered.append(line.columns)
        for columns, unique in self.fk_column_sets:
            prefix_covered = any(existing[: len(columns)] == columns for existing in covered)
            needs_index = unique or (not self.rules.indexes_foreign_keys and not prefix_covered)
            if needs_index and not (prefix_covered and not unique):
                name = self.rules.index_name(self.schema, self.table, columns, taken)
                indexes.append(sa.Index(name, *columns, unique=unique))
                covered.append(columns)
        return indexes


def _no_references(ref: str) -> Parent:
    raise DeclarationError(f"An attribute line references no table; got {ref!r}.")


def attribute_column(line: AttributeLine, rules: DialectRules, *, schema: str = "schema",
                     table: str = "table") -> tuple[sa.Column, Attribute]:
    """The SQLAlchemy column and heading attribute of one attribute line, as a table of ``schema`` declares it.

    ``schema`` matters only where a column type is a schema object of its own
    (a PostgreSQL enum type).
    """
    builder = _Builder(schema, table, rules, _no_references)
    builder.add_attribute(line)
    return builder.columns[line.name], builder.attributes[line.name]


def build_table(
    definition: Definition,
    *,
    schema: str,
    table: str,
    metadata: sa.MetaData,
    rules: DialectRules,
    resolve: Callable[[str], Parent],
) -> DeclaredTable:
    """Build the SQLAlchemy table of a DataJoint table from its parsed definition."""
    if len(table) > rules.max_identifier:  # the server would truncate (PostgreSQL) or refuse (MySQL) it
        raise DeclarationError(f"Table name {table!r} is longer than {rules.max_identifier} characters, "
                               f"the limit on {rules.name}; choose a shorter class name.")
    builder = _Builder(schema, table, rules, resolve)
    for line in definition.lines:
        if isinstance(line, AttributeLine):
            if line.name in builder.attributes:
                raise DeclarationError(
                    f"Line {line.line_no}: attribute {line.name!r} is already defined by a foreign key above."
                )
            builder.add_attribute(line)
        elif isinstance(line, ForeignKeyLine):
            builder.add_foreign_key(line)
    primary_key = [name for name, attr in builder.attributes.items() if attr.in_key]
    if not primary_key:  # a singleton table: decided from the parsed key, so an index line cannot hide it
        builder.add_attribute(SINGLETON)
        primary_key = [SINGLETON.name]
    indexes = builder.add_indexes(definition.indexes)
    # Primary-key columns first, in declaration order; then the others.
    ordered = [builder.columns[n] for n in primary_key] + [
        column for name, column in builder.columns.items() if name not in primary_key
    ]
    sql_table = sa.Table(
        builder.sql_name, metadata, *ordered, sa.PrimaryKeyConstraint(*primary_key), *builder.constraints, *indexes,
        schema=builder.sql_schema, comment=definition.comment or None, mysql_engine="InnoDB",
    )
    heading = Heading(
        [builder.attributes[n] for n in primary_key]
        + [a for n, a in builder.attributes.items() if n not in primary_key],
        table_comment=definition.comment,
    )
    return DeclaredTable(sql_table, heading, tuple(builder.parents), tuple(builder.enum_types))
