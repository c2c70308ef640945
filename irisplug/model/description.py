"""What an observation is, in keys the READER sets, so the core and generic plugins read no instrument's keywords.

Keys of an object's ``meta`` (an :class:`~irisplug.model.Observation`'s, a
cube's, a sequence's first cube's):

``observation_id``
    The instrument's identifier of the observation (its observing program or
    file set), a string. ``repr`` and ``print`` of an Observation start with
    it; ``to_xarray`` and the dataset stores carry it.
``description``
    A one-line human description of the observation, a string (the title
    line of ``print(obs)``).
``summary_keys``
    The meta keys, in order, that describe the observation to a person (its
    start and end, pointing, program): ``print(obs)`` lists their values,
    ``to_xarray`` carries them as attributes, and the maps and FITS files
    irisplug writes copy those that are FITS keywords.

Beside these, the core reads only keywords of the FITS standard and the
SOLARNET metadata recommendations (Haugan & Fredvik): ``TELESCOP``,
``INSTRUME``, ``DETECTOR``, ``EXPTIME``, ``DATE-OBS``, ``WAVELNTH`` (the
nominal wavelength, in angstrom unless ``WAVEUNIT`` says otherwise: a unit
name, or the SOLARNET power of ten of a metre, -10 for angstrom) and
``WAVEMIN``/``WAVEMAX`` (the wavelength range of a window), ``FILENAME``
and ``BUNIT``, which a reader sets where its files name them otherwise.

Examples
--------
>>> meta = with_description({"DATE-BEG": "2014-03-29T14:09:38"}, observation_id="3860258481",
...                         description="Large sparse raster", summary_keys=("DATE-BEG",))
>>> import numpy as np, ndcube
>>> from astropy.wcs import WCS
>>> cube = ndcube.NDCube(np.zeros(2), wcs=WCS(naxis=1), meta=meta)
>>> observation_id(cube), observation_description(cube)
('3860258481', 'Large sparse raster')
>>> summary_items(cube)
[('DATE-BEG', '2014-03-29T14:09:38')]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "OBSERVATION_ID",
    "DESCRIPTION",
    "SUMMARY_KEYS",
    "STANDARD_KEYS",
    "with_description",
    "observation_id",
    "observation_description",
    "summary_items",
    "fits_keyword_items",
    "wave_unit",
    "summary_text",
]

OBSERVATION_ID = "observation_id"
DESCRIPTION = "description"
SUMMARY_KEYS = "summary_keys"
#: FITS-standard keywords any instrument's reader may set, which the core carries (maps, xarray attributes, FITS files)
STANDARD_KEYS = ("TELESCOP", "INSTRUME", "DETECTOR", "DATE-OBS", "EXPTIME", "WAVELNTH", "WAVEUNIT", "WAVEMIN",
                 "WAVEMAX", "FILENAME", "BUNIT")


def with_description(meta: Any, *, observation_id: Any = None, description: Any = None,
                     summary_keys: Iterable[str] | None = None) -> Any:
    """``meta`` (a dict or NDMeta, updated in place when it is one) with the observation's description keys set.

    ``observation_id`` and ``description`` are stored as stripped strings
    (a numeric identifier becomes its decimal text); None leaves a key alone.

    Examples
    --------
    >>> with_description({"OBS": 7}, observation_id=42, summary_keys=["OBS"])
    {'OBS': 7, 'observation_id': '42', 'summary_keys': ('OBS',)}
    """
    out = {} if meta is None else meta
    for key, value in ((OBSERVATION_ID, observation_id), (DESCRIPTION, description)):
        if value is None:
            continue
        if isinstance(value, bool) or not (isinstance(value, str) or hasattr(value, "__index__")):
            raise ValueError(f"{key} must be a string (or an integer identifier), got {value!r}")
        text = str(value).strip()
        if text:
            out[key] = text
    if summary_keys is not None:
        keys = tuple(summary_keys) if not isinstance(summary_keys, str) else (summary_keys,)
        if not all(isinstance(k, str) and k for k in keys):
            raise ValueError(f"summary_keys must be meta keys (strings), got {summary_keys!r}")
        out[SUMMARY_KEYS] = keys
    return out


def _metas(obj: Any) -> list[Mapping[str, Any]]:
    """The meta mappings that describe ``obj``: its own, then (a sequence) its first cube's."""
    out = []
    meta = getattr(obj, "meta", None)
    if isinstance(meta, Mapping):
        out.append(meta)
    cubes = getattr(obj, "data", None)
    if isinstance(cubes, (list, tuple)) and cubes:
        first = getattr(cubes[0], "meta", None)
        if isinstance(first, Mapping):
            out.append(first)
    return out


