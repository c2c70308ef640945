"""Gzipped copies of every real IRIS Level 2 file in the irispy-lmsal wheel read exactly as astropy reads them.

The archive serves slit-jaw files as ``*.fits.gz``; the aux and data readers
seek to byte offsets, so :func:`irisplug.sources.decompressed` gives them a
plain copy (once, keyed by content). Expected values come from astropy's
reading of the same gzipped file, never from irisplug.
"""

from __future__ import annotations

import gzip
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits


def _real_files() -> list[Path]:
    irispy = pytest.importorskip("irispy", reason="irispy-lmsal provides the real IRIS L2 test files")
    root = Path(irispy.__file__).parent / "data" / "test"
    return sorted(p for p in root.rglob("*.fits") if fits.getval(p, "TELESCOP").strip() == "IRIS")


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("IRISPLUG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("IRISPLUG_QUIET", "1")


def _gzip_copy(path: Path, dest: Path) -> Path:
    out = dest / f"{path.name}.gz"
    with open(path, "rb") as src, gzip.open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return out


def _read(path):
    import irisplug

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # down-sampled test files warn about their aux tables
        return irisplug.read(path)


def _same_bits(actual: np.ndarray, expected: np.ndarray) -> None:
    assert actual.shape == expected.shape
    # same type and width; byte order may differ (astropy keeps the file's big-endian order)
    assert (actual.dtype.kind, actual.dtype.itemsize) == (expected.dtype.kind, expected.dtype.itemsize)
    native = expected.dtype.newbyteorder("=")
    assert actual.astype(native).tobytes() == expected.astype(native).tobytes()


def _cubes_by_hdu(obs, path_label_hdus):
    for label, hdu in path_label_hdus:
        item = obs[label]
        cube = item[0] if hasattr(item, "__getitem__") and not hasattr(item, "wcs") else item
        yield label, hdu, cube


def test_every_real_file_is_found():
    files = _real_files()
    assert any(fits.getval(p, "INSTRUME").strip() == "SJI" for p in files)
    assert any(fits.getval(p, "INSTRUME").strip() != "SJI" for p in files)


@pytest.mark.parametrize("path", _real_files(), ids=lambda p: p.name)
def test_gzipped_real_file_equals_astropy(path, tmp_path):
    gz = _gzip_copy(path, tmp_path)
    obs = _read(gz)
    plain = _read(path)
    with fits.open(gz) as hdul:
        primary = hdul[0].header
        if primary["INSTRUME"].strip() == "SJI":
            pairs = [(next(iter(obs.keys())), 0)]
        else:
            pairs = [(str(primary[f"TDESC{i}"]).strip(), i) for i in range(1, int(primary["NWIN"]) + 1)]
        for label, hdu, cube in _cubes_by_hdu(obs, pairs):
            expected = hdul[hdu].data
            _same_bits(np.asarray(cube.data), expected)
            np.testing.assert_array_equal(np.asarray(cube.mask), (expected == -200) | ~np.isfinite(expected))
            # world coordinates equal those of the uncompressed original read by irisplug
            ref = plain[label]
            ref = ref[0] if not hasattr(ref, "wcs") else ref
            pix = [np.unique(np.linspace(0, n - 1, 6).astype(int)) for n in cube.data.shape[::-1]]
            grid = np.meshgrid(*pix, indexing="ij")
            np.testing.assert_array_equal(
                np.asarray(cube.wcs.pixel_to_world_values(*grid)), np.asarray(ref.wcs.pixel_to_world_values(*grid))
            )


def test_second_open_reuses_the_plain_copy_keyed_by_content(tmp_path):
    from irisplug.sources import cache_dir, decompressed

    sji = next(p for p in _real_files() if fits.getval(p, "INSTRUME").strip() == "SJI")
    a = _gzip_copy(sji, tmp_path)
    (tmp_path / "elsewhere").mkdir()
    b = tmp_path / "elsewhere" / a.name
    shutil.copy(a, b)
    first = decompressed(a)
    mtime = first.stat().st_mtime_ns
    assert decompressed(b) == first  # same content, same cache entry
    assert first.stat().st_mtime_ns == mtime
    assert first.read_bytes() == sji.read_bytes()
    assert first.is_relative_to(cache_dir())
