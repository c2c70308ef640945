"""Read IRIS Level 2 raster and slit-jaw files into the irisplug data model (headers only, lazy data)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from irisplug.errors import (
    CorruptFileError,
    InconsistentInputError,
    MissingExtensionError,
    MissingKeywordError,
    MixedSourceError,
)
from irisplug.fileinfo import iter_fits_headers
from irisplug.sources import decompressed

__all__ = ["read_iris_l2", "identify_iris_l2", "classify"]

_WINDOW_KEYS = ("TDESC", "TWAVE", "TWMIN", "TWMAX", "TDET", "TSR", "TER", "TSC", "TEC")
#: the primary-header keywords ``print(obs)`` lists and ``to_xarray``/maps/written files carry (irisplug.model.description)
SUMMARY_KEYS = ("TELESCOP", "OBSID", "STARTOBS", "ENDOBS", "NRASTERP", "RASNRPT", "XCEN", "YCEN", "SAT_ROT")


def _describe_observation(meta: dict[str, Any], primary: Any) -> None:
    """The model's ``observation_id``/``description``/``summary_keys`` from ``OBSID``/``OBS_DESC`` (as text: a
    damaged header's number or flag is shown as it is, not refused here)."""
    from irisplug.model import with_description

    oid, desc = primary.get("OBSID"), primary.get("OBS_DESC")
    with_description(meta, observation_id=None if oid is None else str(oid),
                     description=None if desc is None else str(desc), summary_keys=SUMMARY_KEYS)


def _describe(meta: dict[str, Any], primary: Any, window: int, hdr: Any = None) -> dict[str, Any]:
    """``meta`` with the model's description keys and the standard wavelength keywords of window ``window``.

    IRIS names a window's nominal wavelength ``TWAVEn`` (angstrom); the model reads the FITS-standard
    ``WAVELNTH`` and SOLARNET's ``WAVEMIN``/``WAVEMAX``: for a spectrograph window (``hdr``, its extension
    header) the outer edges of its first and last pixels from the header's WCS (``TWMINn``/``TWMAXn`` give the
    window as commanded, which a cropped file no longer covers), for a slit-jaw the passband ``TWMIN1``/``TWMAX1``.
    """
    _describe_observation(meta, primary)
    keys = {"WAVELNTH": primary.get(f"TWAVE{window}"), "WAVEMIN": primary.get(f"TWMIN{window}"),
            "WAVEMAX": primary.get(f"TWMAX{window}")}
    if hdr is not None:  # RASTER_AXES: axis 1 is WAVE (CUNIT1 checked to convert to angstrom), PC1_2 = PC1_3 = 0
        unit = str(hdr.get("CUNIT1", "Angstrom")).strip()
        to_aa = {"angstrom": 1.0, "nm": 10.0}.get(unit.lower())
        if to_aa is None:  # another length unit: astropy converts it (the first open imports no astropy otherwise)
            import astropy.units as u

            to_aa = u.Unit(unit).to(u.AA)
        scale = hdr.get("CDELT1", 1.0) * hdr.get("PC1_1", 1.0) * to_aa
        ends = [hdr.get("CRVAL1", 0.0) * to_aa + (p - hdr.get("CRPIX1", 0.0)) * scale for p in (0.5, hdr["NAXIS1"] + 0.5)]
        keys["WAVEMIN"], keys["WAVEMAX"] = min(ends), max(ends)
    for key, value in keys.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            meta[key] = float(value)
    if "WAVELNTH" in meta:
        meta["WAVEUNIT"] = "Angstrom"
    return meta


def identify_iris_l2(info: Any) -> bool:
    """True for an IRIS Level 2 raster or SJI file (header check only).

    Examples
    --------
    >>> from irisplug import FileInfo
    >>> identify_iris_l2(FileInfo("iris_l2_..._raster_t000_r00000.fits"))  # doctest: +SKIP
    True
    """
    if not info.is_fits:
        return is_hcr_overview(info)
    header = info.fits_header()
    if not header:
        return False
    return classify(header) is not None


def is_hcr_overview(info: Any) -> bool:
    """True for the ``overview.txt`` that LMSAL's HCR puts beside an observation's files."""
    return info.name.endswith(".txt") and info.head(64).startswith(b"Observation is https://www.lmsal.com/hek/hcr")


