"""The demo's stages after reading; each needs some plugin contribution.

A stage returns a one-line message, or raises ``Skip`` naming what is
missing. Stages use only the public dispatch API and contribution names, as
a user's script would; none imports a plugin.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["STAGES", "Skip", "require", "GENERATOR_OPTIONS"]

#: what the demo asks the ``iris-synthetic`` fetcher for: a dense 32-step
#: raster (0.35 arcsec steps) in three windows, two slit-jaw channels, and a
#: slit-jaw pointing error of (1.2, -0.8) arcsec for the co-alignment to find.
GENERATOR_OPTIONS: dict[str, Any] = {
    "n_steps": 32,
    "step_size": 0.35,
    "n_rasters": 2,
    "sji_pointing_error": (1.2, -0.8),
}

WINDOW = "Si IV 1403"
SJI = "SJI_1400"


class Skip(Exception):
    """A stage cannot run here; the message says what is missing."""


def require(kind: str, name: str) -> Any:
    """The contribution, or ``Skip`` if no installed plugin provides it."""
    from irisplug.plugin_manager import get_plugin_manager

    found = get_plugin_manager().contributions(kind).get(name)
    if found is None:
        raise Skip(f"no {kind} {name!r} installed")
    return found


def _calibrate(obs: Any, out: Path, results: dict[str, Any]) -> str:
    import irisplug

    require("calibrator", "iris-radiometric")
    cal = irisplug.calibrate(obs[WINDOW], ["iris-radiometric"])
    steps = [r["step"] for r in irisplug.history(cal[0])]
    results["calibration"] = {"window": WINDOW, "unit": str(cal[0].unit), "steps": steps}
    results["_calibrated"] = cal
    return f"{WINDOW}: {' -> '.join(steps)}, unit {cal[0].unit}"


def _fit(obs: Any, out: Path, results: dict[str, Any]) -> str:
    import numpy as np

    import irisplug

    require("fitter", "lm")
    maps = irisplug.fit(obs, method="lm", window=WINDOW, template="si_iv_1403")
    first = maps[0]
    velocity = np.asarray(first["si_iv_1403.velocity"].data)
    status = np.asarray(first["status"].data)
    converged = float(np.mean(status == 0))
    results["fit"] = {
        "template": "si_iv_1403",
        "rasters": len(maps),
        "converged_fraction_first_raster": round(converged, 4),
        "median_doppler_velocity_km_s": round(float(np.nanmedian(velocity)), 3),
    }
    results["_maps"] = maps
    if "fits" in irisplug.get_plugin_manager().contributions("writer"):
        path = irisplug.write(first["si_iv_1403.velocity"], out / "si_iv_1403_velocity_r0.fits", overwrite=True)
        results["fit"]["velocity_map"] = str(path)
    return f"{len(maps)} rasters fitted; {100 * converged:.1f} % converged; median Doppler velocity {np.nanmedian(velocity):+.2f} km/s"


def _coalign(obs: Any, out: Path, results: dict[str, Any]) -> str:
    import numpy as np

    import irisplug

    require("coaligner", "sji-raster")
    offsets = []
    for i in range(len(obs[WINDOW].data)):
        aligned = irisplug.coalign(obs[WINDOW][i], obs[SJI], method="sji-raster")
        offsets.append(aligned.meta["irisplug_coalign"]["offset_arcsec"])
    found = np.mean(offsets, axis=0)
    planted = GENERATOR_OPTIONS["sji_pointing_error"]
    results["coalign"] = {"method": "sji-raster", "offsets_arcsec": offsets, "planted_arcsec": list(planted)}
    return f"raster -> {SJI} offset ({found[0]:+.2f}, {found[1]:+.2f}) arcsec; planted ({planted[0]:+.2f}, {planted[1]:+.2f})"


def _figures(obs: Any, out: Path, results: dict[str, Any]) -> str:
    import irisplug

    require("viewer", "raster-quicklook")
    figures = []
    irisplug.view(obs, viewer="raster-quicklook", window=WINDOW, out=out / "quicklook_si_iv.png")
    figures.append("quicklook_si_iv.png")
    if "sji-viewer" in irisplug.get_plugin_manager().contributions("viewer"):
        irisplug.view(obs[SJI], viewer="sji-viewer", out=out / "sji_1400.png")
        figures.append("sji_1400.png")
    maps = results.get("_maps")
    if maps is not None and "parameter-maps" in irisplug.get_plugin_manager().contributions("viewer"):
        keys = ["si_iv_1403.intensity", "si_iv_1403.velocity", "si_iv_1403.fwhm"]
        irisplug.view(maps[0], viewer="parameter-maps", keys=keys, out=out / "si_iv_fit_maps.png")
        figures.append("si_iv_fit_maps.png")
    results["figures"] = figures
    return f"wrote {', '.join(figures)}"


def _write_results(obs: Any, out: Path, results: dict[str, Any]) -> str:
    import irisplug

    require("writer", "fits")
    cal = results.get("_calibrated")
    if cal is not None:
        path = irisplug.write(cal, out / "si_iv_1403_calibrated.fits", overwrite=True)
        results["calibrated_file"] = str(path)
    public = {k: v for k, v in results.items() if not k.startswith("_")}
    with irisplug.atomic_path(out / "results.json", overwrite=True) as tmp:
        tmp.write_text(json.dumps(public, indent=2, default=str) + "\n")
    return f"wrote {out / 'results.json'}" + (
        f" and {Path(results['calibrated_file']).name}" if cal is not None else ""
    )


STAGES: list[tuple[str, Callable[[Any, Path, dict[str, Any]], str]]] = [
    ("radiometric calibration (DN -> erg s-1 sr-1 cm-2 A-1)", _calibrate),
    (f"fitting the {WINDOW} line in every spectrum", _fit),
    ("co-aligning the rasters with the slit-jaw images", _coalign),
    ("figures", _figures),
    ("writing results", _write_results),
]
