"""
IUVS dark analysis: DN/s per pixel versus detector temperature
==============================================================

The IUVS dark-current notebook analysis as two calls: :func:`irisplug_iuvs.darks.dark_statistics`
turns many files into one DataFrame row per dark product (mean dark corrected
for the on-chip binning and the integration time, detector and case
temperature, MCP voltage -> dark mode, FUV/MUV), and
:func:`~irisplug_iuvs.darks.plot_dark_rate_vs_temperature` draws DN/s against
detector temperature per integration time. Here the dark products come from
the two real L1B files (their ``detector_dark`` frames) and from the L1A dark
files rebuilt from them.
"""

import os
import sys
import tempfile
from pathlib import Path

from irisplug_iuvs.darks import dark_statistics, plot_dark_rate_vs_temperature
from irisplug_iuvs.l1a_make import make_l1a_from_l1b


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

    # %% L1A dark files, as the archive has them (built from the L1B Dark_* HDUs)
    l1a = [p for f in files for p in make_l1a_from_l1b(f, out_dir / "l1a") if "dark" in p.name]
    print("L1A dark files:", [p.name for p in l1a])

    # %% One row per dark product
    df = dark_statistics(l1a, quiet=True)
    print(df[["xuv", "int_time_s", "mcp_volt", "dark_mode", "det_temp_c", "mean_pixels_per_bin", "dn_per_s"]])
    print(df.groupby("xuv").dn_per_s.describe()[["count", "mean", "min", "max"]])

    # %% The figure: DN/s against detector temperature
    png = plot_dark_rate_vs_temperature(df, out_dir / "iuvs_dark_rate.png")
    print("wrote", png)

    # %% Show the figure written above
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 6))
    ax.imshow(plt.imread(png))
    ax.set_axis_off()
    plt.show()
