"""Layering: no IRIS knowledge in the core and the generic plugins; plugins use each other only through public top levels.

1. A scan of the sources of the core (``irisplug/``) and of the generic
   plugins calib, fit, view, coalign, io and datasets for the IRIS constants,
   labels and keywords that leaked into them (fill values, window labels,
   line widths, the synthetic data source, "IRIS" as a default, IRIS-only
   header keywords such as OBSID or TWMINn). Instrument facts belong in the
   reader (the data-quality meta of ``irisplug.model.levels``, the
   description keys of ``irisplug.model.description``, the standard FITS
   keywords) or in an instrument plugin. Every remaining hit is listed below with its reason;
   an entry that no longer matches fails too, so the list only shrinks.
2. An ``ast`` scan of every plugin's imports (the built-in plugins and the
   example plugins): a plugin may import another plugin only by its public
   top level (``import irisplug_fit``, ``from irisplug_fit import x``), never
   a submodule, and no private module of the core (``irisplug._x`` or
   ``irisplug.x._y``); ``importlib.import_module`` with a literal name counts.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GENERIC = ["irisplug", "plugins/calib/src", "plugins/fit/src", "plugins/view/src", "plugins/coalign/src", "plugins/io/src",
           "plugins/datasets/src"]

#: name -> pattern of a known IRIS constant or label
IRIS_PATTERNS = {
    "fill -200": re.compile(r"(?<![\w.])-\s?200(?:\.0*)?(?![\w.])"),
    "fill -100": re.compile(r"(?<![\w.])-\s?100(?:\.0*)?(?![\w.])"),
    "SJI label": re.compile(r"SJI_\d"),
    "Si IV": re.compile(r"Si IV"),
    "Mg II": re.compile(r"Mg II"),
    "iris-synthetic": re.compile(r"iris-synthetic"),
    "'IRIS' default": re.compile(r"""(?:get\([^)]*|=\s*|default\s*=\s*)["']IRIS["']"""),
    "IRIS line width": re.compile(r"0\.0286|0\.0318|0\.0546"),
    "IRIS template default": re.compile(r"""template\b[^=\n(]*=\s*["'](?:si_iv|c_ii|mg_ii|o_i|fe_)"""),
    # keywords of IRIS Level 2 headers that no FITS or SOLARNET convention defines (the reader maps them to the
    # model's keys: OBSID -> observation_id, TWMINn -> WAVEMIN, TDETn -> DETECTOR, ...)
    "IRIS keyword": re.compile(r"\b(?:OBSID|OBS_DESC|NRASTERP|RASNRPT|SAT_ROT|STARTOBS|ENDOBS|TDESC|TWAVE|TWMIN|TWMAX|TDET)"
                               r"\d*\b"),
}

_DOC = "docstring examples on IRIS data only (labels in skipped doctests / prose), no behaviour"

#: path -> (pattern names allowed there, why). Keep narrow: every entry must still match something.
ALLOWED: dict[str, tuple[set[str], str]] = {
    "plugins/fit/src/irisplug_fit/line_templates.py": ({"Si IV"}, _DOC),
    "plugins/fit/src/irisplug_fit/lines.py": ({"Si IV", "IRIS line width"}, _DOC),
    "plugins/fit/src/irisplug_fit/mgii.py": (
        {"Mg II"}, "Mg II h & k are solar lines (Pereira et al. 2013 features), not a window label: any instrument covering 2796-2804 A"),
    "plugins/fit/src/irisplug_fit/plugin.py": ({"Mg II"}, "the mgii fitter's description (as mgii.py)"),
    "plugins/calib/src/irisplug_calib/sji.py": ({"SJI label"}, _DOC),
    "plugins/calib/src/irisplug_calib/pointing.py": (
        {"IRIS keyword"}, "SAT_ROT of the AIA map's own header (AIA pointing tables), not of an IRIS file"),
    "plugins/view/src/irisplug_view/__init__.py": ({"Si IV"}, _DOC),
    "plugins/view/src/irisplug_view/figures.py": ({"Si IV", "Mg II", "SJI label"}, _DOC),
    "plugins/view/src/irisplug_view/movies.py": ({"Si IV", "Mg II", "SJI label"}, _DOC),
    "plugins/view/src/irisplug_view/poi.py": ({"Si IV", "SJI label"}, _DOC),
    "plugins/view/src/irisplug_view/quicklook.py": ({"Si IV"}, _DOC),
    "plugins/view/src/irisplug_view/sji_viewer.py": ({"SJI label"}, _DOC),
    "plugins/view/src/irisplug_view/state.py": ({"Si IV"}, _DOC),
    "plugins/io/src/irisplug_io/fits_format.py": ({"Si IV"}, _DOC),
    "plugins/datasets/src/irisplug_datasets/__init__.py": ({"Mg II"}, "Mg II h & k features (as fit's mgii.py)"),
    "plugins/datasets/src/irisplug_datasets/build.py": ({"Mg II"}, _DOC),
    "plugins/datasets/src/irisplug_datasets/cli.py": ({"Mg II"}, "--line/--window help examples (prose, no default)"),
    "plugins/datasets/src/irisplug_datasets/selection.py": ({"Mg II"}, _DOC),
    "plugins/datasets/src/irisplug_datasets/synthetic.py": (
        {"Mg II", "iris-synthetic"}, "example stores made from the IRIS plugin's synthetic fetcher, by name through the "
        "public irisplug.fetch (the datasets' demo data), not an IRIS constant"),
}


