"""Shared fixtures of the fit plugin tests: generated spectra with known truth, IRIS test data."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from irisplug_fit.synthetic import X100, gaussians


@pytest.fixture(scope="session")
def poisson_si_iv() -> dict[str, np.ndarray]:
    """2000 Poisson spectra of one Si IV 1402.77 Gaussian + constant, with the truth."""
    rng = np.random.default_rng(20240329)
    n = 2000
    truth = {
        "bg": rng.uniform(20, 60, n),
        "amp": rng.uniform(200, 1500, n),
        "cen": 1402.77 + rng.normal(0, 0.03, n),
        "sig": rng.uniform(0.025, 0.06, n),
    }
    model = gaussians(X100, truth["bg"], [(truth["amp"], truth["cen"], truth["sig"])])
    truth["y"] = rng.poisson(model).astype(float)
    truth["x"] = X100
    return truth


@pytest.fixture(scope="session")
def iris_obs():
    """The irispy-lmsal 8-step raster test observation, read through irisplug."""
    irispy = pytest.importorskip("irispy")
    import irisplug

    root = pathlib.Path(irispy.__file__).parent / "data" / "test" / "raster" / "iris_l2_20140329_140938_3860258481_raster"
    if not root.exists():
        pytest.skip(f"irispy-lmsal test data not found at {root}")
    return irisplug.read(root)
