"""Reader choice, sources (directories, archives), atomic writes, calibration planning."""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

import irisplug
from irisplug import (
    AmbiguousFormatError,
    CalibrationError,
    CorruptFileError,
    FileExistsIrisplugError,
    MixedSourceError,
    SourceNotFoundError,
    UnknownFormatError,
    UnknownKeywordError,
    UnsupportedObjectError,
)
from irisplug.provenance import history


class _Box:
    """A minimal data object with meta, standing in for any calibratable object."""

    def __init__(self, value, meta=None):
        self.value = value
        self.meta = dict(meta or {})


def _reader_plugin(name, *, patterns=(), identify=None, priority=0):
    class P:
        @irisplug.hookimpl
        def irisplug_readers(self):
            return [
                irisplug.ReaderDescriptor(
                    name=name,
                    read=lambda paths, **kw: (name, [p.name for p in paths], kw),
                    patterns=patterns,
                    identify=identify,
                    priority=priority,
                )
            ]

    return P()


@pytest.fixture
def pm(empty_plugin_manager):
    pm = empty_plugin_manager
    pm.register(_reader_plugin("alpha", patterns=("*.alpha",), identify=lambda i: i.head(5) == b"ALPHA"), name="a")
    pm.register(_reader_plugin("beta", identify=lambda i: i.head(4) == b"BETA"), name="b")
    pm.register(_reader_plugin("beta2", identify=lambda i: i.head(4) == b"BETA", priority=5), name="b2")
    pm.register(_reader_plugin("gamma", identify=lambda i: i.head(5) == b"GAMMA"), name="g")
    pm.register(_reader_plugin("gamma2", identify=lambda i: i.head(5) == b"GAMMA"), name="g2")
    return pm


