"""Atomic and instrumental constants of the lines IRIS users fit.

Every number carries its source. Rest wavelengths are **vacuum** wavelengths
in Angstrom (IRIS L2 wavelengths are vacuum).

Sources
-------
* [NIST] Kramida, Ralchenko, Reader & NIST ASD Team, *NIST Atomic Spectra
  Database* (ver. 5.x), https://physics.nist.gov/asd — vacuum Ritz wavelengths.
* [DP14] De Pontieu et al. 2014, Sol. Phys. 289, 2733, "The Interface Region
  Imaging Spectrograph (IRIS)": line list, formation temperatures, spectral
  resolution (FUV ~26 mA, NUV ~53 mA; also quoted in the irispy-lmsal docs
  "What is IRIS?").
* [LMSAL] iris_lmsalpy ``fit_iris`` / ``iris_vnt`` documentation (seed 001,
  "Spectral line fitting"): rest wavelengths 1393.76, 1402.77, 1334.53,
  1335.71 and instrumental FWHM FUV short 0.0286 A, FUV long 0.0318 A.
* [CHIANTI] Dere et al. 1997, A&A Suppl. 125, 149; Del Zanna et al. 2021,
  ApJ 909, 38 (CHIANTI v10): temperature of maximum ionisation fraction.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Line",
    "LINES",
    "INSTRUMENT_FWHM",
    "ATOMIC_MASS",
    "SPEED_OF_LIGHT_KMS",
    "instrument_fwhm_for",
]

#: km/s (exact, SI definition)
SPEED_OF_LIGHT_KMS = 299792.458

#: IRIS instrumental FWHM in Angstrom. FUV short/long: [LMSAL] (iris_vnt note);
#: NUV: [DP14] quotes ~53 mA spectral resolution; 0.0546 A is the value the
#: IRIS team uses for the NUV channel (2 NUV pixels of 25.46 mA plus blur).
INSTRUMENT_FWHM = {"FUV1": 0.0286, "FUV2": 0.0318, "NUV": 0.0546}

#: standard atomic weights (IUPAC 2021), u
ATOMIC_MASS = {"C": 12.011, "O": 15.999, "Mg": 24.305, "Si": 28.085, "Fe": 55.845}


@dataclass(frozen=True)
class Line:
    """One spectral line.

    Parameters
    ----------
    label
        Human name, e.g. ``"Si IV 1402.77"``.
    element, ion
        ``"Si"``, ``"IV"``.
    rest
        Vacuum rest wavelength in Angstrom.
    log_t
        log10 of the formation temperature (K) used for the thermal width.
    band
        ``"FUV1"`` (1332-1358 A, "FUV short"), ``"FUV2"`` (1390-1407 A,
        "FUV long") or ``"NUV"``.

    Examples
    --------
    >>> LINES["si_iv_1403"].rest
    1402.77
    """

    label: str
    element: str
    ion: str
    rest: float
    log_t: float
    band: str

    @property
    def mass(self) -> float:
        """Atomic mass of the element in u."""
        return ATOMIC_MASS[self.element]


# Rest wavelengths: [NIST] vacuum values rounded as in [LMSAL]/[DP14];
# formation temperatures: [DP14] table of IRIS lines / [CHIANTI] peak
# ionisation fraction (Si IV 10^4.9 K, C II 10^4.3 K, O I 10^3.8 K,
# Fe XII 10^6.2 K, Mg II 10^4.0 K).
LINES: dict[str, Line] = {
    "si_iv_1394": Line("Si IV 1393.76", "Si", "IV", 1393.755, 4.9, "FUV2"),
    "si_iv_1403": Line("Si IV 1402.77", "Si", "IV", 1402.770, 4.9, "FUV2"),
    "c_ii_1334": Line("C II 1334.53", "C", "II", 1334.532, 4.3, "FUV1"),
    # 1335.71 is the stronger J=5/2-3/2 component; the 1335.66 component blends with it
    "c_ii_1336": Line("C II 1335.71", "C", "II", 1335.708, 4.3, "FUV1"),
    "o_i_1356": Line("O I 1355.60", "O", "I", 1355.598, 3.8, "FUV1"),
    "fe_xii_1349": Line("Fe XII 1349.40", "Fe", "XII", 1349.400, 6.2, "FUV1"),
    "mg_ii_k": Line("Mg II k 2796.35", "Mg", "II", 2796.352, 4.0, "NUV"),
    "mg_ii_h": Line("Mg II h 2803.53", "Mg", "II", 2803.531, 4.0, "NUV"),
    # Mg II 3p-3d subordinate triplet: 2798.75 + 2798.82 blend (NIST vacuum)
    "mg_ii_triplet": Line("Mg II 2798.8", "Mg", "II", 2798.823, 4.0, "NUV"),
}


def instrument_fwhm_for(wavelength: float) -> float:
    """IRIS instrumental FWHM (Angstrom) of the channel holding ``wavelength``.

    Examples
    --------
    >>> instrument_fwhm_for(1402.77)
    0.0318
    """
    if wavelength < 1370.0:
        return INSTRUMENT_FWHM["FUV1"]
    if wavelength < 2000.0:
        return INSTRUMENT_FWHM["FUV2"]
    return INSTRUMENT_FWHM["NUV"]
