"""Migrations of a user's schema with alembic: autogenerate, upgrade, downgrade; rows kept; on each backend."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid

import pytest
import sqlalchemy as sa
from alembic import command
from reflection_helpers import reflect

import datajoint_sa as dj
from datajoint_sa.engine import catalog
from datajoint_sa.migrate import plan
from datajoint_sa.migrate.cli import config_for, load_schema, main

from conftest import unique_schema_name

V1 = '''
import datajoint_sa as dj
from datajoint_sa.engine import catalog
from conftest import open_connection

schema = dj.Schema({name!r}, connection=open_connection({backend!r}, {tmp!r}))


@schema
class Animal(dj.Manual):
    definition = """
    animal_id : int16
    ---
    species : varchar(20)
    tag = null : uuid
    extra = null : json
    """
'''

V2 = '''
import datajoint_sa as dj
from datajoint_sa.engine import catalog
from conftest import open_connection

schema = dj.Schema({name!r}, connection=open_connection({backend!r}, {tmp!r}))


@schema
class Animal(dj.Manual):
    definition = """
    animal_id : int32
    cohort = 1 : int16
    ---
    species : varchar(40)
    weight = null : float64
    tag = null : uuid
    extra = null : json
    """
'''


TAG = uuid.UUID("12345678-1234-5678-1234-567812345678")


@pytest.fixture
def project(connection, backend, _sqlite_dir, tmp_path):
    """A pipeline module at version 1 with rows, a module with the changed definition, and a versions directory."""
    name = unique_schema_name("djmig")
    for version, text in (("v1", V1), ("v2", V2)):
        module = tmp_path / f"pipeline_{version}_{name}.py"
        module.write_text(textwrap.dedent(text.format(name=name, backend=backend, tmp=_sqlite_dir)))
    first = load_schema(str(tmp_path / f"pipeline_v1_{name}.py"))
    with dj.config.override(database__create_tables=True):
        first.redeclare(first.declared_class("Animal"))
    first.declared_class("Animal").insert([{"animal_id": 1, "species": "mouse", "tag": TAG, "extra": {"a": [1, 2]}},
                            {"animal_id": 2, "species": "rat", "tag": None, "extra": None}])
    yield name, tmp_path
    dj.Schema(name, connection=connection).drop(prompt=False)


def test_autogenerate_upgrade_downgrade_with_a_primary_key_change(project, connection):
    name, tmp_path = project
    versions = tmp_path / "versions"
    module = str(tmp_path / f"pipeline_v1_{name}.py")
    changed = str(tmp_path / f"pipeline_v2_{name}.py")
    assert main(["revision", "-m", "baseline", "--module", module, "--versions", str(versions)]) == 0
    assert main(["upgrade", "--module", module, "--versions", str(versions)]) == 0
    target = load_schema(changed)
    config = config_for(target, versions)
    command.revision(config, message="key and columns", autogenerate=True)
    scripts = sorted(versions.glob("*key_and_columns*.py"))
    assert len(scripts) == 1
    text = scripts[0].read_text()
    assert "weight" in text and "cohort" in text and "primary" in text, text

    assert main(["upgrade", "--module", changed, "--versions", str(versions)]) == 0
    assert catalog.read_lineage(connection, name)[("animal", "cohort")] == f"{name}.animal.cohort"
    found = reflect(connection, name, "animal")
    assert found.primary_key == ["animal_id", "cohort"]
    assert found.names[:2] == ["animal_id", "species"] or "weight" in found.names
    animal = target.declared_class("Animal")
    assert animal.to_dicts(order_by="KEY") == [
        {"animal_id": 1, "cohort": 1, "species": "mouse", "weight": None, "tag": TAG, "extra": {"a": [1, 2]}},
        {"animal_id": 2, "cohort": 1, "species": "rat", "weight": None, "tag": None, "extra": None}]
    assert not plan(animal)[0]  # the table is as declared, types included (SQLite rebuilt it)
    animal.insert1({"animal_id": 1, "cohort": 2, "species": "x" * 40})  # the new key admits a second cohort
    animal.insert1({"animal_id": 70000, "cohort": 1, "species": "vole"})  # beyond int16
    with pytest.raises(dj.DuplicateError):
        animal.insert1({"animal_id": 1, "cohort": 2, "species": "again"})

    (animal & "cohort = 2 OR animal_id = 70000").delete_quick()
    command.downgrade(config, "-1")
    found = reflect(connection, name, "animal")
    assert found.primary_key == ["animal_id"]
    assert found.names == ["animal_id", "species", "tag", "extra"]
    with connection.session(write=False) as conn:
        sql_schema, sql_name = connection.rules.sql_table(name, "animal")
        table = sa.Table(sql_name, sa.MetaData(), schema=sql_schema, autoload_with=conn)
        assert sorted(tuple(row[:2]) for row in conn.execute(sa.select(table))) == [(1, "mouse"), (2, "rat")]


def test_history_and_current(project, capsys):
    name, tmp_path = project
    versions = tmp_path / "versions"
    module = str(tmp_path / f"pipeline_v1_{name}.py")
    assert main(["revision", "-m", "first", "--module", module, "--versions", str(versions)]) == 0
    assert main(["current", "--module", module, "--versions", str(versions)]) == 0
    assert "(head)" not in capsys.readouterr().out
    assert main(["upgrade", "--module", module, "--versions", str(versions)]) == 0
    assert main(["history", "--module", module, "--versions", str(versions)]) == 0
    assert "first" in capsys.readouterr().out
    assert main(["current", "--module", module, "--versions", str(versions)]) == 0
    assert "(head)" in capsys.readouterr().out


def test_bad_module_is_reported(tmp_path, capsys):
    empty = tmp_path / "empty_module.py"
    empty.write_text("x = 1\n")
    assert main(["history", "--module", str(empty), "--versions", str(tmp_path / "v")]) == 1
    assert "found: none" in capsys.readouterr().err


def test_console_entry_point(tmp_path):
    """``python -m datajoint_sa`` runs the same command line."""
    result = subprocess.run([sys.executable, "-m", "datajoint_sa", "--help"], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}, timeout=120)
    assert result.returncode == 0
    for word in ("revision", "upgrade", "downgrade", "history", "current"):
        assert word in result.stdout
