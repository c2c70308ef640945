"""Align a target (Map, image, or frame cube) on a reference image in world coordinates.

Steps, as a solar physicist combining instruments does them:

1. Put the reference on the target's pixel grid *at the target's time*:
   ``reproject`` inside sunpy's ``propagate_with_solar_surface`` context, so
   solar (differential) rotation between the two times is removed
   (reference points are rotated on the solar surface to the target time).
2. Measure the misalignment of the target against that image: a sub-pixel
   shift (``method="fft"`` cross-correlation or ``"ncc"`` template
   matching) and optionally a small rotation / scale.
3. Write the result into the target's world coordinates (pointing) and keep a
   record in ``meta["irisplug_coalign"]`` and the processing history.

For a ``(frame, y, x)`` cube, frames are measured one by one (each against
the reference propagated to that frame's time) and the per-frame shifts are
applied as they are (``drift="frame"``), as their median (``"constant"``) or
as a polynomial in time (``"linear"``, ``"quadratic"``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import irisplug
from irisplug.errors import InconsistentInputError, UnsupportedObjectError
from irisplug.model import is_sunpy_map
from irisplug_coalign import images
from irisplug_coalign.confidence import LowConfidenceWarning, assess_shift, gate
from irisplug_coalign.repoint import shift_frames
from irisplug_coalign.wcs_correction import corrected_celestial_wcs, with_wcs

__all__ = ["ESTIMATORS", "coalign", "coalign_ncc", "measure", "reference_on_target_grid", "record_key"]

#: meta key holding the alignment record
record_key = "irisplug_coalign"
PLUGIN_VERSION = "0.1.0"


def _fft(reference: np.ndarray, moving: np.ndarray, *, max_shift: float | None = None, upsample: int = 100, **kw: Any) -> Any:
    from irisplug_coalign.phase_correlation import estimate_shift

    return estimate_shift(reference, moving, max_shift=max_shift, upsample=upsample, **kw)


def _ncc(reference: np.ndarray, moving: np.ndarray, *, max_shift: float | None = None, **kw: Any) -> Any:
    from irisplug_coalign.template_matching import estimate_shift_ncc

    kw.pop("upsample", None)
    limit = int(np.ceil(max_shift)) if max_shift else max(4, min(reference.shape) // 6)
    return estimate_shift_ncc(reference, moving, max_shift=limit, **kw)


#: shift estimators by method name: ``f(reference, moving, max_shift=, upsample=) -> ShiftEstimate``
ESTIMATORS: dict[str, Callable[..., Any]] = {"fft": _fft, "ncc": _ncc}


def reference_on_target_grid(reference: Any, target_map: Any, *, differential_rotation: bool = True) -> np.ndarray:
    """The reference image resampled onto the target map's pixels, at the target's time.

    Parameters
    ----------
    reference
        Map or 2-D image (see :func:`irisplug_coalign.images.as_map`).
    target_map
        sunpy Map whose WCS (with ``obstime`` and observer) defines the grid.
    differential_rotation
        Propagate reference points on the solar surface from the reference
        time to the target time (``sunpy.coordinates.propagate_with_solar_surface``).
        Pixels that leave the disk or the reference field are NaN.

    Examples
    --------
    >>> import sunpy.map, sunpy.data.test
    >>> aia = sunpy.map.Map(sunpy.data.test.get_test_filepath("aia_171_level1.fits"))
    >>> reference_on_target_grid(aia, aia).shape
    (128, 128)
    """
    from sunpy.coordinates import propagate_with_solar_surface

    ref_map = images.as_map(reference)
    if differential_rotation and abs((ref_map.date - target_map.date).to_value("s")) > 1:
        with propagate_with_solar_surface():
            out = ref_map.reproject_to(target_map.wcs)
    else:
        out = ref_map.reproject_to(target_map.wcs)
    return np.asarray(out.data, dtype=float)


def measure(
    target_map: Any,
    reference_image: np.ndarray,
    *,
    method: str | Callable[..., Any] = "fft",
    rotation: bool = False,
    fit_scale: bool = False,
    max_angle: float = 2.0,
    max_shift: float | None = None,
    upsample: int = 100,
) -> dict[str, Any]:
    """Misalignment of a target image against a reference already on its grid.

    Returns
    -------
    dict
        ``shift`` ``(dy, dx)`` pixels, ``angle`` (deg), ``scale``, ``peak``,
        ``centre`` ``(cy, cx)``.
    """
    data = np.asarray(target_map.data, dtype=float)
    if data.shape != reference_image.shape:
        raise InconsistentInputError(f"reference on target grid has shape {reference_image.shape}, target {data.shape}")
    centre = ((data.shape[0] - 1) / 2, (data.shape[1] - 1) / 2)
    if rotation or fit_scale:
        from irisplug_coalign.rotation import estimate_rotation_scale

        est = estimate_rotation_scale(reference_image, data, max_angle=max_angle, fit_scale=fit_scale)
        return {"shift": (est.dy, est.dx), "angle": est.angle, "scale": est.scale, "peak": est.peak, "centre": centre}
    estimator = ESTIMATORS[method] if isinstance(method, str) else method
    est = estimator(reference_image, data, max_shift=max_shift, upsample=upsample)
    return {"shift": (float(est.dy), float(est.dx)), "angle": 0.0, "scale": 1.0, "peak": float(est.peak), "centre": centre}


def _label(obj: Any) -> str:
    if obj is None:
        return "None"
    try:
        m = images.as_map(obj) if not images.is_frame_cube(obj) else None
    except Exception:  # noqa: BLE001 - a label only
        m = None
    if m is not None:
        return f"{m.observatory} {m.instrument} {m.wavelength} {m.date.isot}"
    from irisplug.model import window_label

    meta = getattr(obj, "meta", None) or {}
    desc = window_label(obj) or (meta.get("INSTRUME") if hasattr(meta, "get") else None) or ""
    return f"{type(obj).__name__} {desc}".strip()


def _confident_frames(scores: np.ndarray, figures: list[dict[str, float]], idx: list[int], min_confidence: float,
                      what: str, record: dict[str, Any]) -> np.ndarray:
    """Positions (into ``idx``) of the frames at or above ``min_confidence``; warn about the others, refuse if none."""
    import warnings

    good = np.flatnonzero(scores >= min_confidence) if min_confidence > 0 else np.flatnonzero([f["overlap"] > 0 for f in figures])
    record["confidence"] = {
        "min_confidence": min_confidence,
        "frames_below": [idx[k] for k in range(len(idx)) if k not in set(good.tolist())],
        "median_score": float(np.median(scores)) if scores.size else 0.0,
        "median_correlation": float(np.median([f["correlation"] for f in figures])) if figures else 0.0,
        "median_overlap": float(np.median([f["overlap"] for f in figures])) if figures else 0.0,
    }
    if good.size == 0:
        best = int(np.argmax(scores)) if scores.size else 0
        gate(figures[best] | {"score": float(scores[best])}, min_confidence=min_confidence,
             what=f"{what}: every measured frame (best frame {idx[best]})", record=record)
    low = record["confidence"]["frames_below"]
    if low:
        warnings.warn(
            f"{what}: frames {low} have co-alignment confidence below {min_confidence:g} and are left out of the correction",
            LowConfidenceWarning, stacklevel=3,
        )
    return good


def _pointing_change(old_wcs: Any, new_wcs: Any) -> tuple[float, float]:
    """Change (arcsec) of the world coordinate at the reference pixel."""
    pix = np.array(old_wcs.wcs.crpix, float) - 1
    a = old_wcs.celestial.wcs_pix2world(pix[None, :2], 0)[0]
    b = new_wcs.celestial.wcs_pix2world(pix[None, :2], 0)[0]
    d = (b - a + 180) % 360 - 180
    return float(d[0] * 3600), float(d[1] * 3600)


def _corrected_map(target_map: Any, result: dict[str, Any]) -> Any:
    import astropy.units as u
    import sunpy.map

    matrix = None
    if result["angle"] != 0.0 or result["scale"] != 1.0:
        from irisplug_coalign.rotation import rotation_matrix

        matrix = result["scale"] * rotation_matrix(result["angle"])
    old = target_map.wcs
    new = corrected_celestial_wcs(old, result["shift"], matrix, result["centre"])
    meta = target_map.meta.copy()
    units = [u.Unit(target_map.spatial_units[0]), u.Unit(target_map.spatial_units[1])]
    meta["crval1"] = (new.wcs.crval[0] * u.deg).to_value(units[0])
    meta["crval2"] = (new.wcs.crval[1] * u.deg).to_value(units[1])
    if matrix is not None:
        pc = new.wcs.get_pc()
        for key in ("crota", "crota1", "crota2", "cd1_1", "cd1_2", "cd2_1", "cd2_2"):
            meta.pop(key, None)
        meta["crpix1"], meta["crpix2"] = float(new.wcs.crpix[0]), float(new.wcs.crpix[1])
        meta["cdelt1"], meta["cdelt2"] = float(new.wcs.cdelt[0]), float(new.wcs.cdelt[1])
        meta["cdelt1"] = (meta["cdelt1"] * u.deg).to_value(units[0])
        meta["cdelt2"] = (meta["cdelt2"] * u.deg).to_value(units[1])
        meta["pc1_1"], meta["pc1_2"], meta["pc2_1"], meta["pc2_2"] = (float(v) for v in pc.ravel())
    return sunpy.map.Map(target_map.data, meta), _pointing_change(old, new)


def _describe(obj: Any) -> dict[str, Any]:
    try:
        m = images.as_map(obj)
        return {"observatory": str(m.observatory), "instrument": str(m.instrument), "wavelength": str(m.wavelength), "date": m.date.isot}
    except Exception:  # noqa: BLE001 - description only
        return {"type": type(obj).__name__}


def _record(obj: Any, record: dict[str, Any], reference: Any, method: str) -> Any:
    meta = obj.meta
    meta[record_key] = record
    irisplug.record_step(
        obj, "coalign", plugin="coalign", version=PLUGIN_VERSION,
        params={k: v for k, v in record.items() if k not in ("per_frame",)} | {"method": method},
        inputs={"reference": _describe(reference)},
    )
    return obj


def _drift_model(times: Any, shifts: np.ndarray, drift: str, all_times: Any) -> np.ndarray:
    if drift == "frame":
        return shifts
    if drift == "constant":
        return np.repeat(np.median(shifts, axis=0)[None, :], len(all_times), axis=0)
    degree = {"linear": 1, "quadratic": 2}.get(drift)
    if degree is None:
        raise ValueError(f"drift must be 'frame', 'constant', 'linear' or 'quadratic', got {drift!r}")
    t = (times - all_times[0]).to_value("s")
    ta = (all_times - all_times[0]).to_value("s")
    degree = min(degree, len(t) - 1)
    return np.stack([np.polyval(np.polyfit(t, shifts[:, k], degree), ta) for k in range(2)], axis=1)


def coalign(
    target: Any,
    reference: Any,
    *,
    method: str | Callable[..., Any] = "fft",
    rotation: bool = False,
    fit_scale: bool = False,
    max_angle: float = 2.0,
    max_shift: float | None = None,
    upsample: int = 100,
    differential_rotation: bool = True,
    frames: Sequence[int] | None = None,
    drift: str = "constant",
    min_confidence: float = 1.0,
    quiet: bool | None = None,
) -> Any:
    """Return ``target`` with world coordinates corrected to match ``reference``.

    Parameters
    ----------
    target
        sunpy Map, 2-D image NDCube, or ``(frame, y, x)`` cube (SJI).
    reference
        sunpy Map (e.g. AIA 1600/1700/304) or 2-D image with a celestial WCS.
    method
        ``"fft"`` (sub-pixel cross-correlation) or ``"ncc"`` (template
        matching), or a callable ``f(reference, moving, max_shift=, upsample=)``
        returning an object with ``dy``, ``dx``, ``peak``.
    rotation, fit_scale, max_angle
        Also fit a small rotation (and plate scale) within ``+-max_angle`` degrees.
    max_shift
        Largest shift searched, in target pixels.
    differential_rotation
        Propagate the reference to the target time on the solar surface.
    frames
        Cube frames to measure (default: up to 16 evenly spaced).
    drift
        Cube correction model: ``"constant"`` (median shift), ``"linear"`` /
        ``"quadratic"`` (polynomial in time), ``"frame"`` (each measured frame
        as is; requires measuring every frame).
    min_confidence
        Least confidence score (:mod:`irisplug_coalign.confidence`: overlap,
        correlation, peak sharpness, agreement of two estimates, relative to
        documented thresholds; 1 = at the thresholds). Below it the pointing is
        not changed and :class:`~irisplug_coalign.confidence.LowConfidenceError`
        is raised; cube frames below it are left out of the drift model (with a
        warning). ``0`` forces the correction.

    Returns
    -------
    object
        A new object of the target's type; ``meta["irisplug_coalign"]`` holds
        the shift in pixels, the pointing change in arcsec and the confidence
        figures (``"confidence"``).

    Raises
    ------
    irisplug_coalign.confidence.LowConfidenceError
        The measured shift is below ``min_confidence`` (e.g. the two fields do
        not overlap, or the images do not correlate).

    Examples
    --------
    >>> import irisplug, sunpy.map, sunpy.data.test
    >>> aia = sunpy.map.Map(sunpy.data.test.get_test_filepath("aia_171_level1.fits"))
    >>> out = irisplug.coalign(aia, aia, method="fft")
    >>> [round(v, 3) for v in out.meta["irisplug_coalign"]["shift_pixels"]]
    [0.0, 0.0]
    """
    name = method if isinstance(method, str) else getattr(method, "__name__", "custom")
    opts = dict(method=method, rotation=rotation, fit_scale=fit_scale, max_angle=max_angle, max_shift=max_shift, upsample=upsample)
    if images.is_image(target):
        tmap = images.as_map(target)
        ref_img = reference_on_target_grid(reference, tmap, differential_rotation=differential_rotation)
        res = measure(tmap, ref_img, **opts)
        record = {"method": name, "shift_pixels": list(res["shift"]), "rotation_deg": res["angle"], "scale": res["scale"], "peak": res["peak"]}
        figures = assess_shift(ref_img, np.asarray(tmap.data, dtype=float), res["shift"], max_shift=max_shift)
        record["confidence"] = figures
        gate(figures, min_confidence=min_confidence, what=f"co-alignment ({name}) of {_label(target)} on {_label(reference)}", record=record)
        if is_sunpy_map(target):
            new, dpoint = _corrected_map(target, res)
            record["pointing_change_arcsec"] = list(dpoint)
            return _record(new, record, reference, name)
        matrix = None
        if rotation or fit_scale:
            from irisplug_coalign.rotation import rotation_matrix

            matrix = res["scale"] * rotation_matrix(res["angle"])
        old = images._celestial_fits_wcs(target)
        full = target.wcs.low_level_wcs if hasattr(target.wcs, "low_level_wcs") else target.wcs
        if full is not old and getattr(full, "naxis", 2) != 2:
            raise UnsupportedObjectError("2-D image with a higher-dimensional WCS: convert it with to_map() first")
        new_wcs = corrected_celestial_wcs(old, res["shift"], matrix, res["centre"])
        record["pointing_change_arcsec"] = list(_pointing_change(old, new_wcs))
        return _record(with_wcs(target, new_wcs), record, reference, name)
    if images.is_frame_cube(target):
        if rotation or fit_scale:
            raise UnsupportedObjectError("rotation/scale correction of a frame cube is not supported; align frames as Maps")
        n = images.frame_count(target)
        idx = list(frames) if frames is not None else sorted(set(np.linspace(0, n - 1, min(n, 16)).round().astype(int).tolist()))
        if drift == "frame" and len(idx) != n:
            idx = list(range(n))
        times = images.frame_times(target)
        shifts, peaks, figures = [], [], []
        for i in irisplug.progress(idx, total=len(idx), desc="coalign frames", quiet=quiet):
            fmap = images.frame_map(target, i)
            ref_img = reference_on_target_grid(reference, fmap, differential_rotation=differential_rotation)
            res = measure(fmap, ref_img, **opts)
            shifts.append(res["shift"])
            peaks.append(res["peak"])
            figures.append(assess_shift(ref_img, np.asarray(fmap.data, dtype=float), res["shift"], max_shift=max_shift))
        shifts_arr = np.array(shifts, float)
        scores = np.array([f["score"] for f in figures])
        record = {
            "method": name, "drift": drift, "frames_measured": idx,
            "measured_shift_pixels": shifts_arr.tolist(), "peaks": peaks,
            "frame_confidence": scores.tolist(),
        }
        good = _confident_frames(scores, figures, idx, min_confidence, f"co-alignment ({name}) of {_label(target)} on {_label(reference)}", record)
        used = [idx[k] for k in good]
        if drift == "frame":
            per_frame = np.zeros((n, 2))  # frames below the threshold keep their pointing
            per_frame[used] = shifts_arr[good]
        else:
            per_frame = _drift_model(times[used], shifts_arr[good], drift, times)
        wcs = shift_frames(target.wcs, dy=per_frame[:, 0], dx=per_frame[:, 1])
        record |= {
            "frames_used": used,
            "shift_pixels": np.median(per_frame, axis=0).tolist(),
            "per_frame": per_frame.tolist(),
        }
        return _record(with_wcs(target, wcs), record, reference, name)
    raise UnsupportedObjectError(f"cannot co-align a {type(target).__name__}: expected a sunpy Map, a 2-D image or a (frame, y, x) cube")


#: :func:`coalign` with normalised cross-correlation (the ``ncc`` co-aligner): ``coalign_ncc(target, reference, **kw)``.
coalign_ncc = functools.partial(coalign, method="ncc")
