"""The difference between a table as declared and as it is in the database, as alembic operations.

``plan_alter`` compares the reflected table with the one built from the class
definition and returns the changes ``alter()`` may apply: secondary attributes
added, dropped, renamed (a comment opening with ``{old_name}``) or changed
(type, nullable, default, comment), secondary foreign keys and indexes added or
dropped, and the table comment.  The primary key is not alter()'s to change:
a difference there raises :class:`~datajoint_sa.errors.NotImplementedError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from alembic.operations import ops

from .. import errors
from ..declare import Definition
from ..dialects import DialectRules
from ..errors import DataJointError
from .compare import SQL_TYPE, same_default, same_type, type_text

#: Names for constraints the database reports unnamed (SQLite's foreign keys), as alembic's batch mode needs them.
NAMING = {"fk": "fk_%(column_0_N_name)s"}

__all__ = ["NAMING", "Change", "AlterPlan", "plan_alter"]


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
            before = type_text(have.type, self.dialect, have.info.get(SQL_TYPE)).lower()
            what.append(f"type {before} -> {type_text(want.type, self.dialect).lower()}")
            kw.update(self.type_change(have, want))
        elif "modify_name" in kw and isinstance(want.type, sa.Enum) and not want.type.native_enum:
            kw["modify_type"] = want.type  # the CHECK constraint of a non-native enum names the column: made anew
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
        # MySQL restates the whole column (MODIFY/CHANGE), so the unchanged properties are passed as they will be;
        # SQLite's batch mode needs the type the column has (and fails on a TypeDecorator there).
        existing_type = have.type if self.dialect.name == "sqlite" else want.type
        self.add(f"attribute {have.name}: {', '.join(what)}", ops.AlterColumnOp(
            self.name, have.name, schema=self.schema, existing_type=existing_type, existing_nullable=want.nullable,
            existing_server_default=want.server_default, existing_comment=want.comment, **kw))

    def type_change(self, have: sa.Column, want: sa.Column) -> dict[str, object]:
        """Arguments of AlterColumnOp changing the type (PostgreSQL: with a cast, around the default)."""
        kw: dict[str, object] = {"modify_type": want.type}
        if self.dialect.name != "postgresql":
            return kw
        if have.server_default is not None:
            # PostgreSQL casts the default with the column and refuses one it cannot cast: drop it first
            self.add(f"attribute {have.name}: drop the default before changing the type", ops.AlterColumnOp(
                self.name, have.name, schema=self.schema, modify_server_default=None,
                existing_type=have.type, existing_nullable=have.nullable))
            if want.server_default is not None:
                kw["modify_server_default"] = want.server_default.arg
        # without USING, PostgreSQL casts only implicitly castable types; enum to enum has no direct cast
        quoted = self.dialect.identifier_preparer.quote(have.name)
        via = "::text" if isinstance(have.type, sa.Enum) else ""
        kw["postgresql_using"] = f"{quoted}{via}::{want.type.compile(dialect=self.dialect)}"
        return kw

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
        """Indexes to drop and add.

        An index follows its renamed columns by itself, but keeps its name, which a new
        index on the old column name would then need: such an index is made again under
        the name a declaration gives it.
        """
        have = {_index_signature(ix, renames): ix for ix in self.reflected.indexes}
        want = {_index_signature(ix): ix for ix in self.declared.indexes}
        for signature, index in list(have.items()):
            renamed = any(c.name in renames for c in index.columns)
            if signature in want and renamed and want[signature].name != index.name:
                del have[signature]
            elif signature in want:
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
