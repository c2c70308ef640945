"""IRIS Level 2 auxiliary tables: per-exposure TIME, exposure times, pointing."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from irisplug.errors import CorruptFileError

__all__ = ["read_aux", "aux_column", "resample_aux_rows", "fill_zero_pointing"]


def read_aux(path: str | Path, header: dict[str, Any], offset: int) -> np.ndarray:
    """The auxiliary image (n_exposures x n_columns, float64) read directly at its offset."""
    from irisplug.errors import TruncatedFileError
    from irisplug_iris.checks import check_image_header

    shape = check_image_header(header, path, "auxiliary extension (exposure x column)", 2)
    bitpix = int(header["BITPIX"])
    dtype = {-64: ">f8", -32: ">f4"}.get(bitpix)
    if dtype is None:
        raise CorruptFileError(f"auxiliary extension has BITPIX {bitpix}, expected a float table (-32 or -64)", path=path)
    nbytes = shape[0] * shape[1] * np.dtype(dtype).itemsize
    with open(path, "rb") as f:
        f.seek(offset)
        buf = f.read(nbytes)
    if len(buf) < nbytes:
        raise TruncatedFileError(f"the auxiliary table declares {nbytes} bytes at byte {offset}; the file ends after {len(buf)}",
                                 path=path)
    return np.frombuffer(buf, dtype=dtype).reshape(shape).astype(np.float64)


def column_index(aux: np.ndarray, header: dict[str, Any], name: str, path: str | Path) -> int:
    """The 0-based column index the aux header gives for ``name``, checked against the table's width."""
    from irisplug_iris.checks import int_keyword

    return int_keyword(header, name, path, "auxiliary table header", minimum=0, maximum=aux.shape[1] - 1)


def aux_column(aux: np.ndarray, header: dict[str, Any], name: str, path: str | Path) -> np.ndarray:
    """Column ``name`` of the aux table, located by the index its header gives."""
    from irisplug.errors import MissingKeywordError

    if name not in header:
        raise MissingKeywordError(f"auxiliary table has no {name} column (keyword {name} missing from its header)", path=path)
    return aux[:, column_index(aux, header, name, path)].copy()


def resample_aux_rows(aux: np.ndarray, n_frames: int, path: str | Path) -> np.ndarray:
    """Aux rows matched to ``n_frames`` frames when the table has a different number of rows.

    Happens in down-sampled files (e.g. the irispy-lmsal test files, whose
    frames were zoomed by 0.1 but whose aux tables were not): frame ``k`` takes
    row ``round(k * (n_rows - 1) / (n_frames - 1))``, the end-point aligned
    mapping of ``scipy.ndimage.zoom``. A warning says so.
    """
    n_rows = aux.shape[0]
    if n_rows == n_frames:
        return aux
    warnings.warn(
        f"{path}: auxiliary table has {n_rows} rows for {n_frames} frames; "
        "using the end-point aligned subset of rows (down-sampled file?)",
        stacklevel=3,
    )
    if n_frames == 1:
        return aux[:1]
    rows = np.rint(np.arange(n_frames) * (n_rows - 1) / (n_frames - 1)).astype(int)
    return aux[rows]


def fill_zero_pointing(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(filled, was_zero)``: zero entries (no pointing recorded) interpolated from the others.

    Examples
    --------
    >>> fill_zero_pointing(np.array([1.0, 0.0, 3.0]))[0]
    array([1., 2., 3.])
    """
    values = np.asarray(values, dtype=float).copy()
    zero = values == 0
    if zero.any() and (~zero).any():
        good = np.flatnonzero(~zero)
        values[zero] = np.interp(np.flatnonzero(zero), good, values[good])
    return values, zero
