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
#: the matplotlib release series the baseline images were rendered with. Older releases rasterise text and
#: resample images differently (RMS 8-19 without any change of ours on matplotlib 3.9.0-3.10.9, also with every
#: text hidden), so pixel comparisons run from this release on, as sunpy runs its figure tests in one pinned
#: environment; on older releases they are skipped with this reason, and every other view test runs.
BASELINE_MATPLOTLIB = (3, 11)


def skip_unless_baseline_matplotlib(what: str = "pixel comparison") -> None:
    """Skip the calling test on a matplotlib older than :data:`BASELINE_MATPLOTLIB` (see there)."""
    have = tuple(int(p) for p in matplotlib.__version__.split(".")[:2])
    if have < BASELINE_MATPLOTLIB:
        pytest.skip(f"{what}: baselines rendered with matplotlib >= {'.'.join(map(str, BASELINE_MATPLOTLIB))}; "
                    f"{matplotlib.__version__} rasterises text and resamples images differently")


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
    from irisplug_iris import synthetic_observation

    return synthetic_observation(8, 40)


@pytest.fixture
def sns():
    from irisplug_iris import synthetic_observation

    return synthetic_observation(12, 40, sit_and_stare=True, n_scans=1)


@pytest.fixture
def sji():
    from irisplug_iris import synthetic_sji

    return synthetic_sji(12, 50, 60)


def _irispy_files():
    """irisplug_iris.irispy_files: irispy-lmsal's test files located by content (names differ by release)."""
    return pytest.importorskip("irisplug_iris.irispy_files")


@pytest.fixture(scope="session")
def iris_raster_files():
    """The first 4 of the 13 raster files of the 2014-03-29 OBSID 3860258481 test data."""
    f = _irispy_files()
    return f.require_files(obsid=f.RASTER_OBSID, kind="raster")[:4]


@pytest.fixture(scope="session")
def iris_files(iris_raster_files):
    """The observation's own SJI 1400 file, then its first 4 raster files (skips where irispy-lmsal has no such SJI)."""
    f = _irispy_files()
    return f.require_files(obsid=f.RASTER_OBSID, band="1400") + iris_raster_files


def _read(files):
    import irisplug

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return irisplug.read(files)


@pytest.fixture(scope="session")
def iris_obs(iris_files):
    """Raster and SJI 1400 of the 2014-03-29 observation."""
    return _read(iris_files)


@pytest.fixture(scope="session")
def iris_raster_obs(iris_raster_files):
    """The 2014-03-29 observation's first 4 raster files only (every irispy-lmsal release)."""
    return _read(iris_raster_files)


@pytest.fixture(scope="session")
def iris_sns():
    f = _irispy_files()
    return _read(f.require_files(obsid=f.SNS_OBSID))


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

    if not os.environ.get("IRISPLUG_VIEW_REGEN"):
        skip_unless_baseline_matplotlib()
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
def needs_baseline_matplotlib():
    """Request it to skip a test on a matplotlib older than :data:`BASELINE_MATPLOTLIB`."""
    skip_unless_baseline_matplotlib("rendering compared across matplotlib releases")


@pytest.fixture
def baseline():
    """``baseline(fig, name)``: compare a figure with ``baseline/<name>.png`` (see :func:`compare_to_baseline`)."""
    return compare_to_baseline
