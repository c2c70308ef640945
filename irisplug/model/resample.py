"""Interpolate spectra onto a common wavelength grid, out of core."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["resample_wavelength"]


def _grid_angstrom(grid: Any) -> np.ndarray:
    import astropy.units as u

    from irisplug.errors import InconsistentInputError

    try:
        g = np.asarray(u.Quantity(grid, u.AA).to_value(u.AA), dtype=float).reshape(-1)
    except (u.UnitsError, TypeError, ValueError) as exc:
        raise InconsistentInputError(f"the wavelength grid must be lengths (a Quantity such as "
                                     f"np.linspace(2794, 2806, 100) * u.AA): {exc}") from exc
    if g.size < 2:
        raise InconsistentInputError("the wavelength grid needs at least two values")
    step = np.diff(g)
    if not np.all(np.isfinite(g)) or not np.allclose(step, step[0], rtol=1e-9, atol=0) or step[0] == 0:
        raise InconsistentInputError("the wavelength grid must be finite and uniformly spaced, with a non-zero step "
                                     "(it becomes a linear WCS axis)")
    return g


def _check_coverage(cube: Any, grid: np.ndarray, src: np.ndarray, valid: np.ndarray) -> None:
    """Refuse a grid wholly outside the window's wavelengths; warn with the fraction when partly outside."""
    import warnings

    from irisplug.errors import InconsistentInputError, IrisplugWarning
    from irisplug.model.levels import window_label

    name = window_label(cube) or type(cube).__name__
    span = f"{float(np.min(src)):.3f}-{float(np.max(src)):.3f} A"
    asked = f"{float(grid[0]):.3f}-{float(grid[-1]):.3f} A"
    if not valid.any():
        raise InconsistentInputError(
            f"{name}: the wavelength grid {asked} lies entirely outside the window's {span}; "
            "every resampled value would be NaN. Choose a grid inside the window"
        )
    if not valid.all():
        warnings.warn(
            f"{name}: {int((~valid).sum())} of {valid.size} grid points ({100 * float(np.mean(~valid)):.1f}%) of "
            f"{asked} lie outside the window's {span}; they are NaN (masked) in the result",
            IrisplugWarning,
            stacklevel=3,
        )


def _create_result(path: Path, shape: tuple[int, ...]) -> np.memmap:
    """The float32 memory map of the result at ``path`` (``.npy``: with a numpy header), its blocks reserved on disk.

    The blocks are reserved (``posix_fallocate``) so that a full disk or a quota is an ``OSError`` here, not a
    ``SIGBUS`` when a page of the map is first written.
    """
    result = (
        np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=shape)
        if path.suffix == ".npy"
        else np.memmap(path, dtype=np.float32, mode="w+", shape=shape)
    )
    if hasattr(os, "posix_fallocate") and result.nbytes:
        with open(path, "r+b") as f:
            try:
                os.posix_fallocate(f.fileno(), 0, os.fstat(f.fileno()).st_size)
            except OSError as err:
                import errno

                if err.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):  # no reservation there: go on
                    raise
    return result


def _write_error(path: Path, err: OSError) -> Exception:
    """A ``WriteError`` naming ``path``, the partial file removed (``w+`` had already truncated any earlier one)."""
    from irisplug.errors import WriteError

    path.unlink(missing_ok=True)
    return WriteError(f"cannot write the resampled spectra ({err.strerror or err}); free space on that disk or "
                      "write the result to another one", path=path)


