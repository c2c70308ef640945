"""Components of a multi-component line start at their template offsets from the line's own centroid.

The reference is the synthetic line's true centre: for a noise-free Gaussian
on a flat background, well inside the window, the centroid of the emission
above the background is the centre to far better than the 2 mA tolerance. The
wing components of ``si_iv_1403_3comp`` may move only within one-sided centre
ranges (-0.6..+0.05 A and -0.05..+0.6 A about the rest wavelength): the
centroid taken within such a range lies off the line centre by most of the
wing's offset already, and adding the offset to it counted the offset twice
(a wing started 0.03 A further out than its template offset says, for a line
0.05 A to the red).
"""

from __future__ import annotations

import numpy as np
import pytest

from irisplug_fit.engine import fit_spectra, numba_available
from irisplug_fit.line_templates import get_template

ENGINES = ["numpy", pytest.param("numba", marks=pytest.mark.skipif(not numba_available(), reason="numba absent"))]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("shift", [0.05, -0.08, 0.0])
def test_wings_start_at_their_offsets_from_the_line_centre(engine, shift):
    t = get_template("si_iv_1403_3comp")
    rest = 1402.77
    x = np.linspace(rest - 1.0, rest + 1.0, 201)
    centre = rest + shift
    y = 20.0 + 500.0 * np.exp(-0.5 * ((x - centre) / 0.04) ** 2)
    start = fit_spectra(y[None], x, t, engine=engine, max_iter=0)  # max_iter=0: the starting values
    p = start.params[0]
    offsets = {c.name: c.offset for c in t.components}
    assert sorted(offsets.values()) == [-0.15, 0.0, 0.15]
    for name, off in offsets.items():
        got = p[t.index(f"{name}.centre")]
        assert got == pytest.approx(centre + off, abs=2e-3), (name, got, centre + off)
