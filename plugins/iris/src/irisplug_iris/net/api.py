"""Plain-function access to the IRIS archive: what ``irisplug.fetch("iris-archive", ...)`` and the CLI use.

These call :class:`~irisplug_iris.net.client.IRISClient` directly (not
``Fido``, which would also ask every other registered client).
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from irisplug.errors import DownloadError, InvalidArgumentError, IrisplugError
from irisplug_iris.net import attrs as ia
from irisplug_iris.net.errors import NoFilesError

__all__ = [
    "search",
    "get",
    "AmbiguousObservationError",
    "parse_obsid",
    "parse_pointing",
    "parse_observation_name",
    "normalize_products",
]

_OBS_DIR = re.compile(r"^(\d{8})_(\d{6})_(\d+)$")


class AmbiguousObservationError(IrisplugError, LookupError):
    """An OBSID (an observing program, run many times) matches several observations; narrow the time range."""


def parse_pointing(value: Any) -> tuple[float, float, float, float]:
    """``(xmin, xmax, ymin, ymax)`` in arcsec from ``"x0,x1,y0,y1"`` or four numbers.

    Raises
    ------
    InvalidArgumentError
        Not four finite numbers, or a minimum above its maximum.

    Examples
    --------
    >>> parse_pointing("-700,-600,-200,0")
    (-700.0, -600.0, -200.0, 0.0)
    """
    try:
        parts = [float(v) for v in (value.split(",") if isinstance(value, str) else value)]
    except (TypeError, ValueError):
        parts = []
    if len(parts) != 4 or not all(map(np.isfinite, parts)):
        raise InvalidArgumentError(f"pointing=XMIN,XMAX,YMIN,YMAX needs four numbers in arcsec, got {value!r}")
    if parts[0] > parts[1] or parts[2] > parts[3]:
        raise InvalidArgumentError(
            f"pointing=XMIN,XMAX,YMIN,YMAX has a minimum above its maximum: x {parts[0]:g}..{parts[1]:g}, "
            f"y {parts[2]:g}..{parts[3]:g}"
        )
    return parts[0], parts[1], parts[2], parts[3]


def _pointing(value: Any) -> ia.Pointing | None:
    if value is None or isinstance(value, ia.Pointing):
        return value
    return ia.Pointing(*parse_pointing(value))


def parse_obsid(value: Any) -> int:
    """An OBSID (observing program number) as an int.

    Raises
    ------
    InvalidArgumentError
        Not a whole number >= 0.

    Examples
    --------
    >>> parse_obsid(" 3860258481 ")
    3860258481
    """
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit():
        raise InvalidArgumentError(f"obsid={value!r} is not an OBSID; give a number such as obsid=3860258481")
    return int(text)


def normalize_products(values: Sequence[str | int]) -> list[str]:
    """``"raster"`` / ``"SJI_<band>"`` for each product or slit-jaw band.

    Raises
    ------
    InvalidArgumentError
        An unknown product.

    Examples
    --------
    >>> normalize_products([1400, "sji_2796", "raster"])
    ['SJI_1400', 'SJI_2796', 'raster']
    """
    out = []
    for value in values:
        try:
            out.append(ia.normalize_product(value))
        except ValueError as exc:
            raise InvalidArgumentError(str(exc)) from None
    return out


def parse_observation_name(text: str) -> tuple[Any, str] | None:
    """``(start time, OBSID)`` of an observation name ``YYYYMMDD_HHMMSS_OBSID``; None for anything else.

    Raises
    ------
    InvalidArgumentError
        The name has the shape but not a valid date or time (``20141329_...``).

    Examples
    --------
    >>> t, obsid = parse_observation_name("20140329_140938_3860258481")
    >>> t.isot, obsid
    ('2014-03-29T14:09:38.000', '3860258481')
    """
    import datetime

    from astropy.time import Time

    m = _OBS_DIR.match(str(text).strip())
    if not m:
        return None
    date, time, obsid = m.groups()
    try:
        when = datetime.datetime.strptime(date + time, "%Y%m%d%H%M%S")
    except ValueError:
        raise InvalidArgumentError(
            f"{text!r} is not an observation name: {date}_{time} is not a date and time (YYYYMMDD_HHMMSS_OBSID)"
        ) from None
    return Time(when, scale="utc"), obsid


def search(
    *,
    start: Any = None,
    end: Any = None,
    obsid: int | str | None = None,
    text: str | None = None,
    pointing: Any = None,
    products: Sequence[str | int] | None = None,
    max_rows: int | None = None,
) -> Any:
    """Search IRIS Level 2 observations; returns the client's table (one row per observation).

    Parameters
    ----------
    start, end
        Time range (anything ``astropy.time.Time`` parses); default the whole mission.
    obsid
        The OBSID (observing program number).
    text
        Free text in the planner's description.
    pointing
        ``(xmin, xmax, ymin, ymax)`` arcsec box for the observation centre (or ``"x0,x1,y0,y1"``).
    products
        Products every observation must have, and the only ones fetched: ``"raster"``, ``"SJI_1400"``, ``2796`` ...
    max_rows
        The most rows returned (the HCR is paged through by time); default
        ``IRISPLUG_IRIS_MAX_ROWS`` or 5000. Reaching it is an
        :class:`~irisplug.IrisplugWarning` naming the bound.

    Raises
    ------
    InvalidArgumentError
        A time that does not parse, ``start`` after ``end``, an OBSID that is
        not a whole number, a pointing box that is not four finite numbers with
        min <= max, an unknown product, ``max_rows`` < 1.
    HCRError
        The search service failed or sent a malformed reply.

    Examples
    --------
    >>> from irisplug_iris.net import api
    >>> table = api.search(start="2014-03-29", end="2014-03-30", obsid=3860258481)  # doctest: +SKIP
    """
    from sunpy.net import attrs as a

    from irisplug_iris.net.client import IRISClient

    block: list[Any] = [a.Instrument("IRIS")]
    if start is not None or end is not None:
        from astropy.time import Time

        times = {}
        for key, value in (("start", start or "2013-07-17"), ("end", end)):
            try:
                times[key] = Time.now() if value is None else Time(value)
            except (TypeError, ValueError):
                raise InvalidArgumentError(
                    f"{key}={value!r} is not a time; give e.g. {key}=2014-03-29 or {key}=2014-03-29T14:00"
                ) from None
        if times["end"] < times["start"]:
            raise InvalidArgumentError(
                f"start={start or times['start'].isot} is after end={end or 'now'}; give the earlier time as start"
            )
        block.append(a.Time(times["start"], times["end"]))
    if obsid is not None:
        block.append(ia.OBSID(parse_obsid(obsid)))
    if text:
        block.append(ia.Description(text))
    box = _pointing(pointing)
    if box is not None:
        block.append(box)
    block.extend(ia.Product(normalize_products([p])[0]) for p in (products or ()))
    if max_rows is not None and (isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1):
        raise InvalidArgumentError(f"max_rows must be a whole number >= 1, got {max_rows!r}")
    client = IRISClient()
    table = client._search_block(block, max_rows=max_rows)
    table.client = client
    return table


def _download(urls: list[str], dest: Path, *, quiet: bool | None) -> list[Path]:
    """Download ``urls`` into ``dest`` with parfive, each file checked (:func:`irisplug.sources.check_download`).

    A file already in ``dest`` under the same name is kept when it passes the
    check and downloaded again when it does not. A refused download is
    removed and reported with the others that failed.
    """
    import parfive

    from irisplug.progress_bars import progress_disabled
    from irisplug.sources import quiet_download_logs
    from irisplug_iris.net.downloads import checked_name, content_check, usable_existing

    config = parfive.SessionConfig(done_callbacks=[content_check(urls)])
    dl = parfive.Downloader(max_conn=4, progress=not progress_disabled(quiet), overwrite=False, config=config)
    for url in urls:
        target = dest / urllib.parse.unquote(url.rsplit("/", 1)[-1])
        again = target.exists() and not usable_existing(target, url)
        dl.enqueue_file(url, path=dest, filename=checked_name(target, url), overwrite=True if again else None)
    with quiet_download_logs(quiet):
        results = dl.download()
    import gc

    gc.collect()  # parfive leaves its event loop open; collect it here, in this thread, where its signal handlers live
    if results.errors:
        from irisplug.sources import failure_reason

        lines = "; ".join(f"{e.url} ({failure_reason(e.exception)})" for e in results.errors[:5])
        raise DownloadError(
            f"{len(results.errors)} of {len(urls)} download(s) failed ({lines}); run the same command again to retry "
            "(complete files are kept, failed ones were removed)",
            path=results.errors[0].url,
        )
    return [Path(p) for p in results]


def get(
    target: int | str,
    dest: str | os.PathLike,
    *,
    sji: Sequence[int | str] | None = None,
    raster: bool = True,
    start: Any = None,
    end: Any = None,
    all_matches: bool = False,
    quiet: bool | None = None,
) -> list[Path]:
    """Download an observation (or a URL) into ``dest``; returns the local files.

    Parameters
    ----------
    target
        An OBSID (``3620258102``), an observation directory name
        (``20140329_140938_3860258481``, exactly one observation) or an
        ``http(s)`` URL of a file or of an observation directory (ending in ``/``).
    dest
        Directory to download into (created).
    sji
        Slit-jaw bands to fetch (``[1400, 2796]``); default all.
    raster
        Also fetch the raster tarball.
    start, end
        Narrow an OBSID to a time range.
    all_matches
        Fetch every observation the OBSID matches instead of refusing several.

    Raises
    ------
    AmbiguousObservationError
        The OBSID matches several observations (and ``all_matches`` is False).
    NoFilesError
        Nothing matches, or the observation has none of the requested files.
    InvalidArgumentError
        An observation name with an impossible date, an unknown slit-jaw band.
    DownloadError
        A download failed or was refused (a web page, an empty body, first
        bytes not matching the file's name; :func:`irisplug.sources.check_download`):
        the message lists each failed URL, and no refused file is kept.

    Examples
    --------
    >>> files = get("20140329_140938_3860258481", "data/", sji=[1400])  # doctest: +SKIP
    """
    from irisplug_iris.net.listing import list_directory_url, observation_url, product_of

    dest = Path(dest)
    wanted = None if sji is None else set(normalize_products(sji))
    text = str(target).strip()
    named = parse_observation_name(text)  # refuses a bad date before anything is asked or made
    dest.mkdir(parents=True, exist_ok=True)

    def keep(url: str) -> bool:
        product = product_of(url.rsplit("/", 1)[-1])
        if product == "raster":
            return raster
        return wanted is None or product in wanted

    if text.lower().startswith(("http://", "https://")):
        urls = list_directory_url(text) if text.endswith("/") else [text]
        chosen = [u for u in urls if keep(u)] if text.endswith("/") else urls
        if not chosen:
            raise NoFilesError(f"no file at this URL matches raster={raster}, sji={sji}", path=text)
        return _download(chosen, dest, quiet=quiet)
    if named is not None:
        import astropy.units as u

        t, obsid = named
        table = search(start=t - 60 * u.s, end=t + 60 * u.s, obsid=obsid)
        rows = [r for r in table if str(r["Directory"]).endswith(text)]
    else:
        try:
            obsid = int(text)
        except ValueError:
            raise NoFilesError(
                f"{text!r} is neither an OBSID, an observation name (YYYYMMDD_HHMMSS_OBSID) nor an http(s) URL"
            ) from None
        rows = list(search(start=start, end=end, obsid=obsid))
    if not rows:
        raise NoFilesError(f"no IRIS Level 2 observation matches {text!r}" + (f" between {start} and {end}" if start or end else ""))
    if len(rows) > 1 and not all_matches:
        names = ", ".join(str(r["Directory"]).rsplit("/", 1)[-1] for r in rows[:6]) + (" ..." if len(rows) > 6 else "")
        raise AmbiguousObservationError(
            f"OBSID {text} matches {len(rows)} observations ({names}); give one of these names, narrow with "
            "start/end (--start/--end), or fetch all (all_matches=True, --all)"
        )
    files: list[Path] = []
    for row in rows:
        urls = [u for u in row["URLs"] if keep(u)]
        has = {p for p in str(row["Products"]).split(", ") if p}
        missing = sorted((wanted or set()) - has)
        if missing:
            raise NoFilesError(
                f"the observation has no {', '.join(missing)} (it has: {', '.join(sorted(has)) or 'nothing'}); "
                "ask for bands it has",
                path=observation_url(str(row["Directory"])),
            )
        if not urls:
            raise NoFilesError(
                f"the observation has none of the requested files (it has: {row['Products'] or 'nothing'})",
                path=observation_url(str(row["Directory"])),
            )
        target_dir = dest / str(row["Directory"]).rsplit("/", 1)[-1] if len(rows) > 1 else dest
        files += _download(urls, target_dir, quiet=quiet)
    return files

