"""numba kernels of :mod:`irisplug_calib.bspline` (imported only when resampling is needed)."""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import njit, prange

Z = math.sqrt(3.0) - 2.0  # the cubic B-spline pole (Unser 1999)
GAIN = (1.0 - Z) * (1.0 - 1.0 / Z)  # = 6 per axis


@njit(parallel=True, cache=True)
def filter_rows(img, out, gain, block):
    """Row pass of the prefilter from ``img`` into ``out`` (float64); per-row min, max and NaN count.

    Rows are filtered ``block`` at a time so the recursions of different rows overlap.
    """
    ny, nx = img.shape
    rmin = np.full(ny, np.inf)
    rmax = np.full(ny, -np.inf)
    rnan = np.zeros(ny, dtype=np.int64)
    z = Z
    nblocks = (ny + block - 1) // block
    z_n_1 = z ** (nx - 1)
    for kb in prange(nblocks):
        r0 = kb * block
        r1 = min(ny, r0 + block)
        for j in range(r0, r1):
            lo = np.inf
            hi = -np.inf
            nn = 0
            for i in range(nx):
                v = np.float64(img[j, i])
                if v != v:
                    nn += 1
                else:
                    lo = min(lo, v)
                    hi = max(hi, v)
                out[j, i] = v * gain
            rmin[j] = lo
            rmax[j] = hi
            rnan[j] = nn
        if nx < 2:
            continue
        for j in range(r0, r1):
            acc = out[j, 0] + z_n_1 * out[j, nx - 1]
            z_i = z
            for i in range(1, nx - 1):
                acc += z_i * (out[j, i] + z_n_1 * out[j, nx - 1 - i])
                z_i *= z
                if abs(z_i) < 1e-30:
                    break
            out[j, 0] = acc / (1.0 - z_n_1 * z_n_1)
        for i in range(1, nx):
            for j in range(r0, r1):
                out[j, i] += z * out[j, i - 1]
        for j in range(r0, r1):
            out[j, nx - 1] = (z * out[j, nx - 2] + out[j, nx - 1]) * z / (z * z - 1.0)
        for i in range(nx - 2, -1, -1):
            for j in range(r0, r1):
                out[j, i] = z * (out[j, i + 1] - out[j, i])
    return rmin, rmax, rnan


@njit(parallel=True, cache=True)
def filter_cols(a, nchunk):
    """Column pass of the prefilter, in place (gain already applied by the row pass)."""
    ny, nx = a.shape
    if ny < 2:
        return
    z = Z
    step = (nx + nchunk - 1) // nchunk
    z_n_1 = z ** (ny - 1)
    for k in prange(nchunk):
        lo = k * step
        hi = min(nx, lo + step)
        if lo >= hi:
            continue
        for i in range(lo, hi):
            acc = a[0, i] + z_n_1 * a[ny - 1, i]
            z_j = z
            for j in range(1, ny - 1):
                acc += z_j * (a[j, i] + z_n_1 * a[ny - 1 - j, i])
                z_j *= z
                if abs(z_j) < 1e-30:
                    break
            a[0, i] = acc / (1.0 - z_n_1 * z_n_1)
        for j in range(1, ny):
            for i in range(lo, hi):
                a[j, i] += z * a[j - 1, i]
        for i in range(lo, hi):
            a[ny - 1, i] = (z * a[ny - 2, i] + a[ny - 1, i]) * z / (z * z - 1.0)
        for j in range(ny - 2, -1, -1):
            for i in range(lo, hi):
                a[j, i] = z * (a[j + 1, i] - a[j, i])


@njit(cache=True)
def _mirror(k, n):
    # scipy's mirror extension of coefficient indices: d c b | a b c d | c b a
    if n == 1:
        return 0
    sz2 = 2 * n - 2
    if k < 0:
        k = -k
    k = k % sz2
    if k >= n:
        k = sz2 - k
    return k


_CHUNK = 256


