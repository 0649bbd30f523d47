"""``self.upstream`` inside make(): the ancestors of the key being made, restricted to the rows it derives from.

The row of ``key`` does not exist yet while make() runs, so the trace starts from
the rows of the key's primary-key parents (``Diagram.trace(parent & key)``): the
rows the new row will reference.  An ancestor reached through several parents
keeps the rows of any of them (OR), as ``Diagram.trace`` does at convergence.
"""

from __future__ import annotations

from typing import Any

from ..errors import DataJointError

__all__ = ["Upstream", "upstream_of"]


class Upstream:
    """The per-key trace: ``upstream[Table]`` (a class, instance or table name) is that ancestor, restricted."""

    def __init__(self, traces: list[Any]) -> None:
        self._traces = traces

    def __getitem__(self, table: Any) -> Any:
        found, first_error = [], None
        for trace in self._traces:
            try:
                found.append(trace[table])
            except DataJointError as err:
                first_error = first_error or err
        if not found:
            raise first_error or DataJointError(f"{table!r} is not in this trace.")
        if len(found) == 1:
            return found[0]
        from ..table import FreeTable

        return FreeTable(found[0].connection, found[0].full_table_name) & [rows.proj() for rows in found]


def upstream_of(table: Any, key: dict[str, Any]) -> Any:
    """The trace of ``key`` of auto-populated ``table``: one Diagram per primary-key parent, combined."""
    from ..diagram import Diagram
    from .autopopulate import _primary_parents

    traces = []
    for parent, attr_map in _primary_parents(table):
        restriction = {parent_attr: key[child] for child, parent_attr in attr_map.items() if child in key}
        traces.append(Diagram.trace(parent & restriction))
    if not traces:
        return Diagram.trace(table & key)
    return traces[0] if len(traces) == 1 else Upstream(traces)
