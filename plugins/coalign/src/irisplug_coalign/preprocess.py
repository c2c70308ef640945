"""Image preparation before correlation: fill bad pixels, remove the mean, apodise.

Cross-correlation of finite images needs three things the raw data lack:
missing pixels (NaN, IRIS's -200 fill) replaced by a neutral value, the mean
removed (so the image edge is not the strongest feature) and an apodisation
window that tapers the edges to zero (so the periodic wrap of the FFT adds no
spurious edge). The same window must be applied to both images.
"""

from __future__ import annotations

import numpy as np

__all__ = ["tukey_window", "prepare", "valid_mask"]

#: IRIS level 2 fill value for missing pixels (ITN 26, "IRIS level 2 data").
IRIS_MISSING = -200.0


def tukey_window(shape: tuple[int, int], alpha: float = 0.25, dtype: type = np.float32) -> np.ndarray:
    """A separable 2-D Tukey (tapered cosine) window.

    Parameters
    ----------
    shape
        ``(ny, nx)``.
    alpha
        Fraction of each axis inside the cosine taper (0: box, 1: Hann).

    Examples
    --------
    >>> w = tukey_window((8, 16), alpha=0.5)
    >>> w.shape, float(w.max())
    ((8, 16), 1.0)
    """
    from scipy.signal.windows import tukey

    wy = tukey(shape[0], alpha).astype(dtype)
    wx = tukey(shape[1], alpha).astype(dtype)
    return np.outer(wy, wx)


def valid_mask(image: np.ndarray, missing: float | None = IRIS_MISSING) -> np.ndarray:
    """Pixels that hold data: finite and not the instrument's fill value.

    Examples
    --------
    >>> valid_mask(np.array([1.0, np.nan, -200.0, np.inf])).tolist()
    [True, False, False, False]
    """
    ok = np.isfinite(image)
    if missing is not None:
        ok &= image != missing
    return ok


def prepare(
    image: np.ndarray,
    window: np.ndarray | None = None,
    *,
    mask: np.ndarray | None = None,
    missing: float | None = IRIS_MISSING,
    dtype: type = np.float32,
) -> np.ndarray:
    """Return a float copy with bad pixels set to the mean, mean removed, window applied.

    Parameters
    ----------
    image
        2-D image.
    window
        Apodisation window of the same shape (``None``: no window).
    mask
        Extra validity mask (True = use); combined with finite / not-missing.
    missing
        Fill value marking missing data (IRIS: -200); ``None`` to keep all finite values.

    Examples
    --------
    >>> out = prepare(np.array([[1.0, 3.0], [np.nan, 2.0]]))
    >>> out.tolist()
    [[-1.0, 1.0], [0.0, 0.0]]
    """
    img = np.asarray(image, dtype=dtype)
    ok = valid_mask(img, missing)
    if mask is not None:
        ok &= mask
    if ok.all():  # fast path: no masked pixels
        out = np.subtract(img, dtype(img.mean(dtype=np.float64)), dtype=dtype)
        if window is not None:
            out *= window
        return out
    out = np.array(img, dtype=dtype, copy=True)
    if not ok.any():
        out[...] = 0
        return out
    mean = np.sum(out, where=ok, dtype=np.float64) / ok.sum()
    out[~ok] = mean
    out -= dtype(mean)
    if window is not None:
        out *= window
    return out
