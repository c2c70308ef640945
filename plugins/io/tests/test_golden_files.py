"""Old files keep reading: the golden files in data/ (written by earlier writers, see data/make_golden.py).

Expected values were computed from the objects in memory before they were
written (ndcube/astropy/gwcs), and stored beside each file.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from ndcube import NDCollection, NDCube, NDCubeSequence

import irisplug

DATA = Path(__file__).parent / "data"
GOLDEN = sorted(p for p in DATA.iterdir() if p.suffix in (".fits", ".asdf"))


def _cubes(obj):
    if isinstance(obj, NDCube):
        yield "", obj
    elif isinstance(obj, NDCubeSequence):
        for c in obj.data:
            yield "", c
    else:
        for key, item in obj.items():
            for _, c in _cubes(item):
                yield key, c


def test_every_golden_file_has_its_expected_values():
    assert len(GOLDEN) == 22  # v1: 4 objects x 2 formats; v2: 4 x 2 + the gwcs ASDF file; v3: 5 ASDF files
    for path in GOLDEN:
        assert (DATA / f"{path.stem}.expected.npz").exists(), path


@pytest.mark.parametrize("path", GOLDEN, ids=[p.name for p in GOLDEN])
def test_golden_file_reads_with_equal_values_coordinates_and_uncertainties(path):
    version = int(path.name[1])
    with np.load(DATA / f"{path.stem}.expected.npz") as z:
        exp = {k: z[k] for k in z.files}
    info = json.loads(str(exp["info"]))
    obj = irisplug.read(path)
    expected_type = {"cube": NDCube, "sequence": NDCubeSequence, "collection": NDCollection}.get(info["kind"])
    if expected_type is None:
        assert type(obj).__name__ == "Observation"
    else:
        assert isinstance(obj, expected_type)
    cubes = list(_cubes(obj))
    assert len(cubes) == len(info["cubes"])
    for i, ((label, cube), want) in enumerate(zip(cubes, info["cubes"], strict=True)):
        where = f"{path.name} cube {i}"
        assert label == want["label"], where
        assert type(cube).__name__ == want["class"], where
        assert (None if cube.unit is None else cube.unit.to_string()) == want["unit"], where
        data = np.asarray(cube.data)
        assert data.dtype == np.dtype(want["dtype"]), where
        np.testing.assert_array_equal(data, exp[f"c{i}_data"], err_msg=where)
        if f"c{i}_mask" in exp:
            np.testing.assert_array_equal(np.broadcast_to(np.asarray(cube.mask), data.shape), exp[f"c{i}_mask"], err_msg=where)
        else:
            assert cube.mask is None, where
        if version == 1 or want["uncertainty"] is None:
            assert cube.uncertainty is None, where
        else:
            unc = cube.uncertainty
            assert type(unc).__name__ == want["uncertainty"]["class"], where
            assert (None if unc.unit is None else unc.unit.to_string()) == want["uncertainty"]["unit"], where
            arr = np.asarray(unc.array)
            assert arr.dtype == exp[f"c{i}_uncertainty"].dtype, where
            np.testing.assert_array_equal(arr, exp[f"c{i}_uncertainty"], err_msg=where)
        assert list(cube.wcs.world_axis_physical_types) == want["world_axis_physical_types"], where
        world = cube.wcs.low_level_wcs.pixel_to_world_values(*exp[f"c{i}_pixels"].T)
        world = world if isinstance(world, (list, tuple)) else [world]
        np.testing.assert_allclose(np.array([np.asarray(w, float) for w in world]), exp[f"c{i}_world"],
                                   rtol=1e-12, atol=1e-12, err_msg=where)
