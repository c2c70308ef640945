"""Build one dataset from many observations: resumable, in-process or on a dask.distributed cluster."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from irisplug_datasets.extract import extract_observation, feature_columns
from irisplug_datasets.selection import Selection
from irisplug_datasets.sources import expand_sources, source_key
from irisplug_datasets.store import FORMAT, completed_parts, discard_incomplete, finalize, store_error

__all__ = ["build_dataset", "DatasetReport", "expand_sources"]


@dataclass
class DatasetReport:
    """What a build did: the store, its size and one entry per observation.

    ``entries[i]`` has ``status`` (``"ok"``, ``"failed"``, or ``"duplicate"``
    for a source that repeats an earlier one, whose spectra are not stored
    twice), ``reason``, ``observation_id``, ``window``, ``files``, counts of
    exposures and spectra kept and dropped (``dropped_exposures``,
    ``dropped_null``, ``dropped_missing``, ``dropped_box``),
    ``grid_outside_points``, ``failed_downloads``, ``offset`` / ``count``
    (its rows in the store) and ``history``. ``resumed`` counts observations
    a previous run had finished; ``notes`` says what was merged or left out
    as a repeat.
    """

    store: Path
    n_spectra: int
    entries: list[dict[str, Any]]
    resumed: int = 0
    discarded_incomplete: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[dict[str, Any]]:
        """The entries of observations that failed, with their reasons."""
        return [e for e in self.entries if e["status"] == "failed"]

    @property
    def duplicates(self) -> list[dict[str, Any]]:
        """The entries of sources that repeat an earlier one (not stored twice)."""
        return [e for e in self.entries if e["status"] == "duplicate"]

    def empty_reason(self, names: dict[str, str] | None = None) -> str:
        """Why no spectrum was kept: the exposures and spectra each selection rule removed.

        ``names`` maps the keywords (``time_range``, ``raster_positions``,
        ``drop_null``, ``max_missing_fraction``, ``box``) to what to call them
        (the command line's flags).
        """
        n = {"time_range": "time_range", "raster_positions": "raster_positions", "drop_null": "drop_null",
             "max_missing_fraction": "max_missing_fraction", "box": "box", **(names or {})}
        ok = [e for e in self.entries if e["status"] == "ok"]
        if not ok:
            return f"no observation could be extracted ({len(self.failed)} failed)"

        def total(key: str) -> int:
            return int(sum(int(e.get(key) or 0) for e in ok))

        parts = [f"{len(ok)} observation(s) read with {total('n_exposures')} exposures"]
        if total("dropped_exposures"):
            parts.append(f"{total('dropped_exposures')} of them outside {n['time_range']} / {n['raster_positions']}")
        parts.append(f"{total('n_candidates')} spectra examined")
        for key, what in (("dropped_null", f"without any valid point ({n['drop_null']})"),
                          ("dropped_missing", f"missing more grid points than {n['max_missing_fraction']} allows"),
                          ("dropped_box", f"outside {n['box']}")):
            if total(key):
                parts.append(f"{total(key)} {what}")
        return "no spectrum was kept: " + "; ".join(parts)

    def __str__(self) -> str:
        ok = sum(1 for e in self.entries if e["status"] == "ok")
        dup = f", {len(self.duplicates)} repeated" if self.duplicates else ""
        lines = [f"{self.store}: {self.n_spectra} spectra from {ok} of "
                 f"{len(self.entries) - len(self.duplicates)} observations{dup} (resumed {self.resumed})"]
        for e in self.entries:
            note = f" - {e['reason']}" if e["reason"] else ""
            lines.append(f"  [{e['index']}] {e['status']:9s} {e.get('observation_id') or '?':>10s} "
                         f"{e['count']:8d} spectra  {e['source']}{note}")
        lines.extend(f"  note: {text}" for text in self.notes)
        return "\n".join(lines)


def _source_key(source: Any) -> str:
    return source_key(source)


def _init_store(out: Path, selection: Selection, keys: list[str], overwrite: bool) -> bool:
    """Create or check the store; True when it is already complete."""
    import zarr

    import irisplug

    spec = {"format": FORMAT, "selection": json.loads(selection.to_json()), "sources": keys}
    if out.exists():
        try:
            attrs = dict(zarr.open_group(str(out), mode="r").attrs)
        except Exception as err:
            if not overwrite:
                raise irisplug.FileExistsIrisplugError(f"exists and is not a dataset store ({err}); pass overwrite=True",
                                                       path=out) from err
            attrs = {}
        same = all(attrs.get(k) == v for k, v in spec.items())
        if not same:
            if not overwrite:
                raise irisplug.InconsistentInputError(
                    "the store holds a dataset of another selection or other sources; pass overwrite=True to "
                    "replace it (or choose another path)", path=out)
            shutil.rmtree(out)
        elif overwrite and attrs.get("complete"):
            shutil.rmtree(out)
        else:
            return bool(attrs.get("complete"))
    root = zarr.open_group(str(out), mode="w")
    root.attrs.update({**spec, "complete": False})
    return False


def _current_client() -> Any:
    try:
        from distributed import get_client
    except ImportError:  # pragma: no cover - distributed is optional
        return None
    try:
        return get_client()
    except ValueError:
        return None


def build_dataset(
    sources: Iterable[Any] | Any,
    out: str | os.PathLike,
    *,
    grid: Any,
    window: str | None = None,
    line: str | None = None,
    box: Sequence[float] | None = None,
    time_range: Sequence[Any] | None = None,
    raster_positions: Sequence[int] | None = None,
    drop_null: bool = True,
    max_missing_fraction: float = 0.0,
    features: Sequence[str] = (),
    client: Any = None,
    scheduler: str | None = None,
    chunk_rows: int = 4096,
    overwrite: bool = False,
    quiet: bool | None = None,
) -> DatasetReport:
    """Extract spectra from many observations into one chunked zarr store.

    Each observation's spectra of the chosen window are divided by their
    exposure times, linearly interpolated onto the common wavelength grid,
    filtered (time range, raster positions, pointing box, quality rules) and
    written with per-spectrum coordinates; the store's report says, per
    observation, what was kept, dropped or why it was skipped.

    The build is resumable: every observation is committed atomically, a
    killed build started again with the same arguments discards unfinished
    parts, skips finished ones and completes the store. On a
    ``dask.distributed`` cluster (``client=`` or the current client) the
    observations are extracted by the workers (which must see ``out``); the
    store is bit-for-bit the one an in-process build writes.

    Parameters
    ----------
    sources
        One entry per observation: anything ``irisplug.read`` accepts (a
        directory, an archive, a list of files), an http(s) URL of a file or
        archive, or a sunpy Fido search result (fetched into the cache;
        its files grouped by observation, failed downloads reported with
        their URL, rows several searches returned fetched once). A source
        given twice (same directory, same file content, same URL) is
        extracted once and reported as ``"duplicate"``.
    out
        The store (a directory, e.g. ``"mg_k.zarr"``).
    grid, window, line, box, time_range, raster_positions, drop_null, max_missing_fraction, features
        The :class:`~irisplug_datasets.selection.Selection`; ``time_range`` holds any two
        values astropy's ``Time`` reads (a ``Time`` in any scale, a ``datetime``, ISO text as UTC).
    client
        A ``distributed.Client``; by default the current one, if any.
    scheduler
        ``"local"`` forces the in-process build even with a current client.
    chunk_rows
        Spectra per chunk of the store.
    overwrite
        Replace an existing store (of any selection).
    quiet
        No progress bar (also under CI or with IRISPLUG_QUIET).

    Returns
    -------
    DatasetReport

    Raises
    ------
    InconsistentInputError
        ``out`` holds a dataset of other sources or another selection (and not ``overwrite``);
        a selection that cannot be (a grid, box or time range that is not one, a time range
        that starts after it ends).
    WriteError
        The store cannot be written (disk full, read-only, a file-size limit), naming the file.

    Examples
    --------
    >>> report = build_dataset(["obs1/", "obs2.tar.gz"], "mg_k.zarr", line="Mg II k",
    ...                        grid="2794:2806:240", features=("mgii",))  # doctest: +SKIP
    >>> print(report)  # doctest: +SKIP
    """
    import irisplug

    selection = Selection(grid=grid, window=window, line=line, box=None if box is None else tuple(box),
                          time_range=None if time_range is None else tuple(time_range),
                          raster_positions=None if raster_positions is None else tuple(raster_positions),
                          drop_null=drop_null, max_missing_fraction=max_missing_fraction, features=tuple(features))
    notes: list[str] = []
    srcs = expand_sources(sources, quiet=quiet, notes=notes)
    if not srcs:
        raise irisplug.InconsistentInputError("no observations given")
    keys = [_source_key(s) for s in srcs]
    out = Path(out)
    extra = feature_columns(selection)
    chunk_rows = max(1, int(chunk_rows))
    with store_error(out):
        complete = _init_store(out, selection, keys, overwrite)
    if complete:
        import zarr

        attrs = dict(zarr.open_group(str(out), mode="r").attrs)
        return DatasetReport(out, int(attrs["n_spectra"]), list(attrs["report"]), resumed=len(srcs),
                             notes=list(attrs.get("notes", notes)))
    discarded = discard_incomplete(out)
    done = completed_parts(out)
    pending = [i for i in range(len(srcs)) if i not in done]
    sel_json = selection.to_json()
    cl = None if scheduler == "local" else (client or _current_client())
    desc = f"extracting {len(pending)} observations"
    if cl is None:
        for i in irisplug.progress(pending, total=len(pending), desc=desc, quiet=quiet):
            extract_observation(i, srcs[i], sel_json, str(out))
    else:
        from distributed import as_completed

        futures = [cl.submit(extract_observation, i, srcs[i], sel_json, str(out.resolve()),
                             key=f"irisplug-dataset-{i}-{abs(hash((str(out.resolve()), sel_json))):x}", pure=False)
                   for i in pending]
        for fut in irisplug.progress(as_completed(futures), total=len(futures), desc=desc + " (cluster)", quiet=quiet):
            fut.result()  # re-raises a worker's store error
    entries = finalize(out, len(srcs), selection.wavelength, chunk_rows, extra, quiet=quiet, notes=notes)
    import zarr

    notes = list(zarr.open_group(str(out), mode="r").attrs.get("notes", notes))
    return DatasetReport(out, int(np.sum([e["count"] for e in entries])), entries,
                         resumed=len(srcs) - len(pending), discarded_incomplete=discarded, notes=notes)
