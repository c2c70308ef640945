"""IRIS colour maps: sunpy's ``irissji*`` maps picked from a window label or wavelength."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["iris_cmap", "IRIS_CMAPS"]

#: sunpy colour-map names by IRIS passband (sunpy.visualization.colormaps.cmlist)
IRIS_CMAPS = {
    1330: "irissji1330",
    1400: "irissji1400",
    1600: "irissji1600",
    2796: "irissji2796",
    2832: "irissji2832",
    5000: "irissji5000",
}


def iris_cmap(label: str | None = None, wavelength: float | None = None) -> Any:
    """The IRIS colour map for a window label (``"SJI_1400"``, ``"Mg II k 2796"``) or wavelength in Å.

    Spectrograph windows get the map of the nearest SJI passband (FUV lines
    below 2000 Å → 1400 or 1330, NUV → 2796/2832). Unknown labels fall back to
    ``"irissjiFUV"``/``"irissjiNUV"`` by wavelength, or ``"gray"``.

    Examples
    --------
    >>> iris_cmap("SJI_1400").name
    'irissji1400'
    >>> iris_cmap("Mg II k 2796").name
    'irissji2796'
    """
    import matplotlib
    import sunpy.visualization.colormaps  # noqa: F401  (registers the irissji* maps)

    if wavelength is None and label:
        nums = [float(n) for n in re.findall(r"\d{4}(?:\.\d+)?", str(label))]
        wavelength = nums[-1] if nums else None
    if wavelength is None:
        return matplotlib.colormaps["gray"]
    band = min(IRIS_CMAPS, key=lambda b: abs(b - wavelength))
    if abs(band - wavelength) > 60:
        return matplotlib.colormaps["irissjiFUV" if wavelength < 2000 else "irissjiNUV"]
    return matplotlib.colormaps[IRIS_CMAPS[band]]
