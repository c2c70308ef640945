"""The colour map a viewer uses: the user's, else the reader's display hint (``meta["colormap"]``), else a default.

Instrument plugins choose colour maps (e.g. the IRIS reader sets sunpy's
``irissji*`` maps); this module only reads the hint, so viewers carry no
instrument knowledge (see :mod:`irisplug.model.levels`).

Examples
--------
>>> import numpy as np, ndcube
>>> from astropy.wcs import WCS
>>> display_cmap(ndcube.NDCube(np.zeros(2), wcs=WCS(naxis=1), meta={"colormap": "sdoaia171"})).name
'sdoaia171'
>>> display_cmap(ndcube.NDCube(np.zeros(2), wcs=WCS(naxis=1))).name
'gray'
"""

from __future__ import annotations

from typing import Any

__all__ = ["display_cmap", "DEFAULT_CMAP"]

#: the colour map when neither the user nor the reader chose one
DEFAULT_CMAP = "gray"


def display_cmap(obj: Any = None, cmap: Any = None, default: str = DEFAULT_CMAP) -> Any:
    """The matplotlib ``Colormap`` to show ``obj`` with: ``cmap`` if given, else the reader's hint, else ``default``.

    ``cmap`` and the hint may name any registered colour map, sunpy's
    instrument maps included (``sdoaia171``, ``irissji1400``, ...). A hint
    naming no known colour map falls back to ``default`` (a display choice
    is never worth an error).

    Examples
    --------
    >>> display_cmap(None, "viridis").name
    'viridis'
    """
    import matplotlib
    import sunpy.visualization.colormaps  # noqa: F401  (registers sunpy's instrument colour maps by name)

    from irisplug.model import colormap

    if cmap is not None:
        return matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
    hint = None if obj is None else colormap(obj)
    if hint is not None and hint in matplotlib.colormaps:
        return matplotlib.colormaps[hint]
    return matplotlib.colormaps[default]


def iris_cmap(label: str | None = None, wavelength: float | None = None) -> Any:
    """Deprecated: moved to ``irisplug_iris.iris_cmap`` (readers now set the colour map in ``meta["colormap"]``).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DeprecationWarning)
    ...     name = iris_cmap(wavelength=1400.0).name
    >>> name
    'irissji1400'
    """
    import warnings

    import irisplug_iris

    warnings.warn("irisplug_view.iris_cmap moved to irisplug_iris.iris_cmap; viewers use the reader's "
                  "meta['colormap'] (irisplug_view.colormaps.display_cmap)", DeprecationWarning, stacklevel=2)
    return irisplug_iris.iris_cmap(label, wavelength)
