"""The iuvs-l1a reader on L1A files built from the real L1B samples (formats.md 1.4)."""

from __future__ import annotations

import shutil

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits

import irisplug
from irisplug.testing import ReaderContract
from irisplug_iuvs.errors import IUVSMissingTableError
from irisplug_iuvs.l1a import read_l1a
from irisplug_iuvs.l1a_make import make_l1a_from_l1b
from irisplug_iuvs.product import IUVSProduct


def test_generated_files_mirror_the_l1b(muv_file, tmp_path):
    light, *darks = make_l1a_from_l1b(muv_file, tmp_path, compress=False)
    assert light.name == muv_file.name.replace("_l1b_", "_l1a_").removesuffix(".gz")
    with fits.open(muv_file) as h:
        raw, dark = h["detector_raw"].data, h["detector_dark"].data
        dark_ids = [s.strip() + ".fits" for s in h["Dark_Observation"].data["PRODUCT_ID"]]
        dark_utc = list(h["Dark_Integration"].data["UTC"])
    assert [d.name for d in darks] == dark_ids
    prod = read_l1a(light)
    assert isinstance(prod, IUVSProduct) and set(prod) == {"raw"}
    np.testing.assert_array_equal(np.asarray(prod["raw"].data), raw)
    assert prod["raw"].unit == u.DN
    assert len(prod.tables["Observation"].colnames) == 22
    assert prod.tables["Observation"]["BUNDLE_ID"][0] == "raw"
    frames = np.concatenate([np.asarray(read_l1a(d)["raw"].data) for d in darks])
    np.testing.assert_array_equal(frames, dark)
    first = read_l1a(darks[0])
    assert first.meta["is_dark"] and first.meta["header"]["MCP_VOLT"] == -1.83
    assert first.meta["missing"] == ["SpacecraftGeometry", "PixelGeometry"]
    times = first["raw"].axis_world_coords(wcs=first["raw"].extra_coords["time"])[0]
    assert times.isot[0] == "2023-01-14T07:15:17.603" and len(times) == 5 and dark_utc[0].startswith("2023/014")


def test_l1a_by_header_alone_and_not_as_l1b(l1a_dir, tmp_path):
    for i, p in enumerate(sorted(l1a_dir.iterdir())):
        neutral = tmp_path / f"x{i}.fits.gz"
        shutil.copyfile(p, neutral)
        assert irisplug.choose_reader(neutral).name == "iuvs-l1a"


def test_l1a_missing_engineering_table(l1a_dir, tmp_path):
    src = sorted(l1a_dir.glob("*-muv_*"))[0]
    out = tmp_path / src.name
    with fits.open(src) as h:
        fits.HDUList([x for x in h if x.name.upper() != "ENGINEERING"]).writeto(out)
    with pytest.raises(IUVSMissingTableError, match="Engineering") as info:
        irisplug.read(out)
    assert str(out) in str(info.value)


class TestL1AReaderContract(ReaderContract):
    reader = "iuvs-l1a"

    @pytest.fixture
    def own_samples(self, l1a_dir):
        return sorted(l1a_dir.iterdir())


def test_identify_without_filename_keyword_uses_extension_names(l1a_dir, l1b_files, tmp_path):
    from irisplug.fileinfo import FileInfo
    from irisplug_iuvs.identify import iuvs_level

    for i, (src, level) in enumerate([(sorted(l1a_dir.glob("*-muv_*"))[0], "l1a"), (l1b_files[0], "l1b")]):
        out = tmp_path / f"anon{i}.fits"
        with fits.open(src) as h:
            h[0].header["FILENAME"] = "renamed_by_someone.fits"
            h.writeto(out, output_verify="silentfix")
        assert iuvs_level(FileInfo(out)) == level


@pytest.mark.parametrize("keywords", [{"BLANK": -1}, {"BZERO": 0.0, "BSCALE": 2.0}])
def test_uncompressed_l1a_with_blank_or_scaling_reads_lazily(l1a_dir, tmp_path, keywords):
    """2015-era L1A primaries carry BLANK = -1 (formats.md 1.3); astropy cannot memory-map such an image, and
    the default ``lazy=True`` read refused the uncompressed file as corrupt."""
    import irisplug

    source = sorted(l1a_dir.glob("*fuvdark*"))[0]
    out = tmp_path / source.name.removesuffix(".gz")
    with fits.open(source) as h:
        copy = fits.HDUList([hdu.copy() for hdu in h])
    copy[0].header.update(keywords)
    copy.writeto(out)
    with fits.open(out) as ref:
        expected = np.asarray(ref[0].data, dtype=float)  # astropy's own scaling / blanking
    for lazy in (True, False):
        prod = irisplug.read(out, lazy=lazy)
        np.testing.assert_array_equal(np.asarray(prod["raw"].data, dtype=float).reshape(expected.shape), expected)
