"""SHOW L0 image statistics and master calibration frames (showapi ``SHOWLevel0`` workflow, formats.md 2.3).

* :func:`image_statistics`: per-pixel average, standard deviation and
  standard error over frames, and the median of each frame (showapi
  ``average_images`` / ``L0ImageStats``), with optional dark subtraction
  (per exposure time) and flat-field division first.
* :func:`dark_current`: one statistics entry per exposure time (showapi
  ``make_dark_current``; keys are integer microseconds as in showapi).
* :func:`flat_field`: the normalised sum of the dark-subtracted arm A and
  arm B white-light averages (showapi ``make_flat_field``).

Saturated pixels (>= 16383 DN) become NaN before any averaging.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from irisplug.errors import CalibrationError, InconsistentInputError
from irisplug_show.detector import SATURATION_DN

__all__ = ["ImageStats", "exposure_us", "image_statistics", "dark_current", "flat_field", "dark_for_frames"]


class ImageStats(NamedTuple):
    """Statistics of a stack of frames (as showapi's ``L0ImageStats``).

    Attributes
    ----------
    average : numpy.ndarray
        Per-pixel mean over frames (2-D, DN).
    error : numpy.ndarray
        Standard error of the mean: ``stddev / sqrt(n - 1)`` (``stddev`` for one frame).
    stddev : numpy.ndarray
        Per-pixel standard deviation over frames, ``1/n`` normalisation (as showapi).
    median : numpy.ndarray
        Median of each frame (1-D, one value per frame): spots a bad frame.
    n_frames : int
        Frames that went into the statistics.
    """

    average: np.ndarray
    error: np.ndarray
    stddev: np.ndarray
    median: np.ndarray
    n_frames: int


def exposure_us(cube: Any) -> np.ndarray:
    """Exposure time of each frame as integer microseconds (the showapi key).

    Examples
    --------
    >>> exposure_us(cube)  # doctest: +SKIP
    array([100000, 100000, ..., 300000])
    """
    import astropy.units as u

    exp = cube.axis_world_coords(wcs=cube.extra_coords["exposure_time"])[0]
    return np.rint(np.atleast_1d(exp.to_value(u.us))).astype("int64")


def dark_for_frames(darks: Mapping[int, Any], exposures: np.ndarray, *, path: Any = None) -> dict[int, np.ndarray]:
    """The master dark (average) for each exposure time in ``exposures``.

    Raises
    ------
    CalibrationError
        An exposure time has no dark (lists the ones available).
    """
    out = {}
    for t in np.unique(exposures):
        key = int(t)
        if key not in darks:
            raise CalibrationError(
                f"no dark for exposure time {key / 1000:g} ms; darks exist for "
                f"{', '.join(f'{k / 1000:g} ms' for k in sorted(darks))}",
                path=path,
            )
        d = darks[key]
        out[key] = np.asarray(d.average if isinstance(d, ImageStats) else d, dtype=float)
    return out


def _frames(cube: Any, darks: Mapping[int, Any] | None, flat: np.ndarray | None, mask_saturated: bool) -> Any:
    """Float64 frames (dask if the cube is lazy), saturated -> NaN, dark-subtracted and flat-divided."""
    import dask.array as da

    data = cube.data
    x = data if isinstance(data, da.Array) else da.from_array(np.asarray(data), chunks=(1, *data.shape[1:]))
    x = x.astype("float64")
    if mask_saturated:
        x = da.where(x >= SATURATION_DN, np.nan, x)
    if darks is not None:
        exps = exposure_us(cube)
        masters = dark_for_frames(darks, exps, path=cube.meta.get("path"))
        stack = np.stack([masters[int(t)] for t in exps])  # one master per frame
        if stack.shape[1:] != x.shape[1:]:
            raise InconsistentInputError(f"dark shape {stack.shape[1:]} differs from the images {x.shape[1:]}")
        x = x - da.from_array(stack, chunks=x.chunks)
    if flat is not None:
        flat = np.asarray(flat, dtype=float)
        if flat.shape != x.shape[1:]:
            raise InconsistentInputError(f"flat shape {flat.shape} differs from the images {x.shape[1:]}")
        x = x / flat
    return x


def image_statistics(cube: Any, *, darks: Mapping[int, Any] | None = None, flat: np.ndarray | None = None,
                     mask_saturated: bool = True) -> ImageStats:
    """Average, standard deviation, standard error and per-frame median of a SHOW image stack.

    Parameters
    ----------
    cube
        An NDCube (frame, heightrow, pixelrow) from the ``show-l0`` reader.
    darks
        Master darks keyed by exposure time in integer microseconds (the
        output of :func:`dark_current`, or plain arrays); each frame has the
        dark of its own exposure time subtracted first.
    flat
        A flat field to divide by (after the dark), e.g. from :func:`flat_field`.
    mask_saturated
        Treat pixels >= 16383 DN as missing.

    Returns
    -------
    ImageStats

    Examples
    --------
    >>> import irisplug
    >>> coll = irisplug.read("show_l0.nc")  # doctest: +SKIP
    >>> s = image_statistics(coll["2023_08_01_SCI_300ms_vect"])  # doctest: +SKIP
    >>> s.average.shape, s.median.shape  # doctest: +SKIP
    ((640, 512), (4,))
    """
    import dask
    import dask.array as da

    x = _frames(cube, darks, flat, mask_saturated)
    x = x.rechunk({0: 1, 1: -1, 2: -1})
    avg = da.nanmean(x, axis=0)
    var = da.nanvar(x, axis=0)
    count = da.sum(da.isfinite(x), axis=0)
    med = x.map_blocks(lambda b: np.nanmedian(b, axis=(1, 2)), drop_axis=[1, 2], dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        avg, var, count, med = dask.compute(avg, var, count, med)
    std = np.sqrt(np.clip(var, 0, None))
    err = np.where(count > 1, std / np.sqrt(np.maximum(count - 1, 1)), std)
    return ImageStats(average=avg, error=err, stddev=std, median=np.asarray(med), n_frames=int(x.shape[0]))


def dark_current(cube: Any, *, mask_saturated: bool = True) -> dict[int, ImageStats]:
    """Dark statistics for each exposure time in a dark group (showapi ``make_dark_current``).

    Returns
    -------
    dict of int to ImageStats
        Keyed by exposure time in integer microseconds.

    Examples
    --------
    >>> darks = dark_current(coll["2023_08_01_DARK_vect"])  # doctest: +SKIP
    >>> sorted(darks)  # doctest: +SKIP
    [100000, 300000]
    """
    from irisplug import progress

    exps = exposure_us(cube)
    out = {}
    for t in progress(np.unique(exps), desc="SHOW darks", quiet=True):
        (idx,) = np.nonzero(exps == t)
        out[int(t)] = image_statistics(cube[int(idx[0]):int(idx[-1]) + 1] if np.all(np.diff(idx) == 1)
                                       else _take(cube, idx), mask_saturated=mask_saturated)
    return out


def _take(cube: Any, idx: np.ndarray) -> Any:
    """Frames ``idx`` (not contiguous) of a cube, as a new NDCube with the exposure extra coord."""
    import astropy.units as u
    from ndcube import NDCube

    exp = cube.axis_world_coords(wcs=cube.extra_coords["exposure_time"])[0][idx]
    sub = NDCube(cube.data[idx], wcs=cube[: len(idx)].wcs, unit=cube.unit, meta=cube.meta)
    sub.extra_coords.add("exposure_time", 0, exp.to(u.s))
    return sub


def flat_field(arm_a: Any, arm_b: Any, darks: Mapping[int, Any], *, percentile: float = 98.0,
               threshold: float = 0.2) -> np.ndarray:
    """The SHOW flat field from arm-A and arm-B white-light groups (showapi ``make_flat_field``).

    ``F = (mean(A - dark) + mean(B - dark)) / percentile_98``; pixels with
    ``F < threshold`` (a correction of 5x or more) become NaN. Summing the two
    arms removes their complementary interference modulation. Correct with
    ``(image - dark) / F``.

    Returns
    -------
    numpy.ndarray
        The normalised flat (heightrow, pixelrow), NaN where unusable.

    Raises
    ------
    CalibrationError
        When the sum has no positive signal.

    Examples
    --------
    >>> flat = flat_field(coll["..._WHT_ARMA_300ms_vect"], coll["..._WHT_ARMB_300ms_vect"], darks)  # doctest: +SKIP
    """
    a = image_statistics(arm_a, darks=darks).average
    b = image_statistics(arm_b, darks=darks).average
    total = a + b
    scale = np.nanpercentile(total, percentile)
    if not np.isfinite(scale) or scale <= 0:
        raise CalibrationError(f"the arm A + arm B white-light sum has no positive signal (p{percentile:g} = {scale})",
                               path=arm_a.meta.get("path"))
    flat = total / scale
    flat[~(flat >= threshold)] = np.nan
    return flat
