"""IRIS Level 2 file layout facts: auxiliary table columns and text-table columns.

Column order and names as in real IRIS Level 2 files (LMSAL ITN 26,
"IRIS Level 2 data"; seen in the headers of the irispy-lmsal test files).
Each aux header keyword holds the 0-based column index of that quantity.
"""

from __future__ import annotations

__all__ = ["RASTER_AUX_COLUMNS", "SJI_AUX_COLUMNS", "RASTER_TEXT_COLUMNS", "SJI_TEXT_COLUMNS", "WINDOWS"]

#: the aux tables' temperature sensors: (number, type letter) as in ITnnX<detector>
_TEMPERATURE_SENSORS = (("01", "P"), ("06", "T"), ("14", "S"), ("15", "S"), ("16", "S"), ("17", "S"), ("18", "S"), ("19", "S"))

#: raster auxiliary table (n_steps x 47): keyword -> (column, comment)
RASTER_AUX_COLUMNS = [
    ("TIME", "time of each exposure in s after start of OBS (rowindex)"),
    ("PZTX", "PZTX of each exposure in arcsec (rowindex)"),
    ("PZTY", "PZTY of each exposure in arcsec (rowindex)"),
    ("EXPTIMEF", "FUV Exposure duration of each exposure in s (rowindex)"),
    ("EXPTIMEN", "NUV Exposure duration of each exposure in s (rowindex)"),
    ("SUMSPTRF", "FUV spectral summing (rowindex)"),
    ("SUMSPATF", "FUV spatial summing (rowindex)"),
    ("SUMSPTRN", "NUV spectral summing (rowindex)"),
    ("SUMSPATN", "NUV spatial summing (rowindex)"),
    ("DSRCFIX", "FUV data source level (rowindex)"),
    ("DSRCNIX", "NUV data source level (rowindex)"),
    ("LUTIDF", "FUV LUT ID (rowindex)"),
    ("LUTIDN", "NUV LUT ID (rowindex)"),
    ("XCENIX", "XCEN (rowindex)"),
    ("YCENIX", "YCEN (rowindex)"),
    ("OBS_VRIX", "Speed of observer in radial direction (rowindex)"),
    ("OPHASEIX", "Orbital phase (rowindex)"),
    ("PC1_1IX", "PC1_1 (rowindex)"),
    ("PC1_2IX", "PC1_2 (rowindex)"),
    ("PC2_1IX", "PC2_1 (rowindex)"),
    ("PC2_2IX", "PC2_2 (rowindex)"),
    ("PC3_1IX", "PC3_1 (rowindex)"),
    ("PC3_2IX", "PC3_2 (rowindex)"),
    ("PC3_3IX", "PC3_3 (rowindex)"),
    ("PC2_3IX", "PC2_3 (rowindex)"),
    *[(f"IT{n}{s}FUV", f"FUV temperature {n} (rowindex)") for n, s in _TEMPERATURE_SENSORS],
    ("POFFXFUV", "FUV X (spectral direction) shift in pixels (rowindex)"),
    ("POFFYFUV", "FUV Y (spatial direction) shift in pixels (rowindex)"),
    ("POFFFFUV", "FUV Flag indicating source of X and Y offsets (rowindex)"),
    *[(f"IT{n}{s}NUV", f"NUV temperature {n} (rowindex)") for n, s in _TEMPERATURE_SENSORS],
    ("POFFXNUV", "NUV X (spectral direction) shift in pixels (rowindex)"),
    ("POFFYNUV", "NUV Y (spatial direction) shift in pixels (rowindex)"),
    ("POFFFNUV", "NUV Flag indicating source of X and Y offsets (rowindex)"),
]

