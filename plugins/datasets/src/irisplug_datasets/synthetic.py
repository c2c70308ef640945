"""Many small generated observations that differ in pointing, exposure time and null frames (tests, examples, benchmarks).

The observations come from the ``iris-synthetic`` fetcher (real IRIS Level 2
layout); astropy then rewrites each one's recorded exposure times and
pointing in the auxiliary table (the image data stay as generated), so the
reader sees a different pointing and exposure time per observation and, for
every third one, an exposure with zero exposure time (a null frame) besides
the generator's all-missing exposure.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

__all__ = ["make_observations", "vary_observation"]


def vary_observation(directory: str | os.PathLike, *, exptime: float, dx: float, dy: float,
                     zero_exposure: int | None = None) -> None:
    """Rewrite a generated observation's NUV exposure times and pointing in place (astropy).

    Examples
    --------
    >>> vary_observation("obs000", exptime=4.0, dx=120.0, dy=-30.0, zero_exposure=1)  # doctest: +SKIP
    """
    from astropy.io import fits

    for f in sorted(Path(directory).glob("*raster*.fits")):
        with fits.open(f, mode="update") as h:
            aux, col = h[-2].data, h[-2].header  # IRIS aux table: an image, header keyword = column index
            aux[:, col["EXPTIMEN"]] = exptime
            if zero_exposure is not None and zero_exposure < aux.shape[0]:
                aux[zero_exposure, col["EXPTIMEN"]] = 0.0
            aux[:, col["XCENIX"]] += dx
            aux[:, col["YCENIX"]] += dy
            h[0].header["XCEN"] = h[0].header["XCEN"] + dx
            h[0].header["YCEN"] = h[0].header["YCEN"] + dy


def make_observations(root: str | os.PathLike, n: int, *, n_steps: int = 3, n_y: int = 16,
                      windows: tuple[str, ...] = ("Mg II k 2796",), seed: int = 19) -> list[Path]:
    """``n`` generated observations ``root/obsNNN`` (1 or 2 raster files each), all different.

    Examples
    --------
    >>> import tempfile
    >>> dirs = make_observations(tempfile.mkdtemp(), 2, n_steps=2, n_y=8)
    >>> [d.name for d in dirs]
    ['obs000', 'obs001']
    """
    import irisplug

    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        d = Path(root) / f"obs{i:03d}"
        irisplug.fetch("iris-synthetic", d, n_rasters=1 + i % 2, n_steps=n_steps, n_y=n_y, windows=windows, sji=(),
                       obsid=f"38{i:08d}", startobs=f"2014-03-{1 + i % 28:02d}T1{i % 10}:00:00.000", seed=seed + i,
                       quiet=True)
        vary_observation(d, exptime=float(rng.choice([2.0, 4.0, 7.5, 15.0])), dx=float(rng.uniform(-600, 600)),
                         dy=float(rng.uniform(-400, 400)), zero_exposure=1 if i % 3 == 0 else None)
        out.append(d)
    return out
