"""Connection: a SQLAlchemy Engine with DataJoint's transaction and error conventions.

The Engine brings pooling, pre-ping reconnection and the dialect.  This class adds
``conn.transaction`` (one transaction per thread, nested blocks join the outer
one, rollback on error) and wraps driver errors in the DataJoint error tree.
"""

from __future__ import annotations

import contextlib
import logging
import pathlib
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from ..dialects import DialectRules, autocommits_cheaply, rules_for
from ..errors import DataJointError
from ..settings import DEFAULT_SQLITE_FILENAME, Config
from ..types import TextJSON
from .direct import on_cursor
from .errors import translate

__all__ = ["Connection", "url_from_config"]

logger = logging.getLogger("datajoint_sa")

DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}
DRIVERS = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql"}
EXTRAS = {"psycopg": "postgresql", "pymysql": "mysql"}
WRITE_FLAG = "datajoint_may_write"


def url_from_config(cfg: Config) -> sa.engine.URL:
    """The SQLAlchemy URL that the configuration selects."""
    if cfg["database.url"]:
        return sa.engine.make_url(cfg["database.url"])
    backend = cfg["database.backend"]
    host = cfg["database.host"]
    if backend == "sqlite" or (backend is None and host is None):
        name = cfg["database.name"] if backend == "sqlite" and cfg["database.name"] else DEFAULT_SQLITE_FILENAME
        return sa.engine.URL.create("sqlite", database=str(pathlib.Path(name).absolute()))
    backend = backend or "mysql"
    host = host or "localhost"
    port = cfg["database.port"]
    if ":" in host and port is None:
        host, port_text = host.rsplit(":", 1)
        port = int(port_text)
    database = cfg["database.name"] or ("postgres" if backend == "postgresql" else None)
    query = {"charset": "utf8mb4"} if backend == "mysql" else {}
    return sa.engine.URL.create(
        DRIVERS[backend], username=cfg["database.user"], password=cfg["database.password"], host=host,
        port=port or DEFAULT_PORTS[backend], database=database, query=query,
    )


#: How long an SQLite connection waits for another process's lock before failing (milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 60_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite (https://www.sqlite.org/foreignkeys.html#fk_enable);
    # WAL lets readers run beside one writer, which concurrent populate workers rely on.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, see _sqlite_begin


def _sqlite_begin(connection: sa.Connection) -> None:
    # pysqlite's implicit transactions skip DDL and SELECT; an explicit BEGIN makes every
    # SQLAlchemy transaction a real one (SQLAlchemy docs, "Serializable isolation / Savepoints").
    # A transaction that may write takes the write lock at once (BEGIN IMMEDIATE): a deferred
    # transaction that upgrades to writing while another process writes fails with SQLITE_BUSY
    # instead of waiting (https://www.sqlite.org/lang_transaction.html).
    # Sent on the driver's cursor: once per transaction, SQLAlchemy's execution would cost more than the BEGIN.
    begin = "BEGIN IMMEDIATE" if connection.info.get(WRITE_FLAG, True) else "BEGIN"
    on_cursor(connection, connection.dialect, begin, lambda cursor: cursor.execute(begin))


def _sqlite_type_names(dialect: sa.Dialect) -> None:
    # SQLite keeps column types as written; SQLAlchemy reflects names it does not know by
    # affinity (https://www.sqlite.org/datatype3.html#determination_of_column_affinity), which
    # turns BINARY(16) (uuid) into NUMERIC and loses JSON_TEXT (json).  Tables rebuilt from a
    # reflection (alembic's batch mode) would take those guesses, so this engine knows the names.
    dialect.ischema_names = {**dialect.ischema_names, "BINARY": sa.BINARY, "JSON_TEXT": TextJSON}


def create_engine(url: sa.engine.URL | str) -> sa.Engine:
    """A SQLAlchemy Engine for ``url`` with the settings DataJoint relies on."""
    url = sa.engine.make_url(url)
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if url.get_backend_name() == "sqlite":
        kwargs = {"connect_args": {"timeout": 60, "check_same_thread": False}}
    elif url.get_backend_name() in ("mysql", "mariadb"):
        kwargs["pool_recycle"] = 3600
    try:
        engine = sa.create_engine(url, **kwargs)
    except ModuleNotFoundError as err:
        extra = EXTRAS.get(err.name or "", "all")
        raise DataJointError(
            f"The database driver {err.name!r} for {url.drivername} is not installed; "
            f"install it with: pip install 'datajoint_sa[{extra}]'"
        ) from None
    if url.get_backend_name() == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
        _sqlite_type_names(engine.dialect)
    return engine


