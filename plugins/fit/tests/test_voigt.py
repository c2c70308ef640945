"""Voigt components against independent references: scipy.special.voigt_profile, finite differences, curve_fit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import voigt_profile, wofz

from irisplug_fit.engine import fit_spectra
from irisplug_fit.kernels import _evaluate
from irisplug_fit.line_templates import generic_template, get_template
from irisplug_fit.lm_numpy import model_and_jacobian
from irisplug_fit.profiles import faddeeva, voigt_with_jacobian
from irisplug_fit.status import Status
from irisplug_fit.synthetic import X100
from irisplug_fit.templates import Tie, param_offsets

RATIOS = (0.0, 1e-8, 1e-6, 1e-3, 0.1, 0.5, 1.0, 3.0, 10.0, 100.0, 1e3, 1e4)  # gamma / sigma


def _peak_voigt(x, a, c, s, g):
    """The reference: scipy's unit-area Voigt rescaled to peak ``a``."""
    return a * voigt_profile(x - c, s, g) / voigt_profile(0.0, s, g)


@pytest.mark.parametrize("ratio", RATIOS)
def test_kernel_profile_matches_scipy(ratio):
    """Kernel values vs scipy.special.voigt_profile: 1e-6 relative wherever the profile is above 1e-7 of
    its peak, and 1e-12 of the peak everywhere (far Gaussian wings: absolute accuracy)."""
    sig = 0.03
    x = np.linspace(1401.0, 1404.6, 3601)
    ref = _peak_voigt(x, 250.0, 1402.8, sig, ratio * sig)
    f, _ = voigt_with_jacobian(x, 250.0, 1402.8, sig, ratio * sig)
    big = ref > 1e-7 * 250.0
    assert big.sum() > 50
    assert np.max(np.abs(f[big] - ref[big]) / ref[big]) < 1e-6
    assert np.max(np.abs(f - ref)) < 1e-12 * 250.0
    # the LM kernel's model evaluation (Voigt next to a Gaussian: variable layout) gives the same values
    p = np.array([5.0, 2.0, 1402.0, 0.05, 250.0, 1402.8, sig, ratio * sig])
    kinds = np.array([0, 2])
    offs = param_offsets(kinds, 1)
    n = x.size
    out = np.zeros(n)
    _evaluate(x, np.zeros(n), np.ones(n), p, kinds, offs, 1, 0.0, out, np.empty((8, n)), np.empty(n), 0.0,
              np.empty(n), np.empty((7, n)), np.zeros((8, 2), dtype=np.int64))
    expect = 5.0 + 2.0 * np.exp(-0.5 * ((x - 1402.0) / 0.05) ** 2) + ref
    np.testing.assert_allclose(out, expect, rtol=1e-9, atol=1e-12 * 250.0)


def test_faddeeva_matches_wofz():
    rng = np.random.default_rng(1)
    z = rng.uniform(-50, 50, 2000) + 1j * 10 ** rng.uniform(-8, 3, 2000)
    z = np.concatenate([z, rng.uniform(-30, 30, 200) + 0j])
    ref = wofz(z)
    assert np.max(np.abs(faddeeva(z) - ref) / np.abs(ref)) < 1e-10
    with pytest.raises(ValueError, match="Im z"):
        faddeeva(np.array([1 - 1j]))


def _fd(fun, p, k, h):
    """Central difference (second-order one-sided at a gamma of 0, where gamma < 0 is outside the domain)."""
    pp, pm, p2 = p.copy(), p.copy(), p.copy()
    if k == 3 and p[3] < 2 * h:
        pp[k] += h
        p2[k] += 2 * h
        return (-3 * fun(p) + 4 * fun(pp) - fun(p2)) / (2 * h)
    pp[k] += h
    pm[k] -= h
    return (fun(pp) - fun(pm)) / (2 * h)


