"""Hook implementations of the irisplug-fit plugin: the ``lm`` and ``moments`` fitters and ``irisplug fit``."""

from __future__ import annotations

from typing import Any

import irisplug

__all__ = ["irisplug_fitters", "irisplug_commands"]


def _accepts(obj: Any) -> bool:
    from irisplug_fit.cube import is_spectral

    if hasattr(obj, "keys") and hasattr(obj, "windows") and not hasattr(obj, "wcs"):
        return True  # an observation: the window is chosen by window=
    return is_spectral(obj)


def _fit_lm(obj: Any, template: Any = None, **kwargs: Any) -> Any:
    """Levenberg-Marquardt fit of every spectrum: NDCollection of maps (list for a sequence)."""
    from irisplug_fit.cube import fit_any

    return fit_any(obj, template, **kwargs)


def _fit_moments(obj: Any, *, wl_range: tuple[float, float] | None = None, **kwargs: Any) -> Any:
    """Moments (intensity, centroid, width) without fitting, as an NDCollection."""
    from irisplug_fit.cube_moments import moments_cube

    return moments_cube(obj, wl_range=wl_range, **kwargs)


@irisplug.hookimpl
def irisplug_fitters() -> list[irisplug.FitterDescriptor]:
    """The fitters of this plugin."""
    return [
        irisplug.FitterDescriptor(
            name="lm",
            fit=_fit_lm,
            accepts=_accepts,
            priority=10,
            description="batched Levenberg-Marquardt line fitting (templates: Si IV, C II, O I, Fe XII, Mg II, generic)",
        ),
        irisplug.FitterDescriptor(
            name="moments",
            fit=_fit_moments,
            accepts=_accepts,
            priority=0,
            description="spectral moments (intensity, centroid, width) without fitting",
        ),
        irisplug.FitterDescriptor(name="mgii", fit=lambda obj, **kw: __import__("irisplug_fit.mgii", fromlist=["mgii_cube"]).mgii_cube(obj, **kw), accepts=_accepts, priority=-10, description="Mg II h & k features k2v, k2r, k3, h2v, h2r, h3 (Pereira et al. 2013)"),
    ]


@irisplug.hookimpl
def irisplug_commands() -> list[irisplug.CommandDescriptor]:
    """``irisplug fit``."""
    from irisplug_fit import cli

    return [irisplug.CommandDescriptor(name="fit", run=cli.run, add_arguments=cli.add_arguments,
                                       description="fit spectral lines of every spectrum of a window")]
