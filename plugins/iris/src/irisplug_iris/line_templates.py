"""IRIS line list, instrumental widths and line templates, given to fitters through ``irisplug_line_templates``.

The templates are built with the fit plugin's public template model
(``irisplug_fit.Template``, ``Component``, ``Line``); this module is imported
only when a fit asks for one of them, so the fit plugin is needed then only.

Every number carries its source. Rest wavelengths are **vacuum** wavelengths
in Angstrom (IRIS L2 wavelengths are vacuum).

Sources
-------
* [NIST] Kramida, Ralchenko, Reader & NIST ASD Team, *NIST Atomic Spectra
  Database* (ver. 5.x), https://physics.nist.gov/asd - vacuum Ritz wavelengths.
* [DP14] De Pontieu et al. 2014, Sol. Phys. 289, 2733, "The Interface Region
  Imaging Spectrograph (IRIS)": line list, formation temperatures, spectral
  resolution (FUV ~26 mA, NUV ~53 mA).
* [LMSAL] iris_lmsalpy ``fit_iris`` / ``iris_vnt`` documentation (seed 001,
  "Spectral line fitting"): rest wavelengths 1393.76, 1402.77, 1334.53,
  1335.71 and instrumental FWHM FUV short 0.0286 A, FUV long 0.0318 A.
* [CHIANTI] Dere et al. 1997, A&A Suppl. 125, 149; Del Zanna et al. 2021,
  ApJ 909, 38 (CHIANTI v10): temperature of maximum ionisation fraction.

Examples
--------
>>> build("si_iv_1403").param_names
('bg0', 'si_iv_1403.amplitude', 'si_iv_1403.centre', 'si_iv_1403.width')
>>> instrument_fwhm_for(1402.77)
0.0318
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from irisplug_iris.plugin import IRIS_TEMPLATES

__all__ = ["INSTRUMENT_FWHM", "LINE_DATA", "TEMPLATE_WINDOWS", "instrument_fwhm_for", "lines", "build"]

#: IRIS instrumental FWHM in Angstrom. FUV short/long: [LMSAL] (iris_vnt note);
#: NUV: [DP14] quotes ~53 mA spectral resolution; 0.0546 A is the value the
#: IRIS team uses for the NUV channel (2 NUV pixels of 25.46 mA plus blur).
INSTRUMENT_FWHM = {"FUV1": 0.0286, "FUV2": 0.0318, "NUV": 0.0546}

# Rest wavelengths: [NIST] vacuum values rounded as in [LMSAL]/[DP14];
# formation temperatures: [DP14] table of IRIS lines / [CHIANTI] peak
# ionisation fraction (Si IV 10^4.9 K, C II 10^4.3 K, O I 10^3.8 K,
# Fe XII 10^6.2 K, Mg II 10^4.0 K).
#: key -> (label, element, ion, vacuum rest wavelength A, log10 T formation)
LINE_DATA: dict[str, tuple[str, str, str, float, float]] = {
    "si_iv_1394": ("Si IV 1393.76", "Si", "IV", 1393.755, 4.9),
    "si_iv_1403": ("Si IV 1402.77", "Si", "IV", 1402.770, 4.9),
    "c_ii_1334": ("C II 1334.53", "C", "II", 1334.532, 4.3),
    # 1335.71 is the stronger J=5/2-3/2 component; the 1335.66 component blends with it
    "c_ii_1336": ("C II 1335.71", "C", "II", 1335.708, 4.3),
    "o_i_1356": ("O I 1355.60", "O", "I", 1355.598, 3.8),
    "fe_xii_1349": ("Fe XII 1349.40", "Fe", "XII", 1349.400, 6.2),
    "mg_ii_k": ("Mg II k 2796.35", "Mg", "II", 2796.352, 4.0),
    "mg_ii_h": ("Mg II h 2803.53", "Mg", "II", 2803.531, 4.0),
    # Mg II 3p-3d subordinate triplet: 2798.75 + 2798.82 blend (NIST vacuum)
    "mg_ii_triplet": ("Mg II 2798.8", "Mg", "II", 2798.823, 4.0),
}

#: template name -> (IRIS window labels it is made for, description), as the plugin declares them
TEMPLATE_WINDOWS = IRIS_TEMPLATES


def instrument_fwhm_for(wavelength: float) -> float:
    """IRIS instrumental FWHM (Angstrom) of the channel holding ``wavelength``.

    FUV short 1332-1358 A, FUV long 1390-1407 A, NUV 2783-2834 A ([DP14]).

    Examples
    --------
    >>> instrument_fwhm_for(1334.53), instrument_fwhm_for(2796.35)
    (0.0286, 0.0546)
    """
    if wavelength < 1370.0:
        return INSTRUMENT_FWHM["FUV1"]
    if wavelength < 2000.0:
        return INSTRUMENT_FWHM["FUV2"]
    return INSTRUMENT_FWHM["NUV"]


def lines() -> dict[str, Any]:
    """The IRIS line list as ``irisplug_fit.Line`` objects carrying their channel's instrumental FWHM.

    Examples
    --------
    >>> lines()["si_iv_1403"].instrument_fwhm
    0.0318
    """
    from irisplug_fit import Line

    return {key: Line(label, element, ion, rest, log_t, instrument_fwhm=instrument_fwhm_for(rest))
            for key, (label, element, ion, rest, log_t) in LINE_DATA.items()}


def _si_iv(key: str, n: int) -> Any:
    from irisplug_fit import Component, Template

    line = lines()[key]
    lo, hi = line.rest - 1.0, line.rest + 1.0
    if n == 1:
        comps: tuple[Any, ...] = (Component(key, line),)
    elif n == 2:
        comps = (Component(f"{key}_core", line, width=0.025, amp_fraction=0.8, width_range=(0.005, 0.2)),
                 Component(f"{key}_broad", line, width=0.08, amp_fraction=0.2, width_range=(0.02, 0.6)))
    else:
        comps = (Component(f"{key}_core", line, width=0.025, amp_fraction=0.7, width_range=(0.005, 0.2)),
                 Component(f"{key}_blue", line, offset=-0.15, width=0.05, amp_fraction=0.15,
                           centre_range=(-0.6, 0.05), width_range=(0.01, 0.5)),
                 Component(f"{key}_red", line, offset=0.15, width=0.05, amp_fraction=0.15,
                           centre_range=(-0.05, 0.6), width_range=(0.01, 0.5)))
    name = key + ("" if n == 1 else f"_{n}comp")
    windows, description = TEMPLATE_WINDOWS[name]
    return Template(name, comps, (lo, hi), windows=windows, description=description)


def _single(key: str, half: float, **kw: float) -> Any:
    from irisplug_fit import Component, Template

    line = lines()[key]
    windows, description = TEMPLATE_WINDOWS[key]
    return Template(key, (Component(key, line, **kw),), (line.rest - half, line.rest + half), windows=windows,
                    description=description)


def _c_ii() -> Any:
    from irisplug_fit import Component, Template

    a, b = lines()["c_ii_1334"], lines()["c_ii_1336"]
    comps = (Component("c_ii_1334", a, width=0.04, amp_fraction=0.7), Component("c_ii_1336", b, width=0.04))
    windows, description = TEMPLATE_WINDOWS["c_ii"]
    return Template("c_ii", comps, (a.rest - 0.6, b.rest + 0.6), windows=windows, description=description)


def _mg_ii(n: int) -> Any:
    """Mg II k and h with the k2v/k3/k2r structure.

    4: k2v, k2r, h2v, h2r (the k3/h3 reversal is the dip between the peaks);
    5: the same plus the 2798.8 subordinate triplet blend;
    7: k2v, k3 (absorption), k2r, h2v, h3, h2r, triplet.
    The component counts follow iris_lmsalpy's ``fit_mgii`` options (4, 5, 7).
    """
    from irisplug_fit import Component, Template

    known = lines()
    k, h, tri = known["mg_ii_k"], known["mg_ii_h"], known["mg_ii_triplet"]
    peak: dict[str, Any] = dict(width=0.08, width_range=(0.02, 0.5))
    comps: list[Any] = []
    for line, tag in ((k, "k"), (h, "h")):
        comps.append(Component(f"{tag}2v", line, offset=-0.18, amp_fraction=0.9, centre_range=(-0.6, -0.04), **peak))
        if n == 7:
            comps.append(Component(f"{tag}3", line, offset=0.0, width=0.06, amp_fraction=-0.2,
                                   centre_range=(-0.1, 0.1), width_range=(0.02, 0.2), amp_range=(-1.5, 0.0)))
        comps.append(Component(f"{tag}2r", line, offset=0.18, amp_fraction=0.8, centre_range=(0.04, 0.6), **peak))
    if n in (5, 7):
        comps.append(Component("triplet", tri, width=0.1, amp_fraction=0.1, centre_range=(-0.2, 0.2),
                               width_range=(0.02, 0.5), amp_range=(0.0, 1.0)))
    windows, description = TEMPLATE_WINDOWS[f"mg_ii_{n}comp"]
    return Template(f"mg_ii_{n}comp", tuple(comps), (k.rest - 1.5, h.rest + 1.5), bg_degree=0, windows=windows,
                    description=description)


def build(name: str) -> Any:
    """The IRIS template called ``name`` (one of :data:`TEMPLATE_WINDOWS`), as an ``irisplug_fit.Template``.

    Raises
    ------
    KeyError
        ``name`` is not an IRIS template.

    Examples
    --------
    >>> build("mg_ii").name, len(build("mg_ii").components)
    ('mg_ii_7comp', 7)
    >>> build("si_iv_1394_lorentzian").components[0].profile
    'lorentzian'
    """
    if name not in TEMPLATE_WINDOWS:
        raise KeyError(f"no IRIS line template {name!r}; known: {', '.join(TEMPLATE_WINDOWS)}")
    if name == "mg_ii":
        return _mg_ii(7)
    if name.startswith("mg_ii_"):
        return _mg_ii(int(name[len("mg_ii_")]))
    if name.startswith(("si_iv_1403", "si_iv_1394")):
        key, rest = name[:10], name[10:]
        if rest == "_lorentzian":
            t = _si_iv(key, 1).with_profile("lorentzian")
            return replace(t, description=TEMPLATE_WINDOWS[name][1])
        return _si_iv(key, int(rest[1]) if rest else 1)
    if name == "c_ii":
        return _c_ii()
    widths = {"c_ii_1334": (0.5, {"width": 0.04}), "c_ii_1336": (0.5, {"width": 0.04}),
              "o_i_1356": (0.4, {"width": 0.02, "width_range": (0.005, 0.2)}),
              "fe_xii_1349": (0.4, {"width": 0.04})}
    half, kw = widths[name]
    return _single(name, half, **kw)
