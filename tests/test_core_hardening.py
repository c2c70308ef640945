"""Issue 16, core half: the header walker, discovery race, plugin trust, limits, atomic writes.

Each test reproduces one class of the hostile inputs the issue reports.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tarfile
import textwrap
import threading
import time
import zipfile
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from astropy.io import fits

import irisplug
from irisplug.atomic import atomic_path, clean_stale_temp_files
from irisplug.errors import (
    CorruptFileError,
    FileExistsIrisplugError,
    IrisplugError,
    LimitExceededError,
    NotARegularFileError,
    PluginCallError,
    PluginShadowingWarning,
    WriteError,
)
from irisplug.fileinfo import iter_fits_headers
from irisplug.plugin_manager import PluginManager

BROKEN = Path(__file__).resolve().parent / "broken_plugins"
sys.path.insert(0, str(BROKEN))
import irisplug_hostile as hostile  # noqa: E402

# -- 1. the header walker ----------------------------------------------------


def _fits_file(path: Path) -> Path:
    """Three HDUs (image, image extension, binary table) written by astropy."""
    primary = fits.PrimaryHDU(np.arange(12, dtype=">i2").reshape(3, 4))
    ext = fits.ImageHDU(np.ones((2, 5), ">f4"), name="IMG")
    table = fits.BinTableHDU.from_columns([fits.Column(name="A", format="E", array=np.arange(3.0))], name="TAB")
    fits.HDUList([primary, ext, table]).writeto(path)
    return path


def _set_card(raw: bytearray, hdu_offset: int, key: str, value: str) -> None:
    """Replace the value of ``key`` in the header that starts at ``hdu_offset`` (value field, 20 chars)."""
    for start in range(hdu_offset, len(raw), 80):
        if raw[start : start + 8].decode().rstrip() == key:
            raw[start + 10 : start + 30] = value.rjust(20).encode()
            return
    raise AssertionError(f"{key} not in the header")


def _walk_in_thread(path: Path, timeout: float = 10.0) -> tuple[bool, BaseException | None]:
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            for _ in iter_fits_headers(path):
                pass
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - judged by the caller
            outcome.append(exc)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    return (not t.is_alive()), (outcome[0] if outcome else None)


def test_walker_matches_astropy(tmp_path):
    path = _fits_file(tmp_path / "a.fits")
    ours = [(h.get("EXTNAME", ""), off, n) for h, off, n in iter_fits_headers(path)]
    with fits.open(path) as hdul:
        ref = [(h.header.get("EXTNAME", ""), h._data_offset, h._data_size) for h in hdul]
    assert [(e, off) for e, off, _ in ours] == [(e, off) for e, off, _ in ref]
    # ours is padded to whole blocks, astropy's is not
    assert [n for *_, n in ours] == [(n + 2879) // 2880 * 2880 for *_, n in ref]


@pytest.mark.parametrize(
    ("hdu", "key", "value", "words"),
    [
        (0, "NAXIS2", "-3", ["HDU 0", "NAXIS2", ">= 0"]),
        (2, "GCOUNT", "-1", ["HDU 2", "GCOUNT"]),
        (2, "PCOUNT", "-9", ["HDU 2", "PCOUNT"]),
        (0, "BITPIX", "'x'", ["HDU 0", "BITPIX", "not an integer"]),
        (0, "BITPIX", "24", ["HDU 0", "BITPIX = 24"]),
        (1, "NAXIS", "1000", ["HDU 1", "NAXIS = 1000"]),
        (1, "NAXIS", "-1", ["HDU 1", "NAXIS"]),
        (0, "NAXIS1", "1.5", ["HDU 0", "NAXIS1", "not an integer"]),
        (1, "NAXIS2", "99999999999999999999", ["HDU 1"]),
    ],
)
def test_walker_rejects_bad_structural_keywords(tmp_path, hdu, key, value, words):
    path = _fits_file(tmp_path / "a.fits")
    offsets = [0, *[off + n for _, off, n in iter_fits_headers(path)][:-1]]
    raw = bytearray(path.read_bytes())
    _set_card(raw, offsets[hdu], key, value)
    path.write_bytes(bytes(raw))
    finished, exc = _walk_in_thread(path)
    assert finished, "the walker hangs"
    assert isinstance(exc, CorruptFileError), repr(exc)
    for word in words:
        assert word in str(exc)
    assert str(path) in str(exc)


def test_walker_negative_naxis_in_gzip_and_info_cli(tmp_path):
    """The reported hang: a negative size sent the walker backwards, forever; also via `irisplug info DIR`."""
    import gzip

    path = _fits_file(tmp_path / "a.fits")
    raw = bytearray(path.read_bytes())
    _set_card(raw, 0, "NAXIS2", "-3")
    gz = tmp_path / "d" / "b.fits.gz"
    gz.parent.mkdir()
    gz.write_bytes(gzip.compress(bytes(raw)))
    finished, exc = _walk_in_thread(gz)
    assert finished and isinstance(exc, CorruptFileError)
    proc = subprocess.run(
        [sys.executable, "-m", "irisplug", "info", str(gz.parent)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr


def test_walker_header_card_limit(tmp_path, monkeypatch):
    path = tmp_path / "noend.fits"
    cards = ["SIMPLE  =                    T", "BITPIX  =                    8", "NAXIS   =                    0"]
    cards += [f"COMMENT {i}" for i in range(5000)]
    path.write_bytes("".join(c.ljust(80) for c in cards).encode().ljust(2880 * 200, b" "))
    monkeypatch.setenv("IRISPLUG_MAX_HEADER_CARDS", "1000")
    with pytest.raises(LimitExceededError, match="IRISPLUG_MAX_HEADER_CARDS"):
        list(iter_fits_headers(path))


def test_walker_fuzz_never_hangs_never_raw(tmp_path_factory):
    """Hypothesis: arbitrary byte mutations of real headers only ever end or raise an IrisplugError."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    base_dir = tmp_path_factory.mktemp("fuzz")
    sources = [_fits_file(base_dir / "gen.fits")]
    try:  # real IRIS level 2 files (raster and SJI), from the irispy-lmsal wheel's test data
        from importlib.resources import files

        real = sorted(Path(str(files("irispy") / "data" / "test")).rglob("*.fits*"))
        sources += real[:1] + [p for p in real if "SJI" in p.name.upper()][:1]
    except (ImportError, OSError):
        pass
    heads = [Path(s).read_bytes()[: 2880 * 12] for s in sources]
    alphabet = st.sampled_from([*list(b"0123456789 -+.'=EDTFXN"), 0, 255])
    mutation = st.tuples(st.integers(min_value=0, max_value=2880 * 12 - 1), alphabet)

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(which=st.integers(0, len(heads) - 1), edits=st.lists(mutation, min_size=1, max_size=12),
           cut=st.one_of(st.none(), st.integers(0, 2880 * 12)))
    def check(which, edits, cut):
        raw = bytearray(heads[which])
        for pos, byte in edits:
            if pos < len(raw):
                raw[pos] = byte
        if cut is not None:
            raw = raw[:cut]
        path = base_dir / "mutant.fits"
        path.write_bytes(bytes(raw))
        finished, exc = _walk_in_thread(path, timeout=10)
        assert finished, f"hang on edits {edits}"
        assert exc is None or isinstance(exc, IrisplugError), repr(exc)

    check()


