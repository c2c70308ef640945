"""A sunpy ``Fido`` client for IRIS Level 2 data: HCR search, archive directory listing, parfive download.

Importing :mod:`irisplug_iris.net` registers :class:`IRISClient` with ``Fido``
and its attributes as ``sunpy.net.attrs.iris``.
"""

from __future__ import annotations

import urllib.parse
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from sunpy.net import attrs as a
from sunpy.net.attr import AttrAnd, AttrOr, and_
from sunpy.net.base_client import BaseClient, QueryResponseTable, convert_row_to_table

from irisplug.errors import IrisplugWarning
from irisplug_iris.net import attrs as ia
from irisplug_iris.net.hcr import MISSION_START, HCRQuery, Observation, matches_text, search_all
from irisplug_iris.net.listing import list_observation, observation_url, product_of

__all__ = ["IRISClient", "IRISResponseTable"]

_IRIS_ATTRS = (ia.OBSID, ia.Description, ia.Pointing, ia.Product)
_LISTING_THREADS = 8


class IRISResponseTable(QueryResponseTable):
    """One row per IRIS observation (``URLs``, ``Directory`` and ``Event ID`` hidden; ``show()`` reveals them)."""

    hide_keys = ["URLs", "Directory", "Event ID"]  # noqa: RUF012 (as sunpy's own tables set it)


def _fov(pair: tuple[float, float]) -> str:
    return "" if not all(np.isfinite(pair)) else f"{pair[0]:g} x {pair[1]:g}"


