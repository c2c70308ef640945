"""Covariances between a component's own parameters at the fitted values, for derived-quantity errors.

The kernels return the diagonal of the covariance only (see
:func:`irisplug_fit.kernels._inverse_diagonal`); a line's intensity
``sqrt(2 pi) a sigma`` needs the amplitude-width covariance too. This
recomputes the weighted normal matrix ``J^T W J`` of the free parameters at
the fitted values (the matrix the kernels invert), inverts it the same way
(unit-diagonal scaling; a parameter with no effect, e.g. the centre of a
zero-amplitude line, left out) and scales it like the kernels (by the
reduced chi-square unless the uncertainties are absolute). Ties map the
free covariance onto the tied parameters (``scale_i scale_j C``); fixed
parameters have none.

Examples
--------
>>> import numpy as np
>>> from irisplug_fit.line_templates import get_template
>>> t = get_template("si_iv_1403")
>>> x = np.linspace(1401.8, 1403.8, 100)
>>> p = np.array([[5.0, 100.0, 1402.8, 0.04]])
>>> y = 5 + 100 * np.exp(-0.5 * ((x - 1402.8) / 0.04) ** 2)
>>> c = component_covariance(t, x, y[None], np.ones((1, 100)), p, np.arange(4), np.arange(4), np.ones(4),
...                          np.ones(1), True)
>>> bool(c[0, 0, 0] < 0)  # amplitude and sigma of a line on a background are anti-correlated
True
"""

from __future__ import annotations

import numpy as np

from irisplug_fit.templates import Template

__all__ = ["COV_FIELDS", "component_covariance"]

#: the covariances kept per component: (amplitude, width), (amplitude, gamma), (width, gamma) (NaN without gamma)
COV_FIELDS = ("amplitude_width", "amplitude_gamma", "width_gamma")
_BLOCK = 2048  # spectra per Jacobian block: (block, points, parameters) float64 stays a few MB


def component_covariance(template: Template, x: np.ndarray, y: np.ndarray, w: np.ndarray, params: np.ndarray,
                         pmap: np.ndarray, lead: np.ndarray, tscale: np.ndarray, scale: np.ndarray,
                         rows: np.ndarray | bool = True) -> np.ndarray:
    """``(N, n_components, 3)`` covariances (:data:`COV_FIELDS`) of each component's parameters.

    Parameters
    ----------
    template
        The template fitted.
    x, y, w
        ``(n,)`` wavelengths, ``(N, n)`` data (unused, the shape only) and weights (0 for an ignored point).
    params
        ``(N, P)`` fitted parameters.
    pmap, lead, tscale
        The parameter mapping (:func:`~irisplug_fit.engine.parameter_mapping`).
    scale
        ``(N,)`` covariance scale: 1 for absolute uncertainties, else the reduced chi-square.
    rows
        ``(N,)`` True for the spectra to compute (the others stay NaN).

    Returns
    -------
    numpy.ndarray
        NaN where a spectrum was not computed or its normal matrix is singular.
    """
    from irisplug_fit.lm_numpy import model_and_jacobian

    nspec = params.shape[0]
    comps = template.components
    out = np.full((nspec, len(comps), 3), np.nan)
    idx = np.flatnonzero(np.broadcast_to(np.asarray(rows, dtype=bool), (nspec,)) & np.isfinite(params).all(axis=1))
    nfree = lead.size
    if idx.size == 0 or not comps or nfree == 0:
        return out
    pairs = []  # (component, field, i, j) in full-parameter indices
    for c, (comp, o) in enumerate(zip(comps, template.param_offsets, strict=True)):
        o = int(o)
        pairs.append((c, 0, o, o + 2))
        if comp.profile == "voigt":
            pairs += [(c, 1, o, o + 3), (c, 2, o + 2, o + 3)]
    eye = np.eye(nfree)
    identity = nfree == pmap.size and np.array_equal(pmap, np.arange(nfree)) and np.all(tscale == 1.0)
    for b0 in range(0, idx.size, _BLOCK):
        sel = idx[b0:b0 + _BLOCK]
        _, jac = model_and_jacobian(x, params[sel], template.profile_codes, template.n_bg, template.reference,
                                    offsets=template.param_offsets)
        if identity:
            jq = jac
        else:
            jq = np.zeros((sel.size, x.size, nfree))
            for i, k in enumerate(pmap):
                if k >= 0:
                    jq[:, :, k] += tscale[i] * jac[:, :, i]
        # J^T W J as a batched matrix product (BLAS; a three-operand einsum took twice the fit's own time)
        A = np.matmul(np.swapaxes(jq, 1, 2) * w[sel][:, None, :], jq)
        d = np.diagonal(A, axis1=1, axis2=2)
        pos = d > 0
        with np.errstate(all="ignore"):
            sq = np.sqrt(np.where(pos, d, 1.0))
            M = A / (sq[:, :, None] * sq[:, None, :])
        M = np.where(pos[:, :, None] & pos[:, None, :], M, 0.0) + (~pos)[:, :, None] * eye
        cov = _inverse(M)
        with np.errstate(all="ignore"):
            cov = cov / (sq[:, :, None] * sq[:, None, :])
        cov = np.where(pos[:, :, None] & pos[:, None, :], cov, np.nan)
        cov *= np.asarray(scale, dtype=float)[sel][:, None, None]
        for c, f, i, j in pairs:
            ki, kj = pmap[i], pmap[j]
            if ki < 0 or kj < 0:
                out[sel, c, f] = 0.0
            else:
                out[sel, c, f] = tscale[i] * tscale[j] * cov[:, ki, kj]
    return out


def _inverse(M: np.ndarray) -> np.ndarray:
    """Inverses of the unit-diagonal matrices ``M`` ``(N, k, k)``; NaN for those that are not positive definite."""
    out = np.full_like(M, np.nan)
    if M.shape[0] == 0:
        return out
    try:
        np.linalg.cholesky(M)  # raises if any one is not positive definite (rare: then one by one)
        good = np.ones(M.shape[0], dtype=bool)
    except np.linalg.LinAlgError:
        good = np.all(np.linalg.eigvalsh(M) > 1e-14, axis=1)
    if good.any():
        out[good] = np.linalg.inv(M[good])
    return out
