"""numba kernels of :mod:`irisplug_calib.bspline` (imported only when resampling is needed)."""

from __future__ import annotations

import math

import numba
import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

Z = math.sqrt(3.0) - 2.0  # the cubic B-spline pole (Unser 1999)
GAIN = (1.0 - Z) * (1.0 - 1.0 / Z)  # = 6 per axis


_TILE = 8  # image rows filtered together (one 512-bit vector of float64 per column)
_HORIZON = 53  # |z**53| < 1e-30: the recursions' memory beyond this many samples is below rounding


@njit(cache=True)
def _init_causal(b, n, z_n_1):
    # initial value of the causal recursion for the mirror boundary (Unser; the sum scipy truncates likewise)
    z = Z
    acc = b[0] + z_n_1 * b[n - 1]
    z_i = z
    for i in range(1, n - 1):
        acc += z_i * (b[i] + z_n_1 * b[n - 1 - i])
        z_i *= z
        if abs(z_i) < 1e-30:
            break
    return acc / (1.0 - z_n_1 * z_n_1)


@njit(cache=True)
def _filter_row(img, j, b, gain, z_n_1):
    # the row pass of one row into b: for the few rows the column recursions need before a chunk starts
    nx = b.shape[0]
    z = Z
    for i in range(nx):
        b[i] = np.float64(img[j, i]) * gain
    if nx < 2:
        return
    b[0] = _init_causal(b, nx, z_n_1)
    for i in range(1, nx):
        b[i] += z * b[i - 1]
    b[nx - 1] = (z * b[nx - 2] + b[nx - 1]) * z / (z * z - 1.0)
    for i in range(nx - 2, -1, -1):
        b[i] = z * (b[i + 1] - b[i])


@njit(cache=True)
def _column_state(img, j0, state, b, b2, gain, zx):
    """The causal column recursion's value at row ``j0 - 1`` (or row 0's mirror initial value if ``j0 == 0``)."""
    ny = img.shape[0]
    nx = state.shape[0]
    z = Z
    if j0 > 0:
        # the recursion restarted _HORIZON rows above: its value differs by |z|**_HORIZON < 1e-30 relative
        state[:] = 0.0
        for j in range(max(0, j0 - _HORIZON), j0):
            _filter_row(img, j, b, gain, zx)
            for i in range(nx):
                state[i] = b[i] + z * state[i]
        return
    zy = z ** (ny - 1)
    _filter_row(img, 0, b, gain, zx)
    _filter_row(img, ny - 1, b2, gain, zx)
    for i in range(nx):
        state[i] = b[i] + zy * b2[i]
    z_j = z
    for j in range(1, ny - 1):
        _filter_row(img, j, b, gain, zx)
        if zy != 0.0:
            _filter_row(img, ny - 1 - j, b2, gain, zx)
        else:
            b2[:] = 0.0
        for i in range(nx):
            state[i] += z_j * (b[i] + zy * b2[i])
        z_j *= z
        if abs(z_j) < 1e-30:
            break
    f = 1.0 / (1.0 - zy * zy)
    for i in range(nx):
        state[i] *= f


