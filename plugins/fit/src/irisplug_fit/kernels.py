"""Numba Levenberg-Marquardt kernel: one small LM problem per spectrum; threads over spectra.

The batch kernel is compiled ``nogil``; :func:`lm_fit_threads` runs it on
slices of the spectra in a thread pool (true parallelism, no parallel-
accelerator compile cost, safe inside dask worker threads).

The algorithm is the same, step for step, as :mod:`irisplug_fit.lm_numpy`
(the pure-numpy batched path); the tests check that both agree. Templates
of Gaussians + polynomial background with every parameter free, on a
uniform grid (most fits of spectrograph data), run :func:`lm_fit_gauss`,
the same iteration organised for speed (see the comment above it); every
other problem runs the general :func:`lm_fit_scalar`.

Parameter mapping (shared with the numpy path): the full parameter vector
``p`` (background, then amplitude/centre/width per component) is computed
from the free vector ``q`` as ``p[i] = tscale[i] * q[pmap[i]] + toff[i]``
when ``pmap[i] >= 0`` (free or tied parameter) and ``p[i] = p0[i]``
otherwise (fixed). ``lead[k]`` is the parameter that free entry ``k`` is.
Bounds apply to the free entries.

Profiles: code 0 Gaussian ``a exp(-(x-c)^2 / (2 s^2))``; code 1 Lorentzian
``a / (1 + ((x-c)/g)^2)`` with ``g`` the HWHM; code 2 Voigt (peak ``a``,
Gaussian sigma ``s``, Lorentzian HWHM ``g``; see :mod:`irisplug_fit.profiles`).
Gaussians and Lorentzians have 3 parameters, Voigts 4: component ``c``'s
parameters start at ``offs[c]`` (background coefficients first, see
:func:`irisplug_fit.templates.param_offsets`).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from numba import njit

from irisplug_fit.kernel_variants import fast_path
from irisplug_fit.profiles import voigt_rows

__all__ = ["lm_fit_numba", "lm_fit_threads", "lm_fit_gauss", "fast_path", "default_threads", "warm_kernels", "kernel_arguments"]

_CONVERGED, _MAX_ITER, _TOO_FEW, _ALL_MASKED, _SINGULAR = 0, 1, 2, 3, 5


@njit(cache=True, inline="always", error_model="numpy")
def _full_params(q, p0, pmap, tscale, toff, p):
    for i in range(p.size):
        k = pmap[i]
        p[i] = tscale[i] * q[k] + toff[i] if k >= 0 else p0[i]


_FM = {"reassoc", "contract", "arcp", "nsz"}  # lets LLVM vectorise the sums; keeps NaN/inf semantics
# an unsigned index: numba wraps negative indices around, which turns the vectorised loads of a loop whose start
# LLVM cannot prove >= 0 into gathers (the fast path indexes its support loops with it)
_U = np.uint64


@njit(cache=True, error_model="numpy")
def _gauss_values(x, mu, inv, dx, out, j_lo, j_hi):
    """exp(-((x-mu)*inv)^2/2) for the points ``j_lo:j_hi`` (the others are left as they are).

    On a uniform grid (``dx > 0``) only three exponentials are needed: from
    the point nearest ``mu`` outwards, consecutive values differ by a factor
    that itself changes by the constant ``exp(-(dx*inv)^2)`` (relative
    rounding error ~ n * 1e-16). Otherwise one exponential per point.
    """
    n = x.size
    if dx <= 0.0:
        for j in range(j_lo, j_hi):
            z = (x[j] - mu) * inv
            out[j] = math.exp(-0.5 * z * z)
        return
    if j_hi <= j_lo:
        return
    u = (mu - x[0]) / dx
    if not math.isfinite(u) or not math.isfinite(inv):
        for j in range(j_lo, j_hi):
            out[j] = np.nan
        return
    j0 = math.floor(min(max(u, -1.0), n + 1.0) + 0.5)
    j0 = min(max(j0, j_lo), j_hi - 1)
    z0 = (x[j0] - mu) * inv
    dz = dx * inv
    q = math.exp(-dz * dz)
    e0 = math.exp(-0.5 * z0 * z0)
    out[j0] = e0
    e = e0
    r = math.exp(-z0 * dz - 0.5 * dz * dz)
    for j in range(j0 + 1, j_hi):
        e *= r
        r *= q
        out[j] = e
    e = e0
    r = math.exp(z0 * dz - 0.5 * dz * dz)
    for j in range(j0 - 1, j_lo - 1, -1):
        e *= r
        r *= q
        out[j] = e


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _evaluate(x, y, sw, p, kinds, offs, nbg, ref, f, Jp, r, dx, ebuf, vbuf, sup):
    """Model ``f``, weighted full Jacobian ``Jp`` (npar, n) and weighted residual ``r``; returns chi2.

    ``sw`` is the square root of the weights: rows of ``Jp`` and ``r`` are
    multiplied by it, so ``A = Jp Jp^T`` and ``chi2 = r.r``. ``sup`` (npar, 2)
    receives each row's support ``[start, stop)``: on a uniform grid a
    Gaussian's derivatives beyond 10 sigma (relative size < 1e-20) are left
    out of the normal equations.
    """
    n = x.size
    for i in range(Jp.shape[0]):
        sup[i, 0] = 0
        sup[i, 1] = n
    for j in range(n):
        f[j] = p[0]
        Jp[0, j] = sw[j]
    for b in range(1, nbg):
        cb = p[b]
        for j in range(n):
            tp = (x[j] - ref) ** b
            f[j] += cb * tp
            Jp[b, j] = tp * sw[j]
    for c in range(kinds.size):
        o = offs[c]
        a = p[o]
        mu = p[o + 1]
        if kinds[c] == 2:
            # ``vbuf is None`` is decided when compiling (numba prunes the branch on a None argument):
            # kernels for Gaussian/Lorentzian templates do not contain (nor compile) the Voigt code
            if vbuf is None:
                for j in range(n):
                    f[j] = np.nan
            else:
                voigt_rows(x, sw, a, mu, p[o + 2], p[o + 3], f, Jp, o, vbuf)
            continue
        inv = 1.0 / p[o + 2]
        if kinds[c] == 0:
            # on a uniform grid, only the points within 10 sigma: beyond, the profile is below 2e-22 of
            # its peak (below the rounding of any background) and its derivatives are left out of the
            # normal equations (the rows are zero there)
            j_lo, j_hi = 0, n
            if dx > 0.0 and math.isfinite(mu) and math.isfinite(inv) and inv > 0.0:
                half = 10.0 / (inv * dx)
                u = (mu - x[0]) / dx
                j_lo = max(math.floor(u - half), 0) if u - half > -1.0 else 0
                j_hi = min(math.ceil(u + half) + 1, n) if u + half < n + 1.0 else n
                if j_hi < j_lo:
                    j_hi = j_lo
                for i in range(o, o + 3):
                    sup[i, 0] = j_lo
                    sup[i, 1] = j_hi
            _gauss_values(x, mu, inv, dx, ebuf, j_lo, j_hi)
            for i in range(o, o + 3):
                row = Jp[i]
                for j in range(j_lo):
                    row[j] = 0.0
                for j in range(j_hi, n):
                    row[j] = 0.0
            # slices: loops of unknown start are not vectorised
            xs, es_, fs, sws = x[j_lo:j_hi], ebuf[j_lo:j_hi], f[j_lo:j_hi], sw[j_lo:j_hi]
            J0, J1, J2 = Jp[o, j_lo:j_hi], Jp[o + 1, j_lo:j_hi], Jp[o + 2, j_lo:j_hi]
            for j in range(xs.size):
                z = (xs[j] - mu) * inv
                e = es_[j]
                fs[j] += a * e
                es = e * sws[j]
                d = a * es * z * inv
                J0[j] = es
                J1[j] = d
                J2[j] = d * z
        else:
            for j in range(n):
                z = (x[j] - mu) * inv
                lor = 1.0 / (1.0 + z * z)
                f[j] += a * lor
                ls = lor * sw[j]
                d = 2.0 * a * ls * lor * z * inv
                Jp[o, j] = ls
                Jp[o + 1, j] = d
                Jp[o + 2, j] = d * z
    chi2 = 0.0
    for j in range(n):
        rj = sw[j] * (y[j] - f[j])
        r[j] = rj
        chi2 += rj * rj
    return chi2


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _fold(Jp, pmap, tscale, J):
    """Free-parameter Jacobian from the full one (fixed parameters dropped, ties summed)."""
    n = Jp.shape[1]
    for k in range(J.shape[0]):
        for j in range(n):
            J[k, j] = 0.0
    for i in range(Jp.shape[0]):
        k = pmap[i]
        if k >= 0:
            s = tscale[i]
            for j in range(n):
                J[k, j] += s * Jp[i, j]


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _normal_eqs(J, r, A, g, sup):
    """A = J J^T and g = J r over the rows' supports (rows of J and r carry sqrt(weight)).

    The dot products run over slices: with a loop ``range(j0, j1)`` of
    unknown start LLVM does not vectorise the reduction (measured 5-7x
    slower), over a slice it does.
    """
    nfree = g.size
    for k in range(nfree):
        k0, k1 = sup[k, 0], sup[k, 1]
        a = J[k, k0:k1]
        b = r[k0:k1]
        s = 0.0
        for j in range(a.size):
            s += a[j] * b[j]
        g[k] = s
        for m in range(k + 1):
            j0 = max(k0, sup[m, 0])
            j1 = max(min(k1, sup[m, 1]), j0)
            a = J[k, j0:j1]
            b = J[m, j0:j1]
            s = 0.0
            for j in range(a.size):
                s += a[j] * b[j]
            A[k, m] = s
            A[m, k] = s


@njit(cache=True, inline="always", error_model="numpy")
def _cholesky_into(M, L, dl):
    """Lower Cholesky factor of ``M`` into ``L`` and ``dl = 1 / diag(L)``; False when not positive definite.

    Multiplications by ``dl`` instead of divisions; a pivot below 1e-14 of its diagonal entry counts as not positive.
    """
    n = M.shape[0]
    ok = True
    for i in range(n):
        for j in range(i + 1):
            s = M[i, j]
            for k in range(j):
                s -= L[i, k] * L[j, k]
            if i == j:
                if s <= 1e-14 * abs(M[i, i]) or s <= 0.0:
                    ok = False
                    break
                L[i, i] = math.sqrt(s)
                dl[i] = 1.0 / L[i, i]
            else:
                L[i, j] = s * dl[j]
        if not ok:
            break
    return ok


@njit(cache=True, error_model="numpy")
def _lm_step(A, g, q, qlo, qhi, lam, M, L, dl, rhs, dq, qn):
    """The damped Levenberg-Marquardt step from ``q`` into ``qn`` (within the bounds); returns ``(ok, s2p, gp)``.

    Solves ``(A + lam diag(A)) dq = g`` (the diagonal floored at 1e-12 of
    its largest entry) by Cholesky, with every parameter that sits on a
    bound the gradient pushes it against held there; ``qn`` is ``q + dq``
    clipped to the bounds and ``dq`` becomes ``qn - q``. ``s2p = dq A dq``
    and ``gp = dq g`` give the decrease the quadratic model predicts,
    ``2 gp - s2p``. ``ok`` is False when the damped matrix is not positive
    definite (then nothing else is meaningful). ``M``, ``L``, ``dl``,
    ``rhs``: scratch. Shared by both kernels.
    """
    n = g.size
    dmax = 0.0
    for k in range(n):
        dmax = max(dmax, A[k, k])
    dmin = 1e-12 * dmax + 1e-300
    for k in range(n):
        for m in range(n):
            M[k, m] = A[k, m]
        M[k, k] += lam * max(A[k, k], dmin)
        rhs[k] = g[k]
    # active set: a parameter on a bound that the gradient pushes outwards stays there this step
    for k in range(n):
        if (q[k] <= qlo[k] and g[k] < 0.0) or (q[k] >= qhi[k] and g[k] > 0.0):
            for m in range(n):
                M[k, m] = 0.0
                M[m, k] = 0.0
            M[k, k] = 1.0
            rhs[k] = 0.0
    ok = _cholesky_into(M, L, dl)
    s2p = 0.0
    gp = 0.0
    if ok:
        for i in range(n):
            s = rhs[i]
            for k in range(i):
                s -= L[i, k] * dq[k]
            dq[i] = s * dl[i]
        for i in range(n - 1, -1, -1):
            s = dq[i]
            for k in range(i + 1, n):
                s -= L[k, i] * dq[k]
            dq[i] = s * dl[i]
        for k in range(n):
            qn[k] = min(max(q[k] + dq[k], qlo[k]), qhi[k])
            dq[k] = qn[k] - q[k]
        for k in range(n):
            t = 0.0
            for m in range(n):
                t += A[k, m] * dq[m]
            s2p += dq[k] * t
            gp += dq[k] * g[k]
    # every array argument is used last here, at the one exit: numba's pass that removes reference counting
    # (atomic operations, ~20 cycles each) then removes all of it; with earlier last uses it removed none
    live = A.size + g.size + q.size + qlo.size + qhi.size + M.size + L.size + dl.size + rhs.size + dq.size + qn.size
    return ok and live > 0, s2p, gp


@njit(cache=True, error_model="numpy")
def _lm_step4(A, g, q, qlo, qhi, lam, qn, dq):
    """:func:`_lm_step` for 4 free parameters (1 Gaussian + a constant), on scalars: the same operations in the same order.

    The general version's short loops (trip counts 0-3, a new one every few
    instructions) and its scratch matrices cost more than the arithmetic
    (measured in a loop of steps: ~140 ns per step, ~60 ns written out; same results to the bit).
    """
    a00, a10, a11 = A[0, 0], A[1, 0], A[1, 1]
    a20, a21, a22 = A[2, 0], A[2, 1], A[2, 2]
    a30, a31, a32, a33 = A[3, 0], A[3, 1], A[3, 2], A[3, 3]
    g0, g1, g2, g3 = g[0], g[1], g[2], g[3]
    dmax = max(max(max(max(0.0, a00), a11), a22), a33)
    dmin = 1e-12 * dmax + 1e-300
    m00 = a00 + lam * max(a00, dmin)
    m11 = a11 + lam * max(a11, dmin)
    m22 = a22 + lam * max(a22, dmin)
    m33 = a33 + lam * max(a33, dmin)
    m10, m20, m21, m30, m31, m32 = a10, a20, a21, a30, a31, a32
    r0, r1, r2, r3 = g0, g1, g2, g3
    # active set, as in _lm_step
    if (q[0] <= qlo[0] and g0 < 0.0) or (q[0] >= qhi[0] and g0 > 0.0):
        m00, m10, m20, m30, r0 = 1.0, 0.0, 0.0, 0.0, 0.0
    if (q[1] <= qlo[1] and g1 < 0.0) or (q[1] >= qhi[1] and g1 > 0.0):
        m11, m10, m21, m31, r1 = 1.0, 0.0, 0.0, 0.0, 0.0
    if (q[2] <= qlo[2] and g2 < 0.0) or (q[2] >= qhi[2] and g2 > 0.0):
        m22, m20, m21, m32, r2 = 1.0, 0.0, 0.0, 0.0, 0.0
    if (q[3] <= qlo[3] and g3 < 0.0) or (q[3] >= qhi[3] and g3 > 0.0):
        m33, m30, m31, m32, r3 = 1.0, 0.0, 0.0, 0.0, 0.0
    ok = False
    s2p = 0.0
    gp = 0.0
    # Cholesky with the reciprocal diagonal, row by row as _cholesky_into
    s = m00
    if not (s <= 1e-14 * abs(m00) or s <= 0.0):
        d0 = 1.0 / math.sqrt(s)
        l10 = m10 * d0
        s = m11 - l10 * l10
        if not (s <= 1e-14 * abs(m11) or s <= 0.0):
            d1 = 1.0 / math.sqrt(s)
            l20 = m20 * d0
            l21 = (m21 - l20 * l10) * d1
            s = m22 - l20 * l20 - l21 * l21
            if not (s <= 1e-14 * abs(m22) or s <= 0.0):
                d2 = 1.0 / math.sqrt(s)
                l30 = m30 * d0
                l31 = (m31 - l30 * l10) * d1
                l32 = (m32 - l30 * l20 - l31 * l21) * d2
                s = m33 - l30 * l30 - l31 * l31 - l32 * l32
                if not (s <= 1e-14 * abs(m33) or s <= 0.0):
                    ok = True
                    d3 = 1.0 / math.sqrt(s)
                    y0 = r0 * d0
                    y1 = (r1 - l10 * y0) * d1
                    y2 = (r2 - l20 * y0 - l21 * y1) * d2
                    y3 = (r3 - l30 * y0 - l31 * y1 - l32 * y2) * d3
                    x3 = y3 * d3
                    x2 = (y2 - l32 * x3) * d2
                    x1 = (y1 - l21 * x2 - l31 * x3) * d1
                    x0 = (y0 - l10 * x1 - l20 * x2 - l30 * x3) * d0
                    n0 = min(max(q[0] + x0, qlo[0]), qhi[0])
                    n1 = min(max(q[1] + x1, qlo[1]), qhi[1])
                    n2 = min(max(q[2] + x2, qlo[2]), qhi[2])
                    n3 = min(max(q[3] + x3, qlo[3]), qhi[3])
                    qn[0], qn[1], qn[2], qn[3] = n0, n1, n2, n3
                    e0, e1, e2, e3 = n0 - q[0], n1 - q[1], n2 - q[2], n3 - q[3]
                    dq[0], dq[1], dq[2], dq[3] = e0, e1, e2, e3
                    t = 0.0 + a00 * e0 + a10 * e1 + a20 * e2 + a30 * e3
                    s2p += e0 * t
                    gp += e0 * g0
                    t = 0.0 + a10 * e0 + a11 * e1 + a21 * e2 + a31 * e3
                    s2p += e1 * t
                    gp += e1 * g1
                    t = 0.0 + a20 * e0 + a21 * e1 + a22 * e2 + a32 * e3
                    s2p += e2 * t
                    gp += e2 * g2
                    t = 0.0 + a30 * e0 + a31 * e1 + a32 * e2 + a33 * e3
                    s2p += e3 * t
                    gp += e3 * g3
    live = A.size + g.size + q.size + qlo.size + qhi.size + qn.size + dq.size  # see _lm_step
    return ok and live > 0, s2p, gp


@njit(cache=True, error_model="numpy")
def _inverse_diagonal(A, scale, M, L, dl, dsc, col, out):
    """The diagonal of ``A^-1`` times ``scale`` into ``out``; False when ``A`` is not positive definite.

    Computed on the unit-diagonal scaled matrix ``M = D A D`` (``D =
    diag(A)^-1/2``, kept in ``dsc``) as the column sums of squares of
    ``L^-1`` (``M = L L^T``): no per-element square roots, no n solves. A
    parameter with no effect at all (zero diagonal, e.g. the centre of a
    zero-amplitude line) is left out and gets NaN. ``M``, ``L``, ``dl``,
    ``col``: scratch. Shared by both kernels.
    """
    n = dsc.size
    for k in range(n):
        dsc[k] = 1.0 / math.sqrt(A[k, k]) if A[k, k] > 0.0 else 0.0
    for k in range(n):
        for m in range(n):
            if dsc[k] > 0.0 and dsc[m] > 0.0:
                M[k, m] = A[k, m] * dsc[k] * dsc[m]
            else:
                M[k, m] = 1.0 if k == m else 0.0
    ok = _cholesky_into(M, L, dl)
    if ok:
        for k in range(n):
            # column k of L^-1 (zero above the diagonal) by forward substitution
            col[k] = dl[k]
            ss = col[k] * col[k]
            for i in range(k + 1, n):
                t = 0.0
                for m in range(k, i):
                    t += L[i, m] * col[m]
                col[i] = -t * dl[i]
                ss += col[i] * col[i]
            out[k] = ss * scale * dsc[k] * dsc[k] if dsc[k] > 0.0 else np.nan
    live = A.size + M.size + L.size + dl.size + dsc.size + col.size + out.size  # see _lm_step
    return ok and live > 0


@njit(cache=True, error_model="numpy")
def _guess_ranges(x, comp, crng):
    """Per component: the points ``crng[c, 0]:crng[c, 1]`` that hold every point of its moment range (first and last
    such point; ``comp[c, 10:12]``, see ``guess.component_table``), and ``crng[c, 2]``, the first component with the
    same range (whose moments, the same operations on the same points, it reuses). Once per call: ``x`` and
    ``comp`` are fixed."""
    n = x.size
    for c in range(comp.shape[0]):
        a = comp[c, 0] + comp[c, 10]
        b = comp[c, 0] + comp[c, 11]
        first = n
        last = -1
        for j in range(n):
            if x[j] >= a and x[j] <= b:
                first = min(first, j)
                last = j
        crng[c, 0] = first
        crng[c, 1] = max(last + 1, first)
        crng[c, 2] = c
        for c2 in range(c):
            if crng[c2, 2] == c2 and comp[c2, 0] + comp[c2, 10] == a and comp[c2, 0] + comp[c2, 11] == b:
                crng[c, 2] = c2
                break
    live = x.size + comp.size + crng.size  # see _lm_step
    return live > 0


@njit(cache=True, error_model="numpy")
def _prepare_spectrum(x, y, u, use_u, p0u, use_p0, lo_u, hi_u, fixv, comp, single, kinds, offs, crng, skip_guess, s,
                      w, yy, valid, sel, mom, pi, lo, hi):
    """Weights, cleaned data, initial values and bounds of spectrum ``s``; returns the number of valid points.

    Both kernels run it. Unless ``skip_guess`` (initial values and every bound given), the initial values and
    bounds are moment guesses (twin of :func:`irisplug_fit.guess.initial_values`). A leaf (no calls to other
    jitted functions) with every array used last at its one exit, so numba keeps no reference counting in it
    (see _lm_step): one pass cleans the data and gathers the valid values (``sel``) for the background; each
    component's moment sums run over the points of its centre range only (``crng``, see :func:`_guess_ranges`:
    the same points in the same order as over the whole window) and components with the same range reuse the
    first one's moments (``mom``: ok, centroid, variance).
    """
    n = x.size
    npar = pi.size
    nval = 0
    ymax = -np.inf
    for j in range(n):
        v = y[s, j]
        ok = math.isfinite(v)
        if use_u:
            uj = u[s, j]
            ok = ok and math.isfinite(uj) and uj > 0.0
            w[j] = 1.0 / (uj * uj) if ok else 0.0
        else:
            w[j] = 1.0 if ok else 0.0
        valid[j] = ok
        yy[j] = v if ok else 0.0
        if ok:
            sel[nval] = v
            nval += 1
            ymax = max(ymax, v)
    for i in range(npar):
        pi[i] = 0.0
        lo[i] = -np.inf
        hi[i] = np.inf
    if nval > 0 and not skip_guess:
        # the background: the k-th smallest valid value (unique as a value), by a quickselect with branch-free
        # Lomuto partitions (< pivot, then == pivot: ties end it, no quadratic time on flat data), ~3x faster
        # than a branchy Hoare partition
        k = int(0.1 * (nval - 1))
        left = 0
        right = nval - 1
        bg = np.nan
        found = False
        while right > left:
            mid = (left + right) // 2
            x0, x1, x2 = sel[left], sel[mid], sel[right]
            if (x0 <= x1) == (x1 <= x2):
                pm = mid
            elif (x1 <= x0) == (x0 <= x2):
                pm = left
            else:
                pm = right
            sel[pm], sel[right] = sel[right], sel[pm]
            pivot = sel[right]
            st = left
            for j in range(left, right):
                v = sel[j]
                sel[j] = sel[st]
                sel[st] = v
                st += 1 if v < pivot else 0
            sel[right], sel[st] = sel[st], sel[right]
            if k < st:
                right = st - 1
                continue
            # sel[st] is the pivot, sel[st + 1:right + 1] >= pivot: the values equal to it next
            eq = st + 1
            for j in range(st + 1, right + 1):
                v = sel[j]
                sel[j] = sel[eq]
                sel[eq] = v
                eq += 1 if v == pivot else 0
            if k < eq:
                bg = pivot
                found = True
                break
            left = eq
        if not found:
            bg = sel[k]
        if bg == 0.0:
            # +0.0 and -0.0 compare equal but differ in their bits: a zero background is the element that Hoare's
            # quickselect (median-of-three pivot) picks from the valid values in their order, as it always was
            m = 0
            for j in range(n):
                if valid[j]:
                    sel[m] = yy[j]
                    m += 1
            left = 0
            right = nval - 1
            while right > left:
                mid = (left + right) // 2
                if sel[mid] < sel[left]:
                    sel[mid], sel[left] = sel[left], sel[mid]
                if sel[right] < sel[left]:
                    sel[right], sel[left] = sel[left], sel[right]
                if sel[right] < sel[mid]:
                    sel[right], sel[mid] = sel[mid], sel[right]
                pivot = sel[mid]
                i = left
                jj = right
                while i <= jj:
                    while sel[i] < pivot:
                        i += 1
                    while sel[jj] > pivot:
                        jj -= 1
                    if i <= jj:
                        sel[i], sel[jj] = sel[jj], sel[i]
                        i += 1
                        jj -= 1
                if k <= jj:
                    right = jj
                elif k >= i:
                    left = i
                else:
                    break
            bg = sel[k]
        peak = ymax - bg
        if not (peak > 0.0) or not math.isfinite(peak):
            peak = 1.0
        pi[0] = bg
        for c in range(offs.size):
            rest, off, w0, af = comp[c, 0], comp[c, 1], comp[c, 2], comp[c, 3]
            clo, chi, wlo, whi, alo, ahi = comp[c, 4], comp[c, 5], comp[c, 6], comp[c, 7], comp[c, 8], comp[c, 9]
            c2 = crng[c, 2]
            if c2 == c:
                # the moments over the component's own centre range, or its line's (comp[c, 10:12])
                mlo = rest + comp[c, 10]
                mhi = rest + comp[c, 11]
                j0 = _U(crng[c, 0])
                j1 = _U(crng[c, 1])
                wsum = 0.0
                s1 = 0.0
                for j in range(j0, j1):
                    if valid[j] and x[j] >= mlo and x[j] <= mhi:
                        a = max(yy[j] - bg, 0.0)
                        wsum += a
                        s1 += a * x[j]
                ok = wsum > 0.0
                cen = s1 / wsum if ok else 0.0
                var = 0.0
                if ok:
                    for j in range(j0, j1):
                        if valid[j] and x[j] >= mlo and x[j] <= mhi:
                            a = max(yy[j] - bg, 0.0)
                            var += a * (x[j] - cen) ** 2
                    var /= wsum
                mom[c, 0] = 1.0 if ok else 0.0
                mom[c, 1] = cen
                mom[c, 2] = var
            else:
                ok = mom[c2, 0] > 0.0
                cen = mom[c2, 1]
                var = mom[c2, 2]
            if ok:
                centre = cen + (0.0 if single[c] else off)
            else:
                centre = rest + off
            centre = min(max(centre, rest + clo), rest + chi)
            width = w0
            if single[c] and kinds[c] != 1 and ok and var > 0.0:
                width = math.sqrt(var)
            width = min(max(width, wlo), whi)
            if single[c]:
                # np.searchsorted(x, centre) (left side), written out: numba's generic version costs ~10 % of the
                # compile
                idx = n
                if centre == centre:
                    idx = 0
                    top = n
                    while idx < top:
                        mid = (idx + top) // 2
                        if x[mid] < centre:
                            idx = mid + 1
                        else:
                            top = mid
                idx = min(max(idx, 0), n - 1)
                local = yy[idx] - bg if valid[idx] else 0.0
                amp = local if local > 0.0 else peak * af
            else:
                amp = peak * af
            o = offs[c]
            lo[o] = peak * alo
            hi[o] = peak * ahi
            pi[o] = min(max(amp, lo[o]), hi[o])
            pi[o + 1] = centre
            pi[o + 2] = width
            lo[o + 1] = rest + clo
            hi[o + 1] = rest + chi
            lo[o + 2] = wlo
            hi[o + 2] = whi
            if kinds[c] == 2:
                # Voigt: the Lorentzian HWHM starts at half the Gaussian sigma
                pi[o + 3] = 0.5 * width
                lo[o + 3] = 0.0
                hi[o + 3] = 10.0 * whi
    if use_p0:
        for i in range(npar):
            pi[i] = p0u[s, i]
    for i in range(npar):
        if not math.isnan(lo_u[i]):
            lo[i] = lo_u[i]
        if not math.isnan(hi_u[i]):
            hi[i] = hi_u[i]
        if not math.isnan(fixv[i]):
            pi[i] = fixv[i]
    live = (x.size + y.size + u.size + p0u.size + lo_u.size + hi_u.size + fixv.size + comp.size + single.size
            + kinds.size + offs.size + crng.size + w.size + yy.size + valid.size + sel.size + mom.size + pi.size
            + lo.size + hi.size)  # see _lm_step
    return nval if live > 0 else -1


@njit(cache=True, nogil=True, error_model="numpy")
def lm_fit_scalar(x, y, u, use_u, p0u, use_p0, lo_u, hi_u, fixv, comp, single, pmap, lead, tscale, toff, kinds,
                  offs, nbg, ref, max_iter, tol, absolute, dx, voigt, s_start, s_stop,
                  p_out, err_out, chi2_out, niter_out, status_out, dof_out):
    """Fit spectra ``s_start:s_stop`` one after another into the output arrays.

    ``voigt``: None when no component is a Voigt profile (the kernel is then
    compiled without the Voigt code), else any array (e.g. ``np.empty(0)``).
    """
    n = x.size
    npar = pmap.size
    nfree = lead.size
    # initial values and every bound given: the moment guesses would all be overwritten
    skip_guess = use_p0
    for i in range(npar):
        skip_guess = skip_guess and not math.isnan(lo_u[i]) and not math.isnan(hi_u[i])
    identity = nfree == npar
    for i in range(npar):
        identity = identity and pmap[i] == i and tscale[i] == 1.0 and toff[i] == 0.0
    w = np.empty(n)
    yy = np.empty(n)
    valid = np.empty(n, dtype=np.bool_)
    # the guesses' workspace: the valid values, per-component point ranges and shared moments (see _prepare_spectrum)
    sel = np.empty(n)
    crng = np.empty((max(kinds.size, 1), 3), dtype=np.int64)
    mom = np.empty((max(kinds.size, 1), 3))
    _guess_ranges(x, comp, crng)
    pi = np.empty(npar)
    lo = np.empty(npar)
    hi = np.empty(npar)
    vec = np.empty((6, n))
    vbuf = np.empty((7, n))
    jac = np.empty((4, npar, n))
    sups = np.empty((3, npar, 2), dtype=np.int64)
    for i in range(npar):
        sups[2, i, 0] = 0
        sups[2, i, 1] = n
    mat = np.empty((3, nfree, nfree))
    small = np.empty((10, npar))
    # the Voigt scratch, or None: numba prunes the unused branch (``voigt`` is None or an array when compiling),
    # so kernels of templates without Voigt components neither contain nor compile the Voigt code
    if voigt is None:
        vb = None
    else:
        vb = vbuf
    for s in range(s_start, s_stop):
        nval = _prepare_spectrum(x, y, u, use_u, p0u, use_p0, lo_u, hi_u, fixv, comp, single, kinds, offs, crng,
                                 skip_guess, s, w, yy, valid, sel, mom, pi, lo, hi)
        dof_out[s] = nval - nfree
        p_out_s = p_out[s]
        err_out_s = err_out[s]
        # LM on spectrum s in the workspace: ``vec`` (6, n), ``vb`` (7, n) Voigt scratch or None, ``jac``
        # (4, npar, n), ``mat`` (3, nfree, nfree), ``small`` (10, npar), ``sups`` (3, npar, 2) row supports
        # (current, trial, full). Written inline, not as a jitted helper: numba would optimise and emit
        # the helper's machine code on its own and then again inside this kernel (~1.5 s more compilation)
        nv = 0
        for j in range(n):
            if w[j] > 0.0:
                nv += 1
        for i in range(npar):
            p_out_s[i] = np.nan
            err_out_s[i] = np.nan
        if nv == 0 or nv <= nfree:
            chi2_out[s] = np.nan
            niter_out[s] = 0
            status_out[s] = _ALL_MASKED if nv == 0 else _TOO_FEW
            continue
        q, qn, dq, qlo, qhi = small[0, :nfree], small[1, :nfree], small[2, :nfree], small[3, :nfree], small[4, :nfree]
        g, col, rhs, dl = small[5, :nfree], small[7, :nfree], small[8, :nfree], small[9, :nfree]
        p = small[6]
        A, M, L = mat[0], mat[1], mat[2]
        f, r, fn, rn, ebuf, sw = vec[0], vec[1], vec[2], vec[3], vec[4], vec[5]
        for j in range(n):
            sw[j] = math.sqrt(w[j])
        Jp, Jpn = jac[0], jac[1]
        sp, spn = sups[0], sups[1]
        sfull = sups[2]
        J = jac[2, :nfree]
        if identity:
            J = Jp
        for k in range(nfree):
            i = lead[k]
            qlo[k] = lo[i]
            qhi[k] = hi[i]
            q[k] = min(max(pi[i], lo[i]), hi[i])
        _full_params(q, pi, pmap, tscale, toff, p)
        chi2 = _evaluate(x, yy, sw, p, kinds, offs, nbg, ref, f, Jp, r, dx, ebuf, vb, sp)
        if not identity:
            _fold(Jp, pmap, tscale, J)
        _normal_eqs(J, r, A, g, sp if identity else sfull)
        dof = nv - nfree
        lam = 1e-3
        nu = 2.0
        status = _MAX_ITER
        it = 0
        while it < max_iter:
            it += 1
            if chi2 == 0.0:
                status = _CONVERGED
                break
            if nfree == 4:
                ok, s2p, gp = _lm_step4(A, g, q, qlo, qhi, lam, qn, dq)
            else:
                ok, s2p, gp = _lm_step(A, g, q, qlo, qhi, lam, M, L, dl, rhs, dq, qn)
            if not ok:
                lam *= 10.0
                if lam > 1e16:
                    status = _SINGULAR
                    break
                continue
            # converged already if the proposed step is predicted to change nothing that matters
            redp = chi2 / dof if dof > 0 else chi2
            if it > 1 and (2.0 * gp - s2p) <= tol * chi2 and s2p <= tol * redp:
                status = _CONVERGED
                break
            _full_params(qn, pi, pmap, tscale, toff, p)
            chi2n = _evaluate(x, yy, sw, p, kinds, offs, nbg, ref, fn, Jpn, rn, dx, ebuf, vb, spn)
            if chi2n < chi2:
                # statistical size of the step (dq^T A dq = s2p, computed above), in units of the
                # reduced chi2; pred is the decrease the quadratic model predicted
                red = chi2n / dof if dof > 0 else chi2n
                small_step = (chi2 - chi2n) <= tol * chi2n and s2p <= tol * red
                pred = 2.0 * gp - s2p
                rho = (chi2 - chi2n) / pred if pred > 0.0 else 0.0
                # Nielsen (1999) damping update
                lam = max(lam * max(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3), 1e-12)
                nu = 2.0
                for k in range(nfree):
                    q[k] = qn[k]
                chi2 = chi2n
                f, fn = fn, f
                r, rn = rn, r
                Jp, Jpn = Jpn, Jp
                sp, spn = spn, sp
                if identity:
                    J = Jp
                else:
                    _fold(Jp, pmap, tscale, J)
                _normal_eqs(J, r, A, g, sp if identity else sfull)
                if small_step:
                    status = _CONVERGED
                    break
            else:
                lam *= nu
                nu *= 2.0
                if lam > 1e10:
                    status = _CONVERGED  # no decrease possible: at the minimum to machine precision
                    break
        _full_params(q, pi, pmap, tscale, toff, p)
        for i in range(npar):
            p_out_s[i] = p[i]
        # covariance of the free parameters: the diagonal of the inverse of A (see _inverse_diagonal)
        scale = 1.0 if absolute else (chi2 / dof if dof > 0 else np.nan)
        if _inverse_diagonal(A, scale, M, L, dl, qn, col, dq):
            for i in range(npar):
                k = pmap[i]
                err_out_s[i] = abs(tscale[i]) * math.sqrt(dq[k]) if k >= 0 else 0.0
        else:
            status = _SINGULAR
        chi2_out[s] = chi2
        niter_out[s] = it
        status_out[s] = status


# ---------------------------------------------------------------------------------------------------------------
# Fast path: Gaussians + polynomial background, every parameter free (no ties, no fixed values), uniform grid.
#
# The same Levenberg-Marquardt iteration as :func:`lm_fit_scalar`, step for step, organised for speed:
# - no reference counting in the loops over spectra and iterations. numba counts the references of every
#   array view (``a[0]``, ``a[i:j]``) and of every array variable rebound in a loop, with atomic (``lock``)
#   instructions that cost ~20 cycles each; the kernel before this one spent ~40 % of its time on ~190 of them
#   per spectrum (measured with perf). The workspace is therefore one array per quantity, allocated once per
#   call and indexed in place (no views, no swaps), and the helpers called per iteration are leaf functions
#   (they call no other jitted function) whose array arguments are all last used at their one exit: numba's
#   pruning pass then removes the counts of their arguments (it does not for a helper that calls another,
#   nor when the last uses are spread over the function: checked in the LLVM IR);
# - a trial step evaluates the model and chi2 only, keeping each Gaussian's values ``E`` on its support;
#   the Jacobian and the normal equations are computed from them when the step is accepted (never for
#   rejected steps), the Jacobian rows of a component written over its support only; a rejected step leaves
#   nothing that is needed again (``A`` and ``g`` are those of the current parameters), so the residual,
#   ``E`` and the supports need one buffer each;
# - the background rows of the Jacobian and their block of ``A`` do not depend on the parameters: computed
#   once per spectrum;
# - the two directions of each Gaussian's recurrence run in one loop (two independent multiplication
#   chains, the same operations as :func:`_gauss_values`);
# - loops over a support index with an unsigned integer (``_U``): numba's negative-index wrap-around would
#   turn their vector loads into gathers;
# - the LM step is :func:`_lm_step` (shared with the general kernel), written out on scalars for 4 free
#   parameters (:func:`_lm_step4`); the Cholesky factorisation and solve multiply by the reciprocal diagonal.
# ---------------------------------------------------------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def _gauss_rows(x, p, offs, dx, E, sup):
    """Each Gaussian's values on its support into ``E[c]`` and the support ``[start, stop)`` into ``sup[c]``.

    The support is the points within 10 sigma, as in :func:`_evaluate`; the
    values are :func:`_gauss_values`' (uniform grid, ``dx > 0``), the same
    operations in the same order, except that the chains towards larger and
    smaller ``x`` run in one loop (independent multiplications overlap). A
    leaf function: numba removes the reference counting of its arguments
    only when it calls no other jitted function.
    """
    n = x.size
    for c in range(offs.size):
        o = offs[c]
        mu = p[o + 1]
        inv = 1.0 / p[o + 2]
        j_lo, j_hi = 0, n
        if math.isfinite(mu) and math.isfinite(inv) and inv > 0.0:
            half = 10.0 / (inv * dx)
            u = (mu - x[0]) / dx
            j_lo = max(math.floor(u - half), 0) if u - half > -1.0 else 0
            j_hi = min(math.ceil(u + half) + 1, n) if u + half < n + 1.0 else n
            if j_hi < j_lo:
                j_hi = j_lo
        sup[c, 0] = j_lo
        sup[c, 1] = j_hi
        if j_hi <= j_lo:
            continue
        u = (mu - x[0]) / dx
        if not math.isfinite(u) or not math.isfinite(inv):
            for j in range(j_lo, j_hi):
                E[c, j] = np.nan
            continue
        j0 = math.floor(min(max(u, -1.0), n + 1.0) + 0.5)
        j0 = min(max(j0, j_lo), j_hi - 1)
        z0 = (x[j0] - mu) * inv
        dz = dx * inv
        q = math.exp(-dz * dz)
        e0 = math.exp(-0.5 * z0 * z0)
        E[c, j0] = e0
        ef = e0
        rf = math.exp(-z0 * dz - 0.5 * dz * dz)
        eb = e0
        rb = math.exp(z0 * dz - 0.5 * dz * dz)
        nf = j_hi - 1 - j0
        nb = j0 - j_lo
        both = min(nf, nb)
        for k in range(1, both + 1):
            ef *= rf
            rf *= q
            E[c, _U(j0 + k)] = ef
            eb *= rb
            rb *= q
            E[c, _U(j0 - k)] = eb
        for k in range(both + 1, nf + 1):
            ef *= rf
            rf *= q
            E[c, _U(j0 + k)] = ef
        for k in range(both + 1, nb + 1):
            eb *= rb
            rb *= q
            E[c, _U(j0 - k)] = eb


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _gauss_residual(yy, sw, T, p, offs, nbg, f, r, E, sup):
    """Weighted residual ``r`` and chi2 of Gaussians + polynomial (model in ``f``) from :func:`_gauss_rows`' ``E``."""
    n = yy.size
    b0 = p[0]
    for j in range(n):
        f[j] = b0
    for b in range(1, nbg):
        cb = p[b]
        for j in range(n):
            f[j] += cb * T[b, j]
    for c in range(offs.size):
        a = p[offs[c]]
        for j in range(_U(max(sup[c, 0], 0)), _U(max(sup[c, 1], 0))):
            f[j] += a * E[c, j]
    chi2 = 0.0
    for j in range(n):
        rj = sw[j] * (yy[j] - f[j])
        r[j] = rj
        chi2 += rj * rj
    return chi2


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _gauss_normal(x, sw, p, offs, nbg, E, sup, r, J, Abg, A, g):
    """``A = J J^T`` and ``g = J r`` from the Gaussians' values ``E`` (background rows of ``J`` set per spectrum).

    One pass over each component's support accumulates its block of ``A``,
    its entries of ``g`` and its products with the constant background row
    (``J[0] = sqrt(w)``) without writing its Jacobian rows; the rows are
    written (over the support) only when other rows need them (a sloped
    background, overlapping components). Products run over the supports'
    intersections (the rows are zero elsewhere); the background block of
    ``A`` is ``Abg`` (constant for a spectrum).
    """
    n = x.size
    ncomp = offs.size
    rows = nbg > 1 or ncomp > 1
    for c in range(ncomp):
        o = offs[c]
        a = p[o]
        mu = p[o + 1]
        inv = 1.0 / p[o + 2]
        j_lo = _U(max(sup[c, 0], 0))
        j_hi = _U(max(sup[c, 1], 0))
        s0 = 0.0
        s1 = 0.0
        s2 = 0.0
        a00 = 0.0
        a10 = 0.0
        a11 = 0.0
        a20 = 0.0
        a21 = 0.0
        a22 = 0.0
        b0 = 0.0
        b1 = 0.0
        b2 = 0.0
        for j in range(j_lo, j_hi):
            z = (x[j] - mu) * inv
            wj = sw[j]
            es = E[c, j] * wj
            d = a * es * z * inv
            dz = d * z
            rj = r[j]
            s0 += es * rj
            s1 += d * rj
            s2 += dz * rj
            a00 += es * es
            a10 += d * es
            a11 += d * d
            a20 += dz * es
            a21 += dz * d
            a22 += dz * dz
            b0 += es * wj
            b1 += d * wj
            b2 += dz * wj
        g[o] = s0
        g[o + 1] = s1
        g[o + 2] = s2
        A[o, o] = a00
        A[o + 1, o] = a10
        A[o + 1, o + 1] = a11
        A[o + 2, o] = a20
        A[o + 2, o + 1] = a21
        A[o + 2, o + 2] = a22
        A[o, 0] = b0
        A[o + 1, 0] = b1
        A[o + 2, 0] = b2
        if rows:
            for j in range(j_lo, j_hi):
                z = (x[j] - mu) * inv
                es = E[c, j] * sw[j]
                d = a * es * z * inv
                J[o, j] = es
                J[o + 1, j] = d
                J[o + 2, j] = d * z
    s = 0.0
    for j in range(n):
        s += sw[j] * r[j]
    g[0] = s
    # the other background rows against the residual and against each component (over its support)
    for b in range(1, nbg):
        s = 0.0
        for j in range(n):
            s += J[b, j] * r[j]
        g[b] = s
        for c in range(ncomp):
            o = offs[c]
            t0 = 0.0
            t1 = 0.0
            t2 = 0.0
            for j in range(_U(max(sup[c, 0], 0)), _U(max(sup[c, 1], 0))):
                jb = J[b, j]
                t0 += J[o, j] * jb
                t1 += J[o + 1, j] * jb
                t2 += J[o + 2, j] * jb
            A[o, b] = t0
            A[o + 1, b] = t1
            A[o + 2, b] = t2
    for b in range(nbg):
        for b2 in range(b + 1):
            A[b, b2] = Abg[b, b2]
    # components against each other, over the intersection of their supports
    for c in range(ncomp):
        o = offs[c]
        for c2 in range(c):
            o2 = offs[c2]
            j_lo = _U(max(sup[c, 0], sup[c2, 0], 0))
            j_hi = _U(max(min(sup[c, 1], sup[c2, 1]), 0))
            t00 = 0.0
            t01 = 0.0
            t02 = 0.0
            t10 = 0.0
            t11 = 0.0
            t12 = 0.0
            t20 = 0.0
            t21 = 0.0
            t22 = 0.0
            for j in range(j_lo, j_hi):
                u0 = J[o, j]
                u1 = J[o + 1, j]
                u2 = J[o + 2, j]
                v0 = J[o2, j]
                v1 = J[o2 + 1, j]
                v2 = J[o2 + 2, j]
                t00 += u0 * v0
                t01 += u0 * v1
                t02 += u0 * v2
                t10 += u1 * v0
                t11 += u1 * v1
                t12 += u1 * v2
                t20 += u2 * v0
                t21 += u2 * v1
                t22 += u2 * v2
            A[o, o2] = t00
            A[o, o2 + 1] = t01
            A[o, o2 + 2] = t02
            A[o + 1, o2] = t10
            A[o + 1, o2 + 1] = t11
            A[o + 1, o2 + 2] = t12
            A[o + 2, o2] = t20
            A[o + 2, o2 + 1] = t21
            A[o + 2, o2 + 2] = t22
    npar = g.size
    for k in range(npar):
        for m2 in range(k):
            A[m2, k] = A[k, m2]


