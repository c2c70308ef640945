"""Operations along the exposure axis of the real 8-step raster files: time crops of a sequence, ``index_as_cube``
with negative indices, and binning exposures.

References: the exposures' midpoints read with astropy from each file's STARTOBS and aux table (TIME +
EXPTIMEF/2, the level-2 convention; formats.md), numpy on the decoded data, and the same calls with indices
counted from the start.
"""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time

import irisplug
from irisplug.errors import CropOutOfRangeError, IndexOutOfRangeError
from irisplug.model._exposures import exposure_values

WINDOW = "Si IV 1403"


@pytest.fixture(scope="module")
def files(raster_files):
    return raster_files[:3]


@pytest.fixture(scope="module")
def seq(files):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return irisplug.read(files)[WINDOW]


def _midpoints(path) -> Time:
    with fits.open(path) as hdul:
        start = Time(hdul[0].header["STARTOBS"], scale="utc")
        aux, ah = hdul[-2].data, hdul[-2].header
        return start + (aux[:, ah["TIME"]] + aux[:, ah["EXPTIMEF"]] / 2) * u.s


@pytest.fixture(scope="module")
def times(files) -> Time:
    per_file = [_midpoints(p) for p in files]
    return Time(np.concatenate([t.jd1 for t in per_file]), np.concatenate([t.jd2 for t in per_file]),
                format="jd", scale="utc")


def test_reference_times_are_the_sequences(seq, times):
    assert np.abs((seq.extra_coord("time") - times).to_value(u.s)).max() < 1e-3


def test_sequence_crop_by_time_keeps_the_exposures_within(seq, times):
    got = seq.crop((None, None, times[9]), (None, None, times[12]))
    kept = got.extra_coord("time")
    assert len(kept) == 4 and np.abs((kept - times[9:13]).to_value(u.s)).max() < 1e-3
    np.testing.assert_array_equal(np.asarray(got[0].data), np.asarray(seq[1].data)[1:5])
    # across two files: the last two exposures of file 0 and the first of file 1
    got = seq.crop((None, None, times[6]), (None, None, times[8]))
    assert [c.data.shape[0] for c in got.data] == [2, 1]
    assert np.abs((got.extra_coord("time") - times[6:9]).to_value(u.s)).max() < 1e-3


@pytest.mark.parametrize("shift_s", [-3600.0, 3600.0])
def test_crop_by_time_outside_every_exposure_is_refused(seq, times, shift_s):
    lo = times[0] if shift_s < 0 else times[-1]
    pts = [(None, None, lo + shift_s * u.s), (None, None, lo + 1.5 * shift_s * u.s)]
    with pytest.raises(CropOutOfRangeError):
        seq.crop(*pts)
    with pytest.raises(CropOutOfRangeError):
        seq[0].crop(*pts)
    # overlapping the first or last exposure: clipped to it, as ndcube clips a crop overlapping a cube
    edge = seq[0].crop((None, None, times[0] - 3600 * u.s), (None, None, times[1]))
    assert edge.data.shape[0] == 2


@pytest.mark.parametrize("k", [-1, -3, -24])
def test_index_as_cube_negative_counts_from_the_end(seq, times, k):
    n = len(times)
    got = seq.index_as_cube[k]
    want = seq.index_as_cube[n + k]
    np.testing.assert_array_equal(np.asarray(got.data), np.asarray(want.data))
    assert abs((got.time - times[n + k]).to_value(u.s)) < 1e-3
    part = seq.index_as_cube[-3:-1]
    assert np.abs((part.extra_coord("time") - times[n - 3:n - 1]).to_value(u.s)).max() < 1e-3
    with pytest.raises(IndexOutOfRangeError):
        seq.index_as_cube[-n - 1]


