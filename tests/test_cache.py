"""``irisplug.cache``: the cache of decompressed copies, unpacked archives and downloads stays within its bound.

Expected sizes and contents come from the files the tests write (gzip and
tarfile from the standard library), never from irisplug; entry ages are set
with ``os.utime`` as days passing would set them.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest

from irisplug import cache
from irisplug.errors import IrisplugError
from irisplug.sources import cache_dir, decompressed, resolve_sources

SIZE = 100_000  # plain bytes per test file


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("IRISPLUG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("IRISPLUG_QUIET", "1")
    monkeypatch.delenv("IRISPLUG_CACHE_MAX_BYTES", raising=False)


def _gz(tmp_path: Path, name: str, seed: int) -> tuple[Path, bytes]:
    plain = b"SIMPLE  =" + np.random.default_rng(seed).bytes(SIZE - 9)  # incompressible: the copy is SIZE bytes
    path = tmp_path / f"{name}.fits.gz"
    path.write_bytes(gzip.compress(plain))
    return path, plain


def _age(entry: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(entry, (then, then))


def test_the_least_recently_used_copy_goes_when_a_new_one_exceeds_the_bound(tmp_path, monkeypatch):
    monkeypatch.setenv("IRISPLUG_CACHE_MAX_BYTES", str(int(2.5 * SIZE)))
    (a, pa), (b, pb), (c, pc) = (_gz(tmp_path, n, i) for i, n in enumerate("abc"))
    copy_a, copy_b = decompressed(a), decompressed(b)
    _age(copy_a.parent, 5)
    _age(copy_b.parent, 3)
    assert decompressed(a) == copy_a  # used again: now the most recent
    copy_c = decompressed(c)  # 3 x SIZE > 2.5 x SIZE: the least recently used (b) goes
    assert not copy_b.exists() and not copy_b.parent.exists()
    assert copy_a.read_bytes() == pa and copy_c.read_bytes() == pc
    assert sum(e.nbytes for e in cache.entries()) == 2 * SIZE
    assert decompressed(b).read_bytes() == pb  # made again on the next use


def test_entries_used_within_the_hour_stay_whatever_the_size(tmp_path, monkeypatch):
    monkeypatch.setenv("IRISPLUG_CACHE_MAX_BYTES", str(SIZE // 2))
    copies = [decompressed(_gz(tmp_path, n, i)[0]) for i, n in enumerate("abc")]
    assert all(p.exists() for p in copies)  # another process may be reading any of them lazily
    _age(copies[0].parent, 2)
    gone = cache.prune()
    assert [e.path for e in gone] == [copies[0].parent] and not copies[0].exists()
    assert copies[1].exists() and copies[2].exists()


def test_unpacked_archives_count_and_are_pruned_whole(tmp_path, monkeypatch):
    members = {f"m{i}.fits": b"SIMPLE  =" + np.random.default_rng(10 + i).bytes(SIZE - 9) for i in range(2)}
    archive = tmp_path / "obs.tar"
    with tarfile.open(archive, "w") as tar:
        for name, data in members.items():
            src = tmp_path / name
            src.write_bytes(data)
            tar.add(src, arcname=name)
    files = resolve_sources(archive)
    assert sorted(p.read_bytes() for p in files) == sorted(members.values())
    assert cache.usage()["archives"] == (1, 2 * SIZE)
    (entry,) = cache.entries()
    _age(entry.path, 2)
    monkeypatch.setenv("IRISPLUG_CACHE_MAX_BYTES", str(SIZE))
    assert [e.path for e in cache.prune()] == [entry.path]
    assert not any(p.exists() for p in files) and cache.usage()["archives"] == (0, 0)
    assert all(p.exists() for p in resolve_sources(archive))  # unpacked again


def test_no_bound_and_a_bad_bound(tmp_path, monkeypatch):
    monkeypatch.setenv("IRISPLUG_CACHE_MAX_BYTES", "0")
    copy = decompressed(_gz(tmp_path, "a", 0)[0])
    _age(copy.parent, 100)
    assert cache.prune(0) == [] and copy.exists()
    monkeypatch.setenv("IRISPLUG_CACHE_MAX_BYTES", "lots")
    with pytest.raises(IrisplugError, match="IRISPLUG_CACHE_MAX_BYTES='lots'"):
        decompressed(_gz(tmp_path, "b", 1)[0])
    assert cache.max_cache_bytes.__doc__ and cache.DEFAULT_MAX_BYTES == 50 * 2**30


def test_other_folders_of_the_cache_are_listed_and_left_alone(tmp_path):
    other = cache_dir() / "numba" / "kernels-v1"
    other.mkdir(parents=True)
    (other / "k.nbc").write_bytes(b"x" * 1000)
    _age(other, 1000)
    copy = decompressed(_gz(tmp_path, "a", 0)[0])
    _age(copy.parent, 1000)
    assert [e.path for e in cache.clear()] == [copy.parent]
    assert (other / "k.nbc").exists()
    assert cache.usage() == {"downloads": (0, 0), "gunzip": (0, 0), "archives": (0, 0), "numba": (1, 1000)}


def _cli(*args: str) -> str:
    env = dict(os.environ, IRISPLUG_QUIET="1")
    proc = subprocess.run([sys.executable, "-m", "irisplug", "cache", *args], capture_output=True, text=True,
                          env=env, check=True, timeout=120)
    return proc.stdout


def test_cli_lists_and_clears_by_age(tmp_path):
    old, new = (decompressed(_gz(tmp_path, n, i)[0]) for i, n in enumerate("ab"))
    _age(old.parent, 24 * 10)
    listing = _cli()
    assert str(cache_dir()) in listing and "50.0 GiB" in listing
    assert "gunzip" in listing and "2 entries" in listing
    dry = _cli("--clear", "--older-than", "7", "--dry-run")
    assert f"would remove {old.parent}" in dry and old.exists()
    assert f"removed {old.parent}" in _cli("--clear", "--older-than", "7")
    assert not old.exists() and new.exists()
    assert "1 cache entries" in _cli("--clear")
    assert not new.exists()


def test_clear_takes_every_entry_even_one_dated_in_the_future(tmp_path):
    copy = decompressed(_gz(tmp_path, "a", 0)[0])
    _age(copy.parent, -48)  # written by a machine whose clock is two days ahead
    assert cache.clear(7 * 86400) == []
    assert [e.path for e in cache.clear()] == [copy.parent] and not copy.exists()
