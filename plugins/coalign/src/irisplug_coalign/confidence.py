"""How far a measured co-alignment shift can be trusted, and the gate that refuses weak ones.

Every co-alignment method measures, next to its shift, four figures on the
two images it compared (the reference already on the target's grid):

``overlap``
    Fraction of the target's pixels where both images hold data (finite, not
    the instrument's fill value). Two fields that do not overlap (an AIA
    reference from another day rotated off the target field, a cut-out
    elsewhere on the disk) leave nothing to correlate.
``correlation``
    Pearson correlation coefficient of the two images on their common pixels
    after the measured shift is applied (linear interpolation): how well the
    aligned images agree, estimator-independent, 1 for a perfect match.
``sharpness``
    Height of the correlation peak above the rest of the surface, in robust
    standard deviations: ``(peak - median) / (1.4826 MAD)`` of the phase
    correlation surface (whitened cross-power spectrum, Gaussian low-pass of
    1 px) outside 3 pixels around the peak. Matching images give a sharp peak
    whatever their large-scale structure; noise or unrelated fields give a
    maximum of about 4-5 sigma (the largest of ~10^4 noise samples).
``agreement_px``
    Distance (pixels) between the method's shift and a second, independent
    estimate: the integer maximum of that surface (for ``sji-raster``, the
    grid search versus the refined optimum).

They are combined into one **confidence score**, the smallest of their
ratios to the documented thresholds::

    score = min(overlap / MIN_OVERLAP, correlation / MIN_CORRELATION,
                sharpness / MIN_SHARPNESS, MAX_DISAGREEMENT_PX / agreement_px)

``sji-raster`` compares one synthetic image with SJI samples over a coarse
grid of world offsets (+-``max_offset``, ~11 x 11 points): that grid is too
broad and coarse for a peak-significance figure, so its score leaves the
sharpness out (it is still recorded). Its second estimate is the offset
measured on independent halves of the raster (along the slit, across the
steps): ``agreement_px`` is their largest distance, half of it the offset's
uncertainty (``uncertainty_arcsec``), allowed up to
:data:`irisplug_coalign.sji_raster.MAX_UNCERTAINTY_PX` SJI pixels.
A score of 1 or more passes; below ``min_confidence`` (default 1) the method
raises :class:`LowConfidenceError` and the pointing is not changed; between 1
and :data:`WARN_SCORE` it passes with a :class:`LowConfidenceWarning`. The
figures and the score are recorded in ``meta["irisplug_coalign"]["confidence"]``
and in the processing history. ``min_confidence=0`` forces the correction
(an explicit opt-in); two fields without any common pixel are refused even
then.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from irisplug.errors import InconsistentInputError, IrisplugWarning

__all__ = [
    "MIN_OVERLAP",
    "MIN_CORRELATION",
    "MIN_SHARPNESS",
    "MAX_DISAGREEMENT_PX",
    "WARN_SCORE",
    "LowConfidenceError",
    "LowConfidenceWarning",
    "assess_shift",
    "score",
    "gate",
]

#: least fraction of target pixels where both images hold data
MIN_OVERLAP = 0.25
#: least Pearson correlation of the aligned images
MIN_CORRELATION = 0.2
#: least height of the correlation peak above the surface, in robust sigma
MIN_SHARPNESS = 5.0
#: largest distance (pixels) between the method's shift and the second estimate
MAX_DISAGREEMENT_PX = 1.5
#: scores between 1 and this pass with a warning
WARN_SCORE = 1.5

_EXCLUDE = 3


class LowConfidenceError(InconsistentInputError):
    """A co-alignment result below the confidence threshold; the pointing was not changed.

    ``record`` holds the measured shift and the confidence figures.
    """

    def __init__(self, message: str, *, record: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.record = record or {}


class LowConfidenceWarning(IrisplugWarning):
    """A co-alignment result that passed the threshold narrowly, or frames left out for low confidence."""


def _valid(image: np.ndarray, missing: float | None) -> np.ndarray:
    ok = np.isfinite(image)
    if missing is not None:
        ok &= image != missing
    return ok


def _surface(reference: np.ndarray, moving: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Phase-correlation surface of the common pixels (whitened cross-power, 1 px Gaussian low-pass).

    Whitening makes the surface of two matching images a sharp peak on a flat,
    noise-like background whatever their large-scale structure (a solar disk,
    a limb); for unrelated images it is noise alone.
    """
    import scipy.fft

    from irisplug_coalign.preprocess import tukey_window

    a = np.where(ok, reference, 0.0)
    b = np.where(ok, moving, 0.0)
    n = max(int(ok.sum()), 1)
    win = tukey_window(a.shape, 0.25, dtype=np.float64) * ok
    a = (a - a.sum() / n) * win
    b = (b - b.sum() / n) * win
    spec = np.conj(scipy.fft.rfft2(a)) * scipy.fft.rfft2(b)
    mag = np.abs(spec)
    spec = spec / np.maximum(mag, 1e-12 * (mag.max() or 1.0))
    fy = np.fft.fftfreq(a.shape[0])[:, None]
    fx = np.fft.rfftfreq(a.shape[1])[None, :]
    spec *= np.exp(-2 * np.pi**2 * (fy**2 + fx**2))  # Gaussian low-pass, sigma = 1 px
    return scipy.fft.irfft2(spec, s=a.shape)


