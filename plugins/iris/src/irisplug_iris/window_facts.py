"""IRIS facts the reader puts into a cube's metadata: rest wavelengths of the spectral windows, SJI passbands.

Generic plugins read them through the core's documented keys
(:func:`irisplug.model.rest_wavelength`, :func:`irisplug.model.passband`),
so they need no IRIS table of their own.

Examples
--------
>>> window_rest_wavelength("Si IV  1403"), window_rest_wavelength("2832") is None
(1402.77, True)
>>> sji_passband_range(1400.0)
(1372.5, 1427.5)
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["WINDOW_REST_WAVELENGTHS", "SJI_PASSBAND_RANGES", "window_rest_wavelength", "sji_passband_range"]

# Vacuum rest wavelengths (A): Si IV 1393.755/1402.770, C II 1334.532/1335.708,
# Mg II k 2796.352 / h 2803.530, Fe XII 1349.4, O I 1355.598 (NIST ASD; De Pontieu et al. 2014, Sol. Phys. 289, 2733).
#: IRIS window label -> rest wavelength (A) of the line it is named after
WINDOW_REST_WAVELENGTHS: dict[str, float] = {
    "C II 1336": 1335.708,
    "C II 1335": 1335.708,
    "Fe XII 1349": 1349.40,
    "O I 1356": 1355.598,
    "Si IV 1394": 1393.755,
    "Si IV 1393": 1393.755,
    "Si IV 1403": 1402.770,
    "Mg II k 2796": 2796.352,
    "Mg II h 2803": 2803.530,
}

#: SJI passband (nominal wavelength, A) -> (min, max) in A: centre -+ FWHM/2 (De Pontieu et al. 2014, Table 2)
SJI_PASSBAND_RANGES: dict[int, tuple[float, float]] = {
    1330: (1330.0 - 27.5, 1330.0 + 27.5),
    1400: (1400.0 - 27.5, 1400.0 + 27.5),
    2796: (2796.0 - 2.0, 2796.0 + 2.0),
    2832: (2832.0 - 2.0, 2832.0 + 2.0),
}


def window_rest_wavelength(label: str) -> float | None:
    """Rest wavelength (A) for an IRIS window label, or None (numeric-only labels such as ``"2832"``)."""
    key = re.sub(r"\s+", " ", str(label)).strip()
    return WINDOW_REST_WAVELENGTHS.get(key)


def sji_passband_range(twave: Any) -> tuple[float, float] | None:
    """``(min, max)`` (A) of the SJI passband with nominal wavelength ``twave`` (``TWAVE1``), or None."""
    try:
        return SJI_PASSBAND_RANGES.get(round(float(getattr(twave, "value", twave))))
    except (TypeError, ValueError):
        return None
