"""The kernels' moment guesses (``kernels._prepare_spectrum``, shared by both) against numpy's and the kernels before.

Without initial values the kernels compute starting values and bounds per
spectrum from its moments, in one leaf helper shared by the general kernel
(``lm_fit_scalar``) and the Gaussian fast path (``lm_fit_gauss``): a
branch-free quickselect for the background, moment sums over each
component's point range, shared between components of the same range. The
references: ``guess.initial_values`` (numpy; sums in another order), a
plain-Python Hoare quickselect for the sign of a zero background, and, to the
bit, the kernels of commit ``_BEFORE`` (the last before the guess code was
shared: Hoare's quickselect on a view, moments over the whole window),
loaded from git history beside these (skipped where that history is absent).
Starting values are read out with ``max_iter=0`` (the output is the starting
point); the bounds by starting from +-1e300 (the output is then the bound).
Batches mix masked, NaN, flat, all-zero, signed-zero and too-few-point
spectra.
"""

from __future__ import annotations

import numpy as np
import pytest

from irisplug_fit import kernels
from irisplug_fit.engine import parameter_mapping
from irisplug_fit.guess import component_table, initial_values
from irisplug_fit.line_templates import generic_template
from irisplug_fit.synthetic import poisson_gaussians


def _batch(ncomp: int, npts: int, seed: int):
    x = np.linspace(1401.77, 1401.77 + 0.02 * npts, npts)
    y, truth = poisson_gaussians(300, x, ncomp=ncomp, seed=seed, centre=float(x.mean()))
    rng = np.random.default_rng(seed)
    y[3] = np.nan  # fully masked
    y[4, ::2] = np.nan  # every other point
    y[5] = 7.0  # flat
    y[6, 3:] = np.nan  # too few points
    y[7, 10:20] = np.inf
    y[8] = 0.0  # all zero
    y[9, :40] = 0.0  # background exactly zero (the quickselect path)
    # signed zeros at the background, where other selections than _select's pick zeros of the other sign
    z = np.random.default_rng(0)
    for _ in range(3):
        z.poisson(20, 100), z.random(100), z.random(100)
    v = z.poisson(20, 100).astype(float)
    zero = z.random(100) < 0.3
    v[zero] = 0.0
    v[zero & (z.random(100) < 0.5)] = -0.0
    y[10] = np.resize(v, npts)
    y[11] = -rng.uniform(1, 5, npts)  # negative, no line
    y[12, 5:] = np.nan
    y[13, :] = np.where(rng.random(npts) < 0.5, np.nan, y[13])
    y[14] = np.round(y[14] / 10) * 10  # many ties
    return x, y, truth


def _template(x, truth, ncomp: int, narrow: bool):
    if not narrow:  # every component may be anywhere: one range, shared moments
        return generic_template(truth[0], [x[0], x[-1]])
    # each centre within 0.15 A of its start: ranges of their own, moment sums over part of the window
    p = truth[0]
    lower = np.full(p.size, -np.inf)
    upper = np.full(p.size, np.inf)
    lower[2::3] = p[2::3] - 0.15
    upper[2::3] = p[2::3] + 0.15
    return generic_template(p, [x[0], x[-1]], limits=[lower, upper])


def _run(kern, x, y, u, t, p0, use_p0, lo, hi, max_iter):
    P = t.n_params
    pmap, lead, tscale, toff = parameter_mapping(t, dict(t.fixed), list(t.ties))
    comp, single = component_table(t)
    args = kernels.kernel_arguments(x, y, u, u.size > 0, p0, use_p0, lo, hi, np.full(P, np.nan), comp, single, pmap,
                                    lead, tscale, toff, t.profile_codes, t.param_offsets, t.n_bg, t.reference,
                                    max_iter, 1e-8, False, (x[-1] - x[0]) / (x.size - 1))
    n = y.shape[0]
    out = (np.empty((n, P)), np.empty((n, P)), np.empty(n), np.empty(n, np.int32), np.empty(n, np.uint8),
           np.empty(n, np.int32))
    kern(*args, 0, n, *out)
    return out


def _hoare_select(a: list[float], k: int) -> float:
    """k-th smallest of ``a`` by Hoare's quickselect with a median-of-three pivot (reorders ``a``): the element
    (of +0.0/-0.0, equal but of other bits) that the kernels have always picked."""
    left, right = 0, len(a) - 1
    while right > left:
        mid = (left + right) // 2
        if a[mid] < a[left]:
            a[mid], a[left] = a[left], a[mid]
        if a[right] < a[left]:
            a[right], a[left] = a[left], a[right]
        if a[right] < a[mid]:
            a[right], a[mid] = a[mid], a[right]
        pivot = a[mid]
        i, j = left, right
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if k <= j:
            right = j
        elif k >= i:
            left = i
        else:
            break
    return a[k]


def _bits(a):
    return (np.asarray(a, float) + 0.0).view(np.uint64)  # +0.0: the general kernel's p = 1.0 * q + 0.0


