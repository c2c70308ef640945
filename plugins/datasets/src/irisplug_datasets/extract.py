"""Extract one observation's spectra into a dataset part (runs in-process or on a cluster worker).

For each raster file of the chosen window: keep the exposures in the time
range / raster positions, divide by each exposure's exposure time
(:func:`irisplug.model.normalize_exposure`), resample onto the common grid
(:func:`irisplug.model.resample.resample_wavelength`), turn into an xarray
Dataset (:func:`irisplug.model.to_xarray`) for the per-pixel coordinates,
apply the pointing box and quality rules, and append the surviving spectra to
the part. Memory is bounded by one block of exposures of one file.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from irisplug_datasets.selection import Selection
from irisplug_datasets.sources import DuplicateSource, FetchedObservation, observation_key
from irisplug_datasets.store import PartWriter

__all__ = ["extract_observation", "feature_columns"]

_BLOCK_BYTES = 32 << 20


def feature_columns(selection: Selection) -> dict[str, str]:
    """Extra column name -> dtype for the selection's feature sets."""
    cols: dict[str, str] = {}
    if "mgii" in selection.features:
        from irisplug_fit import MGII_FEATURES as FEATURES

        for name in FEATURES:
            cols[name] = "uint8" if name.endswith("flag") else "float32"
    return cols


def _open(source: Any) -> Any:
    import irisplug

    if isinstance(source, FetchedObservation):
        return irisplug.read(list(source.files))  # one observation's fetched files, read together
    if isinstance(source, (list, tuple)):
        return irisplug.read([str(s) for s in source])
    return irisplug.read(str(source))  # paths, archives and http(s) URLs (downloaded once into irisplug's cache)


def _choose_window(obs: Any, selection: Selection) -> tuple[str | None, str]:
    labels = list(obs.keys())
    if selection.window is not None:
        if selection.window in labels:
            return selection.window, ""
        return None, f"no window {selection.window!r}; windows: {labels}"
    want = selection.line.lower()
    table = getattr(obs, "windows", None)
    if table is not None and len(table) and "kind" in table.colnames \
            and not any(str(k) == "spectrograph" for k in table["kind"]):
        kinds = sorted({str(k) for k in table["kind"]})
        return None, (f"no spectrograph window: the source holds only {' / '.join(kinds)} windows {labels} (the "
                      "observation's spectrograph files are not among the files given or fetched)")
    cands = []
    for label in labels:
        if want not in str(label).lower():
            continue
        lo = hi = np.nan
        if table is not None:
            rows = [r for r in table if r["label"] == label]
            if rows:
                if str(rows[0]["kind"]) != "spectrograph":
                    continue
                lo, hi = float(np.asarray(rows[0]["wave_min"])), float(np.asarray(rows[0]["wave_max"]))
        start, stop, _ = selection.grid
        cover = max(0.0, min(hi, stop) - max(lo, start)) if np.isfinite(lo) else 0.0
        cands.append((cover, label))
    if not cands:
        return None, f"no spectrograph window matching line {selection.line!r}; windows: {labels}"
    cands.sort(key=lambda c: (-c[0], labels.index(c[1])))
    return cands[0][1], ""


def _exposure_keep(cube: Any, selection: Selection) -> np.ndarray:
    from astropy.time import Time

    from irisplug.model import extra_coord

    n = cube.data.shape[0]
    keep = np.ones(n, bool)
    if selection.time_range is not None:
        t = Time(np.atleast_1d(extra_coord(cube, "time"))).utc
        t0, t1 = Time(selection.time_range[0], scale="utc"), Time(selection.time_range[1], scale="utc")
        keep &= np.asarray((t >= t0) & (t <= t1))
    if selection.raster_positions is not None:
        pos = np.atleast_1d(np.asarray(extra_coord(cube, "raster_position")))
        keep &= np.isin(pos, selection.raster_positions)
    return keep


def _features(norm: Any, rows: np.ndarray, names: dict[str, str]) -> dict[str, np.ndarray]:
    import irisplug

    maps = irisplug.fit(norm, method="mgii")
    return {k: np.asarray(maps[k].data).reshape(-1)[rows] for k in names}


