"""irisplug.local_cluster: the light monitoring reaches the scheduler, the nannies and the worker processes.

The reference is a plain ``distributed.LocalCluster`` made beside it: its
intervals are distributed's defaults, read off its running servers the same way.
"""

from __future__ import annotations

import os

import pytest

import irisplug

distributed = pytest.importorskip("distributed")


def _periods(server, names=("tick", "monitor", "memory_monitor", "profile")) -> dict[str, float]:
    """The periods (ms) of a running server's periodic callbacks among ``names``, those it has."""
    pcs = server.periodic_callbacks
    return {name: pcs[name].callback_time for name in names if name in pcs}


def _intervals(cluster) -> dict[str, object]:
    with distributed.Client(cluster) as client:
        workers = list(client.run(lambda dask_worker: _periods(dask_worker)).values())
        assert client.submit(sum, [1, 2, 3]).result() == 6
    nannies = [_periods(w) for w in cluster.workers.values() if isinstance(w, distributed.Nanny)]
    return {"scheduler": _periods(cluster.scheduler), "workers": workers, "nannies": nannies}


def test_worker_processes_scheduler_and_nannies_run_with_light_monitoring():
    with irisplug.local_cluster(2, processes=True) as ours:
        light = _intervals(ours)
        assert len(ours.workers) == 2 and all(isinstance(w, distributed.Nanny) for w in ours.workers.values())
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as plain:
        default = _intervals(plain)
    # distributed's defaults, as its running servers report them (the test's reference)
    assert default["scheduler"]["tick"] == 20 and default["workers"][0]["memory_monitor"] == 100
    assert default["workers"][0]["profile"] == 10 and default["nannies"][0]["memory_monitor"] == 100
    # ours, in milliseconds: tick 500, system monitor 2000, memory poll 500, profiler 100, everywhere
    assert light["scheduler"] == {"tick": 500, "monitor": 2000}
    assert light["workers"] == [{"tick": 500, "monitor": 2000, "memory_monitor": 500, "profile": 100}] * 2
    assert light["nannies"] == [{"tick": 500, "monitor": 2000, "memory_monitor": 500}] * 2


def test_threads_without_light_monitoring_keep_the_defaults_and_the_dashboard_is_off():
    with irisplug.local_cluster(1, processes=False, light_monitoring=False, threads_per_worker=2) as cluster:
        got = _intervals(cluster)
        assert cluster.scheduler_spec["options"]["dashboard"] is False  # no bokeh dashboard unless asked
        assert [w["nthreads"] for w in cluster.scheduler_info["workers"].values()] == [2]
    assert got["scheduler"] == {"tick": 20, "monitor": 500}
    assert got["workers"][0]["profile"] == 10


def test_one_worker_per_usable_core_by_default():
    with irisplug.local_cluster(processes=False) as cluster:
        assert len(cluster.workers) == len(os.sched_getaffinity(0))
        assert all(w.state.nthreads == 1 for w in cluster.workers.values())
