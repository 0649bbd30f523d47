"""The definition grammar: text -> syntax tree, without a database.

Includes a property test: random definitions rendered to text parse back to the
same syntax tree.
"""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import datajoint_sa as dj
from datajoint_sa.declare import AttributeLine, ForeignKeyLine, IndexLine, parse_definition
from datajoint_sa.errors import DeclarationError
from datajoint_sa.naming import table_name_for, tier_of_table_name, to_camel_case, to_snake_case
from datajoint_sa.types import parse_type

FULL = """
# a table comment
subject_id : int32          # the subject
-> Parent
---
weight = 5.5 : float64      # grams
note = null : varchar(255)
label = "a:b#c" : varchar(10)  # quoted default holding : and #
-> [nullable] Other.proj(other_id='parent_id')
-> [unique] Third
-> module.Table
index(weight, note)
unique index(label)
"""


def test_full_definition_tree():
    tree = parse_definition(FULL)
    assert tree.comment == "a table comment"
    kinds = [type(line).__name__ for line in tree.lines]
    assert kinds == ["AttributeLine", "ForeignKeyLine", "AttributeLine", "AttributeLine", "AttributeLine",
                     "ForeignKeyLine", "ForeignKeyLine", "ForeignKeyLine", "IndexLine", "IndexLine"]
    subject, parent, weight, note, label, other, third, module_ref, index, unique = tree.lines
    assert (subject.name, subject.type.kind, subject.in_key, subject.comment) == ("subject_id", "int32", True, "the subject")
    assert (parent.ref, parent.in_key, parent.nullable, parent.unique) == ("Parent", True, False, False)
    assert (weight.default, weight.in_key, weight.comment, weight.nullable) == ("5.5", False, "grams", False)
    assert note.nullable and note.default is None and note.type.length == 255
    assert label.default == '"a:b#c"' and label.comment == "quoted default holding : and #"
    assert other.renames == (("other_id", "parent_id"),) and other.nullable and not other.in_key
    assert third.unique and not third.nullable
    assert module_ref.ref == "module.Table"
    assert index == IndexLine(columns=("weight", "note"), unique=False, line_no=12, text="index(weight, note)")
    assert unique.unique and unique.columns == ("label",)
    assert [a.name for a in tree.attributes] == ["subject_id", "weight", "note", "label"]
    assert len(tree.foreign_keys) == 4 and len(tree.indexes) == 2


def test_line_numbers_count_blank_lines():
    tree = parse_definition("\n\nid : int8\n\n---\n\nx : int16\n")
    assert [line.line_no for line in tree.lines] == [3, 7]


def test_no_divider_means_all_key():
    tree = parse_definition("a : int8\nb : int16")
    assert all(line.in_key for line in tree.lines)


def test_divider_forms():
    for divider in ("---", "-----", "--- # secondary", "---secondary attributes"):
        tree = parse_definition(f"id : int8\n{divider}\nx : int8")
        assert [a.in_key for a in tree.attributes] == [True, False], divider
    tree = parse_definition("id : int8\n---\nx : int8\n---\ny : int8")  # repeated: no effect
    assert [a.in_key for a in tree.attributes] == [True, False, False]


def test_comment_only_first():
    tree = parse_definition("id : int8\n# not a table comment\n---\nx : int8")
    assert tree.comment == ""
    assert [a.name for a in tree.attributes] == ["id", "x"]


@pytest.mark.parametrize(
    ("text", "kind", "params"),
    [
        ("int8", "int8", {}), ("int16", "int16", {}), ("int32", "int32", {}), ("int64", "int64", {}),
        ("float32", "float32", {}), ("float64", "float64", {}), ("bool", "bool", {}),
        ("decimal(6,2)", "decimal", {"precision": 6, "scale": 2}),
        ("decimal( 10 , 0 )", "decimal", {"precision": 10, "scale": 0}),
        ("char(3)", "char", {"length": 3}), ("varchar(255)", "varchar", {"length": 255}),
        ("enum('a', 'b')", "enum", {"values": ("a", "b")}),
        ("enum('it''s', 'x,y')", "enum", {"values": ("it's", "x,y")}),
        ("date", "date", {}), ("datetime", "datetime", {"precision": None}),
        ("datetime(3)", "datetime", {"precision": 3}),
        ("uuid", "uuid", {}), ("json", "json", {}), ("bytes", "bytes", {}),
        ("INT32", "int32", {}),
        ("smallint unsigned", "native", {}), ("text", "native", {}), ("double", "native", {}),
        ("int", "native", {}), ("tinyint unsigned", "native", {}), ("timestamp", "native", {}),
        ("longblob", "native", {}), ("decimal(6,2) unsigned", "native", {}), ("float", "native", {}),
        ("<blob>", "codec", {"codec": "blob"}), ("<blob@store>", "codec", {"codec": "blob", "store": "store"}),
    ],
)
def test_types(text, kind, params):
    parsed = parse_definition(f"x : {text}").attributes[0].type
    assert parsed.kind == kind
    for name, value in params.items():
        assert getattr(parsed, name) == value
    assert parsed.is_core == (kind not in ("native", "codec"))