def _text(obj: Any, key: str) -> str | None:
    for meta in _metas(obj):
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def observation_id(obj: Any) -> str | None:
    """The observation identifier the reader set (meta ``observation_id``), or None.

    Examples
    --------
    >>> from irisplug.model import Observation
    >>> observation_id(Observation({}, meta={"observation_id": "3860258481"}))
    '3860258481'
    """
    return _text(obj, OBSERVATION_ID)


def observation_description(obj: Any) -> str | None:
    """The one-line description the reader set (meta ``description``), or None.

    Examples
    --------
    >>> from irisplug.model import Observation
    >>> observation_description(Observation({}, meta={"description": "sit-and-stare"}))
    'sit-and-stare'
    """
    return _text(obj, DESCRIPTION)


def summary_items(obj: Any) -> list[tuple[str, Any]]:
    """``(key, value)`` of every key the reader listed in ``summary_keys`` that the meta holds, in its order.

    Without ``summary_keys``, the FITS-standard ``TELESCOP``, ``INSTRUME``
    and ``DATE-OBS`` where present.

    Examples
    --------
    >>> from irisplug.model import Observation
    >>> summary_items(Observation({}, meta={"TELESCOP": "MAVEN", "X": 1}))
    [('TELESCOP', 'MAVEN')]
    """
    metas = _metas(obj)
    keys: tuple[str, ...] = ("TELESCOP", "INSTRUME", "DATE-OBS")
    for meta in metas:
        declared = meta.get(SUMMARY_KEYS)
        if isinstance(declared, (list, tuple)):
            keys = tuple(k for k in declared if isinstance(k, str))
            break
    out = []
    for key in keys:
        for meta in metas:
            if key in meta and meta[key] is not None:
                out.append((key, meta[key]))
                break
    return out


def _is_fits_keyword(key: str) -> bool:
    return 0 < len(key) <= 8 and all(c.isdigit() or "A" <= c <= "Z" or c in "-_" for c in key)


def fits_keyword_items(obj: Any) -> list[tuple[str, Any]]:
    """The standard keywords and the summary keys that are FITS keywords with a card value (str, int, float, bool).

    What the maps and FITS files irisplug writes copy from the reader's meta,
    in order, each key once.

    Examples
    --------
    >>> import numpy as np, ndcube
    >>> from astropy.wcs import WCS
    >>> meta = {"TELESCOP": "MAVEN", "ORBIT": 7, "window_header": {}, "summary_keys": ("ORBIT", "window_header")}
    >>> fits_keyword_items(ndcube.NDCube(np.zeros(1), wcs=WCS(naxis=1), meta=meta))
    [('TELESCOP', 'MAVEN'), ('ORBIT', 7)]
    """
    import numpy as np

    metas = _metas(obj)
    out: dict[str, Any] = {}
    keys = [*STANDARD_KEYS, *(k for k, _ in summary_items(obj))]
    for key in keys:
        if key in out or not _is_fits_keyword(key):
            continue
        value = next((m[key] for m in metas if key in m), None)
        if isinstance(value, (np.generic,)):
            value = value.item()
        if isinstance(value, (str, int, float, bool)):
            out[key] = value
    return list(out.items())