@pytest.mark.parametrize("ncomp,npts", [(1, 100), (3, 100), (7, 200)])
@pytest.mark.parametrize("narrow", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_guesses_fast_path_general_kernel_numpy(ncomp, npts, narrow, weighted):
    x, y, truth = _batch(ncomp, npts, seed=ncomp + 10 * narrow)
    t = _template(x, truth, ncomp, narrow)
    assert kernels.fast_path(*parameter_mapping(t, dict(t.fixed), list(t.ties)), t.profile_codes, x[1] - x[0])
    u = np.sqrt(np.abs(y) + 1.0) if weighted else np.empty((0, 0))
    if weighted:
        u[20, 10:30] = 0.0  # zero and NaN uncertainties mask points
        u[21, 5] = np.nan
    P = t.n_params
    nan = np.full(P, np.nan)
    valid = np.isfinite(y) & ((np.isfinite(u) & (u > 0)) if weighted else True)
    ref_p0, ref_lo, ref_hi = initial_values(x, np.where(valid, y, 0.0), valid, t.n_bg, *component_table(t),
                                            t.profile_codes, t.param_offsets)
    has = valid.sum(axis=1) > 0
    # starting values (max_iter=0: the output is the start, the guesses clipped to their bounds)
    fast = _run(kernels.lm_fit_gauss, x, y, u, t, truth, False, nan, nan, 0)
    gen = _run(kernels.lm_fit_scalar, x, y, u, t, truth, False, nan, nan, 0)
    np.testing.assert_array_equal(_bits(fast[0]), _bits(gen[0]))
    for a, b in zip(fast[3:], gen[3:], strict=True):  # iterations, statuses, degrees of freedom
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(fast[2], gen[2], rtol=1e-13)  # chi2 at the start (the kernels sum it differently)
    fitted = np.isfinite(fast[0][:, 0])
    # a zero background: which of +0.0/-0.0 (equal, other bits) is Hoare's quickselect's element
    # (its p = 1.0 * q + 0.0 hides the sign; the fast path's output is q itself)
    zero = np.flatnonzero(fitted & (fast[0][:, 0] == 0.0))
    assert {8, 9, 10} <= set(zero)
    for s in zero:
        vals = [float(v) for v in y[s][valid[s]]]
        picked = _hoare_select(vals, int(0.1 * (len(vals) - 1)))
        assert np.signbit(fast[0][s, 0]) == np.signbit(picked), s
    if npts == 100:  # spectrum 10 tells selections apart (e.g. the 10th zero in order has the other sign)
        v10 = y[10][valid[10]]
        assert np.signbit(v10[v10 == 0][9]) != np.signbit(fast[0][10, 0])
    assert fitted.sum() >= 280 and not fitted[3] and not fitted[6]
    # numpy's guesses: the background exactly (the same selected value), the moments to rounding (other sum order)
    np.testing.assert_array_equal(fast[0][fitted, 0], ref_p0[fitted, 0])
    np.testing.assert_allclose(fast[0][fitted], ref_p0[fitted], rtol=1e-11, atol=0)
    # the bounds: start beyond them on either side (the output is the bound where it is finite)
    for sign, ref in ((1.0, ref_hi), (-1.0, ref_lo)):
        far = np.full_like(truth, sign * 1e300)
        fb = _run(kernels.lm_fit_gauss, x, y, u, t, far, True, nan, nan, 0)[0]
        gb = _run(kernels.lm_fit_scalar, x, y, u, t, far, True, nan, nan, 0)[0]
        np.testing.assert_array_equal(_bits(fb), _bits(gb))
        bounded = fitted[:, None] & np.isfinite(ref[:, :]) & has[:, None]
        np.testing.assert_array_equal(fb[bounded], ref[bounded])


@pytest.mark.parametrize("ncomp,npts", [(1, 100), (3, 100), (7, 200)])
@pytest.mark.parametrize("narrow", [False, True])
def test_fit_from_guesses_identical(ncomp, npts, narrow):
    """The whole fit without p0 equals, to the bit, the fit started from the general kernel's guesses."""
    x, y, truth = _batch(ncomp, npts, seed=ncomp + 10 * narrow + 1)
    t = _template(x, truth, ncomp, narrow)
    nan = np.full(t.n_params, np.nan)
    u = np.empty((0, 0))
    start = _run(kernels.lm_fit_scalar, x, y, u, t, truth, False, nan, nan, 0)[0]
    own = _run(kernels.lm_fit_gauss, x, y, u, t, truth, False, nan, nan, 200)
    given = _run(kernels.lm_fit_gauss, x, y, u, t, np.nan_to_num(start), True, nan, nan, 200)
    for a, b in zip(own, given, strict=True):
        np.testing.assert_array_equal(np.asarray(a).view(np.uint8), np.asarray(b).view(np.uint8))
    assert np.mean(own[4] == 0) > 0.9 and len(np.unique(own[3])) >= 3