@njit(cache=True, nogil=True, error_model="numpy")
def lm_fit_gauss(x, y, u, use_u, p0u, use_p0, lo_u, hi_u, fixv, comp, single, pmap, lead, tscale, toff, kinds,
                 offs, nbg, ref, max_iter, tol, absolute, dx, voigt, s_start, s_stop,
                 p_out, err_out, chi2_out, niter_out, status_out, dof_out):
    """:func:`lm_fit_scalar` for Gaussians + polynomial background, all parameters free, on a uniform grid (``dx > 0``).

    Same arguments (``pmap`` the identity, ``kinds`` all 0, ``voigt`` None;
    see :func:`fast_path`), same iteration, same outputs.
    """
    n = x.size
    npar = pmap.size
    ncomp = offs.size
    skip_guess = use_p0
    for i in range(npar):
        skip_guess = skip_guess and not math.isnan(lo_u[i]) and not math.isnan(hi_u[i])
    # the workspace: one array per quantity, indexed in place (see the comment above)
    w = np.empty(n)
    yy = np.empty(n)
    sw = np.empty(n)
    f = np.empty(n)
    r = np.empty(n)
    valid = np.empty(n, dtype=np.bool_)
    # the guesses' workspace: the valid values, per-component point ranges and shared moments (see _prepare_spectrum)
    sel = np.empty(n)
    crng = np.empty((max(ncomp, 1), 3), dtype=np.int64)
    mom = np.empty((max(ncomp, 1), 3))
    _guess_ranges(x, comp, crng)
    T = np.empty((max(nbg, 1), n))
    for b in range(nbg):
        for j in range(n):
            T[b, j] = (x[j] - ref) ** b
    E = np.empty((max(ncomp, 1), n))
    sup = np.empty((max(ncomp, 1), 2), dtype=np.int64)
    J = np.empty((npar, n))
    A = np.empty((npar, npar))
    M = np.empty((npar, npar))
    L = np.empty((npar, npar))
    Abg = np.empty((npar, npar))
    pi = np.empty(npar)
    lo = np.empty(npar)
    hi = np.empty(npar)
    q = np.empty(npar)
    qn = np.empty(npar)
    dq = np.empty(npar)
    g = np.empty(npar)
    rhs = np.empty(npar)
    dl = np.empty(npar)
    col = np.empty(npar)
    for s in range(s_start, s_stop):
        if skip_guess:
            # weights and cleaned data as _prepare_spectrum, in one branch-free pass (no guesses to compute)
            nval = 0
            if use_u:
                for j in range(n):
                    v = y[s, j]
                    uj = u[s, j]
                    ok = math.isfinite(v) and math.isfinite(uj) and uj > 0.0
                    w[j] = 1.0 / (uj * uj) if ok else 0.0
                    yy[j] = v if ok else 0.0
                    nval += 1 if ok else 0
            else:
                for j in range(n):
                    v = y[s, j]
                    ok = math.isfinite(v)
                    w[j] = 1.0 if ok else 0.0
                    yy[j] = v if ok else 0.0
                    nval += 1 if ok else 0
            for i in range(npar):
                pi[i] = p0u[s, i]
                lo[i] = lo_u[i]
                hi[i] = hi_u[i]
                if not math.isnan(fixv[i]):
                    pi[i] = fixv[i]
        else:
            nval = _prepare_spectrum(x, y, u, use_u, p0u, use_p0, lo_u, hi_u, fixv, comp, single, kinds, offs, crng,
                                     False, s, w, yy, valid, sel, mom, pi, lo, hi)
        dof_out[s] = nval - npar
        # sqrt(w), and the points of nonzero weight; without uncertainties w is 0 or 1, its own square root
        nv = 0
        if use_u:
            for j in range(n):
                sw[j] = math.sqrt(w[j])
                nv += 1 if w[j] > 0.0 else 0
        else:
            for j in range(n):
                sw[j] = w[j]
                nv += 1 if w[j] > 0.0 else 0
        for i in range(npar):
            p_out[s, i] = np.nan
            err_out[s, i] = np.nan
        if nv == 0 or nv <= npar:
            chi2_out[s] = np.nan
            niter_out[s] = 0
            status_out[s] = _ALL_MASKED if nv == 0 else _TOO_FEW
            continue
        # background rows of the Jacobian and their block of A: independent of the parameters
        for b in range(nbg):
            for j in range(n):
                J[b, j] = T[b, j] * sw[j]
        for b in range(nbg):
            for b2 in range(b + 1):
                t = 0.0
                for j in range(n):
                    t += J[b, j] * J[b2, j]
                Abg[b, b2] = t
        for k in range(npar):
            q[k] = min(max(pi[k], lo[k]), hi[k])
        _gauss_rows(x, q, offs, dx, E, sup)
        chi2 = _gauss_residual(yy, sw, T, q, offs, nbg, f, r, E, sup)
        _gauss_normal(x, sw, q, offs, nbg, E, sup, r, J, Abg, A, g)
        dof = nv - npar
        lam = 1e-3
        nu = 2.0
        status = _MAX_ITER
        it = 0
        while it < max_iter:
            it += 1
            if chi2 == 0.0:
                status = _CONVERGED
                break
            if npar == 4:
                ok, s2p, gp = _lm_step4(A, g, q, lo, hi, lam, qn, dq)
            else:
                ok, s2p, gp = _lm_step(A, g, q, lo, hi, lam, M, L, dl, rhs, dq, qn)
            if not ok:
                lam *= 10.0
                if lam > 1e16:
                    status = _SINGULAR
                    break
                continue
            redp = chi2 / dof if dof > 0 else chi2
            if it > 1 and (2.0 * gp - s2p) <= tol * chi2 and s2p <= tol * redp:
                status = _CONVERGED
                break
            _gauss_rows(x, qn, offs, dx, E, sup)
            chi2n = _gauss_residual(yy, sw, T, qn, offs, nbg, f, r, E, sup)
            if chi2n < chi2:
                red = chi2n / dof if dof > 0 else chi2n
                small_step = (chi2 - chi2n) <= tol * chi2n and s2p <= tol * red
                pred = 2.0 * gp - s2p
                rho = (chi2 - chi2n) / pred if pred > 0.0 else 0.0
                lam = max(lam * max(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3), 1e-12)
                nu = 2.0
                for k in range(npar):
                    q[k] = qn[k]
                chi2 = chi2n
                _gauss_normal(x, sw, q, offs, nbg, E, sup, r, J, Abg, A, g)
                if small_step:
                    status = _CONVERGED
                    break
            else:
                lam *= nu
                nu *= 2.0
                if lam > 1e10:
                    status = _CONVERGED
                    break
        for i in range(npar):
            p_out[s, i] = q[i]
        scale = 1.0 if absolute else (chi2 / dof if dof > 0 else np.nan)
        if _inverse_diagonal(A, scale, M, L, dl, qn, col, dq):
            for i in range(npar):
                err_out[s, i] = math.sqrt(dq[i])
        else:
            status = _SINGULAR
        chi2_out[s] = chi2
        niter_out[s] = it
        status_out[s] = status