def test_core_type_comment_tag():
    assert parse_type("int32").comment_tag == "int32"
    assert parse_type("varchar(20)").comment_tag == "varchar(20)"
    assert parse_type("smallint unsigned").comment_tag is None


@pytest.mark.parametrize(
    ("text", "bad_line", "fragment"),
    [
        ("id : foo(3)", 1, "foo(3)"),
        ("id : int8\n---\nx : uint8", 3, "uint8"),
        ("id : int8\n---\nx : int24", 3, "int24"),
        ("id : int8\n---\nx : varchar", 3, "varchar"),
        ("id : int8\n---\nx : enum()", 3, "enum"),
        ("id int32", 1, "id int32"),
        ("id : int8\n---\nWeight : float64", 3, "lowercase"),
        ("id : int8\n---\n2x : float64", 3, "2x"),
        ("id : int8\n---\nx : ", 3, "x :"),
        ("id = null : int8", 1, "nullable"),
        ("-> [nullable] Parent\n---\nx : int8", 1, "nullable"),
        ("-> [bogus] Parent", 1, "bogus"),
        ("-> Parent.proj(a=b)", 1, "a=b"),
        ("-> ", 1, "->"),
        ("id : int8\n---\nx : int8\nx : int16", 4, "already declared"),
        ("id : int8\nindex()", 2, "at least one"),
        ("id : int8  # :int8: looks like a type tag", 1, "colon"),
        ("# :starts with a colon\nid : int8", 1, "colon"),
    ],
)
def test_malformed_lines_name_the_line(text, bad_line, fragment):
    with pytest.raises(DeclarationError) as info:
        parse_definition(text)
    message = str(info.value)
    assert f"Line {bad_line}" in message
    assert fragment in message
    assert isinstance(info.value, dj.DataJointError)


def test_definition_must_be_text():
    with pytest.raises(DeclarationError):
        parse_definition(None)  # type: ignore[arg-type]


# -- table names -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("class_name", "tier", "expected"),
    [
        ("Session", "Manual", "session"), ("SessionTrial", "Manual", "session_trial"),
        ("Animal", "Lookup", "#animal"), ("RawData", "Imported", "_raw_data"),
        ("SpikeSorting2", "Computed", "__spike_sorting2"), ("Trial", "Part", "session__trial"),
        ("ABCTable", "Manual", "a_b_c_table"), ("Session2P", "Manual", "session2_p"),
    ],
)
def test_table_names(class_name, tier, expected):
    master = "session" if tier == "Part" else None
    assert table_name_for(class_name, tier, master) == expected
    assert tier_of_table_name(expected) == tier


def test_camel_case_round_trip():
    assert to_camel_case("__spike_sorting") == "SpikeSorting"
    assert to_snake_case("SpikeSorting") == "spike_sorting"
    assert tier_of_table_name("~lineage") is None


@pytest.mark.parametrize("bad", ["session", "2Session", "Session-Trial", "_", ""])
def test_bad_class_names(bad):
    with pytest.raises(dj.DataJointError), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        to_snake_case(bad)


@pytest.mark.parametrize(("class_name", "expected"), [("Session_Trial", "session_trial"), ("My_table", "mytable"), ("_Session", "session")])
def test_underscores_in_class_names_are_dropped_with_a_warning(class_name, expected):
    with pytest.warns(UserWarning, match="underscores"):
        assert to_snake_case(class_name) == expected


