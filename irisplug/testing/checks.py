"""Checks a plugin author runs on a plugin and on what its reader returns."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from irisplug.errors import PluginError
from irisplug.plugin_manager import PluginManager, PluginRecord

__all__ = ["check_plugin", "check_cube", "iter_cubes", "check_model", "check_levels"]


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


_ANGLE_TYPES = ("pos.helioprojective", "custom:pos.helioprojective", "pos.eq", "pos.heliographic",
                "custom:pos.heliographic", "pos.galactic", "pos.ecliptic")


def check_model(obj: Any) -> Any:
    """Assert that ``obj`` is an object of the model contract and return its :class:`~irisplug.model.Classified`.

    Checks: :func:`irisplug.model.kind_of` gives a kind; every cube inside
    classifies too (spectral cubes with the wavelength last), has a unit and
    finite corner world coordinates (:func:`check_cube`); spectral world axes
    have a unit convertible to a wavelength, celestial ones an angle unit; the
    data-quality meta keys are well formed (:func:`check_levels`).

    Raises
    ------
    AssertionError
        Naming the cube and what is wrong.

    Examples
    --------
    >>> import numpy as np, ndcube, astropy.units as u
    >>> from astropy.wcs import WCS
    >>> w = WCS(naxis=1); w.wcs.ctype = ["WAVE"]; w.wcs.cunit = ["Angstrom"]
    >>> check_model(ndcube.NDCube(np.zeros(3), wcs=w, unit=u.DN)).kind.value
    'spectra'
    """
    import astropy.units as u

    from irisplug.model import kind_of
    from irisplug.model.kinds import _is_spectral

    top = kind_of(obj)
    assert top.kind is not None, f"{type(obj).__name__} is not an object of the model contract: {top.reason}"
    for n, cube in enumerate(iter_cubes(obj)):
        c = kind_of(cube)
        assert c.kind is not None, f"cube {n} ({type(cube).__name__} {cube.data.shape}): {c.reason}"
        check_cube(cube)
        low = getattr(cube.wcs, "low_level_wcs", cube.wcs)
        for t, unit in zip(low.world_axis_physical_types, low.world_axis_units, strict=True):
            t = str(t)
            if _is_spectral(t) and t.startswith(("em.wl", "em.freq", "em.energy", "em.wavenumber")):
                assert u.Unit(unit).is_equivalent(u.AA, u.spectral()), (
                    f"cube {n}: spectral world axis {t} has unit {unit!r}, not a wavelength/frequency/energy")
            if t.startswith(_ANGLE_TYPES):
                assert u.Unit(unit).is_equivalent(u.deg), f"cube {n}: celestial world axis {t} has unit {unit!r}"
        check_levels(cube)
    return top


def check_levels(cube: Any) -> None:
    """Assert that the data-quality keys in ``cube.meta`` (see :mod:`irisplug.model.levels`) are well formed.

    ``missing_value``, ``valid_min``, ``saturation_level``: a number, or a
    Quantity whose unit is that of the data (as the reader set them);
    ``instrumental_fwhm``: a positive Quantity with a length unit;
    ``rest_wavelength``: a positive scalar length Quantity; ``passband``: a
    length Quantity ``(min, max)`` with ``min < max``.

    Examples
    --------
    >>> import numpy as np, ndcube, astropy.units as u
    >>> from astropy.wcs import WCS
    >>> check_levels(ndcube.NDCube(np.zeros(2), wcs=WCS(naxis=1), unit=u.DN, meta={"valid_min": -50 * u.DN}))
    """
    import astropy.units as u

    from irisplug.model.levels import INSTRUMENTAL_FWHM, MISSING_VALUE, SATURATION_LEVEL, VALID_MIN

    meta = getattr(cube, "meta", None) or {}
    for key in (MISSING_VALUE, VALID_MIN, SATURATION_LEVEL):
        value = meta.get(key)
        if value is None:
            continue
        if isinstance(value, u.Quantity):
            assert value.isscalar, f"meta[{key!r}] must be a scalar, got {value!r}"
            if cube.unit is not None:
                assert value.unit.is_equivalent(cube.unit), (
                    f"meta[{key!r}] = {value} is not in the data's unit {cube.unit} (set by the reader, in its unit)")
        else:
            assert isinstance(value, (int, float)) and not isinstance(value, bool), (
                f"meta[{key!r}] must be a number or a Quantity, got {value!r}")
    fwhm = meta.get(INSTRUMENTAL_FWHM)
    if fwhm is not None:
        assert isinstance(fwhm, u.Quantity) and fwhm.unit.is_equivalent(u.AA), (
            f"meta['instrumental_fwhm'] must be a length Quantity, got {fwhm!r}")
        assert fwhm.isscalar and float(fwhm.value) > 0, f"meta['instrumental_fwhm'] must be positive, got {fwhm!r}"
    rest = meta.get("rest_wavelength")
    if rest is not None:
        assert isinstance(rest, u.Quantity) and rest.isscalar and rest.unit.is_equivalent(u.AA) and rest.value > 0, (
            f"meta['rest_wavelength'] must be a positive scalar length Quantity, got {rest!r}")
    band = meta.get("passband")
    if band is not None:
        assert isinstance(band, u.Quantity) and band.shape == (2,) and band.unit.is_equivalent(u.AA), (
            f"meta['passband'] must be a length Quantity (min, max), got {band!r}")
        assert band[0] < band[1], f"meta['passband'] must have min < max, got {band!r}"
