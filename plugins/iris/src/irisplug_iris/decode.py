"""Lazy, chunk-wise decoding of FITS image data: scaling (BSCALE/BZERO) and masking.

astropy cannot memory-map scaled integer data, so this module memory-maps
the raw big-endian bytes at the HDU's data offset and decodes each chunk in
one pass: byte swap + convert to float32, multiply by BSCALE, add BZERO
(the same float32 arithmetic as astropy, so the values agree bit for bit).
The mask flags missing pixels (-200 after scaling), non-finite values and,
for integer data, the saturation code (the largest integer).
"""

from __future__ import annotations

import mmap
import os
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["RawImage", "lazy_image", "eager_image", "MISSING_VALUE", "decode_block"]

#: IRIS Level 2 fill value for missing pixels (after scaling)
MISSING_VALUE = -200.0
_BITPIX = {8: ">u1", 16: ">i2", 32: ">i4", 64: ">i8", -32: ">f4", -64: ">f8"}
_SUB = 1 << 18  # elements per sub-block: keeps the three passes in cache


def empty_array(shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """An uninitialised array; large ones in anonymous memory advised for transparent huge pages.

    Filling a fresh multi-GB array otherwise costs one page fault per 4 kB
    (seconds per GB on some systems); with huge pages it is 512x fewer.
    """
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape)) * dtype.itemsize
    if nbytes < (32 << 20) or not hasattr(mmap, "MADV_HUGEPAGE"):
        return np.empty(shape, dtype=dtype)
    buf = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    try:
        buf.madvise(mmap.MADV_HUGEPAGE)
    except OSError:  # pragma: no cover - kernel without THP
        pass
    return np.frombuffer(buf, dtype=dtype).reshape(shape)


def decode_block(raw: np.ndarray, bscale: float, bzero: float, blank: int | None = None, out: np.ndarray | None = None) -> np.ndarray:
    """Decode raw big-endian samples to float32 (float64 for 32/64-bit integers) like astropy.

    Examples
    --------
    >>> decode_block(np.array([0, 4], dtype=">i2"), 0.25, 7992.0)
    array([7992., 7993.], dtype=float32)
    """
    kind = raw.dtype.kind
    if kind == "f":
        if out is None:
            out = empty_array(raw.shape, raw.dtype.newbyteorder("="))
        np.copyto(out, raw, casting="unsafe")
        return out
    out_dtype = np.float64 if raw.dtype.itemsize > 2 else np.float32
    flat_in = raw.reshape(-1)
    out = empty_array(flat_in.shape, out_dtype) if out is None else out.reshape(-1)
    scale = out_dtype(bscale)
    zero = out_dtype(bzero)
    for start in range(0, flat_in.size, _SUB):
        stop = min(start + _SUB, flat_in.size)
        o = out[start:stop]
        if bscale != 1:  # swap + convert + scale in one pass (float32 arithmetic, as astropy)
            np.multiply(flat_in[start:stop], scale, out=o, dtype=out_dtype, casting="unsafe")
        else:
            np.copyto(o, flat_in[start:stop], casting="unsafe")
        if bzero != 0:
            o += zero
        if blank is not None:
            o[flat_in[start:stop] == blank] = np.nan
    return out.reshape(raw.shape)


