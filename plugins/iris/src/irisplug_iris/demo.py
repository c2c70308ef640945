"""``irisplug demo``, a command of the IRIS plugin: the whole pipeline on a generated IRIS observation.

It uses only irisplug's public dispatch API and contribution names, so each
stage runs when the plugin that provides it is installed, and says so when not.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

__all__ = ["run_demo", "add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``irisplug demo``.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> add_arguments(p)
    >>> p.parse_args(["--out", "d"]).out
    'd'
    """
    from irisplug.cli.arguments import output_directory

    parser.add_argument("--out", default="irisplug-demo", type=output_directory,
                        help="directory for the generated data, results and figures (its parent must exist)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def run(args: argparse.Namespace) -> int:
    """Run ``irisplug demo`` with parsed ``args``; returns the exit status."""
    return run_demo(args.out, quiet=args.quiet)


def _stage(title: str) -> tuple[float, float]:
    print(f"== {title}")
    return time.perf_counter(), time.process_time()


def _took(t0: tuple[float, float]) -> str:
    """Wall and CPU time since ``t0`` (CPU: the demo shares the machine with whatever else runs)."""
    return f"{time.perf_counter() - t0[0]:.1f} s, {time.process_time() - t0[1]:.1f} s CPU"


def run_demo(out: str | os.PathLike, *, quiet: bool = False) -> int:
    """Run the demo pipeline into directory ``out``; returns an exit status.

    Examples
    --------
    >>> run_demo("irisplug-demo", quiet=True)  # doctest: +SKIP
    0
    """
    start, start_cpu = time.perf_counter(), time.process_time()
    import irisplug
    from irisplug.plugin_manager import get_plugin_manager

    if quiet:
        os.environ["IRISPLUG_QUIET"] = "1"
    pm = get_plugin_manager()
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise irisplug.WriteError(f"cannot create the demo directory: {exc.strerror or exc}", path=out) from exc
    fetchers = {n: f for n, f in pm.contributions("fetcher").items() if f.offline}
    if "iris-synthetic" not in fetchers:
        print("irisplug demo needs the 'iris-synthetic' sample generator of the iris plugin, which is not installed.")
        print("Installed plugins:", ", ".join(r.name for r in pm.records) or "none")
        return 1
    t0 = _stage("generating a synthetic IRIS observation as Level 2 FITS files")
    data_dir = out / "data"
    from irisplug_iris.demo_stages import GENERATOR_OPTIONS

    files = irisplug.fetch("iris-synthetic", data_dir, **GENERATOR_OPTIONS)
    print(f"   {len(files)} files in {data_dir} ({_took(t0)})")

    t0 = _stage("reading the observation (lazy)")
    obs = irisplug.read(files)
    text = obs.info_text() if callable(getattr(obs, "info_text", None)) else str(obs)
    print(text)
    (out / "summary.txt").write_text(text + "\n")
    results: dict[str, Any] = {"files": [str(f) for f in files]}
    _run_optional_stages(obs, out, results)
    print(f"== done: results in {out.resolve()} ({time.perf_counter() - start:.1f} s, "
          f"{time.process_time() - start_cpu:.1f} s CPU)")
    return 0


def _run_optional_stages(obs: Any, out: Path, results: dict[str, Any]) -> None:
    """Stages that run when their plugins are installed (filled in as plugins land)."""
    from irisplug_iris.demo_stages import STAGES, Skip

    for name, stage in STAGES:
        t0 = _stage(name)
        try:
            message = stage(obs, out, results)
        except Skip as skip:
            print(f"   skipped: {skip}")
            continue
        print(f"   {message} ({_took(t0)})")
