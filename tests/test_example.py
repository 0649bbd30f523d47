"""examples/first_pipeline.py runs with zero setup: SQLite file in the working directory."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parents[1] / "examples" / "first_pipeline.py"

EXPECTED_LINES = [
    "Refused, as it should be: IntegrityError",
    " (Total: 3)",
    " (Total: 4)",
    "subjects: 3, sessions: 3, recordings: 4",
    "male subjects: 2",
    "good recordings: 3",
    "subjects born after 2024-01-16: 2",
    "sessions of subject 1: 2",
    "subjects without a session: 1",
    "recordings of male subjects: 3",
    "  subject 1, 2024-06-01, recording 1: 300.5 s",
    "  subject 1, 2024-06-01, recording 2: 450.0 s",
    "  subject 2, 2024-06-10, recording 1: 350.0 s",
    "  session key: subject 1 on 2024-06-15",
    "Subject 1 is a mouse (M) born 2024-01-15",
    "Subject 2 is a mouse (F)",
    "after deleting subject 2's session: sessions: 2, recordings: 3",
]

pytestmark = pytest.mark.skipif(
    "sqlite" not in os.environ.get("DJ_TEST_BACKENDS", "sqlite"),
    reason="the example runs on SQLite; DJ_TEST_BACKENDS leaves SQLite out",
)


def run_example(cwd: pathlib.Path, **environment: str) -> subprocess.CompletedProcess[str]:
    # No DJ_* variables: the example must work on a machine where nothing is configured.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")} | environment
    return subprocess.run([sys.executable, str(EXAMPLE)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)


def test_first_pipeline_runs_with_zero_setup(tmp_path: pathlib.Path) -> None:
    run = run_example(tmp_path)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    missing = [line for line in EXPECTED_LINES if line not in lines]
    assert not missing, f"missing from the output: {missing}\n--- output ---\n{run.stdout}"
    assert (tmp_path / "datajoint.db").is_file(), "the default database is datajoint.db in the working directory"


def test_first_pipeline_runs_twice(tmp_path: pathlib.Path) -> None:
    assert run_example(tmp_path).returncode == 0
    again = run_example(tmp_path)
    assert again.returncode == 0, again.stderr
    assert "subjects: 3, sessions: 3, recordings: 4" in again.stdout.splitlines()


def test_first_pipeline_draws_its_diagram(tmp_path: pathlib.Path) -> None:
    if shutil.which("dot") is None:
        pytest.skip("graphviz's dot is not installed (apt-get install graphviz)")
    run = run_example(tmp_path)
    assert run.returncode == 0, run.stderr
    svg = (tmp_path / "pipeline.svg").read_text()
    assert "<svg" in svg and all(f">{name}</text>" in svg for name in ("Researcher", "Subject", "Session", "Recording"))


def test_first_pipeline_runs_without_graphviz(tmp_path: pathlib.Path) -> None:
    run = run_example(tmp_path, PATH=str(tmp_path / "no-programs-here"))
    assert run.returncode == 0, run.stderr
    assert "No diagram drawn: Graphviz's `dot` program is not installed" in run.stdout
    assert not (tmp_path / "pipeline.svg").exists()