class Connection:
    """A connection to one database server (or SQLite file), shared by the schemas that use it."""

    def __init__(self, url: sa.engine.URL | str | None = None, *, engine: sa.Engine | None = None) -> None:
        if engine is None:
            if url is None:
                raise DataJointError("Connection needs a database URL or an Engine.")
            engine = create_engine(url)
        self.engine: sa.Engine = engine
        self.dialect_name: str = "mysql" if engine.dialect.name == "mariadb" else engine.dialect.name
        self.rules: DialectRules = rules_for(self.dialect_name)
        self._local = threading.local()
        self._logged = False
        self.schemas: dict[str, Any] = {}  # schema name -> Schema, for resolving names across schemas
        self._dependencies: Any = None

    # -- identity ----------------------------------------------------------------
    @property
    def url(self) -> sa.engine.URL:
        return self.engine.url

    def __repr__(self) -> str:
        return f"<datajoint_sa.Connection {self.url.render_as_string(hide_password=True)}>"

    @property
    def is_connected(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
            return True
        except sa.exc.DBAPIError:
            return False

    def _log_first_use(self) -> None:
        if not self._logged:
            self._logged = True
            where = self.url.database if self.dialect_name == "sqlite" else self.url.render_as_string(hide_password=True)
            logger.info("datajoint_sa connected to %s database %s", self.dialect_name, where)

    # -- dependency graph --------------------------------------------------------------
    @property
    def dependencies(self) -> Any:
        """The foreign-key graph of the whole database (a DependencyGraph), loaded on first use."""
        if self._dependencies is None:
            from ..dependencies import DependencyGraph
            from .foreign_keys import read_foreign_keys, read_primary_keys

            self._dependencies = DependencyGraph(read_primary_keys(self), read_foreign_keys(self))
        return self._dependencies

    def invalidate_dependencies(self) -> None:
        """Forget the dependency graph; the next use reloads it (after tables are created or dropped)."""
        self._dependencies = None

    def full_name(self, node: tuple[str, str]) -> str:
        """The quoted name of table ``(schema, table)`` as this database spells it."""
        preparer = self.engine.dialect.identifier_preparer
        sql_schema, sql_name = self.rules.sql_table(*node)
        if sql_schema:
            return f"{preparer.quote_identifier(sql_schema)}.{preparer.quote_identifier(sql_name)}"
        return preparer.quote_identifier(sql_name)

    # -- transactions ----------------------------------------------------------------
    @property
    def in_transaction(self) -> bool:
        return getattr(self._local, "connection", None) is not None

    @property
    def transaction(self) -> contextlib.AbstractContextManager[Connection]:
        """``with conn.transaction:`` commits at the end of the block, or rolls back on error.

        A block inside another joins it: everything commits or rolls back together.
        """
        return self._transaction()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Connection]:
        with self._session(write=True):
            yield self

    @contextlib.contextmanager
    def _session(self, *, write: bool) -> Iterator[sa.Connection]:
        """The current transaction's connection, or a new transaction for the duration of the block."""
        current = getattr(self._local, "connection", None)
        if current is not None:
            yield current
            return
        held = getattr(self._local, "held", None)
        try:
            opened = contextlib.nullcontext(held) if held is not None else self.engine.connect()
        except sa.exc.DBAPIError as err:  # the server cannot be reached
            raise translate(err, self.dialect_name) from err
        with opened as connection, self._session_on(connection, write=write):
            yield connection

    def start_transaction(self) -> None:
        """Begin a transaction that lasts until commit_transaction() or cancel_transaction()."""
        if self.in_transaction:
            raise DataJointError("A transaction is already in progress on this connection.")
        self._log_first_use()
        connection = self.engine.connect()
        connection.info[WRITE_FLAG] = True
        connection.begin()
        self._local.connection = connection

    def commit_transaction(self) -> None:
        self._finish(commit=True)

    def cancel_transaction(self) -> None:
        self._finish(commit=False)

    def _finish(self, *, commit: bool) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            raise DataJointError("No transaction is in progress on this connection.")
        self._local.connection = None
        try:
            connection.commit() if commit else connection.rollback()
        finally:
            connection.close()

    @contextlib.contextmanager
    def schema_change(self) -> Iterator[sa.Connection]:
        """A transaction for statements that rebuild tables (alter, migrations).

        SQLite rebuilds a table by copying it and dropping the original, which its
        foreign keys would refuse or cascade; so there enforcement is off for the
        duration (it can only be switched outside a transaction) and the keys are
        checked before commit (https://www.sqlite.org/lang_altertable.html#otheralter).
        """
        if self.in_transaction:
            raise DataJointError("Tables cannot be changed inside a transaction.")
        if self.dialect_name != "sqlite":
            with self._session(write=True) as connection:
                yield connection
            return
        with self.engine.connect() as connection:
            raw = connection.connection.driver_connection
            raw.execute("PRAGMA foreign_keys=OFF")
            try:
                with self._session_on(connection):
                    yield connection
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise DataJointError(f"The change would break foreign keys: {broken[:5]}")
            finally:
                raw.execute("PRAGMA foreign_keys=ON")

    @contextlib.contextmanager
    def _session_on(self, connection: sa.Connection, *, write: bool = True) -> Iterator[sa.Connection]:
        """A transaction on ``connection`` that this thread's statements join until the block ends."""
        self._log_first_use()
        connection.info[WRITE_FLAG] = write
        try:
            with connection.begin():
                self._local.connection = connection
                try:
                    yield connection
                finally:
                    self._local.connection = None
        except sa.exc.DBAPIError as err:
            raise translate(err, self.dialect_name) from err

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Run the transactions inside the block on one pooled connection, kept checked out.

        For loops of many short transactions (populate): each would otherwise check a
        connection out of the pool and ping the server first.
        """
        if getattr(self._local, "held", None) is not None or self.in_transaction:
            yield
            return
        self._log_first_use()
        with self.engine.connect() as connection:
            self._local.held = connection
            try:
                yield
            finally:
                self._local.held = None

    @contextlib.contextmanager
    def autocommitting(self) -> Iterator[None]:
        """Inside the block, this thread keeps one more connection checked out, in autocommit mode.

        Direct statements run with ``alone=True`` outside a transaction go to it: each
        commits on the server as it runs, with no COMMIT round trip (job reservations).
        """
        if getattr(self._local, "autocommit", None) is not None:
            yield
            return
        with self.engine.connect() as connection:
            self._local.autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            try:
                yield
            finally:
                self._local.autocommit = None

    @property
    def autocommit_connection(self) -> sa.Connection | None:
        """This thread's connection held by :meth:`autocommitting`, if any."""
        return getattr(self._local, "autocommit", None)

    def execute_alone(self, statement: sa.Executable, parameters: Mapping[str, Any] | None = None) -> int:
        """Run one data-changing statement committed on its own; returns the number of rows it changed.

        Inside an open transaction it becomes part of it.  Where the driver switches
        autocommit on the client (psycopg), the statement runs in autocommit mode: one
        round trip instead of BEGIN, statement, COMMIT.
        """
        if self.in_transaction or not autocommits_cheaply(self.dialect_name):
            return self.execute(statement, parameters).rowcount
        held = getattr(self._local, "held", None)
        try:
            with contextlib.nullcontext(held) if held is not None else self.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT")
                try:
                    count = connection.execute(statement, parameters or {}).rowcount
                    connection.commit()  # ends SQLAlchemy's autobegun transaction; the server has committed
                    return count
                finally:
                    if connection.in_transaction():
                        connection.rollback()
                    connection.execution_options(isolation_level=connection.default_isolation_level)
        except sa.exc.DBAPIError as err:
            raise translate(err, self.dialect_name) from err

    # -- execution -----------------------------------------------------------------------
    def connect(self, *, write: bool = True) -> contextlib.AbstractContextManager[sa.Connection]:
        """The SQLAlchemy connection of the current transaction, or a new one that commits at the end.

        ``write=False`` promises only reads, which lets SQLite start without the write lock.
        """
        return self._session(write=write)

    def execute(self, statement: sa.Executable, parameters: Sequence[Mapping[str, Any]] | Mapping[str, Any] | None = None) -> sa.CursorResult:
        """Run one statement and return its fully buffered result."""
        with self.connect(write=not isinstance(statement, sa.Select)) as connection:
            try:
                result = connection.execute(statement, parameters) if parameters is not None else connection.execute(statement)
                return result.freeze()() if result.returns_rows else result
            except sa.exc.DBAPIError as err:
                raise translate(err, self.dialect_name) from err

    def query(self, sql: str, args: Mapping[str, Any] | Sequence[Any] | None = None, *, as_dict: bool = False) -> Any:
        """Run SQL text (``:name`` parameters) and return its rows as tuples or dicts, as ``conn.query`` does."""
        if args is not None and not isinstance(args, Mapping):
            raise DataJointError("conn.query takes named parameters: query('... :x', {'x': 1}).")
        statement = sa.text(sql)
        with self.connect() as connection:
            try:
                result = connection.execute(statement, args or {})
            except sa.exc.DBAPIError as err:
                raise translate(err, self.dialect_name) from err
            if not result.returns_rows:
                return []
            return [dict(row._mapping) for row in result] if as_dict else [tuple(row) for row in result]

    def close(self) -> None:
        self.engine.dispose()
