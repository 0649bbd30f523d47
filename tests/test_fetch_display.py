"""Text and HTML previews on every backend, in the layout of DataJoint 2.x."""

from __future__ import annotations

import pytest

import datajoint_sa as dj


@pytest.fixture
def shown(schema):
    @schema
    class Shown(dj.Manual):
        definition = """
        # rows to preview
        id : int16
        name : varchar(20)   # the name
        ---
        value = null : float64
        single = null : float32
        note = "" : varchar(100)
        data = null : <blob>
        j = null : json
        """

    Shown.insert([dict(id=i, name=f"n{i}", value=i * 1.5, single=0.1 * i, note="hello world " * (i % 3),
                       j={"i": i}) for i in range(3)])
    return Shown


EXPECTED = "\n".join([
    "*id    *name    value     single     note           data       j       ",
    "+----+ +------+ +-------+ +--------+ +------------+ +--------+ +------+",
    "0      n0       0.0       0.0                       <blob>     json    ",
    "1      n1       1.5       0.1        hello world    <blob>     json    ",
    "   ...",
    " (Total: 3)",
    "",
])


def test_preview_text(shown):
    assert shown().preview(limit=2) == EXPECTED
    full = repr(shown())
    assert full.splitlines()[4].startswith("2      n2       3.0       0.2        hello world he")  # cut at width 14
    assert full.endswith("\n (Total: 3)\n") and "..." not in full


def test_preview_settings(shown):
    with dj.config.override(display__show_tuple_count=False):
        assert "Total" not in shown().preview()
    narrow = shown().preview(width=6)
    assert narrow.splitlines()[0].startswith("*id    *name  value  ")
    empty = (shown & {"id": 99}).preview()
    assert empty.splitlines()[2] == "" and empty.endswith(" (Total: 0)\n")


def test_repr_html(shown):
    html = shown()._repr_html_()
    assert "<table" in html and "<p>Total: 3</p>" in html and "<p>...</p>" not in html
    assert html.count("<tr>") == 4  # header and three rows
    assert '<span class="dj-key" title="the name">name</span>' in html
    assert "<td>&lt;blob&gt;</td>" in html and "<td>json</td>" in html and "<td>hello world </td>" in html
    with dj.config.override(display__limit=1):
        assert "<p>...</p>" in shown()._repr_html_()
