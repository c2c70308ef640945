"""Locate the real IRIS Level 2 files shipped inside the irispy-lmsal wheel by what they hold.

irispy-lmsal ships down-sampled IRIS L2 files for its own tests, and the set
changes between releases: 0.5 names them ``..._r00000.fits`` and
``..._SJI_2796_t000_deconvolved.fits``; 0.9 renames them ``*_test.fits``,
replaces the slit-jaw files of the 2014-03-29 raster (OBSID 3860258481) with
two-frame ones of OBSID 3880012095, ships no deconvolved slit-jaw file and
corrects headers (CDELT1, CRPIX1). Tests and examples therefore never name a
file: they ask for the files holding an observation (OBSID), a kind (raster
or slit-jaw), a window and so on, read from each file's primary header.

Examples
--------
>>> from irisplug_iris.irispy_files import find_files
>>> rasters = find_files(obsid="3860258481", kind="raster")
>>> len(rasters) in (0, 13)    # 13 raster files when irispy-lmsal is installed
True
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RASTER_OBSID", "SNS_OBSID", "IrispyFile", "irispy_test_root", "index", "find_files", "require_files"]

#: the 2014-03-29 8-step raster: 13 raster files in every release; its own slit-jaw files only up to 0.5
RASTER_OBSID = "3860258481"
#: the 2021-09-05 sit-and-stare observation: one raster file and four slit-jaw files in every release
SNS_OBSID = "3620258102"


@dataclass(frozen=True)
class IrispyFile:
    """What one IRIS L2 test file holds, read from its primary header."""

    path: Path
    #: the observation identifier (header ``OBSID``)
    obsid: str
    #: ``"raster"`` (``INSTRUME = 'SPEC'``) or ``"sji"`` (``INSTRUME = 'SJI'``)
    kind: str
    #: the window labels (``TDESCn``): spectral windows of a raster file, ``("SJI_1400",)`` for a slit-jaw file
    windows: tuple[str, ...]
    #: raster positions per raster (``NRASTERP``)
    raster_positions: int
    #: frames (slit-jaw: NAXIS3) or raster steps (raster: NAXIS3 of the first window)
    n_frames: int
    #: a HISTORY line records a deconvolution (iris_mpsf_l2): the data are not photon counts any more
    deconvolved: bool
    #: observation start (``STARTOBS``)
    startobs: str
    #: first and last exposure of the file (``DATE_OBS``, ``DATE_END``)
    dates: tuple[str, str]
    #: image size (ny, nx) of a slit-jaw frame; (0, 0) for a raster file
    frame_shape: tuple[int, int] = (0, 0)
    #: fraction of missing pixels (-200) in the first slit-jaw frame; 0 for a raster file
    missing_fraction: float = 0.0

    @property
    def band(self) -> str | None:
        """The slit-jaw passband (``"1400"``), None for a raster file."""
        return self.windows[0].removeprefix("SJI_") if self.kind == "sji" else None


def irispy_test_root() -> Path | None:
    """The ``irispy/data/test`` folder of the installed irispy-lmsal, or None when absent."""
    try:
        import irispy
    except ImportError:
        return None
    root = Path(irispy.__file__).parent / "data" / "test"
    return root if root.is_dir() else None


def _describe(path: Path) -> IrispyFile | None:
    from astropy.io import fits

    try:
        with fits.open(path, memmap=False, lazy_load_hdus=True) as hdul:
            header = hdul[0].header
            instrume = str(header.get("INSTRUME", "")).strip().upper()
            if instrume not in ("SPEC", "SJI") or "OBSID" not in header:
                return None
            windows = tuple(str(header.get(f"TDESC{i}", "")).strip() for i in range(1, int(header.get("NWIN", 0)) + 1))
            if instrume == "SJI":
                n_frames = int(header.get("NAXIS3", 1))
            else:
                n_frames = int(hdul[1].header.get("NAXIS3", 0)) if len(hdul) > 1 else 0
            history = " ".join(str(h) for h in header.get("HISTORY", []))
            frame_shape, missing = (0, 0), 0.0
            if instrume == "SJI" and header.get("NAXIS", 0) == 3:
                frame = hdul[0].section[0]
                frame_shape = (int(header["NAXIS2"]), int(header["NAXIS1"]))
                missing = float((frame == -200).mean())
    except OSError:
        return None
    return IrispyFile(
        path=path,
        obsid=str(header["OBSID"]).strip(),
        kind="sji" if instrume == "SJI" else "raster",
        windows=windows,
        raster_positions=int(header.get("NRASTERP", 1)),
        n_frames=n_frames,
        deconvolved="deconvolved" in history.lower(),
        startobs=str(header.get("STARTOBS", "")),
        dates=(str(header.get("DATE_OBS", "")), str(header.get("DATE_END", ""))),
        frame_shape=frame_shape,
        missing_fraction=missing,
    )


@functools.cache
def _index(root: Path) -> tuple[IrispyFile, ...]:
    found = [f for f in (_describe(p) for p in sorted(root.rglob("*.fits"))) if f is not None]
    # The same file may be shipped twice (0.5 and 0.9 put the sit-and-stare raster file in raster/
    # and sns/): keep the copy that sits with the most files of its own observation.
    per_folder: dict[tuple[Path, str], int] = {}
    for f in found:
        per_folder[f.path.parent, f.obsid] = per_folder.get((f.path.parent, f.obsid), 0) + 1
    best: dict[tuple[object, ...], IrispyFile] = {}
    for f in found:
        key = (f.obsid, f.kind, f.windows, f.dates, f.deconvolved)
        if key not in best or per_folder[f.path.parent, f.obsid] > per_folder[best[key].path.parent, best[key].obsid]:
            best[key] = f
    return tuple(sorted(best.values(), key=lambda f: f.path))


def index() -> tuple[IrispyFile, ...]:
    """Every IRIS L2 file of the installed irispy-lmsal test data, sorted by path (empty when absent)."""
    root = irispy_test_root()
    return _index(root) if root is not None else ()


def find_files(
    *,
    obsid: str | None = None,
    kind: str | None = None,
    window: str | None = None,
    band: str | None = None,
    deconvolved: bool | None = None,
    sit_and_stare: bool | None = None,
    min_frames: int = 0,
    min_frame_size: int = 0,
    max_missing: float = 1.0,
) -> list[Path]:
    """The test files matching every given criterion, sorted by path (raster files in step order).

    Parameters
    ----------
    obsid
        Observation identifier, e.g. ``"3860258481"``.
    kind
        ``"raster"`` or ``"sji"``.
    window
        A spectral window label a raster file holds (``"Si IV 1403"``) or a
        slit-jaw label (``"SJI_1400"``).
    band
        Slit-jaw passband, ``"1330"``, ``"1400"``, ``"2796"`` or ``"2832"`` (implies ``kind="sji"``).
    deconvolved
        True or False to ask for (non-)deconvolved slit-jaw files.
    sit_and_stare
        True: one raster position per raster (``NRASTERP = 1``); False: a stepping raster.
    min_frames
        At least this many frames (slit-jaw) or raster steps (raster).
    min_frame_size
        Slit-jaw frames at least this many pixels along each side.
    max_missing
        At most this fraction of missing pixels (-200) in the first slit-jaw frame.

    Examples
    --------
    >>> from irisplug_iris.irispy_files import find_files
    >>> all(p.suffix == ".fits" for p in find_files(kind="sji", band="1400"))
    True
    """
    if kind not in (None, "raster", "sji"):
        raise ValueError(f"kind must be 'raster' or 'sji', not {kind!r}")
    out = []
    for f in index():
        if obsid is not None and f.obsid != str(obsid):
            continue
        if kind is not None and f.kind != kind:
            continue
        if band is not None and f.band != str(band):
            continue
        if window is not None and window not in f.windows:
            continue
        if deconvolved is not None and f.deconvolved != deconvolved:
            continue
        if sit_and_stare is not None and f.kind == "raster" and (f.raster_positions == 1) != sit_and_stare:
            continue
        if f.n_frames < min_frames:
            continue
        if min_frame_size and (f.kind != "sji" or min(f.frame_shape) < min_frame_size):
            continue
        if f.missing_fraction > max_missing:
            continue
        out.append(f.path)
    return out


def require_files(**criteria: object) -> list[Path]:
    """:func:`find_files` in a pytest test: skips the test, naming the criteria, when nothing matches."""
    files = find_files(**criteria)  # type: ignore[arg-type]
    if not files:
        import pytest

        try:
            from importlib.metadata import version

            have = f"irispy-lmsal {version('irispy-lmsal')}"
        except Exception:  # noqa: BLE001 - any metadata failure means "not installed"
            have = "no irispy-lmsal"
        wanted = ", ".join(f"{k}={v!r}" for k, v in criteria.items())
        pytest.skip(f"no IRIS test file with {wanted} in the test data of {have}")
    return files
