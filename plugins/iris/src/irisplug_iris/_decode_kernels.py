"""numba kernels of :mod:`irisplug_iris.decode` (imported only for large whole-image decodes).

One pass per sample: byte swap of the big-endian int16, conversion to
float32, ``* BSCALE`` then ``+ BZERO`` as two float32 operations (no fused
multiply-add: the same two roundings as astropy's ``data *= bscale;
data += bzero``, so the values agree bit for bit), and optionally the mask.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(nogil=True, cache=True)
def decode_be_i2(raw, scale, zero, out):
    """``out[i] = float32(swap(raw[i])) * scale + zero`` (``raw``: the big-endian bytes viewed as uint16)."""
    for i in range(raw.size):
        x = np.int64(raw[i])
        out[i] = np.float32(np.int16(((x >> 8) | (x << 8)) & 0xFFFF)) * scale + zero


@njit(nogil=True, cache=True)
def decode_be_i2_mask(raw, scale, zero, out, mask, missing, saturated):
    """:func:`decode_be_i2` and ``mask[i] = out[i] in (missing, saturated)`` (integers are finite)."""
    for i in range(raw.size):
        x = np.int64(raw[i])
        v = np.float32(np.int16(((x >> 8) | (x << 8)) & 0xFFFF)) * scale + zero
        out[i] = v
        mask[i] = v == missing or v == saturated
