"""Exact cubic B-spline resampling under an affine map (numba kernels on a few threads).

This is the same mathematics as ``scipy.ndimage.affine_transform(order=3,
mode="constant", prefilter=True)``:

1. The prefilter turns samples into cubic B-spline coefficients with the
   recursive filter of Unser (pole ``z = sqrt(3) - 2``, gain 6) and the
   mirror boundary that scipy uses for ``mode="constant"``.
2. Every output pixel ``(x, y)`` maps to the input position
   ``M @ (x, y) + shift``; positions outside ``[0, n-1]`` on either axis get
   ``cval`` (scipy's ``"constant"`` mode); inside, the 4x4 coefficients around
   the position are weighted by the cubic B-spline (coefficient indices that
   fall outside mirror back, as scipy does).

The speed comes from a prefilter in two sweeps over memory (row pass and
the causal column recursion top-down in row bands, then the anti-causal
column recursion bottom-up), from evaluating four pixels at a time with
vector loads (exploiting that the map is affine: along a row the pixels
whose support is inside the input form one interval) and from running the
kernels on a few threads. Differences from scipy are at the level of
floating-point rounding (~1e-15 relative).

Examples
--------
>>> import numpy as np
>>> from irisplug_calib.bspline import affine_transform_xy
>>> img = np.arange(36.0).reshape(6, 6)
>>> out = affine_transform_xy(img, np.eye(2), (0.0, 0.0), cval=0.0)
>>> bool(np.allclose(out, img))
True
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

__all__ = ["spline_prefilter", "prefilter_with_stats", "resample", "affine_transform_xy"]

# One reusable coefficient buffer per shape: touching 100+ MB of fresh memory
# (page faults) costs as much as the filter itself on some machines.
_BUFFER_LOCK = threading.Lock()
_BUFFERS: dict[tuple[int, int], np.ndarray] = {}


def _coef_buffer(shape: tuple[int, int]) -> tuple[np.ndarray, bool]:
    """A float64 work array of ``shape``; the flag says it is the shared one (release it after use)."""
    if _BUFFER_LOCK.acquire(blocking=False):
        buf = _BUFFERS.get(shape)
        if buf is None:
            _BUFFERS.clear()
            buf = _BUFFERS[shape] = np.empty(shape, dtype=np.float64)
        return buf, True
    return np.empty(shape, dtype=np.float64), False


_POOL_LOCK = threading.Lock()
_POOL: list[Any] = []


def _in_threads(fn: Any, jobs: list[tuple]) -> list[Any]:
    """``[fn(*job) for job in jobs]``, the jobs spread over a small pool of threads.

    The kernels are numba functions that release the GIL; a plain thread
    pool avoids numba's parallel backend, whose compilation of each
    parallel kernel cost several seconds more on first use.
    """
    from irisplug_calib import _bspline_kernels as k

    n = k.threads()
    if n == 1 or len(jobs) == 1:
        return [fn(*job) for job in jobs]
    with _POOL_LOCK:
        if not _POOL or _POOL[0]._max_workers != n:
            from concurrent.futures import ThreadPoolExecutor

            if _POOL:
                _POOL.pop().shutdown(wait=False)
            _POOL.append(ThreadPoolExecutor(max_workers=n, thread_name_prefix="irisplug-bspline"))
        pool = _POOL[0]
    futures = [pool.submit(fn, *job) for job in jobs]
    return [f.result() for f in futures]


def _split(n: int, parts: int, multiple: int = 1) -> list[tuple[int, int]]:
    """``parts`` contiguous ranges covering ``0..n`` (starts at multiples of ``multiple``), empty ones dropped."""
    step = -(-n // max(1, parts))
    step = max(multiple, -(-step // multiple) * multiple)
    return [(a, min(n, a + step)) for a in range(0, n, step)]


def release_buffer(shared: bool) -> None:
    """Give the shared coefficient buffer back (see :func:`prefilter_with_stats`)."""
    if shared:
        _BUFFER_LOCK.release()


def prefilter_with_stats(image: np.ndarray, *, reuse_buffer: bool = False) -> tuple[np.ndarray, float, float, int, bool]:
    """Cubic B-spline coefficients plus the input's nanmin, nanmax and whether it has NaNs, in one pass.

    With ``reuse_buffer=True`` the coefficients are written to a shared work
    array; the caller must pass the returned flag to :func:`release_buffer`
    once done with them. The fourth value is positive when the image has NaNs,
    else (almost always) 0.

    Examples
    --------
    >>> import numpy as np
    >>> coef, lo, hi, nnan, shared = prefilter_with_stats(np.array([[1.0, np.nan], [3.0, 4.0]]))
    >>> lo, hi, nnan > 0, shared
    (1.0, 4.0, True, False)
    """
    from irisplug_calib import _bspline_kernels as k

    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(f"the B-spline prefilter needs a 2-D image, got shape {image.shape}")
    # one compiled specialisation (C-contiguous float64) keeps the first call's compile time down
    image = np.ascontiguousarray(image, dtype=np.float64)
    if reuse_buffer:
        coef, shared = _coef_buffer(image.shape)
    else:
        coef, shared = np.empty(image.shape, dtype=np.float64), False
    try:
        ny, nx = image.shape
        # bands of at least 128 rows: each band's column recursion restarts 53 rows above it (exact to rounding)
        bands = _split(ny, max(1, min(k.threads(), ny // 128)), 8)
        stats = _in_threads(k.down_band, [(image, coef, a, b) for a, b in bands])
        _in_threads(k.up_columns, [(coef, a, b) for a, b in _split(nx, k.threads())])
    except BaseException:
        release_buffer(shared)
        raise
    lo = min((s[0] for s in stats), default=np.nan)
    hi = max((s[1] for s in stats), default=np.nan)
    if not np.isfinite(lo):
        lo, hi = np.nan, np.nan
    return coef, float(lo), float(hi), int(sum(s[2] for s in stats)), shared


def spline_prefilter(image: np.ndarray) -> np.ndarray:
    """Cubic B-spline coefficients of a 2-D image (mirror boundary), as float64.

    Equal to ``scipy.ndimage.spline_filter(image, 3, mode="mirror")`` up to rounding.

    Examples
    --------
    >>> import numpy as np, scipy.ndimage as ndi
    >>> img = np.random.default_rng(0).normal(size=(20, 30))
    >>> bool(np.allclose(spline_prefilter(img), ndi.spline_filter(img, 3, mode="mirror")))
    True
    """
    return prefilter_with_stats(image)[0]


def resample(
    coef: np.ndarray,
    matrix: Any,
    shift: Any,
    output_shape: tuple[int, int],
    cval: float,
    clip: tuple[float, float] = (-np.inf, np.inf),
) -> np.ndarray:
    """Evaluate prefiltered coefficients at ``matrix @ (x, y) + shift``, clipped to ``clip`` (float64 output).

    Examples
    --------
    >>> import numpy as np
    >>> img = np.arange(16.0).reshape(4, 4)
    >>> out = resample(spline_prefilter(img), np.eye(2), (0, 0), (4, 4), 0.0)
    >>> bool(np.allclose(out, img)), float(resample(spline_prefilter(img), np.eye(2), (0, 0), (4, 4), 0.0, (1, 9)).max())
    (True, 9.0)
    """
    from irisplug_calib import _bspline_kernels as k

    m = np.asarray(matrix, dtype=np.float64)
    sx, sy = (float(v) for v in shift)
    out = np.empty(tuple(int(v) for v in output_shape), dtype=np.float64)
    lo, hi = (float(v) for v in clip)
    args = (coef, m[0, 0], m[0, 1], m[1, 0], m[1, 1], sx, sy, out, float(cval), lo, hi)
    # a few row blocks per thread: a thread slowed by other work on the machine takes fewer
    _in_threads(k.evaluate, [(*args, a, b) for a, b in _split(out.shape[0], 4 * k.threads())])
    return out


def affine_transform_xy(
    image: np.ndarray,
    matrix: np.ndarray,
    shift: tuple[float, float] | np.ndarray,
    *,
    output_shape: tuple[int, int] | None = None,
    cval: float = 0.0,
) -> np.ndarray:
    """Resample ``image`` at ``matrix @ (x, y) + shift`` with an exact cubic B-spline.

    ``(x, y)`` are (column, row) pixel indices of the output. This equals
    ``scipy.ndimage.affine_transform(image.T, matrix, offset=shift, order=3,
    mode="constant", cval=cval).T`` (the call sunpy's ``affine_transform``
    makes) to rounding error.

    Parameters
    ----------
    image
        2-D input (any real dtype; computed in float64).
    matrix
        2x2 matrix acting on ``(x, y)``.
    shift
        ``(x, y)`` offset in input pixels.
    output_shape
        ``(ny, nx)`` of the output; default the input's shape.
    cval
        Value outside the input.

    Returns
    -------
    numpy.ndarray
        float64 array of ``output_shape``.

    Examples
    --------
    >>> import numpy as np
    >>> img = np.random.default_rng(1).normal(size=(8, 8))
    >>> out = affine_transform_xy(img, np.eye(2), (1.0, 0.0), cval=-1.0)
    >>> bool(np.allclose(out[:, :-1], img[:, 1:])), float(out[0, -1])
    (True, -1.0)
    """
    coef = spline_prefilter(image)
    shape = output_shape if output_shape is not None else coef.shape
    return resample(coef, matrix, shift, shape, cval)
