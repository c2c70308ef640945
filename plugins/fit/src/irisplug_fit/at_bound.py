"""Which fitted line parameters ended on a bound of their range.

A least-squares fit that stops on a bound (an absent component at amplitude
0, a width pinned at the narrowest allowed value, a centre at the edge of
its range) is a boundary solution: the value is the bound, not a
measurement, and its uncertainty from the curvature is not a confidence
interval. The kernels clip every step to the bounds, so such a parameter
equals its bound; this module recomputes the bounds the kernels used (the
template's ranges, the amplitude ranges scaled by each spectrum's peak
above its 10th-percentile background, the caller's ``bounds``: see
:mod:`irisplug_fit.guess`) and compares.

Examples
--------
>>> import numpy as np
>>> from irisplug_fit.line_templates import get_template
>>> t = get_template("si_iv_1403")
>>> x = np.linspace(1401.8, 1403.8, 100)
>>> y = 5 + 100 * np.exp(-0.5 * ((x - 1402.8) / 0.04) ** 2)
>>> p = np.array([[5.0, 0.0, 1402.8, 0.04]])  # amplitude 0: on its lower bound
>>> flags = bound_flags(t, x, y[None], np.ones((1, 100), bool), p, np.full(4, np.nan), np.full(4, np.nan),
...                     np.arange(4))
>>> flags.tolist()
[[1]]
"""

from __future__ import annotations

import numpy as np

from irisplug_fit.templates import Template

__all__ = ["AMPLITUDE", "CENTRE", "WIDTH", "GAMMA", "bound_flags", "at_bound_mask"]

#: bits of :func:`bound_flags`: the component's amplitude, centre, width, gamma (Voigt) is on a bound
AMPLITUDE, CENTRE, WIDTH, GAMMA = 1, 2, 4, 8
_BITS = (AMPLITUDE, CENTRE, WIDTH, GAMMA)
#: a parameter within this fraction of its range (or exactly on an unbounded side's finite bound) is on it
_RTOL = 1e-9


def _peak_above_background(y: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """The guesses' ``peak``: maximum minus the 10th-percentile background (1 where not positive), per row."""
    n = y.shape[1]
    nval = valid.sum(axis=1)
    k = np.clip((0.1 * (nval - 1)).astype(int), 0, n - 1)
    srt = np.where(valid, y, np.inf)
    bg = np.empty(y.shape[0])
    for kk in np.unique(k):  # an order statistic: the same element np.sort would give, in O(n)
        rows = np.flatnonzero(k == kk)
        bg[rows] = np.partition(srt[rows], kk, axis=1)[:, kk]
    bg = np.where(nval > 0, bg, 0.0)
    with np.errstate(all="ignore"):
        peak = np.max(np.where(valid, y, -np.inf), axis=1) - bg
    return np.where(np.isfinite(peak) & (peak > 0), peak, 1.0)


def bound_flags(template: Template, x: np.ndarray, y: np.ndarray, valid: np.ndarray | None, params: np.ndarray,
                lo_user: np.ndarray, hi_user: np.ndarray, pmap: np.ndarray) -> np.ndarray:
    """Per spectrum and component, the bits of the parameters that ended on a bound.

    Parameters
    ----------
    template
        The template fitted.
    x, y, valid
        ``(n,)`` wavelengths and ``(N, n)`` data and validity, as the kernels received them (``valid``
        None: the finite points of ``y``).
    params
        ``(N, P)`` fitted parameters.
    lo_user, hi_user
        ``(P,)`` bounds given by the caller (NaN: the template's).
    pmap
        ``(P,)`` free-parameter index of each parameter (negative: fixed; a fixed parameter is never "on a bound").

    Returns
    -------
    numpy.ndarray
        ``(N, n_components)`` uint8: :data:`AMPLITUDE` | :data:`CENTRE` | :data:`WIDTH` | :data:`GAMMA`.
    """
    nspec, n_par = params.shape
    comps = template.components
    if nspec == 0 or not comps:
        return np.zeros((nspec, len(comps)), dtype=np.uint8)
    # per parameter: its range, its bit and its component (one vectorised comparison for all of them)
    lo = np.full(n_par, -np.inf)
    hi = np.full(n_par, np.inf)
    weight = np.zeros((n_par, len(comps)))
    peak_scaled: list[tuple[int, float]] = []
    for c, (comp, o) in enumerate(zip(comps, template.param_offsets, strict=True)):
        o = int(o)
        rest = comp.line.rest
        ranges = [(0.0, np.inf), (rest + comp.centre_range[0], rest + comp.centre_range[1]), tuple(comp.width_range)]
        if comp.profile == "voigt":
            ranges.append((0.0, 10.0 * comp.width_range[1]))
        for j, (lo0, hi0) in enumerate(ranges):
            i = o + j
            if pmap[i] < 0:
                continue
            weight[i, c] = _BITS[j]
            # the template's amplitude range scales with each spectrum's peak: a lower limit of 0 (an absent
            # line) needs no peak; an upper limit from the template (a multiple of the peak) is not checked,
            # as finding each spectrum's peak costs more than the fit of a small line (issue 18)
            if j == 0 and np.isnan(lo_user[i]) and comp.amp_range[0] != 0:
                peak_scaled.append((i, float(comp.amp_range[0])))
            lo[i] = lo0 if np.isnan(lo_user[i]) else lo_user[i]
            hi[i] = hi0 if np.isnan(hi_user[i]) else hi_user[i]
    span = np.where(np.isfinite(hi - lo), np.abs(hi - lo), 0.0)
    lo_b = np.broadcast_to(lo, params.shape)
    if peak_scaled:
        peak = _peak_above_background(y, np.isfinite(y) if valid is None else valid)
        lo_b = lo_b.copy()
        for i, scale in peak_scaled:
            lo_b[:, i] = peak * scale
    tol = _RTOL * span
    with np.errstate(invalid="ignore"):
        on = (params <= lo_b + tol) | (params >= hi - tol)
    return (on.astype(float) @ weight).astype(np.uint8)  # distinct bits within a component: the sum is their or


def at_bound_mask(template: Template, flags: np.ndarray) -> np.ndarray:
    """``(..., P)`` True for the parameters whose maps must not be shown as measured, from :func:`bound_flags`.

    A component whose amplitude is on a bound has none of its shape
    parameters determined (its centre, width and gamma have no effect at
    amplitude 0): all of them are masked; otherwise each parameter on a bound
    is. The amplitude itself keeps its value (the bound, e.g. 0 for an absent
    component).

    Examples
    --------
    >>> from irisplug_fit.line_templates import get_template
    >>> at_bound_mask(get_template("si_iv_1403"), np.array([[AMPLITUDE]], np.uint8)).tolist()
    [[False, False, True, True]]
    """
    flags = np.asarray(flags)
    # built a parameter per row, each row contiguous (the maps take them so), returned with the parameters last
    out = np.zeros((template.n_params, *flags.shape[:-1]), dtype=bool)
    for c, (comp, o) in enumerate(zip(template.components, template.param_offsets, strict=True)):
        o = int(o)
        nb = 4 if comp.profile == "voigt" else 3
        f = flags[..., c]
        absent = (f & AMPLITUDE) != 0
        for j in range(1, nb):
            np.bitwise_or(absent, (f & _BITS[j]) != 0, out=out[o + j])
    return np.moveaxis(out, 0, -1)
