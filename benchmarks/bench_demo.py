"""``irisplug demo`` with empty caches, stage by stage: this checkout against a baseline checkout, interleaved.

Every run is a fresh ``python -m irisplug demo --quiet`` into a fresh output
folder with every cache empty (``IRISPLUG_CACHE_DIR`` and ``NUMBA_CACHE_DIR``
point to new folders; no background kernel compilation), as a user's first
run. ``--baseline DIR`` runs the same command with another checkout's
``irisplug`` and plugins first on ``PYTHONPATH`` (e.g. a ``git worktree`` of
an older commit), alternating with this checkout so that both see the same
machine load. Reported per checkout: wall time, the process's CPU time
(user + system; the figure to compare on a shared machine), the stage times
the demo prints (wall, and CPU where the demo prints it), and the
co-alignment offsets found. Medians with min-max.

    python benchmarks/bench_demo.py [--repeats 3] [--baseline /tmp/base]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _machine import machine_line

ROOT = Path(__file__).resolve().parent.parent
_TIMES = re.compile(r"\((\d+\.\d+) s(?:, (\d+\.\d+) s CPU)?\)$")


def _pythonpath(root: Path) -> str:
    return os.pathsep.join([str(root), *sorted(str(p) for p in (root / "plugins").glob("*/src"))])


def _run_demo(root: Path) -> tuple[float, float, dict[str, tuple[float, float | None]], list[str]]:
    """One demo run with empty caches: wall, CPU, {stage: (wall, cpu)}, offset lines."""
    with tempfile.TemporaryDirectory() as tmp:
        # bytecode written and used as after ``pip install`` (without PYTHONDONTWRITEBYTECODE, which some images
        # set: every run would compile every module of a checkout from source)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(MPLBACKEND="Agg", IRISPLUG_QUIET="1", IRISPLUG_CACHE_DIR=f"{tmp}/cache",
                   NUMBA_CACHE_DIR=f"{tmp}/numba", IRISPLUG_FIT_WARM="0", PYTHONPATH=_pythonpath(root))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "irisplug", "demo", "--out", f"{tmp}/out", "--quiet"],
                             env=env, capture_output=True, text=True, check=True, cwd=tmp)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    stages: dict[str, tuple[float, float | None]] = {}
    title = None
    offsets = []
    for line in out.stdout.splitlines():
        if line.startswith("== "):
            title = line[3:].split(":")[0].split(" (")[0]
            continue
        m = _TIMES.search(line.strip())
        if m and title and not title.startswith("done"):
            stages[title] = (float(m.group(1)), float(m.group(2)) if m.group(2) else None)
        if "offset" in line and "planted" in line:
            offsets.append(line.split("(")[0].strip() + " " + line.split("offset")[1].split(";")[0].strip())
    return wall, cpu, stages, offsets


def _summary(values: list[float]) -> str:
    v = np.asarray(values)
    return f"{np.median(v):5.2f} ({v.min():.2f}-{v.max():.2f})"


def run(repeats: int, baseline: Path | None) -> None:
    roots = {"this checkout": ROOT} | ({"baseline": baseline} if baseline else {})
    print(f"CPU: {machine_line()}; {repeats} runs per checkout, interleaved; "
          + "; ".join(f"{k}: {v}" for k, v in roots.items()))
    runs: dict[str, list[tuple[float, float, dict, list]]] = {k: [] for k in roots}
    for _ in range(repeats):
        for name, root in roots.items():
            runs[name].append(_run_demo(root))
    for name, results in runs.items():
        print(f"\n{name}: median (min-max), seconds")
        print(f"  {'wall':58s} {_summary([r[0] for r in results])}")
        print(f"  {'process CPU (user + system)':58s} {_summary([r[1] for r in results])}")
        for stage in results[0][2]:
            walls = [r[2][stage][0] for r in results if stage in r[2]]
            cpus = [r[2][stage][1] for r in results if stage in r[2] and r[2][stage][1] is not None]
            cpu_text = f"   CPU {_summary(cpus)}" if cpus else ""
            print(f"  {stage[:58]:58s} {_summary(walls)}{cpu_text}")
        for line in sorted({o for r in results for o in r[3]}):
            print(f"  co-alignment: {line}")
    if baseline:
        ratio = np.asarray([b[1] for b in runs["baseline"]]) / np.asarray([t[1] for t in runs["this checkout"]])
        print(f"\nprocess CPU, baseline / this checkout: median {np.median(ratio):.2f}x ({ratio.min():.2f}-{ratio.max():.2f}x)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--baseline", type=Path, help="another checkout's root (its irisplug and plugins/*/src)")
    a = p.parse_args()
    run(a.repeats, a.baseline)


if __name__ == "__main__":
    main()
