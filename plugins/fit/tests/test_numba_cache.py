"""The kernels' numba cache is dropped when any source compiled into them changes."""

from __future__ import annotations

from irisplug_fit.numba_cache import drop_stale_cache


def _cache_files(d):
    names = ["kernels._fit_one-239.py311.nbi", "kernels._fit_one-239.py311.1.nbc", "profiles.voigt-67.py311.nbi"]
    for n in names:
        (d / n).write_bytes(b"x")
    return names


def test_drop_only_when_sources_change(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    src = [tmp_path / "kernels.py", tmp_path / "profiles.py"]
    src[0].write_text("def k(): pass\n")
    src[1].write_text("def p(): pass\n")
    _cache_files(cache)
    assert drop_stale_cache(cache, "kernels", src)  # no stamp yet: dropped
    assert sorted(p.name for p in cache.glob("*.nb?")) == ["profiles.voigt-67.py311.nbi"]
    _cache_files(cache)
    assert not drop_stale_cache(cache, "kernels", src)  # unchanged sources: kept
    assert len(list(cache.glob("kernels.*.nb?"))) == 2
    src[1].write_text("def p(): return 1\n")  # only the inlined dependency changes
    assert drop_stale_cache(cache, "kernels", src)
    assert not list(cache.glob("kernels.*.nb?"))
    assert (cache / "profiles.voigt-67.py311.nbi").exists()


def test_read_only_cache_dir_is_not_an_error(tmp_path):
    src = tmp_path / "k.py"
    src.write_text("")
    assert drop_stale_cache(tmp_path / "missing", "kernels", [src])
