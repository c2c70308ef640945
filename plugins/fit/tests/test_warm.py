"""Cold start: ``engine="auto"`` in a brand-new environment fits at once and leaves the kernel compiled for later."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from irisplug_fit import warm

# a fresh process: a small auto fit, timed from before the import; prints what it saw
_CHILD = """
import json, sys, time
t = time.perf_counter()
import numpy as np
from irisplug_fit.engine import fit_spectra
x = np.linspace(1401.77, 1403.77, 100)
rng = np.random.default_rng(3)
y = 10 + 200 * np.exp(-0.5 * ((x - 1402.81) / 0.037) ** 2) + rng.normal(0, 2, (3, x.size))
r = fit_spectra(y, x, "si_iv_1403")
print(json.dumps({"wall": time.perf_counter() - t, "engine": r.meta["engine"], "params": r.params.tolist(),
                  "status": r.status.tolist(), "numba_imported": "numba" in sys.modules, "y": y.tolist()}))
"""


def _env(cache: Path, numba_dir: bool = False, **extra: str) -> dict[str, str]:
    env = dict(os.environ, IRISPLUG_CACHE_DIR=str(cache), IRISPLUG_QUIET="1", **extra)
    env.pop("NUMBA_CACHE_DIR", None)
    if numba_dir:  # numba's own locator (every numba function of every package caches there)
        env["NUMBA_CACHE_DIR"] = str(cache / "numba-dir")
    return env


def _child(env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, check=True,
                         timeout=300)
    return json.loads(out.stdout)


def _curve_fit_reference(x: np.ndarray, y: np.ndarray, p0: np.ndarray) -> np.ndarray:
    from scipy.optimize import curve_fit

    def model(x, bg, a, c, s):
        return bg + a * np.exp(-0.5 * ((x - c) / s) ** 2)

    return curve_fit(model, x, y, p0=p0, xtol=1e-14, ftol=1e-14, gtol=1e-14, maxfev=100000)[0]


def _markers(cache: Path) -> list[Path]:
    return list(cache.rglob("ready-gauss-*"))  # si_iv_1403 on a uniform grid: the Gaussian fast path


@pytest.mark.parametrize("numba_dir", [False, True], ids=["per-user-cache", "NUMBA_CACHE_DIR"])
def test_first_fit_in_new_environment_is_fast_and_later_processes_use_numba(tmp_path, numba_dir):
    cache = tmp_path / "cache"
    first = _child(_env(cache, numba_dir))
    # numba compiles the kernel in ~10-15 s of CPU: a fit waiting for it could not take under 5 s
    assert first["engine"] == "numpy" and first["wall"] < 5.0, first["wall"]
    assert not first["numba_imported"]  # the numpy engine does not need numba
    x = np.linspace(1401.77, 1403.77, 100)
    sel = (x >= 1401.77 - 1e-9) & (x <= 1403.77 + 1e-9)
    for row, y, st in zip(first["params"], first["y"], first["status"], strict=True):
        assert st == 0
        ref = _curve_fit_reference(x[sel], np.asarray(y)[sel], np.asarray(row))
        np.testing.assert_allclose(row, ref, rtol=1e-4)
    # the background compiler fills the per-user cache, then writes its marker
    deadline = time.monotonic() + 240
    while not _markers(cache) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _markers(cache), "the background compilation did not finish in 240 s"
    assert list(_markers(cache)[0].parent.glob("kernels.*.nbi"))  # beside the kernels numba cached
    second = _child(_env(cache, numba_dir))
    assert second["engine"] == "numba" and second["wall"] < 8.0, second["wall"]  # loaded, not compiled
    np.testing.assert_allclose(second["params"], first["params"], rtol=1e-8)  # the engines agree


def test_disabled_by_environment_variable(tmp_path):
    cache = tmp_path / "cache"
    got = _child(_env(cache, IRISPLUG_FIT_WARM="0"))
    assert got["engine"] == "numpy"
    time.sleep(1.0)
    assert not _markers(cache) and not list(cache.glob("numba/*/warm.lock"))  # nothing launched


def test_not_launched_when_the_cache_cannot_be_written(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("IRISPLUG_CACHE_DIR", str(blocker / "cache"))  # below a file: cannot be created
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(warm, "_LAUNCHED", {})
    assert warm.start_background_warm("plain") is False
    assert not warm.is_ready("plain-never")


def test_not_launched_while_another_process_compiles(tmp_path, monkeypatch):
    monkeypatch.setenv("IRISPLUG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(warm, "_LAUNCHED", {})
    # the lock held through another open file (as another process's flock is)
    holder = subprocess.Popen([sys.executable, "-c", "import sys,time\nfrom irisplug_fit.warm import compile_lock\n"
                               "with compile_lock(blocking=False) as h:\n print(h, flush=True); time.sleep(30)"],
                              env=dict(os.environ), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "True"
        assert warm.start_background_warm("plain") is False
        assert warm._LAUNCHED == {}
        with warm.compile_lock(blocking=True, timeout=0.3) as held:
            assert held is False
    finally:
        holder.kill()
        holder.wait()
    with warm.compile_lock(blocking=False) as held:  # released when its holder died
        assert held is True


def test_large_fits_compile_instead_of_running_numpy(monkeypatch):
    monkeypatch.setattr(warm, "is_ready", lambda kind: False)
    monkeypatch.setattr(warm, "start_background_warm", lambda kind: True)
    monkeypatch.setattr(warm, "_NUMPY_SPENT", 0.0)
    assert warm.choose_engine("auto", 3, 100, 4, kind="gauss") == "numpy"
    assert warm.choose_engine("auto", 200_000, 100, 4, kind="gauss") == "numba"
    # many blocks of one large fit: numpy only until the process's budget is spent, then the compiled kernel
    engines = [warm.choose_engine("auto", 10_000, 100, 4, kind="gauss") for _ in range(10)]
    assert engines[0] == "numpy" and engines[-1] == "numba"
    assert sum(warm.numpy_seconds(10_000, 100, 4) for e in engines if e == "numpy") <= warm.NUMPY_BUDGET_S
    assert warm.choose_engine("numpy", 200_000, 100, 4, kind="gauss") == "numpy"
    monkeypatch.setattr(warm, "is_ready", lambda kind: True)
    assert warm.choose_engine("auto", 3, 100, 4, kind="gauss") == "numba"


def test_blocks_of_one_fit_share_one_engine(monkeypatch):
    """A fit in several blocks resolves ``"auto"`` once: no block on numpy and the next on numba.

    With a budget that the first block fits in but the whole fit does not,
    resolving per block would fit the first block with numpy and the rest
    with numba (results equal only to ~1e-10, not bit for bit).
    """
    import dask.array as da

    from irisplug_fit.engine import fit_spectra
    from irisplug_fit.scaleout import fit_dask
    from irisplug_fit.synthetic import X100, poisson_gaussians

    y, _ = poisson_gaussians(200)
    monkeypatch.setattr(warm, "is_ready", lambda kind: False)
    monkeypatch.setattr(warm, "start_background_warm", lambda kind: True)
    monkeypatch.setattr(warm, "ensure_compiled", lambda kind, blocking=True: None)  # compiled by the conftest
    monkeypatch.setattr(warm, "_NUMPY_SPENT", 0.0)
    monkeypatch.setattr(warm, "NUMPY_BUDGET_S", 1.5 * warm.numpy_seconds(50, X100.size, 4))
    got = fit_dask(da.from_array(y, chunks=(50, -1)), X100, "si_iv_1403", scheduler="local", block_spectra=50)
    ref = fit_spectra(y, X100, "si_iv_1403", engine="numba")
    np.testing.assert_array_equal(got.params, ref.params)
    np.testing.assert_array_equal(got.errors, ref.errors)


def test_rasters_of_one_sequence_share_one_engine(monkeypatch, tmp_path):
    """An in-process sequence fit resolves ``"auto"`` once: not the first rasters on numpy and the rest on numba."""
    generate = pytest.importorskip("irisplug_iris.generator").generate
    import irisplug
    from irisplug_fit.cube import fit_sequence

    generate(tmp_path / "obs", n_rasters=3, n_steps=4, n_y=32, windows=("Si IV 1403",), sji=(), spectral_summing=1,
             quiet=True)
    seq = irisplug.read(tmp_path / "obs")["Si IV 1403"]
    ref = fit_sequence(seq, "si_iv_1403", engine="numba", progress=False)
    monkeypatch.setattr(warm, "is_ready", lambda kind: False)
    monkeypatch.setattr(warm, "start_background_warm", lambda kind: True)
    monkeypatch.setattr(warm, "ensure_compiled", lambda kind, blocking=True: None)  # compiled by the conftest
    monkeypatch.setattr(warm, "_NUMPY_SPENT", 0.0)
    monkeypatch.setattr(warm, "numpy_seconds", lambda nspec, npts, npar: float(nspec))  # 1 s per spectrum
    monkeypatch.setattr(warm, "NUMPY_BUDGET_S", 1.5 * 4 * 32)  # the first raster fits in it, the sequence not
    got = fit_sequence(seq, "si_iv_1403", progress=False)
    for a, b in zip(ref, got, strict=True):
        for key in ("si_iv_1403.centre", "si_iv_1403.width", "chi2"):
            np.testing.assert_array_equal(np.asarray(a[key].data), np.asarray(b[key].data), err_msg=key)
