"""The irisplug command, run as a user runs it (a subprocess), with plugins on a temporary path."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def _run(*args, env_extra=None):
    env = dict(os.environ)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "irisplug", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_plugins_json_lists_failures_and_exits_zero(spectext_installed, broken_installed):
    proc = _run("plugins", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    by_name = {p["name"]: p for p in data["plugins"]}
    assert by_name["spectext"]["status"] == "active"
    assert by_name["spectext"]["contributions"] == {"reader": ["spectext"], "writer": ["spectext"]}
    assert by_name["broken_import"]["status"] == "failed"
    assert "raises on import" in by_name["broken_import"]["error"]
    assert by_name["bad_descriptor"]["failures"][0]["stage"] == "validation irisplug_readers"
    text = _run("plugins", "--all")
    assert text.returncode == 0
    assert "FAILED at import: RuntimeError: this plugin is broken on purpose" in text.stdout
    assert "Traceback" in text.stdout  # --all shows tracebacks


def test_strict_mode_makes_the_cli_fail(spectext_installed, broken_installed):
    proc = _run("plugins", env_extra={"IRISPLUG_STRICT": "1"})
    assert proc.returncode != 0
    assert proc.stderr.startswith("irisplug: error:") and "[plugin " in proc.stderr


def test_info_and_formats(spectext_installed, tmp_path, make_spectext):
    path = make_spectext(tmp_path / "s.spectext", [1.0, 2.0])
    proc = _run("info", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "reader: spectext" in proc.stdout and "NDCube" in proc.stdout
    formats = json.loads(_run("formats", "--json").stdout)
    assert {"kind": "reader", "name": "spectext"}.items() <= next(f for f in formats if f["name"] == "spectext").items()
    bad = _run("info", str(tmp_path / "missing.fits"))
    assert bad.returncode == 2 and "missing.fits: no such file" in bad.stderr


def test_plugin_commands_are_subcommands(install, tmp_path):
    mod = tmp_path / "site" / "irisplug_hello.py"
    mod.write_text(
        "import irisplug\n"
        "def _add(p):\n    p.add_argument('--who', default='sun')\n"
        "def _run(args):\n    print('hello', args.who)\n    return 3\n"
        "@irisplug.hookimpl\n"
        "def irisplug_commands():\n"
        "    return [irisplug.CommandDescriptor(name='hello', run=_run, add_arguments=_add, description='greets')]\n"
    )
    install("irisplug-hello", {"hello": "irisplug_hello"})
    proc = _run("hello", "--who", "IRIS")
    assert proc.returncode == 3 and proc.stdout.strip() == "hello IRIS"
    assert "greets [plugin hello]" in _run("--help").stdout


@pytest.mark.parametrize("module", ["irisplug"])
def test_import_is_light(module):
    code = (
        "import sys, time; t = time.perf_counter(); import irisplug; dt = time.perf_counter() - t; "
        "bad = sorted(m for m in sys.modules if m.startswith(('irisplug_', 'matplotlib', 'dask', 'scipy.optimize', 'astropy', 'sunpy', 'ndcube'))); "
        "print(dt); print(','.join(bad))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    seconds, bad = proc.stdout.splitlines()[0], proc.stdout.splitlines()[1:] or [""]
    assert bad == [""], f"import irisplug pulled in {bad}"
    print(f"import irisplug: {float(seconds) * 1e3:.1f} ms")


def test_public_functions_are_not_shadowed_by_submodules():
    """A public function must stay callable after every irisplug submodule was imported."""
    code = (
        "import importlib, pkgutil, irisplug\n"
        "for m in pkgutil.walk_packages(irisplug.__path__, 'irisplug.'):\n"
        "    if '.testing' not in m.name and not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        "bad = [n for n in irisplug.__all__ if n[0].islower() and n != '__version__' and not callable(getattr(irisplug, n))]\n"
        "print(','.join(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"shadowed by a submodule: {proc.stdout}"
