"""`irisplug demo`, run as a user runs it: the whole pipeline across the built-in plugins."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from irisplug.plugin_manager import PluginManager

NEEDED = {
    "fetcher": "iris-synthetic",
    "calibrator": "iris-radiometric",
    "fitter": "lm",
    "coaligner": "sji-raster",
    "viewer": "raster-quicklook",
}


def test_demo_runs_the_pipeline(tmp_path):
    pm = PluginManager()
    missing = [f"{k} {n}" for k, n in NEEDED.items() if n not in pm.contributions(k)]
    if missing:
        pytest.skip(f"built-in plugins not installed: {missing}")
    # a brand-new environment: every numba cache empty, no background compilation
    env = dict(os.environ, MPLBACKEND="Agg", IRISPLUG_QUIET="1", IRISPLUG_CACHE_DIR=str(tmp_path / "cache"),
               NUMBA_CACHE_DIR=str(tmp_path / "numba-cache"), IRISPLUG_FIT_WARM="0")
    env.pop("IRISPLUG_ALLOW", None)
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "irisplug", "demo", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    imported = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    stderr = "\n".join(line for line in proc.stderr.splitlines() if not line.startswith("import time:"))
    assert proc.returncode == 0, proc.stdout[-3000:] + stderr[-3000:]
    assert "skipped" not in proc.stdout, proc.stdout
    # nothing on the demo's path needs a sunpy Map: sunpy.map and what it pulls in (scipy.signal, scipy.stats,
    # ~1.1-1.7 s of the demo's 6 s CPU) stay unimported
    assert not {"sunpy.map", "scipy.signal", "scipy.stats"} & imported, sorted({"sunpy.map", "scipy.signal", "scipy.stats"} & imported)
    results = json.loads((tmp_path / "results.json").read_text())
    # the generator planted a slit-jaw pointing error; every raster must find it (one SJI pixel = 0.167")
    planted = results["coalign"]["planted_arcsec"]
    for offset in results["coalign"]["offsets_arcsec"]:
        assert offset == pytest.approx(planted, abs=0.25)
    assert results["fit"]["converged_fraction_first_raster"] > 0.8
    assert results["calibration"]["unit"] == "erg / (Angstrom s sr cm2)"
    for name in results["figures"]:
        assert (tmp_path / name).stat().st_size > 10_000
    # nothing compiled with numba (the fit ran the numpy engine at once; the registration kernels of
    # irisplug_calib, ~17 s to compile, are not on the demo's path): numba's cache stayed empty
    compiled = sorted(p.name for p in (tmp_path / "numba-cache").rglob("*.nbi"))
    assert compiled == [], compiled
