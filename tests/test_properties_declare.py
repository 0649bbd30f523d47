"""Property test: random valid definitions, declared on each backend, reflect back as declared."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reflection_helpers import reflect

import datajoint_sa as dj

RESERVED_PREFIXES = ("parent",)  # the parent's attribute names
NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True).filter(lambda n: not n.startswith(RESERVED_PREFIXES))
WORDS = st.from_regex(r"[a-z]{1,6}", fullmatch=True)
COMMENTS = st.one_of(st.just(""), st.from_regex(r"[A-Za-z][A-Za-z0-9 ,.()_-]{0,24}[A-Za-z0-9]", fullmatch=True))
KEYABLE = ("int8", "int16", "int32", "int64", "float32", "float64", "bool", "decimal", "char", "varchar", "enum",
           "date", "datetime", "uuid")
UNKEYABLE = ("json", "bytes")  # no primary keys or plain indexes on these (MySQL needs prefix lengths)
EXAMPLES = int(os.environ.get("DJ_HYPOTHESIS_EXAMPLES", "25"))  # raise for a deeper search
INT_BOUNDS = {"int8": 7, "int16": 15, "int32": 31, "int64": 63}


@dataclass
class Attr:
    name: str
    type_text: str
    kind: str
    in_key: bool
    default: str | None = None  # as written, "null" for nullable
    comment: str = ""

    def render(self) -> str:
        text = self.name + (f" = {self.default}" if self.default is not None else "") + f" : {self.type_text}"
        return text + (f"  # {self.comment}" if self.comment else "")


@dataclass
class ForeignKey:
    in_key: bool
    nullable: bool = False
    unique: bool = False
    rename: str | None = None

    @property
    def column(self) -> str:
        return self.rename or "parent_id"

    def render(self) -> str:
        options = [o for o, on in (("nullable", self.nullable), ("unique", self.unique)) if on]
        text = "-> " + (f"[{', '.join(options)}] " if options else "") + "Parent"
        return text + (f".proj({self.rename}='parent_id')" if self.rename else "")


@dataclass
class Case:
    comment: str
    lines: list[Attr | ForeignKey] = field(default_factory=list)
    indexes: list[tuple[tuple[str, ...], bool]] = field(default_factory=list)

    def render(self) -> str:
        out = [f"# {self.comment}"] if self.comment else []
        out += [line.render() for line in self.lines if line.in_key] + ["---"]
        out += [line.render() for line in self.lines if not line.in_key]
        out += [("unique " if unique else "") + f"index({', '.join(columns)})" for columns, unique in self.indexes]
        return "\n".join(out)

    def columns(self) -> list[str]:
        ordered = [line for line in self.lines if line.in_key] + [line for line in self.lines if not line.in_key]
        return [line.name if isinstance(line, Attr) else line.column for line in ordered]


#: The table every ``-> Parent`` of a random definition refers to.
PARENT_DEFINITION = """
parent_id : int32
---
parent_note = null : varchar(20)
"""


@st.composite
def type_and_default(draw, in_key: bool):
    kind = draw(st.sampled_from(KEYABLE if in_key else KEYABLE + UNKEYABLE))
    default: str | None = None
    want_default = not in_key and draw(st.booleans())
    if kind in INT_BOUNDS:
        bound = 1 << INT_BOUNDS[kind]
        type_text, value = kind, str(draw(st.integers(-bound, bound - 1)))
    elif kind in ("float32", "float64"):
        type_text, value = kind, draw(st.sampled_from(["0", "1.5", "-2.25", "1e3"]))
    elif kind == "bool":
        type_text, value = kind, draw(st.sampled_from(["true", "false", "1", "0"]))
    elif kind == "decimal":
        precision = draw(st.integers(1, 20))
        scale = draw(st.integers(0, min(precision, 10)))
        whole = draw(st.integers(0, 10 ** (precision - scale) - 1))
        fraction = draw(st.integers(0, 10**scale - 1)) if scale else None
        type_text = f"decimal({precision},{scale})"
        value = str(whole) + (f".{fraction:0{scale}d}" if fraction is not None else "")
    elif kind in ("char", "varchar"):
        length = draw(st.integers(1, 40 if in_key else 100))
        type_text = f"{kind}({length})"
        value = '"' + draw(st.text("abcxyz", min_size=0, max_size=min(length, 8))) + '"'
    elif kind == "enum":
        values = draw(st.lists(WORDS, min_size=1, max_size=4, unique=True))
        type_text = "enum(" + ", ".join(f"'{v}'" for v in values) + ")"
        value = f"'{draw(st.sampled_from(values))}'"
    elif kind == "date":
        type_text, value = kind, '"2024-02-29"'
    elif kind == "datetime":
        precision = draw(st.sampled_from([None, 0, 3, 6]))
        type_text = "datetime" if precision is None else f"datetime({precision})"
        value = "CURRENT_TIMESTAMP" if not precision else f"CURRENT_TIMESTAMP({precision})"
    else:  # uuid, json, bytes: no literal defaults
        type_text, value = kind, None
    if not in_key:
        nullable = draw(st.booleans())
        if nullable:
            default = "null"
        elif want_default and value is not None:
            default = value
    return type_text, kind, default


@st.composite
def cases(draw):
    names = draw(st.lists(NAMES, min_size=1, max_size=7, unique=True))
    n_key = draw(st.integers(1, min(4, len(names))))
    lines: list[Attr | ForeignKey] = []
    for position, name in enumerate(names):
        in_key = position < n_key
        type_text, kind, default = draw(type_and_default(in_key))
        lines.append(Attr(name, type_text, kind, in_key, default, draw(COMMENTS)))
    fk_where = draw(st.sampled_from([None, "key", "secondary"]))
    if fk_where is not None:
        in_key = fk_where == "key"
        rename = draw(st.one_of(st.none(), NAMES.filter(lambda n: n not in names)))
        fk = ForeignKey(in_key, nullable=not in_key and draw(st.booleans()),
                        unique=not in_key and draw(st.booleans()), rename=rename)
        lines.insert(draw(st.integers(0, len(lines))), fk)
    indexable = [line.name for line in lines if isinstance(line, Attr) and line.kind not in UNKEYABLE]
    indexes = []
    if indexable and draw(st.booleans()):
        columns = tuple(draw(st.lists(st.sampled_from(indexable), min_size=1, max_size=3, unique=True)))
        indexes.append((columns, draw(st.booleans())))
    return Case(draw(COMMENTS), lines, indexes)


def check_case(connection, schema, parent, case: Case, class_name: str) -> None:
    table_name = class_name.lower()
    namespace = {"definition": case.render()}
    cls = type(class_name, (dj.Manual,), namespace)
    schema(cls, context={"Parent": parent})
    reflected = reflect(connection, schema.database, table_name)
    assert reflected.names == case.columns(), case.render()
    key = [line for line in case.lines if line.in_key]
    assert reflected.primary_key == [line.name if isinstance(line, Attr) else line.column for line in key]
    for line in case.lines:
        if isinstance(line, Attr):
            column = reflected.columns[line.name]
            assert column["nullable"] == (line.default == "null"), line.render()
            if connection.rules.has_comments:
                assert column["comment"] == f":{line.type_text}:{line.comment}", line.render()
        else:
            column = reflected.columns[line.column]
            assert column["nullable"] == line.nullable
            fk = reflected.fk_on(line.column)
            assert fk["referred_table"] == connection.rules.sql_table(schema.database, "parent")[1]
            assert fk["referred_columns"] == ["parent_id"]
            assert tuple(r.upper() for r in fk["rules"]) == ("CASCADE", "RESTRICT")
            if line.unique:
                assert reflected.index_on(line.column)["unique"]
    assert len(reflected.foreign_keys) == sum(isinstance(line, ForeignKey) for line in case.lines)
    for columns, unique in case.indexes:
        index = reflected.index_on(*columns)
        assert index is not None and index["unique"] == unique, (columns, reflected.indexes)
    if connection.rules.has_comments:
        assert (reflected.comment or "") == case.comment
    # the declared heading agrees with the database
    assert cls.heading.names == reflected.names
    assert cls.heading.primary_key == reflected.primary_key


def declare_parent(schema: dj.Schema) -> type:
    """Declare ``Parent``, the table that the foreign keys of the random definitions refer to."""
    return schema(type("Parent", (dj.Manual,), {"definition": PARENT_DEFINITION}))


def test_random_definitions(schema, connection):
    Parent = declare_parent(schema)

    counter = itertools.count()

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(cases())
    def check(case):
        check_case(connection, schema, Parent, case, f"Random{next(counter)}")

    check()
