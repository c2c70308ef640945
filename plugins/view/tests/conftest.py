"""Fixtures of the view plugin tests: headless Agg, synthetic cubes, IRIS test data, image comparison."""

from __future__ import annotations

import os
import pathlib
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

BASELINE = pathlib.Path(__file__).parent / "baseline"


@pytest.fixture(autouse=True)
def _close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    monkeypatch.setenv("IRISPLUG_QUIET", "1")


@pytest.fixture
def obs():
    from irisplug_view.synthetic import synthetic_observation

    return synthetic_observation(8, 40)


@pytest.fixture
def sns():
    from irisplug_view.synthetic import synthetic_observation

    return synthetic_observation(12, 40, sit_and_stare=True, n_scans=1)


@pytest.fixture
def sji():
    from irisplug_view.synthetic import synthetic_sji

    return synthetic_sji(12, 50, 60)


def _iris_root() -> pathlib.Path:
    irispy = pytest.importorskip("irispy")
    root = pathlib.Path(irispy.__file__).parent / "data" / "test"
    if not root.is_dir():
        pytest.skip("irispy-lmsal test data not installed")
    return root


@pytest.fixture(scope="session")
def iris_files():
    """The SJI 1400 file and the first 4 of the 13 raster files of the 2014-03-29 OBSID 3860258481 test data."""
    root = _iris_root()
    files = sorted((root / "raster").glob("iris_l2_20140329*SJI_1400*.fits"))
    files += sorted((root / "raster" / "iris_l2_20140329_140938_3860258481_raster").glob("*.fits"))[:4]
    return files


@pytest.fixture(scope="session")
def iris_obs(iris_files):
    import irisplug

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return irisplug.read(iris_files)


@pytest.fixture(scope="session")
def iris_sns():
    import irisplug

    root = _iris_root()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return irisplug.read(sorted((root / "sns").glob("*.fits")))


def rms_difference(a: np.ndarray, b: np.ndarray) -> float:
    """RMS of the RGB difference (0-255 scale) of two images of the same shape."""
    a = np.asarray(a, dtype=float)[..., :3]
    b = np.asarray(b, dtype=float)[..., :3]
    if a.max() <= 1.0:
        a = a * 255
    if b.max() <= 1.0:
        b = b * 255
    return float(np.sqrt(np.mean((a - b) ** 2)))


def compare_to_baseline(fig, name: str, tol: float = 6.0, dpi: float = 40) -> None:
    """Render ``fig`` at ``dpi`` and compare it with ``baseline/<name>.png`` (RMS over RGB, 0-255).

    ``IRISPLUG_VIEW_REGEN=1`` writes the baseline instead (then look at it!).
    """
    from io import BytesIO

    import matplotlib.image as mpimg

    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    buf.seek(0)
    got = mpimg.imread(buf)
    path = BASELINE / f"{name}.png"
    if os.environ.get("IRISPLUG_VIEW_REGEN"):
        BASELINE.mkdir(exist_ok=True)
        path.write_bytes(buf.getvalue())
        return
    if not path.exists():
        pytest.fail(f"no baseline {path}; run with IRISPLUG_VIEW_REGEN=1 and look at the image")
    want = mpimg.imread(path)
    assert got.shape == want.shape, f"{name}: size {got.shape} != baseline {want.shape}"
    rms = rms_difference(got, want)
    assert rms <= tol, f"{name}: RMS {rms:.2f} > {tol} against {path}"


@pytest.fixture
def baseline():
    """``baseline(fig, name)``: compare a figure with ``baseline/<name>.png`` (see :func:`compare_to_baseline`)."""
    return compare_to_baseline