def lm_fit_numba(x, y, u, use_u, p0u, use_p0, lo_u, hi_u, fixv, comp, single, pmap, lead, tscale, toff, kinds,
                 offs, nbg, ref, max_iter, tol, absolute, dx, nblock=1):
    """Fit every row of ``y`` (NaN = ignored) in this thread; returns ``(p, err, chi2, niter, status, dof)``.

    ``u`` uncertainties (used when ``use_u``); ``p0u`` initial values (used
    when ``use_p0``, otherwise moment guesses from ``comp``); ``lo_u``,
    ``hi_u``, ``fixv``: per-parameter overrides, NaN for none. ``kinds``:
    profile code per component; ``offs``: index of each component's first
    parameter (:func:`irisplug_fit.templates.param_offsets`). ``nblock`` is
    ignored (kept for callers of the earlier signature).
    """
    return lm_fit_threads(x, y, u, use_u, p0u, use_p0, lo_u, hi_u, fixv, comp, single, pmap, lead, tscale, toff,
                          kinds, offs, nbg, ref, max_iter, tol, absolute, dx, nblock, threads=1)


def default_threads() -> int:
    """Threads for :func:`lm_fit_threads`: ``IRISPLUG_FIT_THREADS``, or the usable CPUs (``irisplug.usable_cpus``)
    when it is unset or 0.

    Raises
    ------
    irisplug.IrisplugError
        ``IRISPLUG_FIT_THREADS`` is set to something other than a number >= 0.

    Examples
    --------
    >>> default_threads() >= 1
    True
    """
    from irisplug import usable_cpus
    from irisplug.limits import env_number

    threads = int(env_number("IRISPLUG_FIT_THREADS", 0, int))
    return threads if threads > 0 else usable_cpus()


