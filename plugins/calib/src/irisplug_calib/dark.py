"""Master darks per exposure time (the SHOW level-0 statistics) and dark subtraction.

A stack of dark frames is grouped by exposure time (keyed in integer
microseconds, as SHOW's ``SHOWLevel0`` does) and, where the frames carry one,
by gain state. Each group gives a :class:`MasterDark` with the per-pixel mean,
the standard deviation ``sqrt(mean((x - mean)^2))`` (the n, not n-1, form), the
standard error ``std / sqrt(n - 1)`` (``std`` when n = 1) and the median of
each frame. Saturated pixels (>= 16383 DN by default, the 14-bit OWL640
limit) can be excluded per pixel or whole frames dropped.

Subtraction picks the dark of the same exposure time (and gain). With no
such dark it fits ``dark = offset + rate * t`` per pixel over the darks
available and warns; it never skips silently.

Examples
--------
>>> import numpy as np
>>> frames = np.stack([np.full((2, 2), 100.0), np.full((2, 2), 102.0), np.full((2, 2), 200.0)])
>>> darks = master_darks(frames, exposure_times=[0.1, 0.1, 0.5])
>>> sorted(d.exposure_time for d in darks), float(darks.find(0.1).mean[0, 0])
([0.1, 0.5], 101.0)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from irisplug.errors import CalibrationError, InconsistentInputError
from irisplug_calib._common import (
    CalibrationWarning,
    as_float,
    describe_frames,
    frame_values,
    is_dask,
    seconds,
    source_name,
    xp_of,
)

__all__ = ["SATURATION_DN", "MasterDark", "DarkSet", "master_darks", "dark_for_frames", "exposure_key"]

#: the OWL640 (SHOW) saturation level in DN; pixels at or above it are saturated
SATURATION_DN = 16383


def exposure_key(t_seconds: float) -> int:
    """The grouping key of an exposure time: integer microseconds (as SHOW's ``SHOWLevel0``).

    Raises
    ------
    CalibrationError
        ``t_seconds`` is NaN or infinite (it has no key).

    Examples
    --------
    >>> exposure_key(0.3)
    300000
    """
    t = float(t_seconds)
    if not np.isfinite(t):
        raise CalibrationError(f"exposure time {t} s is not a finite number; it cannot select a dark")
    return round(t * 1e6)


@dataclass(frozen=True)
class MasterDark:
    """The statistics of the dark frames of one exposure time (and gain state).

    Attributes
    ----------
    exposure_time
        Seconds.
    gain
        The gain state of the frames (e.g. ``True`` for high gain) or None.
    mean, std, error
        Per-pixel mean, standard deviation (n form) and standard error of the mean.
    median
        Median of each frame used (1-D, one per frame).
    count
        Per-pixel number of frames that contributed (fewer where pixels were excluded).
    frames
        Indices of the frames used in the input stack.
    """

    exposure_time: float
    gain: Any
    mean: Any
    std: Any
    error: Any
    median: Any
    count: Any
    frames: tuple[int, ...]

    @property
    def nframes(self) -> int:
        """Number of frames used."""
        return len(self.frames)

    def summary(self) -> dict[str, Any]:
        """A JSON-friendly description (for provenance)."""
        return {"exposure_time": self.exposure_time, "gain": _plain(self.gain), "nframes": self.nframes}


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


@dataclass(frozen=True)
class DarkSet:
    """The master darks of a dark stack, looked up by exposure time and gain.

    Examples
    --------
    >>> import numpy as np
    >>> ds = master_darks(np.ones((4, 3, 3)), exposure_times=[1, 1, 2, 2])
    >>> len(ds), ds.exposure_times()
    (2, [1.0, 2.0])
    """

    darks: tuple[MasterDark, ...]
    source: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[MasterDark]:
        return iter(self.darks)

    def __len__(self) -> int:
        return len(self.darks)

    @property
    def shape(self) -> tuple[int, ...]:
        """Image shape of the darks."""
        return tuple(self.darks[0].mean.shape)

    def exposure_times(self, gain: Any = None) -> list[float]:
        """The exposure times available (for ``gain`` if given)."""
        return sorted({d.exposure_time for d in self.darks if gain is None or d.gain is None or d.gain == gain})

    def find(self, exposure_time: float, gain: Any = None) -> MasterDark | None:
        """The dark of this exposure time (to the microsecond) and gain, or None.

        Raises
        ------
        InconsistentInputError
            When ``gain`` is None but darks of several gain states match.
        """
        key = exposure_key(exposure_time)
        hits = [
            d
            for d in self.darks
            if exposure_key(d.exposure_time) == key and (gain is None or d.gain is None or d.gain == gain)
        ]
        if len(hits) > 1:
            raise InconsistentInputError(
                f"darks of {len(hits)} gain states ({[_plain(d.gain) for d in hits]}) match exposure time "
                f"{exposure_time} s; give the data's gain state (gain=...)"
            )
        return hits[0] if hits else None

    def persist(self) -> DarkSet:
        """The same darks with their lazy (dask) statistics computed once, in one pass over the stack.

        Lazy master darks are recomputed from the dark frames by every
        computation that uses them; persist them before calibrating many
        cubes. On a dask.distributed client the results stay on the cluster
        (``dask.persist``); numpy darks are returned as they are.

        Examples
        --------
        >>> import dask.array as da
        >>> ds = master_darks(da.ones((4, 3, 3), chunks=2), exposure_times=[1, 1, 2, 2]).persist()
        >>> float(ds.find(1.0).mean.sum().compute())
        9.0
        """
        import dataclasses

        fields = ("mean", "std", "error", "median", "count")
        lazy = [(i, f) for i, d in enumerate(self.darks) for f in fields if is_dask(getattr(d, f))]
        if not lazy:
            return self
        import dask

        done = dask.persist(*[getattr(self.darks[i], f) for i, f in lazy])
        updates: dict[int, dict[str, Any]] = {}
        for (i, f), value in zip(lazy, done, strict=True):
            updates.setdefault(i, {})[f] = value
        darks = tuple(dataclasses.replace(d, **updates.get(i, {})) for i, d in enumerate(self.darks))
        return dataclasses.replace(self, darks=darks)

    def linear_fit(self, gain: Any = None) -> tuple[Any, Any]:
        """Per-pixel least-squares ``dark = offset + rate * t`` over the darks (weighted by frame count).

        Raises
        ------
        CalibrationError
            Fewer than two distinct exposure times.
        """
        use = [d for d in self.darks if gain is None or d.gain is None or d.gain == gain]
        times = np.array([d.exposure_time for d in use])
        if len(np.unique(times)) < 2:
            raise CalibrationError(
                f"a linear dark model needs darks of at least two exposure times; have {sorted(set(times.tolist()))} s"
            )
        xp = xp_of(use[0].mean)
        w = np.array([d.nframes for d in use], dtype=float)
        tm = np.sum(w * times) / w.sum()
        stack = xp.stack([d.mean for d in use])
        wt = (w * (times - tm)).reshape((-1,) + (1,) * (stack.ndim - 1))
        rate = (wt * stack).sum(axis=0) / np.sum(w * (times - tm) ** 2)
        mean = (w.reshape(wt.shape) * stack).sum(axis=0) / w.sum()
        offset = mean - rate * tm
        return offset, rate


def _per_frame(values: Any, n: int, name: str) -> np.ndarray | None:
    if values is None:
        return None
    arr = np.atleast_1d(np.asarray(getattr(values, "value", values)))
    if arr.size == 1:
        arr = np.repeat(arr, n)
    if arr.shape[0] != n:
        raise InconsistentInputError(f"{name} has {arr.shape[0]} values for {n} frames")
    return arr


def check_exposure_times(times: np.ndarray, frames: Any = None) -> None:
    """Refuse exposure times (seconds, one per frame) that are NaN, infinite or negative.

    Zero is accepted (a bias frame). ``frames`` (the array or cube they belong
    to) only serves to name its file in the message.

    Raises
    ------
    CalibrationError
        Naming the bad values, their frame indices and the file if known.
    """
    t = np.asarray(times, dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(t) | (t < 0)
    if bad.any():
        raise CalibrationError(
            f"exposure times must be finite and >= 0; got {describe_frames(t, bad)}. Check the exposure times of the frames "
            "(the file's exposure-time values or exposure_times=...)",
            path=source_name(frames),
        )


def stack_and_times(frames: Any, exposure_times: Any, gain: Any, exposure_unit: str) -> tuple[Any, np.ndarray, Any]:
    """The 3-D data, exposure times (s) and gain states of a stack given as an array or a cube.

    Raises
    ------
    CalibrationError
        No exposure times, or one that is NaN, infinite or negative.
    InconsistentInputError
        The stack is not 3-D or the per-frame values do not match it.
    """
    data = getattr(frames, "data", frames)
    if not is_dask(data):
        data = np.asarray(data)
    if data.ndim == 2:
        data = data[None]
    if data.ndim != 3:
        raise InconsistentInputError(f"a dark stack must be (frame, y, x); got shape {data.shape}")
    n = data.shape[0]
    if exposure_times is None:
        exposure_times = frame_values(frames, "exposure_time")
    if exposure_times is None:
        raise CalibrationError(
            "the dark frames carry no exposure times; pass exposure_times=... or give a cube with an "
            "'exposure_time' coordinate"
        )
    times = _per_frame(seconds(exposure_times, exposure_unit), n, "exposure_times")
    check_exposure_times(times, frames)
    if gain is None:
        gain = frame_values(frames, "high_gain")
    gains = _per_frame(gain, n, "gain")
    return data, times, gains


def master_darks(
    frames: Any,
    *,
    exposure_times: Any = None,
    gain: Any = None,
    saturation: float | None = SATURATION_DN,
    exclude_saturated: str | None = "pixels",
    exposure_unit: str = "s",
) -> DarkSet:
    """Master darks per exposure time (and gain state) from a stack of dark frames.

    Parameters
    ----------
    frames
        (frame, y, x) array (numpy or dask) or an NDCube whose axis 0 carries
        ``exposure_time`` (and optionally ``high_gain``).
    exposure_times
        One per frame (or one for all): Quantity, or numbers in ``exposure_unit``.
    gain
        Gain state per frame (e.g. SHOW ``high_gain``); darks are then kept per state.
    saturation
        Saturation level in DN (default 16383); None disables the check.
    exclude_saturated
        ``"pixels"``: saturated pixels do not contribute (per-pixel counts);
        ``"frames"``: frames with any saturated pixel are dropped;
        None: keep everything. In every mode non-finite (NaN) values do not
        contribute either. A pixel left with no usable value in any frame of
        its exposure time has ``count`` 0 and NaN ``mean``, ``std`` and
        ``error`` (dark subtraction masks it); an exposure time with no usable
        pixel at all raises.
    exposure_unit
        Unit of plain-number exposure times (SHOW files may use ``"us"``).

    Returns
    -------
    DarkSet

    Raises
    ------
    CalibrationError
        An exposure time is left with no usable frame or no usable pixel (e.g.
        all saturated; from a lazy stack when the darks are computed), or an
        exposure time is NaN, infinite or negative (the message names the frames).
    InconsistentInputError
        The stack is not 3-D or the per-frame values do not match it.

    Examples
    --------
    >>> import numpy as np
    >>> f = np.stack([np.full((2, 2), 10.0), np.full((2, 2), 12.0), np.full((2, 2), 16383.0)])
    >>> d = master_darks(f, exposure_times=[1, 1, 1], exclude_saturated="frames").find(1)
    >>> float(d.mean[0, 0]), float(d.std[0, 0]), d.frames
    (11.0, 1.0, (0, 1))
    """
    if exclude_saturated not in ("pixels", "frames", None):
        raise ValueError(f"exclude_saturated must be 'pixels', 'frames' or None, not {exclude_saturated!r}")
    data, times, gains = stack_and_times(frames, exposure_times, gain, exposure_unit)
    xp = xp_of(data)
    keys = [(exposure_key(t), None if gains is None else _plain(gains[i])) for i, t in enumerate(times)]
    darks = []
    for key in sorted(set(keys), key=lambda k: (k[0], str(k[1]))):
        idx = [i for i, k in enumerate(keys) if k == key]
        group = as_float(data[idx])
        if saturation is not None and exclude_saturated == "frames":
            sat_frames = np.asarray((group >= saturation).any(axis=(1, 2)))
            idx = [i for i, s in zip(idx, sat_frames, strict=True) if not s]
            group = group[~sat_frames]
        elif saturation is not None and exclude_saturated == "pixels":
            group = xp.where(group >= saturation, np.nan, group)
        t = key[0] / 1e6
        if len(idx) == 0:
            raise CalibrationError(
                f"no usable dark frame for exposure time {t} s (gain {key[1]}): all frames are saturated "
                f"(>= {saturation} DN); take new darks or pass exclude_saturated=None"
            )
        count = xp.sum(xp.isfinite(group), axis=0)
        with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            excluded = "not finite" if saturation is None or exclude_saturated is None else (
                f"saturated (>= {saturation} DN) or not finite; take new darks or pass exclude_saturated=None"
            )
            mean = _require_usable(
                xp.nanmean(group, axis=0),
                count,
                f"no usable dark frame for exposure time {t} s (gain {key[1]}): every pixel of its "
                f"{len(idx)} frame(s) is {excluded}",
            )
            msd = xp.nanmean(group * group, axis=0) - mean * mean
            std = xp.sqrt(xp.maximum(msd, 0.0))
            nm1 = xp.where(count > 1, count - 1, 1)
            error = std / xp.sqrt(nm1)
            median = xp.nanmedian(group.reshape(group.shape[0], -1), axis=1)
        darks.append(
            MasterDark(
                exposure_time=t,
                gain=key[1],
                mean=mean,
                std=std,
                error=error,
                median=median,
                count=count,
                frames=tuple(int(i) for i in idx),
            )
        )
    source: dict[str, Any] = {"nframes": int(data.shape[0])}
    history = getattr(frames, "meta", None)
    if history is not None:
        from irisplug.provenance import history as _history

        source["history"] = [r.get("step") for r in _history(frames)]
        for k in ("filename", "FILENAME", "groupname", "source"):
            if k in history:
                source[k] = str(history[k])
    return DarkSet(tuple(darks), source)


def _check_usable(block: Any, usable: Any, message: str) -> Any:
    if not bool(usable):
        raise CalibrationError(message)
    return block


def _require_usable(mean: Any, count: Any, message: str) -> Any:
    """``mean``, after checking that some pixel has a usable frame (``count > 0``).

    A numpy ``count`` is checked now; for dask the check is part of the lazy
    ``mean`` and raises when it is computed (no extra pass over the frames).
    """
    if not is_dask(count):
        if not np.any(count):
            raise CalibrationError(message)
        return mean
    import dask.array as da

    usable = (count > 0).any()
    return da.map_blocks(_check_usable, mean, usable, message=message, dtype=mean.dtype, meta=np.array((), mean.dtype))


def dark_for_frames(
    darks: DarkSet, times: np.ndarray, gains: Any, *, fallback: str = "linear"
) -> tuple[Any, Any, list[dict[str, Any]]]:
    """The dark (and its standard error) for each frame, stacked like the data.

    Returns
    -------
    dark, error, used
        (n, y, x) arrays and a description of what was used per unique key.

    Raises
    ------
    CalibrationError
        No dark for an exposure time and ``fallback="error"`` (or no fit possible).
    """
    keys = [(exposure_key(t), None if gains is None else _plain(gains[i])) for i, t in enumerate(times)]
    uniq = sorted(set(keys), key=lambda k: (k[0], str(k[1])))
    images, errors, used = [], [], []
    fits: dict[Any, tuple[Any, Any]] = {}
    for key in uniq:
        t = key[0] / 1e6
        d = darks.find(t, key[1])
        if d is not None:
            images.append(d.mean)
            errors.append(d.error)
            used.append({**d.summary(), "method": "same exposure time"})
            continue
        available = darks.exposure_times(key[1])
        if fallback != "linear":
            raise CalibrationError(
                f"no dark for exposure time {t} s (gain {key[1]}); darks exist for {available} s. "
                "Take darks at this exposure time or use fallback='linear'"
            )
        if key[1] not in fits:
            fits[key[1]] = darks.linear_fit(key[1])
        offset, rate = fits[key[1]]
        warnings.warn(
            f"no dark for exposure time {t} s (gain {key[1]}); using a per-pixel linear fit "
            f"offset + rate * t over the darks of {available} s",
            CalibrationWarning,
            stacklevel=3,
        )
        images.append(offset + rate * t)
        spread = [abs(x.error) for x in darks if key[1] is None or x.gain is None or x.gain == key[1]]
        errors.append(sum(spread[1:], spread[0]) / len(spread))
        used.append({"exposure_time": t, "gain": key[1], "method": "linear fit", "fit_exposure_times": available})
    xp = xp_of(images[0])
    inverse = np.array([uniq.index(k) for k in keys])
    dark = xp.stack(images)[inverse]
    error = xp.stack(errors)[inverse]
    return dark, error, used


def check_shape(data_shape: Sequence[int], image_shape: Sequence[int], what: str) -> None:
    """Raise when a calibration image does not match the data's image shape."""
    if tuple(data_shape[-len(image_shape) :]) != tuple(image_shape):
        raise InconsistentInputError(
            f"{what} of shape {tuple(image_shape)} does not match the data's image shape {tuple(data_shape[-2:])}"
        )
