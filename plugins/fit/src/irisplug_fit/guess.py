"""Initial values and bounds per spectrum from the spectrum's moments (numpy twin of the kernel's guess).

Background: the 10th percentile of the valid points. For each component,
the emission above background within its allowed centre range gives a
centroid; a line with a single component starts at that centroid, with the
second-moment width (Gaussians and Voigts; clipped to the allowed range) and the
intensity there as amplitude. Components of a multi-component line start at
their template offsets from the centroid of the whole line (the emission
within the union of its components' centre ranges) and amplitude fractions
of the peak: the centroid within a component's own range, off the line
centre (a self-reversed line's peak, a one-sided wing), would already hold
most of its offset. Amplitude bounds scale with the peak above background.
A Voigt's ``gamma``
(Lorentzian HWHM) starts at half its initial sigma, bounded to
``[0, 10 * width_range[1]]``.
"""

from __future__ import annotations

import numpy as np

from irisplug_fit.templates import PROFILE_NPARAMS, Template, param_offsets

__all__ = ["initial_values", "component_table"]


def component_table(template: Template) -> tuple[np.ndarray, np.ndarray]:
    """``(comp, single)``: per component ``rest, offset, width, amp_fraction,
    centre_lo, centre_hi, width_lo, width_hi, amp_lo, amp_hi, moment_lo,
    moment_hi`` and whether it is its line's only component.

    ``moment_lo:moment_hi`` (relative to ``rest``, like the centre range) is
    where the guess takes the emission's centroid: the component's own centre
    range if it is its line's only one, else the union of the centre ranges of
    its line's components (the line's centroid, to which its offset is added).

    Examples
    --------
    >>> from irisplug_fit.line_templates import get_template
    >>> comp, single = component_table(get_template("si_iv_1403"))
    >>> comp.shape, bool(single[0])
    ((1, 12), True)
    >>> comp, single = component_table(get_template("si_iv_1403_3comp"))
    >>> comp[:, 4:6].tolist(), comp[:, 10:12].tolist()
    ([[-0.3, 0.3], [-0.6, 0.05], [-0.05, 0.6]], [[-0.6, 0.6], [-0.6, 0.6], [-0.6, 0.6]])
    """
    lines: dict[str, list[tuple[float, float]]] = {}
    for c in template.components:
        lines.setdefault(c.line.label, []).append(tuple(c.centre_range))
    union = {label: (min(r[0] for r in ranges), max(r[1] for r in ranges)) for label, ranges in lines.items()}
    comp = np.array([[c.line.rest, c.offset, c.width, c.amp_fraction, *c.centre_range, *c.width_range, *c.amp_range,
                      *union[c.line.label]] for c in template.components], dtype=float).reshape(-1, 12)
    single = np.array([len(lines[c.line.label]) == 1 for c in template.components], dtype=np.bool_)
    return comp, single


def initial_values(x: np.ndarray, y: np.ndarray, valid: np.ndarray, nbg: int, comp: np.ndarray,
                   single: np.ndarray, kinds: np.ndarray, offsets: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Initial parameters and bounds ``(p0, lo, hi)``, each ``(N, P)``.

    ``offsets``: index of each component's first parameter (default
    :func:`~irisplug_fit.templates.param_offsets` of ``kinds``).

    Examples
    --------
    >>> from irisplug_fit.line_templates import get_template
    >>> t = get_template("si_iv_1403")
    >>> x = np.linspace(1401.8, 1403.8, 100)
    >>> y = 5 + 100 * np.exp(-0.5 * ((x - 1402.8) / 0.04) ** 2)
    >>> p0, lo, hi = initial_values(x, y[None], np.ones((1, 100), bool), 1, *component_table(t), t.profile_codes)
    >>> bool(abs(p0[0, 2] - 1402.8) < 0.01)
    True
    """
    nspec, n = y.shape
    offs = param_offsets(kinds, nbg) if offsets is None else np.asarray(offsets)
    npar = nbg + sum(PROFILE_NPARAMS[int(k)] for k in kinds)
    nval = valid.sum(axis=1)
    srt = np.sort(np.where(valid, y, np.inf), axis=1)
    k = np.clip((0.1 * (nval - 1)).astype(int), 0, n - 1)
    bg = np.take_along_axis(srt, k[:, None], axis=1)[:, 0]
    bg = np.where(nval > 0, bg, 0.0)
    with np.errstate(all="ignore"):
        peak = np.max(np.where(valid, y, -np.inf), axis=1) - bg
    peak = np.where(np.isfinite(peak) & (peak > 0), peak, 1.0)
    above = np.where(valid, np.maximum(y - bg[:, None], 0.0), 0.0)
    resid = np.where(valid, y - bg[:, None], 0.0)
    p0 = np.zeros((nspec, npar))
    lo = np.full((nspec, npar), -np.inf)
    hi = np.full((nspec, npar), np.inf)
    p0[:, 0] = bg
    for c in range(comp.shape[0]):
        rest, off, w0, af, clo, chi, wlo, whi, alo, ahi, mlo, mhi = comp[c]
        sel = (x >= rest + mlo) & (x <= rest + mhi)  # the component's own range, or its line's (see component_table)
        a = above[:, sel]
        wsum = a.sum(axis=1)
        ok = wsum > 0
        with np.errstate(all="ignore"):
            cen = np.where(ok, (a * x[sel]).sum(axis=1) / wsum, 0.0)
            var = np.where(ok, (a * (x[sel] - cen[:, None]) ** 2).sum(axis=1) / wsum, 0.0)
        centre = np.where(ok, cen + (0.0 if single[c] else off), rest + off)
        centre = np.clip(centre, rest + clo, rest + chi)
        width = np.full(nspec, w0)
        if single[c] and kinds[c] != 1:
            width = np.where(ok & (var > 0), np.sqrt(np.abs(var)), w0)
        width = np.clip(width, wlo, whi)
        if single[c]:
            idx = np.clip(np.searchsorted(x, centre), 0, n - 1)
            local = np.take_along_axis(resid, idx[:, None], axis=1)[:, 0]
            amp = np.where(local > 0, local, peak * af)
        else:
            amp = peak * af
        o = int(offs[c])
        lo[:, o], hi[:, o] = peak * alo, peak * ahi
        p0[:, o] = np.clip(amp, lo[:, o], hi[:, o])
        p0[:, o + 1], p0[:, o + 2] = centre, width
        lo[:, o + 1], hi[:, o + 1] = rest + clo, rest + chi
        lo[:, o + 2], hi[:, o + 2] = wlo, whi
        if kinds[c] == 2:
            p0[:, o + 3], lo[:, o + 3], hi[:, o + 3] = 0.5 * width, 0.0, 10.0 * whi
    return p0, lo, hi
