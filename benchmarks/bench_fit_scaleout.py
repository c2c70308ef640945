"""Fit scale-out: a raster sequence fitted on a LocalCluster with 1 vs 2 worker processes.

Generates ``--files`` IRIS raster files (Si IV 1403 window, ``--steps`` x
``--ny`` spectra each; 12 x 64 x 200 = 153,600 spectra by default), fits the
sequence in-process once (the reference), then on clusters of k = 1 and 2
single-thread worker processes, ``--repeats`` times in alternation (the
machine is shared and noisy), each k in three configurations:

- ``distributed defaults``: ``distributed.LocalCluster(n_workers=k,
  threads_per_worker=1, processes=True)`` with nothing changed;
- ``irisplug.local_cluster``: ``irisplug.local_cluster(k)``, the same
  cluster created under ``irisplug.LIGHT_MONITORING`` (distributed's
  event-loop tick, memory poll, system monitor and profiler at longer
  intervals; on a LocalCluster the scheduler and the nannies run in the
  client's process and take CPU from the workers' cores), its workers
  preloading ``irisplug.worker_malloc`` (glibc's malloc thresholds at the
  values its own tuning reaches, instead of distributed's
  ``MALLOC_TRIM_THRESHOLD_=65536``, under which every array over 128 KiB is
  mapped and faulted in afresh), and the same thresholds in the client's
  process;
- ``bare`` (the host's ceiling): no dask at all, the very tasks the cluster
  runs (one per raster: read, decode and mask it, fit it on one thread),
  handed one by one to 1 or 2 plain processes (``concurrent.futures``). What
  it loses against 2x is the host's: two processes computing at once on
  these 2 vCPUs run slower than one alone. Its processes inherit this
  process's environment, which the first cluster's nannies may have set to
  distributed's worker environment (``distributed.nanny.pre-spawn-environ``:
  ``MALLOC_TRIM_THRESHOLD_=65536`` among others), so each applies
  ``irisplug.worker_malloc`` as ``irisplug.local_cluster``'s workers do:
  they allocate memory alike whatever ran before.

Each cluster configuration runs in a process of its own (spawned once, driven through a pipe, interleaved with
the others): ``irisplug.local_cluster`` sets glibc's malloc thresholds in the process that calls it (the client,
scheduler and nannies' process), which cannot be undone, and ``distributed defaults`` must not inherit that.

Every worker is warmed up first (imports, numba kernels loaded), outside the timing. Each cluster then
fits the sequence ``--fits`` times (3 by default: more pairs per minute on a host whose speed drifts; the
1-worker and 2-worker fits are paired in order).

Reported per configuration: wall time (median, min-max), the speed-up median with min-max over
the pairs, the client's CPU time (the client process also runs the
scheduler and the nannies of a ``LocalCluster``: the main thread's share is
the fit's own client-side work) and the workers' CPU time, the CPU critical-path
speed-up (1-worker CPU over the busiest of the 2 workers' CPU), and from dask's task stream the concurrency of the fit
tasks: the sum of their run times over (wall x threads) (1.0 = every thread
busy all the time) and the share of the wall time during which two workers were fitting at the same
time (the serial fraction is what is left), and the wall ratio projected from CPU times alone for two free
cores (robust to other users' load; see the code). Every run's maps are checked to
be bit-identical with the in-process fit.

Each fit task of the current code reads its block's spectra (from the files) and fits them, so "busy" counts
reading too.

Usage: python benchmarks/bench_fit_scaleout.py [--files 12] [--steps 64] [--ny 200] [--repeats 3] [--fits 3]
[--data DIR] [--configs defaults,light,bare]
(``--data``: generate the files there once and reuse them in later runs, e.g. to interleave two versions of the
code run with different ``PYTHONPATH``).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import pickle
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from _machine import machine_line  # benchmarks/_machine.py, beside this script

KEYS = ("si_iv_1403.amplitude", "si_iv_1403.centre", "si_iv_1403.width", "si_iv_1403.width_err", "bg0", "chi2",
        "niter", "status")


def _worker_cpu(client) -> dict[str, float]:
    def cpu() -> float:
        import resource

        ru = resource.getrusage(resource.RUSAGE_SELF)
        return ru.ru_utime + ru.ru_stime

    return client.run(cpu)


def _warm() -> bool:
    """Import what the fit tasks use and load the kernels in this worker (outside the timing).

    ``dask.array`` (the tasks' concatenations; it imports xarray and pandas when installed: 1.5-2.5 s of CPU
    measured on this machine) and the IRIS reader are imported here too: a worker pays that once in its life, and
    in the timing it counted once with 1 worker but twice with 2, capping the speed-up near 1.5x.
    """
    import dask.array  # noqa: F401

    import irisplug_iris.decode  # noqa: F401
    from irisplug_fit.engine import fit_spectra
    from irisplug_fit.synthetic import X100, poisson_gaussians

    y, _ = poisson_gaussians(256)
    fit_spectra(y, X100, "si_iv_1403", progress=False, threads=1)
    return True


def _maps(results) -> list[dict[str, np.ndarray]]:
    return [{k: np.asarray(m[k].data) for k in KEYS} for m in results]


def _identical(a, b) -> bool:
    return all(np.array_equal(x[k], y[k], equal_nan=True) and x[k].dtype == y[k].dtype
               for x, y in zip(a, b, strict=True) for k in KEYS)


def _union(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _concurrency(stream: list[dict], wall: float, threads: int) -> tuple[float, float, int]:
    """From the task stream: (busy, overlap, fit tasks).

    busy: the sum of the fit tasks' run times over (wall x threads), 1.0 = every thread fitting all the time;
    overlap: the share of the wall time during which at least two workers were fitting at once (0 with 1 worker).
    """
    per_worker: dict[str, list[tuple[float, float]]] = {}
    n = 0
    for rec in stream:
        if "irisplug-fitblock" not in str(rec.get("key", "")):
            continue
        n += 1
        for ss in rec.get("startstops", ()):
            if ss.get("action") == "compute":
                per_worker.setdefault(rec.get("worker", "?"), []).append((ss["start"], ss["stop"]))
    busy = sum(b - a for spans in per_worker.values() for a, b in spans)
    events = sorted(ev for spans in per_worker.values() for a, b in _union(spans) for ev in ((a, 1), (b, -1)))
    now, last, both = 0, None, 0.0
    for t, d in events:
        if now >= 2 and last is not None:
            both += t - last
        now, last = now + d, t
    return busy / (wall * threads), both / wall, n


CONFIGS = {"defaults": "distributed defaults",
           "light": "irisplug.local_cluster (LIGHT_MONITORING, irisplug.worker_malloc)",
           "bare": "no dask: the same tasks in 1 or 2 plain processes (this host's ceiling)"}

#: the cluster's fit tasks, in a process of the plain pool (``bare``)
_TASKS: list = []


def _bare_tasks(seq) -> bytes:
    """The very tasks ``fit_any(seq, client=...)`` submits to 2 single-thread workers (one per raster here), pickled.

    Built as ``irisplug_fit.scaleout`` builds them (private helpers: this measures our own code), each asked for one
    fit thread, as a single-thread worker's task runs.
    """
    import cloudpickle

    from irisplug_fit.cube import _plan
    from irisplug_fit.scaleout import (
        FitInput,
        _block_args,
        _block_tasks,
        _BlockTask,
        _prepare,
        _spatial_chunks,
        _TaskGroups,
        cluster_block_spectra,
    )

    plans = [_plan(c, "si_iv_1403", None, "auto") for c in seq.data]
    per = cluster_block_spectra(sum(int(np.prod(p.data.shape[:-1])) for p in plans), 2)
    groups = _TaskGroups(per)
    closed = []
    for k, p in enumerate(plans):
        prep = _prepare(FitInput(p.data, p.x, p.template, p.unc, p.mask, p.invalid), per, {}, False, False,
                        keep_chunks=False)
        for idx, _, args in _block_tasks(prep, _spatial_chunks(prep.darr.shape[:-1], per)):
            closed.extend(groups.add(k, idx, int(np.prod(args["shape"][:-1])),
                                     _block_args(prep, args, {"threads": 1}, 1)))
    closed.append(groups.close())
    tasks = [_BlockTask([args for *_, args in blocks]) for blocks in closed if blocks]
    return cloudpickle.dumps(tasks)


def _bare_warm(tasks: bytes) -> int:
    """Load the tasks and the kernels in a pool process, outside the timing; hold on so each process takes one.

    glibc's malloc thresholds are set as in ``irisplug.local_cluster``'s workers (this process may have inherited
    distributed's ``MALLOC_TRIM_THRESHOLD_`` from an earlier cluster's nannies).
    """
    from irisplug import worker_malloc

    worker_malloc.apply()
    _warm()
    _TASKS[:] = pickle.loads(tasks)
    time.sleep(1.0)
    return os.getpid()


def _bare_fit(k: int) -> tuple[int, float, np.ndarray]:
    """Task ``k`` run in this process: read, decode and mask its raster, fit it on one thread."""
    c0 = time.process_time()
    out = _TASKS[k]()
    return os.getpid(), time.process_time() - c0, out


def _bare(tasks: bytes, n: int, workers: int, fits: int) -> list[dict[str, float]]:
    """The peer without dask: the ``n`` tasks handed one by one to whichever of ``workers`` processes is free."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    out = []
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as ex:
        assert len(set(ex.map(_bare_warm, [tasks] * workers))) == workers
        for _ in range(fits):
            t0 = time.perf_counter()
            done = list(ex.map(_bare_fit, range(n)))
            wall = time.perf_counter() - t0
            per: dict[int, float] = {}
            for pid, cpu, _ in done:
                per[pid] = per.get(pid, 0.0) + cpu
            out.append({"wall": wall, "worker_cpu": sum(per.values()), "busiest_worker_cpu": max(per.values())})
    return out


