"""The LMSAL Heliophysics Coverage Registry (HCR) search API, IRIS part.

``<HCR>?cmd=search-events3&outputformat=json&startTime=..&stopTime=..&hasData=true``
returns ``{"Events": [...]}``, one entry per IRIS observation, with
``iris_obsid``, ``startTime``, ``stopTime``, ``goal``, ``xCen``, ``yCen``,
``raster_fovx``, ``raster_fovy``, ``sji_fovx``, ``sji_fovy``, ``eventId`` ...
Filters: ``obsId``, ``obsDesc`` (free text), ``minXcen``/``maxXcen``,
``minYcen``/``maxYcen``, ``limit``. (HEK API documentation,
https://hekapidocs.readthedocs.io/en/latest/hek_api.html; startTime and
stopTime are required and select observations overlapping the interval.)

The API has no offset or page parameter, and a reply holds at most 400
entries on full (``json``) searches, whatever ``limit`` asks. So
:func:`search_all` pages by time: a reply as long as the page size
(:data:`PAGE_SIZE`) may be cut, and its interval is split in two and asked
again, until every reply is shorter than a page; rows are merged and
de-duplicated by ``eventId``. The total is bounded by ``max_rows``
(``IRISPLUG_IRIS_MAX_ROWS``, default :data:`DEFAULT_MAX_ROWS`); reaching the
bound is an :class:`~irisplug.IrisplugWarning` naming it, never a silent cut.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from irisplug.errors import InvalidArgumentError, IrisplugWarning
from irisplug_iris.net.config import hcr_url
from irisplug_iris.net.errors import HCRError

__all__ = [
    "HCRQuery",
    "search_events",
    "search_all",
    "max_rows",
    "Observation",
    "parse_events",
    "matches_text",
    "MISSION_START",
    "PAGE_SIZE",
    "DEFAULT_MAX_ROWS",
]

#: IRIS launched 2013-06-27; first science data 2013-07-17
MISSION_START = "2013-07-17T00:00"
_TIME_FORMAT = "%Y-%m-%dT%H:%M"
#: entries asked for per request: the HCR returns at most 400 on full (json) searches (HEK API documentation)
PAGE_SIZE = 400
#: the default bound on the rows of one search (``IRISPLUG_IRIS_MAX_ROWS``); IRIS makes about 11 observations a day
DEFAULT_MAX_ROWS = 5000
#: fields never matched by the client's free-text filter: identifiers and links, not text about the observation
_NOT_TEXT = frozenset({"eventId", "eventKey", "parentUrl", "url", "instrument"})


@dataclass
class HCRQuery:
    """What one HCR search asks for (times as ISO strings, pointing in arcsec)."""

    start: str = MISSION_START
    stop: str | None = None
    obsid: int | None = None
    description: str | None = None
    xmin: float | None = None
    xmax: float | None = None
    ymin: float | None = None
    ymax: float | None = None
    limit: int = PAGE_SIZE

    def params(self) -> dict[str, str]:
        """The URL parameters of ``cmd=search-events3``.

        Examples
        --------
        >>> HCRQuery(start="2014-03-29T00:00", stop="2014-03-30T00:00", obsid=3860258481).params()["obsId"]
        '3860258481'
        """
        import astropy.units as u
        from astropy.time import Time

        stop = Time(self.stop) if self.stop else Time.now()
        p = {
            "cmd": "search-events3",
            "outputformat": "json",
            "startTime": Time(self.start).strftime(_TIME_FORMAT),
            # HCR times are to the minute: round the stop up so the interval is not cut short
            "stopTime": (stop + 59.999 * u.s).strftime(_TIME_FORMAT),
            "hasData": "true",
            "limit": str(int(self.limit)),
        }
        if self.obsid is not None:
            p["obsId"] = str(int(self.obsid))
        if self.description:
            p["obsDesc"] = self.description
        for key, value in (("minXcen", self.xmin), ("maxXcen", self.xmax), ("minYcen", self.ymin), ("maxYcen", self.ymax)):
            if value is not None:
                p[key] = f"{value:g}"
        return p

    def url(self) -> str:
        """The full request URL against the configured HCR (``IRISPLUG_IRIS_HCR_URL``)."""
        return f"{hcr_url()}?{urllib.parse.urlencode(self.params())}"


@dataclass
class Observation:
    """One HCR entry: the fields the client uses, parsed."""

    obsid: int
    start: str
    stop: str
    description: str
    xcen: float
    ycen: float
    raster_fov: tuple[float, float]
    sji_fov: tuple[float, float]
    directory: str
    event_id: str
    raw: dict[str, Any]


def _float(event: dict[str, Any], key: str) -> float:
    try:
        return float(event.get(key))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return float("nan")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


_EVENT_ID = re.compile(r"IRIS_(\d{8})_(\d{6})_(\d+)")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?Z?$")


def _parse_time(value: Any) -> str:
    """An HCR time (``2014-03-29 14:09:38``, ``2014-03-29T14:09:38.830``) as ISO ``YYYY-MM-DDTHH:MM:SS.sss``.

    Raises
    ------
    ValueError
        ``value`` is not such a time (None, empty, ``"n/a"``, a number, another format).

    Examples
    --------
    >>> _parse_time("2014-03-29 14:09:38")
    '2014-03-29T14:09:38.000'
    """
    if not isinstance(value, str) or not _ISO.match(value.strip()):
        raise ValueError(f"not an ISO time: {value!r}")
    when = _dt.datetime.fromisoformat(value.strip().rstrip("Z").replace(" ", "T"))
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}"


def _directory(event: dict[str, Any], obsid: int, start: str) -> str:
    """``YYYY/MM/DD/<YYYYMMDD>_<HHMMSS>_<OBSID>``: from the eventId (the archive's own naming) or the start time."""
    m = _EVENT_ID.search(_text(event.get("eventId")))
    if m:
        date, time = m.group(1), m.group(2)
    else:
        digits = re.sub(r"\D", "", start)
        date, time = digits[:8], (digits[8:14] + "000000")[:6]
    return f"{date[:4]}/{date[4:6]}/{date[6:8]}/{date}_{time}_{obsid}"


def _obsid(value: Any) -> int:
    """``iris_obsid`` as an int: a whole non-negative number, or a string of one (``"3860258481"``, ``3.86e9``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"iris_obsid is {type(value).__name__}, not a number")
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    number = float(value)
    if not math.isfinite(number) or number != int(number) or number < 0:
        raise ValueError(f"iris_obsid {value!r} is not a whole number >= 0")
    return int(number)


def matches_text(event: dict[str, Any], text: str) -> bool:
    """Whether ``text`` occurs (case-insensitive, runs of white space as one) in a text field of the entry.

    The HCR's ``obsDesc`` filter searches "the planner's description and other
    related fields, including some text describing the observation program"
    (HEK API documentation; ``goal``, ``obsTitle``, ``target`` ...) without
    listing them, so the client, which applies the filter again (a mirror
    may ignore it), matches every string field of the entry except
    identifiers and links (``eventId``, ``parentUrl`` ...): it never drops a
    row the HCR matched.

    Examples
    --------
    >>> matches_text({"goal": "Flare watch AR 12017"}, "flare"), matches_text({"goal": "QS"}, "flare")
    (True, False)
    """
    needle = " ".join(str(text).split()).lower()
    if not needle:
        return True
    return any(
        isinstance(value, str) and key not in _NOT_TEXT and needle in " ".join(value.split()).lower()
        for key, value in event.items()
    )


def parse_events(payload: Any, url: str) -> list[Observation]:
    """The observations in an HCR JSON reply.

    Times are returned as ISO strings (``YYYY-MM-DDTHH:MM:SS.sss``, UTC).
    Fields the client only shows (description, centre, fields of view) are
    read leniently: a missing or malformed one is empty or NaN.

    Raises
    ------
    HCRError
        The reply is not ``{"Events": [...]}``, an entry is not an object, or
        an entry lacks a usable ``iris_obsid``, ``startTime`` or ``stopTime``
        (missing, null, empty, ``"n/a"``, not a time, a stop before the start).

    Examples
    --------
    >>> event = {"iris_obsid": "3860258481", "startTime": "2014-03-29 14:09:38", "stopTime": "2014-03-29 14:10:44"}
    >>> parse_events({"Events": [event]}, "http://hcr")[0].directory
    '2014/03/29/20140329_140938_3860258481'
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("Events"), list):
        keys = sorted(map(str, payload))[:8] if isinstance(payload, dict) else type(payload).__name__
        raise HCRError(f"the HCR reply has no 'Events' list (got {keys}); the service may have changed or failed", path=url)
    out = []
    for i, event in enumerate(payload["Events"]):
        if not isinstance(event, dict):
            raise HCRError(f"HCR entry {i} is a {type(event).__name__}, not an object; the service may have changed", path=url)
        try:
            obsid = _obsid(event.get("iris_obsid"))
            start, stop = _parse_time(event.get("startTime")), _parse_time(event.get("stopTime"))
            if stop < start:
                raise ValueError(f"stopTime {stop} is before startTime {start}")
        except (TypeError, ValueError, OverflowError) as exc:
            raise HCRError(
                f"HCR entry {i} lacks a usable iris_obsid/startTime/stopTime ({exc}); the service sent a malformed "
                "entry: retry later, or set IRISPLUG_IRIS_HCR_URL to another HCR",
                path=url,
            ) from exc
        out.append(
            Observation(
                obsid=obsid,
                start=start,
                stop=stop,
                description=_text(event.get("goal")) or _text(event.get("obsTitle")),
                xcen=_float(event, "xCen"),
                ycen=_float(event, "yCen"),
                raster_fov=(_float(event, "raster_fovx"), _float(event, "raster_fovy")),
                sji_fov=(_float(event, "sji_fovx"), _float(event, "sji_fovy")),
                directory=_directory(event, obsid, start),
                event_id=_text(event.get("eventId")),
                raw=event,
            )
        )
    return out


