"""Small rotation and scale between two images: search over the correlation peak.

The translation is measured first by FFT cross-correlation and removed; then
the moving image is resampled (cubic spline) by trial rotation, scale and
residual shift about the image centre and compared with the reference by a
weighted correlation coefficient inside a circular (rotation-invariant)
apodisation window. A coarse grid over angle (and scale) starts a
Nelder-Mead maximisation over all parameters at once. For the small angles of
co-alignment (a degree or two of roll error, a few per cent of plate scale)
this is more accurate than a log-polar transform, whose angular resolution
is limited by the polar grid.

Convention: ``moving(q) = reference(A^-1 (q - c - s) + c)`` with ``q`` in
array ``(y, x)`` order, ``c`` the image centre, ``s = (dy, dx)`` and
``A = scale * R(angle)``, where a positive angle turns the image content
counter-clockwise as displayed with ``origin="lower"`` (x to the right, y
up) -- the opposite sense to ``scipy.ndimage.rotate``'s positive angle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from irisplug_coalign.preprocess import valid_mask

__all__ = ["AffineEstimate", "rotation_matrix", "estimate_rotation_scale", "warp"]


@dataclass(frozen=True)
class AffineEstimate:
    """Rotation (degrees), scale and shift ``(dy, dx)`` of moving relative to reference."""

    angle: float
    scale: float
    dy: float
    dx: float
    peak: float

    @property
    def matrix(self) -> np.ndarray:
        """``A = scale * R(angle)`` acting on ``(y, x)`` column vectors."""
        return self.scale * rotation_matrix(self.angle)


def rotation_matrix(angle_deg: float) -> np.ndarray:
    """Rotation acting on ``(y, x)`` vectors, counter-clockwise for ``origin="lower"`` display.

    Examples
    --------
    >>> rotation_matrix(90.0).round(6) @ np.array([0.0, 1.0])  # +x turns to +y
    array([1., 0.])
    """
    t = np.deg2rad(angle_deg)
    c, s = np.cos(t), np.sin(t)
    return np.array([[c, s], [-s, c]])


def warp(image: np.ndarray, angle: float = 0.0, scale: float = 1.0, shift: tuple[float, float] = (0.0, 0.0), *, order: int = 3, cval: float = np.nan) -> np.ndarray:
    """Apply ``A = scale * R(angle)`` about the centre, then ``shift`` (the model above).

    ``warp(reference, angle, scale, shift)`` is what :func:`estimate_rotation_scale`
    expects the moving image to look like.

    Examples
    --------
    >>> img = np.zeros((21, 21)); img[10, 15] = 1  # 5 px right of centre
    >>> tuple(int(i) for i in np.unravel_index(np.nanargmax(warp(img, 90.0, order=1)), img.shape))  # now 5 px up
    (15, 10)
    """
    import scipy.ndimage as ndi

    a = scale * rotation_matrix(angle)
    ainv = np.linalg.inv(a)
    c = (np.array(image.shape, float) - 1) / 2
    s = np.asarray(shift, float)
    # output(q) = input(ainv (q - c - s) + c) = input(ainv q + offset)
    offset = c - ainv @ (c + s)
    return ndi.affine_transform(np.asarray(image, float), ainv, offset=offset, order=order, mode="constant", cval=cval)


def estimate_rotation_scale(
    reference: np.ndarray,
    moving: np.ndarray,
    *,
    max_angle: float = 2.0,
    fit_scale: bool = False,
    max_scale: float = 0.05,
    window: float = 0.25,
    missing: float | None = None,
    xatol: float = 1e-4,
    smooth: float = 1.0,
) -> AffineEstimate:
    """Rotation (and scale) of ``moving`` relative to ``reference``, with the shift.

    Parameters
    ----------
    reference, moving
        2-D images of one shape.
    max_angle
        Search range in degrees (both signs).
    fit_scale
        Also fit a scale factor within ``1 +- max_scale``.
    window
        Tukey apodisation fraction.
    xatol
        Convergence tolerance of the angle (degrees), log-scale and shift (pixels).
    smooth
        Gaussian sigma (pixels) applied to both images before the search.

    Examples
    --------
    >>> import numpy as np, scipy.ndimage as ndi
    >>> rng = np.random.default_rng(3)
    >>> scene = ndi.gaussian_filter(rng.normal(size=(128, 128)), 3)
    >>> mov = warp(scene, 0.8, 1.0, (1.5, -2.0), cval=0.0)
    >>> est = estimate_rotation_scale(scene[16:-16, 16:-16], mov[16:-16, 16:-16])
    >>> round(est.angle, 2), round(est.dy, 1), round(est.dx, 1)
    (0.8, 1.5, -2.0)
    """
    import scipy.ndimage as ndi
    from scipy.optimize import minimize

    from irisplug_coalign.phase_correlation import estimate_shift

    ref = np.asarray(reference, np.float64)
    mov = np.asarray(moving, np.float64)
    if ref.shape != mov.shape or ref.ndim != 2:
        raise ValueError(f"need two 2-D images of one shape, got {ref.shape} and {mov.shape}")
    # 1. translation first (the start of the search)
    s0 = np.array(estimate_shift(ref, mov, window=window, missing=missing).shift)
    mov_ok = valid_mask(mov, missing)
    fill = np.nanmean(np.where(mov_ok, mov, np.nan))
    # (spline prefiltering spreads NaN over the whole image: interpolate filled data, mask apart)
    # both images low-passed alike: cubic-spline resampling damps the highest frequencies
    # differently at each sub-pixel phase, which would bias the angle
    mov0 = ndi.gaussian_filter(np.where(mov_ok, mov, fill), smooth) if smooth else np.where(mov_ok, mov, fill)
    mov0_ok = mov_ok.astype(float)
    # 2. a rotation-invariant (circular) apodisation inside the area both images cover
    c = (np.array(ref.shape, float) - 1) / 2
    radius = min(ref.shape) / 2 - float(np.abs(s0).max()) - 2
    if radius < 8:
        raise ValueError(f"shift {tuple(s0)} leaves too small an overlap to measure a rotation")
    yy, xx = np.indices(ref.shape)
    r = np.hypot(yy - c[0], xx - c[1]) / radius
    circle = np.where(r < 1 - window, 1.0, 0.5 * (1 + np.cos(np.pi * np.clip((r - 1 + window) / max(window, 1e-6), 0, 1))))
    circle[r >= 1] = 0.0
    ref_ok = valid_mask(ref, missing)
    ref_fill = np.where(ref_ok, ref, np.nanmean(np.where(ref_ok, ref, np.nan)))
    ref_f = ndi.gaussian_filter(ref_fill, smooth) if smooth else ref_fill
    base_w = circle * ref_ok

    def transformed(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # candidate(p) = mov0(A (p - c) + c + t): equals the reference at the true A and t = s - s0
        angle, logk, ty, tx = params
        a = float(np.exp(logk)) * rotation_matrix(angle)
        offset = c - a @ c + np.array([ty, tx])
        cand = ndi.affine_transform(mov0, a, offset=offset, order=3, mode="nearest")
        weight = ndi.affine_transform(mov0_ok, a, offset=offset, order=1, mode="constant", cval=0.0)
        return cand, weight

    def correlation(params: np.ndarray) -> float:
        # weighted Pearson coefficient inside the circle: smooth in all parameters
        cand, weight = transformed(params)
        w = base_w * np.clip(weight, 0, 1)
        sw = w.sum()
        if sw <= 0:
            return -1.0
        da = ref_f - (w * ref_f).sum() / sw
        db = cand - (w * cand).sum() / sw
        num = (w * da * db).sum()
        den = np.sqrt((w * da * da).sum() * (w * db * db).sum())
        return float(num / den) if den > 0 else -1.0

    step = min(0.25, max_angle)
    angles = np.arange(-max_angle, max_angle + 1e-9, step)
    logks = np.log(np.arange(1 - max_scale, 1 + max_scale + 1e-9, max_scale / 4)) if fit_scale else np.array([0.0])
    _, a0, k0 = max((correlation(np.array([a, k, s0[0], s0[1]])), a, k) for a in angles for k in logks)
    x0 = np.array([a0, k0, s0[0], s0[1]])
    free = [0, 2, 3] + ([1] if fit_scale else [])
    steps = {0: step / 2, 1: max_scale / 8, 2: 0.25, 3: 0.25}

    def cost(p: np.ndarray) -> float:
        full = x0.copy()
        full[free] = p
        return -correlation(full)

    simplex = [x0[free]] + [x0[free] + np.eye(len(free))[i] * steps[j] for i, j in enumerate(free)]
    res = minimize(cost, x0=x0[free], method="Nelder-Mead",
                   options={"xatol": xatol, "fatol": 1e-12, "initial_simplex": np.array(simplex), "maxiter": 2000})
    best = x0.copy()
    best[free] = res.x
    angle, scale = float(best[0]), float(np.exp(best[1]))
    s = best[2:]
    return AffineEstimate(angle, scale, float(s[0]), float(s[1]), -float(res.fun))
