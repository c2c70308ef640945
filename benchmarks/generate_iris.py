"""Generate synthetic IRIS Level 2 files (thin wrapper around the iris plugin's generator).

Usage::

    python benchmarks/generate_iris.py DEST [--size small|full] [--n-steps N] [--n-y N] [--windows "C II 1336" ...]
"""

from __future__ import annotations

import argparse
import time


def main() -> None:
    """Parse the command line and generate the files."""
    from irisplug_iris.generator import generate

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("dest")
    p.add_argument("--size", default="small", choices=("small", "full"))
    p.add_argument("--n-rasters", type=int)
    p.add_argument("--n-steps", type=int)
    p.add_argument("--n-y", type=int)
    p.add_argument("--windows", nargs="+")
    p.add_argument("--sji", nargs="*")
    a = p.parse_args()
    t0 = time.perf_counter()
    files = generate(a.dest, size=a.size, n_rasters=a.n_rasters, n_steps=a.n_steps, n_y=a.n_y, windows=a.windows, sji=a.sji)
    total = sum(f.stat().st_size for f in files)
    print(f"{len(files)} files, {total / 1e9:.2f} GB in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
