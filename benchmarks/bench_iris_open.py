"""Lazy open of a generated full-size (~1 GB) IRIS L2 raster file: time and resident memory.

Ours: ``irisplug.read(path)`` (headers and aux table only; each window is
built on first access, its data decoded lazily by dask), and the same plus
building one window. Peers in the same
run, interleaved: ``astropy.io.fits.open`` + touching every header (lazy),
and ``irispy.io.read_files(path, memmap=True)``. Prints medians and ratios.

First open in a fresh process (``--fresh``, ``--fresh-only``): each row is a new
Python process per repeat, the rows interleaved. The library import (for
irisplug: ``import irisplug`` and plugin discovery) is timed on its own; "first
open" is the first call, wall and CPU time, in three forms for irisplug:
everything the first ``irisplug.read`` imports included (numpy and our read
path), numpy imported before (what a session that touched numpy pays), and
numpy plus our read-path modules imported before (the open's own work).
The CPU time is the calling thread's: right after ``import numpy`` OpenBLAS's
worker thread spins for some milliseconds, which the process's CPU time
would add.

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
import json, os, statistics, sys, time, warnings
warnings.simplefilter("ignore")
kind, path, pre = sys.argv[1], sys.argv[2], [m for m in sys.argv[3].split(",") if m]
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
t0, c0 = time.perf_counter(), time.process_time()
if kind == "irisplug":
    import irisplug
    irisplug.get_plugin_manager().contributions("reader")  # plugin discovery, as `irisplug plugins` does
    def first_open():
        return irisplug.read(path)
elif kind == "astropy":
    from astropy.io import fits
    def first_open():
        with fits.open(path) as hdul:
            return [h.header for h in hdul]
else:
    import irispy.io
    def first_open():
        return irispy.io.read_files([path], memmap=True)
t1, c1 = time.perf_counter(), time.process_time()
import importlib
for name in pre:  # imported before the timed open (the variant says which)
    importlib.import_module(name)
t2, c2 = time.perf_counter(), time.process_time()
before = set(sys.modules)
r0 = rss()
# CPU of this thread only: numpy's OpenBLAS starts a worker thread at import that spins for some ms, and
# process_time would count it (measured: 15 ms process CPU for a 7 ms open right after `import numpy`)
t, c = time.perf_counter(), time.thread_time(); obj = first_open(); first, first_cpu = time.perf_counter() - t, time.thread_time() - c
r_open = rss()
new = sorted(set(sys.modules) - before)
third_party = sorted({m.split(".")[0] for m in new} & {"numpy", "astropy", "erfa", "ndcube", "sunraster", "sunpy", "dask", "gwcs",
                                                       "matplotlib", "scipy", "numba"})
ts = []
for _ in range(10):
    t = time.perf_counter(); first_open(); ts.append(time.perf_counter() - t)
out = {"import_ms": (t1 - t0) * 1e3, "import_cpu_ms": (c1 - c0) * 1e3, "pre_ms": (t2 - t1) * 1e3, "first_ms": first * 1e3,
       "first_cpu_ms": first_cpu * 1e3, "next_ms": statistics.median(ts) * 1e3, "rss_open": r_open, "rss_growth": r_open - r0,
       "imported": third_party, "n_new_modules": len(new),
       "ours_new": [m for m in new if m.startswith(("irisplug", "irisplug_iris"))]}
if kind == "irisplug" and not pre:
    t = time.perf_counter(); obj["Si IV 1403"][0]; out["build_ms"] = (time.perf_counter() - t) * 1e3
    out["rss_window"] = rss()
print(json.dumps(out))
"""

#: what the first irisplug.read of an IRIS raster imports that is not ours (python -X importtime; the
#: benchmark prints the list it measured): numpy only. The "read path" variant imports our modules too.
THIRD_PARTY = "numpy"
READ_PATH = ("numpy,irisplug.dispatch.read,irisplug.fileinfo,irisplug.sources,irisplug.limits,irisplug.model.observation,"
             "irisplug_iris.reader,irisplug_iris.checks,irisplug_iris.aux")
