"""The difference between a table as declared and as it is in the database, as alembic operations.

``plan_alter`` compares the reflected table with the one built from the class
definition and returns the changes ``alter()`` may apply: secondary attributes
added, dropped, renamed (a comment opening with ``{old_name}``) or changed
(type, nullable, default, comment), secondary foreign keys and indexes added or
dropped, and the table comment.  The primary key is not alter()'s to change:
a difference there raises :class:`~datajoint_sa.errors.NotImplementedError`.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from alembic.operations import ops

from .. import errors
from ..declare import Definition
from ..dialects import DialectRules
from ..errors import DataJointError

#: Names for constraints the database reports unnamed (SQLite's foreign keys), as alembic's batch mode needs them.
NAMING = {"fk": "fk_%(column_0_N_name)s"}

#: Key of ``Column.info`` holding the type as the database wrote it (SQLite, whose reflected types are guesses).
SQL_TYPE = "datajoint_sql_type"

__all__ = ["NAMING", "SQL_TYPE", "enum_check_column", "normal_default", "Change", "AlterPlan", "plan_alter", "same_type", "same_default"]


@dataclass(frozen=True)
class Change:
    """One step of an alter: what it does, in words, and the alembic operation doing it."""

    text: str
    operation: ops.MigrateOperation


@dataclass
class AlterPlan:
    table: str
    changes: list[Change] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __str__(self) -> str:
        if not self.changes:
            return f"{self.table}: nothing to alter."
        return "\n".join([f"Alter {self.table}:"] + [f"  - {c.text}" for c in self.changes])


# -- comparing types and defaults ---------------------------------------------------------------
_DISPLAY_WIDTH = re.compile(r"^((?:TINY|SMALL|MEDIUM|BIG)?INT(?:EGER)?)\(\d+\)")
_MYSQL_ALIASES = {"JSON": "LONGTEXT"}  # MariaDB's JSON is LONGTEXT with a json_valid() check
_SYNONYMS = {"INT": "INTEGER", "DOUBLE": "DOUBLE PRECISION", "FLOAT8": "DOUBLE PRECISION", "BOOL": "BOOLEAN",
             "NUMERIC": "DECIMAL", "TIMESTAMP WITHOUT TIME ZONE": "TIMESTAMP", "CHARACTER VARYING": "VARCHAR"}


def _type_text(type_: sa.types.TypeEngine, dialect: sa.Dialect, written: str | None = None) -> str:
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
    return _type_text(reflected.type, dialect, written) == _type_text(declared.type, dialect)


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
    return normal_default(text, quoted=literal)


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
    """Whether the database column's default equals the declared one (as values, not as text)."""
    return _default_text(reflected.server_default, dialect) == _default_text(declared.server_default, dialect)


# -- the plan ------------------------------------------------------------------------------------------
def _renames(definition: Definition, reflected: sa.Table, declared: sa.Table) -> dict[str, str]:
    """{old name: new name} for attributes whose comment opens with ``{old_name}`` and that still need renaming."""
    renames: dict[str, str] = {}
    for line in definition.attributes:
        old = line.renamed_from
        if old is None:
            continue
        if old in renames:
            raise DataJointError(f"alter() cannot rename attribute {old!r} twice ({renames[old]!r} and {line.name!r}).")
        if line.name in reflected.c and old not in reflected.c:
            continue  # renamed by an earlier alter()
        if old not in reflected.c:
            raise DataJointError(f"Cannot rename {old!r} to {line.name!r}: {reflected.name} has no attribute {old!r}; "
                                 f"it has {', '.join(reflected.c.keys())}.")
        if line.name in reflected.c:
            raise DataJointError(f"Cannot rename {old!r} to {line.name!r}: {reflected.name} already has {line.name!r}.")
        renames[old] = line.name
    return renames


