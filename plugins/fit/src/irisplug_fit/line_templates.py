"""The built-in line templates (Si IV, C II, O I, Fe XII, Mg II h&k) and template builders.

:func:`get_template` returns a named template (:func:`template_names`),
:func:`generic_template` builds one from initial parameters in iris_lmsalpy
``fit_gen`` order, :func:`peak_template` one Gaussian on the strongest
feature of a spectrum. The template model itself (components, ties,
parameter layout) is :mod:`irisplug_fit.templates`.

Examples
--------
>>> get_template("si_iv_1403").param_names
('bg0', 'si_iv_1403.amplitude', 'si_iv_1403.centre', 'si_iv_1403.width')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from irisplug_fit.lines import LINES, Line
from irisplug_fit.templates import PROFILE_NPARAMS, PROFILES, Component, Template, Tie, param_offsets

__all__ = ["TEMPLATES", "get_template", "template_names", "generic_template", "peak_template"]


def _si_iv(key: str, n: int, windows: tuple[str, ...]) -> Template:
    line = LINES[key]
    lo, hi = line.rest - 1.0, line.rest + 1.0
    if n == 1:
        comps = (Component(key, line),)
        ties: tuple[Tie, ...] = ()
    elif n == 2:
        comps = (Component(f"{key}_core", line, width=0.025, amp_fraction=0.8, width_range=(0.005, 0.2)),
                 Component(f"{key}_broad", line, width=0.08, amp_fraction=0.2, width_range=(0.02, 0.6)))
        ties = ()
    elif n == 3:
        comps = (Component(f"{key}_core", line, width=0.025, amp_fraction=0.7, width_range=(0.005, 0.2)),
                 Component(f"{key}_blue", line, offset=-0.15, width=0.05, amp_fraction=0.15,
                           centre_range=(-0.6, 0.05), width_range=(0.01, 0.5)),
                 Component(f"{key}_red", line, offset=0.15, width=0.05, amp_fraction=0.15,
                           centre_range=(-0.05, 0.6), width_range=(0.01, 0.5)))
        ties = ()
    else:  # pragma: no cover - guarded by the registry
        raise ValueError(n)
    return Template(f"{key}" + ("" if n == 1 else f"_{n}comp"), comps, (lo, hi), windows=windows, ties=ties,
                    description=f"{line.label}, {n} Gaussian component(s) + constant")


def _single(key: str, half: float, windows: tuple[str, ...], **kw: float) -> Template:
    line = LINES[key]
    return Template(key, (Component(key, line, **kw),), (line.rest - half, line.rest + half), windows=windows,
                    description=f"{line.label}, one Gaussian + constant")


def _c_ii() -> Template:
    a, b = LINES["c_ii_1334"], LINES["c_ii_1336"]
    comps = (Component("c_ii_1334", a, width=0.04, amp_fraction=0.7),
             Component("c_ii_1336", b, width=0.04))
    return Template("c_ii", comps, (a.rest - 0.6, b.rest + 0.6), windows=("C II 1336", "C II 1335", "C II 1334"),
                    description="C II 1334.53 and 1335.71, two Gaussians + constant")


def _mg_ii(n: int) -> Template:
    """Mg II k and h with the k2v/k3/k2r structure.

    4: k2v, k2r, h2v, h2r (the k3/h3 reversal is the dip between the peaks);
    5: the same plus the 2798.8 subordinate triplet blend;
    7: k2v, k3 (absorption), k2r, h2v, h3, h2r, triplet.
    The component counts follow iris_lmsalpy's ``fit_mgii`` options (4, 5, 7).
    """
    k, h, tri = LINES["mg_ii_k"], LINES["mg_ii_h"], LINES["mg_ii_triplet"]
    peak = dict(width=0.08, width_range=(0.02, 0.5))
    comps: list[Component] = []
    for line, tag in ((k, "k"), (h, "h")):
        comps.append(Component(f"{tag}2v", line, offset=-0.18, amp_fraction=0.9, centre_range=(-0.6, -0.04), **peak))
        if n == 7:
            comps.append(Component(f"{tag}3", line, offset=0.0, width=0.06, amp_fraction=-0.2,
                                   centre_range=(-0.1, 0.1), width_range=(0.02, 0.2), amp_range=(-1.5, 0.0)))
        comps.append(Component(f"{tag}2r", line, offset=0.18, amp_fraction=0.8, centre_range=(0.04, 0.6), **peak))
    if n in (5, 7):
        comps.append(Component("triplet", tri, width=0.1, amp_fraction=0.1, centre_range=(-0.2, 0.2),
                               width_range=(0.02, 0.5), amp_range=(0.0, 1.0)))
    return Template(f"mg_ii_{n}comp", tuple(comps), (k.rest - 1.5, h.rest + 1.5), bg_degree=0,
                    windows=("Mg II k 2796", "Mg II h&k 2800"),
                    description=f"Mg II k and h, {n} Gaussian components + constant")


def _build_registry() -> dict[str, Template]:
    reg: dict[str, Template] = {}
    for key, win in (("si_iv_1403", ("Si IV 1403",)), ("si_iv_1394", ("Si IV 1394", "Si IV 1393"))):
        for n in (1, 2, 3):
            t = _si_iv(key, n, win)
            reg[t.name] = t
        lor = _si_iv(key, 1, win).with_profile("lorentzian")
        reg[lor.name] = replace(lor, description=f"{LINES[key].label}, one Lorentzian + constant")
    reg["c_ii"] = _c_ii()
    reg["c_ii_1334"] = _single("c_ii_1334", 0.5, ("C II 1334",), width=0.04)
    reg["c_ii_1336"] = _single("c_ii_1336", 0.5, ("C II 1335", "C II 1336"), width=0.04)
    reg["o_i_1356"] = _single("o_i_1356", 0.4, ("O I 1356",), width=0.02, width_range=(0.005, 0.2))
    reg["fe_xii_1349"] = _single("fe_xii_1349", 0.4, ("Fe XII 1349",), width=0.04)
    for n in (4, 5, 7):
        reg[f"mg_ii_{n}comp"] = _mg_ii(n)
    reg["mg_ii"] = reg["mg_ii_7comp"]
    return reg


TEMPLATES: dict[str, Template] = _build_registry()


def template_names() -> list[str]:
    """Names of the built-in templates.

    Examples
    --------
    >>> "mg_ii_7comp" in template_names()
    True
    """
    return sorted(TEMPLATES)


def _profile_switch(lorentz: bool, voigt: bool) -> str | None:
    """The profile asked for by the ``lorentz=`` / ``voigt=`` switches (None: keep the template's)."""
    if lorentz and voigt:
        raise ValueError("lorentz=True and voigt=True exclude each other: choose one profile")
    return "lorentzian" if lorentz else "voigt" if voigt else None


def get_template(name: str | Template, *, lorentz: bool = False, voigt: bool = False) -> Template:
    """A built-in template by name, optionally with every component switched to another profile.

    Parameters
    ----------
    name
        Template name (see :func:`template_names`) or a :class:`Template`.
    lorentz
        Every component becomes a Lorentzian (width = HWHM).
    voigt
        Every component becomes a Voigt (width = Gaussian sigma, plus a
        ``gamma`` parameter). Exclusive with ``lorentz``.

    Returns
    -------
    Template

    Examples
    --------
    >>> get_template("si_iv_1403", lorentz=True).components[0].profile
    'lorentzian'
    >>> get_template("si_iv_1403", voigt=True).param_names[-1]
    'si_iv_1403.gamma'
    """
    profile = _profile_switch(lorentz, voigt)
    if isinstance(name, Template):
        t = name
    else:
        key = name.lower().replace(" ", "_").replace("-", "_")
        if key not in TEMPLATES:
            from irisplug.errors import UnknownContributionError

            raise UnknownContributionError(f"unknown fit template {name!r}; known: {', '.join(template_names())}")
        t = TEMPLATES[key]
    return t.with_profile(profile) if profile else t


def generic_template(
    init_vals: Sequence[float],
    wl_range: Sequence[float],
    limits: Sequence[Sequence[float]] | None = None,
    *,
    lorentz: bool = False,
    voigt: bool = False,
    profiles: Sequence[str] | None = None,
    rest: Sequence[float] | None = None,
    element: str = "Si",
    ion: str = "IV",
    log_t: float = 4.9,
    bg_degree: int = 0,
    name: str = "generic",
) -> Template:
    """A template from explicit values, as iris_lmsalpy's ``fit_gen``.

    Parameters
    ----------
    init_vals
        ``c, amp1, mu1, width1, ..., ampN, muN, widthN`` (background
        coefficients first when ``bg_degree > 0``); width is sigma for
        Gaussians and Voigts and HWHM for Lorentzians, Angstrom. A Voigt
        component has a 4th value, ``gamma`` (Lorentzian HWHM, Angstrom):
        ``amp, mu, sigma, gamma``.
    wl_range
        ``[min, max]`` wavelength fitted, Angstrom.
    limits
        ``[[lower...], [upper...]]``, same length as ``init_vals``
        (``-inf``/``inf`` for none).
    lorentz
        Lorentzian components instead of Gaussians.
    voigt
        Voigt components instead of Gaussians (exclusive with ``lorentz``).
    profiles
        One profile name per component (``"gaussian"``, ``"lorentzian"``,
        ``"voigt"``) to mix profiles; overrides ``lorentz``/``voigt``.
    rest
        Rest wavelength of each component (for Doppler velocities); default
        its initial centre.
    element, ion, log_t
        Ion used for thermal widths.

    Examples
    --------
    >>> t = generic_template([0, 100, 1402.8, 0.03], [1402.0, 1403.5])
    >>> t.param_names[1:]
    ('c1.amplitude', 'c1.centre', 'c1.width')
    >>> generic_template([0, 100, 1402.8, 0.03, 0.01], [1402.0, 1403.5], voigt=True).param_names[-1]
    'c1.gamma'
    """
    vals = np.asarray(init_vals, dtype=float)
    nbg = bg_degree + 1
    if profiles is None:
        prof = _profile_switch(lorentz, voigt) or "gaussian"
        size = PROFILE_NPARAMS[PROFILES[prof]]
        if (vals.size - nbg) % size or vals.size <= nbg:
            raise ValueError(f"init_vals needs {nbg} background value(s) then {size} per {prof} component; "
                             f"got {vals.size} values")
        profiles = [prof] * ((vals.size - nbg) // size)
    for prof in profiles:
        if prof not in PROFILES:
            raise ValueError(f"profiles: each must be one of {sorted(PROFILES)}, got {prof!r}")
    offs = param_offsets([PROFILES[pr] for pr in profiles], nbg)
    need = nbg + sum(PROFILE_NPARAMS[PROFILES[pr]] for pr in profiles)
    if vals.size != need or not len(profiles):
        raise ValueError(f"init_vals needs {need} values for {nbg} background value(s) and components "
                         f"{list(profiles)}; got {vals.size}")
    comps = []
    for i, prof in enumerate(profiles):
        _a, mu, w = vals[offs[i]: offs[i] + 3]
        r = float(rest[i]) if rest is not None else float(mu)
        line = Line(f"{element} {ion} {r:.2f}", element, ion, r, log_t, "FUV1" if r < 1370 else "FUV2" if r < 2000 else "NUV")
        comps.append(Component(f"c{i + 1}", line, profile=prof, offset=float(mu) - r, width=float(w)))
    bounds = None
    if limits is not None:
        lo, hi = (np.asarray(v, dtype=float) for v in limits)
        if lo.shape != vals.shape or hi.shape != vals.shape:
            raise ValueError("limits must be [[lower...], [upper...]] with one entry per init value")
        bounds = (tuple(lo), tuple(hi))
    return Template(name, tuple(comps), (float(wl_range[0]), float(wl_range[1])), bg_degree=bg_degree,
                    ref=0.0 if bg_degree == 0 else None, init=tuple(vals), bounds=bounds,
                    description="user template (fit_gen style)")


def peak_template(wavelength: np.ndarray, spectrum: np.ndarray, *, half_width: float = 0.3,
                  profile: str = "gaussian", element: str = "Si", ion: str = "IV", log_t: float = 4.9,
                  name: str = "peak") -> Template:
    """One component at the brightest feature of ``spectrum`` (e.g. the window's mean spectrum).

    For windows whose standard lines are not covered (cropped test data,
    unidentified lines): the "rest" wavelength is the centroid of the mean
    profile, so velocities are relative to the window average.

    Examples
    --------
    >>> x = np.linspace(1398.6, 1399.4, 30)
    >>> t = peak_template(x, np.exp(-0.5 * ((x - 1399.06) / 0.03) ** 2))
    >>> round(t.components[0].line.rest, 2)
    1399.06
    """
    x = np.asarray(wavelength, dtype=float)
    s = np.asarray(spectrum, dtype=float)
    good = np.isfinite(s)
    if not good.any():
        raise ValueError("the spectrum has no finite value: cannot place a peak template")
    i = int(np.nanargmax(np.where(good, s, -np.inf)))
    sel = good & (np.abs(x - x[i]) <= 0.1)
    w = np.clip(s[sel] - np.nanmin(s[good]), 0, None)
    rest = float(np.sum(w * x[sel]) / np.sum(w)) if np.sum(w) > 0 else float(x[i])
    line = Line(f"peak {rest:.2f}", element, ion, rest, log_t, "FUV1" if rest < 1370 else "FUV2" if rest < 2000 else "NUV")
    comp = Component("peak", line, profile=profile, centre_range=(-0.2, 0.2), width_range=(0.005, 0.3))
    return Template(name, (comp,), (rest - half_width, rest + half_width),
                    description=f"one {profile} at the window's brightest feature ({rest:.3f} A)")
