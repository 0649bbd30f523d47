"""Headings: the attributes of a table or query, with primary key, types and lineage.

A heading is an immutable value.  It is built from a parsed definition at
declaration, or derived from other headings by query operators; it never
queries the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import DataJointError, UnknownAttributeError
from .types import NATIVE_CATEGORIES, AttributeType, parse_type

if TYPE_CHECKING:
    from .codecs import Codec

__all__ = ["Attribute", "Heading"]

#: Core types whose values NumPy holds in a typed column (others are Python objects).
_NUMPY_KINDS = frozenset({"int8", "int16", "int32", "int64", "float32", "float64", "bool"})


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

    @property
    def is_hidden(self) -> bool:
        """Platform-managed attributes (``_singleton`` ...) start with an underscore and stay out of headings' views."""
        return self.name.startswith("_")

    @property
    def numeric(self) -> bool:
        """Integer, floating-point, decimal or bool, core or native (``decimal(2,2) unsigned``)."""
        return self.type.is_numeric or _native_category(self.type) in ("integer", "numeric", "float")

    @property
    def string(self) -> bool:
        """Character data: char, varchar, enum, or native text types."""
        return self.type.kind in ("char", "varchar", "enum") or _native_category(self.type) in ("string", "native_text") \
            and "binary" not in self.type.text.lower()

    @property
    def uuid(self) -> bool:
        return self.type.kind == "uuid"

    @property
    def json(self) -> bool:
        return self.type.kind == "json"

    @property
    def is_blob(self) -> bool:
        """Stored as binary data: ``bytes``, a native blob type, or a codec stored in one (``<blob>``)."""
        attr_type = self.type
        if attr_type.kind == "codec":
            from .codecs import storage_type

            try:
                attr_type = storage_type(attr_type)
            except DataJointError:  # a codec not registered here: its storage is unknown
                return False
        return attr_type.kind == "bytes" or _native_category(attr_type) == "native_blob"


def _native_category(attr_type: AttributeType) -> str | None:
    """The category of a native SQL type (``integer``, ``float``, ``string`` ...); None for core and codec types."""
    if attr_type.kind != "native":
        return None
    text = attr_type.text.strip()
    return next((name for name, pattern in NATIVE_CATEGORIES.items() if pattern.fullmatch(text)), None)


_ATTRIBUTE_FIELDS = frozenset(f.name for f in fields(Attribute))
_FIELD_ALIASES = {"attribute_expression": "expression"}  # DataJoint 2.x's name for a computed attribute's SQL


def attribute_from_mapping(properties: Mapping[str, Any]) -> Attribute:
    """An :class:`Attribute` from a mapping of its properties, as DataJoint 2.x describes attributes.

    ``name`` is required; ``type`` may be a type string (parsed) or an AttributeType.
    Keys DataJoint 2.x derives from the type (``numeric``, ``is_blob``, ``dtype`` ...)
    are ignored: here they follow from the type.
    """
    if "name" not in properties:
        raise DataJointError(f"An attribute needs a name; got the properties {sorted(properties)}.")
    values = {_FIELD_ALIASES.get(k, k): v for k, v in properties.items()}
    values = {k: v for k, v in values.items() if k in _ATTRIBUTE_FIELDS and v is not None}
    attr_type = values.get("type", "")
    if not isinstance(attr_type, AttributeType):
        try:
            values["type"] = parse_type(str(attr_type))
        except DataJointError:
            values["type"] = AttributeType(str(attr_type), "native")
    return Attribute(**values)


