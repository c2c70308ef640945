"""Contract test classes a plugin author subclasses.

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

from irisplug.testing.checks import check_cube, iter_cubes

__all__ = ["ReaderContract", "WriterContract", "make_foreign_samples"]


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
