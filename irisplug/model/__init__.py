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
- :func:`normalize_exposure`: DN -> DN/s, idempotent (uncertainties scaled too).
- :func:`replace_arrays`: a cube like another with new data, mask, unit or
  uncertainty, keeping its per-exposure coordinates (for plugins).
- :func:`unwrap_wcs` / :func:`rewrap_wcs`: the WCS under a sliced cube and
  its slicing, and back (to replace, e.g., the pointing of a sliced cube).
- The model contract (see docs/model.md): :class:`Kind` and :func:`kind_of`
  (what an object is, from its world coordinates, or why it is none),
  :func:`accepting` (a descriptor's ``accepts`` from kinds, returning a
  :class:`Verdict` with the reason); data-quality metadata the reader sets
  (``missing_value``, ``valid_min``, ``saturation_level``,
  ``instrumental_fwhm``, ``rest_wavelength``, ``passband``), the display
  hint ``colormap`` and the window's label ``window``: :func:`with_levels`,
  :func:`invalid_mask`, :func:`instrumental_fwhm`, :func:`rest_wavelength`,
  :func:`passband`, :func:`colormap`, :func:`window_label`; what the
  observation is (``observation_id``, ``description``, ``summary_keys``):
  :func:`with_description`, :func:`observation_id`,
  :func:`observation_description`, :func:`summary_items`; whether a
  cube's spectra share one wavelength grid: :func:`wavelength_axes`,
  :func:`varying_wavelength_axes`.

Examples
--------
>>> from irisplug.model import extra_coord, normalize_exposure
>>> obs = irisplug.read(raster_dir)  # doctest: +SKIP
>>> extra_coord(obs[line][0][2:4], "time")  # doctest: +SKIP
"""

from irisplug.lazy_exports import lazy_exports

# Names are imported on first use (PEP 562): ``Observation`` and ``Deferred`` need
# nothing heavy, so a reader can hand over an observation without importing
# ndcube, sunraster or astropy's WCS.
_EXPORTS = {
    "RasterCube": "irisplug.model.cubes",
    "SJICube": "irisplug.model.cubes",
    "ImageCube": "irisplug.model.cubes",
    "RasterSequence": "irisplug.model.sequence",
    "Observation": "irisplug.model.observation",
    "unknown_window_message": "irisplug.model.observation",
    "wavelength_index": "irisplug.model.maps",
    "Deferred": "irisplug.model.observation",
    "PerExposureWCS": "irisplug.model.wcs",
    "join_exposures": "irisplug.model.wcs",
    "extra_coord": "irisplug.model._exposures",
    "attach_exposure_coords": "irisplug.model._exposures",
    "EXPOSURE_COORDS": "irisplug.model._exposures",
    "normalize_exposure": "irisplug.model.operations",
    "is_exposure_normalized": "irisplug.model.operations",
    "drop_empty_exposures": "irisplug.model.operations",
    "select_exposures": "irisplug.model.operations",
    "replace_arrays": "irisplug.model.operations",
    "unwrap_wcs": "irisplug.model.operations",
    "rewrap_wcs": "irisplug.model.operations",
    "Kind": "irisplug.model.kinds",
    "Classified": "irisplug.model.kinds",
    "Verdict": "irisplug.model.kinds",
    "kind_of": "irisplug.model.kinds",
    "is_sunpy_map": "irisplug.model.kinds",
    "accepting": "irisplug.model.kinds",
    "SpectralCube": "irisplug.model.kinds",
    "LEVEL_KEYS": "irisplug.model.levels",
    "with_levels": "irisplug.model.levels",
    "data_level": "irisplug.model.levels",
    "invalid_mask": "irisplug.model.levels",
    "instrumental_fwhm": "irisplug.model.levels",
    "rest_wavelength": "irisplug.model.levels",
    "passband": "irisplug.model.levels",
    "colormap": "irisplug.model.levels",
    "COLORMAP": "irisplug.model.levels",
    "window_label": "irisplug.model.levels",
    "WINDOW": "irisplug.model.levels",
    "to_xarray": "irisplug.model.xarray_conversion",
    "FrameCube": "irisplug.model.frame_cube",
    "utc_datetime64": "irisplug.model.leap_seconds",
    "rebin_frame_coords": "irisplug.model.frame_cube",
    "with_description": "irisplug.model.description",
    "observation_id": "irisplug.model.description",
    "observation_description": "irisplug.model.description",
    "summary_items": "irisplug.model.description",
    "fits_keyword_items": "irisplug.model.description",
    "OBSERVATION_ID": "irisplug.model.description",
    "SUMMARY_KEYS": "irisplug.model.description",
    "summary_text": "irisplug.model.description",
    "wavelength_axes": "irisplug.model.wavelength_grid",
    "varying_wavelength_axes": "irisplug.model.wavelength_grid",
    "axis_name": "irisplug.model.wavelength_grid",
}

__all__ = list(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
