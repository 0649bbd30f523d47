"""Semantic matching and the headings that operators produce; pure functions of headings.

Two namesake attributes match only when they are homologous: both have a lineage
(the ``schema.table.attribute`` their values originate from) and the lineages agree.
Join, restriction by a query and aggregation use :func:`check_homology`; union stacks rows
and checks primary keys only.
"""

from __future__ import annotations

from dataclasses import replace

from ..errors import DataJointError
from ..heading import Heading

__all__ = ["check_homology", "determines", "join_heading", "with_primary_key"]


def check_homology(left: Heading, right: Heading, semantic_check: bool = True) -> list[str]:
    """The namesakes of two headings; raise DataJointError for a non-homologous one.

    With ``semantic_check=False`` every namesake matches (natural matching).
    """
    shared = [n for n in left.names if n in right]
    if not semantic_check:
        return shared
    for name in shared:
        mine, theirs = left[name].lineage, right[name].lineage
        if mine is None or theirs is None:
            raise DataJointError(
                f"Cannot match on attribute `{name}`: lineage missing on one side ({mine} vs {theirs}); "
                "attributes without lineage (secondary attributes not inherited through a foreign key, "
                "computed attributes) never match. Rename one with .proj(), or pass semantic_check=False."
            )
        if mine != theirs:
            raise DataJointError(
                f"Cannot match on attribute `{name}`: different lineages ({mine} vs {theirs}). "
                "Rename one with .proj(), or pass semantic_check=False."
            )
    return shared


def determines(left: Heading, right: Heading) -> bool:
    """``left -> right``: every primary-key attribute of ``right`` is an attribute of ``left``."""
    return left.determines(right)


def with_primary_key(heading: Heading, key: list[str]) -> Heading:
    """The same attributes with ``key`` as the primary key, key first."""
    attrs = [replace(heading[n], in_key=True) for n in key]
    attrs += [replace(a, in_key=False) for a in heading.attributes.values() if a.name not in key]
    return Heading(attrs)


def join_heading(left: Heading, right: Heading, *, left_join: bool = False, nullable_key: bool = False) -> Heading:
    """The heading of ``left * right``: its primary key follows the functional dependencies.

    ``left -> right``: the key of ``left``; else ``right -> left``: the key of ``right``;
    else the union of both keys.  A left join requires ``left -> right`` (checked by the
    caller); its right-hand attributes become nullable.  ``nullable_key`` (aggregation
    keeping all rows) takes the union of the keys without requiring a dependency.
    """
    return left.join(right, left=left_join, nullable_pk=nullable_key)
