"""Schemas: the ``@schema`` decorator that declares table classes in a database schema."""

from __future__ import annotations

import dataclasses
import inspect
import logging
import re
import types
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

import sqlalchemy as sa

from .declare import Parent, build_table, parse_definition, resolve_reference
from .engine import catalog
from .engine.connection import Connection
from .errors import AccessError, DataJointError, DeclarationError
from .naming import table_name_for
from .prompts import confirm
from .table import FreeTable, Table
from .user_tables import Part, UserTable
from .virtual import reflect_schema

__all__ = ["Schema", "list_schemas"]

logger = logging.getLogger("datajoint_sa")


def _frame_context(depth: int) -> dict[str, Any]:
    """Names visible where the decorator or constructor was called: module globals, then locals."""
    frame = inspect.currentframe()
    for _ in range(depth + 1):
        frame = frame.f_back if frame is not None else None
    if frame is None:
        return {}
    try:
        return {**frame.f_globals, **frame.f_locals}
    finally:
        del frame


def _caller_locals() -> dict[str, Any]:
    """The local names of the user's frame that called a Schema method calling this."""
    frame = inspect.currentframe()
    try:
        return frame.f_back.f_back.f_locals  # type: ignore[union-attr]
    finally:
        del frame


class Schema:
    """A database schema whose tables are declared by decorating classes with it.

    ``Schema("lab")`` creates or opens schema ``lab`` now; ``Schema()`` defers that
    until ``activate("lab")``, so modules can declare tables before the database is
    chosen.  Foreign-key names resolve in ``context`` if given, else in the names
    visible where each class is decorated.  ``metadata`` is the SQLAlchemy MetaData of
    the declared tables, which alembic's autogenerate compares with the database.
    """

    def __init__(self, schema_name: str | None = None, context: Mapping[str, Any] | None = None, *,
                 connection: Connection | None = None, create_schema: bool = True,
                 create_tables: bool | None = None, add_objects: Mapping[str, Any] | None = None,
                 _register: bool = True) -> None:
        self._register = _register
        self.database: str | None = None
        # the caller's own mapping, when it is one, so make_classes() puts the classes where the caller looks
        self.context = (context if isinstance(context, MutableMapping) else dict(context)) if context is not None else None
        self.connection: Connection | None = connection
        self.metadata = sa.MetaData()
        self.create_tables = create_tables
        # Every class decorated, with the names seen then: declared on activate(), and again
        # on a later activate() after drop().
        self._decorated: list[tuple[type, dict[str, Any]]] = []
        self._classes: dict[str, type] = {}
        self._linking: dict[str, Any] = {}
        if schema_name is not None:
            self.activate(schema_name, connection=connection, create_schema=create_schema,
                          create_tables=create_tables, add_objects=add_objects)

    # -- activation -------------------------------------------------------------------
    def activate(self, schema_name: str | None = None, *, connection: Connection | None = None,
                 create_schema: bool | None = None, create_tables: bool | None = None,
                 linking_module: types.ModuleType | Mapping[str, Any] | None = None,
                 add_objects: Mapping[str, Any] | None = None) -> Schema:
        """Bind this schema to a database schema and declare the classes decorated so far."""
        if schema_name is None:
            if self.database is None:
                raise DataJointError("activate() needs a schema name.")
            return self
        if self.database is not None and self.database != schema_name and self._declared_any():
            raise DataJointError(f"Schema is already activated as {self.database!r}; cannot activate as {schema_name!r}.")
        _check_schema_name(schema_name)
        self._add_names(linking_module, add_objects)
        if connection is not None:
            self.connection = connection
        if self.connection is None:
            from .instance import conn

            self.connection = conn()
        if create_tables is not None:
            self.create_tables = create_tables
        self.database = schema_name
        self._ensure_exists(create_schema)
        if self._register or schema_name not in self.connection.schemas:
            self.connection.schemas[schema_name] = self
        for cls, context in self._decorated:
            if cls.__dict__.get("_declared") is None:  # not yet, or no longer (after drop())
                self._declare(cls, context)
        return self

    def _declared_any(self) -> bool:
        """Whether tables of this schema are declared (false before activate() and after drop())."""
        return bool(self._classes)

    def _add_names(self, linking_module: types.ModuleType | Mapping[str, Any] | None,
                   add_objects: Mapping[str, Any] | None) -> None:
        """Names foreign keys may refer to besides the declaring module's (the Elements' linking module)."""
        if linking_module is not None:
            self._linking = dict(vars(linking_module) if isinstance(linking_module, types.ModuleType) else linking_module)
        if add_objects:
            self._linking.update(add_objects)

    def _ensure_exists(self, create_schema: bool | None) -> None:
        if catalog.schema_exists(self.connection, self.database):
            return
        if create_schema is False:
            raise DataJointError(f"Schema {self.database!r} does not exist and create_schema=False.")
        catalog.create_schema(self.connection, self.database)
        logger.debug("Created schema %s", self.database)

    def is_activated(self) -> bool:
        """Whether the schema is bound to a database schema (``activate`` was called with a name)."""
        return self.database is not None

    # -- declaration ---------------------------------------------------------------------
    def __call__(self, cls: type, *, context: Mapping[str, Any] | None = None) -> type:
        """Declare a table class in this schema (a class decorator)."""
        if not (isinstance(cls, type) and issubclass(cls, UserTable)):
            raise DataJointError(f"@schema decorates table classes (Manual, Lookup, Imported, Computed); got {cls!r}.")
        if issubclass(cls, Part):
            raise DataJointError(f"Part table {cls.__name__} is declared with its master: nest it in the master class.")
        seen = dict(context) if context is not None else _frame_context(1)
        if not _has_definition(cls):
            if self._adopt_existing(cls):
                return cls
            raise NotImplementedError(f"Table class {cls.__name__} has no `definition`: give it the table's "
                                      "definition string (class attribute `definition = \"\"\"...\"\"\"`).")
        self._decorated = [(c, s) for c, s in self._decorated if c is not cls] + [(cls, seen)]
        if self.database is None:
            cls._schema = self  # so that using it says the schema is not activated
        else:
            self._declare(cls, seen)
        return cls

    def _adopt_existing(self, cls: type) -> bool:
        """Bind a class without a definition to its table when the table exists, as read from the database.

        DataJoint declares only missing tables, so a class naming an existing table
        needs no definition; its heading is the table's.
        """
        if self.database is None:
            return False
        table_name = table_name_for(cls.__name__, cls.tier, None)
        existing = reflect_schema(self.connection, self.database).get(table_name)
        if existing is None:
            return False
        cls._declared, cls._schema, cls.table_name = existing, self, table_name
        cls._declaration, cls._parts = ({}, None), ()
        self._classes[cls.__name__] = cls
        return True

    def _context(self, seen: Mapping[str, Any], cls: type) -> dict[str, Any]:
        module = inspect.getmodule(cls)
        names: dict[str, Any] = dict(vars(module)) if module is not None else {}
        names.update(seen)
        names.update(self._linking)
        if self.context is not None:
            names.update(self.context)
        names.update(self._classes)
        return names

    def _declare(self, cls: type, seen: Mapping[str, Any], master: type | None = None) -> None:
        tier = "Part" if master is not None else cls.tier
        table_name = table_name_for(cls.__name__, tier, master.table_name if master is not None else None)
        cls._declaration = (seen, master)
        sql_schema, sql_name = self.connection.rules.sql_table(self.database, table_name)
        existing = self.metadata.tables.get(f"{sql_schema}.{sql_name}" if sql_schema else sql_name)
        if existing is not None:
            self.metadata.remove(existing)
        declared = self.build(cls, self.metadata, table_name)
        if master is None and hasattr(cls, "_declare_check"):
            cls._declare_check(declared)
        cls._declared = declared
        cls._schema = self
        _document(cls)
        cls.table_name = table_name
        if master is not None:
            cls.master = master
        creating = self.create_tables is not False and self.connection.config["database.create_tables"]
        contents = _lookup_contents(cls) if creating and cls.tier == "Lookup" and master is None else None
        if creating:
            self._create(cls, declared)
        # A Part is known by its master's name: a bare name would shadow another table of that name.
        self._classes[cls.__name__ if master is None else f"{master.__name__}.{cls.__name__}"] = cls
        parts = _part_classes(cls)
        cls._parts = tuple(parts)
        for part in parts:
            self._declare(part, {**seen, cls.__name__: cls}, master=cls)
        if contents is not None and len(contents):
            cls().insert(contents, skip_duplicates=True)

    def build(self, cls: type, metadata: sa.MetaData, table_name: str | None = None) -> Any:
        """The DeclaredTable of a class from its current ``definition``, added to ``metadata``; nothing is created.

        Foreign keys resolve in the names seen when the class was declared, so the
        definition reads the same when built again later (as alter() does).
        """
        seen, master = cls.__dict__.get("_declaration", ({}, None))
        context = self._context(seen, cls)
        table_name = table_name or cls.table_name
        try:
            definition = parse_definition(cls.definition)
            platform = getattr(cls, "_platform_attribute_lines", tuple)()  # hidden attributes (job metadata)
            if platform:
                definition = dataclasses.replace(definition, lines=(*definition.lines, *platform))
            return build_table(definition, schema=self.database, table=table_name, metadata=metadata,
                               rules=self.connection.rules, resolve=lambda ref: _resolve(ref, context, master, cls))
        except DataJointError as err:
            if type(err) is not DataJointError:  # a more specific error already says what it is
                raise
            raise DataJointError(f"In the definition of {cls.__name__}: {err}") from None

    def redeclare(self, cls: type) -> None:
        """Declare a class again from its current definition (after alter() changed its table)."""
        seen, master = cls.__dict__.get("_declaration", ({}, None))
        self._declare(cls, seen, master)

    def _create(self, cls: type, declared: Any) -> None:
        connection = self.connection
        table = declared.table
        with connection.session(write=False) as conn:  # existing tables need no write lock (SQLite)
            if sa.inspect(conn).has_table(table.name, schema=table.schema):
                return
        with connection.transaction:
            with connection.session() as conn:
                if sa.inspect(conn).has_table(table.name, schema=table.schema):
                    return
                for enum in declared.enum_types:
                    enum.create(conn, checkfirst=True)
                try:
                    table.create(conn)
                except sa.exc.DBAPIError as err:
                    from .engine.errors import translate

                    reason = translate(err, connection.dialect_name)
                    # a missing privilege stays an AccessError, so callers can tell it from a bad definition
                    kind = type(reason) if isinstance(reason, AccessError) else DeclarationError
                    raise kind(f"Cannot create table {cls.__name__}: {reason.args[0]}") from err
            catalog.write_lineage(connection, self.database, cls.table_name, declared.heading.lineages)
        connection.invalidate_dependencies()
        logger.debug("Declared %s as %s", cls.__name__, table.name)

    def declare_hidden(self, table_name: str, definition: str) -> Any:
        """Declare a bookkeeping table (name starting with ``~``) from a definition; returns its DeclaredTable."""
        self._require_active()
        declared = build_table(parse_definition(definition), schema=self.database, table=table_name,
                               metadata=sa.MetaData(), rules=self.connection.rules,
                               resolve=lambda ref: _resolve(ref, {}, None))
        with self.connection.session(write=False) as conn:
            exists = sa.inspect(conn).has_table(declared.table.name, schema=declared.table.schema)
        if exists:
            return declared
        with self.connection.transaction, self.connection.session() as conn:
            if not sa.inspect(conn).has_table(declared.table.name, schema=declared.table.schema):
                for enum in declared.enum_types:
                    enum.create(conn, checkfirst=True)
                declared.table.create(conn)
        return declared

    # -- inspection and removal ---------------------------------------------------------------
    @property
    def exists(self) -> bool:
        self._require_active()
        return catalog.schema_exists(self.connection, self.database)

    @property
    def lineage(self) -> dict[str, str]:
        """``{"schema.table.attribute": lineage}`` for every attribute with a lineage, from ``~lineage``."""
        self._require_active()
        rows = catalog.read_lineage(self.connection, self.database)
        return {f"{self.database}.{table}.{attribute}": lineage
                for (table, attribute), lineage in sorted(rows.items())}

    def list_tables(self) -> list[str]:
        """Names of the tables in this schema, in the database, parents before children."""
        self._require_active()
        names = catalog.list_tables(self.connection, self.database)
        graph = self.connection.dependencies
        if any((self.database, n) not in graph for n in names):
            self.connection.invalidate_dependencies()
            graph = self.connection.dependencies
        ordered = [t for s, t in graph.topological((self.database, n) for n in names)]
        return ordered + [n for n in names if n not in ordered]

    @property
    def jobs(self) -> list[Any]:
        """The jobs tables of this schema's auto-populated tables, for those that have one already."""
        self._require_active()
        from .populate.jobs import existing_jobs_tables

        return existing_jobs_tables(self)

    def drop(self, prompt: bool | None = None, force: bool = False) -> None:
        """Drop the schema with all its tables, after confirmation when safemode is on."""
        self._require_active()
        prompt = self.connection.config["safemode"] if prompt is None else prompt  # an Instance's own config
        if not catalog.schema_exists(self.connection, self.database):
            return
        if prompt and not confirm(f"Proceed to delete entire schema {self.database!r} with all its tables and data?"):
            return
        catalog.drop_schema(self.connection, self.database)
        self.connection.invalidate_dependencies()
        self.connection.schemas.pop(self.database, None)
        for cls in self._classes.values():
            cls._declared = None
        self._classes.clear()
        self.metadata = sa.MetaData()
        logger.info("Dropped schema %s", self.database)

    def _require_active(self) -> None:
        if self.database is None:
            raise DataJointError("The schema is not activated yet: call schema.activate(name).")

    # -- tables by name ------------------------------------------------------------------------
    def _find_table_name(self, name: str) -> str | None:
        """The table name of a table given by table name or class name, tier prefix optional."""
        if name[:1].isupper():
            name = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        tables = catalog.list_tables(self.connection, self.database)
        return next((p + name for p in ("", "#", "_", "__") if p + name in tables), None)

    def get_table(self, name: str) -> FreeTable:
        """A FreeTable for a table of this schema: ``get_table("session")`` or ``get_table("Session")``."""
        self._require_active()
        table_name = self._find_table_name(name)
        if table_name is None:
            raise DataJointError(f"Table {name!r} does not exist in schema {self.database!r}.")
        return FreeTable(self.connection, f"{self.database}.{table_name}", _name=(self.database, table_name))

    def __getitem__(self, name: str) -> FreeTable:
        return self.get_table(name)

    def __iter__(self) -> Iterator[FreeTable]:
        """FreeTables of the schema's tables, parents before children."""
        for table_name in self.list_tables():
            yield self.get_table(table_name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and bool(name) and self._find_table_name(name) is not None

    def declared_class(self, class_name: str) -> type:
        """The class declared in this schema under ``class_name``."""
        try:
            return self._classes[class_name]
        except KeyError:
            raise DataJointError(f"Schema {self.database!r} has no table class {class_name!r}; "
                                 f"declared: {', '.join(self._classes)}.") from None

    # -- existing tables as classes -------------------------------------------------------------
    def make_classes(self, into: MutableMapping[str, Any] | None = None) -> None:
        """Create classes for the schema's tables that have none in ``into`` (default: the caller's names).

        Each class gets the tier its table name says; Part tables become attributes of
        their masters.  The classes query, insert and delete like declared ones.
        """
        from .virtual import make_classes

        self._require_active()
        if into is None:
            into = self.context if self.context is not None else _caller_locals()
        make_classes(self, into)

    def spawn_missing_classes(self, context: MutableMapping[str, Any] | None = None) -> None:
        """DataJoint 1.x's name for make_classes(into=context)."""
        if context is None:
            context = self.context if self.context is not None else _caller_locals()
        self.make_classes(context)

    def rebuild_lineage(self) -> None:
        """Write ``~lineage`` again for every table, from the tables' keys and foreign keys.

        For schemas made before lineage was recorded; schemas upstream (reached by
        foreign keys) should be rebuilt first.
        """
        from .virtual import rebuild_lineage

        self._require_active()
        rebuild_lineage(self.connection, self.database)

    def save(self, path: str | None = None) -> str:
        """The text of a Python module declaring this schema's tables; written to ``path`` if given."""
        from .save import module_text

        self._require_active()
        text = module_text(self)
        if path is not None:
            with open(path, "w", encoding="utf-8") as file:
                file.write(text)
        return text

    def __repr__(self) -> str:
        return f"Schema `{self.database}`" if self.database else "Schema() (not activated)"  # as DataJoint prints it


def _has_definition(cls: type) -> bool:
    """Whether a table class defines ``definition`` itself (the tiers' empty default is none).

    A class without one (a misspelled ``definitions = ...``) can only stand for an
    existing table; otherwise decorating it raises NotImplementedError, as DataJoint does.
    """
    tiers_module = UserTable.__module__
    return any("definition" in vars(k) for k in cls.__mro__ if getattr(k, "__module__", None) != tiers_module)


def _check_schema_name(name: str) -> None:
    if not isinstance(name, str) or not name or not name.replace("_", "a").isalnum() or name[0].isdigit():
        raise DataJointError(f"Invalid schema name {name!r}: use letters, digits and underscores, not starting with a digit.")


def _resolve(ref: str, context: Mapping[str, Any], master: type | None, owner: type[Table] | None = None) -> Parent:
    """The declared table class a foreign-key reference names (``master``, ``self.x`` included)."""
    return resolve_reference(ref, context, master=master, owner=owner)


_DEFINITION_DOC = "\nTable definition:\n\n"


def _document(cls: type) -> None:
    """End the class docstring with the current definition, so help(Table) shows it (replaced on redeclaration)."""
    doc = (cls.__dict__.get("__doc__") or "").split(_DEFINITION_DOC)[0]
    cls.__doc__ = f"{doc}{_DEFINITION_DOC}{cls.definition}" if cls.definition else doc or None


def _part_classes(cls: type) -> list[type]:
    """The Part classes nested in a master, inherited ones included, in the order they were written."""
    found: dict[str, type] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, type) and issubclass(value, Part):
                found[name] = value
    return list(found.values())


def list_schemas(connection: Connection | None = None) -> list[str]:
    """Names of the schemas in the database."""
    if connection is None:
        from .instance import conn

        connection = conn()
    return catalog.list_schemas(connection)


def _lookup_contents(cls: type) -> Any:
    """A Lookup class's ``contents`` as rows: a list, tuple, array or frame as given; any other iterable, read out.

    ``contents`` may be a class attribute, a property, a generator or ``zip(...)``;
    it is read before the table is created, so bad contents leave no empty table behind.
    """
    contents = type.__getattribute__(cls, "contents") if "contents" in dir(cls) else None
    if isinstance(contents, property):
        contents = cls().contents
    if contents is None or hasattr(contents, "__len__") and not isinstance(contents, (str, bytes, Mapping)):
        return contents
    if isinstance(contents, (str, bytes, Mapping)) or not hasattr(contents, "__iter__"):
        raise DataJointError(f"The contents of Lookup table {cls.__name__} must be a collection of rows; "
                             f"got {type(contents).__name__}.")
    return list(contents)
