"""The keyword rule and the FileInfo hand-over on the IRIS reader, with generated IRIS Level 2 files."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.io import fits

import irisplug
from irisplug import FileInfo, UnknownKeywordError


def test_misspelled_read_keywords_are_refused(synthetic_dir):
    with pytest.raises(UnknownKeywordError) as err:
        irisplug.read(synthetic_dir, lazzy=False, windowz=["nope"])
    text = str(err.value)
    assert "reader 'iris-l2'" in text
    assert "'lazzy' (did you mean 'lazy'?)" in text and "'windowz' (did you mean 'windows'?)" in text
    assert "fileinfo" not in text  # supplied by dispatch, not the user's to pass


def test_fits_headers_match_astropy(synthetic_dir):
    path = sorted(synthetic_dir.glob("*raster*.fits"))[0]
    info = FileInfo(path)
    assert info.fits_header() is not None  # what identify parsed
    ours = info.fits_headers()
    with fits.open(path) as hdul:
        assert len(ours) == len(hdul)
        for (header, offset, nbytes), hdu in zip(ours, hdul, strict=True):
            assert offset == hdu._data_offset
            assert nbytes >= hdu._data_size
            for key in ("NAXIS", "BITPIX", "EXTNAME", "NAXIS1", "NAXIS2", "NAXIS3"):
                if key in hdu.header:
                    assert header[key] == hdu.header[key], key


def test_read_with_dispatch_fileinfo_equals_plain_read(synthetic_dir):
    from irisplug_iris.reader import read_iris_l2

    files = sorted(synthetic_dir.glob("*.fits"))
    via_dispatch = irisplug.read(files, lazy=False)  # dispatch hands its FileInfo objects to the reader
    plain = read_iris_l2(files, lazy=False)  # the reader parses the headers itself
    assert list(via_dispatch.keys()) == list(plain.keys())
    for key in plain.keys():
        a, b = via_dispatch[key], plain[key]
        first_a = a.data[0] if isinstance(getattr(a, "data", None), list) else a
        first_b = b.data[0] if isinstance(getattr(b, "data", None), list) else b
        np.testing.assert_array_equal(np.asarray(first_a.data), np.asarray(first_b.data))
