"""Time-interpolated darks as the MAVEN IUVS L1B pipeline computes them: the ``iuvs-dark`` calibration step.

``DARK_METHOD = 'Time interpolation using multiple dark integrations'``: two
L1A dark files bracket the observation (before and after), ``n1`` and ``n2``
frames (``Dark_Engineering.NUMBER``; 5 and 5 in the samples), stacked as
``detector_dark`` (``n1 + n2`` frames) with times in ``Dark_Integration.ET``.
For light integration ``i`` the dark frame index in each product is ``j = i``
(first frames and later frames have different noise patterns),
``w = (t - t1) / (t2 - t1)`` with ``t1 = ET[j]``, ``t2 = ET[n1 + j]``,
``t = Integration.ET[i]``, and ``background_dark = floor((1 - w) d1 + w d2)``;
``detector_dark_subtracted = detector_raw - background_dark``. Verified on
the v13 L1B sample files (shared/docs/formats.md section 1.7). For ``i`` past
a product's last frame (not covered by the samples) that product's last frame
is used, with a warning.

Examples
--------
>>> import numpy as np
>>> darks = np.stack([np.full((1, 2), 10), np.full((1, 2), 20)])
>>> interpolate_darks(darks, [0.0, 10.0], [2.5]).tolist()
[[[12.0, 12.0]]]
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from irisplug.errors import CalibrationError, InconsistentInputError
from irisplug_calib import CalibrationWarning, as_float, frame_values, map_cubes, new_cube, record, std_of

__all__ = ["interpolate_darks", "subtract_iuvs_dark", "accepts_dark_subtraction", "dark_counts_of_product"]


def _product_counts(counts: Sequence[int] | None, n_frames: int) -> tuple[int, int]:
    """Frames of the dark before and the dark after in a stack of ``n_frames`` (an even split without ``counts``).

    Raises
    ------
    InconsistentInputError
        Not two products, a product without frames, or counts that do not add up to ``n_frames``.
    """
    if counts is None:
        if n_frames % 2 or n_frames == 0:
            raise InconsistentInputError(
                f"time-interpolated darks need frames from two dark files (an even number), got {n_frames}; "
                "pass the frames per dark file (counts=, Dark_Engineering.NUMBER) when they differ")
        return n_frames // 2, n_frames // 2
    values = [int(c) for c in np.asarray(counts).ravel()]
    if len(values) != 2 or min(values) < 1 or sum(values) != n_frames:
        raise InconsistentInputError(
            f"time-interpolated darks need two dark products (before and after) whose frame counts add up to the "
            f"{n_frames} dark frames, got counts {values}")
    return values[0], values[1]


def interpolate_darks(dark_frames: Any, dark_times: Any, light_times: Any, *, counts: Sequence[int] | None = None,
                      floor: bool = True) -> np.ndarray:
    """The IUVS L1B ``background_dark`` for each light integration.

    Parameters
    ----------
    dark_frames
        (n1 + n2, spatial, spectral): the frames of the dark before, then after.
    dark_times
        n1 + n2 times (ET seconds), as ``Dark_Integration.ET``.
    light_times
        One time per light integration (``Integration.ET``).
    counts
        ``(n1, n2)``: the frames of each dark product, as ``Dark_Engineering.NUMBER``. Without it the stack is
        split in halves, which is right only when both products have the same number of frames.
    floor
        Round down to whole DN as the pipeline does.

    Returns
    -------
    numpy.ndarray
        (n_int, spatial, spectral) float32.

    Raises
    ------
    InconsistentInputError
        An odd number of dark frames without ``counts``, ``counts`` that are not two products adding up to the
        frames, or times that do not match the frames.
    CalibrationError
        The two darks have the same time (no interpolation possible).

    Warns
    -----
    CalibrationWarning
        More light integrations than frames in a dark product (its last frame is used for the rest).

    Examples
    --------
    >>> import numpy as np
    >>> d = np.stack([np.full((1, 1), 100), np.full((1, 1), 110)])
    >>> interpolate_darks(d, [0.0, 4.0], [1.0]).ravel().tolist()  # floor(0.75 * 100 + 0.25 * 110)
    [102.0]
    >>> d = np.stack([np.full((1, 1), v) for v in (100, 200, 300, 110)])  # 3 frames before, 1 after
    >>> interpolate_darks(d, [0.0, 1.0, 2.0, 4.0], [1.0], counts=[3, 1]).ravel().tolist()  # frames 0 and 3
    [102.0]
    """
    d = np.asarray(dark_frames, dtype=np.float64)
    if d.ndim == 2:
        d = d[None]
    td = np.asarray(dark_times, dtype=np.float64).ravel()
    tl = np.atleast_1d(np.asarray(light_times, dtype=np.float64))
    n1, n2 = _product_counts(counts, d.shape[0])
    if td.size != d.shape[0]:
        raise InconsistentInputError(f"{td.size} dark times for {d.shape[0]} dark frames")
    if tl.size > min(n1, n2):
        warnings.warn(
            f"{tl.size} light integrations but {n1} and {n2} dark frames in the two dark products: integrations "
            f"{min(n1, n2)}.. use a product's last frame (the pipeline's behaviour there is not verified)",
            CalibrationWarning,
            stacklevel=2,
        )
    out = np.empty((tl.size, *d.shape[1:]), dtype=np.float32)
    for i, t in enumerate(tl):
        j1, j2 = min(i, n1 - 1), n1 + min(i, n2 - 1)  # frame i of the dark before and of the dark after
        t1, t2 = td[j1], td[j2]
        if t2 == t1:
            raise CalibrationError(f"the dark frames {j1} and {j2} have the same time {t1}; cannot interpolate")
        w = (t - t1) / (t2 - t1)
        b = (1.0 - w) * d[j1] + w * d[j2]
        out[i] = np.floor(b) if floor else b
    return out


def dark_counts_of_product(product: Any) -> list[int] | None:
    """Frames of each dark product of an IUVS L1B product read by this plugin, from ``Dark_Engineering.NUMBER``.

    The split is the one :func:`irisplug_iuvs.darks.dark_statistics` uses (one helper for both).

    Parameters
    ----------
    product
        An :class:`irisplug_iuvs.IUVSProduct` with ``dark_frames`` and the ``Dark_Integration`` table.

    Returns
    -------
    list of int or None
        One count per dark product, in stack order; None when the product has no ``Dark_Engineering`` table
        (a file read with ``strict=False``), leaving the even split.

    Raises
    ------
    irisplug.errors.CorruptFileError
        The counts do not add up to the dark frames and the ``Dark_Integration`` rows; names the file.
    """
    from irisplug_iuvs.darks import _frames_of_products

    tables = getattr(product, "tables", None) or {}
    engineering, integration = tables.get("Dark_Engineering"), tables.get("Dark_Integration")
    if engineering is None or integration is None:
        return None
    n_frames = int(np.shape(product["dark_frames"].data)[0])
    path = (getattr(product, "meta", None) or {}).get("path")
    return [s.stop - s.start for s in _frames_of_products(engineering, integration, n_frames, path)]


def _is_product(obj: Any) -> bool:
    """An IUVS product of this plugin's readers (:class:`irisplug_iuvs.IUVSProduct`)."""
    from irisplug_iuvs.product import IUVSProduct

    return isinstance(obj, IUVSProduct)


