"""Semantic matching and the headings that operators produce; pure functions of headings.

Two namesake attributes match only when they are homologous: both have a lineage
(the ``schema.table.attribute`` their values originate from) and the lineages agree.
Join, restriction by a query and aggregation use :func:`check_homology`; union stacks rows
and checks primary keys only.
"""

from __future__ import annotations

from dataclasses import replace

from ..errors import DataJointError
from ..heading import Attribute, Heading

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
    return all(name in left for name in right.primary_key)


def with_primary_key(heading: Heading, key: list[str]) -> Heading:
    """The same attributes with ``key`` as the primary key, key first."""
    attrs = [replace(heading[n], in_key=True) for n in key]
    attrs += [replace(a, in_key=False) for a in heading.attributes.values() if a.name not in key]
    return Heading(attrs)


def _dependent(master: Heading, other: Heading, nullable: bool) -> list[Attribute]:
    attrs = [master[n] for n in master.primary_key] + [master[n] for n in master.secondary_attributes]
    extra = [a for a in other.attributes.values() if a.name not in master]
    return attrs + [replace(a, in_key=False, nullable=a.nullable or nullable) for a in extra]


def join_heading(left: Heading, right: Heading, *, left_join: bool = False, nullable_key: bool = False) -> Heading:
    """The heading of ``left * right``: its primary key follows the functional dependencies.

    ``left -> right``: the key of ``left``; else ``right -> left``: the key of ``right``;
    else the union of both keys.  A left join requires ``left -> right`` (checked by the
    caller); its right-hand attributes become nullable.  ``nullable_key`` (aggregation
    keeping all rows) takes the union of the keys without requiring a dependency.
    """
    if not nullable_key and determines(left, right):
        return Heading(_dependent(left, right, left_join))
    if not nullable_key and determines(right, left):
        return Heading(_dependent(right, left, False))
    key = left.primary_key + [n for n in right.primary_key if n not in left]
    attrs = [replace(left[n], in_key=True) if n in left else replace(right[n], in_key=True) for n in key]
    attrs += [left[n] for n in left.secondary_attributes if n not in key]
    attrs += [replace(right[n], nullable=right[n].nullable or left_join) for n in right.secondary_attributes
              if n not in key and n not in left]
    return Heading(attrs)
