"""The kernels' numba cache is dropped when any source compiled into them changes."""

from __future__ import annotations

from irisplug_fit.numba_cache import drop_stale_cache


def _cache_files(d):
    names = ["kernels._fit_one-239.py311.nbi", "kernels._fit_one-239.py311.1.nbc", "profiles.voigt-67.py311.nbi"]
    for n in names:
        (d / n).write_bytes(b"x")
    return names


def test_drop_only_when_sources_change(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    src = [tmp_path / "kernels.py", tmp_path / "profiles.py"]
    src[0].write_text("def k(): pass\n")
    src[1].write_text("def p(): pass\n")
    _cache_files(cache)
    assert drop_stale_cache(cache, "kernels", src)  # no stamp yet: dropped
    assert sorted(p.name for p in cache.glob("*.nb?")) == ["profiles.voigt-67.py311.nbi"]
    _cache_files(cache)
    assert not drop_stale_cache(cache, "kernels", src)  # unchanged sources: kept
    assert len(list(cache.glob("kernels.*.nb?"))) == 2
    src[1].write_text("def p(): return 1\n")  # only the inlined dependency changes
    assert drop_stale_cache(cache, "kernels", src)
    assert not list(cache.glob("kernels.*.nb?"))
    assert (cache / "profiles.voigt-67.py311.nbi").exists()


def test_read_only_cache_dir_is_not_an_error(tmp_path):
    src = tmp_path / "k.py"
    src.write_text("")
    assert drop_stale_cache(tmp_path / "missing", "kernels", [src])


def test_first_fits_in_two_threads_of_a_fresh_process():
    """Two threads of one process loading the kernels at once (a dask worker with 2 threads, a threaded
    LocalCluster): the one that asks for numba's version while the other is still importing numba must not fail.

    ``numba_version`` read ``sys.modules["numba"].__version__``, which a numba half-way through its import does not
    have yet (AttributeError: partially initialized module 'numba').
    """
    import os
    import subprocess
    import sys

    # the mechanism itself, whatever the kernels' state: one thread imports numba while another asks for its version
    asking = """
import threading
from irisplug_fit.numba_cache import numba_version

asked, polling, done = [], threading.Event(), threading.Event()

def ask():
    polling.set()
    while not done.is_set():
        try:
            asked.append(numba_version())
        except Exception as exc:
            asked.append(repr(exc))
            return

poller = threading.Thread(target=ask)
poller.start()
polling.wait()
import numba
done.set()
poller.join()
print("asked", len(asked), "times; wrong answers:", sorted(set(a for a in asked if a != numba.__version__)))
assert asked and all(a == numba.__version__ for a in asked), sorted(set(asked))
"""
    # and as a user meets it: two threads' first fits (engine "auto" asks whether the kernels are ready)
    fits = """
import threading
from irisplug_fit.engine import fit_spectra
from irisplug_fit.synthetic import X100, poisson_gaussians

y, _ = poisson_gaussians(64)
errors = []
start = threading.Barrier(2)

def fit():
    start.wait()
    try:
        fit_spectra(y, X100, "si_iv_1403", progress=False, threads=1)  # engine "auto": asks whether kernels are ready
    except Exception as exc:
        errors.append(repr(exc))

threads = [threading.Thread(target=fit) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("errors:", errors)
assert not errors, errors
"""
    env = {**os.environ, "IRISPLUG_QUIET": "1"}
    for code in (asking, fits, fits, fits):  # the fits race when a thread asks while the other imports numba
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
