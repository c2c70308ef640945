"""Open a gzipped full-size (~1 GB) IRIS L2 raster: irisplug (first and second open) vs astropy.

The archive serves ``*.fits.gz``. irisplug decompresses a gzip file once into
its cache (``irisplug.sources.decompressed``: streamed zlib, keyed by the
file's content) and then opens the plain copy lazily (headers and aux table);
the second open finds the copy and costs about what a plain open costs.
astropy opens the ``.gz`` directly: touching every header walks the whole
gzip stream, and reading a window's data decompresses up to it again.

Measured, interleaved, in one run:

- ``irisplug first``: ``irisplug.read(gz)`` with an empty cache (includes the gunzip, by ISA-L when
  ``isal`` is installed);
- ``irisplug first, zlib``: the same with ``IRISPLUG_GZIP=zlib`` (the standard library's inflater);
- ``irisplug second``: ``irisplug.read(gz)`` again (cache hit);
- ``astropy open``: ``fits.open(gz)`` and touching every header;
- the same two plus reading one window's data (the last one in the file).

Usage: ``python benchmarks/bench_iris_gzip_open.py [--quick] [--repeats N] [--keep]``;
generates into benchmarks/_scratch/gzip/ and deletes it at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

from _machine import cpu_name  # benchmarks/_machine.py, beside this script

SCRATCH = Path(__file__).resolve().parent / "_scratch" / "gzip"



def make_gz(quick: bool) -> Path:
    """A generated raster file, gzip-compressed as the archive does (level 6)."""
    from irisplug_iris.generator import generate

    done = sorted(SCRATCH.glob("*raster*.fits.gz"))
    if done:
        return done[0]
    kw = {"n_steps": 40, "n_y": 256} if quick else {}
    (path,) = generate(SCRATCH, size="full", windows=("C II 1336", "Si IV 1403", "Mg II k 2796"), sji=(), quiet=True, **kw)
    gz = path.with_name(path.name + ".gz")
    if shutil.which("gzip"):
        with open(gz, "wb") as out:
            subprocess.run(["gzip", "-6", "-c", str(path)], stdout=out, check=True)
    else:
        with open(path, "rb") as src, gzip.open(gz, "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst, 1 << 22)
    path.unlink()
    return gz


def ours(gz: Path, data: bool) -> float:
    import numpy as np

    import irisplug

    t = time.perf_counter()
    obs = irisplug.read(gz)
    if data:
        label = list(obs.keys())[-1]
        np.asarray(obs[label][0].data)
    return time.perf_counter() - t


def astropy(gz: Path, data: bool) -> float:
    from astropy.io import fits

    t = time.perf_counter()
    with fits.open(gz) as hdul:
        for hdu in hdul:
            hdu.header  # noqa: B018 (touch every header)
        if data:
            nwin = int(hdul[0].header["NWIN"])
            hdul[nwin].data.copy()
    return time.perf_counter() - t


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values):8.3f} s (min {min(values):.3f}, max {max(values):.3f})"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a small file (smoke run)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--keep", action="store_true", help="keep the generated file")
    args = p.parse_args()
    os.environ["IRISPLUG_QUIET"] = "1"
    warnings.simplefilter("ignore")
    SCRATCH.mkdir(parents=True, exist_ok=True)
    try:
        t = time.perf_counter()
        gz = make_gz(args.quick)
        print(f"input: {gz.name}: {gz.stat().st_size / 1e6:.0f} MB gzipped (made in {time.perf_counter() - t:.0f} s)")
        with gzip.open(gz) as f:
            plain_size = f.seek(0, os.SEEK_END)
        print(f"uncompressed {plain_size / 1e6:.0f} MB; CPU: {cpu_name()}, {os.cpu_count()} cores; repeats {args.repeats}\n")
        rows: dict[str, list[float]] = {k: [] for k in (
            "irisplug first open", "irisplug first open, zlib", "irisplug second open", "astropy open + headers",
            "irisplug first open + 1 window", "irisplug second open + 1 window", "astropy open + 1 window")}
        with tempfile.TemporaryDirectory(dir=SCRATCH) as cache:  # warm-up: imports, first calls (not timed)
            os.environ["IRISPLUG_CACHE_DIR"] = cache
            ours(gz, True)
            astropy(gz, False)
        for _ in range(args.repeats):
            for data, suffix in ((False, ""), (True, " + 1 window")):
                with tempfile.TemporaryDirectory(dir=SCRATCH) as cache:
                    os.environ["IRISPLUG_CACHE_DIR"] = cache
                    rows[f"irisplug first open{suffix}"].append(ours(gz, data))
                    rows[f"irisplug second open{suffix}"].append(ours(gz, data))
                if not data:
                    with tempfile.TemporaryDirectory(dir=SCRATCH) as cache:
                        os.environ["IRISPLUG_CACHE_DIR"], os.environ["IRISPLUG_GZIP"] = cache, "zlib"
                        rows["irisplug first open, zlib"].append(ours(gz, data))
                        del os.environ["IRISPLUG_GZIP"]
                rows["astropy open + headers" if not data else "astropy open + 1 window"].append(astropy(gz, data))
        for name, values in rows.items():
            print(f"{name:<34} {fmt(values)}")
        from irisplug.sources_fetch import gzip_backend

        ratios = [z / i for i, z in zip(rows["irisplug first open"], rows["irisplug first open, zlib"], strict=True)]
        print(f"zlib / {gzip_backend()[0].__name__} (first open){'':<15} {statistics.median(ratios):6.2f}x "
              f"(min {min(ratios):.2f}, max {max(ratios):.2f})")
        for label, a, b in (("headers", "irisplug first open", "astropy open + headers"),
                            ("headers", "irisplug second open", "astropy open + headers"),
                            ("1 window", "irisplug first open + 1 window", "astropy open + 1 window"),
                            ("1 window", "irisplug second open + 1 window", "astropy open + 1 window")):
            ratios = [y / x for x, y in zip(rows[a], rows[b], strict=True)]
            print(f"astropy / {a:<32} {statistics.median(ratios):6.2f}x (min {min(ratios):.2f}, max {max(ratios):.2f})  [{label}]")
    finally:
        if not args.keep:
            shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
