"""Coordinates of several rasters in one SkyCoord (``irisplug.model._stack_coords``), the frames' attributes per pixel.

The references are the coordinates themselves and what sunpy's transforms make of each of them on its own.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord

from irisplug.errors import InconsistentInputError
from irisplug.model._stack_coords import stack_coords


def _rasters():
    from sunpy.coordinates import HeliographicStonyhurst, Helioprojective

    out = []
    for k, (b0, t) in enumerate(((-6.7, "2014-03-29T14:00"), (-6.6, "2014-03-29T15:00"), (-6.5, "2014-03-29T16:30"))):
        observer = HeliographicStonyhurst(0.1 * k * u.deg, b0 * u.deg, (1 - 0.001 * k) * u.AU, obstime=t)
        tx, ty = np.meshgrid(np.linspace(400, 560, 4) + 10 * k, np.linspace(260, 300, 3), indexing="ij")
        out.append(SkyCoord(tx * u.arcsec, ty * u.arcsec, frame=Helioprojective(observer=observer, obstime=t)))
    return out


def test_each_slice_is_its_raster():
    rasters = _rasters()
    both = stack_coords(rasters)
    assert both.shape == (3, 4, 3)
    for i, own in enumerate(rasters):
        assert both[i].frame.is_equivalent_frame(own.frame)
        np.testing.assert_array_equal(both[i].Tx, own.Tx)
        np.testing.assert_array_equal(both[i].Ty, own.Ty)
        assert np.all(both[i].obstime == own.obstime)
        np.testing.assert_array_equal(both[i].observer.lat.deg, np.broadcast_to(own.observer.lat.deg, own.shape))


def test_transforms_equal_each_raster_transformed_alone():
    from sunpy.coordinates import HeliographicStonyhurst

    rasters = _rasters()
    together = stack_coords(rasters).transform_to(HeliographicStonyhurst)
    for i, own in enumerate(rasters):
        alone = own.transform_to(HeliographicStonyhurst)
        np.testing.assert_allclose(together[i].lon.deg, alone.lon.deg, rtol=0, atol=1e-12)
        np.testing.assert_allclose(together[i].lat.deg, alone.lat.deg, rtol=0, atol=1e-12)


def test_astropy_refuses_what_this_stacks():
    """The failure this exists for: astropy's own concatenation needs equal frames."""
    with pytest.raises(ValueError, match="equivalent frames"):
        SkyCoord(_rasters())


def test_shapes_must_agree():
    a, b, _ = _rasters()
    with pytest.raises(InconsistentInputError, match="differ in shape"):
        stack_coords([a, b[:2]])
    with pytest.raises(InconsistentInputError):
        stack_coords([])
