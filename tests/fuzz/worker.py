"""Fuzz worker: reads case paths (JSON lines on stdin), reads and touches each, answers one JSON line per case.

Runs as ``python -m tests.fuzz.worker``; the parent (:mod:`tests.fuzz.runner`)
enforces time and memory limits and restarts it when it hangs or dies.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
import warnings
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def _reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_rss() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def touch(obj: Any, depth: int = 0) -> int:
    """Materialise every cube's data and the world coordinates of its pixel 0; return the cubes touched."""
    import numpy as np

    if depth > 6 or obj is None or isinstance(obj, str | bytes | int | float):
        return 0
    data = getattr(obj, "data", None)
    if isinstance(data, list):  # NDCubeSequence
        return sum(touch(c, depth + 1) for c in data)
    if data is not None and hasattr(obj, "wcs"):
        np.asarray(data)
        mask = getattr(obj, "mask", None)
        if mask is not None and not isinstance(mask, bool | np.bool_):
            np.asarray(mask)
        unc = getattr(obj, "uncertainty", None)
        if unc is not None:
            np.asarray(unc.array)
        if obj.wcs is not None:
            n = obj.wcs.low_level_wcs.pixel_n_dim
            obj.wcs.low_level_wcs.pixel_to_world_values(*([0] * n))
            obj.wcs.pixel_to_world(*([0] * n))
        return 1
    if hasattr(obj, "keys") and hasattr(obj, "__getitem__"):
        return sum(touch(obj[k], depth + 1) for k in list(obj.keys()))
    if isinstance(obj, list | tuple):
        return sum(touch(x, depth + 1) for x in obj)
    return 0


def _signature(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if str(REPO) in f.filename or "irisplug" in f.filename]
    f = (ours or frames or [None])[-1]
    where = f"{os.path.relpath(f.filename, REPO) if str(REPO) in f.filename else f.filename}:{f.lineno} {f.name}" if f else "?"
    return f"{type(exc).__name__} @ {where}"


def run_case(path: str) -> dict[str, Any]:
    import irisplug
    from irisplug.errors import IrisplugError

    _reset_peak()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obj = irisplug.read(path)
            n = touch(obj)
        out = {"outcome": "ok", "cubes": n}
    except IrisplugError as exc:
        out = {"outcome": "error", "type": type(exc).__name__, "message": str(exc)[:300]}
    except Exception as exc:  # noqa: BLE001 - the point: anything else is a finding
        out = {"outcome": "raw", "signature": _signature(exc), "message": f"{type(exc).__name__}: {str(exc)[:300]}"}
    out["peak_rss"] = _peak_rss()
    return out


def main() -> None:
    os.environ.setdefault("IRISPLUG_QUIET", "1")
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything printed by libraries goes to stderr, not into the protocol
    sys.stdout = sys.stderr
    import irisplug  # noqa: F401 - import once, before the first case's clock starts

    proto.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        case = json.loads(line)
        proto.write(json.dumps(run_case(case["path"])) + "\n")


if __name__ == "__main__":
    main()
