"""Every number a user sets in an ``IRISPLUG_*`` environment variable is parsed by one function.

``irisplug.limits.env_number`` names the variable in an ``IrisplugError`` when
the value is not a number >= 0. Copies of that parsing drifted: the IUVS
reader clamped a negative ``IRISPLUG_MAX_DECOMPRESSED_BYTES`` to 0, which
switched its decompression limit off without a word, and
``IRISPLUG_FIT_THREADS=four`` raised a bare ``ValueError`` from inside the fit.
The scan below fails on any other function that reads an ``IRISPLUG_``
variable and converts it with ``int``/``float``; the behaviour tests set bad
values through the real environment and call the functions that read them.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

from irisplug.errors import IrisplugError

ROOT = Path(__file__).resolve().parents[1]

def _is_irisplug_read(node: ast.AST) -> bool:
    """``os.environ.get("IRISPLUG_...")``, ``os.getenv("IRISPLUG_...")`` or ``os.environ["IRISPLUG_..."]``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in {"get", "getenv"}:
        base, args = node.func.value, node.args[:1]
    elif isinstance(node, ast.Subscript):
        base, args = node.value, [node.slice]
    else:
        return False
    return ast.unparse(base) in {"os.environ", "os", "environ"} and any(
        isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value.startswith("IRISPLUG_") for a in args)


def _number_conversions(fn: ast.AST) -> list[int]:
    """Lines of ``fn`` where ``int``/``float`` converts an IRISPLUG_ variable's text (directly or through a name
    assigned from it)."""
    names = {t.id for node in ast.walk(fn) if isinstance(node, ast.Assign)
             and any(_is_irisplug_read(n) for n in ast.walk(node.value))
             for t in node.targets if isinstance(t, ast.Name)}
    return [node.lineno for node in ast.walk(fn)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"int", "float"}
            and any(_is_irisplug_read(n) or (isinstance(n, ast.Name) and n.id in names)
                    for a in node.args for n in ast.walk(a))]


def _number_parsers(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{node.name}:{line}" for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            for line in _number_conversions(node)]


def test_only_env_number_parses_numbers_from_the_environment():
    sources = [*(ROOT / "irisplug").rglob("*.py"), *ROOT.glob("plugins/*/src/**/*.py")]
    assert len(sources) > 50
    found = {str(p.relative_to(ROOT)): hits for p in sources if (hits := _number_parsers(p))}
    assert found == {}  # irisplug.limits.env_number reads the variable it is given: no literal name, not listed


def test_the_scan_sees_a_copy():
    """The scan itself can fail: the two copies this test was written for are found."""
    copy = ast.parse('''
def max_bytes():
    import os
    raw = os.environ.get("IRISPLUG_MAX_DECOMPRESSED_BYTES", "").strip()
    return max(int(float(raw)), 0)

def threads():
    import os
    env = os.environ.get("IRISPLUG_FIT_THREADS")
    return max(int(env), 1) if env else 2

def url():
    import os
    return os.environ.get("IRISPLUG_IRIS_HCR_URL", "x")

def status(code):
    import os
    if os.environ.get("IRISPLUG_DEBUG"):
        print("debug")
    return int(code or 0)
''')
    hits = [f.name for f in copy.body if _number_conversions(f)]
    assert hits == ["max_bytes", "threads"]


@pytest.mark.parametrize("value", ["four", "-1", "nan"])
def test_fit_threads_bad_values_name_the_variable(monkeypatch, value):
    if importlib.util.find_spec("irisplug_fit") is None:
        pytest.skip("the fit plugin is not installed")
    from irisplug_fit.kernels import default_threads

    monkeypatch.setenv("IRISPLUG_FIT_THREADS", value)
    with pytest.raises(IrisplugError, match="IRISPLUG_FIT_THREADS"):
        default_threads()


def test_fit_threads_zero_or_unset_is_every_usable_cpu(monkeypatch):
    if importlib.util.find_spec("irisplug_fit") is None:
        pytest.skip("the fit plugin is not installed")
    import os

    from irisplug_fit.kernels import default_threads

    cpus = len(os.sched_getaffinity(0))  # the operating system's answer, not irisplug's
    monkeypatch.delenv("IRISPLUG_FIT_THREADS", raising=False)
    assert default_threads() == cpus
    monkeypatch.setenv("IRISPLUG_FIT_THREADS", "0")
    assert default_threads() == cpus
    monkeypatch.setenv("IRISPLUG_FIT_THREADS", "3")
    assert default_threads() == 3


@pytest.mark.parametrize("value", ["lots", "-1", "-5e6"])
def test_iuvs_decompression_limit_bad_values_name_the_variable(monkeypatch, value):
    """A negative limit used to be clamped to 0, i.e. no limit at all."""
    if importlib.util.find_spec("irisplug_iuvs") is None:
        pytest.skip("the IUVS plugin is not installed")
    from irisplug_iuvs._fits import max_decompressed_bytes

    monkeypatch.setenv("IRISPLUG_MAX_DECOMPRESSED_BYTES", value)
    with pytest.raises(IrisplugError, match="IRISPLUG_MAX_DECOMPRESSED_BYTES"):
        max_decompressed_bytes()
    monkeypatch.setenv("IRISPLUG_MAX_DECOMPRESSED_BYTES", "2e6")
    assert max_decompressed_bytes() == 2_000_000
