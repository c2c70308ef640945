"""Run fuzz cases in a persistent worker process with a per-case time limit and a peak-RSS limit."""

from __future__ import annotations

import contextlib
import json
import os
import random
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fuzz.mutations import mutate
from tests.fuzz.seeds import Seed, build_seeds

REPO = Path(__file__).resolve().parents[2]
FAILURES = ("raw", "hang", "memory", "crash")


class Worker:
    """A fork-server subprocess (:mod:`tests.fuzz.worker`); each case runs in a child it forks and measures.

    The server enforces the case's time and RSS limits itself; the parent only
    guards against the server itself not answering (``timeout`` + 60 s), and
    restarts it then.
    """

    def __init__(self, cache: Path) -> None:
        self.proc: subprocess.Popen | None = None
        self.cache = cache

    def start(self) -> None:
        env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
                   IRISPLUG_QUIET="1", IRISPLUG_CACHE_DIR=str(self.cache))
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.fuzz.worker"], cwd=REPO, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        if not self._readline(300.0):
            self.stop()
            raise RuntimeError("fuzz worker failed to start")

    def _readline(self, timeout: float) -> str | None:
        assert self.proc is not None and self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        return self.proc.stdout.readline() if ready else None

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            self.proc = None

    def send(self, path: Path, timeout: float, rss_limit: int, as_limit: int, wall_timeout: float) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        assert self.proc is not None and self.proc.stdin is not None
        self.wall_timeout = wall_timeout
        self.proc.stdin.write(json.dumps({"path": str(path), "timeout": timeout, "rss_limit": rss_limit,
                                          "as_limit": as_limit, "wall_timeout": wall_timeout}) + "\n")
        self.proc.stdin.flush()

    def receive(self) -> dict[str, Any]:
        line = self._readline(self.wall_timeout + 60.0)
        if not line:
            self.stop()
            return {"outcome": "crash", "signature": "fuzz worker (fork server) stopped answering"}
        shutil.rmtree(self.cache, ignore_errors=True)  # unpacked archives and .gz of this case
        return json.loads(line)


@dataclass
class Report:
    """Counts by outcome and format, failure signatures with an example each."""

    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    failures: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    max_rss: int = 0
    max_rss_case: str = ""
    rss_by_fmt: dict[str, int] = field(default_factory=dict)
    case_seconds: list[float] = field(default_factory=list)
    case_cpu: list[float] = field(default_factory=list)
    cases: int = 0
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)
    seed: int = 0

    def add(self, seed: Seed, result: dict[str, Any], notes: list[str], kept: Path | None) -> None:
        self.cases += 1
        outcome = result["outcome"]
        self.counts[seed.fmt][outcome] += 1
        rss = int(result.get("peak_rss", 0))
        if rss > self.max_rss:
            self.max_rss, self.max_rss_case = rss, f"{seed.fmt} {notes}"
        self.rss_by_fmt[seed.fmt] = max(self.rss_by_fmt.get(seed.fmt, 0), rss)
        self.case_seconds.append(float(result.get("seconds", 0.0)))
        self.case_cpu.append(float(result.get("cpu", 0.0)))
        if outcome == "error":
            self.errors[result.get("type", "?")] += 1
        if outcome in FAILURES:
            sig = f"{outcome}: {result.get('signature')}"
            entry = self.failures.setdefault(sig, {"n": 0, "example": str(kept), "notes": notes, "format": seed.fmt,
                                                    "message": result.get("message", "")})
            entry["n"] += 1

    @property
    def n_failures(self) -> int:
        return sum(c[o] for c in self.counts.values() for o in FAILURES)

    def text(self) -> str:
        outcomes = ("ok", "error", *FAILURES)
        rows = [f"{'format':<18}" + "".join(f"{o:>8}" for o in outcomes) + f"{'peak RSS':>12}"]
        for fmt in sorted(self.counts):
            rows.append(f"{fmt:<18}" + "".join(f"{self.counts[fmt][o]:>8}" for o in outcomes)
                        + f"{self.rss_by_fmt.get(fmt, 0) / 2**20:>8.0f} MiB")
        total: Counter = Counter()
        for c in self.counts.values():
            total.update(c)
        rows.append(f"{'total':<18}" + "".join(f"{total[o]:>8}" for o in outcomes) + f"{self.max_rss / 2**20:>8.0f} MiB")
        secs = sorted(self.case_seconds) or [0.0]
        cpu = sorted(self.case_cpu) or [0.0]
        rows.append(f"{self.cases} cases in {self.seconds:.0f} s (seed {self.seed}); per case median "
                    f"{secs[len(secs) // 2]:.2f} s wall ({cpu[len(cpu) // 2]:.2f} s CPU), max {secs[-1]:.1f} s wall "
                    f"({cpu[-1]:.1f} s CPU); largest peak RSS of a case (ru_maxrss "
                    f"of its process) {self.max_rss / 2**20:.0f} MiB: {self.max_rss_case}")
        rows.append("errors raised: " + ", ".join(f"{k} {v}" for k, v in self.errors.most_common()))
        for s in self.skipped:
            rows.append(f"skipped: {s}")
        for sig, e in sorted(self.failures.items(), key=lambda kv: -kv[1]["n"]):
            rows.append(f"FAIL x{e['n']} [{e['format']}] {sig}\n    {e['message']}\n    {e['notes']} {e['example']}")
        return "\n".join(rows)