def classify(header: dict[str, Any]) -> str | None:
    """``"raster"``, ``"sji"`` or None for a primary header."""
    if str(header.get("TELESCOP", "")).strip() != "IRIS":
        return None
    level = header.get("DATA_LEV", header.get("LVL_NUM"))
    try:
        if float(level) < 2:
            return None
    except (TypeError, ValueError):
        return None
    if header.get("IRISPLUG"):
        return None  # written by irisplug; its own reader takes it
    instrume = str(header.get("INSTRUME", "")).strip().upper()
    if instrume == "SJI":
        return "sji"
    if instrume in ("SPEC", "FUV", "NUV") or "NWIN" in header:
        return "raster"
    return None


# The key tests below use string methods, not regular expressions: compiling a pattern costs ~0.15 ms, a
# noticeable part of the first open in a fresh process. ASCII digits only, as FITS keywords have.
_DIGITS = "0123456789"


def _digits(text: str) -> bool:
    """``text`` is one or more ASCII digits."""
    return bool(text) and not text.strip(_DIGITS)


def _is_window_key(key: str) -> bool:
    """``TDESCn``, ``TWAVEn``, ... (a window keyword of the primary header: one of ``_WINDOW_KEYS`` + digits)."""
    stem = key.rstrip(_DIGITS)
    return stem != key and stem in _WINDOW_KEYS


def _is_wcs_number_key(key: str) -> bool:
    """``CRPIXn``, ``CDELTn``, ``CRVALn``, ``PCi_j``, ``CDi_j`` (``n``, ``j`` digits or none; ``i`` one digit)."""
    if key[:5] in ("CRPIX", "CDELT", "CRVAL"):
        rest = key[5:]
    elif key[:2] in ("PC", "CD") and key[3:4] == "_" and _digits(key[2:3]):
        rest = key[4:]
    else:
        return False
    return not rest or _digits(rest)


def _is_axis_text_key(key: str) -> bool:
    """``CTYPEn`` or ``CUNITn`` with one digit ``n``."""
    return key[:5] in ("CTYPE", "CUNIT") and len(key) == 6 and _digits(key[5])


def _headers(path: Path, info: Any = None) -> list[tuple[dict[str, Any], int, int]]:
    try:
        return list(iter_fits_headers(path)) if info is None else info.fits_headers()
    except CorruptFileError:
        raise
    except (OSError, ValueError, UnicodeError) as exc:
        raise CorruptFileError(f"cannot parse FITS headers ({exc})", path=path) from exc


def _require(header: dict[str, Any], key: str, path: Path, where: str = "primary header") -> Any:
    if key not in header or header[key] is None:
        raise MissingKeywordError(f"{where} lacks {key}, required for IRIS Level 2", path=path)
    return header[key]


def _times(aux: np.ndarray, aux_hdr: dict[str, Any], exp_key: str, path: Path) -> tuple[np.ndarray, np.ndarray]:
    from irisplug_iris.aux import aux_column
    from irisplug_iris.checks import check_exposure_times

    t = aux_column(aux, aux_hdr, "TIME", path)
    exp = aux_column(aux, aux_hdr, exp_key, path)
    check_exposure_times(t, exp, path)
    return t + exp / 2.0, exp


