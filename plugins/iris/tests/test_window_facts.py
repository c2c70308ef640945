"""The reader puts the window's rest wavelength and the SJI passband into the documented metadata keys."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits

import irisplug
from irisplug.model import passband, rest_wavelength

# Published values, independent of the plugin's table: NIST ASD vacuum wavelengths; SJI FWHM
# 55 A (FUV) and 4 A (NUV) from De Pontieu et al. 2014, Sol. Phys. 289, 2733, Table 2.
_NIST = {"Si IV": (1393.755, 1402.770), "C II": (1334.532, 1335.708), "Mg II": (2796.352, 2803.530),
         "O I": (1355.598,), "Fe XII": (1349.40,)}


def test_raster_windows_carry_the_rest_wavelength_of_their_line(obs_raster, raster_dir):
    primary = fits.getheader(sorted(raster_dir.glob("*.fits"))[0])
    labels = {str(primary[f"TDESC{w}"]).strip(): w for w in range(1, int(primary["NWIN"]) + 1)}
    checked = 0
    for label, w in labels.items():
        rest = rest_wavelength(obs_raster[label])
        ion = next((ion for ion in _NIST if label.startswith(ion)), None)
        if ion is None:
            assert rest is None, label  # numeric-only labels name no line
            continue
        if rest is None:  # a window of several lines (e.g. "Mg II h&k 2800") names no single rest wavelength
            continue
        assert rest.unit == u.AA
        assert min(abs(rest.value - ref) for ref in _NIST[ion]) < 1e-3, label
        assert primary[f"TWMIN{w}"] <= rest.value <= primary[f"TWMAX{w}"], label  # inside the window (file header)
        checked += 1
    assert checked >= 3


def test_sji_cubes_carry_their_passband():
    """Every slit-jaw test file (found by content: the sets differ between irispy-lmsal releases)."""
    import warnings

    from irisplug_iris.irispy_files import require_files

    for path in require_files(kind="sji"):
        twave = float(fits.getheader(path)["TWAVE1"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obs = irisplug.read(path)
        cube = obs[next(k for k in obs.keys() if k.startswith("SJI"))] if hasattr(obs, "keys") else obs
        half = 27.5 if twave < 2000 else 2.0
        np.testing.assert_allclose(passband(cube).to_value(u.AA), [twave - half, twave + half])


def test_keys_are_validated():
    with pytest.raises(ValueError, match="passband"):
        irisplug.model.with_levels({}, passband=[1400.0, 1300.0] * u.AA)
    with pytest.raises(ValueError, match="rest_wavelength"):
        irisplug.model.with_levels({}, rest_wavelength=3 * u.s)
