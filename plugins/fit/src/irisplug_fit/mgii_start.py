"""Starting values of the magnesium h & k templates (k2v, k3, k2r, ...) from each spectrum's peaks and reversal.

The generic guesses (:mod:`irisplug_fit.guess`) start a component of a
multi-component line at the emission centroid within its centre range plus
its template offset. For the k2v / k2r (h2v / h2r) peaks, whose centre
ranges exclude the line centre, that counts the offset twice: on the IRIS
generator's profiles (peaks at -+0.16 A) k2v started at -0.41 A and k2r at
+0.30 A, the peak amplitudes went to their bound 0 in the first steps and
stayed there (at amplitude 0 a Gaussian's centre and width have no effect,
so nothing pulls it back), and the fit "converged" on the k3 core alone.

Here the peaks and the reversal are found in the spectrum itself with
:func:`irisplug_fit.mgii.mgii_features`, the method of Pereira et al. 2013
(ApJ 778, 143, Sect. 3): the spectrum within +-60 km/s of the rest
wavelength, local extrema, the central reversal (k3) between the two
strongest maxima and the emission peaks within 30 km/s of it (the
separations of 3D-model and observed k2 peaks are mostly below 40 km/s,
Leenaarts et al. 2013, ApJ 772, 90; Pereira et al. 2013). Each peak starts
at its found position and height above the background; the reversal at its
position with the depth left by the two peaks there (negative); a peak that
is not found starts at its template position with the spectrum's value
there. Widths start at the template's, at most half the peak separation.
Every start is inside the component's bounds and no amplitude starts on its
bound.

Examples
--------
>>> from irisplug_fit.line_templates import get_template
>>> applies(get_template("mg_ii_4comp")), applies(get_template("si_iv_1403"))  # with the iris plugin installed
(True, False)
"""

from __future__ import annotations

import numpy as np

from irisplug_fit.mgii import C_KMS, MG_II_H, MG_II_K
from irisplug_fit.templates import Template

__all__ = ["applies", "mgii_starting_values"]

_LINES = {"k": MG_II_K, "h": MG_II_H}


def _roles(template: Template) -> dict[str, dict[str, int]]:
    """Per line (``"k"``, ``"h"``) the component index of its blue peak, red peak and reversal (``v``, ``r``, ``3``)."""
    roles: dict[str, dict[str, int]] = {}
    for c, comp in enumerate(template.components):
        if comp.profile == "voigt":
            continue
        for name, rest in _LINES.items():
            if abs(comp.line.rest - rest) > 0.01:
                continue
            lo, hi = comp.centre_range
            if comp.amp_range[1] <= 0.0 and lo <= 0.0 <= hi:
                roles.setdefault(name, {})["3"] = c
            elif comp.amp_range[0] >= 0.0 and hi < 0.0:
                roles.setdefault(name, {})["v"] = c
            elif comp.amp_range[0] >= 0.0 and lo > 0.0:
                roles.setdefault(name, {})["r"] = c
    return {k: v for k, v in roles.items() if "v" in v and "r" in v}


def applies(template: Template) -> bool:
    """True when ``template`` has a blue and a red emission peak on the magnesium k or h line (k2v/k2r, h2v/h2r)."""
    return bool(_roles(template))


def _gauss(x: np.ndarray, a: np.ndarray, mu: np.ndarray, s: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return a * np.exp(-0.5 * ((x - mu) / s) ** 2)


def mgii_starting_values(template: Template, x: np.ndarray, y: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """``(N, P)`` starting values for ``template`` on spectra ``y`` ``(N, n)`` (``valid``: the points used).

    Components other than the magnesium h & k peaks and reversals (background,
    triplet) keep the generic guesses.
    """
    from irisplug_fit.guess import component_table, initial_values
    from irisplug_fit.mgii import mgii_features

    comp, single = component_table(template)
    offs = template.param_offsets
    yv = np.where(valid, y, 0.0)
    p0, lo, hi = initial_values(x, yv, valid, template.n_bg, comp, single, template.profile_codes, offs)
    roles = _roles(template)
    if not roles:
        return p0
    bg = p0[:, 0] if template.n_bg else np.zeros(y.shape[0])
    feats = mgii_features(np.where(valid, y, np.nan), x, lines=tuple(roles))
    for line, role in roles.items():
        rest = _LINES[line]
        cv, cr = role["v"], role["r"]
        centres, amps = {}, {}
        for tag, c in (("v", cv), ("r", cr)):
            o = int(offs[c])
            cmp = template.components[c]
            vel = feats[f"{line}2{tag}_velocity"]
            found = np.isfinite(vel)
            nominal = rest + cmp.offset
            centre = np.where(found, rest * (1.0 + np.where(found, vel, 0.0) / C_KMS), nominal)
            centre = np.clip(centre, lo[:, o + 1], hi[:, o + 1])
            j = np.clip(np.searchsorted(x, centre), 0, x.size - 1)
            there = np.take_along_axis(yv, j[:, None], axis=1)[:, 0]
            height = np.where(found, feats[f"{line}2{tag}_intensity"], there) - bg
            centres[tag], amps[tag] = centre, height
        sep = np.abs(centres["r"] - centres["v"])
        for tag, c in (("v", cv), ("r", cr)):
            o = int(offs[c])
            span = hi[:, o] - lo[:, o]
            amp = np.where(np.isfinite(amps[tag]), amps[tag], 0.0)
            # never on the bound: an amplitude that starts at 0 takes its centre and width nowhere
            amp = np.clip(amp, lo[:, o] + 0.05 * span / 3.0, hi[:, o] - 0.01 * span)
            width = np.minimum(p0[:, o + 2], np.maximum(0.5 * sep, lo[:, o + 2]))
            p0[:, o], p0[:, o + 1] = amp, centres[tag]
            p0[:, o + 2] = np.clip(width, lo[:, o + 2], hi[:, o + 2])
        if "3" in role:
            c = role["3"]
            o = int(offs[c])
            vel = feats[f"{line}3_velocity"]
            found = np.isfinite(vel)
            mid = 0.5 * (centres["v"] + centres["r"])
            centre = np.clip(np.where(found, rest * (1.0 + np.where(found, vel, 0.0) / C_KMS), mid),
                             lo[:, o + 1], hi[:, o + 1])
            j = np.clip(np.searchsorted(x, centre), 0, x.size - 1)
            level = np.where(found, feats[f"{line}3_intensity"], np.take_along_axis(yv, j[:, None], axis=1)[:, 0])
            peaks = sum(_gauss(centre, p0[:, int(offs[k])], p0[:, int(offs[k]) + 1], p0[:, int(offs[k]) + 2])
                        for k in (cv, cr))
            depth = np.where(np.isfinite(level), level - bg - peaks, 0.0)
            span = hi[:, o] - lo[:, o]
            p0[:, o] = np.clip(np.minimum(depth, hi[:, o] - 0.05 * span / 1.5), lo[:, o] + 0.01 * span,
                               hi[:, o] - 0.01 * span)
            p0[:, o + 1] = centre
    return p0
