"""Synthetic SHOW level-0 netCDF files with a known dark, flat field and noise.

No public SHOW L0 file exists; these files follow the layout of formats.md 2.2
(one HDF5 group per science group holding ``image`` (time, heightrow,
pixelrow), ``time``, ``exposure_time`` [us], ``temperatures`` (time, n_temp),
``temperature_labels`` and ``high_gain``) so the reader and the calibration
can be tested against the truth that made them.

The model, per pixel, in DN::

    signal  = illumination * flat * t
    dark(t) = bias + dark_rate * t
    image   = round(Poisson((signal + dark_rate*t) * g) / g + bias + N(0, read_noise/g)), clipped to 0..16383

with ``g`` = 39.6 e-/DN and read noise 150 e- (show-lib er2_2023).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from irisplug_show.detector import ELECTRONS_PER_DN, N_HEIGHTROWS, N_PIXELROWS, READ_NOISE_E, SATURATION_DN

__all__ = ["SyntheticTruth", "generate", "fetch_synthetic", "TEMPERATURE_LABELS"]

TEMPERATURE_LABELS = ("fpa", "optics_bench", "electronics")


@dataclass
class SyntheticTruth:
    """The known inputs of a generated file (all (heightrow, pixelrow) arrays in DN or DN/s)."""

    bias: np.ndarray
    dark_rate: np.ndarray
    flat: np.ndarray
    arm_a: np.ndarray
    arm_b: np.ndarray
    scene: np.ndarray
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)

    def dark(self, exposure_s: float) -> np.ndarray:
        """The expected dark frame (DN) at ``exposure_s`` seconds."""
        return self.bias + self.dark_rate * exposure_s


def _truth(shape: tuple[int, int], rng: np.random.Generator) -> SyntheticTruth:
    ny, nx = shape
    y, x = np.mgrid[0:ny, 0:nx]
    yc, xc = (ny - 1) / 2, (nx - 1) / 2
    r2 = ((y - yc) / ny) ** 2 + ((x - xc) / nx) ** 2
    vignette = 1.0 - 0.8 * r2
    prnu = 1.0 + 0.03 * rng.standard_normal(shape)
    flat = vignette * prnu
    dead = rng.choice(ny * nx, size=max(1, ny * nx // 2000), replace=False)
    flat.flat[dead] = 0.05  # dead pixels: the flat must flag them (< 0.2)
    bias = 1200.0 + 25.0 * rng.standard_normal(shape)
    dark_rate = 400.0 * (1.0 + 0.1 * rng.standard_normal(shape)).clip(0.5)
    fringe = np.cos(2 * np.pi * x / max(nx / 12, 2) + 0.3 * y / max(ny / 8, 1))
    arm_a = 3000.0 * (1.0 + 0.4 * fringe)  # DN/s of white light through arm A only
    arm_b = 3000.0 * (1.0 - 0.4 * fringe)  # arm B: the complementary modulation
    scene = 6000.0 * (1.0 + 0.5 * np.cos(2 * np.pi * x / max(nx / 40, 2)) * np.exp(-((y - yc) / (0.6 * ny)) ** 2))
    return SyntheticTruth(bias=bias, dark_rate=dark_rate, flat=flat, arm_a=arm_a, arm_b=arm_b, scene=scene)


def _frames(rate: np.ndarray, truth: SyntheticTruth, exposure_s: float, n: int, rng: np.random.Generator) -> np.ndarray:
    g = ELECTRONS_PER_DN
    mean_e = (rate * exposure_s + truth.dark_rate * exposure_s) * g
    out = np.empty((n, *rate.shape), dtype=np.uint16)
    for i in range(n):
        dn = rng.poisson(mean_e) / g + truth.bias + rng.normal(0.0, READ_NOISE_E / g, rate.shape)
        out[i] = np.clip(np.round(dn), 0, SATURATION_DN).astype(np.uint16)
    return out


def _write_group(path: Path, name: str, images: np.ndarray, exposure_us: np.ndarray, start: np.datetime64,
                 rng: np.random.Generator, mode: str) -> None:
    import xarray as xr

    n = images.shape[0]
    cadence = np.maximum(exposure_us.astype("int64"), 100_000) + 50_000
    time = start + np.cumsum(np.concatenate([[0], cadence[:-1]])).astype("timedelta64[us]")
    temps = np.stack([-5.0 + 0.01 * np.arange(n), 20.0 + 0.002 * np.arange(n), 30.0 + 0.5 * rng.standard_normal(n)],
                     axis=1).astype("float32")
    ds = xr.Dataset(
        {
            "image": (("time", "heightrow", "pixelrow"), images, {"units": "DN", "long_name": "raw detector image"}),
            "exposure_time": ("time", exposure_us.astype("float64"), {"units": "us", "long_name": "exposure time"}),
            "temperatures": (("time", "n_temp"), temps, {"units": "degC"}),
            "temperature_labels": ("n_temp", np.array(TEMPERATURE_LABELS, dtype=object)),
            "high_gain": ("time", np.ones(n, dtype="int8"), {"long_name": "1 = high-gain mode"}),
        },
        coords={
            "time": ("time", time.astype("datetime64[ns]")),
            "heightrow": ("heightrow", np.arange(images.shape[1], dtype="int32")),
            "pixelrow": ("pixelrow", np.arange(images.shape[2], dtype="int32")),
        },
        attrs={"instrument": "SHOW", "detector": "OWL640", "synthetic": 1, "group_kind": mode},
    )
    enc = {"image": {"chunksizes": (1, *images.shape[1:])}}
    ds.to_netcdf(path, group=name, mode="a" if path.exists() else "w", engine="h5netcdf", encoding=enc)


def generate(path: str | Path, *, shape: tuple[int, int] = (N_HEIGHTROWS, N_PIXELROWS),
             dark_exposures_ms: tuple[float, ...] = (100.0, 300.0), frames_per_exposure: int = 8,
             flat_exposure_ms: float = 300.0, science_frames: int = 4, seed: int = 0,
             date: str = "2023_08_01") -> SyntheticTruth:
    """Write a SHOW L0 netCDF file with dark, arm-A/arm-B white-light and science groups.

    Parameters
    ----------
    path
        Output ``.nc`` file (overwritten).
    shape
        (heightrow, pixelrow); the OWL640 is (640, 512), use smaller for tests.
    dark_exposures_ms
        Exposure times of the dark group (``frames_per_exposure`` each).
    frames_per_exposure
        Frames per dark exposure time and per flat arm.
    flat_exposure_ms
        Exposure of the white-light groups and of the science group.
    science_frames
        Frames in the science group.
    seed
        Random seed (same seed, same file).
    date
        Prefix of the group names.

    Returns
    -------
    SyntheticTruth
        The bias, dark rate, flat, illuminations and ``groups`` (name -> kind and exposure).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "show_l0.nc"
    >>> truth = generate(p, shape=(32, 24), frames_per_exposure=2, science_frames=1)
    >>> sorted(truth.groups)[0]
    '2023_08_01_DARK_vect'
    """
    path = Path(path)
    if path.exists():
        path.unlink()
    rng = np.random.default_rng(seed)
    truth = _truth(tuple(shape), rng)
    zero = np.zeros(shape)
    start = np.datetime64("2023-08-01T18:00:00", "us")
    dark_name = f"{date}_DARK_vect"
    frames = [_frames(zero, truth, ms / 1000, frames_per_exposure, rng) for ms in dark_exposures_ms]
    exp = np.repeat(np.asarray(dark_exposures_ms) * 1000.0, frames_per_exposure)
    _write_group(path, dark_name, np.concatenate(frames), exp, start, rng, "dark")
    truth.groups[dark_name] = {"kind": "dark", "exposures_ms": tuple(dark_exposures_ms)}
    t_flat = flat_exposure_ms / 1000
    for arm, illum in (("A", truth.arm_a), ("B", truth.arm_b)):
        name = f"{date}_WHT_ARM{arm}_{flat_exposure_ms:g}ms_vect"
        imgs = _frames(illum * truth.flat, truth, t_flat, frames_per_exposure, rng)
        _write_group(path, name, imgs, np.full(frames_per_exposure, flat_exposure_ms * 1000.0),
                     start + np.timedelta64(600 + (arm == "B") * 60, "s"), rng, f"flat_arm_{arm.lower()}")
        truth.groups[name] = {"kind": f"flat_arm_{arm.lower()}", "exposures_ms": (flat_exposure_ms,)}
    name = f"{date}_SCI_{flat_exposure_ms:g}ms_vect"
    imgs = _frames(truth.scene * truth.flat, truth, t_flat, science_frames, rng)
    _write_group(path, name, imgs, np.full(science_frames, flat_exposure_ms * 1000.0),
                 start + np.timedelta64(900, "s"), rng, "science")
    truth.groups[name] = {"kind": "science", "exposures_ms": (flat_exposure_ms,)}
    return truth


def fetch_synthetic(dest: Path, *, shape: tuple[int, int] = (128, 96), seed: int = 0, **kwargs: Any) -> list[Path]:
    """The ``show-synthetic`` fetcher: write ``dest/show_l0_synthetic.nc`` (offline).

    Examples
    --------
    >>> import irisplug, tempfile
    >>> [p.name for p in irisplug.fetch("show-synthetic", tempfile.mkdtemp(), shape=(16, 8))]  # doctest: +SKIP
    ['show_l0_synthetic.nc']
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    out = dest / "show_l0_synthetic.nc"
    generate(out, shape=tuple(shape), seed=seed, **kwargs)
    return [out]
