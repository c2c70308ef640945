"""Header-only recognition of IUVS L1A / L1B files (for readers' ``identify``)."""

from __future__ import annotations

from typing import Any

from irisplug_iuvs.errors import IUVSFilenameError
from irisplug_iuvs.filenames import parse_filename

__all__ = ["iuvs_level", "identify_l1a", "identify_l1b"]

_IUVS_KEYS = ("FILENAME", "XUV", "BIN_TBL")
_L1B_ONLY = {"random_dn_unc", "random_phy_unc", "detector_raw", "detector_dark_subtracted",
             "detector_background_subtracted"}
_TABLES = {"integration", "engineering", "binning", "observation"}


def iuvs_level(info: Any) -> str | None:
    """``"l1a"``, ``"l1b"`` or None, from the primary header and the EXTNAMEs only.

    An IUVS primary header has ``FILENAME``, ``XUV`` and ``BIN_TBL``; the level
    comes from the ``FILENAME`` keyword (the name on disk does not matter) and,
    when that is not a product name, from the extension names (L1B has
    ``detector_raw``/``Random_dn_unc``, L1A only tables).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from irisplug import FileInfo
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> _ = p.write_text("not FITS")
    >>> iuvs_level(FileInfo(p)) is None
    True
    """
    header = info.fits_header()
    if not header or not all(k in header for k in _IUVS_KEYS):
        return None
    if str(header.get("XUV", "")).strip().upper() not in ("FUV", "MUV", "ECH"):
        return None
    try:
        level = parse_filename(str(header["FILENAME"]).strip()).level
        if level in ("l1a", "l1b"):
            return level
    except IUVSFilenameError:
        pass
    names = {n.lower() for n in info.fits_extnames()}
    if names & _L1B_ONLY:
        return "l1b"
    if _TABLES <= names:
        return "l1a"
    return None


def identify_l1b(info: Any) -> bool:
    """True for IUVS L1B files (header only)."""
    return iuvs_level(info) == "l1b"


def identify_l1a(info: Any) -> bool:
    """True for IUVS L1A files (header only)."""
    return iuvs_level(info) == "l1a"
