"""A pipeline for multi-process populate tests, run as ``python -m`` by worker processes.

Configured by environment: DJ_WORKER_URL (database), DJ_WORKER_SCHEMA (schema name),
DJ_WORKER_LOG (a file where every make appends one line: the key it made),
DJ_WORKER_SLEEP (seconds to sleep inside make, between inserting the master row and its part;
when set, make first appends the key to DJ_WORKER_LOG + ".started").
"""

from __future__ import annotations

import os
import sys
import time

import datajoint_sa as dj

connection = dj.Connection(os.environ["DJ_WORKER_URL"])
schema = dj.Schema(os.environ["DJ_WORKER_SCHEMA"], connection=connection)


@schema
class Item(dj.Manual):
    definition = """
    item : int32
    """


@schema
class Square(dj.Computed):
    definition = """
    -> Item
    ---
    square : int64
    """

    class Check(dj.Part):
        definition = """
        -> master
        ---
        ok : bool
        """

    def make(self, key):
        self.insert1(dict(key, square=key["item"] ** 2))
        pause = float(os.environ.get("DJ_WORKER_SLEEP", "0"))
        if pause:
            with open(os.environ["DJ_WORKER_LOG"] + ".started", "a") as started:
                started.write(f"{key['item']}\n")
            time.sleep(pause)
        self.Check.insert1(dict(key, ok=True))
        with open(os.environ["DJ_WORKER_LOG"], "a") as log:
            log.write(f"{key['item']} {os.getpid()}\n")


if __name__ == "__main__":
    with dj.config.override(safemode=False, loglevel="WARNING"):
        result = Square.populate(reserve_jobs=True, suppress_errors=True, order=sys.argv[1] if len(sys.argv) > 1 else "random")
    print(result["success_count"], len(result["error_list"]))
