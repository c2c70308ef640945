"""Plugin discovery through real entry points, failure isolation, knobs, clashes."""

from __future__ import annotations

from pathlib import Path

import pytest

import irisplug
from irisplug.errors import PluginError, PluginLoadError, PluginNameClashError, PluginValidationError


def _record(pm, name):
    return {r.name: r for r in pm.records}[name]


def test_discovery_is_lazy(spectext_installed, fresh_manager):
    pm = fresh_manager()
    assert pm._discovered is False  # creating a manager loads nothing
    assert "spectext" in pm.contributions("reader")
    rec = _record(pm, "spectext")
    assert rec.distribution == "irisplug-spectext"
    assert rec.version == "0.1.0"
    assert rec.contributions == {"reader": ["spectext"], "writer": ["spectext"]}


def test_every_failure_stage_is_isolated(spectext_installed, broken_installed, fresh_manager, tmp_path, make_spectext):
    pm = fresh_manager()
    # the good plugin still reads its file; the file name matches no pattern so identify runs on all readers
    path = make_spectext(tmp_path / "spectrum.txt", [1.0, 2.0, 3.0])
    cube = irisplug.read(path)
    assert cube.data.tolist() == [1.0, 2.0, 3.0]
    stages = {r.name: (r.status, r.failures[0].stage if r.failures else None, r.error) for r in pm.records}
    assert stages["spectext"][:2] == ("active", None)
    assert stages["broken_import"][:2] == ("failed", "import")
    assert "raises on import" in stages["broken_import"][2]
    assert stages["bad_descriptor"][:2] == ("failed", "validation irisplug_readers")
    assert "expected ReaderDescriptor" in stages["bad_descriptor"][2]
    assert stages["bad_signature"][:2] == ("failed", "register")
    assert stages["raising_hook"][:2] == ("failed", "contribution irisplug_fitters")
    assert "broken on purpose" in stages["raising_hook"][2]
    assert stages["bad_identify"][:2] == ("failed", "identify (bad-identify)")
    assert "identify is broken on purpose" in stages["bad_identify"][2]
    # failed-at-load plugins contribute nothing
    assert "not-a-descriptor" not in pm.contributions("reader")


@pytest.mark.parametrize(
    ("dist", "module", "exc"),
    [
        ("irisplug-broken-import", "irisplug_broken_import", PluginLoadError),
        ("irisplug-bad-descriptor", "irisplug_bad_descriptor", PluginValidationError),
        ("irisplug-bad-signature", "irisplug_bad_signature", PluginLoadError),
        ("irisplug-raising-hook", "irisplug_raising_hook", PluginError),
    ],
)
def test_strict_mode_raises(install, fresh_manager, monkeypatch, dist, module, exc):
    install(dist, {"x": module})
    monkeypatch.setenv("IRISPLUG_STRICT", "1")
    pm = fresh_manager()
    with pytest.raises(exc):
        pm.contributions("reader")


def test_strict_mode_raises_on_identify(spectext_installed, install, fresh_manager, tmp_path, make_spectext):
    install("irisplug-bad-identify", {"bad_identify": "irisplug_bad_identify"})
    fresh_manager(strict=True)
    with pytest.raises(PluginError, match="identify is broken"):
        irisplug.read(make_spectext(tmp_path / "s.txt", [1.0]))


def test_disable_and_allow_knobs(spectext_installed, broken_installed, fresh_manager, monkeypatch):
    monkeypatch.setenv("IRISPLUG_DISABLE", "broken_import,spectext")
    pm = fresh_manager()
    status = {r.name: r.status for r in pm.records}
    assert status["broken_import"] == "disabled" and status["spectext"] == "disabled"
    assert "spectext" not in pm.contributions("reader")
    monkeypatch.delenv("IRISPLUG_DISABLE")
    monkeypatch.setenv("IRISPLUG_ALLOW", "spectext")
    pm = fresh_manager()
    active = {r.name for r in pm.records if r.status == "active"}
    assert active == {"spectext"}


def test_name_clash_names_both_distributions(spectext_installed, install, fresh_manager):
    install("irisplug-spectext-clone", {"spectext_clone": "irisplug_spectext_clone"})
    pm = fresh_manager()
    clashes = pm.clashes
    assert len(clashes) == 1
    text = str(clashes[0])
    assert "irisplug-spectext" in text and "irisplug-spectext-clone" in text
    # the first (alphabetical by entry point) keeps the name
    assert pm.get("reader", "spectext").distribution == "irisplug-spectext"
    with pytest.raises(PluginNameClashError):
        fresh_manager(strict=True).contributions("reader")


def test_runtime_registration_and_unknown_name(empty_plugin_manager):
    class Plugin:
        @irisplug.hookimpl
        def irisplug_fetchers(self):
            return [irisplug.FetcherDescriptor(name="nothing", fetch=lambda dest: [], offline=True)]

    empty_plugin_manager.register(Plugin(), name="runtime")
    assert irisplug.fetch("nothing", ".") == []
    with pytest.raises(irisplug.UnknownContributionError, match="known fetchers: nothing"):
        empty_plugin_manager.get("fetcher", "missing")
    with pytest.raises(PluginLoadError, match="already registered"):
        empty_plugin_manager.register(Plugin(), name="runtime")


def test_descriptor_validation_messages():
    with pytest.raises(PluginValidationError, match="read must be a callable or a 'package\\.module:attribute' reference"):
        irisplug.ReaderDescriptor(name="x", read="not callable")
    with pytest.raises(PluginValidationError, match="non-empty name"):
        irisplug.ReaderDescriptor(name=" ", read=print)
    with pytest.raises(PluginValidationError, match="tuple of str"):
        irisplug.ReaderDescriptor(name="x", read=print, patterns="*.fits")


def test_event_hook_failure_is_isolated(spectext_installed, fresh_manager, tmp_path, make_spectext):
    seen = []

    class Listener:
        @irisplug.hookimpl
        def irisplug_after_read(self, obj, paths, reader):
            seen.append((reader, [p.name for p in paths]))

    class Faulty:
        @irisplug.hookimpl
        def irisplug_after_read(self, obj):
            raise RuntimeError("listener broken on purpose")

    pm = fresh_manager()
    pm.register(Listener(), name="listener")
    pm.register(Faulty(), name="faulty")
    irisplug.read(make_spectext(tmp_path / "a.spectext", [1.0]))
    assert seen == [("spectext", ["a.spectext"])]
    assert _record(pm, "faulty").failures[0].stage == "event irisplug_after_read"


def test_check_plugin_accepts_good_and_rejects_bad(site):
    import irisplug_spectext.plugin as good
    from irisplug.testing import check_plugin

    assert check_plugin(good, "spectext").contributions["reader"] == ["spectext"]
    import irisplug_bad_descriptor as bad

    with pytest.raises(PluginValidationError):
        check_plugin(bad, "bad")


def test_every_built_in_plugin_distribution_is_trusted_as_built_in():
    """The trust rules' list of built-in distributions names exactly the distributions under plugins/ (and the core)."""
    import tomllib

    from irisplug.plugin_manager import BUILTIN_DISTRIBUTIONS

    repo = Path(__file__).resolve().parents[1]
    names = {tomllib.loads(p.read_text())["project"]["name"] for p in (repo / "plugins").glob("*/pyproject.toml")}
    assert BUILTIN_DISTRIBUTIONS == names | {"irisplug"}
