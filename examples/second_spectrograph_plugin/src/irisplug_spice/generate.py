"""Write a SPICE level 2 raster file in the real layout, with a known line and Doppler pattern.

The layout is that of SPICE L2 FITS files (keywords and meanings as in the
SPICE L2 files, e.g. the commissioning raster sunraster ships for its tests):
one image HDU per spectral window (the first is the primary HDU), each
``EXTNAME`` = window name, data ``(1, wavelength, slit, step)`` (FITS axes
HPLN-TAN, HPLT-TAN, WAVE, UTC), ``PC4_1`` giving each step's time (the slit
steps from solar west to east, so time decreases with x), ``XPOSURE`` the
exposure time, NaN for missing pixels, and a ``VARIABLE_KEYWORDS`` table.

The data: a Gaussian line (N IV 765.15 A, vacuum, NIST) on a continuum in
ADU, its centre moved by a smooth velocity pattern that the tests recover
by fitting, and a second window (Ne VIII 770.42 A).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["write_spice_l2", "LINES_NM", "velocity_pattern", "brightness_pattern"]

#: (window name, rest wavelength in nm): N IV 765.15 A, Ne VIII 770.42 A (NIST ASD, vacuum)
LINES_NM = (("WINDOW0_76.52", 76.5148), ("WINDOW1_77.04", 77.0428))
C_KMS = 299792.458


def velocity_pattern(nx: int, ny: int) -> np.ndarray:
    """Line-of-sight velocity (km/s) per (step, slit) pixel: a smooth +-15 km/s pattern."""
    x = np.linspace(0, 2 * np.pi, nx)[:, None]
    y = np.linspace(0, np.pi, ny)[None, :]
    return 15.0 * np.sin(x) * np.cos(y)


def brightness_pattern(nx: int, ny: int) -> np.ndarray:
    """Line peak (ADU) per (step, slit) pixel: bright blobs on a fainter background (something to co-align on)."""
    x, y = np.meshgrid(np.arange(nx, dtype=float), np.arange(ny, dtype=float), indexing="ij")
    out = np.full((nx, ny), 400.0)
    for cx, cy, amp, w in ((0.3, 0.25, 900, 2.0), (0.7, 0.6, 700, 2.5), (0.45, 0.8, 500, 1.5), (0.8, 0.2, 400, 1.8)):
        out += amp * np.exp(-0.5 * (((x - cx * nx) / w) ** 2 + ((y - cy * ny) / (w * 2.5)) ** 2))
    return out


def _header(name: str, rest_nm: float, nw: int, ny: int, nx: int, primary: bool) -> dict:
    dispersion = 0.0097407628  # nm per pixel (SPICE SW detector)
    crota = 4.60704014898
    c, s = np.cos(np.radians(crota)), np.sin(np.radians(crota))
    return {
        "EXTNAME": name, "FILENAME": "solo_L2_spice-n-ras_20220302T000000_V01_100663296-000.fits",
        "STUDYTYP": "Raster", "SPIOBSID": 100663296, "RASTERNO": 0, "XPOSURE": 60.0, "TIMESYS": "UTC",
        "DATEREF": "2022-03-02T00:00:00.000", "DATE-BEG": "2022-03-02T00:00:00.000",
        "DATE-OBS": "2022-03-02T00:00:00.000", "LEVEL": "L2", "OBSRVTRY": "Solar Orbiter", "INSTRUME": "SPICE",
        "TELESCOP": "SOLO/SPICE/SW", "DETECTOR": "SW", "CROTA": crota, "WIN_TYPE": "Narrow-slit Spectral",
        "SLIT_ID": 2, "SLIT_WID": 4, "DUMBBELL": 0, "WAVEUNIT": -9, "BUNIT": "adu",
        "WAVEMIN": rest_nm - (nw / 2) * dispersion, "WAVEMAX": rest_nm + (nw / 2) * dispersion,
        "CTYPE1": "HPLN-TAN", "CUNIT1": "arcsec", "CRVAL1": -58.56, "CDELT1": 4.0, "CRPIX1": (nx + 1) / 2,
        "PC1_1": c, "PC1_2": -s * 1.098 / 4.0,
        "CTYPE2": "HPLT-TAN", "CUNIT2": "arcsec", "CRVAL2": -5.47, "CDELT2": 1.098, "CRPIX2": (ny + 1) / 2,
        "PC2_1": s * 4.0 / 1.098, "PC2_2": c,
        "CTYPE3": "WAVE", "CUNIT3": "nm", "CRVAL3": rest_nm, "CDELT3": dispersion, "CRPIX3": (nw + 1) / 2, "PC3_3": 1.0,
        "CTYPE4": "UTC", "CUNIT4": "s", "CRVAL4": (nx - 1) / 2 * 60.25, "CDELT4": 1.0, "CRPIX4": 1.0, "PC4_4": 1.0,
        "PC4_1": -60.25,
        "DSUN_OBS": 81324132547.0, "RSUN_REF": 695700000.0, "HGLT_OBS": 4.8457, "HGLN_OBS": 35.894, "OBS_VR": -7022.78,
    }


def write_spice_l2(dest: Path, *, shape: tuple[int, int, int] = (24, 40, 32), seed: int = 1) -> Path:
    """Write the file into ``dest``; ``shape`` is (steps, slit pixels, wavelength pixels). Returns its path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = write_spice_l2(pathlib.Path(tempfile.mkdtemp()), shape=(4, 5, 16))
    >>> path.name
    'solo_L2_spice-n-ras_20220302T000000_V01_100663296-000.fits'
    """
    from astropy.io import fits

    nx, ny, nw = shape
    rng = np.random.default_rng(seed)
    v = velocity_pattern(nx, ny)
    hdus = []
    for i, (name, rest) in enumerate(LINES_NM):
        header = _header(name, rest, nw, ny, nx, primary=i == 0)
        wave = rest + (np.arange(nw) - (nw - 1) / 2) * header["CDELT3"]
        centre = rest * (1 + v / C_KMS)  # (step, slit)
        sigma = 0.0045  # nm
        peak = brightness_pattern(nx, ny)[..., None]
        model = 20.0 + peak * np.exp(-0.5 * ((wave[None, None, :] - centre[..., None]) / sigma) ** 2)
        counts = rng.poisson(model).astype(np.float32)  # (step, slit, wavelength)
        counts[0, :3, :] = np.nan  # a few missing spectra, as L2 files mark them
        data = np.moveaxis(counts, (0, 1, 2), (2, 1, 0))[None]  # (1, wavelength, slit, step)
        hdu = (fits.PrimaryHDU if i == 0 else fits.ImageHDU)(data)
        for key, value in header.items():
            hdu.header[key] = value
        hdus.append(hdu)
    times = np.array([[f"2022-03-02T{int(t // 3600):02d}:{int(t % 3600 // 60):02d}:{t % 60:06.3f}"
                       for t in (np.arange(nx) * 60.25)[::-1]]])
    table = fits.BinTableHDU.from_columns([fits.Column(name="TIMAQUTC", format=f"{23 * nx}A", array=[
        "".join(times[0])])], name="VARIABLE_KEYWORDS")
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / hdus[0].header["FILENAME"]
    fits.HDUList([*hdus, table]).writeto(path, overwrite=True)
    return path
