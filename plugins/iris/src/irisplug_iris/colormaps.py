"""IRIS colour maps: sunpy's ``irissji*`` maps picked from a window label or wavelength.

The IRIS readers put the chosen map's name into every window's ``meta["colormap"]``
(the display hint of :mod:`irisplug.model.levels`), so viewers need no IRIS knowledge.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["iris_cmap", "iris_colormap_name", "IRIS_CMAPS"]

#: sunpy colour-map names by IRIS passband (sunpy.visualization.colormaps.cmlist)
IRIS_CMAPS = {
    1330: "irissji1330",
    1400: "irissji1400",
    1600: "irissji1600",
    2796: "irissji2796",
    2832: "irissji2832",
    5000: "irissji5000",
}


def iris_colormap_name(label: str | None = None, wavelength: float | None = None) -> str:
    """The name of the IRIS colour map for a window label (``"SJI_1400"``, ``"Mg II k 2796"``) or wavelength in Å.

    Spectrograph windows get the map of the nearest SJI passband (FUV lines
    below 2000 Å → 1400 or 1330, NUV → 2796/2832). Unknown labels fall back to
    ``"irissjiFUV"``/``"irissjiNUV"`` by wavelength, or ``"gray"``.

    Examples
    --------
    >>> iris_colormap_name("SJI_1400")
    'irissji1400'
    >>> iris_colormap_name("Mg II k 2796"), iris_colormap_name(wavelength=1700.0)
    ('irissji2796', 'irissjiFUV')
    """
    if wavelength is None and label:
        nums = [float(n) for n in re.findall(r"\d{4}(?:\.\d+)?", str(label))]
        wavelength = nums[-1] if nums else None
    if wavelength is None:
        return "gray"
    band = min(IRIS_CMAPS, key=lambda b: abs(b - wavelength))
    if abs(band - wavelength) > 60:
        return "irissjiFUV" if wavelength < 2000 else "irissjiNUV"
    return IRIS_CMAPS[band]


def iris_cmap(label: str | None = None, wavelength: float | None = None) -> Any:
    """The IRIS colour map (a matplotlib ``Colormap``) for a window label or wavelength: see :func:`iris_colormap_name`.

    Examples
    --------
    >>> iris_cmap("SJI_1400").name
    'irissji1400'
    """
    import matplotlib
    import sunpy.visualization.colormaps  # noqa: F401  (registers the irissji* maps)

    return matplotlib.colormaps[iris_colormap_name(label, wavelength)]
