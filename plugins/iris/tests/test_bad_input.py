"""Bad input: each raises a specific IrisplugError naming the file."""

from __future__ import annotations

import re
import shutil
import tarfile

import numpy as np
import pytest
from astropy.io import fits

import irisplug
from irisplug.errors import (
    CorruptFileError,
    MissingExtensionError,
    MissingKeywordError,
    MixedSourceError,
    TruncatedFileError,
)


@pytest.fixture
def one_raster(synthetic_dir, tmp_path):
    src = sorted(synthetic_dir.glob("*raster*.fits"))[0]
    dst = tmp_path / src.name
    shutil.copy(src, dst)
    return dst


def test_truncated_file(one_raster):
    data = one_raster.read_bytes()
    one_raster.write_bytes(data[: len(data) // 2])
    with pytest.raises(TruncatedFileError, match=re.escape(one_raster.name)):
        irisplug.read(one_raster)


def test_file_truncated_after_a_lazy_open(one_raster):
    """The bytes vanish between the lazy open and the decoding: an error, never a partial array."""
    from irisplug.fileinfo import iter_fits_headers

    obs = irisplug.read(one_raster)
    data = obs["Mg II k 2796"][0].data
    hdus = list(iter_fits_headers(one_raster))
    primary = hdus[0][0]
    w = next(i for i in range(1, primary["NWIN"] + 1) if primary[f"TDESC{i}"] == "Mg II k 2796")
    _, offset, nbytes = hdus[w]
    with open(one_raster, "r+b") as f:
        f.truncate(offset + nbytes // 2)
    with pytest.raises(TruncatedFileError, match=re.escape(one_raster.name)):
        np.asarray(data)
    with pytest.raises(TruncatedFileError, match=re.escape(one_raster.name)):
        data.compute(scheduler="sync")


def test_not_iris_fits_with_iris_name(tmp_path):
    path = tmp_path / "iris_l2_20140329_000000_1_raster_t000_r00000.fits"
    hdu = fits.PrimaryHDU(np.zeros((2, 2), np.float32))
    hdu.header["TELESCOP"] = "SDO/AIA"
    hdu.writeto(path)
    with pytest.raises(CorruptFileError, match="not an IRIS Level 2 file") as err:
        irisplug.read(path)
    assert err.value.path == str(path)


def test_not_fits_at_all(tmp_path):
    path = tmp_path / "iris_l2_20140329_000000_1_SJI_1400_t000.fits"
    path.write_text("hello, not FITS at all\n" * 200)
    with pytest.raises(CorruptFileError, match=path.name):
        irisplug.read(path)


def test_missing_aux_extension(one_raster):
    with fits.open(one_raster) as hdul:
        kept = fits.HDUList([h for h in hdul if "XCENIX" not in h.header])
        kept.writeto(one_raster, overwrite=True)
    with pytest.raises(MissingExtensionError, match="auxiliary table") as err:
        irisplug.read(one_raster)
    assert err.value.path == str(one_raster)


def test_aux_without_time_column(one_raster):
    with fits.open(one_raster) as hdul:
        aux = next(h for h in hdul if "XCENIX" in h.header)
        del aux.header["TIME"]
        hdul.writeto(one_raster.with_suffix(".x.fits"))
    bad = one_raster.with_suffix(".x.fits")
    with pytest.raises(MissingKeywordError, match="TIME"):
        irisplug.read(bad, format="iris-l2")


def test_mixed_obsids(synthetic_dir, tmp_path):
    from irisplug_iris.generator import generate

    other = generate(tmp_path / "other", n_rasters=1, n_steps=2, n_y=16, sji=(), obsid="3999999902", quiet=True)
    with pytest.raises(MixedSourceError, match="3999999902"):
        irisplug.read([sorted(synthetic_dir.glob("*raster*"))[0], *other])


def test_corrupt_archive(synthetic_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("IRISPLUG_CACHE_DIR", str(tmp_path / "cache"))
    archive = tmp_path / "obs.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        for p in sorted(synthetic_dir.glob("*.fits")):
            tf.add(p, arcname=p.name)
    good = irisplug.read(archive)
    assert "Si IV 1403" in good
    data = archive.read_bytes()
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(data[: len(data) // 3])
    with pytest.raises(CorruptFileError, match=re.escape("broken.tar.gz")):
        irisplug.read(broken)
