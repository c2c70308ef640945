"""Seed files of the fuzz suite: real and generated files of every format irisplug reads and writes."""

from __future__ import annotations

import gzip
import os
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

IUVS_DIR = Path(os.environ.get("IRISPLUG_IUVS_DATA", "/work/shared/data/iuvs"))


@dataclass(frozen=True)
class Seed:
    """One seed: ``path`` of format ``fmt`` with container ``kind`` (fits, fits.gz, hdf5, asdf, tar, zip)."""

    path: Path
    fmt: str
    kind: str


def _irispy_files() -> list[tuple[Path, str]]:
    """The smallest raster file and SJI file of each irispy-lmsal test observation (OBSID), located by content."""
    try:
        import irispy
    except ImportError:
        return []
    from astropy.io import fits

    root = Path(irispy.__file__).parent / "data" / "test"
    picked: dict[tuple[str, str], tuple[int, Path]] = {}
    for p in sorted(root.rglob("*.fits")):
        try:
            h = fits.getheader(p)
        except OSError:
            continue
        kind = "iris-sji" if str(h.get("INSTRUME", "")).strip() == "SJI" else "iris-raster"
        key = (kind, str(h.get("OBSID", "")))
        size = p.stat().st_size
        if key not in picked or size < picked[key][0]:
            picked[key] = (size, p)
    return [(p, k) for (k, _), (_, p) in sorted(picked.items())]


def _archives(dest: Path, files: list[Path]) -> list[Seed]:
    """A ``.tar.gz`` and a ``.zip`` holding ``files`` (a generated IRIS observation)."""
    import tarfile
    import zipfile

    tgz = dest / "observation.tar.gz"
    with tarfile.open(tgz, "w:gz") as tf:
        for p in files:
            tf.add(p, arcname=f"obs/{p.name}")
    zp = dest / "observation.zip"
    with zipfile.ZipFile(zp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for p in files:
            zf.write(p, arcname=f"obs/{p.name}")
    return [Seed(tgz, "archive-tar", "tar"), Seed(zp, "archive-zip", "zip")]


def build_seeds(dest: Path) -> tuple[list[Seed], list[str]]:
    """Write the seed files into ``dest``; return them and the reasons for formats skipped."""
    import numpy as np

    import irisplug

    dest.mkdir(parents=True, exist_ok=True)
    seeds: list[Seed] = []
    skipped: list[str] = []
    real = _irispy_files()
    if not real:
        skipped.append("iris real files: irispy-lmsal not installed")
    for p, fmt in real:
        target = dest / f"real_{fmt}_{p.name}"
        shutil.copyfile(p, target)
        seeds.append(Seed(target, fmt, "fits"))
    from irisplug_iris.generator import generate

    gen = dest / "generated_iris"
    generate(gen, n_rasters=1, n_steps=4, n_y=24, windows=["C II 1336", "Si IV 1403"], sji=["SJI_1400"],
             sji_size=32, quiet=True)
    for p in sorted(gen.glob("*.fits")):
        fmt = "iris-sji-gen" if "_SJI_" in p.name else "iris-raster-gen"
        seeds.append(Seed(p, fmt, "fits"))
    gen_files = sorted(gen.glob("*.fits"))
    sji_real = next((p for p, fmt in real if fmt == "iris-sji"), None)
    for p in [q for q in gen_files if "_raster_" in q.name][:1] + ([sji_real] if sji_real else []):
        target = dest / f"gz_{p.name}.gz"
        target.write_bytes(gzip.compress(p.read_bytes()))
        seeds.append(Seed(target, "iris-gz", "fits.gz"))
    seeds.extend(_archives(dest, gen_files))
    if IUVS_DIR.is_dir() and sorted(IUVS_DIR.glob("*.fits.gz")):
        for p in sorted(IUVS_DIR.glob("*.fits.gz"))[:2]:
            target = dest / p.name
            shutil.copyfile(p, target)
            seeds.append(Seed(target, "iuvs-gz", "fits.gz"))
            plain = dest / p.name[: -len(".gz")]
            plain.write_bytes(gzip.decompress(p.read_bytes()))
            seeds.append(Seed(plain, "iuvs-plain", "fits"))
    else:
        skipped.append(f"iuvs: no .fits.gz files in {IUVS_DIR}")
    from irisplug_show.generate import generate as show_generate

    show = dest / "show_l0_fuzz.nc"
    show_generate(show, shape=(16, 12), dark_exposures_ms=(100.0,), frames_per_exposure=3, science_frames=2, seed=3)
    seeds.append(Seed(show, "show", "hdf5"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obs = irisplug.read(gen)
        for suffix in ("fits", "asdf"):
            target = dest / f"written_obs.{suffix}"
            irisplug.write(obs["Si IV 1403"], target)
            seeds.append(Seed(target, f"irisplug-{suffix}", suffix))
            from astropy.wcs import WCS
            from ndcube import NDCube

            wcs = WCS(naxis=2)
            wcs.wcs.ctype = ["HPLN-TAN", "HPLT-TAN"]
            wcs.wcs.cunit = ["arcsec", "arcsec"]
            cube = NDCube(np.arange(12.0).reshape(3, 4), wcs=wcs, meta={"note": "fuzz"})
            target = dest / f"written_cube.{suffix}"
            irisplug.write(cube, target)
            seeds.append(Seed(target, f"irisplug-{suffix}", suffix))
    return seeds, skipped
