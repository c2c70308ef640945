"""Reading the real IRIS L2 test files: structure, units, laziness, per-exposure coordinates."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time

import irisplug
from irisplug.model import Observation, RasterCube, RasterSequence, SJICube, extra_coord


def test_raster_observation_structure(obs_raster, raster_files, raster_sji_files):
    assert isinstance(obs_raster, Observation)
    assert obs_raster.meta["OBSID"] == "3860258481"
    seq = obs_raster["Si IV 1403"]
    assert isinstance(seq, RasterSequence)
    assert len(seq.data) == 13
    assert all(isinstance(c, RasterCube) for c in seq.data)
    assert seq[0].data.shape == (8, 109, 29)
    labels = list(obs_raster.windows["label"])
    with fits.open(raster_files[0]) as hdul:
        expected = [hdul[0].header[f"TDESC{i}"] for i in range(1, hdul[0].header["NWIN"] + 1)]
        detectors = [hdul[0].header[f"TDET{i}"] for i in range(1, hdul[0].header["NWIN"] + 1)]
    assert labels[: len(expected)] == expected
    assert list(obs_raster.windows["detector"][: len(expected)]) == detectors
    if raster_sji_files:  # irispy-lmsal 0.9 ships no slit-jaw file of this observation
        assert isinstance(obs_raster["SJI_1400"], SJICube)
        assert "SJI_1400" in labels
    text = obs_raster.info_text()
    assert "3860258481" in text and "Si IV 1403" in text


def test_data_lazy_dn_and_masked(obs_raster, raster_files):
    import dask.array as da

    cube = obs_raster["Si IV 1403"][0]
    assert isinstance(cube.data, da.Array)
    assert cube.unit == u.DN
    path = raster_files[0]
    with fits.open(path) as hdul:
        hdu = next(i for i in range(1, 10) if hdul[0].header[f"TDESC{i}"] == "Si IV 1403")
        ref = hdul[hdu].data
    data = np.asarray(cube.data)
    np.testing.assert_array_equal(data, ref)
    np.testing.assert_array_equal(np.asarray(cube.mask), (ref == -200) | ~np.isfinite(ref))


def test_extra_coords_time_and_exposure(obs_raster, raster_files):
    path = raster_files[4]
    with fits.open(path) as hdul:
        aux, h = hdul[-2].data, hdul[-2].header
        start = Time(hdul[0].header["STARTOBS"])
        t = aux[:, h["TIME"]]
        ef, en = aux[:, h["EXPTIMEF"]], aux[:, h["EXPTIMEN"]]
    fuv = obs_raster["Si IV 1403"][4]
    nuv = obs_raster["Mg II k 2796"][4]
    np.testing.assert_allclose(extra_coord(fuv, "exposure_time").to_value(u.s), ef)
    np.testing.assert_allclose(extra_coord(nuv, "exposure_time").to_value(u.s), en)
    dt = (extra_coord(fuv, "time") - (start + (t + ef / 2) * u.s)).to_value(u.s)
    assert np.abs(dt).max() < 1e-3
    dt = (extra_coord(nuv, "time") - (start + (t + en / 2) * u.s)).to_value(u.s)
    assert np.abs(dt).max() < 1e-3
    # robust to slicing, down to one exposure
    sliced = fuv[2:5, 10:20]
    assert (extra_coord(sliced, "time") - extra_coord(fuv, "time")[2:5]).to_value(u.s).max() == 0
    one = fuv[3]
    assert extra_coord(one, "exposure_time").isscalar
    assert extra_coord(one, "raster_position") == 3
    assert extra_coord(fuv, "repeat").tolist() == [4] * 8
    with pytest.raises(KeyError, match="has"):
        extra_coord(fuv, "nonsense")


def test_sit_and_stare(obs_sns):
    seq = obs_sns["Si IV 1403"]
    cube = seq[0]
    assert cube.wcs.low_level_wcs.is_sit_and_stare
    world = cube.wcs.pixel_to_world(3, 4, [0.2, 100.3])
    back = cube.wcs.world_to_pixel(*world)
    np.testing.assert_allclose(np.array(back), [[3, 3], [4, 4], [0.2, 100.3]], atol=1e-6)
    assert "overview" in obs_sns.meta
    assert set(np.unique(extra_coord(cube, "raster_position"))) == {0}


def test_read_lazy_false_equal(raster_files):
    obs = irisplug.read(raster_files[:1], lazy=False)
    cube = obs["C II 1336"][0]
    assert isinstance(cube.data, np.ndarray)
    lazy = irisplug.read(raster_files[:1])["C II 1336"][0]
    np.testing.assert_array_equal(cube.data, np.asarray(lazy.data))


def test_sunraster_sequence_slicing(obs_raster):
    seq = obs_raster["Si IV 1403"]
    assert seq.raster_instrument_axes_types == ("raster scan", "slit step", "position along slit", "spectral")
    sns = seq.slice_as_sns[10:30]
    assert list(sns.cube_like_shape) == [20, 109, 29]
    assert seq.slice_as_raster[1:3, 2:5].shape == (2, 3, 109, 29)
    assert len(seq.time) == 13 * 8
    assert seq.exposure_time.unit == u.s