_POOL = None
_POOL_LOCK = None
_STEAL = 512  # spectra per stolen piece: ~1 ms of work, far above the call overhead (~20 us)


def _pool(nthreads: int):
    """The module's thread pool, grown when more threads are asked for (never one pool per call)."""
    global _POOL, _POOL_LOCK
    import threading
    from concurrent.futures import ThreadPoolExecutor

    if _POOL_LOCK is None:
        _POOL_LOCK = threading.Lock()
    with _POOL_LOCK:
        if _POOL is None or _POOL._max_workers < nthreads:
            old = _POOL
            _POOL = ThreadPoolExecutor(nthreads, thread_name_prefix="irisplug-fit")
            if old is not None:
                old.shutdown(wait=False)
        return _POOL


def _read_only(a, dtype, ndim: int) -> np.ndarray:
    """A read-only, C-contiguous view of ``a`` as ``dtype`` (a copy only when the dtype or layout differs)."""
    v = np.ascontiguousarray(a, dtype=dtype)
    if v.ndim != ndim:
        raise ValueError(f"kernel argument: expected {ndim} dimensions, got {v.ndim}")
    v = v.view()
    v.flags.writeable = False
    return v


_F8, _I8 = np.float64, np.int64


def kernel_arguments(x, y, u, use_u, p0u, use_p0, lo_u, hi_u, fixv, comp, single, pmap, lead, tscale, toff, kinds,
                     offs, nbg, ref, max_iter, tol, absolute, dx) -> tuple:
    """The arguments of :func:`lm_fit_scalar` (before ``s_start``) in the one type signature the kernel is compiled for.

    numba compiles (about 10 s of CPU) and caches one machine-code version
    per distinct argument types: a read-only array (``np.broadcast_to``,
    memory-mapped files), another dtype or a non-contiguous view would each
    cost a compilation, and :func:`warm_kernels` would not warm them. Every
    input array is therefore passed as a read-only C-contiguous view of a
    fixed dtype (no copy for float64 C-ordered data; the kernel never
    writes its inputs) and every scalar as a Python scalar, so a template
    needs exactly one kernel: three in all, the general one with and
    without Voigt code (the last element, None or an empty array) and the
    Gaussian fast path :func:`lm_fit_gauss` (see :func:`fast_path`).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.broadcast_to(np.arange(5.0), (2, 5))  # read-only
    >>> f, i = np.zeros(4), np.zeros(1, dtype=np.int64)
    >>> a = kernel_arguments(np.arange(5.0), y, np.empty((0, 0)), 0, np.empty((0, 0)), 0, f, f, f, np.zeros((1, 12)),
    ...                      np.ones(1, bool), np.arange(4), np.arange(4), f + 1, f, i, i + 1, 1, 0.0, 200, 1e-8, 0, 0.0)
    >>> a[1].flags.writeable, a[1].flags.c_contiguous, a[3], a[-1] is None
    (False, True, False, True)
    """
    ro = _read_only
    voigt = np.empty(0) if np.any(np.asarray(kinds) == 2) else None
    return (ro(x, _F8, 1), ro(y, _F8, 2), ro(u, _F8, 2), bool(use_u), ro(p0u, _F8, 2), bool(use_p0),
            ro(lo_u, _F8, 1), ro(hi_u, _F8, 1), ro(fixv, _F8, 1), ro(comp, _F8, 2), ro(single, np.bool_, 1),
            ro(pmap, _I8, 1), ro(lead, _I8, 1), ro(tscale, _F8, 1), ro(toff, _F8, 1), ro(kinds, _I8, 1),
            ro(offs, _I8, 1), int(nbg), float(ref), int(max_iter), float(tol), bool(absolute), float(dx), voigt)


