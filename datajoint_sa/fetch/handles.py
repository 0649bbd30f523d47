"""Read connections of a fast path, one per engine and thread, kept open between fetches.

The Arrow-native readers (ADBC, the compiled SQLite reader) read on connections of their
own, not SQLAlchemy's pool.  Opening one per fetch would cost more than small fetches
take, so each thread keeps one per engine; they close when the engine is disposed or the
interpreter exits.  A forked child never uses, nor closes, the connections of its parent.
"""

from __future__ import annotations

import atexit
import os
import threading
import weakref
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

__all__ = ["EngineHandles"]


class EngineHandles:
    """Per engine and thread: the handle ``open_handle(engine)`` made on first use (None: unavailable)."""

    def __init__(self, close: Callable[[Any], None]) -> None:
        self._close = close
        self._open: weakref.WeakKeyDictionary[sa.Engine, dict[int, Any]] = weakref.WeakKeyDictionary()
        self._pid = os.getpid()
        self._lock = threading.Lock()
        atexit.register(self.close_everything)  # before teardown: drivers' finalizers fail afterwards

    def get(self, engine: sa.Engine, open_handle: Callable[[sa.Engine], Any]) -> Any:
        """This thread's handle for ``engine``, opened now if it has none."""
        with self._lock:
            if os.getpid() != self._pid:  # a forked child: the parent's handles are not ours to use
                self._open, self._pid = weakref.WeakKeyDictionary(), os.getpid()
            per_thread = self._open.get(engine)
            if per_thread is None:
                per_thread = self._open[engine] = {}
                sa.event.listen(engine, "engine_disposed", self.close_all)
            thread = threading.get_ident()
            if thread not in per_thread:
                handle = open_handle(engine)
                if handle is None:
                    return None
                per_thread[thread] = handle
            return per_thread[thread]

    def close_all(self, engine: sa.Engine) -> None:
        """Close every thread's handle for ``engine``."""
        with self._lock:
            handles = self._open.pop(engine, {}) if os.getpid() == self._pid else {}
        for handle in handles.values():
            self._close(handle)

    def close_everything(self) -> None:
        for engine in list(self._open.keys()):
            self.close_all(engine)
