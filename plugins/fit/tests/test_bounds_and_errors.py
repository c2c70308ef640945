"""Boundary solutions, Mg II starting values, engine agreement and derived-quantity errors on generated IRIS data.

The spectra are the IRIS plugin's own generated Level 2 raster (``generate(n_rasters=1)``, read with photon
noise uncertainties), the data the tester's reproducers used.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

pytest.importorskip("irisplug_iris")
from scipy.optimize import curve_fit

from irisplug_fit.at_bound import AMPLITUDE
from irisplug_fit.derived import FWHM_PER_SIGMA, line_intensity, nonthermal_velocity
from irisplug_fit.engine import fit_spectra
from irisplug_fit.line_templates import get_template
from irisplug_fit.lm_numpy import model_and_jacobian
from irisplug_fit.maps import result_maps
from irisplug_fit.status import Status

K, H = 2796.352, 2803.531


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """``{"si": (x, y, sigma), "mg": (x, y, sigma)}``: (8, 64, n) spectra of the generated raster."""
    os.environ.setdefault("IRISPLUG_QUIET", "1")
    import irisplug
    from irisplug_fit.cube import cube_wavelength, spectral_axis
    from irisplug_iris.generator import generate

    root = tmp_path_factory.mktemp("gen")
    generate(root, quiet=True, n_rasters=1)
    obs = irisplug.read(root, uncertainty=True)
    out = {}
    for key, label in (("si", "Si IV 1403"), ("mg", "Mg II k 2796")):
        cube = obs[label][0]
        ax = spectral_axis(cube)
        assert ax == cube.data.ndim - 1
        y = np.asarray(cube.data, float)
        out[key] = (cube_wavelength(cube, ax), np.where(y < -100, np.nan, y), np.asarray(cube.uncertainty.array, float))
    return out


def _mg4(x, c, *p):
    return c + sum(p[3 * i] * np.exp(-0.5 * ((x - p[3 * i + 1]) / p[3 * i + 2]) ** 2) for i in range(4))


def test_mgii_peaks_found_and_match_curve_fit(generated):
    """The k2/h2 peaks are fitted (they all ended at amplitude 0 before) and reach curve_fit's minimum.

    curve_fit (MINPACK, ftol = xtol = 1e-12) starts at the generator's peaks (-+0.16 A, sigma 0.07 A) with the
    template's centre and width ranges. Measured on every 7th spectrum: 38 of 51 reach the same minimum (chi2
    equal to 1e-6), amplitudes within 3.2e-3 relative, centres within 3e-5 A; in the other 13 one of the two
    fits stops in another local minimum (a 4-Gaussian model of these profiles has reduced chi2 ~800).
    """
    x, y, s = generated["mg"]
    y, s = y.reshape(-1, x.size), s.reshape(-1, x.size)
    idx = np.arange(0, y.shape[0], 7)
    r = fit_spectra(y[idx], x, "mg_ii_4comp", uncertainty=s[idx], engine="numpy")
    amps = np.stack([r.param(f"{c}.amplitude") for c in ("k2v", "k2r", "h2v", "h2r")], axis=-1)
    fitted = np.isin(r.status, [Status.CONVERGED, Status.AT_BOUND])
    assert fitted.sum() >= 45
    assert not np.any(np.all(amps[fitted] == 0, axis=1))  # before: every spectrum
    assert np.median(amps[fitted], axis=0).min() > 100
    sel = (x >= K - 1.5) & (x <= H + 1.5)
    lo = [-np.inf, 0, K - 0.6, 0.02, 0, K + 0.04, 0.02, 0, H - 0.6, 0.02, 0, H + 0.04, 0.02]
    hi = [np.inf, np.inf, K - 0.04, 0.5, np.inf, K + 0.6, 0.5, np.inf, H - 0.04, 0.5, np.inf, H + 0.6, 0.5]
    p0 = [30, 250, K - 0.16, 0.07, 200, K + 0.16, 0.07, 200, H - 0.16, 0.07, 150, H + 0.16, 0.07]
    same = compared = 0
    for j in np.flatnonzero(fitted):
        yy, ss = y[idx[j], sel], s[idx[j], sel]
        v = np.isfinite(yy)
        try:
            p, _ = curve_fit(_mg4, x[sel][v], yy[v], p0=p0, sigma=ss[v], absolute_sigma=True, bounds=(lo, hi),
                             maxfev=20000, ftol=1e-12, xtol=1e-12)
        except RuntimeError:  # curve_fit's own failures (evaluation limit) are not comparisons
            continue
        chi = np.sum(((yy[v] - _mg4(x[sel][v], *p)) / ss[v]) ** 2)
        compared += 1
        if abs(r.chi2[j] - chi) <= 1e-6 * chi:
            same += 1
            q = r.params[j]
            np.testing.assert_allclose(q[1::3], p[1::3], rtol=1e-2)
            np.testing.assert_allclose(q[2::3], p[2::3], atol=2e-4)
    assert compared >= 40 and same >= 0.66 * compared, (same, compared)


def test_no_velocity_from_a_component_at_its_amplitude_bound(generated):
    """mg_ii_7comp: a component whose amplitude is on its bound publishes no centre, velocity or width, and every
    published velocity has its error (before: k2v.velocity filled at amplitude 0 beside a NaN error)."""
    x, y, s = generated["mg"]
    r = fit_spectra(y, x, "mg_ii_7comp", uncertainty=s, engine="numpy")
    m = result_maps(r)
    st = r.status
    assert not np.any((st == Status.CONVERGED) & (r.bound_flags != 0).any(axis=-1))
    for ci, c in enumerate(r.template.components):
        flags = m[f"{c.name}.at_bound"][0]
        v, ve = m[f"{c.name}.velocity"][0], m[f"{c.name}.velocity_err"][0]
        at_amp = (flags & AMPLITUDE) != 0
        for q in ("centre", "velocity", "width", "fwhm", "intensity"):
            assert np.all(np.isnan(m[f"{c.name}.{q}"][0][at_amp])), (c.name, q)
        assert np.all(np.isfinite(ve[np.isfinite(v)])), c.name
        np.testing.assert_array_equal(flags, r.bound_flags[..., ci])
    # the raw k2v amplitude of every flagged spectrum is the bound (0), as fitted
    k2v = [c.name for c in r.template.components].index("k2v")
    at0 = (r.bound_flags[..., k2v] & AMPLITUDE) != 0
    assert np.all(r.param("k2v.amplitude")[at0] == 0)


#: the spectra where the engines' CONVERGED si_iv_1403_3comp answers differed (tester's f_engine_mismatch.py)
_MISMATCH = [(2, 36), (4, 35), (4, 54), (6, 3), (7, 60)]


def _polished_chi2(template, x, y, s, p):
    """chi2 after a tight bounded least-squares polish from ``p`` (trf; the bounds are the fit's own ranges)."""
    from scipy.optimize import least_squares

    from irisplug_fit.guess import component_table, initial_values

    v = np.isfinite(y) & (s > 0)
    comp, single = component_table(template)
    _, lo, hi = initial_values(x, np.where(v, y, 0.0)[None], v[None], template.n_bg, comp, single,
                               template.profile_codes, template.param_offsets)

    def res(q):
        f, _ = model_and_jacobian(x[v], q[None], template.profile_codes, template.n_bg, template.reference, False,
                                  offsets=template.param_offsets)
        return (y[v] - f[0]) / s[v]

    ls = least_squares(res, np.clip(p, lo[0], hi[0]), bounds=(lo[0], hi[0]), xtol=1e-15, ftol=1e-15, gtol=1e-15,
                       max_nfev=4000)
    return 2 * ls.cost


def test_engines_agree_or_flag_on_ill_posed_fits(generated):
    """Where the engines' answers differ the fit is a boundary solution (a wing's width on its bound, two local
    minima along it): both flag it AT_BOUND. Where a fit is CONVERGED (interior) a tight least-squares polish
    lowers chi2 by less than 1e-6 relative (a true local minimum), in both engines."""
    x, y, s = generated["si"]
    t = get_template("si_iv_1403_3comp")
    yy = np.array([y[i] for i in _MISMATCH])
    ss = np.array([s[i] for i in _MISMATCH])
    a = fit_spectra(yy, x, t, uncertainty=ss, engine="numpy")
    b = fit_spectra(yy, x, t, uncertainty=ss, engine="numba")
    sel = (x >= a.wavelength[0]) & (x <= a.wavelength[-1])
    for k in range(len(_MISMATCH)):
        same = abs(a.chi2[k] - b.chi2[k]) <= 1e-6 * a.chi2[k]
        assert same or (a.status[k] == b.status[k] == Status.AT_BOUND), (_MISMATCH[k], a.chi2[k], b.chi2[k])
        for r in (a, b):
            if r.status[k] == Status.CONVERGED:
                assert _polished_chi2(t, x[sel], yy[k, sel], ss[k, sel], r.params[k]) >= r.chi2[k] * (1 - 1e-6)
    # and the published wing velocities of a boundary solution are not presented as measured where their width is
    for r in (a, b):
        m = result_maps(r)
        for c in ("si_iv_1403_blue", "si_iv_1403_red"):
            on = m[f"{c}.at_bound"][0] != 0
            assert np.all(np.isnan(m[f"{c}.width"][0][on]) | np.isnan(m[f"{c}.centre"][0][on]))


def test_intensity_and_vnt_errors_match_numerical_propagation(generated):
    """``C.intensity_err`` and ``C.vnt_err`` equal finite-difference propagation of the formulas with curve_fit's
    pcov on the same spectra (absolute sigma): 2e-3 relative (curve_fit's pcov comes from its own Jacobian at its
    own minimum, ours from the analytic one at ours; measured 1e-5 - 5e-4)."""
    x, y, s = generated["si"]
    y, s = y.reshape(-1, x.size), s.reshape(-1, x.size)
    t = get_template("si_iv_1403")
    idx = np.arange(0, y.shape[0], 5)
    r = fit_spectra(y[idx], x, t, uncertainty=s[idx], engine="numpy", covariance=True)
    m = result_maps(r)
    assert "si_iv_1403.intensity_err" in m and "si_iv_1403.vnt_err" in m
    # without covariance=True (the default: it costs about as much as the fit) no intensity error is claimed
    assert "si_iv_1403.intensity_err" not in result_maps(fit_spectra(y[idx[:3]], x, t, uncertainty=s[idx[:3]]))
    line = t.components[0].line
    inst = line.instrument_fwhm
    sel = (x >= t.wl_range[0]) & (x <= t.wl_range[1])

    def gauss(xx, c, a, mu, w):
        return c + a * np.exp(-0.5 * ((xx - mu) / w) ** 2)

    def intensity(p):
        return float(line_intensity(p[1], p[3]))

    def vnt(p):
        return float(nonthermal_velocity(FWHM_PER_SIGMA * p[3], line.rest, line.log_t, line.mass, inst))

    checked_i = checked_v = 0
    for j in np.flatnonzero(r.status == Status.CONVERGED):
        yy, ss = y[idx[j], sel], s[idx[j], sel]
        v = np.isfinite(yy) & (ss > 0)
        p, pcov = curve_fit(gauss, x[sel][v], yy[v], p0=r.params[j], sigma=ss[v], absolute_sigma=True,
                            ftol=1e-14, xtol=1e-14)
        for f, key in ((intensity, "intensity"), (vnt, "vnt")):
            if not np.isfinite(f(p)) or f(p) == 0:
                continue
            grad = np.zeros(4)
            for i in range(4):
                h = 1e-6 * max(abs(p[i]), 1e-3)
                up, dn = p.copy(), p.copy()
                up[i] += h
                dn[i] -= h
                grad[i] = (f(up) - f(dn)) / (2 * h)
            want = np.sqrt(grad @ pcov @ grad)
            got = m[f"si_iv_1403.{key}_err"][0][j]
            np.testing.assert_allclose(got, want, rtol=2e-3, err_msg=f"{key} {j}")
            if key == "intensity":
                checked_i += 1
            else:
                checked_v += 1
    assert checked_i >= 30 and checked_v >= 20, (checked_i, checked_v)
