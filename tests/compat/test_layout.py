"""The same definitions give the same database layout with datajoint 2.3.5 and with datajoint_sa.

Each check compares what the catalog says about the reference's schemas with what
it says about ours: tables, columns (order, SQL type, nullability, default,
comment), primary keys, foreign keys with their rules, indexes, table comments,
enum types and the ``~lineage`` rows.
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
