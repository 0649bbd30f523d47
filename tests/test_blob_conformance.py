"""The blob labels of the shared conformance scenario datatypes.py, on each backend.

The scenario's setup (tables, helpers) and its blob section are run on their own (the
rest of it exercises other issues' work) and compared with the reference's golden output.
Skipped when ../shared/conformance is not beside the repository.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import backend_url, unique_schema_name

SHARED = Path(os.environ.get("DJ_CONFORMANCE_DIR", Path(__file__).resolve().parents[1] / ".." / "shared" / "conformance"))
if not SHARED.is_dir():
    SHARED = Path("/work/shared/conformance")


def _sections(source: str) -> str:
    """The scenario's setup (before the first section), its blob section and its final drop."""
    parts = re.split(r"^(?=# -{10,} )", source, flags=re.M)
    setup, rest = parts[0], parts[1:]
    blobs = [p for p in rest if p.startswith("# ") and " blobs" in p.splitlines()[0]]
    drop = "\nschema.drop(prompt=False)\n"
    return setup + "".join(blobs) + drop


def test_blob_labels_match_reference(connection, backend, tmp_path) -> None:
    scenario, golden = SHARED / "datatypes.py", SHARED / "golden" / "datatypes.jsonl"
    if not scenario.exists() or not golden.exists():
        pytest.skip(f"conformance scenario not found in {SHARED}")
    spec = importlib.util.spec_from_file_location("conformance_check", SHARED / "check.py")
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    script = tmp_path / "datatypes_blobs.py"
    script.write_text(_sections(scenario.read_text()))
    url = str(connection.url.render_as_string(hide_password=False)) if backend != "sqlite" else backend_url(backend, str(tmp_path))
    env = {**os.environ, "DJ_DATABASE_URL": url, "DJ_SCENARIO_SCHEMA": unique_schema_name("conf_blob"),
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    got = check.parse(run.stdout)
    want = {k: v for k, v in check.parse(golden.read_text()).items() if "blob" in k}
    assert len(want) >= 30
    wrong = [k for k, v in want.items() if k not in got or not (check.same(got[k]["rows"], v["rows"]) and got[k]["len"] == v["len"])]
    assert not wrong, json.dumps({k: [want[k], got.get(k)] for k in wrong})[:3000]
