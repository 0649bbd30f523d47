"""Tables: query expressions bound to a declared database table, with insert, delete and drop."""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import logging
import weakref
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from .compile.state import SelectState
from .errors import DataJointError, DuplicateError, IntegrityError
from .expression.query import QueryExpression
from .heading import Heading
from .insert import Batch, InsertPlan, insert_statement, iter_chunks
from .provenance import with_provenance, with_provenance_select

__all__ = ["Table", "FreeTable", "TableNotConfigured", "allow_direct_insert"]

logger = logging.getLogger("datajoint_sa")

#: Set while populate runs a make(); auto-populated tables accept inserts only then.
allow_direct_insert: contextvars.ContextVar[bool] = contextvars.ContextVar("allow_direct_insert", default=False)


class _Configured:
    """An instance attribute that a table without a declared class lacks: reading it raises TableNotConfigured.

    Replaces QueryExpression's class-level default for the connection, so a method of an
    undeclared table says what is wrong instead of failing on None.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return None
        try:
            return instance.__dict__[self.name]
        except KeyError:
            raise TableNotConfigured(_not_configured_message(type(instance))) from None

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.name] = value


class Table(QueryExpression):
    """A query expression over one declared table, plus the operations that change its rows."""

    _connection: Any = _Configured()

    _declared: Any = None  # DeclaredTable, set when the class is declared in a schema
    _schema: Any = None
    tier: str = "Manual"
    table_name: str = ""

    def __init__(self) -> None:
        declared = type(self)._declared
        if declared is None:
            return  # unconfigured: any use raises TableNotConfigured (see __getattr__)
        self._connection = type(self)._schema.connection
        self._heading = declared.heading
        self._source = declared.table
        self._state = _table_state(declared.table)

    def __getattr__(self, name: str) -> Any:
        # Reached only when normal lookup fails: for a table whose class is not declared,
        # that is every use of its heading, rows or name, which then says what to do.
        if "_heading" not in self.__dict__ and not (name.startswith("__") and name.endswith("__")):
            raise TableNotConfigured(_not_configured_message(type(self)))
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

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
    def adapter(self) -> Any:
        """The SQL facade of this table's backend (quoting, column DDL), as ``connection.adapter``."""
        return self._connection.adapter

    @property
    def class_name(self) -> str:
        """The name of the table's class (FreeTable: the CamelCase form of the table name)."""
        return type(self).__name__

    @property
    def sql_table(self) -> sa.Table:
        """The SQLAlchemy Table, for use with SQLAlchemy and alembic directly."""
        return self._source

    @property
    def heading(self) -> Heading:
        return self._heading

    @property
    def is_declared(self) -> bool:
        """Whether the table exists in the database (``create_tables=False`` declares classes without tables)."""
        table = self._source
        with self._connection.session(write=False) as conn:
            return sa.inspect(conn).has_table(table.name, schema=table.schema)

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

    @property
    def staged_insert1(self) -> Any:
        """A context manager that writes ``<object@>`` content into the store, then inserts the row.

        See :class:`datajoint_sa.staged.StagedInsert`.
        """
        from .staged import StagedInsert

        return StagedInsert(self)

    def insert(self, rows: Any, *, replace: bool = False, skip_duplicates: bool = False,
               ignore_extra_fields: bool = False, allow_direct_insert: bool | None = None,
               chunk_size: int | None = None) -> None:
        """Insert rows, all or none.

        ``rows`` may be a list (or any iterable) of dicts, of tuples in heading order or of
        numpy records, a numpy structured array, a pandas DataFrame (its index is used when
        it names attributes, as ``to_pandas()`` makes it), a pyarrow Table, a polars
        DataFrame, a ``pathlib.Path`` of a CSV file with a header line (empty fields are
        missing values), or a query expression (INSERT ... SELECT).  ``skip_duplicates`` keeps
        existing rows; ``replace`` overwrites their secondary attributes;
        ``ignore_extra_fields`` drops attributes the table does not have instead of raising.

        Rows are checked and sent in chunks (see :mod:`datajoint_sa.insert`), all in one
        transaction -- a savepoint when the call runs inside an open transaction -- so an
        invalid value or a failing row anywhere leaves nothing inserted.  With
        ``chunk_size`` each chunk of at most that many rows is its own transaction
        instead: an error keeps the chunks already inserted.
        """
        if isinstance(rows, type) and issubclass(rows, QueryExpression):
            rows = rows()
        if chunk_size is not None and (isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1):
            raise DataJointError(f"chunk_size must be a positive integer, not {chunk_size!r}.")
        self._check_insert_allowed(allow_direct_insert, rows)
        if isinstance(rows, QueryExpression):
            if chunk_size is not None:
                raise DataJointError("chunk_size is not supported for inserts from a query expression: "
                                     "INSERT ... SELECT runs in the database as one statement.")
            self._insert_from_query(rows, skip_duplicates=skip_duplicates, replace=replace,
                                    ignore_extra_fields=ignore_extra_fields)
            return
        connection = self._connection
        plan = InsertPlan(self._source, self.primary_key, connection.engine.dialect,
                          skip_duplicates=skip_duplicates, replace=replace)
        chunks = iter_chunks(rows, self._heading, connection.dialect_name, ignore_extra_fields=ignore_extra_fields,
                             chunk_rows=chunk_size, context=self._codec_context())
        if chunk_size is None:
            self._send(plan, itertools.chain.from_iterable(chunks))
            return
        for batches in chunks:
            self._send(plan, iter(batches))

    def _send(self, plan: InsertPlan, batches: Iterator[Batch]) -> None:
        """Send checked batches in one transaction (a savepoint inside the caller's transaction)."""
        batches = iter(with_provenance(batches, self))  # Entry tables: the hidden _prov record, when captured
        connection = self._connection
        dialect = connection.dialect_name
        # The first two batches are checked before a connection is taken: a small insert
        # (one batch) is fully checked before anything is sent.
        ahead = list(itertools.islice(batches, 2))
        if not ahead:
            return
        savepoint = connection.in_transaction and len(ahead) > 1
        current: Batch | None = None
        try:
            with connection.session() as conn:
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

    def _check_insert_allowed(self, allow: bool | None, rows: Any) -> None:
        """Auto-populated tables, and the parts of their masters, are written by make() only.

        Part rows without their master row are refused as the database would refuse them
        (an IntegrityError naming the master), before the rule about make() applies.
        """
        master_tier = getattr(getattr(type(self), "master", None), "tier", None)
        if self.tier not in ("Imported", "Computed") and master_tier not in ("Imported", "Computed"):
            return
        if allow or allow_direct_insert.get():
            return
        if master_tier is not None and not isinstance(rows, QueryExpression):
            self._refuse_orphans(rows)
        raise DataJointError(
            f"Inserts into {type(self).__name__}, an auto-populated table, are done by its make() during "
            "populate(). To insert directly anyway, pass allow_direct_insert=True."
        )

    def _refuse_orphans(self, rows: Any) -> None:
        from .insert import _raw_rows
        from .integrity import missing_parents

        listed = [dict(zip(names, values)) for names, values in _raw_rows(rows, self._heading)]
        missing = missing_parents(self._connection, self._source, listed)
        if missing:
            raise IntegrityError(f"Cannot insert into {self.full_table_name}: no matching row in parent table "
                                 f"{'; '.join(missing)}. Insert the parent row first.")

    def _insert_from_query(self, query: QueryExpression, *, skip_duplicates: bool, replace: bool,
                           ignore_extra_fields: bool) -> None:
        """INSERT ... SELECT: the rows go from the query to the table without passing through Python."""
        from .integrity import explain_missing_parent

        extra = [n for n in query.heading.names if n not in self._heading]
        if extra and not ignore_extra_fields:
            raise DataJointError(f"Attribute {extra[0]!r} of the query is not in {type(self).__name__}. To ignore "
                                 "extra attributes in insert, set ignore_extra_fields=True.")
        names = [n for n in query.heading.names if n in self._heading]
        missing = [n for n in self.primary_key if n not in names]
        if missing:
            raise DataJointError(f"The query lacks primary-key attribute(s) {', '.join(missing)} of {type(self).__name__}.")
        dialect = self._connection.dialect_name
        select = query.make_select(names)
        columns, select = with_provenance_select(self, query._state, names, select)
        statement = insert_statement(self._source, columns, self.primary_key, dialect,
                                     skip_duplicates=skip_duplicates, replace=replace)
        if dialect == "sqlite" and (skip_duplicates or replace) and isinstance(select, sa.Select):
            # "INSERT ... SELECT ... ON CONFLICT" is ambiguous to SQLite's parser without a WHERE
            # clause (https://www.sqlite.org/lang_upsert.html, "Parsing Ambiguity"); where(true)
            # renders "WHERE 1 = 1" alone and disappears beside another condition.
            select = select.where(sa.true())
        try:
            self._connection.execute(statement.from_select(columns, select))
        except IntegrityError as err:
            if isinstance(err, DuplicateError):
                raise
            sample = self._connection.execute(query.make_select(names).limit(10_000)).mappings().all()
            raise explain_missing_parent(self._connection, self._source, sample, "insert into", err) from err

    def _explain(self, err: DataJointError, batches: list[Batch | None]) -> DataJointError:
        """Name the parent table and attributes whose row is missing when a foreign key fails on insert."""
        from .integrity import explain_missing_parent

        if not isinstance(err, IntegrityError) or isinstance(err, DuplicateError):
            return err
        rows = (dict(zip(b.names, t)) for b in batches if b is not None for t in b.tuples())
        return explain_missing_parent(self._connection, self._source, rows, "insert into", err)

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
        """Delete the restricted rows without cascading or prompting; refuses if other rows reference them."""
        from .integrity import explain_blocked_delete

        table = self._source
        keys = self.make_select(self.primary_key)
        if self._connection.dialect_name == "mysql":  # no subquery on the target table (MySQL error 1093)
            derived = keys.subquery()
            keys = sa.select(*derived.c)
        columns = [table.c[k] for k in self.primary_key]
        target = columns[0].in_(keys) if len(columns) == 1 else sa.tuple_(*columns).in_(keys)
        try:
            result = self._connection.execute(sa.delete(table).where(target))
        except IntegrityError as err:
            raise explain_blocked_delete(self, err) from err
        return result.rowcount if get_count else None

    def delete(self, transaction: bool = True, prompt: bool | None = None, part_integrity: str = "enforce") -> int:
        """Delete the restricted rows and every row that depends on them, in one transaction.

        In safemode (or with ``prompt=True``) the rows deleted from each table are shown
        and the transaction commits only after confirmation; ``prompt=False`` skips the
        question.  Inside an ongoing transaction (and ``prompt=False``) the delete joins
        it, under a savepoint.  ``part_integrity`` applies when part rows would go
        without any row of their master: ``"enforce"`` refuses, ``"ignore"`` allows it,
        ``"cascade"`` deletes the masters (and their other parts) too.  Returns the
        number of rows deleted from this table.
        """
        from .delete import delete_rows

        prompt = self.connection.config["safemode"] if prompt is None else prompt
        return delete_rows(self, prompt=prompt, part_integrity=part_integrity, transaction=transaction)

    def drop_quick(self) -> None:
        """Drop this table without prompting; refuses if other tables depend on it."""
        from .drop import drop_alone

        drop_alone(self)

    def drop(self, prompt: bool | None = None, part_integrity: str = "enforce") -> None:
        """Drop this table and every table that depends on it, after confirmation in safemode.

        A part table is dropped only with its master unless ``part_integrity="ignore"``.
        """
        from .drop import drop_with_dependents

        if self._where:
            raise DataJointError("A table with an applied restriction cannot be dropped: call drop() on the "
                                 "unrestricted table.")
        prompt = self.connection.config["safemode"] if prompt is None else prompt
        drop_with_dependents(self, prompt=prompt, part_integrity=part_integrity)

    # -- checking and frames -------------------------------------------------------------------------
    def validate(self, rows: Any, *, ignore_extra_fields: bool = False) -> Any:
        """Check rows as insert() would, without inserting; returns a ValidationResult listing every problem."""
        from .validate import validate_rows

        return validate_rows(rows, self._heading, ignore_extra_fields=ignore_extra_fields)

    def insert_dataframe(self, df: Any, index_as_pk: bool | None = None, **insert_options: Any) -> None:
        """Insert a pandas DataFrame, taking its index as the primary key when it names the key (as to_pandas() makes it).

        ``index_as_pk``: None uses the index when its names are the primary key's, True
        requires that, False ignores the index.  Other options go to insert() (``chunk_size``, ...).
        """
        if not (type(df).__name__ == "DataFrame" and hasattr(df, "reset_index") and hasattr(df, "iloc")):
            raise DataJointError(f"insert_dataframe requires a pandas DataFrame, not {type(df).__name__}; "
                                 "use insert() for other kinds of rows.")
        names = [n for n in df.index.names if n is not None]
        if index_as_pk is None:
            index_as_pk = bool(names) and set(names) <= set(self.primary_key)
        elif index_as_pk and set(names) != set(self.primary_key):
            raise DataJointError(f"DataFrame index columns {names} do not match the primary key "
                                 f"{list(self.primary_key)} of {self.class_name}. Pass index_as_pk=False to "
                                 "ignore the index, or reset_index() first.")
        self.insert(df.reset_index(drop=not index_as_pk), **insert_options)

    # -- update ---------------------------------------------------------------------------------
    def update1(self, row: Any) -> None:
        """Change secondary attributes of one existing row, given with its full primary key.

        An attribute set to None takes its default (NULL when nullable).
        """
        from .update import update_one

        if self._where:
            raise DataJointError("update1 works on a whole table, not on a restricted one: give the key in the row.")
        update_one(self, row)

    # -- schema evolution -------------------------------------------------------------------------
    def alter(self, prompt: bool = True, context: Any = None) -> bool:
        """Change the table in the database to match the class definition, keeping its rows.

        Secondary attributes are added, dropped, renamed (a comment opening with
        ``{old_name}`` renames ``old_name``) or changed; secondary foreign keys,
        indexes and the table comment follow the definition.  With ``prompt`` the
        planned changes are shown for confirmation.  A change of the primary key
        raises NotImplementedError: that takes a migration (``python -m datajoint_sa``).
        Returns whether the table changed.  Foreign keys resolve in the names seen when
        the class was declared; names in ``context`` take precedence over those.
        """
        from .migrate import alter

        return alter(self, prompt=prompt, context=context)

    # -- description ------------------------------------------------------------------------------
    def describe(self, context: Any = None, printout: bool = False) -> str:
        """The definition of this table, written back from its heading and the database.

        Declaring the returned text gives the same table.  ``context`` is accepted for
        compatibility with DataJoint 2.x; class names are found in the declaring module.
        """
        from .migrate.describe import describe

        text = describe(self)
        if printout:
            print(text)
        return text


