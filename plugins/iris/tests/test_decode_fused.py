"""The one-pass compiled int16 decode (large whole images) equals astropy bit for bit, mask included."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.io import fits

import irisplug


@pytest.fixture
def fused_always(monkeypatch):
    pytest.importorskip("numba")
    from irisplug_iris import decode

    monkeypatch.setattr(decode, "FUSED_MIN_BYTES", 0)  # the generated test windows are small: take the large-image path


def test_fused_decode_every_int16_value():
    pytest.importorskip("numba")
    from irisplug_iris.decode import MISSING_VALUE, decode_block

    raw = np.arange(-32768, 32768).astype(">i2")
    for bscale, bzero in [(0.25, 7992.0), (1.0, 0.0), (0.1, -3.3), (0.123456789, 7992.123)]:
        ref = raw.astype(np.float32)  # astropy's scaling: two float32 operations in place
        ref *= np.float32(bscale)
        ref += np.float32(bzero)
        saturated = float(np.float32(32767) * np.float32(bscale) + np.float32(bzero))
        mask = np.empty(raw.shape, bool)
        got = decode_block(raw, bscale, bzero, fused=True, mask=mask, saturated=saturated)
        np.testing.assert_array_equal(got.view(np.uint32), ref.view(np.uint32))
        np.testing.assert_array_equal(mask, (ref == np.float32(MISSING_VALUE)) | (ref == np.float32(saturated)))


def test_fused_whole_window_equals_astropy(synthetic_dir, fused_always):
    path = sorted(synthetic_dir.glob("*raster*.fits"))[2]
    with fits.open(path) as hdul:
        ref = hdul[3].data
        label = hdul[0].header["TDESC3"]
    eager = irisplug.read(path, lazy=False, windows=[label])[label][0]
    np.testing.assert_array_equal(eager.data.view(np.uint32), ref.view(np.uint32))
    saturated = ref == np.float32(32767) * np.float32(0.25) + np.float32(7992)
    assert saturated.any() and (ref == -200).any()
    np.testing.assert_array_equal(eager.mask, (ref == -200) | saturated)
    lazy = np.asarray(irisplug.read(path)[label][0].data)  # the threaded reader into a fresh (pre-faulted) output
    np.testing.assert_array_equal(lazy.view(np.uint32), ref.view(np.uint32))
