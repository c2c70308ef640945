"""Normalised cross-correlation (template matching) by FFT with integral-image denominators.

``match_template(image, template)`` returns, for every placement of the
template fully inside the image, the Pearson correlation coefficient between
the template and the image patch under it (Lewis 1995, "Fast normalized
cross-correlation", Vision Interface; the same quantity as
``skimage.feature.match_template`` without padding). The numerator is one
real FFT correlation of the image with the zero-mean template, sized to the
image only (placements that would wrap around are not returned, so no
padding to ``image + template`` size is needed); the local sums and sums of
squares under the template are running (box) sums with float64 accumulators
(a compiled numba kernel; integral images without numba).
"""

from __future__ import annotations

import numpy as np

from irisplug_coalign.phase_correlation import ShiftEstimate, _parabola

__all__ = ["match_template", "estimate_shift_ncc"]


def _window_sums(integral: np.ndarray, h: int, w: int) -> np.ndarray:
    """Sums over every ``h x w`` window from a zero-padded integral image."""
    return integral[h:, w:] - integral[:-h, w:] - integral[h:, :-w] + integral[:-h, :-w]


_BOX_KERNEL = None


def _box_sums_numba(image: np.ndarray, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Sums of ``image`` and ``image**2`` over every ``h x w`` window (valid placements).

    Running sums with float64 accumulators in one compiled pass per axis
    (numba, cached); a few times faster than two float64 integral images.
    """
    global _BOX_KERNEL
    if _BOX_KERNEL is None:
        import numba

        @numba.njit(cache=True, fastmath=False)
        def kernel(img, h, w):  # pragma: no cover - compiled
            ny, nx = img.shape
            oy, ox = ny - h + 1, nx - w + 1
            c1 = np.zeros((oy, nx))
            c2 = np.zeros((oy, nx))
            for x in range(nx):
                a = 0.0
                b = 0.0
                for y in range(h):
                    v = float(img[y, x])
                    a += v
                    b += v * v
                c1[0, x] = a
                c2[0, x] = b
                for y in range(1, oy):
                    v0 = float(img[y - 1, x])
                    v1 = float(img[y + h - 1, x])
                    a += v1 - v0
                    b += v1 * v1 - v0 * v0
                    c1[y, x] = a
                    c2[y, x] = b
            s1 = np.empty((oy, ox))
            s2 = np.empty((oy, ox))
            for y in range(oy):
                a = 0.0
                b = 0.0
                for x in range(w):
                    a += c1[y, x]
                    b += c2[y, x]
                s1[y, 0] = a
                s2[y, 0] = b
                for x in range(1, ox):
                    a += c1[y, x + w - 1] - c1[y, x - 1]
                    b += c2[y, x + w - 1] - c2[y, x - 1]
                    s1[y, x] = a
                    s2[y, x] = b
            return s1, s2

        _BOX_KERNEL = kernel
    return _BOX_KERNEL(np.ascontiguousarray(image), h, w)


def _box_sums(image: np.ndarray, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Window sums of the image and its square (numba when available, else integral images)."""
    try:
        return _box_sums_numba(image, h, w)
    except ImportError:  # pragma: no cover - numba is a dependency; keep a pure-numpy path
        s1 = _window_sums(_integral(image), h, w)
        s2 = _window_sums(_integral(image.astype(np.float64) ** 2), h, w)
        return s1, s2


def _integral(a: np.ndarray) -> np.ndarray:
    out = np.zeros((a.shape[0] + 1, a.shape[1] + 1), np.float64)
    np.cumsum(a, axis=0, dtype=np.float64, out=out[1:, 1:])
    np.cumsum(out[1:, 1:], axis=1, out=out[1:, 1:])
    return out


def match_template(image: np.ndarray, template: np.ndarray, *, workers: int = -1) -> np.ndarray:
    """Normalised cross-correlation of ``template`` at every valid position in ``image``.

    Parameters
    ----------
    image
        2-D array ``(H, W)``.
    template
        2-D array ``(h, w)`` with ``h <= H`` and ``w <= W``.
    workers
        Threads for ``scipy.fft``.

    Returns
    -------
    numpy.ndarray
        ``(H - h + 1, W - w + 1)`` float32 map; entry ``[i, j]`` is the
        correlation coefficient of ``template`` with ``image[i:i+h, j:j+w]``
        (0 where the image patch is flat).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> img = rng.random((64, 80))
    >>> ncc = match_template(img, img[10:30, 25:45])
    >>> tuple(int(i) for i in np.unravel_index(ncc.argmax(), ncc.shape)), round(float(ncc.max()), 4)
    ((10, 25), 1.0)
    """
    import scipy.fft

    image = np.asarray(image, np.float32)
    template = np.asarray(template, np.float32)
    if image.ndim != 2 or template.ndim != 2:
        raise ValueError("match_template needs 2-D image and template")
    (H, W), (h, w) = image.shape, template.shape
    if h > H or w > W:
        raise ValueError(f"template {template.shape} larger than image {image.shape}")
    t = template - np.float32(template.mean(dtype=np.float64))
    t_ssd = float(np.sum(t.astype(np.float64) ** 2))
    # FFT size: the image (no wrap reaches a valid placement), rounded up to a fast length
    fy = scipy.fft.next_fast_len(H, real=True)
    fx = scipy.fft.next_fast_len(W, real=True)
    fi = scipy.fft.rfft2(image, s=(fy, fx), workers=workers)
    ft = scipy.fft.rfft2(t, s=(fy, fx), workers=workers)
    np.multiply(fi, np.conj(ft), out=fi)
    corr = scipy.fft.irfft2(fi, s=(fy, fx), workers=workers, overwrite_x=True)[: H - h + 1, : W - w + 1]
    # local variance of the image under the template (running sums, float64)
    s1, s2 = _box_sums(image, h, w)
    var = s2 - s1 * s1 / (h * w)
    np.maximum(var, 0, out=var)
    var *= t_ssd
    denom = np.sqrt(var, out=var)
    good = denom > 1e-12 * max(float(denom.max()), 1e-300)
    out = np.zeros(corr.shape, np.float32)
    np.divide(corr, denom, out=out, where=good, casting="unsafe")
    return out


def estimate_shift_ncc(
    reference: np.ndarray,
    moving: np.ndarray,
    *,
    max_shift: int = 20,
    iterations: int = 2,
    missing: float | None = None,
) -> ShiftEstimate:
    """Shift ``(dy, dx)`` of ``moving`` relative to ``reference`` by template matching.

    The central part of ``moving`` (a margin of ``max_shift`` pixels cut on
    each side) is matched inside ``reference``; the integer peak of the NCC
    map is refined by 3-point parabolas. With ``iterations >= 2`` the moving
    image is shifted back by the estimate (cubic spline) and the residual
    measured again, which removes the parabola's bias.

    Examples
    --------
    >>> import numpy as np, scipy.ndimage as ndi
    >>> rng = np.random.default_rng(2)
    >>> ref = ndi.gaussian_filter(rng.normal(size=(96, 96)), 2)
    >>> mov = ndi.shift(ref, (2.4, -5.7), mode="nearest")
    >>> est = estimate_shift_ncc(ref, mov, max_shift=10)
    >>> round(est.dy, 1), round(est.dx, 1)
    (2.4, -5.7)
    """
    import scipy.ndimage as ndi

    from irisplug_coalign.preprocess import valid_mask

    ref = np.asarray(reference, np.float64)
    mov = np.asarray(moving, np.float64)
    if ref.shape != mov.shape or ref.ndim != 2:
        raise ValueError(f"need two 2-D images of one shape, got {ref.shape} and {mov.shape}")
    m = int(max_shift)
    if 2 * m >= min(ref.shape) - 4:
        raise ValueError(f"max_shift={max_shift} leaves no template inside a {ref.shape} image")
    fill_r = np.nanmedian(np.where(valid_mask(ref, missing), ref, np.nan))
    fill_m = np.nanmedian(np.where(valid_mask(mov, missing), mov, np.nan))
    ref = np.where(valid_mask(ref, missing), ref, fill_r)
    mov = np.where(valid_mask(mov, missing), mov, fill_m)

    def once(moving_img: np.ndarray, margin: int) -> tuple[float, float, float]:
        tpl = moving_img[margin:-margin, margin:-margin]
        ncc = match_template(ref, tpl)
        iy, ix = np.unravel_index(int(np.argmax(ncc)), ncc.shape)
        fy = _parabola(ncc[iy - 1 : iy + 2, ix]) if 0 < iy < ncc.shape[0] - 1 else 0.0
        fx = _parabola(ncc[iy, ix - 1 : ix + 2]) if 0 < ix < ncc.shape[1] - 1 else 0.0
        return margin - (iy + fy), margin - (ix + fx), float(ncc[iy, ix])

    dy, dx, peak = once(mov, m)
    for _ in range(max(iterations, 1) - 1):
        back = ndi.shift(mov, (-dy, -dx), order=3, mode="nearest")
        small = min(m, max(3, int(np.ceil(max(abs(dy), abs(dx)))) + 3))
        ry, rx, peak = once(back, small)
        dy, dx = dy + ry, dx + rx
        if abs(ry) < 1e-3 and abs(rx) < 1e-3:
            break
    return ShiftEstimate(float(dy), float(dx), peak)
