"""AIA/HMI-style registration (level 1 -> 1.5) with a fast exact cubic B-spline.

The steps are those of ``aiapy.calibrate.register`` (aiapy 0.10) built on
sunpy's ``GenericMap.rotate`` (sunpy 7): rescale to a target plate scale,
rotate so solar north is up, move the reference pixel to the array centre,
crop to the input size, set ``lvl_num = 1.5``. The resampling is the exact
cubic B-spline of ``scipy.ndimage.affine_transform(order=3)``, done by
:mod:`irisplug_calib.bspline` (numba, a few threads) instead of scipy.

Examples
--------
>>> import sunpy.map, sunpy.data.test
>>> m = sunpy.map.Map(sunpy.data.test.get_test_filepath("aia_171_level1.fits"))  # doctest: +SKIP
>>> from irisplug_calib.register import register_map
>>> out = register_map(m)  # doctest: +SKIP
>>> out.meta["lvl_num"]  # doctest: +SKIP
1.5
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np

from irisplug.errors import CalibrationError, UnsupportedObjectError
from irisplug_calib._common import CalibrationWarning, record

__all__ = ["NotFullDiskError", "register_map", "rotate_image", "default_target_scale"]


class NotFullDiskError(CalibrationError):
    """Registration of a map that does not contain the full solar disk."""


def default_target_scale(scale_arcsec: float, shape: tuple[int, int]) -> float:
    """The target plate scale aiapy uses: 0.6"/px, or a multiple of it for binned maps.

    Examples
    --------
    >>> default_target_scale(0.599489, (4096, 4096))
    0.6
    >>> round(default_target_scale(2.4, (1024, 1024)), 6)
    2.4
    """
    ratio = round(scale_arcsec / 0.6)
    if ratio != 1 and tuple(shape) != (4096, 4096):
        return ratio * 0.6
    return 0.6


def rotate_image(
    image: np.ndarray,
    rmatrix: np.ndarray,
    scale: float,
    reference_pixel: tuple[float, float],
    *,
    missing: float | None,
    order: int = 3,
    clip: bool = True,
) -> tuple[np.ndarray, tuple[float, float], float]:
    """Rotate, scale and recentre an image exactly as ``GenericMap.rotate(recenter=True)`` does.

    Parameters
    ----------
    image
        2-D data.
    rmatrix
        The map's rotation matrix (PCi_j); the image is rotated by its inverse.
    scale
        Scale factor (old plate scale / new plate scale).
    reference_pixel
        0-based ``(x, y)`` of the rotation centre (the reference pixel).
    missing
        Fill value outside the input (None: the input's minimum).
    order
        Spline order; 3 uses the fast exact B-spline, others scipy.
    clip
        Clip to the input range (and ``missing``) as sunpy does.

    Returns
    -------
    data, new_reference_pixel
        The rotated data (float64) and the 0-based reference pixel in it.

    Examples
    --------
    >>> import numpy as np
    >>> img = np.random.default_rng(0).normal(size=(32, 32))
    >>> out, ref, _ = rotate_image(img, np.eye(2), 1.0, (15.5, 15.5), missing=0.0)
    >>> bool(np.allclose(out, img)), ref
    (True, (15.5, 15.5))
    """
    ny, nx = image.shape
    inv = np.linalg.inv(rmatrix)
    corners = itertools.product([-0.5, nx - 0.5], [-0.5, ny - 0.5])
    rot = np.vstack([rmatrix @ c for c in corners]) * scale
    extent = rot.max(axis=0) - rot.min(axis=0)
    diff = np.asarray(np.ceil((extent - np.array([nx, ny])) / 2), dtype=int)
    pad_x, pad_y = max(diff[0], 0), max(diff[1], 0)
    unpad_x, unpad_y = -min(diff[0], 0), -min(diff[1], 0)
    work = image
    if pad_x or pad_y:
        if missing is None:
            missing = float(np.nanmin(image))
        work = np.pad(image, ((pad_y, pad_y), (pad_x, pad_x)), mode="constant", constant_values=missing)
    pny, pnx = work.shape
    array_center = (np.array([pnx, pny]) - 1) / 2.0
    image_center = np.asarray(reference_pixel, dtype=float) + np.array([pad_x, pad_y])
    matrix = inv / scale
    shift = image_center - matrix @ array_center
    # evaluate only the un-padded window of the output
    out_shape = (pny - 2 * unpad_y, pnx - 2 * unpad_x)
    shift_window = shift + matrix @ np.array([unpad_x, unpad_y], dtype=float)
    data, missing = _transform(work, matrix, shift_window, out_shape, order=order, missing=missing, clip=clip)
    new_ref = (float(array_center[0] - unpad_x), float(array_center[1] - unpad_y))
    return data, new_ref, missing


def _scipy_transform(img, matrix, shift, out_shape, order, cval):
    import scipy.ndimage

    # scipy works on the transposed array (x, y): the call sunpy makes
    res = scipy.ndimage.affine_transform(
        np.asarray(img, dtype=float).T,
        matrix,
        offset=shift,
        output_shape=tuple(out_shape)[::-1],
        order=order,
        mode="constant",
        cval=cval,
    ).T
    return np.ascontiguousarray(res)


def _transform(work, matrix, shift, out_shape, *, order, missing, clip):
    """sunpy's rotation wrapper (NaN handling, clipping) around the B-spline evaluation.

    ``missing=None`` means the input's nanmin (computed during the prefilter).
    """
    from irisplug_calib import bspline

    if not work.flags.c_contiguous:
        if work.flags.f_contiguous:
            # work in the transposed frame (the B-spline is separable): no strided memory access
            out_t, missing = _transform(
                work.T, matrix[::-1, ::-1], np.asarray(shift)[::-1], tuple(out_shape)[::-1],
                order=order, missing=missing, clip=clip,
            )
            return out_t.T, missing
        work = np.ascontiguousarray(work)
    shared = False
    try:
        if order == 3:
            coef, in_min, in_max, nnan, shared = bspline.prefilter_with_stats(work, reuse_buffer=True)
        else:
            coef, in_min, in_max, nnan = None, float(np.nanmin(work)), float(np.nanmax(work)), int(np.isnan(work).sum())
        if missing is None:
            missing = in_min
        has_nan = nnan > 0
        # sunpy's scipy method handles a NaN `missing` itself (NaN outside the input, as scipy's cval);
        # only NaNs in the image are replaced (by the median) and masked afterwards
        substitute = float(np.nanmedian(work)) if has_nan else None
        isnan = np.isnan(work) if has_nan else None
        filled = np.where(isnan, substitute, work) if has_nan else work
        bounds = _clip_bounds(clip, missing, in_min, in_max)
        if has_nan and order == 3:
            bspline.release_buffer(shared)
            shared = False
            coef = bspline.prefilter_with_stats(filled)[0]
        if order == 3:
            out = bspline.resample(coef, matrix, shift, out_shape, missing, bounds)
        else:
            out = _scipy_transform(filled, matrix, shift, out_shape, order, missing)
            np.clip(out, *bounds, out=out)
    finally:
        bspline.release_buffer(shared)
    if has_nan:
        from scipy.signal import convolve2d

        size = [1, 1, 5, 5, 7, 7][order]
        expanded = convolve2d(isnan.astype(float), np.ones((size, size)), mode="same")
        out[_scipy_transform(expanded, matrix, shift, out_shape, min(order, 1), 0.0) > 0] = np.nan
    return out, missing


def _clip_bounds(clip: bool, missing: float, in_min: float, in_max: float) -> tuple[float, float]:
    """The range sunpy clips a rotated image to, known before the rotation.

    sunpy clips to ``[nanmin(max(missing, out_min), in_min), nanmax(min(missing, out_max), in_max)]``
    with ``out_min``/``out_max`` the rotated image's range (``missing`` NaN:
    the input's range). Every output value lies in ``[out_min, out_max]``, so
    clipping to ``[min(missing, in_min), max(missing, in_max)]`` changes exactly
    the same values to the same bounds (case by case on the order of
    ``missing``, ``in_min`` and ``out_min``), and can be done while resampling.

    Examples
    --------
    >>> _clip_bounds(True, 0.0, 1.0, 5.0), _clip_bounds(True, float("nan"), 1.0, 5.0)
    ((0.0, 5.0), (1.0, 5.0))
    """
    if not clip or np.isnan(in_min):
        return -np.inf, np.inf
    if np.isnan(missing):
        return in_min, in_max
    return min(missing, in_min), max(missing, in_max)


def register_map(
    smap: Any,
    *,
    target_scale: Any = None,
    missing: float | None = None,
    order: int = 3,
    instruments: tuple[str, ...] = ("AIA", "HMI"),
) -> Any:
    """Register a full-disk AIA/HMI map: plate scale, north up, Sun centre at the array centre.

    Gives the same result as ``aiapy.calibrate.register`` (shape, metadata
    and pixel values to rounding), several times faster.

    Parameters
    ----------
    smap
        A sunpy Map (``AIAMap``/``HMIMap``; any full-disk map if
        ``instruments=()``).
    target_scale
        Output plate scale (arcsec/pixel, float or Quantity). Default: 0.6,
        or a multiple of 0.6 for binned maps, as aiapy.
    missing
        Fill value outside the input; default the data minimum.
    order
        Interpolation order; 3 (default) is the exact cubic B-spline.
    instruments
        Accepted instruments (``smap.instrument`` prefixes).

    Returns
    -------
    sunpy.map.GenericMap
        A new level-1.5 map (float64, ``lvl_num`` 1.5, ``r_sun`` updated).

    Raises
    ------
    UnsupportedObjectError
        Not a sunpy Map, or not from one of ``instruments``.
    NotFullDiskError
        The map does not contain the full solar disk.

    Examples
    --------
    >>> import sunpy.map, sunpy.data.test
    >>> m = sunpy.map.Map(sunpy.data.test.get_test_filepath("aia_171_level1.fits"))
    >>> out = register_map(m)
    >>> out.meta["lvl_num"], round(float(out.scale[0].value), 6), out.data.shape
    (1.5, 19.2, (128, 128))
    """
    import astropy.units as u
    import sunpy.map

    if not isinstance(smap, sunpy.map.GenericMap):
        raise UnsupportedObjectError(f"registration needs a sunpy Map, got {type(smap).__name__}")
    instrument = str(smap.instrument or "")
    if instruments and not any(instrument.upper().startswith(i) for i in instruments):
        raise UnsupportedObjectError(
            f"registration is defined for {', '.join(instruments)} maps; this map is from {instrument!r} "
            "(pass instruments=() to register any full-disk map)"
        )
    if not sunpy.map.contains_full_disk(smap):
        raise NotFullDiskError(
            f"the {instrument} map of {smap.date.isot} does not contain the full solar disk "
            f"(shape {smap.data.shape}); registration needs a full-disk image, not a submap"
        )
    if smap.processing_level is None or smap.processing_level > 1:
        warnings.warn(
            "image registration should only be applied to level 1 data "
            f"(this map has lvl_num={smap.processing_level})",
            CalibrationWarning,
            stacklevel=2,
        )
    cdelt = smap.scale[0].to_value(u.arcsec / u.pix)
    if target_scale is None:
        target = default_target_scale(cdelt, smap.data.shape)
    else:
        target = u.Quantity(target_scale).value if hasattr(target_scale, "unit") else float(target_scale)
    scale_factor = cdelt / target
    data, new_ref, missing = rotate_image(
        np.asarray(smap.data),
        np.asarray(smap.rotation_matrix),
        scale_factor,
        tuple(u.Quantity(smap.reference_pixel).value),
        missing=missing,
        order=order,
    )
    meta = _rotated_meta(smap, data.shape, new_ref, scale_factor)
    from sunpy.util import MetaDict

    extra = _rotated_mask_and_uncertainty(smap, scale_factor)
    temp = sunpy.map.Map(data, MetaDict(meta), **extra)
    # aiapy's final crop to the input size (a no-op when the rotated array is not larger)
    center = np.floor(temp.meta["crpix1"])
    side = center + np.array([-1, 1]) * smap.data.shape[0] / 2
    if side[0] <= 0 and side[1] - 1 >= max(data.shape) - 1:
        out = temp
    else:
        side = side * u.pix
        out = temp.submap(u.Quantity([side[0], side[0]]), top_right=u.Quantity([side[1], side[1]]) - 1 * u.pix)
    out.meta["r_sun"] = out.meta["rsun_obs"] / out.meta["cdelt1"]
    out.meta["lvl_num"] = 1.5
    out.meta["bitpix"] = -64
    record(
        out,
        "aia-register",
        params={"target_scale": target, "missing": missing, "order": order},
        inputs={"scale_factor": scale_factor, "input_shape": list(smap.data.shape)},
    )
    return out


def _rotated_mask_and_uncertainty(smap: Any, scale_factor: float) -> dict[str, Any]:
    """The map's mask (any touched pixel is masked) and 1-sigma uncertainty, resampled like the data."""
    import astropy.units as u

    out: dict[str, Any] = {}
    args = (np.asarray(smap.rotation_matrix), scale_factor, tuple(u.Quantity(smap.reference_pixel).value))
    mask = smap.mask
    if mask is not None and np.ndim(mask) == 2 and np.any(mask):
        moved, _, _ = rotate_image(np.asarray(mask, dtype=float), *args, missing=0.0, order=1, clip=False)
        out["mask"] = moved > 0
    unc = getattr(smap, "uncertainty", None)
    if unc is not None:
        from astropy.nddata import StdDevUncertainty

        from irisplug_calib._common import std_of

        moved, _, _ = rotate_image(np.asarray(std_of(smap), dtype=float), *args, missing=np.nan, order=3, clip=False)
        out["uncertainty"] = StdDevUncertainty(np.abs(moved))
    return out


def _rotated_meta(smap: Any, shape: tuple[int, int], new_ref: tuple[float, float], scale: float) -> dict:
    """The metadata ``GenericMap.rotate(recenter=True, scale=scale)`` writes (sunpy 7)."""
    meta = smap.meta.copy()
    from astropy.coordinates import UnitSphericalRepresentation

    rep = smap.reference_coordinate.frame.represent_as(UnitSphericalRepresentation)
    lon, lat = rep.lon, rep.lat
    rmatrix = np.asarray(smap.rotation_matrix)
    pc = smap.rotation_matrix @ np.linalg.inv(rmatrix)
    meta["crval1"] = lon.to_value(smap.spatial_units[0])
    meta["crval2"] = lat.to_value(smap.spatial_units[1])
    meta["crpix1"] = new_ref[0] + 1
    meta["crpix2"] = new_ref[1] + 1
    meta["NAXIS1"] = shape[1]
    meta["NAXIS2"] = shape[0]
    meta["PC1_1"], meta["PC1_2"], meta["PC2_1"], meta["PC2_2"] = pc[0, 0], pc[0, 1], pc[1, 0], pc[1, 1]
    if scale != 1.0:
        meta["cdelt1"] = (smap.scale[0] / scale).value
        meta["cdelt2"] = (smap.scale[1] / scale).value
    for key in ("CROTA1", "CROTA2", "CD1_1", "CD1_2", "CD2_1", "CD2_2"):
        meta.pop(key, None)
    return meta
