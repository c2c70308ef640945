"""Sub-pixel shift between two images by FFT cross-correlation.

The integer peak of the (phase-normalised) cross-correlation surface is
refined with a matrix-multiply DFT evaluated on an upsampled grid around the
peak (Guizar-Sicairos, Thurman & Fienup 2008, Opt. Lett. 33, 156,
doi:10.1364/OL.33.000156). Unlike their reference implementation (and
scikit-image's), the refinement here works on the half spectrum of a real
FFT and zooms in two stages, so its cost is ``N * M/2 * 31`` complex
multiply-adds per stage instead of ``N * M * 1.5 * upsample``.

Sign convention used throughout the plugin: ``shift = (dy, dx)`` is the
displacement of ``moving`` relative to ``reference``, i.e.
``moving ~= scipy.ndimage.shift(reference, shift)``. (scikit-image's
``phase_cross_correlation`` returns the opposite sign.)

Speed: real-to-complex FFTs on float32 / complex64 with all cores: FFTW
plans measured for the shape when pyFFTW is installed and
:func:`irisplug_coalign.phase_correlation.plan_fft` was run for that shape
once on this machine (see :mod:`irisplug_coalign._fft`), else
``scipy.fft.rfft2``; :class:`CrossCorrelator` keeps the apodisation window,
the conjugated reference spectrum and its spectrum buffers for reuse when
many images are correlated with one reference (jitter of a cube, a rotation
search).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from irisplug_coalign import _fft
from irisplug_coalign._fft import plan_fft
from irisplug_coalign.preprocess import common_window, prepare, tukey_window

__all__ = ["CrossCorrelator", "ShiftEstimate", "cross_correlation", "estimate_shift", "plan_fft", "refine_peak"]


@dataclass(frozen=True)
class ShiftEstimate:
    """A measured shift ``(dy, dx)`` in pixels and the peak's height.

    ``peak`` is the normalised correlation at the peak (for phase correlation,
    the fraction of spectral power agreeing with a pure shift; near 1 for a
    perfect match, near 0 for unrelated images).
    """

    dy: float
    dx: float
    peak: float

    @property
    def shift(self) -> tuple[float, float]:
        """``(dy, dx)``."""
        return (self.dy, self.dx)


def _cross_spectrum(fa: np.ndarray, fb: np.ndarray, normalization: str | None, out: np.ndarray | None = None,
                    conjugated: bool = False) -> np.ndarray:
    """``conj(fa) * fb`` (optionally divided by its modulus), complex64, in ``out``; ``fa`` is already conj(fa) if ``conjugated``."""
    conj = fa if conjugated else np.conj(fa)
    out = np.multiply(conj, fb, out=out)
    if normalization == "phase":
        mag = np.abs(out)
        np.maximum(mag, np.float32(1e-20) * (mag.max() or 1), out=mag)
        np.divide(out, mag, out=out)
    elif normalization is not None:
        raise ValueError(f"normalization must be 'phase' or None, got {normalization!r}")
    return out


def refine_peak(
    spectrum: np.ndarray,
    shape: tuple[int, int],
    peak: tuple[float, float],
    *,
    upsample: int = 100,
    half_width: float = 1.5,
) -> tuple[float, float, float]:
    """Locate the correlation peak to ``1/upsample`` pixel by a zoomed DFT.

    Parameters
    ----------
    spectrum
        Half (``rfft2``) cross-power spectrum of shape ``(N, M//2 + 1)``.
    shape
        ``(N, M)`` of the images.
    peak
        Starting position ``(y, x)`` in pixels (signed, as a shift).
    upsample
        Final zoom factor.
    half_width
        Half size in pixels of the first zoomed region.

    Returns
    -------
    y, x, value
        Refined peak position (with a final 3-point parabolic interpolation
        on the finest grid) and correlation value there.

    Examples
    --------
    >>> import numpy as np, scipy.fft as sf
    >>> y, x = np.mgrid[:64, :64]
    >>> a = np.exp(-((x - 30) ** 2 + (y - 31) ** 2) / 20.0)
    >>> b = np.exp(-((x - 32.3) ** 2 + (y - 30.6) ** 2) / 20.0)
    >>> spec = np.conj(sf.rfft2(a)) * sf.rfft2(b)
    >>> dy, dx, _ = refine_peak(spec, a.shape, (-0.0, 2.0))
    >>> round(float(dy), 2), round(float(dx), 2)
    (-0.4, 2.3)
    """
    n, m = shape
    nx_f = spectrum.shape[1]
    ky = np.fft.fftfreq(n) * n
    kx = np.arange(nx_f, dtype=np.float64)
    weight = np.full(nx_f, 2.0)
    weight[0] = 1.0
    if m % 2 == 0:
        weight[-1] = 1.0
    y0, x0 = float(peak[0]), float(peak[1])
    # stage 1: step 1/4 pixel over +-half_width; stage 2: step 1/upsample over +-0.08 pixel
    # around the stage-1 vertex (re-centred if the maximum lands on the border). Small
    # grids keep the two matrix products cheap; the parabolic vertex on each grid keeps
    # the precision well below the step.
    stages = [(1.0 / min(4, upsample), half_width)]
    if upsample > 4:
        stages.append((1.0 / upsample, 0.08))
    value = 0.0
    for step, half in stages:
        size = 2 * round(half / step) + 1
        for _ in range(4):
            offsets = (np.arange(size) - size // 2) * step
            ys = y0 + offsets
            xs = x0 + offsets
            ex = (weight[:, None] * np.exp(2j * np.pi * np.outer(kx, xs) / m)).astype(np.complex64)
            ey = np.exp(2j * np.pi * np.outer(ys, ky) / n).astype(np.complex64)
            surface = (ey @ (spectrum @ ex)).real
            iy, ix = np.unravel_index(int(np.argmax(surface)), surface.shape)
            value = float(surface[iy, ix]) / (n * m)
            inside = 0 < iy < size - 1 and 0 < ix < size - 1
            if inside:
                break
            y0, x0 = ys[iy], xs[ix]  # maximum on the border: move the grid there
        # parabolic sub-step interpolation on the zoomed grid (skipped at the border)
        fy = _parabola(surface[iy - 1 : iy + 2, ix]) if 0 < iy < size - 1 else 0.0
        fx = _parabola(surface[iy, ix - 1 : ix + 2]) if 0 < ix < size - 1 else 0.0
        y0 = ys[iy] + fy * step
        x0 = xs[ix] + fx * step
    return y0, x0, value


def _dft_point(spectrum: np.ndarray, shape: tuple[int, int], y: float, x: float) -> float:
    """The correlation surface at one (sub-pixel) position, from its half spectrum."""
    n, m = shape
    nx_f = spectrum.shape[1]
    weight = np.full(nx_f, 2.0)
    weight[0] = 1.0
    if m % 2 == 0:
        weight[-1] = 1.0
    ey = np.exp(2j * np.pi * (np.fft.fftfreq(n) * n) * y / n).astype(np.complex64)
    ex = (weight * np.exp(2j * np.pi * np.arange(nx_f) * x / m)).astype(np.complex64)
    return float((ey @ spectrum @ ex).real) / (n * m)


def _parabola(v: np.ndarray) -> float:
    """Offset of the vertex of the parabola through three equally spaced samples."""
    denom = v[0] - 2 * v[1] + v[2]
    if denom >= 0:
        return 0.0
    return float(np.clip(0.5 * (v[0] - v[2]) / denom, -0.5, 0.5))


class CrossCorrelator:
    """FFT cross-correlation of images of one shape, with reusable window and reference.

    A correlator reuses its spectrum buffers from call to call: use one per
    thread.

    Parameters
    ----------
    shape
        ``(ny, nx)`` of every image correlated.
    normalization
        ``"phase"`` (phase correlation: whitened cross-power spectrum, sharp
        peak, robust to brightness differences) or ``None`` (plain
        cross-correlation).
    window
        Tukey taper fraction ``alpha`` (0 disables apodisation) or an array.
    workers
        FFT threads (-1: all cores).
    missing
        Fill value of missing pixels in raw arrays (default None: only NaN/inf), replaced by the image mean.

    Examples
    --------
    >>> import numpy as np, scipy.ndimage as ndi
    >>> rng = np.random.default_rng(1)
    >>> ref = ndi.gaussian_filter(rng.normal(size=(128, 128)), 3)
    >>> mov = np.fft.ifft2(ndi.fourier_shift(np.fft.fft2(ref), (3.25, -7.5))).real
    >>> est = CrossCorrelator(ref.shape, window=0).estimate(ref, mov)
    >>> round(float(est.dy), 2), round(float(est.dx), 2)
    (3.25, -7.5)
    """

    def __init__(
        self,
        shape: tuple[int, int],
        *,
        normalization: str | None = None,
        window: float | np.ndarray = 0.25,
        workers: int = -1,
        missing: float | None = None,
    ) -> None:
        self.shape = (int(shape[0]), int(shape[1]))
        self.normalization = normalization
        if isinstance(window, np.ndarray):
            self.window = window.astype(np.float32)
        else:
            self.window = tukey_window(self.shape, float(window)) if window else None
        self.workers = workers
        self.missing = missing
        self._ref_spectrum: np.ndarray | None = None
        self._ref_power = 1.0
        self._last_power = 1.0
        self._norm = 1.0
        self._ref_conj: np.ndarray | None = None
        self._spec_buffers: list[np.ndarray | None] = [None, None]

    def spectrum(self, image: np.ndarray, *, prepared: bool = False, out: np.ndarray | None = None,
                 power: bool = True) -> np.ndarray:
        """The ``rfft2`` (complex64) of the prepared image (into ``out`` if given, see ``_fft.empty_spectrum``)."""
        if image.shape != self.shape:
            raise ValueError(f"image shape {image.shape} differs from the correlator's {self.shape}")
        img = np.asarray(image if prepared else prepare(image, self.window, missing=self.missing), np.float32)
        if power:
            flat = img.reshape(-1)
            self._last_power = float(np.dot(flat, flat))  # BLAS sdot: cheaper than Parseval on the spectrum
        return _fft.rfft2(img, workers=self.workers, out=out)

    def set_reference(self, reference: np.ndarray, *, prepared: bool = False) -> None:
        """Keep the reference's spectrum for repeated :meth:`estimate` calls."""
        self._ref_spectrum = self.spectrum(reference, prepared=prepared)
        self._ref_power = self._last_power
        self._ref_conj = None

    def cross_power(self, moving: np.ndarray, reference: np.ndarray | None = None, *, prepared: bool = False) -> np.ndarray:
        """Half cross-power spectrum ``conj(F_ref) F_mov`` (whitened for phase correlation)."""
        return self._cross_power(moving, reference, prepared=prepared, reuse=False, power=True)

    def _cross_power(self, moving: np.ndarray, reference: np.ndarray | None, *, prepared: bool, reuse: bool,
                     power: bool, scale: float | None = None) -> np.ndarray:
        # reuse: the result goes into this correlator's own (FFTW-aligned) buffers, overwritten by the next call;
        # scale (plain cross-correlation with a reference given only): multiply the product by it, folded into
        # the conjugation (one pass: (re, im) * (s, -s) on the float32 view)
        if reference is None:
            if self._ref_spectrum is None:
                raise ValueError("no reference: pass one or call set_reference() first")
            if self._ref_conj is None:  # conj(F_ref) once for all the images correlated with it
                self._ref_conj = np.conjugate(self._ref_spectrum)
            fr_conj, p_ref = self._ref_conj, self._ref_power
        else:
            fr_conj = self.spectrum(reference, prepared=prepared, out=self._buffers(1) if reuse else None, power=power)
            p_ref = self._last_power
            if scale is not None and self.normalization is None and fr_conj.flags.c_contiguous:
                rows = fr_conj.view(np.float32)  # (n, 2k): re, im, re, im ...
                factors = np.tile(np.array([scale, -scale], np.float32), fr_conj.shape[1])  # one row, in cache
                np.multiply(rows, factors, out=rows)
            else:
                np.conjugate(fr_conj, out=fr_conj)
                scale = None
        fm = self.spectrum(moving, prepared=prepared, out=self._buffers(0) if reuse else None, power=power)
        if power:  # image norms, to report a correlation coefficient
            self._norm = float(np.sqrt(p_ref * self._last_power)) or 1.0
        return _cross_spectrum(fr_conj, fm, self.normalization, out=fm, conjugated=True)

    def _buffers(self, k: int) -> np.ndarray:
        """Spectrum work array ``k`` (0: moving, 1: reference), allocated once per correlator."""
        if self._spec_buffers[k] is None:
            self._spec_buffers[k] = _fft.empty_spectrum(self.shape)
        return self._spec_buffers[k]

    def surface(self, moving: np.ndarray, reference: np.ndarray | None = None, *, prepared: bool = False,
                out: np.ndarray | None = None) -> np.ndarray:
        """The cross-correlation surface (float32, zero shift at index (0, 0)).

        ``out`` (float32 of the images' shape, C-contiguous), if given,
        receives the surface: no fresh array per pair when correlating many.
        Allocated by ``irisplug_coalign._fft.empty_aligned`` it takes the
        FFT's output directly (no copy).
        """
        n, m = self.shape
        scaled = reference is not None and self.normalization is None
        # the inverse FFT's 1/(n m) is folded into the conjugation of the reference spectrum
        spec = self._cross_power(moving, reference, prepared=prepared, reuse=True, power=False,
                                 scale=1.0 / (n * m) if scaled else None)
        return _fft.irfft2(spec, self.shape, workers=self.workers, overwrite=True, out=out, normalized=not scaled)

    def estimate(
        self,
        reference: np.ndarray | None,
        moving: np.ndarray,
        *,
        upsample: int = 100,
        max_shift: float | None = None,
        prepared: bool = False,
        lowpass: float = 0.0,
    ) -> ShiftEstimate:
        """Shift of ``moving`` relative to ``reference`` (``None``: the stored reference).

        Parameters
        ----------
        upsample
            Sub-pixel zoom (1: integer peak only; -1: integer peak refined by
            3-point parabolas).
        max_shift
            Search only peaks within this many pixels of zero shift.
        lowpass
            Gaussian sigma (pixels) applied to both images, as a product with
            the cross-power spectrum (``exp(-4 pi^2 sigma^2 f^2)``).
        """
        spec = self._cross_power(moving, reference, prepared=prepared, reuse=True, power=self.normalization is None)
        raw = None
        if lowpass:
            raw = spec.copy()  # the peak value is reported for the unfiltered images
            n, m = self.shape
            fy = np.fft.fftfreq(n).astype(np.float32)
            fx = np.fft.rfftfreq(m).astype(np.float32)
            c = np.float32(4 * np.pi**2 * lowpass**2)
            spec *= np.exp(-c * fy**2)[:, None]
            spec *= np.exp(-c * fx**2)[None, :]
        surf = _fft.irfft2(spec, self.shape, workers=self.workers)
        n, m = self.shape
        if max_shift is not None:
            lim = int(np.ceil(max_shift))
            ry = np.r_[0 : lim + 1, n - lim : n] if 2 * lim + 1 < n else np.arange(n)
            rx = np.r_[0 : lim + 1, m - lim : m] if 2 * lim + 1 < m else np.arange(m)
            sub = surf[np.ix_(ry, rx)]
            iy, ix = np.unravel_index(int(np.argmax(sub)), sub.shape)
            iy, ix = int(ry[iy]), int(rx[ix])
        else:
            iy, ix = np.unravel_index(int(np.argmax(surf)), surf.shape)
        py = iy - n if iy > n // 2 else iy
        px = ix - m if ix > m // 2 else ix
        scale = 1.0 / (n * m) if self.normalization == "phase" else 1.0 / self._norm
        if upsample == -1:  # integer peak + 3-point parabolas (cheap, ~0.1 px)
            fy = _parabola(surf[[(iy - 1) % n, iy, (iy + 1) % n], ix])
            fx = _parabola(surf[iy, [(ix - 1) % m, ix, (ix + 1) % m]])
            return ShiftEstimate(float(py + fy), float(px + fx), float(surf[iy, ix]) * scale)
        if upsample <= 1:
            return ShiftEstimate(float(py), float(px), float(surf[iy, ix]) * scale)
        y, x, value = refine_peak(spec, self.shape, (py, px), upsample=upsample)
        if raw is not None:
            value = _dft_point(raw, self.shape, y, x)
        return ShiftEstimate(float(y), float(x), value if self.normalization == "phase" else value / self._norm)


def cross_correlation(reference: np.ndarray, moving: np.ndarray, *, normalization: str | None = None, workers: int = -1) -> np.ndarray:
    """Circular cross-correlation surface of two equal-shape images (no windowing).

    Zero shift is at index ``(0, 0)``; the maximum sits at the shift of
    ``moving`` relative to ``reference`` (modulo the image size).

    Examples
    --------
    >>> a = np.zeros((8, 8), np.float32); a[2, 3] = 1
    >>> b = np.roll(a, (1, 2), axis=(0, 1))
    >>> tuple(int(i) for i in np.unravel_index(cross_correlation(a, b).argmax(), (8, 8)))
    (1, 2)
    """
    cc = CrossCorrelator(reference.shape, normalization=normalization, window=0, workers=workers, missing=None)
    a = np.asarray(reference, np.float32)
    b = np.asarray(moving, np.float32)
    return cc.surface(b, a, prepared=True)


def _bin_block(img: np.ndarray, f: int, out: np.ndarray) -> None:
    # strided adds, whole rows first (contiguous): several times faster than a 4-D
    # reshape-mean with tiny inner axes
    rows = img[0::f].copy()
    for k in range(1, f):
        rows += img[k::f]
    out[...] = rows[:, 0::f]
    for k in range(1, f):
        out += rows[:, k::f]
    out *= np.float32(1.0 / (f * f))


def _bin(image: np.ndarray, f: int, workers: int = 2) -> np.ndarray:
    """Mean over ``f x f`` blocks (edges that do not fill a block are dropped), in threads."""
    n, m = (image.shape[0] // f) * f, (image.shape[1] // f) * f
    img = np.asarray(image[:n, :m], np.float32)
    out = np.empty((n // f, m // f), np.float32)
    parts = max(1, min(workers, n // f // 64))
    if parts == 1:
        _bin_block(img, f, out)
        return out
    from concurrent.futures import ThreadPoolExecutor

    edges = np.linspace(0, n // f, parts + 1).astype(int)
    with ThreadPoolExecutor(parts) as pool:  # numpy releases the GIL in the adds
        list(pool.map(lambda i: _bin_block(img[edges[i] * f : edges[i + 1] * f], f, out[edges[i] : edges[i + 1]]), range(parts)))
    return out


def estimate_shift(
    reference: np.ndarray,
    moving: np.ndarray,
    *,
    upsample: int = 100,
    normalization: str | None = None,
    window: float = 0.25,
    max_shift: float | None = None,
    iterations: int = 2,
    missing: float | None = None,
    smooth: float = 1.0,
    pyramid: bool | None = None,
    refine_size: int | None = -1,
) -> ShiftEstimate:
    """Sub-pixel shift ``(dy, dx)`` of ``moving`` relative to ``reference``.

    ``moving ~= scipy.ndimage.shift(reference, (dy, dx))``.

    Parameters
    ----------
    reference, moving
        2-D images of the same shape (NaN and ``missing`` pixels ignored).
    upsample
        Sub-pixel zoom factor of the DFT refinement.
    normalization
        ``"phase"`` or ``None`` (see :class:`CrossCorrelator`).
    window
        Tukey apodisation fraction.
    max_shift
        Largest shift considered, in pixels.
    iterations
        With 2 or more, the residual is measured again on the exactly
        overlapping parts of the two images (cropped by the integer shift, no
        resampling), which removes the bias the apodisation window causes
        for large shifts.
    smooth
        Gaussian sigma (pixels) of a low-pass applied to both images in that
        refinement (in the Fourier domain).
    pyramid
        Coarse-to-fine for large images (default: when the smaller side is
        >= 2048 px): the shift is first found on 4x4 binned
        images, then refined at full resolution on the overlap.
    refine_size
        Largest side of the central overlap window used in the refinement
        (``None``: the whole overlap; -1: a quarter of the image side, at
        least 512 px).

    Examples
    --------
    >>> import numpy as np, scipy.ndimage as ndi
    >>> rng = np.random.default_rng(0)
    >>> scene = ndi.gaussian_filter(rng.normal(size=(160, 160)), 2)
    >>> ref, mov = scene[16:144, 16:144], ndi.shift(scene, (4.3, -2.6))[16:144, 16:144]
    >>> est = estimate_shift(ref, mov)
    >>> round(est.dy, 1), round(est.dx, 1)
    (4.3, -2.6)
    """

    reference = np.asarray(reference, np.float32)
    moving = np.asarray(moving, np.float32)
    if reference.shape != moving.shape or reference.ndim != 2:
        raise ValueError(f"need two 2-D images of one shape, got {reference.shape} and {moving.shape}")
    n, m = reference.shape
    if refine_size == -1:
        refine_size = max(512, min(n, m) // 4)
    if pyramid is None:
        pyramid = min(n, m) >= 2048
    if pyramid:
        # coarse-to-fine: integer-level shift from binned images, then the sub-pixel
        # refinement below on a central window of the overlap (same peak as a full-size
        # correlation for any image with a unique peak, at a fraction of the FFT work)
        f = 4
        rb, mb = _bin(reference, f), _bin(moving, f)
        ok, win = common_window(rb, mb, window, missing)
        coarse = CrossCorrelator(rb.shape, normalization=normalization, window=0, missing=None)
        # 3-point parabolas on the binned surface: about a tenth of a binned pixel, so the
        # integer shift for the overlap below is right or one pixel off (then a second pass)
        est = coarse.estimate(prepare(rb, win, mask=ok, missing=missing), prepare(mb, win, mask=ok, missing=missing),
                              upsample=-1, max_shift=None if max_shift is None else max_shift / f + 1, prepared=True)
        dy, dx = est.dy * f, est.dx * f
        iterations = max(iterations, 2) + 1
    else:
        ok, win = common_window(reference, moving, window, missing)
        cc = CrossCorrelator(reference.shape, normalization=normalization, window=0, missing=None)
        # with a refinement to follow, the full-size pass needs the integer peak only
        est = cc.estimate(prepare(reference, win, mask=ok, missing=missing), prepare(moving, win, mask=ok, missing=missing),
                          upsample=upsample if iterations < 2 else 1, max_shift=max_shift, prepared=True)
        dy, dx = est.dy, est.dx
        if iterations >= 2:
            iterations += 1  # the integer peak may be one pixel off: allow a second sub-pixel pass
    def overlap(ky: int, kx: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None] | None:
        # the exactly overlapping parts for an integer shift (no resampling), central window
        ref_c = reference[max(0, -ky) : n - max(0, ky), max(0, -kx) : m - max(0, kx)]
        mov_c = moving[max(0, ky) : n - max(0, -ky), max(0, kx) : m - max(0, -kx)]
        if refine_size and max(ref_c.shape) > refine_size:
            oy = max(0, (ref_c.shape[0] - refine_size) // 2)
            ox = max(0, (ref_c.shape[1] - refine_size) // 2)
            ref_c = ref_c[oy : oy + refine_size, ox : ox + refine_size]
            mov_c = mov_c[oy : oy + refine_size, ox : ox + refine_size]
        if min(ref_c.shape) < 16:
            return None
        ok, win = common_window(ref_c, mov_c, window, missing)
        return prepare(ref_c, win, mask=ok, missing=missing), prepare(mov_c, win, mask=ok, missing=missing), win

    for _ in range(max(iterations, 1) - 1):
        # sub-pixel on the exactly overlapping parts: the remaining shift is below half a
        # pixel, where the apodisation window causes no bias; the same Gaussian low-pass
        # on both images leaves the shift unchanged and removes the weight of noise and
        # interpolation artefacts (resampled data)
        ky, kx = round(dy), round(dx)
        if abs(ky) > n // 2 or abs(kx) > m // 2:
            break
        parts = overlap(ky, kx)
        if parts is None:
            break
        sub = CrossCorrelator(parts[0].shape, normalization=normalization, window=0, missing=None)
        res = sub.estimate(parts[0], parts[1], upsample=upsample, max_shift=2.0, prepared=True, lowpass=smooth)
        new_dy, new_dx = ky + res.dy, kx + res.dx
        est = ShiftEstimate(new_dy, new_dx, res.peak)
        # converged when the integer part holds; on the large overlap windows of the
        # coarse-to-fine path a residual up to one pixel carries no measurable window bias
        converged = (round(new_dy) == ky and round(new_dx) == kx) or (pyramid and max(abs(res.dy), abs(res.dx)) <= 1.0)
        dy, dx = new_dy, new_dx
        if converged:
            break
    return ShiftEstimate(float(dy), float(dx), est.peak)
