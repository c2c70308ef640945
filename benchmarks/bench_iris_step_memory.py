"""Peak memory of reading ONE raster step of a lazily opened IRIS window, ours and astropy side by side.

Generates one raster file (48 steps x 1093 slit pixels x 632 wavelengths of
Mg II k, int16 scaled: 2.8 MB per decoded step) into benchmarks/_scratch/step/,
then in a fresh subprocess per measurement: open, build the window, reset the
peak-RSS counter (/proc/self/clear_refs), read step 5 as numpy, report the
peak RSS increase. Ours: ``np.asarray(obs[label][0].data[5])``. Peer:
``astropy.io.fits.open(path)[1].section[5]`` scaled by BSCALE/BZERO.
Median, min and max over ``--repeat`` runs of each, interleaved.

Usage: ``python benchmarks/bench_iris_step_memory.py [--repeat 5] [--keep]`` (Linux only).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from _machine import cpu_name  # benchmarks/_machine.py, beside this script

SCRATCH = Path(__file__).resolve().parent / "_scratch" / "step"

_CHILD = r"""
import sys, warnings, numpy as np
from pathlib import Path

def peak():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            return int(line.split()[1]) * 1024
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) * 1024
path, who = sys.argv[1], sys.argv[2]
warnings.simplefilter('ignore')
if who == 'ours':
    import irisplug
    obs = irisplug.read(path)
    cube = obs['Mg II k 2796'][0]
    np.asarray(cube.data[0, :2, :2])  # warm dask and the decoder on a tiny slice of the same chunk
    get = lambda: np.asarray(cube.data[5])
else:
    from astropy.io import fits
    hdul = fits.open(path)
    hdu = hdul[1]
    bscale, bzero = hdu.header.get('BSCALE', 1.0), hdu.header.get('BZERO', 0.0)
    np.asarray(hdu.section[0, :2, :2])
    get = lambda: hdu.section[5] * np.float32(bscale) + np.float32(bzero)
Path('/proc/self/clear_refs').write_text('5')
base = rss()
out = get()
print((peak() - base) / 2**20, out.shape)
"""


def make_file() -> Path:
    from irisplug_iris.generator import generate

    done = sorted(SCRATCH.glob("*raster*.fits"))
    if done:
        return done[0]
    SCRATCH.mkdir(parents=True, exist_ok=True)
    generate(SCRATCH, n_rasters=1, n_steps=48, n_y=1093, spectral_summing=1, windows=["Mg II k 2796"], sji=[], quiet=True)
    return sorted(SCRATCH.glob("*raster*.fits"))[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    path = make_file()
    results: dict[str, list[float]] = {"ours": [], "astropy": []}
    for _ in range(args.repeat):
        for who in results:
            out = subprocess.run([sys.executable, "-c", _CHILD, str(path), who], capture_output=True, text=True, check=True)
            results[who].append(float(out.stdout.split()[0]))
    cpu = cpu_name()
    print(f"CPU: {cpu}; file {path.stat().st_size / 2**20:.0f} MiB; one step decoded = 2.6 MiB (float32)")
    for who, v in results.items():
        print(f"{who:8s} peak RSS increase reading one step: median {statistics.median(v):.1f} MiB "
              f"(min {min(v):.1f}, max {max(v):.1f}, n={len(v)})")
    o, a = statistics.median(results["ours"]), statistics.median(results["astropy"])
    print(f"ratio ours/astropy: {o / a:.2f}" if a else "astropy: no increase measured")
    if not args.keep:
        shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