@pytest.mark.parametrize("ratio", (0.0, 1e-3, 0.3, 1.0, 5.0, 100.0))
def test_jacobian_matches_finite_differences(ratio):
    """Analytic derivatives (amplitude, centre, sigma, gamma) of both engines vs central differences,
    compared as the change of the profile per relative parameter change (scale: the peak)."""
    x = np.linspace(1402.0, 1403.6, 401)
    sig = 0.04
    p = np.array([300.0, 1402.8, sig, ratio * sig])
    _, jac = voigt_with_jacobian(x, *p)
    _, jn = model_and_jacobian(x, np.array([[0.0, *p]]), np.array([2]), 1, 0.0)
    for k, scale in enumerate((300.0, sig, sig, sig)):
        h = 1e-5 * scale
        fd = _fd(lambda q: _peak_voigt(x, *q), p, k, h)
        tol = 1e-6 * 300.0 / scale
        assert np.max(np.abs(jac[k] - fd)) < tol, (k, np.max(np.abs(jac[k] - fd)) * scale / 300.0)
        assert np.max(np.abs(jn[0, :, 1 + k] - fd)) < tol, k


def _voigt_spectra(n, seed, x=X100):
    rng = np.random.default_rng(seed)
    truth = np.column_stack([rng.uniform(20, 60, n), rng.uniform(300, 1500, n), 1402.77 + rng.normal(0, 0.03, n),
                             rng.uniform(0.025, 0.05, n), rng.uniform(0.01, 0.04, n)])
    model = truth[:, :1] + _peak_voigt(x[None], *(truth[:, i:i + 1] for i in range(1, 5)))
    return rng.poisson(model).astype(float), truth


def _curve_fit_loop(x, ys, p0s, model):
    from scipy.optimize import curve_fit

    out = np.full_like(p0s, np.nan)
    ok = np.zeros(len(ys), bool)
    for i, (y, p0) in enumerate(zip(ys, p0s, strict=True)):
        try:
            out[i], _ = curve_fit(model, x, y, p0=p0, method="lm", maxfev=20000, ftol=1e-12, xtol=1e-12)
            ok[i] = np.isfinite(out[i]).all()
        except RuntimeError:
            pass
    return out, ok


def _v1(x, c0, a, m, s, g):
    return c0 + _peak_voigt(x, a, m, s, g)


@pytest.fixture(scope="module")
def voigt_reference():
    """1000 Poisson Voigt spectra, their p0 (truth perturbed) and the curve_fit solutions."""
    y, truth = _voigt_spectra(1000, 42)
    p0 = truth * np.array([1.05, 0.9, 1.0, 1.1, 0.8]) + np.array([0.0, 0.0, 0.005, 0.0, 0.0])
    ref, ok = _curve_fit_loop(X100, y, p0, _v1)
    return y, p0, ref, ok, truth


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_voigt_fits_agree_with_curve_fit(voigt_reference, engine):
    """>= 99.9 % of converged fits agree with a curve_fit loop over voigt_profile to 1e-4 relative."""
    y, p0, ref, ok, truth = voigt_reference
    t = get_template("si_iv_1403", voigt=True)
    assert t.param_names[-1] == "si_iv_1403.gamma"
    res = fit_spectra(y, X100, t, p0=p0, engine=engine)
    both = ok & (res.status == Status.CONVERGED)
    assert both.mean() > 0.99, np.bincount(res.status)
    rel = np.abs(res.params[both] - ref[both]) / np.abs(ref[both])
    agree = (rel <= 1e-4).all(axis=1)
    assert agree.mean() >= 0.999, f"agreement {agree.mean():.4%}, worst {rel.max(axis=0)}"
    # and the fits recover the truth (sanity: gamma within 5 sigma for nearly all)
    pull = (res.params[both, 4] - truth[both, 4]) / res.errors[both, 4]
    assert np.mean(np.abs(pull) < 5) > 0.99


def test_voigt_moment_guess_converges():
    """Without p0 (moment guesses, gamma starting at sigma/2) both engines converge to the same fits."""
    y, truth = _voigt_spectra(200, 3)
    a = fit_spectra(y, X100, "si_iv_1403", voigt=True, engine="numba")
    b = fit_spectra(y, X100, "si_iv_1403", voigt=True, engine="numpy")
    same = (a.status == Status.CONVERGED) & (b.status == Status.CONVERGED)
    assert same.mean() > 0.97
    np.testing.assert_allclose(a.params[same], b.params[same], rtol=1e-5)
    assert np.median(np.abs(a.params[same, 4] / truth[same, 4] - 1)) < 0.2


