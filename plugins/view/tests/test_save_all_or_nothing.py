"""Saved figures are written all or nothing: a drawing that fails leaves no partial file and an old one intact.

The reference is matplotlib itself: ``Figure.savefig`` of the same figure
straight to a PDF path leaves a truncated file behind (checked in each test),
which is what the viewers' ``out=`` did before.
"""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest

from irisplug_view.figures import spectroheliogram
from irisplug_view.quicklook import quicklook
from irisplug_view.sji_viewer import sji_viewer

BAD_MATHTEXT = r"$\frac$"  # fails to parse at draw time, after matplotlib's PDF backend has opened its file


def _breaks_halfway(fig, tmp_path: Path) -> None:
    """Make drawing ``fig`` fail, and show that plain matplotlib leaves a partial PDF for it."""
    fig.text(0.5, 0.5, BAD_MATHTEXT)
    plain = tmp_path / "plain" / "figure.pdf"
    plain.parent.mkdir()
    with pytest.raises(ValueError):
        fig.savefig(plain)
    assert plain.exists() and not plain.read_bytes().rstrip().endswith(b"%%EOF")  # truncated


@pytest.mark.parametrize("make", ["quicklook", "sji_viewer"])
def test_a_failed_save_leaves_the_old_file_and_no_temporary(make, obs, sji, tmp_path):
    viewer = quicklook(obs, window="Si IV 1403") if make == "quicklook" else sji_viewer(sji)
    _breaks_halfway(viewer.fig, tmp_path)
    out = tmp_path / "out" / "figure.pdf"
    out.parent.mkdir()
    out.write_bytes(b"previous")
    with pytest.raises(ValueError):
        viewer.savefig(out)
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in out.parent.iterdir()) == ["figure.pdf"]
    out.unlink()
    with pytest.raises(ValueError):
        viewer.savefig(out)
    assert list(out.parent.iterdir()) == []


def test_out_replaces_an_old_file_with_a_whole_one_in_the_suffix_format(obs, tmp_path):
    pdf, png = tmp_path / "hel.pdf", tmp_path / "hel.PNG"
    pdf.write_bytes(b"previous")
    spectroheliogram(obs, window="Si IV 1403", out=pdf)
    spectroheliogram(obs, window="Si IV 1403", out=png)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.read_bytes().rstrip().endswith(b"%%EOF")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hel.PNG", "hel.pdf"]


def test_a_file_object_is_written_directly(obs):
    buf = io.BytesIO()
    quicklook(obs, window="Si IV 1403").savefig(buf, format="png")
    assert buf.getvalue().startswith(b"\x89PNG")


def test_every_save_in_the_viewers_goes_through_save_figure():
    """The class of bug: a ``savefig`` call on a path anywhere else writes in place again."""
    src = Path(__file__).resolve().parents[1] / "src" / "irisplug_view"
    calls = {}
    for path in src.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "savefig" \
                    and not (isinstance(node.func.value, ast.Name) and node.func.value.id in {"ql", "v", "viewer"}):
                calls.setdefault(path.name, []).append(node.lineno)
    # save_figure's own two calls (to the temporary path, and to a file object); the viewers' savefig methods
    # (ql.savefig, v.savefig) call save_figure
    assert list(calls) == ["_figure_kit.py"] and len(calls["_figure_kit.py"]) == 2
