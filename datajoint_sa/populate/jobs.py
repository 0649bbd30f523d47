"""Jobs tables: the work queue of one auto-populated table, shared by all its workers.

Each Imported/Computed table ``x`` has a hidden table ``~~x`` in its schema, laid
out as in DataJoint 2.x: the target's foreign-key-derived primary key, a status
(pending, reserved, success, error, ignore), priority, times, error message and
stack, and who reserved the job.  A worker reserves a key with one conditional
UPDATE (``... WHERE key AND status = 'pending'``); the row count decides, so two
workers never run the same key.
"""

from __future__ import annotations

import datetime
import getpass
import logging
import os
import platform
import traceback
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from ..codecs import encoder_for
from ..errors import DataJointError, DuplicateError
from ..expression.condition import Not
from ..heading import Heading
from ..table import Table

__all__ = ["JobTable", "jobs_table_for", "server_now"]

logger = logging.getLogger("datajoint_sa")

ERROR_MESSAGE_LENGTH = 2047
STATUSES = ("pending", "reserved", "success", "error", "ignore")


def server_now(connection: Any) -> datetime.datetime:
    """The database server's clock, as its CURRENT_TIMESTAMP defaults record it."""
    dialect = connection.dialect_name
    if dialect == "sqlite":  # defaults use strftime('now'): UTC text
        text = connection.execute(sa.select(sa.func.strftime("%Y-%m-%d %H:%M:%f", "now"))).scalar_one()
        return datetime.datetime.fromisoformat(text)
    expression = sa.func.localtimestamp() if dialect == "postgresql" else sa.func.current_timestamp(sa.literal_column("3"))
    return connection.execute(sa.select(expression)).scalar_one()


