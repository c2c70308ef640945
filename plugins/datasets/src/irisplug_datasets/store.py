"""The zarr store of a dataset: per-observation parts committed atomically, then one set of arrays.

Layout (zarr v3, a local directory)::

    store.zarr/
      zarr.json                   attrs: format, selection, sources, complete, report
      spectra        (spectrum, wavelength) float32, chunked by rows
      wavelength     (wavelength,) float64, Angstrom
      time           (spectrum,) int64, ns since 1970-01-01 UTC (exposure midpoint)
      hpc_x, hpc_y   (spectrum,) float64, arcsec
      exposure_time  (spectrum,) float32, s
      raster_position, repeat, raster, exposure, slit, observation  (spectrum,) int32
      <feature>      (spectrum,) float32 / uint8 (optional columns)
      obs_offset, obs_count  (observation,) int64: each observation's rows
      parts/NNNNNN/   while building: one group per finished observation
      .incomplete/    while building: parts being written (discarded on restart)

A part is written under ``.incomplete/`` and renamed into ``parts/`` when
complete (a directory rename is atomic on a local file system), so a killed
build never leaves half an observation in ``parts/``. When every part is
there they are copied, in input order, into the top-level arrays and the
store is marked complete; the parts are then removed.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FORMAT", "COLUMNS", "PartWriter", "completed_parts", "discard_incomplete", "finalize",
           "open_dataset", "read_report"]

FORMAT = "irisplug-dataset/1"
#: per-spectrum columns: name -> (dtype, attributes)
COLUMNS: dict[str, tuple[str, dict[str, str]]] = {
    "time": ("int64", {"units": "ns since 1970-01-01T00:00:00 UTC", "long_name": "exposure midpoint"}),
    "hpc_x": ("float64", {"units": "arcsec", "long_name": "helioprojective longitude"}),
    "hpc_y": ("float64", {"units": "arcsec", "long_name": "helioprojective latitude"}),
    "exposure_time": ("float32", {"units": "s"}),
    "raster_position": ("int32", {}),
    "repeat": ("int32", {}),
    "raster": ("int32", {"long_name": "index of the raster file within the observation"}),
    "exposure": ("int32", {"long_name": "exposure index within the raster file"}),
    "slit": ("int32", {"long_name": "pixel along the slit"}),
}


def _zarr() -> Any:
    import zarr

    return zarr


class PartWriter:
    """Write one observation's rows under ``.incomplete/`` and commit them atomically into ``parts/``.

    Examples
    --------
    >>> w = PartWriter(store, index=3, n_wave=121, chunk_rows=4096, extra={})  # doctest: +SKIP
    >>> w.append(spectra, columns); w.commit(report_entry)  # doctest: +SKIP
    """

    def __init__(self, store: str | os.PathLike, index: int, n_wave: int, chunk_rows: int,
                 extra: dict[str, str]) -> None:
        self.store = Path(store)
        self.index = int(index)
        self.tmp = self.store / ".incomplete" / f"{self.index:06d}-{uuid.uuid4().hex[:12]}"
        self.tmp.parent.mkdir(parents=True, exist_ok=True)
        zarr = _zarr()
        self.group = zarr.open_group(str(self.tmp), mode="w")
        self.arrays = {"spectra": self.group.create_array(
            "spectra", shape=(0, n_wave), dtype="float32", chunks=(chunk_rows, n_wave), fill_value=np.nan)}
        for name, (dtype, _) in {**COLUMNS, **{k: (v, {}) for k, v in extra.items()}}.items():
            fill = np.nan if np.dtype(dtype).kind == "f" else 0
            self.arrays[name] = self.group.create_array(name, shape=(0,), dtype=dtype, chunks=(chunk_rows,),
                                                        fill_value=fill)
        self.rows = 0

    def append(self, spectra: np.ndarray, columns: dict[str, np.ndarray]) -> None:
        """Append rows (``spectra`` (k, n_wave) and one array of k values per column)."""
        k = spectra.shape[0]
        if k == 0:
            return
        self.arrays["spectra"].append(np.ascontiguousarray(spectra, dtype=np.float32), axis=0)
        for name, arr in self.arrays.items():
            if name != "spectra":
                arr.append(np.asarray(columns[name]).astype(arr.dtype, copy=False), axis=0)
        self.rows += k

    def commit(self, report: dict[str, Any]) -> None:
        """Record ``report`` with the part and move it into ``parts/`` in one rename."""
        self.group.attrs.update({"report": report, "rows": self.rows})
        final = self.store / "parts" / f"{self.index:06d}"
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():  # a duplicate run of the same observation (e.g. a retried cluster task)
            shutil.rmtree(self.tmp, ignore_errors=True)
            return
        os.replace(self.tmp, final)

    def abort(self) -> None:
        """Remove the unfinished part."""
        shutil.rmtree(self.tmp, ignore_errors=True)


def completed_parts(store: str | os.PathLike) -> dict[int, Path]:
    """index -> directory of every committed part."""
    parts = Path(store) / "parts"
    if not parts.is_dir():
        return {}
    out = {}
    for p in parts.iterdir():
        if p.name.isdigit() and (p / "zarr.json").is_file():
            out[int(p.name)] = p
    return out


def discard_incomplete(store: str | os.PathLike) -> int:
    """Remove parts left unfinished by a killed build; returns how many."""
    tmp = Path(store) / ".incomplete"
    if not tmp.is_dir():
        return 0
    n = sum(1 for _ in tmp.iterdir())
    shutil.rmtree(tmp)
    return n


def finalize(store: str | os.PathLike, n_sources: int, wavelength: np.ndarray, chunk_rows: int,
             extra: dict[str, str], quiet: bool | None = None) -> list[dict[str, Any]]:
    """Copy every part, in input order, into the top-level arrays; mark the store complete; drop the parts."""
    import irisplug

    zarr = _zarr()
    store = Path(store)
    parts = completed_parts(store)
    missing = [i for i in range(n_sources) if i not in parts]
    if missing:
        raise irisplug.IrisplugError(f"cannot finalise: observations {missing} have no committed part", path=store)
    groups = [zarr.open_group(str(parts[i]), mode="r") for i in range(n_sources)]
    counts = np.array([int(g.attrs["rows"]) for g in groups], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    total = int(counts.sum())
    root = zarr.open_group(str(store), mode="a")
    m = wavelength.size
    spectra = root.create_array("spectra", shape=(total, m), dtype="float32", chunks=(chunk_rows, m),
                                fill_value=np.nan, dimension_names=("spectrum", "wavelength"), overwrite=True)
    spectra.attrs.update({"units": "DN / s", "long_name": "exposure-normalised spectra on the common grid"})
    wl = root.create_array("wavelength", shape=(m,), dtype="float64", chunks=(m,), dimension_names=("wavelength",),
                           overwrite=True)
    wl[:] = wavelength
    wl.attrs.update({"units": "Angstrom"})
    cols = {**COLUMNS, **{k: (v, {}) for k, v in extra.items()}}
    outs = {}
    for name, (dtype, attrs) in cols.items():
        fill = np.nan if np.dtype(dtype).kind == "f" else 0
        outs[name] = root.create_array(name, shape=(total,), dtype=dtype, chunks=(chunk_rows,), fill_value=fill,
                                       dimension_names=("spectrum",), overwrite=True)
        outs[name].attrs.update(attrs)
    obs_col = root.create_array("observation", shape=(total,), dtype="int32", chunks=(chunk_rows,), fill_value=0,
                                dimension_names=("spectrum",), overwrite=True)
    obs_col.attrs.update({"long_name": "index of the observation (see obs_offset / the report)"})
    for name, values in (("obs_offset", offsets), ("obs_count", counts)):
        a = root.create_array(name, shape=(n_sources,), dtype="int64", chunks=(max(n_sources, 1),),
                              dimension_names=("observation",), overwrite=True)
        a[:] = values
    report = []
    for i, g in enumerate(irisplug.progress(groups, total=len(groups), desc="assembling dataset", quiet=quiet)):
        n, off = int(counts[i]), int(offsets[i])
        for start in range(0, n, chunk_rows):
            stop = min(start + chunk_rows, n)
            spectra[off + start:off + stop] = g["spectra"][start:stop]
            for name in cols:
                outs[name][off + start:off + stop] = g[name][start:stop]
            obs_col[off + start:off + stop] = np.full(stop - start, i, dtype=np.int32)
        entry = dict(g.attrs["report"])
        entry.update({"offset": off, "count": n})
        report.append(entry)
    root.attrs.update({"report": report, "complete": True, "n_spectra": total})
    shutil.rmtree(store / "parts", ignore_errors=True)
    shutil.rmtree(store / ".incomplete", ignore_errors=True)
    return report


def read_report(store: str | os.PathLike) -> list[dict[str, Any]]:
    """The per-observation report of a finished dataset (status, reason, counts, provenance).

    Examples
    --------
    >>> [r["status"] for r in read_report("mg_k.zarr")]  # doctest: +SKIP
    ['ok', 'ok', 'failed']
    """
    zarr = _zarr()
    attrs = dict(zarr.open_group(str(store), mode="r").attrs)
    if not attrs.get("complete"):
        import irisplug

        raise irisplug.IrisplugError("the dataset is not complete; run the build again to finish it", path=store)
    return json.loads(json.dumps(attrs["report"]))


def open_dataset(store: str | os.PathLike) -> Any:
    """The store as a lazy ``xarray.Dataset`` (dims ``spectrum``, ``wavelength``, ``observation``).

    Examples
    --------
    >>> ds = open_dataset("mg_k.zarr")  # doctest: +SKIP
    >>> ds.spectra.sel(wavelength=2796.35, method="nearest")  # doctest: +SKIP
    """
    import xarray as xr

    zarr = _zarr()
    attrs = dict(zarr.open_group(str(store), mode="r").attrs)
    if not attrs.get("complete"):
        import irisplug

        raise irisplug.IrisplugError("the dataset is not complete; run the build again to finish it", path=store)
    ds = xr.open_zarr(str(store), consolidated=False, decode_times=False)
    coords = [c for c in ("wavelength", *COLUMNS, "observation") if c in ds.variables]
    return ds.set_coords(coords)
