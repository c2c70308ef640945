"""The IRIS radiometric calibration moved to the iris plugin: the old calib names forward there with a warning."""

from __future__ import annotations

import pytest

import irisplug


def test_old_module_names_forward_with_a_deprecation_warning():
    irisplug_iris = pytest.importorskip("irisplug_iris")
    from irisplug_calib import radiometric, sji_radiometric

    with pytest.warns(DeprecationWarning, match="moved to irisplug_iris.effective_area"):
        assert radiometric.effective_area is irisplug_iris.effective_area
    with pytest.warns(DeprecationWarning, match="moved to irisplug_iris.sji_effective_area"):
        assert sji_radiometric.sji_effective_area is irisplug_iris.sji_effective_area
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        radiometric.nothing  # noqa: B018


def test_step_is_contributed_by_the_iris_plugin():
    pytest.importorskip("irisplug_iris")
    step = irisplug.get_plugin_manager().get("calibrator", "iris-radiometric")
    assert (step.plugin, step.distribution) == ("iris", "irisplug-iris")
