"""examples/elements: a two-module element activated by a workflow through its linking module, on each backend."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import uuid

import datajoint_sa as dj

from conftest import backend_url

WORKFLOW = pathlib.Path(__file__).resolve().parents[1] / "examples" / "elements" / "workflow.py"


def run_workflow(env: dict[str, str], cwd: pathlib.Path) -> str:
    run = subprocess.run([sys.executable, str(WORKFLOW)], cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=300, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_workflow_activates_the_element(backend: str, connection: dj.Connection, tmp_path: pathlib.Path) -> None:
    prefix = f"eldemo_{uuid.uuid4().hex[:6]}_"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    env["ELEMENTS_DEMO_PREFIX"] = prefix
    env["PYTHONPATH"] = os.pathsep.join([str(WORKFLOW.parents[2]), env.get("PYTHONPATH", "")])
    if backend != "sqlite":
        env["DJ_DATABASE_URL"] = backend_url(backend, str(tmp_path))
    try:
        for _ in range(2):  # the workflow starts afresh each time
            out = run_workflow(env, tmp_path)
            assert "'n_epochs': 3, 'total_seconds': 360.0" in out
            assert "tables: ['__session_summary', 'session', 'session__epoch']" in out
            assert "virtual Session.Epoch rows: 3" in out
    finally:
        if backend != "sqlite":
            for name in ("session", "subject", "lab"):
                dj.Schema(prefix + name, connection=connection).drop(prompt=False)