class TableNotConfigured(DataJointError, AttributeError):
    """A table class used before it is declared: not decorated, or its schema not activated.

    Also an AttributeError, so ``hasattr`` and introspection treat the missing
    attributes as missing instead of failing.
    """


def _not_configured_message(cls: type) -> str:
    schema = cls.__dict__.get("_schema")
    if schema is not None and not schema.is_activated():
        how = "its schema is not activated yet. Call schema.activate('database_name') first"
    else:
        how = "decorate the class with a schema first (@schema, from schema = dj.Schema('database_name'))"
    return f"Table {cls.__name__} is not properly configured: {how}."


_STATES: weakref.WeakKeyDictionary[sa.FromClause, SelectState] = weakref.WeakKeyDictionary()


def _table_state(table: sa.FromClause) -> SelectState:
    """The SELECT state of a whole table (one per table object, shared by its instances)."""
    state = _STATES.get(table)
    if state is None:
        state = _STATES[table] = SelectState.of_table(table)
    return state


class FreeTable(Table):
    """A table addressed by name, without a class: ``FreeTable(conn, "schema.table")``.

    Its attributes' lineages are those recorded in the schema's ``~lineage`` table, else
    followed through the reflected foreign keys.
    """

    def __init__(self, connection: Any, full_table_name: str | None = None, *,
                 _name: tuple[str, str] | None = None) -> None:
        # ``_name`` = (schema, table) as stored, for names a quoted full name cannot carry (quotes in them)
        if isinstance(connection, str) and full_table_name is None:  # FreeTable("schema.table"): dj.conn()
            from .instance import conn

            connection, full_table_name = conn(), connection
        schema, table = _name or full_table_name.replace("`", "").replace('"', "").partition(".")[::2]
        sql_schema, sql_name = connection.rules.sql_table(schema, table)
        from .engine.catalog import read_lineage
        from .reflect import adopt_core_types, heading_from_table
        from .sqlite_comments import reflect_tables

        try:
            with connection.session() as conn:
                (reflected,) = reflect_tables(conn, [(sql_schema, sql_name)])
        except sa.exc.NoSuchTableError:
            raise DataJointError(f"Table {schema}.{table} does not exist in the database; "
                                 "check the schema and table names (tier prefixes included).") from None
        recorded = {attribute: lineage for (_, attribute), lineage in read_lineage(connection, schema, table).items()}

        self._connection = connection
        self._source = reflected
        self._state = _table_state(reflected)
        self._heading = heading_from_table(reflected, schema, table, recorded)
        adopt_core_types(reflected, self._heading, connection.dialect_name)
        self.table_name = table
        self._database = schema

    @property
    def database(self) -> str:
        return self._database

    @property
    def _caption(self) -> str:
        """The line above the preview, as DataJoint prints a FreeTable (kept by restrict and proj)."""
        return f"FreeTable({self.full_table_name})"

    @property
    def class_name(self) -> str:
        from .naming import to_camel_case

        return to_camel_case(self.table_name)

