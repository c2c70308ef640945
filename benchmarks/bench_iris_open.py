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
pre_s = 0.0
if len(sys.argv) > 2:  # the libraries and plugin modules the first read imports, imported first (not timed as the open)
    import importlib
    for name in sys.argv[2].split(","):
        importlib.import_module(name)
    pre_s = time.perf_counter() - t1
r0 = rss()
t = time.perf_counter(); obs = irisplug.read(sys.argv[1]); first = time.perf_counter() - t
r_open = rss()
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"ndcube", "sunraster", "sunpy", "dask", "gwcs", "matplotlib", "astropy"})
ts = []
for _ in range(20):
    t = time.perf_counter(); irisplug.read(sys.argv[1]); ts.append(time.perf_counter() - t)
t = time.perf_counter(); cube = obs["Si IV 1403"][0]; build = time.perf_counter() - t
print(json.dumps({"imports_s": t1 - t0, "pre_s": pre_s, "rss_imports": r0, "first_ms": first * 1e3, "median_ms": statistics.median(ts) * 1e3,
                  "rss_open": r_open, "heavy": heavy, "build_ms": build * 1e3, "rss_window": rss()}))
"""


#: what the first irisplug.read of an IRIS raster imports beyond ``import irisplug`` (python -X importtime)
FIRST_READ_IMPORTS = "numpy,astropy.units,astropy.time,irisplug_iris.reader,irisplug_iris.decode"


def _fresh_process(path: Path, pre: str = "") -> dict:
    """Open the file in a new Python process: import cost, first-open time, RSS.

    Bytecode is written and used as after ``pip install`` (the child runs
    without ``PYTHONDONTWRITEBYTECODE``, which some CI images set: then every
    fresh process compiles every module it imports, ~0.2 s for this open).
    """
    import json
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    args = [sys.executable, "-c", _CHILD, str(path)] + ([pre] if pre else [])
    out = subprocess.run(args, capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _in_process(path: Path, repeats: int) -> None:
    """Opens in this process, interleaved with the peers: medians, ratios, RSS growth."""
    from astropy.io import fits

    import irisplug

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
    for _ in range(repeats):
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


def main() -> None:
    """Run the benchmark and print the table."""
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    p.add_argument("--keep", action="store_true")
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--fresh", type=int, default=5, help="fresh processes per variant")
    p.add_argument("--fresh-only", action="store_true", help="only the fresh-process first-open rows")
    a = p.parse_args()
    import warnings

    warnings.simplefilter("ignore")
    from _machine import machine_line

    path = make_file(a.quick)
    print(f"file: {path.name}, {path.stat().st_size / 1e9:.2f} GB")
    if not a.fresh_only:
        _in_process(path, a.repeats)
    _fresh_process(path)  # writes the bytecode caches
    runs_fresh = [_fresh_process(path) for _ in range(a.fresh)]
    runs_pre = [_fresh_process(path, FIRST_READ_IMPORTS) for _ in range(a.fresh)]
    fresh = runs_fresh[0]
    first = [r["first_ms"] for r in runs_fresh]
    first_pre = [r["first_ms"] for r in runs_pre]
    print(f"CPU: {machine_line()}")
    print(f"fresh process ({a.fresh} processes), timed from after `import irisplug` + plugin discovery "
          f"(median {statistics.median(r['imports_s'] for r in runs_fresh):.2f} s, not included):")
    print(f"  first irisplug.read: median {statistics.median(first):.1f} ms ({min(first):.1f}-{max(first):.1f}); it imports "
          f"{fresh['heavy'] or 'no heavy module'} ({FIRST_READ_IMPORTS})")
    print(f"  first irisplug.read with those modules imported before (their import median "
          f"{statistics.median(r['pre_s'] for r in runs_pre) * 1e3:.0f} ms, not included): median "
          f"{statistics.median(first_pre):.2f} ms ({min(first_pre):.2f}-{max(first_pre):.2f})")
    print(f"  next reads in the process: median {statistics.median(r['median_ms'] for r in runs_fresh):.2f} ms; "
          f"RSS after opening {fresh['rss_open']:.0f} MB (+{fresh['rss_open'] - fresh['rss_imports']:.1f} MB)")
    print(f"  then building the window Si IV 1403 (imports ndcube, sunraster, sunpy, dask): {fresh['build_ms']:.0f} ms, "
          f"RSS {fresh['rss_window']:.0f} MB")
    import dask.array as da

    import irisplug

    obs = irisplug.read(path)
    cube = obs["Si IV 1403"][0]

    print(f"opened window Si IV 1403 of shape {cube.data.shape} lazily: dask array {isinstance(cube.data, da.Array)}")
    if not a.keep:
        shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
