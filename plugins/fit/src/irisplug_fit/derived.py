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
    "line_intensity",
    "thermal_velocity",
    "thermal_fwhm",
    "nonthermal_velocity",
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
    """FWHM from the fitted width (Gaussian sigma, or Lorentzian HWHM).

    Examples
    --------
    >>> round(float(fwhm_from_width(0.01)), 5), float(fwhm_from_width(0.01, "lorentzian"))
    (0.02355, 0.02)
    """
    w = np.asarray(width)
    return w * (FWHM_PER_SIGMA if profile == "gaussian" else 2.0)


def line_intensity(amplitude: np.ndarray, width: np.ndarray, profile: str = "gaussian") -> np.ndarray:
    """Integrated line intensity (amplitude x wavelength unit): ``sqrt(2 pi) a sigma`` or ``pi a gamma``.

    Examples
    --------
    >>> round(float(line_intensity(1.0, 1.0)), 4)
    2.5066
    """
    a, w = np.asarray(amplitude), np.asarray(width)
    return a * w * (math.sqrt(2.0 * math.pi) if profile == "gaussian" else math.pi)


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
    >>> round(float(nonthermal_velocity(0.1, 1402.77, 4.9, 28.085, 0.0318)), 1)
    10.1
    """
    w = np.asarray(fwhm_obs, dtype=float)
    v_th = thermal_velocity(log_t, mass_amu)
    with np.errstate(invalid="ignore"):
        xi2 = (w**2 - inst_fwhm**2) / (4.0 * math.log(2.0)) * (SPEED_OF_LIGHT_KMS / rest) ** 2 - v_th**2
        return np.where(xi2 >= 0, np.sqrt(np.where(xi2 >= 0, xi2, 0.0)), np.nan)
