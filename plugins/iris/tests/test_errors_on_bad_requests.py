"""Reasonable mistakes on real IRIS data raise a specific ``IrisplugError`` that says what there is.

core.md: every error on bad input derives from ``IrisplugError``. Index-taking methods raise
``IndexOutOfRangeError`` (also an ``IndexError``), window labels ``UnknownWindowError`` (also a
``KeyError``, so mapping access keeps its semantics), wavelengths outside a window
``WavelengthOutOfRangeError`` (also a ``ValueError``); ``windows=`` of the reader skips nothing silently.
"""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pytest

import irisplug
from irisplug.errors import (
    IndexOutOfRangeError,
    UnknownCoordinateError,
    UnknownWindowError,
    WavelengthOutOfRangeError,
)
from irisplug.model import extra_coord


@pytest.fixture(scope="module")
def obs(raster_dir, raster_sji_files, sns_files):
    """The 8-step raster observation with a slit-jaw cube (its own, or else the sit-and-stare's SJI 1400)."""
    from irisplug_iris.irispy_files import find_files

    sji = [p for p in raster_sji_files if "SJI_1400" in p.name] or find_files(obsid="3620258102", window="SJI_1400")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obs = irisplug.read(raster_dir)
        sji_cube = irisplug.read(sji[0])["SJI_1400"]
    # one observation object holding both (the sit-and-stare SJI's times are far away, which is fine here)
    from irisplug.model import Observation

    return Observation({**{k: obs[k] for k in obs}, "SJI_1400": sji_cube}, meta=dict(obs.meta))


# (name, call) for every public index-taking method, with an index out of range
OUT_OF_RANGE = {
    "sji.frame(n)": lambda o: o["SJI_1400"].frame(o["SJI_1400"].data.shape[0]),
    "sji.frame(-n-1)": lambda o: o["SJI_1400"].frame(-o["SJI_1400"].data.shape[0] - 1),
    "sji.at_raster_position(99)": lambda o: o["SJI_1400"].at_raster_position(99),
    "cube.at_raster_position(nrasterp)": lambda o: o["Si IV 1403"][0].at_raster_position(8),
    "seq.at_raster_position(nrasterp)": lambda o: o["Si IV 1403"].at_raster_position(8),
    "seq.at_raster_position(-1)": lambda o: o["Si IV 1403"].at_raster_position(-1),
    "obs.sji_frame_at(raster=n)": lambda o: o.sji_frame_at("Si IV 1403", raster=20, step=4, sji="SJI_1400"),
    "obs.sji_frame_at(step=n)": lambda o: o.sji_frame_at("Si IV 1403", raster=2, step=8, sji="SJI_1400"),
}


@pytest.mark.parametrize("call", OUT_OF_RANGE.values(), ids=OUT_OF_RANGE.keys())
def test_index_out_of_range_is_an_irisplug_error_and_an_index_error(obs, call):
    with pytest.raises(IndexOutOfRangeError, match=r"out of range|positions are") as info:
        call(obs)
    assert isinstance(info.value, irisplug.IrisplugError) and isinstance(info.value, IndexError)
    assert re_numbers(str(info.value))  # says what there is


def re_numbers(text: str) -> bool:
    import re

    return bool(re.search(r"\d", text))


def test_in_range_indices_still_work_and_negative_ones_count_from_the_end(obs):
    sji = obs["SJI_1400"]
    n = sji.data.shape[0]
    last = sji.frame(-1)
    assert extra_coord(last, "time") == extra_coord(sji, "time")[n - 1]
    assert obs.sji_frame_at("Si IV 1403", raster=-1, step=-1, sji="SJI_1400").data.shape == sji.data.shape[1:]
    assert obs["Si IV 1403"].at_raster_position(7).data.shape[0] == 13


def test_unknown_window_is_a_key_error_listing_the_windows(obs):
    with pytest.raises(UnknownWindowError, match=r"no window 'Si IV' \(did you mean 'Si IV 1403'\?\).*available: .*"
                                                r"'Mg II k 2796'") as info:
        obs["Si IV"]
    assert isinstance(info.value, KeyError) and isinstance(info.value, irisplug.IrisplugError)
    assert not str(info.value).startswith(("'", '"'))  # not KeyError's repr of the message
    assert "Si IV" not in obs and obs.get("Si IV") is None and obs.get("Si IV", 3) == 3
    assert [] not in obs  # an unhashable key is simply absent
    with pytest.raises(UnknownWindowError, match="not a slit-jaw window"):
        obs.sji_frame_at("Si IV 1403", raster=0, step=0, sji="Mg II k 2796")


@pytest.mark.parametrize("windows, unknown", [(["Si IV"], "'Si IV'"), (["Si IV 1403", "Mg II k"], "'Mg II k'"),
                                              ("Nonexistent", "'Nonexistent'")])
