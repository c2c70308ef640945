"""Lazy, chunk-wise decoding of FITS image data: scaling (BSCALE/BZERO) and masking.

astropy cannot memory-map scaled integer data, so this module reads the raw
big-endian bytes at the HDU's data offset (``pread`` for runs of whole
exposures, a read-only memory map for any other selection) and decodes them
in cache-sized sub-blocks: byte swap + convert to float32, multiply by
BSCALE, add BZERO (the same float32 arithmetic as astropy, so the values
agree bit for bit).
The mask flags missing pixels (-200 after scaling), non-finite values and,
for integer data, the saturation code (the largest integer).
Lazy data are read long after the file was opened: every read checks, with
one ``fstat`` of the descriptor it reads, that the file is still the one
opened (inode, size, modification time) and raises a
``CorruptFileError`` naming it otherwise, so a file replaced or rewritten
in between never lends its pixels to the first file's times and pointing.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["RawImage", "lazy_image", "eager_image", "MISSING_VALUE", "decode_block"]

#: IRIS Level 2 fill value for missing pixels (after scaling)
MISSING_VALUE = -200.0
_BITPIX = {8: ">u1", 16: ">i2", 32: ">i4", 64: ">i8", -32: ">f4", -64: ">f8"}
_SUB = 1 << 18  # elements per sub-block: keeps the three passes in cache
_SPARE_BUFFERS = 4  # read buffers beyond one per decoding thread: the reader runs this far ahead
#: bytes per ``pread`` of :meth:`RawImage.read_all`: small enough that the block the kernel just copied is still in
#: the CPU's cache (2 MB L2 per core here) when a decoder reads it. 443 MB int16 cold, one decoder, runs of 31
#: interleaved on the loaded 2-core VM, per-run medians vs dd: 1 MB 1.37x, 1.32x, 1.88x, 1.99x; 4 MB 1.58x, 1.24x,
#: 1.89x, 2.15x (CPU 0.39-0.42 s vs 0.42-0.43 s); within the noise alone, faster with the prefault below
READ_BLOCK_BYTES = 1 << 20


@functools.cache
def _fused_kernels() -> Any:
    """:mod:`irisplug_iris._decode_kernels` (numba), or None without numba."""
    try:
        from irisplug_iris import _decode_kernels
    except ImportError:
        return None
    return _decode_kernels


#: whole-image decodes of at least this many raw bytes use the compiled one-pass kernel: it saves about 0.45 s
#: of CPU per GB, and costs numba's import and the kernels' cache load once per process (measured 2.1 + 2.7 s
#: on the loaded 2-core VM, several times less when quiet; compiling once per environment, 7 s loaded)
FUSED_MIN_BYTES = 256 << 20
#: the same once numba is imported anyway (a compiled plugin ran in this process), from this size
FUSED_MIN_BYTES_NUMBA_LOADED = 8 << 20


def _use_fused(raw_bytes: int) -> bool:
    import sys

    limit = FUSED_MIN_BYTES_NUMBA_LOADED if "numba" in sys.modules else FUSED_MIN_BYTES
    return raw_bytes >= min(limit, FUSED_MIN_BYTES) and _fused_kernels() is not None


def decode_block(raw: np.ndarray, bscale: float, bzero: float, blank: int | None = None, out: np.ndarray | None = None,
                 mask: np.ndarray | None = None, saturated: float | None = None, fused: bool = False) -> np.ndarray:
    """Decode raw big-endian samples to float32 (float64 for 32/64-bit integers) like astropy.

    With ``mask`` (a boolean array like ``raw``), the mask of missing
    (-200), non-finite and ``saturated`` values is written into it in the
    same cache-sized pass. ``fused=True`` decodes int16 (IRIS level 2) in
    one pass per sample with a compiled kernel when numba is installed
    (same values bit for bit; worth its import for large images only).

    Examples
    --------
    >>> decode_block(np.array([0, 4], dtype=">i2"), 0.25, 7992.0)
    array([7992., 7993.], dtype=float32)
    """
    kind = raw.dtype.kind
    flat_in = raw.reshape(-1)
    if fused and blank is None and raw.dtype == np.dtype(">i2") and (mask is None or saturated is not None):
        kernels = _fused_kernels()
        if kernels is not None:
            out = np.empty(flat_in.shape, np.float32) if out is None else out.reshape(-1)
            words = flat_in.view(np.uint16)  # the big-endian bytes as native words: swapped in the kernel
            if mask is None:
                kernels.decode_be_i2(words, np.float32(bscale), np.float32(bzero), out)
            else:
                kernels.decode_be_i2_mask(words, np.float32(bscale), np.float32(bzero), out, mask.reshape(-1),
                                          np.float32(MISSING_VALUE), np.float32(saturated))
            return out.reshape(raw.shape)
    if kind == "f":
        out_dtype = raw.dtype.newbyteorder("=")
    else:
        out_dtype = np.dtype(np.float64 if raw.dtype.itemsize > 2 else np.float32)
    out = np.empty(flat_in.shape, out_dtype) if out is None else out.reshape(-1)
    flat_mask = None if mask is None else mask.reshape(-1)
    scale = out_dtype.type(bscale)
    zero = out_dtype.type(bzero)
    # integers are finite unless BLANK; floats need the check
    check_finite = kind == "f" or blank is not None
    for start in range(0, flat_in.size, _SUB):
        stop = min(start + _SUB, flat_in.size)
        o = out[start:stop]
        if kind == "f":
            np.copyto(o, flat_in[start:stop], casting="unsafe")
        elif bscale != 1:  # swap + convert + scale in one pass (float32 arithmetic, as astropy)
            np.multiply(flat_in[start:stop], scale, out=o, dtype=out_dtype, casting="unsafe")
        else:
            np.copyto(o, flat_in[start:stop], casting="unsafe")
        if kind != "f" and bzero != 0:
            o += zero
        if blank is not None:
            o[flat_in[start:stop] == blank] = np.nan
        if flat_mask is not None:
            m = flat_mask[start:stop]
            np.equal(o, MISSING_VALUE, out=m)
            if check_finite:
                m |= ~np.isfinite(o)
            if saturated is not None:
                m |= o == saturated
    return out.reshape(raw.shape)


def _open_data(path: str | Path) -> int:
    """A read-only descriptor of ``path`` for decoding (lazy data are read long after the file was opened):
    a file that vanished or cannot be read any more is an IrisplugError naming it, not a raw OSError."""
    try:
        return os.open(path, os.O_RDONLY)
    except FileNotFoundError as exc:
        from irisplug.errors import SourceNotFoundError

        raise SourceNotFoundError("the file is gone (it was there when it was opened; its data are "
                                  "read only now)", path=path) from exc
    except OSError as exc:
        from irisplug.errors import CorruptFileError

        raise CorruptFileError(f"cannot read the image data: {exc.strerror or exc}", path=path) from exc


#: what identifies the file a lazy image was opened from: ``(st_ino, st_size, st_mtime_ns)``. Not the device
#: number: a dask worker on another host sees a shared (network) file system under another ``st_dev``
FileIdentity = tuple[int, int, int]


def _identity(st: os.stat_result) -> FileIdentity:
    """The ``(st_ino, st_size, st_mtime_ns)`` of a stat result (see :class:`RawImage`)."""
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _pread_into(fd: int, buf: np.ndarray, offset: int, path: str) -> None:
    """Fill ``buf`` with the file's bytes at ``offset`` (several reads if the kernel returns fewer)."""
    view = memoryview(buf.reshape(-1).view(np.uint8))
    done = 0
    while done < view.nbytes:
        try:
            got = os.preadv(fd, [view[done:]], offset + done)
        except OSError as exc:  # e.g. EIO from a failing disk or a network file system
            from irisplug.errors import CorruptFileError

            raise CorruptFileError(f"reading the image data at byte {offset + done} failed: "
                                   f"{exc.strerror or exc}", path=path) from exc
        if got <= 0:
            from irisplug.errors import TruncatedFileError

            raise TruncatedFileError(f"{path}: file ends at byte {offset + done}, inside an image's data "
                                     f"({view.nbytes - done} bytes missing)")
        done += got