def test_mixed_voigt_and_gaussian_layout():
    """A Voigt (4 parameters) then a Gaussian (3): offsets, names, fits vs curve_fit, engines agree."""
    rng = np.random.default_rng(5)
    n = 300
    x = X100
    tv = np.column_stack([rng.uniform(400, 900, n), 1402.55 + rng.normal(0, 0.01, n), rng.uniform(0.025, 0.04, n),
                          rng.uniform(0.01, 0.03, n)])
    tg = np.column_stack([rng.uniform(200, 400, n), 1403.05 + rng.normal(0, 0.01, n), rng.uniform(0.03, 0.05, n)])
    bg = rng.uniform(20, 40, n)
    model = bg[:, None] + _peak_voigt(x[None], *(tv[:, i:i + 1] for i in range(4))) \
        + tg[:, :1] * np.exp(-0.5 * ((x[None] - tg[:, 1:2]) / tg[:, 2:3]) ** 2)
    y = rng.poisson(model).astype(float)
    truth = np.column_stack([bg, tv, tg])
    p0 = truth * np.array([1.05, 0.9, 1.0, 1.1, 0.8, 1.1, 1.0, 0.9]) + np.array([0, 0, 0.004, 0, 0, 0, -0.004, 0])
    t = generic_template(p0[0], [x[0], x[-1]], profiles=["voigt", "gaussian"])
    assert t.param_names == ("bg0", "c1.amplitude", "c1.centre", "c1.width", "c1.gamma",
                             "c2.amplitude", "c2.centre", "c2.width")
    assert t.param_offsets.tolist() == [1, 5]

    def mixed(x, c0, a1, m1, s1, g1, a2, m2, s2):
        return c0 + _peak_voigt(x, a1, m1, s1, g1) + a2 * np.exp(-0.5 * ((x - m2) / s2) ** 2)

    ref, ok = _curve_fit_loop(x, y, p0, mixed)
    for engine in ("numba", "numpy"):
        res = fit_spectra(y, x, t, p0=p0, engine=engine)
        both = ok & (res.status == Status.CONVERGED)
        assert both.mean() > 0.98, (engine, np.bincount(res.status))
        rel = np.abs(res.params[both] - ref[both]) / np.abs(ref[both])
        assert ((rel <= 1e-4).all(axis=1)).mean() >= 0.999, (engine, rel.max(axis=0))
    # the component model (one component, no background) uses the same layout
    comp2 = res.model(x, component="c2")[0]
    np.testing.assert_allclose(comp2, res.params[0, 5] * np.exp(-0.5 * ((x - res.params[0, 6]) / res.params[0, 7]) ** 2),
                               rtol=1e-12, atol=1e-12)


def test_fixed_gamma_and_ties_with_voigt():
    """gamma held fixed matches curve_fit with gamma fixed; a tie between two Voigts' gammas holds."""
    y, truth = _voigt_spectra(300, 9)
    gfix = 0.02
    p0 = truth * np.array([1.05, 0.9, 1.0, 1.1, 1.0])
    p0[:, 4] = gfix
    ref, ok = _curve_fit_loop(X100, y, p0[:, :4], lambda x, c0, a, m, s: _v1(x, c0, a, m, s, gfix))
    for engine in ("numba", "numpy"):
        res = fit_spectra(y, X100, "si_iv_1403", voigt=True, p0=p0, fixed={"si_iv_1403.gamma": gfix}, engine=engine)
        both = ok & (res.status == Status.CONVERGED)
        assert both.mean() > 0.98
        assert np.all(res.params[both, 4] == gfix) and np.all(res.errors[both, 4] == 0.0)
        rel = np.abs(res.params[both, :4] - ref[both]) / np.abs(ref[both])
        assert ((rel <= 1e-4).all(axis=1)).mean() >= 0.999, rel.max(axis=0)
    # two Voigt components with one gamma (tie) and a fixed separation of their centres
    rng = np.random.default_rng(2)
    n = 100
    g = rng.uniform(0.01, 0.03, n)
    c = 1402.5 + rng.normal(0, 0.01, n)
    model = 30.0 + _peak_voigt(X100[None], 600.0, c[:, None], 0.03, g[:, None]) \
        + _peak_voigt(X100[None], 300.0, c[:, None] + 0.5, 0.04, g[:, None])
    y2 = rng.poisson(model).astype(float)
    init = [30.0, 550.0, 1402.5, 0.033, 0.02, 330.0, 1403.0, 0.036, 0.02]
    t = generic_template(init, [X100[0], X100[-1]], voigt=True)
    ties = [Tie("c2.gamma", "c1.gamma"), Tie("c2.centre", "c1.centre", offset=0.5)]
    a = fit_spectra(y2, X100, t, ties=ties, engine="numba")
    b = fit_spectra(y2, X100, t, ties=ties, engine="numpy")
    ok2 = (a.status == Status.CONVERGED) & (b.status == Status.CONVERGED)
    assert ok2.mean() > 0.95
    assert np.all(a.params[ok2, 8] == a.params[ok2, 4])
    np.testing.assert_allclose(a.params[ok2, 6], a.params[ok2, 2] + 0.5, rtol=0, atol=1e-9)
    np.testing.assert_allclose(a.params[ok2], b.params[ok2], rtol=1e-5)
    assert np.median(np.abs(a.params[ok2, 4] / g[ok2] - 1)) < 0.15


