"""<blob> speed: pack/unpack alone, and insert/fetch of 200 rows of 1 MB float64 arrays per backend.

The baseline, measured in the same run, writes ``np.save`` bytes through the raw DB-API
cursor (executemany) into a plain ``bytes`` column and reads them back with
``fetchall`` + ``np.load``.  Targets: insert and fetch >= 0.7x that baseline; pack and
unpack alone >= 1 GB/s for a contiguous float64 array.

    python benchmarks/blob_speed.py [sqlite] [postgresql] [mysql] [--rows N] [--pack-mb M]
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
import warnings

import numpy as np

import datajoint_sa as dj
from datajoint_sa import blob

URLS = {
    "sqlite": None,
    "postgresql": os.environ.get("DJ_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    "mysql": os.environ.get("DJ_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
ROUNDS = 3
ARRAY_BYTES = 1_000_000


def best(fn, rounds: int = ROUNDS, before=None) -> float:
    times = []
    for _ in range(rounds):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def pack_speed(megabytes: float) -> None:
    array = np.random.default_rng(0).standard_normal(int(megabytes * 1e6 / 8))
    packed = blob.pack(array)
    gigabytes = array.nbytes / 1e9
    t_pack = best(lambda: blob.pack(array))
    t_unpack = best(lambda: blob.unpack(packed))
    t_view = best(lambda: blob.unpack(memoryview(packed)))
    t_copy = best(lambda: array.tobytes())  # one copy of the data: the floor for building bytes
    print(f"pack/unpack, contiguous float64 ({array.nbytes / 1e6:.0f} MB, default compress=True):")
    print(f"  pack {gigabytes / t_pack:6.2f} GB/s   unpack {gigabytes / t_unpack:6.2f} GB/s "
          f"(from a memoryview {gigabytes / t_view:5.2f} GB/s)   target >= 1 GB/s")
    print(f"  one memory copy of the array on this machine: {gigabytes / t_copy:6.2f} GB/s "
          "(pack makes one copy; unpack of bytes makes none)")


def declare(connection: dj.Connection) -> tuple[dj.Schema, type, type]:
    schema = dj.Schema(f"bench_blob_{os.getpid()}", connection=connection)

    @schema
    class Blobs(dj.Manual):
        definition = """
        blob_id : int32
        ---
        payload : <blob>
        """

    @schema
    class RawBytes(dj.Manual):
        definition = """
        blob_id : int32
        ---
        payload : bytes
        """

    return schema, Blobs, RawBytes


def run(backend: str, rows: int) -> None:
    url = URLS[backend] or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    connection = dj.Connection(url)
    schema, Blobs, RawBytes = declare(connection)
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(ARRAY_BYTES // 8) for _ in range(rows)]
    megabytes = rows * ARRAY_BYTES / 1e6
    raw_table = RawBytes().full_table_name
    mark = "?" if connection.engine.dialect.paramstyle == "qmark" else "%s"
    try:
        def raw_insert():
            payloads = []
            for i, array in enumerate(arrays):
                buffer = io.BytesIO()
                np.save(buffer, array)
                payloads.append((i, buffer.getvalue()))
            raw = connection.engine.raw_connection()
            try:
                raw.cursor().executemany(f"INSERT INTO {raw_table} (blob_id, payload) VALUES ({mark}, {mark})", payloads)
                raw.commit()
            finally:
                raw.close()

        def raw_fetch():
            raw = connection.engine.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute(f"SELECT blob_id, payload FROM {raw_table}")
                return [(i, np.load(io.BytesIO(p))) for i, p in cursor.fetchall()]
            finally:
                raw.close()

        def ours_insert():
            Blobs.insert({"blob_id": i, "payload": a} for i, a in enumerate(arrays))

        def ours_fetch():
            return Blobs.to_dicts()

        t_raw_in = best(raw_insert, before=RawBytes.delete_quick)
        t_ours_in = best(ours_insert, before=Blobs.delete_quick)
        t_raw_out = best(raw_fetch)
        t_ours_out = best(ours_fetch)
        assert np.array_equal(Blobs.to_dicts(order_by="blob_id")[7]["payload"], arrays[7])
        print(f"\n{backend}: {rows} rows x {ARRAY_BYTES / 1e6:.0f} MB float64")
        print(f"  insert: <blob> {megabytes / t_ours_in:7.0f} MB/s   raw np.save {megabytes / t_raw_in:7.0f} MB/s   "
              f"ratio {t_raw_in / t_ours_in:.2f}x (target >= 0.7)")
        print(f"  fetch:  <blob> {megabytes / t_ours_out:7.0f} MB/s   raw np.load {megabytes / t_raw_out:7.0f} MB/s   "
              f"ratio {t_raw_out / t_ours_out:.2f}x (target >= 0.7)")
    finally:
        schema.drop(prompt=False)


def main() -> None:
    warnings.simplefilter("ignore")
    parser = argparse.ArgumentParser()
    parser.add_argument("backends", nargs="*", default=list(URLS))
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--pack-mb", type=float, default=100.0)
    args = parser.parse_args()
    pack_speed(args.pack_mb)
    for backend in args.backends:
        run(backend, args.rows)


if __name__ == "__main__":
    main()
