"""irisplug-io: irisplug's own FITS and ASDF files for any cube, sequence, observation or collection.

Contributes the writers ``fits`` and ``asdf`` and the readers ``irisplug-fits``
and ``irisplug-asdf`` of their files (through ``irisplug.write`` and
``irisplug.read``), and an asdf extension (tag and converter of
``irisplug.model.PerExposureWCS``) registered through asdf's entry points.

Examples
--------
>>> import numpy as np, irisplug
>>> from astropy.wcs import WCS
>>> from ndcube import NDCube
>>> path = irisplug.write(NDCube(np.zeros((2, 3)), wcs=WCS(naxis=2)), "cube.fits")
>>> irisplug.read("cube.fits").data.shape
(2, 3)
"""

from irisplug.lazy_exports import lazy_exports

_EXPORTS = {
    "write_fits": "irisplug_io.fits_format",
    "read_irisplug_fits": "irisplug_io.fits_format",
    "identify_irisplug_fits": "irisplug_io.fits_format",
    "accepts_fits": "irisplug_io.fits_format",
    "write_asdf": "irisplug_io.asdf_format",
    "read_irisplug_asdf": "irisplug_io.asdf_format",
    "identify_irisplug_asdf": "irisplug_io.asdf_format",
    "accepts": "irisplug_io.asdf_format",
    "CubeRecord": "irisplug_io.records",
    "flatten": "irisplug_io.records",
    "rebuild": "irisplug_io.records",
    "encode_value": "irisplug_io.records",
    "decode_value": "irisplug_io.records",
    "uncertainty_from_spec": "irisplug_io.records",
    "check_format_version": "irisplug_io.records",
    "is_gwcs": "irisplug_io.records",
    "wcs_spec": "irisplug_io.records",
    "wcs_from_spec": "irisplug_io.records",
    "FORMAT_VERSION": "irisplug_io.records",
    "ASDF_FORMAT_VERSION": "irisplug_io.records",
    "UNCERTAINTY_CLASSES": "irisplug_io.records",
    "PerExposureWCSConverter": "irisplug_io.asdf_extension",
    "MetadataConversionWarning": "irisplug_io.values",
    "extra_coords_spec": "irisplug_io.extra_coords",
    "apply_extra_coords": "irisplug_io.extra_coords",
    "fits_cards": "irisplug_io.records",
    "writable_cubes": "irisplug_io.records",
}

__all__ = list(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