class Heading:
    """Ordered attributes, primary key first in declaration order.

    Built from :class:`Attribute` objects or from mappings of their properties.
    Hidden attributes (names starting with ``_``, such as a singleton table's
    ``_singleton`` key) are kept in ``_attributes`` but left out of every view:
    names, attributes, the primary key, lookup.  Queries never see them.
    """

    __slots__ = ("_attributes", "_visible", "table_comment")

    def __init__(self, attributes: Iterable[Attribute | Mapping[str, Any]], table_comment: str = "") -> None:
        ordered = list(attributes)
        if set(map(type, ordered)) - {Attribute}:  # mappings of attribute properties (DataJoint 2.x style)
            ordered = [a if isinstance(a, Attribute) else attribute_from_mapping(a) for a in ordered]
        self._attributes: dict[str, Attribute] = {a.name: a for a in ordered}
        # headings are built on every query operator: share the dict unless something is hidden
        hidden = "_" in {name[:1] for name in self._attributes}
        self._visible = {n: a for n, a in self._attributes.items() if not a.is_hidden} if hidden else self._attributes
        self.table_comment = table_comment

    # -- lookup -----------------------------------------------------------------
    def __getitem__(self, name: str) -> Attribute:
        try:
            return self._visible[name]
        except KeyError:
            raise UnknownAttributeError(
                f"Attribute {name!r} is not in the heading; available: {', '.join(self.names) or '(none)'}."
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._visible

    def __iter__(self) -> Iterator[str]:
        return iter(self._visible)

    def __len__(self) -> int:
        return len(self._visible)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Heading) and list(self._attributes.values()) == list(other._attributes.values())

    def __hash__(self) -> int:
        return hash(tuple(self._attributes.values()))

    @property
    def attributes(self) -> dict[str, Attribute]:
        return dict(self._visible)

    @property
    def names(self) -> list[str]:
        return list(self._visible)

    @property
    def primary_key(self) -> list[str]:
        return [a.name for a in self._visible.values() if a.in_key]

    @property
    def secondary_attributes(self) -> list[str]:
        return [a.name for a in self._visible.values() if not a.in_key]

    @property
    def lineages(self) -> dict[str, str | None]:
        return {a.name: a.lineage for a in self._attributes.values()}

    @property
    def as_dtype(self) -> np.dtype:
        """The heading as a NumPy structured dtype, one field per attribute.

        Numbers and booleans get their declared width; nullable integers and booleans
        (NULL has no such value), text, dates, decimals and codec values are objects.
        """
        def dtype(attr: Attribute) -> object:
            kind = attr.type.kind
            if kind in _NUMPY_KINDS and (kind.startswith("float") or not attr.nullable):
                return np.dtype(kind)
            return object

        return np.dtype([(a.name, dtype(a)) for a in self._visible.values()])

    def select(self, names: Iterable[str]) -> Heading:
        """A heading of the named attributes, in the given order."""
        return Heading((self[n] for n in names), self.table_comment)

    # -- functional dependencies ---------------------------------------------------
    def determines(self, other: Heading) -> bool:
        """``self -> other``: every primary-key attribute of ``other`` is an attribute of ``self``.

        Each row of ``self`` then matches at most one row of ``other``.
        """
        return all(name in self for name in other.primary_key)

    def join(self, other: Heading, *, left: bool = False, nullable_pk: bool = False) -> Heading:
        """The heading of ``self * other``; the primary key follows the functional dependencies.

        ``self -> other``: the key of ``self``, its attributes first; else ``other -> self``:
        the key of ``other``, its attributes first; else the union of both keys, ``self``'s
        first.  ``left`` (a left join) makes the attributes only ``other`` has nullable.
        ``nullable_pk`` takes the union of the keys whatever the dependencies.
        """
        if not nullable_pk and self.determines(other):
            return Heading(_dependent_join(self, other, left))
        if not nullable_pk and other.determines(self):
            return Heading(_dependent_join(other, self, False))
        key = self.primary_key + [n for n in other.primary_key if n not in self]
        attrs = [replace(self[n] if n in self else other[n], in_key=True) for n in key]
        attrs += [self[n] for n in self.secondary_attributes if n not in key]
        attrs += [replace(other[n], nullable=other[n].nullable or left) for n in other.secondary_attributes
                  if n not in key and n not in self]
        return Heading(attrs)

    def __repr__(self) -> str:
        lines = [f"# {self.table_comment}"] if self.table_comment else []
        key_done = False
        for attr in self._visible.values():
            if not attr.in_key and not key_done:
                lines.append("---")
                key_done = True
            default = "=null" if attr.nullable else (f"={attr.default}" if attr.default is not None else "")
            comment = f"  # {attr.comment}" if attr.comment else ""
            lines.append(f"{attr.name}{default} : {attr.type.text}{comment}")
        if not key_done:
            lines.append("---")
        return "\n".join(lines)


def _dependent_join(master: Heading, other: Heading, nullable: bool) -> list[Attribute]:
    """``master``'s attributes, key first, then ``other``'s remaining ones as secondary."""
    attrs = [master[n] for n in master.primary_key] + [master[n] for n in master.secondary_attributes]
    extra = [a for a in other.attributes.values() if a.name not in master]
    return attrs + [replace(a, in_key=False, nullable=a.nullable or nullable) for a in extra]
