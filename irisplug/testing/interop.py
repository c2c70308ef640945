"""The interoperability contract: the ndcube / sunpy / sunraster operations users reach for, on a reader's output.

:class:`InteropContract` reads a sample with a reader and runs, on up to
``max_cubes`` of the cubes it returns: slicing, ``axis_world_coords``,
``world_to_pixel`` through ``wcs`` and ``combined_wcs``, ``crop`` by
SkyCoord / SpectralCoord / Time, ``crop_by_values``, ``rebin``,
``reproject_to``, ``plot`` (Agg), ``to_map`` for images, sunraster's
``apply_exposure_time_correction`` for spectrogram cubes and a write / read
round trip through :func:`irisplug.write` / :func:`irisplug.read`.

Where it can, each test compares with ndcube on a *plain* ``NDCube`` built
from the same data and WCS (``NDCube(numpy data, wcs=cube.wcs)``), so a cube
class that claims to be an NDCube must give what ndcube gives. An operation
that does not apply (no celestial axis: no SkyCoord crop, no map) is skipped
with the reason. An upstream bug is declared in ``upstream_xfails`` (test
name -> reason naming the upstream issue): the test is then a strict xfail,
so it turns into a failure when the upstream fix lands.

Examples
--------
In a plugin's tests::

    import pytest
    from irisplug.testing import InteropContract

    class TestMyReaderInterop(InteropContract):
        reader = "my-format"
        upstream_xfails = {"test_world_to_pixel_through_combined_wcs":
                           "constant lookup tables have no inverse: sunpy/ndcube#416"}

        @pytest.fixture(scope="class")
        @classmethod
        def sample(cls, tmp_path_factory):
            return make_sample(tmp_path_factory.mktemp("interop"))
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

__all__ = ["InteropContract"]


def _keys(cube: Any) -> list[str]:
    """The high-level world objects of ``cube.wcs`` in the order ``crop`` takes them."""
    from irisplug.model.operations import world_object_keys

    return world_object_keys(cube.wcs)


def _plain(cube: Any, data: Any = None) -> Any:
    import numpy as np
    from ndcube import NDCube

    mask = None if cube.mask is None else np.asarray(cube.mask)
    return NDCube(np.asarray(cube.data if data is None else data), wcs=cube.wcs, unit=cube.unit, mask=mask)


def _object_index(cube: Any, klass_name: str) -> int | None:
    """Index (in ``_keys`` order) of the world object whose class is named ``klass_name``."""
    classes = getattr(cube.wcs, "low_level_wcs", cube.wcs).world_axis_object_classes
    for i, key in enumerate(_keys(cube)):
        # astropy's FITS WCS declares the spectral object as a Quantity built into a SpectralCoord
        if classes[key][0].__name__ == klass_name or (klass_name == "SpectralCoord" and key == "spectral"):
            return i
    return None


def _sample_pixels(cube: Any) -> list[tuple[float, ...]]:
    """A few pixel positions (pixel order) inside the cube: near the corners and the middle, one fractional."""
    shape = cube.data.shape[::-1]
    pts = [tuple(0.0 for _ in shape), tuple(float(n - 1) for n in shape), tuple(float(n // 2) for n in shape),
           tuple(min(n - 1, 1) + 0.25 * (n > 1) for n in shape)]
    return pts


def _time_axis(cube: Any) -> int | None:
    """The array axis carrying the time world axis alone (None when there is none)."""
    import numpy as np

    low = cube.wcs.low_level_wcs
    types = list(low.world_axis_physical_types)
    if "time" not in types:
        return None
    pix = np.flatnonzero(np.asarray(low.axis_correlation_matrix)[types.index("time")])
    return None if len(pix) != 1 else cube.data.ndim - 1 - int(pix[0])


def _image_of(cube: Any) -> Any | None:
    """A 2-D cut of ``cube`` whose two axes are celestial (None when it has none)."""
    def celestial_2d(c: Any) -> bool:
        types = c.array_axis_physical_types
        return len(types) == 2 and all(any("pos.helioprojective" in t for t in ax) for ax in types)

    if cube.data.ndim == 2:
        return cube if celestial_2d(cube) else None
    if cube.data.ndim != 3:
        return None
    for item in ((0,), (slice(None), slice(None), cube.data.shape[2] // 2)):
        cut = cube[item]
        if celestial_2d(cut):
            return cut
    return None


def _timed_cubes(cubes: list[Any], at_least: int) -> Iterator[tuple[Any, int, int, Any]]:
    """``(cube, time object index, time array axis, exposure times)`` of the cubes with a time axis of
    ``at_least`` exposures (the times: a plain NDCube's own, the reference)."""
    for cube in cubes:
        t, axis = _object_index(cube, "Time"), _time_axis(cube)
        if t is None or axis is None or cube.data.shape[axis] < at_least:
            continue
        yield cube, t, axis, _plain(cube).axis_world_coords("time")[0]


class InteropContract:
    """ndcube / sunpy / sunraster operations every reader's cubes must support. Set ``reader``; provide ``sample``.

    ``sample`` (a class-scoped fixture, a classmethod) returns what ``irisplug.read`` takes
    (a path or a list of paths). ``upstream_xfails`` maps test names to the
    upstream issue that makes them fail (strict xfails).
    """

    #: the reader's name (``irisplug.read(..., format=reader)``)
    reader: str = ""
    #: the number of cubes of the reader's output the tests run on
    max_cubes: int = 3
    #: test name -> reason naming the upstream issue; such a test must fail (strict xfail)
    upstream_xfails: ClassVar[dict[str, str]] = {}

    @pytest.fixture(scope="class")
    @classmethod
    def sample(cls) -> Any:
        """What ``irisplug.read`` reads (override; class-scoped, e.g. with ``tmp_path_factory``)."""
        raise NotImplementedError("override the sample fixture")

    @pytest.fixture(scope="class")
    @classmethod
    def cubes(cls, sample: Any) -> list[Any]:
        """Up to ``max_cubes`` NDCubes of the reader's output."""
        import irisplug
        from irisplug.testing.checks import iter_cubes

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obj = irisplug.read(sample, format=cls.reader) if cls.reader else irisplug.read(sample)
        found = list(iter_cubes(obj))[: cls.max_cubes]
        assert found, f"{cls.reader}: no NDCube in what it read from {sample}"
        return found

    @pytest.fixture(autouse=True)
    def _upstream_xfail(self, request: pytest.FixtureRequest) -> None:
        reason = self.upstream_xfails.get(request.node.originalname)
        if reason:
            request.applymarker(pytest.mark.xfail(reason=reason, strict=True))

    # ---- coordinates ------------------------------------------------------------------
    def test_slicing(self, cubes: list[Any]) -> None:
        """``cube[item]`` holds the data and the world coordinates of those pixels."""
        import numpy as np

        for cube in cubes:
            item = tuple(slice(1, min(n, 4)) if n > 2 else slice(None) for n in cube.data.shape)
            sub = cube[item]
            np.testing.assert_array_equal(np.asarray(sub.data), np.asarray(cube.data)[item])
            start = [s.start or 0 for s in item][::-1]
            got = np.atleast_1d(sub.wcs.low_level_wcs.pixel_to_world_values(*([0.0] * sub.data.ndim)))
            want = np.atleast_1d(cube.wcs.low_level_wcs.pixel_to_world_values(*[float(s) for s in start]))
            np.testing.assert_allclose(np.asarray(got, float), np.asarray(want, float), rtol=1e-12, atol=1e-12)
            one = cube[0]
            np.testing.assert_array_equal(np.asarray(one.data), np.asarray(cube.data)[0])

    def test_axis_world_coords(self, cubes: list[Any]) -> None:
        """``axis_world_coords(_values)`` equal ndcube's on a plain NDCube with the same WCS."""
        import numpy as np
        from astropy.coordinates import SkyCoord

        for cube in cubes:
            plain = _plain(cube)
            for a, b in zip(cube.axis_world_coords_values(), plain.axis_world_coords_values(), strict=True):
                np.testing.assert_allclose(a.value, b.to_value(a.unit), rtol=1e-12, atol=0, equal_nan=True)
            ours, theirs = cube.axis_world_coords(), plain.axis_world_coords()
            assert [type(o).__name__ for o in ours] == [type(o).__name__ for o in theirs]
            for a, b in zip(ours, theirs, strict=True):
                assert np.shape(a) == np.shape(b)
                if isinstance(a, SkyCoord):
                    np.testing.assert_allclose(a.spherical.lon.deg, b.spherical.lon.deg, rtol=0, atol=1e-12)
                    np.testing.assert_allclose(a.spherical.lat.deg, b.spherical.lat.deg, rtol=0, atol=1e-12)

    def _roundtrip(self, wcs: Any, pixels: list[tuple[float, ...]]) -> None:
        import numpy as np

        for pix in pixels:
            world = wcs.pixel_to_world(*pix)
            world = world if isinstance(world, (list, tuple)) else [world]
            back = wcs.world_to_pixel(*world)
            back = back if isinstance(back, (list, tuple)) else [back]
            np.testing.assert_allclose(np.asarray(back, float)[: len(pix)], np.asarray(pix), atol=1e-6,
                                       err_msg=f"world_to_pixel(pixel_to_world({pix}))")

    def test_world_to_pixel_through_wcs(self, cubes: list[Any]) -> None:
        for cube in cubes:
            self._roundtrip(cube.wcs, _sample_pixels(cube))

    def test_world_to_pixel_through_combined_wcs(self, cubes: list[Any]) -> None:
        """Through ``combined_wcs`` (the WCS plus the extra coordinates, ndcube's lookup tables)."""
        for cube in cubes:
            self._roundtrip(cube.combined_wcs, _sample_pixels(cube))

    # ---- cropping -----------------------------------------------------------------------
    def _edges(self, cube: Any) -> tuple[Any, Any] | None:
        t = _object_index(cube, "Time")
        if t is None:
            return None
        times = _plain(cube).axis_world_coords("time")[0]
        return times.ravel()[0], times.ravel()[-1]

    def _crop_with(self, cube: Any, klass: str, lo_pix: tuple[float, ...], hi_pix: tuple[float, ...]) -> None:
        """Crop by one kind of world object alone; compare with a plain NDCube given every time explicitly."""
        import numpy as np

        i = _object_index(cube, klass)
        keys = _keys(cube)
        lo = cube.wcs.pixel_to_world(*lo_pix)
        hi = cube.wcs.pixel_to_world(*hi_pix)
        lo, hi = (lo if isinstance(lo, (list, tuple)) else [lo]), (hi if isinstance(hi, (list, tuple)) else [hi])
        pts = [tuple(p[j] if j == i else None for j in range(len(keys))) for p in (lo, hi)]
        got = cube.crop(*pts)
        # the reference: ndcube on a plain cube; a time left None stands for the first and the last exposure
        # when the coordinate depends on the exposure axis (ndcube needs it explicitly there)
        t = _object_index(cube, "Time")
        edges = self._edges(cube)
        full = pts
        if t is not None and t != i and klass == "SkyCoord" and edges is not None:
            full = [tuple(e if j == t else v for j, v in enumerate(p)) for p in pts for e in edges]
        want = _plain(cube).crop(*full)
        np.testing.assert_array_equal(np.asarray(got.data), np.asarray(want.data))

    def test_crop_by_skycoord(self, cubes: list[Any]) -> None:
        ran = False
        for cube in cubes:
            if _object_index(cube, "SkyCoord") is None:
                continue
            shape = cube.data.shape[::-1]
            self._crop_with(cube, "SkyCoord", tuple(float(n // 4) for n in shape),
                            tuple(float(max(n // 4 + 1, 3 * n // 4)) for n in shape))
            ran = True
        if not ran:
            pytest.skip("no celestial world axis in these cubes")

    def test_crop_by_spectral_coord(self, cubes: list[Any]) -> None:
        ran = False
        for cube in cubes:
            if _object_index(cube, "SpectralCoord") is None:
                continue
            shape = cube.data.shape[::-1]
            self._crop_with(cube, "SpectralCoord", tuple(float(n // 4) for n in shape),
                            tuple(float(max(n // 4 + 1, 3 * n // 4)) for n in shape))
            ran = True
        if not ran:
            pytest.skip("no spectral world axis in these cubes")

    def test_crop_by_time(self, cubes: list[Any]) -> None:
        """Only a time: the exposures between (reference: the plain cube's own times, numpy selection)."""
        import numpy as np

        ran = False
        for cube, t, axis, times in _timed_cubes(cubes, 4):
            lo, hi = times[1], times[-2]
            pts = [tuple(v if j == t else None for j in range(len(_keys(cube)))) for v in (lo, hi)]
            got = cube.crop(*pts)
            sel = np.flatnonzero(((times - lo).sec >= -1e-6) & ((hi - times).sec >= -1e-6))
            np.testing.assert_array_equal(np.asarray(got.data), np.take(np.asarray(cube.data), sel, axis=axis))
            ran = True
        if not ran:
            pytest.skip("no time axis of 4 or more exposures")

    def test_crop_by_time_outside_is_refused(self, cubes: list[Any]) -> None:
        """A time-only crop wholly before the first or after the last exposure raises ``ValueError``, as ndcube's
        crop outside a cube does (reference: the exposures' own times; nothing is clamped to the nearest one)."""
        import astropy.units as u

        ran = False
        for cube, t, _, times in _timed_cubes(cubes, 2):
            span = max((times.max() - times.min()).to_value(u.s), 1.0) * u.s
            for lo, hi in ((times.min() - 3 * span, times.min() - 2 * span),
                           (times.max() + 2 * span, times.max() + 3 * span)):
                pts = [tuple(v if j == t else None for j in range(len(_keys(cube)))) for v in (lo, hi)]
                with pytest.raises(ValueError):
                    cube.crop(*pts)
            ran = True
        if not ran:
            pytest.skip("no time axis of 2 or more exposures")

    def test_extra_coordinates_addressable_by_physical_type(self, cubes: list[Any]) -> None:
        """Every physical type that one extra coordinate has alone names it for ``axis_world_coords`` (ndcube
        matches a type as a substring: an exposure time typed ``time.duration`` made ``"time"`` ambiguous beside
        the exposures' ``time``), and none is ndcube's ``custom:CUSTOM`` placeholder (a coordinate given no
        type). Types shared by several coordinates (three temperatures) name none of them, by design."""
        import numpy as np

        for cube in cubes:
            ec = cube.extra_coords
            if ec.is_empty:
                continue
            types = list(ec.wcs.world_axis_physical_types)
            assert "custom:CUSTOM" not in types, f"an extra coordinate of {type(cube).__name__} has no physical type"
            for ptype in [t for t in dict.fromkeys(types) if types.count(t) == 1]:
                values = cube.axis_world_coords(ptype, wcs=ec)
                assert len(values) >= 1 and all(np.size(v) > 0 for v in values), ptype

    def test_pickle_round_trip(self, cubes: list[Any]) -> None:
        """A cube pickles (how it reaches a dask worker) and comes back with its data, world coordinates, extra
        coordinates and meta (reference: the cube before pickling; a plain NDCube with a dict meta pickles)."""
        import pickle

        import numpy as np

        for cube in cubes:
            # the caches that world coordinates fill (memos, weak references) must not stop a cube pickling
            cube.axis_world_coords()
            for px in _sample_pixels(cube)[:1]:
                world = cube.wcs.pixel_to_world(*px)
                try:  # (only to fill the caches: world_to_pixel has a test of its own, with upstream xfails)
                    cube.wcs.world_to_pixel(*(world if isinstance(world, (list, tuple)) else [world]))
                except Exception:  # noqa: BLE001
                    pass
            back = pickle.loads(pickle.dumps(cube))
            assert type(back) is type(cube)
            np.testing.assert_array_equal(np.asarray(back.data), np.asarray(cube.data))
            for px in _sample_pixels(cube):
                np.testing.assert_array_equal(np.asarray(back.wcs.low_level_wcs.pixel_to_world_values(*px), float),
                                              np.asarray(cube.wcs.low_level_wcs.pixel_to_world_values(*px), float))
            assert list(back.extra_coords.keys()) == list(cube.extra_coords.keys())
            assert set(dict(back.meta or {})) == set(dict(cube.meta or {}))

    def test_crop_by_values(self, cubes: list[Any]) -> None:
        """``crop_by_values`` on the spectral (else time) world axis equals ndcube's on a plain cube."""
        import numpy as np

        for cube in cubes:
            low = cube.wcs.low_level_wcs
            types = list(low.world_axis_physical_types)
            w = next((i for i, ty in enumerate(types) if ty == "em.wl"), types.index("time") if "time" in types else None)
            if w is None:
                continue
            shape = cube.data.shape[::-1]
            a = low.pixel_to_world_values(*[float(n // 4) for n in shape])[w]
            b = low.pixel_to_world_values(*[float(max(n // 4 + 1, 3 * n // 4)) for n in shape])[w]
            unit = low.world_axis_units[w]
            import astropy.units as u

            pts = [tuple(u.Quantity(v, unit) if j == w else None for j in range(len(types))) for v in (a, b)]
            got = cube.crop_by_values(*pts)
            axis = _time_axis(cube)
            if types[w] == "time" and axis is not None:
                # ndcube cannot crop a per-exposure WCS by time values alone (IndexError): numpy selection
                t = _plain(cube).axis_world_coords_values("time")[0].to_value(unit)
                lo, hi = min(a, b), max(a, b)
                sel = np.flatnonzero((t >= lo - 1e-9) & (t <= hi + 1e-9))
                want_data = np.take(np.asarray(cube.data), sel, axis=axis)
            else:
                want_data = np.asarray(_plain(cube).crop_by_values(*pts).data)
            np.testing.assert_array_equal(np.asarray(got.data), want_data)

    # ---- resampling -------------------------------------------------------------------
    def test_rebin(self, cubes: list[Any]) -> None:
        """``rebin`` equals ndcube's on a plain cube with the same data, mask and WCS."""
        import numpy as np

        for cube in cubes:
            shape = cube.data.shape
            bins = tuple(2 if n % 2 == 0 and n >= 2 else 1 for n in shape)
            if all(b == 1 for b in bins):
                bins = tuple(n if i == len(shape) - 1 else 1 for i, n in enumerate(shape))
            got = cube.rebin(bins)
            want = _plain(cube).rebin(bins)
            np.testing.assert_allclose(np.asarray(got.data, float), np.asarray(want.data, float), equal_nan=True)
            corner = [0.0] * got.data.ndim
            np.testing.assert_allclose(np.asarray(got.wcs.low_level_wcs.pixel_to_world_values(*corner), float),
                                       np.asarray(want.wcs.low_level_wcs.pixel_to_world_values(*corner), float))

    def test_reproject_to(self, cubes: list[Any]) -> None:
        """An image onto a sub-region of itself: equals ndcube's reprojection of a plain cube."""
        import numpy as np

        ran = False
        for cube in cubes:
            img = _image_of(cube)
            if img is None or min(img.data.shape) < 8:
                continue
            ny, nx = img.data.shape
            target = img[2 : ny - 2, 2 : nx - 2]
            shape = target.data.shape
            got = img.reproject_to(target.wcs, shape_out=shape)
            want = _plain(img, np.asarray(img.data, dtype=float)).reproject_to(target.wcs, shape_out=shape)
            np.testing.assert_allclose(np.asarray(got.data), np.asarray(want.data), equal_nan=True)
            ran = True
        if not ran:
            pytest.skip("no 2-D celestial image in these cubes")

    # ---- display and sunpy ------------------------------------------------------------
    def test_plot(self, cubes: list[Any]) -> None:
        """``plot`` of a 2-D cut (WCSAxes) and of the cube itself, with matplotlib's Agg backend."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        try:
            for cube in cubes:
                cut = cube[0] if cube.data.ndim == 3 else cube
                ax = cut.plot()
                assert ax is not None
                plt.close("all")
                if cube.data.ndim == 3:
                    assert cube.plot() is not None
                plt.close("all")
        finally:
            plt.close("all")

    def test_to_map(self, cubes: list[Any]) -> None:
        """A celestial image makes a sunpy Map whose world coordinates are the image's."""
        import astropy.units as u

        ran = False
        for cube in cubes:
            img = _image_of(cube)
            if img is None or not hasattr(img, "to_map"):
                if img is None:
                    continue
                from irisplug.model.cubes import ImageCube

                img = ImageCube(img.data, wcs=img.wcs, unit=img.unit, mask=img.mask, meta=dict(img.meta or {}))
            frame_like = cube.data.ndim == 3 and img.data.shape == cube.data.shape[1:]
            m = img.to_map()
            assert m.data.shape in (img.data.shape, img.data.shape[::-1])
            if frame_like or (img.data.ndim == 2 and img.data.shape == m.data.shape):
                ours = img.wcs.pixel_to_world(3, 2)
                ours = ours if not isinstance(ours, (list, tuple)) else ours[0]
                theirs = m.wcs.pixel_to_world(3, 2)
                assert abs(ours.Tx - theirs.Tx).to_value(u.arcsec) < 1e-3
                assert abs(ours.Ty - theirs.Ty).to_value(u.arcsec) < 1e-3
                if ours.obstime is not None and theirs.obstime is not None and ours.obstime.isscalar:
                    assert abs((ours.obstime - theirs.obstime).to_value(u.s)) < 1e-3
            ran = True
        if not ran:
            pytest.skip("no 2-D celestial image in these cubes")

    def test_exposure_time_correction(self, cubes: list[Any]) -> None:
        """sunraster's ``apply_exposure_time_correction`` equals sunraster's on its own meta layout."""
        import numpy as np
        from ndcube import NDMeta
        from sunraster import SpectrogramCube

        ran = False
        for cube in cubes:
            if not isinstance(cube, SpectrogramCube):
                continue
            exptime = cube.axis_world_coords(wcs=cube.extra_coords["exposure_time"])[0]
            ref = SpectrogramCube(np.asarray(cube.data, dtype=float), wcs=cube.wcs, unit=cube.unit,
                                  meta=NDMeta({"exposure time": exptime}, axes={"exposure time": 0}))
            got = cube.apply_exposure_time_correction()
            want = ref.apply_exposure_time_correction()
            assert got.unit == want.unit
            np.testing.assert_allclose(np.asarray(got.data, float), np.asarray(want.data, float), equal_nan=True)
            ran = True
        if not ran:
            pytest.skip("no sunraster SpectrogramCube in these cubes")

    # ---- files ----------------------------------------------------------------------
    def test_write_read(self, cubes: list[Any], tmp_path: Path) -> None:
        """``irisplug.write`` then ``irisplug.read`` (ASDF) gives the data and world coordinates back."""
        import numpy as np

        import irisplug
        from irisplug.testing.checks import iter_cubes

        for k, cube in enumerate(cubes):
            path = irisplug.write(cube, tmp_path / f"cube{k}.asdf")
            back = next(iter(iter_cubes(irisplug.read(path))))
            np.testing.assert_array_equal(np.asarray(back.data), np.asarray(cube.data))
            assert back.unit == cube.unit
            for pix in _sample_pixels(cube):
                np.testing.assert_allclose(np.asarray(back.wcs.low_level_wcs.pixel_to_world_values(*pix), float),
                                           np.asarray(cube.wcs.low_level_wcs.pixel_to_world_values(*pix), float),
                                           rtol=1e-12, atol=1e-12)

    # ---- what a notebook shows --------------------------------------------------------
    @pytest.fixture(scope="class")
    @classmethod
    def read_object(cls, sample: Any) -> Any:
        """The whole of what the reader returns for ``sample``."""
        import irisplug

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return irisplug.read(sample, format=cls.reader) if cls.reader else irisplug.read(sample)

    def test_str_and_repr(self, read_object: Any) -> None:
        """``str`` and ``repr`` (what a notebook or a prompt shows) of the object read, of every window of an
        Observation and of every sequence and cube in them."""
        shown = 0
        for obj in _tree(read_object):
            assert str(obj) and repr(obj), f"empty str/repr of {type(obj).__name__}"
            shown += 1
        assert shown

    def test_sequence_celestial(self, read_object: Any) -> None:
        """A sequence's ``celestial``: slice ``i`` is cube ``i``'s own coordinates, frame attributes included.

        (sunraster concatenates the cubes' SkyCoords, which astropy refuses unless their frames are equal: the
        rasters of a real sequence differ in time and observer.)
        """
        import numpy as np
        from ndcube import NDCubeSequence

        seqs = [o for o in _tree(read_object) if isinstance(o, NDCubeSequence) and o.data
                and hasattr(type(o), "celestial") and hasattr(type(o.data[0]), "celestial")]
        if not seqs:
            pytest.skip("no sequence with celestial coordinates")
        for seq in seqs:
            together = seq.celestial
            for i in sorted({0, len(seq.data) // 2, len(seq.data) - 1}):
                own = seq.data[i].celestial
                assert together[i].frame.is_equivalent_frame(own.frame)
                for a, b in zip(together[i].frame.data.components, own.frame.data.components, strict=True):
                    assert a == b
                    np.testing.assert_array_equal(getattr(together[i].frame.data, a), getattr(own.frame.data, b))

    def test_sequence_indexing(self, read_object: Any) -> None:
        """``seq[0:2]``, ``seq[0:2,]``, ``seq[::2]``, ``seq[-1]``: what ndcube's plain NDCubeSequence of the same cubes
        gives (sunraster's ``__getitem__`` raised on the first two)."""
        import numpy as np
        from ndcube import NDCubeSequence

        seqs = [o for o in _tree(read_object) if isinstance(o, NDCubeSequence)]
        if not seqs:
            pytest.skip("no sequence in what this reader returns")
        for seq in seqs:
            plain = NDCubeSequence(list(seq.data), common_axis=getattr(seq, "_common_axis", None))
            assert seq[0] is seq.data[0] and seq[-1] is seq.data[-1], "an integer must give the cube itself"
            for item in (slice(0, 2), (slice(0, 2),), slice(None, None, 2), -1):
                got, want = seq[item], plain[item]
                assert isinstance(got, NDCubeSequence) == isinstance(want, NDCubeSequence)
                if isinstance(want, NDCubeSequence):
                    assert type(got) is type(seq), f"{type(seq).__name__}[{item}] gave a {type(got).__name__}"
                got_cubes = list(got.data) if isinstance(got, NDCubeSequence) else [got]
                want_cubes = list(want.data) if isinstance(want, NDCubeSequence) else [want]
                assert len(got_cubes) == len(want_cubes)
                for a, b in zip(got_cubes, want_cubes, strict=True):
                    assert a.data.shape == b.data.shape
                    corner = (0,) * (a.data.ndim - 1)
                    np.testing.assert_array_equal(np.asarray(a.data[corner]), np.asarray(b.data[corner]))

    def test_exposure_coordinates_after_slicing(self, cubes: list[Any]) -> None:
        """``cube.time`` / ``cube.exposure_time`` are ndcube's extra coordinates, and ``cube[i].time`` is
        ``cube.time[i]`` (sunraster's property raised once ndcube dropped the sliced-away axis' coordinates)."""
        import astropy.units as u
        import numpy as np

        ran = False
        for cube in cubes:
            extra = getattr(cube, "extra_coords", None)
            if extra is None or "time" not in extra.keys() or not hasattr(type(cube), "time"):
                continue
            want = cube.axis_world_coords(wcs=extra["time"])[0]
            assert np.abs((cube.time - want).to_value(u.s)).max() < 1e-6
            last = cube.data.shape[0] - 1
            for i in (0, last):
                assert abs((cube[i].time - want[i]).to_value(u.s)) < 1e-6
            if hasattr(type(cube), "exposure_time") and "exposure_time" in extra.keys():
                exposure = u.Quantity(cube.axis_world_coords(wcs=extra["exposure_time"])[0])
                np.testing.assert_array_equal(u.Quantity(cube.exposure_time).to_value(u.s), exposure.to_value(u.s))
                assert u.Quantity(cube[last].exposure_time).to_value(u.s) == exposure[last].to_value(u.s)
            ran = True
        if not ran:
            pytest.skip("no cube with a per-exposure time coordinate and a time property")

    def test_to_xarray(self, cubes: list[Any]) -> None:
        """``irisplug.model.to_xarray`` of each cube: its data, its wavelengths as ndcube gives them (a wavelength
        table per spatial bin too: the IUVS cubes raised a raw xarray ValueError), and its per-exposure times."""
        import astropy.units as u
        import numpy as np

        pytest.importorskip("xarray")
        from irisplug.model import extra_coord, to_xarray

        for cube in cubes:
            ds = to_xarray(cube)
            assert ds["data"].shape == cube.data.shape
            first = (0,) * (cube.data.ndim - 1)
            np.testing.assert_array_equal(np.asarray(ds["data"].values[first]), np.asarray(cube.data[first]))
            types = cube.array_axis_physical_types
            if any(t and all("em.wl" in x for x in t) for t in types):
                want = u.Quantity(cube.axis_world_coords_values("em.wl")[0]).to_value(u.AA)
                np.testing.assert_array_equal(ds["wavelength"].values, np.asarray(want).reshape(ds["wavelength"].shape))
                assert ds["wavelength"].size == np.size(want)
            # helioprojective positions only where the cube has them, and then ndcube's (first pixel); a detector
            # array's (SHOW) lazy hpc_x/hpc_y used to be made up and fail when computed
            low = cube.wcs.low_level_wcs
            types = [str(t) for t in low.world_axis_physical_types]
            hpc = {w: next((i for i, t in enumerate(types) if "helioprojective" in t and t.endswith(w)), None)
                   for w in ("lon", "lat")}
            assert ("hpc_x" in ds.coords) == (None not in hpc.values()), \
                f"{type(cube).__name__} with world axes {types}: hpc_x is {'' if 'hpc_x' in ds.coords else 'not '}there"
            if None not in hpc.values():
                world = low.pixel_to_world_values(*([0] * low.pixel_n_dim))
                lon = u.Quantity(world[hpc["lon"]], low.world_axis_units[hpc["lon"]]).to_value(u.deg)
                lon = ((lon + 180.0) % 360.0 - 180.0) * 3600.0
                lat = u.Quantity(world[hpc["lat"]], low.world_axis_units[hpc["lat"]]).to_value(u.arcsec)
                first = (0,) * ds["hpc_x"].ndim
                np.testing.assert_allclose([float(ds["hpc_x"][first]), float(ds["hpc_y"][first])], [lon, lat],
                                           rtol=0, atol=1e-6)
            # the per-exposure time along array axis 0, wherever the reader keeps it (the model's per-exposure
            # meta or ndcube extra coordinates: IUVS's integration times were left out), as ndcube gives it
            try:
                times = extra_coord(cube, "time")
            except KeyError:
                continue
            if getattr(times, "shape", ()) == (cube.data.shape[0],):
                assert "time" in ds.coords and ds["time"].dims == (ds["data"].dims[0],), \
                    f"{type(cube).__name__}: to_xarray left out its time coordinate along {ds['data'].dims[0]!r}"
                got = ds["time"].values.astype("datetime64[ns]").astype(np.int64)
                want_ns = times.utc.datetime64.astype("datetime64[ns]").astype(np.int64)
                assert np.abs(got - want_ns).max() <= 1000  # 1 us


def _tree(obj: Any) -> Any:
    """``obj`` and everything inside it: the windows of an Observation (or collection), the cubes of a sequence."""
    from ndcube import NDCubeSequence

    yield obj
    if isinstance(obj, NDCubeSequence):
        for cube in obj.data:
            yield from _tree(cube)
    elif hasattr(obj, "values") and hasattr(obj, "keys") and not hasattr(obj, "wcs"):
        for value in obj.values():
            yield from _tree(value)
