"""Property test: alter() from one random definition to another gives the table a fresh declaration would.

The two definitions share the primary key; secondary attributes are kept, renamed,
dropped or added, a secondary foreign key may come or go, indexes change.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_describe import layout
from test_properties_declare import EXAMPLES, UNKEYABLE, Attr, Case, ForeignKey, cases, declare_parent

import datajoint_sa as dj
from datajoint_sa.migrate import plan


def _maybe_renamed(line, rename: bool):
    """The line as it is, or its attribute renamed with a ``{old_name}`` comment."""
    if not rename or not isinstance(line, Attr):
        return line
    return Attr("r_" + line.name, line.type_text, line.kind, False, line.default, f"{{{line.name}}} {line.comment}".strip())


@st.composite
def changes(draw):
    """(before, after): two definitions with the same primary key."""
    before = draw(cases())
    extra = draw(cases())
    key = [line for line in before.lines if line.in_key]
    kept = [_maybe_renamed(line, draw(st.booleans())) for line in before.lines if not line.in_key and draw(st.booleans())]
    names = {line.name for line in before.lines if isinstance(line, Attr)} | {"parent_id"}
    fresh = [Attr("n_" + line.name, line.type_text, line.kind, False, line.default, line.comment)
             for line in extra.lines if isinstance(line, Attr) and not line.in_key and "n_" + line.name not in names]
    if not any(isinstance(line, ForeignKey) for line in key + kept) and draw(st.booleans()):
        fresh.append(ForeignKey(False, nullable=True, unique=draw(st.booleans()), rename="n_parent"))
    lines = key + kept + fresh
    indexable = [line.name for line in lines if isinstance(line, Attr) and line.kind not in UNKEYABLE]
    indexes = []
    if indexable and draw(st.booleans()):
        columns = tuple(draw(st.lists(st.sampled_from(indexable), min_size=1, max_size=2, unique=True)))
        indexes.append((columns, draw(st.booleans())))
    return before, Case(draw(st.sampled_from([before.comment, extra.comment])), lines, indexes)


def test_alter_between_random_definitions(schema, connection):
    Parent = declare_parent(schema)

    counter = itertools.count()

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(changes())
    def check(pair):
        before, after = pair
        n = next(counter)
        table = type(f"Altered{n}", (dj.Manual,), {"definition": before.render()})
        schema(table, context={"Parent": Parent})
        table.definition = after.render()
        table().alter(prompt=False)
        assert not plan(table)[0], (before.render(), after.render(), str(plan(table)[0]))
        fresh = type(f"Fresh{n}", (dj.Manual,), {"definition": after.render()})
        schema(fresh, context={"Parent": Parent})
        got, want = layout(connection, schema.database, f"altered{n}"), layout(connection, schema.database, f"fresh{n}")
        assert sorted(got[0].items()) == sorted(want[0].items()), (before.render(), after.render())  # column order aside
        assert got[1:] == want[1:], (before.render(), after.render())
        assert table.heading.names == fresh.heading.names

    check()