@njit(cache=True, nogil=True)
def down_band(img, out, j0, j1):
    """Row pass and the causal half of the column pass for rows ``j0..j1-1`` of ``img`` into ``out``.

    One sweep from top to bottom; the column recursion starts from its
    value ``_HORIZON`` rows above ``j0`` (exact to rounding), so bands run
    independently (in threads: no GIL). ``img`` is C-contiguous float64.
    Returns the band's min and max (NaN ignored) and a count that is
    positive if the band has NaNs (counted after the row pass, which
    spreads a NaN over its whole row; +inf and -inf in one row may count
    too, which only sends the caller to its NaN handling, where it finds none).
    """
    ny, nx = img.shape
    z = Z
    gain = GAIN * GAIN
    zx = z ** (nx - 1)
    tile = np.empty((nx, _TILE))
    state = np.zeros(nx)
    b = np.empty(nx)
    b2 = np.empty(nx)
    if ny >= 2:
        _column_state(img, j0, state, b, b2, gain, zx)
    l0 = l1 = l2 = l3 = l4 = l5 = l6 = l7 = np.inf
    h0 = h1 = h2 = h3 = h4 = h5 = h6 = h7 = -np.inf
    nn = 0
    for t0 in range(j0, j1, _TILE):
        last = min(j1, t0 + _TILE) - 1
        # a short last tile repeats its last row (harmless: only min, max and "any NaN" are kept)
        r0 = img[t0]
        r1 = img[min(t0 + 1, last)]
        r2 = img[min(t0 + 2, last)]
        r3 = img[min(t0 + 3, last)]
        r4 = img[min(t0 + 4, last)]
        r5 = img[min(t0 + 5, last)]
        r6 = img[min(t0 + 6, last)]
        r7 = img[min(t0 + 7, last)]
        for i in range(nx):
            v0 = np.float64(r0[i])
            v1 = np.float64(r1[i])
            v2 = np.float64(r2[i])
            v3 = np.float64(r3[i])
            v4 = np.float64(r4[i])
            v5 = np.float64(r5[i])
            v6 = np.float64(r6[i])
            v7 = np.float64(r7[i])
            l0 = v0 if v0 < l0 else l0
            l1 = v1 if v1 < l1 else l1
            l2 = v2 if v2 < l2 else l2
            l3 = v3 if v3 < l3 else l3
            l4 = v4 if v4 < l4 else l4
            l5 = v5 if v5 < l5 else l5
            l6 = v6 if v6 < l6 else l6
            l7 = v7 if v7 < l7 else l7
            h0 = v0 if v0 > h0 else h0
            h1 = v1 if v1 > h1 else h1
            h2 = v2 if v2 > h2 else h2
            h3 = v3 if v3 > h3 else h3
            h4 = v4 if v4 > h4 else h4
            h5 = v5 if v5 > h5 else h5
            h6 = v6 if v6 > h6 else h6
            h7 = v7 if v7 > h7 else h7
            t = tile[i]
            t[0] = v0 * gain
            t[1] = v1 * gain
            t[2] = v2 * gain
            t[3] = v3 * gain
            t[4] = v4 * gain
            t[5] = v5 * gain
            t[6] = v6 * gain
            t[7] = v7 * gain
        if nx >= 2:
            # row pass on the 8 rows at once: causal then anti-causal recursion along the row
            for r in range(_TILE):
                acc = tile[0, r] + zx * tile[nx - 1, r]
                z_i = z
                for i in range(1, nx - 1):
                    acc += z_i * (tile[i, r] + zx * tile[nx - 1 - i, r])
                    z_i *= z
                    if abs(z_i) < 1e-30:
                        break
                tile[0, r] = acc / (1.0 - zx * zx)
            p0 = tile[0, 0]
            p1 = tile[0, 1]
            p2 = tile[0, 2]
            p3 = tile[0, 3]
            p4 = tile[0, 4]
            p5 = tile[0, 5]
            p6 = tile[0, 6]
            p7 = tile[0, 7]
            for i in range(1, nx):
                t = tile[i]
                p0 = t[0] + z * p0
                t[0] = p0
                p1 = t[1] + z * p1
                t[1] = p1
                p2 = t[2] + z * p2
                t[2] = p2
                p3 = t[3] + z * p3
                t[3] = p3
                p4 = t[4] + z * p4
                t[4] = p4
                p5 = t[5] + z * p5
                t[5] = p5
                p6 = t[6] + z * p6
                t[6] = p6
                p7 = t[7] + z * p7
                t[7] = p7
            e = z / (z * z - 1.0)
            t = tile[nx - 1]
            u = tile[nx - 2]
            p0 = (z * u[0] + t[0]) * e
            t[0] = p0
            p1 = (z * u[1] + t[1]) * e
            t[1] = p1
            p2 = (z * u[2] + t[2]) * e
            t[2] = p2
            p3 = (z * u[3] + t[3]) * e
            t[3] = p3
            p4 = (z * u[4] + t[4]) * e
            t[4] = p4
            p5 = (z * u[5] + t[5]) * e
            t[5] = p5
            p6 = (z * u[6] + t[6]) * e
            t[6] = p6
            p7 = (z * u[7] + t[7]) * e
            t[7] = p7
            for i in range(nx - 2, -1, -1):
                t = tile[i]
                p0 = z * (p0 - t[0])
                t[0] = p0
                p1 = z * (p1 - t[1])
                t[1] = p1
                p2 = z * (p2 - t[2])
                t[2] = p2
                p3 = z * (p3 - t[3])
                t[3] = p3
                p4 = z * (p4 - t[4])
                t[4] = p4
                p5 = z * (p5 - t[5])
                t[5] = p5
                p6 = z * (p6 - t[6])
                t[6] = p6
                p7 = z * (p7 - t[7])
                t[7] = p7
        # a NaN anywhere in a row reaches every value of its row pass
        for r in range(_TILE):
            if tile[0, r] != tile[0, r]:
                nn += 1
        # causal column recursion down the tile's rows, written out
        if last == t0 + _TILE - 1 and t0 > 0 and ny >= 2:
            o0 = out[t0]
            o1 = out[t0 + 1]
            o2 = out[t0 + 2]
            o3 = out[t0 + 3]
            o4 = out[t0 + 4]
            o5 = out[t0 + 5]
            o6 = out[t0 + 6]
            o7 = out[t0 + 7]
            for i in range(nx):
                t = tile[i]
                s = t[0] + z * state[i]
                o0[i] = s
                s = t[1] + z * s
                o1[i] = s
                s = t[2] + z * s
                o2[i] = s
                s = t[3] + z * s
                o3[i] = s
                s = t[4] + z * s
                o4[i] = s
                s = t[5] + z * s
                o5[i] = s
                s = t[6] + z * s
                o6[i] = s
                s = t[7] + z * s
                o7[i] = s
                state[i] = s
            continue
        for r in range(last + 1 - t0):
            j = t0 + r
            orow = out[j]
            if ny < 2:
                for i in range(nx):
                    orow[i] = tile[i, r]
            elif j == 0:
                for i in range(nx):
                    orow[i] = state[i]
            else:
                for i in range(nx):
                    s = tile[i, r] + z * state[i]
                    state[i] = s
                    orow[i] = s
    lo = min(min(min(l0, l1), min(l2, l3)), min(min(l4, l5), min(l6, l7)))
    hi = max(max(max(h0, h1), max(h2, h3)), max(max(h4, h5), max(h6, h7)))
    return lo, hi, nn


