"""Which data units are already rates, so that exposure normalisation leaves them alone.

Reference: the units' definitions (astropy): the Rayleigh is 1e10/(4 pi) photons m^-2 s^-1 sr^-1, the watt J/s, the
jansky 1e-26 W m^-2 Hz^-1; counts and energies are what an exposure accumulates.
"""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pytest
from astropy.wcs import WCS
from ndcube import NDCube

from irisplug_calib import CalibrationWarning, is_per_second, normalize_exposure


@pytest.mark.parametrize("unit", ["DN / s", "ct / s", "erg / (s cm2 sr Angstrom)", "kR / nm", "R", "mR",
                                  "W / (m2 sr nm)", "Jy", "ph / (cm2 s sr)"])
def test_rates(unit):
    assert is_per_second(unit)
    # the definition: each is some amount per second (astropy decomposes it with a negative power of s)
    assert dict(zip(u.Unit(unit).decompose().bases, u.Unit(unit).decompose().powers, strict=True))[u.s] < 0


@pytest.mark.parametrize("unit", ["DN", "ct", "ph", "electron", "adu", "erg", "J / m2", "G", "Wb", None])
def test_not_rates(unit):
    assert not is_per_second(unit)


def test_a_radiance_in_rayleigh_is_left_alone():
    # an airglow radiance in kR/nm divided by the exposure time came out in kR/(nm s), silently
    cube = NDCube(np.full((2, 3), 6.0), wcs=WCS(naxis=2), unit=u.kR / u.nm, meta={"exposure_time": 2 * u.s})
    with pytest.warns(CalibrationWarning, match="already a rate"):
        out = normalize_exposure(cube)
    assert out.unit == u.kR / u.nm and np.array_equal(out.data, cube.data)
    counts = NDCube(np.full((2, 3), 6.0), wcs=WCS(naxis=2), unit=u.ph, meta={"exposure_time": 2 * u.s})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = normalize_exposure(counts)
    assert got.unit == u.ph / u.s and np.all(got.data == 3.0)
