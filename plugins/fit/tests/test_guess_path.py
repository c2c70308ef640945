"""The kernels' moment guesses (``kernels._prepare_spectrum``, shared by both) against numpy's and the kernels before.

Without initial values the kernels compute starting values and bounds per
spectrum from its moments, in one leaf helper shared by the general kernel
(``lm_fit_scalar``) and the Gaussian fast path (``lm_fit_gauss``): a
branch-free quickselect for the background, moment sums over each
component's point range, shared between components of the same range. The
references: ``guess.initial_values`` (numpy; sums in another order) and, to
the bit (the sign of a zero background included), the kernels of commit
``_BEFORE`` (the last before the guess code was shared: Hoare's quickselect
on a view, moments over the whole window), loaded from git history beside
these (skipped where that history is absent).
Starting values are read out with ``max_iter=0`` (the output is the starting
point); the bounds by starting from +-1e300 (the output is then the bound).
Batches mix masked, NaN, flat, all-zero, signed-zero and too-few-point
spectra.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from irisplug_fit import kernels
from irisplug_fit.engine import parameter_mapping
from irisplug_fit.guess import component_table, initial_values
from irisplug_fit.line_templates import generic_template, get_template
from irisplug_fit.synthetic import poisson_gaussians
from irisplug_fit.templates import Tie

NO_U = np.empty((0, 0))  # no uncertainties


def _batch(ncomp: int, npts: int, seed: int, x=None):
    x = np.linspace(1401.77, 1401.77 + 0.02 * npts, npts) if x is None else x
    y, truth = poisson_gaussians(300, x, ncomp=ncomp, seed=seed, centre=float(x.mean()))
    rng = np.random.default_rng(seed)
    y[3] = np.nan  # fully masked
    y[4, ::2] = np.nan  # every other point
    y[5] = 7.0  # flat
    y[6, 3:] = np.nan  # too few points
    y[7, 10:20] = np.inf
    y[8] = 0.0  # all zero
    y[9, :40] = 0.0  # background exactly zero (the quickselect path)
    # signed zeros at the background, where other selections than Hoare's quickselect pick zeros of the other sign
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


def _run(kern, x, y, u, t, p0, use_p0, lo, hi, max_iter, fixed=None, ties=None):
    P = t.n_params
    fixed = dict(t.fixed) if fixed is None else fixed
    pmap, lead, tscale, toff = parameter_mapping(t, fixed, list(t.ties) if ties is None else ties)
    fixv = np.array([fixed.get(nm, np.nan) for nm in t.param_names], float)
    comp, single = component_table(t)
    args = kernels.kernel_arguments(x, y, u, u.size > 0, p0, use_p0, lo, hi, fixv, comp, single, pmap, lead, tscale,
                                    toff, t.profile_codes, t.param_offsets, t.n_bg, t.reference, max_iter, 1e-8,
                                    False, (x[-1] - x[0]) / (x.size - 1))
    n = y.shape[0]
    out = (np.empty((n, P)), np.empty((n, P)), np.empty(n), np.empty(n, np.int32), np.empty(n, np.uint8),
           np.empty(n, np.int32))
    kern(*args, 0, n, *out)
    return out


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
    assert {8, 9, 10} <= set(np.flatnonzero(fitted & (fast[0][:, 0] == 0.0)))  # zero backgrounds (see below)
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
    u = NO_U
    start = _run(kernels.lm_fit_scalar, x, y, u, t, truth, False, nan, nan, 0)[0]
    own = _run(kernels.lm_fit_gauss, x, y, u, t, truth, False, nan, nan, 200)
    given = _run(kernels.lm_fit_gauss, x, y, u, t, np.nan_to_num(start), True, nan, nan, 200)
    for a, b in zip(own, given, strict=True):
        np.testing.assert_array_equal(np.asarray(a).view(np.uint8), np.asarray(b).view(np.uint8))
    assert np.mean(own[4] == 0) > 0.9 and len(np.unique(own[3])) >= 3


_BEFORE = "0c51f6c"  # the last commit of kernels.py before the guess code was shared (main, 2026-12-06)
_KERNELS = "plugins/fit/src/irisplug_fit/kernels.py"


@pytest.fixture(scope="module")
def before(tmp_path_factory):
    """``kernels.py`` of commit ``_BEFORE``, imported as a module of its own.

    Its file (and numba's cache beside it: ~25 s of compilation) stays in the system's temporary folder, one per
    Python and numba version (the file is rewritten only when it differs, which would invalidate the cache).
    """
    import numba

    root = Path(__file__).resolve().parents[3]
    try:
        src = subprocess.run(["git", "-C", str(root), "show", f"{_BEFORE}:{_KERNELS}"], capture_output=True,
                             check=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"the kernels of commit {_BEFORE} are not in this checkout's git history ({exc})")
    tag = f"{_BEFORE}_py{sys.version_info[0]}{sys.version_info[1]}_numba{numba.__version__}_{os.getuid()}"
    folder = Path(tempfile.gettempdir()) / f"irisplug_kernels_{tag}"
    try:
        folder.mkdir(exist_ok=True)
        path = folder / "kernels_before.py"
        if not path.exists() or path.read_text() != src:
            tmp = folder / f"kernels_before.{os.getpid()}.tmp"
            tmp.write_text(src)
            tmp.replace(path)
    except OSError:  # no shared temporary folder: this session's own (compiled afresh)
        path = tmp_path_factory.mktemp("kernels_before") / "kernels_before.py"
        path.write_text(src)
    name = f"irisplug_fit_kernels_{_BEFORE}"
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # numba's cache finds the module by name
    spec.loader.exec_module(mod)
    yield mod
    sys.modules.pop(name, None)


def _one_range_per_line(t):
    """``t`` with every component's centre range widened to the union of its line's: the kernels before took a
    multiplet component's centroid within its own range (plus its offset), the kernels now within the union (the
    line's centroid, plus the offset); with one range per line the two are the same operations on the same points."""
    import dataclasses

    union: dict = {}
    for c in t.components:
        lo, hi = union.get(c.line.label, (np.inf, -np.inf))
        union[c.line.label] = (min(lo, c.centre_range[0]), max(hi, c.centre_range[1]))
    comps = tuple(dataclasses.replace(c, centre_range=union[c.line.label]) for c in t.components)
    assert comps != t.components  # mg_ii's k2v/k3/k2r ranges differ
    return dataclasses.replace(t, components=comps)


@pytest.mark.parametrize("name", ["mg_ii", "mg_ii_4comp", "si_iv_1403_3comp"])
@pytest.mark.parametrize("weighted", [False, True])
def test_multiplet_guesses_kernels_numpy(name, weighted):
    """Lines of several components whose centre ranges differ (Mg II k2v/k3/k2r, Si IV's one-sided wings): both
    kernels' starting values and bounds against numpy's (``guess.initial_values``), which take the centroid over
    the union of a line's ranges too (the moments to rounding: numpy sums in another order)."""
    t = get_template(name)
    x = np.linspace(*t.wl_range, 200)
    _, y, _ = _batch(7, 200, seed=4, x=x)
    u = np.sqrt(np.abs(y) + 1.0) if weighted else NO_U
    valid = np.isfinite(y) & ((np.isfinite(u) & (u > 0)) if weighted else True)
    ref_p0, ref_lo, ref_hi = initial_values(x, np.where(valid, y, 0.0), valid, t.n_bg, *component_table(t),
                                            t.profile_codes, t.param_offsets)
    nan = np.full(t.n_params, np.nan)
    zeros = np.zeros((y.shape[0], t.n_params))
    gen = _run(kernels.lm_fit_scalar, x, y, u, t, zeros, False, nan, nan, 0)
    fitted = np.isfinite(gen[0][:, 0])
    assert fitted.sum() >= 280
    np.testing.assert_allclose(gen[0][fitted], ref_p0[fitted], rtol=1e-11, atol=0)
    for sign, ref in ((1.0, ref_hi), (-1.0, ref_lo)):
        far = np.full_like(zeros, sign * 1e300)
        got = _run(kernels.lm_fit_scalar, x, y, u, t, far, True, nan, nan, 0)[0]
        bounded = fitted[:, None] & np.isfinite(ref)
        np.testing.assert_array_equal(got[bounded], ref[bounded])


def _case(case: str):
    """``(x, y, template, fixed, ties)`` of a named case: templates the general kernel runs, and fast-path ones."""
    fixed: dict = {}
    ties: list = []
    if case == "mg_ii":  # 7 components, 6 of them in multiplets (not single)
        t = _one_range_per_line(get_template("mg_ii"))
        x = np.linspace(*t.wl_range, 200)
        _, y, _ = _batch(7, 200, seed=3, x=x)
        return x, y, t, fixed, ties
    ncomp = 3 if case in ("tied", "bg1", "uneven") else 2
    x = np.linspace(1401.77, 1403.77, 100)
    if case == "uneven":  # a non-uniform grid: general kernel only
        x = 1401.77 + 2.0 * np.linspace(0.0, 1.0, 100) ** 1.3
    _, y, truth = _batch(ncomp, 100, seed=5, x=x)
    p = truth[0]
    if case == "voigt":
        init = [p[0]] + [v for c in range(ncomp) for v in (*p[1 + 3 * c:4 + 3 * c], 0.5 * p[3 + 3 * c])]
        t = generic_template(init, [x[0], x[-1]], voigt=True)
    elif case == "lorentz":
        t = generic_template(p, [x[0], x[-1]], lorentz=True)
    elif case == "bg1":
        t = generic_template([p[0], 0.5, *p[1:]], [x[0], x[-1]], bg_degree=1)
    else:
        t = generic_template(p, [x[0], x[-1]])
    if case == "tied":
        fixed = {"c1.width": float(p[3])}
        ties = [Tie("c3.width", "c2.width"), Tie("c3.centre", "c2.centre", offset=0.1)]
    return x, y, t, fixed, ties


#: relative tolerance of the start's uncertainties and chi2 against the kernels before: the same LM source compiled
#: twice (this copy and the one before) may round differently in the last bits where one of them is compiled in this
#: process and the other loaded from numba's cache (seen with numba 0.59; the guesses themselves agree to the bit).
#: Whole fits are therefore compared within one compilation: from the guesses here and from the guesses before
#: given as p0 (the last bits of a degenerate spectrum's fit can otherwise end elsewhere)
RTOL_AFTER_GUESS = 1e-9


def _same_bits(a, b, what, outputs=None):
    """Outputs (params, errors, chi2, niter, status, dof) of two runs (those numbered in ``outputs``, default all):
    the parameters and the integer outputs to the bit, the uncertainties and chi2 within :data:`RTOL_AFTER_GUESS`."""
    for i, (u, v) in enumerate(zip(a, b, strict=True)):
        if outputs is not None and i not in outputs:
            continue
        u, v = np.asarray(u), np.asarray(v)
        if i == 0 or u.dtype.kind in "iu":
            np.testing.assert_array_equal(u.view(np.uint8), v.view(np.uint8), err_msg=f"{what}, output {i}")
        else:
            np.testing.assert_allclose(u, v, rtol=RTOL_AFTER_GUESS, atol=0, equal_nan=True,
                                       err_msg=f"{what}, output {i}")


@pytest.mark.parametrize("case", ["mg_ii", "voigt", "lorentz", "bg1", "tied", "uneven"])
def test_general_kernel_as_before(before, case):
    """The general kernel's starting values, bounds and whole fits without p0: the bits of the kernels before."""
    x, y, t, fixed, ties = _case(case)
    P = t.n_params
    nan = np.full(P, np.nan)
    p0 = np.tile(np.asarray(t.init if t.init is not None else np.zeros(P), float), (y.shape[0], 1))
    new = _run(kernels.lm_fit_scalar, x, y, NO_U, t, p0, False, nan, nan, 0, fixed, ties)
    old = _run(before.lm_fit_scalar, x, y, NO_U, t, p0, False, nan, nan, 0, fixed, ties)
    _same_bits(new, old, "starting values", outputs=(0, 2, 3, 4, 5))
    # the uncertainties at the start: the inverse of a nearly singular matrix for mg_ii's 7 components, whose
    # last-bit differences between two compilations (see RTOL_AFTER_GUESS) grow to 5e-9 (numba 0.59)
    np.testing.assert_allclose(new[1], old[1], rtol=1e-6, atol=0, equal_nan=True, err_msg="start uncertainties")
    assert np.isfinite(new[0][:, -1]).sum() >= 280
    for sign in (1.0, -1.0):
        far = np.full_like(p0, sign * 1e300)
        _same_bits(_run(kernels.lm_fit_scalar, x, y, NO_U, t, far, True, nan, nan, 0, fixed, ties),
                   _run(before.lm_fit_scalar, x, y, NO_U, t, far, True, nan, nan, 0, fixed, ties), f"bounds {sign}",
                   outputs=(0,))  # the bounds (the rest, at 1e300, overflows)
    # whole fits: from the guesses here as from the kernel before's guesses given as p0 (one compilation: see
    # RTOL_AFTER_GUESS), to the bit
    start = _run(before.lm_fit_scalar, x, y, NO_U, t, p0, False, nan, nan, 0, fixed, ties)[0]
    new = _run(kernels.lm_fit_scalar, x, y, NO_U, t, p0, False, nan, nan, 200, fixed, ties)
    old = _run(kernels.lm_fit_scalar, x, y, NO_U, t, start, True, nan, nan, 200, fixed, ties)
    _same_bits(new, old, "fits")
    assert np.mean(new[4] == 0) > 0.8


@pytest.mark.parametrize("ncomp,npts", [(1, 100), (3, 100), (7, 200)])
@pytest.mark.parametrize("narrow", [False, True])
def test_both_kernels_as_before(before, ncomp, npts, narrow):
    """Starting values and whole fits without p0 by both kernels: the bits of the same kernels before.

    The fast path outputs its starting point ``q`` itself: the sign of a zero background shows (+0.0 and -0.0
    compare equal; which one is the element that the kernels' Hoare quickselect always picked).
    """
    x, y, truth = _batch(ncomp, npts, seed=ncomp + 10 * narrow + 2)
    t = _template(x, truth, ncomp, narrow)
    nan = np.full(t.n_params, np.nan)
    weights = np.sqrt(np.abs(y) + 1.0)
    weights[20, 10:30] = 0.0
    for u in (NO_U, weights):
        for name in ("lm_fit_scalar", "lm_fit_gauss"):
            new = _run(getattr(kernels, name), x, y, u, t, truth, False, nan, nan, 0)
            _same_bits(new, _run(getattr(before, name), x, y, u, t, truth, False, nan, nan, 0), f"{name} start")
        zero = new[0][:, 0] == 0.0
        assert zero[[8, 9, 10]].all()
        if npts == 100:  # spectrum 10 tells selections apart (e.g. the 10th zero in order has the other sign)
            v10 = y[10][np.isfinite(y[10])]
            assert np.signbit(v10[v10 == 0][9]) != np.signbit(new[0][10, 0])
    for name in ("lm_fit_scalar", "lm_fit_gauss"):  # whole fits: as from the guesses before given as p0
        start = _run(getattr(before, name), x, y, NO_U, t, truth, False, nan, nan, 0)[0]
        new = _run(getattr(kernels, name), x, y, NO_U, t, truth, False, nan, nan, 200)
        old = _run(getattr(kernels, name), x, y, NO_U, t, start, True, nan, nan, 200)
        _same_bits(new, old, name)
        assert np.mean(new[4] == 0) > 0.9
