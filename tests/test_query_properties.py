"""Property test: random query expressions give the rows an in-memory pandas evaluation gives.

Each example draws table contents and a chain of operators (restriction by dicts, strings and
queries, subtraction, projection with computations, join, extend (left join), aggregation,
union, dj.U), runs the expression on the backend under test and evaluates the same expression on
pandas DataFrames.  Every backend is compared with the same oracle.
"""

from __future__ import annotations

import decimal
import itertools
import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import datajoint_sa as dj

from conftest import unique_schema_name

COLUMNS = {"Subj": ["sid", "grp", "w"], "Sess": ["sid", "n", "dur", "tag"], "Note": ["sid", "n", "k", "v"]}
KEYS = {"Subj": ["sid"], "Sess": ["sid", "n"], "Note": ["sid", "n", "k"]}
NUMERIC = {"sid", "n", "k", "w", "dur", "v"}


@pytest.fixture(scope="module")
def db(connection):
    schema = dj.Schema(unique_schema_name("djprop"), connection=connection)

    @schema
    class Subj(dj.Manual):
        definition = """
        sid : int16
        ---
        grp : varchar(4)
        w : int16
        """

    @schema
    class Sess(dj.Manual):
        definition = """
        -> Subj
        n : int16
        ---
        dur : int16
        tag : varchar(4)
        """

    @schema
    class Note(dj.Manual):
        definition = """
        -> Sess
        k : int16
        ---
        v : int16
        """

    yield {"Subj": Subj, "Sess": Sess, "Note": Note}
    schema.drop(prompt=False)


@st.composite
def contents(draw):
    sids = draw(st.sets(st.integers(1, 4), min_size=1))
    subj = [(s, draw(st.sampled_from(["a", "b"])), draw(st.integers(0, 3))) for s in sorted(sids)]
    sess_keys = draw(st.sets(st.tuples(st.sampled_from(sorted(sids)), st.integers(1, 3)), max_size=6))
    sess = [(s, n, draw(st.integers(0, 5)), draw(st.sampled_from(["x", "y"]))) for s, n in sorted(sess_keys)]
    note_keys = draw(st.sets(st.tuples(st.sampled_from(sorted(sess_keys)), st.integers(1, 2)), max_size=8)) \
        if sess_keys else set()
    note = [(s, n, k, draw(st.integers(-2, 4))) for (s, n), k in sorted(note_keys)]
    return {"Subj": subj, "Sess": sess, "Note": note}


class Both:
    """A query built twice: as a DataJoint expression and as a pandas DataFrame."""

    def __init__(self, query, frame):
        self.query, self.frame = query, frame

    @property
    def columns(self):
        return list(self.query.heading.names)


def base(tables, frames, name, draw):
    query, frame = tables[name](), frames[name]
    if draw(st.booleans()):
        column = draw(st.sampled_from([c for c in COLUMNS[name] if c in NUMERIC]))
        value = draw(st.integers(0, 4))
        query, frame = query & f"{column} >= {value}", frame[frame[column] >= value]
    return Both(query, frame)


def homologous(shared):
    """Namesakes that match semantically: the key attributes, inherited through foreign keys."""
    return all(c in ("sid", "n", "k") for c in shared)


def semijoin(frame, other, shared, keep):
    if not shared:
        return frame if bool(len(other)) == keep else frame.iloc[0:0]
    present = set(map(tuple, other[shared].itertuples(index=False)))
    mask = [(tuple(row) in present) == keep for row in frame[shared].itertuples(index=False)]
    return frame.loc[pd.Series(mask, index=frame.index, dtype=bool)]


class Context:
    """What the operator steps draw from: the tables, their frames, hypothesis draws, fresh names."""

    def __init__(self, tables, frames, draw):
        self.tables, self.frames, self.draw = tables, frames, draw
        self._counter = itertools.count()

    def name(self):
        return f"c{next(self._counter)}"

    def other(self):
        return base(self.tables, self.frames, self.draw(st.sampled_from(sorted(self.tables))), self.draw)


def numeric_columns(both):
    return [c for c in both.columns if c in NUMERIC or c.startswith("c")]


def op_eq(both, ctx):
    column = ctx.draw(st.sampled_from(both.columns))
    value = ctx.draw(st.sampled_from(sorted({*both.frame[column].dropna().tolist(), 1}, key=repr)))
    return Both(both.query & {column: value}, both.frame[both.frame[column] == value])


def op_gt(both, ctx):
    numeric = numeric_columns(both)
    if not numeric:
        return both
    column, value = ctx.draw(st.sampled_from(numeric)), ctx.draw(st.integers(-1, 4))
    return Both(both.query & f"{column} > {value}", both.frame[both.frame[column] > value])


def op_semijoin(both, ctx, keep=True):
    other = ctx.other()
    shared = [c for c in both.columns if c in other.columns]
    if not homologous(shared):
        return both
    query = both.query & other.query if keep else both.query - other.query
    return Both(query, semijoin(both.frame, other.frame, shared, keep))


