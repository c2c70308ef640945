"""Real 2-D FFTs for the cross-correlation: planned FFTW (pyFFTW) when available, else ``scipy.fft``.

FFTW is fastest with plans measured for the exact shape (``FFTW_MEASURE``),
but measuring a 4096x4096 plan takes seconds to tens of seconds, so it is
never done implicitly. :func:`plan_fft` measures the plans of one shape and
stores FFTW's wisdom in ``$IRISPLUG_CACHE_DIR`` (default
``~/.cache/irisplug``) as ``fftw-wisdom-<cpu>.pickle``; from then on, in this
and later processes, :func:`rfft2` and :func:`irfft2` use FFTW for that shape
(plans rebuilt from the wisdom in milliseconds, kept per shape and thread
count). Every other shape, and every machine without pyFFTW, uses
``scipy.fft`` (pocketfft), as before. ``IRISPLUG_FFT=scipy`` disables FFTW.

Both paths compute the same transforms; results differ at the level of
float32 rounding.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["plan_fft", "rfft2", "irfft2", "fftw_plans", "empty_aligned", "empty_spectrum"]

_LOCK = threading.Lock()
_STATE: dict[str, Any] = {"wisdom_loaded": False}
# (kind, shape, threads) -> [FFTW plan, lock] or None (no wisdom for it: use scipy)
_PLANS: dict[tuple, list | None] = {}


def _threads(workers: int) -> int:
    if workers is None or workers < 0:
        from irisplug import usable_cpus

        return usable_cpus()
    return max(1, int(workers))


def _pyfftw() -> Any:
    if os.environ.get("IRISPLUG_FFT", "").lower() == "scipy":
        return None
    try:
        import pyfftw
    except ImportError:
        return None
    return pyfftw


def _wisdom_path() -> Path:
    import platform

    root = os.environ.get("IRISPLUG_CACHE_DIR")
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    safe = "".join(c if c.isalnum() else "-" for c in cpu)[:60]
    return (Path(root) if root else Path.home() / ".cache" / "irisplug") / f"fftw-wisdom-{safe}.pickle"


def _load_wisdom(pyfftw: Any) -> None:
    if _STATE["wisdom_loaded"]:
        return
    _STATE["wisdom_loaded"] = True
    import pickle

    try:
        with open(_wisdom_path(), "rb") as f:
            wisdom = pickle.load(f)
        pyfftw.import_wisdom(tuple(wisdom))
    except (OSError, EOFError, pickle.UnpicklingError, TypeError, ValueError):
        pass  # no (readable) wisdom yet: plans are made by plan_fft


def _save_wisdom(pyfftw: Any) -> Path:
    import pickle

    path = _wisdom_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    with open(tmp, "wb") as f:
        pickle.dump(tuple(pyfftw.export_wisdom()), f)
    os.replace(tmp, path)
    return path


def _make_plan(pyfftw: Any, kind: str, shape: tuple[int, int], threads: int, flags: tuple[str, ...]) -> Any:
    n, m = shape
    real = pyfftw.empty_aligned((n, m), dtype="float32")
    spec = pyfftw.empty_aligned((n, m // 2 + 1), dtype="complex64")
    if kind == "r2c":
        return pyfftw.FFTW(real, spec, axes=(0, 1), direction="FFTW_FORWARD", flags=flags, threads=threads)
    return pyfftw.FFTW(spec, real, axes=(0, 1), direction="FFTW_BACKWARD", flags=(*flags, "FFTW_DESTROY_INPUT"),
                       threads=threads)


def _plan(kind: str, shape: tuple[int, int], workers: int) -> list | None:
    """The cached plan of ``kind`` for ``shape`` (from wisdom only), or None (use scipy)."""
    if os.environ.get("IRISPLUG_FFT", "").lower() == "scipy":
        return None
    threads = _threads(workers)
    key = (kind, shape, threads)
    entry = _PLANS.get(key, False)
    if entry is not False:
        return entry
    pyfftw = _pyfftw()
    if pyfftw is None:
        return None
    with _LOCK:
        if key in _PLANS:
            return _PLANS[key]
        _load_wisdom(pyfftw)
        try:
            plan = _make_plan(pyfftw, kind, shape, threads, ("FFTW_MEASURE", "FFTW_WISDOM_ONLY"))
            entry = [plan, threading.Lock(), plan.input_array, plan.output_array]
        except RuntimeError:  # no wisdom for this shape: scipy
            entry = None
        _PLANS[key] = entry
        return entry


def plan_fft(shape: tuple[int, int], *, workers: int = -1, effort: str = "FFTW_MEASURE", save: bool = True) -> bool:
    """Measure FFTW plans for real images of ``shape`` (once per machine); False without pyFFTW.

    The cross-correlation of images of this shape then uses FFTW (see the
    module's description). Measuring takes seconds (``FFTW_MEASURE``, 4096x4096)
    and is kept in the wisdom file, so later processes do not measure again.

    Examples
    --------
    >>> plan_fft((64, 64), save=False) in (True, False)
    True
    """
    pyfftw = _pyfftw()
    if pyfftw is None:
        return False
    shape = (int(shape[0]), int(shape[1]))
    threads = _threads(workers)
    with _LOCK:
        _load_wisdom(pyfftw)
        for kind in ("r2c", "c2r"):
            plan = _make_plan(pyfftw, kind, shape, threads, (effort,))
            _PLANS[(kind, shape, threads)] = [plan, threading.Lock(), plan.input_array, plan.output_array]
        if save:
            try:
                _save_wisdom(pyfftw)
            except OSError:
                pass  # read-only home: the plans still serve this process
    return True


def fftw_plans() -> list[tuple[str, tuple[int, int], int]]:
    """``(kind, shape, threads)`` of the FFTW plans in use in this process (for diagnostics).

    Examples
    --------
    >>> isinstance(fftw_plans(), list)
    True
    """
    return [k for k, v in _PLANS.items() if v is not None]


def _aligned(pyfftw: Any, a: np.ndarray | None, like: np.ndarray) -> bool:
    return (a is not None and a.shape == like.shape and a.dtype == like.dtype and a.flags.c_contiguous
            and a.flags.writeable and pyfftw.is_byte_aligned(a, pyfftw.simd_alignment))


def empty_aligned(shape: tuple[int, ...], dtype: Any = np.float32) -> np.ndarray:
    """An uninitialised array aligned for FFTW's SIMD code (a plain ``np.empty`` without pyFFTW).

    Examples
    --------
    >>> empty_aligned((4, 4)).dtype
    dtype('float32')
    """
    pyfftw = _pyfftw()
    if pyfftw is None:
        return np.empty(shape, dtype)
    return pyfftw.empty_aligned(shape, dtype=dtype)


def empty_spectrum(shape: tuple[int, int]) -> np.ndarray:
    """An uninitialised complex64 ``(n, m//2+1)`` array aligned for FFTW (for ``out=``).

    Examples
    --------
    >>> empty_spectrum((8, 6)).shape
    (8, 4)
    """
    n, m = shape
    pyfftw = _pyfftw()
    if pyfftw is None:
        return np.empty((n, m // 2 + 1), np.complex64)
    return pyfftw.empty_aligned((n, m // 2 + 1), dtype="complex64")


def rfft2(image: np.ndarray, workers: int = -1, out: np.ndarray | None = None) -> np.ndarray:
    """``scipy.fft.rfft2`` of a float32 image (complex64), by a planned FFTW where one exists.

    ``out`` (from :func:`empty_spectrum`), if given, receives the result on
    the FFTW path: no fresh array to allocate and fault in.

    Examples
    --------
    >>> img = np.arange(12, dtype=np.float32).reshape(3, 4)
    >>> bool(np.allclose(rfft2(img), np.fft.rfft2(img)))
    True
    """
    entry = _plan("r2c", image.shape, workers) if image.ndim == 2 and image.dtype == np.float32 else None
    if entry is not None and entry[1].acquire(blocking=False):
        try:
            plan, _, own_in, own_out = entry
            import pyfftw

            target = out if _aligned(pyfftw, out, own_out) else pyfftw.empty_aligned(own_out.shape, own_out.dtype)
            if _aligned(pyfftw, image, own_in):
                plan.update_arrays(image, target)  # r2c keeps its input: no copy needed
            else:
                np.copyto(own_in, image)  # the copy pyFFTW itself makes of an unaligned input
                plan.update_arrays(own_in, target)
            plan.execute()
            plan.update_arrays(own_in, own_out)  # hold no reference to the caller's arrays
            return target
        finally:
            entry[1].release()
    import scipy.fft

    return scipy.fft.rfft2(image, workers=workers)


def irfft2(spectrum: np.ndarray, shape: tuple[int, int], workers: int = -1, overwrite: bool = False,
           out: np.ndarray | None = None, normalized: bool = True) -> np.ndarray:
    """``scipy.fft.irfft2(spectrum, s=shape)`` (float32 from complex64), by a planned FFTW where one exists.

    With ``overwrite=True`` the spectrum may be destroyed (saves a copy).
    With ``normalized=False`` the result is not divided by ``n * m`` (for a
    caller that scaled the spectrum already). ``out`` from
    :func:`empty_aligned` receives the result directly; any other float32
    array of the right shape receives a copy.
    ``out`` (float32, C-contiguous, aligned) may receive the result on the FFTW path.

    Examples
    --------
    >>> img = np.arange(12, dtype=np.float32).reshape(3, 4)
    >>> bool(np.allclose(irfft2(rfft2(img), img.shape), img, atol=1e-5))
    True
    """
    shape = (int(shape[0]), int(shape[1]))
    ok = spectrum.ndim == 2 and spectrum.dtype == np.complex64 and spectrum.shape == (shape[0], shape[1] // 2 + 1)
    entry = _plan("c2r", shape, workers) if ok else None
    if entry is not None and entry[1].acquire(blocking=False):
        try:
            plan, _, own_in, own_out = entry
            import pyfftw

            direct = _aligned(pyfftw, out, own_out)
            target = out if direct else own_out if out is not None else pyfftw.empty_aligned(own_out.shape, own_out.dtype)
            if overwrite and _aligned(pyfftw, spectrum, own_in):
                plan.update_arrays(spectrum, target)
            else:
                np.copyto(own_in, spectrum)  # c2r destroys its input: work on FFTW's own copy
                plan.update_arrays(own_in, target)
            plan.execute()
            plan.update_arrays(own_in, own_out)
            if normalized:
                target *= np.float32(1.0 / (shape[0] * shape[1]))  # FFTW's inverse is unnormalised
            if target is own_out:  # an unaligned out: copy (the copy pyFFTW would make)
                np.copyto(out, own_out)
                return out
            return target
        finally:
            entry[1].release()
    import scipy.fft

    return scipy.fft.irfft2(spectrum, s=shape, workers=workers, overwrite_x=overwrite,
                            norm="backward" if normalized else "forward")
