"""Lane-group Levenberg-Marquardt kernel (numba): ``LANES`` spectra advance together, one per SIMD lane.

The same algorithm, step for step, as :func:`irisplug_fit.kernels._fit_one`
(and :mod:`irisplug_fit.lm_numpy`), rearranged so that the work per point
runs across spectra (structure of arrays, the lane index innermost, a loop
of constant length that LLVM vectorises):

* each lane holds one spectrum; a lane whose fit ends is refilled with the
  next spectrum at once, so lanes never wait for the slowest fit of a group;
* one pass evaluates the model at every lane's candidate parameters (chi2,
  residuals, profile values kept);
* the normal equations ``J^T J`` and ``J^T r`` are accumulated point by point
  in a second, fused pass (the Jacobian is never written out), only for the
  lanes whose candidate was accepted; rejected steps cost one model pass;
* accumulation skips the pairs of parameters whose supports do not meet
  (Gaussians beyond 10 sigma on a uniform grid, as in the scalar kernel,
  taken over the union of the accepted lanes);
* the damped solve (Cholesky of the small normal matrix) and the step
  control stay per lane, in scalar code.

Gaussian, Lorentzian and polynomial-background templates only; Voigt
components use the scalar kernel (see :func:`irisplug_fit.kernels.lm_fit_threads`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from irisplug_fit.kernels import (
    _ALL_MASKED,
    _CONVERGED,
    _FM,
    _MAX_ITER,
    _SINGULAR,
    _TOO_FEW,
    _chol_solve,
    _cholesky,
    _gauss_values,
    _prepare_spectrum,
)

__all__ = ["LANES", "lm_fit_lanes"]

#: spectra per lane group (two AVX2 or one AVX-512 register of float64)
LANES = 8

_FRESH, _TRIAL, _PROPOSE, _IDLE = 0, 1, 2, 3


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _model_pass(x, ref, nbg, kinds, offs, P, Y, SW, dx, E, R, chi2c, tmp):
    """Model at every lane's candidate ``P`` (npar, L): residuals ``R`` (n, L), profile values ``E``, chi2 per lane."""
    n = x.size
    F = R  # the model is built in R, then turned into the weighted residual
    for j in range(n):
        for ln in range(LANES):
            F[j, ln] = P[0, ln]
    for b in range(1, nbg):
        for j in range(n):
            t = (x[j] - ref) ** b
            for ln in range(LANES):
                F[j, ln] += P[b, ln] * t
    for c in range(kinds.size):
        o = offs[c]
        Ec = E[c]
        if kinds[c] == 0:
            for ln in range(LANES):
                _gauss_values(x, P[o + 1, ln], 1.0 / P[o + 2, ln], dx, tmp, 0, n)
                for j in range(n):
                    Ec[j, ln] = tmp[j]
            for j in range(n):
                for ln in range(LANES):
                    F[j, ln] += P[o, ln] * Ec[j, ln]
        else:
            for ln in range(LANES):
                tmp[ln] = 1.0 / P[o + 2, ln]
            for j in range(n):
                for ln in range(LANES):
                    z = (x[j] - P[o + 1, ln]) * tmp[ln]
                    lor = 1.0 / (1.0 + z * z)
                    Ec[j, ln] = lor
                    F[j, ln] += P[o, ln] * lor
    for ln in range(LANES):
        chi2c[ln] = 0.0
    for j in range(n):
        for ln in range(LANES):
            rj = SW[j, ln] * (Y[j, ln] - F[j, ln])
            R[j, ln] = rj
            chi2c[ln] += rj * rj


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _normal_pass(x, ref, nbg, kinds, offs, P, INV, SW, dx, E, R, pmap, tscale, identity, klo, khi, jp, jf, act, Acc, G):
    """``Acc = J^T J`` (lower triangle) and ``G = J^T r`` per lane in one pass over the points (J never stored).

    ``klo``, ``khi``: per free parameter, the points where its derivative may
    matter (outside, products with it are left out).
    """
    n = x.size
    npar = P.shape[0]
    nfree = G.shape[0]
    for c in range(kinds.size):
        for ln in range(LANES):
            INV[c, ln] = 1.0 / P[offs[c] + 2, ln]
    for k in range(nfree):
        for ln in range(LANES):
            G[k, ln] = 0.0
        for m in range(k + 1):
            for ln in range(LANES):
                Acc[k, m, ln] = 0.0
    for j in range(n):
        nact = 0
        for k in range(nfree):
            if klo[k] <= j < khi[k]:
                act[nact] = k
                nact += 1
        for ln in range(LANES):
            jp[0, ln] = SW[j, ln]
        for b in range(1, nbg):
            t = (x[j] - ref) ** b
            for ln in range(LANES):
                jp[b, ln] = t * SW[j, ln]
        for c in range(kinds.size):
            o = offs[c]
            if kinds[c] == 0:
                for ln in range(LANES):
                    inv = INV[c, ln]
                    z = (x[j] - P[o + 1, ln]) * inv
                    es = E[c, j, ln] * SW[j, ln]
                    d = P[o, ln] * es * z * inv
                    jp[o, ln] = es
                    jp[o + 1, ln] = d
                    jp[o + 2, ln] = d * z
            else:
                for ln in range(LANES):
                    inv = INV[c, ln]
                    z = (x[j] - P[o + 1, ln]) * inv
                    lor = E[c, j, ln]
                    ls = lor * SW[j, ln]
                    d = 2.0 * P[o, ln] * ls * lor * z * inv
                    jp[o, ln] = ls
                    jp[o + 1, ln] = d
                    jp[o + 2, ln] = d * z
        J = jp
        if not identity:
            J = jf
            for k in range(nfree):
                for ln in range(LANES):
                    jf[k, ln] = 0.0
            for i in range(npar):
                k = pmap[i]
                if k >= 0:
                    s = tscale[i]
                    for ln in range(LANES):
                        jf[k, ln] += s * jp[i, ln]
        for a in range(nact):
            k = act[a]
            for ln in range(LANES):
                G[k, ln] += J[k, ln] * R[j, ln]
            for b in range(a + 1):
                m = act[b]
                for ln in range(LANES):
                    Acc[k, m, ln] += J[k, ln] * J[m, ln]