def _report_bare(runs: dict[int, list[dict[str, float]]]) -> None:
    for k in (1, 2):
        w = [x["wall"] for x in runs[k]]
        print(f"    {k} process(es): wall median {statistics.median(w):.2f} s (min {min(w):.2f}, max {max(w):.2f}); "
              f"fit CPU median {statistics.median(x['worker_cpu'] for x in runs[k]):.2f} s")
    ratios = [a["wall"] / b["wall"] for a, b in zip(runs[1], runs[2], strict=True)]
    cpu_ratios = [a["worker_cpu"] / b["busiest_worker_cpu"] for a, b in zip(runs[1], runs[2], strict=True)]
    print(f"    speed-up 2 vs 1 process (wall): median {statistics.median(ratios):.2f}x (min {min(ratios):.2f}, "
          f"max {max(ratios):.2f}); CPU critical path {statistics.median(cpu_ratios):.2f}x "
          f"(min {min(cpu_ratios):.2f}, max {max(cpu_ratios):.2f})")


def _cluster(workers: int, config: str):
    from distributed import LocalCluster

    import irisplug

    if config == "light":
        return irisplug.local_cluster(workers, threads_per_worker=1, processes=True)
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)


def _run(seq, workers: int, config: str, fits: int,
         warm_client: bool = False) -> list[tuple[dict[str, float], list[dict[str, np.ndarray]]]]:
    """``fits`` timed fits of ``seq`` on one new cluster: (measures, maps) of each (``warm_client``: one untimed fit
    first, for the imports and first calls of a new client process)."""
    from distributed import Client, get_task_stream

    from irisplug_fit.cube import fit_any

    out = []
    with _cluster(workers, config) as cluster, Client(cluster) as client:
        client.run(_warm)
        if warm_client:
            fit_any(seq, "si_iv_1403", client=client, progress=False)
        threads = sum(client.nthreads().values())
        for _ in range(fits):
            before = _worker_cpu(client)
            with get_task_stream(client) as ts:
                c0, m0, t0 = time.process_time(), time.thread_time(), time.perf_counter()
                maps = fit_any(seq, "si_iv_1403", client=client, progress=False)
                wall, cpu, main = time.perf_counter() - t0, time.process_time() - c0, time.thread_time() - m0
            after = _worker_cpu(client)
            per = [after[w] - before[w] for w in after]
            busy, overlap, ntasks = _concurrency(ts.data, wall, threads)
            out.append(({"wall": wall, "client_cpu": cpu, "client_main_cpu": main, "worker_cpu": sum(per),
                         "busiest_worker_cpu": max(per), "busy": busy, "overlap": overlap, "tasks": ntasks},
                        _maps(maps)))
    return out