class IRISClient(BaseClient):
    """Search and download IRIS Level 2 observations.

    Search runs against the LMSAL Heliophysics Coverage Registry
    (``IRISPLUG_IRIS_HCR_URL``); each observation's files are found by listing
    its directory under the data root (``IRISPLUG_IRIS_DATA_URL``), both read at
    every call. Downloads go through parfive (progress, ``Results.errors``,
    retry with ``Fido.fetch(results)``).

    Attributes: ``a.Time``, ``a.Instrument("IRIS")``, ``a.Level(2)``,
    ``a.iris.OBSID``, ``a.iris.Description``, ``a.iris.Pointing``,
    ``a.iris.Product`` (``"raster"``, ``"SJI_1400"``, ...).

    A search returns at most ``IRISPLUG_IRIS_MAX_ROWS`` rows (default 5000),
    paged through the HCR by time; reaching the bound is an
    :class:`~irisplug.IrisplugWarning` naming it. Downloaded files are
    checked to be data files (:func:`irisplug.sources.check_download`): a web
    page, an empty body or a file whose first bytes do not match its name is
    removed and listed in ``Results.errors``.

    Examples
    --------
    >>> import irisplug_iris.net  # registers the client with Fido
    >>> from sunpy.net import Fido, attrs as a
    >>> res = Fido.search(a.Time("2014-03-29", "2014-03-30"), a.iris.OBSID(3860258481))  # doctest: +SKIP
    >>> files = Fido.fetch(res, path="data/{file}")  # doctest: +SKIP
    """

    @property
    def info_url(self) -> str:
        return "https://iris.lmsal.com/search/"

    @classmethod
    def _attrs_module(cls) -> tuple[str, str]:
        return "iris", "irisplug_iris.net.attrs"

    @classmethod
    def register_values(cls, *query: Any) -> dict[Any, list[tuple[str, str]]]:
        return {
            a.Instrument: [("IRIS", "Interface Region Imaging Spectrograph (Level 2 from the LMSAL archive)")],
            a.Level: [("2", "IRIS Level 2: calibrated rasters and slit-jaw images")],
            a.Provider: [("LMSAL", "Lockheed Martin Solar and Astrophysics Laboratory")],
        }

    @classmethod
    def _can_handle_query(cls, *query: Any) -> bool:
        supported = {a.Time, a.Instrument, a.Level, a.Provider, *_IRIS_ATTRS}
        if not query or not all(type(q) in supported for q in query):
            return False
        for q in query:
            if isinstance(q, a.Instrument) and str(q.value).strip().lower() != "iris":
                return False
            if isinstance(q, a.Level) and str(q.value).strip() not in ("2", "2.0"):
                return False
            if isinstance(q, a.Provider) and str(q.value).strip().lower() != "lmsal":
                return False
        return any(isinstance(q, (a.Instrument, *_IRIS_ATTRS)) for q in query)

    def search(self, *query: Any) -> IRISResponseTable:
        """Find IRIS Level 2 observations; one row per observation (and per product block of an OR).

        Raises
        ------
        HCRError
            The HCR is down or answers badly.
        DownloadError
            The data server cannot be reached to list an observation's files.
        """
        from astropy.table import vstack

        combined = and_(*query)
        blocks = combined.attrs if isinstance(combined, AttrOr) else [combined]
        tables = [self._search_block(b.attrs if isinstance(b, AttrAnd) else [b]) for b in blocks]
        table = tables[0] if len(tables) == 1 else vstack(tables)
        out = IRISResponseTable(table, client=self)
        out.hide_keys = IRISResponseTable.hide_keys
        return out

    def _search_block(self, attrs: list[Any], *, max_rows: int | None = None) -> IRISResponseTable:
        from astropy.time import Time

        query = HCRQuery()
        products: set[str] = set()
        box: ia.Pointing | None = None
        t0 = t1 = None
        for attr in attrs:
            if isinstance(attr, a.Time):
                t0, t1 = attr.start, attr.end
                query.start, query.stop = t0.isot, t1.isot
            elif isinstance(attr, ia.OBSID):
                query.obsid = int(attr.value)
            elif isinstance(attr, ia.Description):
                query.description = attr.value
            elif isinstance(attr, ia.Pointing):
                box = attr
                query.xmin, query.xmax, query.ymin, query.ymax = (v.value for v in (attr.xmin, attr.xmax, attr.ymin, attr.ymax))
            elif isinstance(attr, ia.Product):
                products.add(attr.value)
        if t0 is None:
            t0 = Time(MISSION_START)
        observations = search_all(query, limit=max_rows)  # paged by time, bounded (IRISPLUG_IRIS_MAX_ROWS)
        # the HCR applies these filters itself; applying them again keeps the result right with a mirror that does not
        first = t0.utc.isot  # the observations' times are ISO UTC strings of the same form: compared as strings
        last = None if t1 is None else t1.utc.isot
        keep = []
        for obs in observations:
            if query.obsid is not None and obs.obsid != query.obsid:
                continue
            if obs.stop < first or (last is not None and obs.start > last):
                continue
            if box is not None and not box.contains(obs.xcen, obs.ycen):
                continue
            if query.description and not matches_text(obs.raw, query.description):
                continue
            keep.append(obs)
        with ThreadPoolExecutor(max_workers=_LISTING_THREADS) as pool:
            listings = list(pool.map(_list_or_none, [o.directory for o in keep]))
        rows = []
        for obs, (urls, problem) in zip(keep, listings, strict=True):
            if problem is not None and not products:  # with a product filter the row is dropped anyway
                warnings.warn(problem, IrisplugWarning, stacklevel=3)
            if urls is None:
                if products:
                    continue
                urls = []
            found = {product_of(_name(u)) for u in urls}
            if products and not products <= found:
                continue
            chosen = [u for u in urls if not products or product_of(_name(u)) in products]
            rows.append((obs, found, chosen))
        return self._table(rows)

    def _table(self, rows: list[tuple[Observation, set[str], list[str]]]) -> IRISResponseTable:
        import astropy.units as u
        from astropy.time import Time

        urls = np.empty(len(rows), dtype=object)
        for i, (_, _, chosen) in enumerate(rows):
            urls[i] = tuple(chosen)
        columns: dict[str, Any] = {
            "OBSID": np.array([o.obsid for o, _, _ in rows], dtype=np.int64),
            "Start Time": Time([o.start for o, _, _ in rows] or ["2000-01-01"], scale="utc")[: len(rows)],
            "End Time": Time([o.stop for o, _, _ in rows] or ["2000-01-01"], scale="utc")[: len(rows)],
            "Description": [o.description for o, _, _ in rows],
            "xCen": u.Quantity([o.xcen for o, _, _ in rows], u.arcsec),
            "yCen": u.Quantity([o.ycen for o, _, _ in rows], u.arcsec),
            "Raster FOV": [_fov(o.raster_fov) for o, _, _ in rows],
            "SJI FOV": [_fov(o.sji_fov) for o, _, _ in rows],
            "Products": [", ".join(sorted(p for p in found if p)) for _, found, _ in rows],
            "Instrument": ["IRIS"] * len(rows),
            "Level": np.full(len(rows), 2, dtype=np.int64),
            "Provider": ["LMSAL"] * len(rows),
            "Directory": [o.directory for o, _, _ in rows],
            "URLs": urls,
            "Event ID": [o.event_id for o, _, _ in rows],
        }
        table = IRISResponseTable(columns, client=self)
        table["Raster FOV"].description = "raster field of view x by y, arcsec (HCR raster_fovx, raster_fovy)"
        return table

    @convert_row_to_table
    def fetch(
        self,
        query_results: Any,
        *,
        path: str | Path | None = None,
        downloader: Any = None,
        wait: bool = True,
        overwrite: bool | str = False,
        progress: bool = True,
        **kwargs: Any,
    ) -> Any:
        """Download the files of each row with parfive.

        Parameters
        ----------
        query_results
            A table or row from :meth:`search` (``Fido.fetch`` passes them here).
        path
            Directory or template with ``{file}`` (and any lower-cased column
            name, e.g. ``{obsid}``, ``{directory}``); default
            ``<IRISPLUG_CACHE_DIR>/iris/{directory}/{file}``.
        downloader
            A ``parfive.Downloader``; a new one when None.
        wait
            False: only enqueue (``Fido.fetch`` runs the downloader).

        Returns
        -------
        parfive.Results
            The local files; ``.errors`` lists failed downloads (retry with
            ``Fido.fetch(results)``), including files refused by
            :func:`irisplug.sources.check_download` (a web page, an empty
            body, first bytes not matching the name), which are removed.
        """
        import parfive

        from irisplug.progress_bars import progress_disabled
        from irisplug.sources import quiet_download_logs
        from irisplug_iris.net.downloads import attach_content_check, checked_name, content_check

        template = _path_template(path)
        own = downloader is None
        all_urls = [url for row in query_results for url in row["URLs"]]
        if own:
            downloader = parfive.Downloader(
                max_conn=4,
                progress=progress and not progress_disabled(),
                overwrite=overwrite,
                config=parfive.SessionConfig(done_callbacks=[content_check(all_urls)]),
            )
        else:  # Fido.fetch's downloader: each file of ours is checked when it completes, as with our own
            attach_content_check(downloader, all_urls)
        for row in query_results:
            urls = row["URLs"]
            if not urls:
                warnings.warn(
                    f"OBSID {row['OBSID']} at {observation_url(row['Directory'])} has no Level 2 files to fetch; skipped",
                    IrisplugWarning,
                    stacklevel=2,
                )
                continue
            fields = dict(row.response_block_map)
            for url in urls:
                target = Path(str(template).format(**{**fields, "file": _name(url)})).expanduser()
                downloader.enqueue_file(url, path=target.parent, filename=checked_name(target, url))
        if own or wait:
            with quiet_download_logs(None if progress else True):
                results = downloader.download()
            if own:
                import gc

                gc.collect()  # parfive leaves its event loop open; collect it in this thread
            return results
        return None


def _name(url: str) -> str:
    return urllib.parse.unquote(urllib.parse.urlparse(url).path.rsplit("/", 1)[-1])


def _list_or_none(directory: str) -> tuple[list[str] | None, str | None]:
    """The directory's file URLs, or None and the reason (warned about by the caller, in its thread)."""
    from irisplug_iris.net.errors import NoFilesError

    try:
        return list_observation(directory), None
    except NoFilesError as err:
        return None, str(err)


def _path_template(path: str | Path | None) -> Path:
    """The download path template; sunpy's default download directory is replaced by irisplug's cache."""
    from irisplug.sources import cache_dir

    default = cache_dir() / "iris" / "{directory}" / "{file}"
    if path is None:
        return default
    try:
        import sunpy

        sunpy_default = (Path(sunpy.config.get("downloads", "download_dir")) / "{file}").expanduser()
    except Exception:  # noqa: BLE001 (a broken sunpy config only loses the substitution)
        sunpy_default = None
    path = Path(path).expanduser()
    if sunpy_default is not None and path == sunpy_default:
        return default
    return path if "{file}" in str(path) else path / "{file}"
