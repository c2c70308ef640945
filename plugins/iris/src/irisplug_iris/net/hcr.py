"""The LMSAL Heliophysics Coverage Registry (HCR) search API, IRIS part.

``<HCR>?cmd=search-events3&outputformat=json&startTime=..&stopTime=..&hasData=true``
returns ``{"Events": [...]}``, one entry per IRIS observation, with
``iris_obsid``, ``startTime``, ``stopTime``, ``goal``, ``xCen``, ``yCen``,
``raster_fovx``, ``raster_fovy``, ``sji_fovx``, ``sji_fovy``, ``eventId`` ...
Filters: ``obsId``, ``obsDesc`` (free text), ``minXcen``/``maxXcen``,
``minYcen``/``maxYcen``, ``limit``. (HEK API documentation,
https://hekapidocs.readthedocs.io/en/latest/hek_api.html; startTime and
stopTime are required and select observations overlapping the interval.)
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from irisplug_iris.net.config import hcr_url
from irisplug_iris.net.errors import HCRError

__all__ = ["HCRQuery", "search_events", "Observation", "parse_events", "MISSION_START"]

#: IRIS launched 2013-06-27; first science data 2013-07-17
MISSION_START = "2013-07-17T00:00"
_TIME_FORMAT = "%Y-%m-%dT%H:%M"


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
    limit: int = 500

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
    except (TypeError, ValueError):
        return float("nan")


_EVENT_ID = re.compile(r"IRIS_(\d{8})_(\d{6})_(\d+)")


def _directory(event: dict[str, Any], obsid: int) -> str:
    """``YYYY/MM/DD/<YYYYMMDD>_<HHMMSS>_<OBSID>``: from the eventId (the archive's own naming) or startTime."""
    m = _EVENT_ID.search(str(event.get("eventId", "")))
    if m:
        date, time = m.group(1), m.group(2)
    else:
        digits = re.sub(r"\D", "", str(event["startTime"]))
        date, time = digits[:8], (digits[8:14] + "000000")[:6]
    return f"{date[:4]}/{date[4:6]}/{date[6:8]}/{date}_{time}_{obsid}"


def parse_events(payload: Any, url: str) -> list[Observation]:
    """The observations in an HCR JSON reply.

    Raises
    ------
    HCRError
        The reply is not ``{"Events": [...]}`` or an entry lacks ``iris_obsid``/``startTime``/``stopTime``.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("Events"), list):
        keys = sorted(payload)[:8] if isinstance(payload, dict) else type(payload).__name__
        raise HCRError(f"the HCR reply has no 'Events' list (got {keys}); the service may have changed or failed", path=url)
    out = []
    for i, event in enumerate(payload["Events"]):
        try:
            obsid = int(event["iris_obsid"])
            start, stop = str(event["startTime"]), str(event["stopTime"])
        except (KeyError, TypeError, ValueError) as exc:
            raise HCRError(f"HCR entry {i} lacks a usable iris_obsid/startTime/stopTime ({exc!r})", path=url) from exc
        out.append(
            Observation(
                obsid=obsid,
                start=start,
                stop=stop,
                description=str(event.get("goal") or event.get("obsTitle") or "").strip(),
                xcen=_float(event, "xCen"),
                ycen=_float(event, "yCen"),
                raster_fov=(_float(event, "raster_fovx"), _float(event, "raster_fovy")),
                sji_fov=(_float(event, "sji_fovx"), _float(event, "sji_fovy")),
                directory=_directory(event, obsid),
                event_id=str(event.get("eventId", "")),
                raw=event,
            )
        )
    return out


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