def _check_primary_key(reflected: sa.Table, declared: sa.Table, renames: dict[str, str], dialect: sa.Dialect,
                       label: str) -> None:
    have = [c.name for c in reflected.primary_key.columns]
    want = [c.name for c in declared.primary_key.columns]
    hint = ("alter() changes secondary attributes only; change a primary key with a migration "
            "(python -m datajoint_sa revision --autogenerate ..., then upgrade), which keeps the rows.")
    renamed_keys = [old for old in renames if old in have]
    if renamed_keys:
        raise errors.NotImplementedError(f"Cannot rename primary-key attribute(s) {', '.join(renamed_keys)} of {label}: {hint}")
    if have != want:
        raise errors.NotImplementedError(
            f"The primary key of {label} would change from ({', '.join(have)}) to ({', '.join(want)}): {hint}")
    changed = [n for n in want if not same_type(reflected.c[n], declared.c[n], dialect)]
    if changed:
        raise errors.NotImplementedError(f"The type of primary-key attribute(s) {', '.join(changed)} of {label} would change: {hint}")


def _fk_signature(fk: sa.ForeignKeyConstraint) -> tuple:
    target = fk.elements[0].column.table
    return (tuple(c.name for c in fk.columns), target.schema, target.name, tuple(e.column.name for e in fk.elements))


def _index_signature(index: sa.Index, renames: dict[str, str] | None = None) -> tuple:
    renames = renames or {}
    return (tuple(renames.get(c.name, c.name) for c in index.columns), bool(index.unique))


