"""Lazy open of a generated full-size (~1 GB) IRIS L2 raster file: time and resident memory.

Ours: ``irisplug.read(path)`` (headers and aux table only; each window is
built on first access, its data decoded lazily by dask), and the same plus
building one window. Peers in the same
run, interleaved: ``astropy.io.fits.open`` + touching every header (lazy),
and ``irispy.io.read_files(path, memmap=True)``. Prints medians and ratios.

Usage: ``python benchmarks/bench_iris_open.py [--quick] [--keep]`` (generates
into benchmarks/_scratch/, deletes it at the end unless --keep).
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import time
from pathlib import Path

SCRATCH = Path(__file__).resolve().parent / "_scratch" / "open"


def rss_mb() -> float:
    """Current resident set size of this process in MB."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def make_file(quick: bool) -> Path:
    """The raster file to open (generated once)."""
    from irisplug_iris.generator import generate

    kw = {"n_steps": 40, "n_y": 256} if quick else {}
    done = sorted(SCRATCH.glob("*raster*.fits"))
    if done:
        return done[0]
    (path,) = generate(SCRATCH, size="full", windows=("C II 1336", "Si IV 1403", "Mg II k 2796"), sji=(), **kw)
    return path


_CHILD = """
import json, statistics, sys, time, warnings
warnings.simplefilter("ignore")
def rss():
    import os
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
t0 = time.perf_counter()
import irisplug
irisplug.get_plugin_manager().contributions("reader")
t1 = time.perf_counter()
r0 = rss()
t = time.perf_counter(); obs = irisplug.read(sys.argv[1]); first = time.perf_counter() - t
r_open = rss()
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"ndcube", "sunraster", "sunpy", "dask", "gwcs", "matplotlib", "astropy"})
ts = []
for _ in range(20):
    t = time.perf_counter(); irisplug.read(sys.argv[1]); ts.append(time.perf_counter() - t)
t = time.perf_counter(); cube = obs["Si IV 1403"][0]; build = time.perf_counter() - t
print(json.dumps({"imports_s": t1 - t0, "rss_imports": r0, "first_ms": first * 1e3, "median_ms": statistics.median(ts) * 1e3,
                  "rss_open": r_open, "heavy": heavy, "build_ms": build * 1e3, "rss_window": rss()}))
"""


def _fresh_process(path: Path) -> dict:
    """Open the file in a new Python process: import cost, first-open time, RSS."""
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Run the benchmark and print the table."""
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    p.add_argument("--keep", action="store_true")
    p.add_argument("--repeats", type=int, default=15)
    a = p.parse_args()
    import warnings

    from astropy.io import fits

    import irisplug

    warnings.simplefilter("ignore")
    path = make_file(a.quick)
    print(f"file: {path.name}, {path.stat().st_size / 1e9:.2f} GB")
    irisplug.read(path)  # warm: imports, plugin discovery, ephemeris cache
    try:
        import irispy.io

        irispy.io.read_files([str(path)], memmap=True)
        peers = {"irispy read_files(memmap=True)": lambda: irispy.io.read_files([str(path)], memmap=True)}
    except Exception as exc:  # noqa: BLE001 - report the peer's failure, keep measuring ours
        print(f"irispy peer unavailable: {exc}")
        peers = {}

    def astropy_open():
        with fits.open(path) as hdul:
            return [h.header for h in hdul]

    def open_and_build():
        obs = irisplug.read(path)
        return obs["Si IV 1403"], obs

    runs = {"irisplug.read": lambda: irisplug.read(path), "irisplug.read + build Si IV 1403": open_and_build,
            "astropy fits.open + headers": astropy_open, **peers}
    times: dict[str, list[float]] = {k: [] for k in runs}
    rss: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(a.repeats):
        for name, fn in runs.items():
            gc.collect()
            before = rss_mb()
            t0 = time.perf_counter()
            obj = fn()
            times[name].append(time.perf_counter() - t0)
            rss[name].append(rss_mb() - before)
            del obj
    base = statistics.median(times["irisplug.read"])
    print(f"{'reader':34s} {'median ms':>10s} {'ratio':>7s} {'RSS growth MB':>14s}")
    for name in runs:
        m = statistics.median(times[name])
        print(f"{name:34s} {m * 1e3:10.2f} {m / base:7.2f} {statistics.median(rss[name]):14.1f}")
    print(f"process RSS after all opens: {rss_mb():.0f} MB (includes python, numpy, astropy, sunpy, dask imports)")
    fresh = _fresh_process(path)
    print(f"fresh process: import irisplug + plugin discovery {fresh['imports_s']:.2f} s, RSS {fresh['rss_imports']:.0f} MB; "
          f"first irisplug.read {fresh['first_ms']:.1f} ms, next reads median {fresh['median_ms']:.2f} ms; "
          f"RSS after opening {fresh['rss_open']:.0f} MB (+{fresh['rss_open'] - fresh['rss_imports']:.1f} MB); "
          f"heavy modules imported by the open: {fresh['heavy'] or 'none'}")
    print(f"  then building the window Si IV 1403 (imports ndcube, sunraster, sunpy, dask): {fresh['build_ms']:.0f} ms, "
          f"RSS {fresh['rss_window']:.0f} MB")
    obs = irisplug.read(path)
    cube = obs["Si IV 1403"][0]
    import dask.array as da

    print(f"opened window Si IV 1403 of shape {cube.data.shape} lazily: dask array {isinstance(cube.data, da.Array)}")
    if not a.keep:
        shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
