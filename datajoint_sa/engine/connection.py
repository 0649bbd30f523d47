"""Connection: a SQLAlchemy Engine with DataJoint's transaction and error conventions.

The Engine brings pooling, pre-ping reconnection and the dialect.  This class adds
``conn.transaction`` (one transaction per thread, nested blocks join the outer
one, rollback on error) and wraps driver errors in the DataJoint error tree.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import pathlib
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from ..dialects import DialectRules, autocommits_cheaply, rules_for
from ..errors import DataJointError, LostConnectionError
from ..settings import Config
from ..settings import config as global_config
from ..types import TextJSON
from .address import server_url, tls_connect_args, url_from_config
from .cursor import QueryCursor, driver_arguments, sqlite_placeholders
from .direct import on_cursor
from .errors import translate

__all__ = ["Connection", "url_from_config"]

logger = logging.getLogger("datajoint_sa")

EXTRAS = {"psycopg": "postgresql", "pymysql": "mysql"}
WRITE_FLAG = "datajoint_may_write"
#: First words of SQL text that only reads: conn.query() runs these as reads (allowed while query caching).
READ_STATEMENTS = ("SELECT", "SHOW", "EXPLAIN", "DESCRIBE")


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


def create_engine(url: sa.engine.URL | str, connect_args: dict[str, Any] | None = None) -> sa.Engine:
    """A SQLAlchemy Engine for ``url`` with the settings DataJoint relies on."""
    url = sa.engine.make_url(url)
    kwargs: dict[str, Any] = {"pool_pre_ping": True, "connect_args": dict(connect_args or {})}
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

    def __init__(self, host: str | sa.engine.URL | None = None, user: str | None = None,
                 password: str | None = None, port: int | None = None, use_tls: bool | dict | None = None, *,
                 backend: str | None = None, database_name: str | None = None,
                 engine: sa.Engine | None = None, config_override: Config | None = None) -> None:
        """Connect to ``host`` (``"host:port"`` or a SQLAlchemy URL) as ``user``, or use ``engine``.

        ``backend`` (``"mysql"``, ``"postgresql"``, ``"sqlite"``) and the other unset
        arguments come from ``dj.config``; with nothing set at all the database is
        the configuration's (by default an SQLite file).  A server is reached at once,
        so a wrong address or password fails here, as a DataJoint error.
        ``config_override`` (a ``Config``, as ``dj.Instance`` passes) replaces
        ``dj.config`` as the source of unset arguments; it is kept as ``conn.config``.
        """
        self._config: Config = config_override if config_override is not None else global_config
        self.use_tls = use_tls
        if engine is None:
            url = self._url_for(self.config, host, user, password, port, backend, database_name)
            tls = self.config["database.use_tls"] if use_tls is None else use_tls
            family = "mysql" if url.get_backend_name() == "mariadb" else url.get_backend_name()
            engine = create_engine(url, tls_connect_args(family, tls) if family != "sqlite" else None)
        self.engine: sa.Engine = engine
        self.dialect_name: str = "mysql" if engine.dialect.name == "mariadb" else engine.dialect.name
        self.rules: DialectRules = rules_for(self.dialect_name)
        self._local = threading.local()
        self._logged = False
        self._closed = False
        self.query_cache: str | None = None  # see set_query_cache
        self.schemas: dict[str, Any] = {}  # schema name -> Schema, for resolving names across schemas
        self._dependencies: Any = None
        if self.dialect_name != "sqlite":
            self.ping()

    @staticmethod
    def _url_for(cfg: Config, host: str | sa.engine.URL | None, user: str | None, password: str | None,
                 port: int | None, backend: str | None, database_name: str | None) -> sa.engine.URL:
        if isinstance(host, sa.engine.URL) or (isinstance(host, str) and "://" in host):
            return sa.engine.make_url(host)
        if host is None and backend is None and cfg["database.host"] is None:
            return url_from_config(cfg)
        backend = backend or cfg["database.backend"] or "mysql"
        database = database_name if database_name is not None else cfg["database.name"]
        if backend == "sqlite":
            return sa.engine.URL.create("sqlite", database=database or host)
        if host is None:
            host, port = cfg["database.host"] or "localhost", port if port is not None else cfg["database.port"]
        elif port is None and ":" not in host:
            port = cfg["database.port"]
        return server_url(backend, host, user if user is not None else cfg["database.user"],
                          password if password is not None else cfg["database.password"], port, database)

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # -- identity ----------------------------------------------------------------
    @property
    def config(self) -> Config:
        """The configuration this connection reads (``dj.config``, or an Instance's own); fixed at connection."""
        return self._config

    @property
    def url(self) -> sa.engine.URL:
        return self.engine.url

    @property
    def adapter(self) -> Any:
        """This backend's DDL facade (``datajoint_sa.adapters``): quoting, a table's full name, column DDL."""
        from ..adapters import get_adapter

        return get_adapter(self.engine.dialect)

    def __repr__(self) -> str:
        state = "connected" if self.is_connected else "disconnected"
        return f"DataJoint connection ({state}) {self.url.render_as_string(hide_password=True)}"

    @property
    def conn_info(self) -> dict[str, Any]:
        """Where this connection goes: host, port, user, database_name (the password is left out).

        ``ssl_input`` is the ``use_tls`` this connection was given (None: the configuration's choice).
        """
        url = self.url
        return {"host": url.host, "port": url.port, "user": url.username, "database_name": url.database,
                "backend": self.dialect_name, "ssl_input": self.use_tls}

    @property
    def is_connected(self) -> bool:
        """True while the database answers; False after :meth:`close`."""
        if self._closed:
            return False
        try:
            self.ping()
        except DataJointError:
            return False
        return True

    def ping(self) -> None:
        """Reach the database once; a DataJoint error says why it cannot be reached."""
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except sa.exc.DBAPIError as err:
            raise translate(err, self.dialect_name) from err

    def connect(self) -> None:
        """Open the connection again after :meth:`close` (connections otherwise reconnect on their own)."""
        self._closed = False
        self.ping()

    def get_user(self) -> str:
        """The database account this connection logs in as (``user@host`` on MySQL)."""
        return str(self.query(self.rules.current_user_sql).fetchone()[0])

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

            def read() -> tuple[Any, Any]:
                return read_primary_keys(self), read_foreign_keys(self)

            self._dependencies = DependencyGraph(*read(), loader=read, full_name=self.full_name,
                                                 known_schemas=lambda: list(self.schemas))
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

    def _reopen(self, reconnect: bool | None = None) -> None:
        """After :meth:`close`, reconnect on the next use, except inside a transaction or with reconnecting off."""
        if not self._closed:
            return
        if self.in_transaction:
            raise LostConnectionError("The connection was closed during a transaction; its changes cannot be "
                                      "resumed by reconnecting. Leave the transaction block and start again.")
        if not (self.config["database.reconnect"] if reconnect is None else reconnect):
            raise LostConnectionError("The connection is closed and reconnecting is off (database.reconnect); "
                                      "call conn.connect() first.")
        self._closed = False

    @contextlib.contextmanager
    def _session(self, *, write: bool, reconnect: bool | None = None) -> Iterator[sa.Connection]:
        """The current transaction's connection, or a new transaction for the duration of the block."""
        self._reopen(reconnect)
        if write and self.query_cache:
            raise DataJointError(f"Only reads are allowed while query caching is on (cache {self.query_cache!r}); "
                                 "call conn.set_query_cache() to turn it off.")
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
        except sa.exc.SQLAlchemyError as err:
            interrupt = _interrupt_behind(err)
            if interrupt is not None:  # the rollback after Ctrl-C failed: the interrupt is what happened
                raise interrupt from None
            if isinstance(err, sa.exc.DBAPIError):
                raise translate(err, self.dialect_name) from err
            raise

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
    def session(self, *, write: bool = True) -> contextlib.AbstractContextManager[sa.Connection]:
        """The SQLAlchemy connection of the current transaction, or a new one that commits at the end.

        ``write=False`` promises only reads, which lets SQLite start without the write lock.
        """
        return self._session(write=write)

    def execute(self, statement: sa.Executable, parameters: Sequence[Mapping[str, Any]] | Mapping[str, Any] | None = None) -> sa.CursorResult:
        """Run one statement and return its fully buffered result."""
        with self.session(write=not isinstance(statement, sa.Select)) as connection:
            try:
                result = connection.execute(statement, parameters) if parameters is not None else connection.execute(statement)
                return result.freeze()() if result.returns_rows else result
            except sa.exc.DBAPIError as err:
                raise translate(err, self.dialect_name) from err

    def query(self, sql: str, args: Mapping[str, Any] | Sequence[Any] | None = None, *,
              as_dict: bool = False, reconnect: bool | None = None, suppress_warnings: bool = True) -> QueryCursor:
        """Run SQL text as the driver takes it and return a cursor over its rows.

        Placeholders are the drivers' ``%s`` (``args`` a sequence) and ``%(name)s``
        (``args`` a mapping), with ``%%`` for a literal percent sign, on every backend.
        Rows are tuples, or dicts with ``as_dict=True``.  After :meth:`close`, the
        query reconnects unless ``reconnect`` (default: ``database.reconnect``) is
        False or a transaction is open, which raise LostConnectionError.
        ``suppress_warnings`` is DataJoint's argument; server warnings never become errors here.
        """
        del suppress_warnings  # accepted for DataJoint code; nothing turns driver warnings into errors
        values = driver_arguments(args)
        if self.dialect_name == "sqlite":
            sql = sqlite_placeholders(sql) if values or "%%" in sql else sql
        elif self.dialect_name == "postgresql" and not values:
            values = None  # psycopg reads placeholders only when given arguments
        words = sql.split(None, 1)
        reads = bool(words) and words[0].upper() in READ_STATEMENTS
        with self._session(write=not reads, reconnect=reconnect) as connection:
            try:
                return on_cursor(connection, connection.dialect, sql,
                                 lambda cursor: QueryCursor.read(_execute(cursor, sql, values), as_dict=as_dict))
            except sa.exc.DBAPIError as err:
                raise translate(err, self.dialect_name) from err
            except (TypeError, ValueError, KeyError) as err:  # the driver's placeholder formatting
                raise DataJointError(f"The arguments {args!r} do not fit the placeholders of: {sql}") from err

    # -- query cache -------------------------------------------------------------------------
    def set_query_cache(self, query_cache: str | None = None) -> None:
        """Serve fetches from files under ``dj.config["query_cache"]``, keyed by ``query_cache``; None stops it.

        While it is on, a row fetch (``to_dicts``, ``to_arrays``, ``fetch``, ``fetch1``,
        previews) whose statement was cached under the same key returns the cached rows
        without asking the database (results as they were when cached), and statements
        that write are refused.  Counts (``len``) and Arrow/Polars reads are not cached.  Different keys keep separate snapshots.
        The files are pickles: keep the folder private to its user.
        """
        self.query_cache = query_cache

    def query_cache_path(self, sql: str, params: Any) -> pathlib.Path | None:
        """The file holding the cached result of ``sql`` with ``params``; None while caching is off."""
        if not self.query_cache:
            return None
        folder = self.config["query_cache"]
        if not folder:
            raise DataJointError("Query caching needs a folder: set dj.config['query_cache'].")
        digest = hashlib.sha256(f"{self.query_cache}\0{sql}\0{params!r}".encode()).hexdigest()
        return pathlib.Path(folder) / f"{digest}.pickle"

    def purge_query_cache(self) -> None:
        """Delete every cached result in ``dj.config["query_cache"]``."""
        folder = self.config["query_cache"]
        if folder and pathlib.Path(folder).is_dir():
            for path in pathlib.Path(folder).glob("*.pickle"):
                path.unlink()

    def close(self) -> None:
        """Return the pooled connections; :meth:`is_connected` is False until the connection is used again."""
        self._closed = True
        self.engine.dispose()


def _interrupt_behind(err: BaseException) -> BaseException | None:
    """A KeyboardInterrupt or SystemExit that ``err`` was raised while handling, if any.

    Interrupted mid-statement, a driver such as pymysql leaves its connection unreadable,
    so the rollback that follows fails too (as a lost connection); that failure must not
    replace the interrupt.
    """
    seen = err.__context__
    while seen is not None:
        if isinstance(seen, (KeyboardInterrupt, SystemExit)):
            return seen
        seen = seen.__context__
    return None


def _execute(cursor: Any, sql: str, values: Any) -> Any:
    if values is None:
        cursor.execute(sql)
    else:
        cursor.execute(sql, values)
    return cursor
