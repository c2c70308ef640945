"""Numba Levenberg-Marquardt kernel: one small LM problem per spectrum, ``prange`` over spectra.

The algorithm is the same, step for step, as :mod:`irisplug_fit.lm_numpy`
(the pure-numpy batched path); the tests check that both agree.

Parameter mapping (shared with the numpy path): the full parameter vector
``p`` (background, then amplitude/centre/width per component) is computed
from the free vector ``q`` as ``p[i] = tscale[i] * q[pmap[i]] + toff[i]``
when ``pmap[i] >= 0`` (free or tied parameter) and ``p[i] = p0[i]``
otherwise (fixed). ``lead[k]`` is the parameter that free entry ``k`` is.
Bounds apply to the free entries.

Profiles: code 0 Gaussian ``a exp(-(x-c)^2 / (2 s^2))``; code 1 Lorentzian
``a / (1 + ((x-c)/g)^2)`` with ``g`` the HWHM.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

__all__ = ["lm_fit_numba"]

_CONVERGED, _MAX_ITER, _TOO_FEW, _ALL_MASKED, _SINGULAR = 0, 1, 2, 3, 5


@njit(cache=True, inline="always")
def _full_params(q, p0, pmap, tscale, toff, p):
    for i in range(p.size):
        k = pmap[i]
        p[i] = tscale[i] * q[k] + toff[i] if k >= 0 else p0[i]


_FM = {"reassoc", "contract", "arcp", "nsz"}  # lets LLVM vectorise the sums; keeps NaN/inf semantics


@njit(cache=True, fastmath=_FM)
def _evaluate(x, y, w, p, kinds, nbg, ref, pmap, tscale, f, J, r):
    """Model ``f``, free-parameter Jacobian ``J`` (nfree, n), weighted residual; returns chi2."""
    n = x.size
    for j in range(n):
        f[j] = 0.0
    for k in range(J.shape[0]):
        for j in range(n):
            J[k, j] = 0.0
    for b in range(nbg):
        kb = pmap[b]
        cb = p[b]
        sb = tscale[b]
        for j in range(n):
            tp = (x[j] - ref) ** b if b > 0 else 1.0
            f[j] += cb * tp
            if kb >= 0:
                J[kb, j] += sb * tp
    for c in range(kinds.size):
        o = nbg + 3 * c
        a = p[o]
        mu = p[o + 1]
        s = p[o + 2]
        ka, kc, ks = pmap[o], pmap[o + 1], pmap[o + 2]
        sa, sc, ss = tscale[o], tscale[o + 1], tscale[o + 2]
        inv = 1.0 / s
        if kinds[c] == 0:
            for j in range(n):
                z = (x[j] - mu) * inv
                e = math.exp(-0.5 * z * z)
                f[j] += a * e
                if ka >= 0:
                    J[ka, j] += sa * e
                d = a * e * z * inv
                if kc >= 0:
                    J[kc, j] += sc * d
                if ks >= 0:
                    J[ks, j] += ss * d * z
        else:
            for j in range(n):
                z = (x[j] - mu) * inv
                lor = 1.0 / (1.0 + z * z)
                f[j] += a * lor
                if ka >= 0:
                    J[ka, j] += sa * lor
                d = 2.0 * a * lor * lor * z * inv
                if kc >= 0:
                    J[kc, j] += sc * d
                if ks >= 0:
                    J[ks, j] += ss * d * z
    chi2 = 0.0
    for j in range(n):
        rj = y[j] - f[j]
        r[j] = w[j] * rj
        chi2 += w[j] * rj * rj
    return chi2


@njit(cache=True, fastmath=_FM)
def _normal_eqs(w, J, r, A, g):
    """A = J^T W J and g = J^T W r (r already weighted)."""
    nfree = g.size
    n = w.size
    for k in range(nfree):
        s = 0.0
        for j in range(n):
            s += J[k, j] * r[j]
        g[k] = s
        for m in range(k + 1):
            s = 0.0
            for j in range(n):
                s += w[j] * J[k, j] * J[m, j]
            A[k, m] = s
            A[m, k] = s


@njit(cache=True)
def _cholesky(M, L):
    """Lower Cholesky factor of M into L; False when not positive definite."""
    n = M.shape[0]
    for i in range(n):
        for j in range(i + 1):
            s = M[i, j]
            for k in range(j):
                s -= L[i, k] * L[j, k]
            if i == j:
                if s <= 1e-14 * abs(M[i, i]) or s <= 0.0:
                    return False
                L[i, i] = math.sqrt(s)
            else:
                L[i, j] = s / L[j, j]
        for j in range(i + 1, n):
            L[i, j] = 0.0
    return True


@njit(cache=True)
def _chol_solve(L, b, out):
    n = b.size
    for i in range(n):
        s = b[i]
        for k in range(i):
            s -= L[i, k] * out[k]
        out[i] = s / L[i, i]
    for i in range(n - 1, -1, -1):
        s = out[i]
        for k in range(i + 1, n):
            s -= L[k, i] * out[k]
        out[i] = s / L[i, i]


@njit(cache=True)
def _fit_one(x, y, w, p0, lo, hi, pmap, lead, tscale, toff, kinds, nbg, ref, max_iter, tol, absolute,
             p_out, err_out):
    npar = p0.size
    nfree = lead.size
    nval = 0
    for j in range(x.size):
        if w[j] > 0.0:
            nval += 1
    for i in range(npar):
        p_out[i] = np.nan
        err_out[i] = np.nan
    if nval == 0:
        return np.nan, 0, _ALL_MASKED
    if nval <= nfree:
        return np.nan, 0, _TOO_FEW
    q = np.empty(nfree)
    qn = np.empty(nfree)
    dq = np.empty(nfree)
    qlo = np.empty(nfree)
    qhi = np.empty(nfree)
    for k in range(nfree):
        i = lead[k]
        qlo[k] = lo[i]
        qhi[k] = hi[i]
        q[k] = min(max(p0[i], lo[i]), hi[i])
    n = x.size
    p = np.empty(npar)
    A = np.empty((nfree, nfree))
    M = np.empty((nfree, nfree))
    L = np.empty((nfree, nfree))
    g = np.empty(nfree)
    f = np.empty(n)
    J = np.empty((nfree, n))
    r = np.empty(n)
    fn = np.empty(n)
    Jn = np.empty((nfree, n))
    rn = np.empty(n)
    _full_params(q, p0, pmap, tscale, toff, p)
    chi2 = _evaluate(x, y, w, p, kinds, nbg, ref, pmap, tscale, f, J, r)
    _normal_eqs(w, J, r, A, g)
    dof = nval - nfree
    lam = 1e-3
    status = _MAX_ITER
    it = 0
    while it < max_iter:
        it += 1
        if chi2 == 0.0:
            status = _CONVERGED
            break
        dmax = 0.0
        for k in range(nfree):
            dmax = max(dmax, A[k, k])
        dmin = 1e-12 * dmax + 1e-300
        for k in range(nfree):
            for m in range(nfree):
                M[k, m] = A[k, m]
            M[k, k] += lam * max(A[k, k], dmin)
        if not _cholesky(M, L):
            lam *= 10.0
            if lam > 1e16:
                status = _SINGULAR
                break
            continue
        _chol_solve(L, g, dq)
        for k in range(nfree):
            qn[k] = min(max(q[k] + dq[k], qlo[k]), qhi[k])
            dq[k] = qn[k] - q[k]
        _full_params(qn, p0, pmap, tscale, toff, p)
        chi2n = _evaluate(x, y, w, p, kinds, nbg, ref, pmap, tscale, fn, Jn, rn)
        if chi2n < chi2:
            # statistical size of the step: dq^T A dq, in units of the reduced chi2
            s2 = 0.0
            for k in range(nfree):
                t = 0.0
                for m in range(nfree):
                    t += A[k, m] * dq[m]
                s2 += dq[k] * t
            red = chi2n / dof if dof > 0 else chi2n
            small = (chi2 - chi2n) <= tol * chi2n and s2 <= tol * red
            for k in range(nfree):
                q[k] = qn[k]
            chi2 = chi2n
            lam = max(lam * 0.1, 1e-12)
            f, fn = fn, f
            J, Jn = Jn, J
            r, rn = rn, r
            _normal_eqs(w, J, r, A, g)
            if small:
                status = _CONVERGED
                break
        else:
            lam *= 10.0
            if lam > 1e10:
                status = _CONVERGED  # no decrease possible: at the minimum to machine precision
                break
    _full_params(q, p0, pmap, tscale, toff, p)
    for i in range(npar):
        p_out[i] = p[i]
    # covariance of the free parameters: inverse of A
    if _cholesky(A, L):
        scale = 1.0 if absolute else (chi2 / dof if dof > 0 else np.nan)
        e = np.zeros(nfree)
        col = np.empty(nfree)
        var = np.empty(nfree)
        for k in range(nfree):
            e[k] = 1.0
            _chol_solve(L, e, col)
            var[k] = col[k] * scale
            e[k] = 0.0
        for i in range(npar):
            k = pmap[i]
            err_out[i] = abs(tscale[i]) * math.sqrt(var[k]) if k >= 0 else 0.0
    else:
        status = _SINGULAR
    return chi2, it, status


@njit(cache=True, parallel=True)
def lm_fit_numba(x, y, w, p0, lo, hi, pmap, lead, tscale, toff, kinds, nbg, ref, max_iter, tol, absolute):
    """Fit every row of ``y``; returns ``(p, err, chi2, niter, status)``."""
    nspec = y.shape[0]
    npar = p0.shape[1]
    p = np.empty((nspec, npar))
    err = np.empty((nspec, npar))
    chi2 = np.empty(nspec)
    niter = np.empty(nspec, dtype=np.int32)
    status = np.empty(nspec, dtype=np.uint8)
    for s in prange(nspec):
        c, n, st = _fit_one(x, y[s], w[s], p0[s], lo[s], hi[s], pmap, lead, tscale, toff, kinds, nbg, ref,
                            max_iter, tol, absolute, p[s], err[s])
        chi2[s] = c
        niter[s] = n
        status[s] = st
    return p, err, chi2, niter, status