@njit(cache=True, error_model="numpy")
def _finish(ln, s, q, p0l, A, chi2, it, status, dof, absolute, pmap, tscale, toff, p, M, L, col, qn, dq,
            p_out, err_out, chi2_out, niter_out, status_out, dof_out):
    """Final parameters and uncertainties of lane ``ln`` (spectrum ``s``): as the end of ``_fit_one``."""
    npar = p.size
    nfree = qn.size
    for i in range(npar):
        k = pmap[i]
        p[i] = tscale[i] * q[k, ln] + toff[i] if k >= 0 else p0l[i, ln]
        p_out[s, i] = p[i]
        err_out[s, i] = np.nan
    for k in range(nfree):
        qn[k] = 1.0 / math.sqrt(A[k, k, ln]) if A[k, k, ln] > 0.0 else 0.0
    for k in range(nfree):
        for m in range(nfree):
            if qn[k] > 0.0 and qn[m] > 0.0:
                M[k, m] = A[k, m, ln] * qn[k] * qn[m]
            else:
                M[k, m] = 1.0 if k == m else 0.0
    if _cholesky(M, L):
        scale = 1.0 if absolute else (chi2 / dof if dof > 0 else np.nan)
        for k in range(nfree):
            col[k] = 1.0 / L[k, k]
            ss = col[k] * col[k]
            for i in range(k + 1, nfree):
                t = 0.0
                for m in range(k, i):
                    t += L[i, m] * col[m]
                col[i] = -t / L[i, i]
                ss += col[i] * col[i]
            dq[k] = ss * scale * qn[k] * qn[k] if qn[k] > 0.0 else np.nan
        for i in range(npar):
            k = pmap[i]
            err_out[s, i] = abs(tscale[i]) * math.sqrt(dq[k]) if k >= 0 else 0.0
    else:
        status = _SINGULAR
    chi2_out[s] = chi2
    niter_out[s] = it
    status_out[s] = status
    dof_out[s] = dof


