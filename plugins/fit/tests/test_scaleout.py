"""Scale-out of fits: every block of every raster at once, on a LocalCluster and on `dask scheduler` + `dask worker`
processes (127.0.0.1); the maps are bit-identical with the in-process fit."""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from irisplug_fit.scaleout import (
    BLOCKS_PER_THREAD,
    MAX_BLOCK,
    MIN_BLOCK,
    FitInput,
    cluster_block_spectra,
    fit_dask_many,
)

KEYS = ("si_iv_1403.amplitude", "si_iv_1403.centre", "si_iv_1403.width", "si_iv_1403.width_err", "bg0", "chi2",
        "niter", "status")
TEMPLATE = "si_iv_1403"


@pytest.fixture(scope="module")
def si_iv_sequence(tmp_path_factory):
    """4 generated raster files (8 steps x 64 pixels, Si IV 1403) read lazily, and their in-process maps."""
    generate = pytest.importorskip("irisplug_iris.generator").generate
    import irisplug
    from irisplug_fit.cube import fit_any

    root = tmp_path_factory.mktemp("scaleout") / "obs"
    generate(root, n_rasters=4, n_steps=8, n_y=64, windows=("Si IV 1403",), sji=(), spectral_summing=1, quiet=True)
    seq = irisplug.read(root)["Si IV 1403"]
    assert len(seq.data) == 4 and all(hasattr(c.data, "map_blocks") for c in seq.data)
    ref = fit_any(seq, TEMPLATE, scheduler="local", progress=False)
    return seq, [_arrays(m) for m in ref]


def _arrays(maps) -> dict[str, np.ndarray]:
    return {k: np.asarray(maps[k].data) for k in KEYS}


def _assert_identical(ref, got) -> None:
    assert len(ref) == len(got)
    for i, (a, b) in enumerate(zip(ref, got, strict=True)):
        for k in KEYS:
            assert a[k].dtype == b[k].dtype, (i, k)
            np.testing.assert_array_equal(a[k], b[k], err_msg=f"raster {i} {k}")
        assert (a["status"] == 0).sum() > 100  # the lines were fitted, not only flagged


def _fit_spans(stream) -> list[tuple[float, float, str]]:
    """(start, stop, raster) of every fit task that ran, from dask's task stream (keys: name, raster, block index)."""
    spans = []
    for rec in stream:
        key = rec.get("key")
        name = key[0] if isinstance(key, tuple) else str(key)
        if "irisplug-fitblock" in str(name):
            raster = f"{name}/{key[1]}"
            spans += [(ss["start"], ss["stop"], raster) for ss in rec.get("startstops", ()) if ss["action"] == "compute"]
    return spans


