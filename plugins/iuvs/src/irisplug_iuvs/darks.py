"""The IUVS dark-current analysis of shared/seeds/003 as functions over many files.

Per dark product: the mean dark DN per detector pixel per second, corrected for
the on-chip binning (pixels per bin from the ``Binning`` table) and the
integration time, with the detector and case temperatures, the MCP voltage
(which tells the dark mode) and the channel, as one pandas DataFrame row.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from irisplug_iuvs.conversions import case_temp_from_dn, det_temp_from_dn, mcp_volt_from_dn
from irisplug_iuvs.filenames import parse_filename

__all__ = ["pixels_per_bin", "dark_statistics", "plot_dark_rate_vs_temperature", "DARK_COLUMNS"]

#: columns of :func:`dark_statistics`
DARK_COLUMNS = ("file", "product", "time", "xuv", "int_time_s", "n_frames", "mcp_volt", "dark_mode",
                "det_temp_c", "case_temp_c", "mean_pixels_per_bin", "dark_mean_dn", "corrected_mean_dn", "dn_per_s")


def pixels_per_bin(binning: Any) -> np.ndarray:
    """Detector pixels summed into each (spatial, spectral) bin, from a ``Binning`` table row.

    ``outer(SPABINWIDTH[transmitted], SPEBINWIDTH[transmitted])`` (maven_iuvs
    ``get_npix_per_bin``); the first and last widths are the untransmitted edges.

    Examples
    --------
    >>> row = {"SPABINWIDTH": [[3, 2, 2, 5]], "SPABINTRANSMIT": [[0, 1, 1, 0]],
    ...        "SPEBINWIDTH": [[1, 4, 1]], "SPEBINTRANSMIT": [[0, 1, 0]]}
    >>> pixels_per_bin(row).tolist()
    [[8.0], [8.0]]
    """
    spa = np.asarray(binning["SPABINWIDTH"][0])[np.asarray(binning["SPABINTRANSMIT"][0]) == 1]
    spe = np.asarray(binning["SPEBINWIDTH"][0])[np.asarray(binning["SPEBINTRANSMIT"][0]) == 1]
    return np.outer(spa, spe).astype(float)


def _temperatures(integration: Any, engineering: Any) -> tuple[float, float]:
    """Mean detector and case temperature (degC): v13 ``Integration.*_TEMP_C`` or older DN columns."""
    if integration is not None and "DET_TEMP_C" in integration.colnames:
        return float(np.mean(integration["DET_TEMP_C"])), float(np.mean(integration["CASE_TEMP_C"]))
    if engineering is not None and "DET_TEMP" in engineering.colnames:  # 2015-era products: raw DN
        return float(np.mean(det_temp_from_dn(engineering["DET_TEMP"]))), float(
            np.mean(case_temp_from_dn(engineering["CASE_TEMP"]))
        )
    return float("nan"), float("nan")


def _row(path: Path, product: str, frames: np.ndarray, npix: np.ndarray, int_time_s: float, mcp_gain_dn: float,
         integration: Any, engineering: Any, xuv: str) -> dict[str, Any]:
    from irisplug.model import utc_datetime64
    from irisplug_iuvs._fits import parse_iuvs_utc

    frames = np.asarray(frames, dtype=float)
    det, case = _temperatures(integration, engineering)
    mcp_volt = round(float(mcp_volt_from_dn(mcp_gain_dn)), 3)
    corrected = float(np.nanmean(frames / npix))
    return {
        "file": path.name,
        "product": product,
        # numpy datetime64 (what pandas keeps): a time inside a leap second has no Python datetime
        "time": utc_datetime64(parse_iuvs_utc(integration["UTC"][:1], path), "dark times")[0]
        if integration is not None else None,
        "xuv": xuv,
        "int_time_s": int_time_s,
        "n_frames": frames.shape[0],
        "mcp_volt": mcp_volt,
        # seed 003: darks with the MCP high voltage off (-1.83 V = 0 DN) vs shutter-closed darks
        "dark_mode": "mcp_off" if mcp_volt <= 0 else "shutter",
        "det_temp_c": det,
        "case_temp_c": case,
        "mean_pixels_per_bin": float(np.mean(npix)),
        "dark_mean_dn": float(np.nanmean(frames)),
        "corrected_mean_dn": corrected,
        "dn_per_s": corrected / int_time_s,
    }


def _rows_of_file(path: Path) -> list[dict[str, Any]]:
    """Dark rows of one file, reading only the HDUs needed (not the full product).

    Raises
    ------
    irisplug.errors.InconsistentInputError
        An L1A light (science) file: its frames are not darks.
    irisplug.errors.CorruptFileError
        An L1B file whose dark products' frame counts do not add up.
    """
    from irisplug.errors import InconsistentInputError, UnknownFormatError
    from irisplug.fileinfo import FileInfo
    from irisplug_iuvs._cubes import with_leading_axis
    from irisplug_iuvs._fits import find_hdu, header_dict, open_validated, read_table
    from irisplug_iuvs.errors import IUVSMissingTableError
    from irisplug_iuvs.identify import iuvs_level
    from irisplug_iuvs.l1b import L1B_TABLES

    level = iuvs_level(FileInfo(path))
    if level not in ("l1a", "l1b"):
        raise UnknownFormatError("not an IUVS L1A or L1B file (by its header)", path=path)
    hdul, _ = open_validated(path, lazy=False)
    with hdul:
        hdr = header_dict(hdul[0].header)
        xuv = str(hdr.get("XUV", "")).strip()
        if level == "l1a":
            roles = {"frames": ("PRIMARY",), "Integration": ("Integration",), "Engineering": ("Engineering",),
                     "Observation": ("Observation",), "Binning": ("Binning",)}
        else:
            roles = {"frames": ("detector_dark",), "Integration": L1B_TABLES["Dark_Integration"],
                     "Engineering": L1B_TABLES["Dark_Engineering"], "Observation": L1B_TABLES["Dark_Observation"],
                     "Binning": ("Binning",)}
        found = {role: find_hdu(hdul, names) for role, names in roles.items()}
        missing = [f"{r} ({' or '.join(roles[r])})" for r, h in found.items() if h is None]
        if missing:
            raise IUVSMissingTableError(f"the dark analysis needs {', '.join(missing)}", path=path)
        frames = with_leading_axis(np.asarray(found["frames"].data))
        t = {r: read_table(found[r]) for r in ("Integration", "Engineering", "Observation", "Binning")}
    eng, integ, npix = t["Engineering"], t["Integration"], pixels_per_bin(t["Binning"])
    if level == "l1a":
        product = str(hdr.get("FILENAME", path.name)).strip().removesuffix(".gz").removesuffix(".fits")
        if not _is_dark_product(product, path):
            error = InconsistentInputError(f"{product} is a light (science) product, not a dark: pass dark files "
                                           "(channel fuvdark, muvdark, echdark) or L1B files, or skip_light=True",
                                           path=path)
            error.light_file = True
            raise error
        return [_row(path, product, frames, npix, float(eng["INT_TIME"][0]) / 1000.0, float(eng["MCP_GAIN"][0]),
                     integ, eng, xuv)]
    return [
        _row(path, str(t["Observation"]["PRODUCT_ID"][k]).strip(), frames[rows], npix,
             float(eng["INT_TIME"][k]) / 1000.0, float(eng["MCP_GAIN"][k]), integ[rows], eng[k:k + 1], xuv)
        for k, rows in enumerate(_frames_of_products(eng, integ, frames.shape[0], path))
    ]


def _is_dark_product(product: str, path: Path) -> bool:
    """Whether an L1A file holds a dark product, by its product name (header ``FILENAME``, else the file's)."""
    from irisplug_iuvs.errors import IUVSFilenameError

    try:
        return parse_filename(product).is_dark
    except IUVSFilenameError:
        return parse_filename(path.name).is_dark


def _frames_of_products(engineering: Any, integration: Any, n_frames: int, path: Path) -> list[slice]:
    """The rows of ``detector_dark`` (and ``Dark_Integration``) of each dark product of an L1B file.

    The products are stacked in the order of ``Dark_Engineering``, each with
    its ``NUMBER`` of integrations (formats.md 1.3); the counts must add up to
    the frames and to the ``Dark_Integration`` rows, or the file is refused.
    """
    from irisplug.errors import CorruptFileError

    counts = [int(n) for n in np.asarray(engineering["NUMBER"])] if "NUMBER" in engineering.colnames else None
    if counts is None:  # no counts: only an even split is unambiguous
        if n_frames % len(engineering):
            raise CorruptFileError(f"{n_frames} dark frames do not split evenly into {len(engineering)} "
                                            "dark products and Dark_Engineering has no NUMBER column", path=path)
        counts = [n_frames // len(engineering)] * len(engineering)
    if sum(counts) != n_frames or len(integration) != n_frames or min(counts) < 1:
        raise CorruptFileError(
            f"Dark_Engineering.NUMBER {counts} (sum {sum(counts)}) does not match the {n_frames} frames of "
            f"detector_dark and the {len(integration)} rows of Dark_Integration", path=path)
    starts = np.concatenate([[0], np.cumsum(counts)])
    return [slice(int(a), int(b)) for a, b in itertools.pairwise(starts)]


def _product_key(row: dict[str, Any]) -> tuple[str, str]:
    """Identity of a dark product: its product ID (without file suffixes) and channel.

    The same dark product reaches the analysis once per L1B file made with it
    (every light file of an orbit segment carries the segment's darks) and as
    its own L1A file; it is one measurement.
    """
    product = str(row["product"]).strip()
    for suffix in (".gz", ".fits"):
        product = product.removesuffix(suffix)
    return product, str(row["xuv"]).strip().upper()


def _unique_products(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per dark product; a product whose copies disagree is an error naming both files."""
    from irisplug.errors import InconsistentInputError

    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = _product_key(row)
        first = seen.get(key)
        if first is None:
            seen[key] = row
            continue
        same = first["n_frames"] == row["n_frames"] and np.isclose(first["dark_mean_dn"], row["dark_mean_dn"], rtol=1e-9)
        if not same:
            raise InconsistentInputError(
                f"dark product {key[0]} appears in {first['file']} and {row['file']} with different frames "
                f"({first['n_frames']} frames, mean {first['dark_mean_dn']:.6g} DN vs {row['n_frames']} frames, "
                f"mean {row['dark_mean_dn']:.6g} DN); pass files of one processing version"
            )
    return list(seen.values())


def dark_statistics(paths: Iterable[str | Path], *, mcp_off_only: bool = False, skip_light: bool = False,
                    quiet: bool | None = None) -> Any:
    """Per-dark-product statistics of many IUVS files, as in the seed 003 notebook.

    Parameters
    ----------
    paths
        L1A dark files (one row each) and/or L1B files (one row per dark
        product in their ``detector_dark`` / ``Dark_*`` HDUs).
    mcp_off_only
        Keep only darks taken with the MCP high voltage off (``dark_mode ==
        "mcp_off"``), the mode chosen for the mission after the shutter darks
        proved less reproducible.
    skip_light
        Leave out L1A light (science) files, so a folder's files can be passed
        as they are; their names go to ``df.attrs["skipped_light_files"]``.
        By default such a file is an error: its frames are not darks.
    quiet
        No progress bar.

    Returns
    -------
    pandas.DataFrame
        Columns `DARK_COLUMNS`, indexed by time and sorted, one row per dark
        product (``product``, ``xuv``): a product found in several files (every
        L1B file of an orbit segment carries the same darks) is counted once,
        with the first file's name in ``file``. ``dn_per_s`` is the mean over
        frames and bins of DN / (pixels per bin) / integration time.

    Raises
    ------
    irisplug.errors.InconsistentInputError
        One product ID with different frames in two files (mixed processing versions), or an L1A light
        file without ``skip_light=True``.
    irisplug.errors.CorruptFileError
        An L1B file whose ``Dark_Engineering.NUMBER`` counts do not add up to its dark frames.

    Examples
    --------
    >>> df = dark_statistics(sorted(Path("shared/data/iuvs").glob("*.fits.gz")))  # doctest: +SKIP
    >>> df.groupby("xuv").dn_per_s.median()  # doctest: +SKIP
    """
    import pandas as pd

    from irisplug import progress
    from irisplug.errors import InconsistentInputError

    paths = [Path(p) for p in paths]
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    for p in progress(paths, total=len(paths), desc="IUVS darks", quiet=quiet):
        try:
            rows.extend(_rows_of_file(p))
        except InconsistentInputError as exc:
            if not (skip_light and getattr(exc, "light_file", False)):
                raise
            skipped.append(p.name)
    df = pd.DataFrame(_unique_products(rows), columns=list(DARK_COLUMNS))
    if mcp_off_only:
        df = df[df.dark_mode == "mcp_off"]
    df = df.set_index(pd.DatetimeIndex(df["time"], name="time")).sort_index()
    df.attrs["skipped_light_files"] = skipped
    return df


def plot_dark_rate_vs_temperature(df: Any, path: str | Path, *, int_times: Sequence[float] | None = None,
                                  title: str = "IUVS dark rate vs detector temperature") -> Path:
    """Scatter DN/s against detector temperature, one row per integration time, FUV and MUV side by side.

    Parameters
    ----------
    df
        The output of :func:`dark_statistics`.
    path
        Image file to write (format from the suffix, e.g. ``.png``).
    int_times
        Integration times (s) to show; all present by default.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> plot_dark_rate_vs_temperature(df, "darks.png")  # doctest: +SKIP
    PosixPath('darks.png')
    """
    from matplotlib.figure import Figure

    from irisplug.atomic import atomic_path

    times = sorted(set(df["int_time_s"])) if int_times is None else list(int_times)
    channels = ["FUV", "MUV"]
    fig = Figure(figsize=(10, 2.6 * max(len(times), 1) + 0.8), layout="constrained")
    axes = fig.subplots(max(len(times), 1), 2, squeeze=False)
    for i, t in enumerate(times):
        for j, ch in enumerate(channels):
            ax = axes[i, j]
            sel = df[(df["xuv"] == ch) & np.isclose(df["int_time_s"], t)]
            for mode, marker in (("mcp_off", "o"), ("shutter", "x")):
                part = sel[sel["dark_mode"] == mode]
                if len(part):
                    ax.scatter(part["det_temp_c"], part["dn_per_s"], marker=marker, label=mode)
            # darks counted by product identity, so a table concatenated from overlapping runs counts each once
            n_darks = len({_product_key(r) for r in sel[["product", "xuv"]].to_dict("records")})
            ax.set_title(f"{ch}  INT_TIME = {t:g} s  ({n_darks} darks)")
            ax.set_xlabel("detector temperature [°C]")
            ax.set_ylabel("dark [DN / pixel / s]")
            if len(sel):
                ax.legend(fontsize="small")
    fig.suptitle(title)
    path = Path(path)
    with atomic_path(path, overwrite=True) as tmp:
        fig.savefig(tmp, format=path.suffix.lstrip(".") or "png")
    return path
