"""Frame-to-frame jitter and drift within one slit-jaw cube, corrected in the WCS.

Each frame is cross-correlated with a reference frame of the same cube (or,
with ``chain=True``, with its predecessor, accumulating, for long sequences
whose scene evolves). The cube's WCS already predicts part of the motion
(IRIS records per-frame pointing, XCENIX/YCENIX); only the residual --
measured shift minus the shift the WCS predicts between the two frames --
is a pointing error. It is written into the coordinates as new per-frame
pointing (:func:`~irisplug_coalign.repoint.shift_frames`: a PerExposureWCS
for IRIS cubes, else a per-frame pixel offset), so
``pixel_to_world`` of the returned cube names the same solar feature in
every frame. Data are not resampled.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import irisplug
from irisplug_coalign import images
from irisplug_coalign.repoint import shift_frames
from irisplug_coalign.wcs_correction import FrameOffsetWCS, with_wcs

__all__ = ["measure_jitter", "predicted_shifts", "dejitter", "slit_columns"]


def predicted_shifts(cube: Any, reference_frame: int) -> np.ndarray:
    """Pixel shift of each frame relative to ``reference_frame`` that the WCS already encodes.

    The world point at the reference frame's image centre is located in every
    frame; the difference of pixel positions is the expected shift of the
    scene ``(dy, dx)``.
    """
    n = images.frame_count(cube)
    ny, nx = cube.data.shape[1:]
    cx, cy = (nx - 1) / 2, (ny - 1) / 2
    low = cube.wcs.low_level_wcs
    world = low.pixel_to_world_values(cx, cy, float(reference_frame))
    out = np.zeros((n, 2))
    for i in range(n):
        # the world point at (cx, cy) of the reference frame, located in frame i:
        # replace the time/frame world value by frame i's
        wi = list(low.pixel_to_world_values(cx, cy, float(i)))
        wi[0], wi[1] = world[0], world[1]
        px = low.world_to_pixel_values(*wi)
        out[i] = (float(px[1]) - cy, float(px[0]) - cx)
    return out


def measure_jitter(
    cube: Any,
    *,
    reference_frame: int | None = None,
    method: str = "fft",
    chain: bool = False,
    max_shift: float | None = None,
    quiet: bool | None = None,
    mask_slit: bool = True,
    slit_halfwidth: int = 2,
    return_confidence: bool = False,
) -> Any:
    """Measured image shifts ``(n_frames, 2)`` of every frame relative to the reference frame.

    With ``return_confidence``, also the confidence figures of every frame's
    measurement (:func:`irisplug_coalign.confidence.assess_shift`; the
    reference frame's are perfect).

    The slit (a dark line that moves with the raster) is masked out of both
    frames of every pair when the cube carries its per-frame column as the
    extra coordinate ``"slit_x"`` (``mask_slit``; ``slit_halfwidth`` columns
    on each side).

    Examples
    --------
    >>> import numpy as np, ndcube, scipy.ndimage as ndi
    >>> from astropy.wcs import WCS
    >>> rng = np.random.default_rng(0)
    >>> scene = ndi.gaussian_filter(rng.normal(size=(96, 96)), 2)
    >>> data = np.stack([ndi.shift(scene, (0.5 * i, -0.3 * i), mode="nearest") for i in range(3)])
    >>> w = WCS(naxis=3); w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN", "TIME"]; w.wcs.set()
    >>> measure_jitter(ndcube.NDCube(data, wcs=w), reference_frame=0, quiet=True).round(1).tolist()
    [[0.0, 0.0], [0.5, -0.3], [1.0, -0.6]]
    """
    from irisplug.model import invalid_mask
    from irisplug_coalign.align import ESTIMATORS
    from irisplug_coalign.confidence import assess_shift

    n = images.frame_count(cube)
    ref_i = n // 2 if reference_frame is None else int(reference_frame)
    estimator = ESTIMATORS[method]
    data = cube.data
    out = np.zeros((n, 2))
    order = list(range(ref_i + 1, n)) + list(range(ref_i - 1, -1, -1))
    slit = slit_columns(cube) if mask_slit else None

    def frame(i: int) -> np.ndarray:
        f = np.array(data[i], dtype=np.float32)
        f[invalid_mask(cube, f, levels=("missing_value", "saturation_level"))] = np.nan  # the reader's levels: no data
        return f

    def pair(a_i: int, b_i: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = frame(a_i), frame(b_i)
        if slit is not None:  # both slits out of both frames: a fixed-position mask
            for k in (a_i, b_i):
                lo, hi = max(0, int(np.floor(slit[k])) - slit_halfwidth), int(np.ceil(slit[k])) + slit_halfwidth + 1
                a[:, lo:hi] = np.nan
                b[:, lo:hi] = np.nan
        return a, b

    figures: list[dict[str, float] | None] = [None] * n
    figures[ref_i] = {"overlap": 1.0, "correlation": 1.0, "sharpness": float("inf"), "agreement_px": 0.0, "score": float("inf")}
    for i in irisplug.progress(order, total=len(order), desc="jitter", quiet=quiet):
        j = (i - 1 if i > ref_i else i + 1) if chain else ref_i
        a, b = pair(j, i)
        est = estimator(a, b, max_shift=max_shift)
        figures[i] = assess_shift(a, b, (est.dy, est.dx), max_shift=max_shift)
        out[i] = (out[j] if chain else 0.0) + np.array((est.dy, est.dx))
    if return_confidence:
        return out, figures
    return out


def slit_columns(cube: Any) -> np.ndarray | None:
    """Per-frame slit column (0-based pixel) from an extra coordinate ``"slit_x"``, if any.

    ``slit_x`` follows IRIS's SLTPX1IX (1-based window pixel). ``None`` when
    the cube does not carry it.
    """
    try:
        from irisplug.model import extra_coord

        value = extra_coord(cube, "slit_x")
    except Exception:  # noqa: BLE001 - no model or no such coordinate
        return None
    if value is None:
        return None
    return np.asarray(getattr(value, "value", value), float).ravel() - 1.0


def dejitter(
    cube: Any,
    reference_frame: int | None = None,
    *,
    method: str = "fft",
    chain: bool = False,
    max_shift: float | None = None,
    quiet: bool | None = None,
    mask_slit: bool = True,
    min_confidence: float = 1.0,
) -> Any:
    """The cube with per-frame pointing corrected for jitter and drift (data untouched).

    ``meta["irisplug_coalign"]`` holds the measured, WCS-predicted and
    corrected (residual) per-frame shifts in pixels, and every frame's
    confidence score (``"frame_confidence"``, :mod:`irisplug_coalign.confidence`).
    A frame whose measurement scores below ``min_confidence`` (a null or
    cloudy frame, a frame without common features) keeps its pointing and is
    named in a :class:`~irisplug_coalign.confidence.LowConfidenceWarning`;
    ``min_confidence=0`` corrects every frame. When no frame but the reference
    passes, :class:`~irisplug_coalign.confidence.LowConfidenceError` is raised.

    Examples
    --------
    >>> fixed = irisplug.coalign(sji_cube, None, method="jitter")  # doctest: +SKIP
    >>> fixed.meta["irisplug_coalign"]["per_frame"][:2]  # doctest: +SKIP
    """
    from irisplug_coalign.align import PLUGIN_VERSION, record_key

    n = images.frame_count(cube)
    ref_i = n // 2 if reference_frame is None else int(reference_frame)
    measured, figures = measure_jitter(cube, reference_frame=ref_i, method=method, chain=chain, max_shift=max_shift,
                                       quiet=quiet, mask_slit=mask_slit, return_confidence=True)
    predicted = predicted_shifts(cube, ref_i)
    residual = measured - predicted
    scores = np.array([f["score"] for f in figures])
    low = [i for i in range(n) if i != ref_i and (scores[i] < min_confidence or figures[i]["overlap"] <= 0)]
    what = f"jitter ({method}) of {type(cube).__name__}"
    if n > 1 and len(low) == n - 1:
        from irisplug_coalign.confidence import gate

        best = max((i for i in range(n) if i != ref_i), key=lambda i: scores[i])
        gate(figures[best], min_confidence=min_confidence, what=f"{what}: every frame (best frame {best})",
             record={"method": f"jitter/{method}", "frame_confidence": scores.tolist()})
    if low:
        import warnings

        from irisplug_coalign.confidence import LowConfidenceWarning

        residual[low] = 0.0  # no correction where the measurement cannot be trusted
        warnings.warn(f"{what}: frames {low} have co-alignment confidence below {min_confidence:g} and keep their pointing",
                      LowConfidenceWarning, stacklevel=2)
    base = cube.wcs.low_level_wcs
    if isinstance(base, FrameOffsetWCS):  # already corrected once (generic WCS): add up
        wcs = FrameOffsetWCS(base.base, dy=residual[:, 0] + base.shifts[:, 0], dx=residual[:, 1] + base.shifts[:, 1])
    else:  # new per-exposure pointing (a PerExposureWCS corrected twice composes by itself)
        wcs = shift_frames(cube.wcs, dy=residual[:, 0], dx=residual[:, 1])
    record = {
        "method": f"jitter/{method}", "reference_frame": ref_i, "chain": chain,
        "measured": measured.tolist(), "predicted_by_wcs": predicted.tolist(), "per_frame": residual.tolist(),
        "shift_pixels": np.median(residual, axis=0).tolist(),
        "frame_confidence": [float(min(v, 1e6)) for v in scores], "frames_below": low,
        "confidence": {"min_confidence": min_confidence, "frames_below": low,
                       "median_score": float(np.median(np.minimum(scores, 1e6)))},
    }
    out = with_wcs(cube, wcs, {record_key: record})
    irisplug.record_step(out, "coalign", plugin="coalign", version=PLUGIN_VERSION,
                                    params={"method": f"jitter/{method}", "reference_frame": ref_i, "chain": chain,
                                            "confidence": record["confidence"]})
    return out
