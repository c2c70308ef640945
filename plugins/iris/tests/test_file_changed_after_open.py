"""A lazily opened file that changes on disk before its data are read: an error naming it, never other pixels.

``irisplug.read`` reads the headers, times and pointing at once and the pixels only when they are computed,
re-opening the path then. A file replaced in between (same layout, another observation) gave the new file's
pixels under the old file's times and pointing, silently. Each read now compares the file's identity at the open
(inode, size, modification time) with one ``fstat`` of the descriptor it reads. References are astropy's
data of the files on disk.
"""

from __future__ import annotations

import os
import re
import shutil
import warnings

import numpy as np
import pytest
from astropy.io import fits

import irisplug
from irisplug.errors import CorruptFileError, TruncatedFileError
from irisplug_iris.decode import RawImage

WINDOW = "Si IV 1403"
CHANGED = "changed since it was opened"


def _generate(dest, seed: int, startobs: str):
    from irisplug_iris.generator import generate

    (path,) = generate(dest, quiet=True, n_rasters=1, n_steps=4, n_y=16, windows=(WINDOW,), sji=(),
                       missing=False, seed=seed, startobs=startobs)
    return path


@pytest.fixture
def two_files(tmp_path):
    """A raster file and another observation of the same layout (same size and HDU offsets, other pixels)."""
    first = _generate(tmp_path / "a", 0, "2014-03-29T14:09:38.830")
    other = _generate(tmp_path / "b", 5, "2020-01-01T00:00:00.000")
    assert os.path.getsize(first) == os.path.getsize(other)
    a, b = fits.getdata(first, 1).astype(float), fits.getdata(other, 1).astype(float)
    assert a.shape == b.shape and not np.array_equal(a, b)
    return first, other, a


def _read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return irisplug.read(path)[WINDOW][0]


def _raw_image(path) -> RawImage:
    from irisplug.fileinfo import iter_fits_headers

    header, offset, _ = list(iter_fits_headers(path))[1]
    return RawImage(path, offset, header)


def _every_read(cube):
    """Every way the lazy data of a cube are read: whole (threaded reader), chunk by chunk, a slice, the mask."""
    return {
        "asarray": lambda: np.asarray(cube.data),
        "compute": lambda: cube.data.compute(),
        "chunks": lambda: cube.data.compute(scheduler="sync", optimize_graph=False),
        "slice": lambda: cube.data[1, 3:9].compute(scheduler="sync"),
        "arithmetic": lambda: (cube.data * 2).sum().compute(),
        "mask": lambda: np.asarray(cube.mask),
    }


def test_unchanged_file_reads_astropys_values(two_files):
    first, _, expected = two_files
    cube = _read(first)
    for how, read in _every_read(cube).items():
        got = np.asarray(read())
        if how in ("asarray", "compute", "chunks"):
            np.testing.assert_array_equal(got, expected, err_msg=how)
    np.testing.assert_array_equal(np.asarray(cube.data[1, 3:9]), expected[1, 3:9])


@pytest.mark.parametrize("how", ["asarray", "compute", "chunks", "slice", "arithmetic", "mask"])
def test_file_replaced_after_a_lazy_open_raises(two_files, how):
    first, other, _ = two_files
    cube = _read(first)
    os.replace(other, first)  # e.g. a new download saved under the same name
    with pytest.raises(CorruptFileError, match=re.escape(str(first))) as err:
        _every_read(cube)[how]()
    assert CHANGED in str(err.value)
    assert not isinstance(err.value, TruncatedFileError)


def test_file_rewritten_in_place_after_a_lazy_open_raises(two_files):
    """Same inode and size, other bytes (a copy over the file): its modification time gives it away."""
    first, other, _ = two_files
    cube = _read(first)
    before = os.stat(first)
    with open(first, "r+b") as f:
        f.write(other.read_bytes())
    # coarse file-system clocks can stamp a write done within the same tick with the same time: move it on
    os.utime(first, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    assert os.stat(first).st_ino == before.st_ino and os.stat(first).st_size == before.st_size
    with pytest.raises(CorruptFileError, match=re.escape(str(first))) as err:
        np.asarray(cube.data)
    assert CHANGED in str(err.value)


def test_bytes_appended_after_a_lazy_open_raise(two_files):
    """Longer (the data still all there): changed all the same, a CorruptFileError but not a truncation."""
    first, _, _ = two_files
    cube = _read(first)
    with open(first, "ab") as f:
        f.write(b"\0" * 2880)
    with pytest.raises(CorruptFileError, match=CHANGED) as err:
        cube.data.compute(scheduler="sync")
    assert not isinstance(err.value, TruncatedFileError)


def test_truncated_inside_the_data_after_a_lazy_open_stays_a_truncation(two_files):
    first, _, _ = two_files
    cube = _read(first)
    with open(first, "r+b") as f:
        f.truncate(os.path.getsize(first) // 2)
    for read in (lambda: np.asarray(cube.data), lambda: cube.data.compute(scheduler="sync")):
        with pytest.raises(TruncatedFileError, match=re.escape(str(first))):
            read()


@pytest.mark.parametrize("read", ["raw", "getitem", "read_exposures", "read_all"])
def test_raw_image_reads_check_the_file(two_files, read):
    """Every read of :class:`RawImage`: the memory map (``raw``, fancy ``__getitem__``) and the ``pread`` paths."""
    first, other, expected = two_files
    img = _raw_image(first)
    calls = {
        "raw": lambda: img.raw(),
        "getitem": lambda: img[(slice(None, None, 2), 3)],
        "read_exposures": lambda: img.read_exposures(0, 2),
        "read_all": lambda: img.read_all(),
    }
    # unchanged: astropy's values
    got = calls[read]()
    if read == "getitem":
        np.testing.assert_array_equal(got, expected[::2, 3])
    elif read == "read_exposures":
        np.testing.assert_array_equal(got, expected[:2])
    elif read == "read_all":
        np.testing.assert_array_equal(got[0], expected)
    shutil.copy(other, str(first) + ".new")
    os.replace(str(first) + ".new", first)
    with pytest.raises(CorruptFileError, match=CHANGED):
        calls[read]()


def test_reading_again_after_the_change_gives_the_new_file(two_files):
    """The error says to open the file again; that open reads the new file (other dask keys than the old one's)."""
    first, other, _ = two_files
    old = _read(first)
    new_pixels = fits.getdata(other, 1).astype(float)
    os.replace(other, first)
    new = _read(first)
    np.testing.assert_array_equal(np.asarray(new.data), new_pixels)
    assert not set(old.data.dask) & set(new.data.dask)
    assert new.extra_coord("time")[0].isot.startswith("2020-01-01")