def test_block_size_from_the_cluster_threads():
    # about BLOCKS_PER_THREAD blocks per cluster thread, within [MIN_BLOCK, MAX_BLOCK]
    assert cluster_block_spectra(153_600, 2) == -(-153_600 // (2 * BLOCKS_PER_THREAD))
    assert cluster_block_spectra(153_600, 8) == -(-153_600 // (8 * BLOCKS_PER_THREAD))
    assert cluster_block_spectra(10, 4) == MIN_BLOCK
    assert cluster_block_spectra(10**9, 1) == MAX_BLOCK


def test_every_item_in_blocks_of_the_cluster_size(monkeypatch):
    # every item is cut to the cluster's block size, the last ones too (cutting the last round smaller cost more
    # tasks than it evened out); an item smaller than a block is one task, whose result is used as it is; a block
    # size given by the caller is kept. Bit-identical with one in-process fit of all the spectra either way
    distributed = pytest.importorskip("distributed")
    from irisplug_fit import scaleout
    from irisplug_fit.engine import fit_spectra
    from irisplug_fit.synthetic import X100, poisson_gaussians

    monkeypatch.setattr(scaleout, "MIN_BLOCK", 64)  # blocks of a few hundred spectra: a small, fast test
    n, count = 512, 2 * BLOCKS_PER_THREAD - 3  # spectra per item, items; with `big`, a block per item on 2 threads
    y, _ = poisson_gaussians(count * n + 3 * n)
    items = [FitInput(y[i * n:(i + 1) * n].reshape(8, n // 8, -1), X100, TEMPLATE) for i in range(count)]
    big = FitInput(y[count * n:].reshape(24, n // 8, -1), X100, TEMPLATE)  # 3 items' worth: 3 blocks
    assert cluster_block_spectra((count + 3) * n, 2) == n
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as lc, \
            distributed.Client(lc) as client:
        got = fit_dask_many([*items, big], client=client, progress=False)
        given = fit_dask_many(items[-1:], client=client, block_spectra=n // 2, progress=False)
    assert [r.meta["blocks"] for r in got] == [1] * count + [3]
    assert given[0].meta["blocks"] == 2
    ref = fit_spectra(y, X100, TEMPLATE, progress=False)
    for name in ("params", "errors", "chi2", "niter", "status", "dof"):
        ours = np.concatenate([getattr(r, name).reshape(-1, *getattr(ref, name).shape[1:]) for r in got])
        np.testing.assert_array_equal(ours, getattr(ref, name), err_msg=name)
        np.testing.assert_array_equal(getattr(given[0], name).reshape(n, *getattr(ref, name).shape[1:]),
                                      getattr(ref, name)[(count - 1) * n:count * n], err_msg=name)
    assert all(r.params.flags.writeable for r in got)  # a block used as the result stays the caller's to change


def test_small_items_share_tasks(si_iv_sequence):
    # rasters smaller than the cluster's block share tasks (every task costs the client, scheduler and worker a few
    # ms of CPU): 4 rasters of 512 spectra in tasks of about 1024 make 2 tasks of 2 rasters each; maps bit-identical
    distributed = pytest.importorskip("distributed")
    from irisplug_fit.cube import fit_any

    seq, ref = si_iv_sequence
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as lc, \
            distributed.Client(lc) as client:
        with distributed.get_task_stream(client) as ts:
            maps = fit_any(seq, TEMPLATE, client=client, block_spectra=1024, progress=False)
        spans = _fit_spans(ts.data)
    _assert_identical(ref, [_arrays(m) for m in maps])
    assert len(spans) == 2  # one task per 2 rasters (keys: name, first raster, task number)
    assert sorted(name.split("/")[1] for *_, name in spans) == ["0", "2"]


@pytest.mark.parametrize("wait", [60.0, 0.0])
def test_first_round_reaches_the_scheduler_in_one_message(si_iv_sequence, monkeypatch, wait):
    # the client sends a message at once only when it sent none in the last 10 ms: submitted one after another,
    # the second worker's first task waited ~9 ms (a raster of 12,800 spectra is 90 ms of fitting). The first
    # task per cluster thread goes in one message (one update-graph on the scheduler); later ones as they are made.
    # Held at most FIRST_ROUND_WAIT (here long, so that a loaded machine's slow planning cannot split the round;
    # at 0 each task goes alone)
    distributed = pytest.importorskip("distributed")
    from irisplug_fit import scaleout
    from irisplug_fit.cube import fit_any

    monkeypatch.setattr(scaleout, "FIRST_ROUND_WAIT", wait)

    def graph_updates(dask_scheduler):  # (task key, stimulus) of each task the scheduler was given
        return [(str(e[0]), e[-2]) for e in dask_scheduler.transition_log
                if e[1] == "released" and "irisplug-fitblock" in str(e[0])]

    seq, ref = si_iv_sequence
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as lc, \
            distributed.Client(lc) as client:
        maps = fit_any(seq, TEMPLATE, client=client, block_spectra=512, progress=False)
        given = dict(client.run_on_scheduler(graph_updates))
    _assert_identical(ref, [_arrays(m) for m in maps])
    stimuli = [s for _, s in sorted(given.items(), key=lambda kv: int(kv[0].rstrip(")").rsplit(",", 1)[1]))]
    assert len(stimuli) == 4  # a task per raster
    if wait:
        assert stimuli[0] == stimuli[1] and len(set(stimuli)) == 3, stimuli
    else:
        assert len(set(stimuli)) == 4, stimuli


def test_task_groups_end_nearest_the_block_size(monkeypatch):
    from irisplug_fit import scaleout
    from irisplug_fit.scaleout import _TaskGroups

    def tasks(per, sizes):
        g, out = _TaskGroups(per), []
        for k, n in enumerate(sizes):
            out.extend(g.add(k, (0,), n, {}))
        out.append(g.close())
        return [[k for k, *_ in t] for t in out if t]

    def closed_at(per, sizes):  # the item whose add closed each task (submitted then, before the next is planned)
        g = _TaskGroups(per)
        return [k for k, n in enumerate(sizes) for _ in g.add(k, (0,), n, {})]

    # 12 rasters of 12,800 spectra: tasks of 3 (38,400 asked), 2 (25,600), 1 (19,200: 2 would be as far above)
    assert tasks(38_400, [12_800] * 12) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]]
    assert tasks(25_600, [12_800] * 12) == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9], [10, 11]]
    assert tasks(19_200, [12_800] * 4) == [[0], [1], [2], [3]]
    # a small item joins a task nearly full when that ends nearer the size asked; a large one never
    assert tasks(1000, [900, 50, 900, 600, 600, 600, 700]) == [[0, 1], [2], [3, 4], [5, 6]]
    assert tasks(1000, [5000, 10, 10]) == [[0], [1, 2]]
    # a task full with its last block goes at once, not when the next item's first block is added
    assert closed_at(25_600, [12_800] * 6) == [1, 3, 5]
    assert closed_at(1000, [5000, 10, 10]) == [0] and closed_at(1000, [900, 100, 5]) == [1]
    monkeypatch.setattr(scaleout, "MAX_BLOCK", 1200)  # never beyond the most spectra a task holds
    assert tasks(1000, [600, 700]) == [[0], [1]] and tasks(1000, [600, 600]) == [[0, 1]]
    assert closed_at(1000, [600, 1100]) == [1, 1]  # the open task closed by a block too large, which fills its own


def test_results_fetched_from_workers_on_this_machine():
    from irisplug_fit.scaleout import _on_this_machine

    class Client:  # the one attribute read: the scheduler's address
        def __init__(self, address):
            self.scheduler = type("rpc", (), {"address": address})()

    here = Client("tcp://127.0.0.1:8786")
    assert _on_this_machine(here, ["tcp://127.0.0.1:4000", "tcp://localhost:4001", "tcp://[::1]:4002"])
    assert _on_this_machine(Client("inproc://10.0.0.5/1/1"), ["inproc://10.0.0.5/1/2"])
    assert not _on_this_machine(here, ["tcp://127.0.0.1:4000", "tcp://10.1.2.3:4001"])  # one elsewhere
    assert not _on_this_machine(Client("tcp://10.1.2.3:8786"), ["tcp://127.0.0.1:4000"])  # a remote scheduler's 127.0.0.1
    assert not _on_this_machine(here, [])
    assert not _on_this_machine(here, ["tcp://node7:4000"])


@pytest.mark.parametrize("cluster", ["LocalCluster", "irisplug.local_cluster"])
def test_local_cluster_all_rasters_at_once_bit_identical(si_iv_sequence, cluster):
    distributed = pytest.importorskip("distributed")
    import irisplug
    from irisplug_fit.cube import fit_any

    seq, ref = si_iv_sequence
    make = (irisplug.local_cluster(2) if cluster == "irisplug.local_cluster" else
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None))
    overlapping: set = set()
    fitted_on: set = set()
    with make as lc, distributed.Client(lc) as client:
        # all submitted at once: some blocks of different rasters run at the same time, never when files wait in
        # turn (then no run overlaps). On a loaded machine one worker may happen to run all 8 small tasks alone:
        # up to 3 fits, each checked in full
        for _ in range(3):
            with distributed.get_task_stream(client) as ts:
                maps = fit_any(seq, TEMPLATE, client=client, block_spectra=256, progress=False)
            spans = _fit_spans(ts.data)
            fitted_on |= {rec["worker"] for rec in ts.data if "irisplug-fitblock" in str(rec.get("key"))}
            _assert_identical(ref, [_arrays(m) for m in maps])
            # 4 rasters x 512 spectra in blocks of 256: 8 fit tasks, one per block
            assert len(spans) == 8
            assert len({name for *_, name in spans}) == 4
            # one dask task group for every block of every raster: a group larger than twice the cluster's threads
            # is queued on the scheduler and handed to whichever worker frees a thread (groups of one raster's 1-2
            # blocks were assigned to workers at submission, and under load one worker finished far behind)
            assert len({name.split("/")[0] for *_, name in spans}) == 1
            overlapping = {(a[2], b[2]) for a in spans for b in spans if a[2] != b[2] and a[0] < b[1] and b[0] < a[1]}
            if overlapping:
                break
        # each worker process that fitted has moved the objects alive after its first fit out of the garbage
        # collector's view (a full collection went through all of numba's, astropy's and distributed's: 70-87 ms)
        frozen = client.run(gc.get_freeze_count)
    assert overlapping
    assert fitted_on and all(frozen[w] > 10_000 for w in fitted_on)


def test_worker_threads_leave_the_garbage_collector_of_this_process_alone(si_iv_sequence):
    distributed = pytest.importorskip("distributed")
    from irisplug_fit.cube import fit_any

    seq, ref = si_iv_sequence
    before = gc.get_freeze_count()
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as lc, \
            distributed.Client(lc) as client:
        maps = fit_any(seq, TEMPLATE, client=client, progress=False)
    _assert_identical(ref, [_arrays(m) for m in maps])
    assert gc.get_freeze_count() == before


def test_worker_threads_decide_the_fit_threads():
    distributed = pytest.importorskip("distributed")
    from irisplug_fit.scaleout import _task_threads

    assert _task_threads(1) is None  # not on a worker: the engine's default
    with distributed.LocalCluster(n_workers=1, threads_per_worker=3, processes=False, dashboard_address=None) as lc, \
            distributed.Client(lc) as client:
        (nthreads,) = client.nthreads().values()  # the scheduler's record of the worker
        assert nthreads == 3
        # the worker's threads shared by the blocks it runs at once; never more fit threads than it has
        got = client.gather([client.submit(_task_threads, n, pure=False) for n in (1, 2, 3, 8)])
    assert got == [3, 1, 1, 1]


def test_numpy_items_and_single_block_on_cluster_identical():
    distributed = pytest.importorskip("distributed")
    from irisplug_fit.engine import fit_spectra
    from irisplug_fit.synthetic import X100, poisson_gaussians

    y, _ = poisson_gaussians(700)
    items = [FitInput(y[:300].reshape(3, 100, -1), X100, TEMPLATE), FitInput(y[300:], X100, TEMPLATE)]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as lc, \
            distributed.Client(lc) as client:
        a, b = fit_dask_many(items, client=client, progress=False)
    ref = fit_spectra(y, X100, TEMPLATE, progress=False)
    for name in ("params", "errors", "chi2", "niter", "status", "dof"):
        got = np.concatenate([getattr(a, name).reshape(300, *getattr(ref, name).shape[1:]), getattr(b, name)])
        np.testing.assert_array_equal(got, getattr(ref, name), err_msg=name)
    assert a.meta["engine"] == "dask-cluster" and a.params.shape == (3, 100, 4)


def test_progress_silent_under_ci(monkeypatch, capsys):
    from irisplug_fit.synthetic import X100, poisson_gaussians

    y, _ = poisson_gaussians(600)
    items = [FitInput(y[:300], X100, TEMPLATE), FitInput(y[300:], X100, TEMPLATE)]
    monkeypatch.delenv("IRISPLUG_QUIET", raising=False)
    monkeypatch.setenv("CI", "true")
    fit_dask_many(items, scheduler="local", block_spectra=100)  # 6 blocks, progress left to decide
    assert capsys.readouterr().err == ""
    monkeypatch.delenv("CI")
    fit_dask_many(items, scheduler="local", block_spectra=100, progress=True)
    assert "fit si_iv_1403" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)


def test_dask_scheduler_and_worker_processes_bit_identical(si_iv_sequence, tmp_path):
    distributed = pytest.importorskip("distributed")
    from irisplug_fit.cube import fit_any

    seq, ref = si_iv_sequence
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ)
    cmd = [sys.executable, "-m", "dask"]
    procs: list[subprocess.Popen] = []
    logs = [open(tmp_path / f"{n}.log", "wb") for n in ("scheduler", "worker0", "worker1")]
    try:
        procs.append(subprocess.Popen([*cmd, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                       "--no-dashboard"], cwd=tmp_path, env=env, stdout=logs[0],
                                      stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 120
        while True:  # the scheduler listens
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if procs[0].poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"dask scheduler did not start: {(tmp_path / 'scheduler.log').read_text()[-2000:]}")
                time.sleep(0.2)
        for i in (1, 2):
            procs.append(subprocess.Popen([*cmd, "worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                                           "--no-dashboard", "--name", f"w{i}"], cwd=tmp_path, env=env,
                                          stdout=logs[i], stderr=subprocess.STDOUT))
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=180)
            assert sorted(client.nthreads().values()) == [1, 1]
            with distributed.get_task_stream(client) as ts:
                # blocks of one raster each: 4 tasks (at the cluster's own block size, 2048 spectra at least, the 4
                # small rasters would share one task)
                maps = fit_any(seq, TEMPLATE, client=client, block_spectra=512, progress=False)
            workers_used = {rec["worker"] for rec in ts.data if "irisplug-fitblock" in str(rec.get("key"))}
        _assert_identical(ref, [_arrays(m) for m in maps])
        assert len(workers_used) == 2  # both workers fit; the client fetched the results from them directly
    finally:
        _stop(procs[::-1])
        for f in logs:
            f.close()


def test_fit_threads_do_not_change_results(poisson_si_iv):
    from irisplug_fit.engine import fit_spectra

    y, x = poisson_si_iv["y"], poisson_si_iv["x"]
    one = fit_spectra(y, x, TEMPLATE, threads=1, progress=False)
    two = fit_spectra(y, x, TEMPLATE, threads=2, progress=False)
    for name in ("params", "errors", "chi2", "niter", "status", "dof"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name), err_msg=name)
    assert (one.status == 0).mean() > 0.9


def test_block_levels_equal_the_core_invalid_mask(si_iv_sequence):
    # the per-block levels (applied where a block is fitted) against the core's invalid_mask on the whole cube:
    # the reader's missing_value / valid_min / saturation_level, finite points only
    from irisplug.model import invalid_mask
    from irisplug_fit.cube import InvalidLevels, _invalid_levels

    seq, _ = si_iv_sequence
    cube = seq.data[1]
    data = np.array(cube.data)
    data[0, :3, 10:20] = -150.0  # below the reader's valid_min, not its missing value (not in its own mask)
    data[1, 5, 7], data[2, 2, 2] = np.inf, -np.inf  # infinite: left to the fit engine, not a level
    levels = _invalid_levels(cube)
    assert isinstance(levels, InvalidLevels) and not levels.empty
    expected = np.asarray(invalid_mask(cube, data)) & np.isfinite(data)
    own = np.asarray(cube.mask)
    assert (expected & ~own).any()  # the levels find points the reader's own mask does not hold
    got = own | levels(data.copy())
    np.testing.assert_array_equal(got, own | expected)
    # block by block (as on a cluster) the same as on the whole cube
    halves = [levels(data[:4].copy()), levels(data[4:].copy())]
    np.testing.assert_array_equal(np.concatenate(halves), levels(data.copy()))
    # a number given as fill_below: every point at or below it
    np.testing.assert_array_equal(_invalid_levels(cube, 5.0)(data), data <= 5.0)
    assert _invalid_levels(cube, None).empty


class _WholeArray:
    """An array-like dask keeps whole under one key (as h5py datasets or other readers' objects)."""

    def __init__(self, a):
        self.a, self.shape, self.dtype, self.ndim = a, a.shape, a.dtype, a.ndim

    def __getitem__(self, item):
        return self.a[item]


def test_graph_carried_by_each_block_or_shared():
    distributed = pytest.importorskip("distributed")
    import dask.array as da

    from irisplug_fit.engine import fit_spectra
    from irisplug_fit.scaleout import _block_tasks, _prepare
    from irisplug_fit.synthetic import X100, poisson_gaussians

    y, _ = poisson_gaussians(8000)
    own = _prepare(FitInput(da.from_array(y, chunks=(1000, -1)), X100, TEMPLATE), 1000, {}, False, False,
                   keep_chunks=False)
    tasks = _block_tasks(own, (1000,))
    assert len(tasks) == 8 and max(len(a["graph"]) for *_, a in tasks) < 2 * 1000 * y.shape[1] * 8  # its own slice
    whole = da.from_array(_WholeArray(y), chunks=(1000, -1))
    assert _block_tasks(_prepare(FitInput(whole, X100, TEMPLATE), 1000, {}, False, False, keep_chunks=False),
                        (1000,)) is None
    ref = fit_spectra(y, X100, TEMPLATE, progress=False)
    grouped = da.from_array(y.reshape(8, 1000, -1), chunks=(1, 500, -1))  # blocks of 2 chunks, assembled on the worker
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as lc, \
            distributed.Client(lc) as client:
        got = fit_dask_many([FitInput(whole, X100, TEMPLATE), FitInput(da.from_array(y, chunks=(1000, -1)), X100,
                                                                          TEMPLATE), FitInput(grouped, X100, TEMPLATE)],
                            client=client, block_spectra=1000, progress=False)
    assert got[2].params.shape == (8, 1000, ref.params.shape[-1])
    for res in got:  # the shared graph (one copy of the whole array), per-block tasks, grouped chunks: the same numbers
        for name in ("params", "errors", "chi2", "niter", "status", "dof"):
            ours, theirs = getattr(res, name), getattr(ref, name)
            np.testing.assert_array_equal(ours.reshape(theirs.shape), theirs, err_msg=name)


def test_blocks_group_whole_chunks(si_iv_sequence):
    # a cluster block is a group of the input's whole chunks (each computed once, by one task), and a raster's
    # task needs no dask.array on the worker (no rechunk layer: a fresh worker importing dask.array paid 1.5-2.5 s)
    import dask.array as da

    from irisplug_fit.cube import _plan
    from irisplug_fit.scaleout import _block_tasks, _prepare, _spatial_chunks
    from irisplug_fit.synthetic import X100, poisson_gaussians

    seq, _ = si_iv_sequence
    plan = _plan(seq.data[0], TEMPLATE, None, "auto")
    p = _prepare(FitInput(plan.data, plan.x, plan.template, plan.unc, plan.mask, plan.invalid), 512, {}, False, False,
                 keep_chunks=False)
    assert p.darr.chunks == plan.data.chunks  # not rechunked
    tasks = _block_tasks(p, _spatial_chunks(p.darr.shape[:-1], 512))
    assert len(tasks) == 1 and b"dask.array" not in tasks[0][2]["graph"]
    y, _ = poisson_gaussians(800)
    chunked = da.from_array(y.reshape(8, 100, -1), chunks=(1, 100, -1))
    p = _prepare(FitInput(chunked, X100, TEMPLATE), 400, {}, False, False, keep_chunks=False)
    tasks = _block_tasks(p, _spatial_chunks(p.darr.shape[:-1], 400))
    assert p.darr.chunks == chunked.chunks and [r for _, r, _ in tasks] == [(slice(0, 4), slice(0, 100)),
                                                                               (slice(4, 8), slice(0, 100))]
    assert [len(a["keys"][0]) for *_, a in tasks] == [4, 4]
    # input chunks larger than a block are cut to the block size (a task fits at most its block's spectra)
    big = da.from_array(y.reshape(8, 100, -1), chunks=(4, 100, -1))
    p = _prepare(FitInput(big, X100, TEMPLATE), 100, {}, False, False, keep_chunks=False)
    assert p.darr.chunks[:-1] == ((1,) * 8, (100,))
    assert len(_block_tasks(p, _spatial_chunks(p.darr.shape[:-1], 100))) == 8


def test_fit_spectra_keywords_pass_through_the_block_path(si_iv_sequence):
    """A keyword of fit_spectra that the block path also sets itself (``threads``) is the caller's to give for lazy
    cubes as for numpy data: it once raised a raw TypeError there (the keyword given twice)."""
    from irisplug_fit.cube import fit_any

    seq, ref = si_iv_sequence
    lazy = [_arrays(fit_any(cube, TEMPLATE, scheduler="local", progress=False, threads=1)) for cube in seq.data]
    _assert_identical(ref, lazy)


def test_in_process_blocks_read_each_input_chunk_once(poisson_si_iv):
    """In-process, a block's data and a mask derived from them are computed together: each input chunk runs once
    (separate computes of data and mask read every chunk of a file twice)."""
    import threading

    import dask.array as da

    from irisplug_fit.cube import fit_array
    from irisplug_fit.engine import fit_spectra

    y, x = poisson_si_iv["y"][:400], poisson_si_iv["x"]
    calls = []
    lock = threading.Lock()

    def load(block: np.ndarray) -> np.ndarray:
        with lock:
            calls.append(block.shape)
        return block.copy()

    data = da.from_array(y, chunks=(100, -1)).map_blocks(load, dtype=y.dtype, meta=np.empty((0, 0), y.dtype))
    mask = data < 0  # derived from the data: shares their chunk tasks
    res = fit_array(data, x, TEMPLATE, mask=mask, scheduler="local", block_spectra=200, progress=False)
    assert len(calls) == 4, calls
    ref = fit_spectra(y, x, TEMPLATE, mask=y < 0, progress=False)
    np.testing.assert_array_equal(res.params, ref.params)


def test_blocks_cut_to_the_fitted_columns_fit_as_the_whole_window():
    """Blocks are cut to the columns the template fits before their masks and copies: the same fits, to the bit,
    as fit_spectra on the whole window, in-process and on a cluster, with an uncertainty and a mask (and a window
    of descending wavelengths)."""
    distributed = pytest.importorskip("distributed")
    import dask.array as da

    from irisplug_fit.engine import fit_spectra
    from irisplug_fit.line_templates import get_template
    from irisplug_fit.scaleout import _fitted_columns

    x = np.linspace(1400.5, 1405.0, 577)
    rng = np.random.default_rng(5)
    y = rng.poisson(50 * np.exp(-0.5 * ((x - 1402.77) / 0.05) ** 2) + 20, (400, x.size)).astype(np.float32)
    unc = np.sqrt(y + 1.0)
    mask = rng.random(y.shape) < 0.05
    cols = _fitted_columns(x, get_template(TEMPLATE))
    assert 0 < cols.stop - cols.start < x.size / 2  # the template fits part of the window
    for xs, ys, us, ms in ((x, y, unc, mask), (x[::-1], y[:, ::-1], unc[:, ::-1], mask[:, ::-1])):
        ref = fit_spectra(ys, xs, TEMPLATE, uncertainty=us, mask=ms, progress=False)
        assert (ref.status == 0).mean() > 0.9
        item = FitInput(da.from_array(ys, chunks=(50, -1)), xs, TEMPLATE, da.from_array(us, chunks=(50, -1)),
                        da.from_array(ms, chunks=(50, -1)))
        local = fit_dask_many([item], scheduler="local", block_spectra=150, progress=False)[0]
        with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                      dashboard_address=None) as lc, distributed.Client(lc) as client:
            cluster = fit_dask_many([item], client=client, block_spectra=150, progress=False)[0]
        for got in (local, cluster):
            for name in ("params", "errors", "chi2", "niter", "status", "dof"):
                np.testing.assert_array_equal(getattr(got, name), getattr(ref, name), err_msg=name)
            np.testing.assert_array_equal(got.wavelength, ref.wavelength)


