"""Pixel geometry helpers on the real L1B files, checked against astropy reading the tables."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits

from irisplug_iuvs.errors import IUVSMissingTableError
from irisplug_iuvs.geometry import app_flipped, pixel_geometry
from irisplug_iuvs.l1a import read_l1a
from irisplug_iuvs.l1b import read_l1b


def test_pixel_centres_and_angles(l1b_files):
    for path in l1b_files:
        geo = pixel_geometry(read_l1b(path), corners=True)
        with fits.open(path) as h:
            pg = h["PixelGeometry"].data
            n_int, n_spa = h[0].data.shape[:2]
            np.testing.assert_array_equal(geo["lat"].to_value(u.deg), pg["PIXEL_CORNER_LAT"][:, :, 4])
            np.testing.assert_array_equal(geo["lon_corners"].to_value(u.deg), pg["PIXEL_CORNER_LON"][:, :, :4])
            np.testing.assert_array_equal(geo["local_time"].to_value(u.h), pg["PIXEL_LOCAL_TIME"])
        for name in ("lat", "lon", "solar_zenith_angle", "emission_angle", "local_time", "tangent_altitude"):
            assert geo[name].shape == (n_int, n_spa), name
        lat = geo["lat"][np.isfinite(geo["lat"])]
        assert np.all(np.abs(lat) <= 90 * u.deg)
        assert geo["solar_zenith_angle"].unit == u.deg and geo["tangent_altitude"].unit == u.km
        flip = app_flipped(read_l1b(path))
        with fits.open(path) as h:
            sc = h["SpacecraftGeometry"].data
            assert flip == bool(np.dot(sc["VX_INSTRUMENT_INERTIAL"][-1], sc["V_SPACECRAFT_RATE_INERTIAL"][-1]) > 0)


def test_dark_products_have_no_geometry(l1a_dir):
    dark = read_l1a(sorted(l1a_dir.glob("*dark*"))[0])
    with pytest.raises(IUVSMissingTableError, match="PixelGeometry"):
        pixel_geometry(dark)
