"""Points of interest: stored on the object, JSON/ASDF round trips, show_poi panel options."""

from __future__ import annotations

import json

import numpy as np
import pytest

from irisplug.errors import CorruptFileError, UnsupportedObjectError
from irisplug_view._figure_kit import send_key
from irisplug_view.figures import show_poi
from irisplug_view.poi import get_pois, load_pois, save_pois
from irisplug_view.quicklook import quicklook


@pytest.fixture
def pois(obs):
    ql = quicklook(obs)
    send_key(ql.fig, "A")
    send_key(ql.fig, "up")
    send_key(ql.fig, "a")
    return get_pois(obs)


@pytest.mark.parametrize("suffix", [".json", ".asdf"])
def test_round_trip(pois, tmp_path, suffix):
    pois[0].map[0, 0] = np.nan  # NaN survives (JSON null)
    path = save_pois(pois, tmp_path / f"points{suffix}")
    back = load_pois(path)
    assert back == pois
    for a, b in zip(back, pois, strict=True):
        np.testing.assert_array_equal(a.map, b.map)
        np.testing.assert_array_equal(a.spectrum, b.spectrum)
        np.testing.assert_array_equal(a.wavelengths, b.wavelengths)


def test_json_is_plain_json_not_pickle(pois, tmp_path):
    path = save_pois(pois, tmp_path / "p.json")
    doc = json.loads(path.read_text())
    assert len(doc["irisplug_points_of_interest"]) == 3


def test_points_are_reloaded_into_a_new_viewer(obs, pois, tmp_path):
    from irisplug_view.poi import set_pois

    path = save_pois(obs, tmp_path / "p.json")  # from the object
    set_pois(obs, [])
    set_pois(obs, load_pois(path))
    ql = quicklook(obs)
    send_key(ql.fig, "t")
    assert (ql.state.x, ql.state.y) == (pois[0].step, pois[0].y)


def test_bad_files(tmp_path, pois):
    bad = tmp_path / "bad.json"
    bad.write_text('{"something": 1}')
    with pytest.raises(CorruptFileError, match="points-of-interest"):
        load_pois(bad)
    with pytest.raises(UnsupportedObjectError, match=r"\.json or \.asdf"):
        save_pois(pois, tmp_path / "p.pkl")


def test_show_poi_panels(pois):
    p = pois[-1]
    assert len(show_poi(p).axes) == 4  # three panels + the map colour bar
    assert len(show_poi(p, show_XY_map=True).axes) == 2
    assert len(show_poi(p, show_XY_map=True, colorbar1=False).axes) == 1
    assert len(show_poi(p, show_SlitSpectra=True, colorbar2=True).axes) == 2
    fig = show_poi(p, show_Spectra=True)
    (ax,) = fig.axes
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), p.spectrum)


def test_show_poi_sji_slit_option(sji):
    from irisplug_view.sji_viewer import sji_viewer

    v = sji_viewer(sji)
    send_key(v.fig, "a")
    (p,) = get_pois(sji)
    with_slit = show_poi(p)
    without = show_poi(p, show_SJI_slit=False)
    assert len(with_slit.axes[0].lines) == len(without.axes[0].lines) + 1
