"""Reading the real 13-file IRIS raster series (irispy-lmsal test data): irisplug vs irispy-lmsal.

Ours: ``irisplug.read(raster_dir)`` (lazy: headers and aux tables, windows
built on first access), and the same with every window built (RasterSequence
of RasterCubes with per-exposure WCS). Peer:
``irispy.io.read_files(files)`` (its default) and with ``memmap=True``, in
the same run, interleaved, warm cache. ``--quick`` reads the first 4 files.
Prints medians and ratios.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from pathlib import Path


def main() -> None:
    """Run the benchmark and print the table."""
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    p.add_argument("--repeats", type=int, default=7)
    a = p.parse_args()
    warnings.simplefilter("ignore")
    import irispy
    import irispy.io

    import irisplug

    root = Path(irispy.__file__).parent / "data" / "test" / "raster" / "iris_l2_20140329_140938_3860258481_raster"
    files = sorted(root.glob("*.fits"))[: 4 if a.quick else None]
    print(f"{len(files)} raster files of OBSID 3860258481 (9 windows each)")
    runs = {
        "irisplug.read": lambda: irisplug.read(files),
        # the same, then every window built (what irispy's read_files does at once)
        "irisplug.read + build all windows": lambda: irisplug.read(files).map_items(lambda x: x),
        "irispy.io.read_files": lambda: irispy.io.read_files([str(f) for f in files]),
        "irispy.io.read_files(memmap=True)": lambda: irispy.io.read_files([str(f) for f in files], memmap=True),
    }
    for fn in runs.values():
        fn()  # warm imports and caches
    times: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(a.repeats):
        for name, fn in runs.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    ours = med["irisplug.read"]
    print(f"{'reader':36s} {'median s':>9s} {'vs irisplug':>12s}")
    for name, m in med.items():
        print(f"{name:36s} {m:9.3f} {m / ours:12.2f}")


if __name__ == "__main__":
    main()
