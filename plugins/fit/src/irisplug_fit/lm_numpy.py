"""Pure-numpy batched Levenberg-Marquardt: the same algorithm as :mod:`irisplug_fit.kernels`.

Every spectrum runs its own LM iteration (own damping, own convergence);
the arrays simply advance all unfinished spectra together. Used when numba
is unavailable or ``engine="numpy"``. Voigt components use
``scipy.special.wofz`` for the Faddeeva function (the kernel has its own,
see :mod:`irisplug_fit.profiles`).
"""

from __future__ import annotations

import math

import numpy as np

from irisplug_fit.templates import param_offsets

__all__ = ["lm_fit_numpy", "model_and_jacobian"]

_CONVERGED, _MAX_ITER, _TOO_FEW, _ALL_MASKED, _SINGULAR = 0, 1, 2, 3, 5


def model_and_jacobian(x: np.ndarray, p: np.ndarray, kinds: np.ndarray, nbg: int, ref: float,
                       jacobian: bool = True, *, offsets: np.ndarray | None = None
                       ) -> tuple[np.ndarray, np.ndarray | None]:
    """Model ``(N, n)`` and Jacobian ``(N, n, P)`` for parameter rows ``p`` ``(N, P)``.

    ``kinds``: profile code per component (0 Gaussian, 1 Lorentzian, 2 Voigt);
    ``offsets``: index of each component's amplitude in ``p`` (default
    :func:`~irisplug_fit.templates.param_offsets` of ``kinds``).

    Examples
    --------
    >>> x = np.linspace(-1, 1, 5)
    >>> f, _ = model_and_jacobian(x, np.array([[1.0, 2.0, 0.0, 0.5]]), np.array([0]), 1, 0.0, False)
    >>> float(f[0, 2])
    3.0
    """
    nspec, npar = p.shape
    t = (x - ref)[None, :]
    f = np.zeros((nspec, x.size))
    jac = np.empty((nspec, x.size, npar)) if jacobian else None
    tp = np.ones_like(t)
    for b in range(nbg):
        f += p[:, b:b + 1] * tp
        if jacobian:
            jac[:, :, b] = tp
        tp = tp * t
    offs = param_offsets(kinds, nbg) if offsets is None else offsets
    for c, kind in enumerate(kinds):
        o = int(offs[c])
        a, mu, s = p[:, o:o + 1], p[:, o + 1:o + 2], p[:, o + 2:o + 3]
        if kind == 2:
            _voigt(x, a, mu, s, p[:, o + 3:o + 4], f, jac, o)
            continue
        z = (x[None, :] - mu) / s
        if kind == 0:
            e = np.exp(-0.5 * z * z)
            f += a * e
            if jacobian:
                jac[:, :, o] = e
                jac[:, :, o + 1] = a * e * z / s
                jac[:, :, o + 2] = a * e * z * z / s
        else:
            lor = 1.0 / (1.0 + z * z)
            f += a * lor
            if jacobian:
                d = 2.0 * a * lor * lor * z / s
                jac[:, :, o] = lor
                jac[:, :, o + 1] = d
                jac[:, :, o + 2] = d * z
    return f, jac


def _voigt(x, a, mu, sig, gam, f, jac, o):
    """Add Voigt components (peak ``a``) to ``f``; their derivatives into ``jac[..., o:o+4]`` (if given)."""
    from scipy.special import wofz

    s = sig * math.sqrt(2.0)
    y = gam / s
    u = (x[None, :] - mu) / s
    with np.errstate(all="ignore"):
        n0 = wofz(1j * y).real
        w = wofz(u + 1j * y)
        v = w.real / n0
    f += a * v
    if jac is None:
        return
    isq = 1.0 / math.sqrt(math.pi)
    g = (2.0 * y * n0 - 2.0 * isq) / n0  # d ln Re w(iy) / dy
    dw = -2.0 * (u + 1j * y) * w + 2j * isq  # w'(z)
    an = a / n0
    jac[:, :, o] = v
    jac[:, :, o + 1] = -an * dw.real / s
    jac[:, :, o + 2] = an / sig * (w.real * g * y - (dw.real * u - dw.imag * y))
    jac[:, :, o + 3] = an / s * (-dw.imag - w.real * g)


def _full(q, p0, pmap, tscale, toff):
    p = p0.copy()
    sel = pmap >= 0
    p[:, sel] = tscale[sel] * q[:, pmap[sel]] + toff[sel]
    return p


def _free_jacobian(jac, pmap, tscale, nfree):
    jq = np.zeros((*jac.shape[:2], nfree))
    for i, k in enumerate(pmap):
        if k >= 0:
            jq[:, :, k] += tscale[i] * jac[:, :, i]
    return jq


def _chi2(x, y, w, p, kinds, offs, nbg, ref):
    f, _ = model_and_jacobian(x, p, kinds, nbg, ref, jacobian=False, offsets=offs)
    r = np.where(w > 0, y - f, 0.0)
    return np.sum(w * r * r, axis=1)


