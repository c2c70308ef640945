"""
Write and read irisplug's own FITS and ASDF files
=================================================

A generated IRIS observation with photon-noise uncertainties, and a small
collection of maps, written with the ``fits`` and ``asdf`` writers of the
irisplug-io plugin and read back with ``irisplug.read``: values, masks,
uncertainties and world coordinates come back identical. The ASDF file is
also opened with asdf alone: its ``object`` is a plain ndcube object
(ndcube's and asdf-astropy's converters, irisplug's tag for the
per-exposure WCS).

Run: ``python examples/io_write_read.py [OUTPUT_DIR]``
"""

import sys
import tempfile
import warnings
from pathlib import Path

import asdf
import astropy.units as u
import numpy as np
from astropy.nddata import VarianceUncertainty
from astropy.wcs import WCS
from ndcube import NDCollection, NDCube

import irisplug

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="io-write-read-"))
files = irisplug.fetch("iris-synthetic", out / "data")  # small: a few MB
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the generator's deliberately short aux tables
    obs = irisplug.read(files, uncertainty=True)

###############################################################################
# One sliced raster step (per-exposure WCS, StdDevUncertainty) to FITS and ASDF.
cube = obs["Si IV 1403"][0][2:5, 10:40, :]
for suffix in (".fits", ".asdf"):
    path = irisplug.write(cube, out / f"si_iv{suffix}")
    back = irisplug.read(path)
    assert type(back).__name__ == "RasterCube"
    np.testing.assert_array_equal(np.asarray(back.data), np.asarray(cube.data))
    np.testing.assert_array_equal(np.asarray(back.uncertainty.array), np.asarray(cube.uncertainty.array))
    world = back.wcs.low_level_wcs.pixel_to_world_values(3, 5, 1)
    np.testing.assert_allclose(world, cube.wcs.low_level_wcs.pixel_to_world_values(3, 5, 1), rtol=1e-12)
    print(f"{path.name}: {path.stat().st_size / 1e3:.0f} kB, {type(back.uncertainty).__name__}, "
          f"world at pixel (3, 5, 1): {[float(w) for w in world]}")

###############################################################################
# The whole observation: FITS reads back lazily (dask), window by window.
path = irisplug.write(obs, out / "obs.fits")
back = irisplug.read(path)
print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB, windows {list(back)}")

###############################################################################
# Maps (an NDCollection with a FITS WCS; integer members keep their dtype).
w = WCS(naxis=2)
w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN"]
w.wcs.cunit = ["arcsec", "arcsec"]
w.wcs.cdelt = [0.35, 0.17]
w.wcs.crval = [-120.0, 310.0]
rng = np.random.default_rng(0)
maps = NDCollection([
    ("velocity", NDCube(rng.normal(0, 5, (4, 6)), wcs=w, unit=u.km / u.s,
                        uncertainty=VarianceUncertainty(np.full((4, 6), 0.25), unit=u.km**2 / u.s**2))),
    ("status", NDCube(rng.integers(0, 3, (4, 6)).astype(np.uint8), wcs=w)),
], aligned_axes="all")
for suffix in (".fits", ".asdf"):
    back = irisplug.read(irisplug.write(maps, out / f"maps{suffix}"))
    assert list(back) == ["velocity", "status"] and back["status"].data.dtype == np.uint8
    np.testing.assert_array_equal(back["velocity"].data, maps["velocity"].data)

###############################################################################
# The ASDF file with asdf alone: a plain ndcube NDCollection.
with asdf.open(out / "maps.asdf") as af:
    plain = af.tree["irisplug"]["object"]
    print(type(plain).__name__, list(plain), type(plain["velocity"].uncertainty).__name__)
print(f"files in {out}")
