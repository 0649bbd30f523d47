"""populate(): compute what is missing, one key at a time, each in its own transaction.

For every key of ``key_source`` (by default the join of the primary-key parents)
that the table lacks, ``make(key)`` fetches, computes and inserts (see
:mod:`.runner` for the transaction rules and the three-part make).  With
``reserve_jobs=True`` workers on any number of machines share the work through
the jobs table (:mod:`.jobs`); ``processes=N`` runs a local pool (:mod:`.pool`).
"""

from __future__ import annotations

import contextlib
import datetime
import inspect
import logging
import os
import random
import signal
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import DataJointError
from ..expression.condition import AndList
from ..settings import config
from .jobs import jobs_table_for, server_time
from .runner import SKIPPED, KeyRunner

__all__ = ["AutoPopulate"]

logger = logging.getLogger("datajoint_sa")

ORDERS = ("original", "reverse", "random")


class AutoPopulate:
    """What Imported and Computed tables add to a table: key_source, make, populate, progress, jobs."""

    @classmethod
    def _declare_check(cls, declared: Any) -> None:
        """Warn of primary-key attributes that come from no foreign key: make() runs once per key of its parents.

        DataJoint 2.3.5 declares such tables (its own check of this never runs), so this is a
        warning, not an error; ``jobs.allow_new_pk_fields_in_computed_tables`` silences it.
        """
        if config["jobs.allow_new_pk_fields_in_computed_tables"]:
            return
        from_parents = {attr for _, pairs, in_key in declared.parents if in_key for attr, _ in pairs}
        own = [name for name in declared.heading.primary_key if name not in from_parents]
        if own:
            logger.warning(
                "%s: primary-key attribute(s) %s come from no foreign key, so each make() must insert every "
                "row of its key (jobs track the parents' keys). A Part table is the usual home for such rows; "
                "set dj.config['jobs.allow_new_pk_fields_in_computed_tables'] = True to silence this.",
                cls.__name__, ", ".join(own))

    @classmethod
    def _platform_attribute_lines(cls) -> tuple[Any, ...]:
        """Hidden attributes the library declares on this table: the job metadata, when ``jobs.add_job_metadata``."""
        from .metadata import job_metadata_lines

        return job_metadata_lines(cls)

    # -- what to compute ---------------------------------------------------------------
    @property
    def key_source(self) -> Any:
        """The keys to compute: the join of the primary-key parents, projected to their keys."""
        source = None
        for parent, attr_map in _primary_parents(self):
            renames = {child: parent_attr for child, parent_attr in attr_map.items() if child != parent_attr}
            projected = parent.proj(**renames)
            projected._caption = f"FreeTable({parent.full_table_name})"  # printed as DataJoint prints it
            source = projected if source is None else source * projected
        if source is None:
            raise DataJointError(f"{type(self).__name__} has no foreign keys in its primary key: auto-populate needs "
                                 "them, or a key_source property naming the keys to compute.")
        return source

    def _key_source_under(self, restrictions: Sequence[Any]) -> Any:
        """key_source under the restrictions, projected to its primary key, after checking it fits this table."""
        source = self.key_source
        if inspect.isclass(source):
            source = source()
        if not hasattr(source, "heading") or not hasattr(source, "proj"):
            raise DataJointError(f"The key_source of {type(self).__name__} must be a query expression; "
                                 f"got {type(source).__name__}.")
        missing = [name for name in source.primary_key if name not in self.heading]
        if missing:
            raise DataJointError(f"{type(self).__name__} lacks attribute(s) {', '.join(missing)} of the primary key "
                                 "of its key_source.")
        if restrictions:
            source = source & AndList(restrictions)
        return source.proj()

    def _todo(self, restrictions: Sequence[Any]) -> Any:
        """Keys of the key source (under the restrictions) not yet in this table."""
        return self._key_source_under(restrictions) - self.proj()

    #: The key of the make() running on this instance (None outside make), and its trace once read.
    _upstream_key: dict[str, Any] | None = None
    _upstream: Any = None

    @property
    def upstream(self) -> Any:
        """Inside make(): the trace of the current key, its ancestors restricted to the rows it derives from.

        ``self.upstream[Session]`` is Session restricted to the row(s) the key derives
        from; a table that is not an ancestor raises.  Built on first use in each make
        and shared by the three parts of a three-part make; outside make it raises.
        """
        if self._upstream_key is None:
            raise DataJointError(f"{type(self).__name__}.upstream is only available inside make(): it is the trace "
                                 "of the key being made.")
        if self._upstream is None:
            from .upstream import upstream_of

            self._upstream = upstream_of(self, self._upstream_key)
        return self._upstream

    @property
    def jobs(self) -> Any:
        """The jobs table of this table (declared on first use)."""
        return jobs_table_for(self)

    def make(self, key: dict[str, Any], **kwargs: Any) -> Any:
        """Compute and insert the rows of one key.

        Override it, or define ``make_fetch(key, **kwargs)`` -> tuple,
        ``make_compute(key, *fetched)`` -> tuple and ``make_insert(key, *computed)``:
        this default then chains them as a generator, so that the compute runs
        outside the database transaction.
        """
        if not all(hasattr(self, n) for n in ("make_fetch", "make_compute", "make_insert")):
            raise NotImplementedError(
                f"{type(self).__name__} must define make(self, key), or make_fetch, make_compute and make_insert.")
        fetched = self.make_fetch(key, **kwargs)
        computed = yield fetched
        if computed is None:
            computed = self.make_compute(key, *fetched)
            yield computed
        self.make_insert(key, *computed)
        yield

    # -- progress -------------------------------------------------------------------------
    def progress(self, *restrictions: Any, display: bool = False) -> tuple[int, int]:
        """(keys still to compute, all keys) of the key source under the restrictions.

        ``display=True`` also logs a line "Name  Completed d of n (p%)" at INFO level.
        """
        source = self._key_source_under(restrictions)
        total = len(source)
        remaining = len(source - self.proj())
        if display:
            percent = 100 - 100 * remaining / (total + 1e-12)
            stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
            logger.info("%-20s Completed %d of %d (%2.1f%%)   %s", type(self).__name__, total - remaining, total,
                        percent, stamp)
        return remaining, total

    # -- populate --------------------------------------------------------------------------
    def populate(self, *restrictions: Any, suppress_errors: bool = False, return_exception_objects: bool = False,
                 reserve_jobs: bool = False, order: str = "original", max_calls: int | None = None,
                 display_progress: bool = False, processes: int | None = 1, make_kwargs: dict[str, Any] | None = None,
                 priority: int | None = None, refresh: bool | None = None) -> dict[str, Any]:
        """Call make() for every key of the key source (under the restrictions) not yet in the table.

        Each make runs in its own transaction.  ``reserve_jobs=True`` claims each key
        in the jobs table first, so that any number of workers can share the work;
        it refreshes the queue first (``refresh``, default ``jobs.auto_refresh``),
        takes pending jobs by priority (only those ``<= priority`` if given) and
        records failures there.  ``order`` is 'original' (by key), 'reverse' or
        'random'; ``max_calls`` caps the number of keys tried; ``processes`` > 1
        runs a local pool of worker processes (None: one per CPU core, at most one
        per key); ``make_kwargs`` are passed to make.

        Returns ``{"success_count": n, "error_list": [(key, message), ...]}`` (with
        ``return_exception_objects`` the exceptions instead of messages); a make
        error is raised unless ``suppress_errors``.
        """
        if getattr(self, "_where", ()):
            raise DataJointError("populate() runs on the table itself; pass restrictions as arguments: "
                                 "Table.populate(restriction).")
        if order not in ORDERS:
            raise DataJointError(f"order must be one of {', '.join(ORDERS)}; got {order!r}.")
        if self.connection.in_transaction:
            raise DataJointError("populate() cannot run inside a transaction: each make runs in its own.")
        jobs = self.jobs if reserve_jobs else None
        with _terminate_as_exit(reserve_jobs):
            keys = self._keys_to_make(restrictions, jobs, order, priority, refresh)
            if max_calls is not None:
                keys = keys[: max(int(max_calls), 0)]
            runner = KeyRunner(self, jobs, suppress_errors, return_exception_objects, dict(make_kwargs or {}))
            wanted = (os.cpu_count() or 1) if processes is None else max(int(processes), 1)  # None: one per core
            processes = min(wanted, len(keys), os.cpu_count() or 1)
            if processes > 1:
                from .pool import run_pool

                outcomes: Any = run_pool(runner, keys, processes)
                session: Any = contextlib.nullcontext()
            else:
                outcomes = runner.run(keys)
                session = self.connection.held()  # one connection for all the keys' transactions
            if display_progress:
                from tqdm import tqdm

                outcomes = tqdm(outcomes, total=len(keys), desc=type(self).__name__)
            success, errors = 0, []
            with session:
                for outcome in outcomes:
                    if outcome is True:
                        success += 1
                    elif outcome is not SKIPPED:
                        errors.append(outcome)
        return {"success_count": success, "error_list": errors}

    def _keys_to_make(self, restrictions: Sequence[Any], jobs: Any, order: str, priority: int | None,
                      refresh: bool | None) -> list[dict[str, Any]]:
        """The keys to try, in order: all missing keys, or the due pending jobs among them by priority."""
        todo = self._todo(restrictions).keys(order_by="KEY")
        if jobs is None:
            return _reorder(todo, order)
        if config["jobs.auto_refresh"] if refresh is None else refresh:
            jobs.refresh(*restrictions, priority=priority, delay=-1)
        now = server_time(self.connection)
        wanted = {tuple(k[n] for n in jobs.primary_key) for k in todo}
        due = [job for job in jobs.pending.to_dicts(order_by="KEY")
               if job["scheduled_time"] <= now and (priority is None or job["priority"] <= priority)
               and tuple(job[n] for n in jobs.primary_key) in wanted]
        due = _reorder(due, order)
        due.sort(key=lambda job: (job["priority"], job["scheduled_time"]))  # stable: order within equal priority
        return [{n: job[n] for n in jobs.primary_key} for job in due]


def _reorder(keys: list[dict[str, Any]], order: str) -> list[dict[str, Any]]:
    if order == "reverse":
        keys.reverse()
    elif order == "random":
        random.shuffle(keys)
    return keys


@contextlib.contextmanager
def _terminate_as_exit(active: bool) -> Iterator[None]:
    """While workers share jobs, SIGTERM raises SystemExit, so that the job in hand is recorded as an error.

    Only in this process: one forked meanwhile (a pool worker) ends as SIGTERM ends any process.
    """
    if not active or threading.current_thread() is not threading.main_thread():
        yield
        return

    owner = os.getpid()

    def terminate(signum: int, frame: Any) -> None:
        if os.getpid() != owner:  # a process forked meanwhile (a pool worker not started yet): end it
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        logger.info("populate terminated by SIGTERM")
        raise SystemExit("SIGTERM received")

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _primary_parents(table: Any) -> list[tuple[Any, dict[str, str]]]:
    """(parent table object, attr_map) for every foreign key in the primary key of ``table``."""
    found = []
    for full_name, pairs, in_key in type(table)._declared.parents:
        if in_key:
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