def run(cases: int, seed: int = 0, budget: float | None = None, timeout: float = 30.0, rss_limit: int = 2 << 30,
        keep: Path | None = None, verbose: bool = False, jobs: int = 1, as_limit: int = 4 << 30,
        log: Path | None = None, wall_timeout: float | None = None) -> Report:
    """Run ``cases`` cases (fewer once ``budget`` seconds of cases have run) over every seed, round robin by format.

    Cases are generated one at a time, written into their own directory,
    read by one of ``jobs`` workers (at most 2) and deleted; the parent keeps
    ``timeout`` is the CPU seconds a case may use, ``wall_timeout`` (default
    ``10 * timeout``) its wall-clock seconds. The parent keeps
    only counts and one example per failure signature (``log`` streams every
    case's result as a JSON line). Deterministic for a given ``seed``
    whatever ``jobs`` is (the mutations use one random stream, in case order).
    """
    rng = random.Random(seed)
    report = Report(seed=seed)
    t0 = time.monotonic()
    jobs = max(1, min(int(jobs), 2))  # a shared machine: never more than 2
    with tempfile.TemporaryDirectory(prefix="irisplug-fuzz-") as tmp, \
            (open(log, "w") if log is not None else contextlib.nullcontext()) as log_file:
        tmp_path = Path(tmp)
        seeds, report.skipped = build_seeds(tmp_path / "seeds")
        by_fmt: dict[str, list[Seed]] = defaultdict(list)
        for s in seeds:
            by_fmt[s.fmt].append(s)
        fmts = sorted(by_fmt)
        t_cases = time.monotonic()  # the budget is for the cases: building the seeds takes ~25 s before them
        workers = [Worker(tmp_path / f"cache{j}") for j in range(jobs)]
        busy: list[tuple[Worker, int, Seed, Path, list[str]]] = []

        def finish(item: tuple[Worker, int, Seed, Path, list[str]]) -> None:
            worker, i, s, path, notes = item
            result = worker.receive()
            kept = None
            if result["outcome"] in FAILURES and keep is not None:
                keep.mkdir(parents=True, exist_ok=True)
                kept = keep / f"case{i:06d}_{path.name}"
                shutil.copyfile(path, kept)
            report.add(s, result, notes, kept or path)
            if log_file is not None:
                log_file.write(json.dumps({"case": i, "format": s.fmt, "seed_file": s.path.name, "notes": notes,
                                           **result}) + "\n")
                log_file.flush()
            if verbose and result["outcome"] in FAILURES:
                print(i, s.fmt, notes, result, flush=True)
            shutil.rmtree(path.parent, ignore_errors=True)

        try:
            for i in range(cases):
                if budget is not None and time.monotonic() - t_cases > budget:
                    break
                s = rng.choice(by_fmt[fmts[i % len(fmts)]])
                case_dir = tmp_path / f"case{i:06d}"
                case_dir.mkdir()
                path, notes = mutate(s, rng, case_dir)
                if len(busy) == jobs:
                    finish(busy.pop(0))
                free = next(w for w in workers if all(w is not b[0] for b in busy))
                free.send(path, timeout, rss_limit, as_limit, wall_timeout or 10 * timeout)
                busy.append((free, i, s, path, notes))
            while busy:
                finish(busy.pop(0))
        finally:
            for w in workers:
                w.stop()
    report.seconds = time.monotonic() - t0
    return report
