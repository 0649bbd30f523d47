"""Headings: the attributes of a table or query, with primary key, types and lineage.

A heading is an immutable value.  It is built from a parsed definition at
declaration, or derived from other headings by query operators; it never
queries the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .errors import UnknownAttributeError
from .types import AttributeType

if TYPE_CHECKING:
    from .codecs import Codec

__all__ = ["Attribute", "Heading"]


@dataclass(frozen=True)
class Attribute:
    """One attribute of a heading.

    ``lineage`` is ``schema.table.attribute`` where the attribute's values
    originate, followed through foreign keys and renames; None for secondary
    attributes that no foreign key carries.  ``expression`` is the SQL text of a
    computed attribute (``proj(x='a * 2')``), None for stored ones.
    ``original_type`` is the type as the table's own definition wrote it; None for
    attributes a foreign key brings in (their type is the parent's).
    """

    name: str
    type: AttributeType
    in_key: bool = False
    nullable: bool = False
    default: str | None = None
    comment: str = ""
    lineage: str | None = None
    expression: str | None = None
    original_type: str | None = None

    @property
    def is_computed(self) -> bool:
        return self.expression is not None

    @property
    def codec(self) -> Codec | None:
        """The attribute's codec instance (``<name>`` types), None for core and native types.

        As in DataJoint 2.3, so consumers can test it (``isinstance(attr.codec, dj.SparkAdapter)``);
        a codec that is not registered raises DataJointError naming it.
        """
        if self.type.codec is None:
            return None
        from .codecs import get_codec  # codecs import stores, which are not needed for a heading

        return get_codec(self.type.codec)

    def renamed(self, name: str) -> Attribute:
        return replace(self, name=name)

    def __repr__(self) -> str:
        key = "*" if self.in_key else ""
        return f"Attribute({key}{self.name}: {self.type.text})"


class Heading:
    """Ordered attributes, primary key first in declaration order."""

    __slots__ = ("_attributes", "table_comment")

    def __init__(self, attributes: Iterable[Attribute], table_comment: str = "") -> None:
        ordered = list(attributes)
        self._attributes: dict[str, Attribute] = {a.name: a for a in ordered}
        self.table_comment = table_comment

    # -- lookup -----------------------------------------------------------------
    def __getitem__(self, name: str) -> Attribute:
        try:
            return self._attributes[name]
        except KeyError:
            raise UnknownAttributeError(
                f"Attribute {name!r} is not in the heading; available: {', '.join(self.names) or '(none)'}."
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._attributes

    def __iter__(self) -> Iterator[str]:
        return iter(self._attributes)

    def __len__(self) -> int:
        return len(self._attributes)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Heading) and list(self._attributes.values()) == list(other._attributes.values())

    def __hash__(self) -> int:
        return hash(tuple(self._attributes.values()))

    @property
    def attributes(self) -> dict[str, Attribute]:
        return dict(self._attributes)

    @property
    def names(self) -> list[str]:
        return list(self._attributes)

    @property
    def primary_key(self) -> list[str]:
        return [a.name for a in self._attributes.values() if a.in_key]

    @property
    def secondary_attributes(self) -> list[str]:
        return [a.name for a in self._attributes.values() if not a.in_key]

    @property
    def lineages(self) -> dict[str, str | None]:
        return {a.name: a.lineage for a in self._attributes.values()}

    def select(self, names: Iterable[str]) -> Heading:
        """A heading of the named attributes, in the given order."""
        return Heading((self[n] for n in names), self.table_comment)

    def __repr__(self) -> str:
        lines = [f"# {self.table_comment}"] if self.table_comment else []
        key_done = False
        for attr in self._attributes.values():
            if not attr.in_key and not key_done:
                lines.append("---")
                key_done = True
            default = "=null" if attr.nullable else (f"={attr.default}" if attr.default is not None else "")
            comment = f"  # {attr.comment}" if attr.comment else ""
            lines.append(f"{attr.name}{default} : {attr.type.text}{comment}")
        if not key_done:
            lines.append("---")
        return "\n".join(lines)
