"""kill -9 during irisplug.write, FITS and ASDF: the target is never partial, stale temp files are cleaned.

Not a timing benchmark: a crash-safety check of ``irisplug.atomic`` (issue 16).
For each format and run, a writer process imports irisplug, builds a cube
whose every value is the run number, signals that it is ready and writes it
over the target (``overwrite=True``). This script waits until the writer's
temporary file exists, then kills it with SIGKILL after a random delay spread
over the measured lifetime of that file (the bytes being written), then checks:

- the target is absent (before the first complete write) or a complete file
  of an earlier or this run: opened independently (astropy / asdf), every
  value equal to one run number;
- after the next write into the same directory (by this process), no
  temporary file of a killed writer remains.

Usage::

    python benchmarks/kill_during_write.py            # 20 runs per format
    python benchmarks/kill_during_write.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import sys
import numpy as np
import astropy.wcs
from ndcube import NDCube
import irisplug
target, value, n = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
wcs = astropy.wcs.WCS(naxis=3)
wcs.wcs.ctype = ["WAVE", "HPLT-TAN", "HPLN-TAN"]
wcs.wcs.cunit = ["Angstrom", "deg", "deg"]
wcs.wcs.cdelt = [0.025, 1e-4, 1e-4]
cube = NDCube(np.full((n, n, n), value, dtype="f4"), wcs=wcs, unit="DN")
# warm up (plugin discovery, lazy imports of the writer) on a scratch file elsewhere
import os, tempfile
scratch = tempfile.mkdtemp()
warm = NDCube(np.zeros((2, 2, 2), dtype="f4"), wcs=wcs, unit="DN")
irisplug.write(warm, os.path.join(scratch, "warm" + os.path.splitext(target)[1]))
print("ready", flush=True)
irisplug.write(cube, target, overwrite=True)
print("done", flush=True)
"""


def _values(path: Path) -> set[float] | None:
    """The distinct data values of the written file, read independently of irisplug; None if unreadable."""
    import numpy as np

    try:
        if path.suffix == ".fits":
            from astropy.io import fits

            with fits.open(path) as hdul:
                arrays = [h.data for h in hdul if h.is_image and h.header.get("NAXIS") == 3]
                return {float(v) for v in np.unique(arrays[0])}
        import asdf

        with asdf.open(path, memmap=False) as af:
            found = []

            def walk(node):
                if hasattr(node, "shape") and getattr(node, "ndim", 0) == 3:
                    found.append(np.asarray(node))
                elif isinstance(node, dict):
                    for v in node.values():
                        walk(v)
                elif isinstance(node, (list, tuple)):
                    for v in node:
                        walk(v)
                elif hasattr(node, "data") and getattr(node.data, "ndim", 0) == 3:
                    found.append(np.asarray(node.data))

            walk(af.tree)
            return {float(v) for v in np.unique(found[0])}
    except Exception as exc:  # noqa: BLE001 - a partial file is exactly what we look for
        print(f"    unreadable: {type(exc).__name__}: {exc}")
        return None


def _spawn(target: Path, value: int, n: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(target), str(value), str(n)], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if line.strip() != "ready":
        raise RuntimeError(f"writer did not start: {line!r}")
    return proc


def _wait_for_temp(d: Path, proc: subprocess.Popen, timeout: float) -> bool:
    """Poll ``d`` until a temporary file of irisplug.atomic appears (True) or the writer exits (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if any(".irisplug-tmp-" in p.name for p in d.iterdir()):
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.0005)
    return False


def run(fmt: str, runs: int, n: int, workdir: Path) -> dict[str, int]:
    import irisplug

    d = workdir / fmt
    d.mkdir()
    target = d / f"cube.{fmt}"
    # one full write to measure how long the temporary file lives (the bytes being written)
    proc = _spawn(target, 0, n)
    appeared = _wait_for_temp(d, proc, 60.0)
    t0 = time.monotonic()
    proc.stdout.readline()  # "done": the write returned
    duration = time.monotonic() - t0 if appeared else 0.05
    proc.wait()
    written = {0.0}
    counts = {"runs": 0, "killed": 0, "completed": 0, "partial_targets": 0, "temp_left_by_kill": 0,
              "temp_survived_next_write": 0}
    for i in range(1, runs + 1):
        proc = _spawn(target, i, n)
        # kill while the bytes are being written: once the temporary file exists, after a random part of its
        # measured lifetime (a kill before it exists cannot touch the target; that case is trivially safe)
        _wait_for_temp(d, proc, 60.0)
        time.sleep(random.uniform(0, duration * 1.1))
        finished = proc.poll() is not None
        if not finished:
            os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
        counts["runs"] += 1
        counts["completed" if finished else "killed"] += 1
        if proc.returncode == 0:
            written.add(float(i))
        temps = [p for p in d.iterdir() if ".irisplug-tmp-" in p.name]
        counts["temp_left_by_kill"] += bool(temps)
        values = _values(target) if target.exists() else set()
        if values is None or len(values) != 1 or not values <= written | {float(i)}:
            counts["partial_targets"] += 1
            print(f"  run {i}: PARTIAL target, values {values}")
        else:
            written |= values
        # the next write into the same directory removes the killed writer's temp file
        irisplug.write(irisplug_dummy(), d / f"next-{i}.{fmt}", overwrite=True)
        left = [p for p in temps if p.exists()]
        counts["temp_survived_next_write"] += len(left)
        print(f"  run {i}: {'killed' if proc.returncode != 0 else 'done'}; temp files after kill {len(temps)}, "
              f"after next write {len(left)}; target values {sorted(values) if values else values}")
    counts["write_seconds"] = round(duration, 2)
    return counts


def irisplug_dummy():
    import astropy.wcs
    import numpy as np
    from ndcube import NDCube

    wcs = astropy.wcs.WCS(naxis=1)
    wcs.wcs.ctype = ["WAVE"]
    wcs.wcs.cunit = ["Angstrom"]
    return NDCube(np.zeros(4, "f4"), wcs=wcs, unit="DN")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--formats", nargs="+", default=["fits", "asdf"])
    parser.add_argument("--size", type=int, default=160, help="cube edge (default 160: 16 MB of float32)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="irisplug-kill-") as tmp:
        for fmt in args.formats:
            print(f"{fmt}:")
            counts = run(fmt, args.runs, args.size, Path(tmp))
            print(f"{fmt} summary: {counts}")


if __name__ == "__main__":
    main()
