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
