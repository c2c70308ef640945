"""Contract test classes a plugin author subclasses.

One class per contribution kind: :class:`ReaderContract`,
:class:`WriterContract`, :class:`CalibratorContract`,
:class:`FitterContract`, :class:`CoalignerContract`,
:class:`ViewerContract`. They check the model contract of
:mod:`irisplug.model.kinds` (what a reader returns is an object of one of
the model's kinds; calibrators keep the kind; fitters return fit results
shaped like the input's spatial axes; co-aligners return the target's kind
with its data untouched; every ``accepts`` refuses foreign objects with a
reason).

Examples
--------
In a plugin's tests::

    from irisplug.testing import ReaderContract

    class TestMyReader(ReaderContract):
        reader = "my-format"

        @pytest.fixture
        def own_samples(self, tmp_path):
            return [make_sample(tmp_path)]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from irisplug.testing.checks import check_cube, check_model, iter_cubes

__all__ = [
    "ReaderContract",
    "WriterContract",
    "CalibratorContract",
    "FitterContract",
    "CoalignerContract",
    "ViewerContract",
    "make_foreign_samples",
]

#: an object no contribution may accept
FOREIGN_OBJECT = object()


def _descriptor(kind: str, name: str) -> Any:
    from irisplug.plugin_manager import get_plugin_manager

    assert name, f"set the {kind} name on the contract class"
    return get_plugin_manager().get(kind, name)


def _assert_refuses(desc: Any, *objs: Any) -> None:
    """``desc.accepts`` refuses ``objs`` and says why (an :class:`irisplug.model.Verdict` with a reason)."""
    if desc.accepts is None:
        pytest.fail(f"{desc.kind} {desc.name!r} has no accepts: dispatch cannot tell what it takes")
    verdict = desc.resolve("accepts")(*objs)
    assert not verdict, f"{desc.kind} {desc.name!r} accepts {', '.join(type(o).__name__ for o in objs)}"
    reason = getattr(verdict, "reason", "")
    assert isinstance(reason, str) and reason.strip(), (
        f"{desc.kind} {desc.name!r} refuses without a reason: return irisplug.model.Verdict(False, why) "
        "(irisplug.model.accepting builds one from kinds)")


def _parts(obj: Any) -> list[Any]:
    """The cubes of ``obj``, or ``[obj]`` for a sunpy Map."""
    try:
        return list(iter_cubes(obj))
    except TypeError:
        return [obj]


def _snapshot(obj: Any) -> list[Any]:
    import numpy as np

    return [np.array(c.data, copy=True) for c in _parts(obj)]


def _assert_unchanged(obj: Any, before: list[Any], what: str) -> None:
    import numpy as np

    after = [np.asarray(c.data) for c in _parts(obj)]
    assert len(after) == len(before)
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b, err_msg=f"the {what} changed its input's data")


def make_foreign_samples(directory: Path) -> list[Path]:
    """Files of other kinds that a reader must not claim: a plain FITS image, a text file, an HDF5 file."""
    import numpy as np
    from astropy.io import fits

    directory.mkdir(parents=True, exist_ok=True)
    fits_path = directory / "foreign_image.fits"
    hdu = fits.PrimaryHDU(np.arange(12, dtype=">f4").reshape(3, 4))
    hdu.header["TELESCOP"] = "NOT-A-SPECTROGRAPH"
    hdu.writeto(fits_path, overwrite=True)
    text = directory / "foreign.txt"
    text.write_text("just some text\n")
    out = [fits_path, text]
    try:
        import h5py
    except ImportError:
        return out
    import h5py

    h5 = directory / "foreign.h5"
    with h5py.File(h5, "w") as f:
        f["x"] = np.zeros(3)
    out.append(h5)
    return out


class ReaderContract:
    """Tests every reader must pass. Set ``reader`` and provide ``own_samples``."""

    #: the reader's name
    reader: str = ""

    @pytest.fixture
    def own_samples(self) -> list[Path]:
        """Files this reader must identify and read (override)."""
        raise NotImplementedError("override the own_samples fixture")

    @pytest.fixture
    def foreign_samples(self, tmp_path: Path) -> list[Path]:
        """Files this reader must not identify (override to add more)."""
        return make_foreign_samples(tmp_path / "foreign")

    def _descriptor(self) -> Any:
        from irisplug.plugin_manager import get_plugin_manager

        return get_plugin_manager().get("reader", self.reader)

    def test_identify_own_samples(self, own_samples: list[Path]) -> None:
        from irisplug.fileinfo import FileInfo

        d = self._descriptor()
        if d.identify is None:
            pytest.skip("reader has no identify (patterns only)")
        for p in own_samples:
            assert d.resolve("identify")(FileInfo(p)), f"{self.reader} does not identify its own sample {p}"

    def test_identify_rejects_foreign_samples(self, foreign_samples: list[Path]) -> None:
        from irisplug.fileinfo import FileInfo

        d = self._descriptor()
        if d.identify is None:
            pytest.skip("reader has no identify (patterns only)")
        for p in foreign_samples:
            assert not d.resolve("identify")(FileInfo(p)), f"{self.reader} claims the foreign file {p}"

    def test_dispatch_chooses_this_reader(self, own_samples: list[Path]) -> None:
        import irisplug

        for p in own_samples:
            assert irisplug.choose_reader(p).name == self.reader

    def test_read_returns_cubes_with_wcs_and_units(self, own_samples: list[Path]) -> None:
        import irisplug

        for p in own_samples:
            obj = irisplug.read(p)
            cubes = list(iter_cubes(obj))
            assert cubes, f"{self.reader} returned no cube for {p}"
            for cube in cubes:
                check_cube(cube)

    #: data-quality meta keys (irisplug.model.levels) every cube of a kind must carry, as
    #: ``(kind, keys)`` pairs, e.g. ``(("spectral-cube", ("missing_value", "instrumental_fwhm")),)``
    required_levels: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def test_read_returns_objects_of_the_model(self, own_samples: list[Path]) -> None:
        """Every object read is of a model kind (axis order, physical types, units, data-quality meta)."""
        import irisplug
        from irisplug.model import kind_of

        for p in own_samples:
            obj = irisplug.read(p)
            check_model(obj)
            for cube in iter_cubes(obj):
                kind = kind_of(cube).kind
                for key in dict(self.required_levels).get(kind.value, ()):
                    assert key in (cube.meta or {}), f"{self.reader}: a {kind.value} of {p} lacks meta[{key!r}]"

    def test_observation_windows_carry_their_labels(self, own_samples: list[Path]) -> None:
        """Every cube under key ``K`` of an Observation says ``window_label(cube) == K`` (meta ``window``).

        Line templates are declared by window label and viewers title by it: a cube taken out of its observation
        (``obs[K]``, ``obs[K][0]``, a slice of it) must still say which window it is.
        """
        import irisplug
        from irisplug.model import Observation, window_label

        seen = 0
        for p in own_samples:
            obj = irisplug.read(p)
            if not isinstance(obj, Observation):
                continue
            for key in obj:
                window = obj[key]
                assert window_label(window) == key, f"{self.reader}: window {key!r} of {p} says {window_label(window)!r}"
                for cube in iter_cubes(window):
                    assert window_label(cube) == key, f"{self.reader}: a cube of {key!r} in {p} says {window_label(cube)!r}"
                    seen += 1
        if not seen:
            pytest.skip("this reader returns no Observation")

    def test_describes_the_observation(self, own_samples: list[Path]) -> None:
        """Every cube read names its observation (meta ``observation_id``, :mod:`irisplug.model.description`).

        ``repr`` and ``print`` of an Observation show it, and every cube of the Observation says the same: a cube
        taken out of it, a fit's maps, a dataset row and an xarray Dataset all carry it. ``summary_keys`` (what
        ``print`` lists), where given, is a sequence of meta keys.
        """
        import irisplug
        from irisplug.model import SUMMARY_KEYS, Observation, observation_id

        for p in own_samples:
            obj = irisplug.read(p)
            cubes = list(iter_cubes(obj))
            for cube in cubes:
                oid = observation_id(cube)
                assert oid, f"{self.reader}: a cube of {p} has no meta['observation_id']"
                keys = (cube.meta or {}).get(SUMMARY_KEYS, ())
                assert isinstance(keys, (list, tuple)) and all(isinstance(k, str) for k in keys), \
                    f"{self.reader}: meta['summary_keys'] of a cube of {p} is {keys!r}, not a sequence of keys"
            if isinstance(obj, Observation):
                oid = observation_id(obj)
                assert oid and oid in repr(obj) and oid in str(obj).splitlines()[0], \
                    f"{self.reader}: the Observation of {p} does not show its observation_id {oid!r}"
                other = {observation_id(c) for c in cubes} - {oid}
                assert not other, f"{self.reader}: cubes of the Observation of {p} say {sorted(other)}, it says {oid!r}"

    def test_window_table_describes_the_data(self, own_samples: list[Path]) -> None:
        """``Observation.windows``: the rows a reader gives before building (``Deferred`` summaries) equal those of
        the built objects, and a window's wavelength range is its data's (from the centres of its first and last
        pixels to their outer edges, 1e-6 A) or, for an image without a spectral axis, a finite passband
        (``WAVEMIN``/``WAVEMAX`` or ``passband``)."""
        import astropy.units as u
        import numpy as np

        import irisplug
        from irisplug.model import Observation

        seen = 0
        for p in own_samples:
            obj = irisplug.read(p)
            if not isinstance(obj, Observation):
                continue
            before = obj.windows
            built = Observation({k: obj[k] for k in obj}, meta=dict(obj.meta)).windows
            for r0, r1 in zip(before, built, strict=True):
                label = r1["label"]
                for col in ("label", "kind", "detector", "shape", "n_files"):
                    assert r0[col] == r1[col], f"{self.reader}: {p} window {label!r}: {col} {r0[col]!r} before " \
                                               f"building, {r1[col]!r} built"
                np.testing.assert_allclose([r0["wave_min"], r0["wave_max"]], [r1["wave_min"], r1["wave_max"]],
                                           rtol=1e-12, err_msg=f"{self.reader}: {p} window {label!r}")
                cube = next(iter_cubes(obj[label]))
                spectral = any("em.wl" in t for t in cube.wcs.world_axis_physical_types)
                assert (r1["kind"] == "spectrograph") == spectral, \
                    f"{self.reader}: {p} window {label!r} is a {r1['kind']!r} with world axes " \
                    f"{cube.wcs.world_axis_physical_types}"
                if spectral:
                    # the data's extent: from the first and last pixels' centres to their outer edges (SOLARNET's
                    # WAVEMIN/WAVEMAX), whatever the reader's convention between the two
                    waves = np.sort(np.unique(np.asarray(u.Quantity(cube.axis_world_coords_values("em.wl")[0])
                                                         .to_value(u.AA))))
                    lo_step, hi_step = (waves[1] - waves[0], waves[-1] - waves[-2]) if waves.size > 1 else (0.0, 0.0)
                    lo, hi, tol = r1["wave_min"], r1["wave_max"], 1e-6
                    assert waves[0] - lo_step / 2 - tol <= lo <= waves[0] + tol and \
                        waves[-1] - tol <= hi <= waves[-1] + hi_step / 2 + tol, \
                        f"{self.reader}: {p} window {label!r}: the table says {lo}-{hi} A, the data cover " \
                        f"{waves[0]}-{waves[-1]} A (pixel centres)"
                else:
                    assert r1["wave_min"] < r1["wave_max"], \
                        f"{self.reader}: {p} image {label!r} has no passband ({r1['wave_min']}-{r1['wave_max']})"
                seen += 1
        if not seen:
            pytest.skip("this reader returns no Observation")

    def test_viewers_that_accept_what_it_reads_show_it(self, own_samples: list[Path], tmp_path: Path) -> None:
        """Every viewer dispatch may choose (priority above 0) that accepts what this reader returns draws it.

        A viewer that accepts an object and then fails on it (the raster quick-look took IUVS cubes, the slit-jaw
        viewer SHOW frames, and both raised "no helioprojective longitude and latitude") leaves a user with no
        picture and a misleading error; ``accepts`` is where a viewer says what it cannot draw.
        """
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        import irisplug

        def view(obj: Any, name: str) -> None:
            try:
                irisplug.view(obj, viewer=name, out=tmp_path / f"{name}.png")
            finally:
                plt.close("all")

        self._accepting_run_or_refuse(own_samples, "viewer", view, refusal_ok=False)

    def _accepting_run_or_refuse(self, own_samples: list[Path], kind: str, call: Any, refusal_ok: bool = True) -> None:
        """``call(obj, name)`` for every ``kind`` contribution that accepts what this reader returns: it returns, or
        (``refusal_ok``) raises a specific IrisplugError; never a raw exception, nor one from inside the plugin
        (PluginCallError). Viewers dispatch chooses on its own (priority 0: by name only) are the ones run."""
        import irisplug
        from irisplug.errors import IrisplugError, PluginCallError
        from irisplug.plugin_manager import get_plugin_manager

        contributions = [d for d in get_plugin_manager().contributions(kind).values()
                         if kind != "viewer" or d.priority > 0]
        for p in own_samples[:2]:
            obj = irisplug.read(p)
            for d in contributions:
                if d.accepts is not None and not d.resolve("accepts")(obj):
                    continue
                try:
                    call(obj, d.name)
                except PluginCallError as exc:
                    pytest.fail(f"{kind} {d.name!r} accepts what {self.reader} reads from {p} but crashes: {exc}")
                except IrisplugError as exc:
                    if not refusal_ok:  # a viewer that accepts an object draws it
                        pytest.fail(f"{kind} {d.name!r} accepts what {self.reader} reads from {p} but fails on it: "
                                    f"{type(exc).__name__}: {exc}")
                    # else a specific refusal the user can act on (pass window=, template=, darks=, ...)
                except Exception as exc:  # noqa: BLE001 - reported with the contribution and the file
                    pytest.fail(f"{kind} {d.name!r} on what {self.reader} reads from {p}: raw "
                                f"{type(exc).__name__}: {exc}")

    def test_fitters_that_accept_what_it_reads_fit_or_refuse_specifically(self, own_samples: list[Path]) -> None:
        """Every fitter that accepts what this reader returns fits it, or refuses with a specific IrisplugError.

        ``irisplug.fit(iuvs_product, method="moments")`` raised a wrapped ``IndexError`` ("Cannot slice unless
        collection has aligned axes"): the fitter accepted a collection it then indexed with ``window=None``.
        """
        import irisplug

        self._accepting_run_or_refuse(own_samples, "fitter", lambda obj, name: irisplug.fit(obj, method=name))

    def test_calibrators_that_accept_what_it_reads_calibrate_or_refuse_specifically(self,
                                                                                   own_samples: list[Path]) -> None:
        """Every calibrator that accepts what this reader returns applies its step, or refuses with a specific
        IrisplugError (``bad-pixel`` on a SHOW file's collection raised a raw ``TypeError`` recording its history).
        """
        import irisplug

        self._accepting_run_or_refuse(own_samples, "calibrator", lambda obj, name: irisplug.calibrate(obj, [name]))

    def test_to_xarray_of_what_it_reads(self, own_samples: list[Path]) -> None:
        """``irisplug.model.to_xarray`` of what this reader returns converts it, or refuses with a specific
        IrisplugError (a SHOW file's groups and an IUVS product raised xarray's raw "conflicting sizes for
        dimension"); each node of a DataTree holds its member's data."""
        import numpy as np

        pytest.importorskip("xarray")
        import irisplug
        from irisplug.errors import IrisplugError
        from irisplug.model import to_xarray

        for p in own_samples[:2]:
            obj = irisplug.read(p)
            try:
                out = to_xarray(obj)
            except IrisplugError:
                continue
            except Exception as exc:  # noqa: BLE001 - reported with the file
                pytest.fail(f"to_xarray of what {self.reader} reads from {p}: raw {type(exc).__name__}: {exc}")
            if hasattr(out, "children") and out.children:
                for key, node in out.children.items():
                    member = obj[key]
                    if hasattr(member, "wcs"):
                        np.testing.assert_array_equal(np.asarray(node.dataset["data"].values),
                                                      np.asarray(member.data), err_msg=f"{self.reader}: node {key}")


class WriterContract:
    """Round-trip test every writer must pass. Set ``writer``, ``suffix`` and provide ``sample_object``."""

    writer: str = ""
    suffix: str = ".fits"

    @pytest.fixture
    def sample_object(self) -> Any:
        """An object the writer accepts (override)."""
        raise NotImplementedError("override the sample_object fixture")

    def test_round_trip(self, sample_object: Any, tmp_path: Path) -> None:
        import numpy as np

        import irisplug

        path = tmp_path / f"roundtrip{self.suffix}"
        irisplug.write(sample_object, path, format=self.writer)
        back = irisplug.read(path)
        before, after = list(iter_cubes(sample_object)), list(iter_cubes(back))
        assert len(before) == len(after)
        for a, b in zip(before, after, strict=True):
            np.testing.assert_array_equal(np.asarray(a.data), np.asarray(b.data))
            assert a.unit == b.unit
            if a.mask is not None:
                np.testing.assert_array_equal(np.asarray(a.mask), np.asarray(b.mask))
            ua, ub = getattr(a, "uncertainty", None), getattr(b, "uncertainty", None)
            assert (ua is None) == (ub is None), "the uncertainty was dropped (or invented) by the round trip"
            if ua is not None:
                assert type(ub) is type(ua)
                np.testing.assert_array_equal(np.asarray(ua.array), np.asarray(ub.array))
            corner = [s - 1 for s in a.data.shape][::-1]
            wa = a.wcs.pixel_to_world_values(*corner)
            wb = b.wcs.pixel_to_world_values(*corner)
            np.testing.assert_allclose(np.atleast_1d(wa).astype(float), np.atleast_1d(wb).astype(float), rtol=1e-12)

    def test_uncertainty_kept_or_refused(self, sample_object: Any, tmp_path: Path) -> None:
        """A cube's uncertainty comes back, or the write is refused: never silently dropped."""
        import copy

        import numpy as np
        from astropy.nddata import StdDevUncertainty
        from ndcube import NDCube

        import irisplug
        from irisplug.errors import UnsupportedObjectError

        if not isinstance(sample_object, NDCube):
            pytest.skip("sample_object is not a single NDCube")
        noisy = copy.copy(sample_object)
        noisy._uncertainty = None
        sigma = np.linspace(0.5, 1.5, int(np.prod(noisy.data.shape)), dtype=np.float32).reshape(noisy.data.shape)
        noisy.uncertainty = StdDevUncertainty(sigma)
        path = tmp_path / f"noisy{self.suffix}"
        try:
            irisplug.write(noisy, path, format=self.writer)
        except UnsupportedObjectError:
            assert not path.exists()
            return
        back = next(iter(iter_cubes(irisplug.read(path))))
        assert isinstance(back.uncertainty, StdDevUncertainty)
        np.testing.assert_array_equal(np.asarray(back.uncertainty.array), sigma)

    def test_refuses_to_overwrite(self, sample_object: Any, tmp_path: Path) -> None:
        import irisplug
        from irisplug.errors import FileExistsIrisplugError

        path = tmp_path / f"exists{self.suffix}"
        path.write_bytes(b"keep me")
        with pytest.raises(FileExistsIrisplugError):
            irisplug.write(sample_object, path, format=self.writer)
        assert path.read_bytes() == b"keep me"


class CalibratorContract:
    """Tests every calibration step must pass. Set ``step``; provide ``sample_object`` (and ``params``).

    Checks that the step accepts the sample and refuses a foreign object with
    a reason, returns a new object of the same model kind and shape without
    changing its input, and records itself in the provenance.
    """

    step: str = ""

    @pytest.fixture
    def sample_object(self) -> Any:
        """An object the step accepts (override)."""
        raise NotImplementedError("override the sample_object fixture")

    @pytest.fixture
    def params(self) -> dict[str, Any]:
        """Parameters of ``irisplug.calibrate`` for the step (override when it needs some)."""
        return {}

    def test_accepts_sample_and_refuses_foreign(self, sample_object: Any) -> None:
        d = _descriptor("calibrator", self.step)
        assert d.accepts is None or d.resolve("accepts")(sample_object), f"step {self.step!r} refuses its own sample"
        _assert_refuses(d, FOREIGN_OBJECT)

    def test_new_object_of_the_same_kind(self, sample_object: Any, params: dict[str, Any]) -> None:
        import numpy as np

        import irisplug
        from irisplug.model import kind_of

        before = _snapshot(sample_object)
        out = irisplug.calibrate(sample_object, [self.step], **params)
        assert out is not sample_object
        _assert_unchanged(sample_object, before, f"step {self.step!r}")
        assert kind_of(out).kind == kind_of(sample_object).kind, "calibration changed the object's model kind"
        assert [np.shape(c.data) for c in _parts(out)] == [b.shape for b in before]
        assert self.step in [r.get("step") for r in irisplug.history(out)], "the step is not in the provenance"


class FitterContract:
    """Tests every fitter must pass. Set ``fitter``; provide ``sample_object`` (and ``fit_kwargs``).

    Checks that the fitter accepts the sample (spectra, a spectral cube or a
    raster sequence) and refuses a foreign object with a reason, leaves its
    input alone, and returns fit results (``Kind.FIT_RESULTS``) whose maps
    have the input's shape without its spectral (last) axis.
    """

    fitter: str = ""

    @pytest.fixture
    def sample_object(self) -> Any:
        """A spectral object the fitter accepts (override)."""
        raise NotImplementedError("override the sample_object fixture")

    @pytest.fixture
    def fit_kwargs(self) -> dict[str, Any]:
        """Keywords of ``irisplug.fit`` (override, e.g. ``{"template": "peak"}``)."""
        return {}

    def test_accepts_sample_and_refuses_foreign(self, sample_object: Any) -> None:
        d = _descriptor("fitter", self.fitter)
        assert d.accepts is None or d.resolve("accepts")(sample_object), f"fitter {self.fitter!r} refuses its own sample"
        _assert_refuses(d, FOREIGN_OBJECT)

    def test_fit_results_shaped_like_the_input(self, sample_object: Any, fit_kwargs: dict[str, Any]) -> None:
        import numpy as np

        import irisplug
        from irisplug.model import Kind, kind_of

        before = _snapshot(sample_object)
        result = irisplug.fit(sample_object, method=self.fitter, **fit_kwargs)
        _assert_unchanged(sample_object, before, f"fitter {self.fitter!r}")
        c = kind_of(result)
        assert c.kind is Kind.FIT_RESULTS, f"fitter {self.fitter!r} returned {type(result).__name__}: {c.reason}"
        collections = result if isinstance(result, (list, tuple)) else [result]
        inputs = [b.shape[:-1] for b in before]
        assert len(collections) == len(inputs), "one fit-result collection per input cube"
        for coll, shape in zip(collections, inputs, strict=True):
            for name in coll.keys():
                assert np.shape(coll[name].data) == shape, f"map {name!r} is {np.shape(coll[name].data)}, input {shape}"


class CoalignerContract:
    """Tests every co-aligner must pass. Set ``coaligner``; provide ``target``, ``reference`` (and ``coalign_kwargs``).

    Checks that it accepts the pair and refuses a foreign target with a
    reason, and returns a new object of the target's kind and data (only the
    world coordinates may change), leaving the target alone.
    """

    coaligner: str = ""

    @pytest.fixture
    def target(self) -> Any:
        raise NotImplementedError("override the target fixture")

    @pytest.fixture
    def reference(self) -> Any:
        raise NotImplementedError("override the reference fixture")

    @pytest.fixture
    def coalign_kwargs(self) -> dict[str, Any]:
        return {}

    def test_accepts_pair_and_refuses_foreign(self, target: Any, reference: Any) -> None:
        d = _descriptor("coaligner", self.coaligner)
        assert d.accepts is None or d.resolve("accepts")(target, reference), f"co-aligner {self.coaligner!r} refuses its own pair"
        _assert_refuses(d, FOREIGN_OBJECT, reference)

    def test_same_kind_and_data(self, target: Any, reference: Any, coalign_kwargs: dict[str, Any]) -> None:
        import numpy as np

        import irisplug
        from irisplug.model import kind_of

        before = _snapshot(target)
        out = irisplug.coalign(target, reference, method=self.coaligner, **coalign_kwargs)
        assert out is not target
        assert kind_of(out).kind == kind_of(target).kind, "co-alignment changed the object's model kind"
        _assert_unchanged(target, before, f"co-aligner {self.coaligner!r}")
        for a, b in zip(before, _snapshot(out), strict=True):
            np.testing.assert_array_equal(a, b, err_msg="co-alignment changed the data (only the WCS may change)")


class ViewerContract:
    """Tests every viewer must pass. Set ``viewer``; provide ``sample_object`` (and ``view_kwargs``).

    Checks that it accepts the sample and refuses a foreign object with a
    reason, returns something, and writes the file named by ``out`` when the
    keywords give one. Runs with matplotlib's Agg backend.
    """

    viewer: str = ""

    @pytest.fixture
    def sample_object(self) -> Any:
        raise NotImplementedError("override the sample_object fixture")

    @pytest.fixture
    def view_kwargs(self, tmp_path: Path) -> dict[str, Any]:
        """Keywords of ``irisplug.view``; by default ``out`` a PNG in a temporary directory."""
        return {"out": tmp_path / "view.png"}

    def test_accepts_sample_and_refuses_foreign(self, sample_object: Any) -> None:
        d = _descriptor("viewer", self.viewer)
        assert d.accepts is None or d.resolve("accepts")(sample_object), f"viewer {self.viewer!r} refuses its own sample"
        _assert_refuses(d, FOREIGN_OBJECT)

    def test_view_writes_its_output(self, sample_object: Any, view_kwargs: dict[str, Any]) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        import irisplug

        try:
            result = irisplug.view(sample_object, viewer=self.viewer, **view_kwargs)
            assert result is not None, f"viewer {self.viewer!r} returned None"
            out = view_kwargs.get("out")
            if out is not None:
                assert Path(out).exists() and Path(out).stat().st_size > 0, f"viewer {self.viewer!r} wrote no {out}"
        finally:
            plt.close("all")