def extract_observation(index: int, source: Any, selection_json: str, store: str) -> dict[str, Any]:
    """Extract observation ``source`` into part ``index`` of ``store``; returns its report entry.

    Failures to read, a missing window or a grid outside the window are not
    raised: they are recorded in the entry (``status`` ``"failed"`` with the
    ``reason``) and the part is committed empty, so the build goes on and the
    store says what happened. A :class:`~irisplug_datasets.sources.FetchedObservation`
    is read as one observation, its failed downloads named in the reason; a
    :class:`~irisplug_datasets.sources.DuplicateSource` is committed empty as
    ``"duplicate"``. Errors writing the store or its scratch files are raised
    (``WriteError`` naming the file).
    """
    import astropy.units as u
    import dask

    from irisplug.model import normalize_exposure, observation_id, to_xarray
    from irisplug.model.resample import resample_wavelength
    from irisplug_datasets.store import store_error

    selection = Selection.from_json(selection_json)
    extra = feature_columns(selection)
    grid = selection.wavelength
    entry: dict[str, Any] = {"index": int(index), "source": str(source), "status": "ok", "reason": "",
                             "observation_id": None, "observation_key": None, "window": None, "files": [],
                             "n_exposures": 0, "dropped_exposures": 0, "n_candidates": 0, "n_spectra": 0,
                             "dropped_null": 0, "dropped_missing": 0, "dropped_box": 0, "grid_outside_points": 0,
                             "window_range": None, "failed_downloads": [], "history": []}
    failed_downloads = list(source.failed_downloads) if isinstance(source, FetchedObservation) else []
    entry["failed_downloads"] = [url for url, _ in failed_downloads]
    lost = "; ".join(f"download of {url} failed ({why})" for url, why in failed_downloads)
    writer = PartWriter(store, index, grid.size, extra)
    # resampling scratch files live beside the unfinished part: a restart after a kill discards both
    with store_error(writer.tmp.parent, "the dataset's scratch directory"):
        try:
            scratch = Path(tempfile.mkdtemp(prefix=f"{writer.tmp.name}.scratch-", dir=writer.tmp.parent))
        except BaseException:
            writer.abort()
            raise
    try:
        if isinstance(source, DuplicateSource):
            entry.update(status="duplicate", reason=f"{source.why}: not extracted again", duplicate_of=source.of)
            writer.commit(entry)
            return entry
        if isinstance(source, FetchedObservation) and not source.files:
            entry.update(status="failed", reason=f"nothing of this observation was fetched: {lost}")
            writer.commit(entry)
            return entry
        with dask.config.set(scheduler="synchronous"):  # one thread per task: same numbers everywhere
            try:
                obs = _open(source)
            except Exception as err:  # noqa: BLE001 - any reader failure is reported, not fatal
                entry.update(status="failed", reason=f"cannot read: {type(err).__name__}: {err}"
                                                     + (f"; {lost}" if lost else ""))
                writer.commit(entry)
                return entry
            entry["observation_id"] = observation_id(obs)
            entry["observation_key"] = observation_key(obs)
            if not hasattr(obs, "keys"):
                entry.update(status="failed", reason=f"not an observation with windows ({type(obs).__name__})")
                writer.commit(entry)
                return entry
            label, why = _choose_window(obs, selection)
            if label is None:
                entry.update(status="failed", reason=f"{lost}; {why}" if lost else why)
                writer.commit(entry)
                return entry
            if lost:  # the window's files arrived; other files of the observation did not
                entry["reason"] = f"{lost} (the {label!r} window was extracted from the files that arrived)"
            entry["window"] = str(label)
            seq = obs[label]
            cubes = list(seq.data) if isinstance(getattr(seq, "data", None), list) else [seq]
            first_wl = np.asarray(u.Quantity(cubes[0].axis_world_coords_values("em.wl")[0]).to_value(u.AA)).reshape(-1)
            lo, hi = float(first_wl.min()), float(first_wl.max())
            entry["window_range"] = [lo, hi]
            outside = int(np.count_nonzero((grid < lo) | (grid > hi)))
            entry["grid_outside_points"] = outside
            if outside == grid.size:
                entry.update(status="failed", reason=f"grid {grid[0]:.3f}-{grid[-1]:.3f} A lies outside window "
                                                     f"{label!r} ({lo:.3f}-{hi:.3f} A)")
                writer.commit(entry)
                return entry
            if outside:
                entry["reason"] = "; ".join(filter(None, [entry["reason"], (
                    f"{outside} of {grid.size} grid points lie outside window {label!r} "
                    f"({lo:.3f}-{hi:.3f} A): NaN there")]))
            for r, cube in enumerate(cubes):
                entry["files"].append(str(cube.meta.get("FILENAME", f"raster {r}")))
                keep = _exposure_keep(cube, selection)
                entry["n_exposures"] += int(keep.size)
                entry["dropped_exposures"] += int(np.count_nonzero(~keep))
                if not keep.any():
                    continue
                exposures = np.flatnonzero(keep)
                sub = cube if keep.all() else cube.select_exposures(exposures)
                norm = normalize_exposure(sub)
                res = resample_wavelength(norm, grid * u.AA, out=scratch / f"r{r:05d}.f32", quiet=True)
                ds = to_xarray(res)
                n_e, n_s = ds.sizes["exposure"], ds.sizes["slit"]
                feats = None
                per = max(1, _BLOCK_BYTES // max(1, n_s * grid.size * 4))
                for e0 in range(0, n_e, per):
                    e1 = min(e0 + per, n_e)
                    block = np.asarray(ds["data"][e0:e1].values, dtype=np.float32).reshape(-1, grid.size)
                    missing = np.isnan(block).mean(axis=1)
                    null = missing == 1.0
                    exp_t = np.repeat(np.asarray(ds["exposure_time"][e0:e1].values, dtype=np.float32), n_s)
                    null |= ~(exp_t > 0)
                    ok = ~null if selection.drop_null else np.ones(block.shape[0], bool)
                    entry["dropped_null"] += int(np.count_nonzero(~ok))
                    partial = ok & (missing > selection.max_missing_fraction) & ~null
                    entry["dropped_missing"] += int(np.count_nonzero(partial))
                    ok &= ~partial
                    hx = np.asarray(ds["hpc_x"][e0:e1].values, dtype=np.float64).reshape(-1)
                    hy = np.asarray(ds["hpc_y"][e0:e1].values, dtype=np.float64).reshape(-1)
                    entry["n_candidates"] += int(block.shape[0])
                    if selection.box is not None:
                        x0, x1, y0, y1 = selection.box
                        inside = (hx >= x0) & (hx <= x1) & (hy >= y0) & (hy <= y1)
                        entry["dropped_box"] += int(np.count_nonzero(ok & ~inside))
                        ok &= inside
                    rows = np.flatnonzero(ok)
                    if rows.size == 0:
                        continue
                    e_idx = np.repeat(np.arange(e0, e1), n_s)[rows]
                    times = ds["time"].values.astype("datetime64[ns]").astype(np.int64)
                    cols = {
                        "time": times[e_idx],
                        "hpc_x": hx[rows], "hpc_y": hy[rows],
                        "exposure_time": exp_t[rows],
                        "raster_position": np.asarray(ds["raster_position"].values)[e_idx],
                        "repeat": np.asarray(ds["repeat"].values)[e_idx],
                        "raster": np.full(rows.size, r),
                        "exposure": exposures[e_idx],
                        "slit": np.tile(np.arange(n_s), e1 - e0)[rows],
                    }
                    if extra:
                        if feats is None:
                            feats = _features(norm, np.arange(n_e * n_s), extra)
                        base = e0 * n_s
                        cols.update({k: v[base + rows] for k, v in feats.items()})
                    writer.append(block[rows], cols)
                    entry["n_spectra"] += int(rows.size)
                del ds, res
                (scratch / f"r{r:05d}.f32").unlink(missing_ok=True)
            # processing steps, without their wall-clock stamps (the store must not depend on when it was built)
            entry["history"] = [
                {"step": "exposure-norm", "plugin": "irisplug.model", "function": "normalize_exposure"},
                {"step": "resample", "plugin": "irisplug.model", "function": "resample_wavelength",
                 "params": {"grid": list(selection.grid), "interpolation": "linear"}},
                {"step": "select", "plugin": "irisplug_datasets", "params": json.loads(selection_json)},
            ]
        writer.commit(_jsonable(entry))
        return _jsonable(entry)
    except BaseException:
        writer.abort()
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _jsonable(obj: Any) -> Any:
    """``obj`` with numpy scalars and other values made JSON-safe (zarr attributes are JSON)."""
    return json.loads(json.dumps(obj, default=lambda o: o.item() if hasattr(o, "item") else str(o)))
