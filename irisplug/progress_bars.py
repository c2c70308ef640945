"""Progress bars that stay silent when asked, under CI, or with IRISPLUG_QUIET."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

__all__ = ["progress", "progress_disabled"]

T = TypeVar("T")


def progress_disabled(quiet: bool | None = None) -> bool:
    """True when progress bars must not be shown.

    Examples
    --------
    >>> progress_disabled(quiet=True)
    True
    """
    if quiet is not None:
        return bool(quiet)
    env = os.environ
    return any(env.get(k, "").strip().lower() not in {"", "0", "false"} for k in ("CI", "IRISPLUG_QUIET"))


def progress(
    iterable: Iterable[T], *, total: int | None = None, desc: str = "", quiet: bool | None = None, **kw: Any
) -> Iterator[T]:
    """Wrap an iterable in a tqdm bar unless progress is disabled.

    Examples
    --------
    >>> list(progress(range(3), quiet=True))
    [0, 1, 2]
    """
    if progress_disabled(quiet):
        yield from iterable
        return
    from tqdm.auto import tqdm

    yield from tqdm(iterable, total=total, desc=desc, leave=False, **kw)
