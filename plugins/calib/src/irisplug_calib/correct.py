"""Apply darks, flats and bad-pixel masks to cubes: new objects, mask and uncertainty propagated.

Examples
--------
>>> import numpy as np, ndcube, astropy.wcs, astropy.units as u
>>> from irisplug_calib.dark import master_darks
>>> cube = ndcube.NDCube(np.full((2, 3, 3), 110.0), wcs=astropy.wcs.WCS(naxis=3), unit=u.DN,
...                      meta={"exposure_time": [1.0, 1.0]})
>>> darks = master_darks(np.full((4, 3, 3), 100.0), exposure_times=1.0)
>>> float(subtract_dark(cube, darks=darks).data[0, 0, 0])
10.0
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irisplug.errors import CalibrationError, InconsistentInputError
from irisplug_calib._common import as_float, is_dask, map_cubes, new_cube, record, std_of, xp_of
from irisplug_calib.dark import DarkSet, check_shape, dark_for_frames, stack_and_times
from irisplug_calib.flat import FlatField

__all__ = ["subtract_dark", "apply_flat", "apply_bad_pixels", "bad_pixel_mask", "combine_mask"]


def combine_mask(old: Any, bad: Any, shape: tuple[int, ...]) -> Any:
    """``old | bad`` broadcast to ``shape`` (lazy if either is lazy); ``old`` may be None/False."""
    xp = xp_of(bad) if is_dask(bad) else xp_of(old) if old is not None else np
    bad = xp.broadcast_to(bad, shape)
    if old is None or (np.ndim(old) == 0 and not bool(old)):
        return bad
    return xp.logical_or(old, bad)


def subtract_dark(
    obj: Any,
    *,
    darks: DarkSet,
    fallback: str = "linear",
    exposure_times: Any = None,
    gain: Any = None,
    exposure_unit: str = "s",
) -> Any:
    """Subtract from every frame the master dark of its exposure time (and gain state).

    Parameters
    ----------
    obj
        NDCube (frame, y, x) or (y, x), or a sequence/collection of them.
        Per-frame exposure times come from the ``exposure_time`` coordinate or
        ``meta["exposure_time"]`` (or ``exposure_times=``).
    darks
        From :func:`irisplug_calib.dark.master_darks`.
    fallback
        ``"linear"``: where no dark has the frame's exposure time, use the
        per-pixel linear fit ``offset + rate * t`` and warn; ``"error"``: raise.

    Returns
    -------
    object
        A new object; uncertainty ``sqrt(sigma^2 + sigma_dark^2)`` (the dark's
        standard error alone if the input had none); mask extended by pixels
        without a valid dark.

    Raises
    ------
    CalibrationError
        No dark for an exposure time (with ``fallback="error"``, or no fit possible).
    InconsistentInputError
        The dark's shape differs from the data's image shape.

    Examples
    --------
    >>> import numpy as np, ndcube, astropy.wcs, astropy.units as u
    >>> from irisplug_calib.dark import master_darks
    >>> darks = master_darks(np.stack([np.full((2, 2), 10.0), np.full((2, 2), 30.0)]), exposure_times=[1, 3])
    >>> cube = ndcube.NDCube(np.full((1, 2, 2), 50.0), wcs=astropy.wcs.WCS(naxis=3), unit=u.DN,
    ...                      meta={"exposure_time": [2.0] * u.s})
    >>> import warnings; warnings.simplefilter("ignore")
    >>> float(subtract_dark(cube, darks=darks).data[0, 0, 0])  # linear fit: 10 + 10 * (2 - 1)
    30.0
    """
    if not isinstance(darks, DarkSet) or len(darks) == 0:
        raise CalibrationError("dark subtraction needs darks=<DarkSet from irisplug_calib.dark.master_darks>")

    def one(cube: Any) -> Any:
        data, times, gains = stack_and_times(cube, exposure_times, gain, exposure_unit)
        check_shape(data.shape, darks.shape, "the master dark")
        dark, derr, used = dark_for_frames(darks, times, gains, fallback=fallback)
        squeeze = cube.data.ndim == 2
        if squeeze:
            dark, derr = dark[0], derr[0]
        values = as_float(cube.data)
        xp = xp_of(values)
        if is_dask(values) and not is_dask(dark):
            import dask.array as da

            dark, derr = da.from_array(np.asarray(dark)), da.from_array(np.asarray(derr))
        new_data = values - dark
        sigma = std_of(cube)
        new_sigma = derr if sigma is None else xp.sqrt(sigma**2 + derr**2)
        mask = combine_mask(cube.mask, ~xp.isfinite(dark), new_data.shape)
        new = new_cube(cube, new_data, uncertainty=new_sigma, mask=mask)
        return record(new, "dark", {"fallback": fallback}, {"darks": used, "dark_source": darks.source})

    return map_cubes(obj, one, "dark subtraction")


def apply_flat(obj: Any, *, flat: FlatField | Any) -> Any:
    """Divide by a flat field; masked flat pixels become masked (and NaN) in the data.

    Uncertainty: ``sigma_out^2 = (sigma / F)^2 + (out * sigma_F / F)^2``.

    Raises
    ------
    InconsistentInputError
        Flat and data image shapes differ.
    CalibrationError
        The flat has no valid pixel.

    Examples
    --------
    >>> import numpy as np, ndcube, astropy.wcs
    >>> from irisplug_calib.flat import make_flat
    >>> ff = make_flat(np.array([[[1.0, 2.0]]]), percentile=100)
    >>> cube = ndcube.NDCube(np.array([[4.0, 4.0]]), wcs=astropy.wcs.WCS(naxis=2))
    >>> apply_flat(cube, flat=ff).data.tolist()
    [[8.0, 4.0]]
    """
    if not isinstance(flat, FlatField):
        arr = np.asarray(flat, dtype=float)
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(arr) | (arr <= 0)
        flat = FlatField(np.where(bad, np.nan, arr), np.zeros_like(arr), bad, 1.0, {"given": "array"})
    if flat.mask.all():
        raise CalibrationError("the flat field has no valid pixel")

    def one(cube: Any) -> Any:
        check_shape(cube.data.shape, flat.shape, "the flat field")
        values = as_float(cube.data)
        xp = xp_of(values)
        f, fe, fm = flat.flat, flat.error, flat.mask
        if is_dask(values):
            import dask.array as da

            f, fe, fm = da.from_array(f), da.from_array(fe), da.from_array(fm)
        new_data = values / f
        sigma = std_of(cube)
        rel = fe / f
        new_sigma = xp.abs(new_data) * rel if sigma is None else xp.sqrt((sigma / f) ** 2 + (new_data * rel) ** 2)
        mask = combine_mask(cube.mask, fm, new_data.shape)
        new = new_cube(cube, new_data, uncertainty=new_sigma, mask=mask)
        return record(new, "flat", {}, {"flat": flat.source, "normalisation": flat.normalisation})

    return map_cubes(obj, one, "flat fielding")


def bad_pixel_mask(
    shape: tuple[int, int],
    *,
    pixels: Any = (),
    rectangles: Any = (),
    image: Any = None,
    one_based: bool = False,
) -> np.ndarray:
    """A boolean (y, x) mask from pixel positions, rectangles and/or a mask image.

    Parameters
    ----------
    shape
        (ny, nx) of the detector image.
    pixels
        ``(x, y)`` pairs.
    rectangles
        ``(x0, x1, y0, y1)`` inclusive bounds.
    image
        Any array of ``shape``: non-zero (True) marks a bad pixel.
    one_based
        Positions count from 1 (as SHOW's configuration lists them).

    Raises
    ------
    InconsistentInputError
        A position outside the image or an image of another shape.

    Examples
    --------
    >>> m = bad_pixel_mask((4, 5), pixels=[(1, 2)], rectangles=[(3, 4, 0, 1)])
    >>> np.argwhere(m).tolist()
    [[0, 3], [0, 4], [1, 3], [1, 4], [2, 1]]
    """
    ny, nx = shape
    mask = np.zeros(shape, dtype=bool)
    off = 1 if one_based else 0
    for x, y in pixels:
        x, y = int(x) - off, int(y) - off
        if not (0 <= x < nx and 0 <= y < ny):
            raise InconsistentInputError(f"bad pixel ({x + off}, {y + off}) is outside the {nx}x{ny} image")
        mask[y, x] = True
    for x0, x1, y0, y1 in rectangles:
        x0, x1, y0, y1 = (int(v) - off for v in (x0, x1, y0, y1))
        if not (0 <= x0 <= x1 < nx and 0 <= y0 <= y1 < ny):
            raise InconsistentInputError(f"bad-pixel rectangle {(x0 + off, x1 + off, y0 + off, y1 + off)} is outside the {nx}x{ny} image")
        mask[y0 : y1 + 1, x0 : x1 + 1] = True
    if image is not None:
        img = np.asarray(image)
        if img.shape != tuple(shape):
            raise InconsistentInputError(f"bad-pixel image of shape {img.shape} does not match the image shape {tuple(shape)}")
        mask |= img.astype(bool)
    return mask


def apply_bad_pixels(
    obj: Any, *, pixels: Any = (), rectangles: Any = (), image: Any = None, one_based: bool = False, fill: float | None = None
) -> Any:
    """Mask bad pixels (from a list, rectangles or an image) in every frame; optionally set them to ``fill``.

    Examples
    --------
    >>> import numpy as np, ndcube, astropy.wcs
    >>> cube = ndcube.NDCube(np.ones((2, 3, 3)), wcs=astropy.wcs.WCS(naxis=3))
    >>> int(apply_bad_pixels(cube, pixels=[(0, 0)]).mask.sum())
    2
    """

    def one(cube: Any) -> Any:
        shape = tuple(cube.data.shape[-2:])
        bad = bad_pixel_mask(shape, pixels=pixels, rectangles=rectangles, image=image, one_based=one_based)
        mask = combine_mask(cube.mask, bad, cube.data.shape)
        data = cube.data
        if fill is not None:
            xp = xp_of(data)
            data = xp.where(xp.broadcast_to(bad, data.shape), fill, as_float(data))
        new = new_cube(cube, data, mask=mask)
        return record(new, "bad-pixel", {"fill": fill, "one_based": one_based}, {"nbad": int(bad.sum())})

    return map_cubes(obj, one, "bad-pixel masking")
