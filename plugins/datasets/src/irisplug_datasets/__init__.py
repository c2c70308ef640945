"""irisplug plugin: ML-ready datasets of spectra from many observations.

- :func:`build_dataset`: observations -> one chunked zarr store (spectra x
  wavelength, per-spectrum coordinates, a per-observation report), exposure
  normalised and resampled onto a common grid; resumable, in-process or on a
  dask.distributed cluster with identical results.
- :class:`Selection`: what to extract (window or line, grid, pointing box,
  time range, raster positions, quality rules, optional Mg II features).
- :func:`iter_batches`: shuffled, memory-bounded numpy batches for training code.
- :func:`open_dataset`, :func:`read_report`: the store as an xarray Dataset, and its report.
"""

from irisplug.lazy_exports import lazy_exports

_EXPORTS = {
    "build_dataset": "irisplug_datasets.build",
    "DatasetReport": "irisplug_datasets.build",
    "Selection": "irisplug_datasets.selection",
    "iter_batches": "irisplug_datasets.loader",
    "open_dataset": "irisplug_datasets.store",
    "read_report": "irisplug_datasets.store",
}

__all__ = list(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
