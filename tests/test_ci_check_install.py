"""The CI's install check (.ci/check_install.py) passes here and names a built-in plugin that is not active."""

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "check_install.py"


def run_check(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, env={**os.environ, **env}, timeout=120
    )


def test_every_builtin_plugin_active_here() -> None:
    out = run_check(IRISPLUG_DISABLE="")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "all 9 built-in plugins active" in out.stdout


def test_a_plugin_that_is_not_active_fails_the_check() -> None:
    out = run_check(IRISPLUG_DISABLE="io")
    assert out.returncode == 1
    assert "io (irisplug-io)" in out.stdout
