"""Fixtures of the core tests: install plugins on a temporary path through real entry points."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from irisplug.plugin_manager import PluginManager, set_plugin_manager

REPO = Path(__file__).resolve().parents[1]
BROKEN = Path(__file__).resolve().parent / "broken_plugins"
EXAMPLE_PLUGIN_SRC = REPO / "examples" / "third_party_plugin" / "src"


def write_dist_info(site: Path, dist: str, entry_points: dict[str, str], version: str = "0.1.0") -> Path:
    """Write a minimal ``*.dist-info`` that importlib.metadata finds, as pip would install it."""
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    lines = ["[irisplug]"] + [f"{name} = {value}" for name, value in entry_points.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    return info


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary site directory on sys.path (and PYTHONPATH for subprocesses)."""
    site = tmp_path / "site"
    site.mkdir()
    for p in (site, BROKEN, EXAMPLE_PLUGIN_SRC):
        monkeypatch.syspath_prepend(str(p))
    monkeypatch.setenv("PYTHONPATH", ":".join(str(p) for p in (site, BROKEN, EXAMPLE_PLUGIN_SRC)))
    yield site
    for mod in [
        m
        for m in sys.modules
        if m.startswith(("irisplug_broken", "irisplug_bad", "irisplug_raising", "irisplug_spectext"))
    ]:
        del sys.modules[mod]


@pytest.fixture
def install(site: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """``install(dist, {entry_point_name: "module"})`` makes a plugin visible to entry point discovery.

    The plugins a test installs are also put on the ``IRISPLUG_ALLOW`` list, so
    the core tests see only them and not the built-in plugins of the environment.
    """
    allowed: list[str] = []

    def _install(dist: str, entry_points: dict[str, str]) -> Path:
        allowed.extend(entry_points)
        monkeypatch.setenv("IRISPLUG_ALLOW", ",".join(allowed))
        return write_dist_info(site, dist, entry_points)

    return _install


@pytest.fixture
def spectext_installed(install: Callable[..., Path]) -> None:
    """The example third-party plugin, installed on the temporary path."""
    install("irisplug-spectext", {"spectext": "irisplug_spectext.plugin"})


@pytest.fixture
def broken_installed(install: Callable[..., Path]) -> None:
    """All the deliberately broken plugins, installed on the temporary path."""
    install("irisplug-broken-import", {"broken_import": "irisplug_broken_import"})
    install("irisplug-bad-descriptor", {"bad_descriptor": "irisplug_bad_descriptor"})
    install("irisplug-bad-identify", {"bad_identify": "irisplug_bad_identify"})
    install("irisplug-bad-signature", {"bad_signature": "irisplug_bad_signature"})
    install("irisplug-raising-hook", {"raising_hook": "irisplug_raising_hook"})


@pytest.fixture
def fresh_manager() -> Iterator[Callable[..., PluginManager]]:
    """Make a new process-wide manager (after installing plugins); restored afterwards."""
    old = set_plugin_manager(None)

    def _make(**kwargs: object) -> PluginManager:
        pm = PluginManager(**kwargs)  # type: ignore[arg-type]
        set_plugin_manager(pm)
        return pm

    yield _make
    set_plugin_manager(old)


def _write_spectext(path: Path, values: list[float], start: float = 1393.0, step: float = 0.025) -> Path:
    lines = [
        "# SPECTEXT 1",
        "# OBJECT = quiet sun",
        "# BUNIT = DN",
        f"# WAVE-START = {start}",
        f"# WAVE-STEP = {step}",
        "# WAVE-UNIT = Angstrom",
    ]
    path.write_text("\n".join(lines + [str(v) for v in values]) + "\n")
    return path


@pytest.fixture
def make_spectext() -> Callable[..., Path]:
    """``make_spectext(path, values, start=, step=)`` writes a spectext file independently of the plugin."""
    return _write_spectext


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--fuzz-cases N``: run the fuzz suite (tests/fuzz) over N cases instead of its CI time budget."""
    parser.addoption("--fuzz-cases", type=int, default=None, help="fuzz suite: number of cases (default: 120 within a 150 s budget)")
