"""Physical quantities derived from line parameters: Doppler velocity, widths, intensity, non-thermal velocity.

Conventions (those of iris_lmsalpy / eis_width2velocity): positive Doppler
velocity = red shift (motion away from the observer); widths in Angstrom;
non-thermal velocity xi is the 1/e half-width velocity such that the
observed Gaussian FWHM obeys
``W_obs^2 = W_inst^2 + 4 ln2 (lambda0/c)^2 (v_th^2 + xi^2)`` with
``v_th = sqrt(2 k T / m)``.

Examples
--------
>>> round(float(doppler_velocity(1402.80, 1402.77)), 2)
6.41
"""

from __future__ import annotations

import math

import numpy as np

from irisplug_fit.lines import SPEED_OF_LIGHT_KMS

__all__ = [
    "doppler_velocity",
    "FWHM_PER_SIGMA",
    "fwhm_from_width",
    "voigt_fwhm",
    "voigt_fwhm_error",
    "line_intensity",
    "line_intensity_error",
    "thermal_velocity",
    "thermal_fwhm",
    "nonthermal_velocity",
    "nonthermal_velocity_error",
]

#: Gaussian FWHM / sigma = 2 sqrt(2 ln 2)
FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))
_K_B = 1.380649e-23  # J/K (exact, SI 2019)
_AMU = 1.66053906660e-27  # kg (CODATA 2018)


def doppler_velocity(centre: np.ndarray, rest: float) -> np.ndarray:
    """Doppler velocity in km/s (positive = red shift) of ``centre`` against ``rest`` (same unit).

    Examples
    --------
    >>> float(doppler_velocity(1402.77, 1402.77))
    0.0
    """
    return SPEED_OF_LIGHT_KMS * (np.asarray(centre) - rest) / rest


def fwhm_from_width(width: np.ndarray, profile: str = "gaussian") -> np.ndarray:
    """FWHM from the fitted width (Gaussian sigma, or Lorentzian HWHM; for a Voigt see :func:`voigt_fwhm`).

    Examples
    --------
    >>> round(float(fwhm_from_width(0.01)), 5), float(fwhm_from_width(0.01, "lorentzian"))
    (0.02355, 0.02)
    """
    w = np.asarray(width)
    return w * (FWHM_PER_SIGMA if profile == "gaussian" else 2.0)


