"""Hook implementations of the irisplug-view plugin: viewers and CLI commands."""

from __future__ import annotations

from typing import Any

import irisplug

__all__: list[str] = []


def _accepts(name: str) -> Any:
    def accepts(obj: Any) -> Any:
        from irisplug_view import accepts as rules

        return getattr(rules, name)(obj)

    return accepts


def _view_raster(obj: Any, **kw: Any) -> Any:
    from irisplug_view.quicklook import quicklook

    return quicklook(obj, **kw)


def _view_sji(obj: Any, **kw: Any) -> Any:
    from irisplug_view.sji_viewer import sji_viewer

    return sji_viewer(obj, **kw)


def _view_maps(obj: Any, **kw: Any) -> Any:
    from irisplug_view.figures import parameter_maps

    return parameter_maps(obj, **kw)


def _view_poi(obj: Any, **kw: Any) -> Any:
    from irisplug_view.figures import show_poi

    return show_poi(obj, **kw)


def _view_movie(obj: Any, **kw: Any) -> Any:
    from irisplug_view.movies import movie

    return movie(obj, **kw)


def _view_fast(obj: Any, **kw: Any) -> Any:
    from irisplug_view.fastmovie import SJIPlayer

    return SJIPlayer(obj, **kw)


@irisplug.hookimpl
def irisplug_viewers() -> list[irisplug.ViewerDescriptor]:
    return [
        irisplug.ViewerDescriptor(
            name="raster-quicklook", view=_view_raster, priority=10,
            accepts=_accepts("raster_quicklook"),
            description="Three linked panels (map, slit spectra, spectrum) with iris_lmsalpy key bindings",
        ),
        irisplug.ViewerDescriptor(
            name="sji-viewer", view=_view_sji, priority=10,
            accepts=_accepts("sji_viewer"),
            description="Slit-jaw frames with time slider, animation, slit overlay, histo_opt contrast",
        ),
        irisplug.ViewerDescriptor(
            name="parameter-maps", view=_view_maps, priority=10, accepts=_accepts("parameter_maps"),
            description="Fitted parameter maps (Doppler velocity centred on zero) of 2-D NDCubes / NDCollections",
        ),
        irisplug.ViewerDescriptor(
            name="show-poi", view=_view_poi, priority=10, accepts=_accepts("show_poi"),
            description="Figures of saved points of interest (show_poi panel options)",
        ),
        irisplug.ViewerDescriptor(
            name="movie", view=_view_movie, priority=0,
            accepts=_accepts("movie"),
            description="MP4/GIF animations: SJI movie, spectrum at a pixel over time, raster-position movie (name it)",
        ),
        irisplug.ViewerDescriptor(
            name="sji-fast", view=_view_fast, priority=0, accepts=_accepts("sji_fast"),
            description="Fast blitted SJI movie player (precomputed uint8 LUT frames; name it)",
        ),
    ]


@irisplug.hookimpl
def irisplug_commands() -> list[irisplug.CommandDescriptor]:
    from irisplug_view import cli

    return [
        irisplug.CommandDescriptor(name="quicklook", run=cli.run_quicklook, add_arguments=cli.add_quicklook_arguments,
                                   description="Save a quick-look PNG of an IRIS observation (raster or SJI)"),
        irisplug.CommandDescriptor(name="movie", run=cli.run_movie, add_arguments=cli.add_movie_arguments,
                                   description="Write an MP4/GIF movie of an observation (SJI, spectrum, raster position)"),
    ]
