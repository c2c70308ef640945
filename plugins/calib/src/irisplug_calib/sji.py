"""Registration of image cubes frame by frame (IRIS slit-jaw images): each frame its own roll and pointing.

Every frame is rotated about its own reference pixel by the inverse of its
own PC matrix (solar north up), rescaled to a common plate scale and moved so
that its reference pixel sits at the centre of a common output array. The
interpolation is the exact cubic B-spline of :mod:`irisplug_calib.bspline`
(as ``aia-register`` and sunpy's ``rotate``). The output frames keep their
own reference coordinate (pointing); their PC matrices become the identity.

Examples
--------
>>> import irisplug  # doctest: +SKIP
>>> sji = irisplug.read(sji_file)["SJI_1400"]  # doctest: +SKIP
>>> reg = irisplug.calibrate(sji, ["sji-register"])  # doctest: +SKIP
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from irisplug.errors import CalibrationError, UnsupportedObjectError
from irisplug_calib._common import frame_values, irisplug_progress, new_cube, record

__all__ = [
    "frame_headers", "register_frames", "register_cube", "register_cubes"]


def frame_headers(cube: Any) -> list[dict[str, Any]]:
    """The 2-D celestial FITS WCS keywords of every frame of a (frame, y, x) cube.

    Uses ``cube.wcs.exposure_header(i)`` (irisplug's per-exposure WCS) or,
    for a plain FITS WCS, its celestial part for every frame.

    Raises
    ------
    UnsupportedObjectError
        When the cube has no celestial (helioprojective) axes.

    Examples
    --------
    >>> import numpy as np, ndcube, astropy.wcs
    >>> w = astropy.wcs.WCS(naxis=3)
    >>> w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN", "TIME"]
    >>> frame_headers(ndcube.NDCube(np.zeros((2, 4, 4)), wcs=w))[1]["CTYPE1"]
    'HPLN-TAN'
    """
    n = cube.data.shape[0]
    wcs = cube.wcs
    low = getattr(wcs, "low_level_wcs", wcs)
    index = np.arange(n)
    # a sliced cube: follow astropy's SlicedLowLevelWCS to the per-exposure WCS, mapping frame numbers
    while not hasattr(low, "exposure_header") and hasattr(low, "_wcs") and hasattr(low, "_slices_array"):
        first = low._slices_array[0]
        if isinstance(first, slice):
            index = np.arange(first.start or 0, (first.start or 0) + (first.step or 1) * n, first.step or 1)[:n]
        low = low._wcs
    if hasattr(low, "exposure_header"):
        return [dict(low.exposure_header(int(i))) for i in index]
    if hasattr(low, "celestial") and low.celestial.naxis == 2:
        hdr = dict(low.celestial.to_header())
        return [hdr] * n
    raise UnsupportedObjectError(f"cannot find a celestial WCS per frame in a {type(wcs).__name__}")


def _geometry(hdr: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, float]:
    pc = np.array([[hdr.get("PC1_1", 1.0), hdr.get("PC1_2", 0.0)], [hdr.get("PC2_1", 0.0), hdr.get("PC2_2", 1.0)]], float)
    refpix = np.array([hdr["CRPIX1"] - 1.0, hdr["CRPIX2"] - 1.0])
    return pc, refpix, float(hdr["CDELT1"])


def register_frames(
    data: np.ndarray,
    rmatrices: np.ndarray,
    reference_pixels: np.ndarray,
    scales: np.ndarray,
    *,
    output_shape: tuple[int, int] | None = None,
    missing: float = np.nan,
    masks: np.ndarray | None = None,
    quiet: bool = True,
) -> tuple[np.ndarray, tuple[float, float]]:
    """De-roll and rescale every frame about its own reference pixel onto a common grid.

    Parameters
    ----------
    data
        (n, ny, nx).
    rmatrices
        (n, 2, 2) PC matrices of the frames.
    reference_pixels
        (n, 2) 0-based ``(x, y)`` reference pixels.
    scales
        (n,) scale factors (old plate scale / new plate scale).
    output_shape
        Common (ny, nx); default large enough for every rotated frame.
    missing
        Fill value outside a frame.
    masks
        (n, ny, nx) booleans; output pixels touched by a masked input pixel become NaN.

    Returns
    -------
    data, reference_pixel
        (n, *output_shape) float64 and the 0-based common reference pixel (the centre).

    Examples
    --------
    >>> import numpy as np
    >>> img = np.random.default_rng(0).normal(size=(2, 16, 16))
    >>> out, ref = register_frames(img, np.stack([np.eye(2)] * 2), np.full((2, 2), 7.5), np.ones(2))
    >>> out.shape, ref, bool(np.allclose(out, img))
    ((2, 16, 16), (7.5, 7.5), True)
    """
    from irisplug_calib import bspline

    n, ny, nx = data.shape
    if output_shape is None:
        ext = np.zeros(2)
        for r, s in zip(rmatrices, scales, strict=True):
            rot = np.vstack([r @ c for c in itertools.product([-0.5, nx - 0.5], [-0.5, ny - 0.5])]) * s
            ext = np.maximum(ext, rot.max(axis=0) - rot.min(axis=0))
        output_shape = (max(ny, int(np.ceil(ext[1]))), max(nx, int(np.ceil(ext[0]))))
    oy, ox = output_shape
    center = np.array([(ox - 1) / 2.0, (oy - 1) / 2.0])
    out = np.empty((n, oy, ox))
    for i in irisplug_progress(range(n), total=n, desc="registering frames", quiet=quiet):
        frame = np.asarray(data[i], dtype=float)
        finite = np.isfinite(frame)
        fill = float(np.nanmedian(frame)) if finite.any() else 0.0
        m = np.linalg.inv(rmatrices[i]) / scales[i]
        shift = reference_pixels[i] - m @ center
        coef = bspline.spline_prefilter(np.where(finite, frame, fill))
        res = bspline.resample(coef, m, shift, output_shape, np.nan if np.isnan(missing) else missing)
        bad_in = ~finite if masks is None else (~finite | np.asarray(masks[i], dtype=bool))
        if bad_in.any():
            import scipy.ndimage

            bad = scipy.ndimage.affine_transform(bad_in.astype(float).T, m, offset=shift, output_shape=(ox, oy),
                                                 order=1, mode="constant", cval=0.0).T
            res[bad > 0] = np.nan
        out[i] = res
    return out, (float(center[0]), float(center[1]))


def register_cube(
    cube: Any, *, target_scale: float | None = None, missing: float = np.nan, output_shape: tuple[int, int] | None = None
) -> Any:
    """Register every frame of an image cube (frame, y, x): north up, common plate scale, per-frame pointing kept.

    Parameters
    ----------
    cube
        An IRIS slit-jaw cube (or any NDCube whose WCS gives a celestial WCS per frame).
    target_scale
        Output plate scale in the cube's CUNIT per pixel (default: the first frame's).
    missing
        Fill value outside the frames (default NaN, also masked).

    Raises
    ------
    CalibrationError
        The cube is not 3-D.

    Examples
    --------
    >>> obs = irisplug.read(sji_file)  # doctest: +SKIP
    >>> register_cube(obs["SJI_1400"], target_scale=0.33).data.shape  # doctest: +SKIP
    """
    if cube.data.ndim != 3:
        raise CalibrationError(f"sji-register needs a (frame, y, x) cube, got shape {cube.data.shape}")
    headers = frame_headers(cube)
    geo = [_geometry(h) for h in headers]
    target = float(target_scale) if target_scale is not None else geo[0][2]
    rm = np.stack([g[0] for g in geo])
    refpix = np.stack([g[1] for g in geo])
    scales = np.array([g[2] / target for g in geo])
    mask = cube.mask if cube.mask is not None and np.ndim(cube.mask) == 3 else None
    data, center = register_frames(np.asarray(cube.data), rm, refpix, scales, output_shape=output_shape,
                                   missing=missing, masks=None if mask is None else np.asarray(mask))
    wcs = _registered_wcs(cube, headers, data.shape, center, target)
    mask = ~np.isfinite(data)
    new = new_cube(cube, data, mask=mask, uncertainty=None)
    new._wcs = wcs
    return record(new, "sji-register", {"target_scale": target, "missing": missing},
                  {"rolls_deg": np.degrees(np.arctan2(rm[:, 1, 0], rm[:, 0, 0])).round(4).tolist()})


def _registered_wcs(cube: Any, headers: list[dict[str, Any]], shape: tuple[int, ...], center: tuple[float, float],
                    scale: float) -> Any:
    """A per-frame WCS with identity PC, the common reference pixel and each frame's own pointing."""
    n, oy, ox = shape
    crval1 = [float(h["CRVAL1"]) for h in headers]
    crval2 = [float(h["CRVAL2"]) for h in headers]
    base = {k: v for k, v in headers[0].items() if not k.startswith(("PC", "CD"))}
    base.update({"NAXIS": 3, "NAXIS1": ox, "NAXIS2": oy, "NAXIS3": n, "CRPIX1": center[0] + 1, "CRPIX2": center[1] + 1,
                 "CDELT1": scale, "CDELT2": scale, "CTYPE3": "TIME", "CUNIT3": "s", "CRPIX3": 1, "CRVAL3": 0, "CDELT3": 1})
    times = frame_values(cube, "time")
    try:
        from irisplug.model import PerExposureWCS

        if times is None:
            raise ImportError
        t0 = times[0]
        return PerExposureWCS(base, exposure_axis=3, lon_axis=1, lat_axis=2, crval_lon=crval1, crval_lat=crval2,
                              times=(times - t0).sec, reference_time=t0.utc.isot, pc=np.stack([np.eye(2)] * n))
    except ImportError:
        import astropy.wcs

        if len(set(crval1)) > 1 or len(set(crval2)) > 1:
            raise CalibrationError("frames with different pointings need irisplug.model.PerExposureWCS") from None
        hdr = {k: v for k, v in base.items() if not k.endswith("3")}
        hdr["NAXIS"] = 2
        w2 = astropy.wcs.WCS(hdr)
        return w2.sub([1, 2, 0]) if hasattr(w2, "sub") else w2


def register_cubes(
    obj: Any, *, target_scale: float | None = None, missing: float = np.nan, output_shape: tuple[int, int] | None = None
) -> Any:
    """:func:`register_cube` on a cube, on every cube of a sequence or on each item of a collection (``sji-register``).

    Examples
    --------
    >>> out = irisplug.calibrate(sji_cube, ["sji-register"])  # doctest: +SKIP
    """
    from irisplug_calib._common import map_cubes

    return map_cubes(
        obj,
        lambda c: register_cube(c, target_scale=target_scale, missing=missing, output_shape=output_shape),
        "sji-register",
    )
