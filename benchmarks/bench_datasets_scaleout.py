"""Dataset build scale-out: LocalCluster with 1 vs 2 worker processes, and worker memory vs number of observations.

Builds the same store (generated IRIS observations, Mg II k, 240-point grid)
on clusters of k = 1 and 2 single-thread worker processes, ``--repeats``
times each in alternation (the machine is shared and noisy), in two
configurations, interleaved: ``distributed.LocalCluster(n_workers=k,
threads_per_worker=1)`` with distributed's defaults, and
``irisplug.local_cluster(k)`` (what ``irisplug extract --workers k`` makes:
light self-monitoring, and worker processes that reuse the memory their
tasks free, ``irisplug.worker_malloc``). It reports wall time (median, min-max), the speed-up median with
min-max over the pairs, the client's CPU time and the workers' CPU time (and
the load-independent speed-up: 1-worker CPU time over the busiest of the 2
workers' CPU time; every worker is warmed up by one extraction first), and
each worker's peak resident memory (sampled) for N and 2N observations.
The stores of every run are checked to be byte-identical.

Usage: python benchmarks/bench_datasets_scaleout.py [--n 24] [--repeats 3] [--steps 16] [--ny 192]
[--configs defaults,local_cluster]
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


CONFIGS = {"defaults": "distributed.LocalCluster, distributed's defaults",
           "local_cluster": "irisplug.local_cluster (as irisplug extract --workers)"}


def _cluster(workers: int, config: str):
    from distributed import LocalCluster

    import irisplug

    if config == "local_cluster":
        return irisplug.local_cluster(workers)
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)


def _build(observations, out, workers: int, warm: str, config: str) -> dict[str, float]:
    from distributed import Client

    from irisplug_datasets import build_dataset

    with _cluster(workers, config) as cluster, Client(cluster) as client:
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
    ap.add_argument("--configs", default="defaults,local_cluster", help=f"comma-separated, of {sorted(CONFIGS)}")
    args = ap.parse_args()
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    os.environ.setdefault("IRISPLUG_QUIET", "1")
    from irisplug_datasets.synthetic import make_observations

    work = Path(tempfile.mkdtemp(prefix="bench-datasets-"))
    try:
        obs = make_observations(work / "obs", 2 * args.n, n_steps=args.steps, n_y=args.ny)
        first = obs[: args.n]
        runs = {c: {1: [], 2: []} for c in configs}
        digests = set()
        for r in range(args.repeats):
            for c in configs:
                for k in (1, 2):
                    out = work / f"store-{c}-{k}-{r}.zarr"
                    runs[c][k].append(_build(first, out, k, str(obs[-1]), c))
                    digests.add(_digest(out))
                    shutil.rmtree(out)
        print(f"CPU: {cpu_name()}, {os.cpu_count()} cores; {args.n} observations "
              f"({args.steps} steps x {args.ny} pixels, 1-2 raster files each); {args.repeats} repeats")
        for c in configs:
            print(f"  {CONFIGS[c]}:")
            for k in (1, 2):
                w = [x["wall"] for x in runs[c][k]]
                print(f"    {k} worker(s): wall median {statistics.median(w):.2f} s (min {min(w):.2f}, max {max(w):.2f}); "
                      f"client CPU median {statistics.median(x['client_cpu'] for x in runs[c][k]):.2f} s; "
                      f"workers' CPU median {statistics.median(x['worker_cpu'] for x in runs[c][k]):.2f} s; "
                      f"peak worker RSS {max(x['peak_rss_mb'] for x in runs[c][k]):.0f} MB")
            ratios = [a["wall"] / b["wall"] for a, b in zip(runs[c][1], runs[c][2], strict=True)]
            print(f"    speed-up 2 vs 1 worker (wall): median {statistics.median(ratios):.2f}x "
                  f"(min {min(ratios):.2f}, max {max(ratios):.2f})")
            # load-independent: the 1-worker CPU time over the busiest worker's CPU time with 2 workers
            cpu_ratios = [a["worker_cpu"] / b["busiest_worker_cpu"] for a, b in zip(runs[c][1], runs[c][2], strict=True)]
            print(f"    speed-up 2 vs 1 worker (CPU critical path): median {statistics.median(cpu_ratios):.2f}x "
                  f"(min {min(cpu_ratios):.2f}, max {max(cpu_ratios):.2f})")
        if len(configs) == 2:
            a, b = configs
            for k in (1, 2):
                ratios = [x["wall"] / y["wall"] for x, y in zip(runs[a][k], runs[b][k], strict=True)]
                print(f"  {k} worker(s): {a} / {b} wall median {statistics.median(ratios):.2f}x "
                      f"(min {min(ratios):.2f}, max {max(ratios):.2f})")
        try:
            print(f"  load average during the runs: {os.getloadavg()[0]:.1f} (1 min)")
        except OSError:
            pass
        print(f"  stores identical across all runs: {len(digests) == 1}")
        # memory: the same workers' peak RSS for N and 2N observations
        for c in configs:
            for n in (args.n, 2 * args.n):
                out = work / f"mem-{c}-{n}.zarr"
                m = _build(obs[:n], out, 2, str(obs[-1]), c)
                print(f"  {c}: {n} observations, 2 workers: wall {m['wall']:.2f} s, "
                      f"peak worker RSS {m['peak_rss_mb']:.0f} MB")
                shutil.rmtree(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
