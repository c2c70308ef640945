"""Exposure times on a UTC day with a leap second (2016-12-31 had 86401 s).

References: astropy's ``Time(STARTOBS) + (TIME + EXPTIMEF / 2) * u.s`` on the generated files' header and aux
table (astropy adds elapsed seconds through TAI), and ``Time.to_datetime(leap_second_strict="silent")`` for a time
inside the leap second converted to numpy's datetime64, which has none.
"""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time

import irisplug
from irisplug.errors import LeapSecondWarning
from irisplug.model import to_xarray

WINDOW = "Si IV 1403"


def _file(dest, startobs: str, offsets: list[float]):
    from irisplug_iris.generator import generate

    (path,) = generate(dest, quiet=True, n_rasters=1, n_steps=len(offsets), n_y=8, windows=(WINDOW,), sji=(),
                       startobs=startobs, missing=False)
    with fits.open(path, mode="update") as hdul:
        hdul[-2].data[:, hdul[-2].header["TIME"]] = offsets
    return path


def _expected(path) -> Time:
    with fits.open(path) as hdul:
        aux, ah = hdul[-2].data, hdul[-2].header
        return Time(hdul[0].header["STARTOBS"], scale="utc") + (aux[:, ah["TIME"]] + aux[:, ah["EXPTIMEF"]] / 2) * u.s


def _cube(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return irisplug.read(path)[WINDOW][0]


@pytest.mark.parametrize("startobs", ["2016-12-31T10:00:00.000", "2016-12-30T10:00:00.000"])
def test_exposure_times_count_elapsed_seconds_across_a_leap_second_day(tmp_path, startobs):
    path = _file(tmp_path, startobs, [0.0, 20000.0, 50390.0, 50500.0])
    want = _expected(path)
    cube = _cube(path)
    for got in (cube.extra_coord("time"), cube.axis_world_coords("time")[0]):
        assert np.abs((got - want).to_value(u.s)).max() < 1e-3


def test_a_midpoint_inside_the_leap_second_reaches_xarray_with_a_warning(tmp_path):
    path = _file(tmp_path, "2016-12-31T23:59:55.900", [0.17, 8.57, 16.97])
    want = _expected(path)
    assert want[0].ymdhms["second"] >= 60  # 23:59:60.x
    cube = _cube(path)
    assert np.abs((cube.extra_coord("time") - want).to_value(u.s)).max() < 1e-3
    with pytest.warns(LeapSecondWarning, match="1 of the exposure times"):
        ds = to_xarray(cube)
    expected = np.array([np.datetime64(d, "ns") for d in want.to_datetime(leap_second_strict="silent")])
    got = ds["time"].values.astype("datetime64[ns]")
    assert np.abs((got - expected).astype(np.int64)).max() < 1000  # to_datetime has microseconds
