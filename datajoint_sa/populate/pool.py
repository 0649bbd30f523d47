"""populate(processes=N): a local pool of forked worker processes, each with its own connections.

Workers inherit the table and the runner by ``fork`` (a live table cannot be
pickled); each drops the connections inherited from the parent and opens its own.
A make error that is not suppressed comes back to the parent, which raises it
and stops the pool.  A worker that dies (killed, out of memory, a crash in native
code) breaks the pool: populate raises DataJointError instead of waiting forever for
its key; a job it had reserved stays ``reserved`` until ``jobs.refresh`` hands it back.

At most two keys per worker are queued at a time, so a stop takes effect quickly.
"""

from __future__ import annotations

import itertools
import multiprocessing
import pickle
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import Any

from ..errors import DataJointError
from .runner import error_message

__all__ = ["run_pool"]

_runner: Any = None


def _start(runner: Any) -> None:
    global _runner
    # A broken pool stops its workers with SIGTERM: they end at once, as pool workers do.  The parent's
    # handler (SIGTERM raises SystemExit) would leave a worker running when the exception is lost,
    # as one raised in a __del__ is, and the pool would wait for it forever.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    connection = runner.table.connection
    connection.engine.dispose(close=False)  # never reuse the parent's sockets
    connection._local = threading.local()  # nor its transaction or held connection
    _runner = runner


def _make(key: dict[str, Any]) -> Any:
    outcome = _runner(key)
    if not isinstance(outcome, tuple):
        return outcome
    key, error = outcome
    try:
        pickle.dumps(error)
    except Exception:  # noqa: BLE001 - an exception that cannot cross processes travels as its message
        error = DataJointError(error_message(error))
    return key, error


def run_pool(runner: Any, keys: list[dict[str, Any]], processes: int) -> Iterator[Any]:
    """Make ``keys`` in ``processes`` forked workers; yields each outcome as it arrives."""
    if "fork" not in multiprocessing.get_all_start_methods():
        raise DataJointError("populate(processes=N) needs the 'fork' start method, which this platform lacks.")
    in_workers = replace(runner, suppress_errors=True, return_exception_objects=True)
    runner.table.connection.engine.dispose(close=False)
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start, initargs=(in_workers,))
    waiting = iter(keys)
    running: set[Future[Any]] = set()
    try:
        while True:
            running.update(pool.submit(_make, key) for key in itertools.islice(waiting, 2 * processes - len(running)))
            if not running:
                return
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                yield _outcome(runner, future)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _outcome(runner: Any, future: Future[Any]) -> Any:
    try:
        outcome = future.result()
    except BrokenProcessPool as err:
        raise DataJointError(f"A worker process of {type(runner.table).__name__}.populate(processes=N) died while "
                             "making a key; nothing of that key was committed. Jobs it had reserved return to the "
                             "queue with jobs.refresh(orphan_timeout=...).") from err
    if isinstance(outcome, tuple):
        key, error = outcome
        if not runner.suppress_errors:
            raise error
        outcome = key, (error if runner.return_exception_objects else error_message(error))
    return outcome