def _definition(target: Any) -> str:
    key_from_parents = {a for _, props in target.parents(primary=True, foreign_key_info=True) for a in props["attr_map"]}
    key_lines = []
    for name in target.primary_key:
        if name in key_from_parents:
            key_lines.append(f"{name} : {target.heading[name].type.text}")
        else:
            logger.debug("Jobs of %s are kept per foreign-key-derived key; %r is left out", target.full_table_name, name)
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
    """The jobs of one auto-populated table; a query expression over ``~~name`` with queue operations."""

    target: Any = None

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

    def _key(self, key: dict[str, Any]) -> dict[str, Any]:
        return {k: key[k] for k in self.primary_key}

    def _where_key(self, key: dict[str, Any]) -> sa.ColumnElement[bool]:
        table = self.sql_table
        return sa.and_(*(table.c[k] == v for k, v in self._key(key).items()))

    # -- queue maintenance -------------------------------------------------------------
    def refresh(self, *restrictions: Any, delay: float = 0, priority: int = 5,
                stale_timeout: float | None = None) -> dict[str, int]:
        """Add pending jobs for keys still to compute; drop jobs whose keys left the key source.

        Reserved jobs older than ``stale_timeout`` seconds (default ``jobs.stale_timeout``
        in the config) belonged to workers that died: they become pending again.
        """
        from ..settings import config

        target = self.target
        stale_timeout = config["jobs.stale_timeout"] if stale_timeout is None else stale_timeout
        result = {"added": 0, "removed": 0, "orphaned": 0}
        now = server_now(self.connection)
        todo = target._todo(restrictions)
        new_keys = [self._key(k) for k in todo.keys() if self._key(k) not in self]
        if new_keys:
            scheduled = now + datetime.timedelta(seconds=delay)
            rows = [{**k, "status": "pending", "priority": priority, "scheduled_time": scheduled} for k in new_keys]
            try:
                self.insert(rows, skip_duplicates=True)
            except DuplicateError:  # pragma: no cover - skip_duplicates covers concurrent refreshes
                pass
            result["added"] = len(rows)
        # A key made by another worker between our read of the to-do list and the insert above
        # must not stay pending.
        (self.pending & target.proj()).delete_quick()
        source = target.key_source
        vanished = self - source
        result["removed"] = (vanished & Not({"status": "ignore"})).delete_quick(get_count=True) or 0
        if stale_timeout and stale_timeout > 0:
            cutoff = now - datetime.timedelta(seconds=stale_timeout)
            stale = self.sql_table
            statement = (sa.update(stale).where(stale.c.status == "reserved", stale.c.reserved_time < cutoff)
                         .values(status="pending", reserved_time=None, host="", pid=0))
            result["orphaned"] = self.connection.execute(statement).rowcount
        return result

    def reserve(self, key: dict[str, Any]) -> bool:
        """Claim a pending job; True only for the one worker whose UPDATE changed the row."""
        table = self.sql_table
        now = server_now(self.connection)
        statement = (
            sa.update(table)
            .where(self._where_key(key), table.c.status == "pending", table.c.scheduled_time <= now)
            .values(status="reserved", reserved_time=now, host=platform.node()[:255], pid=os.getpid(), user=_user()[:255])
        )
        return self.connection.execute(statement).rowcount == 1

    def complete(self, key: dict[str, Any], duration: float | None = None) -> None:
        """A finished job leaves the queue (its result is in the target table)."""
        self.connection.execute(sa.delete(self.sql_table).where(self._where_key(key)))

    def error(self, key: dict[str, Any], error_message: str, error_stack: str | None = None) -> None:
        """Record a failed job; it stays out of the queue until its error entry is deleted."""
        table = self.sql_table
        values = {"status": "error", "error_message": error_message[:ERROR_MESSAGE_LENGTH],
                  "error_stack": None if error_stack is None else encoder_for(self.heading["error_stack"].type)(error_stack),
                  "completed_time": server_now(self.connection),
                  "host": platform.node()[:255], "pid": os.getpid(), "user": _user()[:255]}
        with self.connection.transaction:
            if self.connection.execute(sa.update(table).where(self._where_key(key)).values(values)).rowcount == 0:
                self.insert1({**self._key(key), "priority": 5, **values})

    def ignore(self, key: dict[str, Any]) -> None:
        """Mark a key to be skipped by populate(reserve_jobs=True)."""
        table = self.sql_table
        with self.connection.transaction:
            if self.connection.execute(sa.update(table).where(self._where_key(key)).values(status="ignore")).rowcount == 0:
                self.insert1({**self._key(key), "status": "ignore", "priority": 5})

    def progress(self) -> dict[str, int]:
        """Job counts per status, and the total."""
        table = self.sql_table
        rows = self.connection.execute(sa.select(table.c.status, sa.func.count()).group_by(table.c.status)).all()
        counts = dict.fromkeys(STATUSES, 0)
        counts.update({status: int(n) for status, n in rows})
        counts["total"] = sum(counts[s] for s in STATUSES)
        return counts

    def delete(self, prompt: bool | None = None, **_: Any) -> int:
        """Delete job entries (no confirmation: jobs hold no results)."""
        return self.delete_quick(get_count=True) or 0


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        return ""


def error_stack() -> str:
    return traceback.format_exc()


def jobs_table_for(target: Any) -> JobTable:
    """The jobs table of an auto-populated table, declared in its schema on first use."""
    cls = type(target)
    jobs_cls = cls.__dict__.get("_jobs_class")
    if jobs_cls is None or jobs_cls._declared is None:
        schema = cls._schema
        table_name = "~~" + cls.table_name.lstrip("_")
        declared = schema.declare_hidden(table_name, _definition(target))
        # Job keys stand for the target's keys: give them the target's lineage so that
        # restricting jobs by the key source matches them semantically.
        heading = Heading([replace(a, lineage=target.heading[a.name].lineage) if a.in_key else a
                           for a in declared.heading.attributes.values()], declared.heading.table_comment)
        declared = replace(declared, heading=heading)
        jobs_cls = type(f"{cls.__name__}Jobs", (JobTable,), {
            "_declared": declared, "_schema": schema, "table_name": table_name, "target": target, "tier": "Jobs",
        })
        cls._jobs_class = jobs_cls
    jobs = jobs_cls()
    jobs.target = target
    return jobs