@njit(fastmath=True, cache=True)
def _weights(m00, m10, bx, by, s, n, nx, wx, wy, base):
    # cubic B-spline weights and the flat index of the first of the 16 coefficients, for pixels s..s+n-1
    s6 = 1.0 / 6.0
    for k in range(n):
        x = m00 * (s + k) + bx
        y = m10 * (s + k) + by
        fx = np.floor(x)
        fy = np.floor(y)
        t = x - fx
        u = y - fy
        omt = 1.0 - t
        t2 = t * t
        w0 = omt * omt * omt * s6
        w3 = t2 * t * s6
        w1 = (4.0 - 6.0 * t2 + 3.0 * t2 * t) * s6
        wx[0, k] = w0
        wx[1, k] = w1
        wx[2, k] = 1.0 - w0 - w1 - w3
        wx[3, k] = w3
        omu = 1.0 - u
        u2 = u * u
        v0 = omu * omu * omu * s6
        v3 = u2 * u * s6
        v1 = (4.0 - 6.0 * u2 + 3.0 * u2 * u) * s6
        wy[0, k] = v0
        wy[1, k] = v1
        wy[2, k] = 1.0 - v0 - v1 - v3
        wy[3, k] = v3
        base[k] = np.uint64((fy - 1.0) * nx + (fx - 1.0))


@njit(fastmath=True, cache=True)
def _taps(flat, unx, b, wx0, wx1, wx2, wx3, wy0, wy1, wy2, wy3):
    # unsigned indices: no negative-index wraparound test on the 16 loads (all inside by construction)
    one = np.uint64(1)
    two = np.uint64(2)
    three = np.uint64(3)
    r0 = flat[b] * wx0 + flat[b + one] * wx1 + flat[b + two] * wx2 + flat[b + three] * wx3
    b += unx
    r1 = flat[b] * wx0 + flat[b + one] * wx1 + flat[b + two] * wx2 + flat[b + three] * wx3
    b += unx
    r2 = flat[b] * wx0 + flat[b + one] * wx1 + flat[b + two] * wx2 + flat[b + three] * wx3
    b += unx
    r3 = flat[b] * wx0 + flat[b + one] * wx1 + flat[b + two] * wx2 + flat[b + three] * wx3
    return r0 * wy0 + r1 * wy1 + r2 * wy2 + r3 * wy3


@njit(cache=True)
def _general(coef, nx, ny, x, y, cval):
    # any position: scipy's "constant" mode (cval outside [0, n-1]) with mirrored coefficient indices
    if x < 0.0 or x > nx - 1.0 or y < 0.0 or y > ny - 1.0:
        return cval
    fx = np.intp(x)
    fy = np.intp(y)
    t = x - fx
    u = y - fy
    ix = fx - 1
    iy = fy - 1
    s6 = 1.0 / 6.0
    omt = 1.0 - t
    t2 = t * t
    wx0 = omt * omt * omt * s6
    wx3 = t2 * t * s6
    wx1 = (4.0 - 6.0 * t2 + 3.0 * t2 * t) * s6
    wx2 = 1.0 - wx0 - wx1 - wx3
    omu = 1.0 - u
    u2 = u * u
    wy0 = omu * omu * omu * s6
    wy3 = u2 * u * s6
    wy1 = (4.0 - 6.0 * u2 + 3.0 * u2 * u) * s6
    wy2 = 1.0 - wy0 - wy1 - wy3
    x0 = _mirror(ix, nx)
    x1 = _mirror(ix + 1, nx)
    x2 = _mirror(ix + 2, nx)
    x3 = _mirror(ix + 3, nx)
    y0 = _mirror(iy, ny)
    y1 = _mirror(iy + 1, ny)
    y2 = _mirror(iy + 2, ny)
    y3 = _mirror(iy + 3, ny)
    r0 = coef[y0, x0] * wx0 + coef[y0, x1] * wx1 + coef[y0, x2] * wx2 + coef[y0, x3] * wx3
    r1 = coef[y1, x0] * wx0 + coef[y1, x1] * wx1 + coef[y1, x2] * wx2 + coef[y1, x3] * wx3
    r2 = coef[y2, x0] * wx0 + coef[y2, x1] * wx1 + coef[y2, x2] * wx2 + coef[y2, x3] * wx3
    r3 = coef[y3, x0] * wx0 + coef[y3, x1] * wx1 + coef[y3, x2] * wx2 + coef[y3, x3] * wx3
    return r0 * wy0 + r1 * wy1 + r2 * wy2 + r3 * wy3


