"""Tables: query expressions bound to a declared database table, with insert, delete and drop."""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import logging
import weakref
from typing import Any

import sqlalchemy as sa

from .compile.state import SelectState
from .errors import DataJointError, DuplicateError, IntegrityError
from .expression.query import QueryExpression
from .heading import Heading
from .insert import Batch, InsertPlan, insert_statement, iter_batches

__all__ = ["Table", "FreeTable", "allow_direct_insert"]

logger = logging.getLogger("datajoint_sa")

#: Set while populate runs a make(); auto-populated tables accept inserts only then.
allow_direct_insert: contextvars.ContextVar[bool] = contextvars.ContextVar("allow_direct_insert", default=False)


class Table(QueryExpression):
    """A query expression over one declared table, plus the operations that change its rows."""

    _declared: Any = None  # DeclaredTable, set when the class is declared in a schema
    _schema: Any = None
    tier: str = "Manual"
    table_name: str = ""

    def __init__(self) -> None:
        declared = type(self)._declared
        if declared is None:
            raise DataJointError(
                f"Table class {type(self).__name__} is not declared: decorate it with a schema (@schema) first."
            )
        self._connection = type(self)._schema.connection
        self._heading = declared.heading
        self._source = declared.table
        self._state = _table_state(declared.table)

    # -- identity -------------------------------------------------------------------
    @property
    def database(self) -> str:
        return self._schema.database

    @property
    def full_table_name(self) -> str:
        """The quoted table name as the connected database spells it."""
        preparer = self._connection.engine.dialect.identifier_preparer
        table = self._source
        if table.schema:
            return f"{preparer.quote_identifier(table.schema)}.{preparer.quote_identifier(table.name)}"
        return preparer.quote_identifier(table.name)

    @property
    def sql_table(self) -> sa.Table:
        """The SQLAlchemy Table, for use with SQLAlchemy and alembic directly."""
        return self._source

    @property
    def heading(self) -> Heading:
        return self._heading

    def _rows_in(self) -> sa.ColumnElement[bool]:
        """WHERE clause selecting the restricted rows of the underlying table."""
        state = self._state
        if state.source is self._source and state.limit is None and not state.offset:
            return sa.and_(sa.true(), *state.where)
        columns = [self._source.c[k] for k in self.primary_key]
        keys = self.make_select(self.primary_key)
        return columns[0].in_(keys) if len(columns) == 1 else sa.tuple_(*columns).in_(keys)

    # -- insert -------------------------------------------------------------------------
    def insert1(self, row: Any, **kwargs: Any) -> None:
        """Insert one row (a dict, tuple or numpy record); see insert() for the options."""
        self.insert((row,), **kwargs)

    def insert(self, rows: Any, *, replace: bool = False, skip_duplicates: bool = False,
               ignore_extra_fields: bool = False, allow_direct_insert: bool | None = None) -> None:
        """Insert rows, all or none.

        ``rows`` may be a list (or any iterable) of dicts, of tuples in heading order or of
        numpy records, a numpy structured array, a pandas DataFrame (its index is used when
        it names attributes, as ``to_pandas()`` makes it), or a query expression
        (INSERT ... SELECT).  ``skip_duplicates`` keeps existing rows; ``replace``
        overwrites their secondary attributes; ``ignore_extra_fields`` drops attributes
        the table does not have instead of raising.

        Rows are checked and sent in chunks (see :mod:`datajoint_sa.insert`), all in one
        transaction -- a savepoint when the call runs inside an open transaction -- so an
        invalid value or a failing row anywhere leaves nothing inserted.
        """
        self._check_insert_allowed(allow_direct_insert)
        if isinstance(rows, type) and issubclass(rows, QueryExpression):
            rows = rows()
        if isinstance(rows, QueryExpression):
            self._insert_from_query(rows, skip_duplicates=skip_duplicates, replace=replace)
            return
        connection = self._connection
        dialect = connection.dialect_name
        plan = InsertPlan(self._source, self.primary_key, connection.engine.dialect,
                          skip_duplicates=skip_duplicates, replace=replace)
        batches = iter_batches(rows, self._heading, dialect, ignore_extra_fields=ignore_extra_fields,
                               context=self._codec_context())
        # The first two batches are checked before a connection is taken: a small insert
        # (one batch) is fully checked before anything is sent.
        ahead = list(itertools.islice(batches, 2))
        if not ahead:
            return
        savepoint = connection.in_transaction and len(ahead) > 1
        current: Batch | None = None
        try:
            with connection.connect() as conn:
                # Inside the caller's transaction, a savepoint keeps this call all-or-nothing on its own.
                with conn.begin_nested() if savepoint else contextlib.nullcontext():
                    for current in itertools.chain(ahead, batches):
                        plan.send(conn, current)
        except sa.exc.DBAPIError as err:
            from .engine.errors import translate

            raise self._explain(translate(err, dialect), [current]) from err
        except IntegrityError as err:
            raise self._explain(err, [current]) from err

    def _codec_context(self) -> dict[str, Any]:
        """What codecs writing to stores build paths from: schema, table and configuration."""
        return {"schema": self.database, "table": self.table_name or self._source.name, "config": None}

    def _check_insert_allowed(self, allow: bool | None) -> None:
        # Only the auto-populated table itself is guarded; its part tables accept inserts, as in DataJoint 2.x.
        if self.tier in ("Imported", "Computed"):
            if not (allow or allow_direct_insert.get()):
                raise DataJointError(
                    f"Inserts into {type(self).__name__}, an auto-populated table, are done by its make() during "
                    "populate(). To insert directly anyway, pass allow_direct_insert=True."
                )

    def _insert_from_query(self, query: QueryExpression, *, skip_duplicates: bool, replace: bool) -> None:
        names = [n for n in query.heading.names if n in self._heading]
        missing = [n for n in self.primary_key if n not in names]
        if missing:
            raise DataJointError(f"The query lacks primary-key attribute(s) {', '.join(missing)} of {type(self).__name__}.")
        dialect = self._connection.dialect_name
        statement = insert_statement(self._source, names, self.primary_key, dialect,
                                     skip_duplicates=skip_duplicates, replace=replace)
        select = query.make_select(names)
        if dialect == "sqlite" and (skip_duplicates or replace) and isinstance(select, sa.Select):
            # "INSERT ... SELECT ... ON CONFLICT" is ambiguous to SQLite's parser without a WHERE
            # clause (https://www.sqlite.org/lang_upsert.html, "Parsing Ambiguity"); where(true)
            # renders "WHERE 1 = 1" alone and disappears beside another condition.
            select = select.where(sa.true())
        self._connection.execute(statement.from_select(names, select))

    def _explain(self, err: DataJointError, batches: list[Batch | None]) -> DataJointError:
        """Name the parent table whose row is missing when a foreign key fails on insert."""
        if not isinstance(err, IntegrityError) or isinstance(err, DuplicateError):
            return err
        missing = self._missing_parents(batches)
        if not missing:
            return err
        return IntegrityError(
            f"Cannot insert into {self.full_table_name}: no matching row in parent table {', '.join(missing)}. "
            "Insert the parent row first.", *err.args
        )

    def _missing_parents(self, batches: list[Batch | None]) -> list[str]:
        """Parents lacking a referenced row (checked on a fresh connection, outside the failed transaction)."""
        found = []
        table = self._source
        for constraint in table.foreign_key_constraints:
            columns = [c.name for c in constraint.columns]
            parent = constraint.referred_table
            parent_columns = [e.column.name for e in constraint.elements]
            wanted = {
                tuple(row[batch.names.index(c)] for c in columns)
                for batch in batches if batch is not None and all(c in batch.names for c in columns)
                for row in batch.tuples()
            }
            wanted = {w for w in wanted if None not in w}
            if not wanted:
                continue
            with self._connection.engine.connect() as conn:
                select = sa.select(*(parent.c[c] for c in parent_columns)).where(
                    sa.tuple_(*(parent.c[c] for c in parent_columns)).in_(list(wanted))
                ) if len(parent_columns) > 1 else sa.select(parent.c[parent_columns[0]]).where(
                    parent.c[parent_columns[0]].in_([w[0] for w in wanted]))
                present = {tuple(r) for r in conn.execute(select)}
            if wanted - present:
                example = dict(zip(columns, sorted(wanted - present, key=repr)[0]))
                found.append(f"{self._parent_name(parent)} (e.g. {example})")
        return found

    def _parent_name(self, parent: sa.Table) -> str:
        preparer = self._connection.engine.dialect.identifier_preparer
        if parent.schema:
            return f"{preparer.quote_identifier(parent.schema)}.{preparer.quote_identifier(parent.name)}"
        return preparer.quote_identifier(parent.name)

    # -- dependencies --------------------------------------------------------------------------
    @property
    def _node(self) -> tuple[str, str]:
        return (self.database, self.table_name)

    def _graph(self) -> Any:
        graph = self._connection.dependencies
        if self._node not in graph:
            self._connection.invalidate_dependencies()
            graph = self._connection.dependencies
        return graph

    def _named(self, nodes: list[tuple[str, str]], as_objects: bool) -> list[Any]:
        if as_objects:
            return [FreeTable(self._connection, f"{s}.{t}") for s, t in nodes]
        return [self._connection.full_name(n) for n in nodes]

    def parents(self, primary: bool | None = None, as_objects: bool = False, foreign_key_info: bool = False) -> list[Any]:
        """Tables this one references; ``primary`` selects foreign keys in (True) or out of (False) the key."""
        graph = self._graph()
        if foreign_key_info:
            return [(self._connection.full_name(p), {"attr_map": dict(e.attr_map), "aliased": e.aliased, "primary": e.primary})
                    for p, e in graph.edges_to(self._node) if primary is None or e.primary == primary]
        return self._named(graph.parents(self._node, primary), as_objects)

    def children(self, primary: bool | None = None, as_objects: bool = False, foreign_key_info: bool = False) -> list[Any]:
        """Tables that reference this one."""
        graph = self._graph()
        if foreign_key_info:
            return [(self._connection.full_name(c), {"attr_map": dict(e.attr_map), "aliased": e.aliased, "primary": e.primary})
                    for c, e in graph.edges_from(self._node) if primary is None or e.primary == primary]
        return self._named(graph.children(self._node, primary), as_objects)

    def ancestors(self, as_objects: bool = False) -> list[Any]:
        """This table and all it depends on, parents first."""
        return self._named(self._graph().ancestors(self._node), as_objects)

    def descendants(self, as_objects: bool = False) -> list[Any]:
        """This table and all that depends on it, parents first."""
        return self._named(self._graph().descendants(self._node), as_objects)

    def parts(self, as_objects: bool = False) -> list[Any]:
        """The part tables of this table."""
        from .delete import master_of

        graph = self._graph()
        found = [n for n in graph.topological() if n[0] == self.database and master_of(n, graph) == self._node]
        return self._named(found, as_objects)

    # -- delete and drop ------------------------------------------------------------------------
    def delete_quick(self, get_count: bool = False) -> int | None:
        """Delete the restricted rows, without cascading or prompting; fails if dependent rows exist."""
        table = self._source
        keys = self.make_select(self.primary_key)
        if self._connection.dialect_name == "mysql":  # no subquery on the target table (MySQL error 1093)
            derived = keys.subquery()
            keys = sa.select(*derived.c)
        columns = [table.c[k] for k in self.primary_key]
        target = columns[0].in_(keys) if len(columns) == 1 else sa.tuple_(*columns).in_(keys)
        result = self._connection.execute(sa.delete(table).where(target))
        return result.rowcount if get_count else None

    def delete(self, prompt: bool | None = None, part_integrity: str = "enforce", transaction: bool = True) -> int:
        """Delete the restricted rows and every row that depends on them, in one transaction.

        With safemode (or ``prompt=True``) the rows to be deleted are counted per table
        and the deletion is committed only after confirmation.  ``part_integrity``:
        ``"enforce"`` refuses to delete part rows without their master, ``"ignore"``
        allows it, ``"cascade"`` deletes the masters too.  Returns the number of rows
        deleted from this table.
        """
        from .delete import execute_cascade, plan_cascade
        from .settings import config

        prompt = config["safemode"] if prompt is None else prompt
        connection = self._connection
        try:
            with connection.transaction:
                plan = plan_cascade(connection, self._node, self.make_select(self.primary_key),
                                    part_integrity=part_integrity)
                deleted = execute_cascade(plan, self._node, part_integrity=part_integrity)
                for node, count in deleted.items():
                    if count:
                        logger.info("Deleting %d rows from %s", count, connection.full_name(node))
                if prompt and any(deleted.values()) and not _confirm("Commit deletes?"):
                    raise _Cancel("Deletes cancelled.")
        except _Cancel:
            logger.info("Deletes cancelled.")
            return 0
        return deleted.get(self._node, 0)

    def delete_preview(self, part_integrity: str = "enforce") -> dict[str, int]:
        """Rows a delete would remove from each table, without removing anything."""
        from .delete import plan_cascade

        plan = plan_cascade(self._connection, self._node, self.make_select(self.primary_key), part_integrity=part_integrity)
        return {self._connection.full_name(n): c for n, c in plan.counts().items()}

    def drop_quick(self) -> None:
        """Drop this table without prompting; fails if other tables depend on it."""
        from .delete import drop_tables

        drop_tables(self._connection, [self._node])

    def drop(self, prompt: bool | None = None) -> None:
        """Drop this table with its parts and every table that depends on it, after confirmation in safemode."""
        from .delete import drop_order, drop_tables, master_of
        from .settings import config

        prompt = config["safemode"] if prompt is None else prompt
        if self._where:
            raise DataJointError("A restricted table cannot be dropped; drop the table itself.")
        order = drop_order(self._connection, self._node)
        master = master_of(self._node, self._connection.dependencies)
        if master is not None and master not in order:
            raise DataJointError(
                f"Cannot drop part table {self.full_table_name} alone: drop its master "
                f"{self._connection.full_name(master)} instead."
            )
        names = [self._connection.full_name(n) for n in order]
        if prompt and not _confirm(f"Drop {len(names)} table(s): {', '.join(names)}?"):
            return
        drop_tables(self._connection, order)

    # -- checking and frames -------------------------------------------------------------------------
    def validate(self, rows: Any, *, ignore_extra_fields: bool = False) -> Any:
        """Check rows as insert() would, without inserting; returns a ValidationResult listing every problem."""
        from .validate import validate_rows

        return validate_rows(rows, self._heading, ignore_extra_fields=ignore_extra_fields)

    def insert_dataframe(self, frame: Any, index_as_pk: bool | None = None, **insert_options: Any) -> None:
        """Insert a DataFrame, taking its index as the primary key when it names the key (as to_pandas() makes it).

        ``index_as_pk``: None detects, True requires the index to be the primary key, False ignores the index.
        """
        names = [n for n in frame.index.names if n is not None]
        if index_as_pk is None:
            index_as_pk = bool(names) and set(names) <= set(self.primary_key)
        elif index_as_pk and set(names) != set(self.primary_key):
            raise DataJointError(f"The DataFrame index {names} is not the primary key {self.primary_key}.")
        if index_as_pk:
            frame = frame.reset_index()
        else:
            frame = frame.reset_index(drop=True)
        self.insert(frame, **insert_options)

    # -- update ---------------------------------------------------------------------------------
    def update1(self, row: Any) -> None:
        """Change secondary attributes of one existing row, given with its full primary key.

        An attribute set to None takes its default (NULL when nullable).
        """
        from .update import update_one

        if self._where:
            raise DataJointError("update1 works on a whole table, not on a restricted one: give the key in the row.")
        update_one(self, row)

    # -- description ------------------------------------------------------------------------------
    def describe(self, printout: bool = False) -> str:
        """The definition of this table, reconstructed from its declaration."""
        text = type(self)._describe()
        if printout:
            print(text)
        return text

    @classmethod
    def _describe(cls) -> str:
        return cls.definition.strip() + "\n"


