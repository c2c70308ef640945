"""Hook implementations of the irisplug-view plugin: viewers and CLI commands.

Callables are ``"module:function"`` references, imported on first use.
"""

from __future__ import annotations

import irisplug

__all__: list[str] = []


@irisplug.hookimpl
def irisplug_viewers() -> list[irisplug.ViewerDescriptor]:
    viewer = irisplug.ViewerDescriptor
    return [
        viewer(name="raster-quicklook", view="irisplug_view.quicklook:quicklook", priority=10,
               accepts="irisplug_view.accepts:raster_quicklook",
               description="Three linked panels (map, slit spectra, spectrum) with iris_lmsalpy key bindings"),
        viewer(name="spectral-cube", view="irisplug_view.spectral_cube:spectral_cube_view", priority=5,
               accepts="irisplug_view.accepts:spectral_cube",
               description="A spectral cube on its own axes (no solar coordinates needed, e.g. IUVS): mean over "
                           "wavelength, one exposure's spectra against each pixel's own wavelengths"),
        viewer(name="sji-viewer", view="irisplug_view.sji_viewer:sji_viewer", priority=10,
               accepts="irisplug_view.accepts:sji_viewer",
               description="Slit-jaw frames with time slider, animation, slit overlay, histo_opt contrast"),
        viewer(name="parameter-maps", view="irisplug_view.figures:parameter_maps", priority=10,
               accepts="irisplug_view.accepts:parameter_maps",
               description="Fitted parameter maps (Doppler velocity centred on zero) of 2-D NDCubes / NDCollections"),
        viewer(name="show-poi", view="irisplug_view.figures:show_poi", priority=10,
               accepts="irisplug_view.accepts:show_poi",
               description="Figures of saved points of interest (show_poi panel options)"),
        viewer(name="movie", view="irisplug_view.movies:movie", priority=0,
               accepts="irisplug_view.accepts:movie",
               # movie passes its other keywords to the maker of the chosen kind
               options=("irisplug_view.movies:sji_movie", "irisplug_view.movies:spectrum_movie",
                        "irisplug_view.movies:raster_position_movie"),
               description="MP4/GIF animations: SJI movie, spectrum at a pixel over time, raster-position movie (name it)"),
        viewer(name="sji-fast", view="irisplug_view.fastmovie:SJIPlayer", priority=0,
               accepts="irisplug_view.accepts:sji_fast",
               description="Fast blitted SJI movie player (precomputed uint8 LUT frames; name it)"),
    ]


@irisplug.hookimpl
def irisplug_commands() -> list[irisplug.CommandDescriptor]:
    command = irisplug.CommandDescriptor
    return [
        command(name="quicklook", run="irisplug_view.cli:run_quicklook", add_arguments="irisplug_view.cli:add_quicklook_arguments",
                description="Save a quick-look PNG of an observation (IRIS raster or SJI; a spectral cube off the Sun, e.g. IUVS, on its own axes)"),
        command(name="movie", run="irisplug_view.cli:run_movie", add_arguments="irisplug_view.cli:add_movie_arguments",
                description="Write an MP4/GIF movie of an observation (SJI, spectrum, raster position)"),
    ]
