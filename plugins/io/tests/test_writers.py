"""Writers 'fits' and 'asdf': contract tests and round trips of every object kind."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest

import irisplug
from irisplug.model import extra_coord
from irisplug.provenance import history, record_step
from irisplug.testing import WriterContract, iter_cubes


class TestFitsWriterContract(WriterContract):
    writer = "fits"
    suffix = ".fits"

    @pytest.fixture
    def sample_object(self, obs_synthetic):
        return obs_synthetic


class TestAsdfWriterContract(WriterContract):
    writer = "asdf"
    suffix = ".asdf"

    @pytest.fixture
    def sample_object(self, obs_synthetic):
        return obs_synthetic["Si IV 1403"]


def _same(a, b):
    for x, y in zip(iter_cubes(a), iter_cubes(b), strict=True):
        assert type(x) is type(y)
        np.testing.assert_array_equal(np.asarray(x.data), np.asarray(y.data))
        np.testing.assert_array_equal(np.asarray(x.mask), np.asarray(y.mask))
        assert x.unit == y.unit
        shape = x.data.shape
        pix = [np.linspace(0, s - 1, 5) for s in shape[::-1]]
        np.testing.assert_array_equal(
            np.array(x.wcs.low_level_wcs.pixel_to_world_values(*pix), float),
            np.array(y.wcs.low_level_wcs.pixel_to_world_values(*pix), float),
        )


@pytest.mark.parametrize("suffix", [".fits", ".asdf"])
def test_round_trip_every_kind(obs_synthetic, obs_raster, real_sji_1400, tmp_path, suffix):
    objects = {
        "obs": obs_synthetic,
        "sequence": obs_raster["Mg II k 2796"],
        "sji": real_sji_1400,
        "sliced": obs_synthetic["C II 1336"][1][2:6, 5:40],
        "image": obs_synthetic["Mg II k 2796"][0].spectroheliogram(2796.35 * u.AA),
    }
    for name, obj in objects.items():
        path = irisplug.write(obj, tmp_path / f"{name}{suffix}")
        back = irisplug.read(path)
        _same(obj, back)
    back = irisplug.read(tmp_path / f"sliced{suffix}")
    src = obs_synthetic["C II 1336"][1][2:6, 5:40]
    assert (extra_coord(back, "time") - extra_coord(src, "time")).to_value(u.s).max() == 0
    np.testing.assert_array_equal(extra_coord(back, "raster_position"), [2, 3, 4, 5])


def test_provenance_stored_as_json(obs_synthetic, tmp_path):
    cube = obs_synthetic["Si IV 1403"][0].normalize_exposure()
    record_step(cube, "test-step", plugin="tests", params={"k": 1})
    for suffix in (".fits", ".asdf"):
        back = irisplug.read(irisplug.write(cube, tmp_path / f"h{suffix}"))
        assert [r["step"] for r in history(back)] == ["exposure-norm", "test-step"]
        assert back.unit == u.DN / u.s
    from astropy.io import fits

    assert any("test-step" in str(h) for h in fits.getheader(tmp_path / "h.fits")["HISTORY"])


def test_written_file_with_iris_name_reads_back(obs_synthetic, tmp_path):
    path = irisplug.write(obs_synthetic["SJI_2796"], tmp_path / "iris_l2_copy_SJI_2796.fits")
    _same(obs_synthetic["SJI_2796"], irisplug.read(path))


def test_writer_refuses_unknown_objects(tmp_path):
    from irisplug.errors import UnknownFormatError

    with pytest.raises(UnknownFormatError):
        irisplug.write({"a": 1}, tmp_path / "x.fits")


@pytest.mark.parametrize("suffix", [".fits", ".asdf"])
def test_scalar_mask_is_kept(tmp_path, suffix):
    """mask=True (everything masked) is written as a full mask, not dropped; mask=False means no mask."""
    from astropy.wcs import WCS
    from ndcube import NDCube

    for value, expected in ((True, np.ones((2, 3), bool)), (False, None)):
        cube = NDCube(np.arange(6.0).reshape(2, 3), wcs=WCS(naxis=2), mask=value)
        back = irisplug.read(irisplug.write(cube, tmp_path / f"m{value}{suffix}"))
        if expected is None:
            assert back.mask is None
        else:
            np.testing.assert_array_equal(np.asarray(back.mask), expected)


def test_fits_file_is_what_astropy_itself_writes(obs_raster, tmp_path):
    """The streaming FITS writer: astropy reading the real observation's file and writing it again gives the same bytes."""
    from astropy.io import fits

    path = irisplug.write(obs_raster, tmp_path / "obs.fits")
    with fits.open(path, do_not_scale_image_data=True) as hdul:
        hdul.verify("exception")
        hdul.writeto(tmp_path / "astropy.fits")
    assert (tmp_path / "astropy.fits").read_bytes() == path.read_bytes()
