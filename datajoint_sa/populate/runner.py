"""Making one key: make() in a transaction, job bookkeeping and one log line per outcome.

A plain ``make(key)`` runs inside one transaction: if it raises, nothing it
inserted stays; if the server rolls it back to break a deadlock with another
worker, it runs again.  A generator ``make`` (the three-part form: fetch, compute,
insert) runs its fetch and its long compute outside any transaction; then, in the
transaction that inserts, it fetches again and refuses to insert if the inputs
changed meanwhile.  With a jobs table the job is claimed first and leaves the
queue in the transaction that inserts the results, so a key is never both made
and still queued.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import inspect
import logging
import pickle
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from .. import provenance
from ..dialects import reserves_on_autocommit_connection, single_writer, skips_locked_rows
from ..engine.direct import DirectStatement
from ..engine.retry import retry_on_conflict
from ..errors import DataJointError
from ..table import allow_direct_insert
from .jobs import job_version
from .metadata import has_job_metadata, record_job_metadata

__all__ = ["JOBS", "KeyRunner", "fingerprint", "make_method", "SKIPPED"]

logger = logging.getLogger("datajoint_sa")

#: Log level of the per-key lines (between DEBUG and INFO), as DataJoint 2.x names it.
JOBS = 15
logging.addLevelName(JOBS, "JOBS")

#: Outcome of a key that was not made here: done already, or claimed by another worker.
SKIPPED = False


@contextlib.contextmanager
def _inserting() -> Iterator[None]:
    token = allow_direct_insert.set(True)
    try:
        yield
    finally:
        allow_direct_insert.reset(token)


def fingerprint(value: Any) -> bytes:
    """A digest of fetched data, equal for equal data, to detect inputs changed during make_compute."""
    digest = hashlib.sha256()

    def feed(item: Any) -> None:
        if item is None or isinstance(item, (bool, int, float, complex, str, bytes)):
            digest.update(f"{type(item).__name__}:{item!r};".encode())
        elif hasattr(item, "dtype") and hasattr(item, "tobytes") and getattr(item.dtype, "hasobject", True) is False:
            digest.update(f"{item.dtype.str}{getattr(item, 'shape', ())}".encode())
            digest.update(item.tobytes())
        elif isinstance(item, dict):
            digest.update(b"{")
            for k in sorted(item, key=repr):
                feed(k)
                feed(item[k])
            digest.update(b"}")
        elif isinstance(item, (list, tuple)):
            digest.update(b"[" if isinstance(item, list) else b"(")
            for element in item:
                feed(element)
            digest.update(b"]")
        elif isinstance(item, (set, frozenset)):
            feed(sorted(item, key=repr))
        elif hasattr(item, "tolist"):  # numpy object arrays and scalars
            feed(item.tolist())
        else:
            try:
                digest.update(pickle.dumps(item))
            except Exception:  # noqa: BLE001 - unpicklable: fall back to its text
                digest.update(repr(item).encode())

    feed(value)
    return digest.digest()


def make_method(table: Any) -> Any:
    """The bound method that makes one key: ``make``, or the legacy ``_make_tuples`` of DataJoint 0.x classes."""
    legacy = getattr(table, "_make_tuples", None)
    return legacy if callable(legacy) else table.make


def error_message(error: BaseException) -> str:
    """``ClassName: message``, or just ``ClassName`` when the message is empty (as DataJoint 2.x writes it)."""
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


@dataclass
class KeyRunner:
    """Makes keys of one table, one at a time; outcome: True, SKIPPED or (key, error)."""

    table: Any
    jobs: Any = None
    suppress_errors: bool = False
    return_exception_objects: bool = False
    make_kwargs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.name = type(self.table).__name__
        self.make = make_method(self.table)
        self.job_metadata = has_job_metadata(self.table)
        self._started_at = datetime.datetime.now()
        self.generator = inspect.isgeneratorfunction(self.make)
        self._done_statements: dict[tuple[str, ...], DirectStatement] = {}
        # Where writers take turns anyway, a plain make reserves its job inside its own transaction.
        self.reserve_inside = (self.jobs is not None and not self.generator
                               and single_writer(self.table.connection.dialect_name))
        self._next: dict[str, Any] | None = None  # the key to claim in the transaction completing this one
        self._claimed: dict[str, Any] | None = None  # the key claimed so, once committed
        self._claim_on_commit: dict[str, Any] | None = None

    def run(self, keys: list[dict[str, Any]]) -> Iterator[Any]:
        """Make ``keys`` in order, one outcome each.

        With a jobs table on a server that can skip locked rows, the transaction that
        completes one key also claims the next, saving a commit per key; a claim left
        unused (the run stopped) is handed back.  On MySQL a reservation on a connection
        held in autocommit mode is cheaper still (one round trip), so keys are claimed so.
        """
        connection = self.table.connection
        alone = (self.jobs is not None and not self.reserve_inside
                 and reserves_on_autocommit_connection(connection.dialect_name))
        ahead = (self.jobs is not None and not self.reserve_inside and not alone
                 and skips_locked_rows(connection.engine.dialect))
        try:
            with connection.autocommitting() if alone else contextlib.nullcontext():
                for index, key in enumerate(keys):
                    self._next = keys[index + 1] if ahead and index + 1 < len(keys) else None
                    yield self(key)
        finally:
            self._next = None
            if self._claimed is not None:
                claimed, self._claimed = self._claimed, None
                self.jobs.release(claimed)

    def __call__(self, key: dict[str, Any]) -> Any:
        key = dict(key)
        claimed, self._claimed = self._claimed, None
        if self.jobs is not None and not self.reserve_inside and claimed != key and not self.jobs.reserve(key):
            return SKIPPED
        started = time.perf_counter()
        self._claim_on_commit = None
        try:
            with self._making(key):
                made = self._make_generator(key, started) if self.generator else self._make_plain(key, started)
            self._claimed, self._claim_on_commit = self._claim_on_commit, None  # committed with the results
        except (KeyboardInterrupt, SystemExit) as err:
            self._failed(key, err)
            raise
        except Exception as err:  # noqa: BLE001 - every make error is recorded, then raised or returned
            self._failed(key, err)
            if not self.suppress_errors:
                raise
            return key, (err if self.return_exception_objects else error_message(err))
        if not made:
            logger.log(JOBS, "%s: %s was made or taken by another worker", self.name, key)
            return SKIPPED
        logger.log(JOBS, "%s: made %s in %.3f s", self.name, key, time.perf_counter() - started)
        return True

    @contextlib.contextmanager
    def _making(self, key: dict[str, Any]) -> Iterator[None]:
        """While ``key`` is made: ``table.upstream`` traces it, and Entry rows inserted record it as their origin."""
        table = self.table
        table._upstream_key, table._upstream = dict(key), None
        self._started_at = datetime.datetime.now()
        token = provenance.set_ingesting(table.full_table_name, key, job_version() or None)
        try:
            yield
        finally:
            provenance.reset_ingesting(token)
            table._upstream_key, table._upstream = None, None

    def _failed(self, key: dict[str, Any], err: BaseException) -> None:
        message = error_message(err)
        level = logging.ERROR if self.suppress_errors and isinstance(err, Exception) else JOBS
        logger.log(level, "%s: make(%s) failed: %s", self.name, key, message)
        if self.jobs is not None:
            try:
                self.jobs.error(key, message, traceback.format_exc())
            except Exception as failure:  # noqa: BLE001 - the make's own error is the one to raise
                logger.error("%s: could not record the error of %s in the jobs table: %s", self.name, key, failure)

    def _is_done(self, key: dict[str, Any]) -> bool:
        """Whether the table has a row for ``key`` (on the key's attributes, as ``key in table``)."""
        names = tuple(name for name in self.table.primary_key if name in key)
        probe = self._done_statements.get(names)
        if probe is None:
            probe = self._done_statements[names] = _exists_statement(self.table, names)
        return bool(probe.run(key, fetch=True)[1][0])

    def _complete(self, key: dict[str, Any], started: float) -> bool:
        """Inside the inserting transaction: take the job off the queue and claim the next one."""
        if self.job_metadata:
            record_job_metadata(self.table, key, self._started_at, time.perf_counter() - started, job_version())
        if self.jobs is not None:
            self.jobs.complete(key, time.perf_counter() - started)
            claimed = self._next is not None and self.jobs.reserve_unlocked(self._next)
            self._claim_on_commit = dict(self._next) if claimed else None
        return True

    def _make_plain(self, key: dict[str, Any], started: float) -> bool:
        return retry_on_conflict(lambda: self._make_plain_once(key, started), "make(%s) of %s", key, self.name)

    def _make_plain_once(self, key: dict[str, Any], started: float) -> bool:
        with self.table.connection.transaction, _inserting():
            if self.reserve_inside and not self.jobs.reserve(key):
                return False
            if self.jobs is None and self._is_done(key):
                return False
            self.make(dict(key), **self.make_kwargs)
            return self._complete(key, started)

    def _make_generator(self, key: dict[str, Any], started: float) -> bool:
        if self.jobs is None and self._is_done(key):
            return False
        outside = self.make(dict(key), **self.make_kwargs)
        fetched = fingerprint(next(outside))
        computed = next(outside)
        return retry_on_conflict(lambda: self._insert_computed(key, fetched, computed, started),
                                 "the insert of %s for %s", self.name, key)

    def _insert_computed(self, key: dict[str, Any], fetched: bytes, computed: Any, started: float) -> bool:
        """The transaction of a generator make: fetch again, compare with ``fetched``, insert ``computed``."""
        with self.table.connection.transaction, _inserting():
            if self.jobs is None and self._is_done(key):
                return False
            inside = self.make(dict(key), **self.make_kwargs)
            if fingerprint(next(inside)) != fetched:
                raise DataJointError(f"The inputs of {self.name} for {key} changed while it computed; nothing was "
                                     "inserted. Populate again to use the new inputs.")
            with contextlib.suppress(StopIteration):
                inside.send(computed)
            return self._complete(key, started)


def _exists_statement(table: Any, names: tuple[str, ...]) -> DirectStatement:
    """``SELECT EXISTS (row of table with these key values)``, the values of ``names`` as parameters."""
    columns = table.sql_table.c
    where = [columns[name] == sa.bindparam(name, type_=columns[name].type) for name in names]
    return DirectStatement(sa.select(sa.exists().select_from(table.sql_table).where(*where)), table.connection)
