"""Write the golden files of irisplug's own FITS/ASDF record format, and their expected values.

Run from the repository root with the writers whose files are to be frozen:

    python plugins/io/tests/data/make_golden.py plugins/io/tests/data --format-version 2

The files in this folder were made so:

- ``v2_*``: format version 2, written by the writers as they were in the IRIS
  plugin (``irisplug_iris.writers``, commit 026b0be) before the move to
  irisplug-io, through ``irisplug.write``.
- ``v3_*``: ASDF format version 3 (cubes through ndcube's converters), written
  by irisplug-io's ``asdf`` writer when it was introduced (FITS stayed at 2).
- ``v1_*``: format version 1 (before uncertainties were stored), written by
  the writers of commit fcde3cb, run with that commit's core and IRIS plugin
  (``git archive fcde3cb irisplug plugins/iris/src | tar -x -C old/`` then
  ``PYTHONPATH=old:old/plugins/iris/src python make_golden.py ... --format-version 1``).

Each ``<name>.fits`` / ``<name>.asdf`` has a ``<name>.expected.npz`` beside it: every cube's
data, mask, uncertainty array, and world coordinates (``pixel_to_world_values``
at a few pixels, whole and fractional) computed from the objects in memory
before writing, by ndcube/astropy/gwcs, plus ``info`` (JSON: per cube the
class, unit, uncertainty class and unit, label; the object's kind).

Objects are small (a few KB each): slices of the synthetic IRIS observation
(``iris-synthetic`` fetcher: per-exposure WCS, per-exposure coordinates,
provenance), hand-made maps with a FITS WCS and integer/boolean members, and
(version 2 only) cubes with a gwcs.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import warnings
from pathlib import Path

import numpy as np


def iter_cubes(obj):
    """Every NDCube of ``obj`` in the order the writers store them."""
    from ndcube import NDCube, NDCubeSequence

    if isinstance(obj, NDCube):
        yield "", obj
    elif isinstance(obj, NDCubeSequence):
        for c in obj.data:
            yield "", c
    else:
        for key, item in obj.items():
            for _, c in iter_cubes(item):
                yield key, c


def pixel_points(shape):
    """Pixel coordinates (WCS order) at which world coordinates are recorded: corners, centre, fractional."""
    n = len(shape)
    rows = [[0.0] * n, [s - 1.0 for s in shape], [(s - 1) / 2.0 for s in shape], [min(s - 1, 0.25 + k) for k, s in enumerate(shape)]]
    return np.array([r[::-1] for r in rows])  # numpy order -> WCS (pixel) order


def expected(obj, kind):
    arrays, info = {}, {"kind": kind, "cubes": []}
    for i, (label, cube) in enumerate(iter_cubes(obj)):
        arrays[f"c{i}_data"] = np.asarray(cube.data)
        if cube.mask is not None:
            arrays[f"c{i}_mask"] = np.broadcast_to(np.asarray(cube.mask, bool), np.shape(cube.data))
        unc = cube.uncertainty
        if unc is not None:
            arrays[f"c{i}_uncertainty"] = np.asarray(unc.array)
        pix = pixel_points(np.shape(cube.data))
        world = cube.wcs.low_level_wcs.pixel_to_world_values(*pix.T)
        world = world if isinstance(world, (list, tuple)) else [world]
        arrays[f"c{i}_pixels"] = pix
        arrays[f"c{i}_world"] = np.array([np.asarray(w, float) for w in world])
        info["cubes"].append({
            "label": label, "class": type(cube).__name__, "unit": None if cube.unit is None else cube.unit.to_string(),
            "dtype": np.asarray(cube.data).dtype.str,
            "uncertainty": None if unc is None else {"class": type(unc).__name__,
                                                      "unit": None if unc.unit is None else unc.unit.to_string()},
            "world_axis_physical_types": list(cube.wcs.world_axis_physical_types),
        })
    arrays["info"] = np.array(json.dumps(info))
    return arrays


def iris_objects(with_uncertainty):
    """A sliced raster cube, a small raster sequence and an observation from the synthetic IRIS files."""
    import irisplug
    from irisplug.model import Observation, RasterSequence

    tmp = tempfile.mkdtemp()
    files = irisplug.fetch("iris-synthetic", tmp)
    kw = {"uncertainty": True} if with_uncertainty else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obs = irisplug.read(files, **kw)
        seq = obs["Si IV 1403"]
        cubes = [c[0:3, 20:30, 10:26] for c in seq.data]
        small = RasterSequence(cubes, common_axis=0, meta=dict(seq.meta or {}))
        sji_label = next(k for k in obs if k.startswith("SJI"))
        sji = obs[sji_label][0:3, 20:36, 20:36]
        observation = Observation({"Si IV 1403": small, sji_label: sji}, meta=dict(obs.meta))
    return {"raster": seq.data[1][1:4, 18:30, 8:28], "sequence": small, "observation": observation}


def maps(with_uncertainty):
    """An NDCollection of fit-like maps with a FITS WCS: float64 with NaN, float32, int32, uint8; a mask; Time meta."""
    import astropy.units as u
    from astropy.nddata import VarianceUncertainty
    from astropy.time import Time
    from astropy.wcs import WCS
    from ndcube import NDCollection, NDCube

    w = WCS(naxis=2)
    w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN"]
    w.wcs.cunit = ["arcsec", "arcsec"]
    w.wcs.cdelt = [0.35, 0.1664]
    w.wcs.crpix = [4.0, 3.0]
    w.wcs.crval = [-120.5, 310.25]
    w.wcs.pc = [[0.9998, -0.02], [0.02, 0.9998]]
    w.wcs.dateobs = "2014-03-29T14:09:38.000"
    rng = np.random.default_rng(17)
    shape = (5, 7)
    vel = rng.normal(0, 8, shape)
    vel[0, 0] = np.nan
    status = rng.integers(0, 7, shape).astype(np.uint8)
    unc = VarianceUncertainty(rng.uniform(0.5, 2.0, shape), unit=u.km**2 / u.s**2) if with_uncertainty else None
    items = [
        ("si_iv.velocity", NDCube(vel, wcs=w, unit=u.km / u.s, mask=status != 0, uncertainty=unc,
                                  meta={"rest_wavelength": 1402.77, "line": "Si IV 1403"})),
        ("si_iv.intensity", NDCube(rng.uniform(0, 1e4, shape).astype(np.float32), wcs=w, unit=u.DN * u.AA / u.s,
                                   meta={"exptime": 8.0 * u.s})),
        ("niter", NDCube(rng.integers(-5, 200, shape).astype(np.int32), wcs=w)),
        ("status", NDCube(status, wcs=w, meta={"status_codes": "0=converged"})),
    ]
    meta = {"template": "si_iv", "obs_start": Time("2014-03-29T14:09:38.52"),
            "irisplug_history": [{"step": "fit", "plugin": "golden", "version": "0", "time": "2026-12-06T00:00:00",
                                  "params": {"template": "si_iv"}}]}
    return NDCollection(items, aligned_axes="all", meta=meta)


def gwcs_cubes():
    """An NDCollection of a (spectral, y, x)-like cube with a gwcs, whole and sliced, InverseVariance uncertainty."""
    import astropy.units as u
    from astropy import coordinates as coord
    from astropy.modeling import models
    from astropy.nddata import InverseVariance
    from gwcs import coordinate_frames as cf
    from gwcs import wcs as gw
    from ndcube import NDCollection, NDCube

    forward = (models.Shift(-2) | models.Scale(0.5)) & (models.Shift(-1) | models.Scale(0.25)) & (models.Scale(2.0) | models.Shift(1100.0))
    pixel = cf.CoordinateFrame(naxes=3, axes_type=("PIXEL",) * 3, axes_order=(0, 1, 2), name="pixel",
                               unit=(u.pix,) * 3, axes_names=("i", "j", "k"))
    sky = cf.CelestialFrame(reference_frame=coord.ICRS(), axes_order=(0, 1), unit=(u.deg, u.deg), name="sky")
    spec = cf.SpectralFrame(axes_order=(2,), unit=(u.nm,), name="spectral", axes_names=("wavelength",))
    world = cf.CompositeFrame([sky, spec], name="world")
    wcs = gw.WCS([(pixel, forward), (world, None)])
    wcs.pixel_shape = (6, 5, 4)
    rng = np.random.default_rng(3)
    data = rng.uniform(0, 50, (4, 5, 6)).astype(np.float32)
    cube = NDCube(data, wcs=wcs, unit=u.Unit("kR/nm"), uncertainty=InverseVariance(rng.uniform(1, 4, data.shape)),
                  meta={"product": "golden gwcs"})
    return NDCollection([("whole", cube), ("sliced", cube[1:3, :, 2:5])], aligned_axes=None, meta={"source": "make_golden"})


def main() -> None:
    import irisplug

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--format-version", type=int, choices=(1, 2, 3), required=True,
                        help="the version the running writers produce (3: ASDF only; FITS stays at 2)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    v = args.format_version
    objects = {**iris_objects(with_uncertainty=v >= 2), "maps": maps(with_uncertainty=v >= 2)}
    kinds = {"raster": "cube", "sequence": "sequence", "observation": "observation", "maps": "collection"}
    exts = (".asdf",) if v >= 3 else (".fits", ".asdf")
    targets = [(name, obj, ext) for name, obj in objects.items() for ext in exts]
    if v >= 2:
        targets.append(("gwcs", gwcs_cubes(), ".asdf"))
        kinds["gwcs"] = "collection"
    for name, obj, ext in targets:
        path = args.out / f"v{v}_{name}{ext}"
        path.unlink(missing_ok=True)
        irisplug.write(obj, path)
        np.savez_compressed(args.out / f"v{v}_{name}.expected.npz", **expected(obj, kinds[name]))
        print(path, path.stat().st_size)


if __name__ == "__main__":
    main()
