"""Hook implementations of the irisplug-fit plugin: the ``lm`` and ``moments`` fitters and ``irisplug fit``.

Callables are ``"module:function"`` references, imported on first use.
"""

from __future__ import annotations

import irisplug

__all__ = ["irisplug_fitters", "irisplug_commands"]


@irisplug.hookimpl
def irisplug_fitters() -> list[irisplug.FitterDescriptor]:
    """The fitters of this plugin."""
    return [
        irisplug.FitterDescriptor(
            name="lm",
            fit="irisplug_fit.cube:fit_any",
            # fit_any passes its other keywords to fit_cube (or fit_sequence), which passes them to fit_spectra
            options=("irisplug_fit.cube:fit_cube", "irisplug_fit.engine:fit_spectra"),
            accepts="irisplug_fit.cube:accepts",
            priority=10,
            description="batched Levenberg-Marquardt line fitting with the line templates instrument plugins contribute",
        ),
        irisplug.FitterDescriptor(
            name="moments",
            fit="irisplug_fit.cube_moments:moments_cube",
            accepts="irisplug_fit.cube:accepts",
            priority=0,
            description="spectral moments (intensity, centroid, width) without fitting",
        ),
        irisplug.FitterDescriptor(
            name="mgii",
            fit="irisplug_fit.mgii:mgii_cube",
            accepts="irisplug_fit.cube:accepts",
            priority=-10,
            description="Mg II h & k features k2v, k2r, k3, h2v, h2r, h3 (Pereira et al. 2013)",
        ),
    ]


@irisplug.hookimpl
def irisplug_commands() -> list[irisplug.CommandDescriptor]:
    """``irisplug fit``."""
    return [irisplug.CommandDescriptor(name="fit", run="irisplug_fit.cli:run", add_arguments="irisplug_fit.cli:add_arguments",
                                       description="fit spectral lines of every spectrum of a window")]
