"""Checks a plugin author runs on a plugin and on what its reader returns."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from irisplug.errors import PluginError
from irisplug.plugin_manager import PluginManager, PluginRecord

__all__ = ["check_plugin", "check_cube", "iter_cubes"]


def check_plugin(plugin: Any, name: str | None = None) -> PluginRecord:
    """Register ``plugin`` in a fresh strict manager and return its record.

    Every contribution hook is called and every descriptor validated; any
    failure raises.

    Raises
    ------
    PluginError
        With the stage and the plugin's error.

    Examples
    --------
    >>> import irisplug
    >>> class Empty:
    ...     @irisplug.hookimpl
    ...     def irisplug_readers(self):
    ...         return []
    >>> check_plugin(Empty(), "empty").status
    'active'
    """
    pm = PluginManager(entry_points=False, strict=True)
    record = pm.register(plugin, name=name)
    if record.status != "active":  # pragma: no cover - strict raises first
        raise PluginError(f"plugin is {record.status}: {record.error}", plugin=record.name)
    return record


def iter_cubes(obj: Any) -> Iterator[Any]:
    """Yield every NDCube inside ``obj`` (a cube, a sequence, a collection, nested).

    Examples
    --------
    >>> import numpy as np, ndcube, astropy.wcs
    >>> cube = ndcube.NDCube(np.zeros((2, 2)), wcs=astropy.wcs.WCS(naxis=2))
    >>> len(list(iter_cubes(ndcube.NDCubeSequence([cube, cube]))))
    2
    """
    from ndcube import NDCollection, NDCube, NDCubeSequence

    if isinstance(obj, NDCube):
        yield obj
    elif isinstance(obj, NDCubeSequence):
        for c in obj.data:
            yield from iter_cubes(c)
    elif isinstance(obj, NDCollection) or hasattr(obj, "values"):
        for c in obj.values():
            yield from iter_cubes(c)
    else:
        raise TypeError(f"{type(obj).__name__} is not an NDCube, NDCubeSequence or collection")


def check_cube(cube: Any) -> None:
    """Assert that an NDCube has a unit and a WCS that maps its corner pixels to finite world values.

    Raises
    ------
    AssertionError
        Naming what is wrong.
    """
    import numpy as np

    assert cube.unit is not None, "cube has no unit"
    assert cube.wcs is not None, "cube has no WCS"
    assert cube.wcs.pixel_n_dim == cube.data.ndim, f"WCS has {cube.wcs.pixel_n_dim} pixel axes, data {cube.data.ndim}"
    for corner in ([0] * cube.data.ndim, [s - 1 for s in cube.data.shape]):
        world = cube.wcs.pixel_to_world_values(*corner[::-1])
        world = world if isinstance(world, tuple) else (world,)
        for w in world:
            assert np.all(np.isfinite(np.asarray(w, dtype=float))), (
                f"world coordinates at pixel {corner} are not finite"
            )
