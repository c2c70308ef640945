"""The steps on real IRIS level-2 objects read by irisplug (skipped without the IRIS reader)."""

from __future__ import annotations

from pathlib import Path

import astropy.units as u
import numpy as np
import pytest

import irisplug

irispy = pytest.importorskip("irispy")
SNS = Path(irispy.__file__).parent / "data" / "test" / "sns" / "iris_l2_20210905_001833_3620258102_raster_t000_r00000.fits"


@pytest.fixture(scope="module")
def window():
    try:
        obs = irisplug.read(SNS)
    except irisplug.UnknownFormatError:
        pytest.skip("no IRIS reader installed")
    return obs["C II 1336"]


def test_exposure_norm_matches_header_exposure_times(window):
    from astropy.io import fits

    cube = window.data[0]
    out = irisplug.calibrate(window, ["exposure-norm"]).data[0]
    with fits.open(SNS) as h:  # exposure times straight from the auxiliary extension (independent of the reader)
        aux = h[-2]  # the auxiliary image: keyword EXPTIMEF is the column of the FUV exposure times
        exptime = aux.data[:, aux.header["EXPTIMEF"]]
    got = np.asarray(out.data[:, 20, 5])
    ref = np.asarray(cube.data[:, 20, 5]) / exptime
    np.testing.assert_allclose(got, ref, rtol=1e-5)
    assert out.unit == cube.unit / u.s


def test_radiometric_on_iris_window(window):
    from irisplug_iris.radiometric import radiance_factor

    out = irisplug.calibrate(window, ["iris-radiometric"]).data[0]
    params = irisplug.history(out)[-1]["params"]
    assert out.unit == u.erg / u.s / u.sr / u.cm**2 / u.AA
    assert params["plate_scale_arcsec"] == pytest.approx(0.16635) and params["dispersion_A"] == pytest.approx(0.02596, rel=1e-4)
    cube = window.data[0]
    wl = np.asarray(cube.axis_world_coords(2)[0].to_value(u.AA)).ravel()
    f = radiance_factor(wl, cube.meta["DATE_OBS"], "FUV", dispersion=params["dispersion_A"], plate_scale=0.16635)
    norm = irisplug.calibrate(window, ["exposure-norm"]).data[0]
    np.testing.assert_allclose(np.asarray(out.data[3, 20]), np.asarray(norm.data[3, 20]) * f.value, rtol=1e-6)
