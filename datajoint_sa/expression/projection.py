"""The arguments of proj(): which attributes are kept, renamed, duplicated or computed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..errors import DataJointError
from ..heading import COMPUTED_TYPE, Attribute, Heading

__all__ = ["COMPUTED_TYPE", "IDENTIFIER", "computed_attribute", "plan_projection"]

IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_DUPLICATE = re.compile(r"\(\s*([A-Za-z_]\w*)\s*\)")
_CONSTANTS = {"null", "true", "false"}


def computed_attribute(name: str, sql: str) -> Attribute:
    """A new attribute computed by ``sql``: secondary, nullable, without lineage."""
    return Attribute(name=name, type=COMPUTED_TYPE, in_key=False, nullable=True, lineage=None, expression=sql)


def plan_projection(heading: Heading, attributes: Sequence[Any], named: dict[str, Any], label: str
                    ) -> tuple[set[str], dict[str, str], dict[str, str], dict[str, str]]:
    """(kept names, renames new->old, duplicates new->old, computed new->sql) of a proj() call."""
    keep_all = any(a is Ellipsis for a in attributes)
    names = [a for a in attributes if a is not Ellipsis]
    bad = [a for a in names if not isinstance(a, str)]
    if bad:
        raise DataJointError(f"{bad[0]!r} is not a valid attribute name for proj().")
    excluded = {a.strip()[1:].strip() for a in names if a.strip().startswith("-")}
    listed = [a.strip() for a in names if not a.strip().startswith("-")]
    for name in [*listed, *sorted(excluded)]:
        if name not in heading:
            raise DataJointError(f"Attribute `{name}` not found in {label}; available: {', '.join(heading.names)}.")
    if excluded & set(heading.primary_key):
        raise DataJointError(f"Cannot exclude primary-key attribute `{sorted(excluded & set(heading.primary_key))[0]}`.")
    renames, duplicates, computed = {}, {}, {}
    for new, spec in named.items():
        if not isinstance(spec, str):
            raise DataJointError(f"proj({new}=...) takes an attribute name or an SQL expression string.")
        source = spec.strip()
        duplicate = _DUPLICATE.fullmatch(source)
        if IDENTIFIER.fullmatch(source) and source in heading and source.lower() not in _CONSTANTS:
            renames[new] = source
        elif duplicate and duplicate.group(1) in heading:
            duplicates[new] = duplicate.group(1)
        else:
            computed[new] = source
    moved = set(renames.values())
    kept = set(listed) | {n for n in heading.primary_key if n not in moved}
    if keep_all:
        kept |= {n for n in heading.secondary_attributes if n not in moved}
    kept -= excluded
    for new in named:
        if new in kept:
            raise DataJointError(f"Attribute `{new}` already exists; choose another name for the new attribute.")
    return kept, renames, duplicates, computed
