"""``RawImage.read_all`` gives astropy's values bit for bit whatever the read block size and decoder thread count.

The reader preads blocks that split exposures anywhere (and the last one short); the decoders write them straight
into the output in whatever order they finish. The reference is astropy's scaled data of the same file.
"""

from __future__ import annotations

import numpy as np
import pytest
from astropy.io import fits

from irisplug.fileinfo import iter_fits_headers
from irisplug_iris.decode import READ_BLOCK_BYTES, RawImage


@pytest.fixture(scope="module")
def scaled_int16_file(tmp_path_factory):
    rng = np.random.default_rng(7)
    raw = rng.integers(-32768, 32767, size=(13, 37, 101), dtype=np.int16)
    raw[0, 0, :5] = 32767  # the saturation code
    raw[3, 5, 7] = -32768
    hdu = fits.ImageHDU(raw)
    hdu.header["BSCALE"], hdu.header["BZERO"] = 0.25, 7992.0
    path = tmp_path_factory.mktemp("decode") / "scaled.fits"
    fits.HDUList([fits.PrimaryHDU(), hdu]).writeto(path)
    with fits.open(path) as hdul:
        expected = np.array(hdul[1].data)
    return path, expected


@pytest.mark.parametrize("block_bytes", [2, 998, 4096 + 6, 37 * 101 * 2, READ_BLOCK_BYTES])
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_blocks_and_threads_match_astropy(scaled_int16_file, block_bytes, threads):
    path, expected = scaled_int16_file
    header, offset, _ = list(iter_fits_headers(path))[1]
    img = RawImage(path, offset, header)
    data, mask = img.read_all(block_bytes=block_bytes, threads=threads)
    assert data.dtype == expected.dtype == np.float32
    assert np.array_equal(data.view(np.uint32), expected.view(np.uint32))
    saturated = np.float32(32767) * np.float32(0.25) + np.float32(7992.0)
    assert np.array_equal(mask, (expected == -200) | (expected == saturated))
    into = np.full(expected.shape, np.nan, np.float32)
    assert img.read_all(with_mask=False, block_bytes=block_bytes, threads=threads, out=into)[0] is into
    assert np.array_equal(into.view(np.uint32), expected.view(np.uint32))


def test_prefaulting_a_fresh_output_keeps_the_values(scaled_int16_file, monkeypatch):
    """The background ``MADV_POPULATE_WRITE`` of a fresh output races the decoders without changing what they
    wrote (large outputs only by default; here forced for a small one, with tiny blocks so the two interleave)."""
    import irisplug_iris.decode as decode

    monkeypatch.setattr(decode, "_PREFAULT_MIN_BYTES", 0)
    path, expected = scaled_int16_file
    header, offset, _ = list(iter_fits_headers(path))[1]
    for threads in (1, 2):
        data, _ = RawImage(path, offset, header).read_all(block_bytes=4096 + 6, threads=threads)
        assert np.array_equal(data.view(np.uint32), expected.view(np.uint32))


@pytest.mark.parametrize("bscale,overflows", [(0.25, False), (1.0e35, True)])
def test_lazy_chunk_mask_against_astropy(tmp_path, bscale, overflows):
    """The mask of a lazily decoded chunk: missing (-200), non-finite and saturated values of astropy's decoding.
    Integers decode to finite values and the finiteness pass is skipped, unless scaling the extreme integers
    overflows float32 (a huge BSCALE): then the overflowing values are masked."""
    raw = np.array([[[-32768, -800, 0, 5, 32767, 100]]], dtype=np.int16)
    hdu = fits.ImageHDU(raw)
    hdu.header["BSCALE"], hdu.header["BZERO"] = bscale, 0.0
    path = tmp_path / "chunk.fits"
    fits.HDUList([fits.PrimaryHDU(), hdu]).writeto(path)
    with fits.open(path) as hdul, np.errstate(over="ignore"):
        expected = np.array(hdul[1].data)
    header, offset, _ = list(iter_fits_headers(path))[1]
    img = RawImage(path, offset, header)
    assert img.always_finite is not overflows
    with np.errstate(over="ignore"):
        block = img[0:1]
    assert np.array_equal(block.view(np.uint32), expected.view(np.uint32))
    saturated = np.float32(32767) * np.float32(bscale) + np.float32(0.0)
    want = (expected == -200) | ~np.isfinite(expected) | (expected == saturated)
    assert np.array_equal(img.mask_of(block), want)
    assert want.any() and (~np.isfinite(expected)).any() == overflows
