"""Derived quantities and moments against independent formulas."""

from __future__ import annotations

import math

import numpy as np

from irisplug_fit.derived import doppler_velocity, nonthermal_velocity, thermal_fwhm
from irisplug_fit.moments import spectral_moments
from irisplug_fit.single import fit_spectrum


def test_nonthermal_velocity_matches_the_textbook_formula():
    # W^2 = W_inst^2 + 4 ln2 (lambda/c)^2 (2kT/m + xi^2), solved for xi with astropy constants
    import astropy.constants as const
    import astropy.units as u

    lam, w, inst, logt, mass = 1402.77, 0.12, 0.0318, 4.9, 28.085
    vth2 = (2 * const.k_B * 10**logt * u.K / (mass * u.u)).to_value(u.km**2 / u.s**2)
    c = const.c.to_value(u.km / u.s)
    xi = math.sqrt((w**2 - inst**2) / (4 * math.log(2)) * (c / lam) ** 2 - vth2)
    assert abs(float(nonthermal_velocity(w, lam, logt, mass, inst)) - xi) < 1e-6  # CODATA vintages differ
    assert math.isnan(float(nonthermal_velocity(0.03, lam, logt, mass, inst)))
    assert abs(thermal_fwhm(lam, logt, mass) - math.sqrt(4 * math.log(2) * vth2) * lam / c) < 1e-9


def test_doppler_sign_convention():
    assert doppler_velocity(1402.80, 1402.77) > 0  # red shift positive


def test_moments_of_a_gaussian():
    x = np.linspace(1401.77, 1403.77, 400)
    y = 3 + 250 * np.exp(-0.5 * ((x - 1402.9) / 0.05) ** 2)
    m = spectral_moments(np.stack([y, y]), x, background=3.0)
    np.testing.assert_allclose(m["centroid"], 1402.9, atol=1e-6)
    np.testing.assert_allclose(m["width"], 0.05, rtol=1e-3)
    np.testing.assert_allclose(m["intensity"], 250 * 0.05 * math.sqrt(2 * math.pi), rtol=1e-3)


def test_single_spectrum_fit_and_plot():
    import matplotlib

    matplotlib.use("Agg")
    x = np.linspace(1401.77, 1403.77, 100)
    y = 10 + 300 * np.exp(-0.5 * ((x - 1402.85) / 0.04) ** 2)
    fit = fit_spectrum(y, x, "si_iv_1403")
    assert abs(fit.values["si_iv_1403.centre"] - 1402.85) < 1e-6
    assert fit.figure is not None and len(fit.figure.axes) == 2
    lor = fit_spectrum(y, x, "si_iv_1403", lorentz=True, plot=False)
    assert lor.result.template.components[0].profile == "lorentzian"
