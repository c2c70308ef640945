"""Benchmark: ``irisplug plugins`` in fresh processes, this checkout against a baseline checkout.

Each run starts a new Python process that runs ``irisplug plugins`` and
reports the time spent in it (plugin discovery, registration and listing,
after ``import irisplug``), the modules it left in ``sys.modules`` and which
of them are plugin implementation modules (anything of an ``irisplug_*``
package but its ``plugin`` module and the package itself). Runs alternate
between the two checkouts; medians with min-max, their ratio, and the CPU.

    python benchmarks/bench_plugins_listing.py [--baseline DIR] [--repeats N]

``--baseline`` is a checkout of an earlier revision (``git worktree add DIR REV``):
its ``irisplug`` and ``plugins/*/src`` are put first on ``PYTHONPATH``, so the
installed entry points load that revision's code.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _machine import cpu_name  # benchmarks/_machine.py, beside this script

_CODE = """
import time, sys, io, contextlib, json
t0 = time.perf_counter()
import irisplug
t1 = time.perf_counter()
from irisplug.cli.main import main

with contextlib.redirect_stdout(io.StringIO()):
    main(["plugins"])
t2 = time.perf_counter()
mods = sorted(m for m in sys.modules if m.startswith("irisplug_"))
print(json.dumps({"import": t1 - t0, "plugins": t2 - t1, "modules": len(sys.modules), "irisplug": mods}))
"""



def _run(pythonpath: str | None, cwd: str) -> tuple[float, dict]:
    env = dict(os.environ)
    for knob in ("IRISPLUG_ALLOW", "IRISPLUG_DISABLE", "IRISPLUG_STRICT"):
        env.pop(knob, None)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _CODE], capture_output=True, text=True, env=env, cwd=cwd, check=True)
    return time.perf_counter() - t0, json.loads(out.stdout.strip().splitlines()[-1])


def _summary(label: str, runs: list[tuple[float, dict]]) -> float:
    wall = [w for w, _ in runs]
    listing = [d["plugins"] for _, d in runs]
    last = runs[-1][1]
    impl = [m for m in last["irisplug"] if "." in m and not m.endswith((".plugin", "._version"))]
    print(f"  {label:9s} wall median {statistics.median(wall) * 1e3:6.0f} ms (min {min(wall) * 1e3:.0f}, max {max(wall) * 1e3:.0f}); "
          f"'plugins' itself median {statistics.median(listing) * 1e3:5.0f} ms; {last['modules']} modules loaded")
    print(f"  {'':9s} plugin implementation modules imported: {', '.join(impl) or 'none'}")
    return statistics.median(listing)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, default=None, help="checkout of the revision to compare with")
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    cwd = tempfile.mkdtemp()  # not a checkout: nothing shadows the installed or PYTHONPATH code
    base_path = None
    if args.baseline is not None:
        base = args.baseline.resolve()
        base_path = os.pathsep.join([str(base), *sorted(str(p) for p in (base / "plugins").glob("*/src"))])
    ours, theirs = [], []
    for _ in range(args.repeats):
        ours.append(_run(None, cwd))
        if base_path:
            theirs.append(_run(base_path, cwd))
    print(f"`irisplug plugins`, {args.repeats} fresh processes each, {cpu_name()}")
    mine = _summary("this", ours)
    if theirs:
        before = _summary("baseline", theirs)
        ratios = [b[1]["plugins"] / a[1]["plugins"] for a, b in zip(ours, theirs, strict=True)]
        print(f"  baseline / this ('plugins' itself): {before / mine:.2f}; per pair median {statistics.median(ratios):.2f} "
              f"(min {min(ratios):.2f}, max {max(ratios):.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
