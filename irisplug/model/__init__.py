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

from irisplug.model._exposures import EXPOSURE_COORDS, attach_exposure_coords, extra_coord
from irisplug.model.cubes import ImageCube, RasterCube, SJICube
from irisplug.model.observation import Observation
from irisplug.model.operations import drop_empty_exposures, is_exposure_normalized, normalize_exposure, select_exposures
from irisplug.model.sequence import RasterSequence
from irisplug.model.wcs import PerExposureWCS, join_exposures

__all__ = [
    "RasterCube",
    "RasterSequence",
    "SJICube",
    "ImageCube",
    "Observation",
    "PerExposureWCS",
    "join_exposures",
    "extra_coord",
    "attach_exposure_coords",
    "EXPOSURE_COORDS",
    "normalize_exposure",
    "is_exposure_normalized",
    "drop_empty_exposures",
    "select_exposures",
]