@njit(cache=True, nogil=True)
def up_columns(a, i0, i1):
    """Anti-causal half of the column pass for columns ``i0..i1-1``, bottom to top, in place."""
    ny = a.shape[0]
    if ny < 2:
        return
    z = Z
    e = z / (z * z - 1.0)
    for i in range(i0, i1):
        a[ny - 1, i] = (z * a[ny - 2, i] + a[ny - 1, i]) * e
    for j in range(ny - 2, -1, -1):
        for i in range(i0, i1):
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


@intrinsic
def _taps(typingctx, flat, b, nx, wx0, wx1, wx2, wx3, wy0, wy1, wy2, wy3):
    """``sum_r wy_r sum_k wx_k flat[b + r nx + k]``: the 4x4 taps as four 256-bit loads and vector arithmetic.

    numba leaves LLVM's SLP vectoriser off, so the 16 scalar loads of plain
    code stay scalar; this emits the vector form directly. ``b`` and ``nx``
    are int64 and every index is inside ``flat`` (the caller checks).
    """
    sig = types.float64(flat, b, nx, wx0, wx1, wx2, wx3, wy0, wy1, wy2, wy3)

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        vec = ir.VectorType(ir.DoubleType(), 4)
        i32 = ir.IntType(32)
        undef = ir.Constant(vec, ir.Undefined)
        splat = ir.Constant(ir.VectorType(i32, 4), [0, 0, 0, 0])
        acc = None
        idx = args[1]
        for r in range(4):
            row = builder.load(builder.bitcast(builder.gep(data, [idx], inbounds=True), vec.as_pointer()), align=8)
            w = builder.shuffle_vector(builder.insert_element(undef, args[7 + r], ir.Constant(i32, 0)), undef, splat)
            term = builder.fmul(row, w)
            acc = term if acc is None else builder.fadd(acc, term)
            idx = builder.add(idx, args[2])
        wx = undef
        for k in range(4):
            wx = builder.insert_element(wx, args[3 + k], ir.Constant(i32, k))
        prod = builder.fmul(acc, wx)
        e = [builder.extract_element(prod, ir.Constant(i32, k)) for k in range(4)]
        return builder.fadd(builder.fadd(e[0], e[1]), builder.fadd(e[2], e[3]))

    return sig, codegen