def lm_fit_threads(x, y, u, use_u, p0u, use_p0, lo_u, hi_u, fixv, comp, single, pmap, lead, tscale, toff, kinds,
                   offs, nbg, ref, max_iter, tol, absolute, dx, nblock=1, *, threads=None):
    """Fit every row of ``y`` on ``threads`` threads; returns ``(p, err, chi2, niter, status, dof)``.

    Work stealing: the threads take pieces of ``_STEAL`` spectra from a
    shared counter until none is left (no fixed halves; a thread that is
    slowed down by other load simply takes fewer pieces), each writing its
    rows of the shared outputs in place (no concatenation). ``nblock`` is
    ignored.
    """
    import itertools

    args = kernel_arguments(x, y, u, use_u, p0u, use_p0, lo_u, hi_u, fixv, comp, single, pmap, lead, tscale, toff,
                            kinds, offs, nbg, ref, max_iter, tol, absolute, dx)
    nspec = args[1].shape[0]
    npar = args[11].size
    p = np.empty((nspec, npar))
    err = np.empty((nspec, npar))
    chi2 = np.empty(nspec)
    niter = np.empty(nspec, dtype=np.int32)
    status = np.empty(nspec, dtype=np.uint8)
    dof = np.empty(nspec, dtype=np.int32)
    fast = args[-1] is None and fast_path(args[11], args[12], args[13], args[14], args[15], args[22], args[17])
    kernel = lm_fit_gauss if fast else lm_fit_scalar
    outs = (p, err, chi2, niter, status, dof)
    nthreads = max(min(threads or default_threads(), -(-nspec // 64)), 1)
    if nthreads <= 1:
        kernel(*args, 0, nspec, *outs)
        return outs
    piece = max(min(_STEAL, -(-nspec // (4 * nthreads))), 64)
    counter = itertools.count()  # next() is atomic under the GIL

    def work():
        while True:
            a = next(counter) * piece
            if a >= nspec:
                return
            kernel(*args, a, min(a + piece, nspec), *outs)

    futures = [_pool(nthreads).submit(work) for _ in range(nthreads)]
    for f in futures:
        f.result()
    return outs


def warm_kernels(voigt: bool = False, background: bool = False):
    """Compile (or load from the per-user cache) the kernels of Gaussian/Lorentzian templates, and of Voigt ones.

    Call it once before fitting on several processes at once (e.g. in a
    dask client before submitting blocks): the first call compiles and
    writes the per-user cache, and every worker then loads the kernels
    instead of compiling them side by side. Two kernels serve every
    non-Voigt template, with or without initial values, uncertainties,
    masks, read-only or float32 data (see :func:`kernel_arguments`): the
    Gaussian fast path (:func:`lm_fit_gauss`) and the general kernel;
    Voigt templates have their own (see :mod:`irisplug_fit.kernel_variants`).
    ``background=True`` runs it in a daemon thread and returns the thread.

    Examples
    --------
    >>> warm_kernels()  # doctest: +SKIP
    """
    from irisplug_fit import warm

    kinds = ("gauss", "plain", "voigt") if voigt else ("gauss", "plain")
    if background:
        import threading

        th = threading.Thread(target=lambda: [warm.ensure_compiled(k) for k in kinds], name="irisplug-fit-warm",
                              daemon=True)
        th.start()
        return th
    for kind in kinds:  # under the cache folder's lock: processes warming at once compile each kernel once
        warm.ensure_compiled(kind)
    return None


def _drop_stale_cache() -> None:
    """Before any kernel is compiled or loaded: drop cached kernels built from other sources (see numba_cache)."""
    from irisplug_fit import numba_cache, profiles

    if numba_cache.install_kernel_cache() is not None:
        return  # the per-user cache is keyed by the contents of all the sources
    cache = getattr(lm_fit_scalar, "_cache", None)
    path = getattr(cache, "_cache_path", None)  # where numba keeps this module's cache (numba internal)
    if path is None:
        path = Path(__file__).parent / "__pycache__"
    numba_cache.drop_stale_cache(path, "kernels", [__file__, profiles.__file__])


_drop_stale_cache()
