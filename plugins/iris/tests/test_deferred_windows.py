"""A lazy open reads headers and aux tables only; each window is built on first access."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import numpy as np

import irisplug


def _read(paths, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return irisplug.read(paths, **kw)


def test_open_builds_nothing_and_imports_nothing_heavy(raster_dir):
    """In a fresh process: open the 13-file raster, print its window table, then touch one window."""
    code = f"""
import json, sys, warnings
warnings.simplefilter("ignore")
import irisplug
obs = irisplug.read({str(raster_dir)!r})
heavy = sorted({{m.split('.')[0] for m in sys.modules}} & {{'ndcube', 'sunraster', 'sunpy', 'dask', 'gwcs', 'matplotlib'}})
built = [obs.is_built(k) for k in obs]
text = obs.info_text()
after_table = sorted({{m.split('.')[0] for m in sys.modules}} & {{'ndcube', 'dask'}})
seq = obs["Si IV 1403"]
print(json.dumps({{"heavy": heavy, "built": built, "after_table": after_table, "n": len(seq.data),
                  "built_after": [obs.is_built(k) for k in obs], "text": text}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    assert r["heavy"] == [], f"opening imported {r['heavy']}"
    assert not any(r["built"])
    assert r["after_table"] == [], "the window table must come from the headers"
    assert "Si IV 1403" in r["text"] and "3860258481" in r["text"]
    assert r["n"] == 13
    assert sum(r["built_after"]) == 1


def test_window_table_from_headers_equals_table_of_built_objects(raster_files, raster_sji_files):
    obs = _read([*raster_files, *raster_sji_files])
    assert not any(obs.is_built(k) for k in obs)
    from_headers = obs.windows
    built = obs.map_items(lambda x: x)  # builds every window
    assert all(built.is_built(k) for k in built)
    from_objects = built.windows
    assert from_headers.colnames == from_objects.colnames
    for name in from_headers.colnames:
        a, b = np.asarray(from_headers[name]), np.asarray(from_objects[name])
        if a.dtype.kind == "f":
            np.testing.assert_array_equal(a, b, err_msg=name)
        else:
            assert a.tolist() == b.tolist(), name


def test_deferred_window_equals_eager_window(synthetic_dir):
    lazy = _read(synthetic_dir)
    eager = _read(synthetic_dir, lazy=False)
    for label in ("Si IV 1403", "SJI_1400"):
        a, b = lazy[label], eager[label]
        assert lazy.is_built(label)
        cube_a = a.data[0] if hasattr(a, "slice_as_raster") else a
        cube_b = b.data[0] if hasattr(b, "slice_as_raster") else b
        np.testing.assert_array_equal(np.asarray(cube_a.data), cube_b.data)
        pa = cube_a.wcs.low_level_wcs.pixel_to_world_values(3.0, 2.0, 1.0)
        pb = cube_b.wcs.low_level_wcs.pixel_to_world_values(3.0, 2.0, 1.0)
        np.testing.assert_array_equal(np.array(pa, float), np.array(pb, float))
