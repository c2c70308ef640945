"""IUVS file-name parsing: examples from the archive and hypothesis properties."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from irisplug_iuvs.errors import IUVSFilenameError
from irisplug_iuvs.filenames import CHANNELS, parse_filename


def test_real_sample_names(l1b_files):
    for p in l1b_files:
        f = parse_filename(p)
        assert (f.level, f.segment, f.orbit, f.version, f.revision) == ("l1b", "apoapse", 18001, 13, 1)
        assert f.channel in ("fuv", "muv")
        assert f.timestamp == datetime(2023, 1, 14, 7, 18, 4)
        assert f.orbit_folder == "orbit18000"
        assert f.name == p.name


def test_dark_and_hyphenated_segment():
    f = parse_filename("mvn_iuv_l1a_relay-echelle-orbit03456-echdark_20160701T000102_v13_s02.fits")
    assert (f.segment, f.orbit, f.channel, f.is_dark, f.xuv) == ("relay-echelle", 3456, "echdark", True, "ECH")
    assert (f.revision_kind, f.revision, f.extension) == ("s", 2, ".fits")


def test_cruise_names_without_orbit():
    # michaelaye/iuvs tests/test_io.py asserts these facts for this name
    f = parse_filename("mvn_iuv_l1b_cruisecal2-mode080-muv_20140521T120029_v01_r01.fits.gz")
    assert (f.segment, f.mode, f.channel, f.orbit, f.version, f.revision) == ("cruisecal2", "mode080", "muv", None, 1, 1)
    g = parse_filename("mvn_iuv_l1a_muv-ISON1-narrowshort-cycle06_20131213T081639_v00_r00.fits.gz")
    assert (g.channel, g.segment, g.mode) == ("muv", "ISON1", "narrowshort-cycle06")
    assert g.name == "mvn_iuv_l1a_muv-ISON1-narrowshort-cycle06_20131213T081639_v00_r00.fits.gz"


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("iris_l2_20140329_140938_3860258481_raster_t000_r00000.fits", "mvn_iuv_"),
        ("mvn_iuv_l1b_apoapse-orbit18001-muv_2023011_v13_r01.fits.gz", "time stamp"),
        ("mvn_iuv_l1b_apoapse-orbit18001-muv_20230114T071804.fits.gz", "version"),
        ("mvn_iuv_l1b_apoapse-orbit18001-xuv_20230114T071804_v13_r01.fits.gz", "channel"),
        ("mvn_iuv_l1b_apoapse-orbit18001-muv_20231399T071804_v13_r01.fits.gz", "invalid time stamp"),
    ],
)
def test_unparseable_names_raise_specific_error(name, what):
    with pytest.raises(IUVSFilenameError, match=what) as info:
        parse_filename("/some/dir/" + name)
    assert name in str(info.value)  # names the file


_token = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10).filter(
    lambda s: s not in CHANNELS and not s.startswith("orbit")
)


@st.composite
def product_names(draw):
    level = draw(st.sampled_from(["l1a", "l1b", "l1c", "l2"]))
    segment = "-".join(draw(st.lists(_token, min_size=1, max_size=3)))
    orbit = draw(st.integers(0, 99999))
    channel = draw(st.sampled_from(CHANNELS))
    ts = draw(st.datetimes(min_value=datetime(2013, 1, 1), max_value=datetime(2040, 1, 1))).replace(microsecond=0)
    version, revision = draw(st.integers(0, 99)), draw(st.integers(0, 99))
    kind = draw(st.sampled_from("rs"))
    ext = draw(st.sampled_from([".fits.gz", ".fits", ""]))
    name = f"mvn_iuv_{level}_{segment}-orbit{orbit:05d}-{channel}_{ts:%Y%m%dT%H%M%S}_v{version:02d}_{kind}{revision:02d}{ext}"
    return name, dict(level=level, segment=segment, orbit=orbit, channel=channel, timestamp=ts, version=version,
                      revision=revision, revision_kind=kind, extension=ext)


@settings(max_examples=60, deadline=None)
@given(product_names())
def test_parse_recovers_every_field(sample):
    name, facts = sample
    f = parse_filename(name)
    for key, value in facts.items():
        assert getattr(f, key) == value, key
    assert f.name == name
    assert f.obs_id == name.rsplit("_v", 1)[0]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80))
def test_parser_never_fails_with_anything_but_its_error(text):
    try:
        parse_filename(text.replace("/", "_").replace("\x00", "") or "x")
    except IUVSFilenameError:
        pass
