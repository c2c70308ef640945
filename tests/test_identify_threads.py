"""Where ``identify`` runs: the built-in plugins' in the calling thread, every other plugin's in a worker thread
with the timeout (a plugin registered at run time cannot claim a built-in distribution's trust)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import irisplug
from irisplug.plugin_manager import PluginManager

sys.path.insert(0, str(Path(__file__).resolve().parent / "broken_plugins"))
import irisplug_hostile as hostile


def test_runtime_plugin_named_like_a_builtin_distribution_keeps_the_timeout(tmp_path, make_spectext, monkeypatch):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples" / "third_party_plugin" / "src"))
    import irisplug_spectext.plugin as spectext

    monkeypatch.setenv("IRISPLUG_IDENTIFY_TIMEOUT", "0.5")
    pm = PluginManager(entry_points=False)
    pm.register(spectext, name="spectext", distribution="irisplug-spectext")
    pm.register(hostile.HungIdentify(), name="hung", distribution="irisplug-iris")  # a built-in's name, at run time
    path = make_spectext(tmp_path / "spectrum.dat", [3.0])
    t0 = time.monotonic()
    assert irisplug.read(path, manager=pm).data.tolist() == [3.0]
    assert time.monotonic() - t0 < 5
    rec = {r.name: r for r in pm.records}["hung"]
    assert rec.status == "failed" and rec.failures[0].exception_type == "PluginTimeoutError"


_CHILD = """
import json, sys, threading
import irisplug
pm = irisplug.get_plugin_manager()
builtin = [r.name for r in pm.records if r.builtin and r.status == "active"]
readers = [d.plugin for d in pm.contributions("reader").values()]
try:
    irisplug.read(sys.argv[1])
except irisplug.IrisplugError:
    pass  # no reader claims the probe file; every reader's identify was called either way
print(json.dumps({"threads": [t.name for t in threading.enumerate()], "builtin": builtin, "readers": readers}))
"""


def test_builtin_identify_starts_no_thread(tmp_path):
    """Reading with the installed (built-in) readers calls each identify in the calling thread."""
    probe = tmp_path / "probe.unknownformat"
    probe.write_bytes(b"SIMPLE  =                    T" + b" " * 50)
    out = subprocess.run([sys.executable, "-c", _CHILD, str(probe)], capture_output=True, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    assert r["readers"] and set(r["readers"]) <= set(r["builtin"]), "this test needs the built-in readers only"
    assert "irisplug-identify" not in r["threads"], r["threads"]
