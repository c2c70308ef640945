"""The irisplug data model: spectrograph rasters, slit-jaw cubes and observations.

Instrument-neutral containers built on ndcube and sunraster. Readers fill
them; every plugin consumes them.

- :class:`RasterCube` (sunraster ``SpectrogramCube``): axes (raster step,
  position along slit, wavelength).
- :class:`RasterSequence` (sunraster ``RasterSequence``): the files of a window.
- :class:`SJICube` (NDCube): axes (frame, y, x).
- :class:`Observation`: label -> object, ``.windows`` table, ``.meta``.
- :class:`PerExposureWCS`: world coordinates with each exposure's pointing and time.
- :func:`extra_coord`: per-exposure ``time``, ``exposure_time``,
  ``raster_position``, ``repeat`` of any (sliced) cube.
- :func:`normalize_exposure`: DN -> DN/s, idempotent.

Examples
--------
>>> from irisplug.model import extra_coord, normalize_exposure
>>> obs = irisplug.read(raster_dir)  # doctest: +SKIP
>>> extra_coord(obs["Si IV 1403"][0][2:4], "time")  # doctest: +SKIP
"""

# Names are imported on first use (PEP 562): ``Observation`` and ``Deferred`` need
# nothing heavy, so a reader can hand over an observation without importing
# ndcube, sunraster or astropy's WCS.
_EXPORTS = {
    "RasterCube": "cubes",
    "SJICube": "cubes",
    "ImageCube": "cubes",
    "RasterSequence": "sequence",
    "Observation": "observation",
    "Deferred": "observation",
    "PerExposureWCS": "wcs",
    "join_exposures": "wcs",
    "extra_coord": "_exposures",
    "attach_exposure_coords": "_exposures",
    "EXPOSURE_COORDS": "_exposures",
    "normalize_exposure": "operations",
    "is_exposure_normalized": "operations",
    "drop_empty_exposures": "operations",
    "select_exposures": "operations",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'irisplug.model' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"irisplug.model.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
