"""Each exposure's SkyCoord carries its own obstime and observer (issue 15).

Expected values come from the files themselves (astropy: STARTOBS and the
auxiliary table's TIME and exposure-time columns) and from sunpy's ephemeris
(the Earth at each exposure, IRIS being in a low Earth orbit), never from the
reader.
"""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time

from irisplug_iris.irispy_files import find_files


def _aux(path, exp_key):
    """STARTOBS, TIME and exposure-time columns of a real file, read with astropy only."""
    with fits.open(path) as hdul:
        start = Time(hdul[0].header["STARTOBS"], scale="utc")
        aux = next(h for h in hdul[1:] if "XCENIX" in h.header)
        table = np.asarray(aux.data, dtype=float)
        return start, table[:, aux.header["TIME"]], table[:, aux.header[exp_key]], hdul[0].header.get("NAXIS3")


def _expected(start, t, exp):
    return start + (t + exp / 2.0) * u.s


def _earth(times):
    from sunpy.coordinates import get_earth

    return get_earth(times)


def _sji_files():
    files = find_files(kind="sji")
    if not files:
        pytest.skip("irispy-lmsal's slit-jaw test files are not installed")
    return files


@pytest.mark.parametrize("which", ["first", "last"])
def test_sji_frame_obstime_and_observer_follow_the_exposure(which):
    import irisplug

    for path in _sji_files():
        start, t, exp, n = _aux(path, "EXPTIMES")
        row, frame = (0, 0) if which == "first" else (len(t) - 1, n - 1)  # end-point aligned rows (down-sampled files)
        want = _expected(start, t[row], exp[row])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (sji,) = [v for v in irisplug.read(path).values()]
        sky, time = sji.wcs.pixel_to_world(0, 0, frame)
        assert abs((sky.obstime - want).to_value(u.s)) < 1e-3, path.name
        assert abs((time - want).to_value(u.s)) < 1e-3
        for img in (sji[frame], sji.frame(frame)):
            sc = img.wcs.pixel_to_world(0, 0)
            assert abs((sc.obstime - want).to_value(u.s)) < 1e-3
            assert abs((img.axis_world_coords()[0].obstime - want).to_value(u.s)) < 1e-3
        earth = _earth(want)
        assert abs((sky.observer.lat - earth.lat).to_value(u.deg)) < 1e-9
        assert abs((sky.observer.radius - earth.radius).to_value(u.m)) < 1.0
        m = sji.frame(frame).to_map()  # sunpy's Map of the frame: its date and observer are the exposure's
        assert abs((m.date - want).to_value(u.s)) < 1e-3
        assert abs((m.observer_coordinate.radius - earth.radius).to_value(u.m)) < 1.0


def test_late_sji_frame_is_hours_after_startobs():
    """The issue's case: the last frame of the 2014 raster set's SJI 1400 is 3.7 h after STARTOBS."""
    import irisplug

    files = [p for p in find_files(obsid="3860258481", kind="sji") if "1400" in p.name]
    if not files:
        pytest.skip("this irispy-lmsal has no slit-jaw file of the 2014 raster set")
    start, t, exp, _ = _aux(files[0], "EXPTIMES")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (sji,) = list(irisplug.read(files[0]).values())
    sky = sji.axis_world_coords()[0]
    last = _expected(start, t[-1], exp[-1])
    assert (last - start).to_value(u.h) > 3
    assert abs((sky.obstime[-1, 0, 0] - last).to_value(u.s)) < 1e-3
    assert abs((sky.obstime[0, 0, 0] - _expected(start, t[0], exp[0])).to_value(u.s)) < 1e-3


def test_raster_steps_carry_their_own_obstime(raster_files):
    import irisplug

    path = raster_files[4]
    start, t, exp, _ = _aux(path, "EXPTIMEF")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obs = irisplug.read(path)
    label = next(k for k in obs if obs[k][0].meta.get("DETECTOR", "").startswith("FUV"))
    cube = obs[label][0]
    want = _expected(start, t, exp)
    sky = cube.axis_world_coords()[1]  # (step, slit)
    np.testing.assert_allclose((sky.obstime[:, 0] - want).to_value(u.s), 0, atol=1e-3)
    steps = np.arange(cube.shape[0])
    _, sky1, _ = cube.wcs.pixel_to_world(0, 0, steps)
    np.testing.assert_allclose((sky1.obstime - want).to_value(u.s), 0, atol=1e-3)
    earth = _earth(want)
    np.testing.assert_allclose(sky1.observer.radius.to_value(u.m), earth.radius.to_value(u.m), rtol=0, atol=1.0)
    one = cube[3]
    assert abs((one.wcs.pixel_to_world(0, 0)[1].obstime - want[3]).to_value(u.s)) < 1e-3


def test_world_to_pixel_inverts_per_exposure_frames_on_and_off_disk(real_sji_1400):
    """A SkyCoord labelled with its exposure's obstime maps back to its pixel, off the limb too."""
    sji = real_sji_1400
    n = sji.shape[0]
    px = np.array([0.0, 50.0, 100.0, 3.0])
    py = np.array([0.0, 20.0, 100.0, 7.0])
    pt = np.array([0, n - 1, n // 2, n - 1], dtype=float)
    sky, time = sji.wcs.pixel_to_world(px, py, pt)
    back = sji.wcs.world_to_pixel(sky, time)
    np.testing.assert_allclose(back[0], px, atol=1e-6)
    np.testing.assert_allclose(back[1], py, atol=1e-6)
    np.testing.assert_allclose(back[2], pt, atol=1e-6)
    # through ndcube's slicing wrapper (astropy's generic high-level API)
    sub = sji[1:]
    sky, time = sub.wcs.pixel_to_world(px, py, pt - 1 + (pt == 0))
    np.testing.assert_allclose(sub.wcs.world_to_pixel(sky, time)[0], px, atol=1e-6)


def test_frame_transform_matches_sunpy_between_exposures(real_sji_1400):
    """Transforming frame k's coordinates to frame 0's frame is sunpy's own transform of the labelled SkyCoord."""
    from sunpy.coordinates import Helioprojective

    sji = real_sji_1400
    k = sji.shape[0] - 1
    sky_k = sji.frame(k).wcs.pixel_to_world(50, 50)
    f0 = sji.frame(0).wcs.pixel_to_world(0, 0).frame
    expected = sky_k.transform_to(Helioprojective(obstime=f0.obstime, observer=f0.observer))
    # the plain astropy route: frame k's FITS WCS with DATE-OBS and observer of exposure k
    wk = sji.wcs.low_level_wcs.exposure_wcs(k)
    from astropy.wcs.utils import wcs_to_celestial_frame

    frame_k = wcs_to_celestial_frame(wk)
    assert abs((frame_k.obstime - sky_k.obstime).to_value(u.s)) < 1e-3
    again = sky_k.transform_to(frame_k)
    np.testing.assert_allclose(again.Tx.to_value(u.arcsec), sky_k.Tx.to_value(u.arcsec), atol=1e-9)
    assert np.isfinite(expected.Tx.value)
