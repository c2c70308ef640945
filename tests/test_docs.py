"""The documentation: every hook documented with its signature, every example in it runs."""

from __future__ import annotations

import inspect
import re
import sys
import types
from pathlib import Path

import pytest

from irisplug import hookspecs

REPO = Path(__file__).resolve().parents[1]
HOOKS_MD = REPO / "docs" / "hooks.md"


def _signature(name: str) -> str:
    return name + str(inspect.signature(getattr(hookspecs, name))).replace("'", "")


@pytest.mark.parametrize("hook", hookspecs.CONTRIBUTION_HOOKS + hookspecs.EVENT_HOOKS)
def test_every_hook_is_documented_with_its_signature(hook):
    text = HOOKS_MD.read_text()
    assert f"\n## {hook}\n" in text, f"docs/hooks.md has no section for {hook}"
    assert f"`{_signature(hook)}`" in text, f"docs/hooks.md does not show the signature {_signature(hook)}"


def test_no_undocumented_hookspec_exists():
    specs = {n for n, f in vars(hookspecs).items() if n.startswith("irisplug_") and callable(f)}
    assert specs == set(hookspecs.CONTRIBUTION_HOOKS + hookspecs.EVENT_HOOKS)


def _sections() -> list[tuple[str, str]]:
    text = HOOKS_MD.read_text()
    out = []
    for section in re.split(r"\n## ", text)[1:]:
        title = section.splitlines()[0].strip()
        blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
        out.extend((title, b) for b in blocks)
    return out


@pytest.mark.parametrize(("title", "code"), _sections(), ids=[t for t, _ in _sections()])
def test_hook_examples_run(title, code, empty_plugin_manager):
    module = types.ModuleType(f"docs_example_{title}")
    sys.modules[module.__name__] = module
    try:
        exec(compile(code, f"docs/hooks.md#{title}", "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
