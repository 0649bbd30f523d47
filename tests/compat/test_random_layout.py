"""Property test: random valid definitions give the same layout with datajoint 2.3.5 and datajoint_sa.

The definitions come from the strategy of tests/test_properties_declare.py (every
core type, defaults, nullable attributes, comments, a foreign key in or below the
key, nullable/unique/renamed, indexes); each is declared by both libraries, in
their own schemas, and the two tables are compared through the catalog.
"""

from __future__ import annotations

import itertools
import os
import warnings

import pytest
from hypothesis import HealthCheck, given, reject, settings
from test_properties_declare import cases

import datajoint_sa

from .layout import describe_schema
from .test_layout import differences

EXAMPLES = int(os.environ.get("DJ_COMPAT_EXAMPLES", "20"))

PARENT = """
parent_id : int32   # the parent
---
parent_note = null : varchar(20)
"""


@pytest.fixture(scope="module")
def two_schemas(declared, ref, ref_instance, sa_connection):
    """A fresh schema per library holding a Parent table, and the Parent classes."""
    names = {"ref": declared.names["ref"]["main"] + "_r", "ours": declared.names["ours"]["main"] + "_r"}
    ref_schema = ref_instance.Schema(names["ref"])
    our_schema = datajoint_sa.Schema(names["ours"], connection=sa_connection)
    ref_parent = ref_schema(type("Parent", (ref.Manual,), {"definition": PARENT}), context={"Parent": None})
    our_parent = our_schema(type("Parent", (datajoint_sa.Manual,), {"definition": PARENT}), context={"Parent": None})
    yield names, (ref_schema, ref_parent), (our_schema, our_parent)
    with datajoint_sa.config.override(safemode=False):
        for name in names.values():
            datajoint_sa.Schema(name, connection=sa_connection).drop(prompt=False)


def test_random_definitions_same_layout(two_schemas, ref, declared, sa_connection):
    names, (ref_schema, ref_parent), (our_schema, our_parent) = two_schemas
    counter = itertools.count()

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(cases())
    def check(case):
        class_name = f"Random{next(counter)}"
        definition = case.render()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                ref_schema(type(class_name, (ref.Manual,), {"definition": definition}),
                           context={"Parent": ref_parent})
            except Exception:
                if not _refused_by_reference(case, declared.backend):
                    raise
                reject()  # a reference bug we do not reproduce: nothing to compare
        our_schema(type(class_name, (datajoint_sa.Manual,), {"definition": definition}),
                   context={"Parent": our_parent})
        table = class_name.lower()
        ref_layout = _table_layout(sa_connection, declared.backend, names["ref"], table)
        our_layout = _table_layout(sa_connection, declared.backend, names["ours"], table)
        found = differences(ref_layout, our_layout)
        assert not found, f"definition:\n{definition}\ndiffers from datajoint 2.3.5:\n" + "\n".join(found)

    check()


def _refused_by_reference(case, backend: str) -> bool:
    """Definitions datajoint 2.3.5 cannot declare, though they are valid DataJoint.

    On MySQL it writes a bool default ``true``/``false`` as the string ``'true'``,
    which a TINYINT column refuses ("Invalid default value"); datajoint_sa writes 1/0.
    """
    return backend == "mysql" and any(
        getattr(line, "kind", None) == "bool" and str(line.default).lower() in ("true", "false") for line in case.lines
    )


def _table_layout(connection, backend, schema, table):
    described = describe_schema(connection.engine, backend, schema, {schema: "<schema>"}, tables=[table])
    return {"layout": described["layout"], "lineage": {row for row in described["lineage"] if row[0] == table},
            "enum_types": described["enum_types"]}
