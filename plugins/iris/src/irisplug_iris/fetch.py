"""The ``iris-synthetic`` fetcher: a generated IRIS Level 2 observation, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["fetch_synthetic"]


def fetch_synthetic(dest: Path, *, size: str = "small", **kwargs: Any) -> list[Path]:
    """Generate a synthetic IRIS L2 observation in ``dest`` (small by default: a few MB, seconds).

    Parameters
    ----------
    dest
        Directory to write to.
    size
        ``"small"`` or ``"full"``; other keywords go to :func:`irisplug_iris.generator.generate`.

    Examples
    --------
    >>> import irisplug, tempfile
    >>> files = irisplug.fetch("iris-synthetic", tempfile.mkdtemp())  # doctest: +SKIP
    """
    from irisplug_iris.generator import generate

    return generate(dest, size=size, **kwargs)
