"""Conversions checked against the values the L1B pipeline stored in the real files."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.io import fits
from hypothesis import given
from hypothesis import strategies as st

from irisplug_iuvs.conversions import (
    case_temp_from_dn,
    case_temp_to_dn,
    det_temp_from_dn,
    det_temp_to_dn,
    mcp_dn_from_volt,
    mcp_gain_from_volt,
    mcp_volt_from_dn,
    mirror_deg_from_dn,
    mirror_dn_from_deg,
)

TABLES = ("Integration", "Dark_Integration")


def _column(path, table, col):
    with fits.open(path) as h:
        return np.asarray(h[table].data[col], dtype=float)


@pytest.mark.parametrize("table", TABLES)
def test_det_temp_reproduces_file_exactly(l1b_files, table):
    for path in l1b_files:
        stored = _column(path, table, "DET_TEMP_C")
        dn = np.round(det_temp_to_dn(stored))
        assert np.all((dn >= 2000) & (dn <= 3000)), dn
        np.testing.assert_array_equal(det_temp_from_dn(dn), stored)  # exact, no tolerance


@pytest.mark.parametrize("table", TABLES)
def test_case_temp_reproduces_file_exactly(l1b_files, table):
    for path in l1b_files:
        stored = _column(path, table, "CASE_TEMP_C")
        dn = np.round(case_temp_to_dn(stored))
        assert np.all(dn >= 8192), "sample case temperatures lie on the upper polynomial branch"
        np.testing.assert_array_equal(case_temp_from_dn(dn), stored)


def test_case_temp_inverse_recovers_every_integer_dn():
    dn = np.arange(0, 16383)
    back = np.round(case_temp_to_dn(case_temp_from_dn(dn)))
    np.testing.assert_array_equal(back, dn)


def test_case_temp_idl_compatible_truncates_after_17_steps():
    dn = np.array([100, 5000, 9000, 15950])
    idl = case_temp_to_dn(case_temp_from_dn(dn), idl_compatible=True)
    assert np.all(idl == np.trunc(idl))
    assert np.all(np.abs(idl - dn) <= 1)


def test_case_temp_branches_meet_their_published_coefficients():
    # C0 of each branch is the value at DN 0 of that polynomial
    assert case_temp_from_dn(0) == pytest.approx(1.8195)
    assert float(case_temp_from_dn(8191)) < float(case_temp_from_dn(8192))  # the split is discontinuous


@given(st.floats(min_value=-60, max_value=60))
def test_det_temp_inverse_round_trip(temp):
    assert det_temp_from_dn(det_temp_to_dn(temp)) == pytest.approx(temp, abs=1e-9)


def test_mcp_volts_reproduce_header(l1b_files):
    for path in l1b_files:
        with fits.open(path) as h:
            dn = h["Engineering"].data["MCP_GAIN"][0]
            volt = float(mcp_volt_from_dn(dn))
            assert round(volt, 3) == h[0].header["MCP_VOLT"]
            assert volt == pytest.approx(float(h["Observation"].data["MCP_VOLT"][0]), abs=5e-4)
            assert round(float(mcp_dn_from_volt(h[0].header["MCP_VOLT"]))) == dn
            # darks have the HV off: 0 DN -> -1.83 V
            assert np.all(mcp_volt_from_dn(h["Dark_Engineering"].data["MCP_GAIN"]) == -1.83)


def test_mcp_gain_matches_observation_table(l1b_files):
    for path in l1b_files:
        with fits.open(path) as h:
            gain = mcp_gain_from_volt(h[0].header["MCP_VOLT"], h[0].header["XUV"])
            np.testing.assert_allclose(gain, h["Observation"].data["MCP_GAIN"][0], rtol=2e-6)


def test_mcp_gain_rejects_unknown_channel():
    with pytest.raises(ValueError, match="muv"):
        mcp_gain_from_volt(700, "ech")


def test_mirror_conversion_matches_integration_table(l1b_files):
    for path in l1b_files:
        with fits.open(path) as h:
            dn = h["Integration"].data["MIRROR_DN"]
            deg = h["Integration"].data["MIRROR_DEG"]  # float32 in the file
            np.testing.assert_allclose(mirror_deg_from_dn(dn), deg, rtol=0, atol=1e-5)
            np.testing.assert_array_equal(np.round(mirror_dn_from_deg(deg)), dn)
