"""Text and HTML previews of a query: the first rows and the total count."""

from __future__ import annotations

import html
from typing import Any

from ..settings import config

__all__ = ["preview", "preview_html"]


def _shown_rows(query: Any, limit: int) -> tuple[list[str], list[list[str]], bool]:
    from .rows import fetch_rows

    heading = query.heading
    names = heading.names
    stored = [n for n in names if heading[n].type.kind not in ("codec", "bytes", "json")]
    _, rows = fetch_rows(query, stored, order_by="KEY" if heading.primary_key else None, limit=limit + 1)
    more = len(rows) > limit
    placeholders = {n: f"={heading[n].type.kind.upper() if heading[n].type.kind != 'codec' else 'BLOB'}=" for n in names}
    table = []
    for row in rows[:limit]:
        values = dict(zip(stored, row))
        table.append([str(values[n]) if n in values else placeholders[n] for n in names])
    return names, table, more


def preview(query: Any, limit: int | None = None, width: int | None = None) -> str:
    """The query as a text table: header (key attributes starred), rows, and ``(Total: N)``."""
    limit = config["display.limit"] if limit is None else limit
    width = config["display.width"] if width is None else width
    names, rows, more = _shown_rows(query, limit)
    key = set(query.primary_key)
    widths = [min(max([len(n)] + [len(r[i]) for r in rows]) + 4, width) for i, n in enumerate(names)]

    def line(cells: list[str]) -> str:
        return " ".join(cell[:w].ljust(w) for cell, w in zip(cells, widths))

    header = line([("*" + n) if n in key else n for n in names])
    rule = " ".join("+" + "-" * (w - 2) + "+" for w in widths)
    body = "\n".join(line(r) for r in rows)
    total = f" (Total: {len(query)})\n" if config["display.show_tuple_count"] else ""
    return f"{header}\n{rule}\n{body}" + ("\n   ...\n" if more else "\n") + total


def preview_html(query: Any) -> str:
    """The query as an HTML table for Jupyter."""
    names, rows, more = _shown_rows(query, config["display.limit"])
    key = set(query.primary_key)
    head = "".join(f"<th>{'<u>' if n in key else ''}{html.escape(n)}{'</u>' if n in key else ''}</th>" for n in names)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    more_row = f"<tr><td colspan={len(names)}>...</td></tr>" if more else ""
    return (f"<div><table border='1' class='dataframe'><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}{more_row}</tbody></table><p>Total: {len(query)}</p></div>")
