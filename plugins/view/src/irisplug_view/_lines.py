"""Rest wavelengths (vacuum, Å) of the lines IRIS window labels name, for the initial wavelength."""

from __future__ import annotations

import re

__all__ = ["LINES", "line_for_label"]

# Vacuum rest wavelengths (Å): Si IV 1393.755/1402.770, C II 1334.532/1335.708,
# Mg II k 2796.352 / h 2803.530, Fe XII 1349.4, O I 1355.598 (NIST ASD; De Pontieu et al. 2014, Sol. Phys. 289, 2733).
LINES = {
    "C II 1336": 1335.708,
    "C II 1335": 1335.708,
    "Fe XII 1349": 1349.40,
    "O I 1356": 1355.598,
    "Si IV 1394": 1393.755,
    "Si IV 1403": 1402.770,
    "Mg II k 2796": 2796.352,
    "Mg II h 2803": 2803.530,
}


def line_for_label(label: str) -> float | None:
    """Rest wavelength for a window label, or None (numeric-only labels such as ``"2832"``).

    Examples
    --------
    >>> line_for_label("Si IV 1403")
    1402.77
    >>> line_for_label("2832") is None
    True
    """
    if label in LINES:
        return LINES[label]
    key = re.sub(r"\s+", " ", str(label)).strip()
    return LINES.get(key)