# -- 2. discovery race -------------------------------------------------------

_RACE = textwrap.dedent(
    """
    import sys, threading
    import irisplug
    path = sys.argv[1]
    barrier = threading.Barrier(8)
    results = []
    def worker():
        barrier.wait()
        try:
            results.append(type(irisplug.read(path)).__name__)
        except Exception as exc:
            results.append(f"{type(exc).__name__}: {exc}")
    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads: t.start()
    for t in threads: t.join()
    bad = [r for r in results if r != "NDCube"]
    print(len(results) - len(bad), "ok;", bad[:1])
    sys.exit(1 if bad else 0)
    """
)


def test_discovery_race_fresh_process_20_of_20(spectext_installed, tmp_path, make_spectext):
    """8 threads call irisplug.read at once on first use, in a fresh process; 20 processes."""
    path = make_spectext(tmp_path / "s.txt", [1.0, 2.0])
    script = tmp_path / "race.py"
    script.write_text(_RACE)
    passed = 0
    failures = []
    for _batch in range(5):  # 4 fresh processes at a time, 20 in all
        procs = [
            subprocess.Popen([sys.executable, str(script), str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(4)
        ]
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            if proc.returncode == 0:
                passed += 1
            else:
                failures.append(out + err[-500:])
    assert passed == 20, failures[:2]


# -- 3. plugin trust and isolation --------------------------------------------


def _pm(*plugins, **kwargs):
    pm = PluginManager(entry_points=False, **kwargs)
    for plugin, name, dist in plugins:
        pm.register(plugin, name=name, distribution=dist)
    irisplug.set_plugin_manager(pm)
    return pm


@pytest.fixture
def restore_manager():
    old = irisplug.set_plugin_manager(None)
    yield
    irisplug.set_plugin_manager(old)


class _BuiltinReader:
    @irisplug.hookimpl
    def irisplug_readers(self):
        return [irisplug.ReaderDescriptor(name="iris-l2", read=lambda paths, **kw: {"by": "builtin"}, patterns=("*.fits",))]


@pytest.mark.parametrize("third_party_first", [True, False])
def test_builtin_contribution_name_is_kept_and_clash_reported(restore_manager, tmp_path, third_party_first, monkeypatch):
    monkeypatch.delenv("IRISPLUG_ALLOW_SHADOWING", raising=False)
    builtin = (_BuiltinReader(), "iris", "irisplug-iris")
    hijack = (hostile.Hijack(), "aa_hijack", "aa-hijack")
    pm = _pm(*([hijack, builtin] if third_party_first else [builtin, hijack]))
    assert pm.contributions("reader")["iris-l2"].plugin == "iris"
    assert {r.name: r.contributions for r in pm.records}["aa_hijack"] == {}
    path = tmp_path / "x.fits"
    path.write_bytes(b"")
    with pytest.warns(PluginShadowingWarning, match="aa-hijack"):
        assert irisplug.read(path) == {"by": "builtin"}


def test_shadowing_allowed_by_the_user(restore_manager, tmp_path, monkeypatch):
    monkeypatch.setenv("IRISPLUG_ALLOW_SHADOWING", "1")
    pm = _pm((_BuiltinReader(), "iris", "irisplug-iris"), (hostile.Hijack(), "zz_hijack", "zz-hijack"))
    assert pm.contributions("reader")["iris-l2"].plugin == "zz_hijack"
    path = tmp_path / "x.fits"
    path.write_bytes(b"")
    with pytest.warns(PluginShadowingWarning, match="iris-l2"):
        assert irisplug.read(path) == {"by": "hijacked"}


def test_entry_point_named_like_a_builtin_is_refused(install, fresh_manager, monkeypatch):
    """A third-party distribution's entry point `iris` does not replace the built-in plugin `iris`."""
    from importlib import metadata

    builtin = [ep for ep in metadata.entry_points(group="irisplug") if ep.name == "iris"]
    if not builtin:
        pytest.skip("the built-in irisplug-iris plugin is not installed")
    install("evil-iris", {"iris": "irisplug_hostile"})
    monkeypatch.delenv("IRISPLUG_ALLOW_SHADOWING", raising=False)
    pm = fresh_manager()
    rec = {r.name: r for r in pm.records}["iris"]
    assert rec.distribution == "irisplug-iris" and rec.builtin
    assert any(c.kind == "plugin" and c.dropped_distribution == "evil-iris" for c in pm.clashes)
    assert "hijack-l2" not in pm.contributions("reader")
    monkeypatch.setenv("IRISPLUG_ALLOW_SHADOWING", "1")
    pm = fresh_manager()
    assert {r.name: r for r in pm.records}["iris"].distribution == "evil-iris"
    assert "hijack-l2" in pm.contributions("reader")


def test_reader_exception_is_wrapped_with_file_and_plugin(restore_manager, tmp_path):
    pm = _pm((hostile.RaisingReader(), "raiser", "x"))
    path = tmp_path / "a.raising"
    path.write_text("")
    with pytest.raises(PluginCallError) as err:
        irisplug.read(path)
    assert err.value.path == str(path) and err.value.plugin == "raiser"
    assert isinstance(err.value.__cause__, ValueError)
    rec = {r.name: r for r in pm.records}["raiser"]
    assert rec.status == "active" and "broken on purpose" in rec.as_dict()["failures"][0]["error"]


def test_reader_sys_exit_is_contained(restore_manager, tmp_path):
    _pm((hostile.ExitingReader(), "exiter", "x"))
    path = tmp_path / "a.exiting"
    path.write_text("")
    with pytest.raises(PluginCallError, match="SystemExit") as err:
        irisplug.read(path)
    assert isinstance(err.value.__cause__, SystemExit)


def test_reader_returning_42_is_rejected(restore_manager, tmp_path):
    _pm((hostile.FortyTwoReader(), "fortytwo", "x"))
    path = tmp_path / "a.fortytwo"
    path.write_text("")
    with pytest.raises(PluginCallError, match="returned 42") as err:
        irisplug.read(path)
    assert err.value.plugin == "fortytwo"


def test_base_exceptions_in_hooks_identify_and_events_are_contained(restore_manager, tmp_path, make_spectext):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples" / "third_party_plugin" / "src"))
    import irisplug_spectext.plugin as spectext

    pm = _pm(
        (spectext, "spectext", "irisplug-spectext"),
        (hostile.ExitingHook(), "exit_hook", "x"),
        (hostile.ExitingIdentify(), "exit_identify", "x"),
        (hostile.ExitingEvent(), "exit_event", "x"),
    )
    path = make_spectext(tmp_path / "spectrum.dat", [1.0, 2.0])  # no pattern: every identify runs
    cube = irisplug.read(path)
    assert cube.data.tolist() == [1.0, 2.0]
    stages = {r.name: [f.stage for f in r.failures] for r in pm.records}
    assert stages["exit_hook"] == ["contribution irisplug_readers"]
    assert stages["exit_identify"] == ["identify (exit-identify)"]
    assert stages["exit_event"] == ["event irisplug_after_read"]


def test_hung_identify_times_out_and_the_read_goes_on(restore_manager, tmp_path, make_spectext, monkeypatch):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples" / "third_party_plugin" / "src"))
    import irisplug_spectext.plugin as spectext

    monkeypatch.setenv("IRISPLUG_IDENTIFY_TIMEOUT", "0.5")
    pm = _pm((spectext, "spectext", "irisplug-spectext"), (hostile.HungIdentify(), "hung", "x"))
    path = make_spectext(tmp_path / "spectrum.dat", [3.0])
    t0 = time.monotonic()
    assert irisplug.read(path).data.tolist() == [3.0]
    assert irisplug.read(path).data.tolist() == [3.0]  # the hung identify is skipped from now on
    assert time.monotonic() - t0 < 5
    rec = {r.name: r for r in pm.records}["hung"]
    assert rec.status == "failed" and rec.failures[0].exception_type == "PluginTimeoutError"
    assert len(rec.failures) == 1


def test_raising_accepts_does_not_fail_the_plugin(restore_manager):
    pm = _pm((hostile.RaisingAccepts(), "bad_accepts", "x"))
    with pytest.raises(irisplug.UnsupportedObjectError):
        irisplug.fit(object())
    rec = {r.name: r for r in pm.records}["bad_accepts"]
    assert rec.status == "active"
    assert rec.failures[0].stage == "accepts (raising-accepts)"
    assert irisplug.fit(object(), method="raising-accepts") is not None  # still usable by name


def test_runtime_failures_are_listed_by_irisplug_plugins(restore_manager, tmp_path, capsys):
    from irisplug.cli.main import main

    _pm((hostile.RaisingReader(), "raiser", "x"))
    path = tmp_path / "a.raising"
    path.write_text("")
    with pytest.raises(PluginCallError):
        irisplug.read(path)
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    assert "raiser" in out and "reading (raising)" in out and "broken on purpose" in out


# -- 4. limits: archive bombs ---------------------------------------------------

_BOMB = textwrap.dedent(
    """
    import os, sys, time
    import irisplug
    from irisplug.sources import resolve_sources
    t0 = time.monotonic()
    try:
        resolve_sources(sys.argv[1])
        outcome = "unpacked"
    except irisplug.IrisplugError as exc:
        outcome = type(exc).__name__ + ": " + str(exc)
    # peak RSS of this process image: VmHWM (ru_maxrss would include the forking parent's peak on Linux)
    with open("/proc/self/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) // 1024
    print(f"{outcome}|{time.monotonic() - t0:.2f}|{rss}")
    """
)


class _Zeros:
    def __init__(self, n: int) -> None:
        self.left = n

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        self.left -= size
        return bytes(size)


def _tar_bomb(path: Path, size: int) -> Path:
    """A valid .tar.gz of one ``size``-byte member of zeros, built in milliseconds.

    The tar stream is a 512-byte header followed by zeros only (data, then the
    two end-of-archive blocks), so it is written as a multi-member gzip file
    (RFC 1952 allows it; Python's gzip reads it) whose members repeat one
    compressed MiB of zeros.
    """
    import gzip

    info = tarfile.TarInfo("obs/iris_l2_raster.fits")
    info.size = size
    header = info.tobuf(format=tarfile.GNU_FORMAT)
    mib = gzip.compress(bytes(1 << 20), compresslevel=9)
    assert size % (1 << 20) == 0
    with open(path, "wb") as f:
        f.write(gzip.compress(header))
        for _ in range(size >> 20):
            f.write(mib)
        f.write(gzip.compress(bytes(1024)))
    return path


def _zip_bomb(path: Path, size: int) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("obs/iris_l2_raster.fits", "w", force_zip64=True) as dst:
            chunk = bytes(1 << 20)
            for _ in range(size >> 20):
                dst.write(chunk)
    return path


def _run_bomb(archive: Path, tmp_path: Path, **env: str) -> tuple[str, float, int]:
    script = tmp_path / "bomb.py"
    script.write_text(_BOMB)
    proc = subprocess.run(
        [sys.executable, str(script), str(archive)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "IRISPLUG_CACHE_DIR": str(tmp_path / "cache"), **env},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    outcome, seconds, rss = proc.stdout.strip().splitlines()[-1].rsplit("|", 2)
    return outcome, float(seconds), int(rss)


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    d = tmp_path_factory.mktemp("bombs")
    # the zip is smaller: zipfile must really compress it (seconds per 256 MiB here)
    return {"tar.gz": _tar_bomb(d / "bomb.tar.gz", 2 * 2**30), "zip": _zip_bomb(d / "bomb.zip", 256 * 2**20)}


@pytest.mark.parametrize("kind", ["tar.gz", "zip"])
def test_archive_bomb_stopped_quickly_with_low_rss(bombs, tmp_path, kind):
    """A ~2 MB tar.gz holding a 2 GiB member: stopped by the default ratio limit; both by a size limit."""
    archive = bombs[kind]
    assert archive.stat().st_size < 4 * 2**20
    if kind == "tar.gz":
        outcome, seconds, rss = _run_bomb(archive, tmp_path)
        assert outcome.startswith("LimitExceededError") and "IRISPLUG_MAX_COMPRESSION_RATIO" in outcome, outcome
        assert seconds < 60 and rss < 400, (seconds, rss)
    outcome, seconds, rss = _run_bomb(archive, tmp_path, IRISPLUG_MAX_DECOMPRESSED_BYTES=str(64 * 2**20))
    assert outcome.startswith("LimitExceededError") and "IRISPLUG_MAX_DECOMPRESSED_BYTES" in outcome, outcome
    assert seconds < 15 and rss < 400, (seconds, rss)
    # nothing is left in the cache
    leftovers = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert leftovers == []


def test_archive_member_count_limit(tmp_path, monkeypatch):
    archive = tmp_path / "many.tar"
    with tarfile.open(archive, "w") as tf:
        for i in range(50):
            info = tarfile.TarInfo(f"f{i}.txt")
            info.size = 1
            tf.addfile(info, _Zeros(1))
    monkeypatch.setenv("IRISPLUG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("IRISPLUG_MAX_ARCHIVE_MEMBERS", "20")
    from irisplug.sources import resolve_sources

    with pytest.raises(LimitExceededError, match="IRISPLUG_MAX_ARCHIVE_MEMBERS"):
        resolve_sources(archive)
    monkeypatch.setenv("IRISPLUG_MAX_ARCHIVE_MEMBERS", "50")
    assert len(resolve_sources(archive)) == 50


def test_archive_link_member_refused(tmp_path, monkeypatch):
    archive = tmp_path / "link.tar"
    with tarfile.open(archive, "w") as tf:
        info = tarfile.TarInfo("passwd")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        tf.addfile(info)
    monkeypatch.setenv("IRISPLUG_CACHE_DIR", str(tmp_path / "cache"))
    from irisplug.sources import resolve_sources

    with pytest.raises(CorruptFileError, match="link"):
        resolve_sources(archive)


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.fits"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFileError):
        irisplug.read(fifo)
    proc = subprocess.run([sys.executable, "-m", "irisplug", "info", str(fifo)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "not a regular file" in proc.stderr


def test_bad_limit_value_is_an_irisplug_error(monkeypatch):
    from irisplug.limits import get_limits

    monkeypatch.setenv("IRISPLUG_MAX_HEADER_CARDS", "lots")
    with pytest.raises(IrisplugError, match="IRISPLUG_MAX_HEADER_CARDS"):
        get_limits()


# -- 5. atomic writes ------------------------------------------------------------


def _text_pm():
    pm = PluginManager(entry_points=False)
    pm.register(hostile.TextWriter(), name="text", distribution="x")
    pm.register(hostile.RaisingWriter(), name="enospc", distribution="x")
    return pm


def test_stale_temp_files_cleaned_by_next_write_live_ones_kept(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
        stale = tmp_path / f".a.txt.irisplug-tmp-{dead.stdout.strip()}-0badc0de.txt"
        live = tmp_path / f".b.txt.irisplug-tmp-{sleeper.pid}-0badc0de.txt"
        other = tmp_path / ".hidden-user-file.txt"
        for p in (stale, live, other):
            p.write_text("partial")
        irisplug.write("hello", tmp_path / "c.txt", manager=_text_pm())
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other.name, "c.txt"])
    finally:
        sleeper.kill()
        sleeper.wait()
    # the writer is gone now: `irisplug clean` removes its file
    proc = subprocess.run([sys.executable, "-m", "irisplug", "clean", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "1 stale" in proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([other.name, "c.txt"])


def test_temp_file_name_is_recognisable(tmp_path):
    with atomic_path(tmp_path / "out.fits.gz") as tmp:
        assert tmp.name.startswith(f".out.fits.gz.irisplug-tmp-{os.getpid()}-") and tmp.name.endswith(".fits.gz")
        tmp.write_bytes(b"x")
    assert clean_stale_temp_files(tmp_path) == []


def test_no_clobber_when_target_appears_during_write(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(FileExistsIrisplugError, match="appeared"):
        with atomic_path(target) as tmp:
            tmp.write_text("ours")
            target.write_text("theirs")  # another process wins the race
    assert target.read_text() == "theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_directory_names_the_target(tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o500)
    try:
        with pytest.raises(WriteError) as err:
            irisplug.write("hello", d / "out.txt", manager=_text_pm())
        assert err.value.path == str(d / "out.txt") and "irisplug-tmp" not in str(err.value)
    finally:
        d.chmod(0o700)


def test_disk_full_names_the_target_and_leaves_nothing(tmp_path):
    target = tmp_path / "out.enospc"
    with pytest.raises(WriteError, match="no space left") as err:
        irisplug.write("x", target, manager=_text_pm())
    assert err.value.path == str(target) and err.value.__cause__.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == []


def test_missing_directory_is_not_created(tmp_path):
    with pytest.raises(WriteError, match="does not exist"):
        irisplug.write("x", tmp_path / "no" / "such" / "out.txt", manager=_text_pm())
    assert not (tmp_path / "no").exists()


# -- 6. bad API input, refused before computing -----------------------------------


class _Calibrators:
    calls: ClassVar[list[str]] = []

    @irisplug.hookimpl
    def irisplug_calibrators(self):
        def dark(obj, *, darks):
            _Calibrators.calls.append("dark")
            return {"calibrated": obj}

        def flat(obj, *, flat=None):
            _Calibrators.calls.append("flat")
            return {"calibrated": obj}

        return [
            irisplug.CalibratorDescriptor(name="dark", apply=dark),
            irisplug.CalibratorDescriptor(name="flat", apply=flat),
        ]


def test_missing_required_step_argument_refused_before_any_step_runs():
    pm = PluginManager(entry_points=False)
    pm.register(_Calibrators(), name="cal", distribution="x")
    _Calibrators.calls.clear()
    with pytest.raises(irisplug.InvalidArgumentError, match="darks") as err:
        irisplug.calibrate({"raw": 1}, ["flat", "dark"], manager=pm)
    assert err.value.plugin == "cal"
    assert _Calibrators.calls == []


def test_unknown_writer_keyword_refused_before_writing(tmp_path):
    with pytest.raises(irisplug.IrisplugError, match="frames_per_chunk"):  # UnknownKeywordError (issue 17 rule)
        irisplug.write("x", tmp_path / "o.txt", manager=_text_pm(), frames_per_chunk=0)
    assert not (tmp_path / "o.txt").exists()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: irisplug.read(42), "source must be a path"),
        (lambda: irisplug.read("x.fits", format=3), "format must be"),
        (lambda: irisplug.write("x", "o.txt", overwrite="yes"), "overwrite must be"),
        (lambda: irisplug.calibrate(object(), []), "steps is empty"),
        (lambda: irisplug.calibrate(object(), [1]), "steps must be"),
    ],
)
def test_bad_core_arguments(call, match):
    with pytest.raises(irisplug.InvalidArgumentError, match=match):
        call()


def test_gzip_cache_bomb_stopped_at_the_limit(tmp_path, monkeypatch):
    """``sources.decompressed`` (the gzip cache readers use) stops at the size limit, writing nothing."""
    import gzip

    from irisplug.sources import decompressed

    bomb = tmp_path / "iris_l2_raster.fits.gz"
    mib = gzip.compress(bytes(1 << 20), compresslevel=9)
    bomb.write_bytes(gzip.compress(b"SIMPLE  =" + b" " * 2871) + mib * 512)  # 512 MiB from ~0.5 MB
    monkeypatch.setenv("IRISPLUG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("IRISPLUG_MAX_DECOMPRESSED_BYTES", str(32 * 2**20))
    with pytest.raises(LimitExceededError, match="IRISPLUG_MAX_DECOMPRESSED_BYTES"):
        decompressed(bomb)
    assert [p for p in (tmp_path / "cache").rglob("*") if p.is_file()] == []
    monkeypatch.delenv("IRISPLUG_MAX_DECOMPRESSED_BYTES")
    with pytest.raises(LimitExceededError, match="IRISPLUG_MAX_COMPRESSION_RATIO"):
        decompressed(bomb)  # the default ratio limit (512 MiB from 0.5 MB is ~1000:1)