def resample_wavelength(
    cube: Any,
    grid: Any,
    *,
    out: str | os.PathLike | None = None,
    quiet: bool | None = None,
    chunk_exposures: int | None = None,
) -> Any:
    """Linearly interpolate every spectrum of ``cube`` onto the wavelength ``grid``.

    The result is written exposure block by exposure block into a
    memory-mapped float32 file (``out``, or a temporary file), with a progress
    bar, so inputs larger than memory work. Masked pixels become NaN and stay
    masked; grid points outside the window are NaN and masked, with an
    :class:`~irisplug.errors.IrisplugWarning` giving their fraction; a grid
    wholly outside the window raises :class:`~irisplug.errors.InconsistentInputError`.

    Parameters
    ----------
    cube
        An unsliced RasterCube (axes step, slit, wavelength) or a RasterSequence
        (each cube resampled; ``out`` is then a directory).
    grid
        Uniformly spaced wavelengths (Quantity; e.g. ``np.linspace(2794, 2806, 100) * u.AA``).
    out
        File for the memory-mapped result (kept); a temporary file when None.

    Returns
    -------
    RasterCube or RasterSequence
        Same exposures, pointing and times; the spectral axis is the grid.

    Raises
    ------
    InconsistentInputError
        The grid is not uniform, or lies wholly outside the window.
    WriteError
        The result file cannot be created or written (disk full, read-only
        directory, a file-size limit); the message names the file, and the
        partial file is removed.

    Examples
    --------
    >>> grid = np.linspace(2794, 2806, 100) * u.AA  # doctest: +SKIP
    >>> common = resample_wavelength(obs[line], grid, out="mg_common")  # doctest: +SKIP
    """
    import dask.array as da
    from ndcube import NDCubeSequence

    from irisplug.model.operations import _new_cube, unwrap_wcs
    from irisplug.model.wcs import PerExposureWCS
    from irisplug.progress_bars import progress

    if isinstance(cube, NDCubeSequence):
        directory = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="irisplug-resample-"))
        directory.mkdir(parents=True, exist_ok=True)
        new = [
            resample_wavelength(c, grid, out=directory / f"cube_{i:05d}.f32", quiet=quiet)
            for i, c in enumerate(cube.data)
        ]
        return type(cube)(new, common_axis=getattr(cube, "_common_axis", 0), meta=dict(cube.meta or {}))
    g = _grid_angstrom(grid)
    base, slices = unwrap_wcs(cube.wcs)
    if not isinstance(base, PerExposureWCS) or any(s != slice(None) for s in slices):
        from irisplug.errors import UnsupportedObjectError

        raise UnsupportedObjectError("resample_wavelength needs an unsliced RasterCube (resample first, then slice)")
    src = np.asarray(cube.axis_world_coords_values("em.wl")[0].to_value("Angstrom"))
    if src.ndim != 1:  # one grid per spectrum (a PC matrix coupling wavelength and position): not one table
        from irisplug.errors import UnsupportedObjectError

        raise UnsupportedObjectError(f"the wavelengths of this cube differ between its spectra (shape {src.shape}); "
                                     "resampling takes one wavelength table per cube")
    pos = np.interp(g, src, np.arange(src.size), left=np.nan, right=np.nan)
    valid = np.isfinite(pos)
    _check_coverage(cube, g, src, valid)
    i0 = np.clip(np.floor(np.nan_to_num(pos)).astype(int), 0, src.size - 2)
    w = (np.nan_to_num(pos) - i0).astype(np.float32)
    on_left, on_right = w == 0, w == 1
    n = cube.data.shape[0]
    shape = (n, cube.data.shape[1], g.size)
    if out is not None:
        path = Path(out)
    else:
        try:
            fd, name = tempfile.mkstemp(prefix="irisplug-resample-", suffix=".f32")
        except OSError as err:
            from irisplug.errors import WriteError

            raise WriteError(f"cannot create a temporary file for the resampled spectra ({err.strerror or err}); "
                             "pass out= a file on a disk with space", path=tempfile.gettempdir()) from err
        os.close(fd)
        path = Path(name)
    try:
        result = _create_result(path, shape)
    except OSError as err:
        raise _write_error(path, err) from err
    per = (
        max(1, (64 << 20) // max(1, cube.data.shape[1] * src.size * 4)) if chunk_exposures is None else chunk_exposures
    )
    for start in progress(range(0, n, per), total=(n + per - 1) // per, desc="resampling spectra", quiet=quiet):
        stop = min(start + per, n)
        block = np.asarray(cube.data[start:stop], dtype=np.float32)
        if cube.mask is not None:
            block = np.where(np.asarray(cube.mask[start:stop]), np.float32(np.nan), block)
        left, right = block[..., i0], block[..., i0 + 1]
        res = left * (1 - w) + right * w
        # a grid point on a pixel is that pixel's value: its neighbour's weight is 0, and a masked (NaN)
        # neighbour must not make it NaN (NaN * 0 is NaN)
        res[..., on_left] = left[..., on_left]
        res[..., on_right] = right[..., on_right]
        res[..., ~valid] = np.nan
        result[start:stop] = res
    try:
        result.flush()
    except OSError as err:
        raise _write_error(path, err) from err
    hdr_updates = {
        "CRVAL1": float(g[0]),
        "CDELT1": float(g[1] - g[0]),
        "CRPIX1": 1.0,
        "NAXIS1": int(g.size),
        "CUNIT1": "Angstrom",
    }
    d = base.to_dict()
    d["header"] = {**d["header"], **hdr_updates}
    new_wcs = PerExposureWCS.from_dict(d)
    data = da.from_array(
        np.memmap(
            path, dtype=np.float32, mode="r", shape=shape, offset=result.offset if hasattr(result, "offset") else 0
        ),
        chunks=(per, *shape[1:]),
    )
    meta = dict(cube.meta)
    meta["RESAMPLED_FILE"] = str(path)
    return _new_cube(cube, data, da.isnan(data), new_wcs, meta)
