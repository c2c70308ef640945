"""Benchmark: ``irisplug.read`` handing its FileInfo to the IRIS reader vs the reader parsing every header again.

Both sides open the same generated IRIS Level 2 observation lazily (headers
and auxiliary tables only), interleaved, several repeats: "ours" is
``irisplug.read(files)`` (dispatch identifies each file, then passes the
FileInfo objects, so each header is parsed once); "before" is what dispatch
did until now: choose the reader for each file (parsing the primary header)
and call the reader without them (which parses every header again).
Prints the medians, the median ratio with its min-max, and the CPU.

    python benchmarks/bench_read_fileinfo.py [--repeats N] [--steps N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from _machine import cpu_name  # benchmarks/_machine.py, beside this script


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--steps", type=int, default=32, help="raster steps per file")
    parser.add_argument("--rasters", type=int, default=4, help="raster files")
    args = parser.parse_args()

    import irisplug
    from irisplug_iris.reader import read_iris_l2

    with tempfile.TemporaryDirectory() as tmp:
        files = irisplug.fetch("iris-synthetic", tmp, n_steps=args.steps, n_rasters=args.rasters, quiet=True)
        files = sorted(Path(f) for f in files if str(f).endswith(".fits"))

        def ours() -> object:
            return irisplug.read(files)

        def before() -> object:
            for f in files:
                irisplug.choose_reader(f)
            return read_iris_l2(files)

        ours(), before()  # warm-up
        t_ours, t_before, ratios = [], [], []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            ours()
            a = time.perf_counter() - t0
            t0 = time.perf_counter()
            before()
            b = time.perf_counter() - t0
            t_ours.append(a)
            t_before.append(b)
            ratios.append(b / a)
    print(f"{len(files)} IRIS L2 files ({args.rasters} rasters x {args.steps} steps + SJI), {args.repeats} repeats, {cpu_name()}")
    print(f"  fileinfo handed over : median {statistics.median(t_ours) * 1e3:.1f} ms")
    print(f"  reader parses again  : median {statistics.median(t_before) * 1e3:.1f} ms")
    print(f"  before / ours        : median {statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
