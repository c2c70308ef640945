"""Every slit-jaw viewer key, sent as a real key_press_event, and its effect."""

from __future__ import annotations

import numpy as np
import pytest

from irisplug_view._figure_kit import send_key
from irisplug_view.poi import get_pois
from irisplug_view.sji_viewer import sji_viewer


@pytest.fixture
def v(sji):
    return sji_viewer(sji)


def test_space_animates_and_loops_inside_the_zoomed_slider(v):
    send_key(v.fig, " ")
    assert v.state.playing and v._timer is not None
    v.slider.ax.set_xlim(3, 5)  # the "mini-loop" of iris_lmsalpy: zoom the slider
    v.state.set_frame(5)
    v.step_animation()
    assert v.state.frame == 3
    v.step_animation()
    assert v.state.frame == 4
    send_key(v.fig, " ")
    assert not v.state.playing and v._timer is None


@pytest.mark.parametrize("key,delta", [("right", 1), ("left", -1), ("alt+right", 5), ("alt+left", -5)])
def test_arrows_step_frames_and_update_the_slider(v, key, delta):
    v.state.set_frame(6)
    v.redraw(draw=False)
    send_key(v.fig, key)
    assert v.state.frame == 6 + delta
    assert int(v.slider.val) == v.state.frame
    np.testing.assert_array_equal(v.im.get_array(), v.frames.frame(v.state.frame))


def test_slider_sets_the_frame(v):
    v.slider.set_val(7)
    assert v.state.frame == 7


@pytest.mark.parametrize("key,which,sign", [("u", 0, -1), ("i", 0, 1), ("o", 1, -1), ("p", 1, 1)])
def test_contrast_keys(v, key, which, sign):
    before = v.state.contrast.limits
    send_key(v.fig, key)
    after = v.state.contrast.limits
    assert np.sign(after[which] - before[which]) == sign
    assert (v.im.norm.vmin, v.im.norm.vmax) == pytest.approx(after)


def test_v_and_shift_v_toggle_the_slit_line(v, sji):
    assert v.slit_line.get_visible()  # shown by default, from the cube's slit_x coordinate
    dark_column = int(np.argmin(np.asarray(sji.data[0]).mean(axis=0)))  # the slit is dark in the image itself
    assert v.slit_line.get_xdata()[0] == pytest.approx(dark_column)
    send_key(v.fig, "v")
    assert not v.slit_line.get_visible()
    send_key(v.fig, "V")
    assert v.slit_line.get_visible() and v.slit_line.get_linewidth() == 3.0


def test_a_e_r_t_points_of_interest(v, sji):
    send_key(v.fig, "right")
    send_key(v.fig, "a")
    send_key(v.fig, "right")
    send_key(v.fig, "right")
    send_key(v.fig, "a")
    pois = get_pois(sji)
    assert [p.step for p in pois] == [1, 3] and all(p.kind == "sji" for p in pois)
    np.testing.assert_array_equal(pois[0].map, v.frames.frame(1))
    send_key(v.fig, "t")
    assert v.state.frame == 1  # wraps to the first point
    send_key(v.fig, "t")
    assert v.state.frame == 3
    send_key(v.fig, "r")
    assert v.state.frame == 1
    send_key(v.fig, "e")
    assert [p.step for p in get_pois(sji)] == [3]


def test_h_and_shift_h_reset(v):
    v.ax.set_xlim(10, 20)
    send_key(v.fig, "p")
    send_key(v.fig, "h")
    assert v.ax.get_xlim() == pytest.approx(v.full[0])
    assert v.state.contrast.limits != v.state.contrast.initial
    v.ax.set_xlim(10, 20)
    send_key(v.fig, "H")
    assert v.ax.get_xlim() == pytest.approx(v.full[0])
    assert v.state.contrast.limits == v.state.contrast.initial


@pytest.mark.parametrize("key", ["?", "/"])
def test_help(v, key):
    send_key(v.fig, key)
    assert v.help.get_visible()


@pytest.mark.parametrize("key,faster", [("+", True), ("-", False)])
def test_speed(v, key, faster):
    before = v.state.interval_ms
    send_key(v.fig, key)
    assert (v.state.interval_ms < before) == faster


def test_q_quits(v):
    import matplotlib.pyplot as plt

    num = v.fig.number
    send_key(v.fig, "q")
    assert v.state.closed and not plt.fignum_exists(num)


def test_slit_from_the_raster_world_coordinates(obs):
    """Without a per-frame slit column, the slit comes from the raster exposure nearest in time (astropy reference)."""
    from irisplug_iris import synthetic_sji

    sji = synthetic_sji(6, 50, 60, slit_coord=False, cadence=9.3, start="2014-03-29T14:10:00")
    v = sji_viewer(sji, slit_from=obs)
    v.state.set_frame(3)
    v.redraw(draw=False)
    x, y = v.slit_line.get_data()
    raster = obs["Si IV 1403"].data[0]  # exposure k at 14:10:00 + 9.3 k s: frame 3 ↔ step 3
    _, lat, lon = raster.wcs.pixel_to_world_values([0, 0], [0, 39], [3, 3])
    want_x, want_y = sji.wcs.celestial.world_to_pixel_values(lon, lat)
    np.testing.assert_allclose(x, want_x, atol=0.05)
    np.testing.assert_allclose(y, want_y, atol=0.05)
    v.state.set_frame(5)  # 46.5 s after the start; the first scan's 8 steps end at 65 s: still drawn
    v.redraw(draw=False)
    assert v.slit_line.get_visible()
    v2 = sji_viewer(synthetic_sji(6, 50, 60, slit_coord=False, start="2014-03-29T18:00:00"), slit_from=obs)
    assert not v2.slit_line.get_visible()  # hours from any raster exposure: no slit drawn
