"""The kernels' Levenberg-Marquardt step (``kernels._lm_step``, and ``_lm_step4`` written out for 4 parameters).

The reference is numpy: the damped normal matrix built from its definition
(``A + lam * max(diag(A), 1e-12 max(diag(A)))`` on the diagonal, rows and
columns of the parameters held on a bound replaced by the identity) solved
with ``numpy.linalg.solve``. The written-out 4-parameter step must give the
general step's results to the bit (the fast path and the general kernel then
take the same decisions).
"""

from __future__ import annotations

import numpy as np
import pytest

from irisplug_fit import kernels


def _numpy_step(A, g, q, lo, hi, lam):
    d = np.diag(A).copy()
    dmin = 1e-12 * max(d.max(), 0.0) + 1e-300
    M = A.copy()
    M[np.diag_indices_from(M)] += lam * np.maximum(d, dmin)
    rhs = g.copy()
    held = ((q <= lo) & (g < 0)) | ((q >= hi) & (g > 0))
    M[held, :] = 0.0
    M[:, held] = 0.0
    M[held, held] = 1.0
    rhs[held] = 0.0
    dq = np.linalg.solve(M, rhs)
    qn = np.clip(q + dq, lo, hi)
    dq = qn - q
    return qn, dq @ A @ dq, dq @ g


def _problem(rng, n, held):
    B = rng.normal(size=(n, 3 * n)) * rng.uniform(0.1, 10.0, size=(n, 1))
    A = B @ B.T
    g = rng.normal(size=n)
    q = rng.normal(size=n)
    lo, hi = q - rng.uniform(0.01, 1.0, n), q + rng.uniform(0.01, 1.0, n)
    for k in held:  # on a bound that the gradient pushes it against
        if g[k] < 0:
            lo[k] = q[k]
        else:
            hi[k] = q[k]
    return A, g, q, lo, hi


def _run(step, A, g, q, lo, hi, lam):
    n = g.size
    qn, dq = np.full(n, np.nan), np.full(n, np.nan)
    if step is kernels._lm_step4:
        ok, s2p, gp = step(A, g, q, lo, hi, lam, qn, dq)
    else:
        ok, s2p, gp = step(A, g, q, lo, hi, lam, np.empty((n, n)), np.empty((n, n)), np.empty(n), np.empty(n), dq, qn)
    return ok, s2p, gp, qn, dq


@pytest.mark.parametrize("held", [(), (0,), (2,), (1, 3), (0, 1, 2, 3)])
@pytest.mark.parametrize("seed", range(4))
def test_step_matches_numpy_and_written_out_step_is_identical(held, seed):
    rng = np.random.default_rng(seed)
    A, g, q, lo, hi = _problem(rng, 4, held)
    lam = 10.0 ** rng.uniform(-6, 2)
    ref_qn, ref_s2p, ref_gp = _numpy_step(A, g, q, lo, hi, lam)
    general = _run(kernels._lm_step, A, g, q, lo, hi, lam)
    four = _run(kernels._lm_step4, A, g, q, lo, hi, lam)
    assert general[0] and four[0]
    np.testing.assert_allclose(general[3], ref_qn, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose([general[1], general[2]], [ref_s2p, ref_gp], rtol=1e-8, atol=1e-300)
    for k in held:
        assert general[3][k] == q[k]
    # to the bit: ok, s2p, gp, qn, dq
    assert four[:3] == general[:3]
    np.testing.assert_array_equal(four[3], general[3])
    np.testing.assert_array_equal(four[4], general[4])


@pytest.mark.parametrize("n", [3, 7, 10])
def test_general_step_other_sizes(n):
    rng = np.random.default_rng(n)
    A, g, q, lo, hi = _problem(rng, n, (1,))
    ref_qn, ref_s2p, ref_gp = _numpy_step(A, g, q, lo, hi, 1e-3)
    ok, s2p, gp, qn, _ = _run(kernels._lm_step, A, g, q, lo, hi, 1e-3)
    assert ok
    np.testing.assert_allclose(qn, ref_qn, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose([s2p, gp], [ref_s2p, ref_gp], rtol=1e-8)


@pytest.mark.parametrize("step", [kernels._lm_step, kernels._lm_step4])
def test_not_positive_definite(step):
    """A parameter with no effect (zero row) and no damping: the factorisation fails, in both steps alike."""
    rng = np.random.default_rng(7)
    A, g, q, _, _ = _problem(rng, 4, ())
    A[2, :] = 0.0
    A[:, 2] = 0.0
    ok, s2p, gp, qn, _ = _run(step, A, g, q, -np.full(4, np.inf), np.full(4, np.inf), 0.0)
    assert not ok and s2p == 0.0 and gp == 0.0
    assert np.all(np.isnan(qn))  # nothing written
