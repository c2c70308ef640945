"""Regenerate ``irisplug_iris/data/iris_response_sg.npz`` from the IRIS response file.

Source: the IRIS spectrograph/slit-jaw response ``iris_sra_c_20231106.geny``
(response version 009, 2023-11-06) by the IRIS team (LMSAL), distributed with
SolarSoft (``$SSW/iris/response``) and in the irispy-lmsal wheel
(``irispy/data/iris_sra_c_20231106.geny``). Only the figures needed for the
time-dependent spectrograph and slit-jaw effective areas are kept, unchanged:
for the slit-jaw passbands the geometric area, the transmission curve of every
optical element (``ELEMENTS.TRANS``, stored as ``elements_trans``) and the
element indices of each light path (``INDEX_EL_SG``, ``INDEX_EL_SJI``), with
the SJI throughput coefficients (``COEFFS_SJI``, ``C_S_TIME``).

    python plugins/iris/tools/make_iris_response.py [path/to/iris_sra_c_*.geny]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import scipy.io

KEYS = ("LAMBDA", "COEFFS_FUV", "C_F_TIME", "C_F_LAMBDA", "COEFFS_NUV", "C_N_TIME", "C_N_LAMBDA", "DN2PHOT_SG",
        "COEFFS_SJI", "C_S_TIME", "DN2PHOT_SJI", "GEOM_AREA", "INDEX_EL_SG", "INDEX_EL_SJI")


def main(path: str | None = None) -> Path:
    if path is None:
        import irispy

        path = str(Path(irispy.__file__).parent / "data" / "iris_sra_c_20231106.geny")
    rec = scipy.io.readsav(path, python_dict=True)["p0"]
    out = {k.lower(): np.asarray(rec[k][0]).astype(np.float64) for k in KEYS}
    out["index_el_sg"] = out["index_el_sg"].astype(np.int64)
    out["index_el_sji"] = out["index_el_sji"].astype(np.int64)
    elements = rec["ELEMENTS"][0]
    out["elements_trans"] = np.stack([np.asarray(t, dtype=np.float32) for t in elements["TRANS"]])  # as stored
    out["elements_name"] = np.array([n.decode().strip() for n in elements["NAME"]])
    out["name_sji"] = np.array([n.decode().strip() for n in rec["NAME_SJI"][0]])
    out["version"] = np.array(rec["VERSION"][0].decode().strip())
    out["version_date"] = np.array(rec["VERSION_DATE"][0].decode().strip())
    out["source"] = np.array(
        f"{Path(path).name}: IRIS response (LMSAL), SolarSoft $SSW/iris/response; copied from the irispy-lmsal wheel"
    )
    dest = Path(__file__).resolve().parents[1] / "src" / "irisplug_iris" / "data" / "iris_response_sg.npz"
    # (the file name predates the slit-jaw figures; it is kept so response= paths stay valid)
    np.savez_compressed(dest, **out)
    return dest


if __name__ == "__main__":
    print(main(sys.argv[1] if len(sys.argv) > 1 else None))
