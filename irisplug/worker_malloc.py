"""glibc's malloc thresholds in a dask worker process, at the values glibc's own tuning reaches for large arrays.

distributed starts its worker processes with ``MALLOC_TRIM_THRESHOLD_=65536``
(``distributed.nanny.pre-spawn-environ``) so that freed memory goes back to
the operating system at once. Setting it also switches off glibc's dynamic
thresholds: every block over 128 KiB is then mapped afresh from the kernel
(zeroed pages, one fault per page) and unmapped when freed, so a task whose
temporaries are a few MiB pays those faults on every array it makes. Fitting
an IRIS raster (12,800 spectra) took 97-104 ms per task without it against
122-131 ms with it (``docs/performance.md``).

distributed lets the client process's environment override that variable
and writes it into that environment when a cluster starts, so setting the
variable is not reliable from a library. ``mallopt`` in the worker process
is: :func:`apply` sets the two thresholds to the largest values glibc's
dynamic tuning would reach by itself (mmap threshold 32 MiB, trim threshold
twice that), and :func:`dask_setup` makes this module a worker preload
(``irisplug.local_cluster`` uses it, and calls :func:`apply` in its own
process, which receives every result as the client).

Outside glibc (macOS, Windows, musl) nothing is changed.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "apply", "dask_setup"]

# glibc <malloc.h>: mallopt parameter numbers
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

#: glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit systems (4 MiB x sizeof(long)): the highest its dynamic mmap
#: threshold rises to (glibc malloc/malloc.c, "M_MMAP_THRESHOLD")
MMAP_THRESHOLD = 32 * 1024 * 1024
#: glibc's dynamic rule keeps the trim threshold at twice the mmap threshold (malloc/malloc.c, ``free``)
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD


def apply(mmap_threshold: int = MMAP_THRESHOLD, trim_threshold: int = TRIM_THRESHOLD) -> bool:
    """Set glibc's malloc mmap and trim thresholds in this process (``mallopt``).

    Parameters
    ----------
    mmap_threshold
        Blocks at least this large are mapped from the kernel and unmapped
        when freed; smaller ones are reused from the heap.
    trim_threshold
        Free memory at the top of a heap beyond this goes back to the kernel.

    Returns
    -------
    bool
        True when both were set; False outside glibc (nothing changed).

    Examples
    --------
    In a worker process of one's own cluster (``irisplug.local_cluster``
    does this for its workers)::

        LocalCluster(n_workers=2, preload=["irisplug.worker_malloc"])

    or in any process, ``worker_malloc.apply()``. The defaults:

    >>> from irisplug import worker_malloc
    >>> worker_malloc.MMAP_THRESHOLD // 2**20, worker_malloc.TRIM_THRESHOLD // 2**20
    (32, 64)
    """
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 - glibc only: musl, macOS and Windows have no mallopt thresholds
        mallopt = libc.mallopt
    except (AttributeError, OSError, TypeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, int(mmap_threshold)) and mallopt(_M_TRIM_THRESHOLD, int(trim_threshold)))


def dask_setup(worker: Any) -> None:
    """distributed's preload hook: :func:`apply` in the worker's process (``preload=["irisplug.worker_malloc"]``).

    Parameters
    ----------
    worker
        The ``distributed.Worker`` being started (unused: the settings are
        the process's).

    Examples
    --------
    distributed calls it in each worker process it starts with this module
    as a preload; called directly it applies the settings to this process:

    >>> from irisplug import worker_malloc
    >>> worker_malloc.dask_setup(None)
    """
    apply()
