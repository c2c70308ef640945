"""The reader puts the window's rest wavelength and the SJI passband into the documented metadata keys."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits

import irisplug
from irisplug.model import passband, rest_wavelength

# Published values, independent of the plugin's table: NIST ASD vacuum wavelengths.
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


def _half_maximum_band(passband_index: int) -> tuple[float, float]:
    """The half-maximum points of an SJI passband's effective area, from the IRIS response arrays.

    Computed here from the response file's own figures (GEOM_AREA times the transmissions of the
    elements on the passband's light path), not with the plugin's code or its table.
    """
    from irisplug_iris.radiometric import load_response

    resp = load_response()
    lam = np.asarray(resp["lambda"], dtype=float) * 10.0  # nm -> A
    elements = np.asarray(resp["index_el_sji"][passband_index], dtype=int)
    area = float(resp["geom_area"]) * np.prod(np.asarray(resp["elements_trans"], dtype=float)[elements], axis=0)
    half = area.max() / 2
    above = np.flatnonzero(area >= half)
    assert np.all(np.diff(above) == 1)  # one band
    i, j = above[0], above[-1]
    lo = lam[i - 1] + (half - area[i - 1]) / (area[i] - area[i - 1]) * (lam[i] - lam[i - 1])
    hi = lam[j] + (area[j] - half) / (area[j] - area[j + 1]) * (lam[j + 1] - lam[j])
    return lo, hi


def test_sji_passbands_are_the_filters_measured_bands():
    """The table is the response's half-maximum band: 55 A (FUV) and 4 A (NUV) wide, as De Pontieu et al.
    2014 (Sol. Phys. 289, 2733) give the filters' widths, around centres that are not the labels."""
    from irisplug_iris.window_facts import sji_passband_range

    for index, label in enumerate((1330, 1400, 2796, 2832)):
        lo, hi = _half_maximum_band(index)
        np.testing.assert_allclose(sji_passband_range(label), (lo, hi), atol=0.01)
        assert abs((hi - lo) - (55.0 if label < 2000 else 4.0)) < 4.0, label
    # the FUV filters are not centred on their labels: a band of label +- 27.5 A misses 16 A of the 1330 filter
    assert sji_passband_range(1330)[1] > 1370.0 and sji_passband_range(1400)[0] < 1360.0


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
        index = (1330, 1400, 2796, 2832).index(round(twave))
        np.testing.assert_allclose(passband(cube).to_value(u.AA), _half_maximum_band(index), atol=0.01)
        # the nominal band of the header (TWMIN1/TWMAX1) and the measured one overlap
        band = passband(cube).to_value(u.AA)
        header = fits.getheader(path)
        assert band[0] < header["TWMAX1"] and header["TWMIN1"] < band[1]


def test_keys_are_validated():
    with pytest.raises(ValueError, match="passband"):
        irisplug.model.with_levels({}, passband=[1400.0, 1300.0] * u.AA)
    with pytest.raises(ValueError, match="rest_wavelength"):
        irisplug.model.with_levels({}, rest_wavelength=3 * u.s)
