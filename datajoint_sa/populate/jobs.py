"""Jobs tables: the work queue of one auto-populated table, shared by all its workers.

Each Imported/Computed table ``x`` has a hidden table ``~~x`` in its schema, laid
out as in DataJoint 2.x: the target's foreign-key-derived primary key, a status
(pending, reserved, success, error, ignore), priority, times, error message and
stack, and who reserved the job.

A worker reserves a key with one conditional UPDATE (``... WHERE key AND status =
'pending' AND scheduled_time <= now``); its row count decides, so two workers never
run the same key.  A finished job leaves the queue in the same transaction that
inserts its results; a failed job stays as an ``error`` entry until it is deleted.
A worker that dies keeps its job ``reserved``: ``refresh(orphan_timeout=...)`` hands
such jobs back to the queue.
"""

from __future__ import annotations

import datetime
import functools
import getpass
import logging
import os
import platform
import subprocess
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import sqlalchemy as sa

from ..codecs import encoder_for
from ..dialects import claims_in_one_statement, server_now, session_id
from ..engine.direct import DirectStatement
from ..engine.retry import retry_on_conflict
from ..errors import DataJointError
from ..heading import Heading
from ..settings import config
from ..table import Table

__all__ = ["ERROR_MESSAGE_LENGTH", "TRUNCATION_APPENDIX", "JobTable", "existing_jobs_tables", "jobs_table_for",
           "server_time", "job_version"]

logger = logging.getLogger("datajoint_sa")

T = TypeVar("T")

ERROR_MESSAGE_LENGTH = 2047
TRUNCATION = "...truncated"
#: The name DataJoint 2.x gives the ending of a truncated error message.
TRUNCATION_APPENDIX = TRUNCATION
STATUSES = ("pending", "reserved", "success", "error", "ignore")


def server_time(connection: Any) -> datetime.datetime:
    """The database server's clock, as the jobs table's CURRENT_TIMESTAMP(3) defaults record it."""
    value = connection.execute(sa.select(server_now(connection.dialect_name))).scalar_one()
    return datetime.datetime.fromisoformat(value) if isinstance(value, str) else value


def job_version(settings: Any = None) -> str:
    """The code version recorded with each job, as ``jobs.version_method`` selects ('' when off).

    ``settings`` is a :class:`~datajoint_sa.settings.Config` (the global one by default).
    """
    if (config if settings is None else settings)["jobs.version_method"] != "git":
        return ""
    return _git_version(os.getcwd())


@functools.lru_cache(maxsize=8)
def _git_version(folder: str) -> str:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5,
                              cwd=folder)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _worker_process() -> dict[str, Any]:
    """Host, process id and code version of the calling process."""
    return {"host": platform.node()[:255], "pid": os.getpid(), "version": job_version()[:64]}


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        return ""


def _definition(target: Any) -> str:
    from_parents = {a for _, props in target.parents(primary=True, foreign_key_info=True) for a in props["attr_map"]}
    key_lines = []
    for name in target.primary_key:
        if name in from_parents:
            key_lines.append(f"{name} : {target.heading[name].type.text}")
        else:
            logger.warning("The jobs of %s are kept per foreign-key-derived key: %r is left out, so one job "
                           "covers several rows.", target.full_table_name, name)
    if not key_lines:
        raise DataJointError(f"{target.full_table_name} has no primary key from its parents: it cannot have a jobs table.")
    body = "\n".join(key_lines)
    return f"""# job queue for {target.full_table_name}
{body}
---
status : enum('pending', 'reserved', 'success', 'error', 'ignore')
priority : int8
created_time = CURRENT_TIMESTAMP(3) : datetime(3)
scheduled_time = CURRENT_TIMESTAMP(3) : datetime(3)
reserved_time = null : datetime(3)
completed_time = null : datetime(3)
duration = null : float64
error_message = "" : varchar({ERROR_MESSAGE_LENGTH})
error_stack = null : <blob>
user = "" : varchar(255)
host = "" : varchar(255)
pid = 0 : int32
connection_id = 0 : int64
version = "" : varchar(64)
index(status, priority, scheduled_time)
"""


