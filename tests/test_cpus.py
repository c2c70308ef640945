"""``irisplug.usable_cpus``: the one count every thread pool of the core and the plugins is sized by.

The reference is the operating system's answer, set from outside: a child
process pinned to one CPU (``os.sched_setaffinity``, as ``taskset`` or a
batch system's cpuset does) must see 1 everywhere, whatever the machine has.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import irisplug

ROOT = Path(__file__).resolve().parents[1]

_PINNED = """
import json, os
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
os.environ.pop("IRISPLUG_FIT_THREADS", None)
import irisplug
from irisplug_coalign import _fft
from irisplug_fit import kernels
from irisplug_iris import decode
print(json.dumps({"core": irisplug.usable_cpus(), "fit": kernels.default_threads(), "fft": _fft._threads(-1),
                  "decode": decode._decode_workers(), "machine": os.cpu_count()}))
"""


def test_matches_the_affinity_mask():
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert irisplug.usable_cpus() == expected


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux's")
def test_a_process_pinned_to_one_cpu_sizes_every_pool_at_one():
    pytest.importorskip("irisplug_fit")
    pytest.importorskip("irisplug_coalign")
    pytest.importorskip("irisplug_iris")
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_CPU_COUNT"}
    out = subprocess.run([sys.executable, "-c", _PINNED], capture_output=True, text=True, env=env, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert {k: got[k] for k in ("core", "fit", "fft", "decode")} == {"core": 1, "fit": 1, "fft": 1, "decode": 1}


@pytest.mark.skipif(sys.version_info < (3, 13), reason="PYTHON_CPU_COUNT is Python 3.13's")
def test_python_cpu_count_is_honoured():
    out = subprocess.run([sys.executable, "-c", "import irisplug; print(irisplug.usable_cpus())"],
                         capture_output=True, text=True, env={**os.environ, "PYTHON_CPU_COUNT": "3"}, check=True)
    assert out.stdout.strip() == "3"


def _cpu_count_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute)
            and node.attr in {"sched_getaffinity", "cpu_count", "process_cpu_count"}]


def test_nothing_else_counts_cpus():
    """One answer: a second count of the CPUs (a copy drifting from this one, e.g. ignoring the affinity mask and
    oversubscribing a batch job's cores) is a bug. Only ``irisplug/cpus.py`` asks the operating system."""
    sources = [*(ROOT / "irisplug").rglob("*.py"), *ROOT.glob("plugins/*/src/**/*.py")]
    assert len(sources) > 50
    found = {str(p.relative_to(ROOT)): lines for p in sources if (lines := _cpu_count_calls(p))}
    assert found == {"irisplug/cpus.py": found.get("irisplug/cpus.py")} and found["irisplug/cpus.py"]
