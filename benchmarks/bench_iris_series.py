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
    from irisplug_iris.irispy_files import RASTER_OBSID, find_files

    # located by content (OBSID, kind): the test files' names differ between irispy-lmsal releases
    files = find_files(obsid=RASTER_OBSID, kind="raster")[: 4 if a.quick else None]
    if not files:
        raise SystemExit(f"no raster file of OBSID {RASTER_OBSID} in this irispy-lmsal's test data")
    print(f"{len(files)} raster files of OBSID {RASTER_OBSID} (9 windows each)")
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
