"""Shared fixtures of the fit plugin tests: generated spectra with known truth, IRIS test data."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from irisplug_fit.synthetic import X100, gaussians


@pytest.fixture(scope="session", autouse=True)
def _numba_kernels_ready() -> None:
    """Every numba kernel compiled (or loaded from the per-user cache) before the tests.

    ``engine="auto"`` then picks numba throughout, as in a warm environment:
    tests comparing two fits bit for bit see one engine (the cold-start rule,
    numpy until the kernel is compiled, has its own tests in test_warm.py).
    """
    from irisplug_fit.kernel_variants import KERNEL_VARIANTS
    from irisplug_fit.warm import ensure_compiled

    for kind in KERNEL_VARIANTS:
        ensure_compiled(kind)


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
def iris_raster_dir() -> pathlib.Path:
    """The folder of the irispy-lmsal 8-step raster test files (located by content: names differ by release)."""
    f = pytest.importorskip("irisplug_iris.irispy_files")
    (folder,) = {p.parent for p in f.require_files(obsid=f.RASTER_OBSID, kind="raster")}
    return folder


@pytest.fixture(scope="session")
def iris_obs(iris_raster_dir):
    """The irispy-lmsal 8-step raster test observation, read through irisplug."""
    import irisplug

    return irisplug.read(iris_raster_dir)


@pytest.fixture(scope="session")
def iris_lines_resolved(iris_raster_dir) -> None:
    """Skip unless the test raster's Si IV window samples the line finely enough to fit it.

    The files are spectrally down-sampled 10x. irispy-lmsal 0.5 left CDELT1 at the original 0.025 A;
    0.9 corrects it to 0.254 A, which no longer resolves a Si IV line (FWHM ~ 0.1 A): read from the file.
    """
    from astropy.io import fits

    path = sorted(iris_raster_dir.glob("*.fits"))[0]
    header = fits.getheader(path)
    hdu = next(i for i in range(1, header["NWIN"] + 1) if header[f"TDESC{i}"] == "Si IV 1403")
    cdelt = fits.getheader(path, hdu)["CDELT1"]
    if cdelt > 0.05:
        pytest.skip(f"{path.name}: Si IV sampled every {cdelt:.3f} A, too coarse to resolve the line")
