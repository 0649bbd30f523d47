"""What a wheel of datajoint_sa holds: the package, the bookkeeping migrations, the compiled reader."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), ROOT],
                   check=True, capture_output=True, timeout=600)
    (built,) = out.glob("datajoint_sa-*.whl")
    return built


def test_wheel_holds_the_bookkeeping_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "datajoint_sa/bookkeeping_migrations/env.py" in names
    assert "datajoint_sa/bookkeeping_migrations/script.py.mako" in names
    assert "datajoint_sa/bookkeeping_migrations/versions/0001_initial_layout.py" in names
    assert "datajoint_sa/fetch/sqlite_columns.py" in names and "datajoint_sa/py.typed" in names
    assert not any(name.startswith(("tests/", "benchmarks/", "migrations/")) for name in names)


def test_wheel_holds_the_compiled_sqlite_reader_where_it_builds(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    built = [n for n in names if n.startswith("datajoint_sa/fetch/_sqlite_columns") and n.endswith((".so", ".pyd"))]
    if not built and os.environ.get("CI") != "true":
        pytest.skip("no C compiler or sqlite3.h here: the wheel goes without the compiled reader")
    assert len(built) == 1


def test_an_installed_wheel_finds_its_migrations(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=600)
    script = ("from alembic.script import ScriptDirectory;"
              "from datajoint_sa.migrate.bookkeeping import migrations_folder;"
              "folder = migrations_folder(); print(folder); print(ScriptDirectory(str(folder)).get_heads())")
    done = subprocess.run([sys.executable, "-c", script], env=dict(os.environ, PYTHONPATH=str(target)),
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    folder, heads = done.stdout.splitlines()[-2:]
    assert folder.startswith(str(target)) and heads == "['0001']"
