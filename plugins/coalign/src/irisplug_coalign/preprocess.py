"""Image preparation before correlation: fill bad pixels, remove the mean, apodise.

Cross-correlation of finite images needs three things the raw data lack:
missing pixels (NaN, or the fill value the reader declared in the cube's
meta ``missing_value``, see :mod:`irisplug.model.levels`) replaced by a neutral value, the mean
removed (so the image edge is not the strongest feature) and an apodisation
window that tapers the edges to zero (so the periodic wrap of the FFT adds no
spurious edge). The same window must be applied to both images.
"""

from __future__ import annotations

import numpy as np

__all__ = ["tukey_window", "prepare", "valid_mask", "common_window"]

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


def valid_mask(image: np.ndarray, missing: float | None = None) -> np.ndarray:
    """Pixels that hold data: finite and, when ``missing`` is given, not that fill value.

    The images the co-aligners take from cubes already have NaN where the
    reader's mask or data-quality levels say "no data"; ``missing`` is for
    raw arrays with a fill value. A resampled fill smears into a halo of
    neighbours (:func:`common_window` erodes the valid area to drop it).
    Isolated very negative pixels elsewhere are data (spikes), not fill.

    Examples
    --------
    >>> valid_mask(np.array([1.0, np.nan, -999.0, -1001.0, np.inf]), missing=-999.0).tolist()
    [True, False, False, True, False]
    """
    ok = np.isfinite(image)
    if missing is not None:
        ok &= image != missing
    return ok


def common_window(reference: np.ndarray, moving: np.ndarray, alpha: float, missing: float | None = None,
                  *, erode: int = 2, taper: float = 2.0) -> tuple[np.ndarray, np.ndarray | None]:
    """Pixels valid in both images and an apodisation window that fades out around the rest.

    Missing areas (a slit-jaw's fill around the field that moves with the
    pointing, NaN off the solar disk after reprojection) are excluded from
    both images alike, eroded by ``erode`` pixels (interpolation halo) and
    bordered by a Gaussian taper of ``taper`` pixels so that their edges add
    no feature to the correlation.

    Returns
    -------
    mask, window
        Boolean mask of pixels used; the window (Tukey x taper), or ``None``
        when ``alpha`` is 0 and nothing is missing.

    Examples
    --------
    >>> a = np.ones((32, 32)); a[:, :4] = np.nan
    >>> mask, win = common_window(a, a, 0.0)
    >>> bool(mask[:, :6].any()), float(win[16, 20])
    (False, 1.0)
    """
    import scipy.ndimage as ndi

    shape = reference.shape
    ok = valid_mask(reference, missing) & valid_mask(moving, missing)
    base = tukey_window(shape, alpha) if alpha else None
    if ok.all():
        return ok, base
    ok = ndi.binary_erosion(ok, iterations=erode, border_value=1) if erode else ok
    fade = ndi.gaussian_filter(ok.astype(np.float32), taper) * ok if taper else ok.astype(np.float32)
    fade = np.clip(2 * fade - 1, 0, 1) * ok if taper else fade  # 0 at the mask edge, 1 inside
    return ok, fade.astype(np.float32) if base is None else (base * fade).astype(np.float32)


def prepare(
    image: np.ndarray,
    window: np.ndarray | None = None,
    *,
    mask: np.ndarray | None = None,
    missing: float | None = None,
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
        Fill value marking missing data in a raw array; ``None`` (default): only non-finite pixels are missing.

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
