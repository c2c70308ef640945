"""Fit NDCubes, raster sequences and observation windows; returns NDCollections of maps.

The spectral array axis is found from the WCS (physical type ``em.wl``);
it is moved last, the template is fitted to every spectrum, and the maps
share the input's WCS with the spectral axis sliced away.

Examples
--------
>>> import irisplug
>>> obs = irisplug.read(iris_dir)  # doctest: +SKIP
>>> maps = fit_cube(obs[line][0], "peak")  # doctest: +SKIP
>>> maps["peak.velocity"].data.shape  # doctest: +SKIP
(8, 109)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from irisplug_fit.engine import FitResult, fit_spectra
from irisplug_fit.maps import to_collection

__all__ = ["spectral_axis", "cube_wavelength", "spatial_wcs", "fit_cube", "fit_sequence", "fit_any", "is_spectral",
           "resolve_template", "accepts", "InvalidLevels"]


def spectral_axis(cube: Any) -> int:
    """Array axis of ``cube`` whose world coordinate is a wavelength (``em.wl``).

    Raises
    ------
    irisplug.UnsupportedObjectError
        The cube has no wavelength axis.
    """
    from irisplug.errors import UnsupportedObjectError

    own = _own_wcs_axis_types(cube)  # the cube's own WCS first: no copy of its extra coordinates' WCS
    if own is not None:
        only = _spectral_hits(own)[1]
        if only:
            return only[0]
    types = getattr(cube, "array_axis_physical_types", None)
    if types is None:
        raise UnsupportedObjectError(f"{type(cube).__name__} has no WCS: pass numpy arrays to fit_spectra instead")
    hits, only = _spectral_hits(types)
    if not hits:
        raise UnsupportedObjectError(f"{type(cube).__name__} has no spectral (em.wl) axis: physical types {types}")
    return (only or hits)[0]


def _spectral_hits(types: list[tuple[Any, ...]]) -> tuple[list[int], list[int]]:
    """Array axes with a wavelength among their physical types, and those whose types are all wavelengths."""
    hits = [i for i, t in enumerate(types) if any(str(x) == "em.wl" or str(x).startswith("em.wl") for x in t)]
    return hits, [i for i in hits if len(types[i]) == 1 or all("em.wl" in str(x) for x in types[i])]


def _own_wcs_axis_types(cube: Any) -> list[tuple[Any, ...]] | None:
    """``array_axis_physical_types`` from the cube's own WCS, without its extra coordinates (None: no such WCS).

    ndcube's ``array_axis_physical_types`` builds the combined WCS, deep-copying
    the extra coordinates' models (3-4 ms per IRIS raster, the largest part of
    the client's work per file on a cluster); an axis whose own types are all
    wavelengths is the spectral axis either way.
    """
    wcs = getattr(cube, "wcs", None)
    try:
        types = np.array(wcs.world_axis_physical_types, dtype=object)
        corr = np.asarray(wcs.axis_correlation_matrix, dtype=bool)
    except AttributeError:
        return None
    if corr.ndim != 2 or corr.shape[1] != np.ndim(getattr(cube, "data", None)):
        return None
    return [tuple(types[corr[:, i]]) for i in range(corr.shape[1])][::-1]


def accepts(obj: Any) -> Any:
    """The fitters' ``accepts``: spectra, spectral cubes, raster sequences and observations holding them.

    Decided by the core's model contract (:func:`irisplug.model.kind_of`);
    returns an :class:`irisplug.model.Verdict` whose reason dispatch reports.

    Examples
    --------
    >>> bool(accepts(42)), "spectra, spectral-cube, raster-sequence, observation" in accepts(42).reason
    (False, True)
    """
    from irisplug.model import Kind, accepting

    rule = accepting(Kind.SPECTRA, Kind.SPECTRAL_CUBE, Kind.RASTER_SEQUENCE, Kind.OBSERVATION, what="the fitters",
                     containing=(Kind.SPECTRAL_CUBE, Kind.RASTER_SEQUENCE, Kind.SPECTRA))
    return rule(obj)


def is_spectral(obj: Any) -> bool:
    """True when ``obj`` is spectra, a spectral cube or a raster sequence (the model's kinds, see :func:`accepts`)."""
    from irisplug.model import Kind, kind_of

    return kind_of(obj).kind in (Kind.SPECTRA, Kind.SPECTRAL_CUBE, Kind.RASTER_SEQUENCE)


def cube_wavelength(cube: Any, axis: int | None = None, *, first_grid: bool = False) -> np.ndarray:
    """Wavelengths (Angstrom) along the spectral axis of ``cube``.

    Raises UnsupportedObjectError where they differ between the cube's spectra (a wavelength table per spatial
    bin), unless ``first_grid``: then the first spectrum's (for a starting guess, not for a fit).
    """
    import astropy.units as u

    ax = spectral_axis(cube) if axis is None else axis
    own = _own_wcs_wavelength(cube, ax)
    if own is not None:
        return own
    # the values only: no high-level coordinate objects (SkyCoord frame transforms cost ~0.2-0.6 s per cube)
    values = getattr(cube, "axis_world_coords_values", None)
    wl = values("em.wl")[0] if values is not None else cube.axis_world_coords("em.wl")[0]
    wl = u.Quantity(wl)
    if wl.ndim > 1:  # depends on other axes too: one grid only where it does not change along them
        from irisplug.model import wavelength_axes

        arr_ax = list(wavelength_axes(cube))  # the dimensions of ``wl``
        pos = arr_ax.index(ax)
        others = tuple(k for k in range(wl.ndim) if k != pos)
        if not first_grid and np.ptp(wl.value, axis=others).max() > 0:
            from irisplug.errors import UnsupportedObjectError

            raise UnsupportedObjectError(
                f"the wavelengths of this {type(cube).__name__} differ between its spectra (they vary along array "
                f"axes {[a for a in arr_ax if a != ax]}): one grid would shift every other spectrum's lines; fit it "
                "with irisplug.fit, which fits each grid on its own (irisplug_fit.wavelength_tables)")
        idx = tuple(slice(None) if i == pos else 0 for i in range(wl.ndim))
        wl = wl[idx]
    return wl.to_value(u.AA).astype(float)


def _own_wcs_wavelength(cube: Any, ax: int) -> np.ndarray | None:
    """The wavelengths along array axis ``ax`` from the cube's own low-level WCS, when exactly one of its world axes
    is a wavelength and it depends on that pixel axis alone (None otherwise: the caller asks ndcube).

    The numbers ndcube's ``axis_world_coords_values`` gives (the same ``pixel_to_world_values`` call: the spectral
    pixel axis at 0..n-1, the others at 0), without its grid and unit machinery: 1.2 ms of the client's work per
    IRIS raster on a cluster (the largest part of it), 0.25 ms this way.
    """
    import astropy.units as u

    wcs = getattr(cube, "wcs", None)
    wcs = getattr(wcs, "low_level_wcs", wcs)  # a sliced cube's WCS is a high-level wrapper
    try:
        types = [str(t) for t in wcs.world_axis_physical_types]
        corr = np.asarray(wcs.axis_correlation_matrix, dtype=bool)
        unit = wcs.world_axis_units
        npix, nworld = int(wcs.pixel_n_dim), int(wcs.world_n_dim)
    except (AttributeError, TypeError):
        return None
    shape = np.shape(getattr(cube, "data", None))
    if npix != len(shape) or corr.shape != (nworld, npix) or not 0 <= ax < npix:
        return None
    hits = [i for i, t in enumerate(types) if t.startswith("em.wl")]
    pix = npix - 1 - ax  # pixel axes run opposite to array axes
    if len(hits) != 1 or not corr[hits[0], pix] or corr[hits[0]].sum() != 1:
        return None
    world = hits[0]
    pixels = [np.zeros(shape[ax]) for _ in range(npix)]
    pixels[pix] = np.arange(shape[ax], dtype=float)
    values = wcs.pixel_to_world_values(*pixels)
    values = values[world] if nworld > 1 else values
    try:
        return u.Quantity(np.asarray(values, dtype=float), unit[world]).to_value(u.AA).astype(float)
    except (u.UnitsError, ValueError, TypeError):
        return None


def spatial_wcs(cube: Any, axis: int) -> Any:
    """The input's WCS with the spectral array axis sliced away (shared by every map).

    The WCS the cube's own slicing would give, without slicing its data, mask,
    meta and extra coordinates (ndcube/astropy ``_slice_wcs``; 2 ms per IRIS
    raster) where the cube has that method.
    """
    item = tuple(0 if i == axis else slice(None) for i in range(cube.data.ndim))
    slice_wcs = getattr(cube, "_slice_wcs", None)
    if slice_wcs is not None and getattr(cube, "wcs", None) is not None:
        try:  # private in astropy (NDSlicingMixin): a release that changes it falls back to slicing the cube
            from astropy.wcs.wcsapi.wrappers.sliced_wcs import sanitize_slices

            return slice_wcs(tuple(sanitize_slices(item, cube.data.ndim)))
        except (ImportError, TypeError, AttributeError):
            pass
    return cube[item].wcs


def _arrays(cube: Any, axis: int) -> tuple[Any, Any, Any]:
    data = cube.data
    unc = getattr(cube, "uncertainty", None)
    unc = None if unc is None else unc.array
    mask = getattr(cube, "mask", None)
    if mask is not None and np.ndim(mask) == 0:
        mask = None if not bool(mask) else np.ones(np.shape(data), bool)

    def last(a: Any) -> Any:
        if a is None:
            return None
        if axis in (-1, np.ndim(a) - 1):  # already last (a raster's spectra): no transpose layer
            return a if hasattr(a, "map_blocks") else np.asarray(a)
        if hasattr(a, "map_blocks"):
            import dask.array as da

            return da.moveaxis(a, axis, -1)
        return np.moveaxis(np.asarray(a), axis, -1)

    return last(data), last(unc), last(mask)


def fit_cube(cube: Any, template: Any = None, *, client: Any = None, scheduler: str | None = None,
             inst_fwhm: float | None = None, fill_below: Any = "auto", **kwargs: Any) -> Any:
    """Fit every spectrum of an NDCube (any cube with an ``em.wl`` axis); returns an NDCollection of maps.

    Parameters
    ----------
    cube
        An NDCube / sunraster / irisplug ``RasterCube``. Its ``uncertainty``
        (weights) and ``mask`` are used; lazy (dask) data are fitted block by
        block.
    template
        Template name, :class:`~irisplug_fit.templates.Template` or ``"peak"``;
        default: the template the instrument plugin declares for the cube's
        window (:func:`resolve_template`).
    client
        A ``dask.distributed.Client``: blocks are fitted on its cluster
        (default: the current client when one exists and the data are dask).
    scheduler
        ``"local"`` to force in-process fitting even when a client exists.
    inst_fwhm
        Instrumental FWHM (Angstrom) for non-thermal velocities; default: the
        ``instrumental_fwhm`` the reader set in the cube's meta (without one,
        no ``.vnt`` maps are made).
    fill_below
        Points at or below this value are ignored; ``"auto"``: the data-quality
        levels the reader set in meta (``missing_value``, ``valid_min``,
        ``saturation_level``, see :mod:`irisplug.model.levels`), else only
        NaN and masked points.
    **kwargs
        Passed to :func:`~irisplug_fit.engine.fit_spectra`.

    Examples
    --------
    >>> maps = fit_cube(cube, "si_iv_1403")  # doctest: +SKIP
    """
    from irisplug_fit.wavelength_tables import fit_by_wavelength_table

    by_table = fit_by_wavelength_table(cube, spectral_axis(cube), fit_cube, template=template, client=client,
                                       scheduler=scheduler, inst_fwhm=inst_fwhm, fill_below=fill_below, **kwargs)
    if by_table is not None:  # a wavelength table per spatial bin (IUVS): each bin on its own grid
        return by_table
    plan = _plan(cube, template, inst_fwhm, fill_below)
    res = fit_array(plan.data, plan.x, plan.template, uncertainty=plan.unc, mask=plan.mask, invalid=plan.invalid,
                    client=client, scheduler=scheduler, **kwargs)
    return _collection(cube, plan, res)


@dataclass
class _Plan:
    """What a cube's fit needs, found on the client (the spectral axis last)."""

    axis: int
    x: np.ndarray
    data: Any
    unc: Any
    mask: Any  # the cube's own mask (spectral axis last); the points `invalid` finds are added block by block
    invalid: Any
    template: Any
    inst_fwhm: float | None


def _plan(cube: Any, template: Any, inst_fwhm: float | None, fill_below: Any) -> _Plan:
    ax = spectral_axis(cube)
    x = cube_wavelength(cube, ax)
    data, unc, mask = _arrays(cube, ax)
    invalid = _invalid_levels(cube, fill_below)
    if inst_fwhm is None:
        inst_fwhm = _reader_fwhm(cube)
    if isinstance(template, str) and template == "peak":
        template = resolve_template(template, cube, fill_below=fill_below,
                                    _arrays_of_cube=(x, data, _add_invalid(data, mask, invalid)))
    else:
        template = resolve_template(template, cube, fill_below=fill_below)
    return _Plan(ax, x, data, unc, mask, invalid, template, inst_fwhm)


def _collection(cube: Any, plan: _Plan, res: FitResult) -> Any:
    from irisplug.model import WINDOW, fits_keyword_items, observation_id, window_label

    meta: dict[str, Any] = {"input": type(cube).__name__}
    # what the maps are of: the window, the observation and the reader's standard keywords (the model's keys)
    for key, value in (("observation_id", observation_id(cube)), (WINDOW, window_label(cube))):
        if value is not None:
            meta[key] = value
    meta.update((k, v) for k, v in fits_keyword_items(cube) if k in ("TELESCOP", "INSTRUME", "DATE-OBS"))
    return to_collection(res, wcs=spatial_wcs(cube, plan.axis), data_unit=getattr(cube, "unit", None), meta=meta,
                         inst_fwhm=plan.inst_fwhm)


def _masked_arrays(cube: Any, ax: int, fill_below: Any = "auto") -> tuple[Any, Any, Any]:
    """Data, uncertainty and mask with the spectral axis last; points that are not data (the reader's levels, or ``fill_below``) masked."""
    data, unc, mask = _arrays(cube, ax)
    return data, unc, _with_invalid(cube, data, mask, fill_below)


def resolve_template(template: Any, obj: Any, *, window: str | None = None, lorentz: bool = False,
                     voigt: bool = False, fill_below: Any = "auto", _arrays_of_cube: Any = None) -> Any:
    """The one place a fit's ``template`` becomes a :class:`~irisplug_fit.templates.Template`.

    ``None``: the template an instrument plugin declares for the window label
    (``window`` or the cube's own); ``"peak"``: one component at the brightest
    feature of the mean spectrum of ``obj`` (the first raster of a sequence);
    a name: the contributed template (:func:`~irisplug_fit.line_templates.get_template`);
    a Template: itself. ``lorentz``/``voigt`` switch every component's profile.

    Raises
    ------
    irisplug.UnsupportedObjectError
        No template given and none declared for the window.
    irisplug.UnknownContributionError
        An unknown template name.

    Examples
    --------
    >>> resolve_template("si_iv_1403", None).name  # with the iris plugin installed
    'si_iv_1403'
    """
    from irisplug.errors import UnsupportedObjectError
    from irisplug_fit.line_templates import default_template_name, get_template, template_names
    from irisplug_fit.templates import Template

    if template is None:
        from irisplug.model import window_label

        # the model's ``window`` meta only: guessing from instrument keywords picked wrong labels (a multi-window
        # primary header names the file's first window) and missed right ones ("window None")
        label = window or window_label(obj)
        template = default_template_name(label)
        if template is None:
            raise UnsupportedObjectError(f"no line template is declared for window {label!r}; pass template= "
                                         f"(known: {', '.join(template_names()) or 'none installed'}, or 'peak')")
    if isinstance(template, str) and template == "peak":
        if _arrays_of_cube is not None:
            x, data, mask = _arrays_of_cube
        else:
            cube = obj.data[0] if hasattr(obj, "data") and isinstance(obj.data, list) else obj
            ax = spectral_axis(cube)
            data, _, mask = _masked_arrays(cube, ax, fill_below)
            x = cube_wavelength(cube, ax, first_grid=True)  # a starting template only: the first grid will do
        template = _peak_from(data, mask, x)
    if isinstance(template, Template) and not (lorentz or voigt):
        return template
    return get_template(template, lorentz=lorentz, voigt=voigt)


@dataclass(frozen=True)
class InvalidLevels:
    """The points of a block of data that are not data: the reader's levels, or ``fill_below``.

    Applied to each block where it is fitted (a worker of a cluster), in one
    pass per level, instead of a lazy chain of element-wise arrays built on
    the client. ``None`` from a call: no point is invalid by these levels.

    ``missing``, ``floor``, ``top``: the reader's ``missing_value`` (equal),
    ``valid_min`` (below), ``saturation_level`` (at or above), finite points
    only (NaN/inf are left to the fit engine); ``at_or_below``: a number
    given as ``fill_below``, every point at or below it.

    Examples
    --------
    >>> import numpy as np
    >>> InvalidLevels(missing=-999.0, floor=-50.0)(np.array([-999.0, -75.0, 0.0, np.nan, -np.inf])).tolist()
    [True, True, False, False, False]
    >>> InvalidLevels()(np.zeros(3)) is None
    True
    """

    missing: float | None = None
    floor: float | None = None
    top: float | None = None
    at_or_below: float | None = None

    @property
    def empty(self) -> bool:
        """No level set: nothing is invalid by these levels."""
        return self.missing is None and self.floor is None and self.top is None and self.at_or_below is None

    def __call__(self, data: np.ndarray) -> np.ndarray | None:
        if self.at_or_below is not None:
            return data <= self.at_or_below
        bad = None
        for level, op in ((self.missing, np.equal), (self.floor, np.less), (self.top, np.greater_equal)):
            if level is not None:
                hit = op(data, level)
                bad = hit if bad is None else np.logical_or(bad, hit, out=bad)
        if bad is not None and bad.any():
            bad[bad] = np.isfinite(data[bad])  # the levels apply to finite points only
        return bad


def _invalid_levels(cube: Any, fill_below: Any = "auto") -> InvalidLevels:
    """The :class:`InvalidLevels` of ``cube``: the reader's (``"auto"``), none (None) or ``fill_below``."""
    if fill_below is None:
        return InvalidLevels()
    if fill_below != "auto":
        return InvalidLevels(at_or_below=fill_below)
    from irisplug.model import levels as lv

    missing = lv.data_level(cube, lv.MISSING_VALUE)
    return InvalidLevels(missing=missing if missing is not None and np.isfinite(missing) else None,
                         floor=lv.data_level(cube, lv.VALID_MIN), top=lv.data_level(cube, lv.SATURATION_LEVEL))


def _add_invalid(data: Any, mask: Any, invalid: InvalidLevels) -> Any:
    """``mask`` or-ed with the points ``invalid`` finds in ``data`` (numpy, or lazily for dask)."""
    if invalid.empty:
        return mask
    if hasattr(data, "map_blocks"):
        import dask.array as da

        bad = da.map_blocks(_invalid_or_none, data, invalid, dtype=bool)
        return bad if mask is None else (da.asarray(mask) | bad)
    bad = _invalid_or_none(np.asarray(data), invalid)
    return bad if mask is None else (np.asarray(mask, dtype=bool) | bad)


def _invalid_or_none(block: np.ndarray, invalid: InvalidLevels) -> np.ndarray:
    bad = invalid(block)
    return np.zeros(np.shape(block), bool) if bad is None else bad


def _with_invalid(cube: Any, data: Any, mask: Any, fill_below: Any = "auto") -> Any:
    """``mask`` or-ed with the points that are not data (``data`` has the spectral axis last)."""
    return _add_invalid(data, mask, _invalid_levels(cube, fill_below))


def _reader_fwhm(cube: Any) -> float | None:
    from irisplug.model import instrumental_fwhm

    fwhm = instrumental_fwhm(cube)
    return None if fwhm is None else float(fwhm.value)


def _peak_from(data: Any, mask: Any, x: np.ndarray) -> Any:
    """A one-Gaussian template at the brightest feature of the mean spectrum."""
    from irisplug_fit.line_templates import peak_template

    lazy = hasattr(data, "map_blocks")
    d = data if mask is None else (_da() if lazy else np).where(mask, np.nan, data)
    axes = tuple(range(d.ndim - 1))
    import warnings

    with warnings.catch_warnings():  # computed inside: dask's threads see the filter while it is set
        warnings.simplefilter("ignore", RuntimeWarning)  # wavelengths missing in every spectrum: NaN, handled
        mean = _da().nanmean(d, axis=axes).compute() if lazy else np.nanmean(np.asarray(d), axis=axes)
    return peak_template(x, mean)


def _da() -> Any:
    import dask.array as da

    return da


def fit_array(data: Any, wavelength: np.ndarray, template: Any, *, uncertainty: Any = None, mask: Any = None,
              invalid: Any = None, client: Any = None, scheduler: str | None = None, **kwargs: Any) -> FitResult:
    """:func:`fit_spectra` for numpy or dask arrays (dask: block by block, on a cluster when there is a client).

    ``invalid`` (an :class:`InvalidLevels`, optional) adds the points it finds
    in each block of ``data`` to ``mask`` (where the block is fitted).

    Examples
    --------
    >>> import dask.array as da
    >>> from irisplug_fit.synthetic import X100, poisson_gaussians
    >>> y, _ = poisson_gaussians(100)
    >>> res = fit_array(da.from_array(y, chunks=(50, -1)), X100, "si_iv_1403", scheduler="local")
    >>> res.status.shape
    (100,)
    """
    lazy = any(hasattr(a, "map_blocks") for a in (data, uncertainty, mask) if a is not None)
    if not lazy and client is None:
        if invalid is not None:
            mask = _add_invalid(data, mask, invalid)
        return fit_spectra(data, wavelength, template, uncertainty=uncertainty, mask=mask, **kwargs)
    from irisplug_fit.scaleout import fit_dask

    return fit_dask(data, wavelength, template, uncertainty=uncertainty, mask=mask, invalid=invalid, client=client,
                    scheduler=scheduler, **kwargs)


def fit_sequence(seq: Any, template: Any = None, **kwargs: Any) -> list[Any]:
    """Fit every cube of a raster sequence; one NDCollection of maps per raster file.

    With a ``distributed`` client (``client=`` or the current one, lazy data)
    every block of every raster is submitted to the cluster at once; without
    one the rasters are fitted one after another, each on all cores.

    Examples
    --------
    >>> maps = fit_sequence(obs[line], "peak")  # doctest: +SKIP
    >>> len(maps) == len(obs[line].data)  # doctest: +SKIP
    True
    """
    import irisplug

    cubes = list(seq.data)
    progress = kwargs.pop("progress", None)
    cluster = _cluster_for(cubes, kwargs.get("client"), kwargs.get("scheduler"))
    if cluster is not None and cubes:
        from irisplug_fit.scaleout import FitInput, fit_dask_many

        for key in ("client", "scheduler"):
            kwargs.pop(key, None)
        inst_fwhm, fill_below = kwargs.pop("inst_fwhm", None), kwargs.pop("fill_below", "auto")
        plans: dict[int, _Plan] = {}
        maps: list[Any] = [None] * len(cubes)

        def inputs() -> Any:  # each raster is planned, then its blocks submitted, while the cluster fits the others
            for k, c in enumerate(cubes):
                plans[k] = p = _plan(c, template, inst_fwhm, fill_below)
                yield FitInput(p.data, p.x, p.template, p.unc, p.mask, p.invalid)

        def collect(k: int, res: FitResult) -> None:  # each raster's maps as soon as its blocks are in
            maps[k] = _collection(cubes[k], plans.pop(k), res)

        ax = spectral_axis(cubes[0])  # rasters of a sequence share their axes: the block size's spectra count
        total = sum(int(np.prod(np.shape(c.data))) // max(np.shape(c.data)[ax], 1) for c in cubes)
        fit_dask_many(inputs(), client=cluster, progress=progress, desc=f"fit {len(cubes)} rasters",
                      total_spectra=total, on_result=collect, **kwargs)
        return maps
    quiet = True if progress is False else None  # None: irisplug.progress decides (CI, IRISPLUG_QUIET)
    if cubes and kwargs.get("engine", "auto") == "auto":
        kwargs = {**kwargs, "engine": _sequence_engine(cubes, template, kwargs)}
    return [fit_cube(c, template, progress=False, **kwargs)
            for c in irisplug.progress(cubes, total=len(cubes), desc="fit rasters", quiet=True if len(cubes) < 2 else quiet)]


def _sequence_engine(cubes: list[Any], template: Any, kwargs: dict[str, Any]) -> str:
    """``engine="auto"`` resolved once for every raster of a sequence fitted in-process.

    Resolved per raster, the first rasters of a new environment would be fitted
    with numpy and the later ones with the compiled kernel once the process's
    numpy budget is spent (see :mod:`irisplug_fit.warm`): one engine per sequence.
    """
    from irisplug_fit.engine import resolve_engine
    from irisplug_fit.line_templates import get_template

    plan = _plan(cubes[0], template, kwargs.get("inst_fwhm"), kwargs.get("fill_below", "auto"))
    ax = spectral_axis(cubes[0])
    total = sum(int(np.prod(np.shape(c.data))) // max(np.shape(c.data)[ax], 1) for c in cubes)
    t = get_template(plan.template, lorentz=bool(kwargs.get("lorentz")), voigt=bool(kwargs.get("voigt")))
    return resolve_engine("auto", t, plan.x, total, fixed=kwargs.get("fixed"), ties=kwargs.get("ties", ()))


def _cluster_for(cubes: list[Any], client: Any, scheduler: str | None) -> Any:
    """The ``distributed`` client the cubes are fitted on (as :func:`fit_array` decides), else None."""
    if scheduler == "local":
        return None
    if client is not None:
        return client
    if not any(hasattr(getattr(c, "data", None), "map_blocks") for c in cubes):
        return None
    from irisplug_fit.scaleout import _current_client

    return _current_client()


def select_window(obj: Any, window: str | None) -> Any:
    """The window ``window`` of an Observation or any collection of cubes (an IUVS product); ``obj`` itself
    when it is a cube or a sequence.

    Raises
    ------
    irisplug.UnsupportedObjectError
        A collection and no ``window`` (or one it does not hold): the message lists its windows.

    Examples
    --------
    >>> select_window(obs, line)  # doctest: +SKIP
    """
    from irisplug.errors import UnsupportedObjectError

    if not (hasattr(obj, "keys") and not hasattr(obj, "wcs")):
        return obj
    labels = ", ".join(map(str, obj.keys()))
    if window is None:
        raise UnsupportedObjectError(f"this {type(obj).__name__} holds several windows ({labels}); pass window=")
    if window not in obj:
        raise UnsupportedObjectError(f"no window {window!r} in the {type(obj).__name__}; windows: {labels}")
    return obj[window]


def fit_any(obj: Any, template: Any = None, *, window: str | None = None, **kwargs: Any) -> Any:
    """Fit an NDCube, a sequence (list of collections) or an observation window.

    With an observation, ``window`` (one of its labels) picks the window;
    the template is resolved once by :func:`resolve_template` (without one,
    the template an instrument plugin declares for that window).

    Examples
    --------
    >>> maps = fit_any(obs, window=line, template="peak")  # doctest: +SKIP
    """
    obj = select_window(obj, window)
    template = resolve_template(template, obj, window=window, lorentz=bool(kwargs.pop("lorentz", False)),
                                voigt=bool(kwargs.pop("voigt", False)), fill_below=kwargs.get("fill_below", "auto"))
    if hasattr(obj, "data") and isinstance(obj.data, list):
        return fit_sequence(obj, template, **kwargs)
    return fit_cube(obj, template, **kwargs)
