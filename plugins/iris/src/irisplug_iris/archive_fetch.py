"""The ``iris-archive`` fetcher: ``irisplug.fetch("iris-archive", dest, obsid=..., ...)``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["fetch_archive"]


def fetch_archive(dest: Path, *, target: Any = None, obsid: Any = None, url: str | None = None, **kwargs: Any) -> list[Path]:
    """Download an IRIS Level 2 observation from the LMSAL archive (or ``IRISPLUG_IRIS_DATA_URL``) into ``dest``.

    Parameters
    ----------
    dest
        Directory to download into.
    target, obsid, url
        What to fetch: an OBSID, an observation name (``YYYYMMDD_HHMMSS_OBSID``)
        or a URL (one of them); see :func:`irisplug_iris.net.api.get`.
    **kwargs
        ``sji=[1400, 2796]``, ``raster=False``, ``start=``, ``end=``, ``all_matches=``, ``quiet=``.

    Examples
    --------
    >>> import irisplug
    >>> files = irisplug.fetch("iris-archive", "data/", obsid="20140329_140938_3860258481", sji=[1400])  # doctest: +SKIP
    """
    from irisplug.errors import IrisplugError
    from irisplug_iris.net.api import get

    given = [v for v in (target, obsid, url) if v is not None]
    if len(given) != 1:
        raise IrisplugError("iris-archive needs exactly one of target=, obsid= or url= (an OBSID, observation name or URL)")
    return get(given[0], dest, **kwargs)
