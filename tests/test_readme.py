"""The README's two commands are what CI runs, and name files that exist."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _bash_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_readme_test_command_is_what_ci_runs():
    blocks = _bash_blocks((REPO / "README.md").read_text())
    test_cmd = next(b for b in blocks if "pytest" in b)
    ci_lines = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    assert test_cmd in ci_lines


def test_readme_install_command_installs_core_and_every_plugin():
    blocks = _bash_blocks((REPO / "README.md").read_text())
    install = next(b for b in blocks if "irisplug demo" in b)
    assert install.startswith("python -m pip install -r requirements.txt")
    reqs = [
        line.strip()
        for line in (REPO / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    plugins = sorted(p.name for p in (REPO / "plugins").iterdir() if (p / "pyproject.toml").exists())
    assert reqs == ["./"] + [f"./plugins/{p}" for p in ["iris", "io", "show", "iuvs", "calib", "fit", "view", "coalign", "datasets"]]
    assert sorted(r.rsplit("/", 1)[-1] for r in reqs[1:]) == plugins
    test_reqs = (REPO / "requirements-test.txt").read_text()
    assert "-r requirements.txt" in test_reqs
