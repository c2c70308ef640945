"""Every raster quick-look key, sent as a real key_press_event to the canvas, and its effect."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent

from irisplug_view._figure_kit import send_key
from irisplug_view.poi import get_pois
from irisplug_view.quicklook import quicklook


@pytest.fixture
def ql(obs):
    return quicklook(obs, window="Si IV 1403")


def test_space_starts_and_stops_animation(ql):
    assert not ql.state.playing
    send_key(ql.fig, " ")
    assert ql.state.playing and ql._timer is not None
    x0 = ql.state.x
    ql.step_animation()  # what the timer calls
    assert ql.state.x == (x0 + 1) % ql.state.shape[0]
    send_key(ql.fig, " ")
    assert not ql.state.playing and ql._timer is None


@pytest.mark.parametrize("key,dx,dy", [("left", -1, 0), ("right", 1, 0), ("up", 0, 1), ("down", 0, -1),
                                       ("alt+up", 0, 5), ("alt+down", 0, -5)])
def test_arrows_move_the_point(ql, key, dx, dy):
    x0, y0 = ql.state.x, ql.state.y
    send_key(ql.fig, key)
    assert (ql.state.x, ql.state.y) == (x0 + dx, y0 + dy)
    # the spectrum panel now shows the data at the new point
    np.testing.assert_array_equal(ql.line_spec.get_ydata(), ql.win.array()[ql.state.x, ql.state.y])


def test_arrows_stop_at_the_edge(ql):
    for _ in range(20):
        send_key(ql.fig, "right")
    assert ql.state.x == ql.state.shape[0] - 1


@pytest.mark.parametrize("key,dw", [("z", -1), ("x", 1), ("Z", -5), ("X", 5)])
def test_z_x_step_in_wavelength(ql, key, dw):
    w0 = ql.state.w
    send_key(ql.fig, key)
    assert ql.state.w == w0 + dw
    np.testing.assert_array_equal(ql.im_map.get_array().T, ql.win.array()[:, :, ql.state.w])
    assert ql.vline_spec.get_xdata()[0] == pytest.approx(ql.win.wavelength[ql.state.w])


@pytest.mark.parametrize("key,expected", [("m", "Mg II k 2796"), ("n", "Mg II k 2796")])
def test_n_m_change_window(ql, key, expected):
    send_key(ql.fig, key)  # two windows: both directions reach the other one
    assert ql.state.label == expected
    assert expected in ql.ax_map.get_title()
    assert len(ql.win.wavelength) == 50


@pytest.mark.parametrize("key", ["N", "M"])
def test_shift_n_m_keep_the_zoomed_field(ql, key):
    ql.ax_map.set_xlim(1.5, 4.5)
    ql.ax_map.set_ylim(10.5, 20.5)
    send_key(ql.fig, key)
    assert ql.state.label == "Mg II k 2796"
    assert ql.ax_map.get_xlim() == pytest.approx((1.5, 4.5))
    assert ql.ax_map.get_ylim() == pytest.approx((10.5, 20.5))


def test_lower_case_n_m_restore_the_windows_own_field(ql):
    ql.ax_map.set_xlim(1.5, 4.5)
    send_key(ql.fig, "m")
    assert ql.ax_map.get_xlim() == pytest.approx((-0.5, 7.5))
    send_key(ql.fig, "m")  # back to Si IV: its own zoom comes back
    assert ql.ax_map.get_xlim() == pytest.approx((1.5, 4.5))


@pytest.mark.parametrize("key,which,sign", [("u", 0, -1), ("i", 0, 1), ("o", 1, -1), ("p", 1, 1)])
def test_u_i_o_p_contrast(ql, key, which, sign):
    before = ql.state.contrast[ql.state.label].limits
    send_key(ql.fig, key)
    after = ql.state.contrast[ql.state.label].limits
    assert np.sign(after[which] - before[which]) == sign
    assert after[1 - which] == before[1 - which]
    assert (ql.im_map.norm.vmin, ql.im_map.norm.vmax) == pytest.approx(after)
    assert (ql.im_slit.norm.vmin, ql.im_slit.norm.vmax) == pytest.approx(after)


def test_a_adds_a_point_of_interest_in_this_window(ql, obs):
    send_key(ql.fig, "right")
    send_key(ql.fig, "a")
    pois = get_pois(obs)
    assert len(pois) == 1
    p = pois[0]
    assert (p.window, p.step, p.y, p.wavelength_index) == ("Si IV 1403", ql.state.x, ql.state.y, ql.state.w)
    np.testing.assert_array_equal(p.spectrum, ql.win.array()[p.step, p.y])
    lon, lat = ql.win.lonlat(p.step, p.y)
    assert (p.lon, p.lat) == pytest.approx((float(lon), float(lat)))


def test_shift_a_adds_one_point_per_window(ql, obs):
    send_key(ql.fig, "A")
    pois = get_pois(obs)
    assert sorted(p.window for p in pois) == ["Mg II k 2796", "Si IV 1403"]
    assert len({(p.step, p.y) for p in pois}) == 1


def test_e_r_t_erase_return_goto(ql, obs):
    send_key(ql.fig, "a")                       # point 0 at the start
    start = (ql.state.x, ql.state.y)
    for _ in range(3):
        send_key(ql.fig, "up")
    send_key(ql.fig, "x")
    send_key(ql.fig, "a")                       # point 1
    second = (ql.state.x, ql.state.y, ql.state.w)
    send_key(ql.fig, "left")
    send_key(ql.fig, "t")                       # go to the next point (wraps to point 0)
    assert (ql.state.x, ql.state.y) == start
    send_key(ql.fig, "t")                       # next: point 1
    assert (ql.state.x, ql.state.y, ql.state.w) == second
    send_key(ql.fig, "r")                       # return to the previous: point 0
    assert (ql.state.x, ql.state.y) == start
    send_key(ql.fig, "e")                       # erase the current (point 0)
    assert len(get_pois(obs)) == 1
    assert get_pois(obs)[0].y == second[1]


def test_h_resets_the_zoom_of_the_panel_under_the_mouse(ql):
    ql.ax_map.set_xlim(1.5, 4.5)
    ql._capture_zoom()
    ql.state.focus = "map"
    send_key(ql.fig, "h")
    assert ql.ax_map.get_xlim() == pytest.approx((-0.5, 7.5))


def test_shift_h_resets_zoom_and_contrast(ql):
    send_key(ql.fig, "p")
    ql.ax_slit.set_ylim(275, 280)
    ql._capture_zoom()
    send_key(ql.fig, "H")
    assert ql.state.contrast[ql.state.label].limits == ql.state.contrast[ql.state.label].initial
    assert ql.ax_slit.get_ylim() == pytest.approx(ql._full["slit"][1])


@pytest.mark.parametrize("key", ["?", "/"])
def test_help_keys(ql, key):
    send_key(ql.fig, key)
    assert ql.state.help_visible and ql.help.get_visible()
    assert "z/x" in ql.help.get_text()
    send_key(ql.fig, key)
    assert not ql.help.get_visible()


def test_q_quits(ql):
    import matplotlib.pyplot as plt

    num = ql.fig.number
    send_key(ql.fig, "q")
    assert ql.state.closed
    assert not plt.fignum_exists(num)


@pytest.mark.parametrize("key,faster", [("+", True), ("-", False)])
def test_speed_keys(ql, key, faster):
    before = ql.state.interval_ms
    send_key(ql.fig, key)
    assert (ql.state.interval_ms < before) == faster


def test_unbound_keys_go_to_matplotlib(ql):
    send_key(ql.fig, "k")  # matplotlib: log x scale toggle – not ours
    assert ql.ax_map.get_xscale() in ("linear", "log")


def _move(fig, ax, xdata, ydata):
    x, y = ax.transData.transform((xdata, ydata))
    event = MouseEvent("motion_notify_event", fig.canvas, x, y)
    fig.canvas.callbacks.process("motion_notify_event", event)


def test_mouse_over_the_map_moves_the_point_and_updates_the_other_panels(ql):
    ql.fig.canvas.draw()
    _move(ql.fig, ql.ax_map, 6, 12)
    assert (ql.state.x, ql.state.y) == (6, 12)
    np.testing.assert_array_equal(ql.im_slit.get_array(), ql.win.array()[6])
    np.testing.assert_array_equal(ql.line_spec.get_ydata(), ql.win.array()[6, 12])


def test_mouse_over_the_slit_panel_sets_y_and_wavelength(ql):
    ql.fig.canvas.draw()
    wl = ql.win.wavelength
    _move(ql.fig, ql.ax_slit, wl[7], ql._lat[20])
    assert (ql.state.y, ql.state.w) == (20, 7)
    assert ql.state.focus == "slit"


def test_click_freezes_following(ql):
    ql.fig.canvas.draw()
    x, y = ql.ax_map.transData.transform((3, 3))
    ql.fig.canvas.callbacks.process("button_press_event", MouseEvent("button_press_event", ql.fig.canvas, x, y, button=1))
    assert not ql.state.follow_mouse
    _move(ql.fig, ql.ax_map, 6, 12)
    assert (ql.state.x, ql.state.y) != (6, 12)


def test_sit_and_stare_map_runs_over_time(sns):
    ql = quicklook(sns, window="Si IV 1403")
    assert ql.win.sit_and_stare
    assert ql.ax_map.get_xlabel().startswith("time")
    send_key(ql.fig, "right")
    assert ql.state.x == 7
