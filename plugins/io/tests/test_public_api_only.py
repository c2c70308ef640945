"""irisplug-io uses only the core's public API and no other plugin, as a third party's plugin would."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "irisplug_io"
PUBLIC_CORE = {"irisplug", "irisplug.model", "irisplug.errors", "irisplug.provenance", "irisplug.lazy_exports"}


def _imports() -> list[tuple[str, str]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module:
                out.append((path.name, node.module))
            elif isinstance(node, ast.Import):
                out.extend((path.name, alias.name) for alias in node.names)
    return out


def test_only_public_core_modules_and_no_other_plugin_are_imported():
    found = _imports()
    assert any(mod == "irisplug.model" for _, mod in found)  # the walk sees the imports at all
    for name, mod in found:
        top = mod.split(".")[0]
        if top == "irisplug":
            assert mod in PUBLIC_CORE, f"{name} imports the core's internal module {mod}"
        assert not (top.startswith("irisplug_") and top != "irisplug_io"), f"{name} imports another plugin: {mod}"