@pytest.mark.parametrize("operation", [np.mean, np.sum])
def test_binning_exposures_bins_their_times_and_exposure_times(seq, files, operation):
    cube = seq[0]
    with fits.open(files[0]) as hdul:
        aux, ah = hdul[-2].data, hdul[-2].header
        exptime = np.asarray(aux[:, ah["EXPTIMEF"]], float)
    mid = _midpoints(files[0])
    binned = cube.rebin((2, 1, 1), operation=operation)
    want_t = mid[0] + ((mid - mid[0]).to_value(u.s).reshape(-1, 2).mean(axis=1)) * u.s
    assert np.abs((binned.extra_coord("time") - want_t).to_value(u.s)).max() < 1e-3
    ec_time = binned.axis_world_coords("time", wcs=binned.extra_coords)[0]
    assert np.abs((ec_time - want_t).to_value(u.s)).max() < 1e-3
    want_e = operation(exptime.reshape(-1, 2), axis=1)
    np.testing.assert_allclose(binned.extra_coord("exposure_time").to_value(u.s), want_e, rtol=1e-12)
    one = binned[1]
    assert one.time.isscalar and abs((one.time - want_t[1]).to_value(u.s)) < 1e-3
    # DN/s of the binned cube: the binned data over the binned exposure time (numpy on the decoded data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        norm = binned.normalize_exposure()
    raw = np.asarray(cube.data, float)
    data = operation(raw.reshape(raw.shape[0] // 2, 2, *raw.shape[1:]), axis=1)
    got = np.asarray(norm.data, float)
    ok = np.isfinite(got) & ~np.asarray(binned.mask, bool)
    np.testing.assert_allclose(got[ok], (data / want_e[:, None, None])[ok], rtol=1e-5)
    # the raster positions differ within a bin (dropped); the repeat does not (kept)
    assert sorted(exposure_values(binned)) == ["exposure_time", "repeat", "time"]


def test_explode_along_the_exposure_axis_keeps_each_exposures_meta(seq, times):
    cube = seq[0]
    parts = cube.explode_along_axis(0)
    assert len(parts.data) == cube.data.shape[0]
    for i, part in enumerate(parts.data):
        assert abs((part.time - times[i]).to_value(u.s)) < 1e-3
        assert part.exposure_time == cube[i].exposure_time
        assert part.meta["window"] == cube.meta["window"]
        np.testing.assert_array_equal(np.asarray(part.data), np.asarray(cube.data)[i])


def test_per_exposure_coordinates_have_physical_types(seq):
    types = seq[0].array_axis_physical_types[0]
    assert "obs.exposure" in types and "meta.number" in types and "custom:CUSTOM" not in types
    # "time" still names one coordinate of the extra coordinates (ndcube matches substrings)
    assert len(seq[0].axis_world_coords("time", wcs=seq[0].extra_coords)[0]) == seq[0].data.shape[0]


def test_binned_exposures_sky_coordinates_at_each_bins_time(seq, files):
    # the SkyCoord of a cube binned along its exposures carried one obstime (the middle exposure's) for every bin;
    # each bin's points are now seen at the bin's mean time (the time coordinate's), from the observer there
    from astropy.coordinates import SkyCoord

    cube = seq[0]
    mid = _midpoints(files[0])
    want_t = mid[0] + ((mid - mid[0]).to_value(u.s).reshape(-1, 2).mean(axis=1)) * u.s
    sky = next(o for o in cube.rebin((2, 1, 1)).axis_world_coords() if isinstance(o, SkyCoord))
    assert sky.obstime.shape == sky.shape and sky.shape[0] == len(want_t)
    assert np.abs((sky.obstime[:, 0] - want_t).to_value(u.s)).max() < 1e-3
    assert np.abs((sky.obstime - sky.obstime[:, :1]).to_value(u.s)).max() == 0  # one time along the slit
    # the observer between the two exposures' observers (the file's aux table: HGLN/HGLT/DSUN per exposure)
    full = next(o for o in cube.axis_world_coords() if isinstance(o, SkyCoord))
    for name in ("lon", "lat", "radius"):
        per = getattr(full.observer, name)[:, 0]
        got = getattr(sky.observer, name)[:, 0]
        lo, hi = np.minimum(per[0::2], per[1::2]), np.maximum(per[0::2], per[1::2])
        assert np.all((got >= lo - 1e-9 * abs(hi)) & (got <= hi + 1e-9 * abs(hi))), name
    # an unbinned cube's points keep their own exposure's frame
    assert np.abs((full.obstime[:, 0] - mid).to_value(u.s)).max() < 1e-3


@pytest.mark.parametrize("cut", ["exposures 2-6", "slit rows 2-9", "binned by 2"])
def test_time_crop_of_a_sliced_or_binned_cube(seq, files, cut):
    # a sliced or rebinned cube's WCS is a high-level wrapper: the time-only crop read the world objects off it and
    # raised AttributeError ('HighLevelWCSWrapper' object has no attribute 'world_axis_object_components')
    mid = _midpoints(files[0])
    cube = seq[0]
    if cut == "exposures 2-6":
        part, times = cube[2:7], mid[2:7]
    elif cut == "slit rows 2-9":
        part, times = cube[:, 2:10], mid
    else:
        part, times = cube.rebin((2, 1, 1)), mid[0] + (mid - mid[0]).to_value(u.s).reshape(-1, 2).mean(axis=1) * u.s
    got = part.crop((None, None, times[1]), (None, None, times[2]))
    assert np.abs((got.extra_coord("time") - times[1:3]).to_value(u.s)).max() < 1e-3
    np.testing.assert_array_equal(np.asarray(got.data), np.asarray(part.data)[1:3])