_STATES: weakref.WeakKeyDictionary[sa.FromClause, SelectState] = weakref.WeakKeyDictionary()


def _table_state(table: sa.FromClause) -> SelectState:
    """The SELECT state of a whole table (one per table object, shared by its instances)."""
    state = _STATES.get(table)
    if state is None:
        state = _STATES[table] = SelectState.of_table(table)
    return state


class _Cancel(DataJointError):
    """The user declined a prompt."""


def _confirm(question: str) -> bool:
    try:
        answer = input(f"{question} [yes/No]: ")
    except EOFError:
        return False
    return answer.strip().lower() in ("yes", "y")


class FreeTable(Table):
    """A table addressed by name, without a class: ``FreeTable(conn, "schema.table")``."""

    def __init__(self, connection: Any, full_table_name: str) -> None:
        schema, _, table = full_table_name.replace("`", "").replace('"', "").partition(".")
        sql_schema, sql_name = connection.rules.sql_table(schema, table)
        with connection.connect() as conn:
            reflected = sa.Table(sql_name, sa.MetaData(), schema=sql_schema, autoload_with=conn)
        from .reflect import heading_from_table

        self._connection = connection
        self._source = reflected
        self._state = _table_state(reflected)
        self._heading = heading_from_table(reflected, schema, table)
        self.table_name = table
        self._database = schema

    @property
    def database(self) -> str:
        return self._database

