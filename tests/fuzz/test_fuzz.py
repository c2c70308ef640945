"""CI run of the fuzz suite: a fixed seed and a time budget; no raw exception, hang, crash or memory overrun."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
#: the CI run: this many cases on seed 0 (10 per format), stopped early after BUDGET_S seconds of cases (the seeds
#: take ~25 s more to build) on a loaded machine
CI_CASES = 120
BUDGET_S = 150
#: a case is a hang after this many seconds of CPU time (or 10x as many of wall time): load does not inflate CPU time
CASE_CPU_S = 60
#: ... and a blocked case (no CPU used) after this many seconds of wall time
CASE_WALL_S = 240
#: fewest cases the budget must allow (1 per format) for the run to count: 21 ran in 150 s at a load average of 25
#: on 2 cores (every case's process at nice 5 behind 8 engineers' jobs); ~120 unloaded
MIN_CASES = 12


def _bounded() -> None:
    """In the runner's process: at most 4 GiB of address space, so a runaway case cannot take the machine down."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


def test_fuzz_fixed_seed(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Seed 0, CI_CASES cases within BUDGET_S s; ``--fuzz-cases N`` (or IRISPLUG_FUZZ_CASES=N) runs N cases, no budget.

    Every case runs in its own forked process capped at 4 GiB of address space; the
    runner reports each case's peak RSS (wait4) and fails on any raw exception, hang,
    crash or case above 2 GiB of RSS.
    """
    asked = request.config.getoption("--fuzz-cases", default=None) or int(os.environ.get("IRISPLUG_FUZZ_CASES", "0"))
    cases = asked or CI_CASES
    cmd = [sys.executable, "-m", "tests.fuzz", "--cases", str(cases), "--seed", "0", "--keep", str(tmp_path),
           "--timeout", str(CASE_CPU_S), "--wall-timeout", str(CASE_WALL_S)]
    if not asked:
        cmd += ["--budget", str(BUDGET_S)]
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, preexec_fn=_bounded,
                          timeout=(None if asked else BUDGET_S + 2 * CASE_WALL_S + 300))
    print(done.stdout)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    ran = re.search(r"^(\d+) cases in ", done.stdout, re.MULTILINE)
    assert ran is not None, done.stdout[-3000:]
    assert int(ran.group(1)) >= min(cases, MIN_CASES), f"only {ran.group(1)} cases ran within the budget"
