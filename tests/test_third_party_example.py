"""The example third-party plugin through the real entry point machinery and the contract tests."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.wcs import WCS

import irisplug
from irisplug.testing import ReaderContract, WriterContract


@pytest.fixture(autouse=True)
def _installed(spectext_installed, fresh_manager):
    fresh_manager()


class TestSpectextReader(ReaderContract):
    reader = "spectext"

    @pytest.fixture
    def own_samples(self, tmp_path, make_spectext):
        return [make_spectext(tmp_path / "a.spectext", [1.0, 2.0, 4.0]), make_spectext(tmp_path / "b.txt", [0.5] * 10)]


class TestSpectextWriter(WriterContract):
    writer = "spectext"
    suffix = ".spectext"

    @pytest.fixture
    def sample_object(self):
        import astropy.units as u
        from ndcube import NDCube

        wcs = WCS(naxis=1)
        wcs.wcs.ctype, wcs.wcs.cunit = ["WAVE"], ["Angstrom"]
        wcs.wcs.crpix, wcs.wcs.crval, wcs.wcs.cdelt = [1], [2796.0], [0.0255]
        return NDCube(np.linspace(0, 1, 7), wcs=wcs, unit=u.DN / u.s, meta={"OBJECT": "plage"})


def test_values_and_wavelengths_against_the_text(tmp_path, make_spectext):
    cube = irisplug.read(make_spectext(tmp_path / "s.spectext", [3.0, 1.0, 2.0], start=1400.0, step=0.5))
    np.testing.assert_array_equal(cube.data, [3.0, 1.0, 2.0])
    world = cube.axis_world_coords()[0]
    np.testing.assert_allclose(world.to_value("Angstrom"), [1400.0, 1400.5, 1401.0])


def test_bad_file_names_file_and_plugin(tmp_path):
    bad = tmp_path / "bad.spectext"
    bad.write_text("# SPECTEXT 1\n# BUNIT = DN\n1.0\n")
    with pytest.raises(
        irisplug.MissingKeywordError, match=r"bad.spectext: header keyword WAVE-START is missing \[plugin 'spectext'\]"
    ):
        irisplug.read(bad)
