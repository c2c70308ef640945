"""Cold start of the numba engine: is the kernel ready, and compiling it once, in the background.

numba compiles the LM kernel on its first use (~10-14 s of CPU) and keeps
the machine code in the per-user cache (:mod:`irisplug_fit.numba_cache`);
later processes load it in well under a second. ``fit_spectra(engine="auto")``
asks :func:`choose_engine` which engine to use:

* the numba kernel is *ready* (used in this process, or a marker says the
  per-user cache holds it for this CPU, Python and numba): numba;
* otherwise, while the numpy fits of this process stay within
  :data:`NUMPY_BUDGET_S` seconds (estimated, all calls together: the blocks
  of a large fit count as one large fit): numpy, and a background process
  compiles the kernel into the per-user cache (:func:`start_background_warm`),
  so later calls and later processes use numba;
* beyond that budget: numba, compiled in the foreground (after waiting for
  a compilation already under way, e.g. the background one, which fills the
  cache: then it is loaded).

Safety of the background compilation: one at a time per cache folder (an
``flock`` on ``warm.lock`` in it, released by the kernel if the compiler
dies), at most one launch per process and kernel variant, at low priority
(``nice`` 10), silent (its output goes to ``/dev/null``), never an exception
in the user's process (a failure to launch only means no warming), disabled
by ``IRISPLUG_FIT_WARM=0`` and when the cache folder is not writable. numba
writes every cache file to a temporary name and renames it; the marker is
written after the kernel is in the cache, so a killed compiler leaves no
marker and at worst a stray temporary file. Inside a dask worker nothing is
launched: workers use numba, one compiles under the lock while the others
wait for it and load the cached kernel.

Examples
--------
>>> from irisplug_fit.warm import choose_engine
>>> choose_engine("numpy", 10, 100, 4, kind="gauss")
'numpy'
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["NUMPY_BUDGET_S", "choose_engine", "is_ready", "mark_ready", "start_background_warm",
           "compile_lock", "marker_dir", "warming_enabled", "ensure_compiled"]

#: the longest (estimated) numpy fit ``engine="auto"`` runs instead of compiling the numba kernel first
NUMPY_BUDGET_S = 6.0
#: numpy engine seconds per spectrum, point and parameter (Xeon 2-core, one LM fit of ~8 iterations)
_NUMPY_COST = 5e-7
#: variants this process has fitted with numba (their kernel is compiled or loaded here)
_READY: set[str] = set()
_LAUNCHED: dict[str, object] = {}
#: estimated numpy seconds ``engine="auto"`` spent in this process instead of compiling
_NUMPY_SPENT = 0.0
_ENV = "IRISPLUG_FIT_WARM"


def marker_dir() -> Path:
    """Where the kernels are cached (and the ready markers and the lock live).

    The per-user kernel folder :func:`irisplug_fit.numba_cache.kernel_cache_path`,
    or, when ``NUMBA_CACHE_DIR`` is set, numba's folder for this copy of the
    package in it (numba names it ``<package folder name>_<sha1 of its path>``;
    if numba changes that, no marker is ever written there: the engine then
    keeps the numpy rule, correct and only slower).
    """
    root = os.environ.get("NUMBA_CACHE_DIR")
    if root:
        here = os.path.dirname(os.path.abspath(__file__))
        return Path(root) / f"{os.path.basename(here)}_{hashlib.sha1(here.encode()).hexdigest()}"
    from irisplug_fit.numba_cache import kernel_cache_path

    return kernel_cache_path()


@functools.cache
def _machine_key() -> str:
    """CPU model and features, Python and numba versions: what a cached kernel is valid for."""
    import platform

    from irisplug_fit.numba_cache import KERNEL_MODULES, numba_version, sources_digest

    cpu = platform.machine() + platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            lines = [ln for ln in f.read(65536).splitlines() if ln.startswith(("model name", "flags", "Features"))]
        cpu += "".join(sorted(set(lines)))
    except OSError:
        pass
    here = Path(__file__).resolve().parent
    parts = (cpu, sys.version.split()[0], numba_version(), sources_digest([here / m for m in KERNEL_MODULES]))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _marker(kind: str) -> Path:
    return marker_dir() / f"ready-{kind}-{_machine_key()}"


def is_ready(kind: str) -> bool:
    """True when the numba kernel ``kind`` (:mod:`irisplug_fit.kernel_variants`) runs without compiling here."""
    if kind in _READY:
        return True
    try:
        return _marker(kind).is_file()
    except OSError:
        return False


def mark_ready(kind: str, *, persist: bool = True) -> None:
    """Record that ``kind``'s kernel is compiled (in this process; with ``persist``, in the cache too)."""
    _READY.add(kind)
    if not persist:
        return
    with contextlib.suppress(OSError):
        m = _marker(kind)
        if m.is_file() or not any(m.parent.glob("*.nbi")):  # nothing cached there (numba could not write)
            return
        tmp = m.with_name(f"{m.name}.{os.getpid()}.tmp")
        tmp.write_text(time.strftime("%Y-%m-%dT%H:%M:%S\n"))
        os.replace(tmp, m)


