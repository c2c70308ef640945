"""Cold start of irisplug-fit: the first fit in a fresh process, with empty and with warm kernel caches.

Every measurement runs in a fresh subprocess (interleaved over repeats):

* the user's first fit (``engine="auto"``) in a brand-new environment with
  empty caches (numpy at once, the kernel compiled by a background process:
  how long until the cache is ready), then in another new environment;
* ``import irisplug_fit``: time, and whether it imported numba (it must not);
* first fit (2 spectra, ``si_iv_1403``, ``engine="numba"``) with an empty kernel cache: numba compiles;
* the same in a new process with the cache on disk;
* "new environment": the package copied to another folder (another install
  path, as a new virtual environment has) with the per-user cache warm;
* a fit with initial values and uncertainties in a process whose cache was
  warmed by plain fits (it must load the same kernel, not compile another);
* optionally (``--demo``) ``irisplug demo`` with empty caches, then again with the caches it left;
* ``--profile``: where one empty-cache first fit spends its compilation
  (each jitted function's compilations and exclusive CPU time, and the
  compiler phases: typing, lowering, LLVM), from numba's event API.

Caches are isolated in temporary folders (``IRISPLUG_CACHE_DIR``; the
baseline's kernels cache under ``NUMBA_CACHE_DIR`` or ``__pycache__``,
which this script points to an empty folder). ``--src DIR`` runs the same
measurements against another checkout's ``irisplug_fit`` (a baseline).

    python benchmarks/bench_fit_cold_start.py [--repeats 3] [--demo] [--src OTHER/plugins/fit/src]
    python benchmarks/bench_fit_cold_start.py --profile [--src OTHER/plugins/fit/src]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _machine import machine_line

_IMPORT = ("import time,sys;t=time.perf_counter();import irisplug_fit;"
           "print(time.perf_counter()-t, int('numba' in sys.modules))")
# a fit with initial values and uncertainties (read-only broadcasts inside fit_spectra) in a process whose
# cache was warmed by plain fits: it must load the same kernel, not compile another specialisation
_OTHER_INPUTS = ("import time;t=time.perf_counter();import numpy as np;from irisplug_fit.engine import fit_spectra;"
                 "x=np.linspace(1401.77,1403.77,100);y=10+200*np.exp(-0.5*((x-1402.8)/0.035)**2);"
                 "r=fit_spectra(y[None],x,'si_iv_1403',engine='numba',p0=[10,200,1402.8,0.035],"
                 "uncertainty=np.sqrt(y));assert r.status[0]==0;print(time.perf_counter()-t)")
_FIRST_FIT = ("import time;t=time.perf_counter();import numpy as np;from irisplug_fit.engine import fit_spectra;"
              "x=np.linspace(1401.77,1403.77,100);y=10+200*np.exp(-0.5*((x-1402.8)/0.035)**2);"
              "r=fit_spectra(np.stack([y,y]),x,'si_iv_1403',engine='numba');assert r.status[0]==0;"
              "print(time.perf_counter()-t)")


# the user's view: engine="auto" (numpy at once while the kernel compiles in the background, numba once cached)
_FIRST_FIT_AUTO = ("import time;t=time.perf_counter();import numpy as np;from irisplug_fit.engine import fit_spectra;"
                   "x=np.linspace(1401.77,1403.77,100);y=10+200*np.exp(-0.5*((x-1402.8)/0.035)**2);"
                   "r=fit_spectra(np.stack([y,y]),x,'si_iv_1403');assert r.status[0]==0;"
                   "print(time.perf_counter()-t, int(r.meta['engine']=='numba'))")


def _wait_for_background(cache: Path, timeout: float = 300.0) -> float:
    """Seconds until the background compiler's ready marker appears under ``cache`` (nan if it does not)."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if list(cache.glob("**/ready-*")):
            time.sleep(0.2)  # let it exit
            return time.perf_counter() - t0
        time.sleep(0.2)
    return float("nan")


def _run(code: str, env: dict[str, str], pythonpath: str | None = None) -> list[float]:
    """The child's printed values, then its CPU time (user + system, from the parent's rusage of children)."""
    env = dict(env)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return [*(float(v) for v in out.stdout.split()), cpu]


