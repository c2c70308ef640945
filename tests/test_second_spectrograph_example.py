"""The second-spectrograph example plugin (examples/second_spectrograph_plugin, Solar Orbiter/SPICE L2).

Installed through a real entry point next to the built-in plugins; it must
pass every contract class and go through calibrate, fit, view and coalign
with no change to those plugins.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import irisplug
from irisplug.plugin_manager import set_plugin_manager
from irisplug.testing import CalibratorContract, CoalignerContract, FitterContract, ReaderContract, ViewerContract

pytest.importorskip("sunraster")
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "second_spectrograph_plugin"
SRC = EXAMPLE / "src"


def _write_dist_info(site: Path) -> None:
    info = site / "irisplug_spice_example-0.1.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: irisplug-spice-example\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("[irisplug]\nspice = irisplug_spice.plugin\n")


@pytest.fixture(autouse=True)
def spice_installed(tmp_path_factory, monkeypatch):
    """The example installed on a temporary site (entry point ``spice``), with the built-in plugins."""
    site = tmp_path_factory.mktemp("site")
    _write_dist_info(site)
    for p in (site, SRC):
        monkeypatch.syspath_prepend(str(p))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), str(SRC), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.delenv("IRISPLUG_ALLOW", raising=False)
    monkeypatch.setenv("IRISPLUG_QUIET", "1")
    old = set_plugin_manager(None)
    warnings.filterwarnings("ignore", module="astropy.wcs")
    yield site
    set_plugin_manager(old)


@pytest.fixture
def spice_file(tmp_path):
    from irisplug_spice.generate import write_spice_l2

    return write_spice_l2(tmp_path / "spice")


@pytest.fixture
def spice_cube(spice_file):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return irisplug.read(spice_file)["WINDOW0_76.52"]


class TestSpiceReaderContract(ReaderContract):
    reader = "spice-l2"

    @pytest.fixture
    def own_samples(self, spice_file):
        return [spice_file]


class TestSpiceExposureNorm(CalibratorContract):
    step = "exposure-norm"

    @pytest.fixture
    def sample_object(self, spice_cube):
        return spice_cube


class TestSpiceLmFit(FitterContract):
    fitter = "lm"

    @pytest.fixture
    def sample_object(self, spice_cube):
        return spice_cube

    @pytest.fixture
    def fit_kwargs(self):
        return {"template": "peak", "progress": False}


class TestSpiceMoments(FitterContract):
    fitter = "moments"

    @pytest.fixture
    def sample_object(self, spice_cube):
        return spice_cube


class TestSpiceQuicklook(ViewerContract):
    viewer = "raster-quicklook"

    @pytest.fixture
    def sample_object(self, spice_cube):
        return spice_cube


class TestSpiceFft(CoalignerContract):
    coaligner = "fft"

    @pytest.fixture
    def target(self, spice_cube):
        from irisplug_spice.reader import intensity_map

        return intensity_map(spice_cube)

    @pytest.fixture
    def reference(self, target):
        return target

    @pytest.fixture
    def coalign_kwargs(self):
        return {"differential_rotation": False}


def test_layout_matches_the_real_spice_file_sunraster_ships(spice_file):
    """Same WCS axis types, units and time coupling as a real SPICE L2 raster header."""
    from astropy.io import fits
    from sunraster.tests import TEST_DATA_PATH

    real_files = sorted(Path(TEST_DATA_PATH).glob("solo_L2_spice-n-ras*.fits"))
    if not real_files:
        pytest.skip("sunraster's SPICE test file is not installed")
    real = fits.getheader(real_files[0])
    ours = fits.getheader(spice_file)
    for key in ("CTYPE1", "CTYPE2", "CTYPE3", "CTYPE4", "CUNIT1", "CUNIT2", "CUNIT3", "CUNIT4", "INSTRUME", "LEVEL",
                "TIMESYS"):
        assert ours[key] == real[key], key
    for key in ("PC4_1", "XPOSURE", "SPIOBSID", "DATEREF", "BUNIT", "EXTNAME"):
        assert key in ours and key in real, key


def test_fitted_velocities_recover_the_injected_pattern(spice_file):
    """Doppler velocities of the one-Gaussian fit against the velocity pattern written into the file."""
    from irisplug_spice.generate import velocity_pattern

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cube = irisplug.read(spice_file)["WINDOW0_76.52"]
    maps = irisplug.fit(irisplug.calibrate(cube, ["exposure-norm"]), template="peak", progress=False)
    v = np.asarray(maps["peak.velocity"].data)
    truth = velocity_pattern(*v.shape)
    ok = np.isfinite(v)
    # measured: 78 % fitted; the others are judged "below the significance threshold" (status 6) by the
    # unweighted fit, spread over the faint background (not a reader matter)
    assert ok.mean() > 0.7
    # the peak template's rest is the brightest wavelength of the mean spectrum: compare the pattern, not the offset
    d = (v - truth)[ok]
    assert np.std(d) < 2.0, np.std(d)  # km/s; the line is 4.5 pm wide, pixels 9.7 pm
    assert np.corrcoef(v[ok], truth[ok])[0, 1] > 0.95


def test_coalign_recovers_a_known_pointing_offset(spice_cube):
    import astropy.units as u
    import sunpy.map
    from irisplug_spice.reader import intensity_map

    image = intensity_map(spice_cube)
    meta = dict(image.meta)
    meta["crval1"] += (6 * u.arcsec).to_value(meta["cunit1"])
    out = irisplug.coalign(image, sunpy.map.Map(image.data, meta), method="fft", differential_rotation=False)
    dx, dy = out.meta["irisplug_coalign"]["pointing_change_arcsec"]
    assert abs(dx - 6.0) < 0.5 and abs(dy) < 0.5, (dx, dy)


def test_refusal_says_why(spice_file):
    """A cube in the instrument's own axis order is refused with the reason (sunraster's 4-D SPICE cube)."""
    from sunraster.instr.spice import read_spice_l2_fits

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = read_spice_l2_fits([str(spice_file)])["WINDOW0_76.52"]
    with pytest.raises(irisplug.UnsupportedObjectError, match="4-D cube"):
        irisplug.fit(raw)


def test_walkthrough_runs(tmp_path, spice_installed):
    env = dict(os.environ, MPLBACKEND="Agg", IRISPLUG_QUIET="1")
    proc = subprocess.run([sys.executable, str(EXAMPLE / "walkthrough.py")], cwd=tmp_path, capture_output=True,
                          text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "pointing change" in proc.stdout
