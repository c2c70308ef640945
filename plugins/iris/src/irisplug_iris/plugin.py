"""Hook implementations of the irisplug-iris plugin."""

from __future__ import annotations

import irisplug

__all__: list[str] = []


@irisplug.hookimpl
def irisplug_readers() -> list[irisplug.ReaderDescriptor]:
    from irisplug_iris.reader import identify_iris_l2, read_iris_l2

    return [
        irisplug.ReaderDescriptor(
            name="iris-l2",
            read=read_iris_l2,
            patterns=("iris_l2_*raster*.fits", "iris_l2_*SJI*.fits"),
            identify=identify_iris_l2,
            priority=10,
            extensions=(".fits",),
            description="IRIS Level 2 raster and slit-jaw files (lazy, scaled, masked, per-exposure WCS)",
        ),
    ]


@irisplug.hookimpl
def irisplug_fetchers() -> list[irisplug.FetcherDescriptor]:
    from irisplug_iris.fetch import fetch_synthetic

    return [
        irisplug.FetcherDescriptor(
            name="iris-synthetic",
            fetch=fetch_synthetic,
            offline=True,
            description="synthetic IRIS Level 2 raster + SJI files (size='small' default, or 'full')",
        )
    ]


def _is_iris_data(obj) -> bool:
    """An IRIS cube, sequence or Observation (what the photon-noise step accepts)."""
    meta = getattr(obj, "meta", None) or {}
    return "IRIS" in (str(meta.get("TELESCOP", "")).strip().upper(), str(meta.get("INSTRUME", "")).strip().upper())


@irisplug.hookimpl
def irisplug_calibrators() -> list[irisplug.CalibratorDescriptor]:
    from irisplug_iris.noise import photon_noise

    return [
        irisplug.CalibratorDescriptor(
            name="iris-photon-noise", apply=photon_noise, accepts=_is_iris_data, version="1",
            description="IRIS photon + read noise uncertainties (DN or DN/s; before radiometric calibration)",
        )
    ]
