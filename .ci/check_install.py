"""Check that an environment holds every built-in plugin of requirements.txt, each loaded and active.

Run by .ci/run after each job's install, in that job's environment. It reads the plugin directories that
requirements.txt lists and the ``irisplug`` entry points each one's pyproject.toml declares, then asks the
installed core (``irisplug plugins --json``) what it loaded. A wheel that came out of a broken build (a
package missing from it) installs without complaint and is only noticed when a test or the docs import it;
this check names the plugin and the error at install time instead.

Exit status 0 when every declared plugin is active, 1 otherwise (each problem printed).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def declared_plugins() -> dict[str, str]:
    """Entry-point name -> distribution name of every built-in plugin requirements.txt installs."""
    declared = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line.startswith("./plugins/"):
            continue
        project = tomllib.loads((REPO / line / "pyproject.toml").read_text())["project"]
        for name in project.get("entry-points", {}).get("irisplug", {}):
            declared[name] = project["name"]
    return declared


def main() -> int:
    declared = declared_plugins()
    out = subprocess.run(
        [sys.executable, "-m", "irisplug", "plugins", "--json"], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        print(f"irisplug plugins --json failed ({out.returncode}):\n{out.stdout}{out.stderr}")
        return 1
    loaded = {p["name"]: p for p in json.loads(out.stdout)["plugins"]}
    problems = []
    for name, dist in sorted(declared.items()):
        plugin = loaded.get(name)
        if plugin is None:
            problems.append(f"{name} ({dist}): not installed or its entry point is missing")
        elif plugin["status"] != "active":
            problems.append(f"{name} ({dist}): {plugin['status']}: {plugin.get('error')}")
    for problem in problems:
        print(f"built-in plugin {problem}")
    if not problems:
        print(f"all {len(declared)} built-in plugins active: {', '.join(sorted(declared))}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