def test_read_refuses_labels_no_file_holds(raster_dir, windows, unknown):
    with pytest.raises(UnknownWindowError, match=rf"no window {unknown}.* in the 13 files read .*available: 'C II 1336'") as info:
        irisplug.read(raster_dir, windows=windows)
    assert info.value.path == str(raster_dir)
    assert isinstance(info.value, KeyError)


def test_read_windows_selects_and_takes_one_label_as_a_string(raster_files):
    assert list(irisplug.read(raster_files[0], windows="Si IV 1403")) == ["Si IV 1403"]
    assert list(irisplug.read(raster_files[0], windows=["Mg II k 2796", "Si IV 1403"])) == ["Si IV 1403", "Mg II k 2796"]
    with pytest.raises(UnknownWindowError, match="in this file") as info:
        irisplug.read(raster_files[0], windows=["SJI_1400"])
    assert info.value.path == str(raster_files[0])


def test_spectroheliogram_takes_a_plain_number_as_angstrom(obs):
    cube = obs["Mg II k 2796"][0]
    a, b = cube.spectroheliogram(2791.0), cube.spectroheliogram(2791.0 * u.AA)
    np.testing.assert_array_equal(np.asarray(a.data), np.asarray(b.data))
    assert a.meta["WAVELNTH"] == b.meta["WAVELNTH"]
    c, d = cube.spectroheliogram(2791.0, width=0.2), cube.spectroheliogram(279.1 * u.nm, width=0.02 * u.nm)
    np.testing.assert_allclose(np.asarray(c.data), np.asarray(d.data))


def test_spectroheliogram_refuses_beyond_half_a_pixel(obs):
    cube = obs["Si IV 1403"][0]
    waves = cube.axis_world_coords("em.wl")[0].to_value(u.AA)
    step = waves[1] - waves[0]
    assert cube.spectroheliogram(waves[-1] + 0.45 * step).meta["WAVELNTH"] == pytest.approx(waves[-1])
    for outside in (waves[-1] + 0.55 * step, waves[-1] + 5 * step, waves[0] - 0.55 * step):
        with pytest.raises(WavelengthOutOfRangeError, match=r"lies outside window 'Si IV 1403' \(pixels "):
            cube.spectroheliogram(outside * u.AA)
    with pytest.raises(ValueError):  # still a ValueError for code written before
        cube.spectroheliogram(float(waves[-1] + 5 * step))


def test_extra_coord_of_a_sequence_gives_every_exposure(obs_sns, obs):
    seq = obs_sns["Mg II k 2796"]  # a one-file sit-and-stare read gives a sequence
    t = extra_coord(seq, "time")
    assert len(t) == sum(c.data.shape[0] for c in seq.data)
    assert np.all(t == extra_coord(seq[0], "time"))
    many = obs["Si IV 1403"]
    e = extra_coord(many, "exposure_time")
    assert e.shape == (13 * 8,) and e.unit == u.s
    assert np.all(extra_coord(many, "raster_position") == np.tile(np.arange(8), 13))
    assert np.all(many.extra_coord("time") == extra_coord(many, "time"))
    with pytest.raises(UnknownCoordinateError, match=r"no per-exposure coordinate 'exptime'.*'exposure_time'") as info:
        extra_coord(seq, "exptime")
    assert isinstance(info.value, KeyError)


@pytest.mark.parametrize("label", ["SJI_1400", "Si IV 1403"])
def test_negative_indices_count_from_the_end_and_a_failed_slice_keeps_the_cube(obs, label):
    """``cube[-1]`` raised astropy's "size is not known" ValueError, and ndcube had taken the cube's sliceable
    meta (every per-exposure value, FILENAME, the levels) off it first: the cube kept no meta afterwards."""
    cube = obs[label] if label.startswith("SJI") else obs[label][0]
    n = cube.data.shape[0]
    keys = set(cube.meta)
    for negative, positive in [(-1, n - 1), ((slice(None), -2), (slice(None), cube.data.shape[1] - 2)),
                               (slice(-3, None), slice(n - 3, n)), ((0, slice(2, -2)), (0, slice(2, cube.data.shape[1] - 2)))]:
        a, b = cube[negative], cube[positive]
        np.testing.assert_array_equal(np.asarray(a.data), np.asarray(b.data))
        np.testing.assert_array_equal(np.asarray(a.data), np.asarray(cube.data)[negative])
        origin = [0.0] * a.data.ndim
        np.testing.assert_allclose(np.asarray(a.wcs.low_level_wcs.pixel_to_world_values(*origin), float),
                                   np.asarray(b.wcs.low_level_wcs.pixel_to_world_values(*origin), float), rtol=1e-12)
    assert extra_coord(cube[-1], "time") == extra_coord(cube, "time")[-1]
    for bad in (n, -n - 1, None):
        with pytest.raises(IndexError):
            cube[bad]
        assert set(cube.meta) == keys  # the cube is whole after a failed slice
    assert extra_coord(cube, "time").shape == (n,)