@dataclass
class _Planner:
    reflected: sa.Table
    declared: sa.Table
    rules: DialectRules
    dialect: sa.Dialect
    changes: list[Change] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.reflected.name

    @property
    def schema(self) -> str | None:
        return self.reflected.schema

    def add(self, text: str, operation: ops.MigrateOperation) -> None:
        self.changes.append(Change(text, operation))

    def columns(self, renames: dict[str, str]) -> None:
        have = {renames.get(c.name, c.name): c for c in self.reflected.columns}
        for column in self.declared.columns:
            if column.name not in have:
                self.add(f"add attribute {column.name}", ops.AddColumnOp(self.name, column._copy(), schema=self.schema))
        for name in have:
            if name not in self.declared.c:
                self.add(f"drop attribute {name}", ops.DropColumnOp(self.name, name, schema=self.schema))
        for name, column in have.items():
            if name in self.declared.c:
                self.modify(column, self.declared.c[name])

    def modify(self, have: sa.Column, want: sa.Column) -> None:
        """Change column ``have`` into ``want``, its name included, in one operation.

        One operation per column, under its old name, because batch mode (SQLite) knows
        the columns by the names they had when the batch began.
        """
        what: list[str] = [f"rename to {want.name}"] if have.name != want.name else []
        kw: dict[str, object] = {"modify_name": want.name} if have.name != want.name else {}
        if not same_type(have, want, self.dialect):
            if self.dialect.name == "postgresql" and have.server_default is not None:
                # PostgreSQL casts the default with the column and refuses one it cannot cast: drop it first
                self.add(f"attribute {have.name}: drop the default before changing the type", ops.AlterColumnOp(
                    self.name, have.name, schema=self.schema, modify_server_default=None,
                    existing_type=have.type, existing_nullable=have.nullable))
                if have.server_default is not None and want.server_default is not None:
                    kw["modify_server_default"] = want.server_default.arg
            before = _type_text(have.type, self.dialect, have.info.get(SQL_TYPE)).lower()
            what.append(f"type {before} -> {_type_text(want.type, self.dialect).lower()}")
            kw["modify_type"] = want.type
            if self.dialect.name == "postgresql":  # PostgreSQL casts only implicitly castable types without USING
                quoted = self.dialect.identifier_preparer.quote(have.name)
                via = "::text" if isinstance(have.type, sa.Enum) else ""  # enum to enum has no direct cast
                kw["postgresql_using"] = f"{quoted}{via}::{want.type.compile(dialect=self.dialect)}"
        if bool(have.nullable) != bool(want.nullable):
            what.append("nullable" if want.nullable else "not nullable")
            kw["modify_nullable"] = want.nullable
        if "modify_server_default" not in kw and not same_default(have, want, self.dialect):
            what.append("default")
            kw["modify_server_default"] = want.server_default.arg if want.server_default is not None else None
        if self.rules.has_comments and (have.comment or None) != (want.comment or None):
            what.append("comment")
            kw["modify_comment"] = want.comment
        if not what:
            return
        # MySQL restates the whole column (MODIFY/CHANGE), so the unchanged properties are passed as they will be.
        self.add(f"attribute {have.name}: {', '.join(what)}", ops.AlterColumnOp(
            self.name, have.name, schema=self.schema, existing_type=want.type, existing_nullable=want.nullable,
            existing_server_default=want.server_default, existing_comment=want.comment, **kw))

    def foreign_keys(self) -> set[tuple[str, ...]]:
        have = {_fk_signature(fk): fk for fk in self.reflected.foreign_key_constraints}
        want = {_fk_signature(fk): fk for fk in self.declared.foreign_key_constraints}
        for signature, fk in have.items():
            if signature not in want:
                if not fk.name:
                    raise DataJointError(f"The foreign key on ({', '.join(signature[0])}) of {self.name} has no name; "
                                         "it cannot be dropped by alter().")
                self.add(f"drop foreign key ({', '.join(signature[0])}) -> {signature[2]}",
                         ops.DropConstraintOp(fk.name, self.name, type_="foreignkey", schema=self.schema))
        for signature, fk in want.items():
            if signature not in have:
                target = fk.elements[0].column.table
                name = NAMING["fk"] % {"column_0_N_name": "_".join(signature[0])} if self.dialect.name == "sqlite" else None
                self.add(f"add foreign key ({', '.join(signature[0])}) -> {target.name}", ops.CreateForeignKeyOp(
                    name, self.name, target.name, list(signature[0]), list(signature[3]), source_schema=self.schema,
                    referent_schema=target.schema, onupdate=fk.onupdate, ondelete=fk.ondelete))
        return {sig[0] for sig in want} | {sig[0] for sig in have}

    def indexes(self, fk_columns: set[tuple[str, ...]], renames: dict[str, str]) -> None:
        """Indexes to drop and add; an index follows its renamed columns by itself."""
        have = {_index_signature(ix, renames): ix for ix in self.reflected.indexes}
        want = {_index_signature(ix): ix for ix in self.declared.indexes}
        for signature, index in have.items():
            if signature in want:
                continue
            if self.rules.indexes_foreign_keys and not signature[1] and signature[0] in fk_columns:
                continue  # InnoDB's own index for a foreign key: it stays while the key does
            self.add(f"drop {'unique ' if signature[1] else ''}index ({', '.join(signature[0])})",
                     ops.DropIndexOp(index.name, table_name=self.name, schema=self.schema))
        for signature, index in want.items():
            if signature not in have:
                self.add(f"add {'unique ' if signature[1] else ''}index ({', '.join(signature[0])})", ops.CreateIndexOp(
                    index.name, self.name, list(signature[0]), schema=self.schema, unique=signature[1]))

    def table_comment(self) -> None:
        have, want = self.reflected.comment or None, self.declared.comment or None
        if self.rules.has_comments and have != want:
            if want is None:
                self.add("remove the table comment", ops.DropTableCommentOp(self.name, schema=self.schema, existing_comment=have))
            else:
                self.add(f"table comment {want!r}", ops.CreateTableCommentOp(
                    self.name, want, schema=self.schema, existing_comment=have))


def plan_alter(definition: Definition, reflected: sa.Table, declared: sa.Table, *, rules: DialectRules,
               dialect: sa.Dialect, label: str) -> AlterPlan:
    """The changes that make ``reflected`` (the database) match ``declared`` (the class definition)."""
    renames = _renames(definition, reflected, declared)
    _check_primary_key(reflected, declared, renames, dialect, label)
    planner = _Planner(reflected, declared, rules, dialect)
    # Constraints that the column changes would break go first: dropped keys and indexes.
    fk_columns = planner.foreign_keys()
    planner.indexes(fk_columns, renames)
    planner.columns(renames)
    planner.table_comment()
    return AlterPlan(label, _ordered(planner.changes))


def _ordered(changes: Iterable[Change]) -> list[Change]:
    """Drops of constraints, then column changes, then new constraints (which may use new columns)."""
    def rank(change: Change) -> int:
        op = change.operation
        if isinstance(op, (ops.DropConstraintOp, ops.DropIndexOp)):
            return 1
        if isinstance(op, (ops.CreateForeignKeyOp, ops.CreateIndexOp)):
            return 3
        return 2

    return sorted(changes, key=rank)
