"""Text and HTML previews of a query: the first rows and the total count.

The text table has one column per attribute (key attributes starred), each as wide as
its longest shown value plus four, at most ``display.width``; values longer than that are
cut.  Codec attributes show as ``<codec>`` and json as ``json`` without being fetched.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..settings import config
from .source import first_rows

__all__ = ["preview", "preview_html"]


def _placeholder(attr: Any) -> str | None:
    """What a column shows instead of its values (None: the values are shown)."""
    if attr.type.kind == "codec":
        return f"<{attr.type.codec}>"
    if attr.type.kind == "json":
        return "json"
    return None


def _text(kind: str, value: Any) -> str:
    if kind == "float32" and isinstance(value, float):
        return str(np.float32(value))  # the float32's own shortest form, as NumPy shows it
    return str(value)


def _shown_rows(query: Any, limit: int) -> tuple[list[str], list[list[str]], bool]:
    """(names, cell texts of up to ``limit`` rows, whether more rows exist)."""
    heading = query.heading
    names = heading.names
    placeholders = {n: _placeholder(heading[n]) for n in names}
    shown = [n for n in names if placeholders[n] is None]
    # a Top-ordered query shows its rows in that order; others in primary-key order
    order = None if getattr(query, "_top", None) is not None or not query.primary_key else "KEY"
    rows = first_rows(query, shown, limit + 1, order_by=order) if shown else []
    table = []
    for row in rows[:limit]:
        values = dict(zip(shown, row))
        table.append([placeholders[n] or _text(heading[n].type.kind, values[n]) for n in names])
    return names, table, len(rows) > limit


def preview(query: Any, limit: int | None = None, width: int | None = None) -> str:
    """The query as a text table: header, rule, rows, ``...`` if cut, and `` (Total: N)``."""
    limit = config["display.limit"] if limit is None else limit
    width = config["display.width"] if width is None else width
    names, rows, more = _shown_rows(query, limit)
    key = set(query.primary_key)
    widths = [min(max([len(n)] + [len(r[i]) for r in rows]) + 4, width) for i, n in enumerate(names)]

    def line(cells: Sequence[str]) -> str:
        return " ".join(cell[:w].ljust(w) for cell, w in zip(cells, widths))

    header = line([("*" + n) if n in key else n for n in names])
    rule = " ".join("+" + "-" * (w - 2) + "+" for w in widths)
    body = "\n".join(line(r) for r in rows)
    total = f" (Total: {len(query)})\n" if config["display.show_tuple_count"] else ""
    return f"{header}\n{rule}\n{body}" + ("\n   ...\n" if more else "\n") + total


_STYLE = """<style type="text/css">
.dj-preview table {border-collapse: collapse;}
.dj-preview th {background: #9e9e9e; color: #fff; padding: 2px 4px; border: 1px solid #eee;
  font-family: monospace; font-weight: normal; font-size: 75%; text-align: center;}
.dj-preview td {padding: 2px 4px; border: 1px solid #eee; font-size: 75%;}
.dj-preview tr:nth-child(even) {background: #f3f1ff;}
.dj-preview .dj-key {font-weight: bold; color: #000;}
@media (prefers-color-scheme: dark) {
  .dj-preview th {background: #4a4a4a;}
  .dj-preview tr:nth-child(even) {background: #3d3d3d;}
  .dj-preview .dj-key {color: #bd93f9;}
}
</style>"""


def preview_html(query: Any) -> str:
    """The query as an HTML table for Jupyter: key attributes bold, comments as tooltips."""
    limit = config["display.limit"]
    names, rows, more = _shown_rows(query, limit)
    heading = query.heading
    key = set(query.primary_key)

    def head_cell(name: str) -> str:
        css = ' class="dj-key"' if name in key else ""
        title = html.escape(heading[name].comment, quote=True)
        return f'<th><span{css} title="{title}">{html.escape(name)}</span></th>'

    head = "".join(head_cell(n) for n in names)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    ellipsis = "<p>...</p>" if more else ""
    total = f"<p>Total: {len(query)}</p>" if config["display.show_tuple_count"] else ""
    return (f'{_STYLE}<div class="dj-preview" style="max-height:1000px;max-width:1500px;overflow:auto;">'
            f'<table border="1"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
            f"{ellipsis}{total}</div>")
