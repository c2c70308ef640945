"""Line-fitting templates: components, background, bounds, fixed values and ties.

A :class:`Template` describes the model fitted to every spectrum:
a polynomial background ``bg0 + bg1*(x-ref) + ...`` plus components
(Gaussian: amplitude, centre, sigma; Lorentzian: amplitude, centre, HWHM;
Voigt: amplitude, centre, sigma, gamma = Lorentzian HWHM).
Parameter vector order: background coefficients, then ``amplitude, centre,
width`` (and ``gamma`` for a Voigt) per component (the ``c, amp1, mu1,
sigma1, ...`` order of iris_lmsalpy's ``fit_gen``); component ``c`` starts at
``Template.param_offsets[c]``.

Finding templates (:func:`get_template` for those instrument plugins
contribute, :func:`generic_template`, :func:`peak_template`) lives in
:mod:`irisplug_fit.line_templates`; they are
also importable from here.

Examples
--------
>>> from irisplug_fit.line_templates import get_template
>>> t = get_template("si_iv_1403")
>>> t.param_names
('bg0', 'si_iv_1403.amplitude', 'si_iv_1403.centre', 'si_iv_1403.width')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from irisplug.lazy_exports import lazy_exports
from irisplug_fit.lines import Line

# the built-in templates, importable from here as before (they import this module)
_LINE_TEMPLATES = {name: "irisplug_fit.line_templates"
                   for name in ("get_template", "template_names", "template_descriptors", "default_template_name",
                                "generic_template", "peak_template")}

__all__ = ["Component", "Tie", "Template", "PROFILES", "PROFILE_NPARAMS", "param_offsets", *_LINE_TEMPLATES]
__getattr__, __dir__ = lazy_exports(__name__, _LINE_TEMPLATES)

#: profile name -> kernel code
PROFILES = {"gaussian": 0, "lorentzian": 1, "voigt": 2}
#: kernel code -> number of parameters of a component
PROFILE_NPARAMS = {0: 3, 1: 3, 2: 4}


def param_offsets(kinds: Sequence[int] | np.ndarray, nbg: int) -> np.ndarray:
    """Index of each component's first parameter (amplitude) in the parameter vector.

    Parameters
    ----------
    kinds
        Kernel profile code per component (0 Gaussian, 1 Lorentzian, 2 Voigt).
    nbg
        Number of background coefficients (they come first).

    Returns
    -------
    numpy.ndarray
        ``int64`` offsets, one per component.

    Examples
    --------
    >>> param_offsets([2, 0, 1], 1).tolist()
    [1, 5, 8]
    """
    sizes = [PROFILE_NPARAMS[int(k)] for k in kinds]
    return (nbg + np.concatenate([[0], np.cumsum(sizes)[:-1]])).astype(np.int64)[: len(sizes)]


@dataclass(frozen=True)
class Component:
    """One line component.

    Parameters
    ----------
    name
        Unique name in the template (``"k2v"``, ``"si_iv_1403"``).
    line
        The :class:`~irisplug_fit.lines.Line` it belongs to (rest wavelength
        for Doppler velocities, ion for thermal widths).
    profile
        ``"gaussian"`` (width = sigma), ``"lorentzian"`` (width = HWHM) or
        ``"voigt"`` (width = Gaussian sigma, plus a ``gamma`` parameter, the
        Lorentzian HWHM; it starts at half the initial sigma, bounds
        ``[0, 10 * width_range[1]]``).
    offset
        Initial centre minus rest wavelength, Angstrom.
    width
        Initial width, Angstrom.
    amp_fraction
        Initial amplitude as a fraction of the peak above background
        (negative for absorption components such as k3).
    centre_range
        Allowed centre minus rest wavelength, Angstrom.
    width_range
        Allowed width, Angstrom.
    amp_range
        Allowed amplitude as multiples of the spectrum's peak above
        background (scaled per spectrum).
    """

    name: str
    line: Line
    profile: str = "gaussian"
    offset: float = 0.0
    width: float = 0.03
    amp_fraction: float = 1.0
    centre_range: tuple[float, float] = (-0.3, 0.3)
    width_range: tuple[float, float] = (0.005, 0.5)
    amp_range: tuple[float, float] = (0.0, 3.0)

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"component {self.name!r}: profile must be one of {sorted(PROFILES)}, got {self.profile!r}")


@dataclass(frozen=True)
class Tie:
    """``param = scale * leader + offset`` (equal widths: scale 1; fixed separation: offset).

    Examples
    --------
    >>> Tie("b.width", "a.width")
    Tie(param='b.width', leader='a.width', scale=1.0, offset=0.0)
    """

    param: str
    leader: str
    scale: float = 1.0
    offset: float = 0.0


@dataclass(frozen=True)
class Template:
    """A fitting model.

    Parameters
    ----------
    name
        Template name (``irisplug.fit(..., template=name)``).
    components
        The line components.
    wl_range
        Wavelength range fitted (Angstrom); points outside are ignored.
    bg_degree
        Degree of the polynomial background (0 = constant).
    ref
        Reference wavelength of the background polynomial (default: the
        middle of ``wl_range``).
    fixed
        ``{param_name: value}`` held fixed (value ``None`` keeps the initial value).
    ties
        :class:`Tie` constraints.
    windows
        IRIS window labels this template suits (for the CLI and dispatch).
    init
        Explicit initial values (full parameter vector) instead of moment guesses.
    bounds
        Explicit ``(lower, upper)`` full vectors instead of the component ranges.
    """

    name: str
    components: tuple[Component, ...]
    wl_range: tuple[float, float]
    bg_degree: int = 0
    ref: float | None = None
    fixed: dict[str, float | None] = field(default_factory=dict)
    ties: tuple[Tie, ...] = ()
    windows: tuple[str, ...] = ()
    init: tuple[float, ...] | None = None
    bounds: tuple[tuple[float, ...], tuple[float, ...]] | None = None
    description: str = ""

    def __post_init__(self) -> None:
        names = [c.name for c in self.components]
        if len(set(names)) != len(names):
            raise ValueError(f"template {self.name!r}: component names repeat: {names}")
        known = set(self.param_names)
        for t in self.ties:
            for p in (t.param, t.leader):
                if p not in known:
                    raise ValueError(f"template {self.name!r}: tie names unknown parameter {p!r}; known: {sorted(known)}")
        for p in self.fixed:
            if p not in known:
                raise ValueError(f"template {self.name!r}: fixed names unknown parameter {p!r}")

    @property
    def n_bg(self) -> int:
        """Number of background coefficients."""
        return self.bg_degree + 1

    @property
    def n_params(self) -> int:
        """Length of the parameter vector."""
        return len(self.param_names)

    @property
    def reference(self) -> float:
        """Reference wavelength of the background polynomial."""
        return float(self.ref if self.ref is not None else 0.5 * (self.wl_range[0] + self.wl_range[1]))

    @property
    def param_names(self) -> tuple[str, ...]:
        """Names of the parameter vector entries."""
        out = [f"bg{i}" for i in range(self.n_bg)]
        for c in self.components:
            out += [f"{c.name}.amplitude", f"{c.name}.centre", f"{c.name}.width"]
            if c.profile == "voigt":
                out.append(f"{c.name}.gamma")
        return tuple(out)

    @property
    def profile_codes(self) -> np.ndarray:
        """Kernel profile code per component."""
        return np.array([PROFILES[c.profile] for c in self.components], dtype=np.int64)

    @property
    def param_offsets(self) -> np.ndarray:
        """Index of each component's amplitude in the parameter vector (``int64``)."""
        return param_offsets(self.profile_codes, self.n_bg)

    def index(self, name: str) -> int:
        """Position of a parameter in the vector."""
        return self.param_names.index(name)

    def with_profile(self, profile: str) -> Template:
        """The same template with every component using ``profile``.

        Examples
        --------
        >>> from irisplug_fit.line_templates import get_template
        >>> get_template("si_iv_1403").with_profile("lorentzian").components[0].profile
        'lorentzian'
        """
        return replace(self, components=tuple(replace(c, profile=profile) for c in self.components),
                       name=f"{self.name}" if profile == "gaussian" else f"{self.name}_{profile}")