def _sources(roots: list[str]) -> list[Path]:
    return sorted(p for root in roots for p in (REPO / root).rglob("*.py"))


def _hits() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in _sources(GENERIC):
        text = path.read_text()
        names = {name for name, pattern in IRIS_PATTERNS.items() if pattern.search(text)}
        if names:
            found[path.relative_to(REPO).as_posix()] = names
    return found


def test_no_iris_constants_or_labels_in_core_and_generic_plugins():
    bad = []
    for rel, names in sorted(_hits().items()):
        allowed = ALLOWED.get(rel, (set(), ""))[0]
        extra = names - allowed
        if extra:
            bad.append(f"{rel}: {sorted(extra)}")
    assert not bad, "IRIS knowledge outside the IRIS plugin (move it to the reader's meta or an instrument plugin):\n" + \
        "\n".join(bad)


def test_allow_list_has_no_stale_entries():
    hits = _hits()
    stale = [f"{rel}: {sorted(names - hits.get(rel, set()))}" for rel, (names, _) in sorted(ALLOWED.items())
             if names - hits.get(rel, set())]
    assert not stale, "allow-list entries that match nothing any more (remove them):\n" + "\n".join(stale)


def test_the_scan_can_fail(tmp_path):
    """The patterns find what they are for (a scan that finds nothing proves nothing)."""
    sample = 'fill = -200\nif meta.get("TELESCOP", "IRIS"):\n    w = "SJI_1400", "Si IV 1403", 0.0318, meta["TWMIN1"]\n'
    names = {name for name, pattern in IRIS_PATTERNS.items() if pattern.search(sample)}
    assert names == {"fill -200", "SJI label", "Si IV", "'IRIS' default", "IRIS line width", "IRIS keyword"}
    assert not IRIS_PATTERNS["IRIS keyword"].search('meta["WAVEMIN"], meta["DETECTOR"], "observation_id", OBSIDIAN')
    assert not IRIS_PATTERNS["fill -200"].search("interval_ms: int = 200; x[-2001]; a.b-200c")


# ---- imports ---------------------------------------------------------------------------------------


def _plugin_packages() -> dict[Path, str]:
    """Source file -> the top-level package of the plugin it belongs to."""
    out: dict[Path, str] = {}
    for src in [*(REPO / "plugins").glob("*/src"), *(REPO / "examples").glob("*/src")]:
        for pkg in src.iterdir():
            if pkg.is_dir() and (pkg / "__init__.py").exists():
                for path in pkg.rglob("*.py"):
                    out[path] = pkg.name
    return out


def _imported_modules(tree: ast.AST) -> list[tuple[int, str, tuple[str, ...]]]:
    """(line, module, imported names) of every import, and of import_module("literal") calls."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name, ()) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module, tuple(a.name for a in node.names)))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            arg = node.args[0] if name == "import_module" and node.args else None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                out.append((node.lineno, arg.value, ()))
            elif isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
                out.append((node.lineno, str(arg.values[0].value) + "<dynamic>", ()))  # f"pkg.{name}"
    return out


def _violations() -> list[str]:
    packages = _plugin_packages()
    plugin_names = set(packages.values())
    bad = []
    for path, own in sorted(packages.items()):
        rel = path.relative_to(REPO).as_posix()
        for line, module, names in _imported_modules(ast.parse(path.read_text(), filename=str(path))):
            top = module.split(".")[0]
            if top in plugin_names and top != own and module != top:
                bad.append(f"{rel}:{line}: imports {module} (another plugin's submodule; use `{top}`'s public names)")
            elif top in plugin_names and top != own:
                private = [n for n in names if n.startswith("_")]
                if private:
                    bad.append(f"{rel}:{line}: imports private {private} from {top}")
            elif top == "irisplug" and any(part.startswith("_") for part in module.split(".")[1:]):
                bad.append(f"{rel}:{line}: imports the core's private module {module}")
    return bad


#: known violations, each with the issue that removes it (kept narrow: the list may only shrink)
KNOWN_IMPORT_VIOLATIONS: dict[str, str] = {}


def test_plugins_import_other_plugins_only_by_their_public_top_level():
    bad = [v for v in _violations() if v.split(":")[0] not in KNOWN_IMPORT_VIOLATIONS]
    assert not bad, "\n".join(bad)


def test_known_import_violations_are_still_real():
    files = {v.split(":")[0] for v in _violations()}
    stale = sorted(set(KNOWN_IMPORT_VIOLATIONS) - files)
    if stale:
        pytest.fail(f"no longer violating, remove from KNOWN_IMPORT_VIOLATIONS: {stale}")


def test_the_import_scan_can_fail():
    tree = ast.parse("import irisplug_calib.dark\nfrom irisplug_fit.cube import x\nfrom irisplug.dispatch._select import s\n"
                     "importlib.import_module('irisplug_calib._common')\nfrom irisplug_view import quicklook\n"
                     "import_module(f'irisplug_calib.{name}')\n")
    modules = sorted(m for _, m, _ in _imported_modules(tree))
    assert modules == sorted(["irisplug_calib.dark", "irisplug_fit.cube", "irisplug.dispatch._select", "irisplug_view",
                              "irisplug_calib._common", "irisplug_calib.<dynamic>"])
