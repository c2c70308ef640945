"""Fuzz worker: a fork server that runs every case in its own child process and measures it.

Runs as ``python -m tests.fuzz.worker``. It imports irisplug and its plugins
once, then reads cases (JSON lines on stdin: ``path``, ``timeout``,
``rss_limit``, ``as_limit``) and for each forks a child that reads the file
with ``irisplug.read`` and touches the data. The server

- caps the child's address space (``RLIMIT_AS``, default 4 GiB), so a runaway
  allocation fails inside the child instead of taking the machine down;
- kills the child when it has used ``timeout`` seconds of CPU time, or
  ``wall_timeout`` seconds of wall time, without answering (outcome ``hang``) or when its resident set exceeds ``rss_limit`` (outcome
  ``memory``);
- reaps it with :func:`os.wait4` and reports its peak resident set size
  (``ru_maxrss``, measured by the kernel, including what the child inherited
  from the server) as ``peak_rss`` for every case, whatever the outcome;
- reports a child that died without answering (a signal, a non-zero exit)
  as ``crash``.

The answer is one JSON line per case on the original stdout; anything the
libraries print goes to stderr.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import threading
import time
import traceback
import warnings
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


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


def classify(exc: BaseException) -> dict[str, Any]:
    """``error`` for an IrisplugError that is ours; ``raw`` for anything else.

    A built-in reader's raw exception reaches the user wrapped in
    ``PluginCallError`` (the host's safety net for third-party plugins); for a
    built-in reader that still is a raw exception, so it counts as ``raw``
    with the signature of the original.
    """
    from irisplug.errors import IrisplugError, PluginCallError

    if isinstance(exc, PluginCallError) and exc.__cause__ is not None and not isinstance(exc.__cause__, IrisplugError):
        cause = exc.__cause__
        return {"outcome": "raw", "signature": _signature(cause), "message": f"{type(cause).__name__}: {str(cause)[:300]}"}
    if isinstance(exc, IrisplugError):
        return {"outcome": "error", "type": type(exc).__name__, "message": str(exc)[:300]}
    return {"outcome": "raw", "signature": _signature(exc), "message": f"{type(exc).__name__}: {str(exc)[:300]}"}


def run_case(path: str) -> dict[str, Any]:
    """Read ``path`` and touch the data; the outcome as a JSON-able dict (in the case's child process)."""
    import irisplug

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obj = irisplug.read(path)
            n = touch(obj)
        return {"outcome": "ok", "cubes": n}
    except Exception as exc:  # noqa: BLE001 - the point: anything not ours is a finding
        return classify(exc)


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (all its threads) so far, from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime (fields 14, 15 of proc(5))
    except (OSError, IndexError, ValueError):
        return 0.0


def _child(path: str, as_limit: int, w: int) -> None:
    """In the forked child: cap the address space, run the case, write the answer, exit without cleanup."""
    code = 0
    try:
        import faulthandler
        import resource

        faulthandler.disable()  # a crash is reported by the server from the exit status, not dumped by each child

        if as_limit:
            resource.setrlimit(resource.RLIMIT_AS, (as_limit, as_limit))
        answer = json.dumps(run_case(path)).encode()
        with os.fdopen(w, "wb") as f:
            f.write(answer)
    except BaseException:  # noqa: BLE001 - anything here (MemoryError while answering) is a crash
        traceback.print_exc()
        code = 3
    os._exit(code)


def fork_case(path: str, timeout: float, rss_limit: int, as_limit: int, wall_timeout: float | None = None) -> dict[str, Any]:
    """Run one case in a forked child; the outcome with the child's measured ``peak_rss``, ``seconds`` and ``cpu``.

    A hang is ``timeout`` seconds of CPU time (a loop), or ``wall_timeout``
    seconds of wall time (blocked; default ``10 * timeout``): CPU time does
    not grow when the shared machine is loaded, so the threshold does not
    flake under load while a real loop is still caught.
    """
    wall_timeout = wall_timeout or 10 * timeout
    r, w = os.pipe()
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(r)
        _child(path, as_limit, w)
    os.close(w)
    chunks: list[bytes] = []
    verdict: dict[str, Any] | None = None
    deadline = t0 + wall_timeout
    with os.fdopen(r, "rb", buffering=0) as pipe:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                verdict = {"outcome": "hang", "signature": f"no answer in {wall_timeout:g} s of wall time"}
                break
            if _cpu_seconds(pid) > timeout:
                verdict = {"outcome": "hang", "signature": f"no answer after {timeout:g} s of CPU time"}
                break
            ready, _, _ = select.select([pipe], [], [], min(left, 0.05))
            if ready:
                chunk = pipe.read(1 << 16)
                if not chunk:
                    break  # the child closed its end (answered, or died)
                chunks.append(chunk)
                continue
            if rss_limit and _rss(pid) > rss_limit:
                verdict = {"outcome": "memory", "signature": f"RSS above {rss_limit >> 20} MiB (killed)"}
                break
    if verdict is not None:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _, status, usage = os.wait4(pid, 0)
    peak = usage.ru_maxrss * 1024  # KiB on Linux
    if verdict is None:
        if chunks and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            verdict = json.loads(b"".join(chunks))
        elif os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            verdict = {"outcome": "crash", "signature": f"killed by {signal.Signals(sig).name}"}
        else:
            verdict = {"outcome": "crash", "signature": f"exit code {os.waitstatus_to_exitcode(status)} without answer"}
    if rss_limit and peak > rss_limit and verdict["outcome"] not in ("hang", "crash"):
        verdict = {"outcome": "memory", "signature": f"peak RSS {peak >> 20} MiB above {rss_limit >> 20} MiB",
                   "message": verdict.get("message", verdict["outcome"])}
    verdict["peak_rss"] = peak
    verdict["cpu"] = round(usage.ru_utime + usage.ru_stime, 3)
    verdict["seconds"] = round(time.monotonic() - t0, 3)
    return verdict


def _warm_up() -> None:
    """Import what the readers import and load the plugins, without reading anything (no threads started)."""
    import irisplug
    from irisplug.plugin_manager import get_plugin_manager

    get_plugin_manager().contributions("reader")
    for mod in ("numpy", "dask.array", "astropy.io.fits", "astropy.wcs", "ndcube", "sunraster", "h5py", "asdf",
                "irisplug_iris", "irisplug_iuvs", "irisplug_show", "irisplug_io"):
        try:
            __import__(mod)
        except ImportError:
            pass
    del irisplug


def main() -> None:
    os.environ.setdefault("IRISPLUG_QUIET", "1")
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything printed by libraries goes to stderr, not into the protocol
    sys.stdout = sys.stderr
    _warm_up()
    if threading.active_count() != 1:  # forking with threads alive could deadlock a child
        print(f"fuzz worker: {threading.active_count()} threads alive before forking", file=sys.stderr)
    proto.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    for line in sys.stdin:
        case = json.loads(line)
        proto.write(json.dumps(fork_case(case["path"], float(case["timeout"]), int(case["rss_limit"]),
                                         int(case.get("as_limit", 4 << 30)), case.get("wall_timeout"))) + "\n")


if __name__ == "__main__":
    main()
