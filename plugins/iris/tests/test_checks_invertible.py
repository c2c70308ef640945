"""The closed-form invertibility test of the PC matrix checks agrees with numpy's SVD condition number.

``check_linear_transform`` and ``check_pointing`` accept 1x1-3x3 matrices whose Frobenius bound on the condition
number is far below the 1e12 limit without an SVD; everything else is decided by ``numpy.linalg.cond``, as before.
The reference is numpy's condition number of the same matrix.
"""

from __future__ import annotations

import numpy as np
import pytest

from irisplug.errors import CorruptFileError
from irisplug_iris.checks import _cond_bounds, _surely_invertible, check_linear_transform, check_pointing


def _matrices(k: int, n: int, seed: int):
    rng = np.random.default_rng(seed)
    for t in range(n):
        m = rng.normal(size=(k, k)) * 10 ** rng.uniform(-3, 3)
        if t % 3 == 0 and k > 1:  # nearly singular: one row almost a multiple of another
            m[-1] = m[0] * rng.uniform(-2, 2) + rng.normal(size=k) * 10 ** rng.uniform(-17, -2)
        if t % 7 == 0:
            m = np.round(m)  # exact zeros and exactly singular integer matrices
        yield m


@pytest.mark.parametrize("k", [1, 2, 3])
def test_bound_never_accepts_what_numpy_calls_singular(k):
    accepted = 0
    for m in _matrices(k, 3000, seed=k):
        cond = np.linalg.cond(m)
        sure = _surely_invertible(m.tolist())
        bound = _cond_bounds(m[None])[0]
        assert (bound < np.inf) == sure
        if sure:
            accepted += 1
            assert np.isfinite(cond) and cond < 1e12, m
            assert cond <= bound * (1 + 1e-6)  # an upper bound (up to rounding)
    assert accepted > 1000  # the fast path does decide the common case


def test_rotations_accepted_singular_refused():
    for angle in np.linspace(0, 2 * np.pi, 37):
        c, s = np.cos(angle), np.sin(angle)
        header = {"NAXIS": 3, "PC2_2": c, "PC2_3": -s, "PC3_2": s, "PC3_3": c}
        check_linear_transform(header, "f.fits", "HDU 1")
    for pc in ({"PC2_2": 1.0, "PC2_3": 2.0, "PC3_2": 0.5, "PC3_3": 1.0},  # rank 2
               {"PC2_2": 1.0, "PC2_3": 1.0, "PC3_2": 1.0, "PC3_3": 1.0 + 1e-14},  # cond ~4e14
               {"PC1_1": 0.0}, {"PC2_2": np.nan}, {"PC2_2": np.inf}):
        m = np.array([[pc.get(f"PC{i}_{j}", float(i == j)) for j in (1, 2, 3)] for i in (1, 2, 3)])
        assert not np.isfinite(m).all() or np.linalg.cond(m) > 1e12
        with pytest.raises(CorruptFileError, match="singular"):
            check_linear_transform({"NAXIS": 3, **pc}, "f.fits", "HDU 1")


def test_pointing_stack_singular_exposure_named():
    n = 20
    angle = np.linspace(0, 1, n)
    pc = np.zeros((n, 3, 3))
    pc[:, 0, 0] = 1
    pc[:, 1, 1] = pc[:, 2, 2] = np.cos(angle)
    pc[:, 1, 2], pc[:, 2, 1] = -np.sin(angle), np.sin(angle)
    check_pointing(np.zeros(n), np.zeros(n), pc, {}, "f.fits", separate=(0,))
    pc[13, 2] = pc[13, 1] * 3  # singular (numpy: cond > 1e12)
    assert np.linalg.cond(pc[13]) > 1e12
    with pytest.raises(CorruptFileError, match="exposure 13 is singular"):
        check_pointing(np.zeros(n), np.zeros(n), pc, {}, "f.fits", separate=(0,))
    x = np.zeros(n)
    x[4] = np.inf
    with pytest.raises(CorruptFileError, match="XCENIX of exposure 4"):
        check_pointing(x, np.zeros(n), pc, {}, "f.fits")
