"""Run fuzz cases in a persistent worker process with a per-case time limit and a peak-RSS limit."""

from __future__ import annotations

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


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Worker:
    """The worker subprocess; restarted after a hang, an RSS overrun or a crash."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""), IRISPLUG_QUIET="1")
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.fuzz.worker"], cwd=REPO, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        line = self._readline(120.0, None)
        if not line:
            raise RuntimeError("fuzz worker failed to start")

    def _readline(self, timeout: float, rss_limit: int | None) -> str | None:
        assert self.proc is not None and self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.proc.stdout], [], [], min(left, 0.05))
            if ready:
                return self.proc.stdout.readline()
            if rss_limit is not None and _rss(self.proc.pid) > rss_limit:
                return "__memory__"
            if self.proc.poll() is not None:
                return ""

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            self.proc = None

    def run(self, path: Path, timeout: float, rss_limit: int) -> dict[str, Any]:
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps({"path": str(path)}) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            self.stop()
            return {"outcome": "crash", "signature": "worker pipe closed"}
        line = self._readline(timeout, rss_limit)
        if line is None:
            self.stop()
            return {"outcome": "hang", "signature": f"no answer in {timeout:g} s"}
        if line == "__memory__":
            self.stop()
            return {"outcome": "memory", "signature": f"RSS above {rss_limit >> 20} MiB"}
        if not line:
            code = self.proc.poll()
            self.stop()
            return {"outcome": "crash", "signature": f"worker died (exit code {code})"}
        return json.loads(line)


@dataclass
class Report:
    """Counts by outcome and format, failure signatures with an example each."""

    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    failures: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    max_rss: int = 0
    cases: int = 0
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)

    def add(self, seed: Seed, result: dict[str, Any], notes: list[str], kept: Path | None) -> None:
        self.cases += 1
        outcome = result["outcome"]
        self.counts[seed.fmt][outcome] += 1
        self.max_rss = max(self.max_rss, int(result.get("peak_rss", 0)))
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
        rows = [f"{'format':<18}" + "".join(f"{o:>8}" for o in outcomes)]
        for fmt in sorted(self.counts):
            rows.append(f"{fmt:<18}" + "".join(f"{self.counts[fmt][o]:>8}" for o in outcomes))
        total = Counter()
        for c in self.counts.values():
            total.update(c)
        rows.append(f"{'total':<18}" + "".join(f"{total[o]:>8}" for o in outcomes))
        rows.append(f"{self.cases} cases in {self.seconds:.0f} s; peak RSS of a case {self.max_rss / 2**20:.0f} MiB")
        rows.append("errors raised: " + ", ".join(f"{k} {v}" for k, v in self.errors.most_common()))
        for s in self.skipped:
            rows.append(f"skipped: {s}")
        for sig, e in sorted(self.failures.items(), key=lambda kv: -kv[1]["n"]):
            rows.append(f"FAIL x{e['n']} [{e['format']}] {sig}\n    {e['message']}\n    {e['notes']} {e['example']}")
        return "\n".join(rows)


def run(cases: int, seed: int = 0, budget: float | None = None, timeout: float = 30.0, rss_limit: int = 2 << 30,
        keep: Path | None = None, verbose: bool = False) -> Report:
    """Run ``cases`` cases (fewer if ``budget`` seconds run out) over every seed, round robin by format."""
    rng = random.Random(seed)
    report = Report()
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="irisplug-fuzz-") as tmp:
        tmp_path = Path(tmp)
        seeds, report.skipped = build_seeds(tmp_path / "seeds")
        by_fmt: dict[str, list[Seed]] = defaultdict(list)
        for s in seeds:
            by_fmt[s.fmt].append(s)
        fmts = sorted(by_fmt)
        worker = Worker()
        try:
            for i in range(cases):
                if budget is not None and time.monotonic() - t0 > budget:
                    break
                s = rng.choice(by_fmt[fmts[i % len(fmts)]])
                case_dir = tmp_path / f"case{i:06d}"
                case_dir.mkdir()
                path, notes = mutate(s, rng, case_dir)
                result = worker.run(path, timeout, rss_limit)
                kept = None
                if result["outcome"] in FAILURES and keep is not None:
                    keep.mkdir(parents=True, exist_ok=True)
                    kept = keep / f"case{i:06d}_{path.name}"
                    shutil.copyfile(path, kept)
                report.add(s, result, notes, kept or path)
                if verbose and result["outcome"] in FAILURES:
                    print(i, s.fmt, notes, result, flush=True)
                shutil.rmtree(case_dir, ignore_errors=True)
        finally:
            worker.stop()
    report.seconds = time.monotonic() - t0
    return report