def accepts_dark_subtraction(obj: Any) -> Any:
    """The ``iuvs-dark`` step's ``accepts``: an L1B product with its dark frames, or raw-DN cubes.

    A cube needs its dark frames and times, in its ``meta`` (``dark_frames``,
    ``dark_times``, ``light_times``) or as parameters of the step. Another
    instrument's observation (a collection of windows, each with its own
    detector) is refused: its windows have no IUVS dark frames.

    Examples
    --------
    >>> import numpy as np, ndcube, astropy.wcs
    >>> bool(accepts_dark_subtraction(ndcube.NDCube(np.zeros((1, 2, 3)), wcs=astropy.wcs.WCS(naxis=3))))
    True
    >>> accepts_dark_subtraction(42).reason.startswith("int is not")
    True
    """
    from irisplug.model import Kind, Verdict, accepting

    if _is_product(obj):
        keys = list(obj.keys())
        if "raw" in keys and "dark_frames" in keys:
            return Verdict(True, "IUVS product with raw DN and dark frames")
        return Verdict(False, "this IUVS product has no dark frames (an L1A light file): read the L1B file, "
                              "or pass the raw cube with dark_frames=, dark_times=, light_times=")
    return accepting(Kind.SPECTRAL_CUBE, Kind.IMAGE_CUBE, Kind.IMAGE, Kind.SPECTRA, Kind.DETECTOR_ARRAY,
                     what="IUVS dark subtraction (raw-DN integrations)")(obj)


def _lookup(obj: Any, name: str, given: Any) -> Any:
    if given is not None:
        return given
    value = frame_values(obj, name)
    if value is None:
        raise CalibrationError(
            f"IUVS dark subtraction needs {name!r}: pass {name}=... or read the L1B file with a reader that "
            f"stores it in meta[{name!r}]"
        )
    return value


