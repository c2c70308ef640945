"""irisplug plugin: quick-look viewers, slit-jaw viewer, animations and publication figures.

The public functions are importable from here (loaded on first use, so
``import irisplug_view`` stays cheap and does not import matplotlib).

Examples
--------
>>> import irisplug_view
>>> ql = irisplug_view.quicklook(obs, window="Si IV 1403")  # doctest: +SKIP
>>> irisplug_view.send_key(ql.fig, "x")  # doctest: +SKIP
"""

from __future__ import annotations

from irisplug.lazy_exports import lazy_exports

_LAZY = {
    "quicklook": "irisplug_view.quicklook",
    "RasterQuickLook": "irisplug_view.quicklook",
    "spectral_cube_view": "irisplug_view.spectral_cube",
    "SpectralCubeView": "irisplug_view.spectral_cube",
    "QuickLookState": "irisplug_view.state",
    "sji_viewer": "irisplug_view.sji_viewer",
    "SJIViewer": "irisplug_view.sji_viewer",
    "SJIPlayer": "irisplug_view.fastmovie",
    "spectroheliogram": "irisplug_view.figures",
    "sji_with_contour": "irisplug_view.figures",
    "parameter_maps": "irisplug_view.figures",
    "spectrum_timeseries": "irisplug_view.figures",
    "show_poi": "irisplug_view.figures",
    "sji_movie": "irisplug_view.movies",
    "spectrum_movie": "irisplug_view.movies",
    "raster_position_movie": "irisplug_view.movies",
    "MovieWriterUnavailableError": "irisplug_view.movies",
    "histo_opt": "irisplug_view.scaling",
    "display_cmap": "irisplug_view.colormaps",
    "iris_cmap": "irisplug_view.colormaps",
    "PointOfInterest": "irisplug_view.poi",
    "get_pois": "irisplug_view.poi",
    "set_pois": "irisplug_view.poi",
    "save_pois": "irisplug_view.poi",
    "load_pois": "irisplug_view.poi",
    "send_key": "irisplug_view._figure_kit",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
