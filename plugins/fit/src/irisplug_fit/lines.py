"""Spectral lines for the template model: what a line is, atomic masses, the speed of light.

Line lists and instrumental widths are instrument knowledge: instrument
plugins contribute them with their line templates (hook
``irisplug_line_templates``; the IRIS ones are in the iris plugin).

Sources
-------
* [IUPAC21] Prohaska et al. 2022, Pure Appl. Chem. 94, 573, "Standard atomic
  weights of the elements 2021 (IUPAC Technical Report)".
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Line", "ATOMIC_MASS", "SPEED_OF_LIGHT_KMS"]

#: km/s (exact, SI definition)
SPEED_OF_LIGHT_KMS = 299792.458

#: standard atomic weights [IUPAC21], u (abridged values)
ATOMIC_MASS = {
    "H": 1.008, "He": 4.0026, "C": 12.011, "N": 14.007, "O": 15.999, "Ne": 20.180, "Na": 22.990, "Mg": 24.305,
    "Al": 26.982, "Si": 28.085, "S": 32.06, "Ar": 39.95, "Ca": 40.078, "Fe": 55.845, "Ni": 58.693,
}


@dataclass(frozen=True)
class Line:
    """One spectral line.

    Parameters
    ----------
    label
        Human name, e.g. ``"Si IV 1402.77"``.
    element, ion
        ``"Si"``, ``"IV"``; None when the emitting ion is not known (then no
        thermal width, and so no non-thermal velocity, is derived).
    rest
        Vacuum rest wavelength in Angstrom.
    log_t
        log10 of the formation temperature (K) used for the thermal width; None when unknown.
    instrument_fwhm
        Instrumental FWHM (Angstrom) of the instrument channel observing
        the line, for non-thermal widths; None when unknown (then no
        non-thermal velocity is derived unless ``inst_fwhm=`` is given).

    Examples
    --------
    >>> Line("Si IV 1402.77", "Si", "IV", 1402.77, 4.9, instrument_fwhm=0.0318).mass
    28.085
    """

    label: str
    element: str | None
    ion: str | None
    rest: float
    log_t: float | None
    instrument_fwhm: float | None = None

    @property
    def mass(self) -> float | None:
        """Atomic mass of the element in u (None when the element is not known)."""
        return None if self.element is None else ATOMIC_MASS[self.element]
