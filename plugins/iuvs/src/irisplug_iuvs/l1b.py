"""Reader of MAVEN IUVS L1B FITS files (v13 layout: 18 HDUs; older extension names accepted)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

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
from irisplug_iuvs.errors import IUVSFilenameError, IUVSMissingTableError
from irisplug_iuvs.filenames import parse_filename

__all__ = ["read_l1b", "L1B_IMAGES", "L1B_TABLES", "file_meta"]

#: role -> accepted EXTNAMEs (v13 first, then older names) for the image HDUs after the primary
L1B_IMAGES: dict[str, tuple[str, ...]] = {
    "random_dn_unc": ("Random_dn_unc",),
    "random_phy_unc": ("Random_phy_unc",),
    "systematic_phy_unc": ("Systematic_phy_unc",),
    "raw": ("detector_raw",),
    "dark_subtracted": ("detector_dark_subtracted", "detector_background_subtracted"),
    "quality": ("quality_flag",),
    "background_dark": ("background_dark", "background_light_source"),
    "dark_frames": ("detector_dark",),
}
#: table name (v13 EXTNAME) -> accepted EXTNAMEs
L1B_TABLES: dict[str, tuple[str, ...]] = {
    "Integration": ("Integration",),
    "Engineering": ("Engineering",),
    "Binning": ("Binning",),
    "SpacecraftGeometry": ("SpacecraftGeometry",),
    "PixelGeometry": ("PixelGeometry",),
    "Observation": ("Observation",),
    "Dark_Integration": ("Dark_Integration", "DarkIntegration"),
    "Dark_Engineering": ("Dark_Engineering", "DarkEngineering"),
    "Dark_Observation": ("Dark_Observation", "DarkObservation"),
}
#: never optional, even with strict=False: without them there is no cube
_ESSENTIAL = ("Integration", "Observation")


def file_meta(path: Path, header: Any, level: str) -> dict[str, Any]:
    """Metadata every IUVS cube carries: level, channel, path, header, file-name facts, the model's description keys."""
    from irisplug.model import with_description

    meta: dict[str, Any] = {"instrument": "IUVS", "level": level, "path": str(path), "header": header}
    fname = header.get("FILENAME", path.name)
    obs_id = None
    try:
        facts = parse_filename(fname)
        meta.update(facts.as_meta())
        obs_id = facts.obs_id
    except IUVSFilenameError:
        meta["filename_parsed"] = False
    meta["level"] = level
    if "XUV" in header:
        meta["xuv"] = str(header["XUV"]).strip()
        meta.setdefault("channel", meta["xuv"].lower())
    # the FITS-standard keywords the core and generic plugins read (irisplug.model.description)
    meta["TELESCOP"], meta["INSTRUME"] = "MAVEN", "IUVS"
    if isinstance(header.get("FILENAME"), str):
        meta["FILENAME"] = header["FILENAME"]
    parts = [level.upper(), meta.get("segment"), str(meta.get("channel") or "").upper(),
             None if meta.get("orbit") is None else f"orbit {meta['orbit']}", meta.get("timestamp")]
    with_description(meta, observation_id=obs_id or Path(str(fname)).name.split(".")[0],
                     description="MAVEN IUVS " + " ".join(str(p) for p in parts if p),
                     summary_keys=("TELESCOP", "INSTRUME", "level", "segment", "orbit", "channel", "mode", "timestamp",
                                   "version", "revision", "FILENAME"))
    return meta


def _lookup(hdul: Any, roles: dict[str, tuple[str, ...]], path: Path, strict: bool, what: str) -> dict[str, Any]:
    found = {role: find_hdu(hdul, names) for role, names in roles.items()}
    missing = [r for r, h in found.items() if h is None]
    hard = [r for r in missing if strict or r in _ESSENTIAL]
    if hard:
        listed = "; ".join(f"{r} (EXTNAME {' or '.join(roles[r])})" for r in hard)
        present = ", ".join(str(h.name) for h in hdul)
        raise IUVSMissingTableError(
            f"this {what} lacks required HDU(s): {listed}. Present: {present}. "
            "The file may be incomplete; pass strict=False to read what is there.",
            path=path,
        )
    if missing:
        warnings.warn(f"{path}: no {', '.join(missing)} HDU; read without them", stacklevel=3)
    return found


