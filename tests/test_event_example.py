"""examples/event_detection.py: a computed pipeline with a part table and a three-part make, on SQLite."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parents[1] / "examples" / "event_detection.py"

pytestmark = pytest.mark.skipif(
    "sqlite" not in os.environ.get("DJ_TEST_BACKENDS", "sqlite"),
    reason="the example runs on SQLite; DJ_TEST_BACKENDS leaves SQLite out",
)


def test_event_detection_example_runs(tmp_path: pathlib.Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    run = subprocess.run([sys.executable, str(EXAMPLE)], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    for expected in ("to compute (remaining, total): (6, 6)", "populate: 6 made, 0 errors", "populate again: 0 made",
                     "after a new recording: (2, 8) -> 2 made", "rhythm with jobs: 8 made; jobs left: 0"):
        assert expected in lines, f"{expected!r} missing from:\n{run.stdout}"
