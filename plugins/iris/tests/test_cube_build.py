"""The Earth-observer positions of a window's exposures: sunpy's, also when remembered from an earlier build."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time
from sunpy.coordinates import get_earth

from irisplug_iris.cube_build import _earth_observers


def _sunpy(startobs: str, mid: np.ndarray) -> np.ndarray:
    e = get_earth(Time(startobs, scale="utc") + mid * u.s)
    return np.stack([e.lon.to_value(u.deg), e.lat.to_value(u.deg), e.radius.to_value(u.m)], axis=1)


def test_observers_equal_sunpy_first_and_again():
    mid = np.array([4.0, 20.5, 3600.25, 86400.0])
    expected = _sunpy("2014-03-29T14:09:38.250", mid)
    first = _earth_observers("2014-03-29T14:09:38.250", mid)
    again = _earth_observers("2014-03-29T14:09:38.250", mid.copy())
    np.testing.assert_array_equal(first, expected)
    np.testing.assert_array_equal(again, expected)
    other = _earth_observers("2014-03-29T14:09:38.250", mid + 1e5)  # other times: not the remembered values
    np.testing.assert_array_equal(other, _sunpy("2014-03-29T14:09:38.250", mid + 1e5))
    with pytest.raises(ValueError):
        first[0, 0] = 0.0  # shared between builds: read-only
    assert _earth_observers("2014-03-29T14:09:38.250", np.array([])).shape == (0, 3)