@intrinsic
def _taps4(typingctx, flat, base, k, nx, wx, wy, orow, o, lo, hi):
    """Pixels ``k..k+3`` of a chunk: their 4x4 taps, clipped to [lo, hi], stored at ``orow[o..o+3]``.

    Each pixel's four coefficient rows are 256-bit loads weighted by its
    ``wy``; the four pixels' results are transposed so that the ``wx``
    weights (stored per tap, contiguous over pixels) apply as whole
    vectors and the four outputs leave as one store.
    """
    sig = types.none(flat, base, k, nx, wx, wy, orow, o, lo, hi)

    def codegen(context, builder, signature, args):
        flat_, base_, k_, nx_, wx_, wy_, orow_, o_, lo_, hi_ = args
        data = context.make_array(signature.args[0])(context, builder, flat_).data
        based = context.make_array(signature.args[1])(context, builder, base_).data
        wxd = context.make_array(signature.args[4])(context, builder, wx_).data
        wyd = context.make_array(signature.args[5])(context, builder, wy_).data
        outd = context.make_array(signature.args[6])(context, builder, orow_).data
        vec = ir.VectorType(ir.DoubleType(), 4)
        i32 = ir.IntType(32)
        i64 = k_.type
        undef = ir.Constant(vec, ir.Undefined)

        def c64(v):
            return ir.Constant(i64, v)

        def shuf(x, y, idx):
            return builder.shuffle_vector(x, y, ir.Constant(ir.VectorType(i32, 4), idx))

        def vload(ptr, idx):
            return builder.load(builder.bitcast(builder.gep(ptr, [idx], inbounds=True), vec.as_pointer()), align=8)

        def fma_add(acc, x, y):
            # x * y (+ acc), allowed to fuse into one FMA (as fastmath code would)
            prod = builder.fmul(x, y)
            prod.flags.append("contract")
            if acc is None:
                return prod
            out = builder.fadd(acc, prod)
            out.flags.append("contract")
            return out

        def splat(x):
            return shuf(builder.insert_element(undef, x, ir.Constant(i32, 0)), undef, [0, 0, 0, 0])

        chunk = c64(_CHUNK)
        acc = []
        for p in range(4):
            kp = builder.add(k_, c64(p))
            idx = builder.load(builder.gep(based, [kp], inbounds=True))
            a = None
            for r in range(4):
                w = builder.load(builder.gep(wyd, [builder.add(builder.mul(chunk, c64(r)), kp)], inbounds=True))
                a = fma_add(a, vload(data, idx), splat(w))
                idx = builder.add(idx, nx_)
            acc.append(a)
        # transpose: col[q] = (acc[0][q], acc[1][q], acc[2][q], acc[3][q])
        t0 = shuf(acc[0], acc[1], [0, 4, 2, 6])
        t1 = shuf(acc[0], acc[1], [1, 5, 3, 7])
        t2 = shuf(acc[2], acc[3], [0, 4, 2, 6])
        t3 = shuf(acc[2], acc[3], [1, 5, 3, 7])
        cols = [shuf(t0, t2, [0, 1, 4, 5]), shuf(t1, t3, [0, 1, 4, 5]), shuf(t0, t2, [2, 3, 6, 7]),
                shuf(t1, t3, [2, 3, 6, 7])]
        res = None
        for q in range(4):
            w = vload(wxd, builder.add(builder.mul(chunk, c64(q)), k_))
            res = fma_add(res, cols[q], w)
        lov, hiv = splat(lo_), splat(hi_)
        res = builder.select(builder.fcmp_ordered("<", res, lov), lov, res)
        res = builder.select(builder.fcmp_ordered(">", res, hiv), hiv, res)
        builder.store(res, builder.bitcast(builder.gep(outd, [o_], inbounds=True), vec.as_pointer()), align=8)
        return context.get_dummy_value()

    return sig, codegen


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


