"""populate(): compute what is missing, one key at a time, each in its own transaction.

For every key of ``key_source`` (by default the join of the primary-key parents)
that the table lacks, ``make(key)`` fetches, computes and inserts.  A make that
raises leaves nothing behind.  The three-part form (``make_fetch``,
``make_compute``, ``make_insert``, or a generator ``make``) runs the long
computation outside the transaction and re-checks its inputs before inserting.
With ``reserve_jobs=True`` workers on any number of machines share the work
through the jobs table.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import logging
import multiprocessing
import pickle
import random
import time
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import DataJointError
from ..expression.condition import AndList
from ..table import allow_direct_insert
from .jobs import error_stack, jobs_table_for

__all__ = ["AutoPopulate"]

logger = logging.getLogger("datajoint_sa")

ORDERS = ("original", "reverse", "random")
_SKIPPED = object()


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
        if hasattr(item, "dtype") and hasattr(item, "tobytes"):
            digest.update(f"{item.dtype.str}{getattr(item, 'shape', ())}".encode())
            digest.update(item.tobytes() if item.dtype != object else pickle.dumps(item.tolist()))
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
        else:
            digest.update(repr(item).encode())

    feed(value)
    return digest.digest()


class AutoPopulate:
    """What Imported and Computed tables add to a table: key_source, make, populate, progress, jobs."""

    # -- what to compute ---------------------------------------------------------------
    @property
    def key_source(self) -> Any:
        """The keys to compute: the join of the primary-key parents, projected to their keys."""
        parents = _primary_parents(self)
        if not parents:
            raise DataJointError(f"{type(self).__name__} has no primary-key parents: define its key_source.")
        source = None
        for parent, attr_map in parents:
            renames = {child: parent_attr for child, parent_attr in attr_map.items() if child != parent_attr}
            projected = parent.proj(**renames)
            source = projected if source is None else source * projected
        return source

    def _todo(self, restrictions: Sequence[Any]) -> Any:
        source = self.key_source
        if restrictions:
            source = source & AndList(restrictions)
        return source - self.proj()

    @property
    def jobs(self) -> Any:
        """The jobs table of this table (declared on first use)."""
        return jobs_table_for(self)

    def make(self, key: dict[str, Any], **kwargs: Any) -> Any:
        """Compute and insert the rows for one key.  Override it, or define make_fetch/make_compute/make_insert."""
        if not all(hasattr(self, n) for n in ("make_fetch", "make_compute", "make_insert")):
            raise NotImplementedError(
                f"{type(self).__name__} must define make(self, key), or make_fetch, make_compute and make_insert."
            )
        fetched = self.make_fetch(key, **kwargs)
        computed = yield fetched
        if computed is None:
            computed = self.make_compute(key, *fetched)
            yield computed
        self.make_insert(key, *computed)
        yield

    # -- progress -------------------------------------------------------------------------
    def progress(self, *restrictions: Any, display: bool = False) -> tuple[int, int]:
        """(keys still to compute, all keys) of the key source under the restrictions."""
        source = self.key_source
        if restrictions:
            source = source & AndList(restrictions)
        total = len(source)
        remaining = len(source - self.proj())
        if display:
            done = total - remaining
            percent = 100.0 * done / total if total else 100.0
            print(f"{type(self).__name__:<20} Completed {done} of {total} ({percent:.1f}%)")
        return remaining, total

    # -- populate --------------------------------------------------------------------------
    def populate(self, *restrictions: Any, suppress_errors: bool = False, return_exception_objects: bool = False,
                 reserve_jobs: bool = False, order: str = "original", max_calls: int | None = None,
                 display_progress: bool = False, processes: int = 1, make_kwargs: dict[str, Any] | None = None,
                 priority: int | None = None, refresh: bool | None = None) -> dict[str, Any]:
        """Call make() for every key of the key source (under the restrictions) not yet in the table.

        Returns ``{"success_count": n, "error_list": [(key, message or exception), ...]}``;
        errors are raised unless ``suppress_errors``.
        """
        if getattr(self, "_where", ()):
            raise DataJointError("populate() runs on the table itself; pass restrictions as arguments: "
                                 "Table.populate(restriction).")
        if order not in ORDERS:
            raise DataJointError(f"order must be one of {', '.join(ORDERS)}; got {order!r}.")
        jobs = self.jobs if reserve_jobs else None
        keys = self._keys_to_make(restrictions, jobs, priority, refresh)
        if order == "reverse":
            keys.reverse()
        elif order == "random":
            random.shuffle(keys)
        if max_calls is not None:
            keys = keys[: max(int(max_calls), 0)]
        options = {"suppress_errors": suppress_errors, "return_exception_objects": return_exception_objects,
                   "reserve_jobs": reserve_jobs, "make_kwargs": make_kwargs or {}}
        if processes > 1 and len(keys) > 1:
            outcomes: Any = _run_pool(self, keys, min(processes, len(keys)), options)
        else:
            outcomes = (self._populate_one(key, jobs, **options) for key in keys)
        if display_progress:
            from tqdm import tqdm

            outcomes = tqdm(outcomes, total=len(keys), desc=type(self).__name__)
        success, errors = 0, []
        for outcome in outcomes:
            if outcome is True:
                success += 1
            elif outcome is not _SKIPPED and outcome is not None:
                errors.append(outcome)
        return {"success_count": success, "error_list": errors}

    def _keys_to_make(self, restrictions: Sequence[Any], jobs: Any, priority: int | None,
                      refresh: bool | None) -> list[dict[str, Any]]:
        todo = self._todo(restrictions)
        if jobs is None:
            return todo.keys(order_by="KEY")
        if refresh is None or refresh:
            jobs.refresh(*restrictions)
        pending = jobs.pending
        if priority is not None:
            pending = pending & f"priority <= {int(priority)}"
        wanted = {tuple(k[n] for n in self.primary_key) for k in todo.keys()}
        ordered = pending.to_dicts(order_by=["priority", "scheduled_time"])
        return [{n: job[n] for n in self.primary_key} for job in ordered
                if tuple(job.get(n) for n in self.primary_key) in wanted]

    def _populate_one(self, key: dict[str, Any], jobs: Any, *, suppress_errors: bool,
                      return_exception_objects: bool, reserve_jobs: bool, make_kwargs: dict[str, Any]) -> Any:
        """Make one key: True on success, _SKIPPED if someone else has it, (key, error) on a suppressed error."""
        name = type(self).__name__
        if jobs is not None and not jobs.reserve(key):
            return _SKIPPED
        started = time.perf_counter()
        try:
            made = self._make_in_transaction(dict(key), make_kwargs)
        except (KeyboardInterrupt, SystemExit):
            if jobs is not None:
                jobs.error(key, "KeyboardInterrupt: populate was interrupted", error_stack())
            raise
        except Exception as err:  # noqa: BLE001 - every make error is recorded, then raised or returned
            message = f"{type(err).__name__}: {err}"
            logger.info("%s: make(%s) failed: %s", name, key, message)
            if jobs is not None:
                jobs.error(key, message, error_stack())
            if not suppress_errors:
                raise
            return (key, err if return_exception_objects else message)
        if jobs is not None:
            jobs.complete(key, time.perf_counter() - started)
        if not made:
            logger.debug("%s: %s was made by another worker", name, key)
            return _SKIPPED
        logger.info("%s: made %s in %.3f s", name, key, time.perf_counter() - started)
        return True

    def _make_in_transaction(self, key: dict[str, Any], make_kwargs: dict[str, Any]) -> bool:
        """Run make for one key; False when the key turned out to be done already."""
        connection = self.connection
        if not inspect.isgeneratorfunction(type(self).make):
            with connection.transaction, _inserting():
                if self._is_done(key):
                    return False
                self.make(key, **make_kwargs)
            return True
        # Three-part make: fetch and compute outside the transaction, then re-fetch inside it,
        # check the inputs are unchanged, and insert.
        outside = self.make(dict(key), **make_kwargs)
        fetched = next(outside)
        computed = next(outside)
        with connection.transaction, _inserting():
            if self._is_done(key):
                return False
            inside = self.make(dict(key), **make_kwargs)
            if fingerprint(next(inside)) != fingerprint(fetched):
                raise DataJointError(f"The inputs of {type(self).__name__} for {key} changed while make_compute ran; "
                                     "nothing was inserted. Populate again to use the new inputs.")
            with contextlib.suppress(StopIteration):
                inside.send(computed)
        return True

    def _is_done(self, key: dict[str, Any]) -> bool:
        return bool(self.proj() & {k: key[k] for k in self.primary_key if k in key})


def _primary_parents(table: Any) -> list[tuple[Any, dict[str, str]]]:
    """(parent table object, attr_map) for every foreign key in the primary key of ``table``."""
    declared = type(table)._declared
    found = []
    for full_name, pairs, in_key in declared.parents:
        if not in_key:
            continue
        schema_name, table_name = full_name.split(".", 1)
        found.append((_table_object(table.connection, schema_name, table_name), dict(pairs)))
    return found


def _table_object(connection: Any, schema_name: str, table_name: str) -> Any:
    schema = connection.schemas.get(schema_name)
    if schema is not None:
        for cls in schema._classes.values():
            if cls.table_name == table_name:
                return cls()
    from ..table import FreeTable

    return FreeTable(connection, f"{schema_name}.{table_name}")


# -- local worker pool (processes=N) ---------------------------------------------------------
_worker_table: Any = None
_worker_options: dict[str, Any] = {}


def _worker_start(table: Any, options: dict[str, Any]) -> None:
    global _worker_table, _worker_options
    table.connection.engine.dispose(close=False)  # forked: never reuse the parent's sockets
    _worker_table, _worker_options = table, options


def _worker_make(key: dict[str, Any]) -> Any:
    jobs = _worker_table.jobs if _worker_options["reserve_jobs"] else None
    options = dict(_worker_options, suppress_errors=True)
    outcome = _worker_table._populate_one(key, jobs, **options)
    if isinstance(outcome, tuple) and not _worker_options["suppress_errors"]:
        return ("raise", outcome)
    return outcome if outcome is not _SKIPPED else None


def _run_pool(table: Any, keys: list[dict[str, Any]], processes: int, options: dict[str, Any]) -> Iterator[Any]:
    context = multiprocessing.get_context("fork")
    table.connection.engine.dispose(close=False)
    with context.Pool(processes, initializer=_worker_start, initargs=(table, options)) as pool:
        for outcome in pool.imap_unordered(_worker_make, keys):
            if isinstance(outcome, tuple) and outcome and outcome[0] == "raise":
                key, error = outcome[1]
                raise error if isinstance(error, BaseException) else DataJointError(f"make({key}) failed: {error}")
            yield outcome
