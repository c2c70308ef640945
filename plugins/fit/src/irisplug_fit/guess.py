"""Initial values and bounds per spectrum, from the template and the spectrum's moments."""

from __future__ import annotations

import numpy as np

from irisplug_fit.templates import Template

__all__ = ["initial_values"]


def initial_values(template: Template, x: np.ndarray, y: np.ndarray, valid: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Initial parameters and bounds ``(p0, lo, hi)``, each ``(N, P)``.

    Background: the 10th percentile of the valid points. Each line's centre
    is shifted by the centroid of the emission above background within the
    component's centre range; a line with one component also gets its
    width from the second moment (clipped to the allowed range) and its
    amplitude from the peak. Amplitude bounds scale with the peak above
    background. A template with explicit ``init``/``bounds`` (``fit_gen``
    style) uses those values for every spectrum.

    Examples
    --------
    >>> from irisplug_fit.templates import get_template
    >>> x = np.linspace(1401.8, 1403.8, 100)
    >>> y = 5 + 100 * np.exp(-0.5 * ((x - 1402.8) / 0.04) ** 2)
    >>> p0, lo, hi = initial_values(get_template("si_iv_1403"), x, y[None], np.ones((1, 100), bool))
    >>> bool(abs(p0[0, 2] - 1402.8) < 0.01)
    True
    """
    nspec = y.shape[0]
    npar = template.n_params
    nbg = template.n_bg
    if template.init is not None:
        p0 = np.broadcast_to(np.asarray(template.init, dtype=float), (nspec, npar)).copy()
        if template.bounds is not None:
            lo = np.broadcast_to(np.asarray(template.bounds[0], dtype=float), (nspec, npar)).copy()
            hi = np.broadcast_to(np.asarray(template.bounds[1], dtype=float), (nspec, npar)).copy()
        else:
            lo, hi = np.full((nspec, npar), -np.inf), np.full((nspec, npar), np.inf)
        return p0, lo, hi
    yv = np.where(valid, y, np.nan)
    with np.errstate(all="ignore"), _quiet():
        srt = np.sort(np.where(valid, y, np.inf), axis=1)
        nval = valid.sum(axis=1)
        k = np.clip((0.1 * (nval - 1)).astype(int), 0, y.shape[1] - 1)
        bg = np.take_along_axis(srt, k[:, None], axis=1)[:, 0]  # 10th percentile of the valid points
        bg = np.where(np.isfinite(bg), bg, 0.0)
        above = np.clip(np.nan_to_num(yv - bg[:, None], nan=0.0), 0.0, None)
        peak = np.nanmax(np.where(valid, y, -np.inf), axis=1) - bg
    peak = np.where(np.isfinite(peak) & (peak > 0), peak, 1.0)
    p0 = np.zeros((nspec, npar))
    lo = np.full((nspec, npar), -np.inf)
    hi = np.full((nspec, npar), np.inf)
    p0[:, 0] = bg
    per_line: dict[str, int] = {}
    for c in template.components:
        per_line[c.line.label] = per_line.get(c.line.label, 0) + 1
    for ci, c in enumerate(template.components):
        o = nbg + 3 * ci
        rest = c.line.rest
        sel = (x >= rest + c.centre_range[0]) & (x <= rest + c.centre_range[1])
        wsum = above[:, sel].sum(axis=1)
        with np.errstate(all="ignore"):
            cen = (above[:, sel] * x[sel]).sum(axis=1) / wsum
            var = (above[:, sel] * (x[sel] - cen[:, None]) ** 2).sum(axis=1) / wsum
        ok = np.isfinite(cen) & (wsum > 0)
        single = per_line[c.line.label] == 1
        centre = np.where(ok, cen + (0.0 if single else c.offset), rest + c.offset)
        centre = np.clip(centre, rest + c.centre_range[0], rest + c.centre_range[1])
        width = np.full(nspec, c.width)
        if single and c.profile == "gaussian":
            width = np.where(ok & np.isfinite(var) & (var > 0), np.sqrt(np.abs(var)), c.width)
        width = np.clip(width, c.width_range[0], c.width_range[1])
        if single:
            idx = np.clip(np.searchsorted(x, centre), 0, x.size - 1)
            local = np.take_along_axis(np.nan_to_num(yv - bg[:, None], nan=0.0), idx[:, None], axis=1)[:, 0]
            amp = np.where(local > 0, local, peak * c.amp_fraction)
        else:
            amp = peak * c.amp_fraction
        p0[:, o] = amp
        p0[:, o + 1] = centre
        p0[:, o + 2] = width
        lo[:, o], hi[:, o] = peak * c.amp_range[0], peak * c.amp_range[1]
        lo[:, o + 1], hi[:, o + 1] = rest + c.centre_range[0], rest + c.centre_range[1]
        lo[:, o + 2], hi[:, o + 2] = c.width_range
        p0[:, o] = np.clip(p0[:, o], lo[:, o], hi[:, o])
    return p0, lo, hi


class _quiet:
    """Silence numpy's 'All-NaN slice' warnings for all-masked spectra."""

    def __enter__(self) -> None:
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc: object) -> None:
        self._w.__exit__(*exc)