def assess_shift(
    reference: np.ndarray,
    moving: np.ndarray,
    shift: tuple[float, float],
    *,
    missing: float | None = None,
    max_shift: float | None = None,
) -> dict[str, float]:
    """The confidence figures of ``shift`` (``moving ~= ndimage.shift(reference, shift)``).

    Parameters
    ----------
    reference, moving
        2-D images of one shape (NaN and ``missing`` are no data).
    shift
        ``(dy, dx)`` measured by a method, in pixels.
    max_shift
        The search radius the method used (the second estimate searches the same).

    Returns
    -------
    dict
        ``overlap``, ``correlation``, ``sharpness``, ``agreement_px`` and ``score``.

    Examples
    --------
    >>> import numpy as np, scipy.ndimage as ndi
    >>> rng = np.random.default_rng(0)
    >>> scene = ndi.gaussian_filter(rng.normal(size=(96, 96)), 2)
    >>> good = assess_shift(scene, ndi.shift(scene, (2.0, -3.0)), (2.0, -3.0))
    >>> good["score"] >= 1, round(good["correlation"], 2)
    (True, 1.0)
    >>> bad = assess_shift(scene, rng.normal(size=(96, 96)), (2.0, -3.0))
    >>> bad["score"] < 1
    True
    """
    import scipy.ndimage as ndi

    ref = np.asarray(reference, dtype=float)
    mov = np.asarray(moving, dtype=float)
    if ref.shape != mov.shape or ref.ndim != 2:
        raise InconsistentInputError(f"need two 2-D images of one shape, got {ref.shape} and {mov.shape}")
    ok_r, ok_m = _valid(ref, missing), _valid(mov, missing)
    both = ok_r & ok_m
    out = {"overlap": float(both.mean()), "correlation": 0.0, "sharpness": 0.0, "agreement_px": float("inf")}
    if both.sum() < 16:
        out["score"] = score(out)
        return out
    dy, dx = float(shift[0]), float(shift[1])
    # correlation after alignment: the reference moved by the shift, on the pixels valid in both
    fill = float(np.median(ref[ok_r]))
    moved = ndi.shift(np.where(ok_r, ref, fill), (dy, dx), order=1, mode="constant", cval=np.nan)
    moved_ok = ndi.shift(ok_r.astype(float), (dy, dx), order=1, mode="constant", cval=0.0) > 0.999
    common = moved_ok & ok_m & np.isfinite(moved)
    if common.sum() >= 16:
        a, b = moved[common], mov[common]
        if a.std() > 0 and b.std() > 0:
            out["correlation"] = float(np.corrcoef(a, b)[0, 1])
    # the plain correlation surface: peak height over the background, and a second (integer) estimate
    surf = _surface(ref, mov, both)
    n, m = surf.shape
    yy = np.fft.fftfreq(n, 1 / n)[:, None]
    xx = np.fft.fftfreq(m, 1 / m)[None, :]
    search = np.ones(surf.shape, bool) if max_shift is None else (np.abs(yy) <= max_shift + 1) & (np.abs(xx) <= max_shift + 1)
    iy, ix = np.unravel_index(int(np.argmax(np.where(search, surf, -np.inf))), surf.shape)
    second = (float(yy[iy, 0]), float(xx[0, ix]))
    out["agreement_px"] = float(math.hypot(second[0] - dy, second[1] - dx))
    near = (np.abs(yy - dy) <= 1.0) & (np.abs(xx - dx) <= 1.0)
    peak = float(surf[near].max()) if near.any() else float(surf[iy, ix])
    background = surf[~((np.abs(yy - dy) <= _EXCLUDE) & (np.abs(xx - dx) <= _EXCLUDE))]
    med = float(np.median(background))
    mad = 1.4826 * float(np.median(np.abs(background - med)))
    out["sharpness"] = float((peak - med) / mad) if mad > 0 else 0.0
    out["score"] = score(out)
    return out


