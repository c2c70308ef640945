"""Write realistic synthetic IRIS Level 2 raster and slit-jaw files, at any size.

The files have the real layout: int16 data with BSCALE = 0.25 and
BZERO = 7992 (so -200 DN, the missing-pixel fill, is the int16 minimum and
the int16 maximum flags saturation), the primary keywords readers use, an
auxiliary table (47 columns for rasters, 31 for slit-jaws) with per-exposure
TIME, exposure times (FUV and NUV differ), pointing (XCENIX, YCENIX,
PCi_jIX) and a text table. Spectra: C II 1334/1335, Si IV 1403 (+O IV),
Mg II h & k with absorption wings, k2/k3 reversals, Doppler shifts, and
detector noise: Poisson photons (the detector's photons per DN) plus read noise.
Data are written exposure by exposure, so full-size files need little memory.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from irisplug_iris.layout import RASTER_AUX_COLUMNS, RASTER_TEXT_COLUMNS, SJI_AUX_COLUMNS, SJI_TEXT_COLUMNS, WINDOWS
from irisplug_iris.noise import detector_constants

__all__ = ["generate", "SMALL", "FULL", "BSCALE", "BZERO"]

BSCALE = 0.25
BZERO = 7992.0
C_KMS = 299792.458
_ARCSEC_PER_PIX = 0.16635  # IRIS spatial plate scale along the slit (unsummed)

#: a few MB, seconds: what tests and ``irisplug demo`` use
SMALL = {"n_rasters": 3, "n_steps": 8, "n_y": 64, "spectral_summing": 2, "windows": ("C II 1336", "Si IV 1403", "Mg II k 2796"), "sji": ("SJI_1400", "SJI_2796"), "sji_size": 64}
#: full-size: 8 windows of 320 steps x 1093 pixels along the slit (about 1.9 GB per raster file)
FULL = {"n_rasters": 1, "n_steps": 320, "n_y": 1093, "spectral_summing": 1, "windows": tuple(WINDOWS), "sji": ("SJI_1400",), "sji_size": 1000}


def _card_header(cards: Sequence[tuple[str, Any, str]]) -> bytes:
    from astropy.io import fits

    h = fits.Header()
    for key, value, comment in cards:
        if key in ("HISTORY", "COMMENT"):
            h.add_history(value) if key == "HISTORY" else h.add_comment(value)
        else:
            h.append((key, value, comment), end=True)
    return h.tostring(padding=True).encode("ascii")


def _pad(f: Any) -> None:
    rem = f.tell() % 2880
    if rem:
        f.write(b"\0" * (2880 - rem))


def _to_int16(values: np.ndarray) -> np.ndarray:
    raw = np.rint((values - BZERO) / BSCALE)
    return np.clip(raw, -32768, 32767).astype(">i2")


def _smooth_field(rng: np.random.Generator, shape: tuple[int, int], scale: float) -> np.ndarray:
    """A smooth random field in [0, 1]: white noise low-pass filtered (Gaussian of width ``scale`` pixels) via FFT."""
    noise = rng.standard_normal(shape)
    ky = np.fft.fftfreq(shape[0])[:, None]
    kx = np.fft.rfftfreq(shape[1])[None, :]
    sigma = scale / 2.5
    kernel = np.exp(-2 * (np.pi * sigma) ** 2 * (kx**2 + ky**2))
    out = np.fft.irfft2(np.fft.rfft2(noise) * kernel, s=shape)
    return (out - out.min()) / max(np.ptp(out), 1e-9)


class _SolarScene:
    """One solar scene in helioprojective arcsec, sampled by every synthetic instrument.

    Raster slits and slit-jaw frames both look at it through their own
    recorded pointing, so co-alignment of the generated files is meaningful.
    The scene is a sum of Gaussian bright points and patches; values fall in
    [0, 1) (``1 - exp(-sum)``).
    """

    def __init__(self, rng: np.random.Generator, xcen: float, ycen: float, half_fov: float) -> None:
        n = max(12, int((2 * half_fov) ** 2 / 40.0))  # about one feature per 40 arcsec^2: structure, not saturation
        self.cx = xcen + rng.uniform(-half_fov, half_fov, n)
        self.cy = ycen + rng.uniform(-half_fov, half_fov, n)
        self.sigma = np.concatenate([rng.uniform(0.8, 2.0, n - n // 4), rng.uniform(2.5, 5.0, n // 4)])
        self.amp = np.concatenate([rng.uniform(0.4, 1.5, n - n // 4), rng.uniform(0.1, 0.4, n // 4)])

    @staticmethod
    def _squash(total: np.ndarray) -> np.ndarray:
        return 1.0 - np.exp(-total)

    def at(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """The scene at world points (arcsec)."""
        d2 = (lon[..., None] - self.cx) ** 2 + (lat[..., None] - self.cy) ** 2
        return self._squash((self.amp * np.exp(-0.5 * d2 / self.sigma**2)).sum(-1))

    def image(self, xc: float, yc: float, crpix: float, size: int, scale: float, roll: float) -> np.ndarray:
        """A (size, size) frame whose pixel (row j, column i) has the world position of an IRIS SJI WCS.

        World = centre + scale * R @ (i + 1 - crpix, j + 1 - crpix) with R = [[cos, sin], [-sin, cos]]
        (PC1_2 = +sin, PC2_1 = -sin as in real IRIS SJI files). Each Gaussian is separable in the
        frame's own pixel axes, so the frame is one matrix product and exact.
        """
        c, s = np.cos(roll), np.sin(roll)
        dx, dy = self.cx - xc, self.cy - yc
        ux = (c * dx - s * dy) / scale  # blob centres in pixel offsets (R^T applied)
        uy = (s * dx + c * dy) / scale
        pix = np.arange(size) + 1.0 - crpix
        sig = self.sigma / scale
        gx = np.exp(-0.5 * ((pix[:, None] - ux) / sig) ** 2)  # (size, n)
        gy = np.exp(-0.5 * ((pix[:, None] - uy) / sig) ** 2)
        return self._squash((gy * self.amp) @ gx.T)


def _counts(expected: np.ndarray, detector: dict[str, Any], rng: np.random.Generator) -> np.ndarray:
    """Detector counts in DN for ``expected`` DN: Poisson photons (``photons_per_dn`` each DN) plus Gaussian read noise."""
    g, rn = detector_constants(detector)
    return rng.poisson(np.maximum(expected, 0.0) * g) / g + rng.normal(0.0, rn, expected.shape)


def _spectra(label: str, wave: np.ndarray, amp: np.ndarray, vel: np.ndarray) -> np.ndarray:
    """Noise-free DN spectra (n_y, n_lambda) for an 8 s exposure: amp, vel are per-pixel-along-slit."""
    det, _, _, _, lines = WINDOWS[label]
    w = wave[None, :]
    shift = (vel / C_KMS)[:, None]
    if det == "NUV":
        cont = 250.0 + 60.0 * amp[:, None]
        out = np.full((amp.size, wave.size), 1.0) * cont
        for lam0, rel, _, kind in lines:
            lam = lam0 * (1 + shift)
            if kind == "mg":  # broad absorption wing + k2v/k2r peaks + k3 dip
                out = out * (1 - 0.92 * np.exp(-(((w - lam) / 1.6) ** 2)))
                peak = rel * (300 + 900 * amp)[:, None]
                out += peak * (np.exp(-(((w - lam + 0.16) / 0.09) ** 2)) + 0.85 * np.exp(-(((w - lam - 0.16) / 0.09) ** 2)))
                out -= 0.5 * peak * np.exp(-(((w - lam) / 0.06) ** 2))
            else:
                out *= 1 + rel * np.exp(-(((w - lam) / 0.08) ** 2))
    else:
        out = np.full((amp.size, wave.size), 2.0)
        for lam0, rel, width, _ in lines:
            lam = lam0 * (1 + shift)
            out += rel * (20 + 900 * amp**3)[:, None] * np.exp(-0.5 * ((w - lam) / width) ** 2)
    return out


def _end_of_observation(cfg: dict[str, Any]) -> str:
    """ENDOBS: STARTOBS plus every step of every raster at the step cadence."""
    import datetime

    seconds = cfg["n_steps"] * cfg["n_rasters"] * cfg["step_cadence"]
    return (datetime.datetime.fromisoformat(cfg["startobs"]) + datetime.timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


def _primary_cards(kind: str, obsid: str, startobs: str, xcen: float, ycen: float, n_steps: int, n_rasters: int, windows: Sequence[str], extra: dict[str, Any]) -> list[tuple[str, Any, str]]:
    cards: list[tuple[str, Any, str]] = [
        ("TELESCOP", "IRIS", ""),
        ("INSTRUME", "SPEC" if kind == "raster" else "SJI", ""),
        ("DATA_LEV", 2.0, ""),
        ("LVL_NUM", 2.0, ""),
        ("VER_RF2", "L12-2019-08-08", ""),
        ("ORIGIN", "SDO", ""),
        ("OBSID", obsid, ""),
        ("OBS_DESC", f"Synthetic {n_steps}-step raster (irisplug generator)" if n_steps > 1 else "Synthetic sit-and-stare (irisplug generator)", ""),
        ("OBSLABEL", "", ""),
        ("OBSTITLE", "", ""),
        ("DATE_OBS", extra.pop("DATE_OBS", startobs), ""),
        ("DATE_END", extra.pop("DATE_END", startobs), ""),
        ("STARTOBS", startobs, ""),
        ("ENDOBS", extra.pop("ENDOBS", startobs), ""),
        ("OBSREP", n_rasters, ""),
        ("CAMERA", 1 if kind == "raster" else 2, ""),
        ("STATUS", "Quicklook", ""),
        ("BTYPE", "Intensity", ""),
        ("BUNIT", "Corrected DN", ""),
        ("SAT_ROT", extra.pop("SAT_ROT", 0.0), ""),
        ("DSUN_OBS", 1.49372e11, ""),
        ("XCEN", xcen, ""),
        ("YCEN", ycen, ""),
        ("EXPTIME", 8.0, ""),
        ("NRASTERP", n_steps, ""),
        ("RASNRPT", n_rasters, ""),
        ("STEPS_AV", extra.pop("STEPS_AV", 0.0), ""),
        ("NWIN", len(windows), ""),
    ]
    cards += [(k, v, "") for k, v in extra.items()]
    return cards


def _aux_block(columns: list[tuple[str, str]], values: dict[str, np.ndarray], n: int) -> tuple[bytes, bytes]:
    table = np.zeros((n, len(columns)), dtype=">f8")
    for j, (name, _) in enumerate(columns):
        if name in values:
            table[:, j] = values[name]
    cards = [("XTENSION", "IMAGE", "IMAGE extension"), ("BITPIX", -64, ""), ("NAXIS", 2, ""), ("NAXIS1", len(columns), ""), ("NAXIS2", n, ""), ("PCOUNT", 0, ""), ("GCOUNT", 1, "")]
    cards += [(name, j, comment[:46]) for j, (name, comment) in enumerate(columns)]
    return _card_header(cards), table.tobytes()


def _text_block(columns: list[tuple[str, int]], rows: list[list[str]]) -> bytes:
    from astropy.io import fits

    cols = [fits.Column(name=name, format=f"A{width}", array=np.array([r[i] for r in rows], dtype=f"U{width}")) for i, (name, width) in enumerate(columns)]
    hdu = fits.TableHDU.from_columns(cols)
    buf = io.BytesIO()
    fits.HDUList([fits.PrimaryHDU(), hdu]).writeto(buf)
    return buf.getvalue()[2880:]


def _write_raster(path: Path, r: int, cfg: dict[str, Any], rng: np.random.Generator) -> None:
    n_steps, n_y, summ = cfg["n_steps"], cfg["n_y"], cfg["spectral_summing"]
    step_size = cfg["step_size"]
    cadence = cfg["step_cadence"]
    t0 = r * n_steps * cadence + 0.17
    times = t0 + np.arange(n_steps) * cadence
    roll = np.deg2rad(cfg["roll_deg"])
    drift = 0.02 * (r * n_steps + np.arange(n_steps))
    xcenix = cfg["xcen"] + (np.arange(n_steps) - (n_steps - 1) / 2) * step_size + drift + rng.normal(0, 0.03, n_steps)
    ycenix = cfg["ycen"] + rng.normal(0, 0.03, n_steps)
    exp_f, exp_n = np.full(n_steps, cfg["exp_fuv"]), np.full(n_steps, cfg["exp_nuv"])
    aux = {"TIME": times, "EXPTIMEF": exp_f, "EXPTIMEN": exp_n, "XCENIX": xcenix, "YCENIX": ycenix, "SUMSPTRF": summ, "SUMSPTRN": summ, "SUMSPATF": 1, "SUMSPATN": 1,
           "PC1_1IX": 1.0, "PC2_2IX": np.cos(roll), "PC3_3IX": np.cos(roll), "PC2_3IX": -np.sin(roll) * step_size / _ARCSEC_PER_PIX if step_size else 0.0,
           "PC3_2IX": np.sin(roll) * _ARCSEC_PER_PIX / step_size if step_size else np.sin(roll), "OBS_VRIX": 1160.0, "OPHASEIX": 0.94}
    windows = cfg["windows"]
    extra: dict[str, Any] = {"STEPS_AV": step_size, "SAT_ROT": cfg["roll_deg"], "ENDOBS": _end_of_observation(cfg)}
    for i, label in enumerate(windows, start=1):
        det, wmin, wmax, disp, _ = WINDOWS[label]
        extra.update({f"TDET{i}": det, f"TDESC{i}": label, f"TWAVE{i}": round((wmin + wmax) / 2, 3), f"TWMIN{i}": wmin, f"TWMAX{i}": wmax})
    import datetime

    start = datetime.datetime.fromisoformat(cfg["startobs"])
    extra["DATE_OBS"] = (start + datetime.timedelta(seconds=float(times[0]))).isoformat(timespec="milliseconds")
    extra["DATE_END"] = (start + datetime.timedelta(seconds=float(times[-1] + cfg["exp_fuv"]))).isoformat(timespec="milliseconds")
    d = np.arange(n_y) + 1.0 - (n_y + 1) / 2  # pixel offset along the slit from CRPIX2
    scene = cfg["scene"]
    amp_map = np.stack(  # each step's slit through its own pointing (PC3_2 = sin * CDELT2 / CDELT3)
        [scene.at(xcenix[s] + np.sin(roll) * _ARCSEC_PER_PIX * d, ycenix[s] + np.cos(roll) * _ARCSEC_PER_PIX * d) for s in range(n_steps)]
    )
    vel_map = 15 * (_smooth_field(rng, (n_steps * cfg["n_rasters"], n_y), scale=max(6.0, n_y / 8)) - 0.5)
    with open(path, "wb") as f:
        f.write(_card_header([("SIMPLE", True, ""), ("BITPIX", 16, ""), ("NAXIS", 0, ""), ("EXTEND", True, ""),
                              *_primary_cards("raster", cfg["obsid"], cfg["startobs"], cfg["xcen"], cfg["ycen"], n_steps if step_size else 1, cfg["n_rasters"], windows, extra)]))
        for label in windows:
            det, wmin, wmax, disp, _ = WINDOWS[label]
            cdelt1 = disp * summ
            n_l = round((wmax - wmin) / cdelt1) + 1
            wave = wmin + np.arange(n_l) * cdelt1
            cards = [("XTENSION", "IMAGE", ""), ("BITPIX", 16, ""), ("NAXIS", 3, ""), ("NAXIS1", n_l, ""), ("NAXIS2", n_y, ""), ("NAXIS3", n_steps, ""),
                     ("PCOUNT", 0, ""), ("GCOUNT", 1, ""), ("BSCALE", BSCALE, ""), ("BZERO", BZERO, ""),
                     ("CDELT1", cdelt1, ""), ("CDELT2", _ARCSEC_PER_PIX, ""), ("CDELT3", step_size, ""),
                     ("CRPIX1", 1.0, ""), ("CRPIX2", (n_y + 1) / 2, ""), ("CRPIX3", (n_steps + 1) / 2, ""),
                     ("CRVAL1", wmin, ""), ("CRVAL2", cfg["ycen"], ""), ("CRVAL3", cfg["xcen"], ""),
                     ("CTYPE1", "WAVE", ""), ("CTYPE2", "HPLT-TAN", ""), ("CTYPE3", "HPLN-TAN", ""),
                     ("CUNIT1", "Angstrom", ""), ("CUNIT2", "arcsec", ""), ("CUNIT3", "arcsec", ""),
                     ("PC1_1", 1.0, ""), ("PC1_2", 0.0, ""), ("PC2_1", 0.0, ""), ("PC2_2", float(np.cos(roll)), ""),
                     ("PC3_1", 0.0, ""), ("PC3_2", float(aux["PC3_2IX"]), ""), ("PC3_3", float(np.cos(roll)), ""), ("PC2_3", float(aux["PC2_3IX"]), "")]
            f.write(_card_header(cards))
            for s in range(n_steps):
                g = r * n_steps + s
                expected = _spectra(label, wave, amp_map[s], vel_map[g]) * (cfg["exp_nuv"] if det == "NUV" else cfg["exp_fuv"]) / 8.0
                values = _counts(expected, {"DETECTOR": det}, rng)
                values[: max(1, n_y // 40)] = -200.0  # missing rows at the slit ends, as in real data
                values[-max(1, n_y // 40):] = -200.0
                if (r, s) in cfg["missing_exposures"]:
                    values[:] = -200.0
                raw = _to_int16(values)
                hot = rng.integers(0, raw.size, size=max(1, raw.size // 20000))
                raw.reshape(-1)[hot] = 32767  # saturated
                f.write(raw.tobytes())
            _pad(f)
        hdr, data = _aux_block(RASTER_AUX_COLUMNS, aux, n_steps)
        f.write(hdr)
        f.write(data)
        _pad(f)
        rows = [[f"{4000 + s}", "3808300102", "1353", "3808300718", "1397", f"synthetic_fuv_{r:05d}_{s:04d}.fits", f"synthetic_nuv_{r:05d}_{s:04d}.fits"] for s in range(n_steps)]
        f.write(_text_block(RASTER_TEXT_COLUMNS, rows))


def _write_sji(path: Path, label: str, cfg: dict[str, Any], rng: np.random.Generator) -> None:
    n_total = cfg["n_steps"] * cfg["n_rasters"]
    n_pos = min(cfg["n_steps"], 2 if cfg["n_steps"] > 1 and cfg["step_size"] else 1)
    frames = np.arange(0, n_total, max(1, cfg["n_steps"] // n_pos if cfg["step_size"] else 4))
    n = len(frames)
    size = cfg["sji_size"]
    scale = _ARCSEC_PER_PIX
    times = 0.1 + frames * cfg["step_cadence"]
    roll = np.deg2rad(cfg["roll_deg"])
    xcenix = cfg["xcen"] + 0.02 * frames + rng.normal(0, 0.03, n)
    ycenix = cfg["ycen"] + rng.normal(0, 0.03, n)
    slit = (size + 1) / 2 + (((frames % cfg["n_steps"]) - (cfg["n_steps"] - 1) / 2) * cfg["step_size"]) / scale
    err_x, err_y = cfg["sji_pointing_error"]
    aux = {"TIME": times, "EXPTIMES": np.full(n, cfg["exp_sji"]), "XCENIX": xcenix + err_x, "YCENIX": ycenix + err_y, "SLTPX1IX": slit, "SLTPX2IX": (size + 1) / 2,
           "PC1_1IX": np.cos(roll), "PC1_2IX": np.sin(roll), "PC2_1IX": -np.sin(roll), "PC2_2IX": np.cos(roll), "SUMSPATS": 1, "SUMSPTRS": 1}
    wave = int(label.split("_")[1])
    import datetime

    start = datetime.datetime.fromisoformat(cfg["startobs"])
    first, last = (start + datetime.timedelta(seconds=float(t)) for t in (times[0], times[-1] + cfg["exp_sji"]))
    extra = {"ENDOBS": _end_of_observation(cfg), "DATE_OBS": first.isoformat(timespec="milliseconds"),
             "DATE_END": last.isoformat(timespec="milliseconds"), "TDET1": "SJI", "TDESC1": label, "TWAVE1": float(wave), "TWMIN1": float(wave) - 20, "TWMAX1": float(wave) + 20}
    cards = [("SIMPLE", True, ""), ("BITPIX", 16, ""), ("NAXIS", 3, ""), ("NAXIS1", size, ""), ("NAXIS2", size, ""), ("NAXIS3", n, ""), ("EXTEND", True, ""),
             *_primary_cards("sji", cfg["obsid"], cfg["startobs"], cfg["xcen"], cfg["ycen"], n_pos, cfg["n_rasters"], [label], extra),
             ("BSCALE", BSCALE, ""), ("BZERO", BZERO, ""),
             ("PC1_1", float(np.cos(roll)), ""), ("PC1_2", float(np.sin(roll)), ""), ("PC2_1", float(-np.sin(roll)), ""), ("PC2_2", float(np.cos(roll)), ""), ("PC3_1", 0.0, ""), ("PC3_2", 0.0, ""),
             ("CDELT1", scale, ""), ("CDELT2", scale, ""), ("CDELT3", float(np.median(np.diff(times))) if n > 1 else 1.0, ""),
             ("CRPIX1", (size + 1) / 2, ""), ("CRPIX2", (size + 1) / 2, ""), ("CRPIX3", (n + 1) / 2, ""),
             ("CRVAL1", cfg["xcen"], ""), ("CRVAL2", cfg["ycen"], ""), ("CRVAL3", float(times.mean()), ""),
             ("CTYPE1", "HPLN-TAN", ""), ("CTYPE2", "HPLT-TAN", ""), ("CTYPE3", "Time", ""), ("CUNIT1", "arcsec", ""), ("CUNIT2", "arcsec", ""), ("CUNIT3", "seconds", "")]
    with open(path, "wb") as f:
        f.write(_card_header(cards))
        for k in range(n):
            base = cfg["scene"].image(xcenix[k], ycenix[k], (size + 1) / 2, size, scale, roll)  # where it truly looked
            img = (40 if wave < 2000 else 300) * (0.3 + base**2) * (1 + 0.05 * np.sin(k / 3))
            img = _counts(img, {"DETECTOR": "SJI", "TWAVE1": wave}, rng)
            col = round(slit[k] - 1)
            img[:, max(col - 1, 0): max(col + 1, 0)] *= 0.2  # the slit (none when it lies left of the frame)
            img[:, : max(1, size // 50)] = -200.0  # missing strip at the edge
            if k == n - 1 and cfg["missing_exposures"]:
                img[:] = -200.0
            f.write(_to_int16(img).tobytes())
        _pad(f)
        hdr, data = _aux_block(SJI_AUX_COLUMNS, aux, n)
        f.write(hdr)
        f.write(data)
        _pad(f)
        f.write(_text_block(SJI_TEXT_COLUMNS, [[f"{4000 + k}", "3808300102", "1353", f"synthetic_sji_{k:05d}.fits"] for k in range(n)]))


def generate(
    dest: str | os.PathLike,
    *,
    size: str = "small",
    n_rasters: int | None = None,
    n_steps: int | None = None,
    n_y: int | None = None,
    windows: Sequence[str] | None = None,
    sji: Sequence[str] | None = None,
    sji_size: int | None = None,
    spectral_summing: int | None = None,
    step_size: float = 2.0,
    obsid: str = "3999999901",
    startobs: str = "2014-03-29T14:09:38.830",
    seed: int = 0,
    missing: bool = True,
    sji_pointing_error: tuple[float, float] = (0.0, 0.0),
    quiet: bool | None = None,
) -> list[Path]:
    """Write a synthetic IRIS Level 2 observation into ``dest``; returns the files.

    Parameters
    ----------
    dest
        Output directory (created).
    size
        ``"small"`` (a few MB, the default) or ``"full"`` (8 windows of
        320 x 1093 x 118..633: about 1.9 GB per raster file).
    n_rasters, n_steps, n_y, windows, sji, sji_size, spectral_summing
        Override the preset: raster files, steps per raster (1 with
        or ``step_size=0`` for sit-and-stare), pixels along the slit, window
        labels (from :data:`irisplug_iris.layout.WINDOWS`), SJI labels, SJI
        image size, spectral summing.
    step_size
        Raster step in arcsec; 0 makes a sit-and-stare (``n_steps`` exposures
        per file at one slit position, NRASTERP = 1).
    obsid, startobs, seed
        Observation id, start time, random seed.
    missing
        Put one entirely missing exposure in the first raster and SJI (tests keep_null).
    sji_pointing_error
        (x, y) arcsec added to the slit-jaw files' recorded pointing (XCENIX,
        YCENIX) but not to where they looked: a known error for co-alignment
        to find. Rasters and slit-jaw images sample one solar scene, each
        through its own pointing.

    Examples
    --------
    >>> import tempfile
    >>> files = generate(tempfile.mkdtemp(), n_rasters=1, n_steps=2, n_y=16, sji=())
    >>> [f.name.split("_")[-1] for f in files]
    ['r00000.fits']
    """
    from irisplug import progress

    preset = dict(FULL if size == "full" else SMALL)
    for key, value in (("n_rasters", n_rasters), ("n_steps", n_steps), ("n_y", n_y), ("windows", windows), ("sji", sji), ("sji_size", sji_size), ("spectral_summing", spectral_summing)):
        if value is not None:
            preset[key] = value
    for label in preset["windows"]:
        if label not in WINDOWS:
            raise ValueError(f"unknown window {label!r}; known: {sorted(WINDOWS)}")
    cfg = {**preset, "step_size": float(step_size) if preset["n_steps"] > 1 else 0.0, "step_cadence": 9.4, "obsid": obsid, "startobs": startobs,
           "xcen": 490.0, "ycen": 280.0, "roll_deg": 0.6, "exp_fuv": 8.0, "exp_nuv": 7.5, "exp_sji": 4.0,
           "missing_exposures": {(0, min(5, preset["n_steps"] - 1))} if missing and preset["n_steps"] * preset["n_rasters"] > 2 else set()}
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    stamp = startobs[:19].replace("-", "").replace(":", "").replace("T", "_")
    rng = np.random.default_rng(seed)
    half_fov = 0.5 * max(cfg["n_steps"] * cfg["step_size"], cfg["n_y"] * _ARCSEC_PER_PIX, cfg["sji_size"] * _ARCSEC_PER_PIX) + 5.0
    cfg["scene"] = _SolarScene(rng, cfg["xcen"], cfg["ycen"], half_fov)
    cfg["sji_pointing_error"] = tuple(float(v) for v in sji_pointing_error)
    out = []
    for r in progress(range(cfg["n_rasters"]), total=cfg["n_rasters"], desc="IRIS raster files", quiet=quiet):
        p = dest / f"iris_l2_{stamp}_{obsid}_raster_t000_r{r:05d}.fits"
        _write_raster(p, r, cfg, rng)
        out.append(p)
    for label in cfg["sji"]:
        p = dest / f"iris_l2_{stamp}_{obsid}_{label}_t000.fits"
        _write_sji(p, label, cfg, rng)
        out.append(p)
    return out