#: slit-jaw auxiliary table (n_frames x 31)
SJI_AUX_COLUMNS = [
    ("TIME", "time of each exposure in s after start of OBS (rowindex)"),
    ("PZTX", "PZTX of each exposure in arcsec (rowindex)"),
    ("PZTY", "PZTY of each exposure in arcsec (rowindex)"),
    ("EXPTIMES", "SJI Exposure duration of each exposure in s (rowindex)"),
    ("SLTPX1IX", "Slit center in X of each exposure in window-pixels (rowindex)"),
    ("SLTPX2IX", "Slit center in Y of each exposure in window-pixels (rowindex)"),
    ("SUMSPTRS", "SJI spectral summing (rowindex)"),
    ("SUMSPATS", "SJI spatial summing (rowindex)"),
    ("DSRCSIX", "SJI data source level (rowindex)"),
    ("LUTIDS", "SJI LUT ID (rowindex)"),
    ("XCENIX", "XCEN (rowindex)"),
    ("YCENIX", "YCEN (rowindex)"),
    ("OBS_VRIX", "Speed of observer in radial direction (rowindex)"),
    ("OPHASEIX", "Orbital phase (rowindex)"),
    ("PC1_1IX", "PC1_1 (rowindex)"),
    ("PC1_2IX", "PC1_2 (rowindex)"),
    ("PC2_1IX", "PC2_1 (rowindex)"),
    ("PC2_2IX", "PC2_2 (rowindex)"),
    ("PC3_1IX", "PC3_1 (rowindex)"),
    ("PC3_2IX", "PC3_2 (rowindex)"),
    *[(f"IT{n}{s}SJI", f"SJI temperature {n} (rowindex)") for n, s in _TEMPERATURE_SENSORS],
    ("POFFXSJI", "SJI X (spectral direction) shift in pixels (rowindex)"),
    ("POFFYSJI", "SJI Y (spatial direction) shift in pixels (rowindex)"),
    ("POFFFSJI", "SJI Flag indicating source of X and Y offsets (rowindex)"),
]

#: text table columns: (TTYPE, width)
RASTER_TEXT_COLUMNS = [("FRMID", 10), ("FUVFDBID", 10), ("FUVCRSID", 4), ("NUVFDBID", 10), ("NUVCRSID", 4), ("FUVfilename", 66), ("NUVfilename", 66)]
SJI_TEXT_COLUMNS = [("FRMID", 10), ("SJIFDBID", 10), ("SJICRSID", 4), ("SJIfilename", 66)]

#: spectral windows: label -> (detector, wave_min, wave_max, dispersion A/pixel unsummed,
#: lines as (vacuum wavelength A, relative amplitude, thermal width A, kind))
WINDOWS = {
    "C II 1336": ("FUV1", 1332.70, 1337.22, 0.01298, [(1334.532, 0.8, 0.060, "em"), (1335.708, 1.0, 0.065, "em")]),
    "Fe XII 1349": ("FUV1", 1347.70, 1350.93, 0.01298, [(1349.40, 0.05, 0.05, "em")]),
    "O I 1356": ("FUV1", 1352.25, 1355.88, 0.01298, [(1355.598, 0.15, 0.025, "em"), (1354.29, 0.05, 0.04, "em")]),
    "Si IV 1394": ("FUV2", 1391.98, 1395.78, 0.01272, [(1393.755, 1.0, 0.055, "em")]),
    "Si IV 1403": ("FUV2", 1398.63, 1405.96, 0.01272, [(1402.770, 0.5, 0.055, "em"), (1399.774, 0.08, 0.05, "em"), (1401.157, 0.12, 0.05, "em")]),
    "2832": ("NUV", 2831.20, 2834.20, 0.02546, [(2832.0, -0.2, 0.08, "abs")]),
    "2814": ("NUV", 2812.51, 2816.36, 0.02546, [(2814.5, -0.3, 0.08, "abs")]),
    "Mg II k 2796": ("NUV", 2790.49, 2806.58, 0.02546, [(2796.352, 1.0, 0.0, "mg"), (2803.530, 0.8, 0.0, "mg")]),
}