def max_rows() -> int:
    """The bound on the rows of one search: ``IRISPLUG_IRIS_MAX_ROWS`` or :data:`DEFAULT_MAX_ROWS`.

    Raises
    ------
    InvalidArgumentError
        The variable is set to 0 (an IrisplugError, as for a value that is no number >= 0: the core's parser).

    Examples
    --------
    >>> max_rows() >= 1
    True
    """
    from irisplug.limits import env_number  # the core's parser: a value that is no number names the variable

    value = int(env_number("IRISPLUG_IRIS_MAX_ROWS", DEFAULT_MAX_ROWS, int))
    if value < 1:
        raise InvalidArgumentError(f"IRISPLUG_IRIS_MAX_ROWS={value} must be a whole number >= 1 (rows of one search)")
    return value


def _minute(text: str) -> _dt.datetime:
    when = _dt.datetime.fromisoformat(text.replace(" ", "T")).replace(tzinfo=None)
    return when.replace(second=0, microsecond=0)


def _key(obs: Observation) -> str:
    return obs.event_id or f"{obs.obsid}@{obs.start}"


def search_all(
    query: HCRQuery,
    *,
    limit: int | None = None,
    page_size: int = PAGE_SIZE,
    timeout: float = 60.0,
) -> list[Observation]:
    """Every observation ``query`` selects, paged by time, at most ``limit`` rows.

    The HCR has no offset parameter and cuts a reply at its page size without
    saying so. A reply of exactly ``page_size`` entries is therefore treated
    as possibly cut: its interval is split at the middle minute and each half
    asked again (a longer reply comes from a server that honours no
    ``limit`` and is complete). Rows are merged in time order and
    de-duplicated by ``eventId`` (an observation spanning a split appears in
    both halves). A server that ignores the time range (a full reply holding
    observations outside the interval asked for) cannot be paged by time: the
    whole range is then asked for once with ``limit`` set to the bound + 1.

    Parameters
    ----------
    query
        The search; its ``limit`` is replaced by ``page_size``.
    limit
        The most rows returned; default :func:`max_rows` (``IRISPLUG_IRIS_MAX_ROWS``).
    page_size
        Entries asked for per request (the HCR's cap is 400).

    Warns
    -----
    IrisplugWarning
        ``limit`` rows were reached (the earliest ``limit`` are returned; the
        message names the bound and how to raise it), or one minute holds more
        than a page of observations (the only case paging cannot split).

    Raises
    ------
    HCRError
        As :func:`search_events`.
    InvalidArgumentError
        The stop of the query is before its start.

    Examples
    --------
    >>> search_all(HCRQuery(start="2014-03-01T00:00", stop="2014-04-01T00:00"))  # doctest: +SKIP
    [Observation(obsid=..., ...), ...]
    """
    import dataclasses
    import warnings

    bound = max_rows() if limit is None else int(limit)
    if bound < 1:
        raise InvalidArgumentError(f"max_rows must be >= 1, got {limit!r}")
    first = _minute(query.params()["startTime"])
    last = _minute(query.params()["stopTime"])
    if last < first:
        raise InvalidArgumentError(f"the search stops ({query.stop}) before it starts ({query.start}); swap start and end")
    found: dict[str, Observation] = {}
    pending = [(first, last)]  # a stack, earliest interval on top: rows arrive in time order
    while pending:
        t0, t1 = pending.pop()
        page = dataclasses.replace(query, start=t0.strftime(_TIME_FORMAT), stop=t1.strftime(_TIME_FORMAT), limit=page_size)
        rows = search_events(page, timeout=timeout)
        if len(rows) == page_size and _outside(rows, t0, t1):
            # the server ignores the time range, so it cannot be paged by time: ask for everything at once
            found = {}
            page = dataclasses.replace(query, limit=bound + 1)
            for obs in search_events(page, timeout=timeout):
                found.setdefault(_key(obs), obs)
            pending = []
            break
        if len(rows) == page_size and t1 - t0 > _dt.timedelta(minutes=1):
            mid = (t0 + (t1 - t0) // 2).replace(second=0, microsecond=0)
            pending += [(mid, t1), (t0, mid)]  # both strictly shorter: t0 < mid < t1
            continue
        if len(rows) == page_size:
            warnings.warn(
                f"the HCR holds more than {page_size} IRIS observations in the minute from {t0:%Y-%m-%dT%H:%M}; "
                "some of them may be missing from the result",
                IrisplugWarning,
                stacklevel=2,
            )
        for obs in sorted(rows, key=lambda o: o.start):
            found.setdefault(_key(obs), obs)
        if len(found) >= bound and pending:
            break
    rows = sorted(found.values(), key=lambda o: o.start)
    if len(rows) > bound or pending:
        warnings.warn(
            f"the search matches more than {bound} IRIS observations; only the first {bound} (in time) are returned. "
            "Narrow the time range, or raise the bound (max_rows=, --max-rows, IRISPLUG_IRIS_MAX_ROWS)",
            IrisplugWarning,
            stacklevel=2,
        )
    return rows[:bound]


def _outside(rows: list[Observation], t0: _dt.datetime, t1: _dt.datetime) -> bool:
    """Whether a reply holds an observation that does not overlap the minutes ``t0`` .. ``t1`` it was asked for."""
    first = t0.strftime("%Y-%m-%dT%H:%M:%S.000")
    last = (t1 + _dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.000")
    return any(o.stop < first or o.start > last for o in rows)


def search_events(query: HCRQuery, *, timeout: float = 60.0) -> list[Observation]:
    """Run ``query`` against the HCR and parse the reply.

    Raises
    ------
    HCRError
        The service is unreachable, answers with an HTTP error or an HTML
        page, or sends malformed JSON; the message names the URL and says
        to retry later or point ``IRISPLUG_IRIS_HCR_URL`` elsewhere.

    Examples
    --------
    >>> search_events(HCRQuery(obsid=3620258102))  # doctest: +SKIP
    [Observation(obsid=3620258102, ...)]
    """
    url = query.url()
    hint = "retry later, or set IRISPLUG_IRIS_HCR_URL to a working HCR endpoint"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise HCRError(f"the HCR answered HTTP {exc.code} ({exc.reason}); {hint}", path=url) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise HCRError(f"cannot reach the HCR ({getattr(exc, 'reason', exc)}); {hint}", path=url) from exc
    text = body.decode("utf-8", errors="replace")
    if text.lstrip()[:1] == "<":
        raise HCRError(f"the HCR sent a web page instead of JSON (starts {text.strip()[:60]!r}); {hint}", path=url)
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HCRError(f"the HCR sent malformed JSON ({exc}); {hint}", path=url) from exc
    return parse_events(payload, url)
