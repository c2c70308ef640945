"""Fit dask arrays block by block: in-process (numba-parallel per block) or on a dask.distributed cluster.

Each block of spectra (spatial chunks; the spectral axis is one chunk) is
fitted independently, so the result does not depend on where the blocks
run: a cluster gives the same numbers as the in-process run.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irisplug_fit.engine import FitResult, fit_spectra
from irisplug_fit.line_templates import get_template

__all__ = ["fit_dask"]


def _pack(res: FitResult) -> np.ndarray:
    return np.concatenate([res.params, res.errors, res.chi2[..., None], res.dof[..., None].astype(float),
                           res.niter[..., None].astype(float), res.status[..., None].astype(float)], axis=-1)


def _fit_block(block: np.ndarray, ublock: np.ndarray | None, mblock: np.ndarray | None, x: np.ndarray,
               template: Any, kwargs: dict[str, Any]) -> np.ndarray:
    res = fit_spectra(np.asarray(block), x, template, uncertainty=None if ublock is None else np.asarray(ublock),
                      mask=None if mblock is None else np.asarray(mblock), progress=False, **kwargs)
    return _pack(res)


def _current_client() -> Any:
    try:
        from distributed import get_client
    except ImportError:  # pragma: no cover
        return None
    try:
        return get_client()
    except ValueError:
        return None


def fit_dask(data: Any, wavelength: np.ndarray, template: Any, *, uncertainty: Any = None, mask: Any = None,
             client: Any = None, scheduler: str | None = None, progress: bool | None = None,
             block_spectra: int = 65536, **kwargs: Any) -> FitResult:
    """Fit a (lazy) ``(..., n)`` array chunk by chunk; see :func:`irisplug_fit.engine.fit_spectra`.

    Parameters
    ----------
    client
        A ``distributed.Client``; by default the current one if any.
    scheduler
        ``"local"`` forces the in-process path.
    block_spectra
        Target spectra per block when rechunking.

    Examples
    --------
    >>> import dask.array as da
    >>> res = fit_dask(da.from_array(cube_data, chunks=(4, -1, -1)), wl, "si_iv_1403")  # doctest: +SKIP
    """
    import dask.array as da

    import irisplug

    t = get_template(template, lorentz=bool(kwargs.pop("lorentz", False)), voigt=bool(kwargs.pop("voigt", False)))
    x = np.asarray(wavelength, dtype=float)
    darr = data if isinstance(data, da.Array) else da.asarray(data)
    lead_shape = darr.shape[:-1]
    if darr.ndim == 1:
        darr = darr[None]
    # one chunk along the spectrum; spatial chunks of about block_spectra spectra
    per = max(int(block_spectra), 1)
    chunks: list[Any] = []
    remaining = per
    for size in darr.shape[:-1][::-1]:
        c = max(min(size, remaining), 1)
        chunks.insert(0, c)
        remaining = max(remaining // max(size, 1), 1)
    if any(len(c) > 0 and max(c) > ch for c, ch in zip(darr.chunks[:-1], chunks, strict=True)) or len(darr.chunks[-1]) > 1:
        darr = darr.rechunk((*tuple(chunks), -1))
    parts = [darr]
    uarr = marr = None
    if uncertainty is not None:
        uarr = da.asarray(uncertainty).reshape(darr.shape).rechunk(darr.chunks)
    if mask is not None:
        marr = da.asarray(mask).reshape(darr.shape).rechunk(darr.chunks)
    del parts
    P = t.n_params
    nout = 2 * P + 4
    blocks = list(np.ndindex(*darr.numblocks[:-1]))
    offsets = [np.concatenate([[0], np.cumsum(c)]) for c in darr.chunks[:-1]]
    out = np.empty((*darr.shape[:-1], nout))

    def region(idx: tuple[int, ...]) -> tuple[slice, ...]:
        return tuple(slice(offsets[d][i], offsets[d][i + 1]) for d, i in enumerate(idx))

    use_cluster = scheduler != "local" and (client is not None or _current_client() is not None)
    quiet = progress is False or (progress is None and len(blocks) < 2)
    if use_cluster:
        from distributed import as_completed

        cl = client or _current_client()
        futs = {}
        for idx in blocks:
            b = darr.blocks[(*idx, 0)]
            ub = None if uarr is None else uarr.blocks[(*idx, 0)]
            mb = None if marr is None else marr.blocks[(*idx, 0)]
            import dask

            task = dask.delayed(_fit_block)(b, ub, mb, x, t, kwargs)
            futs[cl.compute(task)] = idx
        for fut in irisplug.progress(as_completed(futs), total=len(futs), desc=f"fit {t.name} (cluster)", quiet=quiet):
            out[region(futs[fut])] = fut.result()
    else:
        for idx in irisplug.progress(blocks, total=len(blocks), desc=f"fit {t.name}", quiet=quiet):
            b = np.asarray(darr.blocks[(*idx, 0)].compute())
            ub = None if uarr is None else np.asarray(uarr.blocks[(*idx, 0)].compute())
            mb = None if marr is None else np.asarray(marr.blocks[(*idx, 0)].compute())
            out[region(idx)] = _fit_block(b, ub, mb, x, t, kwargs)
    out = out.reshape((*lead_shape, nout))
    xs = x[(x >= t.wl_range[0]) & (x <= t.wl_range[1])]
    xs = np.sort(xs)
    return FitResult(t, out[..., :P], out[..., P:2 * P], out[..., 2 * P], out[..., 2 * P + 1].astype(np.int32),
                     out[..., 2 * P + 2].astype(np.int32), out[..., 2 * P + 3].astype(np.uint8), xs,
                     absolute_sigma=uncertainty is not None if kwargs.get("absolute_sigma") is None
                     else bool(kwargs["absolute_sigma"]),
                     meta={"template": t.name, "engine": "dask-cluster" if use_cluster else "dask-local",
                           "blocks": len(blocks)})