@pytest.mark.parametrize("profile", ["gaussian", "voigt"])
def test_packed_rows_carry_every_map(poisson_si_iv, profile):
    # a cluster task's result travels as rows (_pack) and comes back as a FitResult (_result): every map of it,
    # derived ones too (velocities, intensity errors from the covariances, at-bound flags), equals the map of the
    # fit's own result to the bit, and each map is one contiguous row
    from irisplug_fit.engine import fit_spectra
    from irisplug_fit.maps import result_maps
    from irisplug_fit.scaleout import _pack, _Prepared, _result

    y = poisson_si_iv["y"][:600].copy()
    y[3] = np.nan  # a spectrum not fitted
    y[5] = 40.0  # no line: its amplitude ends on its bound (0)
    y[6] = 80 - (y[6] - y[6].min()) * 0.05  # an absorption line: on bounds too
    res = fit_spectra(y.reshape(20, 30, -1), poisson_si_iv["x"], TEMPLATE, covariance=True, progress=False,
                      voigt=profile == "voigt")
    assert res.covariance is not None and (res.status != 0).any() and (res.bound_flags & 1).any()
    back = _result(_Prepared(None, None, None, poisson_si_iv["x"], res.template, res.shape, res.absolute_sigma),
                   _pack(res), "dask-cluster", 1)
    ours, theirs = result_maps(back), result_maps(res)
    assert ours.keys() == theirs.keys() and f"{res.template.components[0].name}.intensity_err" in ours
    for name, (a, unit) in theirs.items():
        b, unit_b = ours[name]
        assert unit_b == unit and b.dtype == a.dtype and b.shape == (20, 30), name
        np.testing.assert_array_equal(b, a, err_msg=name)
        assert b.flags.c_contiguous, name