def _config_process(config: str, obs: str, conn) -> None:
    """A cluster configuration's own process: answers ``(workers, fits)`` requests from ``conn`` with
    :func:`_run`'s results until it receives None."""
    os.environ.setdefault("IRISPLUG_QUIET", "1")
    import irisplug

    seq = irisplug.read(obs)["Si IV 1403"]
    first = True
    while (request := conn.recv()) is not None:
        workers, fits = request
        conn.send(_run(seq, workers, config, fits, warm_client=first))
        first = False
    conn.close()


def _report(runs: dict[int, list[dict[str, float]]]) -> None:
    for k in (1, 2):
        r = runs[k]
        w = [x["wall"] for x in r]
        print(f"    {k} worker(s): wall median {statistics.median(w):.2f} s (min {min(w):.2f}, max {max(w):.2f}); "
              f"client CPU median {statistics.median(x['client_cpu'] for x in r):.2f} s (our code in the main "
              f"thread {statistics.median(x['client_main_cpu'] for x in r):.2f} s, the rest the event loop: "
              f"scheduler, nannies, comms); "
              f"workers' CPU median {statistics.median(x['worker_cpu'] for x in r):.2f} s; "
              f"fit tasks {r[0]['tasks']}; busy (fit-task time / wall x threads) median "
              f"{statistics.median(x['busy'] for x in r):.2f} (min {min(x['busy'] for x in r):.2f}, "
              f"max {max(x['busy'] for x in r):.2f}); wall share with 2 workers fitting at once median "
              f"{statistics.median(x['overlap'] for x in r):.2f}")
    ratios = [a["wall"] / b["wall"] for a, b in zip(runs[1], runs[2], strict=True)]
    print(f"    speed-up 2 vs 1 worker (wall): median {statistics.median(ratios):.2f}x "
          f"(min {min(ratios):.2f}, max {max(ratios):.2f}); ratio of the median walls "
          f"{statistics.median(x['wall'] for x in runs[1]) / statistics.median(x['wall'] for x in runs[2]):.2f}x")
    cpu_ratios = [a["worker_cpu"] / b["busiest_worker_cpu"] for a, b in zip(runs[1], runs[2], strict=True)]
    print(f"    speed-up 2 vs 1 worker (CPU critical path: 1-worker CPU / busiest of 2): median "
          f"{statistics.median(cpu_ratios):.2f}x (min {min(cpu_ratios):.2f}, max {max(cpu_ratios):.2f})")
    # what the wall ratio would be on 2 free cores, from CPU times only (robust to other users' load): 1 worker
    # takes its CPU time (the client runs beside it); 2 workers take the busiest one's CPU time or half of all
    # the CPU (workers + client and scheduler) when that is longer
    proj = [(a["worker_cpu"]) / max(b["busiest_worker_cpu"], (b["worker_cpu"] + b["client_cpu"]) / 2)
            for a, b in zip(runs[1], runs[2], strict=True)]
    print(f"    speed-up 2 vs 1 worker projected on 2 free cores from CPU times (1-worker CPU / max(busiest of 2, "
          f"(workers + client CPU) / 2)): median {statistics.median(proj):.2f}x (min {min(proj):.2f}, "
          f"max {max(proj):.2f})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=12)
    ap.add_argument("--steps", type=int, default=64)
    ap.add_argument("--ny", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--data", type=Path, default=None, help="folder to generate the files in once and reuse")
    ap.add_argument("--fits", type=int, default=3, help="timed fits on each new cluster (paired run by run)")
    ap.add_argument("--configs", default="defaults,light,bare", help=f"comma-separated, of {sorted(CONFIGS)}")
    args = ap.parse_args()
    os.environ.setdefault("IRISPLUG_QUIET", "1")
    import irisplug
    from irisplug_fit.cube import fit_any
    from irisplug_iris.generator import generate

    work = args.data or Path(tempfile.mkdtemp(prefix="bench-fit-scaleout-"))
    try:
        if args.data is None or not (work / "obs").exists():
            generate(work / "obs", n_rasters=args.files, n_steps=args.steps, n_y=args.ny, windows=("Si IV 1403",),
                     sji=(), spectral_summing=1, quiet=True)
        seq = irisplug.read(work / "obs")["Si IV 1403"]
        n_spectra = sum(int(np.prod(c.data.shape[:-1])) for c in seq.data)
        t0 = time.perf_counter()
        ref = _maps(fit_any(seq, "si_iv_1403", scheduler="local", progress=False))
        t_local = time.perf_counter() - t0
        configs = [c.strip() for c in args.configs.split(",") if c.strip()]
        runs = {c: {1: [], 2: []} for c in configs}
        if "bare" in configs:
            bare = _bare_tasks(seq)
            bare_n = len(pickle.loads(bare))
        identical = True
        ctx = multiprocessing.get_context("spawn")
        procs = {}
        for c in configs:
            if c != "bare":
                conn, child = ctx.Pipe()
                procs[c] = (ctx.Process(target=_config_process, args=(c, str(work / "obs"), child)), conn)
                procs[c][0].start()
        try:
            for _ in range(args.repeats):
                for c in configs:
                    for k in (1, 2):
                        if c == "bare":
                            runs[c][k].extend(_bare(bare, bare_n, k, args.fits))
                            continue
                        procs[c][1].send((k, args.fits))
                        for m, maps in procs[c][1].recv():
                            runs[c][k].append(m)
                            identical &= _identical(ref, maps)
        finally:
            for proc, conn in procs.values():
                with contextlib.suppress(OSError):  # a child that died has closed its end: its error is raised
                    conn.send(None)
                proc.join(60)
        print(f"CPU: {machine_line()}; {args.files} files x {args.steps} steps x {args.ny} pixels = {n_spectra} "
              f"spectra (Si IV 1403, si_iv_1403); {args.repeats} repeats of {args.fits} fits on a new cluster each; "
              f"k = 1 and 2 worker processes of 1 thread, configurations interleaved")
        print(f"  in-process (all cores, files one after another): {t_local:.2f} s (first run, includes compile/load)")
        for c in configs:
            print(f"  {CONFIGS[c]}:")
            (_report_bare if c == "bare" else _report)(runs[c])
        try:
            print(f"  load average after the runs: {os.getloadavg()[0]:.1f} (1 min)")
        except OSError:
            pass
        import irisplug_fit

        print(f"  irisplug_fit from {Path(irisplug_fit.__file__).parent}")
        print(f"  maps bit-identical with the in-process fit in every run: {identical}")
    finally:
        if args.data is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
