"""Fit one spectrum and plot it (iris_lmsalpy ``fit_siiv`` / ``fit_mgii`` / ``fit_gen`` style)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from irisplug_fit.engine import FitResult, fit_spectra

__all__ = ["SpectrumFit", "fit_spectrum"]


@dataclass
class SpectrumFit:
    """Result of :func:`fit_spectrum`.

    Attributes
    ----------
    profile
        The fitted profile on the fitted wavelengths.
    components
        ``{name: profile}`` of each component (without background).
    values, errors
        ``{parameter: value}`` and ``{parameter: 1-sigma}``.
    status
        :class:`~irisplug_fit.status.Status` code.
    result
        The underlying :class:`~irisplug_fit.engine.FitResult`.
    figure
        The matplotlib figure (``None`` when ``plot=False``).
    """

    profile: np.ndarray
    components: dict[str, np.ndarray]
    values: dict[str, float]
    errors: dict[str, float]
    status: int
    result: FitResult
    figure: Any = None


def fit_spectrum(spectrum: Any, wavelength: Any, template: Any = None, *, plot: bool = True,
                 ax: Any = None, **kwargs: Any) -> SpectrumFit:
    """Fit one spectrum; by default also plot data, fit, components and residuals.

    Parameters
    ----------
    spectrum, wavelength
        1-D arrays (wavelength in Angstrom) or a 1-D NDCube / Quantity.
    template
        Template name or object (e.g. the IRIS plugin's ``"si_iv_1403_2comp"``,
        :func:`~irisplug_fit.line_templates.generic_template` for fit_gen style).
        Default: the template the instrument declares for a labelled 1-D cube's
        window, else one line at the brightest feature (``"peak"``).
    plot
        Draw the figure (returned in ``.figure``).
    ax
        Axes to draw on (default: a new figure with a residual panel).
    **kwargs
        Passed to :func:`~irisplug_fit.engine.fit_spectra` (``lorentz=True``, ``voigt=True``,
        ``fixed=``, ``ties=``, ``uncertainty=``...).

    Examples
    --------
    >>> x = np.linspace(1401.8, 1403.8, 100)
    >>> y = 5 + 80 * np.exp(-0.5 * ((x - 1402.8) / 0.03) ** 2)
    >>> fit = fit_spectrum(y, x, plot=False)  # no template: one line at the brightest feature
    >>> round(fit.values["peak.centre"], 2)
    1402.8
    """
    if template is None:  # the template the instrument declares for a labelled window, else "peak"
        from irisplug.model import window_label
        from irisplug_fit.line_templates import default_template_name

        template = default_template_name(window_label(spectrum))
    y = np.asarray(getattr(spectrum, "data", spectrum), dtype=float).ravel()
    x = np.asarray(getattr(wavelength, "value", wavelength), dtype=float).ravel()
    res = fit_spectra(y, x, template, progress=False, **kwargs)
    names = res.param_names
    values = {n: float(v) for n, v in zip(names, res.params, strict=True)}
    errors = {n: float(v) for n, v in zip(names, res.errors, strict=True)}
    prof = res.model()
    comps = {c.name: res.model(component=c.name) for c in res.template.components}
    fig = _plot(x, y, res, prof, comps, ax) if plot else None
    return SpectrumFit(prof, comps, values, errors, int(res.status), res, fig)


def _plot(x: np.ndarray, y: np.ndarray, res: FitResult, prof: np.ndarray, comps: dict[str, np.ndarray], ax: Any) -> Any:
    import matplotlib.pyplot as plt

    from irisplug_fit.status import Status

    xs = res.wavelength
    if ax is None:
        fig, (ax, axr) = plt.subplots(2, 1, sharex=True, figsize=(7, 5), gridspec_kw={"height_ratios": [3, 1]})
    else:
        fig, axr = ax.figure, None
    ax.plot(x, y, "k.", ms=3, label="data")
    ax.plot(xs, prof, "r-", lw=1.5, label=f"fit ({Status(int(res.status)).name.lower()})")
    bg = prof - sum(comps.values()) if comps else prof
    if len(comps) > 1:
        for name, c in comps.items():
            ax.plot(xs, c + bg, "--", lw=1, label=name)
    for c in res.template.components:
        ax.axvline(c.line.rest, color="0.7", lw=0.8, zorder=0)
    ax.set_ylabel("Intensity")
    ax.legend(fontsize=8)
    ax.set_title(f"{res.template.name}: reduced chi2 = {float(res.redchi2):.2f}")
    if axr is not None:
        sel = (x >= xs[0]) & (x <= xs[-1])
        order = np.argsort(x[sel])
        axr.plot(x[sel][order], (y[sel][order] - np.interp(x[sel][order], xs, prof)), "k.", ms=3)
        axr.axhline(0, color="r", lw=0.8)
        axr.set_xlabel("Wavelength [Angstrom]")
        axr.set_ylabel("Residual")
    else:
        ax.set_xlabel("Wavelength [Angstrom]")
    fig.tight_layout()
    return fig