@damaged_fits_as_corrupt
def read_l1b(path: str | Path, *, lazy: bool = True, strict: bool = True) -> Any:
    """Read one IUVS L1B file into an `~irisplug_iuvs.product.IUVSProduct`.

    Parameters
    ----------
    path
        A ``.fits`` or ``.fits.gz`` L1B file.
    lazy
        Memory-map uncompressed files and wrap them in dask (gzip files are
        always decompressed into memory).
    strict
        Raise when any of the 18 v13 HDUs is missing; with False, missing
        image HDUs and non-essential tables are skipped with a warning and
        listed in ``meta["missing"]``.

    Returns
    -------
    IUVSProduct
        Cubes keyed by role (see `IUVSProduct`), all with axes (integration,
        spatial, spectral), the 2-D wavelength lookup on (spatial, spectral),
        and extra coords ``time`` (from ``Integration.UTC``) and ``exposure_time``.

    Raises
    ------
    TruncatedFileError
        The file ends before its headers say it does.
    IUVSMissingTableError
        An HDU is missing (naming which and what is present).

    Examples
    --------
    >>> prod = read_l1b("mvn_iuv_l1b_apoapse-orbit18001-muv_20230114T071804_v13_r01.fits.gz")  # doctest: +SKIP
    >>> prod["radiance"].data.shape  # doctest: +SKIP
    (2, 133, 15)
    """
    import astropy.units as u
    from astropy.nddata import StdDevUncertainty

    from irisplug_iuvs.product import IUVSProduct

    path = Path(path)
    hdul, lazy = open_validated(path, lazy=lazy)
    header = hdul[0].header
    hdr = header_dict(header, path)
    if hdul[0].data is None:
        raise IUVSMissingTableError("the primary HDU holds no radiance array", path=path)
    images = _lookup(hdul, L1B_IMAGES, path, strict, "L1B file")
    tables_hdu = _lookup(hdul, L1B_TABLES, path, strict, "L1B file")
    tables = {name: read_table(h) for name, h in tables_hdu.items() if h is not None}
    arrays = {role: with_leading_axis(hdu_array(h, lazy=lazy)) for role, h in images.items() if h is not None}
    radiance = with_leading_axis(hdu_array(hdul[0], lazy=lazy))
    meta = file_meta(path, hdr, "l1b")
    meta["missing"] = [r for r, h in {**images, **tables_hdu}.items() if h is None]
    wl = wavelength_table(tables["Observation"], radiance.shape, path)
    n = radiance.shape[0]
    times = parse_iuvs_utc(tables["Integration"]["UTC"], path)
    exposure = exposure_seconds(tables.get("Engineering"), hdr, n, path)
    dn = u.DN
    kr_nm = u.kR / u.nm  # BUNIT 'kR/nm'

    def cube(data: Any, unit: Any, role: str, **kw: Any) -> Any:
        return make_cube(data, unit, wl, times, exposure, meta={**meta, "role": role}, **kw)

    quality = arrays.get("quality")
    mask = ~np.isfinite(radiance)
    if quality is not None:
        mask = mask | (quality != 0)
    pairs = [("radiance", cube(radiance, kr_nm, "radiance", mask=mask,
                                uncertainty=_unc(arrays.get("random_phy_unc"), StdDevUncertainty)))]
    if "systematic_phy_unc" in arrays:
        pairs.append(("systematic_uncertainty", cube(arrays["systematic_phy_unc"], kr_nm, "systematic_uncertainty")))
    if "dark_subtracted" in arrays:
        pairs.append(("dark_subtracted", cube(arrays["dark_subtracted"], dn, "dark_subtracted",
                                              uncertainty=_unc(arrays.get("random_dn_unc"), StdDevUncertainty))))
    for role in ("raw", "background_dark"):
        if role in arrays:
            pairs.append((role, cube(arrays[role], dn, role)))
    if quality is not None:
        pairs.append(("quality", cube(quality, u.dimensionless_unscaled, "quality")))
    if "dark_frames" in arrays:
        dark = arrays["dark_frames"]
        dint = tables.get("Dark_Integration")
        if dint is None:
            raise IUVSMissingTableError("detector_dark is present but Dark_Integration (its times) is not", path=path)
        dtimes = parse_iuvs_utc(dint["UTC"], path)
        dexp = exposure_seconds(tables.get("Dark_Engineering"), hdr, dark.shape[0], path)
        pairs.append(("dark_frames", make_cube(dark, dn, wl, dtimes, dexp, meta={**meta, "role": "dark_frames"})))
    return IUVSProduct(pairs, meta=meta, tables=tables)


def _unc(array: Any, cls: Any) -> Any:
    return None if array is None else cls(array)
