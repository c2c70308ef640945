"""The testing kit's fixtures for plugin authors."""

from __future__ import annotations

import pytest


def test_shared_data_finds_files_and_honours_the_override(shared_data, tmp_path, monkeypatch):
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "a.fits").write_bytes(b"")
    (tmp_path / "toy" / "b.txt").write_bytes(b"")
    monkeypatch.setenv("IRISPLUG_SHARED_DATA", str(tmp_path))
    assert [p.name for p in shared_data("toy", "*.fits")] == ["a.fits"]


def test_shared_data_skips_saying_where_it_looked(shared_data, tmp_path, monkeypatch):
    monkeypatch.setenv("IRISPLUG_SHARED_DATA", str(tmp_path))
    with pytest.raises(pytest.skip.Exception, match=f"no \\*.fits files in {tmp_path}/absent"):
        shared_data("absent", "*.fits")
