"""dj.Diagram: node sets, expansion, Mermaid and DOT output (first pass; more to come)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

import datajoint_sa as dj


def _declare(schema):
    @schema
    class Subject(dj.Manual):
        definition = "subject_id: int32\n---\nname: varchar(20)"

    @schema
    class Kind(dj.Lookup):
        definition = "kind: varchar(8)"

    @schema
    class Session(dj.Manual):
        definition = "-> Subject\nsession: int32\n---\n-> Kind"

        class Trial(dj.Part):
            definition = "-> master\ntrial: int32"

    return Subject, Kind, Session


def test_nodes_and_expansion(schema):
    Subject, Kind, Session = _declare(schema)
    assert sorted(t.table_name for t in dj.Diagram(schema)) == ["#kind", "session", "session__trial", "subject"]
    assert sorted(t.table_name for t in dj.Diagram(Subject) + 1) == ["session", "subject"]
    assert sorted(t.table_name for t in dj.Diagram(Session) - 1) == ["#kind", "session", "subject"]
    assert sorted(t.table_name for t in dj.Diagram(Subject) + dj.Diagram(Kind)) == ["#kind", "subject"]
    assert sorted(t.table_name for t in dj.Diagram(schema) - dj.Diagram(Kind)) == ["session", "session__trial", "subject"]
    assert [t.table_name for t in dj.Diagram(schema) * dj.Diagram(Kind)] == ["#kind"]


def test_cascade_counts(schema):
    Subject, Kind, Session = _declare(schema)
    Subject.insert1(dict(subject_id=1, name="a"))
    Kind.insert1(dict(kind="k"))
    Session.insert1(dict(subject_id=1, session=1, kind="k"))
    Session.Trial.insert([dict(subject_id=1, session=1, trial=i) for i in range(3)])
    counts = dj.Diagram.cascade(Subject & {"subject_id": 1}).counts()
    assert sorted(counts.values()) == [1, 1, 3]


def test_mermaid_and_dot(schema):
    _declare(schema)
    text = dj.Diagram(schema).make_mermaid()
    assert text.startswith("flowchart")
    assert text.count("subgraph") == text.count("\n    end")
    source = dj.Diagram(schema).make_dot().source
    if shutil.which("dot") is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("graphviz's dot is required on CI")
        pytest.skip("graphviz's dot is not installed (apt-get install graphviz)")
    assert subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True).returncode == 0


def test_no_dot_binary(schema, monkeypatch):
    _declare(schema)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(dj.DataJointError, match="apt-get install graphviz"):
        dj.Diagram(schema).make_svg()
    assert dj.Diagram(schema).make_mermaid().startswith("flowchart")
