"""Definition text -> syntax tree.

A DataJoint definition is a sequence of lines: an optional ``# table comment``
first, primary-key lines, a ``---`` divider, secondary lines.  Each line is an
attribute (``name = default : type  # comment``), a foreign key
(``-> [nullable, unique] Parent.proj(new='old')``) or an index
(``unique index(a, b)``).  Parsing needs no database; every error names the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import DataJointError, DeclarationError
from ..types import AttributeType, parse_type

__all__ = ["AttributeLine", "ForeignKeyLine", "IndexLine", "Definition", "parse_definition", "attribute_line",
           "AttributeParser", "attribute_parser", "PLATFORM_PREFIX"]

#: Attribute names starting with it are the library's own (``_singleton``, ``_job_start_time``, ``_prov``):
#: the grammar spells them, so that the library declares them in the notation users write, but a user
#: definition may not (see ``parse_definition``).
PLATFORM_PREFIX = "_"

_ATTRIBUTE = re.compile(
    r"""^(?P<name>[a-z_][a-z0-9_]*)\s*
    (?:=\s*(?P<default>(?:"[^"]*"|'[^']*'|[^:#'"])+?)\s*)?
    :\s*(?P<type>(?:'[^']*'|"[^"]*"|[^#'"])+?)\s*
    (?:\#\s*(?P<comment>.*?))?\s*$""",
    re.X,
)
_FOREIGN_KEY = re.compile(
    r"""^->\s*(?:\[\s*(?P<options>[^\]]*)\])?\s*
    (?P<ref>[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*?)
    (?:\.proj\s*\((?P<proj>[^)]*)\))?\s*
    (?:\#.*)?$""",
    re.X,
)
_RENAME = re.compile(r"""^\s*(?P<new>[a-z][a-z0-9_]*)\s*=\s*(?P<q>['"])(?P<old>[a-z][a-z0-9_]*)(?P=q)\s*$""")
_INDEX = re.compile(r"^(?P<unique>unique\s+)?index\s*\((?P<columns>[^)]*)\)\s*(?:#.*)?$", re.I)
_RENAMED_FROM = re.compile(r"^\{\s*(?P<old>[a-z][a-z0-9_]*)\s*\}\s*")
_DIVIDER = re.compile(r"^---")  # DataJoint 2.x: any line starting with three dashes
_FK_OPTIONS = {"nullable", "unique"}


@dataclass(frozen=True)
class AttributeLine:
    name: str
    type: AttributeType
    default: str | None
    nullable: bool
    comment: str
    in_key: bool
    line_no: int
    text: str
    renamed_from: str | None = None  # alter(): a comment opening with {old_name} renames old_name to this


@dataclass(frozen=True)
class ForeignKeyLine:
    ref: str
    renames: tuple[tuple[str, str], ...]
    nullable: bool
    unique: bool
    in_key: bool
    line_no: int
    text: str


@dataclass(frozen=True)
class IndexLine:
    columns: tuple[str, ...]
    unique: bool
    line_no: int
    text: str


Line = AttributeLine | ForeignKeyLine | IndexLine


@dataclass(frozen=True)
class Definition:
    comment: str
    lines: tuple[Line, ...] = field(default_factory=tuple)

    @property
    def attributes(self) -> tuple[AttributeLine, ...]:
        return tuple(line for line in self.lines if isinstance(line, AttributeLine))

    @property
    def foreign_keys(self) -> tuple[ForeignKeyLine, ...]:
        return tuple(line for line in self.lines if isinstance(line, ForeignKeyLine))

    @property
    def indexes(self) -> tuple[IndexLine, ...]:
        return tuple(line for line in self.lines if isinstance(line, IndexLine))


def _fail(line_no: int, text: str, reason: str) -> DeclarationError:
    return DeclarationError(f"Line {line_no} of the definition, {text.strip()!r}: {reason}")


def _attribute_match(text: str, line_no: int) -> re.Match[str]:
    """The grammar of an attribute line; raise naming what is wrong when ``text`` is not one."""
    match = _ATTRIBUTE.match(text)
    if match:
        return match
    if re.match(r"^[A-Za-z_]\w*\s*(=[^:]*)?:", text):
        raise _fail(line_no, text, "attribute names must start with a lowercase letter and hold only a-z, 0-9 and _.")
    raise _fail(line_no, text, "expected 'name [= default] : type [# comment]', '-> Table', or '[unique] index(...)'.")


def attribute_line(text: str, in_key: bool = False, line_no: int = 0) -> AttributeLine:
    """One attribute line (``name [= default] : type [# comment]``) as an :class:`AttributeLine`.

    This is the grammar alone: it also spells the library's own hidden attributes
    (``_prov = null : json``), which the library declares through it.  A user's
    definition goes through :func:`parse_definition`, which refuses those names.
    """
    text = text.strip()
    match = _attribute_match(text, line_no)
    try:
        attr_type = parse_type(match["type"])
    except DataJointError as err:
        raise _fail(line_no, text, str(err)) from None
    if (match["comment"] or "").startswith(":"):
        # ':type:' opens the stored column comment; a comment of this shape would be read back as a type
        raise _fail(line_no, text, "an attribute comment must not start with a colon.")
    comment = (match["comment"] or "").strip()
    renamed = _RENAMED_FROM.match(comment)
    if renamed:
        comment = comment[renamed.end():]
    default = match["default"]
    nullable = default is not None and default.strip().lower() == "null"
    if nullable and in_key:
        raise _fail(line_no, text, "primary-key attributes cannot be nullable.")
    return AttributeLine(
        name=match["name"], type=attr_type, default=None if nullable else default, nullable=nullable,
        comment=comment, in_key=in_key, line_no=line_no, text=text,
        renamed_from=renamed["old"] if renamed else None,
    )


def _parse_attribute(text: str, in_key: bool, line_no: int) -> AttributeLine:
    """An attribute line of a user's definition: the grammar, then the policy on reserved names."""
    if _attribute_match(text, line_no)["name"].startswith(PLATFORM_PREFIX):
        raise _fail(line_no, text, "the attribute name starts with an underscore; such names are reserved for "
                    "platform-managed attributes (_singleton, _job_start_time, _prov). Choose another name; "
                    "to rename an attribute in a query, use proj().")
    return attribute_line(text, in_key, line_no)


class AttributeParser:
    """The attribute-line grammar as a parser object: ``parse_string(text)`` -> its named parts.

    For tools that inspect definitions line by line (linters, editors, migrations):
    the parts are the strings as written, ``default`` present only when the line
    has one.  Like the grammar it accepts the library's own ``_``-names.
    """

    def parse_string(self, text: str, parse_all: bool = True) -> dict[str, str]:
        """Split attribute line ``text`` into ``name``, ``default`` (if any), ``type`` and ``comment``.

        With ``parse_all=False`` only the first line of ``text`` is read and the rest
        is ignored; otherwise ``text`` must be one attribute line.  Raise
        DeclarationError when it is not.
        """
        line = text.strip()
        if not parse_all:
            line = (line.splitlines() or [""])[0]
        elif "\n" in line:
            raise DeclarationError(f"Expected one attribute line, got several: {text!r}.")
        match = _attribute_match(line, 1)
        parts = {"name": match["name"], "type": match["type"].strip(), "comment": (match["comment"] or "").strip()}
        if match["default"] is not None:
            parts["default"] = match["default"].strip()
        return parts


#: The attribute-line parser (``attribute_parser.parse_string("x = 1 : int32 # note")``).
attribute_parser = AttributeParser()


def _parse_foreign_key(text: str, in_key: bool, line_no: int) -> ForeignKeyLine:
    match = _FOREIGN_KEY.match(text)
    if not match:
        raise _fail(line_no, text, "expected '-> [nullable, unique] Table' or '-> Table.proj(new_name=\"old_name\")'.")
    options = {o.strip().lower() for o in (match["options"] or "").split(",") if o.strip()}
    unknown = options - _FK_OPTIONS
    if unknown:
        raise _fail(line_no, text, f"unknown foreign-key option(s) {', '.join(sorted(unknown))}; use nullable or unique.")
    if "nullable" in options and in_key:
        raise _fail(line_no, text, "a foreign key in the primary key cannot be nullable.")
    renames = []
    for item in filter(str.strip, (match["proj"] or "").split(",")):
        rename = _RENAME.match(item)
        if not rename:
            raise _fail(line_no, text, f"in .proj(), {item.strip()!r} is not of the form new_name='old_name'.")
        renames.append((rename["new"], rename["old"]))
    return ForeignKeyLine(
        ref=match["ref"], renames=tuple(renames), nullable="nullable" in options, unique="unique" in options,
        in_key=in_key, line_no=line_no, text=text,
    )


def _parse_index(match: re.Match[str], text: str, line_no: int) -> IndexLine:
    columns = tuple(c.strip() for c in match["columns"].split(",") if c.strip())
    if not columns:
        raise _fail(line_no, text, "an index needs at least one attribute.")
    return IndexLine(columns=columns, unique=bool(match["unique"]), line_no=line_no, text=text)


def parse_definition(text: str) -> Definition:
    """Parse a definition string into a :class:`Definition`; raise DeclarationError on malformed lines."""
    if not isinstance(text, str):
        raise DeclarationError(f"A table definition must be a string, not {type(text).__name__}.")
    comment = ""
    lines: list[Line] = []
    in_key = True
    seen_content = False
    for line_no, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            if not seen_content and not comment and not lines:
                comment = stripped.lstrip("#").strip()
                if comment.startswith(":"):
                    raise _fail(line_no, stripped, "the table comment must not start with a colon.")
            seen_content = True
            continue
        seen_content = True
        if _DIVIDER.match(stripped):
            in_key = False  # a repeated divider changes nothing, as in DataJoint 2.x
        elif stripped.startswith("->"):
            lines.append(_parse_foreign_key(stripped, in_key, line_no))
        elif (index := _INDEX.match(stripped)) is not None:
            lines.append(_parse_index(index, stripped, line_no))
        else:
            lines.append(_parse_attribute(stripped, in_key, line_no))
    _check_unique_names(lines)
    return Definition(comment=comment, lines=tuple(lines))


def _check_unique_names(lines: list[Line]) -> None:
    seen: dict[str, int] = {}
    for line in lines:
        if isinstance(line, AttributeLine):
            if line.name in seen:
                raise _fail(line.line_no, line.text, f"attribute {line.name!r} is already declared on line {seen[line.name]}.")
            seen[line.name] = line.line_no