def test_part_needs_master():
    with pytest.raises(dj.DataJointError):
        table_name_for("Trial", "Part")


# -- property: render -> parse gives back the same tree --------------------------------------------

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
COMMENTS = st.one_of(st.just(""), st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 ,.()=_-]{0,20}[A-Za-z0-9]", fullmatch=True))
ENUM_VALUES = st.lists(st.from_regex(r"[a-z][a-z0-9 _-]{0,8}", fullmatch=True), min_size=1, max_size=4, unique=True)


@st.composite
def type_texts(draw):
    kind = draw(st.sampled_from(["int8", "int16", "int32", "int64", "float32", "float64", "bool", "decimal", "char",
                                 "varchar", "enum", "date", "datetime", "uuid", "json", "bytes", "native"]))
    if kind == "decimal":
        precision = draw(st.integers(1, 30))
        return f"decimal({precision},{draw(st.integers(0, precision))})"
    if kind in ("char", "varchar"):
        return f"{kind}({draw(st.integers(1, 255))})"
    if kind == "enum":
        return "enum(" + ", ".join(f"'{v}'" for v in draw(ENUM_VALUES)) + ")"
    if kind == "datetime":
        return draw(st.sampled_from(["datetime", "datetime(3)", "datetime(6)"]))
    if kind == "native":
        return draw(st.sampled_from(["smallint unsigned", "text", "double", "int", "timestamp"]))
    return kind


DEFAULTS = st.one_of(st.none(), st.just("null"), st.integers(-100, 100).map(str),
                     st.from_regex(r"[a-z]{1,6}", fullmatch=True).map(lambda s: f'"{s}"'))
REFS = st.from_regex(r"[A-Z][A-Za-z0-9]{0,8}(\.[A-Z][A-Za-z0-9]{0,8})?", fullmatch=True)


@st.composite
def definitions(draw):
    names = draw(st.lists(NAMES, min_size=1, max_size=8, unique=True))
    n_key = draw(st.integers(1, len(names)))
    rendered, expected = [], []
    comment = draw(COMMENTS)
    if comment:
        rendered.append(f"# {comment}")
    for position, name in enumerate(names):
        in_key = position < n_key
        if position == n_key:
            rendered.append("---")
        if draw(st.booleans()):
            ref = draw(REFS)
            options = [] if in_key else draw(st.lists(st.sampled_from(["nullable", "unique"]), unique=True))
            renames = draw(st.lists(st.tuples(NAMES, NAMES), max_size=2, unique_by=lambda t: t[0]))
            text = "-> " + (f"[{', '.join(options)}] " if options else "") + ref
            if renames:
                text += ".proj(" + ", ".join(f"{new}='{old}'" for new, old in renames) + ")"
            rendered.append(text)
            expected.append(("fk", ref, tuple(renames), "nullable" in options, "unique" in options, in_key))
        type_text = draw(type_texts())
        default = draw(DEFAULTS)
        if in_key and default == "null":
            default = None
        attr_comment = draw(COMMENTS)
        line = name + (f" = {default}" if default is not None else "") + f" : {type_text}"
        if attr_comment:
            line += f"  # {attr_comment}"
        rendered.append(line)
        expected.append(("attr", name, type_text, default, attr_comment, in_key))
    if n_key == len(names):
        rendered.append("---")
    if draw(st.booleans()):
        columns = tuple(draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)))
        unique = draw(st.booleans())
        rendered.append(("unique " if unique else "") + f"index({', '.join(columns)})")
        expected.append(("index", columns, unique))
    return "\n".join(rendered), comment, expected


def _summary(line):
    if isinstance(line, AttributeLine):
        default = "null" if line.nullable else line.default
        return ("attr", line.name, line.type.text, default, line.comment, line.in_key)
    if isinstance(line, ForeignKeyLine):
        return ("fk", line.ref, line.renames, line.nullable, line.unique, line.in_key)
    return ("index", line.columns, line.unique)


@settings(max_examples=200, deadline=None)
@given(definitions())
def test_render_parse_round_trip(case):
    text, comment, expected = case
    tree = parse_definition(text)
    assert tree.comment == comment
    assert [_summary(line) for line in tree.lines] == expected
    # the tree is stable: parsing the same text again gives an equal tree
    assert parse_definition(text) == tree
