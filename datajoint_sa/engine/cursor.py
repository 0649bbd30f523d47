"""``conn.query``'s result: a DB-API-like cursor over rows already read from the server.

DataJoint code passes SQL with the drivers' ``format``/``pyformat`` placeholders
(``%s``, ``%(name)s``, ``%%`` for a percent sign).  PyMySQL and psycopg take them
as they are; SQLite's driver takes ``?`` and ``:name``, so the text is rewritten
for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

__all__ = ["QueryCursor", "sqlite_placeholders"]

_PYFORMAT = re.compile(r"%\((\w+)\)s|%s|%%")


def sqlite_placeholders(sql: str) -> str:
    """``%s`` -> ``?``, ``%(name)s`` -> ``:name``, ``%%`` -> ``%`` (outside nothing else)."""
    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%"
        return f":{match.group(1)}" if match.group(1) else "?"
    return _PYFORMAT.sub(replace, sql)


class QueryCursor:
    """Rows of one statement with the DB-API reading methods: ``fetchone``, ``fetchall``, iteration.

    ``rowcount`` is the driver's count (rows changed, or rows read); ``description``
    its column descriptions, ``None`` for statements that return no rows.
    """

    def __init__(self, rows: Sequence[Any], rowcount: int, description: Any = None, lastrowid: Any = None) -> None:
        self._rows = list(rows)
        self._position = 0
        self.rowcount = rowcount
        self.description = description
        self.lastrowid = lastrowid

    def fetchone(self) -> Any:
        if self._position >= len(self._rows):
            return None
        row = self._rows[self._position]
        self._position += 1
        return row

    def fetchmany(self, size: int = 1) -> list[Any]:
        rows = self._rows[self._position:self._position + size]
        self._position += len(rows)
        return rows

    def fetchall(self) -> list[Any]:
        rows = self._rows[self._position:]
        self._position = len(self._rows)
        return rows

    def __iter__(self) -> Iterator[Any]:
        while (row := self.fetchone()) is not None:
            yield row

    def __len__(self) -> int:
        return len(self._rows)

    def close(self) -> None:
        self._position = len(self._rows)

    @classmethod
    def read(cls, cursor: Any, *, as_dict: bool = False) -> QueryCursor:
        """Read everything the DB-API ``cursor`` holds after ``execute``."""
        description = cursor.description
        rows: list[Any] = []
        if description is not None:
            rows = list(cursor.fetchall())
            if as_dict:
                names = [column[0] for column in description]
                rows = [dict(zip(names, row)) for row in rows]
            else:
                rows = [tuple(row) for row in rows]
        return cls(rows, cursor.rowcount, description, getattr(cursor, "lastrowid", None))


def driver_arguments(args: Mapping[str, Any] | Sequence[Any] | None) -> Mapping[str, Any] | tuple[Any, ...]:
    """Arguments as the driver takes them: a mapping, or a tuple for positional placeholders."""
    if args is None:
        return ()
    if isinstance(args, Mapping):
        return dict(args)
    if isinstance(args, (str, bytes)):
        return (args,)
    return tuple(args)