def _env(cache: Path, numba_cache: bool) -> dict[str, str]:
    # bytecode written and used as after ``pip install`` (PYTHONDONTWRITEBYTECODE, which some images set, would
    # make every fresh process compile every module it imports)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(IRISPLUG_CACHE_DIR=str(cache), IRISPLUG_QUIET="1")
    env.pop("NUMBA_CACHE_DIR", None)
    if numba_cache:  # every numba function of every package caches there (all cold)
        env["NUMBA_CACHE_DIR"] = str(cache / "numba-dir")
    return env


def _copy_package(src: Path, dest: Path) -> Path:
    pkg = dest / "irisplug_fit"
    shutil.copytree(src, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def run(repeats: int, demo: bool, src: str | None) -> None:
    import irisplug_fit

    pkg = Path(src) / "irisplug_fit" if src else Path(irisplug_fit.__file__).parent
    print(f"CPU: {machine_line()}; package {pkg}; {repeats} fresh processes per row, interleaved")
    rows: dict[str, list[float]] = {}
    numba_imported = set()
    engines: dict[str, set[str]] = {}
    demo_lines: set[str] = set()
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            # a private copy of the package: its __pycache__ starts empty (numba's in-tree cache)
            a = _copy_package(pkg, tmp / "env_a")
            b = _copy_package(pkg, tmp / "env_b")
            # brand-new environment, engine="auto": the user's first fit, then the background compilation
            env = _env(tmp / "cache-auto", numba_cache=False)
            wall, numba_used, cpu = _run(_FIRST_FIT_AUTO, env, str(a))
            rows.setdefault("first fit (auto), brand-new environment", []).append(wall)
            rows.setdefault("  first fit (auto), brand-new environment: process CPU time", []).append(cpu)
            engines.setdefault("first fit (auto), brand-new environment", set()).add("numba" if numba_used else "numpy")
            rows.setdefault("  background compilation until the cache is ready (wall, from the fit's end)", []).append(
                _wait_for_background(tmp / "cache-auto"))
            wall, numba_used, cpu = _run(_FIRST_FIT_AUTO, env, str(b))
            rows.setdefault("first fit (auto), next new environment", []).append(wall)
            rows.setdefault("  first fit (auto), next new environment: process CPU time", []).append(cpu)
            engines.setdefault("first fit (auto), next new environment", set()).add("numba" if numba_used else "numpy")
            env = _env(tmp / "cache", numba_cache=False)
            t, imported, _ = _run(_IMPORT, env, str(a))
            rows.setdefault("import irisplug_fit", []).append(t)
            if imported:
                numba_imported.add("yes")
            for label, code, where in (("first fit, empty cache", _FIRST_FIT, a),
                                       ("first fit, cache on disk", _FIRST_FIT, a),
                                       ("first fit, new environment (per-user cache warm)", _FIRST_FIT, b),
                                       ("fit with p0 + uncertainties, cache warmed by plain fits", _OTHER_INPUTS, a)):
                wall, cpu = _run(code, env, str(where))
                rows.setdefault(label, []).append(wall)
                rows.setdefault(f"  {label}: process CPU time", []).append(cpu)
            if demo:
                with tempfile.TemporaryDirectory() as cold:
                    env_demo = _env(Path(cold), numba_cache=True)  # every plugin's numba kernels cold
                    if src:
                        env_demo["PYTHONPATH"] = src + os.pathsep + env_demo.get("PYTHONPATH", "")
                    for label in ("irisplug demo, empty caches", "irisplug demo, warm caches"):
                        t0 = time.perf_counter()
                        before = resource.getrusage(resource.RUSAGE_CHILDREN)
                        out = subprocess.run([sys.executable, "-m", "irisplug", "demo", "--out", str(tmp / "demo"),
                                              "--quiet"], env=env_demo, capture_output=True, text=True, check=True)
                        after = resource.getrusage(resource.RUSAGE_CHILDREN)
                        rows.setdefault(label, []).append(time.perf_counter() - t0)
                        rows.setdefault(f"  {label}: process CPU time", []).append(
                            after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
                        for line in out.stdout.splitlines():
                            if "offset" in line and "planted" in line:
                                demo_lines.add(line.strip())
                        _wait_for_background(Path(cold))  # the kernel compiled in the background: now warm
                        shutil.rmtree(tmp / "demo")
    for label, vals in rows.items():
        v = np.asarray(vals)
        print(f"{label:52s} median {np.median(v):6.2f} s  (min {v.min():.2f}, max {v.max():.2f})")
    print(f"import irisplug_fit imports numba: {'yes' if numba_imported else 'no'}")
    for label, used in engines.items():
        print(f"{label}: engine {', '.join(sorted(used))}")
    if demo:
        print("(the demo runs the installed packages, --src's irisplug_fit first; 'empty': every numba cache empty,"
              " 'warm': the same caches after the run)")
        for line in sorted(demo_lines):
            print(f"demo co-alignment: {line}")


def _profile_child() -> None:
    """In a fresh process with an empty cache: the first fit's compilation, by function and by phase (CPU time).

    numba's event API (``numba.core.event``): compile events give each
    jitted function's compilation (specialisations = events per function),
    compiler-pass events and the LLVM lock split it into phases; times are
    exclusive (a function's nested compilations are counted for the callee).
    """
    from collections import defaultdict

    from numba.core import event

    excl: dict[tuple[str, str], float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    stack: list[list] = []
    funcs: list[str] = []
    kinds = ("numba:compile", "numba:run_pass", "numba:llvm_lock")

    class _Listener(event.Listener):
        def on_start(self, ev):
            if ev.kind == "numba:compile":
                funcs.append(ev.data["dispatcher"].py_func.__qualname__.split(".<locals>")[0])
                count[funcs[-1]] += 1
                label = (funcs[-1], "other")
            elif ev.kind == "numba:run_pass":
                label = (funcs[-1] if funcs else "?", ev.data["name"].split(" [")[0])
            else:
                label = (funcs[-1] if funcs else "?", "llvm (optimise + machine code)")
            stack.append([label, time.process_time(), 0.0])

        def on_end(self, ev):
            label, c0, child = stack.pop()
            d = time.process_time() - c0
            excl[label] += d - child
            if stack:
                stack[-1][2] += d
            if ev.kind == "numba:compile":
                funcs.pop()

    listener = _Listener()
    for k in kinds:
        event.register(k, listener)
    c0 = time.process_time()
    from irisplug_fit.engine import fit_spectra

    x = np.linspace(1401.77, 1403.77, 100)
    y = 10 + 200 * np.exp(-0.5 * ((x - 1402.8) / 0.035) ** 2)
    fit_spectra(np.stack([y, y]), x, "si_iv_1403", engine="numba")
    total = time.process_time() - c0
    by_func: dict[str, float] = defaultdict(float)
    by_phase: dict[str, float] = defaultdict(float)
    for (f, ph), v in excl.items():
        by_func[f] += v
        by_phase[ph] += v
    print(f"first fit, empty cache: {total:.2f} s CPU, of which numba compilation {sum(excl.values()):.2f} s")
    print("by function (compilations, exclusive CPU s):")
    for f, v in sorted(by_func.items(), key=lambda kv: -kv[1]):
        print(f"  {f:34s} {count[f]:3d}  {v:6.2f}")
    print("by phase (CPU s):")
    for ph, v in sorted(by_phase.items(), key=lambda kv: -kv[1])[:10]:
        print(f"  {ph:34s} {v:6.2f}")


def profile(src: str | None) -> None:
    """Run :func:`_profile_child` in a fresh process with an empty kernel cache."""
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(Path(tmp), numba_cache=False)
        if src:
            env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
        print(f"CPU: {machine_line()}")
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--profile-child"], env=env, check=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--demo", action="store_true", help="also time `irisplug demo` with empty caches")
    ap.add_argument("--src", help="folder holding another irisplug_fit package (a baseline checkout)")
    ap.add_argument("--profile", action="store_true",
                    help="instead: where the first fit's compilation goes (functions, specialisations, phases)")
    ap.add_argument("--profile-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.profile_child:
        _profile_child()
    elif args.profile:
        profile(args.src)
    else:
        run(args.repeats, args.demo, args.src)
