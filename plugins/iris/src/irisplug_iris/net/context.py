"""Context data beside IRIS: the sunpy ``Fido`` query for co-temporal AIA images.

The AIA files come from sunpy's own clients (JSOC, VSO); this module only
builds the query from an IRIS observation: its time range (``STARTOBS`` to
``ENDOBS``, widened by a margin) and the AIA band that matches a slit-jaw
channel. Then ``sunpy.map.Map(files)``, ``irisplug.calibrate(m, "aia-register")``
and ``irisplug.coalign(sji, m)``; see docs/getting-data.md.
"""

from __future__ import annotations

from typing import Any

import astropy.units as u

__all__ = ["aia_query", "AIA_BAND_FOR_SJI", "observation_times"]

#: the AIA band closest in formation to an IRIS slit-jaw channel, the usual pairing for IRIS-AIA
#: co-alignment: AIA's UV channels, 1600 A for the FUV slit-jaws 1330/1400 and 1700 A for the NUV
#: slit-jaws 2796/2832 (a convention, not a rule: pass ``wavelength=`` for another band)
AIA_BAND_FOR_SJI = {1330: 1600, 1400: 1600, 2796: 1700, 2832: 1700}


def observation_times(obs: Any) -> tuple[Any, Any]:
    """(start, end) as astropy Times from an Observation/cube (``STARTOBS``/``ENDOBS``) or a search row.

    Examples
    --------
    >>> observation_times({"STARTOBS": "2014-03-29T14:09:38.830", "ENDOBS": "2014-03-29T17:54:20.671"})[1].isot
    '2014-03-29T17:54:20.671'
    """
    from astropy.time import Time

    if "Start Time" in getattr(obs, "colnames", ()):  # a row of the IRIS client's table
        return Time(obs["Start Time"]), Time(obs["End Time"])
    meta = obs if isinstance(obs, dict) else getattr(obs, "meta", None)
    if meta is None:
        meta = {}
    if "STARTOBS" not in meta:
        from irisplug.errors import MissingKeywordError

        raise MissingKeywordError(f"cannot find the observation's time range: {type(obs).__name__} has no STARTOBS in its meta")
    start = Time(str(meta["STARTOBS"]))
    end = Time(str(meta.get("ENDOBS") or meta["STARTOBS"]))
    return start, end


def aia_query(obs: Any, *, sji: int | str | None = None, wavelength: Any = None, margin: Any = 60 * u.s,
              cadence: Any = None) -> Any:
    """The ``Fido.search`` query for AIA images co-temporal with an IRIS observation.

    Parameters
    ----------
    obs
        An IRIS Observation, cube or sequence (``STARTOBS``/``ENDOBS`` in its
        meta) or a row of the IRIS client's search table.
    sji
        The slit-jaw band to match (1330, 1400, 2796, 2832, or ``"SJI_1400"``):
        picks the AIA band from :data:`AIA_BAND_FOR_SJI`. Default 1600 A.
    wavelength
        An explicit AIA band (Quantity or number in Angstrom); overrides ``sji``.
    margin
        Widening of the time range on both sides.
    cadence
        ``a.Sample`` cadence (e.g. ``5 * u.min``) to thin a long observation.

    Returns
    -------
    sunpy.net.attr.AttrAnd
        Pass it to ``Fido.search``; sunpy's JSOC/VSO clients answer it.

    Examples
    --------
    >>> q = aia_query({"STARTOBS": "2014-03-29T14:09:38", "ENDOBS": "2014-03-29T14:40:00"}, sji=2796)
    >>> [type(x).__name__ for x in q.attrs]
    ['Time', 'Instrument', 'Wavelength']
    """
    from sunpy.net import attrs as a

    from irisplug_iris.net.attrs import normalize_product

    start, end = observation_times(obs)
    margin = u.Quantity(margin, u.s)
    if wavelength is None:
        band = 1600
        if sji is not None:
            number = int(normalize_product(sji).removeprefix("SJI_"))
            if number not in AIA_BAND_FOR_SJI:
                raise ValueError(f"no AIA band is paired with SJI {number}; pass wavelength= (known: {sorted(AIA_BAND_FOR_SJI)})")
            band = AIA_BAND_FOR_SJI[number]
        wavelength = band * u.AA
    wavelength = u.Quantity(wavelength, u.AA)
    query = a.Time(start - margin, end + margin) & a.Instrument("AIA") & a.Wavelength(wavelength)
    if cadence is not None:
        query = query & a.Sample(u.Quantity(cadence, u.s))
    return query
