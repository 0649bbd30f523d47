"""The same definitions give the same database layout with datajoint 2.3.5 and with datajoint_sa.

Each check compares what the catalog says about the reference's schemas with what
it says about ours: tables, columns (order, SQL type, nullability, default,
comment), primary keys, foreign keys with their rules, indexes, table comments,
check constraints, MySQL table engine and collation, PostgreSQL enum types and the
``~lineage`` rows.  No allowance is needed: the layouts are identical, including the
index DataJoint 2.3.5 and datajoint_sa both add on PostgreSQL foreign-key columns.
"""

from __future__ import annotations

from typing import Any

import pytest

from .layout import describe_schema


def differences(ref: Any, ours: Any, path: str = "") -> list[str]:
    """Every place where ``ours`` differs from ``ref``, as 'path: reference != ours' lines."""
    if isinstance(ref, dict) and isinstance(ours, dict):
        found = []
        for key in list(ref) + [k for k in ours if k not in ref]:
            if key not in ours:
                found.append(f"{path}/{key}: only in the reference ({ref[key]!r})")
            elif key not in ref:
                found.append(f"{path}/{key}: only in datajoint_sa ({ours[key]!r})")
            else:
                found.extend(differences(ref[key], ours[key], f"{path}/{key}"))
        return found
    return [] if ref == ours else [f"{path}: {ref!r} != {ours!r}"]


@pytest.fixture(scope="session")
def layouts(declared, sa_connection) -> dict[str, dict[str, Any]]:
    """side -> schema role -> described schema."""
    engine = sa_connection.engine
    return {
        side: {role: describe_schema(engine, declared.backend, name, declared.placeholders[side])
               for role, name in declared.names[side].items()}
        for side in ("ref", "ours")
    }


@pytest.mark.parametrize("role", ["upstream", "main"])
def test_same_layout(layouts, role):
    found = differences(layouts["ref"][role], layouts["ours"][role])
    assert not found, "layout differs from datajoint 2.3.5:\n" + "\n".join(found)


def test_layout_is_not_vacuous(layouts, declared):
    """The compared layouts hold what the pipeline declares, so an empty comparison cannot pass."""
    ours = layouts["ours"]["main"]
    assert set(ours["tables"]) >= {"#lab", "#device", "all_types", "subject", "session", "pairing", "_recording",
                                   "_recording__channel", "__analysis", "__analysis__trace", "h_t_t_p_log", "~lineage"}
    assert ("subject", "animal_id", "<upstream>.animal.animal_id") in ours["lineage"]
    assert ("pairing", "second_animal", "<upstream>.animal.animal_id") in ours["lineage"]
    assert ("__analysis__trace", "channel", "<main>._recording__channel.channel") in ours["lineage"]
    subject = ours["layout"]["subject"]
    assert {"columns": ("animal_id",), "rules": ("CASCADE", "RESTRICT")}.items() <= subject["foreign_keys"][0].items()
    assert subject["foreign_keys"][0]["referred"][:2] == ("<upstream>", "animal")
    assert ours["layout"]["all_types"]["columns"]["v_blob"]["comment"] == ":<blob>:a serialized array"
    assert differences(layouts["ref"]["upstream"], ours)  # the comparison does see differences
