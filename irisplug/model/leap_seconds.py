"""Astropy times as numpy ``datetime64`` (what xarray and pandas hold), times inside a leap second included.

numpy's ``datetime64`` counts POSIX time, which has no leap seconds, so
``Time.datetime64`` raises for a UTC time such as 2016-12-31T23:59:60.07
(an IRIS exposure can end there). :func:`utc_datetime64` converts such a
time as astropy's ``Time.to_datetime(leap_second_strict="warn")`` does:
to the same fraction of the first second of the next day (23:59:60.07 ->
00:00:00.07), with an :class:`irisplug.errors.LeapSecondWarning` saying how
many values moved; every other value converts exactly (nanoseconds).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

__all__ = ["utc_datetime64"]


def utc_datetime64(time: Any, what: str = "times") -> np.ndarray:
    """``time`` (an astropy ``Time``, any scale) in UTC as ``datetime64[ns]``; see the module docstring.

    Examples
    --------
    >>> import warnings
    >>> from astropy.time import Time
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     utc_datetime64(Time(["2016-12-31T23:59:59.5", "2016-12-31T23:59:60.07"])).tolist()
    [1483228799500000000, 1483228800070000000]
    """
    import astropy.units as u

    utc = time.utc
    try:
        return np.asarray(utc.datetime64, dtype="datetime64[ns]")
    except ValueError:
        leap = np.asarray(utc.ymdhms["second"]) >= 60
        if not leap.any():
            raise
    from irisplug.errors import LeapSecondWarning

    warnings.warn(f"{int(leap.sum())} of the {what} lie inside a leap second, which numpy's datetime64 cannot "
                  f"hold: they read as the same fraction of the next second (astropy's Time.to_datetime "
                  f"convention)", LeapSecondWarning, stacklevel=3)
    return np.asarray((utc + np.where(leap, 1.0, 0.0) * u.s).datetime64, dtype="datetime64[ns]")
