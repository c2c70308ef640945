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
    """
    x = np.asarray(wavelength, dtype=float)
    xp = np if isinstance(data, np.ndarray) or not hasattr(data, "map_blocks") else _dask_ns()
    y = data
    sel = np.ones(x.size, bool) if wl_range is None else (x >= wl_range[0]) & (x <= wl_range[1])
    xs = x[sel]
    y = y[..., sel].astype(float)
    if mask is not None:
        y = xp.where(np.asarray(mask)[..., sel], np.nan, y)
    dl = np.gradient(xs) if xs.size > 1 else np.ones(1)
    dl = np.abs(dl)
    if isinstance(background, str) and background == "edges":
        k = min(3, max(xs.size // 4, 1))
        edges = xp.concatenate([y[..., :k], y[..., -k:]], axis=-1)
        with np.errstate(all="ignore"), _quiet():
            bg = xp.nanmean(edges, axis=-1)
    elif background is None:
        bg = 0.0
    else:
        bg = background
    above = y - (bg[..., None] if hasattr(bg, "ndim") and np.ndim(bg) else bg)
    pos = xp.where(above > 0, above, 0.0)
    pos = xp.where(xp.isnan(pos), 0.0, pos)
    with np.errstate(all="ignore"), _quiet():
        intensity = xp.nansum(above * dl, axis=-1)
        w0 = xp.sum(pos * dl, axis=-1)
        cen = xp.sum(pos * dl * xs, axis=-1) / w0
        var = xp.sum(pos * dl * (xs - cen[..., None]) ** 2, axis=-1) / w0
        width = xp.sqrt(var)
        peak = xp.nanmax(above, axis=-1)
    return {"intensity": intensity, "centroid": cen, "width": width, "peak": peak}


class _quiet:
    """Silence 'Mean of empty slice' warnings for all-masked spectra."""

    def __enter__(self) -> None:
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc: object) -> None:
        self._w.__exit__(*exc)


def _dask_ns() -> Any:
    import dask.array as da

    return da