def test_profile_switches_and_errors():
    assert get_template("si_iv_1403", voigt=True).components[0].profile == "voigt"
    assert get_template("mg_ii_7comp", voigt=True).n_params == 1 + 4 * 7
    with pytest.raises(ValueError, match="exclude each other"):
        get_template("si_iv_1403", lorentz=True, voigt=True)
    with pytest.raises(ValueError, match="4 per voigt"):
        generic_template([0, 100, 1402.8, 0.03], [1402.0, 1403.5], voigt=True)
    with pytest.raises(ValueError, match="needs 8 values"):
        generic_template([0, 100, 1402.8, 0.03, 0.01, 50, 1403.0], [1402.0, 1403.5], profiles=["voigt", "gaussian"])


def test_voigt_maps_fwhm_and_intensity():
    """Maps of a Voigt fit: gamma, FWHM (vs the half-maximum points of scipy's profile) and intensity
    (vs the numerical integral of scipy's profile)."""
    from scipy.integrate import quad
    from scipy.optimize import brentq

    from irisplug_fit.maps import result_maps

    sig, gam, amp = 0.03, 0.02, 400.0
    y = 10.0 + _peak_voigt(X100, amp, 1402.8, sig, gam)
    res = fit_spectra(y[None], X100, "si_iv_1403", voigt=True)
    m = result_maps(res)
    name = "si_iv_1403"
    np.testing.assert_allclose(m[f"{name}.gamma"][0], gam, rtol=1e-6)
    half = brentq(lambda d: voigt_profile(d, sig, gam) - 0.5 * voigt_profile(0, sig, gam), 0, 1)
    np.testing.assert_allclose(m[f"{name}.fwhm"][0], 2 * half, rtol=3e-4)  # Olivero & Longbothum: 0.02 %
    kms = m[f"{name}.fwhm_velocity"]
    np.testing.assert_allclose(kms[0], 2 * half / 1402.77 * 299792.458, rtol=3e-4)
    assert kms[1] == "km / s" and f"{name}.vnt" not in m and f"{name}.gamma_err" in m
    integral = quad(lambda d: _peak_voigt(d, amp, 0.0, sig, gam), -np.inf, np.inf)[0]
    np.testing.assert_allclose(m[f"{name}.intensity"][0], integral, rtol=1e-6)


def test_voigt_through_dask_path():
    """The dask scale-out path accepts ``voigt=True`` and gives the in-memory numbers."""
    da = pytest.importorskip("dask.array")
    from irisplug_fit.scaleout import fit_dask

    y, _ = _voigt_spectra(40, 11)
    cube = y.reshape(4, 10, -1)
    a = fit_dask(da.from_array(cube, chunks=(2, 10, -1)), X100, "si_iv_1403", voigt=True, scheduler="local")
    b = fit_spectra(cube, X100, "si_iv_1403", voigt=True)
    assert a.param_names == b.param_names and a.params.shape == (4, 10, 5)
    np.testing.assert_allclose(a.params, b.params, rtol=1e-12)
