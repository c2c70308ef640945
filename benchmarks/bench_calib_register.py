"""Benchmark: irisplug ``aia-register`` against ``aiapy.calibrate.register``.

Runs both on the sunpy test map ``aia_171_level1.fits`` resampled to
4096x4096 (``--quick``: 1024x1024), interleaved, several repeats, and prints
the wall-clock medians and their ratio, the CPU-time ratio (meaningful on a
loaded machine; irisplug uses two threads, aiapy/scipy one), the largest
difference (absolute and relative to the data range), and, with
``--cold``, the first registration in fresh processes: with an empty numba
cache (compilation) and with that cache filled.

    python benchmarks/bench_calib_register.py [--quick] [--repeats N] [--cold]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1024x1024 instead of 4096x4096")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="also time the first call in fresh processes")
    args = parser.parse_args()

    import astropy.units as u
    import numpy as np
    import sunpy.data.test
    import sunpy.map
    from aiapy.calibrate import register

    from irisplug_calib.register import register_map

    n = 1024 if args.quick else 4096
    smap = sunpy.map.Map(sunpy.data.test.get_test_filepath("aia_171_level1.fits")).resample((n, n) * u.pixel)
    warnings.simplefilter("ignore")
    ours = register_map(smap)  # warm-up (loads the compiled numba kernels)
    peer = register(smap)
    rng = float(np.nanmax(peer.data) - np.nanmin(peer.data))
    abs_diff = float(np.nanmax(np.abs(ours.data - peer.data)))
    diff = abs_diff / rng
    t_ours, t_peer, c_ours, c_peer = [], [], [], []
    for _ in range(args.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        register(smap)
        t_peer.append(time.perf_counter() - t0)
        c_peer.append(time.process_time() - c0)
        t0, c0 = time.perf_counter(), time.process_time()
        register_map(smap)
        t_ours.append(time.perf_counter() - t0)
        c_ours.append(time.process_time() - c0)
    m_ours, m_peer = statistics.median(t_ours), statistics.median(t_peer)
    import os
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _machine import machine_line

    print(f"CPU: {machine_line()}; load average {os.getloadavg()[0]:.1f}")
    print(f"map {n}x{n} -> {ours.data.shape} (aiapy {peer.data.shape}); repeats {args.repeats}")
    print(f"aiapy.calibrate.register  median {m_peer:.3f} s  (runs: {', '.join(f'{t:.2f}' for t in t_peer)})")
    print(f"irisplug aia-register     median {m_ours:.3f} s  (runs: {', '.join(f'{t:.2f}' for t in t_ours)})")
    ratios = [p / o for p, o in zip(t_peer, t_ours, strict=True)]  # each repeat: aiapy then ours, back to back
    print(f"speed ratio (aiapy / irisplug), wall clock: {m_peer / m_ours:.2f}x (per repeat median "
          f"{statistics.median(ratios):.2f}x, {min(ratios):.2f}-{max(ratios):.2f})")
    print(
        f"CPU time (all threads) median: aiapy {statistics.median(c_peer):.3f} s, irisplug {statistics.median(c_ours):.3f} s "
        f"-> {statistics.median(c_peer) / statistics.median(c_ours):.2f}x less CPU work"
    )
    print(f"max |difference| {abs_diff:.3e} (data range {rng:.4g}): {diff:.2e} of the range")
    if args.cold:
        _cold_start()
    return 0


_COLD = """
import time, warnings
t0 = time.perf_counter()
import sunpy.map, sunpy.data.test
from irisplug_calib.register import register_map
m = sunpy.map.Map(sunpy.data.test.get_test_filepath("aia_171_level1.fits"))
warnings.simplefilter("ignore")
t1 = time.perf_counter()
register_map(m)
t2 = time.perf_counter()
register_map(m)
print(f"{t1 - t0:.2f} {t2 - t1:.2f} {time.perf_counter() - t2:.3f}")
"""


def _cold_start() -> None:
    """First registration (128x128 test map) in fresh processes: empty numba cache, then that cache."""
    import os
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for label in ("empty numba cache (compiles)", "numba cache filled"):
            out = subprocess.run([sys.executable, "-c", _COLD], env=env, capture_output=True, text=True, check=True)
            imp, first, second = out.stdout.split()
            print(f"fresh process, {label}: imports {imp} s, first register_map {first} s, second {second} s")


if __name__ == "__main__":
    raise SystemExit(main())