def _pointing(aux: np.ndarray, aux_hdr: dict[str, Any], axes: Sequence[Sequence[str]], path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """XCENIX, YCENIX and the PC matrices (NaN where the table has no entry); rows without pointing interpolated."""
    from irisplug_iris.aux import aux_column, column_index

    x = aux_column(aux, aux_hdr, "XCENIX", path)
    y = aux_column(aux, aux_hdr, "YCENIX", path)
    if aux.shape[0] == 0:
        raise CorruptFileError("the auxiliary table has no rows (no exposure times, no pointing)", path=path)
    k = len(axes)
    pc = np.full((aux.shape[0], k, k), np.nan)
    for a in range(k):
        for b in range(k):
            key = f"PC{axes[a]}_{axes[b]}IX"
            if key in aux_hdr:
                pc[:, a, b] = aux[:, column_index(aux, aux_hdr, key, path)]
    missing = (x == 0) & (y == 0)
    if missing.any() and (~missing).any():
        good = np.flatnonzero(~missing)
        bad = np.flatnonzero(missing)
        x[bad] = np.interp(bad, good, x[good])
        y[bad] = np.interp(bad, good, y[good])
        for a in range(k):
            for b in range(k):
                col = pc[:, a, b]
                if np.isfinite(col).all():
                    col[bad] = np.interp(bad, good, col[good])
    return x, y, pc


#: magnitude bound of WCS keywords: far beyond any real value (arcsec, Angstrom, s, pixels), far below overflow
_WCS_LIMIT = 1e12


def _check_wcs_keywords(hdr: dict[str, Any], path: Path, where: str) -> None:
    """CRPIXn, CDELTn, CRVALn and PCi_j must be finite numbers of sane magnitude (1e308 overflows the WCS)."""
    from irisplug_iris.checks import float_keyword

    for key in hdr:
        if key[:1] not in ("C", "P"):  # every key tested below starts with C or P
            continue
        if _is_wcs_number_key(key):
            float_keyword(hdr, key, path, where, limit=_WCS_LIMIT)
        elif _is_axis_text_key(key) and not isinstance(hdr[key], str):
            raise CorruptFileError(f"{where}: {key} = {hdr[key]!r} is not a string", path=path)


def _window_labels(primary: dict[str, Any], nwin: int, path: Path, *, warn: bool = True) -> list[str]:
    """TDESC1..TDESCn; a label repeated is made unique (``"<label> (HDU n)"`` for the later window) with a warning."""
    import warnings

    labels: list[str] = []
    for w in range(1, nwin + 1):
        raw = _require(primary, f"TDESC{w}", path)
        label = str(raw).strip()
        if not label:
            raise CorruptFileError(f"primary header: TDESC{w} (label of window {w}) is empty", path=path)
        if label in labels:
            unique = f"{label} (HDU {w})"
            if warn:
                warnings.warn(f"{path}: windows {labels.index(label) + 1} and {w} are both labelled {label!r} (TDESC); "
                              f"window {w} is read as {unique!r}", stacklevel=4)
            label = unique
        labels.append(label)
    return labels


def _scan_raster_file(path: Path, primary: dict[str, Any], hdus: list, first_index: int, wanted: Any = None) -> dict[str, dict[str, Any]]:
    """Check a raster file and collect, per window, what building its cube needs (headers and aux table only)."""
    from irisplug_iris.checks import (
        RASTER_AXES,
        check_axes,
        check_image_header,
        check_pointing,
        check_time_text,
        float_keyword,
        int_keyword,
    )

    nwin = int_keyword(primary, "NWIN", path, "primary header", minimum=1, maximum=999)
    startobs = str(_require(primary, "STARTOBS", path))
    check_time_text(startobs, "STARTOBS", path)
    aux_idx = [i for i, (h, _, _) in enumerate(hdus) if "XCENIX" in h]
    if len(hdus) < nwin + 1 or not aux_idx:
        raise MissingExtensionError(
            f"raster file has {len(hdus) - 1} extensions for NWIN={nwin} windows and no auxiliary table "
            "(the extension with TIME, XCENIX, ...); the file is incomplete: download it again",
            path=path,
        )
    aux_hdr, aux_off, _ = hdus[aux_idx[0]]
    from irisplug_iris.aux import read_aux

    aux = read_aux(path, aux_hdr, aux_off)
    out: dict[str, dict[str, Any]] = {}
    base_meta = {k: v for k, v in primary.items() if not _is_window_key(k)}
    x, y, pc = _pointing(aux, aux_hdr, ("1", "2", "3"), path)
    nrasterp = int_keyword(primary, "NRASTERP", path, "primary header", minimum=0, maximum=1 << 31, default=1) or 1
    labels = _window_labels(primary, nwin, path)
    pointing_checked: set[tuple] = set()
    for w in range(1, nwin + 1):
        hdr, off, _ = hdus[w]
        label = labels[w - 1]
        where = f"HDU {w} (window {label!r})"
        n_steps = check_image_header(hdr, path, where, 3)[0]
        _check_wcs_keywords(hdr, path, where)
        check_axes(hdr, path, where, RASTER_AXES)
        # the windows share the aux table's pointing; only the PCi_j filling its gaps may differ per window
        fill = tuple((type(v).__name__, v) for v in (hdr.get(f"PC{a}_{b}") for a in (1, 2, 3) for b in (1, 2, 3)))
        if fill not in pointing_checked:
            check_pointing(x, y, pc, hdr, path, separate=(0,))  # RASTER_AXES[0] is WAVE
            pointing_checked.add(fill)
        for k in ("TWAVE", "TWMIN", "TWMAX"):
            float_keyword(primary, f"{k}{w}", path, "primary header", default=None)
        if wanted is not None and label not in wanted:
            continue
        det = str(primary.get(f"TDET{w}", "")).strip().upper()
        if aux.shape[0] != n_steps:
            raise InconsistentInputError(f"window {label!r} has {n_steps} exposures but the auxiliary table {aux.shape[0]} rows", path=path)
        exp_key = "EXPTIMEN" if det.startswith("NUV") else "EXPTIMEF"
        mid, exp = _times(aux, aux_hdr, exp_key, path)
        meta = dict(base_meta)
        meta.update({k: primary.get(f"{k}{w}") for k in _WINDOW_KEYS if f"{k}{w}" in primary})
        meta["DETECTOR"] = det
        meta["FILENAME"] = path.name
        meta["HDU"] = w
        _describe(meta, primary, w, hdr)
        meta["window_header"] = {k: v for k, v in hdr.items()}
        # the data-quality keys (Quantities: astropy.units) are added when the cube is built
        quality = {"detector": "NUV" if det.startswith("NUV") else det, "label": label, "window": label}
        out[label] = {"quality": quality, "path": path, "hdr": hdr, "offset": off, "startobs": startobs, "x": x, "y": y, "pc": pc,
                      "mid": mid, "exp": exp, "meta": meta, "nrasterp": nrasterp, "first_index": first_index}
    return out


def _summary(kind: str, meta: dict[str, Any], shape: tuple[int, ...], n_files: int) -> dict[str, Any]:
    """A window's row of ``Observation.windows`` from its headers (the same fields the built object gives)."""
    def wave(key: str) -> float:
        v = meta.get(key)
        return float(v) if v is not None else float("nan")

    return {"kind": kind, "detector": str(meta.get("DETECTOR", "")), "shape": shape,
            "wave_min": wave("WAVEMIN"), "wave_max": wave("WAVEMAX"), "n_files": n_files}


def _scan_sji_file(path: Path, primary: dict[str, Any], hdus: list) -> tuple[str, dict[str, Any]]:
    """Check a slit-jaw file and collect what building its cube needs (headers and aux table only)."""
    from irisplug_iris.aux import aux_column, read_aux, resample_aux_rows
    from irisplug_iris.checks import (
        SJI_AXES,
        check_axes,
        check_image_header,
        check_pointing,
        check_time_text,
        float_keyword,
        int_keyword,
    )

    startobs = str(_require(primary, "STARTOBS", path))
    check_time_text(startobs, "STARTOBS", path)
    n = check_image_header(primary, path, "SJI primary HDU (frame, y, x)", 3)[0]
    _check_wcs_keywords(primary, path, "SJI primary HDU")
    check_axes(primary, path, "SJI primary HDU", SJI_AXES)
    aux_idx = [i for i, (h, _, _) in enumerate(hdus) if "XCENIX" in h]
    if not aux_idx:
        raise MissingExtensionError("SJI file has no auxiliary table (the extension with TIME, XCENIX, ...); download it again", path=path)
    aux_hdr, aux_off, _ = hdus[aux_idx[0]]
    aux = resample_aux_rows(read_aux(path, aux_hdr, aux_off), n, path)
    mid, exp = _times(aux, aux_hdr, "EXPTIMES", path)
    x, y, pc = _pointing(aux, aux_hdr, ("1", "2"), path)
    check_pointing(x, y, pc, primary, path)
    twave = float_keyword(primary, "TWAVE1", path, "primary header", default=0.0)
    label = str(primary.get("TDESC1", f"SJI_{int(twave)}")).strip()
    meta = dict(primary)
    meta["DETECTOR"] = "SJI"
    meta["FILENAME"] = path.name
    _describe(meta, primary, 1)
    # the data-quality keys (Quantities: astropy.units) are added when the cube is built, before DECONVOLVED
    deconvolved = "deconvolved" in path.name.lower()
    if deconvolved:
        label += "_deconvolved"
    # slit centre of each frame in 1-based window pixels (the aux header says "window-pixels")
    slit = {name: aux_column(aux, aux_hdr, key, path) for key, name in (("SLTPX1IX", "slit_x"), ("SLTPX2IX", "slit_y")) if key in aux_hdr}
    return label, {"quality": {"detector": "SJI", "twave": primary.get("TWAVE1"), "window": label}, "deconvolved": deconvolved, "path": path, "hdr": primary, "offset": hdus[0][1], "startobs": startobs, "x": x, "y": y, "pc": pc,
                   "mid": mid, "exp": exp, "meta": meta, "slit": slit,
                   "nrasterp": int_keyword(primary, "NRASTERP", path, "primary header", minimum=0, maximum=1 << 31, default=1) or 1}


def _build_window(recipes: list[dict[str, Any]], lazy: bool, keep_null: bool, uncertainty: bool = False) -> Any:
    """The RasterSequence of one spectral window (:func:`irisplug_iris.cube_build.build_window`)."""
    from irisplug_iris.cube_build import build_window

    return build_window(recipes, lazy, keep_null, uncertainty)


def _build_sji_cube(r: dict[str, Any], lazy: bool, keep_null: bool, uncertainty: bool = False) -> Any:
    """The SJICube of one slit-jaw file (:func:`irisplug_iris.cube_build.build_sji_cube`)."""
    from irisplug_iris.cube_build import build_sji_cube

    return build_sji_cube(r, lazy, keep_null, uncertainty)


def _check_wanted(windows: list[str], files: list[tuple], rasters: list[tuple]) -> None:
    """Raise :class:`~irisplug.errors.UnknownWindowError` for labels of ``windows`` that no file holds."""
    available: list[str] = []
    for p, _, primary, _ in rasters:
        available += _window_labels(primary, int(primary.get("NWIN", 0) or 0), p, warn=False)
    for _, kind, primary, _ in files:
        if kind == "sji":
            available.append(str(primary.get("TDESC1", "")).strip())
    available = list(dict.fromkeys(available))
    unknown = [w for w in dict.fromkeys(windows) if w not in available]
    if not unknown:
        return
    from irisplug.errors import UnknownWindowError
    from irisplug.model import unknown_window_message

    names = sorted(f[0].name for f in files)
    if len(names) == 1:
        where, path = "this file", files[0][0]
    else:
        shown = ", ".join(names) if len(names) <= 3 else f"{names[0]}, ..., {names[-1]}"
        where, path = f"the {len(names)} files read ({shown})", files[0][0].parent
    raise UnknownWindowError(unknown_window_message(unknown, available, where), path=path)


def read_iris_l2(paths: Sequence[str | Path], *, lazy: bool = True, keep_null: bool = True, windows: Sequence[str] | None = None,
                 uncertainty: bool = False, fileinfo: Sequence[Any] | None = None) -> Any:
    """Read IRIS Level 2 files of one observation into an :class:`irisplug.model.Observation`.

    Parameters
    ----------
    paths
        Raster and/or SJI files of one OBSID (any order), plain or gzip-compressed
        (``*.fits.gz`` as the archive serves slit-jaw files: decompressed once into
        the cache, see :func:`irisplug.sources.decompressed`).
    lazy
        True (default): read headers and auxiliary tables only; each window's
        cube or sequence is built on first access and its data decoded chunk
        by chunk on demand (dask). False: build and decode everything now (numpy).
    keep_null
        False drops exposures whose pixels are all missing (reads the data).
    windows
        Labels to read (spectral windows and/or SJI labels such as ``"SJI_1400"``;
        one label may be given as a string); all when None. A label that none
        of the files holds is an error.
    uncertainty
        True: attach photon + read noise uncertainties (``StdDevUncertainty``,
        lazy like the data; :func:`irisplug_iris.noise.photon_noise`).
    fileinfo
        One :class:`irisplug.FileInfo` per path (``irisplug.read`` passes the
        ones it filled while choosing the reader): their parsed headers are
        reused instead of parsing each file again.

    Raises
    ------
    CorruptFileError, TruncatedFileError
        A file is not FITS, not IRIS Level 2, or shorter than its header says.
    MissingExtensionError
        A file lacks its auxiliary table.
    MixedSourceError
        The files belong to different observations (OBSIDs).
    irisplug.errors.UnknownWindowError
        A label of ``windows`` is in none of the files (the message names the
        files and lists their labels); also a ``KeyError``.

    Examples
    --------
    >>> obs = irisplug.read("iris_l2_20140329_140938_3860258481_raster/")  # doctest: +SKIP
    >>> obs["Si IV 1403"]  # doctest: +SKIP
    """
    from irisplug.fileinfo import FileInfo
    from irisplug.model import Deferred, Observation
    files = []
    overview = []
    paths = [Path(p) for p in paths]
    if fileinfo is not None and len(fileinfo) != len(paths):
        raise ValueError(f"fileinfo holds {len(fileinfo)} entries for {len(paths)} paths")
    infos = list(fileinfo) if fileinfo is not None else [None] * len(paths)
    for p, info in zip(paths, infos, strict=True):
        if p.suffix == ".txt":
            if not is_hcr_overview(info or FileInfo(p)):
                raise CorruptFileError("not an IRIS Level 2 file nor an HCR overview.txt", path=p)
            overview.append(p.read_text(errors="replace"))
            continue
        # the archive serves *.fits.gz; the aux and data readers seek to byte offsets,
        # so a compressed file is read from its plain copy in the cache (made once, by content)
        plain = decompressed(p)
        hdus = _headers(plain, info if plain == p else None)
        p = plain
        primary = hdus[0][0]
        kind = classify(primary)
        if kind is None:
            raise CorruptFileError(
                f"not an IRIS Level 2 file (TELESCOP={primary.get('TELESCOP')!r}, INSTRUME={primary.get('INSTRUME')!r}, "
                f"DATA_LEV={primary.get('DATA_LEV')!r}); pass only IRIS L2 raster or SJI files",
                path=p,
            )
        files.append((p, kind, primary, hdus))
    if not files:
        raise CorruptFileError("no IRIS Level 2 FITS file among the inputs (only HCR overview text)", path=paths[0])
    obsids = {str(f[2].get("OBSID", "")).strip() for f in files}
    if len(obsids) > 1:
        groups: dict[str, list[str]] = {}
        for p, _, primary, _ in files:
            groups.setdefault(str(primary.get("OBSID", "")).strip(), []).append(p.name)
        detail = "; ".join(f"OBSID {k}: {', '.join(v[:2])}{' ...' if len(v) > 2 else ''}" for k, v in groups.items())
        raise MixedSourceError(f"files of different observations in one call ({detail}); read each observation separately", path=files[0][0])
    rasters = sorted((f for f in files if f[1] == "raster"), key=lambda f: (str(f[2].get("DATE_OBS", "")), f[0].name))
    if isinstance(windows, str):
        windows = [windows]
    wanted = None if windows is None else set(windows)
    if wanted is not None:
        _check_wanted(list(windows), files, rasters)
    by_window: dict[str, list[dict[str, Any]]] = {}
    first_index = 0
    for p, _, primary, hdus in rasters:
        for label, recipe in _scan_raster_file(p, primary, hdus, first_index, wanted).items():
            by_window.setdefault(label, []).append(recipe)
        first_index += max(int(h["NAXIS3"]) for h, _, _ in hdus[1 : int(primary["NWIN"]) + 1])
    sjis = []
    for p, _, primary, hdus in sorted((f for f in files if f[1] == "sji"), key=lambda f: f[0].name):
        if wanted is not None and str(primary.get("TDESC1", "")).strip() not in wanted:
            continue
        sjis.append(_scan_sji_file(p, primary, hdus))
    # lazy: every window is built on first access (opening costs headers and aux tables only);
    # dropping empty exposures (keep_null=False) reads data, so it builds now
    deferred = lazy and keep_null
    items: dict[str, Any] = {}
    for label, recipes in by_window.items():
        build = functools.partial(_build_window, recipes, lazy, keep_null, uncertainty)
        if deferred:
            h = recipes[0]["hdr"]
            shape = (len(recipes), int(h["NAXIS3"]), int(h["NAXIS2"]), int(h["NAXIS1"]))
            items[label] = Deferred(build, _summary("spectrograph", recipes[0]["meta"], shape, len(recipes)))
        elif (seq := build()) is not None:
            items[label] = seq
    for label, recipe in sjis:
        build = functools.partial(_build_sji_cube, recipe, lazy, keep_null, uncertainty)
        if deferred:
            h = recipe["hdr"]
            shape = (int(h["NAXIS3"]), int(h["NAXIS2"]), int(h["NAXIS1"]))
            items[label] = Deferred(build, _summary("slit-jaw", recipe["meta"], shape, 1))
        elif (cube := build()) is not None:
            items[label] = cube
    meta_src = rasters[0][2] if rasters else files[0][2]
    meta = dict(meta_src)
    meta["files"] = [str(f[0]) for f in files]
    meta["INSTRUME"] = "IRIS"
    _describe_observation(meta, meta)
    if overview:
        meta["overview"] = "\n".join(overview)
    return Observation(items, meta=meta)
