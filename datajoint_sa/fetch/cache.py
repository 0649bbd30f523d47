"""The query cache: fetched rows kept on disk and given again while caching is on.

``conn.set_query_cache("main")`` turns it on for one connection: every fetch is then
answered from ``dj.config["query_cache"]`` (a folder) if the same SQL with the same
parameters was fetched under the same cache name before, and stored there otherwise.
While it is on, the connection refuses writes (cached results would go stale).
``conn.set_query_cache()`` turns it off; ``conn.purge_query_cache()`` empties the folder.

An entry is one pickle file named by a hash of (cache name, SQL, parameters), holding
the cursor description and the raw driver rows, so conversions apply as on a live fetch.
"""

from __future__ import annotations

import hashlib
import pathlib
import pickle
from typing import Any

from ..errors import DataJointError
from ..settings import config

__all__ = ["cache_folder", "cache_path", "load", "store", "purge"]

_SUFFIX = ".djcache"


def cache_folder() -> pathlib.Path:
    """The folder of ``dj.config["query_cache"]``; DataJointError when it is not set."""
    folder = config["query_cache"]
    if not folder:
        raise DataJointError("Query caching needs a folder: set dj.config['query_cache'] to a directory path.")
    return pathlib.Path(folder).expanduser()


def cache_path(name: str, sql: str, params: Any) -> pathlib.Path:
    """Where the rows of ``sql`` with ``params`` are kept under cache ``name``."""
    digest = hashlib.sha256(repr((name, sql, params)).encode()).hexdigest()
    return cache_folder() / f"{digest}{_SUFFIX}"


def load(path: pathlib.Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]] | None:
    """(description, rows) of a cached fetch, or None when there is none."""
    try:
        with path.open("rb") as file:
            return pickle.load(file)
    except FileNotFoundError:
        return None


def store(path: pathlib.Path, description: Any, rows: list[tuple[Any, ...]]) -> None:
    """Keep ``rows`` (and the cursor description, as plain tuples) for later fetches."""
    path.parent.mkdir(parents=True, exist_ok=True)
    plain = [tuple(column)[:7] for column in description or ()]
    partial = path.with_suffix(".partial")
    with partial.open("wb") as file:
        pickle.dump((plain, [tuple(r) for r in rows]), file)
    partial.replace(path)  # readers never see half a file


def purge() -> int:
    """Remove every cached fetch from the folder; returns how many were removed."""
    folder = cache_folder()
    removed = 0
    for path in folder.glob(f"*{_SUFFIX}") if folder.is_dir() else ():
        path.unlink(missing_ok=True)
        removed += 1
    return removed
