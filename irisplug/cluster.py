"""A ``dask.distributed`` cluster of worker processes on this machine, with distributed's own monitoring made light.

A ``LocalCluster`` runs its scheduler and the workers' nannies in the
caller's process, and every one of them, the workers too, wakes up many
times a second to watch itself: an event-loop "tick" every 20 ms, a memory
poll every 100 ms, a system monitor every 500 ms, a statistical profiler
every 10 ms. On a machine with few cores that CPU comes out of the
workers' time. Measured on 2 cores with 2 idle single-thread workers:
0.10-0.12 s of CPU per second with distributed's defaults, 0.017 s with
:data:`LIGHT_MONITORING`. Fitting 12 IRIS rasters, the client's process
took 0.15-0.18 s of CPU per run instead of 0.19-0.25 s (six interleaved
runs of ``benchmarks/bench_fit_scaleout.py``, ``docs/performance.md``).

Its worker processes also keep glibc's malloc thresholds where glibc's own
tuning takes them for large arrays (:mod:`irisplug.worker_malloc`), instead
of distributed's ``MALLOC_TRIM_THRESHOLD_=65536``, under which every array
over 128 KiB a task makes is mapped and faulted in afresh: fitting 12 IRIS
rasters took 1.31 s of worker CPU instead of 1.79 s (``docs/performance.md``).
So does the calling process, which hosts the scheduler and the nannies and,
as the client, receives every result: there glibc's dynamic thresholds
(raised only to the largest block freed so far, the trim threshold to twice
that) handed the heap's top back to the kernel after each fit's ~46 MB of
results and maps, and faulted it in again for the next (11,700 page faults
per fit of 12 rasters; client CPU 111 ms per fit instead of 91 ms on
2 workers, ``docs/performance.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from irisplug.cpus import usable_cpus

if TYPE_CHECKING:
    from distributed import LocalCluster

__all__ = ["LIGHT_MONITORING", "local_cluster"]

#: dask settings that make distributed's self-monitoring light. None of them changes what a task computes or how
#: tasks are scheduled: the tick only measures how late the event loop runs (distributed's own test suite uses
#: 500 ms); the memory poll pauses, spills or restarts a worker near its memory limit, now noticed within 0.5 s
#: instead of 0.1 s; the system monitor and the profiler feed the dashboard, now at 2 s and 100 ms.
LIGHT_MONITORING: dict[str, Any] = {
    "distributed.admin.tick.interval": "500ms",
    "distributed.worker.memory.monitor-interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.profile.interval": "100ms",
}


def local_cluster(n_workers: int | None = None, *, threads_per_worker: int = 1, processes: bool = True,
                  light_monitoring: bool = True, trim_freed_memory: bool = False, **kwargs: Any) -> LocalCluster:
    """A ``distributed.LocalCluster`` of worker processes, created with :data:`LIGHT_MONITORING` by default.

    Requires ``distributed`` (``pip install irisplug[distributed]``; the fit
    plugin installs it).

    The settings hold for the scheduler and the workers made here; workers
    added later (``cluster.scale``) take the dask configuration in force
    then (wrap the call in ``dask.config.set(LIGHT_MONITORING)``).

    Parameters
    ----------
    n_workers
        Worker processes; default: one per CPU this process may run on
        (:func:`irisplug.usable_cpus`).
    threads_per_worker
        Threads of each worker (a fit uses as many threads as its worker has).
    processes
        Workers in processes of their own (default) or as threads of this one.
    light_monitoring
        Create the cluster under :data:`LIGHT_MONITORING` (default); False
        keeps distributed's defaults.
    trim_freed_memory
        False (default): worker processes and this process reuse the memory
        they free, as any Python process on glibc does once it has freed a
        large array (:mod:`irisplug.worker_malloc` sets glibc's mmap and trim
        thresholds to 32 and 64 MiB in each worker process and here, where
        the scheduler, the nannies and the client receiving the results
        run); fit tasks measured 15-27 % faster, the client's CPU per fit
        18 % lower. True keeps distributed's ``MALLOC_TRIM_THRESHOLD_=65536``
        in the workers (freed memory goes back to the system at once, and
        every array over 128 KiB is mapped and faulted in afresh) and leaves
        this process alone.
    **kwargs
        Passed to ``distributed.LocalCluster`` (``dashboard_address`` is
        None unless given: no dashboard; ``":8787"`` serves one).

    Returns
    -------
    distributed.LocalCluster
        Close it (or use it in a ``with`` block) when done.

    Examples
    --------
    >>> from distributed import Client
    >>> import irisplug
    >>> with irisplug.local_cluster(1, processes=False) as cluster, Client(cluster) as client:
    ...     client.submit(sum, [1, 2, 3]).result()
    6
    """
    import dask
    from distributed import LocalCluster

    kwargs.setdefault("dashboard_address", None)
    if not trim_freed_memory:
        from irisplug import worker_malloc

        worker_malloc.apply()  # this process: the scheduler, the nannies (worker threads) and the client
        if processes:
            preload = kwargs.get("preload") or []
            kwargs["preload"] = [*([preload] if isinstance(preload, str) else preload), "irisplug.worker_malloc"]
    n = usable_cpus() if n_workers is None else int(n_workers)
    with dask.config.set(LIGHT_MONITORING if light_monitoring else {}):
        return LocalCluster(n_workers=n, threads_per_worker=int(threads_per_worker), processes=processes, **kwargs)
