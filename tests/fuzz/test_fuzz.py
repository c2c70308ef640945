"""CI run of the fuzz suite: a fixed seed and a time budget; no raw exception, hang, crash or memory overrun."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_fuzz_fixed_seed(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """``--fuzz-cases N`` (or IRISPLUG_FUZZ_CASES) sets the case count; the CI default runs for at most ~90 s."""
    cases = request.config.getoption("--fuzz-cases", default=None) or int(os.environ.get("IRISPLUG_FUZZ_CASES", "0"))
    budget = ["--budget", "90"] if not cases else []
    cmd = [sys.executable, "-m", "tests.fuzz", "--cases", str(cases or 100000), "--seed", "0", "--keep", str(tmp_path), *budget]
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    print(done.stdout)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