def _file(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def test_pattern_then_identify_then_priority(pm, tmp_path):
    assert irisplug.read(_file(tmp_path / "x.alpha", b"ALPHA and more"))[0] == "alpha"  # pattern + identify
    assert irisplug.read(_file(tmp_path / "x.dat", b"ALPHA..."))[0] == "alpha"  # identify
    assert irisplug.read(_file(tmp_path / "y.dat", b"BETA"))[0] == "beta2"  # priority breaks the tie
    with pytest.raises(AmbiguousFormatError, match=r"gamma.*gamma2"):
        irisplug.read(_file(tmp_path / "z.dat", b"GAMMA"))
    with pytest.raises(UnknownFormatError, match="known formats: alpha, beta, beta2, gamma, gamma2") as err:
        irisplug.read(_file(tmp_path / "w.dat", b"nothing"))
    assert err.value.path.endswith("w.dat")


def test_explicit_format_and_kwargs(pm, tmp_path):
    name, files, kw = irisplug.read(_file(tmp_path / "w.dat", b"nothing"), format="gamma", lazy=False)
    assert (name, files, kw) == ("gamma", ["w.dat"], {"lazy": False})
    with pytest.raises(irisplug.UnknownContributionError, match="no reader named 'nope'"):
        irisplug.read(tmp_path / "w.dat", format="nope")


def test_directory_list_and_mixed(pm, tmp_path):
    d = tmp_path / "obs"
    d.mkdir()
    _file(d / "b.alpha", b"")
    _file(d / "a.alpha", b"")
    _file(d / ".hidden", b"ignored")
    assert irisplug.read(d) == ("alpha", ["a.alpha", "b.alpha"], {})
    assert irisplug.read([d / "b.alpha", d / "a.alpha"])[1] == ["b.alpha", "a.alpha"]
    _file(d / "c.dat", b"BETA")
    with pytest.raises(MixedSourceError, match=r"alpha: a\.alpha, b\.alpha; beta2: c\.dat"):
        irisplug.read(d)
    with pytest.raises(SourceNotFoundError):
        irisplug.read(tmp_path / "missing.alpha")


@pytest.mark.parametrize("kind", ["tar.gz", "zip"])
def test_archives_are_unpacked_once(pm, tmp_path, monkeypatch, kind):
    monkeypatch.setenv("IRISPLUG_CACHE_DIR", str(tmp_path / "cache"))
    src = tmp_path / "src"
    src.mkdir()
    _file(src / "one.alpha", b"1")
    _file(src / "two.alpha", b"2")
    archive = tmp_path / f"obs.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(archive, "w") as zf:
            for f in sorted(src.iterdir()):
                zf.write(f, f"obs/{f.name}")
    else:
        with tarfile.open(archive, "w:gz") as tf:
            tf.add(src, arcname="obs")
    assert irisplug.read(archive)[1] == ["one.alpha", "two.alpha"]
    unpacked = list((tmp_path / "cache" / "archives").iterdir())
    assert len(unpacked) == 1
    irisplug.read(archive)
    assert list((tmp_path / "cache" / "archives").iterdir()) == unpacked


def test_corrupt_archive(pm, tmp_path, monkeypatch):
    monkeypatch.setenv("IRISPLUG_CACHE_DIR", str(tmp_path / "cache"))
    src = tmp_path / "one.alpha"
    src.write_bytes(b"x" * 100_000)
    archive = tmp_path / "obs.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(src, arcname="one.alpha")
    archive.write_bytes(archive.read_bytes()[:200])
    with pytest.raises(CorruptFileError, match="cannot unpack archive") as err:
        irisplug.read(archive)
    assert err.value.path == str(archive)
    assert not any((tmp_path / "cache" / "archives").iterdir())  # nothing half-unpacked is kept


def _writer_plugin(fail=False, refuse=False):
    class W:
        @irisplug.hookimpl
        def irisplug_writers(self):
            def write(obj, path, **kw):
                Path(path).write_text(f"{obj.value}")
                if fail:
                    raise RuntimeError("disk full on purpose")
                if refuse:
                    raise UnsupportedObjectError(f"cannot store {obj.value} in {path}", path=path)

            return [
                irisplug.WriterDescriptor(
                    name="box", write=write, extensions=(".box",), accepts=lambda o: isinstance(o, _Box)
                )
            ]

    return W()


def test_write_is_atomic_and_refuses_overwrite(empty_plugin_manager, tmp_path):
    empty_plugin_manager.register(_writer_plugin(), name="w")
    target = tmp_path / "out.box"
    assert irisplug.write(_Box(3), target) == target
    assert target.read_text() == "3"
    with pytest.raises(FileExistsIrisplugError):
        irisplug.write(_Box(4), target)
    irisplug.write(_Box(4), target, overwrite=True)
    assert target.read_text() == "4"
    with pytest.raises(UnknownFormatError, match=r"writers: box \(.box\)"):
        irisplug.write(_Box(1), tmp_path / "out.fits")
    with pytest.raises(UnknownFormatError, match=r"writers for this extension \(box\) do not accept this object"):
        irisplug.write(object(), tmp_path / "other.box")  # accepts() says no
    assert not list(tmp_path.glob("other*"))


def test_failing_writer_leaves_nothing(empty_plugin_manager, tmp_path):
    empty_plugin_manager.register(_writer_plugin(fail=True), name="w")
    target = tmp_path / "out.box"
    target.write_text("old")
    with pytest.raises(irisplug.PluginCallError, match="disk full") as err:  # wrapped, named (issue 16)
        irisplug.write(_Box(5), target, overwrite=True)
    assert isinstance(err.value.__cause__, RuntimeError)
    assert err.value.path == str(target) and err.value.plugin == "w"
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.box"]


def test_writer_error_names_the_target_not_the_temporary_file(empty_plugin_manager, tmp_path):
    empty_plugin_manager.register(_writer_plugin(refuse=True), name="w")
    target = tmp_path / "out.box"
    with pytest.raises(UnsupportedObjectError) as err:
        irisplug.write(_Box(7), target)
    assert err.value.path == str(target)
    assert str(err.value) == f"{target}: cannot store 7 in {target}"
    assert not list(tmp_path.iterdir())


def _calibrators():
    class C:
        @irisplug.hookimpl
        def irisplug_calibrators(self):
            def dark(obj, *, level=0.0):
                return _Box(obj.value - level, obj.meta)  # shares meta on purpose: the core must detach it

            def flat(obj, *, flat=1.0, quiet=False):
                return _Box(obj.value / flat, obj.meta)

            def norm(obj, *, exptime=1.0, quiet=False):
                return _Box(obj.value / exptime, obj.meta)

            return [
                irisplug.CalibratorDescriptor(name="dark", apply=dark, version="1"),
                irisplug.CalibratorDescriptor(name="flat", apply=flat, after=("dark",)),
                irisplug.CalibratorDescriptor(name="norm", apply=norm, after=("flat", "dark"), requires=("dark",)),
                irisplug.CalibratorDescriptor(name="same", apply=lambda obj: obj),
            ]

    return C()


def test_calibration_order_params_and_history(empty_plugin_manager):
    empty_plugin_manager.register(_calibrators(), name="c")
    assert [d.name for d in irisplug.plan_calibration(["norm", "flat", "dark"])] == ["dark", "flat", "norm"]
    box = _Box(10.0)
    out = irisplug.calibrate(
        box, ["flat", "dark", "norm"], dark={"level": 2.0}, flat={"flat": 2.0}, exptime=4.0, quiet=True
    )
    assert out.value == (10.0 - 2.0) / 2.0 / 4.0
    steps = [(r["step"], r["params"]) for r in history(out)]
    assert steps == [
        ("dark", {"level": 2.0}),
        ("flat", {"flat": 2.0, "quiet": True}),
        ("norm", {"exptime": 4.0, "quiet": True}),
    ]
    assert history(out)[0]["plugin"] == "c" and history(out)[0]["version"] == "1"
    assert history(box) == [] and box.value == 10.0  # the input is untouched


def test_a_plugin_places_its_step_before_another_plugins(empty_plugin_manager):
    """``before=`` orders a step in front of steps of a plugin that does not know it (as ``after=`` the other way)."""
    empty_plugin_manager.register(_calibrators(), name="c")

    class Other:
        @irisplug.hookimpl
        def irisplug_calibrators(self):
            def offset(obj, *, by=1.0):
                return _Box(obj.value - by, obj.meta)

            return [irisplug.CalibratorDescriptor(name="offset", apply=offset, before=("flat", "norm"))]

    empty_plugin_manager.register(Other(), name="other")
    with pytest.warns(irisplug.errors.IrisplugWarning, match=r"'offset' before 'flat' \(offset.before\)"):
        plan = irisplug.plan_calibration(["flat", "offset"])
    assert [d.name for d in plan] == ["offset", "flat"]
    # with "dark" too: dark -> flat (flat.after), offset -> flat, offset -> norm (offset.before); the user's order otherwise
    with pytest.warns(irisplug.errors.IrisplugWarning):
        plan = irisplug.plan_calibration(["norm", "flat", "dark", "offset"])
    assert [d.name for d in plan] == ["dark", "offset", "flat", "norm"]
    out = irisplug.calibrate(_Box(10.0), ["offset", "flat"], flat={"flat": 2.0}, by=4.0)
    assert out.value == (10.0 - 4.0) / 2.0
    # a cycle through before= and after= is refused
    class Cycle:
        @irisplug.hookimpl
        def irisplug_calibrators(self):
            return [irisplug.CalibratorDescriptor(name="late", apply=lambda o: _Box(o.value, o.meta),
                                                  after=("flat",), before=("dark",))]

    empty_plugin_manager.register(Cycle(), name="cycle")
    with pytest.raises(CalibrationError, match="cycle"):
        irisplug.plan_calibration(["dark", "flat", "late"])


def test_calibration_errors(empty_plugin_manager):
    empty_plugin_manager.register(_calibrators(), name="c")
    with pytest.raises(CalibrationError, match="requires \\['dark'\\]"):
        irisplug.calibrate(_Box(1.0), ["norm"])
    with pytest.raises(UnknownKeywordError, match="no requested step \\(dark\\) takes the parameter"):
        irisplug.calibrate(_Box(1.0), ["dark"], gain=3)
    with pytest.raises(CalibrationError, match="returned its input"):
        irisplug.calibrate(_Box(1.0), ["same"])
    done = irisplug.calibrate(_Box(1.0), ["dark"])
    assert irisplug.calibrate(done, ["norm"], exptime=2.0).value == 0.5  # requirement met by history


def test_select_by_accepts_and_priority(empty_plugin_manager):
    class V:
        @irisplug.hookimpl
        def irisplug_viewers(self):
            return [
                irisplug.ViewerDescriptor(name="any", view=lambda o, **k: "any"),
                irisplug.ViewerDescriptor(
                    name="arrays", view=lambda o, **k: "arrays", accepts=lambda o: isinstance(o, np.ndarray), priority=1
                ),
            ]

        @irisplug.hookimpl
        def irisplug_coaligners(self):
            return [irisplug.CoalignerDescriptor(name="c", coalign=lambda t, r, **k: (t, r), accepts=lambda t, r: True)]

    empty_plugin_manager.register(V(), name="v")
    assert irisplug.view(np.zeros(2)) == "arrays"
    assert irisplug.view("text") == "any"
    assert irisplug.view(np.zeros(2), viewer="any") == "any"
    assert irisplug.coalign(1, 2) == (1, 2)
    with pytest.raises(irisplug.UnsupportedObjectError, match="no fitter accepts str"):
        irisplug.fit("text")


def test_unknown_files_in_a_directory_are_named_in_a_warning(pm, tmp_path):
    d = tmp_path / "obs"
    d.mkdir()
    _file(d / "a.alpha", b"")
    _file(d / "README.txt", b"notes")
    with pytest.warns(irisplug.UnreadFilesWarning, match=r"1 file\(s\) .* not in any known format .*README\.txt"):
        assert irisplug.read(d) == ("alpha", ["a.alpha"], {})
    with pytest.raises(UnknownFormatError):  # a file the user names must be readable
        irisplug.read([d / "a.alpha", d / "README.txt"])
    only_notes = tmp_path / "notes"
    only_notes.mkdir()
    _file(only_notes / "README.txt", b"notes")
    with pytest.raises(UnknownFormatError, match="no reader recognises any of the 1 files"):
        irisplug.read(only_notes)


def test_a_pattern_match_is_confirmed_by_identify(pm, tmp_path):
    # named like alpha but the header says beta: the header wins
    assert irisplug.read(_file(tmp_path / "x.alpha", b"BETA"))[0] == "beta2"
    # named like alpha, header recognised by nobody: alpha's reader gets it (and its specific errors)
    assert irisplug.read(_file(tmp_path / "y.alpha", b"????"))[0] == "alpha"
