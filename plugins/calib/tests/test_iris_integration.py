"""The steps on real IRIS level-2 objects read by irisplug (skipped without the IRIS reader)."""

from __future__ import annotations

from pathlib import Path

import astropy.units as u
import numpy as np
import pytest

import irisplug

irispy_files = pytest.importorskip("irisplug_iris.irispy_files")


@pytest.fixture(scope="module")
def sns_raster() -> Path:
    """The sit-and-stare raster file of irispy-lmsal's test data, located by content."""
    (path,) = irispy_files.require_files(obsid=irispy_files.SNS_OBSID, kind="raster")
    return path


@pytest.fixture(scope="module")
def window(sns_raster):
    try:
        obs = irisplug.read(sns_raster)
    except irisplug.UnknownFormatError:
        pytest.skip("no IRIS reader installed")
    return obs["C II 1336"]


def test_exposure_norm_matches_header_exposure_times(window, sns_raster):
    from astropy.io import fits

    cube = window.data[0]
    out = irisplug.calibrate(window, ["exposure-norm"]).data[0]
    with fits.open(sns_raster) as h:  # exposure times straight from the auxiliary extension (independent of the reader)
        aux = h[-2]  # the auxiliary image: keyword EXPTIMEF is the column of the FUV exposure times
        exptime = aux.data[:, aux.header["EXPTIMEF"]]
    got = np.asarray(out.data[:, 20, 5])
    ref = np.asarray(cube.data[:, 20, 5]) / exptime
    np.testing.assert_allclose(got, ref, rtol=1e-5)
    assert out.unit == cube.unit / u.s


def test_radiometric_on_iris_window(window, sns_raster):
    from astropy.io import fits

    from irisplug_iris.radiometric import radiance_factor

    # plate scale and dispersion from the file (irispy-lmsal 0.9 corrected them for the 10x down-sampling)
    with fits.open(sns_raster) as h:
        hdu = next(i for i in range(1, h[0].header["NWIN"] + 1) if h[0].header[f"TDESC{i}"] == "C II 1336")
        dispersion, plate_scale = h[hdu].header["CDELT1"], h[hdu].header["CDELT2"]

    out = irisplug.calibrate(window, ["iris-radiometric"]).data[0]
    params = irisplug.history(out)[-1]["params"]
    assert out.unit == u.erg / u.s / u.sr / u.cm**2 / u.AA
    assert params["plate_scale_arcsec"] == pytest.approx(plate_scale) and params["dispersion_A"] == pytest.approx(dispersion, rel=1e-4)
    cube = window.data[0]
    wl = np.asarray(cube.axis_world_coords(2)[0].to_value(u.AA)).ravel()
    f = radiance_factor(wl, cube.meta["DATE_OBS"], "FUV", dispersion=params["dispersion_A"], plate_scale=plate_scale)
    norm = irisplug.calibrate(window, ["exposure-norm"]).data[0]
    np.testing.assert_allclose(np.asarray(out.data[3, 20]), np.asarray(norm.data[3, 20]) * f.value, rtol=1e-6)