@njit(cache=True, nogil=True)
def evaluate(coef, m00, m01, m10, m11, sx, sy, out, cval, lo, hi, j0, j1):
    """Cubic B-spline at ``(m00 x + m01 y + sx, m10 x + m11 y + sy)`` for output rows ``j0..j1-1``, clipped to [lo, hi].

    Fills ``out`` (allocated by numpy, which asks the kernel for huge pages: far
    fewer page faults than numba's allocator); ``lo``/``hi`` of -inf/inf do not clip.
    Along an output row the input position is affine, hence monotonic, so the
    pixels whose 4x4 support lies inside the input form one interval, done
    without any boundary test.
    """
    ny, nx = coef.shape
    out_w = out.shape[1]
    flat = coef.ravel()
    # interior: the 4x4 support inside the input; the margin keeps _weights' floor (fastmath) on the same side
    xlo, xhi = 1.0 + 1e-6, nx - 2.0 - 1e-6
    ylo, yhi = 1.0 + 1e-6, ny - 2.0 - 1e-6
    inx = np.int64(nx)
    for j in range(j0, j1):
        wx = np.empty((4, _CHUNK))
        wy = np.empty((4, _CHUNK))
        base = np.empty(_CHUNK, dtype=np.uint64)
        bx = m01 * j + sx
        by = m11 * j + sy
        orow = out[j]
        i0 = 0
        while i0 < out_w:
            x = m00 * i0 + bx
            y = m10 * i0 + by
            if x >= xlo and x < xhi and y >= ylo and y < yhi:
                break
            orow[i0] = min(max(_general(coef, nx, ny, x, y, cval), lo), hi)
            i0 += 1
        i1 = out_w - 1
        while i1 >= i0:
            x = m00 * i1 + bx
            y = m10 * i1 + by
            if x >= xlo and x < xhi and y >= ylo and y < yhi:
                break
            orow[i1] = min(max(_general(coef, nx, ny, x, y, cval), lo), hi)
            i1 -= 1
        # interior: weights for a chunk of pixels first (a vectorised loop), then the 16 taps each
        s = i0
        while s <= i1:
            n = min(_CHUNK, i1 + 1 - s)
            _weights(m00, m10, bx, by, s, n, nx, wx, wy, base)
            n4 = n - n % 4
            for k in range(0, n4, 4):
                _taps4(flat, base, np.int64(k), inx, wx, wy, orow, np.int64(s + k), lo, hi)
            for k in range(n4, n):
                v = _taps(flat, np.int64(base[k]), inx, wx[0, k], wx[1, k], wx[2, k], wx[3, k],
                          wy[0, k], wy[1, k], wy[2, k], wy[3, k])
                orow[s + k] = min(max(v, lo), hi)
            s += n


def threads() -> int:
    """The number of threads to use: numba's ``NUMBA_NUM_THREADS`` (default: the CPU count)."""
    return max(1, int(numba.config.NUMBA_NUM_THREADS))
