"""Fit dask arrays block by block: in-process (numba-parallel per block) or on a dask.distributed cluster.

Each block of spectra (spatial chunks; the spectral axis is one chunk) is
fitted independently, so the result does not depend on where the blocks
run: a cluster gives the same numbers as the in-process run.

On a cluster every block of every array is submitted at once, the block
size is chosen from the cluster's total threads, and each task runs as many
fit threads as its worker has threads to spare (a worker's fit threads = its
dask threads, not its CPUs). A block is fitted in ONE task: it carries the
part of the input's graph that makes its spectra (for a file reader: read,
decode, mask) and runs it on the worker before fitting, so the files are
opened where they are fitted, nothing moves between workers, and the
scheduler handles one task per block instead of three or more per reader
chunk. Consecutive blocks smaller than the block size (small files) share
a task of about the block size. All tasks form one dask task group, which
the scheduler queues and hands to whichever worker frees a thread (dynamic
balance). With every worker on this machine the client fetches the results
from the workers itself, not through the scheduler.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from irisplug_fit.engine import FitResult, fit_spectra
from irisplug_fit.line_templates import get_template

__all__ = ["fit_dask", "fit_dask_many", "FitInput", "cluster_block_spectra", "BLOCKS_PER_THREAD", "MIN_BLOCK",
           "MAX_BLOCK"]

#: tasks per cluster thread aimed at. The scheduler hands the tasks to whichever worker frees a thread, so few,
#: large tasks balance; each task costs ~3.5 ms of CPU in the client's process (scheduler, comms) and as much in
#: its worker (measured with 12 empty tasks on 2 single-thread workers of a LocalCluster, whose client and scheduler
#: share the machine's cores with the workers). 12 IRIS rasters of 12,800 spectra on 2 workers, interleaved on one
#: cluster (2026-12-07, docs/fit.md): 3 per thread (6 tasks of 2 rasters) 1.76x the 1-worker wall, 2 (4 tasks)
#: 1.72x, 4 (12 tasks: a raster each, rasters did not share tasks then) 1.66x. The last items are not cut smaller to
#: even out the end (a ``TAIL_SPLIT`` of 4 until 2026-12-06): it gained nothing on 4 rasters of 76,800 spectra and
#: cost 1-6 % of the wall time on 12 rasters of 12,800
BLOCKS_PER_THREAD = 3
#: fewest spectra per block the cluster chooses (a task costs ~ms of scheduling; 2048 spectra ~10 ms of fitting)
MIN_BLOCK = 2048
#: most spectra per block (memory per task, and the in-process block size)
MAX_BLOCK = 65536
#: chunks holding fewer spectra than this are merged into blocks of the target size
TINY_BLOCK = 256


@dataclass
class FitInput:
    """One array to fit: ``data`` ``(..., n)`` (numpy or dask), its wavelengths and template, optional weights/mask.

    ``invalid``: a callable taking a numpy block of ``data`` and returning a
    boolean mask (or None) added to the block's ``mask`` where the block is
    fitted (e.g. :class:`irisplug_fit.cube.InvalidLevels`, the reader's
    data-quality levels); picklable for a cluster.
    """

    data: Any
    wavelength: np.ndarray
    template: Any
    uncertainty: Any = None
    mask: Any = None
    invalid: Any = None


def _cov_columns(template: Any) -> list[tuple[int, int]]:
    """The covariances a packed block carries: (component, field of ``COV_FIELDS``); those with gamma only for a
    Voigt (a component without gamma has them NaN: two of a Gaussian template's 16 columns were NaN)."""
    return [(c, f) for c, comp in enumerate(template.components) for f in range(3 if comp.profile == "voigt" else 1)]


def _packed_width(template: Any) -> int:
    """Rows of a packed block result: parameters, errors, chi2, dof, niter, status, bound flags, covariances."""
    return 2 * template.n_params + 4 + len(template.components) + len(_cov_columns(template))


def _pack(res: FitResult) -> np.ndarray:
    """``(width, *shape)``: one row per quantity (column-major), so that each map the client derives from a row
    is contiguous (numpy passes over a column of a ``(*shape, width)`` block, 128 bytes apart, took ~5x longer:
    the client's maps of a raster 1.5 ms instead of 1.1 ms)."""
    t = res.template
    P, nc = t.n_params, len(t.components)
    out = np.empty((_packed_width(t), *res.shape))
    out[:P] = np.moveaxis(res.params, -1, 0)
    out[P:2 * P] = np.moveaxis(res.errors, -1, 0)
    for row, a in enumerate((res.chi2, res.dof, res.niter, res.status), start=2 * P):
        out[row] = a
    k = 2 * P + 4
    out[k:k + nc] = 0 if res.bound_flags is None else np.moveaxis(res.bound_flags, -1, 0)
    for row, (c, f) in enumerate(_cov_columns(t), start=k + nc):
        out[row] = np.nan if res.covariance is None else res.covariance[..., c, f]
    return out


def _task_threads(blocks_per_worker: int) -> int | None:
    """Fit threads for a task on a dask worker: its threads shared by the blocks it runs at once (None: not on a worker)."""
    try:
        from distributed import get_worker
    except ImportError:  # pragma: no cover
        return None
    try:
        worker = get_worker()
    except ValueError:
        return None
    state = getattr(worker, "state", None)
    nthreads = int(getattr(state, "nthreads", 0) or getattr(worker, "nthreads", 1) or 1)
    return max(nthreads // max(min(blocks_per_worker, nthreads), 1), 1)


_GC_FROZEN = False


def _freeze_worker_gc() -> None:
    """Once per dask worker process, after its first fit: every object alive then (the modules, numba's kernels,
    distributed's own state) is moved out of the cyclic garbage collector's view (``gc.freeze``).

    A worker holds the objects of numba, astropy, dask and distributed; CPython's full collection, which the
    allocations of a few fits trigger, went through all of them: 70-87 ms of CPU each time (measured with
    ``gc.callbacks`` in the workers of ``irisplug.local_cluster`` fitting 12 IRIS rasters: one per worker every
    2-3 fits), and on 2 workers the one it hit finished that much later. Frozen objects are still freed when
    their reference count drops; only cycles among them are never collected. Only in a worker's own process (one
    a nanny started: ``LocalCluster(processes=True)``, ``dask worker``): worker threads run in the user's process,
    which is left alone.
    """
    global _GC_FROZEN
    if _GC_FROZEN:
        return
    try:
        from distributed import get_worker

        own_process = bool(getattr(get_worker(), "nanny", None))
    except (ImportError, ValueError):
        return
    if own_process:
        import gc

        gc.freeze()
        _GC_FROZEN = True


def _fit_block(block: np.ndarray, ublock: np.ndarray | None, mblock: np.ndarray | None, x: np.ndarray,
               template: Any, kwargs: dict[str, Any], threads: int | None = None, invalid: Any = None,
               cols: slice = slice(None)) -> np.ndarray:
    """Fit one block's spectra; ``cols``: the columns the template fits (:func:`_fitted_columns`), views of them."""
    block = np.asarray(block)[..., cols]
    x = x[cols]
    ublock = None if ublock is None else np.asarray(ublock)[..., cols]
    mblock = None if mblock is None else np.asarray(mblock, dtype=bool)[..., cols]
    bad = None if invalid is None else invalid(block)
    if bad is not None:
        mblock = bad if mblock is None else (mblock | bad)
    # the caller's own ``threads`` (a fit_spectra keyword in ``kwargs``) caps a worker's share; in-process it is used
    kwargs = dict(kwargs)
    asked = kwargs.pop("threads", None)
    threads = asked if threads is None else (threads if asked is None else max(min(threads, int(asked)), 1))
    res = fit_spectra(block, x, template, uncertainty=ublock, mask=mblock, progress=False, threads=threads, **kwargs)
    return _pack(res)


def _compute_together(*arrays: Any) -> list[np.ndarray | None]:
    """The dask arrays computed in one call (shared tasks run once), as numpy; None stays None."""
    import dask

    lazy = [a for a in arrays if a is not None]
    done = iter(dask.compute(*lazy))
    return [None if a is None else np.asarray(next(done)) for a in arrays]


def _assemble(pieces: list[np.ndarray], where: list[tuple[slice, ...]], shape: tuple[int, ...]) -> np.ndarray:
    """One array of ``shape`` from the input chunks making a block (no copy when there is one)."""
    if len(pieces) == 1:
        return pieces[0]
    out = np.empty(shape, np.result_type(*pieces))
    for piece, region in zip(pieces, where, strict=True):
        out[region] = piece
    return out


class _BlockTask:
    """One cluster task: one or more blocks (of one item, or of several small items submitted one after another),
    each fitted in turn; returns their packed results in order.

    An object holding its arguments: ``client.submit`` and ``client.map`` walk a task's arguments looking for keys
    of other tasks (dask's ``parse_input``, into every list, tuple and dict: a block's key lists, regions, template
    and keywords), ~1 ms of client CPU per block; the attributes of an object are not walked."""

    __slots__ = ("blocks",)

    def __init__(self, blocks: list[dict[str, Any]]) -> None:
        self.blocks = blocks

    def __call__(self) -> list[np.ndarray]:
        return [_fit_graph_task(**args) for args in self.blocks]


def _call(task: _BlockTask) -> list[np.ndarray]:
    """Run a task given as an argument (``client.map``: several tasks in one message)."""
    return task()


class _TaskGroups:
    """Consecutive blocks gathered into cluster tasks of about ``per`` spectra.

    A block is added to the open task while the task stays within ``per`` spectra, or ends nearer ``per`` with it
    than without it (never beyond ``MAX_BLOCK``); otherwise the open task is closed and the block opens the next.
    Items smaller than a block (12 rasters of 12,800 spectra on 2 threads) then share tasks instead of making one
    each: every task costs the client, scheduler and worker ~3.5 ms of CPU each (measured on a ``LocalCluster`` of
    2 single-thread workers; docs/fit.md), which on a small machine come out of the workers' cores.

    Examples
    --------
    >>> groups = _TaskGroups(per=300)
    >>> [groups.add(k, (0,), 100, {}) for k in range(4)]
    [[], [], [[(0, (0,), {}), (1, (0,), {}), (2, (0,), {})]], []]
    >>> groups.add(4, (0,), 250, {}), groups.close()  # 350 spectra are nearer 300 than 100: full, closed at once
    ([[(3, (0,), {}), (4, (0,), {})]], None)
    >>> groups.add(5, (0,), 50, {}), groups.close()
    ([], [(5, (0,), {})])
    """

    def __init__(self, per: int) -> None:
        self.per = max(int(per), 1)
        self.blocks: list[tuple[int, tuple[int, ...], dict[str, Any]]] = []
        self.spectra = 0

    def _takes(self, spectra: int) -> bool:
        total = self.spectra + spectra
        return total <= MAX_BLOCK and (total <= self.per or total - self.per < self.per - self.spectra)

    def add(self, item: int, idx: tuple[int, ...], spectra: int,
            args: dict[str, Any]) -> list[list[tuple[int, tuple[int, ...], dict[str, Any]]]]:
        """Add a block; returns the tasks it closed (each a list of blocks: item, block index, arguments).

        A task that reaches ``per`` spectra is closed at once (no block could join it): it is submitted before
        the next item is planned.
        """
        closed = [self.close()] if self.blocks and not self._takes(spectra) else []
        self.blocks.append((item, idx, args))
        self.spectra += int(spectra)
        if self.spectra >= self.per:
            closed.append(self.close())
        return closed  # type: ignore[return-value]

    def close(self) -> list[tuple[int, tuple[int, ...], dict[str, Any]]] | None:
        """The open task's blocks (None when there are none); the next block opens a new task."""
        blocks, self.blocks, self.spectra = self.blocks or None, [], 0
        return blocks


def _fit_graph_task(graph: bytes, keys: list[list[Any]], where: list[tuple[slice, ...]], shape: tuple[int, ...],
                    has_u: bool, has_m: bool, x: np.ndarray, template: Any, kwargs: dict[str, Any],
                    blocks_per_worker: int, invalid: Any = None, cols: slice = slice(None)) -> np.ndarray:
    """One cluster task: compute the input chunks of a block from their (pickled) subgraph here, then fit them.

    ``keys``: per input (data, uncertainty, mask) the keys of the chunks making the block, at ``where`` in it; only
    the fitted columns ``cols`` of the chunks are assembled.
    """
    import pickle

    from dask.local import get_sync

    flat = get_sync(pickle.loads(graph), [k for ks in keys for k in ks])
    n = len(where)
    x = x[cols]
    shape = (*shape[:-1], x.size)
    arrays = iter(_assemble([np.asarray(a)[..., cols] for a in flat[i:i + n]], where, shape)
                  for i in range(0, len(flat), n))
    block = next(arrays)
    ub = next(arrays) if has_u else None
    mb = next(arrays) if has_m else None
    return _worker_fit(block, ub, mb, x, template, kwargs, blocks_per_worker, invalid)


def _worker_fit(block: np.ndarray, ub: np.ndarray | None, mb: np.ndarray | None, x: np.ndarray, template: Any,
                kwargs: dict[str, Any], blocks_per_worker: int, invalid: Any,
                cols: slice = slice(None)) -> np.ndarray:
    """A cluster task's fit of a block, with the worker's share of threads (:func:`_fit_block`); in a dask worker
    the garbage collector's view is frozen after the first (:func:`_freeze_worker_gc`)."""
    out = _fit_block(block, ub, mb, x, template, kwargs, _task_threads(blocks_per_worker), invalid, cols)
    _freeze_worker_gc()  # finds the worker itself (nothing outside one)
    return out


def _current_client() -> Any:
    """The ``distributed`` client of this process or task, or None.

    A client exists only where ``distributed`` is already imported: importing it just to find none
    costs 0.2-0.4 s in a new process (dask imports it anyway at the first compute of a dask array;
    a fit of in-memory data computes none).
    """
    import sys

    if "distributed" not in sys.modules:
        return None
    try:
        from distributed import get_client
    except ImportError:  # pragma: no cover
        return None
    try:
        return get_client()
    except ValueError:
        return None


def cluster_block_spectra(total_spectra: int, total_threads: int) -> int:
    """Spectra per block (and per task) on a cluster with ``total_threads`` threads: about ``BLOCKS_PER_THREAD``
    tasks per thread.

    Examples
    --------
    >>> cluster_block_spectra(153_600, 2), cluster_block_spectra(100, 2), cluster_block_spectra(10**8, 2)
    (25600, 2048, 65536)
    """
    per = math.ceil(max(int(total_spectra), 1) / (BLOCKS_PER_THREAD * max(int(total_threads), 1)))
    return int(min(max(per, MIN_BLOCK), MAX_BLOCK))


def _spatial_chunks(shape: tuple[int, ...], per: int) -> tuple[int, ...]:
    """Chunk sizes of the leading (spatial) axes holding at most about ``per`` spectra (last axes whole first).

    An axis that is split is split evenly (64 steps at most 48 per block: 2 x 32, not 48 + 16).

    Examples
    --------
    >>> _spatial_chunks((64, 200), 9600), _spatial_chunks((64, 200), 10**6), _spatial_chunks((5, 7), 3)
    ((32, 200), (64, 200), (1, 3))
    """
    chunks: list[int] = []
    remaining = max(int(per), 1)
    for size in shape[::-1]:
        size = max(int(size), 1)
        chunk = max(min(size, remaining), 1)
        chunk = math.ceil(size / math.ceil(size / chunk))  # the same number of pieces, as even as they go
        chunks.insert(0, chunk)
        remaining = max(remaining // size, 1)
    return tuple(chunks)


@dataclass
class _Prepared:
    darr: Any
    uarr: Any
    marr: Any
    x: np.ndarray
    template: Any
    lead_shape: tuple[int, ...]
    absolute_sigma: bool
    invalid: Any = None
    #: the columns the template fits (:func:`_fitted_columns`): every block is cut to them
    cols: slice = field(default_factory=lambda: slice(None))


def _prepare(item: FitInput, per: int, kwargs: dict[str, Any], lorentz: bool, voigt: bool,
             keep_chunks: bool = True) -> _Prepared:
    """``item`` as dask arrays in blocks of about ``per`` spectra (a lazy input's chunks rechunked only when larger)."""
    import dask.array as da

    t = get_template(item.template, lorentz=lorentz, voigt=voigt)
    x = np.asarray(item.wavelength, dtype=float)
    lazy = isinstance(item.data, da.Array)
    lead_shape = tuple(np.shape(item.data)[:-1])
    shape = tuple(np.shape(item.data))
    shape = (1, *shape) if len(shape) == 1 else shape
    target = _spatial_chunks(shape[:-1], per)
    if not lazy:  # numpy: each block embeds only its own slice (its task carries it, nothing else)
        darr = da.from_array(np.asarray(item.data).reshape(shape), chunks=(*target, -1))
    else:
        darr = item.data if item.data.ndim > 1 else item.data[None]
        # one chunk along the spectrum; spatial chunks of at most `per` spectra. In-process, smaller chunks
        # are kept (a reader's) unless tiny; on a cluster (keep_chunks=False) every block is one task that
        # computes its own input: consecutive chunks are grouped into blocks of about the target size
        # (_groups; no rechunk layer, so the workers need not import dask.array, and no chunk read twice)
        have = int(np.prod([max(c) if c else 1 for c in darr.chunks[:-1]]))
        too_big = any(len(c) > 0 and max(c) > ch for c, ch in zip(darr.chunks[:-1], target, strict=True))
        too_small = have < min(per, TINY_BLOCK, int(np.prod(darr.shape[:-1])))
        if too_big or (too_small and keep_chunks) or len(darr.chunks[-1]) > 1:
            darr = darr.rechunk((*target, -1))

    def like(a: Any) -> Any:
        if a is None:
            return None
        if isinstance(a, da.Array):
            return a.reshape(darr.shape).rechunk(darr.chunks)
        return da.from_array(np.asarray(a).reshape(darr.shape), chunks=darr.chunks)

    absolute = item.uncertainty is not None if kwargs.get("absolute_sigma") is None else bool(kwargs["absolute_sigma"])
    return _Prepared(darr, like(item.uncertainty), like(item.mask), x, t, lead_shape, absolute, item.invalid,
                     _fitted_columns(x, t))


def _fitted_columns(x: np.ndarray, template: Any) -> slice:
    """The columns of a block that a fit with ``template`` uses: from its first to its last point inside the
    template's wavelength range (fit_spectra's own choice; the whole block when ``x`` is not monotonic or no point
    is inside). Blocks are cut to them before their masks and copies: a one-line template often fits a quarter of
    a spectrograph window's columns or less (measured: 158 of 577)."""
    lo, hi = template.wl_range
    hit = np.flatnonzero((x >= lo) & (x <= hi))
    step = np.diff(x)
    if hit.size == 0 or not (np.all(step > 0) or np.all(step < 0)):
        return slice(None)
    return slice(int(hit[0]), int(hit[-1]) + 1)


def _result(p: _Prepared, out: np.ndarray, engine: str, blocks: int) -> FitResult:
    """The :class:`FitResult` of an item from its packed rows ``out`` (``(width, *blocks' shape)``, :func:`_pack`);
    its maps are views of the rows (parameters, errors) or copies in their own dtype."""
    t = p.template
    P = t.n_params
    nc = len(t.components)
    out = out.reshape((_packed_width(t), *p.lead_shape))
    xs = np.sort(p.x[(p.x >= t.wl_range[0]) & (p.x <= t.wl_range[1])])
    k = 2 * P + 4
    cov = np.full((nc, 3, *p.lead_shape), np.nan)
    for row, (c, f) in enumerate(_cov_columns(t), start=k + nc):
        cov[c, f] = out[row]
    return FitResult(t, np.moveaxis(out[:P], 0, -1), np.moveaxis(out[P:2 * P], 0, -1), out[2 * P],
                     out[2 * P + 1].astype(np.int32), out[2 * P + 2].astype(np.int32), out[2 * P + 3].astype(np.uint8),
                     xs, absolute_sigma=p.absolute_sigma, meta={"template": t.name, "engine": engine, "blocks": blocks},
                     bound_flags=np.moveaxis(out[k:k + nc], 0, -1).astype(np.uint8),
                     covariance=np.moveaxis(cov, (0, 1), (-2, -1)))


def _put(out: np.ndarray, region: tuple[slice, ...], block: np.ndarray) -> None:
    """A block's packed rows into an item's (``region``: the block's place along the item's spatial axes)."""
    out[(slice(None), *region)] = block


def _regions(darr: Any) -> dict[tuple[int, ...], tuple[slice, ...]]:
    offsets = [np.concatenate([[0], np.cumsum(c)]).astype(int) for c in darr.chunks[:-1]]
    return {idx: tuple(slice(int(offsets[d][i]), int(offsets[d][i + 1])) for d, i in enumerate(idx))
            for idx in np.ndindex(*darr.numblocks[:-1])}


def _quiet(progress: bool | None, nblocks: int) -> bool | None:
    """``irisplug.progress``'s ``quiet``: None lets it decide (silent under CI / ``IRISPLUG_QUIET``)."""
    if progress is False or nblocks < 2:
        return True
    return False if progress else None


def fit_dask_many(items: Iterable[FitInput], *, client: Any = None, scheduler: str | None = None,
                  progress: bool | None = None, block_spectra: int | None = None, desc: str | None = None,
                  total_spectra: int | None = None, on_result: Callable[[int, FitResult], None] | None = None,
                  **kwargs: Any) -> list[FitResult]:
    """Fit several (lazy) ``(..., n)`` arrays; on a cluster every block of every array is submitted at once.

    Parameters
    ----------
    items
        The arrays (:class:`FitInput`): numpy or dask, each with its wavelengths
        and template. On a cluster each item's blocks are submitted as soon as
        the item is taken from ``items`` (an iterator may prepare the next
        item while the cluster fits the previous ones), and nothing waits.
    client
        A ``distributed.Client``; by default the current one if any.
    scheduler
        ``"local"`` forces the in-process path (blocks one after another, each on all cores).
    progress
        Show a progress bar over the blocks (default: when there are several,
        silent under CI or ``IRISPLUG_QUIET``).
    block_spectra
        Spectra per block; default: on a cluster about ``BLOCKS_PER_THREAD``
        blocks per cluster thread (:func:`cluster_block_spectra`, at least
        ``MIN_BLOCK``); in-process ``MAX_BLOCK``. Smaller chunks of the input
        (a reader's) are kept unless tiny. On a cluster, consecutive items
        smaller than a block share tasks of about this many spectra.
    desc
        Progress bar label.
    total_spectra
        Spectra in all items (for the block size when ``items`` is an
        iterator; default: counted from ``items``, which is then read first).
    on_result
        Called with ``(index, FitResult)`` as soon as an item's last block is
        in (the caller can build its maps while the cluster fits the rest).
    **kwargs
        Passed to :func:`~irisplug_fit.engine.fit_spectra`.

    Returns
    -------
    list of FitResult
        One per item, identical wherever the blocks ran.

    Examples
    --------
    >>> from irisplug_fit.synthetic import X100, poisson_gaussians
    >>> y, _ = poisson_gaussians(200)
    >>> a, b = fit_dask_many([FitInput(y[:120], X100, "si_iv_1403"), FitInput(y[120:], X100, "si_iv_1403")],
    ...                      scheduler="local")
    >>> a.status.shape, b.status.shape
    ((120,), (80,))
    """
    import irisplug

    lorentz, voigt = bool(kwargs.pop("lorentz", False)), bool(kwargs.pop("voigt", False))
    cl = None if scheduler == "local" else (client or _current_client())
    if cl is None:
        items = list(items)
        per = MAX_BLOCK if block_spectra is None else max(int(block_spectra), 1)
        preps = [_prepare(it, per, kwargs, lorentz, voigt) for it in items]
        if preps and kwargs.get("engine", "auto") == "auto":  # one engine for every block of every item
            from irisplug_fit.engine import resolve_engine

            total = sum(math.prod(p.darr.shape[:-1]) for p in preps)
            kwargs = {**kwargs, "engine": resolve_engine("auto", preps[0].template, preps[0].x, total,
                                                         fixed=kwargs.get("fixed"), ties=kwargs.get("ties", ()))}
        regions = [_regions(p.darr) for p in preps]
        outs = [np.empty((_packed_width(p.template), *p.darr.shape[:-1])) for p in preps]
        todo = [(k, idx) for k, r in enumerate(regions) for idx in r]
        name = desc or (f"fit {preps[0].template.name}" if preps else "fit")
        for k, idx in irisplug.progress(todo, total=len(todo), desc=name, quiet=_quiet(progress, len(todo))):
            p = preps[k]
            # one compute for the block's data, uncertainty and mask: a mask (or uncertainty) derived from the data
            # shares its input tasks, which separate computes would each run again (a reader's chunks read twice)
            b, ub, mb = _compute_together(*(None if a is None else a.blocks[(*idx, 0)]
                                            for a in (p.darr, p.uarr, p.marr)))
            _put(outs[k], regions[k][idx], _fit_block(b, ub, mb, p.x, p.template, kwargs, invalid=p.invalid,
                                                      cols=p.cols))
        results = [_result(p, o, "dask-local", len(r)) for p, o, r in zip(preps, outs, regions, strict=True)]
        for k, res in enumerate(results):
            if on_result is not None:
                on_result(k, res)
        return results
    return _fit_on_cluster(cl, items, progress, block_spectra, desc, total_spectra, on_result, kwargs, lorentz, voigt)


#: seconds the first round of tasks (one per cluster thread) is held to be sent in one message: the interval of
#: the client's batched messages to the scheduler (``distributed.Client``: 10 ms)
FIRST_ROUND_WAIT = 0.01

#: a block's task carries at most this many bytes of its inputs' graph beyond (4 x) its own input's bytes; a graph
#: holding more (an array-like kept whole under one key, which every block would carry) is submitted as one
#: graph instead, its tasks shared by the blocks
GRAPH_SLACK = 1 << 20


def _groups(chunks: tuple[int, ...], target: int) -> list[tuple[int, int]]:
    """Consecutive chunks of one axis grouped into about even blocks of at most about ``target``: (first, stop).

    Examples
    --------
    >>> _groups((9,) * 7 + (1,), 64), _groups((9,) * 7 + (1,), 32)
    ([(0, 8)], [(0, 4), (4, 8)])
    """
    total = sum(chunks)
    n = max(math.ceil(total / max(int(target), 1)), 1)
    ends = np.cumsum(chunks)
    cuts: list[int] = []
    for k in range(1, n):  # the chunk boundary nearest k/n of the axis, after the previous cut
        i = int(np.argmin(np.abs(ends - k * total / n))) + 1
        if (not cuts or i > cuts[-1]) and i < len(chunks):
            cuts.append(i)
    from itertools import pairwise

    return list(pairwise([0, *cuts, len(chunks)]))


def _block_tasks(p: _Prepared, target: tuple[int, ...]) -> list[tuple[tuple[int, ...], tuple[slice, ...], dict]] | None:
    """Each block of ``p`` (groups of its chunks): (index, region, arguments of :func:`_fit_graph_task`).

    None when a block's subgraph carries much more than its own input (see ``GRAPH_SLACK``).
    """
    import itertools

    import cloudpickle
    from dask.optimization import cull

    arrays = [a for a in (p.darr, p.uarr, p.marr) if a is not None]
    graph: dict[Any, Any] = {}
    for a in arrays:
        graph.update(a.__dask_graph__())
    spatial = p.darr.chunks[:-1]
    offsets = [np.concatenate([[0], np.cumsum(c)]).astype(int) for c in spatial]
    groups = [_groups(c, t) for c, t in zip(spatial, target, strict=True)]
    nspec = p.darr.shape[-1]
    out = []
    for gidx in itertools.product(*(range(len(g)) for g in groups)):
        span = [groups[d][g] for d, g in enumerate(gidx)]
        lo = [int(offsets[d][a]) for d, (a, _) in enumerate(span)]
        region = tuple(slice(lo[d], int(offsets[d][b])) for d, (_, b) in enumerate(span))
        shape = (*(r.stop - r.start for r in region), nspec)
        cidx = list(itertools.product(*(range(a, b) for a, b in span)))
        where = [tuple(slice(int(offsets[d][c]) - lo[d], int(offsets[d][c + 1]) - lo[d]) for d, c in enumerate(ci))
                 for ci in cidx]
        keys = [[(a.name, *ci, 0) for ci in cidx] for a in arrays]
        sub, _ = cull(graph, [k for ks in keys for k in ks])
        pickled = cloudpickle.dumps(sub)
        own = math.prod(shape) * sum(a.dtype.itemsize for a in arrays)
        if len(pickled) > 4 * own + GRAPH_SLACK:
            return None
        out.append((gidx, region, {"graph": pickled, "keys": keys, "where": where, "shape": shape}))
    return out


def _submit_shared(cl: Any, p: _Prepared, kwargs: dict[str, Any], blocks_per_worker: int) -> list[tuple[Any, Any]]:
    """Submit ``p`` as one graph (its input tasks shared by its blocks); (future, block index) per block."""
    from distributed import futures_of

    extra = [a for a in (p.uarr, p.marr) if a is not None]
    nout = _packed_width(p.template)
    lazy = p.darr.map_blocks(
        _fit_task, *extra, has_u=p.uarr is not None, has_m=p.marr is not None, x=p.x, template=p.template,
        kwargs=kwargs, blocks_per_worker=blocks_per_worker, invalid=p.invalid, cols=p.cols,
        chunks=(*p.darr.chunks[:-1], (nout,)), dtype=float, meta=np.empty((0,) * p.darr.ndim),
        token="irisplug-fitblock")
    persisted = cl.persist(lazy)
    return [(f, tuple(f.key[1:-1])) for f in futures_of(persisted) if f.key[0] == persisted.name]


def _fit_task(block: np.ndarray, *rest: Any, has_u: bool, has_m: bool, x: np.ndarray, template: Any,
              kwargs: dict[str, Any], blocks_per_worker: int, invalid: Any, cols: slice = slice(None)) -> np.ndarray:
    """One task of a shared graph (``map_blocks``): fit one block with the worker's share of threads."""
    rest_it = iter(rest)
    ub = next(rest_it) if has_u else None
    mb = next(rest_it) if has_m else None
    # map_blocks' chunks hold the rows last; the client moves them first again (:func:`_fit_on_cluster`)
    return np.moveaxis(_worker_fit(block, ub, mb, x, template, kwargs, blocks_per_worker, invalid, cols), 0, -1)


def _block_args(p: _Prepared, args: dict[str, Any], kwargs: dict[str, Any], blocks_per_worker: int) -> dict[str, Any]:
    """The arguments of :func:`_fit_graph_task` for one block of ``p`` (``args``: from :func:`_block_tasks`)."""
    return dict(args, has_u=p.uarr is not None, has_m=p.marr is not None, x=p.x, template=p.template, kwargs=kwargs,
                blocks_per_worker=blocks_per_worker, invalid=p.invalid, cols=p.cols)


def _on_this_machine(cl: Any, workers: Iterable[str]) -> bool:
    """Whether the scheduler and every worker listen on a loopback address (or in this process): then the client
    can fetch results from the workers itself (``gather(direct=True)``) instead of through the scheduler, which on
    a ``LocalCluster`` receives and sends every result once more in the client's own process."""
    import ipaddress

    def local(address: str) -> bool:
        scheme, _, rest = str(address).partition("://")
        if scheme == "inproc":
            return True
        host = rest.rsplit(":", 1)[0].strip("[]")
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    try:
        scheduler = cl.scheduler.address
    except AttributeError:  # pragma: no cover - a client without a scheduler connection
        return False
    workers = list(workers)
    return bool(workers) and local(scheduler) and all(local(w) for w in workers)


def _completed(cl: Any, done: Any, direct: bool | None) -> Iterable[tuple[Any, Any]]:
    """(future, result) as the futures of ``done`` (``as_completed``) finish, fetched in batches."""
    for batch in done.batches():
        yield from zip(batch, cl.gather(batch, direct=direct), strict=True)


def _fit_on_cluster(cl: Any, items: Iterable[FitInput], progress: bool | None, block_spectra: int | None,
                    desc: str | None, total_spectra: int | None, on_result: Any, kwargs: dict[str, Any],
                    lorentz: bool, voigt: bool) -> list[FitResult]:
    import time
    import uuid

    from distributed import as_completed

    import irisplug

    nthreads = dict(cl.nthreads())
    total_threads = max(sum(nthreads.values()), 1)
    nworkers = max(len(nthreads), 1)
    if total_spectra is None:
        items = list(items)
        total_spectra = sum(int(np.prod(np.shape(it.data)[:-1])) for it in items)
    per = cluster_block_spectra(total_spectra, total_threads) if block_spectra is None else max(int(block_spectra), 1)
    # how many tasks a worker runs, for the fit threads of each (the worker's threads shared by its tasks)
    blocks_per_worker = math.ceil(max(math.ceil(total_spectra / per), 1) / nworkers)
    run = uuid.uuid4().hex[:12]
    preps: list[_Prepared] = []
    regions: list[dict[tuple[int, ...], tuple[slice, ...]]] = []
    outs: list[np.ndarray | None] = []
    left: list[int] = []
    where: dict[Any, list[tuple[int, tuple[int, ...]]]] = {}  # task key: the (item, block) of each of its results
    done = as_completed()
    groups = _TaskGroups(per)

    held: list[list[tuple[int, tuple[int, ...], dict[str, Any]]]] = []  # the first round, not yet sent
    held_since = 0.0

    def send(tasks: list[list[tuple[int, tuple[int, ...], dict[str, Any]]]]) -> None:
        # all tasks share one key name (one dask task group): a group larger than twice the cluster's threads is
        # "root-ish", so the scheduler queues its tasks and hands each to the next worker with a free thread (in
        # submission order). One name per item made groups of 1-2 tasks, assigned to workers as they were
        # submitted: under load one worker finished up to 0.9 s (a fifth of the run) after the other
        keys = [(f"irisplug-fitblock-{run}", blocks[0][0], len(where) + i) for i, blocks in enumerate(tasks)]
        # the tasks in one message (client.map); a task's arguments are inside its callable, which is not walked
        futs = cl.map(_call, [_BlockTask([args for *_, args in blocks]) for blocks in tasks], key=keys, pure=False)
        for fut, blocks in zip(futs, tasks, strict=True):
            where[fut.key] = [(k, idx) for k, idx, _ in blocks]
            done.add(fut)

    def submit(blocks: list[tuple[int, tuple[int, ...], dict[str, Any]]] | None, last: bool = False) -> None:
        # The first round (a task per cluster thread) is sent together: the client sends at once a message that
        # follows none in the last 10 ms, and holds what follows for the rest of those 10 ms (distributed's batched
        # stream to the scheduler), so the second task of 12 rasters reached the scheduler ~9 ms after it was
        # submitted and its worker idled meanwhile (submitted one after another, the first went alone). Held at
        # most FIRST_ROUND_WAIT; later tasks go at once.
        nonlocal held_since
        if blocks:
            if not held:
                held_since = time.perf_counter()
            held.append(blocks)
        if held and (where or last or len(held) >= total_threads
                     or time.perf_counter() - held_since >= FIRST_ROUND_WAIT):
            send(held)
            held.clear()

    for k, item in enumerate(items):
        submit(None)  # the first round, if held long enough
        p = _prepare(item, per, kwargs, lorentz, voigt, keep_chunks=False)
        preps.append(p)
        outs.append(None)  # allocated when an item has several blocks (one block is the result itself)
        tasks = _block_tasks(p, _spatial_chunks(p.darr.shape[:-1], per))
        if tasks is None:
            regions.append(_regions(p.darr))
            for fut, idx in _submit_shared(cl, p, kwargs, blocks_per_worker):
                where[fut.key] = [(k, idx)]
                done.add(fut)
        else:  # submitted as soon as a task is full; nothing waits for earlier items
            regions.append({idx: region for idx, region, _ in tasks})
            for idx, _, args in tasks:
                for blocks in groups.add(k, idx, math.prod(args["shape"][:-1]),
                                         _block_args(p, args, kwargs, blocks_per_worker)):
                    submit(blocks)
        left.append(len(regions[-1]))
    submit(groups.close(), last=True)
    results: list[FitResult | None] = [None] * len(preps)
    name = desc or (f"fit {preps[0].template.name}" if preps else "fit")
    direct = True if _on_this_machine(cl, nthreads) else None  # None: the client's own choice
    for fut, value in irisplug.progress(_completed(cl, done, direct), total=len(where), desc=f"{name} (cluster)",
                                        quiet=_quiet(progress, len(where))):
        if not isinstance(value, list):  # a block of a shared graph (_submit_shared): its rows last
            value = [np.moveaxis(value, -1, 0)]
        for (k, idx), block in zip(where[fut.key], value, strict=True):
            if len(regions[k]) == 1:
                outs[k] = block
            else:
                if outs[k] is None:
                    outs[k] = np.empty((block.shape[0], *preps[k].darr.shape[:-1]))
                _put(outs[k], regions[k][idx], block)
            left[k] -= 1
            if left[k] == 0:
                results[k] = _result(preps[k], outs[k], "dask-cluster", len(regions[k]))
                if on_result is not None:
                    on_result(k, results[k])
    return results  # type: ignore[return-value]


def fit_dask(data: Any, wavelength: np.ndarray, template: Any, *, uncertainty: Any = None, mask: Any = None,
             invalid: Any = None, client: Any = None, scheduler: str | None = None, progress: bool | None = None,
             block_spectra: int | None = None, **kwargs: Any) -> FitResult:
    """Fit a (lazy) ``(..., n)`` array chunk by chunk; see :func:`irisplug_fit.engine.fit_spectra`.

    Parameters
    ----------
    client
        A ``distributed.Client``; by default the current one if any.
    scheduler
        ``"local"`` forces the in-process path.
    block_spectra
        Spectra per block (default: chosen from the cluster's threads, see :func:`fit_dask_many`).
    invalid
        Points to mask, found in each block where it is fitted (see :class:`FitInput`).

    Examples
    --------
    >>> import dask.array as da
    >>> from irisplug_fit.synthetic import X100, poisson_gaussians
    >>> y, _ = poisson_gaussians(100)
    >>> fit_dask(da.from_array(y, chunks=(50, -1)), X100, "si_iv_1403", scheduler="local").status.shape
    (100,)
    """
    return fit_dask_many([FitInput(data, wavelength, template, uncertainty, mask, invalid)], client=client,
                         scheduler=scheduler, progress=progress, block_spectra=block_spectra, **kwargs)[0]
