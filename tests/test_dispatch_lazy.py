"""irisplug.read imports the read dispatch only; reader patterns are matched as fnmatch does."""

from __future__ import annotations

import fnmatch
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from irisplug.dispatch.read import _name_matches


def test_read_imports_the_read_dispatch_only():
    code = ("import sys, irisplug\n"
            "irisplug.read, irisplug.choose_reader\n"
            "print(sorted(m for m in sys.modules if m.startswith('irisplug.dispatch.') or m in "
            "('irisplug.atomic', 'irisplug.provenance', 'difflib', 'queue', 'gzip', 'uuid')))\n"
            "import irisplug.dispatch as d\n"
            "print(d.fit is irisplug.fit, d.plan_calibration is irisplug.plan_calibration, d.choose_writer is irisplug.choose_writer)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0] == "['irisplug.dispatch._guard', 'irisplug.dispatch.keywords', 'irisplug.dispatch.read']"
    assert out[1] == "True True True"


@given(st.text(alphabet="ab.*?_", max_size=8), st.text(alphabet="ab._", max_size=10))
def test_name_matches_is_fnmatch(pattern, name):
    assert _name_matches(name, pattern) == fnmatch.fnmatch(name, pattern)


def test_name_matches_reader_patterns(tmp_path):
    """Every installed reader's patterns against the names of files the IRIS generator writes."""
    import pytest

    import irisplug

    generate = pytest.importorskip("irisplug_iris.generator").generate
    generate(tmp_path, n_rasters=1, n_steps=2, n_y=8, windows=("Si IV 1403",), sji=("SJI_1400",), quiet=True)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert any("raster" in n for n in names) and any("SJI" in n for n in names)
    readers = irisplug.get_plugin_manager().contributions("reader")
    patterns = {p for r in readers.values() for p in r.patterns} | {"*.fits", "*", "iris*raster*raster*.fits"}
    for name in names:
        for pattern in (*sorted(patterns), name):
            assert _name_matches(name, pattern) == fnmatch.fnmatch(name, pattern), (name, pattern)