def warming_enabled() -> bool:
    """False when ``IRISPLUG_FIT_WARM`` is ``0``/``false``/``no``/``off``."""
    return os.environ.get(_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def in_dask_worker() -> bool:
    """True inside a ``distributed`` worker task."""
    if "distributed" not in sys.modules:
        return False
    try:
        from distributed import get_worker

        get_worker()
    except Exception:  # noqa: BLE001 - not in a worker (ValueError), or distributed internals changed
        return False
    return True


@contextlib.contextmanager
def compile_lock(*, blocking: bool = True, timeout: float = 600.0) -> Iterator[bool]:
    """Hold the cache folder's compile lock; yields True when held, False when not available.

    ``blocking``: wait (up to ``timeout`` seconds) for another process's
    compilation to end. Without ``fcntl`` (Windows) or a writable folder it
    yields False at once.
    """
    try:
        import fcntl

        d = marker_dir()
        d.mkdir(parents=True, exist_ok=True)
        fd = os.open(d / "warm.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except (ImportError, OSError):
        yield False
        return
    held = False
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
                break
            except OSError:
                if not blocking or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
        yield held
    finally:
        if held:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _writable(d: Path) -> bool:
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(d, os.W_OK | os.X_OK)


def start_background_warm(kind: str) -> bool:
    """Launch a low-priority process compiling ``kind``'s kernel into the per-user cache; True if launched.

    Not launched (False) when disabled (``IRISPLUG_FIT_WARM=0``), in a dask
    worker, already launched by this process, when the cache folder is not
    writable, when another process holds the compile lock, or when Python
    cannot be started. Never raises.
    """
    try:
        if (not warming_enabled() or kind in _LAUNCHED or in_dask_worker() or not sys.executable
                or not Path(sys.executable).name.lower().startswith(("python", "pypy"))):
            return False
        d = marker_dir()
        if not _writable(d):
            return False
        with compile_lock(blocking=False) as free:
            if not free:
                return False
        import subprocess
        import threading

        pkg_root = str(Path(__file__).resolve().parent.parent)  # the same irisplug_fit as this process's
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (pkg_root, os.environ.get("PYTHONPATH")) if p))
        env[_ENV + "_CHILD"] = "1"
        proc = subprocess.Popen([sys.executable, "-m", "irisplug_fit.warm", kind], env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True, close_fds=True)
        _LAUNCHED[kind] = proc
        # reap it when it ends (no zombie, no ResourceWarning); a daemon thread never delays exit
        threading.Thread(target=proc.wait, name="irisplug-fit-warm-reaper", daemon=True).start()
        return True
    except Exception:  # noqa: BLE001 - warming is an optimisation: never an error of the user's fit
        return False


def numpy_seconds(nspec: int, npts: int, npar: int) -> float:
    """Estimated numpy engine time of a fit (seconds on the reference CPU)."""
    return _NUMPY_COST * nspec * max(npts, 1) * max(npar, 1)


def choose_engine(engine: str, nspec: int, npts: int, npar: int, *, kind: str) -> str:
    """The engine ``fit_spectra`` uses: ``engine`` unless it is ``"auto"`` (see the module's rule).

    ``kind``: the kernel the fit needs (:func:`irisplug_fit.kernel_variants.variant`).
    May launch the background compilation (:func:`start_background_warm`).
    """
    if engine != "auto":
        return engine
    from irisplug_fit.engine import numba_available

    if not numba_available():
        return "numpy"
    if is_ready(kind) or in_dask_worker():
        return "numba"
    global _NUMPY_SPENT
    cost = numpy_seconds(nspec, npts, npar)
    if _NUMPY_SPENT + cost <= NUMPY_BUDGET_S:  # per process: a fit in many blocks waits for the compiler
        _NUMPY_SPENT += cost
        start_background_warm(kind)
        return "numpy"
    return "numba"


_HOLDING = False


def ensure_compiled(kind: str, *, blocking: bool = True) -> None:
    """Make ``kind``'s numba kernel ready: load it, or compile it once per cache folder.

    Under the compile lock (waiting for another process's compilation, after
    which the kernel is in the cache), a one-spectrum fit compiles the kernel
    (each kernel has one type signature, see
    :func:`irisplug_fit.kernels.kernel_arguments`; the kernels are named in
    :mod:`irisplug_fit.kernel_variants`) and the marker is written.
    ``blocking=False`` returns at once when another process holds the lock.
    """
    global _HOLDING
    if _HOLDING or is_ready(kind):
        return
    with compile_lock(blocking=blocking) as held:
        if not held and not blocking:
            return
        if is_ready(kind):  # another process compiled it while we waited
            return
        _HOLDING = True
        try:
            _compile(kind)
        finally:
            _HOLDING = False
        mark_ready(kind)


def _compile(kind: str) -> None:
    """A one-spectrum fit that runs (so compiles or loads) the numba kernel ``kind``."""
    import numpy as np

    from irisplug_fit.engine import fit_spectra

    x = np.linspace(1401.77, 1403.77, 40)
    y = 10.0 + 100.0 * np.exp(-0.5 * ((x - 1402.77) / 0.05) ** 2)
    if kind == "plain":  # the general kernel: a non-uniform grid keeps the fit off the Gaussian fast path
        x = x.copy()
        x[1] += 0.01 * (x[1] - x[0])
    # a one-line template at the peak: no instrument plugin needed
    fit_spectra(y[None], x, None, engine="numba", voigt=kind == "voigt", threads=1, progress=False)


def _main(kind: str) -> int:
    """The background compiler: at low priority, compiles ``kind``'s kernel unless another process is."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)
    ensure_compiled(kind, blocking=False)
    return 0


if __name__ == "__main__":
    # run the module's importable copy: the engine's calls must see the same lock state (_HOLDING)
    from irisplug_fit.warm import _main as main

    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "gauss"))
