"""The package's public names: what ``import datajoint_sa as dj`` offers DataJoint 2.x code."""

from __future__ import annotations

import subprocess
import sys

import datajoint_sa as dj

# Names DataJoint 2.3.5 exports that pipelines use, which must exist here too.
REFERENCE_NAMES = {
    "AndList", "AutoPopulate", "Codec", "Compute", "Computed", "Connection", "DataJointError", "Diagram",
    "Entry", "FreeTable", "Imported", "Ingest", "Job", "Lookup", "Manual", "MatCell", "MatStruct", "Not",
    "NpyRef", "ObjectRef", "Part", "Schema", "SchemaCodec", "Table", "Top", "U", "ValidationResult",
    "VirtualModule", "config", "conn", "errors", "get_codec", "list_codecs", "list_schemas", "logger",
    "migrate", "virtual_schema",
}


def test_all_lists_exactly_what_is_defined():
    assert len(dj.__all__) == len(set(dj.__all__))
    assert all(hasattr(dj, name) for name in dj.__all__)


def test_reference_names_are_available():
    assert REFERENCE_NAMES - set(dj.__all__) == set()


def test_tier_aliases_are_the_tiers():
    assert (dj.Entry, dj.Ingest, dj.Compute) == (dj.Manual, dj.Imported, dj.Computed)


def test_migrate_is_loaded_on_first_use():
    probe = "import sys, datajoint_sa as dj; assert 'alembic' not in sys.modules; dj.migrate; assert 'alembic' in sys.modules"
    subprocess.run([sys.executable, "-c", probe], check=True, timeout=120)