def _normal(x, y, w, p, kinds, offs, nbg, ref, pmap, tscale, nfree):
    f, jac = model_and_jacobian(x, p, kinds, nbg, ref, offsets=offs)
    r = np.where(w > 0, y - f, 0.0)
    jq = _free_jacobian(jac, pmap, tscale, nfree)
    jq = np.where((w > 0)[:, :, None], jq, 0.0)
    wj = jq * w[:, :, None]
    return np.einsum("snk,snm->skm", wj, jq), np.einsum("snk,sn->sk", wj, r)


def _chol_ok(M: np.ndarray) -> np.ndarray:
    """True where M (batch) is positive definite with the kernel's pivot threshold."""
    ok = np.ones(M.shape[0], dtype=bool)
    n = M.shape[1]
    L = np.zeros_like(M)
    for i in range(n):
        for j in range(i + 1):
            s = M[:, i, j] - np.sum(L[:, i, :j] * L[:, j, :j], axis=1)
            if i == j:
                good = (s > 1e-14 * np.abs(M[:, i, i])) & (s > 0)
                ok &= good
                L[:, i, i] = np.sqrt(np.where(good, s, 1.0))
            else:
                L[:, i, j] = s / L[:, j, j]
    return ok


def lm_fit_numpy(x, y, u, use_u, p0u, use_p0, lo_u, hi_u, fixv, comp, single, pmap, lead, tscale, toff, kinds,
                 offs, nbg, ref, max_iter, tol, absolute, dx=0.0, nblock=1):
    """Numpy twin of :func:`irisplug_fit.kernels.lm_fit_numba` (same arguments and outputs)."""
    from irisplug_fit.guess import initial_values

    valid = np.isfinite(y)
    if use_u:
        with np.errstate(all="ignore"):
            valid &= np.isfinite(u) & (u > 0)
            w = np.where(valid, 1.0 / np.where(valid, u, 1.0) ** 2, 0.0)
    else:
        w = valid.astype(float)
    y = np.where(valid, y, 0.0)
    p0, lo, hi = initial_values(x, y, valid, nbg, comp, single, kinds, offs)
    if use_p0:
        p0 = np.array(p0u, dtype=float, copy=True)
    for arr, over in ((lo, lo_u), (hi, hi_u), (p0, fixv)):
        sel = ~np.isnan(over)
        arr[:, sel] = over[sel]
    p, e, c2, n, st = _lm(x, y, w, p0, lo, hi, pmap, lead, tscale, toff, kinds, offs, nbg, ref, max_iter, tol, absolute)
    dof = (valid.sum(axis=1) - lead.size).astype(np.int32)
    return p, e, c2, n, st, dof


