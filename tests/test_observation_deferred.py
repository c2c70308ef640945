"""Observation with Deferred windows: built once, on first access; table rows from the summaries."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from irisplug.model import Deferred, Observation

SUMMARY = {"kind": "slit-jaw", "detector": "SJI", "shape": (4, 3, 2), "wave_min": 1390.0, "wave_max": 1406.0, "n_files": 1}


class _Counter:
    def __init__(self, delay: float = 0.0) -> None:
        self.calls = 0
        self.delay = delay

    def __call__(self) -> np.ndarray:
        self.calls += 1
        time.sleep(self.delay)
        return np.arange(24.0).reshape(4, 3, 2)


def test_built_once_on_first_access():
    build = _Counter()
    obs = Observation({"SJI_1400": Deferred(build, SUMMARY)})
    assert build.calls == 0 and not obs.is_built("SJI_1400")
    first = obs["SJI_1400"]
    assert obs["SJI_1400"] is first
    assert build.calls == 1 and obs.is_built("SJI_1400")


def test_concurrent_first_access_builds_once():
    build = _Counter(delay=0.05)
    obs = Observation({"SJI_1400": Deferred(build, SUMMARY)})
    got = []
    threads = [threading.Thread(target=lambda: got.append(obs["SJI_1400"])) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert build.calls == 1
    assert all(g is got[0] for g in got)


def test_window_table_from_summary_without_building():
    build = _Counter()
    obs = Observation({"SJI_1400": Deferred(build, SUMMARY)}, meta={"OBSID": "1"})
    row = obs.windows[0]
    assert (row["label"], row["kind"], row["detector"], row["shape"], row["n_files"]) == ("SJI_1400", "slit-jaw", "SJI", "4 x 3 x 2", 1)
    assert row["wave_min"] == 1390.0 and row["wave_max"] == 1406.0
    assert build.calls == 0
    assert "SJI_1400" in obs.info_text() and build.calls == 0


def test_membership_and_keys_do_not_build():
    build = _Counter()
    obs = Observation({"a": Deferred(build, SUMMARY)})
    assert "a" in obs and "b" not in obs and list(obs.keys()) == ["a"] and len(obs) == 1
    assert "a" in obs.keys()
    assert build.calls == 0


def test_map_items_and_values_build():
    build = _Counter()
    obs = Observation({"a": Deferred(build, SUMMARY)})
    doubled = obs.map_items(lambda x: 2 * x)
    np.testing.assert_array_equal(doubled["a"], 2 * np.arange(24.0).reshape(4, 3, 2))
    assert build.calls == 1


def test_summary_must_be_complete():
    with pytest.raises(ValueError, match="wave_min"):
        Deferred(lambda: None, {k: v for k, v in SUMMARY.items() if k != "wave_min"})


def test_unknown_label_names_the_known_ones():
    obs = Observation({"a": Deferred(lambda: 1, SUMMARY)})
    with pytest.raises(KeyError, match="'a'"):
        obs["b"]
