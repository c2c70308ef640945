"""Reader of MAVEN IUVS L1A FITS files: primary DN array plus the tables (formats.md 1.4)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from irisplug_iuvs._cubes import exposure_seconds, make_cube, wavelength_table, with_leading_axis
from irisplug_iuvs._fits import (
    damaged_fits_as_corrupt,
    find_hdu,
    hdu_array,
    header_dict,
    open_validated,
    parse_iuvs_utc,
    read_table,
)
from irisplug_iuvs.errors import IUVSMissingTableError
from irisplug_iuvs.l1b import file_meta

__all__ = ["read_l1a", "L1A_TABLES", "L1A_OPTIONAL"]

#: tables an L1A file must have
L1A_TABLES = ("Integration", "Engineering", "Binning", "Observation")
#: tables science L1A files have but dark products may lack
L1A_OPTIONAL = ("SpacecraftGeometry", "PixelGeometry")


@damaged_fits_as_corrupt
def read_l1a(path: str | Path, *, lazy: bool = True) -> Any:
    """Read one IUVS L1A file into an `~irisplug_iuvs.product.IUVSProduct` with the key ``"raw"``.

    Parameters
    ----------
    path
        A ``.fits`` or ``.fits.gz`` L1A file (light or dark product).
    lazy
        Memory-map uncompressed files and wrap them in dask.

    Returns
    -------
    IUVSProduct
        ``"raw"``: DN, axes (integration, spatial, spectral), wavelength from
        ``Observation.WAVELENGTH``, extra coords ``time`` and ``exposure_time``;
        ``.tables`` with every table present. Geometry tables absent from a
        file are listed in ``meta["missing"]``.

    Raises
    ------
    IUVSMissingTableError
        A required table (Integration, Engineering, Binning, Observation) is absent.
    TruncatedFileError
        The file is cut short.

    Examples
    --------
    >>> prod = read_l1a("mvn_iuv_l1a_apoapse-orbit18001-muv_20230114T071804_v13_r01.fits.gz")  # doctest: +SKIP
    >>> prod["raw"].unit  # doctest: +SKIP
    Unit("DN")
    """
    import astropy.units as u

    from irisplug_iuvs.product import IUVSProduct

    path = Path(path)
    hdul, lazy = open_validated(path, lazy=lazy)
    hdr = header_dict(hdul[0].header, path)
    if hdul[0].data is None:
        raise IUVSMissingTableError("the primary HDU holds no DN array", path=path)
    found = {name: find_hdu(hdul, (name,)) for name in (*L1A_TABLES, *L1A_OPTIONAL)}
    missing = [n for n in L1A_TABLES if found[n] is None]
    if missing:
        present = ", ".join(str(h.name) for h in hdul)
        raise IUVSMissingTableError(
            f"this L1A file lacks the table(s) {', '.join(missing)}. Present: {present}. The file may be incomplete.",
            path=path,
        )
    tables = {n: read_table(h) for n, h in found.items() if h is not None}
    meta = file_meta(path, hdr, "l1a")
    meta["missing"] = [n for n in L1A_OPTIONAL if found[n] is None]
    if meta["missing"] and not meta.get("is_dark", False):
        warnings.warn(f"{path}: L1A science file without {', '.join(meta['missing'])}", stacklevel=2)
    data = with_leading_axis(hdu_array(hdul[0], lazy=lazy))
    wl = wavelength_table(tables["Observation"], data.shape, path)
    integ = tables["Integration"]
    times = parse_iuvs_utc(integ["UTC"], path)
    exposure = exposure_seconds(tables["Engineering"], hdr, data.shape[0], path)
    raw = make_cube(data, u.DN, wl, times, exposure, meta={**meta, "role": "raw"})
    return IUVSProduct([("raw", raw)], meta=meta, tables=tables)