def op_antijoin(both, ctx):
    return op_semijoin(both, ctx, keep=False)


def op_proj(both, ctx):
    q, f = both.query, both.frame
    secondary = [c for c in both.columns if c not in q.primary_key]
    kept = ctx.draw(st.lists(st.sampled_from(secondary), unique=True)) if secondary else []
    numeric = numeric_columns(both)
    if not numeric:
        return Both(q.proj(*kept), f[list(q.primary_key) + kept])
    name, source = ctx.name(), ctx.draw(st.sampled_from(numeric))
    out = f[list(q.primary_key) + kept].assign(**{name: f[source] * 2 + 1})
    return Both(q.proj(*kept, **{name: f"{source} * 2 + 1"}), out)


def op_join(both, ctx):
    other = ctx.other()
    shared = [c for c in both.columns if c in other.columns]
    if not homologous(shared):
        return both
    f = both.frame
    merged = f.merge(other.frame, on=shared, how="inner") if shared else f.merge(other.frame, how="cross")
    return Both(both.query * other.query, merged)


def op_extend(both, ctx):
    other = ctx.other()
    shared = [c for c in both.columns if c in other.columns]
    if not homologous(shared) or not set(other.query.primary_key) <= set(both.columns) or not shared:
        return both
    return Both(both.query.extend(other.query), both.frame.merge(other.frame, on=shared, how="left"))


def op_aggr(both, ctx):
    q, f = both.query, both.frame
    name = ctx.draw(st.sampled_from([t for t in sorted(ctx.tables) if set(q.primary_key) <= set(COLUMNS[t])] or ["Note"]))
    other = base(ctx.tables, ctx.frames, name, ctx.draw)
    shared = [c for c in both.columns if c in other.columns]
    if not set(q.primary_key) <= set(other.columns) or not homologous(shared):
        return both
    exclude = ctx.draw(st.booleans())
    value = [c for c in COLUMNS[name] if c in NUMERIC][-1]
    count, total = ctx.name(), ctx.name()
    result = q.aggr(other.query, exclude_nonmatching=exclude, **{count: "count(*)", total: f"sum({value})"})
    right = other.frame[shared + [value]].assign(_m=1)
    merged = f[list(q.primary_key)].merge(right, on=shared, how="inner" if exclude else "left")
    grouped = merged.groupby(list(q.primary_key), dropna=False).agg(
        **{count: ("_m", "count"), total: (value, lambda s: s.sum(min_count=1))}).reset_index()
    return Both(result, grouped)


def op_union(both, ctx):
    q, f = both.query, both.frame
    if not q.primary_key:
        return both
    numeric = numeric_columns(both)
    column, value = ctx.draw(st.sampled_from(numeric or both.columns)), ctx.draw(st.integers(0, 3))
    second, frame_second = (q & f"{column} > {value}", f[f[column] > value]) if column in numeric else (q, f)
    key = list(q.primary_key)
    union = pd.concat([f[f[column] == value][key], frame_second[key]]).drop_duplicates()
    return Both((q & {column: value}).proj() + second.proj(), union)


def op_universal(both, ctx):
    q, f = both.query, both.frame
    column = ctx.draw(st.sampled_from(both.columns))
    if ctx.draw(st.booleans()):
        return Both(dj.U(column) & q, f[[column]].drop_duplicates())
    name = ctx.name()
    grouped = f.groupby(column, dropna=False).size().rename(name).reset_index()
    return Both(dj.U(column).aggr(q, **{name: "count(*)"}), grouped)


OPERATORS = [op_eq, op_gt, op_semijoin, op_antijoin, op_proj, op_join, op_extend, op_aggr, op_union, op_universal]


def plain(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (decimal.Decimal, float)) or hasattr(value, "item"):
        value = float(value)
        return None if math.isnan(value) else round(value, 6)
    if isinstance(value, bool):
        return float(value)
    return float(value) if isinstance(value, int) else value


def rows_of(records, columns):
    return sorted((tuple(plain(r[c]) for c in columns) for r in records), key=repr)


@settings(max_examples=30, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=contents(), choices=st.data())
def test_random_expressions_match_pandas(db, data, choices):
    for name in ("Note", "Sess", "Subj"):
        db[name].delete_quick()
    for name in ("Subj", "Sess", "Note"):
        db[name].insert(data[name])
    frames = {name: pd.DataFrame(data[name], columns=COLUMNS[name]) for name in COLUMNS}
    ctx = Context(db, frames, choices.draw)
    both = base(db, frames, choices.draw(st.sampled_from(sorted(db))), choices.draw)
    for _ in range(choices.draw(st.integers(1, 4))):
        both = choices.draw(st.sampled_from(OPERATORS))(both, ctx)
    columns = sorted(both.columns)
    assert sorted(both.frame.columns) == columns
    got = rows_of(both.query.to_dicts(), columns)
    expected = rows_of(both.frame.to_dict("records"), columns)
    assert got == expected, both.query.make_sql()
    assert len(both.query) == len(expected)