@njit(cache=True, nogil=True, error_model="numpy")
def lm_fit_lanes(x, y, u, use_u, p0u, use_p0, lo_u, hi_u, fixv, comp, single, pmap, lead, tscale, toff, kinds,
                 offs, nbg, ref, max_iter, tol, absolute, dx, s_start, s_stop,
                 p_out, err_out, chi2_out, niter_out, status_out, dof_out):
    """Fit spectra ``s_start:s_stop`` of ``y`` into the output arrays (rows of the same index).

    Arguments as :func:`irisplug_fit.kernels.lm_fit_numba`; outputs are
    written in place, so threads can share them (disjoint rows).
    """
    n = x.size
    npar = pmap.size
    nfree = lead.size
    ncomp = kinds.size
    skip_guess = use_p0
    for i in range(npar):
        skip_guess = skip_guess and not math.isnan(lo_u[i]) and not math.isnan(hi_u[i])
    identity = nfree == npar
    for i in range(npar):
        identity = identity and pmap[i] == i and tscale[i] == 1.0 and toff[i] == 0.0
    # per-spectrum scratch (scalar)
    w = np.empty(n)
    yy = np.empty(n)
    valid = np.empty(n, dtype=np.bool_)
    pi = np.empty(npar)
    lo = np.empty(npar)
    hi = np.empty(npar)
    gbuf = np.empty(n)
    tmp = np.empty(n)
    p = np.empty(npar)
    M = np.empty((nfree, nfree))
    Lm = np.empty((nfree, nfree))
    rhs = np.empty(nfree)
    dq = np.empty(nfree)
    col = np.empty(nfree)
    qv = np.empty(nfree)
    # lane state (structure of arrays, lane index last)
    Y = np.zeros((n, LANES))
    SW = np.zeros((n, LANES))
    E = np.zeros((max(ncomp, 1), n, LANES))
    R = np.zeros((n, LANES))
    P = np.zeros((npar, LANES))
    P0 = np.zeros((npar, LANES))
    q = np.zeros((nfree, LANES))
    qn = np.zeros((nfree, LANES))
    qlo = np.zeros((nfree, LANES))
    qhi = np.zeros((nfree, LANES))
    A = np.zeros((nfree, nfree, LANES))
    g = np.zeros((nfree, LANES))
    Acc = np.zeros((nfree, nfree, LANES))
    G = np.zeros((nfree, LANES))
    INV = np.zeros((max(ncomp, 1), LANES))
    jp = np.zeros((npar, LANES))
    jf = np.zeros((nfree, LANES))
    act = np.zeros(nfree, dtype=np.int64)
    klo = np.zeros(nfree, dtype=np.int64)
    khi = np.zeros(nfree, dtype=np.int64)
    chi2 = np.zeros(LANES)
    chi2c = np.zeros(LANES)
    lam = np.zeros(LANES)
    nu = np.zeros(LANES)
    s2p = np.zeros(LANES)
    gp = np.zeros(LANES)
    it = np.zeros(LANES, dtype=np.int64)
    dof = np.zeros(LANES, dtype=np.int64)
    spec = np.full(LANES, -1, dtype=np.int64)
    state = np.full(LANES, _IDLE, dtype=np.int64)
    accepted = np.zeros(LANES, dtype=np.bool_)
    small = np.zeros(LANES, dtype=np.bool_)
    nxt = s_start
    while True:
        # 1. lanes that need a step: propose one (or finish)
        for ln in range(LANES):
            if state[ln] != _PROPOSE:
                continue
            while True:
                if it[ln] >= max_iter:
                    _finish(ln, spec[ln], q, P0, A, chi2[ln], it[ln], _MAX_ITER, dof[ln], absolute, pmap, tscale, toff,
                            p, M, Lm, col, qv, dq, p_out, err_out, chi2_out, niter_out, status_out, dof_out)
                    state[ln] = _IDLE
                    break
                it[ln] += 1
                if chi2[ln] == 0.0:
                    _finish(ln, spec[ln], q, P0, A, chi2[ln], it[ln], _CONVERGED, dof[ln], absolute, pmap, tscale, toff,
                            p, M, Lm, col, qv, dq, p_out, err_out, chi2_out, niter_out, status_out, dof_out)
                    state[ln] = _IDLE
                    break
                dmax = 0.0
                for k in range(nfree):
                    dmax = max(dmax, A[k, k, ln])
                dmin = 1e-12 * dmax + 1e-300
                for k in range(nfree):
                    for m in range(nfree):
                        M[k, m] = A[k, m, ln]
                    M[k, k] += lam[ln] * max(A[k, k, ln], dmin)
                    rhs[k] = g[k, ln]
                for k in range(nfree):
                    if (q[k, ln] <= qlo[k, ln] and g[k, ln] < 0.0) or (q[k, ln] >= qhi[k, ln] and g[k, ln] > 0.0):
                        for m in range(nfree):
                            M[k, m] = 0.0
                            M[m, k] = 0.0
                        M[k, k] = 1.0
                        rhs[k] = 0.0
                if not _cholesky(M, Lm):
                    lam[ln] *= 10.0
                    if lam[ln] > 1e16:
                        _finish(ln, spec[ln], q, P0, A, chi2[ln], it[ln], _SINGULAR, dof[ln], absolute, pmap, tscale,
                                toff, p, M, Lm, col, qv, dq, p_out, err_out, chi2_out, niter_out, status_out, dof_out)
                        state[ln] = _IDLE
                        break
                    continue
                _chol_solve(Lm, rhs, dq)
                for k in range(nfree):
                    qn[k, ln] = min(max(q[k, ln] + dq[k], qlo[k, ln]), qhi[k, ln])
                    dq[k] = qn[k, ln] - q[k, ln]
                sp = 0.0
                gq = 0.0
                for k in range(nfree):
                    t = 0.0
                    for m in range(nfree):
                        t += A[k, m, ln] * dq[m]
                    sp += dq[k] * t
                    gq += dq[k] * g[k, ln]
                s2p[ln] = sp
                gp[ln] = gq
                redp = chi2[ln] / dof[ln] if dof[ln] > 0 else chi2[ln]
                if it[ln] > 1 and (2.0 * gq - sp) <= tol * chi2[ln] and sp <= tol * redp:
                    _finish(ln, spec[ln], q, P0, A, chi2[ln], it[ln], _CONVERGED, dof[ln], absolute, pmap, tscale, toff,
                            p, M, Lm, col, qv, dq, p_out, err_out, chi2_out, niter_out, status_out, dof_out)
                    state[ln] = _IDLE
                    break
                for i in range(npar):
                    k = pmap[i]
                    P[i, ln] = tscale[i] * qn[k, ln] + toff[i] if k >= 0 else P0[i, ln]
                state[ln] = _TRIAL
                break
        # 2. refill idle lanes with the next spectra
        for ln in range(LANES):
            while state[ln] == _IDLE and nxt < s_stop:
                s = nxt
                nxt += 1
                nval = _prepare_spectrum(x, y, u, use_u, p0u, use_p0, lo_u, hi_u, fixv, comp, single, kinds, offs,
                                         nbg, skip_guess, s, w, yy, valid, pi, lo, hi, gbuf)
                dof_out[s] = nval - nfree
                if nval == 0 or nval <= nfree:
                    for i in range(npar):
                        p_out[s, i] = np.nan
                        err_out[s, i] = np.nan
                    chi2_out[s] = np.nan
                    niter_out[s] = 0
                    status_out[s] = _ALL_MASKED if nval == 0 else _TOO_FEW
                    continue
                spec[ln] = s
                dof[ln] = nval - nfree
                for j in range(n):
                    Y[j, ln] = yy[j]
                    SW[j, ln] = math.sqrt(w[j])
                for i in range(npar):
                    P0[i, ln] = pi[i]
                for k in range(nfree):
                    i = lead[k]
                    qlo[k, ln] = lo[i]
                    qhi[k, ln] = hi[i]
                    q[k, ln] = min(max(pi[i], lo[i]), hi[i])
                for i in range(npar):
                    k = pmap[i]
                    P[i, ln] = tscale[i] * q[k, ln] + toff[i] if k >= 0 else pi[i]
                lam[ln] = 1e-3
                nu[ln] = 2.0
                it[ln] = 0
                state[ln] = _FRESH
        busy = False
        for ln in range(LANES):
            if state[ln] == _FRESH or state[ln] == _TRIAL:
                busy = True
            elif state[ln] == _IDLE:
                # a harmless candidate for the idle lane (its results are never read)
                SW[:, ln] = 0.0
                for i in range(npar):
                    P[i, ln] = 1.0
        if not busy:
            break
        # 3. the model at every candidate
        _model_pass(x, ref, nbg, kinds, offs, P, Y, SW, dx, E, R, chi2c, tmp)
        # 4. accept or reject per lane
        anyacc = False
        for ln in range(LANES):
            accepted[ln] = False
            small[ln] = False
            if state[ln] == _FRESH:
                chi2[ln] = chi2c[ln]
                accepted[ln] = True
            elif state[ln] == _TRIAL:
                chi2n = chi2c[ln]
                if chi2n < chi2[ln]:
                    d = dof[ln]
                    red = chi2n / d if d > 0 else chi2n
                    small[ln] = (chi2[ln] - chi2n) <= tol * chi2n and s2p[ln] <= tol * red
                    pred = 2.0 * gp[ln] - s2p[ln]
                    rho = (chi2[ln] - chi2n) / pred if pred > 0.0 else 0.0
                    lam[ln] = max(lam[ln] * max(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3), 1e-12)
                    nu[ln] = 2.0
                    for k in range(nfree):
                        q[k, ln] = qn[k, ln]
                    chi2[ln] = chi2n
                    accepted[ln] = True
                else:
                    lam[ln] *= nu[ln]
                    nu[ln] *= 2.0
                    if lam[ln] > 1e10:
                        _finish(ln, spec[ln], q, P0, A, chi2[ln], it[ln], _CONVERGED, dof[ln], absolute, pmap, tscale,
                                toff, p, M, Lm, col, qv, dq, p_out, err_out, chi2_out, niter_out, status_out, dof_out)
                        state[ln] = _IDLE
                    else:
                        state[ln] = _PROPOSE
            anyacc = anyacc or accepted[ln]
        if not anyacc:
            continue
        # 5. normal equations at the accepted points
        for k in range(nfree):
            klo[k] = n
            khi[k] = 0
        for i in range(npar):
            k = pmap[i]
            if k < 0:
                continue
            j_lo, j_hi = 0, n
            c = -1
            for cc in range(ncomp):
                if offs[cc] <= i < offs[cc] + 3:
                    c = cc
            if c >= 0 and kinds[c] == 0 and dx > 0.0:
                o = offs[c]
                j_lo, j_hi = n, 0
                for ln in range(LANES):
                    if not accepted[ln]:
                        continue
                    mu = P[o + 1, ln]
                    inv = 1.0 / P[o + 2, ln]
                    if math.isfinite(mu) and math.isfinite(inv) and inv > 0.0:
                        half = 10.0 / (inv * dx)
                        uu = (mu - x[0]) / dx
                        a0 = max(math.floor(uu - half), 0) if uu - half > -1.0 else 0
                        a1 = min(math.ceil(uu + half) + 1, n) if uu + half < n + 1.0 else n
                        if a1 > a0:
                            j_lo = min(j_lo, a0)
                            j_hi = max(j_hi, a1)
                    else:
                        j_lo, j_hi = 0, n
            klo[k] = min(klo[k], j_lo)
            khi[k] = max(khi[k], j_hi)
        _normal_pass(x, ref, nbg, kinds, offs, P, INV, SW, dx, E, R, pmap, tscale, identity, klo, khi, jp, jf, act, Acc, G)
        for ln in range(LANES):
            if not accepted[ln]:
                continue
            for k in range(nfree):
                g[k, ln] = G[k, ln]
                for m in range(k + 1):
                    A[k, m, ln] = Acc[k, m, ln]
                    A[m, k, ln] = Acc[k, m, ln]
            if small[ln]:
                _finish(ln, spec[ln], q, P0, A, chi2[ln], it[ln], _CONVERGED, dof[ln], absolute, pmap, tscale, toff,
                        p, M, Lm, col, qv, dq, p_out, err_out, chi2_out, niter_out, status_out, dof_out)
                state[ln] = _IDLE
            else:
                state[ln] = _PROPOSE
