"""docs/fit.md quotes the engine's default convergence tolerance (the figure cannot drift from the code)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from irisplug_fit.engine import DEFAULT_TOL, fit_spectra


def test_docs_quote_the_default_tolerance():
    doc = Path(__file__).resolve().parents[3] / "docs" / "fit.md"
    if not doc.is_file():
        pytest.skip(f"{doc} not found (not a source checkout)")
    quoted = re.findall(r"default `tol=([0-9.eE+-]+)`", doc.read_text())
    assert quoted, "docs/fit.md no longer states the default tolerance as `tol=...`"
    assert all(float(q) == DEFAULT_TOL for q in quoted), (quoted, DEFAULT_TOL)
    import inspect

    assert inspect.signature(fit_spectra).parameters["tol"].default == DEFAULT_TOL
