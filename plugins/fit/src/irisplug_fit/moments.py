"""Moments of line profiles: the no-fit fast path (intensity, centroid, width).

Examples
--------
>>> import numpy as np
>>> x = np.linspace(1402.0, 1403.5, 151)
>>> y = 2 + 100 * np.exp(-0.5 * ((x - 1402.8) / 0.04) ** 2)
>>> m = spectral_moments(y, x, wl_range=(1402.5, 1403.1), background="edges")
>>> round(float(m["centroid"]), 3), round(float(m["width"]), 3)
(1402.8, 0.04)
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["spectral_moments"]


def spectral_moments(
    data: Any,
    wavelength: np.ndarray,
    *,
    wl_range: tuple[float, float] | None = None,
    background: str | float | np.ndarray | None = "edges",
    mask: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Zeroth, first and second moments of every spectrum (spectral axis last).

    Parameters
    ----------
    data
        ``(..., n)`` array (numpy or dask; dask stays lazy until computed).
    wavelength
        ``(n,)`` wavelengths (Angstrom).
    wl_range
        Range to integrate over (default: all).
    background
        ``"edges"`` (mean of the valid points among the three outermost
        on each side of the range, per spectrum), ``None``/0 (none), a number or an array ``(...)``.
    mask
        True where a point must be ignored (NaN points always are).

    Returns
    -------
    dict
        ``intensity`` (sum of (I - bg) * dlambda), ``centroid`` (intensity-
        weighted mean wavelength), ``width`` (square root of the intensity-
        weighted variance, a Gaussian's sigma), ``peak`` (max of I - bg).
        Only points above the background contribute to centroid and width.
        Every moment, intensity included, is NaN for a spectrum without a
        valid point (all NaN or masked in the range, or its background NaN:
        ``"edges"`` with every edge point masked); centroid and width are
        also NaN where no point is above the background.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(1402.0, 1403.5, 151)
    >>> y = np.stack([2 + 100 * np.exp(-0.5 * ((x - 1402.8) / 0.04) ** 2), np.full(x.size, np.nan)])
    >>> m = spectral_moments(y, x, background=2.0)
    >>> round(float(m["intensity"][0]), 2), float(m["intensity"][1]), float(m["centroid"][1])
    (10.03, nan, nan)
    """
    x = np.asarray(wavelength, dtype=float)
    lazy = hasattr(data, "map_blocks") and not isinstance(data, np.ndarray)
    sel = np.ones(x.size, bool) if wl_range is None else (x >= wl_range[0]) & (x <= wl_range[1])
    xs = x[sel]
    y = data[..., sel].astype(float)
    if mask is not None:
        m = mask[..., sel] if hasattr(mask, "map_blocks") else np.asarray(mask)[..., sel]
        y = (_dask_ns() if lazy else np).where(m, np.nan, y)
    dl = np.abs(np.gradient(xs)) if xs.size > 1 else np.ones(1)
    edges = isinstance(background, str) and background == "edges"
    bg = None if edges or background is None else background
    if not lazy:
        return _moments(y, xs, dl, edges, bg)
    # dask: the same numpy code on every block, at compute time (numpy's warnings about all-masked spectra are
    # raised when a graph is computed, after a context set while building it has ended)
    da = _dask_ns()
    y = y.rechunk({y.ndim - 1: -1})
    args = [y]
    if bg is not None and np.ndim(bg):
        args.append(da.asarray(bg).reshape(y.shape[:-1]).rechunk(y.chunks[:-1])[..., None])

    def block(yb: np.ndarray, bgb: np.ndarray | None = None) -> np.ndarray:
        out = _moments(yb, xs, dl, edges, bg if bgb is None else bgb[..., 0])
        return np.stack([out[k] for k in _KEYS], axis=-1)

    packed = da.map_blocks(block, *args, dtype=float, chunks=(*y.chunks[:-1], (len(_KEYS),)))
    return {k: packed[..., i] for i, k in enumerate(_KEYS)}


_KEYS = ("intensity", "centroid", "width", "peak")


def _moments(y: np.ndarray, xs: np.ndarray, dl: np.ndarray, edges: bool, bg: Any) -> dict[str, np.ndarray]:
    """The moments of numpy spectra ``y`` (spectral axis last, already cut to ``xs``); all-masked spectra give NaN.

    No ``nanmean``/``nanmax``: on an all-NaN spectrum they warn through Python's ``warnings``, which a
    ``catch_warnings`` block cannot silence reliably while dask computes blocks in several threads (its filter
    state is global); sums, counts and ``fmax`` give the same numbers and only floating-point flags, which
    ``np.errstate`` (per thread) silences.
    """
    with np.errstate(all="ignore"):
        if edges:
            k = min(3, max(xs.size // 4, 1))
            side = np.concatenate([y[..., :k], y[..., -k:]], axis=-1)
            bg = np.nansum(side, axis=-1) / np.sum(~np.isnan(side), axis=-1)  # the mean of the valid points; 0/0: NaN
        elif bg is None:
            bg = 0.0
        above = y - (bg[..., None] if np.ndim(bg) else bg)
        pos = np.where(above > 0, above, 0.0)
        pos = np.where(np.isnan(pos), 0.0, pos)
        # a sum over no valid point is undefined, not 0: NaN like the other moments (the slit ends' all-missing
        # spectra read 0.0 as if the Sun were dark there)
        valid = ~np.isnan(above)
        intensity = np.where(valid.any(axis=-1), np.sum(np.where(valid, above * dl, 0.0), axis=-1), np.nan)[()]
        w0 = np.sum(pos * dl, axis=-1)
        cen = np.sum(pos * dl * xs, axis=-1) / w0
        var = np.sum(pos * dl * (xs - cen[..., None]) ** 2, axis=-1) / w0
        width = np.sqrt(var)
        peak = np.fmax.reduce(above, axis=-1)  # NaN where every point is NaN
    return {"intensity": intensity, "centroid": cen, "width": width, "peak": peak}


def _dask_ns() -> Any:
    import dask.array as da

    return da
