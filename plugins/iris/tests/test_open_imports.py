"""The first ``irisplug.read`` of an IRIS file imports only what opening needs (a guard on the mechanism, not a timing).

Opening checks headers and the aux table; astropy (time, units, coordinates, WCS), sunpy, ndcube, dask and the
write/calibration dispatch are imported when a window is built. These tests run the open in a fresh process and
look at ``sys.modules``; the values that the deferred work computes are compared with astropy's, read
from the file independently.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time

from irisplug.errors import CorruptFileError
from irisplug_iris.checks import _AXIS_UNITS, _PLAIN_UNITS, check_time, check_time_text

#: top-level packages the open must not import (each one costs 0.05-1 s in a fresh process)
HEAVY = {"astropy", "erfa", "sunpy", "ndcube", "sunraster", "dask", "gwcs", "matplotlib", "scipy", "numba", "reproject"}
#: our modules and the standard library modules of other paths (write, calibrate, archives, downloads)
NOT_ON_THE_OPEN_PATH = {"irisplug.dispatch.write", "irisplug.dispatch.calibrate", "irisplug.dispatch.methods",
                        "irisplug.atomic", "irisplug.provenance", "irisplug.model.cubes", "irisplug.model.wcs",
                        "irisplug_iris.decode", "irisplug_iris.cube_build", "irisplug_iris.writers", "irisplug.sources_fetch", "tarfile", "zipfile", "hashlib", "gzip",
                        "queue", "difflib", "uuid"}

_CHILD = """
import json, sys, warnings
warnings.simplefilter("ignore")
import numpy  # a session that reads data has numpy; numpy 1.26's import also loads numpy.random -> secrets -> hashlib
import irisplug
irisplug.get_plugin_manager().contributions("reader")
before = set(sys.modules)
obs = irisplug.read(sys.argv[1:])
new = sorted(set(sys.modules) - before)
labels = list(obs)
built_at_open = [obs.is_built(k) for k in labels]
from irisplug.model import extra_coord
values = {}
for label in labels:
    item = obs[label]
    cube = item[0] if type(item).__name__ == "RasterSequence" else item
    m = cube.meta
    values[label] = {
        "time": [t.isot for t in extra_coord(cube, "time")],
        "exposure_time": extra_coord(cube, "exposure_time").to_value("s").tolist(),
        "levels": {k: (str(m[k]) if k in m else None) for k in ("missing_value", "valid_min", "instrumental_fwhm",
                                                               "rest_wavelength", "passband", "colormap")},
        "keys": list(m.keys()),
        "filename": m["FILENAME"],
    }
print(json.dumps({"new": new, "labels": labels, "built_at_open": built_at_open, "values": values}))
"""


def _open_in_fresh_process(paths) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, *map(str, paths)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _expected_times(path, label):
    """Exposure mid-times and exposure times of window ``label`` (or the SJI) from the file, by astropy."""
    with fits.open(path) as hdul:
        primary = hdul[0].header
        aux_hdu = next(h for h in hdul[1:] if "XCENIX" in h.header)
        aux, h = aux_hdu.data, aux_hdu.header
        if primary["INSTRUME"].strip() == "SJI":
            key = "EXPTIMES"
        else:
            w = next(i for i in range(1, primary["NWIN"] + 1) if primary[f"TDESC{i}"].strip() == label)
            key = "EXPTIMEN" if primary[f"TDET{w}"].strip().upper().startswith("NUV") else "EXPTIMEF"
        start = Time(primary["STARTOBS"], scale="utc")
        t, exp = aux[:, h["TIME"]], aux[:, h[key]]
    return start + (t + exp / 2) * u.s, exp


def test_first_read_of_a_raster_imports_nothing_heavy_and_values_are_right(raster_files):
    """A raster of the real 8-step observation: the open imports numpy and the reader only; built later, the
    exposure times and mid-times match astropy's reading of the aux table."""
    path = raster_files[0]
    r = _open_in_fresh_process([path])
    top = {m.split(".")[0] for m in r["new"]}
    assert not top & HEAVY, f"the first read imported {sorted(top & HEAVY)}"
    assert not set(r["new"]) & NOT_ON_THE_OPEN_PATH, f"the first read imported {sorted(set(r['new']) & NOT_ON_THE_OPEN_PATH)}"
    assert r["labels"] and not any(r["built_at_open"])
    for label, v in r["values"].items():
        times, exp = _expected_times(path, label)
        np.testing.assert_allclose(v["exposure_time"], exp)
        assert np.abs((Time(v["time"], scale="utc") - times).to_value(u.s)).max() < 1e-3
        # the data-quality keys, added when the window is built (Quantities need astropy.units)
        assert v["levels"]["missing_value"] == str(-200.0 * u.DN)
        assert v["levels"]["valid_min"] == str(-100.0 * u.DN)
        assert v["levels"]["instrumental_fwhm"] is not None
        assert v["filename"] == path.name


def test_first_read_of_a_slit_jaw_file_imports_nothing_heavy(raster_sji_files):
    if not raster_sji_files:
        pytest.skip("this irispy-lmsal release ships no slit-jaw file of the 8-step raster")
    path = raster_sji_files[0]
    r = _open_in_fresh_process([path])
    top = {m.split(".")[0] for m in r["new"]}
    assert not top & HEAVY, f"the first read imported {sorted(top & HEAVY)}"
    assert not set(r["new"]) & NOT_ON_THE_OPEN_PATH
    ((label, v),) = r["values"].items()
    times, exp = _expected_times(path, label)
    n = len(v["exposure_time"])
    if n == len(exp):  # down-sampled test files pick aux rows (tested in test_read_real); compare when they agree
        np.testing.assert_allclose(v["exposure_time"], exp)
        assert np.abs((Time(v["time"], scale="utc") - times).to_value(u.s)).max() < 1e-3
    assert v["levels"]["missing_value"] == str(-200.0 * u.DN)
    assert v["levels"]["passband"] is not None  # TWAVE1 of a slit-jaw file is a known passband
    # the level keys come before DECONVOLVED, as they did when they were set at open
    keys = v["keys"]
    if "DECONVOLVED" in keys:
        assert keys.index("missing_value") < keys.index("DECONVOLVED")


@pytest.mark.parametrize("text", [
    "2014-03-29T14:09:38.250", "2014-03-29 14:09:38", "2013-07-17T00:00:00.0", "2024-02-29T23:59:59.999",
    "2014-02-30T00:00:00", "2014-13-01T00:00:00", "2014-03-29T24:00:00", "2014-03-29T14:60:00",
    "2016-12-31T23:59:60.5", "2014-03-29T14:09:38Z", "2014-03-29T14:09:38.", "2014-03-29", "1955-01-01T00:00:00",
    "2040-01-01T00:00:00", "garbage", "", "2014-03-29T14:09:38.25x",
])
def test_time_check_without_astropy_agrees_with_astropy(text):
    """check_time_text passes exactly what check_time (astropy Time) passes, and raises where it raises."""
    def verdict(check):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                check(text, "STARTOBS", "f.fits")
            except CorruptFileError as exc:
                return str(exc)
        return None

    assert verdict(check_time_text) == verdict(check_time)


def test_units_accepted_without_astropy_are_units_of_the_axis_kind():
    for kind, names in _PLAIN_UNITS.items():
        for name in names:
            assert u.Unit(name).is_equivalent(_AXIS_UNITS[kind]), (kind, name)
