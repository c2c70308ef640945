"""Dataset build scale-out: LocalCluster with 1 vs 2 worker processes, and worker memory vs number of observations.

Builds the same store (generated IRIS observations, Mg II k, 240-point grid)
with ``distributed.LocalCluster(n_workers=k, threads_per_worker=1)`` for
k = 1 and 2, ``--repeats`` times each in alternation (the machine is shared and
noisy), and reports wall time (median, min-max), the speed-up median with
min-max over the pairs, the client's CPU time and the workers' CPU time (and
the load-independent speed-up: 1-worker CPU time over the busiest of the 2
workers' CPU time; every worker is warmed up by one extraction first), and
each worker's peak resident memory (sampled) for N and 2N observations.
The stores of every run are checked to be byte-identical.

Usage: python benchmarks/bench_datasets_scaleout.py [--n 24] [--repeats 3] [--steps 16] [--ny 192]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from _machine import cpu_name  # benchmarks/_machine.py, beside this script


def _worker_stats(client) -> dict[str, tuple[float, float]]:
    """Per worker: (CPU seconds, peak RSS MB) of the worker process."""

    def stats() -> tuple[float, float]:
        import resource

        ru = resource.getrusage(resource.RUSAGE_SELF)
        return ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0

    return client.run(stats)


def _warm(path: str) -> bool:
    """Extract one observation into a throw-away store: every import and cache of a worker is made before timing."""
    import shutil
    import tempfile

    from irisplug_datasets.extract import extract_observation
    from irisplug_datasets.selection import Selection

    tmp = tempfile.mkdtemp(prefix="warm-")
    try:
        sel = Selection(grid="2794.013:2805.987:240", line="Mg II k").to_json()
        extract_observation(0, path, sel, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return True


def _build(observations, out, workers: int, warm: str) -> dict[str, float]:
    from distributed import Client, LocalCluster

    from irisplug_datasets import build_dataset

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        client.run(_warm, warm)
        before = _worker_stats(client)
        c0, t0 = time.process_time(), time.perf_counter()
        build_dataset(observations, out, line="Mg II k", grid="2794.013:2805.987:240", client=client, quiet=True,
                      overwrite=True)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        after = _worker_stats(client)
    per = [after[w][0] - before[w][0] for w in after]
    peak = max(after[w][1] for w in after)
    return {"wall": wall, "client_cpu": cpu, "worker_cpu": sum(per), "busiest_worker_cpu": max(per),
            "peak_rss_mb": peak}


def _digest(store: Path) -> bytes:
    import hashlib

    import zarr

    root = zarr.open_group(str(store), mode="r")
    h = hashlib.sha256()
    for k in sorted(root.array_keys()):
        h.update(k.encode() + np.ascontiguousarray(root[k][...]).tobytes())
    return h.digest()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=24, help="observations")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--steps", type=int, default=16)
    ap.add_argument("--ny", type=int, default=192)
    args = ap.parse_args()
    os.environ.setdefault("IRISPLUG_QUIET", "1")
    from irisplug_datasets.synthetic import make_observations

    work = Path(tempfile.mkdtemp(prefix="bench-datasets-"))
    try:
        obs = make_observations(work / "obs", 2 * args.n, n_steps=args.steps, n_y=args.ny)
        first = obs[: args.n]
        runs: dict[int, list[dict[str, float]]] = {1: [], 2: []}
        digests = set()
        for r in range(args.repeats):
            for k in (1, 2):
                out = work / f"store-{k}-{r}.zarr"
                runs[k].append(_build(first, out, k, str(obs[-1])))
                digests.add(_digest(out))
                shutil.rmtree(out)
        print(f"CPU: {cpu_name()}, {os.cpu_count()} cores; {args.n} observations "
              f"({args.steps} steps x {args.ny} pixels, 1-2 raster files each); {args.repeats} repeats")
        for k in (1, 2):
            w = [x["wall"] for x in runs[k]]
            print(f"  {k} worker(s): wall median {statistics.median(w):.2f} s (min {min(w):.2f}, max {max(w):.2f}); "
                  f"client CPU median {statistics.median(x['client_cpu'] for x in runs[k]):.2f} s; "
                  f"workers' CPU median {statistics.median(x['worker_cpu'] for x in runs[k]):.2f} s; "
                  f"peak worker RSS {max(x['peak_rss_mb'] for x in runs[k]):.0f} MB")
        ratios = [a["wall"] / b["wall"] for a, b in zip(runs[1], runs[2], strict=True)]
        print(f"  speed-up 2 vs 1 worker (wall): median {statistics.median(ratios):.2f}x (min {min(ratios):.2f}, "
              f"max {max(ratios):.2f})")
        # load-independent: the 1-worker CPU time over the busiest worker's CPU time with 2 workers
        cpu_ratios = [a["worker_cpu"] / b["busiest_worker_cpu"] for a, b in zip(runs[1], runs[2], strict=True)]
        print(f"  speed-up 2 vs 1 worker (CPU critical path): median {statistics.median(cpu_ratios):.2f}x "
              f"(min {min(cpu_ratios):.2f}, max {max(cpu_ratios):.2f})")
        try:
            print(f"  load average during the runs: {os.getloadavg()[0]:.1f} (1 min)")
        except OSError:
            pass
        print(f"  stores identical across all runs: {len(digests) == 1}")
        # memory: the same workers' peak RSS for N and 2N observations
        for n in (args.n, 2 * args.n):
            out = work / f"mem-{n}.zarr"
            m = _build(obs[:n], out, 2, str(obs[-1]))
            print(f"  {n} observations, 2 workers: wall {m['wall']:.2f} s, peak worker RSS {m['peak_rss_mb']:.0f} MB")
            shutil.rmtree(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
