"""``irisplug.model.FrameCube``: binning frames bins their per-frame extra coordinates (reference: numpy on the
values put in; ndcube's own rebin of a plain NDCube keeps each bin's first value)."""

from __future__ import annotations

import astropy.units as u
import numpy as np
from astropy.time import Time
from astropy.wcs import WCS
from ndcube import NDCube

from irisplug.model import FrameCube


def _cube(kind=FrameCube):
    t = Time("2023-08-01T18:00:00") + np.array([0.0, 0.3, 0.9, 1.2, 2.0, 2.1]) * u.s
    # 3-D: ndcube 2.4.2 cannot resample the extra coordinates of a 2-D cube (np.interp on an object array)
    cube = kind(np.arange(6 * 2 * 3, dtype=float).reshape(6, 2, 3), wcs=WCS(naxis=3), unit=u.DN)
    cube.extra_coords.add("time", 0, t, physical_types="time")
    cube.extra_coords.add("exposure_time", 0, [0.1, 0.3, 0.1, 0.3, 0.2, 0.2] * u.s, physical_types="obs.exposure")
    cube.extra_coords.add("temperature", 0, [20.0, 21.0, 22.0, 24.0, 25.0, 25.5] * u.deg_C,
                          physical_types="phys.temperature")
    cube.extra_coords.add("high_gain", 0, u.Quantity([1, 1, 0, 1, 0, 0]))
    cube.extra_coords.add("filter", 0, u.Quantity([2, 2, 2, 2, 3, 3]), physical_types="meta.number")
    return cube, t


def _values(cube, name):
    return cube.axis_world_coords(wcs=cube.extra_coords[name])[0]


def test_bins_follow_the_data():
    cube, t = _cube()
    for op in (np.mean, np.sum):
        out = cube.rebin((2, 1, 1), operation=op)
        np.testing.assert_array_equal(out.data, op(cube.data.reshape(3, 2, 2, 3), axis=1))
        want_t = t[0] + (t - t[0]).to_value(u.s).reshape(3, 2).mean(axis=1) * u.s
        assert np.abs((_values(out, "time") - want_t).to_value(u.s)).max() < 1e-6
        np.testing.assert_allclose(_values(out, "exposure_time").to_value(u.s),
                                   op(np.array([[0.1, 0.3], [0.1, 0.3], [0.2, 0.2]]), axis=1))
        np.testing.assert_allclose(_values(out, "temperature").to_value(u.deg_C), [20.5, 23.0, 25.25])
        np.testing.assert_array_equal(_values(out, "filter").value, [2, 2, 3])
        assert "high_gain" not in out.extra_coords.keys()  # mixed gains within a bin: no gain
        assert list(out.extra_coords["exposure_time"].wcs.world_axis_physical_types) == ["obs.exposure"]


def test_plain_ndcube_keeps_the_first_value():
    """The behaviour FrameCube corrects (if ndcube changes it, this test says so)."""
    cube, _ = _cube(NDCube)
    out = cube.rebin((2, 1, 1))
    np.testing.assert_allclose(_values(out, "exposure_time").to_value(u.s), [0.1, 0.1, 0.2])


def test_other_axes_leave_the_frames_alone():
    cube, t = _cube()
    out = cube.rebin((1, 2, 3))
    assert np.abs((_values(out, "time") - t).to_value(u.s)).max() < 1e-6
    assert "high_gain" in out.extra_coords.keys()


def test_one_frame_keeps_its_values():
    # a cube cut to one frame: ndcube moves the frame's extra coordinates to global_coords, where
    # irisplug.model.extra_coord (and what reads per-frame values through it) now finds them
    from irisplug.model import extra_coord

    cube, t = _cube()
    one = cube[2]
    assert "exposure_time" not in one.extra_coords.keys()
    assert extra_coord(one, "exposure_time") == 0.1 * u.s
    assert abs((extra_coord(one, "time") - t[2]).to_value(u.s)) < 1e-9
    assert extra_coord(one, "temperature") == 22.0 * u.deg_C