def wave_unit(meta: Mapping[str, Any]) -> Any:
    """The unit of ``WAVELNTH``/``WAVEMIN``/``WAVEMAX``: ``WAVEUNIT`` as a unit name or a power of ten of a metre.

    Angstrom without ``WAVEUNIT``; raises ValueError for a value that is neither.

    Examples
    --------
    >>> wave_unit({"WAVEUNIT": -9}), wave_unit({"WAVEUNIT": "Angstrom"}), wave_unit({})
    (Unit("nm"), Unit("Angstrom"), Unit("Angstrom"))
    """
    import astropy.units as u

    value = meta.get("WAVEUNIT")
    if value is None:
        return u.AA
    if not isinstance(value, bool) and (isinstance(value, (int, float)) or str(value).lstrip("+-").isdigit()):
        power = int(float(value))
        return {-10: u.AA, -9: u.nm, -6: u.um, -3: u.mm, 0: u.m}.get(power, u.Unit(10.0**power * u.m))
    unit = u.Unit(str(value))
    if not unit.is_equivalent(u.m):
        raise ValueError(f"WAVEUNIT {value!r} is not a length unit")
    return unit


def _axes_text(cube: Any) -> str:
    from irisplug.model.wavelength_grid import axis_name

    names = []
    for types in getattr(cube, "array_axis_physical_types", ()):
        own = [str(t) for t in types if t]
        names.append(axis_name(own[0]) if own else "?")
    return ", ".join(names)


def summary_text(obj: Any) -> str:
    """A printable summary of what a reader returned that has no ``info_text`` of its own (a cube, a sequence,
    a collection of cubes): the observation's description keys, then one line per member (shape, unit, axes).

    Examples
    --------
    >>> import numpy as np, ndcube, astropy.units as u
    >>> from astropy.wcs import WCS
    >>> w = WCS(naxis=1); w.wcs.ctype = ["WAVE"]; w.wcs.cunit = ["nm"]
    >>> cube = ndcube.NDCube(np.zeros(5), wcs=w, unit=u.R, meta={"observation_id": "orbit 7", "TELESCOP": "MAVEN"})
    >>> print(summary_text(ndcube.NDCollection([("radiance", cube)])))
    NDCollection orbit 7
      TELESCOP  MAVEN
    <BLANKLINE>
      radiance  (5,)  R  (wl)
    """
    members = list(obj.items()) if hasattr(obj, "items") and not hasattr(obj, "wcs") else [("", obj)]
    own = isinstance(getattr(obj, "meta", None), Mapping) and observation_id(obj) is not None
    ids = {observation_id(m) for _, m in members}
    shared = own or len(ids) == 1  # one observation: its description once; several: one per member
    source = obj if own or not members else members[0][1]
    oid, desc = (observation_id(source), observation_description(source)) if shared else (None, None)
    if shared:
        lines = [f"{type(obj).__name__} {oid or '?'}" + (f": {desc}" if desc else "")]
    else:
        lines = [f"{type(obj).__name__} of {len(members)} cubes from {len(ids)} observations"]
    if shared:
        lines.extend(f"  {key:9s} {value}" for key, value in summary_items(source)
                     if str(value).strip() not in {oid, desc})
    lines.append("")
    width = max([len(str(k)) for k, _ in members] + [8])
    for key, value in members:
        cubes = getattr(value, "data", None)
        if isinstance(cubes, list):  # a sequence: its cubes' shape after their number
            cube = cubes[0] if cubes else value
            shape = (len(cubes), *getattr(getattr(cube, "data", None), "shape", ()))
        else:
            cube, shape = value, getattr(cubes, "shape", ())
        unit = getattr(cube, "unit", None)
        line = f"  {key!s:{width}s}  {tuple(shape)}  {'' if unit is None else unit}  ({_axes_text(cube)})"
        if not shared and observation_description(value):
            line += f"  {observation_description(value)}"
        lines.append(line)
    return "\n".join(lines)