def score(figures: dict[str, float], *, min_sharpness: float | None = MIN_SHARPNESS,
          max_disagreement: float = MAX_DISAGREEMENT_PX) -> float:
    """The confidence score: the smallest ratio of the figures to their thresholds (>= 1 passes).

    ``min_sharpness=None`` leaves the sharpness out (``sji-raster``).

    Examples
    --------
    >>> score({"overlap": 1.0, "correlation": 0.9, "sharpness": 20.0, "agreement_px": 0.1})
    4.0
    """
    parts = [figures.get("overlap", 0.0) / MIN_OVERLAP, figures.get("correlation", 0.0) / MIN_CORRELATION]
    if min_sharpness is not None:
        parts.append(figures.get("sharpness", 0.0) / min_sharpness)
    agree = figures.get("agreement_px")
    if agree is not None:
        parts.append(max_disagreement / max(agree, 1e-9))
    return float(max(0.0, min(parts)))


def gate(figures: dict[str, float], *, min_confidence: float, what: str, record: dict[str, Any]) -> None:
    """Raise :class:`LowConfidenceError` below ``min_confidence``; warn for a narrow pass.

    Two fields without a common pixel are refused whatever ``min_confidence``.
    """
    import warnings

    s = figures["score"]
    sharp_min = figures.get("min_sharpness", MIN_SHARPNESS)
    text = (f"overlap {figures['overlap']:.2f} (min {MIN_OVERLAP}), correlation {figures['correlation']:.3f} "
            f"(min {MIN_CORRELATION}), peak sharpness {figures['sharpness']:.1f} sigma "
            f"({'not scored' if sharp_min is None else f'min {sharp_min:g}'}), estimators "
            + ("not compared" if figures.get("agreement_px", float("nan")) is None else
               f"{figures.get('agreement_px', float('nan')):.2f} px apart")
            + f" (max {figures.get('max_agreement_px', MAX_DISAGREEMENT_PX):.2g})")
    if figures["overlap"] <= 0:
        raise LowConfidenceError(f"{what}: the two fields have no pixel in common; nothing to co-align ({text})", record=record)
    if s < min_confidence:
        raise LowConfidenceError(
            f"{what}: co-alignment confidence {s:.2f} is below {min_confidence:g} ({text}); the pointing was not "
            "changed. Check that the reference covers the target field at a nearby time; min_confidence=0 forces it",
            record=record,
        )
    if s < WARN_SCORE and min_confidence > 0:
        warnings.warn(f"{what}: co-alignment confidence {s:.2f} is marginal ({text})", LowConfidenceWarning, stacklevel=3)
