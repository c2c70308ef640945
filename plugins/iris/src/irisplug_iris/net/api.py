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

__all__ = ["search", "get", "AmbiguousObservationError"]

_OBS_DIR = re.compile(r"^(\d{8})_(\d{6})_(\d+)$")


class AmbiguousObservationError(IrisplugError, LookupError):
    """An OBSID (an observing program, run many times) matches several observations; narrow the time range."""


def _pointing(value: Any) -> ia.Pointing | None:
    if value is None or isinstance(value, ia.Pointing):
        return value
    try:
        parts = [float(v) for v in (value.split(",") if isinstance(value, str) else value)]
    except (TypeError, ValueError):
        parts = []
    if len(parts) != 4 or not all(map(np.isfinite, parts)):
        raise InvalidArgumentError(f"pointing=XMIN,XMAX,YMIN,YMAX needs four numbers in arcsec, got {value!r}")
    return ia.Pointing(*parts)


def search(
    *,
    start: Any = None,
    end: Any = None,
    obsid: int | str | None = None,
    text: str | None = None,
    pointing: Any = None,
    products: Sequence[str | int] | None = None,
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
        block.append(a.Time(times["start"], times["end"]))
    if obsid is not None:
        block.append(ia.OBSID(obsid))
    if text:
        block.append(ia.Description(text))
    box = _pointing(pointing)
    if box is not None:
        block.append(box)
    block.extend(ia.Product(p) for p in (products or ()))
    client = IRISClient()
    table = client._search_block(block)
    table.client = client
    return table


def _download(urls: list[str], dest: Path, *, quiet: bool | None) -> list[Path]:
    import parfive

    from irisplug.progress_bars import progress_disabled

    dl = parfive.Downloader(max_conn=4, progress=not progress_disabled(quiet), overwrite=False)
    for url in urls:
        dl.enqueue_file(url, path=dest, filename=urllib.parse.unquote(url.rsplit("/", 1)[-1]))
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
    DownloadError
        A download failed (the message lists each failed URL).

    Examples
    --------
    >>> files = get("20140329_140938_3860258481", "data/", sji=[1400])  # doctest: +SKIP
    """
    from irisplug_iris.net.listing import list_directory_url, observation_url, product_of

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    wanted = None if sji is None else {ia.normalize_product(b) for b in sji}
    text = str(target).strip()

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
    m = _OBS_DIR.match(text)
    if m:
        import astropy.units as u
        from astropy.time import Time

        date, time, obsid = m.groups()
        t = Time(f"{date[:4]}-{date[4:6]}-{date[6:]}T{time[:2]}:{time[2:4]}:{time[4:]}")
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