@njit(parallel=True, cache=True)
def evaluate(coef, m00, m01, m10, m11, sx, sy, out, cval):
    """Cubic B-spline at ``(m00 x + m01 y + sx, m10 x + m11 y + sy)`` for every output pixel.

    Fills ``out`` (allocated by numpy, which asks the kernel for huge pages: far
    fewer page faults than numba's allocator) and returns it with its per-row
    nanmin and nanmax (for clipping without another pass).
    Along an output row the input position is affine, hence monotonic, so the
    pixels whose 4x4 support lies inside the input form one interval, done
    without any boundary test.
    """
    ny, nx = coef.shape
    out_h, out_w = out.shape
    flat = coef.ravel()
    rmin = np.full(out_h, np.inf)
    rmax = np.full(out_h, -np.inf)
    xlo, xhi = 1.0, nx - 2.0
    ylo, yhi = 1.0, ny - 2.0
    unx = np.uint64(nx)
    for j in prange(out_h):
        wx = np.empty((4, _CHUNK))
        wy = np.empty((4, _CHUNK))
        base = np.empty(_CHUNK, dtype=np.uint64)
        bx = m01 * j + sx
        by = m11 * j + sy
        orow = out[j]
        lo = np.inf
        hi = -np.inf
        i0 = 0
        while i0 < out_w:
            x = m00 * i0 + bx
            y = m10 * i0 + by
            if x >= xlo and x < xhi and y >= ylo and y < yhi:
                break
            v = _general(coef, nx, ny, x, y, cval)
            orow[i0] = v
            if v == v:
                lo = min(lo, v)
                hi = max(hi, v)
            i0 += 1
        i1 = out_w - 1
        while i1 >= i0:
            x = m00 * i1 + bx
            y = m10 * i1 + by
            if x >= xlo and x < xhi and y >= ylo and y < yhi:
                break
            v = _general(coef, nx, ny, x, y, cval)
            orow[i1] = v
            if v == v:
                lo = min(lo, v)
                hi = max(hi, v)
            i1 -= 1
        # interior: weights for a chunk of pixels first (a vectorisable loop), then the 16 taps each
        s = i0
        while s <= i1:
            n = min(_CHUNK, i1 + 1 - s)
            _weights(m00, m10, bx, by, s, n, nx, wx, wy, base)
            for k in range(n):
                v = _taps(flat, unx, base[k], wx[0, k], wx[1, k], wx[2, k], wx[3, k],
                          wy[0, k], wy[1, k], wy[2, k], wy[3, k])
                orow[s + k] = v
                lo = min(lo, v)
                hi = max(hi, v)
            s += n
        rmin[j] = lo
        rmax[j] = hi
    return out, rmin, rmax


@njit(parallel=True, cache=True)
def clip_rows(a, rmin, rmax, lo, hi):
    """Clip to ``[lo, hi]`` in place, visiting only rows whose range exceeds it."""
    ny, nx = a.shape
    for j in prange(ny):
        if rmin[j] >= lo and rmax[j] <= hi:
            continue
        for i in range(nx):
            v = a[j, i]
            if v < lo:
                a[j, i] = lo
            elif v > hi:
                a[j, i] = hi


@njit(parallel=True, cache=True)
def clip_inplace(a, lo, hi):
    """Clip a 2-D array to ``[lo, hi]`` in place (NaN stays NaN)."""
    ny, nx = a.shape
    for j in prange(ny):
        for i in range(nx):
            v = a[j, i]
            if v < lo:
                a[j, i] = lo
            elif v > hi:
                a[j, i] = hi


def threads() -> int:
    """numba's thread count."""
    return max(1, numba.get_num_threads())
