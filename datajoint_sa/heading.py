"""Headings: the attributes of a table or query, with primary key, types and lineage.

A heading is an immutable value.  It is built from a parsed definition at
declaration, or derived from other headings by query operators; it never
queries the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import DataJointError, UnknownAttributeError
from .types import NATIVE_CATEGORIES, AttributeType, parse_type

if TYPE_CHECKING:
    from .codecs import Codec

__all__ = ["Attribute", "COMPUTED_TYPE", "Heading", "default_attribute_properties"]

#: Core types whose values NumPy holds in a typed column (others are Python objects).
_NUMPY_KINDS = frozenset({"int8", "int16", "int32", "int64", "float32", "float64", "bool"})


#: The type of computed attributes (``proj(x="a * 2")``): values come back as the database computes them.
COMPUTED_TYPE = AttributeType("computed", "native")


@dataclass(frozen=True, init=False)
class Attribute:
    """One attribute of a heading.

    ``lineage`` is ``schema.table.attribute`` where the attribute's values
    originate, followed through foreign keys and renames; None for secondary
    attributes that no foreign key carries.  ``expression`` is the SQL text of a
    computed attribute (``proj(x='a * 2')``), None for stored ones.
    ``original_type`` is the type as the table's own definition wrote it; None for
    attributes a foreign key brings in (their type is the parent's).

    Besides its fields, the constructor takes the keyword properties DataJoint 2.x
    describes attributes with (see :data:`default_attribute_properties`): ``codec`` and
    ``store`` give the type (``codec=get_codec("blob"), store="cold"`` is ``<blob@cold>``),
    ``attribute_expression`` is ``expression``, a type may be a string, and the
    properties that follow from the type or name (``numeric``, ``is_blob``, ``dtype`` ...)
    are accepted and ignored.
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

    def __init__(self, name: str, type: AttributeType | str | None = None, in_key: bool = False,  # noqa: A002
                 nullable: bool = False, default: str | None = None, comment: str = "",
                 lineage: str | None = None, expression: str | None = None, original_type: str | None = None,
                 **properties: Any) -> None:
        values = {"name": name, "type": type, "in_key": in_key, "nullable": nullable, "default": default,
                  "comment": comment, "lineage": lineage, "expression": expression, "original_type": original_type}
        # headings are built on every query operator: only keyword properties or a type
        # that is not yet an AttributeType take the slower path
        if properties or type.__class__ is not AttributeType:
            values = _resolve_properties(values, properties)
        self.__dict__.update(values)

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

    @property
    def store(self) -> str | None:
        """The store a codec type names (``<blob@cold>``: ``"cold"``; ``<blob@>``: ``""``, the
        default store); None when the type names none (values in the table, or not a codec type)."""
        return self.type.store

    @property
    def is_hash_object(self) -> bool:
        """Values live in a store under their content hash: ``<hash@>``, ``<blob@store>``,
        ``<attach@store>``, or any codec whose chain stores through ``<hash@>``.

        In-table ``<blob>``/``<attach>`` values are not: their bytes are in the column.
        Garbage collection collects these objects by hash.
        """
        return self._stored_through("hash")

    @property
    def is_schema_object(self) -> bool:
        """Values live in a store at paths named after schema, table and key: ``<object@>``,
        ``<npy@>`` and any other :class:`~datajoint_sa.codecs.SchemaCodec` (by class, so custom
        subclasses count), also when reached through a codec chain."""
        return self._stored_through("schema")

    def _stored_through(self, addressing: str) -> bool:
        """Whether a codec of the addressing kind (``hash`` or ``schema``) stores this attribute's values."""
        if self.type.kind != "codec":
            return False
        from .codecs import HashCodec, SchemaCodec, codec_chain

        kind = HashCodec if addressing == "hash" else SchemaCodec
        try:
            if isinstance(self.codec, kind):  # both kinds store externally, whatever the @
                return True
            if self.type.store is None:  # the other codecs keep their value in the table without @
                return False
            return any(isinstance(codec, kind) for codec in codec_chain(self.type)[1])
        except DataJointError:  # a codec not registered here, or an invalid chain: not known to be stored
            return False


def _native_category(attr_type: AttributeType) -> str | None:
    """The category of a native SQL type (``integer``, ``float``, ``string`` ...); None for core and codec types."""
    if attr_type.kind != "native":
        return None
    text = attr_type.text.strip()
    return next((name for name, pattern in NATIVE_CATEGORIES.items() if pattern.fullmatch(text)), None)


#: The properties an :class:`Attribute` is described by, with their defaults (DataJoint 2.x's
#: name).  ``Attribute(**{**default_attribute_properties, "name": "x", "codec": get_codec("blob"),
#: "store": "cold"})`` is ``x : <blob@cold>``; without a type or codec, an attribute has the
#: type of computed attributes.  Read-only: copy it (``dict(...)``) to change it.
default_attribute_properties: Mapping[str, Any] = MappingProxyType({
    "name": None, "type": None, "in_key": False, "nullable": False, "default": None, "comment": "",
    "lineage": None, "expression": None, "original_type": None, "codec": None, "store": None,
})

#: DataJoint 2.x properties that follow from an attribute's type or name: accepted, not stored.
_DERIVED_PROPERTIES = frozenset({
    "numeric", "string", "uuid", "json", "is_blob", "is_hidden", "dtype", "autoincrement", "unsupported",
    "sql_type",
})


def _as_type(value: AttributeType | str) -> AttributeType:
    """A type given as text, parsed; SQL text DataJoint does not parse stays a native type."""
    if isinstance(value, AttributeType):
        return value
    if not isinstance(value, str):
        raise DataJointError(f"An attribute type is a type string or an AttributeType, not {type(value).__name__}.")
    try:
        return parse_type(value)
    except DataJointError:
        return AttributeType(value, "native")


def _codec_type(codec: Any, store: str | None, given: AttributeType | None, name: Any) -> AttributeType:
    """The ``<codec@store>`` type of ``codec`` (a Codec or its name); a codec type also given must agree."""
    codec_name = codec if isinstance(codec, str) else getattr(codec, "name", None)
    if not isinstance(codec_name, str) or not codec_name:
        raise DataJointError(f"Attribute {name!r}: codec must be a Codec or a codec name, not {codec!r}.")
    if given is not None and given.kind == "codec":
        if given.codec != codec_name or (store is not None and given.store is not None and given.store != store):
            raise DataJointError(f"Attribute {name!r}: type {given.text} disagrees with "
                                 f"codec={codec_name!r}, store={store!r}.")
        store = given.store if store is None else store
    return parse_type(f"<{codec_name}@{store}>" if store is not None else f"<{codec_name}>")


def _resolve_properties(values: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    """The field values of an Attribute built from DataJoint 2.x keyword properties."""
    name = values["name"]
    unknown = sorted(set(properties) - _DERIVED_PROPERTIES - {"codec", "store", "attribute_expression"})
    if unknown:
        raise DataJointError(f"Attribute {name!r}: unknown properties {unknown}; an attribute is described by "
                             f"{', '.join(default_attribute_properties)}.")
    computed = properties.get("attribute_expression")
    if computed is not None:
        if values["expression"] is not None and values["expression"] != computed:
            raise DataJointError(f"Attribute {name!r}: expression and attribute_expression disagree.")
        values["expression"] = computed
    given = None if values["type"] is None else _as_type(values["type"])
    codec, store = properties.get("codec"), properties.get("store")
    if codec is not None:
        given = _codec_type(codec, store, given, name)
    elif store is not None:
        if given is None or given.kind != "codec":
            raise DataJointError(f"Attribute {name!r}: store={store!r} applies to codec types (<blob@store> ...), "
                                 f"not to {'no type' if given is None else given.text}.")
        given = _codec_type(given.codec, store, given, name)
    values["type"] = COMPUTED_TYPE if given is None else given
    return values


def attribute_from_mapping(properties: Mapping[str, Any]) -> Attribute:
    """An :class:`Attribute` from a mapping of its properties, as DataJoint 2.x describes attributes.

    ``name`` is required.  Unset (None) properties take their defaults; keys that are
    not properties of an attribute are ignored, so any attribute description will do.
    """
    if properties.get("name") is None:
        raise DataJointError(f"An attribute needs a name; got the properties {sorted(properties)}.")
    known = {k: v for k, v in properties.items()
             if v is not None and (k in default_attribute_properties or k in _DERIVED_PROPERTIES
                                   or k == "attribute_expression")}
    return Attribute(**known)


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
    def hash_objects(self) -> list[str]:
        """Attributes whose values are hash-addressed objects in a store (:attr:`Attribute.is_hash_object`)."""
        return [a.name for a in self._visible.values() if a.is_hash_object]

    @property
    def schema_objects(self) -> list[str]:
        """Attributes whose values are schema-addressed objects in a store (:attr:`Attribute.is_schema_object`)."""
        return [a.name for a in self._visible.values() if a.is_schema_object]

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
