"""Build IUVS L1A files from an L1B file (formats.md 1.4), for tests and examples.

No real v13 L1A file is public. An L1B file carries everything an L1A file
holds: ``detector_raw`` is the L1A primary, the science tables are shared,
and the ``Dark_*`` tables plus ``detector_dark`` are the L1A *dark* products
copied verbatim (``Dark_Observation.PRODUCT_ID`` names them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from irisplug_iuvs.conversions import mcp_volt_from_dn
from irisplug_iuvs.filenames import parse_filename

__all__ = ["make_l1a_from_l1b", "L1A_OBSERVATION_COLUMNS"]

#: the L1A Observation table is the first 22 columns of the L1B one
L1A_OBSERVATION_COLUMNS = 22
_PRIMARY_KEYS = ("CAPTURE", "PROCESS", "XUV", "OBS_ID", "INT_TIME", "MCP_VOLT", "MIR_DEG", "N_FILL", "BIN_TBL",
                 "SPA_OFS", "SPA_SIZE", "SPE_OFS", "SPE_SIZE")


def _primary(data: np.ndarray, src_header: Any, filename: str, **override: Any) -> Any:
    from astropy.io import fits

    hdu = fits.PrimaryHDU(np.ascontiguousarray(data, dtype=">i4"))
    hdu.header["FILENAME"] = filename
    for key in _PRIMARY_KEYS:
        if key in override:
            hdu.header[key] = override[key]
        elif key in src_header:
            hdu.header[key] = (src_header[key], src_header.comments[key])
    return hdu


def _table(hdu: Any, rows: slice | None = None, name: str | None = None, ncols: int | None = None) -> Any:
    from astropy.io import fits

    cols = hdu.columns if ncols is None else fits.ColDefs(hdu.columns[:ncols])
    data = hdu.data if rows is None else hdu.data[rows]
    new = fits.BinTableHDU.from_columns(cols, nrows=len(data), name=name or hdu.name)
    for col in new.columns.names:
        new.data[col] = data[col]
    return new


def make_l1a_from_l1b(l1b_path: str | Path, dest: str | Path, *, darks: bool = True, compress: bool = True) -> list[Path]:
    """Write the L1A light file (and the L1A dark files) an L1B file was made from.

    Parameters
    ----------
    l1b_path
        A v13 L1B file.
    dest
        Output directory (created).
    darks
        Also write one ``...muvdark``/``...fuvdark`` L1A file per dark product
        (``Dark_Observation`` row): its frames from ``detector_dark``, its
        ``Integration`` rows from ``Dark_Integration``, ``MCP_VOLT`` from the
        dark ``MCP_GAIN`` DN (-1.83 V: HV off).
    compress
        Write ``.fits.gz`` (as the archive does) rather than ``.fits``.

    Returns
    -------
    list of pathlib.Path
        The light file first, then the dark files.

    Examples
    --------
    >>> paths = make_l1a_from_l1b("mvn_iuv_l1b_apoapse-orbit18001-muv_20230114T071804_v13_r01.fits.gz", "out")  # doctest: +SKIP
    >>> [p.name for p in paths][0]  # doctest: +SKIP
    'mvn_iuv_l1a_apoapse-orbit18001-muv_20230114T071804_v13_r01.fits.gz'
    """
    from astropy.io import fits

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    suffix = ".fits.gz" if compress else ".fits"
    out: list[Path] = []
    with fits.open(l1b_path) as h:
        src = h[0].header
        name = parse_filename(src["FILENAME"])
        l1a_id = name.obs_id.replace("mvn_iuv_l1b_", "mvn_iuv_l1a_", 1) + f"_v{name.version:02d}_{name.revision_kind}{name.revision:02d}"
        primary = _primary(h["detector_raw"].data, src, l1a_id + ".fits")
        obs = _table(h["Observation"], ncols=L1A_OBSERVATION_COLUMNS)
        obs.data["PRODUCT_ID"] = l1a_id
        obs.data["BUNDLE_ID"] = "raw"
        hdus = [primary, *(_table(h[n]) for n in ("Integration", "Engineering", "Binning", "SpacecraftGeometry",
                                                 "PixelGeometry")), obs]
        path = dest / (l1a_id + suffix)
        fits.HDUList(hdus).writeto(path, overwrite=True)
        out.append(path)
        if not darks:
            return out
        dobs, deng, dint = h["Dark_Observation"], h["Dark_Engineering"], h["Dark_Integration"]
        frames = h["detector_dark"].data
        n_files = len(dobs.data)
        per = frames.shape[0] // n_files
        for k in range(n_files):
            dark_id = str(dobs.data["PRODUCT_ID"][k]).strip()
            rows = slice(k * per, (k + 1) * per)
            override = {
                "CAPTURE": str(dint.data["UTC"][k * per]).strip(),
                "INT_TIME": float(deng.data["INT_TIME"][k]) / 1000.0,
                "MCP_VOLT": round(float(mcp_volt_from_dn(deng.data["MCP_GAIN"][k])), 3),
            }
            primary = _primary(frames[rows], src, dark_id + ".fits", **override)
            hdus = [primary, _table(dint, rows, "Integration"), _table(deng, slice(k, k + 1), "Engineering"),
                    _table(h["Binning"]), _table(dobs, slice(k, k + 1), "Observation")]
            path = dest / (dark_id + suffix)
            fits.HDUList(hdus).writeto(path, overwrite=True)
            out.append(path)
    return out