#: (label, library, modules imported before the timed first open)
VARIANTS = (
    ("irisplug.read, everything it imports included", "irisplug", ""),
    ("irisplug.read, numpy imported before", "irisplug", THIRD_PARTY),
    ("irisplug.read, numpy + our read path imported", "irisplug", READ_PATH),
    ("astropy fits.open + every header", "astropy", ""),
    ("irispy read_files(memmap=True)", "irispy", ""),
)


def _fresh_process(kind: str, path: Path, pre: str = "") -> dict:
    """Open the file in a new Python process: library import cost, first-open time (wall and CPU), RSS.

    Bytecode is written and used as after ``pip install`` (the child runs
    without ``PYTHONDONTWRITEBYTECODE``, which some CI images set: then every
    fresh process compiles every module it imports).
    """
    import json
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run([sys.executable, "-c", _CHILD, kind, str(path), pre], capture_output=True, text=True, check=True,
                         env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _spread(values: list[float], fmt: str = ".1f") -> str:
    return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"


def _fresh(path: Path, n: int) -> None:
    """First open in fresh processes, the variants interleaved (round robin) so load hits them alike."""
    for _, kind, pre in VARIANTS:
        _fresh_process(kind, path, pre)  # writes bytecode caches; warms the page cache of the headers
    runs: dict[str, list[dict]] = {label: [] for label, _, _ in VARIANTS}
    for _ in range(n):
        for label, kind, pre in VARIANTS:
            try:
                runs[label].append(_fresh_process(kind, path, pre))
            except Exception as exc:
                if kind == "irisplug":
                    raise
                print(f"{label}: failed ({exc})")
    ours = runs[VARIANTS[0][0]]
    print(f"first open in a fresh process ({n} processes per row, interleaved; medians (min-max); the library's import "
          f"and, for irisplug, plugin discovery are timed separately and not included in 'first open'):")
    print(f"  {'':48s} {'library import ms':>20s} {'first open ms':>20s} {'open CPU ms (thread)':>20s} {'next opens ms':>9s}")
    for label, _, _ in VARIANTS:
        r = runs[label]
        if not r:
            continue
        print(f"  {label:48s} {_spread([x['import_ms'] for x in r], '.0f'):>20s} {_spread([x['first_ms'] for x in r]):>20s} "
              f"{_spread([x['first_cpu_ms'] for x in r]):>20s} {statistics.median(x['next_ms'] for x in r):9.2f}")
    base = [x["first_ms"] for x in runs[VARIANTS[1][0]]]
    for label, _, _ in VARIANTS[3:]:
        if runs[label]:
            peer = [x["first_ms"] for x in runs[label]]
            ratios = [p / b for p, b in zip(peer, base, strict=False)]
            print(f"  {label} / irisplug.read (numpy imported before): median {statistics.median(peer) / statistics.median(base):.1f}x "
                  f"(per round {min(ratios):.1f}-{max(ratios):.1f}x)")
    print(f"  the first irisplug.read imports {ours[0]['imported'] or 'no third-party library'} and {len(ours[0]['ours_new'])} "
          f"irisplug modules: {', '.join(ours[0]['ours_new'])}")
    print(f"  RSS after the first open {statistics.median(x['rss_open'] for x in ours):.0f} MB "
          f"(+{statistics.median(x['rss_growth'] for x in ours):.1f} MB); then building the window Si IV 1403 (imports ndcube, "
          f"sunraster, sunpy, dask, astropy): {statistics.median(x['build_ms'] for x in ours):.0f} ms, RSS "
          f"{statistics.median(x['rss_window'] for x in ours):.0f} MB")


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
    p.add_argument("--fresh", type=int, default=7, help="fresh processes per variant")
    p.add_argument("--fresh-only", action="store_true", help="only the fresh-process first-open rows")
    a = p.parse_args()
    import warnings

    warnings.simplefilter("ignore")
    from _machine import machine_line

    path = make_file(a.quick)
    print(f"file: {path.name}, {path.stat().st_size / 1e9:.2f} GB; CPU: {machine_line()}")
    if not a.fresh_only:
        _in_process(path, a.repeats)
    _fresh(path, a.fresh)
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
