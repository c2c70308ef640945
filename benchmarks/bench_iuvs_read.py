"""Reading IUVS L1B files: irisplug ``iuvs-l1b`` vs astropy ``fits.open`` + ``Table.read`` of every HDU.

Ours: ``irisplug.read(path)`` -> IUVSProduct (7 cubes with the 2-D wavelength
gwcs, time/exposure extra coords, 9 astropy Tables), then every array touched
(``np.asarray``). Peer: what L1B readers do today (michaelaye/iuvs
``L1BReader``, PyUVS): ``fits.open``, every image HDU's ``.data`` and every
table through ``Table.read``, no coordinates. Files: the two real v13 L1B
samples (``$IRISPLUG_IUVS_DATA`` or ``<repo>/../shared/data/iuvs``), read as
``.fits.gz`` and as uncompressed ``.fits`` copies in ``benchmarks/_scratch``
(ours lazy via memmap + dask there). Also ``dark_statistics`` over the files
vs a plain astropy loop doing the same sums.
Interleaved repeats, medians and ratios from one run.
``python benchmarks/bench_iuvs_read.py [--quick]``.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import time
from pathlib import Path

import numpy as np


def _peer_read(path: Path) -> list:
    from astropy.io import fits
    from astropy.table import Table

    out = []
    with fits.open(path) as h:
        for hdu in h:
            if hdu.is_image:
                out.append(np.asarray(hdu.data))
            else:
                out.append(Table.read(hdu, unit_parse_strict="silent"))
    return out


def _ours_read(path: Path) -> list:
    import irisplug

    prod = irisplug.read(path)
    return [np.asarray(c.data) for c in prod.values()] + list(prod.tables.values())


def _peer_darks(paths: list[Path]) -> list[float]:
    from astropy.io import fits

    rates = []
    for p in paths:
        with fits.open(p) as h:
            frames = h["detector_dark"].data.astype(float)
            hdr = h[0].header
            eng = h["Dark_Engineering"].data
            per = frames.shape[0] // len(eng)
            for k in range(len(eng)):
                rates.append(frames[k * per:(k + 1) * per].mean() / (hdr["SPA_SIZE"] * hdr["SPE_SIZE"])
                             / (eng["INT_TIME"][k] / 1000))
    return rates


def _ours_darks(paths: list[Path]) -> list[float]:
    from irisplug_iuvs.darks import dark_statistics

    return list(dark_statistics(paths, quiet=True)["dn_per_s"])


def _time(fn, *args) -> float:
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 9")
    args = parser.parse_args()
    repeats = 3 if args.quick else 9
    repo = Path(__file__).resolve().parents[1]
    data = Path(os.environ.get("IRISPLUG_IUVS_DATA", repo.parent / "shared" / "data" / "iuvs"))
    files = sorted(data.glob("mvn_iuv_l1b_*.fits.gz"))
    if not files:
        print(f"no IUVS L1B files in {data}; set IRISPLUG_IUVS_DATA")
        return
    scratch = repo / "benchmarks" / "_scratch" / "iuvs"
    scratch.mkdir(parents=True, exist_ok=True)
    plain = []
    for f in files:
        out = scratch / f.name.removesuffix(".gz")
        out.write_bytes(gzip.decompress(f.read_bytes()))
        plain.append(out)
    try:
        # warm-up (imports, caches) for both
        for p in files + plain:
            _ours_read(p)
            _peer_read(p)
        assert np.allclose(sorted(_ours_darks(files)), sorted(_peer_darks(files)), rtol=1e-12)
        cases = {"read .fits.gz": files, "read .fits (memmap)": plain, "dark_statistics": None}
        results = {}
        for label, paths in cases.items():
            ours_t, peer_t = [], []
            for _ in range(repeats):
                if paths is None:
                    ours_t.append(_time(_ours_darks, files))
                    peer_t.append(_time(_peer_darks, files))
                else:
                    ours_t.append(sum(_time(_ours_read, p) for p in paths))
                    peer_t.append(sum(_time(_peer_read, p) for p in paths))
            results[label] = (statistics.median(ours_t), statistics.median(peer_t))
        print(f"IUVS L1B, {len(files)} real files, {repeats} interleaved repeats (medians)")
        print(f"{'case':24s} {'irisplug [s]':>13s} {'astropy [s]':>12s} {'ours/peer':>10s}")
        for label, (o, p) in results.items():
            print(f"{label:24s} {o:13.4f} {p:12.4f} {o / p:10.2f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