def subtract_iuvs_dark(
    obj: Any, *, dark_frames: Any = None, dark_times: Any = None, light_times: Any = None,
    dark_counts: Sequence[int] | None = None, floor: bool = True,
) -> Any:
    """Subtract the time-interpolated IUVS dark from raw DN integrations (n_int, spatial, spectral).

    ``obj`` is a raw-DN NDCube, or an IUVS L1B product read by irisplug-iuvs
    (then its ``raw`` cube, ``dark_frames``, ``Dark_Integration``/``Integration``
    ET columns and ``Dark_Engineering.NUMBER`` frames per dark product are used
    and the dark-subtracted raw cube is returned). For a cube the inputs
    default to ``obj.meta["dark_frames"]``, ``["dark_times"]``,
    ``["light_times"]`` and ``["dark_counts"]`` (optional: without it the
    frames are split in halves). The dark is exact integer DN, so only the
    input uncertainty (if any) is carried over; the background goes to
    ``meta["background_dark"]``.

    Parameters
    ----------
    obj
        A raw-DN NDCube (or collection of them) or an IUVS L1B product.
    dark_frames, dark_times, light_times
        Override the dark frames (n1 + n2, spatial, spectral), their ET times and the light ET times.
    dark_counts
        ``(n1, n2)`` frames of the dark before and after. For a product whose own dark frames are used, the
        file's ``Dark_Engineering.NUMBER`` by default.
    floor
        Round the dark down to whole DN as the pipeline does.

    Returns
    -------
    ndcube.NDCube
        The dark-subtracted raw DN, with ``meta["background_dark"]``.

    Raises
    ------
    irisplug.errors.CorruptFileError
        A product whose ``Dark_Engineering.NUMBER`` does not add up to its dark frames (names the file).
    irisplug.errors.InconsistentInputError
        Frames, counts and times that do not agree.

    Examples
    --------
    >>> import numpy as np, ndcube, astropy.wcs
    >>> raw = ndcube.NDCube(np.full((1, 1, 2), 50.0), wcs=astropy.wcs.WCS(naxis=3))
    >>> out = subtract_iuvs_dark(raw, dark_frames=np.stack([np.full((1, 2), 10), np.full((1, 2), 20)]),
    ...                          dark_times=[0.0, 10.0], light_times=[2.5])
    >>> out.data.tolist()
    [[[38.0, 38.0]]]
    """

    tables = getattr(obj, "tables", None)
    if _is_product(obj) and "raw" in obj.keys() and "dark_frames" in obj.keys():
        # an IUVS L1B product (this plugin's reader): raw DN, dark frames and their tables
        raw = obj["raw"]
        frames = dark_frames if dark_frames is not None else obj["dark_frames"].data
        dt = dark_times if dark_times is not None else np.asarray(tables["Dark_Integration"]["ET"], dtype=float)
        lt = light_times if light_times is not None else np.asarray(tables["Integration"]["ET"], dtype=float)
        counts = dark_counts
        if counts is None and dark_frames is None:  # the file's own frames: split by its products' NUMBER
            counts = dark_counts_of_product(obj)
        return subtract_iuvs_dark(raw, dark_frames=frames, dark_times=dt, light_times=lt, dark_counts=counts,
                                  floor=floor)

    def one(cube: Any) -> Any:
        frames = _lookup(cube, "dark_frames", dark_frames)
        counts = dark_counts if dark_counts is not None else frame_values(cube, "dark_counts")
        bg = interpolate_darks(frames, _lookup(cube, "dark_times", dark_times),
                               _lookup(cube, "light_times", light_times), counts=counts, floor=floor)
        values = as_float(cube.data)
        if values.ndim == 2:
            values = values[None]
        if values.shape != bg.shape:
            raise InconsistentInputError(f"interpolated dark of shape {bg.shape} does not match the data {values.shape}")
        new_data = values - bg  # a dask array stays lazy
        new_data = new_data.reshape(cube.data.shape)
        new = new_cube(cube, new_data, uncertainty=std_of(cube))
        meta = new.meta
        meta["background_dark"] = bg
        n1, n2 = _product_counts(counts, int(np.shape(frames)[0]))
        return record(new, "iuvs-dark", {"floor": floor}, {"dark_frames": int(np.shape(frames)[0]),
                                                             "frames_per_dark": [n1, n2],
                                                             "method": "time interpolation, j = i"})

    return map_cubes(obj, one, "IUVS dark subtraction")
