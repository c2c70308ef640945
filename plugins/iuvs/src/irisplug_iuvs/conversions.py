"""Engineering conversions of MAVEN IUVS telemetry: temperatures, MCP voltage and gain, mirror angle.

Sources (formats.md 1.5, 1.6): the IDL routine ``iuvs_dn_to_temp.pro`` (email of
D. Theiling / J. Deighan, 2013-12-07) for the temperatures, and
``lasp/maven_iuvs`` ``instrument.py`` (``mcp_dn_to_volt``, ``mcp_volt_to_gain``)
and the mirror scale for the rest. The temperature formulas reproduce the
``DET_TEMP_C`` / ``CASE_TEMP_C`` columns of v13 L1B files exactly for integer DN.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "det_temp_from_dn",
    "det_temp_to_dn",
    "case_temp_from_dn",
    "case_temp_to_dn",
    "mcp_volt_from_dn",
    "mcp_dn_from_volt",
    "mcp_gain_from_volt",
    "mirror_deg_from_dn",
    "mirror_dn_from_deg",
    "DET_TEMP_COEFFS",
    "CASE_TEMP_COEFFS_LOW",
    "CASE_TEMP_COEFFS_HIGH",
]

#: on-chip detector temperature: T = a*DN + b (iuvs_dn_to_temp.pro, no /hw)
DET_TEMP_COEFFS = (-0.0749, 174.08)
#: split 4th-order thermistor polynomial C0..C4 for DN 0-8191 (iuvs_dn_to_temp.pro, /hw)
CASE_TEMP_COEFFS_LOW = (1.8195, -6.2210e-3, 1.6259e-7, -7.3832e-11, -2.9933e-16)
#: the same for DN 8192-16382
CASE_TEMP_COEFFS_HIGH = (450.47, -6.5734e-2, 3.3093e-6, -5.4216e-11, -2.9330e-16)
_SPLIT_DN = 8192
_DN_MAX = 16382

# MCP: maven_iuvs instrument.py (mcp_dn_to_volt, mcp_volt_to_gain)
_MCP_DN_SCALE, _MCP_DN_OFFSET = 0.244, -1.83
_GAIN_V0, _GAIN_L0, _GAIN_L1, _GAIN_LV = 900.0, 2.560, -0.0025, 625.0
_GAIN_CHANNEL = {"muv": (392.0, 0.0185), "fuv": (494.0, 0.0196)}

# scan mirror: deg = (dn - 12939.0)/364.0889 (maven_iuvs; 26059 DN -> 36.035 deg)
_MIRROR_ZERO_DN, _MIRROR_DN_PER_DEG = 12939.0, 364.0889


def det_temp_from_dn(dn: ArrayLike) -> np.ndarray:
    """Detector (on-chip) temperature in degC from the science-telemetry ``DET_TEMP`` DN.

    ``T = -0.0749*DN + 174.08``.

    Examples
    --------
    >>> round(float(det_temp_from_dn(2584)), 4)
    -19.4616
    """
    a, b = DET_TEMP_COEFFS
    return a * np.asarray(dn, dtype=float) + b


def det_temp_to_dn(temp_c: ArrayLike) -> np.ndarray:
    """Inverse of :func:`det_temp_from_dn` (float DN; round it for telemetry values).

    Examples
    --------
    >>> float(np.round(det_temp_to_dn(-19.4616)))
    2584.0
    """
    a, b = DET_TEMP_COEFFS
    return (np.asarray(temp_c, dtype=float) - b) / a


def _poly(dn: np.ndarray, coeffs: tuple[float, ...]) -> np.ndarray:
    # Horner's scheme, as IDL's poly(): bit-identical to the pipeline's
    # CASE_TEMP_C columns (the naive power sum differs in the last bits).
    out = np.full_like(dn, coeffs[-1], dtype=float)
    for c in coeffs[-2::-1]:
        out = out * dn + c
    return out


def case_temp_from_dn(dn: ArrayLike) -> np.ndarray:
    """Case (and analog housekeeping thermistor) temperature in degC from DN.

    The split polynomial of ``iuvs_dn_to_temp /hw``: DN < 8192 uses the low
    coefficients, DN >= 8192 the high ones.

    Examples
    --------
    >>> round(float(case_temp_from_dn(15955)), 4)
    4.8995
    """
    dn = np.asarray(dn, dtype=float)
    return np.where(dn < _SPLIT_DN, _poly(dn, CASE_TEMP_COEFFS_LOW), _poly(dn, CASE_TEMP_COEFFS_HIGH))


def case_temp_to_dn(temp_c: ArrayLike, *, iterations: int = 60, idl_compatible: bool = False) -> np.ndarray:
    """Invert :func:`case_temp_from_dn` by bisection, as the IDL routine does.

    The bracket is [0, 8191] for T <= C0 of the low branch (1.8195 degC) and
    [8192, 16382] above (both branches decrease with DN). Temperatures outside
    a branch's range are clipped to its end.

    Parameters
    ----------
    temp_c
        Temperature(s) in degC.
    iterations
        Bisection steps (60 reaches float precision).
    idl_compatible
        Mimic IDL exactly: 17 steps and ``fix(DNmid)`` (truncation), which can
        be one DN low. Note that the IDL routine evaluates the *chip* formula
        inside its bisection loop (it calls itself without ``/hw``); we use the
        thermistor polynomial, which is what the inversion is meant to do.

    Returns
    -------
    numpy.ndarray
        Float DN (integer DN in IDL-compatible mode).

    Examples
    --------
    >>> dn = case_temp_to_dn(case_temp_from_dn(15945))
    >>> int(np.round(dn))
    15945
    """
    t = np.atleast_1d(np.asarray(temp_c, dtype=float))
    low_branch = t <= CASE_TEMP_COEFFS_LOW[0]
    lo = np.where(low_branch, 0.0, float(_SPLIT_DN))
    hi = np.where(low_branch, float(_SPLIT_DN - 1), float(_DN_MAX))
    if idl_compatible:
        iterations = 17
    mid = (lo + hi) / 2
    for _ in range(iterations):
        mid = (lo + hi) / 2
        tmid = case_temp_from_dn(mid)
        colder = tmid < t  # temperature falls with DN: too cold means DN too high
        hi = np.where(colder, mid, hi)
        lo = np.where(colder, lo, mid)
    if idl_compatible:
        mid = np.trunc(mid)
    return mid.reshape(np.shape(temp_c)) if np.ndim(temp_c) else mid[0]


def mcp_volt_from_dn(dn: ArrayLike) -> np.ndarray:
    """MCP voltage in volts from the ``Engineering.MCP_GAIN`` DN: ``0.244*DN - 1.83``.

    Examples
    --------
    >>> round(float(mcp_volt_from_dn(2448)), 3)
    595.482
    """
    return _MCP_DN_SCALE * np.asarray(dn, dtype=float) + _MCP_DN_OFFSET


def mcp_dn_from_volt(volt: ArrayLike) -> np.ndarray:
    """Inverse of :func:`mcp_volt_from_dn` (float DN).

    Examples
    --------
    >>> round(float(mcp_dn_from_volt(595.482)))
    2448
    """
    return (np.asarray(volt, dtype=float) - _MCP_DN_OFFSET) / _MCP_DN_SCALE


def mcp_gain_from_volt(volt: ArrayLike, channel: str) -> np.ndarray:
    """Photon gain of the MCP at ``volt`` volts for channel ``"muv"`` or ``"fuv"``.

    ``gain = A*(L0 + L1*V)*exp(alpha*V)`` above 625 V, ``A*exp(alpha*V)`` below,
    with ``A = G0/((L0 + L1*900)*exp(alpha*900))`` (maven_iuvs ``mcp_volt_to_gain``).

    Examples
    --------
    >>> round(float(mcp_gain_from_volt(595.482, "muv")), 5)
    4.52158
    """
    key = channel.lower().removesuffix("dark")
    if key not in _GAIN_CHANNEL:
        raise ValueError(f"channel must be 'muv' or 'fuv', not {channel!r}")
    g0, alpha = _GAIN_CHANNEL[key]
    v = np.asarray(volt, dtype=float)
    a = g0 / ((_GAIN_L0 + _GAIN_L1 * _GAIN_V0) * np.exp(alpha * _GAIN_V0))
    return np.where(v > _GAIN_LV, a * (_GAIN_L0 + _GAIN_L1 * v) * np.exp(alpha * v), a * np.exp(alpha * v))


def mirror_deg_from_dn(dn: ArrayLike) -> np.ndarray:
    """Scan-mirror angle in degrees from DN: ``(DN - 12939)/364.0889``.

    Examples
    --------
    >>> round(float(mirror_deg_from_dn(26059)), 3)
    36.035
    """
    return (np.asarray(dn, dtype=float) - _MIRROR_ZERO_DN) / _MIRROR_DN_PER_DEG


def mirror_dn_from_deg(deg: ArrayLike) -> np.ndarray:
    """Inverse of :func:`mirror_deg_from_dn` (float DN).

    Examples
    --------
    >>> round(float(mirror_dn_from_deg(36.035156)))
    26059
    """
    return np.asarray(deg, dtype=float) * _MIRROR_DN_PER_DEG + _MIRROR_ZERO_DN
