"""``irisplug --version`` names the core's version and every installed plugin's, as pip installed them."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points, version

import irisplug


def test_version_lists_core_and_every_installed_plugin():
    env = {k: v for k, v in os.environ.items() if k not in ("IRISPLUG_ALLOW", "IRISPLUG_DISABLE", "IRISPLUG_STRICT")}
    proc = subprocess.run(
        [sys.executable, "-m", "irisplug", "--version"], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"irisplug {version('irisplug')}" == f"irisplug {irisplug.__version__}"
    for ep in entry_points(group="irisplug"):
        assert f"  {ep.name}: {ep.dist.name} {ep.dist.version}" in lines, (ep.name, lines)


def test_version_marks_a_failed_plugin(broken_installed):
    proc = subprocess.run([sys.executable, "-m", "irisplug", "--version"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "  broken_import: irisplug-broken-import 0.1.0 (failed)" in proc.stdout.splitlines()