def voigt_fwhm(sigma: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """FWHM of a Voigt profile (Gaussian sigma, Lorentzian HWHM gamma), same unit as the inputs.

    Olivero & Longbothum (1977), J. Quant. Spectrosc. Radiat. Transfer 17, 233:
    ``f_V = 0.5346 f_L + sqrt(0.2166 f_L^2 + f_G^2)`` with ``f_L = 2 gamma``
    and ``f_G = 2 sqrt(2 ln 2) sigma``; accurate to 0.02 %, exact in the
    Gaussian and Lorentzian limits.

    Examples
    --------
    >>> round(float(voigt_fwhm(0.01, 0.0)), 5), round(float(voigt_fwhm(0.0, 0.01)), 5)
    (0.02355, 0.02)
    """
    fl = 2.0 * np.asarray(gamma, dtype=float)
    fg = FWHM_PER_SIGMA * np.asarray(sigma, dtype=float)
    return 0.5346 * fl + np.sqrt(0.2166 * fl * fl + fg * fg)


def voigt_fwhm_error(sigma: np.ndarray, gamma: np.ndarray, sigma_err: np.ndarray,
                     gamma_err: np.ndarray) -> np.ndarray:
    """1-sigma uncertainty of :func:`voigt_fwhm`, first-order propagation ignoring the sigma-gamma covariance.

    The fitted sigma and gamma are usually anti-correlated, so this tends to
    overestimate the FWHM uncertainty.

    Examples
    --------
    >>> round(float(voigt_fwhm_error(0.01, 0.0, 0.001, 0.0)), 6)
    0.002355
    """
    fl = 2.0 * np.asarray(gamma, dtype=float)
    fg = FWHM_PER_SIGMA * np.asarray(sigma, dtype=float)
    with np.errstate(all="ignore"):
        root = np.sqrt(0.2166 * fl * fl + fg * fg)
        d_fl = 0.5346 + np.where(root > 0, 0.2166 * fl / np.where(root > 0, root, 1.0), math.sqrt(0.2166))
        d_fg = np.where(root > 0, fg / np.where(root > 0, root, 1.0), 1.0)
        return np.hypot(d_fl * 2.0 * np.asarray(gamma_err), d_fg * FWHM_PER_SIGMA * np.asarray(sigma_err))


def line_intensity(amplitude: np.ndarray, width: np.ndarray, profile: str = "gaussian",
                   gamma: np.ndarray | None = None) -> np.ndarray:
    """Integrated line intensity (amplitude x wavelength unit).

    ``sqrt(2 pi) a sigma`` (Gaussian), ``pi a gamma`` (Lorentzian, ``width``
    = HWHM) or, for a Voigt of peak ``a`` (``width`` = sigma, ``gamma`` =
    Lorentzian HWHM), ``sqrt(2 pi) a sigma / erfcx(gamma / (sigma sqrt 2))``
    (the peak of the unit-area Voigt is ``Re w(iy) / (sigma sqrt(2 pi))``).

    Examples
    --------
    >>> round(float(line_intensity(1.0, 1.0)), 4)
    2.5066
    >>> round(float(line_intensity(1.0, 1e-9, "voigt", gamma=1.0)), 4)  # Lorentzian limit: pi
    3.1416
    """
    a, w = np.asarray(amplitude), np.asarray(width)
    if profile == "voigt":
        from scipy.special import erfcx

        with np.errstate(all="ignore"):
            return a * w * math.sqrt(2.0 * math.pi) / erfcx(np.asarray(gamma) / (w * math.sqrt(2.0)))
    return a * w * (math.sqrt(2.0 * math.pi) if profile == "gaussian" else math.pi)


def line_intensity_error(amplitude: np.ndarray, width: np.ndarray, amplitude_err: np.ndarray,
                         width_err: np.ndarray, cov_amplitude_width: np.ndarray, profile: str = "gaussian",
                         gamma: np.ndarray | None = None, gamma_err: np.ndarray | None = None,
                         cov_amplitude_gamma: np.ndarray | None = None,
                         cov_width_gamma: np.ndarray | None = None) -> np.ndarray:
    """1-sigma uncertainty of :func:`line_intensity`, first-order propagation with the covariances.

    Gaussian ``I = sqrt(2 pi) a sigma``:
    ``var I = 2 pi (sigma^2 var a + a^2 var sigma + 2 a sigma cov(a, sigma))``;
    Lorentzian the same with ``pi`` for ``sqrt(2 pi)``; Voigt from the
    analytic gradient of ``sqrt(2 pi) a sigma / erfcx(y)``,
    ``y = gamma / (sigma sqrt 2)`` (``d erfcx / dy = 2 y erfcx(y) - 2 / sqrt(pi)``),
    with the three covariances.

    Examples
    --------
    >>> round(float(line_intensity_error(1.0, 1.0, 0.1, 0.0, 0.0)), 4)  # sqrt(2 pi) * 0.1
    0.2507
    """
    a, w = np.asarray(amplitude, dtype=float), np.asarray(width, dtype=float)
    ea, ew, caw = (np.asarray(v, dtype=float) for v in (amplitude_err, width_err, cov_amplitude_width))
    if profile == "voigt":
        from scipy.special import erfcx

        g, eg = np.asarray(gamma, dtype=float), np.asarray(gamma_err, dtype=float)
        cag, cwg = np.asarray(cov_amplitude_gamma, dtype=float), np.asarray(cov_width_gamma, dtype=float)
        with np.errstate(all="ignore"):
            y = g / (w * math.sqrt(2.0))
            e = erfcx(y)
            de = 2.0 * y * e - 2.0 / math.sqrt(math.pi)  # d erfcx / dy
            inten = math.sqrt(2.0 * math.pi) * a * w / e
            da = math.sqrt(2.0 * math.pi) * w / e
            dw = math.sqrt(2.0 * math.pi) * a / e * (1.0 + y * de / e)  # dy/dw = -y/w
            dg = -inten / e * de / (w * math.sqrt(2.0))
            var = (da * da * ea * ea + dw * dw * ew * ew + dg * dg * eg * eg
                   + 2.0 * (da * dw * caw + da * dg * cag + dw * dg * cwg))
            return np.sqrt(np.where(var >= 0, var, np.nan))
    k = math.sqrt(2.0 * math.pi) if profile == "gaussian" else math.pi
    with np.errstate(all="ignore"):
        var = k * k * (w * w * ea * ea + a * a * ew * ew + 2.0 * a * w * caw)
        return np.sqrt(np.where(var >= 0, var, np.nan))


def thermal_velocity(log_t: float, mass_amu: float) -> float:
    """Most probable thermal speed ``sqrt(2kT/m)`` in km/s.

    Examples
    --------
    >>> round(thermal_velocity(4.9, 28.085), 2)
    6.86
    """
    return math.sqrt(2.0 * _K_B * 10.0**log_t / (mass_amu * _AMU)) / 1e3


def thermal_fwhm(rest: float, log_t: float, mass_amu: float) -> float:
    """Thermal FWHM in the unit of ``rest``: ``sqrt(4 ln2) (rest/c) v_th``.

    Examples
    --------
    >>> round(thermal_fwhm(1402.77, 4.9, 28.085), 4)
    0.0534
    """
    return math.sqrt(4.0 * math.log(2.0)) * rest / SPEED_OF_LIGHT_KMS * thermal_velocity(log_t, mass_amu)


def nonthermal_velocity(fwhm_obs: np.ndarray, rest: float, log_t: float, mass_amu: float,
                        inst_fwhm: float) -> np.ndarray:
    """Non-thermal velocity xi (km/s) from an observed Gaussian FWHM (Angstrom), as iris_vnt.

    NaN where the observed width is smaller than the instrumental and
    thermal widths together.

    Examples
    --------
    >>> round(float(nonthermal_velocity(0.1, 1402.77, 4.9, 28.085, 0.03)), 1)
    10.1
    """
    w = np.asarray(fwhm_obs, dtype=float)
    v_th = thermal_velocity(log_t, mass_amu)
    with np.errstate(invalid="ignore"):
        xi2 = (w**2 - inst_fwhm**2) / (4.0 * math.log(2.0)) * (SPEED_OF_LIGHT_KMS / rest) ** 2 - v_th**2
        return np.where(xi2 >= 0, np.sqrt(np.where(xi2 >= 0, xi2, 0.0)), np.nan)


def nonthermal_velocity_error(fwhm_obs: np.ndarray, fwhm_err: np.ndarray, rest: float, log_t: float,
                              mass_amu: float, inst_fwhm: float) -> np.ndarray:
    """1-sigma uncertainty of :func:`nonthermal_velocity` (first order; it depends on the width only).

    ``d xi / d W = W (c / rest)^2 / (4 ln2 xi)``, so
    ``err xi = W (c / rest)^2 err W / (4 ln2 xi)``; NaN where ``xi`` is NaN
    or 0 (the derivative diverges there: the first-order error means nothing).

    Examples
    --------
    >>> err = float(nonthermal_velocity_error(0.1, 0.001, 1402.77, 4.9, 28.085, 0.03))
    >>> f = lambda w: float(nonthermal_velocity(w, 1402.77, 4.9, 28.085, 0.03))  # a finite difference of it
    >>> round(err, 4), round((f(0.1 + 1e-6) - f(0.1 - 1e-6)) / 2e-6 * 0.001, 4)
    (0.1624, 0.1624)
    """
    w = np.asarray(fwhm_obs, dtype=float)
    xi = nonthermal_velocity(w, rest, log_t, mass_amu, inst_fwhm)
    with np.errstate(all="ignore"):
        d = w * (SPEED_OF_LIGHT_KMS / rest) ** 2 / (4.0 * math.log(2.0) * xi)
        return np.where(xi > 0, np.abs(d) * np.asarray(fwhm_err, dtype=float), np.nan)
