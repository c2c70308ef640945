"""The zarr store of a dataset: per-observation parts committed atomically, then one set of arrays.

Layout (zarr v3, a local directory)::

    store.zarr/
      zarr.json                   attrs: format, selection, sources, complete, report
      spectra        (spectrum, wavelength) float32, chunked by rows
      wavelength     (wavelength,) float64, Angstrom
      time           (spectrum,) int64, nanoseconds since 1970-01-01 UTC (exposure midpoint; CF units)
      hpc_x, hpc_y   (spectrum,) float64, arcsec
      exposure_time  (spectrum,) float32, s
      raster_position, repeat, raster, exposure, slit, observation  (spectrum,) int32
      <feature>      (spectrum,) float32 / uint8 (optional columns)
      obs_offset, obs_count  (observation,) int64: each observation's rows
      parts/NNNNNN/   while building: one directory per finished observation (raw files + part.json)
      .incomplete/    while building: parts being written (discarded on restart)

A part is written under ``.incomplete/`` and renamed into ``parts/`` when
complete (a directory rename is atomic on a local file system), so a killed
build never leaves half an observation in ``parts/``. When every part is
there they are copied, in input order, into the top-level arrays and the
store is marked complete; the parts are then removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FORMAT", "COLUMNS", "PartWriter", "completed_parts", "discard_incomplete", "finalize",
           "open_dataset", "read_report", "store_error", "open_store"]

FORMAT = "irisplug-dataset/1"
#: the time column's units, in the CF conventions' form, so that ``xarray.open_zarr`` (and any CF reader) decodes
#: the column into datetime64[ns]; stores written before 2026-12-07 say ``LEGACY_TIME_UNITS``, which xarray cannot
#: decode (``open_dataset`` reads both)
TIME_UNITS = "nanoseconds since 1970-01-01T00:00:00"
LEGACY_TIME_UNITS = "ns since 1970-01-01T00:00:00 UTC"
#: per-spectrum columns: name -> (dtype, attributes)
COLUMNS: dict[str, tuple[str, dict[str, str]]] = {
    "time": ("int64", {"units": TIME_UNITS, "calendar": "proleptic_gregorian",
                       "long_name": "exposure midpoint (UTC)"}),
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


@contextlib.contextmanager
def store_error(path: str | os.PathLike, what: str = "the dataset store") -> Iterator[None]:
    """Turn an ``OSError`` while writing ``path`` (disk full, read-only, a file-size limit) into a ``WriteError``.

    The error names the file the operating system named (else ``path``) and the reason.

    Examples
    --------
    >>> import irisplug
    >>> try:
    ...     with store_error("/nonexistent/x.zarr"):
    ...         open("/nonexistent/x.zarr/f", "wb")
    ... except irisplug.WriteError as err:
    ...     print(err)
    /nonexistent/x.zarr/f: cannot write the dataset store (No such file or directory); free space or choose another place
    """
    from irisplug.errors import IrisplugError, WriteError

    try:
        yield
    except IrisplugError:
        raise
    except OSError as err:
        where = getattr(err, "filename", None) or path
        raise WriteError(f"cannot write {what} ({err.strerror or err}); free space or choose another place",
                         path=where) from err


class PartWriter:
    """Write one observation's rows under ``.incomplete/`` and commit them atomically into ``parts/``.

    A part is a directory of raw little-endian files (``spectra.bin``, one
    ``<column>.bin`` each), appended block by block, and ``part.json``
    (dtypes, rows, report) written last; the directory is then renamed into
    ``parts/``. Raw appends keep a worker's cost and memory per block small;
    the parts are transient (they become the zarr arrays in :func:`finalize`).

    Examples
    --------
    >>> w = PartWriter(store, index=3, n_wave=121, extra={})  # doctest: +SKIP
    >>> w.append(spectra, columns); w.commit(report_entry)  # doctest: +SKIP
    """

    def __init__(self, store: str | os.PathLike, index: int, n_wave: int, extra: dict[str, str]) -> None:
        self.store = Path(store)
        self.index = int(index)
        self.n_wave = int(n_wave)
        self.tmp = self.store / ".incomplete" / f"{self.index:06d}-{uuid.uuid4().hex[:12]}"
        self.dtypes = {"spectra": "<f4", **{k: np.dtype(v).newbyteorder("<").str for k, (v, _) in COLUMNS.items()},
                       **{k: np.dtype(v).newbyteorder("<").str for k, v in extra.items()}}
        self.files: dict[str, Any] = {}
        self.rows = 0
        try:
            with store_error(self.tmp, "a part of the dataset store"):
                self.tmp.mkdir(parents=True)
                for name in self.dtypes:
                    self.files[name] = open(self.tmp / f"{name}.bin", "wb")
        except BaseException:
            self.abort()
            raise

    def append(self, spectra: np.ndarray, columns: dict[str, np.ndarray]) -> None:
        """Append rows (``spectra`` (k, n_wave) and one array of k values per column)."""
        k = spectra.shape[0]
        if k == 0:
            return
        for name, fh in self.files.items():
            values = spectra if name == "spectra" else np.asarray(columns[name])
            with store_error(fh.name, "a part of the dataset store"):
                fh.write(np.ascontiguousarray(values, dtype=self.dtypes[name]).tobytes())
        self.rows += k

    def _close(self) -> None:
        for fh in self.files.values():
            if not fh.closed:
                with contextlib.suppress(OSError):  # aborting: the data are discarded anyway
                    fh.close()

    def commit(self, report: dict[str, Any]) -> None:
        """Record ``report`` with the part and move it into ``parts/`` in one rename."""
        with store_error(self.tmp, "a part of the dataset store"):
            for fh in self.files.values():
                if not fh.closed:
                    fh.close()  # flushes: a full disk shows here
            info = {"rows": self.rows, "n_wave": self.n_wave, "dtypes": self.dtypes, "report": report}
            (self.tmp / "part.json").write_text(json.dumps(info))
            final = self.store / "parts" / f"{self.index:06d}"
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():  # a duplicate run of the same observation (e.g. a retried cluster task)
                shutil.rmtree(self.tmp, ignore_errors=True)
                return
            os.replace(self.tmp, final)

    def abort(self) -> None:
        """Remove the unfinished part."""
        self._close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def _part_info(path: Path) -> dict[str, Any]:
    return json.loads((path / "part.json").read_text())


def _part_array(path: Path, info: dict[str, Any], name: str) -> np.ndarray:
    shape = (info["rows"], info["n_wave"]) if name == "spectra" else (info["rows"],)
    if info["rows"] == 0:
        return np.zeros(shape, dtype=info["dtypes"][name])
    return np.memmap(path / f"{name}.bin", dtype=info["dtypes"][name], mode="r", shape=shape)


def completed_parts(store: str | os.PathLike) -> dict[int, Path]:
    """index -> directory of every committed part."""
    parts = Path(store) / "parts"
    if not parts.is_dir():
        return {}
    out = {}
    for p in parts.iterdir():
        if p.name.isdigit() and (p / "part.json").is_file():
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


def _repeats(infos: list[dict[str, Any]]) -> dict[int, str]:
    """index -> why, for parts that hold the same observation and files as an earlier part (their rows are left out)."""
    seen: dict[str, int] = {}
    out = {}
    for i, info in enumerate(infos):
        e = info["report"]
        if e.get("status") == "duplicate" and "duplicate_of" in e:
            out[i] = e.get("reason", "")
            continue
        if e.get("status") != "ok" or not e.get("observation_key"):
            continue
        key = json.dumps([e["observation_key"], e.get("window"), sorted(e.get("files") or [])])
        if key in seen:
            j = seen[key]
            out[i] = (f"the same observation ({e['observation_key']}) and files as [{j}] "
                      f"{infos[j]['report'].get('source')}: its spectra are stored once, as [{j}]")
        else:
            seen[key] = i
    return out


def finalize(store: str | os.PathLike, n_sources: int, wavelength: np.ndarray, chunk_rows: int,
             extra: dict[str, str], quiet: bool | None = None, notes: list[str] | None = None) -> list[dict[str, Any]]:
    """Copy every part, in input order, into the top-level arrays; mark the store complete; drop the parts.

    Every chunk of the zarr arrays is written once, whole (rows gathered from
    the memory-mapped parts), so the copy costs one write per chunk. A part
    that holds the same observation and files as an earlier one (its
    ``observation_key``, window and files) is reported as ``"duplicate"`` and
    its rows are left out. ``notes`` (and one per such repeat) are stored in
    the attribute ``notes``.

    Raises
    ------
    WriteError
        The store cannot be written (disk full, read-only, a file-size
        limit); the parts stay, so a new run finishes the store.
    """
    with store_error(store):
        return _finalize(Path(store), n_sources, wavelength, chunk_rows, extra, quiet, list(notes or []))


def _finalize(store: Path, n_sources: int, wavelength: np.ndarray, chunk_rows: int, extra: dict[str, str],
              quiet: bool | None, notes: list[str]) -> list[dict[str, Any]]:
    import irisplug

    zarr = _zarr()
    parts = completed_parts(store)
    missing = [i for i in range(n_sources) if i not in parts]
    if missing:
        raise irisplug.IrisplugError(f"cannot finalise: observations {missing} have no committed part", path=store)
    infos = [_part_info(parts[i]) for i in range(n_sources)]
    repeats = _repeats(infos)
    for i, why in repeats.items():
        e = infos[i]["report"]
        if e.get("status") != "duplicate":
            notes.append(f"[{i}] {e.get('source')}: {why}")
        e.update(status="duplicate", reason=why)
        infos[i]["rows"] = 0
    counts = np.array([int(info["rows"]) for info in infos], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    total = int(counts.sum())
    root = zarr.open_group(str(store), mode="a")
    m = wavelength.size
    col_rows = max(chunk_rows, (1 << 18) // chunk_rows * chunk_rows)  # 1-D columns: bigger chunks, a multiple of the rows
    cols = {**COLUMNS, **{k: (v, {}) for k, v in extra.items()}, "observation": ("int32", {
        "long_name": "index of the observation (see obs_offset / the report)"})}
    outs = {"spectra": root.create_array("spectra", shape=(total, m), dtype="float32", chunks=(chunk_rows, m),
                                         fill_value=np.nan, dimension_names=("spectrum", "wavelength"), overwrite=True)}
    outs["spectra"].attrs.update({"units": "DN / s", "long_name": "exposure-normalised spectra on the common grid"})
    for name, (dtype, attrs) in cols.items():
        fill = np.nan if np.dtype(dtype).kind == "f" else 0
        outs[name] = root.create_array(name, shape=(total,), dtype=dtype, chunks=(col_rows,), fill_value=fill,
                                       dimension_names=("spectrum",), overwrite=True)
        outs[name].attrs.update(attrs)
    wl = root.create_array("wavelength", shape=(m,), dtype="float64", chunks=(m,), dimension_names=("wavelength",),
                           overwrite=True)
    wl[:] = wavelength
    wl.attrs.update({"units": "Angstrom"})
    for name, values in (("obs_offset", offsets), ("obs_count", counts)):
        a = root.create_array(name, shape=(n_sources,), dtype="int64", chunks=(max(n_sources, 1),),
                              dimension_names=("observation",), overwrite=True)
        a[:] = values

    def rows(name: str, start: int, stop: int) -> np.ndarray:
        """Rows [start, stop) of column ``name`` over all parts."""
        first = int(np.searchsorted(offsets, start, side="right") - 1)
        pieces = []
        i = max(first, 0)
        while i < n_sources and offsets[i] < stop:
            lo, hi = max(start, offsets[i]), min(stop, offsets[i] + counts[i])
            if hi > lo:
                if name == "observation":
                    pieces.append(np.full(hi - lo, i, dtype=np.int32))
                else:
                    pieces.append(np.asarray(_part_array(parts[i], infos[i], name)[lo - offsets[i]:hi - offsets[i]]))
            i += 1
        return np.concatenate(pieces).astype(outs[name].dtype, copy=False)

    blocks = [(name, b) for name in outs for b in range(0, total, chunk_rows if name == "spectra" else col_rows)]
    for name, start in irisplug.progress(blocks, total=len(blocks), desc="assembling dataset", quiet=quiet):
        stop = min(start + (chunk_rows if name == "spectra" else col_rows), total)
        outs[name][start:stop] = rows(name, start, stop)
    report = []
    for i, info in enumerate(infos):
        entry = dict(info["report"])
        entry.update({"offset": int(offsets[i]), "count": int(counts[i])})
        report.append(entry)
    root.attrs.update({"report": report, "complete": True, "n_spectra": total, "notes": notes})
    shutil.rmtree(store / "parts", ignore_errors=True)
    shutil.rmtree(store / ".incomplete", ignore_errors=True)
    _consolidate(store)
    return report


def _consolidate(store: Path) -> None:
    """Write the store's consolidated metadata, last (attributes changed after it would be read stale).

    ``xarray.open_zarr`` looks for it first: without it every reader of the store got a RuntimeWarning ("Failed to
    open Zarr store with consolidated metadata") and a slower open. zarr-python warns that consolidated metadata is
    not part of the Zarr 3 specification yet; readers that do not know it read the arrays' own metadata, which is
    complete.
    """
    import warnings

    zarr = _zarr()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Cc]onsolidated metadata.*")
        zarr.consolidate_metadata(str(store))


def open_store(store: str | os.PathLike) -> Any:
    """The zarr group of a finished dataset, after checking that ``store`` is one.

    Raises
    ------
    SourceNotFoundError
        ``store`` does not exist.
    UnknownFormatError
        ``store`` is not a dataset store (a file, a directory without a zarr
        group, a zarr group another program wrote).
    IrisplugError
        The store is not complete (a build was interrupted).

    Examples
    --------
    >>> import irisplug
    >>> try:
    ...     open_store("/nonexistent/mg_k.zarr")
    ... except irisplug.SourceNotFoundError as err:
    ...     print(err)
    /nonexistent/mg_k.zarr: no such dataset store; expected a directory written by build_dataset (irisplug extract)
    """
    import irisplug

    zarr = _zarr()
    path = Path(store)
    expected = "expected a directory written by build_dataset (irisplug extract)"
    if not path.exists():
        raise irisplug.SourceNotFoundError(f"no such dataset store; {expected}", path=store)
    if not path.is_dir():
        raise irisplug.UnknownFormatError(f"is a file, not a dataset store; {expected}", path=store)
    try:
        root = zarr.open_group(str(path), mode="r")
        attrs = dict(root.attrs)
    except Exception as err:  # noqa: BLE001 - zarr's GroupNotFoundError, a damaged zarr.json, ...
        raise irisplug.UnknownFormatError(f"is not a dataset store (no zarr group: {type(err).__name__}); {expected}",
                                          path=store) from None
    if not str(attrs.get("format", "")).startswith("irisplug-dataset/"):
        raise irisplug.UnknownFormatError(f"is a zarr group but not a dataset store (no 'format' "
                                          f"{FORMAT!r} attribute); {expected}", path=store)
    if not attrs.get("complete"):
        raise irisplug.IrisplugError("the dataset is not complete; run the build again to finish it", path=store)
    return root


def read_report(store: str | os.PathLike) -> list[dict[str, Any]]:
    """The per-observation report of a finished dataset (status, reason, counts, provenance).

    Raises
    ------
    SourceNotFoundError, UnknownFormatError, IrisplugError
        ``store`` is missing, not a dataset store, or not complete (:func:`open_store`).

    Examples
    --------
    >>> [r["status"] for r in read_report("mg_k.zarr")]  # doctest: +SKIP
    ['ok', 'ok', 'failed']
    """
    attrs = dict(open_store(store).attrs)
    return json.loads(json.dumps(attrs["report"]))


def open_dataset(store: str | os.PathLike) -> Any:
    """The store as a lazy ``xarray.Dataset`` (dims ``spectrum``, ``wavelength``, ``observation``; ``time`` as
    datetime64[ns], from this format's units and from the older stores' ``ns since ...``).

    Raises
    ------
    SourceNotFoundError, UnknownFormatError, IrisplugError
        ``store`` is missing, not a dataset store, or not complete (:func:`open_store`).

    Examples
    --------
    >>> ds = open_dataset("mg_k.zarr")  # doctest: +SKIP
    >>> ds.spectra.sel(wavelength=2796.35, method="nearest")  # doctest: +SKIP
    """
    import xarray as xr

    open_store(store)
    ds = xr.open_zarr(str(store), consolidated=False, decode_times=False)
    if "time" in ds.variables and ds["time"].attrs.get("units") in (TIME_UNITS, LEGACY_TIME_UNITS):
        time = ds["time"].copy()
        time.attrs.update(units=TIME_UNITS, calendar="proleptic_gregorian")
        ds["time"] = xr.decode_cf(time.to_dataset(name="time"))["time"]  # datetime64[ns], still lazy
    coords = [c for c in ("wavelength", *COLUMNS, "observation") if c in ds.variables]
    return ds.set_coords(coords)
