"""populate(reserve_jobs=True) from several independent processes, as on several machines."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time

import pytest

import datajoint_sa as dj

from conftest import backend_url, unique_schema_name

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _environment(url: str, schema_name: str, log: str, sleep: float = 0.0) -> dict[str, str]:
    return dict(os.environ, DJ_WORKER_URL=url, DJ_WORKER_SCHEMA=schema_name, DJ_WORKER_LOG=log,
                DJ_WORKER_SLEEP=str(sleep), PYTHONPATH=ROOT)


def _start(env: dict[str, str], order: str = "random") -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.pipelines.worker_pipeline", order], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def worker_setup(backend, connection, _sqlite_dir, tmp_path):
    url = backend_url(backend, _sqlite_dir)
    schema_name = unique_schema_name("djworkers")
    log = str(tmp_path / "makes.log")
    env = _environment(url, schema_name, log)
    # Declare the pipeline and its items from this process.
    setup = subprocess.run([sys.executable, "-c", (
        "import tests.pipelines.worker_pipeline as p;"
        "p.Item.insert([(i,) for i in range(400)]);"
        "p.Square.jobs.refresh()"
    )], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert setup.returncode == 0, setup.stderr
    yield env, log, _Counter(connection, schema_name)
    dj.Schema(schema_name, connection=connection).drop(prompt=False)


def _made(log: str) -> collections.Counter:
    with open(log) as lines:
        return collections.Counter(int(line.split()[0]) for line in lines if line.strip())


class _Counter:
    """Row counts of the workers' tables, read from this process."""

    def __init__(self, connection: dj.Connection, schema_name: str) -> None:
        self.connection, self.schema_name = connection, schema_name

    def __call__(self, table: str, restriction: dict | None = None) -> int:
        rows = dj.FreeTable(self.connection, f"{self.schema_name}.{table}")
        return len(rows & restriction) if restriction else len(rows)


def _count(env: dict[str, str], expression: str) -> int:
    out = subprocess.run([sys.executable, "-c", f"import tests.pipelines.worker_pipeline as p; print({expression})"],
                         env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.strip().splitlines()[-1])


def test_four_workers_make_every_key_exactly_once(worker_setup):
    env, log, rows = worker_setup
    workers = [_start(env, order) for order in ("original", "reverse", "random", "random")]
    results = [w.communicate(timeout=600) for w in workers]
    for worker, (out, err) in zip(workers, results):
        assert worker.returncode == 0, err
        assert out.strip().split()[-1] == "0"  # no errors
    made = _made(log)
    assert sorted(made) == list(range(400))
    assert set(made.values()) == {1}
    assert sum(int(out.strip().split()[-2]) for out, _ in results) == 400
    assert rows("__square") == 400
    assert rows("__square__check") == 400
    assert rows("~~square") == 0


def test_killed_worker_leaves_no_partial_rows_and_its_key_is_recovered(worker_setup, backend):
    env, log, rows = worker_setup
    victim = _start(dict(env, DJ_WORKER_SLEEP="30"), "original")
    deadline = time.time() + 60
    while not os.path.exists(log + ".started") and time.time() < deadline:
        time.sleep(0.1)
    assert os.path.exists(log + ".started"), "the worker never started a make"
    victim.send_signal(signal.SIGKILL)  # in the middle of make: master row inserted, part row not yet
    victim.wait(timeout=30)
    assert rows("__square") == 0  # the interrupted make was rolled back
    assert rows("__square__check") == 0
    # On servers the dead worker's reservation stays until it is stale; on SQLite the
    # reservation was part of the rolled-back transaction, so the job is pending again.
    reserved = rows("~~square", {"status": "reserved"})
    assert reserved == (0 if backend == "sqlite" else 1)
    assert _count(env, "p.Square.jobs.refresh(orphan_timeout=0.001)['orphaned']") == reserved
    assert rows("~~square", {"status": "pending"}) == 400
    worker = _start(env, "original")
    out, err = worker.communicate(timeout=600)
    assert worker.returncode == 0, err
    assert out.split() == ["400", "0"]
    made = _made(log)
    assert sorted(made) == list(range(400)) and set(made.values()) == {1}
    assert rows("__square__check") == 400
    assert rows("~~square") == 0