class RawImage:
    """Array-like view of one FITS image HDU that decodes on indexing (for ``dask.array.from_array``).

    Parameters
    ----------
    path
        The FITS file.
    offset
        Byte offset of the HDU's data (from ``irisplug.fileinfo.iter_fits_headers``).
    header
        The HDU's header (BITPIX, NAXISn, BSCALE, BZERO, BLANK).
    """

    def __init__(self, path: str | Path, offset: int, header: dict[str, Any]) -> None:
        self.path = str(path)
        self.offset = int(offset)
        naxis = int(header["NAXIS"])
        self.shape = tuple(int(header[f"NAXIS{i}"]) for i in range(naxis, 0, -1))
        self.raw_dtype = np.dtype(_BITPIX[int(header["BITPIX"])])
        self.bscale = float(header.get("BSCALE", 1.0) or 1.0)
        self.bzero = float(header.get("BZERO", 0.0) or 0.0)
        blank = header.get("BLANK")
        self.blank = int(blank) if blank is not None and self.raw_dtype.kind in "iu" else None
        if self.raw_dtype.kind == "f":
            self.dtype = np.dtype(self.raw_dtype.newbyteorder("="))
        else:
            self.dtype = np.dtype(np.float64 if self.raw_dtype.itemsize > 2 else np.float32)
        self.ndim = len(self.shape)
        self.saturated = None
        if self.raw_dtype == np.dtype(">i2"):
            self.saturated = float(np.float32(32767) * np.float32(self.bscale) + np.float32(self.bzero))

    def raw(self) -> np.ndarray:
        """The raw samples, memory-mapped (read-only)."""
        return np.memmap(self.path, dtype=self.raw_dtype, mode="r", offset=self.offset, shape=self.shape)

    def _will_need(self, start: int, stop: int) -> None:
        """Ask the kernel to read exposures ``start:stop`` ahead (sequential, asynchronous)."""
        per = int(np.prod(self.shape[1:])) * self.raw_dtype.itemsize
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:  # pragma: no cover
            return
        try:
            os.posix_fadvise(fd, self.offset + start * per, (stop - start) * per, os.POSIX_FADV_WILLNEED)
        except (OSError, AttributeError):  # pragma: no cover - not on every platform
            pass
        finally:
            os.close(fd)

    def __getitem__(self, item: Any) -> np.ndarray:
        raw = self.raw()
        if isinstance(item, slice) and item.step in (None, 1):
            start, stop, _ = item.indices(self.shape[0])
            self._will_need(start, max(start, stop))
        return decode_block(raw[item], self.bscale, self.bzero, self.blank)

    def read_all(self, threads: int = 2, block_bytes: int = 8 << 20) -> np.ndarray:
        """The whole image decoded into one array: memory-mapped blocks decoded by ``threads`` threads."""
        from concurrent.futures import ThreadPoolExecutor

        out = empty_array(self.shape, self.dtype)
        n = self.shape[0]
        if n == 0:
            return out
        raw = self.raw()
        self._will_need(0, n)
        per = max(1, int(np.prod(self.shape[1:])) * self.raw_dtype.itemsize)
        step = max(1, block_bytes // per)

        def work(start: int) -> None:
            stop = min(n, start + step)
            decode_block(raw[start:stop], self.bscale, self.bzero, self.blank, out=out[start:stop])

        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(work, range(0, n, step)))
        return out

    def mask_of(self, block: np.ndarray) -> np.ndarray:
        """The mask of a decoded block: missing (-200), non-finite, saturated."""
        bad = (block == MISSING_VALUE) | ~np.isfinite(block)
        if self.saturated is not None:
            bad |= block == self.saturated
        return bad


def _chunks(shape: tuple[int, ...], itemsize: int, target: int = 64 << 20) -> tuple[int, ...]:
    per_exposure = max(1, int(np.prod(shape[1:])) * itemsize)
    n = max(1, min(shape[0], target // per_exposure))
    return (n, *shape[1:])


def lazy_image(path: str | Path, offset: int, header: dict[str, Any]) -> tuple[Any, Any]:
    """``(data, mask)`` as dask arrays decoded chunk by chunk (chunks of whole exposures).

    Examples
    --------
    >>> data, mask = lazy_image(path, offset, header)  # doctest: +SKIP
    """
    import dask.array as da

    img = RawImage(path, offset, header)
    name = f"irisplug-fits-{os.path.abspath(path)}-{offset}-{os.stat(path).st_mtime_ns}"
    step = _chunks(img.shape, 4)[0]
    starts = list(range(0, img.shape[0], step))
    rest = (0,) * (img.ndim - 1)
    graph = {(name, k, *rest): (img.__getitem__, slice(s, min(s + step, img.shape[0]))) for k, s in enumerate(starts)}
    mgraph = {(name + "-mask", k, *rest): (img.mask_of, (name, k, *rest)) for k in range(len(starts))}
    chunks = (tuple(min(step, img.shape[0] - s) for s in starts), *((n,) for n in img.shape[1:]))
    data = da.Array(graph, name, chunks, dtype=img.dtype)
    mask = da.Array({**graph, **mgraph}, name + "-mask", chunks, dtype=bool)
    return data, mask


def eager_image(path: str | Path, offset: int, header: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """``(data, mask)`` decoded into memory at once."""
    img = RawImage(path, offset, header)
    data = img.read_all() if img.ndim >= 1 and img.shape[0] > 0 else img[...]
    return data, img.mask_of(data)