class JobTable(Table):
    """The jobs of one auto-populated table: a table of ``~~name`` with queue operations."""

    target: Any = None

    @property
    def definition(self) -> str:  # type: ignore[override]
        """The definition this jobs table is declared from (the target's key in DataJoint types, then the status)."""
        return _definition(self.target)

    @property
    def is_declared(self) -> bool:
        """Whether the jobs table exists in the database (it is declared on first use, and dropped with its target)."""
        with self.connection.session(write=False) as conn:
            return sa.inspect(conn).has_table(self.sql_table.name, schema=self.sql_table.schema)

    # -- views ------------------------------------------------------------------------
    @property
    def pending(self) -> Any:
        return self & {"status": "pending"}

    @property
    def reserved(self) -> Any:
        return self & {"status": "reserved"}

    @property
    def errors(self) -> Any:
        return self & {"status": "error"}

    @property
    def ignored(self) -> Any:
        return self & {"status": "ignore"}

    @property
    def completed(self) -> Any:
        return self & {"status": "success"}

    # -- SQL helpers ----------------------------------------------------------------------
    def _key(self, key: dict[str, Any]) -> dict[str, Any]:
        return {k: key[k] for k in self.primary_key}

    def _where_key(self, key: dict[str, Any]) -> sa.ColumnElement[bool]:
        columns = self.sql_table.c
        return sa.and_(*(columns[k] == sa.bindparam(None, v, type_=columns[k].type) for k, v in self._key(key).items()))

    def _set_where(self, where: sa.ColumnElement[bool], **values: Any) -> int:
        return self.connection.execute(sa.update(self.sql_table).where(where).values(**values)).rowcount

    def _worker(self, *, bound: bool = False) -> dict[str, Any]:
        """Who works on a job: host, process, database session, user and code version.

        ``bound``: host, pid and version as bound parameters ``worker_<name>``, for a
        statement compiled once and run by several (forked) processes.
        """
        dialect = self.connection.dialect_name
        user: Any = sa.func.current_user() if dialect != "sqlite" else _os_user()
        process = _worker_process()
        if bound:
            process = {name: sa.bindparam(f"worker_{name}", type_=self.sql_table.c[name].type) for name in process}
        return {**process, "connection_id": session_id(dialect), "user": user}

    def _delete_keys(self, keys: list[dict[str, Any]]) -> int:
        if not keys:
            return 0
        return self.connection.execute(sa.delete(self.sql_table).where(sa.or_(*(self._where_key(k) for k in keys)))).rowcount

    # -- queue maintenance -------------------------------------------------------------
    def refresh(self, *restrictions: Any, delay: float = 0, priority: int | None = None,
                stale_timeout: float | None = None, orphan_timeout: float | None = None) -> dict[str, int]:
        """Bring the queue up to date with the key source; returns counts of what changed.

        1. ``added``: keys of the key source (under ``restrictions``) that are neither
           in the target nor in the queue become pending jobs, schedulable ``delay``
           seconds from now (server time), with ``priority`` (lower runs first;
           default ``jobs.default_priority``).
        2. ``re_pended``: with ``jobs.keep_completed``, success entries whose rows
           were deleted from the target become pending again.
        3. ``removed``: entries whose keys left the (unrestricted) key source: success
           and error entries at once, others (not ``ignore``) when older than
           ``stale_timeout`` seconds (default ``jobs.stale_timeout``; 0 skips this).
        4. ``orphaned``: reservations older than ``orphan_timeout`` seconds (default
           ``jobs.orphan_timeout``; None keeps them), left by workers that died,
           become pending again.
        Pending entries whose keys were made meanwhile are dropped (not counted).
        Outside a transaction, a step that loses a deadlock with another worker
        maintaining the same queue is run again.
        """
        target, step = self.target, self._step
        priority = config["jobs.default_priority"] if priority is None else int(priority)
        stale_timeout = config["jobs.stale_timeout"] if stale_timeout is None else stale_timeout
        orphan_timeout = config["jobs.orphan_timeout"] if orphan_timeout is None else orphan_timeout
        now = server_time(self.connection)
        scheduled = now + datetime.timedelta(seconds=delay)
        result = {"added": step(lambda: self._add(target._todo(restrictions), scheduled, priority)),
                  "removed": 0, "orphaned": 0, "re_pended": 0}
        done = target.proj()
        columns = self.sql_table.c
        step((self.pending & done).delete_quick)
        if config["jobs.keep_completed"]:
            again = ((self.completed & target.key_source.proj()) - done).keys()
            if again:
                result["re_pended"] = step(lambda: self._set_where(
                    sa.or_(*(self._where_key(key) for key in again)),
                    status="pending", priority=priority, completed_time=None, duration=None))
        vanished = self - target.key_source.proj()
        finished = vanished & [{"status": "success"}, {"status": "error"}]
        result["removed"] = step(lambda: (finished - done).delete_quick(get_count=True)) or 0
        if stale_timeout and stale_timeout > 0:
            cutoff = now - datetime.timedelta(seconds=stale_timeout)
            stale = [k for k in (vanished - {"status": "ignore"}).to_dicts() if k["created_time"] < cutoff]
            result["removed"] += step(lambda: self._delete_keys([self._key(k) for k in stale]))
        if orphan_timeout is not None and orphan_timeout > 0:
            cutoff = now - datetime.timedelta(seconds=float(orphan_timeout))
            result["orphaned"] = step(lambda: self._set_where(
                sa.and_(columns.status == "reserved", columns.reserved_time < cutoff),
                status="pending", reserved_time=None, host="", pid=0, connection_id=0))
        return result

    def _step(self, action: Callable[[], T]) -> T:
        """One queue change; retried after a lost deadlock unless a caller's transaction is open,
        since the server then rolls back that whole transaction."""
        return action() if self.connection.in_transaction else retry_on_conflict(action)

    def _add(self, todo: Any, scheduled: datetime.datetime, priority: int) -> int:
        queued = {tuple(k[n] for n in self.primary_key) for k in self.keys()}
        rows = [{**key, "status": "pending", "priority": priority, "scheduled_time": scheduled}
                for key in (self._key(k) for k in todo.keys())
                if tuple(key[n] for n in self.primary_key) not in queued]
        if rows:
            self.insert(rows, skip_duplicates=True)  # another worker may add the same keys meanwhile
        return len(rows)

    # -- one job ------------------------------------------------------------------------------
    def _key_params(self, key: dict[str, Any]) -> dict[str, Any]:
        return {f"key_{k}": key[k] for k in self.primary_key}

    @functools.cached_property
    def _where_bound_key(self) -> sa.ColumnElement[bool]:
        """The job row of one key, with the key values as bound parameters ``key_<name>``."""
        columns = self.sql_table.c
        return sa.and_(*(columns[k] == sa.bindparam(f"key_{k}", type_=columns[k].type) for k in self.primary_key))

    @functools.cached_property
    def _reserve_statement(self) -> sa.Update:
        columns, results = self.sql_table.c, self.target.sql_table.c
        now = server_now(self.connection.dialect_name)
        made = sa.exists().where(*(results[k] == columns[k] for k in self.primary_key))
        return (sa.update(self.sql_table)
                .where(self._where_bound_key, columns.status == "pending", columns.scheduled_time <= now, ~made)
                .values(status="reserved", reserved_time=now, **self._worker(bound=True)))

    def reserve(self, key: dict[str, Any]) -> bool:
        """Claim a pending, due job whose key is not made yet.

        One conditional UPDATE, committed at once: True only for the one worker
        whose UPDATE changed the row.
        """
        params = {**self._key_params(key), **{f"worker_{k}": v for k, v in _worker_process().items()}}
        if self.connection.autocommit_connection is not None and not self.connection.in_transaction:
            return retry_on_conflict(lambda: self._direct("reserve").run(params, alone=True)[0] == 1)
        return retry_on_conflict(lambda: self.connection.execute_alone(self._reserve_statement, params) == 1)

    def reserve_unlocked(self, key: dict[str, Any]) -> bool:
        """Inside an open transaction, claim a pending job that no other transaction has locked.

        For claiming the next key in the transaction that completes the current one
        (one commit per key instead of two).  The row is locked with SKIP LOCKED first,
        so this never waits for, nor deadlocks with, another worker; then the same
        conditional UPDATE as reserve() decides.  The claim shows once the transaction commits.
        """
        params = {**self._key_params(key), **{f"worker_{k}": v for k, v in _worker_process().items()}}
        if claims_in_one_statement(self.connection.dialect_name):
            return self._direct("claim").run(params)[0] == 1
        if self._direct("lock").run(params, fetch=True)[1] is None:
            return False
        return self._direct("reserve").run(params)[0] == 1

    def _direct(self, name: str) -> DirectStatement:
        """The statement ``name`` (claim, lock, reserve, delete), compiled once per jobs table object."""
        statements = self.__dict__.setdefault("_direct_statements", {})
        if name not in statements:
            statements[name] = DirectStatement(self._statement(name), self.connection)
        return statements[name]

    def _statement(self, name: str) -> sa.Executable:
        if name == "claim":
            return self._claim_statement
        if name == "lock":
            return self._lock_probe(self.sql_table)
        if name == "reserve":
            return self._reserve_statement
        return sa.delete(self.sql_table).where(self._where_bound_key)

    def _lock_probe(self, table: sa.FromClause) -> sa.Select[Any]:
        """The key of the pending job of one key, locked unless another transaction holds it."""
        columns = table.c
        where = [columns[k] == sa.bindparam(f"key_{k}", type_=columns[k].type) for k in self.primary_key]
        return (sa.select(*(columns[k] for k in self.primary_key)).where(*where, columns.status == "pending")
                .with_for_update(skip_locked=True))

    @functools.cached_property
    def _claim_statement(self) -> sa.Update:
        """reserve()'s UPDATE, limited to a row this transaction could lock without waiting."""
        columns = self.sql_table.c
        keys = sa.tuple_(*(columns[k] for k in self.primary_key))
        return self._reserve_statement.where(keys.in_(self._lock_probe(self.sql_table.alias("free"))))

    def release(self, key: dict[str, Any]) -> bool:
        """Hand back a job this process reserved but will not make; True if it was still reserved by it."""
        columns, process = self.sql_table.c, _worker_process()
        where = sa.and_(self._where_key(key), columns.status == "reserved", columns.host == process["host"],
                        columns.pid == process["pid"])
        return self.connection.execute_alone(sa.update(self.sql_table).where(where).values(
            status="pending", reserved_time=None, host="", pid=0, connection_id=0)) == 1

    def complete(self, key: dict[str, Any], duration: float | None = None) -> None:
        """A finished job leaves the queue, or stays as ``success`` with ``jobs.keep_completed``.

        populate() calls this inside the transaction that inserts the job's results.
        """
        if not config["jobs.keep_completed"]:
            self._direct("delete").run(self._key_params(key))
            return
        now = server_now(self.connection.dialect_name)
        statement = (sa.update(self.sql_table).where(self._where_bound_key)
                     .values(status="success", completed_time=now, duration=duration))
        self.connection.execute(statement, self._key_params(key))

    def error(self, key: dict[str, Any], error_message: str, error_stack: str | None = None) -> None:
        """Record a failed job; populate(reserve_jobs=True) skips it until its error entry is deleted."""
        if len(error_message) > ERROR_MESSAGE_LENGTH:
            error_message = error_message[: ERROR_MESSAGE_LENGTH - len(TRUNCATION)] + TRUNCATION
        now = server_now(self.connection.dialect_name)
        values = {"status": "error", "error_message": error_message, "completed_time": now, **self._worker()}
        if error_stack is not None:
            values["error_stack"] = encoder_for(self.heading["error_stack"].type)(error_stack)
        # A reservation made inside the failed transaction was rolled back with it (SQLite).
        self._upsert(key, values, reserved_time=(sa.func.coalesce(self.sql_table.c.reserved_time, now), now))

    def ignore(self, key: dict[str, Any]) -> None:
        """Mark a key to be skipped by populate(reserve_jobs=True)."""
        self._upsert(key, {"status": "ignore"})

    def _upsert(self, key: dict[str, Any], values: dict[str, Any], **update_or_insert: tuple[Any, Any]) -> None:
        """Set ``values`` on the job of ``key``, inserting it if missing; ``update_or_insert``: name=(when updating, when inserting)."""
        with self.connection.transaction:
            updated = {name: pair[0] for name, pair in update_or_insert.items()}
            if self._set_where(self._where_key(key), **values, **updated) == 0:
                inserted = {name: pair[1] for name, pair in update_or_insert.items()}
                row = {**self._key(key), "priority": config["jobs.default_priority"], **values, **inserted}
                self.connection.execute(sa.insert(self.sql_table).values(row))

    def progress(self) -> dict[str, int]:
        """Job counts per status, and the total."""
        status = self.sql_table.c.status
        rows = self.connection.execute(sa.select(status, sa.func.count()).group_by(status)).all()
        counts = dict.fromkeys(STATUSES, 0)
        counts.update({name: int(n) for name, n in rows})
        counts["total"] = sum(counts[s] for s in STATUSES)
        return counts

    def delete(self, *_: Any, **__: Any) -> int:  # type: ignore[override]
        """Delete the (restricted) job entries, without confirmation: jobs hold no results."""
        return self.delete_quick(get_count=True) or 0

    def drop(self, *_: Any, **__: Any) -> None:  # type: ignore[override]
        """Drop the jobs table without confirmation; it is declared again on next use."""
        self.drop_quick()
        type(self)._declared = None


