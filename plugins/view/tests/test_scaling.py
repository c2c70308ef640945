"""histo_opt, LUTs and contrast steps against independent references (numpy quantiles, matplotlib)."""

from __future__ import annotations

import numpy as np
import pytest

from irisplug_view.scaling import ContrastLimits, gamma_lut, histo_opt, scale_to_index


@pytest.mark.parametrize("cutoff", [1e-3, 1e-2, 0.05])
def test_histo_opt_matches_quantiles(cutoff):
    rng = np.random.default_rng(1)
    image = rng.gamma(3.0, 50.0, (400, 400))
    vmin, vmax = histo_opt(image, cutoff=cutoff, nbins=10000)
    width = (image.max() - image.min()) / 10000
    assert vmin == pytest.approx(np.quantile(image, cutoff), abs=2 * width)
    assert vmax == pytest.approx(np.quantile(image, 1 - cutoff), abs=2 * width)


def test_histo_opt_floor_is_second_bin_and_ignores_nan():
    image = np.zeros((100, 100))
    image[:, 50:] = np.linspace(1, 100, 50)  # half the pixels are zero
    image[0, 0] = np.nan
    vmin, vmax = histo_opt(image, cutoff=0.4, nbins=100)
    edges = np.linspace(0, 100, 101)
    assert vmin >= edges[1]
    assert vmax <= 100


def test_histo_opt_degenerate_inputs():
    assert histo_opt(np.full((3, 3), np.nan)) == (0.0, 1.0)
    assert histo_opt(np.full((3, 3), 5.0)) == (5.0, 6.0)
    with pytest.raises(ValueError, match="cutoff"):
        histo_opt(np.ones(3), cutoff=0.7)


def test_lut_scaling_matches_matplotlib_colour_mapping():
    import matplotlib
    import sunpy.visualization.colormaps  # noqa: F401  (registers the irissji* maps)
    from matplotlib.colors import Normalize, PowerNorm

    rng = np.random.default_rng(2)
    frame = rng.uniform(-10, 300, (50, 60))
    cmap = matplotlib.colormaps["irissji1400"]
    lut = gamma_lut(cmap, 1.0, 256)
    ours = lut[scale_to_index(frame, 0, 250)]
    ref = cmap(Normalize(0, 250, clip=True)(frame), bytes=True)
    # within a LUT step or two (both quantise to 256 colour-map entries, rounding differs)
    assert np.abs(ours.astype(int) - ref.astype(int)).max() <= 6
    assert np.abs(ours.astype(int) - ref.astype(int)).mean() < 1
    lut_g = gamma_lut(cmap, 0.5, 4096)
    ours_g = lut_g[scale_to_index(frame, 0, 250, n=4096)]
    ref_g = cmap(PowerNorm(0.5, 0, 250, clip=True)(frame), bytes=True)
    assert np.abs(ours_g.astype(int) - ref_g.astype(int)).max() <= 6
    assert np.abs(ours_g.astype(int) - ref_g.astype(int)).mean() < 1


def test_contrast_keys_never_cross():
    c = ContrastLimits(0, 10)
    for _ in range(50):
        c.apply("i")
    assert c.vmin < c.vmax
    assert not c.apply("q")
