"""An observation's Level 2 files, found by listing its directory's index page on the data server."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

from irisplug.errors import DownloadError
from irisplug_iris.net.config import data_url
from irisplug_iris.net.errors import NoFilesError

__all__ = ["list_observation", "list_directory_url", "product_of", "observation_url"]

_L2_NAME = re.compile(r"^iris_l2_\d{8}_\d{6}_\d+_(?:raster.*\.tar\.gz|raster.*\.fits(?:\.gz)?|SJI_\d+_t\d+(?:_deconvolved)?\.fits(?:\.gz)?)$")
_SJI = re.compile(r"_SJI_(\d+)_")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.lower() == "a":
            self.hrefs.extend(v for k, v in attrs if k.lower() == "href" and v)


def product_of(name: str) -> str | None:
    """``"raster"``, ``"SJI_<band>"`` or None for a file name.

    Examples
    --------
    >>> product_of("iris_l2_20140329_140938_3860258481_SJI_1400_t000.fits.gz")
    'SJI_1400'
    >>> product_of("iris_l2_20140329_140938_3860258481_raster.tar.gz")
    'raster'
    """
    if "_raster" in name:
        return "raster"
    m = _SJI.search(name)
    return f"SJI_{m.group(1)}" if m else None


def observation_url(directory: str) -> str:
    """The URL of an observation's directory under the configured data root (``IRISPLUG_IRIS_DATA_URL``)."""
    return f"{data_url()}/{directory.strip('/')}/"


def list_observation(directory: str, *, timeout: float = 60.0) -> list[str]:
    """URLs of the Level 2 files in an observation's directory (raster tarball, SJI files), sorted.

    Raises
    ------
    NoFilesError
        The directory does not exist (404: Level 2 data appear some days
        after the observation) or lists no Level 2 files.
    DownloadError
        The data server is unreachable or answers with another HTTP error.

    Examples
    --------
    >>> list_observation("2014/03/29/20140329_140938_3860258481")  # doctest: +SKIP
    ['https://.../iris_l2_20140329_140938_3860258481_SJI_1400_t000.fits.gz', ...]
    """
    return list_directory_url(observation_url(directory), timeout=timeout)


def list_directory_url(url: str, *, timeout: float = 60.0) -> list[str]:
    """URLs of the IRIS Level 2 files listed on the index page at ``url`` (see :func:`list_observation`)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            page = response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise NoFilesError(
                "the observation has no data directory on the server (Level 2 data appear a few days after "
                "the observation); search again later, or set IRISPLUG_IRIS_DATA_URL to a mirror that has it",
                path=url,
            ) from exc
        raise DownloadError(f"the data server answered HTTP {exc.code} ({exc.reason}); retry later", path=url) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DownloadError(
            f"cannot reach the data server ({getattr(exc, 'reason', exc)}); check IRISPLUG_IRIS_DATA_URL and your connection",
            path=url,
        ) from exc
    parser = _Links()
    parser.feed(page)
    names = set()
    for href in parser.hrefs:
        name = urllib.parse.unquote(urllib.parse.urlparse(href).path.rstrip("/").rsplit("/", 1)[-1])
        if _L2_NAME.match(name):
            names.add(name)
    if not names:
        raise NoFilesError(
            "the observation's directory lists no IRIS Level 2 files (raster tarball or SJI files); "
            "the data may still be in production: try again later or another mirror (IRISPLUG_IRIS_DATA_URL)",
            path=url,
        )
    return [urllib.parse.urljoin(url, urllib.parse.quote(n)) for n in sorted(names)]