def _lm(x, y, w, p0, lo, hi, pmap, lead, tscale, toff, kinds, offs, nbg, ref, max_iter, tol, absolute):
    nspec, npar = p0.shape
    nfree = lead.size
    p_out = np.full((nspec, npar), np.nan)
    err = np.full((nspec, npar), np.nan)
    chi2_out = np.full(nspec, np.nan)
    niter = np.zeros(nspec, dtype=np.int32)
    status = np.full(nspec, _MAX_ITER, dtype=np.uint8)
    nval = np.sum(w > 0, axis=1)
    status[nval <= nfree] = _TOO_FEW
    status[nval == 0] = _ALL_MASKED
    idx = np.flatnonzero(nval > nfree)
    if idx.size == 0:
        return p_out, err, chi2_out, niter, status
    x = np.asarray(x, dtype=float)
    y, w, p0s, lo_, hi_ = y[idx], w[idx], p0[idx], lo[idx], hi[idx]
    qlo, qhi = lo_[:, lead], hi_[:, lead]
    q = np.clip(p0s[:, lead], qlo, qhi)
    chi2 = _chi2(x, y, w, _full(q, p0s, pmap, tscale, toff), kinds, offs, nbg, ref)
    A, g = _normal(x, y, w, _full(q, p0s, pmap, tscale, toff), kinds, offs, nbg, ref, pmap, tscale, nfree)
    dof = (nval[idx] - nfree).astype(float)
    lam = np.full(idx.size, 1e-3)
    nu = np.full(idx.size, 2.0)
    st = np.full(idx.size, _MAX_ITER, dtype=np.uint8)
    it = np.zeros(idx.size, dtype=np.int32)
    active = np.ones(idx.size, dtype=bool)
    eye = np.eye(nfree)
    for _ in range(max_iter):
        a = np.flatnonzero(active)
        if a.size == 0:
            break
        it[a] += 1
        zero = chi2[a] == 0.0
        st[a[zero]] = _CONVERGED
        active[a[zero]] = False
        a = a[~zero]
        if a.size == 0:
            break
        Aa = A[a]
        diag = np.diagonal(Aa, axis1=1, axis2=2)
        dmin = 1e-12 * diag.max(axis=1, keepdims=True) + 1e-300
        M = Aa + (lam[a, None] * np.maximum(diag, dmin))[:, :, None] * eye
        rhs = g[a].copy()
        # active set: a parameter on a bound that the gradient pushes outwards stays there this step
        frozen = ((q[a] <= qlo[a]) & (rhs < 0)) | ((q[a] >= qhi[a]) & (rhs > 0))
        if frozen.any():
            M = np.where(frozen[:, :, None] | frozen[:, None, :], 0.0, M)
            M = M + frozen[:, :, None] * eye
            rhs = np.where(frozen, 0.0, rhs)
        ok = _chol_ok(M)
        bad = a[~ok]
        lam[bad] *= 10.0
        sing = bad[lam[bad] > 1e16]
        st[sing] = _SINGULAR
        active[sing] = False
        a, M, rhs = a[ok], M[ok], rhs[ok]
        if a.size == 0:
            continue
        dq = np.linalg.solve(M, rhs[:, :, None])[:, :, 0]
        qn = np.clip(q[a] + dq, qlo[a], qhi[a])
        dq = qn - q[a]
        # converged already if the proposed step is predicted to change nothing that matters
        s2p = np.einsum("sk,skm,sm->s", dq, A[a], dq)
        gp = np.einsum("sk,sk->s", dq, g[a])
        redp = np.where(dof[a] > 0, chi2[a] / np.where(dof[a] > 0, dof[a], 1.0), chi2[a])
        done = (it[a] > 1) & ((2.0 * gp - s2p) <= tol * chi2[a]) & (s2p <= tol * redp)
        if done.any():
            st[a[done]] = _CONVERGED
            active[a[done]] = False
            keep = ~done
            a, dq, qn, s2p, gp = a[keep], dq[keep], qn[keep], s2p[keep], gp[keep]
            if a.size == 0:
                continue
        pn = _full(qn, p0s[a], pmap, tscale, toff)
        chi2n = _chi2(x, y[a], w[a], pn, kinds, offs, nbg, ref)
        acc = chi2n < chi2[a]
        # accepted steps
        aa = a[acc]
        if aa.size:
            s2 = s2p[acc]  # dq^T A dq and the predicted decrease, from the convergence test above
            red = np.where(dof[aa] > 0, chi2n[acc] / np.where(dof[aa] > 0, dof[aa], 1.0), chi2n[acc])
            small = ((chi2[aa] - chi2n[acc]) <= tol * chi2n[acc]) & (s2 <= tol * red)
            pred = 2.0 * gp[acc] - s2
            with np.errstate(all="ignore"):
                rho = np.where(pred > 0, (chi2[aa] - chi2n[acc]) / np.where(pred > 0, pred, 1.0), 0.0)
            lam[aa] = np.maximum(lam[aa] * np.maximum(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3), 1e-12)
            nu[aa] = 2.0
            q[aa] = qn[acc]
            chi2[aa] = chi2n[acc]
            A[aa], g[aa] = _normal(x, y[aa], w[aa], pn[acc], kinds, offs, nbg, ref, pmap, tscale, nfree)
            st[aa[small]] = _CONVERGED
            active[aa[small]] = False
        rj = a[~acc]
        lam[rj] *= nu[rj]
        nu[rj] *= 2.0
        stop = rj[lam[rj] > 1e10]
        st[stop] = _CONVERGED
        active[stop] = False
    p_fin = _full(q, p0s, pmap, tscale, toff)
    d = np.diagonal(A, axis1=1, axis2=2)
    pos = d > 0
    with np.errstate(all="ignore"):
        sq = np.sqrt(np.where(pos, d, 1.0))
        Ms = A / (sq[:, :, None] * sq[:, None, :])
    both = pos[:, :, None] & pos[:, None, :]
    Ms = np.where(both, Ms, 0.0) + (~pos)[:, :, None] * np.eye(nfree)
    ok = _chol_ok(Ms)
    e = np.full((idx.size, npar), np.nan)
    if ok.any():
        cov = np.linalg.inv(Ms[ok])
        scale = np.where(absolute, 1.0, np.where(dof[ok] > 0, chi2[ok] / np.where(dof[ok] > 0, dof[ok], 1), np.nan))
        with np.errstate(all="ignore"):
            var = np.where(pos[ok], np.diagonal(cov, axis1=1, axis2=2) / np.where(pos[ok], d[ok], 1.0), np.nan)
        var = var * np.asarray(scale)[..., None]
        sel = pmap >= 0
        ee = np.zeros((ok.sum(), npar))
        with np.errstate(invalid="ignore"):  # a negative variance (numerically singular A) gives a NaN uncertainty
            ee[:, sel] = np.abs(tscale[sel]) * np.sqrt(var[:, pmap[sel]])
        e[ok] = ee
    st[~ok] = _SINGULAR
    p_out[idx], err[idx], chi2_out[idx], niter[idx], status[idx] = p_fin, e, chi2, it, st
    return p_out, err, chi2_out, niter, status
