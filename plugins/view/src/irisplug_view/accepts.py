"""What each viewer of this plugin accepts, decided by the core's model contract (:func:`irisplug.model.kind_of`).

Every function returns an :class:`irisplug.model.Verdict`: true, or false
with the reason ``irisplug.view`` reports when no viewer takes an object.

Examples
--------
>>> v = raster_quicklook(42)
>>> bool(v)
False
"""

from __future__ import annotations

from typing import Any

from irisplug.model import Kind, Verdict, accepting

__all__ = ["raster_quicklook", "sji_viewer", "parameter_maps", "show_poi", "movie", "sji_fast", "spectral_cube"]

_RASTER = accepting(Kind.SPECTRAL_CUBE, Kind.RASTER_SEQUENCE, Kind.OBSERVATION, what="the raster quick-look",
                    containing=(Kind.SPECTRAL_CUBE, Kind.RASTER_SEQUENCE))
_IMAGES = accepting(Kind.IMAGE_CUBE, Kind.OBSERVATION, what="the slit-jaw viewer", containing=(Kind.IMAGE_CUBE,))
_MAPS = accepting(Kind.IMAGE, Kind.FIT_RESULTS, what="the parameter-map viewer")
_MOVIE = accepting(Kind.SPECTRAL_CUBE, Kind.RASTER_SEQUENCE, Kind.IMAGE_CUBE, Kind.OBSERVATION, what="the movie viewer")
_FAST = accepting(Kind.IMAGE_CUBE, what="the fast slit-jaw player")


def _on_the_sky(obj: Any) -> Verdict:
    """The spectral cubes of ``obj`` have helioprojective longitude and latitude (the quick-look draws maps) and one
    wavelength grid (it draws one wavelength axis)."""
    from irisplug_view.inputs import wavelength_varies
    from irisplug_view.spectral_cube import iter_spectral_cubes

    # the first spectral cube stands for its reader's others (only it is built: an observation's windows are
    # built on first access)
    for label, cube in iter_spectral_cubes(obj):
        types = [str(t) for t in cube.wcs.world_axis_physical_types]
        if not all(any("helioprojective" in t and t.endswith(w) for t in types) for w in ("lon", "lat")):
            return Verdict(False, f"{label!r} has no helioprojective axes ({', '.join(types)}): the "
                                  "spectral-cube viewer shows it on its own axes")
        if wavelength_varies(cube):
            return Verdict(False, f"{label!r}: its wavelengths differ between its spectra; the spectral-cube "
                                  "viewer draws each against its own")
        break
    return Verdict(True, "spectral cubes on the sky")


def raster_quicklook(obj: Any) -> Verdict:
    """Spectral cubes, raster sequences, and observations holding one, with helioprojective axes."""
    v = _RASTER(obj)
    return _on_the_sky(obj) if v else v


def spectral_cube(obj: Any) -> Verdict:
    """Spectral cubes, raster sequences, and observations or collections holding one, on any spatial axes."""
    from irisplug_view.spectral_cube import iter_spectral_cubes

    v = _RASTER(obj)
    if v and next(iter_spectral_cubes(obj), None) is None:
        return Verdict(False, f"{type(obj).__name__} holds no spectral cube (exposure, spatial, wavelength)")
    return v


def sji_viewer(obj: Any) -> Verdict:
    """Image cubes (time, y, x), and observations holding one but no spectral window (those go to the quick-look)."""
    v = _IMAGES(obj)
    if v and bool(_RASTER(obj)):
        return Verdict(False, "an observation with spectral windows: the raster quick-look shows it (name "
                              "viewer='sji-viewer' to see its image cubes)")
    return v


def parameter_maps(obj: Any) -> Verdict:
    """2-D images and collections of them (fit results)."""
    return _MAPS(obj)


def show_poi(obj: Any) -> Verdict:
    """Points of interest saved by the viewers (this plugin's own objects)."""
    from irisplug_view.inputs import _is_poi

    return Verdict(True, "points of interest") if _is_poi(obj) else Verdict(False, f"{type(obj).__name__} is not a "
                                                                                    "PointOfInterest (or a list of them)")


def movie(obj: Any) -> Verdict:
    """Spectral cubes, raster sequences, image cubes and observations."""
    return _MOVIE(obj)


def sji_fast(obj: Any) -> Verdict:
    """Image cubes (time, y, x)."""
    return _FAST(obj)
