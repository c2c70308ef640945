"""IRIS facts the reader puts into a cube's metadata: rest wavelengths of the spectral windows, SJI passbands.

Generic plugins read them through the core's documented keys
(:func:`irisplug.model.rest_wavelength`, :func:`irisplug.model.passband`),
so they need no IRIS table of their own.

Examples
--------
>>> window_rest_wavelength("Si IV  1403"), window_rest_wavelength("2832") is None
(1402.77, True)
>>> sji_passband_range(1400.0)
(1356.55, 1415.43)
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

# The filters' measured band, not the nominal label +- half the width: the half-maximum points of each
# passband's baseline effective area (GEOM_AREA times the transmission of the elements on its light path,
# INDEX_EL_SJI) in the IRIS response, version 009 (2023-11-06; SolarSoft iris_get_response, the file this
# plugin ships for the radiometric calibration), interpolated linearly on its 0.5 A grid. The widths are the
# 55 A (FUV) and 4 A (NUV) of De Pontieu et al. 2014 (Sol. Phys. 289, 2733); the centres are 1345.6, 1386.0,
# 2796.2 and 2829.7 A. The headers' TWMIN1/TWMAX1 (1310-1350, 1380-1420, 2794-2798, 2830-2834) are the
# nominal bands around the label. The response's time-dependent FUV correction (a slant fitted between
# C II and Si IV, extrapolated linearly beyond) is left out: these are the filters as built.
#: SJI passband (nominal wavelength, A) -> (min, max) in A: the half-maximum points of its effective area
SJI_PASSBAND_RANGES: dict[int, tuple[float, float]] = {
    1330: (1318.21, 1372.98),
    1400: (1356.55, 1415.43),
    2796: (2794.24, 2798.13),
    2832: (2827.61, 2831.70),
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