#: fresh outputs of at least this many bytes are faulted in by a background thread (:class:`_Populate`) while the
#: reader waits on the disk. 443 MB int16 cold, 1 MB blocks, 31 interleaved runs twice on the loaded 2-core VM:
#: 1.58x and 1.71x dd with it, 1.88x and 1.99x without (per-run medians; 0.02-0.04 s more CPU)
_PREFAULT = True
_PREFAULT_MIN_BYTES = 64 << 20
_MADV_POPULATE_WRITE = 23  # Linux >= 5.14


class _Populate:
    """Faults in the pages of a fresh output array in a background thread, ahead of the decoder.

    ``madvise(MADV_POPULATE_WRITE)`` allocates (and zeroes) the pages without changing what is written there, so
    it can race the decoder harmlessly; while the reader waits on the disk the zeroing runs on a free CPU instead
    of inside the decoder's page faults. Does nothing where the call is unavailable (not Linux, kernel < 5.14).
    """

    def __init__(self, out: np.ndarray, chunk: int = 16 << 20) -> None:
        import threading

        self._halt = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(out, chunk), daemon=True, name="irisplug-prefault")
        self._thread.start()

    def _run(self, out: np.ndarray, chunk: int) -> None:
        try:
            import ctypes

            madvise = ctypes.CDLL(None, use_errno=True).madvise
            madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
        except (OSError, AttributeError):  # pragma: no cover - no libc madvise
            return
        page = os.sysconf("SC_PAGE_SIZE")
        start = -(-out.ctypes.data // page) * page  # whole pages inside the array
        end = (out.ctypes.data + out.nbytes) // page * page
        for a in range(start, end, chunk):
            if self._halt.is_set() or madvise(a, min(chunk, end - a), _MADV_POPULATE_WRITE) != 0:
                return  # finished early, or the kernel lacks the call: the decoder faults the rest in

    def stop(self) -> None:
        self._halt.set()
        self._thread.join()


def _decode_workers() -> int:
    """Decoding threads for :meth:`RawImage.read_all`: the usable CPUs (``irisplug.usable_cpus``), at most 8."""
    from irisplug import usable_cpus

    return min(usable_cpus(), 8)


def _iso(ns: int) -> str:
    """A modification time in ns as UTC ISO 8601 (for messages)."""
    import datetime

    return datetime.datetime.fromtimestamp(ns / 1e9, datetime.UTC).isoformat(timespec="microseconds")


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

    Notes
    -----
    The file's identity (``os.stat``: inode, size, modification
    time in ns) is recorded here, as :attr:`identity`, and every read
    (:meth:`read_exposures`, :meth:`read_all`, :meth:`raw`) compares it with
    one ``os.fstat`` of the descriptor it reads: a file replaced by another
    (``os.replace``, a new download under the same name) or rewritten since
    raises a :class:`~irisplug.errors.CorruptFileError` naming the file, and
    one cut short inside this image's data a
    :class:`~irisplug.errors.TruncatedFileError`, never pixels of another
    file under this one's header, times and pointing.

    Examples
    --------
    >>> img = RawImage(path, offset, header)  # doctest: +SKIP
    >>> img[0:1].shape == (1, *img.shape[1:])  # doctest: +SKIP
    True
    >>> os.replace(other_file, path)  # doctest: +SKIP
    >>> img[0:1]  # doctest: +SKIP
    Traceback (most recent call last):
    CorruptFileError: ...: the file changed since it was opened (...)
    """

    def __init__(self, path: str | Path, offset: int, header: dict[str, Any]) -> None:
        from irisplug_iris.checks import check_image_header

        self.path = str(path)
        self.offset = int(offset)
        # BITPIX, NAXISn, BSCALE (finite, non-zero), BZERO (finite) checked: CorruptFileError otherwise
        self.shape = check_image_header(header, path, f"image HDU at byte {offset}", tuple(range(1, 1000)))
        fd = _open_data(self.path)  # (a vanished or unreadable file: the errors naming it)
        try:
            #: ``(st_ino, st_size, st_mtime_ns)`` of the file when this image was opened
            self.identity: FileIdentity = _identity(os.fstat(fd))
        finally:
            os.close(fd)
        self.raw_dtype = np.dtype(_BITPIX[int(header["BITPIX"])])
        self.bscale = float(header.get("BSCALE", 1.0))
        self.bzero = float(header.get("BZERO", 0.0))
        blank = header.get("BLANK")
        if blank is not None and self.raw_dtype.kind in "iu" and not (isinstance(blank, int) and not isinstance(blank, bool)):
            from irisplug.errors import CorruptFileError

            raise CorruptFileError(f"image HDU at byte {offset}: BLANK = {blank!r} is not an integer", path=path)
        self.blank = int(blank) if blank is not None and self.raw_dtype.kind in "iu" else None
        if self.raw_dtype.kind == "f":
            self.dtype = np.dtype(self.raw_dtype.newbyteorder("="))
        else:
            self.dtype = np.dtype(np.float64 if self.raw_dtype.itemsize > 2 else np.float32)
        self.ndim = len(self.shape)
        self.saturated = None
        if self.raw_dtype == np.dtype(">i2"):
            self.saturated = float(np.float32(32767) * np.float32(self.bscale) + np.float32(self.bzero))
        # integers without BLANK decode to finite values unless scaling the extreme integers overflows (checked here
        # with the decoder's own arithmetic): then the mask needs no finiteness pass
        self.always_finite = False
        if self.raw_dtype.kind in "iu" and self.blank is None:
            info = np.iinfo(self.raw_dtype)
            with np.errstate(over="ignore", invalid="ignore"):
                ends = np.array([info.min, info.max], self.dtype) * self.dtype.type(self.bscale) \
                    + self.dtype.type(self.bzero)
            self.always_finite = bool(np.isfinite(ends).all())

    def raw(self) -> np.ndarray:
        """The raw samples, memory-mapped (read-only) from the descriptor whose file was checked unchanged."""
        fd = _open_data(self.path)  # a vanished or unreadable file: the errors naming it
        try:
            self._check_unchanged(fd)
            with open(fd, "rb", closefd=False) as f:  # the map keeps its own reference to the checked file
                return np.memmap(f, dtype=self.raw_dtype, mode="r", offset=self.offset, shape=self.shape)
        except (OSError, ValueError) as exc:  # ValueError: the file is now shorter than its header says
            from irisplug.errors import IrisplugError, TruncatedFileError

            if isinstance(exc, IrisplugError):
                raise
            raise TruncatedFileError(f"cannot map the image at byte {self.offset}: {exc}",
                                     path=self.path) from exc
        finally:
            os.close(fd)

    def _check_unchanged(self, fd: int) -> None:
        """Raise unless the file open as ``fd`` is the one this image was opened from (one ``fstat``)."""
        st = os.fstat(fd)
        if _identity(st) == self.identity:
            return
        from irisplug.errors import CorruptFileError, TruncatedFileError

        end = self.offset + int(np.prod(self.shape)) * self.raw_dtype.itemsize
        ino, size, mtime = self.identity
        if st.st_ino == ino and st.st_size < end:
            raise TruncatedFileError(f"file ends at byte {st.st_size}, inside the data of the image at byte "
                                     f"{self.offset} ({end - st.st_size} bytes missing): it was cut short "
                                     f"since it was opened ({size} bytes then)", path=self.path)
        what = "replaced by another file" if st.st_ino != ino else "rewritten in place"
        raise CorruptFileError(f"the file changed since it was opened ({what}: {size} -> {st.st_size} bytes, "
                               f"modified {_iso(mtime)} -> {_iso(st.st_mtime_ns)}); its lazy data are read only "
                               "now and would not match the times, pointing and headers read then: open it again "
                               "(irisplug.read)", path=self.path)

    def __getitem__(self, item: Any) -> np.ndarray:
        if isinstance(item, slice) and item.step in (None, 1):
            start, stop, _ = item.indices(self.shape[0])
            return self.read_exposures(start, max(start, stop))
        return decode_block(self.raw()[item], self.bscale, self.bzero, self.blank)

    def read_exposures(self, start: int, stop: int) -> np.ndarray:
        """Exposures ``start:stop`` decoded (one ``pread`` of their bytes, no memory map)."""
        per = int(np.prod(self.shape[1:]))
        raw = np.empty((stop - start) * per, self.raw_dtype)
        if raw.size:
            fd = _open_data(self.path)
            try:
                self._check_unchanged(fd)
                _pread_into(fd, raw, self.offset + start * per * self.raw_dtype.itemsize, self.path)
            finally:
                os.close(fd)
        out = np.empty(raw.shape, self.dtype)
        return decode_block(raw, self.bscale, self.bzero, self.blank, out=out).reshape((stop - start, *self.shape[1:]))

    def read_all(self, with_mask: bool = True, threads: int | None = None,
                 block_bytes: int = READ_BLOCK_BYTES, out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        """``(data, mask)`` of the whole image, decoded at about the speed of reading the bytes.

        ``mask`` is None when ``with_mask`` is False. ``out``, if given, is
        the array to decode into (C-contiguous, writeable, of the image's
        shape and decoded dtype) and is returned as ``data``: decoding many
        images of one shape into one buffer saves allocating (and the kernel
        faulting in) a fresh output each time. A fresh output of 64 MB or
        more is faulted in by a background thread while the reader waits on
        the disk (``madvise(MADV_POPULATE_WRITE)``, Linux >= 5.14).

        The calling thread reads the raw bytes in file order, block by block
        (``pread`` into a small pool of reusable buffers: no memory map, no
        page faults on the file), so the kernel sees one sequential stream
        and reads ahead as it does for ``dd``; ``threads`` worker threads
        (default: the usable CPUs; one fewer where int16 data decode in one
        compiled pass per sample: numba installed, and 256 MB of raw data or
        more, or 8 MB once numba is imported anyway) decode each block, mask
        included, straight into the output while the next block is read. Blocks of
        ``block_bytes`` (1 MB) stay in the CPU cache between the kernel's copy
        and the decoder's read. Threads
        reading blocks in parallel defeat the kernel's sequential readahead:
        measured 1.5x slower than a single sequential reader on the same file.

        Examples
        --------
        >>> img = RawImage(path, offset, header)  # doctest: +SKIP
        >>> data, mask = img.read_all()  # doctest: +SKIP
        >>> img.read_all(with_mask=False, out=buffer)  # doctest: +SKIP
        """
        from concurrent.futures import ThreadPoolExecutor
        from queue import SimpleQueue

        fresh = out is None
        if fresh:
            out = np.empty(self.shape, self.dtype)
        else:
            self._check_out(out)
        mask = np.empty(self.shape, bool) if with_mask else None
        size = out.size
        if size == 0:
            return out, mask
        isz = self.raw_dtype.itemsize
        per = max(1, block_bytes // isz)
        fused = _use_fused(size * isz)  # (imports the kernels before the threads start)
        # the compiled decode keeps up with the disk on fewer threads: the reader and the decoders together
        # use the CPUs (one more thread: 443 MB int16 cold, 1 MB blocks, 31 interleaved runs on the loaded 2-core
        # VM, 1.50x dd vs 1.37x with one decoder; earlier on a quiet machine 0.04 s more kernel time, no faster)
        workers = threads or (max(1, _decode_workers() - 1) if fused else _decode_workers())
        flat_out = out.reshape(-1)
        flat_mask = None if mask is None else mask.reshape(-1)
        free: SimpleQueue = SimpleQueue()  # buffers not being read into or decoded from
        for _ in range(workers + _SPARE_BUFFERS):
            free.put(np.empty(per, self.raw_dtype))

        def decode(start: int, stop: int, buf: np.ndarray) -> None:
            try:
                decode_block(buf[: stop - start], self.bscale, self.bzero, self.blank, out=flat_out[start:stop],
                             mask=None if flat_mask is None else flat_mask[start:stop], saturated=self.saturated,
                             fused=fused)
            finally:
                free.put(buf)

        fd = _open_data(self.path)
        populate = None
        try:
            self._check_unchanged(fd)
            if fresh and _PREFAULT and out.nbytes >= _PREFAULT_MIN_BYTES:
                populate = _Populate(out)
            with ThreadPoolExecutor(max_workers=workers) as pool:
                decoded = []
                for start in range(0, size, per):
                    stop = min(size, start + per)
                    buf = free.get()
                    _pread_into(fd, buf[: stop - start], self.offset + start * isz, self.path)
                    decoded.append(pool.submit(decode, start, stop, buf))
            for done in decoded:
                done.result()
        finally:
            os.close(fd)
            if populate is not None:
                populate.stop()
        return out, mask

    def _check_out(self, out: Any) -> None:
        if not isinstance(out, np.ndarray) or out.shape != self.shape or out.dtype != self.dtype \
                or not out.flags.c_contiguous or not out.flags.writeable:
            from irisplug.errors import InconsistentInputError

            what = (f"{type(out).__name__} {getattr(out, 'shape', '')} {getattr(out, 'dtype', '')}").strip()
            raise InconsistentInputError(f"cannot decode the image at byte {self.offset} into {what}: "
                                         f"need a writeable C-contiguous numpy array of shape {self.shape} and "
                                         f"dtype {self.dtype}", path=self.path)

    def accepts(self, out: Any) -> bool:
        """Whether :meth:`read_all` can decode straight into ``out``."""
        try:
            self._check_out(out)
        except ValueError:
            return False
        return True

    def mask_of(self, block: np.ndarray) -> np.ndarray:
        """The mask of a decoded block: missing (-200), non-finite, saturated."""
        bad = block == MISSING_VALUE
        if not self.always_finite:
            bad |= ~np.isfinite(block)
        if self.saturated is not None:
            bad |= block == self.saturated
        return bad


#: decoded bytes per dask chunk: real windows (1-5 MB per exposure) get one exposure per chunk, so reading
#: one raster step or SJI frame decodes only that exposure (dask 2026 no longer fuses a slice into the
#: chunk read); small windows are grouped up to this size to keep the graph short
CHUNK_TARGET_BYTES = 4 << 20


def _chunks(shape: tuple[int, ...], itemsize: int, target: int = CHUNK_TARGET_BYTES) -> tuple[int, ...]:
    per_exposure = max(1, int(np.prod(shape[1:])) * itemsize)
    n = max(1, min(shape[0], target // per_exposure))
    return (n, *shape[1:])


@functools.cache
def _window_array_type() -> type:
    """A dask array of one FITS image whose full materialisation takes the threaded reader.

    Dask computes an array chunk by chunk and then copies the chunks into
    the result: twice the memory and one more pass. Converting the whole,
    untouched lazy image (``np.asarray(cube.data)``, ``cube.data.compute()``)
    instead reads it straight into the result with :meth:`RawImage.read_all`,
    and ``cube.data.store(buffer)`` (dask's store into an existing array) into
    a numpy buffer of the same shape and dtype.
    Any dask operation (slicing, arithmetic, persist) returns a plain dask
    array, so everything else keeps dask's own behaviour.
    """
    import dask.array as da

    class WindowArray(da.Array):
        def _untouched(self) -> bool:
            return self.dask is getattr(self, "_irisplug_graph", None)

        def __array__(self, dtype: Any = None, copy: Any = None, **kwargs: Any) -> np.ndarray:
            if self._untouched() and not kwargs:
                out = self._irisplug_image.read_all(with_mask=False)[0]
                return out if dtype is None else out.astype(dtype, copy=False)
            return super().__array__(dtype=dtype, copy=copy, **kwargs)

        def compute(self, **kwargs: Any) -> Any:
            if self._untouched() and not kwargs:
                return self._irisplug_image.read_all(with_mask=False)[0]
            return super().compute(**kwargs)

        def store(self, target: Any, **kwargs: Any) -> Any:
            if self._untouched() and not kwargs and self._irisplug_image.accepts(target):
                self._irisplug_image.read_all(with_mask=False, out=target)
                return None
            return super().store(target, **kwargs)

    WindowArray.__module__ = __name__
    return WindowArray


def lazy_image(path: str | Path, offset: int, header: dict[str, Any]) -> tuple[Any, Any]:
    """``(data, mask)`` as dask arrays decoded chunk by chunk (chunks of whole exposures).

    Converting all of ``data`` at once reads it with the threaded reader
    (see :func:`_window_array_type`).

    Examples
    --------
    >>> data, mask = lazy_image(path, offset, header)  # doctest: +SKIP
    """
    import dask.array as da

    img = RawImage(path, offset, header)
    # the file's identity in the name: a file opened again after a change gets other keys than the old graph's
    name = f"irisplug-fits-{os.path.abspath(path)}-{offset}-{'-'.join(map(str, img.identity))}"
    step = _chunks(img.shape, 4)[0]
    starts = list(range(0, img.shape[0], step))
    rest = (0,) * (img.ndim - 1)
    graph = {(name, k, *rest): (img.__getitem__, slice(s, min(s + step, img.shape[0]))) for k, s in enumerate(starts)}
    mgraph = {(name + "-mask", k, *rest): (img.mask_of, (name, k, *rest)) for k in range(len(starts))}
    chunks = (tuple(min(step, img.shape[0] - s) for s in starts), *((n,) for n in img.shape[1:]))
    data = _window_array_type()(graph, name, chunks, dtype=img.dtype)
    data._irisplug_image = img
    data._irisplug_graph = data.dask
    mask = da.Array({**graph, **mgraph}, name + "-mask", chunks, dtype=bool)
    return data, mask


def eager_image(path: str | Path, offset: int, header: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """``(data, mask)`` decoded into memory at once."""
    return RawImage(path, offset, header).read_all()
