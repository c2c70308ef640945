"""Where the IRIS archive lives: base URLs from the environment, read at every search and fetch."""

from __future__ import annotations

import os

__all__ = ["hcr_url", "data_url", "DEFAULT_HCR_URL", "DEFAULT_DATA_URL"]

#: the public LMSAL Heliophysics Coverage Registry endpoint
DEFAULT_HCR_URL = "https://www.lmsal.com/hek/hcr"
#: the public root of the compressed IRIS Level 2 files (YYYY/MM/DD/<date>_<time>_<obsid>/ below it)
DEFAULT_DATA_URL = "https://www.lmsal.com/solarsoft/irisa/data/level2_compressed"


def hcr_url() -> str:
    """The HCR endpoint: ``IRISPLUG_IRIS_HCR_URL`` or the public LMSAL one.

    Examples
    --------
    >>> import os
    >>> hcr_url() == os.environ.get("IRISPLUG_IRIS_HCR_URL", DEFAULT_HCR_URL).rstrip("?")
    True
    """
    return (os.environ.get("IRISPLUG_IRIS_HCR_URL") or DEFAULT_HCR_URL).strip().rstrip("?")


def data_url() -> str:
    """The Level 2 data root: ``IRISPLUG_IRIS_DATA_URL`` (a mirror, e.g. Oslo's) or the public LMSAL one.

    Examples
    --------
    >>> data_url().endswith("/")
    False
    """
    return (os.environ.get("IRISPLUG_IRIS_DATA_URL") or DEFAULT_DATA_URL).strip().rstrip("/")