def jobs_table_for(target: Any) -> JobTable:
    """The jobs table of an auto-populated table, declared in its schema on first use."""
    cls = type(target)
    jobs_cls = cls.__dict__.get("_jobs_class")
    if jobs_cls is None or jobs_cls._declared is None or jobs_cls._for is not cls._declared:
        schema = cls._schema
        table_name = "~~" + cls.table_name.lstrip("_")
        declared = schema.declare_hidden(table_name, _definition(target))
        # Job keys stand for the target's keys: give them the target's lineage so that
        # restricting jobs by the key source matches them semantically.
        heading = Heading([replace(a, lineage=target.heading[a.name].lineage) if a.in_key else a
                           for a in declared.heading.attributes.values()], declared.heading.table_comment)
        jobs_cls = type(f"{cls.__name__}Jobs", (JobTable,), {
            "_declared": replace(declared, heading=heading), "_schema": schema, "_for": cls._declared,
            "table_name": table_name, "tier": "Jobs",
        })
        cls._jobs_class = jobs_cls
    jobs = jobs_cls()
    jobs.target = target
    return jobs


def existing_jobs_tables(schema: Any) -> list[JobTable]:
    """The jobs tables that exist for the auto-populated tables declared in ``schema``."""
    from .autopopulate import AutoPopulate

    connection = schema.connection
    found = []
    with connection.session(write=False) as conn:
        inspector = sa.inspect(conn)
        for cls in schema._classes.values():
            if issubclass(cls, AutoPopulate) and cls._declared is not None:
                sql_schema, sql_name = connection.rules.sql_table(schema.database, "~~" + cls.table_name.lstrip("_"))
                if inspector.has_table(sql_name, schema=sql_schema):
                    found.append(cls)
    return [jobs_table_for(cls()) for cls in found]
