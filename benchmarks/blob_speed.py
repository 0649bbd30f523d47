"""Print pack / unpack throughput (GB/s) of the <blob> serializer for a 100 MB float64 array.

Usage: .venv/bin/python benchmarks/blob_speed.py [megabytes]
"""

from __future__ import annotations

import sys
import time

import numpy as np

from datajoint_sa import blob


def best_seconds(func, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    print("uncompressed unpack returns a read-only view of the input bytes (no copy), hence its speed")
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 100.0
    n = int(megabytes * 1e6 / 8)
    cases = {
        "random, compress=False": (np.random.default_rng(0).standard_normal(n), False),
        "zeros,  compress=True ": (np.zeros(n), True),
        "random, compress=True ": (np.random.default_rng(0).standard_normal(n), True),
    }
    for label, (array, compress) in cases.items():
        gigabytes = array.nbytes / 1e9
        packed = blob.pack(array, compress=compress)
        t_pack = best_seconds(lambda a=array, c=compress: blob.pack(a, compress=c), 1 if compress else 3)
        t_unpack = best_seconds(lambda p=packed: blob.unpack(p), 3)
        # PostgreSQL drivers hand back a memoryview, which costs one copy into bytes
        view = memoryview(packed)
        t_view = best_seconds(lambda v=view: blob.unpack(v), 3)
        assert np.array_equal(blob.unpack(packed), array)
        print(
            f"{label}: {array.nbytes / 1e6:.0f} MB -> {len(packed) / 1e6:.1f} MB   "
            f"pack {gigabytes / t_pack:6.2f} GB/s   unpack {gigabytes / t_unpack:8.2f} GB/s "
            f"(from memoryview {gigabytes / t_view:5.2f} GB/s)"
        )


if __name__ == "__main__":
    main()
