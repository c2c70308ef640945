"""Generated spectra with known truth, for tests, examples and benchmarks.

Examples
--------
>>> import numpy as np
>>> x = np.linspace(1401.77, 1403.77, 100)
>>> gaussians(x, np.array([10.0]), [(np.array([100.0]), np.array([1402.77]), np.array([0.03]))]).shape
(1, 100)
"""

from __future__ import annotations

import numpy as np

__all__ = ["gaussians", "poisson_gaussians", "X100"]

#: 100 points over a 2 A window around 1402.77 A (a FUV emission line)
X100 = np.linspace(1401.77, 1403.77, 100)


def gaussians(x: np.ndarray, bg: np.ndarray, comps: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> np.ndarray:
    """``bg + sum a exp(-(x-c)^2 / (2 s^2))`` written independently of the fitting code; ``(N,) -> (N, n)``."""
    y = np.asarray(bg, float)[:, None] + np.zeros((1, x.size))
    for a, c, s in comps:
        y = y + np.asarray(a)[:, None] * np.exp(-0.5 * ((x[None, :] - np.asarray(c)[:, None]) / np.asarray(s)[:, None]) ** 2)
    return y


def poisson_gaussians(n: int, x: np.ndarray = X100, ncomp: int = 1, seed: int = 0,
                      centre: float = 1402.77) -> tuple[np.ndarray, np.ndarray]:
    """``(spectra, truth)``: ``n`` Poisson spectra of ``ncomp`` Gaussians + constant.

    Components are spread over the window (separations of ~3 widths) so
    every component is identifiable. ``truth`` is ``(n, 1 + 3 ncomp)`` in
    the ``c, a1, mu1, s1, ...`` order.

    Examples
    --------
    >>> y, truth = poisson_gaussians(5)
    >>> y.shape, truth.shape
    ((5, 100), (5, 4))
    """
    rng = np.random.default_rng(seed)
    span = x[-1] - x[0]
    bg = rng.uniform(20, 60, n)
    cols = [bg]
    comps = []
    for i in range(ncomp):
        c0 = centre if ncomp == 1 else x[0] + span * (i + 1) / (ncomp + 1)
        sig_hi = min(0.06, span / (ncomp + 1) / 4)
        a = rng.uniform(200, 1500, n)
        c = c0 + rng.normal(0, 0.2 * sig_hi, n)
        s = rng.uniform(0.5 * sig_hi, sig_hi, n)
        comps.append((a, c, s))
        cols += [a, c, s]
    return rng.poisson(gaussians(x, bg, comps)).astype(float), np.column_stack(cols)
