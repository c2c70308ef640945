"""Every per-frame map carries its own exposure time and date, checked against the aux tables read with astropy.

A slit-jaw file's primary ``EXPTIME`` is an average over its frames (3.727 s for the 2014-03-29 SJI 1400 file,
whose frames were exposed 8 s, 0 s, 3.457 s, ...): a map that kept it gave ``map.data / map.exposure_time``
off by a factor of two. The expected values here come from the files themselves (``astropy.io.fits``), never
from irisplug's per-exposure coordinates.
"""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time, TimeDelta

from irisplug_iris.irispy_files import RASTER_OBSID, find_files, require_files


def _aux(hdul):
    hdu = next(h for h in hdul[1:] if "XCENIX" in h.header)
    return hdu.data, hdu.header


def _frame_rows(n_rows: int, n_frames: int) -> np.ndarray:
    """The aux row of each frame: every row, or the end-point aligned subset of a down-sampled test file."""
    if n_rows == n_frames:
        return np.arange(n_frames)
    return np.rint(np.arange(n_frames) * (n_rows - 1) / max(n_frames - 1, 1)).astype(int)


def _read(path):
    import irisplug

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the down-sampled test files' aux tables (see irisplug_iris.aux)
        return irisplug.read(path)


@pytest.mark.parametrize("path", find_files(kind="sji") or [None], ids=lambda p: getattr(p, "name", "none"))
def test_every_slit_jaw_frame_map_has_the_frames_exposure_time_and_date(path):
    if path is None:
        require_files(kind="sji")
    with fits.open(path) as hdul:
        primary = hdul[0].header
        aux, ah = _aux(hdul)
        n_frames = hdul[0].data.shape[0]
        rows = _frame_rows(aux.shape[0], n_frames)
        exposure = np.asarray(aux[rows, ah["EXPTIMES"]], dtype=float)
        mid = Time(primary["STARTOBS"], scale="utc") + TimeDelta(
            (aux[rows, ah["TIME"]] + aux[rows, ah["EXPTIMES"]] / 2) * u.s)
    (cube,) = _read(path).values()
    assert cube.data.shape[0] == n_frames
    for k in range(n_frames):
        frame = cube.frame(k)
        m = frame.to_map()
        assert m.exposure_time.to_value(u.s) == pytest.approx(exposure[k], rel=1e-6, abs=1e-9), k
        assert m.meta["exptime"] == m.meta["xposure"] == pytest.approx(exposure[k], rel=1e-6, abs=1e-9)
        assert abs((m.date - mid[k]).to_value(u.s)) < 1e-3, k
        # the image cube itself says the same (what the writers copy from its meta)
        assert frame.meta["EXPTIME"] == pytest.approx(exposure[k], rel=1e-6, abs=1e-9)
    if np.ptp(exposure) > 0.01:  # the file's own average is not any frame's: it must be gone everywhere
        odd = int(np.argmax(np.abs(exposure - primary["EXPTIME"])))
        assert cube.frame(odd).to_map().exposure_time.to_value(u.s) != pytest.approx(primary["EXPTIME"], rel=1e-3)


def test_a_null_frame_map_says_zero_seconds():
    """sunpy reads ``XPOSURE or EXPTIME``: a 0 s frame must not fall through to another value."""
    for path in find_files(kind="sji"):
        with fits.open(path) as hdul:
            aux, ah = _aux(hdul)
            rows = _frame_rows(aux.shape[0], hdul[0].data.shape[0])
            nulls = np.flatnonzero(aux[rows, ah["EXPTIMES"]] == 0)
        if nulls.size:
            (cube,) = _read(path).values()
            assert cube.frame(int(nulls[0])).to_map().exposure_time == 0 * u.s
            return
    pytest.skip("no slit-jaw test file with a 0 s frame in this irispy-lmsal")


def test_spectroheliogram_map_has_the_steps_exposure_time():
    """A raster's steps share one exposure time: the map's is their mean, from the window's own aux column."""
    files = require_files(obsid=RASTER_OBSID, kind="raster")
    obs = _read(files[0])
    for label in ("Si IV 1403", "Mg II k 2796"):
        with fits.open(files[0]) as hdul:
            primary = hdul[0].header
            w = next(i for i in range(1, primary["NWIN"] + 1) if primary[f"TDESC{i}"].strip() == label)
            key = "EXPTIMEN" if primary[f"TDET{w}"].strip().upper().startswith("NUV") else "EXPTIMEF"
            aux, ah = _aux(hdul)
            exposure = np.asarray(aux[:, ah[key]], dtype=float)
        cube = obs[label][0]
        waves = cube.axis_world_coords("em.wl")[0].to_value(u.AA)
        img = cube.spectroheliogram(float(waves[len(waves) // 2]))
        m = img.to_map()
        assert np.ptp(exposure) < 0.01 * exposure.max()
        assert m.exposure_time.to_value(u.s) == pytest.approx(exposure.mean(), rel=1e-6)
        assert img.meta["EXPTIME"] == pytest.approx(exposure.mean(), rel=1e-6)


def test_spectroheliogram_of_steps_with_different_exposure_times_has_none():
    """Automatic exposure control: no one value turns the image into a rate, so the map carries none."""
    from irisplug.model import attach_exposure_coords
    from irisplug.model._exposures import exposure_values

    files = require_files(obsid=RASTER_OBSID, kind="raster")
    cube = _read(files[0])["Si IV 1403"][0]
    values = exposure_values(cube)
    n = cube.data.shape[0]
    values["exposure_time"] = np.where(np.arange(n) % 2, 4.0, 8.0) * u.s
    varied = type(cube)(cube.data, wcs=cube.wcs, unit=cube.unit, mask=cube.mask,
                        meta=attach_exposure_coords(dict(cube.meta), values))
    waves = cube.axis_world_coords("em.wl")[0].to_value(u.AA)
    img = varied.spectroheliogram(float(waves[5]) * u.AA)
    assert "EXPTIME" not in img.meta and "XPOSURE" not in img.meta
    m = img.to_map()
    assert m.exposure_time is None
    # one step of it is one exposure again
    one = varied.spectroheliogram(float(waves[5]) * u.AA)[3:4].to_map()
    assert one.exposure_time == 4.0 * u.s
