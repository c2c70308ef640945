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


def _malloc_probe() -> dict[str, object]:
    """How glibc's malloc treats large blocks in this process (run in a worker's main thread by ``client.run``).

    ``mmapped``: a 1 MiB block, allocated after a first one was freed, was mapped from the kernel (the chunk's
    IS_MMAPPED bit, bit 1 of the size word before the pointer) instead of reused from the heap. ``kept``: the
    releasable free space at the top of the main heap (``mallinfo().keepcost``) after a 16 MiB block from it is
    freed, i.e. whether freeing it trimmed the heap.
    """
    import ctypes
    import threading

    libc = ctypes.CDLL(None)
    if not hasattr(libc, "gnu_get_libc_version"):
        return {"glibc": False}
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]

    class Mallinfo(ctypes.Structure):
        _fields_ = [(name, ctypes.c_int) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                      "fsmblks", "uordblks", "fordblks", "keepcost")]

    libc.mallinfo.restype = Mallinfo
    libc.free(libc.malloc(1 << 20))
    p = libc.malloc(1 << 20)
    mmapped = bool(ctypes.c_size_t.from_address(p - ctypes.sizeof(ctypes.c_size_t)).value & 2)
    libc.free(p)
    big = libc.malloc(16 << 20)
    big_mmapped = bool(ctypes.c_size_t.from_address(big - ctypes.sizeof(ctypes.c_size_t)).value & 2)
    libc.free(big)
    return {"glibc": True, "main_thread": threading.current_thread() is threading.main_thread(),
            "mmapped": mmapped, "big_mmapped": big_mmapped, "kept": libc.mallinfo().keepcost}


def _probe_workers(cluster) -> list[dict[str, object]]:
    with distributed.Client(cluster) as client:
        return list(client.run(_malloc_probe).values())


def test_worker_processes_reuse_freed_memory_unless_asked_to_trim():
    with irisplug.local_cluster(1) as ours:
        reuse = _probe_workers(ours)[0]
    if not reuse["glibc"]:
        pytest.skip("glibc's malloc thresholds only exist on glibc")
    assert reuse["main_thread"]
    with irisplug.local_cluster(1, trim_freed_memory=True) as trimming:
        trim = _probe_workers(trimming)[0]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as plain:
        default = _probe_workers(plain)[0]
    # distributed's worker environment (MALLOC_TRIM_THRESHOLD_=65536): fixed thresholds, every large block mapped
    # afresh, nothing kept; trim_freed_memory=True leaves it so
    assert default["mmapped"] and default["big_mmapped"] and default["kept"] < 16 << 20
    assert trim["mmapped"] and trim["big_mmapped"] and trim["kept"] < 16 << 20
    # ours: 1 MiB and 16 MiB blocks come from the heap, and the freed 16 MiB stay there (trim threshold 64 MiB)
    assert not reuse["mmapped"] and not reuse["big_mmapped"]
    assert reuse["kept"] >= 16 << 20


_CALLER = """
import json, sys
import irisplug
from test_cluster import _malloc_probe
with irisplug.local_cluster(1, processes=False, trim_freed_memory=sys.argv[1] == "trim"):
    pass
print(json.dumps(_malloc_probe()))
"""


def _probe_caller(how: str) -> dict[str, object]:
    """The malloc probe in a new process that made (and closed) a ``local_cluster`` (thresholds are per process
    and cannot be reset: a process of its own for each case)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    # glibc's own defaults in the child: a LocalCluster's nannies write distributed's MALLOC_TRIM_THRESHOLD_ into
    # the environment of the process that made it (this one, if an earlier test did), which fixes the thresholds
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])
    out = subprocess.run([sys.executable, "-c", _CALLER, how], capture_output=True, text=True, env=env, timeout=120,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_calling_process_reuses_freed_memory_unless_asked_to_trim():
    # the client of a LocalCluster receives every result in its process (and runs the scheduler and the nannies)
    ours, trim = _probe_caller("reuse"), _probe_caller("trim")
    if not ours["glibc"]:
        pytest.skip("glibc's malloc thresholds only exist on glibc")
    # left alone: glibc's dynamic thresholds, raised to the 1 MiB block freed first, map the 16 MiB block and
    # unmap it when freed (nothing kept)
    assert not trim["mmapped"] and trim["big_mmapped"] and trim["kept"] < 16 << 20
    # ours: the 16 MiB block comes from the heap and stays there once freed, for the next fit's results
    assert not ours["mmapped"] and not ours["big_mmapped"] and ours["kept"] >= 16 << 20


def test_worker_threads_get_no_preload_and_user_preloads_are_kept():
    with irisplug.local_cluster(1, processes=False) as threads:
        assert all(not w.preloads for w in threads.workers.values())
    with irisplug.local_cluster(1, preload="irisplug.cluster") as ours, distributed.Client(ours) as client:
        names = client.run(lambda dask_worker: sorted(p.name for p in dask_worker.preloads))
    assert list(names.values()) == [["irisplug.cluster", "irisplug.worker_malloc"]]
