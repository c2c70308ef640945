"""Finding line templates: contributed by instrument plugins, or built from values or from the data.

:func:`get_template` returns a named template that an instrument plugin
contributes through the hook ``irisplug_line_templates`` (the IRIS ones come
from the iris plugin; :func:`template_names`, :func:`default_template_name`
for a window label), :func:`generic_template` builds one from initial
parameters in iris_lmsalpy ``fit_gen`` order, :func:`peak_template` one
component on the strongest feature of a spectrum. The template model itself
(components, ties, parameter layout) is :mod:`irisplug_fit.templates`.

Examples
--------
>>> get_template("si_iv_1403").param_names  # with the iris plugin installed
('bg0', 'si_iv_1403.amplitude', 'si_iv_1403.centre', 'si_iv_1403.width')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from irisplug_fit.lines import Line
from irisplug_fit.templates import PROFILE_NPARAMS, PROFILES, Component, Template, param_offsets

__all__ = [
    "get_template",
    "template_names",
    "template_descriptors",
    "default_template_name",
    "generic_template",
    "peak_template",
]


def _manager(manager: Any = None) -> Any:
    if manager is not None:
        return manager
    from irisplug.plugin_manager import get_plugin_manager

    return get_plugin_manager()


def template_descriptors(*, manager: Any = None) -> dict[str, Any]:
    """The line templates instrument plugins contribute (``irisplug_line_templates``), by name, in declaration order.

    Examples
    --------
    >>> "si_iv_1403" in template_descriptors()  # with the iris plugin installed
    True
    """
    return _manager(manager).contributions("line-template")


def template_names(*, manager: Any = None) -> list[str]:
    """Names of the contributed templates.

    Examples
    --------
    >>> "mg_ii_7comp" in template_names()  # with the iris plugin installed
    True
    """
    return sorted(template_descriptors(manager=manager))


def default_template_name(window: str | None, *, manager: Any = None) -> str | None:
    """The template declared first for the window label ``window`` (e.g. ``"Si IV 1403"``), or None.

    Examples
    --------
    >>> default_template_name("Si IV 1403")  # with the iris plugin installed
    'si_iv_1403'
    """
    if not window:
        return None
    return next((n for n, d in template_descriptors(manager=manager).items() if window in d.windows), None)


_BUILT: dict[Any, Template] = {}


def _contributed(name: str, manager: Any = None) -> Template:
    from irisplug.errors import PluginError, UnknownContributionError

    key = name.lower().replace(" ", "_").replace("-", "_")
    descs = template_descriptors(manager=manager)
    desc = descs.get(key)
    if desc is None:
        raise UnknownContributionError(
            f"unknown fit template {name!r}; known: {', '.join(sorted(descs)) or 'none (no instrument plugin contributes line templates)'}"
            "; or build one with generic_template() / template='peak'"
        )
    if desc not in _BUILT:
        built = desc.resolve("build")(key)
        if not isinstance(built, Template):
            raise PluginError(f"line template {key!r} built a {type(built).__name__}, not an irisplug_fit.Template",
                              plugin=desc.plugin)
        _BUILT[desc] = built
    return _BUILT[desc]


def _profile_switch(lorentz: bool, voigt: bool) -> str | None:
    """The profile asked for by the ``lorentz=`` / ``voigt=`` switches (None: keep the template's)."""
    if lorentz and voigt:
        raise ValueError("lorentz=True and voigt=True exclude each other: choose one profile")
    return "lorentzian" if lorentz else "voigt" if voigt else None


def get_template(name: str | Template, *, lorentz: bool = False, voigt: bool = False, manager: Any = None) -> Template:
    """A contributed template by name, optionally with every component switched to another profile.

    Templates come from instrument plugins (hook ``irisplug_line_templates``),
    built on first use and kept.

    Parameters
    ----------
    name
        Template name (see :func:`template_names`) or a :class:`Template`.
    lorentz
        Every component becomes a Lorentzian (width = HWHM).
    voigt
        Every component becomes a Voigt (width = Gaussian sigma, plus a
        ``gamma`` parameter). Exclusive with ``lorentz``.

    manager
        The plugin manager to look the name up in (default: the process-wide one).

    Returns
    -------
    Template

    Raises
    ------
    irisplug.UnknownContributionError
        No installed plugin contributes a template of that name.

    Examples
    --------
    >>> get_template("si_iv_1403", lorentz=True).components[0].profile
    'lorentzian'
    >>> get_template("si_iv_1403", voigt=True).param_names[-1]
    'si_iv_1403.gamma'
    """
    profile = _profile_switch(lorentz, voigt)
    t = name if isinstance(name, Template) else _contributed(name, manager)
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
    element: str | None = None,
    ion: str | None = None,
    log_t: float | None = None,
    bg_degree: int = 0,
    name: str = "generic",
    instrument_fwhm: float | None = None,
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
        The emitting ion and log10 of its formation temperature (K), for the
        thermal width; without them no non-thermal velocity is derived (a
        guessed ion would make it silently wrong).
    instrument_fwhm
        Instrumental FWHM (Angstrom) for non-thermal velocities; None: none
        derived unless the fit is given ``inst_fwhm=``.

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
        name = f"{element} {ion}" if element and ion else "line"
        line = Line(f"{name} {r:.2f}", element, ion, r, log_t, instrument_fwhm=instrument_fwhm)
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


def _half_maximum_width(x: np.ndarray, s: np.ndarray, good: np.ndarray, i: int) -> float:
    """Full width at half maximum (above the spectrum's minimum) of the feature at ``i``: the contiguous points
    above half its height, plus one pixel."""
    base = float(np.nanmin(s[good]))
    half = base + (float(s[i]) - base) / 2
    above = good & (s > half)
    lo = hi = i
    while lo > 0 and above[lo - 1]:
        lo -= 1
    while hi < len(s) - 1 and above[hi + 1]:
        hi += 1
    step = float(np.median(np.abs(np.diff(x)))) if len(x) > 1 else 0.0
    return abs(float(x[hi]) - float(x[lo])) + step


def peak_template(wavelength: np.ndarray, spectrum: np.ndarray, *, half_width: float | None = None,
                  profile: str = "gaussian", element: str | None = None, ion: str | None = None,
                  log_t: float | None = None,
                  name: str = "peak", instrument_fwhm: float | None = None) -> Template:
    """One component at the brightest feature of ``spectrum`` (e.g. the window's mean spectrum).

    For windows whose standard lines are not covered (cropped test data,
    unidentified lines, another instrument's spectra): the "rest" wavelength
    is the centroid of the mean profile, so velocities are relative to the
    window average. Its scales come from the feature itself, whatever the
    instrument's sampling: its full width at half maximum ``F`` (at least two
    pixels) sets the initial width (``F / 2.355``), the allowed widths (a
    fifth to ten times that), the allowed centre shift (``+-4 F``), the
    centroid's range (``+-F / 2``) and, unless ``half_width`` is given, the
    fitted range (``rest +- 5 F``, at least ten pixels each side for the
    background).

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
    step = float(np.median(np.abs(np.diff(x)))) if len(x) > 1 else 0.0
    fwhm = max(_half_maximum_width(x, s, good, i), 2 * step) or 1.0
    sel = good & (np.abs(x - x[i]) <= fwhm / 2)
    w = np.clip(s[sel] - np.nanmin(s[good]), 0, None)
    rest = float(np.sum(w * x[sel]) / np.sum(w)) if np.sum(w) > 0 else float(x[i])
    sigma = fwhm / (2 * np.sqrt(2 * np.log(2)))
    line = Line(f"peak {rest:.2f}", element, ion, rest, log_t, instrument_fwhm=instrument_fwhm)
    comp = Component("peak", line, profile=profile, width=sigma, centre_range=(-4 * fwhm, 4 * fwhm),
                     width_range=(sigma / 5, 10 * sigma))
    half = max(5 * fwhm, 10 * step) if half_width is None else float(half_width)
    return Template(name, (comp,), (rest - half, rest + half),
                    description=f"one {profile} at the window's brightest feature ({rest:.3f} A)")
