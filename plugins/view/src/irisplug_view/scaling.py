"""Intensity scaling: histogram-optimised limits (``histo_opt``), gamma, uint8 lookup tables.

``histo_opt`` follows the algorithm described for ``iris_lmsalpy.im_view.histo_opt``
(IRIS ITN 45, "A quick Slitjaw Image Viewer"): build a histogram of the finite
pixels, accumulate it, cut ``cutoff`` of the filled histogram at each end, and
never let the lower limit fall below the second histogram bin (many IRIS pixels
are set to zero or to the reader's "no data" fill value, ``missing_value``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

__all__ = ["histo_opt", "gamma_lut", "scale_to_index", "ContrastLimits"]


def histo_opt(image: Any, cutoff: float = 1e-3, gamma: float = 1.0, nbins: int = 10000) -> tuple[float, float]:
    """Histogram-optimised display limits ``(vmin, vmax)`` of an image.

    Algorithm: the finite pixels are binned into ``nbins`` equal bins between
    their minimum and maximum; the cumulative fraction ``c`` of the filled
    histogram is formed; ``vmin`` is the lower edge of the first bin where
    ``c > cutoff`` and ``vmax`` the upper edge of the first bin where
    ``c >= 1 - cutoff``. ``vmin`` is then raised to at least the lower edge of
    the second bin, so a spike of zeros or fill values does not set the floor.
    ``gamma`` is not used for the limits: it is the exponent applied between
    them when displaying (``((I - vmin) / (vmax - vmin)) ** gamma``); it is
    accepted here so that calls read like the IDL/iris_lmsalpy ones.

    Parameters
    ----------
    image
        Any array (dask arrays are computed).
    cutoff
        Fraction of the pixels clipped at each end (``1e-3`` = 0.1 %).
    gamma
        Display exponent (validated, not used for the limits).
    nbins
        Number of histogram bins.

    Returns
    -------
    tuple of float
        ``(vmin, vmax)``; ``(0, 1)`` for an image without finite pixels.

    Examples
    --------
    >>> import numpy as np
    >>> vmin, vmax = histo_opt(np.arange(100_000.0), cutoff=0.01)
    >>> round(vmin, -2), round(vmax, -2)
    (1000.0, 99000.0)
    """
    if not 0 <= cutoff < 0.5:
        raise ValueError(f"cutoff must be in [0, 0.5), got {cutoff}")
    if gamma <= 0:
        raise ValueError(f"gamma must be positive, got {gamma}")
    values = np.asarray(image, dtype=float).ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.0, 1.0
    lo, hi = float(values.min()), float(values.max())
    if hi <= lo:
        return lo, lo + 1.0
    hist, edges = np.histogram(values, bins=nbins, range=(lo, hi))
    cum = np.cumsum(hist) / values.size
    i_lo = int(np.searchsorted(cum, cutoff, side="right"))
    i_hi = int(np.searchsorted(cum, 1.0 - cutoff, side="left"))
    vmin = max(float(edges[min(i_lo, nbins - 1)]), float(edges[1]))
    vmax = float(edges[min(i_hi + 1, nbins)])
    if vmax <= vmin:
        vmax = hi if hi > vmin else vmin + 1.0
    return vmin, vmax


def gamma_lut(cmap: Any, gamma: float = 1.0, n: int = 256) -> np.ndarray:
    """An ``(n, 4)`` uint8 RGBA lookup table of ``cmap`` with a gamma curve built in.

    Entry ``k`` holds the colour of the normalised intensity ``(k / (n - 1)) ** gamma``.

    Examples
    --------
    >>> gamma_lut("gray", 1.0, 256)[[0, 255], 0].tolist()
    [0, 255]
    """
    import matplotlib

    cm = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
    t = np.linspace(0.0, 1.0, n) ** gamma
    return cm(t, bytes=True)


def scale_to_index(frame: Any, vmin: float, vmax: float, n: int = 256, out: np.ndarray | None = None) -> np.ndarray:
    """Map intensities linearly onto LUT indices ``0 .. n-1`` (NaN → 0), as uint8/uint16.

    Examples
    --------
    >>> scale_to_index(np.array([0.0, 5.0, 10.0, np.nan]), 0, 10).tolist()
    [0, 127, 255, 0]
    """
    a = np.asarray(frame, dtype=np.float32)
    k = (n - 1) / float(vmax - vmin if vmax > vmin else 1.0)
    tmp = (a - np.float32(vmin)) * np.float32(k)
    np.nan_to_num(tmp, copy=False, nan=0.0)
    np.clip(tmp, 0, n - 1, out=tmp)
    dtype = np.uint8 if n <= 256 else np.uint16
    if out is None:
        return tmp.astype(dtype)
    out[...] = tmp
    return out


class ContrastLimits:
    """Display limits with the u/i/o/p steps users know from iris_lmsalpy.

    ``u``/``i`` lower/raise the lower limit, ``o``/``p`` lower/raise the upper
    limit, each by ``step`` (a fraction of the initial range). The lower limit
    never passes the upper one.

    Examples
    --------
    >>> c = ContrastLimits(0.0, 100.0)
    >>> c.apply("p") and c.apply("u")
    True
    >>> c.limits
    (-5.0, 105.0)
    >>> c.reset(); c.limits
    (0.0, 100.0)
    """

    KEYS: ClassVar[dict[str, tuple[int, int]]] = {"u": (0, -1), "i": (0, +1), "o": (1, -1), "p": (1, +1)}

    def __init__(self, vmin: float, vmax: float, step: float = 0.05) -> None:
        self.initial = (float(vmin), float(vmax))
        self.vmin, self.vmax = self.initial
        self.step = step

    @property
    def limits(self) -> tuple[float, float]:
        return (self.vmin, self.vmax)

    def apply(self, key: str) -> bool:
        """Apply a u/i/o/p key; returns whether the key was a contrast key."""
        if key not in self.KEYS:
            return False
        which, sign = self.KEYS[key]
        delta = sign * self.step * (self.initial[1] - self.initial[0])
        if which == 0:
            self.vmin = min(self.vmin + delta, self.vmax - abs(delta))
        else:
            self.vmax = max(self.vmax + delta, self.vmin + abs(delta))
        return True

    def reset(self) -> None:
        self.vmin, self.vmax = self.initial
