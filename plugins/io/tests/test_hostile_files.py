"""Damaged irisplug FITS/ASDF files: refused with a CorruptFileError naming the file; external sources never followed."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits
from astropy.wcs import WCS
from ndcube import NDCube

import irisplug
from irisplug.errors import CorruptFileError, IrisplugError


def _cube() -> NDCube:
    return NDCube(np.arange(12.0).reshape(3, 4), wcs=WCS(naxis=2), meta={"note": "x"})


def test_asdf_external_source_refused(tmp_path: Path) -> None:
    path = irisplug.write(_cube(), tmp_path / "a.asdf")
    other = irisplug.write(NDCube(np.full((3, 4), 7.0), wcs=WCS(naxis=2)), tmp_path / "other.asdf")
    raw = Path(path).read_bytes()
    edited, n = re.subn(rb"source: 0", b"source: other.asdf", raw, count=1)
    assert n == 1 and Path(other).exists()
    Path(path).write_bytes(edited)
    with pytest.raises(CorruptFileError, match=r"external source 'other\.asdf'"):
        irisplug.read(path)


def test_asdf_huge_block_size_refused(tmp_path: Path) -> None:
    path = Path(irisplug.write(_cube(), tmp_path / "a.asdf"))
    raw = bytearray(path.read_bytes())
    at = raw.find(b"\xd3BLK")
    raw[at + 6 + 16 : at + 6 + 24] = (2**63 - 1).to_bytes(8, "big")  # used size
    path.write_bytes(bytes(raw))
    with pytest.raises(CorruptFileError, match="block 0"):
        irisplug.read(path)


def test_asdf_yaml_syntax_error(tmp_path: Path) -> None:
    path = Path(irisplug.write(_cube(), tmp_path / "a.asdf"))
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b"\nirisplug:", b"\nirisplug:\n\t: : ]", 1))
    with pytest.raises(IrisplugError, match=r"a\.asdf"):
        irisplug.read(path)


def _edit_json_hdu(path: Path, name: str, edit) -> None:
    with fits.open(path) as hdul:
        hdus = [h.copy() for h in hdul]
    for h in hdus:
        if h.name == name:
            text = edit(json.loads(h.data.tobytes().decode()))
            h.data = np.frombuffer(json.dumps(text).encode(), dtype=np.uint8)
    fits.HDUList(hdus).writeto(path, overwrite=True)


def test_fits_record_missing_keys(tmp_path: Path) -> None:
    path = Path(irisplug.write(_cube(), tmp_path / "a.fits"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _edit_json_hdu(path, "JSON0", lambda rec: {k: v for k, v in rec.items() if k != "wcs"})
    with pytest.raises(CorruptFileError, match=r"a\.fits"):
        irisplug.read(path)


@pytest.mark.parametrize(("key", "value", "match"), [("IRPDTYPE", "int9", "IRPDTYPE"), ("EXTNAME", "RENAMED", "CUBE0"),
                                                      ("BSCALE", 0.0, "BSCALE")])
def test_fits_bad_cards(tmp_path: Path, key: str, value, match: str) -> None:
    path = Path(irisplug.write(NDCube(np.arange(12, dtype=np.int16).reshape(3, 4), wcs=WCS(naxis=2)), tmp_path / "a.fits"))
    with fits.open(path, mode="update") as hdul:
        hdul["CUBE0"].header[key] = value
    with pytest.raises(CorruptFileError, match=match):
        np.asarray(irisplug.read(path).data)


@pytest.mark.parametrize(("key", "damage"), [
    ("t", lambda v: {**v, "scale": "inf"}),  # fuzz seed 32: astropy's ScaleValueError came through raw
    ("t", lambda v: {**v, "__time__": {"jd1": "x", "jd2": [0.0]}}),
    ("q", lambda v: {**v, "unit": "not a unit"}),
    ("a", lambda v: {**v, "dtype": "<x9"}),
    ("a", lambda v: {**v, "__array__": [[1, 2], [3]]}),
])
def test_fits_record_damaged_tagged_meta_value(tmp_path: Path, key: str, damage) -> None:
    """A stored Time, Quantity or array that cannot be rebuilt: CorruptFileError naming the file."""
    import astropy.units as u
    from astropy.time import Time

    cube = NDCube(np.arange(12.0).reshape(3, 4), wcs=WCS(naxis=2),
                  meta={"t": Time("2014-03-29T14:09:38"), "q": [1.0, 2.0] * u.AA, "a": np.arange(3)})
    path = Path(irisplug.write(cube, tmp_path / "a.fits"))

    def edit(rec):
        assert key in rec["meta"]
        rec["meta"][key] = damage(rec["meta"][key])
        return rec

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _edit_json_hdu(path, "JSON0", edit)
    with pytest.raises(CorruptFileError, match=r"a\.fits.*damaged __(time|quantity|array)__ value"):
        irisplug.read(path)
