"""parfive downloads checked as every irisplug download is (:func:`irisplug.sources.check_download`).

parfive writes straight to the final file name and reports a transfer as
done whatever arrived. Two hooks make it refuse what is not a data file:

- the file name is a callable (parfive calls it with the response before
  writing): a ``Content-Type`` of ``text/html`` fails the download there,
  before anything is written;
- a ``done_callbacks`` entry checks the written file (empty, a web page,
  first bytes not matching the name): raising there makes parfive delete
  the file and list the URL in ``Results.errors``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from irisplug.errors import DownloadError

__all__ = ["checked_name", "content_check", "attach_content_check", "usable_existing"]


def checked_name(target: Path, url: str) -> Callable[..., Path]:
    """A parfive ``filename=`` callable returning ``target``, refusing an HTML response first.

    parfive calls it with the response and the URL (in an order that has
    changed between versions); FTP downloads pass no response.
    """
    target = Path(target)

    def name(*args: Any) -> Path:
        response = next((a for a in args if hasattr(a, "headers")), None)
        if response is not None:
            ctype = str(response.headers.get("Content-Type", "")).split(";")[0].strip().lower()
            if ctype in ("text/html", "application/xhtml+xml"):
                raise DownloadError(
                    f"the server sent a web page ({ctype}), not a FITS file or archive; check the URL or retry later",
                    path=url,
                )
        return target

    return name


def content_check(urls: Iterable[str]) -> Callable[[Any, str, BaseException | None], None]:
    """A parfive ``done_callbacks`` entry checking each completed download of ``urls`` (others are left alone).

    Examples
    --------
    >>> check = content_check(["http://host/a.fits"])
    >>> check(None, "http://host/b.fits", None)  # not one of ours: nothing checked
    """
    from irisplug.sources import check_download

    ours = set(urls)

    def check(filepath: Any, url: str, error: BaseException | None) -> None:
        if error is None and filepath is not None and url in ours:
            # parfive deletes the file itself when this raises; remove=False leaves that to it
            check_download(filepath, url=url, remove=False)

    return check


def attach_content_check(downloader: Any, urls: Iterable[str]) -> None:
    """Add :func:`content_check` for ``urls`` to a parfive ``Downloader`` someone else made (``Fido.fetch``'s)."""
    session = getattr(getattr(downloader, "config", None), "config", None)
    if session is None or not hasattr(session, "done_callbacks"):
        return
    session.done_callbacks = (*tuple(session.done_callbacks or ()), content_check(urls))


def usable_existing(target: Path, url: str) -> bool:
    """Whether a file already at ``target`` (parfive skips downloading it) passes the check; False when absent."""
    from irisplug.sources import check_download

    if not Path(target).is_file():
        return False
    try:
        check_download(target, url=url, remove=False)
    except DownloadError:
        return False
    return True
