"""irisplug.lazy_exports: names imported on first access, cached, unknown names rejected."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

from irisplug.lazy_exports import lazy_exports


def test_first_access_imports_and_caches(monkeypatch):
    pkg = types.ModuleType("lazy_demo_pkg")
    monkeypatch.setitem(sys.modules, "lazy_demo_pkg", pkg)
    pkg.__getattr__, pkg.__dir__ = lazy_exports("lazy_demo_pkg", {"dumps": "json"})
    import json

    assert "dumps" not in vars(pkg)
    assert pkg.dumps is json.dumps
    assert vars(pkg)["dumps"] is json.dumps  # cached: no second lookup
    assert "dumps" in dir(pkg)
    with pytest.raises(AttributeError, match="'lazy_demo_pkg' has no attribute 'loads'"):
        getattr(pkg, "loads")  # noqa: B009 - the access itself is under test


def test_packages_stay_light_until_a_name_is_used():
    code = ("import sys, irisplug, irisplug.model, irisplug_view, irisplug_calib\n"
            "heavy = {'matplotlib', 'ndcube', 'sunraster', 'dask', 'scipy'}\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
            "irisplug.model.RasterCube\n"
            "print('ndcube' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "True"


_PACKAGES = ["irisplug", "irisplug.model", "irisplug_iris", "irisplug_io", "irisplug_show", "irisplug_iuvs",
             "irisplug_calib", "irisplug_fit", "irisplug_view", "irisplug_coalign", "irisplug_datasets"]


@pytest.mark.parametrize("name", _PACKAGES)
def test_all_names_once_and_each_resolves(name):
    """``__all__`` lists each public name once (irisplug_calib listed CalibrationWarning twice) and every name
    in it is reachable (a stale lazy-export entry fails on access, not at import)."""
    import importlib
    import warnings

    pkg = importlib.import_module(name)
    names = list(pkg.__all__)
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        missing = [n for n in names if not hasattr(pkg, n)]
    assert not missing
