"""
Read MAVEN IUVS L1B files: radiance, per-pixel wavelengths, tables, conversions
===============================================================================

``irisplug.read`` recognises an IUVS L1B file by its header and returns an
``IUVSProduct``: a collection of cubes (radiance with its uncertainty, raw,
dark-subtracted, background dark, quality, dark frames) with axes
(integration, spatial, spectral), the 2-D wavelength table of each file as the
wavelength coordinate, and the nine binary tables as astropy Tables. The
engineering conversions reproduce the values the pipeline stored.

The two real L1B sample files are read from ``$IRISPLUG_IUVS_DATA`` (or a
``shared/data/iuvs`` folder in the working directory or above, where the
project's CI keeps them); without them the script prints a note and skips.
"""

import os
import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import irisplug
from irisplug_iuvs.conversions import case_temp_from_dn, case_temp_to_dn, mcp_gain_from_volt, mcp_volt_from_dn
from irisplug_iuvs.filenames import parse_filename


def iuvs_data_dir() -> Path:
    """``$IRISPLUG_IUVS_DATA``, ``$IRISPLUG_SHARED_DATA/iuvs``, or ``shared/data/iuvs`` in the working directory or above."""
    if os.environ.get("IRISPLUG_IUVS_DATA"):
        return Path(os.environ["IRISPLUG_IUVS_DATA"])
    if os.environ.get("IRISPLUG_SHARED_DATA"):
        return Path(os.environ["IRISPLUG_SHARED_DATA"]) / "iuvs"
    for base in (Path.cwd(), *Path.cwd().parents):
        if (base / "shared" / "data" / "iuvs").is_dir():
            return base / "shared" / "data" / "iuvs"
    return Path("shared/data/iuvs")


data_dir = iuvs_data_dir()
files = sorted(data_dir.glob("mvn_iuv_l1b_*.fits*"))
if not files:
    print(f"NOTE: skipped. No IUVS L1B files in {data_dir}: set IRISPLUG_IUVS_DATA to the folder holding them")
else:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    out_dir.mkdir(parents=True, exist_ok=True)

    # %% The file name carries level, segment, orbit, channel, time, version
    name = parse_filename(files[0])
    print(name.level, name.segment, name.orbit, name.channel, name.timestamp, f"v{name.version:02d} r{name.revision:02d}")

    # %% Read: the reader is chosen from the header
    fig = plt.figure(figsize=(9, 4), layout="constrained")
    ax = fig.subplots()
    for path in files:
        prod = irisplug.read(path)
        rad = prod["radiance"]
        print(prod.meta["xuv"], {k: tuple(v.data.shape) for k, v in prod.items()})
        # what the observation is, in the model's keys (irisplug.model.description)
        print("  ", irisplug.model.observation_id(rad), "|", irisplug.model.observation_description(rad))
        # per-pixel wavelengths: the world coordinate at every (spatial, spectral) pixel
        n_int, n_spa, n_spe = rad.data.shape
        spe, spa = np.meshgrid(np.arange(n_spe), np.arange(n_spa))
        wavelength = rad.wcs.pixel_to_world_values(spe, spa, np.zeros_like(spe))[0]
        assert np.array_equal(wavelength, prod.tables["Observation"]["WAVELENGTH"][0])
        spectrum = np.nanmean(np.asarray(rad.data[0]), axis=0)
        ax.plot(wavelength[n_spa // 2], spectrum, label=f"{prod.meta['xuv']} (mean over {n_spa} spatial bins)")
        times = rad.axis_world_coords(wcs=rad.extra_coords["time"])[0]
        print("  integrations at", times.isot, "exposure", rad.axis_world_coords(wcs=rad.extra_coords["exposure_time"])[0])
        # conversions reproduce the stored values
        integ, eng = prod.tables["Integration"], prod.tables["Engineering"]
        case_dn = np.round(case_temp_to_dn(integ["CASE_TEMP_C"].value))
        print("  CASE_TEMP_C reproduced exactly:", np.array_equal(case_temp_from_dn(case_dn), integ["CASE_TEMP_C"].value))
        volt = float(mcp_volt_from_dn(eng["MCP_GAIN"][0]))
        print(f"  MCP {volt:.3f} V (header {prod.meta['header']['MCP_VOLT']}), gain {float(mcp_gain_from_volt(volt, prod.meta['xuv'])):.4f}")
        # save the radiance cube (gwcs and uncertainty kept) through ASDF and read it back
        saved = irisplug.write(rad, out_dir / f"radiance_{prod.meta['xuv']}.asdf", overwrite=True)
        back = irisplug.read(saved)
        assert np.array_equal(back.wcs.pixel_to_world_values(spe, spa, np.zeros_like(spe))[0], wavelength)
        print("  saved and re-read", saved.name, "uncertainty kept:", back.uncertainty is not None)
        # the spectral-cube viewer: the product on its own axes (integration time, spatial bin, each bin's wavelengths)
        view = irisplug.view(prod, exposure=-1, out=out_dir / f"iuvs_view_{prod.meta['xuv']}.png")
        print("  viewer:", type(view).__name__, view.label, view.wavelength.shape)
    ax.set_xlabel("wavelength [nm]")
    ax.set_ylabel("radiance [kR/nm]")
    ax.legend()
    fig.savefig(out_dir / "iuvs_spectra.png")
    print("wrote", out_dir / "iuvs_spectra.png")
    plt.show()
