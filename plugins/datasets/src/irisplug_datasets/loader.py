"""Shuffled, memory-bounded batches of a dataset store as plain numpy arrays (no framework dependency)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

import numpy as np

__all__ = ["iter_batches"]


def iter_batches(
    store: str | os.PathLike,
    batch_size: int = 256,
    *,
    shuffle: bool = True,
    seed: int | None = 0,
    columns: Sequence[str] | None = None,
    buffer_chunks: int = 4,
    drop_last: bool = False,
) -> Iterator[dict[str, np.ndarray]]:
    """Iterate over a dataset in batches of ``batch_size`` spectra.

    Shuffling is two-level so memory stays bounded: the store's row chunks
    are visited in random order, ``buffer_chunks`` of them at a time, and the
    rows of those chunks are shuffled together. At most
    ``buffer_chunks * chunk_rows + batch_size`` spectra are held at once,
    whatever the size of the store. Every spectrum is yielded exactly once per pass.

    Parameters
    ----------
    store
        A finished dataset (:func:`~irisplug_datasets.build_dataset`).
    batch_size
        Spectra per batch (the last one may be smaller unless ``drop_last``).
    shuffle, seed
        Random order (reproducible with ``seed``); False gives store order.
    columns
        Per-spectrum columns to include besides ``spectra`` (default: all of them).
    buffer_chunks
        Chunks shuffled together.

    Raises
    ------
    SourceNotFoundError, UnknownFormatError, IrisplugError
        ``store`` is missing, not a dataset store, or not complete.

    Yields
    ------
    dict
        ``"spectra"`` (batch, n_wavelength) float32, ``"index"`` (row numbers
        in the store) and one array per column (``time``, ``hpc_x``, ...).

    Examples
    --------
    >>> for batch in iter_batches("mg_k.zarr", 512, seed=1):  # doctest: +SKIP
    ...     train_step(batch["spectra"], batch["exposure_time"])
    """
    from irisplug_datasets.store import open_store

    root = open_store(store)
    spectra = root["spectra"]
    n = spectra.shape[0]
    if columns is None:  # every per-spectrum column (dimension "spectrum")
        names = sorted(k for k in root.array_keys()
                       if k != "spectra" and tuple(root[k].metadata.dimension_names or ()) == ("spectrum",))
    else:
        names = list(columns)
    missing = [c for c in names if c not in root]
    if missing:
        raise KeyError(f"no column(s) {missing} in {store}; columns: {sorted(root.array_keys())}")
    chunk = spectra.chunks[0]
    starts = np.arange(0, n, chunk)
    rng = np.random.default_rng(seed)
    if shuffle:
        rng.shuffle(starts)
    batch_size = max(1, int(batch_size))
    carry: dict[str, np.ndarray] | None = None
    step = max(1, int(buffer_chunks))
    for g in range(0, starts.size, step):
        group = np.sort(starts[g:g + step]) if not shuffle else starts[g:g + step]
        idx = np.concatenate([np.arange(s, min(s + chunk, n)) for s in group])
        buf = {"spectra": np.concatenate([spectra[s:min(s + chunk, n)] for s in group]), "index": idx}
        for c in names:
            arr = root[c]
            buf[c] = np.concatenate([arr[s:min(s + chunk, n)] for s in group])
        if shuffle:
            perm = rng.permutation(idx.size)
            buf = {k: v[perm] for k, v in buf.items()}
        if carry is not None:
            buf = {k: np.concatenate([carry[k], buf[k]]) for k in buf}
            carry = None
        m = buf["index"].size
        full = (m // batch_size) * batch_size
        for b in range(0, full, batch_size):
            yield {k: v[b:b + batch_size] for k, v in buf.items()}
        if full < m:
            carry = {k: v[full:] for k, v in buf.items()}
    if carry is not None and not drop_last:
        yield carry
